"""args_get, args_sizes_get, environ_get, environ_sizes_get.

Every expectation was checked against wasmtime-py (``WASMRUN_WASI_ORACLE=1``).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from wasi_harness import Guest

ARGS = ("prog", "héllo", "")
ENV = (("A", "1"), ("EMPTY", ""), ("X", "y=z"))


@pytest.fixture
def guest(tmp_path: Path) -> Iterator[Guest]:
    g = Guest(tmp_path, args=ARGS, env=ENV)
    yield g
    g.close()


def test_args_sizes_get(guest: Guest) -> None:
    assert guest.call("args_sizes_get", 0, 4) == 0
    assert guest.read(0, 8) == struct.pack("<II", 3, len("prog") + len("héllo".encode()) + 3)


def test_args_get_lays_out_pointers_and_strings(guest: Guest) -> None:
    assert guest.call("args_get", 0, 100) == 0
    assert guest.read(0, 12) == struct.pack("<III", 100, 105, 112)
    assert guest.read(100, 13) == b"prog\0h\xc3\xa9llo\0\0"


def test_args_sizes_get_stores_the_second_result_first(guest: Guest) -> None:
    # Both pointers bad: Wasmtime reports the second one (results are stored last first).
    assert guest.trap("args_sizes_get", 3, 65536) == [
        "In func wasi_snapshot_preview1::args_sizes_get at write size: Pointer out of bounds: Region { start: 65536, len: 4 }",
        "Pointer out of bounds: Region { start: 65536, len: 4 }",
    ]


def test_args_sizes_get_misaligned_result(guest: Guest) -> None:
    assert guest.trap("args_sizes_get", 0, 1) == [
        "In func wasi_snapshot_preview1::args_sizes_get at write size: Pointer not aligned to 4: Region { start: 1, len: 4 }",
        "Pointer not aligned to 4: Region { start: 1, len: 4 }",
    ]


@pytest.mark.parametrize(
    ("argv", "argv_buf", "causes"),
    [
        (2, 100, ["Pointer not aligned to 4: Region { start: 2, len: 4 }"]),
        (65532, 100, ["Pointer out of bounds: Region { start: 65536, len: 4 }"]),  # the second pointer
        (0, 65535, ["Pointer out of bounds: Region { start: 65535, len: 4 }"]),  # "prog" does not fit
        (8, 65530, ["Pointer out of bounds: Region { start: 65535, len: 6 }"]),  # nor "héllo"
    ],
)
def test_args_get_bad_pointers_trap(guest: Guest, argv: int, argv_buf: int, causes: list[str]) -> None:
    assert guest.trap("args_get", argv, argv_buf) == causes


def test_args_get_partial_writes_before_the_trap(guest: Guest) -> None:
    guest.trap("args_get", 65532, 100)
    assert guest.read(65532, 4) == struct.pack("<I", 100)  # the first pointer was stored
    assert guest.read(100, 5) == b"prog\0"


def test_environ_sizes_get(guest: Guest) -> None:
    assert guest.call("environ_sizes_get", 0, 4) == 0
    assert guest.read(0, 8) == struct.pack("<II", 3, len("A=1\0EMPTY=\0X=y=z\0"))


def test_environ_get(guest: Guest) -> None:
    assert guest.call("environ_get", 16, 64) == 0
    assert guest.read(16, 12) == struct.pack("<III", 64, 68, 75)
    assert guest.read(64, 17) == b"A=1\0EMPTY=\0X=y=z\0"


def test_environ_get_writes_name_equals_value_separately(guest: Guest) -> None:
    # Name, "=", value and NUL are four writes: the trap names the piece that does not fit.
    assert guest.trap("environ_get", 16, 65535) == ["Pointer out of bounds: Region { start: 65536, len: 1 }"]  # "="
    assert guest.trap("environ_get", 16, 65530) == ["Pointer out of bounds: Region { start: 65534, len: 5 }"]  # "EMPTY"


def test_environ_get_misaligned(guest: Guest) -> None:
    assert guest.trap("environ_get", 18, 64) == ["Pointer not aligned to 4: Region { start: 18, len: 4 }"]


def test_empty_environment(tmp_path: Path) -> None:
    g = Guest(tmp_path)
    try:
        assert g.call("environ_sizes_get", 0, 4) == 0
        assert g.read(0, 8) == bytes(8)
        assert g.call("environ_get", 65536, 65536) == 0  # nothing to write: nothing checked
    finally:
        g.close()
