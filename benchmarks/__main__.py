"""Run the benchmark suite: ``python -m benchmarks [--json] [--repeat N] [--wasmtime] [NAME ...]``.

Each program is a bare module (``programs/NAME.wasm``, built from ``NAME.c`` by the
Makefile) exporting ``bench(n)``, and the same algorithm written directly in Python
(``python/NAME.py``).  For each, the runner times

* Python: ``bench(n)``, the median of ``--repeat`` runs;
* wasmrun: loading (decode, validate, instantiate; median of ``--repeat`` loads), the
  first call (which pays for any lazy translation) and the median of ``--repeat``
  further calls on the same instance;
* with ``--wasmtime``, wasmtime-py (native code) as a reference,

checks that every result equals the expected one, and prints the ratio of wasmrun's
run time to Python's (lower is better).  The input sizes are fixed here so that runs
compare; they keep a whole run under a minute even with an engine 30x slower than
Python.  Without a working engine the Python versions still run and the table says
why wasmrun is missing.  Exit status 1 when any result is wrong.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROGRAMS = Path(__file__).parent / "programs"


@dataclass(frozen=True)
class Benchmark:
    name: str
    n: int
    expected: int  # bench(n) as an unsigned 32-bit integer (checked with wasmtime-py and Python)
    about: str


SUITE = (
    Benchmark("fib", 25, 75025, "recursive Fibonacci: calls, compares, adds"),
    Benchmark("sieve", 100_000, 9592, "sieve of Eratosthenes: byte loads and stores in loops"),
    Benchmark("fnv1a", 50_000, 2156892844, "LCG fill + byte-wise FNV-1a: wrapping i32 multiplies over memory"),
    Benchmark("mandelbrot", 64, 1048, "Mandelbrot set, 50 iterations: f64 arithmetic and compares"),
)


@dataclass
class Result:
    name: str
    n: int
    about: str
    python_s: float | None = None
    wasmrun_load_s: float | None = None
    wasmrun_first_s: float | None = None
    wasmrun_run_s: float | None = None
    wasmtime_run_s: float | None = None
    ratio: float | None = None  # wasmrun run / Python
    checks: dict[str, bool] = field(default_factory=dict)  # runner -> result as expected
    errors: dict[str, str] = field(default_factory=dict)  # runner -> why it did not run


def median_time(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def as_u32(value: Any) -> int:
    if isinstance(value, (list, tuple)):  # an API may return results as a sequence
        (value,) = value
    return int(value) & 0xFFFFFFFF


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".splitlines()[0][:200]


def wasmrun_api() -> tuple[Any, str | None]:
    """The wasmrun module if its embedding API is usable, else None and why not."""
    try:
        import wasmrun

        for name in ("Store", "Module", "Linker"):
            getattr(wasmrun, name)
    except Exception as error:
        return None, describe(error)
    return wasmrun, None


def run_python(benchmark: Benchmark, result: Result, repeat: int) -> None:
    bench = importlib.import_module(f"benchmarks.python.{benchmark.name}").bench
    result.python_s, value = median_time(lambda: bench(benchmark.n), repeat)
    result.checks["python"] = as_u32(value) == benchmark.expected


def run_wasmrun(wasmrun: Any, benchmark: Benchmark, result: Result, repeat: int) -> None:
    path = PROGRAMS / f"{benchmark.name}.wasm"
    stores: list[Any] = []

    def load() -> Any:
        store = wasmrun.Store()
        stores.append(store)
        module = wasmrun.Module.from_file(path)
        return wasmrun.Linker(store).instantiate(module)

    try:
        result.wasmrun_load_s, instance = median_time(load, repeat)
        bench = instance.exports["bench"]
        result.wasmrun_first_s, value = median_time(lambda: bench(benchmark.n), 1)
        result.checks["wasmrun"] = as_u32(value) == benchmark.expected
        result.wasmrun_run_s, value = median_time(lambda: bench(benchmark.n), repeat)
        result.checks["wasmrun"] = result.checks["wasmrun"] and as_u32(value) == benchmark.expected
    except Exception as error:
        result.errors["wasmrun"] = describe(error)
    finally:
        for store in stores:
            close = getattr(store, "close", None)
            if close is not None:
                close()


def run_wasmtime(benchmark: Benchmark, result: Result, repeat: int) -> None:
    try:
        import wasmtime
    except ImportError as error:
        result.errors["wasmtime"] = describe(error)
        return
    store = wasmtime.Store()
    module = wasmtime.Module.from_file(store.engine, str(PROGRAMS / f"{benchmark.name}.wasm"))
    bench: Any = wasmtime.Instance(store, module, []).exports(store)["bench"]
    result.wasmtime_run_s, value = median_time(lambda: bench(store, benchmark.n), repeat)
    result.checks["wasmtime"] = as_u32(value) == benchmark.expected


def milliseconds(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def print_table(results: list[Result], engine_error: str | None, repeat: int, with_wasmtime: bool) -> None:
    columns = ["benchmark", "n", "python ms", "load ms", "first ms", "run ms", "run/python"]
    if with_wasmtime:
        columns.append("wasmtime ms")
    columns.append("results")
    rows = []
    for r in results:
        row = [
            r.name,
            str(r.n),
            milliseconds(r.python_s),
            milliseconds(r.wasmrun_load_s),
            milliseconds(r.wasmrun_first_s),
            milliseconds(r.wasmrun_run_s),
            "-" if r.ratio is None else f"{r.ratio:.2f}x",
        ]
        if with_wasmtime:
            row.append("-" if r.wasmtime_run_s is None else f"{r.wasmtime_run_s * 1000:.2f}")
        wrong = [runner for runner, ok in r.checks.items() if not ok]
        row.append(("WRONG: " + ", ".join(wrong)) if wrong else "ok")
        rows.append(row)
    widths = [max(len(column), *(len(row[i]) for row in rows)) for i, column in enumerate(columns)]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(cells, widths)))

    print(f"wasmrun benchmarks (median of {repeat}; 'first' is the first call on a fresh instance)")
    print(line(columns))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))
    if engine_error is not None:
        print(f"\nwasmrun engine unavailable: {engine_error}")
    for r in results:
        for runner, error in r.errors.items():
            print(f"{r.name}: {runner} failed: {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--wasmtime", action="store_true", help="also time wasmtime-py as a reference")
    parser.add_argument("--no-engine", action="store_true", help="run the Python versions only")
    options = parser.parse_args(argv)
    known = {benchmark.name: benchmark for benchmark in SUITE}
    unknown = [name for name in options.names if name not in known]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)} (known: {', '.join(known)})")
    if options.repeat < 1:
        parser.error("--repeat must be at least 1")
    selected = [known[name] for name in options.names] or list(SUITE)

    engine_error: str | None
    if options.no_engine:
        wasmrun, engine_error = None, "not requested (--no-engine)"
    else:
        wasmrun, engine_error = wasmrun_api()
    results = []
    for benchmark in selected:
        result = Result(benchmark.name, benchmark.n, benchmark.about)
        run_python(benchmark, result, options.repeat)
        if wasmrun is not None:
            run_wasmrun(wasmrun, benchmark, result, options.repeat)
        if options.wasmtime:
            run_wasmtime(benchmark, result, options.repeat)
        if result.wasmrun_run_s is not None and result.python_s:
            result.ratio = result.wasmrun_run_s / result.python_s
        results.append(result)

    if options.json:
        report = {
            "repeat": options.repeat,
            "python": sys.version.split()[0],
            "engine_error": engine_error,
            "results": [vars(result) for result in results],
        }
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print_table(results, engine_error, options.repeat, options.wasmtime)
    return 1 if any(not ok for result in results for ok in result.checks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
