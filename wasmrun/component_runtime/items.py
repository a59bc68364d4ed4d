"""What a component instance's index spaces hold at run time, and the instances themselves.

Each sort's items (``Explainer.md``, Index Spaces), as instantiation keeps them:

==============  ===================================================================================
sort            item
==============  ===================================================================================
core func       a :class:`~wasmrun.runtime.functions.FunctionInstance` (wasm, or host: a lowered
                function, a resource built-in)
core table ...  a TableInstance, MemoryInstance, GlobalInstance, TagInstance
core module     a validated :class:`~wasmrun.module.Module`
core instance   a module :class:`~wasmrun.runtime.instance.Instance` or a :class:`CoreExports`
func            a :class:`~wasmrun.component_runtime.canonical.LiftedFunction`, or a
                :class:`ComponentFunction` (a host callable with its type)
type            a resolved type (:mod:`wasmrun.component.types`), held by the type resolver
component       a :class:`ComponentClosure`: a decoded component and the instance whose
                definitions its ``outer`` aliases name
instance        a :class:`ComponentInstance`
==============  ===================================================================================

A function is called with Python values (:mod:`wasmrun.component.types` says which) and returns
its result's (None without one); both kinds have ``func_type``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wasmrun.component.records import Component
from wasmrun.component.types import FuncType
from wasmrun.component_runtime.canonical import LiftedFunction
from wasmrun.component_runtime.instance_state import InstanceState


class CoreExports:
    """``(core instance (export ...)*)``: a core instance that is only a set of named core items."""

    __slots__ = ("exports",)

    def __init__(self, exports: dict[str, Any]) -> None:
        self.exports = exports

    def __repr__(self) -> str:
        return f"<core instance of exports {list(self.exports)}>"


class ComponentFunction:
    """A component function that is not a lifted core function: a Python callable and its type.

    ``callee`` takes the parameters' values positionally and returns the result's value.
    """

    __slots__ = ("callee", "func_type", "name")

    def __init__(self, callee: Callable[..., Any], func_type: FuncType, name: str = "") -> None:
        self.callee = callee
        self.func_type = func_type
        self.name = name or getattr(callee, "__name__", "")

    def __repr__(self) -> str:
        return f"<ComponentFunction {self.name} {self.func_type}>"

    def __call__(self, *args: Any) -> Any:
        return self.callee(*args)


Function = LiftedFunction | ComponentFunction
"""An item of the ``func`` index space."""


class ComponentClosure:
    """A component as an item: its definition and the scope it was defined in.

    A nested component's ``outer`` aliases name the items of the component instance that defines
    it (lexical scope), wherever it is later instantiated: ``scope`` is that instantiation (None for
    a component the host supplied, which has no enclosing scope).
    """

    __slots__ = ("component", "scope")

    def __init__(self, component: Component, scope: Any = None) -> None:
        self.component = component
        self.scope = scope

    def __repr__(self) -> str:
        return f"<component of {len(self.component.definitions)} definitions>"


class ComponentInstance:
    """A component instance: its exports by name (functions, types, instances, components, modules).

    ``state`` is the canonical ABI's state of the instance (its handle table and flags); None for an
    instance the host supplied or one made of exports (``(instance (export ...))``), which has none.
    """

    __slots__ = ("exports", "name", "state")

    def __init__(self, exports: dict[str, Any], state: InstanceState | None = None, name: str = "") -> None:
        self.exports = exports
        self.state = state
        self.name = name

    def __repr__(self) -> str:
        return f"<ComponentInstance {self.name or '?'} exports={list(self.exports)}>"

    def function(self, name: str) -> Function | None:
        """The function exported as ``name``, if there is one."""
        item = self.exports.get(name)
        return item if isinstance(item, (LiftedFunction, ComponentFunction)) else None

    def instance(self, name: str) -> ComponentInstance | None:
        """The instance exported as ``name``, if there is one."""
        item = self.exports.get(name)
        return item if isinstance(item, ComponentInstance) else None


def function_type(function: Any) -> FuncType | None:
    """The component type of a function item (or of a host callable that says it: a ``type`` attribute)."""
    declared = getattr(function, "func_type", None)
    if isinstance(declared, FuncType):
        return declared
    declared = getattr(function, "type", None)
    return declared if isinstance(declared, FuncType) else None
