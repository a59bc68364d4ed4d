""":class:`Global`: a global variable, read and (if mutable) set from Python."""

from __future__ import annotations

from typing import Any

from wasmrun.api.errors import translated_errors
from wasmrun.api.externs import Extern
from wasmrun.api.store import Storelike, store_of
from wasmrun.api.types import GlobalType
from wasmrun.api.values import from_canonical, to_canonical
from wasmrun.runtime.globals import GlobalInstance


class Global(Extern):
    """A global: ``Global(store, GlobalType(...), value)`` makes one."""

    runtime_class = GlobalInstance
    _runtime: GlobalInstance

    def __init__(self, store: Storelike, ty: GlobalType, val: Any) -> None:
        if not isinstance(ty, GlobalType):
            raise TypeError("expected a GlobalType")
        value = to_canonical(ty._record.valtype, val)
        self._runtime = store_of(store)._runtime.allocate_global(ty._record, value)

    def type(self, store: Storelike) -> GlobalType:
        """The global's type."""
        return GlobalType._of(self._runtime.type)

    def value(self, store: Storelike) -> Any:
        """The current value (integers signed)."""
        return from_canonical(self._runtime.type.valtype, self._runtime.value)

    def set_value(self, store: Storelike, val: Any) -> None:
        """Set the value; WasmtimeError on an immutable global."""
        value = to_canonical(self._runtime.type.valtype, val)
        with translated_errors():
            self._runtime.set(value)
