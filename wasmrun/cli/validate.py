"""``wasmrun validate FILE``: decode and validate a module or a component, print a one-line summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from wasmrun.cli.source import display_name, load_program
from wasmrun.module import Module

if TYPE_CHECKING:
    from wasmrun.component.records import Component


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


def component_summary(component: Component) -> str:
    """``2 core modules, 13 imports, 1 export``: what the component holds at its top level."""
    return ", ".join(
        (
            plural(len(component.core_modules), "core module"),
            plural(len(component.imports), "import"),
            plural(len(component.exports), "export"),
        )
    )


def validate_command(path: str) -> int:
    program = load_program(path)
    if isinstance(program, Module):
        click.echo(f"{display_name(path)}: valid module ({module_summary(program)})")
    else:
        click.echo(f"{display_name(path)}: valid component ({component_summary(program)})")
    return 0
