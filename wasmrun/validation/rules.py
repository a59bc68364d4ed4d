"""Where the validator finds each instruction's rule in the instruction table, and the rules of the non-control ones.

:func:`rule_for` reads an instruction's row (:class:`~wasmrun.instructions.InstructionInfo`):

1. **A fixed stack effect** (``params``/``results``): the generic rule of
   :func:`fixed_effect` pops the parameters and pushes the results, after the
   checks its immediate kind asks for (:data:`IMMEDIATE_CHECKS`: a memory access
   needs a memory and an alignment at most the natural one, from ``width``; a
   lane index must be below the shape's lane count; ...).
2. **A control kind** other than ``plain``: its rule in
   :data:`~wasmrun.validation.control.CONTROL_RULES`.
3. **Otherwise, the mnemonic**: its rule in :data:`RULES` (parametric, variable,
   reference, table and bulk-memory instructions, spec 3.3.2-3.3.7).

An instruction none of these types is not covered (:func:`covers`):
``tests/project/test_instruction_table.py`` names it, pointing here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wasmrun.errors import ValidationError
from wasmrun.instructions import InstructionInfo
from wasmrun.types import RefType, type_code
from wasmrun.validation.context import Context
from wasmrun.validation.control import CONTROL_RULES, non_null
from wasmrun.validation.gc_rules import GC_CONTROL_RULES, GC_RULES
from wasmrun.validation.stack import (
    I32,
    NUMERIC,
    UNKNOWN,
    VECTOR,
    BodyState,
    Rule,
    is_reference,
    mismatch,
    type_text,
)

_I32_X3 = (I32, I32, I32)

# --- the rules by mnemonic -------------------------------------------------------------------------------


def nop(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    pass


def drop(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.pop_vals((UNKNOWN,), opcode, offset)


def select(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    """``select`` ([t t i32] -> [t]): for a numeric or vector t when untyped; for the one type given when typed."""
    if immediate is not None:
        if len(immediate) != 1:
            raise ValidationError("invalid result arity", offset)
        t = state.context.check_type(type_code(immediate[0]), offset)
        state.pop_vals((t, t, I32), opcode, offset)
        state.vals.append(t)
        return
    state.pop_vals((I32,), opcode, offset)
    first, second = state.pop_vals((UNKNOWN, UNKNOWN), opcode, offset)
    if not ((first in NUMERIC or first == UNKNOWN) and (second in NUMERIC or second == UNKNOWN)) and not (
        (first in VECTOR or first == UNKNOWN) and (second in VECTOR or second == UNKNOWN)
    ):
        raise mismatch(f"needs two numeric or vector operands, got {type_text((first, second))}", opcode, offset)
    if first != second and first != UNKNOWN and second != UNKNOWN:
        raise mismatch(f"operands differ: {type_text((first, second))}", opcode, offset)
    state.vals.append(second if first == UNKNOWN else first)


def _local(state: BodyState, index: int, offset: int) -> int:
    try:
        return state.locals[index]
    except IndexError:
        raise ValidationError(f"unknown local {index}", offset) from None


def local_get(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    t = _local(state, immediate, offset)
    if state.uninit and immediate in state.uninit:
        raise ValidationError("uninitialized local", offset)
    state.vals.append(t)


def local_set(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.pop_vals((_local(state, immediate, offset),), opcode, offset)
    if state.uninit:
        state.initialise(immediate)


def local_tee(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    t = _local(state, immediate, offset)
    state.pop_vals((t,), opcode, offset)
    if state.uninit:
        state.initialise(immediate)
    state.vals.append(t)


def _global(state: BodyState, index: int, offset: int) -> int:
    try:
        return state.context.globals[index]
    except IndexError:
        raise ValidationError(f"unknown global {index}", offset) from None


def global_get(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.vals.append(_global(state, immediate, offset))


def global_set(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    t = _global(state, immediate, offset)
    if not state.context.global_mutable[immediate]:
        raise ValidationError("immutable global: global is immutable", offset)
    state.pop_vals((t,), opcode, offset)


def ref_null(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.vals.append(state.context.check_type(type_code(immediate), offset))


def ref_is_null(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    (t,) = state.pop_vals((UNKNOWN,), opcode, offset)
    if t != UNKNOWN and not is_reference(t):
        raise mismatch(f"requires a reference operand, got {type_text((t,))}", opcode, offset)
    state.vals.append(I32)


def ref_as_non_null(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    (t,) = state.pop_vals((UNKNOWN,), opcode, offset)
    if t != UNKNOWN and not is_reference(t):
        raise mismatch(f"requires a reference operand, got {type_text((t,))}", opcode, offset)
    state.vals.append(non_null(t))


def ref_func(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    context = state.context
    if immediate >= len(context.funcs):
        raise ValidationError(f"unknown function {immediate}", offset)
    if immediate not in context.refs:
        raise ValidationError(f"undeclared function reference {immediate}", offset)
    state.vals.append(function_reference_type(context, immediate))


def function_reference_type(context: Context, function_index: int) -> int:
    """The type of ``ref.func f``: ``(ref $t)``, ``$t`` the function's type."""
    return type_code(RefType(False, context.func_type_indices[function_index]))


def _table(context: Context, index: int, offset: int) -> int:
    if index >= len(context.tables):
        raise ValidationError(f"unknown table {index}", offset)
    return context.tables[index]


def _elem(context: Context, index: int, offset: int) -> int:
    if index >= len(context.elems):
        raise ValidationError(f"unknown elem segment {index}", offset)
    return context.elems[index]


def _require_memory(context: Context, offset: int, index: int = 0) -> int:
    """The address type of memory ``index`` (i32, or i64 for a 64-bit memory)."""
    if index >= context.num_memories:
        raise ValidationError(f"unknown memory {index}", offset)
    return context.memories[index]


def _table_address(context: Context, index: int) -> int:
    return context.table_addresses[index]


def _require_data(context: Context, index: int, offset: int) -> None:
    # (The decoder has made sure a data count section exists when bodies use data indices.)
    if index >= context.num_datas:
        raise ValidationError(f"unknown data segment {index}", offset)


def table_get(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    t = _table(state.context, immediate, offset)
    state.pop_vals((_table_address(state.context, immediate),), opcode, offset)
    state.vals.append(t)


def table_set(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    t = _table(state.context, immediate, offset)
    state.pop_vals((_table_address(state.context, immediate), t), opcode, offset)


def table_size(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    _table(state.context, immediate, offset)
    state.vals.append(_table_address(state.context, immediate))


def table_grow(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    t = _table(state.context, immediate, offset)
    at = _table_address(state.context, immediate)
    state.pop_vals((t, at), opcode, offset)
    state.vals.append(at)


def table_fill(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    t = _table(state.context, immediate, offset)
    at = _table_address(state.context, immediate)
    state.pop_vals((at, t, at), opcode, offset)


def table_copy(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    destination, source = immediate
    t1 = _table(state.context, destination, offset)
    t2 = _table(state.context, source, offset)
    if t1 != t2 and not state.context.matches(t2, t1):
        raise mismatch(f"from a table of {type_text((t2,))} to one of {type_text((t1,))}", opcode, offset)
    a1 = _table_address(state.context, destination)
    a2 = _table_address(state.context, source)
    state.pop_vals((a1, a2, _smaller(a1, a2)), opcode, offset)


def _smaller(a1: int, a2: int) -> int:
    """The address type of a length between two tables or memories: i32 unless both are i64."""
    return a1 if a1 == a2 else I32


def table_init(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    elem_index, table_index = immediate
    t1 = _table(state.context, table_index, offset)
    t2 = _elem(state.context, elem_index, offset)
    if t1 != t2 and not state.context.matches(t2, t1):
        raise mismatch(f"from a segment of {type_text((t2,))} to a table of {type_text((t1,))}", opcode, offset)
    state.pop_vals((_table_address(state.context, table_index), I32, I32), opcode, offset)


def elem_drop(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    _elem(state.context, immediate, offset)


def memory_copy(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    destination, source = immediate
    a1 = _require_memory(state.context, offset, destination)
    a2 = _require_memory(state.context, offset, source)
    state.pop_vals((a1, a2, _smaller(a1, a2)), opcode, offset)


def memory_fill(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    at = _require_memory(state.context, offset, immediate)
    state.pop_vals((at, I32, at), opcode, offset)


def memory_size(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    state.vals.append(_require_memory(state.context, offset, immediate))


def memory_grow(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    at = _require_memory(state.context, offset, immediate)
    state.pop_vals((at,), opcode, offset)
    state.vals.append(at)


def memory_init(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    data_index, memory = immediate
    at = _require_memory(state.context, offset, memory)
    _require_data(state.context, data_index, offset)
    state.pop_vals((at, I32, I32), opcode, offset)


def data_drop(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    _require_data(state.context, immediate, offset)


def atomic_fence(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
    """``atomic.fence``: no operands, no memory needed (its immediate is a reserved zero byte)."""


RULES: dict[str, Rule] = {
    "nop": nop,
    "atomic.fence": atomic_fence,
    "drop": drop,
    "select": select,  # both encodings: untyped (no immediate) and typed
    "local.get": local_get,
    "local.set": local_set,
    "local.tee": local_tee,
    "global.get": global_get,
    "global.set": global_set,
    "ref.null": ref_null,
    "ref.is_null": ref_is_null,
    "ref.as_non_null": ref_as_non_null,
    "ref.func": ref_func,
    "table.get": table_get,
    "table.set": table_set,
    "table.size": table_size,
    "table.grow": table_grow,
    "table.fill": table_fill,
    "table.copy": table_copy,
    "table.init": table_init,
    "elem.drop": elem_drop,
    "memory.copy": memory_copy,
    "memory.fill": memory_fill,
    "data.drop": data_drop,
}

ADDRESS_RULES: dict[str, Rule] = {
    "memory.size": memory_size,
    "memory.grow": memory_grow,
    "memory.init": memory_init,
}
"""The instructions whose table effect is their 32-bit one: their operands follow the memory's address type."""
"""Mnemonic -> rule, for the plain instructions without a fixed stack effect."""

# --- the generic rule of a fixed stack effect ------------------------------------------------------------

Check = Callable[[BodyState, Any, int], None]
"""A check of an immediate: ``check(state, immediate, offset)`` raises if it is invalid."""


def _no_check(info: InstructionInfo) -> Check | None:
    return None


_2_32 = 2**32


def _check_memarg(info: InstructionInfo) -> Check | None:
    natural = info.natural_alignment
    if info.proposal == "threads":  # an atomic access: exactly the natural alignment

        def check_atomic(state: BodyState, immediate: Any, offset: int) -> None:
            address_type = _require_memory(state.context, offset, immediate[2])
            if immediate[0] != natural:
                raise ValidationError("alignment must be equal to natural", offset)
            if address_type == I32 and immediate[1] >= _2_32:
                raise ValidationError("offset out of range", offset)

        return check_atomic

    def check(state: BodyState, immediate: Any, offset: int) -> None:
        address_type = _require_memory(state.context, offset, immediate[2])
        if immediate[0] > natural:
            raise ValidationError("alignment must not be larger than natural", offset)
        if address_type == I32 and immediate[1] >= _2_32:
            raise ValidationError("offset out of range", offset)

    return check


def _check_memarg_lane(info: InstructionInfo) -> Check | None:
    if info.width is None:
        raise RuntimeError(f"{info.mnemonic}: a lane access without a width in the instruction table")
    natural = info.natural_alignment
    lanes = 16 // info.width

    def check(state: BodyState, immediate: Any, offset: int) -> None:
        align, memory_offset, lane, memory = immediate
        address_type = _require_memory(state.context, offset, memory)
        if align > natural:
            raise ValidationError("alignment must not be larger than natural", offset)
        if address_type == I32 and memory_offset >= _2_32:
            raise ValidationError("offset out of range", offset)
        if lane >= lanes:
            raise ValidationError(f"invalid lane index {lane}", offset)

    return check


def _check_lane(info: InstructionInfo) -> Check | None:
    shape = info.mnemonic.split(".")[0]  # i8x16, i16x8, ..., f64x2: lanes after the x
    lanes = int(shape.split("x")[1])

    def check(state: BodyState, immediate: Any, offset: int) -> None:
        if immediate >= lanes:
            raise ValidationError(f"invalid lane index {immediate}", offset)

    return check


def _check_shuffle(info: InstructionInfo) -> Check | None:
    def check(state: BodyState, immediate: Any, offset: int) -> None:
        for lane in immediate:
            if lane >= 32:
                raise ValidationError(f"invalid lane index {lane}", offset)

    return check


def _check_memory(info: InstructionInfo) -> Check | None:
    def check(state: BodyState, immediate: Any, offset: int) -> None:
        _require_memory(state.context, offset)

    return check


def _check_memory_init(info: InstructionInfo) -> Check | None:
    def check(state: BodyState, immediate: Any, offset: int) -> None:
        _require_memory(state.context, offset)
        data_index, _ = immediate
        _require_data(state.context, data_index, offset)

    return check


IMMEDIATE_CHECKS: dict[str, Callable[[InstructionInfo], Check | None]] = {
    "none": _no_check,
    "i32": _no_check,
    "i64": _no_check,
    "f32": _no_check,
    "f64": _no_check,
    "v128": _no_check,
    "memarg": _check_memarg,
    "memarg_lane": _check_memarg_lane,
    "lane": _check_lane,
    "shuffle": _check_shuffle,
    "memory": _check_memory,
    "memory.init": _check_memory_init,
}
"""Immediate kind -> the check (made from the row) an instruction with a fixed effect needs of its immediate."""


def fixed_effect(info: InstructionInfo) -> Rule | None:
    """The rule of an instruction with a fixed stack effect (None if its immediate kind is not one it checks)."""
    make_check = IMMEDIATE_CHECKS.get(info.immediate)
    if make_check is None or info.params is None or info.results is None:
        return None
    check = make_check(info)
    params = [int(t) for t in info.params]
    results = [int(t) for t in info.results]

    if info.immediate in ("memarg", "memarg_lane"):
        # The address (the first operand) has the memory's address type; the memory index is last.
        def access_rule(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
            if check is not None:
                check(state, immediate, offset)
            state.pop_vals([state.context.memories[immediate[-1]], *params[1:]], opcode, offset)
            state.vals.extend(results)

        access_rule.__name__ = access_rule.__qualname__ = info.mnemonic
        return access_rule

    def rule(state: BodyState, opcode: int, immediate: Any, offset: int) -> None:
        if check is not None:
            check(state, immediate, offset)
        state.pop_vals(params, opcode, offset)
        state.vals.extend(results)

    rule.__name__ = rule.__qualname__ = info.mnemonic
    return rule


# --- finding a rule ----------------------------------------------------------------------------------------


def rule_for(info: InstructionInfo) -> Rule | None:
    """The rule that types the instruction of row ``info`` (see the module docstring), or None."""
    if info.mnemonic in ADDRESS_RULES:
        return ADDRESS_RULES[info.mnemonic]
    if info.params is not None:
        return fixed_effect(info)
    if info.control != "plain":
        return CONTROL_RULES.get(info.control) or GC_CONTROL_RULES.get(info.control)
    return RULES.get(info.mnemonic) or GC_RULES.get(info.mnemonic)


def covers(info: InstructionInfo) -> bool:
    """Whether the validator has a rule for this instruction (the completeness test asks)."""
    return rule_for(info) is not None
