"""`wasmrun run` and exception handling: an uncaught exception, and the -W switch of the proposal."""

from __future__ import annotations

import subprocess
import sys

import pytest
from testdata import REPO_ROOT

EXAMPLE = "examples/exceptions.wat"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "wasmrun.cli.main", *args]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)


def test_an_uncaught_exception_is_reported_as_wasmtime_does() -> None:
    result = run("--invoke", "average", EXAMPLE, "100", "0")
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"Error: failed to run main module `{EXAMPLE}`"
    assert lines[-1] == "    2: thrown Wasm exception"
    assert "error while executing at wasm backtrace:" in result.stderr


@pytest.mark.parametrize(("switch", "status"), [("exceptions=n", 1), ("exceptions=y", 0), ("exceptions", 0)])
def test_the_proposal_can_be_switched_off(switch: str, status: int) -> None:
    result = run("-W", switch, "--invoke", "safe_average", EXAMPLE, "100", "0")
    assert result.returncode == status
    if status:
        assert result.stderr == (f"Error: module uses the exception-handling proposal, which is disabled ({EXAMPLE})\n")
    else:
        assert result.stdout == "-100\n"
