"""``wasmrun inspect COMPONENT``: the views of a component (imported only when the file is one).

* the component summary (default, ``{"component": ...}``): nested core modules and components
  (recursively, indented), instances, aliases, canonical functions and their options, types,
  imports and exports as WIT-like lines, custom sections
  (:mod:`wasmrun.inspection.component_summary`);
* ``--vmctx`` (``{"component_vmctx": ...}``): Wasmtime's ``VMComponentContext`` layout and the
  counts behind it (:mod:`wasmrun.inspection.component_vmoffsets`,
  :mod:`wasmrun.inspection.component_counts`).

``--code`` and ``--instance`` are refused with one line (exit status 1).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from wasmrun.cli.errors import CliError, InputError
from wasmrun.cli.tables import Block, Column, Fields, Lines, Table

if TYPE_CHECKING:
    from wasmrun.cli.inspect import InspectRequest
    from wasmrun.component.records import Component
    from wasmrun.inspection.component_summary import ComponentSummary

VMCOMPONENT_VERSION = "Wasmtime 49"
INDENT = "  "


View = tuple[dict[str, Any], tuple[Block, ...]]
"""A view ready to print: its JSON object and its blocks for people."""


def component_view(data: bytes, name: str, request: InspectRequest) -> View:
    """The view ``request`` asks for, of the component ``data`` (read from ``name``)."""
    if request.view in ("code", "instance"):
        raise CliError(f"--{request.view} is not supported for components yet", name)
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


def _right(header: str) -> Column:
    return Column(header, "right")


def _left(header: str) -> Column:
    return Column(header)


def _optional(value: object) -> str:
    return "-" if value is None else str(value)


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
            _right("index"),
            _left("contents"),
            _right("size"),
            _left("name"),
            _right("imports"),
            _right("exports"),
            _right("functions"),
            _right("memories"),
        ),
        tuple(
            (
                str(module.index),
                f"{module.offset:#010x}-{module.offset + module.size:#010x}",
                str(module.size),
                _optional(module.name),
                _optional(module.imports),
                _optional(module.exports),
                _optional(module.functions),
                _optional(module.memories),
            )
            for module in summary.core_modules
        ),
    )
    core_instances = Table(
        f"{prefix}core instances",
        (_right("index"), _left("kind"), _left("of"), _left("with / exports")),
        tuple(
            (str(i.index), i.kind, "-" if i.of is None else f"module {i.of}", ", ".join(i.items))
            for i in summary.core_instances
        ),
    )
    instances = Table(
        f"{prefix}instances",
        (_right("index"), _left("kind"), _left("of"), _left("with / exports")),
        tuple(
            (str(i.index), i.kind, "-" if i.of is None else f"component {i.of}", ", ".join(i.items))
            for i in summary.instances
        ),
    )
    aliases = Table(
        f"{prefix}aliases",
        (_left("sort"), _right("index"), _left("alias of")),
        tuple((alias.sort, str(alias.index), alias.target) for alias in summary.aliases),
    )
    canonicals = Table(
        f"{prefix}canonical functions",
        (_left("sort"), _right("index"), _left("canon"), _left("of"), _left("options")),
        tuple(
            (canon.sort, str(canon.index), canon.kind, canon.target, _options_text(canon))
            for canon in summary.canonical_functions
        ),
    )
    types = Table(
        f"{prefix}types",
        (_right("index"), _left("kind"), _left("name"), _left("type")),
        tuple((str(t.index), t.kind, _optional(t.name), t.text) for t in summary.types),
    )
    customs = Table(
        f"{prefix}custom sections",
        (_left("name"), _right("offset"), _right("size")),
        tuple((custom.name, f"{custom.offset:#x}", str(custom.size)) for custom in summary.customs),
    )
    blocks: list[Block] = [where, world, modules, core_instances, instances, aliases, canonicals, types, customs]
    if path:  # a nested component: its empty tables say nothing the counts do not
        blocks = [block for block in blocks if not isinstance(block, Table) or block.rows]
    for nested in summary.components:
        blocks.extend(component_blocks(nested, f"{path}{' > ' if path else ''}component {nested.index}"))
    return tuple(blocks)


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
        (_right("offset"), _left("region"), _right("count"), _right("element size"), _right("size")),
        tuple(
            (f"{region.offset:#06x}", region.name, str(region.count), str(region.element_size), str(region.size))
            for region in layout.regions
        ),
    )
    return data, (header, table)
