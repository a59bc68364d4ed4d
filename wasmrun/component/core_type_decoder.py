"""Decoding ``core:type`` as a component holds it: module types, and core (WebAssembly 3.0) types.

At the top of the core type section a bare ``0x50`` is a module type and a non-final subtype is
written ``0x00 0x50`` (``Binary.md``'s pre-1.0 wart); inside a module type, a type declaration is a
plain ``core:rectype`` (so ``0x50`` is a subtype there, and a module type cannot nest).
"""

from __future__ import annotations

from wasmrun.component.core_typedefs import (
    CoreArrayType,
    CoreCompositeType,
    CoreExportDeclaration,
    CoreExternDescription,
    CoreFieldType,
    CoreImportDeclaration,
    CoreModuleDeclaration,
    CoreModuleType,
    CoreOuterAlias,
    CoreRecursiveType,
    CoreStructType,
    CoreSubType,
    CoreType,
    CoreTypeDefinition,
)
from wasmrun.component.reader import ComponentReader, invalid_byte
from wasmrun.errors import DecodeError
from wasmrun.types import ExternKind, FuncType, GlobalType, Limits, MemoryType, TableType, TagType

_MODULE_TYPE = 0x50
_SUB = 0x50
_SUB_FINAL = 0x4F
_REC = 0x4E
_FUNC = 0x60
_STRUCT = 0x5F
_ARRAY = 0x5E
_PACKED = {0x78: "i8", 0x77: "i16"}

_IMPORT, _TYPE, _ALIAS, _EXPORT = 0x00, 0x01, 0x02, 0x03
_CORE_TYPE_SORT = 0x10
_OUTER = 0x01


def read_core_type(reader: ComponentReader) -> CoreTypeDefinition:
    """A ``core:type`` where a module type may stand (the core type section, component type declarations)."""
    offset = reader.pos
    byte = reader.peek()
    core_type: CoreType
    if byte == _MODULE_TYPE:
        reader.pos += 1
        core_type = _read_module_type(reader)
    elif byte == 0x00:
        reader.pos += 1
        at = reader.pos
        prefixed = reader.byte()
        if prefixed != _SUB:
            raise invalid_byte(prefixed, "non-final sub type", at)
        core_type = _read_sub_type_body(reader, final=False)
    else:
        core_type = _read_rec_type(reader)
    return CoreTypeDefinition(core_type, offset)


def _read_rec_type(reader: ComponentReader) -> CoreType:
    if reader.peek() == _REC:
        reader.pos += 1
        return CoreRecursiveType(tuple([_read_sub_type(reader) for _ in range(reader.count())]))
    sub_type = _read_sub_type(reader)
    # A plain composite type is the common case: keep a function type as the core decoder does.
    if sub_type.final and not sub_type.supertypes and isinstance(sub_type.composite, FuncType):
        return sub_type.composite
    return sub_type


def _read_sub_type(reader: ComponentReader) -> CoreSubType:
    byte = reader.peek()
    if byte in (_SUB, _SUB_FINAL):
        reader.pos += 1
        return _read_sub_type_body(reader, final=byte == _SUB_FINAL)
    return CoreSubType(True, (), _read_composite_type(reader))


def _read_sub_type_body(reader: ComponentReader, final: bool) -> CoreSubType:
    supertypes = tuple([reader.u32() for _ in range(reader.count())])
    return CoreSubType(final, supertypes, _read_composite_type(reader))


def _read_composite_type(reader: ComponentReader) -> CoreCompositeType:
    offset = reader.pos
    form = reader.byte()
    if form == _FUNC:
        params = tuple([reader.core_valtype() for _ in range(reader.count())])
        return FuncType(params, tuple([reader.core_valtype() for _ in range(reader.count())]))
    if form == _STRUCT:
        return CoreStructType(tuple([_read_field_type(reader) for _ in range(reader.count())]))
    if form == _ARRAY:
        return CoreArrayType(_read_field_type(reader))
    raise invalid_byte(form, "type", offset)


def _read_field_type(reader: ComponentReader) -> CoreFieldType:
    packed = _PACKED.get(reader.peek())
    if packed is not None:
        reader.pos += 1
        return CoreFieldType(packed, reader.flag("mutability"))
    storage = reader.core_valtype()
    return CoreFieldType(storage, reader.flag("mutability"))


def _read_module_type(reader: ComponentReader) -> CoreModuleType:
    declarations: list[CoreModuleDeclaration] = []
    for _ in range(reader.count()):
        offset = reader.pos
        kind = reader.byte()
        if kind == _IMPORT:
            module = reader.name()
            name = reader.name()
            extern_kind, description = read_core_extern_type(reader)
            declarations.append(CoreImportDeclaration(module, name, extern_kind, description, offset))
        elif kind == _TYPE:
            at = reader.pos
            declarations.append(CoreTypeDefinition(_read_rec_type(reader), at))
        elif kind == _ALIAS:
            at = reader.pos
            sort = reader.byte()
            if sort != _CORE_TYPE_SORT:
                raise invalid_byte(sort, "outer alias kind", at)
            at = reader.pos
            target = reader.byte()
            if target != _OUTER:
                raise invalid_byte(target, "outer alias target", at)
            count = reader.u32()
            declarations.append(CoreOuterAlias(count, reader.u32(), offset))
        elif kind == _EXPORT:
            name = reader.name()
            extern_kind, description = read_core_extern_type(reader)
            declarations.append(CoreExportDeclaration(name, extern_kind, description, offset))
        else:
            raise invalid_byte(kind, "type definition", offset)
    return CoreModuleType(tuple(declarations))


def read_core_extern_type(reader: ComponentReader) -> tuple[ExternKind, CoreExternDescription]:
    """``core:externtype``: a kind byte and what it declares."""
    offset = reader.pos
    kind = reader.byte()
    if kind == ExternKind.FUNC:
        return ExternKind.FUNC, reader.u32()
    if kind == ExternKind.TABLE:
        element = reader.core_reftype()
        return ExternKind.TABLE, TableType(element, _read_limits(reader, "table")[0])
    if kind == ExternKind.MEMORY:
        limits, flags = _read_limits(reader, "memory")
        page_size_log2 = reader.u32() if flags & 0x08 else 16
        return ExternKind.MEMORY, MemoryType(limits, page_size_log2, bool(flags & 0x02))
    if kind == ExternKind.GLOBAL:
        valtype = reader.core_valtype()
        return ExternKind.GLOBAL, GlobalType(valtype, reader.flag("mutability"))
    if kind == ExternKind.TAG:
        at = reader.pos
        attribute = reader.byte()
        if attribute != 0:
            raise invalid_byte(attribute, "tag attribute", at)
        return ExternKind.TAG, TagType(reader.u32())
    raise invalid_byte(kind, "external kind", offset)


def _read_limits(reader: ComponentReader, what: str) -> tuple[Limits, int]:
    """Limits and their flags byte (bit 0: a maximum; bit 1: shared; bit 2: 64-bit; bit 3: page size)."""
    offset = reader.pos
    flags = reader.byte()
    if flags & ~0x0F or (what == "table" and flags & 0x0A):
        raise DecodeError(f"invalid {what} limits flags", offset)
    minimum = reader.u64()
    maximum = reader.u64() if flags & 0x01 else None
    return Limits(minimum, maximum, bool(flags & 0x04)), flags
