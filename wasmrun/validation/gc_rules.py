"""The typing rules of the GC instructions (WebAssembly 3.0): structs, arrays, i31, casts, conversions.

Types on the stacks are type codes (:func:`wasmrun.types.type_code`); a struct or array type is read
from the module's composite types (``context.composites``), whose references name type indices.
"""

from __future__ import annotations

from typing import Any

from wasmrun.deftypes import ArrayType, FieldType, PackedType, StructType, top_heap, unpacked
from wasmrun.errors import ValidationError
from wasmrun.instructions import OPCODES
from wasmrun.types import (
    HEAP_ANY,
    HEAP_ARRAY,
    HEAP_EQ,
    HEAP_EXTERN,
    HEAP_I31,
    REF_CODE_BASE,
    RefType,
    ValType,
    as_ref,
    is_defaultable,
    ref_type,
    type_code,
    type_of_code,
)
from wasmrun.validation.context import Context
from wasmrun.validation.stack import I32, UNKNOWN, BodyState, Rule, mismatch, type_text

_EQREF = type_code(RefType(True, HEAP_EQ))
_ARRAYREF = type_code(RefType(True, HEAP_ARRAY))
_I31REF = type_code(RefType(True, HEAP_I31))
_REF_I31 = type_code(RefType(False, HEAP_I31))
_ANYREF = type_code(RefType(True, HEAP_ANY))
_EXTERNREF = int(ValType.EXTERNREF)


def _composite(context: Context, type_index: int, offset: int) -> Any:
    if type_index >= len(context.composites):
        raise ValidationError(f"unknown type {type_index}", offset)
    return context.composites[type_index]


def _struct(context: Context, type_index: int, offset: int) -> StructType:
    composite = _composite(context, type_index, offset)
    if composite.__class__ is not StructType:
        raise ValidationError(f"type mismatch: type {type_index} is not a struct type", offset)
    struct_type: StructType = composite
    return struct_type


def _array(context: Context, type_index: int, offset: int) -> ArrayType:
    composite = _composite(context, type_index, offset)
    if composite.__class__ is not ArrayType:
        raise ValidationError(f"type mismatch: type {type_index} is not an array type", offset)
    array_type: ArrayType = composite
    return array_type


def _field(context: Context, immediate: tuple[int, int], offset: int) -> FieldType:
    type_index, field_index = immediate
    fields = _struct(context, type_index, offset).fields
    if field_index >= len(fields):
        raise ValidationError(f"unknown field {field_index}", offset)
    return fields[field_index]


def _value(field: FieldType) -> int:
    """The type code of a field's value on the stack (i32 for a packed field)."""
    return type_code(unpacked(field.storage))


def _ref(type_index: int, nullable: bool) -> int:
    return type_code(RefType(nullable, type_index))


def _check_packed(field: FieldType, mnemonic: str, offset: int) -> None:
    packed = isinstance(field.storage, PackedType)
    if packed != mnemonic.endswith(("_s", "_u")):
        raise ValidationError(
            "type mismatch: field is packed" if packed else "type mismatch: field is not packed", offset
        )


def _defaultable(field: FieldType, offset: int) -> None:
    if not isinstance(field.storage, PackedType) and not is_defaultable(field.storage):
        raise ValidationError("type mismatch: field type is not defaultable", offset)


def _numeric_or_vector(field: FieldType, offset: int) -> None:
    storage = field.storage
    if not isinstance(storage, PackedType) and (as_ref(storage) is not None):
        raise ValidationError("array type is not numeric or vector", offset)


def _elements_fit(state: BodyState, elem_index: int, field: FieldType, opcode: int, offset: int) -> None:
    elems = state.context.elems
    if elem_index >= len(elems):
        raise ValidationError(f"unknown elem segment {elem_index}", offset)
    given = elems[elem_index]
    wanted = _value(field)
    if given != wanted and not state.context.matches(given, wanted):
        raise mismatch(f"a segment of {type_text((given,))} into an array of {type_text((wanted,))}", opcode, offset)


def _data(context: Context, data_index: int, offset: int) -> None:
    if data_index >= context.num_datas:
        raise ValidationError(f"unknown data segment {data_index}", offset)


def struct_new(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    fields = _struct(state.context, immediate, offset).fields
    state.pop_vals([_value(field) for field in fields], opcode, offset)
    state.vals.append(_ref(immediate, False))


def struct_new_default(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    for field in _struct(state.context, immediate, offset).fields:
        _defaultable(field, offset)
    state.vals.append(_ref(immediate, False))


def struct_get(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    field = _field(state.context, immediate, offset)
    _check_packed(field, _MNEMONICS[opcode], offset)
    state.pop_vals((_ref(immediate[0], True),), opcode, offset)
    state.vals.append(_value(field))


def struct_set(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    field = _field(state.context, immediate, offset)
    if not field.mutable:
        raise ValidationError("immutable field", offset)
    state.pop_vals((_ref(immediate[0], True), _value(field)), opcode, offset)


def array_new(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    field = _array(state.context, immediate, offset).field
    state.pop_vals((_value(field), I32), opcode, offset)
    state.vals.append(_ref(immediate, False))


def array_new_default(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    _defaultable(_array(state.context, immediate, offset).field, offset)
    state.pop_vals((I32,), opcode, offset)
    state.vals.append(_ref(immediate, False))


def array_new_fixed(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    type_index, count = immediate
    field = _array(state.context, type_index, offset).field
    state.pop_vals([_value(field)] * count, opcode, offset)
    state.vals.append(_ref(type_index, False))


def array_new_data(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    type_index, data_index = immediate
    field = _array(state.context, type_index, offset).field
    _numeric_or_vector(field, offset)
    _data(state.context, data_index, offset)
    state.pop_vals((I32, I32), opcode, offset)
    state.vals.append(_ref(type_index, False))


def array_new_elem(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    type_index, elem_index = immediate
    field = _array(state.context, type_index, offset).field
    _elements_fit(state, elem_index, field, opcode, offset)
    state.pop_vals((I32, I32), opcode, offset)
    state.vals.append(_ref(type_index, False))


def array_get(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    field = _array(state.context, immediate, offset).field
    _check_packed(field, _MNEMONICS[opcode], offset)
    state.pop_vals((_ref(immediate, True), I32), opcode, offset)
    state.vals.append(_value(field))


def _mutable_array(context: Context, type_index: int, offset: int) -> FieldType:
    field = _array(context, type_index, offset).field
    if not field.mutable:
        raise ValidationError("immutable array", offset)
    return field


def array_set(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    field = _mutable_array(state.context, immediate, offset)
    state.pop_vals((_ref(immediate, True), I32, _value(field)), opcode, offset)


def array_len(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.pop_vals((_ARRAYREF,), opcode, offset)
    state.vals.append(I32)


def array_fill(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    field = _mutable_array(state.context, immediate, offset)
    state.pop_vals((_ref(immediate, True), I32, _value(field), I32), opcode, offset)


def array_copy(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    destination, source = immediate
    field = _mutable_array(state.context, destination, offset)
    source_field = _array(state.context, source, offset).field
    if not _storage_matches(state.context, source_field.storage, field.storage):
        raise ValidationError("array types do not match", offset)
    state.pop_vals((_ref(destination, True), I32, _ref(source, True), I32, I32), opcode, offset)


def _storage_matches(context: Context, actual: Any, expected: Any) -> bool:
    if isinstance(actual, PackedType) or isinstance(expected, PackedType):
        return bool(actual == expected)
    a, e = type_code(actual), type_code(expected)
    return a == e or context.matches(a, e)


def array_init_data(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    type_index, data_index = immediate
    field = _mutable_array(state.context, type_index, offset)
    _numeric_or_vector(field, offset)
    _data(state.context, data_index, offset)
    state.pop_vals((_ref(type_index, True), I32, I32, I32), opcode, offset)


def array_init_elem(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    type_index, elem_index = immediate
    field = _mutable_array(state.context, type_index, offset)
    _elements_fit(state, elem_index, field, opcode, offset)
    state.pop_vals((_ref(type_index, True), I32, I32, I32), opcode, offset)


def _top(context: Context, heap: int) -> int:
    """The type code of ``(ref null top)``, the top of ``heap``'s hierarchy."""
    resolved = context.defined[heap] if heap >= 0 else heap
    return type_code(ref_type(True, top_heap(resolved)))


def _cast_target(state: BodyState, nullable: bool, heap: int, offset: int) -> int:
    return state.context.check_type(type_code(ref_type(nullable, heap)), offset)


def ref_test(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    _cast_target(state, False, immediate, offset)
    state.pop_vals((_top(state.context, immediate),), opcode, offset)
    state.vals.append(I32)


def ref_cast(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    target = _cast_target(state, _MNEMONICS[opcode].endswith("_null"), immediate, offset)
    state.pop_vals((_top(state.context, immediate),), opcode, offset)
    state.vals.append(target)


def _cast_types(state: BodyState, immediate: Any, opcode: int, offset: int) -> tuple[list[int], int, int, int]:
    """``br_on_cast``'s label types (all but the last), source, target and source minus target."""
    label, source_type, target_type = immediate
    context = state.context
    source = context.check_type(type_code(source_type), offset)
    target = context.check_type(type_code(target_type), offset)
    if source != target and not context.matches(target, source):
        raise mismatch(f"casts {type_text((source,))} to {type_text((target,))}, not a subtype", opcode, offset)
    labels = state.label_types(label, offset)
    if not labels:
        raise mismatch(f"needs a label taking a reference, label {label} takes []", opcode, offset)
    target_ref = as_ref(type_of_code(target))
    source_ref = as_ref(type_of_code(source))
    difference = source
    if target_ref is not None and source_ref is not None and target_ref.nullable:
        difference = type_code(ref_type(False, source_ref.heap))
    return list(labels[:-1]), source, target, difference


def _check_label_end(state: BodyState, label: int, given: int, opcode: int, offset: int) -> None:
    wanted = state.label_types(label, offset)[-1]
    if given != wanted and not state.context.matches(given, wanted):
        raise mismatch(f"label {label} takes {type_text((wanted,))}, not {type_text((given,))}", opcode, offset)


def br_on_cast(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    rest, source, target, difference = _cast_types(state, immediate, opcode, offset)
    _check_label_end(state, immediate[0], target, opcode, offset)
    state.pop_vals([*rest, source], opcode, offset)
    state.vals.extend(rest)
    state.vals.append(difference)


def br_on_cast_fail(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    rest, source, target, difference = _cast_types(state, immediate, opcode, offset)
    _check_label_end(state, immediate[0], difference, opcode, offset)
    state.pop_vals([*rest, source], opcode, offset)
    state.vals.extend(rest)
    state.vals.append(target)


def _converted(actual: int, heap: int) -> int:
    """A conversion's result: the other hierarchy's top, nullable as the operand is."""
    nullable = actual != UNKNOWN and (actual < REF_CODE_BASE or bool(actual & 1))
    return type_code(ref_type(nullable, heap))


def any_convert_extern(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    (actual,) = state.pop_vals((_EXTERNREF,), opcode, offset)
    state.vals.append(_converted(actual, HEAP_ANY))


def extern_convert_any(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    (actual,) = state.pop_vals((_ANYREF,), opcode, offset)
    state.vals.append(_converted(actual, HEAP_EXTERN))


def ref_i31(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.pop_vals((I32,), opcode, offset)
    state.vals.append(_REF_I31)


def i31_get(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.pop_vals((_I31REF,), opcode, offset)
    state.vals.append(I32)


def ref_eq(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.pop_vals((_EQREF, _EQREF), opcode, offset)
    state.vals.append(I32)


GC_RULES: dict[str, Rule] = {
    "struct.new": struct_new,
    "struct.new_default": struct_new_default,
    "struct.get": struct_get,
    "struct.get_s": struct_get,
    "struct.get_u": struct_get,
    "struct.set": struct_set,
    "array.new": array_new,
    "array.new_default": array_new_default,
    "array.new_fixed": array_new_fixed,
    "array.new_data": array_new_data,
    "array.new_elem": array_new_elem,
    "array.get": array_get,
    "array.get_s": array_get,
    "array.get_u": array_get,
    "array.set": array_set,
    "array.len": array_len,
    "array.fill": array_fill,
    "array.copy": array_copy,
    "array.init_data": array_init_data,
    "array.init_elem": array_init_elem,
    "ref.test": ref_test,
    "ref.test_null": ref_test,
    "ref.cast": ref_cast,
    "ref.cast_null": ref_cast,
    "any.convert_extern": any_convert_extern,
    "extern.convert_any": extern_convert_any,
    "ref.i31": ref_i31,
    "i31.get_s": i31_get,
    "i31.get_u": i31_get,
    "ref.eq": ref_eq,
}
"""The rules of the GC instructions without a control kind, by mnemonic."""

GC_CONTROL_RULES: dict[str, Rule] = {"br_on_cast": br_on_cast, "br_on_cast_fail": br_on_cast_fail}

_MNEMONICS = {opcode: info.mnemonic for opcode, info in OPCODES.items() if info.proposal == "gc"}
"""The GC mnemonics by opcode (the rules of ``struct.get_s`` ... tell their variants apart by them)."""
