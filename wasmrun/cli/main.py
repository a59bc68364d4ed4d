"""The ``wasmrun`` command: grammar (click), then one call into the library.

The grammar is the CLI contract's, Wasmtime's: ``wasmrun [-V|--version|-h|--help|--traceback]
COMMAND [OPTIONS] ARGS...`` where ``run`` is the default command, inserted after the
global options unless the next word names a command (:func:`with_default_command`).
In ``run`` nothing after the module is wasmrun's, and one ``--`` right after
the module is dropped.  Every option and key of ``wasmtime run`` is understood
(:mod:`wasmrun.cli.wasmtime_options` says what wasmrun does with each), and every
Wasmtime command answers, those wasmrun does not have with a usage error.

Parsing and executing are separate steps: :func:`parse_command_line` turns
argv into an :class:`Invocation` (click only parses; every callback returns
what it was asked), and :func:`main` executes it, mapping every exception to a
message and an exit status in :mod:`wasmrun.cli.errors`.  Everything heavier
than click (the decoder, rich, the engine) is imported by the command that
needs it, so ``wasmrun app.wasm`` starts fast.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import click
from click.shell_completion import CompletionItem

from wasmrun import __version__
from wasmrun.cli import collection, config
from wasmrun.cli.config import ENGINES, POINTER_SIZE_CHOICES, ConfigError, DirMapping, EngineOptions, RunConfig
from wasmrun.cli.errors import report_error

if TYPE_CHECKING:
    from wasmrun.cli.inspect import InspectRequest
    from wasmrun.features import Features

PROG_NAME = "wasmrun"
COMPLETE_VAR = "_WASMRUN_COMPLETE"
GLOBAL_OPTIONS = ("--traceback", "--help", "-h", "--version", "-V")
DEFAULT_COMMAND = "run"
TRACEBACK_VAR = "WASMRUN_TRACEBACK"  # =1: as --traceback
HELP_OPTIONS = ["-h", "--help"]

# Wasmtime 49's commands that wasmrun does not have: each answers with a usage error saying so.
UNSUPPORTED_COMMANDS = {
    "serve": "it serves wasi:http proxy components, and wasmrun has no wasi:http",
    "objdump": "it disassembles Wasmtime's native .cwasm code; wasmrun compiles to Python (see `wasmrun explore`)",
    "hot-blocks": "it samples native code with perf; wasmrun has no native code (see `wasmrun run --stats`)",
    "wizer": "wasmrun does not pre-initialise modules (Wizer)",
}

DELIBERATE_DIFFERENCES = """\b
Deliberate differences from `wasmtime run` (docs/cli.md lists them all):
  one `--` right after MODULE is dropped; DWARF source lines are shown in backtraces by
  default (WASMTIME_BACKTRACE_DETAILS=0 turns them off); errors other than traps are one
  line; control characters in names from the module are escaped."""


class Invocation(NamedTuple):  # not a dataclass: defined at every start-up (see wasmrun.cli.config)
    """A parsed command line: the command and what it was given."""

    command: str
    traceback: bool = False  # --traceback, WASMRUN_TRACEBACK=1: Python tracebacks with errors
    run: RunConfig | None = None  # for "run"
    files: tuple[str, ...] = ()  # for "inspect", "validate", "wast", "explore"
    json: bool = False  # for "wast", "validate", "settings"
    inspect: InspectRequest | None = None  # for "inspect"
    features: Features | None = None  # for "wast" (None: each script's own) and "compile": the proposals of -W
    output: str | None = None  # for "compile" and "explore": -o
    action: str | None = None  # for "cache": dir, clear or stats; for "config": new; for "completion": the shell
    cache_config: str | None = None  # for "cache": --cache-config / -C cache-config=FILE
    ignore_messages: bool = False  # for "wast": --ignore-error-messages
    parallel_compilation: bool = True  # for "compile" and "explore": -C parallel-compilation


def with_default_command(args: Sequence[str], commands: Collection[str], *, when_empty: bool = True) -> list[str]:
    """``args`` with ``run`` inserted after the global options, unless a command name comes next.

    With nothing after the global options, ``run`` is inserted only if
    ``when_empty`` (completing ``wasmrun <TAB>`` offers the command names).
    """
    position = 0
    while position < len(args) and args[position] in GLOBAL_OPTIONS:
        position += 1
    if position < len(args) and args[position] in commands:
        return list(args)
    if position == len(args) and not when_empty:
        return list(args)
    return [*args[:position], DEFAULT_COMMAND, *args[position:]]


class WasmrunGroup(click.Group):
    """A group with ``run`` as its default command, also while completing."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not ctx.resilient_parsing and all(arg in ("--traceback",) for arg in args):
            # Bare `wasmrun` is a usage error, as bare `wasmtime` is.
            raise click.UsageError("no command and no module: `wasmrun MODULE [ARGS]...` runs a module", ctx)
        return super().parse_args(ctx, with_default_command(args, self.commands, when_empty=False))

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        # The first word may also be a module file or an option of the default command.
        results = [] if incomplete.startswith("-") else [CompletionItem(incomplete, type="file")]
        results.extend(super().shell_complete(ctx, incomplete))
        if incomplete.startswith("-"):
            offered = {item.value for item in results}
            for param in self.commands[DEFAULT_COMMAND].get_params(ctx):
                if isinstance(param, click.Option) and not param.hidden:
                    for name in (*param.opts, *param.secondary_opts):
                        if name.startswith(incomplete) and name not in offered:
                            offered.add(name)
                            results.append(CompletionItem(name, help=param.help))
        return results


# --- option value types: click reports their failures as usage errors (exit status 2) ------------


class _ConfigType(click.ParamType):
    """A value parsed by one of :mod:`wasmrun.cli.config`'s parsers."""

    completion = "plain"

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return self.parse(value)
        except ConfigError as error:
            self.fail(str(error), param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        return [] if self.completion == "plain" else [CompletionItem(incomplete, type=self.completion)]


class DurationType(_ConfigType):
    name = "duration"

    def parse(self, text: str) -> float:
        return config.parse_duration(text)


class SizeType(_ConfigType):
    name = "size"

    def parse(self, text: str) -> int:
        return config.parse_size(text)


class CountType(_ConfigType):
    name = "integer"

    def __init__(self, minimum: int = 0) -> None:
        self.minimum = minimum

    def parse(self, text: str) -> int:
        return config.parse_count(text, self.minimum)


class DirType(_ConfigType):
    name = "dir"
    completion = "dir"

    def parse(self, text: str) -> DirMapping:
        return config.parse_dir(text)


class EnvType(_ConfigType):
    name = "env"

    def parse(self, text: str) -> tuple[str, str | None]:
        return config.parse_env(text)


class PreloadType(_ConfigType):
    name = "preload"

    def parse(self, text: str) -> tuple[str, str]:
        return config.parse_preload(text)


class ReportPath(_ConfigType):
    """A file to write the report to, checked before anything runs (a usage error if it cannot be written)."""

    name = "file"
    completion = "file"

    def parse(self, text: str) -> str:
        return config.check_report_path(text)


class FileName(_ConfigType):
    """A file name, checked only when it is opened (a missing module is exit status 1, not a usage error)."""

    name = "file"
    completion = "file"

    def parse(self, text: str) -> str:
        return text


def _key_help(flag: str) -> Any:
    """The callback of run's ``flag`` option: ``-W help`` (``help-long``) lists the group's keys, as Wasmtime
    does, and exits, whatever else the command line has (a module or not)."""

    def answer(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
        if not ctx.resilient_parsing and any(setting in ("help", "help-long") for setting in value):
            from wasmrun.cli.wasmtime_options import key_help

            click.echo(key_help(flag), nl=False)
            ctx.exit(0)
        return value

    return answer


# --- the commands ------------------------------------------------------------------------------


def traceback_requested(args: Sequence[str], environment: Mapping[str, str]) -> bool:
    """``--traceback`` among the global options, or ``WASMRUN_TRACEBACK=1``."""
    leading = itertools.takewhile(GLOBAL_OPTIONS.__contains__, args)
    return "--traceback" in leading or environment.get(TRACEBACK_VAR, "").strip() == "1"


def _traceback(ctx: click.Context) -> bool:
    return bool(ctx.find_root().params.get("traceback")) or os.environ.get(TRACEBACK_VAR, "").strip() == "1"


@click.group(
    cls=WasmrunGroup,
    no_args_is_help=False,
    options_metavar="[GLOBAL-OPTIONS]",
    subcommand_metavar="[COMMAND] [OPTIONS] ARGS...",
    context_settings={"help_option_names": HELP_OPTIONS},
    epilog=DELIBERATE_DIFFERENCES,
)
@click.option(
    "--traceback",
    is_flag=True,
    help="Show the Python traceback of an error (for bug reports; also WASMRUN_TRACEBACK=1).",
)
@click.version_option(
    __version__, "-V", "--version", prog_name=PROG_NAME, message="%(prog)s %(version)s"
)  # (the running tree's version, not an installed copy's metadata)
def cli(traceback: bool) -> None:
    """Run WebAssembly modules (binary .wasm or text .wat), as `wasmtime` does; inspect, validate, explore them
    and run spec scripts.

    `run` is the default command: `wasmrun app.wasm ARGS...` is `wasmrun run app.wasm ARGS...`,
    and options before the module belong to `run`.
    """


@cli.command(
    "run",
    context_settings={"allow_interspersed_args": False, "help_option_names": HELP_OPTIONS},
    epilog="Everything after MODULE goes to the program; one `--` right after MODULE is dropped.\n\n"
    "Wasmtime's keys: `-W help`... list them; docs/cli.md says what wasmrun does with each.\n\n"
    + DELIBERATE_DIFFERENCES,
)
@click.option(
    "--dir",
    "dirs",
    multiple=True,
    type=DirType(),
    metavar="HOST[::GUEST]",
    help="Preopen a host directory (GUEST defaults to HOST).",
)
@click.option(
    "--env",
    "env",
    multiple=True,
    type=EnvType(),
    metavar="K=V|K",
    help="Set a guest variable; K alone copies the host's value.",
)
@click.option("--inherit-env", is_flag=True, help="Give the guest the whole host environment.  [-S inherit-env]")
@click.option(
    "--cli-exit-with-code",
    is_flag=True,
    help="Components: give the guest wasi:cli/exit's exit-with-code.  [-S cli-exit-with-code]",
)
@click.option("--invoke", metavar="NAME", help="Call this export instead of _start and print its results.")
@click.option("--fuel", type=CountType(0), metavar="N", help="Budget of executed wasm instructions.  [-W fuel=N]")
@click.option(
    "--timeout", type=DurationType(), metavar="DUR", help="Wall-clock budget (500ms, 2s, 1m).  [-W timeout=DUR]"
)
@click.option(
    "--max-memory",
    type=SizeType(),
    metavar="SIZE",
    help="Cap for each linear memory (default 4GiB).  [-W max-memory-size=BYTES]",
)
@click.option(
    "--max-stack-depth",
    type=CountType(1),
    metavar="N",
    help="Wasm call depth (default 50,000 frames).",
)
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True, help="Execution tier.")
@click.option(
    "--json-report",
    type=ReportPath(),
    metavar="FILE",
    help="Write one JSON object describing the outcome at exit (- for stderr).",
)
@click.option("--stats", is_flag=True, help="Print resource use on stderr after the run.")
@click.option(
    "--max-backtrace",
    type=CountType(0),
    metavar="N",
    help="Frames shown in a trap backtrace (default 20).  [-D max-backtrace=N]",
)
@click.option(
    "--no-backtrace-details", is_flag=True, help="No source lines in backtraces.  [WASMTIME_BACKTRACE_DETAILS=0]"
)
@click.option("--argv0", metavar="NAME", help="The guest's argv[0] (default: the module file's base name).")
@click.option(
    "-O",
    "--optimize",
    "optimize_settings",
    multiple=True,
    callback=_key_help("-O"),
    metavar="KEY[=VAL[,..]]",
    help="Wasmtime's -O keys.",
)
@click.option(
    "-W",
    "--wasm",
    "wasm_settings",
    multiple=True,
    callback=_key_help("-W"),
    metavar="KEY[=VAL[,..]]",
    help="Wasmtime's -W keys: fuel=N, timeout=DUR, max-memory-size=N, proposals, ... (-W help lists them).",
)
@click.option(
    "-S",
    "--wasi",
    "wasi_settings",
    multiple=True,
    callback=_key_help("-S"),
    metavar="KEY[=VAL[,..]]",
    help="Wasmtime's -S keys: inherit-env, inherit-stdin, ... (-S help lists them).",
)
@click.option(
    "-D",
    "--debug",
    "debug_settings",
    multiple=True,
    callback=_key_help("-D"),
    metavar="KEY[=VAL[,..]]",
    help="Wasmtime's -D keys: max-backtrace=N, ... (-D help lists them).",
)
@click.option(
    "-R",
    "--record",
    "record_settings",
    multiple=True,
    callback=_key_help("-R"),
    metavar="KEY[=VAL[,..]]",
    help="Wasmtime's -R: refused.",
)
@click.option(
    "--config",
    "wasmtime_config",
    type=FileName(),
    metavar="FILE",
    help="Wasmtime's TOML: [optimize], [codegen], [debug], [wasm], [wasi] keys (the command line wins).",
)
@click.option("--target", metavar="TARGET", help="Wasmtime's native target: accepted and ignored.")
@click.option("--profile", metavar="STRATEGY", help="Wasmtime's profilers: refused.")
@click.option("-g", "--gdbstub", metavar="[ADDR:]PORT", help="Wasmtime's gdbstub: refused.")
@click.option(
    "--preload",
    "preloads",
    multiple=True,
    type=PreloadType(),
    metavar="NAME=MODULE_PATH",
    help="Link this module first, its exports under NAME.",
)
@click.option(
    "--cache/--no-cache",
    "cache",
    default=None,
    help="Use the code cache (default: on, unless its configuration says otherwise).  [-C cache=y|n]",
)
@click.option(
    "--cache-config",
    type=FileName(),
    metavar="FILE",
    help="The code cache's configuration (Wasmtime's TOML).  [-C cache-config=FILE]",
)
@click.option(
    "-C",
    "--codegen",
    "codegen_settings",
    multiple=True,
    callback=_key_help("-C"),
    metavar="KEY[=VAL[,..]]",
    help="Wasmtime's -C keys: cache=y|n, cache-config=FILE, ... (-C help lists them).",
)
@click.option(
    "--allow-precompiled", is_flag=True, help="Allow running a precompiled module (wasmrun compile's .cwasm)."
)
@click.argument("module", type=FileName(), metavar="MODULE")
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[ARGS]...")
@click.pass_context
def run(ctx: click.Context, **params: Any) -> Invocation:
    """Run MODULE (a .wasm or .wat file, - for stdin): its _start, or the export named by --invoke."""
    try:
        run_config = build_run_config(params, os.environ)
    except ConfigError as error:
        raise click.UsageError(str(error), ctx) from None
    return Invocation("run", traceback=_traceback(ctx), run=run_config)


_ALIAS_SETTINGS = (
    ("-O", "optimize_settings"),
    ("-W", "wasm_settings"),
    ("-S", "wasi_settings"),
    ("-D", "debug_settings"),
    ("-C", "codegen_settings"),
    ("-R", "record_settings"),
)

# Wasmtime's options that are no setting of wasmrun's: refused when given (None), or ignored.
_REFUSED_OPTIONS = {
    "profile": "--profile is not supported by wasmrun: it has no native code for perf, jitdump or vtune, "
    "and writes no guest profiles",
    "gdbstub": "-g/--gdbstub is not supported by wasmrun: it has no gdbstub debugger component",
}
_IGNORED_OPTIONS = ("target",)


def build_run_config(params: Mapping[str, Any], host_environment: Mapping[str, str]) -> RunConfig:
    """The RunConfig for ``run``'s parsed parameters; conflicting spellings raise ConfigError.

    Each parameter sets the field of its name, in :class:`RunConfig` or in its
    :class:`EngineOptions` (``--stats``, in both); a parameter click left unset
    (None) leaves the record's default.  So a new ``run`` option needs no code
    here: its click option, its parameter named as its field, is all.  The only
    parameters that are no field are handled first: the Wasmtime-style aliases
    (merged into the fields they set), the parts of the guest's ``argv``, and
    ``--no-backtrace-details`` (with ``WASMTIME_BACKTRACE_DETAILS``).
    """
    values = dict(params)
    for name, reason in _REFUSED_OPTIONS.items():
        if values.pop(name, None) is not None:
            raise ConfigError(reason)
    for name in _IGNORED_OPTIONS:
        values.pop(name, None)
    from_file = config.wasmtime_config_settings(values.pop("wasmtime_config", None))
    for flag, settings in _ALIAS_SETTINGS:
        values[settings] = (*from_file.get(flag, ()), *values.get(settings, ()))  # the command line wins
    values["wasm_settings"], values["features"] = config.split_proposal_switches(values["wasm_settings"])
    aliases: config.AliasValues = {}
    for flag, settings in _ALIAS_SETTINGS:
        config.parse_aliases(flag, values.pop(settings), aliases)
    keys_only: dict[str, Any] = {}  # settings with no wasmrun option of their own (-W max-tables, -S inherit-stdin)
    for field in aliases:
        if field not in values:
            keys_only[field] = aliases[field][0]  # (None is a value here: -S inherit-stdin=n)
            continue
        given = values[field]
        unset = given is False and _field_default(field) is False  # a flag left off: not given
        values[field] = config.merge_alias(field, None if unset else given, aliases)
    args: tuple[str, ...] = values.pop("args")
    if args[:1] == ("--",):  # one `--` right after the module is a separator
        args = args[1:]
    argv0 = values.pop("argv0")
    values["argv"] = (argv0 if argv0 is not None else os.path.basename(values["module"]), *args)
    details = not values.pop("no_backtrace_details")
    values["backtrace_details"] = details and config.backtrace_details_from_environment(host_environment)
    run: dict[str, Any] = {}
    engine: dict[str, Any] = {}
    for name, value in values.items():
        if name not in RunConfig._fields and name not in EngineOptions._fields:
            raise TypeError(f"run's parameter {name!r} is no field of RunConfig or EngineOptions")
        if value is None:
            continue  # not given: the record's default
        if name in RunConfig._fields:
            run[name] = value
        if name in EngineOptions._fields:
            engine[name] = value
    for name, value in keys_only.items():
        (run if name in RunConfig._fields else engine)[name] = value
    # --stats prints the statistics and --json-report reports them: both have the engine count them.
    engine["stats"] = values["stats"] or values["json_report"] is not None
    return RunConfig(**run, engine_options=EngineOptions(**engine))


def _field_default(field: str) -> object:
    """The default of a field of RunConfig or EngineOptions."""
    defaults = {**EngineOptions._field_defaults, **RunConfig._field_defaults}
    return defaults.get(field)


@cli.command("inspect")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see inspect.schema.json).")
@click.option("--vmctx", is_flag=True, help="Show Wasmtime's VMContext layout for the module.")
@click.option(
    "--ptr-size",
    type=click.Choice(POINTER_SIZE_CHOICES),
    help="Pointer size in bytes of the host for --vmctx (default 8).",
)
@click.option(
    "--code",
    metavar="FUNC",
    help="Show a function (an index or a name; MODULE:FUNC in a component): its instructions, the interpreter's "
    "handlers, the compiled source.",
)
@click.option(
    "--instance",
    is_flag=True,
    help="Instantiate the module or component as `run` does (WASI, start functions; nothing called) and show "
    "its live state.",
)
@click.argument("file", type=FileName(), metavar="FILE")
@click.pass_context
def inspect(
    ctx: click.Context,
    as_json: bool,
    vmctx: bool,
    ptr_size: str | None,
    code: str | None,
    instance: bool,
    file: str,
) -> Invocation:
    """Show what a module declares: sections, types, imports, exports, functions, segments, proposals.

    --vmctx, --code and --instance show other views, one at a time.
    """
    from wasmrun.cli.inspect import inspect_request  # not on `run`'s start-up path

    try:
        request = inspect_request(
            file,
            as_json=as_json,
            vmctx=vmctx,
            ptr_size=None if ptr_size is None else int(ptr_size),
            code=code,
            instance=instance,
        )
    except ConfigError as error:
        raise click.UsageError(str(error), ctx) from None
    return Invocation("inspect", traceback=_traceback(ctx), files=(file,), json=as_json, inspect=request)


@cli.command("validate", context_settings={"help_option_names": HELP_OPTIONS})
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: each file's verdict.")
@click.argument("files", nargs=-1, required=True, type=FileName(), metavar="FILE...")
@click.pass_context
def validate(ctx: click.Context, as_json: bool, files: tuple[str, ...]) -> Invocation:
    """Check that each module or component is well-formed and valid; print a one-line summary of each."""
    return Invocation("validate", traceback=_traceback(ctx), files=files, json=as_json)


# What a key sets that every command loading a module applies (how the module is validated).
_LOADING_FIELDS = frozenset(("parallel_compilation",))


def _wasmtime_keys(ctx: click.Context, command: str, groups: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """Check Wasmtime's keys given to a command other than run: unknown or refused ones are usage errors,
    and so are the keys that set something only ``run`` applies (``-W fuel``); ignored keys pass.  The
    settings every command that loads a module applies (:data:`_LOADING_FIELDS`), by field.
    (The caller applies the proposal switches of -W.)
    """
    applied: dict[str, Any] = {}
    try:
        for flag, settings in groups.items():
            for field, (value, entry) in config.parse_aliases(flag, settings).items():
                if field not in _LOADING_FIELDS:
                    raise ConfigError(f"{command} does not apply {flag} {entry.key} (only run does)")
                applied[field] = value
    except ConfigError as error:
        raise click.UsageError(str(error), ctx) from None
    return applied


@cli.command("wast", context_settings={"help_option_names": HELP_OPTIONS})
@click.option("--json", "as_json", is_flag=True, help="Print only the counts as JSON (see wast-report.schema.json).")
@click.option(
    "-W",
    "--wasm",
    "wasm_settings",
    multiple=True,
    metavar="KEY[=VAL[,..]]",
    help="Proposal switches for every script (default: each script's own, see docs/cli.md); other -W keys "
    "are checked and ignored.",
)
@click.option("-O", "--optimize", "optimize_settings", multiple=True, metavar="KEY[=VAL[,..]]", help="Ignored.")
@click.option("-C", "--codegen", "codegen_settings", multiple=True, metavar="KEY[=VAL[,..]]", help="Ignored.")
@click.option("-D", "--debug", "debug_settings", multiple=True, metavar="KEY[=VAL[,..]]", help="Ignored.")
@click.option("-S", "--wasi", "wasi_settings", multiple=True, metavar="KEY[=VAL[,..]]", help="Ignored.")
@click.option("--target", metavar="TARGET", help="Ignored (wasmrun's code is the same on every host).")
@click.option(
    "--generate-dwarf",
    type=click.Choice(["true", "false"]),
    metavar="true|false",
    help="Ignored: wasmrun's backtraces in scripts show no source lines.",
)
@click.option("--async", "async_", type=click.Choice(["true", "false"]), metavar="true|false", help="Ignored.")
@click.option("--precompile-save", metavar="PATH", help="Refused: wasmrun does not precompile spec scripts.")
@click.option("--precompile-load", metavar="PATH", help="Refused: wasmrun does not precompile spec scripts.")
@click.option("--wasmtime-builtins", is_flag=True, help="Refused: wasmrun has no Wasmtime builtins for scripts.")
@click.option(
    "--ignore-error-messages",
    is_flag=True,
    help="Pass assert_invalid, assert_trap, ... on any error of the expected kind, whatever its message.",
)
@click.argument("files", nargs=-1, required=True, type=FileName(), metavar="FILE...")
@click.pass_context
def wast(
    ctx: click.Context, as_json: bool, wasm_settings: tuple[str, ...], files: tuple[str, ...], **wasmtime: Any
) -> Invocation:
    """Run WebAssembly spec scripts (.wast) and count passed, failed and skipped commands."""
    for option in ("precompile_save", "precompile_load"):
        if wasmtime[option] is not None:
            raise click.UsageError(f"--{option.replace('_', '-')} is not supported by wasmrun", ctx)
    if wasmtime["wasmtime_builtins"]:
        raise click.UsageError("--wasmtime-builtins is not supported by wasmrun", ctx)
    features = None
    from wasmrun.wast import WAST_FEATURES

    try:
        rest, switched = config.split_proposal_switches(wasm_settings, WAST_FEATURES)
    except ConfigError as error:
        raise click.UsageError(str(error), ctx) from None
    if rest != list(wasm_settings):  # a proposal switch was given
        features = switched
    groups = {"-W": tuple(rest)} | {
        flag: wasmtime[f"{name}_settings"]
        for flag, name in (("-O", "optimize"), ("-C", "codegen"), ("-D", "debug"), ("-S", "wasi"))
    }
    _wasmtime_keys(ctx, "wast", groups)
    return Invocation(
        "wast",
        traceback=_traceback(ctx),
        files=files,
        json=as_json,
        features=features,
        ignore_messages=wasmtime["ignore_error_messages"],
    )


def _proposals(ctx: click.Context, command: str, wasm_settings: tuple[str, ...]) -> Features | None:
    """The proposals ``-W`` switches for ``command`` (None: none given); any other -W key is a usage error."""
    if not wasm_settings:
        return None
    try:
        rest, features = config.split_proposal_switches(wasm_settings)
    except ConfigError as error:
        raise click.UsageError(str(error), ctx) from None
    if rest:
        raise click.UsageError(f"{command} takes only proposal switches in -W, not {', '.join(rest)}", ctx)
    return features


@cli.command("compile")
@click.option(
    "-o",
    "--output",
    type=FileName(),
    metavar="FILE",
    help="Where to write it (default: MODULE's name with .cwasm, in the current directory).",
)
@click.option(
    "-W", "--wasm", "wasm_settings", multiple=True, metavar="KEY=y|n[,...]", help="Proposal switches (as for run)."
)
@click.option("-O", "--optimize", "optimize_settings", multiple=True, metavar="KEY[=VAL[,..]]", help="Ignored.")
@click.option("-C", "--codegen", "codegen_settings", multiple=True, metavar="KEY[=VAL[,..]]", help="Ignored.")
@click.option("-D", "--debug", "debug_settings", multiple=True, metavar="KEY[=VAL[,..]]", help="Ignored.")
@click.option("-S", "--wasi", "wasi_settings", multiple=True, metavar="KEY[=VAL[,..]]", help="Ignored.")
@click.option("--target", metavar="TARGET", help="Ignored.")
@click.argument("module", type=FileName(), metavar="MODULE")
@click.pass_context
def compile_module(ctx: click.Context, output: str | None, module: str, **wasmtime: Any) -> Invocation:
    """Precompile MODULE: decode, validate and translate it now, into a file `run --allow-precompiled` runs."""
    wasm_settings, applied = _known_keys(ctx, wasmtime)
    features = _proposals(ctx, "compile", wasm_settings)
    if output is None and module == "-":
        raise click.UsageError("a module read from stdin needs -o FILE", ctx)
    return Invocation(
        "compile", traceback=_traceback(ctx), files=(module,), output=output, features=features, **applied
    )


@cli.group("config", context_settings={"help_option_names": HELP_OPTIONS})
def config_group() -> None:
    """wasmrun's configuration file: the code cache's settings (Wasmtime's TOML)."""


@config_group.command("new")
@click.argument("path", required=False, type=FileName(), metavar="[PATH]")
@click.pass_context
def config_new(ctx: click.Context, path: str | None) -> Invocation:
    """Write a new configuration file at PATH (default: the user's, which every run reads)."""
    return Invocation("config", traceback=_traceback(ctx), files=() if path is None else (path,), action="new")


@cli.group("cache", context_settings={"help_option_names": HELP_OPTIONS})
def cache_group() -> None:
    """The code cache: where it is, what it holds; clear it."""


def _cache_command(action: str, summary: str) -> None:
    @cache_group.command(action, help=summary)
    @click.option(
        "--cache-config",
        type=FileName(),
        metavar="FILE",
        help="The code cache's configuration (Wasmtime's TOML).  [-C cache-config=FILE]",
    )
    @click.option(
        "-C", "codegen_settings", multiple=True, metavar="KEY=VAL[,...]", help="Wasmtime-style: cache-config=FILE."
    )
    @click.pass_context
    def command(ctx: click.Context, cache_config: str | None, codegen_settings: tuple[str, ...]) -> Invocation:
        try:
            aliases = config.parse_aliases("-C", codegen_settings)
            chosen = config.merge_alias("cache_config", cache_config, aliases)
        except ConfigError as error:
            raise click.UsageError(str(error), ctx) from None
        return Invocation("cache", traceback=_traceback(ctx), action=action, cache_config=chosen)


_cache_command("dir", "Print the code cache's directory.")
_cache_command("stats", "Print what the code cache holds and its limits.")
_cache_command("clear", "Delete every entry of the code cache.")


@cli.command("explore", context_settings={"help_option_names": HELP_OPTIONS})
@click.option(
    "-o",
    "--output",
    type=FileName(),
    metavar="FILE",
    help="Where to write the page (default: MODULE's name with .explore.html, beside it).",
)
@click.option("-O", "--optimize", "optimize_settings", multiple=True, metavar="KEY[=VAL[,..]]", help="Ignored.")
@click.option("-C", "--codegen", "codegen_settings", multiple=True, metavar="KEY[=VAL[,..]]", help="Ignored.")
@click.option("-D", "--debug", "debug_settings", multiple=True, metavar="KEY[=VAL[,..]]", help="Ignored.")
@click.option("-W", "--wasm", "wasm_settings", multiple=True, metavar="KEY[=VAL[,..]]", help="Proposal switches.")
@click.option("-S", "--wasi", "wasi_settings", multiple=True, metavar="KEY[=VAL[,..]]", help="Ignored.")
@click.option("--target", metavar="TARGET", help="Ignored.")
@click.argument("module", type=FileName(), metavar="MODULE")
@click.pass_context
def explore(ctx: click.Context, output: str | None, module: str, **wasmtime: Any) -> Invocation:
    """Write an HTML page showing each function's wasm beside the Python the compiled tier makes of it."""
    wasm_settings, applied = _known_keys(ctx, wasmtime)
    features = _proposals(ctx, "explore", wasm_settings)
    if output is None and module == "-":
        raise click.UsageError("a module read from stdin needs -o FILE", ctx)
    return Invocation(
        "explore", traceback=_traceback(ctx), files=(module,), output=output, features=features, **applied
    )


def _known_keys(ctx: click.Context, wasmtime: Mapping[str, Any]) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Check the -O/-C/-D/-S keys (unknown or refused: usage errors); the -W settings, for proposals, and
    the loading settings given (:func:`_wasmtime_keys`)."""
    groups = {
        flag: wasmtime[f"{name}_settings"]
        for flag, name in (("-O", "optimize"), ("-C", "codegen"), ("-D", "debug"), ("-S", "wasi"))
    }
    applied = _wasmtime_keys(ctx, ctx.info_name or "", groups)
    return tuple(wasmtime["wasm_settings"]), applied


@cli.command("settings", context_settings={"help_option_names": HELP_OPTIONS})
@click.option("--target", metavar="TARGET", help="Ignored: wasmrun's settings are the same on every host.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, in Wasmtime's shape.")
@click.pass_context
def settings(ctx: click.Context, target: str | None, as_json: bool) -> Invocation:
    """Show what this engine supports: its tiers, proposals and limits (Wasmtime: Cranelift's settings)."""
    return Invocation("settings", traceback=_traceback(ctx), json=as_json)


COMPLETION_SHELLS = ("bash", "elvish", "fish", "powershell", "zsh")


@cli.command("completion", context_settings={"help_option_names": HELP_OPTIONS})
@click.argument("shell", type=click.Choice(COMPLETION_SHELLS), metavar="SHELL")
@click.pass_context
def completion(ctx: click.Context, shell: str) -> Invocation:
    """Print the completion script for SHELL (bash, elvish, fish, powershell, zsh).

    For example `wasmrun completion fish > ~/.config/fish/completions/wasmrun.fish`, or in .zshrc
    `eval "$(wasmrun completion zsh)"`.
    """
    return Invocation("completion", traceback=_traceback(ctx), action=shell)


@cli.command("help", context_settings={"help_option_names": HELP_OPTIONS})
@click.argument("names", nargs=-1, metavar="[COMMAND]...")
@click.pass_context
def help_command(ctx: click.Context, names: tuple[str, ...]) -> Invocation:
    """Print this help, or the help of COMMAND (`wasmrun help run`)."""
    root = ctx.find_root()
    command: click.Command = cli
    path = [PROG_NAME]
    for name in names:
        sub = command.commands.get(name) if isinstance(command, click.Group) else None
        if sub is None:
            raise click.UsageError(f"unrecognized subcommand '{name}'", ctx)
        command, path = sub, [*path, name]
    with click.Context(command, info_name=" ".join(path), parent=None if command is cli else root) as shown:
        click.echo(command.get_help(shown))
    raise click.exceptions.Exit(0)


def _unsupported_command(name: str, reason: str) -> None:
    @cli.command(
        name,
        help=f"Wasmtime's `{name}`: not supported by wasmrun.",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
        add_help_option=False,
    )
    @click.pass_context
    def command(ctx: click.Context) -> Invocation:
        raise click.UsageError(f"`{name}` is not supported by wasmrun: {reason}", ctx)


for _name, _reason in UNSUPPORTED_COMMANDS.items():
    _unsupported_command(_name, _reason)


# --- parse, then execute ---------------------------------------------------------------------


def parse_command_line(argv: Sequence[str]) -> Invocation:
    """What ``wasmrun ARGV...`` asks for.  Raises click's exceptions (usage errors, ``Exit`` for --help)."""
    with cli.make_context(PROG_NAME, list(argv)) as ctx:
        invocation = cli.invoke(ctx)
    if not isinstance(invocation, Invocation):
        raise TypeError(f"a command returned {invocation!r}")
    return invocation


def execute(invocation: Invocation) -> int:
    """Run a parsed command line; returns the exit status (errors are raised)."""
    if invocation.command != "run":
        collection.resume()  # run resumes it once the module is loaded
    match invocation.command:
        case "run":
            from wasmrun.cli.run import run_command

            if invocation.run is None:
                raise ValueError("a run invocation without its RunConfig")
            return run_command(invocation.run, debug=invocation.traceback)
        case "inspect":
            from wasmrun.cli.inspect import inspect_command

            if invocation.inspect is None:
                raise ValueError("an inspect invocation without its InspectRequest")
            return inspect_command(invocation.inspect)
        case "validate":
            from wasmrun.cli.validate import validate_command

            return validate_command(invocation.files, as_json=invocation.json)
        case "wast":
            from wasmrun.cli.wast import wast_command

            return wast_command(
                invocation.files,
                as_json=invocation.json,
                debug=invocation.traceback,
                features=invocation.features,
                ignore_messages=invocation.ignore_messages,
            )
        case "compile":
            from wasmrun.cli.precompile import compile_command

            return compile_command(
                invocation.files[0], invocation.output, invocation.features, invocation.parallel_compilation
            )
        case "config":
            from wasmrun.cli.cache_commands import config_new_command

            return config_new_command(invocation.files[0] if invocation.files else None)
        case "cache":
            from wasmrun.cli.cache_commands import cache_command

            return cache_command(invocation.action or "", invocation.cache_config)
        case "explore":
            from wasmrun.cli.explore import explore_command

            return explore_command(
                invocation.files[0], invocation.output, invocation.features, invocation.parallel_compilation
            )
        case "settings":
            from wasmrun.cli.settings import settings_command

            return settings_command(as_json=invocation.json)
        case "completion":
            from wasmrun.cli.shell_scripts import script

            sys.stdout.write(script(invocation.action or "", cli, PROG_NAME, COMPLETE_VAR))
            return 0
    raise ValueError(f"unknown command {invocation.command!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: returns the exit status (the contract's table)."""
    collection.pause()  # start-up makes garbage the collector need not look for (wasmrun.cli.collection)
    try:
        return _main(argv)
    finally:
        collection.thaw()


def _main(argv: Sequence[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if os.environ.get(COMPLETE_VAR):
        # click's completion protocol (used by the scripts in completions/); exits.
        from wasmrun.cli.shell_scripts import register

        register()
        cli.main(args=args, prog_name=PROG_NAME, complete_var=COMPLETE_VAR)
    debug = traceback_requested(args, os.environ)
    try:
        try:
            invocation = parse_command_line(args)
        except click.exceptions.Exit as exit_:
            return exit_.exit_code
        except click.ClickException as error:
            error.show()
            return error.exit_code
        status = execute(invocation)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at interpreter exit
        return status
    except (Exception, KeyboardInterrupt) as error:
        return report_error(error, debug=debug)


def console() -> NoReturn:
    """The ``wasmrun`` console script (and ``python -m wasmrun.cli.main``): :func:`main`, then exit at once.

    Tearing the interpreter down (freeing every module, function and cycle the
    engine made) takes longer than a small program runs, some 10 ms, and
    nothing in it matters to the outcome: wasmrun's own streams are flushed
    here, the guest's output was never buffered, and every file the guest
    opened was closed when its run ended.  So the process ends with
    ``os._exit``.
    """
    status = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


if __name__ == "__main__":
    console()
