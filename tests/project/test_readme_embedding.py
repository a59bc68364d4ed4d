"""The README's embedding examples run and print what their comments say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"

# What each ```python block of the Embedding section prints, in order.
EXPECTED = [
    "Hello from wasm\n-21\n",
    "log 21\n42\n21\n",
    "double 5\ndouble 10\n20\nHello, components!\n",
]


def examples() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## Embedding", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_every_example_has_its_expected_output() -> None:
    assert len(examples()) == len(EXPECTED)


@pytest.mark.parametrize("index", range(len(EXPECTED)))
def test_embedding_example_runs(index: int) -> None:
    example = examples()[index]
    result = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, EXPECTED[index], "")
