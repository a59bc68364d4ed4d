"""``wasmrun inspect FILE``: what a module declares, in one of several views.

Views (one per run):

* the module summary (default): sections with byte ranges, types, imports,
  exports, functions, tables, memories, globals, segments, custom sections and
  the proposals used (:mod:`wasmrun.inspection.summary`);
* ``--vmctx``: Wasmtime's ``VMContext`` layout for the module, for a 64-bit
  host or, with ``--ptr-size 4``, a 32-bit one (:mod:`wasmrun.runtime.vmoffsets`);
* ``--code FUNC``: a function's instructions (:mod:`wasmrun.inspection.code`).

A live view of an instance (``--instance``) is to come: it is one more entry
in :data:`VIEWS`, with its JSON under its own top-level key like the others.

Every view is data first, then rendered: ``--json`` prints ``{"<view>": ...}``
(see ``wasmrun/schemas/inspect.schema.json``); otherwise the view's blocks go
through :mod:`wasmrun.cli.tables`, as rich tables on a terminal and plain
aligned text when piped.  The module is validated first, so a malformed or
invalid module fails exactly as it does for ``run``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import click

from wasmrun.cli.config import ConfigError
from wasmrun.cli.errors import CliError, InputError
from wasmrun.cli.source import display_name, read_input
from wasmrun.cli.tables import Block, Column, Fields, Lines, Table, render_plain, render_rich

if TYPE_CHECKING:
    from wasmrun.inspection.code import FunctionCode
    from wasmrun.inspection.summary import ImportName, ModuleSummary
    from wasmrun.module import Module
    from wasmrun.runtime.vmoffsets import VMContextLayout, VMShape

View = Literal["module", "vmctx", "code"]
WASMTIME_VERSION = "Wasmtime 49/50"


@dataclass(frozen=True, slots=True)
class InspectRequest:
    """What ``wasmrun inspect`` was asked to show."""

    file: str
    view: View = "module"
    json: bool = False
    ptr_size: int = 8  # for "vmctx"
    function: str | None = None  # for "code": an index or a name


def inspect_request(file: str, *, as_json: bool, vmctx: bool, ptr_size: int | None, code: str | None) -> InspectRequest:
    """The request for ``inspect``'s options; conflicting options raise ConfigError (a usage error)."""
    if vmctx and code is not None:
        raise ConfigError("--vmctx and --code show different views: give one of them")
    if ptr_size is not None and not vmctx:
        raise ConfigError("--ptr-size applies to --vmctx only")
    if vmctx:
        return InspectRequest(file, "vmctx", as_json, ptr_size or 8)
    if code is not None:
        return InspectRequest(file, "code", as_json, function=code)
    return InspectRequest(file, "module", as_json)


@dataclass(frozen=True, slots=True)
class Loaded:
    """The input as read: the validated module, and what the file itself was."""

    module: Module
    name: str
    text_format: bool
    file_size: int


def load(path: str) -> Loaded:
    """Read, decode and validate ``path``; failures are raised as :class:`InputError` (the ``run`` messages)."""
    from wasmrun.errors import WasmError
    from wasmrun.loader import is_binary, load_module

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
    loaded = load(request.file)
    rendered = VIEWS[request.view](loaded, request)
    if request.json:
        click.echo(json.dumps(rendered.json, indent=2, ensure_ascii=False))
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
        (_right("index"), _left("element"), _left("limits"), _left("import")),
        tuple(
            (str(table.index), table.element, limits_text(table.min, table.max), import_text(table.imported_from))
            for table in summary.tables
        ),
    )
    memories = Table(
        "memories",
        (_right("index"), _left("limits (pages)"), _left("import")),
        tuple(
            (str(memory.index), limits_text(memory.min, memory.max), import_text(memory.imported_from))
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
    from wasmrun.runtime.vmoffsets import VMShape, vmcontext_layout

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
    from wasmrun.inspection.code import FunctionLookupError, find_function, function_code

    spec = request.function or ""
    try:
        code = function_code(loaded.module, find_function(loaded.module, spec))
    except FunctionLookupError as error:
        raise CliError(f"--code {spec}: {error.message}", loaded.name) from error
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
    blocks: list[Block] = [header, Lines(f"instructions ({len(listing)})", listing)]
    if code.translated is not None:
        blocks.append(Lines("translated", code.translated))
    return tuple(blocks)


VIEWS: dict[View, Callable[[Loaded, InspectRequest], Rendered]] = {
    "module": module_view,
    "vmctx": vmctx_view,
    "code": code_view,
}
