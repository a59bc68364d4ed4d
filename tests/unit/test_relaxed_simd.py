"""Relaxed SIMD: the deterministic choice of each instruction (Wasmtime's ``relaxed-simd-deterministic``),
the same in both tiers, and against Wasmtime itself whenever wasmtime-py is installed."""

from __future__ import annotations

import contextlib
import math
import random
import struct
from fractions import Fraction
from typing import Any

import pytest

from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import ValidationError
from wasmrun.features import Features
from wasmrun.instructions import OPCODES
from wasmrun.loader import Module, load_module
from wasmrun.runtime.linker import Linker
from wasmrun.semantics import relaxed_simd
from wasmrun.semantics.simd import SIMD_FUNCTIONS
from wasmrun.text.wat import parse_module

RELAXED = sorted(info.mnemonic for info in OPCODES.values() if info.proposal == "relaxed-simd")
ARITY = {info.mnemonic: len(info.params or ()) for info in OPCODES.values()}


def test_every_relaxed_instruction_has_a_documented_function() -> None:
    assert len(RELAXED) == 20
    for mnemonic in RELAXED:
        assert SIMD_FUNCTIONS[mnemonic].__doc__


def _wat() -> str:
    """One function per instruction: operands read from 0, 16, 32; the result stored at 48."""
    functions = []
    for mnemonic in RELAXED:
        operands = " ".join(f"(v128.load (i32.const {16 * i}))" for i in range(ARITY[mnemonic]))
        functions.append(f'(func (export "{mnemonic}") (v128.store (i32.const 48) ({mnemonic} {operands})))')
    return '(module (memory (export "mem") 1) ' + " ".join(functions) + ")"


_F32_SPECIAL = [0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, 1e-45, 3.4028234663852886e38, 2.0**-126, 0.5, 2.0**24]
_F32_NAN_BITS = [0x7FC00000, 0xFFC00000, 0x7FA00001]


def _random_v128(rng: random.Random, kind: str) -> bytes:
    if kind == "f32":
        lanes = []
        for _ in range(4):
            pick = rng.random()
            if pick < 0.3:
                lanes.append(struct.pack("<f", rng.choice(_F32_SPECIAL)))
            elif pick < 0.4:
                lanes.append(struct.pack("<I", rng.choice(_F32_NAN_BITS)))
            else:
                lanes.append(struct.pack("<f", rng.uniform(-1e6, 1e6) * 2.0 ** rng.randint(-60, 60)))
        return b"".join(lanes)
    if kind == "f64":
        lanes = []
        for _ in range(2):
            pick = rng.random()
            if pick < 0.3:
                lanes.append(struct.pack("<d", rng.choice([*_F32_SPECIAL, 5e-324, 1.7976931348623157e308])))
            elif pick < 0.4:
                lanes.append(struct.pack("<Q", 0x7FF8000000000000))
            else:
                lanes.append(struct.pack("<d", rng.uniform(-1e6, 1e6) * 2.0 ** rng.randint(-600, 600)))
        return b"".join(lanes)
    if rng.random() < 0.2:
        return bytes(rng.choice([0, 0x7F, 0x80, 0xFF]) for _ in range(16))
    return rng.randbytes(16)


def _inputs(mnemonic: str, rng: random.Random) -> list[bytes]:
    if mnemonic.startswith(("f32x4.", "i32x4.relaxed_trunc_f32")):
        kind = "f32"
    elif mnemonic.startswith(("f64x2.", "i32x4.relaxed_trunc_f64")):
        kind = "f64"
    else:
        kind = "int"
    operands = [_random_v128(rng, kind) for _ in range(ARITY[mnemonic])]
    if mnemonic.endswith("madd"):
        # Where fusing matters: c cancels most of a * b.
        fmt = "<4f" if kind == "f32" else "<2d"
        a, b = struct.unpack(fmt, operands[0]), struct.unpack(fmt, operands[1])
        c = [
            -(x * y) if math.isfinite(x * y) and rng.random() < 0.5 else z
            for x, y, z in zip(a, b, struct.unpack(fmt, operands[2]))
        ]
        with contextlib.suppress(OverflowError):
            operands[2] = struct.pack(fmt, *c)
    return operands


def _run_wasmrun(exports: Any, mnemonic: str, operands: list[bytes]) -> bytes:
    memory = exports["mem"]
    for index, operand in enumerate(operands):
        memory.write(16 * index, operand)
    exports[mnemonic]()
    return bytes(memory.read(48, 16))


@pytest.fixture(params=["interp", "compile"])
def exports(request: pytest.FixtureRequest) -> Any:
    linker = Linker(Store(Interpreter(engine=request.param)))
    return linker.instantiate(Module.from_bytes(parse_module(_wat()))).exports


def test_both_tiers_agree_with_the_semantics(exports: Any) -> None:
    rng = random.Random(7)
    for mnemonic in RELAXED:
        function = SIMD_FUNCTIONS[mnemonic]
        for _ in range(20):
            operands = _inputs(mnemonic, rng)
            expected = function(*(int.from_bytes(operand, "little") for operand in operands))
            assert _run_wasmrun(exports, mnemonic, operands) == expected.to_bytes(16, "little"), mnemonic


def test_same_results_as_wasmtime_deterministic(exports: Any) -> None:
    wasmtime = pytest.importorskip("wasmtime")
    config = wasmtime.Config()
    config.wasm_relaxed_simd = True
    config.wasm_relaxed_simd_deterministic = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    instance = wasmtime.Instance(store, wasmtime.Module(engine, parse_module(_wat())), [])
    memory = instance.exports(store)["mem"]
    rng = random.Random(11)
    for mnemonic in RELAXED:
        for _ in range(60):
            operands = _inputs(mnemonic, rng)
            for index, operand in enumerate(operands):
                memory.write(store, operand, 16 * index)
            instance.exports(store)[mnemonic](store)
            theirs = bytes(memory.read(store, 48, 64))
            ours = _run_wasmrun(exports, mnemonic, operands)
            if mnemonic.startswith(("f32x4", "f64x2")):
                # A NaN lane matches any NaN (payloads are not part of the choice); other lanes by bits.
                fmt = "<4I" if mnemonic.startswith("f32x4") else "<2Q"
                where = (mnemonic, [operand.hex() for operand in operands])
                for x, y in zip(struct.unpack(fmt, ours), struct.unpack(fmt, theirs)):
                    assert _is_nan(x, fmt) == _is_nan(y, fmt), where
                    if not _is_nan(y, fmt):
                        assert x == y, where
                continue
            assert ours == theirs, (mnemonic, [operand.hex() for operand in operands])


def _is_nan(bits: int, fmt: str) -> bool:
    if fmt == "<4I":
        return bits & 0x7F800000 == 0x7F800000 and bits & 0x7FFFFF != 0
    return bits & 0x7FF0000000000000 == 0x7FF0000000000000 and bits & 0xFFFFFFFFFFFFF != 0


@pytest.mark.parametrize("seed", range(3))
def test_fma_rounds_once(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(500):
        a, b = rng.uniform(-1, 1) * 2.0 ** rng.randint(-30, 30), rng.uniform(-1, 1) * 2.0 ** rng.randint(-30, 30)
        c = -(a * b) if rng.random() < 0.5 else rng.uniform(-1, 1)
        exact = Fraction(a) * Fraction(b) + Fraction(c)
        assert relaxed_simd.f64_fma(a, b, c) == float(exact)
    assert relaxed_simd.f64_fma(2.0**1000, 2.0**100, -math.inf) == -math.inf
    assert math.isnan(relaxed_simd.f64_fma(math.inf, 0.0, 1.0))
    assert math.copysign(1.0, relaxed_simd.f64_fma(-0.0, 1.0, -0.0)) == -1.0
    assert math.copysign(1.0, relaxed_simd.f64_fma(1.0, 1.0, -1.0)) == 1.0
    assert relaxed_simd.f64_fma(1.7976931348623157e308, 2.0, -1.7976931348623157e308) == 1.7976931348623157e308
    assert relaxed_simd.f64_fma(5e-324, 0.5, 0.0) == 0.0  # ties to even: the smallest subnormal halved
    # f32: rounded once to binary32, not through a double.
    a = b = 1.0 + 2.0**-12
    assert relaxed_simd.f32_fma(a, b, -1.0) == 2.0**-11 + 2.0**-24


def test_the_feature() -> None:
    with pytest.raises(ValidationError, match=r"^module uses the relaxed-simd proposal, which is disabled$"):
        load_module(_wat().encode(), features=Features().without("relaxed-simd"))
