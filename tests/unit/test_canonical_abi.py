"""The canonical ABI (wasmrun.component_runtime): layout, values both ways, traps, strings, canon lift/lower."""

from __future__ import annotations

import math
import struct
from typing import Any

import pytest
from canonical_harness import BumpRealloc, FakeMemory, make_context, same
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wasmrun.component.types import (
    INTEGER_RANGES,
    EnumType,
    Err,
    FlagsType,
    FuncType,
    ListType,
    MapType,
    Ok,
    OptionType,
    Primitive,
    RecordType,
    ResultType,
    Some,
    TupleType,
    ValueType,
    Variant,
    VariantType,
)
from wasmrun.component_runtime import (
    CanonicalOptions,
    InstanceState,
    alignment,
    elem_size,
    flatten_functype,
    flatten_type,
    lift_flat,
    lift_flat_values,
    lift_function,
    load,
    lower_flat,
    lower_flat_values,
    lower_function,
    store,
)
from wasmrun.component_runtime.context import LiftLowerContext
from wasmrun.component_runtime.layout import discriminant_size, flags_size
from wasmrun.component_runtime.strings import EncodedString
from wasmrun.errors import Trap, UnsupportedInstruction, WasmException
from wasmrun.floats import f32_from_bits, f64_to_bits
from wasmrun.runtime.memory import MemoryInstance
from wasmrun.types import Limits, MemoryType, ValType

P = Primitive
I32, I64, F32, F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64


def record(**fields: ValueType) -> RecordType:
    return RecordType(tuple(fields.items()))


def variant(**cases: ValueType | None) -> VariantType:
    return VariantType(tuple(cases.items()))


def lst(element: ValueType, length: int | None = None) -> ListType:
    return ListType(element, length)


# -- layout -----------------------------------------------------------------------------------------

LAYOUTS: list[tuple[ValueType, int, int]] = [  # (type, size, alignment), 32-bit pointers
    (P.BOOL, 1, 1),
    (P.S8, 1, 1),
    (P.U16, 2, 2),
    (P.S32, 4, 4),
    (P.U64, 8, 8),
    (P.F32, 4, 4),
    (P.F64, 8, 8),
    (P.CHAR, 4, 4),
    (P.STRING, 8, 4),
    (lst(P.U8), 8, 4),
    (lst(P.U64), 8, 4),
    (lst(P.U16, 3), 6, 2),
    (lst(P.STRING, 2), 16, 4),
    (record(a=P.U8, b=P.U32), 8, 4),
    (record(a=P.U8, b=P.U16, c=P.U8), 6, 2),
    (record(a=P.U64, b=P.U8), 16, 8),
    (TupleType((P.U8, P.U16, P.U8)), 6, 2),
    (TupleType((P.F64,)), 8, 8),
    (EnumType(("a", "b")), 1, 1),
    (EnumType(tuple(f"e{i}" for i in range(256))), 1, 1),
    (EnumType(tuple(f"e{i}" for i in range(257))), 2, 2),
    (OptionType(P.U8), 2, 1),
    (OptionType(P.U32), 8, 4),
    (OptionType(P.U64), 16, 8),
    (OptionType(P.STRING), 12, 4),
    (ResultType(None, None), 1, 1),
    (ResultType(P.U32, P.STRING), 12, 4),
    (ResultType(P.U8, P.U64), 16, 8),
    (variant(a=None, b=P.U16, c=record(x=P.U8, y=P.U8, z=P.U8)), 6, 2),
    (FlagsType(("a",)), 1, 1),
    (FlagsType(tuple(f"f{i}" for i in range(8))), 1, 1),
    (FlagsType(tuple(f"f{i}" for i in range(9))), 2, 2),
    (FlagsType(tuple(f"f{i}" for i in range(17))), 4, 4),
    (FlagsType(tuple(f"f{i}" for i in range(32))), 4, 4),
    (MapType(P.U8, P.U16), 8, 4),
    (MapType(P.STRING, P.U64), 8, 4),
]


@pytest.mark.parametrize(("value_type", "size", "align"), LAYOUTS, ids=lambda v: str(v)[:40])
def test_sizes_and_alignments(value_type: ValueType, size: int, align: int) -> None:
    assert (elem_size(value_type), alignment(value_type)) == (size, align)


def test_pointers_of_a_64_bit_memory_are_8_bytes() -> None:
    assert (elem_size(P.STRING, True), alignment(P.STRING, True)) == (16, 8)
    assert (elem_size(OptionType(lst(P.U8)), True), alignment(OptionType(lst(P.U8)), True)) == (24, 8)
    assert flatten_type(P.STRING, True) == (I64, I64)
    assert flatten_type(lst(P.U32), True) == (I64, I64)


def test_discriminant_and_flags_sizes() -> None:
    assert [discriminant_size(n) for n in (1, 2, 256, 257, 65536, 65537)] == [1, 1, 1, 2, 2, 4]
    assert [flags_size(n) for n in (1, 8, 9, 16, 17, 32)] == [1, 1, 2, 2, 4, 4]
    with pytest.raises(ValueError, match="between 1 and 32"):
        flags_size(33)


FLATTENINGS: list[tuple[ValueType, tuple[ValType, ...]]] = [
    (P.BOOL, (I32,)),
    (P.S64, (I64,)),
    (P.F32, (F32,)),
    (P.F64, (F64,)),
    (P.CHAR, (I32,)),
    (P.STRING, (I32, I32)),
    (lst(P.STRING), (I32, I32)),
    (lst(P.F32, 3), (F32, F32, F32)),
    (record(a=P.U8, b=P.F64, c=P.STRING), (I32, F64, I32, I32)),
    (EnumType(("a", "b", "c")), (I32,)),
    (OptionType(P.F64), (I32, F64)),
    (variant(a=P.F32, b=P.U32), (I32, I32)),
    (variant(a=P.F32, b=P.U64), (I32, I64)),
    (variant(a=P.F64, b=P.F32), (I32, I64)),
    (variant(a=P.F32, b=P.F32), (I32, F32)),
    (variant(a=TupleType((P.U8, P.F32)), b=TupleType((P.F32, P.U64, P.F64))), (I32, I32, I64, F64)),
    (ResultType(None, None), (I32,)),
    (FlagsType(tuple(f"f{i}" for i in range(32))), (I32,)),
    (MapType(P.STRING, P.F64), (I32, I32)),
]


@pytest.mark.parametrize(("value_type", "flat"), FLATTENINGS, ids=lambda v: str(v)[:40])
def test_flattening(value_type: ValueType, flat: tuple[ValType, ...]) -> None:
    assert flatten_type(value_type) == flat


def func(*params: ValueType, result: ValueType | None = None) -> FuncType:
    return FuncType(tuple((f"p{i}", t) for i, t in enumerate(params)), result)


def test_flatten_functype_spills_params_beyond_16_and_results_beyond_1() -> None:
    small = flatten_functype(func(P.U8, P.F32, P.F64, result=P.F32), "lift")
    assert (small.params, small.results, small.params_in_memory, small.results_in_memory) == (
        (I32, F32, F64),
        (F32,),
        False,
        False,
    )
    sixteen = flatten_functype(func(*[P.U32] * 16), "lower")
    assert sixteen.params == (I32,) * 16 and not sixteen.params_in_memory
    many = flatten_functype(func(*[P.U32] * 17, result=TupleType((P.U8, P.U8))), "lift")
    assert (many.params, many.results, many.params_in_memory, many.results_in_memory) == ((I32,), (I32,), True, True)
    lowered = flatten_functype(func(*[P.U32] * 17, result=TupleType((P.U8, P.U8))), "lower")
    assert (lowered.params, lowered.results) == ((I32, I32), ())
    string_result = flatten_functype(func(P.STRING, result=P.STRING), "lower", True)
    assert (string_result.params, string_result.results) == ((I64, I64, I64), ())
    assert string_result.core_type.params == (I64, I64, I64)


def test_error_context_is_refused() -> None:
    with pytest.raises(UnsupportedInstruction, match="error-context"):
        flatten_type(P.ERROR_CONTEXT)
    with pytest.raises(UnsupportedInstruction, match="error-context"):
        lower_flat(make_context(), None, lst(P.ERROR_CONTEXT))


# -- values both ways -------------------------------------------------------------------------------

EXAMPLES: list[tuple[ValueType, Any]] = [
    (P.BOOL, True),
    (P.BOOL, False),
    (P.S8, -128),
    (P.U8, 255),
    (P.S16, -2),
    (P.U16, 65535),
    (P.S32, -(2**31)),
    (P.U32, 2**32 - 1),
    (P.S64, -(2**63)),
    (P.U64, 2**64 - 1),
    (P.F32, 1.5),
    (P.F32, -0.0),
    (P.F32, math.inf),
    (P.F64, 0.1),
    (P.F64, math.nan),
    (P.CHAR, "\U0010ffff"),
    (P.CHAR, "é"),
    (P.STRING, ""),
    (P.STRING, "héllo wörld ☃ \U0001f600"),
    (lst(P.U8), b"\x00\x01\xff"),
    (lst(P.S8), [-1, 0, 127]),
    (lst(P.U16), [1, 2, 65535]),
    (lst(P.S32), [-5, 7]),
    (lst(P.U64), [2**64 - 1, 0]),
    (lst(P.F32), [1.0, -0.0, math.nan]),
    (lst(P.F64), [0.1, math.inf]),
    (lst(P.BOOL), [True, False, True]),
    (lst(P.CHAR), ["a", "\U0001f600"]),
    (lst(P.STRING), ["a", "", "bc"]),
    (lst(lst(P.U8)), [b"ab", b""]),
    (lst(P.U8, 3), b"xyz"),
    (lst(P.STRING, 2), ["p", "q"]),
    (record(a=P.U8, b=P.STRING, c=P.F64), {"a": 1, "b": "two", "c": 3.0}),
    (TupleType((P.U8, P.S64, P.CHAR)), (1, -2, "c")),
    (variant(a=None, b=P.U16, c=P.STRING), Variant("a", None)),
    (variant(a=None, b=P.U16, c=P.STRING), Variant("c", "payload")),
    (variant(a=P.F32, b=P.U64), Variant("a", 2.5)),
    (variant(a=P.F32, b=P.U64), Variant("b", 2**64 - 1)),
    (variant(a=P.F64, b=P.F32, c=P.S8), Variant("b", -1.25)),
    (variant(a=P.F64, b=P.F32, c=P.S8), Variant("c", -3)),
    (EnumType(("red", "green", "blue")), "blue"),
    (OptionType(P.U32), None),
    (OptionType(P.U32), 7),
    (OptionType(OptionType(P.U32)), Some(None)),
    (OptionType(OptionType(P.U32)), Some(5)),
    (OptionType(OptionType(P.U32)), None),
    (ResultType(P.STRING, None), Ok("fine")),
    (ResultType(P.STRING, None), Err(None)),
    (ResultType(None, P.F32), Err(0.5)),
    (FlagsType(("a", "b", "c")), frozenset({"a", "c"})),
    (FlagsType(tuple(f"f{i}" for i in range(20))), frozenset({"f0", "f19"})),
    (FlagsType(("a", "b")), frozenset()),
    (MapType(P.STRING, P.U32), [("a", 1), ("b", 2), ("a", 3)]),
    (MapType(P.CHAR, P.BOOL), []),
    (MapType(P.S64, OptionType(P.STRING)), [(-1, None), (2**63 - 1, "x")]),
    (MapType(P.U8, MapType(P.STRING, lst(P.U8))), [(1, [("x", b"\x01\x02"), ("y", b"")]), (0, [])]),
]


def _example_id(value: Any) -> str:
    """A stable id (a set's repr depends on the hash seed, which differs between test workers)."""
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(value)) + "}"
    return repr(value)[:40]


@pytest.mark.parametrize("encoding", ["utf8", "utf16", "latin1+utf16"])
@pytest.mark.parametrize(("value_type", "value"), EXAMPLES, ids=_example_id)
def test_store_then_load_and_lower_then_lift(value_type: ValueType, value: Any, encoding: Any) -> None:
    cx = make_context(encoding)
    ptr = 16 * 1024
    store(cx, value, value_type, ptr)
    assert same(load(cx, ptr, value_type), value)
    flat = lower_flat(cx, value, value_type)
    assert len(flat) == len(flatten_type(value_type))
    for core, core_type in zip(flat, flatten_type(value_type)):
        assert isinstance(core, float if core_type in (F32, F64) else int)
    assert same(lift_flat(cx, flat, value_type), value)


def test_a_64_bit_memory_round_trips_pointers_of_8_bytes() -> None:
    cx = make_context("latin1+utf16", address64=True)
    value_type = record(s=P.STRING, l=lst(P.U16))
    value = {"s": "ω and ascii", "l": [1, 2]}
    store(cx, value, value_type, 64)
    assert struct.unpack_from("<QQ", cx.view, 64)[1] == len("ω and ascii") | 1 << 63
    assert same(load(cx, 64, value_type), value)
    assert same(lift_flat(cx, lower_flat(cx, value, value_type), value_type), value)


def test_list_u8_takes_any_bytes_like_or_a_list_of_ints_and_lifts_to_bytes() -> None:
    cx = make_context()
    for value in (b"abc", bytearray(b"abc"), memoryview(b"abc"), [97, 98, 99]):
        assert lift_flat(cx, lower_flat(cx, value, lst(P.U8)), lst(P.U8)) == b"abc"
    with pytest.raises(ValueError):
        lower_flat(cx, [256], lst(P.U8))
    with pytest.raises(TypeError):
        lower_flat(cx, 3, lst(P.U8))


def test_records_are_dicts_in_field_order_and_tuples_tuples() -> None:
    cx = make_context()
    value_type = record(z=P.U8, a=P.U8)
    assert list(lift_flat(cx, [1, 2], value_type)) == ["z", "a"]
    assert lift_flat(cx, [1, 2], TupleType((P.U8, P.U8))) == (1, 2)


def test_integers_lift_with_the_high_bits_ignored_and_the_sign_extended() -> None:
    cx = make_context()
    assert lift_flat(cx, [0xF01], P.U8) == 1
    assert lift_flat(cx, [0xFFFFFFFF], P.S8) == -1
    assert lift_flat(cx, [0xFF], P.S8) == -1
    assert lift_flat(cx, [0xFFFF0000], P.U16) == 0
    assert lift_flat(cx, [0xFFFFFFFF], P.S16) == -1
    assert lift_flat(cx, [0x80000000], P.S32) == -(2**31)
    assert lift_flat(cx, [2**64 - 1], P.S64) == -1
    assert lower_flat(cx, -1, P.S8) == [0xFFFFFFFF]
    assert lower_flat(cx, -1, P.S64) == [2**64 - 1]


def test_any_nonzero_bool_is_true() -> None:
    cx = make_context()
    assert [lift_flat(cx, [v], P.BOOL) for v in (0, 1, 2, 0xFFFFFFFF)] == [False, True, True, True]
    cx.view[0] = 0x80
    assert load(cx, 0, P.BOOL) is True
    assert lower_flat(cx, True, P.BOOL) == [1]


def test_flags_ignore_bits_beyond_their_names() -> None:
    cx = make_context()
    assert lift_flat(cx, [0b1110], FlagsType(("a", "b"))) == frozenset({"b"})
    cx.view[0] = 0xFF
    assert load(cx, 0, FlagsType(("a", "b", "c"))) == frozenset({"a", "b", "c"})
    with pytest.raises(ValueError, match="unknown flag"):
        lower_flat(cx, {"d"}, FlagsType(("a",)))


def test_nans_are_canonicalised_both_ways() -> None:
    cx = make_context()
    signalling_f32 = f32_from_bits(0xFF800001)  # a negative signalling NaN with payload 1
    lifted = lift_flat(cx, [signalling_f32], P.F32)
    assert f64_to_bits(lifted) == 0x7FF8000000000000
    store(cx, signalling_f32, P.F32, 0)
    assert struct.unpack_from("<I", cx.view, 0)[0] == 0x7FC00000
    struct.pack_into("<Q", cx.view, 8, 0xFFF0000000000001)
    assert f64_to_bits(load(cx, 8, P.F64)) == 0x7FF8000000000000
    store(cx, -math.nan, P.F64, 8)
    assert struct.unpack_from("<Q", cx.view, 8)[0] == 0x7FF8000000000000
    [flat] = lower_flat(cx, -math.nan, P.F64)
    assert f64_to_bits(flat) == 0x7FF8000000000000
    store(cx, [-math.nan], lst(P.F32), 16)
    ptr = struct.unpack_from("<I", cx.view, 16)[0]
    assert struct.unpack_from("<I", cx.view, ptr)[0] == 0x7FC00000


def test_variant_payloads_are_coerced_through_their_joined_slots() -> None:
    cx = make_context()
    value_type = variant(a=P.F32, b=P.U64, c=P.F64)
    assert lower_flat(cx, Variant("a", 1.0), value_type) == [0, 0x3F800000]
    assert lower_flat(cx, Variant("c", 1.0), value_type) == [2, 0x3FF0000000000000]
    assert lift_flat(cx, [0, 0x123456783F800000], value_type) == Variant("a", 1.0)  # i64 wrapped to i32 first
    assert lower_flat(cx, Variant("a", 1.0), variant(a=P.F32, b=P.F32)) == [0, 1.0]
    padded = lower_flat(cx, Variant("x", None), variant(x=None, y=TupleType((P.U8, P.F64))))
    assert padded == [0, 0, 0.0] and isinstance(padded[2], float)


def test_a_memory_grown_by_realloc_is_written_through_its_new_view() -> None:
    memory = FakeMemory()
    cx = make_context(memory=memory, realloc=BumpRealloc(memory, grow_by=1 << 16))
    value_type = lst(record(name=P.STRING, data=lst(P.U8)))
    value = [{"name": "first", "data": b"\x01"}, {"name": "second ☃", "data": b""}]
    store(cx, value, value_type, 8)
    assert same(load(cx, 8, value_type), value)


def test_a_real_linear_memory_works_as_the_options_memory() -> None:
    memory = MemoryInstance(MemoryType(Limits(1)))
    try:
        bump = {"next": 256}

        def realloc(old_ptr: int, old_size: int, align: int, new_size: int) -> int:
            if old_ptr and new_size <= old_size:
                return old_ptr  # shrinking in place
            ptr = -(-bump["next"] // align) * align
            bump["next"] = ptr + new_size
            return ptr

        options = CanonicalOptions(memory=memory, realloc=realloc, string_encoding="utf16")
        cx = LiftLowerContext(options, InstanceState())
        flat = lower_flat(cx, ["αβ", "c"], lst(P.STRING))
        assert lift_flat(cx, flat, lst(P.STRING)) == ["αβ", "c"]
    finally:
        memory.close()


def test_host_values_of_the_wrong_shape_are_python_errors_not_traps() -> None:
    cx = make_context()
    with pytest.raises(ValueError):
        lower_flat(cx, 256, P.U8)
    with pytest.raises(ValueError):
        store(cx, -1, P.U32, 0)
    with pytest.raises(ValueError):
        lower_flat(cx, [2**32], lst(P.U32))
    with pytest.raises(ValueError, match="unknown case"):
        lower_flat(cx, "purple", EnumType(("red",)))
    with pytest.raises(TypeError):
        lower_flat(cx, Ok(1), variant(a=P.U8))
    with pytest.raises(TypeError):
        lower_flat(cx, 1, ResultType(P.U8, None))
    with pytest.raises(ValueError, match="surrogate"):
        lower_flat(cx, "\ud800", P.CHAR)
    with pytest.raises(ValueError, match="surrogate"):
        lower_flat(cx, "a\ud800", P.STRING)
    with pytest.raises(ValueError, match="fixed-length"):
        lower_flat(cx, [1, 2], lst(P.U8, 3))


# -- hypothesis: random small types and their values ------------------------------------------------

_SCALARS = [p for p in Primitive if p not in (P.STRING, P.ERROR_CONTEXT)]
_KEY_TYPES = [p for p in _SCALARS if p not in (P.F32, P.F64)] + [P.STRING]  # the spec's keytype
_names = st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=4, unique=True).map(tuple)


def _types(leaves: st.SearchStrategy[ValueType]) -> st.SearchStrategy[ValueType]:
    maybe = st.none() | leaves
    return st.one_of(
        leaves.map(lambda t: ListType(t, None)),
        st.tuples(leaves, st.integers(1, 3)).map(lambda p: ListType(p[0], p[1])),
        _names.flatmap(lambda ns: st.tuples(*[leaves] * len(ns)).map(lambda ts: RecordType(tuple(zip(ns, ts))))),
        st.lists(leaves, min_size=1, max_size=3).map(lambda ts: TupleType(tuple(ts))),
        _names.flatmap(lambda ns: st.tuples(*[maybe] * len(ns)).map(lambda ts: VariantType(tuple(zip(ns, ts))))),
        _names.map(EnumType),
        leaves.map(OptionType),
        st.tuples(maybe, maybe).map(lambda p: ResultType(*p)),
        _names.map(FlagsType),
        st.tuples(st.sampled_from(_KEY_TYPES), leaves).map(lambda p: MapType(*p)),
    )


value_types = st.recursive(st.sampled_from([*_SCALARS, P.STRING]), _types, max_leaves=6)


def values_of(value_type: ValueType) -> st.SearchStrategy[Any]:
    if isinstance(value_type, Primitive):
        if value_type in INTEGER_RANGES:
            return st.integers(*INTEGER_RANGES[value_type])
        return {
            P.BOOL: st.booleans(),
            P.F32: st.floats(width=32),
            P.F64: st.floats(),
            P.CHAR: st.characters(exclude_categories=["Cs"]),
            P.STRING: st.text(st.characters(exclude_categories=["Cs"]), max_size=8),
        }[value_type]
    if isinstance(value_type, ListType):
        if value_type.element is P.U8:
            size = value_type.length
            return st.binary(min_size=size or 0, max_size=size if size is not None else 6)
        size = value_type.length
        elements = values_of(value_type.element)
        return st.lists(elements, min_size=size or 0, max_size=size if size is not None else 4)
    if isinstance(value_type, RecordType):
        return st.fixed_dictionaries({name: values_of(t) for name, t in value_type.fields})
    if isinstance(value_type, TupleType):
        return st.tuples(*[values_of(t) for t in value_type.elements])
    if isinstance(value_type, VariantType):
        return st.one_of(
            *[
                st.just(Variant(name, None)) if t is None else values_of(t).map(lambda v, n=name: Variant(n, v))
                for name, t in value_type.cases
            ]
        )
    if isinstance(value_type, EnumType):
        return st.sampled_from(value_type.names)
    if isinstance(value_type, OptionType):
        inner = values_of(value_type.value)
        return st.none() | (inner.map(Some) if isinstance(value_type.value, OptionType) else inner)
    if isinstance(value_type, ResultType):
        ok = st.just(None) if value_type.ok is None else values_of(value_type.ok)
        error = st.just(None) if value_type.error is None else values_of(value_type.error)
        return ok.map(Ok) | error.map(Err)
    if isinstance(value_type, MapType):
        return st.lists(st.tuples(values_of(value_type.key), values_of(value_type.value)), max_size=4)
    assert isinstance(value_type, FlagsType)
    return st.frozensets(st.sampled_from(value_type.names))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), value_types, st.sampled_from(["utf8", "utf16", "latin1+utf16"]), st.booleans())
def test_random_types_round_trip(data: st.DataObject, value_type: ValueType, encoding: Any, address64: bool) -> None:
    value = data.draw(values_of(value_type))
    cx = make_context(encoding, address64=address64)
    ptr = -(-1024 // alignment(value_type, address64)) * alignment(value_type, address64)
    store(cx, value, value_type, ptr)
    assert same(load(cx, ptr, value_type), value)
    flat = lower_flat(cx, value, value_type)
    assert len(flat) == len(flatten_type(value_type, address64))
    assert same(lift_flat(cx, flat, value_type), value)


# -- traps ------------------------------------------------------------------------------------------


def trap_text(call: Any) -> str:
    with pytest.raises(Trap) as caught:
        call()
    return caught.value.message


def test_an_invalid_discriminant_traps() -> None:
    cx = make_context()
    value_type = variant(a=P.U32, b=None)
    assert trap_text(lambda: lift_flat(cx, [2, 0], value_type)) == (
        "invalid variant discriminant: discriminant 2 out of range [0..2)"
    )
    cx.view[0] = 3
    assert "invalid variant discriminant" in trap_text(lambda: load(cx, 0, EnumType(("a", "b", "c"))))
    assert "invalid variant discriminant" in trap_text(lambda: lift_flat(cx, [2, 0], OptionType(P.U8)))
    assert "[0..2)" in trap_text(lambda: lift_flat(cx, [0xFFFFFFFF, 0], ResultType(P.U8, None)))


@pytest.mark.parametrize("code", [0xD800, 0xDFFF, 0x110000, 0xFFFFFFFF])
def test_a_char_that_is_no_unicode_scalar_value_traps(code: int) -> None:
    cx = make_context()
    assert "invalid `char` bit pattern" in trap_text(lambda: lift_flat(cx, [code], P.CHAR))
    struct.pack_into("<I", cx.view, 0, code)
    assert "invalid `char` bit pattern" in trap_text(lambda: load(cx, 0, P.CHAR))
    assert "invalid `char` bit pattern" in trap_text(lambda: lift_flat(cx, [0, 1], lst(P.CHAR)))


def test_a_string_out_of_bounds_traps() -> None:
    cx = make_context()
    size = len(cx.view)
    assert lift_flat(cx, [size, 0], P.STRING) == ""  # (ending exactly at the end is fine)
    text = trap_text(lambda: lift_flat(cx, [size - 1, 2], P.STRING))
    assert "string content out-of-bounds" in text and "string pointer/length out of bounds of memory" in text
    utf16 = make_context("utf16")
    assert "out of bounds of memory" in trap_text(lambda: lift_flat(utf16, [size - 2, 2], P.STRING))


def test_a_misaligned_utf16_string_traps_even_when_empty() -> None:
    for encoding, empty in (("utf16", 0), ("latin1+utf16", 1 << 31)):
        cx = make_context(encoding)  # type: ignore[arg-type]
        text = trap_text(lambda cx=cx, empty=empty: lift_flat(cx, [1, empty], P.STRING))
        assert "unaligned pointer" in text and "string pointer not aligned to 2" in text
    assert trap_text(lambda: lift_flat(make_context("utf16"), [1, 0], P.STRING)).endswith("not aligned to 2")
    assert "not aligned to 2" in trap_text(lambda: lift_flat(make_context("latin1+utf16"), [1, 1], P.STRING))


def test_string_and_list_lengths_beyond_the_limit_trap_before_any_access() -> None:
    cx = make_context()
    # (the spec's bound: 2^31 - 1 bytes, in any encoding)
    assert "too large" in trap_text(lambda: lift_flat(cx, [0, 1 << 31], P.STRING))
    assert "too large" in trap_text(lambda: lift_flat(make_context("utf16"), [0, 1 << 30], P.STRING))
    assert "out-of-bounds" in trap_text(lambda: lift_flat(cx, [0, (1 << 31) - 1], P.STRING))
    assert "too large" in trap_text(lambda: lift_flat(cx, [0, 0xFFFFFFFF], P.STRING))
    assert "list byte length too large" in trap_text(lambda: lift_flat(cx, [0, 1 << 26], lst(P.U32)))


def test_invalid_utf8_and_utf16_trap() -> None:
    cx = make_context()
    cx.view[0:3] = b"a\xffb"
    assert trap_text(lambda: lift_flat(cx, [0, 3], P.STRING)) == "invalid utf-8 sequence of 1 bytes from index 1"
    cx.view[0:2] = b"\xe2\x98"
    assert trap_text(lambda: lift_flat(cx, [0, 2], P.STRING)) == "incomplete utf-8 byte sequence from index 0"
    utf16 = make_context("utf16")
    utf16.view[0:4] = b"\x00\xd8a\x00"  # a lone high surrogate
    assert "unpaired surrogate found: d800" in trap_text(lambda: lift_flat(utf16, [0, 2], P.STRING))


def test_a_list_out_of_bounds_or_misaligned_traps() -> None:
    cx = make_context()
    size = len(cx.view)
    text = trap_text(lambda: lift_flat(cx, [size - 4, 2], lst(P.U32)))
    assert "list content out-of-bounds" in text and "list pointer/length out of bounds of memory" in text
    text = trap_text(lambda: lift_flat(cx, [2, 1], lst(P.U32)))
    assert "unaligned pointer" in text and "list pointer is not aligned" in text
    assert lift_flat(cx, [size, 0], lst(P.U64)) == []


def test_a_pointer_to_spilled_values_out_of_bounds_or_misaligned_traps() -> None:
    cx = make_context()
    types = (P.U64,) * 17
    assert "unaligned pointer" in trap_text(lambda: lift_flat_values(cx, 16, [4], types))
    assert "out of bounds" in trap_text(lambda: lift_flat_values(cx, 16, [len(cx.view) - 8], types))
    assert "out of bounds" in trap_text(lambda: load(cx, len(cx.view), P.U8))


def test_realloc_returning_misaligned_or_out_of_bounds_memory_traps() -> None:
    memory = FakeMemory()
    for realloc_result, expected in [
        (2, "realloc return: result not aligned"),
        (0xFFFFFFFF, "realloc return: result not aligned"),  # alignment is checked before bounds
        (len(memory.view) - 4, "list content out-of-bounds: realloc return: beyond end of memory"),
    ]:
        cx = make_context(memory=memory, realloc=lambda *args, r=realloc_result: r)
        assert expected in trap_text(lambda cx=cx: lower_flat(cx, [1, 2], lst(P.U32)))
    cx = make_context(memory=memory, realloc=lambda *args: len(memory.view) + 4)
    assert "beyond end of memory" in trap_text(lambda: lower_flat(cx, [], lst(P.U32)))  # even for nothing
    assert "string content out-of-bounds" in trap_text(lambda: lower_flat(cx, "", P.STRING))
    odd = make_context("utf16", memory=memory, realloc=lambda *args: 1)
    assert "realloc return: result not aligned" in trap_text(lambda: lower_flat(odd, "x", P.STRING))
    assert lower_flat(make_context(memory=memory, realloc=lambda *args: 1), "x", P.STRING) == [
        1,
        1,
    ]  # utf8: byte-aligned


# -- maps: the list of (key, value) tuples they are ---------------------------------------------------

MAP_TYPES = [
    MapType(P.U8, P.U16),
    MapType(P.STRING, P.U32),
    MapType(P.CHAR, P.BOOL),
    MapType(P.U8, P.U64),
    MapType(P.STRING, lst(P.U32)),
    MapType(P.STRING, MapType(P.STRING, lst(P.U8))),
]


@pytest.mark.parametrize("address64", [False, True])
@pytest.mark.parametrize("value_type", MAP_TYPES, ids=str)
def test_a_map_has_the_layout_and_flattening_of_its_list_of_tuples(value_type: MapType, address64: bool) -> None:
    entries = lst(TupleType((value_type.key, value_type.value)))
    for measure in (elem_size, alignment, flatten_type):
        assert measure(value_type, address64) == measure(entries, address64)


def test_a_map_lifts_from_the_specs_test_vector() -> None:
    # run_tests.py: map<u8, u16> of two entries, each a u8 key, a padding byte and a u16 value
    cx = make_context()
    cx.view[0:8] = bytes([42, 0xFF, 83, 0, 43, 0xFF, 84, 0])
    assert lift_flat(cx, [0, 2], MapType(P.U8, P.U16)) == [(42, 83), (43, 84)]


def test_storing_a_map_allocates_its_entries_at_the_tuple_alignment_and_size() -> None:
    memory = FakeMemory()
    realloc = BumpRealloc(memory)
    cx = make_context(memory=memory, realloc=realloc)
    ptr, length = lower_flat(cx, [(255, 2**64 - 1), (0, 7)], MapType(P.U8, P.U64))
    assert (length, realloc.pattern()) == (2, [(0, 8, 32)])  # (u8 key, 7 padding bytes, u64 value) x 2
    assert struct.unpack_from("<B7xQB7xQ", memory.data, ptr) == (255, 2**64 - 1, 0, 7)


def test_a_map_keeps_repeated_keys_and_their_order_both_ways() -> None:
    cx = make_context()
    value = [("z", 26), ("k", 1), ("k", 2), ("a", 0)]
    assert lift_flat(cx, lower_flat(cx, value, MapType(P.STRING, P.U32)), MapType(P.STRING, P.U32)) == value


def test_lowering_a_map_takes_a_mapping_as_its_items_in_order() -> None:
    cx = make_context()
    value_type = MapType(P.STRING, P.U32)
    assert lift_flat(cx, lower_flat(cx, {"b": 2, "a": 1}, value_type), value_type) == [("b", 2), ("a", 1)]
    store(cx, {"c": 3}, value_type, 0x40)
    assert load(cx, 0x40, value_type) == [("c", 3)]


def test_a_map_traps_as_a_list_and_as_its_keys_and_values() -> None:
    cx = make_context()
    size = len(cx.view)
    map_type = MapType(P.U8, P.U64)  # entries of 16 bytes aligned to 8
    assert "list pointer/length out of bounds" in trap_text(lambda: lift_flat(cx, [size - 16, 2], map_type))
    assert "list pointer is not aligned" in trap_text(lambda: lift_flat(cx, [4, 1], map_type))
    assert "list byte length too large" in trap_text(lambda: lift_flat(cx, [0, 1 << 24], map_type))
    struct.pack_into("<IB", cx.view, 0x100, 0xD800, 1)
    assert "invalid `char` bit pattern" in trap_text(lambda: lift_flat(cx, [0x100, 1], MapType(P.CHAR, P.BOOL)))
    struct.pack_into("<IB", cx.view, 0x100, ord("a"), 2)
    option_value = MapType(P.CHAR, OptionType(P.U8))
    assert "invalid variant discriminant" in trap_text(lambda: lift_flat(cx, [0x100, 1], option_value))
    cx.view[0x200] = 0xFF
    struct.pack_into("<IIII", cx.view, 0x100, 0x200, 1, 0, 0)
    assert "invalid utf-8" in trap_text(lambda: lift_flat(cx, [0x100, 1], MapType(P.STRING, P.U32)))


def test_a_host_map_of_the_wrong_shape_is_a_python_error() -> None:
    cx = make_context()
    value_type = MapType(P.STRING, P.U32)
    with pytest.raises(ValueError, match="fixed-length"):
        lower_flat(cx, [("a",)], value_type)
    with pytest.raises(ValueError):
        lower_flat(cx, {"a": -1}, value_type)
    with pytest.raises(TypeError):
        lower_flat(cx, [1], value_type)


# -- strings: every pair of encodings, with the realloc calls guests see -----------------------------

TAG = 1 << 31


def source_string(text: str, source: str) -> str:
    """``text`` as lifted from a memory of ``source`` encoding (``compact-utf16``: UTF-16 in latin1+utf16)."""
    if source == "utf8":
        return text
    if source == "utf16":
        cx = make_context("utf16")
        cx.view[0 : 2 * len(text.encode("utf-16-le"))] = text.encode("utf-16-le") * 2
        return lift_flat(cx, [0, len(text.encode("utf-16-le")) // 2], P.STRING)
    cx = make_context("latin1+utf16")
    if source == "latin1":
        cx.view[0 : len(text)] = text.encode("latin-1")
        return lift_flat(cx, [0, len(text)], P.STRING)
    encoded = text.encode("utf-16-le")
    cx.view[0 : len(encoded)] = encoded
    return lift_flat(cx, [0, len(encoded) // 2 | TAG], P.STRING)


STRING_CASES = [
    # (source, text, destination, realloc calls as (old size, alignment, new size), tagged code units)
    ("utf8", "héllo", "utf8", [(0, 1, 6)], 6),
    ("utf8", "abc", "utf16", [(0, 2, 6)], 3),
    ("utf8", "héllo", "utf16", [(0, 2, 12), (12, 2, 10)], 5),
    ("utf8", "\U0001f600", "utf16", [(0, 2, 8), (8, 2, 4)], 2),
    ("utf8", "abc", "latin1+utf16", [(0, 2, 3)], 3),
    ("utf8", "héllo", "latin1+utf16", [(0, 2, 6), (6, 2, 5)], 5),
    ("utf8", "a☃b", "latin1+utf16", [(0, 2, 5), (5, 2, 10), (10, 2, 6)], 3 | TAG),
    ("utf8", "éé☃", "latin1+utf16", [(0, 2, 7), (7, 2, 14), (14, 2, 6)], 3 | TAG),
    ("utf16", "hi", "utf8", [(0, 1, 2)], 2),
    ("utf16", "h☃", "utf8", [(0, 1, 2), (2, 1, 6), (6, 1, 4)], 4),
    ("utf16", "☃☃", "utf8", [(0, 1, 2), (2, 1, 6)], 6),
    ("utf16", "h\U0001f600", "utf8", [(0, 1, 3), (3, 1, 9), (9, 1, 5)], 5),
    ("utf16", "h☃", "utf16", [(0, 2, 4)], 2),
    ("utf16", "hé", "latin1+utf16", [(0, 2, 2)], 2),
    ("utf16", "h☃", "latin1+utf16", [(0, 2, 2), (2, 2, 4)], 2 | TAG),
    ("utf16", "\U0001f600", "latin1+utf16", [(0, 2, 2), (2, 2, 4)], 2 | TAG),
    ("latin1", "abc", "utf8", [(0, 1, 3)], 3),
    ("latin1", "aé", "utf8", [(0, 1, 2), (2, 1, 4), (4, 1, 3)], 3),
    ("latin1", "éé", "utf8", [(0, 1, 2), (2, 1, 4)], 4),
    ("latin1", "aé", "utf16", [(0, 2, 4)], 2),
    ("latin1", "aé", "latin1+utf16", [(0, 2, 2)], 2),
    ("compact-utf16", "aé", "utf8", [(0, 1, 2), (2, 1, 6), (6, 1, 3)], 3),
    ("compact-utf16", "a☃", "utf16", [(0, 2, 4)], 2),
    ("compact-utf16", "a☃", "latin1+utf16", [(0, 2, 4)], 2 | TAG),
    ("compact-utf16", "aé", "latin1+utf16", [(0, 2, 4), (4, 2, 2)], 2),  # (Wasmtime shrinks with alignment 2)
]


@pytest.mark.parametrize(("source", "text", "destination", "calls", "units"), STRING_CASES)
def test_storing_a_string_makes_the_specs_realloc_calls(
    source: str, text: str, destination: Any, calls: list[tuple[int, int, int]], units: int
) -> None:
    value = source_string(text, source)
    assert value == text and getattr(value, "source", "utf8") == source
    memory = FakeMemory()
    realloc = BumpRealloc(memory)
    cx = make_context(destination, memory=memory, realloc=realloc)
    ptr, tagged = lower_flat(cx, value, P.STRING)
    assert (realloc.pattern(), tagged) == (calls, units)
    assert ptr == realloc.results[-1]
    assert lift_flat(cx, [ptr, tagged], P.STRING) == text


def test_a_string_lifted_in_utf16_remembers_its_source() -> None:
    value = source_string("a☃", "utf16")
    assert isinstance(value, EncodedString) and (value.source, value.code_units) == ("utf16", 2)
    assert type(lift_flat(make_context(), lower_flat(make_context(), "x", P.STRING), P.STRING)) is str


def test_inflating_latin1_to_utf16_reads_what_realloc_left_in_memory() -> None:
    """The spec widens the Latin-1 bytes already written where realloc put them: a realloc that does not
    copy leaves zeros there, and the string the guest gets shows it."""
    memory = FakeMemory()
    fresh = {"next": 0x100}

    def forgetful_realloc(old_ptr: int, old_size: int, alignment: int, new_size: int) -> int:
        if old_ptr and new_size <= old_size:
            return old_ptr
        ptr = fresh["next"]
        fresh["next"] += 16 + -(-new_size // 16) * 16  # (fresh memory, never copied into)
        return ptr

    cx = make_context("latin1+utf16", memory=memory, realloc=forgetful_realloc)
    ptr, tagged = lower_flat(cx, "ab☃", P.STRING)
    assert lift_flat(cx, [ptr, tagged], P.STRING) == "\x00\x00☃"


def test_the_ascii_prefix_is_written_before_the_realloc_that_grows_to_utf8s_worst_case() -> None:
    memory = FakeMemory()
    realloc = BumpRealloc(memory)
    cx = make_context("utf8", memory=memory, realloc=realloc)
    ptr, length = lower_flat(cx, source_string("abc☃", "utf16"), P.STRING)
    assert realloc.pattern() == [(0, 1, 4), (4, 1, 12), (12, 1, 6)]
    assert ptr != realloc.results[0]  # it moved: the prefix came with it
    assert bytes(memory.view[ptr : ptr + length]).decode() == "abc☃"


# -- canon lift and canon lower ---------------------------------------------------------------------


class Guest:
    """A component instance's side of a call: its memory, realloc, instance state and a log of events."""

    def __init__(self, encoding: Any = "utf8", name: str = "", parent: InstanceState | None = None) -> None:
        self.memory = FakeMemory()
        self.realloc = BumpRealloc(self.memory)
        self.state = InstanceState(parent, name)
        self.log: list[Any] = []
        self.encoding = encoding

    def options(self, post_return: Any = None) -> CanonicalOptions:
        def realloc(*args: int) -> int:
            self.log.append(("realloc", self.state.name, args[1:]))
            return self.realloc(*args)

        return CanonicalOptions(self.memory, realloc, post_return, self.encoding)  # type: ignore[arg-type]

    def context(self) -> LiftLowerContext:
        return LiftLowerContext(self.options(), self.state)


def test_a_lifted_function_lowers_arguments_calls_lifts_the_result_then_post_returns() -> None:
    guest = Guest(name="callee")

    def core(args: list[int]) -> list[int]:
        ptr, length, count = args
        guest.log.append(("core", bytes(guest.memory.view[ptr : ptr + length]), count))
        text = (bytes(guest.memory.view[ptr : ptr + length]) * count).decode()
        result = 0x200
        store(guest.context(), text, P.STRING, result)  # what the core function would have written
        return [result]

    def post_return(args: list[int]) -> list[int]:
        guest.log.append(("post-return", args, guest.state.may_leave))
        return []

    function = lift_function(core, func(P.STRING, P.U32, result=P.STRING), guest.options(post_return), guest.state)
    assert function.signature.params == (I32, I32, I32) and function.signature.results == (I32,)
    assert function("ab", 3) == "ababab"
    assert [entry[0] for entry in guest.log] == ["realloc", "core", "realloc", "post-return"]
    assert guest.log[1][1:] == (b"ab", 3)
    assert guest.log[-1] == ("post-return", [0x200], False)
    assert guest.state.may_leave and guest.state.may_enter


def test_more_than_16_parameters_go_through_memory_allocated_with_realloc() -> None:
    guest = Guest()
    seen: list[Any] = []

    def core(args: list[int]) -> list[int]:
        [ptr] = args
        seen.append(load(guest.context(), ptr, TupleType((P.U8,) * 8 + (P.U64,) * 9)))
        return [7]

    types = (P.U8,) * 8 + (P.U64,) * 9
    function = lift_function(core, func(*types, result=P.U32), guest.options(), guest.state)
    assert function(*range(17)) == 7
    assert guest.realloc.pattern() == [(0, 8, 8 + 9 * 8)]
    assert seen == [tuple(range(17))]


def test_a_spilled_result_is_read_from_the_pointer_the_core_function_returns() -> None:
    guest = Guest()
    store(guest.context(), (1, 2), TupleType((P.U32, P.U64)), 0x40)
    function = lift_function(lambda args: [0x40], func(result=TupleType((P.U32, P.U64))), guest.options(), guest.state)
    assert function() == (1, 2)
    misaligned = lift_function(
        lambda args: [0x44], func(result=TupleType((P.U32, P.U64))), guest.options(), guest.state
    )
    assert "unaligned pointer" in trap_text(misaligned)


def test_a_lowered_host_function_lifts_its_arguments_and_lowers_its_result_through_the_return_pointer() -> None:
    guest = Guest(encoding="utf16")
    calls: list[Any] = []

    def host(text: str, flag: bool) -> str:
        calls.append((text, flag))
        return text.upper()

    lowered = lower_function(host, func(P.STRING, P.BOOL, result=P.STRING), guest.options(), guest.state)
    assert lowered.type.params == (I32, I32, I32, I32) and lowered.type.results == ()
    cx = guest.context()
    ptr, units = lower_flat(cx, "héllo", P.STRING)
    assert lowered.invoke([ptr, units, 2, 0x80]) == ()
    assert calls == [("héllo", True)]
    assert load(cx, 0x80, P.STRING) == "HÉLLO"
    assert "unaligned pointer" in trap_text(lambda: lowered.invoke([ptr, units, 0, 0x81]))


def test_a_lowered_function_with_more_than_16_parameters_reads_them_from_memory() -> None:
    guest = Guest()
    types = (P.STRING,) * 9
    lowered = lower_function(lambda *args: len("".join(args)), func(*types, result=P.U32), guest.options(), guest.state)
    cx = guest.context()
    store(cx, tuple(["ab"] * 9), TupleType(types), 0x100)
    assert lowered.type.params == (I32,)
    assert lowered.invoke([0x100]) == (18,)


def test_a_call_between_components_passes_values_and_orders_the_steps_as_the_spec() -> None:
    callee, caller = Guest("utf8", "callee"), Guest("utf16", "caller")
    log: list[Any] = []
    callee.log = caller.log = log

    def core(args: list[int]) -> list[int]:
        ptr, length = args
        log.append(("core", bytes(callee.memory.view[ptr : ptr + length]).decode()))
        answer = "réponse".encode()
        callee.memory.view[0x400 : 0x400 + len(answer)] = answer
        struct.pack_into("<II", callee.memory.view, 0x300, 0x400, len(answer))
        return [0x300]

    def post_return(args: list[int]) -> list[int]:
        log.append(("post-return",))
        return []

    export = lift_function(core, func(P.STRING, result=P.STRING), callee.options(post_return), callee.state)
    imported = lower_function(export, export.func_type, caller.options(), caller.state)
    cx = caller.context()
    ptr, units = lower_flat(cx, "question ☃", P.STRING)
    log.clear()
    imported.invoke([ptr, units, 0x80])
    assert load(cx, 0x80, P.STRING) == "réponse"
    assert log[:4] == [  # the argument, from UTF-16 into the callee's UTF-8: hope for ASCII, grow, shrink
        ("realloc", "callee", (0, 1, 10)),
        ("realloc", "callee", (10, 1, 30)),
        ("realloc", "callee", (30, 1, 12)),
        ("core", "question ☃"),
    ]
    assert [step[:2] for step in log[3:]] == [
        ("core", "question ☃"),
        ("realloc", "caller"),  # the result, into the caller, before the callee's post-return
        ("realloc", "caller"),
        ("post-return",),
    ]


def test_reentering_an_instance_traps_and_a_trap_poisons_it() -> None:
    guest = Guest()
    inner: list[Any] = []
    function = lift_function(lambda args: inner[0]() or [], func(), guest.options(), guest.state)
    inner.append(lambda: function())
    assert trap_text(function) == "cannot enter component instance"
    inner[0] = lambda: None
    assert trap_text(function) == "cannot enter component instance"  # still entered: poisoned


def test_a_parent_called_back_by_its_child_is_not_reentered_but_a_child_entered_twice_is() -> None:
    parent = Guest(name="P")
    child = Guest(name="C", parent=parent.state)
    order: list[str] = []

    def parent_core(args: list[int]) -> list[int]:
        order.append("P")
        if len(order) == 1:
            child_export.call([], caller=parent.state)
        return []

    def child_core(args: list[int]) -> list[int]:
        order.append("C")
        if len(order) == 2:
            parent_again.call([], caller=child.state)  # donut wrapping: P is not entered again
        else:
            child_export.call([], caller=parent.state)  # C is entered already
        return []

    parent_export = lift_function(parent_core, func(), parent.options(), parent.state)
    parent_again = lift_function(
        lambda args: order.append("P2") or child_core(args), func(), parent.options(), parent.state
    )
    child_export = lift_function(child_core, func(), child.options(), child.state)
    assert trap_text(parent_export) == "cannot enter component instance"
    assert order == ["P", "C", "P2", "C"]
    fresh_child = InstanceState(parent=InstanceState())
    fresh_child.parent.may_enter = False  # type: ignore[union-attr]
    assert "cannot enter" in trap_text(lambda: fresh_child.enter_from(None))  # the host enters the parent too


def test_calling_out_from_post_return_or_realloc_traps() -> None:
    guest = Guest()
    host = lower_function(lambda: None, func(), guest.options(), guest.state)

    def post_return(args: list[int]) -> list[int]:
        host.invoke([])
        return []

    function = lift_function(lambda args: [], func(), guest.options(post_return), guest.state)
    assert trap_text(function) == "cannot leave component instance"
    other = Guest()

    def realloc(*args: int) -> int:
        host_of_other.invoke([])
        return 0

    host_of_other = lower_function(lambda: None, func(), other.options(), other.state)
    cx = LiftLowerContext(CanonicalOptions(other.memory, realloc), other.state)
    assert trap_text(lambda: lower_flat(cx, "x", P.STRING)) == "cannot leave component instance"


def test_an_exception_leaving_a_component_traps() -> None:
    guest = Guest()

    def core(args: list[int]) -> list[int]:
        raise WasmException(object())

    function = lift_function(core, func(), guest.options(), guest.state)
    assert trap_text(function) == "uncaught exception propagated out of component"


def test_lower_flat_values_stores_spilled_values_at_the_out_parameter() -> None:
    cx = make_context()
    assert lower_flat_values(cx, 1, [(1, 2)], (TupleType((P.U32, P.U32)),), out_param=0x20) == []
    assert load(cx, 0x20, TupleType((P.U32, P.U32))) == (1, 2)
    assert lift_flat_values(cx, 1, [0x20], (TupleType((P.U32, P.U32)),)) == [(1, 2)]
    assert lower_flat_values(cx, 16, [1, "a"], (P.U8, P.STRING))[0] == 1


def test_a_host_argument_of_the_wrong_type_is_a_python_error_that_leaves_the_instance_enterable() -> None:
    guest = Guest()
    function = lift_function(lambda args: [args[0]], func(P.U8, result=P.U8), guest.options(), guest.state)
    with pytest.raises(ValueError):
        function(256)
    with pytest.raises(TypeError):
        function()
    assert function(255) == 255
