"""Instantiating a component (``Explainer.md``: Instance Definitions, and the canonical ABI's instances).

:func:`instantiate_component` walks a decoded component's definitions in binary order, the order in
which they add to the index spaces, and keeps each index space's runtime items
(:mod:`wasmrun.component_runtime.items` lists them):

* core modules are decoded and validated; core instances instantiate them in the store, each
  import found by name in the named core instance given for its module (or are made of exports);
  core aliases take a core instance's export;
* types are resolved in order (:class:`~wasmrun.component.resolve.TypeResolver`), aliases of an
  instance's exported types and outer aliases included; each ``(type (resource (rep i32) (dtor
  f)))`` makes a new :class:`ResourceType` per instantiation, whose destructor is ``f``
  (:class:`GuestDestructor`), implemented by this instance; an imported resource type is the one
  the import supplies;
* ``canon lift`` makes a :class:`LiftedFunction`, ``canon lower`` a host function over a component
  function, ``canon resource.new/rep/drop`` host functions over this instance's handle table;
* nested components are instantiated with their arguments (a child :class:`InstanceState`); a
  component item is a :class:`ComponentClosure`, whose ``outer`` aliases name the items of the
  instance that defined it, wherever it is instantiated; instances are also imported
  (:mod:`.imports`) or made of exports;
* exports are kept by name (:attr:`ComponentInstance.exports`).

Given a :class:`Recorder`, instantiation also keeps, for each component instance it makes, an
:class:`InstantiationRecord` of its index spaces (``inspect --instance`` reads them); without one it
keeps nothing more than its exports.

Each component instance has its own :class:`InstanceState`.  Not supported, refused with one line
(:class:`UnsupportedInstruction`): the async ABI (async lifts and lowers, streams, futures,
error contexts, threads: every other ``canon`` built-in), component values and start functions
taking or giving values.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from wasmrun.component.aliases import CoreInstanceExportAlias, InstanceExportAlias, OuterAlias
from wasmrun.component.builtin_types import (
    builtin_core_type,
    context_core_type,
    context_slot_type,
    task_return_signature,
)
from wasmrun.component.canonical import CanonicalBuiltin, Lift, Lower, ResourceDrop, ResourceNew, ResourceRep
from wasmrun.component.core_typedefs import CoreTypeDefinition
from wasmrun.component.records import (
    Component,
    CoreInstanceFromExports,
    CoreInstantiate,
    CoreModule,
    Export,
    InstanceFromExports,
    Instantiate,
    Start,
    ValueDefinition,
)
from wasmrun.component.resolve import RESOLVED_KINDS, Resolved, TypeEnvironment, TypeResolver
from wasmrun.component.sorts import Sort, SortIndex
from wasmrun.component.typedefs import (
    ComponentExtern,
    ExportDeclaration,
    FuncExtern,
    Import,
    InstanceExtern,
    ModuleExtern,
    ResourceDefinition,
    TypeDefinition,
    TypeExtern,
)
from wasmrun.component.types import FuncType, ResourceType
from wasmrun.component_runtime.canonical import as_core_callable, lift_function, lower_function
from wasmrun.component_runtime.concurrency_builtins import BuiltinContext, concurrency_builtin
from wasmrun.component_runtime.context import CanonicalOptions
from wasmrun.component_runtime.core_items import (
    canonical_options,
    instantiate_core_module,
    resource_builtin,
)
from wasmrun.component_runtime.imports import (
    ImportMismatch,
    Imports,
    as_component,
    as_function,
    as_module,
    as_resource,
    bind_instance,
    link_error,
    supplied_item,
)
from wasmrun.component_runtime.instance_state import InstanceState
from wasmrun.component_runtime.items import ComponentClosure, ComponentFunction, ComponentInstance, CoreExports
from wasmrun.component_runtime.resources import GuestDestructor
from wasmrun.errors import InstantiationError, UnsupportedInstruction, ValidationError
from wasmrun.features import ALL_FEATURES, Features
from wasmrun.module import Module
from wasmrun.runtime.store import Store
from wasmrun.types import FuncType as CoreFuncType
from wasmrun.types import ValType
from wasmrun.validation import validate_module

_CORE_SORTS = (
    Sort.CORE_FUNC,
    Sort.CORE_TABLE,
    Sort.CORE_MEMORY,
    Sort.CORE_GLOBAL,
    Sort.CORE_TAG,
    Sort.CORE_MODULE,
    Sort.CORE_INSTANCE,
)
_ITEM_SORTS = (*_CORE_SORTS, Sort.FUNC, Sort.COMPONENT, Sort.INSTANCE)
"""The sorts whose items the instantiation keeps in lists (types are the resolver's; values are refused)."""


class Modules:
    """The core modules of one top-level instantiation, each decoded and validated once.

    ``located`` lists them with where each starts in the component's binary (a trap's frames are
    named by the module their function is in).
    """

    def __init__(self, features: Features = ALL_FEATURES) -> None:
        self.features = features
        self.decoded: dict[int, Module] = {}
        self.located: list[tuple[Module, int]] = []

    def get(self, definition: CoreModule) -> Module:
        key = id(definition)
        module = self.decoded.get(key)
        if module is None:
            module = definition.validated_with(self.features)
            if module is None:
                module = definition.decode()
                validate_module(module, self.features)
            self.decoded[key] = module
            self.located.append((module, definition.offset))
        return module


@dataclass(frozen=True, slots=True)
class InstantiationRecord:
    """What instantiating one component made (kept only for a :class:`Recorder`).

    ``spaces``: each sort's index space, its items in index order (see :mod:`.items`); ``type_at``:
    the resolved type at an index of the type space; ``arguments``: what the instance was given for
    its imports (the host's imports for the outermost one); ``resources``: the resource types it
    defines, each with its definition (representation, destructor), in definition order.
    """

    component: Component
    state: InstanceState
    spaces: Mapping[Sort, tuple[Any, ...]]
    type_at: Callable[[int], Resolved]
    arguments: Imports
    resources: tuple[tuple[ResourceType, ResourceDefinition], ...]


class Recorder:
    """Collects an :class:`InstantiationRecord` per component instance made, each when it is complete
    (so a nested instance comes before the one instantiating it, and the outermost one last)."""

    def __init__(self) -> None:
        self.records: list[InstantiationRecord] = []


def instantiate_component(
    component: Component,
    store: Store,
    imports: Imports | None = None,
    *,
    features: Features = ALL_FEATURES,
    modules: Modules | None = None,
    name: str = "",
    recorder: Recorder | None = None,
) -> ComponentInstance:
    """Instantiate ``component`` in ``store`` with ``imports`` (see :mod:`.imports`): its instance.

    ``features``: the proposals its core modules may use.  ``modules``, if given, is filled in with
    the core modules as they are decoded (see :class:`Modules`; its features are used instead).
    ``recorder``, if given, receives a record of each component instance made (see :class:`Recorder`).

    Errors: :class:`~wasmrun.errors.LinkError` (an import missing or of the wrong kind, a core
    import not found), :class:`~wasmrun.errors.Trap` (a core start function, a ``canon`` start),
    ``DecodeError``/``ValidationError`` of a core module, :class:`UnsupportedInstruction`.
    """
    if modules is None:
        modules = Modules(features)
    instantiation = Instantiation(
        component, store, {} if imports is None else imports, modules, None, None, name, recorder
    )
    return instantiation.run()


class Instantiation(TypeEnvironment):
    """One component being instantiated: its index spaces so far (and the type environment they make).

    ``outer`` is the instantiation the component was defined in (its ``outer`` aliases name that
    one's items); ``parent`` the state of the instance instantiating it (None: the host);
    ``recorder`` receives this instantiation's record, and those of the instances it makes.
    """

    def __init__(
        self,
        component: Component,
        store: Store,
        imports: Imports,
        modules: Modules,
        outer: Instantiation | None,
        parent: InstanceState | None,
        name: str,
        recorder: Recorder | None = None,
    ) -> None:
        self.component = component
        self.store = store
        self.imports = imports
        self.modules = modules
        self.outer = outer
        self.state: InstanceState = InstanceState(parent, name)
        self.resolver: TypeResolver = TypeResolver(
            component, outer=outer.resolver if outer is not None else None, environment=self
        )
        self.spaces: dict[Sort, list[Any]] = {sort: [] for sort in _ITEM_SORTS}
        self.type_count = 0
        self.exports: dict[str, Any] = {}
        self.representations: dict[ResourceType, ValType] = {}
        self.name = name
        self.recorder = recorder
        self.resource_definitions: list[tuple[ResourceType, ResourceDefinition]] = []

    def run(self) -> ComponentInstance:
        for definition in self.component.definitions:
            self.define(definition)
        if self.recorder is not None:
            self.recorder.records.append(
                InstantiationRecord(
                    self.component,
                    self.state,
                    {sort: tuple(items) for sort, items in self.spaces.items()},
                    self.resolver.type_at,
                    self.imports,
                    tuple(self.resource_definitions),
                )
            )
        return ComponentInstance(self.exports, self.state, self.name)

    # -- the index spaces ---------------------------------------------------------------------------

    def at(self, sort: Sort, index: int) -> Any:
        """Item ``index`` of ``sort``'s index space."""
        if sort is Sort.TYPE:
            return self.resolver.type_at(index)
        if sort is Sort.VALUE:
            raise UnsupportedInstruction("component values (🪙) are not supported")
        if sort is Sort.CORE_TYPE:
            raise UnsupportedInstruction("core types as items are not supported")
        space = self.spaces[sort]
        if not 0 <= index < len(space):
            raise InstantiationError(f"{sort} index out of bounds: {index}")
        return space[index]

    def item(self, sort_index: SortIndex) -> Any:
        return self.at(sort_index.sort, sort_index.index)

    def add(self, sort: Sort, item: Any) -> None:
        """``item`` is the next index of ``sort``."""
        if sort is Sort.TYPE:
            self.next_type()
        elif sort is Sort.CORE_TYPE:
            return
        elif sort is Sort.VALUE:
            raise UnsupportedInstruction("component values (🪙) are not supported")
        else:
            self.spaces[sort].append(item)

    def next_type(self) -> None:
        """Resolve the next type index now (its resource types are made here, in binary order)."""
        index = self.type_count
        self.type_count += 1
        with contextlib.suppress(ValidationError):  # (a type that cannot be resolved is an error where it is used)
            self.resolver.type_at(index)

    # -- the type environment -----------------------------------------------------------------------

    def instance_export(self, alias: InstanceExportAlias, index: int) -> Resolved:
        instance = self.at(Sort.INSTANCE, alias.instance)
        item = instance.exports.get(alias.name)
        if not isinstance(item, RESOLVED_KINDS):
            raise InstantiationError(f"instance {alias.instance} has no type export named `{alias.name}`")
        return item

    def imported_resource(self, declaration: Import | ExportDeclaration, name: str) -> ResourceType:
        if not isinstance(declaration, Import):
            return ResourceType(name)
        item = supplied_item(self.imports, declaration)
        try:
            return as_resource(item)
        except ImportMismatch as mismatch:
            raise link_error(name, declaration.type, mismatch) from None

    def defined_resource(self, resource: ResourceType, definition: ResourceDefinition) -> None:
        self.state.define_resource(resource)
        self.representations[resource] = definition.representation  # type: ignore[assignment]
        self.resource_definitions.append((resource, definition))
        if definition.destructor is not None:
            destructor = self.at(Sort.CORE_FUNC, definition.destructor)
            resource.destructor = GuestDestructor(as_core_callable(destructor), self.state)

    # -- definitions --------------------------------------------------------------------------------

    def define(self, definition: Any) -> None:
        handler = _HANDLERS.get(type(definition))
        if handler is None:
            raise UnsupportedInstruction(f"{type(definition).__name__} definitions are not supported")
        handler(self, definition)

    def core_module(self, definition: CoreModule) -> None:
        self.add(Sort.CORE_MODULE, self.modules.get(definition))

    def core_instantiate(self, definition: CoreInstantiate) -> None:
        module = self.at(Sort.CORE_MODULE, definition.module)
        arguments = {argument.name: self.at(Sort.CORE_INSTANCE, argument.instance) for argument in definition.arguments}
        self.add(Sort.CORE_INSTANCE, instantiate_core_module(self.store, module, arguments))

    def core_instance_from_exports(self, definition: CoreInstanceFromExports) -> None:
        exports = {export.name: self.item(export.item) for export in definition.exports}
        self.add(Sort.CORE_INSTANCE, CoreExports(exports))

    def core_type(self, definition: CoreTypeDefinition) -> None:
        """Core types are checked by validation; at run time nothing refers to them."""

    def core_alias(self, definition: CoreInstanceExportAlias) -> None:
        instance = self.at(Sort.CORE_INSTANCE, definition.instance)
        item = instance.exports.get(definition.name)
        if item is None:
            raise InstantiationError(f"core instance {definition.instance} has no export named `{definition.name}`")
        self.add(definition.sort, item)

    def instance_alias(self, definition: InstanceExportAlias) -> None:
        if definition.sort is Sort.TYPE:
            self.next_type()
            return
        instance = self.at(Sort.INSTANCE, definition.instance)
        item = instance.exports.get(definition.name)
        if item is None:
            raise InstantiationError(f"instance {definition.instance} has no export named `{definition.name}`")
        self.add(definition.sort, item)

    def outer_alias(self, definition: OuterAlias) -> None:
        if definition.sort in (Sort.TYPE, Sort.CORE_TYPE):
            self.add(definition.sort, None)
            return
        scope: Instantiation | None = self
        for _ in range(definition.count):
            scope = None if scope is None else scope.outer
        if scope is None:
            raise InstantiationError(f"invalid outer alias count of {definition.count}")
        self.add(definition.sort, scope.at(definition.sort, definition.index))

    def type_definition(self, definition: TypeDefinition) -> None:
        self.next_type()

    def nested_component(self, definition: Component) -> None:
        self.add(Sort.COMPONENT, ComponentClosure(definition, self))

    def instantiate(self, definition: Instantiate) -> None:
        closure: ComponentClosure = self.at(Sort.COMPONENT, definition.component)
        arguments = {argument.name: self.item(argument.item) for argument in definition.arguments}
        name = f"{self.name}/{len(self.spaces[Sort.INSTANCE])}" if self.name else ""
        child = Instantiation(
            closure.component, self.store, arguments, self.modules, closure.scope, self.state, name, self.recorder
        )
        self.add(Sort.INSTANCE, child.run())

    def instance_from_exports(self, definition: InstanceFromExports) -> None:
        exports = {export.name.name: self.item(export.item) for export in definition.exports}
        self.add(Sort.INSTANCE, ComponentInstance(exports))

    def lift(self, definition: Lift) -> None:
        core = self.at(Sort.CORE_FUNC, definition.core_func)
        func_type = self.resolver.func_type(definition.type, definition.offset)
        options = canonical_options(definition.options, self.spaces[Sort.CORE_FUNC], self.spaces[Sort.CORE_MEMORY])
        self.add(Sort.FUNC, lift_function(core, func_type, options, self.state))

    def lower(self, definition: Lower) -> None:
        function = self.at(Sort.FUNC, definition.func)
        options = canonical_options(definition.options, self.spaces[Sort.CORE_FUNC], self.spaces[Sort.CORE_MEMORY])
        callee = function.callee if isinstance(function, ComponentFunction) else function
        func_type: FuncType = function.func_type
        name = getattr(function, "name", "") or "lowered"
        self.add(Sort.CORE_FUNC, lower_function(callee, func_type, options, self.state, name))

    def resource_builtin(self, definition: ResourceNew | ResourceRep | ResourceDrop) -> None:
        resource = self.resolver.resource_type(definition.resource, definition.offset)
        representation = self.representations.get(resource, ValType.I32)
        self.add(Sort.CORE_FUNC, resource_builtin(self.store, definition, resource, representation, self.state))

    def builtin(self, definition: CanonicalBuiltin) -> None:
        core_funcs, core_memories = self.spaces[Sort.CORE_FUNC], self.spaces[Sort.CORE_MEMORY]
        options = CanonicalOptions()
        if definition.options is not None:
            options = canonical_options(definition.options, core_funcs, core_memories)
        memory_index = definition.immediate("memory")
        memory = None if memory_index is None else self.at(Sort.CORE_MEMORY, memory_index)
        ptr64 = options.ptr64 or bool(memory is not None and memory.type.limits.address64)
        result_type = None
        name = definition.name
        core_type = builtin_core_type(name, ptr64)
        if name == "task.return":
            result = definition.immediate("result")
            result_type = None if result is None else self.resolver.value_type(result, definition.offset)
            core_type = task_return_signature(result_type, ptr64).core_type
        elif name in ("context.get", "context.set"):
            core_type = context_core_type(name, context_slot_type(definition.immediate("valtype")))
        elif name == "thread.new-indirect":
            table = self.at(Sort.CORE_TABLE, definition.immediate("table") or 0)
            index_type = ValType.I64 if table.type.limits.address64 else ValType.I32
            core_type = CoreFuncType((index_type, ValType.I32), (ValType.I32,))
        context = BuiltinContext(options, memory, result_type, core_type)
        self.add(Sort.CORE_FUNC, concurrency_builtin(self.store, definition, self.state, context))

    def start(self, definition: Start) -> None:
        if definition.arguments or definition.results:
            raise UnsupportedInstruction("component start functions taking or giving values (🪙) are not supported")
        self.at(Sort.FUNC, definition.func)()

    def value(self, definition: ValueDefinition) -> None:
        raise UnsupportedInstruction("component values (🪙) are not supported")

    def import_(self, definition: Import) -> None:
        extern = definition.type
        name = definition.name.name
        if isinstance(extern, TypeExtern):
            self.add(Sort.TYPE, None)  # (the resolver binds it: a missing resource is a LinkError here)
            return
        item = supplied_item(self.imports, definition)
        try:
            if isinstance(extern, InstanceExtern):
                declared = self.resolver.instance_type(extern.type, definition.offset)
                scope = self.resolver.scope_of(extern.type)
                self.add(Sort.INSTANCE, bind_instance(declared, scope, item, name))
            elif isinstance(extern, FuncExtern):
                func_type = self.resolver.func_type(extern.type, definition.offset)
                self.add(Sort.FUNC, as_function(item, func_type, name))
            elif isinstance(extern, ComponentExtern):
                self.add(Sort.COMPONENT, as_component(item))
            elif isinstance(extern, ModuleExtern):
                self.add(Sort.CORE_MODULE, as_module(item))
            else:
                raise UnsupportedInstruction("component values (🪙) are not supported")
        except ImportMismatch as mismatch:
            raise link_error(name, extern, mismatch) from None

    def export(self, definition: Export) -> None:
        item = self.item(definition.item)
        self.exports[definition.name.name] = item
        self.add(definition.item.sort, item)


_HANDLERS: Mapping[type, Any] = {
    CoreModule: Instantiation.core_module,
    CoreInstantiate: Instantiation.core_instantiate,
    CoreInstanceFromExports: Instantiation.core_instance_from_exports,
    CoreTypeDefinition: Instantiation.core_type,
    CoreInstanceExportAlias: Instantiation.core_alias,
    InstanceExportAlias: Instantiation.instance_alias,
    OuterAlias: Instantiation.outer_alias,
    TypeDefinition: Instantiation.type_definition,
    Component: Instantiation.nested_component,
    Instantiate: Instantiation.instantiate,
    InstanceFromExports: Instantiation.instance_from_exports,
    Lift: Instantiation.lift,
    Lower: Instantiation.lower,
    ResourceNew: Instantiation.resource_builtin,
    ResourceRep: Instantiation.resource_builtin,
    ResourceDrop: Instantiation.resource_builtin,
    CanonicalBuiltin: Instantiation.builtin,
    Start: Instantiation.start,
    ValueDefinition: Instantiation.value,
    Import: Instantiation.import_,
    Export: Instantiation.export,
}
