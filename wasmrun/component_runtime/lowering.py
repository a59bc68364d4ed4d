"""Lowering: component values into linear memory (``store``) and into core values (``lower_flat``).

Each value type is compiled once (per pointer size) into two closures, cached:

* a *storer* ``store(cx, value, ptr)`` writing a value at an aligned, in-bounds ``ptr``; it reads
  ``cx.memory.view`` afresh for each write, since a nested string or list calls ``realloc``,
  which may grow the memory;
* a *flat lowerer* ``lower(cx, value, out)`` appending its core values to the list ``out``.

Lists of numbers and of bytes are written in bulk (one ``struct`` call, or one slice assignment for
``list<u8>``, which takes any bytes-like value or a list of ints).  A map is written as the list of
``(key, value)`` tuples it is: a list of pairs in its order, or a mapping's items.  A Python value
that is not a value of the type (an integer out of range, an unknown case or flag name) is the
host's mistake, not the guest's: it raises ``ValueError`` or ``TypeError``, never a trap.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from wasmrun.component.types import (
    INTEGER_RANGES,
    BorrowType,
    EnumType,
    Err,
    FlagsType,
    ListType,
    MapType,
    Ok,
    OptionType,
    OwnType,
    Primitive,
    RecordType,
    ResultType,
    Some,
    TupleType,
    ValueType,
    Variant,
    VariantType,
)
from wasmrun.component_runtime.context import LiftLowerContext
from wasmrun.component_runtime.layout import (
    CACHE_SIZE,
    REALLOC_I32_MAX,
    VARIANT_KINDS,
    alignment,
    discriminant_size,
    elem_size,
    field_offsets,
    flags_size,
    flatten_type,
    map_entries,
    payload_offset,
    pointer_size,
    record_fields,
    unsupported,
    variant_cases,
    variant_payload_flat,
)
from wasmrun.component_runtime.lifting import STRUCT_CODES
from wasmrun.component_runtime.resources import lower_borrow, lower_own
from wasmrun.component_runtime.strings import store_string_into_range
from wasmrun.component_runtime.traps import LIST_TOO_LONG
from wasmrun.errors import Trap
from wasmrun.floats import cast_f32, f32_to_bits, f64_to_bits
from wasmrun.types import ValType

Storer = Callable[[LiftLowerContext, Any, int], None]
FlatLowerer = Callable[[LiftLowerContext, Any, list[Any]], None]

CANONICAL_F32_NAN = 0x7FC00000
_NAN = float("nan")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_DISCRIMINANT_STRUCTS = {1: struct.Struct("<B"), 2: struct.Struct("<H"), 4: struct.Struct("<I")}


def char_to_i32(value: str) -> int:
    code = ord(value)
    if 0xD800 <= code <= 0xDFFF:
        raise ValueError(f"{value!r} is a surrogate, not a Unicode scalar value")
    return code


def flags_bits(names: tuple[str, ...]) -> Callable[[Iterable[str]], int]:
    """The bits of a flags value: any iterable of the names that are set."""
    bit_of = {name: 1 << index for index, name in enumerate(names)}

    def bits(value: Iterable[str]) -> int:
        if isinstance(value, str):
            raise TypeError(f"expected a set of flag names, got the string {value!r}")
        result = 0
        for name in value:
            bit = bit_of.get(name)
            if bit is None:
                raise ValueError(f"unknown flag {name!r}: expected one of {', '.join(names)}")
            result |= bit
        return result

    return bits


def case_of(value_type: VariantType | EnumType | OptionType | ResultType) -> Callable[[Any], tuple[int, Any]]:
    """The case index and payload of the Python value of a despecialised variant."""
    if isinstance(value_type, VariantType | EnumType):
        names = (
            [name for name, _payload in value_type.cases] if isinstance(value_type, VariantType) else value_type.names
        )
        index_of = {name: index for index, name in enumerate(names)}
        is_enum = isinstance(value_type, EnumType)

        def case(value: Any) -> tuple[int, Any]:
            name, payload = (value, None) if is_enum else (value.case, value.value)
            index = index_of.get(name) if isinstance(name, str) else None
            if index is None:
                raise ValueError(f"unknown case {name!r}: expected one of {', '.join(names)}")
            return index, payload

        if not is_enum:

            def variant_case(value: Any) -> tuple[int, Any]:
                if not isinstance(value, Variant):
                    raise TypeError(f"expected a Variant, got {value!r}")
                return case(value)

            return variant_case
        return case
    if isinstance(value_type, OptionType):
        # ``Some`` is the value of an option's some case when the payload is itself an option; taken anywhere.
        return lambda value: (0, None) if value is None else (1, value.value if isinstance(value, Some) else value)

    def result_case(value: Any) -> tuple[int, Any]:
        if isinstance(value, Ok):
            return 0, value.value
        if isinstance(value, Err):
            return 1, value.value
        raise TypeError(f"expected Ok(...) or Err(...) for a result, got {value!r}")

    return result_case


def entry_list(value: Any) -> Any:
    """The ``(key, value)`` entries of a map's Python value: a list of pairs as it is, a mapping's items."""
    return list(value.items()) if isinstance(value, Mapping) else value


def _integer_range(value_type: Primitive) -> Callable[[Any], None]:
    low, high = INTEGER_RANGES[value_type]

    def check(value: Any) -> None:
        if not low <= value <= high:
            raise ValueError(f"{value!r} is out of range for {value_type}")

    return check


# -- storing ----------------------------------------------------------------------------------------


def _scalar_storer(value_type: Primitive) -> Storer:
    if value_type is Primitive.BOOL:

        def store_bool(cx: LiftLowerContext, value: Any, ptr: int) -> None:
            cx.memory.view[ptr] = 1 if value else 0

        return store_bool
    if value_type is Primitive.CHAR:
        pack_u32 = _U32.pack_into
        return lambda cx, value, ptr: pack_u32(cx.memory.view, ptr, char_to_i32(value))
    if value_type is Primitive.F32:
        pack_u32 = _U32.pack_into

        def store_f32(cx: LiftLowerContext, value: float, ptr: int) -> None:
            bits = CANONICAL_F32_NAN if value != value else f32_to_bits(float(value))
            pack_u32(cx.memory.view, ptr, bits)

        return store_f32
    if value_type is Primitive.F64:
        pack_f64 = struct.Struct("<d").pack_into

        def store_f64(cx: LiftLowerContext, value: float, ptr: int) -> None:
            pack_f64(cx.memory.view, ptr, _NAN if value != value else value)

        return store_f64
    pack = struct.Struct("<" + STRUCT_CODES[value_type]).pack_into

    def store_integer(cx: LiftLowerContext, value: int, ptr: int) -> None:
        try:
            pack(cx.memory.view, ptr, value)
        except struct.error:
            raise ValueError(f"{value!r} is not a value of {value_type}") from None

    return store_integer


def bulk_bytes(element: ValueType) -> Callable[[Any], bytes] | None:
    """The bytes of a whole list of ``element`` values at once, for the element types that have it."""
    if element is Primitive.U8:

        def u8_bytes(value: Any) -> bytes:
            if isinstance(value, int | str):
                raise TypeError(f"expected bytes or a list of ints for a list<u8>, got {type(value).__name__}")
            return bytes(value)

        return u8_bytes
    if element is Primitive.BOOL:
        return lambda value: bytes([1 if item else 0 for item in value])
    if element is Primitive.CHAR:
        return lambda value: struct.pack(f"<{len(value)}I", *[char_to_i32(item) for item in value])
    if element is Primitive.F32:

        def f32_bytes(value: Any) -> bytes:
            floats = array("f", [item if item == item else _NAN for item in value])
            if struct.pack("=I", 1) != struct.pack("<I", 1):
                floats.byteswap()
            return floats.tobytes()

        return f32_bytes
    if not isinstance(element, Primitive) or element not in STRUCT_CODES:
        return None
    code = STRUCT_CODES[element]
    canonical = element is Primitive.F64

    def pack(value: Any) -> bytes:
        items = [item if item == item else _NAN for item in value] if canonical else value
        try:
            return struct.pack(f"<{len(items)}{code}", *items)
        except struct.error:
            raise ValueError(f"a list<{element}> value out of range: {value!r}"[:200]) from None

    return pack


def list_range_storer(element: ValueType, ptr64: bool) -> Callable[[LiftLowerContext, Any], tuple[int, int]]:
    """``store_list_into_range``: allocate and fill a list; ``(ptr, length)``."""
    size = elem_size(element, ptr64)
    align = alignment(element, ptr64)
    bulk = bulk_bytes(element)
    if bulk is not None:
        encode = bulk

        def store_bulk(cx: LiftLowerContext, value: Any) -> tuple[int, int]:
            data = encode(value)
            ptr = cx.allocate(align, _checked_length(len(data)), "list")
            cx.memory.view[ptr : ptr + len(data)] = data
            return ptr, len(data) // size

        return store_bulk
    store = storer(element, ptr64)

    def store_list_into_range(cx: LiftLowerContext, value: Any) -> tuple[int, int]:
        length = len(value)
        ptr = cx.allocate(align, _checked_length(length * size), "list")
        for index, item in enumerate(value):
            store(cx, item, ptr + index * size)
        return ptr, length

    return store_list_into_range


def _checked_length(byte_length: int) -> int:
    if byte_length > REALLOC_I32_MAX:
        raise Trap(LIST_TOO_LONG)
    return byte_length


@lru_cache(maxsize=CACHE_SIZE)
def storer(value_type: ValueType, ptr64: bool = False) -> Storer:
    """The storer of ``value_type`` (see the module docstring)."""
    if isinstance(value_type, Primitive):
        if value_type is Primitive.STRING:
            return _pair_storer(store_string_into_range, ptr64)
        if value_type not in (Primitive.BOOL, Primitive.CHAR) and value_type not in STRUCT_CODES:
            raise unsupported(value_type)
        return _scalar_storer(value_type)
    if isinstance(value_type, ListType):
        if value_type.length is not None:
            return _fixed_list_storer(value_type.element, value_type.length, ptr64)
        return _pair_storer(list_range_storer(value_type.element, ptr64), ptr64)
    if isinstance(value_type, MapType):
        store_list = storer(map_entries(value_type), ptr64)
        return lambda cx, value, ptr: store_list(cx, entry_list(value), ptr)
    if isinstance(value_type, RecordType | TupleType):
        return _record_storer(value_type, ptr64)
    if isinstance(value_type, VARIANT_KINDS):
        return _variant_storer(value_type, ptr64)
    if isinstance(value_type, FlagsType):
        bits = flags_bits(value_type.names)
        pack = _DISCRIMINANT_STRUCTS[flags_size(len(value_type.names))].pack_into
        return lambda cx, value, ptr: pack(cx.memory.view, ptr, bits(value))
    if isinstance(value_type, OwnType):
        resource = value_type.resource
        return lambda cx, value, ptr: _U32.pack_into(cx.memory.view, ptr, lower_own(cx, value, resource))
    if isinstance(value_type, BorrowType):
        resource = value_type.resource
        return lambda cx, value, ptr: _U32.pack_into(cx.memory.view, ptr, lower_borrow(cx, value, resource))
    raise unsupported(value_type)


def _pair_storer(into_range: Callable[[LiftLowerContext, Any], tuple[int, int]], ptr64: bool) -> Storer:
    """A string or list: stored elsewhere, its pointer and length here."""
    pack = (_U64 if ptr64 else _U32).pack_into
    width = pointer_size(ptr64)

    def store_pair(cx: LiftLowerContext, value: Any, ptr: int) -> None:
        begin, length = into_range(cx, value)
        view = cx.memory.view
        pack(view, ptr, begin)
        pack(view, ptr + width, length)

    return store_pair


def _fixed_length(value: Any, length: int) -> None:
    if len(value) != length:
        raise ValueError(f"a fixed-length list of {length} elements, not {len(value)}")


def _fixed_list_storer(element: ValueType, length: int, ptr64: bool) -> Storer:
    size = elem_size(element, ptr64)
    bulk = bulk_bytes(element)
    if bulk is not None:
        encode = bulk

        def store_fixed_bulk(cx: LiftLowerContext, value: Any, ptr: int) -> None:
            _fixed_length(value, length)
            data = encode(value)
            cx.memory.view[ptr : ptr + len(data)] = data

        return store_fixed_bulk
    store = storer(element, ptr64)

    def store_fixed(cx: LiftLowerContext, value: Any, ptr: int) -> None:
        _fixed_length(value, length)
        for index, item in enumerate(value):
            store(cx, item, ptr + index * size)

    return store_fixed


def _record_storer(value_type: RecordType | TupleType, ptr64: bool) -> Storer:
    storers = [storer(field, ptr64) for field in record_fields(value_type)]
    offsets = field_offsets(value_type, ptr64)
    if isinstance(value_type, TupleType):
        fields = list(zip(offsets, storers))

        def store_tuple(cx: LiftLowerContext, value: Any, ptr: int) -> None:
            _fixed_length(value, len(fields))
            for (offset, store), item in zip(fields, value):
                store(cx, item, ptr + offset)

        return store_tuple
    named = list(zip((name for name, _type in value_type.fields), offsets, storers))

    def store_record(cx: LiftLowerContext, value: Any, ptr: int) -> None:
        for name, offset, store in named:
            store(cx, value[name], ptr + offset)

    return store_record


def _variant_storer(value_type: VariantType | EnumType | OptionType | ResultType, ptr64: bool) -> Storer:
    cases = variant_cases(value_type)
    pack = _DISCRIMINANT_STRUCTS[discriminant_size(len(cases))].pack_into
    offset = payload_offset(value_type, ptr64)
    payloads = [None if case is None else storer(case, ptr64) for case in cases]
    case = case_of(value_type)

    def store_variant(cx: LiftLowerContext, value: Any, ptr: int) -> None:
        index, payload = case(value)
        pack(cx.memory.view, ptr, index)
        store = payloads[index]
        if store is not None:
            store(cx, payload, ptr + offset)

    return store_variant


# -- lowering to core values ------------------------------------------------------------------------


def _integer_lowerer(value_type: Primitive) -> FlatLowerer:
    check = _integer_range(value_type)
    mask = 0xFFFFFFFFFFFFFFFF if value_type in (Primitive.S64, Primitive.U64) else 0xFFFFFFFF

    def lower_integer(cx: LiftLowerContext, value: int, out: list[Any]) -> None:
        check(value)
        out.append(value & mask)

    return lower_integer


def _lower_f32(cx: LiftLowerContext, value: float, out: list[Any]) -> None:
    out.append(_NAN if value != value else cast_f32(float(value)))


def _lower_f64(cx: LiftLowerContext, value: float, out: list[Any]) -> None:
    out.append(_NAN if value != value else float(value))


@lru_cache(maxsize=CACHE_SIZE)
def flat_lowerer(value_type: ValueType, ptr64: bool = False) -> FlatLowerer:
    """The flat lowerer of ``value_type`` (see the module docstring)."""
    if isinstance(value_type, Primitive):
        if value_type in INTEGER_RANGES:
            return _integer_lowerer(value_type)
        if value_type is Primitive.BOOL:
            return lambda cx, value, out: out.append(1 if value else 0)
        if value_type is Primitive.F32:
            return _lower_f32
        if value_type is Primitive.F64:
            return _lower_f64
        if value_type is Primitive.CHAR:
            return lambda cx, value, out: out.append(char_to_i32(value))
        if value_type is Primitive.STRING:
            return lambda cx, value, out: out.extend(store_string_into_range(cx, value))
        raise unsupported(value_type)
    if isinstance(value_type, ListType):
        element = value_type.element
        if value_type.length is not None:
            length, lower_element = value_type.length, flat_lowerer(element, ptr64)

            def lower_fixed(cx: LiftLowerContext, value: Any, out: list[Any]) -> None:
                _fixed_length(value, length)
                for item in value:
                    lower_element(cx, item, out)

            return lower_fixed
        into_range = list_range_storer(element, ptr64)
        return lambda cx, value, out: out.extend(into_range(cx, value))
    if isinstance(value_type, MapType):
        lower_list = flat_lowerer(map_entries(value_type), ptr64)
        return lambda cx, value, out: lower_list(cx, entry_list(value), out)
    if isinstance(value_type, RecordType | TupleType):
        return _record_lowerer(value_type, ptr64)
    if isinstance(value_type, VARIANT_KINDS):
        return _variant_lowerer(value_type, ptr64)
    if isinstance(value_type, FlagsType):
        flags_size(len(value_type.names))
        bits = flags_bits(value_type.names)
        return lambda cx, value, out: out.append(bits(value))
    if isinstance(value_type, OwnType):
        resource = value_type.resource
        return lambda cx, value, out: out.append(lower_own(cx, value, resource))
    if isinstance(value_type, BorrowType):
        resource = value_type.resource
        return lambda cx, value, out: out.append(lower_borrow(cx, value, resource))
    raise unsupported(value_type)


def _record_lowerer(value_type: RecordType | TupleType, ptr64: bool) -> FlatLowerer:
    lowerers = [flat_lowerer(field, ptr64) for field in record_fields(value_type)]
    if isinstance(value_type, TupleType):

        def lower_tuple(cx: LiftLowerContext, value: Any, out: list[Any]) -> None:
            _fixed_length(value, len(lowerers))
            for lower, item in zip(lowerers, value):
                lower(cx, item, out)

        return lower_tuple
    named = list(zip((name for name, _type in value_type.fields), lowerers))

    def lower_record(cx: LiftLowerContext, value: Any, out: list[Any]) -> None:
        for name, lower in named:
            lower(cx, value[name], out)

    return lower_record


def _f32_in_i64(value: float) -> int:
    return f32_to_bits(value)


# How a payload's core value travels in a joined slot: (payload, slot) -> coercion.
_TO_JOINED: dict[tuple[ValType, ValType], Callable[[Any], Any]] = {
    (ValType.F32, ValType.I32): f32_to_bits,
    (ValType.F32, ValType.I64): _f32_in_i64,
    (ValType.F64, ValType.I64): f64_to_bits,
}
_ZERO = {ValType.I32: 0, ValType.I64: 0, ValType.F32: 0.0, ValType.F64: 0.0}


def _variant_lowerer(value_type: VariantType | EnumType | OptionType | ResultType, ptr64: bool) -> FlatLowerer:
    cases = variant_cases(value_type)
    joined = variant_payload_flat(cases, ptr64)
    case = case_of(value_type)
    # Per case: its payload's lowerer, the coercion of each of its slots, and the zeros filling the rest.
    plans: list[tuple[FlatLowerer | None, tuple[Callable[[Any], Any] | None, ...], list[Any]]] = []
    for payload_type in cases:
        flat = () if payload_type is None else flatten_type(payload_type, ptr64)
        coercions = tuple(_TO_JOINED.get((have, want)) for have, want in zip(flat, joined))
        padding = [_ZERO[slot] for slot in joined[len(flat) :]]
        plans.append((None if payload_type is None else flat_lowerer(payload_type, ptr64), coercions, padding))

    def lower_variant(cx: LiftLowerContext, value: Any, out: list[Any]) -> None:
        index, payload = case(value)
        lower, coercions, padding = plans[index]
        out.append(index)
        if lower is not None:
            start = len(out)
            lower(cx, payload, out)
            for offset, coerce in enumerate(coercions):
                if coerce is not None:
                    out[start + offset] = coerce(out[start + offset])
        out.extend(padding)

    return lower_variant
