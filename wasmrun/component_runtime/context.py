"""Canonical options and the context every lifting and lowering runs in (CanonicalABI.md).

A :class:`CanonicalOptions` is what a ``canon lift`` or ``canon lower`` says; a
:class:`LiftLowerContext` is one call's view of them, with the component instance whose handle
table the call uses and the call's borrow bookkeeping.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from wasmrun.component_runtime.instance_state import InstanceState
from wasmrun.component_runtime.traps import REALLOC_MISALIGNED, UNCAUGHT_EXCEPTION, realloc_out_of_bounds
from wasmrun.errors import Trap, WasmException

if TYPE_CHECKING:
    from wasmrun.component_runtime.resources import ResourceHandle
    from wasmrun.runtime.memory import MemoryInstance

StringEncoding = Literal["utf8", "utf16", "latin1+utf16"]
STRING_ENCODINGS = ("utf8", "utf16", "latin1+utf16")

Realloc = Callable[[int, int, int, int], int]
"""``realloc(old_ptr, old_size, alignment, new_size) -> ptr``: a core function, wrapped."""

CoreCallable = Callable[[Sequence[Any]], Sequence[Any]]
"""A core function called with its core arguments, returning its core results (``FunctionInstance.invoke``)."""


@dataclass(frozen=True, slots=True)
class CanonicalOptions:
    """The ``canonopt`` immediates of one ``canon lift`` or ``canon lower`` (or built-in).

    ``is_async``: the ``async`` option; ``callback``: an async lift's callback (a core function).
    """

    memory: MemoryInstance | None = None
    realloc: Realloc | None = None
    post_return: CoreCallable | None = None
    string_encoding: StringEncoding = "utf8"
    is_async: bool = False
    callback: CoreCallable | None = None

    def __post_init__(self) -> None:
        if self.string_encoding not in STRING_ENCODINGS:
            raise ValueError(f"unknown string encoding {self.string_encoding!r}: expected one of {STRING_ENCODINGS}")
        invoke = getattr(self.realloc, "invoke", None)
        if invoke is not None:  # a core FunctionInstance: called with a list, its one result returned
            core_realloc = invoke

            def realloc(old_ptr: int, old_size: int, alignment: int, new_size: int) -> int:
                return int(core_realloc((old_ptr, old_size, alignment, new_size))[0])

            object.__setattr__(self, "realloc", realloc)

    @property
    def ptr64(self) -> bool:
        """Pointers are i64 (the memory is a 64-bit one)."""
        return self.memory is not None and self.memory.type.limits.address64


class _MissingMemory:
    """The memory of options without one: any access is the error a valid component never meets."""

    @property
    def view(self) -> memoryview:
        raise Trap("canonical option `memory` is required")


_MISSING_MEMORY = _MissingMemory()


class BorrowScope:
    """The borrow handles a call lowered into its callee (spec: a ``Task``'s ``num_borrows``).

    The callee must drop each before it returns, or the call traps.
    """

    __slots__ = ("num_borrows",)

    def __init__(self) -> None:
        self.num_borrows = 0


class LiftLowerContext:
    """One call's lifting and lowering context: options, instance, and borrow bookkeeping.

    ``borrow_scope`` is the callee's scope (lowering arguments into a lifted function);
    ``lenders`` collects the caller's handles lent to a callee (lifting a lowered call's
    arguments), whose lend counts go back down when the call returns.  ``lazy_strings``: a long
    string lifted here goes to another component, which reads it only once it has allocated room
    for it (:class:`~wasmrun.component_runtime.strings.PendingString`).
    """

    __slots__ = (
        "borrow_scope",
        "instance",
        "lazy_strings",
        "lenders",
        "memory",
        "options",
        "ptr64",
        "realloc",
        "string_encoding",
    )

    def __init__(
        self,
        options: CanonicalOptions,
        instance: InstanceState,
        borrow_scope: BorrowScope | None = None,
        lenders: list[ResourceHandle] | None = None,
    ) -> None:
        self.options = options
        self.instance = instance
        memory = options.memory
        self.memory: MemoryInstance = memory if memory is not None else cast("MemoryInstance", _MISSING_MEMORY)
        self.realloc = options.realloc
        self.string_encoding = options.string_encoding
        self.ptr64 = options.ptr64
        self.borrow_scope = borrow_scope
        self.lenders = lenders
        self.lazy_strings = False

    @property
    def view(self) -> memoryview:
        """The memory's bytes now (the view is replaced when the memory grows: never keep it across a realloc)."""
        return self.memory.view

    def reallocate(self, old_ptr: int, old_size: int, alignment: int, new_size: int, content: str = "") -> int:
        """Call the guest's ``realloc`` (``may_leave`` cleared meanwhile); trap unless it gives ``alignment``-aligned
        memory of ``new_size`` bytes.  ``content`` names what is stored (``list``, ``string``) in the trap."""
        realloc = self.realloc
        if realloc is None:
            raise Trap("canonical option `realloc` is required")
        instance = self.instance
        instance.may_leave = False
        try:
            ptr = realloc(old_ptr, old_size, alignment, new_size)
        except WasmException:  # (an exception never unwinds past a component boundary)
            raise Trap(UNCAUGHT_EXCEPTION) from None
        instance.may_leave = True
        if ptr % alignment:
            raise Trap(REALLOC_MISALIGNED)
        if ptr + new_size > len(self.view):
            raise Trap(realloc_out_of_bounds(content))
        return ptr

    def allocate(self, alignment: int, size: int, content: str = "") -> int:
        return self.reallocate(0, 0, alignment, size, content)
