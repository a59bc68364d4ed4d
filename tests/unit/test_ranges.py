"""Known ranges of i32 values (wasmrun.codegen.ranges) and the wraps and signed views they let the generator
leave out: each rule against the arithmetic it bounds, the fixed point over loops, the forms in generated code,
and loops around the wrap-around points run in every tier against the interpreter."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import testdata

import wasmrun.codegen.compiled as compiled
from wasmrun.codegen import counters, ranges
from wasmrun.codegen.ranges import FULL, U32, RangeNode, Span
from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import Trap
from wasmrun.loader import Module
from wasmrun.runtime.linker import Linker
from wasmrun.text.wat import parse_module

TIERS: dict[str, dict[str, Any]] = {
    "interp": {"engine": "interp"},
    "compile": {"engine": "compile"},
    "flat": {"engine": "compile"},
    "osr": {"engine": "auto", "compile_threshold": 3},
}


def signed(value: int) -> int:
    value %= U32
    return value - U32 if value >> 31 else value


def member(value: int, span: Span) -> bool:
    """Whether a raw value is one ``span`` admits (its signed bounds are of the value reduced)."""
    return span[0] <= value <= span[1] and span[2] <= signed(value) <= span[3]


# --- the rules, against the arithmetic ------------------------------------------------------------------

POINTS = [0, 1, 2, 7, 255, 1 << 20, (1 << 31) - 2, (1 << 31) - 1, 1 << 31, (1 << 31) + 1, U32 - 2, U32 - 1]


def random_span(rng: random.Random, raw: bool) -> Span:
    """A span of canonical values near the interesting points (or, ``raw``, of a lazily masked sum)."""
    ends = sorted(min(max(rng.choice(POINTS) + rng.randint(-3, 3), 0), U32 - 1) for _ in range(2))
    if rng.random() < 0.5:
        span = ranges.canonical_span(*ends)
    else:
        low, high = sorted(signed(end) for end in ends)
        span = ranges.signed_span(low, high)
    if raw and rng.random() < 0.5:
        other = random_span(rng, False)
        span = (ranges.span_sub if rng.random() < 0.5 else ranges.span_add)(span, other)
    return span


def sample(rng: random.Random, span: Span) -> int | None:
    """A value of ``span`` (None if the draws found none: spans may be thin)."""
    for _ in range(50):
        pick = rng.random()
        if pick < 0.3:
            value = span[0] + rng.randint(0, min(3, span[1] - span[0]))
        elif pick < 0.6:
            value = span[1] - rng.randint(0, min(3, span[1] - span[0]))
        else:
            value = rng.randint(span[0], span[1])
        if member(value, span):
            return value
    return None


BINARY: dict[str, tuple[Callable[[Span, Span], Span], Callable[[int, int], int], bool]] = {
    # name: (the span rule, the raw arithmetic of the generated text, whether operands may be raw)
    "add": (ranges.span_add, lambda x, y: x + y, True),
    "sub": (ranges.span_sub, lambda x, y: x - y, True),
    "mul": (ranges.span_mul, lambda x, y: x * y, True),
    "and": (ranges.span_and, lambda x, y: x & y, True),
    "or": (ranges.span_or, lambda x, y: x | y, False),
    "xor": (ranges.span_or, lambda x, y: x ^ y, False),
}


@pytest.mark.parametrize("name", list(BINARY))
def test_a_binary_rule_bounds_every_result(name: str) -> None:
    rule, arithmetic, raw = BINARY[name]
    rng = random.Random(name)
    for _ in range(3000):
        a, b = random_span(rng, raw), random_span(rng, raw)
        x, y = sample(rng, a), sample(rng, b)
        if x is None or y is None:
            continue
        assert member(arithmetic(x, y), rule(a, b)), (a, b, x, y)


@pytest.mark.parametrize(
    ("name", "rule", "arithmetic"),
    [
        ("shl", lambda a, k: ranges.span_shl(a, ranges.constant_span(k)), lambda x, k: x << k),
        ("shr_u", ranges.span_shr_u, lambda x, k: x >> k),
        ("shr_s", ranges.span_shr_s, lambda x, k: (signed(x) >> k) % U32),
    ],
)
def test_a_shift_rule_bounds_every_result(name: str, rule: Any, arithmetic: Any) -> None:
    rng = random.Random(name)
    for _ in range(3000):
        a = random_span(rng, name == "shl")
        x, k = sample(rng, a), rng.randint(0, 31)
        if x is None:
            continue
        assert member(arithmetic(x, k), rule(a, k)), (a, x, k)


def test_reduction_bounds_the_canonical_value() -> None:
    rng = random.Random(0)
    for _ in range(3000):
        a = random_span(rng, True)
        x = sample(rng, a)
        if x is not None:
            assert member(x % U32, ranges.reduced(a)), (a, x)


RELATIONS: dict[str, Callable[[int, int], bool]] = {
    "eq": lambda x, y: x == y,
    "ne": lambda x, y: x != y,
    "lt_u": lambda x, y: x < y,
    "le_u": lambda x, y: x <= y,
    "gt_u": lambda x, y: x > y,
    "ge_u": lambda x, y: x >= y,
    "lt_s": lambda x, y: signed(x) < signed(y),
    "le_s": lambda x, y: signed(x) <= signed(y),
    "gt_s": lambda x, y: signed(x) > signed(y),
    "ge_s": lambda x, y: signed(x) >= signed(y),
}


@pytest.mark.parametrize("relation", list(RELATIONS))
def test_a_condition_narrows_to_a_span_holding_every_value_that_meets_it(relation: str) -> None:
    holds = RELATIONS[relation]
    rng = random.Random(relation)
    for _ in range(3000):
        a, b = random_span(rng, False), random_span(rng, False)
        if rng.random() < 0.3:
            b = ranges.constant_span(b[0])
        x, y = sample(rng, a), sample(rng, b)
        if x is None or y is None:
            continue
        if holds(x, y):
            assert member(x, ranges.narrowed(relation)(a, b)), (relation, a, b, x, y)
            assert member(y, ranges.narrowed(ranges.mirrored(relation))(b, a)), (relation, a, b, x, y)
        else:
            assert member(x, ranges.narrowed(ranges.negation(relation))(a, b)), (relation, a, b, x, y)


def test_a_constant_inequality_moves_only_an_end() -> None:
    assert ranges.narrowed("ne")(ranges.canonical_span(0, 9), ranges.constant_span(0))[:2] == (1, 9)
    assert ranges.narrowed("ne")(ranges.canonical_span(0, 9), ranges.constant_span(9))[:2] == (0, 8)
    assert ranges.narrowed("ne")(ranges.canonical_span(0, 9), ranges.constant_span(4))[:2] == (0, 9)


def test_a_signed_bound_on_a_non_negative_value_bounds_it_unsigned() -> None:
    # x <s 1048576 and x >=s 3: the select-min of sieve's n, narrowed by its guard
    below = ranges.narrowed("lt_s")(FULL, ranges.constant_span(1048576))
    assert ranges.narrowed("ge_s")(below, ranges.constant_span(3)) == (3, 1048575, 3, 1048575)


def test_an_offset_narrowing_keeps_every_value_whose_offset_is_in_the_other_span() -> None:
    # b in x, a = b - delta (mod 2**32) in other: b is in offset_narrowing(delta)(x, other)
    rng = random.Random(2)
    for _ in range(3000):
        x, other = random_span(rng, False), random_span(rng, False)
        delta = rng.choice([0, 1, 3, 1 << 31, U32 - 1, U32 - 4, rng.randrange(U32)])
        b = sample(rng, x)
        if b is not None and member((b - delta) % U32, other):
            assert member(b, ranges.offset_narrowing(delta)(x, other)), (x, other, delta, b)


@pytest.mark.parametrize("relation", list(RELATIONS))
def test_a_select_of_a_local_and_a_constant_is_in_its_derived_span(relation: str) -> None:
    # y = select(b, k, b <relation> c) (or its arms swapped): for b in span, y is in f(span)
    holds = RELATIONS[relation]
    rng = random.Random(relation + "select")
    for _ in range(2000):
        span = random_span(rng, False)
        threshold, k = rng.choice(POINTS), rng.choice(POINTS)
        swapped = rng.random() < 0.5
        arms = (ranges.constant_span(k), None) if swapped else (None, ranges.constant_span(k))
        _base, function = ranges.derived_selection(0, relation, ranges.constant_span(threshold), arms)
        b = sample(rng, span)
        if b is not None:
            picked = b if holds(b, threshold) != swapped else k
            assert member(picked, function(span)), (relation, span, threshold, k, swapped, b)


# --- the fixed point over loops ------------------------------------------------------------------------


def counter(step: int, bound: Span, relation: str) -> RangeNode:
    """i = 0; loop: i = (i + step) mod 2**32; continue while i <relation> bound: i's node at the head."""
    nodes: list[RangeNode] = []
    head = ranges.loop_head(ranges.constant_span(0), frozenset((0,)), 0, [], nodes)
    added = ranges.derive(ranges.span_add, (head, ranges.constant_span(step)), nodes)
    reduced = ranges.derive(ranges.reduced, (added,), nodes)
    counters.add_input(head, ranges.derive(ranges.narrowed(relation), (reduced, bound), nodes))
    ranges.solve(nodes)
    return head


def test_a_counter_below_a_bound_stays_below_it() -> None:
    assert counter(4, ranges.canonical_span(0, 4096), "lt_u").value[:2] == (0, 4095)


def test_a_counter_below_a_signed_bound_stays_below_it() -> None:
    assert counter(1, ranges.signed_span(-5, 100), "lt_s").value[:2] == (0, 99)


def test_a_counter_with_no_bound_is_widened_to_every_value() -> None:
    assert counter(1, FULL, "ne").value == FULL


def test_a_counter_compared_signed_with_the_top_bound_may_wrap_negative() -> None:
    # i + 8 can pass 2**31 - 1 while i <s 2**31 - 1: the node must hold the wrapped values
    head = counter(8, ranges.constant_span((1 << 31) - 1), "lt_s")
    assert head.value[3] == (1 << 31) - 2 and head.value[1] > (1 << 31)


# --- generated code --------------------------------------------------------------------------------------


def source(wat: str, index: int = 0) -> str:
    mod = Module.from_bytes(parse_module(wat))
    return compiled.generate(mod, index).source


def test_a_count_down_to_zero_needs_no_wrap() -> None:
    text = source(
        """(module (func (param i32) (result i32) (local i32)
             (local.set 1 (i32.and (local.get 0) (i32.const 7)))
             (block (br_if 0 (i32.eqz (local.get 1)))
               (loop (local.set 1 (i32.sub (local.get 1) (i32.const 1))) (br_if 0 (local.get 1))))
             (local.get 1)))"""
    )
    assert "l1 = (l1 - 1)\n" in text and "%" not in text


def test_a_counter_below_a_small_bound_needs_no_wrap_nor_signed_view() -> None:
    text = source(
        """(module (func (param i32) (result i32) (local i32 i32)
             (local.set 1 (i32.and (local.get 0) (i32.const 1023)))
             (loop
               (local.set 2 (i32.add (local.get 2) (local.get 1)))
               (local.set 1 (i32.add (local.get 1) (i32.const 1)))
               (br_if 0 (i32.lt_s (local.get 1) (i32.const 1000))))
             (local.get 2)))"""
    )
    assert "l1 = (l1 + 1)\n" in text and "(l1 < 1000)" in text
    assert "l2 = ((l2 + l1) % 4294967296)" in text  # the sum of the counters is not bounded


def test_a_parameter_keeps_its_wrap_and_view() -> None:
    text = source(
        """(module (func (param i32) (result i32)
             (i32.lt_s (i32.add (local.get 0) (i32.const 1)) (i32.const 5))))"""
    )
    assert "% 4294967296" in text and "> 2147483647" in text


# --- loops around the wrap-around points, in every tier --------------------------------------------------

RELATION_NAMES = list(RELATIONS)
EDGES = [0, 1, 3, 255, 1000, (1 << 31) - 9, (1 << 31) - 1, 1 << 31, U32 - 9, U32 - 1]


def bounded(rng: random.Random, parameter: int) -> str:
    """An i32 expression of a parameter with a range the generator can know (or not)."""
    mask = rng.choice([7, 255, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF])
    base = f"(i32.and (local.get {parameter}) (i32.const {mask}))"
    pick = rng.random()
    if pick < 0.3:
        return f"(i32.add {base} (i32.const {rng.choice(EDGES)}))"
    if pick < 0.5:
        limit = rng.choice(EDGES)
        return f"(select {base} (i32.const {limit}) (i32.{rng.choice(RELATION_NAMES[2:])} {base} (i32.const {limit})))"
    if pick < 0.6:
        return f"(i32.load8_u (i32.and (local.get {parameter}) (i32.const 0xFFFF)))"
    return base


def use(rng: random.Random) -> str:
    """An expression of the counter ``$i`` whose wrap or signed view the ranges may drop."""
    k = rng.choice(EDGES)
    shapes = [
        f"(i32.add (local.get $i) (i32.const {k}))",
        f"(i32.sub (local.get $i) (i32.const {k}))",
        f"(i32.shl (local.get $i) (i32.const {rng.randint(0, 31)}))",
        f"(i32.{rng.choice(RELATION_NAMES)} (local.get $i) (i32.const {k}))",
        f"(i32.shr_s (local.get $i) (i32.const {rng.randint(0, 31)}))",
        f"(i32.mul (local.get $i) (i32.const {k}))",
        f"(select (local.get $i) (i32.const {k}) (i32.lt_s (local.get $i) (local.get $bound)))",
        f"(i32.load8_u (i32.and (i32.add (local.get $i) (i32.const {k})) (i32.const 0xFFFF)))",
    ]
    return rng.choice(shapes)


def loop_module(seed: int) -> str:
    rng = random.Random(seed)
    step = rng.choice([1, 2, 4, 8, 255, (1 << 31) - 1, 1 << 31, U32 - 1, U32 - 8])
    relation = rng.choice(RELATION_NAMES)
    exit_first = rng.random() < 0.5
    test = f"(i32.{relation} (local.get $i) (local.get $bound))"
    body = "\n".join(f"(local.set $acc (i32.add (local.get $acc) {use(rng)}))" for _ in range(3))
    branch = f"(br_if $exit (i32.eqz {test}))" if exit_first else ""
    back = f"(br_if $loop {test})" if not exit_first else "(br $loop)"
    return f"""
(module
  (memory 1)
  (data (i32.const 0) "\\01\\ff\\80\\7f\\00\\10")
  (func (export "run") (param i32 i32) (result i32)
    (local $i i32) (local $bound i32) (local $guard i32) (local $acc i32)
    (local.set $i {bounded(rng, 0)})
    (local.set $bound {bounded(rng, 1)})
    (local.set $guard (i32.const 40))
    (block $exit
      (loop $loop
        {branch}
        {body}
        (local.set $i (i32.add (local.get $i) (i32.const {step})))
        (local.set $guard (i32.sub (local.get $guard) (i32.const 1)))
        (br_if $exit (i32.eqz (local.get $guard)))
        {back}))
    (i32.xor (local.get $acc) (i32.mul (local.get $i) (i32.const 31)))))
"""


def outcome(function: Any, args: tuple[int, ...]) -> Any:
    try:
        return function.invoke(list(args))
    except Trap as trap:
        return ("trap", trap.message)


def run_all(
    wat: str,
    tier: str,
    calls: list[tuple[int, ...]],
    monkeypatch: pytest.MonkeyPatch,
    exports: tuple[str, ...] = ("run",),
) -> list[Any]:
    """Each call of each of ``exports``, in ``tier`` with every range claim checked as the code runs."""
    monkeypatch.setattr(compiled, "FORCE_FLAT", tier == "flat")
    monkeypatch.setattr(ranges, "CHECKED", True)
    instance = Linker(Store(Interpreter(**TIERS[tier]))).instantiate(Module.from_bytes(parse_module(wat)))
    return [outcome(instance.exports[export], call) for export in exports for call in calls]


@pytest.mark.parametrize("seed", range(60))
def test_loops_near_the_wrap_around_points_agree_with_the_interpreter(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    wat = loop_module(seed)
    rng = random.Random(seed)
    calls = [(rng.choice(EDGES) + rng.randint(-2, 2) & 0xFFFFFFFF, rng.choice(EDGES)) for _ in range(8)]
    expected = run_all(wat, "interp", calls, monkeypatch)
    for tier in ("compile", "flat", "osr"):
        assert run_all(wat, tier, calls, monkeypatch) == expected, (tier, wat)


def test_a_mask_of_high_bits_rounds_the_bounds_down() -> None:
    rng = random.Random(1)
    for _ in range(3000):
        low, high = rng.randint(0, 31), rng.randint(1, 32)
        mask = ((1 << high) - (1 << low)) & (U32 - 1) or 1 << 31
        a = random_span(rng, False)
        x = sample(rng, a)
        if x is not None:
            assert member(x & mask, ranges.span_and(a, ranges.constant_span(mask))), (a, mask, x)


DEAD_PATH_NARROWED = """
(module
  (func (export "run") (param i32 i32) (result i32)
    (loop (nop))
    (block $done (result i32)
      (block $out
        (block $inner
          (br_table $out $inner $out (local.get 1)))
        (drop (br_if $done (i32.const 9) (i32.ne (local.get 0) (i32.const 112))))
        (br $done (i32.const 7)))
      (i32.sub (local.get 0) (i32.const 75)))))
"""


@pytest.mark.parametrize("tier", ["compile", "flat", "osr"])
def test_a_path_that_ends_before_a_join_does_not_bring_its_narrowed_ranges_there(
    tier: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # $out's end is reached by the br_table only, never by the path that knows x == 112 (which ends first)
    calls = [(0, 0), (0, 2), (112, 1), (200, 1), (5, 0)]
    assert run_all(DEAD_PATH_NARROWED, tier, calls, monkeypatch) == run_all(
        DEAD_PATH_NARROWED, "interp", calls, monkeypatch
    )


# --- every claim, checked as real code runs ---------------------------------------------------------------


@pytest.mark.parametrize(("path", "n"), testdata.benchmark_programs())
@pytest.mark.parametrize("tier", ["compile", "flat", "osr"])
def test_the_benchmark_programs_break_no_range_claim(
    path: Path, n: int, tier: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compiled, "FORCE_FLAT", tier == "flat")
    monkeypatch.setattr(ranges, "CHECKED", True)
    instance = Linker(Store(Interpreter(**TIERS[tier]))).instantiate(Module.from_file(path))
    reference = Linker(Store(Interpreter(engine="interp"))).instantiate(Module.from_file(path))
    for argument in (n, n + 1):
        assert instance.exports["bench"].invoke([argument]) == reference.exports["bench"].invoke([argument])


def test_a_broken_claim_is_caught_where_it_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every sum claimed canonical: the first one that is not raises, not a wrong result.
    monkeypatch.setattr(ranges, "CHECKED", True)
    monkeypatch.setattr(ranges, "fits", lambda span: True)
    wat = """(module (func (export "run") (param i32 i32) (result i32) (local i32)
               (loop (local.set 2 (i32.add (local.get 2) (local.get 0)))
                     (br_if 0 (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))
               (local.get 2)))"""
    instance = Linker(Store(Interpreter(engine="compile"))).instantiate(Module.from_bytes(parse_module(wat)))
    with pytest.raises(ranges.RangeClaimBroken):
        instance.exports["run"].invoke([0xFFFFFFFF, 3])


def test_a_pointer_stepped_once_per_iteration_of_a_counted_loop_needs_no_wrap() -> None:
    # p = 1024; i = 0; loop: store at p; p += 8; i += 1; continue while i != 100: p stays below 1024 + 800
    text = source(
        """(module (memory 1) (func (result i32) (local i32 i32)
             (local.set 0 (i32.const 1024))
             (loop
               (i32.store (local.get 0) (local.get 1))
               (local.set 0 (i32.add (local.get 0) (i32.const 8)))
               (br_if 0 (i32.ne (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (i32.const 100))))
             (local.get 0)))"""
    )
    assert "l0 = (l0 + 8)\n" in text and "l1 = (l1 + 1)\n" in text


def test_a_counter_narrowed_on_both_ways_of_a_condition_still_bounds_its_loop() -> None:
    # nbody's outer loop: i = j; j = i + 1; if i <= 3 (which narrows j on both ways); p += 56; continue while
    # j != 5: j is still the counter (the join of its two narrowings is j), so p stays below 1416 + 5 * 56
    text = source(
        """(module (memory 1) (func (result i32) (local i32 i32 i32)
             (local.set 2 (i32.const 1416))
             (loop
               (local.set 1 (local.get 0))
               (local.set 0 (i32.add (local.get 1) (i32.const 1)))
               (if (i32.le_s (local.get 1) (i32.const 3)) (then (i32.store (local.get 2) (local.get 1))))
               (local.set 2 (i32.add (local.get 2) (i32.const 56)))
               (br_if 0 (i32.ne (local.get 0) (i32.const 5))))
             (local.get 2)))"""
    )
    assert "l2 = (l2 + 56)\n" in text


def test_looking_through_joins_visits_each_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # 20 conditions in a row on the counter, each narrowing it on both ways: joins of narrowings of joins.
    # Looking for the counter through them must not walk every path (2**20), only each join once.
    conditions = " ".join(
        f"(if (i32.lt_u (local.get 0) (i32.const {k})) (then (local.set 1 (i32.add (local.get 1) (i32.const {k})))))"
        for k in range(1, 21)
    )
    wat = f"""(module (func (result i32) (local i32 i32)
      (loop {conditions}
        (br_if 0 (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 100))))
      (local.get 1)))"""
    calls = 0
    looked_through = counters._unnarrowed

    def counting(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        return looked_through(*args)

    monkeypatch.setattr(counters, "_unnarrowed", counting)
    text = source(wat)
    assert calls < 1000
    assert "l0 = (l0 + 1)\n" in text  # (still the counter)


# n = min(p, 1024); a guard that shows n >= 4; then a counter stepped by 4 up to n & -4 (at least 4) starts
# below it and needs no wrap.  The guard: m = n - 1; m >=s 3 (n - 1 >=u 3 would not say it: n = 0 gives
# 2**32 - 1), or the test on n + 1 itself (n + 1 >= 5).
OFFSET_GUARDS = {
    "a local that is an offset": """(local.set 2 (i32.sub (local.get 1) (i32.const 1)))
        (block (br_if 0 (i32.lt_s (local.get 2) (i32.const 3)))""",
    "a local plus a constant": """(block (br_if 0 (i32.lt_u (i32.add (local.get 1) (i32.const 1)) (i32.const 5)))""",
}


@pytest.mark.parametrize("guard", list(OFFSET_GUARDS))
def test_a_condition_on_an_offset_of_a_local_narrows_the_local(guard: str) -> None:
    text = source(
        f"""(module (memory 1) (func (param i32) (local i32 i32 i32)
             (local.set 1 (select (local.get 0) (i32.const 1024) (i32.lt_u (local.get 0) (i32.const 1024))))
             {OFFSET_GUARDS[guard]}
               (local.set 3 (i32.and (local.get 1) (i32.const -4)))
               (local.set 0 (i32.const 0))
               (loop
                 (i32.store8 (i32.add (local.get 0) (i32.const 1024)) (local.get 0))
                 (br_if 0 (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 4))) (local.get 3)))))))"""
    )
    assert "l0 = (l0 + 4)" in text and "V0[(l0 + 1024)]" in text


def test_a_local_narrowed_narrows_the_locals_computed_from_it() -> None:
    # matmul's: n1 = max(n, 1) (a select); m = n1 & -2; if n >= 2, the counter stepped by 2 up to m starts below it
    text = source(
        """(module (memory 1) (func (param i32) (local i32 i32 i32)
             (local.set 0 (select (local.get 0) (i32.const 128) (i32.lt_u (local.get 0) (i32.const 128))))
             (local.set 1 (select (local.get 0) (i32.const 1) (i32.gt_u (local.get 0) (i32.const 1))))
             (local.set 2 (i32.and (local.get 1) (i32.const -2)))
             (block (br_if 0 (i32.lt_u (local.get 0) (i32.const 2)))
               (loop
                 (i32.store8 (i32.add (local.get 3) (i32.const 1024)) (local.get 3))
                 (br_if 0 (i32.ne (local.tee 3 (i32.add (local.get 3) (i32.const 2))) (local.get 2)))))))"""
    )
    assert "l3 = (l3 + 2)" in text and "V0[(l3 + 1024)]" in text


# Offsets that stop holding: the base written after (1), an offset known on one way into a join only (2), a
# base the loop writes (3), a base written after a select computed from it (4), a local written by a
# statement (5).  An offset wrongly kept there narrows the
# parameter n, and the wrap of n + 1 or n - 1 is left out: the claim check fails (for n = 0 or 2**32 - 1).
STALE_OFFSETS = """
(module
  (memory 1)
  (func (export "run") (param i32 i32) (result i32) (local i32 i32)
    (loop (nop))
    (local.set 2 (i32.sub (local.get 0) (i32.const 1)))
    (local.set 0 (local.get 1))
    (if (i32.lt_u (local.get 2) (i32.const 10))
      (then (local.set 3 (i32.add (local.get 0) (i32.const 1)))))
    (i32.add (local.get 3) (i32.load8_u (i32.and (local.get 0) (i32.const 0xFFFF)))))
  (func (export "join") (param i32 i32) (result i32) (local i32)
    (loop (nop))
    (if (local.get 1)
      (then (local.set 2 (i32.sub (local.get 0) (i32.const 1))))
      (else (local.set 2 (local.get 1))))
    (if (result i32) (i32.lt_u (local.get 2) (i32.const 10))
      (then (i32.add (local.get 0) (i32.const 1)))
      (else (i32.const 0))))
  (func (export "loop") (param i32 i32) (result i32) (local i32 i32)
    (local.set 2 (i32.sub (local.get 0) (i32.const 5)))
    (local.set 3 (i32.const 3))
    (loop
      (if (i32.lt_u (local.get 2) (i32.const 10))
        (then (local.set 1 (i32.add (local.get 1) (i32.load8_u (i32.sub (local.get 0) (i32.const 1)))))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 5)))
      (br_if 0 (local.tee 3 (i32.sub (local.get 3) (i32.const 1)))))
    (local.get 1))
  (func (export "derived") (param i32 i32) (result i32) (local i32)
    (loop (nop))
    (local.set 2 (select (local.get 0) (i32.const 20) (i32.lt_u (local.get 0) (i32.const 20))))
    (local.set 0 (local.get 1))
    (if (result i32) (i32.ge_u (local.get 0) (i32.const 10))
      (then (i32.sub (local.get 2) (i32.const 1)))
      (else (i32.const 0))))
  (func (export "load") (param i32 i32) (result i32) (local i32)
    (loop (nop))
    (local.set 2 (i32.sub (local.get 0) (i32.const 5)))
    (local.set 2 (i32.load8_u (i32.and (local.get 1) (i32.const 0xFFFF))))
    (if (result i32) (i32.lt_u (local.get 2) (i32.const 10))
      (then (i32.sub (local.get 0) (i32.const 1)))
      (else (i32.const 0)))))
"""


@pytest.mark.parametrize("export", ["run", "join", "loop", "derived", "load"])
@pytest.mark.parametrize("tier", ["compile", "flat", "osr"])
def test_an_offset_is_forgotten_where_it_stops_holding(export: str, tier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = [(n, m) for n in (0, 1, 5, 10, 11, 0xFFFF, 1 << 31, U32 - 1) for m in (0, 1, 3, 12, U32 - 1, 1 << 31)]

    expected = run_all(STALE_OFFSETS, "interp", calls, monkeypatch, (export,))
    assert run_all(STALE_OFFSETS, tier, calls, monkeypatch, (export,)) == expected


def test_a_comparison_kept_in_a_local_narrows_what_it_compared() -> None:
    # fib's loop as LLVM writes it: c = n > 3; m = n - 2; n = m; continue while c.  The test moves to m with
    # n's old value (m + 2 > 3), so n stays at 2 or more round the loop and n - 1, n - 2 need no wrap.
    text = source(
        """(module (func $fib (param i32) (result i32) (local i32 i32 i32)
             (if (i32.lt_s (local.get 0) (i32.const 2)) (then (return (local.get 0))))
             (loop
               (local.set 1 (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (local.get 1)))
               (local.set 2 (i32.gt_s (local.get 0) (i32.const 3)))
               (local.set 3 (i32.sub (local.get 0) (i32.const 2)))
               (local.set 0 (local.get 3))
               (br_if 0 (local.get 2)))
             (i32.add (local.get 3) (local.get 1))))"""
    )
    assert "f0((l0 - 1))" in text and "l3 = (l0 - 2)\n" in text


# Comparisons kept in a local that stop holding, each in a function returning n - 4 where the kept test
# (c = n > 3) would show n >= 4: the local compared written (1), the holder written (2), the test moved to a
# local then written (3), a test known on one way into a join only (4), a base the loop writes (5); and
# two that hold: the test moved (6) and negated (7).  A test wrongly kept leaves out the wrap of n - 4: the
# claim check fails (for n below 4); one moved wrongly (8: m = n - 2 is 2 or more, not 6) that of m - 6
# (n in [4, 1027]).
STALE_TESTS = """
(module
  (func (export "base") (param i32 i32) (result i32) (local i32)
    (loop (nop))
    (local.set 2 (i32.gt_u (local.get 0) (i32.const 3)))
    (local.set 0 (local.get 1))
    (if (result i32) (local.get 2) (then (i32.sub (local.get 0) (i32.const 4))) (else (i32.const 0))))
  (func (export "holder") (param i32 i32) (result i32) (local i32)
    (loop (nop))
    (local.set 2 (i32.gt_u (local.get 0) (i32.const 3)))
    (local.set 2 (local.get 1))
    (if (result i32) (local.get 2) (then (i32.sub (local.get 0) (i32.const 4))) (else (i32.const 0))))
  (func (export "moved_then_written") (param i32 i32) (result i32) (local i32 i32)
    (loop (nop))
    (local.set 2 (i32.gt_u (local.get 0) (i32.const 3)))
    (local.set 3 (i32.sub (local.get 0) (i32.const 2)))
    (local.set 0 (local.get 3))
    (local.set 3 (local.get 1))
    (if (result i32) (local.get 2) (then (i32.sub (local.get 3) (i32.const 2))) (else (i32.const 0))))
  (func (export "join") (param i32 i32) (result i32) (local i32)
    (loop (nop))
    (if (local.get 1)
      (then (local.set 2 (i32.gt_u (local.get 0) (i32.const 3))))
      (else (local.set 2 (i32.const 1))))
    (if (result i32) (local.get 2) (then (i32.sub (local.get 0) (i32.const 4))) (else (i32.const 0))))
  (func (export "loop") (param i32 i32) (result i32) (local i32)
    (local.set 2 (i32.gt_u (local.get 0) (i32.const 3)))
    (loop
      (if (local.get 2) (then (local.set 1 (i32.add (local.get 1) (i32.sub (local.get 0) (i32.const 4))))))
      (local.set 0 (i32.shr_u (local.get 0) (i32.const 1)))
      (br_if 0 (local.get 0)))
    (local.get 1))
  (func (export "moved") (param i32 i32) (result i32) (local i32 i32)
    (loop (nop))
    (local.set 2 (i32.gt_u (local.get 0) (i32.const 3)))
    (local.set 3 (i32.sub (local.get 0) (i32.const 2)))
    (local.set 0 (local.get 3))
    (if (result i32) (local.get 2) (then (i32.sub (local.get 0) (i32.const 2))) (else (i32.const 0))))
  (func (export "negated") (param i32 i32) (result i32) (local i32)
    (loop (nop))
    (local.set 2 (i32.lt_u (local.get 0) (i32.const 4)))
    (if (result i32) (i32.eqz (local.get 2)) (then (i32.sub (local.get 0) (i32.const 4))) (else (i32.const 0))))
  (func (export "moved_far") (param i32 i32) (result i32) (local i32 i32)
    (loop (nop))
    (local.set 0 (i32.add (i32.and (local.get 0) (i32.const 1023)) (i32.const 4)))
    (local.set 2 (i32.gt_u (local.get 0) (i32.const 3)))
    (local.set 3 (i32.sub (local.get 0) (i32.const 2)))
    (local.set 0 (local.get 3))
    (if (result i32) (local.get 2) (then (i32.sub (local.get 0) (i32.const 6))) (else (i32.const 0)))))
"""


@pytest.mark.parametrize(
    "export", ["base", "holder", "moved_then_written", "join", "loop", "moved", "negated", "moved_far"]
)
@pytest.mark.parametrize("tier", ["compile", "flat", "osr"])
def test_a_kept_comparison_is_forgotten_where_it_stops_holding(
    export: str, tier: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = [(n, m) for n in (0, 1, 3, 4, 5, 1 << 31, U32 - 1) for m in (0, 1, 3, U32 - 1)]

    expected = run_all(STALE_TESTS, "interp", calls, monkeypatch, (export,))
    assert run_all(STALE_TESTS, tier, calls, monkeypatch, (export,)) == expected


@pytest.mark.parametrize(("export", "kept"), [("moved", "(l0 - 2)"), ("negated", "(l0 - 4)")])
def test_a_kept_comparison_that_holds_leaves_the_wrap_out(export: str, kept: str) -> None:
    index = {"moved": 5, "negated": 6}[export]
    assert f"r2_0 = {kept}\n" in source(STALE_TESTS, index)


def test_a_pointer_stepped_by_a_loop_counting_down_needs_no_wrap() -> None:
    # n = k & 3, entered only if n != 0: p += 1 and n -= 1 while n != 0 (at most 2 steps back) keep p small
    text = source(
        """(module (memory 1) (func (param i32) (local i32 i32)
             (local.set 1 (i32.and (local.get 0) (i32.const 3)))
             (local.set 2 (i32.const 1024))
             (block (br_if 0 (i32.eqz (local.get 1)))
               (loop
                 (i32.store8 (local.get 2) (local.get 1))
                 (local.set 2 (i32.add (local.get 2) (i32.const 1)))
                 (br_if 0 (local.tee 1 (i32.sub (local.get 1) (i32.const 1))))))))"""
    )
    assert "l2 = (l2 + 1)\n" in text and "l1 = (l1 - 1)\n" in text


# A pointer stepped by 8 from 2**32 - 24 while n = k & 3 counts down: the third step wraps to 0 (n = 3: two
# back edges, three steps), which the bound of the loop's back edges must not leave out; and a count down
# entered at 0, where n - 1 wraps.
COUNTED_DOWN = """(module
  (func (export "steps") (param i32) (result i32) (local i32 i32)
    (local.set 1 (i32.and (local.get 0) (i32.const 3)))
    (local.set 2 (i32.const -24))
    (block (br_if 0 (i32.eqz (local.get 1)))
      (loop
        (local.set 2 (i32.add (local.get 2) (i32.const 8)))
        (br_if 0 (local.tee 1 (i32.sub (local.get 1) (i32.const 1))))))
    (local.get 2))
  (func (export "from_zero") (param i32) (result i32) (local i32 i32)
    ;; entered with n = 0 too (no guard): n - 1 wraps there, and the loop ends by its other exit
    (local.set 1 (i32.and (local.get 0) (i32.const 3)))
    (block
      (loop
        (br_if 1 (i32.ge_u (local.tee 2 (i32.add (local.get 2) (i32.const 1))) (i32.const 5)))
        (br_if 0 (local.tee 1 (i32.sub (local.get 1) (i32.const 1))))))
    (i32.add (local.get 1) (local.get 2))))"""


@pytest.mark.parametrize("tier", ["compile", "flat", "osr"])
def test_a_loop_counting_down_agrees_with_the_interpreter(tier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = [(k,) for k in range(8)]
    expected = run_all(COUNTED_DOWN, "interp", calls, monkeypatch, ("steps", "from_zero"))
    assert run_all(COUNTED_DOWN, tier, calls, monkeypatch, ("steps", "from_zero")) == expected


# nbody's loops: i counts up from 0 to 5 while n counts down from 4 (n = 4 - i at every iteration); where
# i <= 3, n >= 1, so the inner loop counting down from n steps its pointer at most n - 1 times, and n - 1
# does not wrap.  With n stepped by 2 ("sums", {step} = 2) the sum does not hold: n - 1 wraps where n = 0.
COUNTERS = """
  (func (export "{name}") (param i32) (result i32) (local i32 i32 i32 i32 i32 i32)
    (local.set 1 (i32.const 4)) (local.set 2 (i32.const 0))
    (loop $outer
      (local.set 3 (local.get 2))
      (local.set 2 (i32.add (local.get 3) (i32.const 1)))
      (if (i32.le_s (local.get 3) (i32.const 3)) (then {body}))
      (local.set 1 (i32.sub (local.get 1) (i32.const {step})))
      (br_if $outer (i32.ne (local.get 2) (i32.const 5))))
    (local.get 6))"""
PAIRS = """(local.set 4 (local.get 1))
          (local.set 5 (i32.add (local.get 0) (i32.const 64)))
          (loop $inner
            (local.set 6 (i32.add (local.get 6) (i32.load8_u (i32.sub (local.get 5) (i32.const 8)))))
            (local.set 5 (i32.add (local.get 5) (i32.const 8)))
            (br_if $inner (local.tee 4 (i32.sub (local.get 4) (i32.const 1)))))"""
SUMS = """(local.set 5 (i32.sub (local.get 1) (i32.const 1)))
          (local.set 6 (i32.xor (local.get 6) (i32.shr_u (local.get 5) (i32.const 1))))"""
MIRRORED = (
    "(module (memory 1)"
    + COUNTERS.format(name="pairs", body=PAIRS, step=1)
    + COUNTERS.format(name="sums", body=SUMS, step="{step}")
    + ")"
)


def test_two_counters_stepped_oppositely_keep_their_sum() -> None:
    wat = MIRRORED.replace("{step}", "1").replace("(local.get 0) (i32.const 64)", "(i32.const 64) (i32.const 64)")
    text = source(wat)
    assert "l5 = (l5 + 8)\n" in text and "l4 = (l4 - 1)\n" in text and "V0[(l5 - 8)]" in text
    assert "l5 = (l1 - 1)\n" in source(wat, 1)


@pytest.mark.parametrize("step", [1, 2])
@pytest.mark.parametrize("tier", ["compile", "flat", "osr"])
def test_counters_stepped_oppositely_agree_with_the_interpreter(
    step: int, tier: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wat = MIRRORED.replace("{step}", str(step))
    calls = [(p,) for p in (0, 8, 65000, U32 - 64, U32 - 8)]

    expected = run_all(wat, "interp", calls, monkeypatch, ("pairs", "sums"))
    assert run_all(wat, tier, calls, monkeypatch, ("pairs", "sums")) == expected


def test_a_reflection_holds_every_value_whose_mirror_is_in_the_span() -> None:
    rng = random.Random(7)
    for _ in range(500):
        span = random_span(rng, False)
        total = rng.choice([0, 4, 5, 1 << 31, U32 - 1, rng.randrange(U32)])
        reflected = ranges._reflected(span, total)
        value = sample(rng, span)
        if value is not None:
            assert member((total - value) % U32, reflected)


def test_a_pointer_stepped_by_a_loop_with_no_counter_keeps_its_wrap() -> None:
    text = source(
        """(module (memory 1) (func (param i32) (result i32) (local i32)
             (loop
               (local.set 1 (i32.add (local.get 1) (i32.const 8)))
               (br_if 0 (i32.load (local.get 0))))
             (local.get 1)))"""
    )
    assert "l1 = ((l1 + 8) % 4294967296)" in text
