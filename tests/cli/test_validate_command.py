"""``wasmrun validate FILE... [--json]``: a verdict per file, the exit status 1 when any is not valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testdata import REPO_ROOT

from wasmrun.cli.main import main

ADD = str(REPO_ROOT / "examples" / "add.wat")
COMPONENT = str(REPO_ROOT / "examples" / "upper.component.wasm")
MALFORMED = b"\0asm\x02\0\0\0"


@pytest.fixture
def bad(tmp_path: Path) -> str:
    path = tmp_path / "bad.wasm"
    path.write_bytes(MALFORMED)
    return str(path)


def test_several_files_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", ADD, COMPONENT]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0] for line in lines] == [ADD, COMPONENT]
    assert lines[0].startswith(f"{ADD}: valid module (") and lines[1].startswith(f"{COMPONENT}: valid component (")


def test_an_invalid_file_does_not_stop_the_others(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", bad, ADD]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"Error: unknown binary version ({bad}:0x4)\n"
    assert captured.out.startswith(f"{ADD}: valid module")


def test_json(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--json", ADD, bad, "missing.wasm"]) == 1
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert captured.err == ""
    assert document["files"][ADD] == {"valid": True, "kind": "module", "summary": "1 function, 0 imports, 1 export"}
    assert document["files"][bad] == {"valid": False, "error": f"unknown binary version ({bad}:0x4)"}
    assert document["files"]["missing.wasm"]["valid"] is False
