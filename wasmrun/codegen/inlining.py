"""Inlining small tail-call targets: ``return_call g`` becomes g's body in place, at the wasm level.

A tail call through the trampoline costs a TailCall, a trip through
:func:`~wasmrun.runtime.functions.finish_tail_calls` and an entry adapter: several Python calls
for what may be a few instructions (a state machine of functions tail-calling each other).
When the callee is a small defined function whose body cannot trap, call or touch memory,
:func:`inline_tail_calls` rewrites the caller's instructions before the pre-pass: the
arguments go to new locals of the caller (the callee's parameters, then its declared
locals, zeroed), and the callee's body follows as a ``block`` of its result type (its
function label becomes that block's), then a ``return``.  A tail call of the callee back to
the caller is then a tail call of the caller to itself, which the structured form makes a
jump to its start (see :mod:`wasmrun.codegen.structured`): two functions tail-calling each
other run as one loop.

Why it is exact: the callee's instructions can raise nothing (no trap, no call, so no
frame of its own is ever seen: a tail call leaves no frame of the caller either), and every
inlined instruction carries the offset of the ``return_call`` it replaces, so an asynchronous
trap (a timeout) stopping there names the caller at its tail call, a state the program
passes through.  Not with fuel (the added ``local.set``\\ s would be charged) nor call
counting (the call would not be counted): the generator is told by its options.  Only one
level: an inlined body's own tail calls stay tail calls.
"""

from __future__ import annotations

from wasmrun.instructions import BLOCKTYPE_EMPTY, opcode_of
from wasmrun.module import Instruction, Module
from wasmrun.semantics.access import TRAPPING_OPS
from wasmrun.semantics.dispatch import NUMERIC_OPCODES
from wasmrun.types import ValType, ValueType

MAX_INLINED = 48
"""The most instructions (final ``end`` included) a callee may have to be inlined at a tail call."""

_RETURN_CALL = opcode_of("return_call")
_LOCALS = frozenset(opcode_of(name) for name in ("local.get", "local.set", "local.tee"))
_LOCAL_SET = opcode_of("local.set")
_BLOCK = opcode_of("block")
_END = opcode_of("end")
_RETURN = opcode_of("return")
_CONSTANTS: dict[ValueType, tuple[int, int]] = {
    ValType.I32: (opcode_of("i32.const"), 0),
    ValType.I64: (opcode_of("i64.const"), 0),
    ValType.F32: (opcode_of("f32.const"), 0),
    ValType.F64: (opcode_of("f64.const"), 0),
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
                "return",
                "return_call",
            )
        ),
    )
)
"""What an inlined body may contain: nothing that traps, calls (but tail calls), throws or reaches memory."""


def inlinable(module: Module, index: int) -> list[Instruction] | None:
    """The instructions of function ``index`` if a tail call of it may be inlined, else None."""
    from wasmrun.binary.instructions import decode_function_body

    if index < module.num_imported_functions:
        return None
    body = module.body(index)
    if body.end - body.code_start > 4 * MAX_INLINED:  # (a cheap bound before decoding)
        return None
    results = module.func_type(index).results
    if len(results) > 1 or any(valtype not in _CONSTANTS for valtype in results):
        return None
    if any(valtype not in _CONSTANTS for _count, valtype in body.locals):
        return None
    instructions = decode_function_body(module.raw, body)
    if len(instructions) > MAX_INLINED or any(opcode not in _ALLOWED for opcode, _, _ in instructions):
        return None
    return instructions


def inline_tail_calls(
    module: Module, function_index: int, instructions: list[Instruction], declared: list[ValueType]
) -> tuple[list[Instruction], list[ValueType]]:
    """``instructions`` with the tail calls of small callees inlined, and the declared locals that adds."""
    if not any(opcode == _RETURN_CALL for opcode, _, _ in instructions):
        return instructions, declared
    nparams = len(module.func_type(function_index).params)
    out: list[Instruction] = []
    added: list[ValueType] = []
    inlined = False
    bodies: dict[int, list[Instruction] | None] = {}
    for instruction in instructions:
        opcode, callee, offset = instruction
        if opcode != _RETURN_CALL or callee == function_index:
            out.append(instruction)
            continue
        if callee not in bodies:
            bodies[callee] = inlinable(module, callee)
        body = bodies[callee]
        if body is None:
            out.append(instruction)
            continue
        inlined = True
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
        out += [(op, immediate + base if op in _LOCALS else immediate, offset) for op, immediate, _ in body]
        out.append((_RETURN, None, offset))
    if not inlined:
        return instructions, declared
    return out, [*declared, *added]
