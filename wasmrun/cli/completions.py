"""The completion scripts committed in ``completions/``: :mod:`wasmrun.cli.shell_scripts`'s, for wasmrun's command line.

``wasmrun completion SHELL`` prints the same scripts.  The copies are regenerated with::

    python -m wasmrun.cli.completions [DIRECTORY]   # default: ./completions

and a test checks that they match (``tests/cli/test_completions.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from wasmrun.cli.main import COMPLETE_VAR, PROG_NAME, cli
from wasmrun.cli.shell_scripts import FILES as FILES
from wasmrun.cli.shell_scripts import script


def generate(shell: str) -> str:
    """The completion script for ``shell`` (one of :data:`FILES`)."""
    return script(shell, cli, PROG_NAME, COMPLETE_VAR)


def write_all(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for shell, name in FILES.items():
        path = directory / name
        path.write_text(generate(shell), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0].startswith("-")):
        print("usage: python -m wasmrun.cli.completions [DIRECTORY]", file=sys.stderr)
        return 2
    for path in write_all(Path(args[0] if args else "completions")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
