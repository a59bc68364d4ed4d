"""Instructions and constant expressions as text: the text format's spelling of every immediate kind."""

from __future__ import annotations

import struct

import pytest

from wasmrun.inspection.instruction_text import const_expr_text, f32_text, f64_text, instruction_text
from wasmrun.loader import load_module
from wasmrun.module import ConstExpr


def f32_bits(value: float) -> int:
    return int(struct.unpack("<I", struct.pack("<f", value))[0])


def f64_bits(value: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", value))[0])


@pytest.mark.parametrize(
    ("bits", "text"),
    [
        (f32_bits(0.5), "0.5"),
        (f32_bits(0.1), "0.1"),  # the f32's shortest digits, not the double's 0.10000000149011612
        (f32_bits(1.0), "1"),
        (f32_bits(-0.0), "-0"),
        (f32_bits(1e30), "1e+30"),
        (0x00000001, "1e-45"),
        (0x7F7FFFFF, "3.4028235e+38"),
        (0x7F800000, "inf"),
        (0xFF800000, "-inf"),
        (0x7FC00000, "nan"),
        (0xFFC00000, "-nan"),
        (0x7FA00000, "nan:0x200000"),
        (0x7F800001, "nan:0x1"),
    ],
)
def test_f32_text(bits: int, text: str) -> None:
    assert f32_text(bits) == text


@pytest.mark.parametrize(
    ("bits", "text"),
    [
        (f64_bits(3.141592653589793), "3.141592653589793"),
        (f64_bits(-0.1875), "-0.1875"),
        (f64_bits(1e-7), "1e-7"),
        (f64_bits(2.0**70), "1.1805916207174113e+21"),
        (0x7FF8000000000000, "nan"),
        (0x7FF0000000000001, "nan:0x1"),
        (0xFFF0000000000000, "-inf"),
    ],
)
def test_f64_text(bits: int, text: str) -> None:
    assert f64_text(bits) == text


BODY = """(module
  (type $t (func (param i32) (result i32)))
  (memory 1) (table $a 1 funcref) (table $b 1 funcref)
  (elem $e func $f) (data $d "x")
  (func $f (param i32) (result i32)
    {}
    unreachable))"""


@pytest.mark.parametrize(
    ("instruction", "text"),
    [
        ("i32.const -1 drop", ("i32.const", "-1")),
        ("i64.const -9223372036854775808 drop", ("i64.const", "-9223372036854775808")),
        ("block (result i32) i32.const 0 end drop", ("block", "(result i32)")),
        ("local.get 0 block (type $t) end drop", ("block", "(type 0)")),
        ("block br 0 end", ("br", "0")),
        ("block block i32.const 0 br_table 0 1 1 end end", ("br_table", "0 1 1")),
        ("i32.const 0 i32.const 0 call_indirect $b (type $t) drop", ("call_indirect", "1 (type 0)")),
        ("i32.const 0 i32.const 0 call_indirect $a (type $t) drop", ("call_indirect", "(type 0)")),
        ("i32.const 0 i32.load drop", ("i32.load", "")),
        ("i32.const 0 i32.load offset=4 align=1 drop", ("i32.load", "offset=4 align=1")),
        ("i32.const 0 i64.load8_u offset=3 drop", ("i64.load8_u", "offset=3")),
        ("memory.size drop", ("memory.size", "")),
        ("i32.const 0 i32.const 0 i32.const 0 memory.init $d", ("memory.init", "0")),
        ("i32.const 0 i32.const 0 i32.const 0 table.init $b $e", ("table.init", "1 0")),
        ("i32.const 0 i32.const 0 i32.const 0 table.init $a $e", ("table.init", "0")),
        ("i32.const 0 i32.const 0 i32.const 0 table.copy $b $a", ("table.copy", "1 0")),
        ("i32.const 0 i32.const 0 i32.const 0 table.copy", ("table.copy", "")),
        ("ref.null extern drop", ("ref.null", "extern")),
        ("ref.null func drop", ("ref.null", "func")),
        ("ref.null exn drop", ("ref.null", "exn")),
        ("ref.null $t drop", ("ref.null", "0")),
        ("ref.func $f drop", ("ref.func", "0")),
        ("i32.const 1 i32.const 2 i32.const 0 select (result i32) drop", ("select", "(result i32)")),
        ("v128.const i64x2 1 -1 drop", ("v128.const", "i32x4 0x00000001 0x00000000 0xffffffff 0xffffffff")),
        ("v128.const i64x2 0 0 i16x8.extract_lane_u 7 drop", ("i16x8.extract_lane_u", "7")),
        ("i32.const 0 v128.const i64x2 0 0 v128.load32_lane offset=8 2 drop", ("v128.load32_lane", "offset=8 2")),
        ("f32.const 0.25 drop", ("f32.const", "0.25")),
    ],
)
def test_instruction_text(instruction: str, text: tuple[str, str]) -> None:
    from wasmrun.binary.instructions import decode_function_body

    module = load_module(BODY.format(instruction).encode())
    decoded = [instruction_text(item) for item in decode_function_body(module.raw, module.codes[0])]
    assert text in decoded


def test_const_expr_text_joins_instructions() -> None:
    module = load_module(
        b'(module (import "e" "g" (global i32)) (global i32 (global.get 0)) (global f64 (f64.const 2)))'
    )
    assert [const_expr_text(global_.init) for global_ in module.globals] == ["global.get 0", "f64.const 2"]


def test_empty_const_expr() -> None:
    assert const_expr_text(ConstExpr((), 0)) == ""
