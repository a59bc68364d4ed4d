"""What the canonical ABI keeps for each component instance: its handle table and its two flags.

``may_enter`` is cleared while a call into the instance runs (no reentrance: a second call traps
with ``cannot enter component instance``); ``may_leave`` is cleared while its ``realloc`` or
``post-return`` runs (which may not call out: ``cannot leave component instance``).  Entering an
instance enters its ancestors too, except those the caller is already in (a parent "donut
wrapping" a child may be called back by it).

A trap leaves the flags as they were when it happened: the instance stays entered, so every later
call into it traps, as Wasmtime poisons an instance that trapped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wasmrun.component.types import ResourceType
from wasmrun.component_runtime.traps import CANNOT_ENTER, CANNOT_LEAVE, HANDLE_TABLE_FULL, unknown_handle
from wasmrun.errors import Trap

if TYPE_CHECKING:
    from wasmrun.component_runtime.tasks import Task


class HandleTable:
    """A component instance's handles: a list indexed by handle, with a free list of its holes.

    Index 0 is never valid; a freed index is reused before the table grows (the last freed first),
    as the spec allocates them.  Elements are :class:`~wasmrun.component_runtime.resources.ResourceHandle`.
    """

    __slots__ = ("elements", "free")

    # Bounded memory: a million handles take about 100 MB here (Wasmtime allows indexes up to 2**28).
    MAX_LENGTH = 2**20

    def __init__(self) -> None:
        self.elements: list[object] = [None]
        self.free: list[int] = []

    def __len__(self) -> int:
        """The number of live handles."""
        return len(self.elements) - 1 - len(self.free)

    def get(self, index: int) -> object:
        elements = self.elements
        if index >= len(elements) or index < 0:
            raise unknown_handle(index)
        element = elements[index]
        if element is None:
            raise unknown_handle(index)
        return element

    def add(self, element: object) -> int:
        if self.free:
            index = self.free.pop()
            self.elements[index] = element
            return index
        index = len(self.elements)
        if index > self.MAX_LENGTH:
            raise Trap(HANDLE_TABLE_FULL)
        self.elements.append(element)
        return index

    def remove(self, index: int) -> object:
        element = self.get(index)
        self.elements[index] = None
        self.free.append(index)
        return element


class InstanceState:
    """The canonical ABI's state of one component instance (spec: ``ComponentInstance``).

    ``parent`` is the instance that instantiated this one (None: the host did).  ``resource_types``
    are the resource types this instance defines (spec: those whose ``impl`` it is): a borrow of
    one of them lowered into this instance is its representation, not a handle.
    """

    __slots__ = (
        "backpressure",
        "handles",
        "may_enter",
        "may_leave",
        "name",
        "parent",
        "resource_types",
        "tasks",
        "threads",
    )

    def __init__(self, parent: InstanceState | None = None, name: str = "") -> None:
        self.handles = HandleTable()
        self.may_enter = True
        self.may_leave = True
        self.parent = parent
        self.name = name
        self.resource_types: set[ResourceType] = set()
        self.tasks: list[Task] = []  # (the calls running in this instance, innermost last)
        self.threads = HandleTable()  # (each task's thread: ``thread.index``)
        self.backpressure = 0

    def __repr__(self) -> str:
        return f"<InstanceState {self.name or hex(id(self))} handles={len(self.handles)}>"

    def define_resource(self, resource_type: ResourceType) -> ResourceType:
        """Record that this instance implements ``resource_type`` (its ``resource.new``/``rep`` are its own)."""
        self.resource_types.add(resource_type)
        return resource_type

    def implements(self, resource_type: ResourceType) -> bool:
        return resource_type in self.resource_types

    # -- entering and leaving -----------------------------------------------------------------------

    def self_and_ancestors(self) -> list[InstanceState]:
        chain = [self]
        ancestor = self.parent
        while ancestor is not None:
            chain.append(ancestor)
            ancestor = ancestor.parent
        return chain

    def entering_set(self, caller: InstanceState | None) -> list[InstanceState]:
        """The instances a call from ``caller`` (None: the host) into this one enters."""
        if caller is None:
            return self.self_and_ancestors() if self.parent is not None else [self]
        inside = caller.self_and_ancestors()
        return [instance for instance in self.self_and_ancestors() if instance not in inside]

    def enter_from(self, caller: InstanceState | None) -> list[InstanceState]:
        """Enter from ``caller``: trap if any instance entered may not be; the instances to give to ``leave``."""
        if caller is None and self.parent is None:  # the common case: the host calls a root instance
            if not self.may_enter:
                raise Trap(CANNOT_ENTER)
            self.may_enter = False
            return [self]
        entered = self.entering_set(caller)
        for instance in entered:
            if not instance.may_enter:
                raise Trap(CANNOT_ENTER)
        for instance in entered:
            instance.may_enter = False
        return entered

    @staticmethod
    def leave(entered: list[InstanceState]) -> None:
        for instance in entered:
            instance.may_enter = True

    def current_task(self) -> Task:
        """The task whose code is running in this instance (a built-in called outside any call traps)."""
        if not self.tasks:
            raise Trap(CANNOT_LEAVE)
        return self.tasks[-1]

    def check_may_leave(self) -> None:
        """Trap unless code of this instance may call out now (not in its ``realloc`` or ``post-return``)."""
        if not self.may_leave:
            raise Trap(CANNOT_LEAVE)
