"""The oracle: run a module's plan under Wasmtime (wasmtime-py), with exact bit patterns.

wasmtime-py's ``Func.__call__`` converts values through Python floats (a
signalling NaN comes back quiet) and cannot pass v128 at all, so exported
functions are called through the C API's ``wasmtime_func_call`` with raw
``wasmtime_val_t`` arrays, reading each result's bits from the value union
(:func:`_put`, :func:`_get`), and globals are read the same way.  These are
wasmtime-py internals (``wasmtime._ffi``, ``wasmtime._func.enter_wasm``): this
module is the one place that touches them.

Fuel: ``Config.consume_fuel``; the store gets the plan's budget before
instantiation and again before each call, and what a call consumed is the
budget minus ``get_fuel()`` after it.
"""

from __future__ import annotations

import ctypes
import itertools
import time
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi
from wasmtime._func import enter_wasm

from fuzz import state
from fuzz.features import FeatureSet
from fuzz.guard import Timeout, deadline
from fuzz.interface import Extern, Interface
from fuzz.observe import Call, HostCall, Observation, State
from fuzz.plan import Plan
from fuzz.values import Value, global_initial, host_results

# Wasmtime's trap codes as the neutral kinds of fuzz.adapter.TRAP_KINDS.
TRAP_KINDS = {
    wasmtime.TrapCode.STACK_OVERFLOW: "call-stack-exhausted",
    wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS: "memory-out-of-bounds",
    wasmtime.TrapCode.TABLE_OUT_OF_BOUNDS: "table-out-of-bounds",
    wasmtime.TrapCode.INDIRECT_CALL_TO_NULL: "uninitialized-element",
    wasmtime.TrapCode.BAD_SIGNATURE: "indirect-call-type-mismatch",
    wasmtime.TrapCode.INTEGER_OVERFLOW: "integer-overflow",
    wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO: "integer-divide-by-zero",
    wasmtime.TrapCode.BAD_CONVERSION_TO_INTEGER: "invalid-conversion-to-integer",
    wasmtime.TrapCode.UNREACHABLE: "unreachable",
    wasmtime.TrapCode.INTERRUPT: "interrupt",
    wasmtime.TrapCode.OUT_OF_FUEL: "out-of-fuel",
}

_KINDS = {
    "i32": ffi.WASMTIME_I32.value,
    "i64": ffi.WASMTIME_I64.value,
    "f32": ffi.WASMTIME_F32.value,
    "f64": ffi.WASMTIME_F64.value,
    "v128": ffi.WASMTIME_V128.value,
    "funcref": ffi.WASMTIME_FUNCREF.value,
    "externref": ffi.WASMTIME_EXTERNREF.value,
}


def trap_kind(trap: wasmtime.Trap) -> str:
    code = trap.trap_code
    kind = TRAP_KINDS.get(code) if code is not None else None
    return kind if kind is not None else f"other: {trap.message.splitlines()[0]}"


def make_engine(features: FeatureSet) -> wasmtime.Engine:
    config = wasmtime.Config()
    config.consume_fuel = True
    for name, enabled in features.wasmtime.items():
        setattr(config, name, enabled)
    return wasmtime.Engine(config)


def verdict(engine: wasmtime.Engine, wasm: bytes) -> tuple[str, wasmtime.Module | None]:
    try:
        return "valid", wasmtime.Module(engine, wasm)
    except wasmtime.WasmtimeError as error:
        return f"invalid: {' / '.join(str(error).split(chr(10)))}", None


# --- raw values ------------------------------------------------------------------------------------------


def _put(slot: Any, valtype: str, value: Value) -> None:
    slot.kind = _KINDS[valtype]
    if valtype in ("funcref", "externref"):
        assert value == "null", "only null references are passed in"
        if valtype == "funcref":
            slot.of.funcref.store_id = 0
        else:
            slot.of.externref.store_id = 0
        return
    assert isinstance(value, int)
    if valtype in ("i32", "f32"):
        slot.of.i32 = value - (1 << 32) if value >> 31 else value
    elif valtype in ("i64", "f64"):
        slot.of.i64 = value - (1 << 64) if value >> 63 else value
    else:
        ctypes.memmove(ctypes.addressof(slot.of.v128), value.to_bytes(16, "little"), 16)


def _get(slot: Any, valtype: str) -> Value:
    if valtype == "funcref":
        return "null" if slot.of.funcref.store_id == 0 else "func"
    if valtype == "externref":
        return "null" if slot.of.externref.store_id == 0 else "extern"
    if valtype in ("i32", "f32"):
        return int(slot.of.i32) & 0xFFFFFFFF
    if valtype in ("i64", "f64"):
        return int(slot.of.i64) & 0xFFFFFFFFFFFFFFFF
    return int.from_bytes(bytes(slot.of.v128), "little")


def _unroot(slots: Any, valtypes: tuple[str, ...]) -> None:
    for index, valtype in enumerate(valtypes):
        if valtype in ("funcref", "externref"):
            ffi.wasmtime_val_unroot(ctypes.byref(slots[index]))


def call_raw(
    store: wasmtime.Store,
    function: wasmtime.Func,
    params: tuple[str, ...],
    results: tuple[str, ...],
    args: tuple[Value, ...],
) -> tuple[Value, ...]:
    """Call ``function`` with exact arguments; its exact results (raises wasmtime.Trap)."""
    arguments = (ffi.wasmtime_val_t * max(len(params), 1))()
    for index, (valtype, value) in enumerate(zip(params, args)):
        _put(arguments[index], valtype, value)
    outputs = (ffi.wasmtime_val_t * max(len(results), 1))()
    with enter_wasm(store) as trap:
        error = ffi.wasmtime_func_call(
            store._context(), ctypes.byref(function._func), arguments, len(params), outputs, len(results), trap
        )
        if error:
            raise wasmtime.WasmtimeError._from_ptr(error)
    values = tuple(_get(outputs[index], valtype) for index, valtype in enumerate(results))
    _unroot(outputs, results)
    return values


def table_non_null(store: wasmtime.Store, table: wasmtime.Table, valtype: str) -> list[bool]:
    """Which entries of ``table`` are not null (wasmtime-py's ``Table.get`` wraps a null in a truthy Val)."""
    entries = []
    for index in range(table.size(store)):
        slot = ffi.wasmtime_val_t()
        found = ffi.wasmtime_table_get(store._context(), ctypes.byref(table._table), index, ctypes.byref(slot))
        assert found, "an index below the table's size"
        entries.append(_get(slot, valtype) != "null")
        _unroot([slot], (valtype,))
    return entries


def global_value(store: wasmtime.Store, global_: wasmtime.Global, valtype: str) -> Value:
    slot = ffi.wasmtime_val_t()
    ffi.wasmtime_global_get(store._context(), ctypes.byref(global_._global), ctypes.byref(slot))
    value = _get(slot, valtype)
    _unroot([slot], (valtype,))
    return value


# --- host objects ----------------------------------------------------------------------------------------


class Host:
    """The same imports as :class:`fuzz.run_wasmrun.Host`, made through the C API.

    Host functions and globals are made with ``wasmtime_func_new`` and
    ``wasmtime_global_new`` on raw values, so that v128 works and no float goes
    through Python (wasmtime-py's ``Func`` and ``Global`` have neither).  An
    exception in a host function (the guard's :class:`~fuzz.guard.Timeout`) becomes a
    trap and is raised again by :meth:`reraise` once the call is out of Wasmtime.
    """

    def __init__(self, store: wasmtime.Store, interface: Interface, module: wasmtime.Module) -> None:
        self.log: list[HostCall] = []
        self.count = 0  # host calls made by the instance so far
        self.objects: list[Any] = []  # one per import, in import order (so two imports of one name can differ)
        self.pending: BaseException | None = None
        globals_seen = 0
        self.imports = interface.imports
        for extern, imported in zip(interface.imports, module.imports, strict=True):
            self.objects.append(self._make(store, extern, imported.type, globals_seen))
            globals_seen += extern.kind == "global"

    def _make(self, store: wasmtime.Store, extern: Extern, extern_type: Any, global_position: int) -> Any:
        # Function and global types are Wasmtime's own, from the module's imports: wasmtime-py cannot
        # make a v128 ValType (the C API's wasm_valtype_new has none).
        if extern.kind == "func":
            key = next(_KEYS)
            _HOST_FUNCTIONS[key] = (self, extern)
            raw = ffi.wasmtime_func_t()
            ffi.wasmtime_func_new(store._context(), extern_type.ptr(), _trampoline, key, _finalize, ctypes.byref(raw))
            return wasmtime.Func._from_raw(raw)
        if extern.kind == "tag":  # wasmtime-py 50 cannot make a tag: the module is not compared
            raise NotImplementedError("wasmtime-py cannot create a tag to import")
        limits = wasmtime.Limits(extern.minimum, extern.maximum)
        if extern.kind == "memory":
            return wasmtime.Memory(store, wasmtime.MemoryType(limits, is_64=extern.address64))
        if extern.kind == "table":
            if extern.address64:  # wasmtime-py 50 cannot make a 64-bit table: the module is not compared
                raise NotImplementedError("wasmtime-py cannot create a 64-bit table to import")
            element = wasmtime.ValType.funcref() if extern.valtype == "funcref" else wasmtime.ValType.externref()
            return wasmtime.Table(store, wasmtime.TableType(element, limits), None)
        slot = ffi.wasmtime_val_t()
        _put(slot, extern.valtype, global_initial(extern.valtype, global_position))
        raw_global = ffi.wasmtime_global_t()
        error = ffi.wasmtime_global_new(
            store._context(), extern_type.ptr(), ctypes.byref(slot), ctypes.byref(raw_global)
        )
        if error:
            raise wasmtime.WasmtimeError._from_ptr(error)
        return wasmtime.Global._from_raw(raw_global)

    def called(self, extern: Extern, params: Any, results: Any) -> None:
        assert extern.signature is not None
        signature = extern.signature
        values = tuple(_get(params[index], valtype) for index, valtype in enumerate(signature.params))
        self.log.append((extern.label, values))
        self.count += 1
        for index, (valtype, value) in enumerate(zip(signature.results, host_results(signature.results, self.count))):
            _put(results[index], valtype, value)

    def take_log(self) -> list[HostCall]:
        taken, self.log = self.log, []
        return taken

    def reraise(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            raise pending


_KEYS = itertools.count(1)
_HOST_FUNCTIONS: dict[int, tuple[Host, Extern]] = {}


@ffi.wasmtime_func_callback_t
def _trampoline(key: int, _caller: Any, params: Any, _count: int, results: Any, _result_count: int) -> int:
    host, extern = _HOST_FUNCTIONS[key]
    try:
        host.called(extern, params, results)
    except BaseException as error:
        host.pending = error
        message = b"host function failed"
        return int(ctypes.cast(ffi.wasmtime_trap_new(message, len(message)), ctypes.c_void_p).value or 0)
    return 0


@ctypes.CFUNCTYPE(None, ctypes.c_void_p)
def _finalize(key: int | None) -> None:
    _HOST_FUNCTIONS.pop(key or 0, None)


def snapshot(store: wasmtime.Store, exports: Any, host: Host, interface: Interface) -> State:
    described: State = {}
    named = [(f"export {e.name}", exports[e.name], e) for e in interface.exports if e.kind != "func"]
    named += [
        (f"import #{index} {extern.label}", host.objects[index], extern) for index, extern in enumerate(host.imports)
    ]
    for key, extern, desc in named:
        if isinstance(extern, wasmtime.Memory):
            length = extern.data_len(store)
            contents = ctypes.string_at(extern.data_ptr(store), length) if length else b""
            described[f"memory {key}"] = state.memory(extern.size(store), contents)
        elif isinstance(extern, wasmtime.Table):
            described[f"table {key}"] = state.table(table_non_null(store, extern, desc.valtype))
        elif isinstance(extern, wasmtime.Global):
            described[f"global {key}"] = state.global_(desc.valtype, global_value(store, extern, desc.valtype))
    return described


def run(
    engine: wasmtime.Engine, module: wasmtime.Module, interface: Interface, plan: Plan, guard_seconds: float | None
) -> Observation:
    observation = Observation(engine="wasmtime", verdict="valid")
    started = time.perf_counter()
    try:
        with deadline(guard_seconds):
            _run(observation, engine, module, interface, plan)
    except Exception as error:  # the harness's side failed: the module is not compared (a filter)
        outcome = f"crash: {type(error).__name__}: {error}"
        if observation.calls:
            observation.calls[-1].outcome = outcome
        else:
            observation.instantiation = outcome
    except Timeout:
        if observation.calls:
            observation.calls[-1].outcome = "timeout"
        else:
            observation.instantiation = "timeout"
    observation.seconds = time.perf_counter() - started
    return observation


def _run(
    observation: Observation, engine: wasmtime.Engine, module: wasmtime.Module, interface: Interface, plan: Plan
) -> None:
    store = wasmtime.Store(engine)
    host = Host(store, interface, module)
    externs = host.objects
    store.set_fuel(plan.fuel)
    try:
        try:
            instance = wasmtime.Instance(store, module, externs)
        finally:
            host.reraise()
    except wasmtime.Trap as trap:
        observation.instantiation = f"trap: {trap_kind(trap)}"
    except wasmtime.WasmtimeError as error:
        observation.instantiation = f"error: {str(error).splitlines()[0]}"
    else:
        observation.instantiation = "ok"
    observation.start_host_calls = host.take_log()
    if observation.instantiation != "ok":
        return
    exports = instance.exports(store)
    observation.state = snapshot(store, exports, host, interface)
    signatures = {e.name: e.signature for e in interface.exports if e.kind == "func"}
    for export, args in plan.calls:
        call = Call(export, args)
        observation.calls.append(call)
        signature = signatures[export]
        assert signature is not None
        function = exports[export]
        assert isinstance(function, wasmtime.Func)
        store.set_fuel(plan.fuel)
        try:
            try:
                call.results = call_raw(store, function, signature.params, signature.results, args)
            finally:
                host.reraise()
        except wasmtime.Trap as trap:
            call.outcome = f"trap: {trap_kind(trap)}"
        except wasmtime.WasmtimeError as error:
            call.outcome = f"error: {str(error).splitlines()[0]}"
        else:
            call.outcome = "ok"
            call.fuel = plan.fuel - store.get_fuel()
        call.host_calls = host.take_log()
        if call.stops:
            return
        call.state = snapshot(store, exports, host, interface)
