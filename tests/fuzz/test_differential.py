"""Differential fuzzing, bounded: a fixed range of smith and ``wasm-opt -ttf`` seeds, each its own case.

Each case generates one module (``fuzz.generate``), runs it under every
wasmrun tier and under Wasmtime, and requires them to agree (``fuzz.compare``).
A failure prints the mismatch and the command that reproduces it, minimises it
and writes it down (then copy it to ``tests/fuzz/regressions/``).  Long runs:
``python -m fuzz differential`` (``fuzz/README.md``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fuzz_support import require_tools

from fuzz import record
from fuzz.compare import compare
from fuzz.differential import Settings, check_seed, check_wasm
from fuzz.observe import Call, Observation
from fuzz.run_wasmrun import PLANT

SMITH_SEEDS = range(0, 300)
TTF_SEEDS = range(0, 75)
# The WebAssembly 3.0 feature sets, smith only, fewer seeds each.
FEATURE_SET_SEEDS = {"wasm2-exceptions": range(0, 40), "wasm2-memory": range(0, 40)}
# CI's budget: less fuel per call than a long run, and a shorter guard.
SETTINGS = Settings(fuel=30_000, guard_seconds=30.0)

# Seeds that show a known, open wasmrun bug: "smith-17": "reason".  Strict xfail, so a fix shows up.
KNOWN: dict[str, str] = {}


def _cases(generator: str, seeds: range) -> list[object]:
    return [
        pytest.param(
            generator,
            seed,
            id=f"{generator}-{seed}",
            marks=[pytest.mark.xfail(reason=KNOWN[f"{generator}-{seed}"], strict=True)]
            if f"{generator}-{seed}" in KNOWN
            else [],
        )
        for seed in seeds
    ]


@pytest.mark.parametrize(("generator", "seed"), _cases("smith", SMITH_SEEDS) + _cases("ttf", TTF_SEEDS))
def test_engines_agree(generator: str, seed: int) -> None:
    require_tools(wasm_opt=generator == "ttf")
    report = check_seed(generator, seed, SETTINGS)
    assert report.generated or not report.filters, dict(report.filters)
    problems = [f"[{finding.tier}] {finding.category}: {finding.detail}" for finding in report.findings]
    assert not problems, (
        "\n".join(problems)
        + f"\nreproduce: python -m fuzz differential --generators {generator}=1 --seed {seed} --fuel {SETTINGS.fuel}"
        " --jobs 1 --out fuzz-findings/"
    )


@pytest.mark.parametrize(
    ("feature_set", "seed"),
    [
        pytest.param(feature_set, seed, id=f"{feature_set}-smith-{seed}")
        for feature_set, seeds in FEATURE_SET_SEEDS.items()
        for seed in seeds
    ],
)
def test_engines_agree_on_later_proposals(feature_set: str, seed: int) -> None:
    require_tools()
    settings = Settings(feature_set=feature_set, fuel=SETTINGS.fuel, guard_seconds=SETTINGS.guard_seconds)
    report = check_seed("smith", seed, settings)
    problems = [f"[{finding.tier}] {finding.category}: {finding.detail}" for finding in report.findings]
    assert not problems, (
        "\n".join(problems) + f"\nreproduce: python -m fuzz differential --feature-set {feature_set}"
        f" --generators smith=1 --seed {seed} --fuel {SETTINGS.fuel} --jobs 1 --out fuzz-findings/"
    )


# --- the harness itself: a planted bug is found, written down and replayed ------------------------------------

ODD = """(module (func (export "odd") (param i32) (result i32) (i32.or (local.get 0) (i32.const 1))))"""


def _odd_module() -> bytes:
    from wasmrun.loader import to_binary  # the text format's encoder, for a tiny test module

    return to_binary(ODD.encode())


def test_a_planted_bug_is_found_recorded_and_replayed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    require_tools()
    wasm = _odd_module()
    assert not check_wasm(wasm, "odd", 1, SETTINGS).findings
    monkeypatch.setenv(PLANT, "compile")
    report = check_wasm(wasm, "odd", 1, SETTINGS)
    assert [(finding.tier, finding.category) for finding in report.findings] == [("compile", "result")]
    path = record.write(tmp_path, report.findings[0], wasm, minimised=False)
    spec = json.loads(path.read_text(encoding="utf-8"))
    assert spec["tiers"] == ["compile"] and spec["mismatch"]["category"] == "result"
    assert record.replay(path).findings
    monkeypatch.delenv(PLANT)
    assert not record.replay(path).findings


def test_shrinking_keeps_the_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    require_tools()
    from fuzz.shrink import shrink

    padded = ODD.replace("(module", "(module (memory 1) (global (mut i64) (i64.const 5)) (func $unused (nop))")
    from wasmrun.loader import to_binary

    monkeypatch.setenv(PLANT, "interp")  # inherited by the predicate's processes
    finding = check_wasm(to_binary(padded.encode()), "odd", 1, Settings(tiers=("interp",))).findings[0]
    shrunk = shrink(finding, attempts=10)
    assert shrunk is not None and len(shrunk) < len(finding.wasm)
    assert record.still_fails(record.describe(finding, "", False), shrunk)


def _observation(engine: str, *outcomes: str) -> Observation:
    observation = Observation(engine, verdict="valid", instantiation="ok")
    observation.calls = [Call("f", (), outcome=outcome, fuel=5 if outcome == "ok" else None) for outcome in outcomes]
    return observation


def test_a_different_depth_limit_is_a_filter_and_ends_the_comparison() -> None:
    reference = _observation("wasmtime", "ok", "trap: call-stack-exhausted", "ok")
    candidate = _observation("interp", "ok", "trap: out-of-fuel", "trap: unreachable")
    comparison = compare(reference, candidate)
    assert not comparison.mismatch and comparison.compared == 1 and comparison.filters


def test_outcomes_results_and_crashes_are_mismatches() -> None:
    reference = _observation("wasmtime", "ok", "trap: unreachable")
    assert compare(reference, _observation("compile", "ok", "ok")).category == "outcome: trap: unreachable vs ok"
    crashed = _observation("auto-osr", "ok", "crash: UnboundLocalError: cannot access local variable 't1'")
    assert compare(reference, crashed).category == "crash UnboundLocalError"


# --- exception handling: tags to import, exnref values, uncaught exceptions -----------------------------------

EXCEPTIONS = """
(module
  (import "a" "t" (table 3 10 exnref))
  (import "a" "tag" (tag $t (param i32 f32)))
  (import "a" "g" (global (mut exnref)))
  (import "a" "h" (func $h (param exnref) (result exnref)))
  (tag $d (export "d") (param i64 exnref))
  (global (export "G") (mut exnref) (ref.null exn))
  (table (export "T") 2 exnref)
  (func $caught (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (throw $t (i32.const 3) (f32.const nan:0x200000)))
      (unreachable)))
  (func (export "raise") (param i32) (throw $t (local.get 0) (f32.const nan:0x200000)))
  (func (export "wrap") (param exnref) (throw $d (i64.const 5) (call $caught)))
  (func (export "keep") (result exnref)
    (global.set 0 (call $caught))
    (table.set 1 (i32.const 1) (call $caught))
    (call $h (call $caught)))
  (func (export "null") (throw_ref (ref.null exn)))
)
"""


def test_exceptions_and_exnref_values_are_observed_alike() -> None:
    require_tools()
    from fuzz import adapter, run_wasmrun, run_wasmtime
    from fuzz.differential import _wasmtime_engine, wasmrun_verdict
    from fuzz.plan import make_plan
    from wasmrun.loader import to_binary

    settings = Settings(feature_set="wasm2-exceptions", fuel=30_000, guard_seconds=30.0)
    wasm = to_binary(EXCEPTIONS.encode())
    report = check_wasm(wasm, "exceptions", 1, settings)
    assert report.accepted and not report.findings and not report.filters, (report.findings, report.filters)
    assert report.traps["thrown-exception"] == 4 and report.traps["null-reference"] == 2

    engine = _wasmtime_engine("wasm2-exceptions")
    _, wasmtime_module = run_wasmtime.verdict(engine, wasm)
    _, module = wasmrun_verdict(wasm, None)
    assert module is not None and wasmtime_module is not None
    interface = adapter.interface_of(module)
    plan = make_plan(interface, 1, 30_000, 1)
    for observation in (
        run_wasmtime.run(engine, wasmtime_module, interface, plan, None),
        run_wasmrun.run(module, interface, plan, "interp", None),
    ):
        raised, wrapped, kept, null = observation.calls
        assert raised.outcome == "trap: thrown-exception" and raised.thrown.startswith("exn import #1 a::tag (0x")
        assert wrapped.thrown == "exn export d (0x5, exn import #1 a::tag (0x3, 0x7fa00000))"
        assert kept.host_calls == [("a::h", ("exn import #1 a::tag (0x3, 0x7fa00000)",))]
        assert kept.state["global import #2 a::g"] == "exnref exn import #1 a::tag (0x3, 0x7fa00000)"
        assert kept.state["global export G"] == "exnref null"
        assert kept.state["table export T"].startswith("size=2 nonnull=1 ")
        assert kept.state["table import #0 a::t"].startswith("size=3 nonnull=0 ")
        assert null.outcome == "trap: null-reference"


def test_a_different_exception_is_a_mismatch() -> None:
    reference = _observation("wasmtime", "trap: thrown-exception")
    candidate = _observation("interp", "trap: thrown-exception")
    reference.calls[0].thrown, candidate.calls[0].thrown = "exn export t (0x1)", "exn export t (0x2)"
    assert compare(reference, candidate).category == "thrown exception"


# --- fuel at instantiation ------------------------------------------------------------------------------------

START = """
(module
  (import "" "h" (func $h))
  INIT
  (func $f (export "f") (call $h) (call $f))
  (func $s (call $f))
  (start $s))
"""
INITS = {
    "nothing": "",
    "image": '(import "" "m" (memory 1)) (memory $own 2) (data (memory $own) (i32.const 70000) "ab")',
    "imported-memory": '(import "" "m" (memory 1)) (data (i32.const 7) "ab")',
    "imported-table": '(import "" "t" (table 2 funcref)) (elem (i32.const 1) $f) (global i64 (i64.const 5))',
    "segment-out-of-bounds": '(import "" "m" (memory 1)) (data (i32.const 65535) "ab")',
}


@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("fuel", range(2, 15))
def test_the_start_function_runs_on_the_same_budget(init: str, fuel: int) -> None:
    """Wasmtime charges for initialising (a copy of the memory image when a memory is imported) and for the
    start function's wrapper: the start function runs out of fuel after as many host calls in every engine."""
    require_tools()
    from wasmrun.loader import to_binary

    settings = Settings(feature_set="wasm2-memory", tiers=("interp",), fuel=fuel, rounds=0, guard_seconds=30.0)
    report = check_wasm(to_binary(START.replace("INIT", INITS[init]).encode()), "start", 1, settings)
    assert report.accepted and not report.findings, [finding.detail for finding in report.findings]
    assert not report.filters, report.filters
