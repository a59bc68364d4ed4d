""":class:`Table`: a table of references, read and written from Python."""

from __future__ import annotations

from typing import Any, cast

from wasmrun import types as records
from wasmrun.api.errors import WasmtimeError, translated_errors
from wasmrun.api.externs import Extern
from wasmrun.api.store import Storelike, store_of
from wasmrun.api.types import TableType
from wasmrun.api.values import from_canonical, to_canonical
from wasmrun.errors import TRAP_UNDEFINED_ELEMENT
from wasmrun.runtime.table import TableInstance


class Table(Extern):
    """A table: ``Table(store, TableType(...), init)`` makes one filled with ``init``."""

    runtime_class = TableInstance
    _runtime: TableInstance

    def __init__(self, store: Storelike, ty: TableType, init: Any) -> None:
        if not isinstance(ty, TableType):
            raise TypeError("expected a TableType")
        value = to_canonical(ty._record.element, init)
        with translated_errors():
            self._runtime = store_of(store)._runtime.allocate_table(ty._record, value)

    def type(self, store: Storelike) -> TableType:
        """The table's type, its minimum the current size."""
        from wasmrun.runtime.instance import extern_type

        return TableType._of(cast(records.TableType, extern_type(self._runtime)))

    def size(self, store: Storelike) -> int:
        """The number of elements."""
        return self._runtime.size

    def grow(self, store: Storelike, amt: int, init: Any) -> int:
        """Add ``amt`` elements set to ``init``; the old size (WasmtimeError if it cannot grow so far)."""
        old = self._runtime.grow(amt, to_canonical(self._runtime.type.element, init))
        if old < 0:
            raise WasmtimeError(f"failed to grow table by `{amt}`")
        return old

    def get(self, store: Storelike, idx: int) -> Any | None:
        """The element at ``idx`` (a Func, an externref's object, or None), None if out of bounds."""
        if not 0 <= idx < self._runtime.size:
            return None
        return from_canonical(self._runtime.type.element, self._runtime.elements[idx])

    def set(self, store: Storelike, idx: int, val: Any) -> None:
        """Set the element at ``idx`` (WasmtimeError if out of bounds)."""
        value = to_canonical(self._runtime.type.element, val)
        if not 0 <= idx < self._runtime.size:
            raise WasmtimeError(f"wasm trap: {TRAP_UNDEFINED_ELEMENT}")
        self._runtime.elements[idx] = value
