"""``wasmrun run``: WASI programs in shell pipelines, ``--invoke``, exit statuses and messages (docs/cli.md).

Most cases call :func:`wasmrun.cli.main.main` in this process and read fds 1
and 2 with ``capfd`` (the guest writes to them directly); the cases about the
process itself (pipes, signals, stdin, exit) run ``python -m wasmrun.cli.main``.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from testdata import REPO_ROOT

from wasmrun.cli.main import main

EXAMPLES = REPO_ROOT / "examples"
DATA = REPO_ROOT / "tests" / "data" / "run"
TYPED = str(DATA / "typed.wat")
UPPER_TABLE = bytes.maketrans(b"abcdefghijklmnopqrstuvwxyz", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def example(name: str) -> str:
    return str(EXAMPLES / name)


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "wasmrun.cli.main", *args]


def wasmrun(*args: str, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(command(*args), input=stdin, capture_output=True, timeout=timeout, check=False)


def run_in_process(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capfd.readouterr()
    return status, captured.out, captured.err


# --- stdin -> stdout, byte-exact, and closed pipes ------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"abc\x00\xffxyz\n\r\n\x80\x7f",
        bytes(range(256)) * 4500,  # over 1 MB, every byte value
    ],
    ids=["nul-and-ff", "over-1MB"],
)
def test_upper_is_byte_exact(data: bytes) -> None:
    result = wasmrun(example("upper.wasm"), stdin=data)
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == data.translate(UPPER_TABLE)


def pipe_into(consumer: list[str], *args: str, stdin: bytes = b"") -> tuple[int, bytes, bytes]:
    """``wasmrun ARGS | CONSUMER``: wasmrun's status and stderr, and the consumer's output."""
    producer = subprocess.Popen(command(*args), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert producer.stdin is not None and producer.stdout is not None and producer.stderr is not None
    reader = subprocess.Popen(consumer, stdin=producer.stdout, stdout=subprocess.PIPE)
    producer.stdout.close()  # the consumer holds the only read end: when it exits, writes get EPIPE
    try:
        producer.stdin.write(stdin)
        producer.stdin.close()
    except BrokenPipeError:
        pass
    output, _ = reader.communicate(timeout=60)
    error = producer.stderr.read()
    producer.stderr.close()
    return producer.wait(timeout=60), error, output


@pytest.mark.parametrize("lines", ["-1", "-0"])
def test_hello_into_head_exits_quietly(lines: str) -> None:
    status, error, output = pipe_into(["head", lines], example("hello.wasm"))
    assert (status, error) == (0, b"")
    assert output == (b"Hello, world!\n" if lines == "-1" else b"")


def test_a_closed_pipe_reaches_the_guest_as_epipe() -> None:
    data = b"abc" * 400_000  # more than a pipe holds: the guest is still writing when head exits
    status, error, output = pipe_into(["head", "-c", "10"], example("upper.wasm"), stdin=data)
    assert output == b"ABCABCABCA"
    # upper.c reports the failed write and exits 1: the guest decides, wasmrun adds nothing.
    assert (status, error) == (1, b"upper: write error: Broken pipe\n")


def test_an_interactive_program_works_through_pipes() -> None:
    """The prompt arrives before any input is given: output is written through, input read lazily."""
    process = subprocess.Popen(
        command(str(DATA / "prompt.wat")), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 60)
    assert ready, "no prompt within 60 s"
    assert os.read(process.stdout.fileno(), 100) == b"name? "
    output, error = process.communicate(b"Ada\n", timeout=60)
    assert (process.returncode, output, error) == (0, b"hello, Ada\n", b"")


def _sigint_as_in_a_terminal() -> None:
    # A shell runs a background job with SIGINT ignored, and a child inherits that: Ctrl-C would not reach it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_while_the_guest_waits_for_input_is_130() -> None:
    process = subprocess.Popen(
        command(str(DATA / "prompt.wat")),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_sigint_as_in_a_terminal,
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 60)
    assert ready, "no prompt within 60 s"
    process.send_signal(signal.SIGINT)
    output, error = process.communicate(timeout=60)
    assert (process.returncode, output, error) == (130, b"name? ", b"")


def test_guest_output_comes_before_invoke_results() -> None:
    # With Python's own buffering on (no PYTHONUNBUFFERED), as for most users.
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    line = command("--invoke", "ready", str(DATA / "reactor.wat"))
    result = subprocess.run(line, capture_output=True, timeout=60, check=False, env=environment)
    assert (result.returncode, result.stdout, result.stderr) == (0, b"init\n42\n", b"")


def test_invoke_results_into_a_closed_pipe() -> None:
    status, error, output = pipe_into(["head", "-c", "0"], "--invoke", "negate", TYPED, "5")
    assert (error, output) == (b"", b"")
    assert status in (0, 1)  # 1 when the result was written after head had gone; never a traceback


def test_module_from_stdin() -> None:
    result = wasmrun("-", "a", stdin=(EXAMPLES / "hello.wasm").read_bytes())
    assert (result.returncode, result.stdout, result.stderr) == (0, b"Hello, world!\n", b"")


def test_text_module_from_stdin_with_invoke() -> None:
    result = wasmrun("--invoke", "negate", "-", "7", stdin=Path(TYPED).read_bytes())
    assert (result.returncode, result.stdout, result.stderr) == (0, b"-7\n", b"")


def test_timeout_is_an_interrupt_trap() -> None:
    result = wasmrun("--timeout", "200ms", "--invoke", "spin", TYPED)
    assert result.returncode == 134
    assert result.stderr.decode().endswith("    2: wasm trap: interrupt\n")
    assert "0: failed to invoke `spin`" in result.stderr.decode()


def test_process_exit_status_is_the_guests() -> None:
    result = wasmrun(example("exitcode.wasm"), "3")
    assert (result.returncode, result.stdout, result.stderr) == (3, b"", b"")


# --- exit statuses and messages -------------------------------------------------------------------------


@pytest.mark.parametrize("code", [0, 1, 3, 125])
def test_proc_exit_status_is_relayed(code: int, capfd: pytest.CaptureFixture[str]) -> None:
    assert run_in_process(capfd, example("exitcode.wasm"), str(code)) == (code, "", "")


def test_proc_exit_126_is_refused(capfd: pytest.CaptureFixture[str]) -> None:
    module = example("exitcode.wasm")
    message = f"Error: exit with invalid exit status outside of [0..126) ({module})\n"
    assert run_in_process(capfd, module, "126") == (1, "", message)


DIVZ_FRAMES = [
    ("0x1f4", "divide_cells", "examples/divz.c:21:18"),
    ("0x208", "average_row", "examples/divz.c:28:12"),
    ("0x2c8", "report", "examples/divz.c:32:19"),
    ("0x314", "main", "examples/divz.c:38:5"),
    ("0x2775", "__main_void", None),
    ("0x31f", "__original_main", "././libc-bottom-half/sources/__original_main.c:9:12"),
    ("0x1d8", "_start", "./build/./libc-bottom-half/crt/crt1-command.c:12:13"),
    ("0x62e1", "_start.command_export", None),
]
DETAILS_HINT = "note: using the `WASMTIME_BACKTRACE_DETAILS=1` environment variable may show more debugging information"


def divz_report(module: str, *, dwarf: bool, frames: int = len(DIVZ_FRAMES), hint: bool = False) -> str:
    lines = [
        f"Error: failed to run main module `{module}`",
        "",
        "Caused by:",
        "    0: failed to invoke command default",
        "    1: error while executing at wasm backtrace:",
    ]
    for number, (offset, name, source) in enumerate(DIVZ_FRAMES[:frames]):
        if dwarf and source is not None:
            name = "__main_argc_argv" if name == "main" else name  # DWARF names C's main by its linkage name
            lines += [f"    {number}: {offset:>8} - {name}", f"                    at {source}"]
        else:
            lines.append(f"    {number}: {offset:>8} - <unknown>!{name}")
    if hint:
        lines.append(DETAILS_HINT)  # the backtrace's own last line, at the start of the line as Wasmtime 49 prints it
    lines.append("    2: wasm trap: integer divide by zero")
    return "\n".join(lines) + "\n"


def test_trap_layout_with_names(capfd: pytest.CaptureFixture[str]) -> None:
    module = example("divz.wasm")
    assert run_in_process(capfd, module) == (134, "", divz_report(module, dwarf=False))


def test_trap_layout_with_dwarf_lines(capfd: pytest.CaptureFixture[str]) -> None:
    module = example("divz-debug.wasm")
    assert run_in_process(capfd, module) == (134, "", divz_report(module, dwarf=True))


def test_no_backtrace_details(capfd: pytest.CaptureFixture[str]) -> None:
    module = example("divz-debug.wasm")
    expected = divz_report(module, dwarf=False, hint=True)
    assert run_in_process(capfd, "--no-backtrace-details", module) == (134, "", expected)


def test_wasmtime_backtrace_details_0(capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WASMTIME_BACKTRACE_DETAILS", "0")
    module = example("divz-debug.wasm")
    assert run_in_process(capfd, module) == (134, "", divz_report(module, dwarf=False, hint=True))


@pytest.mark.parametrize("option", [["--max-backtrace", "2"], ["-D", "max-backtrace=2"]])
def test_max_backtrace(option: list[str], capfd: pytest.CaptureFixture[str]) -> None:
    module = example("divz.wasm")
    assert run_in_process(capfd, *option, module) == (134, "", divz_report(module, dwarf=False, frames=2))


def test_divz_with_an_argument_does_not_trap(capfd: pytest.CaptureFixture[str]) -> None:
    assert run_in_process(capfd, example("divz.wasm"), "4") == (0, "average of 4 cells: 25\n", "")


def test_trap_in_an_invoked_export(capfd: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_in_process(capfd, "--invoke", "fail", TYPED)
    assert (status, out) == (134, "")
    assert err.startswith(f"Error: failed to run main module `{TYPED}`\n\nCaused by:\n    0: failed to invoke `fail`\n")
    assert err.endswith("    2: wasm trap: wasm `unreachable` instruction executed\n")


def write_module(tmp_path: Path, text: str) -> str:
    module = tmp_path / "m.wat"
    module.write_text(text)
    return str(module)


def test_trap_in_the_start_function(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    module = write_module(tmp_path, "(module (func $boom unreachable) (start $boom))")
    status, _, err = run_in_process(capfd, module)
    assert status == 134
    assert f'    0: failed to instantiate "{module}"\n    1: error while executing at wasm backtrace:\n' in err


def test_trap_in_initialize_has_no_invoke_context(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    module = write_module(tmp_path, '(module (func (export "_initialize") unreachable))')
    status, _, err = run_in_process(capfd, module)
    assert status == 134
    assert err.startswith(f"Error: failed to run main module `{module}`\n\nCaused by:\n    0: error while executing")


def test_a_failed_wasi_call_is_one_line_and_1(capfd: pytest.CaptureFixture[str]) -> None:
    module = str(DATA / "reactor.wat")
    message = f"Error: Pointer out of bounds: Region {{ start: 70000, len: 4 }} ({module})\n"
    assert run_in_process(capfd, "--invoke", "bad_pointer", module) == (1, "init\n", message)


def test_unknown_import_is_one_line_and_1(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    module = write_module(tmp_path, '(module (import "env" "missing" (func)))')
    message = f"Error: unknown import: `env::missing` has not been defined ({module})\n"
    assert run_in_process(capfd, module) == (1, "", message)


def test_wasi_name_without_a_function_is_an_unknown_import(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    module = write_module(tmp_path, '(module (import "wasi_snapshot_preview1" "no_such_call" (func)))')
    status, _, err = run_in_process(capfd, module)
    assert (status, err.count("\n")) == (1, 1)
    assert "unknown import: `wasi_snapshot_preview1::no_such_call`" in err


def test_a_module_without_start_or_invoke_runs_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    """As Wasmtime: instantiate (running a start function if any), call nothing, succeed."""
    assert run_in_process(capfd, example("add.wat")) == (0, "", "")


def test_reactor_initializes_before_invoke(capfd: pytest.CaptureFixture[str]) -> None:
    assert run_in_process(capfd, "--invoke", "ready", str(DATA / "reactor.wat")) == (0, "init\n42\n", "")


def test_max_memory_below_the_module_minimum(capfd: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_in_process(capfd, "--max-memory", "64KiB", "--invoke", "nothing", TYPED)
    assert (status, out, err.count("\n")) == (1, "", 1)
    assert err.startswith("Error: memory minimum size of 2 pages") and err.endswith(f"({TYPED})\n")


def test_max_stack_depth(capfd: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_in_process(capfd, "--max-stack-depth", "100", "--invoke", "recurse", TYPED, "1000")
    assert status == 134
    assert err.endswith("wasm trap: call stack exhausted\n")
    assert run_in_process(capfd, "--max-stack-depth", "5000", "--invoke", "recurse", TYPED, "1000") == (0, "1000\n", "")


@pytest.mark.parametrize("engine", ["interp", "compile", "auto"])
def test_engines(engine: str, capfd: pytest.CaptureFixture[str]) -> None:
    assert run_in_process(capfd, "--engine", engine, example("hello.wasm")) == (0, "Hello, world!\n", "")


# --- --invoke: typed arguments, results as Wasmtime prints them ------------------------------------------

INVOKE_CASES = [
    ("negate", ["5"], "-5"),
    ("negate", ["-2147483648"], "-2147483648"),
    ("negate", ["0x10"], "-16"),
    ("negate", ["1", "2"], "-1"),  # extra arguments are ignored, as Wasmtime ignores them
    ("mul64", ["4294967296", "-3"], "-12884901888"),
    ("mul64", ["-9223372036854775808", "1"], "-9223372036854775808"),
    ("div32", ["1", "3"], "0.33333334"),
    ("div32", ["1", "0"], "inf"),
    ("div32", ["-1", "0"], "-inf"),
    ("div32", ["0", "0"], "NaN"),
    ("div32", ["-1", "inf"], "-0"),
    ("div32", ["16777217", "1"], "16777216"),
    ("div64", ["1", "3"], "0.3333333333333333"),
    ("div64", ["1e-7", "1"], "0.0000001"),
    ("div64", ["1e21", "1"], "1000000000000000000000"),
    ("div64", ["-0", "1"], "-0"),
    ("div64", ["nan", "1"], "NaN"),
    ("div64", ["0x1p-1", "1"], "0.5"),
    ("swap", ["7", "2.5"], "2.5\n7"),
    ("nothing", [], None),
]


@pytest.mark.parametrize(
    ("function", "args", "expected"), INVOKE_CASES, ids=lambda v: " ".join(v) if isinstance(v, list) else v
)
def test_invoke(function: str, args: list[str], expected: str | None, capfd: pytest.CaptureFixture[str]) -> None:
    output = "" if expected is None else expected + "\n"
    assert run_in_process(capfd, "--invoke", function, TYPED, *args) == (0, output, "")


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["negate"], 1, "not enough arguments for `negate`: it takes 1 argument, got 0"),
        (["negate", "x"], 1, "argument 1 of `negate`: invalid i32 value 'x'"),
        (["negate", "4294967295"], 1, "argument 1 of `negate`: i32 value 4294967295 out of range"),
        (["div32", "1", "one"], 1, "argument 2 of `div32`: invalid f32 value 'one'"),
        (["missing"], 1, "no func export named `missing` found"),
        (["answer"], 1, "no func export named `answer` found"),  # a global, not a function
    ],
)
def test_invoke_errors(args: list[str], status: int, message: str, capfd: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_in_process(capfd, "--invoke", args[0], TYPED, *args[1:])
    assert (code, out, err.count("\n")) == (status, "", 1)
    assert err.startswith(f"Error: {message}") and err.endswith(f"({TYPED})\n")


# --- the guest's world: argv, environment, preopened directories -----------------------------------------


def echo(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[list[str], list[str]]:
    """Run echo.wat; its (argv, environment) lines."""
    status, out, err = run_in_process(capfd, *args)
    assert (status, err) == (0, "")
    argv, _, environment = out.partition("-- environment --\n")
    return argv.splitlines(), environment.splitlines()


ECHO = str(DATA / "echo.wat")


def test_argv0_is_the_module_base_name(capfd: pytest.CaptureFixture[str]) -> None:
    assert echo(capfd, ECHO, "a", "b c", "--help") == (["echo.wat", "a", "b c", "--help"], [])


def test_argv0_option(capfd: pytest.CaptureFixture[str]) -> None:
    assert echo(capfd, "--argv0", "prog", ECHO, "x")[0] == ["prog", "x"]


def test_separator_after_the_module_is_dropped(capfd: pytest.CaptureFixture[str]) -> None:
    assert echo(capfd, ECHO, "--", "--", "a")[0] == ["echo.wat", "--", "a"]


def test_env(capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WASMRUN_TEST_HOST", "from host")
    monkeypatch.delenv("WASMRUN_TEST_ABSENT", raising=False)
    args = ["--env", "A=1", "--env", "B=x=y", "--env", "WASMRUN_TEST_HOST", "--env", "WASMRUN_TEST_ABSENT", ECHO]
    assert echo(capfd, *args)[1] == ["A=1", "B=x=y", "WASMRUN_TEST_HOST=from host"]


def test_inherit_env(capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WASMRUN_TEST_HOST", "inherited")
    environment = echo(capfd, "--inherit-env", "--env", "WASMRUN_TEST_HOST=overridden", ECHO)[1]
    assert "WASMRUN_TEST_HOST=overridden" in environment
    assert f"PATH={os.environ['PATH']}" in environment


def test_dir_with_copy(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    data = bytes(range(256)) * 300
    (tmp_path / "a").write_bytes(data)
    args = ["--dir", f"{tmp_path}::/data", example("copy.wasm"), "/data/a", "/data/b"]
    assert run_in_process(capfd, *args) == (0, f"copied {len(data)} bytes\n", "")
    assert (tmp_path / "b").read_bytes() == data


def test_dir_outside_the_preopen_is_refused(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a").write_bytes(b"x")
    status, out, err = run_in_process(capfd, "--dir", f"{tmp_path}::/data", example("copy.wasm"), "/data/a", "/b")
    assert (status, out) == (1, "")
    assert err.startswith("copy: /b: ")


def test_missing_dir_is_one_line_and_1(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing"
    message = f"Error: cannot open directory: No such file or directory ({missing})\n"
    assert run_in_process(capfd, "--dir", str(missing), example("hello.wasm")) == (1, "", message)


# --- start-up: a run imports what it needs and nothing else ------------------------------------------------

HEAVY = ("rich", "elftools", "jsonschema", "fractions", "wasmrun.text", "wasmrun.cli.inspect", "wasmrun.debug")


def modules_after_run(*args: str) -> set[str]:
    code = (
        "import sys; from wasmrun.cli.main import main; status = main(sys.argv[1:]); "
        "print(' '.join(sorted(sys.modules)), file=sys.stderr); sys.exit(status)"
    )
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60, check=True)
    return set(result.stderr.split())


def test_a_wasi_run_imports_no_heavy_module() -> None:
    loaded = modules_after_run(example("hello.wasm"))
    assert {"wasmrun.wasi.context", "wasmrun.engine.interpreter"} <= loaded
    assert sorted(name for name in loaded if name.startswith(HEAVY)) == []


def test_a_module_without_wasi_imports_does_not_load_wasi(tmp_path: Path) -> None:
    from wasmrun.loader import to_binary

    module = tmp_path / "add.wasm"
    module.write_bytes(to_binary((EXAMPLES / "add.wat").read_bytes()))
    loaded = modules_after_run("--invoke", "add", str(module), "1", "2")
    assert "wasmrun.wasi.context" not in loaded
    assert sorted(name for name in loaded if name.startswith(HEAVY)) == []


def test_the_start_function_can_call_wasi(capfd: pytest.CaptureFixture[str]) -> None:
    # As in Wasmtime, WASI reaches the exported memory while the start function runs.
    assert run_in_process(capfd, str(DATA / "start_wasi.wat")) == (0, "hi from start\n", "")


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("(module (func (try (do) (catch_all))))", "module uses the legacy exception-handling proposal"),
    ],
)
def test_a_proposal_wasmrun_lacks_is_one_line_naming_it(
    source: str, named: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.wat"
    path.write_text(source)
    status, out, err = run_in_process(capfd, str(path))
    assert (status, out) == (1, "")
    assert err.count("\n") == 1 and err.startswith(f"Error: {named}")
