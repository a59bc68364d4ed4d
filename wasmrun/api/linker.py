""":class:`Linker`: definitions by two-level name, and instantiation with imports resolved from them.

A linker belongs to an engine, not a store: externs defined with :meth:`Linker.define` are used as
they are, while functions defined with :meth:`Linker.define_func` (and WASI's, and the traps of
:meth:`Linker.define_unknown_imports_as_traps`) are made in the store of each instantiation.  A
``define_func(..., access_caller=True)`` function is made once per importing instance, so its
:class:`~wasmrun.api.caller.Caller` is that instance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from wasmrun.api.config import Engine
from wasmrun.api.errors import WasmtimeError
from wasmrun.api.externs import AsExtern, unwrap_extern, wrap_extern
from wasmrun.api.func import Func, host_function
from wasmrun.api.instance import Instance, instantiate_in
from wasmrun.api.module import Module
from wasmrun.api.store import Store, Storelike, store_of
from wasmrun.api.types import FuncType
from wasmrun.errors import LinkError
from wasmrun.runtime.instance import import_type
from wasmrun.runtime.memory import MemoryInstance
from wasmrun.types import ExternKind
from wasmrun.types import FuncType as FuncTypeRecord


class _HostDefinition(NamedTuple):
    """A function to make in each store that instantiates with it."""

    type: FuncType
    function: Callable[..., Any]
    access_caller: bool


_WASI = object()
"""The definition of a WASI function: made from the store's WASI context at each instantiation."""


def _unknown_import(module: str, name: str) -> str:
    return f"unknown import: `{module}::{name}` has not been defined"


def _default_value(valtype: Any) -> Any:
    """The zero of a value type as a Python value (null for references)."""
    from wasmrun.types import ValType as Kind

    if valtype in (Kind.I32, Kind.I64):
        return 0
    if valtype in (Kind.F32, Kind.F64):
        return 0.0
    return None


class Linker:
    """Names to definitions for instantiating modules of ``engine`` (a name defined twice is an error
    unless :attr:`allow_shadowing`)."""

    def __init__(self, engine: Engine) -> None:
        if not isinstance(engine, Engine):
            raise TypeError("expected an Engine")
        self.engine = engine
        self._allow_shadowing = False
        self._wasi = False
        self._definitions: dict[tuple[str, str], Any] = {}

    @property
    def allow_shadowing(self) -> bool:
        """Whether a later definition of a name replaces the earlier one instead of being an error."""
        return self._allow_shadowing

    @allow_shadowing.setter
    def allow_shadowing(self, allow: bool) -> None:
        self._allow_shadowing = bool(allow)

    def _define(self, module: str, name: str, definition: Any) -> None:
        key = (module, name)
        if key in self._definitions and not self._allow_shadowing:
            raise WasmtimeError(f"import of `{module}::{name}` defined twice")
        self._definitions[key] = definition

    def define(self, store: Storelike, module: str, name: str, item: AsExtern) -> None:
        """Define ``module::name`` as ``item`` (a Func, Memory, Table, Global or Tag of ``store``)."""
        store_of(store)
        self._define(module, name, unwrap_extern(item))

    def define_func(
        self, module: str, name: str, ty: FuncType, func: Callable[..., Any], access_caller: bool = False
    ) -> None:
        """Define ``module::name`` as a host function of type ``ty``, made in each instantiating store
        (given the :class:`~wasmrun.api.caller.Caller` first when ``access_caller``)."""
        if not isinstance(ty, FuncType):
            raise TypeError("expected a FuncType")
        self._define(module, name, _HostDefinition(ty, func, access_caller))

    def define_instance(self, store: Storelike, name: str, instance: Instance) -> None:
        """Define every export of ``instance`` under the module name ``name``."""
        if not isinstance(instance, Instance):
            raise TypeError("expected an Instance")
        for export, extern in instance._instance.exports.items():
            self._define(name, export, extern)

    def define_module(self, store: Storelike, name: str, module: Module) -> None:
        """Instantiate ``module`` in ``store`` with this linker's definitions, and define its exports under
        ``name``."""
        self.define_instance(store, name, self.instantiate(store, module))

    def define_wasi(self) -> None:
        """Define WASI preview1 (``wasi_snapshot_preview1`` and ``wasi_unstable``): each store serves it
        with the configuration of its :meth:`Store.set_wasi <wasmrun.api.store.Store.set_wasi>`."""
        self._wasi = True

    def define_unknown_imports_as_traps(self, module: Module) -> None:
        """Define each function import of ``module`` that has no definition yet as a function that fails
        when called (WasmtimeError: ``unknown import``)."""
        for index, imported in enumerate(module._module.imports):
            if imported.kind is ExternKind.FUNC and self._lookup(imported.module, imported.name) is None:
                function_type = import_type(module._module, index)
                message = _unknown_import(imported.module, imported.name)

                def trap(*_args: Any, message: str = message) -> Any:
                    raise LinkError(message)

                self._definitions[(imported.module, imported.name)] = _HostDefinition(
                    FuncType._of(_as_func_type(function_type)), trap, False
                )

    def define_unknown_imports_as_default_values(self, store: Storelike, module: Module) -> None:
        """Define each function import of ``module`` that has no definition yet as a function that returns
        the zero value of each of its results."""
        for index, imported in enumerate(module._module.imports):
            if imported.kind is ExternKind.FUNC and self._lookup(imported.module, imported.name) is None:
                function_type = _as_func_type(import_type(module._module, index))
                zeros = [_default_value(valtype) for valtype in function_type.results]

                def defaults(*_args: Any, zeros: list[Any] = zeros) -> Any:
                    if not zeros:
                        return None
                    return zeros[0] if len(zeros) == 1 else zeros

                self._definitions[(imported.module, imported.name)] = _HostDefinition(
                    FuncType._of(function_type), defaults, False
                )

    def _lookup(self, module: str, name: str) -> Any | None:
        definition = self._definitions.get((module, name))
        if definition is None and self._wasi:
            from wasmrun.wasi.linking import WASI_FUNCTIONS

            if name in WASI_FUNCTIONS.get(module, ()):
                return _WASI
        return definition

    def _extern(self, store: Store, module: str, name: str) -> Any | None:
        """The extern for ``module::name`` in ``store`` (host functions made there), None if undefined."""
        definition = self._lookup(module, name)
        if isinstance(definition, _HostDefinition):
            return host_function(store, definition.type, definition.function, definition.access_caller)
        if definition is _WASI:
            from wasmrun.wasi.signatures import FUNCTION_TYPES

            context = store.wasi_context()
            return store._runtime.host_function(FUNCTION_TYPES[name], getattr(context, name), name)
        return definition

    def instantiate(self, store: Storelike, module: Module) -> Instance:
        """Instantiate ``module`` in ``store`` with its imports resolved by name (WasmtimeError for an
        undefined or mistyped one; a trap in its start function raises Trap)."""
        if not isinstance(module, Module):
            raise TypeError("expected a Module")
        api_store = store_of(store)
        externs = []
        wasi = False
        for imported in module._module.imports:
            extern = self._extern(api_store, imported.module, imported.name)
            if extern is None:
                raise WasmtimeError(_unknown_import(imported.module, imported.name))
            wasi = wasi or self._lookup(imported.module, imported.name) is _WASI
            externs.append(extern)

        def attach_memory(instance: Any) -> None:
            # WASI reaches the guest through its exported memory, from the start function on.
            memory = instance.exports.get("memory")
            if isinstance(memory, MemoryInstance):
                api_store.wasi_context().memory = memory

        return Instance._wrap(instantiate_in(api_store, module, externs, attach_memory if wasi else None))

    def instantiate_pre(self, module: Module) -> InstancePre:
        """``module`` ready to instantiate with this linker's definitions (resolved at each instantiation)."""
        return InstancePre(self, module)

    def get_default(self, store: Storelike, name: str) -> Func:
        """The default function of the module defined as ``name``: its export ``""``, else ``_start``."""
        for export in ("", "_start"):
            definition = self._definitions.get((name, export))
            if definition is not None:
                found = self.get(store, name, export)
                if isinstance(found, Func):
                    return found
        raise WasmtimeError(f"no default function defined for `{name}`")

    def get(self, store: Storelike, module: str, name: str) -> AsExtern:
        """The definition of ``module::name`` in ``store`` (WasmtimeError if there is none)."""
        extern = self._extern(store_of(store), module, name)
        if extern is None:
            raise WasmtimeError("item not defined in linker")
        return wrap_extern(extern)


def _as_func_type(record: Any) -> FuncTypeRecord:
    if not isinstance(record, FuncTypeRecord):
        raise TypeError(f"not a function type: {record!r}")
    return record


class InstancePre:
    """A module with a linker, instantiated by :meth:`instantiate` in any store."""

    def __init__(self, linker: Linker, module: Module) -> None:
        self._linker = linker
        self._module = module

    def instantiate(self, store: Storelike) -> Instance:
        """A new instance of the module in ``store``."""
        return self._linker.instantiate(store, self._module)

    @property
    def module(self) -> Module:
        """The module."""
        return self._module
