"""Decoding component types, extern types, names, sorts and aliases (``Binary.md``).

Component and instance types nest (a declaration may define another such type); the depth is
bounded as wasm-tools bounds it (``component type nesting is too deep`` past 100), which keeps the
recursion here far from Python's limit.
"""

from __future__ import annotations

from wasmrun.component.aliases import Alias, CoreInstanceExportAlias, InstanceExportAlias, OuterAlias
from wasmrun.component.core_type_decoder import read_core_type
from wasmrun.component.reader import ComponentReader, invalid_byte
from wasmrun.component.sorts import CORE_SORT_CODES, CORE_SORT_PREFIX, OUTER_ALIAS_SORTS, SORT_CODES, Sort, SortIndex
from wasmrun.component.typedefs import (
    BorrowDefinition,
    ComponentExtern,
    ComponentTypeDefinition,
    Declaration,
    DefinedType,
    EnumDefinition,
    ExportDeclaration,
    ExternName,
    ExternType,
    FlagsDefinition,
    FuncExtern,
    FuncTypeDefinition,
    FutureDefinition,
    Import,
    InstanceExtern,
    InstanceTypeDefinition,
    ListDefinition,
    MapDefinition,
    ModuleExtern,
    NameAttribute,
    OptionDefinition,
    OwnDefinition,
    RecordDefinition,
    ResourceDefinition,
    ResultDefinition,
    StreamDefinition,
    TupleDefinition,
    TypeDefinition,
    TypeExtern,
    ValType,
    ValueExtern,
    VariantDefinition,
)
from wasmrun.component.types import Primitive
from wasmrun.errors import DecodeError

MAX_TYPE_NESTING = 100

PRIMITIVE_CODES: dict[int, Primitive] = {
    0x7F: Primitive.BOOL,
    0x7E: Primitive.S8,
    0x7D: Primitive.U8,
    0x7C: Primitive.S16,
    0x7B: Primitive.U16,
    0x7A: Primitive.S32,
    0x79: Primitive.U32,
    0x78: Primitive.S64,
    0x77: Primitive.U64,
    0x76: Primitive.F32,
    0x75: Primitive.F64,
    0x74: Primitive.CHAR,
    0x73: Primitive.STRING,
    0x64: Primitive.ERROR_CONTEXT,
}

_RECORD, _VARIANT, _LIST, _FIXED_LIST, _TUPLE = 0x72, 0x71, 0x70, 0x67, 0x6F
_FLAGS, _ENUM, _OPTION, _RESULT, _OWN, _BORROW = 0x6E, 0x6D, 0x6B, 0x6A, 0x69, 0x68
_STREAM, _FUTURE, _MAP = 0x66, 0x65, 0x63
_FUNC, _ASYNC_FUNC, _COMPONENT, _INSTANCE, _RESOURCE = 0x40, 0x43, 0x41, 0x42, 0x3F

# Declarations of component and instance types.
_CORE_TYPE_DECLARATION, _TYPE_DECLARATION, _ALIAS_DECLARATION = 0x00, 0x01, 0x02
_IMPORT_DECLARATION, _EXPORT_DECLARATION = 0x03, 0x04

_ATTRIBUTES = {0x00: "implements", 0x01: "versionsuffix", 0x02: "external-id"}
_EXTERN_SORTS = {0x01: Sort.FUNC, 0x02: Sort.VALUE, 0x03: Sort.TYPE, 0x04: Sort.COMPONENT, 0x05: Sort.INSTANCE}


# --- Value types ------------------------------------------------------------------------------


def read_valtype(reader: ComponentReader) -> ValType:
    """``valtype``: a primitive's code, or a type index as a non-negative s33."""
    offset = reader.pos
    byte = reader.peek()
    primitive = PRIMITIVE_CODES.get(byte)
    if primitive is not None:
        reader.pos += 1
        return primitive
    index = reader.s33()
    if index < 0:
        raise invalid_byte(byte, "component value type", offset)
    return index


def _read_optional_valtype(reader: ComponentReader) -> ValType | None:
    return read_valtype(reader) if reader.present("optional component value type") else None


def read_result_list(reader: ComponentReader) -> ValType | None:
    """``resultlist``: ``0x00 t`` (one result) or ``0x01 0x00`` (none)."""
    offset = reader.pos
    byte = reader.byte()
    if byte == 0x00:
        return read_valtype(reader)
    if byte == 0x01:
        at = reader.pos
        second = reader.byte()
        if second:
            raise invalid_byte(second, "number of results", at)
        return None
    raise invalid_byte(byte, "component function results", offset)


def _read_labelled(reader: ComponentReader) -> tuple[str, ValType]:
    label = reader.name()
    return label, read_valtype(reader)


def _read_case(reader: ComponentReader) -> tuple[str, ValType | None]:
    label = reader.name()
    payload = _read_optional_valtype(reader)
    reader.zero()
    return label, payload


def _read_defined_value_type(reader: ComponentReader, code: int, offset: int) -> DefinedType:
    if code == _RECORD:
        return RecordDefinition(tuple([_read_labelled(reader) for _ in range(reader.count())]))
    if code == _VARIANT:
        return VariantDefinition(tuple([_read_case(reader) for _ in range(reader.count())]))
    if code == _LIST:
        return ListDefinition(read_valtype(reader))
    if code == _FIXED_LIST:
        element = read_valtype(reader)
        return ListDefinition(element, reader.u32())
    if code == _TUPLE:
        return TupleDefinition(tuple([read_valtype(reader) for _ in range(reader.count())]))
    if code == _FLAGS:
        return FlagsDefinition(tuple([reader.name() for _ in range(reader.count())]))
    if code == _ENUM:
        return EnumDefinition(tuple([reader.name() for _ in range(reader.count())]))
    if code == _OPTION:
        return OptionDefinition(read_valtype(reader))
    if code == _RESULT:
        ok = _read_optional_valtype(reader)
        return ResultDefinition(ok, _read_optional_valtype(reader))
    if code == _OWN:
        return OwnDefinition(reader.u32())
    if code == _BORROW:
        return BorrowDefinition(reader.u32())
    if code == _STREAM:
        return StreamDefinition(_read_optional_valtype(reader))
    if code == _FUTURE:
        return FutureDefinition(_read_optional_valtype(reader))
    if code == _MAP:
        key = read_valtype(reader)
        return MapDefinition(key, read_valtype(reader))
    raise invalid_byte(code, "component defined type", offset)


# --- Type definitions -------------------------------------------------------------------------


def read_type(reader: ComponentReader, depth: int = 0) -> TypeDefinition:
    """``type``: one item of the type section (or of a type declaration)."""
    offset = reader.pos
    code = reader.byte()
    defined: DefinedType
    primitive = PRIMITIVE_CODES.get(code)
    if primitive is not None:
        defined = primitive
    elif code in (_FUNC, _ASYNC_FUNC):
        params = tuple([_read_labelled(reader) for _ in range(reader.count())])
        defined = FuncTypeDefinition(params, read_result_list(reader), code == _ASYNC_FUNC)
    elif code in (_COMPONENT, _INSTANCE):
        if depth >= MAX_TYPE_NESTING:
            raise DecodeError("component type nesting is too deep", offset)
        declarations = tuple([_read_declaration(reader, code == _COMPONENT, depth + 1) for _ in range(reader.count())])
        defined = (ComponentTypeDefinition if code == _COMPONENT else InstanceTypeDefinition)(declarations)
    elif code == _RESOURCE:
        representation = reader.core_valtype()
        destructor = reader.u32() if reader.present("resource destructor") else None
        defined = ResourceDefinition(representation, destructor)
    else:
        defined = _read_defined_value_type(reader, code, offset)
    return TypeDefinition(defined, offset)


def _read_declaration(reader: ComponentReader, in_component: bool, depth: int) -> Declaration:
    offset = reader.pos
    kind = reader.byte()
    if kind == _CORE_TYPE_DECLARATION:
        return read_core_type(reader)
    if kind == _TYPE_DECLARATION:
        return read_type(reader, depth)
    if kind == _ALIAS_DECLARATION:
        return read_alias(reader)
    if kind == _EXPORT_DECLARATION:
        name = read_extern_name(reader)
        return ExportDeclaration(name, read_extern_type(reader), offset)
    if kind == _IMPORT_DECLARATION and in_component:
        name = read_extern_name(reader)
        return Import(name, read_extern_type(reader), offset)
    raise invalid_byte(kind, "component or instance type declaration", offset)


# --- Extern types and names -------------------------------------------------------------------


def read_extern_type(reader: ComponentReader) -> ExternType:
    """``externtype``."""
    offset = reader.pos
    kind = reader.byte()
    if kind == CORE_SORT_PREFIX:
        at = reader.pos
        core = reader.byte()
        if core != 0x11:  # only a core module may be imported or exported
            raise invalid_byte(core, "component external kind", at)
        return ModuleExtern(reader.u32())
    sort = _EXTERN_SORTS.get(kind)
    if sort is Sort.FUNC:
        return FuncExtern(reader.u32())
    if sort is Sort.VALUE:
        # Binary.md's ``valuebound`` (0x00 and a value index, or 0x01 and a value type) is not what
        # wasm-tools writes: a value type alone, the earlier form (see ValueExtern).
        return ValueExtern(read_valtype(reader))
    if sort is Sort.TYPE:
        at = reader.pos
        bound = reader.byte()
        if bound == 0x00:
            return TypeExtern(reader.u32())
        if bound == 0x01:
            return TypeExtern(None)
        raise invalid_byte(bound, "type bound", at)
    if sort is Sort.COMPONENT:
        return ComponentExtern(reader.u32())
    if sort is Sort.INSTANCE:
        return InstanceExtern(reader.u32())
    raise invalid_byte(kind, "component external kind", offset)


def read_extern_name(reader: ComponentReader) -> ExternName:
    """``nameattributes``: 0x00 or 0x01 and a name, or 0x02, a name and its attributes."""
    offset = reader.pos
    form = reader.byte()
    if form > 0x02:
        raise invalid_byte(form, "component name", offset)
    name = reader.name()
    if form < 0x02:
        return ExternName(name, (), form)
    attributes = []
    for _ in range(reader.count()):
        at = reader.pos
        kind = _ATTRIBUTES.get(reader.byte())
        if kind is None:
            raise invalid_byte(reader.data[at], "name option", at)
        attributes.append(NameAttribute(kind, reader.name()))
    return ExternName(name, tuple(attributes), form)


# --- Sorts and aliases ------------------------------------------------------------------------


def read_core_sort(reader: ComponentReader, what: str) -> Sort:
    offset = reader.pos
    byte = reader.byte()
    sort = CORE_SORT_CODES.get(byte)
    if sort is None:
        raise invalid_byte(byte, what, offset)
    return sort


def read_sort(reader: ComponentReader, what: str = "component external kind") -> Sort:
    """``sort``: 0x00 and a core sort, or a component sort."""
    offset = reader.pos
    byte = reader.byte()
    if byte == CORE_SORT_PREFIX:
        return read_core_sort(reader, what)
    sort = SORT_CODES.get(byte)
    if sort is None:
        raise invalid_byte(byte, what, offset)
    return sort


def read_sort_index(reader: ComponentReader) -> SortIndex:
    sort = read_sort(reader)
    return SortIndex(sort, reader.u32())


def read_alias(reader: ComponentReader) -> Alias:
    """``alias``: a sort, then the target (an instance's export, a core instance's, or an outer item).

    The sort is read before the target but judged by it: an outer alias names only the sorts of
    ``outeraliassort`` (wasm-tools' texts differ by target too).
    """
    offset = reader.pos
    first = reader.byte()
    second = reader.byte() if first == CORE_SORT_PREFIX else None
    target_offset = reader.pos
    target = reader.byte()
    if target == 0x02:
        sort = _sort_of(first, second)
        if sort is None or sort not in OUTER_ALIAS_SORTS:
            bad = first if second is None else second
            raise invalid_byte(bad, "component outer alias kind", offset if second is None else offset + 1)
        count = reader.u32()
        return OuterAlias(sort, count, reader.u32(), offset)
    if target > 0x02:
        raise invalid_byte(target, "alias", target_offset)
    sort = _sort_of(first, second)
    if sort is None:
        if second is None:
            raise invalid_byte(first, "component external kind", offset)
        raise invalid_byte(second, "external kind", offset + 1)
    instance = reader.u32()
    name = reader.name()
    if target == 0x00:
        return InstanceExportAlias(sort, instance, name, offset)
    return CoreInstanceExportAlias(sort, instance, name, offset)


def _sort_of(first: int, second: int | None) -> Sort | None:
    if second is None:
        return SORT_CODES.get(first)
    return CORE_SORT_CODES.get(second)
