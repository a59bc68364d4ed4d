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
aligned text when piped.  The module is validated first, so a malformed or
invalid module fails exactly as it does for ``run``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import click

from wasmrun.cli.config import ConfigError
from wasmrun.cli.errors import CliError, InputError
from wasmrun.cli.source import display_name, is_component_source, read_input
from wasmrun.cli.tables import Block, Column, Fields, Lines, Table, render_plain, render_rich
from wasmrun.printable import json_text

if TYPE_CHECKING:
    from wasmrun.inspection.code import FunctionCode
    from wasmrun.inspection.instance import GlobalState, InstanceState, MemoryState, TableState, VMSlot
    from wasmrun.inspection.summary import ImportName, ModuleSummary
    from wasmrun.inspection.translation import Handler, TranslatedForm
    from wasmrun.inspection.vmoffsets import VMContextLayout, VMShape
    from wasmrun.module import Module

View = Literal["module", "vmctx", "code", "instance"]
WASMTIME_VERSION = "Wasmtime 49/50"


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
        module = load_module(data)
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


def name_text(name: str) -> str:
    """A name from the module as shown in a table: as is when printable, else JSON-quoted."""
    return name if name.isprintable() and name.strip() == name and name else json.dumps(name)


def optional(value: object) -> str:
    return "-" if value is None else str(value)


def range_text(start: int, end: int) -> str:
    return f"{start:#010x}-{end:#010x}"


def signature_text(params: tuple[str, ...], results: tuple[str, ...]) -> str:
    return f"[{' '.join(params)}] -> [{' '.join(results)}]"


def limits_text(minimum: int, maximum: int | None) -> str:
    return f"min {minimum}" if maximum is None else f"min {minimum} max {maximum}"


def import_text(imported_from: ImportName | None) -> str:
    if imported_from is None:
        return "-"
    return (
        f"{json.dumps(imported_from.module, ensure_ascii=False)} {json.dumps(imported_from.name, ensure_ascii=False)}"
    )


def _right(header: str) -> Column:
    return Column(header, "right")


def _left(header: str) -> Column:
    return Column(header)


# --- the module summary -------------------------------------------------------------------------


def module_view(loaded: Loaded, request: InspectRequest) -> Rendered:
    from wasmrun.inspection.summary import summarize

    summary = summarize(loaded.module, file=loaded.name, text_format=loaded.text_format, file_size=loaded.file_size)
    return Rendered({"module": dataclasses.asdict(summary)}, module_blocks(summary))


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
        (_right("id"), _left("section"), _left("contents"), _right("size")),
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
    types = Table(
        "types",
        (_right("index"), _left("type")),
        tuple((str(t.index), signature_text(t.params, t.results)) for t in summary.types),
    )
    imports = Table(
        "imports",
        (_left("module"), _left("name"), _left("kind"), _right("index"), _left("type")),
        tuple(
            (name_text(entry.module), name_text(entry.name), entry.kind, str(entry.index), entry.type)
            for entry in summary.imports
        ),
    )
    exports = Table(
        "exports",
        (_left("name"), _left("kind"), _right("index")),
        tuple((name_text(export.name), export.kind, str(export.index)) for export in summary.exports),
    )
    functions = Table(
        "functions",
        (_right("index"), _left("name"), _left("type"), _right("locals"), _right("body size"), _left("offset")),
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
        (_right("index"), _left("element"), _left("address"), _left("limits"), _left("import")),
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
        (_right("index"), _left("address"), _right("page size"), _left("limits (pages)"), _left("import")),
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
        (_right("index"), _left("type"), _left("init"), _left("import")),
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
        (_right("index"), _left("mode"), _right("table"), _left("offset"), _left("type"), _right("count")),
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
        (_right("index"), _left("mode"), _right("memory"), _left("offset"), _right("size")),
        tuple(
            (str(segment.index), segment.mode, optional(segment.memory), optional(segment.offset), str(segment.size))
            for segment in summary.data
        ),
    )
    customs = Table(
        "custom sections",
        (_left("name"), _left("contents"), _right("size")),
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
    regions = [
        {
            "name": region.name,
            "offset": region.offset,
            "size": region.size,
            "count": region.count,
            "element_size": region.element_size,
        }
        for region in layout.regions
    ]
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
        (_right("offset"), _left("region"), _right("count"), _right("element size"), _right("size")),
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
    spec = request.function or ""
    return function_code_view(loaded.module, spec, loaded.name, spec)


def function_code_view(module: Module, function: str, file: str, spec: str) -> Rendered:
    """The code of ``function`` (an index or a name) of ``module``; ``spec``: what ``--code`` was given."""
    from wasmrun.inspection.code import FunctionLookupError, find_function, function_code

    try:
        code = function_code(module, find_function(module, function))
    except FunctionLookupError as error:
        raise CliError(f"--code {spec}: {error.message}", file) from error
    return Rendered({"code": dataclasses.asdict(code)}, code_blocks(code))


def code_blocks(code: FunctionCode) -> tuple[Block, ...]:
    locals_text = ", ".join(f"{group.count} {group.type}" for group in code.locals) or "none"
    header = Fields(
        None,
        (
            ("function", str(code.index) + (f" ({name_text(code.name)})" if code.name else "")),
            ("type", f"{code.type_index} {signature_text(code.params, code.results)}"),
            ("locals", locals_text),
            ("body", f"{range_text(code.body_offset, code.body_end)} ({code.body_end - code.body_offset} bytes)"),
        ),
    )
    width = len(f"{code.body_end:#x}")
    listing = tuple(
        f"{line.offset:#0{width}x}  {'  ' * line.depth}{line.mnemonic} {line.immediates}".rstrip()
        for line in code.instructions
    )
    return (header, Lines(f"instructions ({len(listing)})", listing), *translated_blocks(code.translated))


def translated_blocks(form: TranslatedForm) -> tuple[Block, ...]:
    """The engine's forms of a function: handlers, runs, compiled source."""
    if form.unsupported is not None:
        return (Fields("engine", (("not executed", form.unsupported),)),)
    header = Fields(
        "interpreter",
        (
            (
                "frame",
                f"parameters {_slots(0, form.params)}, locals {_slots(form.params, form.result_base)}, "
                f"operand stack {_slots(form.result_base, form.frame_size)}",
            ),
            ("loop heads", ", ".join(str(pc) for pc in form.loop_heads) or "none"),
            (
                "runs fused",
                "never"
                if form.hot_threshold is None
                else f"after {form.hot_threshold} calls and loop iterations (--engine interp)",
            ),
            (
                "compiled",
                f"never: {form.interpreted_because or 'SIMD'} stays interpreted under every engine"
                if form.compiled is None
                else f"after {form.compile_threshold} calls and loop iterations (--engine auto), "
                "at the first call (--engine compile)",
            ),
        ),
    )
    handlers = Table(
        "handlers",
        (_right("pc"), _left("handler"), _left("operands"), _left("offset"), _left("covers"), _right("run")),
        tuple(
            (
                str(handler.pc),
                handler_text(handler),
                " ".join(f"{operand.name}={operand.value}" for operand in handler.operands),
                f"{handler.offset:#x}",
                _span_text(handler.first, handler.last),
                optional(handler.run),
            )
            for handler in form.handlers
        ),
    )
    runs = Table(
        "runs",
        (_right("run"), _left("handlers"), _left("covers")),
        tuple((str(run.index), f"{run.first_pc}-{run.last_pc}", _span_text(run.first, run.last)) for run in form.runs),
    )
    blocks: list[Block] = [header, handlers, runs]
    if form.compiled is not None:
        compiled = form.compiled
        width = max((len(f"{line.offset:#x}") for line in compiled.lines if line.offset is not None), default=0)
        number_width = len(str(len(compiled.lines)))
        listing = tuple(
            f"{line.number:>{number_width}}  {'' if line.offset is None else f'{line.offset:#x}':<{width}}  "
            f"{line.text}".rstrip()
            for line in compiled.lines
        )
        title = f"compiled: {compiled.name}, {compiled.form} form (line, wasm offset, source)"
        blocks.append(Lines(title, listing))
    return tuple(blocks)


def handler_text(handler: Handler) -> str:
    """``family op/shape``: ``binop i32.add/rc``, ``br_if.binop i32.lt_s/rr``, ``call.1``."""
    text = handler.family if handler.op is None else f"{handler.family} {handler.op}"
    return f"{text}/{handler.shape}" if handler.shape else text


def _slots(start: int, end: int) -> str:
    if end - start == 1:
        return f"R[{start}]"
    return f"R[{start}:{end}]" if end > start else "none"


def _span_text(first: int, last: int) -> str:
    return f"{first:#x}" if first == last else f"{first:#x}-{last:#x}"


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
        (_right("table"), _left("slots"), _left("functions")),
        tuple(
            (str(table.index), _range(run.slot, run.count), _functions_text(run.function, run.count, names))
            for table in state.tables
            for run in table.elements
        ),
    )
    globals_ = Table("globals", GLOBAL_COLUMNS, tuple(global_row(global_, names) for global_ in state.globals))
    references = Table(
        "function references",
        (_right("func_ref"), _right("function"), _left("name"), _left("escapes"), _left("vmctx")),
        tuple(
            (
                str(reference.func_ref),
                str(reference.function),
                name_text(reference.name) if reference.name else import_text(reference.imported_from),
                ", ".join(reference.escapes),
                _slots_text(reference.vmctx),
            )
            for reference in state.function_references
        ),
    )
    segments = Table(
        "segments",
        (_left("segment"), _left("mode"), _right("size"), _left("state")),
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
    return (header, memories, tables, elements, globals_, references, segments)


def _start_text(state: InstanceState) -> str:
    if state.start is None:
        return "none"
    name = f" ({name_text(state.start_name)})" if state.start_name else ""
    return f"{state.start}{name}, ran at instantiation"


# The tables of a core instance's memories, tables and globals (the component view has them too).

MEMORY_COLUMNS = (
    _right("index"),
    _right("pages"),
    _left("limits (pages)"),
    _right("max pages"),
    _left("accessible"),
    _left("reservation"),
    _left("guard"),
    _left("address"),
    _left("import"),
    _left("exports"),
    _left("vmctx"),
)


def memory_row(memory: MemoryState) -> tuple[str, ...]:
    return (
        str(memory.index),
        str(memory.pages),
        limits_text(memory.min_pages, memory.declared_max),
        str(memory.max_pages),
        bytes_text(memory.accessible),
        bytes_text(memory.reservation),
        bytes_text(memory.guard),
        f"{memory.address:#x}",
        import_text(memory.imported_from),
        _names_text(memory.exports),
        _slots_text(memory.vmctx),
    )


TABLE_COLUMNS = (
    _right("index"),
    _left("element"),
    _right("size"),
    _right("max"),
    _right("null"),
    _left("references"),
    _left("import"),
    _left("exports"),
    _left("vmctx"),
)


def table_row(table: TableState) -> tuple[str, ...]:
    return (
        str(table.index),
        table.element,
        str(table.size),
        optional(table.max),
        str(table.nulls),
        f"{table.functions} functions" if table.element == "funcref" else f"{table.externs} externrefs",
        import_text(table.imported_from),
        _names_text(table.exports),
        _slots_text(table.vmctx),
    )


GLOBAL_COLUMNS = (_right("index"), _left("type"), _left("value"), _left("import"), _left("exports"), _left("vmctx"))


def global_row(global_: GlobalState, names: dict[int, str | None]) -> tuple[str, ...]:
    """``names``: the instance's function names, for a funcref's value."""
    return (
        str(global_.index),
        f"mut {global_.type}" if global_.mutable else global_.type,
        global_.value
        if global_.function is None
        else f"{global_.value} (function {_functions_text(global_.function, 1, names)})",
        import_text(global_.imported_from),
        _names_text(global_.exports),
        _slots_text(global_.vmctx),
    )


_UNITS = ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB"))


def bytes_text(count: int) -> str:
    """A size in bytes, decimal (no hex: it would look like an address), with a round unit when there is one."""
    for size, unit in _UNITS:
        if count >= size and count % size == 0:
            return f"{count} ({count // size} {unit})"
    return str(count)


def _names_text(names: tuple[str, ...]) -> str:
    return ", ".join(name_text(name) for name in names) or "-"


def _slots_text(slots: tuple[VMSlot, ...]) -> str:
    return ", ".join(f"{slot.region}[{slot.index}] ({slot.offset:#x})" for slot in slots)


def _range(first: int, count: int) -> str:
    return str(first) if count == 1 else f"{first}-{first + count - 1}"


def _functions_text(function: int | None, count: int, names: dict[int, str | None]) -> str:
    if function is None:
        return "of another instance"
    name = names.get(function) if count == 1 else None
    return f"{_range(function, count)} ({name_text(name)})" if name else _range(function, count)


VIEWS: dict[View, Callable[[Loaded, InspectRequest], Rendered]] = {
    "module": module_view,
    "vmctx": vmctx_view,
    "code": code_view,
    "instance": instance_view,
}
