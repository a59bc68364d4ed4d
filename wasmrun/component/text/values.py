"""Values of value definitions (Binary.md, Value Definitions), for the primitive types."""

from __future__ import annotations

import struct

from wasmrun.component.types import INTEGER_RANGES, Primitive
from wasmrun.text.encoder import name, sleb, u32
from wasmrun.text.lexer import is_string, string_bytes
from wasmrun.text.literals import LiteralError, parse_f32, parse_f64

_CODES = {
    0x7E: Primitive.S8,
    0x7D: Primitive.U8,
    0x7C: Primitive.S16,
    0x7B: Primitive.U16,
    0x7A: Primitive.S32,
    0x79: Primitive.U32,
    0x78: Primitive.S64,
    0x77: Primitive.U64,
}


def encode_primitive_value(code: int, token: str) -> bytes | None:
    """The encoding of the value ``token`` of the primitive type with code ``code``; None if malformed."""
    if code == 0x7F:
        return {"false": b"\x00", "true": b"\x01"}.get(token)
    if code in _CODES:
        return _integer(_CODES[code], token)
    if code in (0x76, 0x75):
        return _float(code == 0x76, token)
    if code == 0x73 and is_string(token):
        try:
            return name(string_bytes(token))
        except ValueError:
            return None
    if code == 0x74 and is_string(token):
        try:
            text = string_bytes(token).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        return text.encode("utf-8") if len(text) == 1 else None
    return None


def _integer(primitive: Primitive, token: str) -> bytes | None:
    try:
        value = (
            int(token.replace("_", ""), 0) if not token.startswith(("-0x", "+0x")) else int(token.replace("_", ""), 16)
        )
    except ValueError:
        return None
    low, high = INTEGER_RANGES[primitive]
    if not low <= value <= high:
        return None
    if primitive in (Primitive.S8, Primitive.U8):
        return bytes((value & 0xFF,))
    return sleb(value) if low < 0 else u32(value)


def _float(single: bool, token: str) -> bytes | None:
    if token == "nan":
        return b"\x00\x00\xc0\x7f" if single else b"\x00\x00\x00\x00\x00\x00\xf8\x7f"
    try:
        bits = parse_f32(token) if single else parse_f64(token)
    except LiteralError:
        return None
    if bits is None:
        return None
    return struct.pack("<I", bits) if single else struct.pack("<Q", bits)
