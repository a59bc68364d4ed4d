"""Parametric, variable and reference instructions: the operand stack, locals, globals, references.

A ``local.get`` pushes the local's name (pending: see :mod:`~wasmrun.codegen.values`)
with the alignment the local is known to have; a ``local.set`` writes it,
first materialising the pending entries that read it.  A ``global.get`` is a
statement (its value can change under a pending expression).
"""

from __future__ import annotations

from typing import Any

from wasmrun.codegen import ranges
from wasmrun.codegen.alignment import lowest
from wasmrun.codegen.emitter import Emitter
from wasmrun.codegen.ranges import Range
from wasmrun.codegen.values import NO_CONSTANT, Value, local_name


class VariableInstructions(Emitter):
    """``drop``, ``select``, ``local.*``, ``global.*`` and ``ref.*``."""

    def op_drop(self, _immediate: None) -> None:
        self.pop_raw()

    def op_select(self, _immediate: Any) -> None:
        z = self.pop()
        y = self.pop()
        x = self.pop()
        if z.constant is not NO_CONSTANT:
            self.push(x if z.constant else y)
            return
        self.push_expression(f"({x.code} if {z.code} else {y.code})", (x, y, z), 1)
        self.stack[-1].align = lowest(x.align, y.align, self.align_nodes)
        if self.tracks_ranges and (x.range is not None or y.range is not None or z.test is not None):
            # (Only i32 instructions read ranges: a select of i64 constants may carry one, unread.)
            result = self.stack[-1]
            result.selection = (x, y, z)
            result.range = self.narrowed_range(result, [])
            result.derived = self.derived_selection(x, y, z)

    def derived_selection(self, x: Value, y: Value, z: Value) -> ranges.Derived | None:
        """``select(x, y, b <relation> c)`` of a local ``b``, each of ``x`` and ``y`` ``b`` itself or a
        constant: computed from ``b`` alone (see ranges.LocalRanges), else None."""
        if z.test is None:
            return None
        relation, a, b = z.test
        if not isinstance(b.constant, int):
            relation, a, b = ranges.mirrored(relation), b, a
        local = self.offset_of(a)
        if local is None or local[1] or not isinstance(b.constant, int) or not 0 <= b.constant < ranges.U32:
            return None
        arms: list[ranges.Span | None] = []
        for arm in (x, y):
            if self.offset_of(arm) == local:
                arms.append(None)
            elif isinstance(arm.constant, int) and 0 <= arm.constant < ranges.U32:
                arms.append(ranges.constant_span(arm.constant))
            else:
                return None
        return ranges.derived_selection(local[0], relation, ranges.constant_span(b.constant), (arms[0], arms[1]))

    def narrowed_range(self, value: Value, conditions: list[tuple[Value, bool]]) -> Range:
        """The range of ``value`` where ``conditions`` hold or not (the control flow's: see control.py)."""
        raise NotImplementedError

    def op_local_get(self, index: int) -> None:
        self.push(
            Value(
                local_name(index),
                frozenset((index,)),
                simple=True,
                align=self.local_align[index],
                range=self.local_range[index],
            )
        )

    def op_local_set(self, index: int) -> None:
        value = self.pop()
        name = local_name(index)
        if value.code == name:
            return
        self.spill(index)
        self.emit(f"{name} = {value.code}")
        self.local_align[index] = value.align
        if index in self.i32_locals:
            self.write_range(index, self.range_of(value), value)
        else:
            self.local_range[index] = None

    def op_local_tee(self, index: int) -> None:
        value = self.canonical(self.stack[-1])
        name = local_name(index)
        if value.code == name:
            return
        self.pop()
        self.spill(index)
        self.emit(f"{name} = {value.code}")
        self.local_align[index] = value.align
        if index in self.i32_locals:
            span = self.range_of(value)
            self.write_range(index, span, value)
        else:
            span = self.local_range[index] = None
        self.push(Value(name, frozenset((index,)), simple=True, align=value.align, range=span))

    def op_global_get(self, index: int) -> None:
        name, push = self.destination()
        self.emit(f"{name} = g{index}.value")
        if push:
            self.push_result(name)

    def op_global_set(self, index: int) -> None:
        value = self.pop()
        self.emit(f"g{index}.value = {value.code}")

    # --- references ---------------------------------------------------------------------------

    def op_ref_is_null(self, _immediate: None) -> None:
        x = self.pop()
        self.push_expression(f"({x.code} is None)", (x,), 1)

    def op_ref_null(self, _immediate: Any) -> None:
        self.push(self.constant(None))

    def op_ref_func(self, index: int) -> None:
        self.push(Value(f"fi{index}", simple=True))
