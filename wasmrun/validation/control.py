"""The rules of the control instructions (spec 3.3.8), found by the control kind of their row.

Each is a :data:`~wasmrun.validation.stack.Rule`, in the words of the appendix's
algorithm (:mod:`wasmrun.validation.stack`).  ``block``, ``loop`` and ``if`` push
a control frame and ``end`` pops one; the others change the frame on top in
place.  ``call`` and ``call_indirect`` are here because the table gives them a
control kind.
"""

from __future__ import annotations

from typing import Any

from wasmrun.errors import DecodeError, ValidationError
from wasmrun.validation.stack import FUNCREF, I32, BodyState, Rule, mismatch, type_text


def unreachable(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.unreachable()


def _enter(state: BodyState, kind: str, opcode: int, blocktype: int, offset: int) -> None:
    """``block``, ``loop`` and ``if``: pop the block type's parameters (after the condition), push a frame."""
    signature = state.context.block_types.get(blocktype)
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
    if type_index >= len(context.types):
        raise ValidationError(f"unknown type {type_index}", offset)
    if context.tables[table_index] != FUNCREF:
        raise mismatch("requires a table of funcref", opcode, offset)
    params, results = context.types[type_index]
    state.pop_vals([*params, context.table_addresses[table_index]], opcode, offset)
    state.vals.extend(results)


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
}
"""Control kind (the table's ``control`` column) -> rule."""
