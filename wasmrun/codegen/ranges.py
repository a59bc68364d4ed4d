"""Known ranges of i32 values, so that wraps and signed views that cannot change a value are left out.

An ``i32.add`` is written ``(a + b)`` and reduced (``% 4294967296``) before a
use that needs the canonical value; a signed comparison reads its operands
through the signed view ``(a - 4294967296 if a > 2147483647 else a)``.  Both
cost time in hot loops, and both are the identity on the values loops mostly
hold: small counters and addresses.  The generator tracks, for every i32
operand-stack entry and local, a :data:`Span`: bounds on the value its text
computes (``lo``/``hi``, the raw Python int, which an unreduced sum may take
beyond 2**32) and on the signed view of its canonical value (``slo``/``shi``).
A reduction whose operand provably lies in [0, 2**32) is left out, and so is
a signed view of a value provably below 2**31.

The spans follow the control flow as alignments do (see
:mod:`~wasmrun.codegen.alignment`): a local read has the span of what was last
written to it on the way; where paths meet the spans are joined (a *node*:
the smallest span containing every input), and at a loop head each local the
loop writes is a node whose inputs are its span on entry and on every branch
back.  A condition narrows the spans of the locals it compares on each of its
two ways (``br_if``, ``if``, ``select``): in ``while True: ... i = i + 4; if
i < n: continue`` the back edge brings ``i`` below ``n``'s bound, which is
what keeps a counter's span finite.  Two loop shapes need more than intervals:
a counter that stops when it reaches an invariant ``n`` (``i = i + 1; if i !=
n: continue``, entered below ``n``) stays below ``n`` (:func:`~wasmrun.codegen.counters.counted`), and a
local stepped once per iteration of such a loop stays below its entry plus
the loop's most back edges times the step (:func:`~wasmrun.codegen.counters.add_input`); a counter that
counts down to 0, entered above it, neither wraps nor runs more than its entry
times (:func:`~wasmrun.codegen.counters.counted_down`), and two locals a loop steps oppositely from
constants keep their sum (:class:`MirrorNarrowing`).  Where one
local holds another's value plus a constant (``m = n - 1``), a condition that
narrows one narrows the other, and one that narrows ``n`` narrows the locals
computed from ``n`` and constants alone (``k = max(n, 1) & -2``), and a local
holding a comparison of ``n`` with a constant (``c = n > 3``) narrows ``n`` where
it is tested (see :class:`LocalRanges`).  Only a function with a
loop is analysed (see ``Emitter.tracks_ranges``).

Anything computed from a node is a node too (:func:`derive`), solved once the
function is generated (:func:`solve`): from the empty span upwards until
nothing changes, which is the least fixed point, each node's inputs being
every way a value reaches it; a loop head that keeps growing is widened (its
bounds jump to thresholds: those the conditions compare with, then the
extremes), which ends the work and stays sound (above the fixed point).
The text that depends on a node is a :class:`Choice`, a marker resolved at
assembly.  Only i32 instructions read spans.  Under :data:`CHECKED` (tests,
the fuzzer) every claim is checked as the code runs.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from typing import Any

from wasmrun.codegen.alignment import Alignment

Span = tuple[int, int, int, int]
"""``(lo, hi, slo, shi)``: the raw value's bounds and its canonical value's signed view's bounds."""

U32 = 1 << 32
FULL: Span = (0, U32 - 1, -(1 << 31), (1 << 31) - 1)
"""A canonical i32 about which nothing is known."""
EMPTY: Span = (1, 0, 1, 0)
"""No value: a path that cannot be taken (or a node before its first round)."""
CHECKED = False
"""Tests: each wrap or signed view a range leaves out is replaced by a check of the range claim at run time
(``RANGE_CHECKED(x, limit)``, a ``RangeClaimBroken`` if ``x`` is not in [0, limit)), so that a claim the
analysis got wrong shows where it is made even when the result would not show it."""


class RangeClaimBroken(RuntimeError):
    """A value outside the range the code generator knew it to have: a bug of the analysis."""


def range_checked(value: int, limit: int) -> int:
    """``value``, which the generator knew to be in [0, limit) (see :data:`CHECKED`)."""
    if 0 <= value < limit:
        return value
    raise RangeClaimBroken(f"range analysis: {value} is not in [0, {limit})")


def same_checked(value: int, expected: int) -> int:
    """``value``, which the generator knew to equal ``expected`` (see :data:`CHECKED`: a pointer's index or low
    bits computed before a loop, or kept beside it)."""
    if value == expected:
        return value
    raise RangeClaimBroken(f"memory index: {value} kept for {expected}")


def claimed(code: str, limit: int) -> str:
    """The text that uses ``code`` as it is because its range shows it below ``limit`` (checked under
    :data:`CHECKED`)."""
    return f"RANGE_CHECKED({code}, {limit})" if CHECKED else code


BOOLEAN: Span = (0, 1, 0, 1)
"""A comparison's result."""
SIGNED_WORD: Span = (-(1 << 31), (1 << 31) - 1, -(1 << 31), (1 << 31) - 1)
"""A word read signed (raw: the signed value itself)."""
RAW_ANY: Span = (-(1 << 130), 1 << 130, -(1 << 31), (1 << 31) - 1)
"""A lazily masked value of unknown magnitude (the generator reduces any beyond 2**128 first)."""
WIDEN_AFTER = 4
MAX_CHANGES = 64  # a loop head that changed more often than this is full
NARROWING_ROUNDS = 2


class RangeNode:
    """A span known only once the function's nodes are solved: the join of ``inputs``' spans.

    Each input is ``(function, arguments)``: the function of the arguments' spans (nodes or
    spans).  ``loop_head``: a local's span at a loop head, the only nodes a cycle goes through.
    """

    __slots__ = ("alignment", "depends", "inputs", "loop_head", "siblings", "stepped", "trips", "value", "writes")

    def __init__(self, inputs: list[tuple[Callable[..., Span], tuple[Any, ...]]], loop_head: bool = False) -> None:
        self.inputs = inputs
        self.loop_head = loop_head
        self.value: Span = EMPTY
        self.writes: AbstractSet[int] = frozenset()  # a loop head's: the locals its loop writes
        self.alignment: Alignment = 0  # a loop head's: the local's alignment there (see alignment.py)
        # A loop head's: the heads of the same loop; what bounds its back edges, if it is a counter
        # (see counted); the step of a local that only grows by one each iteration (see add_input); and
        # the spans those read besides the inputs (for the solver's order).
        self.siblings: list[RangeNode] = []
        self.trips: Callable[[], int | None] | None = None
        self.stepped: Any = None
        self.depends: list[Any] = []

    def __repr__(self) -> str:
        return f"RangeNode({self.value})"


Range = Span | RangeNode | None
"""What the generator knows of an i32 value: a span, a node, or None (canonical, nothing known)."""


def _signed_of(lo: int, hi: int) -> tuple[int, int]:
    """The signed view's bounds of canonical values in [lo, hi]."""
    if hi < 1 << 31:
        return lo, hi
    if lo >= 1 << 31:
        return lo - U32, hi - U32
    return FULL[2], FULL[3]


def canonical_span(lo: int, hi: int) -> Span:
    """The span of canonical values in [lo, hi] (clipped to the canonical range)."""
    lo, hi = max(lo, 0), min(hi, U32 - 1)
    if lo > hi:
        return EMPTY
    return (lo, hi, *_signed_of(lo, hi))


def constant_span(value: int) -> Span:
    """The span of a canonical constant."""
    view = value - U32 if value >> 31 else value
    return (value, value, view, view)


def signed_span(slo: int, shi: int) -> Span:
    """The span of canonical values whose signed view is in [slo, shi]."""
    slo, shi = max(slo, FULL[2]), min(shi, FULL[3])
    if slo > shi:
        return EMPTY
    if slo >= 0:
        return (slo, shi, slo, shi)
    if shi < 0:
        return (slo + U32, shi + U32, slo, shi)
    return (0, U32 - 1, slo, shi)


def _meet(a: Span, b: Span) -> Span:
    """The values in both (of canonical spans)."""
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    slo, shi = max(a[2], b[2]), min(a[3], b[3])
    if lo > hi or slo > shi:
        return EMPTY
    # Each side's bounds narrow the other's.
    unsigned_side = canonical_span(lo, hi)
    signed_side = signed_span(slo, shi)
    lo, hi = max(lo, signed_side[0]), min(hi, signed_side[1])
    slo, shi = max(slo, unsigned_side[2]), min(shi, unsigned_side[3])
    if lo > hi or slo > shi:
        return EMPTY
    return (lo, hi, slo, shi)


def join(a: Span, b: Span) -> Span:
    if a[0] > a[1]:
        return b
    if b[0] > b[1]:
        return a
    return (min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3]))


def reduced(a: Span) -> Span:
    """The span of a raw value once reduced modulo 2**32."""
    lo, hi = a[0], a[1]
    if lo > hi:
        return EMPTY
    if lo >> 32 == hi >> 32:  # one period: reduction is a shift
        base = (lo >> 32) << 32
        return (lo - base, hi - base, a[2], a[3])
    return FULL[:2] + a[2:]


def _raw(lo: int, hi: int, slo: int, shi: int) -> Span:
    """A raw span whose signed bounds are those of its canonical value: from [lo, hi] if one period."""
    if lo >> 32 == hi >> 32:
        base = (lo >> 32) << 32
        slo2, shi2 = _signed_of(lo - base, hi - base)
        return (lo, hi, max(slo, slo2), min(shi, shi2))
    return (lo, hi, slo, shi)


def _signed_sum(slo: int, shi: int) -> tuple[int, int]:
    """Signed bounds of a sum or difference of signed views (if they cannot overflow)."""
    if slo >= FULL[2] and shi <= FULL[3]:
        return slo, shi
    return FULL[2], FULL[3]


def span_add(a: Span, b: Span) -> Span:
    return _raw(a[0] + b[0], a[1] + b[1], *_signed_sum(a[2] + b[2], a[3] + b[3]))


def span_sub(a: Span, b: Span) -> Span:
    return _raw(a[0] - b[1], a[1] - b[0], *_signed_sum(a[2] - b[3], a[3] - b[2]))


def span_mul(a: Span, b: Span) -> Span:
    corners = (a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])
    return _raw(min(corners), max(corners), FULL[2], FULL[3])


def span_shl(a: Span, b: Span) -> Span:
    """``a << b`` for a constant ``b`` (the amount taken modulo 32)."""
    bits = b[0] & 31
    return _raw(a[0] << bits, a[1] << bits, FULL[2], FULL[3])


def span_and(a: Span, b: Span) -> Span:
    """``a & b``: at most either operand that is not negative (nothing known of two negative ones); a value
    below ``2**k`` and a constant ``2**k - 2**t`` (``n & -4`` within the value's bits) rounds down to a
    multiple of ``2**t``, which keeps the lower bound's."""
    if b[0] == b[1] and a[0] >= 0 and a[1] < U32:
        mask = b[0]
        low = mask & -mask
        if mask and a[1] < low << (mask // low).bit_length() and (mask // low) & ((mask // low) + 1) == 0:
            return _raw(a[0] & mask, a[1] & mask, FULL[2], FULL[3])
    bounds = [span[1] for span in (a, b) if span[0] >= 0]
    return _raw(0, min(bounds), FULL[2], FULL[3]) if bounds else RAW_ANY


def span_or(a: Span, b: Span) -> Span:
    """``a | b`` and ``a ^ b``: below the next power of two of the larger operand, if neither is negative."""
    if a[0] < 0 or b[0] < 0:
        return RAW_ANY
    return _raw(0, (1 << max(a[1], b[1]).bit_length()) - 1, FULL[2], FULL[3])


def span_shr_u(a: Span, bits: int) -> Span:
    return canonical_span(a[0] >> bits, a[1] >> bits)


def span_shr_s(a: Span, bits: int) -> Span:
    return signed_span(a[2] >> bits, a[3] >> bits)


# --- conditions ---------------------------------------------------------------------------------------

_NEGATION = {
    "eq": "ne",
    "ne": "eq",
    "lt_u": "ge_u",
    "ge_u": "lt_u",
    "gt_u": "le_u",
    "le_u": "gt_u",
    "lt_s": "ge_s",
    "ge_s": "lt_s",
    "gt_s": "le_s",
    "le_s": "gt_s",
}
_MIRROR = {"eq": "eq", "ne": "ne", "lt_u": "gt_u", "gt_u": "lt_u", "le_u": "ge_u", "ge_u": "le_u"}
_MIRROR.update({k.replace("_u", "_s"): v.replace("_u", "_s") for k, v in _MIRROR.items() if k.endswith("_u")})


def negation(relation: str) -> str:
    return _NEGATION[relation]


def mirrored(relation: str) -> str:
    """The relation with its operands swapped (``a < b`` is ``b > a``)."""
    return _MIRROR[relation]


def narrowed(relation: str) -> Callable[[Span, Span], Span]:
    """The function narrowing a canonical span ``x`` to the values with ``x <relation> y`` for some ``y`` of
    the other span."""
    return _NARROWING[relation]


def _narrow_eq(x: Span, y: Span) -> Span:
    return _meet(x, y)


def narrow_ne(x: Span, y: Span) -> Span:
    if y[0] == y[1]:  # x != c: only an end of x's span can move
        if x[0] == y[0]:
            return _meet(x, canonical_span(x[0] + 1, U32 - 1))
        if x[1] == y[0]:
            return _meet(x, canonical_span(0, x[1] - 1))
    return x


_NARROWING: dict[str, Callable[[Span, Span], Span]] = {
    "eq": _narrow_eq,
    "ne": narrow_ne,
    "lt_u": lambda x, y: _meet(x, canonical_span(0, y[1] - 1)),
    "le_u": lambda x, y: _meet(x, canonical_span(0, y[1])),
    "gt_u": lambda x, y: _meet(x, canonical_span(y[0] + 1, U32 - 1)),
    "ge_u": lambda x, y: _meet(x, canonical_span(y[0], U32 - 1)),
    "lt_s": lambda x, y: _meet(x, signed_span(FULL[2], y[3] - 1)),
    "le_s": lambda x, y: _meet(x, signed_span(FULL[2], y[3])),
    "gt_s": lambda x, y: _meet(x, signed_span(y[2] + 1, FULL[3])),
    "ge_s": lambda x, y: _meet(x, signed_span(y[2], FULL[3])),
}


_NARROWINGS = frozenset(_NARROWING.values())


def _wrapped(lo: int, hi: int) -> Span:
    """The canonical values of the raw values in [lo, hi] reduced modulo 2**32 (everything if they wrap part
    of the way)."""
    if lo >> 32 != hi >> 32:
        return FULL
    base = (lo >> 32) << 32
    return canonical_span(lo - base, hi - base)


def _shifted(span: Span, delta: int) -> Span:
    """The canonical values ``(x + delta) mod 2**32`` for ``x`` in canonical ``span``."""
    return EMPTY if span[0] > span[1] else _wrapped(span[0] + delta, span[1] + delta)


class OffsetNarrowing:
    """Narrows a local's span ``x`` by the span ``other`` of a local known to hold ``x``'s value minus
    ``delta`` (see :class:`LocalRanges`): ``x`` is in ``other + delta`` too.  Like the narrowings by a
    condition, it keeps its first argument's value (see :func:`incremented_head`)."""

    __slots__ = ("delta",)

    def __init__(self, delta: int) -> None:
        self.delta = delta % U32

    def __call__(self, x: Span, other: Span) -> Span:
        return _meet(x, _shifted(other, self.delta))


_OFFSET_NARROWINGS: dict[int, OffsetNarrowing] = {}


def offset_narrowing(delta: int) -> OffsetNarrowing:
    """The narrowing of a local by another that holds its value minus ``delta`` (one per delta)."""
    delta %= U32
    found = _OFFSET_NARROWINGS.get(delta)
    if found is None:
        found = _OFFSET_NARROWINGS[delta] = OffsetNarrowing(delta)
    return found


def narrows_first(function: Callable[..., Span]) -> bool:
    """Whether ``function`` is a narrowing: its result is its first argument's value, perhaps better known."""
    return function in _NARROWINGS or function.__class__ is OffsetNarrowing or function.__class__ is MirrorNarrowing


Offset = tuple[int, int]
"""``(b, c)``: a value that is local ``b``'s plus ``c``, modulo 2**32."""
Derived = tuple[int, Callable[[Span], Span]]
"""``(b, f)``: a value computed from local ``b`` and constants alone, in ``f(span of b)`` (``b & -2``,
``select(b, 1, b > 1)``)."""
Test = tuple[str, int, int, Span]
"""``(relation, b, c, bound)``: a comparison's result, true exactly when local ``b``'s value plus ``c``
(modulo 2**32) is in ``relation`` to the constant ``bound``."""


class DerivedNarrowing:
    """Narrows a local's span ``x`` by the span of the local it was computed from (see :class:`LocalRanges`)."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[[Span], Span]) -> None:
        self.function = function

    def __call__(self, x: Span, base: Span) -> Span:
        return _meet(x, self.function(base))


def _reflected(span: Span, total: int) -> Span:
    """The canonical values ``(total - x) mod 2**32`` for ``x`` in canonical ``span``."""
    return EMPTY if span[0] > span[1] else _wrapped(total - span[1], total - span[0])


class MirrorNarrowing:
    """Narrows a local's span ``x`` by the span of a local known to hold ``total`` minus ``x``'s value (modulo
    2**32): two locals a loop steps by opposite constants from constants whose sum is ``total`` (``i`` up
    from 0, ``n`` down from 4: ``n = 4 - i`` at every iteration; see :class:`LocalRanges`).  Whether the
    steps are opposite is known once the loop's back edges are (``heads``: the two locals' loop heads);
    until then, and if not, it narrows nothing.  Like the other narrowings it keeps its first argument's
    value."""

    __slots__ = ("heads", "total")

    def __init__(self, total: int, heads: tuple[RangeNode, RangeNode]) -> None:
        self.total = total
        self.heads = heads

    def holds(self) -> bool:
        """Whether each head has one back edge that steps it by a constant, the two constants opposite."""
        steps = []
        for head in self.heads:
            if len(head.inputs) != 2 or head.stepped is None:
                return False
            step = span_of(head.stepped)
            if step[0] != step[1]:
                return False
            steps.append(step[0])
        return not (steps[0] + steps[1]) % U32

    def __call__(self, x: Span, other: Span) -> Span:
        return _meet(x, _reflected(other, self.total)) if self.holds() else x


def shifted_by(delta: int) -> Callable[[Span], Span]:
    """The span of a local's value plus ``delta`` (modulo 2**32), from the local's span."""
    if not delta % U32:
        return same
    return lambda span: _shifted(span, delta % U32)


def derived_by(function: Callable[..., Span], derived: Derived, constant: Span, first: bool) -> Derived:
    """``derived`` taken through a rule of two operands, the other a constant (``first``: ``derived`` is its
    first operand)."""
    base, inner = derived
    if first:
        return (base, lambda span: function(inner(span), constant))
    return (base, lambda span: function(constant, inner(span)))


def derived_reduced(derived: Derived) -> Derived:
    """``derived`` of a raw value, for the canonical value (reduced modulo 2**32)."""
    base, inner = derived
    return (base, lambda span: reduced(inner(span)))


def derived_selection(base: int, relation: str, threshold: Span, arms: tuple[Span | None, Span | None]) -> Derived:
    """``select(x, y, b <relation> c)`` where each arm is local ``b`` itself (None) or a constant's span."""

    def function(span: Span) -> Span:
        result = EMPTY
        for arm, how in zip(arms, (relation, negation(relation))):
            way = narrowed(how)(span, threshold)
            if way[0] <= way[1]:
                result = join(result, way if arm is None else arm)
        return result

    return (base, function)


class LocalRanges(list[Range]):
    """The ranges of a function's locals at one point of the code, and the relations known between them
    there, each until a local it names is written: ``offsets[a] = (b, c)`` says local ``a`` holds local
    ``b``'s value plus ``c`` modulo 2**32 (after ``a = b - 1``), so that a condition that narrows one
    narrows the other (``if a >= 3`` puts ``b`` at 4 or more); the derivations, tests and mirrors below
    relate locals likewise.  A plain list (a copy that dropped them) knows no relations, which is always
    sound: a relation only ever adds knowledge."""

    __slots__ = ("derived", "mirrors", "offsets", "tests")

    def __init__(
        self,
        spans: Iterable[Range] = (),
        offsets: dict[int, Offset] | None = None,
        derived: dict[int, Derived] | None = None,
        tests: dict[int, Test] | None = None,
        mirrors: dict[tuple[int, int], MirrorNarrowing] | None = None,
    ) -> None:
        super().__init__(spans)
        # Pairs of locals whose sum is a constant (modulo 2**32) if their loop steps them oppositely: a
        # condition that narrows one narrows the other (see MirrorNarrowing).
        self.mirrors: dict[tuple[int, int], MirrorNarrowing] = {} if mirrors is None else dict(mirrors)
        self.offsets: dict[int, Offset] = {} if offsets is None else dict(offsets)
        # Locals computed from one other local and constants: a condition that narrows that one narrows
        # them (``n1 = select(n, 1, n > 1)``, then ``if n >= 2`` puts ``n1`` at 2 or more).
        self.derived: dict[int, Derived] = {} if derived is None else dict(derived)
        # Locals holding a comparison of another with a constant: a condition on the holder narrows that
        # other (``c = n > 3``, then ``if c`` puts ``n`` at 4 or more).
        self.tests: dict[int, Test] = {} if tests is None else dict(tests)

    def forget(self, index: int) -> None:
        """Local ``index`` is written: drop the offsets, derivations and tests it is in.  A test of its old
        value that a local holding that value plus a constant can express moves to that local (``c = n > 3;
        m = n - 2; n = m``: ``c`` is ``m + 2 > 3``)."""
        mirrors, tests = self.mirrors, self.tests
        related = self.related(index) if mirrors or tests else []  # (before the offsets go: see below)
        if mirrors:
            for pair, mirror in list(mirrors.items()):
                if index in pair:
                    del mirrors[pair]
                    other = pair[1] if pair[0] == index else pair[0]
                    for moved, shift in related:  # (moved = index + shift: the sum moves by shift)
                        if moved != other:
                            mirrors[(moved, other)] = MirrorNarrowing((mirror.total + shift) % U32, mirror.heads)
                            break
        if tests:
            tests.pop(index, None)
            for holder, (relation, base, delta, bound) in list(tests.items()):
                if base == index:
                    if related:
                        other, shift = related[0]  # (other = index + shift)
                        tests[holder] = (relation, other, (delta - shift) % U32, bound)
                    else:
                        del tests[holder]
        for known in (self.offsets, self.derived):
            if known:
                known.pop(index, None)
                for other in [other for other, (base, _how) in known.items() if base == index]:
                    del known[other]

    def dependents(self, index: int) -> list[tuple[int, Callable[[Span, Span], Span]]]:
        """The locals a narrowing of local ``index`` narrows, each with its narrowing (of its own span by
        ``index``'s)."""
        found: list[tuple[int, Callable[[Span, Span], Span]]] = [
            (other, offset_narrowing(delta)) for other, delta in self.related(index)
        ]
        if self.derived:
            found += [(other, DerivedNarrowing(how)) for other, (base, how) in self.derived.items() if base == index]
        if self.mirrors:
            found += [
                (pair[1] if pair[0] == index else pair[0], mirror)
                for pair, mirror in self.mirrors.items()
                if index in pair
            ]
        return found

    def related(self, index: int) -> list[Offset]:
        """The locals known to hold local ``index``'s value plus a constant: ``(local, constant)`` pairs."""
        offsets = self.offsets
        if not offsets:
            return []
        found = [(other, delta) for other, (base, delta) in offsets.items() if base == index]
        own = offsets.get(index)
        if own is not None:
            found.append((own[0], -own[1] % U32))
        return found


def copied(state: list[Range]) -> list[Range]:
    """A copy of a state of the locals' ranges, with its relations."""
    if isinstance(state, LocalRanges):
        return LocalRanges(state, state.offsets, state.derived, state.tests, state.mirrors)
    return list(state)


def joined_state(states: list[list[Range]]) -> LocalRanges:
    """A state of the locals' ranges where ``states`` meet: the first one's ranges (the caller joins those
    that differ), and the relations every one of them knows."""
    first = states[0]
    if not all(isinstance(state, LocalRanges) for state in states):
        return LocalRanges(first)
    common: list[dict[Any, Any]] = []
    for attribute in ("offsets", "derived", "tests", "mirrors"):
        known = dict(getattr(first, attribute))
        for state in states[1:]:
            theirs = getattr(state, attribute)
            for index in [index for index, how in known.items() if theirs.get(index) != how]:
                del known[index]
        common.append(known)
    return LocalRanges(first, *common)


# --- terms: spans now, or nodes -------------------------------------------------------------------------


def derive(function: Callable[..., Span], arguments: tuple[Any, ...], nodes: list[RangeNode]) -> Range:
    """``function`` of the arguments' ranges (None: a full canonical value): a span if every argument is
    known now, else a new node."""
    known = True
    for argument in arguments:
        if argument.__class__ is not tuple:
            known = False
    if known:
        return function(*arguments)
    arguments = tuple(FULL if argument is None else argument for argument in arguments)
    if not any(argument.__class__ is RangeNode for argument in arguments):
        return function(*arguments)
    node = RangeNode([(function, arguments)])
    nodes.append(node)
    return node


def joined(ranges: list[Range], nodes: list[RangeNode]) -> Range:
    """The join of the ranges of the paths that meet (None if one knows nothing)."""
    if any(value is None for value in ranges):
        return None
    first = ranges[0]
    if all(value is first for value in ranges):
        return first
    if not any(isinstance(value, RangeNode) for value in ranges):
        result = EMPTY
        for value in ranges:
            result = join(result, value)  # type: ignore[arg-type]
        return result
    node = RangeNode([(same, (value,)) for value in ranges])
    nodes.append(node)
    return node


def loop_head(
    entry: Range, writes: AbstractSet[int], alignment: Alignment, siblings: list[RangeNode], nodes: list[RangeNode]
) -> RangeNode:
    """A local's node at a loop head (``writes``: what the loop writes; ``alignment``: the local's there;
    ``siblings``: the loop's heads, this one added); its back edges add their inputs (:func:`~wasmrun.codegen.counters.add_input`)."""
    node = RangeNode([(same, (FULL if entry is None else entry,))], loop_head=True)
    node.writes = writes
    node.alignment = alignment
    node.siblings = siblings
    siblings.append(node)
    nodes.append(node)
    return node


def span_of(term: Any) -> Span:
    """The span of a term: a node's as solved so far, or the span itself."""
    return term.value if isinstance(term, RangeNode) else term


def _stepped_bound(node: RangeNode) -> Span | None:
    """For a loop head whose local grows by ``s >= 0`` on the loop's only back edge, in a loop whose counter
    bounds its back edges to ``t``: at most its entry plus ``t`` steps (no step can have wrapped below
    2**32), else None."""
    if len(node.inputs) != 2 or node.stepped is None:
        return None
    entry, step = span_of(node.inputs[0][1][0]), span_of(node.stepped)
    if entry[0] > entry[1] or step[0] > step[1] or step[0] < 0:
        return None
    for sibling in node.siblings:
        trips = sibling.trips() if sibling.trips is not None and sibling is not node else None
        if trips is not None and entry[1] + trips * step[1] < U32:
            return canonical_span(entry[0], entry[1] + trips * step[1])
    return None


def same(value: Span) -> Span:
    return value


def _computed(node: RangeNode) -> Span:
    """The join of ``node``'s inputs over the current spans (an input with an empty argument adds nothing)."""
    value = EMPTY
    for function, arguments in node.inputs:
        spans = [argument.value if isinstance(argument, RangeNode) else argument for argument in arguments]
        if all(span[0] <= span[1] for span in spans):
            value = join(value, function(*spans))
    if node.loop_head and value[0] <= value[1]:
        value = _meet(value, FULL)  # a local holds a canonical value
        if node.stepped is not None:
            bound = _stepped_bound(node)
            if bound is not None:
                value = _meet(value, bound)
    return value


def _thresholds(nodes: list[RangeNode]) -> tuple[list[int], list[int]]:
    """The bounds a widened span may stop at (unsigned, signed), sorted: the extremes and the bounds next to
    those of every condition's other operand known before solving (a fixed set: the widening ends)."""
    unsigned = {0, 1 << 31, (1 << 31) - 1, U32 - 1}
    signed = {FULL[2], -1, 0, FULL[3]}
    for node in nodes:
        for function, arguments in node.inputs:
            if function in _NARROWINGS:
                span = arguments[1]
                if not isinstance(span, RangeNode) and span[0] <= span[1]:
                    for delta in (-1, 0, 1):
                        unsigned.update((span[0] + delta, span[1] + delta))
                        signed.update((span[2] + delta, span[3] + delta))
    return (
        sorted(value for value in unsigned if 0 <= value < U32),
        sorted(value for value in signed if FULL[2] <= value <= FULL[3]),
    )


def _widened(old: Span, new: Span, thresholds: tuple[list[int], list[int]]) -> Span:
    """``new`` (a loop head's span, grown from ``old``) with each bound that moved taken to the next threshold."""
    unsigned, signed = thresholds
    lo = new[0] if new[0] >= old[0] else unsigned[bisect.bisect_right(unsigned, new[0]) - 1]
    hi = new[1] if new[1] <= old[1] else unsigned[bisect.bisect_left(unsigned, new[1])]
    slo = new[2] if new[2] >= old[2] else signed[bisect.bisect_right(signed, new[2]) - 1]
    shi = new[3] if new[3] <= old[3] else signed[bisect.bisect_left(signed, new[3])]
    return _meet((lo, hi, slo, shi), FULL)


def _reaching(needed: list[RangeNode], nodes: list[RangeNode]) -> list[RangeNode]:
    """The nodes whose spans ``needed``'s depend on (themselves included), in the order of ``nodes``."""
    seen: set[int] = set()
    stack = list(needed)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for _function, arguments in node.inputs:
            stack.extend(argument for argument in arguments if argument.__class__ is RangeNode)
        stack.extend(term for term in node.depends if term.__class__ is RangeNode)
        for sibling in node.siblings:
            stack.extend(term for term in sibling.depends if term.__class__ is RangeNode)
    return [node for node in nodes if id(node) in seen]


def solve(nodes: list[RangeNode], needed: list[RangeNode] | None = None) -> None:
    """Every node's span (see the module docstring); with ``needed``, only those the spans of ``needed``
    depend on.

    A worklist from the empty span upwards, a node computed again when one of its inputs changed, the
    earliest-made first (the order the nodes were made in follows the function, each node after its
    inputs but for a loop head's back edges), until nothing changes: the least fixed point.  A loop head
    that changed more than :data:`WIDEN_AFTER` times is widened: each bound that moved goes to the next
    threshold, a bound next to one a condition compares with or else an extreme, so that the work ends.
    After a widening, :data:`NARROWING_ROUNDS` rounds downwards give back some of what it took (each round
    from spans above the least fixed point stays above it: the functions are monotone).
    """
    if needed is not None:
        nodes = _reaching(needed, nodes)
    order = {id(node): position for position, node in enumerate(nodes)}
    users: list[list[int]] = [[] for _ in nodes]
    for position, node in enumerate(nodes):
        node.value = EMPTY
        for _function, arguments in node.inputs:
            for argument in arguments:
                if argument.__class__ is RangeNode:
                    users[order[id(argument)]].append(position)
        if node.stepped is not None:  # (its bound reads its siblings' counters too)
            for sibling in node.siblings:
                for term in (*sibling.depends, node.stepped):
                    if term.__class__ is RangeNode and id(term) in order:
                        users[order[id(term)]].append(position)
    changes = [0] * len(nodes)
    pending = list(range(len(nodes)))  # a heap of positions (sorted already)
    queued = [True] * len(nodes)
    thresholds: tuple[list[int], list[int]] | None = None  # (made when first needed)
    widened = False
    while pending:
        position = heapq.heappop(pending)
        queued[position] = False
        node = nodes[position]
        value = _computed(node)
        if value == node.value:
            continue
        if node.loop_head and node.value[0] <= node.value[1]:
            changes[position] += 1
            if changes[position] > WIDEN_AFTER:
                if thresholds is None:
                    thresholds = _thresholds(nodes)
                value = _widened(node.value, join(node.value, value), thresholds)
                widened = True
                if changes[position] > MAX_CHANGES:
                    value = FULL
                if value == node.value:
                    continue
        node.value = value
        for user in users[position]:
            if not queued[user]:
                queued[user] = True
                heapq.heappush(pending, user)
    if widened:
        for _ in range(NARROWING_ROUNDS):
            for node in nodes:
                node.value = _computed(node)


# --- what the spans decide ------------------------------------------------------------------------------


def fits(span: Span) -> bool:
    """Whether every raw value of ``span`` is canonical already (its reduction changes nothing)."""
    return span[0] <= span[1] and span[0] >= 0 and span[1] < U32


def below_sign(span: Span) -> bool:
    """Whether every value of ``span`` is canonical and below 2**31 (its signed view is itself)."""
    return span[0] <= span[1] and span[0] >= 0 and span[1] < 1 << 31


class Choice:
    """Text that depends on a node: ``yes`` if ``test`` holds for the node's solved span, else ``no``."""

    __slots__ = ("no", "node", "test", "yes")

    def __init__(self, node: RangeNode, test: Callable[[Span], bool], yes: str, no: str) -> None:
        self.node = node
        self.test = test
        self.yes = yes
        self.no = no


MARKER = re.compile("\x01([0-9]+)\x02")


def choice_text(choices: list[Choice], choice: Choice) -> str:
    """The marker standing for ``choice`` in generated text (resolved by :func:`resolve`)."""
    choices.append(choice)
    return f"\x01{len(choices) - 1}\x02"


def resolve(text: str, choices: list[Choice], cache: dict[int, str]) -> str:
    """``text`` with every marker replaced by its choice's text (after :func:`solve`)."""
    if "\x01" not in text:
        return text

    def chosen(match: re.Match[str]) -> str:
        number = int(match[1])
        found = cache.get(number)
        if found is None:
            choice = choices[number]
            found = cache[number] = resolve(choice.yes if choice.test(choice.node.value) else choice.no, choices, cache)
        return found

    return MARKER.sub(chosen, text)
