"""wasmrun's embedding API shaped like wasmtime-py: code written for ``wasmtime`` ports by importing
``wasmrun.api`` instead::

    from wasmrun.api import Engine, Linker, Module, Store

    engine = Engine()
    store = Store(engine)
    module = Module(engine, '(module (func (export "add") (param i32 i32) (result i32) '
                            'local.get 0 local.get 1 i32.add))')
    instance = Linker(engine).instantiate(store, module)
    print(instance.exports(store)["add"](store, 1, 2))

The names are wasmtime-py's, with its behaviour: integers cross the boundary signed, traps are
:class:`Trap` with a :class:`TrapCode`, other failures :class:`WasmtimeError`, a WASI exit
:class:`ExitTrap`.  What it does not provide is listed in :data:`REFUSED` with the reason; the
older API (``from wasmrun import Module, Store, Linker``) stays as it is.
"""

from __future__ import annotations

from wasmrun.api.caller import Caller
from wasmrun.api.config import Config, Engine
from wasmrun.api.errors import ExitTrap, WasmtimeError
from wasmrun.api.func import Func
from wasmrun.api.globals import Global
from wasmrun.api.instance import Instance, InstanceExports
from wasmrun.api.linker import InstancePre, Linker
from wasmrun.api.memory import Memory, SharedMemory
from wasmrun.api.module import Module, wat2wasm
from wasmrun.api.refused import REFUSED
from wasmrun.api.store import Store
from wasmrun.api.store import Storelike as Storelike  # importable, not in __all__ (as in wasmtime-py)
from wasmrun.api.table import Table
from wasmrun.api.tag import Tag
from wasmrun.api.trap import Frame, Trap, TrapCode
from wasmrun.api.types import (
    ExportType,
    FuncType,
    GlobalType,
    ImportType,
    Limits,
    MemoryType,
    TableType,
    TagType,
    ValType,
)
from wasmrun.api.values import AnyRef, Val
from wasmrun.api.wasi import WasiConfig

__all__ = [
    "REFUSED",
    "AnyRef",
    "Caller",
    "Config",
    "Engine",
    "ExitTrap",
    "ExportType",
    "Frame",
    "Func",
    "FuncType",
    "Global",
    "GlobalType",
    "ImportType",
    "Instance",
    "InstanceExports",
    "InstancePre",
    "Limits",
    "Linker",
    "Memory",
    "MemoryType",
    "Module",
    "SharedMemory",
    "Store",
    "Table",
    "TableType",
    "Tag",
    "TagType",
    "Trap",
    "TrapCode",
    "Val",
    "ValType",
    "WasiConfig",
    "WasmtimeError",
    "wat2wasm",
]
