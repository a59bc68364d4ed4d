"""Values: ``--invoke`` argument parsing and result formatting (Wasmtime 50 / Rust ``Display``), bit rules."""

from __future__ import annotations

import math
import random
import struct
from pathlib import Path

import pytest

from wasmrun.floats import f32_from_bits, f32_to_bits, f64_from_bits, f64_to_bits, round_f32
from wasmrun.types import HEAP_EXN, HEAP_EXTERN, RefType, ValType
from wasmrun.values import format_float, format_value, parse_value

I32, I64, F32, F64, V128 = ValType.I32, ValType.I64, ValType.F32, ValType.F64, ValType.V128
FUNCREF, EXTERNREF = ValType.FUNCREF, ValType.EXTERNREF

RUST_DISPLAY = Path(__file__).parent / "data" / "rust_float_display.txt"


def bits_of(value: float, valtype: ValType) -> int:
    return f32_to_bits(value) if valtype is F32 else f64_to_bits(value)


# -- formatting -----------------------------------------------------------------

# Expected texts are what Rust 1.95 prints with `{}` for these bit patterns.
FLOAT_DISPLAY = [
    (F32, 0x3F800000, "1"),
    (F32, 0x3FC00000, "1.5"),
    (F32, 0x33D6BF95, "0.0000001"),  # 1e-7: no exponent
    (F32, 0x3DCCCCCD, "0.1"),  # shortest for binary32, not 0.10000000149011612
    (F32, 0x3E99999A, "0.3"),
    (F32, 0x4B800000, "16777216"),
    (F32, 0x4CEB79A3, "123456790"),
    (F32, 0x501502F9, "10000000000"),
    (F32, 0x4C000001, "33554436"),
    (F32, 0x7F7FFFFF, "340282350000000000000000000000000000000"),
    (F32, 0x00000001, "0." + "0" * 44 + "1"),  # smallest subnormal
    (F32, 0x80000001, "-0." + "0" * 44 + "1"),
    (F32, 0x007FFFFF, "0.000000000000000000000000000000000000011754942"),  # largest subnormal
    (F32, 0x00800000, "0.000000000000000000000000000000000000011754944"),  # smallest normal
    (F32, 0x3F800001, "1.0000001"),
    (F32, 0x3F7FFFFF, "0.99999994"),
    (F32, 0x3F808000, "1.0039063"),  # 1.00390625: a tie between two 8-digit decimals, the greater wins
    (F32, 0x80000000, "-0"),
    (F32, 0x7F800000, "inf"),
    (F32, 0xFF800000, "-inf"),
    (F32, 0x7FC00000, "NaN"),
    (F32, 0xFFC00000, "NaN"),  # no sign on NaN
    (F32, 0x7FA00001, "NaN"),
    (F64, 0x3FF0000000000000, "1"),
    (F64, 0x3E7AD7F29ABCAF48, "0.0000001"),
    (F64, 0x3FB999999999999A, "0.1"),
    (F64, 0x3FD3333333333334, "0.30000000000000004"),
    (F64, 0x3FD5555555555555, "0.3333333333333333"),
    (F64, 0x444B1AE4D6E2EF50, "1000000000000000000000"),  # 1e21 written out
    (F64, 0x4480F0CF064DD592, "10000000000000000000000"),
    (F64, 0x437B69B4BA630F35, "123456789012345680"),
    (F64, 0x4340000000000000, "9007199254740992"),
    (F64, 0x3FF0000800000000, "1.0000076293945313"),  # 1 + 2**-17: a tie (Python's repr says ...312)
    (F64, 0x7FEFFFFFFFFFFFFF, "17976931348623157" + "0" * 292),
    (F64, 0x0000000000000001, "0." + "0" * 323 + "5"),  # 5e-324
    (F64, 0x0010000000000000, "0." + "0" * 307 + "22250738585072014"),
    (F64, 0x8000000000000000, "-0"),
    (F64, 0x7FF0000000000000, "inf"),
    (F64, 0xFFF0000000000000, "-inf"),
    (F64, 0xFFF8000000000001, "NaN"),
]


@pytest.mark.parametrize(
    ("valtype", "bits", "text"), FLOAT_DISPLAY, ids=[f"{t.text}:{b:x}" for t, b, _ in FLOAT_DISPLAY]
)
def test_format_float(valtype: ValType, bits: int, text: str) -> None:
    value = f32_from_bits(bits) if valtype is F32 else f64_from_bits(bits)
    assert format_value(value, valtype) == text


def test_format_float_matches_rust_on_random_bit_patterns() -> None:
    mismatches = []
    lines = [line.split() for line in RUST_DISPLAY.read_text().splitlines() if not line.startswith("#")]
    for kind, bits_text, expected in lines:
        valtype = F32 if kind == "f32" else F64
        bits = int(bits_text, 16)
        value = f32_from_bits(bits) if valtype is F32 else f64_from_bits(bits)
        if format_float(value, valtype) != expected:
            mismatches.append((kind, bits_text, expected))
    assert len(lines) == 700
    assert mismatches == []


@pytest.mark.parametrize("valtype", [F32, F64])
def test_format_float_round_trips_and_is_shortest(valtype: ValType) -> None:
    generator = random.Random(7)
    for _ in range(300):
        bits = generator.getrandbits(32 if valtype is F32 else 64)
        value = f32_from_bits(bits) if valtype is F32 else f64_from_bits(bits)
        if not math.isfinite(value):
            continue
        text = format_float(value, valtype)
        assert "e" not in text
        assert bits_of(parse_value(text, valtype), valtype) == bits  # round-trips through the same type
        digits = text.lstrip("-").replace(".", "").strip("0")
        shorter = f"{abs(value):.{len(digits) - 2}e}" if len(digits) > 1 else None
        if shorter is not None:  # the nearest decimal with one digit fewer does not round-trip
            assert bits_of(parse_value(shorter, valtype), valtype) != bits & ~(1 << (31 if valtype is F32 else 63))


@pytest.mark.parametrize(
    ("value", "valtype", "text"),
    [
        (0, I32, "0"),
        (2147483647, I32, "2147483647"),
        (2147483648, I32, "-2147483648"),
        (0xFFFFFFFF, I32, "-1"),
        (0xFFFFFFFFFFFFFFFF, I64, "-1"),
        (0x7FFFFFFFFFFFFFFF, I64, "9223372036854775807"),
        (2**128 - 1, V128, "340282366920938463463374607431768211455"),
        (None, FUNCREF, "<null funcref>"),
        (object(), FUNCREF, "<funcref>"),
        (None, EXTERNREF, "<null externref>"),
        (0, EXTERNREF, "<externref>"),  # the wast runner's `ref.extern 0` is not null
        (object(), RefType(False, HEAP_EXN), "<exnref>"),  # (ref exn): not a funcref
        (None, RefType(True, HEAP_EXTERN), "<null externref>"),
        (object(), RefType(False, 0), "<funcref>"),  # (ref $t)
    ],
)
def test_format_other_values(value: object, valtype: ValType, text: str) -> None:
    assert format_value(value, valtype) == text


# -- parsing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "valtype", "value"),
    [
        ("0", I32, 0),
        ("42", I32, 42),
        ("+42", I32, 42),
        ("-1", I32, 0xFFFFFFFF),
        ("-2147483648", I32, 0x80000000),
        ("0x7fffffff", I32, 0x7FFFFFFF),
        ("0X7FFFFFFF", I32, 0x7FFFFFFF),
        ("-0x1", I32, 0xFFFFFFFF),
        ("007", I32, 7),
        ("-1", I64, 0xFFFFFFFFFFFFFFFF),
        ("-9223372036854775808", I64, 0x8000000000000000),
        ("9223372036854775807", I64, 0x7FFFFFFFFFFFFFFF),
        ("0x10", V128, 16),
        ("-1", V128, 2**128 - 1),
        ("null", FUNCREF, None),
        ("null", EXTERNREF, None),
    ],
)
def test_parse_integer_and_reference(text: str, valtype: ValType, value: object) -> None:
    assert parse_value(text, valtype) == value


@pytest.mark.parametrize(
    ("text", "valtype"),
    [
        ("4294967295", I32),  # Wasmtime reads i32 and i64 signed: the unsigned spelling is out of range
        ("0xffffffff", I32),
        ("18446744073709551615", I64),
        ("4294967296", I32),
        ("-2147483649", I32),
        ("0x100000000", I32),
        ("18446744073709551616", I64),
        ("-9223372036854775809", I64),
        ("", I32),
        ("1.0", I32),
        ("1_000", I32),
        (" 1", I32),
        ("0x", I32),
        ("--1", I32),
        ("one", I64),
        ("1e3", I64),
        ("", F32),
        ("1.2.3", F64),
        ("0x", F64),
        ("1e", F64),
        ("nan:0x0", F32),
        ("nan:0x800000", F32),  # payload wider than 23 bits
        ("nan:0x10000000000000", F64),
        ("infinite", F64),
        ("0", FUNCREF),
        ("ref.null", EXTERNREF),
    ],
)
def test_parse_rejects_with_a_message(text: str, valtype: ValType) -> None:
    with pytest.raises(ValueError, match=valtype.text):
        parse_value(text, valtype)


@pytest.mark.parametrize(
    ("text", "valtype", "bits"),
    [
        ("1", F32, 0x3F800000),
        ("-1.5", F32, 0xBFC00000),
        ("0.1", F32, 0x3DCCCCCD),
        (".5", F32, 0x3F000000),
        ("5.", F32, 0x40A00000),
        ("1e-7", F32, 0x33D6BF95),
        ("1E2", F32, 0x42C80000),
        ("-0", F32, 0x80000000),
        ("3.4028235e38", F32, 0x7F7FFFFF),
        ("3.4028235677e38", F32, 0x7F7FFFFF),  # below the overflow threshold (2**128 - 2**103)
        ("3.4028235677973366e38", F32, 0x7F7FFFFF),  # below it, though its nearest double is on it
        ("3.4028236e38", F32, 0x7F800000),  # above it: infinity, as Rust's parse
        ("1e39", F32, 0x7F800000),
        ("1e-50", F32, 0x00000000),
        ("1e-45", F32, 0x00000001),
        ("inf", F32, 0x7F800000),
        ("-Infinity", F32, 0xFF800000),
        ("nan", F32, 0x7FC00000),
        ("-NaN", F32, 0xFFC00000),
        ("nan:0x1", F32, 0x7F800001),  # a signalling payload kept
        ("-nan:0x200000", F32, 0xFFA00000),
        ("0x1.8p1", F32, 0x40400000),
        ("-0x1p-149", F32, 0x80000001),
        ("0x1p128", F32, 0x7F800000),
        ("0x1p99999", F32, 0x7F800000),
        ("0xA", F32, 0x41200000),
        ("0x.8", F32, 0x3F000000),
        # Exactly halfway between 1 and the next f32: ties to even ...
        ("0x1.000001p0", F32, 0x3F800000),
        # ... but a hair above it must round up, though its nearest double is the halfway point.
        ("0x1.0000010000000000001p0", F32, 0x3F800001),
        # Decimal texts near f32 midpoints, checked against Rust's `str::parse::<f32>`; rounding
        # through f64 first gets the last two wrong.
        ("2.9759100638329982757568359375e-2", F32, 0x3CF3C95C),
        ("2.9759100638329982757568359374999999999999e-2", F32, 0x3CF3C95B),
        ("6.4028329234133707359433174133300781250001e-6", F32, 0x36D6D7EB),
        ("1", F64, 0x3FF0000000000000),
        ("0.1", F64, 0x3FB999999999999A),
        ("-0.0", F64, 0x8000000000000000),
        ("5e-324", F64, 0x0000000000000001),
        ("1e309", F64, 0x7FF0000000000000),
        ("-inf", F64, 0xFFF0000000000000),
        ("nan", F64, 0x7FF8000000000000),
        ("nan:0x4", F64, 0x7FF0000000000004),
        ("0x1.fffffffffffffp1023", F64, 0x7FEFFFFFFFFFFFFF),
        ("0x1p-1074", F64, 0x0000000000000001),
    ],
)
def test_parse_float(text: str, valtype: ValType, bits: int) -> None:
    assert bits_of(parse_value(text, valtype), valtype) == bits


# -- bit rules ------------------------------------------------------------------


@pytest.mark.parametrize("bits", [0x7F800001, 0xFFBFFFFF, 0x7FC00000, 0x7FA5A5A5, 0x00000001, 0x80000000, 0x7F7FFFFF])
def test_f32_bits_round_trip(bits: int) -> None:
    assert f32_to_bits(f32_from_bits(bits)) == bits


def test_f32_nan_payload_is_held_shifted_in_the_double() -> None:
    assert f64_to_bits(f32_from_bits(0xFF800001)) == 0xFFF0000000000000 | 1 << 29


@pytest.mark.parametrize(
    ("value", "bits"),
    [
        (0.1, 0x3DCCCCCD),
        (1 + 2**-24, 0x3F800000),  # halfway: to even
        (1 + 3 * 2**-24, 0x3F800002),  # halfway: to even (up)
        (3.4028235677973366e38, 0x7F800000),  # the overflow threshold itself rounds to infinity
        (3.4028235677973362e38, 0x7F7FFFFF),
        (-1e300, 0xFF800000),
        (2**-150, 0x00000000),  # halfway to the smallest subnormal: to even (zero)
    ],
)
def test_round_f32(value: float, bits: int) -> None:
    assert f32_to_bits(round_f32(value)) == bits


def test_f32_from_bits_is_exactly_the_binary32_value() -> None:
    assert f32_from_bits(0x3DCCCCCD) == struct.unpack("<f", struct.pack("<I", 0x3DCCCCCD))[0]
