"""Validation (spec chapter 3): is a decoded module well-typed?

:func:`validate_module` checks a :class:`~wasmrun.module.Module` against the
WebAssembly 2.0 rules and raises :class:`~wasmrun.errors.ValidationError` with
the reference interpreter's text (``type mismatch``, ``unknown local 2``, ...)
at the first problem.  Function bodies are decoded here, one at a time; a
:class:`~wasmrun.errors.DecodeError` from a body is malformedness and
propagates as-is, and it wins over any validation error (the reference
interpreter decodes everything before it validates anything).

How the body check is made fast (it runs over every instruction of every
module loaded, so it is written for CPython's sake):

* The algorithm is the spec appendix's: an operand stack and a control stack.
  The operand stack ``vals`` is a list of plain ints, value types by their
  binary code, plus two markers: ``UNKNOWN`` (0), the spec's *Unknown* type of a
  value popped from the polymorphic stack of unreachable code, and ``BARRIER``
  (-1), pushed at the base of every control frame.  Because no value type
  equals ``BARRIER``, a fast-path test like ``vals[-1] == I32`` can never
  succeed by reading into an enclosing frame, so the fast paths need no height
  check; anything unusual (a barrier, an ``UNKNOWN``, a wrong type) falls to
  :func:`_pop`, which implements ``pop_vals`` to the letter and finds the error.
* :data:`_DISPATCH` maps every opcode (a list index, faster than a dict) to
  ``(kind, a, b, c)``: a kind, tested in an ``if`` chain ordered by how often
  compilers emit it, and up to three precomputed operands (types, alignment or
  lane limits) taken from the opcode table's stack effects, so each stack
  effect is written once, in :mod:`wasmrun.instructions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wasmrun.binary.instructions import decode_function_body
from wasmrun.errors import DecodeError, ValidationError
from wasmrun.instructions import (
    BLOCK,
    ELSE,
    F32_CONST,
    F64_CONST,
    GLOBAL_GET,
    I32_CONST,
    I64_CONST,
    IF,
    LOOP,
    OPCODES,
    REF_FUNC,
    REF_NULL,
    V128_CONST,
    OpInfo,
)
from wasmrun.limits import check_module_limits
from wasmrun.module import ConstExpr, Instruction, Module, SegmentMode
from wasmrun.types import MAX_PAGES, ExternKind, Limits, MemoryType, TableType, ValType

__all__ = ["validate_module"]

UNKNOWN = 0
BARRIER = -1
I32 = int(ValType.I32)
FUNCREF = int(ValType.FUNCREF)
_NUMERIC = frozenset(int(t) for t in (ValType.I32, ValType.I64, ValType.F32, ValType.F64))
_VECTOR = frozenset((int(ValType.V128),))
_REFERENCE = frozenset((int(ValType.FUNCREF), int(ValType.EXTERNREF)))
_NUMERIC_OR_VECTOR = _NUMERIC | _VECTOR
_I32_X3 = [I32, I32, I32]
_MEMORY_INIT = 0xFC08

# Instruction kinds, in the order the dispatch loop tests them (by frequency in
# clang -O2 output: local.get 24%, constants 17%, binary operators 17%, ...).
(
    _LOCAL_GET,
    _CONST,
    _BINARY,
    _LOCAL_TEE,
    _END,
    _BLOCK,
    _LOCAL_SET,
    _LOAD,
    _STORE,
    _BR_IF,
    _UNARY,
    _BR,
    _CALL,
    _SELECT,
    _DROP,
    _GLOBAL_GET,
    _GLOBAL_SET,
    _RETURN,
    _BR_TABLE,
    _CALL_INDIRECT,
    _UNREACHABLE,
    _ELSE,
    _NOP,
    _SELECT_T,
    _FIXED,
    _MEMORY,
    _MEMORY_BULK,
    _DATA,
    _LANE,
    _LOAD_LANE,
    _SHUFFLE,
    _REF_NULL,
    _REF_IS_NULL,
    _REF_FUNC,
    _TABLE_GET,
    _TABLE_SET,
    _TABLE_SIZE,
    _TABLE_GROW,
    _TABLE_FILL,
    _TABLE_COPY,
    _TABLE_INIT,
    _ELEM_DROP,
) = range(42)

# The instructions the opcode table gives no stack effect: typed by their own rules.
_SPECIAL_KINDS = {
    0x00: _UNREACHABLE,
    0x01: _NOP,
    0x02: _BLOCK,
    0x03: _BLOCK,
    0x04: _BLOCK,
    0x05: _ELSE,
    0x0B: _END,
    0x0C: _BR,
    0x0D: _BR_IF,
    0x0E: _BR_TABLE,
    0x0F: _RETURN,
    0x10: _CALL,
    0x11: _CALL_INDIRECT,
    0x1A: _DROP,
    0x1B: _SELECT,
    0x1C: _SELECT_T,
    0x20: _LOCAL_GET,
    0x21: _LOCAL_SET,
    0x22: _LOCAL_TEE,
    0x23: _GLOBAL_GET,
    0x24: _GLOBAL_SET,
    0x25: _TABLE_GET,
    0x26: _TABLE_SET,
    0xD0: _REF_NULL,
    0xD1: _REF_IS_NULL,
    0xD2: _REF_FUNC,
    0xFC09: _DATA,
    0xFC0A: _MEMORY_BULK,
    0xFC0B: _MEMORY_BULK,
    0xFC0C: _TABLE_INIT,
    0xFC0D: _ELEM_DROP,
    0xFC0E: _TABLE_COPY,
    0xFC0F: _TABLE_GROW,
    0xFC10: _TABLE_SIZE,
    0xFC11: _TABLE_FILL,
}

_LANES_BY_SHAPE = {"i8x16": 16, "i16x8": 8, "i32x4": 4, "f32x4": 4, "i64x2": 2, "f64x2": 2}

_Entry = tuple[int, Any, Any, Any]


def _dispatch_entry(info: OpInfo) -> _Entry:
    """``(kind, a, b, c)`` for one opcode; see the module docstring."""
    special = _SPECIAL_KINDS.get(info.opcode)
    if special is not None:
        return (special, None, None, None)
    if info.params is None or info.results is None:
        raise RuntimeError(f"{info.mnemonic}: no stack effect and no validation rule")
    params = [int(t) for t in info.params]
    results = [int(t) for t in info.results]
    immediate = info.immediate
    if immediate == "memarg":
        max_align = info.natural_alignment
        if len(params) == 1 and len(results) == 1:
            return (_LOAD, max_align, None, results[0])
        if len(params) == 2 and not results:
            return (_STORE, max_align, params[1], None)
    if immediate == "memarg_lane" and info.width is not None:
        return (_LOAD_LANE, (info.natural_alignment, 16 // info.width), params, results)
    if immediate == "lane":
        return (_LANE, _LANES_BY_SHAPE[info.mnemonic[:5]], params, results)
    if immediate == "shuffle":
        return (_SHUFFLE, None, params, results)
    if immediate in ("memory", "memory.init"):
        return (_MEMORY, None, params, results)
    if immediate in ("none", "i32", "i64", "f32", "f64", "v128"):
        if not params and len(results) == 1:
            return (_CONST, None, None, results[0])
        if len(params) == 1 and len(results) == 1:
            return (_UNARY, params[0], None, results[0])
        if len(params) == 2 and len(results) == 1:
            return (_BINARY, params[0], params[1], results[0])
    return (_FIXED, None, params, results)


def _build_dispatch() -> list[_Entry | None]:
    table: list[_Entry | None] = [None] * (max(OPCODES) + 1)
    for opcode, info in OPCODES.items():
        table[opcode] = _dispatch_entry(info)
    # The typed ``select`` shares its mnemonic with the untyped one: keyed by opcode.
    table[0x1C] = (_SELECT_T, None, None, None)
    return table


_DISPATCH = _build_dispatch()


def _type_text(types: Sequence[int]) -> str:
    return "[" + " ".join("_" if t == UNKNOWN else ValType(t).text for t in types) + "]"


def _mnemonic(opcode: int) -> str:
    info = OPCODES.get(opcode)
    return info.mnemonic if info is not None else f"opcode {opcode:#x}"


class _Frame:
    """A control frame (the spec appendix's ``ctrl_frame``).

    ``height`` is the operand stack length just above the frame's barrier;
    ``label_types`` is what a branch to this frame carries (the start types of
    a ``loop``, the end types otherwise).
    """

    __slots__ = ("end_types", "height", "label_types", "opcode", "start_types", "unreachable")

    def __init__(self, opcode: int, start_types: list[int], end_types: list[int], height: int) -> None:
        self.opcode = opcode
        self.start_types = start_types
        self.end_types = end_types
        self.label_types = start_types if opcode == LOOP else end_types
        self.height = height
        self.unreachable = False


def _pop(vals: list[int], frame: _Frame, expected: Sequence[int], opcode: int, offset: int) -> list[int]:
    """The spec's ``pop_vals(expected)``: pop and return the actual types.

    ``UNKNOWN`` in ``expected`` accepts any value.  Below the frame's height the
    stack of unreachable code yields ``UNKNOWN``; otherwise running out, or a
    value of another type, is a type mismatch.
    """
    height = frame.height
    count = len(expected)
    popped = [UNKNOWN] * count
    for i in range(count - 1, -1, -1):
        if len(vals) == height:
            if frame.unreachable:
                continue
        else:
            actual = vals.pop()
            want = expected[i]
            if actual in (want, UNKNOWN) or want == UNKNOWN:
                popped[i] = actual
                continue
            vals.append(actual)
        # Put back what was popped, to show the stack as the instruction found it.
        vals.extend(popped[i + 1 :])
        top = vals[max(height, len(vals) - count) :]
        raise ValidationError(
            f"type mismatch: {_mnemonic(opcode)} requires {_type_text(expected)} but stack has {_type_text(top)}",
            offset,
        )
    return popped


def _mismatch(message: str, opcode: int, offset: int) -> ValidationError:
    return ValidationError(f"type mismatch: {_mnemonic(opcode)} {message}", offset)


class _Context:
    """The spec's validation context ``C`` for one module, in the forms the loop wants."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.types: list[tuple[list[int], list[int]]] = [
            ([int(t) for t in ft.params], [int(t) for t in ft.results]) for ft in module.types
        ]
        self.funcs: list[tuple[list[int], list[int]]] = []  # filled once type indices are checked
        self.tables: list[int] = [int(t.element) for t in module.table_types]
        self.num_memories = len(module.memory_types)
        self.globals: list[int] = [int(g.valtype) for g in module.global_types]
        self.global_mutable: list[bool] = [g.mutable for g in module.global_types]
        self.num_imported_globals = module.num_imported_globals
        self.elems: list[int] = [int(e.element_type) for e in module.elements]
        self.num_datas = len(module.datas)
        self.refs: frozenset[int] = _declared_function_references(module)
        # Block types by their s33 code: the empty type, single results and type indices.
        self.block_types: dict[int, tuple[list[int], list[int]]] = {-64: ([], [])}
        for t in ValType:
            self.block_types[(int(t) & 0x7F) - 0x80] = ([], [int(t)])
        for index, signature in enumerate(self.types):
            self.block_types[index] = signature


def _declared_function_references(module: Module) -> frozenset[int]:
    """``C.refs``: the functions referenced outside function bodies (and the start)."""
    refs: set[int] = set()
    exprs: list[ConstExpr] = [g.init for g in module.globals]
    for segment in module.elements:
        exprs.extend(segment.init)
        if segment.offset is not None:
            exprs.append(segment.offset)
    exprs.extend(d.offset for d in module.datas if d.offset is not None)
    for expr in exprs:
        for opcode, immediate, _ in expr.instructions:
            if opcode == REF_FUNC:
                refs.add(immediate)
    refs.update(e.index for e in module.exports if e.kind == ExternKind.FUNC)
    return frozenset(refs)


def validate_module(module: Module) -> None:
    """Raise :class:`ValidationError` unless ``module`` is valid (DecodeError if a body is malformed)."""
    checked = [0]  # how many bodies have been decoded and checked for malformedness
    try:
        _validate_module(module, checked)
    except ValidationError:
        # Malformedness anywhere beats invalidity: finish decoding the bodies.
        for body in module.codes[checked[0] :]:
            decode_function_body(module.raw, body)
        raise


def _validate_module(module: Module, checked: list[int]) -> None:
    check_module_limits(module)
    context = _Context(module)
    _check_types_and_imports(module, context)
    for g in module.globals:
        _check_const_expr(context, g.init, int(g.type.valtype))
    for table in module.tables:
        _check_limits(table.limits, None, "", module.section_offset(4))
    for memory in module.memories:
        _check_limits(memory.limits, MAX_PAGES, _MEMORY_SIZE_MESSAGE, module.section_offset(5))
    _check_elements(module, context)
    _check_datas(module, context)
    _check_functions(module, context, checked)
    _check_start(module, context)
    _check_exports(module, context)
    if context.num_memories > 1:
        raise ValidationError("multiple memories", module.section_offset(5))


_MEMORY_SIZE_MESSAGE = "memory size must be at most 65536 pages (4GiB)"


def _check_limits(limits: Limits, bound: int | None, bound_message: str, offset: int | None) -> None:
    if bound is not None:
        if limits.min > bound or (limits.max is not None and limits.max > bound):
            raise ValidationError(bound_message, offset)
    if limits.max is not None and limits.min > limits.max:
        raise ValidationError("size minimum must not be greater than maximum", offset)


def _check_types_and_imports(module: Module, context: _Context) -> None:
    offset = module.section_offset(2)
    for imported in module.imports:
        desc = imported.desc
        if isinstance(desc, int):
            if desc >= len(context.types):
                raise ValidationError(f"unknown type {desc}", offset)
        elif isinstance(desc, TableType):
            _check_limits(desc.limits, None, "", offset)
        elif isinstance(desc, MemoryType):
            _check_limits(desc.limits, MAX_PAGES, _MEMORY_SIZE_MESSAGE, offset)
    offset = module.section_offset(3)
    for type_index in module.functions:
        if type_index >= len(context.types):
            raise ValidationError(f"unknown type {type_index}", offset)
    context.funcs = [context.types[i] for i in module.func_type_indices]


def _check_const_expr(context: _Context, expr: ConstExpr, expected: int) -> None:
    """A constant expression of type ``expected``, under ``C'`` (only imported globals)."""
    instructions = expr.instructions
    # First, as the reference interpreter does, that every instruction is constant.
    for opcode, immediate, offset in instructions:
        if opcode == GLOBAL_GET:
            if immediate >= context.num_imported_globals:
                raise ValidationError(f"unknown global {immediate}", offset)
            if context.global_mutable[immediate]:
                raise ValidationError("constant expression required", offset)
        elif opcode not in _CONSTANT_OPCODES:
            raise ValidationError("constant expression required", offset)
    stack: list[int] = []
    for opcode, immediate, offset in instructions:
        if opcode == GLOBAL_GET:
            stack.append(context.globals[immediate])
        elif opcode == REF_NULL:
            stack.append(int(immediate))
        elif opcode == REF_FUNC:
            if immediate >= len(context.funcs):
                raise ValidationError(f"unknown function {immediate}", offset)
            stack.append(FUNCREF)
        else:
            stack.append(_CONSTANT_RESULTS[opcode])
    if stack != [expected]:
        raise ValidationError(
            f"type mismatch: constant expression has type {_type_text(stack)}, expected {_type_text([expected])}",
            expr.offset,
        )


# The ``*.const`` instructions and their one result type (from the opcode table).
_CONSTANT_RESULTS: dict[int, int] = {
    op: _dispatch_entry(OPCODES[op])[3] for op in (I32_CONST, I64_CONST, F32_CONST, F64_CONST, V128_CONST)
}
_CONSTANT_OPCODES = frozenset((*_CONSTANT_RESULTS, REF_NULL, REF_FUNC, GLOBAL_GET))


def _check_elements(module: Module, context: _Context) -> None:
    for segment in module.elements:
        element_type = int(segment.element_type)
        for expr in segment.init:
            _check_const_expr(context, expr, element_type)
        if segment.mode == SegmentMode.ACTIVE:
            offset = segment.offset.offset if segment.offset is not None else module.section_offset(9)
            if segment.table_index >= len(context.tables):
                raise ValidationError(f"unknown table {segment.table_index}", offset)
            if segment.offset is not None:
                _check_const_expr(context, segment.offset, I32)
            if context.tables[segment.table_index] != element_type:
                raise ValidationError(
                    f"type mismatch: element segment of type {segment.element_type} "
                    f"for a table of {ValType(context.tables[segment.table_index])}",
                    offset,
                )


def _check_datas(module: Module, context: _Context) -> None:
    for segment in module.datas:
        if segment.mode == SegmentMode.ACTIVE:
            offset = segment.offset.offset if segment.offset is not None else module.section_offset(11)
            if segment.memory_index >= context.num_memories:
                raise ValidationError(f"unknown memory {segment.memory_index}", offset)
            if segment.offset is not None:
                _check_const_expr(context, segment.offset, I32)


def _check_start(module: Module, context: _Context) -> None:
    if module.start is None:
        return
    offset = module.section_offset(8)
    if module.start >= len(context.funcs):
        raise ValidationError(f"unknown function {module.start}", offset)
    params, results = context.funcs[module.start]
    if params or results:
        raise ValidationError("start function must not have parameters or results", offset)


def _check_exports(module: Module, context: _Context) -> None:
    offset = module.section_offset(7)
    counts = {
        ExternKind.FUNC: len(context.funcs),
        ExternKind.TABLE: len(context.tables),
        ExternKind.MEMORY: context.num_memories,
        ExternKind.GLOBAL: len(context.globals),
    }
    names: set[str] = set()
    for export in module.exports:
        if export.index >= counts[export.kind]:
            raise ValidationError(f"unknown {_INDEX_SPACE_NAMES[export.kind]} {export.index}", offset)
        if export.name in names:
            raise ValidationError("duplicate export name", offset)
        names.add(export.name)


_INDEX_SPACE_NAMES = {
    ExternKind.FUNC: "function",
    ExternKind.TABLE: "table",
    ExternKind.MEMORY: "memory",
    ExternKind.GLOBAL: "global",
}


def _check_functions(module: Module, context: _Context, checked: list[int]) -> None:
    first = module.num_imported_functions
    raw = module.raw
    for i, body in enumerate(module.codes):
        instructions = decode_function_body(raw, body)
        checked[0] = i + 1
        params, results = context.funcs[first + i]
        local_types = list(params)  # at most MAX_FUNCTION_LOCALS (checked by check_module_limits)
        for count, t in body.locals:
            local_types.extend([int(t)] * count)
        _check_body(context, instructions, local_types, results)


def _check_body(context: _Context, instructions: list[Instruction], local_types: list[int], results: list[int]) -> None:
    """Type-check one function body (the appendix's algorithm; see the module docstring)."""
    dispatch: list[Any] = _DISPATCH
    funcs = context.funcs
    globals_ = context.globals
    block_types = context.block_types
    has_memory = context.num_memories > 0
    vals: list[int] = [BARRIER]
    frame = _Frame(BLOCK, [], results, 1)
    ctrls = [frame]
    for opcode, immediate, offset in instructions:
        kind, a, b, c = dispatch[opcode]
        if kind == _LOCAL_GET:
            try:
                vals.append(local_types[immediate])
            except IndexError:
                raise ValidationError(f"unknown local {immediate}", offset) from None
        elif kind == _CONST:
            vals.append(c)
        elif kind == _BINARY:
            if vals[-1] == b and vals[-2] == a:
                vals.pop()
                vals[-1] = c
            else:
                _pop(vals, frame, (a, b), opcode, offset)
                vals.append(c)
        elif kind == _LOCAL_TEE:
            try:
                t = local_types[immediate]
            except IndexError:
                raise ValidationError(f"unknown local {immediate}", offset) from None
            if vals[-1] != t:
                _pop(vals, frame, (t,), opcode, offset)
                vals.append(t)
        elif kind == _END:
            end_types = frame.end_types
            if frame.unreachable or vals[frame.height :] != end_types:
                _pop(vals, frame, end_types, opcode, offset)
                if len(vals) != frame.height:
                    raise _mismatch(
                        f"leaves {_type_text(vals[frame.height :])} on the stack beyond the block's results",
                        opcode,
                        offset,
                    )
            if frame.opcode == IF and frame.start_types != end_types:
                # An ``if`` without ``else`` has an empty else branch: [t1*] -> [t2*] needs t1* = t2*.
                raise _mismatch(
                    f"if without else must have matching parameter and result types, "
                    f"{_type_text(frame.start_types)} vs {_type_text(end_types)}",
                    opcode,
                    offset,
                )
            del vals[frame.height - 1 :]
            vals.extend(end_types)
            ctrls.pop()
            if not ctrls:
                return  # the function's own end: the decoder made it the last instruction
            frame = ctrls[-1]
        elif kind == _BLOCK:
            signature = block_types.get(immediate)
            if signature is None:
                raise ValidationError(f"unknown type {immediate}", offset)
            start_types, end_types = signature
            if opcode == IF:
                if vals[-1] == I32:
                    vals.pop()
                else:
                    _pop(vals, frame, (I32,), opcode, offset)
            if start_types:
                n = len(start_types)
                if vals[-n:] == start_types:
                    del vals[-n:]
                else:
                    _pop(vals, frame, start_types, opcode, offset)
                vals.append(BARRIER)
                frame = _Frame(opcode, start_types, end_types, len(vals))
                vals.extend(start_types)
            else:
                vals.append(BARRIER)
                frame = _Frame(opcode, start_types, end_types, len(vals))
            ctrls.append(frame)
        elif kind == _LOCAL_SET:
            try:
                t = local_types[immediate]
            except IndexError:
                raise ValidationError(f"unknown local {immediate}", offset) from None
            if vals[-1] == t:
                vals.pop()
            else:
                _pop(vals, frame, (t,), opcode, offset)
        elif kind == _LOAD:
            if not has_memory:
                raise ValidationError("unknown memory 0", offset)
            if immediate[0] > a:
                raise ValidationError("alignment must not be larger than natural", offset)
            if vals[-1] == I32:
                vals[-1] = c
            else:
                _pop(vals, frame, (I32,), opcode, offset)
                vals.append(c)
        elif kind == _STORE:
            if not has_memory:
                raise ValidationError("unknown memory 0", offset)
            if immediate[0] > a:
                raise ValidationError("alignment must not be larger than natural", offset)
            if vals[-1] == b and vals[-2] == I32:
                del vals[-2:]
            else:
                _pop(vals, frame, (I32, b), opcode, offset)
        elif kind == _BR_IF:
            if immediate >= len(ctrls):
                raise ValidationError(f"unknown label {immediate}", offset)
            labels = ctrls[-1 - immediate].label_types
            if vals[-1] == I32:
                vals.pop()
            else:
                _pop(vals, frame, (I32,), opcode, offset)
            n = len(labels)
            if n and vals[-n:] != labels:
                _pop(vals, frame, labels, opcode, offset)
                vals.extend(labels)
        elif kind == _UNARY:
            if vals[-1] == a:
                vals[-1] = c
            else:
                _pop(vals, frame, (a,), opcode, offset)
                vals.append(c)
        elif kind == _BR:
            if immediate >= len(ctrls):
                raise ValidationError(f"unknown label {immediate}", offset)
            labels = ctrls[-1 - immediate].label_types
            n = len(labels)
            if n and vals[-n:] != labels:
                _pop(vals, frame, labels, opcode, offset)
            del vals[frame.height :]
            frame.unreachable = True
        elif kind == _CALL:
            try:
                params, func_results = funcs[immediate]
            except IndexError:
                raise ValidationError(f"unknown function {immediate}", offset) from None
            if params:
                n = len(params)
                if vals[-n:] == params:
                    del vals[-n:]
                else:
                    _pop(vals, frame, params, opcode, offset)
            if func_results:
                vals.extend(func_results)
        elif kind == _SELECT:
            # [t t i32] -> [t] for a numeric or vector t (a barrier is in neither set).
            # (vals[-2] is tested first: being a type, it is no barrier, so vals[-3] exists.)
            if vals[-1] == I32 and vals[-2] in _NUMERIC_OR_VECTOR and vals[-2] == vals[-3]:
                del vals[-2:]
            else:
                _pop(vals, frame, (I32,), opcode, offset)
                first, second = _pop(vals, frame, (UNKNOWN, UNKNOWN), opcode, offset)
                if not ((first in _NUMERIC or first == UNKNOWN) and (second in _NUMERIC or second == UNKNOWN)) and not (
                    (first in _VECTOR or first == UNKNOWN) and (second in _VECTOR or second == UNKNOWN)
                ):
                    raise _mismatch(
                        f"needs two numeric or vector operands, got {_type_text((first, second))}", opcode, offset
                    )
                if first != second and first != UNKNOWN and second != UNKNOWN:
                    raise _mismatch(f"operands differ: {_type_text((first, second))}", opcode, offset)
                vals.append(second if first == UNKNOWN else first)
        elif kind == _DROP:
            if vals[-1] > 0:  # a known value of this frame
                vals.pop()
            else:
                _pop(vals, frame, (UNKNOWN,), opcode, offset)
        elif kind == _GLOBAL_GET:
            try:
                vals.append(globals_[immediate])
            except IndexError:
                raise ValidationError(f"unknown global {immediate}", offset) from None
        elif kind == _GLOBAL_SET:
            try:
                t = globals_[immediate]
            except IndexError:
                raise ValidationError(f"unknown global {immediate}", offset) from None
            if not context.global_mutable[immediate]:
                raise ValidationError("global is immutable", offset)
            if vals[-1] == t:
                vals.pop()
            else:
                _pop(vals, frame, (t,), opcode, offset)
        elif kind == _RETURN:
            labels = ctrls[0].end_types
            n = len(labels)
            if n and vals[-n:] != labels:
                _pop(vals, frame, labels, opcode, offset)
            del vals[frame.height :]
            frame.unreachable = True
        elif kind == _BR_TABLE:
            targets, default = immediate
            if vals[-1] == I32:
                vals.pop()
            else:
                _pop(vals, frame, (I32,), opcode, offset)
            depth = len(ctrls)
            if default >= depth:
                raise ValidationError(f"unknown label {default}", offset)
            default_labels = ctrls[-1 - default].label_types
            arity = len(default_labels)
            # Each distinct label once (the stack is the same after each): a table may have millions.
            for target in dict.fromkeys(targets) if len(targets) > 8 else targets:
                if target >= depth:
                    raise ValidationError(f"unknown label {target}", offset)
                labels = ctrls[-1 - target].label_types
                if len(labels) != arity:
                    raise _mismatch(
                        f"targets of different arities, {_type_text(labels)} vs {_type_text(default_labels)}",
                        opcode,
                        offset,
                    )
                if arity and vals[-arity:] != labels:
                    # push_vals(pop_vals(labels)): the actual types go back, Unknown included.
                    vals.extend(_pop(vals, frame, labels, opcode, offset))
            if arity and vals[-arity:] != default_labels:
                _pop(vals, frame, default_labels, opcode, offset)
            del vals[frame.height :]
            frame.unreachable = True
        elif kind == _CALL_INDIRECT:
            type_index, table_index = immediate
            if table_index >= len(context.tables):
                raise ValidationError(f"unknown table {table_index}", offset)
            if type_index >= len(context.types):
                raise ValidationError(f"unknown type {type_index}", offset)
            if context.tables[table_index] != FUNCREF:
                raise _mismatch("requires a table of funcref", opcode, offset)
            params, func_results = context.types[type_index]
            _pop(vals, frame, [*params, I32], opcode, offset)
            vals.extend(func_results)
        elif kind == _UNREACHABLE:
            del vals[frame.height :]
            frame.unreachable = True
        elif kind == _ELSE:
            if frame.opcode != IF:
                raise DecodeError("END opcode expected", offset)  # the decoder checks this first
            end_types = frame.end_types
            if frame.unreachable or vals[frame.height :] != end_types:
                _pop(vals, frame, end_types, opcode, offset)
                if len(vals) != frame.height:
                    raise _mismatch(
                        f"leaves {_type_text(vals[frame.height :])} on the stack beyond the block's results",
                        opcode,
                        offset,
                    )
            del vals[frame.height :]
            vals.extend(frame.start_types)
            frame.opcode = ELSE
            frame.unreachable = False
        elif kind == _NOP:
            pass
        elif kind == _SELECT_T:
            if len(immediate) != 1:
                raise ValidationError("invalid result arity", offset)
            t = int(immediate[0])
            _pop(vals, frame, (t, t, I32), opcode, offset)
            vals.append(t)
        else:
            _check_rare(context, vals, frame, opcode, immediate, offset, kind, a, b, c)
    raise ValidationError("function body does not end", None)  # unreachable for decoded bodies


def _check_rare(
    context: _Context,
    vals: list[int],
    frame: _Frame,
    opcode: int,
    immediate: Any,
    offset: int,
    kind: int,
    a: Any,
    b: Any,
    c: Any,
) -> None:
    """The instructions that compilers emit seldom: reference, table, bulk and SIMD lane ones."""
    if kind == _FIXED:
        _pop(vals, frame, b, opcode, offset)
        vals.extend(c)
    elif kind == _MEMORY:
        _require_memory(context, offset)
        if opcode == _MEMORY_INIT:
            data_index, _ = immediate
            _require_data(context, data_index, offset)
        _pop(vals, frame, b, opcode, offset)
        vals.extend(c)
    elif kind == _MEMORY_BULK:
        _require_memory(context, offset)
        _pop(vals, frame, _I32_X3, opcode, offset)
    elif kind == _DATA:
        _require_data(context, immediate, offset)
    elif kind == _LANE:
        if immediate >= a:
            raise ValidationError(f"invalid lane index {immediate}", offset)
        _pop(vals, frame, b, opcode, offset)
        vals.extend(c)
    elif kind == _LOAD_LANE:
        max_align, lanes = a
        align, _, lane = immediate
        _require_memory(context, offset)
        if align > max_align:
            raise ValidationError("alignment must not be larger than natural", offset)
        if lane >= lanes:
            raise ValidationError(f"invalid lane index {lane}", offset)
        _pop(vals, frame, b, opcode, offset)
        vals.extend(c)
    elif kind == _SHUFFLE:
        for lane in immediate:
            if lane >= 32:
                raise ValidationError(f"invalid lane index {lane}", offset)
        _pop(vals, frame, b, opcode, offset)
        vals.extend(c)
    elif kind == _REF_NULL:
        vals.append(int(immediate))
    elif kind == _REF_IS_NULL:
        (t,) = _pop(vals, frame, (UNKNOWN,), opcode, offset)
        if t != UNKNOWN and t not in _REFERENCE:
            raise _mismatch(f"requires a reference operand, got {_type_text((t,))}", opcode, offset)
        vals.append(I32)
    elif kind == _REF_FUNC:
        if immediate >= len(context.funcs):
            raise ValidationError(f"unknown function {immediate}", offset)
        if immediate not in context.refs:
            raise ValidationError(f"undeclared function reference {immediate}", offset)
        vals.append(FUNCREF)
    elif kind == _TABLE_GET:
        t = _table(context, immediate, offset)
        _pop(vals, frame, (I32,), opcode, offset)
        vals.append(t)
    elif kind == _TABLE_SET:
        t = _table(context, immediate, offset)
        _pop(vals, frame, (I32, t), opcode, offset)
    elif kind == _TABLE_SIZE:
        _table(context, immediate, offset)
        vals.append(I32)
    elif kind == _TABLE_GROW:
        t = _table(context, immediate, offset)
        _pop(vals, frame, (t, I32), opcode, offset)
        vals.append(I32)
    elif kind == _TABLE_FILL:
        t = _table(context, immediate, offset)
        _pop(vals, frame, (I32, t, I32), opcode, offset)
    elif kind == _TABLE_COPY:
        destination, source = immediate
        t1 = _table(context, destination, offset)
        t2 = _table(context, source, offset)
        if t1 != t2:
            raise _mismatch(f"from a table of {ValType(t2)} to one of {ValType(t1)}", opcode, offset)
        _pop(vals, frame, _I32_X3, opcode, offset)
    elif kind == _TABLE_INIT:
        elem_index, table_index = immediate
        t1 = _table(context, table_index, offset)
        t2 = _elem(context, elem_index, offset)
        if t1 != t2:
            raise _mismatch(f"from a segment of {ValType(t2)} to a table of {ValType(t1)}", opcode, offset)
        _pop(vals, frame, _I32_X3, opcode, offset)
    elif kind == _ELEM_DROP:
        _elem(context, immediate, offset)
    else:
        raise ValidationError(f"illegal opcode {opcode:#x}", offset)


def _require_memory(context: _Context, offset: int) -> None:
    if context.num_memories == 0:
        raise ValidationError("unknown memory 0", offset)


def _require_data(context: _Context, index: int, offset: int) -> None:
    # (The decoder has made sure a data count section exists when bodies use data indices.)
    if index >= context.num_datas:
        raise ValidationError(f"unknown data segment {index}", offset)


def _table(context: _Context, index: int, offset: int) -> int:
    if index >= len(context.tables):
        raise ValidationError(f"unknown table {index}", offset)
    return context.tables[index]


def _elem(context: _Context, index: int, offset: int) -> int:
    if index >= len(context.elems):
        raise ValidationError(f"unknown elem segment {index}", offset)
    return context.elems[index]
