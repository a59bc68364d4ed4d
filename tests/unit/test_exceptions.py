"""Exception handling (WebAssembly 3.0): throw, throw_ref and try_table in every engine, and what escapes."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import DecodeError, Trap, ValidationError, WasmException
from wasmrun.features import Features
from wasmrun.loader import load_module
from wasmrun.runtime.linker import Linker
from wasmrun.runtime.store import Store
from wasmrun.runtime.tags import TagInstance

ENGINES = ("interp", "compile", "compile-flat", "auto")


@pytest.fixture(autouse=True)
def _flat_form(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """``compile-flat``: the compiled tier with every function in the flat form (basic blocks)."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("engine") == "compile-flat":
        from wasmrun.codegen import compiled

        monkeypatch.setattr(compiled, "FORCE_FLAT", True)


PROGRAM = """
(module
  (tag $small (export "small") (param i32))
  (tag $pair (param i64 f64))
  (tag $other)
  (func $raise (export "raise") (param i32) (throw $small (local.get 0)))
  (func $deep (param i32) (call $raise (local.get 0)))
  ;; caught two calls down, the payload lands on the label
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $small $h) (call $deep (local.get 0)) (i32.const -1))
      (return))
    (i32.const 1000) (i32.add))
  ;; the inner try_table does not catch $small: the outer one does
  (func (export "nested") (param i32) (result i32)
    (block $outer (result i32)
      (try_table (result i32) (catch $small $outer)
        (block $inner
          (try_table (catch $other $inner) (call $raise (local.get 0))))
        (i32.const -2))
      (return))
    (i32.const 1) (i32.add))
  ;; catch_all_ref, then rethrow what was caught: the caller sees the same exception
  (func (export "rethrow") (param i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (call $raise (local.get 0)))
      (return))
    (throw_ref))
  (func (export "two_values") (result i64 f64)
    (block $h (result i64 f64)
      (try_table (catch $pair $h) (throw $pair (i64.const -5) (f64.const 2.5)))
      (unreachable)))
  ;; traps are not exceptions: catch_all lets them through
  (func (export "trap_passes") (result i32)
    (block $h
      (try_table (catch_all $h) (unreachable)))
    (i32.const 0))
  (func (export "null_ref") (throw_ref (ref.null exn)))
  ;; a try_table and a tail call in one function: the call inside the region is caught, the tail call's is not
  (func $raise_i32 (param i32) (result i32) (throw $small (local.get 0)))
  (func (export "tail_and_catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $small $h) (call $raise_i32 (local.get 0)))
      (return))
    (i32.const 1)
    (i32.add)
    (return_call $raise_i32))
  (func (export "loop") (param i32) (result i32) (local $sum i32)
    ;; an exception caught at every iteration of a hot loop (tiering does not move the regions)
    (loop $again
      (block $h (result i32)
        (try_table (result i32) (catch $small $h) (call $raise (local.get 0)) (i32.const 0)))
      (local.set $sum (i32.add (local.get $sum)))
      (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $again))
    (local.get $sum))
)
"""


def instantiate(engine: str) -> Any:
    engine = "compile" if engine == "compile-flat" else engine
    store = Store(Interpreter(engine=engine, compile_threshold=5) if engine == "auto" else Interpreter(engine=engine))
    return Linker(store).instantiate(load_module(PROGRAM.encode()))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("export", "args", "results"),
    [
        ("catch", [7], (1007,)),
        ("nested", [41], (42,)),
        ("two_values", [], (2**64 - 5, 2.5)),
        ("trap_passes", [], None),
        ("loop", [100], (5050,)),
    ],
)
def test_exceptions_land_where_the_spec_says(engine: str, export: str, args: list[int], results: Any) -> None:
    instance = instantiate(engine)
    if results is None:
        with pytest.raises(Trap, match="unreachable") as caught:
            instance.exports[export].invoke(args)
        assert not isinstance(caught.value, WasmException)
    else:
        assert instance.exports[export].invoke(args) == results


@pytest.mark.parametrize("engine", ENGINES)
def test_an_uncaught_exception_reaches_the_host_with_its_tag_and_payload(engine: str) -> None:
    instance = instantiate(engine)
    with pytest.raises(WasmException, match=r"^thrown Wasm exception$") as caught:
        instance.exports["rethrow"].invoke([9])
    assert caught.value.tag is instance.exports["small"]
    assert isinstance(caught.value.tag, TagInstance)
    assert caught.value.payload == (9,)
    assert caught.value.frames  # a backtrace, as for a trap


@pytest.mark.parametrize("payload", [None, 7, ("exception", [1, 2.5])])
def test_a_wasm_exception_is_made_as_a_trap_is(payload: Any) -> None:
    # WasmException sets what Trap's constructors would, without calling them (see its __init__).
    error, trap = WasmException(payload), Trap("thrown Wasm exception")
    assert (error.args, error.message, str(error), error.frames) == (trap.args, trap.message, str(trap), [])
    assert error.exception is payload
    assert error.frames is not WasmException(payload).frames


@pytest.mark.parametrize("engine", ENGINES)
def test_a_tail_call_leaves_the_catch_regions_of_its_function(engine: str) -> None:
    with pytest.raises(WasmException) as caught:
        instantiate(engine).exports["tail_and_catch"].invoke([4])
    assert caught.value.payload == (5,)  # caught once (4 + 1), then thrown again by the tail-called function


@pytest.mark.parametrize("engine", ENGINES)
def test_throw_ref_of_null_traps(engine: str) -> None:
    with pytest.raises(Trap, match="null exception reference"):
        instantiate(engine).exports["null_ref"].invoke([])


@pytest.mark.parametrize("engine", ["compile", "compile-flat"])
@pytest.mark.parametrize(
    "export", ["raise", "null_ref", "catch", "nested", "rethrow", "two_values", "loop", "tail_and_catch"]
)
def test_the_compile_engine_compiles_exception_handling(export: str, engine: str) -> None:
    from wasmrun.codegen import compiled

    instance = instantiate(engine)
    with contextlib.suppress(Trap):
        instance.exports[export].invoke([] if export in ("null_ref", "two_values") else [3])
    direct = instance.exports[export].direct
    if direct.__closure__:  # a function with tail calls: its trampoline, around the compiled code
        direct = direct.__closure__[0].cell_contents
    assert compiled.code_info(direct.__code__) is not None  # compiled


@pytest.mark.parametrize("flat", [False, True])
def test_try_table_compiles_in_both_forms(flat: bool) -> None:
    """A Python ``try`` around the block (structured), or around the dispatch of the basic blocks (flat)."""
    from wasmrun.codegen import generate_function
    from wasmrun.codegen.compiled import expressions

    module = load_module(PROGRAM.encode())
    index = 2  # "catch"
    source = generate_function(module, index, expressions(), flat=flat).source
    assert "except WasmException as thrown:" in source
    assert ("h = " in source) == flat  # the flat form finds the region of the block that raised


def test_a_tag_is_imported_by_identity() -> None:
    store = Store(Interpreter(engine="interp"))
    linker = Linker(store)
    first = linker.instantiate(load_module(PROGRAM.encode()))
    linker.define_instance("first", first)
    second = linker.instantiate(
        load_module(
            b'(module (import "first" "small" (tag $t (param i32)))'
            b' (func (export "f") (result i32) (block $h (result i32)'
            b" (try_table (result i32) (catch $t $h) (throw $t (i32.const 3))))))"
        )
    )
    assert second.exports["f"].invoke([]) == (3,)


@pytest.mark.parametrize(
    ("wat", "message"),
    [
        ("(module (func (throw 0)))", "unknown tag 0"),
        ("(module (tag (param i32)) (func (throw 0)))", "type mismatch"),
        ("(module (func (throw_ref)))", "type mismatch"),
        (
            "(module (tag (param i64)) (func (block (result i32) (try_table (catch 0 0)) (i32.const 0)) (drop)))",
            "type mismatch",
        ),
        ("(module (type (func (result i32))) (tag (type 0)))", "non-empty tag result type"),
        ('(module (tag (export "t")) (tag (export "t")))', "duplicate export name"),
    ],
)
def test_invalid_uses_are_refused(wat: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        load_module(wat.encode())


def test_a_disabled_proposal_is_named() -> None:
    with pytest.raises(ValidationError, match=r"^module uses the exception-handling proposal, which is disabled$"):
        load_module(b"(module (tag))", features=Features().without("exception-handling"))


def test_a_malformed_tag_section_is_refused() -> None:
    header = b"\0asm\x01\0\0\0" + b"\x01\x04\x01\x60\x00\x00"
    with pytest.raises(DecodeError, match="malformed tag attribute"):
        load_module(header + b"\x0d\x03\x01\x01\x00")
    with pytest.raises(DecodeError, match="unexpected end"):
        load_module(header + b"\x0d\x02\x01\x00")


EXNREF_TESTS = b"""
(module
  (tag $t)
  (func $caught (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (throw $t))
      (unreachable)))
  (func (export "null_is_null") (result i32) (ref.is_null (ref.null exn)))
  (func (export "caught_is_null") (result i32) (ref.is_null (call $caught)))
  ;; (ref exn) after ref.as_non_null and br_on_null: rethrown by throw_ref, which takes exnref
  (func (export "as_non_null") (result i32)
    (block $h
      (try_table (catch_all $h) (throw_ref (ref.as_non_null (call $caught)))))
    (i32.const 7))
  (func (export "br_on_null") (param i32) (result i32)
    (block $null
      (block $h
        (try_table (catch_all $h)
          (throw_ref (br_on_null $null (select (result exnref) (call $caught) (ref.null exn) (local.get 0))))))
      (return (i32.const 1)))
    (i32.const 2))
)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_exnref_is_a_reference_type_for_the_reference_instructions(engine: str) -> None:
    """``ref.is_null``, ``ref.as_non_null`` and ``br_on_null`` take an exnref (a 2.0 reference type's rule
    was once applied: funcref and externref only); ``ref.as_non_null`` of one is ``(ref exn)``."""
    engine = "compile" if engine == "compile-flat" else engine
    store = Store(Interpreter(engine=engine, compile_threshold=5) if engine == "auto" else Interpreter(engine=engine))
    exports = Linker(store).instantiate(load_module(EXNREF_TESTS)).exports
    assert exports["null_is_null"].invoke([]) == (1,)
    assert exports["caught_is_null"].invoke([]) == (0,)
    assert exports["as_non_null"].invoke([]) == (7,)
    assert exports["br_on_null"].invoke([1]) == (1,)
    assert exports["br_on_null"].invoke([0]) == (2,)


def test_ref_as_non_null_of_exnref_is_not_an_externref() -> None:
    with pytest.raises(ValidationError, match=r"type mismatch.*\(ref exn\)"):
        load_module(b"(module (func (result externref) (ref.as_non_null (ref.null exn))))")
