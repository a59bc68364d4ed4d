"""The store (spec 4.2.3): owns every instance and every function, table, memory and global.

A store also owns the mappings behind its memories: :meth:`Store.close` unmaps
them all, and so does the garbage collector when the store goes (a spec run
creates some 1,600 modules; their address space must not wait for process
exit).  Function types are interned per store, so the type check of
``call_indirect`` is an identity test in the common case.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wasmrun.runtime.functions import FunctionInstance, HostFunction
from wasmrun.runtime.globals import GlobalInstance
from wasmrun.runtime.memory import DEFAULT_CAP_BYTES, MemoryInstance
from wasmrun.runtime.table import TableInstance
from wasmrun.types import FuncType, GlobalType, MemoryType, TableType

if TYPE_CHECKING:
    from wasmrun.runtime.executor import Executor
    from wasmrun.runtime.instance import Instance


def _close_memories(memories: list[MemoryInstance]) -> None:
    for memory in memories:
        memory.close()
    memories.clear()


class Store:
    """Owns instances and what they allocate; ``executor`` runs their code."""

    def __init__(self, executor: Executor, *, memory_cap_bytes: int = DEFAULT_CAP_BYTES) -> None:
        self.executor = executor
        self.memory_cap_bytes = memory_cap_bytes
        self.instances: list[Instance] = []
        self.memories: list[MemoryInstance] = []
        self.tables: list[TableInstance] = []
        self.globals: list[GlobalInstance] = []
        self.functions: list[FunctionInstance] = []  # wasm and host, in allocation order
        self._types: dict[FuncType, FuncType] = {}
        # The finalizer holds the list, not the store, so it does not keep the store alive.
        self._finalizer = weakref.finalize(self, _close_memories, self.memories)

    def intern_type(self, function_type: FuncType) -> FuncType:
        """The store's one object for this function type."""
        return self._types.setdefault(function_type, function_type)

    def allocate_memory(self, memory_type: MemoryType) -> MemoryInstance:
        memory = MemoryInstance(memory_type, cap_bytes=self.memory_cap_bytes)
        self.memories.append(memory)
        return memory

    def allocate_table(self, table_type: TableType, initial: Any = None) -> TableInstance:
        table = TableInstance(table_type, initial)
        self.tables.append(table)
        return table

    def allocate_global(self, global_type: GlobalType, value: Any) -> GlobalInstance:
        instance = GlobalInstance(global_type, value)
        self.globals.append(instance)
        return instance

    def host_function(self, function_type: FuncType, function: Callable[..., Any], name: str = "") -> HostFunction:
        """A host function owned by this store (its type interned)."""
        host = HostFunction(self.intern_type(function_type), function, name)
        self.functions.append(host)
        return host

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def close(self) -> None:
        """Unmap every memory of the store (idempotent); its memories are unusable afterwards."""
        self._finalizer()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
