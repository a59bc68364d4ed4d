"""Exceptions to messages and exit statuses (wasmrun/cli/errors.py)."""

from __future__ import annotations

import pytest
from testdata import REPO_ROOT

from wasmrun.cli.errors import (
    COMMAND_DEFAULT,
    CliError,
    GuestFailure,
    InputError,
    Report,
    TrapReport,
    describe,
    format_trap,
    trap_context,
)
from wasmrun.errors import (
    DecodeError,
    InstantiationError,
    LinkError,
    ProcExit,
    TextSyntaxError,
    Trap,
    ValidationError,
)
from wasmrun.launch import CALL, INITIALIZE, INSTANTIATE
from wasmrun.loader import Module
from wasmrun.wasi.guest import WasiTrap


@pytest.mark.parametrize(
    ("error", "text", "status"),
    [
        (InputError(DecodeError("unexpected end", 0x1F), "app.wasm"), "Error: unexpected end (app.wasm:0x1f)", 1),
        (InputError(DecodeError("unexpected end"), "app.wasm"), "Error: unexpected end (app.wasm)", 1),
        (InputError(TextSyntaxError("unexpected token", 3, 5), "app.wat"), "Error: unexpected token (app.wat:3:5)", 1),
        (InputError(ValidationError("type mismatch", 0x2A), "app.wat"), "Error: type mismatch (app.wat:0x2a)", 1),
        (InputError(LinkError("unknown import"), "app.wasm"), "Error: unknown import (app.wasm)", 1),
        (InputError(InstantiationError("memory too big"), "app.wasm"), "Error: memory too big (app.wasm)", 1),
        (
            InputError(FileNotFoundError(2, "No such file or directory"), "x.wasm"),
            "Error: cannot read file: No such file or directory (x.wasm)",
            1,
        ),
        (DecodeError("unexpected end", 4), "Error: unexpected end", 1),
        (CliError("execution not implemented yet"), "Error: execution not implemented yet", 1),
        (CliError("bad", "f.wasm", exit_code=2), "Error: bad (f.wasm)", 2),
        (KeyboardInterrupt(), "", 130),
        (BrokenPipeError(), "", 1),
        (ProcExit(0), "", 0),
        (ProcExit(125), "", 125),
        (InputError(ProcExit(126), "a.wasm"), "Error: exit with invalid exit status outside of [0..126) (a.wasm)", 1),
        (
            TrapReport("Error: failed\n\nCaused by:\n    0: wasm trap: unreachable\n\n", 134),
            "Error: failed\n\nCaused by:\n    0: wasm trap: unreachable\n",
            134,
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else None,
)
def test_describe(error: BaseException, text: str, status: int) -> None:
    report = describe(error)
    assert (report.text, report.exit_code) == (text, status)


def test_unexpected_exception_is_one_line() -> None:
    report = describe(InputError(ValueError("boom"), "app.wasm"))
    assert report.exit_code == 1
    assert report.text.startswith("Error: internal error: ValueError: boom (app.wasm; ")
    assert "\n" not in report.text and "--traceback" in report.text


DIVZ_FRAMES = [(8, 0x1F4), (9, 0x208), (10, 0x2C8)]


def test_trap_is_134_in_wasmtimes_layout() -> None:
    trap = Trap("integer divide by zero")
    trap.frames = DIVZ_FRAMES
    module = Module.from_file(REPO_ROOT / "examples" / "divz.wasm")
    report = describe(GuestFailure(trap, "divz.wasm", context=(COMMAND_DEFAULT,), module=module))
    assert report == Report(
        "Error: failed to run main module `divz.wasm`\n"
        "\n"
        "Caused by:\n"
        "    0: failed to invoke command default\n"
        "    1: error while executing at wasm backtrace:\n"
        "    0:    0x1f4 - <unknown>!divide_cells\n"
        "    1:    0x208 - <unknown>!average_row\n"
        "    2:    0x2c8 - <unknown>!report\n"
        "    2: wasm trap: integer divide by zero",
        134,
    )


def test_trap_frames_limited() -> None:
    trap = Trap("integer divide by zero")
    trap.frames = DIVZ_FRAMES
    module = Module.from_file(REPO_ROOT / "examples" / "divz.wasm")
    text = format_trap(trap, "divz.wasm", module=module, max_frames=1)
    assert "0:    0x1f4 - <unknown>!divide_cells\n    2: wasm trap" in text


def test_trap_frame_without_a_module() -> None:
    trap = Trap("unreachable")
    trap.frames = [(5, 0x10)]
    assert "\n    0:     0x10 - <unknown>!<wasm function 5>\n" in format_trap(trap, "m.wasm")


def test_trap_without_frames() -> None:
    assert format_trap(Trap("interrupt"), "m.wasm", context=("failed to invoke `run`",)).endswith(
        "Caused by:\n    0: failed to invoke `run`\n    1: wasm trap: interrupt"
    )


def test_trap_without_context_has_one_unnumbered_cause() -> None:
    # Wasmtime numbers the causes only when there are several.
    assert format_trap(Trap("interrupt"), "m.wasm", context=()).endswith("Caused by:\n    wasm trap: interrupt")


def test_host_error_is_the_bare_message_and_exit_1() -> None:
    from wasmrun.errors import HostError

    error = HostError("unknown import: `env::f` has not been defined")
    error.frames = [(1, 0x20)]
    report = describe(GuestFailure(error, "m.wasm"))
    assert report.exit_code == 1
    assert report.text.endswith("\n    1: unknown import: `env::f` has not been defined")


@pytest.mark.parametrize(
    ("stage", "export", "context"),
    [
        (INSTANTIATE, None, ('failed to instantiate "dir/a \\"b\\".wasm"',)),
        (INITIALIZE, "_initialize", ()),
        (CALL, None, ("failed to invoke command default",)),
        (CALL, "add", ("failed to invoke `add`",)),
    ],
)
def test_trap_context(stage: str, export: str | None, context: tuple[str, ...]) -> None:
    assert trap_context(stage, export, 'dir/a "b".wasm') == context


@pytest.mark.parametrize(
    ("trap", "text"),
    [
        (
            WasiTrap("exit with invalid exit status outside of [0..126)"),
            "exit with invalid exit status outside of [0..126)",
        ),
        (
            WasiTrap(
                "In func wasi_snapshot_preview1::fd_write at convert Fd: Int conversion error",
                "Int conversion error",
                "too large",
            ),
            "In func wasi_snapshot_preview1::fd_write at convert Fd: Int conversion error: too large",
        ),
    ],
)
def test_failed_wasi_call_is_one_line_and_1(trap: WasiTrap, text: str) -> None:
    trap.frames = DIVZ_FRAMES
    assert describe(GuestFailure(trap, "app.wasm")) == Report(f"Error: {text} (app.wasm)", 1)
    assert describe(InputError(trap, "app.wasm")) == Report(f"Error: {text} (app.wasm)", 1)
