"""MemoryInstance: reservation, grow in place, bounds of every access, bulk operations, lifetime."""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator

import pytest

from wasmrun.errors import TRAP_MEMORY_OUT_OF_BOUNDS, InstantiationError, ResourceError, Trap
from wasmrun.runtime import memory as memory_module
from wasmrun.runtime.memory import MemoryInstance
from wasmrun.types import PAGE_SIZE, Limits, MemoryType
from wasmrun.values import f32_to_bits


def make(minimum: int, maximum: int | None = None, **options: int) -> MemoryInstance:
    return MemoryInstance(MemoryType(Limits(minimum, maximum)), **options)


@pytest.fixture
def memory() -> Iterator[MemoryInstance]:
    m = make(1, 4)
    yield m
    m.close()


def mapping_count() -> int:
    with open("/proc/self/maps") as maps:
        return sum(1 for _ in maps)


# -- creation and limits ----------------------------------------------------------


@pytest.mark.parametrize(
    ("minimum", "maximum", "cap", "max_pages"),
    [
        (1, None, 4 * 2**30, 65536),  # no maximum: the cap (4 GiB) decides
        (1, 10, 4 * 2**30, 10),  # the declared maximum under the cap
        (1, None, 10 * PAGE_SIZE, 10),  # --max-memory below the spec's bound
        (1, 100, 10 * PAGE_SIZE, 10),  # the cap below the declared maximum
        (1, None, 10 * PAGE_SIZE + 100, 10),  # a cap that is not a whole number of pages rounds down
        (0, 0, 4 * 2**30, 0),
    ],
)
def test_max_pages_is_declared_maximum_clamped_to_cap(
    minimum: int, maximum: int | None, cap: int, max_pages: int
) -> None:
    m = make(minimum, maximum, cap_bytes=cap)
    try:
        assert (m.max_pages, m.reservation, m.pages) == (max_pages, max_pages * PAGE_SIZE, minimum)
    finally:
        m.close()


def test_minimum_above_cap_is_one_line_instantiation_error() -> None:
    with pytest.raises(InstantiationError) as caught:
        make(11, cap_bytes=10 * PAGE_SIZE)
    assert "\n" not in str(caught.value)
    assert "11 pages" in str(caught.value)


def test_failed_reservation_is_resource_error() -> None:
    # 2**48 bytes of guard exceed the 47-bit user address space of x86-64 Linux.
    with pytest.raises(ResourceError):
        make(1, guard_bytes=2**48)


def test_failed_mprotect_at_creation_is_resource_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(address: int, length: int, protection: int) -> None:
        raise OSError(12, "mprotect failed: ENOMEM")

    monkeypatch.setattr(memory_module, "_protect", refuse)
    with pytest.raises(ResourceError):
        make(1)


def test_new_memory_is_zeroed_and_sized() -> None:
    m = make(2)
    try:
        assert len(m.view) == 2 * PAGE_SIZE == m.size
        assert m.read(0, 2 * PAGE_SIZE) == bytes(2 * PAGE_SIZE)
    finally:
        m.close()


def test_zero_page_memory_has_empty_view_and_traps() -> None:
    m = make(0, 0, guard_bytes=0)
    try:
        assert len(m.view) == 0
        with pytest.raises(IndexError):
            m.view[0]
        with pytest.raises(Trap):
            m.read_u8(0)
        m.fill(0, 0, 0)  # empty range at the end: fine
        assert m.grow(1) == -1
    finally:
        m.close()


def test_zero_page_memory_grows() -> None:
    m = make(0)
    try:
        assert m.grow(1) == 0
        m.write_i32(PAGE_SIZE - 4, 7)
        assert m.read_u32(PAGE_SIZE - 4) == 7
    finally:
        m.close()


# -- grow -------------------------------------------------------------------------


def test_grow_keeps_data_and_base_address_and_remakes_view(memory: MemoryInstance) -> None:
    memory.write(100, b"kept")
    address, old_view = memory.address, memory.view
    assert memory.grow(2) == 1
    assert memory.pages == 3
    assert memory.address == address
    assert memory.view is not old_view
    assert len(memory.view) == 3 * PAGE_SIZE
    assert memory.read(100, 4) == b"kept"
    assert memory.read(PAGE_SIZE, 2 * PAGE_SIZE) == bytes(2 * PAGE_SIZE)  # new pages are zero
    memory.view[3 * PAGE_SIZE - 1] = 9  # and writable


def test_grow_releases_the_old_view(memory: MemoryInstance) -> None:
    old_view = memory.view
    memory.grow(1)
    with pytest.raises(ValueError, match="released"):
        old_view[0]


@pytest.mark.parametrize(
    ("delta", "result", "pages"), [(0, 1, 1), (3, 1, 4), (4, -1, 1), (2**32 - 1, -1, 1), (-1, -1, 1)]
)
def test_grow_result(memory: MemoryInstance, delta: int, result: int, pages: int) -> None:
    assert memory.grow(delta) == result
    assert memory.pages == pages


def test_grow_to_cap_then_fails() -> None:
    m = make(0, cap_bytes=3 * PAGE_SIZE)
    try:
        assert [m.grow(1) for _ in range(4)] == [0, 1, 2, -1]
    finally:
        m.close()


def test_grow_fails_when_mprotect_fails(memory: MemoryInstance, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(address: int, length: int, protection: int) -> None:
        raise OSError(12, "mprotect failed: ENOMEM")

    monkeypatch.setattr(memory_module, "_protect", refuse)
    assert memory.grow(1) == -1
    assert memory.pages == 1


# -- bounds of single accesses ----------------------------------------------------

WIDTHS = [(struct.Struct(f), struct.calcsize(f)) for f in ("<B", "<H", "<I", "<Q", "<f", "<d")]


@pytest.mark.parametrize(("layout", "width"), WIDTHS, ids=[f"{w}" + f.format for f, w in WIDTHS])
def test_view_access_at_the_edge(memory: MemoryInstance, layout: struct.Struct, width: int) -> None:
    end = len(memory.view)
    layout.unpack_from(memory.view, end - width)  # the last whole access is fine
    layout.pack_into(memory.view, end - width, 0)
    for address in range(end - width + 1, end + 1):
        with pytest.raises(struct.error):
            layout.unpack_from(memory.view, address)
        with pytest.raises(struct.error):
            layout.pack_into(memory.view, address, 0)


def test_byte_index_past_the_end_raises_index_error(memory: MemoryInstance) -> None:
    with pytest.raises(IndexError):
        memory.view[PAGE_SIZE]
    with pytest.raises(IndexError):
        memory.view[PAGE_SIZE] = 0


ACCESSORS = [
    ("read_u8", 1),
    ("read_i32", 4),
    ("read_u32", 4),
    ("read_i64", 8),
    ("read_u64", 8),
    ("read_f32", 4),
    ("read_f64", 8),
]


@pytest.mark.parametrize(("name", "width"), ACCESSORS)
def test_typed_read_traps_at_the_edge(memory: MemoryInstance, name: str, width: int) -> None:
    read = getattr(memory, name)
    read(PAGE_SIZE - width)
    for address in (PAGE_SIZE - width + 1, PAGE_SIZE, -1, 2**32):
        with pytest.raises(Trap, match=TRAP_MEMORY_OUT_OF_BOUNDS):
            read(address)


@pytest.mark.parametrize(
    ("name", "width"), [("write_u8", 1), ("write_i32", 4), ("write_i64", 8), ("write_f32", 4), ("write_f64", 8)]
)
def test_typed_write_traps_at_the_edge(memory: MemoryInstance, name: str, width: int) -> None:
    write = getattr(memory, name)
    write(PAGE_SIZE - width, 1)
    for address in (PAGE_SIZE - width + 1, -1):
        with pytest.raises(Trap, match=TRAP_MEMORY_OUT_OF_BOUNDS):
            write(address, 1)
    assert memory.read(PAGE_SIZE - width - 8, 8) == bytes(8)  # nothing written by the failed writes


@pytest.mark.parametrize(
    ("write", "read", "value", "expected"),
    [
        ("write_i32", "read_i32", -1, -1),
        ("write_i32", "read_u32", -1, 0xFFFFFFFF),
        ("write_i32", "read_u32", 0x1_2345_6789, 0x2345_6789),  # low 32 bits
        ("write_i64", "read_i64", 0xFFFF_FFFF_FFFF_FFFE, -2),
        ("write_i64", "read_u64", -2, 0xFFFF_FFFF_FFFF_FFFE),
        ("write_f64", "read_f64", 1.5, 1.5),
        ("write_f32", "read_f32", 0.1, 0.10000000149011612),  # rounded to binary32
        ("write_f32", "read_f32", 1e300, math.inf),
    ],
)
def test_typed_round_trip(memory: MemoryInstance, write: str, read: str, value: float, expected: float) -> None:
    getattr(memory, write)(8, value)
    assert getattr(memory, read)(8) == expected


def test_f32_signalling_nan_payload_survives(memory: MemoryInstance) -> None:
    memory.write(0, struct.pack("<I", 0x7FA00001))
    assert f32_to_bits(memory.read_f32(0)) == 0x7FA00001
    memory.write_f32(4, memory.read_f32(0))
    assert memory.read_u32(4) == 0x7FA00001


def test_little_endian(memory: MemoryInstance) -> None:
    memory.write_i32(0, 0x04030201)
    assert memory.read(0, 4) == b"\x01\x02\x03\x04"


# -- bulk operations --------------------------------------------------------------

END = PAGE_SIZE


@pytest.mark.parametrize(
    ("address", "length", "traps"),
    [
        (0, 0, False),
        (END, 0, False),  # empty at exactly the end: fine
        (END + 1, 0, True),  # beyond the end: traps even when empty
        (END - 4, 4, False),
        (END - 4, 5, True),
        (-1, 1, True),
        (0, -1, True),
        (2**32 - 1, 2, True),
    ],
)
def test_read_write_fill_bounds(memory: MemoryInstance, address: int, length: int, traps: bool) -> None:
    operations = [
        lambda: memory.read(address, length),
        lambda: memory.fill(address, 0xAB, length),
    ]
    if length >= 0:
        operations.append(lambda: memory.write(address, b"\xcd" * length))
    for operation in operations:
        if traps:
            with pytest.raises(Trap, match=TRAP_MEMORY_OUT_OF_BOUNDS):
                operation()
        else:
            operation()
    if traps:
        assert memory.read(0, END) == bytes(END)  # checked before anything was written


@pytest.mark.parametrize("length", [3, 10_000])  # the short path and the memset path
def test_fill_writes_the_low_byte(memory: MemoryInstance, length: int) -> None:
    memory.fill(10, 0x1FF, length)
    assert memory.read(9, length + 2) == b"\0" + b"\xff" * length + b"\0"


@pytest.mark.parametrize(
    ("destination", "source", "length", "traps"),
    [
        (0, END, 0, False),
        (END, 0, 0, False),
        (END + 1, 0, 0, True),
        (0, END + 1, 0, True),
        (END - 2, 0, 3, True),
        (0, END - 2, 3, True),
        (-1, 0, 1, True),
        (0, -1, 1, True),
    ],
)
def test_copy_bounds(memory: MemoryInstance, destination: int, source: int, length: int, traps: bool) -> None:
    memory.write(0, b"abc")
    if traps:
        with pytest.raises(Trap, match=TRAP_MEMORY_OUT_OF_BOUNDS):
            memory.copy(destination, source, length)
        assert memory.read(END - 3, 3) == bytes(3)
    else:
        memory.copy(destination, source, length)


@pytest.mark.parametrize(("destination", "source", "expected"), [(2, 0, b"ababcdefgh"), (0, 2, b"cdefghijij")])
def test_copy_overlapping(memory: MemoryInstance, destination: int, source: int, expected: bytes) -> None:
    memory.write(0, b"abcdefghij")
    memory.copy(destination, source, 8)
    assert memory.read(0, 10) == expected


@pytest.mark.parametrize(
    ("destination", "source", "length", "traps"),
    [
        (0, 0, 4, False),
        (END - 4, 0, 4, False),
        (END, 4, 0, False),  # empty, both at their ends
        (END + 1, 0, 0, True),
        (0, 5, 0, True),  # source beyond the segment's end, even when empty
        (0, 2, 3, True),
        (END - 3, 0, 4, True),
        (0, -1, 1, True),
    ],
)
def test_init_bounds(memory: MemoryInstance, destination: int, source: int, length: int, traps: bool) -> None:
    data = b"wxyz"
    if traps:
        with pytest.raises(Trap, match=TRAP_MEMORY_OUT_OF_BOUNDS):
            memory.init(destination, data, source, length)
        assert memory.read(0, END) == bytes(END)
    else:
        memory.init(destination, data, source, length)
        assert memory.read(destination, length) == data[source : source + length]


# -- lifetime ---------------------------------------------------------------------


def test_close_is_idempotent_and_later_access_fails_loudly() -> None:
    m = make(1)
    m.close()
    m.close()
    assert m.closed
    with pytest.raises(ValueError):
        m.view[0]
    with pytest.raises(ValueError):
        m.read(0, 1)


def test_close_with_a_derived_view_alive_keeps_it_valid() -> None:
    m = make(1)
    m.write(0, b"live")
    held = m.view[0:4]
    m.close()  # cannot unmap yet: no exception, no crash
    assert bytes(held) == b"live"


def test_no_leaked_mappings() -> None:
    for _ in range(20):  # let the interpreter's own allocations settle
        make(1).close()
    before = mapping_count()
    memories = [make(1) for _ in range(200)]
    assert mapping_count() >= before + 200  # each memory is visible as a mapping...
    for m in memories:
        m.close()
    for _ in range(2000):
        make(1).close()
    assert mapping_count() <= before + 5  # ...and none survives its close


# --- bulk operations in chunks (so that a timeout can stop them between two) -----------------------------


@pytest.mark.parametrize(
    ("destination", "source", "length"),
    [(0, 4096, 4096), (4096, 0, 4096), (100, 103, 1000), (103, 100, 1000), (0, 0, 999), (7, 5000, 33)],
    ids=["apart-down", "apart-up", "overlap-down", "overlap-up", "same", "short"],
)
def test_a_copy_in_chunks_is_a_memmove(
    destination: int, source: int, length: int, monkeypatch: pytest.MonkeyPatch, memory: MemoryInstance
) -> None:
    monkeypatch.setattr(memory_module, "BULK_CHUNK", 7)  # many chunks, none aligned with the overlap
    memory.write(0, bytes(range(256)) * 40)
    expected = bytearray(memory.read(0, 10240))
    expected[destination : destination + length] = expected[source : source + length]
    memory.copy(destination, source, length)
    assert memory.read(0, 10240) == bytes(expected)


def test_a_fill_in_chunks_fills_exactly_its_range(monkeypatch: pytest.MonkeyPatch, memory: MemoryInstance) -> None:
    monkeypatch.setattr(memory_module, "BULK_CHUNK", 4099)
    monkeypatch.setattr(memory_module, "_MEMSET_THRESHOLD", 16)
    memory.fill(3, 0x1AB, 20000)
    assert memory.read(0, 20010) == b"\0" * 3 + b"\xab" * 20000 + b"\0" * 7
