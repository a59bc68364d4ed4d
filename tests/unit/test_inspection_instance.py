"""``inspect --instance``'s data: a live instance read into plain data, beside Wasmtime's VMContext slots.

Modules with imports other than WASI's are instantiated here with a linker
that provides them, which the CLI cannot do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import LinkError
from wasmrun.inspection.instance import ElementRun, InstanceState, VMSlot, inspect_instance, instance_state
from wasmrun.inspection.summary import ImportName
from wasmrun.launch import ExecutionError
from wasmrun.loader import load_module
from wasmrun.runtime.instance import Instance
from wasmrun.runtime.linker import Linker
from wasmrun.runtime.store import Store
from wasmrun.types import PAGE_SIZE, FuncType, GlobalType, Limits, MemoryType, TableType, ValType

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT / "tests" / "data" / "inspect"


def state_of(wat: str, **options: int | None) -> InstanceState:
    return inspect_instance(load_module(wat.encode()), file="m.wat", **options)


@pytest.fixture
def store() -> Store:
    return Store(Interpreter())


def probe_instance(store: Store) -> Instance:
    """vmctx_probe.wat, whose offsets were read off the code Wasmtime 50 compiles for it."""
    linker = Linker(store)
    i32 = ValType.I32
    linker.define("env", "f", store.host_function(FuncType((i32,), (i32,)), lambda x: x + 1, "f"))
    linker.define("env", "g", store.allocate_global(GlobalType(i32, True), 41))
    return linker.instantiate(load_module((DATA / "vmctx_probe.wat").read_bytes()))


def test_vmctx_slots_are_where_wasmtime_50_puts_them(store: Store) -> None:
    state = instance_state(probe_instance(store), file="probe")
    assert state.memories[0].vmctx == (VMSlot("owned_memories", 0, 0x38), VMSlot("memories", 0, 0x30))
    assert state.tables[0].vmctx == (VMSlot("tables", 0, 0x80),)
    assert [global_.vmctx for global_ in state.globals] == [
        (VMSlot("imported_globals", 0, 0x68),),
        (VMSlot("globals", 0, 0x90),),
    ]
    assert state.function_references[0].vmctx[0] == VMSlot("imported_functions", 0, 0x48)
    assert (state.ptr_size, state.vmctx_size) == (8, 0x100)


def test_imports_of_every_kind(store: Store) -> None:
    linker = Linker(store)
    i32, i64 = ValType.I32, ValType.I64
    memory = store.allocate_memory(MemoryType(Limits(1, None)))
    table = store.allocate_table(TableType(ValType.FUNCREF, Limits(4, 16)))
    linker.define("env", "log", store.host_function(FuncType((i32, i32), ()), lambda a, b: None, "log"))
    linker.define("env", "now", store.host_function(FuncType((), (i64,)), lambda: 5, "now"))
    linker.define("env", "table", table)
    linker.define("env", "memory", memory)
    linker.define("env", "base", store.allocate_global(GlobalType(i32, False), 100))
    linker.define("env", "depth", store.allocate_global(GlobalType(i32, True), 7))
    instance = linker.instantiate(load_module((DATA / "all_imports.wat").read_bytes()))
    state = instance_state(instance, file="all_imports.wat")

    (memory_state,) = state.memories
    assert (memory_state.imported_from, memory_state.vmctx) == (
        ImportName("env", "memory"),
        (VMSlot("imported_memories", 0, 0x30),),
    )
    assert memory.read(100, 5) == b"hello"  # the active data segment, at the imported global's value
    (table_state,) = state.tables
    assert table_state.imported_from == ImportName("env", "table")
    assert table_state.vmctx[0].region == "imported_tables"
    assert table_state.exports == ("table",)
    assert (table_state.size, table_state.max, table_state.nulls, table_state.functions) == (4, 16, 2, 2)
    assert table_state.elements == (ElementRun(0, 2, 2),)  # $hello and $elapsed, functions 2 and 3
    assert [(g.value, g.mutable, g.exports, g.vmctx[0].region) for g in state.globals] == [
        ("100", False, (), "imported_globals"),
        ("7", True, ("depth",), "imported_globals"),
    ]
    assert [(r.function, r.escapes) for r in state.function_references] == [
        (0, ("import",)),
        (1, ("import",)),
        (2, ("export", "element")),
        (3, ("export", "element")),
    ]
    assert state.wasi == ()


def test_functions_of_another_instance_in_a_table(store: Store) -> None:
    linker = Linker(store)
    other = linker.instantiate(
        load_module(b'(module (table (export "t") 3 funcref) (func $f) (elem (i32.const 1) func $f $f))')
    )
    linker.define_instance("other", other)
    instance = linker.instantiate(load_module(b'(module (import "other" "t" (table 3 funcref)))'))
    (table,) = instance_state(instance, file="m").tables
    assert table.elements == (ElementRun(1, 2, None),)
    assert (table.nulls, table.functions, table.vmctx[0].region) == (1, 2, "imported_tables")


def test_memory_numbers() -> None:
    (memory,) = state_of("(module (memory 2 5))").memories
    assert (memory.pages, memory.min_pages, memory.declared_max, memory.max_pages) == (2, 2, 5, 5)
    assert (memory.accessible, memory.reservation) == (2 * PAGE_SIZE, 5 * PAGE_SIZE)
    assert memory.guard > 0 and memory.address > 0


def test_memory_cap_limits_the_reservation() -> None:
    (memory,) = state_of("(module (memory 1))", max_memory=3 * PAGE_SIZE).memories
    assert (memory.declared_max, memory.max_pages, memory.reservation) == (None, 3, 3 * PAGE_SIZE)


def test_the_start_function_runs() -> None:
    state = state_of(
        """(module (memory 1 3) (table 1 funcref) (global $g (mut i64) (i64.const 0)) (func $f)
             (func $s (global.set $g (i64.const -2)) (drop (memory.grow (i32.const 2)))
               (drop (table.grow (ref.func $f) (i32.const 2))))
             (elem declare func $f) (start $s))"""
    )
    assert (state.start, state.memories[0].pages, state.globals[0].value) == (1, 3, "-2")
    assert (state.tables[0].size, state.tables[0].nulls, state.tables[0].elements) == (
        3,
        1,
        (ElementRun(1, 1, 0), ElementRun(2, 1, 0)),
    )


@pytest.mark.parametrize(
    ("global_", "value"),
    [
        ("(global f32 (f32.const 0.1))", "0.1"),
        ("(global f64 (f64.const -0))", "-0"),
        ("(global f64 (f64.const nan))", "NaN"),
        ("(global i32 (i32.const -1))", "-1"),
        ("(global i64 (i64.const 0x8000000000000000))", "-9223372036854775808"),
        ("(global externref (ref.null extern))", "<null externref>"),
        ("(global v128 (v128.const i64x2 -1 0))", str(2**64 - 1)),
    ],
)
def test_global_values_as_invoke_prints_them(global_: str, value: str) -> None:
    assert state_of(f"(module {global_})").globals[0].value == value


def test_funcref_global_names_its_function() -> None:
    (first, second) = state_of(
        "(module (func) (func $f) (global funcref (ref.func $f)) (global funcref (ref.null func)))"
    ).globals
    assert (first.value, first.function) == ("<funcref>", 1)
    assert (second.value, second.function) == ("<null funcref>", None)


def test_segments_after_instantiation() -> None:
    state = state_of(
        """(module (memory 1) (table 1 funcref) (func $f)
             (data (i32.const 0) "ab") (data $p "cde") (data $q "f")
             (elem (i32.const 0) func $f) (elem $e func $f $f) (elem declare func $f)
             (func $s (data.drop $q)) (start $s))"""
    )
    assert [(s.kind, s.index, s.mode, s.size, s.available, s.dropped) for s in state.segments] == [
        ("data", 0, "active", 2, 0, True),
        ("data", 1, "passive", 3, 3, False),
        ("data", 2, "passive", 1, 0, True),
        ("element", 0, "active", 1, 0, True),
        ("element", 1, "passive", 2, 2, False),
        ("element", 2, "declarative", 1, 0, True),
    ]


@pytest.mark.parametrize(
    ("exports", "not_called"),
    [
        ('(func (export "_start")) (func (export "_initialize"))', ("_initialize", "_start")),
        ('(func (export "_start")) (func (export ""))', ("",)),
        ('(global (export "_start") i32 (i32.const 0))', ()),
    ],
)
def test_what_run_would_call_next(exports: str, not_called: tuple[str, ...]) -> None:
    assert state_of(f"(module {exports})").not_called == not_called


def test_wasi_is_linked_without_running_start() -> None:
    state = state_of(
        """(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (func (export "_start") (call $exit (i32.const 9))))"""
    )
    assert state.wasi == ("wasi_snapshot_preview1",)
    assert state.function_references[0].imported_from == ImportName("wasi_snapshot_preview1", "proc_exit")


def test_failures_are_runs() -> None:
    with pytest.raises(LinkError, match="unknown import"):
        state_of('(module (import "env" "f" (func)))')
    with pytest.raises(ExecutionError) as caught:
        state_of("(module (func $s unreachable) (start $s))")
    assert caught.value.stage == "instantiate"
