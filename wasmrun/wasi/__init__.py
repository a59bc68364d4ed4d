"""WASI preview1 (``wasi_snapshot_preview1``), host-independent: see :mod:`wasmrun.wasi.context`.

The public names are imported on first use (PEP 562), so that importing one
submodule (a run checks :mod:`wasmrun.wasi.linking` for WASI imports before it
knows it needs WASI at all) does not load the whole implementation.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wasmrun.wasi.abi import Errno
    from wasmrun.wasi.context import WasiContext
    from wasmrun.wasi.guest import WasiTrap
    from wasmrun.wasi.signatures import FUNCTION_SIGNATURES, FUNCTION_TYPES, MODULE_NAME

_HOMES = {
    "FUNCTION_SIGNATURES": "wasmrun.wasi.signatures",
    "FUNCTION_TYPES": "wasmrun.wasi.signatures",
    "MODULE_NAME": "wasmrun.wasi.signatures",
    "Errno": "wasmrun.wasi.abi",
    "WasiContext": "wasmrun.wasi.context",
    "WasiTrap": "wasmrun.wasi.guest",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'wasmrun.wasi' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = ["FUNCTION_SIGNATURES", "FUNCTION_TYPES", "MODULE_NAME", "Errno", "WasiContext", "WasiTrap"]
