"""Reading the binary format's primitives: bytes, LEB128 integers, names.

Every read checks bounds against ``end`` (a section's or function's end), and
the LEB128 readers reject overlong encodings and unused bits with the reference
interpreter's texts (``integer representation too long``, ``integer too large``).
Errors carry the byte offset where the bad value starts.
"""

from __future__ import annotations

import struct

from wasmrun.errors import DecodeError

_F32 = struct.Struct("<I")
_F64 = struct.Struct("<Q")


BAD_U32 = 1 << 40
"""What :func:`u32_at` gives for a malformed or over-long encoding: no u32 is this large."""


def u32_at(data: bytes, pos: int) -> tuple[int, int]:
    """The u32 LEB128 of two or more bytes at ``pos``: ``(value, position after it)`` (IndexError if ``data``
    ends first); ``(BAD_U32, pos)`` if it is not a well-formed u32 (more than five bytes, or bits of its fifth
    byte past 32).  Unrolled, for the decoder's and the validator's hot loops: linkers pad relocated
    indices to five bytes."""
    byte = data[pos + 1]
    if byte < 0x80:
        return (data[pos] & 0x7F) | byte << 7, pos + 2
    value = (data[pos] & 0x7F) | (byte & 0x7F) << 7
    byte = data[pos + 2]
    if byte < 0x80:
        return value | byte << 14, pos + 3
    value |= (byte & 0x7F) << 14
    byte = data[pos + 3]
    if byte < 0x80:
        return value | byte << 21, pos + 4
    value |= (byte & 0x7F) << 21
    byte = data[pos + 4]
    if byte > 0x0F:
        return BAD_U32, pos
    return value | byte << 28, pos + 5


class Reader:
    """A cursor over ``data[pos:end]``."""

    __slots__ = ("data", "end", "eof_message", "pos")

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None, eof_message: str = "unexpected end") -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end
        # The text of running out of bytes: the reference interpreter says
        # "unexpected end" at module level and "unexpected end of section or
        # function" inside a sized section or body.
        self.eof_message = eof_message

    def at_end(self) -> bool:
        return self.pos >= self.end

    def eof(self, at: int | None = None) -> DecodeError:
        return DecodeError(self.eof_message, self.pos if at is None else at)

    def byte(self) -> int:
        pos = self.pos
        if pos >= self.end:
            raise self.eof()
        self.pos = pos + 1
        return self.data[pos]

    def bytes(self, n: int) -> bytes:
        pos = self.pos
        if n > self.end - pos:
            raise self.eof()
        self.pos = pos + n
        return self.data[pos : pos + n]

    def unsigned(self, bits: int) -> int:
        """An unsigned LEB128 integer of at most ``bits`` bits (u32, u64)."""
        data, pos, end = self.data, self.pos, self.end
        if pos < end:
            byte = data[pos]
            if byte < 0x80:
                self.pos = pos + 1
                return byte
        start = pos
        result = 0
        shift = 0
        max_bytes = (bits + 6) // 7
        while True:
            if pos >= end:
                raise self.eof(pos)
            byte = data[pos]
            pos += 1
            if pos - start == max_bytes:
                # The last byte may only use the bits that remain (checked
                # before the continuation bit, as the reference interpreter does).
                if (byte & 0x7F) >> (bits - shift):
                    raise DecodeError("integer too large", start)
                if byte & 0x80:
                    raise DecodeError("integer representation too long", start)
                result |= byte << shift
                break
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        self.pos = pos
        return result

    def signed(self, bits: int) -> int:
        """A signed LEB128 integer of at most ``bits`` bits (s32, s33, s64)."""
        data, pos, end = self.data, self.pos, self.end
        if pos < end:
            byte = data[pos]
            if byte < 0x40:
                self.pos = pos + 1
                return byte
            if 0x40 <= byte < 0x80:
                self.pos = pos + 1
                return byte - 0x80
        start = pos
        result = 0
        shift = 0
        max_bytes = (bits + 6) // 7
        while True:
            if pos >= end:
                raise self.eof(pos)
            byte = data[pos]
            pos += 1
            if pos - start == max_bytes:
                # The unused high bits of the last byte must all equal the sign
                # bit (checked before the continuation bit, as the reference
                # interpreter does).
                remaining = bits - shift  # value bits this byte still carries
                sign_and_unused = (byte & 0x7F) >> (remaining - 1)
                if sign_and_unused not in (0, (0x7F >> (remaining - 1))):
                    raise DecodeError("integer too large", start)
                if byte & 0x80:
                    raise DecodeError("integer representation too long", start)
                result |= (byte & 0x7F) << shift
                shift += 7
                break
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        self.pos = pos
        if result >> (shift - 1) & 1:
            result -= 1 << shift
        return result

    def u32(self) -> int:
        data, pos = self.data, self.pos
        if pos + 5 <= self.end:
            byte = data[pos]
            if byte < 0x80:
                self.pos = pos + 1
                return byte
            value, after = u32_at(data, pos)
            if value != BAD_U32:
                self.pos = after
                return value
        return self.unsigned(32)  # (near the end, and every error, with its text)

    def u64(self) -> int:
        return self.unsigned(64)

    def s32(self) -> int:
        return self.signed(32)

    def s33(self) -> int:
        return self.signed(33)

    def s64(self) -> int:
        return self.signed(64)

    def f32_bits(self) -> int:
        return _F32.unpack(self.bytes(4))[0]

    def f64_bits(self) -> int:
        return _F64.unpack(self.bytes(8))[0]

    def length(self) -> int:
        """A u32 length or vector count, at most the bytes left from its first byte.

        This is the reference interpreter's bound (``length out of bounds``): the
        bytes left counting the length's own encoding, so a length one too large
        for its contents reads on and fails with ``unexpected end``.
        """
        start = self.pos
        n = self.u32()
        if n > self.end - start:
            raise DecodeError("length out of bounds", start)
        return n

    def u32s(self, count: int) -> tuple[int, ...]:
        """``count`` u32s in a row; at C speed when each takes one byte (a long ``br_table``)."""
        pos = self.pos
        run = self.data[pos : pos + count]
        if len(run) == count and run.isascii():  # no continuation bit: each byte is a whole u32
            self.pos = pos + count
            return tuple(run)
        return tuple([self.u32() for _ in range(count)])

    def name(self) -> str:
        """A ``name``: a u32 length and that many bytes of UTF-8."""
        length = self.length()
        start = self.pos
        raw = self.bytes(length)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DecodeError("malformed UTF-8 encoding", start) from None
