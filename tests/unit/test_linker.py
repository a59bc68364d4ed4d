"""Linking: resolving imports by name, import matching (extern subtyping) and the link errors."""

from __future__ import annotations

from typing import Any

import pytest

from wasmrun.embedding import Store
from wasmrun.errors import LinkError
from wasmrun.loader import Module
from wasmrun.runtime.instance import extern_matches, instantiate
from wasmrun.runtime.linker import Linker
from wasmrun.text.wat import parse_module
from wasmrun.types import FuncType, GlobalType, Limits, MemoryType, TableType, ValType

I32, I64, F32 = ValType.I32, ValType.I64, ValType.F32
FUNCREF, EXTERNREF = ValType.FUNCREF, ValType.EXTERNREF

PROVIDER = """
(module
  (func (export "f") (param i32) (result i32) (local.get 0))
  (global (export "g") i32 (i32.const 1))
  (global (export "mg") (mut i32) (i32.const 2))
  (table (export "t") 2 4 funcref)
  (memory (export "m") 1 2)
)
"""
UNBOUNDED = '(module (table (export "t") 2 funcref) (memory (export "m") 1))'


def module(wat: str) -> Module:
    return Module.from_bytes(parse_module(wat))


@pytest.fixture
def linker() -> Linker:
    linker = Linker(Store())
    linker.define_instance("p", linker.instantiate(module(PROVIDER)))
    linker.define_instance("u", linker.instantiate(module(UNBOUNDED)))  # tables and memories without maximum
    return linker


@pytest.mark.parametrize(
    "import_",
    [
        '(func (import "p" "f") (param i32) (result i32))',
        '(global (import "p" "g") i32)',
        '(global (import "p" "mg") (mut i32))',
        '(table (import "p" "t") 2 4 funcref)',
        '(table (import "p" "t") 1 funcref)',  # a smaller minimum, no maximum: accepted
        '(table (import "p" "t") 2 5 funcref)',  # a larger maximum: accepted
        '(memory (import "p" "m") 1 2)',
        '(memory (import "p" "m") 0)',
        '(memory (import "u" "m") 1)',
    ],
)
def test_matching_imports_link(linker: Linker, import_: str) -> None:
    linker.instantiate(module(f"(module {import_})"))


@pytest.mark.parametrize(
    "import_",
    [
        '(func (import "p" "f") (param i64) (result i32))',  # function types must be equal
        '(func (import "p" "f") (param i32))',
        '(func (import "p" "g"))',  # wrong kind
        '(global (import "p" "g") (mut i32))',  # mutability must be equal
        '(global (import "p" "mg") i32)',
        '(global (import "p" "g") i64)',  # value type must be equal
        '(table (import "p" "t") 3 funcref)',  # minimum larger than the table's size
        '(table (import "p" "t") 2 3 funcref)',  # maximum smaller than the table's
        '(table (import "u" "t") 2 10 funcref)',  # a maximum the table lacks
        '(table (import "p" "t") 2 4 externref)',  # element type must be equal
        '(memory (import "p" "m") 2)',
        '(memory (import "p" "m") 1 1)',
        '(memory (import "u" "m") 1 2)',
        '(memory (import "p" "t") 1)',
    ],
)
def test_mismatched_imports_are_incompatible(linker: Linker, import_: str) -> None:
    with pytest.raises(LinkError, match="incompatible import type"):
        linker.instantiate(module(f"(module {import_})"))


@pytest.mark.parametrize(("module_name", "name"), [("p", "nope"), ("nope", "f")])
def test_undefined_imports_are_unknown(linker: Linker, module_name: str, name: str) -> None:
    with pytest.raises(LinkError, match=f"unknown import: `{module_name}::{name}`"):
        linker.instantiate(module(f'(module (func (import "{module_name}" "{name}")))'))


def test_limits_are_matched_against_the_current_size(linker: Linker) -> None:
    table: Any = linker.get("p", "t")
    memory: Any = linker.get("p", "m")
    assert table.grow(2, None) == 2
    assert memory.grow(1) == 1
    linker.instantiate(module('(module (table (import "p" "t") 4 funcref) (memory (import "p" "m") 2))'))


def test_a_later_definition_replaces_an_earlier_one(linker: Linker) -> None:
    other = linker.instantiate(module('(module (func (export "f") (param i32) (result i32) (i32.const 9)))'))
    linker.define_instance("p", other)
    user = linker.instantiate(
        module('(module (import "p" "f" (func $f (param i32) (result i32))) (export "f" (func $f)))')
    )
    assert user.exports["f"](1) == 9


def test_define_a_single_extern() -> None:
    store = Store()
    linker = Linker(store)
    linker.define("env", "double", store.host_function(FuncType((I32,), (I32,)), lambda x: x * 2))
    user = linker.instantiate(
        module('(module (import "env" "double" (func $d (param i32) (result i32))) (export "d" (func $d)))')
    )
    assert user.exports["d"](4) == 8


def test_imported_functions_keep_their_identity(linker: Linker) -> None:
    user = linker.instantiate(
        module('(module (import "p" "f" (func $f (param i32) (result i32))) (export "f" (func $f)))')
    )
    assert user.exports["f"] is linker.get("p", "f")


def test_instantiate_checks_the_number_of_externs() -> None:
    store = Store()
    with pytest.raises(LinkError):
        instantiate(store, module('(module (func (import "a" "b")))'), [])


@pytest.mark.parametrize(
    ("actual", "expected", "matches"),
    [
        (TableType(FUNCREF, Limits(1, 2)), TableType(FUNCREF, Limits(1, None)), True),
        (TableType(FUNCREF, Limits(1, None)), TableType(FUNCREF, Limits(1, 2)), False),
        (TableType(EXTERNREF, Limits(1)), TableType(FUNCREF, Limits(1)), False),
        (MemoryType(Limits(3, 3)), MemoryType(Limits(2, 4)), True),
        (MemoryType(Limits(1, 5)), MemoryType(Limits(2, 4)), False),
        (GlobalType(F32, True), GlobalType(F32, True), True),
        (GlobalType(F32, False), GlobalType(F32, True), False),
        (FuncType((I32,), (I64,)), FuncType((I32,), (I64,)), True),
        (FuncType((I32,), (I64,)), GlobalType(I32, False), False),
    ],
)
def test_extern_subtyping(actual: object, expected: object, matches: bool) -> None:
    assert extern_matches(actual, expected) is matches  # type: ignore[arg-type]
