"""The core side of a component: nested modules, core instances, core types and core aliases.

A nested module is decoded and checked by the core validator (:func:`wasmrun.validation.validate_module`)
and then known by its :class:`ModuleType`; its import names must be unique (two-level names, as a
component cannot tell two imports of one name apart).  Instantiating a module checks each import
against the export of the instance given for its module name, by core subtyping.  A module type
declared in a component (``(core type (module ...))``) starts with an empty type index space of its
own, reached from outside only by outer aliases of core types.
"""

from __future__ import annotations

from typing import Any

from wasmrun.component.aliases import CoreInstanceExportAlias
from wasmrun.component.core_typedefs import (
    CoreExportDeclaration,
    CoreImportDeclaration,
    CoreModuleType,
    CoreOuterAlias,
    CoreRecursiveType,
    CoreSubType,
    CoreTypeDefinition,
)
from wasmrun.component.records import CoreInstanceFromExports, CoreInstantiate, CoreModule
from wasmrun.component.sorts import Sort
from wasmrun.component.validate_model import CoreExtern, CoreInstanceType, ModuleType
from wasmrun.component.validate_scope import Scope
from wasmrun.component.validate_subtype import Mismatch, match_core_extern
from wasmrun.errors import ValidationError
from wasmrun.features import Features
from wasmrun.module import Module
from wasmrun.types import ExternKind, FuncType, Limits, MemoryType, RefType, TableType, TagType
from wasmrun.validation import validate_module

KIND_SORTS: dict[ExternKind, Sort] = {
    ExternKind.FUNC: Sort.CORE_FUNC,
    ExternKind.TABLE: Sort.CORE_TABLE,
    ExternKind.MEMORY: Sort.CORE_MEMORY,
    ExternKind.GLOBAL: Sort.CORE_GLOBAL,
    ExternKind.TAG: Sort.CORE_TAG,
}
SORT_KINDS = {sort: kind for kind, sort in KIND_SORTS.items()}


def check_tags_enabled(scope: Scope, sort: Sort, offset: int | None) -> None:
    if sort is Sort.CORE_TAG and not scope.features.exceptions:
        raise ValidationError("exceptions proposal not enabled", offset)


def core_entity(scope: Scope, sort: Sort, index: int, offset: int | None) -> CoreExtern:
    """The core extern type of item ``index`` of a core sort."""
    check_tags_enabled(scope, sort, offset)
    kind = SORT_KINDS.get(sort)
    if kind is None:
        raise ValidationError(f"a {sort} cannot be exported from a core instance", offset)
    return kind, scope.get(sort, index, offset)


def add_core_entity(scope: Scope, entity: CoreExtern) -> None:
    kind, value = entity
    scope.add(KIND_SORTS[kind], value)


# --- modules --------------------------------------------------------------------------------------


def module_type(core_module: CoreModule, features: Features, pending: list[tuple[CoreModule, Module]]) -> ModuleType:
    """A nested module as its type.  The core validator's checks wait in ``pending`` (see
    :func:`check_modules`), as they do in wasm-tools: a component's own errors are found first."""
    module = core_module.decode()
    try:
        result = _type_of(module, core_module.offset)
    except IndexError:  # (an index the core validator refuses)
        check_modules([(core_module, module)], features)
        raise
    pending.append((core_module, module))
    return result


def check_modules(pending: list[tuple[CoreModule, Module]], features: Features) -> None:
    """Validate nested modules with the core validator (errors at offsets in the component)."""
    for core_module, module in pending:
        try:
            validate_module(module, features)
        except ValidationError as error:
            offset = None if error.offset is None else error.offset + core_module.offset
            raise ValidationError(error.message, offset) from None
        core_module.note_validated(module, features)


def _func(module: Module, type_index: int) -> FuncType:
    return module.types[type_index]


def _type_of(module: Module, offset: int) -> ModuleType:
    result = ModuleType()
    for imported in module.imports:
        key = (imported.module, imported.name)
        if key in result.imports:
            raise ValidationError(f"duplicate import name `{imported.module}:{imported.name}`", offset)
        desc: Any = imported.desc
        if imported.kind is ExternKind.FUNC:
            desc = _func(module, desc)
        elif imported.kind is ExternKind.TAG and isinstance(desc, TagType):
            desc = _func(module, desc.type_index)
        result.imports[key] = (imported.kind, desc)
    for export in module.exports:
        kind, index = export.kind, export.index
        value: Any
        if kind is ExternKind.FUNC:
            value = _func(module, module.func_type_indices[index])
        elif kind is ExternKind.TABLE:
            value = module.table_types[index]
        elif kind is ExternKind.MEMORY:
            value = module.memory_types[index]
        elif kind is ExternKind.GLOBAL:
            value = module.global_types[index]
        else:
            value = _func(module, module.tag_type_indices[index])
        result.exports[export.name] = (kind, value)
    return result


# --- core types -----------------------------------------------------------------------------------


def check_core_func_type(func_type: FuncType, types: list[Any], offset: int | None) -> None:
    """The type indices a core function type's references name."""
    for valtype in (*func_type.params, *func_type.results):
        if isinstance(valtype, RefType) and isinstance(valtype.heap, int) and valtype.heap >= 0:
            if valtype.heap >= len(types):
                raise ValidationError(f"unknown type {valtype.heap}: type index out of bounds", offset)
            if isinstance(types[valtype.heap], ModuleType):
                raise ValidationError(f"type index {valtype.heap} is a module type", offset)


def define_core_type(scope: Scope, definition: CoreTypeDefinition) -> None:
    """A ``core:type`` of a component, component type or instance type."""
    offset = definition.offset
    core_type = definition.type
    types = scope.spaces[Sort.CORE_TYPE]
    if isinstance(core_type, CoreModuleType):
        scope.add(Sort.CORE_TYPE, declared_module_type(scope, core_type, offset))
    elif isinstance(core_type, FuncType):
        check_core_func_type(core_type, types, offset)
        scope.add(Sort.CORE_TYPE, core_type)
    elif isinstance(core_type, CoreRecursiveType):
        for member in core_type.members:
            scope.add(Sort.CORE_TYPE, _composite(member, types, offset))
    else:
        scope.add(Sort.CORE_TYPE, _composite(core_type, types, offset))


def _composite(sub_type: CoreSubType, types: list[Any], offset: int | None) -> Any:
    composite = sub_type.composite
    if not isinstance(composite, FuncType):
        raise ValidationError("core struct and array types (garbage collection) are not supported", offset)
    check_core_func_type(composite, types, offset)
    return composite


def declared_module_type(scope: Scope, declared: CoreModuleType, offset: int | None) -> ModuleType:
    """``(core type (module ...))``: its declarations, with a type index space of its own."""
    types: list[Any] = []
    result = ModuleType()
    for declaration in declared.declarations:
        at = getattr(declaration, "offset", None) or offset
        if isinstance(declaration, CoreTypeDefinition):
            if isinstance(declaration.type, CoreModuleType):
                raise ValidationError("module types cannot be nested in module types", at)
            if isinstance(declaration.type, FuncType):
                check_core_func_type(declaration.type, types, at)
                types.append(declaration.type)
            elif isinstance(declaration.type, CoreRecursiveType):
                types.extend(_composite(member, types, at) for member in declaration.type.members)
            else:
                types.append(_composite(declaration.type, types, at))
        elif isinstance(declaration, CoreOuterAlias):
            types.append(_outer_core_type(scope, declaration, types, at))
        elif isinstance(declaration, CoreImportDeclaration):
            key = (declaration.module, declaration.name)
            if key in result.imports:
                raise ValidationError(f"duplicate import name `{declaration.module}:{declaration.name}`", at)
            result.imports[key] = _extern(declaration.kind, declaration.description, types, at)
        elif isinstance(declaration, CoreExportDeclaration):
            if declaration.name in result.exports:
                raise ValidationError(f"export name `{declaration.name}` already defined", at)
            result.exports[declaration.name] = _extern(declaration.kind, declaration.description, types, at)
    return result


def _outer_core_type(scope: Scope, alias: CoreOuterAlias, types: list[Any], offset: int | None) -> Any:
    # Count 0 is the module type itself; 1 the scope defining it, and so on.
    if alias.count == 0:
        if not 0 <= alias.index < len(types):
            raise ValidationError(f"unknown type {alias.index}: type index out of bounds", offset)
        return types[alias.index]
    target: Scope | None = scope
    for _ in range(alias.count - 1):
        target = target.parent if target is not None else None
    if target is None:
        raise ValidationError(f"invalid outer alias count of {alias.count}", offset)
    found = target.get(Sort.CORE_TYPE, alias.index, offset)
    if isinstance(found, ModuleType):
        raise ValidationError("module types cannot be aliased into module types", offset)
    return found


def _extern(kind: ExternKind, description: Any, types: list[Any], offset: int | None) -> CoreExtern:
    if isinstance(description, MemoryType):
        _check_memory(description, offset)
    elif isinstance(description, TableType):
        _check_limits(description.limits, None, "", offset)
    if kind is ExternKind.FUNC or kind is ExternKind.TAG:
        index = description if isinstance(description, int) else description.type_index
        if not 0 <= index < len(types):
            raise ValidationError(f"unknown type {index}: type index out of bounds", offset)
        func_type = types[index]
        if not isinstance(func_type, FuncType):
            raise ValidationError(f"type index {index} is not a function type", offset)
        return kind, func_type
    return kind, description


def _check_memory(memory: MemoryType, offset: int | None) -> None:
    bound = memory.max_pages
    if memory.limits.address64:
        message = f"memory size must be at most {bound} pages (16EiB)" if memory.page_size_log2 == 16 else ""
    else:
        message = f"memory size must be at most {bound} pages (4GiB)" if memory.page_size_log2 == 16 else ""
    _check_limits(memory.limits, bound, message or f"memory size must be at most {bound} pages", offset)


def _check_limits(limits: Limits, bound: int | None, message: str, offset: int | None) -> None:
    if bound is not None and (limits.min > bound or (limits.max is not None and limits.max > bound)):
        raise ValidationError(message, offset)
    if limits.max is not None and limits.min > limits.max:
        raise ValidationError("size minimum must not be greater than maximum", offset)


# --- core instances and aliases -------------------------------------------------------------------


def instantiate_module(scope: Scope, definition: CoreInstantiate) -> CoreInstanceType:
    offset = definition.offset
    module = scope.get(Sort.CORE_MODULE, definition.module, offset)
    arguments: dict[str, CoreInstanceType] = {}
    for argument in definition.arguments:
        if argument.name in arguments:
            raise ValidationError(f"duplicate module instantiation argument named `{argument.name}`", offset)
        arguments[argument.name] = scope.get(Sort.CORE_INSTANCE, argument.instance, offset)
    for (module_name, name), wanted in module.imports.items():
        instance = arguments.get(module_name)
        if instance is None:
            raise ValidationError(f"missing module instantiation argument named `{module_name}`", offset)
        given = instance.exports.get(name)
        if given is None:
            raise ValidationError(
                f"module instantiation argument `{module_name}` does not export an item named `{name}`", offset
            )
        try:
            match_core_extern(given, wanted)
        except Mismatch as error:
            raise ValidationError(
                f"type mismatch for export `{name}` of module instantiation argument `{module_name}`: {error}",
                offset,
            ) from None
    return CoreInstanceType(dict(module.exports))


def instance_from_exports(scope: Scope, definition: CoreInstanceFromExports) -> CoreInstanceType:
    result = CoreInstanceType()
    for export in definition.exports:
        if export.name in result.exports:
            raise ValidationError(f"export name `{export.name}` already defined", definition.offset)
        result.exports[export.name] = core_entity(scope, export.item.sort, export.item.index, definition.offset)
    return result


def alias_core_export(scope: Scope, alias: CoreInstanceExportAlias) -> None:
    offset = alias.offset
    check_tags_enabled(scope, alias.sort, offset)
    instance = scope.get(Sort.CORE_INSTANCE, alias.instance, offset)
    found = instance.exports.get(alias.name)
    if found is None:
        raise ValidationError(f"core instance {alias.instance} has no export named `{alias.name}`", offset)
    kind = SORT_KINDS.get(alias.sort)
    if kind is not found[0]:
        raise ValidationError(
            f"export `{alias.name}` for core instance {alias.instance} is not a {alias.sort.value.removeprefix('core ')}",
            offset,
        )
    add_core_entity(scope, found)
