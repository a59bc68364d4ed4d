"""WAT to binary: instruction and field encodings, abbreviations, and the text format's errors.

Expected bytes were checked against wabt's ``wat2wasm`` where it accepts the
input (it has no opinion on the spec's own choices, e.g. a data count section
for ``memory.init``); the last tests run the spec suite's modules when the
shared data is present.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import testdata

from wasmrun.binary.decoder import decode_module
from wasmrun.errors import DecodeError, TextSyntaxError, ValidationError
from wasmrun.features import WASM_2_0
from wasmrun.loader import load_module
from wasmrun.text.script import AssertInvalid, AssertMalformed, AssertTrap, AssertUnlinkable, ModuleCommand
from wasmrun.text.wast import parse_script
from wasmrun.text.wat import parse_module
from wasmrun.validation import validate_module

HEADER = b"\0asm\x01\0\0\0"


def _leb(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def sections(binary: bytes) -> dict[int, bytes]:
    """Section id -> contents (the tests below have one section of each id)."""
    assert binary[:8] == HEADER
    out = {}
    pos = 8
    while pos < len(binary):
        section_id = binary[pos]
        size, pos = _leb(binary, pos + 1)
        out[section_id] = binary[pos : pos + size]
        pos += size
    return out


def split_name_section(binary: bytes) -> tuple[bytes, bytes | None]:
    """The module without its trailing ``name`` section, and that section's contents after its name."""
    pos = 8
    while pos < len(binary):
        section_id = binary[pos]
        size, start = _leb(binary, pos + 1)
        if section_id == 0 and binary[start : start + 5] == b"\x04name":
            assert start + size == len(binary), "the name section comes last"
            return binary[:pos], binary[start + 5 :]
        pos = start + size
    return binary, None


def last_function_body(binary: bytes) -> bytes:
    code = sections(binary)[10]
    count, pos = _leb(code, 0)
    body = b""
    for _ in range(count):
        size, pos = _leb(code, pos)
        body, pos = code[pos : pos + size], pos + size
    return body


# (instructions of `(func $main (param $x i32) ...)`, other fields, the body's bytes: locals, code, end)
BODIES = [
    ("", "", "000b"),
    ("(local i32 i32 i64) (local $y f32)", "", "03027f017e017d0b"),
    ("i32.const -1", "", "00417f0b"),
    ("i32.const 0xffffffff", "", "00417f0b"),
    ("i32.const 2147483648", "", "004180808080780b"),
    ("i64.const -9223372036854775808", "", "00428080808080808080807f0b"),
    ("i64.const 0x7fff_ffff_ffff_ffff", "", "0042ffffffffffffffffff000b"),
    ("f32.const 1", "", "00430000803f0b"),
    ("f64.const -0x1p-1074", "", "004401000000000000800b"),
    ("f32.const nan:0x200000", "", "00430000a07f0b"),
    ("(i32.add (i32.const 1) (i32.const 2))", "", "00410141026a0b"),
    ("(block $l (br $l))", "", "0002400c000b0b"),
    ("(block $a (block $b (br $a)))", "", "00024002400c010b0b0b"),
    ("(block $a (block $a (br $a)))", "", "00024002400c000b0b0b"),
    ("(if (result i32) (i32.const 1) (then (i32.const 2)) (else (i32.const 3)))", "", "004101047f41020541030b0b"),
    ("i32.const 1 if $l (result i32) i32.const 2 else $l i32.const 3 end $l drop", "", "004101047f41020541030b1a0b"),
    ("block $l (result i32) i32.const 1 end $l drop", "", "00027f41010b1a0b"),
    ("loop $l br $l end", "", "0003400c000b0b"),
    ("(block $a (block $b (br_table $a $b 0 (i32.const 0))))", "", "000240024041000e020100000b0b0b"),
    ("(drop (i32.load offset=8 align=2 (i32.const 0)))", "(memory 1)", "0041002801081a0b"),
    ("(drop (i64.load (i32.const 0)))", "(memory 1)", "0041002903001a0b"),
    ("(i64.store16 offset=0x10 (i32.const 0) (i64.const 1))", "(memory 1)", "00410042013d01100b"),
    ("(drop (memory.grow (memory.size)))", "(memory 1)", "003f0040001a0b"),
    ("(call_indirect (type 0) (i32.const 0))", "(type (func)) (table 1 funcref)", "0041001100000b"),
    (
        "(call_indirect $t (param i32) (result i32) (i32.const 5) (i32.const 0)) drop",
        "(table 1 funcref) (table $t 1 funcref)",
        "00410541001101011a0b",
    ),
    ("(drop (select (i32.const 1) (i32.const 2) (i32.const 0)))", "", "004101410241001b1a0b"),
    ("(drop (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)))", "", "004101410241001c017f1a0b"),
    ("(drop (ref.null extern)) (drop (ref.func $main))", "(elem declare func $main)", "00d06f1ad2001a0b"),
    (
        "(memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0)) (data.drop 0)",
        '(memory 1) (data "")',
        "00410041004100fc080000fc09000b",
    ),
    (
        "(memory.copy (i32.const 0) (i32.const 0) (i32.const 0)) (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))",
        "(memory 1)",
        "00410041004100fc0a0000410041004100fc0b000b",
    ),
    (
        "(table.init $t $e (i32.const 0) (i32.const 0) (i32.const 0)) (table.init $e (i32.const 0) (i32.const 0) (i32.const 0))",
        "(table 1 funcref) (table $t 1 funcref) (elem $e func)",
        "00410041004100fc0c0001410041004100fc0c00000b",
    ),
    (
        "(table.copy $t 0 (i32.const 0) (i32.const 0) (i32.const 0)) (table.copy (i32.const 0) (i32.const 0) (i32.const 0)) (elem.drop 0)",
        "(table 1 funcref) (table $t 1 funcref) (elem func)",
        "00410041004100fc0e0100410041004100fc0e0000fc0d000b",
    ),
    (
        "(drop (table.get $t (i32.const 0))) (drop (table.size)) (drop (table.grow $t (ref.null func) (i32.const 1)))",
        "(table 1 funcref) (table $t 1 funcref)",
        "00410025011afc10001ad0704101fc0f011a0b",
    ),
    ("(drop (v128.const i32x4 1 2 3 -1))", "", "00fd0c010000000200000003000000ffffffff1a0b"),
    ("(drop (v128.const f64x2 1 -0))", "", "00fd0c000000000000f03f00000000000000801a0b"),
    (
        "(drop (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (v128.const i64x2 0 0) (v128.const i64x2 0 0)))",
        "",
        "00fd0c00000000000000000000000000000000fd0c00000000000000000000000000000000fd0d000102030405060708090a0b0c0d0e1f1a0b",
    ),
    (
        "(drop (i8x16.extract_lane_s 15 (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)))",
        "",
        "00fd0c00000000000000000000000000000000fd150f1a0b",
    ),
    (
        "(drop (v128.load8_lane offset=1 2 (i32.const 0) (v128.const i64x2 0 0)))",
        "(memory 1)",
        "004100fd0c00000000000000000000000000000000fd540001021a0b",
    ),
    ("(drop (v128.load32_zero align=4 (i32.const 0)))", "(memory 1)", "004100fd5c02001a0b"),
    ("(drop (local.get $x)) (local.set 1 (i32.const 0))", "", "0020001a410021010b"),
    ("(drop (global.get $g))", "(global $g i32 (i32.const 0))", "0023001a0b"),
    ("(call $f (i32.const 1))", "(func $f (param i32))", "00410110000b"),
    ("(drop (i32.trunc_sat_f32_s (f32.const 1)))", "", "00430000803ffc001a0b"),
    ("(call 7) (drop (local.get 99))", "", "00100720631a0b"),
]


@pytest.mark.parametrize(("instructions", "fields", "expected"), BODIES)
def test_function_body(instructions: str, fields: str, expected: str) -> None:
    binary = parse_module(f"(module {fields} (func $main (param $x i32) {instructions}))")
    assert last_function_body(binary).hex() == expected


# (module text, the binary after the header)
MODULES = [
    ("(module)", ""),
    ("(module $m)", ""),
    ("(module (type (func)) (func) (func (param i32)))", "01080260000060017f0003030200010a070202000b02000b"),
    ("(module (func (param i32)) (type $t (func)))", "01080260000060017f00030201010a040102000b"),
    (
        "(module (func (param i32) (result i64 f32)) (func (param $a i32) (result i64) (result f32)))",
        "01070160017f027e7d03030200000a070202000b02000b",
    ),
    (
        '(module (import "m" "f" (func $f (param i32))) (import "m" "t" (table 1 2 funcref)) (import "m" "mem" (memory 1)) (import "m" "g" (global (mut i64))))',
        "01050160017f00022004016d01660000016d01740170010102016d036d656d020001016d0167037e01",
    ),
    (
        '(module (func $f (export "a") (export "b") (import "m" "f")) (global (export "g") (import "m" "g") i32))',
        "010401600000020e02016d01660000016d0167037f00070d03016100000162000001670300",
    ),
    (
        '(module (func $f (result i32) (i32.const 1)) (export "f" (func $f)) (start $f))',
        "0105016000017f03020100070501016600000801000a0601040041010b",
    ),
    (
        '(module (global $g (mut f32) (f32.const 1.5)) (global i32 (global.get 0)) (export "g" (global $g)))',
        "060e027d01430000c03f0b7f0023000b07050101670300",
    ),
    ("(module (table 0 10 funcref) (table $t 1 externref) (memory 1 2))", "0408027001000a6f0001050401010102"),
    (
        "(module (table funcref (elem $f $f)) (func $f))",
        "01040160000003020100040501700102020908010041000b0200000a040102000b",
    ),
    ("(module (table $t externref (elem (ref.null extern))))", "0405016f010101090b01060041000b6f01d06f0b"),
    ('(module (memory (data "ab" "c")))', "0504010101010b09010041000b03616263"),
    ('(module (memory $m (export "m") (data)))', "050401010000070501016d02000b06010041000b00"),
    (
        "(module (func $f) (table 2 funcref) (elem (i32.const 1) $f) (elem (offset (i32.const 0)) func $f))",
        "01040160000003020100040401700002090d020041010b01000041000b01000a040102000b",
    ),
    (
        "(module (func $f) (table 2 funcref) (table $t 2 funcref) (elem (table $t) (i32.const 0) func $f 0))",
        "01040160000003020100040702700002700002090a01020141000b000200000a040102000b",
    ),
    (
        "(module (func $f) (table $t 2 funcref) (elem $e1 func $f) (elem declare func $f) (elem funcref (ref.func $f) (item ref.null func) (item (ref.func 0))))",
        "010401600000030201000404017000020915030100010003000100057003d2000bd0700bd2000b0a040102000b",
    ),
    (
        "(module (table 2 externref) (table $t 2 externref) (elem (table 1) (i32.const 0) externref (ref.null extern)) (elem declare externref))",
        "0407026f00026f0002090e02060141000b6f01d06f0b076f00",
    ),
    (
        '(module (memory 1) (memory $m 1) (data "passive") (data (i32.const 8) "a" "b") (data (memory $m) (offset (i32.const 0)) "x"))',
        "050502000100010b18030107706173736976650041080b026162020141000b0178",
    ),
    ('(module binary "\\00asm" "\\01\\00\\00\\00")', ""),
    ('(module $q quote "(func)" "(memory 1)")', "0104016000000302010005030100010a040102000b"),
    ('(func) (memory 0) (func (export "f"))', "01040160000003030200000503010000070501016600010a070202000b02000b"),
    (
        "(module (type $t (func (param i32))) (func (type $t) (param $p i32) (local $l i64) (drop (local.get $p)) (drop (local.get $l))))",
        "01050160017f00030201000a0c010a01017e20001a20011a0b",
    ),
    (
        "(module (type $t (func (param i32) (result i32))) (func (param i32) (result i32) (block (type $t) (param i32) (result i32)) (block (param i32) (result i32))))",
        "01060160017f017f030201000a0a01080002000b02000b0b",
    ),
    (
        "(module (func (block (result i32 i32) (i32.const 1) (i32.const 2)) drop drop))",
        "0109026000006000027f7f030201000a0d010b000201410141020b1a1a0b",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MODULES)
def test_module(text: str, expected: str) -> None:
    binary, _ = split_name_section(parse_module(text))
    assert binary[:8] == HEADER
    assert binary[8:].hex() == expected


def test_inline_type_uses_append_types_in_order_of_use() -> None:
    binary = parse_module(
        "(module (type $a (func (param i64)))"
        " (func (param f32)) (func (param i64)) (func (call_indirect (param f64) (i32.const 0))) (table 1 funcref))"
    )
    # $a first; then [f32], [] and [f64] in the order they are used; (param i64) reuses $a.
    assert sections(binary)[1].hex() == "04" + "60017e00" + "60017d00" + "600000" + "60017c00"
    assert sections(binary)[3].hex() == "03" + "01" + "00" + "02"


def test_data_count_section_comes_before_code_when_bulk_memory_uses_it() -> None:
    binary = parse_module('(module (memory 1) (data $d "x") (func (data.drop $d)))')
    order = []
    pos = 8
    while pos < len(binary):
        order.append(binary[pos])
        size, pos = _leb(binary, pos + 1)
        pos += size
    assert order == [1, 3, 5, 12, 10, 11]
    assert sections(binary)[12] == b"\x01"
    assert 12 not in sections(parse_module('(module (memory 1) (data "x") (func))'))


def test_sections_follow_the_binary_order_whatever_the_text_order() -> None:
    binary = parse_module(
        '(module (data (i32.const 0)) (start $f) (export "f" (func $f)) (elem (i32.const 0))'
        " (global i32 (i32.const 0)) (memory 1) (table 1 funcref) (func $f) (type (func)))"
    )
    order = []
    pos = 8
    while pos < len(binary):
        order.append(binary[pos])
        size, pos = _leb(binary, pos + 1)
        pos += size
    assert order == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0]  # the name section last


# The ``name`` section: (module, its section contents after the name), bytes as the wat crate
# (wasmtime.wat2wasm) writes them.
NAME_SECTIONS = [
    # Module name (0) only.
    ("(module $m)", "00 02 016d"),
    # Function names (1) in index order, imports included, unnamed functions left out.
    (
        '(module (import "a" "b" (func $imp)) (func $g) (func) (func $f))',
        "01 0c 03 00 03696d70 01 0167 03 0166",
    ),
    # Local names (2): named parameters and locals by local index, per function in index order.
    (
        "(module $m (func $f (param $a i32) (param i32) (local $x i64) (local i32) (local $y i32)))",
        "00 02 016d" + "01 04 01 00 0166" + "02 0c 01 00 03 00 0161 02 0178 04 0179",
    ),
    ("(module (func (param $a i32)))", "02 06 01 00 01 00 0161"),
    # An imported function's parameter names count; a (type $t)'s parameter names do not.
    (
        '(module (type $t (func (param $p i32))) (import "a" "b" (func $imp (param $q i32)))'
        " (func (type $t) (local $l i32)))",
        "01 06 01 00 03696d70" + "02 0b 02 00 01 00 0171 01 01 01 016c",
    ),
    # Identifiers are written without their $, any idchar included.
    ("(module (func $a.b!c (local $_ i32)))", "01 08 01 00 05612e622163" + "02 06 01 00 01 00 015f"),
]


@pytest.mark.parametrize(("text", "expected"), NAME_SECTIONS)
def test_name_section(text: str, expected: str) -> None:
    _, names = split_name_section(parse_module(text))
    assert names is not None and names.hex() == expected.replace(" ", "")


def _subsections(contents: bytes) -> list[tuple[int, bytes]]:
    out = []
    pos = 0
    while pos < len(contents):
        size, start = _leb(contents, pos + 1)
        out.append((contents[pos], contents[start : start + size]))
        pos = start + size
    return out


@pytest.mark.parametrize("text", [text for text, _ in NAME_SECTIONS])
def test_the_encoding_is_the_wat_crates(text: str) -> None:
    """The same sections, then the wat crate's subsections 0-2 (it also names types, fields, labels ...)."""
    wasmtime = pytest.importorskip("wasmtime")
    ours, our_names = split_name_section(parse_module(text))
    theirs, their_names = split_name_section(bytes(wasmtime.wat2wasm(text)))
    assert ours == theirs
    assert our_names is not None and their_names is not None
    assert _subsections(our_names) == [entry for entry in _subsections(their_names) if entry[0] <= 2]


@pytest.mark.parametrize(
    "text",
    [
        "(module (func (param i32) (local i64)))",
        # Names the section could hold but this encoder does not write (the wat crate writes
        # subsections 3-12 for them): no section at all.
        '(module (type $t (func)) (global $g i32 (i32.const 0)) (memory $mem 1) (data $d "") (func block $l end))',
    ],
)
def test_no_name_section_without_function_or_module_names(text: str) -> None:
    assert split_name_section(parse_module(text))[1] is None


def test_the_name_section_leaves_the_other_sections_as_they_were() -> None:
    named = parse_module('(module $m (func $f (export "f") (param $a i32) (local $l i32) (local.get $l) drop))')
    plain = parse_module('(module (func (export "f") (param i32) (local i32) (local.get 1) drop))')
    assert split_name_section(named)[0] == plain


def test_the_decoder_reads_the_names_back() -> None:
    names = decode_module(
        parse_module('(module $m (import "a" "b" (func $imp (param $q i32))) (func $f (param $a i32) (local $l i64)))')
    ).names
    assert (names.module, names.functions, names.locals) == (
        "m",
        {0: "imp", 1: "f"},
        {0: {0: "q"}, 1: {0: "a", 1: "l"}},
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Syntax.
        ("(func (nop) (local i32))", "unexpected token"),
        ("(func (result i32) (param i32) (i32.const 0))", "unexpected token"),
        ("(func (block (result i32) (param i32)))", "unexpected token"),
        ("(func (block (param $x i32)))", "unexpected token"),
        ("(func (if (i32.const 0) i32.const 0 (then)))", "unexpected token"),
        ("(func (i32.const))", "unexpected token"),
        ("(func (i8x16.extract_lane_s -1 (v128.const i64x2 0 0)))", "unexpected token"),
        ("(func (v128.const 0 0 0 0))", "unexpected token"),
        ("(module (func) (func)", "unexpected token"),
        ("(module) (module)", "unexpected token"),
        ("(func (nop)", "unexpected token"),
        # Tokens the reference lexer rejects.
        ("(func (i32.const 0x))", "unknown operator"),
        ("(func br 0drop)", "unknown operator"),
        ("(func (drop (i32.const0)))", "unknown operator"),
        ("(func (get_local 0))", "unknown operator get_local"),
        ('(data "a""b")', "unknown operator"),
        ('(func "a"x)', "unknown operator"),
        ("(module (foo))", "unknown operator foo"),
        ("(func (v128.const i8x16 1x 1x 1x 1x 1x 1x 1x 1x 1x 1x 1x 1x 1x 1x 1x 1x))", "unknown operator"),
        # Literals.
        ("(func (i32.const 4294967296) drop)", "constant out of range"),
        ("(func (i32.const -2147483649) drop)", "constant out of range"),
        ("(func (i64.const 0x1_0000_0000_0000_0000) drop)", "constant out of range"),
        ("(func (f32.const 0x1p128) drop)", "constant out of range"),
        ("(func (f64.const nan:0x0) drop)", "constant out of range"),
        ("(func (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0) drop)", "constant out of range"),
        ("(func (v128.const i32x4 1 2 3) drop)", "wrong number of lane literals"),
        ("(func (v128.const i32x4 1 2 3 4 5) drop)", "wrong number of lane literals"),
        ("(func (i8x16.shuffle 0 1 2 (v128.const i64x2 0 0) (v128.const i64x2 0 0)) drop)", "invalid lane length"),
        ("(func (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 1.5) drop)", "malformed lane index"),
        ("(func (i8x16.extract_lane_s 256 (v128.const i64x2 0 0)) drop)", "malformed lane index"),
        ("(memory 0x1_0000_0000_0000_0000)", "i64 constant out of range"),
        ("(memory 1) (func (drop (i32.load offset=0x1_0000_0000_0000_0000 (i32.const 0))))", "constant out of range"),
        ("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))", "alignment must be a power of two"),
        ("(memory 1) (func (drop (i32.load align=0 (i32.const 0))))", "alignment must be a power of two"),
        # Identifiers.
        ("(func $f) (func $f)", "duplicate func $f"),
        ("(global $g i32 (i32.const 0)) (global $g i32 (i32.const 0))", "duplicate global"),
        ("(table $t 0 funcref) (table $t 0 funcref)", "duplicate table"),
        ('(memory $m 0) (import "" "" (memory $m 0))', "import after memory"),
        ('(import "" "" (memory $m 0)) (memory $m 0)', "duplicate memory"),
        ("(type $t (func)) (type $t (func))", "duplicate type"),
        ("(func (param $x i32) (param $x i32))", "duplicate local $x"),
        ("(func (param $x i32) (local $x i32))", "duplicate local $x"),
        ("(func (call $nowhere))", "unknown function $nowhere"),
        ("(func (local.get $nowhere))", "unknown local $nowhere"),
        ("(func (type $nowhere))", "unknown type $nowhere"),
        ("(func (type 1) (param i32))", "unknown type"),
        ("(func (block (br $l)))", "unknown label $l"),
        ("(func (block $l) (br $l))", "unknown label $l"),
        ("(func block end $l)", "mismatching label"),
        ("(func block $a end $b)", "mismatching label"),
        ("(func i32.const 0 if $a else $b end)", "mismatching label"),
        ("(type $t (func)) (func (type $t) (param i32))", "inline function type"),
        ("(type $t (func (param i32))) (func (block (type $t) (result i32)))", "inline function type"),
        (
            "(type $t (func)) (table 0 funcref) (func (call_indirect (type $t) (result i32) (i32.const 0)))",
            "inline function type",
        ),
        ("(func $a) (start $a) (start $a)", "multiple start sections"),
        ('(func) (import "" "" (func))', "import after function"),
        ('(global i32 (i32.const 0)) (import "" "" (func))', "import after global"),
        ('(table 0 funcref) (func (import "" ""))', "import after table"),
        # Names.
        ('(func (export "\\ff"))', "malformed UTF-8 encoding"),
        ('(import "\\ed\\a0\\80" "" (func))', "malformed UTF-8 encoding"),
        ('(func (export "\\q"))', "illegal escape"),
        ('(data "abc', "unclosed string"),
    ],
)
def test_malformed(text: str, message: str) -> None:
    with pytest.raises(TextSyntaxError) as caught:
        parse_module(text)
    assert message in caught.value.message


def test_errors_carry_line_and_column() -> None:
    with pytest.raises(TextSyntaxError) as caught:
        parse_module("(module\n  (func\n    (i32.const 0x)))")
    assert (caught.value.line, caught.value.column) == (3, 16)


def test_a_syntax_error_inside_a_field_is_reported_before_a_stray_token_after_it() -> None:
    with pytest.raises(TextSyntaxError, match="malformed lane index"):
        parse_module("(func (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15.0)) )")


def test_an_invalid_module_still_encodes() -> None:
    # Out-of-range numeric indices and type errors are the validator's business.
    binary = parse_module("(module (func (result i32) (call 3) (local.get 7) (br 9)))")
    assert last_function_body(binary).hex() == "0010032007" + "0c09" + "0b"


def test_quote_text_may_be_a_whole_module() -> None:
    assert parse_module('(module quote "(module (func))")') == parse_module("(module (func))")


def test_undecodable_quote_text_is_malformed_utf8() -> None:
    with pytest.raises(TextSyntaxError, match="malformed UTF-8 encoding"):
        parse_module('(module quote "(func) \\ff")')


# --- The spec suite ------------------------------------------------------------


def _spec_scripts() -> list[Path]:
    return testdata.files("spec/wasm-2.0", "*.wast")


def test_spec_suite_is_present() -> None:
    testdata.require("spec/wasm-2.0")


@pytest.mark.parametrize("script", _spec_scripts(), ids=lambda path: path.stem)
def test_spec_modules_encode_and_quoted_malformed_modules_fail_as_expected(script: Path) -> None:
    for command in parse_script(script.read_text(encoding="utf-8")):
        if isinstance(command, AssertMalformed):
            if command.module.kind != "quote":
                continue
            try:
                binary = command.module.to_binary()
            except TextSyntaxError as error:
                assert command.message in error.message, f"line {command.line}"
                continue
            # A 64-bit bound or offset: 3.0 text, malformed read as 2.0 did (multiple memories, memory64 off).
            with pytest.raises(DecodeError) as caught:
                validate_module(decode_module(binary, disabled=WASM_2_0.disabled), WASM_2_0, as_version=True)
            assert command.message in caught.value.message, f"line {command.line}"
            continue
        module = getattr(command, "module", None) or getattr(command, "action", None)
        if isinstance(command, ModuleCommand | AssertInvalid | AssertUnlinkable | AssertTrap) and hasattr(
            module, "to_binary"
        ):
            binary = module.to_binary()  # type: ignore[union-attr]
            assert binary[:8] == HEADER, f"line {command.line}"


def test_spec_command_counts_file_is_json() -> None:
    counts = testdata.require("spec/wasm-2.0-commands.json")
    assert isinstance(json.loads(counts.read_text()), dict)


@pytest.mark.parametrize("text", ["", "   \n", ";; a comment\n", "(; block ;)\n;; line\n"], ids=repr)
def test_a_file_without_a_module_field_is_refused_as_wasmtime_refuses_it(text: str) -> None:
    """It ran as an empty module (exit 0); Wasmtime says `expected at least one module field`."""
    with pytest.raises(TextSyntaxError, match="expected at least one module field"):
        load_module(text.encode())


def test_an_explicit_empty_module_and_an_empty_quoted_module_stay_valid() -> None:
    assert load_module(b"(module)").functions == ()
    assert parse_module("") == b"\0asm\x01\0\0\0"  # (module quote "") in a script


@pytest.mark.parametrize(
    ("text", "binary"),
    [
        ("(memory i64 1 2)", b"\x05\x04\x01\x05\x01\x02"),
        ("(memory $m i64 0x1_0000_0000_0000)", b"\x05\x09\x01\x04" + b"\x80" * 6 + b"\x40"),
        ("(table i64 1 funcref)", b"\x04\x04\x01\x70\x04\x01"),
    ],
)
def test_64_bit_memories_and_tables(text: str, binary: bytes) -> None:
    assert binary in parse_module(text)


def test_a_memory_index_in_a_memarg_sets_flag_bit_6() -> None:
    encoded = parse_module(
        "(memory 1) (memory $b 1) (func (drop (i32.load $b offset=3 (i32.const 0))) (i32.store 1 (i32.const 0) (i32.const 1)))"
    )
    assert b"\x28\x42\x01\x03" in encoded
    assert b"\x36\x42\x01\x00" in encoded


def test_3_0_bounds_past_32_bits_encode_and_are_invalid() -> None:
    for text, message in (
        ("(memory 0x1_0000_0000)", "memory size"),
        ("(table 0x1_0000_0000 funcref)", "table size"),
        ("(memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0))))", "offset out of range"),
    ):
        with pytest.raises(ValidationError, match=message):
            validate_module(decode_module(parse_module(text)))
