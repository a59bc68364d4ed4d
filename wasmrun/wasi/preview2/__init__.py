"""WASI 0.2 (preview2) as Python functions over component values: see :mod:`.host`.

Interfaces, one module each: :mod:`.cli`, :mod:`.clocks`, :mod:`.filesystem`, :mod:`.poll`,
:mod:`.random`, :mod:`.sockets`, :mod:`.streams` (``wasi:io/error`` and ``wasi:io/streams``);
:mod:`.wit` reads their WIT signatures into component types.
"""

from __future__ import annotations

from wasmrun.wasi.preview2.host import INTERFACES, Preopen, WasiHost, find_interface
from wasmrun.wasi.preview2.wit import HostFunction

__all__ = ["INTERFACES", "HostFunction", "Preopen", "WasiHost", "find_interface"]
