"""What each index of a component's index spaces holds, in the order definitions add them.

A component has one index space per sort (``Explainer.md``, Index Spaces); each definition adds to
one of them as the sections are read: an import or export by the sort it names, an alias by its
sort, ``canon lift`` a function and every other canonical definition a core function, a recursion
group one core type per member, a start definition one value per result.  Nothing is checked here
(an index may refer to anything): validation and instantiation walk these lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from wasmrun.component.aliases import CoreInstanceExportAlias, InstanceExportAlias, OuterAlias
from wasmrun.component.canonical import Lift
from wasmrun.component.core_typedefs import CoreTypeDefinition
from wasmrun.component.records import (
    Component,
    CoreInstanceFromExports,
    CoreInstantiate,
    CoreModule,
    Definition,
    Export,
    InstanceFromExports,
    Instantiate,
    Start,
    ValueDefinition,
)
from wasmrun.component.sorts import Sort
from wasmrun.component.typedefs import (
    ComponentExtern,
    ExternType,
    FuncExtern,
    Import,
    InstanceExtern,
    ModuleExtern,
    TypeDefinition,
    TypeExtern,
    ValueExtern,
)

_EXTERN_SORTS: dict[type, Sort] = {
    ModuleExtern: Sort.CORE_MODULE,
    FuncExtern: Sort.FUNC,
    ValueExtern: Sort.VALUE,
    TypeExtern: Sort.TYPE,
    ComponentExtern: Sort.COMPONENT,
    InstanceExtern: Sort.INSTANCE,
}


def extern_sort(extern_type: ExternType) -> Sort:
    """The sort an extern type describes."""
    return _EXTERN_SORTS[type(extern_type)]


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One index: the definition that added it and, when it added several, which one (else 0)."""

    definition: Definition
    position: int = 0


def definition_sort(definition: Definition) -> Sort | None:
    """The index space a definition adds to (None for one that adds to several, a start)."""
    if isinstance(definition, (InstanceExportAlias, CoreInstanceExportAlias, OuterAlias)):
        return definition.sort
    if isinstance(definition, Import):
        return extern_sort(definition.type)
    if isinstance(definition, Export):
        return definition.item.sort
    if isinstance(definition, Lift):
        return Sort.FUNC
    if isinstance(definition, Start):
        return None
    return _SORT_OF_KIND.get(type(definition), Sort.CORE_FUNC)  # (the other canonical definitions)


_SORT_OF_KIND: dict[type, Sort] = {
    CoreModule: Sort.CORE_MODULE,
    CoreInstantiate: Sort.CORE_INSTANCE,
    CoreInstanceFromExports: Sort.CORE_INSTANCE,
    CoreTypeDefinition: Sort.CORE_TYPE,
    Component: Sort.COMPONENT,
    Instantiate: Sort.INSTANCE,
    InstanceFromExports: Sort.INSTANCE,
    TypeDefinition: Sort.TYPE,
    ValueDefinition: Sort.VALUE,
}


def index_spaces(component: Component) -> dict[Sort, tuple[IndexEntry, ...]]:
    """Each sort's index space: for each index, in order, the definition that added it.

    Every sort is a key, with an empty tuple when nothing adds to it.
    """
    spaces: dict[Sort, list[IndexEntry]] = {sort: [] for sort in Sort}
    for definition in component.definitions:
        if isinstance(definition, Start):
            spaces[Sort.VALUE].extend(IndexEntry(definition, result) for result in range(definition.results))
            continue
        if isinstance(definition, CoreTypeDefinition) and definition.type_count != 1:
            spaces[Sort.CORE_TYPE].extend(IndexEntry(definition, member) for member in range(definition.type_count))
            continue
        sort = definition_sort(definition)
        if sort is not None:
            spaces[sort].append(IndexEntry(definition))
    return {sort: tuple(entries) for sort, entries in spaces.items()}
