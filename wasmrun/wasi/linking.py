"""Binding a :class:`~wasmrun.wasi.context.WasiContext` to a linker, under the WASI module names.

``wasi_snapshot_preview1`` gets all 46 functions.  ``wasi_unstable`` (WASI
"snapshot 0", still imported by old toolchains) gets the functions whose core
wasm signature *and* memory layouts are the same in both versions; the others
differ in snapshot 0 and are left undefined, so a module importing them fails
to link (``unknown import``) instead of running with the wrong layout:

- ``fd_seek``: snapshot 0 numbers ``whence`` differently (cur, end, set);
- ``fd_filestat_get``, ``path_filestat_get``: its ``filestat`` has a 32-bit
  ``nlink``, which moves every later field;
- ``poll_oneoff``: its clock subscription starts with an extra ``identifier``;
- ``sock_accept``: not in snapshot 0.

Only what the module imports is defined (:func:`define_wasi` with a module),
so a run pays for the host functions it uses and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wasmrun.wasi.signatures import FUNCTION_TYPES, MODULE_NAME

if TYPE_CHECKING:
    from wasmrun.module import Module
    from wasmrun.runtime.linker import Linker
    from wasmrun.wasi.context import WasiContext

UNSTABLE_MODULE_NAME = "wasi_unstable"

_UNSTABLE_DIFFERENT = frozenset(("fd_seek", "fd_filestat_get", "path_filestat_get", "poll_oneoff", "sock_accept"))

WASI_FUNCTIONS: dict[str, frozenset[str]] = {
    MODULE_NAME: frozenset(FUNCTION_TYPES),
    UNSTABLE_MODULE_NAME: frozenset(FUNCTION_TYPES) - _UNSTABLE_DIFFERENT,
}
"""WASI module name -> the function names defined under it."""


def imports_wasi(module: Module) -> bool:
    """Whether ``module`` imports anything from a WASI module name."""
    return any(imported.module in WASI_FUNCTIONS for imported in module.imports)


def define_wasi(linker: Linker, context: WasiContext, module: Module | None = None) -> None:
    """Define ``context``'s functions in ``linker`` under the WASI module names.

    With ``module``, only the WASI functions it imports (an import of a name
    WASI lacks stays undefined: the linker reports it); without, all of them.
    """
    if module is None:
        wanted = [(module_name, name) for module_name, names in WASI_FUNCTIONS.items() for name in sorted(names)]
    else:
        wanted = [
            (imported.module, imported.name)
            for imported in module.imports
            if imported.name in WASI_FUNCTIONS.get(imported.module, ())
        ]
    store = linker.store
    for module_name, name in wanted:
        linker.define(module_name, name, store.host_function(FUNCTION_TYPES[name], getattr(context, name), name))
