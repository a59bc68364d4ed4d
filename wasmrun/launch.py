"""Running a module as a program, as ``wasmtime run`` does: instantiate, initialise, call.

:func:`run_module` takes a validated :class:`~wasmrun.module.Module` and a
:class:`RunConfig` and does what Wasmtime 50's ``run`` does with a core module:

1. build the store (the memory cap) and its executor, the interpreter made from
   the configuration's :class:`~wasmrun.engine.options.EngineOptions` as they are
   (tier, fuel, statistics, call-depth limit);
2. if the module imports from a WASI module name, build a
   :class:`~wasmrun.wasi.context.WasiContext` (argv, environment, preopened
   directories, the process's own stdin/stdout/stderr) and define the
   functions it imports (:mod:`wasmrun.wasi.linking`); any other import is
   left to the linker, which reports it (``unknown import``);
3. instantiate (the start function runs here) and attach the exported
   ``memory`` to the WASI context;
4. call ``_initialize`` if it is exported (a reactor);
5. call the export named by ``invoke``, else the default export (``""``, else
   ``_start``), else nothing at all: a module with neither runs only its
   start function and ``_initialize``, and succeeds, as in Wasmtime.

Steps 1 to 3 are also on their own, for whoever needs a program's instance
without running it (``wasmrun inspect --instance``): :func:`prepared_host`
and :func:`instantiate`.

Limits (all off unless set; see the README): the engine options' ``fuel``
counts and checks executed instructions as Wasmtime does
(:mod:`wasmrun.semantics.fuel`), the start function included, and their
``max_stack_depth`` bounds the wasm call depth; ``timeout`` stops the guest
with the trap ``interrupt`` (:func:`_deadline`); ``max_memory`` caps each
memory (a grow beyond returns -1, a minimum beyond fails instantiation).  The
engine options' ``stats`` counts calls and call depth for a :class:`Resources`
record.

The called function's parameters are parsed from ``argv[1:]``
(:func:`wasmrun.values.parse_value`, one per parameter), as Wasmtime parses
``--invoke`` arguments; its results come back in an :class:`Outcome`.

Failures: a trap (or a failed WASI call, :class:`~wasmrun.wasi.guest.WasiTrap`)
in any of steps 3–5 is raised as :class:`ExecutionError`, which says in which
step and for which export; ``proc_exit`` goes through as
:class:`~wasmrun.errors.ProcExit`; link and instantiation errors as the
runtime raises them; the rest as the small error classes below.

Only what a run needs is imported: the WASI implementation only for modules
that import it, the value parser and printer only when a function takes or
returns values.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from wasmrun.deftypes import DefinedType
from wasmrun.engine.options import EngineOptions
from wasmrun.errors import TRAP_INTERRUPT, Trap, WasmError
from wasmrun.features import ALL_FEATURES, Features

if TYPE_CHECKING:
    from wasmrun.engine.code_store import CodeStore
    from wasmrun.engine.interpreter import Interpreter
    from wasmrun.engine.meters import CallCounters, FuelMeter
    from wasmrun.module import Module
    from wasmrun.runtime.functions import FunctionInstance
    from wasmrun.runtime.instance import Instance
    from wasmrun.runtime.linker import Linker
    from wasmrun.runtime.store import StoreLimits
    from wasmrun.types import FuncType, ValueType

# The steps that can fail with a trap (ExecutionError.stage).
INSTANTIATE = "instantiate"
INITIALIZE = "initialize"
CALL = "call"

REACTOR_INITIALIZE = "_initialize"
DEFAULT_EXPORTS = ("", "_start")  # Wasmtime's "default export": "" first, for compatibility "_start"


GIB = 1 << 30
DEFAULT_MAX_MEMORY = 4 * GIB  # bytes, for each linear memory (the runtime's own cap)
DEFAULT_MAX_BACKTRACE = 20  # frames shown in a trap's backtrace


# The records below are NamedTuples, not dataclasses: they are made on every start-up, where a
# dataclass costs a millisecond to define.


class DirMapping(NamedTuple):
    """A preopened directory: ``host`` on this machine, seen as ``guest`` by the program."""

    host: str
    guest: str


class RunConfig(NamedTuple):
    """How to run a module: everything ``wasmrun run`` was asked, one record from the command line to the engine.

    The command line parses into it (:func:`wasmrun.cli.main.build_run_config`),
    :func:`run_module` runs by it, and the interpreter is made from its
    ``engine_options`` as they are.  A library caller makes one the same way:
    ``RunConfig(argv=("app.wasm", "x"), engine_options=EngineOptions(fuel=10_000))``.

    The program: ``argv`` is the guest's whole argv (argv[0] included);
    ``argv[1:]`` are also the called function's arguments when it has
    parameters.  ``env`` are the ``--env`` entries in order, a value of
    ``None`` meaning "copy the host's value"; with ``inherit_env`` the guest
    gets the whole host environment under them (:meth:`guest_environment`,
    resolved when the program starts).  ``dirs`` are the preopened
    directories, guest fds 3, 4, ... in order.  ``stdin``/``stdout``/
    ``stderr`` are host fds (not owned).  ``max_memory`` None means the
    runtime's default.

    ``module``, ``cache``, ``cache_config``, ``allow_precompiled``, ``parallel_compilation``,
    ``json_report``, ``stats``, ``max_backtrace`` and ``backtrace_details`` are
    the command line's own (what to load and how: the code cache, on, off or
    as its configuration file says when None, and whether a precompiled module
    may run; how to report the run); :func:`run_module`, given the module
    loaded, ignores them.
    """

    # The program and what it is given.
    module: str = ""  # the MODULE argument: a path, or "-" for stdin
    argv: tuple[str, ...] = ()
    env: tuple[tuple[str, str | None], ...] = ()
    inherit_env: bool = False
    cli_exit_with_code: bool = False  # components: link wasi:cli/exit.exit-with-code (-S cli-exit-with-code)
    dirs: tuple[DirMapping, ...] = ()
    invoke: str | None = None
    stdin: int | None = 0
    stdout: int | None = 1
    stderr: int | None = 2
    # Linking: modules linked before the main one (--preload NAME=PATH), and imports nobody defines.
    preloads: tuple[tuple[str, str], ...] = ()
    unknown_imports_trap: bool = False  # -W unknown-imports-trap: link them as functions that fail when called
    unknown_imports_default: bool = False  # -W unknown-imports-default: ... as functions that return zeros
    # Limits, and the engine.
    timeout: float | None = None  # seconds of wall-clock time
    max_memory: int | None = DEFAULT_MAX_MEMORY  # bytes, for each linear memory
    max_table_elements: int | None = None  # -W max-table-elements (None: the runtime's cap)
    max_instances: int | None = None  # -W max-instances (None: Wasmtime's default, 10,000); also tables, memories
    max_tables: int | None = None
    max_memories: int | None = None
    trap_on_grow_failure: bool = False  # -W trap-on-grow-failure
    engine_options: EngineOptions = EngineOptions()
    features: Features = ALL_FEATURES  # the proposals a module may use (-W exceptions=n, ...)
    # How the command line loads the module (wasmrun.cache).
    cache: bool | None = None  # -C cache=y|n; None: as the cache configuration says (on by default)
    cache_config: str | None = None  # -C cache-config=FILE (Wasmtime's TOML)
    allow_precompiled: bool = False  # run a .cwasm (wasmrun compile's output)
    parallel_compilation: bool = True  # -C parallel-compilation: validate a big module on two cores
    # How the command line reports the run.
    json_report: str | None = None  # a path, or "-" for stderr
    stats: bool = False  # print the statistics (the engine options' stats count them)
    max_backtrace: int = DEFAULT_MAX_BACKTRACE
    backtrace_details: bool = True

    def store_limits(self) -> StoreLimits:
        """The limits of the run's store (Wasmtime's ``StoreLimits``, its defaults where none is given)."""
        from wasmrun.runtime.store import StoreLimits

        given = {
            "table_elements": self.max_table_elements,
            "instances": self.max_instances,
            "tables": self.max_tables,
            "memories": self.max_memories,
        }
        return StoreLimits(
            **{name: value for name, value in given.items() if value is not None},
            trap_on_grow_failure=self.trap_on_grow_failure,
        )

    def guest_environment(self, host: Mapping[str, str]) -> dict[str, str]:
        """The guest's environment: the host's when ``inherit_env``, then each ``env`` entry in order.

        An entry ``(K, None)`` (``--env K``) copies the host's ``K`` and is ignored when the host has no ``K``.
        """
        environment = dict(host) if self.inherit_env else {}
        for key, value in self.env:
            if value is not None:
                environment[key] = value
            elif key in host:
                environment[key] = host[key]
        return environment


class Outcome(NamedTuple):
    """What the called function returned (nothing called: no results)."""

    function: str | None = None  # the export named by `invoke`; None for the default export or no call
    types: tuple[ValueType, ...] = ()  # the results' types
    values: tuple[Any, ...] = ()  # the results, canonical

    def lines(self) -> list[str]:
        """The results as Wasmtime prints them, one per line."""
        if not self.values:
            return []
        from wasmrun.values import format_value

        return [format_value(value, valtype) for value, valtype in zip(self.values, self.types)]


class ExecutionError(Exception):
    """A trap (or a failed WASI call) while the program ran.

    ``stage`` is :data:`INSTANTIATE` (the start function), :data:`INITIALIZE`
    (``_initialize``) or :data:`CALL`; ``export`` the export called in that
    stage (None for the default export, Wasmtime's "command default");
    ``module`` the module whose frames the trap's backtrace names.
    """

    def __init__(self, error: Trap, stage: str, export: str | None, module: Module) -> None:
        super().__init__(str(error))
        self.error = error
        self.stage = stage
        self.export = export
        self.module = module


class ArgumentError(ValueError):
    """The called function's arguments are missing, too many, or not of its parameter types."""


class MissingExport(WasmError):
    """``invoke`` names no function export (Wasmtime's text)."""


class DirectoryError(WasmError):
    """A preopened directory cannot be opened; ``path`` is the host path."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


class Unsupported(WasmError):
    """The engine cannot do what the configuration asks (e.g. fuel metering)."""


class Resources:
    """What a run used, filled in as it goes (so that it is there whatever the outcome).

    ``fuel_meter`` and ``counters`` are the run's interpreter's meters (when
    its options enable them: fuel, stats); ``memory_pages`` the pages of every
    linear memory at the end of the run (memories only grow: their peak);
    ``run_seconds`` the wall-clock time from building the store to the end of
    the call.
    """

    __slots__ = ("counters", "fuel_meter", "memory_pages", "run_seconds")

    def __init__(self) -> None:
        self.fuel_meter: FuelMeter | None = None
        self.counters: CallCounters | None = None
        self.memory_pages = 0
        self.run_seconds = 0.0


class Host(NamedTuple):
    """What a module is instantiated in (steps 1 and 2): a linker over a new store, the WASI context if any,
    and the store's executor."""

    linker: Linker
    wasi: Any  # a WasiContext, or None when the module imports nothing from WASI
    interpreter: Interpreter


def run_module(
    module: Module,
    config: RunConfig,
    resources: Resources | None = None,
    code_store: CodeStore | None = None,
    *,
    instantiated: Callable[[], None] | None = None,
    preloaded: Sequence[tuple[str, Module]] = (),
) -> Outcome:
    """Run ``module`` as the module docstring says; the called function's results.

    ``preloaded``: modules (``--preload NAME=PATH``, loaded) instantiated first, in order, each one's
    exports defined under its NAME for the modules after it (see :func:`prepared_host`).

    ``resources``, if given, is filled in with what the run used, even when it fails.  ``code_store``:
    the module's code from earlier runs, added to as this one runs (see :class:`~wasmrun.engine.interpreter.Interpreter`).
    ``instantiated`` is called once the instance is made, before any of its code runs (its start
    function included): the command line turns the garbage collector back on there.
    """
    started = time.perf_counter()
    with prepared_host(module, config, code_store, preloaded) as host:
        store = host.linker.store
        try:
            with _deadline(config.timeout):
                return _run(host, module, config, instantiated)
        finally:
            if resources is not None:
                resources.fuel_meter = host.interpreter.fuel_meter
                resources.counters = host.interpreter.counters
                resources.memory_pages = sum(memory.pages for memory in store.memories)
                resources.run_seconds = time.perf_counter() - started


def _run(host: Host, module: Module, config: RunConfig, instantiated: Callable[[], None] | None) -> Outcome:
    instance = instantiate(host, module, instantiated)
    initialize = _function_export(instance, REACTOR_INITIALIZE)
    if initialize is not None:
        if initialize.type.params or initialize.type.results:
            raise WasmError(f"`{REACTOR_INITIALIZE}` must take and return nothing, not {initialize.type}")
        _stage(module, INITIALIZE, REACTOR_INITIALIZE, initialize.invoke, ())
    name, function = _entry(instance, config.invoke)
    if function is None:
        return Outcome()
    arguments = parse_arguments(function.type, config.argv[1:], name)
    results = _stage(module, CALL, name, function.invoke, arguments)
    return Outcome(name, function.type.results, results)


@contextlib.contextmanager
def prepared_host(
    module: Module,
    config: RunConfig,
    code_store: CodeStore | None = None,
    preloaded: Sequence[tuple[str, Module]] = (),
) -> Iterator[Host]:
    """Steps 1 and 2 for ``module``; on leaving, the WASI context and then the store are closed.

    The ``preloaded`` modules are linked first, as Wasmtime's ``--preload`` links a module: each is
    instantiated once (WASI and the earlier ones linked), its ``_initialize`` called if it has one,
    and its exports defined under its name.  Then the main module's imports nobody defined are
    linked as the configuration says (``unknown_imports_trap``, ``unknown_imports_default``).
    """
    from wasmrun.engine.interpreter import Interpreter
    from wasmrun.runtime.linker import Linker
    from wasmrun.runtime.store import Store

    interpreter = Interpreter(config.engine_options, code_store=code_store)
    context = _wasi_context(module, config, [preload for _, preload in preloaded])
    limits = config.store_limits()
    store = (
        Store(interpreter, limits=limits)
        if config.max_memory is None
        else Store(interpreter, memory_cap_bytes=config.max_memory, limits=limits)
    )
    try:
        linker = Linker(store)
        if context is not None:
            from wasmrun.wasi.linking import define_wasi

            for linked in (*(preload for _, preload in preloaded), module):
                define_wasi(linker, context, linked)
        for name, preload in preloaded:
            _link_preload(linker, name, preload, context)
        if config.unknown_imports_trap:
            linker.define_unknown_imports_as_traps(module)
        if config.unknown_imports_default:
            linker.define_unknown_imports_as_default_values(module)
        yield Host(linker, context, interpreter)
    finally:
        if context is not None:
            context.close()
        store.close()


def instantiate(host: Host, module: Module, instantiated: Callable[[], None] | None = None) -> Instance:
    """Step 3: instantiate ``module`` (its start function runs) and attach its exported memory to WASI.

    A trap in the start function is the :class:`ExecutionError` of :data:`INSTANTIATE`.
    With fuel, calling the start function costs what it costs Wasmtime (see
    :data:`wasmrun.semantics.fuel.START_COST`).  ``instantiated`` is called before the start function.
    """
    wasi = host.wasi
    meter = host.interpreter.fuel_meter

    def before_start(instance: Instance) -> None:
        if instantiated is not None:
            instantiated()
        memory = _exported_memory(instance)
        if wasi is not None and (memory is not None or wasi.memory is None):
            wasi.memory = memory  # (without one of its own, the main module's WASI calls use a preload's)
        if meter is not None and module.start is not None:
            from wasmrun.semantics.fuel import START_COST

            checked, call = START_COST
            meter.use(checked)
            meter.fuel -= call

    instance: Instance = _stage(module, INSTANTIATE, None, host.linker.instantiate, module, before_start)
    return instance


def parse_arguments(
    function_type: FuncType | DefinedType, texts: Sequence[str], name: str | None, *, strict: bool = False
) -> tuple[Any, ...]:
    """The canonical arguments of a call from their text, one per parameter.

    Missing arguments are an :class:`ArgumentError` (Wasmtime's "not enough
    arguments"); so are extra ones when ``strict``.  ``wasmtime run`` ignores
    extra ones (the default export gets the guest's arguments, which it need
    not take; ``--invoke`` too), and so does :func:`run_module`.
    """
    params = function_type.params
    what = f"`{name}`" if name is not None else "command default"
    if len(texts) < len(params):
        raise ArgumentError(f"not enough arguments for {what}: it takes {_count(len(params))}, got {len(texts)}")
    if strict and len(texts) > len(params):
        raise ArgumentError(f"too many arguments for {what}: it takes {_count(len(params))}, got {len(texts)}")
    if not params:
        return ()
    from wasmrun.values import parse_value

    arguments = []
    for position, (text, valtype) in enumerate(zip(texts, params), 1):
        try:
            arguments.append(parse_value(text, valtype))
        except ValueError as error:
            raise ArgumentError(f"argument {position} of {what}: {error}") from None
    return tuple(arguments)


def _count(number: int) -> str:
    return f"{number} argument" if number == 1 else f"{number} arguments"


def _link_preload(linker: Linker, name: str, module: Module, wasi: Any) -> None:
    """Instantiate a preloaded module, initialise it, and define its exports under ``name``.

    WASI has one memory per run (Wasmtime's preview1 uses the caller's): the main module's exported
    ``memory``, else the first preloaded module's.
    """

    def before_start(instance: Instance) -> None:
        if wasi is not None and wasi.memory is None:
            wasi.memory = _exported_memory(instance)

    instance = _stage(module, INSTANTIATE, None, linker.instantiate, module, before_start)
    initialize = _function_export(instance, REACTOR_INITIALIZE)
    if initialize is not None:
        _stage(module, INITIALIZE, REACTOR_INITIALIZE, initialize.invoke, ())
    linker.define_instance(name, instance)


def _wasi_context(module: Module, config: RunConfig, preloaded: Sequence[Module] = ()) -> Any:
    """The WASI context for ``module`` (and the modules preloaded for it), or None when none of them imports
    anything from WASI (reads the host environment)."""
    from wasmrun.wasi.linking import imports_wasi

    if not any(imports_wasi(linked) for linked in (module, *preloaded)):
        return None
    from wasmrun.wasi.context import WasiContext

    for mapping in config.dirs:
        _check_directory(mapping.host)
    return WasiContext(
        config.argv,
        config.guest_environment(os.environ).items(),
        config.dirs,
        stdin=config.stdin,
        stdout=config.stdout,
        stderr=config.stderr,
    )


def _check_directory(path: str) -> None:
    """DirectoryError unless ``path`` opens as a directory (as the WASI context will open it)."""
    try:
        descriptor = os.open(path, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        raise DirectoryError(f"cannot open directory: {error.strerror or error}", path) from error
    os.close(descriptor)


def _stage(module: Module, stage: str, export: str | None, call: Any, *arguments: Any) -> Any:
    """``call(*arguments)``, a trap raised as the :class:`ExecutionError` of ``stage``."""
    try:
        return call(*arguments)
    except Trap as trap:
        raise ExecutionError(trap, stage, export, module) from trap


def _exported_memory(instance: Instance) -> Any:
    """The memory exported as ``memory`` (what Wasmtime's WASI functions use), else None."""
    from wasmrun.runtime.memory import MemoryInstance

    memory = instance.exports.get("memory")
    return memory if isinstance(memory, MemoryInstance) else None


def _function_export(instance: Instance, name: str) -> FunctionInstance | None:
    from wasmrun.runtime.functions import FunctionInstance

    extern = instance.exports.get(name)
    return extern if isinstance(extern, FunctionInstance) else None


def _entry(instance: Instance, invoke: str | None) -> tuple[str | None, FunctionInstance | None]:
    """The function to call: the one named ``invoke``, else the default export, else none."""
    if invoke is not None:
        function = _function_export(instance, invoke)
        if function is None:
            raise MissingExport(f"no func export named `{invoke}` found")
        return invoke, function
    for name in DEFAULT_EXPORTS:
        function = _function_export(instance, name)
        if function is not None:
            return None, function
    return None, None


RETRY_SECONDS = 0.001
UNWIND_SECONDS = 0.25
"""After the deadline, how soon the alarm tries again when it found the guest outside wasm code."""


@contextlib.contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    """Within the block, a trap ``interrupt`` once ``seconds`` of wall-clock time have passed.

    At no cost to the code that runs: CPython runs a signal handler only at its
    "eval breaker" checks, which come at calls and at backward jumps, so a
    SIGALRM handler that raises the trap stops the guest exactly at a call or a
    loop back-edge of its code.  The handler raises only when the Python frame
    it interrupted is wasm code (a handler of the interpreter, its entry loop,
    or compiled code: :func:`wasmrun.engine.interpreter.is_wasm_code`), where a trap
    leaves nothing half done, or one of the places
    :mod:`wasmrun.runtime.interrupt` names: a bulk memory or table operation
    between two of its chunks, the engine translating a function, a host call
    that waits (``poll_oneoff``, a read of stdin).  Anywhere else (another WASI
    call, a ``memory.grow``) it lets that code finish and tries again at the next
    alarm, :data:`RETRY_SECONDS` later.  So whatever the guest does, the run ends within a
    few milliseconds of its deadline (plus the longest such host call).
    SIGALRM handlers run in the main thread only: elsewhere a timeout is
    refused (:class:`Unsupported`).
    """
    if seconds is None:
        yield
        return
    import signal
    import threading

    from wasmrun.engine.interpreter import is_wasm_code
    from wasmrun.runtime.interrupt import may_interrupt

    if threading.current_thread() is not threading.main_thread():
        raise Unsupported("a timeout needs the main thread (it is a SIGALRM handler)")
    finished = busy = False
    raised_at = 0.0

    def expire(signal_number: int, frame: Any) -> None:
        nonlocal raised_at, busy
        if finished or busy or time.monotonic() - raised_at < UNWIND_SECONDS:
            return  # busy: the next alarm came while this handler was still looking at the frame
        busy = True
        try:
            stop = frame is not None and (is_wasm_code(frame.f_code) or may_interrupt(frame))
        finally:
            busy = False
        if stop:
            raised_at = time.monotonic()
            raise Trap(TRAP_INTERRUPT)

    previous = signal.signal(signal.SIGALRM, expire)
    # The kernel repeats the alarm every RETRY_SECONDS after the deadline: no re-arming from the
    # handler, so no alarm is ever lost; after a raise the handler waits UNWIND_SECONDS (the trap
    # unwinding the stack), then raises again in case the first trap was swallowed.
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_SECONDS)
    try:
        yield
    finally:
        finished = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


deadline = _deadline
"""The timeout of a run (a trap ``interrupt`` after ``seconds``), for other runners (components) to reuse."""
