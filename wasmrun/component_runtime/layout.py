"""Where component values live in core wasm: sizes, alignments and flattenings (CanonicalABI.md).

Everything here depends on the type alone (and on the pointer size: 4 bytes, or 8 for a 64-bit
memory), so each answer is computed once per type and cached.  The specialised types are
despecialised as the spec says: a tuple is a record, an enum, option or result a variant, a
map a list of ``(key, value)`` tuples (:func:`map_entries`); strings and flags keep
representations of their own.

Only the synchronous canonical ABI is covered: ``error-context`` (and streams and futures, which the
vocabulary does not have yet) are refused with :class:`UnsupportedInstruction`.
"""

from __future__ import annotations

from functools import lru_cache

from wasmrun.component.flattening import (
    CACHE_SIZE,
    MAX_FLAT_ASYNC_PARAMS,
    MAX_FLAT_PARAMS,
    MAX_FLAT_RESULTS,
    SCALAR_SIZES,
    VARIANT_KINDS,
    CoreSignature,
    flags_size,
    flatten_functype,
    flatten_type,
    flatten_types,
    join,
    map_entries,
    record_fields,
    unsupported,
    variant_cases,
    variant_payload_flat,
)
from wasmrun.component.types import (
    BorrowType,
    EnumType,
    FlagsType,
    ListType,
    MapType,
    OptionType,
    OwnType,
    Primitive,
    RecordType,
    ResultType,
    TupleType,
    ValueType,
    VariantType,
)

__all__ = [
    "CACHE_SIZE",
    "MAX_FLAT_ASYNC_PARAMS",
    "MAX_FLAT_PARAMS",
    "MAX_FLAT_RESULTS",
    "MAX_LIST_BYTE_LENGTH",
    "MAX_STRING_BYTE_LENGTH",
    "REALLOC_I32_MAX",
    "VARIANT_KINDS",
    "CoreSignature",
    "align_to",
    "alignment",
    "discriminant_size",
    "elem_size",
    "field_offsets",
    "flags_size",
    "flatten_functype",
    "flatten_type",
    "flatten_types",
    "join",
    "map_entries",
    "max_case_alignment",
    "payload_offset",
    "pointer_size",
    "record_fields",
    "unsupported",
    "variant_cases",
    "variant_payload_flat",
]

# The longest string (in bytes, in any encoding) the canonical ABI lifts or stores (CanonicalABI.md);
# lists stay under a bound of their own, so that storing one never asks realloc for more than 32 bits.
MAX_STRING_BYTE_LENGTH = (1 << 31) - 1
MAX_LIST_BYTE_LENGTH = (1 << 28) - 1
REALLOC_I32_MAX = 2**32 - 1


def pointer_size(ptr64: bool) -> int:
    return 8 if ptr64 else 4


def align_to(offset: int, alignment: int) -> int:
    return -(-offset // alignment) * alignment


def discriminant_size(case_count: int) -> int:
    """The bytes of a variant's discriminant: the smallest unsigned integer numbering its cases."""
    if case_count <= 1 << 8:
        return 1
    if case_count <= 1 << 16:
        return 2
    return 4


# -- alignment and size -----------------------------------------------------------------------------


@lru_cache(maxsize=CACHE_SIZE)
def alignment(value_type: ValueType, ptr64: bool = False) -> int:
    """The alignment of a value of ``value_type`` in linear memory."""
    if isinstance(value_type, Primitive):
        if value_type is Primitive.STRING:
            return pointer_size(ptr64)
        size = SCALAR_SIZES.get(value_type)
        if size is None:
            raise unsupported(value_type)
        return size
    if isinstance(value_type, ListType):
        if value_type.length is not None:
            return alignment(value_type.element, ptr64)
        return pointer_size(ptr64)
    if isinstance(value_type, RecordType | TupleType):
        return max((alignment(field, ptr64) for field in record_fields(value_type)), default=1)
    if isinstance(value_type, MapType):
        return alignment(map_entries(value_type), ptr64)
    if isinstance(value_type, VARIANT_KINDS):
        cases = variant_cases(value_type)
        return max(discriminant_size(len(cases)), max_case_alignment(cases, ptr64))
    if isinstance(value_type, FlagsType):
        return flags_size(len(value_type.names))
    if isinstance(value_type, OwnType | BorrowType):
        return 4
    raise unsupported(value_type)


def max_case_alignment(cases: tuple[ValueType | None, ...], ptr64: bool = False) -> int:
    return max((alignment(case, ptr64) for case in cases if case is not None), default=1)


@lru_cache(maxsize=CACHE_SIZE)
def elem_size(value_type: ValueType, ptr64: bool = False) -> int:
    """The bytes a value of ``value_type`` takes in linear memory (as a list element: padded to its alignment)."""
    if isinstance(value_type, Primitive):
        if value_type is Primitive.STRING:
            return 2 * pointer_size(ptr64)
        size = SCALAR_SIZES.get(value_type)
        if size is None:
            raise unsupported(value_type)
        return size
    if isinstance(value_type, ListType):
        if value_type.length is not None:
            return value_type.length * elem_size(value_type.element, ptr64)
        return 2 * pointer_size(ptr64)
    if isinstance(value_type, RecordType | TupleType):
        offset = 0
        for field in record_fields(value_type):
            offset = align_to(offset, alignment(field, ptr64)) + elem_size(field, ptr64)
        return align_to(offset, alignment(value_type, ptr64))
    if isinstance(value_type, MapType):
        return elem_size(map_entries(value_type), ptr64)
    if isinstance(value_type, VARIANT_KINDS):
        cases = variant_cases(value_type)
        offset = align_to(discriminant_size(len(cases)), max_case_alignment(cases, ptr64))
        offset += max((elem_size(case, ptr64) for case in cases if case is not None), default=0)
        return align_to(offset, alignment(value_type, ptr64))
    if isinstance(value_type, FlagsType):
        return flags_size(len(value_type.names))
    if isinstance(value_type, OwnType | BorrowType):
        return 4
    raise unsupported(value_type)


@lru_cache(maxsize=CACHE_SIZE)
def field_offsets(value_type: RecordType | TupleType, ptr64: bool = False) -> tuple[int, ...]:
    """The offset of each field of a record or tuple from its start."""
    offsets = []
    offset = 0
    for field in record_fields(value_type):
        offset = align_to(offset, alignment(field, ptr64))
        offsets.append(offset)
        offset += elem_size(field, ptr64)
    return tuple(offsets)


def payload_offset(value_type: VariantType | EnumType | OptionType | ResultType, ptr64: bool = False) -> int:
    """The offset of a variant's payload from its start (after the discriminant, aligned)."""
    cases = variant_cases(value_type)
    return align_to(discriminant_size(len(cases)), max_case_alignment(cases, ptr64))
