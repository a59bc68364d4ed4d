"""The rules of the control instructions (spec 3.3.8), found by the control kind of their row.

Each is a :data:`~wasmrun.validation.stack.Rule`, in the words of the appendix's
algorithm (:mod:`wasmrun.validation.stack`).  ``block``, ``loop`` and ``if`` push
a control frame and ``end`` pops one; the others change the frame on top in
place.  ``call`` and ``call_indirect`` are here because the table gives them a
control kind.
"""

from __future__ import annotations

from typing import Any

from wasmrun.binary.instructions import CATCH_ALL_REF, CATCH_REF
from wasmrun.errors import DecodeError, ValidationError
from wasmrun.types import ABSTRACT_HEAPS, HEAP_EXN, REF_CODE_BASE, RefType, ValType, type_code
from wasmrun.validation.context import tag_params
from wasmrun.validation.stack import FUNCREF, I32, UNKNOWN, BodyState, Rule, is_reference, mismatch, type_text


def unreachable(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.unreachable()


def _enter(state: BodyState, kind: str, opcode: int, blocktype: int, offset: int) -> None:
    """``block``, ``loop`` and ``if``: pop the block type's parameters (after the condition), push a frame."""
    signature = state.context.block_signature(blocktype, offset)
    if signature is None:
        raise ValidationError(f"unknown type {blocktype}", offset)
    start_types, end_types = signature
    if kind == "if":
        state.pop_vals((I32,), opcode, offset)
    state.pop_vals(start_types, opcode, offset)
    state.push_ctrl(kind, start_types, end_types)


def block(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    _enter(state, "block", opcode, immediate, offset)


def loop(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    _enter(state, "loop", opcode, immediate, offset)


def if_(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    _enter(state, "if", opcode, immediate, offset)


def else_(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    """End the ``then`` branch (as ``end`` would) and start the ``else`` one from the block's parameters."""
    frame = state.ctrls[-1]
    if frame.kind != "if":
        raise DecodeError("END opcode expected", offset)  # the decoder checks this first
    state.check_end_types(opcode, offset)
    state.reset_inits(frame)
    vals = state.vals
    del vals[frame.height :]
    vals.extend(frame.start_types)
    frame.kind = "else"
    frame.unreachable = False


def end(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    frame = state.check_end_types(opcode, offset)
    end_types = frame.end_types
    if frame.kind == "if" and frame.start_types != end_types:
        # An ``if`` without ``else`` has an empty else branch: [t1*] -> [t2*] needs t1* = t2*.
        raise mismatch(
            f"if without else must have matching parameter and result types, "
            f"{type_text(frame.start_types)} vs {type_text(end_types)}",
            opcode,
            offset,
        )
    state.reset_inits(frame)
    vals = state.vals
    del vals[frame.height - 1 :]
    vals.extend(end_types)
    state.ctrls.pop()


def br(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.pop_vals(state.label_types(immediate, offset), opcode, offset)
    state.unreachable()


def br_if(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    labels = state.label_types(immediate, offset)
    state.pop_vals((I32,), opcode, offset)
    state.pop_vals(labels, opcode, offset)
    state.vals.extend(labels)


def br_table(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    targets, default = immediate
    state.pop_vals((I32,), opcode, offset)
    default_labels = state.label_types(default, offset)
    arity = len(default_labels)
    vals = state.vals
    # Each distinct label once (the stack is the same after each): a table may have millions.
    for target in dict.fromkeys(targets) if len(targets) > 8 else targets:
        labels = state.label_types(target, offset)
        if len(labels) != arity:
            raise mismatch(
                f"targets of different arities, {type_text(labels)} vs {type_text(default_labels)}", opcode, offset
            )
        if arity and vals[-arity:] != labels:
            # push_vals(pop_vals(labels)): the actual types go back, Unknown included.
            vals.extend(state.pop_vals(labels, opcode, offset))
    state.pop_vals(default_labels, opcode, offset)
    state.unreachable()


def return_(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.pop_vals(state.ctrls[0].end_types, opcode, offset)
    state.unreachable()


def call(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    try:
        params, results = state.context.funcs[immediate]
    except IndexError:
        raise ValidationError(f"unknown function {immediate}", offset) from None
    state.pop_vals(params, opcode, offset)
    state.vals.extend(results)


def call_indirect(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    type_index, table_index = immediate
    context = state.context
    if table_index >= len(context.tables):
        raise ValidationError(f"unknown table {table_index}", offset)
    params, results = context.func_signature(type_index, offset)
    if context.tables[table_index] != FUNCREF and not context.matches(context.tables[table_index], FUNCREF):
        raise mismatch("requires a table of funcref", opcode, offset)
    state.pop_vals([*params, context.table_addresses[table_index]], opcode, offset)
    state.vals.extend(results)


EXNREF = int(ValType.EXNREF)
EXN = type_code(RefType(False, HEAP_EXN))  # what catch_ref and catch_all_ref give: a non-null (ref exn)


def throw(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.pop_vals(tag_params(state.context, immediate, offset), opcode, offset)
    state.unreachable()


def throw_ref(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.pop_vals((EXNREF,), opcode, offset)
    state.unreachable()


def try_table(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    """A block whose catch clauses branch to labels outside it: each label must take what its clause
    gives (the tag's payload, then the exception reference for the ``_ref`` forms)."""
    blocktype, catches = immediate
    for kind, tag, label in catches:
        given = list(tag_params(state.context, tag, offset)) if tag is not None else []
        if kind in (CATCH_REF, CATCH_ALL_REF):
            given.append(EXN)
        wanted = state.label_types(label, offset)
        matches = state.context.matches
        if len(given) != len(wanted) or not all(a == b or matches(a, b) for a, b in zip(given, wanted)):
            raise mismatch(
                f"catch clause gives {type_text(given)} but label {label} takes {type_text(wanted)}", opcode, offset
            )
    _enter(state, "try_table", opcode, blocktype, offset)


def _tail_results(state: BodyState, results: Any, opcode: int, offset: int) -> None:
    """A tail call returns the callee's results from this function: they must match its results."""
    own = state.ctrls[0].end_types
    if len(results) != len(own) or not all(a == b or state.context.matches(a, b) for a, b in zip(results, own)):
        raise mismatch(f"callee returns {type_text(results)} but the function returns {type_text(own)}", opcode, offset)


def return_call(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    try:
        params, results = state.context.funcs[immediate]
    except IndexError:
        raise ValidationError(f"unknown function {immediate}", offset) from None
    _tail_results(state, results, opcode, offset)
    state.pop_vals(params, opcode, offset)
    state.unreachable()


def return_call_indirect(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    call_indirect(state, opcode, immediate, offset)
    _params, results = state.context.func_signature(immediate[0], offset)
    del state.vals[len(state.vals) - len(results) :]
    _tail_results(state, results, opcode, offset)
    state.unreachable()


def _function_reference(state: BodyState, type_index: int, offset: int) -> tuple[list[int], list[int]]:
    """The signature of ``call_ref``'s type, after popping its ``(ref null $t)`` operand."""
    context = state.context
    return context.func_signature(type_index, offset)


def call_ref(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    params, results = _function_reference(state, immediate, offset)
    state.pop_vals([*params, type_code(RefType(True, immediate))], opcode, offset)
    state.vals.extend(results)


def return_call_ref(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    params, results = _function_reference(state, immediate, offset)
    _tail_results(state, results, opcode, offset)
    state.pop_vals([*params, type_code(RefType(True, immediate))], opcode, offset)
    state.unreachable()


def non_null(t: int) -> int:
    """The non-nullable version of reference type (code) ``t`` (Unknown stays Unknown)."""
    if t == UNKNOWN:
        return t
    if t < REF_CODE_BASE:  # funcref, externref, exnref: their code is their abstract heap type's
        return type_code(RefType(False, ABSTRACT_HEAPS[t]))
    return t & ~1


def _pop_reference(state: BodyState, opcode: int, offset: int) -> int:
    (t,) = state.pop_vals((UNKNOWN,), opcode, offset)
    if t != UNKNOWN and not is_reference(t):
        raise mismatch(f"requires a reference operand, got {type_text((t,))}", opcode, offset)
    return t


def br_on_null(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    labels = state.label_types(immediate, offset)
    t = _pop_reference(state, opcode, offset)
    state.pop_vals(labels, opcode, offset)
    state.vals.extend(labels)
    state.vals.append(non_null(t))


def br_on_non_null(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    labels = state.label_types(immediate, offset)
    if not labels or not is_reference(labels[-1]):
        raise mismatch(f"needs a label of a reference type, got {type_text(labels)}", opcode, offset)
    t = _pop_reference(state, opcode, offset)
    state.vals.append(non_null(t))
    state.pop_vals(labels, opcode, offset)
    state.vals.extend(labels[:-1])


CONTROL_RULES: dict[str, Rule] = {
    "unreachable": unreachable,
    "block": block,
    "loop": loop,
    "if": if_,
    "else": else_,
    "end": end,
    "br": br,
    "br_if": br_if,
    "br_table": br_table,
    "return": return_,
    "call": call,
    "call_indirect": call_indirect,
    "throw": throw,
    "throw_ref": throw_ref,
    "try_table": try_table,
    "return_call": return_call,
    "return_call_indirect": return_call_indirect,
    "call_ref": call_ref,
    "return_call_ref": return_call_ref,
    "br_on_null": br_on_null,
    "br_on_non_null": br_on_non_null,
}
"""Control kind (the table's ``control`` column) -> rule."""
