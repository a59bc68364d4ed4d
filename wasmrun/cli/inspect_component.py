"""``wasmrun inspect COMPONENT``: the views of a component (imported only when the file is one).

* the component summary (default, ``{"component": ...}``): nested core modules and components
  (recursively, indented), instances, aliases, canonical functions and their options, types,
  imports and exports as WIT-like lines, custom sections
  (:mod:`wasmrun.inspection.component_summary`);
* ``--vmctx`` (``{"component_vmctx": ...}``): Wasmtime's ``VMComponentContext`` layout and the
  counts behind it (:mod:`wasmrun.inspection.component_vmoffsets`,
  :mod:`wasmrun.inspection.component_counts`);
* ``--instance`` (``{"component_instance": ...}``): the live state of the component just
  instantiated as ``wasmrun COMPONENT`` instantiates it, nothing called
  (:mod:`wasmrun.inspection.component_instance`); failing to instantiate fails as ``run`` does;
* ``--code MODULE:FUNC`` (``{"code": ...}``): a function of one of its core modules, as ``--code``
  shows a module's (MODULE: the core module's index in the component, ``C/M`` for module ``M`` of
  nested component ``C``, as the summary numbers them).
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any

from wasmrun.cli.errors import CliError, InputError
from wasmrun.cli.inspect_text import left, optional, right
from wasmrun.cli.tables import Block, Fields, Lines, Table

if TYPE_CHECKING:
    from wasmrun.cli.inspect import InspectRequest
    from wasmrun.component.records import Component
    from wasmrun.inspection.component_instance import ComponentInstanceNode, ComponentInstanceState
    from wasmrun.inspection.component_summary import ComponentSummary, InstanceSummary

VMCOMPONENT_VERSION = "Wasmtime 49"
INDENT = "  "


View = tuple[dict[str, Any], tuple[Block, ...]]
"""A view ready to print: its JSON object and its blocks for people."""


def component_view(data: bytes, name: str, request: InspectRequest) -> View:
    """The view ``request`` asks for, of the component ``data`` (read from ``name``)."""
    if request.view == "instance":
        return _instance_view(_validated(data, name), name)
    if request.view == "code":
        return _code_view(_validated(data, name), name, request.function or "")
    component = _decode(data, name)
    if request.view == "vmctx":
        return _vmctx_view(component, name, request.ptr_size)
    from wasmrun.inspection.component_summary import summarize_file

    summary = summarize_file(component, file=name, size=len(data))
    form = "binary" if data.startswith(b"\0asm") else "text"
    header = Fields(
        None,
        (
            ("file", summary.file),
            ("format", f"{form} component, {summary.size} bytes"),
        ),
    )
    return {"component": dataclasses.asdict(summary)}, (header, *component_blocks(summary.component))


def _decode(data: bytes, name: str) -> Component:
    """The component in ``data`` (binary, or text encoded first), its core modules decoded too."""
    from wasmrun.component.decoder import decode_component
    from wasmrun.errors import WasmError

    try:
        from wasmrun.cli.source import component_binary

        return decode_component(component_binary(data), decode_modules=True)
    except WasmError as error:
        raise InputError(error, name) from error


def _validated(data: bytes, name: str) -> Component:
    """The component in ``data``, decoded and validated as ``wasmrun COMPONENT`` takes it."""
    from wasmrun.cli.source import load_component
    from wasmrun.errors import WasmError

    try:
        return load_component(data)
    except WasmError as error:
        raise InputError(error, name) from error


def component_blocks(summary: ComponentSummary, path: str = "") -> tuple[Block, ...]:
    """The blocks of one component; a nested one's titles are prefixed with its path (``component 0: ``)."""
    prefix = f"{path}: " if path else ""
    where = Fields(
        path or None,
        (
            ("contents", f"{summary.offset:#010x}-{summary.offset + summary.size:#010x} ({summary.size} bytes)"),
            (
                "defines",
                ", ".join(
                    _counted(count, noun)
                    for count, noun in (
                        (len(summary.core_modules), "core module"),
                        (len(summary.components), "component"),
                        (len(summary.core_instances), "core instance"),
                        (len(summary.instances), "instance"),
                        (summary.core_types, "core type"),
                        (len(summary.types), "type"),
                        (len(summary.canonical_functions), "canonical function"),
                        (summary.starts, "start function"),
                    )
                ),
            ),
        ),
    )
    world = Lines(
        f"{prefix}imports and exports (WIT-like)",
        tuple(
            line
            for item in (*summary.imports, *summary.exports)
            for line in (item.wit, *(INDENT + entry for entry in item.items))
        ),
    )
    modules = Table(
        f"{prefix}core modules",
        (
            right("index"),
            left("contents"),
            right("size"),
            left("name"),
            right("imports"),
            right("exports"),
            right("functions"),
            right("memories"),
        ),
        tuple(
            (
                str(module.index),
                f"{module.offset:#010x}-{module.offset + module.size:#010x}",
                str(module.size),
                optional(module.name),
                optional(module.imports),
                optional(module.exports),
                optional(module.functions),
                optional(module.memories),
            )
            for module in summary.core_modules
        ),
    )
    core_instances = _instances_table(f"{prefix}core instances", summary.core_instances, "module")
    instances = _instances_table(f"{prefix}instances", summary.instances, "component")
    aliases = Table(
        f"{prefix}aliases",
        (left("sort"), right("index"), left("alias of")),
        tuple((alias.sort, str(alias.index), alias.target) for alias in summary.aliases),
    )
    canonicals = Table(
        f"{prefix}canonical functions",
        (left("sort"), right("index"), left("canon"), left("of"), left("options")),
        tuple(
            (canon.sort, str(canon.index), canon.kind, canon.target, _options_text(canon))
            for canon in summary.canonical_functions
        ),
    )
    types = Table(
        f"{prefix}types",
        (right("index"), left("kind"), left("name"), left("type")),
        tuple((str(t.index), t.kind, optional(t.name), t.text) for t in summary.types),
    )
    customs = Table(
        f"{prefix}custom sections",
        (left("name"), right("offset"), right("size")),
        tuple((custom.name, f"{custom.offset:#x}", str(custom.size)) for custom in summary.customs),
    )
    blocks: list[Block] = [where, world, modules, core_instances, instances, aliases, canonicals, types, customs]
    if path:  # a nested component: its empty tables say nothing the counts do not
        blocks = [block for block in blocks if not isinstance(block, Table) or block.rows]
    for nested in summary.components:
        blocks.extend(component_blocks(nested, f"{path}{' > ' if path else ''}component {nested.index}"))
    return tuple(blocks)


def _instances_table(title: str, instances: tuple[InstanceSummary, ...], of: str) -> Table:
    """Core instances (``of`` ``module``) or instances (``of`` ``component``): what each instantiates, with what."""
    return Table(
        title,
        (right("index"), left("kind"), left("of"), left("with / exports")),
        tuple((str(i.index), i.kind, "-" if i.of is None else f"{of} {i.of}", ", ".join(i.items)) for i in instances),
    )


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _options_text(canon: Any) -> str:
    parts = []
    if canon.type is not None:
        parts.append(f"type {canon.type}")
    if canon.string_encoding is not None and canon.string_encoding != "utf8":
        parts.append(f"string-encoding={canon.string_encoding}")
    for name in ("memory", "realloc", "post_return", "callback"):
        value = getattr(canon, name)
        if value is not None:
            parts.append(f"{name.replace('_', '-')} {value}")
    if canon.is_async:
        parts.append("async")
    return ", ".join(parts) or "-"


def _vmctx_view(component: Component, name: str, ptr_size: int) -> View:
    from wasmrun.inspection.component_counts import component_shape
    from wasmrun.inspection.component_vmoffsets import vmcomponentcontext_layout

    shape = component_shape(component)
    layout = vmcomponentcontext_layout(shape, ptr_size)
    regions = [dataclasses.asdict(region) for region in layout.regions]  # (name, offset, size, count, element_size)
    counts = dataclasses.asdict(shape)
    data = {"component_vmctx": {"ptr_size": layout.ptr_size, "size": layout.size, "counts": counts, "regions": regions}}
    header = Fields(
        None,
        (
            ("file", name),
            ("layout", f"{VMCOMPONENT_VERSION} VMComponentContext, {layout.ptr_size * 8}-bit host"),
            ("size", f"{layout.size} bytes ({layout.size:#x})"),
            *((key.removeprefix("num_").replace("_", " "), str(value)) for key, value in counts.items()),
        ),
    )
    table = Table(
        "regions",
        (right("offset"), left("region"), right("count"), right("element size"), right("size")),
        tuple(
            (f"{region.offset:#06x}", region.name, str(region.count), str(region.element_size), str(region.size))
            for region in layout.regions
        ),
    )
    return data, (header, table)


# --- the live instance --------------------------------------------------------------------------


def _instance_view(component: Component, name: str) -> View:
    from wasmrun import launch
    from wasmrun.cli.config import DEFAULT_MAX_MEMORY, backtrace_details_from_environment
    from wasmrun.cli.errors import TrapReport
    from wasmrun.component_launch import ComponentTrap
    from wasmrun.errors import Trap, WasmError
    from wasmrun.inspection.component_instance import inspect_component_instance

    # Instantiated as `run` instantiates (its default memory cap), failing as `run` fails.
    try:
        state = inspect_component_instance(component, file=name, max_memory=DEFAULT_MAX_MEMORY)
    except ComponentTrap as failure:
        from wasmrun.wasi.guest import WasiTrap

        if isinstance(failure.error, WasiTrap):
            raise failure.error from None  # (a failed WASI call: a host error, reported as such)
        details = backtrace_details_from_environment(os.environ)
        raise TrapReport(failure.report(name, details=details), failure.exit_code) from failure
    except launch.Unsupported as error:
        raise CliError(error.message) from error
    except WasmError as error:
        if isinstance(error, Trap):
            raise
        raise InputError(error, name) from error
    return {"component_instance": dataclasses.asdict(state)}, instance_blocks(state)


def instance_blocks(state: ComponentInstanceState) -> tuple[Block, ...]:
    """The header, the tree of component instances, then each instance's blocks."""
    from wasmrun.cli.inspect_text import WASMTIME_VERSION

    header = Fields(
        None,
        (
            ("file", state.file),
            (
                "linked",
                f"WASI 0.2 ({_counted(len(state.imports), 'import')})" if state.imports else "nothing (no imports)",
            ),
            ("not called", ", ".join(state.not_called) or "-"),
            (
                "VMComponentContext",
                f"{VMCOMPONENT_VERSION}, {state.ptr_size * 8}-bit host, {state.vmctx_size} bytes ({state.vmctx_size:#x})",
            ),
            ("core VMContexts", f"{WASMTIME_VERSION}, one per core instance of a module"),
        ),
    )
    tree = Table(
        "component instances",
        (
            left("path"),
            left("component"),
            right("runtime index"),
            left("may_enter"),
            left("may_leave"),
            right("backpressure"),
            right("handles"),
            right("core instances"),
            left("vmctx"),
        ),
        tuple(
            (
                node.path,
                node.component or "-",
                str(node.runtime_index),
                _yes(node.may_enter),
                _yes(node.may_leave),
                str(node.backpressure),
                str(len(node.handles)),
                str(len(node.core_instances)),
                _slots(node.vmctx),
            )
            for node in state.instances
        ),
    )
    blocks: list[Block] = [header, *([Lines("imports", state.imports)] if state.imports else []), tree]
    for node in state.instances:
        blocks.extend(_node_blocks(node))
    return tuple(blocks)


def _node_blocks(node: ComponentInstanceNode) -> list[Block]:
    """One component instance's blocks, titled with its path; a nested one's empty tables are left out."""
    from wasmrun.cli.inspect_text import (
        GLOBAL_COLUMNS,
        MEMORY_COLUMNS,
        TABLE_COLUMNS,
        global_row,
        memory_row,
        name_text,
        table_row,
    )

    prefix = f"{node.path}: "
    resource_types = Table(
        f"{prefix}resource types",
        (left("name"), left("representation"), left("destructor")),
        tuple(
            (
                name_text(resource.name),
                resource.representation,
                optional(resource.destructor),
            )
            for resource in node.resource_types
        ),
    )
    handles = Table(
        f"{prefix}handles",
        (right("handle"), left("kind"), left("resource"), left("representation"), right("lends")),
        tuple(
            (
                str(handle.index),
                handle.kind,
                optional(handle.resource),
                optional(handle.representation),
                str(handle.lends),
            )
            for handle in node.handles
        ),
    )
    core_instances = Table(
        f"{prefix}core instances",
        (
            right("index"),
            left("kind"),
            left("of"),
            left("start function"),
            left("VMContext"),
            right("memories"),
            right("tables"),
            right("globals"),
            right("imports"),
        ),
        tuple(
            (
                str(instance.index),
                instance.kind,
                _module_text(instance.module, instance.module_name),
                "-" if instance.start is None else f"{instance.start}, ran",
                "-" if instance.contents is None else f"{instance.contents.vmctx_size} bytes",
                *(
                    ("-", "-", "-")
                    if instance.contents is None
                    else (
                        str(len(instance.contents.memories)),
                        str(len(instance.contents.tables)),
                        str(len(instance.contents.globals)),
                    )
                ),
                "-" if instance.kind == "exports" else str(len(instance.items)),
            )
            for instance in node.core_instances
        ),
    )
    contents = [
        (instance.index, instance.contents) for instance in node.core_instances if instance.contents is not None
    ]
    core = right("core instance")
    memories = Table(
        f"{prefix}core memories",
        (core, *MEMORY_COLUMNS),
        tuple((str(index), *memory_row(memory)) for index, held in contents for memory in held.memories),
    )
    tables = Table(
        f"{prefix}core tables",
        (core, *TABLE_COLUMNS),
        tuple((str(index), *table_row(table)) for index, held in contents for table in held.tables),
    )
    globals_ = Table(
        f"{prefix}core globals",
        (core, *GLOBAL_COLUMNS),
        tuple(
            (str(index), *global_row(global_, {ref.function: ref.name for ref in held.function_references}))
            for index, held in contents
            for global_ in held.globals
        ),
    )
    elements = Table(
        f"{prefix}core table elements of other instances",
        (core, right("table"), right("slot"), left("function")),
        tuple(
            (str(instance.index), str(element.table), str(element.slot), element.origin)
            for instance in node.core_instances
            for element in instance.table_elements
        ),
    )
    imports = Table(
        f"{prefix}core imports",
        (core, left("module"), left("name"), left("kind"), left("given")),
        tuple(
            (str(instance.index), name_text(item.module or ""), name_text(item.name), item.kind, item.origin)
            for instance in node.core_instances
            if instance.kind == "instantiate"
            for item in instance.items
        ),
    )
    canonicals = Table(
        f"{prefix}canonical functions",
        (right("core func"), left("canon"), left("calls / acts on"), left("options"), left("given to")),
        tuple(
            (
                str(function.index),
                function.canon,
                _target_text(function.target_kind, function.target),
                ", ".join(function.options) or "-",
                ", ".join(function.given_to) or "-",
            )
            for function in node.canonical_functions
        ),
    )
    blocks: list[Block] = [
        resource_types,
        handles,
        core_instances,
        memories,
        tables,
        elements,
        globals_,
        imports,
        canonicals,
    ]
    if node.index is not None:
        blocks = [block for block in blocks if not isinstance(block, Table) or block.rows]
    return blocks


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _slots(slots: Any) -> str:
    return ", ".join(f"{slot.region}[{slot.index}] ({slot.offset:#x})" for slot in slots) or "-"


def _module_text(index: int | None, name: str | None) -> str:
    if index is None:
        return "-"
    return f"module {index} ({name})" if name else f"module {index}"


def _target_text(kind: str | None, target: str) -> str:
    if kind in ("host", "lifted"):
        return f"{kind}: {target}"
    return target or "-"


# --- a core module's function -------------------------------------------------------------------


def _code_view(component: Component, name: str, spec: str) -> View:
    """``--code MODULE:FUNC``: ``--code FUNC`` of one of the component's core modules."""
    from wasmrun.cli.inspect_code import function_code_view

    path, separator, function = spec.partition(":")
    indices = path.split("/")
    if not separator or not function or not all(index.isdigit() for index in indices):
        raise CliError(
            f"--code {spec}: give MODULE:FUNC for a component, MODULE a core module's index "
            "(C/M for module M of nested component C)",
            name,
        )
    module, offset = _core_module(component, [int(index) for index in indices], spec, name)
    data, blocks = function_code_view(module, function, name, spec)
    where = Fields(None, (("core module", f"{path} at {offset:#x} in the component (offsets below are the module's)"),))
    return data, (where, *blocks)


def _core_module(component: Component, indices: list[int], spec: str, name: str) -> tuple[Any, int]:
    """The validated core module ``indices`` names (components, then the module), with its offset."""
    from wasmrun.component.index_spaces import index_spaces
    from wasmrun.component.records import Component as ComponentDefinition
    from wasmrun.component.records import CoreModule
    from wasmrun.component.sorts import Sort
    from wasmrun.features import ALL_FEATURES
    from wasmrun.validation import validate_module

    *components, module_index = indices
    where = "the component"
    for index in components:
        spaces = index_spaces(component)[Sort.COMPONENT]
        nested = spaces[index].definition if index < len(spaces) else None
        if not isinstance(nested, ComponentDefinition):
            raise CliError(f"--code {spec}: {where} defines no component {index}", name)
        component, where = nested, f"component {index}"
    modules = index_spaces(component)[Sort.CORE_MODULE]
    definition = modules[module_index].definition if module_index < len(modules) else None
    if not isinstance(definition, CoreModule):
        raise CliError(f"--code {spec}: {where} defines no core module {module_index}", name)
    module = definition.validated_with(ALL_FEATURES)
    if module is None:
        module = definition.decode()
        validate_module(module, ALL_FEATURES)
    return module, definition.offset
