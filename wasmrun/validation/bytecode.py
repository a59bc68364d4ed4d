"""Typing function bodies straight from their bytes: the validator's fast path.

Loading a big module is mostly decoding and typing its function bodies (a
24 MB compiler has 9 million instructions), so this loop does both at once,
in one pass over the bytes, making no object per instruction.  It is only a
fast path: it accepts a body when it is sure the exact path
(:func:`wasmrun.binary.instructions.decode_function_body`, then
:func:`wasmrun.validation.body.check_bodies`) would, and hands back every
other body, which the exact path then checks, finding the error and its text.
So it may refuse anything unusual; it must accept nothing the exact path
rejects.  ``tests/unit/test_validate_bytecode.py`` holds it to that.

What it takes:

* the plain instructions of compiled code: constants, numeric instructions
  with a fixed effect, loads and stores of a 32-bit memory 0 with a natural or
  smaller alignment and an offset below 2**32, ``local.*`` and ``global.*``,
  ``drop``, untyped ``select``, ``nop``, ``memory.size``/``memory.grow`` of
  memory 0, the saturating truncations, ``memory.copy``/``memory.fill`` of
  memory 0;
* control: ``block``, ``loop`` and ``if`` with an empty or one-numeric-result
  type, ``else``, ``end``, ``br``, ``br_if``, ``br_table``, ``return``,
  ``call``, ``call_indirect`` (a 32-bit funcref table), ``unreachable``;
* exception handling as C++ compilers emit it: ``try_table`` (its catch
  clauses' labels taking exactly what each clause gives; an ``exnref`` for a
  ``_ref`` clause), ``throw``, ``throw_ref``, and blocks with an ``exnref``
  result;
* every immediate in its well-formed encoding (a LEB128 integer of at most the
  bytes its type allows, with the unused bits of its last byte clear or, when
  signed, copies of the sign), as the exact decoder checks them.

It takes neither ``memory.init`` nor ``data.drop``: a body it accepts uses no
data segment (the validator's data count check counts on it).

The types are ints (binary codes), as on the exact path's stack
(:mod:`wasmrun.validation.stack`), with a barrier (-1) under each frame, so a
test of the top operands never reads into the frame below.  A frame is a
tuple ``(label types, end types, height, kind)`` on ``ctrls``; the top one's
end types, height and kind are local variables too.  After a branch the rest
of the frame is unreachable: the loop takes that only when ``end``, ``else`` or
``unreachable`` comes next, and then puts the frame's end types on the stack (the
polymorphic stack of unreachable code provides them), so ``end`` checks it as
any other.  The lists of types (locals, results, a block's) are shared and
never changed.

An instruction's case is found by its kind (:class:`Tables`: a list indexed
by the opcode byte), through a tree of comparisons ordered by how often
compilers emit each kind; any read past the module's end, an index out of
range (``IndexError``), a byte with no entry (``KeyError``) or a kind without
a case ends the attempt, and the body goes to the exact path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wasmrun.binary.reader import BAD_U32, u32_at
from wasmrun.instructions import BLOCKTYPE_EMPTY, OPCODES, InstructionInfo, opcode_of
from wasmrun.types import ValType
from wasmrun.validation.context import Context
from wasmrun.validation.stack import BARRIER

I32 = int(ValType.I32)
I64 = int(ValType.I64)
F32 = int(ValType.F32)
F64 = int(ValType.F64)
EXNREF = int(ValType.EXNREF)
_NUMERIC = frozenset((I32, I64, F32, F64))

# Kinds.  The loop finds an instruction's case by a tree of comparisons on its kind: the kinds of
# the first group (two thirds of all instructions in compiled code: a quarter are ``local.get``), then
# those of the second, then the rest, each group in a chain ordered by how often they come.
(
    _LOCAL_GET,
    _I32_CONST,
    _I32_BINARY,  # [i32 i32] -> [i32]: arithmetic and comparisons
    _LOAD,
    _LOCAL_SET,
    _END,
    _BR_IF,
    _BLOCK,
    _LOCAL_TEE,
    _CALL,
    _STORE,
    _UNARY,
    _BR,
    _I64_CONST,
    _BINARY,  # [t t] -> [t] for another t
    _SELECT,
    _DROP,
    _LOOP,
    _RETURN,
    _GLOBAL_SET,
    _UNREACHABLE,
    _CONVERT,
    _COMPARE,  # [t t] -> [i32] for t other than i32
    _CALL_INDIRECT,
    _BR_TABLE,
    _GLOBAL_GET,
    _IF,
    _ELSE,
    _F32_CONST,
    _F64_CONST,
    _NOP,
    _MEMORY_SIZE,
    _MEMORY_GROW,
    _MISC,  # the prefix byte of the instructions below: the case reads the subopcode
    _MEMORY_COPY,
    _MEMORY_FILL,
    _TRY_TABLE,
    _THROW,
    _THROW_REF,
    _OTHER,
) = range(40)
_FIRST_GROUP = _LOCAL_SET + 1  # the kinds below it
_SECOND_GROUP = _STORE + 1  # the kinds from _FIRST_GROUP up to below it

_MEMORY_KINDS = frozenset((_LOAD, _STORE, _MEMORY_SIZE, _MEMORY_GROW))

_BY_CONTROL = {
    "unreachable": _UNREACHABLE,
    "block": _BLOCK,
    "loop": _LOOP,
    "if": _IF,
    "else": _ELSE,
    "end": _END,
    "br": _BR,
    "br_if": _BR_IF,
    "br_table": _BR_TABLE,
    "return": _RETURN,
    "call": _CALL,
    "call_indirect": _CALL_INDIRECT,
    "try_table": _TRY_TABLE,
    "throw": _THROW,
    "throw_ref": _THROW_REF,
}
_BY_MNEMONIC = {
    "nop": _NOP,
    "drop": _DROP,
    "local.get": _LOCAL_GET,
    "local.set": _LOCAL_SET,
    "local.tee": _LOCAL_TEE,
    "global.get": _GLOBAL_GET,
    "global.set": _GLOBAL_SET,
    "memory.size": _MEMORY_SIZE,
    "memory.grow": _MEMORY_GROW,
    "memory.copy": _MEMORY_COPY,
    "memory.fill": _MEMORY_FILL,
}
_CONSTANTS = {"i32": _I32_CONST, "i64": _I64_CONST, "f32": _F32_CONST, "f64": _F64_CONST}
_UNTYPED_SELECT = opcode_of("select")  # (the typed one takes the exact path)
_EXCEPTIONS = OPCODES[opcode_of("try_table")].proposal  # (its block type exnref goes with it)
_MISC_PREFIX = opcode_of("memory.copy") >> 16  # the prefix of the saturating truncations and bulk memory
_PREFIXED_KINDS = frozenset((_CONVERT, _MEMORY_COPY, _MEMORY_FILL))  # the prefixed instructions taken
_END_OPCODE = opcode_of("end")
_ELSE_OPCODE = opcode_of("else")
_UNREACHABLE_OPCODE = opcode_of("unreachable")

_Entry = tuple[int, Any]


def _entry(info: InstructionInfo) -> _Entry:
    """``(kind, argument)`` of one row: the argument is what its case needs of the row's effect."""
    if info.control in _BY_CONTROL:
        return _BY_CONTROL[info.control], None
    if info.opcode == _UNTYPED_SELECT:
        return _SELECT, None
    if info.mnemonic in _BY_MNEMONIC:
        return _BY_MNEMONIC[info.mnemonic], None
    if info.params is None or info.results is None:
        return _OTHER, None
    params = [int(t) for t in info.params]
    results = [int(t) for t in info.results]
    if info.immediate in _CONSTANTS and not params:
        return _CONSTANTS[info.immediate], None
    if info.immediate == "memarg" and info.proposal != "threads" and params[:1] == [I32]:
        if len(params) == 1 and len(results) == 1:
            return _LOAD, (info.natural_alignment, results[0])
        if len(params) == 2 and not results:
            return _STORE, (info.natural_alignment, params[1])
        return _OTHER, None
    if info.immediate != "none" or len(results) != 1 or not set(params) <= _NUMERIC or results[0] not in _NUMERIC:
        return _OTHER, None
    (result,) = results
    if len(params) == 1:
        return (_UNARY, result) if params[0] == result else (_CONVERT, (params[0], result))
    if len(params) == 2 and params[0] == params[1]:
        if result == params[0]:
            return (_I32_BINARY, None) if result == I32 else (_BINARY, result)
        if result == I32:
            return _COMPARE, params[0]
    return _OTHER, None


class Tables:
    """The kinds and arguments of the opcodes a body may use (those of ``disabled`` proposals are
    left to the exact path, which finds them malformed)."""

    __slots__ = ("arguments", "block_results", "kinds", "prefixed")

    def __init__(self, disabled: frozenset[str]) -> None:
        self.block_results = list(_BLOCK_RESULTS)
        if _EXCEPTIONS not in disabled:
            self.block_results[EXNREF] = [EXNREF]
        self.kinds = [_OTHER] * 256
        self.arguments: list[Any] = [None] * 256
        self.prefixed: dict[int, _Entry] = {}
        for opcode, info in OPCODES.items():
            if info.proposal in disabled:
                continue
            kind, argument = _entry(info)
            if info.prefix is None:
                self.kinds[opcode] = kind
                self.arguments[opcode] = argument
            elif info.prefix == _MISC_PREFIX and kind in _PREFIXED_KINDS:
                self.prefixed[opcode & 0xFFFF] = (kind, argument)
        if self.prefixed:
            self.kinds[_MISC_PREFIX] = _MISC


_TABLES: dict[frozenset[str], Tables] = {}


def tables_for(disabled: frozenset[str]) -> Tables:
    """The tables for modules decoded without the proposals ``disabled`` (made once for each set)."""
    tables = _TABLES.get(disabled)
    if tables is None:
        tables = _TABLES[disabled] = Tables(disabled)
    return tables


def _skip_u32(code: bytes, pos: int) -> int:
    """The position after a well-formed u32 LEB128 at ``pos`` (-1 if it is not one)."""
    for at in range(pos, pos + 5):
        byte = code[at]
        if byte < 0x80:
            if at == pos + 4 and byte > 0x0F:
                return -1
            return at + 1
    return -1


def _skip_s32(code: bytes, pos: int) -> int:
    """The position after a well-formed s32 LEB128 at ``pos`` (-1 if it is not one)."""
    for at in range(pos, pos + 5):
        byte = code[at]
        if byte < 0x80:
            # The fifth byte holds 4 bits; the other three must repeat the sign.
            if at == pos + 4 and not (byte < 0x08 or byte >= 0x78):
                return -1
            return at + 1
    return -1


def _skip_s64(code: bytes, pos: int) -> int:
    """The position after a well-formed s64 LEB128 at ``pos`` (-1 if it is not one)."""
    for at in range(pos, pos + 10):
        byte = code[at]
        if byte < 0x80:
            # The tenth byte holds 1 bit; the other six must repeat the sign.
            if at == pos + 9 and byte not in (0x00, 0x7F):
                return -1
            return at + 1
    return -1


def _read_depths(code: bytes, pos: int, count: int) -> tuple[list[int], int]:
    """``count`` u32 label depths at ``pos``, and the position after them (no depths if one is malformed)."""
    depths = []
    for _ in range(count):
        depth, pos = u32_at(code, pos) if code[pos] >= 0x80 else (code[pos], pos + 1)
        if depth == BAD_U32:
            return [], pos
        depths.append(depth)
    return depths, pos


_NO_TYPES: list[int] = []
_I32_X3 = [I32, I32, I32]

_UNTAKEN: list[int] = []
_BLOCK_RESULTS: list[list[int]] = [_UNTAKEN] * 256
"""The block types taken, by their byte: the empty type and the numeric results (``_UNTAKEN``: any other)."""
_BLOCK_RESULTS[BLOCKTYPE_EMPTY & 0x7F] = []
for _t in (I32, I64, F32, F64):
    _BLOCK_RESULTS[_t] = [_t]


Body = tuple[int, int, list[int], list[int]]
"""A body to check: where its instructions start and end in the module, its local types (parameters
first, as binary codes), its result types."""


def check_bodies(context: Context, code: bytes, bodies: Iterable[Body], tables: Tables) -> list[int]:
    """Check ``bodies`` (of the module ``code``), returning the positions in ``bodies`` of those it
    could not accept: they may be valid, or invalid, or malformed, for the exact path to tell."""
    arguments: list[Any] = tables.arguments
    # Loads, stores and the memory instructions are taken for a 32-bit memory 0 only.
    if context.num_memories > 0 and context.memories[0] == I32:
        kinds = tables.kinds
        prefixed = tables.prefixed
    else:
        kinds = [_OTHER if kind in _MEMORY_KINDS else kind for kind in tables.kinds]
        prefixed = {}
    funcs = context.funcs
    types = context.types
    globals_ = context.globals
    global_mutable = context.global_mutable
    # call_indirect is taken for a 32-bit funcref table.
    funcref_tables = [
        table == int(ValType.FUNCREF) and address == I32
        for table, address in zip(context.tables, context.table_addresses)
    ]
    block_results = tables.block_results
    untaken = _UNTAKEN
    u32 = u32_at
    skip_u32 = _skip_u32
    skip_s32 = _skip_s32
    barrier = BARRIER
    i32 = I32
    i64 = I64
    f32 = F32
    f64 = F64
    skip_s64 = _skip_s64
    numeric = _NUMERIC
    LOCAL_GET = _LOCAL_GET
    I32_CONST = _I32_CONST
    LOAD = _LOAD
    FIRST_GROUP = _FIRST_GROUP
    SECOND_GROUP = _SECOND_GROUP
    END = _END
    BR_IF = _BR_IF
    BLOCK = _BLOCK
    LOCAL_TEE = _LOCAL_TEE
    CALL = _CALL
    I32_BINARY = _I32_BINARY
    BINARY = _BINARY
    UNARY = _UNARY
    COMPARE = _COMPARE
    BR = _BR
    CONVERT = _CONVERT
    I64_CONST = _I64_CONST
    SELECT = _SELECT
    DROP = _DROP
    LOOP = _LOOP
    RETURN = _RETURN
    GLOBAL_SET = _GLOBAL_SET
    GLOBAL_GET = _GLOBAL_GET
    IF = _IF
    ELSE = _ELSE
    UNREACHABLE = _UNREACHABLE
    CALL_INDIRECT = _CALL_INDIRECT
    BR_TABLE = _BR_TABLE
    F32_CONST = _F32_CONST
    F64_CONST = _F64_CONST
    NOP = _NOP
    MEMORY_SIZE = _MEMORY_SIZE
    MEMORY_GROW = _MEMORY_GROW
    MISC = _MISC
    MEMORY_COPY = _MEMORY_COPY
    TRY_TABLE = _TRY_TABLE
    THROW = _THROW
    THROW_REF = _THROW_REF
    tags: list[Any] = context.tags  # (None for a tag of an unknown type: refused below)
    exnref = EXNREF
    end_opcode = _END_OPCODE
    else_opcode = _ELSE_OPCODE
    unreachable_opcode = _UNREACHABLE_OPCODE
    depths: bytes | list[int]
    refused: list[int] = []
    for index, (pos, body_end, locals_, results) in enumerate(bodies):
        vals = [barrier]
        # The frame on top, as locals: its end types, height and kind (the whole tuple is on ``ctrls``).
        end_types = results
        height = 1
        frame_kind = BLOCK
        ctrls = [(results, results, 1, BLOCK)]
        accepted = False
        try:
            while True:
                kind = kinds[code[pos]]
                pos += 1
                if kind < FIRST_GROUP:
                    if kind == LOCAL_GET:
                        local = code[pos]
                        if local < 0x80:
                            pos += 1
                        else:
                            local, pos = u32(code, pos)
                        vals.append(locals_[local])
                    elif kind == I32_CONST:
                        if code[pos] < 0x80:
                            pos += 1
                        elif code[pos + 1] < 0x80:
                            pos += 2
                        else:
                            pos = skip_s32(code, pos)
                            if pos < 0:
                                break
                        vals.append(i32)
                    elif kind == I32_BINARY:
                        if vals.pop() != i32 or vals[-1] != i32:
                            break
                    elif kind == LOAD:
                        alignment, result = arguments[code[pos - 1]]
                        if code[pos] > alignment or vals[-1] != i32:
                            break
                        if code[pos + 1] < 0x80:
                            pos += 2
                        elif code[pos + 2] < 0x80:
                            pos += 3
                        else:
                            pos = skip_u32(code, pos + 1)
                            if pos < 0:
                                break
                        vals[-1] = result
                    else:  # LOCAL_SET
                        local = code[pos]
                        if local < 0x80:
                            pos += 1
                        else:
                            local, pos = u32(code, pos)
                        if vals.pop() != locals_[local]:
                            break
                elif kind < SECOND_GROUP:
                    if kind == END:
                        if end_types:
                            if vals[height:] != end_types or frame_kind == IF:
                                break
                            del vals[height - 1 :]
                            vals += end_types
                        elif len(vals) != height:
                            break
                        else:
                            vals.pop()
                        ctrls.pop()
                        if not ctrls:
                            accepted = pos == body_end
                            break
                        _, end_types, height, frame_kind = ctrls[-1]
                    elif kind == BR_IF:
                        depth = code[pos]
                        if depth < 0x80:
                            pos += 1
                        else:
                            depth, pos = u32(code, pos)
                        labels = ctrls[~depth][0]
                        if vals.pop() != i32 or (labels and vals[-len(labels) :] != labels):
                            break
                    elif kind == BLOCK:
                        end_types = block_results[code[pos]]
                        if end_types is untaken:
                            break
                        pos += 1
                        vals.append(barrier)
                        height = len(vals)
                        frame_kind = BLOCK
                        ctrls.append((end_types, end_types, height, BLOCK))
                    elif kind == LOCAL_TEE:
                        local = code[pos]
                        if local < 0x80:
                            pos += 1
                        else:
                            local, pos = u32(code, pos)
                        if vals[-1] != locals_[local]:
                            break
                    elif kind == CALL:
                        function = code[pos]
                        if function < 0x80:
                            pos += 1
                        elif (
                            code[pos + 4] < 0x10
                            and code[pos + 3] >= 0x80
                            and code[pos + 2] >= 0x80
                            and code[pos + 1] >= 0x80
                        ):
                            # Five bytes (the linker's padding of a relocated index).
                            function = (
                                function - 0x80
                                | (code[pos + 1] - 0x80) << 7
                                | (code[pos + 2] - 0x80) << 14
                                | (code[pos + 3] - 0x80) << 21
                                | code[pos + 4] << 28
                            )
                            pos += 5
                        else:
                            function, pos = u32(code, pos)
                        params, func_results = funcs[function]
                        if params:
                            if vals[-len(params) :] != params:
                                break
                            del vals[-len(params) :]
                        vals += func_results
                    else:  # STORE
                        alignment, operand = arguments[code[pos - 1]]
                        if code[pos] > alignment or vals.pop() != operand or vals.pop() != i32:
                            break
                        if code[pos + 1] < 0x80:
                            pos += 2
                        else:
                            pos = skip_u32(code, pos + 1)
                            if pos < 0:
                                break
                elif kind == UNARY:
                    if vals[-1] != arguments[code[pos - 1]]:
                        break
                elif kind == BR:
                    depth = code[pos]
                    if depth < 0x80:
                        pos += 1
                    else:
                        depth, pos = u32(code, pos)
                    labels = ctrls[~depth][0]
                    if labels and vals[-len(labels) :] != labels:
                        break
                    # The rest of the frame is unreachable: taken when it is empty (see the module docstring).
                    if code[pos] != end_opcode and code[pos] != else_opcode and code[pos] != unreachable_opcode:
                        break
                    del vals[height:]
                    vals += end_types
                elif kind == I64_CONST:
                    if code[pos] < 0x80:
                        pos += 1
                    else:
                        pos = skip_s64(code, pos)
                        if pos < 0:
                            break
                    vals.append(i64)
                elif kind == BINARY:
                    operand = arguments[code[pos - 1]]
                    if vals.pop() != operand or vals[-1] != operand:
                        break
                elif kind == SELECT:
                    if vals.pop() != i32 or vals[-1] not in numeric or vals.pop() != vals[-1]:
                        break
                elif kind == DROP:
                    if vals.pop() == barrier:
                        break
                elif kind == LOOP:
                    end_types = block_results[code[pos]]
                    if end_types is untaken:
                        break
                    pos += 1
                    vals.append(barrier)
                    height = len(vals)
                    frame_kind = LOOP
                    ctrls.append((_NO_TYPES, end_types, height, LOOP))
                elif kind == RETURN:
                    if results and vals[-len(results) :] != results:
                        break
                    if code[pos] != end_opcode and code[pos] != else_opcode and code[pos] != unreachable_opcode:
                        break
                    del vals[height:]
                    vals += end_types
                elif kind == GLOBAL_SET:
                    global_ = code[pos]
                    if global_ < 0x80:
                        pos += 1
                    else:
                        global_, pos = u32(code, pos)
                    if vals.pop() != globals_[global_] or not global_mutable[global_]:
                        break
                elif kind == UNREACHABLE:
                    if code[pos] != end_opcode and code[pos] != else_opcode and code[pos] != unreachable_opcode:
                        break
                    del vals[height:]
                    vals += end_types
                elif kind == CONVERT:
                    operand, result = arguments[code[pos - 1]]
                    if vals[-1] != operand:
                        break
                    vals[-1] = result
                elif kind == COMPARE:
                    operand = arguments[code[pos - 1]]
                    if vals.pop() != operand or vals[-1] != operand:
                        break
                    vals[-1] = i32
                elif kind == CALL_INDIRECT:
                    type_index = code[pos]
                    if type_index < 0x80:
                        pos += 1
                    else:
                        type_index, pos = u32(code, pos)
                    table = code[pos]
                    if table < 0x80:
                        pos += 1
                    else:
                        table, pos = u32(code, pos)
                    if vals.pop() != i32 or not funcref_tables[table]:
                        break
                    params, func_results = types[type_index]  # type: ignore[misc]
                    if params:
                        if vals[-len(params) :] != params:
                            break
                        del vals[-len(params) :]
                    vals += func_results
                elif kind == BR_TABLE:
                    count = code[pos]
                    if count < 0x80:
                        pos += 1
                    else:
                        count, pos = u32(code, pos)
                    if count >= body_end - pos:  # (more labels than bytes left: malformed, most likely)
                        break
                    depths = code[pos : pos + count + 1]
                    if len(depths) == count + 1 and depths.isascii():
                        # Every label and the default in one byte each (no continuation bit).
                        pos += count + 1
                        default = depths[-1]
                    else:
                        depths, pos = _read_depths(code, pos, count + 1)
                        default = depths[-1]  # (none for a malformed one: IndexError)
                    labels = ctrls[~default][0]
                    if vals.pop() != i32 or (labels and vals[-len(labels) :] != labels):
                        break
                    # Every target takes what the default takes (the same types, so the same arity).
                    for depth in set(depths):
                        target = ctrls[~depth][0]
                        if target is not labels and target != labels:
                            break
                    else:
                        if code[pos] != end_opcode and code[pos] != else_opcode and code[pos] != unreachable_opcode:
                            break
                        del vals[height:]
                        vals += end_types
                        continue
                    break
                elif kind == GLOBAL_GET:
                    global_ = code[pos]
                    if global_ < 0x80:
                        pos += 1
                    else:
                        global_, pos = u32(code, pos)
                    vals.append(globals_[global_])
                elif kind == IF:
                    end_types = block_results[code[pos]]
                    if end_types is untaken:
                        break
                    pos += 1
                    if vals[-1] != i32:
                        break
                    vals[-1] = barrier
                    height = len(vals)
                    frame_kind = IF
                    ctrls.append((end_types, end_types, height, IF))
                elif kind == ELSE:
                    if frame_kind != IF or vals[height:] != end_types:
                        break
                    del vals[height:]
                    frame_kind = ELSE
                    ctrls[-1] = (end_types, end_types, height, ELSE)
                elif kind == F32_CONST:
                    pos += 4
                    vals.append(f32)
                elif kind == F64_CONST:
                    pos += 8
                    vals.append(f64)
                elif kind == NOP:
                    pass
                elif kind == MEMORY_SIZE:
                    if code[pos]:
                        break
                    pos += 1
                    vals.append(i32)
                elif kind == MEMORY_GROW:
                    if code[pos] or vals[-1] != i32:
                        break
                    pos += 1
                elif kind == MISC:
                    sub = code[pos]
                    if sub >= 0x80:
                        break
                    pos += 1
                    kind, argument = prefixed[sub]
                    if kind == CONVERT:
                        operand, result = argument
                        if vals[-1] != operand:
                            break
                        vals[-1] = result
                    elif kind == MEMORY_COPY:  # two zero bytes (memory 0, memory 0)
                        if code[pos] or code[pos + 1] or vals[-3:] != _I32_X3:
                            break
                        pos += 2
                        del vals[-3:]
                    else:  # MEMORY_FILL: a zero byte
                        if code[pos] or vals[-3:] != _I32_X3:
                            break
                        pos += 1
                        del vals[-3:]
                elif kind == TRY_TABLE:
                    end_types = block_results[code[pos]]
                    count = code[pos + 1]
                    if end_types is untaken or count >= 0x80:
                        break
                    pos += 2
                    # Each catch clause branches to a label outside the try_table (ctrls before its frame)
                    # with the tag's payload (catch, catch_ref), then an exnref (catch_ref, catch_all_ref).
                    for _ in range(count):
                        clause = code[pos]
                        pos += 1
                        if clause > 3:
                            break
                        given = _NO_TYPES
                        if clause < 2:
                            tag = code[pos]
                            if tag < 0x80:
                                pos += 1
                            else:
                                tag, pos = u32(code, pos)
                            given = tags[tag]
                            if given is None:
                                break
                        if clause & 1:
                            given = [*given, exnref]
                        label = code[pos]
                        if label < 0x80:
                            pos += 1
                        else:
                            label, pos = u32(code, pos)
                        if ctrls[~label][0] != given:
                            break
                    else:
                        vals.append(barrier)
                        height = len(vals)
                        frame_kind = BLOCK
                        ctrls.append((end_types, end_types, height, BLOCK))
                        continue
                    break
                elif kind in (THROW, THROW_REF):
                    if kind == THROW:
                        tag = code[pos]
                        if tag < 0x80:
                            pos += 1
                        else:
                            tag, pos = u32(code, pos)
                        params = tags[tag]
                        if params is None or (params and vals[-len(params) :] != params):
                            break
                    elif vals[-1] != exnref:
                        break
                    # The rest of the frame is unreachable, as after br.
                    if code[pos] != end_opcode and code[pos] != else_opcode and code[pos] != unreachable_opcode:
                        break
                    del vals[height:]
                    vals += end_types
                else:
                    break
        except (IndexError, KeyError, TypeError):  # TypeError: a struct or array type index in call_indirect
            pass
        if not accepted:
            refused.append(index)
    return refused
