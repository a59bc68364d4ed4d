""":class:`Instance`: a module instantiated in a store, and its exports by name and by index."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from wasmrun.api.errors import translated_errors
from wasmrun.api.externs import AsExtern, unwrap_extern, wrap_extern
from wasmrun.api.module import Module, use_code
from wasmrun.api.store import Storelike, store_of
from wasmrun.runtime.instance import Instance as RuntimeInstance
from wasmrun.runtime.instance import instantiate


class Instance:
    """``Instance(store, module, imports)``: ``module`` instantiated with one extern per import, in order
    (a trap in its start function is raised as :class:`~wasmrun.api.trap.Trap`)."""

    _instance: RuntimeInstance

    def __init__(self, store: Storelike, module: Module, imports: Sequence[AsExtern]) -> None:
        if not isinstance(module, Module):
            raise TypeError("expected a Module")
        externs = [unwrap_extern(item) for item in imports]
        self._instance = instantiate_in(store, module, externs)

    @classmethod
    def _wrap(cls, instance: RuntimeInstance) -> Instance:
        wrapped = cls.__new__(cls)
        wrapped._instance = instance
        return wrapped

    def exports(self, store: Storelike) -> InstanceExports:
        """The instance's exports."""
        return InstanceExports(self._instance)


def instantiate_in(
    store: Storelike,
    module: Module,
    externs: Sequence[Any],
    before_start: Callable[[RuntimeInstance], None] | None = None,
) -> RuntimeInstance:
    """wasmrun's instantiation of ``module`` in ``store``, with the API's errors."""
    api_store = store_of(store)
    use_code(api_store._interpreter, module)
    runtime_store = api_store._runtime
    with translated_errors(module._module):
        return instantiate(runtime_store, module._module, externs, before_start)


class InstanceExports:
    """An instance's exports: ``exports["name"]`` (KeyError if none), iteration over the names, ``by_index``."""

    def __init__(self, instance: RuntimeInstance) -> None:
        self._exports = instance.exports

    def __getitem__(self, name: str) -> AsExtern:
        """The export ``name`` as a Func, Memory, Table, Global or Tag."""
        extern = self._exports.get(name)
        if extern is None:
            raise KeyError(name)
        return wrap_extern(extern)

    def get(self, name: str) -> AsExtern | None:
        """The export ``name``, or None if there is none."""
        extern = self._exports.get(name)
        return None if extern is None else wrap_extern(extern)

    @property
    def by_index(self) -> list[AsExtern]:
        """The exports in the module's order."""
        return [wrap_extern(extern) for extern in self._exports.values()]

    def __len__(self) -> int:
        return len(self._exports)

    def __iter__(self) -> Iterator[str]:
        return iter(self._exports)

    def __contains__(self, name: object) -> bool:
        return name in self._exports
