"""The API under test: ``api`` is each of wasmtime-py (``wasmtime``, when installed) and ``wasmrun.api``,
so the same script checks that both behave alike."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

ENGINES = ("wasmtime", "wasmrun.api")


@pytest.fixture(params=ENGINES)
def api(request: pytest.FixtureRequest) -> ModuleType:
    """The API module: ``wasmtime`` (skipped where wasmtime-py is not installed) or ``wasmrun.api``."""
    if request.param == "wasmtime":
        return pytest.importorskip("wasmtime")
    return importlib.import_module(request.param)
