"""``wasmrun`` on components, through the command line: every case of components/programs/expected.json.

What must equal Wasmtime 49's: the exit status, stdout and the preopened trees after the run; the
stderr the guest wrote, byte for byte; for a trap, the report without offsets (see
``component_programs.normalized_trap``); for an error wasmrun reports itself (a bad ``--invoke``,
no such function, no ``wasi:cli/run``), one line ``Error: ... (FILE)`` containing Wasmtime's innermost
cause (where Wasmtime prints its chain of causes over several lines, wasmrun's contract is one line).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import testdata
from component_programs import PROGRAMS, cases, expected_bytes, normalized_trap, same_output, tree, writable_copy

from wasmrun.cli.main import main

CASES = cases()
COMMANDS = [case for case in CASES if case["invoke"] is None]
INVOKES = [case for case in CASES if case["invoke"] is not None]
_CAUSE = re.compile(r"^\s+(?:\d+: )?(.*)$")


def _ids(selected: list[dict[str, Any]]) -> list[str]:
    return [case["name"] for case in selected] or ["data"]


def command_line(case: dict[str, Any], scratch: Path) -> tuple[list[str], list[Path]]:
    """wasmrun's arguments for the case (Wasmtime's command, preopens on fresh copies), and those copies."""
    programs = testdata.require(PROGRAMS)
    arguments = list(case["flags"])
    hosts = []
    for number, preopen in enumerate(case["preopens"]):
        host = writable_copy(programs / preopen["host"], scratch / f"preopen{number}")
        hosts.append(host)
        arguments += ["--dir", f"{host}::{preopen['guest']}"]
    for entry in case["env"]:
        arguments += ["--env", entry]
    if case["invoke"] is not None:
        arguments += ["--invoke", case["invoke"]]
    return [*arguments, case["component"], *case["args"]], hosts


def innermost_cause(report: str) -> str:
    """The last cause of a Wasmtime error report."""
    causes = [match.group(1) for line in report.splitlines() if (match := _CAUSE.match(line))]
    return causes[-1]


def check(case: dict[str, Any], status: int, stdout: bytes, stderr: bytes) -> None:
    assert status == case["exit_code"]
    assert same_output(stdout, case["stdout"]), stdout
    expected = expected_bytes(case["stderr"]) or b""
    if b"wasm backtrace" in expected:
        assert normalized_trap(stderr.decode()) == normalized_trap(expected.decode())
    elif expected.startswith(b"Error: "):
        line = stderr.decode()
        assert line.count("\n") == 1 and line.startswith("Error: ") and line.endswith(f"({case['component']})\n")
        assert innermost_cause(expected.decode()) in line
    else:
        assert same_output(stderr, case["stderr"]), stderr


@pytest.mark.parametrize("case", COMMANDS or [None], ids=_ids(COMMANDS))
def test_a_command_component(case: dict[str, Any] | None, tmp_path: Path) -> None:
    """Run in a process of its own: the guest's stdin, stdout and stderr are the process's."""
    if case is None:
        testdata.require(f"{PROGRAMS}/expected.json")
        return
    programs = testdata.require(PROGRAMS)
    arguments, hosts = command_line(case, tmp_path)
    stdin_path = programs / case["stdin"] if case["stdin"] else Path(os.devnull)
    with open(stdin_path, "rb") as stdin:
        done = subprocess.run(
            [sys.executable, "-m", "wasmrun.cli.main", *arguments],
            cwd=programs,
            stdin=stdin,
            capture_output=True,
            timeout=120,
            check=False,
        )
    check(case, done.returncode, done.stdout, done.stderr)
    if "preopens_after" in case:
        assert [tree(host) for host in hosts] == case["preopens_after"]


@pytest.mark.parametrize("case", INVOKES or [None], ids=_ids(INVOKES))
def test_an_invoked_component_function(
    case: dict[str, Any] | None, tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if case is None:
        testdata.require(f"{PROGRAMS}/expected.json")
        return
    monkeypatch.chdir(testdata.require(PROGRAMS))
    arguments, _hosts = command_line(case, tmp_path)
    status = main(arguments)
    captured = capfd.readouterr()
    check(case, status, captured.out.encode(), captured.err.encode())
