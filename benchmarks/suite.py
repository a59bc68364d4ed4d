"""The benchmark programs and their fixed input sizes (shared by the runner and the tests).

Each program is ``programs/NAME.c`` (or ``NAME.wat`` for what C compilers here cannot write:
exceptions, tail calls, GC structs), its prebuilt ``programs/NAME.wasm`` and the same
algorithm in Python, ``python/NAME.py``'s ``bench(n)``.  A bare module exports
``bench(n)`` and imports nothing; a WASI command (``wasi=True``) takes n as ``argv[1]``
and prints ``result <u32>``.  ``n`` is the size wasmrun, Wasmtime and Python run;
``pywasm_n`` the much smaller one pywasm runs (engines are compared per executed wasm
instruction, so the sizes need not match); ``expected`` the result at ``n``.
``purpose`` says what a program measures: ``"run"`` (an algorithm: steady-state
speed), ``"startup"`` (a large module whose run is dominated by translating its
functions once) or ``"component"`` (a WASI command and the same module adapted to a
WASI 0.2 component, which measure the component runtime's and the adapter's overhead
as the ratio of the two); the report gives a geometric mean over the run-phase
programs apart from the one over all.

A component (``component_of`` names its core twin, another program of the suite) is
``programs/NAME.wasm`` made from the twin's module by ``wasm-tools component new``
with the WASI preview1 command adapter; it is run as ``wasmtime run`` runs it (its
``wasi:cli/run``), with the twin's argv, and computes the twin's result (its Python
version is the twin's).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

PROGRAMS = Path(__file__).parent / "programs"
Purpose = Literal["run", "startup", "component"]


@dataclass(frozen=True)
class Benchmark:
    name: str
    n: int
    pywasm_n: int
    expected: int  # the result at n as an unsigned 32-bit integer (checked with Wasmtime and Python)
    about: str
    wasi: bool = False
    purpose: Purpose = "run"  # "run": an algorithm (steady-state speed); "startup": dominated by one-time translation
    component_of: str | None = None  # a component: the name of the core WASI command it adapts
    gc: bool = False  # it uses WebAssembly 3.0 GC (Wasmtime runs it with wasm_gc; pywasm cannot)

    @property
    def component(self) -> bool:
        """Whether the program is a component (a WASI 0.2 command), not a core module."""
        return self.component_of is not None

    @property
    def path(self) -> Path:
        return PROGRAMS / f"{self.name}.wasm"

    def python_bench(self) -> Callable[[int], int]:
        module = f"benchmarks.python.{self.component_of or self.name}"
        bench: Callable[[int], int] = importlib.import_module(module).bench
        return bench

    @property
    def run_phase(self) -> bool:
        """Whether the program measures run-phase speed (not start-up cost)."""
        return self.purpose == "run"

    def command_args(self, n: int) -> list[str]:
        """The argv of a WASI command run with size ``n``."""
        return [self.name, str(n)]


SUITE = (
    Benchmark("fib", 27, 18, 196418, "recursive Fibonacci: calls, compares, adds"),
    Benchmark("sieve", 200_000, 5_000, 17984, "sieve of Eratosthenes: byte loads and stores in loops"),
    Benchmark("fnv1a", 200_000, 10_000, 2456692862, "LCG fill + byte-wise FNV-1a: wrapping i32 multiplies over memory"),
    Benchmark("mandelbrot", 96, 16, 2379, "Mandelbrot set, 50 iterations: f64 arithmetic and compares"),
    Benchmark("matmul", 80, 20, 3617366460, "n x n integer matrix multiply: i32 loads and multiply-adds"),
    Benchmark("nbody", 5_000, 100, 4125947296, "5-body simulation, n steps: f64 loads, stores, divides, sqrt"),
    Benchmark("binarytrees", 10, 6, 1524746800, "allocate, walk, free binary trees; a small malloc of its own"),
    Benchmark("coremark_style", 100, 3, 62952, "CoreMark-style: linked-list sort, matrix, state machine, CRC-16"),
    # WebAssembly 3.0 control flow, each beside the same algorithm without it (text sources: programs/*.wat).
    Benchmark(
        "exceptions", 100_000, 2_000, 686433828, "exceptions as control flow: throw in a callee, try_table in a loop"
    ),
    Benchmark("exceptions_plain", 100_000, 2_000, 686433828, "exceptions' algorithm with an error code instead"),
    Benchmark("tail_calls", 20_000, 500, 1834634, "Collatz step counts: two functions tail-calling each other"),
    Benchmark("tail_calls_plain", 20_000, 500, 1834634, "tail_calls' algorithm with a loop instead"),
    Benchmark(
        "gc_binarytrees",
        10,
        6,
        1524746800,
        "binarytrees with GC structs: allocation by struct.new, reads by struct.get",
        gc=True,
    ),
    Benchmark(
        "large",
        50,
        1,
        1975927911,
        "1 MB WASI command: printf, sscanf, strtod, qsort, strftime, 3000 functions",
        True,
        purpose="startup",
    ),
    # A WASI command of >= 10^8 instructions and the same module as a WASI 0.2 component (the preview1
    # adapter's and the component runtime's overhead: the report gives the ratio of their run times).
    Benchmark(
        "wasi_sieve",
        200_000,
        1_000,
        3667975598,
        "WASI command: 12 sieves of Eratosthenes below n, n-1, ..., hashed; printf of the result",
        True,
        purpose="component",
    ),
    Benchmark(
        "wasi_sieve_component",
        200_000,
        1_000,
        3667975598,
        "wasi_sieve adapted to a WASI 0.2 component (the preview1 command adapter), run by wasi:cli/run",
        True,
        purpose="component",
        component_of="wasi_sieve",
    ),
)

BY_NAME = {benchmark.name: benchmark for benchmark in SUITE}
