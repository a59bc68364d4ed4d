"""Lifting: component values out of linear memory (``load``) and out of core values (``lift_flat``).

Each value type is compiled once (per pointer size) into two closures, cached:

* a *loader* ``load(cx, view, ptr) -> value`` reading a value at an aligned, in-bounds ``ptr``
  of ``view`` (the memory's bytes; nothing a lift does can grow the memory);
* a *flat lifter* ``lift(cx, values) -> value`` taking its core values from the iterator ``values``.

Lists of numbers and of bytes are read in bulk (one ``struct`` call, or a slice for
``list<u8>``, which lifts to ``bytes``).  A map is read as the list of ``(key, value)`` tuples it
is, every entry kept in order (a repeated key too: the spec leaves keys to the bindings).  The
traps are the spec's: a bad discriminant, a bad ``char``, a string or list (or map) out of bounds
or misaligned, a bad handle.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from wasmrun.component.types import (
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
    MAX_LIST_BYTE_LENGTH,
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
from wasmrun.component_runtime.resources import lift_borrow, lift_own
from wasmrun.component_runtime.strings import load_string_from_range
from wasmrun.component_runtime.traps import (
    LIST_MISALIGNED,
    LIST_OUT_OF_BOUNDS,
    LIST_TOO_LONG,
    invalid_char,
    invalid_discriminant,
)
from wasmrun.errors import Trap
from wasmrun.floats import f32_from_bits, f64_from_bits
from wasmrun.types import ValType

Loader = Callable[[LiftLowerContext, memoryview, int], Any]
FlatLifter = Callable[[LiftLowerContext, Iterator[Any]], Any]

NAN = math.nan  # the canonical NaN of both f32 (0x7fc00000) and f64 (0x7ff8000000000000)

# struct codes of the integer and float types (little-endian: wasm's byte order)
STRUCT_CODES: dict[Primitive, str] = {
    Primitive.S8: "b",
    Primitive.U8: "B",
    Primitive.S16: "h",
    Primitive.U16: "H",
    Primitive.S32: "i",
    Primitive.U32: "I",
    Primitive.S64: "q",
    Primitive.U64: "Q",
    Primitive.F32: "f",
    Primitive.F64: "d",
}

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_DISCRIMINANT_CODES = {1: "B", 2: "H", 4: "I"}


def char_from_i32(value: int) -> str:
    """The ``char`` of a core i32: trap unless it is a Unicode scalar value (not a surrogate, below 0x110000)."""
    if value >= 0x110000 or 0xD800 <= value <= 0xDFFF:
        raise invalid_char(value)
    return chr(value)


def _flags_value(names: tuple[str, ...]) -> Callable[[int], frozenset[str]]:
    """Bits to the frozenset of the names set (bits beyond the names are ignored, as the spec says)."""
    count = len(names)
    return lambda bits: frozenset([names[i] for i in range(count) if bits >> i & 1])


def case_value(value_type: VariantType | EnumType | OptionType | ResultType) -> Callable[[int, Any], Any]:
    """The Python value of a case of a despecialised variant, from its index and payload."""
    if isinstance(value_type, VariantType):
        names = [name for name, _payload in value_type.cases]
        return lambda index, payload: Variant(names[index], payload)
    if isinstance(value_type, EnumType):
        labels = value_type.names
        return lambda index, payload: labels[index]
    if isinstance(value_type, OptionType):
        if isinstance(value_type.value, OptionType):
            return lambda index, payload: Some(payload) if index else None
        return lambda index, payload: payload if index else None
    return lambda index, payload: Err(payload) if index else Ok(payload)


# -- loading ----------------------------------------------------------------------------------------


def _scalar_loader(value_type: Primitive) -> Loader:
    if value_type is Primitive.BOOL:
        return lambda cx, view, ptr: view[ptr] != 0
    if value_type is Primitive.U8:
        return lambda cx, view, ptr: view[ptr]
    if value_type is Primitive.CHAR:
        unpack_u32 = _U32.unpack_from
        return lambda cx, view, ptr: char_from_i32(unpack_u32(view, ptr)[0])
    unpack = struct.Struct("<" + STRUCT_CODES[value_type]).unpack_from
    if value_type is Primitive.F32 or value_type is Primitive.F64:

        def load_float(cx: LiftLowerContext, view: memoryview, ptr: int) -> float:
            value: float = unpack(view, ptr)[0]
            return value if value == value else NAN

        return load_float
    return lambda cx, view, ptr: unpack(view, ptr)[0]


def list_range_loader(element: ValueType, ptr64: bool) -> Callable[[LiftLowerContext, int, int], Any]:
    """``load_list_from_range``: the list of ``length`` elements at ``ptr``, bounds and alignment checked."""
    size = elem_size(element, ptr64)
    align = alignment(element, ptr64)
    bulk = _bulk_loader(element)

    def checked_range(cx: LiftLowerContext, ptr: int, length: int) -> memoryview:
        byte_length = length * size
        if byte_length > MAX_LIST_BYTE_LENGTH:
            raise Trap(LIST_TOO_LONG)
        if ptr % align:
            raise Trap(LIST_MISALIGNED)
        view = cx.view
        if ptr + byte_length > len(view):
            raise Trap(LIST_OUT_OF_BOUNDS)
        return view

    if bulk is not None:
        read = bulk
        return lambda cx, ptr, length: read(checked_range(cx, ptr, length), ptr, length)
    load = loader(element, ptr64)

    def load_list_from_range(cx: LiftLowerContext, ptr: int, length: int) -> list[Any]:
        view = checked_range(cx, ptr, length)
        return [load(cx, view, ptr + i * size) for i in range(length)]

    return load_list_from_range


def _bulk_loader(element: ValueType) -> Callable[[memoryview, int, int], Any] | None:
    """A loader of ``length`` elements at once, for the element types that have one."""
    if element is Primitive.U8:
        return lambda view, ptr, length: bytes(view[ptr : ptr + length])
    if element is Primitive.BOOL:
        return lambda view, ptr, length: [byte != 0 for byte in view[ptr : ptr + length]]
    if element is Primitive.CHAR:
        return lambda view, ptr, length: [char_from_i32(code) for code in struct.unpack_from(f"<{length}I", view, ptr)]
    if not isinstance(element, Primitive) or element not in STRUCT_CODES:
        return None
    code = STRUCT_CODES[element]
    if element is Primitive.F32 or element is Primitive.F64:
        return lambda view, ptr, length: [
            value if value == value else NAN for value in struct.unpack_from(f"<{length}{code}", view, ptr)
        ]
    return lambda view, ptr, length: list(struct.unpack_from(f"<{length}{code}", view, ptr))


@lru_cache(maxsize=CACHE_SIZE)
def loader(value_type: ValueType, ptr64: bool = False) -> Loader:
    """The loader of ``value_type`` (see the module docstring)."""
    if isinstance(value_type, Primitive):
        if value_type is Primitive.STRING:
            pointer = _U64 if ptr64 else _U32
            unpack, width = pointer.unpack_from, pointer_size(ptr64)

            def load_string(cx: LiftLowerContext, view: memoryview, ptr: int) -> str:
                return load_string_from_range(cx, unpack(view, ptr)[0], unpack(view, ptr + width)[0])

            return load_string
        if value_type not in (Primitive.BOOL, Primitive.CHAR) and value_type not in STRUCT_CODES:
            raise unsupported(value_type)
        return _scalar_loader(value_type)
    if isinstance(value_type, ListType):
        return _list_loader(value_type, ptr64)
    if isinstance(value_type, MapType):
        return loader(map_entries(value_type), ptr64)
    if isinstance(value_type, RecordType | TupleType):
        return _record_loader(value_type, ptr64)
    if isinstance(value_type, VARIANT_KINDS):
        return _variant_loader(value_type, ptr64)
    if isinstance(value_type, FlagsType):
        flags = _flags_value(value_type.names)
        unpack = struct.Struct("<" + _DISCRIMINANT_CODES[flags_size(len(value_type.names))]).unpack_from
        return lambda cx, view, ptr: flags(unpack(view, ptr)[0])
    if isinstance(value_type, OwnType):
        resource = value_type.resource
        return lambda cx, view, ptr: lift_own(cx, _U32.unpack_from(view, ptr)[0], resource)
    if isinstance(value_type, BorrowType):
        resource = value_type.resource
        return lambda cx, view, ptr: lift_borrow(cx, _U32.unpack_from(view, ptr)[0], resource)
    raise unsupported(value_type)


def _list_loader(value_type: ListType, ptr64: bool) -> Loader:
    element = value_type.element
    if value_type.length is not None:
        length, size = value_type.length, elem_size(element, ptr64)
        bulk = _bulk_loader(element)
        if bulk is not None:
            return lambda cx, view, ptr: bulk(view, ptr, length)
        load_element = loader(element, ptr64)
        return lambda cx, view, ptr: [load_element(cx, view, ptr + i * size) for i in range(length)]
    from_range = list_range_loader(element, ptr64)
    pointer = _U64 if ptr64 else _U32
    unpack, width = pointer.unpack_from, pointer_size(ptr64)

    def load_list(cx: LiftLowerContext, view: memoryview, ptr: int) -> Any:
        return from_range(cx, unpack(view, ptr)[0], unpack(view, ptr + width)[0])

    return load_list


def _record_loader(value_type: RecordType | TupleType, ptr64: bool) -> Loader:
    fields = tuple(zip(field_offsets(value_type, ptr64), (loader(t, ptr64) for t in record_fields(value_type))))
    if isinstance(value_type, TupleType):
        return lambda cx, view, ptr: tuple([load(cx, view, ptr + offset) for offset, load in fields])
    names = tuple(name for name, _type in value_type.fields)
    return lambda cx, view, ptr: dict(zip(names, [load(cx, view, ptr + offset) for offset, load in fields]))


def _variant_loader(value_type: VariantType | EnumType | OptionType | ResultType, ptr64: bool) -> Loader:
    cases = variant_cases(value_type)
    count = len(cases)
    unpack = struct.Struct("<" + _DISCRIMINANT_CODES[discriminant_size(count)]).unpack_from
    offset = payload_offset(value_type, ptr64)
    payloads = [None if case is None else loader(case, ptr64) for case in cases]
    make = case_value(value_type)

    def load_variant(cx: LiftLowerContext, view: memoryview, ptr: int) -> Any:
        index = unpack(view, ptr)[0]
        if index >= count:
            raise invalid_discriminant(index, count)
        load = payloads[index]
        return make(index, None if load is None else load(cx, view, ptr + offset))

    return load_variant


# -- lifting core values ----------------------------------------------------------------------------


def _integer_lifter(bits: int, signed: bool) -> FlatLifter:
    mask = (1 << bits) - 1
    if not signed:
        return lambda cx, values: next(values) & mask  # (narrow types ignore the high bits)
    sign = 1 << (bits - 1)

    def lift_signed(cx: LiftLowerContext, values: Iterator[Any]) -> int:
        value: int = next(values) & mask
        return value - (sign << 1) if value & sign else value

    return lift_signed


_INTEGER_BITS = {
    Primitive.U8: (8, False),
    Primitive.S8: (8, True),
    Primitive.U16: (16, False),
    Primitive.S16: (16, True),
    Primitive.U32: (32, False),
    Primitive.S32: (32, True),
    Primitive.U64: (64, False),
    Primitive.S64: (64, True),
}


def _lift_float(cx: LiftLowerContext, values: Iterator[Any]) -> float:
    value = next(values)
    return value if value == value else NAN


@lru_cache(maxsize=CACHE_SIZE)
def flat_lifter(value_type: ValueType, ptr64: bool = False) -> FlatLifter:
    """The flat lifter of ``value_type`` (see the module docstring)."""
    if isinstance(value_type, Primitive):
        if value_type in _INTEGER_BITS:
            return _integer_lifter(*_INTEGER_BITS[value_type])
        if value_type is Primitive.BOOL:
            return lambda cx, values: next(values) != 0
        if value_type is Primitive.F32 or value_type is Primitive.F64:
            return _lift_float
        if value_type is Primitive.CHAR:
            return lambda cx, values: char_from_i32(next(values))
        if value_type is Primitive.STRING:
            return lambda cx, values: load_string_from_range(cx, next(values), next(values))
        raise unsupported(value_type)
    if isinstance(value_type, ListType):
        element = value_type.element
        if value_type.length is not None:
            length, lift_element = value_type.length, flat_lifter(element, ptr64)
            if element is Primitive.U8:
                return lambda cx, values: bytes([lift_element(cx, values) for _ in range(length)])
            return lambda cx, values: [lift_element(cx, values) for _ in range(length)]
        from_range = list_range_loader(element, ptr64)
        return lambda cx, values: from_range(cx, next(values), next(values))
    if isinstance(value_type, MapType):
        return flat_lifter(map_entries(value_type), ptr64)
    if isinstance(value_type, RecordType | TupleType):
        lifters = tuple(flat_lifter(field, ptr64) for field in record_fields(value_type))
        if isinstance(value_type, TupleType):
            return lambda cx, values: tuple([lift(cx, values) for lift in lifters])
        names = tuple(name for name, _type in value_type.fields)
        return lambda cx, values: dict(zip(names, [lift(cx, values) for lift in lifters]))
    if isinstance(value_type, VARIANT_KINDS):
        return _variant_lifter(value_type, ptr64)
    if isinstance(value_type, FlagsType):
        flags_size(len(value_type.names))
        flags = _flags_value(value_type.names)
        return lambda cx, values: flags(next(values))
    if isinstance(value_type, OwnType):
        resource = value_type.resource
        return lambda cx, values: lift_own(cx, next(values), resource)
    if isinstance(value_type, BorrowType):
        resource = value_type.resource
        return lambda cx, values: lift_borrow(cx, next(values), resource)
    raise unsupported(value_type)


def _i64_to_f32(value: int) -> float:
    return f32_from_bits(value & 0xFFFFFFFF)


def _wrap_i64(value: int) -> int:
    return value & 0xFFFFFFFF


# How a payload's core value is recovered from the joined slot it travelled in: (slot, payload) -> coercion.
_FROM_JOINED: dict[tuple[ValType, ValType], Callable[[Any], Any]] = {
    (ValType.I32, ValType.F32): f32_from_bits,
    (ValType.I64, ValType.I32): _wrap_i64,
    (ValType.I64, ValType.F32): _i64_to_f32,
    (ValType.I64, ValType.F64): f64_from_bits,
}


def _variant_lifter(value_type: VariantType | EnumType | OptionType | ResultType, ptr64: bool) -> FlatLifter:
    cases = variant_cases(value_type)
    count = len(cases)
    joined = variant_payload_flat(cases, ptr64)
    width = len(joined)
    make = case_value(value_type)
    # Per case: its payload's lifter and the coercion of each of its slots (None: none needed).
    plans: list[tuple[FlatLifter, tuple[Callable[[Any], Any] | None, ...]] | None] = []
    for case in cases:
        if case is None:
            plans.append(None)
            continue
        coercions = tuple(_FROM_JOINED.get((have, want)) for have, want in zip(joined, flatten_type(case, ptr64)))
        plans.append((flat_lifter(case, ptr64), coercions))

    def lift_variant(cx: LiftLowerContext, values: Iterator[Any]) -> Any:
        index = next(values)
        slots = [next(values) for _ in range(width)]
        if index >= count:
            raise invalid_discriminant(index, count)
        plan = plans[index]
        if plan is None:
            return make(index, None)
        lift, coercions = plan
        payload = [value if coerce is None else coerce(value) for value, coerce in zip(slots, coercions)]
        return make(index, lift(cx, iter(payload)))

    return lift_variant
