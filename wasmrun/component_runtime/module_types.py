"""Whether a supplied core module has the core module type an import declares, in Wasmtime's words.

An imported instance may export a core module: ``(export "m" (core module (export "f" (func))
(import "env" "g" (global i32))))``.  The module supplied must export everything the type exports,
each of a subtype (``module export `f` not defined``, ``module export `f` has the wrong type``), and
import nothing the type does not offer, each of a supertype of what is offered (``module import
`env::g` not defined``, ``... has the wrong type``), the innermost cause first among Wasmtime's
(``expected func found global``, ``expected type `(func (param i32))`, found type `(func)```).
"""

from __future__ import annotations

from typing import Any

from wasmrun.component.aliases import OuterAlias
from wasmrun.component.core_typedefs import (
    CoreExportDeclaration,
    CoreImportDeclaration,
    CoreModuleType,
    CoreRecursiveType,
    CoreTypeDefinition,
)
from wasmrun.component.sorts import Sort
from wasmrun.module import Module
from wasmrun.runtime.instance import extern_matches
from wasmrun.types import ExternKind, FuncType, TagType


class ModuleMismatch(Exception):
    """What is wrong, as the chain of causes (outermost first)."""

    def __init__(self, *causes: str) -> None:
        super().__init__(": ".join(causes))
        self.causes = causes


def declared_core_type(declarations: tuple[Any, ...], index: int) -> CoreModuleType | None:
    """The core type ``index`` of an instance or component type's declarations, if it is a module type
    defined there (None for one aliased from outside, which is not checked)."""
    types: list[Any] = []
    for declaration in declarations:
        if isinstance(declaration, CoreTypeDefinition):
            if isinstance(declaration.type, CoreRecursiveType):
                types.extend(declaration.type.members)
            else:
                types.append(declaration.type)
        elif isinstance(declaration, OuterAlias) and declaration.sort is Sort.CORE_TYPE:
            types.append(None)
    found = types[index] if 0 <= index < len(types) else None
    return found if isinstance(found, CoreModuleType) else None


def _declared(module_type: CoreModuleType) -> tuple[dict[tuple[str, str], Any], dict[str, Any]]:
    """A module type's imports and exports, each as (kind, type)."""
    types: list[Any] = []
    imports: dict[tuple[str, str], Any] = {}
    exports: dict[str, Any] = {}
    for declaration in module_type.declarations:
        if isinstance(declaration, CoreTypeDefinition):
            if isinstance(declaration.type, CoreRecursiveType):
                types.extend(member.composite for member in declaration.type.members)
            else:
                types.append(getattr(declaration.type, "composite", declaration.type))
        elif isinstance(declaration, (CoreImportDeclaration, CoreExportDeclaration)):
            entity = (declaration.kind, _description(declaration.kind, declaration.description, types))
            if isinstance(declaration, CoreImportDeclaration):
                imports[(declaration.module, declaration.name)] = entity
            else:
                exports[declaration.name] = entity
        else:  # an outer alias of a core type
            types.append(None)
    return imports, exports


def _description(kind: ExternKind, description: Any, types: list[Any]) -> Any:
    if kind is ExternKind.FUNC or kind is ExternKind.TAG:
        index = description if isinstance(description, int) else description.type_index
        return types[index] if 0 <= index < len(types) else None
    return description


def _actual(module: Module) -> tuple[dict[tuple[str, str], Any], dict[str, Any]]:
    """A module's imports and exports, each as (kind, type)."""
    imports: dict[tuple[str, str], Any] = {}
    for imported in module.imports:
        desc: Any = imported.desc
        if imported.kind is ExternKind.FUNC:
            desc = module.types[desc]
        elif imported.kind is ExternKind.TAG and isinstance(desc, TagType):
            desc = module.types[desc.type_index]
        imports[(imported.module, imported.name)] = (imported.kind, desc)
    exports: dict[str, Any] = {}
    for export in module.exports:
        kind, index = export.kind, export.index
        if kind is ExternKind.FUNC:
            value: Any = module.types[module.func_type_indices[index]]
        elif kind is ExternKind.TABLE:
            value = module.table_types[index]
        elif kind is ExternKind.MEMORY:
            value = module.memory_types[index]
        elif kind is ExternKind.GLOBAL:
            value = module.global_types[index]
        else:
            value = module.types[module.tag_type_indices[index]]
        exports[export.name] = (kind, value)
    return imports, exports


def func_text(func_type: FuncType) -> str:
    """A function type as Wasmtime writes it: ``(func (param i32) (result i64))``."""
    text = "(func"
    if func_type.params:
        text += " (param " + " ".join(valtype.text for valtype in func_type.params) + ")"
    if func_type.results:
        text += " (result " + " ".join(valtype.text for valtype in func_type.results) + ")"
    return text + ")"


def _entity(expected: tuple[ExternKind, Any], actual: tuple[ExternKind, Any]) -> None:
    """ModuleMismatch unless ``actual`` may stand where ``expected`` is wanted."""
    (expected_kind, expected_type), (actual_kind, actual_type) = expected, actual
    if expected_kind is not actual_kind:
        raise ModuleMismatch(f"expected {expected_kind.text} found {actual_kind.text}")
    if expected_type is None or actual_type is None:
        return  # (a type aliased from outside the declaration: not checked)
    if isinstance(expected_type, FuncType):
        if expected_type != actual_type:
            raise ModuleMismatch(f"expected type `{func_text(expected_type)}`, found type `{func_text(actual_type)}`")
        return
    if not extern_matches(actual_type, expected_type):
        raise ModuleMismatch(f"expected {expected_kind.text} of another type")


def check_module(module_type: CoreModuleType, module: Module) -> None:
    """ModuleMismatch unless ``module`` has the module type ``module_type`` (see the module docstring)."""
    declared_imports, declared_exports = _declared(module_type)
    actual_imports, actual_exports = _actual(module)
    for name, expected in declared_exports.items():
        actual = actual_exports.get(name)
        if actual is None:
            raise ModuleMismatch(f"module export `{name}` not defined")
        try:
            _entity(expected, actual)
        except ModuleMismatch as mismatch:
            raise ModuleMismatch(f"module export `{name}` has the wrong type", *mismatch.causes) from None
    for (module_name, name), actual in actual_imports.items():
        offered = declared_imports.get((module_name, name))
        if offered is None:
            raise ModuleMismatch(f"module import `{module_name}::{name}` not defined")
        try:
            _entity(actual, offered)
        except ModuleMismatch as mismatch:
            raise ModuleMismatch(
                f"module import `{module_name}::{name}` has the wrong type", *mismatch.causes
            ) from None
