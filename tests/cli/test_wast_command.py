"""``wasmrun wast``: the per-file and total lines, failure lines, exit status, and --json against its schema."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from wasmrun import wast_engine
from wasmrun.cli.main import main
from wasmrun.errors import UnsupportedInstruction
from wasmrun.text.script import Value
from wasmrun.wast_engine import ScriptEngine

# The engine executes SIMD: the v128 assertion passes (test_skipped_commands_are_counted refuses it).
GOOD = """(module
  (func (export "f") (result i32) (i32.const 1))
  (func (export "v") (result v128) (v128.const i32x4 0 0 0 0)))
(assert_return (invoke "f") (i32.const 1))
(assert_return (invoke "v") (v128.const i32x4 0 0 0 0))
(assert_invalid (module (func (result i32))) "type mismatch")
"""
BAD = """(module)
(assert_invalid (module) "type mismatch")
"""


def schema() -> dict[str, Any]:
    text = resources.files("wasmrun").joinpath("schemas/wast-report.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@pytest.fixture
def scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "good.wast").write_text(GOOD)
    (tmp_path / "bad.wast").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_text_output(scripts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wast", "good.wast"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "good.wast: 4 passed, 0 failed, 0 skipped\n4 passed, 0 failed, 0 skipped\n"
    assert captured.err == ""


class RefusingEngine(ScriptEngine):
    """An engine that does not execute the function ``v``, as an engine lacking an instruction would."""

    def invoke(self, instance: object, name: str, args: Sequence[Value]) -> list[Value]:
        if name == "v":
            raise UnsupportedInstruction("unsupported instruction: v128.const")
        return super().invoke(instance, name, args)


def test_skipped_commands_are_counted(
    scripts: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wast_engine, "ScriptEngine", RefusingEngine)
    assert main(["wast", "good.wast"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "good.wast: 3 passed, 0 failed, 1 skipped\n3 passed, 0 failed, 1 skipped\n"
    assert captured.err == ""


def test_a_failure_is_reported_on_stderr_and_fails(scripts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wast", "good.wast", "bad.wast"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "good.wast: 4 passed, 0 failed, 0 skipped",
        "bad.wast: 1 passed, 1 failed, 0 skipped",
        "5 passed, 1 failed, 0 skipped",
    ]
    assert captured.err == 'bad.wast:2: assert_invalid: expected invalid "type mismatch", got a valid module\n'


def test_json_output_follows_the_schema(scripts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wast", "--json", "good.wast", "bad.wast"]) == 1
    document = json.loads(capsys.readouterr().out)
    jsonschema.validate(document, schema())
    assert document == {
        "files": {
            "good.wast": {
                "assert_invalid": {"passed": 1, "failed": 0, "skipped": 0},
                "assert_return": {"passed": 2, "failed": 0, "skipped": 0},
                "module": {"passed": 1, "failed": 0, "skipped": 0},
            },
            "bad.wast": {
                "assert_invalid": {"passed": 0, "failed": 1, "skipped": 0},
                "module": {"passed": 1, "failed": 0, "skipped": 0},
            },
        }
    }


def test_json_success_exits_0(scripts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wast", "--json", "good.wast"]) == 0
    jsonschema.validate(json.loads(capsys.readouterr().out), schema())


@pytest.mark.parametrize("line", [["missing.wast"], ["good.wast", "missing.wast"], ["--json", "missing.wast"]])
def test_missing_script_is_an_error_not_a_failure(
    line: list[str], scripts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["wast", *line]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # no script ran, nothing was counted
    assert captured.err == "Error: cannot read file: No such file or directory (missing.wast)\n"


@pytest.mark.parametrize(
    "line",
    [
        ["-O", "opt-level=0", "-C", "compiler=cranelift", "-D", "debug-info", "-S", "cli"],
        ["--generate-dwarf=true", "--async=false", "--ignore-error-messages", "--target", "x86_64"],
        ["-W", "simd,epoch-interruption"],
    ],
)
def test_wasmtimes_wast_flags_are_accepted(line: list[str], scripts: Path) -> None:
    assert main(["wast", *line, "good.wast"]) == 0


@pytest.mark.parametrize(
    "line",
    [["--precompile-save", "d"], ["--precompile-load", "d"], ["--wasmtime-builtins"], ["-W", "nope"], ["-O", "x"]],
)
def test_wast_refuses_what_it_cannot_do(line: list[str], scripts: Path) -> None:
    assert main(["wast", *line, "good.wast"]) == 2


def test_schema_is_a_valid_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"files": {"a.wast": {"assert_nothing": {"passed": 0, "failed": 0, "skipped": 0}}}},
        {"files": {"a.wast": {"module": {"passed": 1, "failed": 0}}}},
        {"files": {"a.wast": {"module": {"passed": -1, "failed": 0, "skipped": 0}}}},
        {"files": {}, "total": 1},
    ],
)
def test_schema_rejects(document: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema())


def test_schema_lists_every_kind() -> None:
    from wasmrun.wast import KINDS, SCRIPT_KIND

    kinds = schema()["properties"]["files"]["additionalProperties"]["propertyNames"]["enum"]
    assert kinds == [*KINDS, SCRIPT_KIND]


# A module only valid with multiple memories, and a script expecting it to be invalid (as the threads
# proposal's fork of the spec does).
MULTI_MEMORY_INVALID = """(assert_invalid (module (memory 0) (memory 0)) "multiple memories")
"""


@pytest.mark.parametrize(
    ("folder", "passes"),
    [("proposals/threads", True), ("proposals/custom-page-sizes", False), ("wasm-3.0", False)],
)
def test_each_script_runs_with_the_proposals_of_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], folder: str, passes: bool
) -> None:
    script = tmp_path / folder / "memory.wast"
    script.parent.mkdir(parents=True)
    script.write_text(MULTI_MEMORY_INVALID)
    assert main(["wast", str(script)]) == (0 if passes else 1)
    capsys.readouterr()


@pytest.mark.parametrize(("switch", "status"), [("multi-memory=n", 0), ("multi-memory=y", 1)])
def test_proposal_switches_apply_to_every_script(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], switch: str, status: int
) -> None:
    script = tmp_path / "proposals" / "threads" / "memory.wast"
    script.parent.mkdir(parents=True)
    script.write_text(MULTI_MEMORY_INVALID)
    assert main(["wast", "-W", switch, str(script)]) == status
    capsys.readouterr()


@pytest.mark.parametrize("setting", ["fuel=10", "nosuch=y", "multi-memory=maybe"])
def test_other_settings_are_usage_errors(scripts: Path, capsys: pytest.CaptureFixture[str], setting: str) -> None:
    assert main(["wast", "-W", setting, "good.wast"]) == 2
    assert "Error:" in capsys.readouterr().err


WRONG_MESSAGE = '(assert_invalid (module (func (result i32))) "no such message")\n'


@pytest.mark.parametrize(("flags", "status"), [([], 1), (["--ignore-error-messages"], 0)])
def test_ignore_error_messages(flags: list[str], status: int, tmp_path: Path) -> None:
    script = tmp_path / "wrong.wast"
    script.write_text(WRONG_MESSAGE)
    assert main(["wast", *flags, str(script)]) == status
