"""Shared fixtures.  Test data location and the skip-or-fail rule live in ``tests/testdata.py``."""

from __future__ import annotations

from collections.abc import Callable
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
