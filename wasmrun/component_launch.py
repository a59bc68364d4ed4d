"""Running a component as ``wasmtime run`` does: a WASI 0.2 command, or one ``--invoke``d function.

:func:`run_command` (bytes or a decoded component, and the :class:`~wasmrun.launch.RunConfig` the
command line builds) instantiates the component with the WASI 0.2 host
(:func:`wasmrun.wasi.preview2.linking.wasi_imports`) and calls the ``run`` function of its exported
``wasi:cli/run@0.2.x`` instance: ``ok`` is exit status 0, ``err`` 1, ``wasi:cli/exit`` its status (a
:class:`~wasmrun.errors.ProcExit`), a trap 134 with Wasmtime's report on the configured stderr.
:func:`invoke` calls one exported function given as WAVE text (``greet("world")``) and gives the
line Wasmtime prints.

The program sees what a preview1 program sees from :mod:`wasmrun.launch`: argv (``config.argv``,
argv[0] included), the ``--env`` environment, the preopened directories, the process's stdio fds.
Fuel, the call-depth limit and the engine tier come from the configuration's engine options, the
timeout and the memory cap as for a core module.

Failures: a trap raises :class:`ComponentTrap` (:func:`run_component`, :func:`invoke`), whose
:meth:`ComponentTrap.report` is Wasmtime's stderr, each frame named by the core module its function
is in; :func:`run_command` prints that report itself.  Everything else propagates as it is raised:
``DecodeError``, ``ValidationError`` (a core module), ``LinkError`` (an import the host lacks, in
Wasmtime's words), :class:`~wasmrun.launch.MissingExport` (no ``wasi:cli/run``, no such function),
``WaveError``/``ItemNameError`` (an invocation's text), :class:`~wasmrun.launch.DirectoryError`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator, Sequence
from typing import IO, Any, NamedTuple

from wasmrun.component.decoder import decode_component
from wasmrun.component.records import Component
from wasmrun.component.types import Err
from wasmrun.component_runtime.instantiate import Modules, Recorder, instantiate_component
from wasmrun.component_runtime.items import ComponentInstance, Function
from wasmrun.component_runtime.lookup import find_function, find_instance
from wasmrun.errors import ProcExit, Trap, WasmException
from wasmrun.launch import DirectoryError, MissingExport, Resources, RunConfig, deadline
from wasmrun.module import Module

CLI_RUN = "wasi:cli/run"
CLI_RUN_VERSION = "0.2"
CLI_RUN_NAME = "wasi:cli/run@0.2.12"
"""The name Wasmtime 49 says it looked for when a component exports no ``wasi:cli/run`` instance."""
RUN_CONTEXT = "failed to invoke `run` function"

EXIT_SUCCESS = 0
EXIT_FAILURE = 1
EXIT_TRAP = 134
MAX_EXIT_STATUS = 125


class ComponentTrap(Exception):
    """A trap while a component ran.

    ``context``: Wasmtime's causes above the backtrace (``failed to invoke `run` function`` for a
    command, none for ``--invoke``); ``modules``: the component's core modules with where each starts
    in its binary, to name the frames.
    """

    def __init__(self, error: Trap, context: Sequence[str], modules: Sequence[tuple[Module, int]]) -> None:
        super().__init__(str(error))
        self.error = error
        self.context = tuple(context)
        self.modules = tuple(modules)

    @property
    def exit_code(self) -> int:
        """134, as for any trap; 1 for a wasm exception nothing caught (as Wasmtime exits)."""
        return EXIT_FAILURE if isinstance(self.error, WasmException) else EXIT_TRAP

    def report(self, component_file: str, *, max_frames: int | None = 20, details: bool = True) -> str:
        """Wasmtime 49's whole stderr for the trap: its chain of causes (the backtrace's lines not
        indented, as it prints them for a component), then an empty line."""
        from wasmrun.debug.backtrace import HEADER

        lines = backtrace_lines(self.error.frames, self.modules, max_frames=max_frames, details=details)
        causes = list(self.context)
        if lines:
            causes.append("\n".join([HEADER, *lines]))
        error = self.error
        causes.append(error.message if isinstance(error, WasmException) else f"wasm trap: {error.message}")
        body = "\n".join(f"{number:>5}: {cause}" for number, cause in enumerate(causes))
        return f"Error: failed to run main module `{component_file}`\n\nCaused by:\n{body}\n\n"


def module_of_frame(modules: Sequence[tuple[Module, int]], index: int, offset: int) -> tuple[Module, int] | None:
    """The module (and its start in the component) whose function ``index`` holds the code at ``offset``.

    A frame says only its function's index and the offset of its instruction in its module, so the
    module is the one where that function's body spans that offset (the first such, in binary order).
    """
    for module, start in modules:
        first_defined = len(module.func_type_indices) - len(module.functions)
        position = index - first_defined
        if not 0 <= position < len(module.codes):
            continue
        body = module.codes[position]
        if offset < 0 or body.start <= offset < body.end:
            return module, start
    return None


def backtrace_lines(
    frames: Sequence[tuple[int, int]],
    modules: Sequence[tuple[Module, int]],
    *,
    max_frames: int | None = 20,
    details: bool = True,
) -> list[str]:
    """The lines under ``error while executing at wasm backtrace:``, offsets in the component's binary."""
    from wasmrun.debug.backtrace import Frame, describe_frames

    shown = frames if max_frames is None else frames[: max(max_frames, 0)]
    lines: list[str] = []
    for number, (index, offset) in enumerate(shown):
        found = module_of_frame(modules, index, offset)
        if found is None:
            frame = Frame(index, offset, f"<wasm function {index}>", None)
        else:
            module, start = found
            (frame,) = describe_frames(module, [(index, offset)], max_frames=None, details=details)
            if offset >= 0:
                frame = dataclasses.replace(frame, offset=offset + start)
        lines.extend(frame.lines(number))
    return lines


# -- the run -------------------------------------------------------------------------------------


class Prepared(NamedTuple):
    """What a component runs in: the store, the WASI host, the core modules as they are decoded."""

    store: Any
    host: Any
    modules: Modules
    interpreter: Any


@contextlib.contextmanager
def prepared(config: RunConfig) -> Iterator[Prepared]:
    """A store made as :func:`wasmrun.launch.prepared_host` makes it, and the WASI 0.2 host of ``config``."""
    from wasmrun.engine.interpreter import Interpreter
    from wasmrun.runtime.store import Store
    from wasmrun.wasi.preview2 import WasiHost

    interpreter = Interpreter(config.engine_options)
    limits = config.store_limits()
    store = (
        Store(interpreter, limits=limits)
        if config.max_memory is None
        else Store(interpreter, memory_cap_bytes=config.max_memory, limits=limits)
    )
    streams = [_stream(config.stdin, "rb"), _stream(config.stdout, "wb"), _stream(config.stderr, "wb")]
    try:
        try:
            host = WasiHost(
                arguments=config.argv,
                environment=config.guest_environment(os.environ).items(),
                preopens=[(mapping.host, mapping.guest) for mapping in config.dirs],
                stdin=streams[0],
                stdout=streams[1],
                stderr=streams[2],
                cli_exit_with_code=config.cli_exit_with_code,
            )
        except OSError as error:
            path = error.filename if isinstance(error.filename, str) else ""
            raise DirectoryError(f"cannot open directory: {error.strerror or error}", path) from error
        with host:
            yield Prepared(store, host, Modules(config.features), interpreter)
    finally:
        for stream in streams:
            if stream is not None:
                stream.close()
        store.close()


def _stream(fd: int | None, mode: str) -> IO[bytes] | None:
    """A host fd as an unbuffered binary file (not closing the fd)."""
    if fd is None:
        return None
    return open(fd, mode, buffering=0, closefd=False)


def instantiate_with_wasi(component: Component, run: Prepared, recorder: Recorder | None = None) -> ComponentInstance:
    """``component`` instantiated with the WASI 0.2 host; a trap (a core start function) as ComponentTrap.

    ``recorder``, if given, keeps a record of each component instance made (``inspect --instance``)."""
    from wasmrun.wasi.preview2.linking import wasi_imports

    try:
        return instantiate_component(
            component, run.store, wasi_imports(run.host), modules=run.modules, recorder=recorder
        )
    except Trap as trap:
        raise ComponentTrap(trap, (), run.modules.located) from trap


def _decoded(component: bytes | bytearray | memoryview | Component) -> Component:
    return component if isinstance(component, Component) else decode_component(component)


def run_component(
    component: bytes | bytearray | memoryview | Component, config: RunConfig, resources: Resources | None = None
) -> int:
    """Run a WASI 0.2 command: its exit status (0 for ``ok``, 1 for ``err``, n for ``exit-with-code(n)``
    up to 125; :class:`ProcExit` is raised for a larger n); see the module docstring.

        ``resources``, if given, is filled in with what the run used.
    """
    import time

    decoded = _decoded(component)
    started = time.perf_counter()
    with prepared(config) as run:
        try:
            with deadline(config.timeout):
                instance = instantiate_with_wasi(decoded, run)
                function = run_function(instance)
                try:
                    result = function()
                except ProcExit as exit_:
                    if 0 <= exit_.code <= MAX_EXIT_STATUS:
                        return exit_.code
                    raise  # (a status the shell reserves: the caller reports it as an error)
                except Trap as trap:
                    raise ComponentTrap(trap, (RUN_CONTEXT,), run.modules.located) from trap
            return EXIT_FAILURE if isinstance(result, Err) else EXIT_SUCCESS
        finally:
            if resources is not None:
                resources.fuel_meter = run.interpreter.fuel_meter
                resources.counters = run.interpreter.counters
                resources.memory_pages = sum(memory.pages for memory in run.store.memories)
                resources.run_seconds = time.perf_counter() - started


def run_function(instance: ComponentInstance) -> Function:
    """The ``run`` function of the exported ``wasi:cli/run@0.2.x`` instance; MissingExport without one."""
    exported = find_instance(instance, CLI_RUN, CLI_RUN_VERSION)
    function = None if exported is None else exported.function("run")
    if function is None:
        raise MissingExport(f"no exported instance named `{CLI_RUN_NAME}`")
    return function


def run_command(
    component: bytes | bytearray | memoryview | Component,
    config: RunConfig,
    component_file: str | None = None,
    resources: Resources | None = None,
) -> int:
    """:func:`run_component`, a trap reported on ``config.stderr`` in Wasmtime's layout (status 134).

    ``component_file`` names the component in the report (``config.module`` by default).  A failed
    WASI call (a host error, not a trap) is raised as it is, for the caller to report as an error.
    """
    try:
        return run_component(component, config, resources)
    except ComponentTrap as failure:
        from wasmrun.wasi.guest import WasiTrap

        if isinstance(failure.error, WasiTrap):
            raise failure.error from None
        text = failure.report(
            component_file or config.module,
            max_frames=config.max_backtrace,
            details=config.backtrace_details,
        )
        _write(config.stderr, text)
        return failure.exit_code


def _write(fd: int | None, text: str) -> None:
    if fd is None:
        return
    data = text.encode()
    with contextlib.suppress(OSError):
        while data:
            data = data[os.write(fd, data) :]


# -- --invoke ------------------------------------------------------------------------------------


def invoke(component: bytes | bytearray | memoryview | Component, config: RunConfig, invocation: str) -> str:
    """Call the function ``invocation`` names (``greet("world")``, WAVE arguments): Wasmtime's stdout line.

    The text is read first (``WaveError`` for its syntax), then the function found
    (:class:`~wasmrun.launch.MissingExport` with Wasmtime's ``No exported func named ...``), then
    the arguments typed (``WaveError``); a trap is a :class:`ComponentTrap`.
    """
    from wasmrun.component.wave import no_such_function, parse_arguments, parse_invocation, result_text

    parsed = parse_invocation(invocation)
    decoded = _decoded(component)
    with prepared(config) as run, deadline(config.timeout):
        instance = instantiate_with_wasi(decoded, run)
        function = find_function(instance, parsed.name)
        if function is None:
            raise MissingExport(no_such_function(parsed.name))
        arguments = parse_arguments(parsed, function.func_type)
        try:
            result = function(*arguments)
        except Trap as trap:
            raise ComponentTrap(trap, (), run.modules.located) from trap
        return result_text(function.func_type, result)
