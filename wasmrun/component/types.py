"""Component Model types, resolved (Component Model ``Explainer.md``, Type Definitions).

What the canonical ABI, the WASI 0.2 host, ``--invoke`` and the embedding API
agree on.  The binary decoder reads type *indices*; resolving them gives these
structures, in which every value type is complete (no index left), so the
canonical ABI can compute sizes, alignments and flattenings from them alone.

Value types:

* the primitives are the :class:`Primitive` members (``bool``, ``s8`` ...
  ``f64``, ``char``, ``string``, and ``error-context``);
* the compound ones are the records below (:class:`RecordType`,
  :class:`VariantType`, :class:`ListType`, :class:`TupleType`,
  :class:`FlagsType`, :class:`EnumType`, :class:`OptionType`,
  :class:`ResultType`, :class:`MapType`, :class:`OwnType`,
  :class:`BorrowType`).

A :class:`ResourceType` is not a structural type: each ``(type (resource
...))`` definition, and each instantiation of a component that defines one,
makes a new type, so resource types compare by identity.

Python values for component values (the one representation every part uses):

========================  ==================================================
type                      Python value
========================  ==================================================
bool                      ``bool``
s8 ... u64                ``int``
f32, f64                  ``float``
char                      ``str`` of length 1
string                    ``str``
list<T>                   ``list`` (``list<u8>``: ``bytes``; lowering takes
                          any bytes-like value or a list of ints too)
record                    ``dict`` from field name to value, in field order
tuple<...>                ``tuple``
variant                   :class:`Variant` (case name, payload or ``None``)
enum                      ``str`` (the case name)
option<T>                 ``None`` or the value; :class:`Some` wraps it only
                          when ``T`` is itself an option (``some(none)``)
result<T, E>              :class:`Ok` or :class:`Err` (payload or ``None``)
flags                     ``frozenset`` of the names that are set
map<K, V>                 ``list`` of ``(key, value)`` tuples, in the order
                          of the entries in memory, a repeated key kept
                          (lowering takes any mapping too: its items)
own<R>, borrow<R>         the resource's representation (see
                          :mod:`wasmrun.component_runtime`)
========================  ==================================================

A map is its expansion, ``list<tuple<K, V>>`` (``Explainer.md``: the Component Model
guarantees neither unique keys nor an order), so a value passes from one component to
another exactly as it was.  The embedding API gives its host a ``dict`` instead
(:mod:`wasmrun.component_values`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Primitive(enum.Enum):
    """A primitive value type, valued by its name in WIT and the text format."""

    BOOL = "bool"
    S8 = "s8"
    U8 = "u8"
    S16 = "s16"
    U16 = "u16"
    S32 = "s32"
    U32 = "u32"
    S64 = "s64"
    U64 = "u64"
    F32 = "f32"
    F64 = "f64"
    CHAR = "char"
    STRING = "string"
    ERROR_CONTEXT = "error-context"

    def __repr__(self) -> str:
        return self.value

    __str__ = __repr__


INTEGER_RANGES: dict[Primitive, tuple[int, int]] = {
    Primitive.S8: (-(2**7), 2**7 - 1),
    Primitive.U8: (0, 2**8 - 1),
    Primitive.S16: (-(2**15), 2**15 - 1),
    Primitive.U16: (0, 2**16 - 1),
    Primitive.S32: (-(2**31), 2**31 - 1),
    Primitive.U32: (0, 2**32 - 1),
    Primitive.S64: (-(2**63), 2**63 - 1),
    Primitive.U64: (0, 2**64 - 1),
}
"""The values each integer type holds."""


class ResourceType:
    """A resource type: a new one for each definition (and each instance of a component defining one).

    ``name`` is for messages only.  ``destructor``, when set, is called with the representation of a
    resource whose last owning handle is dropped (a core function for a guest-defined type, a Python
    callable for a host-defined one).  ``host`` marks a type the host implements: its representations
    are Python objects, never seen by the guest.
    """

    __slots__ = ("destructor", "host", "name")

    def __init__(self, name: str = "", destructor: Any = None, *, host: bool = False) -> None:
        self.name = name
        self.destructor = destructor
        self.host = host

    def __repr__(self) -> str:
        return f"<resource {self.name or '?'} at {id(self):#x}>"


@dataclass(frozen=True, slots=True)
class RecordType:
    fields: tuple[tuple[str, ValueType], ...]


@dataclass(frozen=True, slots=True)
class VariantType:
    cases: tuple[tuple[str, ValueType | None], ...]


@dataclass(frozen=True, slots=True)
class ListType:
    element: ValueType
    length: int | None  # a fixed-length list's length (a later proposal), else None


@dataclass(frozen=True, slots=True)
class TupleType:
    elements: tuple[ValueType, ...]


@dataclass(frozen=True, slots=True)
class FlagsType:
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EnumType:
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OptionType:
    value: ValueType


@dataclass(frozen=True, slots=True)
class ResultType:
    ok: ValueType | None
    error: ValueType | None


@dataclass(frozen=True, slots=True)
class MapType:
    """``map<K, V>`` (🗺️): the key type (the spec's ``keytype``: ``bool``, an integer type, ``char`` or
    ``string``) and the value type."""

    key: ValueType
    value: ValueType


@dataclass(frozen=True, slots=True)
class OwnType:
    resource: ResourceType


@dataclass(frozen=True, slots=True)
class BorrowType:
    resource: ResourceType


ValueType = (
    Primitive
    | RecordType
    | VariantType
    | ListType
    | TupleType
    | FlagsType
    | EnumType
    | OptionType
    | ResultType
    | MapType
    | OwnType
    | BorrowType
)


@dataclass(frozen=True, slots=True)
class FuncType:
    """A component function type: named parameters and at most one result; ``is_async`` for a
    ``(func async ...)`` (one whose calls may block)."""

    params: tuple[tuple[str, ValueType], ...]
    result: ValueType | None
    is_async: bool = False


# --- Python values of the types without a Python equivalent ---------------------------------------


@dataclass(frozen=True, slots=True)
class Variant:
    """A variant value: its case's name and payload (``None`` for a case without one)."""

    case: str
    value: Any


@dataclass(frozen=True, slots=True)
class Some:
    """``some(value)`` of an ``option<option<...>>`` (where ``None`` alone would be ambiguous)."""

    value: Any


@dataclass(frozen=True, slots=True)
class Ok:
    value: Any


@dataclass(frozen=True, slots=True)
class Err:
    value: Any
