"""WASI for the API's modules: :class:`WasiConfig` (wasmtime-py's names), made into wasmrun's WASI
preview1 context (:class:`wasmrun.wasi.context.WasiContext`) for a linker's ``define_wasi()``.

The context reads and writes host descriptors: files named by the configuration are opened here,
stdin given as bytes is put in an anonymous temporary file; output to a callback
(``stdout_custom``) or to a file object without a descriptor is handed to it chunk by chunk.
A preopen with ``fs_mutable=False`` is read-only: the guest may change nothing beneath it (``PERM``).
Stdin from a file object without a descriptor is refused with
:class:`~wasmrun.api.errors.WasmtimeError` when the store first needs its context.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import IO, TYPE_CHECKING, Any

from wasmrun.api.errors import WasmtimeError
from wasmrun.wasi_config import WasiConfig as _WasiConfig

if TYPE_CHECKING:
    from wasmrun.wasi.context import WasiContext

_STANDARD = {"stdin": 0, "stdout": 1, "stderr": 2}


class WasiConfig(_WasiConfig):
    """A guest's WASI world: ``argv`` (argv[0] included), ``env``, stdio (``stdin_file``, ``stdout_file``,
    ``stderr_file``, ``inherit_stdin()``..., ``stdin_bytes``), preopened directories (:meth:`preopen_dir`).
    Give it to :meth:`Store.set_wasi <wasmrun.api.store.Store.set_wasi>`."""


def _descriptor(name: str, source: tuple[Any, ...], files: list[IO[bytes]]) -> Any:
    """The host descriptor of stream ``name`` for ``source`` (see :meth:`WasiConfig.stdio_source`), or for
    an output, the callable given each chunk written."""
    kind = source[0]
    if kind == "none":
        return None
    if kind == "inherit":
        stream = getattr(sys, f"__{name}__", None)
        return stream.fileno() if stream is not None else _STANDARD[name]
    if kind == "file":
        file = open(source[1], "rb" if name == "stdin" else "wb")  # noqa: SIM115 (closed with the store)
        files.append(file)
        return file.fileno()
    if kind == "bytes":
        file = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the store)
        files.append(file)
        file.write(source[1])
        file.seek(0)
        return file.fileno()
    if kind == "custom":
        return source[1]
    if kind == "stream":
        stream = source[1]
        try:
            return int(stream.fileno())
        except (AttributeError, OSError, ValueError):
            if name != "stdin":
                return lambda data: (stream.write(data), stream.flush())
    raise WasmtimeError(
        f"{name} from a file object without a descriptor is not supported by wasmrun for WASI preview1 modules"
    )


def open_preview1(config: _WasiConfig) -> tuple[WasiContext, list[IO[bytes]]]:
    """wasmrun's WASI preview1 context for ``config``, and the files opened for it (the caller closes them)."""
    from wasmrun.wasi.context import WasiContext

    files: list[IO[bytes]] = []
    try:
        stdin, stdout, stderr = (_descriptor(name, config.stdio_source(name), files) for name in _STANDARD)
        context = WasiContext(
            config.argv,
            config.env,
            [(os.fspath(path), guest, read_only) for path, guest, read_only in config.preopens],
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
        )
    except OSError as error:
        for file in files:
            file.close()
        raise WasmtimeError(f"failed to open WASI resources: {error}") from None
    except BaseException:
        for file in files:
            file.close()
        raise
    return context, files
