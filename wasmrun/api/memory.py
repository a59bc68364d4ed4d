""":class:`Memory`: a linear memory, read and written from Python (wasmtime-py's methods), and
:class:`SharedMemory`, a shared memory (threads) that belongs to an engine rather than a store."""

from __future__ import annotations

import ctypes
from typing import cast

from wasmrun import types as records
from wasmrun.api.config import Engine
from wasmrun.api.errors import WasmtimeError, translated_errors
from wasmrun.api.externs import Extern
from wasmrun.api.store import Storelike, store_of
from wasmrun.api.types import MemoryType
from wasmrun.runtime.memory import MemoryInstance


class Memory(Extern):
    """A linear memory: ``Memory(store, MemoryType(...))`` makes one, an instance's export is one."""

    runtime_class = MemoryInstance
    _runtime: MemoryInstance

    def __init__(self, store: Storelike, ty: MemoryType) -> None:
        if not isinstance(ty, MemoryType):
            raise TypeError("expected a MemoryType")
        with translated_errors():
            self._runtime = store_of(store)._runtime.allocate_memory(ty._record)

    @classmethod
    def _wrap(cls, runtime: MemoryInstance) -> Memory | SharedMemory:
        # A shared memory is a SharedMemory wherever it is found (an instance's export), as in wasmtime-py.
        if runtime.type.shared:
            return SharedMemory._wrap(runtime)
        return super()._wrap(runtime)

    def type(self, store: Storelike) -> MemoryType:
        """The memory's type, its minimum the current size."""
        from wasmrun.runtime.instance import extern_type

        return MemoryType._of(cast(records.MemoryType, extern_type(self._runtime)))

    def grow(self, store: Storelike, delta: int) -> int:
        """Grow by ``delta`` pages; the old size in pages (WasmtimeError if it cannot grow so far)."""
        return _grow(self._runtime, delta)

    def size(self, store: Storelike) -> int:
        """The size in pages."""
        return self._runtime.pages

    def data_len(self, store: Storelike) -> int:
        """The size in bytes."""
        return self._runtime.size

    def page_size(self, store: Storelike) -> int:
        """The page size in bytes (65536, or 1 with custom page sizes)."""
        return self._runtime.page_size

    def page_size_log2(self, store: Storelike) -> int:
        """The base-2 logarithm of the page size."""
        return self._runtime.type.page_size_log2

    def buffer(self, store: Storelike) -> memoryview:
        """A writable view of the whole memory, without copying (wasmrun's own).  A grow releases it:
        using it afterwards raises ValueError, so take a new one."""
        return self._runtime.view

    def data_ptr(self, store: Storelike) -> ctypes._Pointer[ctypes.c_ubyte]:
        """A raw pointer to the first byte (accesses must stay within :meth:`data_len`)."""
        return ctypes.cast(self._runtime.address, ctypes.POINTER(ctypes.c_ubyte))

    def get_buffer_ptr(
        self, store: Storelike, size: int | None = None, offset: int = 0
    ) -> ctypes.Array[ctypes.c_ubyte]:
        """A ctypes array over ``size`` bytes (default: all) from ``offset``, without copying."""
        if size is None:
            size = self.data_len(store)
        if offset < 0 or size < 0 or offset + size > self.data_len(store):
            raise IndexError("index out of range")
        return (ctypes.c_ubyte * size).from_address(self._runtime.address + offset)

    def read(self, store: Storelike, start: int | None = 0, stop: int | None = None) -> bytearray:
        """A copy of the bytes ``[start:stop]``, indexed as a Python slice (negative from the end)."""
        first, last, _ = slice(start, stop).indices(self.data_len(store))
        if last <= first:
            return bytearray()
        return bytearray(self._runtime.view[first:last])

    def write(self, store: Storelike, value: bytes | bytearray, start: int | None = None) -> int:
        """Write ``value`` at ``start`` (negative from the end, as a slice); the bytes written.
        IndexError if it does not fit."""
        size = self.data_len(store)
        first = slice(start, None).indices(size)[0]
        if first >= size:
            raise IndexError("index out of range")
        if not value:
            return 0
        if first + len(value) > size:
            raise IndexError("index out of range")
        self._runtime.view[first : first + len(value)] = value
        return len(value)


def _grow(memory: MemoryInstance, delta: int) -> int:
    """Grow ``memory`` by ``delta`` pages; the old size, or WasmtimeError (Wasmtime's texts)."""
    if delta < 0:
        raise WasmtimeError("cannot grow by negative amount")
    old = memory.grow(delta)
    if old < 0:
        raise WasmtimeError(f"failed to grow memory by `{delta}`")
    return old


class SharedMemory(Extern, register=False):
    """A shared memory of an engine (``Config.shared_memory`` on): ``SharedMemory(engine, MemoryType(limits,
    shared=True))``, importable by the instances of any of the engine's stores."""

    runtime_class = MemoryInstance
    _runtime: MemoryInstance

    def __init__(self, engine: Engine, ty: MemoryType) -> None:
        if not isinstance(ty, MemoryType):
            raise TypeError("expected a MemoryType")
        if not engine.features.shared_memory:
            raise WasmtimeError("shared memory support is disabled for this engine -- see `Config::shared_memory`")
        if not ty.is_shared:
            raise WasmtimeError("shared memory must have the `shared` flag enabled on its memory type")
        if ty.limits.max is None:
            raise WasmtimeError("shared memories must have a maximum size")
        with translated_errors():
            self._runtime = MemoryInstance(ty._record)

    def type(self) -> MemoryType:
        """The memory's type, its minimum the current size."""
        from wasmrun.runtime.instance import extern_type

        return MemoryType._of(cast(records.MemoryType, extern_type(self._runtime)))

    def grow(self, delta: int) -> int:
        """Grow by ``delta`` pages; the old size in pages (WasmtimeError if it cannot grow so far)."""
        return _grow(self._runtime, delta)

    def size(self) -> int:
        """The size in pages."""
        return self._runtime.pages

    def data_len(self) -> int:
        """The size in bytes."""
        return self._runtime.size

    def data_ptr(self) -> ctypes._Pointer[ctypes.c_ubyte]:
        """A raw pointer to the first byte (accesses must stay within :meth:`data_len`)."""
        return ctypes.cast(self._runtime.address, ctypes.POINTER(ctypes.c_ubyte))
