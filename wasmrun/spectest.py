"""The ``spectest`` host module that the spec test scripts import.

Its print functions do nothing unless given a stream, where they write their
arguments one per line as the reference interpreter does (``42 : i32``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from wasmrun.types import FuncType, GlobalType, Limits, MemoryType, TableType, ValType
from wasmrun.values import format_value

if TYPE_CHECKING:
    from wasmrun.runtime.linker import Linker
    from wasmrun.runtime.store import Store

MODULE_NAME = "spectest"

_I32, _I64, _F32, _F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64

PRINT_FUNCTIONS: dict[str, tuple[ValType, ...]] = {
    "print": (),
    "print_i32": (_I32,),
    "print_i64": (_I64,),
    "print_f32": (_F32,),
    "print_f64": (_F64,),
    "print_i32_f32": (_I32, _F32),
    "print_f64_f64": (_F64, _F64),
}


def _printer(params: tuple[ValType, ...], stream: IO[str] | None) -> Callable[..., None]:
    def print_values(*args: Any) -> None:
        if stream is not None:
            for value, valtype in zip(args, params):
                stream.write(f"{format_value(value, valtype)} : {valtype.text}\n")

    return print_values


def spectest_externs(store: Store, stream: IO[str] | None = None) -> dict[str, Any]:
    """The exports of ``spectest``, allocated in ``store``."""
    externs: dict[str, Any] = {}
    for name, params in PRINT_FUNCTIONS.items():
        externs[name] = store.host_function(FuncType(params, ()), _printer(params, stream), name)
    externs["global_i32"] = store.allocate_global(GlobalType(_I32, False), 666)
    externs["global_i64"] = store.allocate_global(GlobalType(_I64, False), 666)
    externs["global_f32"] = store.allocate_global(GlobalType(_F32, False), 666.5999755859375)  # 666.6 as f32
    externs["global_f64"] = store.allocate_global(GlobalType(_F64, False), 666.6)
    externs["table"] = store.allocate_table(TableType(ValType.FUNCREF, Limits(10, 20)), None)
    externs["table64"] = store.allocate_table(TableType(ValType.FUNCREF, Limits(10, 20, address64=True)), None)
    externs["memory"] = store.allocate_memory(MemoryType(Limits(1, 2)))
    externs["shared_memory"] = store.allocate_memory(MemoryType(Limits(1, 2), shared=True))  # threads
    return externs


def define_spectest(linker: Linker, stream: IO[str] | None = None) -> None:
    """Define ``spectest`` in ``linker`` (in the linker's store)."""
    for name, extern in spectest_externs(linker.store, stream).items():
        linker.define(MODULE_NAME, name, extern)
