"""Small writers for the binary format: LEB128 numbers, vectors, names, sections."""

from __future__ import annotations

from collections.abc import Iterable

# The one-byte unsigned encodings, which are most of them.
_SMALL = tuple(bytes((n,)) for n in range(128))


def u32(value: int) -> bytes:
    """Unsigned LEB128 (any width; the caller has checked the range)."""
    if value < 128:
        return _SMALL[value]
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def sleb(value: int) -> bytes:
    """Signed LEB128 of a Python int (i32, i64 and s33 immediates)."""
    if -64 <= value < 64:
        return _SMALL[value & 0x7F]
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def vec(items: Iterable[bytes]) -> bytes:
    """A vector: the count, then the items' encodings."""
    items = list(items)
    return u32(len(items)) + b"".join(items)


def name(data: bytes) -> bytes:
    """A name (or any byte string): its length, then its bytes."""
    return u32(len(data)) + data


def section(section_id: int, content: bytes) -> bytes:
    return bytes((section_id,)) + u32(len(content)) + content


def custom_section(section_name: str, content: bytes) -> bytes:
    """A custom section (id 0): its name, then ``content``."""
    return section(0, name(section_name.encode()) + content)


def limits(minimum: int, maximum: int | None, address64: bool = False) -> bytes:
    """Limits; ``address64``: of a 64-bit memory or table (flag bit 2)."""
    flags = 0x04 if address64 else 0
    if maximum is None:
        return bytes((flags,)) + u32(minimum)
    return bytes((flags | 1,)) + u32(minimum) + u32(maximum)
