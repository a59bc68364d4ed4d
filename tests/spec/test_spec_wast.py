"""The WebAssembly 2.0 spec suite: one case per .wast file and engine, through wasmrun.wast.

Every file runs under both execution tiers: ``interp`` (the interpreter) and
``compile`` (every function compiled to Python at its first call), and ``flat``
(compiled, every function in the flat form, which on-stack replacement and
functions too deep for the structured form take).

Each script must have no failure and nothing skipped (SIMD included: under
``compile`` a function with v128 instructions runs in the interpreter), and its
counts per kind must equal those in ``spec/wasm-2.0-commands.json``, so that no
command is lost or counted twice.

The scripts run with WebAssembly 2.0's features (:data:`wasmrun.features.WASM_2_0`): a construct of a
later proposal is malformed or invalid there, as they expect.

Known gaps go in KNOWN_GAPS with a reason; they are strict xfails, so fixing
one fails the suite until its entry is removed.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
import testdata

import wasmrun.codegen.compiled as compiled
from wasmrun.features import WASM_2_0
from wasmrun.wast import ScriptRunner
from wasmrun.wast_engine import ScriptEngine

SUITE = "spec/wasm-2.0"
COUNTS = "spec/wasm-2.0-commands.json"

# file name -> why it cannot pass yet
KNOWN_GAPS: dict[str, str] = {}

ENGINES = ("interp", "compile", "flat")  # flat: the compiled tier with every function in the flat form


def cases() -> list[object]:
    scripts = testdata.files(SUITE, "*.wast")
    if not scripts:
        return [pytest.param(None, id="suite-missing")]
    return [
        pytest.param(path, id=path.name, marks=[pytest.mark.xfail(reason=KNOWN_GAPS[path.name], strict=True)])
        if path.name in KNOWN_GAPS
        else pytest.param(path, id=path.name)
        for path in scripts
    ]


@pytest.fixture(scope="module")
def expected_counts() -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = json.loads(testdata.require(COUNTS).read_text(encoding="utf-8"))
    return counts


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("script", cases())
def test_spec_script(
    script: Path | None, engine: str, expected_counts: dict[str, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    if script is None:
        directory = testdata.require(SUITE)
        pytest.fail(f"no .wast scripts in {directory}", pytrace=False)
    monkeypatch.setattr(compiled, "FORCE_FLAT", engine == "flat")
    factory = functools.partial(ScriptEngine, engine="compile" if engine == "flat" else engine)
    report = ScriptRunner(engine_factory=factory, features=WASM_2_0).run_file(script, script.name)
    failures = "\n".join(str(failure) for failure in report.failures)
    assert report.failed == 0, f"{report.failed} failed:\n{failures}"
    totals = {kind: counts.total for kind, counts in report.counts.items()}
    assert totals == expected_counts[script.name]
    assert report.skipped == 0, f"{report.skipped} skipped"
