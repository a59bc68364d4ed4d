"""The resource battery (benchmarks/resource_battery.py) at the small scale: each hostile module ends
within its bound through the real CLI, in every tier.

Bounds, not speed: a timeout that can be outrun, or a module that eats all memory, fails here.
``python -m benchmarks.resource_battery`` runs the full-size battery (1 GiB operations).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.resource_battery import Case, cases, run_case

CASES = {case.name: case for case in cases("small")}


@pytest.mark.parametrize("name", list(CASES))
def test_a_hostile_module_ends_within_its_bounds(name: str, tmp_path: Path) -> None:
    case: Case = CASES[name]
    outcome = run_case(case, tmp_path)
    assert outcome.status == case.status, outcome.stderr
    if case.status == 134:  # a timeout's bound; the refusal's time is held in-process (test_implementation_limits)
        assert outcome.seconds <= case.seconds
    if case.megabytes is not None:
        assert outcome.megabytes <= case.megabytes
    if case.status == 134:
        assert outcome.stderr.endswith("wasm trap: interrupt\n")
