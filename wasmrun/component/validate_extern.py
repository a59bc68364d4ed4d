"""Imports, exports and aliases (Explainer.md, Alias Definitions, Import and Export Definitions).

Shared by components and by component and instance types (their declarations import, export and
alias in the same way):

* :func:`extern_entity`: what an ``externtype`` declares;
* :func:`add_import` and :func:`add_export`: a name (checked and strongly-unique), its attributes,
  the rules of annotated names (``[constructor]r`` returns an ``own`` of the resource named ``r`` ...),
  the external visibility of the types used (:func:`check_visible`), and the new index;
* :func:`add_alias`: an instance's export, a core instance's export, or an outer definition.

An import or export gives a new name to what it introduces: to a type (a new index, see
:func:`wasmrun.component.validate_types.named_copy` and
:class:`~wasmrun.component.validate_model.ResourceAlias`) and, for an instance, to the types it
exports.  Only imported names count for imports (imports cannot depend on exports).
"""

from __future__ import annotations

from typing import Any

from wasmrun.component.aliases import Alias, CoreInstanceExportAlias, InstanceExportAlias, OuterAlias
from wasmrun.component.index_spaces import extern_sort
from wasmrun.component.sorts import OUTER_ALIAS_SORTS, Sort
from wasmrun.component.typedefs import (
    ComponentExtern,
    ExternName,
    ExternType,
    FuncExtern,
    InstanceExtern,
    ModuleExtern,
    TypeExtern,
    ValueExtern,
)
from wasmrun.component.types import BorrowType, FuncType, OwnType, ResourceType, ResultType
from wasmrun.component.validate_core import alias_core_export
from wasmrun.component.validate_model import (
    NAMED_KINDS,
    SORT_NAMES,
    ComponentType,
    Entity,
    InstanceType,
    ModuleType,
    ResourceAlias,
    children,
    fresh_copy,
    is_value_type,
    resources_in,
    substitute,
)
from wasmrun.component.validate_names import ParsedName, check_interface_name, parse_extern_name
from wasmrun.component.validate_scope import COMPONENT, EXPORT, IMPORT, INSTANCE_TYPE, Scope
from wasmrun.component.validate_subtype import Matcher, Mismatch
from wasmrun.component.validate_types import named_copy, value_type
from wasmrun.errors import ValidationError

_EXTERN_KINDS = {
    FuncExtern: (FuncType, "function"),
    ComponentExtern: (ComponentType, "component"),
    InstanceExtern: (InstanceType, "instance"),
}


def extern_entity(scope: Scope, extern: ExternType, offset: int | None) -> Entity:
    """What an ``externtype`` declares (resource types of a ``(sub resource)`` are new, abstract)."""
    sort = extern_sort(extern)
    if isinstance(extern, ModuleExtern):
        found = scope.get(Sort.CORE_TYPE, extern.type, offset)
        if not isinstance(found, ModuleType):
            raise ValidationError(f"core type index {extern.type} is not a module type", offset)
        return Entity(sort, found)
    if isinstance(extern, ValueExtern):
        return Entity(sort, value_type(scope, extern.type, offset))
    if isinstance(extern, TypeExtern):
        if extern.equal_to is None:
            return Entity(sort, ResourceType("abstract resource"))
        return Entity(sort, scope.get(Sort.TYPE, extern.equal_to, offset))
    kind, noun = _EXTERN_KINDS[type(extern)]
    found = scope.get(Sort.TYPE, extern.type, offset)
    if not isinstance(found, kind):
        article = "an" if noun[0] in "aeiou" else "a"
        raise ValidationError(f"type index {extern.type} is not {article} {noun} type", offset)
    return Entity(sort, found)


def entity_at(scope: Scope, sort: Sort, index: int, offset: int | None) -> Entity:
    """Item ``index`` of ``sort`` as an entity (a value is used by this)."""
    if sort.is_core and sort is not Sort.CORE_MODULE:
        raise ValidationError(f"{SORT_NAMES[sort]} is not a valid component extern", offset)
    if sort is Sort.VALUE:
        return Entity(sort, scope.use_value(index, offset))
    return Entity(sort, scope.get(sort, index, offset))


# --- imports and exports --------------------------------------------------------------------------


def check_attributes(scope: Scope, name: ExternName, parsed: ParsedName, sort: Sort, offset: int | None) -> None:
    kinds = [attribute.kind for attribute in name.attributes]
    for kind in set(kinds):
        if kinds.count(kind) > 1:
            raise ValidationError(f"duplicate '{kind}' option in name", offset)
    implements = name.implements
    if implements is None:
        return
    if not scope.implements:
        raise ValidationError("the `cm-implements` feature is not active", offset)
    check_interface_name(implements, "`implements`", offset)
    if sort is not Sort.INSTANCE:
        raise ValidationError("only instances can have an `implements`", offset)
    if parsed.kind != "label":
        raise ValidationError(f"name `{parsed.text}` is not valid with `implements`", offset)


def introduce(scope: Scope, entity: Entity, how: str) -> Entity:
    """What an import or export adds to the index space: a type as a new index, named; an instance
    naming the types it exports."""
    if entity.sort is Sort.TYPE:
        value = entity.type
        if isinstance(value, ResourceType):
            value = ResourceAlias(value) if _is_known(scope, value) else value
        else:
            value = named_copy(value)
        scope.name(value, how)
        return Entity(Sort.TYPE, value)
    if entity.sort is Sort.INSTANCE:
        _name_exports(scope, entity.type, how)
    return entity


def _is_known(scope: Scope, resource: ResourceType) -> bool:
    """Whether a resource type already has an index here (else it is one a ``(sub resource)`` made)."""
    return id(resource) in scope.resource_ids


def _name_exports(scope: Scope, instance: InstanceType, how: str) -> None:
    stack = [instance]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        for entity in item.exports.values():
            if entity.sort is Sort.TYPE:
                scope.name(entity.type, how)
            elif entity.sort is Sort.INSTANCE:
                stack.append(entity.type)


def add_import(scope: Scope, name: ExternName, extern: ExternType, offset: int | None) -> Entity:
    parsed = parse_extern_name(name, export=False, offset=offset)
    entity = extern_entity(scope, extern, offset)
    check_attributes(scope, name, parsed, entity.sort, offset)
    scope.import_names.add(parsed, offset)
    # What an import introduces is new: its abstract resource types are this scope's own.
    if entity.sort is Sort.INSTANCE and entity.type.defined:
        mapping = fresh_copy(entity.type.defined)
        entity = Entity(Sort.INSTANCE, substitute(entity.type, mapping))
        scope.imported_resources.update((id(resource), resource) for resource in mapping.values())
    elif entity.sort is Sort.TYPE and isinstance(entity.type, ResourceType) and not _is_known(scope, entity.type):
        scope.imported_resources[id(entity.type)] = entity.type
    entity = introduce(scope, entity, IMPORT)
    check_annotated(parsed, entity, scope.import_resource_names, IMPORT, offset)
    check_visible(scope, entity, IMPORT, offset)
    if entity.sort is Sort.TYPE and isinstance(entity.type, ResourceType):
        scope.import_resource_names[parsed.text] = entity.type
    scope.imports[parsed.text] = entity
    scope.add(entity.sort, entity.type)
    return entity


def add_export(
    scope: Scope, name: ExternName, entity: Entity, ascribed: ExternType | None, offset: int | None
) -> Entity:
    """An export of ``entity`` (from a component, or declared by a component or instance type)."""
    parsed = parse_extern_name(name, export=True, offset=offset)
    check_attributes(scope, name, parsed, entity.sort, offset)
    if ascribed is not None:
        entity = _ascribe(scope, entity, ascribed, offset)
    scope.export_names.add(parsed, offset)
    if scope.kind != COMPONENT:
        # A declared export of an abstract resource type (or of an instance with some) is the type's own.
        if entity.sort is Sort.INSTANCE and entity.type.defined:
            entity = Entity(Sort.INSTANCE, substitute(entity.type, fresh_copy(entity.type.defined)))
        created = resources_in(entity) if entity.sort in (Sort.TYPE, Sort.INSTANCE) else {}
        for key, resource in created.items():
            if not _is_known(scope, resource) and key not in scope.imported_resources:
                scope.exported_resources[key] = resource
    entity = introduce(scope, entity, EXPORT)
    check_annotated(parsed, entity, scope.export_resource_names, EXPORT, offset)
    if scope.kind != INSTANCE_TYPE:  # (an instance type's are checked where it is used)
        check_visible(scope, entity, EXPORT, offset)
    if entity.sort is Sort.TYPE and isinstance(entity.type, ResourceType):
        scope.export_resource_names[parsed.text] = entity.type
    scope.exports[parsed.text] = entity
    if entity.sort is not Sort.VALUE:
        scope.add(entity.sort, entity.type)
    return entity


def _ascribe(scope: Scope, entity: Entity, ascribed: ExternType, offset: int | None) -> Entity:
    wanted = extern_entity(scope, ascribed, offset)
    bindable = resources_in(wanted)
    matcher = Matcher({resource for resource in bindable.values() if not _is_known(scope, resource)})
    try:
        matcher.entity(entity, wanted)
    except Mismatch as error:
        raise ValidationError(f"ascribed type of export is not compatible with item's type: {error}", offset) from None
    return wanted  # (a ``(sub resource)`` ascribed stays abstract: a new type for whoever imports it)


# --- annotated names ------------------------------------------------------------------------------


def check_annotated(
    parsed: ParsedName, entity: Entity, resources: dict[str, ResourceType], how: str, offset: int | None
) -> None:
    """``[constructor]r``, ``[method]r.m``, ``[static]r.m``: functions of the resource named ``r``."""
    if parsed.kind not in ("constructor", "method", "static"):
        return
    if entity.sort is not Sort.FUNC:
        raise ValidationError(f"item `{parsed.text}` is not a func", offset)
    func: FuncType = entity.type
    if parsed.kind == "static":
        if parsed.resource not in resources:
            raise ValidationError(f"static resource name is not known in this context: `{parsed.resource}`", offset)
        return
    if parsed.kind == "constructor":
        result = func.result
        if result is None:
            raise ValidationError("function should return one value", offset)
        if isinstance(result, ResultType) and isinstance(result.ok, OwnType):
            result = result.ok
        if not isinstance(result, OwnType):
            raise ValidationError("function should return `(own $T)` or `(result (own $T))`", offset)
        resource = result.resource
    else:
        if not func.params:
            raise ValidationError("function should have at least one argument", offset)
        label, first = func.params[0]
        if label != "self":
            raise ValidationError("function should have a first argument called `self`", offset)
        if not isinstance(first, BorrowType):
            raise ValidationError("function should take a first argument of `(borrow $T)`", offset)
        resource = first.resource
    names = [label for label, known in resources.items() if known is resource]
    if not names:
        raise ValidationError("resource used in function does not have a name in this context", offset)
    if parsed.resource not in names:
        raise ValidationError(
            f"{how} name `{parsed.text}` is not valid: function does not match expected resource name `{names[0]}`",
            offset,
        )


# --- external visibility --------------------------------------------------------------------------


def check_visible(scope: Scope, entity: Entity, how: str, offset: int | None) -> None:
    """The types an import or export uses have external names (Explainer.md, External Visibility)."""
    if not _entity_visible(scope, entity, how == IMPORT, set(), top=True):
        raise ValidationError(f"{SORT_NAMES[entity.sort]} not valid to be used as {how}", offset)


def _entity_visible(scope: Scope, entity: Entity, by_import: bool, extra: set[int], *, top: bool = False) -> bool:
    value = entity.type
    if entity.sort in (Sort.FUNC, Sort.VALUE):
        return _visible(scope, value, by_import, extra)
    if entity.sort is Sort.TYPE:
        if isinstance(value, InstanceType | ComponentType):
            return _entity_visible(scope, Entity(Sort.INSTANCE, value), by_import, extra)
        if top or id(value) in extra:
            return all(_visible(scope, child, by_import, extra) for child in children(value))
        return _visible(scope, value, by_import, extra)
    if entity.sort is Sort.INSTANCE or entity.sort is Sort.COMPONENT:
        items = list(value.exports.values())
        if isinstance(value, ComponentType):
            items += list(value.imports.values())
        inner = extra | {id(item.type) for item in items if item.sort is Sort.TYPE}
        return all(_entity_visible(scope, item, by_import, inner) for item in items)
    return True


def _visible(scope: Scope, value: Any, by_import: bool, extra: set[int]) -> bool:
    stack, seen = [value], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, NAMED_KINDS):
            if id(item) not in extra and not scope.is_named(item, by_import=by_import):
                return False
            continue
        if isinstance(item, OwnType | BorrowType):
            resource = item.resource
            if id(resource) not in extra and not scope.is_named(resource, by_import=by_import):
                return False
            continue
        stack.extend(children(item))
    return True


# --- aliases --------------------------------------------------------------------------------------


def add_alias(scope: Scope, alias: Alias) -> None:
    offset = alias.offset
    in_type = scope.kind != COMPONENT
    if isinstance(alias, CoreInstanceExportAlias):
        if in_type:
            raise ValidationError(
                "aliases in a component or instance type may only refer to types or instances", offset
            )
        alias_core_export(scope, alias)
        return
    if isinstance(alias, InstanceExportAlias):
        if in_type and alias.sort not in (Sort.TYPE, Sort.INSTANCE):
            raise ValidationError(
                "aliases in a component or instance type may only refer to types or instances", offset
            )
        instance = scope.get(Sort.INSTANCE, alias.instance, offset)
        found = instance.exports.get(alias.name)
        if found is None:
            raise ValidationError(f"instance {alias.instance} has no export named `{alias.name}`", offset)
        if found.sort is not alias.sort:
            noun = SORT_NAMES[alias.sort]
            raise ValidationError(f"export `{alias.name}` for instance {alias.instance} is not a {noun}", offset)
        scope.add(alias.sort, found.type)
        return
    _outer(scope, alias, in_type)


def _outer(scope: Scope, alias: OuterAlias, in_type: bool) -> None:
    offset = alias.offset
    if alias.sort not in OUTER_ALIAS_SORTS or (in_type and alias.sort not in (Sort.TYPE, Sort.CORE_TYPE)):
        raise ValidationError("aliases in a component or instance type may only refer to types or instances", offset)
    target: Scope | None = scope
    crosses = False
    for _ in range(alias.count):
        crosses = crosses or (target is not None and target.kind == COMPONENT)
        target = target.parent if target is not None else None
    if target is None:
        raise ValidationError(f"invalid outer alias count of {alias.count}", offset)
    found = target.get(alias.sort, alias.index, offset)
    if alias.sort is Sort.TYPE and crosses and resources_in(found):
        raise ValidationError(
            f"type index {alias.index} transitively refers to resources not defined in the current component", offset
        )
    scope.add(alias.sort, found)


def is_type(value: Any) -> bool:
    return is_value_type(value) or isinstance(value, FuncType | ResourceType | InstanceType | ComponentType)
