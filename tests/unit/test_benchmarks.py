"""The benchmark programs: each wasm build computes what its Python version computes (at a tiny n).

Bare modules run under every wasmrun tier; the large WASI command (a 1 MB load) under the
default tier only, to keep this file fast.  A component (``wasi_sieve_component``) runs under
every tier too, through the runner's component path, and under Wasmtime when wasmtime-py is
installed; it is checked to be its core twin adapted.  Nothing here is timed.
"""

from __future__ import annotations

from dataclasses import replace
from unittest.mock import patch

import pytest

from benchmarks.__main__ import WASMRUN_TIERS, Unavailable, WasmrunEngine, make_wasmrun_store
from benchmarks.suite import BY_NAME, SUITE, Benchmark

TINY = {
    "fib": 12,
    "sieve": 1_000,
    "fnv1a": 1_000,
    "mandelbrot": 8,
    "matmul": 7,
    "nbody": 20,
    "binarytrees": 5,
    "coremark_style": 1,
    "exceptions": 50,
    "exceptions_plain": 50,
    "tail_calls": 30,
    "tail_calls_plain": 30,
    "gc_binarytrees": 5,
    "large": 2,
    "wasi_sieve": 300,
    "wasi_sieve_component": 300,
}
COMPONENTS = [benchmark for benchmark in SUITE if benchmark.component]


def available_tier(tier: str) -> str:
    try:
        make_wasmrun_store(tier).close()
    except Unavailable as reason:
        pytest.skip(f"wasmrun tier {tier}: {reason}")
    return tier


def default_tier() -> str:
    """wasmrun's default tier: auto where it has tiers, else its one engine."""
    for tier in ("auto", "interp"):
        try:
            make_wasmrun_store(tier).close()
        except Unavailable:
            continue
        return tier
    pytest.skip("wasmrun has no usable engine")


def run_wasm(name: str, tier: str, n: int) -> int:
    benchmark = BY_NAME[name]
    try:
        loaded, _ = WasmrunEngine(tier).load(benchmark, benchmark.path.read_bytes(), n)
    except Unavailable as reason:
        pytest.skip(str(reason))
    try:
        return loaded.call(n)
    finally:
        loaded.close()


def test_every_program_has_a_tiny_size() -> None:
    assert set(TINY) == set(BY_NAME)


@pytest.mark.parametrize("tier", WASMRUN_TIERS)
@pytest.mark.parametrize("name", [benchmark.name for benchmark in SUITE if not benchmark.wasi])
def test_bare_module_agrees_with_python(name: str, tier: str) -> None:
    n = TINY[name]
    assert run_wasm(name, available_tier(tier), n) == BY_NAME[name].python_bench()(n) & 0xFFFFFFFF


@pytest.mark.parametrize("tier", ["interp+fuel", "compile+fuel"])
def test_a_tier_metering_fuel_agrees_with_python(tier: str) -> None:
    """``<tier>+fuel`` (the cost of ``--fuel``): the same results, the fuel counted."""
    store = make_wasmrun_store(available_tier(tier))
    store.close()
    assert store.executor.fuel_meter is not None
    assert run_wasm("fib", tier, TINY["fib"]) == BY_NAME["fib"].python_bench()(TINY["fib"])


@pytest.mark.parametrize("name", [benchmark.name for benchmark in SUITE if benchmark.wasi])
def test_wasi_command_agrees_with_python(name: str) -> None:
    n = TINY[name]
    assert run_wasm(name, default_tier(), n) == BY_NAME[name].python_bench()(n)


@pytest.mark.parametrize("tier", WASMRUN_TIERS)
@pytest.mark.parametrize("name", [benchmark.name for benchmark in COMPONENTS])
def test_component_agrees_with_python_in_every_tier(name: str, tier: str) -> None:
    n = TINY[name]
    assert run_wasm(name, available_tier(tier), n) == BY_NAME[name].python_bench()(n) & 0xFFFFFFFF


@pytest.mark.parametrize("name", [benchmark.name for benchmark in COMPONENTS])
def test_component_is_its_core_twin_adapted(name: str) -> None:
    """The pair measures the adapter's overhead only if it runs the same program at the same sizes:
    the component embeds the twin's module byte for byte, and the suite gives both the same n,
    pywasm n, expected result, Python version and purpose (out of the run-phase geomean)."""
    from wasmrun.component.decoder import decode_component
    from wasmrun.component.records import CoreModule

    component = BY_NAME[name]
    assert component.component_of is not None
    core = BY_NAME[component.component_of]
    assert core.wasi and component.wasi and not core.component
    assert (core.n, core.pywasm_n, core.expected) == (component.n, component.pywasm_n, component.expected)
    assert component.python_bench() is core.python_bench()
    assert core.purpose == component.purpose == "component"
    assert not core.run_phase and not component.run_phase
    data = component.path.read_bytes()
    assert data.startswith(b"\0asm\x0d\x00\x01\x00")
    embedded = [d.data for d in decode_component(data).definitions if isinstance(d, CoreModule)]
    assert core.path.read_bytes() in embedded


@pytest.mark.parametrize("name", [benchmark.name for benchmark in COMPONENTS])
def test_component_under_wasmtime_and_pywasm(name: str) -> None:
    """Wasmtime runs the component (wasmtime-py's WASI 0.2) and counts its instructions, more than its
    twin's (the adapter's code); pywasm is unavailable for it, not failing."""
    from benchmarks.__main__ import PywasmEngine, WasmtimeEngine

    component = BY_NAME[name]
    core = BY_NAME[str(component.component_of)]
    n = TINY[name]
    try:
        counter = WasmtimeEngine(fuel=True)
    except Unavailable as reason:
        pytest.skip(str(reason))
    loaded, phases = counter.load(component, component.path.read_bytes(), n)
    try:
        assert loaded.call(n) == component.python_bench()(n)
    finally:
        loaded.close()
    assert set(phases) == {"compile", "instantiate"}
    instructions = counter.count(component, component.path.read_bytes(), n)
    assert instructions > counter.count(core, core.path.read_bytes(), n) > 0
    try:
        pywasm = PywasmEngine()
    except Unavailable:
        return
    with pytest.raises(Unavailable, match="not components"):
        pywasm.load(component, component.path.read_bytes(), n)


def test_component_ratios_pair_each_component_with_its_twin() -> None:
    """The report's component / core line: run times per engine and instruction counts, from the pair."""
    from benchmarks.__main__ import ProgramResult, Timing, component_ratios, report_text

    def result(name: str, run: float, instructions: int) -> ProgramResult:
        benchmark = BY_NAME[name]
        engines = {"interp": Timing(benchmark.n, runs=[run]), "wasmtime": Timing(benchmark.n, unavailable="no")}
        python = Timing(benchmark.n, runs=[1.0], values=[benchmark.expected])
        return ProgramResult(benchmark, python, 0, engines=engines, instructions={benchmark.n: instructions})

    component = COMPONENTS[0]
    results = [result(str(component.component_of), 2.0, 100), result(component.name, 2.5, 125)]
    ratios = component_ratios(results, ["interp", "wasmtime"])
    assert ratios == {component.name: {"instructions": 1.25, "interp": 1.25, "wasmtime": None}}
    assert component_ratios(results[1:], ["interp"]) == {}  # no twin, no ratio
    text = report_text(results, ["interp"], ["wasmtime"], [], 1)
    assert "Components against their core modules" in text
    assert f"{component.name}  {component.component_of}" in text


def test_a_component_and_its_twin_are_sampled_alternately() -> None:
    """``run_all`` measures a component beside its selected core twin, one sample of each in turn (the
    order swapped every round), and gives the results in the order selected; alone, a component is
    measured as any program.  A stand-in engine records the order (nothing real is run or timed)."""
    from benchmarks.__main__ import Loaded, run_all

    component = COMPONENTS[0]
    core = BY_NAME[str(component.component_of)]
    loads: list[str] = []

    class Recorder:
        name = "interp"

        def load(self, benchmark: Benchmark, data: bytes, n: int) -> tuple[Loaded, dict[str, float]]:
            loads.append(benchmark.name)
            return Loaded(lambda _: benchmark.python_bench()(n)), {"decode": 0.0}

    n = TINY[core.name]
    small = replace(core, n=n, expected=core.python_bench()(n))  # (Python runs its real bench at n)
    small_component = replace(component, n=n, expected=small.expected)
    selection = [small_component, BY_NAME["fib"], small]
    with patch.dict("benchmarks.__main__.BY_NAME", {core.name: small, component.name: small_component}):
        results = run_all(selection, [Recorder()], None, 3)  # type: ignore[list-item]
    assert [r.benchmark.name for r in results] == [component.name, "fib", core.name]
    assert loads[:6] == [core.name, component.name, component.name, core.name, core.name, component.name]
    assert loads[6:] == ["fib"] * 3
    assert [len(r.engines["interp"].runs) for r in results] == [3, 3, 3]
    assert not any(r.problems for r in results)
    loads.clear()
    run_all([small_component], [Recorder()], None, 2)  # type: ignore[list-item]
    assert loads == [component.name] * 2


def test_the_run_phase_geomean_leaves_out_start_up_programs() -> None:
    """A start-up program (``large``) counts in the geomean over all programs, not the run-phase one."""
    from benchmarks.__main__ import ProgramResult, Timing, geomeans

    def result(name: str, python: float, interp: float) -> ProgramResult:
        benchmark = BY_NAME[name]
        timing = Timing(benchmark.n, runs=[interp])
        return ProgramResult(benchmark, Timing(benchmark.n, runs=[python]), 0, engines={"interp": timing})

    results = [result("fib", 1.0, 2.0), result("sieve", 1.0, 8.0), result("large", 1.0, 500.0)]
    assert not BY_NAME["large"].run_phase
    assert geomeans([r for r in results if r.benchmark.run_phase], ["interp"], []) == {"interp/python": 4.0}
    assert geomeans(results, ["interp"], [])["interp/python"] == pytest.approx(20.0)


def test_baseline_geomeans_are_over_the_programs_both_trees_ran() -> None:
    """A program the baseline lacks (a newer benchmark) must not tilt this tree's mean."""
    from benchmarks.baseline import _report

    medians = {
        "this": {"a": {"auto/python": 2.0, "compile/python": 2.0}, "new": {"auto/python": 100.0}},
        "baseline": {"a": {"auto/python": 2.0, "compile/python": 4.0}},
    }
    text = _report(medians, {"a": True, "new": True}, [])
    assert "geomean auto/python, run-phase programs of both trees: this 2.000x, baseline 2.000x" in text
    assert "this/baseline 0.500x" in text


WAT_PROGRAMS = sorted(path.stem for path in (BY_NAME["fib"].path.parent).glob("*.wat"))


@pytest.mark.parametrize("name", WAT_PROGRAMS)
def test_a_text_program_is_committed_as_its_encoding(name: str) -> None:
    from wasmrun.loader import to_binary

    source = BY_NAME[name].path.with_suffix(".wat")
    assert to_binary(source.read_bytes()) == BY_NAME[name].path.read_bytes()


def test_a_gc_program_runs_under_wasmtime_with_gc_and_not_under_pywasm() -> None:
    """Wasmtime counts the same instructions in gc_binarytrees as it runs (wasm_gc on for it alone)."""
    from benchmarks.__main__ import PywasmEngine, WasmtimeEngine

    benchmark = BY_NAME["gc_binarytrees"]
    n = TINY["gc_binarytrees"]
    data = benchmark.path.read_bytes()
    try:
        counter = WasmtimeEngine(fuel=True)
    except Unavailable as reason:
        pytest.skip(str(reason))
    loaded, _phases = counter.load(benchmark, data, n)
    try:
        assert loaded.call(n) == benchmark.python_bench()(n)
    finally:
        loaded.close()
    assert counter.count(benchmark, data, n) > 0
    try:
        pywasm = PywasmEngine()
    except Unavailable:
        return
    with pytest.raises(Unavailable, match="GC"):
        pywasm.load(benchmark, data, n)
