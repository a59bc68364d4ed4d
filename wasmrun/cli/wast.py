"""``wasmrun wast FILE...``: run spec scripts and report counts (formatting only; see :mod:`wasmrun.wast`).

Text output: each failure on stderr as ``file:line: kind: expected ..., got ...``,
one summary line per file and a total line on stdout.  ``--json`` prints only
the report object on stdout (schema: ``wasmrun/schemas/wast-report.schema.json``).
The exit status is 0 only when nothing failed.  A script that cannot be read is an error before
any script runs (one line, exit status 1), as in Wasmtime, not a failure counted in the report.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from wasmrun.cli.errors import EXIT_FAILURE, EXIT_SUCCESS, InputError
from wasmrun.cli.source import STDIN, read_input

if TYPE_CHECKING:
    from wasmrun.features import Features


def summary(passed: int, failed: int, skipped: int) -> str:
    return f"{passed} passed, {failed} failed, {skipped} skipped"


def _check_readable(path: str) -> None:
    """A script that cannot be read is an error of the command (exit status 1), not a failed command."""
    if path == STDIN:
        return
    try:
        with open(path, "rb"):
            pass
    except OSError as error:
        raise InputError(error, path) from error


def wast_command(
    paths: tuple[str, ...],
    *,
    as_json: bool = False,
    debug: bool = False,
    features: Features | None = None,
    ignore_messages: bool = False,
) -> int:
    """Run the scripts at ``paths``, each with ``features`` (default: the proposals it is written for)."""
    from wasmrun.printable import escape_lines
    from wasmrun.wast import ScriptReport, ScriptRunner, script_features
    from wasmrun.wast_engine import ScriptEngine

    for path in paths:
        _check_readable(path)
    reports: list[ScriptReport] = []
    for path in paths:
        runner = ScriptRunner(
            engine_factory=ScriptEngine, features=features or script_features(path), ignore_messages=ignore_messages
        )
        if path == STDIN:
            report = runner.run_text(read_input(path).decode("utf-8", errors="replace"), path)
        else:
            report = runner.run_file(path)
        reports.append(report)
        for failure in report.failures:
            click.echo(escape_lines(str(failure)), err=True)
            if debug and failure.detail:
                click.echo(escape_lines(failure.detail.rstrip("\n")), err=True)
        if not as_json:
            click.echo(f"{path}: {summary(report.passed, report.failed, report.skipped)}")
    if as_json:
        document = {"files": {report.path: report.to_json() for report in reports}}
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        totals = (sum(r.passed for r in reports), sum(r.failed for r in reports), sum(r.skipped for r in reports))
        click.echo(summary(*totals))
    return EXIT_FAILURE if any(report.failed for report in reports) else EXIT_SUCCESS
