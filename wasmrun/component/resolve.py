"""Resolving a component's type index space into the complete types of :mod:`wasmrun.component.types`.

Each index is resolved once, in index order, so that every type a definition names (always an
earlier index) is already resolved: no recursion, however long a chain of types a binary builds.
A :class:`TypeResolver` keeps what it resolved, so the resource types it makes keep their identity
(the ``own`` in two function types is one :class:`ResourceType`).

Covered: the types defined in the component, type imports (``(eq i)`` and ``(sub resource)``) and
type exports.  Aliased types (of an instance's export, or outer) are not resolved yet: asking for
one, or for a type built on one, is an error that says so.
"""

from __future__ import annotations

from typing import Any

from wasmrun.component.aliases import CoreInstanceExportAlias, InstanceExportAlias, OuterAlias
from wasmrun.component.index_spaces import IndexEntry, index_spaces
from wasmrun.component.records import Component, Export
from wasmrun.component.sorts import Sort
from wasmrun.component.typedefs import (
    BorrowDefinition,
    ComponentTypeDefinition,
    DefinedType,
    EnumDefinition,
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

Resolved = ValueType | FuncType | ResourceType | ComponentTypeDefinition | InstanceTypeDefinition
"""What a type index resolves to (component and instance types stay as declared, for now)."""

_UNSUPPORTED = {StreamDefinition: "stream", FutureDefinition: "future", MapDefinition: "map"}


class _Unresolved:
    """An index that could not be resolved: the error, raised when something uses it."""

    __slots__ = ("error",)

    def __init__(self, error: ValidationError) -> None:
        self.error = error


class TypeResolver:
    """The resolved types of one component's type index space."""

    def __init__(self, component: Component) -> None:
        self.entries: tuple[IndexEntry, ...] = index_spaces(component)[Sort.TYPE]
        self.resolved: list[Resolved | _Unresolved] = []
        # A resource type is named, in messages, by the first export of it.
        self.export_names: dict[int, str] = {}
        for export in component.exports:
            if export.item.sort is Sort.TYPE:
                self.export_names.setdefault(export.item.index, export.name.name)

    def type_at(self, index: int, offset: int | None = None) -> Resolved:
        """What type index ``index`` is (``offset``: where it is named, for the error)."""
        if not 0 <= index < len(self.entries):
            raise ValidationError(f"type index out of bounds: {index}", offset)
        while len(self.resolved) <= index:
            position = len(self.resolved)
            try:
                self.resolved.append(self._resolve(position, self.entries[position].definition))
            except ValidationError as error:
                self.resolved.append(_Unresolved(error))
        resolved = self.resolved[index]
        if isinstance(resolved, _Unresolved):
            raise resolved.error
        return resolved

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

    # What each kind of entry resolves to.  ``index`` is the entry's own: what it names must come before.

    def _resolve(self, index: int, definition: Any) -> Resolved:
        offset = getattr(definition, "offset", None)
        if isinstance(definition, TypeDefinition):
            return self._defined(index, definition.type, offset)
        if isinstance(definition, Import) and isinstance(definition.type, TypeExtern):
            if definition.type.equal_to is None:  # (sub resource): a new abstract resource type
                return ResourceType(definition.name.name)
            return self._earlier(index, definition.type.equal_to, offset)
        if isinstance(definition, Export):
            return self._earlier(index, definition.item.index, offset)
        if isinstance(definition, (InstanceExportAlias, CoreInstanceExportAlias, OuterAlias)):
            raise ValidationError(f"type index {index} is an alias, which is not resolved yet", offset)
        raise ValidationError(f"type index {index} is not a type", offset)

    def _earlier(self, index: int, named: int, offset: int | None) -> Resolved:
        if named >= index:
            raise ValidationError(f"type index out of bounds: {named}", offset)
        return self.type_at(named, offset)

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
        if isinstance(defined, (OwnDefinition, BorrowDefinition)):
            if defined.resource >= index:
                raise ValidationError(f"type index out of bounds: {defined.resource}", offset)
            resource = self.resource_type(defined.resource, offset)
            return OwnType(resource) if isinstance(defined, OwnDefinition) else BorrowType(resource)
        if isinstance(defined, FuncTypeDefinition):
            if defined.is_async:
                raise ValidationError("async function types are not supported", offset)
            params = tuple([(label, value(index, param, offset)) for label, param in defined.params])
            return FuncType(params, self._optional(index, defined.result, offset))
        if isinstance(defined, ResourceDefinition):
            return ResourceType(self.export_names.get(index, f"resource {index}"))
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
