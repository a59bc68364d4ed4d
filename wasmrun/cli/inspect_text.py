"""Text shared by ``inspect``'s views of modules and components: names, sizes, limits, ``VMContext`` slots,
and the tables of a core instance's memories, tables and globals (``--instance`` shows them for a
module and for each core instance of a component)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from wasmrun.cli.tables import Column

if TYPE_CHECKING:
    from wasmrun.inspection.instance import GlobalState, MemoryState, TableState, VMSlot
    from wasmrun.inspection.summary import ImportName

WASMTIME_VERSION = "Wasmtime 49/50"
"""The Wasmtime releases whose core ``VMContext`` layout the views show."""


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


def right(header: str) -> Column:
    return Column(header, "right")


def left(header: str) -> Column:
    return Column(header)


MEMORY_COLUMNS = (
    right("index"),
    right("pages"),
    left("limits (pages)"),
    right("max pages"),
    left("accessible"),
    left("reservation"),
    left("guard"),
    left("address"),
    left("import"),
    left("exports"),
    left("vmctx"),
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
        names_text(memory.exports),
        slots_text(memory.vmctx),
    )


TABLE_COLUMNS = (
    right("index"),
    left("element"),
    right("size"),
    right("max"),
    right("null"),
    left("references"),
    left("import"),
    left("exports"),
    left("vmctx"),
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
        names_text(table.exports),
        slots_text(table.vmctx),
    )


GLOBAL_COLUMNS = (right("index"), left("type"), left("value"), left("import"), left("exports"), left("vmctx"))


def global_row(global_: GlobalState, names: dict[int, str | None]) -> tuple[str, ...]:
    """``names``: the instance's function names, for a funcref's value."""
    return (
        str(global_.index),
        f"mut {global_.type}" if global_.mutable else global_.type,
        global_.value
        if global_.function is None
        else f"{global_.value} (function {functions_text(global_.function, 1, names)})",
        import_text(global_.imported_from),
        names_text(global_.exports),
        slots_text(global_.vmctx),
    )


_UNITS = ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB"))


def bytes_text(count: int) -> str:
    """A size in bytes, decimal (no hex: it would look like an address), with a round unit when there is one."""
    for size, unit in _UNITS:
        if count >= size and count % size == 0:
            return f"{count} ({count // size} {unit})"
    return str(count)


def names_text(names: tuple[str, ...]) -> str:
    return ", ".join(name_text(name) for name in names) or "-"


def slots_text(slots: tuple[VMSlot, ...]) -> str:
    return ", ".join(f"{slot.region}[{slot.index}] ({slot.offset:#x})" for slot in slots)


def slot_range(first: int, count: int) -> str:
    return str(first) if count == 1 else f"{first}-{first + count - 1}"


def functions_text(function: int | None, count: int, names: dict[int, str | None]) -> str:
    if function is None:
        return "of another instance"
    name = names.get(function) if count == 1 else None
    return f"{slot_range(function, count)} ({name_text(name)})" if name else slot_range(function, count)
