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
from typing import TYPE_CHECKING, Any, NamedTuple

from wasmrun.runtime.functions import FunctionInstance, HostFunction
from wasmrun.runtime.globals import GlobalInstance
from wasmrun.runtime.memory import DEFAULT_CAP_BYTES, MemoryInstance
from wasmrun.runtime.table import DEFAULT_ELEMENT_CAP, TableInstance
from wasmrun.types import FuncType, GlobalType, MemoryType, TableType

if TYPE_CHECKING:
    from wasmrun.runtime.executor import Executor
    from wasmrun.runtime.instance import Instance


DEFAULT_COUNT_LIMIT = 10_000
"""Instances, tables and memories a store may create by default (Wasmtime's store limits)."""


class StoreLimits(NamedTuple):
    """What a store may allocate (a store without them counts nothing) (Wasmtime's ``StoreLimits``: ``-W max-table-elements``, ``max-instances``, ...).

    ``instances``, ``tables`` and ``memories`` count what instantiation creates (imported tables and
    memories are not created); going over is an instantiation error with Wasmtime's text.  With
    ``trap_on_grow_failure``, a ``memory.grow`` or ``table.grow`` that fails stops the program
    (:class:`~wasmrun.errors.HostError`) instead of returning -1.
    """

    table_elements: int = DEFAULT_ELEMENT_CAP
    instances: int = DEFAULT_COUNT_LIMIT
    tables: int = DEFAULT_COUNT_LIMIT
    memories: int = DEFAULT_COUNT_LIMIT
    trap_on_grow_failure: bool = False


def _close_memories(memories: list[MemoryInstance]) -> None:
    for memory in memories:
        memory.close()
    memories.clear()


class Store:
    """Owns instances and what they allocate; ``executor`` runs their code."""

    def __init__(
        self, executor: Executor, *, memory_cap_bytes: int = DEFAULT_CAP_BYTES, limits: StoreLimits | None = None
    ) -> None:
        self.executor = executor
        self.memory_cap_bytes = memory_cap_bytes
        self.limits = limits
        self._created = {"instance": 0, "table": 0, "memory": 0}
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

    def admit(self, tables: int, memories: int) -> None:
        """Count an instance about to be made, with the tables and memories it defines, against the limits.

        Wasmtime's text when one is over: an :class:`~wasmrun.errors.InstantiationError`.
        """
        limits = self.limits
        if limits is None:
            return
        for what, amount, limit in (
            ("instance", 1, limits.instances),
            ("memory", memories, limits.memories),
            ("table", tables, limits.tables),
        ):
            count = self._created[what] + amount
            if count > limit:
                from wasmrun.errors import InstantiationError

                raise InstantiationError(f"resource limit exceeded: {what} count too high at {count}")
            self._created[what] = count

    def allocate_memory(self, memory_type: MemoryType) -> MemoryInstance:
        memory = MemoryInstance(memory_type, cap_bytes=self.memory_cap_bytes)
        if self.limits is not None and self.limits.trap_on_grow_failure:
            memory.trap_on_grow_failure = True
        self.memories.append(memory)
        return memory

    def allocate_table(self, table_type: TableType, initial: Any = None) -> TableInstance:
        if self.limits is None:
            table = TableInstance(table_type, initial)
        else:
            table = TableInstance(table_type, initial, element_cap=self.limits.table_elements)
            table.trap_on_grow_failure = self.limits.trap_on_grow_failure
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
