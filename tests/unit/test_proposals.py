"""Which proposals a module uses (one case per rule, and modules that use none), and proposals as features."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmrun.errors import DecodeError, ValidationError, WasmError
from wasmrun.features import EVERY_PROPOSAL, PROPOSALS, WASM_2_0, Features, proposals_used
from wasmrun.loader import load_module


def proposals(wat: str) -> tuple[str, ...]:
    return proposals_used(load_module(wat.encode()))


@pytest.mark.parametrize(
    ("wat", "expected"),
    [
        ("(module)", ()),
        ("(module (memory 1) (global (mut i32) (i32.const 0)) (func (result i32) (i32.const 1)))", ()),
        ('(module (import "e" "g" (global (mut i32))))', ("mutable-global",)),
        ('(module (global (export "g") (mut i32) (i32.const 0)))', ("mutable-global",)),
        ('(module (global (export "g") i32 (i32.const 0)))', ()),
        ("(module (func (param f32) (result i32) (i32.trunc_sat_f32_u (local.get 0))))", ("nontrapping-float-to-int",)),
        ("(module (func (param i64) (result i64) (i64.extend32_s (local.get 0))))", ("sign-extension",)),
        ("(module (func (result i32 i32) (i32.const 1) (i32.const 2)))", ("multi-value",)),
        ("(module (type $t (func)) (func (block (type $t))))", ("multi-value",)),
        ("(module (func (result i32) (block (result i32) (i32.const 1))))", ()),
        ('(module (memory 1) (data "x"))', ("bulk-memory",)),
        ("(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))", ("bulk-memory",)),
        ("(module (table 1 funcref) (func $f) (elem func $f))", ("bulk-memory",)),
        ("(module (table 1 funcref) (func $f) (elem declare func $f))", ("reference-types",)),
        ("(module (table 1 externref))", ("reference-types",)),
        ("(module (table 1 funcref) (table 1 funcref))", ("reference-types",)),
        ("(module (func (param externref)))", ("reference-types",)),
        ("(module (func (local funcref)))", ("reference-types",)),
        ("(module (global funcref (ref.null func)))", ("reference-types",)),
        ("(module (table 1 funcref) (func (result i32) (table.size 0)))", ("reference-types",)),
        (
            "(module (type $t (func)) (table 1 funcref) (table $b 1 funcref)"
            " (func (call_indirect $b (type $t) (i32.const 0))))",
            ("reference-types",),
        ),
        (
            "(module (func (result i32) (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0))))",
            ("reference-types",),
        ),
        ("(module (func (param v128)))", ("simd",)),
        ("(module (tag))", ("exception-handling",)),
        ('(module (import "m" "t" (tag (param i32))))', ("exception-handling",)),
        ("(module (func (param exnref)))", ("exception-handling",)),
        ("(module (memory 1) (memory 1))", ("multi-memory",)),
        ('(module (memory 0) (memory $b 1) (data (memory $b) (i32.const 0) "x"))', ("multi-memory",)),
        ("(module (memory 1) (memory 1) (func (drop (i32.load 1 (i32.const 0)))))", ("multi-memory",)),
        ("(module (memory 1) (func (drop (i32.load 0 (i32.const 0)))))", ()),
        ("(module (memory i64 1))", ("memory64",)),
        ("(module (table i64 1 funcref))", ("memory64",)),
        ("(module (func (result i32) (i32x4.extract_lane 0 (v128.const i32x4 0 0 0 0))))", ("simd",)),
    ],
)
def test_detected_proposals(wat: str, expected: tuple[str, ...]) -> None:
    assert proposals(wat) == expected


def test_every_proposal_in_the_listed_order() -> None:
    """proposals.wat uses every proposal that is on by default; a page size is the one off by default."""
    wat = Path(__file__).resolve().parents[1] / "data" / "inspect" / "proposals.wat"
    on = tuple(proposal for proposal in PROPOSALS if Features().enabled(proposal))
    assert proposals_used(load_module(wat.read_bytes())) == on
    paged = proposals_used(load_module(b"(module (memory 1 (pagesize 1)))", features=EVERY_PROPOSAL))
    assert paged == tuple(proposal for proposal in PROPOSALS if proposal not in on)


# --- proposals as features -------------------------------------------------------------------------------

FEATURE_CASES = {
    "simd": "(module (func (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))",
    "sign-extension": "(module (func (param i32) (result i32) (i32.extend8_s (local.get 0))))",
    "bulk-memory": "(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))",
    "multi-value": "(module (func (result i32 i32) (i32.const 1) (i32.const 2)))",
    "reference-types": "(module (table 1 externref))",
    "nontrapping-float-to-int": "(module (func (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0))))",
    "mutable-global": '(module (global (export "g") (mut i32) (i32.const 0)))',
    "exception-handling": "(module (tag $e) (func (throw $e)))",
    "memory64": "(module (memory i64 1) (func (result i64) (memory.size)))",
    "gc": "(module (func (result i32) (i31.get_u (ref.i31 (i32.const 1)))))",
}


@pytest.mark.parametrize("proposal", list(FEATURE_CASES))
def test_a_module_using_a_disabled_proposal_is_refused_naming_it(proposal: str) -> None:
    with pytest.raises(ValidationError, match=f"^module uses the {proposal} proposal, which is disabled$"):
        load_module(FEATURE_CASES[proposal].encode(), features=Features().without(proposal))


@pytest.mark.parametrize("proposal", list(FEATURE_CASES))
def test_a_module_is_accepted_when_its_proposals_are_on(proposal: str) -> None:
    others = [name for name in PROPOSALS if name != proposal]
    load_module(FEATURE_CASES[proposal].encode(), features=Features().without(*others))


def test_every_proposal_of_the_table_is_a_feature() -> None:
    every = Features()._replace(custom_page_sizes=True)
    assert all(every.enabled(proposal) and not every.without(proposal).enabled(proposal) for proposal in PROPOSALS)


def test_the_inspect_schema_lists_every_proposal_in_order() -> None:
    import json

    schema_path = Path(__file__).resolve().parents[2] / "wasmrun" / "schemas" / "inspect.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    assert schema["$defs"]["module"]["properties"]["proposals"]["items"]["enum"] == list(PROPOSALS)


# --- extended constants ------------------------------------------------------------------------------

EXTENDED = (
    '(module (global (import "e" "g") i32) (global $a i32 (i32.const 2))'
    " (global $b i32 (i32.add (global.get 0) (i32.mul (global.get $a) (i32.const 3)))))"
)


def test_extended_constants_are_detected_and_follow_their_feature() -> None:

    assert proposals(EXTENDED) == ("extended-const",)
    assert proposals('(module (global i32 (i32.const 1)) (memory 1) (data (global.get 0) "a"))') == ("extended-const",)
    with pytest.raises(ValidationError, match="constant expression required"):
        load_module(b"(module (global i32 (i32.add (i32.const 1) (i32.const 2))))", features=WASM_2_0)
    with pytest.raises(ValidationError, match="unknown global 0"):
        load_module(b'(module (global i32 (i32.const 0)) (memory 1) (data (global.get 0) "a"))', features=WASM_2_0)


@pytest.mark.parametrize(
    ("wat", "message"),
    [
        ("(module (global i32 (global.get 0)))", "unknown global 0"),
        ("(module (global i32 (global.get 1)) (global i32 (i32.const 0)))", "unknown global 1"),
        ("(module (global (mut i32) (i32.const 0)) (global i32 (global.get 0)))", "constant expression required"),
        ("(module (global i32 (i32.add (i32.const 0) (i64.const 0))))", "type mismatch"),
        ("(module (global i64 (i32.add (i32.const 0) (i32.const 0))))", "type mismatch"),
        ("(module (global i32 (i32.div_u (i32.const 0) (i32.const 1))))", "constant expression required"),
    ],
)
def test_extended_constants_are_validated(wat: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        load_module(wat.encode())


def test_extended_constants_are_evaluated() -> None:
    from wasmrun import Linker, Module, Store

    store = Store()
    linker = Linker(store)
    wat = (
        '(module (global $a i64 (i64.const 7)) (global $b (export "b") i64'
        " (i64.sub (i64.mul (global.get $a) (i64.const 3)) (i64.const 30)))"
        ' (global (export "c") i32 (i32.mul (i32.const 0x10000) (i32.const 0x10000))))'
    )
    instance = linker.instantiate(Module.from_bytes(wat.encode()))
    assert instance.exports["b"].value == (21 - 30) & 0xFFFFFFFFFFFFFFFF
    assert instance.exports["c"].value == 0


def test_two_memories_are_refused_naming_multiple_memories_when_the_proposal_is_off() -> None:
    with pytest.raises(ValidationError, match=r"^multiple memories: module uses the multi-memory proposal"):
        load_module(b"(module (memory 1) (memory 1))", features=Features().without("multi-memory"))


def test_a_memory_index_beyond_the_memories_is_invalid_and_malformed_in_2_0() -> None:
    wat = b"(module (memory 1) (func (result i32) (memory.size 1)))"
    with pytest.raises(ValidationError, match=r"^unknown memory 1"):
        load_module(wat, features=Features().without("multi-memory"))


# --- proposals wasmrun does not implement yet: named, never "malformed" -------------------------------------


def _binary(types: bytes = b"\x01\x60\x00\x00", body: bytes = b"\x00\x0b") -> bytes:
    """A module with the type section ``types``, one function of type 0 and ``body`` (locals, code)."""

    def section(number: int, content: bytes) -> bytes:
        return bytes((number, len(content))) + content

    code = bytes((len(body),)) + body
    return b"\0asm\1\0\0\0" + section(1, types) + section(3, b"\x01\x00") + section(10, b"\x01" + code)


@pytest.mark.parametrize(
    ("source", "proposal"),
    [
        (_binary(body=b"\x00\x06\x40\x19\x0b\x0b"), "legacy exception-handling"),  # try ... catch_all
        (b"(module (tag $e) (func (try (do (throw $e)) (catch_all))))", "legacy exception-handling"),
    ],
    ids=["legacy-try", "text-try"],
)  # fmt: skip
def test_a_module_using_an_unimplemented_proposal_is_refused_naming_it(source: bytes, proposal: str) -> None:
    with pytest.raises(WasmError, match=f"^module uses the {proposal} proposal, which wasmrun does not implement yet"):
        load_module(source)


def test_gc_bytes_are_malformed_in_webassembly_2_0() -> None:
    """The 2.0 scripts expect what 2.0's decoder says of the same bytes."""
    from wasmrun.binary.decoder import decode_module
    from wasmrun.binary.instructions import decode_function_body

    with pytest.raises(DecodeError, match=r"^malformed function type "):
        decode_module(_binary(types=b"\x01\x5f\x00"), disabled=WASM_2_0.disabled)
    with pytest.raises(DecodeError, match=r"^illegal opcode 6 "):
        module = decode_module(_binary(body=b"\x00\x06\x40\x19\x0b\x0b"), disabled=WASM_2_0.disabled)
        decode_function_body(module.raw, module.body(0), WASM_2_0.disabled)


def test_a_component_is_named() -> None:
    with pytest.raises(DecodeError, match=r"^this is a component \(the Component Model\), not a core module"):
        load_module(b"\0asm\x0d\0\x01\0")


def _with_memory(body: bytes) -> bytes:
    """A module with one memory and one function of type [] -> [] whose code is ``body`` (no locals)."""

    def section(number: int, content: bytes) -> bytes:
        return bytes((number, len(content))) + content

    code = b"\x00" + body + b"\x0b"
    return (
        b"\0asm\1\0\0\0"
        + section(1, b"\x01\x60\x00\x00")
        + section(3, b"\x01\x00")
        + section(5, b"\x01\x00\x01")
        + section(10, b"\x01" + bytes((len(code),)) + code)
    )


@pytest.mark.parametrize(
    "body",
    [
        b"\x3f\x80\x00\x1a",  # memory.size, memory 0 in two bytes
        b"\x41\x00\x28\x42\x00\x00\x1a",  # i32.load with the memory-index flag, memory 0
    ],
    ids=["wide-memory-index", "memarg-memory-flag"],
)
def test_memory_0_encoded_as_only_multiple_memories_can_uses_them(body: bytes) -> None:
    """Wasmtime without multiple memories says `zero byte expected` (or rejects the flag) here."""
    module = load_module(_with_memory(body))
    assert "multi-memory" in proposals_used(module)
    with pytest.raises(ValidationError, match="multi-memory proposal, which is disabled"):
        load_module(_with_memory(body), features=WASM_2_0)
