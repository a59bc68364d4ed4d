"""Differential testing of one module: wasmrun's tiers against Wasmtime, and what came out of it.

:func:`check_wasm` takes a module's bytes and returns a :class:`ModuleReport`:
the validation verdicts (Wasmtime rejects if and only if wasmrun rejects, but
for implementation limits, :mod:`fuzz.limits`), then one
:class:`~fuzz.observe.Observation` per engine of the same :class:`~fuzz.plan.Plan`,
each wasmrun tier compared with Wasmtime's (:mod:`fuzz.compare`).  Every
mismatch becomes a :class:`Finding`; everything skipped is counted in
``filters`` with its reason.
"""

from __future__ import annotations

import functools
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from fuzz import adapter, limits, run_wasmrun
from fuzz.compare import compare
from fuzz.features import FEATURE_SETS, FeatureSet
from fuzz.generate import Generated, generate
from fuzz.guard import Timeout, deadline
from fuzz.plan import DEFAULT_FUEL, DEFAULT_ROUNDS, make_plan
from wasmrun import DecodeError, Module, TextSyntaxError, ValidationError, WasmError

DEFAULT_GUARD_SECONDS = 60.0  # per engine and module; a wasmrun tier that takes longer is a finding (a hang)


@dataclass(frozen=True)
class Settings:
    feature_set: str = "wasm2-simd"
    tiers: tuple[str, ...] = tuple(adapter.TIERS)
    fuel: int = DEFAULT_FUEL
    rounds: int = DEFAULT_ROUNDS
    guard_seconds: float = DEFAULT_GUARD_SECONDS

    @property
    def features(self) -> FeatureSet:
        return FEATURE_SETS[self.feature_set]


@dataclass
class Finding:
    """A mismatch, with what it takes to reproduce it (:mod:`fuzz.findings` writes it down)."""

    name: str
    tier: str
    category: str
    detail: str
    wasm: bytes
    plan_seed: int
    settings: Settings

    @property
    def signature(self) -> str:
        return f"{self.tier}/{self.category}"


@dataclass
class ModuleReport:
    name: str
    generated: bool = False
    accepted: bool = False
    exports_called: int = 0
    compared: int = 0
    traps: Counter[str] = field(default_factory=Counter)
    filters: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the harness itself failed (a bug of fuzz/, or of a tool)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))


@functools.cache
def _wasmtime_engine(feature_set: str) -> Any:
    from fuzz import run_wasmtime  # wasmtime-py is imported when first needed (tests skip without it)

    return run_wasmtime.make_engine(FEATURE_SETS[feature_set])


def wasmrun_verdict(wasm: bytes, guard_seconds: float | None) -> tuple[str, Module | None]:
    try:
        with deadline(guard_seconds):
            return "valid", Module.from_bytes(wasm)
    except (DecodeError, ValidationError, TextSyntaxError) as error:
        return f"invalid: {type(error).__name__}: {error}", None
    except WasmError as error:
        return f"crash: {type(error).__name__} (not a load error): {error}", None
    except Timeout:
        return "timeout", None
    except Exception as error:
        return run_wasmrun.crash(error), None


def check_generated(generated: Generated, settings: Settings) -> ModuleReport:
    report = ModuleReport(generated.name)
    if generated.wasm is None:
        report.filters[f"not generated: {generated.skipped}"] += 1
        return report
    report.generated = True
    return check_wasm(generated.wasm, generated.name, generated.seed, settings, report)


def check_wasm(
    wasm: bytes, name: str, plan_seed: int, settings: Settings, report: ModuleReport | None = None
) -> ModuleReport:
    if report is None:
        report = ModuleReport(name, generated=True)

    from fuzz import run_wasmtime

    def finding(tier: str, category: str, detail: str) -> None:
        report.findings.append(Finding(name, tier, category, detail, wasm, plan_seed, settings))

    engine = _wasmtime_engine(settings.feature_set)
    started = time.perf_counter()
    expected, wasmtime_module = run_wasmtime.verdict(engine, wasm)
    report.seconds["wasmtime"] += time.perf_counter() - started
    started = time.perf_counter()
    actual, module = wasmrun_verdict(wasm, settings.guard_seconds)
    report.seconds["wasmrun load"] += time.perf_counter() - started
    if actual.startswith(("crash", "timeout")):
        finding("load", "load " + actual.split(":")[0], f"loading: {actual} (Wasmtime: {expected})")
        return report
    if expected != "valid" and actual != "valid":
        report.filters["both engines reject the module"] += 1
        return report
    if expected != "valid":
        reason = limits.explained(expected, limits.WASMTIME_LIMITS)
        if reason is not None:
            report.filters[f"Wasmtime rejects: {reason}"] += 1
        else:
            finding("load", "verdict: only wasmrun accepts", f"Wasmtime rejects ({expected}), wasmrun accepts")
        return report
    if actual != "valid":
        reason = limits.explained(actual, limits.WASMRUN_LIMITS)
        if reason is not None:
            report.filters[f"wasmrun rejects: {reason}"] += 1
        else:
            finding("load", "verdict: only wasmrun rejects", f"wasmrun rejects ({actual}), Wasmtime accepts")
        return report
    assert module is not None and wasmtime_module is not None
    report.accepted = True

    interface = adapter.interface_of(module)
    plan = make_plan(interface, plan_seed, settings.fuel, settings.rounds)
    reference = run_wasmtime.run(engine, wasmtime_module, interface, plan, settings.guard_seconds, wasm)
    report.seconds["wasmtime"] += reference.seconds
    if reference.crashed:
        report.filters[f"not compared: Wasmtime {reference.crashed.split(':')[0]}"] += 1
        return report
    report.exports_called = len(reference.calls)
    if reference.instantiation.startswith("trap"):
        report.traps[reference.instantiation.removeprefix("trap: ") + " (start)"] += 1
    for call in reference.calls:
        if call.outcome.startswith("trap"):
            report.traps[call.outcome.removeprefix("trap: ")] += 1
        if call.outcome == "trap: out-of-fuel":
            report.filters["calls that ran out of fuel (compared as traps)"] += 1

    for tier in settings.tiers:
        observation = run_wasmrun.run(module, interface, plan, tier, settings.guard_seconds, settings.features.wasmrun)
        report.seconds[tier] += observation.seconds
        comparison = compare(reference, observation)
        report.compared += comparison.compared
        for reason in comparison.filters:
            report.filters[reason] += 1
        if comparison.mismatch:
            finding(tier, comparison.category, comparison.detail)
    return report


def check_seed(generator: str, seed: int, settings: Settings) -> ModuleReport:
    started = time.perf_counter()
    generated = generate(generator, seed, settings.features)
    seconds = time.perf_counter() - started
    report = check_generated(generated, settings)
    report.seconds["generate"] += seconds
    return report


def check_task(task: tuple[str, int, Settings]) -> ModuleReport:
    """:func:`check_seed` for :func:`fuzz.workers.run_tasks` (one picklable argument)."""
    generator, seed, settings = task
    try:
        return check_seed(generator, seed, settings)
    except Exception as error:
        report = ModuleReport(f"{generator}-{seed}")
        report.errors.append(f"{generator}-{seed}: {''.join(traceback.format_exception(error)).strip()}")
        return report
