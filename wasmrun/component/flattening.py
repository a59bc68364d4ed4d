"""Flattening component values into core values (``CanonicalABI.md``, ``flatten_functype``).

Pure functions of a type: the core value types a component value is passed as, and the core signature of a
(synchronous) component function lifted from, or lowered to, core wasm.  Shared by the front end (the
validator checks ``canon lift`` and ``canon lower`` against them) and the runtime
(:mod:`wasmrun.component_runtime.layout` re-exports them).  A type whose canonical ABI is not supported
(``error-context`` and the forms of later proposals) raises :class:`UnsupportedInstruction`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from wasmrun.component.types import (
    BorrowType,
    EnumType,
    FlagsType,
    FuncType,
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
from wasmrun.errors import UnsupportedInstruction
from wasmrun.types import FuncType as CoreFuncType
from wasmrun.types import ValType

MAX_FLAT_PARAMS = 16
MAX_FLAT_ASYNC_PARAMS = 4
MAX_FLAT_RESULTS = 1

CACHE_SIZE = 4096  # types of many instances' resources pass through: bounded, not for ever

_I32, _I64, _F32, _F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64

_SCALAR_FLAT: dict[Primitive, ValType] = {
    Primitive.BOOL: _I32,
    Primitive.S8: _I32,
    Primitive.U8: _I32,
    Primitive.S16: _I32,
    Primitive.U16: _I32,
    Primitive.S32: _I32,
    Primitive.U32: _I32,
    Primitive.S64: _I64,
    Primitive.U64: _I64,
    Primitive.F32: _F32,
    Primitive.F64: _F64,
    Primitive.CHAR: _I32,
}

SCALAR_SIZES: dict[Primitive, int] = {
    Primitive.BOOL: 1,
    Primitive.S8: 1,
    Primitive.U8: 1,
    Primitive.S16: 2,
    Primitive.U16: 2,
    Primitive.S32: 4,
    Primitive.U32: 4,
    Primitive.S64: 8,
    Primitive.U64: 8,
    Primitive.F32: 4,
    Primitive.F64: 8,
    Primitive.CHAR: 4,
}
"""The size (and alignment) in memory of each scalar primitive (CanonicalABI.md ``elem_size``): the one
table the runtime's layout and the validator's size limits read."""


def unsupported(value_type: object) -> UnsupportedInstruction:
    return UnsupportedInstruction(f"the canonical ABI of {value_type} is not supported (only the synchronous ABI is)")


# -- despecialisation -------------------------------------------------------------------------------


def record_fields(value_type: RecordType | TupleType) -> tuple[ValueType, ...]:
    """The field types of a record or tuple, in order."""
    if isinstance(value_type, TupleType):
        return value_type.elements
    return tuple(field for _name, field in value_type.fields)


def variant_cases(value_type: VariantType | EnumType | OptionType | ResultType) -> tuple[ValueType | None, ...]:
    """The payload types of the cases of a variant, enum, option or result, in case order."""
    if isinstance(value_type, VariantType):
        return tuple(payload for _name, payload in value_type.cases)
    if isinstance(value_type, EnumType):
        return (None,) * len(value_type.names)
    if isinstance(value_type, OptionType):
        return (None, value_type.value)
    return (value_type.ok, value_type.error)


VARIANT_KINDS = (VariantType, EnumType, OptionType, ResultType)


def map_entries(value_type: MapType) -> ListType:
    """The list a map is, of ``(key, value)`` tuples (``despecialize``): its layout, flattening and values."""
    return ListType(TupleType((value_type.key, value_type.value)), None)


def flags_size(count: int) -> int:
    """The bytes of a flags value: the smallest of u8, u16, u32 holding a bit per flag (at most 32)."""
    if not 0 < count <= 32:
        raise ValueError(f"flags must have between 1 and 32 names, not {count}")
    if count <= 8:
        return 1
    if count <= 16:
        return 2
    return 4


# -- flattening -------------------------------------------------------------------------------------


def join(a: ValType, b: ValType) -> ValType:
    """The core type that carries both ``a`` and ``b`` (for a variant's payloads sharing a slot)."""
    if a == b:
        return a
    if {a, b} == {_I32, _F32}:
        return _I32
    return _I64


@lru_cache(maxsize=CACHE_SIZE)
def flatten_type(value_type: ValueType, ptr64: bool = False) -> tuple[ValType, ...]:
    """The core value types a value of ``value_type`` is passed as (in core parameters and results)."""
    if isinstance(value_type, Primitive):
        if value_type is Primitive.STRING:
            pointer = _I64 if ptr64 else _I32
            return (pointer, pointer)
        flat = _SCALAR_FLAT.get(value_type)
        if flat is None:
            raise unsupported(value_type)
        return (flat,)
    if isinstance(value_type, ListType):
        if value_type.length is not None:
            return flatten_type(value_type.element, ptr64) * value_type.length
        pointer = _I64 if ptr64 else _I32
        return (pointer, pointer)
    if isinstance(value_type, RecordType | TupleType):
        return flatten_types(record_fields(value_type), ptr64)
    if isinstance(value_type, MapType):
        return flatten_type(map_entries(value_type), ptr64)
    if isinstance(value_type, VARIANT_KINDS):
        return (_I32, *variant_payload_flat(variant_cases(value_type), ptr64))
    if isinstance(value_type, FlagsType):
        flags_size(len(value_type.names))  # (refuses an empty or oversized set)
        return (_I32,)
    if isinstance(value_type, OwnType | BorrowType):
        return (_I32,)
    raise unsupported(value_type)


def variant_payload_flat(cases: tuple[ValueType | None, ...], ptr64: bool = False) -> tuple[ValType, ...]:
    """The joined core types of a variant's payloads (what follows its discriminant)."""
    flat: list[ValType] = []
    for case in cases:
        if case is None:
            continue
        for index, core in enumerate(flatten_type(case, ptr64)):
            if index < len(flat):
                flat[index] = join(flat[index], core)
            else:
                flat.append(core)
    return tuple(flat)


def flatten_types(value_types: tuple[ValueType, ...], ptr64: bool = False) -> tuple[ValType, ...]:
    return tuple(core for value_type in value_types for core in flatten_type(value_type, ptr64))


@dataclass(frozen=True, slots=True)
class CoreSignature:
    """A component function's core signature for one direction (``flatten_functype``).

    ``params_in_memory``: the parameters are passed as one pointer to a tuple of them (more than
    16 flat values).  ``results_in_memory``: the result is passed in memory, through a pointer the
    callee returns (``lift``) or through a pointer the caller adds as its last parameter (``lower``).
    """

    params: tuple[ValType, ...]
    results: tuple[ValType, ...]
    params_in_memory: bool
    results_in_memory: bool

    @property
    def core_type(self) -> CoreFuncType:
        return CoreFuncType(self.params, self.results)


@lru_cache(maxsize=CACHE_SIZE)
def flatten_functype(
    func_type: FuncType,
    context: Literal["lift", "lower"],
    ptr64: bool = False,
    is_async: bool = False,
    callback: bool = False,
) -> CoreSignature:
    """The core signature of a component function lifted from, or lowered to, core wasm.

    ``is_async``: with the ``async`` option.  An async lift's results go through ``task.return``,
    and its core function returns a callback code when it has a ``callback``; an async lower takes
    at most ``MAX_FLAT_ASYNC_PARAMS`` flat parameters, always returns its result through a pointer
    parameter and returns the subtask's state (an i32).
    """
    pointer = _I64 if ptr64 else _I32
    params = flatten_types(tuple(param for _name, param in func_type.params), ptr64)
    results = () if func_type.result is None else flatten_type(func_type.result, ptr64)
    max_flat_params = MAX_FLAT_ASYNC_PARAMS if is_async and context == "lower" else MAX_FLAT_PARAMS
    params_in_memory = len(params) > max_flat_params
    if params_in_memory:
        params = (pointer,)
    if is_async:
        if context == "lift":
            return CoreSignature(params, (_I32,) if callback else (), params_in_memory, False)
        if results:
            return CoreSignature((*params, pointer), (_I32,), params_in_memory, True)
        return CoreSignature(params, (_I32,), params_in_memory, False)
    results_in_memory = len(results) > MAX_FLAT_RESULTS
    if results_in_memory:
        if context == "lift":
            results = (pointer,)
        else:
            params = (*params, pointer)
            results = ()
    return CoreSignature(params, results, params_in_memory, results_in_memory)
