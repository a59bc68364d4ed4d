"""Where the shared test data lives, in one place.

The data (spec scripts, the WASI test suite) is not in this repository.  Its
root is ``$WASMRUN_TESTDATA``, by default ``../shared`` next to the repository
root.  A test that needs it calls :func:`require` (or uses the ``testdata``
fixture of ``tests/conftest.py``): when the data is missing the test is
skipped with the reason shown, unless ``WASMRUN_REQUIRE_TESTDATA=1`` (CI), in
which case it fails.

Import it from a test as ``from testdata import require`` (``tests/`` is on
``sys.path`` because ``tests/conftest.py`` sits in a directory without
``__init__.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_ROOT = "WASMRUN_TESTDATA"
ENV_REQUIRED = "WASMRUN_REQUIRE_TESTDATA"


def root() -> Path:
    """The root of the shared test data (it may not exist)."""
    configured = os.environ.get(ENV_ROOT)
    return Path(configured) if configured else REPO_ROOT.parent / "shared"


def required() -> bool:
    """Whether missing data is a failure rather than a skip."""
    return os.environ.get(ENV_REQUIRED) == "1"


def path(relative: str) -> Path:
    """``relative`` under the data root, whether or not it exists."""
    return root() / relative


def require(relative: str) -> Path:
    """``relative`` under the data root; skips the calling test (fails it under CI) when it is missing."""
    target = path(relative)
    if not target.exists():
        reason = f"test data missing: {target} (set {ENV_ROOT} to the shared data directory)"
        if required():
            pytest.fail(f"{reason}; {ENV_REQUIRED}=1 makes missing data a failure", pytrace=False)
        pytest.skip(reason)
    return target


def files(relative: str, pattern: str) -> list[Path]:
    """The files matching ``pattern`` in the directory ``relative``, sorted; empty when it is missing.

    For parametrising at collection time: pair an empty result with a case that
    calls :func:`require`, so that missing data still shows (or fails under CI).
    """
    directory = path(relative)
    return sorted(directory.glob(pattern)) if directory.is_dir() else []


def benchmark_programs() -> list[object]:
    """The benchmark suite's bare programs (no WASI) as test parameters ``(path, n)`` at pywasm's small n."""
    import sys

    sys.path.insert(0, str(REPO_ROOT))
    try:
        from benchmarks.suite import SUITE
    except ImportError:
        return []
    finally:
        sys.path.remove(str(REPO_ROOT))
    return [pytest.param(b.path, b.pywasm_n, id=b.name) for b in SUITE if not b.wasi and b.path.exists()]
