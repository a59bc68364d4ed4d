"""``wasmrun validate FILE...``: decode and validate modules and components, print a one-line verdict for each.

A file that is not valid gets its error line (the contract's ``Error: <what> (<file>[:where])``) on
stderr and the next file is checked; the exit status is 1 when any file failed.  With ``--json`` one
object on stdout instead, ``{"files": {FILE: {"valid": true, "kind": "module", "summary": ...}}}``,
an invalid file's entry ``{"valid": false, "error": <the message without "Error: ">}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from wasmrun.cli.source import display_name, load_program
from wasmrun.errors import WasmError
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


def validate_command(paths: Sequence[str], *, as_json: bool = False) -> int:
    """Validate each file; the exit status (1 if any is not valid)."""
    from wasmrun.cli.errors import EXIT_FAILURE, EXIT_SUCCESS, InputError, describe

    verdicts: dict[str, dict[str, object]] = {}
    status = EXIT_SUCCESS
    for path in paths:
        name = display_name(path)
        try:
            program = load_program(path)
        except (WasmError, OSError, InputError) as error:
            text = describe(error if isinstance(error, InputError) else InputError(error, name)).text
            verdicts[name] = {"valid": False, "error": text.removeprefix("Error: ")}
            status = EXIT_FAILURE
            if not as_json:
                click.echo(text, err=True)
            continue
        if isinstance(program, Module):
            kind, summary = "module", module_summary(program)
        else:
            kind, summary = "component", component_summary(program)
        verdicts[name] = {"valid": True, "kind": kind, "summary": summary}
        if not as_json:
            click.echo(f"{name}: valid {kind} ({summary})")
    if as_json:
        import json

        click.echo(json.dumps({"files": verdicts}, indent=2, ensure_ascii=False))
    return status
