"""Every name of wasmtime-py's ``__all__`` is implemented by wasmrun.api or refused, with a reason, in
:data:`wasmrun.api.REFUSED` (the one place)."""

from __future__ import annotations

import importlib.util

import pytest

import wasmrun.api

# wasmtime-py 50.0.1's ``__all__`` (the issue names 51; the stored snapshot of wasmtime-py is older,
# 46.0.1, so the newest list at hand is 50's).  The installed wasmtime-py's names are added below.
WASMTIME_PY_ALL = (
    "wat2wasm",
    "Config",
    "Engine",
    "Store",
    "FuncType",
    "GlobalType",
    "MemoryType",
    "TableType",
    "ValType",
    "Limits",
    "ImportType",
    "ExportType",
    "Val",
    "Func",
    "Caller",
    "Table",
    "Memory",
    "SharedMemory",
    "Global",
    "Trap",
    "TrapCode",
    "ExitTrap",
    "Frame",
    "Module",
    "Instance",
    "WasiConfig",
    "Linker",
    "WasmtimeError",
    "StoreContext",
    "TagType",
    "Tag",
    "InstancePre",
)


def wasmtime_names() -> list[str]:
    names = set(WASMTIME_PY_ALL)
    if importlib.util.find_spec("wasmtime") is not None:
        import wasmtime

        names.update(wasmtime.__all__)
    return sorted(names)


@pytest.mark.parametrize("name", wasmtime_names())
def test_name_is_implemented_or_refused_with_a_reason(name: str) -> None:
    implemented = name in wasmrun.api.__all__ and hasattr(wasmrun.api, name)
    refused = name in wasmrun.api.REFUSED
    assert implemented != refused, f"{name}: implemented={implemented}, refused={refused}"
    if refused:
        assert len(wasmrun.api.REFUSED[name].split()) >= 5  # a reason, not a placeholder
        assert not hasattr(wasmrun.api, name)


@pytest.mark.parametrize("name", sorted(wasmrun.api.REFUSED))
def test_refused_names_are_wasmtime_py_names(name: str) -> None:
    assert name in wasmtime_names()
