"""The canonical ABI's entry points: values to and from memory and core values, ``canon lift`` and ``canon lower``.

What the component instantiation code calls:

* :func:`lift_function` (``canon lift``): a core function as a component function, called with
  Python values (:class:`LiftedFunction`);
* :func:`lower_function` (``canon lower``): a component function (a Python callable, or a
  :class:`LiftedFunction` of another instance) as a core function, a
  :class:`~wasmrun.runtime.functions.HostFunction` to give core instances as an import;
* :func:`load`, :func:`store`, :func:`lift_flat`, :func:`lower_flat`, :func:`lift_flat_values`,
  :func:`lower_flat_values`: single values and parameter lists, for built-ins and tests.

A call from one component to another is a lowered function whose callee is the other's lifted
function: values pass as Python values, and the order of the guests' observable steps is the
spec's (the callee's results are lifted, its borrows checked, the results lowered into the
caller with the caller's ``realloc``, then the callee's ``post-return`` runs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from wasmrun.component.types import FuncType, TupleType, ValueType
from wasmrun.component_runtime.context import (
    BorrowScope,
    CanonicalOptions,
    CoreCallable,
    LiftLowerContext,
)
from wasmrun.component_runtime.instance_state import InstanceState
from wasmrun.component_runtime.layout import (
    MAX_FLAT_ASYNC_PARAMS,
    MAX_FLAT_PARAMS,
    MAX_FLAT_RESULTS,
    CoreSignature,
    alignment,
    elem_size,
    flatten_functype,
    flatten_type,
    flatten_types,
)
from wasmrun.component_runtime.lifting import flat_lifter, loader
from wasmrun.component_runtime.lowering import flat_lowerer, storer
from wasmrun.component_runtime.resources import ResourceHandle, release_lends
from wasmrun.component_runtime.tasks import (
    CallbackCode,
    EventCode,
    SubtaskState,
    Task,
    unpack_callback_code,
    waitable_set_at,
)
from wasmrun.component_runtime.traps import (
    CANNOT_ENTER,
    NO_ASYNC_RESULT,
    POINTER_MISALIGNED,
    POINTER_OUT_OF_BOUNDS,
    UNCAUGHT_EXCEPTION,
)
from wasmrun.errors import Trap, WasmException
from wasmrun.runtime.functions import HostFunction


def as_core_callable(function: Any) -> CoreCallable:
    """A core function as a callable taking and returning lists of core values (``FunctionInstance.invoke``)."""
    invoke = getattr(function, "invoke", None)
    return invoke if invoke is not None else function


def call_core(core: CoreCallable, args: Sequence[Any]) -> Sequence[Any]:
    """Call a core function; an exception no ``try_table`` caught traps at the component boundary."""
    try:
        return core(args)
    except WasmException:
        raise Trap(UNCAUGHT_EXCEPTION) from None


def _check_pointer(cx: LiftLowerContext, ptr: int, value_type: ValueType) -> None:
    if ptr % alignment(value_type, cx.ptr64):
        raise Trap(POINTER_MISALIGNED)
    if ptr + elem_size(value_type, cx.ptr64) > len(cx.view):
        raise Trap(POINTER_OUT_OF_BOUNDS)


# -- single values ----------------------------------------------------------------------------------


def load(cx: LiftLowerContext, ptr: int, value_type: ValueType) -> Any:
    """The value of ``value_type`` at ``ptr`` (trap if misaligned or out of bounds)."""
    _check_pointer(cx, ptr, value_type)
    return loader(value_type, cx.ptr64)(cx, cx.view, ptr)


def store(cx: LiftLowerContext, value: Any, value_type: ValueType, ptr: int) -> None:
    """Write ``value`` at ``ptr`` (trap if misaligned or out of bounds), allocating what it points to."""
    _check_pointer(cx, ptr, value_type)
    storer(value_type, cx.ptr64)(cx, value, ptr)


def lift_flat(cx: LiftLowerContext, core_values: Sequence[Any], value_type: ValueType) -> Any:
    """The value of ``value_type`` passed as ``core_values`` (exactly its flattening)."""
    expected = len(flatten_type(value_type, cx.ptr64))
    if len(core_values) != expected:
        raise ValueError(f"{value_type} is passed as {expected} core values, not {len(core_values)}")
    return flat_lifter(value_type, cx.ptr64)(cx, iter(core_values))


def lower_flat(cx: LiftLowerContext, value: Any, value_type: ValueType) -> list[Any]:
    """``value`` as core values (its type's flattening), allocating what it points to."""
    out: list[Any] = []
    flat_lowerer(value_type, cx.ptr64)(cx, value, out)
    return out


# -- parameter and result lists ---------------------------------------------------------------------


class ValuesAbi:
    """How a list of values of fixed types passes: flat, or (more than ``max_flat`` core values) in memory as a tuple."""

    __slots__ = ("in_memory", "lifters", "load_tuple", "lowerers", "store_tuple", "tuple_type", "types")

    def __init__(self, types: tuple[ValueType, ...], max_flat: int, ptr64: bool) -> None:
        self.types = types
        self.tuple_type = TupleType(types)
        self.in_memory = len(flatten_types(types, ptr64)) > max_flat
        self.lifters = [flat_lifter(value_type, ptr64) for value_type in types]
        self.lowerers = [flat_lowerer(value_type, ptr64) for value_type in types]
        self.load_tuple = loader(self.tuple_type, ptr64) if self.in_memory else None
        self.store_tuple = storer(self.tuple_type, ptr64) if self.in_memory else None

    def lift(self, cx: LiftLowerContext, core_values: Sequence[Any]) -> list[Any]:
        values = iter(core_values)
        if self.load_tuple is not None:
            ptr = next(values)
            _check_pointer(cx, ptr, self.tuple_type)
            return list(self.load_tuple(cx, cx.view, ptr))
        return [lift(cx, values) for lift in self.lifters]

    def lower(self, cx: LiftLowerContext, values: Sequence[Any], out_param: int | None = None) -> list[Any]:
        if len(values) != len(self.types):
            raise TypeError(f"expected {len(self.types)} values, got {len(values)}")
        if self.store_tuple is not None:
            tuple_type = self.tuple_type
            if out_param is None:
                ptr = cx.allocate(alignment(tuple_type, cx.ptr64), elem_size(tuple_type, cx.ptr64))
                flat = [ptr]
            else:
                ptr = out_param
                flat = []
                _check_pointer(cx, ptr, tuple_type)
            self.store_tuple(cx, tuple(values), ptr)
            return flat
        out: list[Any] = []
        for lower, value in zip(self.lowerers, values):
            lower(cx, value, out)
        return out


def lift_flat_values(
    cx: LiftLowerContext, max_flat: int, core_values: Sequence[Any], types: tuple[ValueType, ...]
) -> list[Any]:
    """The values of ``types`` passed as ``core_values`` (a pointer to them when they flatten to more than ``max_flat``)."""
    return ValuesAbi(types, max_flat, cx.ptr64).lift(cx, core_values)


def lower_flat_values(
    cx: LiftLowerContext,
    max_flat: int,
    values: Sequence[Any],
    types: tuple[ValueType, ...],
    out_param: int | None = None,
) -> list[Any]:
    """``values`` as core values; beyond ``max_flat`` stored in memory, at ``out_param`` or allocated."""
    return ValuesAbi(types, max_flat, cx.ptr64).lower(cx, values, out_param)


# -- canon lift -------------------------------------------------------------------------------------


class LiftedFunction:
    """A core function lifted to a component function (``canon lift``): call it with Python values.

    ``instance`` is the component instance containing the ``canon lift`` (whose handle table the
    arguments' handles go into).  ``signature`` is the core function's expected signature.  Each
    call is a :class:`~wasmrun.component_runtime.tasks.Task` of ``instance``; an async lift (the
    ``async`` option) returns its result through ``task.return`` and runs to completion before the
    call returns (see :mod:`.tasks`).
    """

    __slots__ = (
        "core",
        "func_type",
        "instance",
        "options",
        "params",
        "post_return",
        "result",
        "signature",
    )

    def __init__(self, core: Any, func_type: FuncType, options: CanonicalOptions, instance: InstanceState) -> None:
        ptr64 = options.ptr64
        self.core = as_core_callable(core)
        self.func_type = func_type
        self.options = options
        self.instance = instance
        self.signature: CoreSignature = flatten_functype(
            func_type, "lift", ptr64, options.is_async, options.callback is not None
        )
        self.params = ValuesAbi(tuple(param for _name, param in func_type.params), MAX_FLAT_PARAMS, ptr64)
        results = () if func_type.result is None else (func_type.result,)
        self.result = ValuesAbi(results, MAX_FLAT_RESULTS, ptr64)
        self.post_return = None if options.post_return is None else as_core_callable(options.post_return)

    def __repr__(self) -> str:
        return f"<LiftedFunction {self.func_type}>"

    def __call__(self, *args: Any) -> Any:
        """Call from the host: the result (None for a function without one)."""
        return self.call(args)

    def call(
        self,
        args: Sequence[Any],
        caller: InstanceState | None = None,
        on_result: Callable[[Any], None] | None = None,
    ) -> Any:
        """Call with ``args`` from ``caller`` (None: the host); ``on_result`` receives the result before
        ``post-return`` runs (a lowering caller lowers it then, as the spec orders it)."""
        instance = self.instance
        if caller is instance:
            # A component calling its own lifted export through ``canon lower`` reenters itself (Wasmtime
            # compiles such an adapter to this trap).
            raise Trap(CANNOT_ENTER)
        entered = instance.enter_from(caller)
        scope = BorrowScope()
        cx = LiftLowerContext(self.options, instance, borrow_scope=scope)
        try:
            flat_args = self.params.lower(cx, args)
        except (TypeError, ValueError):
            instance.leave(entered)  # the host's mistake (a value not of its type): the instance is not poisoned
            raise
        task = Task(self.func_type, self.options, instance, scope, on_result)
        task.thread_index = instance.threads.add(task)
        instance.tasks.append(task)
        if self.options.is_async:
            self._run_async(flat_args)
            if not task.returned:
                raise Trap(NO_ASYNC_RESULT)
        else:
            flat_results = call_core(self.core, flat_args)
            lifted = self.result.lift(cx, flat_results)
            task.return_(lifted[0] if lifted else None)
            if self.post_return is not None:
                instance.may_leave = False
                call_core(self.post_return, flat_results)
                instance.may_leave = True
        instance.tasks.pop()
        instance.threads.remove(task.thread_index)
        instance.leave(entered)
        return task.result

    def _run_async(self, flat_args: Sequence[Any]) -> None:
        """Run an async-lifted core function to its end: once (stackful), or with its callback until ``EXIT``."""
        callback = self.options.callback
        if callback is None:
            call_core(self.core, flat_args)
            return
        (packed,) = call_core(self.core, flat_args)
        code, set_index = unpack_callback_code(packed)
        while code is not CallbackCode.EXIT:
            if code is CallbackCode.YIELD:
                event: tuple[int, int, int] = (EventCode.NONE, 0, 0)  # (no other task to yield to)
            else:
                event = waitable_set_at(self.instance, set_index).wait()
            (packed,) = call_core(callback, list(event))
            code, set_index = unpack_callback_code(packed)


def lift_function(core: Any, func_type: FuncType, options: CanonicalOptions, instance: InstanceState) -> LiftedFunction:
    """``canon lift``: ``core`` (a FunctionInstance, or a callable from a list of core arguments to a sequence
    of core results) as a component function of ``func_type``."""
    return LiftedFunction(core, func_type, options, instance)


# -- canon lower ------------------------------------------------------------------------------------


_RETURNED = int(SubtaskState.RETURNED)


def lower_function(
    callee: Callable[..., Any],
    func_type: FuncType,
    options: CanonicalOptions,
    instance: InstanceState,
    name: str = "",
) -> HostFunction:
    """``canon lower``: the component function ``callee`` as a core function for the code of ``instance``.

    ``callee`` is a :class:`LiftedFunction` (a call into another component instance) or a Python
    callable taking the parameters' values positionally and returning the result's (ignored for a
    function without one).  The core function's type is ``flatten_functype(func_type, "lower")``.

    With the ``async`` option the result always goes to memory and the core function returns the
    subtask's state: ``RETURNED``, since the callee has always finished by then (see :mod:`.tasks`).
    """
    ptr64 = options.ptr64
    is_async = options.is_async
    signature = flatten_functype(func_type, "lower", ptr64, is_async)
    max_flat_params, max_flat_results = (MAX_FLAT_ASYNC_PARAMS, 0) if is_async else (MAX_FLAT_PARAMS, MAX_FLAT_RESULTS)
    params = ValuesAbi(tuple(param for _name, param in func_type.params), max_flat_params, ptr64)
    results = () if func_type.result is None else (func_type.result,)
    result_abi = ValuesAbi(results, max_flat_results, ptr64)
    retptr = signature.results_in_memory
    lifted = callee if isinstance(callee, LiftedFunction) else None

    def lowered(*core_args: Any) -> Any:
        instance.check_may_leave()
        lenders: list[ResourceHandle] = []
        cx = LiftLowerContext(options, instance, lenders=lenders)
        cx.lazy_strings = lifted is not None
        args = params.lift(cx, core_args[:-1] if retptr else core_args)
        out_param = core_args[-1] if retptr else None
        flat: list[Any] = []
        try:
            if lifted is not None:

                def lower_result(result: Any) -> None:
                    flat.extend(result_abi.lower(cx, (result,) if results else (), out_param))

                lifted.call(args, caller=instance, on_result=lower_result)
            else:
                result = callee(*args)
                flat = result_abi.lower(cx, (result,) if results else (), out_param)
        finally:
            release_lends(lenders)  # (the borrows end with the call, however it ends)
        if is_async:
            return _RETURNED  # (subtask index 0 in the upper bits: there is no subtask to wait for)
        return flat[0] if flat else None

    return HostFunction(signature.core_type, lowered, name or getattr(callee, "__name__", "lowered"))
