"""Defined types of WebAssembly 3.0 (GC): composite types, sub types, recursion groups, and their
canonical identities.

A module's type section is a list of recursion groups, each a list of sub types (``final``, its
declared supertype indices, a composite type: a :class:`FuncType`, :class:`StructType` or
:class:`ArrayType`).  Types are iso-recursive: a type's identity is its recursion group's structure
and its position in it.  :func:`canonical_types` gives each of a module's types its
:class:`DefinedType`, interned process-wide, so two modules' equal groups get the *same* objects and
type equality is ``is``; each one keeps its supertype chain, so a subtype test is one index and one
``is`` (what a cast asks at run time).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from wasmrun.records import Record, frozen_record, set_field
from wasmrun.types import (
    HEAP_ANY,
    HEAP_ARRAY,
    HEAP_FUNC,
    HEAP_NOFUNC,
    HEAP_NONE,
    HEAP_STRUCT,
    HEAP_TEXT,
    FuncType,
    RefType,
    ValType,
    ValueType,
    abstract_heap_subtype,
    as_ref,
    top_abstract_heap,
)


class PackedType(enum.IntEnum):
    """A packed storage type of a field, numbered by its binary encoding."""

    I8 = 0x78
    I16 = 0x77

    @property
    def text(self) -> str:
        return "i8" if self is PackedType.I8 else "i16"

    @property
    def bits(self) -> int:
        return 8 if self is PackedType.I8 else 16

    def __str__(self) -> str:
        return self.text


StorageType = ValueType | PackedType


def unpacked(storage: StorageType) -> ValueType:
    """The value type a field of this storage type reads as (i32 for a packed one)."""
    return ValType.I32 if isinstance(storage, PackedType) else storage


@frozen_record(frozen=True)
class FieldType(Record):
    """A field of a struct, or an array's element: its storage type and mutability."""

    storage: StorageType
    mutable: bool

    def __init__(self, storage: StorageType, mutable: bool) -> None:
        set_field(self, "storage", storage)
        set_field(self, "mutable", mutable)

    @property
    def text(self) -> str:
        return f"(mut {self.storage.text})" if self.mutable else self.storage.text


@frozen_record(frozen=True)
class StructType(Record):
    fields: tuple[FieldType, ...]

    def __init__(self, fields: tuple[FieldType, ...]) -> None:
        set_field(self, "fields", fields)

    @property
    def text(self) -> str:
        return "(struct" + "".join(f" (field {f.text})" for f in self.fields) + ")"

    def __str__(self) -> str:
        return self.text


@frozen_record(frozen=True)
class ArrayType(Record):
    field: FieldType

    def __init__(self, field: FieldType) -> None:
        set_field(self, "field", field)

    @property
    def text(self) -> str:
        return f"(array {self.field.text})"

    def __str__(self) -> str:
        return self.text


CompositeType = FuncType | StructType | ArrayType


@frozen_record(frozen=True)
class SubType(Record):
    """A type definition: ``(sub final? $super* composite)``; a plain ``(type (func))`` is final."""

    final: bool
    supertypes: tuple[int, ...]
    composite: CompositeType

    def __init__(self, final: bool, supertypes: tuple[int, ...], composite: CompositeType) -> None:
        set_field(self, "final", final)
        set_field(self, "supertypes", supertypes)
        set_field(self, "composite", composite)


def kind_heap(composite: Any) -> int:
    """The abstract heap type just above a composite type: func, struct or array."""
    if composite.__class__ is StructType:
        return HEAP_STRUCT
    if composite.__class__ is ArrayType:
        return HEAP_ARRAY
    return HEAP_FUNC


def bottom_heap(composite: Any) -> int:
    """The bottom of a composite type's hierarchy: nofunc for a function type, none otherwise."""
    return HEAP_NOFUNC if composite.__class__ is FuncType else HEAP_NONE


class DefinedType:
    """The canonical identity of a defined type, one object per (recursion group, position) process-wide.

    ``composite`` has every reference to a defined type as ``RefType(nullable, DefinedType)``;
    ``chain`` is its supertype chain, root first, itself last.  A function type also reads as its
    :class:`FuncType` (``params``, ``results``), which is what the runtime keeps as a function's type.
    """

    __slots__ = ("chain", "composite", "final", "kind", "params", "results")

    def __init__(self) -> None:
        self.composite: Any = None
        self.final = True
        self.chain: tuple[DefinedType, ...] = (self,)
        self.kind = HEAP_FUNC
        self.params: tuple[Any, ...] = ()
        self.results: tuple[Any, ...] = ()

    def is_subtype_of(self, other: DefinedType) -> bool:
        """Whether this type is ``other`` or declares it as a supertype, transitively (one index, one ``is``)."""
        depth = len(other.chain)
        return depth <= len(self.chain) and self.chain[depth - 1] is other

    @property
    def text(self) -> str:
        return str(self.composite)

    @property
    def reference_text(self) -> str:
        """How a reference to this type shows (its structure may refer back to itself)."""
        return "<" + HEAP_TEXT[self.kind] + ">"

    def __str__(self) -> str:
        return str(self.composite)

    def __repr__(self) -> str:
        return f"<DefinedType {self.composite}>"


class _RecRef:
    """A reference, inside a recursion group's key, to the type at ``position`` of the same group."""

    __slots__ = ("position",)

    def __init__(self, position: int) -> None:
        self.position = position

    def __eq__(self, other: object) -> bool:
        return other.__class__ is _RecRef and other.position == self.position

    def __hash__(self) -> int:
        return hash(("rec", self.position))


_INTERNED: dict[tuple[Any, ...], tuple[DefinedType, ...]] = {}
"""Every recursion group canonicalised so far, by its key (see :func:`_group_key`), process-wide."""


def _map_valtype(valtype: Any, resolve: Any) -> Any:
    if valtype.__class__ is RefType and isinstance(valtype.heap, int) and valtype.heap >= 0:
        return RefType(valtype.nullable, resolve(valtype.heap))
    return valtype


def _map_composite(composite: Any, resolve: Any) -> Any:
    if composite.__class__ is StructType:
        return StructType(tuple(FieldType(_map_valtype(f.storage, resolve), f.mutable) for f in composite.fields))
    if composite.__class__ is ArrayType:
        field = composite.field
        return ArrayType(FieldType(_map_valtype(field.storage, resolve), field.mutable))
    return FuncType(
        tuple(_map_valtype(t, resolve) for t in composite.params),
        tuple(_map_valtype(t, resolve) for t in composite.results),
    )


def canonical_types(
    composites: Sequence[Any], subtypes: Sequence[SubType] = (), rec_sizes: Sequence[int] = ()
) -> list[DefinedType]:
    """Each of a module's types as its canonical :class:`DefinedType` (a validated type section).

    ``subtypes``: each type's definition (none: every type final without supertypes); ``rec_sizes``:
    the size of each recursion group (none: each type its own group).
    """
    if not subtypes:
        subtypes = [SubType(True, (), composite) for composite in composites]
    sizes = rec_sizes or (1,) * len(subtypes)
    defined: list[DefinedType] = []
    start = 0
    for size in sizes:
        group = subtypes[start : start + size]

        def key_of(index: int, start: int = start) -> Any:
            return _RecRef(index - start) if index >= start else defined[index]

        key = tuple(
            (sub.final, tuple(key_of(s) for s in sub.supertypes), _map_composite(sub.composite, key_of))
            for sub in group
        )
        found = _INTERNED.get(key)
        if found is None:
            found = _make_group(key)
            _INTERNED[key] = found
        defined.extend(found)
        start += size
    return defined


def _make_group(key: tuple[Any, ...]) -> tuple[DefinedType, ...]:
    made = tuple(DefinedType() for _ in key)

    def resolve(heap: Any) -> Any:
        return made[heap.position] if heap.__class__ is _RecRef else heap

    for defined, (final, supertypes, composite) in zip(made, key):
        defined.final = final
        defined.composite = _map_composite_keyed(composite, resolve)
        defined.kind = kind_heap(composite)
        if composite.__class__ is FuncType:
            defined.params = defined.composite.params
            defined.results = defined.composite.results
        if supertypes:
            parent = resolve(supertypes[0])
            defined.chain = (*parent.chain, defined)
    return made


def _map_composite_keyed(composite: Any, resolve: Any) -> Any:
    """A key's composite type with each in-group reference resolved (the others are DefinedTypes already)."""

    def valtype(t: Any) -> Any:
        if t.__class__ is RefType and not isinstance(t.heap, int):
            return RefType(t.nullable, resolve(t.heap))
        return t

    if composite.__class__ is StructType:
        return StructType(tuple(FieldType(valtype(f.storage), f.mutable) for f in composite.fields))
    if composite.__class__ is ArrayType:
        return ArrayType(FieldType(valtype(composite.field.storage), composite.field.mutable))
    return FuncType(tuple(valtype(t) for t in composite.params), tuple(valtype(t) for t in composite.results))


def function_type(function_type: FuncType) -> DefinedType:
    """The canonical type of a final function type alone in its group (a host function's), whose
    references name canonical types or abstract heaps."""
    return canonical_types([function_type])[0]


def heap_matches(heap1: Any, heap2: Any, defined: Sequence[DefinedType] = ()) -> bool:
    """Whether heap type ``heap1`` is a subtype of ``heap2``: each an abstract heap (a negative int), a
    type index (into ``defined``, the module's canonical types) or a :class:`DefinedType`."""
    if heap1.__class__ is int and heap1 >= 0:
        heap1 = defined[heap1]
    if heap2.__class__ is int and heap2 >= 0:
        heap2 = defined[heap2]
    if heap1 is heap2:
        return True
    if heap1.__class__ is DefinedType:
        if heap2.__class__ is DefinedType:
            return bool(heap1.is_subtype_of(heap2))
        return abstract_heap_subtype(heap1.kind, heap2)
    if heap2.__class__ is DefinedType:
        return bool(heap1 == bottom_heap(heap2.composite))
    return abstract_heap_subtype(heap1, heap2)


def value_matches(actual: Any, expected: Any, defined: Sequence[DefinedType] = ()) -> bool:
    """Whether value type ``actual`` is a subtype of ``expected`` (type indices into ``defined``)."""
    if actual == expected:
        return True
    ref1 = as_ref(actual)
    ref2 = as_ref(expected)
    if ref1 is None or ref2 is None:
        return False
    if ref1.nullable and not ref2.nullable:
        return False
    return heap_matches(ref1.heap, ref2.heap, defined)


def canonical_valtype(valtype: Any, defined: Sequence[DefinedType]) -> Any:
    """A value type of a module with its type index replaced by the canonical type."""
    if valtype.__class__ is RefType and valtype.heap.__class__ is int and 0 <= valtype.heap < len(defined):
        return RefType(valtype.nullable, defined[valtype.heap])
    return valtype


def top_heap(heap: Any) -> int:
    """The top of a heap type's hierarchy (any, func, extern or exn)."""
    if heap.__class__ is DefinedType:
        return HEAP_FUNC if heap.kind == HEAP_FUNC else HEAP_ANY
    return top_abstract_heap(heap)
