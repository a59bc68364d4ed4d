"""Tasks, waitable sets and subtasks (CanonicalABI.md, "Task State", "Waitable State"), for calls that
complete synchronously.

wasmrun runs one call at a time on one Python stack.  Every call into a lifted function is a
:class:`Task` (its ``context.get``/``set`` storage, its thread index, whether it has returned its
value); the tasks running in an instance are a stack, the innermost the current one.  An
async-lifted function runs to completion on its caller's stack: without a callback it must call
``task.return`` before returning; with one, its callback is called until it answers ``EXIT``.  An
async-lowered call therefore always finds its callee finished and returns ``RETURNED`` at once.

Nothing is ever pending, so a wait that nothing could end is the deadlock Wasmtime reports, and the
built-ins that need a second task to make progress (streams, futures, the threading built-ins) trap
with a "not supported" line (see :mod:`.concurrency_builtins`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wasmrun.component_runtime.context import BorrowScope
from wasmrun.component_runtime.traps import (
    BORROWS_REMAIN,
    DEADLOCK,
    TASK_RETURN_INVALID,
    TASK_RETURN_TWICE,
    UNSUPPORTED_CALLBACK_CODE,
)
from wasmrun.errors import Trap

if TYPE_CHECKING:
    from wasmrun.component.types import FuncType
    from wasmrun.component_runtime.context import CanonicalOptions
    from wasmrun.component_runtime.instance_state import InstanceState


class EventCode(enum.IntEnum):
    NONE = 0
    SUBTASK = 1
    STREAM_READ = 2
    STREAM_WRITE = 3
    FUTURE_READ = 4
    FUTURE_WRITE = 5
    TASK_CANCELLED = 6


class CallbackCode(enum.IntEnum):
    EXIT = 0
    YIELD = 1
    WAIT = 2


class SubtaskState(enum.IntEnum):
    STARTING = 0
    STARTED = 1
    RETURNED = 2
    CANCELLED_BEFORE_STARTED = 3
    CANCELLED_BEFORE_RETURNED = 4


Event = tuple[int, int, int]
"""``(event code, payload 1, payload 2)``."""


class Task:
    """One call into a lifted function (spec: ``Task`` with its implicit thread).

    ``on_result`` receives the result when the task returns it (a lowering caller lowers it then);
    ``storage`` is what ``context.get``/``context.set`` read and write; ``thread_index`` the index of
    the task's thread in its instance's thread table (``thread.index``).
    """

    __slots__ = (
        "borrow_scope",
        "func_type",
        "instance",
        "on_result",
        "options",
        "result",
        "returned",
        "storage",
        "thread_index",
    )

    def __init__(
        self,
        func_type: FuncType,
        options: CanonicalOptions,
        instance: InstanceState,
        borrow_scope: BorrowScope,
        on_result: Callable[[Any], None] | None,
    ) -> None:
        self.func_type = func_type
        self.options = options
        self.instance = instance
        self.borrow_scope = borrow_scope
        self.on_result = on_result
        self.storage = [0, 0]
        self.returned = False
        self.result: Any = None
        self.thread_index = 0

    def return_(self, result: Any) -> None:
        """Give the caller the result (``task.return``, or a synchronous lift's return)."""
        if self.returned:
            raise Trap(TASK_RETURN_TWICE)
        if self.borrow_scope.num_borrows:
            raise Trap(BORROWS_REMAIN)
        self.returned = True
        self.result = result
        if self.on_result is not None:
            self.on_result(result)

    def check_return(self, result_type: Any, options: CanonicalOptions) -> None:
        """``task.return`` is this task's: an async one, of its result type, with its lift's options."""
        mine = self.options
        if (
            not mine.is_async
            or result_type != self.func_type.result
            or options.memory is not mine.memory
            or options.string_encoding != mine.string_encoding
        ):
            raise Trap(TASK_RETURN_INVALID)


class WaitableSet:
    """``waitable-set.new``'s set.  Always empty here: the waitables it could hold (subtasks, stream and
    future ends) never exist, since every call finishes before its caller goes on."""

    __slots__ = ()

    def pending_event(self) -> Event | None:
        return None

    def wait(self) -> Event:
        """The next event; with none pending and nothing else running, none can come."""
        event = self.pending_event()
        if event is None:
            raise Trap(DEADLOCK)
        return event


def unpack_callback_code(packed: int) -> tuple[CallbackCode, int]:
    """An async callback's answer: the code in the low 4 bits, a waitable set index above."""
    code = packed & 0xF
    if code > CallbackCode.WAIT:
        raise Trap(UNSUPPORTED_CALLBACK_CODE)
    return CallbackCode(code), packed >> 4


def waitable_set_at(instance: InstanceState, index: int) -> WaitableSet:
    """The waitable set behind handle ``index`` of ``instance`` (trap if it is something else)."""
    element = instance.handles.get(index)
    if not isinstance(element, WaitableSet):
        raise Trap(f"handle index {index} is not a waitable set")
    return element
