"""The module decoder: structure of each section, and every kind of malformed binary.

Modules are built from the small byte helpers below.  The last tests run every
``(module binary ...)`` of the spec suite through ``decode_module`` and
``decode_function_body`` (what validation adds), with a tiny extractor here, so
they need no text parser and no wabt.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import testdata
from wasm_bytes import (
    CODE,
    END,
    EXTERNREF,
    F32,
    F64,
    FUNCREF,
    FUNCS,
    HEADER,
    I32,
    I64,
    MEMORY,
    TABLE,
    TYPES,
    body,
    custom,
    functype,
    i32_const,
    module,
    name,
    section,
    u32,
    vec,
)

from wasmrun.binary.decoder import decode_module
from wasmrun.binary.instructions import decode_function_body
from wasmrun.errors import DecodeError
from wasmrun.features import WASM_2_0
from wasmrun.loader import load_module
from wasmrun.module import ConstExpr, DataSegment, ElementSegment, FunctionBody, Module, SegmentMode
from wasmrun.types import ExternKind, FuncType, GlobalType, Limits, MemoryType, TableType, ValType


def decode_fully(data: bytes, disabled: frozenset[str] = frozenset()) -> Module:
    """What loading does before validation proper: the module, then every body (``disabled``: the
    proposals a decoder of an earlier version lacks)."""
    decoded = decode_module(data, disabled=disabled)
    for code in decoded.codes:
        decode_function_body(decoded.raw, code, disabled)
    return decoded


# --- malformed modules --------------------------------------------------------

MALFORMED = {
    # Header.
    "empty": (b"", "unexpected end"),
    "short magic": (b"\0as", "unexpected end"),
    "bad magic": (b"asm\0\x01\0\0\0", "magic header not detected"),
    "magic only": (b"\0asm", "unexpected end"),
    "short version": (b"\0asm\x01\0\0", "unexpected end"),
    "bad version": (b"\0asm\x02\0\0\0", "unknown binary version"),
    # Section framing.
    "section id 14": (module(section(14, b"")), "malformed section id"),
    # The tag section (exception handling).
    "tag attribute 1": (
        module(section(1, b"\x01\x60\x00\x00") + section(13, b"\x01\x01\x00")),
        "malformed tag attribute",
    ),
    "tag section cut short": (module(section(13, b"\x01\x00")), "unexpected end"),
    "tag after global": (module(section(6, b"\x00") + section(13, b"\x00")), "unexpected content after last section"),
    "catch clause 4": (
        module(
            section(1, b"\x01\x60\x00\x00")
            + section(3, b"\x01\x00")
            + section(10, b"\x01\x07\x00\x1f\x40\x01\x04\x00\x0b\x0b")
        ),
        "malformed catch clause",
    ),
    "section id 0x80": (module(b"\x80\x00"), "malformed section id"),
    "missing section size": (module(b"\x01"), "unexpected end"),
    "section size past the end": (module(b"\x01\x05\x01\x60\x00"), "length out of bounds"),
    "section size too small": (module(b"\x01\x03" + vec(functype())), "section size mismatch"),
    "section size too large": (module(b"\x01\x05" + vec(functype()) + b"\x00"), "section size mismatch"),
    "section cut short": (module(b"\x01\x04\x02\x60\x00\x00"), "unexpected end of section or function"),
    "overlong section size": (
        module(b"\x01\x84\x80\x80\x80\x80\x00" + vec(functype())),
        "integer representation too long",
    ),
    "too large section size": (module(b"\x01\x84\x80\x80\x80\x10" + vec(functype())), "integer too large"),
    "overlong vector count": (
        module(section(1, b"\x81\x80\x80\x80\x80\x00" + functype())),
        "integer representation too long",
    ),
    "vector count past the end": (module(section(1, b"\x05" + functype())), "length out of bounds"),
    # Section order.
    "function before type": (module(FUNCS, TYPES, CODE), "unexpected content after last section"),
    "duplicate type section": (module(TYPES, TYPES), "unexpected content after last section"),
    "duplicate custom-separated": (module(MEMORY, custom("x"), MEMORY), "unexpected content after last section"),
    "data count after code": (module(TYPES, FUNCS, CODE, section(12, u32(0))), "unexpected content after last section"),
    "data before code": (module(TYPES, FUNCS, section(11, vec()), CODE), "unexpected content after last section"),
    "start after element": (
        module(TYPES, FUNCS, section(9, vec()), section(8, u32(0)), CODE),
        "unexpected content after last section",
    ),
    # Counts that must agree.
    "functions without code": (module(TYPES, FUNCS), "function and code section have inconsistent lengths"),
    "code without functions": (module(TYPES, CODE), "function and code section have inconsistent lengths"),
    "more bodies than functions": (
        module(TYPES, FUNCS, section(10, vec(body(END), body(END)))),
        "function and code section have inconsistent lengths",
    ),
    "data count too large": (
        module(MEMORY, section(12, u32(2)), section(11, vec(b"\x01" + vec()))),
        "data count and data section have inconsistent lengths",
    ),
    "data count without data": (
        module(MEMORY, section(12, u32(1))),
        "data count and data section have inconsistent lengths",
    ),
    "memory.init needs data count": (
        module(
            TYPES,
            FUNCS,
            MEMORY,
            section(10, vec(body(i32_const(0) * 3 + b"\xfc\x08\x00\x00" + END))),
            section(11, vec(b"\x01" + vec())),
        ),
        "data count section required",
    ),
    "data.drop needs data count": (
        module(TYPES, FUNCS, MEMORY, section(10, vec(body(b"\xfc\x09\x00" + END))), section(11, vec(b"\x01" + vec()))),
        "data count section required",
    ),
    "over-long data.drop needs data count": (
        module(
            TYPES,
            FUNCS,
            MEMORY,
            section(10, vec(body(b"\xfc\x89\x80\x00\x00" + END))),
            section(11, vec(b"\x01" + vec())),
        ),
        "data count section required",
    ),
    # Types.
    "bad function type form": (module(section(1, vec(b"\x61\x00\x00"))), "malformed function type"),
    "over-long function type form": (module(section(1, vec(b"\xe0\x7f\x00\x00"))), "integer representation too long"),
    "bad value type": (module(section(1, vec(functype(b"\x40")))), "malformed value type"),
    # Imports and exports.
    "bad import kind": (module(section(2, vec(name("m") + name("f") + b"\x05\x00"))), "malformed import kind"),
    "import kind 0x80": (module(section(2, vec(name("m") + name("f") + b"\x80\x00"))), "malformed import kind"),
    "bad UTF-8 import module": (
        module(section(2, vec(name(b"\xff") + name("f") + b"\x02\x00\x01"))),
        "malformed UTF-8 encoding",
    ),
    "bad UTF-8 import name": (
        module(section(2, vec(name("m") + name(b"\xc0\x80") + b"\x02\x00\x01"))),
        "malformed UTF-8 encoding",
    ),
    "import name past the end": (module(section(2, vec(b"\x10m"))), "length out of bounds"),
    "bad export kind": (module(section(7, vec(name("e") + b"\x05\x00"))), "malformed export kind"),
    "bad UTF-8 export name": (module(section(7, vec(name(b"\xed\xa0\x80") + b"\x00\x00"))), "malformed UTF-8 encoding"),
    "bad UTF-8 custom section name": (module(custom(b"\xf8\x88\x80\x80\x80")), "malformed UTF-8 encoding"),
    "custom name longer than the section": (module(b"\x00\x00\x00\x05\x01\x00\x07\x00\x00"), "unexpected end"),
    # Limits, tables, memories, globals.
    "limits flag 0x20": (module(section(5, vec(b"\x20\x00"))), "integer too large"),
    "limits flag 0x10": (module(section(5, vec(b"\x10\x00"))), "integer too large"),
    "over-long limits flag": (module(section(5, vec(b"\x81\x00\x00\x00"))), "integer representation too long"),
    "limits flag 16": (module(section(5, vec(b"\x10\x00"))), "malformed limits flags"),
    "memory min too large for a u64": (
        module(section(5, vec(b"\x00\x82\x80\x80\x80\x80\x80\x80\x80\x80\x70"))),
        "integer too large",
    ),
    "table of i32": (module(section(4, vec(bytes([I32]) + b"\x00\x00"))), "malformed reference type"),
    "mutability 2": (module(section(6, vec(bytes([I32]) + b"\x02" + i32_const(0) + END))), "malformed mutability"),
    "mutability 0xff": (module(section(6, vec(bytes([I32]) + b"\xff" + i32_const(0) + END))), "malformed mutability"),
    "global init without end": (module(section(6, vec(bytes([I32]) + b"\x00" + i32_const(0)))), "unexpected end"),
    "global init illegal opcode": (module(section(6, vec(bytes([I32]) + b"\x00\x27" + END))), "illegal opcode"),
    # Elements and data.
    "element kind 8": (module(TABLE, section(9, vec(b"\x08"))), "malformed elements segment kind"),
    "element kind byte 1": (module(section(9, vec(b"\x01\x01" + vec()))), "malformed element kind"),
    "element ref type i32": (module(section(9, vec(b"\x05" + bytes([I32]) + vec()))), "malformed reference type"),
    "element expression illegal opcode": (
        module(section(9, vec(b"\x05\x70" + vec(b"\xf3\x00" + END)))),
        "illegal opcode",
    ),
    "data kind 3": (module(MEMORY, section(11, vec(b"\x03"))), "malformed data segment kind"),
    "data bytes past the section": (
        module(MEMORY, section(11, vec(b"\x00" + i32_const(0) + END + b"\x07abcdef"))),
        "unexpected end of section or function",
    ),
    "data length past the end": (module(MEMORY, section(11, vec(b"\x01" + b"\x09abc"))), "length out of bounds"),
    # Code.
    "too many locals": (
        module(TYPES, FUNCS, section(10, vec(body(END, (0xFFFFFFFF, I32), (2, I64))))),
        "too many locals",
    ),
    "locals count too large": (
        module(TYPES, FUNCS, section(10, vec(u32(7) + b"\x01\x80\x80\x80\x80\x10\x7f\x0b"))),
        "integer too large",
    ),
    "locals past the body": (
        module(TYPES, FUNCS, section(10, vec(b"\x02\x01\x01" + bytes([I32]) + END))),
        "section size mismatch",
    ),
    "body size past the end": (module(TYPES, FUNCS, section(10, b"\x01\x09\x00\x0b")), "length out of bounds"),
    "body without end": (
        module(TYPES, FUNCS, section(10, vec(body(b"\x01")))),
        "unexpected end of section or function",
    ),
    "body end beyond its size": (module(TYPES, FUNCS, b"\x0a\x04\x01\x02\x00\x01\x0b"), "section size mismatch"),
    "illegal opcode": (module(TYPES, FUNCS, section(10, vec(body(b"\x27" + END)))), "illegal opcode"),
    "illegal prefixed opcode": (module(TYPES, FUNCS, section(10, vec(body(b"\xfc\x12" + END)))), "illegal opcode"),
    "else outside if": (module(TYPES, FUNCS, section(10, vec(body(b"\x05" + END)))), "END opcode expected"),
    "else in block": (module(TYPES, FUNCS, section(10, vec(body(b"\x02\x40\x05\x0b" + END)))), "END opcode expected"),
    "second else": (
        module(TYPES, FUNCS, section(10, vec(body(i32_const(0) + b"\x04\x40\x05\x05\x0b" + END)))),
        "END opcode expected",
    ),
    "memarg flags 0x80": (
        module(TYPES, FUNCS, MEMORY, section(10, vec(body(i32_const(0) + b"\x28\x80\x01\x00\x1a" + END)))),
        "malformed memop flags",
    ),
    "memarg offset past 64 bits": (
        module(
            TYPES, FUNCS, MEMORY, section(10, vec(body(i32_const(0) + b"\x28\x02" + b"\xff" * 9 + b"\x7f\x1a" + END)))
        ),
        "integer too large",
    ),
    # A malformed body is reported before a later error, as the reference interpreter reads.
    "body error before a bad section id": (
        module(TYPES, FUNCS, section(10, vec(body(b"\x27" + END))), b"\x0e\x00"),
        "illegal opcode",
    ),
    "body error before a count mismatch": (
        module(TYPES, FUNCS, section(10, vec(body(b"\x27" + END), body(END)))),
        "illegal opcode",
    ),
}


@pytest.mark.parametrize(("data", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed(data: bytes, message: str) -> None:
    with pytest.raises(DecodeError) as error:
        decode_fully(data)
    assert message in error.value.message


# What WebAssembly 2.0 found malformed and 3.0 reads (multiple memories, memory64): malformed when
# read as 2.0 did (the validator does, when those proposals are off).
LEGACY_MALFORMED = {
    "memory min too large": (module(section(5, vec(b"\x00\x82\x80\x80\x80\x70"))), "integer too large"),
    "memory.size flag": (
        module(TYPES, FUNCS, MEMORY, section(10, vec(body(b"\x3f\x01\x1a" + END)))),
        "zero byte expected",
    ),
    "alignment 2**32": (
        module(TYPES, FUNCS, MEMORY, section(10, vec(body(i32_const(0) + b"\x28\x20\x00\x1a" + END)))),
        "malformed memop flags",
    ),
    "offset past 32 bits": (
        module(TYPES, FUNCS, MEMORY, section(10, vec(body(i32_const(0) + b"\x28\x02\x80\x80\x80\x80\x10\x1a" + END)))),
        "integer too large",
    ),
}


@pytest.mark.parametrize(("data", "message"), LEGACY_MALFORMED.values(), ids=LEGACY_MALFORMED.keys())
def test_malformed_in_2_0_only(data: bytes, message: str) -> None:
    decode_fully(data)
    with pytest.raises(DecodeError) as error:
        decode_fully(data, WASM_2_0.disabled)
    assert message in error.value.message


def test_memarg_with_a_memory_index_and_a_64_bit_offset() -> None:
    # i32.load flags 0x42 (align 2, a memory index follows), memory 1, offset 2**40.
    data = module(
        TYPES, FUNCS, MEMORY, section(10, vec(body(i32_const(0) + b"\x28\x42\x01" + u32(2**40) + b"\x1a" + END)))
    )
    decoded = decode_fully(data)
    (_, (opcode, immediate, _), _, _) = decode_function_body(decoded.raw, decoded.codes[0])
    assert (opcode, immediate) == (0x28, (2, 2**40, 1))


def test_64_bit_limits() -> None:
    data = module(section(4, vec(b"\x70\x04\x02")), section(5, vec(b"\x04\x00", b"\x05\x01" + u32(2**48))))
    decoded = decode_module(data)
    assert decoded.memories == (MemoryType(Limits(0, None, True)), MemoryType(Limits(1, 2**48, True)))
    assert decoded.tables == (TableType(ValType.FUNCREF, Limits(2, None, True)),)


def test_bodies_are_not_decoded_by_decode_module() -> None:
    # Malformed only inside the body: decode_module keeps the body as bytes.
    data = module(TYPES, FUNCS, section(10, vec(body(b"\x27" + END))))
    decoded = decode_module(data)
    with pytest.raises(DecodeError, match="illegal opcode"):
        decode_function_body(decoded.raw, decoded.codes[0])


def test_error_offsets_point_into_the_module() -> None:
    data = module(TYPES, section(5, vec(b"\x20\x00")))
    with pytest.raises(DecodeError) as error:
        decode_module(data)
    assert error.value.offset == data.index(b"\x20\x00", len(HEADER) + len(TYPES))


def test_a_shared_memory_is_limits_flag_bit_1() -> None:
    data = module(section(5, vec(b"\x03\x01\x02")))
    memory = decode_module(data).memories[0]
    assert memory.shared and memory.limits.min == 1 and memory.limits.max == 2
    with pytest.raises(DecodeError, match="integer too large"):
        decode_module(data, disabled=frozenset(("threads", "multi-memory", "memory64")))


# --- well-formed modules ------------------------------------------------------


def test_empty_module() -> None:
    decoded = decode_module(HEADER)
    assert decoded.raw == HEADER
    assert decoded.sections == ()
    assert decoded.codes == ()


def test_accepts_bytearray() -> None:
    assert decode_module(bytearray(HEADER)).raw == HEADER


def test_types() -> None:
    data = module(
        section(
            1, vec(functype(), functype(bytes([I32, I64]), bytes([F32])), functype(bytes([FUNCREF, EXTERNREF, 0x7B])))
        )
    )
    assert decode_module(data).types == (
        FuncType((), ()),
        FuncType((ValType.I32, ValType.I64), (ValType.F32,)),
        FuncType((ValType.FUNCREF, ValType.EXTERNREF, ValType.V128), ()),
    )


def test_imports_come_first_in_index_spaces() -> None:
    imports = section(
        2,
        vec(
            name("env") + name("f") + b"\x00" + u32(1),
            name("env") + name("t") + b"\x01" + bytes([EXTERNREF]) + b"\x01\x02\x03",
            name("env") + name("m") + b"\x02\x00\x01",
            name("env") + name("g") + b"\x03" + bytes([F64]) + b"\x01",
        ),
    )
    data = module(
        section(1, vec(functype(), functype(bytes([I32])))),
        imports,
        section(3, vec(u32(0))),
        TABLE,
        section(5, vec(b"\x01\x02\x03")),
        section(6, vec(bytes([I32]) + b"\x00" + i32_const(-1) + END)),
        section(10, vec(body(END))),
    )
    decoded = decode_module(data)
    assert [(i.module, i.name, i.kind) for i in decoded.imports] == [
        ("env", "f", ExternKind.FUNC),
        ("env", "t", ExternKind.TABLE),
        ("env", "m", ExternKind.MEMORY),
        ("env", "g", ExternKind.GLOBAL),
    ]
    assert decoded.func_type_indices == (1, 0)
    assert decoded.table_types == (TableType(ValType.EXTERNREF, Limits(2, 3)), TableType(ValType.FUNCREF, Limits(1)))
    assert decoded.memory_types == (MemoryType(Limits(1)), MemoryType(Limits(2, 3)))
    assert decoded.global_types == (GlobalType(ValType.F64, True), GlobalType(ValType.I32, False))
    assert decoded.num_imported_functions == 1
    assert decoded.func_type(0) == FuncType((ValType.I32,), ())
    assert decoded.globals[0].init == ConstExpr(
        ((0x41, 0xFFFFFFFF, decoded.globals[0].init.offset),), decoded.globals[0].init.offset
    )


def test_exports_and_start() -> None:
    data = module(
        TYPES, FUNCS, section(7, vec(name("run") + b"\x00\x00", name("mem") + b"\x02\x00")), section(8, u32(0)), CODE
    )
    decoded = decode_module(data)
    assert [(e.name, e.kind, e.index) for e in decoded.exports] == [
        ("run", ExternKind.FUNC, 0),
        ("mem", ExternKind.MEMORY, 0),
    ]
    assert decoded.start == 0


def test_function_bodies_are_byte_ranges() -> None:
    code = i32_const(7) + b"\x1a" + END
    entry = body(code, (2, I32), (1, F64))
    data = module(TYPES, FUNCS, section(10, vec(entry)))
    decoded = decode_module(data)
    start = len(data) - len(entry)
    assert decoded.codes == (
        FunctionBody(start, len(data) - len(code), len(data), ((2, ValType.I32), (1, ValType.F64))),
    )
    assert decoded.raw[decoded.codes[0].code_start : decoded.codes[0].end] == code
    assert [op for op, _, _ in decode_function_body(decoded.raw, decoded.codes[0])] == [0x41, 0x1A, 0x0B]


def test_sections_are_recorded_with_byte_ranges() -> None:
    data = module(custom("a", b"xy"), TYPES, FUNCS, CODE, custom("b"))
    decoded = decode_module(data)
    assert [s.id for s in decoded.sections] == [0, 1, 3, 10, 0]
    for s in decoded.sections:
        assert data[s.start] == s.id
        assert s.content_start - s.start == 2  # id byte and one-byte size
    assert decoded.sections[-1].end == len(data)
    assert [c.name for c in decoded.customs] == ["a", "b"]
    assert decoded.custom_section("a") == b"xy"


def test_custom_sections_anywhere() -> None:
    data = module(
        custom("0"), TYPES, custom("1"), FUNCS, custom("2"), section(12, u32(0)), custom("3"), CODE, custom("4")
    )
    assert len(decode_fully(data).customs) == 5


@pytest.mark.parametrize("section_name", ["payload", "name"])
def test_a_last_custom_section_one_byte_short_is_unexpected_end(section_name: str) -> None:
    """Its size may overshoot the module by the size field's own length (the reference interpreter's bound),
    but its contents must all be there: Wasmtime says `unexpected end-of-file`."""
    whole = custom(section_name, b"\x00\x00\x00\x00")
    with pytest.raises(DecodeError, match="unexpected end"):
        decode_module(module(TYPES, whole[:-1]))


def test_data_count() -> None:
    data = module(MEMORY, section(12, u32(1)), section(11, vec(b"\x01" + vec(b"a"))))
    assert decode_module(data).data_count == 1


def test_memory_init_with_data_count() -> None:
    code = i32_const(0) * 3 + b"\xfc\x08\x00\x00" + END
    data = module(
        TYPES, FUNCS, MEMORY, section(12, u32(1)), section(10, vec(body(code))), section(11, vec(b"\x01" + vec()))
    )
    assert decode_fully(data).data_count == 1


def test_data_instruction_bytes_in_constants_need_no_data_count() -> None:
    # i32.const 1148 encodes as 41 fc 08: the byte pattern, but not memory.init.
    code = i32_const(1148) + b"\x1a" + END
    assert code[1:3] == b"\xfc\x08"
    assert decode_fully(module(TYPES, FUNCS, section(10, vec(body(code))))).data_count is None


# Whether bodies use data segments is known once they are read: when the loader validates, the validator
# makes the check, with the precedence the decoder gives it (after malformed bodies, before invalid ones).
_USES_DATA = body(i32_const(0) * 3 + b"\xfc\x08\x00\x00" + END)
_INVALID = body(b"\x6a" + END)  # i32.add without operands
_MALFORMED = body(b"\xff" + END)
DATA_COUNT_PRECEDENCE = {
    "alone": ([_USES_DATA], b"", "data count section required"),
    "after an invalid body": ([_INVALID, _USES_DATA], b"", "data count section required"),
    "before an invalid body": ([_USES_DATA, _INVALID], b"", "data count section required"),
    "with an invalid export": ([_USES_DATA], section(7, vec(name("f") + b"\x00\x05")), "data count section required"),
    "before a malformed body": ([_USES_DATA, _INVALID, _MALFORMED], b"", "illegal opcode"),
}


@pytest.mark.parametrize("validate", [True, False], ids=["validating", "decoding only"])
@pytest.mark.parametrize(
    ("bodies", "exports", "message"), DATA_COUNT_PRECEDENCE.values(), ids=DATA_COUNT_PRECEDENCE.keys()
)
def test_data_count_requirement_when_loading(bodies: list[bytes], exports: bytes, message: str, validate: bool) -> None:
    data = module(
        TYPES,
        section(3, vec(*[u32(0)] * len(bodies))),
        MEMORY,
        exports,
        section(10, vec(*bodies)),
        section(11, vec(b"\x01" + vec())),
    )
    with pytest.raises(DecodeError) as error:
        load_module(data, validate=validate)
    assert message in error.value.message


ELEMENT_CASES = {
    "0: active, table 0, indices": (
        b"\x00" + i32_const(1) + END + vec(u32(0), u32(2)),
        SegmentMode.ACTIVE,
        ValType.FUNCREF,
        0,
        True,
        [0, 2],
    ),
    "1: passive, indices": (b"\x01\x00" + vec(u32(3)), SegmentMode.PASSIVE, ValType.FUNCREF, 0, False, [3]),
    "2: active, table 1, indices": (
        b"\x02" + u32(1) + i32_const(1) + END + b"\x00" + vec(u32(0)),
        SegmentMode.ACTIVE,
        ValType.FUNCREF,
        1,
        True,
        [0],
    ),
    "3: declarative, indices": (
        b"\x03\x00" + vec(u32(1), u32(0)),
        SegmentMode.DECLARATIVE,
        ValType.FUNCREF,
        0,
        False,
        [1, 0],
    ),
    "4: active, table 0, expressions": (
        b"\x04" + i32_const(1) + END + vec(b"\xd2\x00" + END, b"\xd0\x70" + END),
        SegmentMode.ACTIVE,
        ValType.FUNCREF,
        0,
        True,
        [0, None],
    ),
    "5: passive, expressions": (
        b"\x05" + bytes([EXTERNREF]) + vec(b"\xd0\x6f" + END),
        SegmentMode.PASSIVE,
        ValType.EXTERNREF,
        0,
        False,
        [None],
    ),
    "6: active, table 1, expressions": (
        b"\x06" + u32(1) + i32_const(1) + END + bytes([FUNCREF]) + vec(b"\xd2\x01" + END),
        SegmentMode.ACTIVE,
        ValType.FUNCREF,
        1,
        True,
        [1],
    ),
    "7: declarative, expressions": (
        b"\x07" + bytes([FUNCREF]) + vec(b"\xd2\x02" + END),
        SegmentMode.DECLARATIVE,
        ValType.FUNCREF,
        0,
        False,
        [2],
    ),
}


@pytest.mark.parametrize(
    ("encoding", "mode", "element_type", "table_index", "has_offset", "functions"),
    ELEMENT_CASES.values(),
    ids=ELEMENT_CASES.keys(),
)
def test_element_encodings(
    encoding: bytes,
    mode: SegmentMode,
    element_type: ValType,
    table_index: int,
    has_offset: bool,
    functions: list[int | None],
) -> None:
    data = module(section(9, vec(encoding)))
    (segment,) = decode_module(data).elements
    assert isinstance(segment, ElementSegment)
    assert (segment.mode, segment.element_type, segment.table_index) == (mode, element_type, table_index)
    if has_offset:
        assert segment.offset is not None
        assert [op for op, _, _ in segment.offset.instructions] == [0x41]
    else:
        assert segment.offset is None
    # Every element is a constant expression; `ref.func i` or `ref.null t`.
    seen: list[int | None] = []
    for expr in segment.init:
        ((opcode, immediate, offset),) = expr.instructions
        assert offset == expr.offset
        assert opcode in (0xD2, 0xD0)
        seen.append(immediate if opcode == 0xD2 else None)
    assert seen == functions


def test_compact_function_index_offsets_point_at_the_index() -> None:
    data = module(section(9, vec(b"\x01\x00" + vec(u32(300)))))
    ((expr,),) = (segment.init for segment in decode_module(data).elements)
    assert data[expr.offset : expr.offset + 2] == u32(300)


DATA_CASES = {
    "0: active, memory 0": (b"\x00" + i32_const(8) + END + vec(b"a", b"b"), SegmentMode.ACTIVE, 0, b"ab"),
    "1: passive": (b"\x01" + vec(b"x"), SegmentMode.PASSIVE, 0, b"x"),
    "2: active, explicit memory": (b"\x02" + u32(0) + i32_const(0) + END + vec(), SegmentMode.ACTIVE, 0, b""),
    "2: active, memory 1": (b"\x02" + u32(1) + i32_const(0) + END + vec(b"z"), SegmentMode.ACTIVE, 1, b"z"),
}


@pytest.mark.parametrize(("encoding", "mode", "memory_index", "contents"), DATA_CASES.values(), ids=DATA_CASES.keys())
def test_data_encodings(encoding: bytes, mode: SegmentMode, memory_index: int, contents: bytes) -> None:
    (segment,) = decode_module(module(MEMORY, section(11, vec(encoding)))).datas
    assert isinstance(segment, DataSegment)
    assert (segment.mode, segment.memory_index, segment.data) == (mode, memory_index, contents)
    assert (segment.offset is None) == (mode is SegmentMode.PASSIVE)


def test_limits() -> None:
    data = module(section(5, vec(b"\x00\x00", b"\x01\x01\x02", b"\x00" + u32(65536))))
    assert decode_module(data).memories == (MemoryType(Limits(0)), MemoryType(Limits(1, 2)), MemoryType(Limits(65536)))


def test_const_exprs_are_kept_without_checking_their_contents() -> None:
    # Not constant at all: the validator's job, not the decoder's.
    data = module(section(6, vec(bytes([I32]) + b"\x01" + i32_const(1) + i32_const(2) + b"\x6a" + END)))
    (global_,) = decode_module(data).globals
    assert [op for op, _, _ in global_.init.instructions] == [0x41, 0x41, 0x6A]
    assert global_.type == GlobalType(ValType.I32, True)


# --- the name section ---------------------------------------------------------


def name_section(*subsections: tuple[int, bytes]) -> bytes:
    return custom("name", b"".join(bytes([i]) + u32(len(c)) + c for i, c in subsections))


def name_map(*pairs: tuple[int, str | bytes]) -> bytes:
    return vec(*(u32(i) + name(n) for i, n in pairs))


def test_name_section() -> None:
    data = module(
        TYPES,
        FUNCS,
        CODE,
        name_section(
            (0, name("mod")),
            (1, name_map((0, "main"), (5, "other"))),
            (2, vec(u32(0) + name_map((0, "x"), (1, "y")))),
        ),
    )
    names = decode_module(data).names
    assert names.module == "mod"
    assert names.functions == {0: "main", 5: "other"}
    assert names.locals == {0: {0: "x", 1: "y"}}


def test_no_name_section() -> None:
    names = decode_module(module(TYPES)).names
    assert (names.module, names.functions, names.locals) == (None, {}, {})


@pytest.mark.parametrize(
    ("subsections", "functions"),
    [
        # A name with bad UTF-8: the names before it are kept.
        ([(1, name_map((0, "a"), (1, b"\xff"), (2, "c")))], {0: "a"}),
        # A truncated map.
        ([(1, name_map((0, "a"), (1, "b"))[:-2])], {0: "a"}),
        # An empty module-name subsection is skipped.
        ([(1, name_map((0, "a"))), (0, b"")], {0: "a"}),
    ],
)
def test_malformed_name_section_is_not_an_error(
    subsections: list[tuple[int, bytes]], functions: dict[int, str]
) -> None:
    data = module(name_section(*subsections))
    assert decode_module(data).names.functions == functions


def test_name_subsection_after_a_broken_one_is_kept() -> None:
    data = module(name_section((1, name_map((0, b"\xff"))), (2, vec(u32(1) + name_map((4, "v"))))))
    names = decode_module(data).names
    assert (names.functions, names.locals) == ({}, {1: {4: "v"}})


def test_name_subsection_size_past_the_section() -> None:
    data = module(custom("name", b"\x00\x7f\x03mod"), TYPES)
    decoded = decode_module(data)
    assert decoded.names.module is None
    assert len(decoded.types) == 1


def test_name_section_with_unknown_subsections() -> None:
    data = module(name_section((7, b"\x01\x02"), (1, name_map((3, "f")))))
    assert decode_module(data).names.functions == {3: "f"}


# --- the spec suite's binary modules ------------------------------------------


_BINARY_MODULE = re.compile(rb"\(module\s+(?:\$\S+\s+)?binary")
# Only the scripts with a binary module (most of the 148 are text only).
SPEC_FILES = [path for path in testdata.files("spec/wasm-2.0", "*.wast") if _BINARY_MODULE.search(path.read_bytes())]


def _tokens(text: str) -> Iterator[str | bytes]:
    """WAST tokens: "(", ")", atoms as str, strings as bytes; comments dropped."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif text.startswith(";;", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("(;", i):
            depth = 0
            while i < n:
                if text.startswith("(;", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith(";)", i):
                    depth, i = depth - 1, i + 2
                    if depth == 0:
                        break
                else:
                    i += 1
        elif c in "()":
            yield c
            i += 1
        elif c == '"':
            out = bytearray()
            i += 1
            while text[i] != '"':
                if text[i] != "\\":
                    out += text[i].encode()
                    i += 1
                    continue
                escape = text[i + 1]
                if escape in "nrt\"'\\":
                    out += {"n": b"\n", "r": b"\r", "t": b"\t"}.get(escape, escape.encode())
                    i += 2
                elif escape == "u":
                    close = text.index("}", i)
                    out += chr(int(text[i + 3 : close], 16)).encode()
                    i = close + 1
                else:
                    out.append(int(text[i + 1 : i + 3], 16))
                    i += 3
            yield bytes(out)
            i += 1
        else:
            j = i
            while j < n and text[j] not in ' \t\r\n()";':
                j += 1
            yield text[i:j]
            i = j


def _binary_modules(text: str) -> Iterator[tuple[str, bytes, str | None]]:
    """``(command, module bytes, expected text)`` for every ``(module binary ...)``."""
    stack: list[list] = [[]]
    for token in _tokens(text):
        if token == "(":
            stack.append([])
        elif token == ")":
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(token)

    def binary(form: object) -> bytes | None:
        if not isinstance(form, list) or not form or form[0] != "module":
            return None
        rest = form[1:]
        if rest and isinstance(rest[0], str) and rest[0].startswith("$"):
            rest = rest[1:]
        if rest and rest[0] == "binary":
            return b"".join(rest[1:])
        return None

    for command in stack[0]:
        if not isinstance(command, list) or not command:
            continue
        data = binary(command)
        if data is not None:
            yield "module", data, None
        elif command[0] in ("assert_malformed", "assert_invalid") and (data := binary(command[1])) is not None:
            yield command[0], data, command[2].decode()


def test_spec_data_is_present() -> None:
    # Skips (fails under CI) when the data is missing, which leaves SPEC_FILES empty.
    testdata.require("spec/wasm-2.0")
    assert SPEC_FILES


@pytest.mark.parametrize("path", SPEC_FILES, ids=[p.stem for p in SPEC_FILES])
def test_spec_binary_modules(path: Path) -> None:
    modules = list(_binary_modules(path.read_text(encoding="utf-8")))
    assert modules, "the extractor found no binary module"
    for command, data, expected in modules:
        if command == "assert_malformed":
            assert expected is not None
            with pytest.raises(DecodeError) as error:
                decode_fully(data, WASM_2_0.disabled)
            assert expected in error.value.message, data.hex(" ")
        else:
            # Valid, or invalid but well-formed: both must decode.
            decode_fully(data, WASM_2_0.disabled)


def test_spec_extractor_finds_binary_modules() -> None:
    text = '(module binary "\\00asm" "\\01\\00\\00\\00") ;; c\n(assert_malformed (module $m binary "\\00asm") "unexpected end")'
    assert list(_binary_modules(text)) == [("module", HEADER, None), ("assert_malformed", b"\0asm", "unexpected end")]
