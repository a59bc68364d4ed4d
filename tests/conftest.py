"""Shared fixtures.  Test data location and the skip-or-fail rule live in ``tests/testdata.py``."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import testdata


@pytest.fixture(scope="session")
def testdata_root() -> Path:
    """The root of the shared test data (``$WASMRUN_TESTDATA``, default ``../shared``); may not exist."""
    return testdata.root()


@pytest.fixture
def require_testdata() -> Callable[[str], Path]:
    """``require_testdata("spec/wasm-2.0")``: the path, or a skip (a failure under WASMRUN_REQUIRE_TESTDATA=1)."""
    return testdata.require


_CACHE_NUMBERS = itertools.count()


@pytest.fixture(autouse=True)
def private_code_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test its own code cache directory (``WASMRUN_CACHE_DIR``, made only if a run writes to it) and no
    configuration file of the user's (``XDG_CONFIG_HOME``): the suite never reads or writes the user's
    cache, and no test sees another's entries.  In-process runs and subprocesses alike."""
    base = tmp_path_factory.getbasetemp() / "code-caches"
    directory = base / f"cache-{next(_CACHE_NUMBERS)}"
    monkeypatch.setenv("WASMRUN_CACHE_DIR", str(directory))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "no-config"))
    yield directory
