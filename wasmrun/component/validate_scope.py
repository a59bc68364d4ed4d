"""One scope of validation: a component, or a component or instance type being declared.

A :class:`Scope` holds, for each sort, what each index holds (see
:mod:`wasmrun.component.validate_model`: a core function's type, a component's
:class:`ComponentType` ...), the names of its imports and exports, and what the rules about resources
and names need: the types that have an externally visible name, the resource types it defines and
the resource types its imports and exports name.  Scopes nest: ``parent`` is the enclosing one
(what ``outer`` aliases count out through).
"""

from __future__ import annotations

from typing import Any

from wasmrun.component.sorts import Sort
from wasmrun.component.types import ResourceType
from wasmrun.component.validate_model import Entity, canonical
from wasmrun.component.validate_names import NameSet
from wasmrun.errors import ValidationError
from wasmrun.features import EVERY_PROPOSAL, Features

_NOUNS: dict[Sort, tuple[str, str]] = {
    Sort.CORE_FUNC: ("core function", "function"),
    Sort.CORE_TABLE: ("table", "table"),
    Sort.CORE_MEMORY: ("memory", "memory"),
    Sort.CORE_GLOBAL: ("global", "global"),
    Sort.CORE_TAG: ("tag", "tag"),
    Sort.CORE_TYPE: ("core type", "type"),
    Sort.CORE_MODULE: ("module", "module"),
    Sort.CORE_INSTANCE: ("core instance", "instance"),
    Sort.FUNC: ("function", "function"),
    Sort.VALUE: ("value", "value"),
    Sort.TYPE: ("type", "type"),
    Sort.COMPONENT: ("component", "component"),
    Sort.INSTANCE: ("instance", "instance"),
}

COMPONENT, COMPONENT_TYPE, INSTANCE_TYPE = "component", "component type", "instance type"
IMPORT, EXPORT = "import", "export"


def out_of_bounds(sort: Sort, index: int, offset: int | None) -> ValidationError:
    noun, space = _NOUNS[sort]
    return ValidationError(f"unknown {noun} {index}: {space} index out of bounds", offset)


class Scope:
    """The index spaces and names of one component, component type or instance type."""

    def __init__(
        self,
        kind: str,
        parent: Scope | None,
        *,
        memory64: bool = True,
        implements: bool = True,
        features: Features = EVERY_PROPOSAL,
    ) -> None:
        self.kind = kind
        self.parent = parent
        # Whether canonical options may name 64-bit memories (and resources be ``i64``): wasm-tools' ``cm64``;
        # whether names may carry ``implements``; the core proposals on.
        self.memory64: bool = parent.memory64 if parent is not None else memory64
        self.implements: bool = parent.implements if parent is not None else implements
        self.features: Features = parent.features if parent is not None else features
        self.spaces: dict[Sort, list[Any]] = {sort: [] for sort in Sort}
        self.value_used: list[bool] = []
        self.imports: dict[str, Entity] = {}
        self.exports: dict[str, Entity] = {}
        self.import_names = NameSet("import")
        self.export_names = NameSet("export")
        # Value types and resource types with an externally visible name here (by id; kept alive),
        # and whether an import or an export named them.
        self.named: dict[int, tuple[Any, str]] = {}
        # Resource types defined here by ``(type (resource ...))``; the new abstract ones its imports
        # and its export declarations introduce.
        self.defined_resources: dict[int, ResourceType] = {}
        self.resource_representations: dict[int, Any] = {}  # (core value types, by resource id)
        self.imported_resources: dict[int, ResourceType] = {}
        self.exported_resources: dict[int, ResourceType] = {}
        self.resource_ids: set[int] = set()
        self.context_type: Any = None  # the core type of this component's ``context.get``/``set`` slots  # the resource types the type index space holds
        # Resource types named by an import or an export, by name (for ``[method]r.m`` ...).
        self.import_resource_names: dict[str, ResourceType] = {}
        self.export_resource_names: dict[str, ResourceType] = {}

    @property
    def depth(self) -> int:
        depth, scope = 0, self.parent
        while scope is not None:
            depth, scope = depth + 1, scope.parent
        return depth

    def add(self, sort: Sort, item: Any) -> int:
        space = self.spaces[sort]
        space.append(item)
        if isinstance(item, ResourceType):
            self.resource_ids.update((id(item), id(canonical(item))))
        if sort is Sort.VALUE:
            self.value_used.append(False)
        return len(space) - 1

    def get(self, sort: Sort, index: int, offset: int | None) -> Any:
        space = self.spaces[sort]
        if not 0 <= index < len(space):
            raise out_of_bounds(sort, index, offset)
        return space[index]

    def name(self, value: Any, how: str) -> None:
        """Give ``value`` (a value type or resource type) an externally visible name here (``how``:
        ``import`` or ``export``; an import's name wins)."""
        if self.named.get(id(value), (None, ""))[1] != IMPORT:
            self.named[id(value)] = (value, how)

    def is_named(self, value: Any, *, by_import: bool) -> bool:
        found = self.named.get(id(value))
        return found is not None and (not by_import or found[1] == IMPORT)

    def use_value(self, index: int, offset: int | None) -> Any:
        value_type = self.get(Sort.VALUE, index, offset)
        if self.value_used[index]:
            raise ValidationError(f"value {index} cannot be used more than once", offset)
        self.value_used[index] = True
        return value_type

    def check_values_used(self, offset: int | None) -> None:
        for index, used in enumerate(self.value_used):
            if not used:
                raise ValidationError(
                    f"value index {index} was not used as part of an instantiation, start function, or export",
                    offset,
                )

    def outer(self, count: int, offset: int | None) -> Scope:
        """The scope ``count`` levels out."""
        scope: Scope | None = self
        for _ in range(count):
            scope = scope.parent if scope is not None else None
        if scope is None:
            raise ValidationError(f"invalid outer alias count of {count}", offset)
        return scope
