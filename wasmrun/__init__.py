"""wasmrun: a WebAssembly runner in pure Python.

The embedding API::

    from wasmrun import Linker, Module, Store

    module = Module.from_file("add.wasm")
    with Store() as store:
        instance = Linker(store).instantiate(module)
        print(instance.exports["add"](1, 2))

Components (see :mod:`wasmrun.component_embedding`)::

    from wasmrun import Component, ComponentLinker, Store

    component = Component.from_file("greet.wasm")
    with Store() as store:
        instance = ComponentLinker().instantiate(store, component)
        print(instance.get_func(store, "greet")(store, "world"))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wasmrun.component.types import Err, Ok, ResourceType, Some, Variant
    from wasmrun.component_embedding import (
        Component,
        ComponentFunc,
        ComponentInstance,
        ComponentLinker,
        ComponentLinkerInstance,
        ExportIndex,
    )
    from wasmrun.component_values import ResourceAny
    from wasmrun.embedding import Store
    from wasmrun.engine.interpreter import Interpreter
    from wasmrun.errors import (
        DecodeError,
        InstantiationError,
        LinkError,
        ProcExit,
        ResourceError,
        TextSyntaxError,
        Trap,
        UnsupportedInstruction,
        ValidationError,
        WasmError,
    )
    from wasmrun.loader import Module
    from wasmrun.runtime.executor import Executor
    from wasmrun.runtime.functions import FunctionInstance, HostFunction, WasmFunction
    from wasmrun.runtime.globals import GlobalInstance
    from wasmrun.runtime.instance import Instance
    from wasmrun.runtime.linker import Linker
    from wasmrun.runtime.memory import MemoryInstance
    from wasmrun.runtime.table import TableInstance
    from wasmrun.types import FuncType, GlobalType, Limits, MemoryType, TableType, ValType
    from wasmrun.wasi_config import WasiConfig

__version__ = "0.1.0"  # the one place the version is written: pyproject.toml reads it from here

# The public names, imported on first use (PEP 562) so that ``import wasmrun.cli`` and friends do
# not pay for the engine.
_HOMES = {
    "Store": "wasmrun.embedding",
    "Interpreter": "wasmrun.engine.interpreter",
    "Module": "wasmrun.loader",
    "Executor": "wasmrun.runtime.executor",
    "FunctionInstance": "wasmrun.runtime.functions",
    "HostFunction": "wasmrun.runtime.functions",
    "WasmFunction": "wasmrun.runtime.functions",
    "GlobalInstance": "wasmrun.runtime.globals",
    "Instance": "wasmrun.runtime.instance",
    "Linker": "wasmrun.runtime.linker",
    "MemoryInstance": "wasmrun.runtime.memory",
    "TableInstance": "wasmrun.runtime.table",
    **{
        name: "wasmrun.errors"
        for name in (
            "DecodeError",
            "InstantiationError",
            "LinkError",
            "ProcExit",
            "ResourceError",
            "TextSyntaxError",
            "Trap",
            "UnsupportedInstruction",
            "ValidationError",
            "WasmError",
        )
    },
    **{name: "wasmrun.types" for name in ("FuncType", "GlobalType", "Limits", "MemoryType", "TableType", "ValType")},
    # Components (the component machinery is imported only when one of these is used).
    **{
        name: "wasmrun.component_embedding"
        for name in (
            "Component",
            "ComponentFunc",
            "ComponentInstance",
            "ComponentLinker",
            "ComponentLinkerInstance",
            "ExportIndex",
        )
    },
    "ResourceAny": "wasmrun.component_values",
    **{name: "wasmrun.component.types" for name in ("Err", "Ok", "ResourceType", "Some", "Variant")},
    "WasiConfig": "wasmrun.wasi_config",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'wasmrun' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "Component",
    "ComponentFunc",
    "ComponentInstance",
    "ComponentLinker",
    "ComponentLinkerInstance",
    "DecodeError",
    "Err",
    "Executor",
    "ExportIndex",
    "FuncType",
    "FunctionInstance",
    "GlobalInstance",
    "GlobalType",
    "HostFunction",
    "Instance",
    "InstantiationError",
    "Interpreter",
    "Limits",
    "LinkError",
    "Linker",
    "MemoryInstance",
    "MemoryType",
    "Module",
    "Ok",
    "ProcExit",
    "ResourceAny",
    "ResourceError",
    "ResourceType",
    "Some",
    "Store",
    "TableInstance",
    "TableType",
    "TextSyntaxError",
    "Trap",
    "UnsupportedInstruction",
    "ValType",
    "ValidationError",
    "Variant",
    "WasiConfig",
    "WasmError",
    "WasmFunction",
    "__version__",
]
