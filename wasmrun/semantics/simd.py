"""WebAssembly SIMD (v128) lane operations, written once.

A v128 is a Python ``int`` in ``[0, 2**128)``; lane 0 is the least significant
(the bytes in memory order, little-endian).  One function per instruction,
named after its mnemonic with dots as underscores; an instruction's
immediates come first (``i8x16_extract_lane_s(lane, v)``,
``i8x16_shuffle(lanes, a, b)``) so a translator can bind them with
``functools.partial``.  :data:`SIMD_FUNCTIONS` maps every non-memory SIMD
mnemonic to its function.  The memory instructions belong to the engine, but
their lane parts are these functions: ``v128.load8x8_s`` is
``i16x8_extend_low_i8x16_s`` of the 8 bytes read, ``v128.load32_splat``
``i32x4_splat``, ``v128.load16_lane`` ``i16x8_replace_lane``,
``v128.store8_lane`` ``i8x16_extract_lane_u``.

How (read once):

* Bitwise operations, integer add/sub/neg, shifts, abs/neg of floats and
  splats work on the whole 128-bit integer at once ("SWAR"): a handful of
  big-int operations, with masks repeated across the lanes, instead of
  sixteen lane operations.
* Everything else unpacks the lanes with a pre-built ``struct.Struct`` over
  ``to_bytes(16, 'little')``, maps the rule over them and packs back.  Integer
  rules are C-level callables (``operator.mul``, ``min``, ``abs``) or inline
  comprehensions, so no Python function runs per lane; results that may leave
  the lane's range are masked and packed unsigned.  Shuffle and swizzle are a
  ``bytes.translate`` through a 256-byte table.
* Float lanes are unpacked with struct's 'f'/'d'.  'f' quietens a signalling
  NaN on the way in, which changes nothing for arithmetic (its result must be
  quiet anyway); the operations that must keep a NaN's bits (abs, neg, pmin,
  pmax) select or edit bits of the original integer lanes instead.  Every
  float lane rule is the scalar rule of :mod:`wasmrun.semantics.numeric`.
"""

from __future__ import annotations

import operator as _operator
from collections.abc import Callable, Sequence
from struct import Struct
from typing import Any

from wasmrun.instructions import OPCODES
from wasmrun.semantics import numeric as _n
from wasmrun.semantics.relaxed_simd import RELAXED_FUNCTIONS

MASK128 = (1 << 128) - 1

_U8 = Struct("<16B")
_S8 = Struct("<16b")
_U16 = Struct("<8H")
_S16 = Struct("<8h")
_U32 = Struct("<4I")
_S32 = Struct("<4i")
_U64 = Struct("<2Q")
_S64 = Struct("<2q")
_F32 = Struct("<4f")
_F64 = Struct("<2d")

# Per lane width: the unsigned and signed lane formats, the lane mask, and the
# 128-bit constant with a 1 in the lowest bit of every lane (x * it repeats x).
_UNSIGNED = {8: _U8, 16: _U16, 32: _U32, 64: _U64}
_SIGNED = {8: _S8, 16: _S16, 32: _S32, 64: _S64}
_ONES = {width: sum(1 << (i * width) for i in range(128 // width)) for width in (8, 16, 32, 64)}


def _ones(width: int) -> int:
    return _ONES[width]


def _high_bits(width: int) -> int:
    """The top bit of every lane."""
    return _ONES[width] << (width - 1)


def _to_bytes(v: int) -> bytes:
    return v.to_bytes(16, "little")


def _from_bytes(b: bytes) -> int:
    return int.from_bytes(b, "little")


def lanes_u(width: int, v: int) -> tuple[int, ...]:
    """The lanes of ``v`` as unsigned ints."""
    return _UNSIGNED[width].unpack(_to_bytes(v))


def lanes_s(width: int, v: int) -> tuple[int, ...]:
    """The lanes of ``v`` as signed ints."""
    return _SIGNED[width].unpack(_to_bytes(v))


def from_lanes(width: int, lanes: Sequence[int]) -> int:
    """The v128 of these lanes (each taken modulo 2**width)."""
    mask = (1 << width) - 1
    return _from_bytes(_UNSIGNED[width].pack(*[x & mask for x in lanes]))


def f32_lanes(v: int) -> tuple[float, ...]:
    """The four f32 lanes, each in the f32 representation (NaN payloads kept)."""
    return tuple(map(_n.f32_from_bits, _U32.unpack(_to_bytes(v))))


def f64_lanes(v: int) -> tuple[float, ...]:
    return _F64.unpack(_to_bytes(v))


def from_f32_lanes(lanes: Sequence[float]) -> int:
    return _from_bytes(_U32.pack(*map(_n.f32_to_bits, lanes)))


def from_f64_lanes(lanes: Sequence[float]) -> int:
    return _from_bytes(_F64.pack(*lanes))


# ---------------------------------------------------------------------------
# Bitwise
# ---------------------------------------------------------------------------


def v128_not(a: int) -> int:
    return a ^ MASK128


def v128_and(a: int, b: int) -> int:
    return a & b


def v128_andnot(a: int, b: int) -> int:
    return a & (b ^ MASK128)


def v128_or(a: int, b: int) -> int:
    return a | b


def v128_xor(a: int, b: int) -> int:
    return a ^ b


def v128_bitselect(a: int, b: int, c: int) -> int:
    return (a & c) | (b & (c ^ MASK128))


def v128_any_true(a: int) -> int:
    return 1 if a else 0


# ---------------------------------------------------------------------------
# Splat, extract, replace, shuffle, swizzle
# ---------------------------------------------------------------------------


def i8x16_splat(a: int) -> int:
    return (a & 0xFF) * _ones(8)


def i16x8_splat(a: int) -> int:
    return (a & 0xFFFF) * _ones(16)


def i32x4_splat(a: int) -> int:
    return a * _ones(32)


def i64x2_splat(a: int) -> int:
    return a * _ones(64)


def f32x4_splat(x: float) -> int:
    return _n.f32_to_bits(x) * _ones(32)


def f64x2_splat(x: float) -> int:
    return _n.f64_to_bits(x) * _ones(64)


def _lane_bits(width: int, lane: int, v: int) -> int:
    return (v >> (lane * width)) & ((1 << width) - 1)


def i8x16_extract_lane_s(lane: int, v: int) -> int:
    return (((_lane_bits(8, lane, v)) ^ 0x80) - 0x80) & 0xFFFFFFFF


def i8x16_extract_lane_u(lane: int, v: int) -> int:
    return _lane_bits(8, lane, v)


def i16x8_extract_lane_s(lane: int, v: int) -> int:
    return (((_lane_bits(16, lane, v)) ^ 0x8000) - 0x8000) & 0xFFFFFFFF


def i16x8_extract_lane_u(lane: int, v: int) -> int:
    return _lane_bits(16, lane, v)


def i32x4_extract_lane(lane: int, v: int) -> int:
    return _lane_bits(32, lane, v)


def i64x2_extract_lane(lane: int, v: int) -> int:
    return _lane_bits(64, lane, v)


def f32x4_extract_lane(lane: int, v: int) -> float:
    return _n.f32_from_bits(_lane_bits(32, lane, v))


def f64x2_extract_lane(lane: int, v: int) -> float:
    return _n.f64_from_bits(_lane_bits(64, lane, v))


def _replace(width: int, lane: int, v: int, bits: int) -> int:
    shift = lane * width
    mask = (1 << width) - 1
    return (v & ~(mask << shift) & MASK128) | ((bits & mask) << shift)


def i8x16_replace_lane(lane: int, v: int, a: int) -> int:
    return _replace(8, lane, v, a)


def i16x8_replace_lane(lane: int, v: int, a: int) -> int:
    return _replace(16, lane, v, a)


def i32x4_replace_lane(lane: int, v: int, a: int) -> int:
    return _replace(32, lane, v, a)


def i64x2_replace_lane(lane: int, v: int, a: int) -> int:
    return _replace(64, lane, v, a)


def f32x4_replace_lane(lane: int, v: int, x: float) -> int:
    return _replace(32, lane, v, _n.f32_to_bits(x))


def f64x2_replace_lane(lane: int, v: int, x: float) -> int:
    return _replace(64, lane, v, _n.f64_to_bits(x))


def i8x16_shuffle(lanes: Sequence[int], a: int, b: int) -> int:
    # bytes.translate looks every lane index up in a 256-entry table at C speed.
    return _from_bytes(bytes(lanes).translate(_to_bytes(a) + _to_bytes(b) + _ZEROS_224))


def i8x16_swizzle(a: int, s: int) -> int:
    # Indices past 15 select the zero bytes that pad the table.
    return _from_bytes(_to_bytes(s).translate(_to_bytes(a) + _ZEROS_240))


_ZEROS_224 = bytes(224)
_ZEROS_240 = bytes(240)


# ---------------------------------------------------------------------------
# Integer lane arithmetic
# ---------------------------------------------------------------------------


def _swar_add(width: int) -> Callable[[int, int], int]:
    high = _high_bits(width)
    low = MASK128 ^ high

    def add(a: int, b: int) -> int:
        # Add the low bits of every lane (no carry crosses a lane), then the top bits by xor.
        return ((a & low) + (b & low)) ^ ((a ^ b) & high)

    return add


def _swar_sub(width: int) -> Callable[[int, int], int]:
    high = _high_bits(width)
    low = MASK128 ^ high

    def sub(a: int, b: int) -> int:
        # Setting every lane's top bit first stops borrows crossing lanes.
        return (((a | high) - (b & low)) ^ ((a ^ b ^ high) & high)) & MASK128

    return sub


def _mapped(width: int, signed: bool, rule: Callable[..., int], wraps: bool, arity: int = 2) -> Callable[..., int]:
    """A v128 operation mapping ``rule`` (a C-level callable) over corresponding lanes.

    ``wraps``: the results may leave the lane's range and are taken modulo
    2**width; otherwise they are packed as they are, in the operands' format.
    """
    fmt = _SIGNED[width] if signed else _UNSIGNED[width]
    out, mask = _UNSIGNED[width], (1 << width) - 1

    def unary(a: int) -> int:
        lanes = map(rule, fmt.unpack(_to_bytes(a)))
        return _from_bytes(out.pack(*[x & mask for x in lanes]) if wraps else fmt.pack(*lanes))

    def binary(a: int, b: int) -> int:
        lanes = map(rule, fmt.unpack(_to_bytes(a)), fmt.unpack(_to_bytes(b)))
        return _from_bytes(out.pack(*[x & mask for x in lanes]) if wraps else fmt.pack(*lanes))

    return unary if arity == 1 else binary


def _saturating(width: int, signed: bool, rule: Callable[[int, int], int]) -> Callable[[int, int], int]:
    """A lane-wise ``rule`` (C-level) whose results are clamped to the lane's range."""
    fmt = _SIGNED[width] if signed else _UNSIGNED[width]
    low, high = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, (1 << width) - 1)

    def saturating(a: int, b: int) -> int:
        lanes = map(rule, fmt.unpack(_to_bytes(a)), fmt.unpack(_to_bytes(b)))
        return _from_bytes(fmt.pack(*[low if x < low else high if x > high else x for x in lanes]))

    return saturating


def _comparison(lanes: Struct, out: Struct, width: int, test: Callable[[Any, Any], bool]) -> Callable[[int, int], int]:
    """Lanes of all ones where ``test`` (a C-level comparison) holds, else zeros."""
    mask = (1 << width) - 1

    def compare(a: int, b: int) -> int:
        # Each lane holds 0 or 1; times the lane mask that is 0 or all ones, carry-free.
        return _from_bytes(out.pack(*map(test, lanes.unpack(_to_bytes(a)), lanes.unpack(_to_bytes(b))))) * mask

    return compare


def _shl(width: int) -> Callable[[int, int], int]:
    ones, mask = _ones(width), (1 << width) - 1

    def shl(v: int, count: int) -> int:
        k = count & (width - 1)
        return (v << k) & (((mask << k) & mask) * ones)

    return shl


def _shr_u(width: int) -> Callable[[int, int], int]:
    ones, mask = _ones(width), (1 << width) - 1

    def shr_u(v: int, count: int) -> int:
        k = count & (width - 1)
        return (v >> k) & ((mask >> k) * ones)

    return shr_u


def _shr_s(width: int) -> Callable[[int, int], int]:
    signed = _SIGNED[width]

    def shr_s(v: int, count: int) -> int:
        k = count & (width - 1)
        return _from_bytes(signed.pack(*[x >> k for x in signed.unpack(_to_bytes(v))]))

    return shr_s


# Byte 0/1 -> ASCII '0'/'1', for reading a row of lane bits as a binary numeral.
_BINARY_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def _bitmask(width: int) -> Callable[[int], int]:
    ones = _ones(width)
    lanes = _UNSIGNED[width]

    def bitmask(v: int) -> int:
        signs = bytes(lanes.unpack(_to_bytes((v >> (width - 1)) & ones)))  # one 0/1 byte per lane
        return int(signs.translate(_BINARY_DIGITS)[::-1], 2)

    return bitmask


def _all_true(width: int) -> Callable[[int], int]:
    fmt = _UNSIGNED[width]

    def all_true(v: int) -> int:
        return 1 if all(fmt.unpack(_to_bytes(v))) else 0

    return all_true


def _avgr(width: int) -> Callable[[int, int], int]:
    fmt = _UNSIGNED[width]

    def avgr_u(a: int, b: int) -> int:
        return _from_bytes(
            fmt.pack(*[(x + y + 1) >> 1 for x, y in zip(fmt.unpack(_to_bytes(a)), fmt.unpack(_to_bytes(b)))])
        )

    return avgr_u


i8x16_add = _swar_add(8)
i16x8_add = _swar_add(16)
i32x4_add = _swar_add(32)
i64x2_add = _swar_add(64)
i8x16_sub = _swar_sub(8)
i16x8_sub = _swar_sub(16)
i32x4_sub = _swar_sub(32)
i64x2_sub = _swar_sub(64)


def i8x16_neg(a: int) -> int:
    return i8x16_sub(0, a)


def i16x8_neg(a: int) -> int:
    return i16x8_sub(0, a)


def i32x4_neg(a: int) -> int:
    return i32x4_sub(0, a)


def i64x2_neg(a: int) -> int:
    return i64x2_sub(0, a)


# abs of the most negative lane is itself: wraps.
i8x16_abs = _mapped(8, True, abs, wraps=True, arity=1)
i16x8_abs = _mapped(16, True, abs, wraps=True, arity=1)
i32x4_abs = _mapped(32, True, abs, wraps=True, arity=1)
i64x2_abs = _mapped(64, True, abs, wraps=True, arity=1)
i8x16_popcnt = _mapped(8, False, int.bit_count, wraps=False, arity=1)

i16x8_mul = _mapped(16, False, _operator.mul, wraps=True)
i32x4_mul = _mapped(32, False, _operator.mul, wraps=True)
i64x2_mul = _mapped(64, False, _operator.mul, wraps=True)

i8x16_add_sat_s = _saturating(8, True, _operator.add)
i8x16_add_sat_u = _saturating(8, False, _operator.add)
i8x16_sub_sat_s = _saturating(8, True, _operator.sub)
i8x16_sub_sat_u = _saturating(8, False, _operator.sub)
i16x8_add_sat_s = _saturating(16, True, _operator.add)
i16x8_add_sat_u = _saturating(16, False, _operator.add)
i16x8_sub_sat_s = _saturating(16, True, _operator.sub)
i16x8_sub_sat_u = _saturating(16, False, _operator.sub)


def i16x8_q15mulr_sat_s(a: int, b: int) -> int:
    # Rounding multiply of Q15 fixed-point numbers; only -1 * -1 overflows.
    products = map(_operator.mul, _S16.unpack(_to_bytes(a)), _S16.unpack(_to_bytes(b)))
    return _from_bytes(_S16.pack(*[min((p + 0x4000) >> 15, 0x7FFF) for p in products]))


i8x16_min_s = _mapped(8, True, min, wraps=False)
i8x16_min_u = _mapped(8, False, min, wraps=False)
i8x16_max_s = _mapped(8, True, max, wraps=False)
i8x16_max_u = _mapped(8, False, max, wraps=False)
i16x8_min_s = _mapped(16, True, min, wraps=False)
i16x8_min_u = _mapped(16, False, min, wraps=False)
i16x8_max_s = _mapped(16, True, max, wraps=False)
i16x8_max_u = _mapped(16, False, max, wraps=False)
i32x4_min_s = _mapped(32, True, min, wraps=False)
i32x4_min_u = _mapped(32, False, min, wraps=False)
i32x4_max_s = _mapped(32, True, max, wraps=False)
i32x4_max_u = _mapped(32, False, max, wraps=False)
i8x16_avgr_u = _avgr(8)
i16x8_avgr_u = _avgr(16)

i8x16_shl, i8x16_shr_s, i8x16_shr_u = _shl(8), _shr_s(8), _shr_u(8)
i16x8_shl, i16x8_shr_s, i16x8_shr_u = _shl(16), _shr_s(16), _shr_u(16)
i32x4_shl, i32x4_shr_s, i32x4_shr_u = _shl(32), _shr_s(32), _shr_u(32)
i64x2_shl, i64x2_shr_s, i64x2_shr_u = _shl(64), _shr_s(64), _shr_u(64)

i8x16_bitmask, i16x8_bitmask, i32x4_bitmask, i64x2_bitmask = _bitmask(8), _bitmask(16), _bitmask(32), _bitmask(64)
i8x16_all_true, i16x8_all_true, i32x4_all_true, i64x2_all_true = (
    _all_true(8),
    _all_true(16),
    _all_true(32),
    _all_true(64),
)

_TESTS = {
    "eq": _operator.eq,
    "ne": _operator.ne,
    "lt": _operator.lt,
    "gt": _operator.gt,
    "le": _operator.le,
    "ge": _operator.ge,
}


def _integer_comparisons() -> dict[str, Callable[[int, int], int]]:
    table: dict[str, Callable[[int, int], int]] = {}
    for shape, width in (("i8x16", 8), ("i16x8", 16), ("i32x4", 32), ("i64x2", 64)):
        for name, test in _TESTS.items():
            if name in ("eq", "ne"):
                table[f"{shape}.{name}"] = _comparison(_UNSIGNED[width], _UNSIGNED[width], width, test)
            else:
                table[f"{shape}.{name}_s"] = _comparison(_SIGNED[width], _UNSIGNED[width], width, test)
                if width != 64:  # i64x2 has only the signed orderings
                    table[f"{shape}.{name}_u"] = _comparison(_UNSIGNED[width], _UNSIGNED[width], width, test)
    return table


_INTEGER_COMPARISONS = _integer_comparisons()
i8x16_eq = _INTEGER_COMPARISONS["i8x16.eq"]
i8x16_ne = _INTEGER_COMPARISONS["i8x16.ne"]
i8x16_lt_s = _INTEGER_COMPARISONS["i8x16.lt_s"]
i8x16_lt_u = _INTEGER_COMPARISONS["i8x16.lt_u"]
i8x16_gt_s = _INTEGER_COMPARISONS["i8x16.gt_s"]
i8x16_gt_u = _INTEGER_COMPARISONS["i8x16.gt_u"]
i8x16_le_s = _INTEGER_COMPARISONS["i8x16.le_s"]
i8x16_le_u = _INTEGER_COMPARISONS["i8x16.le_u"]
i8x16_ge_s = _INTEGER_COMPARISONS["i8x16.ge_s"]
i8x16_ge_u = _INTEGER_COMPARISONS["i8x16.ge_u"]
i16x8_eq = _INTEGER_COMPARISONS["i16x8.eq"]
i16x8_ne = _INTEGER_COMPARISONS["i16x8.ne"]
i16x8_lt_s = _INTEGER_COMPARISONS["i16x8.lt_s"]
i16x8_lt_u = _INTEGER_COMPARISONS["i16x8.lt_u"]
i16x8_gt_s = _INTEGER_COMPARISONS["i16x8.gt_s"]
i16x8_gt_u = _INTEGER_COMPARISONS["i16x8.gt_u"]
i16x8_le_s = _INTEGER_COMPARISONS["i16x8.le_s"]
i16x8_le_u = _INTEGER_COMPARISONS["i16x8.le_u"]
i16x8_ge_s = _INTEGER_COMPARISONS["i16x8.ge_s"]
i16x8_ge_u = _INTEGER_COMPARISONS["i16x8.ge_u"]
i32x4_eq = _INTEGER_COMPARISONS["i32x4.eq"]
i32x4_ne = _INTEGER_COMPARISONS["i32x4.ne"]
i32x4_lt_s = _INTEGER_COMPARISONS["i32x4.lt_s"]
i32x4_lt_u = _INTEGER_COMPARISONS["i32x4.lt_u"]
i32x4_gt_s = _INTEGER_COMPARISONS["i32x4.gt_s"]
i32x4_gt_u = _INTEGER_COMPARISONS["i32x4.gt_u"]
i32x4_le_s = _INTEGER_COMPARISONS["i32x4.le_s"]
i32x4_le_u = _INTEGER_COMPARISONS["i32x4.le_u"]
i32x4_ge_s = _INTEGER_COMPARISONS["i32x4.ge_s"]
i32x4_ge_u = _INTEGER_COMPARISONS["i32x4.ge_u"]
i64x2_eq = _INTEGER_COMPARISONS["i64x2.eq"]
i64x2_ne = _INTEGER_COMPARISONS["i64x2.ne"]
i64x2_lt_s = _INTEGER_COMPARISONS["i64x2.lt_s"]
i64x2_gt_s = _INTEGER_COMPARISONS["i64x2.gt_s"]
i64x2_le_s = _INTEGER_COMPARISONS["i64x2.le_s"]
i64x2_ge_s = _INTEGER_COMPARISONS["i64x2.ge_s"]


# ---------------------------------------------------------------------------
# Narrowing, widening, pairwise, dot product
# ---------------------------------------------------------------------------


def _narrow(width: int, signed: bool) -> Callable[[int, int], int]:
    """Narrow two vectors of ``width``-bit signed lanes into one of half-width lanes, saturating."""
    source = _SIGNED[width]
    half = width // 2
    out = _SIGNED[half] if signed else _UNSIGNED[half]
    low, high = (-(1 << (half - 1)), (1 << (half - 1)) - 1) if signed else (0, (1 << half) - 1)

    def narrow(a: int, b: int) -> int:
        lanes = source.unpack(_to_bytes(a)) + source.unpack(_to_bytes(b))
        return _from_bytes(out.pack(*[low if x < low else high if x > high else x for x in lanes]))

    return narrow


def _extend(width: int, high: bool, signed: bool) -> Callable[[int], int]:
    """Widen the low or high half of ``width``-bit lanes to ``2 * width`` bits."""
    source = _SIGNED[width] if signed else _UNSIGNED[width]
    count = 64 // width

    def extend(a: int) -> int:
        lanes = source.unpack(_to_bytes(a))
        return from_lanes(2 * width, lanes[count:] if high else lanes[:count])

    return extend


def _extmul(width: int, high: bool, signed: bool) -> Callable[[int, int], int]:
    source = _SIGNED[width] if signed else _UNSIGNED[width]
    count = 64 // width

    def extmul(a: int, b: int) -> int:
        xs, ys = source.unpack(_to_bytes(a)), source.unpack(_to_bytes(b))
        part = slice(count, None) if high else slice(None, count)
        return from_lanes(2 * width, [x * y for x, y in zip(xs[part], ys[part])])

    return extmul


def _extadd_pairwise(width: int, signed: bool) -> Callable[[int], int]:
    source = _SIGNED[width] if signed else _UNSIGNED[width]

    def extadd_pairwise(a: int) -> int:
        lanes = source.unpack(_to_bytes(a))
        return from_lanes(2 * width, [lanes[i] + lanes[i + 1] for i in range(0, len(lanes), 2)])

    return extadd_pairwise


i8x16_narrow_i16x8_s = _narrow(16, True)
i8x16_narrow_i16x8_u = _narrow(16, False)
i16x8_narrow_i32x4_s = _narrow(32, True)
i16x8_narrow_i32x4_u = _narrow(32, False)
i16x8_extend_low_i8x16_s = _extend(8, False, True)
i16x8_extend_high_i8x16_s = _extend(8, True, True)
i16x8_extend_low_i8x16_u = _extend(8, False, False)
i16x8_extend_high_i8x16_u = _extend(8, True, False)
i32x4_extend_low_i16x8_s = _extend(16, False, True)
i32x4_extend_high_i16x8_s = _extend(16, True, True)
i32x4_extend_low_i16x8_u = _extend(16, False, False)
i32x4_extend_high_i16x8_u = _extend(16, True, False)
i64x2_extend_low_i32x4_s = _extend(32, False, True)
i64x2_extend_high_i32x4_s = _extend(32, True, True)
i64x2_extend_low_i32x4_u = _extend(32, False, False)
i64x2_extend_high_i32x4_u = _extend(32, True, False)
i16x8_extmul_low_i8x16_s = _extmul(8, False, True)
i16x8_extmul_high_i8x16_s = _extmul(8, True, True)
i16x8_extmul_low_i8x16_u = _extmul(8, False, False)
i16x8_extmul_high_i8x16_u = _extmul(8, True, False)
i32x4_extmul_low_i16x8_s = _extmul(16, False, True)
i32x4_extmul_high_i16x8_s = _extmul(16, True, True)
i32x4_extmul_low_i16x8_u = _extmul(16, False, False)
i32x4_extmul_high_i16x8_u = _extmul(16, True, False)
i64x2_extmul_low_i32x4_s = _extmul(32, False, True)
i64x2_extmul_high_i32x4_s = _extmul(32, True, True)
i64x2_extmul_low_i32x4_u = _extmul(32, False, False)
i64x2_extmul_high_i32x4_u = _extmul(32, True, False)
i16x8_extadd_pairwise_i8x16_s = _extadd_pairwise(8, True)
i16x8_extadd_pairwise_i8x16_u = _extadd_pairwise(8, False)
i32x4_extadd_pairwise_i16x8_s = _extadd_pairwise(16, True)
i32x4_extadd_pairwise_i16x8_u = _extadd_pairwise(16, False)


def i32x4_dot_i16x8_s(a: int, b: int) -> int:
    products = [x * y for x, y in zip(_S16.unpack(_to_bytes(a)), _S16.unpack(_to_bytes(b)))]
    return from_lanes(32, [products[i] + products[i + 1] for i in range(0, 8, 2)])


# ---------------------------------------------------------------------------
# Float lanes: the scalar rules, lane by lane
# ---------------------------------------------------------------------------

_F32_SIGNS = _high_bits(32)
_F64_SIGNS = _high_bits(64)


def f32x4_abs(a: int) -> int:
    return a & (MASK128 ^ _F32_SIGNS)


def f32x4_neg(a: int) -> int:
    return a ^ _F32_SIGNS


def f64x2_abs(a: int) -> int:
    return a & (MASK128 ^ _F64_SIGNS)


def f64x2_neg(a: int) -> int:
    return a ^ _F64_SIGNS


def _float_unary(lanes: Struct, rule: Callable[[float], float]) -> Callable[[int], int]:
    def unary(a: int) -> int:
        return _from_bytes(lanes.pack(*map(rule, lanes.unpack(_to_bytes(a)))))

    return unary


def _float_binary(lanes: Struct, rule: Callable[[float, float], float]) -> Callable[[int, int], int]:
    def binary(a: int, b: int) -> int:
        return _from_bytes(lanes.pack(*map(rule, lanes.unpack(_to_bytes(a)), lanes.unpack(_to_bytes(b)))))

    return binary


def _pseudo(lanes: Struct, width: int, take_b: Callable[[float, float], bool]) -> Callable[[int, int], int]:
    """pmin/pmax: a lane of ``b`` if ``take_b(a, b)``, else the lane of ``a``, bits unchanged."""
    mask = (1 << width) - 1

    def pseudo(a: int, b: int) -> int:
        result = a
        for i, (x, y) in enumerate(zip(lanes.unpack(_to_bytes(a)), lanes.unpack(_to_bytes(b)))):
            if take_b(x, y):
                shift = i * width
                result = (result & ~(mask << shift)) | (b & (mask << shift))
        return result

    return pseudo


f32x4_sqrt = _float_unary(_F32, _n.f32_sqrt)
f32x4_ceil = _float_unary(_F32, _n.f32_ceil)
f32x4_floor = _float_unary(_F32, _n.f32_floor)
f32x4_trunc = _float_unary(_F32, _n.f32_trunc)
f32x4_nearest = _float_unary(_F32, _n.f32_nearest)
f32x4_add = _float_binary(_F32, _n.f32_add)
f32x4_sub = _float_binary(_F32, _n.f32_sub)
f32x4_mul = _float_binary(_F32, _n.f32_mul)
f32x4_div = _float_binary(_F32, _n.f32_div)
f32x4_min = _float_binary(_F32, _n.f32_min)
f32x4_max = _float_binary(_F32, _n.f32_max)
f32x4_pmin = _pseudo(_F32, 32, lambda x, y: y < x)
f32x4_pmax = _pseudo(_F32, 32, lambda x, y: x < y)
f32x4_eq = _comparison(_F32, _U32, 32, _TESTS["eq"])
f32x4_ne = _comparison(_F32, _U32, 32, _TESTS["ne"])
f32x4_lt = _comparison(_F32, _U32, 32, _TESTS["lt"])
f32x4_gt = _comparison(_F32, _U32, 32, _TESTS["gt"])
f32x4_le = _comparison(_F32, _U32, 32, _TESTS["le"])
f32x4_ge = _comparison(_F32, _U32, 32, _TESTS["ge"])

f64x2_sqrt = _float_unary(_F64, _n.f64_sqrt)
f64x2_ceil = _float_unary(_F64, _n.f64_ceil)
f64x2_floor = _float_unary(_F64, _n.f64_floor)
f64x2_trunc = _float_unary(_F64, _n.f64_trunc)
f64x2_nearest = _float_unary(_F64, _n.f64_nearest)
f64x2_add = _float_binary(_F64, _n.f64_add)
f64x2_sub = _float_binary(_F64, _n.f64_sub)
f64x2_mul = _float_binary(_F64, _n.f64_mul)
f64x2_div = _float_binary(_F64, _n.f64_div)
f64x2_min = _float_binary(_F64, _n.f64_min)
f64x2_max = _float_binary(_F64, _n.f64_max)
f64x2_pmin = _pseudo(_F64, 64, lambda x, y: y < x)
f64x2_pmax = _pseudo(_F64, 64, lambda x, y: x < y)
f64x2_eq = _comparison(_F64, _U64, 64, _TESTS["eq"])
f64x2_ne = _comparison(_F64, _U64, 64, _TESTS["ne"])
f64x2_lt = _comparison(_F64, _U64, 64, _TESTS["lt"])
f64x2_gt = _comparison(_F64, _U64, 64, _TESTS["gt"])
f64x2_le = _comparison(_F64, _U64, 64, _TESTS["le"])
f64x2_ge = _comparison(_F64, _U64, 64, _TESTS["ge"])


# ---------------------------------------------------------------------------
# Conversions
# ---------------------------------------------------------------------------


def i32x4_trunc_sat_f32x4_s(a: int) -> int:
    return from_lanes(32, [_n.i32_trunc_sat_f32_s(x) for x in _F32.unpack(_to_bytes(a))])


def i32x4_trunc_sat_f32x4_u(a: int) -> int:
    return from_lanes(32, [_n.i32_trunc_sat_f32_u(x) for x in _F32.unpack(_to_bytes(a))])


def i32x4_trunc_sat_f64x2_s_zero(a: int) -> int:
    return from_lanes(32, [*(_n.i32_trunc_sat_f64_s(x) for x in _F64.unpack(_to_bytes(a))), 0, 0])


def i32x4_trunc_sat_f64x2_u_zero(a: int) -> int:
    return from_lanes(32, [*(_n.i32_trunc_sat_f64_u(x) for x in _F64.unpack(_to_bytes(a))), 0, 0])


def f32x4_convert_i32x4_s(a: int) -> int:
    return _from_bytes(_F32.pack(*map(_n.f32_convert_i32_s, _U32.unpack(_to_bytes(a)))))


def f32x4_convert_i32x4_u(a: int) -> int:
    return _from_bytes(_F32.pack(*map(_n.f32_convert_i32_u, _U32.unpack(_to_bytes(a)))))


def f64x2_convert_low_i32x4_s(a: int) -> int:
    return _from_bytes(_F64.pack(*map(_n.f64_convert_i32_s, _U32.unpack(_to_bytes(a))[:2])))


def f64x2_convert_low_i32x4_u(a: int) -> int:
    return _from_bytes(_F64.pack(*map(_n.f64_convert_i32_u, _U32.unpack(_to_bytes(a))[:2])))


def f32x4_demote_f64x2_zero(a: int) -> int:
    return _from_bytes(_F32.pack(*map(_n.f32_demote_f64, _F64.unpack(_to_bytes(a))), 0.0, 0.0))


def f64x2_promote_low_f32x4(a: int) -> int:
    return _from_bytes(_F64.pack(*map(_n.f64_promote_f32, _F32.unpack(_to_bytes(a))[:2])))


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------


def _is_lane_operation(info: Any) -> bool:
    # Every SIMD instruction but the memory ones and v128.const.
    return info.is_simd and info.width is None and info.immediate != "v128"


_FUNCTIONS = {**globals(), **{mnemonic.replace(".", "_"): f for mnemonic, f in RELAXED_FUNCTIONS.items()}}

SIMD_FUNCTIONS: dict[str, Callable[..., Any]] = {
    info.mnemonic: _FUNCTIONS[info.mnemonic.replace(".", "_")]
    for info in OPCODES.values()
    if _is_lane_operation(info) and info.mnemonic.replace(".", "_") in _FUNCTIONS
}
"""Mnemonic -> function for every SIMD instruction except memory access and ``v128.const`` (the relaxed
ones from :mod:`wasmrun.semantics.relaxed_simd`).

Instructions with immediates take them first: a lane index
(``*.extract_lane``, ``*.replace_lane``) or the 16 lane indices of
``i8x16.shuffle``.
"""
