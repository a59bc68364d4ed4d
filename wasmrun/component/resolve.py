"""Resolving a component's type index space into the complete types of :mod:`wasmrun.component.types`.

Each index is resolved once, in index order, so that every type a definition names (always an
earlier index) is already resolved: no recursion, however long a chain of types a binary builds.
A :class:`TypeResolver` keeps what it resolved, so the resource types it makes keep their identity
(the ``own`` in two function types is one :class:`ResourceType`).

Covered: the types defined in the component, type imports (``(eq i)`` and ``(sub resource)``), type
exports, and aliases: an ``outer`` alias is resolved by the resolver of the enclosing scope (``outer``,
the component or type declaration the alias is written in), an alias of an instance's export by the
:class:`TypeEnvironment` (at instantiation, the instance's own types; without one, it is an error).
The same environment binds imported resource types (the one the import supplies) and hears of each
resource type defined, so that instantiation can give it its destructor.

The declarations of a component or instance type have a type index space of their own:
:class:`DeclarationResolver` resolves it (an imported instance's exports, bound to what the import
supplies, are resolved by it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from wasmrun.component.aliases import CoreInstanceExportAlias, InstanceExportAlias, OuterAlias
from wasmrun.component.index_spaces import IndexEntry, index_spaces
from wasmrun.component.records import Component, Export
from wasmrun.component.sorts import Sort
from wasmrun.component.typedefs import (
    BorrowDefinition,
    ComponentTypeDefinition,
    Declaration,
    DefinedType,
    EnumDefinition,
    ExportDeclaration,
    FlagsDefinition,
    FuncTypeDefinition,
    FutureDefinition,
    Import,
    InstanceTypeDefinition,
    ListDefinition,
    MapDefinition,
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
    VariantDefinition,
)
from wasmrun.component.types import (
    BorrowType,
    EnumType,
    FlagsType,
    FuncType,
    ListType,
    MapType,
    OptionType,
    OwnType,
    Primitive,
    RecordType,
    ResourceType,
    ResultType,
    TupleType,
    ValueType,
    VariantType,
)
from wasmrun.errors import ValidationError

if TYPE_CHECKING:
    from wasmrun.component.records import Definition

Resolved = ValueType | FuncType | ResourceType | ComponentTypeDefinition | InstanceTypeDefinition
"""What a type index resolves to (component and instance types stay as declared, for now)."""

RESOLVED_KINDS = (
    Primitive,
    RecordType,
    VariantType,
    ListType,
    TupleType,
    FlagsType,
    EnumType,
    OptionType,
    ResultType,
    MapType,
    OwnType,
    BorrowType,
    FuncType,
    ResourceType,
    ComponentTypeDefinition,
    InstanceTypeDefinition,
)
"""The classes of what a type index resolves to (:data:`Resolved`)."""

_UNSUPPORTED = {StreamDefinition: "stream", FutureDefinition: "future"}


class _Unresolved:
    """An index that could not be resolved: the error, raised when something uses it."""

    __slots__ = ("error",)

    def __init__(self, error: ValidationError) -> None:
        self.error = error


class TypeEnvironment:
    """What a type index space needs from outside itself; this base knows nothing beyond the binary.

    Instantiation subclasses it (:mod:`wasmrun.component_runtime.instantiate`): an instance's exported
    types exist only once it does, and an imported resource type is the one the import supplies.
    """

    def instance_export(self, alias: InstanceExportAlias, index: int) -> Resolved:
        """The type an ``(alias export i "name" (type))`` at type index ``index`` names."""
        raise ValidationError(
            f"type index {index} is an alias of an instance's export, which is only known at instantiation",
            alias.offset,
        )

    def imported_resource(self, declaration: Import | ExportDeclaration, name: str) -> ResourceType:
        """The resource type of a ``(type (sub resource))`` import (or export declaration of an imported
        instance's type): here a new abstract one."""
        return ResourceType(name)

    def defined_resource(self, resource: ResourceType, definition: ResourceDefinition) -> None:
        """``resource`` was just made for ``definition`` (a ``(type (resource ...))``)."""


_NO_ENVIRONMENT = TypeEnvironment()


class TypeResolver:
    """The resolved types of one component's type index space.

    ``outer`` resolves the enclosing component's types (for ``outer`` aliases); ``environment``
    what only instantiation knows (see :class:`TypeEnvironment`).
    """

    def __init__(
        self,
        component: Component | None,
        *,
        outer: TypeResolver | None = None,
        environment: TypeEnvironment | None = None,
    ) -> None:
        self.entries: tuple[IndexEntry, ...] = () if component is None else index_spaces(component)[Sort.TYPE]
        self.outer = outer
        self.environment = environment if environment is not None else _NO_ENVIRONMENT
        self.resolved: list[Resolved | _Unresolved] = []
        # For each resolved index, the resolver whose declarations it is written in (a component or
        # instance type's outer aliases are resolved from there).
        self.scopes: list[TypeResolver] = []
        # A resource type is named, in messages, by the first export of it.
        self.export_names: dict[int, str] = {}
        if component is not None:
            for export in component.exports:
                if export.item.sort is Sort.TYPE:
                    self.export_names.setdefault(export.item.index, export.name.name)

    def __len__(self) -> int:
        return len(self.entries)

    def type_at(self, index: int, offset: int | None = None) -> Resolved:
        """What type index ``index`` is (``offset``: where it is named, for the error)."""
        if not 0 <= index < len(self.entries):
            raise ValidationError(f"type index out of bounds: {index}", offset)
        while len(self.resolved) <= index:
            position = len(self.resolved)
            self.scopes.append(self)
            try:
                self.resolved.append(self._resolve(position, self.entries[position].definition))
            except ValidationError as error:
                self.resolved.append(_Unresolved(error))
        resolved = self.resolved[index]
        if isinstance(resolved, _Unresolved):
            raise resolved.error
        return resolved

    def scope_of(self, index: int) -> TypeResolver:
        """The resolver of the scope type index ``index`` was declared in (for a component or instance type)."""
        self.type_at(index)
        return self.scopes[index]

    def value_type(self, valtype: ValType, offset: int | None = None) -> ValueType:
        """A ``valtype``, complete."""
        if isinstance(valtype, Primitive):
            return valtype
        resolved = self.type_at(valtype, offset)
        if isinstance(resolved, (FuncType, ResourceType, ComponentTypeDefinition, InstanceTypeDefinition)):
            raise ValidationError(f"type index {valtype} is not a defined value type", offset)
        return resolved

    def func_type(self, index: int, offset: int | None = None) -> FuncType:
        resolved = self.type_at(index, offset)
        if not isinstance(resolved, FuncType):
            raise ValidationError(f"type index {index} is not a function type", offset)
        return resolved

    def resource_type(self, index: int, offset: int | None = None) -> ResourceType:
        resolved = self.type_at(index, offset)
        if not isinstance(resolved, ResourceType):
            raise ValidationError(f"type index {index} is not a resource type", offset)
        return resolved

    def instance_type(self, index: int, offset: int | None = None) -> InstanceTypeDefinition:
        resolved = self.type_at(index, offset)
        if not isinstance(resolved, InstanceTypeDefinition):
            raise ValidationError(f"type index {index} is not an instance type", offset)
        return resolved

    def enclosing(self, count: int, offset: int | None = None) -> TypeResolver:
        """The resolver ``count`` scopes out (0: this one)."""
        resolver: TypeResolver | None = self
        for _ in range(count):
            resolver = None if resolver is None else resolver.outer
        if resolver is None:
            raise ValidationError(f"invalid outer alias count of {count}", offset)
        return resolver

    # What each kind of entry resolves to.  ``index`` is the entry's own: what it names must come before.

    def _resolve(self, index: int, definition: Any) -> Resolved:
        offset = getattr(definition, "offset", None)
        if isinstance(definition, TypeDefinition):
            return self._defined(index, definition.type, offset)
        if isinstance(definition, (Import, ExportDeclaration)) and isinstance(definition.type, TypeExtern):
            if definition.type.equal_to is None:  # (sub resource): a new abstract resource type, or the one bound
                return self.environment.imported_resource(definition, definition.name.name)
            return self._earlier(index, definition.type.equal_to, offset)
        if isinstance(definition, Export):
            return self._earlier(index, definition.item.index, offset)
        if isinstance(definition, OuterAlias):
            if definition.count == 0:
                return self._earlier(index, definition.index, offset)
            scope = self.enclosing(definition.count, offset)
            resolved = scope.type_at(definition.index, offset)
            self.scopes[index] = scope.scopes[definition.index]
            return resolved
        if isinstance(definition, InstanceExportAlias):
            return self.environment.instance_export(definition, index)
        if isinstance(definition, CoreInstanceExportAlias):
            raise ValidationError(f"type index {index} is a core alias, not a type", offset)
        raise ValidationError(f"type index {index} is not a type", offset)

    def _earlier(self, index: int, named: int, offset: int | None) -> Resolved:
        if named >= index:
            raise ValidationError(f"type index out of bounds: {named}", offset)
        resolved = self.type_at(named, offset)
        self.scopes[index] = self.scopes[named]
        return resolved

    def _valtype(self, index: int, valtype: ValType, offset: int | None) -> ValueType:
        if not isinstance(valtype, Primitive) and valtype >= index:
            raise ValidationError(f"type index out of bounds: {valtype}", offset)
        return self.value_type(valtype, offset)

    def _optional(self, index: int, valtype: ValType | None, offset: int | None) -> ValueType | None:
        return None if valtype is None else self._valtype(index, valtype, offset)

    def _defined(self, index: int, defined: DefinedType, offset: int | None) -> Resolved:
        value = self._valtype
        if isinstance(defined, Primitive):
            return defined
        if isinstance(defined, RecordDefinition):
            return RecordType(tuple([(label, value(index, field, offset)) for label, field in defined.fields]))
        if isinstance(defined, VariantDefinition):
            cases = [(label, self._optional(index, payload, offset)) for label, payload in defined.cases]
            return VariantType(tuple(cases))
        if isinstance(defined, ListDefinition):
            return ListType(value(index, defined.element, offset), defined.length)
        if isinstance(defined, TupleDefinition):
            return TupleType(tuple([value(index, element, offset) for element in defined.elements]))
        if isinstance(defined, FlagsDefinition):
            return FlagsType(defined.names)
        if isinstance(defined, EnumDefinition):
            return EnumType(defined.names)
        if isinstance(defined, OptionDefinition):
            return OptionType(value(index, defined.value, offset))
        if isinstance(defined, ResultDefinition):
            return ResultType(self._optional(index, defined.ok, offset), self._optional(index, defined.error, offset))
        if isinstance(defined, MapDefinition):
            return MapType(value(index, defined.key, offset), value(index, defined.value, offset))
        if isinstance(defined, (OwnDefinition, BorrowDefinition)):
            if defined.resource >= index:
                raise ValidationError(f"type index out of bounds: {defined.resource}", offset)
            resource = self.resource_type(defined.resource, offset)
            return OwnType(resource) if isinstance(defined, OwnDefinition) else BorrowType(resource)
        if isinstance(defined, FuncTypeDefinition):
            params = tuple([(label, value(index, param, offset)) for label, param in defined.params])
            return FuncType(params, self._optional(index, defined.result, offset), defined.is_async)
        if isinstance(defined, ResourceDefinition):
            resource = ResourceType(self.export_names.get(index, f"resource {index}"))
            self.environment.defined_resource(resource, defined)
            return resource
        if isinstance(defined, (ComponentTypeDefinition, InstanceTypeDefinition)):
            return defined
        kind = _UNSUPPORTED.get(type(defined), type(defined).__name__)
        raise ValidationError(f"{kind} types are not supported", offset)


def resolve_value_type(component: Component, index: int) -> ValueType:
    """Type index ``index`` of ``component`` as a complete value type (one-off: see :class:`TypeResolver`)."""
    return TypeResolver(component).value_type(index)


def resolve_func_type(component: Component, index: int) -> FuncType:
    """Type index ``index`` of ``component`` as a complete function type (one-off: see :class:`TypeResolver`)."""
    return TypeResolver(component).func_type(index)


# -- the declarations of component and instance types ------------------------------------------------


def adds_type(declaration: Declaration) -> bool:
    """Whether a declaration of a component or instance type adds to its type index space."""
    if isinstance(declaration, TypeDefinition):
        return True
    if isinstance(declaration, (InstanceExportAlias, OuterAlias)):
        return declaration.sort is Sort.TYPE
    return isinstance(declaration, (Import, ExportDeclaration)) and isinstance(declaration.type, TypeExtern)


def declared_type_entries(declarations: tuple[Declaration, ...]) -> tuple[IndexEntry, ...]:
    """The type index space of a component or instance type's declarations, in order."""
    # (An IndexEntry holds a definition of a component; a declaration is one of a type.)
    return tuple(IndexEntry(cast("Definition", declaration)) for declaration in declarations if adds_type(declaration))


class DeclarationResolver(TypeResolver):
    """The type index space of a component or instance type's declarations.

    ``outer`` is the resolver of the scope the type is written in (``outer 1`` aliases name its
    types); ``environment`` binds the ``(sub resource)`` exports (for an imported instance: the
    resource types the import supplies).
    """

    def __init__(
        self,
        definition: ComponentTypeDefinition | InstanceTypeDefinition,
        outer: TypeResolver,
        environment: TypeEnvironment | None = None,
    ) -> None:
        super().__init__(None, outer=outer, environment=environment)
        self.definition = definition
        self.entries = declared_type_entries(definition.declarations)
        for position, entry in enumerate(self.entries):
            declaration = entry.definition
            if isinstance(declaration, ExportDeclaration):
                self.export_names[position] = declaration.name.name
