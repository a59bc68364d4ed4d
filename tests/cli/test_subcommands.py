"""Every Wasmtime 49 command answers: wasmrun's own, or a usage error saying wasmrun does not have it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testdata import REPO_ROOT

from wasmrun.cli.main import UNSUPPORTED_COMMANDS, cli, main

# Wasmtime 49's commands (src/bin/wasmtime.rs), with clap's `help`.
WASMTIME_COMMANDS = (
    "run",
    "config",
    "compile",
    "explore",
    "serve",
    "settings",
    "wast",
    "completion",
    "objdump",
    "hot-blocks",
    "wizer",
    "help",
)


@pytest.mark.parametrize("command", WASMTIME_COMMANDS)
def test_every_wasmtime_command_is_a_command(command: str) -> None:
    assert command in cli.commands


@pytest.mark.parametrize("command", sorted(UNSUPPORTED_COMMANDS))
@pytest.mark.parametrize("args", [[], ["app.wasm", "--addr", "0.0.0.0:8080"]])
def test_unsupported_command_is_a_usage_error(
    command: str, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, *args]) == 2
    err = capsys.readouterr().err
    assert f"Error: `{command}` is not supported by wasmrun: " in err
    assert "cannot read file" not in err


def test_settings_text_has_wasmtimes_sections(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    for header in (
        "Boolean settings:",
        "Enum settings:",
        "Numerical settings:",
        "Settings inferred for the current host:",
    ):
        assert f"\n{header}\n" in out
    assert "\n  simd " in out


def test_settings_json_has_wasmtimes_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings", "--json", "--target", "x86_64-unknown-linux-gnu"]) == 0
    settings = json.loads(capsys.readouterr().out)
    assert set(settings) == {"triple", "enums", "nums", "bools", "presets", "inferred"}
    for kind in ("enums", "nums", "bools"):
        assert all(set(entry) == {"name", "description", "values"} for entry in settings[kind])
    assert "simd" in settings["inferred"] and "custom-page-sizes" not in settings["inferred"]


@pytest.mark.parametrize(("line", "status"), [(["help", "nosuch"], 2), (["help", "wast"], 0)])
def test_help_command(line: list[str], status: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(line) == status


@pytest.mark.parametrize(
    ("line", "status"),
    [
        (["-O", "opt-level=2", "-C", "parallel-compilation=n", "-D", "debug-info", "--target", "x86_64"], 0),
        (["-O", "bogus"], 2),
        (["-D", "coredump=core"], 2),
        (["-D", "max-backtrace=3"], 2),  # only run applies it
    ],
)
def test_compile_checks_wasmtimes_keys(line: list[str], status: int, tmp_path: Path) -> None:
    module = str(REPO_ROOT / "examples" / "fac.wat")
    assert main(["compile", *line, "-o", str(tmp_path / "fac.cwasm"), module]) == status
