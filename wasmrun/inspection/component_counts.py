"""The counts behind a component's ``VMComponentContext``, as Wasmtime's translation decides them.

Wasmtime inlines a component before compiling it (``crates/environ/src/component/translate/inline.rs``):
every nested component instantiated becomes one more *runtime component instance*, and what
the component's core functions are is followed through instances and aliases to where it comes
from.  It then linearizes the result (``dfg.rs``, ``LinearizeDfg``), starting from the side
effects (every core instantiation, every resource definition) and the exports, and numbers
only what it reaches, each item once (its ``Intern`` tables):

* a *trampoline* for each distinct ``canon lower`` of a host function, ``resource.new``,
  ``resource.rep``, ``resource.drop`` (per component instance and resource) and other
  built-in reached; a ``canon lower`` of a host function is also a *lowering*;
* a runtime *memory*, *realloc*, *post-return* or *callback* for each distinct core item
  named by the options of a reached lowering or built-in, or of an exported lifted function;
  core items are the same when they are the same export of the same core instance (the
  export's index, for a module the component defines);
* a *resource* for each fresh resource type in the host's imports (a ``(sub resource)`` export
  of an imported instance's type, or a resource type import), and for each resource type
  definition of each component instance.

:func:`component_shape` follows that for the common forms (what ``wit-component`` and
hand-written components produce).  Left out, and documented as such: fused adapters (a
``canon lower`` of a lifted function, i.e. a call between two inlined components) count
nothing, although Wasmtime compiles them with transcoder and resource-transfer trampolines
and may then record more runtime memories; unsafe intrinsics (a Wasmtime-internal import)
are never counted; imported components and modules are opaque.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from wasmrun.component.aliases import CoreInstanceExportAlias, InstanceExportAlias, OuterAlias
from wasmrun.component.canonical import (
    CanonicalBuiltin,
    CanonicalOptions,
    Lift,
    Lower,
    ResourceDrop,
    ResourceNew,
    ResourceRep,
)
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
from wasmrun.component.sorts import Sort
from wasmrun.component.typedefs import (
    ExportDeclaration,
    Import,
    InstanceExtern,
    InstanceTypeDefinition,
    ResourceDefinition,
    TypeDefinition,
    TypeExtern,
)
from wasmrun.errors import WasmError
from wasmrun.inspection.component_vmoffsets import ComponentShape
from wasmrun.types import ExternKind

Item = tuple[Any, ...]
"""What an index refers to, once followed: ``("host", path)``, ``("export", instance, key)``,
``("trampoline", key, options)``, ``("lifted", core item, options)``, ``("exports", {name: item})``,
``("module", CoreModule)``, ``("component", Component, frame)``, ``("resource", n)``, or ``("unknown", n)``."""

_SORT_KINDS = {
    Sort.CORE_FUNC: ExternKind.FUNC,
    Sort.CORE_TABLE: ExternKind.TABLE,
    Sort.CORE_MEMORY: ExternKind.MEMORY,
    Sort.CORE_GLOBAL: ExternKind.GLOBAL,
    Sort.CORE_TAG: ExternKind.TAG,
}


@dataclass
class _Frame:
    """One component instance being inlined: its index spaces, as items."""

    component: Component
    parent: _Frame | None
    instance: int
    arguments: dict[str, Item]
    spaces: dict[Sort, list[Item]] = field(default_factory=lambda: {sort: [] for sort in Sort})

    def item(self, sort: Sort, index: int) -> Item:
        space = self.spaces[sort]
        return space[index] if 0 <= index < len(space) else ("unknown", id(self), sort, index)


class _Inliner:
    def __init__(self) -> None:
        self.unique = itertools.count()
        self.component_instances = 0
        self.core_instances = 0
        self.trampolines: set[Any] = set()
        self.lowerings = 0
        self.memories: set[Any] = set()
        self.tables: set[Any] = set()
        self.reallocs: set[Any] = set()
        self.callbacks: set[Any] = set()
        self.post_returns: set[Any] = set()
        self.resources = 0

    def fresh(self, kind: str) -> Item:
        return (kind, next(self.unique))

    # --- reaching items, as LinearizeDfg does -----------------------------------------------

    def reach(self, item: Item) -> None:
        if item[0] == "trampoline":
            key, options, lowering = item[1], item[2], item[3]
            if key in self.trampolines:
                return
            self.trampolines.add(key)
            if lowering:
                self.lowerings += 1
            if options is not None:
                self.options(options)
        elif item[0] == "exports":
            for value in item[1].values():
                self.reach(value)

    def options(self, options: tuple[Item | None, Item | None, Item | None, Item | None]) -> None:
        memory, realloc, post_return, callback = options
        for value, found in (
            (memory, self.memories),
            (realloc, self.reallocs),
            (post_return, self.post_returns),
            (callback, self.callbacks),
        ):
            if value is not None:
                found.add(_key(value))

    def export(self, item: Item) -> None:
        """An export of the root component: lifted functions record their options."""
        if item[0] == "lifted":
            self.reach(item[1])
            self.options(item[2])
        elif item[0] == "exports":
            for value in item[1].values():
                self.export(value)

    # --- one component instance -------------------------------------------------------------

    def run(self, component: Component, parent: _Frame | None, arguments: dict[str, Item]) -> dict[str, Item]:
        frame = _Frame(component, parent, self.component_instances, arguments)
        self.component_instances += 1
        exports: dict[str, Item] = {}
        for definition in component.definitions:
            self.definition(frame, definition, exports)
        return exports

    def definition(self, frame: _Frame, definition: Any, exports: dict[str, Item]) -> None:
        spaces = frame.spaces
        if isinstance(definition, CoreModule):
            spaces[Sort.CORE_MODULE].append(("module", definition))
        elif isinstance(definition, Component):
            spaces[Sort.COMPONENT].append(("component", definition, frame))
        elif isinstance(definition, CoreInstantiate):
            spaces[Sort.CORE_INSTANCE].append(self.core_instantiate(frame, definition))
        elif isinstance(definition, CoreInstanceFromExports):
            items = {export.name: frame.item(export.item.sort, export.item.index) for export in definition.exports}
            spaces[Sort.CORE_INSTANCE].append(("exports", items))
        elif isinstance(definition, Instantiate):
            spaces[Sort.INSTANCE].append(self.instantiate(frame, definition))
        elif isinstance(definition, InstanceFromExports):
            items = {str(export.name): frame.item(export.item.sort, export.item.index) for export in definition.exports}
            spaces[Sort.INSTANCE].append(("exports", items))
        elif isinstance(definition, (InstanceExportAlias, CoreInstanceExportAlias, OuterAlias)):
            spaces[definition.sort].append(self.alias(frame, definition))
        elif isinstance(definition, TypeDefinition):
            spaces[Sort.TYPE].append(self.type_definition(frame, definition))
        elif isinstance(definition, CoreTypeDefinition):
            spaces[Sort.CORE_TYPE].extend(self.fresh("core type") for _ in range(definition.type_count))
        elif isinstance(definition, Lift):
            options = self.option_items(frame, definition.options)
            spaces[Sort.FUNC].append(("lifted", frame.item(Sort.CORE_FUNC, definition.core_func), options))
        elif isinstance(definition, Import):
            self.import_(frame, definition)
        elif isinstance(definition, Export):
            item = frame.item(definition.item.sort, definition.item.index)
            spaces[definition.item.sort].append(item)
            exports[definition.name.name] = item
            if frame.parent is None:
                self.export(item)
        elif isinstance(definition, Start):
            spaces[Sort.VALUE].extend(self.fresh("value") for _ in range(definition.results))
        elif isinstance(definition, ValueDefinition):
            spaces[Sort.VALUE].append(self.fresh("value"))
        else:
            spaces[Sort.CORE_FUNC].append(self.canonical(frame, definition))

    def core_instantiate(self, frame: _Frame, definition: CoreInstantiate) -> Item:
        # A side effect: everything given to the module is reached.
        for argument in definition.arguments:
            self.reach(frame.item(Sort.CORE_INSTANCE, argument.instance))
        module = frame.item(Sort.CORE_MODULE, definition.module)
        self.core_instances += 1
        return ("instance", self.core_instances, module[1] if module[0] == "module" else None)

    def instantiate(self, frame: _Frame, definition: Instantiate) -> Item:
        component = frame.item(Sort.COMPONENT, definition.component)
        arguments = {
            argument.name: frame.item(argument.item.sort, argument.item.index) for argument in definition.arguments
        }
        if component[0] != "component":
            return self.fresh("imported component instance")  # opaque: Wasmtime cannot inline it
        return ("exports", self.run(component[1], component[2], arguments))

    def import_(self, frame: _Frame, definition: Import) -> None:
        name = definition.name.name
        sort = _extern_sort(definition.type)
        if frame.parent is None:
            item: Item = ("host", (name,))
            self.resources += self.fresh_resources(frame, definition)
        else:
            item = frame.arguments.get(name, self.fresh("missing argument"))
        if isinstance(definition.type, TypeExtern) and definition.type.equal_to is not None:
            item = frame.item(Sort.TYPE, definition.type.equal_to)
        frame.spaces[sort].append(item)

    def fresh_resources(self, frame: _Frame, definition: Import) -> int:
        """The resource types new to Wasmtime in a host import (``register_component_entity_type``)."""
        extern = definition.type
        if isinstance(extern, TypeExtern):
            return 1 if extern.equal_to is None else 0
        if not isinstance(extern, InstanceExtern):
            return 0
        declared = [entry for entry in frame.component.definitions if _adds_type(entry)]
        if not 0 <= extern.type < len(declared):
            return 0
        entry = declared[extern.type]
        if not (isinstance(entry, TypeDefinition) and isinstance(entry.type, InstanceTypeDefinition)):
            return 0
        return sum(
            1
            for declaration in entry.type.declarations
            if isinstance(declaration, ExportDeclaration)
            and isinstance(declaration.type, TypeExtern)
            and declaration.type.equal_to is None
        )

    def alias(self, frame: _Frame, alias: InstanceExportAlias | CoreInstanceExportAlias | OuterAlias) -> Item:
        if isinstance(alias, OuterAlias):
            scope: _Frame | None = frame
            for _ in range(alias.count):
                scope = scope.parent if scope is not None else None
            return scope.item(alias.sort, alias.index) if scope is not None else self.fresh("outer")
        sort = Sort.CORE_INSTANCE if isinstance(alias, CoreInstanceExportAlias) else Sort.INSTANCE
        instance = frame.item(sort, alias.instance)
        if instance[0] == "host":
            return ("host", (*instance[1], alias.name))
        if instance[0] == "exports":
            found: Item | None = instance[1].get(alias.name)
            return found if found is not None else self.fresh("missing export")
        if instance[0] == "instance":
            return ("export", instance[1], _export_key(instance[2], alias.name, alias.sort))
        return self.fresh("unknown export")

    def type_definition(self, frame: _Frame, definition: TypeDefinition) -> Item:
        if not isinstance(definition.type, ResourceDefinition):
            return self.fresh("type")
        self.resources += 1
        if definition.type.destructor is not None:
            self.reach(frame.item(Sort.CORE_FUNC, definition.type.destructor))
        return self.fresh("resource")

    def option_items(self, frame: _Frame, options: CanonicalOptions | None) -> tuple[Item | None, ...]:
        if options is None:
            return (None, None, None, None)
        memory, realloc, post_return, callback = options.memory, options.realloc, options.post_return, options.callback
        return (
            None if memory is None else frame.item(Sort.CORE_MEMORY, memory),
            None if realloc is None else frame.item(Sort.CORE_FUNC, realloc),
            None if post_return is None else frame.item(Sort.CORE_FUNC, post_return),
            None if callback is None else frame.item(Sort.CORE_FUNC, callback),
        )

    def canonical(self, frame: _Frame, definition: Any) -> Item:
        """The core function a canonical definition other than ``lift`` makes."""
        if isinstance(definition, Lower):
            func = frame.item(Sort.FUNC, definition.func)
            options = self.option_items(frame, definition.options)
            if func[0] == "host":
                key = ("lower", func[1], frame.instance, tuple(map(_optional_key, options)))
                return ("trampoline", key, options, True)
            return self.fresh("fused adapter")
        if isinstance(definition, (ResourceNew, ResourceRep, ResourceDrop)):
            resource = _key(frame.item(Sort.TYPE, definition.resource))
            return ("trampoline", (definition.name, frame.instance, resource), None, False)
        if isinstance(definition, CanonicalBuiltin):
            options = self.option_items(frame, definition.options)
            builtin_key: tuple[Any, ...] = (
                definition.name,
                frame.instance,
                definition.immediates,
                tuple(map(_optional_key, options)),
            )
            return ("trampoline", builtin_key, options, False)
        return self.fresh("core func")


def _extern_sort(extern: Any) -> Sort:
    from wasmrun.component.index_spaces import extern_sort

    return extern_sort(extern)


def _adds_type(definition: Any) -> bool:
    from wasmrun.component.index_spaces import definition_sort

    return not isinstance(definition, Start) and definition_sort(definition) is Sort.TYPE


def _key(item: Item) -> Any:
    """An item as a dictionary key (exports of instances are not hashable as dicts)."""
    if item[0] == "exports":
        return ("exports", id(item[1]))
    if item[0] in ("component", "module"):
        return (item[0], id(item[1]))
    if item[0] in ("trampoline", "lifted"):
        return (item[0], _key(item[1]) if item[0] == "lifted" else item[1])
    return item


def _optional_key(item: Item | None) -> Any:
    return None if item is None else _key(item)


def _export_key(module: CoreModule | None, name: str, sort: Sort) -> Any:
    """What a core instance's export is: its index in the module's space (a defined module), else its name."""
    if module is None:
        return ("name", name)
    try:
        decoded = module.decode()
    except WasmError:
        return ("name", name)
    kind = _SORT_KINDS.get(sort)
    for export in decoded.exports:
        if export.name == name and export.kind is kind:
            return (sort.value, export.index)
    return ("name", name)


def component_shape(component: Component) -> ComponentShape:
    """The counts of ``VMComponentOffsets::new`` for ``component`` (see the module docstring)."""
    inliner = _Inliner()
    inliner.run(component, None, {})
    return ComponentShape(
        num_runtime_component_instances=inliner.component_instances,
        num_trampolines=len(inliner.trampolines),
        num_unsafe_intrinsics=0,
        num_lowerings=inliner.lowerings,
        num_runtime_memories=len(inliner.memories),
        num_runtime_tables=len(inliner.tables),
        num_runtime_reallocs=len(inliner.reallocs),
        num_runtime_callbacks=len(inliner.callbacks),
        num_runtime_post_returns=len(inliner.post_returns),
        num_resources=inliner.resources,
    )
