"""Bad components through the command line: each is one line (exit status 1) or a trap (134), never a traceback.

The components are written here in the text format, so the tests need no test data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmrun.cli.main import main
from wasmrun.component_runtime.instance_state import HandleTable

STRING_TOO_LONG = """(component
  (core module $m (memory (export "memory") 1)
    (func (export "f") (result i32)
      (i32.store (i32.const 8) (i32.const 0)) (i32.store (i32.const 12) (i32.const 0xfffffff0)) (i32.const 8)))
  (core instance $i (instantiate $m))
  (func (export "f") (result string) (canon lift (core func $i "f") (memory $i "memory"))))"""

LIST_TOO_LONG = STRING_TOO_LONG.replace("(result string)", "(result (list u32))")
MAP_TOO_LONG = STRING_TOO_LONG.replace("(result string)", "(result (map u32 u32))")
EMPTY_MAP = MAP_TOO_LONG.replace("0xfffffff0", "0")

# realloc returns REALLOC_RESULT when the host lowers a list<u32> argument into the guest.
REALLOCATING = """(component
  (core module $m (memory (export "memory") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const REALLOC_RESULT))
    (func (export "g") (param i32 i32)))
  (core instance $i (instantiate $m))
  (func (export "g") (param "x" (list u32))
    (canon lift (core func $i "g") (memory $i "memory") (realloc (func $i "realloc")))))"""

MAP_PARAM = REALLOCATING.replace("REALLOC_RESULT", "0").replace("(list u32)", "(map u32 u32)")

# The `async` option on a function type that is not async.
ASYNC_OPTION = """(component
  (core module $m
    (func (export "f") (result i32) (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "f") (canon lift (core func $i "f") async (callback (func $i "cb")))))"""

# An async export waiting on a set nothing can ever add an event to.
DEADLOCK = """(component
  (core func $new (canon waitable-set.new))
  (core module $m (import "" "new" (func $new (result i32)))
    (func (export "f") (result i32) (i32.or (i32.const 2) (i32.shl (call $new) (i32.const 4))))
    (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m (with "" (instance (export "new" (func $new))))))
  (func (export "f") async (canon lift (core func $i "f") async (callback (func $i "cb")))))"""

# A loop making resources until the handle table is full.
HANDLES = """(component
  (type $r (resource (rep i32)))
  (core func $new (canon resource.new $r))
  (core module $m (import "" "new" (func $new (param i32) (result i32)))
    (func (export "spin") (loop $again (drop (call $new (i32.const 7))) (br $again))))
  (core instance $i (instantiate $m (with "" (instance (export "new" (func $new))))))
  (func (export "spin") (canon lift (core func $i "spin"))))"""


def run(tmp_path: Path, capfd: pytest.CaptureFixture[str], source: str | bytes, *options: str) -> tuple[int, str]:
    path = tmp_path / ("c.wasm" if isinstance(source, bytes) else "c.wat")
    if isinstance(source, bytes):
        path.write_bytes(source)
    else:
        path.write_text(source)
    status = main([*options, str(path)])
    captured = capfd.readouterr()
    assert captured.out == ""
    return status, captured.err


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b"\0asm\x0d\x00\x01\x00\xff", "section id"),
        (b"\0asm\x0d\x00\x01\x00\x00\xff\xff\xff\xff\x0f", "unexpected end"),
        ('(component (export "a" (func 0)))', "index out of bounds"),
        ("(component (core module (func (result i32))))", "type mismatch"),
        ('(component (import "wasi:nosuch/thing@0.2.0" (instance (export "f" (func)))))', "wasi:nosuch/thing@0.2.0"),
        ("(component)", "no exported instance named `wasi:cli/run@0.2.12`"),
        (ASYNC_OPTION, "the `async` canonical option requires an async function type"),
    ],
    ids=[
        "bad-section",
        "hostile-size",
        "invalid-index",
        "invalid-core-module",
        "unknown-wasi-import",
        "no-run",
        "async-option-on-sync-type",
    ],
)
def test_a_bad_component_is_one_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], source: str | bytes, message: str
) -> None:
    status, err = run(tmp_path, capfd, source)
    assert status == 1
    assert err.count("\n") == 1 and err.startswith("Error: ") and message in err, err


@pytest.mark.parametrize(
    ("source", "invocation", "trap"),
    [
        (STRING_TOO_LONG, "f()", "string content out-of-bounds"),
        (LIST_TOO_LONG, "f()", "list content out-of-bounds"),
        (MAP_TOO_LONG, "f()", "list content out-of-bounds"),
        (REALLOCATING.replace("REALLOC_RESULT", "0xfffffff0"), "g([1, 2])", "realloc return: beyond end of memory"),
        (REALLOCATING.replace("REALLOC_RESULT", "2"), "g([1, 2])", "realloc return: result not aligned"),
        (DEADLOCK, "f()", "deadlock detected: event loop cannot make further progress"),
    ],
    ids=[
        "string-near-2^32",
        "list-near-2^32",
        "map-near-2^32",
        "realloc-out-of-bounds",
        "realloc-misaligned",
        "async-deadlock",
    ],
)
def test_guest_misbehaviour_at_the_boundary_traps(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], source: str, invocation: str, trap: str
) -> None:
    status, err = run(tmp_path, capfd, source, "--invoke", invocation)
    assert status == 134
    assert err.rstrip("\n").splitlines()[-1].startswith("    ") and trap in err.splitlines()[-2], err


@pytest.mark.parametrize(
    ("source", "invocation", "message"),
    [
        (EMPTY_MAP, "f()", "cannot print the result: WAVE has no form for map values"),  # (Wasmtime 49 panics)
        (MAP_PARAM, "g([(1, 2)])", "error converting Wasm value: unsupported type <<UNSUPPORTED>> at 2..10"),
    ],
    ids=["result", "argument"],
)
def test_a_map_through_invoke_is_one_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], source: str, invocation: str, message: str
) -> None:
    status, err = run(tmp_path, capfd, source, "--invoke", invocation)
    assert status == 1
    assert err.count("\n") == 1 and err.startswith("Error: ") and message in err, err


def test_a_full_handle_table_traps(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(HandleTable, "MAX_LENGTH", 1000)  # (2**20 by default: the same trap, later)
    status, err = run(tmp_path, capfd, HANDLES, "--invoke", "spin()")
    assert status == 134
    assert "handle table full" in err
