"""Known alignment (wasmrun.codegen.alignment) and the memory accesses it lets the generator write:
the rules, the fixed point over loops, and the forms in generated code, each run against the interpreter."""

from __future__ import annotations

import random
import re
import struct
from typing import Any

import pytest

import wasmrun.codegen.compiled as compiled
from wasmrun.codegen.alignment import (
    ALIGN_CAP,
    Node,
    constant_alignment,
    highest,
    lowest,
    product,
    shifted,
    solve,
)
from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import Trap
from wasmrun.loader import Module
from wasmrun.runtime.linker import Linker
from wasmrun.text.wat import parse_module

TIERS: dict[str, dict[str, Any]] = {
    "interp": {"engine": "interp"},
    "compile": {"engine": "compile"},
    "flat": {"engine": "compile"},
    "osr": {"engine": "auto", "compile_threshold": 3},
}

# --- the rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, ALIGN_CAP), (1, 0), (2, 1), (12, 2), (1024, ALIGN_CAP), (0xFFFFFFF8, 3), (0x80000000, ALIGN_CAP)],
)
def test_a_constant_has_its_trailing_zero_bits_capped(value: int, expected: int) -> None:
    assert constant_alignment(value) == expected


def test_known_alignments_combine_as_the_bits_do() -> None:
    nodes: list[Node] = []
    assert lowest(2, 3, nodes) == 2  # a sum has the smaller
    assert highest(0, 3) == 3  # x & -8 has the mask's
    assert product(1, 2, nodes) == 3  # a product the sum
    assert shifted(1, 5, nodes) == ALIGN_CAP  # capped
    assert not nodes  # nothing symbolic was needed


def test_a_shift_by_the_cap_is_known_even_for_a_node() -> None:
    nodes: list[Node] = []
    assert shifted(Node([(0, 0)]), ALIGN_CAP, nodes) == ALIGN_CAP
    assert not nodes


def test_a_loop_that_adds_a_multiple_of_eight_keeps_an_aligned_start() -> None:
    # p = 1024; loop: p = p + 24  (the node of p at the head: inputs 1024 and its own value plus 24)
    nodes: list[Node] = []
    head = Node([(constant_alignment(1024), 0)])
    nodes.append(head)
    head.inputs.append((lowest(head, constant_alignment(24), nodes), 0))
    solve(nodes)
    assert head.value == 3


def test_a_loop_that_adds_an_odd_step_loses_the_alignment() -> None:
    nodes: list[Node] = []
    head = Node([(constant_alignment(1024), 0)])
    nodes.append(head)
    head.inputs.append((lowest(head, constant_alignment(4), nodes), 0))
    solve(nodes)
    assert head.value == 2  # four-byte accesses are still aligned, eight-byte ones are not


# --- generated code ----------------------------------------------------------------------------------

MEMORY = """
(module
  (memory 1)
  (func (export "sum_f64") (param i32) (result f64)
    ;; sums n doubles at 1024, 1032, ... : a pointer the analysis proves 8-aligned
    (local $p i32) (local $end i32) (local $s f64)
    (local.set $p (i32.const 1024))
    (local.set $end (i32.add (i32.const 1024) (i32.shl (local.get 0) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (f64.store offset=8192 (local.get $p) (f64.convert_i32_u (local.get $p)))
        (local.set $s (f64.add (local.get $s) (f64.load offset=8192 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $next)))
    (local.get $s))
  (func (export "stride4_i64") (param i32) (result i64)
    ;; 8-byte accesses at a pointer that moves by 4: aligned only every other time
    (local $p i32) (local $s i64)
    (local.set $p (i32.const 64))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get 0)))
        (i64.store (local.get $p) (i64.extend_i32_u (local.get 0)))
        (local.set $s (i64.add (local.get $s) (i64.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $next)))
    (local.get $s))
  (func (export "param_pointer") (param i32 i32) (result i32)
    ;; an address the analysis knows nothing about: tested (naturally aligned hints)
    (i32.store (local.get 0) (local.get 1))
    (i32.store16 offset=6 (local.get 0) (local.get 1))
    (i32.add (i32.load (local.get 0)) (i32.load16_u offset=6 (local.get 0))))
  (func (export "computed_pointer") (param i32) (result i64)
    ;; base + 8 * i + 16: aligned if the base is, which a parameter is not known to be
    (i64.store offset=16 (i32.add (local.get 0) (i32.const 8)) (i64.const 0x1122334455667788))
    (i64.load offset=16 (i32.add (local.get 0) (i32.const 8))))
  (func (export "summed_pointer") (param i32 i32) (result i64)
    ;; base + i: an address that is no local plus a constant, named by its test
    (i64.store offset=16 (i32.add (local.get 0) (local.get 1)) (i64.const 0x1122334455667788))
    (i64.load offset=16 (i32.add (local.get 0) (local.get 1))))
  (func (export "merged") (param i32 i32) (result i32)
    ;; an if whose arms leave the pointer 4- and 8-aligned: 4-aligned after it
    (local $p i32)
    (if (local.get 0)
      (then (local.set $p (i32.const 8)))
      (else (local.set $p (i32.const 12))))
    (i32.store (local.get $p) (local.get 1))
    (i32.load (local.get $p)))
  (func (export "aligned_oob") (param i32) (result i32)
    ;; a proven-aligned address beyond the memory: the exact trap
    (i32.load (i32.shl (local.get 0) (i32.const 2))))
  (func (export "negative_constant") (param i32) (result i32)
    ;; x + (-1), written x - 1: wraps at zero
    (i32.add (local.get 0) (i32.const -1)))
)
"""

CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("sum_f64", (0,)),
    ("sum_f64", (10,)),
    ("stride4_i64", (7,)),
    *[("param_pointer", (a, 0xABCD1234)) for a in (0, 4, 5, 6, 7, 65528, 65529, 65534, 0xFFFFFFFF)],
    *[("computed_pointer", (a,)) for a in (0, 8, 3, 65504, 65505, 65510, 0xFFFFFFF8, 0xFFFFFFF0)],
    *[("summed_pointer", (a, b)) for a, b in ((0, 8), (3, 5), (1, 2), (0xFFFFFFF8, 16))],
    *[("merged", (c, 77)) for c in (0, 1)],
    *[("aligned_oob", (a,)) for a in (16383, 16384, 0x3FFFFFFF)],
    *[("negative_constant", (x,)) for x in (0, 1, 0x80000000)],
]


def instantiate(mod: Module, tier: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(compiled, "FORCE_FLAT", tier == "flat")
    return Linker(Store(Interpreter(**TIERS[tier]))).instantiate(mod)


def comparable(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(comparable(v) for v in value)
    if isinstance(value, float):
        return ("f64", struct.pack("<d", value))
    return value


def run_calls(
    mod: Module, tier: str, calls: list[tuple[str, tuple[Any, ...]]], monkeypatch: pytest.MonkeyPatch
) -> list[Any]:
    """Each call's results (floats by their bits), or its trap, in a fresh instance of ``mod`` under ``tier``."""
    instance = instantiate(mod, tier, monkeypatch)
    results: list[Any] = []
    for name, args in calls:
        try:
            results.append(comparable(instance.exports[name].invoke(list(args))))
        except Trap as trap:
            results.append(("trap", trap.message, tuple(trap.frames)))
    return results


def outcomes(mod: Module, tier: str, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    return run_calls(mod, tier, CALLS, monkeypatch)


@pytest.mark.parametrize("tier", ["compile", "flat", "osr"])
def test_every_access_form_agrees_with_the_interpreter(tier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = Module.from_bytes(parse_module(MEMORY))
    expected = outcomes(mod, "interp", monkeypatch)
    assert sum(1 for result in expected if result[0] == "trap") == 8  # each out-of-bounds case, once
    assert outcomes(mod, tier, monkeypatch) == expected


def source(name: str, *, flat: bool = False) -> str:
    mod = Module.from_bytes(parse_module(MEMORY))
    index = next(export.index for export in mod.exports if export.name == name)
    return compiled.generate(mod, index, flat=flat).source


@pytest.mark.parametrize("flat", [False, True], ids=["structured", "flat"])
def test_a_proven_aligned_pointer_goes_through_the_typed_view_untested(flat: bool) -> None:
    text = source("sum_f64", flat=flat)
    # (the structured form keeps the pointer's index beside it in the loop: its shadow, s<loop>_<local>_<shift>)
    index = r"\(l1 >> 3\) \+ 1024" if flat else r"s\d+_1_3 \+ 1024"
    assert re.search(rf"V0_d\[{index}\] = ", text)  # the store, offset folded into the index
    assert re.search(rf"= V0_d\[{index}\]", text)  # the load
    assert "F64_" not in text and "& 7" not in text


def test_a_pointer_aligned_only_for_smaller_accesses_is_tested() -> None:
    text = source("stride4_i64")
    # (its index kept beside it by the loop: the shadow s<loop>_<local>_<shift>, set again as it moves by 4)
    assert re.search(r"if not l1 & 7: V0_Q\[s\d+_1_3\] = ", text)  # the store: two lines, the test first
    assert "else: U64_PACK(V0, l1, " in text
    assert re.search(r"V0_Q\[s\d+_1_3\] if not l1 & 7 else U64_UNPACK\(V0, l1\)\[0\]", text)
    assert re.search(r"l1 = \(\(l1 \+ 4\) % 4294967296\)\n +s\d+_1_3 = l1 >> 3\n", text)


def test_an_unknown_address_expression_is_named_by_its_test() -> None:
    text = source("summed_pointer")
    assert "if not (t1 := ((l0 + l1) % 4294967296)) & 7: V0_Q[(t1 >> 3) + 2] = " in text


def test_a_local_plus_a_multiple_of_the_size_is_indexed_from_the_local() -> None:
    # (p + 8) mod 2**32, read 8 bytes at a time: p's index plus 1, wrapping as the address does; p's low bits
    text = source("computed_pointer")
    assert "h0_0 = l0 >> 3\n" in text and "h0_1 = l0 & 7\n" in text
    assert "if not h0_1: V0_Q[(h0_0 + 1) % 536870912 + 2] = " in text
    assert "V0_Q[(h0_0 + 1) % 536870912 + 2] if not h0_1 else U64_UNPACK(V0, ((l0 + 8) % 4294967296) + 16)[0]" in text


def test_paths_that_meet_keep_the_alignment_they_share() -> None:
    text = source("merged")
    assert "V0_I[l2 >> 2] = l1" in text and "& 3" not in text


# A pointer a loop reads through but does not change: its index and low bits are computed once, before
# the loop (the function writes it after); a pointer the function never writes: once, at its start; one
# an outer loop moves: before the inner loop that reads it.
HOISTED = """
(module
  (memory 1)
  (func (export "through_pointer") (param i32 i32) (result i32) (local i32 i32)
    (loop $next
      (local.set 3 (i32.add (local.get 3) (i32.add (i32.load offset=4 (local.get 0)) (i32.load offset=8 (local.get 0)))))
      (i32.store offset=12 (local.get 0) (local.get 3))
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get 2) (local.get 1))))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (i32.add (local.get 3) (i32.load (local.get 0))))
  (func (export "never_written") (param i32 i32) (result i32)
    (i32.store (local.get 0) (local.get 1))
    (i32.store16 offset=6 (local.get 0) (local.get 1))
    (i32.add (i32.load offset=4 (local.get 0)) (i32.load16_u offset=6 (local.get 0))))
  (func (export "moving_pointer") (param i32 i32) (result i32) (local i32 i32)
    ;; an outer loop moves the pointer, an inner one reads through it twice: shifted before the inner one
    (loop $outer
      (local.set 2 (i32.const 0))
      (loop $inner
        (local.set 3 (i32.add (local.get 3) (i32.mul (i32.load (local.get 0)) (i32.load offset=4 (local.get 0)))))
        (br_if $inner (i32.lt_u (local.tee 2 (i32.add (local.get 2) (i32.const 1))) (i32.const 2))))
      (i32.store (local.get 0) (local.get 3))
      (local.set 0 (i32.add (local.get 0) (i32.const 4)))
      (br_if $outer (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))
    (local.get 3)))
"""


def test_an_address_the_loop_does_not_change_is_shifted_once_before_it() -> None:
    text = compiled.generate(Module.from_bytes(parse_module(HOISTED)), 0).source
    assert "h1_0 = l0 >> 2\n" in text and "h1_1 = l0 & 3\n" in text
    assert "V0_I[h1_0 + 1] if not h1_1 else U32_UNPACK(V0, l0 + 4)[0]" in text
    assert "if not h1_1: V0_I[h1_0 + 3] = l3" in text
    assert "V0_I[l0 >> 2] if not l0 & 3" in text  # after the loop writes it, as it was


def test_an_address_the_function_never_writes_is_shifted_once_at_its_start() -> None:
    text = compiled.generate(Module.from_bytes(parse_module(HOISTED)), 1).source
    assert text.index("h0_0 = l0 >> 2") < text.index("V0_I[h0_0]")
    assert "V0_I[h0_0 + 1] if not h0_1 else" in text and "V0_H[h0_2 + 3] if not h0_3 else" in text


@pytest.mark.parametrize("tier", ["compile", "flat", "osr"])
def test_hoisted_addresses_agree_with_the_interpreter(tier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = Module.from_bytes(parse_module(HOISTED))
    calls = [
        (name, (p, n))
        for name in ("through_pointer", "never_written", "moving_pointer")
        for p in (0, 4, 5, 6, 65520, 65528, 65532, 0xFFFFFFFF)
        for n in (1, 3, 0xABCD1234)
        if name == "never_written" or n < 4
    ]

    expected = run_calls(mod, "interp", calls, monkeypatch)
    assert any(result[0] == "trap" for result in expected if isinstance(result, tuple))
    assert run_calls(mod, tier, calls, monkeypatch) == expected


# Pointers a loop moves: the loop keeps each one's index beside it (its shadow, s<loop>_<local>_<shift>), set
# before the loop and after each write of the pointer in it.
SHADOWED = (
    """
(module
  (memory 1)
  (data (i32.const 1024) """
    + '"'
    + "".join(f"\\{(k * 37 + 11) % 256:02x}" for k in range(1024))
    + '"'
    + """)
  (func (export "stepped") (param i32 i32) (result i32) (local i32 i32 i32)
    ;; p = 1024 + 8k for k = 0 .. 99: words at p and p + 4, p stepped by 8 (no wrap: k counts to 100)
    (local.set 2 (i32.const 1024))
    (loop $next
      (local.set 3 (i32.add (local.get 3) (i32.mul (i32.load (local.get 2)) (i32.load offset=4 (local.get 2)))))
      (i32.store (local.get 2) (i32.add (local.get 3) (local.get 1)))
      (local.set 2 (i32.add (local.get 2) (i32.const 8)))
      (br_if $next (i32.ne (local.tee 4 (i32.add (local.get 4) (i32.const 1))) (i32.const 100))))
    (local.get 3))
  (func (export "linked") (param i32 i32) (result i32) (local i32)
    ;; p = *(p + 4) until 0 or n steps: a pointer loaded from memory, read at p - 4 and p
    (loop $next
      (local.set 2 (i32.add (local.get 2) (i32.load offset=0 (i32.sub (local.get 0) (i32.const 4)))))
      (local.set 0 (i32.load offset=4 (local.get 0)))
      (br_if $next (i32.and (i32.ne (local.get 0) (i32.const 0))
                            (i32.ne (local.tee 1 (i32.sub (local.get 1) (i32.const 1))) (i32.const 0)))))
    (local.get 2))
  (func (export "summed") (param i32 i32) (result i32) (local i32 i32 i32)
    ;; q = p & 0xFFF8 (aligned, invariant), i = 0, 8, .. 56: words at q + i (no wrap: both are small)
    (local.set 2 (i32.and (local.get 0) (i32.const 0xFFF8)))
    (loop $next
      (local.set 3 (i32.add (local.get 3) (i32.load (i32.add (local.get 2) (local.get 4)))))
      (br_if $next (i32.ne (local.tee 4 (i32.add (local.get 4) (i32.const 8))) (i32.const 64))))
    (local.get 3))
  (func (export "nested") (param i32 i32) (result i32) (local i32 i32)
    ;; an outer loop that moves p in an inner loop and reads through it after
    (loop $outer
      (local.set 2 (i32.const 3))
      (loop $inner
        (local.set 0 (i32.add (local.get 0) (i32.const 4)))
        (br_if $inner (local.tee 2 (i32.sub (local.get 2) (i32.const 1)))))
      (local.set 3 (i32.add (local.get 3) (i32.load (local.get 0))))
      (if (i32.and (local.get 1) (i32.const 1)) (then (local.set 0 (i32.sub (local.get 0) (i32.const 6)))))
      (br_if $outer (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))
    (local.get 3))
  (func (export "strided") (param i32 i32) (result i32) (local i32 i32 i32 i32 i32)
    ;; n = p & 127 words down a column: at 1024 + 8n * i for i < n, stepped by an invariant multiple of 8
    (local.set 5 (i32.and (local.get 0) (i32.const 127)))
    (local.set 4 (i32.shl (local.get 5) (i32.const 3)))
    (local.set 2 (i32.const 1024))
    (block $done
      (br_if $done (i32.eqz (local.get 5)))
      (loop $next
        (local.set 3 (i32.add (local.get 3) (i32.load (local.get 2))))
        (local.set 2 (i32.add (local.get 2) (local.get 4)))
        (br_if $next (i32.ne (local.tee 6 (i32.add (local.get 6) (i32.const 1))) (local.get 5)))))
    (local.get 3)))
"""
)


def shadowed_source(index: int) -> str:
    return compiled.generate(Module.from_bytes(parse_module(SHADOWED)), index).source


def test_a_pointer_the_loop_steps_keeps_its_index_beside_it() -> None:
    text = shadowed_source(0)
    assert re.search(r"(s\d+_2_2) = l2 >> 2\n +while True:", text)  # set before the loop
    assert re.search(r"V0_I\[s\d+_2_2\] = ", text) and re.search(r"V0_i\[s\d+_2_2 \+ 1\]", text)
    assert re.search(r"(s\d+_2_2) = \1 \+ 2\n", text)  # stepped as the pointer is (which only it is read through)


def test_a_pointer_loaded_in_the_loop_has_its_index_taken_again() -> None:
    text = shadowed_source(1)
    assert re.search(r"l0 = V0_I\[s\d+_0_2 \+ 1\] if not l0 & 3 else .*\n +s\d+_0_2 = l0 >> 2\n", text)
    assert re.search(r"V0_I\[\(s\d+_0_2 - 1\) % 1073741824\] if not l0 & 3", text)  # p - 4, wrapping


def test_a_sum_of_two_pointers_is_the_sum_of_their_indexes() -> None:
    text = shadowed_source(2)
    assert re.search(r"V0_I\[\(h\d+_\d+ \+ s\d+_4_2\)\]", text)


def test_a_pointer_stepped_by_an_invariant_multiple_keeps_its_index_stepped_by_the_quotient() -> None:
    text = shadowed_source(4)
    assert re.search(r"(q\d+_4_2) = l4 >> 2\n(?:.*\n)* +(s\d+_2_2) = \2 \+ \1\n", text)
    assert "l2 = (l2 + l4)" not in text  # (the pointer itself is read only through its index: see liveness)


def test_a_pointer_an_inner_loop_moves_has_no_index_kept_by_the_outer_one() -> None:
    text = shadowed_source(3)
    assert "V0_I[l0 >> 2] if not l0 & 3" in text and "_0_2" not in text


@pytest.mark.parametrize("tier", ["compile", "flat", "osr"])
def test_shadowed_pointers_agree_with_the_interpreter(tier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from wasmrun.codegen import ranges

    monkeypatch.setattr(ranges, "CHECKED", True)
    mod = Module.from_bytes(parse_module(SHADOWED))
    names = ("stepped", "linked", "summed", "nested", "strided")
    calls = [(name, (p, n)) for name in names for p in (0, 4, 6, 1024, 1036, 65520, 0xFFFFFFFC) for n in (1, 2, 5)]

    expected = run_calls(mod, "interp", calls, monkeypatch)
    assert {result[0] == "trap" for result in expected} == {True, False}
    assert run_calls(mod, tier, calls, monkeypatch) == expected


def test_a_write_the_shadows_cannot_follow_generates_the_function_without_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wasmrun.codegen.structured import ShadowLost, StructuredGenerator

    def lost(*_args: Any) -> list[str]:
        raise ShadowLost("l2")

    monkeypatch.setattr(StructuredGenerator, "shadow_updates", lost)
    text = shadowed_source(0)
    assert "while True:" in text and "_2_2" not in text and "V0_I[l2 >> 2]" in text


def test_a_large_constant_is_added_as_a_small_subtraction() -> None:
    assert "return ((l0 - 1) % 4294967296)" in source("negative_constant")


# --- random programs: every form against the interpreter ------------------------------------------------

_ACCESSES = {  # load -> (size, result type, its store)
    "i32.load": (4, "i32", "i32.store"),
    "i64.load": (8, "i64", "i64.store"),
    "f64.load": (8, "f64", "f64.store"),
    "f32.load": (4, "f32", "f32.store"),
    "i32.load16_u": (2, "i32", "i32.store16"),
    "i32.load8_u": (1, "i32", "i32.store8"),
}
_TO_I64 = {
    "i32": "(i64.extend_i32_u {})",
    "i64": "{}",
    "f64": "(i64.trunc_sat_f64_s {})",
    "f32": "(i64.trunc_sat_f32_s {})",
}
_FROM_I64 = {
    "i32": "(i32.wrap_i64 (local.get $acc))",
    "i64": "(local.get $acc)",
    "f64": "(f64.convert_i64_s (local.get $acc))",
    "f32": "(f32.convert_i64_s (local.get $acc))",
}


def _address(rng: random.Random, depth: int = 0) -> str:
    if depth > 2 or rng.random() < 0.3:
        constant = rng.choice([0, 1, 2, 4, 8, 12, 16, 24, -8, -4, 3, 1024, 65528])
        return rng.choice(["(local.get $p)", "(local.get $q)", "(local.get 0)", f"(i32.const {constant})"])
    operation = rng.choice(["i32.add", "i32.sub", "i32.mul", "i32.shl", "i32.and", "i32.or"])
    return f"({operation} {_address(rng, depth + 1)} {_address(rng, depth + 1)})"


def _statement(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if roll < 0.3:
        return f"(local.set {rng.choice(['$p', '$q'])} {_address(rng)})"
    if roll < 0.6 or depth > 1:
        load = rng.choice(list(_ACCESSES))
        size, valtype, store = _ACCESSES[load]
        memarg = f"offset={rng.choice([0, 0, size, 2 * size, 1, 3])} align={rng.choice([1, size, size])}"
        address = f"(i32.and {_address(rng)} (i32.const 65535))"
        text = f"(local.set $acc (i64.add (local.get $acc) {_TO_I64[valtype].format(f'({load} {memarg} {address})')}))"
        if rng.random() < 0.5:
            text += f"({store} {memarg} {address} {_FROM_I64[valtype]})"
        return text
    arms = [" ".join(_statement(rng, depth + 1) for _ in range(2)) for _ in range(2)]
    if roll < 0.8:
        return f"(if (i32.and (local.get $i) (i32.const {rng.choice([1, 2, 3])})) (then {arms[0]}) (else {arms[1]}))"
    return f"(block $b {arms[0]} (br_if $b (i32.and (local.get $i) (i32.const 1))) {arms[1]})"


def random_program(seed: int) -> str:
    """A loop of random loads and stores through pointers that move by various strides."""
    rng = random.Random(seed)
    start = rng.choice(
        ["(local.get 1)", "(i32.const 1024)", "(i32.const 64)", "(i32.and (local.get 1) (i32.const -8))"]
    )
    body = " ".join(_statement(rng) for _ in range(rng.randint(3, 8)))
    return f"""(module (memory 1)
  (func (export "f") (param i32 i32) (result i64) (local $p i32) (local $q i32) (local $i i32) (local $acc i64)
    (local.set $p {start})
    (loop $l {body}
      (local.set $p (i32.add (local.get $p) (i32.const {rng.choice([4, 8, 1, 12, 16])})))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 7))))
    (local.get $acc)))"""


@pytest.mark.parametrize("seed", range(30))
def test_random_memory_programs_agree_with_the_interpreter(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = Module.from_bytes(parse_module(random_program(seed)))
    rng = random.Random(seed)
    args = [[rng.randrange(1 << 32), rng.choice([0, 8, 1024, 65520, 3, 65535])] for _ in range(4)]

    def run(tier: str) -> list[Any]:
        return run_calls(mod, tier, [("f", tuple(arguments)) for arguments in args], monkeypatch)

    expected = run("interp")
    assert run("compile") == expected
    assert run("flat") == expected
