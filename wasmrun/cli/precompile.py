"""``wasmrun compile MODULE [-o FILE]``: the precompiled module (:mod:`wasmrun.cache.precompiled`), written to a file.

As Wasmtime's ``compile``: the output defaults to the module's file name with the extension ``.cwasm``,
in the current directory, and nothing is printed.  A component is refused with one line (the code
cache keeps core modules only); so is a file that is precompiled already.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from wasmrun.cli.errors import EXIT_SUCCESS, CliError, InputError
from wasmrun.cli.source import display_name, is_component_source, read_input
from wasmrun.errors import WasmError

if TYPE_CHECKING:
    from wasmrun.features import Features


def default_output(path: str) -> str:
    """``dir/app.wasm`` -> ``app.cwasm`` (in the current directory), as Wasmtime names it."""
    from wasmrun.cache.precompiled import SUFFIX

    return os.path.splitext(os.path.basename(path))[0] + SUFFIX


def compile_command(path: str, output: str | None, features: Features | None, parallel: bool = True) -> int:
    from wasmrun.cache import is_entry
    from wasmrun.cache.precompiled import compile_chunks
    from wasmrun.features import ALL_FEATURES

    source = display_name(path)
    data = read_input(path)
    if is_entry(data):
        raise CliError("this module is precompiled already", source)
    if is_component_source(data):
        raise CliError("precompiling a component is not supported yet (the code cache keeps core modules only)", source)
    try:
        made = compile_chunks(data, features or ALL_FEATURES, parallel=parallel)
    except WasmError as error:
        raise InputError(error, source) from error
    write_file(output if output is not None else default_output(path), made)
    return EXIT_SUCCESS


def write_file(path: str, data: bytes | Iterable[bytes]) -> None:
    """Write ``path`` (its bytes, or its pieces in order) whole or not at all (a temporary file beside
    it, then renamed)."""
    temporary = os.path.join(os.path.dirname(os.path.abspath(path)), f".{os.path.basename(path)}.{os.urandom(4).hex()}")
    try:
        with open(temporary, "xb") as file:
            for chunk in [data] if isinstance(data, bytes) else data:
                file.write(chunk)
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise CliError(f"cannot write file: {error.strerror or error}", path) from None
        raise
