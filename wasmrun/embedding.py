"""The embedding API's :class:`Store`: the runtime's store with the interpreter plugged in."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from wasmrun.engine.interpreter import Interpreter
from wasmrun.runtime.executor import Executor
from wasmrun.runtime.store import Store as RuntimeStore

if TYPE_CHECKING:
    from wasmrun.wasi_config import OpenedWasi, WasiConfig


class Store(RuntimeStore):
    """A store whose code runs in the interpreter unless another executor is given.

    :meth:`set_wasi` gives the components instantiated in it by a linker with
    ``add_wasip2()`` their WASI 0.2 world; closing the store closes what that opened.
    """

    def __init__(self, executor: Executor | None = None, **options: Any) -> None:
        super().__init__(executor if executor is not None else Interpreter(), **options)
        self.wasi: OpenedWasi | None = None
        self._wasi_finalizers: list[weakref.finalize] = []

    def set_wasi(self, config: WasiConfig) -> None:
        """The WASI 0.2 configuration of the components instantiated from now on (wasmtime-py's ``set_wasi``).

        Its files and directories are opened now (``OSError`` if one cannot be) and closed with the store.
        """
        opened = config.open()
        self.wasi = opened
        self._wasi_finalizers.append(weakref.finalize(self, opened.close))

    def close(self) -> None:
        """Unmap every memory of the store and close what its WASI configurations opened (idempotent)."""
        super().close()
        for finalizer in self._wasi_finalizers:
            finalizer()
