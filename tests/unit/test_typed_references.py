"""Typed function references: ``(ref $t)``, ``call_ref``, ``return_call_ref``, ``ref.as_non_null``,
``br_on_null``, ``br_on_non_null``, non-nullable locals and typed tables, in both tiers."""

from __future__ import annotations

from typing import Any

import pytest

from wasmrun.deftypes import canonical_types
from wasmrun.deftypes import value_matches as matches
from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import TRAP_NULL_FUNCTION_REFERENCE, TRAP_NULL_REFERENCE, Trap, ValidationError
from wasmrun.features import ALL_FEATURES, proposals_used
from wasmrun.loader import Module
from wasmrun.runtime.instance import Instance
from wasmrun.runtime.linker import Linker
from wasmrun.text.wat import parse_module
from wasmrun.types import HEAP_FUNC, FuncType, RefType, ValType, ref_type
from wasmrun.validation import validate_module

CONFIGS: dict[str, dict[str, Any]] = {
    "unfused": {"engine": "interp", "fuse": False},
    "runs": {"engine": "interp", "hot_threshold": 0},
    "compile": {"engine": "compile"},
    "auto": {"engine": "auto", "compile_threshold": 1},
}


@pytest.fixture(params=list(CONFIGS), ids=list(CONFIGS))
def config(request: pytest.FixtureRequest) -> dict[str, Any]:
    return CONFIGS[request.param]


def load(wat: str) -> Module:
    return Module.from_bytes(parse_module(wat))


def instantiate(wat: str, **options: Any) -> Instance:
    return Linker(Store(Interpreter(**options))).instantiate(load(wat))


REFERENCES = """
(module
  (type $unop (func (param i64) (result i64)))
  (table $t 2 (ref null $unop) (ref.func $inc))
  (elem declare func $inc $countdown)
  (start $init)
  (func $init (table.set $t (i32.const 1) (ref.null $unop)))
  (func $inc (type $unop) (i64.add (local.get 0) (i64.const 1)))
  (func $countdown (type $unop)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 42))
      (else (return_call_ref $unop (i64.sub (local.get 0) (i64.const 1)) (ref.func $countdown)))))
  (func (export "call") (param i64) (result i64) (call_ref $unop (local.get 0) (ref.func $inc)))
  (func (export "call_null") (result i64) (call_ref $unop (i64.const 0) (ref.null $unop)))
  (func (export "tail_null") (result i64) (return_call_ref $unop (i64.const 0) (ref.null $unop)))
  (func (export "countdown") (param i64) (result i64) (call $countdown (local.get 0)))
  (func (export "from_table") (param i32 i64) (result i64)
    (call_ref $unop (local.get 1) (table.get $t (local.get 0))))
  (func (export "as_non_null") (param i32) (result i64)
    (local $f (ref $unop))
    (local.set $f (ref.as_non_null (table.get $t (local.get 0))))
    (call_ref $unop (i64.const 10) (local.get $f)))
  (func (export "on_null") (param i32) (result i64)
    (block $null
      (return (call_ref $unop (i64.const 100) (br_on_null $null (table.get $t (local.get 0))))))
    (i64.const -1))
  (func (export "on_non_null") (param i32) (result i64)
    (local $f (ref null $unop))
    (local.set $f
      (block $found (result (ref $unop))
        (br_on_non_null $found (table.get $t (local.get 0)))
        (return (i64.const -1))))
    (call_ref $unop (i64.const 200) (local.get $f)))
)
"""


def test_typed_references(config: dict[str, Any]) -> None:
    exports = instantiate(REFERENCES, **config).exports
    assert exports["call"](5) == 6
    assert exports["from_table"](0, 7) == 8
    assert exports["as_non_null"](0) == 11
    assert exports["on_null"](0) == 101
    assert exports["on_null"](1) == -1
    assert exports["on_non_null"](0) == 201
    assert exports["on_non_null"](1) == -1
    for name, args, message in (
        ("call_null", (), TRAP_NULL_FUNCTION_REFERENCE),
        ("tail_null", (), TRAP_NULL_FUNCTION_REFERENCE),
        ("from_table", (1, 0), TRAP_NULL_FUNCTION_REFERENCE),
        ("as_non_null", (1,), TRAP_NULL_REFERENCE),
    ):
        with pytest.raises(Trap) as caught:
            exports[name](*args)
        assert caught.value.message == message, name


@pytest.mark.parametrize("name", ["runs", "compile"])
def test_return_call_ref_runs_in_constant_stack(name: str) -> None:
    exports = instantiate(REFERENCES, **CONFIGS[name], max_stack_depth=100).exports
    assert exports["countdown"](1_000_000) == 42


@pytest.mark.parametrize(
    ("wat", "message"),
    [
        ("(module (func (local $x (ref extern)) (drop (local.get $x))))", "uninitialized local"),
        ("(module (type $t (func)) (table 1 (ref $t)))", "type mismatch"),
        ("(module (func (param funcref) (result (ref func)) (local.get 0)))", "type mismatch"),
        ("(module (func (param (ref 3))))", "unknown type"),
        ("(module (type $t (func)) (func (call_ref $t (ref.null func))))", "type mismatch"),
    ],
)
def test_invalid(wat: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_module(load(wat))


def test_subtyping_and_features() -> None:
    assert ref_type(True, HEAP_FUNC) is ValType.FUNCREF
    assert matches(RefType(False, 0), ValType.FUNCREF, canonical_types([FuncType((), ())]))
    assert matches(RefType(False, HEAP_FUNC), RefType(True, HEAP_FUNC), ())
    assert not matches(ValType.FUNCREF, RefType(False, HEAP_FUNC), ())
    module = load(REFERENCES)
    assert "function-references" in proposals_used(module)
    assert "tail-call" in proposals_used(module)
    with pytest.raises(ValidationError, match="function-references"):
        validate_module(module, ALL_FEATURES.without("function-references"))


def test_a_typed_table_with_its_elements_inline(config: dict[str, Any]) -> None:
    wat = """
    (module (type $t (func (result i32))) (func $f (type $t) (i32.const 7))
      (table $tab (ref null $t) (elem $f $f))
      (func (export "g") (result i32) (call_ref $t (table.get $tab (i32.const 1)))))
    """
    assert instantiate(wat, **config).exports["g"]() == 7
