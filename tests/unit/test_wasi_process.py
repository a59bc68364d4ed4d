"""proc_exit, proc_raise, sched_yield, random_get.

Expectations checked against wasmtime-py (``WASMRUN_WASI_ORACLE=1``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from wasi_harness import Exited, Guest

NOTSUP = 58


@pytest.fixture
def guest(tmp_path: Path) -> Iterator[Guest]:
    g = Guest(tmp_path)
    yield g
    g.close()


@pytest.mark.parametrize("code", [0, 1, 125])
def test_proc_exit(guest: Guest, code: int) -> None:
    with pytest.raises(Exited) as exited:
        guest.call("proc_exit", code)
    assert exited.value.code == code


@pytest.mark.parametrize("code", [126, 255, 0xFFFFFFFF])
def test_proc_exit_status_out_of_range_is_an_error(guest: Guest, code: int) -> None:
    assert guest.trap("proc_exit", code) == ["exit with invalid exit status outside of [0..126)"]


@pytest.mark.parametrize("signal", [0, 1, 15, 30])
def test_proc_raise_is_not_supported(guest: Guest, signal: int) -> None:
    assert guest.call("proc_raise", signal) == NOTSUP


def test_proc_raise_unknown_signal_traps(guest: Guest) -> None:
    assert guest.trap("proc_raise", 31) == [
        "In func wasi_snapshot_preview1::proc_raise at convert Signal: Invalid enum value Signal",
        "Invalid enum value Signal",
    ]
    assert guest.trap("proc_raise", 256)[1] == "Int conversion error: TryFromIntError(PosOverflow)"


def test_sched_yield(guest: Guest) -> None:
    assert guest.call("sched_yield") == 0


def test_random_get_fills_the_buffer(guest: Guest) -> None:
    guest.write(100, bytes(64))
    assert guest.call("random_get", 100, 64) == 0
    assert guest.read(100, 64) != bytes(64)
    assert guest.read(164, 4) == bytes(4)  # not one byte more


@pytest.mark.parametrize("pointer", [0, 65536, 65537, 0xFFFFFFFF])
def test_random_get_of_nothing_checks_nothing(guest: Guest, pointer: int) -> None:
    assert guest.call("random_get", pointer, 0) == 0


def test_random_get_out_of_bounds_traps(guest: Guest) -> None:
    assert guest.trap("random_get", 65530, 7) == ["Pointer out of bounds: Region { start: 65530, len: 7 }"]
