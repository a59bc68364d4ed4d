"""Reading the files named on the command line (``-`` is stdin).

Every failure here is raised as :class:`~wasmrun.cli.errors.InputError`, so
the message names the file as the user gave it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from wasmrun.cli.errors import InputError

if TYPE_CHECKING:
    from wasmrun.features import Features
    from wasmrun.module import Module

STDIN = "-"


def display_name(path: str) -> str:
    """How messages name an input: the path as given, ``<stdin>`` for ``-``."""
    return "<stdin>" if path == STDIN else path


def read_input(path: str) -> bytes:
    """The bytes of ``path`` (stdin for ``-``)."""
    try:
        if path == STDIN:
            return sys.stdin.buffer.read()
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        raise InputError(error, display_name(path)) from error


def load_input(path: str, *, validate: bool = True, features: Features | None = None) -> Module:
    """Read, decode and (unless told not to) validate the module in ``path``, which may use ``features``
    (every proposal wasmrun runs, by default)."""
    from wasmrun.errors import WasmError
    from wasmrun.features import ALL_FEATURES
    from wasmrun.loader import load_module

    data = read_input(path)
    try:
        return load_module(data, validate=validate, features=features or ALL_FEATURES)
    except WasmError as error:
        raise InputError(error, display_name(path)) from error
