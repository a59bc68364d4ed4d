"""Counting loops: the counters and stepped locals whose back edges the range analysis can bound.

:mod:`~wasmrun.codegen.ranges` joins and narrows spans; a loop head's span would grow without end through
its back edges but for the loop shapes recognised here, on the nodes the generator builds: a counter
stepped up to a bound it stops at (:func:`counted`), one counting down to 0 (:func:`counted_down`), and a
local each iteration steps by a constant or an invariant (:func:`add_input`), whose growth the counter's
most back edges bound (``ranges._stepped_bound``).  Each recognition looks through the narrowings on a
value and the joins of them (:func:`_unnarrowed`): the value is the same, better known.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wasmrun.codegen.alignment import ALIGN_CAP, Alignment
from wasmrun.codegen.ranges import (
    FULL,
    Range,
    RangeNode,
    Span,
    canonical_span,
    constant_span,
    narrow_ne,
    narrows_first,
    reduced,
    same,
    span_add,
    span_of,
    span_sub,
)

_STEPS = {constant_span(1 << bits): bits for bits in range(ALIGN_CAP + 1)}
"""A counter's steps whose multiples alignment can show (1, 2, 4, 8): span -> log2."""


class CounterNarrowing:
    """A counting loop's narrowing of its counter (see :func:`counted`, :func:`counted_down`): ``function`` of
    the arguments, the span of the value of the argument at ``argument``, perhaps better known."""

    __slots__ = ("argument", "function")

    def __init__(self, function: Callable[..., Span], argument: int) -> None:
        self.function = function
        self.argument = argument

    def __call__(self, *spans: Span) -> Span:
        return self.function(*spans)


UNNARROWED_DEPTH = 32
"""The most joins :func:`_unnarrowed` looks through, one inside another (beyond, it stops: a value it does not
recognise, which is always sound)."""


def _unnarrowed(term: Range, seen: dict[int, Range] | None = None, depth: int = 0) -> Range:
    """The value ``term`` is the range of, perhaps better known: ``term`` without the narrowings on top of it,
    and through a join of narrowings of one value (the two ways of a condition on it, met again).

    Each node is looked through once per call (``seen``: the joins' inputs so far), so the work is linear in
    the nodes however the joins share them."""
    while isinstance(term, RangeNode) and not term.loop_head:
        inputs = term.inputs
        if len(inputs) == 1 and narrows_first(inputs[0][0]):
            term = inputs[0][1][0]
        elif len(inputs) == 1 and inputs[0][0].__class__ is CounterNarrowing:
            term = inputs[0][1][inputs[0][0].argument]
        elif len(inputs) > 1 and depth < UNNARROWED_DEPTH and all(function is same for function, _ in inputs):
            if seen is None:
                seen = {}
            source: Range = None
            for _function, arguments in inputs:
                found = seen.get(id(arguments[0]))
                if found is None:
                    found = seen[id(arguments[0])] = _unnarrowed(arguments[0], seen, depth + 1)
                if source is None:
                    source = found
                elif found is not source:
                    return term
            term = source
        else:
            break
    return term


def _reduced_operation(term: Range) -> tuple[Callable[..., Span], tuple[Any, ...]] | None:
    """``(function, arguments)`` if ``term`` (without the narrowings on it) is the reduction modulo 2**32 of one
    operation's raw result, else None."""
    term = _unnarrowed(term)
    if not isinstance(term, RangeNode) or len(term.inputs) != 1 or term.inputs[0][0] is not reduced:
        return None
    (raw,) = term.inputs[0][1]
    if not isinstance(raw, RangeNode) or len(raw.inputs) != 1:
        return None
    return raw.inputs[0]


def incremented_head(term: Range) -> tuple[RangeNode, int] | None:
    """The loop head ``term`` is a step more than, reduced (``x = (x + 2**k) mod 2**32``, ``x`` read as it
    was at the head, perhaps narrowed on the way, ``k`` at most the alignment cap): the head's node and
    ``k``, else None."""
    operation = _reduced_operation(term)
    if operation is None or operation[0] is not span_add:
        return None
    first, second = operation[1]
    read, step = (first, _STEPS.get(second)) if isinstance(second, tuple) else (second, _STEPS.get(first))
    if step is None:
        return None
    read = _unnarrowed(read)
    return (read, step) if isinstance(read, RangeNode) and read.loop_head else None


def _aligned(alignment: Alignment, bits: int) -> bool:
    return (alignment if isinstance(alignment, int) else alignment.value) >= bits


def counted(
    head: RangeNode, step: int, counter: RangeNode, bound: Range, bound_alignment: Alignment, nodes: list[RangeNode]
) -> RangeNode:
    """``counter`` (the head's local plus ``2**step``) where it is not ``bound``, a value the loop does not
    change: a counting loop's back edge, ``x = x + c; br_if $loop (x != n)``.

    If the loop is entered with ``x < n``, ``x`` and ``n`` are multiples of ``c`` (their alignments, solved
    first) and this is the head's only back edge, ``x < n`` holds at every iteration (``x + c <= n``
    cannot wrap, and it goes on only if ``x + c != n``), so the counter is at most ``n - c`` and above
    where it started: what plain narrowing cannot see.  The conditions are checked when the node is
    solved (the back edges are known then); otherwise it is plain narrowing.
    """
    node = RangeNode([])
    entry = head.inputs[0][1][0]
    size = 1 << step

    def counts(start: Span, limit: Span) -> bool:
        return (
            len(head.inputs) == 2
            and head.inputs[1][1][0] is node
            and start[1] < limit[0]
            and _aligned(head.alignment, step)
            and _aligned(bound_alignment, step)
        )

    def below_bound(start: Span, value: Span, limit: Span) -> Span:
        if counts(start, limit):
            # (Not narrowed from ``value``: the span is the same in every round, so the head settles at once.)
            return canonical_span(start[0] + size, limit[1] - size)
        return narrow_ne(value, limit)

    limit_term = FULL if bound is None else bound
    node.inputs.append((CounterNarrowing(below_bound, 1), (entry, counter, limit_term)))
    nodes.append(node)

    def trips() -> int | None:
        # The most back edges one run of the loop takes: after k of them the counter is its start plus k
        # steps, still below n.
        start, limit = span_of(entry), span_of(limit_term)
        if start[0] > start[1] or limit[0] > limit[1] or not counts(start, limit):
            return None
        return (limit[1] - 1 - start[0]) // size

    head.trips = trips
    head.depends.extend((entry, limit_term))
    return node


def decremented_head(term: Range) -> RangeNode | None:
    """The loop head ``term`` is one less than, reduced (``x = (x - 1) mod 2**32``, ``x`` read as it was at the
    head, perhaps narrowed on the way), else None."""
    operation = _reduced_operation(term)
    if operation is None:
        return None
    function, (first, second) = operation
    if function is not span_sub or second != constant_span(1):
        return None
    read = _unnarrowed(first)
    return read if isinstance(read, RangeNode) and read.loop_head else None


def counted_down(head: RangeNode, counter: RangeNode, nodes: list[RangeNode]) -> RangeNode:
    """``counter`` (the head's local minus 1) where it is not 0: a loop counting down, ``x = x - 1; br_if $loop
    (x != 0)``.

    If the loop is entered with ``x >= 1`` and this is the head's only back edge, ``x - 1`` never wraps (the
    loop goes on only while it is not 0) and the back edges bring ``x`` in [1, its entry - 1]: at most the
    entry's upper bound minus one of them per run of the loop, which bounds the locals the loop steps (see
    :func:`add_input`).  The conditions are checked when the node is solved; otherwise it is plain narrowing.
    """
    node = RangeNode([])
    entry = head.inputs[0][1][0]

    def counts(start: Span) -> bool:
        return len(head.inputs) == 2 and head.inputs[1][1][0] is node and 1 <= start[0] <= start[1]

    def above_zero(start: Span, value: Span) -> Span:
        if counts(start):
            return canonical_span(1, start[1] - 1)
        return narrow_ne(value, constant_span(0))

    node.inputs.append((CounterNarrowing(above_zero, 1), (entry, counter)))
    nodes.append(node)

    def trips() -> int | None:
        start = span_of(entry)
        return start[1] - 1 if counts(start) else None

    head.trips = trips
    head.depends.append(entry)
    return node


def add_input(node: RangeNode, value: Range) -> None:
    """A back edge's range of the local to a loop head: a local stepped from its value at the head (``p = p +
    s``, ``p = p - c``) on the loop's only back edge is noted (``stepped``): ``ranges._stepped_bound`` bounds
    one stepped up, a :class:`~wasmrun.codegen.ranges.MirrorNarrowing` compares the steps of two."""
    node.inputs.append((same, (FULL if value is None else value,)))
    step = _step_from(node, value) if len(node.inputs) == 2 else None
    node.stepped = step
    if step is not None:
        node.depends.append(step)


def _step_from(head: RangeNode, term: Range) -> Any:
    """``s`` if ``term`` is ``(p + s) mod 2**32`` for ``p`` the head's local as it was at the head, else None."""
    operation = _reduced_operation(term)
    if operation is None:
        return None
    function, arguments = operation
    if function is span_sub:
        # p - c: a negative step (what _stepped_bound leaves alone; a MirrorNarrowing compares it).
        read, step = arguments
        if _unnarrowed(read) is head and isinstance(step, tuple) and step[0] == step[1]:
            return (-step[0],) * 4
        return None
    if function is not span_add:
        return None
    for read, step in (arguments, reversed(arguments)):
        if _unnarrowed(read) is head:
            return step
    return None
