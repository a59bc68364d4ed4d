"""Bytes or text in, checked :class:`Module` out: the front end's entry.

A module is binary when it starts with ``\\0asm`` and text (WAT) otherwise,
whatever its file name (the CLI contract's rule, kept here once).  The decoded
structure is :class:`wasmrun.module.Module`, which knows nothing of how it was
made; :class:`Module` here is that record with its public constructors.
"""

from __future__ import annotations

from pathlib import Path

from wasmrun import module as records
from wasmrun.binary.decoder import decode_module
from wasmrun.errors import TextSyntaxError
from wasmrun.features import ALL_FEATURES, Features

WASM_MAGIC = b"\0asm"


class Module(records.Module):
    """A decoded module (:class:`wasmrun.module.Module`) made from bytes, text or a file."""

    @classmethod
    def from_bytes(cls, data: bytes, *, validate: bool = True, features: Features = ALL_FEATURES) -> Module:
        """Decode (and validate, allowing the proposals of ``features``) a module from its binary or text form."""
        return load_module(data, validate=validate, features=features, record=cls)

    @classmethod
    def from_file(cls, path: str | Path, *, validate: bool = True, features: Features = ALL_FEATURES) -> Module:
        """Read, decode (and validate) a ``.wasm`` or ``.wat`` file."""
        return cls.from_bytes(Path(path).read_bytes(), validate=validate, features=features)


def is_binary(data: bytes) -> bool:
    return data[:4] == WASM_MAGIC


def to_binary(data: bytes) -> bytes:
    """The binary form of a module given as binary or as WAT text."""
    if is_binary(data):
        return data
    from wasmrun.text.wat import parse_module  # only text input pays for the parser

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TextSyntaxError("malformed UTF-8 encoding", 1, error.start + 1) from None
    return parse_module(text, allow_empty=False)


def load_module(
    data: bytes,
    *,
    validate: bool = True,
    features: Features = ALL_FEATURES,
    record: type[Module] = Module,
    parallel: bool = False,
) -> Module:
    """Decode (binary or text) and, unless asked not to, validate a module (an instance of ``record``)
    that may use the proposals of ``features`` (``parallel``: a big one on two cores, see
    :func:`~wasmrun.validation.validate_module`)."""
    module = decode_module(to_binary(data), record, validating=validate)
    if validate:
        from wasmrun.validation import validate_module

        validate_module(module, features, parallel=parallel)
    return module
