"""The VMContext layout: Wasmtime's rules, and offsets read off code that Wasmtime 50 compiled.

The "observed" cases below were checked by compiling each module with
wasmtime-py 50.0.1 (``Module.serialize()``) and reading the displacements off
the x86-64 code: e.g. ``memory.init`` of a passive segment loads
``runtime_data_bases[i]`` and ``runtime_data_lengths[i]`` from the vmctx.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmrun.cli.source import is_component_source
from wasmrun.inspection.vmoffsets import (
    PADDING,
    VM_FUNC_REF,
    VM_FUNCTION_IMPORT,
    VM_GLOBAL_DEFINITION,
    VM_GLOBAL_IMPORT,
    VM_MEMORY_DEFINITION,
    VM_MEMORY_IMPORT,
    VM_TABLE_DEFINITION,
    VM_TABLE_IMPORT,
    VM_TAG_DEFINITION,
    VM_TAG_IMPORT,
    VMCONTEXT_LAYOUT,
    Region,
    VMShape,
    VMType,
    escaped_functions,
    function_escapes,
    vmcontext_layout,
)
from wasmrun.loader import load_module

REPO_ROOT = Path(__file__).resolve().parents[2]
PROBE = REPO_ROOT / "tests" / "data" / "inspect" / "vmctx_probe.wat"


def shape_of(wat: str) -> VMShape:
    return VMShape.from_module(load_module(wat.encode()))


@pytest.mark.parametrize(
    ("vm_type", "size_64", "size_32"),
    [
        (VM_MEMORY_IMPORT, 24, 12),
        (VM_MEMORY_DEFINITION, 16, 8),
        (VM_FUNCTION_IMPORT, 32, 16),
        (VM_TABLE_IMPORT, 24, 12),
        (VM_GLOBAL_IMPORT, 24, 16),  # VMGlobalKind: 8 bytes, aligned to 4
        (VM_TAG_IMPORT, 24, 12),
        (VM_TABLE_DEFINITION, 16, 8),
        (VM_GLOBAL_DEFINITION, 16, 16),
        (VM_TAG_DEFINITION, 4, 4),
        (VM_FUNC_REF, 32, 16),
    ],
    ids=lambda value: value.name if isinstance(value, VMType) else str(value),
)
def test_element_sizes(vm_type: VMType, size_64: int, size_32: int) -> None:
    assert (vm_type.size(8), vm_type.size(4)) == (size_64, size_32)


PROBE_OFFSETS_64 = {
    "magic": 0x0,
    "store_context": 0x8,
    "builtin_functions": 0x10,
    "epoch_ptr": 0x18,
    "gc_heap_data": 0x20,
    "type_ids": 0x28,
    "memories": 0x30,
    "owned_memories": 0x38,
    "imported_functions": 0x48,
    "imported_globals": 0x68,
    "tables": 0x80,
    "globals": 0x90,
}


@pytest.mark.parametrize(("region", "offset"), sorted(PROBE_OFFSETS_64.items()))
def test_probe_module_64_bit_offsets_match_wasmtime_50(region: str, offset: int) -> None:
    layout = vmcontext_layout(VMShape.from_module(load_module(PROBE.read_bytes())), 8)
    assert layout.region(region).offset == offset


PROBE_OFFSETS_32 = {
    "store_context": 0x4,
    "memories": 0x18,
    "owned_memories": 0x1C,
    "imported_functions": 0x24,
    "imported_globals": 0x34,
    "tables": 0x44,
    "globals": 0x50,  # after 4 bytes of padding to 16
    "func_refs": 0x60,
}


@pytest.mark.parametrize(("region", "offset"), sorted(PROBE_OFFSETS_32.items()))
def test_probe_module_32_bit_offsets(region: str, offset: int) -> None:
    layout = vmcontext_layout(VMShape.from_module(load_module(PROBE.read_bytes())), 4)
    assert layout.region(region).offset == offset


def test_probe_module_sizes() -> None:
    shape = VMShape.from_module(load_module(PROBE.read_bytes()))
    assert shape.num_escaped_funcs == 3  # the import and the two exported functions
    assert (vmcontext_layout(shape, 8).size, vmcontext_layout(shape, 4).size) == (0x100, 0x90)


# (module, region, element index, offset observed in Wasmtime 50's x86-64 code)
OBSERVED = [
    pytest.param(
        """(module (import "env" "f" (func $f)) (import "env" "g" (global (mut i32)))
             (memory 1) (table 1 funcref) (global $h (mut i64) (i64.const 7))
             (data "hello") (data $q "world!") (start $s) (func $s)
             (func (export "a") (call $f)) (func (export "b")) (func (export "c")) (func $d (export "d"))
             (func (export "e") (memory.init $q (i32.const 0) (i32.const 1) (i32.const 2))))""",
        [("runtime_data_bases", 1, 0x188), ("runtime_data_lengths", 1, 0x194)],
        id="start-function-and-passive-data",
    ),
    pytest.param(
        """(module (memory 1) (table 2 funcref) (elem (i32.const 0) funcref (ref.func $a) (ref.null func))
             (data $q "world!") (func $a) (func $b)
             (func (export "init") (memory.init $q (i32.const 0) (i32.const 1) (i32.const 2))))""",
        [("runtime_data_bases", 0, 0xC0), ("runtime_data_lengths", 0, 0xC8)],
        id="expression-segment-needs-startup",
    ),
    pytest.param(
        """(module (memory 1) (table 2 funcref) (elem (i32.const 0) func $a $b)
             (data $q "world!") (func $a) (func $b)
             (func (export "init") (memory.init $q (i32.const 0) (i32.const 1) (i32.const 2))))""",
        [("runtime_data_bases", 0, 0xC0), ("runtime_data_lengths", 0, 0xC8)],
        id="function-segment-applied-ahead-of-time",
    ),
    pytest.param(
        """(module (memory 1) (data (i32.const 16) "abc") (data (i32.const 100) "\\00\\00") (data $q "world!")
             (func (export "init") (memory.init $q (i32.const 0) (i32.const 1) (i32.const 2))))""",
        [("runtime_data_bases", 1, 0x98), ("runtime_data_lengths", 1, 0xA4)],
        id="memory-image-then-passive",
    ),
    pytest.param(
        """(module (memory 1) (data (i32.const 100) "\\00\\00") (data $q "world!")
             (func (export "init") (memory.init $q (i32.const 0) (i32.const 1) (i32.const 2))))""",
        [("runtime_data_bases", 1, 0x98), ("runtime_data_lengths", 1, 0xA4)],
        id="image-of-zeros-is-kept",
    ),
    pytest.param(
        """(module (import "env" "g" (global $g i32)) (memory 1)
             (data (global.get $g) "abc") (data (i32.const 100) "\\00") (data $q "world!")
             (func (export "init") (memory.init $q (i32.const 0) (i32.const 1) (i32.const 2))))""",
        [("runtime_data_bases", 2, 0xB0), ("runtime_data_lengths", 2, 0xC0)],
        id="no-image-with-a-global-offset",
    ),
    pytest.param(
        """(module (memory 300) (data (i32.const 0) "a") (data (i32.const 18000000) "b") (data $q "world!")
             (func (export "init") (memory.init $q (i32.const 0) (i32.const 1) (i32.const 2))))""",
        [("runtime_data_bases", 2, 0xA0), ("runtime_data_lengths", 2, 0xB0)],
        id="no-image-when-too-sparse",
    ),
    pytest.param(
        """(module (memory 300) (data (i32.const 0) "a") (data (i32.const 1000000) "b") (data $q "world!")
             (func (export "init") (memory.init $q (i32.const 0) (i32.const 1) (i32.const 2))))""",
        [("runtime_data_bases", 1, 0x98), ("runtime_data_lengths", 1, 0xA4)],
        id="sparse-image-below-16-MiB",
    ),
    pytest.param(
        """(module (import "env" "m" (memory 1)) (import "env" "t" (table 1 funcref))
             (import "env" "t2" (table 1 funcref)) (global $x (mut i32) (i32.const 1))
             (func (export "a") (result i32)
               (i32.add (global.get $x) (i32.add (table.size 1) (i32.load (i32.const 0))))))""",
        [("imported_memories", 0, 0x30), ("imported_tables", 1, 0x60), ("globals", 0, 0x80)],
        id="imported-memory-and-tables",
    ),
]


@pytest.mark.parametrize(("wat", "expected"), OBSERVED)
def test_offsets_observed_in_wasmtime_50(wat: str, expected: list[tuple[str, int, int]]) -> None:
    layout = vmcontext_layout(shape_of(wat), 8)
    assert [(name, index, layout.offset_of(name, index)) for name, index, _ in expected] == expected


CORE_MODULES = sorted(
    path
    for path in (REPO_ROOT / "tests" / "data" / "inspect").glob("*.wat")
    if not is_component_source(path.read_bytes())
)
"""The core modules among the inspect test data (the components there have their own layout tests)."""


@pytest.mark.parametrize("ptr_size", [8, 4])
@pytest.mark.parametrize("path", CORE_MODULES, ids=lambda p: p.name)
def test_regions_are_contiguous_and_end_at_the_size(path: Path, ptr_size: int) -> None:
    layout = vmcontext_layout(VMShape.from_module(load_module(path.read_bytes())), ptr_size)
    offset = 0
    for region in layout.regions:
        assert region.offset == offset
        assert region.size == region.count * region.element_size or region.name == PADDING
        offset += region.size
    assert offset == layout.size


def test_every_declared_region_appears_once_in_order() -> None:
    declared = [entry.name for entry in VMCONTEXT_LAYOUT if isinstance(entry, Region)]
    layout = vmcontext_layout(VMShape(), 8)
    assert [region.name for region in layout.regions if region.name != PADDING] == declared


@pytest.mark.parametrize(("ptr_size", "after_magic"), [(8, (PADDING, 4, 4)), (4, ("store_context", 4, 4))])
def test_padding_after_magic_only_on_64_bit_hosts(ptr_size: int, after_magic: tuple[str, int, int]) -> None:
    region = vmcontext_layout(VMShape(), ptr_size).regions[1]
    assert (region.name, region.offset, region.size) == after_magic


def test_padding_before_globals_aligns_them_to_16() -> None:
    layout = vmcontext_layout(VMShape(num_defined_memories=1, num_defined_globals=1), 8)
    assert layout.region("globals").offset == 0x40
    assert [(r.offset, r.size, r.count, r.element_size) for r in layout.regions if r.name == PADDING][-1] == (
        0x38,
        8,
        0,
        0,
    )


@pytest.mark.parametrize("ptr_size", [0, 2, 16])
def test_unsupported_pointer_size(ptr_size: int) -> None:
    with pytest.raises(ValueError, match="pointer size"):
        vmcontext_layout(VMShape(), ptr_size)


def test_offset_of_checks_the_index() -> None:
    layout = vmcontext_layout(VMShape(num_defined_globals=2), 8)
    assert layout.offset_of("globals", 1) == layout.region("globals").offset + 16
    with pytest.raises(IndexError):
        layout.offset_of("globals", 2)


ESCAPES = """(module
  (import "env" "imported" (func $imported))
  (table 1 funcref)
  (global funcref (ref.func $in_global))
  (func $in_global) (func $in_element) (func $exported (export "e")) (func $declared) (func $start_only)
  (func $unreferenced)
  (elem (i32.const 0) func $in_element)
  (elem declare func $declared)
  (start $start_only))"""


def test_escaped_functions() -> None:
    assert escaped_functions(load_module(ESCAPES.encode())) == {0, 1, 2, 3, 4}


def test_func_refs_order_follows_the_sections() -> None:
    # Imports, then global initializers, then exports, then element items (Wasmtime's module_environ.rs).
    escapes = function_escapes(load_module(ESCAPES.encode()))
    assert list(escapes.items()) == [
        (0, ("import",)),
        (1, ("global",)),
        (3, ("export",)),
        (2, ("element",)),
        (4, ("element",)),
    ]


def test_a_function_escaping_twice_keeps_its_first_slot() -> None:
    wat = """(module (table 2 funcref) (func $f (export "f")) (func $g)
               (global funcref (ref.func $g)) (elem (i32.const 0) func $f $g))"""
    assert function_escapes(load_module(wat.encode())) == {1: ("global", "element"), 0: ("export", "element")}
    assert list(function_escapes(load_module(wat.encode()))) == [1, 0]


@pytest.mark.parametrize(
    ("wat", "startup"),
    [
        ("(module)", False),
        ("(module (func $s) (start $s))", True),
        ("(module (table 1 funcref) (func $f) (elem func $f))", True),  # passive segment
        ('(module (import "e" "g" (global i32)) (global i32 (global.get 0)))', True),
        ("(module (global i32 (i32.const 1)))", False),
        ("(module (global funcref (ref.null func)))", True),  # not a numeric constant
        ("(module (table 1 funcref) (func $f) (elem (i32.const 0) func $f))", False),
        ("(module (table 1 funcref) (func $f) (elem (i32.const 1) func $f))", True),  # past the minimum size
        ('(module (import "e" "t" (table 1 funcref)) (func $f) (elem (i32.const 0) func $f))', True),
        ('(module (memory 1) (data (i32.const 0) "x"))', True),
        ('(module (memory 1) (data (i32.const 0) ""))', False),  # empty: no image
        ('(module (memory 1) (data "x"))', False),  # passive data alone needs no startup
    ],
)
def test_startup_function(wat: str, startup: bool) -> None:
    assert shape_of(wat).has_startup_func is startup


@pytest.mark.parametrize(
    ("wat", "runtime_data"),
    [
        ('(module (memory 1) (data (i32.const 0) "a") (data (i32.const 8) "b"))', 1),  # one image
        ('(module (memory 1) (data (i32.const 65535) "ab"))', 1),  # out of bounds: each segment
        ('(module (memory 1) (data (i32.const 0) "a") (data (i32.const 70000) "b"))', 2),
        ('(module (memory 1) (data "a") (data "b") (data (i32.const 0) "c"))', 3),
    ],
)
def test_runtime_data_count(wat: str, runtime_data: int) -> None:
    assert shape_of(wat).num_runtime_data == runtime_data
