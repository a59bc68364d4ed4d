"""``wasmrun run``: a :class:`~wasmrun.cli.config.RunConfig` in, :func:`wasmrun.launch.run_module` called, results out.

The library does the running; this module translates: the RunConfig into a
:class:`~wasmrun.launch.LaunchConfig` (the guest's argv and environment, the
preopens), the library's failures into the CLI's (:mod:`wasmrun.cli.errors`
words them and picks the exit status), and ``--invoke``'s results into lines
on stdout.  The guest's own output never passes through here: it goes straight
to file descriptors 1 and 2 as the guest writes it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from wasmrun.cli.config import RunConfig
from wasmrun.cli.errors import EXIT_SUCCESS, EXIT_USAGE, CliError, GuestFailure, InputError, trap_context
from wasmrun.cli.source import display_name, load_input
from wasmrun.errors import WasmError

if TYPE_CHECKING:
    from wasmrun.launch import LaunchConfig

# Options the CLI accepts (they are the contract's) but the engine does not implement yet.
_NOT_YET = (("json_report", "--json-report"), ("stats", "--stats"))


def run_command(config: RunConfig) -> int:
    """Run the module as ``config`` says; the exit status (failures are raised)."""
    for field, option in _NOT_YET:
        if getattr(config, field):
            raise CliError(f"{option} is not implemented yet")
    module = load_input(config.module)

    from wasmrun import launch

    source = display_name(config.module)
    try:
        outcome = launch.run_module(module, launch_config(config))
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
        raise CliError(str(error), source, exit_code=EXIT_USAGE) from error
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


def launch_config(config: RunConfig) -> LaunchConfig:
    """The library's view of a ``run`` command line (reads the host environment for ``--env K``)."""
    from wasmrun import launch

    return launch.LaunchConfig(
        argv=config.argv,
        env=tuple(config.guest_environment(os.environ).items()),
        preopens=tuple((mapping.host, mapping.guest) for mapping in config.dirs),
        invoke=config.invoke,
        engine=config.engine,
        max_memory=config.max_memory,
        max_stack_depth=config.max_stack_depth,
        fuel=config.fuel,
        timeout=config.timeout,
    )
