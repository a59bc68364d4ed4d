"""The one place that turns exceptions into messages and exit statuses.

The rules are the CLI contract's (``docs/cli.md``):

- errors other than traps: one line on stderr, ``Error: <what> (<file>[:where])``,
  exit status 1 (read, decode, validate, link, instantiate);
- traps: Wasmtime's layout (``Caused by:`` and the wasm backtrace), exit status 134 (1 for an
  uncaught wasm exception, whose last cause is ``thrown Wasm exception``);
- a failed WASI call (a host error in Wasmtime, e.g. a bad pointer, or
  ``proc_exit(n)`` with n >= 126): exit status 1, as Wasmtime's CLI, but one
  line, as the contract wants of every error that is not a trap;
- ``proc_exit(n)``: status ``n`` for 0 <= n < 126;
- usage errors: click's message, exit status 2;
- Ctrl-C: exit status 130, no message;
- wasmrun's own output to a closed pipe: exit status 1, no message;
- anything else is a bug in wasmrun: one line, ``Error: internal error: ...``
  with a hint to use ``--traceback``, and exit status 1; never a Python traceback
  unless ``--traceback`` (or ``WASMRUN_TRACEBACK=1``) asked for one.

Where: a byte offset in the module's binary form as ``file:0x1f`` (for a text
module, the offset in its encoding), a text position as ``file:line:column``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from wasmrun.errors import (
    DecodeError,
    HostError,
    ProcExit,
    TextSyntaxError,
    Trap,
    ValidationError,
    WasmError,
    WasmException,
)

if TYPE_CHECKING:
    from wasmrun.module import Module

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


class GuestFailure(Exception):
    """A trap or a failed WASI call while a module ran, with what its report needs.

    ``context`` is Wasmtime's chain above the backtrace, outermost first (see
    :func:`trap_context`); ``module`` names the frames (name section, DWARF);
    ``max_frames`` and ``details`` are ``--max-backtrace`` and the DWARF switch.
    """

    def __init__(
        self,
        error: Trap,
        module_file: str,
        *,
        context: Sequence[str] = (),
        module: Module | None = None,
        max_frames: int | None = None,
        details: bool = True,
    ) -> None:
        super().__init__(str(error))
        self.error = error
        self.module_file = module_file
        self.context = tuple(context)
        self.module = module
        self.max_frames = max_frames
        self.details = details


class TrapReport(Exception):
    """A trap whose whole report is already written, in Wasmtime's layout (a component's:
    :meth:`wasmrun.component_launch.ComponentTrap.report`), with its exit status."""

    def __init__(self, report: str, exit_code: int) -> None:
        super().__init__(report)
        self.report = report
        self.exit_code = exit_code


class Report(NamedTuple):  # not a dataclass: defined at every start-up (see wasmrun.cli.config)
    """What to print on stderr (possibly nothing) and the exit status."""

    text: str
    exit_code: int


def describe(error: BaseException) -> Report:
    """The message and exit status for ``error`` (see the module docstring).

    Names in it come from the module: their non-printable characters are escaped (wasmrun.printable),
    line breaks too where the message is one line.
    """
    from wasmrun.printable import escape_lines

    report = _describe(error)
    return Report(escape_lines(report.text), report.exit_code)


def _describe(error: BaseException) -> Report:
    source: str | None = None
    if isinstance(error, InputError):
        source = error.source
        error = error.cause
    if isinstance(error, GuestFailure):
        return _describe_guest_failure(error)
    if isinstance(error, TrapReport):
        return Report(error.report.removesuffix("\n"), error.exit_code)
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
        if _is_host_error(error):
            return Report(_line(_host_error_text(error), source), EXIT_FAILURE)
        return Report(format_trap(error, source or "<unknown>"), _trap_status(error))
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
    hint = f"{where}a bug in wasmrun: run with --traceback for the traceback to report"
    return Report(_line(f"internal error: {detail}", hint), EXIT_FAILURE)


def debug_traceback(error: BaseException) -> str:
    """The Python traceback of ``error`` (or of the error an :class:`InputError` wraps), for ``--traceback``."""
    import traceback  # only --debug needs it

    if isinstance(error, InputError):
        error = error.cause
    return "".join(traceback.format_exception(error))


def _line(what: str, where: str | None) -> str:
    """A one-line error: a line break in a name from the module is escaped like any control character."""
    from wasmrun.printable import escape_debug

    return escape_debug(f"Error: {what} ({where})" if where else f"Error: {what}")


def _where(error: WasmError, source: str | None) -> str | None:
    if source is None:
        return None
    if isinstance(error, TextSyntaxError) and error.line is not None:
        column = f":{error.column}" if error.column is not None else ""
        return f"{source}:{error.line}{column}"
    if isinstance(error, DecodeError | ValidationError) and error.offset is not None:
        return f"{source}:0x{error.offset:x}"
    return source


def _describe_guest_failure(failure: GuestFailure) -> Report:
    error = failure.error
    if _is_host_error(error):
        return Report(_line(_host_error_text(error), failure.module_file), EXIT_FAILURE)
    text = format_trap(
        error,
        failure.module_file,
        context=failure.context,
        module=failure.module,
        max_frames=failure.max_frames,
        details=failure.details,
    )
    return Report(text, _trap_status(error))


def _trap_status(error: Trap) -> int:
    """134 for a trap; 1 for an exception nothing caught and for a host function's error (Wasmtime 49
    reports them in a trap's layout, the last cause ``thrown Wasm exception`` or the error's own text,
    but exits with 1: they are not traps)."""
    return EXIT_FAILURE if isinstance(error, WasmException | HostError) else EXIT_TRAP


def _is_host_error(error: Trap) -> bool:
    """A failed WASI call (a WasiTrap): Wasmtime's CLI reports it with status 1, not as a trap."""
    from wasmrun.wasi.guest import WasiTrap  # small: no WASI function comes with it

    return isinstance(error, WasiTrap)


def _host_error_text(error: Trap) -> str:
    """A WASI failure's "Caused by" chain on one line, as anyhow's ``{:#}`` joins it.

    A cause that only repeats the end of the text so far (a wrapper's message
    includes its cause) is left out.
    """
    text = ""
    for cause in getattr(error, "causes", None) or (error.message,):
        if not text:
            text = cause
        elif not text.endswith(cause):
            text = f"{text}: {cause}"
    return text


COMMAND_DEFAULT = "failed to invoke command default"


def trap_context(stage: str, export: str | None, module_file: str) -> tuple[str, ...]:
    """Wasmtime 50's context lines above the backtrace for a trap in ``stage`` (see :mod:`wasmrun.launch`).

    The start function traps "while instantiating"; ``_initialize`` has no
    context of its own; a called export is "command default" or its name.
    """
    from wasmrun.launch import CALL, INSTANTIATE

    if stage == INSTANTIATE:
        return (f"failed to instantiate {_rust_debug_string(module_file)}",)
    if stage == CALL:
        return (COMMAND_DEFAULT if export is None else f"failed to invoke `{export}`",)
    return ()


def _rust_debug_string(text: str) -> str:
    """``text`` as Rust's ``{:?}`` prints a string: quoted, quotes and backslashes escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def format_trap(
    trap: Trap,
    module_file: str,
    *,
    context: Sequence[str] = (COMMAND_DEFAULT,),
    module: Module | None = None,
    max_frames: int | None = None,
    details: bool = True,
) -> str:
    """A trap in Wasmtime 49's layout (the CLI contract's example), innermost frame first.

    Wasmtime's error prints its chain of causes as ``{:>5}: cause`` (a lone cause as
    ``    cause``), each cause's text as it is: the lines after its first are not indented,
    so the frames of the backtrace (one cause, headed by ``error while executing at wasm
    backtrace:``) are indented by their own 4 columns.
    """
    from wasmrun.debug.backtrace import DEFAULT_MAX_FRAMES, HEADER, Frame, backtrace_lines

    limit = DEFAULT_MAX_FRAMES if max_frames is None else max_frames
    if module is not None:
        lines = backtrace_lines(module, trap.frames, max_frames=limit, details=details)
    else:
        shown = [Frame(index, offset, f"<wasm function {index}>", None) for index, offset in trap.frames[:limit]]
        lines = [line for number, frame in enumerate(shown) for line in frame.lines(number)]
    causes = list(context)
    if lines:
        causes.append("\n".join([HEADER, *lines]))
    # An uncaught exception or a host function's error is no trap: Wasmtime's last cause is the bare message.
    causes.append(trap.message if isinstance(trap, WasmException | HostError) else f"wasm trap: {trap.message}")
    if len(causes) == 1:
        body = f"    {causes[0]}"
    else:
        body = "\n".join(f"{number:>5}: {cause}" for number, cause in enumerate(causes))
    return f"Error: failed to run main module `{module_file}`\n\nCaused by:\n{body}"


def report_error(error: BaseException, *, debug: bool) -> int:
    """Print ``error`` as the contract says (plus the traceback with --traceback); return the exit status."""
    if isinstance(error, BrokenPipeError):
        _silence_stdout()
    report = describe(error)
    try:
        if debug:
            sys.stderr.write(debug_traceback(error))
        if report.text:
            sys.stderr.write(report.text + "\n")
        sys.stderr.flush()
    except OSError:
        pass
    return report.exit_code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
