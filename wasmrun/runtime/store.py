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

from wasmrun.errors import InstantiationError
from wasmrun.runtime.functions import FunctionInstance, HostFunction
from wasmrun.runtime.globals import GlobalInstance
from wasmrun.runtime.memory import DEFAULT_CAP_BYTES, MemoryInstance
from wasmrun.runtime.table import DEFAULT_ELEMENT_CAP, TableInstance
from wasmrun.types import FuncType, GlobalType, MemoryType, TableType

if TYPE_CHECKING:
    from wasmrun.runtime.executor import Executor
    from wasmrun.runtime.instance import Instance


def _close_memories(memories: list[MemoryInstance]) -> None:
    for memory in memories:
        memory.close()
    memories.clear()


def _count_limit(what: str, count: int, limit: int | None) -> None:
    """InstantiationError when making one more ``what`` would take ``count`` over ``limit`` (Wasmtime's text)."""
    if limit is not None and count >= limit:
        raise InstantiationError(f"resource limit exceeded: {what} count too high at {count + 1}")


class Store:
    """Owns instances and what they allocate; ``executor`` runs their code.

    The resource limits (:meth:`set_limits`, Wasmtime's store limiter): ``memory_cap_bytes`` bounds
    each memory, ``table_element_cap`` each table; ``max_instances``, ``max_tables`` and
    ``max_memories`` (None: no limit) how many the store may make.
    """

    def __init__(self, executor: Executor, *, memory_cap_bytes: int = DEFAULT_CAP_BYTES) -> None:
        self.executor = executor
        self.memory_cap_bytes = memory_cap_bytes
        self.table_element_cap = DEFAULT_ELEMENT_CAP
        self.max_instances: int | None = None
        self.max_tables: int | None = None
        self.max_memories: int | None = None
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

    def set_limits(
        self,
        *,
        memory_bytes: int | None = None,
        table_elements: int | None = None,
        instances: int | None = None,
        tables: int | None = None,
        memories: int | None = None,
    ) -> None:
        """Set the limits given (None leaves one as it is).  ``memory_bytes`` and ``table_elements``
        bound the memories and tables made from now on, and the growth of those that exist."""
        if memory_bytes is not None:
            self.memory_cap_bytes = memory_bytes
            for memory in self.memories:
                memory.limit_growth(memory_bytes)
        if table_elements is not None:
            self.table_element_cap = table_elements
            for table in self.tables:
                table.limit_growth(table_elements)
        if instances is not None:
            self.max_instances = instances
        if tables is not None:
            self.max_tables = tables
        if memories is not None:
            self.max_memories = memories

    def count_instance(self) -> None:
        """InstantiationError if the store may make no more instances (instantiation asks first)."""
        _count_limit("instance", len(self.instances), self.max_instances)

    def allocate_memory(self, memory_type: MemoryType) -> MemoryInstance:
        _count_limit("memory", len(self.memories), self.max_memories)
        memory = MemoryInstance(memory_type, cap_bytes=self.memory_cap_bytes)
        self.memories.append(memory)
        return memory

    def allocate_table(self, table_type: TableType, initial: Any = None) -> TableInstance:
        _count_limit("table", len(self.tables), self.max_tables)
        table = TableInstance(table_type, initial, element_cap=self.table_element_cap)
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
