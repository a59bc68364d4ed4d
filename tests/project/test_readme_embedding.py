"""The README's embedding example runs and prints what its comments say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_embedding_example_runs() -> None:
    section = README.read_text(encoding="utf-8").split("## Embedding", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example is not None
    result = subprocess.run([sys.executable, "-c", example.group(1)], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (0, "log 21\n42\n21\n")
