"""WASI preview1 (``wasi_snapshot_preview1``), host-independent: see :mod:`wasmrun.wasi.context`."""

from __future__ import annotations

from wasmrun.wasi.abi import FUNCTION_SIGNATURES, FUNCTION_TYPES, MODULE_NAME, Errno
from wasmrun.wasi.context import WasiContext
from wasmrun.wasi.guest import WasiTrap

__all__ = ["FUNCTION_SIGNATURES", "FUNCTION_TYPES", "MODULE_NAME", "Errno", "WasiContext", "WasiTrap"]
