"""Instructions as text, in the text format's spelling (``i32.load offset=8``, ``f32.const 0.5``).

Used for constant expressions in the module summary and for the instruction
stream of ``inspect --code``.  Immediates are written as the text format
would accept them: integers signed, floats with the shortest digits that read
back as the same value of their type (``nan:0x200000`` for a NaN with a
non-canonical payload), alignments only when they are not the natural one.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from typing import Any

from wasmrun.instructions import OPCODES, InstructionInfo
from wasmrun.module import ConstExpr, Instruction
from wasmrun.types import HEAP_TEXT, REF_CODE_BASE, ValType, as_ref, type_of_code

_F32 = struct.Struct("<f")
_U32 = struct.Struct("<I")
_F64 = struct.Struct("<d")
_U64 = struct.Struct("<Q")


def signed(value: int, bits: int) -> int:
    """The two's-complement reading of an unsigned ``bits``-bit value."""
    return value - (1 << bits) if value >> (bits - 1) else value


def _nan_text(bits: int, payload_bits: int, sign_bit: int) -> str:
    sign = "-" if bits >> sign_bit else ""
    payload = bits & ((1 << payload_bits) - 1)
    canonical = 1 << (payload_bits - 1)
    return f"{sign}nan" if payload == canonical else f"{sign}nan:{payload:#x}"


def f32_text(bits: int) -> str:
    """An f32 constant's bits as text."""
    if bits & 0x7F800000 == 0x7F800000 and bits & 0x007FFFFF:
        return _nan_text(bits, 23, 31)
    value = float(_F32.unpack(_U32.pack(bits))[0])
    if math.isinf(value):
        return "-inf" if value < 0 else "inf"
    # The fewest digits that round back to the same f32 (repr would give the double's digits).
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        try:
            if _U32.unpack(_F32.pack(float(text)))[0] == bits:
                return _tidy(text)
        except OverflowError:  # rounded up past the largest f32: more digits needed
            continue
    return _tidy(repr(value))


def f64_text(bits: int) -> str:
    """An f64 constant's bits as text."""
    if bits & 0x7FF0000000000000 == 0x7FF0000000000000 and bits & 0x000FFFFFFFFFFFFF:
        return _nan_text(bits, 52, 63)
    value = float(_F64.unpack(_U64.pack(bits))[0])
    if math.isinf(value):
        return "-inf" if value < 0 else "inf"
    return _tidy(repr(value))


def _tidy(text: str) -> str:
    """``1.0`` as ``1``, ``1e-07`` as ``1e-7``: the short forms, all valid in the text format."""
    mantissa, _, exponent = text.partition("e")
    if mantissa.endswith(".0"):
        mantissa = mantissa[:-2]
    if not exponent:
        return mantissa
    return f"{mantissa}e{'-' if exponent.startswith('-') else '+'}{exponent.lstrip('+-').lstrip('0') or '0'}"


def _blocktype_text(code: int) -> str:
    if code == -64:
        return ""
    if code >= 0:
        return f"(type {code})"
    if code <= -REF_CODE_BASE:
        return f"(result {type_of_code(-code).text})"
    return f"(result {ValType(code & 0x7F).text})"


def _heap_text(reftype: Any) -> str:
    """The heap type of ``ref.null``: ``func``, ``extern``, ``exn`` or a type index."""
    reference = as_ref(reftype)
    heap = reference.heap if reference is not None else reftype
    return HEAP_TEXT.get(heap, str(heap)) if isinstance(heap, int) else str(heap)


def _memarg_text(info: InstructionInfo, align: int, offset: int, memory: int = 0) -> str:
    parts = [str(memory)] if memory else []
    if offset:
        parts.append(f"offset={offset}")
    if info.width is not None and align != info.natural_alignment:
        parts.append(f"align={1 << align}")
    return " ".join(parts)


def _v128_text(value: int) -> str:
    lanes = [(value >> (32 * lane)) & 0xFFFFFFFF for lane in range(4)]
    return "i32x4 " + " ".join(f"{lane:#010x}" for lane in lanes)


def _none(_info: InstructionInfo, _immediate: Any) -> str:
    return ""


def _number(_info: InstructionInfo, immediate: Any) -> str:
    return str(immediate)


def _br_table_text(_info: InstructionInfo, immediate: Any) -> str:
    labels, default = immediate
    return " ".join(str(label) for label in (*labels, default))


def _call_indirect_text(_info: InstructionInfo, immediate: Any) -> str:
    type_index, table_index = immediate
    return f"{table_index} (type {type_index})" if table_index else f"(type {type_index})"


def _memarg_lane_text(info: InstructionInfo, immediate: Any) -> str:
    align, offset, lane, memory = immediate
    return " ".join(part for part in (_memarg_text(info, align, offset, memory), str(lane)) if part)


def _table_init_text(_info: InstructionInfo, immediate: Any) -> str:
    element_index, table_index = immediate
    return f"{table_index} {element_index}" if table_index else str(element_index)


def _table_copy_text(_info: InstructionInfo, immediate: Any) -> str:
    destination, source = immediate
    return f"{destination} {source}" if destination or source else ""


# Immediate kind (the instruction table's) -> its text.
_CATCH_WORDS = ("catch", "catch_ref", "catch_all", "catch_all_ref")


def _try_table_text(blocktype: int, catches: tuple[tuple[int, int | None, int], ...]) -> str:
    clauses = [
        f"({_CATCH_WORDS[kind]} {label})" if tag is None else f"({_CATCH_WORDS[kind]} {tag} {label})"
        for kind, tag, label in catches
    ]
    return " ".join(part for part in (_blocktype_text(blocktype), *clauses) if part)


_FORMATTERS: dict[str, Callable[[InstructionInfo, Any], str]] = {
    **dict.fromkeys(("none",), _none),
    "memory": lambda _info, memory: str(memory) if memory else "",
    "memory.copy": lambda _info, memories: " ".join(map(str, memories)) if any(memories) else "",
    **dict.fromkeys(("label", "func", "local", "global", "table", "data", "elem", "lane", "tag", "type"), _number),
    "try_table": lambda _info, immediate: _try_table_text(*immediate),
    "blocktype": lambda _info, code: _blocktype_text(code),
    "br_table": _br_table_text,
    "call_indirect": _call_indirect_text,
    "memarg": lambda info, immediate: _memarg_text(info, *immediate),
    "memarg_lane": _memarg_lane_text,
    "i32": lambda _info, value: str(signed(value, 32)),
    "i64": lambda _info, value: str(signed(value, 64)),
    "f32": lambda _info, bits: f32_text(bits),
    "f64": lambda _info, bits: f64_text(bits),
    "v128": lambda _info, value: _v128_text(value),
    "select_t": lambda _info, types: "(result " + " ".join(valtype.text for valtype in types) + ")",
    "reftype": lambda _info, reftype: _heap_text(reftype),
    "memory.init": lambda _info, immediate: f"{immediate[1]} {immediate[0]}" if immediate[1] else str(immediate[0]),
    "table.init": _table_init_text,
    "table.copy": _table_copy_text,
    "shuffle": lambda _info, lanes: " ".join(str(lane) for lane in lanes),
    **dict.fromkeys(
        ("type_field", "type_size", "type_data", "type_elem", "type_pair"), lambda _info, pair: f"{pair[0]} {pair[1]}"
    ),
    "heaptype": lambda _info, heap: _cast_text(_info, heap),
    "br_on_cast": lambda _info, immediate: f"{immediate[0]} {immediate[1].text} {immediate[2].text}",
}


def _cast_text(info: InstructionInfo, heap: int) -> str:
    """``ref.test``/``ref.cast``'s reference type (the ``_null`` opcodes: nullable)."""
    text = HEAP_TEXT.get(heap, str(heap))
    return f"(ref null {text})" if info.mnemonic.endswith("_null") else f"(ref {text})"


def covers(info: InstructionInfo) -> bool:
    """Whether the printer writes this instruction's immediates (the completeness test asks)."""
    return info.immediate in _FORMATTERS


def immediate_text(info: InstructionInfo, immediate: Any) -> str:
    """The immediates of an instruction as the text format writes them ('' for none)."""
    formatter = _FORMATTERS.get(info.immediate)
    if formatter is None:
        raise ValueError(f"no text for immediates of kind {info.immediate!r}")
    return formatter(info, immediate)


def instruction_text(instruction: Instruction) -> tuple[str, str]:
    """``(mnemonic, immediates)`` of a decoded instruction."""
    opcode, immediate, _ = instruction
    info = OPCODES[opcode]
    # ref.test and ref.cast: one mnemonic in text; their null forms' opcodes say it in the reference type.
    mnemonic = info.mnemonic.removesuffix("_null") if info.immediate == "heaptype" else info.mnemonic
    return mnemonic, immediate_text(info, immediate)


def const_expr_text(expression: ConstExpr) -> str:
    """A constant expression on one line: ``i32.const 1024``, ``global.get 0``."""
    return " ".join(
        " ".join(part for part in instruction_text(instruction) if part) for instruction in expression.instructions
    )
