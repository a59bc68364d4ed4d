"""Validating a decoded component (Explainer.md and Binary.md's validation notes).

:func:`validate_component` walks a component's definitions in order, as its index spaces grow,
and raises :class:`~wasmrun.errors.ValidationError` (one line, with the byte offset of the
definition) at the first rule broken.  Each index holds its type (see
:mod:`wasmrun.component.validate_model`); the rules live beside the definitions they govern:

* :mod:`~wasmrun.component.validate_core`: nested core modules (checked by the core validator),
  core instances, core types and core aliases;
* :mod:`~wasmrun.component.validate_types` and :mod:`~wasmrun.component.validate_decls`: type
  definitions, and component and instance types;
* :mod:`~wasmrun.component.validate_extern`: imports, exports (with their names, see
  :mod:`~wasmrun.component.validate_names`) and aliases;
* :mod:`~wasmrun.component.validate_canon`: ``canon`` definitions;
* :mod:`~wasmrun.component.validate_subtype`: subtyping, for instantiation and ascription;
* here: components (nested ones too, without recursion), instances and start definitions, and
  the rule that each value is used exactly once.

Nested core modules are checked with ``features`` (by default every proposal wasmrun knows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wasmrun.component.aliases import CoreInstanceExportAlias, InstanceExportAlias, OuterAlias
from wasmrun.component.canonical import CanonicalBuiltin, Lift, Lower, ResourceDrop, ResourceNew, ResourceRep
from wasmrun.component.core_typedefs import CoreTypeDefinition
from wasmrun.component.records import (
    Component,
    CoreInstanceFromExports,
    CoreInstantiate,
    CoreModule,
    Definition,
    Export,
    InstanceFromExports,
    Instantiate,
    Start,
    ValueDefinition,
)
from wasmrun.component.sorts import Sort
from wasmrun.component.typedefs import Import, TypeDefinition
from wasmrun.component.types import ResourceType
from wasmrun.component.validate_canon import canonical_function
from wasmrun.component.validate_core import (
    check_modules,
    define_core_type,
    instance_from_exports,
    instantiate_module,
    module_type,
)
from wasmrun.component.validate_decls import TypeLimits, define_type
from wasmrun.component.validate_extern import (
    add_alias,
    add_export,
    add_import,
    check_annotated,
    check_attributes,
    entity_at,
)
from wasmrun.component.validate_model import (
    ComponentType,
    Entity,
    InstanceType,
    ResourceAlias,
    fresh_copy,
    resources_in,
    substitute,
)
from wasmrun.component.validate_names import NameSet, parse_extern_name
from wasmrun.component.validate_scope import COMPONENT, EXPORT, Scope
from wasmrun.component.validate_subtype import Matcher, Mismatch
from wasmrun.component.validate_types import named_copy, value_type
from wasmrun.errors import ValidationError
from wasmrun.features import EVERY_PROPOSAL, Features
from wasmrun.module import Module

__all__ = ["validate_component"]


@dataclass(slots=True)
class _Frame:
    """A component being validated: its scope and how far through its definitions."""

    component: Component
    scope: Scope
    position: int = 0
    limits: TypeLimits = field(default_factory=TypeLimits)
    restrictions: bool = False  # Wasmtime's restrictions on the outermost component
    imported_funcs: set[int] = field(default_factory=set)  # the func indices imports define
    restricted: list[ValidationError] = field(default_factory=list)  # (raised once the component is valid)


def validate_component(
    component: Component,
    features: Features = EVERY_PROPOSAL,
    *,
    memory64: bool = True,
    implements: bool = True,
    wasmtime_restrictions: bool = False,
) -> None:
    """Raise :class:`ValidationError` unless ``component`` (and everything nested in it) is valid.

    ``memory64``: canonical options may name 64-bit memories, and resources be represented as
    ``i64`` (the ``cm64`` feature of wasm-tools).  ``implements``: names may carry an ``implements``
    attribute (🏷️).  ``wasmtime_restrictions``: refuse, as Wasmtime does,
    an outermost component that imports or exports a component, or re-exports an imported function.
    """
    scope = Scope(COMPONENT, None, memory64=memory64, implements=implements, features=features)
    root = _Frame(component, scope, restrictions=wasmtime_restrictions)
    stack = [root]
    pending: list[tuple[CoreModule, Module]] = []
    while stack:
        frame = stack[-1]
        definitions = frame.component.definitions
        if frame.position == len(definitions):
            stack.pop()
            component_type = _finish(frame)
            frame.limits.check(component_type, frame.component.offset)
            if stack:
                stack[-1].scope.add(Sort.COMPONENT, component_type)
            continue
        definition = definitions[frame.position]
        frame.position += 1
        if isinstance(definition, Component):
            stack.append(_Frame(definition, Scope(COMPONENT, frame.scope)))
            continue
        _definition(frame, definition, features, pending)
    check_modules(pending, features)
    if root.restricted:
        raise root.restricted[0]


def _finish(frame: _Frame) -> ComponentType:
    scope = frame.scope
    scope.check_values_used(frame.component.offset)
    imported = tuple(scope.imported_resources.values())
    exports = dict(scope.exports)
    defined = tuple(
        resource for key, resource in resources_in(InstanceType(exports)).items() if key not in scope.imported_resources
    )
    return ComponentType(dict(scope.imports), exports, imported, defined)


def _definition(
    frame: _Frame, definition: Definition, features: Features, pending: list[tuple[CoreModule, Module]]
) -> None:
    scope = frame.scope
    if isinstance(definition, CoreModule):
        scope.add(Sort.CORE_MODULE, module_type(definition, features, pending))
    elif isinstance(definition, CoreInstantiate):
        scope.add(Sort.CORE_INSTANCE, instantiate_module(scope, definition))
    elif isinstance(definition, CoreInstanceFromExports):
        scope.add(Sort.CORE_INSTANCE, instance_from_exports(scope, definition))
    elif isinstance(definition, CoreTypeDefinition):
        define_core_type(scope, definition)
    elif isinstance(definition, Instantiate):
        instance = _instantiate(scope, definition)
        frame.limits.check(instance, definition.offset)
        scope.add(Sort.INSTANCE, instance)
    elif isinstance(definition, InstanceFromExports):
        scope.add(Sort.INSTANCE, _bag_of_exports(scope, definition))
    elif isinstance(definition, InstanceExportAlias | CoreInstanceExportAlias | OuterAlias):
        add_alias(scope, definition)
    elif isinstance(definition, TypeDefinition):
        define_type(scope, definition, frame.limits)
    elif isinstance(definition, Lift | Lower | ResourceNew | ResourceDrop | ResourceRep | CanonicalBuiltin):
        canonical_function(scope, definition)
    elif isinstance(definition, Start):
        _start(scope, definition)
    elif isinstance(definition, Import):
        entity = add_import(scope, definition.name, definition.type, definition.offset)
        if entity.sort is Sort.FUNC:
            frame.imported_funcs.add(len(scope.spaces[Sort.FUNC]) - 1)
        if scope.parent is None and entity.sort is Sort.COMPONENT and frame.restrictions:
            frame.restricted.append(
                ValidationError("root-level component imports are not supported", definition.offset)
            )
    elif isinstance(definition, Export):
        item = definition.item
        if scope.parent is None and frame.restrictions:
            _check_root_export(frame, definition)
        entity = entity_at(scope, item.sort, item.index, definition.offset)
        add_export(scope, definition.name, entity, definition.type, definition.offset)
    elif isinstance(definition, ValueDefinition):
        scope.add(Sort.VALUE, value_type(scope, definition.type, definition.offset))


def _check_root_export(frame: _Frame, definition: Export) -> None:
    """Wasmtime's restrictions on what the outermost component exports."""
    item = definition.item
    if item.sort is Sort.COMPONENT:
        message = "exporting a component from the root component is not supported"
        frame.restricted.append(ValidationError(message, definition.offset))
    if item.sort is Sort.FUNC and item.index in frame.imported_funcs:
        message = f"component export `{definition.name}` is a reexport of an imported function which is not implemented"
        frame.restricted.append(ValidationError(message, definition.offset))


def _instantiate(scope: Scope, definition: Instantiate) -> InstanceType:
    offset = definition.offset
    component: ComponentType = scope.get(Sort.COMPONENT, definition.component, offset)
    arguments: dict[str, Entity] = {}
    for argument in definition.arguments:
        if argument.name in arguments:
            raise ValidationError(
                f"instantiation argument `{argument.name}` conflicts with previous argument `{argument.name}`",
                offset,
            )
        arguments[argument.name] = entity_at(scope, argument.item.sort, argument.item.index, offset)
    matcher = Matcher(component.imported)
    for name, wanted in component.imports.items():
        given = arguments.get(name)
        if given is None:
            raise ValidationError(f"missing import named `{name}`", offset)
        try:
            matcher.entity(given, wanted)
        except Mismatch as error:
            raise ValidationError(f"type mismatch for import `{name}`: {error}", offset) from None
    mapping = dict(matcher.bindings)
    mapping.update(fresh_copy(component.defined))
    replace: dict[int, Any] = {}
    for name, wanted in component.imports.items():
        _replacements(wanted, arguments[name], replace)
    result: InstanceType = substitute(InstanceType(dict(component.exports)), mapping, replace)
    return InstanceType(result.exports)


def _replacements(wanted: Entity, given: Entity, replace: dict[int, Any]) -> None:
    """A type imported with ``(eq t)`` (or exported by an imported instance) is, in the instance,
    the type given for it."""
    stack = [(wanted, given)]
    while stack:
        wanted, given = stack.pop()
        if wanted.sort is Sort.TYPE and not isinstance(wanted.type, ResourceType):
            replace.setdefault(id(wanted.type), given.type)
        elif wanted.sort is Sort.INSTANCE:
            for name, item in wanted.type.exports.items():
                stack.append((item, given.type.exports[name]))


def _bag_of_exports(scope: Scope, definition: InstanceFromExports) -> InstanceType:
    """``(instance (export ...)*)``: names strongly-unique, annotated names checked among them."""
    offset = definition.offset
    names = NameSet("export")
    resources: dict[str, ResourceType] = {}
    result = InstanceType()
    for export in definition.exports:
        entity = entity_at(scope, export.item.sort, export.item.index, offset)
        parsed = parse_extern_name(export.name, export=True, offset=offset)
        check_attributes(scope, export.name, parsed, entity.sort, offset)
        names.add(parsed, offset)
        if entity.sort is Sort.TYPE:
            value = entity.type
            value = ResourceAlias(value) if isinstance(value, ResourceType) else named_copy(value)
            entity = Entity(Sort.TYPE, value)
            if isinstance(value, ResourceType):
                resources[parsed.text] = value
        check_annotated(parsed, entity, resources, EXPORT, offset)
        result.exports[parsed.text] = entity
    return result


def _start(scope: Scope, definition: Start) -> None:
    offset = definition.offset
    func = scope.get(Sort.FUNC, definition.func, offset)
    if len(definition.arguments) != len(func.params):
        raise ValidationError(f"component start function requires {len(func.params)} arguments", offset)
    for position, (argument, (_name, param)) in enumerate(zip(definition.arguments, func.params, strict=True)):
        given = scope.use_value(argument, offset)
        try:
            Matcher().value(given, param)
        except Mismatch:
            raise ValidationError(f"type mismatch for component start function argument {position}", offset) from None
    expected = 0 if func.result is None else 1
    if definition.results != expected:
        raise ValidationError(
            f"component start function has a result count of {definition.results}, "
            f"but the function type has a result count of {expected}",
            offset,
        )
    if func.result is not None:
        scope.add(Sort.VALUE, func.result)
