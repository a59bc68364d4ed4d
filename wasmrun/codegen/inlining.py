"""Inlining small callees: ``call g`` and ``return_call g`` become g's body in place, at the wasm level.

A call costs a Python call (and a tail call a TailCall, a trip through
:func:`~wasmrun.runtime.functions.finish_tail_calls` and an entry adapter) for what may be a few
instructions.  When the callee is a small defined function whose body cannot trap, call or touch
memory, :func:`inline_calls` rewrites the caller's instructions before the pre-pass: the arguments
go to new locals of the caller (the callee's parameters, then its declared locals, zeroed), and the
callee's body follows as a ``block`` of its result type (its function label becomes that block's,
so its ``return`` is a ``br`` there); after a tail call, a ``return``.  A tail call of the callee
back to the caller is then a tail call of the caller to itself, which the structured form makes a
jump to its start (see :mod:`wasmrun.codegen.structured`): two functions tail-calling each other
run as one loop.  A callee inlined at a tail call may make tail calls itself (they stay tail
calls: one level only); one inlined at a call may not.

Why it is exact: the callee's instructions can raise nothing (no trap -- a division only by a
constant that cannot trap --, no call, so no frame of its own is ever seen; a tail call leaves no
frame of the caller either), and every inlined instruction carries the offset of the call it
replaces, so an asynchronous trap (a timeout) stopping there names the caller at its call, a state
the program passes through.  The frame the callee no longer takes changes only where a deep
recursion exhausts the stack, which compiled code places within a margin anyway (see
:mod:`wasmrun.engine.interpreter`).  Not with fuel (the added ``local.set``\\ s would be charged)
nor call counting (the call would not be counted): the generator is told by its options.
"""

from __future__ import annotations

from wasmrun.instructions import BLOCKTYPE_EMPTY, CONTROL, opcode_of
from wasmrun.module import Instruction, Module
from wasmrun.semantics.access import TRAPPING_OPS
from wasmrun.semantics.dispatch import NUMERIC_OPCODES
from wasmrun.types import ValType, ValueType

MAX_INLINED = 48
"""The most instructions (final ``end`` included) a callee may have to be inlined."""

MAX_GROWTH = 2000
"""The most instructions inlining may add to one function."""

_CALL = opcode_of("call")
_RETURN_CALL = opcode_of("return_call")
_LOCALS = frozenset(opcode_of(name) for name in ("local.get", "local.set", "local.tee"))
_LOCAL_SET = opcode_of("local.set")
_BLOCK = opcode_of("block")
_BR = opcode_of("br")
_RETURN = opcode_of("return")
_I32_CONST = opcode_of("i32.const")
_I64_CONST = opcode_of("i64.const")
_CONSTANTS: dict[ValueType, tuple[int, int]] = {
    ValType.I32: (_I32_CONST, 0),
    ValType.I64: (_I64_CONST, 0),
    ValType.F32: (opcode_of("f32.const"), 0),
    ValType.F64: (opcode_of("f64.const"), 0),
}
# Integer divisions that cannot trap when their divisor is a constant other than these.
_DIVISIONS = {
    opcode_of(f"i{bits}.{operation}"): (0, -1 & ((1 << bits) - 1)) if operation == "div_s" else (0,)
    for bits in (32, 64)
    for operation in ("div_s", "div_u", "rem_s", "rem_u")
}
_ALLOWED = frozenset(
    (
        *(opcode for opcode, info in NUMERIC_OPCODES.items() if info.mnemonic not in TRAPPING_OPS),
        *_LOCALS,
        *(
            opcode_of(name)
            for name in (
                "i32.const",
                "i64.const",
                "f32.const",
                "f64.const",
                "global.get",
                "global.set",
                "drop",
                "select",
                "nop",
                "block",
                "loop",
                "if",
                "else",
                "end",
                "br",
                "br_if",
                "br_table",
                "return",
            )
        ),
    )
)
"""What an inlined body may contain (and ``return_call``, at a tail call): nothing that traps, calls,
throws or reaches memory."""


def _constant(instruction: Instruction) -> int | None:
    opcode, immediate, _offset = instruction
    return immediate if opcode in (_I32_CONST, _I64_CONST) else None


def _trap_free(instructions: list[Instruction], tail: bool) -> bool:
    for position, (opcode, _immediate, _offset) in enumerate(instructions):
        if opcode in _ALLOWED or (tail and opcode == _RETURN_CALL):
            continue
        excluded = _DIVISIONS.get(opcode)
        if excluded is None or position == 0:
            return False
        divisor = _constant(instructions[position - 1])
        if divisor is None or divisor in excluded:
            return False
    return True


def inlinable(module: Module, index: int, tail: bool) -> list[Instruction] | None:
    """The instructions of function ``index`` if a call (``tail``: a tail call) of it may be inlined."""
    from wasmrun.binary.instructions import decode_function_body

    if index < module.num_imported_functions:
        return None
    body = module.body(index)
    if body.end - body.code_start > 8 * MAX_INLINED:  # (a cheap bound before decoding)
        return None
    results = module.func_type(index).results
    if len(results) > 1 or any(valtype not in _CONSTANTS for valtype in results):
        return None
    if any(valtype not in _CONSTANTS for _count, valtype in body.locals):
        return None
    instructions = decode_function_body(module.raw, body)
    if len(instructions) > MAX_INLINED or not _trap_free(instructions, tail):
        return None
    return instructions


def inline_calls(
    module: Module, function_index: int, instructions: list[Instruction], declared: list[ValueType]
) -> tuple[list[Instruction], list[ValueType]]:
    """``instructions`` with the calls of small callees inlined, and the declared locals that adds."""
    if not any(opcode in (_CALL, _RETURN_CALL) for opcode, _, _ in instructions):
        return instructions, declared
    nparams = len(module.func_type(function_index).params)
    out: list[Instruction] = []
    added: list[ValueType] = []
    bodies: dict[tuple[int, bool], list[Instruction] | None] = {}
    growth = 0
    for instruction in instructions:
        opcode, callee, offset = instruction
        if (opcode != _CALL and opcode != _RETURN_CALL) or callee == function_index or growth > MAX_GROWTH:
            out.append(instruction)
            continue
        tail = opcode == _RETURN_CALL
        key = (callee, tail)
        if key not in bodies:
            bodies[key] = inlinable(module, callee, tail)
        body = bodies[key]
        if body is None:
            out.append(instruction)
            continue
        start = len(out)
        callee_type = module.func_type(callee)
        callee_declared = [valtype for count, valtype in module.body(callee).locals for _ in range(count)]
        base = nparams + len(declared) + len(added)
        added += [*callee_type.params, *callee_declared]
        count = len(callee_type.params)
        out += [(_LOCAL_SET, base + k, offset) for k in reversed(range(count))]
        for k, valtype in enumerate(callee_declared):
            constant, zero = _CONSTANTS[valtype]
            out += [(constant, zero, offset), (_LOCAL_SET, base + count + k, offset)]
        results = callee_type.results
        result = results[0] if results else None
        blocktype = result - 0x80 if isinstance(result, ValType) else BLOCKTYPE_EMPTY  # (numeric: see inlinable)
        out.append((_BLOCK, blocktype, offset))
        depth = 0  # constructs of the callee open around the instruction (its function label: the block)
        for op, immediate, _ in body:
            if op in _LOCALS:
                out.append((op, immediate + base, offset))
                continue
            if op == _RETURN and not tail:
                out.append((_BR, depth, offset))
                continue
            out.append((op, immediate, offset))
            kind = CONTROL.get(op)
            if kind in ("block", "loop", "if"):
                depth += 1
            elif kind == "end":
                depth -= 1
        if tail:
            out.append((_RETURN, None, offset))
        growth += len(out) - start
    if len(out) == len(instructions):
        return instructions, declared
    return out, [*declared, *added]
