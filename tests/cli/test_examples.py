"""Every command examples/README.md documents, run as written (from the repository root, in a shell).

The commands are read from the README itself (each backticked text that
starts with ``wasmrun`` or pipes into it), so the README and this test cannot
drift: a documented command without an expectation here fails
:func:`test_every_documented_command_is_tested`.  ``DIR`` stands for a scratch
directory holding a file ``a``.  A ``wasmrun`` launcher for this checkout and
interpreter is put first on ``PATH``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from testdata import REPO_ROOT

README = REPO_ROOT / "examples" / "README.md"

# command as documented -> (exit status, stdout, stderr test); None: not checked
EXPECTED: dict[str, tuple[int, str | None, str | None]] = {
    "wasmrun validate examples/add.wat": (0, "examples/add.wat: valid module (1 function, 0 imports, 1 export)\n", ""),
    "wasmrun inspect examples/fac.wat": (0, None, ""),
    "wasmrun validate examples/checksum.wat": (0, None, ""),
    "wasmrun examples/hello.wasm": (0, "Hello, world!\n", ""),
    "printf 'abc' | wasmrun examples/upper.wasm": (0, "ABC", ""),
    "printf 'one two\\nthree\\n' | wasmrun examples/wc.wasm": (0, "2 3 14\n", ""),
    "wasmrun --dir DIR::/data examples/copy.wasm /data/a /data/b": (0, "copied 5 bytes\n", ""),
    "wasmrun examples/exitcode.wasm 7; echo $?": (0, "7\n", ""),
    "wasmrun examples/divz.wasm": (134, "", "integer divide by zero"),
    "wasmrun examples/divz.wasm 4": (0, "average of 4 cells: 25\n", ""),
    "wasmrun examples/divz-debug.wasm": (134, "", "at examples/divz.c:21:18"),
    "wasmrun --invoke add examples/add.wat 2 3": (0, "5\n", ""),
    "wasmrun --invoke safe_average examples/exceptions.wat 100 0": (0, "-100\n", ""),
    "wasmrun --invoke average examples/exceptions.wat 100 0": (1, "", "    2: thrown Wasm exception\n"),
    "printf 'abc' | wasmrun examples/upper.component.wasm": (0, "ABC", ""),
    "wasmrun --invoke 'greet(\"world\")' examples/greet.wat": (0, '"Hello, world!"\n', ""),
    "wasmrun inspect examples/greet.wat": (0, None, ""),
}


def documented_commands() -> list[str]:
    """The commands in the README: backticked, with ``wasmrun`` as a word, table pipes unescaped."""
    text = README.read_text(encoding="utf-8")
    spans = re.findall(r"`([^`]+)`", text)
    return [span.replace("\\|", "|") for span in spans if re.search(r"(^|\| )wasmrun ", span.replace("\\|", "|"))]


def test_every_documented_command_is_tested() -> None:
    assert sorted(set(documented_commands())) == sorted(EXPECTED)


@pytest.fixture(scope="module")
def launcher(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bin")
    script = directory / "wasmrun"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m wasmrun.cli.main "$@"\n')
    script.chmod(0o755)
    return directory


@pytest.mark.parametrize("line", sorted(EXPECTED))
def test_documented_command(line: str, launcher: Path, tmp_path: Path) -> None:
    (tmp_path / "a").write_text("hello")
    status, stdout, stderr = EXPECTED[line]
    environment = {
        "PATH": f"{launcher}:/usr/bin:/bin",
        **{name: os.environ[name] for name in ("WASMRUN_CACHE_DIR", "XDG_CONFIG_HOME")},  # (tests/conftest.py)
    }
    result = subprocess.run(
        ["sh", "-c", line.replace("DIR", str(tmp_path))],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == status, result.stderr
    if stdout is not None:
        assert result.stdout == stdout
    if stderr == "":
        assert result.stderr == ""
    elif stderr is not None:
        assert stderr in result.stderr
    assert "Traceback" not in result.stderr
    if "copy.wasm" in line:
        assert (tmp_path / "b").read_text() == "hello"
