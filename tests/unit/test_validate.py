"""Tests for wasmrun.validation: modules built directly as Module values.

Bodies are written as instruction text (``"i32.const 1"``) and assembled to
bytes with the opcode table, so each case reads like the spec tests it mirrors
without needing the text parser.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from wasmrun.binary.instructions import read_instructions
from wasmrun.binary.reader import Reader
from wasmrun.errors import DecodeError, ValidationError
from wasmrun.features import WASM_2_0
from wasmrun.instructions import BY_MNEMONIC, OPCODES, InstructionInfo
from wasmrun.module import (
    ConstExpr,
    DataSegment,
    ElementSegment,
    Export,
    FunctionBody,
    Global,
    Import,
    Module,
    SegmentMode,
)
from wasmrun.types import ExternKind, FuncType, GlobalType, Limits, MemoryType, TableType, ValType
from wasmrun.validation import body as body_check
from wasmrun.validation import bytecode, covers, validate_module

I32, I64, F32, F64, V128 = ValType.I32, ValType.I64, ValType.F32, ValType.F64, ValType.V128
FUNCREF, EXTERNREF = ValType.FUNCREF, ValType.EXTERNREF

# --- a tiny assembler -------------------------------------------------------------


def _uleb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _sleb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        if (n == 0 and not byte & 0x40) or (n == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


_VALTYPE_CODES = {t.text: int(t) for t in ValType}


def _blocktype(token: str | None) -> bytes:
    if token is None:
        return b"\x40"
    if token in _VALTYPE_CODES:
        return bytes((_VALTYPE_CODES[token],))
    return _sleb(int(token))  # a type index


def assemble(*lines: str) -> bytes:
    """Instruction lines (``"br_table 0 1 0"``, ``"i32.load 2 0"``) to bytes.

    ``select_t t*`` is the typed ``select``; a block's type is a value type
    name, a type index, or nothing.  Memory arguments are ``align offset``.
    """
    out = bytearray()
    for line in lines:
        name, *args = line.split()
        if name == "select_t":
            out += b"\x1c" + _uleb(len(args)) + bytes(_VALTYPE_CODES[a] for a in args)
            continue
        info = BY_MNEMONIC[name]
        out += info.encoding
        kind = info.immediate
        ints = [int(a) for a in args if a.lstrip("-").isdigit()]
        if kind == "blocktype":
            out += _blocktype(args[0] if args else None)
        elif kind in ("label", "func", "local", "global", "table", "data", "elem"):
            out += _uleb(ints[0])
        elif kind in ("i32", "i64"):
            out += _sleb(ints[0])
        elif kind == "f32":
            out += struct.pack("<f", float(args[0]))
        elif kind == "f64":
            out += struct.pack("<d", float(args[0]))
        elif kind == "br_table":
            out += _uleb(len(ints) - 1) + b"".join(_uleb(i) for i in ints)
        elif kind in ("call_indirect", "table.init", "table.copy", "memarg"):
            out += _uleb(ints[0]) + _uleb(ints[1])
        elif kind == "memory":
            out += b"\x00"
        elif kind == "memory.init":
            out += _uleb(ints[0]) + b"\x00"
        elif kind == "memory.copy":
            out += b"\x00\x00"
        elif kind == "reftype":
            out += bytes((_VALTYPE_CODES[args[0]],))
        elif kind == "v128":
            out += bytes(16)
        elif kind == "shuffle":
            out += bytes(ints)
        elif kind == "lane":
            out += bytes((ints[0],))
        elif kind == "memarg_lane":
            out += _uleb(ints[0]) + _uleb(ints[1]) + bytes((ints[2],))
        elif kind != "none":
            raise ValueError(f"the test assembler cannot encode {kind}")
    return bytes(out)


def const(*lines: str) -> ConstExpr:
    """A constant expression (decoded as the decoder would, without its ``end``)."""
    code = assemble(*lines, "end")
    instructions = read_instructions(Reader(code))
    return ConstExpr(tuple(instructions[:-1]), 0)


@dataclass
class Func:
    type: int
    body: Sequence[str]
    locals: Sequence[tuple[int, ValType]] = ()


@dataclass
class Spec:
    """What a test module declares; :func:`build` turns it into a :class:`Module`."""

    funcs: Sequence[Func] = ()
    types: Sequence[FuncType] = (FuncType((), ()),)
    imports: Sequence[Import] = ()
    tables: Sequence[TableType] = ()
    memories: Sequence[MemoryType] = ()
    globals: Sequence[Global] = ()
    exports: Sequence[Export] = ()
    start: int | None = None
    elements: Sequence[ElementSegment] = ()
    datas: Sequence[DataSegment] = ()
    data_count: int | None = None


def build(spec: Spec) -> Module:
    raw = bytearray(b"\0asm\1\0\0\0")
    codes = []
    for func in spec.funcs:
        code = assemble(*func.body, "end")
        start = len(raw)
        raw += code
        codes.append(FunctionBody(start, start, len(raw), tuple(func.locals)))
    imported = {kind: [i.desc for i in spec.imports if i.kind == kind] for kind in ExternKind}
    return Module(
        raw=bytes(raw),
        types=tuple(spec.types),
        imports=tuple(spec.imports),
        functions=tuple(f.type for f in spec.funcs),
        tables=tuple(spec.tables),
        memories=tuple(spec.memories),
        globals=tuple(spec.globals),
        exports=tuple(spec.exports),
        start=spec.start,
        elements=tuple(spec.elements),
        data_count=spec.data_count,
        codes=tuple(codes),
        datas=tuple(spec.datas),
        func_type_indices=(*imported[ExternKind.FUNC], *(f.type for f in spec.funcs)),  # type: ignore[arg-type]
        table_types=(*imported[ExternKind.TABLE], *spec.tables),  # type: ignore[arg-type]
        memory_types=(*imported[ExternKind.MEMORY], *spec.memories),  # type: ignore[arg-type]
        global_types=(*imported[ExternKind.GLOBAL], *(g.type for g in spec.globals)),  # type: ignore[arg-type]
    )


def body(
    *lines: str,
    result: Sequence[ValType] = (),
    params: Sequence[ValType] = (),
    locals: Sequence[tuple[int, ValType]] = (),
    **module: object,
) -> Spec:
    """A module of one function of type ``params -> result`` with this body."""
    func = Func(0, lines, locals)
    return Spec(funcs=[func], types=[FuncType(tuple(params), tuple(result))], **module)  # type: ignore[arg-type]


MEMORY = [MemoryType(Limits(1))]
FUNCREF_TABLE = [TableType(FUNCREF, Limits(1))]
EXTERNREF_TABLE = [TableType(EXTERNREF, Limits(1))]
IMPORTED_I32 = Import("m", "g", ExternKind.GLOBAL, GlobalType(I32, False))
IMPORTED_MUT_I32 = Import("m", "g", ExternKind.GLOBAL, GlobalType(I32, True))
UNIT = FuncType((), ())


def passive_elem(element_type: ValType = FUNCREF, *inits: ConstExpr) -> ElementSegment:
    return ElementSegment(SegmentMode.PASSIVE, element_type, inits)


# --- invalid modules ----------------------------------------------------------------

INVALID: dict[str, tuple[Spec, str]] = {
    # Operand stack typing.
    "binary operand type": (body("i32.const 0", "f32.const 0", "i32.add", "drop"), "type mismatch"),
    "pop from empty stack": (body("i32.add", "drop"), "type mismatch"),
    "pop across block barrier": (body("i32.const 1", "block", "drop", "end"), "type mismatch"),
    "missing result": (body(result=[I32]), "type mismatch"),
    "extra value at end": (body("i32.const 1", "i32.const 2", result=[I32]), "type mismatch"),
    "wrong result type": (body("i64.const 1", result=[I32]), "type mismatch"),
    "block leaves extra value": (body("block", "i32.const 1", "end"), "type mismatch"),
    "block result type": (body("block i32", "f32.const 0", "end", "drop"), "type mismatch"),
    "if condition type": (body("f32.const 0", "if", "end"), "type mismatch"),
    "if without else changes type": (body("i32.const 1", "if i32", "i32.const 1", "end", "drop"), "type mismatch"),
    "else branch type": (
        body("i32.const 1", "if i32", "i32.const 1", "else", "f32.const 0", "end", "drop"),
        "type mismatch",
    ),
    "block params missing": (
        Spec(funcs=[Func(0, ["block 1", "end"])], types=[UNIT, FuncType((I32,), ())]),
        "type mismatch",
    ),
    "local.set type": (body("f32.const 0", "local.set 0", locals=[(1, I32)]), "type mismatch"),
    "local.tee type": (body("f32.const 0", "local.tee 0", "drop", params=[I64]), "type mismatch"),
    "store value type": (body("i32.const 0", "i64.const 0", "i32.store 2 0", memories=MEMORY), "type mismatch"),
    "load address type": (body("i64.const 0", "i32.load 2 0", "drop", memories=MEMORY), "type mismatch"),
    "call argument type": (
        Spec(funcs=[Func(0, ["f32.const 0", "call 1"]), Func(1, ["drop"])], types=[UNIT, FuncType((I32,), ())]),
        "type mismatch",
    ),
    "drop on empty stack": (body("drop"), "type mismatch"),
    "unreachable keeps frame barrier": (body("i32.const 0", "block", "unreachable", "end", "i32.add"), "type mismatch"),
    "br value type": (body("block i32", "f32.const 0", "br 0", "end", "drop"), "type mismatch"),
    "br_if value type": (body("block i32", "f32.const 0", "i32.const 1", "br_if 0", "end", "drop"), "type mismatch"),
    "br_table arity": (
        body("block i32", "block", "i32.const 0", "i32.const 0", "br_table 0 1", "end", "end", "drop"),
        "type mismatch",
    ),
    "br_table label types": (
        body(
            "block f32",
            "block i32",
            "i32.const 0",
            "i32.const 0",
            "br_table 0 1 0",
            "end",
            "drop",
            "f32.const 0",
            "end",
            "drop",
        ),
        "type mismatch",
    ),
    "return value type": (body("f32.const 0", "return", result=[I32]), "type mismatch"),
    # select
    "untyped select of references": (
        body("ref.null funcref", "ref.null funcref", "i32.const 1", "select", "drop"),
        "type mismatch",
    ),
    "untyped select of unknown and reference": (
        body("unreachable", "ref.null funcref", "i32.const 1", "select", "drop"),
        "type mismatch",
    ),
    "untyped select of different types": (
        body("i32.const 0", "f32.const 0", "i32.const 1", "select", "drop"),
        "type mismatch",
    ),
    "typed select arity 0": (body("i32.const 1", "select_t", "drop"), "invalid result arity"),
    "typed select arity 2": (
        body("i32.const 0", "i32.const 0", "i32.const 0", "i32.const 0", "i32.const 1", "select_t i32 i32"),
        "invalid result arity",
    ),
    "typed select operand": (
        body("i32.const 0", "f32.const 0", "i32.const 1", "select_t i32", "drop"),
        "type mismatch",
    ),
    # Unknown indices, with the index in the text.
    "unknown local": (body("local.get 2", "drop", params=[I32], locals=[(1, I32)]), "unknown local 2"),
    "unknown global": (body("global.get 1", "drop", imports=[IMPORTED_I32]), "unknown global 1"),
    "unknown function": (body("call 5"), "unknown function 5"),
    "unknown label": (body("block", "br 2", "end"), "unknown label"),
    "unknown br_table label": (body("i32.const 0", "br_table 0 1"), "unknown label"),
    "unknown block type": (body("block 5", "end"), "unknown type"),
    "unknown call_indirect type": (body("i32.const 0", "call_indirect 7 0", tables=FUNCREF_TABLE), "unknown type"),
    "call_indirect without table": (body("i32.const 0", "call_indirect 0 0"), "unknown table 0"),
    "call_indirect on externref table": (
        body("i32.const 0", "call_indirect 0 0", tables=EXTERNREF_TABLE),
        "type mismatch",
    ),
    "load without memory": (body("i32.const 0", "i32.load 2 0", "drop"), "unknown memory 0"),
    "memory.size without memory": (body("memory.size", "drop"), "unknown memory 0"),
    "memory.fill without memory": (
        body("i32.const 0", "i32.const 0", "i32.const 0", "memory.fill"),
        "unknown memory 0",
    ),
    "memory.init without memory": (
        body(
            "i32.const 0",
            "i32.const 0",
            "i32.const 0",
            "memory.init 0",
            data_count=1,
            datas=[DataSegment(SegmentMode.PASSIVE, b"")],
        ),
        "unknown memory 0",
    ),
    "memory.init unknown data": (
        body(
            "i32.const 0",
            "i32.const 0",
            "i32.const 0",
            "memory.init 1",
            memories=MEMORY,
            data_count=1,
            datas=[DataSegment(SegmentMode.PASSIVE, b"")],
        ),
        "unknown data segment 1",
    ),
    "data.drop unknown data": (body("data.drop 0", data_count=0), "unknown data segment 0"),
    "elem.drop unknown elem": (body("elem.drop 0"), "unknown elem segment 0"),
    "table.get without table": (body("i32.const 0", "table.get 0", "drop"), "unknown table 0"),
    "table.init without table": (
        body("i32.const 0", "i32.const 0", "i32.const 0", "table.init 0 0", elements=[passive_elem()]),
        "unknown table 0",
    ),
    "table.init unknown elem": (
        body("i32.const 0", "i32.const 0", "i32.const 0", "table.init 4 0", tables=FUNCREF_TABLE),
        "unknown elem segment 4",
    ),
    "global.set immutable": (body("i32.const 1", "global.set 0", imports=[IMPORTED_I32]), "global is immutable"),
    # Memory arguments and lanes.
    "alignment above natural": (
        body("i32.const 0", "i32.load 3 0", "drop", memories=MEMORY),
        "alignment must not be larger than natural",
    ),
    "store8 alignment": (
        body("i32.const 0", "i32.const 0", "i32.store8 1 0", memories=MEMORY),
        "alignment must not be larger than natural",
    ),
    "extract lane 16": (body("v128.const", "i8x16.extract_lane_s 16", "drop"), "invalid lane index"),
    "replace lane 2 of i64x2": (
        body("v128.const", "i64.const 0", "i64x2.replace_lane 2", "drop"),
        "invalid lane index",
    ),
    "shuffle lane 32": (
        body("v128.const", "v128.const", "i8x16.shuffle " + " ".join(["0"] * 15 + ["32"]), "drop"),
        "invalid lane index",
    ),
    "load lane 16": (
        body("i32.const 0", "v128.const", "v128.load8_lane 0 0 16", "drop", memories=MEMORY),
        "invalid lane index",
    ),
    "load lane alignment": (
        body("i32.const 0", "v128.const", "v128.load16_lane 2 0 0", "drop", memories=MEMORY),
        "alignment must not be larger than natural",
    ),
    # References and tables.
    "undeclared ref.func": (body("ref.func 0", "drop"), "undeclared function reference"),
    "undeclared ref.func though started": (
        Spec(funcs=[Func(0, ["ref.func 0", "drop"])], start=0),
        "undeclared function reference",
    ),
    "ref.is_null of a number": (body("i32.const 0", "ref.is_null", "drop"), "type mismatch"),
    "table.set value type": (
        body("i32.const 0", "ref.null externref", "table.set 0", tables=FUNCREF_TABLE),
        "type mismatch",
    ),
    "table.copy element types": (
        body(
            "i32.const 0",
            "i32.const 0",
            "i32.const 0",
            "table.copy 0 1",
            tables=[*FUNCREF_TABLE, *EXTERNREF_TABLE],
        ),
        "type mismatch",
    ),
    "table.init element types": (
        body(
            "i32.const 0",
            "i32.const 0",
            "i32.const 0",
            "table.init 0 0",
            tables=EXTERNREF_TABLE,
            elements=[passive_elem()],
        ),
        "type mismatch",
    ),
    # Module-level rules.
    "function of unknown type": (Spec(funcs=[Func(3, [])]), "unknown type"),
    "import of unknown type": (Spec(imports=[Import("m", "f", ExternKind.FUNC, 1)]), "unknown type"),
    "duplicate export name": (
        Spec(
            funcs=[Func(0, [])],
            exports=[Export("a", ExternKind.FUNC, 0), Export("a", ExternKind.FUNC, 0)],
        ),
        "duplicate export name",
    ),
    "export of unknown memory": (Spec(exports=[Export("m", ExternKind.MEMORY, 0)]), "unknown memory"),
    "export of unknown function": (Spec(exports=[Export("f", ExternKind.FUNC, 1)]), "unknown function 1"),
    "memory too large": (Spec(memories=[MemoryType(Limits(65537))]), "memory size must be at most 65536 pages (4GiB)"),
    "memory maximum too large": (
        Spec(memories=[MemoryType(Limits(0, 65537))]),
        "memory size must be at most 65536 pages (4GiB)",
    ),
    "imported memory too large": (
        Spec(imports=[Import("m", "mem", ExternKind.MEMORY, MemoryType(Limits(70000)))]),
        "memory size must be at most 65536 pages (4GiB)",
    ),
    "memory minimum above maximum": (
        Spec(memories=[MemoryType(Limits(2, 1))]),
        "size minimum must not be greater than maximum",
    ),
    "table minimum above maximum": (
        Spec(tables=[TableType(FUNCREF, Limits(2, 1))]),
        "size minimum must not be greater than maximum",
    ),
    "start with params": (
        Spec(funcs=[Func(0, [])], types=[FuncType((I32,), ())], start=0),
        "start function",
    ),
    "start with results": (
        Spec(funcs=[Func(0, ["i32.const 0"])], types=[FuncType((), (I32,))], start=0),
        "start function",
    ),
    "start unknown": (Spec(funcs=[Func(0, [])], start=1), "unknown function 1"),
    # Constant expressions.
    "global init not constant": (
        Spec(globals=[Global(GlobalType(I32, False), const("i32.const 0", "i32.const 1", "i32.div_u"))]),
        "constant expression required",
    ),
    "global init nop": (Spec(globals=[Global(GlobalType(I32, False), const("nop"))]), "constant expression required"),
    "global init empty": (Spec(globals=[Global(GlobalType(I32, False), const())]), "type mismatch"),
    "global init two values": (
        Spec(globals=[Global(GlobalType(I32, False), const("i32.const 0", "i32.const 0"))]),
        "type mismatch",
    ),
    "global init type": (Spec(globals=[Global(GlobalType(I32, False), const("i64.const 0"))]), "type mismatch"),
    "global init reads a later global": (
        Spec(
            globals=[
                Global(GlobalType(I32, False), const("global.get 1")),
                Global(GlobalType(I32, False), const("i32.const 0")),
            ]
        ),
        "unknown global 1",
    ),
    "global init reads mutable import": (
        Spec(imports=[IMPORTED_MUT_I32], globals=[Global(GlobalType(I32, False), const("global.get 0"))]),
        "constant expression required",
    ),
    "global init ref.func unknown": (
        Spec(globals=[Global(GlobalType(FUNCREF, False), const("ref.func 7"))]),
        "unknown function 7",
    ),
    "global init ref.null type": (
        Spec(globals=[Global(GlobalType(FUNCREF, False), const("ref.null externref"))]),
        "type mismatch",
    ),
    "elem for unknown table": (
        Spec(elements=[ElementSegment(SegmentMode.ACTIVE, FUNCREF, (), 0, const("i32.const 0"))]),
        "unknown table 0",
    ),
    "elem type differs from table": (
        Spec(
            tables=EXTERNREF_TABLE,
            elements=[ElementSegment(SegmentMode.ACTIVE, FUNCREF, (), 0, const("i32.const 0"))],
        ),
        "type mismatch",
    ),
    "elem offset type": (
        Spec(
            tables=FUNCREF_TABLE,
            elements=[ElementSegment(SegmentMode.ACTIVE, FUNCREF, (), 0, const("i64.const 0"))],
        ),
        "type mismatch",
    ),
    "elem item type": (
        Spec(elements=[passive_elem(EXTERNREF, const("ref.func 0"))], funcs=[Func(0, [])]),
        "type mismatch",
    ),
    "elem item not constant": (Spec(elements=[passive_elem(FUNCREF, const("nop"))]), "constant expression required"),
    "elem offset reads unknown global": (
        Spec(
            tables=FUNCREF_TABLE,
            globals=[Global(GlobalType(I32, False), const("i32.const 0"))],
            elements=[ElementSegment(SegmentMode.ACTIVE, FUNCREF, (), 0, const("global.get 1"))],
        ),
        "unknown global 1",
    ),
    "data without memory": (
        Spec(datas=[DataSegment(SegmentMode.ACTIVE, b"", 0, const("i32.const 0"))]),
        "unknown memory 0",
    ),
    "data for memory 1": (
        Spec(memories=MEMORY, datas=[DataSegment(SegmentMode.ACTIVE, b"", 1, const("i32.const 0"))]),
        "unknown memory 1",
    ),
    "data offset type": (
        Spec(memories=MEMORY, datas=[DataSegment(SegmentMode.ACTIVE, b"", 0, const("f32.const 0"))]),
        "type mismatch",
    ),
}


@pytest.mark.parametrize(("spec", "expected"), INVALID.values(), ids=INVALID.keys())
def test_invalid_module_is_rejected_with_the_spec_text(spec: Spec, expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_module(build(spec))
    assert expected in caught.value.message


@pytest.mark.parametrize(
    "spec",
    [
        Spec(memories=MEMORY * 2),
        Spec(imports=[Import("m", "mem", ExternKind.MEMORY, MEMORY[0])], memories=MEMORY),
    ],
    ids=["two memories", "imported and defined memory"],
)
def test_multiple_memories_are_valid_in_3_0_and_refused_in_2_0(spec: Spec) -> None:
    validate_module(build(spec))
    with pytest.raises(ValidationError, match="multiple memories"):
        validate_module(build(spec), WASM_2_0)


# --- valid modules -----------------------------------------------------------------

TWO_I32_TO_I64 = FuncType((I32, I32), (I64,))

VALID: dict[str, Spec] = {
    "empty module": Spec(),
    "arithmetic": body("local.get 0", "i32.const 1", "i32.add", "i32.eqz", params=[I32], result=[I32]),
    "locals of several types": body(
        "local.get 2", "local.set 1", "local.get 0", params=[I32], locals=[(1, F32), (1, F32)], result=[I32]
    ),
    # The polymorphic stack after unreachable, br, br_table and return.
    "unreachable then anything": body("unreachable", "i32.add", "f32.convert_i32_s", "f32.neg", "drop", result=[I64]),
    "unreachable satisfies results": body("unreachable", result=[I32, F64]),
    "br then operations": body("block i32", "i32.const 1", "br 0", "i64.const 0", "drop", "i32.add", "end", "drop"),
    "return then junk": body("i32.const 1", "return", "f32.const 0", "drop", result=[I32]),
    "return leaves extra values": body("f32.const 0", "i32.const 1", "return", result=[I32]),
    "br_table then unknown select": body("i32.const 1", "i32.const 0", "br_table 0", "select", result=[I32]),
    "select of unknowns yields unknown": body("unreachable", "select", "i64.const 0", "i64.add", "drop"),
    "select of unknown and number": body("unreachable", "f64.const 0", "i32.const 0", "select", "f64.neg", "drop"),
    "ref.is_null of unknown": body("unreachable", "ref.is_null", result=[I32]),
    "br_table meets different label types when unreachable": body(
        "block f64",
        "block f32",
        "unreachable",
        "i32.const 1",
        "br_table 0 1 1",
        "end",
        "drop",
        "f64.const 0",
        "end",
        "drop",
    ),
    "br_if keeps the value": body("block i32", "i32.const 1", "i32.const 0", "br_if 0", "end", result=[I32]),
    "br_table same types": body(
        "block i32",
        "block i32",
        "i32.const 7",
        "local.get 0",
        "br_table 0 1 0",
        "end",
        "end",
        params=[I32],
        result=[I32],
    ),
    "nested unreachable frame": body("block", "unreachable", "block", "end", "end"),
    # Multi-value blocks by type index.
    "block with params": Spec(
        funcs=[
            Func(0, ["i32.const 1", "i32.const 2", "block 1", "i64.extend_i32_u", "drop", "i64.extend_i32_u", "end"])
        ],
        types=[FuncType((), (I64,)), TWO_I32_TO_I64],
    ),
    "loop branch carries params": Spec(
        funcs=[
            Func(
                0,
                ["i32.const 1", "i32.const 2", "loop 1", "i32.const 0", "br_if 0", "drop", "i64.extend_i32_u", "end"],
            )
        ],
        types=[FuncType((), (I64,)), TWO_I32_TO_I64],
    ),
    "if with params and no else": Spec(
        funcs=[Func(0, ["i32.const 5", "i32.const 1", "if 1", "i32.const 2", "i32.add", "end"])],
        types=[FuncType((), (I32,)), FuncType((I32,), (I32,))],
    ),
    "if else multi-value": Spec(
        funcs=[
            Func(0, ["i32.const 1", "if 1", "i32.const 1", "f32.const 2", "else", "i32.const 3", "f32.const 4", "end"])
        ],
        types=[FuncType((), (I32, F32)), FuncType((), (I32, F32))],
    ),
    "call with results": Spec(
        funcs=[Func(0, ["call 1", "i32.add"]), Func(1, ["i32.const 1", "i32.const 2"])],
        types=[FuncType((), (I32,)), FuncType((), (I32, I32))],
    ),
    "call_indirect": body("i32.const 0", "call_indirect 0 0", tables=FUNCREF_TABLE),
    # select
    "untyped select of numbers": body("f64.const 0", "f64.const 1", "i32.const 0", "select", "drop"),
    "untyped select of vectors": body("v128.const", "v128.const", "i32.const 0", "select", "drop"),
    "typed select of references": body(
        "ref.null externref", "ref.null externref", "i32.const 0", "select_t externref", "drop"
    ),
    # Memory, SIMD and bulk instructions.
    "loads and stores": body(
        "i32.const 0",
        "i32.const 0",
        "i64.load 3 8",
        "i64.store32 2 0",
        "memory.size",
        "memory.grow",
        "drop",
        memories=MEMORY,
    ),
    "imported memory": body(
        "i32.const 0", "f64.load 3 0", "drop", imports=[Import("m", "mem", ExternKind.MEMORY, MEMORY[0])]
    ),
    "lanes in range": body(
        "v128.const",
        "i8x16.extract_lane_u 15",
        "drop",
        "v128.const",
        "f64.const 0",
        "f64x2.replace_lane 1",
        "v128.const",
        "i8x16.shuffle " + " ".join(["31"] * 16),
        "i32.const 0",
        "v128.const",
        "v128.load64_lane 3 0 1",
        "v128.const",
        "v128.bitselect",
        "v128.any_true",
        "drop",
        memories=MEMORY,
    ),
    "bulk memory": body(
        "i32.const 0",
        "i32.const 0",
        "i32.const 0",
        "memory.init 0",
        "data.drop 0",
        "i32.const 0",
        "i32.const 0",
        "i32.const 0",
        "memory.copy",
        memories=MEMORY,
        data_count=1,
        datas=[DataSegment(SegmentMode.PASSIVE, b"x")],
    ),
    "table instructions": body(
        "i32.const 0",
        "table.get 1",
        "i32.const 1",
        "table.grow 1",
        "table.size 0",
        "i32.add",
        "drop",
        "i32.const 0",
        "ref.null externref",
        "i32.const 1",
        "table.fill 1",
        "i32.const 0",
        "i32.const 0",
        "i32.const 0",
        "table.init 0 0",
        "elem.drop 0",
        "i32.const 0",
        "i32.const 0",
        "i32.const 0",
        "table.copy 0 0",
        tables=[*FUNCREF_TABLE, *EXTERNREF_TABLE],
        elements=[passive_elem()],
    ),
    "global.set mutable": body(
        "global.get 0", "global.set 0", globals=[Global(GlobalType(I32, True), const("i32.const 0"))]
    ),
    # ref.func declared outside function bodies.
    "ref.func declared by export": Spec(
        funcs=[Func(0, ["ref.func 0", "drop"])], exports=[Export("f", ExternKind.FUNC, 0)]
    ),
    "ref.func declared by elem": Spec(
        funcs=[Func(0, ["ref.func 0", "drop"])],
        elements=[ElementSegment(SegmentMode.DECLARATIVE, FUNCREF, (const("ref.func 0"),))],
    ),
    "ref.func declared by global": Spec(
        funcs=[Func(0, ["ref.func 0", "drop"])],
        globals=[Global(GlobalType(FUNCREF, False), const("ref.func 0"))],
    ),
    # Constant expressions.
    "const exprs": Spec(
        imports=[IMPORTED_I32],
        tables=FUNCREF_TABLE,
        memories=MEMORY,
        globals=[
            Global(GlobalType(I32, False), const("global.get 0")),
            Global(GlobalType(V128, True), const("v128.const")),
            Global(GlobalType(EXTERNREF, False), const("ref.null externref")),
            Global(GlobalType(F64, False), const("f64.const 1.5")),
        ],
        elements=[ElementSegment(SegmentMode.ACTIVE, FUNCREF, (const("ref.null funcref"),), 0, const("global.get 0"))],
        datas=[DataSegment(SegmentMode.ACTIVE, b"x", 0, const("global.get 0"))],
    ),
    "multiple tables": Spec(tables=[*FUNCREF_TABLE, *EXTERNREF_TABLE]),
    "memory of 65536 pages": Spec(memories=[MemoryType(Limits(65536, 65536))]),
    "start function": Spec(funcs=[Func(0, [])], start=0),
    "many locals": body(
        "local.get 48999", "local.get 49000", "f32.convert_i64_s", "drop", "drop", locals=[(49000, I32), (1, I64)]
    ),
}


@pytest.mark.parametrize("spec", VALID.values(), ids=VALID.keys())
def test_valid_module_passes(spec: Spec) -> None:
    validate_module(build(spec))


def test_unknown_local_in_a_function_with_many_locals() -> None:
    with pytest.raises(ValidationError, match="unknown local 49001"):
        validate_module(build(body("local.get 49001", "drop", locals=[(49000, I32), (1, I64)])))


def test_error_offset_is_the_instructions() -> None:
    module = build(body("i32.const 0", "f32.neg", "drop"))
    with pytest.raises(ValidationError) as caught:
        validate_module(module)
    # The body starts at the first code byte; i32.const 0 takes two bytes.
    assert caught.value.offset == module.codes[0].code_start + 2


def test_malformed_later_body_wins_over_invalid_earlier_one() -> None:
    module = build(Spec(funcs=[Func(0, ["i32.add"]), Func(0, [])]))
    broken = bytearray(module.raw)
    broken[module.codes[1].code_start] = 0xFF  # not an opcode: the body is malformed
    with pytest.raises(DecodeError, match="illegal opcode"):
        validate_module(module.replace(raw=bytes(broken)))


# --- the loop's fast paths and the rules they abbreviate ----------------------------------------------------

# Cases that go past the fast paths into the rules: the polymorphic stack of unreachable code,
# multi-value block types, instructions in unusual places.
POLYMORPHIC_VALID: dict[str, Spec] = {
    "end of unreachable block, nothing left": body("block i32", "unreachable", "end", "drop"),
    "end of unreachable block, part left": body("block i32 ", "unreachable", "i32.const 1", "end", "drop"),
    "unreachable binary operands": body("unreachable", "i32.add", "drop"),
    "unreachable one binary operand": body("unreachable", "i32.const 1", "i32.add", "drop"),
    "unreachable load and store": body("unreachable", "i32.load 2 0", "i32.store 2 0", memories=MEMORY),
    "unreachable br_if": body("block i64", "unreachable", "br_if 0", "end", "drop"),
    "unreachable br, br_table and return": body(
        "block i32", "unreachable", "br 0", "unreachable", "br_table 0 0", "return", "end", result=[I32]
    ),
    "unreachable select": body("unreachable", "select", "drop"),
    "unreachable local and global set": body(
        "unreachable",
        "local.set 0",
        "local.tee 0",
        "drop",
        "global.set 0",
        locals=[(1, F64)],
        imports=[IMPORTED_MUT_I32],
    ),
    "unreachable call": Spec(
        funcs=[Func(0, ["unreachable", "call 1"]), Func(1, [])], types=[UNIT, FuncType((I32,), ())]
    ),
    "unreachable if condition": body("unreachable", "if", "end"),
    "block with parameters": Spec(
        funcs=[Func(0, ["i32.const 1", "block 1", "drop", "end", "i32.const 2", "loop 1", "br_if 1", "end"])],
        types=[UNIT, FuncType((I32,), ())],
    ),
    "if with parameters and else": Spec(
        funcs=[
            Func(0, ["f32.const 1", "i32.const 1", "if 1", "i32.trunc_f32_s", "else", "drop", "i32.const 0", "end"])
        ],
        types=[FuncType((), (I32,)), FuncType((F32,), (I32,))],
    ),
    "nop and drop in unreachable code": body("unreachable", "nop", "drop", "drop"),
}

POLYMORPHIC_INVALID: dict[str, tuple[Spec, str]] = {
    "unreachable block leaves an extra value": (
        body("block", "unreachable", "i32.const 1", "end"),
        "type mismatch: end leaves [i32] on the stack beyond the block's results",
    ),
    "unreachable block leaves a wrong value": (
        body("block i32", "unreachable", "f32.const 1", "end", "drop"),
        "type mismatch: instruction requires [i32] but stack has [f32] (end)",
    ),
    "unreachable if without else changes type": (
        body("i32.const 1", "if i32", "unreachable", "end", "drop"),
        "type mismatch: end if without else must have matching parameter and result types, [] vs [i32]",
    ),
    "unreachable binary operand of the wrong type": (
        body("unreachable", "f32.const 1", "i32.add", "drop"),
        "type mismatch: instruction requires [i32 i32] but stack has [f32] (i32.add)",
    ),
    "unreachable select of different types": (
        body("unreachable", "i32.const 1", "f64.const 1", "i32.const 1", "select", "drop"),
        "type mismatch: select operands differ: [i32 f64]",
    ),
    "br_if to a loop with parameters": (
        Spec(
            funcs=[Func(0, ["f32.const 1", "loop 1", "i32.const 1", "br_if 0", "end"])],
            types=[UNIT, FuncType((I32,), ())],
        ),
        "type mismatch: instruction requires [i32] but stack has [f32] (loop)",
    ),
    "global.set of an immutable global, value given": (
        body("i32.const 1", "global.set 0", imports=[IMPORTED_I32]),
        "immutable global: global is immutable",
    ),
    "local.tee beyond the locals": (body("i32.const 1", "local.tee 3", "drop", locals=[(1, I32)]), "unknown local 3"),
}


@pytest.mark.parametrize("spec", POLYMORPHIC_VALID.values(), ids=POLYMORPHIC_VALID.keys())
def test_polymorphic_and_multi_value_bodies_pass(spec: Spec) -> None:
    validate_module(build(spec))


@pytest.mark.parametrize(("spec", "expected"), POLYMORPHIC_INVALID.values(), ids=POLYMORPHIC_INVALID.keys())
def test_polymorphic_and_multi_value_bodies_are_rejected(spec: Spec, expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_module(build(spec))
    assert caught.value.message == expected


def _rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation without its fast paths: no body typed from its bytes (every one refused there), and in the
    body loop every instruction typed by its rule from the instruction table."""
    slow = {opcode: (body_check._RULE, rule, None, None) for opcode, rule in body_check._RULES.items()}
    monkeypatch.setattr(body_check, "_DISPATCH", slow)
    monkeypatch.setattr(bytecode, "check_bodies", lambda context, code, bodies, tables: list(range(len(list(bodies)))))


def _verdict(module: Module) -> tuple[str, int | None] | None:
    try:
        validate_module(module)
    except ValidationError as error:
        return error.message, error.offset
    return None


ALL_CASES = {
    **{name: spec for name, (spec, _) in INVALID.items()},
    **VALID,
    **{name: spec for name, (spec, _) in POLYMORPHIC_INVALID.items()},
    **POLYMORPHIC_VALID,
}


@pytest.mark.parametrize("spec", ALL_CASES.values(), ids=ALL_CASES.keys())
def test_fast_paths_give_the_verdict_of_the_rules(spec: Spec, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fast path only abbreviates its rule: same verdict, same text, same offset."""
    module = build(spec)
    fast = _verdict(module)
    _rules_only(monkeypatch)
    assert _verdict(module) == fast


def test_every_instruction_has_a_rule_found_through_the_table() -> None:
    assert all(covers(info) for info in OPCODES.values())
    made_up = InstructionInfo(0xFC00FF, "made.up", "future_kind", None, None, None, proposal="future-proposal")
    assert not covers(made_up)
    # A fixed effect with an immediate kind the generic rule does not check is not covered either.
    assert not covers(InstructionInfo(0xFC00FE, "made.up2", "future_kind", (I32,), (I32,), None))
    assert covers(InstructionInfo(0xFC00FD, "made.add", "none", (I64, I64), (I64,), None))
