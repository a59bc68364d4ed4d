"""Bytes or text in, checked :class:`~wasmrun.module.Module` out.

A module is binary when it starts with ``\\0asm`` and text (WAT) otherwise,
whatever its file name (the CLI contract's rule, kept here once).
"""

from __future__ import annotations

from wasmrun.module import Module

WASM_MAGIC = b"\0asm"


def is_binary(data: bytes) -> bool:
    return data[:4] == WASM_MAGIC


def to_binary(data: bytes) -> bytes:
    """The binary form of a module given as binary or as WAT text."""
    if is_binary(data):
        return data
    from wasmrun.errors import TextSyntaxError
    from wasmrun.text.wat import parse_module  # only text input pays for the parser

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TextSyntaxError("malformed UTF-8 encoding", 1, error.start + 1) from None
    return parse_module(text, allow_empty=False)


def load_module(data: bytes, *, validate: bool = True) -> Module:
    """Decode (binary or text) and, unless asked not to, validate a module."""
    from wasmrun.binary.decoder import decode_module

    module = decode_module(to_binary(data))
    if validate:
        from wasmrun.validate import validate_module

        validate_module(module)
    return module
