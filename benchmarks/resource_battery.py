"""The resource battery: hostile modules that must end within bounds, timed through the real CLI.

``python -m benchmarks.resource_battery [--scale full|small]`` runs each case as a subprocess and prints
its exit status, wall time and peak memory beside the bound it must meet:

* ``locals``: a 37-byte function declaring 0xFFFFFFFF locals, refused (exit 1) in under 1 s and 100 MB;
* under ``--timeout 1s`` (exit 134, ``wasm trap: interrupt``, within 2 s): a loop of ``memory.fill``s,
  a loop of ``memory.copy``s, a 60-second ``poll_oneoff`` sleep, and a 7,000,000-target ``br_table``
  (translation and all), each in every tier.

``full`` uses the sizes the hardening issue reported (1 GiB fills and copies: 3 GiB of memory);
``small`` (256 MiB) is what the test suite runs (``tests/cli/test_resource_battery.py``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

MIB = 2**20


def _leb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _section(section_id: int, content: bytes) -> bytes:
    return bytes([section_id]) + _leb(len(content)) + content


def _function_module(function_type: bytes, code: bytes, export: bytes = b"\x01f") -> bytes:
    """One function of ``function_type``, exported as ``f``, with ``code`` (locals and instructions)."""
    body = _leb(len(code)) + code
    return (
        b"\0asm\1\0\0\0"
        + _section(1, b"\x01" + function_type)
        + _section(3, b"\x01\x00")
        + _section(7, b"\x01" + export + b"\x00\x00")
        + _section(10, b"\x01" + body)
    )


def many_locals() -> bytes:
    """``(func (local 0xFFFFFFFF i32))``: valid by the spec, over Wasmtime's 50,000-locals limit."""
    return _function_module(b"\x60\x00\x00", b"\x01" + _leb(0xFFFFFFFF) + b"\x7f\x0b")


def huge_br_table(targets: int = 7_000_000) -> bytes:
    """``f(i32)``: a ``br_table`` of ``targets`` one-byte labels (within Wasmtime's function-size limit),
    then a loop for ever: only the timeout ends it, during translation or after."""
    table = b"\x02\x40\x20\x00\x0e" + _leb(targets) + b"\x00" * targets + b"\x00\x0b"
    code = b"\x00" + table + b"\x03\x40\x0c\x00\x0b\x0b"
    return _function_module(b"\x60\x01\x7f\x00", code)


def fill_loop(length: int) -> str:
    pages = length // 65536 + 1
    return f"""(module (memory {pages})
      (func (export "_start") (loop $l (memory.fill (i32.const 0) (i32.const 7) (i32.const {length})) (br $l))))"""


def copy_loop(length: int) -> str:
    pages = 2 * length // 65536
    return f"""(module (memory {pages})
      (func (export "_start")
        (loop $l (memory.copy (i32.const 0) (i32.const {length}) (i32.const {length})) (br $l))))"""


SLEEP = """(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; one subscription at 0: a relative monotonic clock (tag 0, clock id 1) of 60 seconds
    (i64.store (i32.const 16) (i64.const 1))
    (i64.store (i32.const 24) (i64.const 60000000000))
    (drop (call $poll (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 200)))))"""


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    contents: bytes
    args: tuple[str, ...]
    status: int
    seconds: float  # the bound on wall time
    megabytes: float | None = None  # the bound on peak memory, where there is one


ENGINES = ("interp", "compile", "auto")


def cases(scale: str = "small") -> list[Case]:
    length = 1024 * MIB if scale == "full" else 256 * MIB
    timed = {
        "fill loop": ("fill.wat", fill_loop(length).encode(), ()),
        "copy loop": ("copy.wat", copy_loop(length).encode(), ()),
        "60 s sleep": ("sleep.wat", SLEEP.encode(), ()),
        "7M br_table": ("br_table.wasm", huge_br_table(), ("--invoke", "f")),
    }
    out = [Case("0xFFFFFFFF locals", "locals.wasm", many_locals(), ("--invoke", "f"), 1, 1.0, 100.0)]
    for name, (file, contents, extra) in timed.items():
        for engine in ENGINES:
            args = ("--engine", engine, "--timeout", "1s", *extra)
            out.append(Case(f"{name}, {engine}", file, contents, args, 134, 2.0))
    return out


@dataclass(frozen=True)
class Outcome:
    status: int
    seconds: float
    megabytes: float
    stderr: str


# The CLI, reporting its own peak resident memory at exit: the kernel's maxrss of a child (wait4) starts
# from its parent's high-water mark (kept across fork and exec), so a small process would seem as large
# as the test runner that started it.  /proc/self/status's VmHWM counts this process's memory only.
_LAUNCHER = """
import os, re, sys
from wasmrun.cli.main import main
status = main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.flush()
with open(os.environ["WASMRUN_BATTERY_PEAK"], "w") as out:
    out.write(re.search(r"VmHWM:\\s*(\\d+)", open("/proc/self/status").read()).group(1))
os._exit(status)
"""


def run_case(case: Case, directory: Path) -> Outcome:
    """Run ``case`` with the CLI in a subprocess of its own, which reports its peak memory."""
    path = directory / case.file
    if not path.exists():
        path.write_bytes(case.contents)
    arguments = ["1"] if case.file == "br_table.wasm" else []
    command = [sys.executable, "-c", _LAUNCHER, *case.args, str(path), *arguments]
    peak = directory / f"{case.file}.peak"
    # The code cache in the scratch directory: the user's stays clean, and each case runs cold, as a new
    # hostile module does (its entry written after it, within the bounds).
    environment = dict(os.environ, WASMRUN_BATTERY_PEAK=str(peak), WASMRUN_CACHE_DIR=str(directory / "code-cache"))
    started = time.perf_counter()
    finished = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, env=environment, check=False)
    seconds = time.perf_counter() - started
    megabytes = int(peak.read_text()) / 1024 if peak.exists() else float("nan")
    return Outcome(finished.returncode, seconds, megabytes, finished.stderr.decode(errors="replace"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("small", "full"), default="full")
    options = parser.parse_args(argv)
    failures = 0
    print(f"{'case':<24} {'status':>6} {'want':>4} {'seconds':>8} {'bound':>6} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as scratch:
        for case in cases(options.scale):
            outcome = run_case(case, Path(scratch))
            ok = outcome.status == case.status and outcome.seconds <= case.seconds
            failures += not ok
            print(
                f"{case.name:<24} {outcome.status:>6} {case.status:>4} {outcome.seconds:>8.2f} {case.seconds:>6.1f}"
                f" {outcome.megabytes:>8.0f}{'' if ok else '  FAILED'}"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
