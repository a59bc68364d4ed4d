"""Loop idioms (wasmrun.codegen.idioms): a strided byte-store loop as a slice assignment, and the same
stores, counter and traps as the loop."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest

import wasmrun.codegen.compiled as compiled
from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import Trap
from wasmrun.loader import Module
from wasmrun.runtime.linker import Linker
from wasmrun.text.wat import parse_module

# A sieve's marking loop: do { mem[p + 16] = 7; p += step } while (p < bound), p, step and bound clamped
# so that the step cannot wrap (the code generator's ranges show it), the bound signed.
FILL = """
(module
  (memory (export "memory") 2)
  (func (export "mark") (param i32 i32 i32) (result i32) (local i32 i32 i32)
    (local.set 3 (i32.and (local.get 0) (i32.const 0x1ffff)))
    (local.set 4 (i32.and (local.get 1) (i32.const 0xff)))
    (local.set 5 (select (local.get 2) (i32.const 0x20000) (i32.lt_s (local.get 2) (i32.const 0x20000))))
    (loop $next
      (i32.store8 offset=16 (local.get 3) (i32.const 7))
      (local.set 3 (i32.add (local.get 3) (local.get 4)))
      (br_if $next (i32.lt_s (local.get 3) (local.get 5))))
    (local.get 3)))
"""

TIERS: dict[str, dict[str, Any]] = {
    "interp": {"engine": "interp"},
    "compile": {"engine": "compile"},
    "auto": {"engine": "auto", "compile_threshold": 0},
}

CALLS = [
    (0, 3, 100),  # 34 stores, in bounds
    (5, 1, 6),  # one
    (50, 4, 10),  # the bound below the start: one store (the test is at the end)
    (7, 9, 0xFFFFFFFF),  # a negative bound (signed): one store
    (0, 255, 0x1FF00),  # the stride at its widest
    (0x1FF00, 16, 0x20000),  # the last stores beyond the memory: the loop's stores, then its trap
    (0x1FFEF, 1, 0x1FFF5),  # the first store beyond it
    (0x1FFE0, 0, 3),  # a zero stride past the bound: one store
    (0, 1, 0x1FFF0),  # every byte up to the end of the memory
    # and more, at random: near the ends of the memory, strides small and large, bounds either way
    *(
        (
            random.choice((random.randrange(0x100), 0x20000 - random.randrange(1, 0x400))),
            random.randrange(1, 256),
            random.choice((random.randrange(0x20001), 0x20000 - random.randrange(0x100))),
        )
        for random in [__import__("random").Random(20261207)]
        for _ in range(60)
    ),
]


def outcomes(tier: str) -> list[Any]:
    """Each call's result or trap, and the digest of the memory after it, in one instance under ``tier``."""
    instance = Linker(Store(Interpreter(**TIERS[tier]))).instantiate(Module.from_bytes(parse_module(FILL)))
    memory = instance.exports["memory"]
    results: list[Any] = []
    for arguments in CALLS:
        try:
            result: Any = instance.exports["mark"].invoke(list(arguments))
        except Trap as trap:
            result = ("trap", trap.message, tuple(trap.frames))
        results.append((result, hashlib.sha256(bytes(memory.view)).hexdigest()))
    return results


def test_a_strided_byte_store_loop_is_a_slice_assignment() -> None:
    text = compiled.generate(Module.from_bytes(parse_module(FILL)), 0).source
    assert re.search(r"V0\[\(l3 \+ 16\) : .* : l4\] = b'\\x07' \* \(fill_k \+ 1\)", text)
    assert "while True:" in text  # (the loop itself, for the cases the slice cannot do)


def test_with_fuel_each_iteration_is_charged() -> None:
    text = compiled.generate(Module.from_bytes(parse_module(FILL)), 0, options=compiled.CodeOptions(fuel=True)).source
    assert "fill_k" not in text


@pytest.mark.parametrize("tier", ["compile", "auto"])
def test_the_slice_stores_what_the_loop_stores(tier: str) -> None:
    expected = outcomes("interp")
    assert [result[0] == "trap" for result, _digest in expected[:9]].count(True) == 2  # (two beyond the memory)
    assert [result[0] == "trap" for result, _digest in expected].count(False) > 20
    assert outcomes(tier) == expected


# A dot product as LLVM unrolls it, two products a round: a column of x (a stride of words) times a row of y.
DOT = """
(module
  (memory (export "memory") 1)
  (data (i32.const 0) "\\01\\02\\03\\04\\05\\06\\07\\08\\f9\\fa\\fb\\fc\\fd\\fe\\ff\\80\\7f\\10\\20\\30\\40\\50\\60\\70")
  (func (export "dot") (param i32 i32 i32 i32) (result i32) (local i32 i32 i32 i32 i32 i32 i32)
    (local.set 4 (i32.and (local.get 0) (i32.const 0xfffc)))
    (local.set 5 (i32.and (local.get 1) (i32.const 0xfffc)))
    (local.set 6 (i32.shl (i32.and (local.get 2) (i32.const 127)) (i32.const 1)))
    (local.set 7 (i32.shl (i32.and (local.get 3) (i32.const 63)) (i32.const 2)))
    (local.set 10 (i32.shl (i32.and (local.get 3) (i32.const 63)) (i32.const 3)))
    (block $done
      (br_if $done (i32.eqz (local.get 6)))
      (loop $next
        (local.set 9 (i32.add (local.get 9)
          (i32.add (i32.mul (i32.load (i32.add (local.get 4) (local.get 7))) (i32.load offset=4 (local.get 5)))
                   (i32.mul (i32.load (local.get 4)) (i32.load (local.get 5))))))
        (local.set 4 (i32.add (local.get 4) (local.get 10)))
        (local.set 5 (i32.add (local.get 5) (i32.const 8)))
        (br_if $next (i32.ne (local.tee 8 (i32.add (local.get 8) (i32.const 2))) (local.get 6)))))
    (i32.add (local.get 9) (local.get 8)))
  (func (export "fill") (param i32)
    ;; words of a pattern seeded by p, over the whole memory
    (local i32)
    (loop $next
      (i32.store (local.get 1) (i32.mul (i32.add (local.get 1) (local.get 0)) (i32.const 0x9E3779B1)))
      (br_if $next (i32.ne (local.tee 1 (i32.add (local.get 1) (i32.const 4))) (i32.const 65536))))))
"""

DOT_CALLS = [
    (0, 0, 5, 1),  # 10 products of words next to each other
    (0, 4, 1, 0),  # a zero stride: the loop (the same word each round)
    (2000, 2000, 127, 63),  # the widest stride: the last words of x beyond the memory, the loop's trap
    (40, 8000, 127, 3),  # long, in bounds
    (65532, 0, 1, 1),  # the first word of the column's second product beyond the memory
    (0, 65528, 1, 1),  # y's second word the last one of the memory
    (0, 0, 0, 5),  # none
    # and more, at random: columns and rows anywhere, every length and stride
    *(
        (random.randrange(0x10000), random.randrange(0x10000), random.randrange(128), random.randrange(64))
        for random in [__import__("random").Random(20261208)]
        for _ in range(60)
    ),
]


def dot_outcomes(tier: str) -> list[Any]:
    instance = Linker(Store(Interpreter(**TIERS[tier]))).instantiate(Module.from_bytes(parse_module(DOT)))
    results: list[Any] = []
    for seed in (0, 12345):
        if seed:
            instance.exports["fill"].invoke([seed])
        for arguments in DOT_CALLS:
            try:
                results.append(instance.exports["dot"].invoke(list(arguments)))
            except Trap as trap:
                results.append(("trap", trap.message, tuple(trap.frames)))
    return results


def test_a_dot_product_loop_is_a_sum_of_products_of_slices() -> None:
    text = compiled.generate(Module.from_bytes(parse_module(DOT)), 0).source
    assert text.count("sum(map(MUL, V0_i[") == 2 and "while True:" in text


@pytest.mark.parametrize("tier", ["compile", "auto"])
def test_the_slices_sum_what_the_loop_sums(tier: str) -> None:
    expected = dot_outcomes("interp")
    assert [result[0] == "trap" for result in expected[:7]].count(True) == 2  # (two calls beyond the memory)
    assert [result[0] == "trap" for result in expected].count(False) > 40
    assert dot_outcomes(tier) == expected
