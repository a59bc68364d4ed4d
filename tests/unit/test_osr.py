"""Tier-up in the middle of a loop (on-stack replacement): operands held on the stack across hot loop nests.

A generator writes functions whose operands are pushed before a loop nest and consumed after it
(from loads, parameters and locals the nest writes), with inner loops hot enough to tier up while an
outer loop is still running; every tier, at every threshold, must give the unfused interpreter's result.
"""

from __future__ import annotations

import random

import pytest

from wasmrun import Interpreter, Linker, Module, Store

# The engines compared with the reference (the interpreter, one handler per instruction).
ENGINES = {
    "interp-hot": {"engine": "interp", "hot_threshold": 0},
    "compile": {"engine": "compile"},
    "auto-0": {"engine": "auto", "compile_threshold": 0},
    "auto-1": {"engine": "auto", "compile_threshold": 1},
    "auto-7": {"engine": "auto", "compile_threshold": 7},
    "auto-150": {"engine": "auto", "compile_threshold": 150},
}

# The module from the report: an operand (``i32.add`` of a load) held across an outer loop and a hot
# inner loop; entering the inner loop in compiled code left the outer back edge reading a temporary
# that was never assigned (UnboundLocalError under the default engine).
HELD_ACROSS_TWO_LOOPS = """
(module
  (memory 1)
  (func (export "f") (param $n i32) (result i32)
    (local $i i32) (local $j i32)
    (i32.add (i32.load (i32.const 0)) (i32.const 7))
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (i32.const 300))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $i))))
"""


def call(wat: str, options: dict[str, object], *args: int) -> int:
    with Store(Interpreter(**options)) as store:  # type: ignore[arg-type]
        function = Linker(store).instantiate(Module.from_bytes(wat.encode())).exports["f"]
        function.instance.memories[0].write_i32(0, 1000)
        result: int = function(*args)
        return result


def test_operand_held_across_an_outer_loop_survives_tier_up_in_the_inner_loop() -> None:
    assert call(HELD_ACROSS_TWO_LOOPS, {"engine": "auto"}, 3) == 1010


# A fuzzer's find: an operand held across an if whose one arm holds a loop. Settled (put in a temporary)
# at that loop's head, inside the arm, it was unassigned on the path around the arm, after an entry at the
# enclosing loop: UnboundLocalError under auto, at any threshold that enters at the outer loop.
HELD_ACROSS_A_LOOP_IN_ONE_ARM = """
(module
  (memory 1)
  (func (export "f") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $acc i32)
    (loop $outer
      (i32.add (i32.load (i32.const 0)) (local.get $i))
      (if (i32.and (local.get $i) (i32.const 1))
        (then
          (local.set $j (i32.const 0))
          (loop $inner
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br_if $inner (i32.lt_u (local.get $j) (i32.const 20))))))
      (local.set $acc (i32.add (local.get $acc)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))
"""


@pytest.mark.parametrize("threshold", range(1, 40))
def test_an_operand_held_across_a_loop_in_one_arm_survives_tier_up_at_any_point(threshold: int) -> None:
    expected = sum(1000 + i for i in range(9))
    assert call(HELD_ACROSS_A_LOOP_IN_ONE_ARM, {"engine": "auto", "compile_threshold": threshold}, 9) == expected


# --- the generator -----------------------------------------------------------------------------------

# Operands pushed before a loop: a load, a parameter, a local that the nest writes, a constant.
_OPERANDS = (
    "(i32.add (i32.load (i32.const 0)) (i32.const {k}))",
    "(i32.mul (local.get $p) (i32.const {k}))",
    "(i32.xor (local.get $c{depth}) (i32.const {k}))",
    "(i32.const {k})",
)
_COMBINE = ("i32.add", "i32.xor", "i32.sub")


def nested_loops(seed: int) -> str:
    """A function ``f(p)`` with a nest of 1-4 loops, operands held on the stack across each level."""
    rng = random.Random(seed)
    depth = rng.randint(1, 4)
    trips = [rng.choice((2, 3, 5)) for _ in range(depth - 1)] + [rng.choice((40, 120, 300))]

    def level(d: int) -> str:
        held = [rng.choice(_OPERANDS).format(k=rng.randint(1, 99), depth=d) for _ in range(rng.randint(0, 2))]
        inner = level(d + 1) if d + 1 < depth else f"(local.set $acc (i32.add (local.get $acc) (local.get $c{d})))"
        loop = (
            f"(local.set $c{d} (i32.const 0))"
            f"(loop $l{d} {inner}"
            f" (local.set $c{d} (i32.add (local.get $c{d}) (i32.const 1)))"
            f" (br_if $l{d} (i32.lt_u (local.get $c{d}) (i32.const {trips[d]}))))"
        )
        if d > 0 and rng.random() < 0.5:
            # The loop in one arm of an if, the held operands outside it: on the other path (every other
            # iteration of the enclosing loop) the loop never runs, and the operands are used all the same.
            loop = f"(if (i32.and (local.get $c{d - 1}) (i32.const 1)) (then {loop}))"
        consumed = "".join(f"(local.set $acc ({rng.choice(_COMBINE)} (local.get $acc)))" for _ in held)
        return "".join(held) + loop + consumed

    counters = " ".join(f"(local $c{d} i32)" for d in range(4))
    return f"""
    (module (memory 1)
      (func (export "f") (param $p i32) (result i32) (local $acc i32) {counters}
        {level(0)}
        (local.get $acc)))
    """


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("seed", range(40))
def test_nested_hot_loops_with_held_operands_give_the_interpreters_result(seed: int, engine: str) -> None:
    wat = nested_loops(seed)
    reference = [call(wat, {"engine": "interp", "fuse": False}, p) for p in (0, 3)]
    assert [call(wat, ENGINES[engine], p) for p in (0, 3)] == reference, wat
