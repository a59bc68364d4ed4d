"""Tests for wasmrun.semantics.numeric: edge cases, exact-arithmetic oracles, templates, spec cases."""

from __future__ import annotations

import dis
import functools
import itertools
import math
import random
import struct
import sys
from fractions import Fraction
from pathlib import Path
from types import FunctionType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wasmrun.errors import TRAP_INTEGER_DIVIDE_BY_ZERO, TRAP_INTEGER_OVERFLOW, TRAP_INVALID_CONVERSION, Trap
from wasmrun.instructions import OPCODES
from wasmrun.semantics import numeric as n
from wasmrun.types import ValType

sys.path.insert(0, str(Path(__file__).parent))
from testdata import require
from wast_expressions import ExpressionEvaluator, collect_cases, iter_failures, round_to_bits

F32 = n.f32_from_bits
F64 = n.f64_from_bits
b32 = n.f32_to_bits
b64 = n.f64_to_bits


def bits_of(valtype: str, value: Any) -> Any:
    """Floats compared by bits (signed zeros, NaN payloads); ints as they are."""
    if valtype == "f32":
        return b32(value)
    if valtype == "f64":
        return b64(value)
    return value


# ---------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------

NUMERIC_OPCODES = [info for info in OPCODES.values() if info.is_numeric and not info.is_simd]


def test_every_numeric_instruction_has_a_function() -> None:
    assert sorted(n.NUMERIC_FUNCTIONS) == sorted(info.mnemonic for info in NUMERIC_OPCODES)


@pytest.mark.parametrize("info", NUMERIC_OPCODES, ids=lambda info: info.mnemonic)
def test_function_arity_matches_opcode_table(info: Any) -> None:
    assert n.NUMERIC_FUNCTIONS[info.mnemonic].__code__.co_argcount == len(info.params)


def test_every_template_names_a_numeric_instruction() -> None:
    assert set(n.NUMERIC_TEMPLATES) <= set(n.NUMERIC_FUNCTIONS)


# ---------------------------------------------------------------------------
# Traps
# ---------------------------------------------------------------------------

TRAPS = [
    ("i32.div_s", (1, 0), TRAP_INTEGER_DIVIDE_BY_ZERO),
    ("i32.div_s", (0x80000000, 0), TRAP_INTEGER_DIVIDE_BY_ZERO),
    ("i32.div_s", (0x80000000, 0xFFFFFFFF), TRAP_INTEGER_OVERFLOW),
    ("i32.div_u", (1, 0), TRAP_INTEGER_DIVIDE_BY_ZERO),
    ("i32.rem_s", (1, 0), TRAP_INTEGER_DIVIDE_BY_ZERO),
    ("i32.rem_u", (0, 0), TRAP_INTEGER_DIVIDE_BY_ZERO),
    ("i64.div_s", (1, 0), TRAP_INTEGER_DIVIDE_BY_ZERO),
    ("i64.div_s", (1 << 63, n.MASK64), TRAP_INTEGER_OVERFLOW),
    ("i64.div_u", (1, 0), TRAP_INTEGER_DIVIDE_BY_ZERO),
    ("i64.rem_s", (1 << 63, 0), TRAP_INTEGER_DIVIDE_BY_ZERO),
    ("i64.rem_u", (5, 0), TRAP_INTEGER_DIVIDE_BY_ZERO),
]
# Each truncation: NaN, both infinities, and the first value out of range on each side.
_TRUNC_LIMITS = {
    "i32.trunc_f32_s": (-2147483904.0, 2147483648.0),
    "i32.trunc_f64_s": (-2147483649.0, 2147483648.0),
    "i32.trunc_f32_u": (-1.0, 4294967296.0),
    "i32.trunc_f64_u": (-1.0, 4294967296.0),
    "i64.trunc_f32_s": (-9223373136366403584.0, 9223372036854775808.0),
    "i64.trunc_f64_s": (-9223372036854777856.0, 9223372036854775808.0),
    "i64.trunc_f32_u": (-1.0, 18446744073709551616.0),
    "i64.trunc_f64_u": (-1.0, 18446744073709551616.0),
}
for _name, (_low, _high) in _TRUNC_LIMITS.items():
    _nans = [F32(0x7FC00000), F32(0xFFA00000)] if "f32" in _name else [F64(0x7FF8000000000000), F64(0xFFF4000000000000)]
    TRAPS += [(_name, (x,), TRAP_INVALID_CONVERSION) for x in _nans]
    TRAPS += [(_name, (x,), TRAP_INTEGER_OVERFLOW) for x in (_low, _high, math.inf, -math.inf)]


@pytest.mark.parametrize(("mnemonic", "args", "message"), TRAPS, ids=[f"{m}{a}" for m, a, _ in TRAPS])
def test_traps(mnemonic: str, args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(Trap) as info:
        n.NUMERIC_FUNCTIONS[mnemonic](*args)
    assert info.value.message == message


# Just inside each limit, and the values that look like traps but are not.
NO_TRAP = [
    ("i32.rem_s", (0x80000000, 0xFFFFFFFF), 0),
    ("i64.rem_s", (1 << 63, n.MASK64), 0),
    ("i32.div_s", (0x80000000, 1), 0x80000000),
    ("i32.trunc_f32_s", (-2147483648.0,), 0x80000000),
    ("i32.trunc_f32_s", (2147483520.0,), 2147483520),
    ("i32.trunc_f64_s", (-2147483648.9,), 0x80000000),
    ("i32.trunc_f64_s", (2147483647.9,), 0x7FFFFFFF),
    ("i32.trunc_f64_u", (-0.9,), 0),
    ("i32.trunc_f64_u", (4294967295.9,), 0xFFFFFFFF),
    ("i32.trunc_f32_u", (4294967040.0,), 4294967040),
    ("i64.trunc_f64_s", (-9223372036854775808.0,), 1 << 63),
    ("i64.trunc_f64_s", (9223372036854774784.0,), 9223372036854774784),
    ("i64.trunc_f64_u", (18446744073709549568.0,), 18446744073709549568),
    ("i64.trunc_f64_u", (-0.99,), 0),
    ("i32.trunc_f64_s", (-0.0,), 0),
    ("i32.trunc_f64_s", (-1.5,), 0xFFFFFFFF),
]


@pytest.mark.parametrize(("mnemonic", "args", "expected"), NO_TRAP, ids=[f"{m}{a}" for m, a, _ in NO_TRAP])
def test_no_trap_at_the_edges(mnemonic: str, args: tuple[Any, ...], expected: int) -> None:
    assert n.NUMERIC_FUNCTIONS[mnemonic](*args) == expected


SATURATING = [
    ("i32.trunc_sat_f64_s", math.nan, 0),
    ("i32.trunc_sat_f64_s", math.inf, 0x7FFFFFFF),
    ("i32.trunc_sat_f64_s", -math.inf, 0x80000000),
    ("i32.trunc_sat_f64_s", 2147483648.0, 0x7FFFFFFF),
    ("i32.trunc_sat_f64_s", -2147483649.0, 0x80000000),
    ("i32.trunc_sat_f64_s", -1.9, 0xFFFFFFFF),
    ("i32.trunc_sat_f64_u", math.nan, 0),
    ("i32.trunc_sat_f64_u", -math.nan, 0),
    ("i32.trunc_sat_f64_u", -5.0, 0),
    ("i32.trunc_sat_f64_u", 4294967296.0, 0xFFFFFFFF),
    ("i32.trunc_sat_f32_u", math.inf, 0xFFFFFFFF),
    ("i64.trunc_sat_f64_s", math.nan, 0),
    ("i64.trunc_sat_f64_s", 1e30, 0x7FFFFFFFFFFFFFFF),
    ("i64.trunc_sat_f64_s", -1e30, 0x8000000000000000),
    ("i64.trunc_sat_f64_s", -9223372036854775808.0, 0x8000000000000000),
    ("i64.trunc_sat_f64_u", 18446744073709551616.0, n.MASK64),
    ("i64.trunc_sat_f64_u", -math.inf, 0),
    ("i64.trunc_sat_f32_s", F32(0xFF800001), 0),
]


@pytest.mark.parametrize(("mnemonic", "x", "expected"), SATURATING, ids=[f"{m}({x})" for m, x, _ in SATURATING])
def test_saturating_truncation(mnemonic: str, x: float, expected: int) -> None:
    assert n.NUMERIC_FUNCTIONS[mnemonic](x) == expected


# ---------------------------------------------------------------------------
# Integer edge cases
# ---------------------------------------------------------------------------

INTEGER = [
    ("i32.add", (0xFFFFFFFF, 1), 0),
    ("i32.sub", (0, 1), 0xFFFFFFFF),
    ("i32.mul", (0x10000, 0x10000), 0),
    ("i32.mul", (0xFFFFFFFF, 0xFFFFFFFF), 1),
    ("i32.div_s", (0xFFFFFFF9, 2), 0xFFFFFFFD),  # -7 / 2 = -3 (truncates)
    ("i32.div_s", (7, 0xFFFFFFFE), 0xFFFFFFFD),  # 7 / -2 = -3
    ("i32.div_s", (0xFFFFFFF9, 0xFFFFFFFE), 3),
    ("i32.rem_s", (0xFFFFFFF9, 2), 0xFFFFFFFF),  # -7 rem 2 = -1 (dividend's sign)
    ("i32.rem_s", (7, 0xFFFFFFFE), 1),
    ("i32.rem_s", (0xFFFFFFF9, 0xFFFFFFFE), 0xFFFFFFFF),
    ("i32.div_u", (0xFFFFFFFF, 2), 0x7FFFFFFF),
    ("i32.shl", (1, 32), 1),
    ("i32.shl", (1, 31), 0x80000000),
    ("i32.shl", (3, 0xFFFFFFFF), 0x80000000),
    ("i32.shr_s", (0x80000000, 31), 0xFFFFFFFF),
    ("i32.shr_s", (0x80000000, 32), 0x80000000),
    ("i32.shr_u", (0x80000000, 63), 1),
    ("i32.rotl", (0x80000001, 1), 3),
    ("i32.rotl", (0x12345678, 32), 0x12345678),
    ("i32.rotr", (3, 1), 0x80000001),
    ("i32.rotr", (0x12345678, 0), 0x12345678),
    ("i32.clz", (0,), 32),
    ("i32.clz", (0xFFFFFFFF,), 0),
    ("i32.ctz", (0,), 32),
    ("i32.ctz", (0x80000000,), 31),
    ("i32.popcnt", (0xFFFFFFFF,), 32),
    ("i32.eqz", (0,), 1),
    ("i32.eqz", (1,), 0),
    ("i32.lt_s", (0xFFFFFFFF, 0), 1),
    ("i32.lt_u", (0xFFFFFFFF, 0), 0),
    ("i32.ge_s", (0x7FFFFFFF, 0x80000000), 1),
    ("i32.extend8_s", (0x80,), 0xFFFFFF80),
    ("i32.extend8_s", (0xFFFFFF7F,), 0x7F),
    ("i32.extend16_s", (0x8000,), 0xFFFF8000),
    ("i32.wrap_i64", (0x123456789ABCDEF0,), 0x9ABCDEF0),
    ("i64.extend_i32_s", (0x80000000,), 0xFFFFFFFF80000000),
    ("i64.extend_i32_s", (0x7FFFFFFF,), 0x7FFFFFFF),
    ("i64.extend_i32_u", (0x80000000,), 0x80000000),
    ("i64.extend8_s", (0x80,), 0xFFFFFFFFFFFFFF80),
    ("i64.extend32_s", (0x80000000,), 0xFFFFFFFF80000000),
    ("i64.extend32_s", (0xFFFFFFFF7FFFFFFF,), 0x7FFFFFFF),
    ("i64.add", (n.MASK64, 2), 1),
    ("i64.mul", (1 << 63, 2), 0),
    ("i64.div_s", (n.MASK64 - 6, 2), n.MASK64 - 2),
    ("i64.rem_s", (n.MASK64 - 6, 2), n.MASK64),
    ("i64.shl", (1, 64), 1),
    ("i64.shr_s", (1 << 63, 63), n.MASK64),
    ("i64.rotl", (1 << 63, 1), 1),
    ("i64.rotr", (1, 1), 1 << 63),
    ("i64.clz", (0,), 64),
    ("i64.ctz", (0,), 64),
    ("i64.popcnt", (n.MASK64,), 64),
    ("i64.gt_s", (1, n.MASK64), 1),
    ("i64.le_u", (n.MASK64, 1), 0),
]


@pytest.mark.parametrize(("mnemonic", "args", "expected"), INTEGER, ids=[f"{m}{a}" for m, a, _ in INTEGER])
def test_integer_edges(mnemonic: str, args: tuple[int, ...], expected: int) -> None:
    result = n.NUMERIC_FUNCTIONS[mnemonic](*args)
    assert result == expected
    assert type(result) is int


def test_integer_functions_accept_bool_operands() -> None:
    # A comparison template yields a bool that may flow into any i32 operation.
    assert n.i32_add(True, 1) == 2
    assert n.i32_clz(True) == 31
    assert n.i64_extend_i32_s(True) == 1


@pytest.mark.parametrize(
    ("a", "expected"), [(0, 0), (0x7FFFFFFF, 0x7FFFFFFF), (0x80000000, -(1 << 31)), (n.MASK32, -1)]
)
def test_to_signed32(a: int, expected: int) -> None:
    assert n.to_signed32(a) == expected


@pytest.mark.parametrize(
    ("a", "expected"), [(0, 0), ((1 << 63) - 1, (1 << 63) - 1), (1 << 63, -(1 << 63)), (n.MASK64, -1)]
)
def test_to_signed64(a: int, expected: int) -> None:
    assert n.to_signed64(a) == expected


# ---------------------------------------------------------------------------
# The i64 functions are the i32 ones with the i64 constants
# ---------------------------------------------------------------------------


def _twins() -> list[tuple[Any, Any]]:
    """(i32 function, its i64 twin): the module's functions made from another's code."""
    pairs = []
    for name, function in vars(n).items():
        twin = getattr(n, name.replace("32", "64"), None)
        if isinstance(function, FunctionType) and function.__name__ == name and "32" in name:
            if isinstance(twin, FunctionType) and twin.__code__.co_firstlineno == function.__code__.co_firstlineno:
                pairs.append((function, twin))
    return pairs


TWINS = _twins()


def _loaded_constants(function: Any) -> list[tuple[type, Any]]:
    # By dis, not co_consts: a Python may load small ints from the instruction (3.14's LOAD_SMALL_INT).
    loads = ("LOAD_CONST", "LOAD_SMALL_INT", "RETURN_CONST")
    return [(type(i.argval), i.argval) for i in dis.get_instructions(function) if i.opname in loads]


def test_every_integer_function_with_an_i64_counterpart_is_a_twin() -> None:
    assert len(TWINS) == 38
    assert {twin.__name__ for _, twin in TWINS} >= {"i64_div_s", "i64_rotl", "i64_trunc_sat_f64_s", "to_signed64"}


@pytest.mark.parametrize(("i32", "i64"), TWINS, ids=[twin.__name__ for _, twin in TWINS])
def test_a_twin_is_the_i32_code_with_the_i64_constants(i32: Any, i64: Any) -> None:
    assert [i.opname for i in dis.get_instructions(i64)] == [i.opname for i in dis.get_instructions(i32)]
    swapped = [n._I64_OF[key] for key in _loaded_constants(i32)]
    assert _loaded_constants(i64) == [(type(c), c) for c in swapped]
    width_dependent = {(type(a), a) for a, _ in n._I64_CONSTANTS}
    assert not width_dependent & set(_loaded_constants(i64))
    assert i64.__name__ == i64.__qualname__ == i64.__code__.co_name == i32.__name__.replace("32", "64")
    assert i64.__annotations__ == i32.__annotations__
    assert i64.__module__ == n.__name__


@pytest.mark.parametrize(("i32", "i64"), TWINS, ids=[twin.__name__ for _, twin in TWINS])
def test_a_twin_compiled_from_source_is_the_same_code(i32: Any, i64: Any) -> None:
    # The route a Python with LOAD_SMALL_INT takes at import, checked here against the other.
    made = n._i64_from_source(i32, i64.__name__)
    assert made.__code__.co_code == i64.__code__.co_code
    assert made.__code__.co_consts == i64.__code__.co_consts
    assert list(made.__code__.co_lines()) == list(i64.__code__.co_lines())
    assert (made.__name__, made.__doc__) == (i64.__name__, i64.__doc__)


def _i32_low_half(a: int) -> int:
    return a & 0xFFFF  # width-free


def _i32_high_half(a: int) -> int:
    return a >> 16  # half of 32: would stay 16 in the twin


@pytest.mark.parametrize(
    "make", [n._i64, lambda f: n._i64_from_source(f, f.__name__.replace("32", "64"))], ids=["code", "source"]
)
def test_a_twin_refuses_a_constant_of_unknown_width(make: Any) -> None:
    twin = make(_i32_low_half)
    assert twin(0x123456789) == 0x6789
    assert twin.__name__ == "_i64_low_half"
    with pytest.raises(AssertionError, match="_i64_high_half: 16 is in neither"):
        make(_i32_high_half)


def test_the_signed_truncation_bound_is_the_first_double_below_the_range() -> None:
    assert n._I64_OF[float, -2147483649.0] == math.nextafter(-(2.0**63), -math.inf)
    assert math.nextafter(-2147483648.0, -math.inf) > -2147483649.0  # i32: doubles lie between, hence < not <=


def test_every_function_is_found_under_its_name() -> None:
    # Twins are named by their mnemonic, like written functions (aliases keep their first name).
    for function in n.NUMERIC_FUNCTIONS.values():
        assert getattr(n, function.__name__) is function


# ---------------------------------------------------------------------------
# Bits, NaN payloads and the CPython pitfalls
# ---------------------------------------------------------------------------

F32_BIT_PATTERNS = [
    0x00000000,
    0x80000000,
    0x00000001,  # smallest subnormal
    0x807FFFFF,
    0x7F7FFFFF,
    0x7F800000,
    0xFF800000,
    0x7FC00000,  # canonical NaN
    0xFFC00000,
    0x7F800001,  # signalling NaN: struct 'f' would turn it into 0x7fc00001
    0x7FA00000,
    0xFFBFFFFF,
    0x7FFFFFFF,
]
F64_BIT_PATTERNS = [
    0x0000000000000000,
    0x8000000000000000,
    0x0000000000000001,
    0x7FEFFFFFFFFFFFFF,
    0x7FF0000000000000,
    0x7FF8000000000000,
    0x7FF0000000000001,
    0xFFF4000000000000,
    0x7FFFFFFFFFFFFFFF,
]


@pytest.mark.parametrize("bits", F32_BIT_PATTERNS, ids=hex)
def test_f32_bits_round_trip(bits: int) -> None:
    assert b32(F32(bits)) == bits
    assert n.i32_reinterpret_f32(n.f32_reinterpret_i32(bits)) == bits


def test_f32_signalling_nan_is_held_as_signalling_double() -> None:
    # The documented representation: payload m becomes the double payload m << 29.
    assert b64(F32(0x7F800001)) == 0x7FF0000020000000
    assert b64(F32(0xFFA00000)) == 0xFFF4000000000000
    assert struct.unpack("<I", struct.pack("<f", F32(0x7F800001)))[0] != 0x7F800001  # the pitfall avoided


@pytest.mark.parametrize("bits", F64_BIT_PATTERNS, ids=hex)
def test_f64_bits_round_trip(bits: int) -> None:
    assert b64(F64(bits)) == bits
    assert n.i64_reinterpret_f64(n.f64_reinterpret_i64(bits)) == bits


# Operations that only move bits must keep NaN payloads, signalling ones included.
@pytest.mark.parametrize("bits", [0x7F800001, 0xFFA00000, 0x7FC00000, 0x7FFFFFFF], ids=hex)
def test_f32_sign_operations_keep_payloads(bits: int) -> None:
    assert b32(n.f32_neg(F32(bits))) == bits ^ 0x80000000
    assert b32(n.f32_abs(F32(bits))) == bits & 0x7FFFFFFF
    assert b32(n.f32_copysign(F32(bits), -1.0)) == bits | 0x80000000
    assert b32(n.f32_copysign(1.0, F32(bits))) == 0x3F800000 | (bits & 0x80000000)


@pytest.mark.parametrize("bits", [0x7FF0000000000001, 0xFFF4000000000000, 0x7FF8000000000000], ids=hex)
def test_f64_sign_operations_keep_payloads(bits: int) -> None:
    sign = 1 << 63
    assert b64(n.f64_neg(F64(bits))) == bits ^ sign
    assert b64(n.f64_abs(F64(bits))) == bits & ~sign
    assert b64(n.f64_copysign(F64(bits), -1.0)) == bits | sign


def is_arithmetic_nan32(bits: int) -> bool:
    return bits & 0x7FC00000 == 0x7FC00000


def is_arithmetic_nan64(bits: int) -> bool:
    return bits & 0x7FF8000000000000 == 0x7FF8000000000000


F32_ARITHMETIC = ["f32.add", "f32.sub", "f32.mul", "f32.div", "f32.min", "f32.max"]
F32_UNARY_ARITHMETIC = ["f32.sqrt", "f32.ceil", "f32.floor", "f32.trunc", "f32.nearest"]


@pytest.mark.parametrize("mnemonic", F32_ARITHMETIC + F32_UNARY_ARITHMETIC)
@pytest.mark.parametrize("nan_bits", [0x7F800001, 0xFFA00000, 0x7FC00000], ids=hex)
def test_f32_arithmetic_on_nan_gives_arithmetic_nan(mnemonic: str, nan_bits: int) -> None:
    fn = n.NUMERIC_FUNCTIONS[mnemonic]
    nan = F32(nan_bits)
    for args in [(nan, 1.0), (1.0, nan), (nan, 0.0), (nan, nan)] if fn.__code__.co_argcount == 2 else [(nan,)]:
        result = fn(*args)
        assert is_arithmetic_nan32(b32(result))
        assert b64(n.round_f32(result)) == b64(result)  # still in the f32 representation


@pytest.mark.parametrize("mnemonic", ["f32.add", "f32.sub", "f32.mul", "f32.div", "f32.min", "f32.max", "f32.sqrt"])
def test_f32_canonical_nan_in_canonical_out(mnemonic: str) -> None:
    fn = n.NUMERIC_FUNCTIONS[mnemonic]
    args = (F32(0xFFC00000), 2.0)[: fn.__code__.co_argcount]
    assert b32(fn(*args)) & 0x7FFFFFFF == 0x7FC00000


NEW_NAN_32 = [
    ("f32.add", (math.inf, -math.inf)),
    ("f32.sub", (math.inf, math.inf)),
    ("f32.mul", (0.0, math.inf)),
    ("f32.div", (0.0, 0.0)),
    ("f32.div", (-0.0, 0.0)),
    ("f32.div", (math.inf, -math.inf)),
    ("f32.sqrt", (-1.0,)),
    ("f32.sqrt", (-math.inf,)),
]


@pytest.mark.parametrize(("mnemonic", "args"), NEW_NAN_32, ids=[f"{m}{a}" for m, a in NEW_NAN_32])
def test_invalid_operations_give_canonical_nan(mnemonic: str, args: tuple[float, ...]) -> None:
    assert b32(n.NUMERIC_FUNCTIONS[mnemonic](*args)) & 0x7FFFFFFF == 0x7FC00000
    f64 = "f64" + mnemonic[3:]
    assert b64(n.NUMERIC_FUNCTIONS[f64](*args)) & ~(1 << 63) == 0x7FF8000000000000


@pytest.mark.parametrize("nan_bits", [0x7FF0000000000001, 0xFFF4000000000000, 0x7FF8000000000000], ids=hex)
@pytest.mark.parametrize(
    "mnemonic", ["f64.add", "f64.div", "f64.min", "f64.max", "f64.sqrt", "f64.nearest", "f64.ceil"]
)
def test_f64_arithmetic_on_nan_gives_arithmetic_nan(mnemonic: str, nan_bits: int) -> None:
    fn = n.NUMERIC_FUNCTIONS[mnemonic]
    args = (F64(nan_bits), 0.0)[: fn.__code__.co_argcount]
    assert is_arithmetic_nan64(b64(fn(*args)))


def test_promote_quietens_a_signalling_nan() -> None:
    assert is_arithmetic_nan64(b64(n.f64_promote_f32(F32(0x7FA00000))))
    assert b64(n.f64_promote_f32(F32(0x7FC00000))) == 0x7FF8000000000000


def test_demote_quietens_a_signalling_nan() -> None:
    assert is_arithmetic_nan32(b32(n.f32_demote_f64(F64(0x7FF0000000000001))))
    assert b32(n.f32_demote_f64(F64(0xFFF8000000000000))) == 0xFFC00000


def test_round_f32_keeps_nan_payloads() -> None:
    assert b32(n.round_f32(F64(0x7FF0000020000000))) == 0x7F800001
    assert b32(n.round_f32(F64(0xFFF8000000000001))) == 0xFFC00000  # low payload bits dropped
    assert is_arithmetic_nan32(b32(n.round_f32(F64(0x7FF0000000000001))))  # nothing left: quiet NaN


# Overflow: struct.pack('<f') raises OverflowError; every path here must round to infinity.
OVERFLOW = [
    ("round_f32", (1e300,), 0x7F800000),
    ("round_f32", (-1e300,), 0xFF800000),
    ("round_f32", (float.fromhex("0x1.ffffffp127"),), 0x7F800000),  # halfway: ties to even = inf
    ("round_f32", (float.fromhex("0x1.fffffefffffffp127"),), 0x7F7FFFFF),
    ("cast_f32", (1e39,), 0x7F800000),
    ("f32_demote_f64", (1e39,), 0x7F800000),
    ("f32_add", (F32(0x7F7FFFFF), F32(0x7F7FFFFF)), 0x7F800000),
    ("f32_mul", (-3e38, 10.0), 0xFF800000),
    ("f32_div", (3e38, 1e-30), 0x7F800000),
    ("f32_sub", (-3e38, 3e38), 0xFF800000),
]


@pytest.mark.parametrize(("name", "args", "expected"), OVERFLOW, ids=[f"{m}{a}" for m, a, _ in OVERFLOW])
def test_f32_overflow_rounds_to_infinity(name: str, args: tuple[float, ...], expected: int) -> None:
    assert b32(getattr(n, name)(*args)) == expected


# f32 rounding edges: ties to even, subnormals, and the i64 double-rounding trap.
F32_ROUNDING = [
    ("f32_convert_i32_s", (16777217,), 16777216.0),
    ("f32_convert_i32_s", (16777219,), 16777220.0),
    ("f32_convert_i32_s", (0x80000000,), -2147483648.0),
    ("f32_convert_i32_s", (0xFFFFFFFF,), -1.0),
    ("f32_convert_i32_u", (0xFFFFFFFF,), 4294967296.0),
    ("f32_convert_i32_u", (0x80000080,), 2147483648.0),  # tie, to even
    ("f32_convert_i32_u", (0x80000081,), 2147483904.0),
    # Through a double 0x8000008000000001 would become the tie 2**63 + 2**39 and round down.
    ("f32_convert_i64_u", (0x8000008000000001,), float.fromhex("0x1.000002p+63")),
    ("f32_convert_i64_u", (0x8000008000000000,), float.fromhex("0x1p+63")),
    ("f32_convert_i64_u", (0x0020000020000001,), float.fromhex("0x1.000002p+53")),
    ("f32_convert_i64_u", (0xFFFFFE8000000001,), float.fromhex("0x1.fffffep+63")),
    ("f32_convert_i64_u", (n.MASK64,), 18446744073709551616.0),
    ("f32_convert_i64_s", (0x7FFFFF4000000001,), float.fromhex("0x1.fffffep+62")),
    ("f32_convert_i64_s", ((1 << 64) - 0x0020000020000001,), -float.fromhex("0x1.000002p+53")),
    ("f32_convert_i64_s", (1 << 63,), -9223372036854775808.0),
    ("f32_demote_f64", (float.fromhex("0x1.000001p0"),), 1.0),  # tie, to even
    ("f32_demote_f64", (float.fromhex("0x1.000003p0"),), float.fromhex("0x1.000004p0")),
    ("f32_demote_f64", (float.fromhex("0x1.0000010000001p0"),), float.fromhex("0x1.000002p0")),
    ("f32_demote_f64", (float.fromhex("0x1p-150"),), 0.0),  # tie with zero, to even
    ("f32_demote_f64", (float.fromhex("0x1.0000000000001p-150"),), float.fromhex("0x1p-149")),
    ("f32_demote_f64", (-float.fromhex("0x1p-151"),), -0.0),
    ("f32_demote_f64", (float.fromhex("0x1.fffffcp-127"),), float.fromhex("0x1.fffffcp-127")),
    ("f32_add", (1.0, float.fromhex("0x1p-24")), 1.0),
    ("f32_add", (1.0, float.fromhex("0x1.000002p-24")), float.fromhex("0x1.000002p0")),
    ("f32_mul", (float.fromhex("0x1p-126"), 0.5), float.fromhex("0x1p-127")),  # subnormal result
    ("f32_div", (1.0, 3.0), float.fromhex("0x1.555556p-2")),
    ("f32_sqrt", (2.0,), float.fromhex("0x1.6a09e6p0")),
    ("f32_sqrt", (-0.0,), -0.0),
]


@pytest.mark.parametrize(("name", "args", "expected"), F32_ROUNDING, ids=[f"{m}{a}" for m, a, _ in F32_ROUNDING])
def test_f32_rounding_edges(name: str, args: tuple[Any, ...], expected: float) -> None:
    assert b32(getattr(n, name)(*args)) == b32(expected)


# ---------------------------------------------------------------------------
# Signed zeros and the rounding instructions
# ---------------------------------------------------------------------------

SIGNED_ZEROS = [
    ("min", (0.0, -0.0), -0.0),
    ("min", (-0.0, 0.0), -0.0),
    ("min", (0.0, 0.0), 0.0),
    ("min", (-0.0, -0.0), -0.0),
    ("max", (0.0, -0.0), 0.0),
    ("max", (-0.0, 0.0), 0.0),
    ("max", (-0.0, -0.0), -0.0),
    ("max", (0.0, 0.0), 0.0),
    ("min", (2.0, 2.0), 2.0),
    ("max", (-2.0, -2.0), -2.0),
    ("min", (-math.inf, 1.0), -math.inf),
    ("max", (math.inf, 1.0), math.inf),
    ("ceil", (-0.5,), -0.0),
    ("ceil", (-0.0,), -0.0),
    ("ceil", (0.5,), 1.0),
    ("ceil", (-1.5,), -1.0),
    ("floor", (-0.0,), -0.0),
    ("floor", (0.5,), 0.0),
    ("floor", (-0.5,), -1.0),
    ("floor", (-1.0,), -1.0),
    ("trunc", (-0.7,), -0.0),
    ("trunc", (0.7,), 0.0),
    ("trunc", (-1.7,), -1.0),
    ("nearest", (-0.5,), -0.0),
    ("nearest", (0.5,), 0.0),
    ("nearest", (1.5,), 2.0),
    ("nearest", (2.5,), 2.0),
    ("nearest", (-2.5,), -2.0),
    ("nearest", (-3.5,), -4.0),
    ("nearest", (-0.0,), -0.0),
    ("nearest", (8388609.0,), 8388609.0),
    ("nearest", (4503599627370495.5,), 4503599627370496.0),
    ("nearest", (-4503599627370495.5,), -4503599627370496.0),
    ("ceil", (4503599627370495.5,), 4503599627370496.0),
    ("floor", (-4503599627370495.5,), -4503599627370496.0),
    ("trunc", (4503599627370497.0,), 4503599627370497.0),
    ("floor", (math.inf,), math.inf),
    ("ceil", (-math.inf,), -math.inf),
    ("sqrt", (-0.0,), -0.0),
    ("mul", (-0.0, 5.0), -0.0),
    ("add", (-0.0, -0.0), -0.0),
    ("add", (-0.0, 0.0), 0.0),
    ("sub", (0.0, 0.0), 0.0),
    ("div", (1.0, -0.0), -math.inf),
    ("div", (-1.0, -0.0), math.inf),
    ("div", (math.inf, 0.0), math.inf),
    ("div", (-5.0, math.inf), -0.0),
    ("copysign", (3.0, -0.0), -3.0),
    ("abs", (-0.0,), 0.0),
    ("neg", (0.0,), -0.0),
]


FLOAT_EDGES = [("f64", *case) for case in SIGNED_ZEROS] + [
    ("f32", op, args, expected)
    for op, args, expected in SIGNED_ZEROS
    if all(b64(x) == b64(n.round_f32(x)) for x in (*args, expected))  # the f32 values among them
]


@pytest.mark.parametrize(
    ("t", "op", "args", "expected"), FLOAT_EDGES, ids=[f"{t}.{m}{a}" for t, m, a, _ in FLOAT_EDGES]
)
def test_float_edges(t: str, op: str, args: tuple[float, ...], expected: float) -> None:
    assert b64(n.NUMERIC_FUNCTIONS[f"{t}.{op}"](*args)) == b64(expected)


# ---------------------------------------------------------------------------
# Exact-arithmetic oracles (hypothesis)
# ---------------------------------------------------------------------------

_F32_SPECIAL = [0, 1, 0x7FFFFF, 0x800000, 0x3F800000, 0x3F800001, 0x4B000000, 0x4B7FFFFF, 0x7F7FFFFF, 0x7F800000]
_F64_SPECIAL = [
    0,
    1,
    0x000FFFFFFFFFFFFF,
    0x0010000000000000,
    0x3FF0000000000000,
    0x4330000000000000,
    0x7FEFFFFFFFFFFFFF,
]

f32_bits = st.one_of(
    st.integers(0, n.MASK32),
    st.sampled_from(_F32_SPECIAL).flatmap(lambda b: st.sampled_from([b, b | 0x80000000, b + 1, b - 1 if b else 0])),
)
f64_bits = st.one_of(
    st.integers(0, n.MASK64),
    st.sampled_from(_F64_SPECIAL).flatmap(lambda b: st.sampled_from([b, b | 1 << 63, b + 1, b - 1 if b else 0])),
)
f32_values = f32_bits.map(F32)
f64_values = f64_bits.map(F64)
f32_finite = f32_values.filter(math.isfinite)
f64_finite = f64_values.filter(math.isfinite)


def _edgy(bits: int) -> st.SearchStrategy[int]:
    top = 1 << bits
    half = top >> 1
    return st.one_of(
        st.integers(0, top - 1),
        st.sampled_from([0, 1, 2, half - 1, half, half + 1, top - 2, top - 1]),
        st.integers(0, 70).map(lambda k: (1 << k) % top),
        st.integers(0, 70).map(lambda k: (top - (1 << k)) % top),
    )


i32s = _edgy(32)
i64s = _edgy(64)


def exact_f32(x: Fraction) -> float:
    return F32(round_to_bits(x < 0, abs(x), 32))


def exact_f64(x: Fraction) -> float:
    return F64(round_to_bits(x < 0, abs(x), 64))


_EXACT = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}


@settings(max_examples=300, deadline=None)
@given(op=st.sampled_from(sorted(_EXACT)), a=f32_finite, b=f32_finite)
def test_f32_arithmetic_is_correctly_rounded(op: str, a: float, b: float) -> None:
    if op == "div" and b == 0:
        return
    exact = _EXACT[op](Fraction(a), Fraction(b))
    result = n.NUMERIC_FUNCTIONS[f"f32.{op}"](a, b)
    if exact == 0:
        assert result == 0
    else:
        assert b32(result) == b32(exact_f32(exact))


@settings(max_examples=300, deadline=None)
@given(a=f32_finite)
def test_f32_sqrt_is_correctly_rounded(a: float) -> None:
    result = n.f32_sqrt(a)
    if a < 0:
        assert math.isnan(result)
        return
    # r is the correctly rounded root iff the exact root lies within half an ulp of it.
    r = Fraction(result)
    below = Fraction(F32(b32(result) - 1)) if result > 0 else Fraction(0)
    above = Fraction(F32(b32(result) + 1))
    assert ((r + below) / 2) ** 2 <= Fraction(a) <= ((r + above) / 2) ** 2


@settings(max_examples=300, deadline=None)
@given(a=i64s)
def test_f32_convert_i64_is_correctly_rounded(a: int) -> None:
    assert b32(n.f32_convert_i64_u(a)) == b32(exact_f32(Fraction(a)))
    assert b32(n.f32_convert_i64_s(a)) == b32(exact_f32(Fraction(n.to_signed64(a))))
    assert b64(n.f64_convert_i64_s(a)) == b64(exact_f64(Fraction(n.to_signed64(a))))


@settings(max_examples=300, deadline=None)
@given(x=f64_finite)
def test_f32_demote_is_correctly_rounded(x: float) -> None:
    assert b32(n.f32_demote_f64(x)) == b32(exact_f32(Fraction(x)) if x else x)
    assert b32(n.round_f32(x)) == b32(n.f32_demote_f64(x))


_ROUNDINGS = {"ceil": math.ceil, "floor": math.floor, "trunc": math.trunc, "nearest": round}


@settings(max_examples=300, deadline=None)
@given(op=st.sampled_from(sorted(_ROUNDINGS)), x=st.one_of(f64_finite, f32_finite))
def test_integral_rounding_matches_exact(op: str, x: float) -> None:
    result = n.NUMERIC_FUNCTIONS[f"f64.{op}"](x)
    expected = float(_ROUNDINGS[op](Fraction(x)))  # Fraction's round() is ties-to-even
    assert result == expected
    assert math.copysign(1.0, result) == math.copysign(1.0, x)


@settings(max_examples=300, deadline=None)
@given(a=f64_values, b=f64_values)
def test_min_max_against_definition(a: float, b: float) -> None:
    low, high = n.f64_min(a, b), n.f64_max(a, b)
    if math.isnan(a) or math.isnan(b):
        assert is_arithmetic_nan64(b64(low))
        assert is_arithmetic_nan64(b64(high))
    elif a == b == 0:
        assert math.copysign(1, low) == min(math.copysign(1, a), math.copysign(1, b))
        assert math.copysign(1, high) == max(math.copysign(1, a), math.copysign(1, b))
    else:
        assert (low, high) == (min(a, b), max(a, b))


@settings(max_examples=300, deadline=None)
@given(a=i32s, b=i32s.filter(bool))
def test_i32_division_against_truncating_definition(a: int, b: int) -> None:
    sa, sb = n.to_signed32(a), n.to_signed32(b)
    if sa == -(1 << 31) and sb == -1:
        return
    q = int(Fraction(sa, sb))  # int() truncates
    assert n.i32_div_s(a, b) == q % (1 << 32)
    assert n.i32_rem_s(a, b) == (sa - q * sb) % (1 << 32)
    assert n.i32_div_u(a, b) == a // b


@settings(max_examples=300, deadline=None)
@given(a=i64s, b=i64s.filter(bool))
def test_i64_division_against_truncating_definition(a: int, b: int) -> None:
    sa, sb = n.to_signed64(a), n.to_signed64(b)
    if sa == -(1 << 63) and sb == -1:
        return
    q = int(Fraction(sa, sb))
    assert n.i64_div_s(a, b) == q % (1 << 64)
    assert n.i64_rem_s(a, b) == (sa - q * sb) % (1 << 64)


@settings(max_examples=300, deadline=None)
@given(x=st.one_of(f64_values, st.floats(-2e19, 2e19)))
def test_truncations_against_definition(x: float) -> None:
    for name, (low, high) in {"i32.trunc_f64_s": (-(1 << 31), 1 << 31), "i32.trunc_f64_u": (0, 1 << 32),
                              "i64.trunc_f64_s": (-(1 << 63), 1 << 63), "i64.trunc_f64_u": (0, 1 << 64)}.items():  # fmt: skip
        bits = 32 if name.startswith("i32") else 64
        sat = n.NUMERIC_FUNCTIONS[name.replace("trunc", "trunc_sat")]
        if math.isnan(x):
            assert sat(x) == 0
            continue
        t = max(low, min(high - 1, int(x))) if math.isfinite(x) else (high - 1 if x > 0 else low)
        assert sat(x) == t % (1 << bits)
        if math.isfinite(x) and low <= int(x) < high:
            assert n.NUMERIC_FUNCTIONS[name](x) == int(x) % (1 << bits)
        else:
            with pytest.raises(Trap):
                n.NUMERIC_FUNCTIONS[name](x)


# ---------------------------------------------------------------------------
# Templates agree with the functions
# ---------------------------------------------------------------------------

_PER_TYPE = {ValType.I32: i32s, ValType.I64: i64s, ValType.F32: f32_values, ValType.F64: f64_values}
_PARAMS = {info.mnemonic: info.params for info in NUMERIC_OPCODES}


def _strategy_for(mnemonic: str) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.tuples(*(_PER_TYPE[p] for p in _PARAMS[mnemonic]))


@functools.cache
def _compile_template(mnemonic: str) -> Any:
    template = n.NUMERIC_TEMPLATES[mnemonic]
    source = f"lambda a, b=None: {template.format(a='a', b='b')}"
    return eval(source, dict(n.TEMPLATE_GLOBALS))


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, float) or isinstance(y, float):
        return isinstance(x, float) and isinstance(y, float) and b64(x) == b64(y)
    return bool(x == y)


def _grid(valtype: ValType) -> list[Any]:
    """Edge values of a type, plus a few seeded random ones."""
    rng = random.Random(valtype)
    if valtype in (ValType.I32, ValType.I64):
        bits = 32 if valtype == ValType.I32 else 64
        top = 1 << bits
        edges = {0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 65, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF}
        edges |= {top >> 1, (top >> 1) - 1, (top >> 1) + 1, top - 1, top - 2, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF}
        return sorted(edges | {rng.randrange(top) for _ in range(16)})
    if valtype == ValType.F32:
        patterns = [*F32_BIT_PATTERNS, *(b | 0x80000000 for b in _F32_SPECIAL)]
        return [F32(b) for b in patterns + [rng.randrange(1 << 32) for _ in range(16)]]
    patterns = [*F64_BIT_PATTERNS, *(b | 1 << 63 for b in _F64_SPECIAL)]
    return [F64(b) for b in patterns + [rng.randrange(1 << 64) for _ in range(16)]] + [0.5, -2.5, 1e300]


@pytest.mark.parametrize("mnemonic", sorted(n.NUMERIC_TEMPLATES))
def test_template_agrees_with_function_on_edge_grid(mnemonic: str) -> None:
    expression = _compile_template(mnemonic)
    function = n.NUMERIC_FUNCTIONS[mnemonic]
    for args in itertools.product(*(_grid(p) for p in _PARAMS[mnemonic])):
        assert _same(expression(*args), function(*args)), args


@settings(max_examples=1000, deadline=None)
@given(data=st.data(), mnemonic=st.sampled_from(sorted(n.NUMERIC_TEMPLATES)))
def test_template_agrees_with_function(data: st.DataObject, mnemonic: str) -> None:
    args = data.draw(_strategy_for(mnemonic))
    assert _same(_compile_template(mnemonic)(*args), n.NUMERIC_FUNCTIONS[mnemonic](*args))


# Literal operands a code generator may substitute (first and second operand, by type).
_LITERALS = {
    ValType.I32: (0xFFFFFFFF, 0x80000007),
    ValType.I64: (0xFFFFFFFFFFFFFFFF, 0x8000000000000041),
    ValType.F32: (-1.5, 7.0),
    ValType.F64: (-1.5, 7.0),
}


@pytest.mark.parametrize("mnemonic", sorted(n.NUMERIC_TEMPLATES))
def test_template_accepts_literal_operands(mnemonic: str) -> None:
    values = [_LITERALS[p][i] for i, p in enumerate(_PARAMS[mnemonic])]
    source = n.NUMERIC_TEMPLATES[mnemonic].format(**dict(zip("ab", map(repr, values))))
    assert _same(eval(source, dict(n.TEMPLATE_GLOBALS)), n.NUMERIC_FUNCTIONS[mnemonic](*values))


@pytest.mark.parametrize("mnemonic", sorted(n.DIVISION_TEMPLATES))
def test_a_division_template_agrees_with_the_function_where_it_is_valid(mnemonic: str) -> None:
    bits = 64 if mnemonic.startswith("i64") else 32
    expression = eval(f"lambda a, b: {n.DIVISION_TEMPLATES[mnemonic].format(a='a', b='b')}")
    function = n.NUMERIC_FUNCTIONS[mnemonic]
    grid = _grid(ValType.I64 if bits == 64 else ValType.I32)
    limit = (1 << bits) - 1 if mnemonic.endswith("_u") else (1 << (bits - 1)) - 1
    divisors = [b for b in grid if 0 < b <= limit]
    assert len(divisors) > 10
    for a, b in itertools.product(grid, divisors):
        assert expression(a, b) == function(a, b), (a, b)


# ---------------------------------------------------------------------------
# The spec's own single-instruction cases
# ---------------------------------------------------------------------------

# File -> the least number of assertions the evaluator must check (guards against
# the extractor silently finding nothing).
SPEC_FILES = {
    "i32.wast": 374,
    "i64.wast": 384,
    "f32.wast": 2500,
    "f64.wast": 2500,
    "f32_bitwise.wast": 360,
    "f64_bitwise.wast": 360,
    "f32_cmp.wast": 2400,
    "f64_cmp.wast": 2400,
    "conversions.wast": 593,
    "float_exprs.wast": 781,
    "float_misc.wast": 470,
    "int_exprs.wast": 89,
    "float_literals.wast": 98,
}


@pytest.mark.parametrize("name", sorted(SPEC_FILES))
def test_spec_cases(name: str) -> None:
    path = require("spec/wasm-2.0") / name
    evaluator = ExpressionEvaluator(n.NUMERIC_FUNCTIONS)
    cases, _skipped = collect_cases(path, evaluator)
    assert len(cases) >= SPEC_FILES[name]
    failures = list(iter_failures(cases, evaluator))
    assert not failures, "\n".join(failures[:20])


# ---------------------------------------------------------------------------
# Lazy masking: wrapping templates and their reductions
# ---------------------------------------------------------------------------


def _wrapped(value: int, bits: int, k: int) -> int:
    """``value`` as an unreduced operand: right modulo 2**bits only (k may make it negative)."""
    return value + k * (1 << bits)


@pytest.mark.parametrize("mnemonic", sorted(n.WRAPPING_TEMPLATES))
def test_a_wrapping_template_reduced_agrees_with_the_function(mnemonic: str) -> None:
    bits = 64 if mnemonic.startswith("i64") else 32
    wrapping = eval(f"lambda a, b: {n.WRAPPING_TEMPLATES[mnemonic].format(a='a', b='b')}")
    reductions = [eval(f"lambda x: {form.format(x='x')}") for form in n.REDUCE_TEMPLATES[bits]]
    function = n.NUMERIC_FUNCTIONS[mnemonic]
    grid = _grid(ValType.I64 if bits == 64 else ValType.I32)
    for a, b in itertools.product(grid[::3], grid[::4]):
        for ka, kb in ((0, 0), (1, -1), (-3, 5), (7, 0)):
            raw = wrapping(_wrapped(a, bits, ka), _wrapped(b, bits, kb))
            # Chained: the raw result feeds the same operation again before one reduction.
            chained = wrapping(raw, _wrapped(b, bits, kb))
            for reduce in reductions:
                assert reduce(raw) == function(a, b), (a, b, ka, kb)
                assert reduce(chained) == function(function(a, b), b), (a, b, ka, kb)


@pytest.mark.parametrize("mnemonic", sorted(n.RAW_OPERAND_TEMPLATES))
def test_a_raw_operand_template_is_canonical_for_unreduced_operands(mnemonic: str) -> None:
    template = eval(f"lambda a: {n.NUMERIC_TEMPLATES[mnemonic].format(a='a')}")
    for a in _grid(ValType.I64):
        for k in (1, -1, 9):
            assert template(_wrapped(a, 64, k)) == n.NUMERIC_FUNCTIONS[mnemonic](a)


def test_and_with_a_canonical_operand_is_canonical() -> None:
    # The generator relies on it: x & c needs no reduction when c is canonical.
    for a, c in itertools.product(_grid(ValType.I32), _grid(ValType.I32)[::5]):
        for k in (1, -2):
            assert (_wrapped(a, 32, k) & c) == (a & c)


def test_or_and_xor_of_canonical_operands_are_canonical() -> None:
    for bits, valtype in ((32, ValType.I32), (64, ValType.I64)):
        grid = _grid(valtype)
        assert all(0 <= (a | b) < 1 << bits and 0 <= (a ^ b) < 1 << bits for a in grid for b in grid)


@pytest.mark.parametrize(
    ("mnemonic", "args"),
    [("f64.sqrt", (-1.0,)), ("f32.sqrt", (-1.0,)), ("f64.div", (0.0, 0.0)), ("f32.div", (0.0, -0.0))],
)
def test_a_new_nan_is_the_processors_default_nan(mnemonic: str, args: tuple[float, ...]) -> None:
    # Where CPython raises instead of computing (sqrt of a negative, 0/0), the NaN is the one the
    # processor's own arithmetic makes (inf - inf), as in Wasmtime's native code: its sign too.
    result = n.NUMERIC_FUNCTIONS[mnemonic](*args)
    default = math.inf - math.inf
    assert math.isnan(result)
    assert math.copysign(1.0, result) == math.copysign(1.0, default)
