"""Plain-text tables for the benchmarks' reports."""

from __future__ import annotations


def table(columns: list[str], rows: list[list[str]], text_columns: tuple[int, ...] = (0,)) -> str:
    """Columns padded to their widths: numbers to the right, the ``text_columns`` to the left."""
    widths = [max(len(column), *(len(row[i]) for row in rows)) for i, column in enumerate(columns)]

    def line(cells: list[str]) -> str:
        padded = (c.ljust(w) if i in text_columns else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
        return "  ".join(padded).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *map(line, rows)])
