"""The fuzzing tests import the ``fuzz`` package, a top-level directory of the repository, not installed.

So the repository root goes on ``sys.path``, as ``tests/unit/test_benchmarks.py``
does for ``benchmarks/``.  The skip-or-fail rule for the tools lives in ``fuzz_support.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))
