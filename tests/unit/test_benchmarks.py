"""The benchmark programs: each wasm build computes what its Python version computes (at a tiny n).

Bare modules run under every wasmrun tier; the large WASI command (a 1 MB load) under the
default tier only, to keep this file fast.
"""

from __future__ import annotations

import pytest

from benchmarks.__main__ import WASMRUN_TIERS, Unavailable, WasmrunEngine, make_wasmrun_store
from benchmarks.suite import BY_NAME, SUITE

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
    "large": 2,
}


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
