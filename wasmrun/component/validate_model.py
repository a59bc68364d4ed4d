"""What the component validator knows about each index: types of entities (Explainer.md, Type Checking).

Value and function types are those of :mod:`wasmrun.component.types` (a :class:`ResourceType` keeps
its identity; every other type is structural); the forms of later proposals that the canonical ABI
does not run yet (``map``, ``stream``, ``future``) have records here, for validation only.  What a
component, instance or core module offers is its type:

* :class:`InstanceType`: exports by name; ``defined``, for a declared type, the resource types its
  ``(sub resource)`` exports introduce (abstract: each instance of the type gets new ones);
* :class:`ComponentType`: imports and exports by name; ``imported`` are the abstract resource types
  its imports introduce (bound by instantiation arguments), ``defined`` those its exports introduce
  (new for each instance);
* :class:`ModuleType` and :class:`CoreInstanceType`: a core module's imports and exports, a core
  instance's exports (core extern types, :data:`CoreExtern`).

An :class:`Entity` is a sort and the type of one item of it (a func's :class:`FuncType`, a value's
value type, a type's definition, ...).  :func:`substitute` renames resource types through a type.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from wasmrun.component.sorts import Sort
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
    VariantType,
)
from wasmrun.types import ExternKind


@dataclass(frozen=True, slots=True)
class MapType:
    """``map<K, V>`` (🗺️)."""

    key: Any
    value: Any


@dataclass(frozen=True, slots=True)
class StreamType:
    """``stream<T>`` (🔀); ``element`` None for ``stream``."""

    element: Any


@dataclass(frozen=True, slots=True)
class FutureType:
    """``future<T>`` (🔀); ``value`` None for ``future``."""

    value: Any


CoreExtern = tuple[ExternKind, Any]
"""A core extern type: ``(kind, type)`` with a core FuncType (for a function or a tag), TableType,
MemoryType or GlobalType."""


@dataclass(eq=False, slots=True)
class ModuleType:
    imports: dict[tuple[str, str], CoreExtern] = field(default_factory=dict)
    exports: dict[str, CoreExtern] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class CoreInstanceType:
    exports: dict[str, CoreExtern] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Entity:
    """One item of a sort and its type."""

    sort: Sort
    type: Any


@dataclass(eq=False, slots=True)
class InstanceType:
    exports: dict[str, Entity] = field(default_factory=dict)
    defined: tuple[ResourceType, ...] = ()


@dataclass(eq=False, slots=True)
class ComponentType:
    imports: dict[str, Entity] = field(default_factory=dict)
    exports: dict[str, Entity] = field(default_factory=dict)
    imported: tuple[ResourceType, ...] = ()
    defined: tuple[ResourceType, ...] = ()


VALUE_TYPE_CLASSES = (
    Primitive,
    RecordType,
    VariantType,
    ListType,
    TupleType,
    FlagsType,
    EnumType,
    OptionType,
    ResultType,
    OwnType,
    BorrowType,
    MapType,
    StreamType,
    FutureType,
)


def is_value_type(value: Any) -> bool:
    return isinstance(value, VALUE_TYPE_CLASSES)


NAMED_KINDS = (RecordType, VariantType, EnumType, FlagsType)
"""The value types an import or export may only use when they are named (imported or exported)."""


def children(value: Any) -> Iterator[Any]:
    """The types a value type is built of (a function's parameters and result too)."""
    if isinstance(value, RecordType | FuncType):
        fields = value.fields if isinstance(value, RecordType) else value.params
        for _label, item in fields:
            yield item
        if isinstance(value, FuncType) and value.result is not None:
            yield value.result
    elif isinstance(value, VariantType):
        for _label, case in value.cases:
            if case is not None:
                yield case
    elif isinstance(value, TupleType):
        yield from value.elements
    elif isinstance(value, ListType):
        yield value.element
    elif isinstance(value, OptionType):
        yield value.value
    elif isinstance(value, ResultType):
        yield from (item for item in (value.ok, value.error) if item is not None)
    elif isinstance(value, MapType):
        yield value.key
        yield value.value
    elif isinstance(value, StreamType):
        if value.element is not None:
            yield value.element
    elif isinstance(value, FutureType):
        if value.value is not None:
            yield value.value


def resources_in(value: Any, found: dict[int, ResourceType] | None = None) -> dict[int, ResourceType]:
    """Every resource type ``value`` (any type or entity) refers to, by id, in order of appearance."""
    found = {} if found is None else found
    stack = [value]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, ResourceType):
            resource = canonical(item)
            found.setdefault(id(resource), resource)
        elif isinstance(item, OwnType | BorrowType):
            resource = canonical(item.resource)
            found.setdefault(id(resource), resource)
        elif isinstance(item, Entity):
            stack.append(item.type)
        elif isinstance(item, InstanceType):
            stack.extend(reversed(item.exports.values()))
        elif isinstance(item, ComponentType):
            stack.extend(reversed(item.exports.values()))
            stack.extend(reversed(item.imports.values()))
        else:
            stack.extend(reversed(list(children(item))))
    return found


def substitute(value: Any, mapping: dict[ResourceType, ResourceType], replace: dict[int, Any] | None = None) -> Any:
    """``value`` with each resource type in ``mapping`` replaced, and each type whose id is in
    ``replace`` (the object itself when nothing is)."""
    if not mapping and not replace:
        return value
    return _Substitution(mapping, replace or {}).apply(value)


class _Substitution:
    def __init__(self, mapping: dict[ResourceType, ResourceType], replace: dict[int, Any]) -> None:
        self.mapping = mapping
        self.done: dict[int, Any] = dict(replace)

    def apply(self, value: Any) -> Any:
        key = id(value)
        if key in self.done:
            return self.done[key]
        result = self._apply(value)
        self.done[key] = result
        return result

    def _optional(self, value: Any) -> Any:
        return None if value is None else self.apply(value)

    def _apply(self, value: Any) -> Any:
        apply = self.apply
        if isinstance(value, ResourceType):
            return self.mapping.get(canonical(value), value)
        if isinstance(value, Primitive | EnumType | FlagsType) or value is None:
            return value
        if isinstance(value, OwnType | BorrowType):
            resource = self.mapping.get(canonical(value.resource), value.resource)
            return value if resource is value.resource else type(value)(resource)
        if isinstance(value, Entity):
            inner = apply(value.type)
            return value if inner is value.type else Entity(value.sort, inner)
        if isinstance(value, InstanceType):
            exports = {name: apply(item) for name, item in value.exports.items()}
            defined = tuple(self.mapping.get(resource, resource) for resource in value.defined)
            return InstanceType(exports, defined)  # (``defined`` are canonical)
        if isinstance(value, ComponentType):
            imports = {name: apply(item) for name, item in value.imports.items()}
            exports = {name: apply(item) for name, item in value.exports.items()}
            imported = tuple(self.mapping.get(resource, resource) for resource in value.imported)
            defined = tuple(self.mapping.get(resource, resource) for resource in value.defined)
            return ComponentType(imports, exports, imported, defined)
        return self._value(value)

    def _value(self, value: Any) -> Any:
        apply, optional = self.apply, self._optional
        if isinstance(value, RecordType):
            fields = tuple((label, apply(item)) for label, item in value.fields)
            return value if _same(fields, value.fields) else RecordType(fields)
        if isinstance(value, FuncType):
            params = tuple((label, apply(item)) for label, item in value.params)
            result = optional(value.result)
            if _same(params, value.params) and result is value.result:
                return value
            return FuncType(params, result, value.is_async)
        if isinstance(value, VariantType):
            cases = tuple((label, optional(item)) for label, item in value.cases)
            return value if _same(cases, value.cases) else VariantType(cases)
        if isinstance(value, TupleType):
            elements = tuple(apply(item) for item in value.elements)
            same = all(a is b for a, b in zip(elements, value.elements, strict=True))
            return value if same else TupleType(elements)
        if isinstance(value, ListType):
            element = apply(value.element)
            return value if element is value.element else ListType(element, value.length)
        if isinstance(value, OptionType):
            inner = apply(value.value)
            return value if inner is value.value else OptionType(inner)
        if isinstance(value, ResultType):
            ok, error = optional(value.ok), optional(value.error)
            return value if ok is value.ok and error is value.error else ResultType(ok, error)
        if isinstance(value, MapType):
            key, item = apply(value.key), apply(value.value)
            return value if key is value.key and item is value.value else MapType(key, item)
        if isinstance(value, StreamType):
            element = optional(value.element)
            return value if element is value.element else StreamType(element)
        if isinstance(value, FutureType):
            inner = optional(value.value)
            return value if inner is value.value else FutureType(inner)
        return value


def _same(new: tuple[tuple[str, Any], ...], old: tuple[tuple[str, Any], ...]) -> bool:
    return all(a[1] is b[1] for a, b in zip(new, old, strict=True))


def fresh_copy(resources: tuple[ResourceType, ...]) -> dict[ResourceType, ResourceType]:
    """A new resource type for each of ``resources``."""
    return {resource: ResourceType(resource.name) for resource in resources}


SORT_NAMES = {
    Sort.CORE_FUNC: "core func",
    Sort.CORE_TABLE: "core table",
    Sort.CORE_MEMORY: "core memory",
    Sort.CORE_GLOBAL: "core global",
    Sort.CORE_TAG: "core tag",
    Sort.CORE_TYPE: "core type",
    Sort.CORE_MODULE: "module",
    Sort.CORE_INSTANCE: "core instance",
    Sort.FUNC: "func",
    Sort.VALUE: "value",
    Sort.TYPE: "type",
    Sort.COMPONENT: "component",
    Sort.INSTANCE: "instance",
}
"""How messages name a sort."""


class ResourceAlias(ResourceType):
    """A new type index for an existing resource type (an import's ``(eq i)``, an export): the same
    type for subtyping (see :func:`canonical`), a different one for names (Explainer.md, External
    Visibility of Types: only the new index is named)."""

    __slots__ = ("target",)

    def __init__(self, target: ResourceType) -> None:
        super().__init__(target.name)
        self.target = canonical(target)


def canonical(resource: ResourceType) -> ResourceType:
    """The resource type itself, through any aliases."""
    while isinstance(resource, ResourceAlias):
        resource = resource.target
    return resource
