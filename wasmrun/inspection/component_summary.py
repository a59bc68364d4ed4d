"""The component summary that ``wasmrun inspect COMPONENT`` shows, as frozen data.

:func:`summarize_component` turns a decoded :class:`~wasmrun.component.records.Component` into a
:class:`ComponentSummary` of plain values named as the JSON output names them
(``dataclasses.asdict`` of it is the ``component`` object of ``inspect.schema.json``).  Nested
components are summarized the same way, recursively.  Indices are those of each sort's index
space, in the order definitions add to it; offsets are in the outermost binary.  Imports and
exports are also written as WIT-like lines (:mod:`wasmrun.inspection.component_wit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wasmrun.component.aliases import CoreInstanceExportAlias, InstanceExportAlias, OuterAlias
from wasmrun.component.canonical import CanonicalBuiltin, Lift, Lower, ResourceDrop, ResourceNew, ResourceRep
from wasmrun.component.core_typedefs import CoreTypeDefinition
from wasmrun.component.index_spaces import definition_sort
from wasmrun.component.records import (
    Component,
    CoreInstanceFromExports,
    CoreInstantiate,
    CoreModule,
    Export,
    InstanceFromExports,
    Instantiate,
    Start,
)
from wasmrun.component.sorts import Sort
from wasmrun.component.typedefs import (
    FuncExtern,
    Import,
    InstanceExtern,
    InstanceTypeDefinition,
    TypeDefinition,
    TypeExtern,
)
from wasmrun.errors import WasmError
from wasmrun.inspection.component_wit import TypeScope


@dataclass(frozen=True, slots=True)
class CoreModuleSummary:
    """A nested core module; the counts are None when it does not decode."""

    index: int
    offset: int
    size: int
    name: str | None  # from its name section
    imports: int | None
    exports: int | None
    functions: int | None  # defined, imports not included
    memories: int | None  # imported and defined


@dataclass(frozen=True, slots=True)
class InstanceSummary:
    """A core instance or a component instance: ``instantiate`` (of ``of``) or ``exports`` (a bag of items)."""

    index: int
    kind: str  # "instantiate" or "exports"
    of: int | None  # the module or component instantiated
    items: tuple[str, ...]  # `name: sort index` for each argument or export


@dataclass(frozen=True, slots=True)
class AliasSummary:
    sort: str
    index: int  # in the sort's index space
    target: str  # `export 2 "name"`, `core export 0 "memory"`, `outer 1 3`


@dataclass(frozen=True, slots=True)
class CanonicalSummary:
    """A canonical definition: ``lift`` makes a ``func``, the others a ``core func``."""

    sort: str
    index: int
    kind: str  # "lift", "lower", "resource.drop", ...
    target: str  # what it lifts, lowers or acts on: `core func 3`, `func 0`, `type 7`
    type: int | None  # lift: the function type index
    string_encoding: str | None
    memory: int | None
    realloc: int | None
    post_return: int | None
    callback: int | None
    is_async: bool


@dataclass(frozen=True, slots=True)
class TypeSummary:
    index: int
    kind: str  # "defined", "import", "export", "alias"
    name: str | None
    text: str  # WIT-like


@dataclass(frozen=True, slots=True)
class ItemSummary:
    """An import or export: its name, sort, index, one WIT-like line and, for an instance, its items."""

    name: str
    sort: str
    index: int
    wit: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CustomSummary:
    name: str
    offset: int  # the section's id byte
    size: int  # its contents after the name


@dataclass(frozen=True, slots=True)
class ComponentSummary:
    index: int | None  # None for the outermost component
    offset: int
    size: int
    core_modules: tuple[CoreModuleSummary, ...]
    core_instances: tuple[InstanceSummary, ...]
    core_types: int
    components: tuple[ComponentSummary, ...]
    instances: tuple[InstanceSummary, ...]
    aliases: tuple[AliasSummary, ...]
    types: tuple[TypeSummary, ...]
    canonical_functions: tuple[CanonicalSummary, ...]
    imports: tuple[ItemSummary, ...]
    exports: tuple[ItemSummary, ...]
    starts: int
    customs: tuple[CustomSummary, ...]


@dataclass(frozen=True, slots=True)
class ComponentFileSummary:
    file: str
    format: str  # "binary": components are read in the binary format only
    size: int
    component: ComponentSummary


def summarize_file(component: Component, *, file: str, size: int) -> ComponentFileSummary:
    return ComponentFileSummary(file, "binary", size, summarize_component(component))


def _indices(component: Component) -> list[tuple[Any, Sort | None, int]]:
    """Each definition with the sort it adds to and its (first) index there."""
    counters = dict.fromkeys(Sort, 0)
    found: list[tuple[Any, Sort | None, int]] = []
    for definition in component.definitions:
        if isinstance(definition, Start):
            found.append((definition, Sort.VALUE, counters[Sort.VALUE]))
            counters[Sort.VALUE] += definition.results
            continue
        sort = definition_sort(definition)
        if sort is None:
            continue
        found.append((definition, sort, counters[sort]))
        counters[sort] += definition.type_count if isinstance(definition, CoreTypeDefinition) else 1
    return found


def summarize_component(
    component: Component, index: int | None = None, parent: TypeScope | None = None
) -> ComponentSummary:
    """The summary of ``component`` (``index``: its place among its parent's components)."""
    indices = _indices(component)
    instance_names = {
        position: definition.name.name
        for definition, sort, position in indices
        if sort is Sort.INSTANCE and isinstance(definition, Import)
    }
    scope = TypeScope(parent, instance_names)
    types: list[TypeSummary] = []
    for definition, sort, position in indices:
        if sort is Sort.TYPE:
            scope.add(definition)
            types.append(_type_summary(scope, definition, position))
    summarizer = _Summarizer(component, scope, indices)
    nested = tuple(
        summarize_component(definition, position, scope)
        for definition, sort, position in indices
        if isinstance(definition, Component)
    )
    return ComponentSummary(
        index=index,
        offset=component.offset,
        size=component.size,
        core_modules=tuple(
            _module_summary(definition, position)
            for definition, _, position in indices
            if isinstance(definition, CoreModule)
        ),
        core_instances=tuple(
            _core_instance(definition, position)
            for definition, _, position in indices
            if isinstance(definition, (CoreInstantiate, CoreInstanceFromExports))
        ),
        core_types=sum(definition.type_count for definition in component.core_types),
        components=nested,
        instances=tuple(
            _instance(definition, position)
            for definition, _, position in indices
            if isinstance(definition, (Instantiate, InstanceFromExports))
        ),
        aliases=tuple(
            _alias(definition, sort, position)
            for definition, sort, position in indices
            if sort is not None and isinstance(definition, (InstanceExportAlias, CoreInstanceExportAlias, OuterAlias))
        ),
        types=tuple(types),
        canonical_functions=tuple(
            _canonical(definition, sort, position)
            for definition, sort, position in indices
            if sort is not None
            and isinstance(definition, (Lift, Lower, ResourceNew, ResourceDrop, ResourceRep, CanonicalBuiltin))
        ),
        imports=tuple(
            summarizer.import_(definition, sort, position)
            for definition, sort, position in indices
            if sort is not None and isinstance(definition, Import)
        ),
        exports=tuple(
            summarizer.export(definition, sort, position)
            for definition, sort, position in indices
            if sort is not None and isinstance(definition, Export)
        ),
        starts=len(component.starts),
        customs=tuple(
            CustomSummary(custom.name, custom.offset, len(custom.data)) for custom in component.custom_sections
        ),
    )


def _module_summary(module: CoreModule, index: int) -> CoreModuleSummary:
    try:
        decoded = module.decode()
    except WasmError:
        return CoreModuleSummary(index, module.offset, len(module.data), None, None, None, None, None)
    return CoreModuleSummary(
        index,
        module.offset,
        len(module.data),
        decoded.names.module,
        len(decoded.imports),
        len(decoded.exports),
        len(decoded.func_type_indices) - decoded.num_imported_functions,
        len(decoded.memory_types),
    )


def _sortidx(sort: Sort, index: int) -> str:
    return f"{sort.value} {index}"


def _core_instance(definition: CoreInstantiate | CoreInstanceFromExports, index: int) -> InstanceSummary:
    if isinstance(definition, CoreInstantiate):
        items = tuple(
            f"{_quoted(argument.name)}: core instance {argument.instance}" for argument in definition.arguments
        )
        return InstanceSummary(index, "instantiate", definition.module, items)
    items = tuple(
        f"{_quoted(export.name)}: {_sortidx(export.item.sort, export.item.index)}" for export in definition.exports
    )
    return InstanceSummary(index, "exports", None, items)


def _instance(definition: Instantiate | InstanceFromExports, index: int) -> InstanceSummary:
    if isinstance(definition, Instantiate):
        items = tuple(
            f"{_quoted(argument.name)}: {_sortidx(argument.item.sort, argument.item.index)}"
            for argument in definition.arguments
        )
        return InstanceSummary(index, "instantiate", definition.component, items)
    items = tuple(
        f"{_quoted(export.name.name)}: {_sortidx(export.item.sort, export.item.index)}" for export in definition.exports
    )
    return InstanceSummary(index, "exports", None, items)


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _alias(
    definition: InstanceExportAlias | CoreInstanceExportAlias | OuterAlias, sort: Sort, index: int
) -> AliasSummary:
    if isinstance(definition, OuterAlias):
        target = f"outer {definition.count} {definition.index}"
    elif isinstance(definition, CoreInstanceExportAlias):
        target = f"core export {definition.instance} {_quoted(definition.name)}"
    else:
        target = f"export {definition.instance} {_quoted(definition.name)}"
    return AliasSummary(sort.value, index, target)


def _canonical(definition: Any, sort: Sort, index: int) -> CanonicalSummary:
    options = getattr(definition, "options", None)
    type_index = None
    if isinstance(definition, Lift):
        target, type_index = f"core func {definition.core_func}", definition.type
    elif isinstance(definition, Lower):
        target = f"func {definition.func}"
    elif isinstance(definition, (ResourceNew, ResourceDrop, ResourceRep)):
        target = f"type {definition.resource}"
    else:
        target = immediates_text(definition)
    if options is None:
        return CanonicalSummary(
            sort.value, index, definition.name, target, type_index, None, None, None, None, None, False
        )
    return CanonicalSummary(
        sort.value,
        index,
        definition.name,
        target,
        type_index,
        options.string_encoding.value,
        options.memory,
        options.realloc,
        options.post_return,
        options.callback,
        options.is_async,
    )


def immediates_text(definition: CanonicalBuiltin) -> str:
    """A built-in's immediates as the summary shows them: ``name=value`` for each one given."""
    return " ".join(f"{name}={value}" for name, value in definition.immediates if value is not None)


def _type_summary(scope: TypeScope, definition: Any, index: int) -> TypeSummary:
    name = scope.names[index]
    if isinstance(definition, TypeDefinition):
        return TypeSummary(index, "defined", None, scope.defined(index))
    kind = "import" if isinstance(definition, Import) else "export" if isinstance(definition, Export) else "alias"
    text = scope.defined(index) if kind != "alias" else scope.index(index)
    if kind == "alias" and isinstance(definition, (InstanceExportAlias, OuterAlias)):
        origin = scope.origins[index]
        text = f"{name} (from {origin})" if origin and name else _alias(definition, Sort.TYPE, index).target
    return TypeSummary(index, kind, name, text)


class _Summarizer:
    """Imports and exports as WIT-like lines, with the component's type scope at hand."""

    def __init__(self, component: Component, scope: TypeScope, indices: list[tuple[Any, Sort | None, int]]) -> None:
        self.component = component
        self.scope = scope
        self.by_sort: dict[Sort, dict[int, Any]] = {sort: {} for sort in Sort}
        for definition, sort, position in indices:
            if sort is not None:
                self.by_sort[sort][position] = definition

    def import_(self, definition: Import, sort: Sort, index: int) -> ItemSummary:
        name = definition.name.name
        extern = definition.type
        items: tuple[str, ...] = ()
        if isinstance(extern, TypeExtern):
            wit = self.scope.type_item("import ", name, extern)
        elif isinstance(extern, InstanceExtern):
            wit = f"import {name};" if _interface_name(name) else f"import {name}: interface;"
            items = self.instance_type_items(extern.type)
        else:
            wit = f"import {name}: {self.scope.extern(extern)};"
        return ItemSummary(name, sort.value, index, wit, items)

    def export(self, definition: Export, sort: Sort, index: int) -> ItemSummary:
        name = definition.name.name
        items: tuple[str, ...] = ()
        item = definition.item
        if item.sort is Sort.TYPE:
            wit = self.scope.named_type("export ", name, item.index)
        elif item.sort is Sort.INSTANCE:
            wit = f"export {name};" if _interface_name(name) else f"export {name}: interface;"
            if isinstance(definition.type, InstanceExtern):
                items = self.instance_type_items(definition.type.type)
            else:
                items = self.instance_items(item.index)
        elif item.sort is Sort.FUNC:
            func = (
                self.scope.func_index(definition.type.type)
                if isinstance(definition.type, FuncExtern)
                else self.func_text(item.index)
            )
            wit = f"export {name}: {func};"
        else:
            wit = f"export {name}: {item.sort.value};"
        return ItemSummary(name, sort.value, index, wit, items)

    def instance_type_items(self, type_index: int) -> tuple[str, ...]:
        scope = self.scope
        if 0 <= type_index < len(scope.definitions):
            definition = scope.definitions[type_index]
            if isinstance(definition, TypeDefinition) and isinstance(definition.type, InstanceTypeDefinition):
                return scope.instance_items(definition.type.declarations)
        return ()

    def func_text(self, index: int) -> str:
        """The type of function ``index`` of this component, when a definition says it."""
        definition = self.by_sort[Sort.FUNC].get(index)
        if isinstance(definition, Lift):
            return self.scope.func_index(definition.type)
        if isinstance(definition, Import) and isinstance(definition.type, FuncExtern):
            return self.scope.func_index(definition.type.type)
        if isinstance(definition, Export):
            if isinstance(definition.type, FuncExtern):
                return self.scope.func_index(definition.type.type)
            if definition.item.index < index:
                return self.func_text(definition.item.index)
        return "func"

    def instance_items(self, index: int) -> tuple[str, ...]:
        """The exports of instance ``index`` of this component, when a definition says them."""
        definition = self.by_sort[Sort.INSTANCE].get(index)
        if isinstance(definition, InstanceFromExports):
            return tuple(
                f"{export.name.name}: {self.func_text(export.item.index) if export.item.sort is Sort.FUNC else export.item.sort.value};"
                for export in definition.exports
            )
        if isinstance(definition, Instantiate):
            nested = self.by_sort[Sort.COMPONENT].get(definition.component)
            if isinstance(nested, Component):
                inner = summarize_component(nested, definition.component, self.scope)
                return tuple(line.removeprefix("export ") for export in inner.exports for line in (export.wit,))
        return ()


def _interface_name(name: str) -> bool:
    """Whether an instance's name is an interface's (``wasi:io/streams@0.2.12``), written alone in WIT."""
    return ":" in name and "/" in name
