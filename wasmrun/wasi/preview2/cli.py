"""``wasi:cli``: environment, exit, stdio streams and terminals.

- ``get-environment``/``get-arguments`` give what the host was configured with (Wasmtime's CLI
  passes no host variable unless asked); ``initial-cwd`` is none unless configured, as in Wasmtime,
  and the preview1 adapter then reports ``/`` as the working directory.
- ``exit(ok)`` ends the run with status 0 and ``exit(err)`` with 1, by raising
  :class:`~wasmrun.errors.ProcExit` as preview1's ``proc_exit`` does; ``exit-with-code(n)`` with n.
  (Wasmtime links ``exit-with-code`` only with ``-S cli-exit-with-code``: see :class:`WasiHost`.)
- ``get-stdin``/``get-stdout``/``get-stderr`` give a new stream over the host's stdio each call; dropping
  one never closes the host's file.
- ``get-terminal-*`` give a terminal resource when the stream is a terminal, none otherwise, as
  Wasmtime does (its ``IsTerminal``); the terminal resources have no methods.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from wasmrun.component.types import Ok
from wasmrun.errors import ProcExit
from wasmrun.wasi.preview2.streams import STREAMS, HostInput, HostOutput
from wasmrun.wasi.preview2.wit import Interface

if TYPE_CHECKING:
    from wasmrun.wasi.preview2.host import WasiHost

ENVIRONMENT = Interface("wasi:cli", "environment")
EXIT = Interface("wasi:cli", "exit")
STDIN = Interface("wasi:cli", "stdin")
STDOUT = Interface("wasi:cli", "stdout")
STDERR = Interface("wasi:cli", "stderr")
TERMINAL_INPUT = Interface("wasi:cli", "terminal-input")
TERMINAL_OUTPUT = Interface("wasi:cli", "terminal-output")
TERMINAL_STDIN = Interface("wasi:cli", "terminal-stdin")
TERMINAL_STDOUT = Interface("wasi:cli", "terminal-stdout")
TERMINAL_STDERR = Interface("wasi:cli", "terminal-stderr")

STDIN.use(STREAMS, "input-stream")
STDOUT.use(STREAMS, "output-stream")
STDERR.use(STREAMS, "output-stream")
TerminalInputType = TERMINAL_INPUT.resource("terminal-input")
TerminalOutputType = TERMINAL_OUTPUT.resource("terminal-output")
TERMINAL_STDIN.use(TERMINAL_INPUT, "terminal-input")
TERMINAL_STDOUT.use(TERMINAL_OUTPUT, "terminal-output")
TERMINAL_STDERR.use(TERMINAL_OUTPUT, "terminal-output")


class TerminalInput:
    """What ``terminal-input`` represents: nothing but the fact (the resource has no methods)."""

    def close(self) -> None:
        """Nothing to release."""


class TerminalOutput:
    """What ``terminal-output`` represents."""

    def close(self) -> None:
        """Nothing to release."""


def is_terminal(stream: IO[bytes] | None) -> bool:
    if stream is None:
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


@ENVIRONMENT.function("get-environment", "func() -> list<tuple<string, string>>")
def get_environment(host: WasiHost) -> list[tuple[str, str]]:
    return list(host.environment)


@ENVIRONMENT.function("get-arguments", "func() -> list<string>")
def get_arguments(host: WasiHost) -> list[str]:
    return list(host.arguments)


@ENVIRONMENT.function("initial-cwd", "func() -> option<string>")
def initial_cwd(host: WasiHost) -> str | None:
    return host.initial_cwd


@EXIT.function("exit", "func(status: result)")
def exit_(host: WasiHost, status: Any) -> None:
    raise ProcExit(0 if isinstance(status, Ok) else 1)


@EXIT.function("exit-with-code", "func(status-code: u8)")
def exit_with_code(host: WasiHost, status_code: int) -> None:
    raise ProcExit(status_code)


@STDIN.function("get-stdin", "func() -> input-stream")
def get_stdin(host: WasiHost) -> HostInput:
    return HostInput(host.stdin)


@STDOUT.function("get-stdout", "func() -> output-stream")
def get_stdout(host: WasiHost) -> HostOutput:
    return HostOutput(host.stdout)


@STDERR.function("get-stderr", "func() -> output-stream")
def get_stderr(host: WasiHost) -> HostOutput:
    return HostOutput(host.stderr)


@TERMINAL_STDIN.function("get-terminal-stdin", "func() -> option<terminal-input>")
def get_terminal_stdin(host: WasiHost) -> TerminalInput | None:
    return TerminalInput() if is_terminal(host.stdin) else None


@TERMINAL_STDOUT.function("get-terminal-stdout", "func() -> option<terminal-output>")
def get_terminal_stdout(host: WasiHost) -> TerminalOutput | None:
    return TerminalOutput() if is_terminal(host.stdout) else None


@TERMINAL_STDERR.function("get-terminal-stderr", "func() -> option<terminal-output>")
def get_terminal_stderr(host: WasiHost) -> TerminalOutput | None:
    return TerminalOutput() if is_terminal(host.stderr) else None
