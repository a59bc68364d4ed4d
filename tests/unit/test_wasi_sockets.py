"""sock_accept, sock_recv, sock_send, sock_shutdown: no sockets in Wasmtime's preview1.

Expectations checked against wasmtime-py (``WASMRUN_WASI_ORACLE=1``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from wasi_harness import Guest

BADF, NOTSOCK = 8, 57


@pytest.fixture
def guest(tmp_path: Path) -> Iterator[Guest]:
    g = Guest(tmp_path)
    yield g
    g.close()


CALLS = {
    "sock_accept": lambda fd: (fd, 0, 0),
    "sock_recv": lambda fd: (fd, 0, 0, 0, 0, 4),
    "sock_send": lambda fd: (fd, 0, 0, 0, 0),
    "sock_shutdown": lambda fd: (fd, 1),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize(("fd", "errno"), [(0, NOTSOCK), (1, NOTSOCK), (3, NOTSOCK), (99, BADF)])
def test_no_descriptor_is_a_socket(guest: Guest, name: str, fd: int, errno: int) -> None:
    assert guest.call(name, *CALLS[name](fd)) == errno


@pytest.mark.parametrize(
    ("name", "args", "typename", "inner"),
    [
        ("sock_accept", (99, 0x20, 0), "Fdflags", "Invalid flag value Fdflags"),
        ("sock_accept", (99, 0x10000, 0), "Fdflags", "Int conversion error: TryFromIntError(PosOverflow)"),
        ("sock_recv", (99, 0, 0, 4, 0, 0), "Riflags", "Invalid flag value Riflags"),
        ("sock_send", (99, 0, 0, 0x10000, 0), "u16", "Int conversion error: TryFromIntError(PosOverflow)"),
        ("sock_shutdown", (99, 4), "Sdflags", "Invalid flag value Sdflags"),
        ("sock_shutdown", (1, 256), "Sdflags", "Int conversion error: TryFromIntError(PosOverflow)"),
    ],
)
def test_bad_flags_trap_before_the_fd_is_looked_up(
    guest: Guest, name: str, args: tuple[int, ...], typename: str, inner: str
) -> None:
    causes = guest.trap(name, *args)
    assert causes[0] == f"In func wasi_snapshot_preview1::{name} at convert {typename}: {inner}"
    assert causes[1] == inner
