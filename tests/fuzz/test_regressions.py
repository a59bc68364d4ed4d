"""Replay every finding kept in ``tests/fuzz/regressions/`` (see its README): the engines must agree now.

A differential regression (``<name>.json`` + its module) passes when every
tier it names agrees with Wasmtime; a mutation regression (``"kind":
"mutation"``) when its input loads, or fails with a documented error, in time.
A file with ``"xfail": "<reason>"`` records a bug that is still open: it is
expected to fail (strictly, so that the fix is noticed and the key removed).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fuzz_support import require_tools

REGRESSIONS = Path(__file__).resolve().parent / "regressions"
FILES = sorted(REGRESSIONS.glob("*.json"))


def _case(path: Path) -> object:
    spec = json.loads(path.read_text(encoding="utf-8"))
    marks = [pytest.mark.xfail(reason=spec["xfail"], strict=True)] if "xfail" in spec else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", [_case(path) for path in FILES] or [pytest.param(None, id="none-yet")])
def test_regression_replays_clean(path: Path | None) -> None:
    if path is None:
        pytest.skip(f"no regressions recorded in {REGRESSIONS}")
    require_tools()
    from fuzz import record

    spec, data = record.load(path)
    if spec.get("kind") == "mutation":
        problem = record.mutation_problem(data, spec["text"], spec["feature_set"])
        assert problem is None, problem
        return
    report = record.replay(path)
    assert not report.findings, "\n".join(f"[{f.tier}] {f.category}: {f.detail}" for f in report.findings)
