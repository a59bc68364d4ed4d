"""TableInstance and GlobalInstance: grow limits, bounds of every table instruction, checked before writing."""

from __future__ import annotations

import pytest

from wasmrun.errors import TRAP_TABLE_OUT_OF_BOUNDS, InstantiationError, Trap
from wasmrun.runtime.globals import GlobalInstance
from wasmrun.runtime.table import TableInstance
from wasmrun.types import GlobalType, Limits, TableType, ValType


def make(minimum: int, maximum: int | None = None, initial: object = None, **options: int) -> TableInstance:
    return TableInstance(TableType(ValType.EXTERNREF, Limits(minimum, maximum)), initial, **options)


def test_new_table_holds_the_initial_value() -> None:
    table = make(3, initial="x")
    assert (table.size, table.elements) == (3, ["x", "x", "x"])


@pytest.mark.parametrize(
    ("minimum", "maximum", "deltas", "results", "size"),
    [
        (0, None, [0, 1, 0, 2, 800], [0, 0, 1, 1, 3], 803),
        (0, 10, [1, 1, 2, 6, 0, 1, 0x10000], [0, 1, 2, 4, 10, -1, -1], 10),
        (0x10, None, [0xFFFF_FFF0], [-1], 0x10),  # to 2**32: past the spec's bound
        (5, 5, [0, 1], [5, -1], 5),
        (1, None, [-1], [-1], 1),
    ],
)
def test_grow(minimum: int, maximum: int | None, deltas: list[int], results: list[int], size: int) -> None:
    table = make(minimum, maximum)
    assert [table.grow(delta, "new") for delta in deltas] == results
    assert table.size == size


def test_grow_fills_with_the_value() -> None:
    table = make(1)
    table.grow(2, "v")
    assert table.elements == [None, "v", "v"]


def test_grow_is_limited_by_the_element_cap() -> None:
    table = make(0, element_cap=4)
    assert [table.grow(3, None), table.grow(2, None), table.grow(1, None)] == [0, -1, 3]


def test_minimum_above_the_element_cap_is_instantiation_error() -> None:
    with pytest.raises(InstantiationError):
        make(5, element_cap=4)


def test_max_is_the_declared_maximum() -> None:
    assert (make(0).max, make(0, 7).max) == (None, 7)


@pytest.mark.parametrize("index", [0, 2])
def test_get_set_in_bounds(index: int) -> None:
    table = make(3)
    table.set(index, "r")
    assert table.get(index) == "r"


@pytest.mark.parametrize("index", [3, -1, 2**32 - 1])
def test_get_set_out_of_bounds(index: int) -> None:
    table = make(3)
    with pytest.raises(Trap, match=TRAP_TABLE_OUT_OF_BOUNDS):
        table.get(index)
    with pytest.raises(Trap, match=TRAP_TABLE_OUT_OF_BOUNDS):
        table.set(index, "r")
    assert table.elements == [None, None, None]


@pytest.mark.parametrize(
    ("index", "length", "traps"),
    [(0, 4, False), (4, 0, False), (5, 0, True), (1, 4, True), (-1, 1, True), (0, -1, True)],
)
def test_fill(index: int, length: int, traps: bool) -> None:
    table = make(4)
    if traps:
        with pytest.raises(Trap, match=TRAP_TABLE_OUT_OF_BOUNDS):
            table.fill(index, "f", length)
        assert table.elements == [None] * 4
    else:
        table.fill(index, "f", length)
        assert table.elements[index : index + length] == ["f"] * length


@pytest.mark.parametrize(
    ("destination", "source", "length", "traps"),
    [
        (0, 0, 4, False),
        (4, 0, 0, False),
        (0, 4, 0, False),
        (5, 0, 0, True),
        (0, 5, 0, True),
        (2, 0, 3, True),
        (0, 2, 3, True),
    ],
)
def test_copy_bounds(destination: int, source: int, length: int, traps: bool) -> None:
    source_table = make(4, initial="s")
    table = make(4)
    if traps:
        with pytest.raises(Trap, match=TRAP_TABLE_OUT_OF_BOUNDS):
            table.copy(destination, source_table, source, length)
        assert table.elements == [None] * 4
    else:
        table.copy(destination, source_table, source, length)
        assert table.elements[destination : destination + length] == ["s"] * length


@pytest.mark.parametrize(("destination", "source", "expected"), [(1, 0, [0, 0, 1, 2]), (0, 1, [1, 2, 3, 3])])
def test_copy_within_one_table_overlapping(destination: int, source: int, expected: list[int]) -> None:
    table = make(4)
    table.elements[:] = [0, 1, 2, 3]
    table.copy(destination, table, source, 3)
    assert table.elements == expected


@pytest.mark.parametrize(
    ("destination", "source", "length", "traps"),
    [
        (0, 0, 2, False),
        (2, 1, 1, False),
        (3, 2, 0, False),
        (4, 0, 0, True),
        (0, 3, 0, True),
        (0, 1, 2, True),
        (2, 0, 2, True),
    ],
)
def test_init_bounds(destination: int, source: int, length: int, traps: bool) -> None:
    items = ("a", "b")
    table = make(3)
    if traps:
        with pytest.raises(Trap, match=TRAP_TABLE_OUT_OF_BOUNDS):
            table.init(destination, items, source, length)
        assert table.elements == [None] * 3
    else:
        table.init(destination, items, source, length)
        assert table.elements[destination : destination + length] == list(items[source : source + length])


def test_global_value_is_read_and_written_directly() -> None:
    global_instance = GlobalInstance(GlobalType(ValType.I32, True), 5)
    global_instance.value = 6
    assert (global_instance.value, global_instance.type.valtype) == (6, ValType.I32)
    assert "mut i32" in repr(global_instance)
