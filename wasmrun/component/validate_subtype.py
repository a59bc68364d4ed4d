"""Subtyping (Explainer.md, Type Checking; Binary.md, instantiate): is what is given what is expected?

Core extern types match as core WebAssembly imports do (a function's type exactly, limits by
containment, a global's mutability and type).  Component types match structurally, with the
directions of the Explainer: an instance (or component) may export more than expected, a
component may import less; a value type matches only the same type, a resource type only the same
resource type.

Matching a component's imports binds its abstract resource types: a :class:`Matcher` is given the
resource types it may bind (those of ``(sub resource)`` imports), and binds each to the resource
type first found in its place, so that later uses (a function taking ``(own $r)``) are checked
against the type the argument supplied.  A mismatch raises :class:`Mismatch`; its message reads
from the outside in (``type mismatch in instance export `a`: expected func, found component``).
"""

from __future__ import annotations

from typing import Any

from wasmrun.component.sorts import Sort
from wasmrun.component.types import (
    BorrowType,
    EnumType,
    FlagsType,
    FuncType,
    ListType,
    OptionType,
    OwnType,
    Primitive,
    RecordType,
    ResourceType,
    ResultType,
    TupleType,
    VariantType,
)
from wasmrun.component.validate_model import (
    SORT_NAMES,
    ComponentType,
    CoreInstanceType,
    Entity,
    FutureType,
    InstanceType,
    MapType,
    ModuleType,
    StreamType,
    canonical,
)
from wasmrun.types import ExternKind, GlobalType, Limits, MemoryType, TableType
from wasmrun.types import FuncType as CoreFuncType


class Mismatch(Exception):
    """A subtyping failure; ``str()`` is the message."""


class _AnyCoreFunc:
    """The type of a core function whose type validation does not work out (a built-in of a later
    proposal): it matches any function type."""

    def __repr__(self) -> str:
        return "(func ...)"


ANY_CORE_FUNC = _AnyCoreFunc()


# --- core -----------------------------------------------------------------------------------------


def core_func_text(func_type: CoreFuncType) -> str:
    parts = ["func"]
    if func_type.params:
        parts.append(f"(param {' '.join(str(t) for t in func_type.params)})")
    if func_type.results:
        parts.append(f"(result {' '.join(str(t) for t in func_type.results)})")
    return f"({' '.join(parts)})"


def match_core_extern(actual: tuple[ExternKind, Any], expected: tuple[ExternKind, Any]) -> None:
    """Whether a core export of type ``actual`` satisfies an import of type ``expected``."""
    kind, given = actual
    wanted_kind, wanted = expected
    if kind is not wanted_kind:
        raise Mismatch(f"expected {wanted_kind.text}, found {kind.text}")
    if kind in (ExternKind.FUNC, ExternKind.TAG):
        if given is ANY_CORE_FUNC or wanted is ANY_CORE_FUNC:
            return
        if given != wanted:
            raise Mismatch(f"type mismatch: expected: {core_func_text(wanted)}, found:    {core_func_text(given)}")
    elif kind is ExternKind.TABLE:
        _match_table(given, wanted)
    elif kind is ExternKind.MEMORY:
        _match_memory(given, wanted)
    elif kind is ExternKind.GLOBAL:
        _match_global(given, wanted)


def _limits_match(given: Limits, wanted: Limits) -> bool:
    if given.min < wanted.min:
        return False
    if wanted.max is None:
        return True
    return given.max is not None and given.max <= wanted.max


def _match_table(given: TableType, wanted: TableType) -> None:
    if given.element != wanted.element:
        raise Mismatch(f"expected table element type {wanted.element}, found {given.element}")
    if given.limits.address64 != wanted.limits.address64:
        raise Mismatch("mismatch in index type used for tables")
    if not _limits_match(given.limits, wanted.limits):
        raise Mismatch("mismatch in table limits")


def _match_memory(given: MemoryType, wanted: MemoryType) -> None:
    if given.limits.address64 != wanted.limits.address64:
        raise Mismatch("mismatch in index type used for memories")
    if given.shared != wanted.shared:
        raise Mismatch("mismatch in the shared flag for memories")
    if given.page_size_log2 != wanted.page_size_log2:
        raise Mismatch("mismatch in page size for memories")
    if not _limits_match(given.limits, wanted.limits):
        raise Mismatch("mismatch in memory limits")


def _match_global(given: GlobalType, wanted: GlobalType) -> None:
    if given.mutable != wanted.mutable:
        raise Mismatch("global types differ in mutability")
    if given.valtype != wanted.valtype:
        raise Mismatch(f"expected global type {wanted.valtype}, found {given.valtype}")


def match_module(actual: ModuleType, expected: ModuleType) -> None:
    """A core module type: it may import less (contravariantly) and export more."""
    for (module, name), given in actual.imports.items():
        wanted = expected.imports.get((module, name))
        if wanted is None:
            raise Mismatch(f"missing expected import `{module}::{name}`")
        try:
            match_core_extern(wanted, given)
        except Mismatch as error:
            raise Mismatch(f"type mismatch in import `{module}::{name}`: {error}") from None
    for name, wanted in expected.exports.items():
        export = actual.exports.get(name)
        if export is None:
            raise Mismatch(f"missing expected export `{name}`")
        try:
            match_core_extern(export, wanted)
        except Mismatch as error:
            raise Mismatch(f"type mismatch in export `{name}`: {error}") from None


def match_core_instance(actual: CoreInstanceType, expected: CoreInstanceType) -> None:
    for name, wanted in expected.exports.items():
        export = actual.exports.get(name)
        if export is None:
            raise Mismatch(f"missing expected export `{name}`")
        try:
            match_core_extern(export, wanted)
        except Mismatch as error:
            raise Mismatch(f"type mismatch in export `{name}`: {error}") from None


# --- component ------------------------------------------------------------------------------------


def describe(value: Any) -> str:
    """How a mismatch names a type's kind."""
    if isinstance(value, Primitive):
        return value.value
    if isinstance(value, ResourceType):
        return "resource"
    names = {
        RecordType: "record",
        VariantType: "variant",
        ListType: "list",
        TupleType: "tuple",
        FlagsType: "flags",
        EnumType: "enum",
        OptionType: "option",
        ResultType: "result",
        OwnType: "own",
        BorrowType: "borrow",
        MapType: "map",
        StreamType: "stream",
        FutureType: "future",
        FuncType: "func",
        ResourceType: "resource",
        InstanceType: "instance",
        ComponentType: "component",
    }
    return names.get(type(value), type(value).__name__)


class Matcher:
    """Subtyping of component entities; ``bindable`` resource types are bound as they are met."""

    def __init__(self, bindable: tuple[ResourceType, ...] | set[ResourceType] = ()) -> None:
        self.bindable = set(bindable)
        self.bindings: dict[ResourceType, ResourceType] = {}

    # Entities.

    def entity(self, actual: Entity, expected: Entity) -> None:
        if actual.sort is not expected.sort:
            raise Mismatch(f"expected {SORT_NAMES[expected.sort]}, found {SORT_NAMES[actual.sort]}")
        sort = actual.sort
        if sort is Sort.FUNC:
            self.func(actual.type, expected.type)
        elif sort is Sort.VALUE:
            self.value(actual.type, expected.type)
        elif sort is Sort.TYPE:
            self.type(actual.type, expected.type)
        elif sort is Sort.INSTANCE:
            self.instance(actual.type, expected.type)
        elif sort is Sort.COMPONENT:
            self.component(actual.type, expected.type)
        elif sort is Sort.CORE_MODULE:
            match_module(actual.type, expected.type)

    def type(self, actual: Any, expected: Any) -> None:
        """A type given for a type import or export (a value type, function, resource, ...)."""
        if isinstance(expected, ResourceType):
            if not isinstance(actual, ResourceType):
                raise Mismatch("expected resource, found defined type")
            self.resource(actual, expected)
            return
        if isinstance(actual, ResourceType):
            raise Mismatch("expected defined type, found resource")
        if isinstance(expected, FuncType):
            if not isinstance(actual, FuncType):
                raise Mismatch(f"expected func, found {describe(actual)}")
            self.func(actual, expected)
        elif isinstance(expected, InstanceType):
            if not isinstance(actual, InstanceType):
                raise Mismatch(f"expected instance, found {describe(actual)}")
            self.instance(actual, expected)
        elif isinstance(expected, ComponentType):
            if not isinstance(actual, ComponentType):
                raise Mismatch(f"expected component, found {describe(actual)}")
            self.component(actual, expected)
        elif isinstance(actual, FuncType | InstanceType | ComponentType):
            raise Mismatch(f"expected {describe(expected)}, found {describe(actual)}")
        else:
            self.value(actual, expected, top=True)

    def resource(self, actual: ResourceType, expected: ResourceType) -> None:
        actual, expected = canonical(actual), canonical(expected)
        actual = self.bindings.get(actual, actual)
        if expected in self.bindable and expected not in self.bindings:
            self.bindings[expected] = actual
            return
        if self.bindings.get(expected, expected) is not actual:
            raise Mismatch("resource types are not the same")

    def func(self, actual: FuncType, expected: FuncType) -> None:
        if actual.is_async != expected.is_async:
            raise Mismatch(f"expected {_asyncness(expected)} function, found {_asyncness(actual)} function")
        if len(actual.params) != len(expected.params):
            raise Mismatch(f"expected {len(expected.params)} parameters, found {len(actual.params)}")
        for (name, given), (wanted_name, wanted) in zip(actual.params, expected.params, strict=True):
            if name != wanted_name:
                raise Mismatch(f"expected parameter named `{wanted_name}`, found `{name}`")
            try:
                self.value(given, wanted)
            except Mismatch as error:
                raise Mismatch(f"type mismatch in function parameter `{name}`: {error}") from None
        if actual.result is None and expected.result is not None:
            raise Mismatch("expected a result, found none")
        if actual.result is not None and expected.result is None:
            raise Mismatch("expected a result, found none")
        if actual.result is not None:
            try:
                self.value(actual.result, expected.result)
            except Mismatch as error:
                raise Mismatch(f"type mismatch with result type: {error}") from None

    def instance(self, actual: InstanceType, expected: InstanceType) -> None:
        for name, wanted in expected.exports.items():
            given = actual.exports.get(name)
            if given is None:
                raise Mismatch(f"missing expected export `{name}`")
            try:
                self.entity(given, wanted)
            except Mismatch as error:
                raise Mismatch(f"type mismatch in instance export `{name}`: {error}") from None

    def component(self, actual: ComponentType, expected: ComponentType) -> None:
        # Imports are contravariant: what the given component needs, the expected one must offer (the
        # given component's abstract resource types are bound to the expected one's).
        self.bindable |= set(actual.imported)
        for name, given in actual.imports.items():
            offered = expected.imports.get(name)
            if offered is None:
                raise Mismatch(f"missing expected import `{name}`")
            try:
                self.entity(offered, given)
            except Mismatch as error:
                raise Mismatch(f"type mismatch in import `{name}`: {error}") from None
        self.bindable |= set(expected.defined)
        for name, wanted in expected.exports.items():
            export = actual.exports.get(name)
            if export is None:
                raise Mismatch(f"missing expected export `{name}`")
            try:
                self.entity(export, wanted)
            except Mismatch as error:
                raise Mismatch(f"type mismatch in export `{name}`: {error}") from None

    # Value types.

    def value(self, actual: Any, expected: Any, *, top: bool = False) -> None:
        """``top``: the types of a type index (else of a field, parameter ...), as messages say."""
        if actual is expected:
            return
        if isinstance(expected, Primitive):
            if not isinstance(actual, Primitive):
                label = "primitive" if top else expected.value
                raise Mismatch(f"expected {label}, found {describe(actual)}")
            if actual is not expected:
                raise Mismatch(f"expected primitive `{expected.value}` found primitive `{actual.value}`")
            return
        if type(actual) is not type(expected):
            raise Mismatch(f"expected {describe(expected)}, found {describe(actual)}")
        if isinstance(expected, RecordType):
            self._record(actual, expected)
        elif isinstance(expected, VariantType):
            self._variant(actual, expected)
        elif isinstance(expected, TupleType):
            if len(actual.elements) != len(expected.elements):
                raise Mismatch(f"expected {len(expected.elements)} types, found {len(actual.elements)}")
            for index, (given, wanted) in enumerate(zip(actual.elements, expected.elements, strict=True)):
                self._nested(given, wanted, f"type mismatch in tuple field {index}")
        elif isinstance(expected, FlagsType):
            if actual.names != expected.names:
                raise Mismatch("mismatch in flags elements")
        elif isinstance(expected, EnumType):
            if actual.names != expected.names:
                raise Mismatch("mismatch in enum elements")
        elif isinstance(expected, ListType):
            if actual.length != expected.length:
                raise Mismatch("mismatch in list length")
            self._nested(actual.element, expected.element, "type mismatch in list element")
        elif isinstance(expected, OptionType):
            self._nested(actual.value, expected.value, "type mismatch in option")
        elif isinstance(expected, ResultType):
            self._optional(actual.ok, expected.ok, "ok")
            self._optional(actual.error, expected.error, "err")
        elif isinstance(expected, OwnType | BorrowType):
            self.resource(actual.resource, expected.resource)
        elif isinstance(expected, MapType):
            self._nested(actual.key, expected.key, "type mismatch in map key")
            self._nested(actual.value, expected.value, "type mismatch in map value")
        elif isinstance(expected, StreamType | FutureType):
            given = actual.element if isinstance(actual, StreamType) else actual.value
            wanted = expected.element if isinstance(expected, StreamType) else expected.value
            if (given is None) != (wanted is None):
                raise Mismatch(f"mismatch in {describe(expected)} payload")
            if given is not None:
                self._nested(given, wanted, f"type mismatch in {describe(expected)} payload")

    def _nested(self, actual: Any, expected: Any, context: str) -> None:
        try:
            self.value(actual, expected)
        except Mismatch as error:
            raise Mismatch(f"{context}: {error}") from None

    def _record(self, actual: RecordType, expected: RecordType) -> None:
        if len(actual.fields) != len(expected.fields):
            raise Mismatch(f"expected {len(expected.fields)} fields, found {len(actual.fields)}")
        for (name, given), (wanted_name, wanted) in zip(actual.fields, expected.fields, strict=True):
            if name != wanted_name:
                raise Mismatch(f"expected field name `{wanted_name}`, found `{name}`")
            self._nested(given, wanted, f"type mismatch in record field `{name}`")

    def _variant(self, actual: VariantType, expected: VariantType) -> None:
        if len(actual.cases) != len(expected.cases):
            raise Mismatch(f"expected {len(expected.cases)} cases, found {len(actual.cases)}")
        for (name, given), (wanted_name, wanted) in zip(actual.cases, expected.cases, strict=True):
            if name != wanted_name:
                raise Mismatch(f"expected case named `{wanted_name}`, found `{name}`")
            if wanted is not None and given is None:
                raise Mismatch(f"expected case `{name}` to have a type, found none")
            if wanted is None and given is not None:
                raise Mismatch(f"expected case `{name}` to have no type")
            if given is not None:
                self._nested(given, wanted, f"type mismatch in variant case `{name}`")

    def _optional(self, actual: Any, expected: Any, which: str) -> None:
        if expected is None and actual is not None:
            raise Mismatch(f"expected {which} type to not be present")
        if expected is not None and actual is None:
            raise Mismatch(f"expected {which} type, but found none")
        if actual is not None:
            self._nested(actual, expected, f"type mismatch in {which} variant")


def _asyncness(func_type: FuncType) -> str:
    return "async" if func_type.is_async else "sync"
