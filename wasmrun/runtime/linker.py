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
from typing import TYPE_CHECKING, Any, cast

from wasmrun.errors import HostError, LinkError
from wasmrun.runtime.instance import Extern, Instance, instantiate
from wasmrun.types import ExternKind, ValType, ValueType

if TYPE_CHECKING:
    from wasmrun.module import Import, Module
    from wasmrun.runtime.store import Store
    from wasmrun.types import FuncType


def _unknown_import(module_name: str, name: str) -> str:
    return f"unknown import: `{module_name}::{name}` has not been defined"


def _default_value(value_type: ValueType) -> Any:
    """Zero of a number type (v128 included), null of a reference type."""
    if value_type in (ValType.F32, ValType.F64):
        return 0.0
    return 0 if value_type.is_numeric else None


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
                raise LinkError(_unknown_import(imported.module, imported.name))
            externs.append(extern)
        return externs

    def define_unknown_imports_as_traps(self, module: Module) -> None:
        """Define each imported function of ``module`` nobody defined as one that fails when called,
        with the link error's text (Wasmtime's ``define_unknown_imports_as_traps``)."""
        for imported, function_type in self._undefined_functions(module):
            message = _unknown_import(imported.module, imported.name)

            def fail(*_arguments: Any, message: str = message) -> None:
                raise HostError(message)

            self.define(imported.module, imported.name, self.store.host_function(function_type, fail, imported.name))

    def define_unknown_imports_as_default_values(self, module: Module) -> None:
        """Define each imported function of ``module`` nobody defined as one that returns zeros (null
        for references), its arguments ignored (Wasmtime's ``define_unknown_imports_as_default_values``)."""
        for imported, function_type in self._undefined_functions(module):
            zeros = tuple(_default_value(result) for result in function_type.results)

            def default(*_arguments: Any, zeros: tuple[Any, ...] = zeros) -> Any:
                return zeros if len(zeros) > 1 else (zeros[0] if zeros else None)

            self.define(imported.module, imported.name, self.store.host_function(function_type, default, imported.name))

    def _undefined_functions(self, module: Module) -> list[tuple[Import, FuncType]]:
        return [
            (imported, module.types[cast(int, imported.desc)])
            for imported in module.imports
            if imported.kind is ExternKind.FUNC and (imported.module, imported.name) not in self._definitions
        ]

    def instantiate(self, module: Module, before_start: Callable[[Instance], None] | None = None) -> Instance:
        """Resolve ``module``'s imports and instantiate it (see :func:`wasmrun.runtime.instance.instantiate`)."""
        return instantiate(self.store, module, self.resolve(module), before_start)
