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
budget minus ``get_fuel()`` after it.  Wasmtime also charges fuel for
instantiating a module, before its start function runs: a few units for some
initialisers, and the bytes it copies when it cannot map a memory image (a
module importing a memory: up to the size of the image, 167,938 for smith-488
of ``wasm2-memory``).  wasmrun charges nothing there (a choice of its fuel
model), so the instantiation gets that charge on top of the budget, measured by
instantiating the module without its start section (:func:`initialisation_fuel`):
the start function then runs on the same budget in both engines.

Exception handling goes through the C API too: tags to import (``wasmtime.Tag``
of the import's own type), exnref values (kind 8; a non-null one is described by
its tag, ``wasmtime_exnref_tag`` compared with the tags the harness knows, and its
fields), tables and globals of the import's own type (so exnref tables and 64-bit
tables can be made), and an uncaught exception, which Wasmtime reports as an
error ("thrown Wasm exception", no trap code) and keeps in the store until
``wasmtime_context_take_exception`` takes it.
"""

from __future__ import annotations

import contextlib
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
from fuzz.values import EXCEPTION_DEPTH, Value, exception, global_initial, host_results

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
    wasmtime.TrapCode.NULL_REFERENCE: "null-reference",
}
THROWN = "thrown-exception"  # an uncaught exception: no trap code, the exception is the store's

WASMTIME_EXNREF = 8  # wasmtime/val.h's WASMTIME_EXNREF (wasmtime-py 50's _ffi has the value kinds up to 6)

_KINDS = {
    "i32": ffi.WASMTIME_I32.value,
    "i64": ffi.WASMTIME_I64.value,
    "f32": ffi.WASMTIME_F32.value,
    "f64": ffi.WASMTIME_F64.value,
    "v128": ffi.WASMTIME_V128.value,
    "funcref": ffi.WASMTIME_FUNCREF.value,
    "externref": ffi.WASMTIME_EXTERNREF.value,
    "exnref": WASMTIME_EXNREF,
}
_VALTYPE_OF_KIND = {kind: valtype for valtype, kind in _KINDS.items()}
_REFERENCES = ("funcref", "externref", "exnref")


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


def _without_start(wasm: bytes) -> bytes:
    """``wasm`` without its start section (the same bytes when it has none)."""
    position, kept = 8, [wasm[:8]]
    while position < len(wasm):
        section_start, section_id = position, wasm[position]
        position += 1
        size = shift = 0
        while True:
            byte = wasm[position]
            position += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        position += size
        if section_id != 8:
            kept.append(wasm[section_start:position])
    return b"".join(kept)


_MEASURING_FUEL = 1 << 40


def initialisation_fuel(engine: wasmtime.Engine, module: wasmtime.Module, wasm: bytes, interface: Interface) -> int:
    """The fuel Wasmtime charges for instantiating ``wasm`` before its start function (see the module's notes)."""
    without_start = _without_start(wasm)
    if without_start != wasm:
        module = wasmtime.Module(engine, without_start)
    store = wasmtime.Store(engine)
    host = Host(store, interface, module)
    store.set_fuel(_MEASURING_FUEL)
    # (a segment out of bounds traps: what was charged until then is charged before the same trap)
    with contextlib.suppress(wasmtime.WasmtimeError, wasmtime.Trap):
        wasmtime.Instance(store, module, host.objects)
    host.take_exception()
    charge = _MEASURING_FUEL - store.get_fuel()
    # Wasmtime charges 1 for the wrapper it initialises a module and calls its start function through, once:
    # a module with a start function pays it there too, and wasmrun charges it with the start (START_COST).
    return charge - 1 if charge and without_start != wasm else charge


# --- raw values ------------------------------------------------------------------------------------------


def _put(slot: Any, valtype: str, value: Value) -> None:
    slot.kind = _KINDS[valtype]
    if valtype in _REFERENCES:
        assert value == "null", "only null references are passed in"
        getattr(slot.of, valtype).store_id = 0
        return
    assert isinstance(value, int)
    if valtype in ("i32", "f32"):
        slot.of.i32 = value - (1 << 32) if value >> 31 else value
    elif valtype in ("i64", "f64"):
        slot.of.i64 = value - (1 << 64) if value >> 63 else value
    else:
        ctypes.memmove(ctypes.addressof(slot.of.v128), value.to_bytes(16, "little"), 16)


def _is_null(slot: Any, valtype: str) -> bool:
    return bool(getattr(slot.of, valtype).store_id == 0)


def _get(slot: Any, valtype: str, host: Host | None = None, depth: int = 0) -> Value:
    """The neutral value in ``slot`` (an exnref's tag named by ``host``, which knows the store)."""
    if valtype == "funcref":
        return "null" if _is_null(slot, valtype) else "func"
    if valtype == "externref":
        return "null" if _is_null(slot, valtype) else "extern"
    if valtype == "exnref":
        if _is_null(slot, valtype):
            return "null"
        return host.exception(slot.of.exnref, depth) if host is not None else exception("tag ?", None)
    if valtype in ("i32", "f32"):
        return int(slot.of.i32) & 0xFFFFFFFF
    if valtype in ("i64", "f64"):
        return int(slot.of.i64) & 0xFFFFFFFFFFFFFFFF
    return int.from_bytes(bytes(slot.of.v128), "little")


def _unroot(slots: Any, valtypes: tuple[str, ...]) -> None:
    for index, valtype in enumerate(valtypes):
        if valtype in _REFERENCES:
            ffi.wasmtime_val_unroot(ctypes.byref(slots[index]))


def call_raw(
    store: wasmtime.Store,
    function: wasmtime.Func,
    params: tuple[str, ...],
    results: tuple[str, ...],
    args: tuple[Value, ...],
    host: Host | None = None,
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
    values = tuple(_get(outputs[index], valtype, host) for index, valtype in enumerate(results))
    _unroot(outputs, results)
    return values


def table_non_null(store: wasmtime.Store, table: wasmtime.Table, valtype: str) -> list[bool]:
    """Which entries of ``table`` are not null (wasmtime-py's ``Table.get`` wraps a null in a truthy Val)."""
    entries = []
    for index in range(table.size(store)):
        slot = ffi.wasmtime_val_t()
        found = ffi.wasmtime_table_get(store._context(), ctypes.byref(table._table), index, ctypes.byref(slot))
        assert found, "an index below the table's size"
        entries.append(not _is_null(slot, valtype) if valtype in _REFERENCES else True)
        _unroot([slot], (valtype,))
    return entries


def global_value(store: wasmtime.Store, global_: wasmtime.Global, valtype: str, host: Host | None = None) -> Value:
    slot = ffi.wasmtime_val_t()
    ffi.wasmtime_global_get(store._context(), ctypes.byref(global_._global), ctypes.byref(slot))
    value = _get(slot, valtype, host)
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
        self.store = store
        globals_seen = 0
        self.imports = interface.imports
        for extern, imported in zip(interface.imports, module.imports, strict=True):
            self.objects.append(self._make(store, extern, imported.type, globals_seen))
            globals_seen += extern.kind == "global"
        # The tags the harness can name, as fuzz.run_wasmrun.Host names them.
        self.tags: list[tuple[wasmtime.Tag, str]] = [
            (tag, f"import #{index} {extern.label}")
            for index, (tag, extern) in enumerate(zip(self.objects, self.imports))
            if extern.kind == "tag"
        ]

    def name_exported_tags(self, exports: Any, interface: Interface) -> None:
        self.tags += [(exports[e.name], f"export {e.name}") for e in interface.exports if e.kind == "tag"]

    def tag_name(self, tag: Any) -> str:
        context = self.store._context()
        for known, label in self.tags:
            if ffi.wasmtime_tag_eq(context, ctypes.byref(tag), ctypes.byref(known._tag)):
                return label
        return "tag ?"

    def exception(self, exnref: Any, depth: int = 0) -> str:
        """A non-null exnref described (:func:`fuzz.values.exception`): its tag and its fields."""
        context = self.store._context()
        tag = ffi.wasmtime_tag_t()
        error = ffi.wasmtime_exnref_tag(context, ctypes.byref(exnref), ctypes.byref(tag))
        if error:
            raise wasmtime.WasmtimeError._from_ptr(error)
        name = self.tag_name(tag)
        if depth >= EXCEPTION_DEPTH:
            return exception(name, None)
        fields: list[Value] = []
        for index in range(ffi.wasmtime_exnref_field_count(context, ctypes.byref(exnref))):
            slot = ffi.wasmtime_val_t()
            error = ffi.wasmtime_exnref_field(context, ctypes.byref(exnref), index, ctypes.byref(slot))
            if error:
                raise wasmtime.WasmtimeError._from_ptr(error)
            valtype = _VALTYPE_OF_KIND[int(slot.kind)]
            fields.append(_get(slot, valtype, self, depth + 1))
            _unroot([slot], (valtype,))
        return exception(name, fields)

    def take_exception(self) -> str:
        """The exception Wasmtime holds after an uncaught throw, described and taken ("" when there is none)."""
        exnref = ffi.wasmtime_exnref_t()
        if not ffi.wasmtime_context_take_exception(self.store._context(), ctypes.byref(exnref)):
            return ""
        try:
            return self.exception(exnref)
        finally:
            ffi.wasmtime_exnref_unroot(ctypes.byref(exnref))

    def _make(self, store: wasmtime.Store, extern: Extern, extern_type: Any, global_position: int) -> Any:
        # Function and global types are Wasmtime's own, from the module's imports: wasmtime-py cannot
        # make a v128 ValType (the C API's wasm_valtype_new has none).
        if extern.kind == "func":
            key = next(_KEYS)
            _HOST_FUNCTIONS[key] = (self, extern)
            raw = ffi.wasmtime_func_t()
            ffi.wasmtime_func_new(store._context(), extern_type.ptr(), _trampoline, key, _finalize, ctypes.byref(raw))
            return wasmtime.Func._from_raw(raw)
        if extern.kind == "tag":
            return wasmtime.Tag(store, extern_type)
        if extern.kind == "memory":
            limits = wasmtime.Limits(extern.minimum, extern.maximum)
            return wasmtime.Memory(store, wasmtime.MemoryType(limits, is_64=extern.address64))
        if extern.kind == "table":  # (wasmtime-py's Table has no 64-bit or exnref tables: the C API has)
            slot = ffi.wasmtime_val_t()
            _put(slot, extern.valtype, "null")
            raw_table = ffi.wasmtime_table_t()
            error = ffi.wasmtime_table_new(
                store._context(), extern_type.ptr(), ctypes.byref(slot), ctypes.byref(raw_table)
            )
            if error:
                raise wasmtime.WasmtimeError._from_ptr(error)
            return wasmtime.Table._from_raw(raw_table)
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
        values = tuple(_get(params[index], valtype, self) for index, valtype in enumerate(signature.params))
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
            value = global_value(store, extern, desc.valtype, host)
            described[f"global {key}"] = state.global_(desc.valtype, value)
    return described


def run(
    engine: wasmtime.Engine,
    module: wasmtime.Module,
    interface: Interface,
    plan: Plan,
    guard_seconds: float | None,
    wasm: bytes | None = None,
) -> Observation:
    """The observation of ``module`` (``wasm``: its bytes, to measure what instantiating it costs in fuel
    beyond the start function; without them, the instantiation gets the plan's budget alone)."""
    observation = Observation(engine="wasmtime", verdict="valid")
    started = time.perf_counter()
    try:
        with deadline(guard_seconds):
            charge = initialisation_fuel(engine, module, wasm, interface) if wasm is not None else 0
            _run(observation, engine, module, interface, plan, charge)
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
    observation: Observation,
    engine: wasmtime.Engine,
    module: wasmtime.Module,
    interface: Interface,
    plan: Plan,
    initialisation_charge: int,
) -> None:
    store = wasmtime.Store(engine)
    host = Host(store, interface, module)
    externs = host.objects
    store.set_fuel(plan.fuel + initialisation_charge)
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
    observation.start_thrown = host.take_exception()
    if observation.start_thrown:  # (Wasmtime reports it as an error, not a trap)
        observation.instantiation = f"trap: {THROWN}"
    observation.start_host_calls = host.take_log()
    if observation.instantiation != "ok":
        return
    exports = instance.exports(store)
    host.name_exported_tags(exports, interface)
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
                call.results = call_raw(store, function, signature.params, signature.results, args, host)
            finally:
                host.reraise()
        except wasmtime.Trap as trap:
            call.outcome = f"trap: {trap_kind(trap)}"
        except wasmtime.WasmtimeError as error:
            call.outcome = f"error: {str(error).splitlines()[0]}"
        else:
            call.outcome = "ok"
            call.fuel = plan.fuel - store.get_fuel()
        call.thrown = host.take_exception()
        if call.thrown:
            call.outcome = f"trap: {THROWN}"
        call.host_calls = host.take_log()
        if call.stops:
            return
        call.state = snapshot(store, exports, host, interface)
