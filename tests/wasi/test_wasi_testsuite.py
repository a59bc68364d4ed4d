"""The official WASI preview1 test suite, run through the real ``wasmrun`` command.

Each program of ``wasi-testsuite/c`` and ``wasi-testsuite/assemblyscript`` is one
case, executed as that suite's ``specification.md`` says:

- the program runs in a scratch copy of its folder (tests write into their
  preopened directory), with the ``*.cleanup`` artifacts removed first;
- its ``NAME.json`` (legacy form, or the newer ``operations`` form) gives the
  arguments, the environment (the *whole* guest environment: nothing is
  inherited), the ``root`` directory preopened as the guest's ``/``
  (``--dir ROOT::/``), and the expected exit status;
- stdout and stderr are compared where the specification names them, as the
  suite's own runner does.

A configuration this runner cannot execute (sockets, HTTP) fails its case with
the reason; nothing is skipped silently.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import testdata

SUITES = ("wasi-testsuite/c", "wasi-testsuite/assemblyscript")
PROGRAMS = [program for suite in SUITES for program in testdata.files(suite, "*.wasm")]
EXPECTED_COUNTS = {"c": 14, "assemblyscript": 12}


@dataclass
class Expectation:
    """One run of a test program and what it must produce (``None``: not checked)."""

    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    root: str | None = None
    exit_code: int = 0
    stdout: str | None = None
    stderr: str | None = None


def expectation(spec: dict[str, Any]) -> Expectation:
    """The run described by a test's JSON, legacy or operation-based (run, read, wait)."""
    if "operations" not in spec:
        return Expectation(
            args=spec.get("args", []),
            env=spec.get("env", {}),
            root=spec.get("root"),
            exit_code=spec.get("exit_code", 0),
            stdout=spec.get("stdout"),
            stderr=spec.get("stderr"),
        )
    if spec.get("proposals"):
        pytest.fail(f"proposals {spec['proposals']} are not supported by this runner", pytrace=False)
    result = Expectation()
    for operation in spec["operations"]:
        kind = operation.get("type")
        if kind == "run":
            result.args = operation.get("args", [])
            result.env = operation.get("env", {})
            result.root = operation.get("root")
        elif kind == "wait":
            result.exit_code = operation.get("exit_code", 0)
        elif kind == "read":
            stream = operation.get("id", "stdout")
            setattr(result, stream, (getattr(result, stream) or "") + operation.get("payload", ""))
        else:
            pytest.fail(f"operation {kind!r} is not supported by this runner", pytrace=False)
    return result


def prepare(program: Path, scratch: Path) -> Path:
    """A copy of the program's folder in ``scratch``, without ``*.cleanup`` artifacts; the program's copy."""
    folder = scratch / program.parent.name
    shutil.copytree(program.parent, folder, symlinks=True)
    for artifact in sorted(folder.rglob("*.cleanup"), reverse=True):
        if artifact.is_dir() and not artifact.is_symlink():
            shutil.rmtree(artifact)
        else:
            artifact.unlink()
    return folder / program.name


def command_line(program: Path, expected: Expectation) -> list[str]:
    line = [sys.executable, "-m", "wasmrun.cli.main"]
    for key, value in expected.env.items():
        line += ["--env", f"{key}={value}"]
    if expected.root is not None:
        line += ["--dir", f"{expected.root}::/"]
    return [*line, program.name, *expected.args]


def test_the_suite_is_complete() -> None:
    for suite in SUITES:
        testdata.require(suite)
    counts = {name: sum(program.parent.name == name for program in PROGRAMS) for name in EXPECTED_COUNTS}
    assert counts == EXPECTED_COUNTS


@pytest.mark.parametrize("program", PROGRAMS, ids=[f"{p.parent.name}/{p.stem}" for p in PROGRAMS])
def test_program(program: Path, tmp_path: Path) -> None:
    spec_file = program.with_suffix(".json")
    spec = json.loads(spec_file.read_text(encoding="utf-8")) if spec_file.exists() else {}
    expected = expectation(spec)
    copy = prepare(program, tmp_path)
    # The host environment reaches wasmrun, never the guest (no --inherit-env): the guest's is exactly `env`.
    result = subprocess.run(
        command_line(copy, expected), cwd=copy.parent, capture_output=True, timeout=120, check=False
    )
    report = f"stdout={result.stdout[:2000]!r}\nstderr={result.stderr[:2000]!r}"
    assert result.returncode == expected.exit_code, report
    if expected.stdout is not None:
        assert result.stdout.decode("utf-8", "replace") == expected.stdout, report
    if expected.stderr is not None:
        assert result.stderr.decode("utf-8", "replace") == expected.stderr, report
