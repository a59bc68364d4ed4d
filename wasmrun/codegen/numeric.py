"""Numeric instructions: constants, and the numeric rules written out as expressions or statements.

Each scalar numeric instruction goes through :meth:`NumericInstructions.numeric`
(the table gives every row with a fixed effect and no immediate that visitor):
folded when its operands are constants, else its template of
:class:`~wasmrun.codegen.emitter.Expressions` with the operands substituted
(lazily masked where the result need only be right modulo 2**bits), an
inlined division, or a call of the function named after the mnemonic.  What
to do for each mnemonic is worked out once per set of rules (:class:`_NumericPlan`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wasmrun.codegen import ranges
from wasmrun.codegen.alignment import highest, lowest, product, shifted
from wasmrun.codegen.emitter import MAX_EXPRESSION_DEPTH, TRAPS, Emitter, Expressions
from wasmrun.codegen.ranges import Choice, Range, RangeNode
from wasmrun.codegen.values import EMPTY, NO_CONSTANT, Value, int_literal
from wasmrun.floats import f32_from_bits, f64_from_bits
from wasmrun.semantics.access import TRAPPING_OPS
from wasmrun.semantics.dispatch import NUMERIC_OPCODES

_IDENTITIES = {"add": 0, "sub": 0, "or": 0, "xor": 0, "shl": 0, "mul": 1}  # right operands that change nothing
_ALIGNMENT_KEEPING = frozenset(("i32.wrap_i64", "i64.extend_i32_u"))  # results with their operand's low bits

_PLACEHOLDERS = ("{a}", "{b}")

_RELATIONS = {
    "eqz": "eq",
    **{name: name for name in ("eq", "ne", "lt_u", "gt_u", "le_u", "ge_u", "lt_s", "gt_s", "le_s", "ge_s")},
}
"""The i32 comparisons: mnemonic's operation -> the relation its result tests (see ranges.py)."""


def _shift_amount(span: ranges.Span) -> int:
    return span[0] & 31  # (the shifts that have a range take a constant amount)


_RESULT_RANGES: dict[str, Callable[..., ranges.Span]] = {
    "shr_u": lambda a, b: ranges.span_shr_u(a, _shift_amount(b)),
    "shr_s": lambda a, b: ranges.span_shr_s(a, _shift_amount(b)),
    "clz": lambda a: ranges.canonical_span(0, 32),
    "ctz": lambda a: ranges.canonical_span(0, 32),
    "popcnt": lambda a: ranges.canonical_span(0, 32),
    "extend8_s": lambda a: ranges.signed_span(-128, 127),
    "extend16_s": lambda a: ranges.signed_span(-32768, 32767),
}
"""The i32 operations written with a template (not lazily masked) whose result's range is known: operation ->
the function of the operands' spans."""
_CONSTANT_ONLY = frozenset(("shr_u", "shr_s"))
_WRAPPING_RANGES = {
    "add": ranges.span_add,
    "sub": ranges.span_sub,
    "mul": ranges.span_mul,
    "shl": ranges.span_shl,
    "and": ranges.span_and,
    "or": ranges.span_or,
    "xor": ranges.span_or,
}
"""The lazily masked i32 operations: operation -> the function of the operands' raw spans giving the result's."""
_GROWING = frozenset(("add", "sub", "mul", "shl"))
_UNKNOWN = (ranges.FULL, ranges.RAW_ANY)


class _NumericPlan:
    """What the generator does with one numeric mnemonic, worked out once per :class:`Expressions`."""

    __slots__ = (
        "bits",
        "division",
        "fold",
        "i32",
        "identity",
        "keeps_alignment",
        "operation",
        "parens",
        "raw_operand",
        "relation",
        "template",
        "views",
        "wrapping",
    )

    def __init__(self, expressions: Expressions, mnemonic: str, arity: int) -> None:
        function = expressions.functions.get(mnemonic)
        self.fold = function if mnemonic not in TRAPPING_OPS else None  # for constant operands
        wrapping = expressions.wrapping.get(mnemonic)
        self.wrapping = wrapping or ""
        self.bits = (64 if mnemonic[1] == "6" else 32) if wrapping is not None else 0
        self.operation = mnemonic[4:]
        self.identity = _IDENTITIES.get(self.operation) if wrapping is not None else None
        template = expressions.templates.get(mnemonic)
        self.template = template if template is not None and mnemonic not in TRAPPING_OPS else ""
        self.raw_operand = mnemonic in expressions.raw_operand
        self.parens = self.template.count("(")
        # Per operand: the signed views of it the template contains, as (bits, text).
        self.views = tuple(
            tuple(
                (bits, view.replace("{x}", placeholder))
                for bits, view in expressions.signed_views.items()
                if view.replace("{x}", placeholder) in self.template
            )
            for placeholder in _PLACEHOLDERS[:arity]
        )
        self.keeps_alignment = mnemonic in _ALIGNMENT_KEEPING
        self.division = expressions.divisions.get(mnemonic, "")
        self.i32 = mnemonic.startswith("i32.")
        self.relation = _RELATIONS.get(self.operation, "") if self.i32 else ""


_PLANS: dict[int, tuple[Expressions, dict[str, _NumericPlan]]] = {}


def _plans(expressions: Expressions) -> dict[str, _NumericPlan]:
    """The numeric plans for ``expressions`` (made once; keyed by identity, the object kept alive)."""
    found = _PLANS.get(id(expressions))
    if found is None or found[0] is not expressions:
        plans = {
            info.mnemonic: _NumericPlan(expressions, info.mnemonic, len(info.params or ()))
            for info in NUMERIC_OPCODES.values()
        }
        found = _PLANS[id(expressions)] = (expressions, plans)
    return found[1]


class NumericInstructions(Emitter):
    """Constants and the scalar numeric instructions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plans = _plans(self.expressions)

    # --- constants ------------------------------------------------------------------------------

    def op_i32_const(self, value: int) -> None:
        self.push(self.constant(value))  # (its range: see Emitter.range_of)

    op_i64_const = op_i32_const

    def op_f32_const(self, bits: int) -> None:
        self.push(self.constant(f32_from_bits(bits)))

    def op_f64_const(self, bits: int) -> None:
        self.push(self.constant(f64_from_bits(bits)))

    # --- numeric --------------------------------------------------------------------------------

    def numeric(self, mnemonic: str, arity: int) -> None:
        plan = self.plans[mnemonic]
        stack = self.stack
        base = len(stack) - arity
        function = plan.fold
        if function is not None and stack[-1].constant is not NO_CONSTANT:
            if arity == 1:
                self.stack[-1] = self.constant(function(stack[-1].constant))
                return
            if stack[-2].constant is not NO_CONSTANT:
                value = function(stack[-2].constant, stack[-1].constant)
                del stack[-2:]
                stack.append(self.constant(value))
                return
        if plan.bits:
            self.wrapping(plan)
            return
        template = plan.template
        if not template:
            if not plan.division or not self.division(mnemonic, plan.division):
                self.call_numeric(mnemonic, arity)
            return
        if not plan.raw_operand:
            for index in range(base, len(stack)):
                if stack[index].wrap:
                    stack[index] = self.canonical(stack[index])
        depth = stack[-1].depth if arity == 1 else max(stack[-1].depth, stack[-2].depth)
        if depth + plan.parens > MAX_EXPRESSION_DEPTH:
            for index in range(base, len(stack)):
                self.materialize(index)
        text = template
        for position, views in enumerate(plan.views):
            operand = stack[base + position]
            placeholder = _PLACEHOLDERS[position]
            if views and plan.i32 and not isinstance(operand.constant, int):
                text = self.signed_view(text, base + position, views[0][1])
            elif views:
                constant = operand.constant
                if isinstance(constant, int):
                    for bits, pattern in views:
                        if pattern in text:
                            signed = constant - (1 << bits) if constant >> (bits - 1) else constant
                            text = text.replace(pattern, int_literal(signed))
                elif operand.simple and len(operand.reads) == 1:
                    for bits, pattern in views:
                        if pattern in text:
                            name = self.hoist(operand, self.expressions.signed_views[bits].replace("{x}", operand.code))
                            if name is not None:
                                text = text.replace(pattern, name)
            if not operand.simple and text.count(placeholder) > 1:
                self.materialize(base + position)
        operands = tuple(stack[base:])
        for placeholder, operand in zip(_PLACEHOLDERS, operands):
            text = text.replace(placeholder, operand.code)
        del stack[base:]
        self.push_expression(text, operands, plan.parens)
        if plan.keeps_alignment:
            stack[-1].align = operands[0].align
        if plan.i32 and self.tracks_ranges:
            self.result_range(plan, operands)

    def signed_view(self, text: str, index: int, pattern: str) -> str:
        """``text`` with the signed view ``pattern`` of i32 operand ``index`` written out: the operand itself
        where its range is below 2**31 (see ranges.py), else hoisted before the loops that keep it or inline."""
        operand = self.stack[index]
        span = self.range_of(operand)
        if span is not None and not isinstance(span, RangeNode) and ranges.below_sign(span):
            return text.replace(pattern, ranges.claimed(operand.code, 1 << 31))
        if not operand.simple:
            self.materialize(index)
            operand = self.stack[index]
        view = self.expressions.signed_views[32].replace("{x}", operand.code)
        hoisted = self.hoist(operand, view) if len(operand.reads) == 1 else None
        if hoisted is not None:
            return text.replace(pattern, hoisted)  # (a name: as cheap as the operand itself)
        if isinstance(span, RangeNode):
            identity = ranges.claimed(operand.code, 1 << 31)
            view = ranges.choice_text(self.choices, Choice(span, ranges.below_sign, identity, view))
        return text.replace(pattern, view)

    def result_range(self, plan: _NumericPlan, operands: tuple[Value, ...]) -> None:
        """The range of an i32 instruction's result just pushed (and the comparison a condition makes)."""
        result = self.stack[-1]
        operation = plan.operation
        if plan.relation:
            result.range = ranges.BOOLEAN
            if operation == "eqz":
                test = operands[0].test
                result.test = (
                    (ranges.negation(test[0]), test[1], test[2])
                    if test is not None
                    else ("eq", operands[0], self.constant(0))
                )
            else:
                result.test = (plan.relation, operands[0], operands[1])
            return
        function = _RESULT_RANGES.get(operation)
        if function is None:
            return
        if len(operands) == 2:
            if not isinstance(operands[1].constant, int) and operation in _CONSTANT_ONLY:
                return
            arguments: tuple[Range, ...] = (self.range_of(operands[0]), self.range_of(operands[1]))
            result.derived = self.derived_through(function, operands[0], operands[1])
        else:
            arguments = (self.range_of(operands[0]),)  # (a constant span, whatever the operand: no derivation)
        result.range = ranges.derive(function, arguments, self.range_nodes)

    def wrapping(self, plan: _NumericPlan) -> None:
        """A binary instruction whose result need only be right modulo 2**bits (lazy masking)."""
        bits = plan.bits
        operation = plan.operation
        template = plan.wrapping
        stack = self.stack
        a, b = stack[-2], stack[-1]
        if operation == "mul" and (a.signable is not None or b.signable is not None):
            # A word loaded for this product only: read it signed (see MemoryInstructions.signed_reader),
            # a value right modulo 2**32 like any lazily masked one.
            for operand in (a, b):
                if operand.signable is not None:
                    operand.signable()
                    operand.signable = None
                    operand.wrap = operand.width = bits
                    operand.range = ranges.SIGNED_WORD
        identity = plan.identity
        if identity is not None:
            if b.constant is not NO_CONSTANT and b.constant == identity:
                del stack[-1]  # x + 0, x - 0, x | 0, x ^ 0, x << 0, x * 1: x itself
                return
            if a.constant is not NO_CONSTANT and a.constant == identity and operation != "sub" and operation != "shl":
                del stack[-2]
                return
        # The estimated magnitudes of the operands, in bits (lazy masking: see Value).
        width_a = a.width if a.wrap else max(a.constant.bit_length(), 1) if type(a.constant) is int else bits
        width_b = b.width if b.wrap else max(b.constant.bit_length(), 1) if type(b.constant) is int else bits
        if operation == "mul":
            width = width_a + width_b
        elif operation == "shl":
            width = width_a + (b.constant & (bits - 1) if isinstance(b.constant, int) else bits - 1)
        else:
            width = (width_a if width_a > width_b else width_b) + 1
        depth = (a.depth if a.depth > b.depth else b.depth) + 1
        if width > 4 * bits or depth > MAX_EXPRESSION_DEPTH:
            # Beyond this estimated magnitude (or nesting), reduce the operands first.
            a, b = self.canonical(a), self.canonical(b)
            width = 2 * bits + 1
            depth = (a.depth if a.depth > b.depth else b.depth) + 1
        del stack[-2:]
        if operation in ("add", "sub") and isinstance(b.constant, int) and b.constant >> (bits - 1):
            # x + c with c >= 2**(bits-1) is x - (2**bits - c) modulo 2**bits (x - c likewise): the
            # sum then stays a one-digit int that the reduction returns as it is, where a sum beyond
            # 2**bits would make ``%`` divide (three times slower).
            operation = "sub" if operation == "add" else "add"
            b = self.constant((1 << bits) - b.constant)
            template = self.expressions.wrapping[f"i{bits}.{operation}"]
        elif operation == "add" and isinstance(a.constant, int) and a.constant >> (bits - 1):
            a, b = b, self.constant((1 << bits) - a.constant)
            operation = "sub"
            template = self.expressions.wrapping[f"i{bits}.sub"]
        text = template.replace("{a}", a.code).replace("{b}", b.code)
        reads = a.reads | b.reads if (a.reads or b.reads) else EMPTY
        nodes = self.align_nodes
        if bits != 32 or not self.tracks_ranges:
            span: Range = None
        elif operation in _GROWING and (
            (a.range is None and a.constant is NO_CONSTANT) or (b.range is None and b.constant is NO_CONSTANT)
        ):
            span = ranges.RAW_ANY  # (the quick answer of wrapped_range for an operand of unknown range)
        else:
            span = self.wrapped_range(operation, a, b)
        if operation == "and":
            # x & c is canonical if c is.
            align = highest(a.align, b.align)
            if not (a.wrap and b.wrap):
                result = Value(text, reads, depth=depth, align=align, range=span)
                self.note_derivation(result, operation, a, b, bits)
                stack.append(result)
                return
        elif operation == "mul":
            align = product(a.align, b.align, nodes)
        elif operation == "shl":
            align = shifted(a.align, b.constant & (bits - 1), nodes) if isinstance(b.constant, int) else a.align
        else:
            align = lowest(a.align, b.align, nodes)
            if operation != "add" and operation != "sub" and not a.wrap and not b.wrap:
                result = Value(text, reads, depth=depth, align=align, range=span)  # x | y, x ^ y if both are
                self.note_derivation(result, operation, a, b, bits)
                stack.append(result)
                return
        wide = operation == "mul" or operation == "shl" or a.wide or b.wide
        result = Value(text, reads, depth=depth, wrap=bits, width=width, wide=wide, align=align, range=span)
        self.note_derivation(result, operation, a, b, bits)
        stack.append(result)

    def note_derivation(self, result: Value, operation: str, a: Value, b: Value, bits: int) -> None:
        """What a lazily masked i32 operation's result is of one local and constants (see ranges.LocalRanges;
        a local plus a constant also in a function that tracks no ranges: an address the memory accesses
        may take apart, see MemoryInstructions.hoisted_index)."""
        if bits != 32:
            return
        if operation == "add" or operation == "sub":
            result.offset = self.offset_sum(operation, a, b)
        if not self.tracks_ranges:
            return
        if result.offset is None and (operation != "shl" or isinstance(b.constant, int)):
            result.derived = self.derived_through(_WRAPPING_RANGES[operation], a, b)

    def derived_through(self, function: Callable[..., ranges.Span], a: Value, b: Value) -> ranges.Derived | None:
        """The derivation (see ranges.LocalRanges) of ``function``'s result, if one operand is computed from
        a local alone and the other is a constant, else None."""
        for value, other, first in ((a, b, True), (b, a, False)):
            constant = other.constant
            if type(constant) is int and 0 <= constant < ranges.U32:
                derived = self.derived_of(value)
                if derived is not None:
                    return ranges.derived_by(function, derived, ranges.constant_span(constant), first)
        return None

    def offset_sum(self, operation: str, a: Value, b: Value) -> ranges.Offset | None:
        """``x + c``, ``c + x`` or ``x - c`` for an ``x`` that is a local plus a constant: that local plus
        another constant (see ranges.LocalRanges), else None."""
        if isinstance(b.constant, int):
            offset = self.offset_of(a, i32=True)
            constant = b.constant if operation == "add" else -b.constant
        elif operation == "add" and isinstance(a.constant, int):
            offset = self.offset_of(b, i32=True)
            constant = a.constant
        else:
            return None
        return None if offset is None else (offset[0], (offset[1] + constant) % ranges.U32)

    def wrapped_range(self, operation: str, a: Value, b: Value) -> Range:
        """The range of the raw value of a lazily masked i32 operation's text (see ranges.py)."""
        if operation == "shl" and not isinstance(b.constant, int):
            return ranges.RAW_ANY
        first, second = self.raw_range(a), self.raw_range(b)
        if operation in _GROWING and (first in _UNKNOWN or second in _UNKNOWN):
            return ranges.RAW_ANY  # (a sum, difference, product or shift of an unknown operand: never canonical)
        function = _WRAPPING_RANGES[operation]
        if first.__class__ is tuple and second.__class__ is tuple:
            return function(first, second)
        return ranges.derive(function, (first, second), self.range_nodes)

    def raw_range(self, value: Value) -> Range:
        """What is known of the raw value of an i32 operand, canonical or lazily masked (never None)."""
        span = self.range_of(value)
        if span is not None:
            return span
        return ranges.RAW_ANY if value.wrap else ranges.FULL

    def division(self, mnemonic: str, template: str) -> bool:
        """An integer division or remainder without its function's call, where that is safe; whether it was.

        A positive constant divisor cannot trap: the quotient is an expression.
        An unsigned one by a variable divisor is tested first (``a // b if b
        else i32_div_u(a, b)``: the function raises the trap), a statement.
        """
        stack = self.stack
        divisor = stack[-1]
        bits = 64 if mnemonic[1] == "6" else 32
        unsigned = mnemonic[-1] == "u"
        if isinstance(divisor.constant, int):
            if not 0 < divisor.constant < 1 << (bits if unsigned else bits - 1):
                return False
            stack[-2] = self.canonical(stack[-2])
            parens = template.count("(")
            if (not unsigned and not stack[-2].simple) or stack[-2].depth + parens > MAX_EXPRESSION_DEPTH:
                self.materialize(len(stack) - 2)  # the signed forms use the dividend three times
            dividend = stack[-2]
            del stack[-2:]
            text = template.replace("{a}", dividend.code).replace("{b}", divisor.code)
            self.push_expression(text, (dividend, divisor), parens)
            return True
        if not unsigned:
            return False
        for index in (-2, -1):
            stack[index] = self.canonical(stack[index])
        if not divisor.simple:
            self.materialize(len(stack) - 1)
        dividend, divisor = stack[-2], stack[-1]
        del stack[-2:]
        text = template.replace("{a}", dividend.code).replace("{b}", divisor.code)
        name, push = self.destination()
        function = mnemonic.replace(".", "_")
        self.emit(f"{name} = {text} if {divisor.code} else {function}({dividend.code}, {divisor.code})", TRAPS)
        if push:
            self.push_result(name)
        return True

    def multi_result(self, mnemonic: str, arity: int, count: int) -> None:
        """A numeric instruction with several results: its function's tuple unpacked into temporaries."""
        operands = self.top(arity)
        del self.stack[len(self.stack) - arity :]
        names = [self.temp() for _ in range(count)]
        arguments = ", ".join(operand.code for operand in operands)
        self.emit(f"{', '.join(names)} = {mnemonic.replace('.', '_')}({arguments})")
        self.stack.extend(Value(name, simple=True) for name in names)

    def call_numeric(self, mnemonic: str, arity: int) -> None:
        operands = tuple(self.top(arity))
        del self.stack[len(self.stack) - arity :]
        text = f"{mnemonic.replace('.', '_')}({', '.join(operand.code for operand in operands)})"
        if mnemonic in TRAPPING_OPS:
            name, push = self.destination()
            self.emit(f"{name} = {text}", TRAPS)
            if push:
                self.push_result(name)
        else:
            self.push_expression(text, operands, 1)
