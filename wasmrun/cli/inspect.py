"""``wasmrun inspect FILE``: a plain summary of a module (sections, imports, exports).

The module is decoded but not validated, so that an invalid module can still be
looked at.  Byte ranges are those of each section's contents, as offsets in the binary
form (for a text module, in its encoding).
"""

from __future__ import annotations

import json

import click

from wasmrun.cli.source import display_name, load_input
from wasmrun.module import Import, Module
from wasmrun.types import ExternKind, GlobalType, Limits, MemoryType, TableType


def describe_limits(limits: Limits) -> str:
    return f"{limits.min}" if limits.max is None else f"{limits.min}..{limits.max}"


def describe_import(module: Module, entry: Import) -> str:
    desc = entry.desc
    if entry.kind is ExternKind.FUNC and isinstance(desc, int):
        detail: str = f"type {desc}"
        if desc < len(module.types):
            detail += f" {module.types[desc]}"
    elif isinstance(desc, TableType):
        detail = f"{desc.element.text} {describe_limits(desc.limits)}"
    elif isinstance(desc, MemoryType):
        detail = f"pages {describe_limits(desc.limits)}"
    elif isinstance(desc, GlobalType):
        detail = f"{'mut ' if desc.mutable else ''}{desc.valtype.text}"
    else:
        detail = str(desc)
    return f"{entry.kind.text} {json.dumps(entry.module)} {json.dumps(entry.name)}: {detail}"


def inspect_lines(module: Module, name: str) -> list[str]:
    lines = [f"{name}: {len(module.raw)} bytes"]
    lines.append(f"sections ({len(module.sections)}):")
    customs = {custom.end: custom.name for custom in module.customs}
    rows = []
    for section in module.sections:
        label = section.name
        if section.id == 0 and section.end in customs:
            label = f"custom {json.dumps(customs[section.end])}"
        rows.append((label, section.content_start, section.end))
    width = max((len(label) for label, _, _ in rows), default=0)
    for label, start, end in rows:
        lines.append(f"  {label:<{width}}  0x{start:08x}-0x{end:08x}  {end - start:>9} bytes")
    lines.append(f"imports ({len(module.imports)}):")
    lines.extend(f"  {describe_import(module, entry)}" for entry in module.imports)
    lines.append(f"exports ({len(module.exports)}):")
    lines.extend(f"  {export.kind.text} {json.dumps(export.name)} (index {export.index})" for export in module.exports)
    return lines


def inspect_command(path: str) -> int:
    module = load_input(path, validate=False)
    click.echo("\n".join(inspect_lines(module, display_name(path))))
    return 0
