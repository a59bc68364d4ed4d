"""``wasmrun run``: load, validate and run a module as :class:`~wasmrun.cli.config.RunConfig` says.

Execution arrives with the engine; until then the module is loaded and
validated (so load errors get their own messages) and the run stops there.
"""

from __future__ import annotations

from wasmrun.cli.config import RunConfig
from wasmrun.cli.errors import CliError
from wasmrun.cli.source import load_input


def run_command(config: RunConfig) -> int:
    load_input(config.module)
    raise CliError("execution not implemented yet")
