"""Multiple memories, memory64 and table64: runtime limits, resources, bad input, both tiers."""

from __future__ import annotations

import functools
import resource

import pytest

from wasmrun.errors import InstantiationError, ResourceError, ValidationError
from wasmrun.features import EVERY_PROPOSAL, Features, proposals_used
from wasmrun.loader import load_module
from wasmrun.runtime.memory import MemoryInstance
from wasmrun.runtime.table import TableInstance
from wasmrun.types import PAGE_SIZE, Limits, MemoryType, TableType, ValType
from wasmrun.wast import ScriptRunner
from wasmrun.wast_engine import ScriptEngine


def run_script(text: str, engine: str) -> None:
    report = ScriptRunner(engine_factory=functools.partial(ScriptEngine, engine=engine)).run_text(text, "t.wast")
    assert report.failed == 0, "\n".join(str(failure) for failure in report.failures)
    assert report.passed > 0


def test_a_64_bit_memory_with_a_huge_maximum_reserves_only_the_cap_lazily() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    memory = MemoryInstance(MemoryType(Limits(1, 64 * 2**30 // PAGE_SIZE, address64=True)))
    try:
        assert memory.max_pages == 4 * 2**30 // PAGE_SIZE  # the default cap
        assert memory.grow(2**40) == -1  # past the cap: fails, never raises
        assert memory.grow_failed == 2**64 - 1
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert after - before < 100 * 1024  # KiB: nothing touched
    finally:
        memory.close()


def test_a_reservation_that_cannot_be_made_is_a_one_line_error() -> None:
    memory_type = MemoryType(Limits(0, 2**48, address64=True))
    with pytest.raises(ResourceError) as caught:
        MemoryInstance(memory_type, cap_bytes=2**62)
    assert "\n" not in str(caught.value)
    assert "cannot reserve" in str(caught.value)


def test_a_reservation_past_what_mmap_takes_is_a_one_line_error() -> None:
    with pytest.raises(ResourceError, match="too large"):
        MemoryInstance(MemoryType(Limits(0, None, address64=True)), cap_bytes=2**70)


def test_a_64_bit_minimum_over_the_cap_fails_instantiation() -> None:
    with pytest.raises(InstantiationError, match="exceeds the memory limit"):
        MemoryInstance(MemoryType(Limits(2**40, None, address64=True)))


def test_a_64_bit_table_fails_to_grow_with_all_ones() -> None:
    table = TableInstance(TableType(ValType.FUNCREF, Limits(0, None, address64=True)))
    assert table.grow_failed == 2**64 - 1
    assert table.grow(2**63, None) == -1


@pytest.mark.parametrize(
    ("wat", "message"),
    [
        ("(module (memory 1) (func (drop (i32.load 1 (i32.const 0)))))", "unknown memory 1"),
        ("(module (memory 1) (func (i32.store 2 (i32.const 0) (i32.const 0))))", "unknown memory 2"),
        ("(module (memory 1) (func (memory.fill 1 (i32.const 0) (i32.const 0) (i32.const 0))))", "unknown memory 1"),
        ("(module (memory 1) (func (memory.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 0))))", "unknown memory 1"),
        ("(module (memory i64 1) (func (drop (i32.load (i32.const 0)))))", "type mismatch"),
        ("(module (memory 1) (func (drop (i32.load offset=0x1_0000_0000 (i32.const 0)))))", "offset out of range"),
        ("(module (table i64 1 funcref) (func (drop (table.get (i32.const 0)))))", "type mismatch"),
        ("(module (memory i64 0x1_0000_0000_0001))", r"memory size must be at most 2\^48 pages"),
    ],
)
def test_bad_memory_instructions_are_invalid(wat: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        load_module(wat.encode())


def test_a_disabled_memory64_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError, match=r"^module uses the memory64 proposal, which is disabled$"):
        load_module(b"(module (memory i64 1))", features=Features().without("memory64"))


SCRIPT = """
(module
  (memory $a 1)
  (memory $b i64 1 2)
  (table $t i64 2 funcref)
  (data (memory $b) (i64.const 8) "\\01\\02\\03\\04")
  (func $f (result i32) (i32.const 42))
  (elem (table $t) (i64.const 1) func $f)
  (func (export "load_b") (param i64) (result i32) (i32.load $b (local.get 0)))
  (func (export "store_a") (param i32 i32) (i32.store $a offset=4 (local.get 0) (local.get 1)))
  (func (export "load_a") (param i32) (result i32) (i32.load $a offset=4 (local.get 0)))
  (func (export "copy") (param i64 i32 i32) (memory.copy $b $a (local.get 0) (local.get 1) (local.get 2)))
  (func (export "grow_b") (param i64) (result i64) (memory.grow $b (local.get 0)))
  (func (export "size_b") (result i64) (memory.size $b))
  (func (export "far") (result i32) (i32.load $b offset=0xffff_ffff_ffff_fff0 (i64.const 0x20)))
  (func (export "call") (param i64) (result i32) (call_indirect $t (result i32) (local.get 0)))
  (func (export "grow_t") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
)
(assert_return (invoke "load_b" (i64.const 8)) (i32.const 0x04030201))
(assert_trap (invoke "load_b" (i64.const 0xffff_ffff_ffff_fffe)) "out of bounds memory access")
(assert_trap (invoke "load_b" (i64.const 65533)) "out of bounds memory access")
(assert_return (invoke "store_a" (i32.const 0) (i32.const 7)))
(assert_return (invoke "load_a" (i32.const 0)) (i32.const 7))
(assert_return (invoke "copy" (i64.const 100) (i32.const 4) (i32.const 4)))
(assert_return (invoke "load_b" (i64.const 100)) (i32.const 7))
(assert_trap (invoke "copy" (i64.const 65535) (i32.const 0) (i32.const 2)) "out of bounds memory access")
(assert_trap (invoke "far") "out of bounds memory access")
(assert_return (invoke "grow_b" (i64.const 1)) (i64.const 1))
(assert_return (invoke "grow_b" (i64.const 1)) (i64.const -1))
(assert_return (invoke "grow_b" (i64.const 0xffff_ffff_ffff_ffff)) (i64.const -1))
(assert_return (invoke "size_b") (i64.const 2))
(assert_return (invoke "call" (i64.const 1)) (i32.const 42))
(assert_trap (invoke "call" (i64.const 0x1_0000_0001)) "undefined element")
(assert_return (invoke "grow_t" (i64.const 0xffff_ffff_ffff_ffff)) (i64.const -1))
"""


@pytest.mark.parametrize("engine", ["interp", "compile"])
def test_two_memories_one_64_bit_and_a_64_bit_table_in_both_tiers(engine: str) -> None:
    run_script(SCRIPT, engine)


# --- custom page sizes ---------------------------------------------------------------------------------------


def test_a_byte_paged_memory_grows_by_bytes_and_bounds_aligned_accesses_exactly() -> None:
    memory = MemoryInstance(MemoryType(Limits(5, 20), page_size_log2=0))
    try:
        assert (memory.size, len(memory.view)) == (5, 5)
        if "I" in memory.typed_views:
            assert len(memory.typed_views["I"]) == 1  # one whole u32: an aligned u32 at 4 is past its end
        assert memory.grow(3) == 5
        assert memory.size == 8
        memory.write_i32(4, 0x01020304)
        assert memory.read_u32(4) == 0x01020304
        assert memory.grow(13) == -1  # past the maximum of 20 bytes
    finally:
        memory.close()


def test_custom_page_sizes_are_off_by_default_and_on_when_asked() -> None:
    wat = b'(module (memory 1 (pagesize 1)) (func (export "size") (result i32) (memory.size)))'
    with pytest.raises(ValidationError, match=r"^module uses the custom-page-sizes proposal, which is disabled$"):
        load_module(wat)
    module = load_module(wat, features=EVERY_PROPOSAL)
    assert module.memory_types[0].page_size == 1
    assert proposals_used(module) == ("custom-page-sizes",)


def test_a_page_size_other_than_1_or_64_kib_is_invalid() -> None:
    with pytest.raises(ValidationError, match="invalid custom page size"):
        load_module(b"(module (memory 1 (pagesize 4096)))", features=EVERY_PROPOSAL)


def test_a_memory_imports_only_a_memory_of_its_page_size() -> None:
    script = """
    (module $m (memory (export "small") 0 (pagesize 1)))
    (register "m" $m)
    (module (memory (import "m" "small") 0 (pagesize 1)))
    (assert_unlinkable (module (memory (import "m" "small") 0)) "incompatible import type")
    """
    runner = ScriptRunner(engine_factory=functools.partial(ScriptEngine, engine="interp"), features=EVERY_PROPOSAL)
    report = runner.run_text(script, "t.wast")
    assert report.failed == 0, "\n".join(str(failure) for failure in report.failures)
