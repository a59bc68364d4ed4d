"""A module's imports and exports, described neutrally (type names as text), for both engines."""

from __future__ import annotations

from dataclasses import dataclass

NUMERIC = ("i32", "i64", "f32", "f64")
REFERENCES = ("funcref", "externref", "exnref")


@dataclass(frozen=True)
class Signature:
    params: tuple[str, ...]
    results: tuple[str, ...]

    def __str__(self) -> str:
        return f"({' '.join(self.params)}) -> ({' '.join(self.results)})"


@dataclass(frozen=True)
class Extern:
    """An import or an export.  ``kind`` is func, table, memory, global or tag; the other fields its type
    (a tag's ``signature``: the parameters are its payload).

    ``minimum``/``maximum`` are pages or elements; ``valtype`` is a global's value type
    or a table's element type; ``address64`` marks a 64-bit memory or table.
    """

    module: str  # "" for an export
    name: str
    kind: str
    signature: Signature | None = None
    minimum: int = 0
    maximum: int | None = None
    valtype: str = ""
    mutable: bool = False
    address64: bool = False  # a 64-bit memory or table (memory64)

    @property
    def label(self) -> str:
        return f"{self.module}::{self.name}" if self.module else self.name


@dataclass(frozen=True)
class Interface:
    imports: tuple[Extern, ...]
    exports: tuple[Extern, ...]
