"""``wasmrun validate FILE``: decode and validate a module, print a one-line summary."""

from __future__ import annotations

import click

from wasmrun.cli.source import display_name, load_input
from wasmrun.module import Module


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def module_summary(module: Module) -> str:
    """``3 functions, 1 import, 2 exports``: the functions the module defines, its imports and exports."""
    return ", ".join(
        (
            plural(len(module.functions), "function"),
            plural(len(module.imports), "import"),
            plural(len(module.exports), "export"),
        )
    )


def validate_command(path: str) -> int:
    module = load_input(path)
    click.echo(f"{display_name(path)}: valid module ({module_summary(module)})")
    return 0
