"""The GC instructions in the compiled tier (wasmrun.codegen.gc): every case agrees with the interpreter,
its traps included (texts, frames, offsets), in both forms and entering a loop (OSR); the fast paths are
what the generated source says."""

from __future__ import annotations

import pytest
from test_codegen import TIERS, instantiate, module, outcome
from test_gc_execution import RESULTS, TRAPS, TYPES

import wasmrun.codegen.compiled as compiled
from wasmrun.codegen import generate_function

COMPILED_TIERS = [tier for tier in TIERS if tier != "interp"]

# (function body returning one i32, parameter): more than test_gc_execution's, for the code generator's
# own paths (packed writes, arrays of every kind, branches on casts, locals holding references).
MORE = {
    "packed field written wraps": (
        "(local $p (ref null $point3)) (local.set $p (struct.new_default $point3))"
        " (struct.set $point3 $x (local.get $p) (i32.const -2))"
        " (i32.add (struct.get $point3 $x (local.get $p)) (struct.get_s $point3 $z (struct.new $point3"
        " (i32.const 0) (i32.const 0) (i32.const 0x18000))))",
        0,
    ),
    "a default struct of every kind of field": (
        "(i32.add (i32.trunc_f64_s (f64.add (struct.get $mixed 0 (struct.new_default $mixed)) (f64.const 2.5)))"
        " (i32.add (struct.get_s $mixed 1 (struct.new_default $mixed))"
        " (ref.is_null (struct.get $mixed 2 (struct.new_default $mixed)))))",
        0,
    ),
    "a packed field is wrapped when the struct is made": (
        "(struct.get_u $mixed 1 (struct.new $mixed (f64.const 1) (i32.add (local.get 0) (i32.const 0x1fe))"
        " (ref.null any)))",
        1,
    ),
    "array set, get, signed and unsigned": (
        "(local $a (ref null $bytes)) (local.set $a (array.new $bytes (i32.const 200) (i32.const 4)))"
        " (array.set $bytes (local.get $a) (local.get 0) (i32.const 0x1ff))"
        " (i32.add (array.get_s $bytes (local.get $a) (local.get 0)) (array.get_u $bytes (local.get $a) (i32.const 3)))",
        1,
    ),
    "array index out of bounds": ("(array.get_u $bytes (array.new_default $bytes (i32.const 2)) (local.get 0))", 7),
    "array set out of bounds": (
        "(array.set $bytes (array.new_default $bytes (i32.const 2)) (local.get 0) (i32.const 1)) (i32.const 0)",
        2,
    ),
    "array set on null": ("(array.set $bytes (ref.null $bytes) (local.get 0) (i32.const 1)) (i32.const 0)", 0),
    "struct set on null": ("(struct.set $point $x (ref.null $point) (local.get 0)) (i32.const 0)", 0),
    "fill, copy and length": (
        "(local $a (ref null $bytes)) (local.set $a (array.new_default $bytes (i32.const 8)))"
        " (array.fill $bytes (local.get $a) (i32.const 1) (i32.const 5) (local.get 0))"
        " (array.copy $bytes $bytes (local.get $a) (i32.const 4) (local.get $a) (i32.const 0) (i32.const 4))"
        " (i32.add (array.len (local.get $a)) (array.get_u $bytes (local.get $a) (i32.const 5)))",
        3,
    ),
    "fill beyond the end": (
        "(array.fill $bytes (array.new_default $bytes (i32.const 8)) (i32.const 4) (i32.const 5) (local.get 0))"
        " (i32.const 0)",
        5,
    ),
    "new_data and init_data": (
        "(local $a (ref null $bytes)) (local.set $a (array.new_data $bytes $d (i32.const 1) (local.get 0)))"
        " (array.init_data $bytes $d (local.get $a) (i32.const 0) (i32.const 5) (i32.const 1))"
        " (i32.add (array.get_u $bytes (local.get $a) (i32.const 0)) (array.len (local.get $a)))",
        3,
    ),
    "new_data beyond the segment": ("(array.len (array.new_data $bytes $d (i32.const 4) (local.get 0)))", 3),
    "new_elem and init_elem": (
        "(local $a (ref null $funcs)) (local.set $a (array.new_elem $funcs $e (i32.const 0) (local.get 0)))"
        " (array.init_elem $funcs $e (local.get $a) (i32.const 1) (i32.const 0) (i32.const 1))"
        " (ref.is_null (array.get $funcs (local.get $a) (i32.const 1)))",
        2,
    ),
    "new_fixed of references": (
        "(array.len (array.new_fixed $anys 3 (ref.i31 (local.get 0)) (ref.null any) (struct.new_default $point)))",
        1,
    ),
    "br_on_cast taken": (
        "(block $b (result (ref $point3)) (br_on_cast $b anyref (ref $point3) (struct.new_default $point3))"
        " (drop) (return (i32.const -1))) (struct.get $point3 $x)",
        0,
    ),
    "br_on_cast not taken": (
        "(block $b (result (ref $point3)) (br_on_cast $b anyref (ref $point3) (struct.new_default $point))"
        " (drop) (return (local.get 0))) (struct.get $point3 $x)",
        6,
    ),
    "br_on_cast_fail taken by null": (
        "(block $b (result anyref) (br_on_cast_fail $b anyref (ref $point) (ref.null none))"
        " (drop) (return (i32.const 1))) (ref.is_null)",
        0,
    ),
    "br_on_cast to an abstract type": (
        "(block $b (result i31ref) (br_on_cast $b anyref i31ref (ref.i31 (local.get 0)))"
        " (drop) (return (i32.const -1))) (i31.get_u)",
        8,
    ),
    "tests against abstract types": (
        "(local $x anyref) (local.set $x (array.new_default $bytes (i32.const 1)))"
        " (i32.add (i32.add (ref.test eqref (local.get $x)) (ref.test arrayref (local.get $x)))"
        " (i32.add (ref.test structref (local.get $x)) (ref.test nullref (local.get $x))))",
        0,
    ),
    "a cast to the null type": ("(ref.is_null (ref.cast nullref (ref.null any)))", 0),
    "a function reference tested against its type": (
        "(i32.add (ref.test (ref $unary) (ref.func $id)) (ref.test (ref $pair) (ref.func $id)))",
        0,
    ),
    "ref.eq of locals": (
        "(local $a eqref) (local $b eqref) (local.set $a (ref.i31 (local.get 0))) (local.set $b (local.get $a))"
        " (local.set $a (ref.i31 (i32.const 3))) (ref.eq (local.get $a) (local.get $b))",
        3,
    ),
    "a test reads the local before it changes": (
        "(local $x anyref) (local.set $x (struct.new_default $point)) (ref.test (ref $point) (local.get $x))"
        " (local.set $x (ref.null any)) (i32.add (ref.test (ref $point) (local.get $x)))",
        0,
    ),
    "externalised and back": (
        "(ref.test (ref $point) (any.convert_extern (extern.convert_any (struct.new_default $point))))",
        0,
    ),
    "a loop building a list": (
        "(local $list (ref null $cell)) (local $n i32) (local $sum i32)"
        " (loop $build (local.set $list (struct.new $cell (local.get $n) (local.get $list)))"
        "   (br_if $build (i32.lt_u (local.tee $n (i32.add (local.get $n) (i32.const 1))) (local.get 0))))"
        " (block $done (loop $walk"
        "   (local.set $list (br_on_null $done (local.get $list)))"
        "   (local.set $sum (i32.add (local.get $sum) (struct.get $cell 0 (local.get $list))))"
        "   (local.set $list (struct.get $cell 1 (local.get $list))) (br $walk)))"
        " (local.get $sum)",
        20,
    ),
}

EXTRA_TYPES = """
  (type $anys (array (mut anyref)))
  (type $funcs (array (mut funcref)))
  (type $cell (struct (field i32) (field (ref null $cell))))
  (type $mixed (struct (field f64) (field i8) (field anyref)))
  (type $unary (func (param i32) (result i32)))
  (type $pair (func (param i32 i32) (result i32)))
  (data $d "\\01\\02\\03\\04\\05\\06")
  (elem $e func $id $id)
  (func $id (type $unary) (local.get 0))
"""


def program() -> str:
    functions = [f'(func (export "{name}") (param i32) (result i32) {body})' for name, (body, _) in MORE.items()]
    functions += [f'(func (export "r {name}") (param i32) (result i32) {body})' for name, (body, _) in RESULTS.items()]
    functions += [f'(func (export "t {name}") (param i32) (result i32) {body})' for name, (body, _) in TRAPS.items()]
    return f"(module {TYPES} {EXTRA_TYPES} {' '.join(functions)})"


CALLS = [(name, argument) for name, (_body, argument) in MORE.items()]
CALLS += [(f"r {name}", 0) for name in RESULTS] + [(f"t {name}", 0) for name in TRAPS]


@pytest.mark.parametrize("tier", COMPILED_TIERS)
@pytest.mark.parametrize(("name", "argument"), CALLS, ids=[name for name, _ in CALLS])
def test_gc_instructions_agree_with_the_interpreter(
    name: str, argument: int, tier: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mod = module(program())
    expected = outcome(instantiate(mod, "interp", monkeypatch).exports[name], (argument,))
    # Twice: "osr" compiles at the third call or loop iteration.
    found = instantiate(mod, tier, monkeypatch).exports[name]
    assert [outcome(found, (argument,)) for _ in range(3)] == [expected] * 3


@pytest.mark.parametrize("tier", ["compile", "flat"])
def test_gc_functions_are_compiled(tier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    export = instantiate(module(program()), tier, monkeypatch).exports["a loop building a list"]
    assert export(3) == 3
    assert compiled.code_info(export.direct.__code__) is not None


FAST_PATHS = {
    "a field read is an index, the null test folded in": (
        "(struct.get $point $x (local.get 0))",
        "(l0 or GC_NULL_STRUCTURE()).fields[0]",
    ),
    "a packed field read signed extends inline": (
        "(struct.get_s $point $y (local.get 0))",
        "((((l0 or GC_NULL_STRUCTURE()).fields[1]) ^ 128) - 128) & 4294967295",
    ),
    "an element read tests its index in the expression": (
        "(array.get_u $bytes (local.get 1) (i32.const 3))",
        "t1[3] if 3 < len(t1) else GC_ARRAY_OUT_OF_BOUNDS()",
    ),
    "a root type is tested by one index": (
        "(ref.test (ref $point) (local.get 0))",
        "l0.__class__ is GC_Struct and l0.type.chain[0] is ty0",
    ),
    "a subtype is tested at its depth": (
        "(ref.test (ref $point3) (local.get 0))",
        "len(l0.type.chain) >= 2 and l0.type.chain[1] is ty1",
    ),
    "an i31 read is inline": ("(i31.get_u (ref.cast i31ref (local.get 0)))", "(l0 or GC_NULL_I31()).value"),
}


@pytest.mark.parametrize(("body", "text"), list(FAST_PATHS.values()), ids=list(FAST_PATHS))
def test_the_fast_paths_are_inline(body: str, text: str) -> None:
    mod = module(f"(module {TYPES} (func (param (ref null $point) (ref null $bytes)) (result i32) {body}))")
    source = generate_function(mod, 0, compiled.EXPRESSIONS).source
    assert text in source
