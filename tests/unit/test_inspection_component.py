"""``inspect`` of components: the summary, WIT-like text, Wasmtime's counts and the VMComponentContext layout.

Where the numbers come from:

* the layout (order, element sizes, alignment steps, the magic) is Wasmtime 49's source,
  ``crates/environ/src/vmctxtypes.rs`` and ``crates/environ/src/component/vmcomponent_offsets.rs``
  at commit ``e6b33de513`` (``main`` at ``49.0.0-dev``, after ``65b7954405`` "Bump Wasmtime to
  49.0.0"), worked by hand for each case below;
* the counts (trampolines, lowerings, component instances, resources) were checked against what
  wasmtime-py 50.0.1 compiles: ``wasmtime.component.Component.from_file(...).serialize()`` and
  ``objdump -d`` of the result list one ``component-trampolines[i]-wasm-call-...`` function per
  trampoline, named ``lower-import[j]`` or ``resource-drop[k]`` (hello: 24 trampolines, 17
  lowerings, 7 resource drops; resource: resource-new, -rep and -drop);
* wasmtime-py exposes no ``VMComponentOffsets``; its compiled trampolines read ``may_leave[i]`` at
  ``0x20 + 16 i`` and the lowering callees from ``0x20 + 16 n + 32 t`` (n component instances,
  t trampolines): hello's first lowering at ``0x340``.  The 49 source puts ``task_may_block``
  before ``may_leave``, so its offsets from ``may_leave`` on are 16 bytes further
  (:data:`OBSERVED_50`, kept to show the difference).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from wasmrun.component.decoder import decode_component
from wasmrun.component.records import Component
from wasmrun.component.text import encode_component_text
from wasmrun.inspection.component_counts import component_shape
from wasmrun.inspection.component_summary import summarize_component
from wasmrun.inspection.component_vmoffsets import (
    VM_LOWERING,
    VMCOMPONENT_MAGIC,
    VMCOMPONENTCONTEXT_LAYOUT,
    ComponentShape,
    vmcomponentcontext_layout,
)
from wasmrun.inspection.vmoffsets import Region

DATA = Path(__file__).resolve().parents[1] / "data" / "inspect"


def component(name: str) -> Component:
    return decode_component((DATA / f"{name}.component.wasm").read_bytes(), decode_modules=True)


def from_text(text: str) -> Component:
    return decode_component(encode_component_text(text))


# --- the declaration ------------------------------------------------------------------------------


def test_magic_is_comp() -> None:
    assert VMCOMPONENT_MAGIC == 0x706D6F63


def test_lowering_is_two_pointers() -> None:
    assert (VM_LOWERING.size(8), VM_LOWERING.size(4)) == (16, 8)


def test_every_count_of_the_shape_is_a_region() -> None:
    counts = {entry.count for entry in VMCOMPONENTCONTEXT_LAYOUT if isinstance(entry, Region) and entry.count}
    assert counts == {field.name for field in dataclasses.fields(ComponentShape)}


def offsets(shape: ComponentShape, ptr_size: int = 8) -> dict[str, int]:
    layout = vmcomponentcontext_layout(shape, ptr_size)
    return {region.name: region.offset for region in layout.regions if region.name != "padding"} | {"size": layout.size}


def test_empty_component_64_and_32_bit() -> None:
    assert offsets(ComponentShape()) == {
        "magic": 0,
        "builtins": 8,
        "store_context": 16,
        "task_may_block": 32,
        "may_leave": 48,
        "trampoline_func_refs": 64,
        "intrinsic_func_refs": 64,
        "lowerings": 64,
        "memories": 64,
        "tables": 64,
        "reallocs": 64,
        "callbacks": 64,
        "post_returns": 64,
        "resource_destructors": 64,
        "size": 64,
    }
    assert offsets(ComponentShape(), 4)["task_may_block"] == 16
    assert offsets(ComponentShape(), 4)["size"] == 48


def test_ptr_size_must_be_4_or_8() -> None:
    with pytest.raises(ValueError, match="pointer size 2"):
        vmcomponentcontext_layout(ComponentShape(), 2)


# --- the components of tests/data/inspect: counts and offsets ------------------------------------

HELLO = ComponentShape(
    num_runtime_component_instances=2,  # the root and wit-component's shim for wasi:cli/run
    num_trampolines=24,  # 17 lowerings and 7 resource.drop
    num_lowerings=17,
    num_runtime_memories=1,  # the main module's memory, named by every lower
    num_runtime_reallocs=1,  # cabi_import_realloc
    num_resources=7,  # error, input-stream, output-stream, terminal-input, terminal-output, descriptor, directory-entry-stream
)

SHAPES = {
    "hello": HELLO,
    "types": ComponentShape(num_runtime_memories=1),  # five aliases of one export "mem": one memory
    "strings": ComponentShape(num_runtime_memories=1, num_runtime_reallocs=1),
    "resource": ComponentShape(num_trampolines=3, num_resources=1),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_counts(name: str) -> None:
    assert component_shape(component(name)) == SHAPES[name]


# (name, ptr_size) -> offsets, worked from the 49 source by hand.
VMCTX = {
    ("hello", 8): {
        "may_leave": 0x30,
        "trampoline_func_refs": 0x50,
        "lowerings": 0x50 + 24 * 32,
        "memories": 0x350 + 17 * 16,
        "reallocs": 0x468,
        "resource_destructors": 0x470,
        "size": 0x470 + 7 * 8,
    },
    ("hello", 4): {
        "may_leave": 0x20,
        "trampoline_func_refs": 0x40,
        "lowerings": 0x40 + 24 * 16,
        "memories": 0x1C0 + 17 * 8,
        "size": 0x248 + 4 + 4 + 7 * 4,
    },
    ("strings", 8): {"memories": 0x40, "reallocs": 0x48, "size": 0x50},
    ("resource", 8): {"lowerings": 0x40 + 3 * 32, "resource_destructors": 0xA0, "size": 0xA8},
}


@pytest.mark.parametrize(("name", "ptr_size"), sorted(VMCTX))
def test_vmctx_offsets(name: str, ptr_size: int) -> None:
    found = offsets(component_shape(component(name)), ptr_size)
    assert {key: found[key] for key in VMCTX[name, ptr_size]} == VMCTX[name, ptr_size]


OBSERVED_50 = {"hello": {"may_leave": 0x20, "lowerings": 0x340}}


def test_wasmtime_50_compiled_offsets_are_the_source_minus_task_may_block() -> None:
    found = offsets(HELLO)
    assert {key: found[key] - 16 for key in OBSERVED_50["hello"]} == OBSERVED_50["hello"]


# --- counting rules on small components -------------------------------------------------------------


def test_two_instances_of_a_nested_component() -> None:
    shape = component_shape(
        from_text(
            """(component
              (import "f" (func $f (param "x" u32)))
              (component $c
                (import "f" (func $f (param "x" u32)))
                (core func $lf (canon lower (func $f)))
                (core module $n (import "x" "f" (func (param i32))))
                (core instance (instantiate $n (with "x" (instance (export "f" (func $lf)))))))
              (instance (instantiate $c (with "f" (func $f))))
              (instance (instantiate $c (with "f" (func $f)))))"""
        )
    )
    # As wasmtime-py 50.0.1 compiles it: lower-import[0] and [1], may_leave[1] and [2].
    assert (shape.num_runtime_component_instances, shape.num_trampolines, shape.num_lowerings) == (3, 2, 2)


def test_a_lower_nobody_uses_is_not_compiled() -> None:
    shape = component_shape(
        from_text(
            """(component
              (import "f" (func $f))
              (core func (canon lower (func $f))))"""
        )
    )
    assert (shape.num_trampolines, shape.num_lowerings) == (0, 0)


def test_exported_lift_options_are_runtime_items() -> None:
    shape = component_shape(
        from_text(
            """(component
              (core module $m
                (memory (export "mem") 1)
                (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
                (func (export "free") (param i32))
                (func (export "f") (param i32 i32) (result i32) i32.const 0))
              (core instance $i (instantiate $m))
              (func (export "f") (param "s" string) (result string)
                (canon lift (core func $i "f") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))
                  (post-return (core func $i "free")))))"""
        )
    )
    assert (shape.num_runtime_memories, shape.num_runtime_reallocs, shape.num_runtime_post_returns) == (1, 1, 1)


def test_imported_resources_are_counted() -> None:
    shape = component_shape(
        from_text(
            """(component
              (import "r" (type (sub resource)))
              (import "i" (instance (export "a" (type (sub resource))) (export "b" (type (sub resource))))))"""
        )
    )
    assert shape.num_resources == 3


# --- the summary -----------------------------------------------------------------------------------


def wit_lines(name: str) -> list[str]:
    summary = summarize_component(component(name))
    return [item.wit for item in (*summary.imports, *summary.exports)]


def test_types_component_as_wit() -> None:
    lines = wit_lines("types")
    assert lines[:4] == [
        "export record point { x: s32, y: s32 }",
        "export variant shape { circle(u32), rect(point), none }",
        "export flags perms { read, write, exec }",
        "export enum color { red, green, blue }",
    ]
    assert "export checked-div: func(a: u32, b: u32) -> result<u32, string>;" in lines
    assert "export divmod: func(a: u32, b: u32) -> tuple<u32, u32>;" in lines


def test_hello_imports_and_exports() -> None:
    summary = summarize_component(component("hello"))
    streams = next(item for item in summary.imports if item.name == "wasi:io/streams@0.2.12")
    assert streams.wit == "import wasi:io/streams@0.2.12;"
    assert "use wasi:io/error@0.2.12.{error};" in streams.items
    assert (
        "[method]output-stream.check-write: func(self: borrow<output-stream>) -> result<u64, stream-error>;"
        in streams.items
    )
    (run,) = summary.exports
    assert (run.wit, run.items) == ("export wasi:cli/run@0.2.12;", ("run: func() -> result;",))
    assert [nested.index for nested in summary.components] == [0]
    assert [module.name for module in summary.core_modules][1:] == [
        "wit-component:adapter:wasi_snapshot_preview1",
        "wit-component:shim",
        "wit-component:fixups",
    ]


def test_canonical_options() -> None:
    summary = summarize_component(component("strings"))
    greet = summary.canonical_functions[0]
    assert (greet.kind, greet.target, greet.type, greet.memory, greet.realloc, greet.string_encoding) == (
        "lift",
        "core func 0",
        0,
        0,
        1,
        "utf8",
    )
    hello = summarize_component(component("hello"))
    lowers = [canon for canon in hello.canonical_functions if canon.kind == "lower"]
    assert len(lowers) == 17 and {canon.memory for canon in lowers} == {None, 0}


def test_unnamed_and_aliased_types() -> None:
    summary = summarize_component(
        from_text(
            """(component
              (import "i" (instance $i (export "t" (type (sub resource)))))
              (alias export $i "t" (type $t))
              (type (list (tuple u8 (own $t))))
              (type (func (param "a" 4) (result (option string)))))"""
        )
    )
    # (The text format hoists inline types: own and tuple come before the list, option before the func.)
    assert [(t.kind, t.name, t.text) for t in summary.types] == [
        ("defined", None, "instance (1 export)"),
        ("alias", "t", "t (from i)"),
        ("defined", None, "own<t>"),
        ("defined", None, "tuple<u8, own<t>>"),
        ("defined", None, "list<tuple<u8, own<t>>>"),
        ("defined", None, "option<string>"),
        ("defined", None, "func(a: list<tuple<u8, own<t>>>) -> option<string>"),
    ]
