"""Component type definitions as decoded (``Binary.md``, Type Definitions): index-based, unresolved.

A value type (``valtype``) is a :class:`~wasmrun.component.types.Primitive` or an ``int``, the index
of a defined type in the type index space.  Resolving indices into complete types is
:mod:`wasmrun.component.resolve`'s work; validation checks what the binary cannot say (non-empty
records, at most 32 flags, ``own`` of a resource, ...).  The forms of later proposals (``stream``,
``future``, ``map``, fixed-length lists, ``error-context``, async function types) are records too,
so that later stages can refuse them by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wasmrun.component.aliases import Alias
from wasmrun.component.core_typedefs import CoreTypeDefinition
from wasmrun.component.types import Primitive
from wasmrun.types import ValueType as CoreValueType

ValType = Primitive | int
"""``valtype``: a primitive value type, or the index of a defined value type."""


@dataclass(frozen=True, slots=True)
class RecordDefinition:
    fields: tuple[tuple[str, ValType], ...]


@dataclass(frozen=True, slots=True)
class VariantDefinition:
    cases: tuple[tuple[str, ValType | None], ...]


@dataclass(frozen=True, slots=True)
class ListDefinition:
    element: ValType
    length: int | None = None  # a fixed-length list's length (🔧), else None


@dataclass(frozen=True, slots=True)
class TupleDefinition:
    elements: tuple[ValType, ...]


@dataclass(frozen=True, slots=True)
class FlagsDefinition:
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EnumDefinition:
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OptionDefinition:
    value: ValType


@dataclass(frozen=True, slots=True)
class ResultDefinition:
    ok: ValType | None
    error: ValType | None


@dataclass(frozen=True, slots=True)
class OwnDefinition:
    resource: int  # a type index


@dataclass(frozen=True, slots=True)
class BorrowDefinition:
    resource: int  # a type index


@dataclass(frozen=True, slots=True)
class StreamDefinition:
    element: ValType | None  # (🔀)


@dataclass(frozen=True, slots=True)
class FutureDefinition:
    value: ValType | None  # (🔀)


@dataclass(frozen=True, slots=True)
class MapDefinition:
    key: ValType  # (🗺️)
    value: ValType


DefinedValueType = (
    Primitive
    | RecordDefinition
    | VariantDefinition
    | ListDefinition
    | TupleDefinition
    | FlagsDefinition
    | EnumDefinition
    | OptionDefinition
    | ResultDefinition
    | OwnDefinition
    | BorrowDefinition
    | StreamDefinition
    | FutureDefinition
    | MapDefinition
)
"""``defvaltype``."""


@dataclass(frozen=True, slots=True)
class FuncTypeDefinition:
    """``functype``: named parameters, at most one result; ``is_async`` for ``(func async ...)`` (0x43)."""

    params: tuple[tuple[str, ValType], ...]
    result: ValType | None
    is_async: bool = False


@dataclass(frozen=True, slots=True)
class ResourceDefinition:
    """``resourcetype``: the core type of its representation and its destructor (a core function index)."""

    representation: CoreValueType
    destructor: int | None


# --- Extern types: what an import or export declares ------------------------------------------


@dataclass(frozen=True, slots=True)
class ModuleExtern:
    """``(core module (type i))``: ``type`` is a core type index."""

    type: int


@dataclass(frozen=True, slots=True)
class FuncExtern:
    type: int


@dataclass(frozen=True, slots=True)
class ValueExtern:
    """``(value t)`` (🪙).

    Binary.md's ``valuebound`` also has ``(eq i)`` of a value index, but wasm-tools (and so every
    binary there is) encodes the value type alone, the earlier form, and so it is read here.
    """

    type: ValType


@dataclass(frozen=True, slots=True)
class TypeExtern:
    """``(type b)``: ``(eq i)`` when ``equal_to`` is a type index, ``(sub resource)`` when it is None."""

    equal_to: int | None


@dataclass(frozen=True, slots=True)
class ComponentExtern:
    type: int


@dataclass(frozen=True, slots=True)
class InstanceExtern:
    type: int


ExternType = ModuleExtern | FuncExtern | ValueExtern | TypeExtern | ComponentExtern | InstanceExtern
"""``externtype``."""


# --- Names ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameAttribute:
    """An ``attribute`` of a name: ``implements``, ``versionsuffix`` or ``external-id``, and its text."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class ExternName:
    """``nameattributes``: an import's or export's name, with its attributes (🏷️/🔗) in order.

    ``form`` is the leading byte (0x00 and 0x01 mean the same, 0x02 carries attributes).  Duplicate
    attributes are kept: validation refuses them.
    """

    name: str
    attributes: tuple[NameAttribute, ...] = ()
    form: int = 0

    def attribute(self, kind: str) -> str | None:
        for attribute in self.attributes:
            if attribute.kind == kind:
                return attribute.value
        return None

    @property
    def implements(self) -> str | None:
        return self.attribute("implements")

    @property
    def version_suffix(self) -> str | None:
        return self.attribute("versionsuffix")

    @property
    def external_id(self) -> str | None:
        return self.attribute("external-id")

    def __str__(self) -> str:
        return self.name


# --- Declarations of component and instance types --------------------------------------------


@dataclass(frozen=True, slots=True)
class Import:
    """``import`` (and ``importdecl`` of a component type): a name and what it must be."""

    name: ExternName
    type: ExternType
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ExportDeclaration:
    """``exportdecl`` of a component or instance type."""

    name: ExternName
    type: ExternType
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ComponentTypeDefinition:
    """``componenttype``: declarations of imports, exports, types and aliases, in order."""

    declarations: tuple[Declaration, ...]


@dataclass(frozen=True, slots=True)
class InstanceTypeDefinition:
    """``instancetype``: like a component type without imports."""

    declarations: tuple[Declaration, ...]


DefinedType = (
    DefinedValueType | FuncTypeDefinition | ComponentTypeDefinition | InstanceTypeDefinition | ResourceDefinition
)
"""``deftype``: what one item of the type section defines."""


@dataclass(frozen=True, slots=True)
class TypeDefinition:
    """One item of the type section (or a ``0x01`` declaration of a component or instance type)."""

    type: DefinedType
    offset: int = field(default=0, compare=False)


Declaration = CoreTypeDefinition | TypeDefinition | Alias | Import | ExportDeclaration
"""A ``componentdecl`` or ``instancedecl``."""
