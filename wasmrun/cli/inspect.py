"""``wasmrun inspect FILE``: what a module declares, in one of several views.

Views (one per run):

* the module summary (default): sections with byte ranges, types, imports,
  exports, functions, tables, memories, globals, segments, custom sections and
  the proposals used (:mod:`wasmrun.inspection.summary`);
* ``--vmctx``: Wasmtime's ``VMContext`` layout for the module, for a 64-bit
  host or, with ``--ptr-size 4``, a 32-bit one (:mod:`wasmrun.inspection.vmoffsets`);
* ``--code FUNC``: a function's instructions (:mod:`wasmrun.inspection.code`)
  and what the engine makes of them: the interpreter's superinstructions, the
  runs it fuses when the function is hot, the compiled tier's Python source
  (:mod:`wasmrun.inspection.translation`);
* ``--instance``: the live state of the module just instantiated, as ``run``
  would instantiate it (WASI linked, the start function run, nothing called),
  beside the ``VMContext`` slots Wasmtime would use
  (:mod:`wasmrun.inspection.instance`).  Failing to instantiate fails as
  ``run`` does (message and exit status).

Every view is data first, then rendered: ``--json`` prints ``{"<view>": ...}``
(see ``wasmrun/schemas/inspect.schema.json``); otherwise the view's blocks go
through :mod:`wasmrun.cli.tables`, as rich tables on a terminal and plain
aligned text when piped (text shared with the component views is in
:mod:`wasmrun.cli.inspect_text`, the ``--code`` view in :mod:`wasmrun.cli.inspect_code`).
The module is validated first, so a malformed or invalid module fails exactly
as it does for ``run``.  A component goes to :mod:`wasmrun.cli.inspect_component`.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import click

from wasmrun.cli.config import ConfigError
from wasmrun.cli.errors import InputError
from wasmrun.cli.inspect_text import (
    GLOBAL_COLUMNS,
    MEMORY_COLUMNS,
    TABLE_COLUMNS,
    WASMTIME_VERSION,
    functions_text,
    global_row,
    import_text,
    left,
    limits_text,
    memory_row,
    name_text,
    optional,
    range_text,
    right,
    signature_text,
    slot_range,
    slots_text,
    table_row,
)
from wasmrun.cli.source import display_name, is_component_source, read_input
from wasmrun.cli.tables import Block, Fields, Table, render_plain, render_rich
from wasmrun.printable import json_text

if TYPE_CHECKING:
    from wasmrun.inspection.instance import InstanceState
    from wasmrun.inspection.summary import ModuleSummary, TypeSummary
    from wasmrun.inspection.vmoffsets import VMContextLayout, VMShape
    from wasmrun.module import Module

View = Literal["module", "vmctx", "code", "instance"]


@dataclass(frozen=True, slots=True)
class InspectRequest:
    """What ``wasmrun inspect`` was asked to show."""

    file: str
    view: View = "module"
    json: bool = False
    ptr_size: int = 8  # for "vmctx"
    function: str | None = None  # for "code": an index or a name


def inspect_request(
    file: str, *, as_json: bool, vmctx: bool, ptr_size: int | None, code: str | None, instance: bool = False
) -> InspectRequest:
    """The request for ``inspect``'s options; conflicting options raise ConfigError (a usage error)."""
    views = [
        name for name, given in (("--vmctx", vmctx), ("--code", code is not None), ("--instance", instance)) if given
    ]
    if len(views) > 1:
        raise ConfigError(f"{' and '.join(views)} show different views: give one of them")
    if ptr_size is not None and not vmctx:
        raise ConfigError("--ptr-size applies to --vmctx only")
    if vmctx:
        return InspectRequest(file, "vmctx", as_json, ptr_size or 8)
    if code is not None:
        return InspectRequest(file, "code", as_json, function=code)
    if instance:
        return InspectRequest(file, "instance", as_json)
    return InspectRequest(file, "module", as_json)


@dataclass(frozen=True, slots=True)
class Loaded:
    """The input as read: the validated module, and what the file itself was."""

    module: Module
    name: str
    text_format: bool
    file_size: int


def load(path: str, data: bytes | None = None) -> Loaded:
    """Read (unless ``data`` is given), decode and validate ``path``; failures are raised as :class:`InputError`."""
    from wasmrun.errors import WasmError
    from wasmrun.loader import is_binary, load_module

    if data is None:
        data = read_input(path)
    try:
        module = load_module(data, parallel=True)
    except WasmError as error:
        raise InputError(error, display_name(path)) from error
    return Loaded(module, display_name(path), not is_binary(data), len(data))


@dataclass(frozen=True, slots=True)
class Rendered:
    """A view ready to print: its JSON object and its blocks for people."""

    json: dict[str, Any]
    blocks: tuple[Block, ...]


def inspect_command(request: InspectRequest) -> int:
    data = read_input(request.file)
    if is_component_source(data):
        from wasmrun.cli.inspect_component import component_view

        rendered = Rendered(*component_view(data, display_name(request.file), request))
    else:
        rendered = VIEWS[request.view](load(request.file, data), request)
    if request.json:
        click.echo(json_text(rendered.json))
    elif sys.stdout.isatty():
        render_rich(rendered.blocks)
    else:
        click.echo(render_plain(rendered.blocks), nl=False)
    return 0


# --- shared text --------------------------------------------------------------------------------


# --- the module summary -------------------------------------------------------------------------


def module_view(loaded: Loaded, request: InspectRequest) -> Rendered:
    from wasmrun.inspection.summary import summarize

    summary = summarize(loaded.module, file=loaded.name, text_format=loaded.text_format, file_size=loaded.file_size)
    return Rendered({"module": dataclasses.asdict(summary)}, module_blocks(summary))


def _type_text(summary: TypeSummary) -> str:
    if summary.kind == "func":
        return signature_text(summary.params, summary.results)
    if summary.kind == "array":
        return f"(array {summary.fields[0]})"
    return "(struct" + "".join(f" (field {field})" for field in summary.fields) + ")"


def _types_table(types: tuple[TypeSummary, ...]) -> Table:
    """The types; with GC types (a struct, an array, a sub type, a recursion group), also each one's
    recursion group, finality and supertypes, and the first type that is the same (``canonical``)."""
    if all(t.kind == "func" and t.final and not t.supertypes and t.rec_size == 1 for t in types):
        return Table("types", (right("index"), left("type")), tuple((str(t.index), _type_text(t)) for t in types))
    return Table(
        "types",
        (right("index"), right("rec"), left("sub"), right("canonical"), left("type")),
        tuple(
            (
                str(t.index),
                str(t.rec_group) if t.rec_size == 1 else f"{t.rec_group} ({t.rec_size} types)",
                " ".join(("sub final" if t.final else "sub", *(str(s) for s in t.supertypes))),
                str(t.canonical),
                _type_text(t),
            )
            for t in types
        ),
    )


def module_blocks(summary: ModuleSummary) -> tuple[Block, ...]:
    names = {function.index: function.name for function in summary.functions}
    if summary.format == "text":
        size = f"text, {summary.file_size} bytes ({summary.size} bytes in binary)"
    else:
        size = f"binary, {summary.size} bytes"
    start = "-"
    if summary.start is not None:
        start_name = names.get(summary.start)
        start = f"{summary.start} ({name_text(start_name)})" if start_name else str(summary.start)
    header = Fields(
        None,
        (
            ("file", summary.file),
            ("format", size),
            ("module name", "-" if summary.module_name is None else name_text(summary.module_name)),
            ("start function", start),
            ("proposals", ", ".join(summary.proposals) or "none (WebAssembly 1.0)"),
        ),
    )
    sections = Table(
        "sections",
        (right("id"), left("section"), left("contents"), right("size")),
        tuple(
            (
                str(section.id),
                section.name if section.custom_name is None else f"custom {name_text(section.custom_name)}",
                range_text(section.content_start, section.end),
                str(section.size),
            )
            for section in summary.sections
        ),
    )
    types = _types_table(summary.types)
    imports = Table(
        "imports",
        (left("module"), left("name"), left("kind"), right("index"), left("type")),
        tuple(
            (name_text(entry.module), name_text(entry.name), entry.kind, str(entry.index), entry.type)
            for entry in summary.imports
        ),
    )
    exports = Table(
        "exports",
        (left("name"), left("kind"), right("index")),
        tuple((name_text(export.name), export.kind, str(export.index)) for export in summary.exports),
    )
    functions = Table(
        "functions",
        (right("index"), left("name"), left("type"), right("locals"), right("body size"), left("offset")),
        tuple(
            (
                str(function.index),
                "-" if function.name is None else name_text(function.name),
                f"{function.type_index} {signature_text(function.params, function.results)}",
                optional(function.locals),
                "imported" if function.body_size is None else str(function.body_size),
                "-" if function.body_offset is None else f"{function.body_offset:#x}",
            )
            for function in summary.functions
        ),
    )
    tables = Table(
        "tables",
        (right("index"), left("element"), left("address"), left("limits"), left("import")),
        tuple(
            (
                str(table.index),
                table.element,
                table.address_type,
                limits_text(table.min, table.max),
                import_text(table.imported_from),
            )
            for table in summary.tables
        ),
    )
    memories = Table(
        "memories",
        (right("index"), left("address"), right("page size"), left("limits (pages)"), left("import")),
        tuple(
            (
                str(memory.index),
                memory.address_type,
                str(memory.page_size),
                limits_text(memory.min, memory.max),
                import_text(memory.imported_from),
            )
            for memory in summary.memories
        ),
    )
    globals_ = Table(
        "globals",
        (right("index"), left("type"), left("init"), left("import")),
        tuple(
            (
                str(global_.index),
                f"mut {global_.type}" if global_.mutable else global_.type,
                optional(global_.init),
                import_text(global_.imported_from),
            )
            for global_ in summary.globals
        ),
    )
    elements = Table(
        "element segments",
        (right("index"), left("mode"), right("table"), left("offset"), left("type"), right("count")),
        tuple(
            (
                str(segment.index),
                segment.mode,
                optional(segment.table),
                optional(segment.offset),
                segment.type,
                str(segment.count),
            )
            for segment in summary.elements
        ),
    )
    data = Table(
        "data segments",
        (right("index"), left("mode"), right("memory"), left("offset"), right("size")),
        tuple(
            (str(segment.index), segment.mode, optional(segment.memory), optional(segment.offset), str(segment.size))
            for segment in summary.data
        ),
    )
    customs = Table(
        "custom sections",
        (left("name"), left("contents"), right("size")),
        tuple(
            (name_text(custom.name), range_text(custom.content_start, custom.end), str(custom.size))
            for custom in summary.customs
        ),
    )
    return (header, sections, types, imports, exports, functions, tables, memories, globals_, elements, data, customs)


# --- the VMContext layout -----------------------------------------------------------------------


def vmctx_view(loaded: Loaded, request: InspectRequest) -> Rendered:
    from wasmrun.inspection.vmoffsets import VMShape, vmcontext_layout

    shape = VMShape.from_module(loaded.module)
    layout = vmcontext_layout(shape, request.ptr_size)
    return Rendered(vmctx_json(layout), vmctx_blocks(loaded.name, shape, layout))


def vmctx_json(layout: VMContextLayout) -> dict[str, Any]:
    """``{"vmctx": {"ptr_size", "size", "regions": [{"name", "offset", "size", "count", "element_size"}]}}``."""
    regions = [dataclasses.asdict(region) for region in layout.regions]  # (name, offset, size, count, element_size)
    return {"vmctx": {"ptr_size": layout.ptr_size, "size": layout.size, "regions": regions}}


def vmctx_blocks(file: str, shape: VMShape, layout: VMContextLayout) -> tuple[Block, ...]:
    header = Fields(
        None,
        (
            ("file", file),
            ("layout", f"{WASMTIME_VERSION} VMContext, {layout.ptr_size * 8}-bit host"),
            ("size", f"{layout.size} bytes ({layout.size:#x})"),
            ("escaped functions", str(shape.num_escaped_funcs)),
            ("startup function", "yes" if shape.has_startup_func else "no"),
            ("runtime data segments", str(shape.num_runtime_data)),
        ),
    )
    regions = Table(
        "regions",
        (right("offset"), left("region"), right("count"), right("element size"), right("size")),
        tuple(
            (
                f"{region.offset:#06x}",
                region.name,
                str(region.count),
                str(region.element_size),
                str(region.size),
            )
            for region in layout.regions
        ),
    )
    return (header, regions)


# --- a function's code --------------------------------------------------------------------------


def code_view(loaded: Loaded, request: InspectRequest) -> Rendered:
    from wasmrun.cli.inspect_code import function_code_view

    spec = request.function or ""
    return Rendered(*function_code_view(loaded.module, spec, loaded.name, spec))


# --- the live instance --------------------------------------------------------------------------


def instance_view(loaded: Loaded, request: InspectRequest) -> Rendered:
    from wasmrun import launch
    from wasmrun.cli.config import DEFAULT_MAX_MEMORY, backtrace_details_from_environment
    from wasmrun.cli.errors import GuestFailure, trap_context
    from wasmrun.errors import WasmError
    from wasmrun.inspection.instance import inspect_instance

    # Instantiated as `run` instantiates (its default memory cap), failing as `run` fails.
    try:
        state = inspect_instance(loaded.module, file=loaded.name, max_memory=DEFAULT_MAX_MEMORY)
    except launch.ExecutionError as failure:
        raise GuestFailure(
            failure.error,
            loaded.name,
            context=trap_context(failure.stage, failure.export, loaded.name),
            module=failure.module,
            details=backtrace_details_from_environment(os.environ),
        ) from failure
    except WasmError as error:
        raise InputError(error, loaded.name) from error
    return Rendered({"instance": dataclasses.asdict(state)}, instance_blocks(state))


def instance_blocks(state: InstanceState) -> tuple[Block, ...]:
    header = Fields(
        None,
        (
            ("file", state.file),
            ("linked", f"WASI ({', '.join(state.wasi)})" if state.wasi else "nothing (no imports)"),
            ("start function", _start_text(state)),
            ("not called", ", ".join(name_text(name) for name in state.not_called) or "-"),
            (
                "VMContext",
                f"{WASMTIME_VERSION}, {state.ptr_size * 8}-bit host, {state.vmctx_size} bytes ({state.vmctx_size:#x})",
            ),
        ),
    )
    memories = Table("memories", MEMORY_COLUMNS, tuple(memory_row(memory) for memory in state.memories))
    tables = Table("tables", TABLE_COLUMNS, tuple(table_row(table) for table in state.tables))
    names = {reference.function: reference.name for reference in state.function_references}
    elements = Table(
        "table elements",
        (right("table"), left("slots"), left("functions")),
        tuple(
            (str(table.index), slot_range(run.slot, run.count), functions_text(run.function, run.count, names))
            for table in state.tables
            for run in table.elements
        ),
    )
    globals_ = Table("globals", GLOBAL_COLUMNS, tuple(global_row(global_, names) for global_ in state.globals))
    references = Table(
        "function references",
        (right("func_ref"), right("function"), left("name"), left("escapes"), left("vmctx")),
        tuple(
            (
                str(reference.func_ref),
                str(reference.function),
                name_text(reference.name) if reference.name else import_text(reference.imported_from),
                ", ".join(reference.escapes),
                slots_text(reference.vmctx),
            )
            for reference in state.function_references
        ),
    )
    segments = Table(
        "segments",
        (left("segment"), left("mode"), right("size"), left("state")),
        tuple(
            (
                f"{segment.kind} {segment.index}",
                segment.mode,
                str(segment.size),
                "dropped" if segment.dropped else f"available ({segment.available})",
            )
            for segment in state.segments
        ),
    )
    if not state.gc_types:  # (a module without struct or array types: no table)
        return (header, memories, tables, elements, globals_, references, segments)
    gc_types = Table(
        "GC types",
        (right("type"), left("kind"), right("objects"), right("bytes"), left("definition")),
        tuple((str(t.index), t.kind, str(t.objects), str(t.bytes), t.text) for t in state.gc_types),
    )
    return (header, memories, tables, elements, globals_, references, segments, gc_types)


def _start_text(state: InstanceState) -> str:
    if state.start is None:
        return "none"
    name = f" ({name_text(state.start_name)})" if state.start_name else ""
    return f"{state.start}{name}, ran at instantiation"


# The tables of a core instance's memories, tables and globals (the component view has them too).

VIEWS: dict[View, Callable[[Loaded, InspectRequest], Rendered]] = {
    "module": module_view,
    "vmctx": vmctx_view,
    "code": code_view,
    "instance": instance_view,
}
