"""The one place that turns exceptions into messages and exit statuses.

The rules are the CLI contract's (``cli-contract.md``):

- errors other than traps: one line on stderr, ``Error: <what> (<file>[:where])``,
  exit status 1 (read, decode, validate, link, instantiate);
- traps: Wasmtime's layout (``Caused by:`` and the wasm backtrace), exit status 134;
- ``proc_exit(n)``: status ``n`` for 0 <= n < 126, otherwise an error and 1;
- usage errors: click's message, exit status 2;
- Ctrl-C: exit status 130, no message;
- wasmrun's own output to a closed pipe: exit status 1, no message;
- anything else is a bug in wasmrun: one line, ``Error: internal error: ...``
  with a hint to use ``--debug``, and exit status 1; never a Python traceback
  unless ``--debug`` asked for one.

Where: a byte offset in the module's binary form as ``file:0x1f`` (for a text
module, the offset in its encoding), a text position as ``file:line:column``.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import dataclass

from wasmrun.errors import (
    DecodeError,
    ProcExit,
    TextSyntaxError,
    Trap,
    ValidationError,
    WasmError,
)

EXIT_SUCCESS = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TRAP = 134

# Wasmtime's limit: statuses from 126 up are reserved by shells.
MAX_EXIT_STATUS = 125


class CliError(Exception):
    """A failure that wasmrun itself reports: a message, an optional file, an exit status."""

    def __init__(self, message: str, source: str | None = None, exit_code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.exit_code = exit_code


class InputError(Exception):
    """An error tied to an input file, named as the user gave it (``<stdin>`` for ``-``)."""

    def __init__(self, cause: BaseException, source: str) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.source = source


@dataclass(frozen=True, slots=True)
class Report:
    """What to print on stderr (possibly nothing) and the exit status."""

    text: str
    exit_code: int


def describe(error: BaseException) -> Report:
    """The message and exit status for ``error`` (see the module docstring)."""
    source: str | None = None
    if isinstance(error, InputError):
        source = error.source
        error = error.cause
    if isinstance(error, KeyboardInterrupt):
        return Report("", EXIT_INTERRUPTED)
    if isinstance(error, BrokenPipeError):
        # wasmrun's own output went to a closed pipe (`wasmrun wast ... | head -1`): stop quietly, as click does.
        return Report("", EXIT_FAILURE)
    if isinstance(error, ProcExit):
        if 0 <= error.code <= MAX_EXIT_STATUS:
            return Report("", error.code)
        return Report(_line("exit with invalid exit status outside of [0..126)", source), EXIT_FAILURE)
    if isinstance(error, Trap):
        return Report(format_trap(error, source or "<unknown>"), EXIT_TRAP)
    if isinstance(error, CliError):
        return Report(_line(error.message, error.source or source), error.exit_code)
    if isinstance(error, WasmError):
        return Report(_line(error.message, _where(error, source)), EXIT_FAILURE)
    if isinstance(error, OSError):
        reason = error.strerror or str(error)
        return Report(_line(f"cannot read file: {reason}", source), EXIT_FAILURE)
    name = type(error).__name__
    detail = f"{name}: {error}" if str(error) else name
    where = f"{source}; " if source else ""
    hint = f"{where}a bug in wasmrun: run with --debug for the traceback to report"
    return Report(f"Error: internal error: {detail} ({hint})", EXIT_FAILURE)


def debug_traceback(error: BaseException) -> str:
    """The Python traceback of ``error`` (or of the error an :class:`InputError` wraps), for ``--debug``."""
    if isinstance(error, InputError):
        error = error.cause
    return "".join(traceback.format_exception(error))


def _line(what: str, where: str | None) -> str:
    return f"Error: {what} ({where})" if where else f"Error: {what}"


def _where(error: WasmError, source: str | None) -> str | None:
    if source is None:
        return None
    if isinstance(error, TextSyntaxError) and error.line is not None:
        column = f":{error.column}" if error.column is not None else ""
        return f"{source}:{error.line}{column}"
    if isinstance(error, DecodeError | ValidationError) and error.offset is not None:
        return f"{source}:0x{error.offset:x}"
    return source


def format_trap(
    trap: Trap,
    module_file: str,
    *,
    invoke: str | None = None,
    function_names: Mapping[int, str] | None = None,
    module_name: str | None = None,
    max_frames: int | None = None,
) -> str:
    """A trap in Wasmtime's layout (the CLI contract's example), innermost frame first."""
    names = function_names or {}
    what = f"failed to invoke `{invoke}`" if invoke is not None else "failed to invoke command default"
    causes = [what]
    frames = trap.frames if max_frames is None else trap.frames[:max_frames]
    if frames:
        lines = ["error while executing at wasm backtrace:"]
        for number, (function_index, offset) in enumerate(frames):
            name = names.get(function_index)
            label = f"{module_name or '<unknown>'}!{name}" if name else f"<wasm function {function_index}>"
            lines.append(f"  {number:>3}: {offset:>#8x} - {label}")
        causes.append("\n       ".join(lines))
    causes.append(f"wasm trap: {trap.message}")
    body = "\n".join(f"    {number}: {cause}" for number, cause in enumerate(causes))
    return f"Error: failed to run main module `{module_file}`\n\nCaused by:\n{body}"
