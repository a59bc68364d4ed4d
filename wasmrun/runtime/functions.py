"""Function instances (spec 4.2.6): what ``call``, ``call_indirect`` and a funcref reach.

Every function instance, wasm or host, has a ``type`` and an ``entry``: a plain
Python function taking the arguments as a *fresh list* of canonical values (the
callee may extend it into its frame) and returning the results in the engine's
calling convention: ``None`` for no result, the value itself for one, a sequence
for several.  The interpreter's call instructions call ``function.entry``
directly, so it is a plain function (never a bound method or a callable object:
those would make every wasm call a C-level recursion).

A :class:`WasmFunction` starts with an entry that translates its body on first
call and replaces itself (the executor's business: see
:class:`wasmrun.runtime.executor.Executor`).

Every function instance also has a ``direct``: the same function called with
the arguments as *positional* parameters (same results convention), which is
how compiled code calls (see :mod:`wasmrun.codegen.compiled`).  A host
function's is made here; the executor gives each wasm function its own.

Tail calls (``return_call*``) run in constant stack space in both tiers: the
code of a function that makes them may return a :class:`TailCall` (the callee
and its argument list) instead of its results, and that function's ``entry``
and ``direct`` finish the chain in a loop (:func:`finish_tail_calls`),
calling each callee's ``tail`` (its code that may return a TailCall in turn,
taking the argument list) where it has one, else its ``entry``.  Only
functions with tail calls have a ``tail``; the others' calls are untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from wasmrun.deftypes import DefinedType
from wasmrun.deftypes import function_type as canonical_function_type
from wasmrun.errors import TRAP_INDIRECT_CALL_TYPE, TRAP_UNDEFINED_ELEMENT, TRAP_UNINITIALIZED_ELEMENT, Trap
from wasmrun.floats import f32_from_bits, f32_to_bits
from wasmrun.types import FuncType, ValType, ValueType

if TYPE_CHECKING:
    from wasmrun.runtime.instance import Instance

Entry = Callable[[list[Any]], Any]

_MASKS: dict[Any, int] = {ValType.I32: 0xFFFFFFFF, ValType.I64: 0xFFFFFFFFFFFFFFFF, ValType.V128: (1 << 128) - 1}
_SIGN_BITS: dict[Any, int] = {ValType.I32: 1 << 31, ValType.I64: 1 << 63}


def resolve_indirect(elements: list[Any], index: int, function_type: DefinedType) -> FunctionInstance:
    """The function ``call_indirect`` calls, or its trap: the one place for those checks.

    Both tiers inline the common case (an element of the very same type object)
    and come here for everything else: an index out of range, a null element,
    or a type that is equal but another object.
    """
    if index >= len(elements):
        raise Trap(TRAP_UNDEFINED_ELEMENT)
    function: FunctionInstance | None = elements[index]
    if function is None:
        raise Trap(f"{TRAP_UNINITIALIZED_ELEMENT} {index}")  # the index, as the reference interpreter says
    # WebAssembly 3.0: the function's (canonical) type must be a subtype of the one expected.
    if function.type is not function_type and not function.type.is_subtype_of(function_type):
        raise Trap(TRAP_INDIRECT_CALL_TYPE)
    return function


class TailCall:
    """A tail call still to make: what code with tail calls returns instead of its results."""

    __slots__ = ("args", "function")

    def __init__(self, function: FunctionInstance, args: list[Any]) -> None:
        self.function = function
        self.args = args


def finish_tail_calls(result: Any) -> Any:
    """Make the tail calls ``result`` asks for, one after the other (never nested); the final results."""
    while result.__class__ is TailCall:
        function = result.function
        tail = function.tail
        if tail is None:
            return function.entry(result.args)
        result = tail(result.args)
    return result


def tail_callee(elements: list[Any], index: int, function_type: DefinedType) -> FunctionInstance:
    """``return_call_indirect``'s callee (see :func:`resolve_indirect`), the common case first."""
    function = elements[index] if index < len(elements) else None
    if function is None or function.type is not function_type:
        return resolve_indirect(elements, index, function_type)
    return function


class FunctionInstance:
    """A function: its type, its entry and its ``tail`` entry, if any (see the module docstring)."""

    __slots__ = ("direct", "entry", "tail", "type")

    type: DefinedType
    entry: Entry
    direct: Callable[..., Any]
    tail: Callable[[list[Any]], Any] | None

    def __call__(self, *args: Any) -> Any:
        """Call from Python: ints (negative allowed) and floats in, ``None``/a value/a tuple out.

        Integers come back signed (as in Wasmtime's Python API), floats as Python floats.
        """
        params = self.type.params
        if len(args) != len(params):
            raise TypeError(f"function of type {self.type} takes {len(params)} arguments, got {len(args)}")
        results = self.invoke([to_canonical(arg, valtype) for arg, valtype in zip(args, params)])
        python = tuple(from_canonical(value, valtype) for value, valtype in zip(results, self.type.results))
        if not python:
            return None
        return python[0] if len(python) == 1 else python

    def invoke(self, args: Sequence[Any]) -> tuple[Any, ...]:
        """Call with canonical arguments; the canonical results as a tuple."""
        raise NotImplementedError


class WasmFunction(FunctionInstance):
    """A function defined by a module: its instance and its index in that module's function space."""

    __slots__ = ("index", "instance")

    def __init__(self, function_type: DefinedType, instance: Instance, index: int) -> None:
        self.type = function_type
        self.instance = instance
        self.index = index
        self.tail = None
        instance.store.executor.prepare(self)

    def __repr__(self) -> str:
        return f"<WasmFunction {self.index} {self.type}>"

    def invoke(self, args: Sequence[Any]) -> tuple[Any, ...]:
        return self.instance.store.invoke(self, args)


class HostFunction(FunctionInstance):
    """A function implemented in Python.

    ``function`` is called with the canonical argument values (i32/i64 as
    unsigned ints, possibly ``bool``) and returns ``None``, one value, or a
    tuple for several results; integers may be signed (they are wrapped to the
    result type), floats are taken as they are.
    """

    __slots__ = ("function", "name")

    def __init__(self, function_type: FuncType | DefinedType, function: Callable[..., Any], name: str = "") -> None:
        if function_type.__class__ is not DefinedType:
            function_type = canonical_function_type(function_type)  # type: ignore[arg-type]
        self.type = function_type
        self.function = function
        self.name = name or getattr(function, "__name__", "host")
        self.tail = None
        self.entry = _host_entry(function_type, function)
        self.direct = _host_direct(function_type, function)

    def __repr__(self) -> str:
        return f"<HostFunction {self.name} {self.type}>"

    def invoke(self, args: Sequence[Any]) -> tuple[Any, ...]:
        return results_tuple(self.type, self.entry(list(args)))


class CallerHostFunction(HostFunction):
    """A host function that takes its caller: ``function(instance, *args)``, where ``instance`` is the
    instance whose code calls it.

    Instantiation gives each importing instance its own :meth:`bind_caller` copy (so the caller is
    known without the engine tracking it); called any other way (from Python, or through a table
    that holds this function itself), ``instance`` is None.
    """

    __slots__ = ("caller_function",)

    def __init__(self, function_type: FuncType | DefinedType, function: Callable[..., Any], name: str = "") -> None:
        self.caller_function = function

        def without_caller(*args: Any) -> Any:
            return function(None, *args)

        super().__init__(function_type, without_caller, name or getattr(function, "__name__", "host"))

    def bind_caller(self, instance: Instance) -> HostFunction:
        """This function as the functions of ``instance`` call it: with ``instance`` as the caller."""
        function = self.caller_function

        def with_caller(*args: Any) -> Any:
            return function(instance, *args)

        return HostFunction(self.type, with_caller, self.name)


def _host_entry(function_type: FuncType | DefinedType, function: Callable[..., Any]) -> Entry:
    """The entry of a host function: call it, then wrap integer results to their type."""
    results = function_type.results
    if not results:

        def entry_none(args: list[Any]) -> None:
            function(*args)

        return entry_none
    if len(results) == 1:
        mask = _MASKS.get(results[0])
        if mask is None:

            def entry_one(args: list[Any]) -> Any:
                return function(*args)

            return entry_one

        def entry_int(args: list[Any]) -> Any:
            return function(*args) & mask

        return entry_int
    masks = [_MASKS.get(valtype) for valtype in results]
    count = len(results)

    def entry_many(args: list[Any]) -> list[Any]:
        values = function(*args)
        if len(values) != count:
            raise TypeError(f"host function returned {len(values)} results, its type has {count}")
        return [value if mask is None else value & mask for value, mask in zip(values, masks)]

    return entry_many


def _host_direct(function_type: FuncType | DefinedType, function: Callable[..., Any]) -> Callable[..., Any]:
    """The positional form of :func:`_host_entry` (``direct``)."""
    results = function_type.results
    if not results or (len(results) == 1 and _MASKS.get(results[0]) is None):
        return function
    if len(results) == 1:
        mask = _MASKS[results[0]]

        def direct_int(*args: Any) -> Any:
            return function(*args) & mask

        return direct_int
    entry = _host_entry(function_type, function)

    def direct_many(*args: Any) -> list[Any]:
        return entry(list(args))

    return direct_many


def results_tuple(function_type: FuncType | DefinedType, value: Any) -> tuple[Any, ...]:
    """Results in the calling convention (``None``/value/sequence) as a tuple of canonical values."""
    count = len(function_type.results)
    if count == 0:
        return ()
    values = (value,) if count == 1 else tuple(value)
    # Comparisons leave Python bools in i32 slots (cheaper); the outside world sees ints.
    return tuple(int(v) if v.__class__ is bool else v for v in values)


def to_canonical(value: Any, valtype: ValueType) -> Any:
    """A Python argument as the canonical value of ``valtype`` (ints wrap; floats round to f32)."""
    mask = _MASKS.get(valtype)
    if mask is not None:
        if not isinstance(value, int):
            raise TypeError(f"expected an int for a {valtype.text} argument, got {value!r}")
        if not -(mask >> 1) - 1 <= value <= mask:
            raise ValueError(f"{value} is out of range for {valtype.text}")
        return value & mask
    if valtype is ValType.F32:
        return f32_from_bits(f32_to_bits(float(value)))
    if valtype is ValType.F64:
        return float(value)
    return value


def from_canonical(value: Any, valtype: ValueType) -> Any:
    """A canonical result as Python sees it: i32/i64 signed, everything else as it is."""
    sign = _SIGN_BITS.get(valtype)
    if sign is not None:
        value = int(value)
        return value - (sign << 1) if value & sign else value
    return value
