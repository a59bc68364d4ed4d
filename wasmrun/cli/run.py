"""``wasmrun run``: a :class:`~wasmrun.launch.RunConfig` in, :func:`wasmrun.launch.run_module` called, results out.

The library does the running, by the RunConfig as the command line made it;
this module has the module loaded (:mod:`wasmrun.cli.loading`: from the code
cache when it can be, or precompiled) and translates: the library's failures into the
CLI's (:mod:`wasmrun.cli.errors` words them and picks the exit status), and
``--invoke``'s results into lines on stdout.  The guest's own output never
passes through here: it goes straight to file descriptors 1 and 2 as the
guest writes it.

With ``--stats`` or ``--json-report``, the run is recorded (:mod:`wasmrun.cli.report`)
and its failure, if any, reported here: the message first, then the
statistics and the JSON object, last on stderr where a script finds it.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from wasmrun.cli import collection
from wasmrun.cli.config import RunConfig
from wasmrun.cli.errors import (
    EXIT_FAILURE,
    EXIT_SUCCESS,
    CliError,
    GuestFailure,
    InputError,
    trap_context,
)
from wasmrun.cli.loading import LoadedProgram, loaded_program
from wasmrun.cli.source import display_name
from wasmrun.errors import Trap, WasmError

if TYPE_CHECKING:
    from wasmrun.cli.report import RunRecord
    from wasmrun.component.records import Component
    from wasmrun.module import Module

STDERR = "-"


def run_command(config: RunConfig, *, debug: bool = False) -> int:
    """Run the module as ``config`` says; the exit status.

    Failures are raised, unless the run is recorded (``--stats``,
    ``--json-report``): then its failure is reported here, before the record.
    """
    if not (config.stats or config.json_report is not None):
        return _run(config, None)
    from wasmrun import launch
    from wasmrun.cli.errors import report_error
    from wasmrun.cli.report import RunRecord

    record = RunRecord(launch.Resources())
    error: BaseException | None = None
    try:
        status = _run(config, record)
    except (Exception, KeyboardInterrupt) as caught:
        status = report_error(caught, debug=debug)
        error = caught
    return _write_record(config, record, status, error)


def _write_record(config: RunConfig, record: RunRecord, status: int, error: BaseException | None) -> int:
    """Print ``--stats`` and write ``--json-report``; the exit status (1 if the report cannot be written)."""
    from wasmrun.cli import report

    made = report.run_report(record, status, error, max_frames=config.max_backtrace, details=config.backtrace_details)
    if config.stats:
        from wasmrun.cli import tables

        blocks = report.stats_blocks(made)
        if sys.stderr.isatty():
            tables.render_rich(blocks, file=sys.stderr)
        else:
            sys.stderr.write(tables.render_plain(blocks))
    if config.json_report is None:
        return status
    text = report.dump(made)
    if config.json_report == STDERR:
        sys.stderr.write(text)
        sys.stderr.flush()
        return status
    try:
        with open(config.json_report, "w", encoding="utf-8") as file:
            file.write(text)
    except OSError as failure:
        sys.stderr.write(f"Error: cannot write the report: {failure.strerror or failure} ({config.json_report})\n")
        return EXIT_FAILURE if status == EXIT_SUCCESS else status
    return status


def _run(config: RunConfig, record: RunRecord | None) -> int:
    started = time.perf_counter()
    with loaded_program(config) as loaded:
        if record is not None:
            record.load_seconds = time.perf_counter() - started
        return _run_loaded(config, record, loaded)


def _run_loaded(config: RunConfig, record: RunRecord | None, loaded: LoadedProgram) -> int:
    from wasmrun import launch
    from wasmrun.module import Module

    source = display_name(config.module)
    if not isinstance(loaded.program, Module):
        collection.resume()  # the component is loaded: the guest's run collects as usual
        return _run_component(config, loaded.program, source, record)
    module = loaded.program
    if record is not None:
        record.module = module
    preloaded = _preloaded(config)
    try:
        outcome = launch.run_module(
            module,
            config,
            record.resources if record is not None else None,
            code_store=loaded.code_store,
            instantiated=collection.resume,  # loaded and instantiated: the guest's run collects as usual
            preloaded=preloaded,
        )
    except launch.ExecutionError as failure:
        raise GuestFailure(
            failure.error,
            source,
            context=trap_context(failure.stage, failure.export, source),
            module=failure.module,
            max_frames=config.max_backtrace,
            details=config.backtrace_details,
        ) from failure
    except launch.ArgumentError as error:
        raise CliError(str(error), source) from error  # exit status 1, as Wasmtime
    except launch.DirectoryError as error:
        raise CliError(error.message, error.path) from error
    except launch.Unsupported as error:
        raise CliError(error.message) from error
    except WasmError as error:
        raise InputError(error, source) from error
    lines = outcome.lines()
    if lines:
        sys.stdout.write("".join(line + "\n" for line in lines))
        sys.stdout.flush()
    return EXIT_SUCCESS


def _preloaded(config: RunConfig) -> list[tuple[str, Module]]:
    """The ``--preload`` modules, loaded (no code cache), each with its name; Wasmtime's text for a component."""
    from wasmrun.cli.source import load_program
    from wasmrun.module import Module

    preloaded = []
    for name, path in config.preloads:
        source = display_name(path)
        try:
            program = load_program(path, features=config.features, parallel=config.parallel_compilation)
        except (WasmError, OSError) as error:
            raise InputError(error, source) from error
        if not isinstance(program, Module):
            raise CliError("components cannot be loaded with `--preload`", source)
        preloaded.append((name, program))
    return preloaded


def _run_component(config: RunConfig, component: Component, source: str, record: RunRecord | None) -> int:
    """Run a component as ``wasmtime run`` does: its ``wasi:cli/run``, or the ``--invoke``d function.

    A trap is reported here in Wasmtime's layout (exit status 134); a bad invocation, a missing
    export and every other failure are raised as one line.
    """
    from wasmrun import component_launch, launch
    from wasmrun.component.wave import ItemNameError, WaveError

    if config.preloads:
        raise CliError("--preload cannot be used with components", source)  # Wasmtime's text
    if config.unknown_imports_trap or config.unknown_imports_default:
        # (Wasmtime refuses -W unknown-imports-default for components; wasmrun has neither for them yet.)
        raise CliError(
            "-W unknown-imports-trap and -W unknown-imports-default are not supported for components", source
        )
    resources = record.resources if record is not None else None
    try:
        if config.invoke is None:
            return component_launch.run_command(component, config, component_file=source, resources=resources)
        try:
            text = component_launch.invoke(component, config, config.invoke)
        except component_launch.ComponentTrap as failure:
            report = failure.report(source, max_frames=config.max_backtrace, details=config.backtrace_details)
            sys.stderr.write(report)
            sys.stderr.flush()
            return failure.exit_code
    except (WaveError, ItemNameError) as error:
        raise CliError(": ".join(error.causes()), source) from error
    except launch.MissingExport as error:
        raise CliError(error.message, source) from error
    except launch.DirectoryError as error:
        raise CliError(error.message, error.path) from error
    except launch.Unsupported as error:
        raise CliError(error.message) from error
    except WasmError as error:
        if isinstance(error, Trap):
            raise  # (a failed WASI call: a host error, reported as such)
        raise InputError(error, source) from error
    sys.stdout.write(text)
    sys.stdout.flush()
    return EXIT_SUCCESS
