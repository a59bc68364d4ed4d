"""Tail calls (``return_call``, ``return_call_indirect``): constant stack space in both tiers, traps, frames."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import TRAP_INDIRECT_CALL_TYPE, TRAP_UNDEFINED_ELEMENT, TRAP_UNINITIALIZED_ELEMENT, Trap
from wasmrun.interp import machine
from wasmrun.loader import Module
from wasmrun.runtime.functions import HostFunction
from wasmrun.runtime.instance import Instance
from wasmrun.runtime.linker import Linker
from wasmrun.text.wat import parse_module
from wasmrun.types import FuncType, ValType

I32, I64 = ValType.I32, ValType.I64

CONFIGS: dict[str, dict[str, Any]] = {
    "unfused": {"engine": "interp", "fuse": False},
    "runs": {"engine": "interp", "hot_threshold": 0},
    "compile": {"engine": "compile"},
    "auto": {"engine": "auto", "compile_threshold": 1},
}

# The tiers a million-deep chain runs in (the unfused interpreter is the slow reference).
DEEP = ("runs", "compile", "auto")


@pytest.fixture(params=list(CONFIGS), ids=list(CONFIGS))
def config(request: pytest.FixtureRequest) -> dict[str, Any]:
    return CONFIGS[request.param]


def instantiate(wat: str, probe: list[int] | None = None, **options: Any) -> Instance:
    linker = Linker(Store(Interpreter(**options)))

    def depth() -> None:
        frames, frame = 0, sys._getframe()
        while frame is not None:
            frames += 1
            frame = frame.f_back
        if probe is not None:
            probe.append(frames * 1_000_000 + machine._depth)

    linker.define("host", "probe", HostFunction(FuncType((), ()), depth))
    linker.define("host", "twice", HostFunction(FuncType((I64,), (I64,)), lambda x: 2 * x))
    return linker.instantiate(Module.from_bytes(parse_module(wat)))


MUTUAL = """
(module
  (import "host" "probe" (func $probe))
  (import "host" "twice" (func $twice (param i64) (result i64)))
  (type $t (func (param i64) (result i64)))
  (table funcref (elem $even $odd))
  (func $even (export "even") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (call $probe) (i64.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (call $probe) (i64.const 0))
      (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))
  (func (export "outer") (param i64) (result i64)
    (i64.add (call $even (local.get 0)) (i64.const 10)))
  (func (export "to_host") (param i64) (result i64)
    (return_call $twice (local.get 0)))
  (func $pair (param i64 i64) (result i64 i64)
    (if (result i64 i64) (i64.eqz (local.get 0))
      (then (local.get 1) (local.get 0))
      (else (return_call $pair (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (i64.const 2))))))
  (func (export "pair") (param i64) (result i64 i64) (return_call $pair (local.get 0) (i64.const 0)))
)
"""


@pytest.mark.parametrize("name", DEEP)
def test_a_million_deep_mutual_tail_recursion_runs_in_constant_stack(name: str) -> None:
    # A depth limit of 200 frames: a chain that took a frame (or a Python frame) per call would trap.
    probe: list[int] = []
    instance = instantiate(MUTUAL, probe, **CONFIGS[name], max_stack_depth=200)
    assert instance.exports["even"](1_000_000) == 1
    assert instance.exports["even"](1_000_001) == 0
    assert instance.exports["outer"](999_999) == 10
    assert instance.exports["even"](1_000) == 1
    assert instance.exports["even"](10) == 1
    # The Python stack and the depth counter at the bottom of the chain do not depend on its length (the
    # first call, which translates or compiles, aside).
    assert probe[1] == probe[3] == probe[4], probe
    assert machine._depth == 0


def test_tail_calls(config: dict[str, Any]) -> None:
    exports = instantiate(MUTUAL, **config).exports
    assert exports["even"](7) == 0
    assert exports["odd"](7) == 1
    assert exports["outer"](4) == 11
    assert exports["to_host"](21) == 42
    assert exports["pair"](5) == (10, 0)


INDIRECT = """
(module
  (type $v (func (result i32)))
  (type $w (func (param i32) (result i32)))
  (table 3 funcref)
  (elem (i32.const 0) $one $inc)
  (func $one (type $v) (i32.const 1))
  (func $inc (type $w) (i32.add (local.get 0) (i32.const 1)))
  (func $divide (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "call") (param i32) (result i32) (return_call_indirect (type $v) (local.get 0)))
  (func (export "divide") (param i32) (result i32) (return_call $divide (local.get 0)))
  (func (export "outer") (param i32) (result i32) (i32.add (call 4 (local.get 0)) (i32.const 1)))
)
"""


@pytest.mark.parametrize(
    ("index", "message"),
    [(1, TRAP_INDIRECT_CALL_TYPE), (2, f"{TRAP_UNINITIALIZED_ELEMENT} 2"), (3, TRAP_UNDEFINED_ELEMENT)],
)
def test_return_call_indirect_traps(config: dict[str, Any], index: int, message: str) -> None:
    exports = instantiate(INDIRECT, **config).exports
    assert exports["call"](0) == 1
    with pytest.raises(Trap) as caught:
        exports["call"](index)
    assert caught.value.message == message
    assert [function for function, _offset in caught.value.frames] == [3]


def test_a_trap_after_a_tail_call_has_the_callee_in_place_of_the_caller(config: dict[str, Any]) -> None:
    exports = instantiate(INDIRECT, **config).exports
    assert exports["outer"](1) == 2
    with pytest.raises(Trap) as caught:
        exports["outer"](0)
    # $divide (2) trapped; "divide" (4) made way for it; "outer" (5) called "divide".
    assert [function for function, _offset in caught.value.frames] == [2, 5]


LOOP_THEN_TAIL = """
(module
  (func $done (param i32) (result i32) (i32.add (local.get 0) (i32.const 1000)))
  (func (export "run") (param i32) (result i32)
    (local $i i32)
    (loop $again
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (local.get 0))))
    (return_call $done (local.get $i)))
)
"""


@pytest.mark.parametrize("name", list(CONFIGS))
def test_a_tail_call_after_a_loop_switched_to_compiled_code(name: str) -> None:
    # Under auto, the hot loop continues in compiled code (on-stack replacement), which ends in the tail call.
    instance = instantiate(
        LOOP_THEN_TAIL, **{**CONFIGS[name], "compile_threshold": 50} if name == "auto" else CONFIGS[name]
    )
    assert instance.exports["run"](500) == 1500
    assert instance.exports["run"](3) == 1003


FUEL = """
(module
  (type $t (func (param i64) (result i64)))
  (table funcref (elem $even $odd))
  (func $even (export "even") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 0))
      (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0))))))
"""


@pytest.mark.parametrize("name", list(CONFIGS))
def test_tail_calls_consume_the_fuel_wasmtime_does(name: str) -> None:
    instance = instantiate(FUEL, **CONFIGS[name], fuel=10**9)
    instance.exports["even"](1000)
    meter = instance.store.executor.fuel_meter
    assert 10**9 - meter.fuel == 8505  # wasmtime-py 50, consume_fuel, the same call


# Tail calls of a function to itself: the compiled tier makes those outside any loop of the body a jump
# back to its start (see wasmrun.codegen.structured); the declared locals start again from zero.
SELF = """
(module
  (func $count (export "count") (param $n i32) (param $acc i64) (result i64)
    (local $seen i32) (local $x f64)
    (if (i32.or (local.get $seen) (f64.ne (local.get $x) (f64.const 0))) (then (unreachable)))
    (local.set $seen (i32.const 1))
    (local.set $x (f64.const 2.5))
    (if (i32.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $count (i32.sub (local.get $n) (i32.const 1))
      (i64.add (local.get $acc) (i64.extend_i32_u (local.get $n)))))
  (func $gcd (export "gcd") (param i32 i32) (result i32)
    (if (i32.eqz (local.get 1)) (then (return (local.get 0))))
    (return_call $gcd (local.get 1) (i32.rem_u (local.get 0) (local.get 1))))
  (func $in_loop (export "in_loop") (param i32) (result i32)
    (loop $l
      (if (i32.gt_u (local.get 0) (i32.const 100))
        (then (local.set 0 (i32.sub (local.get 0) (i32.const 7))) (br $l)))
      (if (i32.gt_u (local.get 0) (i32.const 3))
        (then (return_call $in_loop (i32.sub (local.get 0) (i32.const 2))))))
    (local.get 0))
  (func $down (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (unreachable)))
    (if (i32.eq (local.get 0) (i32.const 1)) (then (return (i32.div_u (i32.const 1) (i32.const 0)))))
    (return_call $down (i32.sub (local.get 0) (i32.const 2))))
  (func (export "down") (param i32) (result i32) (i32.add (call $down (local.get 0)) (i32.const 1)))
)
"""


@pytest.mark.parametrize(
    ("export", "args", "result"),
    [
        ("count", (0, 5), 5),
        ("count", (1000, 0), 500500),
        ("count", (1_000_000, 0), 500000500000),
        ("gcd", (1071, 462), 21),
        ("gcd", (462, 1071), 21),
        ("in_loop", (1000, 0), 3),
        ("in_loop", (8, 0), 2),
    ],
)
def test_tail_calls_to_the_function_itself(
    config: dict[str, Any], export: str, args: tuple[int, ...], result: int
) -> None:
    instance = instantiate(SELF, **config, max_stack_depth=200)
    function = instance.exports[export]
    assert function(*args[: len(function.type.params)]) == result


@pytest.mark.parametrize(("argument", "message"), [(10, "unreachable"), (11, "integer divide by zero")])
def test_a_trap_after_tail_calls_to_itself_has_one_frame_of_it(
    config: dict[str, Any], argument: int, message: str
) -> None:
    exports = instantiate(SELF, **config).exports
    with pytest.raises(Trap) as caught:
        exports["down"](argument)
    assert message in caught.value.message
    assert [function for function, _offset in caught.value.frames] == [3, 4]


def test_under_auto_a_function_reached_only_by_tail_calls_is_compiled() -> None:
    instance = instantiate(MUTUAL, **{**CONFIGS["auto"], "compile_threshold": 20})
    assert instance.exports["even"](1000) == 1
    odd = instance.functions[3]  # $odd: the imports are functions 0 and 1
    assert odd.direct.__code__.co_name != "direct"  # a compiled function's trampoline, not the interpreter's adapter


@pytest.mark.parametrize("name", list(CONFIGS))
def test_tail_calls_to_itself_consume_the_fuel_wasmtime_does(name: str) -> None:
    instance = instantiate(SELF, **CONFIGS[name], fuel=10**9)
    assert instance.exports["count"](1000, 0) == 500500
    meter = instance.store.executor.fuel_meter
    assert 10**9 - meter.fuel == 22015  # wasmtime-py 50, consume_fuel, the same call
