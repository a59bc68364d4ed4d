"""``inspect --code``'s engine forms: handlers with their operands and spans, runs, the compiled source."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmrun.binary.instructions import decode_function_body
from wasmrun.codegen import compiled
from wasmrun.engine.interpreter import Interpreter
from wasmrun.inspection.translation import (
    Handler,
    TranslatedForm,
    compiled_source,
    constant_text,
    translated_form,
)
from wasmrun.interp.translate import plan_runs, translate_function
from wasmrun.loader import load_module
from wasmrun.module import Module
from wasmrun.runtime.functions import WasmFunction
from wasmrun.runtime.linker import Linker
from wasmrun.runtime.store import Store

REPO_ROOT = Path(__file__).resolve().parents[2]


def form_of(body: str, signature: str = "", index: int = 0) -> tuple[Module, TranslatedForm]:
    module = load_module(f"(module (memory 1) (func {signature} {body}))".encode())
    return module, translated_form(module, index)


def instruction_offsets(module: Module, index: int) -> list[int]:
    return [offset for _, _, offset in decode_function_body(module.raw, module.body(index))]


def described(handler: Handler) -> tuple[str, str | None, str, str]:
    return handler.family, handler.op, handler.shape, " ".join(f"{o.name}={o.value}" for o in handler.operands)


# --- spans: which wasm instructions each handler accounts for -------------------------------------


@pytest.mark.parametrize(
    ("signature", "body", "spans"),
    [
        # local.get a; local.get b; i32.add; local.set 2 -> one binop writing local 2: all four instructions.
        ("(param i32 i32) (local i32)", "local.get 0 local.get 1 i32.add local.set 2", [(0, 3), (4, 4)]),
        # The result goes to a stack slot: the local.set is a move of its own.
        (
            "(param i32) (result i32) (local i32)",
            "local.get 0 i32.eqz local.get 0 local.set 1",
            [(0, 1), (2, 3), (4, 4)],
        ),
        # A comparison and br_if are one compare-and-branch.
        ("(param i32)", "block local.get 0 i32.const 3 i32.lt_s br_if 0 end", [(0, 4), (5, 6)]),
        # eqz and if: one branch.
        ("(param i32) (result i32)", "local.get 0 i32.eqz if (result i32) i32.const 1 else i32.const 2 end", None),
    ],
    ids=["destination", "no-destination", "compare-and-branch", "test-and-if"],
)
def test_spans(signature: str, body: str, spans: list[tuple[int, int]] | None) -> None:
    module, form = form_of(body, signature)
    offsets = instruction_offsets(module, 0)
    actual = sorted({(offsets.index(h.first), offsets.index(h.last)) for h in form.handlers})
    if spans is not None:
        assert actual == spans
    else:
        assert actual[0] == (0, 2)  # local.get, eqz and the if, in one branch handler
        assert form.handlers[0].family == "br_if"


@pytest.mark.parametrize(
    "path",
    [REPO_ROOT / "examples" / "hello.wasm", REPO_ROOT / "tests" / "data" / "inspect" / "instance_state.wat"],
    ids=lambda path: path.name,
)
def test_spans_are_ordered_and_hold_their_instruction(path: Path) -> None:
    module = load_module(path.read_bytes())
    for index in range(module.num_imported_functions, len(module.func_type_indices)):
        form = translated_form(module, index)
        offsets = set(instruction_offsets(module, index))
        previous = (-1, -1)
        for handler in form.handlers:
            assert {handler.first, handler.offset, handler.last} <= offsets
            assert handler.first <= handler.offset <= handler.last
            span = (handler.first, handler.last)
            assert span == previous or span[0] > previous[1], (index, handler)
            previous = span


# --- operands -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wat", "index", "expected"),
    [
        (
            "(func $p (result i32 i32) i32.const 1 i32.const 2) (func (result i32) call $p i32.add)",
            1,
            [
                ("call.n", None, "", "f=function 0 args=R[0:0] results=R[0:2]"),
                ("binop", "i32.add", "rr", "d=R[0] x=R[0] y=R[1]"),
                ("ret", None, "r", "d=R[0] x=R[0]"),
            ],
        ),
        (
            "(func (param i32) (result i32) local.get 0 i32.const 4 i32.add)",
            0,
            [("binop", "i32.add", "rc", "d=R[1] x=R[0] y=4"), ("ret", None, "r", "d=R[1] x=R[1]")],
        ),
        (
            "(global (mut f64) (f64.const 0)) (func (param f64) (global.set 0 (f64.add (local.get 0) (f64.const 0.5))))",
            0,
            [
                ("binop", "f64.add", "rc", "d=R[1] x=R[0] y=0.5"),
                ("global.set", None, "r", "g=global 0 x=R[1]"),
                ("exit", None, "", ""),
            ],
        ),
        (
            "(func (param i32) (i32.store offset=8 (local.get 0) (i32.const -1)))",
            0,
            [("store", "i32.store", "rc", "x=R[0] y=4294967295 off=8 mem=memory 0"), ("exit", None, "", "")],
        ),
        (
            "(func (param i32) (block (block (br_table 0 1 (local.get 0)))))",
            0,
            [("br_table", None, "r", "x=R[0] targets=[->2, ->2]"), ("exit", None, "", "")],
        ),
    ],
    ids=["call-with-results", "fused-return", "constant-and-global", "store", "br_table"],
)
def test_operands(wat: str, index: int, expected: list[tuple[str, str | None, str, str]]) -> None:
    module = load_module(f"(module (memory 1) {wat})".encode())
    assert [described(handler) for handler in translated_form(module, index).handlers] == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "null"), (7, "7"), (-0.0, "-0.0"), (float("inf"), "inf"), (float("nan"), "nan:0x7ff8000000000000")],
)
def test_constant_text(value: object, text: str) -> None:
    assert constant_text(value) == text


# --- runs, the compiled source, the unsupported ------------------------------------------------------

LOOP = """(module (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $t i32)
  (block $done (loop $next
    (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
    (local.set $t (i32.add (local.get $t) (local.get $i)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $next)))
  (local.get $t)))"""


def test_runs_are_the_interpreters() -> None:
    module = load_module(LOOP.encode())
    form = translated_form(module, 0)
    planned = plan_runs(translate_function(module, 0).code)
    assert [(run.first_pc, run.last_pc) for run in form.runs] == [(run[0], run[-1]) for run in planned]
    assert [handler.run for handler in form.handlers] == [0, 0, 0, 0, None]
    assert form.loop_heads == (1,)
    assert (form.params, form.result_base) == (1, 3)


def test_compiled_source_is_what_the_compiled_tier_compiles() -> None:
    module = load_module(LOOP.encode())
    instance = Linker(Store(Interpreter(engine="compile"))).instantiate(module)
    function = instance.functions[0]
    assert isinstance(function, WasmFunction)
    _function, code = compiled.compile_function(function)
    generated = compiled.generate(module, 0)  # what compile_function compiled
    source = compiled_source(module, 0)
    assert "\n".join(line.text for line in source.lines) == generated.source.rstrip("\n")
    assert (source.name, source.form) == (generated.name, generated.form) == (code.name, code.form)
    assert [line.number for line in source.lines] == list(range(1, len(source.lines) + 1))


def test_compiled_lines_name_the_offsets_of_calls() -> None:
    # ($f calls itself, or the compiled tier would inline it: see wasmrun.codegen.inlining.)
    module = load_module(
        b"(module (func $f (result i32) (if (result i32) (i32.const 0) (then (call $f)) (else (i32.const 1))))"
        b" (func (result i32) (i32.add (call $f) (call $f))))"
    )
    source = compiled_source(module, 1)
    calls = [line for line in source.lines if "f0(" in line.text]
    assert len(calls) == 2 and all(line.offset is not None for line in calls)
    assert calls[0].offset != calls[1].offset


def test_simd_is_interpreted_not_compiled() -> None:
    module = load_module(b"(module (func (result v128) v128.const i32x4 1 2 3 4))")
    form = translated_form(module, 0)
    assert form.unsupported is None and form.compiled is None
    assert [handler.family for handler in form.handlers] == ["ret"]


def test_deterministic() -> None:
    module = load_module(LOOP.encode())
    assert translated_form(module, 0) == translated_form(module, 0)


def test_exception_handling_has_a_compiled_form() -> None:
    module = load_module(
        b"""(module (tag $t (param i32))
          (func (param i32) (result i32)
            (block $h (result i32) (try_table (catch $t $h) (throw $t (local.get 0))) (i32.const 0))))"""
    )
    form = translated_form(module, 0)
    assert form.interpreted_because == ""
    assert form.compiled is not None
