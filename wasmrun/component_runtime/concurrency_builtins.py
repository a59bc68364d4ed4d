"""The ``canon`` built-ins of the async, error-context and threading proposals, as host functions.

Each checks first, as the spec does, that its instance may call out now (``cannot leave component
instance`` in a ``post-return`` or ``realloc``), except ``context.get``/``set`` and
``backpressure.inc``/``dec``, which only touch the task's or instance's own state.
Those that make sense when every call completes at once (see :mod:`.tasks`) are implemented:
``task.return``, ``context.get``/``set``, ``backpressure.inc``/``dec``, ``thread.yield``,
``thread.index``, waitable sets (always empty: waiting on one is a deadlock).  The others need a
second task to run meanwhile (streams, futures, subtasks, error contexts, threads): they exist, with
their types, and trap with a one-line "not supported" when called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wasmrun.component.canonical import CanonicalBuiltin
from wasmrun.component.types import Primitive, ValueType
from wasmrun.component_runtime.canonical import MAX_FLAT_PARAMS, ValuesAbi, store
from wasmrun.component_runtime.context import CanonicalOptions, LiftLowerContext
from wasmrun.component_runtime.instance_state import InstanceState
from wasmrun.component_runtime.tasks import EventCode, WaitableSet, waitable_set_at
from wasmrun.component_runtime.traps import BACKPRESSURE_OVERFLOW, TASK_CANCEL_NOT_CANCELLED
from wasmrun.errors import Trap, UnsupportedInstruction
from wasmrun.runtime.functions import HostFunction
from wasmrun.runtime.memory import MemoryInstance
from wasmrun.runtime.store import Store
from wasmrun.types import FuncType as CoreFuncType

_BACKPRESSURE_LIMIT = 2**16

NOT_SUPPORTED = "is not supported: wasmrun runs async components only where every call completes at once"


class BuiltinContext:
    """What a built-in's definition names, found at instantiation: its options (``memory``, string
    encoding), the memory of a ``memory`` immediate, the result type of ``task.return``, and the core
    type of the built-ins whose type is not in :mod:`wasmrun.component.builtin_types`."""

    __slots__ = ("core_type", "memory", "options", "result_type")

    def __init__(
        self,
        options: CanonicalOptions,
        memory: MemoryInstance | None = None,
        result_type: ValueType | None = None,
        core_type: CoreFuncType | None = None,
    ) -> None:
        self.options = options
        self.memory = memory
        self.result_type = result_type
        self.core_type = core_type


def concurrency_builtin(
    store_: Store, definition: CanonicalBuiltin, instance: InstanceState, context: BuiltinContext
) -> HostFunction:
    """The host function of built-in ``definition`` for the code of ``instance``."""
    name = definition.name
    core_type = context.core_type
    if core_type is None:
        raise UnsupportedInstruction(f"`canon {name}` is not supported")
    maker = _MAKERS.get(name)
    function = maker(definition, instance, context) if maker is not None else _unsupported(name, instance)
    return store_.host_function(core_type, function, name)


def _unsupported(name: str, instance: InstanceState) -> Callable[..., Any]:
    def unsupported(*_args: Any) -> Any:
        instance.check_may_leave()
        raise Trap(f"`canon {name}` {NOT_SUPPORTED}")

    return unsupported


# -- tasks ------------------------------------------------------------------------------------------


def _task_return(definition: CanonicalBuiltin, instance: InstanceState, context: BuiltinContext) -> Callable[..., Any]:
    options, result_type = context.options, context.result_type
    values = ValuesAbi(() if result_type is None else (result_type,), MAX_FLAT_PARAMS, options.ptr64)

    def task_return(*core_args: Any) -> None:
        instance.check_may_leave()
        task = instance.current_task()
        task.check_return(result_type, options)
        lifted = values.lift(LiftLowerContext(options, instance), core_args)
        task.return_(lifted[0] if lifted else None)

    return task_return


def _task_cancel(definition: CanonicalBuiltin, instance: InstanceState, context: BuiltinContext) -> Callable[..., Any]:
    def task_cancel() -> None:
        instance.check_may_leave()
        instance.current_task()
        raise Trap(TASK_CANCEL_NOT_CANCELLED)  # (no caller here can cancel a task)

    return task_cancel


def _context_get(definition: CanonicalBuiltin, instance: InstanceState, context: BuiltinContext) -> Callable[..., Any]:
    slot = definition.immediate("index") or 0

    def context_get() -> int:
        return instance.current_task().storage[slot]

    return context_get


def _context_set(definition: CanonicalBuiltin, instance: InstanceState, context: BuiltinContext) -> Callable[..., Any]:
    slot = definition.immediate("index") or 0

    def context_set(value: int) -> None:
        instance.current_task().storage[slot] = value

    return context_set


def _backpressure(step: int) -> Callable[..., Callable[..., Any]]:
    def make(definition: CanonicalBuiltin, instance: InstanceState, context: BuiltinContext) -> Callable[..., Any]:
        def backpressure() -> None:
            value = instance.backpressure + step
            if not 0 <= value < _BACKPRESSURE_LIMIT:
                raise Trap(BACKPRESSURE_OVERFLOW)
            instance.backpressure = value

        return backpressure

    return make


# -- threads ----------------------------------------------------------------------------------------


def _thread_yield(definition: CanonicalBuiltin, instance: InstanceState, context: BuiltinContext) -> Callable[..., Any]:
    def thread_yield() -> int:
        instance.check_may_leave()
        return 0  # (not cancelled: no other task runs, so the yield returns at once)

    return thread_yield


def _thread_index(definition: CanonicalBuiltin, instance: InstanceState, context: BuiltinContext) -> Callable[..., Any]:
    def thread_index() -> int:
        instance.check_may_leave()
        return instance.current_task().thread_index

    return thread_index


# -- waitable sets ----------------------------------------------------------------------------------


def _waitable_set_new(
    definition: CanonicalBuiltin, instance: InstanceState, context: BuiltinContext
) -> Callable[..., Any]:
    def waitable_set_new() -> int:
        instance.check_may_leave()
        return instance.handles.add(WaitableSet())

    return waitable_set_new


def _waitable_set_event(wait: bool) -> Callable[..., Callable[..., Any]]:
    """``waitable-set.wait`` (``wait``: block until an event) or ``waitable-set.poll`` (no event: ``NONE``)."""

    def make(definition: CanonicalBuiltin, instance: InstanceState, context: BuiltinContext) -> Callable[..., Any]:
        options = CanonicalOptions(memory=context.memory)

        def waitable_set_event(set_index: int, ptr: int) -> int:
            instance.check_may_leave()
            waitable_set = waitable_set_at(instance, set_index)
            event = waitable_set.wait() if wait else waitable_set.pending_event() or (EventCode.NONE, 0, 0)
            return _deliver(LiftLowerContext(options, instance), event, ptr)

        return waitable_set_event

    return make


def _deliver(cx: LiftLowerContext, event: tuple[int, int, int], ptr: int) -> int:
    """Store an event's two payloads at ``ptr``; its code is the result."""
    code, first, second = event
    store(cx, first, Primitive.U32, ptr)
    store(cx, second, Primitive.U32, ptr + 4)
    return int(code)


def _waitable_set_drop(
    definition: CanonicalBuiltin, instance: InstanceState, context: BuiltinContext
) -> Callable[..., Any]:
    def waitable_set_drop(set_index: int) -> None:
        instance.check_may_leave()
        waitable_set_at(instance, set_index)  # (never with waiters: none can join it)
        instance.handles.remove(set_index)

    return waitable_set_drop


def _not_a(kind: str) -> Callable[..., Callable[..., Any]]:
    """A built-in taking a handle of ``kind`` (a waitable, a subtask) as its first argument: none
    exists here (every call completes at once), so any handle given is the wrong one."""

    def make(definition: CanonicalBuiltin, instance: InstanceState, context: BuiltinContext) -> Callable[..., Any]:
        def takes_handle(index: int, *_args: Any) -> Any:
            instance.check_may_leave()
            instance.handles.get(index)  # (unknown handle first)
            raise Trap(f"handle index {index} is not a {kind}")

        return takes_handle

    return make


_Maker = Callable[[CanonicalBuiltin, InstanceState, BuiltinContext], Callable[..., Any]]

_MAKERS: dict[str, _Maker] = {
    "task.return": _task_return,
    "task.cancel": _task_cancel,
    "context.get": _context_get,
    "context.set": _context_set,
    "backpressure.inc": _backpressure(1),
    "backpressure.dec": _backpressure(-1),
    "thread.yield": _thread_yield,
    "thread.index": _thread_index,
    "waitable-set.new": _waitable_set_new,
    "waitable-set.wait": _waitable_set_event(wait=True),
    "waitable-set.poll": _waitable_set_event(wait=False),
    "waitable-set.drop": _waitable_set_drop,
    "waitable.join": _not_a("waitable"),
    "subtask.cancel": _not_a("subtask"),
    "subtask.drop": _not_a("subtask"),
}
"""The built-ins implemented; every other one traps "not supported" when called."""
