"""The compiled tier (wasmrun.codegen, wasmrun.codegen.compiled): every construct, traps and their
frames, the fallback form, on-stack replacement, security, and whole programs, each checked against the
interpreter."""

from __future__ import annotations

import io
import marshal
import math
import struct
import tempfile
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import testdata

import wasmrun.codegen.compiled as compiled
from wasmrun.codegen import generate_function
from wasmrun.codegen.structure import analyse
from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import TRAP_MEMORY_OUT_OF_BOUNDS, ProcExit, Trap, UnsupportedInstruction
from wasmrun.loader import Module
from wasmrun.runtime.functions import FunctionInstance
from wasmrun.runtime.instance import Instance
from wasmrun.runtime.linker import Linker
from wasmrun.text.wat import parse_module

REPO = Path(__file__).resolve().parents[2]

# The tiers every case runs in: the interpreter is the reference.  "flat" compiles every function in the
# fallback form; "osr" is auto compiling at the first call or loop iteration, so loops enter compiled
# code in the middle of a call.
TIERS: dict[str, dict[str, Any]] = {
    "interp": {"engine": "interp"},
    "compile": {"engine": "compile"},
    "flat": {"engine": "compile"},
    "osr": {"engine": "auto", "compile_threshold": 3},
}


@pytest.fixture
def force_flat(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(compiled, "FORCE_FLAT", True)
    yield


def module(wat: str) -> Module:
    return Module.from_bytes(parse_module(wat))


def instantiate(mod: Module, tier: str, monkeypatch: pytest.MonkeyPatch | None = None) -> Instance:
    if monkeypatch is not None:
        monkeypatch.setattr(compiled, "FORCE_FLAT", tier == "flat")
    return Linker(Store(Interpreter(**TIERS[tier]))).instantiate(mod)


def comparable(value: Any) -> Any:
    """Results as comparable data: floats by their bits (NaN payloads and signed zeros matter)."""
    if isinstance(value, tuple):
        return tuple(comparable(v) for v in value)
    if isinstance(value, float):
        return ("f64", struct.pack("<d", value))
    return value


def outcome(function: FunctionInstance, args: tuple[Any, ...]) -> Any:
    try:
        return comparable(function.invoke(list(args)))
    except Trap as trap:
        return ("trap", trap.message, tuple(trap.frames))


def outcomes(mod: Module, tier: str, calls: list[tuple[str, tuple[Any, ...]]], mp: pytest.MonkeyPatch) -> list[Any]:
    instance = instantiate(mod, tier, mp)
    return [outcome(instance.exports[name], args) for name, args in calls]


# --- every construct, against the interpreter ----------------------------------------------------------

CONTROL = """
(module
  (func (export "block_br_if") (param i32) (result i32)
    (block (result i32) (br_if 0 (i32.const 7) (local.get 0)) (drop) (i32.const 9)))
  (func (export "nested_exit") (param i32) (result i32)
    (local i32)
    (block $out
      (loop $l
        (block $skip
          (br_if $skip (i32.and (local.get 1) (i32.const 1)))
          (br_if $out (i32.gt_u (local.get 1) (local.get 0))))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br $l)))
    (local.get 1))
  (func (export "continue_from_block") (param i32) (result i32)
    (local i32 i32)
    (loop $l
      (block $b
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if $b (i32.rem_u (local.get 1) (i32.const 3)))
        (local.set 2 (i32.add (local.get 2) (local.get 1))))
      (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
    (local.get 2))
  (func (export "table_small") (param i32) (result i32)
    (block $c (block $b (block $a (br_table $a $b $c (local.get 0))) (return (i32.const 10)))
      (return (i32.const 20)))
    (i32.const 30))
  (func (export "table_values") (param i32) (result i32)
    (i32.add (i32.const 1)
      (block $d (result i32)
        (block $c (result i32)
          (block $b (result i32)
            (br_table $b $c $b $d $d $c $b $d (i32.const 100) (local.get 0)))
          (i32.add (i32.const 1)))
        (i32.add (i32.const 2)))))
  (func (export "table_loop") (param i32) (result i32)
    (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (block $done
        (br_table $l $l $done (i32.sub (local.get 0) (local.get 1)))))
    (local.get 1))
  (func (export "if_else") (param i32 i32) (result i32)
    (if (result i32) (local.get 0) (then (i32.mul (local.get 1) (i32.const 2))) (else (i32.const -1))))
  (func (export "if_branches") (param i32 i32) (result i32)
    (block (result i32)
      (if (result i32) (local.get 0)
        (then (br_if 1 (i32.const 5) (local.get 1)) (drop) (i32.const 6))
        (else (br 1 (i32.const 4))))))
  (func (export "if_params") (param i32) (result i32 i32)
    (i32.const 3) (i32.const 4)
    (if (param i32 i32) (result i32 i32) (local.get 0) (then (i32.add (i32.const 1)))))
  (func (export "loop_params") (param i32) (result i32)
    (i32.const 0) (local.get 0)
    (loop (param i32 i32) (result i32)
      (local.set 0)
      (i32.add (local.get 0))
      (local.get 0) (i32.const 1) (i32.sub)
      (local.tee 0)
      (br_if 0 (local.get 0))
      (drop)))
  (func (export "multi") (param i64 f64) (result f64 i64 i32)
    (local.get 1) (local.get 0) (i32.wrap_i64 (local.get 0)))
  (func (export "return_deep") (param i32) (result i32)
    (loop $a (loop $b (loop $c
      (if (i32.eqz (local.get 0)) (then (return (i32.const 42))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $c (i32.and (local.get 0) (i32.const 1)))
      (br_if $b (i32.and (local.get 0) (i32.const 2)))
      (br $a))))
    (i32.const 0))
  (func (export "select") (param i32 i64 i64) (result i64) (select (local.get 1) (local.get 2) (local.get 0)))
  (func (export "dead") (param i32) (result i32)
    (block (result i32) (br 0 (local.get 0)) (i32.const 1) (br_if 0) (unreachable)))
  (func (export "tee_spill") (param i32) (result i32)
    (local.get 0) (local.set 0 (i32.const 100)) (local.get 0) (i32.sub))
  (func (export "read_before_set") (param i32) (result i32)
    (local i32 i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (local.get 1)))
      (local.set 1 (local.get 0))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 2))
)
"""

CONTROL_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    *[("block_br_if", (x,)) for x in (0, 1)],
    *[("nested_exit", (x,)) for x in (0, 5, 10)],
    *[("continue_from_block", (x,)) for x in (1, 10, 30)],
    *[("table_small", (x,)) for x in (0, 1, 2, 3, 0xFFFFFFFF)],
    *[("table_values", (x,)) for x in range(10)],
    *[("table_loop", (x,)) for x in (2, 5)],
    *[("if_else", (c, 21)) for c in (0, 1)],
    *[("if_branches", (c, d)) for c in (0, 1) for d in (0, 1)],
    *[("if_params", (c,)) for c in (0, 1)],
    ("loop_params", (10,)),
    ("multi", (0x1234567890, -0.0)),
    *[("return_deep", (x,)) for x in (0, 1, 7, 20)],
    *[("select", (c, 5, 0xFFFFFFFFFFFFFFFF)) for c in (0, 2)],
    *[("dead", (x,)) for x in (0, 3)],
    ("tee_spill", (7,)),
    ("read_before_set", (5,)),
]

NUMERIC = """
(module
  (func (export "lcg") (param i32 i32) (result i32)
    (loop $l
      (local.set 0 (i32.add (i32.mul (local.get 0) (i32.const 1103515245)) (i32.const 12345)))
      (br_if $l (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))
    (local.get 0))
  (func (export "wrapchain") (param i32 i32) (result i32)
    (i32.shr_u
      (i32.xor (i32.mul (i32.sub (local.get 0) (local.get 1)) (i32.mul (local.get 0) (local.get 0)))
               (i32.shl (local.get 1) (i32.const 29)))
      (i32.const 3)))
  (func (export "wrap64") (param i64 i64) (result i64 i32)
    (i64.mul (i64.add (local.get 0) (local.get 1)) (i64.const -3))
    (i32.wrap_i64 (i64.mul (local.get 0) (local.get 1))))
  (func (export "signed") (param i32 i32) (result i32)
    (i32.add (i32.add (i32.lt_s (local.get 0) (local.get 1)) (i32.ge_s (local.get 0) (i32.const -5)))
             (i32.gt_s (i32.const 3) (local.get 1))))
  (func (export "divs") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "divs_by_constants") (param i32 i64) (result i32 i32 i64 i64 i32 i32 i64 i64)
    (i32.div_s (local.get 0) (i32.const 7)) (i32.rem_s (local.get 0) (i32.const 7))
    (i64.div_s (local.get 1) (i64.const 1000)) (i64.rem_s (local.get 1) (i64.const 1000))
    (i32.div_u (local.get 0) (i32.const -3)) (i32.rem_u (i32.add (local.get 0) (i32.const 1)) (i32.const 10))
    (i64.div_u (local.get 1) (i64.const 3)) (i64.rem_u (local.get 1) (i64.const -1)))
  (func (export "divs_by_others") (param i32 i32) (result i32 i32 i32 i32)
    (i32.div_s (local.get 0) (i32.const -7)) (i32.rem_s (local.get 0) (i32.const -1))
    (i32.div_u (local.get 0) (local.get 1)) (i32.rem_u (local.get 0) (i32.add (local.get 1) (i32.const 0))))
  (func (export "rems") (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1)))
  (func (export "fdiv") (param f64 f64) (result f64) (f64.div (local.get 0) (local.get 1)))
  (func (export "fsqrt") (param f32 f64) (result f32 f64) (f32.sqrt (local.get 0)) (f64.sqrt (local.get 1)))
  (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "consts") (result i32 i64 f32 f64 f64)
    (i32.shl (i32.const 1) (i32.const 31)) (i64.sub (i64.const 0) (i64.const 1))
    (f32.add (f32.const 0.1) (f32.const 0.2)) (f64.const -nan:0x1234) (f64.neg (f64.const 0)))
  (func (export "nan_arith") (param f64) (result f64) (f64.add (local.get 0) (f64.const nan:0x8)))
)
"""

NUMERIC_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("lcg", (1, 100)),
    *[("wrapchain", (a, b)) for a, b in ((3, 5), (0xFFFFFFFF, 0x80000000), (123456789, 987654321))],
    *[("wrap64", (a, b)) for a, b in ((1, 2), (0xFFFFFFFFFFFFFFFF, 5), (1 << 62, 1 << 63))],
    *[("signed", (a, b)) for a in (0, 5, 0xFFFFFFF0) for b in (0, 2, 0x80000000)],
    *[("divs", (a, b)) for a, b in ((7, 2), (0xFFFFFFF9, 2), (1, 0), (0x80000000, 0xFFFFFFFF))],
    *[
        ("divs_by_constants", (a, b))
        for a in (0, 6, 7, 0x80000000, 0xFFFFFFF9)
        for b in (999, 1 << 63, (1 << 64) - 1001)
    ],
    *[("divs_by_others", (a, b)) for a in (0, 7, 0x80000000, 0xFFFFFFF9) for b in (0, 1, 3, 0xFFFFFFFF)],
    *[("rems", (a, b)) for a, b in ((7, 0xFFFFFFFFFFFFFFFE), (1, 0))],
    *[("fdiv", (a, b)) for a, b in ((1.0, 3.0), (1.0, 0.0), (-1.0, -0.0), (0.0, 0.0), (math.inf, math.inf))],
    *[("fsqrt", (a, b)) for a, b in ((4.0, 2.0), (-1.0, -0.0), (math.nan, -4.0))],
    *[("trunc", (x,)) for x in (1.9, -1.9, 3e9, math.nan)],
    ("consts", ()),
    ("nan_arith", (1.0,)),
]

MEMORY = """
(module
  (memory 1 3)
  (data (i32.const 8) "\\01\\02\\03\\04\\05\\06\\07\\08\\09\\0a")
  (global $g (mut i32) (i32.const 5))
  (func $grow (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "loads") (param i32) (result i32 i32 i64 i64 i32)
    (i32.load (local.get 0)) (i32.load8_s offset=1 (local.get 0)) (i64.load (local.get 0))
    (i64.load32_s offset=2 (local.get 0)) (i32.load16_u offset=8 (local.get 0)))
  (func (export "constant_loads") (result i32 i64 i32 f64)
    (i32.load (i32.const 8)) (i64.load (i32.const 8)) (i32.load (i32.const 9)) (f64.load (i32.const 16)))
  (func (export "stores") (param i32 i64) (result i64)
    (i64.store (i32.const 100) (i64.const 0))
    (i32.store8 (i32.const 100) (i32.const 0x1ff))
    (i32.store16 offset=3 (i32.const 100) (local.get 0))
    (i64.store32 (i32.const 105) (local.get 1))
    (i64.load (i32.const 100)))
  (func (export "float_bits") (param i32) (result i32)
    (f32.store (i32.const 200) (f32.reinterpret_i32 (local.get 0)))
    (i32.reinterpret_f32 (f32.load (i32.const 200))))
  (func (export "grow_in_callee") (result i32 i32)
    (drop (call $grow (i32.const 1)))
    (i32.store (i32.const 70000) (i32.const 77))
    (i32.load (i32.const 70000)) (memory.size))
  (func (export "grow_here") (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.store offset=65536 (i32.const 0) (i32.const 9)) (i32.load offset=65536 (i32.const 0)))
  (func (export "oob") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  (func (export "oob_store") (param i32) (i64.store (local.get 0) (i64.const 1)))
  (func (export "global") (param i32) (result i32)
    (global.set $g (i32.add (global.get $g) (local.get 0))) (global.get $g))
  (func (export "bulk") (param i32 i32 i32) (result i32)
    (memory.fill (local.get 0) (i32.const 0xab) (local.get 2))
    (memory.copy (local.get 1) (local.get 0) (local.get 2))
    (i32.load8_u (local.get 1)))
)
"""

MEMORY_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    *[("loads", (a,)) for a in (0, 8, 9, 11, 65528, 65530)],
    ("constant_loads", ()),
    *[("stores", (a, b)) for a, b in ((0xBEEF, 0x1122334455667788), (1, 0))],
    *[("float_bits", (bits,)) for bits in (0x7FA00001, 0xFF800000, 0x3F800000)],
    ("grow_in_callee", ()),
    ("grow_here", ()),
    *[("oob", (a,)) for a in (65531, 65532, 0xFFFFFFFF)],
    *[("oob_store", (a,)) for a in (65528, 65529)],
    *[("global", (x,)) for x in (1, 2)],
    *[("bulk", (a, b, n)) for a, b, n in ((0, 50, 10), (65530, 0, 10), (0, 65535, 2))],
]

TABLES = """
(module
  (type $unary (func (param i32) (result i32)))
  (table $t 4 funcref)
  (table $u 2 externref)
  (elem (table $t) (i32.const 0) func $double $square)
  (func $double (type $unary) (i32.mul (local.get 0) (i32.const 2)))
  (func $square (type $unary) (i32.mul (local.get 0) (local.get 0)))
  (func $nothing)
  (func (export "indirect") (param i32 i32) (result i32) (call_indirect (type $unary) (local.get 1) (local.get 0)))
  (func (export "table_ops") (param i32) (result i32 i32 i32)
    (table.set $t (i32.const 2) (ref.func $square))
    (drop (table.grow $t (ref.null func) (local.get 0)))
    (table.size $t)
    (ref.is_null (table.get $t (i32.const 3)))
    (call_indirect (type $unary) (i32.const 6) (i32.const 2)))
  (func (export "wrong_type") (call_indirect (i32.const 2)))
  (func (export "externs") (param externref) (result i32)
    (table.fill $u (i32.const 0) (local.get 0) (i32.const 2))
    (ref.is_null (table.get $u (i32.const 1))))
)
"""

TABLE_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    *[("indirect", (i, 5)) for i in (0, 1, 2, 3, 4, 0xFFFFFFFF)],
    *[("table_ops", (n,)) for n in (0, 1)],
    ("wrong_type", ()),
    ("externs", (None,)),
]

# Calls and tail calls of small callees, which the compiled tier inlines (wasmrun.codegen.inlining): a
# pair of functions tail-calling each other, callees with declared locals, a branch to their function
# label, a return, f64 and no results, one whose own tail call (not inlined) traps; divisions by
# constants that cannot trap (inlined) and that can (called).
TAIL_CALLS = """
(module
  (global $g (mut i32) (i32.const 5))
  (func $step (export "collatz") (param $x i32) (param $steps i32) (result i32)
    (if (i32.le_u (local.get $x) (i32.const 1)) (then (return (local.get $steps))))
    (if (i32.and (local.get $x) (i32.const 1)) (then (return_call $odd (local.get $x) (local.get $steps))))
    (return_call $step (i32.shr_u (local.get $x) (i32.const 1)) (i32.add (local.get $steps) (i32.const 1))))
  (func $odd (param $x i32) (param $steps i32) (result i32)
    (return_call $step (i32.add (i32.mul (local.get $x) (i32.const 3)) (i32.const 1))
      (i32.add (local.get $steps) (i32.const 1))))
  (func $count (export "count") (param $n i32) (param $acc i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $bump (local.get $n) (local.get $acc)))
  (func $bump (param $n i32) (param $acc i32) (result i32) (local $k i32) (local $y f64)
    (local.set $k (i32.add (local.get $k) (i32.const 1)))
    (local.set $y (f64.add (local.get $y) (f64.const 1.5)))
    (return_call $count (i32.sub (local.get $n) (i32.const 1))
      (i32.add (local.get $acc) (i32.add (local.get $k) (i32.trunc_sat_f64_s (local.get $y))))))
  (func $acc (param $x i32) (result i32) (local $sum i32)
    (local.set $sum (i32.add (local.get $sum) (local.get $x)))
    (block (drop (br_if 1 (i32.mul (local.get $sum) (i32.const 3)) (i32.eqz (i32.and (local.get $x) (i32.const 7))))))
    (if (i32.gt_u (local.get $x) (i32.const 100)) (then (return (i32.const 100))))
    (i32.add (local.get $sum) (global.get $g)))
  (func (export "acc") (param i32) (result i32) (return_call $acc (i32.add (local.get 0) (i32.const 1))))
  (func $half (param f64) (result f64) (f64.mul (local.get 0) (f64.const 0.5)))
  (func (export "half") (param f64) (result f64) (return_call $half (local.get 0)))
  (func $void (param i32) (drop (local.get 0)))
  (func (export "void") (param i32) (return_call $void (local.get 0)))
  (func $divide (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $pass (param i32) (result i32) (return_call $divide (i32.sub (local.get 0) (i32.const 1))))
  (func $inlines (param i32) (result i32) (return_call $pass (local.get 0)))
  (func (export "trap_after") (param i32) (result i32) (i32.add (call $inlines (local.get 0)) (i32.const 1)))
  (func $seven (result i32) (i32.const 7))
  (func (export "seven") (result i32) (return_call $seven))
  (func $parse (param i32) (result i32)
    (if (i32.eqz (i32.rem_u (local.get 0) (i32.const 7))) (then (global.set $g (local.get 0)) (return (i32.const -1))))
    (i32.mul (local.get 0) (i32.div_s (local.get 0) (i32.const -7))))
  (func $nested (param i32) (result i32) (local i64)
    (block (loop
      (br_if 1 (i32.eqz (local.get 0)))
      (if (i32.gt_u (local.get 0) (i32.const 10)) (then (return (i32.wrap_i64 (local.get 1)))))
      (local.set 1 (i64.add (local.get 1) (i64.const 1)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 3)))
      (br_table 0 1 0 (i32.and (local.get 0) (i32.const 3)))))
    (i32.const 99))
  (func $set (param i32) (global.set $g (local.get 0)))
  (func $div0 (param i32) (result i32) (i32.div_u (local.get 0) (i32.const 0)))
  (func $div_minus_1 (param i32) (result i32) (i32.div_s (local.get 0) (i32.const -1)))
  (func (export "calls") (param $n i32) (result i32) (local $i i32) (local $sum i32)
    (loop $next
      (local.set $sum (i32.add (local.get $sum) (call $parse (local.get $i))))
      (local.set $sum (i32.add (local.get $sum) (call $nested (i32.add (local.get $i) (i32.const 9)))))
      (call $set (local.get $i))
      (local.set $sum (i32.add (local.get $sum) (global.get $g)))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum))
  (func (export "nested") (param i32) (result i32) (call $nested (local.get 0)))
  (func (export "div0") (param i32) (result i32) (i32.add (call $div0 (local.get 0)) (i32.const 1)))
  (func (export "div_minus_1") (param i32) (result i32) (i32.add (call $div_minus_1 (local.get 0)) (i32.const 1)))
)
"""

TAIL_CALL_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    *[("collatz", (x, 0)) for x in (1, 2, 3, 27, 97)],
    *[("count", (n, 0)) for n in (0, 1, 10)],
    *[("acc", (x,)) for x in (0, 6, 7, 8, 150, 0xFFFFFFFF)],
    ("half", (3.0,)),
    ("void", (1,)),
    *[("trap_after", (x,)) for x in (1, 2, 3)],
    ("seven", ()),
    *[("calls", (n,)) for n in (1, 5, 50)],
    *[("nested", (x,)) for x in range(20)],
    ("div0", (1,)),
    *[("div_minus_1", (x,)) for x in (5, 0x80000000)],
]

# Words loaded for a product only, which the compiled tier reads signed (wasmrun.codegen.memory): at a
# constant, aligned, tested and unknown-alignment address, and words used otherwise first (unsigned).
PRODUCTS = """
(module
  (memory 1)
  (data (i32.const 0) "\\fe\\ff\\ff\\ff\\03\\00\\00\\80\\ff\\ff\\ff\\7f\\05\\00\\00\\00\\09")
  (func (export "constant") (result i32) (i32.mul (i32.load (i32.const 0)) (i32.load (i32.const 4))))
  (func (export "aligned") (param i32 i32) (result i32)
    (i32.add (i32.mul (i32.load (i32.shl (local.get 0) (i32.const 2))) (i32.load (i32.shl (local.get 1) (i32.const 2))))
      (i32.const 1)))
  (func (export "tested") (param i32 i32) (result i32)
    (i32.mul (i32.load (local.get 0)) (i32.load offset=1 align=1 (local.get 1))))
  (func (export "square_minus") (param i32) (result i32)
    (local i32)
    (local.set 1 (i32.load (local.get 0)))
    (i32.sub (i32.mul (local.get 1) (local.get 1)) (i32.load (local.get 0))))
  (func (export "branch_first") (param i32 i32) (result i32)
    (block (result i32) (i32.mul (br_if 0 (i32.load (local.get 0)) (local.get 1)) (i32.const 3))))
  (func (export "compare_first") (param i32) (result i32)
    (local i32)
    (i32.load (local.get 0))
    (local.tee 1)
    (i32.mul (local.get 1))
    (i32.lt_s (i32.const 0))
    (i32.add (i32.mul (i32.load (local.get 0)) (i32.const 7)) (i32.load8_u (local.get 0)))
    (i32.add))
  (func (export "in_loop") (param i32) (result i32)
    (local i32 i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.mul (i32.load (local.get 2)) (i32.load offset=4 (local.get 2)))))
      (local.set 2 (i32.add (local.get 2) (i32.const 4)))
      (br_if $l (i32.lt_u (local.get 2) (local.get 0))))
    (local.get 1))
)
"""

PRODUCT_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("constant", ()),
    *[("aligned", pair) for pair in ((0, 1), (1, 2), (2, 2), (0, 3), (16383, 0), (16384, 0))],
    *[("tested", pair) for pair in ((0, 0), (4, 7), (1, 3), (65532, 0), (65533, 0))],
    *[("square_minus", (x,)) for x in (0, 2, 8, 65536)],
    *[("branch_first", pair) for pair in ((0, 0), (0, 1), (8, 0), (8, 1))],
    *[("compare_first", (x,)) for x in (0, 4, 8, 12)],
    *[("in_loop", (x,)) for x in (4, 16, 100000)],
]

CASES = {
    "control": (CONTROL, CONTROL_CALLS),
    "products": (PRODUCTS, PRODUCT_CALLS),
    "tail_calls": (TAIL_CALLS, TAIL_CALL_CALLS),
    "numeric": (NUMERIC, NUMERIC_CALLS),
    "memory": (MEMORY, MEMORY_CALLS),
    "tables": (TABLES, TABLE_CALLS),
}


@pytest.mark.parametrize("tier", [tier for tier in TIERS if tier != "interp"])
@pytest.mark.parametrize("case", list(CASES))
def test_every_construct_agrees_with_the_interpreter(case: str, tier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    wat, calls = CASES[case]
    mod = module(wat)
    assert outcomes(mod, tier, calls, monkeypatch) == outcomes(mod, "interp", calls, monkeypatch)


# --- traps: their texts and frames -------------------------------------------------------------------

TRAPS = """
(module
  (memory 1)
  (table 1 funcref)
  (func $leaf (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $middle (param i32) (result i32) (i32.add (i32.const 1) (call $leaf (local.get 0))))
  (func (export "deep") (param i32) (result i32)
    (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (call $middle (local.get 0))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (i32.ne (local.get 1) (i32.const 100))))
    (local.get 1))
  (func $load (param i32) (result i32) (i32.load offset=8 (local.get 0)))
  (func (export "memory") (param i32) (result i32) (i32.mul (call $load (local.get 0)) (i32.const 3)))
  (func (export "unreachable") (param i32) (result i32)
    (if (local.get 0) (then (unreachable))) (i32.const 0))
  (func (export "indirect") (param i32) (call_indirect (local.get 0)))
  (func (export "store_in_loop") (param i32)
    (loop $l
      (i32.store (local.get 0) (i32.const 1))
      (br_if $l (local.tee 0 (i32.add (local.get 0) (i32.const 4096))))))
)
"""

TRAP_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("deep", (5,)),
    ("memory", (65528,)),
    ("memory", (100,)),
    ("unreachable", (1,)),
    ("indirect", (0,)),
    ("indirect", (1,)),
    ("store_in_loop", (0,)),
]


@pytest.mark.parametrize("tier", [tier for tier in TIERS if tier != "interp"])
def test_traps_have_the_interpreters_text_and_frames(tier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = module(TRAPS)
    expected = outcomes(mod, "interp", TRAP_CALLS, monkeypatch)
    assert sum(result[0] == "trap" for result in expected) == len(expected) - 1  # memory(100) does not trap
    assert outcomes(mod, tier, TRAP_CALLS, monkeypatch) == expected


def test_a_failure_that_is_not_a_memory_access_is_not_a_trap() -> None:
    def helper() -> None:
        raise IndexError("an engine bug")

    try:
        helper()
    except IndexError as error:
        # Raised one frame down (not by the access on the line itself): returned as it is.
        assert compiled.memory_trap(error, {0: 0}) is error


def test_an_out_of_bounds_access_line_is_a_trap() -> None:
    view = memoryview(bytearray(4))
    try:
        view[4]
    except IndexError as error:
        assert error.__traceback__ is not None
        trap = compiled.memory_trap(error, marshal.dumps({error.__traceback__.tb_lineno: 17}))
        assert isinstance(trap, Trap) and trap.message == TRAP_MEMORY_OUT_OF_BOUNDS
        assert trap.at == 17  # type: ignore[attr-defined]


# --- depth -----------------------------------------------------------------------------------------------

RECURSION = """
(module
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1))))))
"""


def test_compiled_frames_trap_at_the_configured_depth_within_the_margin() -> None:
    from wasmrun.engine.interpreter import COMPILED_MARGIN

    down = Linker(Store(Interpreter(engine="compile", max_stack_depth=500))).instantiate(module(RECURSION))
    function = down.exports["down"]
    assert function(499) == 499
    with pytest.raises(Trap) as caught:
        function(500 + COMPILED_MARGIN)
    # Compiled code runs up to COMPILED_MARGIN frames deeper; its frames are those the interpreter gives:
    # the callee without an offset (as Wasmtime), then the 500 frames of the limit, all at the same call.
    frames = caught.value.frames
    assert len(frames) == 501 and frames[0] == (0, -1)
    assert set(frames[1:]) == {(0, frames[1][1])}


# --- the flat form: functions beyond CPython's nesting limits ---------------------------------------


def nested_loops(depth: int) -> str:
    """``depth`` nested loops: the innermost runs three times, the others once (the result is 3)."""
    body = "(local.set 0 (i32.add (local.get 0) (i32.const 1)))"
    for level in range(depth):
        counter = level + 1
        body = (
            f"(local.set {counter} (i32.const 0))"
            f"(loop $l{level} {body}"
            f"(local.set {counter} (i32.add (local.get {counter}) (i32.const 1)))"
            f"(br_if $l{level} (i32.lt_u (local.get {counter}) (i32.const {3 if level == 0 else 1}))))"
        )
    locals_ = " ".join(["i32"] * (depth + 1))
    return f'(module (func (export "f") (result i32) (local {locals_}) {body} (local.get 0)))'


def big_switch(cases: int) -> str:
    """A br_table over ``cases`` nested blocks (how clang lowers a switch), each case adding its index."""
    inner = f"(br_table {' '.join(str(i) for i in range(cases))} (local.get 0))"
    text = f"(block {inner})"
    for case in range(cases):
        text = f"(block {text} (local.set 1 (i32.add (local.get 1) (i32.const {case * 7}))) (br {cases - case - 1}))"
    return f'(module (func (export "f") (param i32) (result i32) (local i32) (block {text}) (local.get 1)))'


@pytest.mark.parametrize(
    ("wat", "args"),
    [(nested_loops(30), [()]), (big_switch(300), [(0,), (1,), (150,), (299,), (300,), (0xFFFFFFFF,)])],
    ids=["30 nested loops", "300-way br_table"],
)
def test_functions_beyond_the_nesting_limits_take_the_flat_form(wat: str, args: list[tuple[Any, ...]]) -> None:
    mod = module(wat)
    generated = generate_function(mod, 0, compiled.EXPRESSIONS)
    assert generated.form == "flat"
    compile(generated.source, "<test>", "exec")
    calls = [("f", a) for a in args]
    interp = outcomes(mod, "interp", calls, pytest.MonkeyPatch())
    assert outcomes(mod, "compile", calls, pytest.MonkeyPatch()) == interp
    if not args[0]:
        assert interp == [(3,)]


@pytest.mark.parametrize(
    ("index", "fuel", "tail_calls"),
    [
        (0, False, False),  # $step: $odd inlined, whose tail call back to $step jumps to its start
        (0, True, True),  # (not with fuel: the inlined instructions would be charged)
        (2, False, False),  # $count: $bump inlined, and its call back
        (1, False, True),  # $odd: $step inlined, whose tail call of $odd stays one
        (12, False, True),  # $inlines: $pass inlined, whose tail call of $divide (which traps) stays one
        (15, False, False),  # "seven": $seven, without parameters or locals, inlined
    ],
)
def test_small_tail_call_targets_are_inlined(index: int, fuel: bool, tail_calls: bool) -> None:
    generated = generate_function(module(TAIL_CALLS), index, compiled.EXPRESSIONS, fuel=fuel)
    assert generated.tail_calls is tail_calls
    assert ("TailCall(" in generated.source) is tail_calls


@pytest.mark.parametrize(
    ("index", "calls"),
    [
        (21, ""),  # "calls": $parse, $nested and $set inlined
        (23, "f19("),  # "div0": $div0 traps (a division by a constant zero): called
        (24, "f20("),  # "div_minus_1": $div_minus_1 may trap (overflow): called
    ],
)
def test_small_callees_are_inlined(index: int, calls: str) -> None:
    source = generate_function(module(TAIL_CALLS), index, compiled.EXPRESSIONS).source
    assert [line.strip() for line in source.splitlines() if " = f" in line or line.strip().startswith("f")] == (
        [f"t1 = {calls}l0)"] if calls else []
    )
    assert "f16(" not in source and "f17(" not in source and "f18(" not in source


@pytest.mark.parametrize(
    ("index", "signed", "unsigned"),
    [(0, 2, 0), (1, 2, 0), (2, 2, 0), (3, 0, 2), (4, 0, 1), (5, 1, 1), (6, 2, 0)],
)
def test_words_loaded_for_a_product_are_read_signed(index: int, signed: int, unsigned: int) -> None:
    lines = compiled.generate(module(PRODUCTS), index).source.splitlines()  # (with the typed views)
    assert sum("V0_i[" in line or "I32_UNPACK(" in line for line in lines) == signed
    assert sum("V0_I[" in line or "U32_UNPACK(" in line for line in lines) == unsigned


SELF_LOOPS = """
(module
  (memory 1)
  (func (export "one_block") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  (func (export "two_blocks") (param i32) (result i32) (local i32)
    (loop $l
      (if (i32.and (local.get 0) (i32.const 1)) (then (local.set 1 (i32.add (local.get 1) (i32.const 1)))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  (func (export "exits") (param i32) (result i32)
    (block $out (loop $l
      (br_if $out (i32.gt_u (local.get 0) (i32.const 1000)))
      (i32.store8 (local.get 0) (i32.const 1))
      (br_if $l (local.tee 0 (i32.mul (local.get 0) (i32.const 3))))))
    (local.get 0))
)
"""


@pytest.mark.parametrize(
    ("index", "loops", "calls"), [(0, 2, [(5,), (1,)]), (1, 1, [(5,), (4,)]), (2, 2, [(1,), (0,)])]
)
def test_a_loop_of_one_basic_block_is_a_loop_of_its_own_in_the_flat_form(
    index: int, loops: int, calls: list[tuple[int, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    mod = module(SELF_LOOPS)
    source = generate_function(mod, index, compiled.EXPRESSIONS, flat=True).source
    assert source.count("while True:") == loops
    name = ("one_block", "two_blocks", "exits")[index]
    probes = [(name, args) for args in calls]
    assert outcomes(mod, "flat", probes, monkeypatch) == outcomes(mod, "interp", probes, monkeypatch)


ONE_JUMP = """
(module
  (func (export "choose") (param i32) (result i32)
    (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))))
  (func (export "chain") (param i32) (result i32)
    (block $a (block $b (br_if $b (local.get 0)) (local.set 0 (i32.const 7)))
      (local.set 0 (i32.add (local.get 0) (i32.const 1))))
    (local.get 0)))
"""


@pytest.mark.parametrize(("index", "dispatched"), [(0, 2), (1, 2)])
def test_a_block_one_jump_reaches_is_written_where_the_jump_was_in_the_flat_form(
    index: int, dispatched: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # choose: the else arm goes into the if's test; chain: $a's end, reached only by falling from $b's end
    mod = module(ONE_JUMP)
    source = generate_function(mod, index, compiled.EXPRESSIONS, flat=True).source
    assert source.count("if b <") == dispatched - 1
    name = ("choose", "chain")[index]
    probes = [(name, (value,)) for value in (0, 1, 5)]
    assert outcomes(mod, "flat", probes, monkeypatch) == outcomes(mod, "interp", probes, monkeypatch)


def test_shallow_functions_take_the_structured_form() -> None:
    assert generate_function(module(nested_loops(5)), 0, compiled.EXPRESSIONS).form == "structured"


# --- on-stack replacement --------------------------------------------------------------------------------


def test_a_hot_loop_continues_in_compiled_code_during_its_first_call() -> None:
    mod = module(NUMERIC)
    instance = Linker(Store(Interpreter(engine="auto", compile_threshold=50))).instantiate(mod)
    lcg = instance.exports["lcg"]
    entries: list[Any] = []
    original = compiled.loop_entry_code

    def counting(module: Any, index: int, offset: int, *options: Any) -> Any:
        entries.append(offset)
        return original(module, index, offset, *options)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(compiled, "loop_entry_code", counting)
        assert comparable(lcg.invoke([1, 1000])) == outcomes(mod, "interp", [("lcg", (1, 1000))], mp)[0]
    assert len(entries) == 1


# --- security: nothing from the module reaches the source ------------------------------------------------

HOSTILE = '"); import os; os._exit(3) #'
HOSTILE_TEXT = HOSTILE.replace('"', '\\"')

SECURE = """
(module $m'os.system
  (memory 1)
  (global $g'import (mut i32) (i32.const 0))
  (func $exec'open (export "HOSTILE") (param $p'eval i32) (result i32)
    (global.set $g'import (local.get $p'eval))
    (i32.store (i32.const 0) (local.get $p'eval))
    (call $other (f64.const nan:0x1234)))
  (func $other (export "__import__('os')") (param f64) (result i32) (i32.const 1))
)
""".replace("HOSTILE", HOSTILE_TEXT)


def with_custom_section(binary: bytes, name: str, payload: bytes) -> bytes:
    """``binary`` with a custom section appended (any position is valid for a custom section)."""
    encoded = name.encode()
    content = bytes([len(encoded)]) + encoded + payload
    return binary + bytes([0, len(content)]) + content


# Every name generated code may use: locals, temporaries, results, the namespace's names, helpers.
ALLOWED_NAME = (
    r"(l|t|f|fi|g|m|T|E|ty|K|r|p|h)\d+(_\d+)?|f\d+_(K\d+|ML)|V\d+(_[HIQd])?|b|br|error|datas|elems|"
    r"[A-Z0-9_]+|[a-z0-9_]+_[a-z0-9_]+|_wn_\w+|abs|float|len|None|True|False|"
    r"value|pages|grow|fill|copy|init|get|set|bit_length|bit_count"
)


def test_generated_source_holds_only_made_up_names_and_numbers() -> None:
    import keyword
    import re

    mod = Module.from_bytes(with_custom_section(parse_module(SECURE), HOSTILE, HOSTILE.encode()))
    assert HOSTILE in [export.name for export in mod.exports]
    assert mod.custom_section(HOSTILE) == HOSTILE.encode()
    pattern = re.compile(ALLOWED_NAME)
    for index in range(len(mod.func_type_indices)):
        for flat in (False, True):
            source = generate_function(mod, index, compiled.EXPRESSIONS, flat=flat).source
            assert "os" not in re.findall(r"\w+", source)
            for token in tokenize.generate_tokens(io.StringIO(source).readline):
                if token.type == tokenize.NAME:
                    assert keyword.iskeyword(token.string) or pattern.fullmatch(token.string), token.string
                assert token.type != tokenize.STRING or token.string == "b''", token.string
    instance = instantiate(mod, "compile")
    assert instance.exports[HOSTILE](5) == 1


# --- the pre-pass ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "needs"),
    [
        ("(local.set 1 (i32.const 1)) (drop (local.get 1))", set()),
        ("(drop (local.get 1)) (local.set 1 (i32.const 1))", {1}),
        ("(if (local.get 0) (then (local.set 1 (i32.const 1)))) (drop (local.get 1))", {1}),
        (
            "(if (local.get 0) (then (local.set 1 (i32.const 1))) (else (local.set 1 (i32.const 2))))"
            " (drop (local.get 1))",
            set(),
        ),
        ("(block (br_if 0 (local.get 0)) (local.set 1 (i32.const 1))) (drop (local.get 1))", {1}),
        ("(loop (local.set 1 (i32.const 1))) (drop (local.get 1))", set()),
        ("(loop (drop (local.get 1)) (local.set 1 (i32.const 1)) (br_if 0 (local.get 0)))", {1}),
    ],
)
def test_locals_are_zeroed_only_where_a_read_may_come_first(body: str, needs: set[int]) -> None:
    mod = module(f"(module (func (param i32) (local i32) {body}))")
    from wasmrun.binary.instructions import decode_function_body

    instructions = decode_function_body(mod.raw, mod.body(0))
    assert analyse(mod, instructions, 0, 1).needs_init == needs


# --- whole programs, in every tier -------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "n"), testdata.benchmark_programs())
def test_benchmark_programs_agree_in_every_tier(path: Path, n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = Module.from_file(path)
    calls = [("bench", (n,)), ("bench", (n + 1,))]
    expected = outcomes(mod, "interp", calls, monkeypatch)
    for tier in ("compile", "flat", "osr"):
        assert outcomes(mod, tier, calls, monkeypatch) == expected, tier


@pytest.mark.parametrize(
    ("path", "calls"),
    [
        ("examples/add.wat", [("add", (2, 3)), ("add", (0xFFFFFFFF, 2))]),
        ("examples/fac.wat", "all"),
        ("examples/checksum.wat", "all"),
    ],
)
def test_text_examples_agree_in_every_tier(path: str, calls: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = Module.from_file(REPO / path)
    if calls == "all":
        calls = [
            (export.name, (5,) * len(mod.func_type(export.index).params))
            for export in mod.exports
            if export.kind.name == "FUNC"
        ]
    expected = outcomes(mod, "interp", calls, monkeypatch)
    for tier in ("compile", "flat", "osr"):
        assert outcomes(mod, tier, calls, monkeypatch) == expected, tier


def run_command(path: Path, args: list[str], tier: str, stdin: bytes, mp: pytest.MonkeyPatch) -> tuple[Any, ...]:
    wasi = pytest.importorskip("wasmrun.wasi")
    linking = pytest.importorskip("wasmrun.wasi.linking")
    mp.setattr(compiled, "FORCE_FLAT", tier == "flat")
    mod = Module.from_file(path)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as source:
        source.write(stdin)
        source.seek(0)
        context = wasi.WasiContext([path.name, *args], stdin=source.fileno(), stdout=out.fileno(), stderr=None)
        linker = Linker(Store(Interpreter(**TIERS[tier])))
        linking.define_wasi(linker, context, mod)
        instance = linker.instantiate(mod)
        context.memory = instance.exports["memory"]
        try:
            instance.exports["_start"]()
            status: Any = 0
        except ProcExit as exit_:
            status = exit_.code
        except Trap as trap:
            status = ("trap", trap.message, tuple(trap.frames))
        out.seek(0)
        return status, out.read()


@pytest.mark.parametrize(
    ("name", "args", "stdin"),
    [
        ("hello", [], b""),
        ("wc", [], b"one two\nthree\n"),
        ("upper", [], b"abc\x00xyz"),
        ("exitcode", ["7"], b""),
        ("divz", [], b""),
        ("divz", ["4"], b""),
    ],
)
def test_wasi_examples_agree_in_every_tier(
    name: str, args: list[str], stdin: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = REPO / "examples" / f"{name}.wasm"
    expected = run_command(path, args, "interp", stdin, monkeypatch)
    for tier in ("compile", "flat", "osr"):
        assert run_command(path, args, tier, stdin, monkeypatch) == expected, tier


SIMD_AND_SCALAR = """
(module
  (func (export "simd") (result i32) (i32x4.extract_lane 1 (v128.const i32x4 1 2 3 4)))
  (func (export "scalar") (result i32) (i32.add (call 0) (i32.const 1))))
"""


def test_the_generator_refuses_simd() -> None:
    with pytest.raises(UnsupportedInstruction, match="SIMD"):
        generate_function(module(SIMD_AND_SCALAR), 0, compiled.EXPRESSIONS)


def test_each_form_finds_its_behaviours_in_the_instruction_table() -> None:
    """Each form's own table (visitor_table): its own control methods, every row but those of the proposals
    the interpreter keeps."""
    from wasmrun.codegen.flat import FlatGenerator
    from wasmrun.codegen.generator import covers
    from wasmrun.codegen.structured import StructuredGenerator
    from wasmrun.instructions import OPCODES, opcode_of

    # SIMD: the function stays interpreted.
    simd = {opcode for opcode, info in OPCODES.items() if info.is_simd}
    for form in (StructuredGenerator, FlatGenerator):
        for mnemonic in ("block", "loop", "if", "else", "end", "br_table", "br", "local.get"):
            assert form.handlers[opcode_of(mnemonic)] is getattr(form, "op_" + mnemonic.replace(".", "_"))
    assert set(OPCODES) - set(StructuredGenerator.handlers) == simd
    assert set(OPCODES) - set(FlatGenerator.handlers) == simd
    assert StructuredGenerator.handlers[opcode_of("block")] is not FlatGenerator.handlers[opcode_of("block")]
    assert all(covers(info) for info in OPCODES.values())


@pytest.mark.parametrize("tier", ["compile", "osr"])
def test_a_simd_function_stays_interpreted_beside_compiled_ones(tier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    instance = instantiate(module(SIMD_AND_SCALAR), tier, monkeypatch)
    simd, scalar = instance.exports["simd"], instance.exports["scalar"]
    for _ in range(5):
        assert (scalar(), simd()) == (3, 2)
    assert compiled.code_info(scalar.direct.__code__) is not None  # compiled
    assert compiled.code_info(simd.entry.__code__) is None  # the interpreter's entry


def test_a_collected_store_frees_its_compiled_code_and_unmaps_its_memories() -> None:
    import gc
    import weakref

    store = Store(Interpreter(engine="compile"))
    instance = Linker(store).instantiate(module(MEMORY))
    assert instance.exports["global"](1) == 6
    memory = instance.memories[0]
    reference = weakref.ref(instance)
    del store, instance
    gc.collect()
    assert reference() is None and memory.closed


# --- a br_table of many targets: code in proportion to its distinct labels ------------------------------


def alternating_br_table(targets: int) -> Module:
    """``f(i)``: a br_table of ``targets`` labels alternating between two blocks; 1 or 2 comes back."""
    labels = " ".join("0 1" for _ in range(targets // 2))
    return module(f"""
    (module (func (export "f") (param i32) (result i32)
      (block $outer
        (block $inner (br_table {labels} 1 (local.get 0)))
        (return (i32.const 1)))
      (i32.const 2)))""")


@pytest.mark.parametrize("tier", ["compile", "flat"])
def test_a_br_table_of_many_targets_compiles_to_a_lookup_not_a_test_per_range(
    tier: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3.5 million alternating targets once took minutes and 15 GB to compile: one test per range."""
    mod = alternating_br_table(20_000)
    monkeypatch.setattr(compiled, "FORCE_FLAT", tier == "flat")
    generated = compiled.generate(mod, 0, flat=tier == "flat")
    assert generated.source.count("\n") < 60
    instance = instantiate(mod, tier, monkeypatch)
    assert [instance.exports["f"](i) for i in (0, 1, 2, 19_999, 20_000, 2**32 - 1)] == [1, 2, 1, 2, 2, 2]
