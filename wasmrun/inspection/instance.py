"""``inspect --instance``: the live state of a module just instantiated, beside Wasmtime's ``VMContext``.

:func:`inspect_instance` instantiates a validated module as ``run`` would
(:func:`wasmrun.launch.prepared_host` and :func:`wasmrun.launch.instantiate`:
WASI linked when the module imports it, with no arguments, no environment,
no preopened directories, an empty stdin and discarding outputs), so the
start function runs, as it is part of instantiation, but ``_initialize`` and
``_start`` do not.  :func:`instance_state` reads an instance into an
:class:`InstanceState`, plain data named as the JSON output names it
(``dataclasses.asdict`` of it is the ``instance`` object of
``inspect.schema.json``):

* memories: current and maximum pages, the accessible bytes, the mapping's
  reservation, guard and base address (the only values that change from run
  to run);
* tables: size, maximum, how many slots are null and how many hold function
  or external references, and which functions, as runs of slots;
* globals: current values (as ``--invoke`` prints values) and mutability;
* function references: the functions that escape (Wasmtime gives each a
  ``func_refs`` slot), in slot order, and why they escape;
* segments: which data and element segments are still available to
  ``memory.init``/``table.init`` and which are dropped;
* GC types: each struct and array type of the module (the first of equal ones) with how many objects
  of it are alive and their bytes as Wasmtime sizes them (what counts against the memory limit).

Each memory, table, global and function reference also names the
``VMContext`` slots Wasmtime would give it (:mod:`wasmrun.inspection.vmoffsets`):
a defined memory is ``owned_memories[i]`` (and the pointer ``memories[i]``),
an imported global ``imported_globals[i]``, and so on.

:func:`instance_contents` reads those parts alone (a :class:`CoreInstanceContents`),
for any core instance: the component view (:mod:`wasmrun.inspection.component_instance`)
reads each core instance of a component with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wasmrun.inspection.summary import ImportName, function_names, import_name, imports_by_kind
from wasmrun.module import Import, Module, SegmentMode
from wasmrun.types import HEAP_FUNC, ExternKind, ValType, ValueType

if TYPE_CHECKING:
    from wasmrun.inspection.vmoffsets import VMContextLayout
    from wasmrun.runtime.globals import GlobalInstance
    from wasmrun.runtime.instance import Instance
    from wasmrun.runtime.memory import MemoryInstance
    from wasmrun.runtime.table import TableInstance

POINTER_SIZE = 8  # the host's: wasmrun runs on 64-bit Linux


@dataclass(frozen=True, slots=True)
class VMSlot:
    """An element of a ``VMContext`` region: ``region[index]`` at byte ``offset``."""

    region: str
    index: int
    offset: int


@dataclass(frozen=True, slots=True)
class MemoryState:
    index: int
    imported_from: ImportName | None
    exports: tuple[str, ...]
    pages: int  # current size in pages of 64 KiB
    min_pages: int  # declared minimum
    declared_max: int | None  # declared maximum
    max_pages: int  # the most pages ``memory.grow`` can reach: the declared maximum, within the memory cap
    accessible: int  # bytes readable and writable now (pages * 64 KiB)
    reservation: int  # bytes of address space reserved, never moved (max_pages * 64 KiB)
    guard: int  # bytes of inaccessible guard after the reservation
    address: int  # the reservation's base address (differs from run to run)
    vmctx: tuple[VMSlot, ...]


@dataclass(frozen=True, slots=True)
class ElementRun:
    """Slots ``slot``..``slot + count - 1`` hold functions ``function``..``function + count - 1``.

    ``function`` is None for references to functions of another instance.
    """

    slot: int
    count: int
    function: int | None


@dataclass(frozen=True, slots=True)
class TableState:
    index: int
    imported_from: ImportName | None
    exports: tuple[str, ...]
    element: str  # "funcref" or "externref"
    size: int
    max: int | None  # declared maximum
    nulls: int
    functions: int  # slots holding a function reference
    externs: int  # slots holding a non-null external reference
    elements: tuple[ElementRun, ...]
    vmctx: tuple[VMSlot, ...]


@dataclass(frozen=True, slots=True)
class GlobalState:
    index: int
    imported_from: ImportName | None
    exports: tuple[str, ...]
    type: str
    mutable: bool
    value: str  # as ``--invoke`` prints a value of the type
    function: int | None  # the function a non-null funcref value refers to (None: none, or another instance's)
    vmctx: tuple[VMSlot, ...]


@dataclass(frozen=True, slots=True)
class FunctionReference:
    """An escaping function: ``func_ref`` is its ``func_refs`` slot."""

    func_ref: int
    function: int
    name: str | None
    imported_from: ImportName | None
    escapes: tuple[str, ...]  # "import", "global", "export", "element"
    vmctx: tuple[VMSlot, ...]


@dataclass(frozen=True, slots=True)
class SegmentState:
    """A data or element segment after instantiation: ``available`` bytes or elements left for ``*.init``."""

    kind: str  # "data" or "element"
    index: int
    mode: str  # "active", "passive", "declarative"
    size: int  # bytes or elements declared
    available: int
    dropped: bool  # active and declarative segments are dropped by instantiation


@dataclass(frozen=True, slots=True)
class CoreInstanceContents:
    """What any core instance holds now, with the size of its ``VMContext`` (the parts of :class:`InstanceState`
    that do not depend on how the instance was made)."""

    vmctx_size: int
    memories: tuple[MemoryState, ...]
    tables: tuple[TableState, ...]
    globals: tuple[GlobalState, ...]
    function_references: tuple[FunctionReference, ...]
    segments: tuple[SegmentState, ...]


@dataclass(frozen=True, slots=True)
class GcTypeState:
    """A struct or array type in use: ``objects`` of it alive, ``bytes`` by Wasmtime's sizes."""

    index: int  # the module's type index
    kind: str  # "struct" or "array"
    text: str
    objects: int
    bytes: int


@dataclass(frozen=True, slots=True)
class InstanceState:
    file: str
    wasi: tuple[str, ...]  # the WASI module names linked (empty: none)
    start: int | None  # the start function, which ran
    start_name: str | None
    not_called: tuple[str, ...]  # the exports ``run`` would call next (``_initialize``, the default export)
    ptr_size: int
    vmctx_size: int
    memories: tuple[MemoryState, ...]
    tables: tuple[TableState, ...]
    globals: tuple[GlobalState, ...]
    function_references: tuple[FunctionReference, ...]
    segments: tuple[SegmentState, ...]
    gc_types: tuple[GcTypeState, ...]


def inspect_instance(module: Module, *, file: str, max_memory: int | None = None) -> InstanceState:
    """Instantiate ``module`` as ``run`` would (start function included, nothing called) and read its state.

    Failures are ``run``'s: :class:`~wasmrun.errors.LinkError` for an import
    nobody provides, :class:`~wasmrun.launch.ExecutionError` for a trap in the
    start function, :class:`~wasmrun.errors.ProcExit` if it exits.
    """
    from wasmrun.launch import RunConfig, instantiate, prepared_host

    config = RunConfig(stdin=None, stdout=None, stderr=None, max_memory=max_memory)
    with prepared_host(module, config) as host:
        instance = instantiate(host, module)
        # Read while the store is open: closing it unmaps the memories.
        return instance_state(instance, file=file)


def instance_state(instance: Instance, *, file: str, ptr_size: int = POINTER_SIZE) -> InstanceState:
    """The state of ``instance`` now, with the ``VMContext`` slots of a ``ptr_size``-byte host."""
    module = instance.module
    contents = instance_contents(instance, ptr_size)
    return InstanceState(
        file=file,
        wasi=_wasi_modules(module),
        start=module.start,
        start_name=None if module.start is None else function_names(module).get(module.start),
        not_called=_entry_points(module),
        ptr_size=ptr_size,
        vmctx_size=contents.vmctx_size,
        memories=contents.memories,
        tables=contents.tables,
        globals=contents.globals,
        function_references=contents.function_references,
        segments=contents.segments,
        gc_types=_gc_types(instance),
    )


def _gc_types(instance: Instance) -> tuple[GcTypeState, ...]:
    """The struct and array types of ``instance``'s module and their live objects (process-wide: the
    objects of every store with the same canonical type count)."""
    import gc as python_gc

    from wasmrun.runtime import gc

    types = instance.types
    first = {id(defined): index for index, defined in reversed(list(enumerate(types)))}
    in_use = [index for index, defined in enumerate(types) if first[id(defined)] == index and defined.kind != HEAP_FUNC]
    if not in_use:
        return ()
    python_gc.collect()
    counts = {id(types[index]): [0, 0] for index in in_use}
    for item in python_gc.get_objects():
        if item.__class__ is gc.Struct or item.__class__ is gc.Array:
            count = counts.get(id(item.type))
            if count is not None:
                count[0] += 1
                count[1] += gc.object_size(item)
    return tuple(
        GcTypeState(
            index,
            "struct" if gc.is_struct_type(types[index].composite) else "array",
            instance.module.types[index].text,  # (the module's text: references by type index)
            *counts[id(types[index])],
        )
        for index in in_use
    )


def instance_contents(instance: Instance, ptr_size: int = POINTER_SIZE) -> CoreInstanceContents:
    """What ``instance`` holds now, with the ``VMContext`` slots of a ``ptr_size``-byte host."""
    from wasmrun.inspection.vmoffsets import VMShape, function_escapes, vmcontext_layout

    module = instance.module
    layout = vmcontext_layout(VMShape.from_module(module), ptr_size)
    imports = imports_by_kind(module)
    exports = _exports_by_kind(module)
    function_index = {id(function): index for index, function in enumerate(instance.functions)}
    names = function_names(module)
    escapes = function_escapes(module)
    return CoreInstanceContents(
        vmctx_size=layout.size,
        memories=tuple(
            _memory_state(memory, index, imports[ExternKind.MEMORY], exports[ExternKind.MEMORY], layout)
            for index, memory in enumerate(instance.memories)
        ),
        tables=tuple(
            _table_state(table, index, imports[ExternKind.TABLE], exports[ExternKind.TABLE], layout, function_index)
            for index, table in enumerate(instance.tables)
        ),
        globals=tuple(
            _global_state(
                global_, index, imports[ExternKind.GLOBAL], exports[ExternKind.GLOBAL], layout, function_index
            )
            for index, global_ in enumerate(instance.globals)
        ),
        function_references=tuple(
            FunctionReference(
                func_ref,
                index,
                names.get(index),
                import_name(imports[ExternKind.FUNC], index),
                reasons,
                _function_slots(index, func_ref, len(imports[ExternKind.FUNC]), layout),
            )
            for func_ref, (index, reasons) in enumerate(escapes.items())
        ),
        segments=_segments(instance),
    )


# --- the parts ------------------------------------------------------------------------------------


def _memory_state(
    memory: MemoryInstance, index: int, imported: list[Import], exported: dict[int, list[str]], layout: VMContextLayout
) -> MemoryState:
    limits = memory.type.limits
    slots: tuple[VMSlot, ...]
    if index < len(imported):
        slots = (_slot(layout, "imported_memories", index),)
    else:
        defined = index - len(imported)
        # Every 2.0 memory is owned; ``memories[i]`` points at its definition in ``owned_memories``.
        slots = (_slot(layout, "owned_memories", defined), _slot(layout, "memories", defined))
    return MemoryState(
        index=index,
        imported_from=import_name(imported, index),
        exports=tuple(exported.get(index, ())),
        pages=memory.pages,
        min_pages=limits.min,
        declared_max=limits.max,
        max_pages=memory.max_pages,
        accessible=memory.size,
        reservation=memory.reservation,
        guard=memory.guard,
        address=memory.address,
        vmctx=slots,
    )


def _table_state(
    table: TableInstance,
    index: int,
    imported: list[Import],
    exported: dict[int, list[str]],
    layout: VMContextLayout,
    function_index: dict[int, int],
) -> TableState:
    elements: list[Any] = table.elements
    funcref = table.type.element is ValType.FUNCREF
    nulls = sum(1 for element in elements if element is None)
    references = len(elements) - nulls
    if index < len(imported):
        slot = _slot(layout, "imported_tables", index)
    else:
        slot = _slot(layout, "tables", index - len(imported))
    return TableState(
        index=index,
        imported_from=import_name(imported, index),
        exports=tuple(exported.get(index, ())),
        element=table.type.element.text,
        size=len(elements),
        max=table.type.limits.max,
        nulls=nulls,
        functions=references if funcref else 0,
        externs=0 if funcref else references,
        elements=_element_runs(elements, function_index) if funcref else (),
        vmctx=(slot,),
    )


def _element_runs(elements: Sequence[Any], function_index: dict[int, int]) -> tuple[ElementRun, ...]:
    """The non-null slots as runs of consecutive slots holding consecutive functions."""
    runs: list[ElementRun] = []
    for slot, element in enumerate(elements):
        if element is None:
            continue
        function = function_index.get(id(element))
        if runs:
            last = runs[-1]
            follows = last.slot + last.count == slot
            if follows and (
                (function is None and last.function is None)
                or (function is not None and last.function is not None and last.function + last.count == function)
            ):
                runs[-1] = ElementRun(last.slot, last.count + 1, last.function)
                continue
        runs.append(ElementRun(slot, 1, function))
    return tuple(runs)


def _global_state(
    global_: GlobalInstance,
    index: int,
    imported: list[Import],
    exported: dict[int, list[str]],
    layout: VMContextLayout,
    function_index: dict[int, int],
) -> GlobalState:
    from wasmrun.values import format_value

    valtype: ValueType = global_.type.valtype
    value = global_.value
    if index < len(imported):
        slot = _slot(layout, "imported_globals", index)
    else:
        slot = _slot(layout, "globals", index - len(imported))
    function = function_index.get(id(value)) if valtype is ValType.FUNCREF and value is not None else None
    return GlobalState(
        index=index,
        imported_from=import_name(imported, index),
        exports=tuple(exported.get(index, ())),
        type=valtype.text,
        mutable=global_.type.mutable,
        value=format_value(value, valtype),
        function=function,
        vmctx=(slot,),
    )


def _function_slots(index: int, func_ref: int, imported: int, layout: VMContextLayout) -> tuple[VMSlot, ...]:
    slot = _slot(layout, "func_refs", func_ref)
    return (_slot(layout, "imported_functions", index), slot) if index < imported else (slot,)


def _segments(instance: Instance) -> tuple[SegmentState, ...]:
    module = instance.module
    segments = []
    for index, data in enumerate(module.datas):
        available = len(instance.datas[index])
        segments.append(
            SegmentState(
                "data", index, data.mode.value, len(data.data), available, _dropped(data.mode, available, data.data)
            )
        )
    for index, element in enumerate(module.elements):
        available = len(instance.elements[index])
        segments.append(
            SegmentState(
                "element",
                index,
                element.mode.value,
                len(element.init),
                available,
                _dropped(element.mode, available, element.init),
            )
        )
    return tuple(segments)


def _dropped(mode: SegmentMode, available: int, declared: Sequence[Any]) -> bool:
    # A passive segment is dropped by ``data.drop``/``elem.drop`` (an empty one cannot be told apart: not dropped).
    return mode is not SegmentMode.PASSIVE or available != len(declared)


# --- names and slots ------------------------------------------------------------------------------


def _slot(layout: VMContextLayout, region: str, index: int) -> VMSlot:
    return VMSlot(region, index, layout.offset_of(region, index))


def _exports_by_kind(module: Module) -> dict[ExternKind, dict[int, list[str]]]:
    by_kind: dict[ExternKind, dict[int, list[str]]] = {kind: {} for kind in ExternKind}
    for export in module.exports:
        by_kind[export.kind].setdefault(export.index, []).append(export.name)
    return by_kind


def _entry_points(module: Module) -> tuple[str, ...]:
    from wasmrun.launch import DEFAULT_EXPORTS, REACTOR_INITIALIZE

    functions = {export.name for export in module.exports if export.kind is ExternKind.FUNC}
    default = next((name for name in DEFAULT_EXPORTS if name in functions), None)
    return tuple(name for name in (REACTOR_INITIALIZE, default) if name is not None and name in functions)


def _wasi_modules(module: Module) -> tuple[str, ...]:
    from wasmrun.wasi.linking import WASI_FUNCTIONS

    return tuple(sorted({entry.module for entry in module.imports if entry.module in WASI_FUNCTIONS}))
