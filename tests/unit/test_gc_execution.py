"""GC instructions run (the interpreter; test_gc_codegen.py runs these cases in the compiled tier): packed
fields, traps with the spec's texts, casts against canonical types, constant expressions."""

from __future__ import annotations

from typing import Any

import pytest

from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import Trap
from wasmrun.loader import Module
from wasmrun.runtime.linker import Linker
from wasmrun.text.wat import parse_module

TYPES = """
  (type $point (sub (struct (field $x (mut i32)) (field $y i8))))
  (type $point3 (sub $point (struct (field $x (mut i32)) (field $y i8) (field $z i16))))
  (type $bytes (array (mut i8)))
"""

# (function body returning one i32, expected result)
RESULTS = {
    "struct.get": ("(struct.get $point $x (struct.new $point (i32.const 7) (i32.const 1)))", 7),
    "packed field, signed": ("(struct.get_s $point $y (struct.new $point (i32.const 0) (i32.const 255)))", -1),
    "packed field, unsigned": ("(struct.get_u $point $y (struct.new $point (i32.const 0) (i32.const 511)))", 255),
    "default fields": ("(struct.get $point $x (struct.new_default $point))", 0),
    "array length": ("(array.len (array.new $bytes (i32.const 3) (i32.const 5)))", 5),
    "packed element wraps": ("(array.get_u $bytes (array.new_fixed $bytes 1 (i32.const 257)) (i32.const 0))", 1),
    "i31 sign": ("(i31.get_s (ref.i31 (i32.const 0x7fffffff)))", -1),
    "i31 equality": ("(ref.eq (ref.i31 (i32.const 5)) (ref.i31 (i32.const 5)))", 1),
    "structs by identity": ("(ref.eq (struct.new_default $point) (struct.new_default $point))", 0),
    "a subtype passes ref.test": ("(ref.test (ref $point) (struct.new_default $point3))", 1),
    "a supertype fails ref.test": ("(ref.test (ref $point3) (struct.new_default $point))", 0),
    "null passes a nullable test": ("(ref.test (ref null $point) (ref.null none))", 1),
    "an i31 is not a struct": ("(ref.test structref (ref.i31 (i32.const 1)))", 0),
    "extern round trip": (
        "(i31.get_u (ref.cast i31ref (any.convert_extern (extern.convert_any (ref.i31 (i32.const 9))))))",
        9,
    ),
}


def instance(wat: str) -> Any:
    linker = Linker(Store(Interpreter()))
    return linker.instantiate(Module.from_bytes(parse_module(wat)))


@pytest.mark.parametrize(("body", "expected"), list(RESULTS.values()), ids=list(RESULTS))
def test_gc_instructions_compute(body: str, expected: int) -> None:
    run = instance(f'(module {TYPES} (func (export "f") (result i32) {body}))').exports["f"]
    assert run() == expected


TRAPS = {
    "null struct": ("(struct.get $point $x (ref.null $point))", "null structure reference"),
    "null array": ("(array.len (ref.null $bytes))", "null array reference"),
    "array bounds": (
        "(array.get_u $bytes (array.new_default $bytes (i32.const 2)) (i32.const 2))",
        "out of bounds array access",
    ),
    "cast": ("(ref.cast (ref $point3) (struct.new_default $point)) (drop) (i32.const 0)", "cast failure"),
    "null i31": ("(i31.get_u (ref.null i31))", "null i31 reference"),
}


@pytest.mark.parametrize(("body", "message"), list(TRAPS.values()), ids=list(TRAPS))
def test_gc_traps_say_what_the_spec_says(body: str, message: str) -> None:
    run = instance(f'(module {TYPES} (func (export "f") (result i32) {body}))').exports["f"]
    with pytest.raises(Trap, match=message):
        run()


def test_a_global_holds_a_constant_struct() -> None:
    found = instance(
        f"(module {TYPES} (global $g (ref $point) (struct.new $point (i32.const 4) (i32.const 2)))"
        ' (func (export "f") (result i32) (struct.get $point $x (global.get $g))))'
    )
    assert found.exports["f"]() == 4
