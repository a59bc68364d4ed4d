"""The command-line grammar of docs/cli.md, row by row, and the exit statuses of the CLI.

Parsing is tested through ``parse_command_line`` (argv -> Invocation with its
RunConfig), without executing anything; exit statuses through ``main``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wasmrun.cli import main as cli_main
from wasmrun.cli.config import DEFAULT_MAX_BACKTRACE, DEFAULT_MAX_MEMORY, DirMapping, RunConfig
from wasmrun.cli.main import Invocation, main, parse_command_line
from wasmrun.engine.options import DEFAULT_MAX_STACK_DEPTH, EngineOptions

# --- the contract's grammar table, every row --------------------------------------------------

# (command line after `wasmrun`, command, module, guest argv)
GRAMMAR_ROWS = [
    ("app.wasm a b", "run", "app.wasm", ["app.wasm", "a", "b"]),
    ("app.wasm -- a b", "run", "app.wasm", ["app.wasm", "a", "b"]),
    ("app.wasm -- -- a", "run", "app.wasm", ["app.wasm", "--", "a"]),
    ("app.wasm --help x", "run", "app.wasm", ["app.wasm", "--help", "x"]),
    ("--dir . --env K=V app.wasm a", "run", "app.wasm", ["app.wasm", "a"]),
    ("run --dir . app.wasm a", "run", "app.wasm", ["app.wasm", "a"]),
    ("-- inspect a", "run", "inspect", ["inspect", "a"]),
    ("./inspect", "run", "./inspect", ["inspect"]),
    ("--invoke add m.wasm 1 2", "run", "m.wasm", ["m.wasm", "1", "2"]),
]


@pytest.mark.parametrize(("line", "command", "module", "argv"), GRAMMAR_ROWS, ids=[row[0] for row in GRAMMAR_ROWS])
def test_grammar_row_run(line: str, command: str, module: str, argv: list[str]) -> None:
    invocation = parse_command_line(line.split())
    assert invocation.command == command
    assert invocation.run is not None
    assert invocation.run.module == module
    assert list(invocation.run.argv) == argv


def test_options_before_the_module_are_wasmruns() -> None:
    config = run_config("--dir . --env K=V app.wasm a")
    assert config.dirs == (DirMapping(".", "."),)
    assert config.env == (("K", "V"),)


def test_explicit_run_means_the_same_as_implicit_run() -> None:
    assert run_config("run --dir . app.wasm a") == run_config("--dir . app.wasm a")


def test_invoke_names_the_export() -> None:
    assert run_config("--invoke add m.wasm 1 2").invoke == "add"


@pytest.mark.parametrize(
    ("line", "command", "files", "as_json"),
    [
        ("inspect m.wasm", "inspect", ("m.wasm",), False),
        ("validate m.wat", "validate", ("m.wat",), False),
        ("wast a.wast b.wast", "wast", ("a.wast", "b.wast"), False),
        ("wast --json a.wast", "wast", ("a.wast",), True),
        ("--traceback validate m.wat", "validate", ("m.wat",), False),
        ("validate a.wasm b.wat", "validate", ("a.wasm", "b.wat"), False),
        ("validate --json a.wasm", "validate", ("a.wasm",), True),
    ],
)
def test_grammar_row_other_commands(line: str, command: str, files: tuple[str, ...], as_json: bool) -> None:
    invocation = parse_command_line(line.split())
    assert (invocation.command, invocation.files, invocation.json) == (command, files, as_json)
    assert invocation.run is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("--help", "Commands:"),
        ("-h", "Commands:"),
        ("run --help", "--max-stack-depth"),
        ("run -h", "--max-stack-depth"),
        ("help", "Commands:"),
        ("help run", "--max-stack-depth"),
        ("help cache stats", "--cache-config"),
    ],
)
def test_help(line: str, expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(line.split()) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: wasmrun")
    assert expected in out


def test_global_help_is_not_runs_help(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--help"])
    assert "--max-stack-depth" not in capsys.readouterr().out


def test_global_help_names_the_deliberate_differences(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--help"])
    assert "Deliberate differences from `wasmtime run`" in capsys.readouterr().out


def test_traceback_is_a_global_option() -> None:
    assert parse_command_line(["--traceback", "app.wasm"]).traceback
    assert not parse_command_line(["app.wasm"]).traceback


def test_traceback_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WASMRUN_TRACEBACK", "1")
    assert parse_command_line(["app.wasm"]).traceback


def test_traceback_after_the_module_belongs_to_the_guest() -> None:
    invocation = parse_command_line(["app.wasm", "--traceback"])
    assert not invocation.traceback
    assert invocation.run is not None and invocation.run.argv == ("app.wasm", "--traceback")


def test_debug_is_wasmtimes_long_spelling_of_dash_d() -> None:
    assert run_config("--debug max-backtrace=3 app.wasm") == run_config("-D max-backtrace=3 app.wasm")
    assert run_config("--debug max-backtrace=3 app.wasm").max_backtrace == 3


def test_stdin_module() -> None:
    assert run_config("- a").argv == ("-", "a")


# --- run's options, each spelling -----------------------------------------------------------------


def run_config(line: str) -> RunConfig:
    invocation = parse_command_line(line.split())
    assert invocation.run is not None
    return invocation.run


def test_defaults() -> None:
    config = run_config("app.wasm")
    assert config == RunConfig(module="app.wasm", argv=("app.wasm",))
    assert (config.max_memory, config.max_backtrace, config.engine_options) == (
        DEFAULT_MAX_MEMORY,
        DEFAULT_MAX_BACKTRACE,
        EngineOptions(),
    )
    assert config.backtrace_details and config.engine_options.fuel is None
    assert config.engine_options.max_stack_depth == DEFAULT_MAX_STACK_DEPTH


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ("--dir /tmp::/data", "dirs", (DirMapping("/tmp", "/data"),)),
        ("--dir a --dir b::c", "dirs", (DirMapping("a", "a"), DirMapping("b", "c"))),
        ("--env K=V --env L", "env", (("K", "V"), ("L", None))),
        ("--env K=a=b", "env", (("K", "a=b"),)),
        ("--inherit-env", "inherit_env", True),
        ("-S inherit-env", "inherit_env", True),
        ("-S inherit-env=y", "inherit_env", True),
        ("-S inherit-env=n", "inherit_env", False),
        ("--invoke add", "invoke", "add"),
        ("--fuel 1000", "engine_options.fuel", 1000),
        ("-W fuel=1000", "engine_options.fuel", 1000),
        ("--fuel 7 -W fuel=7", "engine_options.fuel", 7),
        ("--fuel 0", "engine_options.fuel", 0),
        ("--timeout 500ms", "timeout", 0.5),
        ("--timeout 2s", "timeout", 2.0),
        ("--timeout 1m", "timeout", 60.0),
        ("--timeout 3", "timeout", 3.0),
        ("-W timeout=2s", "timeout", 2.0),
        ("-W fuel=5,timeout=1m", "timeout", 60.0),
        ("--max-memory 65536", "max_memory", 65536),
        ("--max-memory 64KiB", "max_memory", 65536),
        ("--max-memory 1G", "max_memory", 1 << 30),
        ("-W max-memory-size=131072", "max_memory", 131072),
        ("--max-stack-depth 1000", "engine_options.max_stack_depth", 1000),
        ("--engine interp", "engine_options.engine", "interp"),
        ("--engine compile", "engine_options.engine", "compile"),
        ("--json-report report.json", "json_report", "report.json"),
        ("--json-report -", "json_report", "-"),
        ("--stats", "stats", True),
        ("--stats", "engine_options.stats", True),
        ("--json-report -", "engine_options.stats", True),  # the report has the statistics
        ("--json-report -", "stats", False),
        ("--max-backtrace 5", "max_backtrace", 5),
        ("-D max-backtrace=5", "max_backtrace", 5),
        ("--no-backtrace-details", "backtrace_details", False),
        ("--argv0 prog", "argv", ("prog",)),
    ],
)
def test_run_option(line: str, field: str, value: object) -> None:
    found: object = run_config(line + " app.wasm")
    for name in field.split("."):
        found = getattr(found, name)
    assert found == value


def test_every_run_parameter_is_a_field() -> None:
    """A `run` option sets the field of its name: the record has one for each (or build_run_config says which)."""
    from wasmrun.cli.main import cli

    fields = {*RunConfig._fields, *EngineOptions._fields}
    handled = {
        "args",
        "argv0",
        "no_backtrace_details",
        "wasm_settings",
        "wasi_settings",
        "debug_settings",
        "codegen_settings",
        "optimize_settings",
        "record_settings",
        "wasmtime_config",
        "target",
        "profile",
        "gdbstub",
    }
    parameters = {param.name for param in cli.commands["run"].params}
    assert sorted(parameters - fields - handled) == []


def test_argv0_replaces_the_guests_argv0() -> None:
    assert run_config("--argv0 prog dir/app.wasm x").argv == ("prog", "x")


def test_argv0_defaults_to_the_base_name() -> None:
    assert run_config("some/dir/app.wasm x").argv == ("app.wasm", "x")


def test_wasmtime_backtrace_details_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WASMTIME_BACKTRACE_DETAILS", "0")
    assert not run_config("app.wasm").backtrace_details


def test_env_without_value_copies_the_host_value() -> None:
    config = run_config("--env HOME --env MISSING --env K=V app.wasm")
    assert config.guest_environment({"HOME": "/home/me", "OTHER": "x"}) == {"HOME": "/home/me", "K": "V"}


def test_inherit_env_gives_the_whole_host_environment_under_explicit_values() -> None:
    config = run_config("--inherit-env --env K=V app.wasm")
    assert config.guest_environment({"K": "host", "OTHER": "x"}) == {"K": "V", "OTHER": "x"}


# --- exit statuses ----------------------------------------------------------------------------

BAD_VALUES = [
    "--fuel x app.wasm",
    "--fuel -1 app.wasm",
    "--timeout abc app.wasm",
    "--timeout 0 app.wasm",
    "--max-memory 4Q app.wasm",
    "--max-stack-depth 0 app.wasm",
    "--engine jit app.wasm",
    "--max-backtrace -1 app.wasm",
    "--dir :: app.wasm",
    "--env =V app.wasm",
    "-W nope=1 app.wasm",
    "-W fuel app.wasm",
    "-W fuel=x app.wasm",
    "-S inherit-env=maybe app.wasm",
    "-D max-backtrace=x app.wasm",
    "--fuel 1 -W fuel=2 app.wasm",
]


@pytest.mark.parametrize("line", BAD_VALUES)
def test_bad_option_value_is_a_usage_error(line: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(line.split()) == 2
    assert "Error:" in capsys.readouterr().err


@pytest.mark.parametrize(
    "line", ["--bogus app.wasm", "--dir . --bogus app.wasm", "validate --bogus m.wat", "--traceback=1 app.wasm"]
)
def test_unknown_option_is_a_usage_error(line: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(line.split()) == 2
    assert "No such option" in capsys.readouterr().err


@pytest.mark.parametrize("line", ["run", "--dir .", "inspect", "validate", "wast", "wast --json"])
def test_missing_module_argument_is_a_usage_error(line: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(line.split()) == 2
    assert "Missing argument" in capsys.readouterr().err


@pytest.mark.parametrize("line", ["", "--traceback"])
def test_bare_wasmrun_is_a_usage_error_naming_help(line: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(line.split()) == 2
    err = capsys.readouterr().err
    assert "--help" in err and "no command and no module" in err


@pytest.mark.parametrize("command", ["", "run ", "validate ", "inspect "])
def test_missing_file_is_exit_1(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.wasm"
    assert main([*command.split(), str(missing)]) == 1
    err = capsys.readouterr().err
    assert err == f"Error: cannot read file: No such file or directory ({missing})\n"


def test_directory_as_module_is_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("Error: cannot read file:")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    for spelling in ("--version", "-V"):
        assert main([spelling]) == 0
        assert capsys.readouterr().out == f"wasmrun {version('wasmrun')}\n"


def test_ctrl_c_is_130_without_a_message(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(invocation: Invocation) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_main, "execute", interrupted)
    assert main(["app.wasm"]) == 130
    captured = capsys.readouterr()
    assert "Aborted" not in captured.err
    assert "Traceback" not in captured.err


def test_internal_error_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(invocation: Invocation) -> int:
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(cli_main, "execute", broken)
    assert main(["app.wasm"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: internal error: ZeroDivisionError: oops (")
    assert err.count("\n") == 1 and "--traceback" in err and "Traceback (most" not in err


@pytest.mark.parametrize(("args", "environment"), [(["--traceback"], "0"), ([], "1")])
def test_traceback_switch_adds_the_traceback(
    args: list[str], environment: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(invocation: Invocation) -> int:
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(cli_main, "execute", broken)
    monkeypatch.setenv("WASMRUN_TRACEBACK", environment)
    assert main([*args, "app.wasm"]) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err


# A module whose version field is 2: malformed.
MALFORMED = b"\0asm\x02\0\0\0"
# A function declared to return i32 whose body is empty: invalid (type mismatch).
INVALID = b"\0asm\x01\0\0\0" + bytes.fromhex("010501600001 7f 03020100 0a040102000b".replace(" ", ""))


@pytest.mark.parametrize("command", ["", "run ", "validate ", "inspect "])
def test_malformed_module_is_one_line_and_exit_1(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "bad.wasm"
    module.write_bytes(MALFORMED)
    assert main([*command.split(), str(module)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1
    assert err.rstrip().endswith(f"({module}:0x4)")


@pytest.mark.parametrize("command", ["", "run ", "validate "])
def test_invalid_module_is_one_line_and_exit_1(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "bad.wasm"
    module.write_bytes(INVALID)
    assert main([*command.split(), str(module)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1
    assert "type mismatch" in err and f"({module}:0x" in err


def test_malformed_text_module_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = tmp_path / "bad.wat"
    module.write_text("(module\n  (func (nonsense)))\n")
    assert main(["validate", str(module)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1
    assert f"({module}:2:" in err


def test_run_of_an_empty_module_runs_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = tmp_path / "ok.wasm"
    module.write_bytes(b"\0asm\x01\0\0\0")
    assert main([str(module)]) == 0
    assert capsys.readouterr() == ("", "")


def test_module_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\0asm\x01\0\0\0")))
    assert main(["validate", "-"]) == 0
    assert capsys.readouterr().out == "<stdin>: valid module (0 functions, 0 imports, 0 exports)\n"


# --- the real process ---------------------------------------------------------------------------


def run_wasmrun(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wasmrun.cli.main", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_process_exit_status_and_no_traceback(tmp_path: Path) -> None:
    module = tmp_path / "bad.wasm"
    module.write_bytes(MALFORMED)
    result = run_wasmrun(str(module), "--help")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_start_up_imports_no_heavy_module() -> None:
    code = (
        "import sys; from wasmrun.cli.main import parse_command_line; parse_command_line(['app.wasm']);"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'elftools', 'jsonschema')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
