"""Sorts: the kinds of definition a component has an index space for (``Binary.md``, ``sort``).

The core sorts (``core func`` ... ``core instance``) and the component sorts (``func`` ...
``instance``) are one enum, valued by their text-format spelling, since a ``sortidx`` may name
either and every index space belongs to exactly one sort.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Sort(enum.Enum):
    """A sort, valued by how the text format writes it."""

    CORE_FUNC = "core func"
    CORE_TABLE = "core table"
    CORE_MEMORY = "core memory"
    CORE_GLOBAL = "core global"
    CORE_TAG = "core tag"
    CORE_TYPE = "core type"
    CORE_MODULE = "core module"
    CORE_INSTANCE = "core instance"
    FUNC = "func"
    VALUE = "value"
    TYPE = "type"
    COMPONENT = "component"
    INSTANCE = "instance"

    @property
    def is_core(self) -> bool:
        return self.value.startswith("core ")

    def __repr__(self) -> str:
        return self.value

    __str__ = __repr__


CORE_SORT_CODES: dict[int, Sort] = {
    0x00: Sort.CORE_FUNC,
    0x01: Sort.CORE_TABLE,
    0x02: Sort.CORE_MEMORY,
    0x03: Sort.CORE_GLOBAL,
    0x04: Sort.CORE_TAG,
    0x10: Sort.CORE_TYPE,
    0x11: Sort.CORE_MODULE,
    0x12: Sort.CORE_INSTANCE,
}
"""``core:sort``: the byte of each core sort (those of ``core:externtype``, then type, module, instance)."""

CORE_SORT_PREFIX = 0x00
"""The ``sort`` byte introducing a ``core:sort``."""

SORT_CODES: dict[int, Sort] = {
    0x01: Sort.FUNC,
    0x02: Sort.VALUE,
    0x03: Sort.TYPE,
    0x04: Sort.COMPONENT,
    0x05: Sort.INSTANCE,
}
"""``sort``: the byte of each component sort (0x00 introduces a core sort)."""

OUTER_ALIAS_SORTS = frozenset((Sort.CORE_MODULE, Sort.CORE_TYPE, Sort.TYPE, Sort.COMPONENT))
"""The sorts an ``outer`` alias may name (``outeraliassort``)."""


@dataclass(frozen=True, slots=True)
class SortIndex:
    """``sortidx`` (or ``core:sortidx``): an index in the index space of ``sort``."""

    sort: Sort
    index: int
