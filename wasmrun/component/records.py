"""The decoded component (``Binary.md``): one record per section item, index-based as the binary is.

A :class:`Component` keeps its definitions in binary order (:attr:`Component.definitions`: the
order in which they add to the index spaces, see :mod:`wasmrun.component.index_spaces`) and, for
convenience, each kind in its own tuple.  Nested core modules are kept as bytes and decoded on
request (:meth:`CoreModule.decode`); nested components are decoded with their parent.

Every definition has the byte ``offset`` where it starts, for messages; offsets take no part in
equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wasmrun.binary.decoder import decode_module
from wasmrun.component.aliases import Alias
from wasmrun.component.canonical import CanonicalFunction
from wasmrun.component.core_typedefs import CoreTypeDefinition
from wasmrun.component.sorts import SortIndex
from wasmrun.component.typedefs import ExternName, ExternType, Import, TypeDefinition, ValType
from wasmrun.errors import DecodeError
from wasmrun.features import Features
from wasmrun.module import Module

# The core decoder speaks the reference interpreter's language; component errors speak wasm-tools'
# (the component scripts expect its texts).
_WASM_TOOLS_TEXTS = {
    "unexpected end": "unexpected end-of-file",
    "unexpected end of section or function": "unexpected end-of-file",
    "unexpected content after last section": "section out of order",
    "malformed value type": "invalid value type",
}


def wasm_tools_text(message: str) -> str:
    """wasm-tools' words for the core decoder's error ``message`` (the message itself if the same)."""
    return _WASM_TOOLS_TEXTS.get(message, message)


@dataclass(frozen=True, slots=True)
class CoreModule:
    """A nested core module: its bytes (from its preamble on) and where they start in the component."""

    data: bytes
    offset: int = field(default=0, compare=False)
    # (the module as validated, and the features it was validated with: instantiation reuses it
    # instead of decoding and validating the bytes again)
    _validated: tuple[Features, Module] | None = field(default=None, init=False, compare=False, repr=False)

    def note_validated(self, module: Module, features: Features) -> None:
        """Remember ``module`` (this one decoded) as valid with ``features``."""
        object.__setattr__(self, "_validated", (features, module))

    def validated_with(self, features: Features) -> Module | None:
        """The module decoded and validated with ``features`` before, if it was."""
        validated = self._validated
        if validated is not None and validated[0] == features:
            return validated[1]
        return None

    def decode(self) -> Module:
        """The module, decoded now (not validated); errors carry offsets in the component's bytes."""
        try:
            return decode_module(self.data)
        except DecodeError as error:
            message = _WASM_TOOLS_TEXTS.get(error.message, error.message)
            offset = None if error.offset is None else error.offset + self.offset
            raise DecodeError(message, offset) from None


@dataclass(frozen=True, slots=True)
class CoreInstantiateArgument:
    """``(with "name" (instance i))``: a core instance given for the imports of module ``name``."""

    name: str
    instance: int


@dataclass(frozen=True, slots=True)
class CoreInstantiate:
    """``(core instance (instantiate m (with ...)*))``."""

    module: int
    arguments: tuple[CoreInstantiateArgument, ...]
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class CoreInlineExport:
    """``(export "name" (sort i))`` of a core instance made of exports; ``item.sort`` is a core sort."""

    name: str
    item: SortIndex


@dataclass(frozen=True, slots=True)
class CoreInstanceFromExports:
    """``(core instance (export ...)*)``: a core instance made of existing items."""

    exports: tuple[CoreInlineExport, ...]
    offset: int = field(default=0, compare=False)


CoreInstance = CoreInstantiate | CoreInstanceFromExports


@dataclass(frozen=True, slots=True)
class InstantiateArgument:
    """``(with "name" (sort i))``."""

    name: str
    item: SortIndex


@dataclass(frozen=True, slots=True)
class Instantiate:
    """``(instance (instantiate c (with ...)*))``."""

    component: int
    arguments: tuple[InstantiateArgument, ...]
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class InlineExport:
    """``(export "name" (sort i))`` of an instance made of exports."""

    name: ExternName
    item: SortIndex


@dataclass(frozen=True, slots=True)
class InstanceFromExports:
    """``(instance (export ...)*)``."""

    exports: tuple[InlineExport, ...]
    offset: int = field(default=0, compare=False)


Instance = Instantiate | InstanceFromExports


@dataclass(frozen=True, slots=True)
class Start:
    """``(start f (value arg)* (result (value))*)`` (🪙): ``results`` values join the value index space."""

    func: int
    arguments: tuple[int, ...]
    results: int
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Export:
    """``(export "name" (sort i) externtype?)``: ``type`` is the optional ascribed type."""

    name: ExternName
    item: SortIndex
    type: ExternType | None
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ValueDefinition:
    """``(value t v)`` (🪙): ``data`` is ``v``'s encoding, read once its type is resolved."""

    type: ValType
    data: bytes
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class CustomSection:
    name: str
    data: bytes
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Component:
    """A decoded component: its definitions in binary order, and each kind apart.

    ``offset`` and ``size``: where its bytes (from its preamble) are in the outermost binary.
    """

    definitions: tuple[Definition, ...]
    core_modules: tuple[CoreModule, ...] = ()
    core_instances: tuple[CoreInstance, ...] = ()
    core_types: tuple[CoreTypeDefinition, ...] = ()
    components: tuple[Component, ...] = ()
    instances: tuple[Instance, ...] = ()
    aliases: tuple[Alias, ...] = ()
    types: tuple[TypeDefinition, ...] = ()
    canonical_functions: tuple[CanonicalFunction, ...] = ()
    starts: tuple[Start, ...] = ()
    imports: tuple[Import, ...] = ()
    exports: tuple[Export, ...] = ()
    values: tuple[ValueDefinition, ...] = ()
    custom_sections: tuple[CustomSection, ...] = ()
    offset: int = field(default=0, compare=False)
    size: int = field(default=0, compare=False)


Definition = (
    CoreModule
    | CoreInstance
    | CoreTypeDefinition
    | Component
    | Instance
    | Alias
    | TypeDefinition
    | CanonicalFunction
    | Start
    | Import
    | Export
    | ValueDefinition
)
"""One item of a component's sections (custom sections are not definitions)."""
