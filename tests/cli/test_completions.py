"""Shell completion: real candidates through click's protocol, and the committed scripts match the generator."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from wasmrun.cli.completions import FILES, generate
from wasmrun.cli.main import main

REPO_ROOT = Path(__file__).resolve().parents[2]


def complete(words: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str]]:
    """The (type, value) candidates for the last word of ``words``, as the bash script asks for them."""
    monkeypatch.setenv("_WASMRUN_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(len(words.split(" ")) - 1))
    with pytest.raises(SystemExit) as exit_:
        main([])
    assert exit_.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    return [(kind, value) for kind, _, value in (line.partition(",") for line in lines)]


@pytest.mark.parametrize(
    ("words", "candidate"),
    [
        ("wasmrun ins", ("plain", "inspect")),
        ("wasmrun va", ("plain", "validate")),
        ("wasmrun run --di", ("plain", "--dir")),
        ("wasmrun --di", ("plain", "--dir")),  # run is the default command
        ("wasmrun --de", ("plain", "--debug")),
        ("wasmrun --engine ", ("plain", "interp")),
        ("wasmrun run --engine co", ("plain", "compile")),
        ("wasmrun wast --j", ("plain", "--json")),
        ("wasmrun run --dir ", ("dir", "")),
        ("wasmrun run ", ("file", "")),
        ("wasmrun --fuel 10 ", ("file", "")),
        ("wasmrun validate ", ("file", "")),
    ],
)
def test_candidate(
    words: str, candidate: tuple[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert candidate in complete(words, monkeypatch, capsys)


def test_only_matching_commands(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    plain = [value for kind, value in complete("wasmrun ins", monkeypatch, capsys) if kind == "plain"]
    assert plain == ["inspect"]


# pyproject.toml's minimum click: the committed scripts are its templates (the same up to 8.5.1 at least).
MINIMUM_CLICK = (8, 4, 2)


def click_version() -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version("click"))[:3])


@pytest.mark.parametrize(("shell", "name"), sorted(FILES.items()))
def test_committed_script_matches_the_generator(shell: str, name: str) -> None:
    if click_version() < MINIMUM_CLICK:
        pytest.skip(f"click {version('click')} is older than wasmrun's minimum 8.4.2 (pip install -U click)")
    committed = (REPO_ROOT / "completions" / name).read_text(encoding="utf-8")
    assert committed == generate(shell), "completions/ drifted: run `python -m wasmrun.cli.completions`"


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_script_completes_through_the_real_command(tmp_path: Path) -> None:
    # A `wasmrun` on PATH that runs this checkout with this interpreter.
    launcher = tmp_path / "wasmrun"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m wasmrun.cli.main "$@"\n')
    launcher.chmod(0o755)
    script = REPO_ROOT / "completions" / FILES["bash"]
    command = f'source "{script}"; COMP_WORDS=(wasmrun ins); COMP_CWORD=1; _wasmrun_completion wasmrun; echo "${{COMPREPLY[@]}}"'
    environment = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=environment, timeout=60, check=True
    )
    assert result.stdout.split() == ["inspect"]


@pytest.mark.parametrize("shell", ["elvish", "powershell"])
def test_wasmruns_own_shells_speak_bashs_protocol(
    shell: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("_WASMRUN_COMPLETE", f"{shell}_complete")
    monkeypatch.setenv("COMP_WORDS", "wasmrun va")
    monkeypatch.setenv("COMP_CWORD", "1")
    with pytest.raises(SystemExit) as exit_:
        main([])
    assert exit_.value.code == 0
    assert "plain,validate" in capsys.readouterr().out.splitlines()  # (and "file,va": the module may be a file)


@pytest.mark.parametrize("shell", sorted(FILES))
def test_completion_command_prints_the_script(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", shell]) == 0
    assert capsys.readouterr().out == generate(shell)


def test_completion_of_an_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "tcsh"]) == 2
