"""Typing function bodies: the loop over their instructions, written for CPython's sake.

The loop runs over every instruction of every module loaded, so it does not call
each instruction's rule (:func:`wasmrun.validation.rules.rule_for`) when it can
help it.  How it is made fast:

* :data:`_DISPATCH` maps each opcode to ``(kind, a, b, c)``, built once from
  the instruction table: a *fast-path kind* and up to three operands
  precomputed from the row (parameter and result types, natural alignment,
  the frame kind of a ``block`` or ``loop``).  (A dict: the opcodes of
  prefixed instructions, ``prefix << 16 | sub``, are too large to index a
  list.)  The instructions compilers emit most have a fast path inline in
  the loop, tested in an ``if`` chain ordered by how often they come (in
  clang -O2 output: ``local.get`` 24%, constants 17%, binary operators 17%,
  ...): those of the rules in :data:`_FAST_PATHS`, and of the fixed-effect
  shapes compilers use most (constant, unary, binary, load, store).  Every
  other instruction is ``_RULE``: ``a`` is its rule, called.
* A fast path handles only the common valid case: the operands on top of
  ``vals`` are exactly the expected types, the index is in range, ...  It
  tests that without changing anything, and in any other case (an error, an
  Unknown operand, a barrier, a multi-value block type) hands the instruction,
  untouched, to its rule (``rules_[opcode]``), which does it all to the letter
  of the spec and finds the error.  So a fast path can only be slow, never
  wrong, as long as it accepts nothing its rule would reject
  (``tests/unit/test_validate.py`` checks verdicts with the fast paths off).
* The stack is a list of plain ints with a barrier under each frame (see
  :mod:`wasmrun.validation.stack`), so ``vals[-2] == a`` is a complete test:
  no height check.
* Whatever the loop reads repeatedly is a local variable, the kinds included;
  :func:`check_bodies` takes all the bodies of a module, so that is set up
  once per module.  ``frame`` is the top of ``ctrls``, refreshed after every
  rule called (``block``, ``loop``, ``if`` and ``end`` push or pop one).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from wasmrun.errors import ValidationError
from wasmrun.instructions import OPCODES, InstructionInfo
from wasmrun.module import Instruction
from wasmrun.validation import control, rules
from wasmrun.validation.context import Context
from wasmrun.validation.stack import BARRIER, I32, NUMERIC_OR_VECTOR, BodyState, Frame, Rule

# Fast-path kinds, in the order the loop tests them.
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
    _IF,
    _GLOBAL_GET,
    _GLOBAL_SET,
    _RETURN,
    _RULE,
) = range(20)

_FAST_PATHS: dict[Rule, int] = {
    rules.local_get: _LOCAL_GET,
    rules.local_tee: _LOCAL_TEE,
    control.end: _END,
    control.block: _BLOCK,
    control.loop: _BLOCK,
    rules.local_set: _LOCAL_SET,
    control.br_if: _BR_IF,
    control.br: _BR,
    control.call: _CALL,
    rules.select: _SELECT,
    rules.drop: _DROP,
    control.if_: _IF,
    rules.global_get: _GLOBAL_GET,
    rules.global_set: _GLOBAL_SET,
    control.return_: _RETURN,
}
"""The rules the loop has an inline fast path for: a row gets one through its rule, whatever its opcode."""

_2_32 = 2**32

_CONSTANT_IMMEDIATES = frozenset(("none", "i32", "i64", "f32", "f64", "v128"))

_Entry = tuple[int, Any, Any, Any]

Body = tuple[list[Instruction], list[int], list[int]]
"""A function body to check: its instructions, the types of its locals (parameters first), its result types.
The locals of a function with non-defaultable ones (typed references) are a :class:`Locals`."""


class Locals(list[int]):
    """The local types of a function with locals that must be set before they are read (``uninit``)."""

    uninit: frozenset[int] = frozenset()


def _entry(info: InstructionInfo, rule: Rule) -> _Entry:
    """``(kind, a, b, c)`` for one row; see the module docstring."""
    if info.params is not None and info.results is not None:
        params = [int(t) for t in info.params]
        results = [int(t) for t in info.results]
        shape = (len(params), len(results))
        if info.immediate in _CONSTANT_IMMEDIATES:
            if shape == (0, 1):
                return (_CONST, None, None, results[0])
            if shape == (1, 1):
                return (_UNARY, params[0], None, results[0])
            if shape == (2, 1):
                return (_BINARY, params[0], params[1], results[0])
        elif info.immediate == "memarg" and info.proposal != "threads":
            if shape == (1, 1) and params[0] == I32:
                return (_LOAD, info.natural_alignment, None, results[0])
            if shape == (2, 0) and params[0] == I32:
                return (_STORE, info.natural_alignment, params[1], None)
        return (_RULE, rule, None, None)
    kind = _FAST_PATHS.get(rule, _RULE)
    if kind == _BLOCK:
        return (kind, sys.intern(info.control), None, None)
    return (kind, rule if kind == _RULE else None, None, None)


def _build() -> tuple[dict[int, _Entry], dict[int, Rule]]:
    dispatch: dict[int, _Entry] = {}
    rules_by_opcode: dict[int, Rule] = {}
    for opcode, info in OPCODES.items():
        rule = rules.rule_for(info)
        if rule is None:
            raise RuntimeError(f"{info.mnemonic}: no stack effect and no validation rule")
        rules_by_opcode[opcode] = rule
        dispatch[opcode] = _entry(info, rule)
    return dispatch, rules_by_opcode


_DISPATCH, _RULES = _build()

# For the functions with non-defaultable locals: the local instructions and ``end`` through their rules,
# which track initialisation.
_CHECKED_LOCALS = {
    opcode: (_RULE, rule, None, None)
    for opcode, rule in _RULES.items()
    if rule in (rules.local_get, rules.local_set, rules.local_tee, control.end)
}
_DISPATCH_CHECKING_LOCALS = {**_DISPATCH, **_CHECKED_LOCALS}


def check_bodies(context: Context, bodies: Iterable[Body]) -> None:
    """Type-check function bodies, one after the other, each to its end or its first error.

    See the module docstring for the loop, :mod:`~wasmrun.validation.stack` for the algorithm.
    """
    state = BodyState(context)
    plain_dispatch = dispatch = _DISPATCH
    rules_ = _RULES
    funcs = context.funcs
    num_funcs = len(funcs)
    globals_ = context.globals
    num_globals = len(globals_)
    global_mutable = context.global_mutable
    block_types = context.block_types
    # The fast paths of loads and stores take memory 0 when it is 32-bit (the rule does the rest).
    has_memory = context.num_memories > 0 and context.memories[0] == I32
    # The fast-path kinds as local variables too: the loop reads them all the time.
    LOCAL_GET = _LOCAL_GET
    CONST = _CONST
    BINARY = _BINARY
    LOCAL_TEE = _LOCAL_TEE
    END = _END
    BLOCK = _BLOCK
    LOCAL_SET = _LOCAL_SET
    LOAD = _LOAD
    STORE = _STORE
    BR_IF = _BR_IF
    UNARY = _UNARY
    BR = _BR
    CALL = _CALL
    SELECT = _SELECT
    DROP = _DROP
    IF = _IF
    GLOBAL_GET = _GLOBAL_GET
    GLOBAL_SET = _GLOBAL_SET
    RETURN = _RETURN
    for instructions, locals_, return_types in bodies:
        if locals_.__class__ is list:
            dispatch = plain_dispatch
            if state.uninit:
                state.uninit = set()
        else:
            dispatch = _DISPATCH_CHECKING_LOCALS
            state.uninit = set(locals_.uninit)  # type: ignore[attr-defined]
        num_locals = len(locals_)
        vals: list[int] = [BARRIER]
        frame = Frame("block", [], return_types, 1)
        ctrls = [frame]
        state.vals = vals
        state.ctrls = ctrls
        state.locals = locals_
        for opcode, immediate, offset in instructions:
            kind, a, b, c = dispatch[opcode]
            if kind == LOCAL_GET:
                try:
                    vals.append(locals_[immediate])
                    continue
                except IndexError:
                    pass
                rules_[opcode](state, opcode, immediate, offset)
            elif kind == CONST:
                vals.append(c)
            elif kind == BINARY:
                if vals[-1] == b and vals[-2] == a:
                    vals.pop()
                    vals[-1] = c
                else:
                    rules_[opcode](state, opcode, immediate, offset)
            elif kind == LOCAL_TEE:
                if immediate >= num_locals or vals[-1] != locals_[immediate]:
                    rules_[opcode](state, opcode, immediate, offset)
            elif kind == END:
                end_types = frame.end_types
                # Exactly the end types are left, or nothing is, after a branch (Unknowns make up the end types).
                if (vals[frame.height :] == end_types or (frame.unreachable and len(vals) == frame.height)) and (
                    frame.kind != "if" or frame.start_types == end_types
                ):
                    del vals[frame.height - 1 :]
                    vals.extend(end_types)
                    ctrls.pop()
                else:
                    rules_[opcode](state, opcode, immediate, offset)
                if not ctrls:
                    break  # the function's own end: the decoder made it the last instruction
                frame = ctrls[-1]
            elif kind == BLOCK:
                signature = block_types.get(immediate)
                if signature is not None and not signature[0]:
                    vals.append(BARRIER)
                    frame = Frame(a, signature[0], signature[1], len(vals))
                    ctrls.append(frame)
                else:
                    rules_[opcode](state, opcode, immediate, offset)
                    frame = ctrls[-1]
            elif kind == LOCAL_SET:
                if immediate < num_locals and vals[-1] == locals_[immediate]:
                    vals.pop()
                else:
                    rules_[opcode](state, opcode, immediate, offset)
            elif kind == LOAD:
                if has_memory and immediate[0] <= a and vals[-1] == I32 and not immediate[2] and immediate[1] < _2_32:
                    vals[-1] = c
                else:
                    rules_[opcode](state, opcode, immediate, offset)
            elif kind == STORE:
                if (
                    has_memory
                    and immediate[0] <= a
                    and vals[-1] == b
                    and vals[-2] == I32
                    and not immediate[2]
                    and immediate[1] < _2_32
                ):
                    del vals[-2:]
                else:
                    rules_[opcode](state, opcode, immediate, offset)
            elif kind == BR_IF:
                if immediate < len(ctrls) and vals[-1] == I32:
                    labels = ctrls[-1 - immediate].label_types
                    if not labels or vals[-1 - len(labels) : -1] == labels:
                        vals.pop()
                        continue
                rules_[opcode](state, opcode, immediate, offset)
            elif kind == UNARY:
                if vals[-1] == a:
                    vals[-1] = c
                else:
                    rules_[opcode](state, opcode, immediate, offset)
            elif kind == BR:
                if immediate < len(ctrls):
                    labels = ctrls[-1 - immediate].label_types
                    if not labels or vals[-len(labels) :] == labels:
                        del vals[frame.height :]
                        frame.unreachable = True
                        continue
                rules_[opcode](state, opcode, immediate, offset)
            elif kind == CALL:
                if immediate < num_funcs:
                    params, results = funcs[immediate]
                    if not params:
                        vals.extend(results)
                        continue
                    n = len(params)
                    if vals[-n:] == params:
                        del vals[-n:]
                        vals.extend(results)
                        continue
                rules_[opcode](state, opcode, immediate, offset)
            elif kind == SELECT:
                # Untyped: [t t i32] -> [t] for a numeric or vector t (a barrier is in neither set).
                # (vals[-2] is tested first: being a type, it is no barrier, so vals[-3] exists.)
                if immediate is None and vals[-1] == I32 and vals[-2] in NUMERIC_OR_VECTOR and vals[-2] == vals[-3]:
                    del vals[-2:]
                else:
                    rules_[opcode](state, opcode, immediate, offset)
            elif kind == DROP:
                if vals[-1] > 0:  # a known value of this frame
                    vals.pop()
                else:
                    rules_[opcode](state, opcode, immediate, offset)
            elif kind == IF:
                signature = block_types.get(immediate)
                if signature is not None and not signature[0] and vals[-1] == I32:
                    vals[-1] = BARRIER
                    frame = Frame("if", signature[0], signature[1], len(vals))
                    ctrls.append(frame)
                else:
                    rules_[opcode](state, opcode, immediate, offset)
                    frame = ctrls[-1]
            elif kind == GLOBAL_GET:
                if immediate < num_globals:
                    vals.append(globals_[immediate])
                else:
                    rules_[opcode](state, opcode, immediate, offset)
            elif kind == GLOBAL_SET:
                if immediate < num_globals and global_mutable[immediate] and vals[-1] == globals_[immediate]:
                    vals.pop()
                else:
                    rules_[opcode](state, opcode, immediate, offset)
            elif kind == RETURN:
                if not return_types or vals[-len(return_types) :] == return_types:
                    del vals[frame.height :]
                    frame.unreachable = True
                else:
                    rules_[opcode](state, opcode, immediate, offset)
            else:
                a(state, opcode, immediate, offset)
                if not ctrls:
                    break
                frame = ctrls[-1]
        else:
            raise ValidationError("function body does not end", None)  # unreachable for decoded bodies
