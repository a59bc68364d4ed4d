"""Fuel (``wasmrun.semantics.fuel``): counted as Wasmtime counts it, in every tier, with wasmtime-py as the oracle.

The oracle cases skip when wasmtime-py is not installed (it is an optional
dependency, ``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any

import pytest
from testdata import REPO_ROOT

from wasmrun.codegen import compiled
from wasmrun.engine.interpreter import Interpreter
from wasmrun.engine.options import EngineOptions
from wasmrun.errors import TRAP_OUT_OF_FUEL, Trap
from wasmrun.interp.translate import translate_function
from wasmrun.loader import load_module
from wasmrun.module import Module
from wasmrun.runtime.linker import Linker
from wasmrun.runtime.store import Store
from wasmrun.semantics import fuel

PROGRAMS = REPO_ROOT / "benchmarks" / "programs"
TIERS = ["interp", "compile"]
LARGE = 10**12

# Every engine configuration, for "the same count in every tier": the tiers, the interpreter without
# fusion and with its runs fused at once, and auto switching a running loop to compiled code (OSR).
CONFIGURATIONS: dict[str, dict[str, Any]] = {
    "interp": {"engine": "interp"},
    "interp-unfused": {"engine": "interp", "fuse": False},
    "interp-runs": {"engine": "interp", "hot_threshold": 0},
    "compile": {"engine": "compile"},
    "compile-flat": {"engine": "compile", "flat": True},
    "auto-osr": {"engine": "auto", "compile_threshold": 3},
}

# The bare benchmark programs at sizes small enough for a test.
SMALL = {
    "fib": 10,
    "sieve": 300,
    "fnv1a": 500,
    "mandelbrot": 4,
    "matmul": 5,
    "nbody": 3,
    "binarytrees": 3,
    "coremark_style": 1,
}

# A program for the sweeps: calls, a loop, an if, and every kind of bulk charge (a dynamic length, a
# small constant, a failing grow charged statically).
SWEEP = """
(module
  (memory (export "memory") 1 3)
  (table 4 8 funcref)
  (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $bulk (param $n i32)
    (memory.fill (i32.const 0) (i32.const 7) (local.get $n))
    (memory.copy (i32.const 100) (i32.const 0) (i32.const 16))
    (drop (memory.grow (i32.sub (local.get $n) (i32.const 2))))
    (drop (table.grow (ref.null func) (i32.const 2)))
    (drop (memory.grow (i32.const 100)))
    (nop))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (call $bulk (local.get $n))
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get $i) (i32.const 4)))
        (local.set $acc (call $leaf (local.get $acc)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $again)))
    (if (result i32) (local.get $acc) (then (local.get $acc)) (else (i32.const -1)))))
"""

# Exceptions: thrown in a callee, caught by a catch_all_ref and thrown again (throw_ref), caught in a loop by
# a clause with a payload and by one without; run(5) = 7 + 3 + 4.
THROWING = """
(module
  (tag $t (param i32))
  (tag $u)
  (func $thrower (param i32)
    (if (i32.gt_u (local.get 0) (i32.const 2)) (then (throw $t (local.get 0))))
    (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $u))))
  (func $rethrow (param i32) (result i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (call $thrower (local.get 0)))
      (return (i32.const 0)))
    (throw_ref))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc
          (i32.add (local.get $acc)
            (block $caught (result i32)
              (block $other
                (br $caught
                  (try_table (result i32) (catch $t $caught) (catch $u $other)
                    (call $rethrow (local.get $i)))))
              (i32.const 7))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $again)))
    (local.get $acc)))
"""


# GC: structs in loops, a branch on null, and every bulk array instruction, charging a length given by a
# variable (checked after it runs), a small constant (charged with the code around it) and a large one.
GC_SWEEP = """
(module
  (type $node (struct (field (ref null $node)) (field (mut i32))))
  (type $words (array (mut i32)))
  (type $bytes (array (mut i8)))
  (type $funcs (array (mut funcref)))
  (data $d "0123456789abcdefghij")
  (elem $e func $leaf $leaf $leaf $leaf $leaf $leaf)
  (func $leaf)
  (func $arrays (param $n i32) (result (ref $words))
    (local $x (ref null $words))
    (local.set $x (array.new $words (i32.const 7) (local.get $n)))
    (array.fill $words (local.get $x) (i32.const 0) (i32.const 1) (local.get $n))
    (array.copy $words $words (local.get $x) (i32.const 0) (local.get $x) (i32.const 1) (i32.const 2))
    (drop (array.new_default $words (i32.const 200)))
    (drop (array.new_data $bytes $d (i32.const 1) (local.get $n)))
    (drop (array.new_elem $funcs $e (i32.const 1) (local.get $n)))
    (array.init_data $bytes $d (array.new_default $bytes (i32.const 9)) (i32.const 0) (i32.const 0) (local.get $n))
    (array.init_elem $funcs $e (array.new_default $funcs (i32.const 9)) (i32.const 1) (i32.const 0) (local.get $n))
    (ref.as_non_null (local.get $x)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $list (ref null $node)) (local $acc i32)
    (drop (call $arrays (local.get $n)))
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $list (struct.new $node (local.get $list) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $again)))
    (block $end
      (loop $walk
        (local.set $list (br_on_null $end (local.get $list)))
        (local.set $acc (i32.add (local.get $acc) (struct.get $node 1 (local.get $list))))
        (local.set $list (struct.get $node 0 (local.get $list)))
        (br $walk)))
    (i32.add (local.get $acc) (array.len (call $arrays (i32.const 3))))))
"""

# Each GC instruction alone (a function of one parameter, its result dropped), for its cost.
GC_COSTS = {
    "struct.new": "(drop (struct.new $s (i32.const 1) (i32.const 2)))",
    "struct.new_default": "(drop (struct.new_default $s))",
    "struct.get": "(drop (struct.get $s 0 (struct.new_default $s)))",
    "struct.set": "(struct.set $s 0 (struct.new_default $s) (i32.const 3))",
    "array.new": "(drop (array.new $a (i32.const 1) (local.get 0)))",
    "array.new_default": "(drop (array.new_default $a (local.get 0)))",
    "array.new_fixed": "(drop (array.new_fixed $a 3 (i32.const 1) (i32.const 1) (i32.const 1)))",
    "array.new_data": "(drop (array.new_data $b $d (i32.const 0) (local.get 0)))",
    "array.new_elem": "(drop (array.new_elem $f $e (i32.const 0) (local.get 0)))",
    "array.get": "(drop (array.get $a (array.new_default $a (i32.const 5)) (i32.const 1)))",
    "array.set": "(array.set $a (array.new_default $a (i32.const 5)) (i32.const 1) (i32.const 1))",
    "array.len": "(drop (array.len (array.new_default $a (i32.const 5))))",
    "array.fill": "(array.fill $a (array.new_default $a (i32.const 9)) (i32.const 0) (i32.const 9) (local.get 0))",
    "array.copy": (
        "(array.copy $a $a (array.new_default $a (i32.const 9)) (i32.const 0)"
        " (array.new_default $a (i32.const 9)) (i32.const 0) (local.get 0))"
    ),
    "array.init_data": "(array.init_data $b $d (array.new_default $b (i32.const 9)) (i32.const 0) (i32.const 0) (local.get 0))",
    "array.init_elem": "(array.init_elem $f $e (array.new_default $f (i32.const 9)) (i32.const 0) (i32.const 0) (local.get 0))",
    "ref.test": "(drop (ref.test (ref $s) (struct.new_default $s)))",
    "ref.cast": "(drop (ref.cast (ref $s) (struct.new_default $s)))",
    "br_on_cast": "(drop (block $l (result anyref) (br_on_cast $l anyref (ref $s) (struct.new_default $s))))",
    "br_on_cast_fail": "(drop (block $l (result anyref) (br_on_cast_fail $l anyref (ref $s) (ref.null any))))",
    "i31": "(drop (i31.get_s (ref.i31 (local.get 0))))",
    "ref.eq": "(drop (ref.eq (ref.null eq) (ref.null eq)))",
    "conversions": "(drop (extern.convert_any (any.convert_extern (ref.null extern))))",
}


def gc_cost_module(body: str) -> str:
    return (
        "(module (type $s (struct (field (mut i32)) (field i32))) (type $a (array (mut i32)))"
        ' (type $b (array (mut i8))) (type $f (array (mut funcref))) (data $d "0123456789")'
        " (elem $e func $g $g $g $g $g $g $g $g $g) (func $g)"
        f' (func (export "run") (param i32) (result i32) {body} (i32.const 0)))'
    )


# --- running under wasmrun and under wasmtime-py ---------------------------------------------------------


def wasmrun_call(
    module: Module, name: str, args: list[int], budget: int, configuration: dict[str, Any]
) -> tuple[str, Any, int]:
    """``("ok", result, fuel consumed)`` or ``("trap", frames, fuel consumed)``: the budget is set after
    instantiation, as the benchmark runner counts; what was consumed is at most the budget (Wasmtime
    goes on past it between checks, and reports the budget)."""
    options = dict(configuration)
    flat = options.pop("flat", False)
    interpreter = Interpreter(fuel=LARGE, **options)
    meter = interpreter.fuel_meter
    assert meter is not None
    saved = compiled.FORCE_FLAT
    compiled.FORCE_FLAT = flat
    try:
        instance = Linker(Store(interpreter)).instantiate(module)
        meter.budget = meter.fuel = budget
        try:
            (result,) = instance.exports[name].invoke(args)
        except Trap as trap:
            assert trap.message == TRAP_OUT_OF_FUEL, trap.message
            return "trap", trap.frames, min(meter.consumed, budget)
        return "ok", result, min(meter.consumed, budget)  # Wasmtime's get_fuel() stops at 0
    finally:
        compiled.FORCE_FLAT = saved


def wasmtime_call(data: bytes, name: str, args: list[int], budget: int) -> tuple[str, Any, int]:
    wasmtime = pytest.importorskip("wasmtime")
    config = wasmtime.Config()
    config.consume_fuel = True
    config.wasm_exceptions = True
    config.wasm_function_references = True
    config.wasm_gc = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    module = wasmtime.Module(engine, data)
    store.set_fuel(LARGE)
    instance = wasmtime.Instance(store, module, [])
    store.set_fuel(budget)
    try:
        result = instance.exports(store)[name](store, *args)
    except wasmtime.Trap as trap:
        assert "all fuel consumed" in str(trap), str(trap)
        frames = [(frame.func_index, frame.module_offset) for frame in trap.frames]
        return "trap", frames, budget - store.get_fuel()
    return "ok", result & 0xFFFFFFFF, budget - store.get_fuel()


def smallest_budget(finishes: Callable[[int], bool], high: int) -> int:
    """The smallest budget with which a run finishes (a binary search below ``high``, which must)."""
    low = 0  # nothing finishes without fuel: entering a function costs 1
    while low + 1 < high:
        middle = (low + high) // 2
        if finishes(middle):
            high = middle
        else:
            low = middle
    return high


# --- the rules -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mnemonic", "expected"),
    [("nop", 0), ("drop", 0), ("block", 0), ("loop", 0), ("unreachable", 0), ("return", 0), ("else", 0),
     ("end", 0), ("if", 1), ("br", 1), ("i32.const", 1), ("local.get", 1), ("call", 1), ("select", 1),
     ("try_table", 1), ("throw", 1), ("throw_ref", 1)],
)  # fmt: skip
def test_instruction_costs(mnemonic: str, expected: int) -> None:
    from wasmrun.instructions import BY_MNEMONIC

    assert fuel.cost(BY_MNEMONIC[mnemonic].opcode) == expected


@pytest.mark.parametrize(
    ("locals_", "expected"), [("", 30), ("(local i32)", 31), ("(local i32 i32 i32)", 31), ("(local i32 i64 f32)", 35)]
)
def test_the_entry_check_is_where_wasmtime_says(locals_: str, expected: int) -> None:
    """Wasmtime places a function's entry at its last group of local declarations (or their count)."""
    module = load_module(f'(module (func (export "f") (result i32) {locals_} i32.const 0))'.encode())
    assert fuel.entry_offset(module, 0) == expected


def test_no_fuel_means_no_metering_code() -> None:
    module = load_module(SWEEP.encode())
    for index in range(3):
        families = {item[0][0] for item in translate_function(module, index).code}
        assert not {name for name in families if name.startswith("fuel") or name.endswith(".fuel")}
        source = compiled.generate(module, index).source
        assert "FUEL" not in source and "STATS" not in source


# --- counts as Wasmtime's ----------------------------------------------------------------------------------


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("program", sorted(SMALL))
def test_benchmark_fuel_equals_wasmtimes(program: str, tier: str) -> None:
    data = (PROGRAMS / f"{program}.wasm").read_bytes()
    expected = wasmtime_call(data, "bench", [SMALL[program]], LARGE)
    assert wasmrun_call(load_module(data), "bench", [SMALL[program]], LARGE, {"engine": tier}) == expected


@pytest.mark.parametrize("tier", TIERS)
def test_hello_fuel_equals_wasmtimes(tier: str) -> None:
    """A WASI command, its instantiation included (as ``-W fuel=N`` counts it)."""
    wasmtime = pytest.importorskip("wasmtime")
    from wasmrun import launch

    data = (REPO_ROOT / "examples" / "hello.wasm").read_bytes()
    with tempfile.TemporaryFile() as output:
        config = wasmtime.Config()
        config.consume_fuel = True
        engine = wasmtime.Engine(config)
        store = wasmtime.Store(engine)
        wasi = wasmtime.WasiConfig()
        wasi.argv = ["hello.wasm"]
        wasi.stdout_file = os.devnull
        store.set_wasi(wasi)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        store.set_fuel(LARGE)
        instance = linker.instantiate(store, wasmtime.Module(engine, data))
        instance.exports(store)["_start"](store)
        expected = LARGE - store.get_fuel()

        resources = launch.Resources()
        options = EngineOptions(engine=tier, fuel=LARGE)
        config_ = launch.RunConfig(argv=("hello.wasm",), engine_options=options, stdout=output.fileno())
        launch.run_module(load_module(data), config_, resources)
    assert resources.fuel_meter is not None
    assert resources.fuel_meter.consumed == expected == 909


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
def test_the_same_count_in_every_tier(configuration: str) -> None:
    """Fusion, runs, compiled forms and on-stack replacement count what they replace."""
    data = (PROGRAMS / "matmul.wasm").read_bytes()
    result = wasmrun_call(load_module(data), "bench", [6], LARGE, CONFIGURATIONS[configuration])
    assert result == ("ok", 2995516147, 7030)  # Wasmtime 50: 7030


@pytest.mark.parametrize("tier", TIERS)
def test_the_smallest_budget_that_finishes_is_wasmtimes(tier: str) -> None:
    data = (PROGRAMS / "fib.wasm").read_bytes()
    module = load_module(data)
    ours = smallest_budget(lambda budget: wasmrun_call(module, "bench", [7], budget, {"engine": tier})[0] == "ok", 2000)
    theirs = smallest_budget(lambda budget: wasmtime_call(data, "bench", [7], budget)[0] == "ok", 2000)
    assert ours == theirs


@pytest.mark.parametrize("configuration", ["interp", "interp-runs", "compile", "compile-flat"])
@pytest.mark.parametrize(("program", "argument"), [(SWEEP, 3), (THROWING, 5)], ids=["sweep", "throwing"])
def test_every_budget_stops_where_wasmtime_stops(configuration: str, program: str, argument: int) -> None:
    """For each budget up to the program's need: the same outcome and the same frames (entry and loop
    checks, bulk instructions charging their length, exceptions caught) as Wasmtime."""
    data = program.encode()
    module = load_module(data)
    wasm = _binary(data)
    total = wasmtime_call(wasm, "run", [argument], LARGE)[2]
    for budget in range(total + 1):
        expected = wasmtime_call(wasm, "run", [argument], budget)
        assert wasmrun_call(module, "run", [argument], budget, CONFIGURATIONS[configuration]) == expected, budget


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("length", [0, 5])
@pytest.mark.parametrize("instruction", sorted(GC_COSTS))
def test_gc_instructions_cost_what_they_cost_wasmtime(instruction: str, length: int, tier: str) -> None:
    """1 each; the bulk array instructions 1 and their length (elements)."""
    data = gc_cost_module(GC_COSTS[instruction]).encode()
    expected = wasmtime_call(_binary(data), "run", [length], LARGE)
    assert wasmrun_call(load_module(data), "run", [length], LARGE, {"engine": tier}) == expected


@pytest.mark.parametrize("configuration", ["interp", "interp-runs", "compile", "compile-flat"])
def test_every_budget_stops_where_wasmtime_stops_with_gc(configuration: str) -> None:
    data = GC_SWEEP.encode()
    module = load_module(data)
    wasm = _binary(data)
    total = wasmtime_call(wasm, "run", [4], LARGE)[2]
    for budget in range(0, total + 1, 3):
        expected = wasmtime_call(wasm, "run", [4], budget)
        assert wasmrun_call(module, "run", [4], budget, CONFIGURATIONS[configuration]) == expected, budget


def test_the_entry_check_counts_a_reference_local_by_its_encoding() -> None:
    """A local of a defined reference type takes two bytes or more: the entry is after them."""
    text = "(module (type $t (struct)) (func (local i32) (local (ref null $t)) (local i64)))"
    assert fuel.entry_offset(load_module(text.encode()), 0) == 30  # (one byte further than a byte per type)


def _binary(text: bytes) -> bytes:
    from wasmrun.loader import to_binary

    return to_binary(text)


# --- out of fuel ---------------------------------------------------------------------------------------------

SPIN = '(module (func $spin (export "spin") (result i32) (loop $again (br $again)) (i32.const 0)))'


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
def test_an_infinite_loop_is_stopped_at_its_header(configuration: str) -> None:
    module = load_module(SPIN.encode())
    loop = next(offset for opcode, _, offset in _instructions(module, 0) if opcode == 0x03)
    assert wasmrun_call(module, "spin", [], 1000, CONFIGURATIONS[configuration]) == ("trap", [(0, loop)], 1000)


def _instructions(module: Module, index: int) -> list[tuple[int, Any, int]]:
    from wasmrun.binary.instructions import decode_function_body

    return decode_function_body(module.raw, module.body(index))


def test_a_start_function_costs_what_it_costs_wasmtime() -> None:
    """Wasmtime calls a start function through a wrapper: 1 checked before it, 1 for the call."""
    wasmtime = pytest.importorskip("wasmtime")
    from wasmrun import launch

    text = '(module (func $f i32.const 1 drop) (start $f) (func (export "g")))'
    module = load_module(text.encode())
    for budget in range(6):
        config = wasmtime.Config()
        config.consume_fuel = True
        engine = wasmtime.Engine(config)
        store = wasmtime.Store(engine)
        store.set_fuel(budget)
        try:
            wasmtime.Instance(store, wasmtime.Module(engine, text), [])
            theirs: tuple[str, list[tuple[int, int]]] = ("ok", [])
        except wasmtime.Trap as trap:
            theirs = ("trap", [(frame.func_index, frame.module_offset) for frame in trap.frames])
        try:
            launch.run_module(module, launch.RunConfig(argv=("m",), engine_options=EngineOptions(fuel=budget)))
            ours: tuple[str, list[tuple[int, int]]] = ("ok", [])
        except launch.ExecutionError as failure:
            ours = ("trap", failure.error.frames)
        assert ours == theirs, budget
