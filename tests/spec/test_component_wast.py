"""The Component Model scripts of ``components/wast``, through wasmrun.wast as ``wasmrun wast`` runs them.

The required set (the issue's acceptance): every script whose ``results.json`` entry passes in Wasmtime
49 (``wasmtime_default.pass`` or ``wasmtime_all_features.pass``), and the scripts that need component
features beyond the issue (:data:`OPTIONAL`): they run, and must pass if they can, or be in
:data:`KNOWN_GAPS` (strict xfails, with what each still needs).

One case per script (and per tier for the scripts that execute code): nothing fails, nothing is
skipped, and the commands counted per kind are those ``results.json`` counts (its ``component`` and
``component binary`` are the runner's ``module``, ``component definition``/``instance`` its
``module_definition``/``module_instance``).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
import testdata

from wasmrun.wast import ScriptRunner, script_features
from wasmrun.wast_engine import ScriptEngine

FOLDER = "components/wast"
RESULTS = f"{FOLDER}/results.json"

OPTIONAL = frozenset(
    f"wasmtime/{name}.wast"
    for name in ("map-types", "fixed_length_lists", "implements", "error-context-trap-in-post-return", "memory64")
)
"""Scripts needing component features beyond the issue: run, counted, and passing unless a known gap."""

KNOWN_GAPS: dict[str, str] = {}
"""What each script that does not pass yet still needs (strict: one that passes must leave this table)."""

# Where results.json miscounts: its counter read ``(component (instance (import "a:b/c")))`` (naming.wast
# line 108) as a ``component instance`` command.
COUNT_CORRECTIONS: dict[str, dict[str, int]] = {"wasm-tools/naming.wast": {"module": 1, "module_instance": -1}}

_KINDS = {
    "component": "module",
    "component binary": "module",
    "component definition": "module_definition",
    "component instance": "module_instance",
}
_EXECUTING = ("assert_return", "assert_trap")


@functools.cache
def results() -> dict[str, Any]:
    path = testdata.path(RESULTS)
    if not path.exists():
        return {}
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def required(entry: dict[str, Any]) -> bool:
    return bool(entry.get("wasmtime_default", {}).get("pass") or entry.get("wasmtime_all_features", {}).get("pass"))


def expected_counts(name: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind, count in results()[name]["counts"].items():
        key = _KINDS.get(kind, kind)
        counts[key] = counts.get(key, 0) + count
    for kind, change in COUNT_CORRECTIONS.get(name, {}).items():
        counts[kind] = counts.get(kind, 0) + change
    return {kind: count for kind, count in counts.items() if count}


def cases() -> list[object]:
    if not results():
        return [pytest.param(None, "interp", id="components-wast-missing")]
    found: list[object] = []
    for name, entry in sorted(results().items()):
        if not required(entry) and name not in OPTIONAL:
            continue
        marks: list[Any] = []
        if name in KNOWN_GAPS:
            marks.append(pytest.mark.xfail(reason=f"not yet: {KNOWN_GAPS[name]}", strict=True))
        executes = any(kind in entry["counts"] for kind in _EXECUTING)
        for engine in ("interp", "compile") if executes else ("interp",):
            found.append(pytest.param(name, engine, id=f"{name}-{engine}", marks=marks))
    return found


@pytest.mark.parametrize(("name", "engine"), cases())
def test_component_script(name: str | None, engine: str) -> None:
    if name is None:
        testdata.require(RESULTS)
        return
    script: Path = testdata.require(f"{FOLDER}/{name}")
    factory = functools.partial(ScriptEngine, engine=engine)
    report = ScriptRunner(engine_factory=factory, features=script_features(script)).run_file(script, name)
    failures = "\n".join(str(failure) for failure in report.failures[:20])
    assert report.failed == 0, f"{report.failed} failed:\n{failures}"
    totals = {kind: counts.total for kind, counts in report.counts.items()}
    assert totals == expected_counts(name)
    assert report.skipped == 0, f"{report.skipped} skipped"


def test_the_tables_name_scripts_that_exist() -> None:
    names = set(results())
    if not names:
        pytest.skip("components/wast/results.json missing")
    assert set(KNOWN_GAPS) <= names
    assert names >= OPTIONAL
