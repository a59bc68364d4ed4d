"""``wasmrun run``: traps a developer can debug (the same backtrace in every tier) and limits an operator can set.

``--fuel``, ``--timeout``, ``--max-memory``, ``--max-stack-depth``; ``--json-report``
(checked against its schema for every outcome) and ``--stats``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from testdata import REPO_ROOT

from wasmrun.cli.main import main
from wasmrun.engine.options import EngineOptions

EXAMPLES = REPO_ROOT / "examples"
LIMITS = str(REPO_ROOT / "tests" / "data" / "run" / "limits.wat")
ENGINES = ["interp", "compile", "auto"]
SCHEMA = REPO_ROOT / "wasmrun" / "schemas" / "run-report.schema.json"


def run_in_process(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capfd.readouterr()
    return status, captured.out, captured.err


def wasmrun(*args: str, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "wasmrun.cli.main", *args]
    return subprocess.run(command, input=stdin, capture_output=True, timeout=timeout, check=False)


# --- the same backtrace in every tier ------------------------------------------------------------------------

DIVZ_FRAMES = [
    ("0x1f4", "divide_cells", "examples/divz.c:21:18"),
    ("0x208", "average_row", "examples/divz.c:28:12"),
    ("0x2c8", "report", "examples/divz.c:32:19"),
    ("0x314", "__main_argc_argv", "examples/divz.c:38:5"),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ["divz.wasm", "divz-debug.wasm"])
def test_divz_backtrace_is_the_same_in_every_engine(name: str, engine: str, capfd: pytest.CaptureFixture[str]) -> None:
    module = str(EXAMPLES / name)
    status, out, err = run_in_process(capfd, "--engine", engine, module)
    assert (status, out) == (134, "")
    reference = run_in_process(capfd, "--engine", "interp", module)[2]
    assert err == reference
    for offset, function, source in DIVZ_FRAMES:
        if name == "divz.wasm":
            assert f"{offset:>8} - <unknown>!{function.replace('__main_argc_argv', 'main')}\n" in err
        else:
            assert f"{offset:>8} - {function}\n                    at {source}\n" in err
    assert err.endswith("    2: wasm trap: integer divide by zero\n")


# Wasmtime's frames for this module, checked with wasmtime-py: the names come from the
# name section (``<unknown>`` without a module name), at the same offsets.
NAMED_WAT = """(module{module_id}
  (func $helper (param $x i32) (result i32)
    unreachable)
  (func $run (export "run") (result i32)
    i32.const 1
    call $helper))
"""


@pytest.mark.parametrize(("module_id", "module_name"), [("", "<unknown>"), (" $calc", "calc")])
def test_a_trap_in_a_wat_module_names_its_functions(
    module_id: str, module_name: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "named.wat"
    module.write_text(NAMED_WAT.format(module_id=module_id), encoding="utf-8")
    status, out, err = run_in_process(capfd, "--invoke", "run", str(module))
    assert (status, out) == (134, "")
    assert (
        "    1: error while executing at wasm backtrace:\n"
        f"    0:     0x27 - {module_name}!helper\n"
        f"    1:     0x2d - {module_name}!run\n"
        "    2: wasm trap: wasm `unreachable` instruction executed\n"
    ) in err


@pytest.mark.parametrize("engine", ENGINES)
def test_a_trap_deep_in_calls_shows_twenty_frames(engine: str, capfd: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_in_process(capfd, "--engine", engine, "--invoke", "deep", LIMITS)
    assert status == 134
    assert err == run_in_process(capfd, "--engine", "interp", "--invoke", "deep", LIMITS)[2]
    frames = [line for line in err.splitlines() if " - <unknown>!" in line]
    assert len(frames) == 20  # (named from the name section the WAT encoder writes)
    assert frames[0].endswith("!leaf") and all(line.endswith("!middle") for line in frames[1:])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("export", ["exhaust", "ping_pong"])
def test_call_stack_exhaustion(engine: str, export: str, capfd: pytest.CaptureFixture[str]) -> None:
    """Exit 134, Wasmtime's text and frames (the callee that did not fit first, without an offset), no
    Python traceback; the same in every engine."""
    args = ["--max-stack-depth", "300", "--engine", engine, "--invoke", export, LIMITS]
    status, out, err = run_in_process(capfd, *args)
    assert (status, out) == (134, "")
    assert "Traceback" not in err and "RecursionError" not in err
    assert err.endswith("    2: wasm trap: call stack exhausted\n")
    lines = err.splitlines()
    first = lines.index("    1: error while executing at wasm backtrace:") + 1
    callee = "forever" if export == "exhaust" else ("ping", "pong")[1 - 300 % 2]
    assert lines[first] == f"    0: <unknown>!{callee}"
    assert len([line for line in lines if " - <unknown>!" in line]) == 19  # 20 frames shown
    args[args.index("--engine") + 1] = "interp"
    assert err == run_in_process(capfd, *args)[2]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_default_depth_is_at_least_50000(engine: str, capfd: pytest.CaptureFixture[str]) -> None:
    report = json_report(capfd, "--engine", engine, "--invoke", "exhaust", LIMITS)
    assert report["frames_total"] == 50_001
    # The deepest the program went: compiled code may run a few frames past the limit before it traps.
    assert report["resources"]["max_call_depth"] >= 50_000


# --- fuel ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("option", [["--fuel", "5000"], ["-W", "fuel=5000"]])
def test_fuel_stops_an_infinite_loop(engine: str, option: list[str], capfd: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_in_process(capfd, *option, "--engine", engine, "--invoke", "spin", LIMITS)
    assert (status, out) == (134, "")
    assert err.endswith("    2: wasm trap: all fuel consumed by WebAssembly\n")
    assert "0:     0xb9 - <unknown>!<wasm function 2>" in err  # the loop's header


def test_enough_fuel_lets_a_program_finish(capfd: pytest.CaptureFixture[str]) -> None:
    """hello.wasm consumes 909 units, as in Wasmtime, and its last check comes before the end."""
    hello = str(EXAMPLES / "hello.wasm")
    assert run_in_process(capfd, "--fuel", "909", hello) == (0, "Hello, world!\n", "")
    status, out, err = run_in_process(capfd, "--fuel", "100", hello)
    assert (status, out) == (134, "")
    assert err.endswith("wasm trap: all fuel consumed by WebAssembly\n")


# --- timeout ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("export", ["spin", "calls"])
def test_timeout_interrupts_within_twice_the_limit(engine: str, export: str) -> None:
    from wasmrun import launch
    from wasmrun.loader import load_module

    module = load_module(Path(LIMITS).read_bytes())
    options = EngineOptions(engine=engine)
    config = launch.RunConfig(argv=("limits.wat",), invoke=export, engine_options=options, timeout=0.2)
    started = time.perf_counter()
    with pytest.raises(launch.ExecutionError) as caught:
        launch.run_module(module, config)
    elapsed = time.perf_counter() - started
    assert caught.value.error.message == "interrupt"
    assert caught.value.error.frames  # where it stopped: a back edge or a call of the loop
    assert 0.2 <= elapsed < 0.4


@pytest.mark.parametrize("option", [["--timeout", "100ms"], ["-W", "timeout=100ms"]])
def test_timeout_on_the_command_line(option: list[str], capfd: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_in_process(capfd, *option, "--invoke", "calls", LIMITS)
    assert (status, out) == (134, "")
    assert err.endswith("    2: wasm trap: interrupt\n")


def test_a_guest_blocked_on_stdin_is_stopped_at_its_deadline() -> None:
    """The timeout bounds the whole run, whatever the guest does: a read waiting for input is interrupted."""
    command = [sys.executable, "-m", "wasmrun.cli.main", "--timeout", "500ms", "--invoke", "read_then_spin", LIMITS]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _out, err = process.communicate(timeout=20)  # stdin stays open and empty
    finally:
        process.kill()
    assert process.returncode == 134
    assert err.decode().endswith("    2: wasm trap: interrupt\n")


# --- memory and stack ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_runaway_grow_is_bounded_by_max_memory(engine: str, capfd: pytest.CaptureFixture[str]) -> None:
    """memory.grow returns -1 at the cap and the guest decides (here: it returns its size)."""
    args = ["--engine", engine, "--max-memory", "1MiB", "--invoke", "grow_forever", LIMITS]
    assert run_in_process(capfd, *args) == (0, "16\n", "")
    assert run_in_process(capfd, "-W", "max-memory-size=131072", "--invoke", "grow_forever", LIMITS) == (0, "2\n", "")


def test_a_minimum_above_the_cap_fails_instantiation_in_one_line(capfd: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_in_process(capfd, "--max-memory", "32KiB", "--invoke", "spin", LIMITS)
    assert (status, out, err.count("\n")) == (1, "", 1)
    assert err.startswith("Error: memory minimum size of 1 pages") and err.endswith(f"({LIMITS})\n")


# --- --json-report and --stats ---------------------------------------------------------------------------------


def json_report(capfd: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    """Run with ``--json-report -``; the object (the last thing on stderr), checked against the schema."""
    jsonschema = pytest.importorskip("jsonschema")
    status, _out, err = run_in_process(capfd, "--json-report", "-", *args)
    start = err.index("{\n")  # the object starts a line; the trap message, if any, comes before it
    report: dict[str, Any] = json.loads(err[start:])
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    assert report["exit_status"] == status
    return report


def test_report_of_an_exit(capfd: pytest.CaptureFixture[str]) -> None:
    report = json_report(capfd, "--fuel", "10000", str(EXAMPLES / "hello.wasm"))
    assert (report["outcome"], report["exit_status"]) == ("exit", 0)
    resources = report["resources"]
    assert (resources["instructions"], resources["peak_memory_pages"]) == (909, 2)
    assert resources["calls"] > 0 and resources["max_call_depth"] > 0


def test_report_of_a_proc_exit(capfd: pytest.CaptureFixture[str]) -> None:
    report = json_report(capfd, str(EXAMPLES / "exitcode.wasm"), "3")
    assert (report["outcome"], report["exit_status"], report["resources"]["instructions"]) == ("exit", 3, None)


@pytest.mark.parametrize("engine", ENGINES)
def test_report_of_a_trap_with_dwarf(engine: str, capfd: pytest.CaptureFixture[str]) -> None:
    report = json_report(capfd, "--engine", engine, str(EXAMPLES / "divz-debug.wasm"))
    assert (report["outcome"], report["exit_status"], report["trap"]) == ("trap", 134, "integer divide by zero")
    first = report["frames"][0]
    assert (first["name"], first["offset"]) == ("divide_cells", 0x1F4)
    assert first["source"] == [{"function": "divide_cells", "file": "examples/divz.c", "line": 21, "column": 18}]
    assert report["frames_total"] == len(report["frames"]) == 8


def test_report_of_running_out_of_fuel(capfd: pytest.CaptureFixture[str]) -> None:
    report = json_report(capfd, "--fuel", "1000", "--invoke", "spin", LIMITS)
    assert (report["outcome"], report["trap"]) == ("trap", "all fuel consumed by WebAssembly")
    assert report["resources"]["instructions"] == 1000 and report["frames"][0]["source"] == []


def test_report_of_stack_exhaustion(capfd: pytest.CaptureFixture[str]) -> None:
    report = json_report(capfd, "--max-stack-depth", "50", "--max-backtrace", "3", "--invoke", "exhaust", LIMITS)
    assert [frame["offset"] for frame in report["frames"]] == [None, 0x109, 0x109]
    assert report["frames_total"] == 51


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-file.wasm"], "cannot read file: No such file or directory (no-such-file.wasm)"),
        (["--max-memory", "32KiB", "--invoke", "spin", LIMITS], "memory minimum size of 1 pages"),
        (["--invoke", "missing", LIMITS], "no func export named `missing` found"),
    ],
)
def test_report_of_an_error(args: list[str], message: str, capfd: pytest.CaptureFixture[str]) -> None:
    report = json_report(capfd, *args)
    assert (report["outcome"], report["exit_status"]) == ("error", 1)
    assert report["error"].startswith(message)


def test_report_to_a_file(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    target = tmp_path / "report.json"
    assert run_in_process(capfd, "--json-report", str(target), str(EXAMPLES / "hello.wasm")) == (
        0,
        "Hello, world!\n",
        "",
    )
    report = json.loads(target.read_text())
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    assert report["outcome"] == "exit"


def test_a_report_that_cannot_be_written_is_a_usage_error_before_the_run(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "report.json"
    status, out, err = run_in_process(capfd, "--json-report", str(target), str(EXAMPLES / "hello.wasm"))
    assert (status, out) == (2, "")  # the guest did not run
    assert err.endswith(
        f"Error: Invalid value for '--json-report': cannot write '{target}': no directory '{target.parent}'\n"
    )


@pytest.mark.parametrize("name", ["", "."])
def test_a_report_path_that_is_a_directory_is_a_usage_error(
    name: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    status, out, _err = run_in_process(capfd, "--json-report", str(tmp_path / name), str(EXAMPLES / "hello.wasm"))
    assert (status, out) == (2, "")


def test_stats_on_a_pipe_are_plain_text(capfd: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_in_process(capfd, "--stats", "--fuel", "10000", str(EXAMPLES / "hello.wasm"))
    assert (status, out) == (0, "Hello, world!\n")
    lines = err.splitlines()
    assert lines[0] == "wasmrun stats:"
    names = [line.split(":")[0].strip() for line in lines[1:]]
    assert names == [
        "instructions executed",
        "calls",
        "max call depth",
        "peak memory",
        "functions interpreted",
        "functions compiled",
        "load time",
        "translation time",
        "run time",
    ]
    assert "  instructions executed: 909" in lines


def test_stats_come_after_the_trap_message(capfd: pytest.CaptureFixture[str]) -> None:
    status, _out, err = run_in_process(capfd, "--stats", str(EXAMPLES / "divz.wasm"))
    assert status == 134
    message, stats = err.split("wasmrun stats:\n")
    assert message.endswith("    2: wasm trap: integer divide by zero\n")
    assert "instructions executed" not in stats  # no fuel: not counted
