"""Type definitions, and the declarations of component and instance types (Explainer.md, Declarators).

:func:`define_type` adds one item of a type section (or a type declaration) to a scope's type
index space.  A component or instance type is validated in a scope of its own, whose parent is the
scope defining it (outer aliases reach out through it); its imports and exports are declared with
the rules of real ones (:mod:`wasmrun.component.validate_extern`).  The resource types its
``(sub resource)`` imports introduce are the type's ``imported`` (instantiation binds them); those
its exports introduce, ``defined`` (new for each instance).
"""

from __future__ import annotations

from typing import Any

from wasmrun.component.aliases import CoreInstanceExportAlias, InstanceExportAlias, OuterAlias
from wasmrun.component.core_typedefs import CoreTypeDefinition
from wasmrun.component.sorts import Sort
from wasmrun.component.typedefs import (
    ComponentTypeDefinition,
    ExportDeclaration,
    FuncTypeDefinition,
    Import,
    InstanceTypeDefinition,
    ResourceDefinition,
    TypeDefinition,
)
from wasmrun.component.validate_core import define_core_type
from wasmrun.component.validate_extern import add_alias, add_export, add_import, extern_entity
from wasmrun.component.validate_model import ComponentType, Entity, InstanceType, is_value_type
from wasmrun.component.validate_scope import COMPONENT_TYPE, INSTANCE_TYPE, Scope
from wasmrun.component.validate_types import (
    check_byte_size,
    check_depth,
    check_type_size,
    defined_value_type,
    func_type,
    resource_type,
)
from wasmrun.errors import ValidationError


class TypeLimits:
    """What the limits on types remember between definitions (each type's depth, size, byte size)."""

    def __init__(self) -> None:
        self.depths: dict[int, int] = {}
        self.sizes: dict[int, int] = {}
        self.bytes: dict[Any, int] = {}

    def check(self, value: Any, offset: int | None) -> None:
        """A new type (or instance or component type): how deep, how big, how many bytes."""
        check_depth(value, offset, self.depths)
        check_type_size(value, offset, self.sizes)
        if is_value_type(value):
            check_byte_size(value, offset, self.bytes)


def define_type(scope: Scope, definition: TypeDefinition, limits: TypeLimits) -> None:
    offset = definition.offset
    defined = definition.type
    value: Any
    if isinstance(defined, ComponentTypeDefinition | InstanceTypeDefinition):
        value = declared_type(scope, defined, offset, limits)
    elif isinstance(defined, FuncTypeDefinition):
        value = func_type(scope, defined, offset)
    elif isinstance(defined, ResourceDefinition):
        value = resource_type(scope, defined, len(scope.spaces[Sort.TYPE]), offset)
    else:
        value = defined_value_type(scope, defined, offset)
    limits.check(value, offset)
    scope.add(Sort.TYPE, value)


def declared_type(
    scope: Scope, defined: ComponentTypeDefinition | InstanceTypeDefinition, offset: int | None, limits: TypeLimits
) -> ComponentType | InstanceType:
    is_component = isinstance(defined, ComponentTypeDefinition)
    inner = Scope(COMPONENT_TYPE if is_component else INSTANCE_TYPE, scope)
    for declaration in defined.declarations:
        at = getattr(declaration, "offset", None) or offset
        if isinstance(declaration, CoreTypeDefinition):
            define_core_type(inner, declaration)
        elif isinstance(declaration, TypeDefinition):
            define_type(inner, declaration, limits)
        elif isinstance(declaration, InstanceExportAlias | CoreInstanceExportAlias | OuterAlias):
            add_alias(inner, declaration)
        elif isinstance(declaration, Import):
            if not is_component:
                raise ValidationError("instance types cannot import", at)
            add_import(inner, declaration.name, declaration.type, at)
        elif isinstance(declaration, ExportDeclaration):
            entity = extern_entity(inner, declaration.type, at)
            add_export(inner, declaration.name, entity, None, at)
    exported = tuple(inner.exported_resources.values())
    if is_component:
        imported = tuple(inner.imported_resources.values())
        return ComponentType(dict(inner.imports), dict(inner.exports), imported, exported)
    return InstanceType(dict(inner.exports), exported)


def entity_of_type(value: Any) -> Entity:
    return Entity(Sort.TYPE, value)
