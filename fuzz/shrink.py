"""Minimise a finding with ``wasm-tools shrink``, whose predicate re-runs the comparison.

The predicate is a small shell script calling ``python -m fuzz interesting
SPEC.json CANDIDATE.wasm`` (:func:`fuzz.record.still_fails`): it exits 0 when
the candidate still shows the same mismatch (same tier, same category), so
shrinking keeps the bug and drops everything else.  Each attempt starts a
Python process, so shrinking takes a while (``--shrink-attempts``).
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
from pathlib import Path

from fuzz import record, tools
from fuzz.differential import Finding

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_ATTEMPTS = 100


def shrink(finding: Finding, attempts: int = DEFAULT_ATTEMPTS, timeout: float = 900.0) -> bytes | None:
    """The smallest module ``wasm-tools shrink`` found that keeps the mismatch, or None if it could not."""
    wasm_tools = tools.wasm_tools()
    if wasm_tools is None:
        return None
    with tempfile.TemporaryDirectory(prefix="wasmrun-shrink-") as scratch:
        directory = Path(scratch)
        spec = directory / "spec.json"
        spec.write_text(json.dumps(record.describe(finding, "candidate.wasm", False)), encoding="utf-8")
        predicate = directory / "predicate.sh"
        predicate.write_text(
            "#!/bin/sh\n"
            f"cd {shlex.quote(str(REPOSITORY))} || exit 2\n"
            f'exec {shlex.quote(sys.executable)} -m fuzz interesting {shlex.quote(str(spec))} "$1"\n',
            encoding="utf-8",
        )
        predicate.chmod(0o755)
        source = directory / "input.wasm"
        source.write_bytes(finding.wasm)
        output = directory / "output.wasm"
        try:
            result = tools.run(
                [wasm_tools, "shrink", "--attempts", str(attempts), predicate, source, "-o", output], timeout=timeout
            )
        except tools.ToolError:
            return None
        if result.returncode != 0 or not output.exists():
            return None
        return output.read_bytes()
