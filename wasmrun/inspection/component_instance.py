"""``inspect --instance`` for a component: the live state of the component just instantiated.

:func:`inspect_component_instance` instantiates a validated component as ``wasmrun COMPONENT``
does (:func:`wasmrun.component_launch.prepared` and
:func:`~wasmrun.component_launch.instantiate_with_wasi`: the WASI 0.2 host, with no arguments, no
environment, no preopened directories, an empty stdin and outputs discarded), so the core modules'
start functions run, as they are part of instantiation, but nothing is called (not
``wasi:cli/run``'s ``run``).  A :class:`~wasmrun.component_runtime.instantiate.Recorder` keeps what
the instantiation made; :func:`component_instance_state` reads it into a
:class:`ComponentInstanceState`, plain data named as the JSON output names it
(``dataclasses.asdict`` of it is the ``component_instance`` object of ``inspect.schema.json``):

* the component instances, the outermost first and each nested one after the instance that
  instantiates it, in instantiation order: each by its path (``instance 9 > instance 0``: its index
  in the instance index space of the one instantiating it), with the nested component it
  instantiates named as the component summary names it (``component 0 > component 1``);
* each one's flags (``may_enter``, ``may_leave``, backpressure), with the ``may_leave`` slot of
  Wasmtime's ``VMComponentContext`` (:mod:`wasmrun.inspection.component_vmoffsets`): Wasmtime numbers
  the runtime component instances in the order above, as it inlines them
  (:mod:`wasmrun.inspection.component_counts`);
* the resource types it defines and its handle table: each live handle with its kind (``own`` or
  ``borrow`` of a resource type, with the representation; ``waitable-set``);
* its core instances: the module instantiated (or the items of an instance made of exports), what
  was given for each import, and what the instance holds now
  (:func:`wasmrun.inspection.instance.instance_contents`: memories, tables, globals, the size of its
  ``VMContext``);
* its canonical core functions (``canon lower`` and the built-ins): what each calls (a host
  function by its interface and name, a lifted function of a component instance by that instance's
  path and its export name) or acts on (a resource type), its options' items, and the core
  instances it was given to.

Every item is named where it was made: ``core instance 2 function 5 (name)``, ``core instance 0
memory 0``, ``core func 15`` (a canonical function), prefixed with the component instance's path
when that is not the instance being described.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wasmrun.component.canonical import (
    CanonicalBuiltin,
    CanonicalOptions,
    Lift,
    Lower,
    ResourceDrop,
    ResourceNew,
    ResourceRep,
)
from wasmrun.component.index_spaces import index_spaces
from wasmrun.component.records import Component, CoreInstanceFromExports, CoreInstantiate, Export, Instantiate
from wasmrun.component.sorts import Sort
from wasmrun.component.typedefs import Import
from wasmrun.component.types import ResourceType
from wasmrun.inspection.instance import POINTER_SIZE, CoreInstanceContents, VMSlot, instance_contents
from wasmrun.inspection.summary import function_names
from wasmrun.runtime.functions import FunctionInstance
from wasmrun.types import ExternKind

if TYPE_CHECKING:
    from wasmrun.component_runtime.instantiate import InstantiationRecord
    from wasmrun.inspection.vmoffsets import VMContextLayout
    from wasmrun.runtime.instance import Instance

ROOT = "root"
"""The path of the outermost component instance."""

_CANONICAL = (Lower, ResourceNew, ResourceRep, ResourceDrop, CanonicalBuiltin)
_KIND_NAMES = {kind: "function" if kind is ExternKind.FUNC else kind.text for kind in ExternKind}
_CORE_SORTS: dict[Sort, ExternKind] = {
    Sort.CORE_FUNC: ExternKind.FUNC,
    Sort.CORE_TABLE: ExternKind.TABLE,
    Sort.CORE_MEMORY: ExternKind.MEMORY,
    Sort.CORE_GLOBAL: ExternKind.GLOBAL,
    Sort.CORE_TAG: ExternKind.TAG,
}


@dataclass(frozen=True, slots=True)
class CoreItem:
    """An import of a core instance with what was given for it, or an export of an instance of exports."""

    module: str | None  # the import's module name; None for an export
    name: str
    kind: str  # "func", "table", "memory", "global", "tag"
    origin: str  # where the item was made (see the module docstring)


@dataclass(frozen=True, slots=True)
class TableElement:
    """A slot of a table the instance defines that holds a function made elsewhere (``contents`` has the others)."""

    table: int
    slot: int
    origin: str


@dataclass(frozen=True, slots=True)
class CoreInstanceState:
    index: int  # in the component instance's core instance index space
    kind: str  # "instantiate" or "exports"
    module: int | None  # the core module instantiated (its index in the component's core module space)
    module_name: str | None  # from the module's name section
    start: int | None  # the module's start function, which ran
    items: tuple[CoreItem, ...]  # its imports as given ("instantiate"), or its exports ("exports")
    contents: CoreInstanceContents | None  # None for an instance of exports
    table_elements: tuple[TableElement, ...]  # functions of other instances in the tables it defines


@dataclass(frozen=True, slots=True)
class CanonicalFunctionState:
    """A core function made by ``canon lower`` or a built-in (``resource.new``, ``task.return`` ...)."""

    index: int  # in the component instance's core func index space
    canon: str  # "lower", "resource.drop", "task.return" ...
    target_kind: str | None  # "host" or "lifted" (a lower's callee), "resource" (a resource built-in), else None
    target: str  # the callee, the resource type, or a built-in's immediates (`""`: none)
    options: tuple[str, ...]  # `memory ITEM`, `realloc ITEM`, `string-encoding=utf16`, `async`
    given_to: tuple[str, ...]  # each core instance import it was given for: `core instance 2 "env" "f"`


@dataclass(frozen=True, slots=True)
class ResourceTypeState:
    name: str
    representation: str  # the core type of its representation
    destructor: str | None  # the core function called when an owning handle is dropped, where it was made


@dataclass(frozen=True, slots=True)
class HandleState:
    """A live element of a handle table."""

    index: int
    kind: str  # "own", "borrow", "waitable-set"
    resource: str | None  # the resource type, with who defines it
    representation: str | None  # a guest resource's representation (its i32); `host` for a host resource
    lends: int  # borrows of it lent to calls still running


@dataclass(frozen=True, slots=True)
class ComponentInstanceNode:
    path: str  # "root", "instance 9", "instance 9 > instance 0"
    index: int | None  # in the instance index space of the instance instantiating it (None: the root)
    component: str | None  # the nested component instantiated, as the summary names it (None: the root)
    runtime_index: int  # Wasmtime's runtime component instance index
    may_enter: bool
    may_leave: bool
    backpressure: int
    vmctx: tuple[VMSlot, ...]  # the VMComponentContext slots of its flags
    resource_types: tuple[ResourceTypeState, ...]
    handles: tuple[HandleState, ...]
    core_instances: tuple[CoreInstanceState, ...]
    canonical_functions: tuple[CanonicalFunctionState, ...]


@dataclass(frozen=True, slots=True)
class ComponentInstanceState:
    file: str
    imports: tuple[str, ...]  # the names the outermost component imports (all from the WASI 0.2 host)
    not_called: tuple[str, ...]  # what `wasmrun COMPONENT` would call next: `wasi:cli/run@0.2.N#run`
    ptr_size: int
    vmctx_size: int  # bytes of Wasmtime's VMComponentContext
    instances: tuple[ComponentInstanceNode, ...]


def inspect_component_instance(
    component: Component, *, file: str, max_memory: int | None = None
) -> ComponentInstanceState:
    """Instantiate ``component`` as ``wasmrun COMPONENT`` would (nothing called) and read its state.

    Failures are ``run``'s: :class:`~wasmrun.errors.LinkError` for an import the WASI host lacks,
    :class:`~wasmrun.component_launch.ComponentTrap` for a trap in a start function,
    :class:`~wasmrun.errors.ProcExit` if one exits.
    """
    from wasmrun.component_launch import CLI_RUN, CLI_RUN_VERSION, instantiate_with_wasi, prepared
    from wasmrun.component_runtime.instantiate import Recorder
    from wasmrun.component_runtime.lookup import find_instance
    from wasmrun.launch import RunConfig

    config = RunConfig(stdin=None, stdout=None, stderr=None, max_memory=max_memory)
    recorder = Recorder()
    with prepared(config) as run:
        instance = instantiate_with_wasi(component, run, recorder)
        exported = find_instance(instance, CLI_RUN, CLI_RUN_VERSION)
        not_called = tuple(
            f"{name}#run"
            for name, item in instance.exports.items()
            if item is exported and exported.function("run") is not None
        )
        # Read while the store is open: closing it unmaps the memories.
        return component_instance_state(recorder.records, file=file, not_called=not_called)


def component_instance_state(
    records: Iterable[InstantiationRecord],
    *,
    file: str,
    not_called: tuple[str, ...] = (),
    ptr_size: int = POINTER_SIZE,
) -> ComponentInstanceState:
    """The state of the component instances ``records`` describe (a recorder's, the outermost last) now."""
    from wasmrun.inspection.component_counts import component_shape
    from wasmrun.inspection.component_vmoffsets import vmcomponentcontext_layout

    nodes = _tree(list(records))
    root = nodes[0]
    layout = vmcomponentcontext_layout(component_shape(root.record.component), ptr_size)
    origins = _Origins(nodes)
    return ComponentInstanceState(
        file=file,
        imports=tuple(
            definition.name.name for definition in root.record.component.definitions if isinstance(definition, Import)
        ),
        not_called=not_called,
        ptr_size=ptr_size,
        vmctx_size=layout.size,
        instances=tuple(_node_state(node, origins, layout, ptr_size) for node in nodes),
    )


# --- the tree ---------------------------------------------------------------------------------------


class _Node:
    """A component instance as the recorder kept it, placed in the tree."""

    __slots__ = ("component", "index", "path", "record", "runtime_index", "spaces")

    def __init__(
        self, record: InstantiationRecord, path: str, index: int | None, component: str | None, runtime_index: int
    ) -> None:
        self.record = record
        self.path = path
        self.index = index
        self.component = component
        self.runtime_index = runtime_index
        self.spaces = index_spaces(record.component)

    def item(self, sort: Sort, index: int) -> Any:
        space = self.record.spaces.get(sort, ())
        return space[index] if 0 <= index < len(space) else None


def _tree(records: list[InstantiationRecord]) -> list[_Node]:
    """The component instances in order (see the module docstring): the root is the last record."""
    by_state = {id(record.state): record for record in records}
    paths = _component_paths(records[-1].component)
    nodes: list[_Node] = []

    def visit(record: InstantiationRecord, path: str, index: int | None, component: str | None) -> None:
        node = _Node(record, path, index, component, len(nodes))
        nodes.append(node)
        for position, entry in enumerate(node.spaces[Sort.INSTANCE]):
            definition = entry.definition
            if not isinstance(definition, Instantiate):
                continue
            child = by_state.get(id(getattr(node.item(Sort.INSTANCE, position), "state", None)))
            if child is None:
                continue
            closure = node.item(Sort.COMPONENT, definition.component)
            prefix = "" if record is records[-1] else f"{path} > "
            visit(child, f"{prefix}instance {position}", position, paths.get(id(getattr(closure, "component", None))))

    visit(records[-1], ROOT, None, None)
    return nodes


def _component_paths(component: Component, path: str = "") -> dict[int, str]:
    """Each nested component definition as the component summary names it: ``component 0 > component 1``."""
    paths: dict[int, str] = {}
    for position, entry in enumerate(index_spaces(component)[Sort.COMPONENT]):
        if isinstance(entry.definition, Component):
            nested = f"{path}{' > ' if path else ''}component {position}"
            paths[id(entry.definition)] = nested
            paths.update(_component_paths(entry.definition, nested))
    return paths


# --- naming items ---------------------------------------------------------------------------------------


class _Origins:
    """Where each item the instantiation made comes from, to name it wherever it turns up."""

    def __init__(self, nodes: list[_Node]) -> None:
        self.core: dict[int, tuple[_Node, str]] = {}
        self.functions: dict[int, tuple[str, str]] = {}  # a component function: (kind, name)
        self.resources: dict[int, str] = {}  # a resource type: who defines it
        self.given: dict[int, list[tuple[_Node, str]]] = {}  # a core item: the core instance imports given it
        self.canonical: dict[int, tuple[CanonicalFunctionState, ...]] = {}  # a node's canonical functions
        self._host(nodes[0])
        for node in nodes:
            self._made_in(node)
            for index, instance in _module_instances(node):
                for entry, item in _imported(instance):
                    self.given.setdefault(id(item), []).append(
                        (node, f"core instance {index} {_quoted(entry.module)} {_quoted(entry.name)}")
                    )
        for node in nodes:
            self._canonical_in(node)

    def _host(self, root: _Node) -> None:
        """The host's functions and resource types, by the names the root imports them as."""
        for position, entry in enumerate(root.spaces[Sort.INSTANCE]):
            if isinstance(entry.definition, Import):
                self._host_instance(entry.definition.name.name, root.item(Sort.INSTANCE, position))
        for position, entry in enumerate(root.spaces[Sort.FUNC]):
            if isinstance(entry.definition, Import):
                self.functions.setdefault(id(root.item(Sort.FUNC, position)), ("host", entry.definition.name.name))

    def _host_instance(self, name: str, instance: Any) -> None:
        for export, item in getattr(instance, "exports", {}).items():
            if isinstance(item, ResourceType):
                self.resources.setdefault(id(item), name)
            elif hasattr(item, "exports"):
                self._host_instance(f"{name}#{export}", item)
            elif callable(item):
                self.functions.setdefault(id(item), ("host", f"{name}#{export}"))

    def _made_in(self, node: _Node) -> None:
        """The core items of ``node``'s module instances, its lifted functions and resource types."""
        for index, instance in _module_instances(node):
            module = instance.module
            names = function_names(module)
            imported = {kind: sum(1 for entry in module.imports if entry.kind is kind) for kind in ExternKind}
            for kind, items in _items_by_kind(instance).items():
                for position, item in enumerate(items):
                    if position < imported[kind]:
                        continue
                    text = f"core instance {index} {_KIND_NAMES[kind]} {position}"
                    name = names.get(position) if kind is ExternKind.FUNC else None
                    self.core.setdefault(id(item), (node, f"{text} ({name})" if name else text))
        exported = _exported_functions(node)
        for position, entry in enumerate(node.spaces[Sort.FUNC]):
            if isinstance(entry.definition, Lift):
                function = node.item(Sort.FUNC, position)
                name = exported.get(id(function))
                text = f"{node.path} export {_quoted(name)}" if name else f"{node.path} func {position}"
                self.functions.setdefault(id(function), ("lifted", text))
        for resource, _definition in node.record.resources:
            self.resources.setdefault(id(resource), node.path)

    def _canonical_in(self, node: _Node) -> None:
        """``node``'s canonical core functions (see :func:`_canonical_functions`), each named by what it does."""
        canonical = self.canonical[id(node)] = tuple(_canonical_functions(node, self))
        for function in canonical:
            target = f" {function.target}" if function.target else ""
            item = node.item(Sort.CORE_FUNC, function.index)
            self.core.setdefault(id(item), (node, f"core func {function.index}: {function.canon}{target}"))

    # -- texts --

    def core_item(self, item: Any, seen_from: _Node) -> str:
        found = self.core.get(id(item))
        if found is None:
            return f"<{type(item).__name__}>"
        node, text = found
        return text if node is seen_from else f"{node.path}: {text}"

    def function(self, function: Any) -> tuple[str | None, str]:
        found = self.functions.get(id(function))
        return found if found is not None else (None, getattr(function, "name", "") or f"<{type(function).__name__}>")

    def resource(self, resource: object) -> str:
        """A resource type's name, with the instance defining it or the host interface it comes from."""
        if not isinstance(resource, ResourceType):
            return f"<{type(resource).__name__}>"
        owner = self.resources.get(id(resource))
        return f"{resource.name} ({owner})" if owner else resource.name or "?"

    def given_to(self, item: Any, seen_from: _Node) -> tuple[str, ...]:
        return tuple(
            text if node is seen_from else f"{node.path}: {text}" for node, text in self.given.get(id(item), ())
        )


def _module_instances(node: _Node) -> list[tuple[int, Instance]]:
    """The core instances of ``node`` that instantiate a module, with their indices."""
    return [
        (position, node.item(Sort.CORE_INSTANCE, position))
        for position, entry in enumerate(node.spaces[Sort.CORE_INSTANCE])
        if isinstance(entry.definition, CoreInstantiate)
    ]


def _items_by_kind(instance: Instance) -> dict[ExternKind, list[Any]]:
    return {
        ExternKind.FUNC: instance.functions,
        ExternKind.TABLE: instance.tables,
        ExternKind.MEMORY: instance.memories,
        ExternKind.GLOBAL: instance.globals,
        ExternKind.TAG: instance.tags,
    }


def _imported(instance: Instance) -> list[tuple[Any, Any]]:
    """Each import of ``instance``'s module with the item it was given."""
    items = _items_by_kind(instance)
    counts = dict.fromkeys(ExternKind, 0)
    found = []
    for entry in instance.module.imports:
        found.append((entry, items[entry.kind][counts[entry.kind]]))
        counts[entry.kind] += 1
    return found


def _exported_functions(node: _Node) -> dict[int, str]:
    """The functions ``node`` exports, by the name they are exported as (``name#function`` in an exported instance)."""
    found: dict[int, str] = {}
    for entry in node.spaces[Sort.FUNC] + node.spaces[Sort.INSTANCE]:
        definition = entry.definition
        if not isinstance(definition, Export):
            continue
        item = node.item(definition.item.sort, definition.item.index)
        name = definition.name.name
        if definition.item.sort is Sort.FUNC:
            found.setdefault(id(item), name)
        for export, function in getattr(item, "exports", {}).items():
            if callable(function):
                found.setdefault(id(function), f"{name}#{export}")
    return found


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- one component instance --------------------------------------------------------------------------


def _node_state(node: _Node, origins: _Origins, layout: VMContextLayout, ptr_size: int) -> ComponentInstanceNode:
    state = node.record.state
    region = layout.region("may_leave")
    vmctx = (
        (VMSlot("may_leave", node.runtime_index, layout.offset_of("may_leave", node.runtime_index)),)
        if node.runtime_index < region.count
        else ()
    )
    return ComponentInstanceNode(
        path=node.path,
        index=node.index,
        component=node.component,
        runtime_index=node.runtime_index,
        may_enter=state.may_enter,
        may_leave=state.may_leave,
        backpressure=state.backpressure,
        vmctx=vmctx,
        resource_types=tuple(
            ResourceTypeState(
                resource.name,
                definition.representation.text,
                None
                if definition.destructor is None
                else origins.core_item(node.item(Sort.CORE_FUNC, definition.destructor), node),
            )
            for resource, definition in node.record.resources
        ),
        handles=_handles(node, origins),
        core_instances=tuple(_core_instances(node, origins, ptr_size)),
        canonical_functions=origins.canonical[id(node)],
    )


def _handles(node: _Node, origins: _Origins) -> tuple[HandleState, ...]:
    from wasmrun.component_runtime.resources import ResourceHandle
    from wasmrun.component_runtime.tasks import WaitableSet

    handles = []
    for index, element in enumerate(node.record.state.handles.elements):
        if element is None:
            continue
        if isinstance(element, ResourceHandle):
            resource_type = element.resource_type
            representation = "host" if resource_type.host else str(element.rep)
            kind = "own" if element.own else "borrow"
            handles.append(HandleState(index, kind, origins.resource(resource_type), representation, element.num_lends))
        else:
            kind = "waitable-set" if isinstance(element, WaitableSet) else type(element).__name__
            handles.append(HandleState(index, kind, None, None, 0))
    return tuple(handles)


def _core_instances(node: _Node, origins: _Origins, ptr_size: int) -> Iterable[CoreInstanceState]:
    for position, entry in enumerate(node.spaces[Sort.CORE_INSTANCE]):
        definition = entry.definition
        instance = node.item(Sort.CORE_INSTANCE, position)
        if isinstance(definition, CoreInstantiate):
            module = instance.module
            items = tuple(
                CoreItem(imported.module, imported.name, imported.kind.text, origins.core_item(item, node))
                for imported, item in _imported(instance)
            )
            yield CoreInstanceState(
                position,
                "instantiate",
                definition.module,
                module.names.module,
                module.start,
                items,
                instance_contents(instance, ptr_size),
                _foreign_elements(instance, node, origins),
            )
        elif isinstance(definition, CoreInstanceFromExports):
            exports = tuple(
                CoreItem(
                    None,
                    export.name,
                    _CORE_SORTS[export.item.sort].text,
                    origins.core_item(instance.exports.get(export.name), node),
                )
                for export in definition.exports
            )
            yield CoreInstanceState(position, "exports", None, None, None, exports, None, ())


def _foreign_elements(instance: Instance, node: _Node, origins: _Origins) -> tuple[TableElement, ...]:
    """The slots of ``instance``'s own tables holding functions it did not define (a shim's, filled by another)."""
    module = instance.module
    imported_tables = sum(1 for entry in module.imports if entry.kind is ExternKind.TABLE)
    imported_functions = sum(1 for entry in module.imports if entry.kind is ExternKind.FUNC)
    own = {id(function) for function in instance.functions[imported_functions:]}
    return tuple(
        TableElement(index, slot, origins.core_item(element, node))
        for index, table in enumerate(instance.tables[imported_tables:], imported_tables)
        for slot, element in enumerate(table.elements)
        if isinstance(element, FunctionInstance) and id(element) not in own
    )


def _canonical_functions(node: _Node, origins: _Origins) -> Iterable[CanonicalFunctionState]:
    for position, entry in enumerate(node.spaces[Sort.CORE_FUNC]):
        definition = entry.definition
        if not isinstance(definition, _CANONICAL):
            continue
        function = node.item(Sort.CORE_FUNC, position)
        kind: str | None = None
        options: CanonicalOptions | None = None
        if isinstance(definition, Lower):
            kind, target = origins.function(node.item(Sort.FUNC, definition.func))
            options = definition.options
        elif isinstance(definition, (ResourceNew, ResourceRep, ResourceDrop)):
            kind, target = "resource", origins.resource(node.record.type_at(definition.resource))
        else:
            from wasmrun.inspection.component_summary import immediates_text

            target = immediates_text(definition)
            options = definition.options
        yield CanonicalFunctionState(
            position,
            definition.name,
            kind,
            target,
            _options(options, node, origins),
            origins.given_to(function, node),
        )


def _options(options: CanonicalOptions | None, node: _Node, origins: _Origins) -> tuple[str, ...]:
    if options is None:
        return ()
    texts = []
    if options.memory is not None:
        texts.append(f"memory {origins.core_item(node.item(Sort.CORE_MEMORY, options.memory), node)}")
    if options.realloc is not None:
        texts.append(f"realloc {origins.core_item(node.item(Sort.CORE_FUNC, options.realloc), node)}")
    encoding = options.string_encoding.value
    if encoding != "utf8":
        texts.append(f"string-encoding={encoding}")
    if options.is_async:
        texts.append("async")
    return tuple(texts)
