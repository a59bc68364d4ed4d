"""Value, function and resource type definitions (Binary.md, Type Definitions, and its validation notes).

A ``valtype`` index must name a defined value type; ``own`` and ``borrow`` a resource type.  Records,
variants, tuples, flags and enums are non-empty, with kebab-case labels unique up to case; at most
32 flags; a fixed-length list is not empty and no value type is bigger than the canonical ABI
allows (``elem_size`` under 2^28 bytes).  A function's parameter names follow the same rules and its
result may not contain a ``borrow``.  A resource type is defined only in a concrete component, is
represented as an ``i32``, and its destructor takes that ``i32``.

Implementation limits, as wasm-tools (and so Wasmtime) has them: types nest at most 100 deep and
no type is "bigger" than 1,000,000 (:func:`type_size`, counting each type as it would be written out).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from wasmrun.component.flattening import SCALAR_SIZES
from wasmrun.component.sorts import Sort
from wasmrun.component.typedefs import (
    BorrowDefinition,
    EnumDefinition,
    FlagsDefinition,
    FuncTypeDefinition,
    FutureDefinition,
    ListDefinition,
    MapDefinition,
    OptionDefinition,
    OwnDefinition,
    RecordDefinition,
    ResourceDefinition,
    ResultDefinition,
    StreamDefinition,
    TupleDefinition,
    ValType,
    VariantDefinition,
)
from wasmrun.component.types import (
    BorrowType,
    EnumType,
    FlagsType,
    FuncType,
    ListType,
    OptionType,
    OwnType,
    Primitive,
    RecordType,
    ResourceType,
    ResultType,
    TupleType,
    VariantType,
)
from wasmrun.component.validate_model import (
    NAMED_KINDS,
    ComponentType,
    Entity,
    FutureType,
    InstanceType,
    MapType,
    StreamType,
    children,
    is_value_type,
)
from wasmrun.component.validate_names import check_labels
from wasmrun.component.validate_scope import COMPONENT, Scope
from wasmrun.errors import ValidationError
from wasmrun.types import FuncType as CoreFuncType
from wasmrun.types import ValType as CoreValType

MAX_FLAGS = 32
MAX_TYPE_DEPTH = 100
MAX_TYPE_SIZE = 1_000_000
MAX_FIXED_LIST_LENGTH = 1 << 30
MAX_BYTE_SIZE = 1 << 28  # elem_size(t, 'i64') must stay under it

# elem_size with 64-bit pointers: a string is two of them; an error-context is a handle.
_SCALAR_BYTES = {**SCALAR_SIZES, Primitive.STRING: 16, Primitive.ERROR_CONTEXT: 4}


def value_type(scope: Scope, valtype: ValType, offset: int | None) -> Any:
    """A ``valtype``: a primitive, or a type index naming a defined value type."""
    if isinstance(valtype, Primitive):
        return valtype
    found = scope.get(Sort.TYPE, valtype, offset)
    if not is_value_type(found):
        raise ValidationError(f"type index {valtype} is not a defined type", offset)
    return found


def resource_at(scope: Scope, index: int, offset: int | None) -> ResourceType:
    found = scope.get(Sort.TYPE, index, offset)
    if not isinstance(found, ResourceType):
        raise ValidationError(f"type index {index} is not a resource type", offset)
    return found


def defined_value_type(scope: Scope, defined: Any, offset: int | None) -> Any:
    """A ``defvaltype``, checked, as a value type."""
    if isinstance(defined, Primitive):
        return defined
    if isinstance(defined, RecordDefinition):
        if not defined.fields:
            raise ValidationError("record type must have at least one field", offset)
        check_labels([label for label, _ in defined.fields], "record field", offset, previous_what="field")
        return RecordType(tuple((label, value_type(scope, item, offset)) for label, item in defined.fields))
    if isinstance(defined, VariantDefinition):
        if not defined.cases:
            raise ValidationError("variant type must have at least one case", offset)
        check_labels([label for label, _ in defined.cases], "variant case", offset, previous_what="case")
        return VariantType(
            tuple((label, None if item is None else value_type(scope, item, offset)) for label, item in defined.cases)
        )
    if isinstance(defined, ListDefinition):
        element = value_type(scope, defined.element, offset)
        if defined.length is not None:
            if defined.length == 0:
                raise ValidationError("Fixed-length lists must have more than zero elements", offset)
            if defined.length >= MAX_FIXED_LIST_LENGTH:
                limit = MAX_FIXED_LIST_LENGTH
                raise ValidationError(f"fixed-length list element count exceeds limit of {limit}", offset)
        return ListType(element, defined.length)
    if isinstance(defined, TupleDefinition):
        if not defined.elements:
            raise ValidationError("tuple type must have at least one type", offset)
        return TupleType(tuple(value_type(scope, item, offset) for item in defined.elements))
    if isinstance(defined, FlagsDefinition):
        if not defined.names:
            raise ValidationError("flags must have at least one entry", offset)
        if len(defined.names) > MAX_FLAGS:
            raise ValidationError(f"cannot have more than {MAX_FLAGS} flags", offset)
        check_labels(list(defined.names), "flag", offset)
        return FlagsType(defined.names)
    if isinstance(defined, EnumDefinition):
        if not defined.names:
            raise ValidationError("enum type must have at least one variant", offset)
        check_labels(list(defined.names), "enum tag", offset, previous_what="tag")
        return EnumType(defined.names)
    if isinstance(defined, OptionDefinition):
        return OptionType(value_type(scope, defined.value, offset))
    if isinstance(defined, ResultDefinition):
        ok = None if defined.ok is None else value_type(scope, defined.ok, offset)
        error = None if defined.error is None else value_type(scope, defined.error, offset)
        return ResultType(ok, error)
    if isinstance(defined, OwnDefinition):
        return OwnType(resource_at(scope, defined.resource, offset))
    if isinstance(defined, BorrowDefinition):
        return BorrowType(resource_at(scope, defined.resource, offset))
    if isinstance(defined, StreamDefinition | FutureDefinition):
        payload = defined.element if isinstance(defined, StreamDefinition) else defined.value
        item = None if payload is None else value_type(scope, payload, offset)
        kind = "stream" if isinstance(defined, StreamDefinition) else "future"
        if item is Primitive.CHAR and kind == "stream":
            raise ValidationError("`stream<char>` is not valid at this time", offset)
        if item is not None and contains_borrow(item):
            raise ValidationError(f"a {kind} payload cannot contain a `borrow` type", offset)
        return StreamType(item) if kind == "stream" else FutureType(item)
    if isinstance(defined, MapDefinition):
        return MapType(value_type(scope, defined.key, offset), value_type(scope, defined.value, offset))
    raise ValidationError(f"unsupported type definition {type(defined).__name__}", offset)


def func_type(scope: Scope, defined: FuncTypeDefinition, offset: int | None) -> FuncType:
    check_labels([label for label, _ in defined.params], "function parameter", offset, previous_what="parameter")
    params = tuple((label, value_type(scope, item, offset)) for label, item in defined.params)
    result = None if defined.result is None else value_type(scope, defined.result, offset)
    if result is not None and contains_borrow(result):
        raise ValidationError("function result cannot contain a `borrow` type", offset)
    return FuncType(params, result, defined.is_async)


def contains_borrow(value: Any) -> bool:
    stack, seen = [value], set()
    while stack:
        item = stack.pop()
        if isinstance(item, BorrowType):
            return True
        if id(item) not in seen:
            seen.add(id(item))
            stack.extend(children(item))
    return False


def resource_type(scope: Scope, defined: ResourceDefinition, index: int, offset: int | None) -> ResourceType:
    if scope.kind != COMPONENT:
        raise ValidationError("resources can only be defined within a concrete component", offset)
    if defined.representation is CoreValType.I64 and not scope.memory64:
        raise ValidationError("resources with `i64` require the `cm64` feature to be enabled", offset)
    if defined.representation not in (CoreValType.I32, CoreValType.I64):
        raise ValidationError("resources can only be represented by `i32` or `i64`", offset)
    if defined.destructor is not None:
        destructor = scope.get(Sort.CORE_FUNC, defined.destructor, offset)
        if destructor != CoreFuncType((defined.representation,), ()):
            raise ValidationError("wrong signature for a destructor", offset)
    resource = ResourceType(f"resource {index}")
    scope.defined_resources[id(resource)] = resource
    scope.resource_representations[id(resource)] = defined.representation
    return resource


def named_copy(value: Any) -> Any:
    """A type an import or export introduces: for a record, variant, enum or flags, a new type equal
    to it (so that the name belongs to the new index alone), else the type itself."""
    if isinstance(value, NAMED_KINDS):
        return dataclasses.replace(value)
    return value


# --- limits ---------------------------------------------------------------------------------------


def check_depth(value: Any, offset: int | None, depths: dict[int, int]) -> None:
    """Types nest at most :data:`MAX_TYPE_DEPTH` deep (``depths``: the depth of each type seen, by id)."""
    if _depth(value, depths) > MAX_TYPE_DEPTH:
        raise ValidationError("type nesting is too deep", offset)


def _depth(value: Any, depths: dict[int, int]) -> int:
    known = depths.get(id(value))
    if known is not None:
        return known
    if isinstance(value, InstanceType | ComponentType):
        entities = list(value.exports.values())
        if isinstance(value, ComponentType):
            entities += list(value.imports.values())
        inner = [_depth(entity.type, depths) for entity in entities]
    else:
        inner = [_depth(child, depths) for child in children(value)]
    depth = 1 + max(inner, default=0)
    if not isinstance(value, Primitive):
        depths[id(value)] = depth
    return depth


def check_byte_size(value: Any, offset: int | None, memo: dict[Any, int]) -> None:
    """``elem_size(t, 'i64')`` under 2^28 bytes (only fixed-length lists can get there)."""
    if _byte_size(value, memo) >= MAX_BYTE_SIZE:
        raise ValidationError(f"value type exceeds maximum byte size of {MAX_BYTE_SIZE}", offset)


def _cases(value: Any) -> tuple[Any, ...]:
    if isinstance(value, VariantType):
        return tuple(item for _, item in value.cases)
    if isinstance(value, EnumType):
        return (None,) * len(value.names)
    if isinstance(value, OptionType):
        return (None, value.value)
    return (value.ok, value.error)


def _discriminant(count: int) -> int:
    return 1 if count <= 1 << 8 else 2 if count <= 1 << 16 else 4


def _align_to(offset: int, alignment: int) -> int:
    return -(-offset // alignment) * alignment


def _fields(value: Any) -> tuple[Any, ...]:
    return value.elements if isinstance(value, TupleType) else tuple(item for _, item in value.fields)


def _alignment(value: Any, memo: dict[Any, int]) -> int:
    key = ("alignment", id(value))
    known = memo.get(key)
    if known is None:
        known = memo[key] = _alignment_of(value, memo)
    return known


def _alignment_of(value: Any, memo: dict[Any, int]) -> int:
    if isinstance(value, Primitive):
        return 8 if value is Primitive.STRING else _SCALAR_BYTES.get(value, 4)
    if isinstance(value, ListType):
        return 8 if value.length is None else _alignment(value.element, memo)
    if isinstance(value, MapType):
        return 8
    if isinstance(value, RecordType | TupleType):
        return max(_alignment(item, memo) for item in _fields(value))
    if isinstance(value, VariantType | EnumType | OptionType | ResultType):
        cases = _cases(value)
        inner = max((_alignment(item, memo) for item in cases if item is not None), default=1)
        return max(_discriminant(len(cases)), inner)
    if isinstance(value, FlagsType):
        return _flags_bytes(len(value.names))
    return 4


def _flags_bytes(count: int) -> int:
    return 1 if count <= 8 else 2 if count <= 16 else 4


def _byte_size(value: Any, memo: dict[Any, int]) -> int:
    """``elem_size(t, 'i64')`` of the canonical ABI."""
    known = memo.get(id(value))
    if known is None:
        known = memo[id(value)] = _byte_size_of(value, memo)
    return known


def _byte_size_of(value: Any, memo: dict[Any, int]) -> int:
    if isinstance(value, Primitive):
        return _SCALAR_BYTES.get(value, 4)
    if isinstance(value, ListType):
        return 16 if value.length is None else value.length * _byte_size(value.element, memo)
    if isinstance(value, MapType):
        return 16
    if isinstance(value, RecordType | TupleType):
        offset = 0
        for item in _fields(value):
            offset = _align_to(offset, _alignment(item, memo)) + _byte_size(item, memo)
        return _align_to(offset, _alignment(value, memo))
    if isinstance(value, VariantType | EnumType | OptionType | ResultType):
        cases = _cases(value)
        inner = max((_alignment(item, memo) for item in cases if item is not None), default=1)
        offset = _align_to(_discriminant(len(cases)), inner)
        offset += max((_byte_size(item, memo) for item in cases if item is not None), default=0)
        return _align_to(offset, _alignment(value, memo))
    if isinstance(value, FlagsType):
        return _flags_bytes(len(value.names))
    return 4


def type_size(value: Any, sizes: dict[int, int]) -> int:
    """How big a type is written out (every use of a type counts its whole size)."""
    known = sizes.get(id(value))
    if known is not None:
        return known
    size = 1
    if isinstance(value, Entity):
        size = type_size(value.type, sizes)
    elif isinstance(value, InstanceType):
        size += sum(type_size(item, sizes) for item in value.exports.values())
    elif isinstance(value, ComponentType):
        size += sum(type_size(item, sizes) for item in value.imports.values())
        size += sum(type_size(item, sizes) for item in value.exports.values())
    else:
        size += sum(type_size(child, sizes) for child in children(value))
    if not isinstance(value, Primitive):
        sizes[id(value)] = size
    return size


def check_type_size(value: Any, offset: int | None, sizes: dict[int, int]) -> None:
    if type_size(value, sizes) > MAX_TYPE_SIZE:
        raise ValidationError("effective type size exceeds the limit", offset)
