"""Values: their run-time representation's bit rules and their text at the command line.

Run-time values (see the runtime interface): i32/i64 are unsigned Python ints;
f32 is a Python float exactly representable in binary32, an f32 NaN with
payload ``m`` being held as the double NaN with payload ``m << 29`` (same
sign); f64 is a float; v128 an unsigned 128-bit int; references are None or
an object.

Text, one place for each direction:

* :func:`parse_value` reads an ``--invoke`` argument: integers in decimal or
  ``0x`` hexadecimal, negative allowed, range-checked for the type; floats in
  decimal, hexadecimal (``0x1.8p3``), ``inf``, ``nan`` and ``nan:0xPAYLOAD``,
  rounded once, correctly, to the type (an f32 is not rounded via f64 when
  that would round twice).
* :func:`format_value` prints a result as Wasmtime 50's CLI does, that is as
  Rust's ``Display``: integers signed, v128 unsigned, floats with the shortest
  digits that read back as the same value *of that type*, written out in full
  (never an exponent), ``-0``, ``inf``, ``-inf``, ``NaN``.

The shortest digits are found exactly (with fractions), the way Rust's
``flt2dec`` defines them: of the decimals with the fewest significant digits
that lie in the value's rounding interval (the ends included when the
significand is even, as round-half-even then rounds them to the value), the
one nearest the value, the greater on a tie.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from wasmrun.deftypes import top_heap
from wasmrun.floats import f32_from_bits, f32_to_bits, f64_from_bits, f64_to_bits
from wasmrun.types import HEAP_ANY, HEAP_EXN, HEAP_EXTERN, HEAP_FUNC, ValType, ValueType, as_ref

if TYPE_CHECKING:
    from fractions import Fraction

# fractions (and the decimal module it loads) is imported only where an f32 argument needs exact
# rounding: this module is on every run's start-up path, and most runs never parse an f32.

_F32_EXPONENT_MASK = 0x7F800000
_F64_EXPONENT_MASK = 0x7FF0000000000000


# -- parsing ---------------------------------------------------------------------

_INTEGER_RE = re.compile(r"([+-]?)(?:0[xX]([0-9a-fA-F]+)|([0-9]+))")
_NAN_RE = re.compile(r"([+-]?)nan(?::0x([0-9a-f]+))?", re.IGNORECASE)
_INF_RE = re.compile(r"([+-]?)inf(?:inity)?", re.IGNORECASE)
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_RE = re.compile(r"([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?[0-9]+))?")

_INTEGER_BITS = {ValType.I32: 32, ValType.I64: 64, ValType.V128: 128}
_FLOAT_SYNTAX = "a decimal or 0x-hexadecimal number, inf, -inf, nan or nan:0xPAYLOAD"


def parse_value(text: str, valtype: ValueType) -> Any:
    """The run-time value of an ``--invoke`` argument; ValueError (with a message for people) if invalid."""
    if isinstance(valtype, ValType) and valtype in _INTEGER_BITS:
        return _parse_integer(text, valtype, _INTEGER_BITS[valtype])
    if valtype is ValType.F32 or valtype is ValType.F64:
        return _parse_float(text, valtype)
    if text == "null":
        return None
    raise ValueError(f"invalid {valtype.text} value {text!r}: a reference argument can only be `null`")


def _parse_integer(text: str, valtype: ValType, bits: int) -> int:
    match = _INTEGER_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid {valtype.text} value {text!r}: expected a decimal or 0x-hexadecimal integer")
    sign, hex_digits, decimal_digits = match.groups()
    value = int(hex_digits, 16) if hex_digits is not None else int(decimal_digits)
    if sign == "-":
        value = -value
    # i32 and i64 are read as Wasmtime reads them, signed (4294967295 is no i32); v128 as one unsigned integer.
    top = 1 << bits if valtype is ValType.V128 else 1 << (bits - 1)
    if not -(1 << (bits - 1)) <= value < top:
        raise ValueError(f"{valtype.text} value {text} out of range: must be within [{-(1 << (bits - 1))}, {top - 1}]")
    return value & ((1 << bits) - 1)


def _parse_float(text: str, valtype: ValType) -> float:
    is_f32 = valtype is ValType.F32
    if match := _NAN_RE.fullmatch(text):
        sign, payload_digits = match.groups()
        payload_bits = 23 if is_f32 else 52
        payload = int(payload_digits, 16) if payload_digits else 1 << (payload_bits - 1)
        if not 0 < payload < 1 << payload_bits:
            raise ValueError(f"invalid {valtype.text} value {text!r}: NaN payload must be within [1, 2^{payload_bits})")
        negative = sign == "-"
        if is_f32:
            return f32_from_bits(negative << 31 | _F32_EXPONENT_MASK | payload)
        return f64_from_bits(negative << 63 | _F64_EXPONENT_MASK | payload)
    if match := _INF_RE.fullmatch(text):
        return -math.inf if match.group(1) == "-" else math.inf
    hex_match = _HEX_RE.fullmatch(text)
    if hex_match is not None and (hex_match.group(2) or hex_match.group(3)):
        try:
            nearest = float.fromhex(text)
        except OverflowError:
            nearest = -math.inf if text.startswith("-") else math.inf
        return _round_f32_once(nearest, lambda: _hex_fraction(hex_match)) if is_f32 else nearest
    if _DECIMAL_RE.fullmatch(text):
        nearest = float(text)
        return _round_f32_once(nearest, lambda: _fraction(text)) if is_f32 else nearest
    raise ValueError(f"invalid {valtype.text} value {text!r}: expected {_FLOAT_SYNTAX}")


def _fraction(value: str | int | float) -> Fraction:
    from fractions import Fraction

    return Fraction(value)


def _hex_fraction(match: re.Match[str]) -> Fraction:
    sign, integer_digits, fraction_digits, exponent = match.groups()
    significand = int(integer_digits + fraction_digits, 16)
    shift = int(exponent or 0) - 4 * len(fraction_digits)
    value = _fraction(significand) * _fraction(2) ** shift
    return -value if sign == "-" else value


def _round_f32_once(nearest_f64: float, exact: Any) -> float:
    """Round a number to f32 given its nearest f64, without the error of rounding twice.

    Every f32 rounding boundary (a midpoint of two neighbouring f32s, or the
    overflow threshold) is a double, and rounding is monotonic, so the double
    lies on the same side of every boundary as the exact value unless it *is*
    a boundary; only then is the exact value (``exact()``, a Fraction) needed.
    """
    bits = f32_to_bits(nearest_f64)
    rounded = f32_from_bits(bits)
    if rounded == nearest_f64 or math.isinf(nearest_f64):
        return rounded
    toward = bits + 1 if abs(nearest_f64) > abs(rounded) else bits - 1  # the other neighbour, by magnitude
    neighbour = f32_from_bits(toward)
    if _fraction(nearest_f64) * 2 != _f32_extended(rounded) + _f32_extended(neighbour):
        return rounded
    value = exact()
    if value == _fraction(nearest_f64):
        return rounded  # a true tie: C's conversion already chose the even one
    above = value > _fraction(nearest_f64)
    return max(rounded, neighbour) if above else min(rounded, neighbour)


def _f32_extended(value: float) -> Fraction:
    """An f32 as a fraction, infinity standing for 2**128 (the next step past the largest finite f32)."""
    if math.isinf(value):
        return _fraction(2**128) if value > 0 else _fraction(-(2**128))
    return _fraction(value)


# -- formatting ------------------------------------------------------------------


def format_value(value: Any, valtype: ValueType) -> str:
    """A result as Wasmtime 50's ``--invoke`` prints it."""
    if valtype is ValType.I32:
        value &= 0xFFFFFFFF
        return str(value - (1 << 32) if value >> 31 else value)
    if valtype is ValType.I64:
        value &= 0xFFFFFFFFFFFFFFFF
        return str(value - (1 << 64) if value >> 63 else value)
    if valtype is ValType.F32 or valtype is ValType.F64:
        return format_float(value, valtype)
    if valtype is ValType.V128:
        return str(value & ((1 << 128) - 1))
    if valtype is ValType.FUNCREF:
        return "<null funcref>" if value is None else "<funcref>"
    if valtype is ValType.EXTERNREF:
        return "<null externref>" if value is None else "<externref>"
    if valtype is ValType.EXNREF:
        return "<null exnref>" if value is None else "<exnref>"
    reference = as_ref(valtype)
    if reference is not None:  # a typed reference: shown as the anyref, funcref, externref or exnref it is
        heap = reference.heap
        top = HEAP_FUNC if heap.__class__ is int and heap >= 0 else top_heap(heap)  # (an index: a function's)
        kind = {HEAP_EXTERN: "externref", HEAP_EXN: "exnref", HEAP_ANY: "anyref"}.get(top, "funcref")
        return f"<null {kind}>" if value is None else f"<{kind}>"
    raise ValueError(f"no text form for values of type {valtype.text}")


def format_float(value: float, valtype: ValType) -> str:
    """Rust's ``Display`` of an f32 (``valtype`` F32) or f64: shortest digits, no exponent."""
    if value != value:
        return "NaN"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if math.isinf(value):
        return sign + "inf"
    if value == 0:
        return sign + "0"
    digits, point = shortest_digits(abs(value), valtype)
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point < len(digits):
        return f"{sign}{digits[:point]}.{digits[point:]}"
    return sign + digits + "0" * (point - len(digits))


def shortest_digits(value: float, valtype: ValType) -> tuple[str, int]:
    """``(digits, point)`` with ``value == 0.digits × 10**point``, the digits shortest (see the module doc).

    ``value`` is positive, finite and of type ``valtype`` (f32 or f64).  All
    comparisons are exact, on integers over the common denominator ``2 * D``
    (every quantity here is a dyadic rational, so ``D`` is a power of two).
    """
    if valtype is ValType.F32:
        bits = f32_to_bits(value)
        below, above = f32_from_bits(bits - 1), f32_from_bits(bits + 1)
        max_digits = 9
        first_precision = 1
    else:
        bits = f64_to_bits(value)
        below, above = f64_from_bits(bits - 1), f64_from_bits(bits + 1)
        max_digits = 17
        # Python's repr finds the shortest length over the same interval (David Gay's dtoa); only
        # the choice among equally short decimals may differ (ties), so start the search there.
        first_precision = len(repr(value).partition("e")[0].replace(".", "").strip("0"))
    numerator, denominator = value.as_integer_ratio()
    below_numerator, below_denominator = below.as_integer_ratio()
    above_numerator, above_denominator = (0, 1) if math.isinf(above) else above.as_integer_ratio()
    common = max(denominator, below_denominator, above_denominator)
    exact = numerator * (common // denominator)
    lower = below_numerator * (common // below_denominator)
    # Numerators over 2 * common: the value and the ends of its rounding interval (the midpoints with
    # its neighbours; past the largest finite value the next step would be as wide as the last one).
    exact2 = 2 * exact
    low2 = exact + lower
    high2 = 3 * exact - lower if math.isinf(above) else exact + above_numerator * (common // above_denominator)
    ends_included = bits & 1 == 0

    for precision in range(first_precision, max_digits + 1):
        # The nearest decimal of this precision (Python formats exactly) and the value's other
        # neighbour at this precision: the only two that can lie in the interval if any does.
        mantissa, _, exponent_text = f"{value:.{precision - 1}e}".partition("e")
        significand = int(mantissa.replace(".", ""))
        exponent = int(exponent_text) - precision + 1
        # A decimal s × 10**exponent compares with k / (2 * common) as s * scale with k * bound_scale.
        scale = 2 * common * 10 ** max(exponent, 0)
        bound_scale = 10 ** max(-exponent, 0)
        target, low, high = exact2 * bound_scale, low2 * bound_scale, high2 * bound_scale
        nearest = significand * scale
        if nearest == target:
            return _digits_and_point(significand, exponent)
        other = significand + 1 if nearest < target else significand - 1
        best: tuple[int, int] | None = None  # (distance, significand)
        for candidate in (significand, other):
            scaled = candidate * scale
            if low < scaled < high or (ends_included and scaled in (low, high)):
                distance = abs(scaled - target)
                # nearest wins; on a tie the greater (Rust's flt2dec rounds the last digit up)
                if best is None or distance < best[0] or (distance == best[0] and candidate > best[1]):
                    best = (distance, candidate)
        if best is not None:
            return _digits_and_point(best[1], exponent)
    raise AssertionError(f"no decimal of at most {max_digits} digits reads back as {value!r}")  # unreachable


def _digits_and_point(significand: int, exponent: int) -> tuple[str, int]:
    text = str(significand)
    stripped = text.rstrip("0")
    return stripped, len(text) + exponent
