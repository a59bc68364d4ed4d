"""Wide arithmetic (i64.add128, i64.sub128, i64.mul_wide_s/u): the semantics, and both tiers on
multi-result numeric instructions (operands from locals and constants, results to the stack and locals)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import ValidationError
from wasmrun.features import Features
from wasmrun.loader import Module, load_module
from wasmrun.runtime.linker import Linker
from wasmrun.semantics import numeric
from wasmrun.text.wat import parse_module

MASK64 = (1 << 64) - 1
MASK128 = (1 << 128) - 1

CONFIGS: dict[str, dict[str, Any]] = {
    "unfused": {"engine": "interp", "fuse": False},
    "cold": {"engine": "interp", "hot_threshold": None},
    "runs": {"engine": "interp", "hot_threshold": 0},
    "compile": {"engine": "compile"},
    "auto": {"engine": "auto", "compile_threshold": 1},
}

WAT = """
(module
  (func (export "add128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "sub128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "mul_wide_s") (param i64 i64) (result i64 i64)
    (i64.mul_wide_s (local.get 0) (local.get 1)))
  (func (export "mul_wide_u") (param i64 i64) (result i64 i64)
    (i64.mul_wide_u (local.get 0) (local.get 1)))
  ;; Results stored to locals, constants as operands, the results used by the next instruction.
  (func (export "mixed") (param i64 i64) (result i64)
    (local $low i64) (local $high i64)
    (i64.add128 (local.get 0) (i64.const 0) (local.get 1) (i64.const -1))
    (local.set $high)
    (local.set $low)
    (i64.mul_wide_u (local.get $low) (i64.const 3))
    (i64.xor)
    (local.get $high)
    (i64.add))
  (func (export "loop") (param i64) (result i64)
    (local $acc_low i64) (local $acc_high i64)
    (loop $l
      (i64.add128 (local.get $acc_low) (local.get $acc_high) (local.get 0) (i64.const 0))
      (local.set $acc_high)
      (local.set $acc_low)
      (br_if $l (i64.ne (local.tee 0 (i64.sub (local.get 0) (i64.const 1))) (i64.const 0))))
    (i64.xor (local.get $acc_low) (local.get $acc_high)))
)
"""


def split(value: int) -> tuple[int, int]:
    value &= MASK128
    return value & MASK64, value >> 64


def signed(value: int) -> int:
    return value - (1 << 64) if value >> 63 else value


@pytest.mark.parametrize("seed", range(3))
def test_semantics(seed: int) -> None:
    rng = random.Random(seed)
    edges = [0, 1, MASK64, 1 << 63, (1 << 63) - 1]
    for _ in range(200):
        a, b, c, d = (rng.choice(edges) if rng.random() < 0.3 else rng.getrandbits(64) for _ in range(4))
        assert numeric.i64_add128(a, b, c, d) == split((a | b << 64) + (c | d << 64))
        assert numeric.i64_sub128(a, b, c, d) == split((a | b << 64) - (c | d << 64))
        assert numeric.i64_mul_wide_u(a, b) == split(a * b)
        assert numeric.i64_mul_wide_s(a, b) == split(signed(a) * signed(b))


@pytest.fixture(params=list(CONFIGS), ids=list(CONFIGS))
def exports(request: pytest.FixtureRequest) -> Any:
    linker = Linker(Store(Interpreter(**CONFIGS[request.param])))
    return linker.instantiate(Module.from_bytes(parse_module(WAT))).exports


def unsigned(values: Any) -> list[int]:
    """The embedding API gives i64 results signed; compare their bits."""
    return [value & MASK64 for value in (values if isinstance(values, (list, tuple)) else [values])]


def test_both_tiers(exports: Any) -> None:
    for _ in range(2):  # the second call runs what auto compiled
        assert unsigned(exports["add128"](MASK64, 0, 1, 0)) == [0, 1]
        assert unsigned(exports["sub128"](0, 0, 1, 0)) == [MASK64, MASK64]
        assert unsigned(exports["mul_wide_s"](MASK64, MASK64)) == [1, 0]
        assert unsigned(exports["mul_wide_u"](MASK64, MASK64)) == [1, MASK64 - 1]
        assert unsigned(exports["mul_wide_s"](1 << 63, 2)) == [0, MASK64]
        # add128 gives (12, -1); mul_wide_u(12, 3) gives (36, 0); 36 ^ 0 = 36; 36 + -1 = 35.
        assert unsigned(exports["mixed"](5, 7)) == [35]
        assert unsigned(exports["loop"](100)) == [5050]


def test_the_feature() -> None:
    with pytest.raises(ValidationError, match=r"^module uses the wide-arithmetic proposal, which is disabled$"):
        load_module(WAT.encode(), features=Features().without("wide-arithmetic"))
