"""The binary reader's primitives: LEB128 integers (u32, u64, s32, s33, s64), lengths, names."""

from __future__ import annotations

import pytest

from wasmrun.binary.reader import Reader
from wasmrun.errors import DecodeError

READERS = {
    "u32": Reader.u32,
    "u64": Reader.u64,
    "s32": Reader.s32,
    "s33": Reader.s33,
    "s64": Reader.s64,
}


def read(kind: str, data: bytes) -> tuple[int, int]:
    """The value read and the position after it."""
    reader = Reader(data)
    value = READERS[kind](reader)
    return value, reader.pos


@pytest.mark.parametrize(
    ("kind", "data", "value"),
    [
        ("u32", b"\x00", 0),
        ("u32", b"\x7f", 127),
        ("u32", b"\x80\x01", 128),
        ("u32", b"\xe5\x8e\x26", 624485),
        ("u32", b"\xff\xff\xff\xff\x0f", 0xFFFFFFFF),
        # Over-long but within five bytes: allowed.
        ("u32", b"\x80\x80\x80\x80\x00", 0),
        ("u32", b"\x82\x80\x00", 2),
        ("u64", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 0xFFFFFFFFFFFFFFFF),
        ("u64", b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 0),
        ("s32", b"\x00", 0),
        ("s32", b"\x3f", 63),
        ("s32", b"\x40", -64),
        ("s32", b"\x7f", -1),
        ("s32", b"\xc0\x00", 64),
        ("s32", b"\xbf\x7f", -65),
        ("s32", b"\xff\xff\xff\xff\x07", 0x7FFFFFFF),
        ("s32", b"\x80\x80\x80\x80\x78", -0x80000000),
        # Over-long negative one with correct sign-extension bits.
        ("s32", b"\xff\xff\xff\xff\x7f", -1),
        ("s33", b"\xff\xff\xff\xff\x0f", 0xFFFFFFFF),
        ("s33", b"\x80\x80\x80\x80\x70", -(1 << 32)),
        ("s33", b"\x40", -64),
        ("s64", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00", 0x7FFFFFFFFFFFFFFF),
        ("s64", b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f", -(1 << 63)),
        ("s64", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", -1),
    ],
)
def test_leb128_values(kind: str, data: bytes, value: int) -> None:
    assert read(kind, data) == (value, len(data))


def test_leb128_stops_after_its_last_byte() -> None:
    assert read("u32", b"\x81\x01\xff") == (129, 2)


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        # Over-long: a continuation bit on the last byte allowed.
        ("u32", b"\x80\x80\x80\x80\x80\x00", "integer representation too long"),
        ("u64", b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", "integer representation too long"),
        ("s32", b"\xff\xff\xff\xff\xff\x7f", "integer representation too long"),
        ("s33", b"\x80\x80\x80\x80\x80\x00", "integer representation too long"),
        ("s64", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", "integer representation too long"),
        # Too large: unused bits of the last byte set.
        ("u32", b"\x80\x80\x80\x80\x10", "integer too large"),
        ("u32", b"\xff\xff\xff\xff\x1f", "integer too large"),
        ("u64", b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x02", "integer too large"),
        # Signed: unused bits must repeat the sign bit.
        ("s32", b"\xff\xff\xff\xff\x0f", "integer too large"),
        ("s32", b"\x80\x80\x80\x80\x70", "integer too large"),
        ("s32", b"\x80\x80\x80\x80\x1f", "integer too large"),
        ("s32", b"\xff\xff\xff\xff\x4f", "integer too large"),
        ("s33", b"\x80\x80\x80\x80\x20", "integer too large"),
        ("s33", b"\xff\xff\xff\xff\x5f", "integer too large"),
        ("s64", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", "integer too large"),
        ("s64", b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7e", "integer too large"),
        # Both wrong: "too large" wins, as in the reference interpreter.
        ("u32", b"\x80\x80\x80\x80\x90\x00", "integer too large"),
        ("s32", b"\x80\x80\x80\x80\x88\x00", "integer too large"),
        # Truncated.
        ("u32", b"", "unexpected end"),
        ("u32", b"\x80", "unexpected end"),
        ("u64", b"\xff\xff", "unexpected end"),
        ("s32", b"\x80\x80\x80\x80", "unexpected end"),
        ("s33", b"\xc0", "unexpected end"),
        ("s64", b"\x80", "unexpected end"),
    ],
)
def test_leb128_malformed(kind: str, data: bytes, message: str) -> None:
    with pytest.raises(DecodeError) as error:
        read(kind, data)
    assert error.value.message == message
    assert error.value.offset == (0 if message != "unexpected end" else len(data))


def test_truncation_uses_the_readers_eof_message() -> None:
    reader = Reader(b"\x80\x80", eof_message="unexpected end of section or function")
    with pytest.raises(DecodeError, match="unexpected end of section or function"):
        reader.u32()


def test_reads_are_bounded_by_end() -> None:
    reader = Reader(b"\x80\x01", 0, 1)
    with pytest.raises(DecodeError, match="unexpected end"):
        reader.u32()


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (b"\x00", 0),
        (b"\x03abc", 3),
        # The bound counts the length's own bytes (the reference interpreter's rule).
        (b"\x04abc", 4),
    ],
)
def test_length_within_bounds(data: bytes, value: int) -> None:
    assert Reader(data).length() == value


@pytest.mark.parametrize("data", [b"\x05abc", b"\x02", b"\xff\xff\xff\xff\x0f"])
def test_length_out_of_bounds(data: bytes) -> None:
    with pytest.raises(DecodeError, match="length out of bounds"):
        Reader(data).length()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"\x00", ""),
        (b"\x05hello", "hello"),
        ("\x02é".encode(), "é"),
        ("\x04\U0001f600".encode(), "\U0001f600"),
    ],
)
def test_name(data: bytes, name: str) -> None:
    reader = Reader(data)
    assert reader.name() == name
    assert reader.at_end()


@pytest.mark.parametrize(
    "data",
    [
        b"\x01\x80",  # a lone continuation byte
        b"\x02\xc0\x80",  # over-long encoding of U+0000
        b"\x03\xed\xa0\x80",  # a surrogate
        b"\x04\xf4\x90\x80\x80",  # above U+10FFFF
        b"\x01\xff",
        b"\x02\xe0\x80",  # truncated sequence
    ],
)
def test_name_malformed_utf8(data: bytes) -> None:
    with pytest.raises(DecodeError, match="malformed UTF-8 encoding"):
        Reader(data).name()


def test_name_longer_than_data() -> None:
    with pytest.raises(DecodeError, match="length out of bounds"):
        Reader(b"\x09abc").name()


def test_bytes_and_floats() -> None:
    reader = Reader(b"\x01\x02\x00\x00\x80\x3f" + b"\x00" * 6 + b"\xf0\x3f")
    assert reader.bytes(2) == b"\x01\x02"
    assert reader.f32_bits() == 0x3F800000
    assert reader.f64_bits() == 0x3FF0000000000000
    assert reader.at_end()
    with pytest.raises(DecodeError, match="unexpected end"):
        reader.byte()
