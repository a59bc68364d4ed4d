""":class:`Store`: the API's store, holding wasmrun's (:class:`wasmrun.embedding.Store`) and its interpreter.

Every call that takes a store takes a :class:`~wasmrun.api.caller.Caller` as well
(:func:`store_of`), as in wasmtime-py.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from wasmrun.api.config import REFUSED_SETTINGS, Engine
from wasmrun.api.errors import WasmtimeError
from wasmrun.embedding import Store as RuntimeStore
from wasmrun.engine.interpreter import Interpreter

if TYPE_CHECKING:
    from wasmrun.api.wasi import WasiConfig
    from wasmrun.wasi.context import WasiContext


class Store:
    """Where instances and what they make live; ``data`` is the embedder's, given back by :meth:`data`."""

    def __init__(self, engine: Engine | None = None, data: Any | None = None) -> None:
        if engine is None:
            engine = Engine()
        if not isinstance(engine, Engine):
            raise TypeError("expected an Engine")
        settings = engine._settings
        self.engine = engine
        self._data = data
        interpreter = Interpreter(
            engine=settings.tier,
            fuel=0 if settings.consume_fuel else None,
            max_stack_depth=settings.max_stack_depth,
        )
        self._runtime = RuntimeStore(interpreter)
        self._interpreter = interpreter
        self._wasi_config: WasiConfig | None = None
        self._wasi: WasiContext | None = None
        # Closing on collection: the store's memories are unmapped and WASI's files closed.
        self._closers: list[Any] = [self._runtime.close]
        weakref.finalize(self, _close_all, self._closers)

    def data(self) -> Any | None:
        """The ``data`` the store was made with."""
        return self._data

    def gc(self) -> None:
        """Nothing to collect: wasmrun's references are Python objects, collected by Python."""

    def set_fuel(self, fuel: int) -> None:
        """Set the fuel left to ``fuel`` (the engine's config must have ``consume_fuel``)."""
        meter = self._meter()
        if fuel < 0:
            raise WasmtimeError("fuel cannot be negative")
        meter.budget = meter.fuel = fuel

    def get_fuel(self) -> int:
        """The fuel left (the engine's config must have ``consume_fuel``)."""
        return max(self._meter().fuel, 0)

    def _meter(self) -> Any:
        meter = self._interpreter.fuel_meter
        if meter is None:
            raise WasmtimeError("fuel is not configured in this store")
        return meter

    def set_wasi(self, wasi: WasiConfig) -> None:
        """The WASI configuration of the modules instantiated by a linker with ``define_wasi()`` from
        now on; its files are opened at the first such instantiation and closed with the store."""
        from wasmrun.api.wasi import WasiConfig

        if not isinstance(wasi, WasiConfig):
            raise TypeError("expected a WasiConfig")
        self._wasi_config = wasi
        self._wasi = None

    def wasi_context(self) -> WasiContext:
        """The WASI preview1 context of this store's modules (made from :meth:`set_wasi`'s configuration
        on first use; without one, a guest with no arguments, environment, input or output)."""
        if self._wasi is None:
            from wasmrun.api.wasi import WasiConfig, open_preview1

            context, files = open_preview1(self._wasi_config or WasiConfig())
            self._closers.append(context.close)
            self._closers.extend(file.close for file in files)
            self._wasi = context
        return self._wasi

    def set_wasi_http(self) -> None:
        """Refused: wasmrun has no ``wasi:http``."""
        raise WasmtimeError("wasi:http is not supported by wasmrun")

    def set_epoch_deadline(self, ticks_after_current: int) -> None:
        """Refused: wasmrun has no epoch interruption."""
        raise WasmtimeError(f"epoch interruption: {REFUSED_SETTINGS['epoch_interruption']}")

    def set_limits(
        self,
        memory_size: int = -1,
        table_elements: int = -1,
        instances: int = -1,
        tables: int = -1,
        memories: int = -1,
    ) -> None:
        """Limit what the store may make: each memory's size in bytes, each table's elements (a memory or
        table over its limit cannot be made, and ``memory.grow``/``table.grow`` past it return -1), and
        how many instances, tables and memories it may make.  A negative limit is left as it is."""

        def given(limit: int) -> int | None:
            return limit if limit >= 0 else None

        self._runtime.set_limits(
            memory_bytes=given(memory_size),
            table_elements=given(table_elements),
            instances=given(instances),
            tables=given(tables),
            memories=given(memories),
        )


def _close_all(closers: list[Any]) -> None:
    while closers:
        closers.pop()()


class CallerBase:
    """What a :class:`~wasmrun.api.caller.Caller` is to a store-like (defined here, below the externs
    the caller gives)."""

    def _store_now(self) -> Store:
        raise NotImplementedError


Storelike = Any
"""A :class:`Store` or a :class:`~wasmrun.api.caller.Caller`."""


def store_of(storelike: Storelike) -> Store:
    """The API store of ``storelike`` (a Store, or a Caller while its host call runs)."""
    if isinstance(storelike, Store):
        return storelike
    if isinstance(storelike, CallerBase):
        return storelike._store_now()
    raise TypeError("expected a Store or a Caller")
