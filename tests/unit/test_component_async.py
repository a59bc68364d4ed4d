"""The async subset: async lifts and lowers that complete at once, tasks and the concurrency built-ins
(CanonicalABI.md, ``canon lift``/``lower`` with ``async``, ``canon task.return`` ... ``waitable-set.*``)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from wasmrun.component.decoder import decode_component
from wasmrun.component.flattening import flatten_functype
from wasmrun.component.text import encode_component_text
from wasmrun.component.types import FuncType, Primitive
from wasmrun.component.validate import validate_component
from wasmrun.component_runtime.instantiate import instantiate_component
from wasmrun.component_runtime.items import ComponentInstance
from wasmrun.engine.interpreter import Interpreter
from wasmrun.engine.options import EngineOptions
from wasmrun.errors import Trap, ValidationError
from wasmrun.runtime.store import Store
from wasmrun.types import FuncType as CoreFuncType
from wasmrun.types import ValType

I32, I64 = ValType.I32, ValType.I64


def instantiate(text: str) -> ComponentInstance:
    component = decode_component(encode_component_text(text))
    validate_component(component)
    return instantiate_component(component, Store(Interpreter(EngineOptions())))


def validate(text: str) -> None:
    validate_component(decode_component(encode_component_text(text)))


def async_export(body: str, imports: str = "", canons: str = "", result: str = "(result u32)") -> str:
    """A component exporting ``f``, an async lift with a callback, of the core function ``f`` in ``body``."""
    task_return = f"(canon task.return {result} (core func $task.return))" if result else ""
    task_return_type = "(param i32)" if result else ""
    return f"""(component
      {canons}
      {task_return}
      (core module $m
        (import "" "task.return" (func $task.return {task_return_type}))
        {imports}
        (global $calls (mut i32) (i32.const 0))
        {body})
      (core instance $i (instantiate $m (with "" (instance
        (export "task.return" (func $task.return))
        {" ".join(f'(export "{name}" (func ${name}))' for name in _names(canons))}))))
      (func (export "f") async {result} (canon lift (core func $i "f") async (callback (func $i "cb")))))"""


def _names(canons: str) -> list[str]:
    return [part.split(")")[0].strip() for part in canons.split("(core func $")[1:]]


# -- flattening ---------------------------------------------------------------------------------------

UNIT = FuncType((("a", Primitive.U32),), Primitive.U64, is_async=True)
MANY = FuncType(tuple((f"p{n}", Primitive.U32) for n in range(5)), None, is_async=True)


@pytest.mark.parametrize(
    ("func_type", "context", "callback", "expected"),
    [
        (UNIT, "lift", True, CoreFuncType((I32,), (I32,))),
        (UNIT, "lift", False, CoreFuncType((I32,), ())),
        (UNIT, "lower", False, CoreFuncType((I32, I32), (I32,))),
        (MANY, "lower", False, CoreFuncType((I32,), (I32,))),
        (MANY, "lift", False, CoreFuncType((I32,) * 5, ())),
    ],
    ids=["lift-callback", "lift-stackful", "lower-result-pointer", "lower-5-params-in-memory", "lift-5-params-flat"],
)
def test_the_async_core_signature(func_type: FuncType, context: Any, callback: bool, expected: CoreFuncType) -> None:
    assert flatten_functype(func_type, context, False, True, callback).core_type == expected


# -- lifts --------------------------------------------------------------------------------------------

RETURNS_AT_ONCE = """
  (func (export "f") (result i32) (call $task.return (i32.const 42)) (i32.const 0))
  (func (export "cb") (param i32 i32 i32) (result i32) unreachable)"""

YIELDS_THREE_TIMES = """
  (func (export "f") (result i32) (i32.const 1))
  (func (export "cb") (param i32 i32 i32) (result i32)
    (if (i32.ne (local.get 0) (i32.const 0)) (then unreachable))  ;; EVENT_NONE after a yield
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (if (result i32) (i32.eq (global.get $calls) (i32.const 3))
      (then (call $task.return (global.get $calls)) (i32.const 0))
      (else (i32.const 1))))"""


@pytest.mark.parametrize(
    ("body", "expected"), [(RETURNS_AT_ONCE, 42), (YIELDS_THREE_TIMES, 3)], ids=["exit", "yield-until-exit"]
)
def test_an_async_lift_returns_what_task_return_gives(body: str, expected: int) -> None:
    assert instantiate(async_export(body)).exports["f"]() == expected


@pytest.mark.parametrize(
    ("body", "trap"),
    [
        (
            """(func (export "f") (result i32) (i32.const 0))
               (func (export "cb") (param i32 i32 i32) (result i32) unreachable)""",
            "async-lifted export failed to produce a result",
        ),
        (
            """(func (export "f") (result i32)
                 (call $task.return (i32.const 1)) (call $task.return (i32.const 2)) (i32.const 0))
               (func (export "cb") (param i32 i32 i32) (result i32) unreachable)""",
            "`task.return` or `task.cancel` called more than once for current task",
        ),
        (
            """(func (export "f") (result i32) (i32.const 3))
               (func (export "cb") (param i32 i32 i32) (result i32) unreachable)""",
            "unsupported callback code",
        ),
        (
            """(func (export "f") (result i32) (i32.or (i32.const 2) (i32.shl (call $new) (i32.const 4))))
               (func (export "cb") (param i32 i32 i32) (result i32) unreachable)""",
            "deadlock detected: event loop cannot make further progress",
        ),
    ],
    ids=["no-task-return", "task-return-twice", "bad-callback-code", "wait-on-empty-set"],
)
def test_an_async_lift_that_misbehaves_traps(body: str, trap: str) -> None:
    text = async_export(
        body, imports='(import "" "new" (func $new (result i32)))', canons="(canon waitable-set.new (core func $new))"
    )
    with pytest.raises(Trap, match=re.escape(trap)):
        instantiate(text).exports["f"]()


def test_task_return_from_a_synchronous_lift_traps() -> None:
    text = """(component
      (canon task.return (result u32) (core func $task.return))
      (core module $m (import "" "task.return" (func $task.return (param i32)))
        (func (export "f") (result i32) (call $task.return (i32.const 1)) (i32.const 1)))
      (core instance $i (instantiate $m (with "" (instance (export "task.return" (func $task.return))))))
      (func (export "f") (result u32) (canon lift (core func $i "f"))))"""
    with pytest.raises(Trap, match=re.escape("invalid `task.return` signature and/or options for current task")):
        instantiate(text).exports["f"]()


# -- lowers -------------------------------------------------------------------------------------------

ASYNC_LOWER = """(component
  (component $callee
    (canon task.return (result u64) (core func $task.return))
    (core module $m (import "" "task.return" (func $task.return (param i64)))
      (func (export "double") (param i32) (call $task.return (i64.extend_i32_u (i32.shl (local.get 0) (i32.const 1))))))
    (core instance $i (instantiate $m (with "" (instance (export "task.return" (func $task.return))))))
    (func (export "double") async (param "x" u32) (result u64)
      (canon lift (core func $i "double") async)))
  (instance $c (instantiate $callee))
  (core module $mem (memory (export "mem") 1))
  (core instance $mem (instantiate $mem))
  (core func $double (canon lower (func $c "double") async (memory $mem "mem")))
  (core module $caller
    (import "" "mem" (memory 1))
    (import "" "double" (func $double (param i32 i32) (result i32)))
    (func (export "run") (result i64)
      (if (i32.ne (call $double (i32.const 21) (i32.const 8)) (i32.const 2 (; RETURNED ;))) (then unreachable))
      (i64.load (i32.const 8))))
  (core instance $caller (instantiate $caller (with "" (instance
    (export "mem" (memory $mem "mem")) (export "double" (func $double))))))
  (func (export "run") (result u64) (canon lift (core func $caller "run"))))"""


def test_an_async_lower_returns_returned_with_the_result_in_memory() -> None:
    assert instantiate(ASYNC_LOWER).exports["run"]() == 42


# -- the built-ins --------------------------------------------------------------------------------------

CONTEXT_AND_THREADS = """(component
  (canon context.get i32 0 (core func $get))
  (canon context.set i32 0 (core func $set))
  (canon thread.index (core func $index))
  (canon thread.yield (core func $yield))
  (core module $m
    (import "" "get" (func $get (result i32)))
    (import "" "set" (func $set (param i32)))
    (import "" "index" (func $index (result i32)))
    (import "" "yield" (func $yield (result i32)))
    (func (export "context") (param i32) (result i32)
      (local $before i32)
      (local.set $before (call $get))
      (call $set (local.get 0))
      (i32.add (local.get $before) (call $get)))
    (func (export "index") (result i32) (call $index))
    (func (export "yield") (result i32) (call $yield)))
  (core instance $i (instantiate $m (with "" (instance
    (export "get" (func $get)) (export "set" (func $set))
    (export "index" (func $index)) (export "yield" (func $yield))))))
  (func (export "context") (param "x" u32) (result u32) (canon lift (core func $i "context")))
  (func (export "index") (result u32) (canon lift (core func $i "index")))
  (func (export "yield") (result u32) (canon lift (core func $i "yield"))))"""


def test_each_task_starts_with_its_context_at_zero() -> None:
    context = instantiate(CONTEXT_AND_THREADS).exports["context"]
    assert [context(5), context(7)] == [5, 7]


@pytest.mark.parametrize(("export", "expected"), [("index", 1), ("yield", 0)], ids=["thread.index", "thread.yield"])
def test_the_thread_built_ins_answer_for_the_one_thread(export: str, expected: int) -> None:
    assert instantiate(CONTEXT_AND_THREADS).exports[export]() == expected


def builtin_component(canon: str, core_type: str, body: str) -> str:
    return f"""(component
      (core module $mem (memory (export "mem") 1))
      (core instance $mem (instantiate $mem))
      {canon.replace("MEMORY", '(memory (core memory $mem "mem"))')}
      (canon waitable-set.new (core func $new))
      (type $s (stream u8))
      (core module $m
        (import "" "mem" (memory 1))
        (import "" "new" (func $new (result i32)))
        (import "" "builtin" (func $builtin {core_type}))
        (func (export "f") (result i32) {body}))
      (core instance $i (instantiate $m (with "" (instance
        (export "mem" (memory $mem "mem")) (export "new" (func $new)) (export "builtin" (func $builtin))))))
      (func (export "f") (result u32) (canon lift (core func $i "f"))))"""


POLL = (
    "(canon waitable-set.poll MEMORY (core func $builtin))",
    "(param i32 i32) (result i32)",
    "(i32.store (i32.const 0) (i32.const -1)) (i32.store (i32.const 4) (i32.const -1))"
    "(i32.add (call $builtin (call $new) (i32.const 0)) (i32.add (i32.load (i32.const 0)) (i32.load (i32.const 4))))",
)


def test_polling_an_empty_waitable_set_gives_no_event() -> None:
    assert instantiate(builtin_component(*POLL)).exports["f"]() == 0


@pytest.mark.parametrize(
    ("canon", "core_type", "body", "trap"),
    [
        (
            "(canon backpressure.dec (core func $builtin))",
            "",
            "(call $builtin) (i32.const 0)",
            "backpressure counter overflow",
        ),
        (
            "(canon waitable-set.drop (core func $builtin))",
            "(param i32)",
            "(call $builtin (i32.const 5)) (i32.const 0)",
            "unknown handle index 5",
        ),
        (
            "(canon waitable.join (core func $builtin))",
            "(param i32 i32)",
            "(call $builtin (call $new) (i32.const 0)) (i32.const 0)",
            "handle index 1 is not a waitable",
        ),
        (
            "(canon subtask.drop (core func $builtin))",
            "(param i32)",
            "(call $builtin (call $new)) (i32.const 0)",
            "handle index 1 is not a subtask",
        ),
        (
            "(canon task.cancel (core func $builtin))",
            "",
            "(call $builtin) (i32.const 0)",
            "`task.cancel` called by task which has not been cancelled",
        ),
        (
            "(canon stream.new $s (core func $builtin))",
            "(result i64)",
            "(drop (call $builtin)) (i32.const 0)",
            "`canon stream.new` is not supported",
        ),
    ],
    ids=["backpressure-below-zero", "drop-unknown-set", "join-a-set", "drop-a-set-as-subtask", "cancel", "stream"],
)
def test_a_built_in_misused_or_not_supported_traps(canon: str, core_type: str, body: str, trap: str) -> None:
    with pytest.raises(Trap, match=re.escape(trap)):
        instantiate(builtin_component(canon, core_type, body)).exports["f"]()


# -- validation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            """(component (core module $m (func (export "f")))
                 (core instance $i (instantiate $m))
                 (func (canon lift (core func $i "f") async)))""",
            "the `async` canonical option requires an async function type",
        ),
        (
            """(component (core module $m (func (export "f") (result i32) i32.const 0) (func (export "cb")))
                 (core instance $i (instantiate $m))
                 (func async (canon lift (core func $i "f") async (callback (func $i "cb")))))""",
            "canonical option `callback` uses a core function with an incorrect signature",
        ),
        (
            """(component (core module $m (func (export "f") (result i32) i32.const 0))
                 (core instance $i (instantiate $m))
                 (func async (canon lift (core func $i "f") async)))""",
            "lowered result types `[]` do not match result types `[I32]`",
        ),
        ("(component (core func (canon context.get i32 2)))", "`context.get` immediate must be zero or one: 2"),
        ("(component (core func (canon task.return (result string))))", "canonical option `memory` is required"),
    ],
    ids=["async-on-sync-type", "callback-type", "stackful-lift-returns-nothing", "context-index", "task-return-memory"],
)
def test_async_definitions_are_validated(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        validate(text)
