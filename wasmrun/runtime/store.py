"""The store (spec 4.2.3): owns every instance and every function, table, memory and global.

A store also owns the mappings behind its memories: :meth:`Store.close` unmaps
them all, and so does the garbage collector when the store goes (a spec run
creates some 1,600 modules; their address space must not wait for process
exit).  Function types are interned per store, so the type check of
``call_indirect`` is an identity test in the common case.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from wasmrun.deftypes import DefinedType
from wasmrun.deftypes import function_type as canonical_function_type
from wasmrun.errors import InstantiationError
from wasmrun.runtime import gc
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
    """Owns instances and what they allocate; ``executor`` runs their code.

    The resource limits (Wasmtime's store limiter): ``memory_cap_bytes`` bounds each memory, ``limits``
    (a :class:`StoreLimits`, from the constructor or :meth:`set_limits`; None: no counting limits) the
    elements of each table and how many instances, tables and memories the store may make.
    """

    def __init__(
        self, executor: Executor, *, memory_cap_bytes: int = DEFAULT_CAP_BYTES, limits: StoreLimits | None = None
    ) -> None:
        self.executor = executor
        self.memory_cap_bytes = memory_cap_bytes
        self.limits = limits
        self.gc_heap = gc.GcHeap(memory_cap_bytes)  # GC objects count against the memory limit, as in Wasmtime
        self._created = {"instance": 0, "table": 0, "memory": 0}
        self.instances: list[Instance] = []
        self.memories: list[MemoryInstance] = []
        self.tables: list[TableInstance] = []
        self.globals: list[GlobalInstance] = []
        self.functions: list[FunctionInstance] = []  # wasm and host, in allocation order
        # The finalizer holds the list, not the store, so it does not keep the store alive.
        self._finalizer = weakref.finalize(self, _close_memories, self.memories)

    def invoke(self, function: FunctionInstance, args: Sequence[Any]) -> tuple[Any, ...]:
        """Call ``function`` (of this store) from outside wasm: its executor runs it, and the GC objects
        the call makes are charged to this store's heap."""
        previous = gc.activate(self.gc_heap)
        try:
            return self.executor.invoke(function, args)
        finally:
            gc.activate(previous)

    def intern_type(self, function_type: FuncType) -> DefinedType:
        """The canonical type of this function type (final, alone in its recursion group)."""
        return function_type if function_type.__class__ is DefinedType else canonical_function_type(function_type)

    def set_limits(
        self,
        *,
        memory_bytes: int | None = None,
        table_elements: int | None = None,
        instances: int | None = None,
        tables: int | None = None,
        memories: int | None = None,
    ) -> None:
        """Set the limits given (None leaves one as it is; the others are Wasmtime's defaults until set).
        ``memory_bytes`` and ``table_elements`` bound the memories and tables made from now on, and the
        growth of those that exist."""
        if memory_bytes is not None:
            self.memory_cap_bytes = memory_bytes
            self.gc_heap.limit(memory_bytes)
            for memory in self.memories:
                memory.limit_growth(memory_bytes)
        if table_elements is not None:
            for table in self.tables:
                table.limit_growth(table_elements)
        limits = self.limits or StoreLimits()
        self.limits = limits._replace(
            table_elements=limits.table_elements if table_elements is None else table_elements,
            instances=limits.instances if instances is None else instances,
            tables=limits.tables if tables is None else tables,
            memories=limits.memories if memories is None else memories,
        )

    def admit(self, tables: int, memories: int) -> None:
        """Count an instance about to be made, with the tables and memories it defines, against the limits.

        Wasmtime's text when one is over: an :class:`~wasmrun.errors.InstantiationError`.  (Counted
        whether or not there are limits: they may be set later.)
        """
        limits = self.limits
        for what, amount, limit in (
            ("instance", 1, None if limits is None else limits.instances),
            ("memory", memories, None if limits is None else limits.memories),
            ("table", tables, None if limits is None else limits.tables),
        ):
            count = self._created[what] + amount
            if limit is not None and count > limit:
                raise InstantiationError(f"resource limit exceeded: {what} count too high at {count}")
        for what, amount in (("instance", 1), ("memory", memories), ("table", tables)):
            self._created[what] += amount

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
