"""Traps a developer can debug and limits an operator can set, in the engine (``wasmrun.engine.interpreter``).

The same trap has the same frames whatever runs it (every tier, fused or not,
a loop switched to compiled code mid-call); a timeout stops the guest only in
wasm code, never inside the engine or a host call; statistics are counted
alike by every tier.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import pytest

from wasmrun import launch
from wasmrun.codegen import compiled
from wasmrun.engine.interpreter import Interpreter, is_wasm_code
from wasmrun.errors import TRAP_CALL_STACK_EXHAUSTED, TRAP_INTERRUPT, Trap
from wasmrun.interp import machine
from wasmrun.loader import load_module
from wasmrun.module import Module
from wasmrun.runtime.linker import Linker
from wasmrun.runtime.memory import MemoryInstance
from wasmrun.runtime.store import Store
from wasmrun.runtime.table import TableInstance
from wasmrun.semantics.frames import frame_cost
from wasmrun.types import FuncType, ValType

CONFIGURATIONS: dict[str, dict[str, Any]] = {
    "interp": {"engine": "interp"},
    "interp-unfused": {"engine": "interp", "fuse": False},
    "interp-runs": {"engine": "interp", "hot_threshold": 0},
    "compile": {"engine": "compile"},
    "auto": {"engine": "auto"},
    "auto-osr": {"engine": "auto", "compile_threshold": 3},
}

PROGRAM = """
(module
  (import "env" "boom" (func $boom (param i32)))
  (memory 1)
  (table 2 funcref)
  (func $leaf (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $middle (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (call $middle (i32.sub (local.get 0) (i32.const 1))))
      (else (call $leaf (local.get 0)))))
  (func (export "deep") (result i32) (call $middle (i32.const 30)))
  (func $forever (param i32) (result i32) (call $forever (i32.add (local.get 0) (i32.const 1))))
  (func (export "exhaust") (result i32) (call $forever (i32.const 0)))
  (func $ping (param i32) (result i32) (call $pong (local.get 0)))
  (func $pong (param i32) (result i32) (call $ping (i32.add (local.get 0) (i32.const 1))))
  (func (export "ping_pong") (result i32) (call $ping (i32.const 0)))
  (func $big (param i32) (result i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (call $big (i32.add (local.get 0) (i32.const 1))))
  (func (export "big") (result i32) (call $big (i32.const 0)))
  (func $host (param i32) (call $boom (local.get 0)))
  (func (export "host") (call $host (i32.const 7)))
  ;; a trap in a loop hot enough to be switched to compiled code during its first call
  (func (export "hot_loop") (result i32) (local $i i32)
    (loop $again
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 50))))
    (i32.div_u (local.get $i) (i32.const 0)))
  ;; grows nothing, forever: the engine's own code (memory.grow, table.grow) at every iteration
  (func (export "internals") (loop $again
    (drop (memory.grow (i32.const 0)))
    (drop (table.grow (ref.null func) (i32.const 0)))
    (call $boom (i32.const 0))
    (br $again)))
)
"""


def boom(value: int) -> None:
    if value:
        raise Trap("boom")


def instantiate(configuration: dict[str, Any], **options: Any) -> Any:
    interpreter = Interpreter(**configuration, **options)
    store = Store(interpreter)
    linker = Linker(store)
    linker.define("env", "boom", store.host_function(FuncType((ValType.I32,), ()), boom))
    return linker.instantiate(load_module(PROGRAM.encode()))


def frames(configuration: dict[str, Any], export: str, **options: Any) -> list[tuple[int, int]]:
    with pytest.raises(Trap) as caught:
        instantiate(configuration, **options).exports[export].invoke([])
    return caught.value.frames


# --- the same frames everywhere ----------------------------------------------------------------------------


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
@pytest.mark.parametrize("export", ["deep", "host", "hot_loop"])
def test_a_trap_has_the_same_frames_everywhere(export: str, configuration: str) -> None:
    assert frames(CONFIGURATIONS[configuration], export) == frames({"engine": "interp"}, export)


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
@pytest.mark.parametrize("export", ["exhaust", "ping_pong", "big"])
def test_stack_exhaustion_has_the_same_frames_everywhere(export: str, configuration: str) -> None:
    """The callee that did not fit (no offset), then the frames within the limit (a frame with more than
    64 locals counts as two): the interpreter's frames, though compiled code runs on a little further."""
    ours = frames(CONFIGURATIONS[configuration], export, max_stack_depth=400)
    assert ours == frames({"engine": "interp"}, export, max_stack_depth=400)
    assert ours[0][1] == -1
    assert len(ours) == (1 + 1 + 200 if export == "big" else 1 + 400)  # big: the export, then 200 frames of 2


def test_frame_costs_are_one_rule() -> None:
    module = load_module(PROGRAM.encode())
    assert [frame_cost(module, index) for index in (0, 1, 2, 9)] == [1, 1, 1, 2]  # 0: imported


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
def test_the_engine_is_whole_after_exhaustion(configuration: str) -> None:
    limit = sys.getrecursionlimit()
    instance = instantiate(CONFIGURATIONS[configuration], max_stack_depth=300)
    for _ in range(2):
        with pytest.raises(Trap, match=TRAP_CALL_STACK_EXHAUSTED):
            instance.exports["ping_pong"].invoke([])
    assert (machine._depth, machine._active, sys.getrecursionlimit()) == (0, 0, limit)


# --- timeouts ------------------------------------------------------------------------------------------------


def test_wasm_code_is_told_from_the_engines() -> None:
    module = load_module(PROGRAM.encode())
    generated = compiled.bind(compiled.generate(module, 2), {**compiled._BASE_NAMESPACE})
    from wasmrun.interp.handlers import factory

    handler = factory(("br", None, ""))(None, None, 1, 2)
    from wasmrun.interp.translate import translate_function

    translation = translate_function(module, 2)
    entry = machine.make_entry(translation, *machine.bind(translation, None))
    assert is_wasm_code(generated.__code__) and is_wasm_code(handler.__code__) and is_wasm_code(entry.__code__)
    from wasmrun.runtime.functions import HostFunction
    from wasmrun.wasi.files import FdFunctions
    from wasmrun.wasi.process import ProcessFunctions

    host = HostFunction(FuncType((ValType.I32,), ()), boom)
    engine = [
        MemoryInstance.grow,
        MemoryInstance.fill,
        TableInstance.grow,
        TableInstance.fill,
        Interpreter.compile,
        Interpreter.invoke,
        compiled.indirect,
        compiled.enter_big_frame,
        launch.run_module,
        FdFunctions.fd_read,
        FdFunctions.fd_write,
        ProcessFunctions.proc_exit,
        host.entry,
        host.direct,
    ]
    assert [function.__name__ for function in engine if is_wasm_code(function.__code__)] == []


@pytest.mark.parametrize("configuration", ["interp", "compile", "auto"])
def test_a_timeout_never_stops_the_engine_halfway(configuration: str) -> None:
    """Interrupt a loop that runs memory.grow, table.grow and a host function at every iteration, many
    times at many moments: the trap comes from wasm code, a bulk operation or the engine translating
    (wasmrun.runtime.interrupt), never from a grow or a host call, and the engine is left whole."""
    module = load_module(PROGRAM.encode())
    limit = sys.getrecursionlimit()
    for attempt in range(12):
        interpreter = Interpreter(engine=configuration)
        store = Store(interpreter)
        linker = Linker(store)
        linker.define("env", "boom", store.host_function(FuncType((ValType.I32,), ()), boom))
        instance = linker.instantiate(module)
        config = launch.RunConfig(timeout=0.002 + attempt * 0.003)
        with pytest.raises(Trap, match=TRAP_INTERRUPT) as caught, launch._deadline(config.timeout):
            instance.exports["internals"].invoke([])
        interrupted = innermost_engine_frame(caught.value.__traceback__)
        assert is_wasm_code(interrupted.f_code) or interruptible_place(interrupted.f_code), interrupted.f_code
        memory = instance.memories[0] if instance.memories else store.memories[0]
        assert len(memory.view) == memory.pages * 65536
        assert (machine._depth, machine._active, sys.getrecursionlimit()) == (0, 0, limit)


def innermost_engine_frame(traceback: Any) -> Any:
    """The frame the signal interrupted, skipping the signal handler itself and any standard-library
    frames below the engine (a lazy import the code generator runs, for instance)."""
    frames = []
    while traceback is not None:
        frames.append(traceback.tb_frame)
        traceback = traceback.tb_next
    for frame in reversed(frames[:-1]):
        if is_wasm_code(frame.f_code) or "/wasmrun/" in frame.f_code.co_filename:
            return frame
    raise AssertionError("the interrupt arrived outside wasmrun")


def interruptible_place(code: Any) -> bool:
    """Anywhere but a grow or a host call (a bulk operation between chunks, the engine translating)."""
    from wasmrun.runtime import functions

    forbidden = {MemoryInstance.grow.__code__, TableInstance.grow.__code__, boom.__code__}
    return code not in forbidden and code.co_filename != functions.__file__


def test_a_timeout_outside_the_main_thread_is_refused() -> None:
    import threading

    failures: list[BaseException] = []

    def run() -> None:
        try:
            with launch._deadline(1.0):
                pass
        except launch.Unsupported as error:
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert len(failures) == 1


def test_a_run_that_ends_before_its_deadline_leaves_no_alarm() -> None:
    import signal

    previous = signal.getsignal(signal.SIGALRM)
    with launch._deadline(0.05):
        pass
    time.sleep(0.1)
    assert signal.getsignal(signal.SIGALRM) is previous
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# --- statistics ------------------------------------------------------------------------------------------------

FIB = """
(module
  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "fib") (param i32) (result i32) (call $fib (local.get 0))))
"""


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
def test_calls_and_depth_are_counted_alike(configuration: str) -> None:
    interpreter = Interpreter(**CONFIGURATIONS[configuration], stats=True)
    instance = Linker(Store(interpreter)).instantiate(load_module(FIB.encode()))
    assert instance.exports["fib"].invoke([12]) == (144,)
    counters = interpreter.counters
    assert counters is not None
    assert (counters.calls, counters.max_depth, counters.depth) == (466, 13, 0)  # fib(12): 465 calls of $fib
    assert sum(counters.functions.values()) >= 2


def test_without_stats_nothing_is_counted() -> None:
    interpreter = Interpreter(engine="compile")
    assert (interpreter.counters, interpreter.fuel_meter) == (None, None)
    module: Module = load_module(FIB.encode())
    assert "STATS" not in compiled.generate(module, 0).source


def test_a_frame_costing_more_than_the_recursion_limit_is_stack_exhaustion_not_a_value_error() -> None:
    """--engine compile with millions of locals lowered Python's limit below 1 (ValueError: recursion limit
    must be greater or equal than 1); the validator's locals limit now stops such functions, and the floor
    holds for whatever else may cost that much."""
    limit = sys.getrecursionlimit()
    with pytest.raises(RecursionError):
        compiled.enter_big_frame(limit + 5)
    assert sys.getrecursionlimit() == limit
