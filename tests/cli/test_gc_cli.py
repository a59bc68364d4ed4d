"""`wasmrun run` and GC: results printed as Wasmtime 49 prints them, the -W switches, the heap limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmrun.cli.main import main

RESULTS = """(module
  (type $point (struct (field i32)))
  (type $bytes (array i8))
  (func (export "struct") (result (ref $point)) (struct.new_default $point))
  (func (export "null struct") (result (ref null $point)) (ref.null $point))
  (func (export "i31") (result i31ref) (ref.i31 (i32.const 3)))
  (func (export "nullref") (result nullref) (ref.null none))
  (func (export "array as eqref") (result eqref) (array.new_default $bytes (i32.const 2)))
  (func (export "externalized") (result externref) (extern.convert_any (ref.i31 (i32.const 3))))
  (func (export "null noextern") (result nullexternref) (ref.null noextern))
  (func (export "null nofunc") (result nullfuncref) (ref.null nofunc)))"""

PRINTED = {
    "struct": "<anyref>",
    "null struct": "<null anyref>",
    "i31": "<anyref>",
    "nullref": "<null anyref>",
    "array as eqref": "<anyref>",
    "externalized": "<externref>",
    "null noextern": "<null externref>",
    "null nofunc": "<null funcref>",
}


def run(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capfd.readouterr()
    return status, out, err


@pytest.fixture
def results_module(tmp_path: Path) -> str:
    path = tmp_path / "results.wat"
    path.write_text(RESULTS)
    return str(path)


@pytest.mark.parametrize(("export", "printed"), list(PRINTED.items()), ids=list(PRINTED))
def test_results_print_as_wasmtime_prints_them(
    export: str, printed: str, results_module: str, capfd: pytest.CaptureFixture[str]
) -> None:
    assert run(capfd, "run", "--invoke", export, results_module) == (0, printed + "\n", "")


GC_SUPPORT_REFUSED = (
    "Error: module uses a type that needs GC support (externref, exnref or a GC type), "
    "which is disabled (-W gc-support=y enables it)"
)

# (module, -W setting, the error line or None if it runs)
SWITCHES = {
    "gc=n refuses a GC module": (RESULTS, "gc=n", "Error: module uses the gc proposal, which is disabled"),
    "gc=y": (RESULTS, "gc=y", None),
    "gc-support=y": (RESULTS, "gc-support=y", None),
    "gc-support=n refuses a GC module": (RESULTS, "gc-support=n", GC_SUPPORT_REFUSED),
    "gc-support=n refuses externref": (
        '(module (func (export "struct") (result externref) (ref.null extern)))',
        "gc-support=n",
        GC_SUPPORT_REFUSED,
    ),
    "gc-support=n refuses exnref": (
        '(module (func (export "struct") (drop (ref.null exn))))',
        "gc-support=n",
        GC_SUPPORT_REFUSED,
    ),
    "gc-support=n keeps funcref": (
        '(module (func (export "struct") (result funcref) (ref.null func)))',
        "gc-support=n",
        None,
    ),
    "all-proposals=y leaves gc-support=n": (RESULTS, "gc-support=n,all-proposals=y", GC_SUPPORT_REFUSED),
}


@pytest.mark.parametrize(("wat", "setting", "error"), list(SWITCHES.values()), ids=list(SWITCHES))
def test_the_switches(
    wat: str, setting: str, error: str | None, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "module.wat"
    path.write_text(wat)
    status, _out, err = run(capfd, "run", "-W", setting, "--invoke", "struct", str(path))
    if error is None:
        assert (status, err) == (0, "")
    else:
        assert (status, err) == (1, f"{error} ({path})\n")


def test_an_allocation_beyond_max_memory_fails_as_wasmtimes_error(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "keep.wat"
    path.write_text(
        '(module (type $bytes (array i8)) (func (export "make") (param i32) (result anyref)'
        " (array.new_default $bytes (local.get 0))))"
    )
    status, out, err = run(capfd, "run", "--max-memory", "64KiB", "--invoke", "make", str(path), "70000")
    assert (status, out) == (1, "")
    assert err.splitlines()[-1] == "    2: GC heap out of memory: no capacity for allocation of 70028 bytes"
    assert run(capfd, "run", "--max-memory", "64KiB", "--invoke", "make", str(path), "900") == (0, "<anyref>\n", "")
