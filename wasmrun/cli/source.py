"""Reading the files named on the command line (``-`` is stdin).

Every failure here is raised as :class:`~wasmrun.cli.errors.InputError`, so
the message names the file as the user gave it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from wasmrun.cli.errors import InputError

if TYPE_CHECKING:
    from wasmrun.component.records import Component
    from wasmrun.features import Features
    from wasmrun.module import Module

STDIN = "-"


def display_name(path: str) -> str:
    """How messages name an input: the path as given, ``<stdin>`` for ``-``."""
    return "<stdin>" if path == STDIN else path


def read_input(path: str) -> bytes:
    """The bytes of ``path`` (stdin for ``-``)."""
    return read_input_status(path)[0]


def read_input_status(path: str) -> tuple[bytes, os.stat_result | None]:
    """The bytes of ``path`` (stdin for ``-``), and the file's status as it was once they were read
    (None for stdin), which says whether it has changed since (the code cache's digest memo)."""
    try:
        if path == STDIN:
            return sys.stdin.buffer.read(), None
        with open(path, "rb") as file:
            data = file.read()
            return data, os.fstat(file.fileno())
    except OSError as error:
        raise InputError(error, display_name(path)) from error


def load_program(
    path: str, *, validate: bool = True, features: Features | None = None, parallel: bool = True
) -> Module | Component:
    """The core module or the component in ``path`` (binary or text), decoded and (unless told not to)
    validated (a big module on two cores unless ``parallel`` is false); the component's package is imported
    only for a component."""
    from wasmrun.errors import WasmError
    from wasmrun.features import ALL_FEATURES
    from wasmrun.loader import load_module

    data = read_input(path)
    try:
        if is_component_source(data):
            return load_component(data, validate=validate, features=features or ALL_FEATURES)
        return load_module(data, validate=validate, features=features or ALL_FEATURES, parallel=parallel)
    except WasmError as error:
        raise InputError(error, display_name(path)) from error


def is_component_source(data: bytes) -> bool:
    """Whether ``data`` is a component: its binary preamble, or text whose first form is ``(component``."""
    from wasmrun.binary.decoder import COMPONENT_PREAMBLE

    if data.startswith(COMPONENT_PREAMBLE):
        return True
    if data.startswith(b"\0asm"):
        return False
    text = data[:4096].decode("utf-8", errors="replace")
    position = 0
    while position < len(text):  # skip white space and comments before the first form
        if text[position].isspace():
            position += 1
        elif text.startswith(";;", position):
            end = text.find("\n", position)
            position = len(text) if end < 0 else end + 1
        elif text.startswith("(;", position):
            end = text.find(";)", position)
            position = len(text) if end < 0 else end + 2
        else:
            break
    rest = text[position:]
    return rest.startswith("(component") and (len(rest) == 10 or not rest[10].isalnum())


def component_binary(data: bytes) -> bytes:
    """A component's binary: ``data`` itself, or ``data`` encoded from the text format."""
    if data.startswith(b"\0asm"):
        return data
    from wasmrun.component.text import encode_component_text
    from wasmrun.errors import TextSyntaxError

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TextSyntaxError("malformed UTF-8 encoding", None, None) from error
    return encode_component_text(text)


def load_component(data: bytes, *, validate: bool = True, features: Features | None = None) -> Component:
    """Decode (from binary or text) and validate a component as ``wasmtime run`` takes it."""
    from wasmrun.component.decoder import decode_component
    from wasmrun.features import ALL_FEATURES

    component = decode_component(component_binary(data))
    if validate:
        from wasmrun.component.validate import validate_component

        validate_component(component, features or ALL_FEATURES, wasmtime_restrictions=True)
    return component
