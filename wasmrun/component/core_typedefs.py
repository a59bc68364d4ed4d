"""Core types as a component declares them (``Binary.md``, ``core:type``): module types and core types.

A core function type is :class:`wasmrun.types.FuncType`; the WebAssembly 3.0 forms (recursion
groups, subtypes, structs and arrays, which wasmrun does not run) are kept as records so that later
code can refuse them with a clear message.  Core extern types reuse :mod:`wasmrun.types`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wasmrun.types import ExternKind, FuncType, GlobalType, MemoryType, TableType, TagType, ValueType


@dataclass(frozen=True, slots=True)
class CoreFieldType:
    """A struct field's or an array element's type: a value type or a packed ``i8``/``i16``."""

    storage: ValueType | str
    mutable: bool


@dataclass(frozen=True, slots=True)
class CoreStructType:
    fields: tuple[CoreFieldType, ...]


@dataclass(frozen=True, slots=True)
class CoreArrayType:
    element: CoreFieldType


CoreCompositeType = FuncType | CoreStructType | CoreArrayType


@dataclass(frozen=True, slots=True)
class CoreSubType:
    """``sub final? supertypes composite`` (WebAssembly 3.0)."""

    final: bool
    supertypes: tuple[int, ...]
    composite: CoreCompositeType


@dataclass(frozen=True, slots=True)
class CoreRecursiveType:
    """``rec subtype*`` (WebAssembly 3.0): one type index per member."""

    members: tuple[CoreSubType, ...]


CoreExternDescription = int | TableType | MemoryType | GlobalType | TagType
"""What a core import or export declares: a function's type index, or a table, memory, global or tag type."""


@dataclass(frozen=True, slots=True)
class CoreImportDeclaration:
    """``core:import`` in a module type."""

    module: str
    name: str
    kind: ExternKind
    description: CoreExternDescription
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class CoreExportDeclaration:
    """``core:exportdecl`` in a module type."""

    name: str
    kind: ExternKind
    description: CoreExternDescription
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class CoreOuterAlias:
    """``core:alias`` in a module type: an outer alias of a core type (the only one there is)."""

    count: int
    index: int
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class CoreModuleType:
    """``core:moduletype``: its declarations, in order (each module type starts an empty type index space)."""

    declarations: tuple[CoreModuleDeclaration, ...]


CoreType = FuncType | CoreSubType | CoreRecursiveType | CoreModuleType
"""What one ``core:type`` defines (a recursion group defines one type per member)."""


@dataclass(frozen=True, slots=True)
class CoreTypeDefinition:
    """One item of the core type section (or a ``0x00`` declaration of a component or instance type)."""

    type: CoreType
    offset: int = field(default=0, compare=False)

    @property
    def type_count(self) -> int:
        """How many core type indices it adds."""
        return len(self.type.members) if isinstance(self.type, CoreRecursiveType) else 1


CoreModuleDeclaration = CoreImportDeclaration | CoreTypeDefinition | CoreOuterAlias | CoreExportDeclaration
