"""Strings in linear memory: the three encodings, both ways, with the spec's exact ``realloc`` calls.

A string is lifted from a pointer and a number of code units (UTF-8 bytes, UTF-16 units, or for
``latin1+utf16`` Latin-1 bytes, or UTF-16 units with :func:`utf16_tag` set).  Storing one chooses
the size of the first allocation before looking at the characters, from the encoding the string
came in and its code units (the spec's "hint"), then grows or shrinks with ``realloc`` as the spec
says: guests see those calls.  A string lifted in UTF-16 or Latin-1 is an :class:`EncodedString`
(a ``str`` remembering its source); any other ``str`` counts as UTF-8, as the host's strings do
in Wasmtime.

All copies and transcodings are bulk operations on slices of memory (``str.encode``/``decode``).

A long string passed from one component to another is lifted as a :class:`PendingString`, read
from the caller's memory only once the callee's first ``realloc`` has returned: as in Wasmtime's
adapters, a string is checked against the source memory's bounds, then room is allocated for it,
then it is copied (and its encoding checked), so that a 2 GiB string whose allocation fails is
never read.
"""

from __future__ import annotations

import codecs
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
LAZY_BYTE_LENGTH = 1 << 20
"""From this many bytes on, a string lifted for another component is read when that one stores it."""
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


class PendingString:
    """A string in a caller's memory, bounds-checked but not read yet: ``source`` and ``code_units`` as
    for :class:`EncodedString` (``utf8`` for UTF-8), :meth:`text` reads and checks it."""

    __slots__ = ("byte_length", "code_units", "codec", "cx", "ptr", "source")

    def __init__(
        self, cx: LiftLowerContext, ptr: int, byte_length: int, codec: str, source: str, code_units: int
    ) -> None:
        self.cx = cx
        self.ptr = ptr
        self.byte_length = byte_length
        self.codec = codec
        self.source = source
        self.code_units = code_units

    def __repr__(self) -> str:
        return f"<PendingString of {self.byte_length} bytes ({self.source}) at {self.ptr:#x}>"

    def text(self) -> str:
        ptr = self.ptr
        return _decode(bytes(self.cx.view[ptr : ptr + self.byte_length]), self.codec, self.source, self.code_units)


def _decode(data: bytes | memoryview, codec: str, source: str, code_units: int) -> str:
    if codec == "utf-8":
        try:
            return str(data, "utf-8")
        except UnicodeDecodeError as error:
            raise invalid_utf8(error) from None
    if codec == "latin-1":
        return EncodedString(str(data, "latin-1"), "latin1", code_units)
    try:
        text = str(data, "utf-16-le")
    except UnicodeDecodeError as error:
        raise invalid_utf16(error) from None
    return EncodedString(text, source, code_units)


def _text(value: str | PendingString) -> str:
    return value.text() if isinstance(value, PendingString) else value


_CHUNK = 1 << 20


def _first_match(value: str | PendingString, pattern: re.Pattern[str]) -> tuple[int | None, str]:
    """Where ``pattern`` first matches in ``value`` (None: nowhere), and the text at least up to there.

    A pending string is read a chunk at a time only as far as the first match, as an adapter that
    transcodes and stops at the first character needing more room reads it."""
    if not isinstance(value, PendingString):
        found = pattern.search(value)
        return (None if found is None else found.start()), value
    decoder = codecs.getincrementaldecoder(value.codec)("strict")
    view, ptr, end = value.cx.view, value.ptr, value.ptr + value.byte_length
    parts: list[str] = []
    seen = 0
    try:
        for start in range(ptr, end, _CHUNK):
            chunk = decoder.decode(bytes(view[start : min(start + _CHUNK, end)]), final=start + _CHUNK >= end)
            found = pattern.search(chunk)
            if found is not None:
                parts.append(chunk[: found.start()])
                return seen + found.start(), "".join(parts)
            parts.append(chunk)
            seen += len(chunk)
    except UnicodeDecodeError:
        pass  # (reading it whole raises the trap, with the right index)
    text = value.text()
    found = pattern.search(text)
    return (None if found is None else found.start()), text


# -- loading ----------------------------------------------------------------------------------------


def load_string_from_range(cx: LiftLowerContext, ptr: int, tagged_code_units: int) -> str:
    """The string of ``tagged_code_units`` code units at ``ptr`` in the options' encoding (a long one for
    another component: a :class:`PendingString`, typed as ``str`` as it is stored like one)."""
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
    if codec == "utf-8":
        source, code_units = "utf8", byte_length
    elif codec == "latin-1":
        source, code_units = "latin1", byte_length
    else:
        source, code_units = ("utf16" if encoding == "utf16" else "compact-utf16"), byte_length >> 1
    if cx.lazy_strings and byte_length >= LAZY_BYTE_LENGTH:
        return PendingString(cx, ptr, byte_length, codec, source, code_units)  # type: ignore[return-value]
    return _decode(view[ptr : ptr + byte_length], codec, source, code_units)


# -- storing ----------------------------------------------------------------------------------------


def _source(value: str) -> tuple[str, int, bytes | None]:
    """The source encoding and code units of ``value`` (and its UTF-8 bytes when it counts as UTF-8)."""
    if isinstance(value, (EncodedString, PendingString)):
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
            return _copy(cx, utf8 or value, "utf-8", code_units, code_units, 1)
        return _store_to_utf8(cx, value, code_units, 3 * code_units if simple == "utf16" else 2 * code_units)
    if encoding == "utf16":
        if source == "utf8":
            return _store_utf8_to_utf16(cx, value, code_units)
        return _copy(cx, value, "utf-16-le", 2 * code_units, code_units, 2)
    if source in ("utf8", "utf16"):
        return _store_to_latin1_or_utf16(cx, value, code_units)
    if source == "latin1":
        return _copy(cx, value, "latin-1", code_units, code_units, 2)
    return _store_probably_utf16_to_latin1_or_utf16(cx, value, code_units)


def _check_length(byte_length: int) -> None:
    if byte_length > MAX_STRING_BYTE_LENGTH:
        raise Trap(STRING_TOO_LONG)


def _write(cx: LiftLowerContext, ptr: int, data: bytes) -> None:
    cx.view[ptr : ptr + len(data)] = data


def _copy(
    cx: LiftLowerContext, value: str | bytes, codec: str, byte_length: int, code_units: int, alignment: int
) -> tuple[int, int]:
    """The cases where the size is known: one allocation, one copy (``value`` encoded with ``codec``)."""
    _check_length(byte_length)
    ptr = cx.allocate(alignment, byte_length, "string")
    encoded = value if isinstance(value, bytes) else _text(value).encode(codec)
    _write(cx, ptr, encoded)
    return ptr, code_units


def _store_to_utf8(cx: LiftLowerContext, value: str, code_units: int, worst_case_size: int) -> tuple[int, int]:
    """From UTF-16 or Latin-1: hope for ASCII; at the first other character grow to the worst case, then shrink."""
    _check_length(code_units)
    ptr = cx.allocate(1, code_units, "string")
    ascii_length, text = _first_match(value, _NON_ASCII)
    if ascii_length is None:
        _write(cx, ptr, text.encode("ascii"))
        return ptr, code_units
    _write(cx, ptr, text[:ascii_length].encode("ascii"))  # before the realloc, which moves what is there
    _check_length(worst_case_size)
    ptr = cx.reallocate(ptr, code_units, 1, worst_case_size, "string")
    encoded = _text(value).encode("utf-8")
    _write(cx, ptr + ascii_length, encoded[ascii_length:])
    if worst_case_size > len(encoded):
        ptr = cx.reallocate(ptr, worst_case_size, 1, len(encoded), "string")
    return ptr, len(encoded)


def _store_utf8_to_utf16(cx: LiftLowerContext, value: str, code_units: int) -> tuple[int, int]:
    """From UTF-8: allocate two bytes per UTF-8 byte (the worst case), then shrink."""
    worst_case_size = 2 * code_units
    _check_length(worst_case_size)
    ptr = cx.allocate(2, worst_case_size, "string")
    encoded = _text(value).encode("utf-16-le")
    _write(cx, ptr, encoded)
    if len(encoded) < worst_case_size:
        ptr = cx.reallocate(ptr, worst_case_size, 2, len(encoded), "string")
    return ptr, len(encoded) >> 1


def _store_to_latin1_or_utf16(cx: LiftLowerContext, value: str, code_units: int) -> tuple[int, int]:
    """From UTF-8 or UTF-16 into ``latin1+utf16``: hope for Latin-1; at the first other character grow to
    UTF-16's worst case, inflate the Latin-1 bytes already written in place, and shrink at the end."""
    _check_length(code_units)
    ptr = cx.allocate(2, code_units, "string")
    latin1_length, text = _first_match(value, _NON_LATIN1)
    if latin1_length is None:
        _write(cx, ptr, text.encode("latin-1"))
        if len(text) < code_units:
            ptr = cx.reallocate(ptr, code_units, 2, len(text), "string")
        return ptr, len(text)
    _write(cx, ptr, text[:latin1_length].encode("latin-1"))
    worst_case_size = 2 * code_units
    _check_length(worst_case_size)
    ptr = cx.reallocate(ptr, code_units, 2, worst_case_size, "string")
    value = _text(value)
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
    _check_length(byte_length)
    ptr = cx.allocate(2, byte_length, "string")
    value = _text(value)
    encoded = value.encode("utf-16-le")
    _write(cx, ptr, encoded)
    if _NON_LATIN1.search(value):
        return ptr, (len(encoded) >> 1) | utf16_tag(cx.ptr64)
    latin1_size = len(encoded) >> 1
    _write(cx, ptr, value.encode("latin-1"))  # (the spec's in-place deflation: the tail keeps UTF-16 bytes)
    # The spec shrinks with alignment 1; Wasmtime keeps the UTF-16 allocation's 2 (and checks the result's).
    ptr = cx.reallocate(ptr, byte_length, 2, latin1_size, "string")
    return ptr, latin1_size
