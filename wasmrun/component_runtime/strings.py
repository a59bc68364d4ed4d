"""Strings in linear memory: the three encodings, both ways, with the spec's exact ``realloc`` calls.

A string is lifted from a pointer and a number of code units (UTF-8 bytes, UTF-16 units, or for
``latin1+utf16`` Latin-1 bytes, or UTF-16 units with :func:`utf16_tag` set).  Storing one chooses
the size of the first allocation before looking at the characters, from the encoding the string
came in and its code units (the spec's "hint"), then grows or shrinks with ``realloc`` as the spec
says: guests see those calls.  A string lifted in UTF-16 or Latin-1 is an :class:`EncodedString`
(a ``str`` remembering its source); any other ``str`` counts as UTF-8, as the host's strings do
in Wasmtime.

All copies and transcodings are bulk operations on slices of memory (``str.encode``/``decode``).
"""

from __future__ import annotations

import re

from wasmrun.component_runtime.context import LiftLowerContext
from wasmrun.component_runtime.layout import MAX_STRING_BYTE_LENGTH
from wasmrun.component_runtime.traps import (
    STRING_MISALIGNED,
    STRING_OUT_OF_BOUNDS,
    STRING_TOO_LONG,
    invalid_utf8,
    invalid_utf16,
)
from wasmrun.errors import Trap

_NON_ASCII = re.compile("[^\x00-\x7f]")
_NON_LATIN1 = re.compile("[^\x00-\xff]")


def utf16_tag(ptr64: bool) -> int:
    """The bit of a ``latin1+utf16`` length saying the string is UTF-16: the pointer's top bit."""
    return 1 << 63 if ptr64 else 1 << 31


class EncodedString(str):
    """A string lifted from memory in UTF-16 or Latin-1: ``source`` is ``utf16``, ``latin1`` (from a
    ``latin1+utf16`` memory) or ``compact-utf16`` (UTF-16 from a ``latin1+utf16`` memory), and
    ``code_units`` its length there."""

    source: str
    code_units: int

    def __new__(cls, text: str, source: str, code_units: int) -> EncodedString:
        self = super().__new__(cls, text)
        self.source = source
        self.code_units = code_units
        return self


# -- loading ----------------------------------------------------------------------------------------


def load_string_from_range(cx: LiftLowerContext, ptr: int, tagged_code_units: int) -> str:
    """The string of ``tagged_code_units`` code units at ``ptr`` in the options' encoding."""
    encoding = cx.string_encoding
    if encoding == "utf8":
        byte_length = tagged_code_units
        codec = "utf-8"
    elif encoding == "utf16":
        byte_length = 2 * tagged_code_units
        codec = "utf-16-le"
    else:
        tag = utf16_tag(cx.ptr64)
        if tagged_code_units & tag:
            byte_length = 2 * (tagged_code_units ^ tag)
            codec = "utf-16-le"
        else:
            byte_length = tagged_code_units
            codec = "latin-1"
    if byte_length > MAX_STRING_BYTE_LENGTH:
        raise Trap(STRING_TOO_LONG)
    if codec != "utf-8" and ptr & 1:
        raise Trap(STRING_MISALIGNED)
    view = cx.view
    if ptr + byte_length > len(view):
        raise Trap(STRING_OUT_OF_BOUNDS)
    data = view[ptr : ptr + byte_length]
    if codec == "utf-8":
        try:
            return str(data, "utf-8")
        except UnicodeDecodeError as error:
            raise invalid_utf8(error) from None
    if codec == "latin-1":
        return EncodedString(str(data, "latin-1"), "latin1", byte_length)
    try:
        text = str(data, "utf-16-le")
    except UnicodeDecodeError as error:
        raise invalid_utf16(error) from None
    return EncodedString(text, "utf16" if encoding == "utf16" else "compact-utf16", byte_length >> 1)


# -- storing ----------------------------------------------------------------------------------------


def _source(value: str) -> tuple[str, int, bytes | None]:
    """The source encoding and code units of ``value`` (and its UTF-8 bytes when it counts as UTF-8)."""
    if isinstance(value, EncodedString):
        return value.source, value.code_units, None
    if not isinstance(value, str):
        raise TypeError(f"expected a str for a string value, got {type(value).__name__}")
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"string {value!r} is not valid Unicode (it has a lone surrogate)") from None
    if len(encoded) > MAX_STRING_BYTE_LENGTH:
        raise Trap(STRING_TOO_LONG)
    return "utf8", len(encoded), encoded


def store_string_into_range(cx: LiftLowerContext, value: str) -> tuple[int, int]:
    """Store ``value`` in newly allocated memory in the options' encoding: ``(ptr, tagged code units)``."""
    source, code_units, utf8 = _source(value)
    simple = {"compact-utf16": "utf16"}.get(source, source)
    encoding = cx.string_encoding
    if encoding == "utf8":
        if source == "utf8":
            return _copy(cx, utf8 or value.encode("utf-8"), code_units, 1)
        return _store_to_utf8(cx, value, code_units, 3 * code_units if simple == "utf16" else 2 * code_units)
    if encoding == "utf16":
        if source == "utf8":
            return _store_utf8_to_utf16(cx, value, code_units)
        return _copy(cx, value.encode("utf-16-le"), code_units, 2)
    if source in ("utf8", "utf16"):
        return _store_to_latin1_or_utf16(cx, value, code_units)
    if source == "latin1":
        return _copy(cx, value.encode("latin-1"), code_units, 2)
    return _store_probably_utf16_to_latin1_or_utf16(cx, value, code_units)


def _write(cx: LiftLowerContext, ptr: int, data: bytes) -> None:
    cx.view[ptr : ptr + len(data)] = data


def _copy(cx: LiftLowerContext, encoded: bytes, code_units: int, alignment: int) -> tuple[int, int]:
    """The cases where the size is known: one allocation, one copy."""
    ptr = cx.allocate(alignment, len(encoded), "string")
    _write(cx, ptr, encoded)
    return ptr, code_units


def _store_to_utf8(cx: LiftLowerContext, value: str, code_units: int, worst_case_size: int) -> tuple[int, int]:
    """From UTF-16 or Latin-1: hope for ASCII; at the first other character grow to the worst case, then shrink."""
    ptr = cx.allocate(1, code_units, "string")
    first = _NON_ASCII.search(value)
    if first is None:
        _write(cx, ptr, value.encode("ascii"))
        return ptr, code_units
    ascii_length = first.start()
    _write(cx, ptr, value[:ascii_length].encode("ascii"))  # before the realloc, which moves what is there
    ptr = cx.reallocate(ptr, code_units, 1, worst_case_size, "string")
    encoded = value.encode("utf-8")
    _write(cx, ptr + ascii_length, encoded[ascii_length:])
    if worst_case_size > len(encoded):
        ptr = cx.reallocate(ptr, worst_case_size, 1, len(encoded), "string")
    return ptr, len(encoded)


def _store_utf8_to_utf16(cx: LiftLowerContext, value: str, code_units: int) -> tuple[int, int]:
    """From UTF-8: allocate two bytes per UTF-8 byte (the worst case), then shrink."""
    worst_case_size = 2 * code_units
    ptr = cx.allocate(2, worst_case_size, "string")
    encoded = value.encode("utf-16-le")
    _write(cx, ptr, encoded)
    if len(encoded) < worst_case_size:
        ptr = cx.reallocate(ptr, worst_case_size, 2, len(encoded), "string")
    return ptr, len(encoded) >> 1


def _store_to_latin1_or_utf16(cx: LiftLowerContext, value: str, code_units: int) -> tuple[int, int]:
    """From UTF-8 or UTF-16 into ``latin1+utf16``: hope for Latin-1; at the first other character grow to
    UTF-16's worst case, inflate the Latin-1 bytes already written in place, and shrink at the end."""
    ptr = cx.allocate(2, code_units, "string")
    first = _NON_LATIN1.search(value)
    if first is None:
        _write(cx, ptr, value.encode("latin-1"))
        if len(value) < code_units:
            ptr = cx.reallocate(ptr, code_units, 2, len(value), "string")
        return ptr, len(value)
    latin1_length = first.start()
    _write(cx, ptr, value[:latin1_length].encode("latin-1"))
    worst_case_size = 2 * code_units
    ptr = cx.reallocate(ptr, code_units, 2, worst_case_size, "string")
    # What realloc left at ptr (the Latin-1 bytes if it copied them), each byte widened to a unit.
    view = cx.view
    _write(cx, ptr, str(view[ptr : ptr + latin1_length], "latin-1").encode("utf-16-le"))
    encoded = value.encode("utf-16-le")
    _write(cx, ptr + 2 * latin1_length, encoded[2 * latin1_length :])
    if worst_case_size > len(encoded):
        ptr = cx.reallocate(ptr, worst_case_size, 2, len(encoded), "string")
    return ptr, (len(encoded) >> 1) | utf16_tag(cx.ptr64)


def _store_probably_utf16_to_latin1_or_utf16(cx: LiftLowerContext, value: str, code_units: int) -> tuple[int, int]:
    """From UTF-16 chosen by a ``latin1+utf16`` producer: allocate for UTF-16, deflate to Latin-1 if it fits."""
    byte_length = 2 * code_units
    ptr = cx.allocate(2, byte_length, "string")
    encoded = value.encode("utf-16-le")
    _write(cx, ptr, encoded)
    if _NON_LATIN1.search(value):
        return ptr, (len(encoded) >> 1) | utf16_tag(cx.ptr64)
    latin1_size = len(encoded) >> 1
    _write(cx, ptr, value.encode("latin-1"))  # (the spec's in-place deflation: the tail keeps UTF-16 bytes)
    # The spec shrinks with alignment 1; Wasmtime keeps the UTF-16 allocation's 2 (and checks the result's).
    ptr = cx.reallocate(ptr, byte_length, 2, latin1_size, "string")
    return ptr, latin1_size
