"""``python -m benchmarks --baseline DIR``: this tree against another checkout, measured alternately in one run.

Each round runs the suite once for each tree (``--repeat 1``), in a subprocess whose ``wasmrun`` is that
tree's (``WASMRUN_BENCHMARK_TREE`` puts it first on ``sys.path``; the runner and the programs are this
tree's, so both trees run the same code on the same inputs).  The trees alternate, and which goes first
alternates from round to round, so drift in the machine's speed falls on both.  Each tree's figure for
a program is the median over rounds of its ``tier/python`` ratio (each round times Python too); the
report gives the run-phase geomeans of ``auto/python`` and ``compile/python`` for both trees and their
ratio (this tree over the baseline: below 1 is faster).
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

HERE = Path(__file__).resolve().parent.parent
RATIOS = ("auto/python", "compile/python")
TIER_ENGINES = "python,auto,compile"


def run_tree(tree: Path, names: list[str]) -> dict[str, Any]:
    """One run of the suite (one sample per measurement) with ``tree``'s wasmrun."""
    environment = dict(os.environ, WASMRUN_BENCHMARK_TREE=str(tree))
    command = [sys.executable, "-m", "benchmarks", "--json", "--repeat", "1", "--engine", TIER_ENGINES, *names]
    finished = subprocess.run(command, cwd=HERE, env=environment, capture_output=True, text=True, check=False)
    if not finished.stdout.strip():
        raise RuntimeError(f"the benchmarks failed with {tree}: {finished.stderr.strip()[-500:]}")
    report: dict[str, Any] = json.loads(finished.stdout)
    return report


def _geomean(values: list[float]) -> float | None:
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def compare(baseline: Path, names: list[str], repeat: int) -> str:
    trees = {"this": HERE, "baseline": baseline.resolve()}
    samples: dict[str, dict[str, dict[str, list[float]]]] = {label: {} for label in trees}
    run_phase: dict[str, bool] = {}
    failures: list[str] = []
    for round_number in range(repeat):
        order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
        for label in order:
            print(f"round {round_number + 1}/{repeat}: {label} ({trees[label]})", file=sys.stderr, flush=True)
            report = run_tree(trees[label], names)
            for program in report["programs"]:
                run_phase[program["name"]] = program.get("purpose", "run") == "run"
                if program["problems"]:
                    failures += [f"{label}: {program['name']}: {problem}" for problem in program["problems"]]
                for ratio in RATIOS:
                    value = program["ratios"].get(ratio)
                    if value is not None:
                        samples[label].setdefault(program["name"], {}).setdefault(ratio, []).append(value)
    medians = {
        label: {
            program: {ratio: statistics.median(values) for ratio, values in by_ratio.items()}
            for program, by_ratio in programs.items()
        }
        for label, programs in samples.items()
    }
    return _report(medians, run_phase, failures, baseline, repeat)


def _report(
    medians: dict[str, dict[str, dict[str, float]]],
    run_phase: dict[str, bool],
    failures: list[str],
    baseline: Path,
    repeat: int,
) -> str:
    lines = [
        f"this tree ({HERE}) against the baseline ({baseline}): median of {repeat} alternating rounds",
        "",
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
