"""Resources (wasmrun.component_runtime.resources): handle tables, own and borrow, the built-ins, their traps."""

from __future__ import annotations

from typing import Any

import pytest
from canonical_harness import FakeMemory, make_context

from wasmrun.component.types import BorrowType, FuncType, ListType, OwnType, ResourceType, ValueType
from wasmrun.component_runtime import (
    CanonicalOptions,
    GuestDestructor,
    HandleTable,
    InstanceState,
    destroy,
    lift_flat,
    lift_function,
    load,
    lower_flat,
    lower_function,
    resource_drop,
    resource_new,
    resource_rep,
    store,
)
from wasmrun.component_runtime.resources import ResourceHandle
from wasmrun.errors import Trap

WRONG_TYPE = "handle index 1 used with the wrong type, expected guest-defined resource but found a different guest-defined resource"


def trap_text(call: Any) -> str:
    with pytest.raises(Trap) as caught:
        call()
    return caught.value.message


def func(*params: ValueType, result: ValueType | None = None) -> FuncType:
    return FuncType(tuple((f"p{i}", t) for i, t in enumerate(params)), result)


def options() -> CanonicalOptions:
    return CanonicalOptions(FakeMemory(), None)  # type: ignore[arg-type]


# -- the table --------------------------------------------------------------------------------------


def test_handles_start_at_1_and_freed_indexes_are_reused_last_freed_first() -> None:
    table = HandleTable()
    assert [table.add(name) for name in "abc"] == [1, 2, 3]
    assert table.remove(1) == "a" and table.remove(3) == "c"
    assert len(table) == 1
    assert [table.add("d"), table.add("e"), table.add("f")] == [3, 1, 4]


@pytest.mark.parametrize("index", [0, 1, 5, 2**32 - 1, -1])
def test_an_unknown_handle_index_traps_with_its_index(index: int) -> None:
    table = HandleTable()
    table.add("x")
    table.remove(1)
    assert trap_text(lambda: table.get(index)) == f"unknown handle index {index}"
    assert trap_text(lambda: table.remove(index)) == f"unknown handle index {index}"


def test_a_full_table_traps(monkeypatch: pytest.MonkeyPatch) -> None:
    assert HandleTable.MAX_LENGTH == 2**20  # (bounded memory; Wasmtime allows 2**28)
    monkeypatch.setattr(HandleTable, "MAX_LENGTH", 3)
    table = HandleTable()
    assert [table.add(name) for name in "abc"] == [1, 2, 3]
    assert "handle table full" in trap_text(lambda: table.add("x"))


# -- the built-ins ----------------------------------------------------------------------------------


def test_new_rep_and_drop_of_a_guest_resource() -> None:
    instance = InstanceState()
    dropped: list[int] = []
    resource = instance.define_resource(ResourceType("r", dropped.append))
    first, second = resource_new(instance, resource, 100), resource_new(instance, resource, 200)
    assert (first, second) == (1, 2)
    assert resource_rep(instance, resource, second) == 200
    resource_drop(instance, resource, first)
    assert dropped == [100]
    assert trap_text(lambda: resource_drop(instance, resource, first)) == "unknown handle index 1"
    assert trap_text(lambda: resource_rep(instance, resource, 0)) == "unknown handle index 0"
    assert resource_new(instance, resource, 300) == 1  # the freed index again


def test_a_handle_of_another_resource_type_traps() -> None:
    instance = InstanceState()
    one, two = ResourceType("one"), ResourceType("two")
    resource_new(instance, one, 7)
    assert trap_text(lambda: resource_drop(instance, two, 1)) == WRONG_TYPE
    assert trap_text(lambda: resource_rep(instance, two, 1)) == WRONG_TYPE
    host = ResourceType("host", host=True)
    assert "expected host-defined resource but found a different guest-defined resource" in trap_text(
        lambda: resource_rep(instance, host, 1)
    )
    cx = make_context(instance=InstanceState())
    cx.instance.handles.add(ResourceHandle(one, 7, own=True))
    assert trap_text(lambda: lift_flat(cx, [1], OwnType(two))) == WRONG_TYPE


def test_a_type_without_destructor_drops_quietly_and_the_host_destroys_what_it_owns() -> None:
    instance = InstanceState()
    plain = ResourceType("plain")
    resource_drop(instance, plain, resource_new(instance, plain, 1))
    closed: list[Any] = []
    file = ResourceType("file", closed.append, host=True)
    destroy(file, "handle object")
    assert closed == ["handle object"]


def test_new_and_drop_may_not_be_called_from_realloc_or_post_return() -> None:
    instance = InstanceState()
    resource = ResourceType("r")
    handle = resource_new(instance, resource, 1)
    instance.may_leave = False
    assert trap_text(lambda: resource_new(instance, resource, 2)) == "cannot leave component instance"
    assert trap_text(lambda: resource_drop(instance, resource, handle)) == "cannot leave component instance"
    assert resource_rep(instance, resource, handle) == 1  # (rep does not leave)


def test_a_guest_destructor_runs_in_its_instance_entered_from_the_dropping_one() -> None:
    owner, user = InstanceState(name="owner"), InstanceState(name="user")
    calls: list[Any] = []
    resource = ResourceType("r")
    resource.destructor = GuestDestructor(lambda args: calls.append((args, owner.may_enter)) or [], owner)
    owner.define_resource(resource)
    handle = user.handles.add(ResourceHandle(resource, 42, own=True))
    resource_drop(user, resource, handle)
    assert calls == [([42], False)] and owner.may_enter
    own = resource_new(owner, resource, 43)  # the owner drops its own resource: nothing new is entered
    owner.may_enter = False
    resource_drop(owner, resource, own)
    assert calls[-1] == ([43], False)
    handle = user.handles.add(ResourceHandle(resource, 44, own=True))
    assert trap_text(lambda: resource_drop(user, resource, handle)) == "cannot enter component instance"


# -- own and borrow across calls --------------------------------------------------------------------


def test_lifting_own_moves_the_handle_out_and_lowering_own_adds_one() -> None:
    resource = ResourceType("r")
    cx = make_context()
    index = resource_new(cx.instance, resource, 9)
    assert lift_flat(cx, [index], OwnType(resource)) == 9
    assert len(cx.instance.handles) == 0
    assert lower_flat(cx, 9, OwnType(resource)) == [index]
    store(cx, [5, 6], ListType(OwnType(resource), None), 0)
    assert [resource_rep(cx.instance, resource, i) for i in (2, 3)] == [5, 6]
    assert load(cx, 0, ListType(OwnType(resource), None)) == [5, 6]
    assert len(cx.instance.handles) == 1


def test_lifting_own_from_a_borrow_handle_traps() -> None:
    resource = ResourceType("r")
    cx = make_context()
    cx.instance.handles.add(ResourceHandle(resource, 1, own=False))
    assert (
        trap_text(lambda: lift_flat(cx, [1], OwnType(resource))) == "handle index 1 is a borrow, not an owned resource"
    )


def test_a_handle_lent_to_a_call_cannot_be_dropped_or_moved_until_it_returns() -> None:
    caller = InstanceState(name="caller")
    resource = ResourceType("r", host=True)
    handle = resource_new(caller, resource, "rep")
    seen: list[Any] = []

    def host(rep: Any) -> None:
        seen.append((rep, caller.handles.get(handle).num_lends))  # type: ignore[attr-defined]
        assert (
            trap_text(lambda: resource_drop(caller, resource, handle)) == "cannot remove owned resource while borrowed"
        )

    lowered = lower_function(host, func(BorrowType(resource)), options(), caller)
    lowered.invoke([handle])
    assert seen == [("rep", 1)]
    assert caller.handles.get(handle).num_lends == 0  # type: ignore[attr-defined]
    cx = make_context(instance=caller, lenders=[])
    assert lift_flat(cx, [handle], BorrowType(resource)) == "rep"
    assert (
        trap_text(lambda: lift_flat(cx, [handle], OwnType(resource))) == "cannot remove owned resource while borrowed"
    )


def test_a_borrow_lowered_into_a_callee_must_be_dropped_before_it_returns() -> None:
    callee = InstanceState(name="callee")
    resource = ResourceType("r", host=True)
    kept = lift_function(lambda args: [], func(BorrowType(resource)), options(), callee)
    assert trap_text(lambda: kept("host object")) == "borrow handles still remain at the end of the call"

    fresh = InstanceState(name="callee")
    seen: list[Any] = []

    def core(args: list[int]) -> list[int]:
        [index] = args
        seen.append(resource_rep(fresh, resource, index))
        resource_drop(fresh, resource, index)
        return []

    dropping = lift_function(core, func(BorrowType(resource)), options(), fresh)
    dropping("host object")
    assert seen == ["host object"] and len(fresh.handles) == 0


def test_a_borrow_lowered_into_the_instance_defining_its_type_is_the_representation() -> None:
    owner = InstanceState(name="owner")
    resource = owner.define_resource(ResourceType("r"))
    received: list[Any] = []
    function = lift_function(lambda args: received.append(args) or [], func(BorrowType(resource)), options(), owner)
    function(1234)
    assert received == [[1234]] and len(owner.handles) == 0


def test_an_own_passed_between_components_moves_from_table_to_table() -> None:
    owner, user = InstanceState(name="owner"), InstanceState(name="user")
    resource = owner.define_resource(ResourceType("r"))

    def make(args: list[int]) -> list[int]:
        return [resource_new(owner, resource, 77)]

    export = lift_function(make, func(result=OwnType(resource)), options(), owner)
    imported = lower_function(export, export.func_type, options(), user)
    [index] = imported.invoke([])
    assert len(owner.handles) == 0
    handle = user.handles.get(index)
    assert isinstance(handle, ResourceHandle) and (handle.rep, handle.own) == (77, True)


def test_borrowing_a_handle_of_the_wrong_type_through_a_call_traps() -> None:
    caller = InstanceState()
    one, two = ResourceType("one"), ResourceType("two")
    resource_new(caller, one, 1)
    lowered = lower_function(lambda rep: None, func(BorrowType(two)), options(), caller)
    assert trap_text(lambda: lowered.invoke([1])) == WRONG_TYPE
