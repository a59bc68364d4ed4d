"""GuestMemory: the one checked accessor of guest memory (wasmrun's; the texts are Wasmtime's)."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest

from wasmrun.runtime.memory import MemoryInstance
from wasmrun.types import Limits, MemoryType
from wasmrun.wasi.guest import GuestMemory, WasiTrap


@pytest.fixture
def memory() -> Iterator[MemoryInstance]:
    m = MemoryInstance(MemoryType(Limits(1, 2)))
    yield m
    m.close()


@pytest.fixture
def guest(memory: MemoryInstance) -> GuestMemory:
    return GuestMemory(memory)


def causes(call: object) -> tuple[str, ...]:
    with pytest.raises(WasiTrap) as trap:
        call()  # type: ignore[operator]
    return trap.value.causes


@pytest.mark.parametrize(
    ("size", "read", "write"),
    [
        (1, "read_u8", "write_u8"),
        (2, "read_u16", "write_u16"),
        (4, "read_u32", "write_u32"),
        (8, "read_u64", "write_u64"),
    ],
)
def test_scalars_round_trip_little_endian(
    guest: GuestMemory, memory: MemoryInstance, size: int, read: str, write: str
) -> None:
    value = int.from_bytes(bytes(range(1, size + 1)), "little")
    getattr(guest, write)(64, value)
    assert memory.read(64, size) == bytes(range(1, size + 1))
    assert getattr(guest, read)(64) == value
    getattr(guest, write)(65536 - size, value)  # the very end is fine


@pytest.mark.parametrize(("size", "method"), [(2, "read_u16"), (4, "read_u32"), (8, "read_u64")])
def test_misaligned_scalars_trap(guest: GuestMemory, size: int, method: str) -> None:
    assert causes(lambda: getattr(guest, method)(1)) == (
        f"Pointer not aligned to {size}: Region {{ start: 1, len: {size} }}",
    )


@pytest.mark.parametrize(("size", "method"), [(1, "read_u8"), (2, "read_u16"), (4, "read_u32"), (8, "read_u64")])
def test_out_of_bounds_scalars_trap(guest: GuestMemory, size: int, method: str) -> None:
    start = 65536 - size + 1
    expected = f"Pointer out of bounds: Region {{ start: {start}, len: {size} }}"
    assert causes(lambda: getattr(guest, method)(start)) == (expected,)  # bounds are checked before alignment


@pytest.mark.parametrize(("start", "length"), [(65536, 1), (65535, 2), (0xFFFFFFFF, 1), (0xFFFFFFFF, 0xFFFFFFFF)])
def test_byte_ranges_out_of_bounds(guest: GuestMemory, start: int, length: int) -> None:
    assert causes(lambda: guest.read_bytes(start, length)) == (
        f"Pointer out of bounds: Region {{ start: {start}, len: {length} }}",
    )
    assert causes(lambda: guest.write_bytes(start, b"\0" * min(length, 16)))[0].startswith("Pointer out of bounds")


def test_empty_ranges(guest: GuestMemory) -> None:
    assert guest.read_bytes(65536, 0) == b""  # reading nothing at the end is fine...
    assert causes(lambda: guest.read_bytes(65537, 0))  # ...past it is not
    guest.write_bytes(0xFFFFFFFF, b"")  # writing nothing checks nothing (Wasmtime's copy_from_slice)


def test_slice_is_a_writable_view(guest: GuestMemory, memory: MemoryInstance) -> None:
    with guest.slice(10, 3) as view:
        view[:] = b"abc"
    assert memory.read(10, 3) == b"abc"
    assert causes(lambda: guest.slice(65535, 2))


def test_the_view_is_read_on_every_access(guest: GuestMemory, memory: MemoryInstance) -> None:
    assert causes(lambda: guest.write_u32(65536, 1))
    memory.grow(1)
    guest.write_u32(65536, 7)
    assert memory.read_u32(65536) == 7


def test_first_nonempty_iovec(guest: GuestMemory, memory: MemoryInstance) -> None:
    memory.write(100, struct.pack("<IIIIII", 500, 0, 600, 9, 700, 3))
    assert guest.first_nonempty_iovec(100, 3) == (600, 9)
    assert guest.first_nonempty_iovec(100, 1) == (0, 0)
    assert guest.first_nonempty_iovec(100, 0) == (0, 0)


def test_iovecs_after_the_first_nonempty_are_not_read(guest: GuestMemory, memory: MemoryInstance) -> None:
    memory.write(65528, struct.pack("<II", 10, 1))
    assert guest.first_nonempty_iovec(65528, 5) == (10, 1)  # elements 2..5 would be out of bounds


def test_iovec_errors(guest: GuestMemory, memory: MemoryInstance) -> None:
    memory.write(65528, struct.pack("<II", 10, 0))
    assert causes(lambda: guest.first_nonempty_iovec(65528, 2)) == (
        "Pointer out of bounds: Region { start: 65536, len: 4 }",
    )
    assert causes(lambda: guest.first_nonempty_iovec(2, 1)) == (
        "Pointer not aligned to 4: Region { start: 2, len: 4 }",
    )
    memory.write(65528, bytes(8))
    assert causes(lambda: guest.first_nonempty_iovec(0xFFFFFFF8, 2)) == (
        "Pointer out of bounds: Region { start: 4294967288, len: 4 }",
    )
