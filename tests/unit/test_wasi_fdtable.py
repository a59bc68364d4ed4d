"""FdTable: Wasmtime's numbering, reuse and renumbering (wasmrun's table; end to end in test_wasi_files.py)."""

from __future__ import annotations

from wasmrun.wasi.fdtable import Entry, FdTable


class Probe(Entry):
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


def table_with(count: int) -> tuple[FdTable, list[Probe]]:
    table = FdTable()
    entries = [Probe() for _ in range(count)]
    for index, entry in enumerate(entries):
        assert table.push(entry) == index
    return table, entries


def test_numbers_count_up_from_zero() -> None:
    table, entries = table_with(5)
    assert [table.get(fd) for fd in range(5)] == entries
    assert table.get(5) is None


def test_the_highest_free_number_is_reused_first() -> None:
    table, _ = table_with(8)
    for fd in (3, 6, 5):
        assert table.remove(fd) is not None
    assert [table.push(Probe()) for _ in range(4)] == [6, 5, 3, 8]


def test_a_freed_top_number_is_reused_before_counting_up() -> None:
    table, _ = table_with(4)
    table.remove(3)
    assert table.push(Probe()) == 3


def test_remove_of_a_free_number() -> None:
    table, _ = table_with(2)
    assert table.remove(7) is None
    assert table.push(Probe()) == 2


def test_renumber_closes_the_target_and_frees_the_source() -> None:
    table, entries = table_with(5)
    assert table.renumber(4, 1)
    assert entries[1].closed and not entries[4].closed
    assert table.get(1) is entries[4] and table.get(4) is None
    assert table.push(Probe()) == 4


def test_renumber_needs_both_open() -> None:
    table, entries = table_with(3)
    assert not table.renumber(2, 9)
    assert not table.renumber(9, 2)
    assert table.get(2) is entries[2] and not entries[2].closed
    assert table.renumber(1, 1) and not entries[1].closed


def test_renumber_onto_a_number_that_was_free_before() -> None:
    table, _ = table_with(5)
    table.remove(4)
    assert not table.renumber(2, 4)  # 4 is not open


def test_close_all() -> None:
    table, entries = table_with(3)
    table.close_all()
    assert all(entry.closed for entry in entries)
    assert table.push(Probe()) == 0
