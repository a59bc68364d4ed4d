"""Alias definitions (``Binary.md``, ``alias``): an item of another instance, or of an enclosing scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from wasmrun.component.sorts import Sort


@dataclass(frozen=True, slots=True)
class InstanceExportAlias:
    """``(alias export i "name" (sort))``: an export of a component instance."""

    sort: Sort
    instance: int
    name: str
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class CoreInstanceExportAlias:
    """``(alias core export i "name" (sort))``: an export of a core instance."""

    sort: Sort
    instance: int
    name: str
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class OuterAlias:
    """``(alias outer ct idx (sort))``: item ``index`` of the scope ``count`` levels out (0: this one)."""

    sort: Sort
    count: int
    index: int
    offset: int = field(default=0, compare=False)


Alias = InstanceExportAlias | CoreInstanceExportAlias | OuterAlias
