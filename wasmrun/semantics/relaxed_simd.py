"""Relaxed SIMD (WebAssembly 3.0): one deterministic choice per instruction, Wasmtime's.

The relaxed instructions may give any of a few results, depending on the hardware.
wasmrun gives the one Wasmtime gives with ``-W relaxed-simd-deterministic=y``: what
Cranelift emits in its deterministic mode, on every platform.  That is, for most of
them, the result of the fixed-width SIMD instruction they relax (so both tiers, and
every run, agree); each function's docstring says which.  A v128 is a Python ``int``
in ``[0, 2**128)``, lane 0 the least significant, as in :mod:`wasmrun.semantics.simd`
(which lists these functions in its ``SIMD_FUNCTIONS``).

The fused multiply-adds round once: the exact ``a * b + c`` of the lanes (held as an
integer over a power of two) is rounded to the lane's format, to nearest, ties to even.
"""

from __future__ import annotations

from collections.abc import Callable
from math import inf as _inf
from math import isfinite as _isfinite
from math import ldexp as _ldexp
from struct import Struct

from wasmrun.semantics import numeric as _n

MASK128 = (1 << 128) - 1

_S8 = Struct("<16b")
_S16 = Struct("<8h")
_U16 = Struct("<8H")
_S32 = Struct("<4i")
_U32 = Struct("<4I")
_F32 = Struct("<4f")
_F64 = Struct("<2d")
_ZEROS_240 = bytes(240)


def _to_bytes(v: int) -> bytes:
    return v.to_bytes(16, "little")


def _from_bytes(b: bytes) -> int:
    return int.from_bytes(b, "little")


# --- fused multiply-add, rounded once -------------------------------------------------------------


def _round(numerator: int, scale: int, precision: int, emin: int, emax: int) -> float:
    """``numerator * 2**-scale`` rounded to a binary format (``precision`` bits, exponents ``emin..emax``)."""
    negative = numerator < 0
    magnitude = -numerator if negative else numerator
    exponent = magnitude.bit_length() - 1 - scale  # floor(log2) of the value
    quantum = max(exponent, emin) - (precision - 1)  # the exponent of the last place kept
    shift = quantum + scale
    if shift <= 0:
        mantissa = magnitude << -shift
    else:
        mantissa = magnitude >> shift
        rest = magnitude & ((1 << shift) - 1)
        half = 1 << (shift - 1)
        if rest > half or (rest == half and mantissa & 1):
            mantissa += 1
    if mantissa.bit_length() + quantum > emax + 1:
        value = _inf
    else:
        value = _ldexp(mantissa, quantum)  # exact: the mantissa has at most precision + 1 bits
    return -value if negative else value


def _fma(a: float, b: float, c: float, precision: int, emin: int, emax: int) -> float:
    if not (_isfinite(a) and _isfinite(b)):
        # An infinite or NaN factor: the product is infinite or NaN, so rounding it changes nothing.
        return a * b + c
    if not _isfinite(c):
        return c * 1.0  # a finite product (however large) does not change it; a NaN is quietened

    a_num, a_den = a.as_integer_ratio()
    b_num, b_den = b.as_integer_ratio()
    c_num, c_den = c.as_integer_ratio()
    product_scale = a_den.bit_length() + b_den.bit_length() - 2
    c_scale = c_den.bit_length() - 1
    scale = max(product_scale, c_scale)
    numerator = (a_num * b_num << (scale - product_scale)) + (c_num << (scale - c_scale))
    if numerator == 0:
        # An exact zero: -0 only when both addends are -0 (round to nearest).
        product = a * b
        return product + c if product == 0 and c == 0 else 0.0
    return _round(numerator, scale, precision, emin, emax)


def f32_fma(a: float, b: float, c: float) -> float:
    """``a * b + c`` of f32 values, rounded once to f32."""
    return _fma(a, b, c, 24, -126, 127)


def f64_fma(a: float, b: float, c: float) -> float:
    """``a * b + c`` of f64 values, rounded once."""
    return _fma(a, b, c, 53, -1022, 1023)


def _lanes3(lanes: Struct, rule: Callable[[float, float, float], float]) -> Callable[[int, int, int], int]:
    def ternary(a: int, b: int, c: int) -> int:
        return _from_bytes(
            lanes.pack(*map(rule, lanes.unpack(_to_bytes(a)), lanes.unpack(_to_bytes(b)), lanes.unpack(_to_bytes(c))))
        )

    return ternary


_f32x4_fma = _lanes3(_F32, f32_fma)
_f32x4_nfma = _lanes3(_F32, lambda a, b, c: f32_fma(-a, b, c))
_f64x2_fma = _lanes3(_F64, f64_fma)
_f64x2_nfma = _lanes3(_F64, lambda a, b, c: f64_fma(-a, b, c))


# --- the instructions ------------------------------------------------------------------------------


def i8x16_relaxed_swizzle(a: int, s: int) -> int:
    """As ``i8x16.swizzle``: an index past 15 (the top bit set or not) selects 0."""
    return _from_bytes(_to_bytes(s).translate(_to_bytes(a) + _ZEROS_240))


def i32x4_relaxed_trunc_f32x4_s(a: int) -> int:
    """As ``i32x4.trunc_sat_f32x4_s``: NaN is 0, out-of-range lanes saturate."""
    return _from_bytes(_U32.pack(*[_n.i32_trunc_sat_f32_s(x) for x in _F32.unpack(_to_bytes(a))]))


def i32x4_relaxed_trunc_f32x4_u(a: int) -> int:
    """As ``i32x4.trunc_sat_f32x4_u``: NaN and negative lanes are 0, large ones 0xFFFFFFFF."""
    return _from_bytes(_U32.pack(*[_n.i32_trunc_sat_f32_u(x) for x in _F32.unpack(_to_bytes(a))]))


def i32x4_relaxed_trunc_f64x2_s_zero(a: int) -> int:
    """As ``i32x4.trunc_sat_f64x2_s_zero``: saturating, NaN is 0, the two high lanes 0."""
    return _from_bytes(_U32.pack(*[_n.i32_trunc_sat_f64_s(x) for x in _F64.unpack(_to_bytes(a))], 0, 0))


def i32x4_relaxed_trunc_f64x2_u_zero(a: int) -> int:
    """As ``i32x4.trunc_sat_f64x2_u_zero``: saturating, NaN is 0, the two high lanes 0."""
    return _from_bytes(_U32.pack(*[_n.i32_trunc_sat_f64_u(x) for x in _F64.unpack(_to_bytes(a))], 0, 0))


def f32x4_relaxed_madd(a: int, b: int, c: int) -> int:
    """Fused: ``a * b + c`` per lane, rounded once (Cranelift's ``fma``)."""
    return _f32x4_fma(a, b, c)


def f32x4_relaxed_nmadd(a: int, b: int, c: int) -> int:
    """Fused: ``-(a * b) + c`` per lane, rounded once (``fma`` of ``-a``, ``b``, ``c``)."""
    return _f32x4_nfma(a, b, c)


def f64x2_relaxed_madd(a: int, b: int, c: int) -> int:
    """Fused: ``a * b + c`` per lane, rounded once (Cranelift's ``fma``)."""
    return _f64x2_fma(a, b, c)


def f64x2_relaxed_nmadd(a: int, b: int, c: int) -> int:
    """Fused: ``-(a * b) + c`` per lane, rounded once (``fma`` of ``-a``, ``b``, ``c``)."""
    return _f64x2_nfma(a, b, c)


def i8x16_relaxed_laneselect(a: int, b: int, m: int) -> int:
    """As ``v128.bitselect``: each bit from ``a`` where the mask ``m`` has a 1, else from ``b``."""
    return (a & m) | (b & (m ^ MASK128))


def i16x8_relaxed_laneselect(a: int, b: int, m: int) -> int:
    """As ``v128.bitselect`` (bit by bit, whatever the mask lane's top bit)."""
    return (a & m) | (b & (m ^ MASK128))


def i32x4_relaxed_laneselect(a: int, b: int, m: int) -> int:
    """As ``v128.bitselect`` (bit by bit, whatever the mask lane's top bit)."""
    return (a & m) | (b & (m ^ MASK128))


def i64x2_relaxed_laneselect(a: int, b: int, m: int) -> int:
    """As ``v128.bitselect`` (bit by bit, whatever the mask lane's top bit)."""
    return (a & m) | (b & (m ^ MASK128))


def f32x4_relaxed_min(a: int, b: int) -> int:
    """As ``f32x4.min``: a NaN lane gives NaN, -0 is less than +0."""
    return _from_bytes(_F32.pack(*map(_n.f32_min, _F32.unpack(_to_bytes(a)), _F32.unpack(_to_bytes(b)))))


def f32x4_relaxed_max(a: int, b: int) -> int:
    """As ``f32x4.max``: a NaN lane gives NaN, +0 is greater than -0."""
    return _from_bytes(_F32.pack(*map(_n.f32_max, _F32.unpack(_to_bytes(a)), _F32.unpack(_to_bytes(b)))))


def f64x2_relaxed_min(a: int, b: int) -> int:
    """As ``f64x2.min``: a NaN lane gives NaN, -0 is less than +0."""
    return _from_bytes(_F64.pack(*map(_n.f64_min, _F64.unpack(_to_bytes(a)), _F64.unpack(_to_bytes(b)))))


def f64x2_relaxed_max(a: int, b: int) -> int:
    """As ``f64x2.max``: a NaN lane gives NaN, +0 is greater than -0."""
    return _from_bytes(_F64.pack(*map(_n.f64_max, _F64.unpack(_to_bytes(a)), _F64.unpack(_to_bytes(b)))))


def i16x8_relaxed_q15mulr_s(a: int, b: int) -> int:
    """As ``i16x8.q15mulr_sat_s``: ``-32768 * -32768`` saturates to 32767."""
    products = map(int.__mul__, _S16.unpack(_to_bytes(a)), _S16.unpack(_to_bytes(b)))
    return _from_bytes(_S16.pack(*[min((p + 0x4000) >> 15, 0x7FFF) for p in products]))


def _dot_i16(a: int, b: int) -> list[int]:
    """Both operands' bytes signed; each pair of products summed, wrapped to a signed i16."""
    products = [x * y for x, y in zip(_S8.unpack(_to_bytes(a)), _S8.unpack(_to_bytes(b)))]
    return [((products[i] + products[i + 1] + 0x8000) & 0xFFFF) - 0x8000 for i in range(0, 16, 2)]


def i16x8_relaxed_dot_i8x16_i7x16_s(a: int, b: int) -> int:
    """Both operands signed (whatever the top bit of ``b``'s lanes): lane i is
    ``a[2i] * b[2i] + a[2i+1] * b[2i+1]`` wrapped to 16 bits (-128 * -128 twice wraps to -32768)."""
    return _from_bytes(_S16.pack(*_dot_i16(a, b)))


def i32x4_relaxed_dot_i8x16_i7x16_add_s(a: int, b: int, c: int) -> int:
    """The 16-bit dot products of :func:`i16x8_relaxed_dot_i8x16_i7x16_s` (wrapped), summed in pairs
    as signed values, plus ``c``'s lane, wrapped to 32 bits."""
    dots = _dot_i16(a, b)
    addends = _S32.unpack(_to_bytes(c))
    return _from_bytes(_U32.pack(*[(dots[2 * i] + dots[2 * i + 1] + addends[i]) & 0xFFFFFFFF for i in range(4)]))


RELAXED_FUNCTIONS: dict[str, Callable[..., int]] = {
    name.replace("_relaxed_", ".relaxed_", 1): function
    for name, function in dict(globals()).items()
    if "_relaxed_" in name and callable(function) and not name.startswith("_")
}
"""Mnemonic -> function, for every relaxed SIMD instruction."""
