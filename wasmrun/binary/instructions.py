"""Decoding instruction sequences (function bodies and constant expressions).

An instruction is ``(opcode, immediate, offset)`` (see :mod:`wasmrun.instructions`
for the opcode numbering and the form of each immediate).  The stream includes
the structured ``block``/``loop``/``if``/``else``/``end`` markers as they appear,
the final ``end`` included, so a consumer sees exactly the binary's structure.

This is on the load path of every module (the validator decodes every body), so
the loop reads single-byte LEB128 values inline and falls back to the
:class:`~wasmrun.binary.reader.Reader` for anything longer.
"""

from __future__ import annotations

from wasmrun.binary.reader import Reader
from wasmrun.errors import DecodeError
from wasmrun.instructions import OPCODES, PREFIXES, InstructionInfo, prefixed, unimplemented
from wasmrun.module import FunctionBody, Instruction
from wasmrun.types import ABSTRACT_HEAPS, RefType, ValType, ValueType, ref_type, type_code

_VALTYPES = {int(t): t for t in ValType}
_REFTYPES: dict[int, ValueType] = {0x70: ValType.FUNCREF, 0x6F: ValType.EXTERNREF, 0x69: ValType.EXNREF}
_REFTYPES.update({code: RefType(True, heap) for code, heap in ABSTRACT_HEAPS.items() if code not in _REFTYPES})
_SHORT_GC_REFS = {code: t for code, t in _REFTYPES.items() if t.__class__ is RefType}
"""The one-byte GC reference types (``anyref`` ... ``nullexnref``): ``(ref null <heap of the same code>)``."""

# Immediate kinds as small ints for the decoding loop.
(
    _NONE,
    _BLOCKTYPE,
    _INDEX,
    _BR_TABLE,
    _CALL_INDIRECT,
    _MEMARG,
    _ZERO_BYTE,
    _I32,
    _I64,
    _F32,
    _F64,
    _SELECT_T,
    _REFTYPE,
    _MEMORY_INIT,
    _TWO_ZERO_BYTES,
    _INDEX_PAIR,
    _V128,
    _SHUFFLE,
    _LANE,
    _MEMARG_LANE,
    _ELSE,
    _END,
    _IF,
    _TRY_TABLE,
    _HEAPTYPE,
    _BR_ON_CAST,
) = range(26)

_KIND_CODES = {
    "none": _NONE,
    "blocktype": _BLOCKTYPE,
    "label": _INDEX,
    "br_table": _BR_TABLE,
    "func": _INDEX,
    "call_indirect": _CALL_INDIRECT,
    "local": _INDEX,
    "global": _INDEX,
    "table": _INDEX,
    "memarg": _MEMARG,
    "memory": _ZERO_BYTE,
    "i32": _I32,
    "i64": _I64,
    "f32": _F32,
    "f64": _F64,
    "select_t": _SELECT_T,
    "reftype": _REFTYPE,
    "memory.init": _MEMORY_INIT,
    "data": _INDEX,
    "memory.copy": _TWO_ZERO_BYTES,
    "table.init": _INDEX_PAIR,
    "elem": _INDEX,
    "type": _INDEX,
    "table.copy": _INDEX_PAIR,
    "v128": _V128,
    "shuffle": _SHUFFLE,
    "lane": _LANE,
    "memarg_lane": _MEMARG_LANE,
    "tag": _INDEX,
    "try_table": _TRY_TABLE,
    "type_field": _INDEX_PAIR,
    "type_size": _INDEX_PAIR,
    "type_data": _INDEX_PAIR,
    "type_elem": _INDEX_PAIR,
    "type_pair": _INDEX_PAIR,
    "heaptype": _HEAPTYPE,
    "br_on_cast": _BR_ON_CAST,
}

# The structure the decoder follows: ``end`` closes the sequence or a block, ``else`` is only
# well-formed directly inside an ``if`` (and once), so they and ``if`` get kinds of their own.
_STRUCTURE_CODES = {"end": _END, "else": _ELSE, "if": _IF}

_KIND_OF: dict[int, int] = {
    opcode: _STRUCTURE_CODES.get(info.control) or _KIND_CODES[info.immediate] for opcode, info in OPCODES.items()
}


_KIND_TABLES: dict[frozenset[str], dict[int, int]] = {frozenset(): _KIND_OF}


def kind_table(disabled: frozenset[str]) -> dict[int, int]:
    """The decoding table without the instructions of the ``disabled`` proposals: those opcodes are then
    illegal, as they were before their proposal (the spec scripts of an earlier version expect it)."""
    table = _KIND_TABLES.get(disabled)
    if table is None:
        table = {opcode: kind for opcode, kind in _KIND_OF.items() if OPCODES[opcode].proposal not in disabled}
        _KIND_TABLES[disabled] = table
    return table


def legacy_memory(disabled: frozenset[str]) -> bool:
    """Whether memory immediates and limits are read as WebAssembly 2.0 did: both memory proposals off."""
    return "multi-memory" in disabled and "memory64" in disabled


def covers(info: InstructionInfo) -> bool:
    """Whether the decoder reads this instruction's immediates (the completeness test asks)."""
    return info.immediate in _KIND_CODES


_REF_NULL_PREFIX = 0x63  # (ref null ht)
_REF_PREFIX = 0x64  # (ref ht)


def read_heaptype(reader: Reader) -> int:
    """A heap type: a type index, or an abstract heap type (see :data:`wasmrun.types.ABSTRACT_HEAPS`)."""
    offset = reader.pos
    code = reader.s33()
    if code >= 0:
        return code
    if (code & 0x7F) in ABSTRACT_HEAPS and code >= -64:
        return ABSTRACT_HEAPS[code & 0x7F]
    raise DecodeError("malformed heap type", offset)


def read_valtype(reader: Reader) -> ValueType:
    offset = reader.pos
    code = reader.byte()
    valtype = _VALTYPES.get(code)
    if valtype is None:
        if code in (_REF_NULL_PREFIX, _REF_PREFIX):
            return ref_type(code == _REF_NULL_PREFIX, read_heaptype(reader))
        short = _SHORT_GC_REFS.get(code)
        if short is not None:
            return short
        raise DecodeError("malformed value type", offset)
    return valtype


def read_reftype(reader: Reader) -> ValueType:
    offset = reader.pos
    code = reader.byte()
    reftype = _REFTYPES.get(code)
    if reftype is None:
        if code in (_REF_NULL_PREFIX, _REF_PREFIX):
            return ref_type(code == _REF_NULL_PREFIX, read_heaptype(reader))
        raise DecodeError("malformed reference type", offset)
    return reftype


def read_instructions(
    reader: Reader, kind_of: dict[int, int] = _KIND_OF, legacy_memory: bool = False
) -> list[Instruction]:
    """Read instructions up to and including the ``end`` that closes the sequence (``kind_of``: see
    :func:`kind_table`).

    ``legacy_memory``: read memory immediates as WebAssembly 2.0 did (a u32 offset, no memory
    index, a zero byte where 3.0 has a memory index), for a module with multiple memories and
    memory64 turned off; the immediates keep their 3.0 form (memory index 0).
    """
    data = reader.data
    end = reader.end
    out: list[Instruction] = []
    append = out.append
    # One entry per open block: True for an ``if`` still waiting for its ``else``.
    open_blocks: list[bool] = []
    pos = reader.pos
    while True:
        if pos >= end:
            reader.pos = pos
            raise reader.eof()
        offset = pos
        opcode = data[pos]
        pos += 1
        kind = kind_of.get(opcode)
        if kind is None:
            if opcode in PREFIXES:
                reader.pos = pos
                sub = reader.u32()
                pos = reader.pos
                opcode = prefixed(opcode, sub) if sub <= 0xFFFF else -1
                kind = kind_of.get(opcode)
            if kind is None:
                proposal = unimplemented.opcode_proposal(data[offset])
                if proposal is not None and kind_of is _KIND_OF:  # (read as 2.0, it is malformed)
                    raise DecodeError(unimplemented.message(proposal), offset)
                raise DecodeError(f"illegal opcode {data[offset]:x}", offset)  # the byte, as the reference names it
        if kind == _NONE:
            append((opcode, None, offset))
            continue
        if kind == _INDEX:
            # Fast path for one-byte LEB128 (most indices).
            if pos < end and data[pos] < 0x80:
                value = data[pos]
                pos += 1
            else:
                reader.pos = pos
                value = reader.u32()
                pos = reader.pos
            append((opcode, value, offset))
            continue
        if kind == _END:
            append((opcode, None, offset))
            if not open_blocks:
                reader.pos = pos
                return out
            open_blocks.pop()
            continue
        if kind == _I32:
            # Fast path for one-byte LEB128 (small constants; from 0x40 on, negative ones).
            if pos < end and data[pos] < 0x80:
                value = data[pos]
                if value >= 0x40:
                    value += 0xFFFFFF80  # (value - 0x80) & 0xFFFFFFFF
                pos += 1
            else:
                reader.pos = pos
                value = reader.s32() & 0xFFFFFFFF
                pos = reader.pos
            append((opcode, value, offset))
            continue
        if kind == _MEMARG and pos + 1 < end and data[pos] < 0x20 and data[pos + 1] < 0x80:
            # Fast path: an alignment (no memory index) and an offset of one byte each.
            append((opcode, (data[pos], data[pos + 1], 0), offset))
            pos += 2
            continue
        reader.pos = pos
        imm: object
        if kind == _MEMARG:
            imm = _read_memarg(reader, legacy_memory)
        elif kind == _BLOCKTYPE or kind == _IF:  # noqa: SIM109  (no tuple built per instruction)
            if pos < end and data[pos] in _ONE_BYTE_BLOCKTYPES:  # empty, or one value type: a one-byte s33
                imm = data[pos] - 0x80
                reader.pos = pos + 1
            else:
                imm = _read_blocktype(reader)
            open_blocks.append(kind == _IF)
        elif kind == _ELSE:
            if not open_blocks or not open_blocks[-1]:
                raise DecodeError("END opcode expected", offset)
            open_blocks[-1] = False
            imm = None
        elif kind == _I64:
            imm = reader.s64() & 0xFFFFFFFFFFFFFFFF
        elif kind == _F32:
            imm = reader.f32_bits()
        elif kind == _F64:
            imm = reader.f64_bits()
        elif kind == _BR_TABLE:
            labels = reader.u32s(reader.u32())
            imm = (labels, reader.u32())
        elif kind == _CALL_INDIRECT:
            type_index = reader.u32()
            imm = (type_index, reader.u32())
        elif kind == _ZERO_BYTE:
            imm = _read_memory_index(reader, legacy_memory)
        elif kind == _SELECT_T:
            count = reader.u32()
            imm = tuple(read_valtype(reader) for _ in range(count))
        elif kind == _REFTYPE:
            imm = ref_type(True, read_heaptype(reader))
        elif kind == _MEMORY_INIT:
            data_index = reader.u32()
            imm = (data_index, _read_memory_index(reader, legacy_memory))
        elif kind == _TWO_ZERO_BYTES:
            destination = _read_memory_index(reader, legacy_memory)
            imm = (destination, _read_memory_index(reader, legacy_memory))
        elif kind == _INDEX_PAIR:
            first = reader.u32()
            imm = (first, reader.u32())
        elif kind == _V128:
            imm = int.from_bytes(reader.bytes(16), "little")
        elif kind == _SHUFFLE:
            imm = tuple(reader.bytes(16))
        elif kind == _LANE:
            imm = reader.byte()
        elif kind == _HEAPTYPE:
            imm = read_heaptype(reader)
        elif kind == _BR_ON_CAST:
            imm = _read_br_on_cast(reader)
        elif kind == _TRY_TABLE:
            imm = (_read_blocktype(reader), _read_catches(reader))
            open_blocks.append(False)
        else:  # _MEMARG_LANE
            align, memory_offset, memory = _read_memarg(reader, legacy_memory)
            imm = (align, memory_offset, reader.byte(), memory)
        pos = reader.pos
        append((opcode, imm, offset))


def _read_br_on_cast(reader: Reader) -> tuple[int, ValueType, ValueType]:
    """``br_on_cast``'s flags (bit 0: the source is nullable, bit 1: the target), label and heap types."""
    offset = reader.pos
    flags = reader.byte()
    if flags > 3:
        raise DecodeError("malformed br_on_cast flags", offset)
    label = reader.u32()
    source = ref_type(bool(flags & 1), read_heaptype(reader))
    return (label, source, ref_type(bool(flags & 2), read_heaptype(reader)))


# try_table's catch clauses: catch (tag, label), catch_ref (tag, label), catch_all (label), catch_all_ref (label).
CATCH, CATCH_REF, CATCH_ALL, CATCH_ALL_REF = 0, 1, 2, 3


def _read_catches(reader: Reader) -> tuple[tuple[int, int | None, int], ...]:
    catches = []
    for _ in range(reader.u32()):
        offset = reader.pos
        kind = reader.byte()
        if kind > CATCH_ALL_REF:
            raise DecodeError("malformed catch clause", offset)
        tag = reader.u32() if kind <= CATCH_REF else None
        catches.append((kind, tag, reader.u32()))
    return tuple(catches)


def _read_memarg(reader: Reader, legacy: bool) -> tuple[int, int, int]:
    """``(align exponent, offset, memory index)``: flags below 0x40 are the alignment exponent, flags
    0x40-0x7F say a memory index follows (multiple memories), others are malformed; the offset is a u64
    (memory64; a 32-bit memory's is bounded by the validator, as is the alignment)."""
    offset = reader.pos
    flags = reader.u32()
    if legacy:
        # WebAssembly 2.0: an alignment exponent of 32 or more is malformed, the offset a u32.
        if flags >= 32:
            raise DecodeError("malformed memop flags", offset)
        try:
            return (flags, reader.u32(), 0)
        except DecodeError as error:
            # (In 2.0 text, an offset past 32 bits was an "i32 constant out of range".)
            if error.message == "integer too large":
                raise DecodeError("integer too large: i32 constant out of range", error.offset) from None
            raise
    memory = 0
    if flags >= 0x40:
        if flags >= 0x80:
            raise DecodeError("malformed memop flags", offset)
        flags -= 0x40
        memory = reader.u32()
    start = reader.pos
    try:
        return (flags, reader.u64(), memory)
    except DecodeError as error:
        # Name what 2.0 (a u32) would have said too, when it differs.
        reader.pos = start
        try:
            reader.u32()
        except DecodeError as legacy_error:
            if legacy_error.message != error.message:
                raise DecodeError(f"{error.message} ({legacy_error.message} as a u32)", error.offset) from None
        raise error from None


def _read_memory_index(reader: Reader, legacy: bool) -> int:
    if legacy:
        if reader.byte() != 0:
            raise DecodeError("zero byte expected", reader.pos - 1)
        return 0
    return reader.u32()


_REF_BLOCKTYPES = (_REF_NULL_PREFIX - 0x80, _REF_PREFIX - 0x80)  # the prefixes read as an s33
_ONE_BYTE_BLOCKTYPES = frozenset((0x40, *_VALTYPES))


def _read_blocktype(reader: Reader) -> int:
    """A block type's s33 code; a typed reference result is ``-type_code(t)`` (see :func:`blocktype_valtype`)."""
    offset = reader.pos
    code = reader.s33()
    if code < 0 and code != -64 and (code & 0x7F) not in _VALTYPES:
        if code in _REF_BLOCKTYPES:
            valtype = ref_type(code == _REF_BLOCKTYPES[0], read_heaptype(reader))
            return -type_code(valtype) if valtype.__class__ is not ValType else (int(valtype) & 0x7F) - 0x80
        short = _SHORT_GC_REFS.get(code & 0x7F)
        if short is not None and code >= -64:
            return -type_code(short)
        raise DecodeError("malformed value type", offset)
    return code


def decode_function_body(raw: bytes, body: FunctionBody, disabled: frozenset[str] = frozenset()) -> list[Instruction]:
    """The instructions of a function body, its final ``end`` included.

    As in the reference interpreter, decoding may run past ``body.end`` (up to the
    module's end): a body whose final ``end`` lies beyond its declared size is a
    ``section size mismatch``, one cut short by the module's end an ``unexpected end``.
    """
    reader = Reader(raw, body.code_start, len(raw), "unexpected end of section or function")
    instructions = read_instructions(reader, kind_table(disabled) if disabled else _KIND_OF, legacy_memory(disabled))
    if reader.pos != body.end:
        raise DecodeError("section size mismatch", reader.pos)
    return instructions


def blocktype_valtype(code: int) -> ValueType | None:
    """The single result type of a block type code < 0 (``None`` for empty)."""
    if code <= -0x100:
        from wasmrun.types import type_of_code

        return type_of_code(-code)
    return None if code == -64 else _VALTYPES[code & 0x7F]
