"""The WebAssembly 3.0 spec suite (GC included) and the post-3.0 proposals Wasmtime runs, through wasmrun.wast.

As for 2.0 (``test_spec_wast.py``): one case per file and tier, no failure, nothing skipped, and the
counts per kind equal to the reference counts beside the suite.  Each script runs with the proposals
it is written for (:func:`wasmrun.wast.script_features`, as `wasmrun wast` runs it).

Out of scope here: ``wasm-3.0/legacy/`` (legacy exceptions are not part of 3.0).  Files that cannot pass yet are strict
xfails in :data:`KNOWN_GAPS`, each with the part of WebAssembly 3.0 it still needs: making one pass
fails the suite until its entry is removed.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
import testdata

import wasmrun.codegen.compiled as compiled
from wasmrun.wast import ScriptRunner, script_features
from wasmrun.wast_engine import ScriptEngine

SUITES = {"spec/wasm-3.0": "spec/wasm-3.0-commands.json", "spec/proposals": "spec/proposals-commands.json"}
ENGINES = ("interp", "compile", "flat")  # flat: the compiled tier with every function in the flat form

# file (relative to its suite) -> what it still needs
KNOWN_GAPS: dict[str, str] = {}


def cases() -> list[object]:
    found: list[object] = []
    for suite in SUITES:
        scripts = sorted(testdata.files(suite, "**/*.wast"))
        if not scripts:
            found.append(pytest.param(suite, None, id=f"{suite}-missing"))
            continue
        base = testdata.path(suite)
        for path in scripts:
            name = path.relative_to(base).as_posix()
            if name.startswith("legacy/"):
                continue  # legacy exceptions: not part of 3.0
            marks = []
            if name in KNOWN_GAPS:
                marks.append(pytest.mark.xfail(reason=f"not yet: {KNOWN_GAPS[name]}", strict=True))
            found.append(pytest.param(suite, path, id=name, marks=marks))
    return found


@functools.cache
def expected_counts(suite: str) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = json.loads(testdata.require(SUITES[suite]).read_text(encoding="utf-8"))
    return counts


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("suite", "script"), cases())
def test_spec3_script(suite: str, script: Path | None, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if script is None:
        pytest.fail(f"no .wast scripts in {testdata.require(suite)}", pytrace=False)
    name = script.relative_to(testdata.path(suite)).as_posix()
    monkeypatch.setattr(compiled, "FORCE_FLAT", engine == "flat")
    factory = functools.partial(ScriptEngine, engine="compile" if engine == "flat" else engine)
    # Each script with the proposals it is written for, as `wasmrun wast` runs it.
    report = ScriptRunner(engine_factory=factory, features=script_features(script)).run_file(script, name)
    failures = "\n".join(str(failure) for failure in report.failures[:20])
    assert report.failed == 0, f"{report.failed} failed:\n{failures}"
    totals = {kind: counts.total for kind, counts in report.counts.items()}
    assert totals == expected_counts(suite)[name]
    assert report.skipped == 0, f"{report.skipped} skipped"
