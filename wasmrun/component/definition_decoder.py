"""Decoding one item of each of a component's vector sections: instances, canonical definitions,
start, imports, exports and values (``Binary.md``).  Types and aliases are
:mod:`wasmrun.component.type_decoder`'s."""

from __future__ import annotations

from typing import Any

from wasmrun.component.canonical import (
    BUILTINS,
    CanonicalBuiltin,
    CanonicalFunction,
    CanonicalOption,
    CanonicalOptions,
    Lift,
    Lower,
    ResourceDrop,
    ResourceNew,
    ResourceRep,
)
from wasmrun.component.reader import ComponentReader, invalid_byte
from wasmrun.component.records import (
    CoreInlineExport,
    CoreInstance,
    CoreInstanceFromExports,
    CoreInstantiate,
    CoreInstantiateArgument,
    Export,
    InlineExport,
    Instance,
    InstanceFromExports,
    Instantiate,
    InstantiateArgument,
    Start,
    ValueDefinition,
)
from wasmrun.component.sorts import SortIndex
from wasmrun.component.type_decoder import (
    read_core_sort,
    read_extern_name,
    read_extern_type,
    read_result_list,
    read_sort_index,
    read_valtype,
)
from wasmrun.component.typedefs import Import
from wasmrun.errors import DecodeError

MAX_START_RESULTS = 1000  # wasm-tools' bound ("start function results size is out of bounds")

_INSTANTIATE, _FROM_EXPORTS = 0x00, 0x01
_CORE_INSTANCE_SORT = 0x12
_LIFT, _LOWER, _RESOURCE_NEW, _RESOURCE_DROP, _RESOURCE_REP = 0x00, 0x01, 0x02, 0x03, 0x04  # canon opcodes
_FUNC_SORT_BYTE = 0x00  # the ``func`` sort after lift's and lower's opcode (core func for lift)

# canonopt: the options without an immediate, then those with an index.
_OPTION_FLAGS = {0x00: "string-encoding=utf8", 0x01: "string-encoding=utf16", 0x02: "string-encoding=latin1+utf16"}
_OPTION_FLAGS[0x06] = "async"
_OPTION_INDICES = {0x03: "memory", 0x04: "realloc", 0x05: "post-return", 0x07: "callback"}


def read_core_instance(reader: ComponentReader) -> CoreInstance:
    offset = reader.pos
    kind = reader.byte()
    if kind == _INSTANTIATE:
        module = reader.u32()
        arguments = []
        for _ in range(reader.count()):
            name = reader.name()
            at = reader.pos
            kind = reader.byte()
            if kind != _CORE_INSTANCE_SORT:  # (core modules are instantiated with instances only)
                raise invalid_byte(kind, "instantiation arg kind", at)
            arguments.append(CoreInstantiateArgument(name, reader.u32()))
        return CoreInstantiate(module, tuple(arguments), offset)
    if kind == _FROM_EXPORTS:
        exports = []
        for _ in range(reader.count()):
            name = reader.name()
            sort = read_core_sort(reader, "external kind")
            exports.append(CoreInlineExport(name, SortIndex(sort, reader.u32())))
        return CoreInstanceFromExports(tuple(exports), offset)
    raise invalid_byte(kind, "core instance", offset)


def read_instance(reader: ComponentReader) -> Instance:
    offset = reader.pos
    kind = reader.byte()
    if kind == _INSTANTIATE:
        component = reader.u32()
        arguments = []
        for _ in range(reader.count()):
            name = reader.name()
            arguments.append(InstantiateArgument(name, read_sort_index(reader)))
        return Instantiate(component, tuple(arguments), offset)
    if kind == _FROM_EXPORTS:
        exports = []
        for _ in range(reader.count()):
            extern_name = read_extern_name(reader)
            exports.append(InlineExport(extern_name, read_sort_index(reader)))
        return InstanceFromExports(tuple(exports), offset)
    raise invalid_byte(kind, "instance", offset)


def read_canonical_options(reader: ComponentReader) -> CanonicalOptions:
    options = []
    for _ in range(reader.count()):
        offset = reader.pos
        code = reader.byte()
        flag = _OPTION_FLAGS.get(code)
        if flag is not None:
            options.append(CanonicalOption(flag, None, offset))
            continue
        indexed = _OPTION_INDICES.get(code)
        if indexed is None:
            raise invalid_byte(code, "canonical option", offset)
        options.append(CanonicalOption(indexed, reader.u32(), offset))
    return CanonicalOptions(tuple(options))


def read_canonical_function(reader: ComponentReader) -> CanonicalFunction:
    offset = reader.pos
    opcode = reader.byte()
    if opcode == _LIFT:
        _read_func_sort_byte(reader, "canonical function lift")
        core_func = reader.u32()
        lift_options = read_canonical_options(reader)
        return Lift(core_func, lift_options, reader.u32(), offset)
    if opcode == _LOWER:
        _read_func_sort_byte(reader, "canonical function lower")
        func = reader.u32()
        return Lower(func, read_canonical_options(reader), offset)
    if opcode == _RESOURCE_NEW:
        return ResourceNew(reader.u32(), offset)
    if opcode == _RESOURCE_DROP:
        return ResourceDrop(reader.u32(), offset)
    if opcode == _RESOURCE_REP:
        return ResourceRep(reader.u32(), offset)
    builtin = BUILTINS.get(opcode)
    if builtin is None:
        raise invalid_byte(opcode, "canonical function", offset)
    name, kinds = builtin
    immediates: list[tuple[str, Any]] = []
    options: CanonicalOptions | None = None
    for kind in kinds:
        if kind == "options":
            options = read_canonical_options(reader)
        elif kind == "result":
            immediates.append((kind, read_result_list(reader)))
        elif kind == "valtype":
            immediates.append((kind, reader.core_valtype()))
        elif kind in ("async", "cancellable", "shared"):
            immediates.append((kind, reader.flag()))
        else:  # an index: type, index, memory, core type, table
            immediates.append((kind, reader.u32()))
    return CanonicalBuiltin(name, opcode, tuple(immediates), options, offset)


def _read_func_sort_byte(reader: ComponentReader, what: str) -> None:
    offset = reader.pos
    byte = reader.byte()
    if byte != _FUNC_SORT_BYTE:
        raise invalid_byte(byte, what, offset)


def read_start(reader: ComponentReader) -> Start:
    offset = reader.pos
    func = reader.u32()
    arguments = tuple([reader.u32() for _ in range(reader.count())])
    at = reader.pos
    results = reader.u32()
    if results > MAX_START_RESULTS:
        raise DecodeError("start function results size is out of bounds", at)
    return Start(func, arguments, results, offset)


def read_import(reader: ComponentReader) -> Import:
    offset = reader.pos
    name = read_extern_name(reader)
    return Import(name, read_extern_type(reader), offset)


def read_export(reader: ComponentReader) -> Export:
    offset = reader.pos
    name = read_extern_name(reader)
    item = read_sort_index(reader)
    ascribed = read_extern_type(reader) if reader.present("optional component export type") else None
    return Export(name, item, ascribed, offset)


def read_value(reader: ComponentReader) -> ValueDefinition:
    offset = reader.pos
    valtype = read_valtype(reader)
    length = reader.u32()
    if length > reader.end - reader.pos:
        raise reader.eof()
    return ValueDefinition(valtype, reader.bytes(length), offset)
