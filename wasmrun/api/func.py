""":class:`Func`: a function of a store, wasm or host, called with Python values.

A host function (``Func(store, type, callable)``) receives its parameters as Python values, integers
signed (:mod:`wasmrun.api.values`), and the :class:`~wasmrun.api.caller.Caller` first when made with
``access_caller=True``; it returns None, one value, or a sequence for several results.  An exception
it raises reaches the Python code that called into wasm, as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wasmrun.api.caller import Caller
from wasmrun.api.errors import WasmtimeError, translated_errors
from wasmrun.api.externs import Extern
from wasmrun.api.store import Storelike, store_of
from wasmrun.api.types import FuncType
from wasmrun.api.values import from_canonical, to_canonical
from wasmrun.runtime.functions import CallerHostFunction, FunctionInstance, HostFunction, WasmFunction

if TYPE_CHECKING:
    from wasmrun.api.store import Store
    from wasmrun.runtime.instance import Instance as RuntimeInstance


class Func(Extern):
    """A function: ``Func(store, ty, callable, access_caller=False)`` defines one in Python."""

    runtime_class = FunctionInstance
    _runtime: FunctionInstance

    def __init__(self, store: Storelike, ty: FuncType, func: Callable[..., Any], access_caller: bool = False) -> None:
        if not isinstance(ty, FuncType):
            raise TypeError("expected a FuncType")
        self._runtime = host_function(store_of(store), ty, func, access_caller)

    def type(self, store: Storelike) -> FuncType:
        """The function's type."""
        return FuncType._of(self._runtime.type)

    def __call__(self, store: Storelike, *params: Any) -> Any:
        """Call the function: parameters as Python values (or :class:`~wasmrun.api.values.Val`); None for
        no result, the value for one, a list for several."""
        store_of(store)
        function_type = self._runtime.type
        expected = len(function_type.params)
        if len(params) != expected:
            few = "many" if len(params) > expected else "few"
            raise WasmtimeError(f"too {few} parameters provided: given {len(params)}, expected {expected}")
        args = [to_canonical(valtype, value) for valtype, value in zip(function_type.params, params)]
        module = self._runtime.instance.module if isinstance(self._runtime, WasmFunction) else None
        with translated_errors(module):
            results = self._runtime.invoke(args)
        values = [from_canonical(valtype, value) for valtype, value in zip(function_type.results, results)]
        if not values:
            return None
        return values[0] if len(values) == 1 else values

    def __repr__(self) -> str:
        return f"<Func {self._runtime.type}>"


def host_function(store: Store, ty: FuncType, func: Callable[..., Any], access_caller: bool) -> HostFunction:
    """wasmrun's host function in ``store`` calling ``func`` as the API calls host functions."""
    function_type = store._runtime.intern_type(ty._record)
    params = function_type.params
    results = function_type.results
    name = getattr(func, "__name__", "host")

    def call(caller: Caller | None, args: tuple[Any, ...]) -> Any:
        python = [from_canonical(valtype, value) for valtype, value in zip(params, args)]
        returned = func(caller, *python) if caller is not None else func(*python)
        if not results:
            if returned is not None:
                raise WasmtimeError("callback produced results when it shouldn't")
            return None
        if len(results) == 1:
            return to_canonical(results[0], returned)
        returned = list(returned)
        if len(returned) != len(results):
            raise WasmtimeError("callback produced wrong number of results")
        return [to_canonical(valtype, value) for valtype, value in zip(results, returned)]

    if not access_caller:

        def without_caller(*args: Any) -> Any:
            return call(None, args)

        host = HostFunction(function_type, without_caller, name)
    else:

        def with_caller(instance: RuntimeInstance | None, *args: Any) -> Any:
            caller = Caller(store, instance)
            try:
                return call(caller, args)
            finally:
                caller._invalidate()

        host = CallerHostFunction(function_type, with_caller, name)
    store._runtime.functions.append(host)
    return host
