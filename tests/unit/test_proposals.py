"""Which proposals a module uses (one case per rule, and modules that use none), and proposals as features."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmrun.errors import ValidationError
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
    wat = Path(__file__).resolve().parents[1] / "data" / "inspect" / "proposals.wat"
    wasm_2_0 = tuple(proposal for proposal in PROPOSALS if WASM_2_0.enabled(proposal))
    assert proposals_used(load_module(wat.read_bytes())) == wasm_2_0  # the 2.0 ones
    later = b"(module (memory 1) (memory i64 1 (pagesize 1)) (func (drop (i32.load 1 (i64.const 0)))))"
    used = proposals_used(load_module(later, features=EVERY_PROPOSAL))
    assert used == tuple(proposal for proposal in PROPOSALS if proposal not in wasm_2_0)


# --- proposals as features -------------------------------------------------------------------------------

FEATURE_CASES = {
    "simd": "(module (func (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))",
    "sign-extension": "(module (func (param i32) (result i32) (i32.extend8_s (local.get 0))))",
    "bulk-memory": "(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))",
    "multi-value": "(module (func (result i32 i32) (i32.const 1) (i32.const 2)))",
    "reference-types": "(module (table 1 externref))",
    "nontrapping-float-to-int": "(module (func (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0))))",
    "mutable-global": '(module (global (export "g") (mut i32) (i32.const 0)))',
    "memory64": "(module (memory i64 1) (func (result i64) (memory.size)))",
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
    assert all(hasattr(Features(), proposal.replace("-", "_")) for proposal in PROPOSALS)


def test_two_memories_are_refused_naming_multiple_memories_when_the_proposal_is_off() -> None:
    with pytest.raises(ValidationError, match=r"^multiple memories: module uses the multi-memory proposal"):
        load_module(b"(module (memory 1) (memory 1))", features=Features().without("multi-memory"))


def test_a_memory_index_beyond_the_memories_is_invalid_and_malformed_in_2_0() -> None:
    from wasmrun.errors import DecodeError

    wat = b"(module (memory 1) (func (result i32) (memory.size 1)))"
    with pytest.raises(ValidationError, match=r"^unknown memory 1"):
        load_module(wat, features=Features().without("multi-memory"))
    with pytest.raises(DecodeError, match="zero byte expected"):
        load_module(wat, features=WASM_2_0)
