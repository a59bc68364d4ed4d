"""Mutation fuzzing of the decoder, the text parser and the validator.

Each seed picks a corpus item (:mod:`fuzz.corpus`; for a third of the binary
seeds, a fresh smith module), makes ``mutants`` mutants of it
(:mod:`fuzz.mutators`) and loads each with ``Module.from_bytes`` (decode, or
parse then decode, then validate).  The rules:

* only :class:`~wasmrun.DecodeError`, :class:`~wasmrun.ValidationError` (its
  subclasses included) and :class:`~wasmrun.TextSyntaxError` may come out;
  anything else (``IndexError``, ``RecursionError``, ``MemoryError``, another
  ``WasmError``) is a finding;
* a load must finish within :func:`time_bound` (a multiple of the unmutated
  item's load time, at least ``min_seconds``): slower is a finding (``slow``),
  and past a hard limit it is stopped (``timeout``).

With ``verdicts`` on, each binary mutant is also given to Wasmtime (same
feature set): accepted by one and rejected by the other is a finding
(``verdict``), unless an implementation limit explains it (:mod:`fuzz.limits`).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fuzz import limits
from fuzz.corpus import Seed, corpus
from fuzz.guard import Timeout, deadline
from fuzz.mutators import mutate
from wasmrun import DecodeError, Module, TextSyntaxError, ValidationError

DEFAULT_MUTANTS = 40
MIN_SECONDS = 2.0
SLOWDOWN = 20.0  # a mutant may load this many times slower than its unmutated item
HARD_FACTOR = 5.0  # a load is stopped at this multiple of its bound
EXPECTED = (DecodeError, ValidationError, TextSyntaxError)


@dataclass(frozen=True)
class MutationSettings:
    mutants: int = DEFAULT_MUTANTS
    min_seconds: float = MIN_SECONDS
    verdicts: bool = True
    feature_set: str = "wasm2-simd"
    smith: bool = True  # mutate fresh smith modules too (needs wasm-tools)


@dataclass
class MutationFinding:
    seed: int
    base: str
    kind: str  # "unexpected exception", "slow", "timeout", "verdict: only wasmrun accepts/rejects"
    detail: str
    data: bytes
    text: bool
    mutators: list[str]

    @property
    def signature(self) -> str:
        return f"{self.kind}: {self.detail.split(':')[0]}"


@dataclass
class MutationReport:
    seed: int
    base: str = ""
    text: bool = False
    mutants: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    filters: Counter[str] = field(default_factory=Counter)
    findings: list[MutationFinding] = field(default_factory=list)
    slowest: float = 0.0
    seconds: float = 0.0


def load_outcome(data: bytes, hard_limit: float, features: Any = None) -> tuple[str, float]:
    """``accepted``, the error class, ``unexpected <Class>: <message>`` or ``timeout``; and the seconds.

    ``features``: the proposals wasmrun may accept (those of the feature set Wasmtime judges with).
    """
    started = time.perf_counter()
    try:
        with deadline(hard_limit):
            if features is None:
                Module.from_bytes(data)
            else:
                Module.from_bytes(data, features=features)
        outcome = "accepted"
    except EXPECTED as error:
        outcome = type(error).__name__
        if type(error).__name__ == "LimitExceeded":
            outcome = f"LimitExceeded: {error.message}"
    except Timeout:
        outcome = "timeout"
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        outcome = f"unexpected {type(error).__name__}: {str(error)[:200]}"
    return outcome, time.perf_counter() - started


def time_bound(base_seconds: float, settings: MutationSettings) -> float:
    return max(settings.min_seconds, SLOWDOWN * base_seconds)


def pick_base(seed: int, rng: random.Random, settings: MutationSettings) -> Seed:
    binaries, texts = corpus()
    if rng.random() < 0.45 and texts:
        return rng.choice(texts)
    if settings.smith and rng.random() < 0.35:
        from fuzz.features import FEATURE_SETS
        from fuzz.generate import generate

        generated = generate("smith", seed, FEATURE_SETS[settings.feature_set])
        if generated.wasm is not None:
            return Seed(generated.name, generated.wasm, text=False)
    return rng.choice(binaries)


def wasmtime_verdict(data: bytes, feature_set: str) -> str:
    from fuzz.differential import _wasmtime_engine
    from fuzz.run_wasmtime import verdict

    return verdict(_wasmtime_engine(feature_set), data)[0]


def mutate_seed(seed: int, settings: MutationSettings) -> MutationReport:
    started = time.perf_counter()
    rng = random.Random(f"mutate:{seed}")
    base = pick_base(seed, rng, settings)
    report = MutationReport(seed, base.name, base.text)
    binaries, texts = corpus()
    donors = [
        item.data
        for item in rng.sample(texts if base.text else binaries, k=min(8, len(texts if base.text else binaries)))
    ]
    from fuzz.features import FEATURE_SETS

    features = FEATURE_SETS[settings.feature_set].proposals()
    _, base_seconds = load_outcome(base.data, 60.0, features)
    bound = time_bound(base_seconds, settings)
    for _ in range(settings.mutants):
        data, applied = mutate(base.data, rng, donors, base.text)
        report.mutants += 1
        outcome, seconds = load_outcome(data, bound * HARD_FACTOR, features)
        report.slowest = max(report.slowest, seconds)
        report.outcomes[outcome.split(":")[0]] += 1

        def finding(kind: str, detail: str, data: bytes = data, applied: list[str] = applied) -> None:
            report.findings.append(MutationFinding(seed, base.name, kind, detail, data, base.text, applied))

        if outcome.startswith("unexpected"):
            finding("unexpected exception", outcome.removeprefix("unexpected "))
            continue
        if outcome == "timeout":
            finding("timeout", f"stopped after {bound * HARD_FACTOR:.1f} s")
            continue
        if seconds > bound:
            finding("slow", f"{seconds:.2f} s, bound {bound:.2f} s ({outcome})")
        if settings.verdicts and not base.text:
            if data.startswith(b"\0asm"):
                _compare_verdicts(report, outcome, data, settings, finding)
            else:  # wasmrun reads it as text (no magic), Wasmtime as a binary: nothing to compare
                report.filters["verdict not compared: a binary mutant without the magic number is text to wasmrun"] += 1
    report.seconds = time.perf_counter() - started
    return report


def _compare_verdicts(report: MutationReport, outcome: str, data: bytes, settings: MutationSettings, finding) -> None:  # type: ignore[no-untyped-def]
    expected = wasmtime_verdict(data, settings.feature_set)
    wasmrun_accepts = outcome == "accepted"
    if (expected == "valid") == wasmrun_accepts:
        return
    if wasmrun_accepts:
        reason = limits.explained(expected, limits.WASMTIME_LIMITS)
        if reason is not None:
            report.filters[f"Wasmtime rejects: {reason}"] += 1
        else:
            finding("verdict: only wasmrun accepts", f"Wasmtime: {expected}")
    else:
        reason = limits.explained(f"invalid: {outcome}", limits.WASMRUN_LIMITS)
        if reason is not None:
            report.filters[f"wasmrun rejects: {reason}"] += 1
        else:
            finding("verdict: only wasmrun rejects", f"wasmrun: {outcome}")


def mutate_task(task: tuple[int, MutationSettings]) -> MutationReport:
    seed, settings = task
    return mutate_seed(seed, settings)
