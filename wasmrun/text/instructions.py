"""Instructions and type uses of the text format, read and encoded (spec 6.5, 6.6.2).

:class:`InstructionParser` holds what an instruction can refer to (types,
identifiers of every index space, the function's locals and the enclosing
labels) and encodes plain and folded instructions straight to bytes.  The
module parser (:mod:`wasmrun.text.wat`) fills that context and calls
:meth:`InstructionParser._instrs` for function bodies and constant expressions.

Encodings come from :data:`wasmrun.instructions.BY_MNEMONIC`; each immediate kind of
the opcode table has one reader here (``_IMMEDIATES``).  Identifiers are
resolved; numeric indices are written as they are, even out of range, for the
validator to judge.

Nesting costs no Python recursion, so text nests as deep as the binary format
does (its limits are the validator's to enforce).  One loop,
:meth:`InstructionParser._run`, reads the tokens, and a stack of *frames* holds
the constructs still open around the current token, innermost last.  A frame's
kind says what its contents are and how they end: ``instr*``, up to ``end``,
``else`` or ``)``, in a block, loop or if (plain or folded); ``foldedinstr*``,
up to the first token that is not ``(``, in a folded instruction's operands and
a folded if's condition.  At that token the frame's closer (``_CLOSERS``) reads
the closing tokens, writes what follows the contents (``else``, ``end``, or the
folded instruction itself, which the binary puts after its operands), then pops
the frame or replaces it with the construct's next part (``then`` by ``else``).
Tokens are read in textual order, as a recursive descent reads them, so the
bytes, the order in which block types join the type section, and the first
error are the same.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from wasmrun.deftypes import SubType
from wasmrun.instructions import BY_MNEMONIC, OPCODES, STRUCTURED, InstructionInfo
from wasmrun.text.cursor import Cursor
from wasmrun.text.encoder import sleb, u32, vec
from wasmrun.text.lexer import Token, is_id, is_nat, is_number
from wasmrun.text.literals import parse_f32, parse_f64, parse_int, parse_nat, signed
from wasmrun.types import (
    HEAP_BY_TEXT,
    SHORTHAND_TEXT,
    FuncType,
    RefType,
    ValType,
    ValueType,
    as_ref,
    encode_valtype,
    ref_type,
)

VALTYPES: dict[str, ValueType] = {
    "i32": ValType.I32,
    "i64": ValType.I64,
    "f32": ValType.F32,
    "f64": ValType.F64,
    "v128": ValType.V128,
    "funcref": ValType.FUNCREF,
    "externref": ValType.EXTERNREF,
    "exnref": ValType.EXNREF,
}
REFTYPES: dict[str, ValueType] = {"funcref": ValType.FUNCREF, "externref": ValType.EXTERNREF, "exnref": ValType.EXNREF}
REFTYPES.update({text: RefType(True, heap) for text, heap in SHORTHAND_TEXT.items()})  # anyref ... (GC)
VALTYPES.update(REFTYPES)
ABSTRACT_HEAP_TYPES = HEAP_BY_TEXT

# Index spaces: the word in "duplicate ..." and the one in "unknown ...".
SPACES = {
    "type": ("type", "type"),
    "func": ("func", "function"),
    "table": ("table", "table"),
    "memory": ("memory", "memory"),
    "global": ("global", "global"),
    "elem": ("elem", "elem segment"),
    "data": ("data", "data segment"),
    "tag": ("tag", "tag"),
}
_BLOCK_OPCODES = {kind: BY_MNEMONIC[kind].encoding for kind in ("block", "loop", "if", "try_table")}
# try_table's catch clauses, by their keyword: the clause's code and whether it names a tag.
_CATCHES = {"catch": (0, True), "catch_ref": (1, True), "catch_all": (2, False), "catch_all_ref": (3, False)}
_ELSE = BY_MNEMONIC["else"].opcode
END = BY_MNEMONIC["end"].opcode
_SELECT = BY_MNEMONIC["select"]
_SELECT_TYPED = next(info for info in OPCODES.values() if info.immediate == "select_t")
_PACK_U32 = struct.Struct("<I").pack
_PACK_U64 = struct.Struct("<Q").pack

# mnemonic -> (opcode bytes, immediate kind or None, InstructionInfo).  ``select`` is
# read by its own rule because a result type changes its opcode.
_INSTRUCTIONS: dict[str, tuple[bytes, str | None, InstructionInfo]] = {
    mnemonic: (info.encoding, None if info.immediate == "none" else info.immediate, info)
    for mnemonic, info in BY_MNEMONIC.items()
    if info.control not in STRUCTURED
}
_INSTRUCTIONS["select"] = (b"", "select", _SELECT)
# ref.test and ref.cast: the reference type's nullability picks the opcode.
for _mnemonic in ("ref.test", "ref.cast"):
    _INSTRUCTIONS[_mnemonic] = (b"", "cast", BY_MNEMONIC[_mnemonic])
    del _INSTRUCTIONS[_mnemonic + "_null"]

# An open construct: (kind, bytes, label).  The bytes are written when its
# contents end: a folded instruction's encoding, or a folded if's block type;
# the label is a folded if's, bound once its condition is read.  Kinds whose
# contents are instr* come first, then those whose contents are foldedinstr*.
_Frame = tuple[int, bytes, str | None]
_EXPRESSION = 0  # instr* of an expression: ends at ``)``, ``end`` or ``else``, left to the caller
_BLOCK = 1  # instr* end id? (a plain block or loop, or a plain if after its else)
_THEN = 2  # instr* (else id? instr*)? end id? (a plain if)
_FOLDED_BLOCK = 3  # instr* ) (a folded block or loop)
_FOLDED_THEN = 4  # instr* ) ( else instr* )? )
_FOLDED_ELSE = 5  # instr* ) )
_OPERANDS = 6  # foldedinstr* ) (a folded plain instruction)
_CONDITION = 7  # foldedinstr* ( then (a folded if)
_EXPRESSION_FRAME: _Frame = (_EXPRESSION, b"", None)
_BLOCK_FRAME: _Frame = (_BLOCK, b"", None)
_THEN_FRAME: _Frame = (_THEN, b"", None)
_FOLDED_BLOCK_FRAME: _Frame = (_FOLDED_BLOCK, b"", None)
_FOLDED_THEN_FRAME: _Frame = (_FOLDED_THEN, b"", None)
_FOLDED_ELSE_FRAME: _Frame = (_FOLDED_ELSE, b"", None)


class InstructionParser(Cursor):
    """Reads instructions and type uses in the context of one module."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        super().__init__(text, tokens)
        self.types: list[Any] = []  # composite types (FuncType, StructType, ArrayType)
        self.type_index_of: dict[FuncType, int] = {}  # each plain function type's first index
        self.field_ids: dict[int, dict[str, int]] = {}  # a struct type's field identifiers
        # The type section: recursion groups (written as ``rec``?, their sub types).
        self.type_groups: list[tuple[bool, list[SubType]]] = []
        self.ids: dict[str, dict[str, int]] = {space: {} for space in SPACES}
        self.uses_data_count = False  # memory.init or data.drop seen
        # The function being encoded.
        self.locals: dict[str, int] = {}
        self.labels: list[str | None] = []

    # --- Types ----------------------------------------------------------------

    def _valtype(self) -> ValueType:
        valtype = VALTYPES.get(self.tok)
        if valtype is None:
            if self.at_form("ref"):
                return self._ref_form()
            self.unexpected()
        self.i += 1
        return valtype

    def _reftype(self) -> ValueType:
        reftype = REFTYPES.get(self.tok)
        if reftype is None:
            if self.at_form("ref"):
                return self._ref_form()
            self.unexpected()
        self.i += 1
        return reftype

    def at_reftype(self) -> bool:
        return self.tok in REFTYPES or self.at_form("ref")

    def _ref_form(self) -> ValueType:
        """``(ref null? heaptype)``, at its ``(``."""
        self.i += 2
        nullable = self.tok == "null"
        if nullable:
            self.i += 1
        heap = self._heaptype()
        self.expect(")")
        return ref_type(nullable, heap)

    def _heaptype(self) -> int:
        """``func``, ``extern`` or a type index."""
        heap = ABSTRACT_HEAP_TYPES.get(self.tok)
        if heap is not None:
            self.i += 1
            return heap
        if not self._is_index():
            self.unexpected()
        return self._index("type")

    def _signature(self, named: bool) -> tuple[list[ValueType], list[tuple[str, int] | None], list[ValueType]]:
        """``param* result*``: the types, and each parameter's identifier with its token index."""
        params: list[ValueType] = []
        names: list[tuple[str, int] | None] = []
        results: list[ValueType] = []
        toks = self.toks
        while self.at_form("param"):
            self.i += 2
            if is_id(self.tok):
                if not named:
                    self.unexpected()
                names.append((self.tok, self.i))
                self.i += 1
                params.append(self._valtype())
                self.expect(")")
                continue
            while toks[self.i][0] != ")":
                params.append(self._valtype())
                names.append(None)
            self.i += 1
        while self.at_form("result"):
            self.i += 2
            while toks[self.i][0] != ")":
                results.append(self._valtype())
            self.i += 1
        if self.at_form("param"):  # parameters after results
            self.unexpected(self.i + 1)
        return params, names, results

    def _type_index(self, params: list[ValueType], results: list[ValueType]) -> int:
        """The index of a function type, added at the end if no type matches."""
        function_type = FuncType(tuple(params), tuple(results))
        index = self.type_index_of.get(function_type)
        if index is None:
            index = len(self.types)
            self.types.append(function_type)
            self.type_groups.append((False, [SubType(True, (), function_type)]))
            self.type_index_of[function_type] = index
        return index

    def _typeuse(self, named: bool) -> tuple[int, int | None, list[tuple[str, int] | None]]:
        """``(type x)? param* result*``: type index, parameter count (if known), parameter names."""
        explicit = None
        at = self.i
        if self.at_form("type"):
            self.i += 2
            at = self.i
            explicit = self._index("type")
            self.expect(")")
        params, names, results = self._signature(named)
        if explicit is None:
            return self._type_index(params, results), len(params), names
        if params or results:
            if explicit >= len(self.types):
                self.error("unknown type", at)
            if self.types[explicit] != FuncType(tuple(params), tuple(results)):
                self.error("inline function type", at)
            return explicit, len(params), names
        known = explicit < len(self.types) and self.types[explicit].__class__ is FuncType
        count = len(self.types[explicit].params) if known else None
        return explicit, count, []

    def _blocktype(self) -> bytes:
        if self.at_form("type"):
            index, _, _ = self._typeuse(named=False)
            return sleb(index)
        params, _, results = self._signature(named=False)
        if not params:
            if not results:
                return b"\x40"
            if len(results) == 1:
                return encode_valtype(results[0])
        return sleb(self._type_index(params, results))

    # --- Indices ----------------------------------------------------------------

    def _index(self, space: str) -> int:
        token = self.tok
        if token[:1] == "$":
            index = self.ids[space].get(token)
            if index is None:
                if not is_id(token):
                    self.unexpected()
                self.error(f"unknown {SPACES[space][1]} {token}")
            self.i += 1
            return index
        return self.nat()

    def _is_index(self, ahead: int = 0) -> bool:
        """Whether the current token (or one ``ahead``) can be an index: a nat or an identifier."""
        token = self.toks[self.i + ahead][0]
        first = token[:1]
        return first == "$" or ("0" <= first <= "9" and is_nat(token))

    def _optional_index(self, space: str) -> int:
        return self._index(space) if self._is_index() else 0

    def _skip_id(self) -> None:
        if is_id(self.tok):
            self.i += 1

    def _folded_expr(self) -> bytes:
        """One folded instruction as a constant expression."""
        self.labels = []
        out = bytearray()
        self._run(out, [])
        out.append(END)
        return bytes(out)

    def _expr(self) -> bytes:
        """Instructions up to the closing parenthesis, then ``end``."""
        self.locals = {}
        self.labels = []
        out = bytearray()
        self._instrs(out)
        out.append(END)
        return bytes(out)

    # --- Instructions -----------------------------------------------------------

    def _instrs(self, out: bytearray) -> None:
        """Plain and folded instructions up to ``)``, ``end`` or ``else`` (not consumed)."""
        self._run(out, [_EXPRESSION_FRAME])

    def _run(self, out: bytearray, stack: list[_Frame]) -> None:
        """Encode instructions until the frames of ``stack`` are closed (see the module docstring).

        With an empty stack, one folded instruction, whose ``(`` is the current token.
        """
        toks = self.toks
        instructions = _INSTRUCTIONS
        immediates = _IMMEDIATES
        closers = _CLOSERS
        operands = _OPERANDS
        kind = stack[-1][0] if stack else operands  # the innermost frame's
        while True:
            token = toks[self.i][0]
            if token == "(":
                keyword = toks[self.i + 1][0]
                entry = instructions.get(keyword)
                if entry is not None:
                    self.i += 2
                    instruction = entry[0] if entry[1] is None else entry[0] + immediates[entry[1]](self, entry[2])
                    if toks[self.i][0] != ")":
                        stack.append((operands, instruction, None))
                        kind = operands
                        continue
                    self.i += 1  # no operands: no frame
                    out += instruction
                    if not stack:
                        return
                elif keyword in _BLOCK_OPCODES:
                    self.i += 2
                    kind = self._open_folded_block(out, stack, keyword)
                elif keyword == "then" and kind == _CONDITION:
                    self._end_condition(out, stack)
                    kind = _FOLDED_THEN
                else:
                    self.unexpected(self.i + 1)
                continue
            if kind < operands:
                entry = instructions.get(token)
                if entry is not None:
                    while entry is not None:  # plain instructions, in a row
                        self.i += 1
                        out += entry[0]
                        if entry[1] is not None:
                            out += immediates[entry[1]](self, entry[2])
                        entry = instructions.get(toks[self.i][0])
                    continue
                if token in _BLOCK_OPCODES:
                    kind = self._open_block(out, stack, token)
                    continue
                if token == "end" and _BLOCK <= kind <= _THEN:  # a plain block's end: _end_block, inline
                    self.i += 1
                    label = self.labels.pop()
                    if toks[self.i][0][:1] == "$":
                        self._closing_label(label)
                    out.append(END)
                    stack.pop()
                elif token != ")" and token != "end" and token != "else":
                    self.unexpected()
                else:
                    closers[kind](self, out, stack)
            elif token == ")" and kind == operands:  # the common case of _end_operands, inline
                self.i += 1
                out += stack.pop()[1]
            else:
                closers[kind](self, out, stack)
            if not stack:
                return
            kind = stack[-1][0]

    def _label_binding(self) -> str | None:
        token = self.tok
        if is_id(token):
            self.i += 1
            return token
        return None

    def _closing_label(self, label: str | None) -> None:
        """An optional identifier after ``end`` or ``else``, which must repeat the block's label."""
        token = self.tok
        if token[:1] == "$" and is_id(token):
            if token != label:
                self.error("mismatching label")
            self.i += 1

    def _open_block(self, out: bytearray, stack: list[_Frame], keyword: str) -> int:
        """``block``, ``loop`` or ``if`` with its label and block type; the new frame's kind."""
        self.i += 1
        label = self._label_binding()
        out += _BLOCK_OPCODES[keyword]
        out += self._blocktype()
        if keyword == "try_table":
            out += self._catches()
        self.labels.append(label)
        if keyword == "if":
            stack.append(_THEN_FRAME)
            return _THEN
        stack.append(_BLOCK_FRAME)
        return _BLOCK

    def _open_folded_block(self, out: bytearray, stack: list[_Frame], keyword: str) -> int:
        """The label and block type after ``( block``, ``( loop`` or ``( if``; the new frame's kind."""
        label = self._label_binding()
        blocktype = self._blocktype()
        if keyword == "if":  # the condition comes first, outside the if's label
            stack.append((_CONDITION, blocktype, label))
            return _CONDITION
        out += _BLOCK_OPCODES[keyword]
        out += blocktype
        if keyword == "try_table":
            out += self._catches()
        self.labels.append(label)
        stack.append(_FOLDED_BLOCK_FRAME)
        return _FOLDED_BLOCK

    # Closers, one per frame kind (``_CLOSERS``): the current token ends the frame's contents.

    def _end_expression(self, _out: bytearray, stack: list[_Frame]) -> None:
        stack.pop()

    def _end_block(self, out: bytearray, stack: list[_Frame]) -> None:
        """``end id?`` (inline in _run; here when another token comes instead)."""
        self.expect("end")
        self._closing_label(self.labels.pop())
        out.append(END)
        stack.pop()

    def _end_then(self, out: bytearray, stack: list[_Frame]) -> None:
        """``else id?``, the else part following; or the end."""
        if self.tok != "else":
            self._end_block(out, stack)
            return
        self.i += 1
        self._closing_label(self.labels[-1])
        out.append(_ELSE)
        stack[-1] = _BLOCK_FRAME

    def _end_folded_block(self, out: bytearray, stack: list[_Frame]) -> None:
        self.expect(")")
        self.labels.pop()
        out.append(END)
        stack.pop()

    def _end_folded_then(self, out: bytearray, stack: list[_Frame]) -> None:
        """``)``, then ``( else`` and the else part, or the if's ``)``."""
        self.expect(")")
        if not self.at_form("else"):
            self._end_folded_block(out, stack)
            return
        self.i += 2
        out.append(_ELSE)
        stack[-1] = _FOLDED_ELSE_FRAME

    def _end_folded_else(self, out: bytearray, stack: list[_Frame]) -> None:
        self.expect(")")
        self._end_folded_block(out, stack)

    def _end_operands(self, out: bytearray, stack: list[_Frame]) -> None:
        """A folded instruction's ``)`` (inline in _run; here when another token comes instead)."""
        self.expect(")")
        out += stack.pop()[1]

    def _end_condition(self, out: bytearray, stack: list[_Frame]) -> None:
        """``( then``: the if itself, then its then part."""
        _, blocktype, label = stack[-1]
        out += _BLOCK_OPCODES["if"]
        out += blocktype
        self.labels.append(label)
        self.expect("(")
        self.expect("then")
        stack[-1] = _FOLDED_THEN_FRAME

    def _catches(self) -> bytes:
        """try_table's ``(catch x l)``, ``(catch_ref x l)``, ``(catch_all l)``, ``(catch_all_ref l)`` clauses;
        their labels are those around the try_table (its own is not bound yet)."""
        clauses = []
        while self.tok == "(" and self.toks[self.i + 1][0] in _CATCHES:
            code, tagged = _CATCHES[self.toks[self.i + 1][0]]
            self.i += 2
            clause = bytes((code,))
            if tagged:
                clause += u32(self._index("tag"))
            clause += u32(self._label())
            self.expect(")")
            clauses.append(clause)
        return vec(clauses)

    # Immediate readers, one per immediate kind of the opcode table.

    def _imm_label(self, _info: InstructionInfo) -> bytes:
        return u32(self._label())

    def _label(self) -> int:
        token = self.tok
        if token[:1] == "$":
            labels = self.labels
            for depth in range(len(labels)):
                if labels[-1 - depth] == token:
                    self.i += 1
                    return depth
            if not is_id(token):
                self.unexpected()
            self.error(f"unknown label {token}")
        return self.nat()

    def _imm_br_table(self, _info: InstructionInfo) -> bytes:
        labels = [self._label()]
        while self._is_index():
            labels.append(self._label())
        return vec(u32(label) for label in labels[:-1]) + u32(labels[-1])

    def _imm_func(self, _info: InstructionInfo) -> bytes:
        return u32(self._index("func"))

    def _imm_call_indirect(self, _info: InstructionInfo) -> bytes:
        table = self._optional_index("table")
        type_index, _, _ = self._typeuse(named=False)
        return u32(type_index) + u32(table)

    def _imm_local(self, _info: InstructionInfo) -> bytes:
        token = self.tok
        if token[:1] == "$":
            index = self.locals.get(token)
            if index is None:
                if not is_id(token):
                    self.unexpected()
                self.error(f"unknown local {token}")
            self.i += 1
            return u32(index)
        return u32(self.nat())

    def _imm_tag(self, _info: InstructionInfo) -> bytes:
        return u32(self._index("tag"))

    def _imm_global(self, _info: InstructionInfo) -> bytes:
        return u32(self._index("global"))

    def _imm_table(self, _info: InstructionInfo) -> bytes:
        return u32(self._optional_index("table"))

    def _imm_memory(self, _info: InstructionInfo) -> bytes:
        return u32(self._optional_index("memory"))

    def _memarg(self, info: InstructionInfo) -> bytes:
        # A memory index first (multiple memories): for a lane access, only when more follows it.
        memory = 0
        if self._is_index() and (
            info.immediate == "memarg"
            or self._is_index(1)
            or self.toks[self.i + 1][0].startswith(("offset=", "align="))
        ):
            memory = self._index("memory")
        offset = 0
        token = self.tok
        if token.startswith("offset="):
            # A u64 (memory64); the validator bounds a 32-bit memory's.
            value = self._memarg_value(token[7:], "i64 constant out of range", 64)
            offset = value
            token = self.tok
        align = info.natural_alignment
        if token.startswith("align="):
            value = self._memarg_value(token[6:], "i64 constant out of range", 64)
            if value == 0 or value & (value - 1):
                self.error("alignment must be a power of two", self.i - 1)
            align = value.bit_length() - 1
        if memory:
            return u32(align | 0x40) + u32(memory) + u32(offset)
        return u32(align) + u32(offset)

    def _memarg_value(self, text: str, message: str, bits: int = 32) -> int:
        try:
            value = parse_nat(text, bits, message)
        except ValueError as error:
            self.error(str(error))
        if value is None:
            self.unexpected()
        self.i += 1
        return value

    def _imm_memarg(self, info: InstructionInfo) -> bytes:
        return self._memarg(info)

    def _imm_i32(self, _info: InstructionInfo) -> bytes:
        return sleb(signed(self.literal(parse_int, 32), 32))

    def _imm_i64(self, _info: InstructionInfo) -> bytes:
        return sleb(signed(self.literal(parse_int, 64), 64))

    def _imm_f32(self, _info: InstructionInfo) -> bytes:
        return _PACK_U32(self.literal(parse_f32))

    def _imm_f64(self, _info: InstructionInfo) -> bytes:
        return _PACK_U64(self.literal(parse_f64))

    def _imm_select(self, _info: InstructionInfo) -> bytes:
        if not self.at_form("result"):
            return _SELECT.encoding
        types: list[ValueType] = []
        while self.at_form("result"):
            self.i += 2
            while self.tok != ")":
                types.append(self._valtype())
            self.i += 1
        return _SELECT_TYPED.encoding + vec(encode_valtype(t) for t in types)

    def _imm_reftype(self, _info: InstructionInfo) -> bytes:
        return RefType(True, self._heaptype()).encoding[1:]

    def _ref_operand(self) -> RefType:
        """A reference type written out or as a short form (``anyref``), as a RefType."""
        reftype = as_ref(self._reftype())
        if reftype is None:
            self.unexpected()
        return reftype

    def _imm_cast(self, info: InstructionInfo) -> bytes:
        reftype = self._ref_operand()
        opcode = BY_MNEMONIC[info.mnemonic + "_null"] if reftype.nullable else info
        return opcode.encoding + reftype.encoding[1:]

    def _imm_heaptype(self, _info: InstructionInfo) -> bytes:
        return RefType(False, self._heaptype()).encoding[1:]

    def _imm_br_on_cast(self, _info: InstructionInfo) -> bytes:
        label = self._label()
        source = self._ref_operand()
        target = self._ref_operand()
        flags = int(source.nullable) | int(target.nullable) << 1
        return bytes((flags,)) + u32(label) + source.encoding[1:] + target.encoding[1:]

    def _imm_type_field(self, _info: InstructionInfo) -> bytes:
        type_index = self._index("type")
        token = self.tok
        if token[:1] == "$":
            field = self.field_ids.get(type_index, {}).get(token)
            if field is None:
                if not is_id(token):
                    self.unexpected()
                self.error(f"unknown field {token}")
            self.i += 1
            return u32(type_index) + u32(field)
        return u32(type_index) + u32(self.nat())

    def _imm_type_size(self, _info: InstructionInfo) -> bytes:
        type_index = self._index("type")
        return u32(type_index) + u32(self.nat())

    def _imm_type_data(self, _info: InstructionInfo) -> bytes:
        type_index = self._index("type")
        self.uses_data_count = True
        return u32(type_index) + u32(self._index("data"))

    def _imm_type_elem(self, _info: InstructionInfo) -> bytes:
        type_index = self._index("type")
        return u32(type_index) + u32(self._index("elem"))

    def _imm_type_pair(self, _info: InstructionInfo) -> bytes:
        destination = self._index("type")
        return u32(destination) + u32(self._index("type"))

    def _imm_type(self, _info: InstructionInfo) -> bytes:
        return u32(self._index("type"))

    def _imm_memory_init(self, _info: InstructionInfo) -> bytes:
        self.uses_data_count = True
        # ``memory.init x`` names the data segment; two indices are a memory and a data segment.
        memory = self._index("memory") if self._is_index(1) else 0
        return u32(self._index("data")) + u32(memory)

    def _imm_data(self, _info: InstructionInfo) -> bytes:
        self.uses_data_count = True
        return u32(self._index("data"))

    def _imm_memory_copy(self, _info: InstructionInfo) -> bytes:
        if self._is_index():
            destination = self._index("memory")
            return u32(destination) + u32(self._index("memory"))
        return b"\x00\x00"

    def _imm_table_init(self, _info: InstructionInfo) -> bytes:
        # ``table.init y`` names the element segment; two indices are a table and a segment.
        table = self._index("table") if self._is_index(1) else 0
        return u32(self._index("elem")) + u32(table)

    def _imm_elem(self, _info: InstructionInfo) -> bytes:
        return u32(self._index("elem"))

    def _imm_table_copy(self, _info: InstructionInfo) -> bytes:
        if self._is_index():
            destination = self._index("table")
            return u32(destination) + u32(self._index("table"))
        return b"\x00\x00"

    def _imm_v128(self, _info: InstructionInfo) -> bytes:
        _, value = self.v128_lanes()
        return value.to_bytes(16, "little")

    def _imm_shuffle(self, _info: InstructionInfo) -> bytes:
        start = self.i
        toks = self.toks
        while is_number(toks[self.i][0]):
            self.i += 1
        if self.i - start != 16:
            self.fail_unless_lexable()
            self.error("invalid lane length", start)
        lanes = bytearray()
        for at in range(start, self.i):
            lane = _lane_index(toks[at][0])
            if lane is None:
                self.error("malformed lane index: i8 constant out of range", at)
            lanes.append(lane)
        return bytes(lanes)

    def _lane(self) -> int:
        token = self.tok
        if not is_nat(token):
            self.unexpected()
        lane = _lane_index(token)
        if lane is None:
            self.error("malformed lane index: i8 constant out of range")  # (2.0 and 3.0 texts)
        self.i += 1
        return lane

    def _imm_lane(self, _info: InstructionInfo) -> bytes:
        return bytes((self._lane(),))

    def _imm_memarg_lane(self, info: InstructionInfo) -> bytes:
        memarg = self._memarg(info)
        return memarg + bytes((self._lane(),))


def _lane_index(token: str) -> int | None:
    """A lane index literal: a nat below 256."""
    try:
        return parse_nat(token, 8)
    except ValueError:
        return None


_IMMEDIATES: dict[str, Callable[[InstructionParser, InstructionInfo], bytes]] = {
    "label": InstructionParser._imm_label,
    "br_table": InstructionParser._imm_br_table,
    "func": InstructionParser._imm_func,
    "call_indirect": InstructionParser._imm_call_indirect,
    "local": InstructionParser._imm_local,
    "global": InstructionParser._imm_global,
    "table": InstructionParser._imm_table,
    "memarg": InstructionParser._imm_memarg,
    "memory": InstructionParser._imm_memory,
    "i32": InstructionParser._imm_i32,
    "i64": InstructionParser._imm_i64,
    "f32": InstructionParser._imm_f32,
    "f64": InstructionParser._imm_f64,
    "select": InstructionParser._imm_select,
    "reftype": InstructionParser._imm_reftype,
    "type": InstructionParser._imm_type,
    "memory.init": InstructionParser._imm_memory_init,
    "data": InstructionParser._imm_data,
    "memory.copy": InstructionParser._imm_memory_copy,
    "table.init": InstructionParser._imm_table_init,
    "elem": InstructionParser._imm_elem,
    "table.copy": InstructionParser._imm_table_copy,
    "v128": InstructionParser._imm_v128,
    "shuffle": InstructionParser._imm_shuffle,
    "lane": InstructionParser._imm_lane,
    "memarg_lane": InstructionParser._imm_memarg_lane,
    "tag": InstructionParser._imm_tag,
    "cast": InstructionParser._imm_cast,
    "heaptype": InstructionParser._imm_heaptype,
    "br_on_cast": InstructionParser._imm_br_on_cast,
    "type_field": InstructionParser._imm_type_field,
    "type_size": InstructionParser._imm_type_size,
    "type_data": InstructionParser._imm_type_data,
    "type_elem": InstructionParser._imm_type_elem,
    "type_pair": InstructionParser._imm_type_pair,
}
_CLOSERS: tuple[Callable[[InstructionParser, bytearray, list[_Frame]], None], ...] = (
    InstructionParser._end_expression,  # _EXPRESSION
    InstructionParser._end_block,  # _BLOCK
    InstructionParser._end_then,  # _THEN
    InstructionParser._end_folded_block,  # _FOLDED_BLOCK
    InstructionParser._end_folded_then,  # _FOLDED_THEN
    InstructionParser._end_folded_else,  # _FOLDED_ELSE
    InstructionParser._end_operands,  # _OPERANDS
    InstructionParser._end_condition,  # _CONDITION
)
# Read by the parser's own rules: no immediate; a block type (with the construct); a typed select (as select).
_OWN_RULES = ("none", "blocktype", "select_t", "try_table")


def covers(info: InstructionInfo) -> bool:
    """Whether the text parser writes this instruction's immediates (the completeness test asks)."""
    return info.immediate in _IMMEDIATES or info.immediate in _OWN_RULES
