"""The README's Quick start, CI, the examples and the changelog keep the promises they make."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from wasmrun.cli.main import main

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO_ROOT / "examples").glob("*.wat"))


def quick_start_blocks() -> list[list[str]]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Quick start\n(.*?)(?=^## |\Z)", readme, re.MULTILINE | re.DOTALL)
    assert section is not None, "README.md has no '## Quick start' section"
    return [
        block.strip("\n").split("\n")
        for block in re.findall(r"^```sh\n(.*?)^```", section.group(1), re.MULTILINE | re.DOTALL)
    ]


def test_quick_start_is_one_block_of_two_lines() -> None:
    blocks = quick_start_blocks()
    assert len(blocks) == 1
    assert len(blocks[0]) == 2


def test_quick_start_first_line_installs_and_runs_an_example(capfd: pytest.CaptureFixture[str]) -> None:
    line = quick_start_blocks()[0][0]
    assert ". .venv/bin/activate" in line and "pip install -e ." in line
    match = re.search(r"&& wasmrun (examples/\S+\.wasm)$", line)
    assert match is not None
    assert main([str(REPO_ROOT / match.group(1))]) == 0
    assert capfd.readouterr().err == ""


def test_quick_start_second_line_runs_the_whole_suite_in_parallel() -> None:
    line = quick_start_blocks()[0][1]
    assert ". .venv/bin/activate" in line and "pip install -e '.[test]'" in line
    assert re.search(r"&& pytest -n auto$", line)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_ci_runs_the_second_quick_start_line() -> None:
    result = subprocess.run(
        [str(REPO_ROOT / ".ci" / "run"), "--print"], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout == quick_start_blocks()[0][1] + "\n"


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_is_valid(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(example)]) == 0
    from wasmrun.cli.source import is_component_source

    kind = "component" if is_component_source(example.read_bytes()) else "module"
    assert f"valid {kind}" in capsys.readouterr().out


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_is_listed_in_the_examples_readme(example: Path) -> None:
    assert f"`{example.name}`" in (REPO_ROOT / "examples" / "README.md").read_text(encoding="utf-8")


def test_changelog_has_an_unreleased_section() -> None:
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(
        r"^## \[Unreleased\]\n\n### (Added|Changed|Deprecated|Removed|Fixed|Security)\n", changelog, re.MULTILINE
    )
