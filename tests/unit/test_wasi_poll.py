"""poll_oneoff.

Expectations checked against wasmtime-py (``WASMRUN_WASI_ORACLE=1``), except
those marked ``mine_only``: wasmtime-py does not let its WASI block the thread,
so its one-relative-clock case goes the general way (``nbytes`` 0), while
Wasmtime's CLI (and wasmrun by default, ``blocking_sleep=True``) sleeps in place
and reports ``nbytes`` 1.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from wasi_harness import RESULT, RW, Guest, mine_only

BADF, INVAL, NOMEM = 8, 28, 48
REALTIME, MONOTONIC, PROCESS_CPUTIME = 0, 1, 2
CLOCK, FD_READ, FD_WRITE = 0, 1, 2
ABSTIME = 1
HANGUP = 1
SUBS, EVENTS = 1000, 2000


@pytest.fixture
def guest(tmp_path: Path) -> Iterator[Guest]:
    g = Guest(tmp_path, stdin=b"typed")
    (g.sandbox / "f").write_bytes(b"0123456789")
    yield g
    g.close()


def clock(guest: Guest, index: int, userdata: int, clock_id: int, timeout: int, flags: int = 0) -> None:
    guest.write(SUBS + 48 * index, struct.pack("<QB7xI4xQQH6x", userdata, CLOCK, clock_id, timeout, 0, flags))


def fd(guest: Guest, index: int, userdata: int, tag: int, descriptor: int) -> None:
    guest.write(SUBS + 48 * index, struct.pack("<QB7xI28x", userdata, tag, descriptor))


def events(guest: Guest) -> list[tuple[int, int, int, int, int]]:
    """(userdata, error, type, nbytes, flags) of each event reported."""
    count = guest.u32()
    return [struct.unpack("<QHB5xQH", guest.read(EVENTS + 32 * index, 26)) for index in range(count)]


def poll(guest: Guest, count: int) -> int:
    guest.write(EVENTS, b"\xaa" * 32 * max(count, 1))
    return guest.call("poll_oneoff", SUBS, EVENTS, count, RESULT)


def test_no_subscription_is_inval(guest: Guest) -> None:
    assert poll(guest, 0) == INVAL


@pytest.mark.parametrize("clock_id", [MONOTONIC, REALTIME])
def test_relative_clock(guest: Guest, clock_id: int) -> None:
    clock(guest, 0, 7, clock_id, 1_000_000)
    start = time.monotonic()
    assert poll(guest, 1) == 0
    assert time.monotonic() - start >= 0.001
    assert events(guest) == [(7, 0, CLOCK, 0, 0)]


def test_absolute_clocks(guest: Guest) -> None:
    clock(guest, 0, 8, MONOTONIC, 0, ABSTIME)  # long past
    assert poll(guest, 1) == 0
    assert events(guest) == [(8, 0, CLOCK, 0, 0)]
    clock(guest, 0, 9, REALTIME, time.time_ns() + 20_000_000, ABSTIME)
    start = time.monotonic()
    assert poll(guest, 1) == 0
    assert time.monotonic() - start >= 0.015
    assert events(guest) == [(9, 0, CLOCK, 0, 0)]


def test_only_expired_clocks_are_reported(guest: Guest) -> None:
    clock(guest, 0, 1, MONOTONIC, 1_000_000)
    clock(guest, 1, 2, MONOTONIC, 5 * 10**9)
    assert poll(guest, 2) == 0
    assert events(guest) == [(1, 0, CLOCK, 0, 0)]


@pytest.mark.parametrize("clock_id", [PROCESS_CPUTIME, 3])
def test_cputime_clocks_are_inval(guest: Guest, clock_id: int) -> None:
    clock(guest, 0, 1, clock_id, 1000)
    assert poll(guest, 1) == INVAL


@pytest.mark.parametrize(
    "subscription",
    [
        struct.pack("<QB7xI4xQQH6x", 1, CLOCK, 4, 0, 0, 0),  # unknown clock
        struct.pack("<QB7xI4xQQH6x", 1, CLOCK, MONOTONIC, 0, 0, 2),  # unknown clock flag
        struct.pack("<QB", 1, 3),  # unknown event type
    ],
)
def test_malformed_subscriptions_are_inval(guest: Guest, subscription: bytes) -> None:
    guest.write(SUBS, subscription)
    assert poll(guest, 1) == INVAL


def test_writes_are_ready_at_once_and_alone(guest: Guest) -> None:
    # Wasmtime reports what is ready at its first look: outputs, not the expired clock.
    errno, file = guest.open("f", rights=RW)
    assert errno == 0 and file is not None
    fd(guest, 0, 12, FD_WRITE, file)
    fd(guest, 1, 13, FD_WRITE, 1)
    fd(guest, 2, 14, FD_WRITE, 2)
    clock(guest, 3, 15, MONOTONIC, 0)
    assert poll(guest, 4) == 0
    assert events(guest) == [(12, 0, FD_WRITE, 1, 0), (13, 0, FD_WRITE, 1, 0), (14, 0, FD_WRITE, 1, 0)]


def test_stdin_with_input_is_readable(guest: Guest) -> None:
    fd(guest, 0, 11, FD_READ, 0)
    assert poll(guest, 1) == 0
    assert events(guest) == [(11, 0, FD_READ, 1, 0)]


def test_file_read_readiness(guest: Guest) -> None:
    errno, file = guest.open("f", rights=RW)
    assert errno == 0 and file is not None
    fd(guest, 0, 11, FD_READ, file)
    assert poll(guest, 1) == 0
    assert events(guest) == [(11, 0, FD_READ, 1, 0)]
    assert guest.call("fd_seek", file, 0, 2, RESULT) == 0  # at the end: HANGUP
    assert poll(guest, 1) == 0
    assert events(guest) == [(11, 0, FD_READ, 1, HANGUP)]


@pytest.mark.parametrize(
    ("tag", "descriptor"), [(FD_READ, 1), (FD_WRITE, 0), (FD_READ, 3), (FD_READ, 99), (FD_WRITE, 99)]
)
def test_unpollable_descriptors_are_badf(guest: Guest, tag: int, descriptor: int) -> None:
    fd(guest, 0, 11, tag, descriptor)
    assert poll(guest, 1) == BADF


def test_one_bad_subscription_fails_the_whole_call(guest: Guest) -> None:
    clock(guest, 0, 1, MONOTONIC, 0)
    fd(guest, 1, 2, FD_READ, 99)
    assert poll(guest, 2) == BADF


def test_arrays_are_charged(guest: Guest) -> None:
    assert guest.call("poll_oneoff", SUBS, EVENTS, 0x1000000, RESULT) == NOMEM


@pytest.mark.parametrize(
    ("subscriptions", "causes"),
    [
        (SUBS + 1, ["Pointer not aligned to 8: Region { start: 1001, len: 8 }"]),
        (65520, ["Pointer out of bounds: Region { start: 65536, len: 4 }"]),  # the clock id, past the end
    ],
)
def test_bad_subscription_pointer_traps(guest: Guest, subscriptions: int, causes: list[str]) -> None:
    guest.write(65520, struct.pack("<QB", 1, CLOCK))
    assert guest.trap("poll_oneoff", subscriptions, EVENTS, 1, RESULT) == causes


def test_bad_event_pointer_traps(guest: Guest) -> None:
    clock(guest, 0, 7, MONOTONIC, 0, ABSTIME)
    assert guest.trap("poll_oneoff", SUBS, 65530, 1, RESULT) == [
        "Pointer out of bounds: Region { start: 65530, len: 8 }"
    ]


def test_event_pointer_is_only_checked_when_written(guest: Guest) -> None:
    clock(guest, 0, 7, MONOTONIC, 0, ABSTIME)
    clock(guest, 1, 8, 4, 0)  # malformed: the call fails before any event is written
    assert guest.call("poll_oneoff", SUBS, EVENTS + 4, 2, RESULT) == INVAL


@mine_only
def test_single_relative_clock_sleeps_in_place_like_the_cli(tmp_path: Path) -> None:
    g = Guest(tmp_path, blocking_sleep=True)
    try:
        clock(g, 0, 7, PROCESS_CPUTIME, 1_000_000)  # any clock id: Wasmtime's CLI just sleeps
        start = time.monotonic()
        assert poll(g, 1) == 0
        assert time.monotonic() - start >= 0.001
        assert events(g) == [(7, 0, CLOCK, 1, 0)]
    finally:
        g.close()
