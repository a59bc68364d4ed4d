"""Decoding a component's binary form (``Binary.md``) into a :class:`~wasmrun.component.records.Component`.

A component is a preamble (``\\0asm``, version 0x0d 0x00, layer 0x01 0x00) and sections in any
order, any number of times.  Errors are :class:`~wasmrun.errors.DecodeError` with wasm-tools' texts
(the component scripts expect them) and the byte offset of what is wrong.

Nested components are decoded with an explicit stack rather than by recursion: a binary may nest
them as deep as the 1,000 modules and components wasm-tools allows, past Python's recursion limit.
Nested core modules are only checked for their preamble unless ``decode_modules`` is asked for.
"""

from __future__ import annotations

from collections.abc import Callable

from wasmrun.binary.decoder import COMPONENT_PREAMBLE
from wasmrun.component.aliases import Alias
from wasmrun.component.canonical import CanonicalFunction
from wasmrun.component.core_type_decoder import read_core_type
from wasmrun.component.core_typedefs import CoreTypeDefinition
from wasmrun.component.definition_decoder import (
    read_canonical_function,
    read_core_instance,
    read_export,
    read_import,
    read_instance,
    read_start,
    read_value,
)
from wasmrun.component.reader import END_OF_FILE, ComponentReader
from wasmrun.component.records import (
    Component,
    CoreInstance,
    CoreModule,
    CustomSection,
    Definition,
    Export,
    Instance,
    Start,
    ValueDefinition,
)
from wasmrun.component.type_decoder import read_alias, read_type
from wasmrun.component.typedefs import Import, TypeDefinition
from wasmrun.errors import DecodeError

MAGIC = b"\0asm"
COMPONENT_VERSION = 0x0D
COMPONENT_LAYER = 0x01
MODULE_VERSION = 0x01
MODULE_LAYER = 0x00
PREAMBLE_SIZE = 8
MAX_MODULES_AND_COMPONENTS = 1000  # wasm-tools' limit, counting the outermost component

_CUSTOM, _CORE_MODULE, _CORE_INSTANCE, _CORE_TYPE, _COMPONENT, _INSTANCE = 0, 1, 2, 3, 4, 5
_ALIAS, _TYPE, _CANONICAL, _START, _IMPORT, _EXPORT, _VALUE = 6, 7, 8, 9, 10, 11, 12


def is_component(data: bytes | bytearray | memoryview) -> bool:
    """Whether ``data`` starts with a component's preamble (a core module's has layer 0x00)."""
    return bytes(data[:PREAMBLE_SIZE]) == COMPONENT_PREAMBLE


def decode_component(data: bytes | bytearray | memoryview, *, decode_modules: bool = False) -> Component:
    """Decode a component binary; raises :class:`DecodeError` if it is malformed.

    ``decode_modules``: decode every nested core module now, so that a malformed one is this
    call's error (as it is wasm-tools'); otherwise :meth:`CoreModule.decode` does it when asked.
    """
    data = bytes(data)  # no copy when it is already ``bytes``
    _check_preamble(data, 0, len(data), component=True)
    return _Decoder(data, decode_modules).decode()


def _check_preamble(data: bytes, start: int, end: int, component: bool) -> None:
    """The preamble of a component (or, ``component`` false, of a core module) at ``data[start:end]``."""
    if end - start < len(MAGIC):
        raise DecodeError(END_OF_FILE, end)
    if data[start : start + 4] != MAGIC:
        raise DecodeError("magic header not detected", start)
    if end - start < PREAMBLE_SIZE:
        raise DecodeError(END_OF_FILE, end)
    version = data[start + 4] | data[start + 5] << 8
    layer = data[start + 6] | data[start + 7] << 8
    if component and (version, layer) == (COMPONENT_VERSION, COMPONENT_LAYER):
        return
    if not component and (version, layer) == (MODULE_VERSION, MODULE_LAYER):
        return
    if (version, layer) in ((COMPONENT_VERSION, COMPONENT_LAYER), (MODULE_VERSION, MODULE_LAYER)):
        expected = "component" if component else "module"
        raise DecodeError(f"expected a version header for a {expected}", start)
    raise DecodeError(f"unknown binary version: 0x{version | layer << 16:x}", start + 4)


class _Frame:
    """One component being decoded: where it ends and what its sections held so far."""

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end
        self.pos = start + PREAMBLE_SIZE
        self.definitions: list[Definition] = []
        self.core_modules: list[CoreModule] = []
        self.core_instances: list[CoreInstance] = []
        self.core_types: list[CoreTypeDefinition] = []
        self.components: list[Component] = []
        self.instances: list[Instance] = []
        self.aliases: list[Alias] = []
        self.types: list[TypeDefinition] = []
        self.canonical_functions: list[CanonicalFunction] = []
        self.starts: list[Start] = []
        self.imports: list[Import] = []
        self.exports: list[Export] = []
        self.values: list[ValueDefinition] = []
        self.custom_sections: list[CustomSection] = []

    def build(self) -> Component:
        return Component(
            definitions=tuple(self.definitions),
            core_modules=tuple(self.core_modules),
            core_instances=tuple(self.core_instances),
            core_types=tuple(self.core_types),
            components=tuple(self.components),
            instances=tuple(self.instances),
            aliases=tuple(self.aliases),
            types=tuple(self.types),
            canonical_functions=tuple(self.canonical_functions),
            starts=tuple(self.starts),
            imports=tuple(self.imports),
            exports=tuple(self.exports),
            values=tuple(self.values),
            custom_sections=tuple(self.custom_sections),
            offset=self.start,
            size=self.end - self.start,
        )


class _Decoder:
    def __init__(self, data: bytes, decode_modules: bool) -> None:
        self.data = data
        self.decode_modules = decode_modules
        self.modules_and_components = 1
        # The vector sections: how to read one item, and the list of the frame it goes to.
        self.vector_sections: dict[int, tuple[Callable[[ComponentReader], Definition], str]] = {
            _CORE_INSTANCE: (read_core_instance, "core_instances"),
            _CORE_TYPE: (read_core_type, "core_types"),
            _INSTANCE: (read_instance, "instances"),
            _ALIAS: (read_alias, "aliases"),
            _TYPE: (read_type, "types"),
            _CANONICAL: (read_canonical_function, "canonical_functions"),
            _IMPORT: (read_import, "imports"),
            _EXPORT: (read_export, "exports"),
            _VALUE: (read_value, "values"),
        }

    def decode(self) -> Component:
        data = self.data
        stack = [_Frame(0, len(data))]
        while True:
            frame = stack[-1]
            if frame.pos >= frame.end:
                component = frame.build()
                stack.pop()
                if not stack:
                    return component
                stack[-1].components.append(component)
                stack[-1].definitions.append(component)
                continue
            section_start = frame.pos
            header = ComponentReader(data, section_start, frame.end)
            section_id = header.byte()
            if section_id > _VALUE:
                raise DecodeError(f"malformed section id: {section_id}", section_start)
            size = header.u32()
            content = header.pos
            if size > frame.end - content:
                raise DecodeError(END_OF_FILE, content)
            end = content + size
            frame.pos = end
            if section_id in (_CORE_MODULE, _COMPONENT):
                self.count_module_or_component(content)
                _check_preamble(data, content, end, component=section_id == _COMPONENT)
                if section_id == _COMPONENT:
                    stack.append(_Frame(content, end))
                else:
                    self.core_module(frame, content, end)
                continue
            reader = ComponentReader(data, content, end)
            if section_id == _CUSTOM:
                name = reader.name()
                frame.custom_sections.append(CustomSection(name, data[reader.pos : end], section_start))
                continue
            if section_id == _START:
                start = read_start(reader)
                frame.starts.append(start)
                frame.definitions.append(start)
                if reader.pos != end:
                    raise DecodeError("unexpected content in the component start section", reader.pos)
                continue
            read_item, kind = self.vector_sections[section_id]
            items = getattr(frame, kind)
            definitions = frame.definitions
            for _ in range(reader.count()):
                item = read_item(reader)
                items.append(item)
                definitions.append(item)
            if reader.pos != end:
                raise DecodeError("section size mismatch: unexpected data at the end of the section", reader.pos)

    def count_module_or_component(self, offset: int) -> None:
        self.modules_and_components += 1
        if self.modules_and_components > MAX_MODULES_AND_COMPONENTS:
            limit = MAX_MODULES_AND_COMPONENTS
            raise DecodeError(f"modules and components count exceeds limit of {limit}", offset)

    def core_module(self, frame: _Frame, start: int, end: int) -> None:
        module = CoreModule(self.data[start:end], start)
        if self.decode_modules:
            module.decode()
        frame.core_modules.append(module)
        frame.definitions.append(module)
