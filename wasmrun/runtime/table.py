"""Tables (spec: *table instance*): a Python list of references.

``elements`` holds a FunctionInstance or None for funcref tables, any object or
None for externref tables.  The engine may index ``elements`` directly in its
hot paths (checking the index itself: a negative index would count from the
end); the methods here are the spec's table instructions, every range checked
before anything is written, as the spec requires.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wasmrun.errors import TRAP_TABLE_OUT_OF_BOUNDS, InstantiationError, Trap
from wasmrun.runtime.interrupt import interruptible_code
from wasmrun.types import TableType

MAX_TABLE_SIZE = 2**32 - 1  # the spec's bound for a table without a declared maximum
MAX_TABLE_SIZE_64 = 2**64 - 1  # and for a 64-bit table (table64)

# A resource limit, not a spec rule: a list slot costs 8 bytes, so a table of
# 2**32 - 1 elements would need 32 GiB.  Growing past this fails (returns -1),
# which the spec allows; a minimum above it is an instantiation error.
DEFAULT_ELEMENT_CAP = 10_000_000


class TableInstance:
    __slots__ = ("_limit", "elements", "grow_failed", "trap_on_grow_failure", "type")

    type: TableType
    elements: list[Any]

    def __init__(self, table_type: TableType, initial: Any = None, *, element_cap: int = DEFAULT_ELEMENT_CAP) -> None:
        limits = table_type.limits
        bound = MAX_TABLE_SIZE_64 if limits.address64 else MAX_TABLE_SIZE
        declared_max = bound if limits.max is None else min(limits.max, bound)
        self._limit = min(declared_max, element_cap)
        if limits.min > self._limit:
            raise InstantiationError(
                f"table minimum size of {limits.min} elements exceeds the table limit of {self._limit} elements"
            )
        self.type = table_type
        # What a failed ``table.grow`` returns: -1 as an unsigned value of the table's address type.
        self.grow_failed = 2**64 - 1 if limits.address64 else 2**32 - 1
        self.elements = [initial] * limits.min
        self.trap_on_grow_failure = False  # set by the store (Wasmtime's -W trap-on-grow-failure)

    def __repr__(self) -> str:
        return f"<TableInstance {self.type.element.text} size {len(self.elements)} max {self.max}>"

    @property
    def size(self) -> int:
        return len(self.elements)

    @property
    def max(self) -> int | None:
        """The declared maximum (None when there is none)."""
        return self.type.limits.max

    def grow(self, delta: int, value: Any) -> int:
        """``table.grow``: the old size, or -1 (never an exception) when the table cannot grow."""
        old_size = len(self.elements)
        if delta < 0 or old_size + delta > self._limit:
            if self.trap_on_grow_failure:
                from wasmrun.errors import HostError

                raise HostError(f"forcing trap when growing table to {old_size + delta} elements")
            return -1
        self.elements.extend([value] * delta)
        return old_size

    def limit_growth(self, element_cap: int) -> None:
        """Let the table grow to at most ``element_cap`` elements (never below its size): a store's limit."""
        self._limit = min(self._limit, max(len(self.elements), element_cap))

    def _check(self, index: int, length: int, size: int) -> None:
        if index < 0 or length < 0 or index + length > size:
            raise Trap(TRAP_TABLE_OUT_OF_BOUNDS)

    def get(self, index: int) -> Any:
        self._check(index, 1, len(self.elements))
        return self.elements[index]

    def set(self, index: int, value: Any) -> None:
        self._check(index, 1, len(self.elements))
        self.elements[index] = value

    @interruptible_code
    def fill(self, index: int, value: Any, length: int) -> None:
        """``table.fill``: the range is checked before anything is written."""
        self._check(index, length, len(self.elements))
        self.elements[index : index + length] = [value] * length

    @interruptible_code
    def copy(self, destination: int, source_table: TableInstance, source: int, length: int) -> None:
        """``table.copy`` from ``source_table`` (possibly this table; overlap is safe: the source is sliced first)."""
        self._check(source, length, len(source_table.elements))
        self._check(destination, length, len(self.elements))
        self.elements[destination : destination + length] = source_table.elements[source : source + length]

    @interruptible_code
    def init(self, destination: int, items: Sequence[Any], source: int, length: int) -> None:
        """``table.init`` from an element segment's references ``items`` (empty once dropped)."""
        self._check(source, length, len(items))
        self._check(destination, length, len(self.elements))
        self.elements[destination : destination + length] = items[source : source + length]
