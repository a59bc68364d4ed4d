"""WASI 0.2 as a component's imports: each ``wasi:*`` instance import bound to the host.

:func:`wasi_imports` gives the imports object :func:`~wasmrun.component_runtime.instantiate.instantiate_component`
takes: a mapping from an instance import's name (``wasi:io/streams@0.2.12``, any 0.2.x version) to a
dict of the interface's functions (bound to the host) and resource types, by their names in the
component binary (``[method]output-stream.write``, ``output-stream``).  A name that is no WASI 0.2
interface the host provides is absent, so instantiation fails with Wasmtime's link error naming it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from wasmrun.component.types import ResourceType
from wasmrun.wasi.preview2.host import WasiHost, find_interface


class WasiImports(Mapping[str, Any]):
    """The WASI 0.2 interfaces of one host, by import name (made on demand, once per name)."""

    def __init__(self, host: WasiHost) -> None:
        self.host = host
        self._bound: dict[str, dict[str, Any]] = {}

    def __getitem__(self, name: str) -> dict[str, Any]:
        bound = self._bound.get(name)
        if bound is None:
            bound = self._bind(name)
            self._bound[name] = bound
        return bound

    def _bind(self, name: str) -> dict[str, Any]:
        interface = find_interface(name)
        if interface is None:
            raise KeyError(name)
        items: dict[str, Any] = {}
        for type_name, named in interface.types.items():
            if isinstance(named, ResourceType):
                items[type_name] = named
        for function_name in interface.functions:
            items[function_name] = self.host.function(name, function_name)
        return items

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and find_interface(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._bound)

    def __len__(self) -> int:
        return len(self._bound)


def wasi_imports(host: WasiHost) -> WasiImports:
    """The imports object binding every WASI 0.2 interface import to ``host``."""
    return WasiImports(host)
