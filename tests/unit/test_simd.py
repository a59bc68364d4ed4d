"""Tests for wasmrun.semantics.simd: edge cases, lane-wise oracles, spec cases."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wasmrun.instructions import OPCODES
from wasmrun.semantics import numeric as n
from wasmrun.semantics import simd as s

sys.path.insert(0, str(Path(__file__).parent))
from testdata import require
from wast_expressions import ExpressionEvaluator, collect_cases, iter_failures


def v(width: int, *lanes: int) -> int:
    """A v128 from its first lanes (the rest zero)."""
    return s.from_lanes(width, [*lanes, *[0] * (128 // width - len(lanes))])


def f32x4(*bits: int) -> int:
    return v(32, *bits)


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

LANE_OPCODES = [info for info in OPCODES.values() if info.is_simd and info.width is None and info.immediate != "v128"]


def test_every_lane_instruction_has_a_function() -> None:
    assert sorted(s.SIMD_FUNCTIONS) == sorted(info.mnemonic for info in LANE_OPCODES)


@pytest.mark.parametrize("info", LANE_OPCODES, ids=lambda info: info.mnemonic)
def test_function_arity_matches_opcode_table(info: Any) -> None:
    fn = s.SIMD_FUNCTIONS[info.mnemonic]
    immediates = 0 if info.immediate == "none" else 1
    assert fn.__code__.co_argcount == len(info.params) + immediates


# ---------------------------------------------------------------------------
# Edge cases
# ---------------------------------------------------------------------------

# 0/0 is the processor's default NaN (inf - inf): 0xFFC00000 on x86, 0x7FC00000 on ARM (see numeric._nan).
DEFAULT_NAN32 = n.f32_to_bits(math.inf - math.inf)

EDGES = [
    ("i8x16.splat", (0x1FF,), v(8, *[0xFF] * 16)),
    ("i16x8.splat", (0x12345,), v(16, *[0x2345] * 8)),
    ("i64x2.splat", (n.MASK64,), s.MASK128),
    ("i8x16.extract_lane_s", (15, v(8, *[0] * 15, 0x80)), 0xFFFFFF80),
    ("i8x16.extract_lane_u", (15, v(8, *[0] * 15, 0x80)), 0x80),
    ("i16x8.extract_lane_s", (0, v(16, 0xFFFF)), 0xFFFFFFFF),
    ("i64x2.extract_lane", (1, v(64, 1, n.MASK64)), n.MASK64),
    ("i8x16.replace_lane", (3, 0, 0x1AB), v(8, 0, 0, 0, 0xAB)),
    ("i32x4.replace_lane", (0, s.MASK128, 0), v(32, 0, n.MASK32, n.MASK32, n.MASK32)),
    ("i8x16.shuffle", (tuple(range(31, 15, -1)), 0, v(8, *range(16))), v(8, *range(15, -1, -1))),
    ("i8x16.shuffle", ((0,) * 16, v(8, 7), 0), v(8, *[7] * 16)),
    ("i8x16.swizzle", (v(8, *range(100, 116)), v(8, 15, 16, 255, 0x80, 0)), v(8, 115, 0, 0, 0, 100, *[100] * 11)),
    ("i8x16.add", (v(8, 0xFF, 0x80), v(8, 1, 0x80)), 0),
    ("i8x16.sub", (0, v(8, 1)), v(8, 0xFF)),
    ("i64x2.add", (v(64, n.MASK64, 1), v(64, 1, n.MASK64)), 0),
    ("i32x4.sub", (v(32, 0, 5), v(32, 1, 6)), v(32, n.MASK32, n.MASK32)),
    ("i8x16.neg", (v(8, 0x80, 1, 0),), v(8, 0x80, 0xFF, 0)),
    ("i8x16.abs", (v(8, 0x80, 0xFF, 5),), v(8, 0x80, 1, 5)),
    ("i64x2.abs", (v(64, 1 << 63, n.MASK64),), v(64, 1 << 63, 1)),
    ("i8x16.add_sat_s", (v(8, 0x7F, 0x80, 0x7F), v(8, 1, 0xFF, 0x80)), v(8, 0x7F, 0x80, 0xFF)),
    ("i8x16.add_sat_u", (v(8, 0xFF, 0xFE), v(8, 1, 1)), v(8, 0xFF, 0xFF)),
    ("i8x16.sub_sat_u", (v(8, 0, 5), v(8, 1, 3)), v(8, 0, 2)),
    ("i16x8.sub_sat_s", (v(16, 0x8000, 0x7FFF), v(16, 1, 0xFFFF)), v(16, 0x8000, 0x7FFF)),
    ("i16x8.q15mulr_sat_s", (v(16, 0x8000, 0x4000), v(16, 0x8000, 0x4000)), v(16, 0x7FFF, 0x2000)),
    ("i16x8.q15mulr_sat_s", (v(16, 0x8000), v(16, 0x7FFF)), v(16, 0x8001)),
    ("i32x4.dot_i16x8_s", (v(16, 0x8000, 0x8000), v(16, 0x8000, 0x8000)), v(32, 0x80000000)),
    ("i8x16.avgr_u", (v(8, 0xFF, 0, 1), v(8, 0xFF, 1, 2)), v(8, 0xFF, 1, 2)),
    ("i8x16.min_s", (v(8, 0x80, 1), v(8, 0x7F, 2)), v(8, 0x80, 1)),
    ("i8x16.min_u", (v(8, 0x80, 1), v(8, 0x7F, 2)), v(8, 0x7F, 1)),
    ("i32x4.max_s", (v(32, n.MASK32), v(32, 0)), 0),
    ("i8x16.shl", (v(8, 0xFF, 1), 9), v(8, 0xFE, 2)),
    ("i8x16.shr_u", (v(8, 0x80, 0xFF), 7), v(8, 1, 1)),
    ("i8x16.shr_s", (v(8, 0x80, 0x40), 7), v(8, 0xFF, 0)),
    ("i16x8.shr_s", (v(16, 0x8000), 16), v(16, 0x8000)),
    ("i64x2.shl", (v(64, 1, 1), 63), v(64, 1 << 63, 1 << 63)),
    ("i64x2.shr_s", (v(64, 1 << 63, 1), 65), v(64, 0xC000000000000000, 0)),
    ("i64x2.shr_u", (v(64, 1 << 63, 2), 1), v(64, 1 << 62, 1)),
    ("i8x16.eq", (v(8, 1, 2), v(8, 1, 3)), v(8, 0xFF, 0, *[0xFF] * 14)),
    ("i8x16.lt_s", (v(8, 0x80), v(8, 0x7F)), v(8, 0xFF)),
    ("i8x16.lt_u", (v(8, 0x80), v(8, 0x7F)), 0),
    ("i64x2.gt_s", (v(64, 1, n.MASK64), v(64, n.MASK64, 1)), v(64, n.MASK64, 0)),
    ("i8x16.narrow_i16x8_s", (v(16, 0x100, 0xFF00, 0x7F), v(16, 0x8000)), v(8, 0x7F, 0x80, 0x7F, 0, 0, 0, 0, 0, 0x80)),
    ("i8x16.narrow_i16x8_u", (v(16, 0x100, 0xFFFF, 0xFF), 0), v(8, 0xFF, 0, 0xFF)),
    ("i16x8.narrow_i32x4_u", (v(32, 0x10000, 0x80000000), 0), v(16, 0xFFFF, 0)),
    ("i16x8.extend_high_i8x16_s", (v(8, *[0] * 8, 0x80, 0x7F),), v(16, 0xFF80, 0x7F)),
    ("i16x8.extend_low_i8x16_u", (v(8, 0x80, 0xFF),), v(16, 0x80, 0xFF)),
    ("i64x2.extend_low_i32x4_s", (v(32, 0x80000000, 1),), v(64, 0xFFFFFFFF80000000, 1)),
    ("i64x2.extmul_high_i32x4_u", (v(32, 0, 0, n.MASK32, 2), v(32, 0, 0, n.MASK32, 3)), v(64, (n.MASK32**2), 6)),
    ("i64x2.extmul_low_i32x4_s", (v(32, n.MASK32), v(32, n.MASK32)), v(64, 1)),
    ("i16x8.extadd_pairwise_i8x16_s", (v(8, 0x80, 0x80, 0x7F, 0x7F),), v(16, 0xFF00, 0xFE)),
    ("i32x4.extadd_pairwise_i16x8_u", (v(16, 0xFFFF, 0xFFFF),), v(32, 0x1FFFE)),
    ("i16x8.mul", (v(16, 0x8000, 0xFFFF), v(16, 2, 0xFFFF)), v(16, 0, 1)),
    ("i64x2.mul", (v(64, 1 << 63), v(64, 2)), 0),
    ("i8x16.popcnt", (v(8, 0xFF, 0x81, 0),), v(8, 8, 2, 0)),
    ("i8x16.bitmask", (v(8, 0x80, 0, 0xFF, *[0] * 12, 0x80),), 0x8005),
    ("i16x8.bitmask", (v(16, 0, 0x8000),), 2),
    ("i64x2.bitmask", (v(64, 1 << 63, 1 << 62),), 1),
    ("i8x16.all_true", (v(8, *[1] * 15, 0),), 0),
    ("i8x16.all_true", (v(8, *[1] * 16),), 1),
    ("i32x4.all_true", (v(32, 1, 1, 1, 0x100),), 1),
    ("v128.any_true", (1 << 127,), 1),
    ("v128.any_true", (0,), 0),
    ("v128.not", (0,), s.MASK128),
    ("v128.andnot", (0b1100, 0b1010), 0b0100),
    ("v128.bitselect", (0b1100, 0b1010, 0b0110), 0b1100 & 0b0110 | 0b1010 & ~0b0110),
    # Floats: sign operations and pmin/pmax keep every bit, NaNs included.
    (
        "f32x4.abs",
        (f32x4(0xFFA00001, 0x80000000, 0x7FC00000, 0xBF800000),),
        f32x4(0x7FA00001, 0, 0x7FC00000, 0x3F800000),
    ),
    ("f32x4.neg", (f32x4(0x7F800001, 0),), f32x4(0xFF800001, 0x80000000, 0x80000000, 0x80000000)),
    ("f64x2.neg", (v(64, 0x7FF0000000000001, 0),), v(64, 0xFFF0000000000001, 1 << 63)),
    (
        "f32x4.pmin",
        (f32x4(0x7FA00000, 0x80000000, 0x3F800000), f32x4(0x3F800000, 0, 0x7FA00000)),
        f32x4(0x7FA00000, 0x80000000, 0x3F800000),
    ),
    ("f32x4.pmax", (f32x4(0, 0x3F800000), f32x4(0x80000000, 0x40000000)), f32x4(0, 0x40000000)),
    (
        "f64x2.pmin",
        (v(64, 0x7FF4000000000000, 0x4000000000000000), v(64, 0, 0x3FF0000000000000)),
        v(64, 0x7FF4000000000000, 0x3FF0000000000000),
    ),
    ("f32x4.min", (f32x4(0, 0x3F800000), f32x4(0x80000000, 0x40000000)), f32x4(0x80000000, 0x3F800000)),
    ("f32x4.max", (f32x4(0x80000000, 0x7F800000), f32x4(0, 0xFF800000)), f32x4(0, 0x7F800000)),
    (
        "f32x4.eq",
        (f32x4(0x7FC00000, 0, 0x3F800000), f32x4(0x7FC00000, 0x80000000, 0x3F800001)),
        f32x4(0, n.MASK32, 0, n.MASK32),
    ),
    ("f64x2.lt", (v(64, 0xBFF0000000000000, 0x7FF8000000000000), v(64, 0, 0)), v(64, n.MASK64, 0)),
    ("f32x4.add", (f32x4(0x3F800000, 0x7F7FFFFF), f32x4(0x33800000, 0x7F7FFFFF)), f32x4(0x3F800000, 0x7F800000)),
    ("f32x4.nearest", (f32x4(0x3FC00000, 0x40200000, 0xBF000000),), f32x4(0x40000000, 0x40000000, 0x80000000)),
    ("f32x4.sqrt", (f32x4(0x40800000, 0x80000000),), f32x4(0x40000000, 0x80000000)),
    (
        "f32x4.div",
        (f32x4(0x3F800000, 0xBF800000), f32x4(0, 0)),
        f32x4(0x7F800000, 0xFF800000, DEFAULT_NAN32, DEFAULT_NAN32),
    ),
    ("f32x4.convert_i32x4_s", (v(32, n.MASK32, 16777217),), f32x4(0xBF800000, 0x4B800000)),
    ("f32x4.convert_i32x4_u", (v(32, n.MASK32),), f32x4(0x4F800000)),
    ("f64x2.convert_low_i32x4_s", (v(32, 0x80000000, 1, 7, 7),), v(64, 0xC1E0000000000000, 0x3FF0000000000000)),
    (
        "i32x4.trunc_sat_f32x4_s",
        (f32x4(0x7FC00000, 0x7F800000, 0xFF800000, 0xBFC00000),),
        v(32, 0, 0x7FFFFFFF, 0x80000000, n.MASK32),
    ),
    ("i32x4.trunc_sat_f32x4_u", (f32x4(0xBF800000, 0x4F800000, 0x3F800000),), v(32, 0, n.MASK32, 1)),
    ("i32x4.trunc_sat_f64x2_s_zero", (v(64, 0x41E0000000000000, 0xC1E0000000200000),), v(32, 0x7FFFFFFF, 0x80000000)),
    ("i32x4.trunc_sat_f64x2_u_zero", (v(64, 0x41F0000000000000, 0x3FF8000000000000),), v(32, n.MASK32, 1)),
    ("f32x4.demote_f64x2_zero", (v(64, 0x3FF0000010000000, 0x47F0000000000000),), f32x4(0x3F800000, 0x7F800000)),
    ("f64x2.promote_low_f32x4", (f32x4(0x3F800000, 0x80000000, 0x40000000),), v(64, 0x3FF0000000000000, 1 << 63)),
]


@pytest.mark.parametrize(("mnemonic", "args", "expected"), EDGES, ids=[f"{m}-{i}" for i, (m, _, _) in enumerate(EDGES)])
def test_edges(mnemonic: str, args: tuple[Any, ...], expected: int) -> None:
    assert s.SIMD_FUNCTIONS[mnemonic](*args) == expected


def _lanes32(value: int) -> list[int]:
    return list(s.lanes_u(32, value))


@pytest.mark.parametrize("mnemonic", ["f32x4.add", "f32x4.mul", "f32x4.min", "f32x4.max", "f32x4.sqrt", "f32x4.ceil"])
def test_f32_lane_arithmetic_on_signalling_nan_gives_arithmetic_nan(mnemonic: str) -> None:
    fn = s.SIMD_FUNCTIONS[mnemonic]
    a = f32x4(0x7FA00000, 0xFF800001, 0x7FC00000, 0x3F800000)
    result = fn(a, f32x4(0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000)) if fn.__code__.co_argcount == 2 else fn(a)
    for lane in _lanes32(result)[:3]:
        assert lane & 0x7FC00000 == 0x7FC00000


def test_f32_lane_extract_and_replace_keep_payloads() -> None:
    value = f32x4(0, 0x7F800001, 0, 0)
    x = s.f32x4_extract_lane(1, value)
    assert n.f32_to_bits(x) == 0x7F800001
    assert s.f32x4_replace_lane(3, 0, x) == f32x4(0, 0, 0, 0x7F800001)
    assert s.f32x4_splat(x) == f32x4(*[0x7F800001] * 4)
    assert n.f64_to_bits(s.f64x2_extract_lane(0, v(64, 0x7FF0000000000001))) == 0x7FF0000000000001


# ---------------------------------------------------------------------------
# Lane-wise oracles: the whole-vector tricks against a lane-by-lane rule
# ---------------------------------------------------------------------------

v128s = st.one_of(
    st.integers(0, s.MASK128),
    st.sampled_from([0, s.MASK128, s._high_bits(8), s._high_bits(16), s._high_bits(32), s._high_bits(64)]),
    st.lists(st.sampled_from([0, 1, 0x7F, 0x80, 0xFF]), min_size=16, max_size=16).map(lambda b: v(8, *b)),
)
widths = st.sampled_from([8, 16, 32, 64])
_SHAPE = {8: "i8x16", 16: "i16x8", 32: "i32x4", 64: "i64x2"}


@settings(max_examples=300, deadline=None)
@given(width=widths, a=v128s, b=v128s)
def test_swar_add_sub_match_lanes(width: int, a: int, b: int) -> None:
    xs, ys = s.lanes_u(width, a), s.lanes_u(width, b)
    shape = _SHAPE[width]
    assert s.SIMD_FUNCTIONS[f"{shape}.add"](a, b) == v(width, *[x + y for x, y in zip(xs, ys)])
    assert s.SIMD_FUNCTIONS[f"{shape}.sub"](a, b) == v(width, *[x - y for x, y in zip(xs, ys)])
    assert s.SIMD_FUNCTIONS[f"{shape}.neg"](a) == v(width, *[-x for x in xs])


@settings(max_examples=300, deadline=None)
@given(width=widths, a=v128s, count=st.integers(0, 0xFFFFFFFF))
def test_shifts_match_lanes(width: int, a: int, count: int) -> None:
    k = count % width
    shape = _SHAPE[width]
    assert s.SIMD_FUNCTIONS[f"{shape}.shl"](a, count) == v(width, *[x << k for x in s.lanes_u(width, a)])
    assert s.SIMD_FUNCTIONS[f"{shape}.shr_u"](a, count) == v(width, *[x >> k for x in s.lanes_u(width, a)])
    assert s.SIMD_FUNCTIONS[f"{shape}.shr_s"](a, count) == v(width, *[x >> k for x in s.lanes_s(width, a)])


@settings(max_examples=200, deadline=None)
@given(a=v128s, b=v128s)
def test_f32x4_arithmetic_matches_scalar_rule(a: int, b: int) -> None:
    for op in ("add", "sub", "mul", "div", "min", "max"):
        expected = [
            n.f32_to_bits(n.NUMERIC_FUNCTIONS[f"f32.{op}"](x, y)) for x, y in zip(s.f32_lanes(a), s.f32_lanes(b))
        ]
        got = _lanes32(s.SIMD_FUNCTIONS[f"f32x4.{op}"](a, b))
        for g, e in zip(got, expected):
            if e & 0x7F800000 == 0x7F800000 and e & 0x7FFFFF:  # NaN: the quiet bit is what is owed
                assert g & 0x7FC00000 == 0x7FC00000
            else:
                assert g == e


# ---------------------------------------------------------------------------
# The spec's own cases
# ---------------------------------------------------------------------------

# simd_*.wast files whose assertions are lane operations (not memory access), with
# the least number of assertions the evaluator must check.
SPEC_FILES = {
    "simd_bit_shift.wast": 187,
    "simd_bitwise.wast": 126,
    "simd_boolean.wast": 247,
    "simd_const.wast": 224,
    "simd_conversions.wast": 232,
    "simd_f32x4.wast": 772,
    "simd_f32x4_arith.wast": 1803,
    "simd_f32x4_cmp.wast": 2568,
    "simd_f32x4_pmin_pmax.wast": 3872,
    "simd_f32x4_rounding.wast": 176,
    "simd_f64x2.wast": 793,
    "simd_f64x2_arith.wast": 1806,
    "simd_f64x2_cmp.wast": 2646,
    "simd_f64x2_pmin_pmax.wast": 3872,
    "simd_f64x2_rounding.wast": 176,
    "simd_i16x8_arith.wast": 181,
    "simd_i16x8_arith2.wast": 151,
    "simd_i16x8_cmp.wast": 420,
    "simd_i16x8_extadd_pairwise_i8x16.wast": 16,
    "simd_i16x8_extmul_i8x16.wast": 104,
    "simd_i16x8_q15mulr_sat_s.wast": 26,
    "simd_i16x8_sat_arith.wast": 204,
    "simd_i32x4_arith.wast": 181,
    "simd_i32x4_arith2.wast": 121,
    "simd_i32x4_cmp.wast": 420,
    "simd_i32x4_dot_i16x8.wast": 28,
    "simd_i32x4_extadd_pairwise_i16x8.wast": 16,
    "simd_i32x4_extmul_i16x8.wast": 104,
    "simd_i32x4_trunc_sat_f32x4.wast": 102,
    "simd_i32x4_trunc_sat_f64x2.wast": 102,
    "simd_i64x2_arith.wast": 187,
    "simd_i64x2_arith2.wast": 21,
    "simd_i64x2_cmp.wast": 102,
    "simd_i64x2_extmul_i32x4.wast": 104,
    "simd_i8x16_arith.wast": 121,
    "simd_i8x16_arith2.wast": 184,
    "simd_i8x16_cmp.wast": 400,
    "simd_i8x16_sat_arith.wast": 188,
    "simd_int_to_int_extend.wast": 228,
    "simd_lane.wast": 261,
    "simd_select.wast": 6,
    "simd_splat.wast": 145,
}

_IMMEDIATES = {
    info.mnemonic: 16 if info.immediate == "shuffle" else 1
    for info in LANE_OPCODES
    if info.immediate in ("lane", "shuffle")
}


@pytest.mark.parametrize("name", sorted(SPEC_FILES))
def test_spec_cases(name: str) -> None:
    path = require("spec/wasm-2.0") / name
    evaluator = ExpressionEvaluator({**n.NUMERIC_FUNCTIONS, **s.SIMD_FUNCTIONS}, _IMMEDIATES)
    cases, _skipped = collect_cases(path, evaluator)
    assert len(cases) >= SPEC_FILES[name]
    failures = list(iter_failures(cases, evaluator))
    assert not failures, "\n".join(failures[:20])


def test_every_simd_handler_name_is_one_the_handlers_load_the_simd_functions_for() -> None:
    """The handlers import the SIMD functions when a handler's source first names one (start-up)."""
    from wasmrun.interp import simd_handlers
    from wasmrun.interp.handlers import SIMD_NAME

    assert [name for name in simd_handlers.NAMESPACE if not SIMD_NAME.match(name)] == []
