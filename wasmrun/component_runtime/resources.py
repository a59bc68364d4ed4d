"""Resources: handles in a component instance's table, ``own`` and ``borrow``, and the resource built-ins.

A handle is an index into the instance's :class:`~wasmrun.component_runtime.instance_state.HandleTable`
naming a :class:`ResourceHandle`: a resource type, the resource's representation (an i32 for a
guest-defined type, any Python object for a host-defined one), whether it owns the resource, and
for a borrow the call it was lent into.

The rules (CanonicalABI.md, "Resource State", ``lift_own`` ... ``canon resource.drop``):

* lifting ``own<R>`` takes the handle out of the table (ownership moves to the receiver), and
  traps if the handle is a borrow, of another type, or lent out now;
* lifting ``borrow<R>`` reads the representation and counts a lend on the handle until the call
  returns, so the handle cannot be dropped or moved meanwhile;
* lowering ``own<R>`` adds an owning handle; lowering ``borrow<R>`` into the instance that
  defines ``R`` passes the representation itself, else adds a borrow handle that the callee
  must drop before it returns;
* ``resource.drop`` of an owning handle calls the type's destructor, if any.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from wasmrun.component.types import ResourceType
from wasmrun.component_runtime.context import BorrowScope, LiftLowerContext
from wasmrun.component_runtime.instance_state import InstanceState
from wasmrun.component_runtime.traps import (
    CANNOT_REMOVE_BORROWED,
    UNCAUGHT_EXCEPTION,
    not_owned,
    unknown_handle,
    wrong_handle_type,
)
from wasmrun.errors import Trap, WasmException


class ResourceHandle:
    """An element of a handle table (spec: ``ResourceHandle``)."""

    __slots__ = ("borrow_scope", "num_lends", "own", "rep", "resource_type")

    def __init__(
        self, resource_type: ResourceType, rep: Any, own: bool, borrow_scope: BorrowScope | None = None
    ) -> None:
        self.resource_type = resource_type
        self.rep = rep
        self.own = own
        self.borrow_scope = borrow_scope
        self.num_lends = 0  # borrows lent from this handle to calls still running

    def __repr__(self) -> str:
        kind = "own" if self.own else "borrow"
        return f"<{kind} {self.resource_type!r} rep={self.rep!r} lends={self.num_lends}>"


class GuestDestructor:
    """A guest-defined resource type's destructor: the core function, called as its instance's export.

    Calling it enters ``instance`` (the one defining the type) from the dropping instance, so a
    drop that would reenter it traps; dropping from the defining instance itself enters nothing.
    """

    __slots__ = ("core", "instance")

    def __init__(self, core: Callable[[Sequence[Any]], Any], instance: InstanceState) -> None:
        self.core = core
        self.instance = instance

    def __call__(self, rep: Any, caller: InstanceState | None = None) -> None:
        entered = self.instance.enter_from(caller)
        try:
            self.core([rep])
        except WasmException:
            raise Trap(UNCAUGHT_EXCEPTION) from None
        self.instance.leave(entered)


def _handle(table_owner: InstanceState, index: int, resource_type: ResourceType) -> ResourceHandle:
    """The resource handle at ``index``, checked to be of ``resource_type``."""
    element = table_owner.handles.get(index)
    if not isinstance(element, ResourceHandle):
        raise unknown_handle(index)
    if element.resource_type is not resource_type:
        raise wrong_handle_type(index, resource_type.host, element.resource_type.host)
    return element


def _removable(table_owner: InstanceState, index: int, resource_type: ResourceType, own: bool) -> ResourceHandle:
    """The handle at ``index`` if it may leave the table (not lent out now; an owning one if ``own``), taken out.

    The spec removes first and checks after; checking first traps the same way but leaves the
    table as it was, which is easier to inspect after a trap.
    """
    handle = _handle(table_owner, index, resource_type)
    if handle.num_lends:
        raise Trap(CANNOT_REMOVE_BORROWED)
    if own and not handle.own:
        raise not_owned(index)
    table_owner.handles.remove(index)
    return handle


# -- lifting and lowering handles ------------------------------------------------------------------


def lift_own(cx: LiftLowerContext, index: int, resource_type: ResourceType) -> Any:
    """Take the owning handle ``index`` out of the instance's table: its representation."""
    return _removable(cx.instance, index, resource_type, own=True).rep


def lift_borrow(cx: LiftLowerContext, index: int, resource_type: ResourceType) -> Any:
    """The representation of handle ``index``, lent (counted on the handle) until the call returns."""
    handle = _handle(cx.instance, index, resource_type)
    lenders = cx.lenders
    if lenders is not None:
        handle.num_lends += 1
        lenders.append(handle)
    return handle.rep


def lower_own(cx: LiftLowerContext, rep: Any, resource_type: ResourceType) -> int:
    """A new owning handle for ``rep`` in the instance's table."""
    return cx.instance.handles.add(ResourceHandle(resource_type, rep, own=True))


def lower_borrow(cx: LiftLowerContext, rep: Any, resource_type: ResourceType) -> Any:
    """``rep`` itself for the instance defining the type, else a borrow handle scoped to the call."""
    if cx.instance.implements(resource_type):
        return rep
    scope = cx.borrow_scope
    if scope is None:
        scope = cx.borrow_scope = BorrowScope()
    scope.num_borrows += 1
    return cx.instance.handles.add(ResourceHandle(resource_type, rep, own=False, borrow_scope=scope))


def release_lends(lenders: list[ResourceHandle]) -> None:
    """A call that borrowed these handles has returned: they may be dropped or moved again."""
    for handle in lenders:
        handle.num_lends -= 1
    lenders.clear()


# -- the built-ins ---------------------------------------------------------------------------------


def resource_new(instance: InstanceState, resource_type: ResourceType, rep: Any) -> int:
    """``canon resource.new``: a new owning handle for ``rep``."""
    instance.check_may_leave()
    return instance.handles.add(ResourceHandle(resource_type, rep, own=True))


def resource_rep(instance: InstanceState, resource_type: ResourceType, index: int) -> Any:
    """``canon resource.rep``: the representation behind handle ``index`` (own or borrow)."""
    return _handle(instance, index, resource_type).rep


def resource_drop(instance: InstanceState, resource_type: ResourceType, index: int) -> None:
    """``canon resource.drop``: remove handle ``index``; for an owning one, destroy the resource."""
    instance.check_may_leave()
    handle = _removable(instance, index, resource_type, own=False)
    if handle.own:
        destroy(resource_type, handle.rep, instance)
    elif handle.borrow_scope is not None:
        handle.borrow_scope.num_borrows -= 1


def destroy(resource_type: ResourceType, rep: Any, caller: InstanceState | None = None) -> None:
    """Call ``resource_type``'s destructor, if it has one, on ``rep`` (``caller``: the dropping instance, or
    None for the host, which drops an ``own`` it holds this way)."""
    destructor = resource_type.destructor
    if destructor is None:
        return
    if isinstance(destructor, GuestDestructor):
        destructor(rep, caller)
    else:
        destructor(rep)
