"""Output for people: a report is a list of blocks (titled tables and key/value lists), rendered two ways.

The CLI contract: rich tables on a terminal, plain aligned text when piped.
:func:`render_plain` is the piped form (and the one golden tests hold);
:func:`render_rich` draws the same blocks with rich, which is imported only
there, so that piped runs never pay for it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Literal

from wasmrun.printable import escape_debug

Align = Literal["left", "right"]
INDENT = "  "
GAP = "  "


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    align: Align = "left"


@dataclass(frozen=True, slots=True)
class Table:
    """Rows under a title; shown as ``<title>: none`` when there are no rows."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Fields:
    """``name  value`` lines, without a title when ``title`` is None."""

    title: str | None
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Lines:
    """Preformatted lines under a title (a code listing)."""

    title: str
    lines: tuple[str, ...]


Block = Table | Fields | Lines


def _escaped(block: Block) -> Block:
    """The block with every text escaped (wasmrun.printable): names in it come from the module."""
    if isinstance(block, Fields):
        title = escape_debug(block.title) if block.title is not None else None
        return Fields(title, tuple((escape_debug(name), escape_debug(value)) for name, value in block.items))
    if isinstance(block, Lines):
        return Lines(escape_debug(block.title), tuple(escape_debug(line) for line in block.lines))
    return Table(
        escape_debug(block.title),
        block.columns,
        tuple(tuple(escape_debug(cell) for cell in row) for row in block.rows),
    )


def _aligned(cells: Sequence[str], widths: Sequence[int], columns: Sequence[Column]) -> str:
    parts = [
        cell.rjust(width) if column.align == "right" else cell.ljust(width)
        for cell, width, column in zip(cells, widths, columns)
    ]
    return (INDENT + GAP.join(parts)).rstrip()


def plain_lines(block: Block) -> list[str]:
    block = _escaped(block)
    if isinstance(block, Fields):
        width = max((len(name) for name, _ in block.items), default=0)
        indent = INDENT if block.title is not None else ""
        lines = [f"{block.title}:"] if block.title is not None else []
        lines.extend(f"{indent}{name + ':':<{width + 1}} {value}".rstrip() for name, value in block.items)
        return lines
    if isinstance(block, Lines):
        return [f"{block.title}:", *(f"{INDENT}{line}" for line in block.lines)]
    if not block.rows:
        return [f"{block.title}: none"]
    headers = tuple(column.header for column in block.columns)
    widths = [max(len(cell) for cell in column) for column in zip(headers, *block.rows)]
    lines = [f"{block.title} ({len(block.rows)}):", _aligned(headers, widths, block.columns)]
    lines.extend(_aligned(row, widths, block.columns) for row in block.rows)
    return lines


def render_plain(blocks: Sequence[Block]) -> str:
    """The blocks as aligned text, a blank line between blocks, a final newline."""
    return "\n\n".join("\n".join(plain_lines(block)) for block in blocks) + "\n"


def render_rich(blocks: Sequence[Block], file: IO[str] | None = None) -> None:
    """The blocks as rich tables on ``file`` (stdout by default)."""
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.measure import Measurement
    from rich.table import Table as RichTable

    console = Console(file=file or sys.stdout, highlight=False)
    for number, block in enumerate(map(_escaped, blocks)):
        if number:
            console.print()
        if isinstance(block, Fields):
            grid = RichTable.grid(padding=(0, 2))
            grid.add_column(style="bold")
            grid.add_column()
            for name, value in block.items:
                grid.add_row(escape(name), escape(value))
            if block.title is not None:
                console.print(f"[bold]{escape(block.title)}[/bold]")
            console.print(grid)
        elif isinstance(block, Lines):
            console.print(f"[bold]{escape(block.title)}[/bold]")
            for line in block.lines:
                console.print(escape(line), soft_wrap=True)
        elif not block.rows:
            console.print(f"[bold]{escape(block.title)}[/bold]: none")
        else:
            table = RichTable(
                title=f"{block.title} ({len(block.rows)})", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False
            )
            for column in block.columns:
                table.add_column(escape(column.header), justify=column.align, no_wrap=True)
            for row in block.rows:
                table.add_row(*(escape(cell) for cell in row))
            # Wider than the terminal rather than names split mid-word: the terminal wraps whole rows.
            natural = Measurement.get(console, console.options.update(max_width=1 << 20), table).maximum
            width = console.width
            console.width = max(width, natural)
            console.print(table)
            console.width = width
