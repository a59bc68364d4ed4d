"""The WebAssembly 3.0 spec suite (GC aside) and the post-3.0 proposals Wasmtime runs, through wasmrun.wast.

As for 2.0 (``test_spec_wast.py``): one case per file and tier, no failure, nothing skipped, and the
counts per kind equal to the reference counts beside the suite.  Scripts run with every proposal on.

Out of scope here: the files that need garbage-collected types (:data:`NEEDS_GC`, the GC issue's), and
``wasm-3.0/legacy/`` (legacy exceptions are not part of 3.0).  Files that cannot pass yet are strict
xfails in :data:`KNOWN_GAPS`, each with the part of WebAssembly 3.0 it still needs: making one pass
fails the suite until its entry is removed.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
import testdata

from wasmrun.wast import ScriptRunner
from wasmrun.wast_engine import ScriptEngine

SUITES = {"spec/wasm-3.0": "spec/wasm-3.0-commands.json", "spec/proposals": "spec/proposals-commands.json"}
ENGINES = ("interp", "compile")

# Files of wasm-3.0 that need GC types: the GC issue's (the 3.0 br_table, ref_null, table_init,
# table_init64 and tag scripts use a few of them).
NEEDS_GC_PREFIXES = (
    "array",
    "br_on_cast",
    "extern",
    "i31",
    "ref_cast",
    "ref_eq",
    "ref_test",
    "struct",
    "type-canon",
    "type-equivalence",
    "type-rec",
    "type-subtyping",
    "binary-gc",
)
NEEDS_GC_FILES = frozenset(("br_table.wast", "ref_null.wast", "table_init.wast", "table_init64.wast", "tag.wast"))

# file (relative to its suite) -> what it still needs
KNOWN_GAPS: dict[str, str] = {
    "address.wast": "multiple memories",
    "address0.wast": "multiple memories",
    "address1.wast": "multiple memories",
    "address64.wast": "memory64 and table64",
    "align.wast": "multiple memories",
    "align0.wast": "multiple memories",
    "align64.wast": "memory64 and table64",
    "binary-leb128.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "binary.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "binary0.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "binary_leb128_64.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "bulk64.wast": "memory64 and table64",
    "call_indirect64.wast": "memory64 and table64",
    "data0.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "data1.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "data_drop0.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "endianness64.wast": "memory64 and table64",
    "exports0.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "float_exprs0.wast": "multiple memories",
    "float_exprs1.wast": "multiple memories",
    "float_memory0.wast": "multiple memories",
    "float_memory64.wast": "memory64 and table64",
    "imports0.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "imports1.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "imports2.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "imports3.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "imports4.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "instance.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "linking0.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "linking1.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "linking2.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "linking3.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "load0.wast": "multiple memories",
    "load1.wast": "multiple memories",
    "load2.wast": "multiple memories",
    "load64.wast": "memory64 and table64",
    "memory-multi.wast": "multiple memories",
    "memory.wast": "multiple memories",
    "memory64-imports.wast": "memory64 and table64",
    "memory64.wast": "memory64 and table64",
    "memory_copy0.wast": "multiple memories",
    "memory_copy1.wast": "multiple memories",
    "memory_copy64.wast": "memory64 and table64",
    "memory_fill0.wast": "multiple memories",
    "memory_fill64.wast": "memory64 and table64",
    "memory_grow.wast": "multiple memories",
    "memory_grow64.wast": "memory64 and table64",
    "memory_init0.wast": "multiple memories",
    "memory_init64.wast": "memory64 and table64",
    "memory_redundancy64.wast": "memory64 and table64",
    "memory_size0.wast": "multiple memories",
    "memory_size1.wast": "multiple memories",
    "memory_size2.wast": "multiple memories",
    "memory_size3.wast": "multiple memories",
    "memory_size_import.wast": "multiple memories",
    "memory_trap0.wast": "multiple memories",
    "memory_trap1.wast": "multiple memories",
    "memory_trap64.wast": "memory64 and table64",
    "simd_address.wast": "multiple memories",
    "simd_lane.wast": "multiple memories",
    "simd_memory-multi.wast": "multiple memories",
    "start0.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "store0.wast": "multiple memories",
    "store1.wast": "multiple memories",
    "store2.wast": "multiple memories",
    "table.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "table64.wast": "memory64 and table64",
    "table_copy64.wast": "memory64 and table64",
    "table_copy_mixed.wast": "3.0 forms (typed references, extended constants, multiple memories, text format)",
    "table_fill64.wast": "memory64 and table64",
    "table_get64.wast": "memory64 and table64",
    "table_grow64.wast": "memory64 and table64",
    "table_set64.wast": "memory64 and table64",
    "table_size64.wast": "memory64 and table64",
    "traps0.wast": "multiple memories",
    "threads/atomic.wast": "threads",
    "threads/exports.wast": "threads",
    "threads/imports.wast": "threads",
    "threads/memory.wast": "threads",
    "custom-page-sizes/binary.wast": "custom page sizes",
    "custom-page-sizes/custom-page-sizes-invalid.wast": "custom page sizes",
    "custom-page-sizes/custom-page-sizes.wast": "custom page sizes",
    "custom-page-sizes/memory_max.wast": "custom page sizes",
    "custom-page-sizes/memory_max_i64.wast": "custom page sizes",
}


def needs_gc(name: str) -> bool:
    return name in NEEDS_GC_FILES or name.startswith(NEEDS_GC_PREFIXES)


def cases() -> list[object]:
    found: list[object] = []
    for suite in SUITES:
        scripts = sorted(testdata.files(suite, "**/*.wast"))
        if not scripts:
            found.append(pytest.param(suite, None, id=f"{suite}-missing"))
            continue
        base = testdata.path(suite)
        for path in scripts:
            name = path.relative_to(base).as_posix()
            if name.startswith("legacy/"):
                continue  # legacy exceptions: not part of 3.0
            marks = []
            if suite.endswith("wasm-3.0") and needs_gc(name):
                marks.append(pytest.mark.skip(reason="needs GC types (the GC issue)"))
            elif name in KNOWN_GAPS:
                marks.append(pytest.mark.xfail(reason=f"not yet: {KNOWN_GAPS[name]}", strict=True))
            found.append(pytest.param(suite, path, id=name, marks=marks))
    return found


@functools.cache
def expected_counts(suite: str) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = json.loads(testdata.require(SUITES[suite]).read_text(encoding="utf-8"))
    return counts


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("suite", "script"), cases())
def test_spec3_script(suite: str, script: Path | None, engine: str) -> None:
    if script is None:
        pytest.fail(f"no .wast scripts in {testdata.require(suite)}", pytrace=False)
    name = script.relative_to(testdata.path(suite)).as_posix()
    factory = functools.partial(ScriptEngine, engine=engine)
    report = ScriptRunner(engine_factory=factory).run_file(script, name)
    failures = "\n".join(str(failure) for failure in report.failures[:20])
    assert report.failed == 0, f"{report.failed} failed:\n{failures}"
    totals = {kind: counts.total for kind, counts in report.counts.items()}
    assert totals == expected_counts(suite)[name]
    assert report.skipped == 0, f"{report.skipped} skipped"
