"""Numeric literals to bits: integer ranges, float rounding (ties, subnormals, overflow), NaN payloads."""

from __future__ import annotations

import math
import struct
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wasmrun.text.literals import (
    LiteralError,
    join_lanes,
    parse_f32,
    parse_f64,
    parse_int,
    parse_lane,
    parse_nat,
    signed,
)


@pytest.mark.parametrize(
    ("token", "bits", "expected"),
    [
        ("0", 32, 0),
        ("4294967295", 32, 0xFFFFFFFF),
        ("0xffff_ffff", 32, 0xFFFFFFFF),
        ("+0xffffffff", 32, 0xFFFFFFFF),  # as the reference interpreter: "+" only forbids nothing
        ("-1", 32, 0xFFFFFFFF),
        ("-2147483648", 32, 0x80000000),
        ("-0x8000_0000", 32, 0x80000000),
        ("1_000_000", 32, 1000000),
        ("0" * 5000 + "7", 32, 7),  # longer than int() accepts by default
        ("18446744073709551615", 64, (1 << 64) - 1),
        ("-9223372036854775808", 64, 1 << 63),
        ("255", 8, 255),
        ("-128", 8, 0x80),
    ],
)
def test_integers(token: str, bits: int, expected: int) -> None:
    assert parse_int(token, bits) == expected


@pytest.mark.parametrize(
    ("token", "bits"),
    [
        ("4294967296", 32),
        ("0x1_0000_0000", 32),
        ("-2147483649", 32),
        ("-0x80000001", 32),
        ("18446744073709551616", 64),
        ("-9223372036854775809", 64),
        ("256", 8),
        ("-129", 8),
        ("1.5", 32),  # a float token where an integer is needed
        ("inf", 32),
        ("1" * 5000, 64),
    ],
)
def test_integers_out_of_range(token: str, bits: int) -> None:
    with pytest.raises(LiteralError, match="constant out of range"):
        parse_int(token, bits)


@pytest.mark.parametrize("token", ["", "x", "0x", "1x", "0xg", "_1", "1_", "1__0", "0x_1", "0_x1", "+_1", "$1"])
def test_not_integers(token: str) -> None:
    assert parse_int(token or "x", 32) is None


def test_nat() -> None:
    assert parse_nat("0x10") == 16
    assert parse_nat("+1") is None
    assert parse_nat("-1") is None
    assert parse_nat("1.0") is None
    with pytest.raises(LiteralError, match="i32 constant out of range"):
        parse_nat("4294967296")
    with pytest.raises(LiteralError, match="malformed lane index"):
        parse_nat("256", 8, "malformed lane index")


def test_signed() -> None:
    assert signed(0xFFFFFFFF, 32) == -1
    assert signed(0x7FFFFFFF, 32) == 0x7FFFFFFF
    assert signed(1 << 63, 64) == -(1 << 63)


F32_CASES = [
    ("0", 0x00000000),
    ("-0", 0x80000000),
    ("1", 0x3F800000),
    ("-1.5", 0xBFC00000),
    ("1e1_0", 0x501502F9),
    ("0.1", 0x3DCCCCCD),
    ("1.", 0x3F800000),
    ("0x1p-149", 0x00000001),  # smallest subnormal
    ("1.4e-45", 0x00000001),
    ("0x1p-150", 0x00000000),  # half the smallest subnormal: tie to even (zero)
    ("0x1.0000000001p-150", 0x00000001),  # just above that tie
    ("7e-46", 0x00000000),
    ("7.1e-46", 0x00000001),
    ("0x1.8p-149", 0x00000002),  # 1.5 subnormal quanta: tie to even
    ("0x1p-126", 0x00800000),  # smallest normal
    ("0x1.fffffcp-127", 0x007FFFFF),  # largest subnormal
    ("0x1.fffffep-127", 0x00800000),  # largest subnormal + half a quantum: tie, up to the even normal
    ("0x1.000001p0", 0x3F800000),  # halfway between 1 and the next f32: tie to even (down)
    ("0x1.000003p0", 0x3F800002),  # halfway above an odd mantissa: tie to even (up)
    ("0x1.0000010000000001p0", 0x3F800001),  # a hair above the tie
    ("16777217", 0x4B800000),  # 2^24 + 1: tie to even (down)
    ("16777219", 0x4B800002),  # 2^24 + 3: tie to even (up)
    # Double rounding: f64 rounds this to the tie 2^24+1; f32 must round it up.
    ("16777217.000000001", 0x4B800001),
    ("16777216.999999999", 0x4B800000),
    ("0x1.fffffep127", 0x7F7FFFFF),  # largest finite
    ("0x1.fffffefp127", 0x7F7FFFFF),  # below the overflow tie
    ("340282356779733661637539395458142568447", 0x7F7FFFFF),
    ("inf", 0x7F800000),
    ("-inf", 0xFF800000),
    ("+inf", 0x7F800000),
    ("nan", 0x7FC00000),
    ("-nan", 0xFFC00000),
    ("nan:0x1", 0x7F800001),
    ("-nan:0x7f_ffff", 0xFFFFFFFF),
    ("0x1P+3", 0x41000000),
    ("0x1.p3", 0x41000000),
    ("0x8", 0x41000000),
]


@pytest.mark.parametrize(("token", "bits"), F32_CASES)
def test_f32(token: str, bits: int) -> None:
    assert parse_f32(token) == bits


@pytest.mark.parametrize(
    "token",
    [
        "0x1p128",
        "0x1.ffffffp127",  # the overflow tie rounds to even: infinity
        "340282356779733661637539395458142568448",
        "-340282356779733661637539395458142568448",
        "1e39",
        "-1e39",
        "nan:0x0",
        "nan:0x80_0000",
    ],
)
def test_f32_out_of_range(token: str) -> None:
    with pytest.raises(LiteralError, match="constant out of range"):
        parse_f32(token)


F64_CASES = [
    ("0", 0),
    ("-0", 1 << 63),
    ("1", 0x3FF0000000000000),
    ("0.1", 0x3FB999999999999A),
    ("0x1p-1074", 0x0000000000000001),
    ("0x1p-1075", 0x0000000000000000),
    ("0x1.8p-1074", 0x0000000000000002),
    ("4.9e-324", 0x0000000000000001),
    ("0x1.fffffffffffffp1023", 0x7FEFFFFFFFFFFFFF),
    ("0x1.fffffffffffff7ffffffp1023", 0x7FEFFFFFFFFFFFFF),
    ("9007199254740993", 0x4340000000000000),  # 2^53 + 1: tie to even
    ("nan", 0x7FF8000000000000),
    ("nan:0xf_ffff_ffff_ffff", 0x7FFFFFFFFFFFFFFF),
    ("-inf", 0xFFF0000000000000),
]


@pytest.mark.parametrize(("token", "bits"), F64_CASES)
def test_f64(token: str, bits: int) -> None:
    assert parse_f64(token) == bits


@pytest.mark.parametrize(
    "token", ["0x1p1024", "0x1.fffffffffffff8p1023", "1e309", "-1e309", "nan:0x0", "nan:0x10_0000_0000_0000"]
)
def test_f64_out_of_range(token: str) -> None:
    with pytest.raises(LiteralError, match="constant out of range"):
        parse_f64(token)


@pytest.mark.parametrize(
    "token", [".0", ".0e0", "0e", "0e+", "0.0e-", "0x", "0x.", "0x0.g", "0x0p", "0x0p+", "0x0pA", "nan:1", "1x", "x"]
)
def test_not_floats(token: str) -> None:
    assert parse_f32(token) is None
    assert parse_f64(token) is None


def _f32_bits_to_float(bits: int) -> float:
    return float(struct.unpack("<f", struct.pack("<I", bits))[0])


finite_f32_bits = st.integers(0, 0xFFFFFFFF).filter(lambda bits: (bits >> 23) & 0xFF != 0xFF)


@given(finite_f32_bits)
def test_f32_decimal_and_hex_round_trip(bits: int) -> None:
    value = _f32_bits_to_float(bits)
    assert parse_f32(repr(value)) == bits
    assert parse_f32(value.hex()) == bits


@given(st.integers(0, 1 << 30), st.integers(-60, 40))
def test_f32_decimal_rounds_like_exact_arithmetic(mantissa: int, exponent: int) -> None:
    exact = Fraction(mantissa) * Fraction(10) ** exponent
    try:
        bits = parse_f32(f"{mantissa}e{exponent}")
    except LiteralError:
        assert exact >= 2**128 - 2**103  # at or above the tie between the largest f32 and 2^128
        return
    assert bits is not None
    error = abs(Fraction(_f32_bits_to_float(bits)) - exact)
    neighbours = [bits - 1] if bits > 0 else []
    neighbours += [bits + 1] if bits < 0x7F7FFFFF else []
    neighbour_errors = [abs(Fraction(_f32_bits_to_float(b)) - exact) for b in neighbours]
    assert all(error <= other for other in neighbour_errors)  # nearest
    if error in neighbour_errors:
        assert bits & 1 == 0  # a tie goes to the even one


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_f64_round_trip(value: float) -> None:
    bits = struct.unpack("<Q", struct.pack("<d", value))[0]
    assert parse_f64(repr(value)) == bits
    assert parse_f64(value.hex()) == bits
    assert math.copysign(1, value) == (-1 if bits >> 63 else 1)


@pytest.mark.parametrize(
    ("shape", "token", "expected"),
    [
        ("i8x16", "-1", 0xFF),
        ("i16x8", "65535", 0xFFFF),
        ("i32x4", "0x8000_0000", 0x80000000),
        ("i64x2", "-1", (1 << 64) - 1),
        ("f32x4", "1", 0x3F800000),
        ("f64x2", "-0", 1 << 63),
    ],
)
def test_lanes(shape: str, token: str, expected: int) -> None:
    assert parse_lane(token, shape) == expected


def test_join_lanes_is_little_endian() -> None:
    assert join_lanes([1, 2, 3, 4], 32) == 0x00000004_00000003_00000002_00000001
    assert join_lanes([0xFF] + [0] * 15, 8) == 0xFF
