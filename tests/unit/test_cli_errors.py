"""Exceptions to messages and exit statuses (wasmrun/cli/errors.py)."""

from __future__ import annotations

import pytest

from wasmrun.cli.errors import CliError, InputError, describe, format_trap
from wasmrun.errors import (
    DecodeError,
    InstantiationError,
    LinkError,
    ProcExit,
    TextSyntaxError,
    Trap,
    ValidationError,
)


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
    assert "\n" not in report.text and "--debug" in report.text


def test_trap_is_134_in_wasmtimes_layout() -> None:
    trap = Trap("integer divide by zero")
    trap.frames = [(3, 0x1F7), (4, 0x230), (7, 0x265)]
    report = describe(InputError(trap, "divz.wasm"))
    assert report.exit_code == 134
    names = {3: "divide_cells", 4: "average_row", 7: "report"}
    assert format_trap(trap, "divz.wasm", function_names=names) == (
        "Error: failed to run main module `divz.wasm`\n"
        "\n"
        "Caused by:\n"
        "    0: failed to invoke command default\n"
        "    1: error while executing at wasm backtrace:\n"
        "           0:    0x1f7 - <unknown>!divide_cells\n"
        "           1:    0x230 - <unknown>!average_row\n"
        "           2:    0x265 - <unknown>!report\n"
        "    2: wasm trap: integer divide by zero"
    )


def test_trap_frame_without_a_name() -> None:
    trap = Trap("unreachable")
    trap.frames = [(5, 0x10)]
    assert "0:     0x10 - <wasm function 5>" in format_trap(trap, "m.wasm")


def test_trap_without_frames() -> None:
    assert format_trap(Trap("interrupt"), "m.wasm", invoke="run").endswith(
        "Caused by:\n    0: failed to invoke `run`\n    1: wasm trap: interrupt"
    )
