"""``inspect --instance`` of a component: the instance tree, flags, handle tables, core instances and
canonical functions read from a component just instantiated with the WASI 0.2 host.

``component_state.wat`` (in ``tests/data/inspect``) leaves state behind at instantiation: its start
function keeps a handle, makes a waitable set and raises backpressure; it nests two components and
lowers the innermost one's lifted export.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmrun.component.decoder import decode_component
from wasmrun.component.records import Component
from wasmrun.component.text import encode_component_text
from wasmrun.component.types import ResourceType
from wasmrun.component_runtime.instantiate import InstantiationRecord, Recorder, instantiate_component
from wasmrun.component_runtime.resources import ResourceHandle
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import LinkError
from wasmrun.inspection.component_counts import component_shape
from wasmrun.inspection.component_instance import (
    CanonicalFunctionState,
    ComponentInstanceNode,
    ComponentInstanceState,
    CoreItem,
    HandleState,
    ResourceTypeState,
    TableElement,
    component_instance_state,
    inspect_component_instance,
)
from wasmrun.inspection.component_vmoffsets import vmcomponentcontext_layout
from wasmrun.inspection.instance import VMSlot
from wasmrun.runtime.store import Store

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT / "tests" / "data" / "inspect"


def load(path: Path) -> Component:
    data = path.read_bytes()
    return decode_component(data if data.startswith(b"\0asm") else encode_component_text(data.decode()))


def state_of(path: Path) -> ComponentInstanceState:
    return inspect_component_instance(load(path), file=path.name)


@pytest.fixture(scope="module")
def upper() -> ComponentInstanceState:
    return state_of(REPO_ROOT / "examples" / "upper.component.wasm")


@pytest.fixture(scope="module")
def nested() -> ComponentInstanceState:
    return state_of(DATA / "component_state.wat")


def root_of(state: ComponentInstanceState) -> ComponentInstanceNode:
    return state.instances[0]


def canonical(node: ComponentInstanceNode, index: int) -> CanonicalFunctionState:
    (found,) = [function for function in node.canonical_functions if function.index == index]
    return found


# --- the tree ---------------------------------------------------------------------------------------


def test_instances_in_instantiation_order_with_their_components(nested: ComponentInstanceState) -> None:
    assert [(node.path, node.index, node.component, node.runtime_index) for node in nested.instances] == [
        ("root", None, None, 0),
        ("instance 0", 0, "component 0", 1),
        ("instance 0 > instance 0", 0, "component 0 > component 0", 2),
    ]


def test_may_leave_slots_follow_the_runtime_index(nested: ComponentInstanceState) -> None:
    # Wasmtime 49: task_may_block at 0x20, then may_leave[i] at 0x30 + 16 i (see test_inspection_component).
    assert [node.vmctx for node in nested.instances] == [
        (VMSlot("may_leave", 0, 0x30),),
        (VMSlot("may_leave", 1, 0x40),),
        (VMSlot("may_leave", 2, 0x50),),
    ]


def test_vmcomponentcontext_size_is_the_vmctx_views(nested: ComponentInstanceState) -> None:
    assert nested.vmctx_size == vmcomponentcontext_layout(component_shape(load(DATA / "component_state.wat"))).size


def test_the_wasi_command_is_not_called(upper: ComponentInstanceState) -> None:
    assert upper.not_called == ("wasi:cli/run@0.2.12#run",)
    assert "wasi:cli/stdout@0.2.12" in upper.imports


def test_a_component_without_wasi_cli_run_calls_nothing(nested: ComponentInstanceState) -> None:
    assert (nested.imports, nested.not_called) == ((), ())


# --- flags, resource types, handles -------------------------------------------------------------------


def test_flags_after_instantiation(nested: ComponentInstanceState) -> None:
    root = root_of(nested)
    assert (root.may_enter, root.may_leave, root.backpressure) == (
        True,
        True,
        1,
    )  # the start function's backpressure.inc


def test_resource_type_with_its_destructor(nested: ComponentInstanceState) -> None:
    assert root_of(nested).resource_types == (ResourceTypeState("r", "i32", "core instance 0 function 0 (dtor)"),)


def test_handles_left_by_the_start_function(nested: ComponentInstanceState) -> None:
    assert root_of(nested).handles == (
        HandleState(1, "own", "r (root)", "42", 0),
        HandleState(2, "waitable-set", None, None, 0),
    )


def test_an_instance_that_made_no_handles_has_an_empty_table(upper: ComponentInstanceState) -> None:
    assert [node.handles for node in upper.instances] == [(), ()]


def recorded(text: str) -> tuple[Store, list[InstantiationRecord]]:
    recorder = Recorder()
    store = Store(Interpreter())
    instantiate_component(decode_component(encode_component_text(text)), store, recorder=recorder)
    return store, recorder.records


def test_the_recorder_keeps_each_instance_once_the_outermost_last() -> None:
    recorder = Recorder()
    instantiate_component(load(DATA / "component_state.wat"), Store(Interpreter()), recorder=recorder)
    parents = [record.state.parent for record in recorder.records]
    assert len(parents) == 3 and parents[-1] is None and all(parent is not None for parent in parents[:-1])


def test_flags_are_read_as_they_are_now() -> None:
    _store, records = recorded("(component)")
    state = records[-1].state
    state.may_enter, state.may_leave, state.backpressure = False, False, 3
    node = root_of(component_instance_state(records, file="c"))
    assert (node.may_enter, node.may_leave, node.backpressure) == (False, False, 3)


def test_a_lent_borrow_of_a_host_resource() -> None:
    _store, records = recorded("(component)")
    handle = ResourceHandle(ResourceType("stream", host=True), object(), own=False)
    handle.num_lends = 1
    records[-1].state.handles.add(handle)
    assert root_of(component_instance_state(records, file="c")).handles == (
        HandleState(1, "borrow", "stream", "host", 1),
    )


# --- core instances ------------------------------------------------------------------------------------


def test_core_instance_of_a_module(upper: ComponentInstanceState) -> None:
    shim = root_of(upper).core_instances[0]
    assert (shim.index, shim.kind, shim.module, shim.module_name, shim.start) == (
        0,
        "instantiate",
        2,
        "wit-component:shim",
        None,
    )


def test_a_start_function_that_ran(upper: ComponentInstanceState) -> None:
    adapter = root_of(upper).core_instances[13]
    assert (adapter.module_name, adapter.start) == ("wit-component:adapter:wasi_snapshot_preview1", 57)


def test_core_instance_of_exports_has_no_contents(upper: ComponentInstanceState) -> None:
    exports = root_of(upper).core_instances[3]
    assert (exports.kind, exports.module, exports.contents) == ("exports", None, None)
    assert exports.items == (CoreItem(None, "memory", "memory", "core instance 2 memory 0"),)


def test_memories_tables_and_globals_as_the_core_view_reads_them(upper: ComponentInstanceState) -> None:
    main = root_of(upper).core_instances[2].contents
    assert main is not None
    assert [(memory.pages, memory.exports) for memory in main.memories] == [(3, ("memory",))]
    assert [(table.size, table.nulls) for table in main.tables] == [(4, 1)]
    assert [global_.value for global_ in main.globals] == ["69168"]
    assert main.vmctx_size == 604  # as `inspect --instance examples/upper.wasm` says of the same module


def test_imports_as_given(upper: ComponentInstanceState) -> None:
    adapter = root_of(upper).core_instances[13]
    given = {(item.module, item.name): item.origin for item in adapter.items}
    assert given[("env", "memory")] == "core instance 2 memory 0"
    assert given[("wasi:cli/stdout@0.2.12", "get-stdout")] == "core func 26: lower wasi:cli/stdout@0.2.12#get-stdout"
    assert given[("__main_module__", "_start")] == "core instance 2 function 48 (_start.command_export)"


def test_table_slots_filled_by_another_instance(upper: ComponentInstanceState) -> None:
    shim = root_of(upper).core_instances[0]
    assert shim.table_elements[0] == TableElement(0, 0, "core instance 13 function 40 (fd_close)")
    assert shim.table_elements[5] == TableElement(
        0, 5, "core func 33: lower wasi:filesystem/types@0.2.12#filesystem-error-code"
    )


def test_own_functions_are_not_foreign_elements(nested: ComponentInstanceState) -> None:
    (element,) = root_of(nested).core_instances[3].table_elements  # slot 1 holds the module's own $init
    assert element == TableElement(0, 0, 'core func 4: lower instance 0 > instance 0 export "answer"')


# --- canonical functions ----------------------------------------------------------------------------------


def test_lowered_host_function(upper: ComponentInstanceState) -> None:
    assert canonical(root_of(upper), 26) == CanonicalFunctionState(
        26,
        "lower",
        "host",
        "wasi:cli/stdout@0.2.12#get-stdout",
        (),
        ('core instance 13 "wasi:cli/stdout@0.2.12" "get-stdout"',),
    )


def test_lowering_options_name_their_items(upper: ComponentInstanceState) -> None:
    assert canonical(root_of(upper), 44).options == (
        "memory core instance 2 memory 0",
        "realloc core instance 13 function 39 (cabi_import_realloc)",
    )


def test_lowered_lifted_export_of_a_nested_instance(nested: ComponentInstanceState) -> None:
    lowered = canonical(root_of(nested), 4)
    assert (lowered.target_kind, lowered.target, lowered.given_to) == (
        "lifted",
        'instance 0 > instance 0 export "answer"',
        ('core instance 3 "child" "answer"',),
    )


def test_resource_builtin_of_a_host_resource(upper: ComponentInstanceState) -> None:
    drop = canonical(root_of(upper), 17)
    assert (drop.canon, drop.target_kind, drop.target) == (
        "resource.drop",
        "resource",
        "output-stream (wasi:io/streams@0.2.12)",
    )


@pytest.mark.parametrize(
    ("index", "canon", "target_kind", "target"),
    [(1, "resource.new", "resource", "r (root)"), (2, "waitable-set.new", None, ""), (3, "backpressure.inc", None, "")],
)
def test_builtins(nested: ComponentInstanceState, index: int, canon: str, target_kind: str | None, target: str) -> None:
    builtin = canonical(root_of(nested), index)
    assert (builtin.canon, builtin.target_kind, builtin.target) == (canon, target_kind, target)


# --- failures -----------------------------------------------------------------------------------------------


def test_an_import_the_host_lacks_fails_as_run_does() -> None:
    component = decode_component(encode_component_text('(component (import "nope" (func)))'))
    with pytest.raises(LinkError, match="component imports function `nope`"):
        inspect_component_instance(component, file="c.wat")
