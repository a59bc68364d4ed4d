"""SIMD execution (wasmrun.interp.simd_translation, wasmrun.interp.simd_handlers): v128 memory access at the
edge of memory, lane loads and stores, v128 values as ordinary values, in every engine configuration.

The lane semantics themselves are tested in test_simd.py; the spec suite covers every instruction.
"""

from __future__ import annotations

from typing import Any

import pytest

from wasmrun.binary.instructions import decode_function_body
from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import TRAP_MEMORY_OUT_OF_BOUNDS, Trap
from wasmrun.instructions import BY_MNEMONIC
from wasmrun.interp.simd_translation import function_uses_simd
from wasmrun.loader import Module
from wasmrun.runtime.instance import Instance
from wasmrun.runtime.linker import Linker
from wasmrun.text.wat import parse_module

# As in test_engine.py: one handler per instruction, cold, runs fused at once, compile (SIMD functions
# stay interpreted), auto compiling the other functions at once.
CONFIGS: dict[str, dict[str, Any]] = {
    "unfused": {"engine": "interp", "fuse": False},
    "cold": {"engine": "interp", "hot_threshold": None},
    "runs": {"engine": "interp", "hot_threshold": 0},
    "compile": {"engine": "compile"},
    "auto": {"engine": "auto", "compile_threshold": 0},
}

PAGE = 65536
BYTES = bytes(range(1, 17))
V = int.from_bytes(BYTES, "little")  # lanes 0x01, 0x02, ... 0x10

MEMORY = """
(module
  (memory (export "memory") 1)
  (func (export "load") (param i32) (result v128) (v128.load (local.get 0)))
  (func (export "load_offset") (param i32) (result v128) (v128.load offset=8 (local.get 0)))
  (func (export "store") (param i32 v128) (v128.store (local.get 0) (local.get 1)))
  (func (export "load8x8_s") (param i32) (result v128) (v128.load8x8_s (local.get 0)))
  (func (export "load16x4_u") (param i32) (result v128) (v128.load16x4_u (local.get 0)))
  (func (export "load8_splat") (param i32) (result v128) (v128.load8_splat (local.get 0)))
  (func (export "load16_splat") (param i32) (result v128) (v128.load16_splat (local.get 0)))
  (func (export "load32_zero") (param i32) (result v128) (v128.load32_zero (local.get 0)))
  (func (export "load64_zero") (param i32) (result v128) (v128.load64_zero (local.get 0)))
  (func (export "load8_lane") (param i32 v128) (result v128) (v128.load8_lane 15 (local.get 0) (local.get 1)))
  (func (export "load32_lane") (param i32 v128) (result v128) (v128.load32_lane 1 (local.get 0) (local.get 1)))
  (func (export "load64_lane") (param i32 v128) (result v128) (v128.load64_lane 0 (local.get 0) (local.get 1)))
  (func (export "store16_lane") (param i32 v128) (v128.store16_lane 7 (local.get 0) (local.get 1)))
  (func (export "store64_lane") (param i32 v128) (v128.store64_lane 1 (local.get 0) (local.get 1)))
  ;; The lane load's result written to the local it read its vector from.
  (func (export "load8_lane_into") (param i32 v128) (result v128)
    (local.set 1 (v128.load8_lane 0 (local.get 0) (local.get 1)))
    (local.get 1))
)
"""


@pytest.fixture(params=list(CONFIGS), ids=list(CONFIGS))
def config(request: pytest.FixtureRequest) -> dict[str, Any]:
    return CONFIGS[request.param]


def module(wat: str) -> Module:
    return Module.from_bytes(parse_module(wat))


def instantiate(wat: str, **options: Any) -> Instance:
    return Linker(Store(Interpreter(**options))).instantiate(module(wat))


def filled(config: dict[str, Any]) -> Instance:
    """The MEMORY module with BYTES at 0 and at the last 16 bytes of its page."""
    instance = instantiate(MEMORY, **config)
    instance.exports["store"](0, V)
    instance.exports["store"](PAGE - 16, V)
    return instance


def lanes(width: int, values: list[int]) -> int:
    return sum((value % (1 << width)) << (k * width) for k, value in enumerate(values))


def trap_of(call: Any) -> Trap:
    with pytest.raises(Trap, match=TRAP_MEMORY_OUT_OF_BOUNDS) as caught:
        call()
    return caught.value


# --- access at the edge of memory ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "width"),
    [
        ("load", 16),
        ("load8x8_s", 8),
        ("load16x4_u", 8),
        ("load8_splat", 1),
        ("load16_splat", 2),
        ("load32_zero", 4),
        ("load64_zero", 8),
    ],
)
def test_a_load_reaches_the_last_byte_and_traps_one_past(config: dict[str, Any], name: str, width: int) -> None:
    load = filled(config).exports[name]
    load(PAGE - width)
    trap_of(lambda: load(PAGE - width + 1))
    trap_of(lambda: load(2**32 - 1))


def test_the_offset_counts_towards_the_bounds(config: dict[str, Any]) -> None:
    load = filled(config).exports["load_offset"]
    assert load(PAGE - 24) == V
    trap_of(lambda: load(PAGE - 23))
    trap_of(lambda: load(2**32 - 8))  # no wrap-around of the effective address


def test_a_store_partly_out_of_bounds_writes_nothing(config: dict[str, Any]) -> None:
    instance = filled(config)
    trap_of(lambda: instance.exports["store"](PAGE - 15, 0))
    assert instance.memories[0].read(PAGE - 16, 16) == BYTES


@pytest.mark.parametrize(
    ("name", "mnemonic"),
    [
        ("load", "v128.load"),
        ("load8x8_s", "v128.load8x8_s"),
        ("load8_lane", "v128.load8_lane"),
        ("store", "v128.store"),
        ("store64_lane", "v128.store64_lane"),
    ],
)
def test_a_trap_names_the_simd_instruction(config: dict[str, Any], name: str, mnemonic: str) -> None:
    instance = filled(config)
    function = instance.exports[name]
    instructions = decode_function_body(instance.module.raw, instance.module.body(function.index))
    (offset,) = [offset for opcode, _, offset in instructions if opcode == BY_MNEMONIC[mnemonic].opcode]
    args = (PAGE,) if len(function.type.params) == 1 else (PAGE, 0)
    assert trap_of(lambda: function(*args)).frames == [(function.index, offset)]


# --- results -------------------------------------------------------------------------------------------


def test_loads_read_little_endian_lanes(config: dict[str, Any]) -> None:
    exports = filled(config).exports
    assert exports["load"](0) == V
    assert exports["load"](PAGE - 16) == V
    assert exports["load8x8_s"](0) == lanes(16, [1, 2, 3, 4, 5, 6, 7, 8])
    assert exports["load16x4_u"](0) == lanes(32, [0x0201, 0x0403, 0x0605, 0x0807])
    assert exports["load8_splat"](PAGE - 1) == lanes(8, [16] * 16)
    assert exports["load16_splat"](1) == lanes(16, [0x0302] * 8)
    assert exports["load32_zero"](0) == 0x04030201
    assert exports["load64_zero"](8) == int.from_bytes(BYTES[8:], "little")


def test_extending_loads_sign_extend(config: dict[str, Any]) -> None:
    instance = instantiate(MEMORY, **config)
    instance.exports["store"](0, lanes(8, [0x80, 0x7F, 0xFF] + [0] * 13))
    assert instance.exports["load8x8_s"](0) == lanes(16, [-128, 127, -1, 0, 0, 0, 0, 0])


def test_lane_loads_replace_one_lane(config: dict[str, Any]) -> None:
    exports = filled(config).exports
    ones = (1 << 128) - 1
    assert exports["load8_lane"](2, 0) == 3 << 120
    assert exports["load32_lane"](0, ones) == ones ^ (0xFFFFFFFF << 32) | 0x04030201 << 32
    assert exports["load64_lane"](PAGE - 8, ones) == (ones >> 64) << 64 | int.from_bytes(BYTES[8:], "little")
    assert exports["load8_lane_into"](0, ones) == ones ^ 0xFF | 1


def test_lane_stores_write_one_lane(config: dict[str, Any]) -> None:
    instance = filled(config)
    memory = instance.memories[0]
    instance.exports["store16_lane"](32, lanes(16, [0, 0, 0, 0, 0, 0, 0, 0xBEEF]))
    instance.exports["store64_lane"](PAGE - 8, lanes(64, [0, 0x1122334455667788]))
    assert memory.read(31, 4) == b"\x00\xef\xbe\x00"
    assert memory.read(PAGE - 16, 16) == BYTES[:8] + bytes.fromhex("8877665544332211")


def test_a_lane_store_out_of_bounds_writes_nothing(config: dict[str, Any]) -> None:
    instance = filled(config)
    trap_of(lambda: instance.exports["store64_lane"](PAGE - 7, 0))
    assert instance.memories[0].read(PAGE - 16, 16) == BYTES


# --- v128 as an ordinary value -------------------------------------------------------------------------

VALUES = """
(module
  (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
  (global $k (export "k") v128 (v128.const i64x2 -1 0))
  (func (export "get") (result v128) (global.get $g))
  (func (export "set") (param v128) (global.set $g (local.get 0)))
  (func (export "add_to_global") (param v128)
    (global.set $g (i32x4.add (global.get $g) (local.get 0))))
  (func (export "zero") (result v128) (local v128) (local.get 0))
  (func (export "pick") (param v128 v128 i32) (result v128) (select (local.get 0) (local.get 1) (local.get 2)))
  (func $swap (param v128 v128) (result v128 v128) (local.get 1) (local.get 0))
  (func (export "swap") (param v128 v128) (result v128 v128) (call $swap (local.get 0) (local.get 1)))
  (func (export "block") (param v128 i32) (result v128)
    (block (result v128)
      (br_if 0 (v128.not (local.get 0)) (local.get 1))
      (drop)
      (local.get 0)))
  (func (export "loop_sum") (param i32) (result i32) (local v128)
    (loop $l
      (local.set 1 (i32x4.add (local.get 1) (v128.const i32x4 1 2 3 4)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (i32x4.extract_lane 3 (local.get 1)))
)
"""


def test_v128_globals(config: dict[str, Any]) -> None:
    instance = instantiate(VALUES, **config)
    exports = instance.exports
    assert exports["get"]() == lanes(32, [1, 2, 3, 4])
    exports["add_to_global"](lanes(32, [10, 20, 30, -5]))
    assert exports["get"]() == lanes(32, [11, 22, 33, -1])
    exports["set"](7)
    assert exports["g"].value == 7
    assert exports["k"].value == lanes(64, [-1, 0])


def test_v128_locals_params_results_and_select(config: dict[str, Any]) -> None:
    exports = instantiate(VALUES, **config).exports
    big = (1 << 128) - 2
    assert exports["zero"]() == 0
    assert exports["pick"](big, 5, 1) == big
    assert exports["pick"](big, 5, 0) == 5
    assert exports["swap"](big, 5) == (5, big)
    assert exports["block"](5, 1) == ((1 << 128) - 1) ^ 5
    assert exports["block"](5, 0) == 5


def test_a_hot_simd_loop(config: dict[str, Any]) -> None:
    # 500 iterations: past the thresholds at which runs are fused and other functions compiled.
    assert instantiate(VALUES, **config).exports["loop_sum"](500) == 2000


# --- which functions the compiled tier leaves interpreted ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("(i32.const 1)", False),
        ("(i32.const 125)", False),  # the byte 0xFD inside an immediate (LEB128 fd 00)
        ("(i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))", True),
        ("(return (i32.const 0)) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))", True),  # unreachable too
    ],
)
def test_function_uses_simd(body: str, expected: bool) -> None:
    mod = module(f"(module (func (result i32) {body}))")
    if body == "(i32.const 125)":
        assert b"\xfd" in mod.raw[mod.body(0).code_start : mod.body(0).end]
    assert function_uses_simd(mod, 0) is expected
