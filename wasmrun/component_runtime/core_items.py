"""The core side of instantiating a component: core instances, canonical options, the core built-ins.

* :func:`instantiate_core_module`: ``(core instance (instantiate m (with "name" (instance i))*))``,
  each import ``(module, name)`` of ``m`` found as the export ``name`` of the instance given for
  ``module``;
* :func:`canonical_options`: a ``canon``'s options as the canonical ABI takes them, their indices
  resolved to core items;
* :func:`resource_builtin`: ``canon resource.new``/``rep``/``drop`` as host functions of the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wasmrun.component.canonical import CanonicalOptions as DecodedOptions
from wasmrun.component.canonical import ResourceDrop, ResourceNew, ResourceRep
from wasmrun.component.types import ResourceType
from wasmrun.component_runtime.context import CanonicalOptions
from wasmrun.component_runtime.instance_state import InstanceState
from wasmrun.component_runtime.resources import resource_drop, resource_new, resource_rep
from wasmrun.errors import InstantiationError, LinkError
from wasmrun.module import Module
from wasmrun.runtime.functions import FunctionInstance, HostFunction
from wasmrun.runtime.instance import Instance, instantiate
from wasmrun.runtime.memory import MemoryInstance
from wasmrun.runtime.store import Store
from wasmrun.types import FuncType as CoreFuncType
from wasmrun.types import ValType


def instantiate_core_module(store: Store, module: Module, arguments: Mapping[str, Any]) -> Instance:
    """Instantiate ``module`` with its imports taken from the named core instances ``arguments``
    (each a module instance or a core instance of exports: anything with ``exports``)."""
    externs = []
    for imported in module.imports:
        provider = arguments.get(imported.module)
        if provider is None:
            raise LinkError(f"missing module instantiation argument named `{imported.module}`")
        extern = provider.exports.get(imported.name)
        if extern is None:
            raise LinkError(
                f"module instantiation argument `{imported.module}` does not export an item named `{imported.name}`"
            )
        externs.append(extern)
    return instantiate(store, module, externs)


def canonical_options(
    options: DecodedOptions,
    core_funcs: Sequence[Any],
    core_memories: Sequence[Any],
) -> CanonicalOptions:
    """The options of a ``canon lift``, ``canon lower`` or built-in, as the canonical ABI takes them."""
    memory = None
    if options.memory is not None:
        memory = _at(core_memories, options.memory, "core memory")
        if not isinstance(memory, MemoryInstance):
            raise InstantiationError(f"core memory {options.memory} is not a memory")
    realloc = None if options.realloc is None else _core_function(core_funcs, options.realloc)
    post_return = None
    if options.post_return is not None:
        post_return = _core_function(core_funcs, options.post_return).invoke
    callback = None
    if options.callback is not None:
        callback = _core_function(core_funcs, options.callback).invoke
    return CanonicalOptions(
        memory=memory,
        realloc=realloc,  # (a FunctionInstance: the options wrap its ``invoke``)
        post_return=post_return,
        string_encoding=options.string_encoding.value,  # (the same three names)
        is_async=options.is_async,
        callback=callback,
    )


def _core_function(core_funcs: Sequence[Any], index: int) -> FunctionInstance:
    function = _at(core_funcs, index, "core func")
    if not isinstance(function, FunctionInstance):
        raise InstantiationError(f"core func {index} is not a function")
    return function


def _at(space: Sequence[Any], index: int, sort: str) -> Any:
    if not 0 <= index < len(space):
        raise InstantiationError(f"{sort} index out of bounds: {index}")
    return space[index]


_HANDLE = ValType.I32


def resource_builtin(
    store: Store,
    definition: ResourceNew | ResourceRep | ResourceDrop,
    resource: ResourceType,
    representation: ValType,
    instance: InstanceState,
) -> HostFunction:
    """``canon resource.new``/``rep``/``drop`` of ``resource`` for the code of ``instance``
    (``representation``: the core type of the resource's representation)."""
    label = f"{definition.name} {resource.name}"
    if isinstance(definition, ResourceNew):

        def new(rep: Any) -> int:
            return resource_new(instance, resource, rep)

        return store.host_function(CoreFuncType((representation,), (_HANDLE,)), new, label)
    if isinstance(definition, ResourceRep):

        def rep(handle: int) -> Any:
            return resource_rep(instance, resource, handle)

        return store.host_function(CoreFuncType((_HANDLE,), (representation,)), rep, label)

    def drop(handle: int) -> None:
        resource_drop(instance, resource, handle)

    return store.host_function(CoreFuncType((_HANDLE,), ()), drop, label)
