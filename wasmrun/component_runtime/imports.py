"""A component's imports bound to what the embedder supplies.

The embedder gives an *imports object*: a mapping from each import's full name
(``wasi:io/streams@0.2.12``, ``f``) to its item:

* an instance: a mapping from export name to item (or a :class:`ComponentInstance`);
* a function: a Python callable taking and returning component values (or a
  :class:`~wasmrun.component_runtime.canonical.LiftedFunction` of another component instance);
  one with a ``bind_type(func_type)`` method is called through what that returns for the
  import's type (the embedding API's host functions check and convert values so);
* a resource type (``(import "r" (type (sub resource)))``): a :class:`ResourceType`;
* a component or core module: its decoded record.

An imported instance is bound through its declared instance type: its exported types are the
declared ones, its ``(sub resource)`` types the resource types the mapping holds under their names,
its functions those the mapping holds, with the declared function types (a host function that says
its type, with a ``type`` or ``func_type`` attribute, must say the same one).  What is missing or of
the wrong kind is a :class:`LinkError` in Wasmtime's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wasmrun.component.core_typedefs import CoreModuleType
from wasmrun.component.records import Component
from wasmrun.component.resolve import DeclarationResolver, TypeEnvironment, TypeResolver, adds_type
from wasmrun.component.typedefs import (
    ComponentExtern,
    ExportDeclaration,
    ExternType,
    FuncExtern,
    Import,
    InstanceExtern,
    InstanceTypeDefinition,
    ModuleExtern,
    TypeExtern,
    ValueExtern,
)
from wasmrun.component.types import FuncType, ResourceType
from wasmrun.component_runtime.canonical import LiftedFunction
from wasmrun.component_runtime.items import (
    ComponentClosure,
    ComponentFunction,
    ComponentInstance,
    Function,
    function_type,
)
from wasmrun.component_runtime.module_types import ModuleMismatch, check_module, declared_core_type
from wasmrun.errors import LinkError, UnsupportedInstruction
from wasmrun.module import Module

Imports = Mapping[str, Any]
"""What a component is instantiated with: import name to item (see the module docstring)."""

_KINDS: dict[type, str] = {
    InstanceExtern: "instance",
    FuncExtern: "function",
    TypeExtern: "type",
    ComponentExtern: "component",
    ModuleExtern: "module",
    ValueExtern: "value",
}

_MISSING: dict[type, str] = {
    InstanceExtern: "instance implementation is missing",
    FuncExtern: "function implementation is missing",
    TypeExtern: "resource implementation is missing",
    ComponentExtern: "component implementation is missing",
    ModuleExtern: "module implementation is missing",
    ValueExtern: "value implementation is missing",
}


_MISSING_CAUSES: dict[type, tuple[str, ...]] = {FuncExtern: ("function implementation is missing",)}


def import_kind(extern_type: ExternType) -> str:
    """How Wasmtime names what an import declares (``instance``, ``function``...)."""
    return _KINDS[type(extern_type)]


class ImportMismatch(Exception):
    """What is wrong with a supplied item, as the chain of causes under the import's LinkError."""

    def __init__(self, *causes: str) -> None:
        super().__init__(": ".join(causes))
        self.causes = causes


def link_error(name: str, extern_type: ExternType, mismatch: ImportMismatch | None = None) -> LinkError:
    """Wasmtime's error for the import ``name`` (its causes joined on the line, as anyhow's ``{:#}`` does)."""
    text = f"component imports {import_kind(extern_type)} `{name}`, but a matching implementation was not found in the linker"
    # (Wasmtime's cause for a missing function; for the other kinds, the first line alone.)
    causes = mismatch.causes if mismatch is not None else _MISSING_CAUSES.get(type(extern_type), ())
    return LinkError(": ".join((text, *causes)))


def supplied_item(imports: Imports, definition: Import) -> Any:
    """The item ``imports`` holds for ``definition``; LinkError when there is none.

    An instance need not be supplied: as in Wasmtime, one whose type exports nothing that must be
    supplied (only types of values, empty instances) is satisfied by nothing (an empty mapping here).
    """
    item = imports.get(definition.name.name)
    if item is None:
        if isinstance(definition.type, InstanceExtern):
            return {}
        raise link_error(definition.name.name, definition.type)
    return item


def describe(item: Any) -> str:
    """What a supplied item is, in Wasmtime's words (``expected instance found func``)."""
    if isinstance(item, Module):
        return "module"
    if isinstance(item, ResourceType):
        return "resource"
    if isinstance(item, (ComponentInstance, Mapping)):
        return "instance"
    if isinstance(item, (Component, ComponentClosure)):
        return "component"
    return "func" if callable(item) else type(item).__name__


# -- items of each kind ------------------------------------------------------------------------------


def as_function(item: Any, func_type: FuncType, name: str) -> Function:
    """A supplied function as a ``func`` item of ``func_type``; ImportMismatch if it is not one of that type."""
    if not callable(item) or isinstance(item, ResourceType):
        raise ImportMismatch(f"expected function found {describe(item)}")
    declared = function_type(item)
    if declared is not None and declared != func_type:
        raise ImportMismatch(f"type mismatch with parameters or result: expected {func_type}, found {declared}")
    if isinstance(item, (LiftedFunction, ComponentFunction)):
        return item
    bind = getattr(item, "bind_type", None)  # (a host function that converts values by its type)
    return ComponentFunction(item if bind is None else bind(func_type), func_type, name)


def as_resource(item: Any) -> ResourceType:
    if item is None:
        raise ImportMismatch("resource implementation is missing")
    if not isinstance(item, ResourceType):
        raise ImportMismatch(f"expected resource found {describe(item)}")
    return item


def as_component(item: Any) -> ComponentClosure:
    """A supplied component (a decoded one, or one exported by another component instance)."""
    if isinstance(item, ComponentClosure):
        return item
    if not isinstance(item, Component):
        raise ImportMismatch(f"expected component found {describe(item)}")
    return ComponentClosure(item)


def as_module(item: Any, module_type: CoreModuleType | None = None) -> Module:
    """A supplied module, checked against ``module_type`` if given (see :mod:`.module_types`)."""
    if not isinstance(item, Module):
        raise ImportMismatch(f"expected module found {describe(item)}")
    if module_type is not None:
        try:
            check_module(module_type, item)
        except ModuleMismatch as mismatch:
            raise ImportMismatch(*mismatch.causes) from None
    return item


def _exports_of(item: Any) -> Mapping[str, Any]:
    if isinstance(item, ComponentInstance):
        return item.exports
    if isinstance(item, Mapping):
        return item
    raise ImportMismatch(f"expected instance found {describe(item)}")


# -- instances -------------------------------------------------------------------------------------


class _SuppliedResources(TypeEnvironment):
    """Binds an imported instance type's ``(sub resource)`` exports to the supplied resource types."""

    def __init__(self, supplied: Mapping[str, Any]) -> None:
        self.supplied = supplied

    def imported_resource(self, declaration: Import | ExportDeclaration, name: str) -> ResourceType:
        item = self.supplied.get(name)
        try:
            return as_resource(item)
        except ImportMismatch as mismatch:
            raise ImportMismatch(f"instance export `{name}` has the wrong type", *mismatch.causes) from None


def bind_instance(definition: InstanceTypeDefinition, scope: TypeResolver, item: Any, name: str) -> ComponentInstance:
    """The instance ``item`` supplies for an import of instance type ``definition`` (declared in ``scope``).

    Raises :class:`ImportMismatch` naming what is missing or of the wrong kind.
    """
    supplied = _exports_of(item)
    resolver = DeclarationResolver(definition, scope, _SuppliedResources(supplied))
    exports: dict[str, Any] = {}
    type_index = 0
    for declaration in definition.declarations:
        if not isinstance(declaration, ExportDeclaration):
            type_index += adds_type(declaration)
            continue
        export = declaration.name.name
        extern = declaration.type
        try:
            if isinstance(extern, TypeExtern):
                exports[export] = resolver.type_at(type_index, declaration.offset)
                type_index += 1
                if extern.equal_to is not None and isinstance(exports[export], ResourceType):
                    _check_same_resource(exports[export], supplied.get(export))
                continue
            exports[export] = _bind_export(resolver, definition, extern, supplied.get(export), export)
        except ImportMismatch as mismatch:
            if mismatch.causes and mismatch.causes[0].startswith("instance export"):
                raise
            raise ImportMismatch(f"instance export `{export}` has the wrong type", *mismatch.causes) from None
    return ComponentInstance(exports, None, name)


def _check_same_resource(declared: ResourceType, item: Any) -> None:
    """An ``(eq r)`` resource export need not be supplied; if it is, it must be ``r`` itself."""
    if item is None:
        return
    if not isinstance(item, ResourceType):
        raise ImportMismatch(f"expected resource found {describe(item)}")
    if item is not declared:
        raise ImportMismatch("mismatched resource types")


def _bind_export(
    resolver: DeclarationResolver, definition: InstanceTypeDefinition, extern: ExternType, item: Any, name: str
) -> Any:
    if item is None and isinstance(extern, InstanceExtern):
        item = {}  # (an instance need not be supplied if nothing in it must be)
    if item is None:
        raise ImportMismatch(_MISSING[type(extern)])
    if isinstance(extern, FuncExtern):
        return as_function(item, resolver.func_type(extern.type), name)
    if isinstance(extern, InstanceExtern):
        nested = resolver.instance_type(extern.type)
        return bind_instance(nested, resolver.scope_of(extern.type), item, name)
    if isinstance(extern, ComponentExtern):
        return as_component(item)
    if isinstance(extern, ModuleExtern):
        return as_module(item, declared_core_type(definition.declarations, extern.type))
    raise UnsupportedInstruction("component values (🪙) are not supported")
