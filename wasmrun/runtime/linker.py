"""The linker: names to externs, and instantiation with imports resolved by name.

Definitions are two-level names (``module::name``), given one by one
(:meth:`Linker.define`) or as all the exports of an instance
(:meth:`Linker.define_instance`, the WAST ``register`` command).  A later
definition of a name replaces the earlier one, as ``register`` does in the
reference interpreter.  An import with no definition is a :class:`LinkError`
saying ``unknown import``; one whose definition has the wrong type says
``incompatible import type`` (see :func:`wasmrun.runtime.instance.check_imports`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from wasmrun.errors import LinkError
from wasmrun.runtime.instance import Extern, Instance, instantiate

if TYPE_CHECKING:
    from wasmrun.module import Module
    from wasmrun.runtime.store import Store


class Linker:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._definitions: dict[tuple[str, str], Extern] = {}

    def define(self, module_name: str, name: str, extern: Extern) -> None:
        self._definitions[(module_name, name)] = extern

    def define_instance(self, module_name: str, instance: Instance) -> None:
        """Define every export of ``instance`` under ``module_name``."""
        for name, extern in instance.exports.items():
            self._definitions[(module_name, name)] = extern

    def get(self, module_name: str, name: str) -> Extern | None:
        return self._definitions.get((module_name, name))

    def resolve(self, module: Module) -> list[Extern]:
        """The extern for each import of ``module``, in import order."""
        externs = []
        for imported in module.imports:
            extern = self._definitions.get((imported.module, imported.name))
            if extern is None:
                raise LinkError(f"unknown import: `{imported.module}::{imported.name}` has not been defined")
            externs.append(extern)
        return externs

    def instantiate(self, module: Module, before_start: Callable[[Instance], None] | None = None) -> Instance:
        """Resolve ``module``'s imports and instantiate it (see :func:`wasmrun.runtime.instance.instantiate`)."""
        return instantiate(self.store, module, self.resolve(module), before_start)
