"""Packaging: ``python -m wasmrun``."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
HELLO = REPO_ROOT / "examples" / "hello.wasm"
PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# -- python -m wasmrun in the working tree ------------------------------------------------------------------


def run_in_tree(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *(str(argument) for argument in arguments)],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def console_script_code() -> str:
    """What the ``wasmrun`` console script runs, from its entry point in pyproject.toml."""
    module, function = PYPROJECT["project"]["scripts"]["wasmrun"].split(":")
    return f"import sys; sys.argv[0] = 'wasmrun'; from {module} import {function}; {function}()"


COMMAND_LINES = {"hello": [HELLO], "help": ["--help"], "a-missing-file": ["no-such-file.wasm"]}


@pytest.mark.parametrize("arguments", COMMAND_LINES.values(), ids=COMMAND_LINES.keys())
def test_python_dash_m_wasmrun_does_what_the_console_script_does(arguments: list[str | Path]) -> None:
    as_module = run_in_tree("-m", "wasmrun", *arguments)
    as_script = run_in_tree("-c", console_script_code(), *arguments)
    assert (as_module.returncode, as_module.stdout, as_module.stderr) == (
        as_script.returncode,
        as_script.stdout,
        as_script.stderr,
    )


def test_python_dash_m_wasmrun_names_itself_wasmrun_in_its_usage() -> None:
    result = run_in_tree("-m", "wasmrun", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: wasmrun ")
