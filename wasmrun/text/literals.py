"""Numeric literals of the text format to their canonical values (spec 6.3.1, 6.3.2).

Integers become canonical unsigned ints, floats their IEEE-754 bits with
round-to-nearest, ties-to-even (NaN payloads kept).  Every function returns
``None`` when the token is not a number token at all (the parser then reports
the token) and raises :class:`LiteralError` when it is a number that does not
fit (``constant out of range``).

Integer range rule of the reference interpreter: an unsigned (unsigned-looking
or ``+``) literal must fit in N bits, a negative one in N bits signed, so an
i32 literal lies in [-2^31, 2^32).

Speed: the spec scripts hold ~300,000 literals.  Decimal integers go straight
to ``int()`` (whose underscore rules are the text format's); decimal floats go
through ``float()``, which is correctly rounded, so f64 is exact and f32 needs
exact arithmetic only when the f64 value sits exactly halfway between two f32
values (where rounding twice could differ from rounding once).
"""

from __future__ import annotations

import math
import re
import struct

from wasmrun.text.lexer import NUMBER_PATTERN

_NUM = r"[0-9](?:_?[0-9])*"
_HEXNUM = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
_HEX_INT = re.compile(rf"([+-]?)0x({_HEXNUM})")
_DEC_INT = re.compile(rf"[+-]?{_NUM}")
_DEC_FLOAT = re.compile(rf"[+-]?{_NUM}(?:\.(?:{_NUM})?)?(?:[eE][+-]?{_NUM})?")
_HEX_FLOAT = re.compile(rf"([+-]?)0x({_HEXNUM})(?:\.({_HEXNUM})?)?(?:[pP]([+-]?{_NUM}))?")
_NAN = re.compile(rf"([+-]?)nan(?::0x({_HEXNUM}))?")
_NUMBER = re.compile(NUMBER_PATTERN)

_PACK_F32 = struct.Struct("<f").pack
_UNPACK_U32 = struct.Struct("<I").unpack
_PACK_F64 = struct.Struct("<d").pack
_UNPACK_U64 = struct.Struct("<Q").unpack


class LiteralError(ValueError):
    """A number token whose value does not fit; ``args[0]`` is the message."""


OUT_OF_RANGE = "constant out of range"


# --- Integers --------------------------------------------------------------


def parse_int(token: str, bits: int) -> int | None:
    """An N-bit integer literal (``iN``) as its canonical unsigned value."""
    value: int | None
    try:
        value = int(token)
    except ValueError:
        value = _slow_int(token)
        if value is None:
            if _NUMBER.fullmatch(token):
                raise LiteralError(OUT_OF_RANGE) from None
            return None
    if token[0] == "-":
        if value < -(1 << (bits - 1)):
            raise LiteralError(OUT_OF_RANGE)
        return value & ((1 << bits) - 1)
    if value >= 1 << bits:
        raise LiteralError(OUT_OF_RANGE)
    return value


def parse_nat(token: str, bits: int = 32, message: str = "i32 constant out of range") -> int | None:
    """An unsigned literal without sign (``uN``), e.g. an index, a limit or an offset."""
    first = token[:1]
    if not ("0" <= first <= "9"):
        return None
    value: int | None
    try:
        value = int(token)
    except ValueError:
        value = _slow_int(token)
        if value is None:
            return None
    if value >= 1 << bits:
        raise LiteralError(message)
    return value


def _slow_int(token: str) -> int | None:
    """A hexadecimal integer token, or a decimal one too long for ``int()``; None for anything else."""
    match = _HEX_INT.fullmatch(token)
    if match is not None:
        value = int(match.group(2).replace("_", ""), 16)
        return -value if match.group(1) == "-" else value
    if _DEC_INT.fullmatch(token) is None:
        return None
    value = _decimal_digits(token.lstrip("+-").replace("_", ""))
    return -value if token[0] == "-" else value


def _decimal_digits(digits: str) -> int:
    """``int(digits)`` without CPython's limit on the length of decimal strings."""
    if len(digits) <= 4000:
        return int(digits)
    half = len(digits) // 2
    return _decimal_digits(digits[:half]) * 10 ** (len(digits) - half) + _decimal_digits(digits[half:])


def signed(value: int, bits: int) -> int:
    """The signed reading of a canonical unsigned value."""
    return value - (1 << bits) if value >> (bits - 1) else value


# --- Floats ----------------------------------------------------------------


class _Format:
    __slots__ = ("exponent_bits", "fraction_bits", "infinity", "sign_bit")

    def __init__(self, exponent_bits: int, fraction_bits: int) -> None:
        self.exponent_bits = exponent_bits
        self.fraction_bits = fraction_bits
        self.sign_bit = 1 << (exponent_bits + fraction_bits)
        self.infinity = ((1 << exponent_bits) - 1) << fraction_bits


F32 = _Format(8, 23)
F64 = _Format(11, 52)


def parse_f32(token: str) -> int | None:
    """An f32 literal as its 32 bits."""
    first = token[:1]
    if first.isdigit() or (first in "+-" and token[1:2].isdigit()):
        if "x" not in token:
            return _decimal_f32(token)
        return _hex_float(token, F32)
    return _special(token, F32)


def parse_f64(token: str) -> int | None:
    """An f64 literal as its 64 bits."""
    first = token[:1]
    if first.isdigit() or (first in "+-" and token[1:2].isdigit()):
        if "x" not in token:
            if _DEC_FLOAT.fullmatch(token) is None:
                return _not_a_float(token)
            value = float(token.replace("_", ""))
            if math.isinf(value):
                raise LiteralError(OUT_OF_RANGE)
            return int(_UNPACK_U64(_PACK_F64(value))[0])
        return _hex_float(token, F64)
    return _special(token, F64)


def _not_a_float(token: str) -> int | None:
    """None for a token that is not a number (a number that is no float would be out of range)."""
    if _NUMBER.fullmatch(token):  # pragma: no cover - every number token is a float literal
        raise LiteralError(OUT_OF_RANGE)
    return None


def _decimal_f32(token: str) -> int | None:
    if _DEC_FLOAT.fullmatch(token) is None:
        return _not_a_float(token)
    text = token.replace("_", "")
    value = float(text)
    if math.isinf(value):
        raise LiteralError(OUT_OF_RANGE)
    if value != 0.0 and _is_f32_midpoint(value):
        # The f64 value is a tie for f32: the exact decimal decides.
        sign = F32.sign_bit if text[0] == "-" else 0
        numerator, denominator = _exact_decimal(text.lstrip("+-"))
        return sign | _round(numerator, denominator, F32)
    try:
        return int(_UNPACK_U32(_PACK_F32(value))[0])
    except OverflowError:
        raise LiteralError(OUT_OF_RANGE) from None


def _exact_decimal(text: str) -> tuple[int, int]:
    """An unsigned decimal float literal (underscores removed) as a fraction."""
    mantissa, _, exponent_text = text.lower().partition("e")
    whole, _, fraction = mantissa.partition(".")
    exponent_digits = _decimal_digits(exponent_text.lstrip("+-") or "0")
    exponent = (-exponent_digits if exponent_text[:1] == "-" else exponent_digits) - len(fraction)
    value = _decimal_digits((whole + fraction).lstrip("0") or "0")
    if exponent >= 0:
        return value * 10**exponent, 1
    return value, 10**-exponent


def _is_f32_midpoint(value: float) -> bool:
    """Whether ``value`` lies exactly halfway between two adjacent f32 values."""
    _, exponent = math.frexp(value)  # value = m * 2**exponent, 0.5 <= |m| < 1
    quantum = max(exponent - 1 - F32.fraction_bits, -149)  # log2 of the f32 spacing there
    scaled = math.ldexp(value, 1 - quantum)  # exact: a half-quantum count
    return scaled.is_integer() and int(scaled) & 1 == 1


def _hex_float(token: str, fmt: _Format) -> int | None:
    match = _HEX_FLOAT.fullmatch(token)
    if match is None:
        return _not_a_float(token)
    # float.fromhex rounds correctly to f64; f32 needs the exact value at an f32 tie.
    try:
        value = float.fromhex(token.replace("_", ""))
    except OverflowError:
        raise LiteralError(OUT_OF_RANGE) from None
    if fmt is F64:
        return int(_UNPACK_U64(_PACK_F64(value))[0])
    if value != 0.0 and _is_f32_midpoint(value):
        return _exact_hex_float(match, fmt)
    try:
        return int(_UNPACK_U32(_PACK_F32(value))[0])
    except OverflowError:
        raise LiteralError(OUT_OF_RANGE) from None


def _exact_hex_float(match: re.Match[str], fmt: _Format) -> int:
    sign_text, whole, fraction, exponent_text = match.groups()
    digits = whole.replace("_", "")
    exponent = int(exponent_text.replace("_", "")) if exponent_text else 0
    if fraction:
        fraction = fraction.replace("_", "")
        digits += fraction
        exponent -= 4 * len(fraction)
    mantissa = int(digits, 16)
    sign = fmt.sign_bit if sign_text == "-" else 0
    if mantissa == 0:
        return sign
    top = mantissa.bit_length() + exponent  # value < 2**top
    bias = (1 << (fmt.exponent_bits - 1)) - 1
    if top > bias + 2:
        raise LiteralError(OUT_OF_RANGE)
    if top < -bias - fmt.fraction_bits - 2:
        return sign  # below half the smallest subnormal: rounds to zero
    if exponent >= 0:
        return sign | _round(mantissa << exponent, 1, fmt)
    return sign | _round(mantissa, 1 << -exponent, fmt)


def _round(numerator: int, denominator: int, fmt: _Format) -> int:
    """The bits of the float nearest to the positive rational, ties to even.

    Raises :class:`LiteralError` when it rounds to infinity.
    """
    if numerator == 0:
        return 0
    fraction_bits = fmt.fraction_bits
    bias = (1 << (fmt.exponent_bits - 1)) - 1
    min_exponent = 1 - bias
    # top = floor(log2(numerator / denominator))
    top = numerator.bit_length() - denominator.bit_length()
    if (numerator << max(0, -top)) < (denominator << max(0, top)):
        top -= 1
    exponent = max(top, min_exponent)
    shift = fraction_bits - exponent  # value / 2**(exponent - fraction_bits)
    if shift >= 0:
        numerator <<= shift
    else:
        denominator <<= -shift
    quotient, remainder = divmod(numerator, denominator)
    twice = remainder * 2
    if twice > denominator or (twice == denominator and quotient & 1):
        quotient += 1
    if quotient >> (fraction_bits + 1):  # rounding carried into a new binade
        quotient >>= 1
        exponent += 1
    if quotient >> fraction_bits == 0:  # subnormal
        return quotient
    biased = exponent + bias
    if biased >= (1 << fmt.exponent_bits) - 1:
        raise LiteralError(OUT_OF_RANGE)
    return (biased << fraction_bits) | (quotient - (1 << fraction_bits))


def _special(token: str, fmt: _Format) -> int | None:
    """``inf``, ``nan`` and ``nan:0x...`` (with an optional sign)."""
    body = token.lstrip("+-")
    if len(token) - len(body) > 1:
        return None
    sign = fmt.sign_bit if token[:1] == "-" else 0
    if body == "inf":
        return sign | fmt.infinity
    match = _NAN.fullmatch(token)
    if match is None:
        return None
    payload_text = match.group(2)
    if payload_text is None:
        return sign | fmt.infinity | (1 << (fmt.fraction_bits - 1))
    payload = int(payload_text.replace("_", ""), 16)
    if not 1 <= payload < 1 << fmt.fraction_bits:
        raise LiteralError(OUT_OF_RANGE)
    return sign | fmt.infinity | payload


# --- Vectors ---------------------------------------------------------------

# shape -> (lane count, lane bits, lane parser)
SHAPES: dict[str, tuple[int, int, str]] = {
    "i8x16": (16, 8, "int"),
    "i16x8": (8, 16, "int"),
    "i32x4": (4, 32, "int"),
    "i64x2": (2, 64, "int"),
    "f32x4": (4, 32, "f32"),
    "f64x2": (2, 64, "f64"),
}


def parse_lane(token: str, shape: str) -> int | None:
    """One lane literal of a ``v128.const`` of the given shape, as its bits."""
    _, bits, kind = SHAPES[shape]
    if kind == "int":
        return parse_int(token, bits)
    return parse_f32(token) if kind == "f32" else parse_f64(token)


def join_lanes(lanes: list[int], lane_bits: int) -> int:
    """Lane bit patterns (lane 0 first) as one 128-bit little-endian value."""
    value = 0
    for lane in reversed(lanes):
        value = (value << lane_bits) | lane
    return value
