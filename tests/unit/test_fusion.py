"""Superinstructions: each fusion of wasmrun.interp.fusion fires, and gives the results of the
unfused translation (one handler per instruction)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.instructions import BY_MNEMONIC, OPCODES
from wasmrun.interp import fusion
from wasmrun.interp.handlers import factory, source
from wasmrun.interp.translate import Translation, plan_runs, thread_jumps, translate_function
from wasmrun.loader import Module
from wasmrun.runtime.functions import WasmFunction
from wasmrun.runtime.linker import Linker
from wasmrun.semantics import access
from wasmrun.text.wat import parse_module

INPUTS = (0, 1, -1, 5, 100, 2**31 - 1, -(2**31))


def module(wat: str) -> Module:
    return Module.from_bytes(parse_module(wat))


def function_module(signature: str, body: str) -> Module:
    return module(
        f'(module (memory 1) (func (export "f") {signature} {body}) (func $id (param i32) (result i32) local.get 0))'
    )


def translation(mod: Module, fuse: bool = True) -> Translation:
    return translate_function(mod, 0, fuse=fuse)


def items(mod: Module, fuse: bool = True) -> list[list[Any]]:
    return [list(item) for item in translation(mod, fuse).code[1:]]


def call_all(mod: Module, interpreter: Interpreter, arity: int) -> list[Any]:
    function = Linker(Store(interpreter)).instantiate(mod).exports["f"]
    out = []
    for args in itertools.product(INPUTS, repeat=arity):
        memory = function.instance.memories[0]
        memory.write_i32(0, 0x11223344)
        memory.write_i32(8, 0x55667788)
        out.append(function(*args))
    return out


def assert_same_results(mod: Module, arity: int) -> None:
    unfused = call_all(mod, Interpreter(engine="interp", fuse=False), arity)
    assert call_all(mod, Interpreter(engine="interp", hot_threshold=None), arity) == unfused
    assert call_all(mod, Interpreter(engine="interp", hot_threshold=0), arity) == unfused


def key(family: str, op: str | None = None, shape: str = "") -> tuple[str, str | None, str]:
    return (family, op, shape)


# Each pattern: the function's signature and body, and the fused code expected (keys and arguments;
# frame indexes: locals first, then stack slots).
PATTERNS: dict[str, tuple[str, str, list[list[Any]]]] = {
    "local.get local.get binop local.set": (
        "(param i32 i32) (result i32) (local i32)",
        "local.get 0 local.get 1 i32.add local.set 2 local.get 2",
        [[key("binop", "i32.add", "rr"), 2, 0, 1], [key("ret", None, "r"), 3, 2]],
    ),
    "local.get const binop": (
        "(param i32) (result i32)",
        "local.get 0 i32.const 7 i32.add",
        [[key("binop", "i32.add", "rc"), 1, 0, 7], [key("ret", None, "r"), 1, 1]],
    ),
    "const local.get binop": (
        "(param i32) (result i32)",
        "i32.const 7 local.get 0 i32.sub",
        [[key("binop", "i32.sub", "cr"), 1, 7, 0], [key("ret", None, "r"), 1, 1]],
    ),
    "const local.set": (
        "(param i32) (result i32)",
        "i32.const 9 local.set 0 local.get 0 local.get 0 i32.mul",
        [[key("move", None, "c"), 0, 9], [key("binop", "i32.mul", "rr"), 1, 0, 0], [key("ret", None, "r"), 1, 1]],
    ),
    "local.get local.set": (
        "(param i32 i32) (result i32)",
        "local.get 1 local.set 0 local.get 0 local.get 1 i32.sub",
        [[key("move", None, "r"), 0, 1], [key("binop", "i32.sub", "rr"), 2, 0, 1], [key("ret", None, "r"), 2, 2]],
    ),
    "producer local.tee": (
        "(param i32) (result i32)",
        "local.get 0 i32.const 3 i32.mul local.tee 0 local.get 0 i32.add",
        [
            [key("binop", "i32.mul", "rc"), 0, 0, 3],
            [key("binop", "i32.add", "rr"), 1, 0, 0],
            [key("ret", None, "r"), 1, 1],
        ],
    ),
    "comparison br_if": (
        "(param i32 i32) (result i32)",
        "block local.get 0 local.get 1 i32.lt_s br_if 0 i32.const 1 return end i32.const 2",
        [[key("br_if.binop", "i32.lt_s", "rr"), 0, 1, 3], [key("ret", None, "c"), 2, 1], [key("ret", None, "c"), 2, 2]],
    ),
    "comparison if": (
        "(param i32) (result i32)",
        "local.get 0 i32.const 10 i32.gt_u if (result i32) i32.const 1 else i32.const 2 end",
        [
            [key("br_unless.binop", "i32.gt_u", "rc"), 0, 10, 3],
            [key("ret", None, "c"), 1, 1],  # move and jump to the end: threaded into the return
            [key("ret", None, "c"), 1, 2],
        ],
    ),
    "eqz br_if": (
        "(param i32) (result i32)",
        "block local.get 0 i32.eqz br_if 0 i32.const 1 return end i32.const 2",
        [[key("br_unless", None, "r"), 0, 3], [key("ret", None, "c"), 1, 1], [key("ret", None, "c"), 1, 2]],
    ),
    "eqz if": (
        "(param i64) (result i32)",
        "local.get 0 i64.eqz if (result i32) i32.const 1 else i32.const 2 end",
        [[key("br_if", None, "r"), 0, 3], [key("ret", None, "c"), 1, 1], [key("ret", None, "c"), 1, 2]],
    ),
    "load with offset, address from a local": (
        "(param i32) (result i32)",
        "local.get 0 i32.const 0xFFF0 i32.and i32.load16_u offset=2 local.get 0 i32.const 0xFFF0 i32.and local.tee 0 i32.load offset=4 i32.add",
        [
            [key("binop", "i32.and", "rc"), 1, 0, 0xFFF0],
            [key("load", "i32.load16_u", "r"), 1, 1, 2, 0],
            [key("binop", "i32.and", "rc"), 0, 0, 0xFFF0],
            [key("load", "i32.load", "r"), 2, 0, 4, 0],  # the address read from the local itself
            [key("binop", "i32.add", "rr"), 1, 1, 2],
            [key("ret", None, "r"), 1, 1],
        ],
    ),
    "load with offset, computed address": (
        "(param i32) (result i32)",
        "local.get 0 i32.const 3 i32.and i32.load offset=4",
        [
            [key("binop", "i32.and", "rc"), 1, 0, 3],
            [key("load", "i32.load", "r"), 1, 1, 4, 0],
            [key("ret", None, "r"), 1, 1],
        ],
    ),
    "load from a constant address": (
        "(param i32) (result i32)",
        "i32.const 8 i32.load8_s offset=1",
        [[key("load", "i32.load8_s", "c"), 1, 8, 1, 0], [key("ret", None, "r"), 1, 1]],
    ),
    "store of a constant": (
        "(param i32) (result i32)",
        "local.get 0 i32.const 15 i32.and i32.const -2 i32.store16 i32.const 0 i32.load",
        [
            [key("binop", "i32.and", "rc"), 1, 0, 15],
            [key("store", "i32.store16", "rc"), 1, 0xFFFFFFFE, 0, 0],
            [key("load", "i32.load", "c"), 1, 0, 0, 0],
            [key("ret", None, "r"), 1, 1],
        ],
    ),
    "select with constants": (
        "(param i32) (result i32)",
        "i32.const 1 i32.const 2 local.get 0 select",
        [[key("select", None, "ccr"), 1, 1, 2, 0], [key("ret", None, "r"), 1, 1]],
    ),
    "call result to a local": (
        "(param i32) (result i32)",
        "local.get 0 call $id local.set 0 local.get 0",
        [[key("move", None, "r"), 1, 0], [key("call.1", None, ""), 1, 1, 2, 0], [key("ret", None, "r"), 1, 0]],
    ),
    "br to the function end": (
        "(param i32) (result i32)",
        "block (result i32) local.get 0 local.get 0 br_if 0 drop i32.const 4 end",
        [
            [key("br_unless", None, "r"), 0, 3],
            [key("ret", None, "r"), 1, 0],  # br_if carrying a value: out of line, threaded into the return
            [key("ret", None, "c"), 1, 4],
        ],
    ),
}


@pytest.mark.parametrize("name", list(PATTERNS))
def test_pattern_fires(name: str) -> None:
    signature, body, expected = PATTERNS[name]
    mod = function_module(signature, body)
    assert items(mod) == expected
    assert len(items(mod)) < len(items(mod, fuse=False))


@pytest.mark.parametrize("name", list(PATTERNS))
def test_pattern_gives_the_unfused_results(name: str) -> None:
    signature, body, _expected = PATTERNS[name]
    mod = function_module(signature, body)
    assert_same_results(mod, len(mod.func_type(0).params))


_OPERAND_SAMPLES = {
    "local.get": "local.get 0",
    "i32.const": "i32.const 1",
    "i64.const": "i64.const 1",
    "f32.const": "f32.const 1",
    "f64.const": "f64.const 1",
    "ref.null": "ref.null extern",
    "v128.const": "v128.const i32x4 1 2 3 4",
}


@pytest.mark.parametrize("mnemonic", sorted(fusion.OPERAND_INSTRUCTIONS))
def test_operand_instructions_emit_no_code(mnemonic: str) -> None:
    text = _OPERAND_SAMPLES[mnemonic]
    mod = function_module("(param i32)", f"{text} drop")
    assert [item[0] for item in items(mod)] == [key("exit")]
    shape = "r" if text.startswith("local") else "c"
    assert [item[0] for item in items(mod, fuse=False)] == [key("move", None, shape), key("exit")]


def test_every_branch_fusion_is_exercised() -> None:
    families = {item[0][0] for name in PATTERNS for item in PATTERNS[name][2]}
    assert set(fusion.BRANCH_FUSIONS.values()) <= {family.split(".")[0] for family in families}


def test_a_signed_comparison_with_a_constant_folds_the_constant() -> None:
    text = source(key("br_if.binop", "i32.lt_s", "rc"))
    handler, factory = text.split("def make")
    assert "y_s32 = " in factory  # in the factory, computed once
    assert "4294967296" not in handler.split("<")[1].split("return")[0]


# --- hazards: a pending read of a local that is then written ------------------------------------------

HAZARDS = {
    "set while an old read is pending": "local.get 0 i32.const 5 local.set 0 local.get 0 i32.add",
    "result into a local read below": "local.get 0 local.get 0 i32.const 1 i32.add local.set 0 local.get 0 i32.add",
    "tee into a local read below": "local.get 1 local.get 0 i32.const 2 i32.mul local.tee 1 i32.sub local.get 1 i32.add",
    "old read carried into a block": "local.get 0 block (result i32) i32.const 3 local.set 0 local.get 0 end i32.sub",
    "old read carried across an if": "local.get 0 local.get 1 if i32.const 7 local.set 0 end local.get 0 i32.xor",
    "call argument read before the call writes the local": "local.get 0 local.get 0 i32.const 3 i32.add call $id local.set 0 local.get 0 i32.mul",
}


@pytest.mark.parametrize("name", list(HAZARDS))
def test_pending_reads_survive_writes(name: str) -> None:
    assert_same_results(function_module("(param i32 i32) (result i32)", HAZARDS[name]), 2)


# --- jump threading, runs and tiering -----------------------------------------------------------------

LOOP = """
(module (memory 1)
  (func (export "f") (param i32) (result i32) (local i32 i32)
    (block
      (loop
        (br_if 1 (i32.ge_u (local.get 1) (local.get 0)))
        (i32.store8 (local.get 1) (local.get 1))
        (local.set 2 (i32.add (local.get 2) (i32.load8_u (local.get 1))))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br 0)))
    (local.get 2)))
"""


def test_runs_cover_straight_line_code_between_branch_targets() -> None:
    mod = module(LOOP)
    code = translation(mod).code
    runs = plan_runs(code)
    assert runs
    entered = {item[-1] for item in code[1:] if item[0][0].startswith("br")}
    for run in runs:
        assert len(run) <= fusion.RUN_MAX_LENGTH
        assert not entered & set(run[1:])
        assert all(fusion.FAMILIES[code[pc][0][0]].falls_through for pc in run[:-1])


@pytest.mark.parametrize("threshold", [0, 1, 3, 50, None])
def test_tiering_at_any_point_gives_the_same_results(threshold: int | None) -> None:
    mod = module(LOOP)
    function = Linker(Store(Interpreter(engine="interp", hot_threshold=threshold))).instantiate(mod).exports["f"]
    assert [function(n) for n in (0, 1, 10, 300)] == [0, 0, 45, sum(i % 256 for i in range(300))]


def test_a_hot_function_gets_its_runs_and_loses_its_counter() -> None:
    mod = module(LOOP)
    function = Linker(Store(Interpreter(engine="interp", hot_threshold=5))).instantiate(mod).exports["f"]
    assert isinstance(function, WasmFunction)
    function(1)
    counting = function.entry
    function(100)  # the loop's iterations make it hot
    assert function.entry is not counting
    assert function(10) == 45


def test_recursion_across_a_tier_up() -> None:
    wat = """
    (module (func $fib (export "f") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2))))))))
    """
    for threshold in (0, 1, 7, None):
        assert (
            Linker(Store(Interpreter(engine="interp", hot_threshold=threshold)))
            .instantiate(module(wat))
            .exports["f"](15)
            == 610
        )


# --- every family generates code for every shape ---------------------------------------------------------

_SAMPLE_OPS = {"unop": "i32.popcnt", "binop": "i32.rotl", "br_if.unop": "i64.eqz", "br_unless.unop": "i32.eqz"}
_SAMPLE_OPS |= {"br_if.binop": "f64.lt", "br_unless.binop": "i64.ge_s", "load": "i64.load16_s", "store": "f32.store"}
_SAMPLE_OPS |= {"ternop": "v128.bitselect", "quadop": "i64.add128"}
_SAMPLE_OPS |= {
    "atomic.1": "i32.atomic.load",
    "atomic.2": "i32.atomic.rmw.add",
    "atomic.3": "i32.atomic.rmw.cmpxchg",
    "atomic.store": "i32.atomic.store",
    "gc.1": "gc.ref.i31",
    "gc.0": "gc.struct.set",
    "gc.1.fuel": "gc.array.new",
    "gc.0.fuel": "gc.array.fill",
}


@pytest.mark.parametrize("family", list(fusion.FAMILIES))
@pytest.mark.parametrize("kind", ["r", "c"])
def test_every_family_compiles(family: str, kind: str) -> None:
    shape = kind * len(fusion.FAMILIES[family].sources)
    factory(key(family, _SAMPLE_OPS.get(family), shape))


@pytest.mark.parametrize(
    "mnemonic",
    sorted(info.mnemonic for info in OPCODES.values() if info.is_numeric and not info.is_simd),
)
def test_every_numeric_instruction_compiles(mnemonic: str) -> None:
    info = BY_MNEMONIC[mnemonic]
    family = {1: "unop", 2: "binop", 4: "quadop"}[len(info.params or ())]
    factory(key(family, mnemonic, "r" * len(info.params or ())))


@pytest.mark.parametrize("mnemonic", sorted(access.LOADS) + sorted(access.STORES))
def test_every_memory_access_compiles(mnemonic: str) -> None:
    family = "load" if mnemonic in access.LOADS else "store"
    factory(key(family, mnemonic, "r" * len(fusion.FAMILIES[family].sources)))


# --- random straight-line code: fused, cold and with runs, against unfused -----------------------------------

_BINOPS = ["i32.add", "i32.sub", "i32.mul", "i32.xor", "i32.shl", "i32.shr_s", "i32.lt_s", "i32.ge_u", "i32.eq"]


@st.composite
def straight_line(draw: st.DrawFn) -> str:
    """A random valid body over three i32 locals, leaving one i32."""
    ops: list[str] = []
    depth = 0
    for _ in range(draw(st.integers(1, 25))):
        choices = ["local.get", "i32.const"]
        if depth >= 1:
            choices += ["local.set", "local.tee", "i32.eqz", "store_load"]
        if depth >= 2:
            choices += ["binop", "drop_second"]
        if depth >= 3:
            choices += ["select"]
        op = draw(st.sampled_from(choices))
        local = draw(st.integers(0, 2))
        if op == "local.get":
            ops.append(f"local.get {local}")
            depth += 1
        elif op == "i32.const":
            ops.append(f"i32.const {draw(st.sampled_from([0, 1, -1, 7, 2**31 - 1]))}")
            depth += 1
        elif op == "local.set":
            ops.append(f"local.set {local}")
            depth -= 1
        elif op == "local.tee":
            ops.append(f"local.tee {local}")
        elif op == "i32.eqz":
            ops.append("i32.eqz")
        elif op == "store_load":
            ops.append("local.set 2 i32.const 16 local.get 2 i32.store i32.const 16 i32.load")
        elif op == "binop":
            ops.append(draw(st.sampled_from(_BINOPS)))
            depth -= 1
        elif op == "drop_second":
            ops.append("local.set 2 drop local.get 2")
            depth -= 1
        else:
            ops.append("select")
            depth -= 2
    ops += ["i32.add"] * (depth - 1) if depth else ["i32.const 0"]
    ops += ["local.get 0 i32.add local.get 1 i32.add local.get 2 i32.add"]
    return " ".join(ops)


@settings(max_examples=60, deadline=None)
@given(straight_line())
def test_random_code_gives_the_unfused_results(body: str) -> None:
    mod = module(f'(module (memory 1) (func (export "f") (param i32 i32) (result i32) (local i32) {body}))')
    results = []
    for interpreter in (
        Interpreter(engine="interp", fuse=False),
        Interpreter(engine="interp", hot_threshold=None),
        Interpreter(engine="interp", hot_threshold=0),
    ):
        function = Linker(Store(interpreter)).instantiate(mod).exports["f"]
        results.append([function(a, b) for a, b in ((0, 0), (3, -7), (2**31 - 1, 1))])
    assert results[0] == results[1] == results[2]


class _CountingCode(list):  # type: ignore[type-arg]
    """The translated code, counting reads of its items."""

    reads = 0

    def __getitem__(self, index: Any) -> Any:
        _CountingCode.reads += 1
        return super().__getitem__(index)


def test_threading_a_long_chain_of_branches_reads_each_link_once() -> None:
    """Deep if/else nesting makes a chain of br's as long as the nesting, and a jump into every link:
    followed one by one, 40,000 levels took minutes (reads grew with the square of the depth)."""
    n = 2000
    # handler k (1..n) is a br to k+1; handler n+1 ends the function; each br's target is a link of the chain.
    items = [[("exit", None, "")]] + [[("br", None, ""), k + 1] for k in range(1, n + 1)] + [[("exit", None, "")]]
    code = _CountingCode(items)
    _CountingCode.reads = 0
    thread_jumps(code)
    assert all(code[k][0][0] == "exit" for k in range(1, n + 1))  # every br went straight to the exit
    assert _CountingCode.reads < 20 * n
