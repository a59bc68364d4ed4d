"""clock_res_get and clock_time_get.

Expectations checked against wasmtime-py (``WASMRUN_WASI_ORACLE=1``), except
those marked ``mine_only``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from wasi_harness import Guest, mine_only

REALTIME, MONOTONIC, PROCESS_CPUTIME, THREAD_CPUTIME = range(4)
BADF = 8


@pytest.fixture
def guest(tmp_path: Path) -> Iterator[Guest]:
    g = Guest(tmp_path)
    yield g
    g.close()


@pytest.mark.parametrize("clock", [REALTIME, MONOTONIC])
def test_clock_res_get(guest: Guest, clock: int) -> None:
    assert guest.call("clock_res_get", clock, 8) == 0
    assert 0 < guest.u64(8) <= 1_000_000


@pytest.mark.parametrize("clock", [PROCESS_CPUTIME, THREAD_CPUTIME])
def test_cputime_clocks_are_badf(guest: Guest, clock: int) -> None:
    assert guest.call("clock_res_get", clock, 8) == BADF
    assert guest.call("clock_time_get", clock, 0, 8) == BADF


def test_clock_time_get_realtime(guest: Guest) -> None:
    before = time.time_ns()
    assert guest.call("clock_time_get", REALTIME, 0, 8) == 0
    assert before <= guest.u64(8) <= time.time_ns()


def test_clock_time_get_monotonic_counts_from_the_context(guest: Guest) -> None:
    assert guest.call("clock_time_get", MONOTONIC, 0, 8) == 0
    first = guest.u64(8)
    assert first < 60 * 10**9  # Wasmtime's monotonic clock starts at its creation
    assert guest.call("clock_time_get", MONOTONIC, 1, 16) == 0
    assert guest.u64(16) >= first


@pytest.mark.parametrize(
    ("clock", "causes"),
    [
        (
            4,
            [
                "In func wasi_snapshot_preview1::clock_res_get at convert Clockid: Invalid enum value Clockid",
                "Invalid enum value Clockid",
            ],
        ),
        (
            0xFFFFFFFF,
            [
                "In func wasi_snapshot_preview1::clock_res_get at convert Clockid: "
                "Int conversion error: TryFromIntError(NegOverflow)",
                "Int conversion error: TryFromIntError(NegOverflow)",
                "number too small to fit in target type",
            ],
        ),
    ],
)
def test_unknown_clock_traps(guest: Guest, clock: int, causes: list[str]) -> None:
    assert guest.trap("clock_res_get", clock, 8) == causes


def test_clock_time_get_unknown_clock_traps(guest: Guest) -> None:
    assert guest.trap("clock_time_get", 0x7FFFFFFF, 0, 8)[-1] == "Invalid enum value Clockid"


@pytest.mark.parametrize(
    ("pointer", "inner"),
    [
        (4, "Pointer not aligned to 8: Region { start: 4, len: 8 }"),
        (65532, "Pointer out of bounds: Region { start: 65532, len: 8 }"),
    ],
)
def test_bad_result_pointer_traps(guest: Guest, pointer: int, inner: str) -> None:
    assert guest.trap("clock_time_get", MONOTONIC, 0, pointer) == [
        f"In func wasi_snapshot_preview1::clock_time_get at write timestamp: {inner}",
        inner,
    ]
    assert guest.trap("clock_res_get", REALTIME, pointer)[0].startswith(
        "In func wasi_snapshot_preview1::clock_res_get at write timestamp: "
    )


def test_errors_come_before_the_result_pointer(guest: Guest) -> None:
    assert guest.call("clock_res_get", PROCESS_CPUTIME, 3) == BADF


@mine_only
def test_monotonic_clock_is_the_contexts(guest: Guest) -> None:
    context = guest.context
    context.monotonic_origin -= 5 * 10**9
    assert guest.call("clock_time_get", MONOTONIC, 0, 8) == 0
    assert guest.u64(8) >= 5 * 10**9
