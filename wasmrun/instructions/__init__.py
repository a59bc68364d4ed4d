"""The one instruction table: what every stage knows about an instruction, declared once, as data.

The rows are in :mod:`wasmrun.instructions.table`; each becomes an
:class:`InstructionInfo`: encoding, mnemonic, immediate kind, stack effect (or
none, for the instructions the validator types by its own rule), access width,
control kind, the proposal it belongs to and its fuel class.  Every stage finds
its behaviour for an instruction through this table -- the decoder and the
text parser and printer by the immediate kind, the validator by the effect or a
rule named after the mnemonic, the translators by visitor methods named after
the mnemonic or the generic numeric and memory visitors, fuel by the fuel class
and control kind, ``inspect`` by the proposal -- never through a list of its own.
``tests/project/test_instruction_table.py`` names, for a new row, each stage that
has no behaviour for it yet (see ``docs/development.md``).

Opcodes are plain ints: a single-byte instruction is its byte; a prefixed one
is ``prefix << 16 | subopcode`` (``memory.init``, ``FC 08``, is ``0xFC0008``;
``v128.load``, ``FD 00``, is ``0xFD0000``).
"""

from __future__ import annotations

from typing import NamedTuple

from wasmrun.instructions.table import ROWS
from wasmrun.types import ValType

# Immediate kinds and what the decoded immediate is (see binary/instructions.py):
IMMEDIATE_KINDS = {
    "none": "None",
    "blocktype": "int: the s33 encoding (-64 empty, -1 i32, ... or a type index >= 0)",
    "label": "int label index",
    "br_table": "(tuple of label indices, default label index)",
    "func": "int function index",
    "call_indirect": "(type index, table index)",
    "local": "int local index",
    "global": "int global index",
    "table": "int table index",
    "memarg": "(align exponent, offset, memory index)",
    "memory": "int memory index (a zero byte in 2.0)",
    "i32": "int, the canonical unsigned value",
    "i64": "int, the canonical unsigned value",
    "f32": "int, the raw IEEE-754 bits (NaN payloads kept)",
    "f64": "int, the raw IEEE-754 bits",
    "v128": "int, the 128 bits little-endian",
    "select_t": "tuple of ValType",
    "reftype": "ValType or RefType: the type of the null reference (ref.null's heap type, nullable)",
    "type": "int type index",
    "memory.init": "(data index, memory index)",
    "data": "int data index",
    "memory.copy": "(destination memory, source memory)",
    "table.init": "(element index, table index)",
    "elem": "int element index",
    "table.copy": "(destination table, source table)",
    "shuffle": "tuple of 16 lane indices",
    "lane": "int lane index",
    "memarg_lane": "(align exponent, offset, lane index, memory index)",
    "tag": "int tag index",
    "try_table": "(block type, catches: tuple of (catch kind 0-3, tag index or None, label index))",
    "type_field": "(type index, field index)",
    "type_size": "(type index, element count)",
    "type_data": "(type index, data index)",
    "type_elem": "(type index, element index)",
    "type_pair": "(destination type index, source type index)",
    "heaptype": "int heap type (the instruction says whether the reference type is nullable)",
    "br_on_cast": "(label index, source RefType, target RefType)",
}

CONTROL_KINDS = (
    "plain",
    "unreachable",
    "block",
    "loop",
    "if",
    "else",
    "end",
    "br",
    "br_if",
    "br_table",
    "return",
    "call",
    "call_indirect",
    "throw",
    "throw_ref",
    "try_table",
    "return_call",
    "return_call_indirect",
    "call_ref",
    "return_call_ref",
    "br_on_null",
    "br_on_non_null",
    "br_on_cast",
    "br_on_cast_fail",
)
"""How an instruction moves control; ``plain`` ones fall through to the next."""

STRUCTURED = frozenset(("block", "loop", "if", "else", "end", "try_table"))
"""The control kinds that open, divide or close a construct."""

FUEL_CLASSES = ("free", "one", "bulk")
"""What Wasmtime charges: nothing; 1; 1 and the operation's length (bytes, elements or pages)."""

PROPOSALS = (
    "mvp",
    "mutable-global",
    "nontrapping-float-to-int",
    "sign-extension",
    "multi-value",
    "bulk-memory",
    "reference-types",
    "simd",
    "exception-handling",
    "extended-const",
    "relaxed-simd",
    "wide-arithmetic",
    "tail-call",
    "function-references",
    "multi-memory",
    "memory64",
    "custom-page-sizes",
    "threads",
    "gc",
)
"""The proposals the rows (and the rest of a module) may belong to, in the order they were standardised."""

SIMD_PROPOSALS = frozenset(("simd", "relaxed-simd"))
"""The proposals whose instructions work on v128 lanes (semantics in :mod:`wasmrun.semantics.simd`)."""

PREFIXES = frozenset((0xFB, 0xFC, 0xFD, 0xFE))
"""The bytes that start a prefixed opcode (its subopcode follows as a u32)."""

BLOCKTYPE_EMPTY = -64
"""The block type of a block without parameters or results (the byte 0x40 as an s33)."""

_LETTER = {"i": ValType.I32, "I": ValType.I64, "f": ValType.F32, "F": ValType.F64, "v": ValType.V128}


def prefixed(prefix: int, sub: int) -> int:
    """The opcode of a prefixed instruction."""
    return prefix << 16 | sub


class InstructionInfo(NamedTuple):
    """What the table says about one instruction (see the module docstring).  A named tuple: the
    table makes some 450 at start-up, and a tuple is made several times faster than a frozen dataclass."""

    opcode: int
    mnemonic: str
    immediate: str
    # Fixed stack signature, or None when the validator types it by its own rule.
    params: tuple[ValType, ...] | None
    results: tuple[ValType, ...] | None
    # Bytes accessed, for memory instructions (natural alignment = log2 of it).
    width: int | None
    control: str = "plain"
    proposal: str = "mvp"
    fuel: str = "one"

    @property
    def prefix(self) -> int | None:
        return self.opcode >> 16 if self.opcode > 0xFF else None

    @property
    def encoding(self) -> bytes:
        """The opcode's bytes (the subopcode of a prefixed one as a u32 LEB128)."""
        if self.opcode <= 0xFF:
            return bytes((self.opcode,))
        sub = self.opcode & 0xFFFF
        out = bytearray((self.opcode >> 16,))
        while True:
            byte = sub & 0x7F
            sub >>= 7
            if sub:
                out.append(byte | 0x80)
            else:
                out.append(byte)
                return bytes(out)

    @property
    def natural_alignment(self) -> int:
        """log2 of the access width: the largest alignment exponent allowed (0 for non-memory ones)."""
        return self.width.bit_length() - 1 if self.width is not None else 0

    @property
    def is_simd(self) -> bool:
        """An instruction of the SIMD proposals (fixed-width or relaxed): it works on v128 lanes."""
        return self.proposal in SIMD_PROPOSALS

    @property
    def is_numeric(self) -> bool:
        """A numeric instruction: a fixed effect, no immediate, no memory access."""
        return self.params is not None and self.immediate == "none" and self.width is None

    @property
    def is_load(self) -> bool:
        return self.immediate == "memarg" and self.results != ()

    @property
    def is_store(self) -> bool:
        return self.immediate == "memarg" and self.results == ()

    @property
    def ends_segment(self) -> bool:
        """Whether Wasmtime adds up fuel here: control may leave straight-line code (all but ``block``)."""
        return self.control not in ("plain", "block", "try_table")


def _parse_effect(effect: str) -> tuple[tuple[ValType, ...], tuple[ValType, ...]]:
    parsed = _EFFECTS.get(effect)
    if parsed is None:
        params, results = effect.split(">")
        parsed = _EFFECTS[effect] = tuple(_LETTER[c] for c in params), tuple(_LETTER[c] for c in results)
    return parsed


_EFFECTS: dict[str, tuple[tuple[ValType, ...], tuple[ValType, ...]]] = {}  # the table repeats few effects


def _opcode(code: str) -> int:
    if len(code) > 2:  # PREFIX.SUB
        prefix, sub = code.split(".")
        return prefixed(int(prefix, 16), int(sub, 16))
    return int(code, 16)


def _build(rows: str) -> dict[int, InstructionInfo]:
    table: dict[int, InstructionInfo] = {}
    proposal = "mvp"
    make = InstructionInfo
    for line in rows.splitlines():
        fields = line.split()
        if not fields:
            continue
        if fields[0][0] == "[":
            proposal = line.strip("[] ")
            if proposal not in PROPOSALS:
                raise RuntimeError(f"unknown proposal {proposal!r} in the instruction table")
            continue
        code, mnemonic, immediate, *extra = fields
        opcode = _opcode(code)
        params = results = width = None
        control, fuel = "plain", "one"
        for field in extra:
            if field[0] == "@":
                width = int(field[1:])
            elif field.startswith("control="):
                control = field[8:]
            elif field.startswith("fuel="):
                fuel = field[5:]
            elif ">" in field:
                params, results = _parse_effect(field)
            else:
                raise RuntimeError(f"malformed row: {line}")
        if opcode in table:
            raise RuntimeError(f"duplicate opcode {code}")
        if immediate not in IMMEDIATE_KINDS or control not in CONTROL_KINDS or fuel not in FUEL_CLASSES:
            raise RuntimeError(f"malformed row: {line}")
        table[opcode] = make(opcode, mnemonic, immediate, params, results, width, control, proposal, fuel)
    return table


OPCODES: dict[int, InstructionInfo] = _build(ROWS)
"""Opcode (int, see module docstring) -> :class:`InstructionInfo`."""

BY_MNEMONIC: dict[str, InstructionInfo] = {}
for _info in OPCODES.values():
    # ``select`` has two encodings; the text name means the untyped one unless
    # a result type follows, which the text parser handles.
    BY_MNEMONIC.setdefault(_info.mnemonic, _info)
del _info

CONTROL: dict[int, str] = {opcode: info.control for opcode, info in OPCODES.items() if info.control != "plain"}
"""Opcode -> control kind, for the instructions that move control."""


def opcodes_of(control: str) -> frozenset[int]:
    """The opcodes of the instructions of one control kind."""
    return frozenset(opcode for opcode, kind in CONTROL.items() if kind == control)


def opcodes_in(proposal: str) -> frozenset[int]:
    """The opcodes of the instructions a proposal brought."""
    return frozenset(opcode for opcode, info in OPCODES.items() if info.proposal == proposal)


def mnemonic_of(opcode: int) -> str:
    """The mnemonic of the instruction ``opcode``."""
    return OPCODES[opcode].mnemonic


def opcode_of(mnemonic: str) -> int:
    """The opcode of the instruction called ``mnemonic`` (the untyped ``select`` for ``select``)."""
    return BY_MNEMONIC[mnemonic].opcode
