"""Run a module's plan under one wasmrun tier (public embedding API; internals through :mod:`fuzz.adapter`)."""

from __future__ import annotations

import os
import time
from typing import Any

from fuzz import adapter, state
from fuzz.guard import Timeout, deadline
from fuzz.interface import Extern, Interface
from fuzz.observe import Call, HostCall, Observation, State
from fuzz.plan import Plan
from fuzz.values import Value, global_initial, host_results
from wasmrun import (
    FuncType,
    GlobalInstance,
    GlobalType,
    Limits,
    MemoryInstance,
    MemoryType,
    Module,
    Store,
    TableInstance,
    TableType,
    Trap,
    WasmError,
)


def crash(error: BaseException) -> str:
    return f"crash: {type(error).__name__}: {error}"


class Host:
    """The imports: one host object per import, host functions logging their calls."""

    def __init__(self, store: Any, interface: Interface) -> None:
        self.log: list[HostCall] = []
        self.count = 0  # host calls made by the instance so far
        self.objects: list[Any] = []  # one per import, in import order (so two imports of one name can differ)
        globals_seen = 0
        self.imports = interface.imports
        for extern in interface.imports:
            self.objects.append(self._make(store, extern, globals_seen))
            globals_seen += extern.kind == "global"
        # The tags the harness can name, as both engines name them: imported ones, then (once the instance
        # exists) exported ones, each by its first label.
        self.tags: list[tuple[Any, str]] = [
            (tag, f"import #{index} {extern.label}")
            for index, (tag, extern) in enumerate(zip(self.objects, self.imports))
            if extern.kind == "tag"
        ]

    def name_exported_tags(self, exports: dict[str, Any], interface: Interface) -> None:
        self.tags += [(exports[e.name], f"export {e.name}") for e in interface.exports if e.kind == "tag"]

    def tag_name(self, tag: Any) -> str:
        return next((label for known, label in self.tags if known is tag), "tag ?")

    def _make(self, store: Any, extern: Extern, global_position: int) -> Any:
        valtypes = adapter.VALTYPES
        if extern.kind == "tag":
            assert extern.signature is not None
            return adapter.make_tag(extern.signature)
        if extern.kind == "func":
            assert extern.signature is not None
            signature = extern.signature
            function_type = FuncType(
                tuple(valtypes[t] for t in signature.params), tuple(valtypes[t] for t in signature.results)
            )
            return store.host_function(function_type, self._host_function(extern), extern.label)
        limits = Limits(extern.minimum, extern.maximum, extern.address64)
        if extern.kind == "memory":
            return store.allocate_memory(MemoryType(limits))
        if extern.kind == "table":
            return store.allocate_table(TableType(valtypes[extern.valtype], limits), None)
        value = adapter.to_wasmrun(global_initial(extern.valtype, global_position), extern.valtype)
        return store.allocate_global(GlobalType(valtypes[extern.valtype], extern.mutable), value)

    def _host_function(self, extern: Extern) -> Any:
        assert extern.signature is not None
        params, results = extern.signature.params, extern.signature.results

        def host(*args: Any) -> Any:
            values = tuple(adapter.from_wasmrun(a, t, self.tag_name) for a, t in zip(args, params))
            self.log.append((extern.label, values))
            self.count += 1
            out = [adapter.to_wasmrun(v, t) for v, t in zip(host_results(results, self.count), results)]
            if not out:
                return None
            return out[0] if len(out) == 1 else tuple(out)

        return host

    def take_log(self) -> list[HostCall]:
        taken, self.log = self.log, []
        return taken


def snapshot(exports: dict[str, Any], host: Host, interface: Interface) -> State:
    described: State = {}
    named = [(f"export {e.name}", exports[e.name], e) for e in interface.exports if e.kind != "func"]
    named += [
        (f"import #{index} {extern.label}", host.objects[index], extern) for index, extern in enumerate(host.imports)
    ]
    for key, extern, desc in named:
        if isinstance(extern, MemoryInstance):
            described[f"memory {key}"] = state.memory(extern.pages, extern.read(0, extern.size))
        elif isinstance(extern, TableInstance):
            described[f"table {key}"] = state.table([element is not None for element in extern.elements])
        elif isinstance(extern, GlobalInstance):
            valtype = desc.valtype
            described[f"global {key}"] = state.global_(
                valtype, adapter.from_wasmrun(extern.value, valtype, host.tag_name)
            )
    return described


def run(
    module: Module, interface: Interface, plan: Plan, tier: str, guard_seconds: float | None, options: Any = None
) -> Observation:
    """The observation of ``module`` run under ``tier`` (its verdict is the caller's: it is valid here)."""
    observation = Observation(engine=tier, verdict="valid")
    started = time.perf_counter()
    try:
        with deadline(guard_seconds), adapter.checked_ranges():
            _run(observation, module, interface, plan, tier, options)
    except Exception as error:  # outside a call (making the imports, a snapshot): still wasmrun's failure
        _stopped(observation, crash(error))
    except Timeout:
        _stopped(observation, "timeout")
    observation.seconds = time.perf_counter() - started
    return observation


def _stopped(observation: Observation, outcome: str) -> None:
    """Record where the run stopped: the call under way, or else the instantiation."""
    if observation.calls:
        observation.calls[-1].outcome = outcome
    else:
        observation.instantiation = outcome


# The harness's own canary: with WASMRUN_FUZZ_PLANT=<tier>, that tier's odd i32 results come back one
# less, a planted bug with which tests/fuzz check that a mismatch is found, shrunk, written and
# replayed.  Never set otherwise.
PLANT = "WASMRUN_FUZZ_PLANT"


def _planted(tier: str, valtypes: tuple[str, ...], values: tuple[Value, ...]) -> tuple[Value, ...]:
    if os.environ.get(PLANT) != tier:
        return values
    return tuple(v - 1 if t == "i32" and isinstance(v, int) and v & 1 else v for v, t in zip(values, valtypes))


def _run(observation: Observation, module: Module, interface: Interface, plan: Plan, tier: str, options: Any) -> None:
    interpreter = adapter.make_interpreter(tier, plan.fuel, options)
    with Store(interpreter) as store:
        host = Host(store, interface)
        try:
            instance = adapter.instantiate(store, module, host.objects, interpreter)
        except Trap as trap:
            observation.instantiation = f"trap: {adapter.trap_kind(trap)}"
            observation.start_thrown = adapter.thrown(trap, host.tag_name)
        except WasmError as error:
            observation.instantiation = f"error: {type(error).__name__}: {error}"
        except Exception as error:
            observation.instantiation = crash(error)
        else:
            observation.instantiation = "ok"
        observation.start_host_calls = host.take_log()
        if observation.instantiation != "ok":
            return
        host.name_exported_tags(instance.exports, interface)
        observation.state = snapshot(instance.exports, host, interface)
        signatures = {e.name: e.signature for e in interface.exports if e.kind == "func"}
        for export, args in plan.calls:
            call = Call(export, args)
            observation.calls.append(call)
            signature = signatures[export]
            assert signature is not None
            function = instance.exports[export]
            adapter.set_fuel(interpreter, plan.fuel)
            try:
                values = function.invoke([adapter.to_wasmrun(a, t) for a, t in zip(args, signature.params)])
            except Trap as trap:
                call.outcome = f"trap: {adapter.trap_kind(trap)}"
                call.thrown = adapter.thrown(trap, host.tag_name)
            except Exception as error:
                call.outcome = crash(error)
            else:
                call.outcome = "ok"
                results = tuple(adapter.from_wasmrun(v, t, host.tag_name) for v, t in zip(values, signature.results))
                call.results = _planted(tier, signature.results, results)
                call.fuel = adapter.fuel_consumed(interpreter)
            call.host_calls = host.take_log()
            if call.stops:
                return
            call.state = snapshot(instance.exports, host, interface)
