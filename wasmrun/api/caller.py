""":class:`Caller`: what a host function defined with ``access_caller=True`` receives first.

It gives the exports of the instance whose code made the call (:meth:`Caller.get`) and stands for
the store wherever one is expected; it is valid only while that call runs, as in wasmtime-py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wasmrun.api.store import CallerBase

if TYPE_CHECKING:
    from wasmrun.api.store import Store
    from wasmrun.runtime.instance import Instance as RuntimeInstance


class Caller(CallerBase):
    """The calling instance of a host function, during its call."""

    def __init__(self, store: Store, instance: RuntimeInstance | None) -> None:
        self._store: Store | None = store
        self._instance = instance

    def __getitem__(self, name: str) -> Any:
        """The calling instance's export ``name``; KeyError if it has none."""
        extern = self.get(name)
        if extern is None:
            raise KeyError(f"failed to find export {name}")
        return extern

    def get(self, name: str) -> Any | None:
        """The calling instance's export ``name`` (Func, Memory, Table, Global, Tag), or None if it has no
        such export, the caller is not a wasm instance, or the call has returned."""
        if self._store is None or self._instance is None:
            return None
        from wasmrun.api.externs import wrap_extern

        extern = self._instance.exports.get(name)
        return None if extern is None else wrap_extern(extern)

    def _store_now(self) -> Store:
        if self._store is None:
            raise ValueError("caller is no longer valid")
        return self._store

    def _invalidate(self) -> None:
        self._store = None
        self._instance = None
