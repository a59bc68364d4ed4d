"""``python -m benchmarks --baseline DIR``: this tree against another checkout, measured alternately in one run.

Each round runs each selected section once for each tree (``--repeat 1``), in a subprocess whose
``wasmrun`` is that tree's (``WASMRUN_BENCHMARK_TREE`` puts it first on ``sys.path``, and the programs
section puts it first on the ``PYTHONPATH`` of the ``wasmrun run`` it starts; the runner and the
programs are this tree's, so both trees run the same code on the same inputs).  The trees alternate,
and which goes first alternates from round to round, so drift in the machine's speed falls on both.

The suite: each tree's figure for a program is the median over rounds of its ``tier/python`` ratio
(each round times Python too); the report gives the run-phase geomeans of ``auto/python`` and
``compile/python`` for both trees and their ratio (this tree over the baseline: below 1 is faster).

The programs (``--section programs``, by default in the ``auto`` tier alone, or ``--engine``'s
wasmrun tiers): each tree's median over rounds of each figure (start-up cold and warm, ns per
instruction of the job cold and warm, the job's peak RSS), their ratio, and for each tier the geomean
over the programs of this tree's ns per instruction over the baseline's (the instruction counts are
the same for both trees: Wasmtime's, of the same modules and inputs).
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.tables import table

HERE = Path(__file__).resolve().parent.parent
RATIOS = ("auto/python", "compile/python")
TIER_ENGINES = "python,auto,compile"
PROGRAM_ENGINES = "auto"  # the CLI's default tier (cc1 takes minutes per tier and tree)
# The programs section's figures compared, and how the report names them.
PROGRAM_FIGURES = {
    "startup_cold_s": "start-up cold (s)",
    "startup_warm_s": "start-up warm (s)",
    "ns_per_instruction_cold": "ns/i, job cold",
    "ns_per_instruction_warm": "ns/i, job warm",
    "job_peak_rss_bytes": "peak RSS, job (MB)",
}


def run_tree(tree: Path, names: list[str], section: str = "suite", engines: str = TIER_ENGINES) -> dict[str, Any]:
    """One run of ``section`` (one sample per measurement) with ``tree``'s wasmrun."""
    environment = dict(os.environ, WASMRUN_BENCHMARK_TREE=str(tree))
    command = [sys.executable, "-m", "benchmarks", "--json", "--repeat", "1", "--section", section,
               "--engine", engines, *names]  # fmt: skip
    finished = subprocess.run(command, cwd=HERE, env=environment, capture_output=True, text=True, check=False)
    if not finished.stdout.strip():
        raise RuntimeError(f"the benchmarks failed with {tree}: {finished.stderr.strip()[-500:]}")
    report: dict[str, Any] = json.loads(finished.stdout)
    return report


def _geomean(values: list[float]) -> float | None:
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def compare(baseline: Path, sections: dict[str, list[str]], repeat: int, engines: list[str] | None = None) -> str:
    """Both trees, ``repeat`` alternating rounds of each section in ``sections`` (a section's names: its
    programs to run, none for all); ``engines``, ``--engine``'s, chooses the programs section's tiers."""
    trees = {"this": HERE, "baseline": baseline.resolve()}
    program_engines = _program_engines(engines)
    suite = _SuiteSamples()
    programs = _ProgramSamples()
    for round_number in range(repeat):
        order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
        for label in order:
            print(f"round {round_number + 1}/{repeat}: {label} ({trees[label]})", file=sys.stderr, flush=True)
            if "suite" in sections:
                suite.add(label, run_tree(trees[label], sections["suite"]))
            if "programs" in sections:
                programs.add(label, run_tree(trees[label], sections["programs"], "programs", program_engines))
    parts = [f"this tree ({HERE}) against the baseline ({baseline}): median of {repeat} alternating rounds"]
    if "suite" in sections:
        parts.append(_report(suite.medians(), suite.run_phase, suite.failures))
    if "programs" in sections:
        parts.append(_programs_report(programs))
    return "\n\n".join(parts)


def _program_engines(engines: list[str] | None) -> str:
    """The wasmrun tiers among ``--engine``'s (default: auto) for the programs section, comma-separated."""
    names = [name for item in engines or [] for name in item.split(",")]
    tiers = [name for name in names if name.partition("+")[0] in ("interp", "compile", "auto")]
    return ",".join(tiers) or PROGRAM_ENGINES


class _SuiteSamples:
    """The suite's ``tier/python`` ratios, per tree and program, over the rounds."""

    def __init__(self) -> None:
        self.samples: dict[str, dict[str, dict[str, list[float]]]] = {"this": {}, "baseline": {}}
        self.run_phase: dict[str, bool] = {}
        self.failures: list[str] = []

    def add(self, label: str, report: dict[str, Any]) -> None:
        for program in report["programs"]:
            self.run_phase[program["name"]] = program.get("purpose", "run") == "run"
            if program["problems"]:
                self.failures += [f"{label}: {program['name']}: {problem}" for problem in program["problems"]]
            for ratio in RATIOS:
                value = program["ratios"].get(ratio)
                if value is not None:
                    self.samples[label].setdefault(program["name"], {}).setdefault(ratio, []).append(value)

    def medians(self) -> dict[str, dict[str, dict[str, float]]]:
        return {
            label: {
                program: {ratio: statistics.median(values) for ratio, values in by_ratio.items()}
                for program, by_ratio in programs.items()
            }
            for label, programs in self.samples.items()
        }


class _ProgramSamples:
    """The programs section's figures, per tree, program and engine, over the rounds."""

    def __init__(self) -> None:
        # label -> (program, engine) -> figure -> samples
        self.samples: dict[str, dict[tuple[str, str], dict[str, list[float]]]] = {"this": {}, "baseline": {}}
        self.failures: list[str] = []
        self.skipped: dict[str, str] = {}

    def add(self, label: str, report: dict[str, Any]) -> None:
        for program in report.get("real_programs", {}).get("programs", []):
            if program["skipped"]:
                self.skipped[program["name"]] = program["skipped"]
            self.failures += [f"{label}: {program['name']}: {problem}" for problem in program["problems"]]
            for engine, figures in program["engines"].items():
                by_figure = self.samples[label].setdefault((program["name"], engine), {})
                for figure in PROGRAM_FIGURES:
                    if figures.get(figure) is not None:
                        by_figure.setdefault(figure, []).append(figures[figure])

    def median(self, label: str, key: tuple[str, str], figure: str) -> float | None:
        values = self.samples[label].get(key, {}).get(figure)
        return statistics.median(values) if values else None


def _report(medians: dict[str, dict[str, dict[str, float]]], run_phase: dict[str, bool], failures: list[str]) -> str:
    lines = [
        f"{'program':<16}" + "".join(f"{'this ' + r:>22}{'baseline ' + r:>26}{'ratio':>8}" for r in RATIOS),
    ]
    for program in medians["this"]:
        cells = []
        for ratio in RATIOS:
            new = medians["this"][program].get(ratio)
            old = medians["baseline"].get(program, {}).get(ratio)
            cells.append(f"{_x(new):>22}{_x(old):>26}{_x(new / old if new and old else None):>8}")
        lines.append(f"{program:<16}" + "".join(cells))
    lines.append("")
    for ratio in RATIOS:
        # Over the programs both trees ran (a program one tree lacks would tilt one mean only).
        both = [
            p
            for p, m in medians["this"].items()
            if run_phase.get(p) and ratio in m and ratio in medians["baseline"].get(p, {})
        ]
        new_mean = _geomean([medians["this"][p][ratio] for p in both])
        old_mean = _geomean([medians["baseline"][p][ratio] for p in both])
        change = new_mean / old_mean if new_mean and old_mean else None
        lines.append(
            f"geomean {ratio}, run-phase programs of both trees: this {_x(new_mean)}, baseline {_x(old_mean)}, "
            f"this/baseline {_x(change)}"
        )
    if failures:
        lines += ["", "FAILURES:", *failures]
    return "\n".join(lines)


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}x"


def _programs_report(programs: _ProgramSamples) -> str:
    """Each figure of each program and engine in both trees and their ratio; per engine, geomeans of the ratios."""
    rows = []
    ratios: dict[tuple[str, str], list[float]] = {}  # (engine, figure) -> this/baseline, over the programs
    for key in programs.samples["this"]:
        for figure, name in PROGRAM_FIGURES.items():
            new, old = programs.median("this", key, figure), programs.median("baseline", key, figure)
            if new is None and old is None:
                continue
            ratio = new / old if new and old else None
            if ratio is not None:
                ratios.setdefault((key[1], figure), []).append(ratio)
            scale = 1e-6 if figure.endswith("_bytes") else 1.0
            rows.append([*key, name, _figure(new, scale), _figure(old, scale), _x(ratio)])
    lines = ["Real programs, this tree and the baseline (medians; this/baseline below 1 is better):"]
    lines.append(table(["program", "engine", "figure", "this", "baseline", "this/baseline"], rows, (0, 1, 2)))
    lines.append("")
    for (engine, figure), values in ratios.items():
        mean = _geomean(values)
        speed = (
            f" (speed-up per instruction {1 / mean:.2f}x)" if mean and figure.startswith("ns_per_instruction") else ""
        )
        lines.append(f"geomean this/baseline, {engine}, {PROGRAM_FIGURES[figure]}, over {len(values)} programs: "
                     f"{_x(mean)}{speed}")  # fmt: skip
    lines += [f"{name}: skipped: {reason}" for name, reason in programs.skipped.items()]
    if programs.failures:
        lines += ["", "FAILURES:", *programs.failures]
    return "\n".join(lines)


def _figure(value: float | None, scale: float) -> str:
    if value is None:
        return "-"
    value *= scale
    return f"{value:.3f}" if value < 10 else f"{value:,.1f}"
