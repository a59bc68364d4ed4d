"""Component values between an embedder's Python code and the canonical ABI, checked on the way in.

The canonical ABI (:mod:`wasmrun.component_runtime`) lifts and lowers the Python values of
:mod:`wasmrun.component.types` and trusts them.  The embedding API puts this module in front of it:

* :func:`to_guest` compiles, once per value type, a converter that checks a value the embedder
  gives (an argument of an exported function, the result of a host function) and returns it as the
  ABI takes it.  A value that is not one of the type raises :class:`TypeError` (the wrong kind of
  Python value) or :class:`ValueError` (the right kind, but not a value of the type: an integer out
  of range, an unknown case or flag, a missing field), saying where in the value and what was
  expected (``field `x`: expected an int for s32, got str 'a'``), before anything is lowered.
  It accepts a little more than the ABI's values: a record may be any mapping or an object with the
  fields as attributes (``-`` written ``_``), a tuple or list any sequence, flags any iterable of
  names, a map any mapping or sequence of ``(key, value)`` pairs.
* :func:`from_guest` compiles the reverse (None when the ABI's value is already the embedder's):
  a resource of a guest-defined type becomes a :class:`ResourceAny`, each record, if the
  embedder asked, goes through a record factory, and a map becomes a ``dict``.

Maps: the canonical ABI passes a map as the list of ``(key, value)`` pairs it is (duplicate keys and
order kept, :mod:`wasmrun.component.types`).  The host gets a ``dict``, as WIT asks of bindings: for a
key given twice the last value wins (at the place of the first).  The spec's key types (``bool``, the
integers, ``char``, ``string``) are all hashable; a map whose key type is another one (which the
validators accept, as wasm-tools does) stays a list of pairs, since its keys may not be hashable.
A sequence of pairs given to the guest goes as it is, so a host can pass a repeated key or choose the
order.

Resources: a resource type the host defines (``ResourceType(..., host=True)``) has Python objects
as representations, and the embedder passes and receives those objects themselves.  A resource of
a guest-defined type reaches the host as a :class:`ResourceAny`: an owned one (an ``own`` result)
is the host's to pass back (as ``borrow``, or as ``own``, which moves it into the guest) or to
:meth:`~ResourceAny.drop`; a borrowed one (a ``borrow`` argument of a host function) may be used
only until that call returns.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import TracebackType
from typing import Any

from wasmrun.component.types import (
    INTEGER_RANGES,
    BorrowType,
    EnumType,
    Err,
    FlagsType,
    ListType,
    MapType,
    Ok,
    OptionType,
    OwnType,
    Primitive,
    RecordType,
    ResourceType,
    ResultType,
    Some,
    TupleType,
    ValueType,
    Variant,
    VariantType,
)
from wasmrun.errors import UnsupportedInstruction

ToGuest = Callable[[Any, list["ResourceAny"]], Any]
"""A checking converter: the value and the list collecting owned resources it moves into the guest."""
FromGuest = Callable[[Any, list["ResourceAny"]], Any]
"""A converter of lifted values: the value and the list collecting the borrows it lends the host."""
RecordFactory = Callable[[dict[str, Any]], Any]

_CACHE_SIZE = 1024


class ResourceAny:
    """A resource of a guest-defined type, held by the host (wasmtime-py's ``ResourceAny``).

    ``type`` is its :class:`ResourceType`; ``owned`` says whether the host owns it (an ``own``
    result) rather than borrowing it for the length of a host call.  Pass it back as an argument of
    type ``borrow`` (any number of times) or ``own`` (once: it moves into the guest), or
    :meth:`drop` it (``with`` drops it on exit).
    """

    __slots__ = ("_state", "rep", "type")

    _OWNED, _BORROWED, _MOVED, _DROPPED, _ENDED = "owned", "borrowed", "moved", "dropped", "ended"

    def __init__(self, resource_type: ResourceType, rep: Any, owned: bool) -> None:
        self.type = resource_type
        self.rep = rep
        self._state = self._OWNED if owned else self._BORROWED

    def __repr__(self) -> str:
        return f"<ResourceAny {self.type.name or '?'} rep={self.rep!r} {self._state}>"

    @property
    def owned(self) -> bool:
        """Whether the host owns the resource (and may drop it or move it into the guest)."""
        return self._state == self._OWNED

    def drop(self, store: object = None) -> None:
        """Destroy the resource: its type's destructor runs in the guest (a :class:`Trap` if it traps).

        ``store`` is accepted for wasmtime-py's call shape and not needed.  A resource the host does
        not own (a borrow, or one moved into the guest or dropped already) raises :class:`ValueError`.
        """
        self._check(own=True)
        self._state = self._DROPPED
        from wasmrun.component_runtime.resources import destroy

        destroy(self.type, self.rep)

    def __enter__(self) -> ResourceAny:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._state == self._OWNED:
            self.drop()

    def _check(self, own: bool) -> None:
        state = self._state
        if state == self._OWNED or (state == self._BORROWED and not own):
            return
        what = f"resource `{self.type.name or '?'}`"
        if state == self._BORROWED:
            raise ValueError(f"{what} is borrowed: the host cannot give or drop what it does not own")
        if state == self._ENDED:
            raise ValueError(f"{what} was borrowed for a host call that has returned")
        raise ValueError(f"{what} was {state} already")

    def _moved(self) -> None:
        self._state = self._MOVED

    def _ended(self) -> None:
        self._state = self._ENDED


def moved(resources: list[ResourceAny]) -> None:
    """Resources given as ``own`` to a call that has started: they are the guest's now."""
    for resource in resources:
        resource._moved()


def ended(resources: list[ResourceAny]) -> None:
    """Borrows lent to a host call that has returned: no longer usable."""
    for resource in resources:
        resource._ended()


# -- errors ----------------------------------------------------------------------------------------


def show(value: Any) -> str:
    """A value in a message: its type and a short repr."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def within(label: str, error: TypeError | ValueError) -> TypeError | ValueError:
    """``error`` with where it happened in front (the same class, TypeError or ValueError)."""
    kind = TypeError if isinstance(error, TypeError) else ValueError
    return kind(f"{label}: {error}")


def type_name(value_type: ValueType | None) -> str:
    """A type as WIT writes it, shortly (for messages)."""
    if value_type is None:
        return "nothing"
    if isinstance(value_type, Primitive):
        return value_type.value
    if isinstance(value_type, ListType):
        return f"list<{type_name(value_type.element)}>"
    if isinstance(value_type, OptionType):
        return f"option<{type_name(value_type.value)}>"
    if isinstance(value_type, ResultType):
        return f"result<{type_name(value_type.ok)}, {type_name(value_type.error)}>"
    if isinstance(value_type, TupleType):
        return f"tuple<{', '.join(type_name(element) for element in value_type.elements)}>"
    if isinstance(value_type, OwnType | BorrowType):
        kind = "own" if isinstance(value_type, OwnType) else "borrow"
        return f"{kind}<{value_type.resource.name or 'resource'}>"
    if isinstance(value_type, RecordType):
        return f"record {{{', '.join(name for name, _type in value_type.fields)}}}"
    if isinstance(value_type, VariantType):
        return f"variant {{{', '.join(name for name, _type in value_type.cases)}}}"
    if isinstance(value_type, EnumType):
        return f"enum {{{', '.join(value_type.names)}}}"
    if isinstance(value_type, FlagsType):
        return f"flags {{{', '.join(value_type.names)}}}"
    if isinstance(value_type, MapType):
        return f"map<{type_name(value_type.key)}, {type_name(value_type.value)}>"
    return str(value_type)


# -- to the guest ----------------------------------------------------------------------------------


def _integer(primitive: Primitive) -> ToGuest:
    low, high = INTEGER_RANGES[primitive]

    def convert(value: Any, moves: list[ResourceAny]) -> int:
        if type(value) is not int:
            if isinstance(value, bool) or not hasattr(value, "__index__"):
                raise TypeError(f"expected an int for {primitive}, got {show(value)}")
            value = operator.index(value)
        if not low <= value <= high:
            raise ValueError(f"{value} is out of range for {primitive} ({low} to {high})")
        return value

    return convert


def _float(primitive: Primitive) -> ToGuest:
    def convert(value: Any, moves: list[ResourceAny]) -> float:
        if type(value) is float:
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"expected a float for {primitive}, got {show(value)}")
        return float(value)

    return convert


def _bool(value: Any, moves: list[ResourceAny]) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a bool, got {show(value)}")
    return value


def _char(value: Any, moves: list[ResourceAny]) -> str:
    if not isinstance(value, str) or len(value) != 1:
        raise TypeError(f"expected a str of one character for a char, got {show(value)}")
    if 0xD800 <= ord(value) <= 0xDFFF:
        raise ValueError(f"{value!r} is a surrogate, not a Unicode scalar value")
    return str(value)


def _string(value: Any, moves: list[ResourceAny]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a str for a string, got {show(value)}")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValueError(f"the string has a lone surrogate at index {error.start}") from None
    return str(value)


def _primitive(primitive: Primitive) -> ToGuest:
    if primitive in INTEGER_RANGES:
        return _integer(primitive)
    if primitive in (Primitive.F32, Primitive.F64):
        return _float(primitive)
    if primitive is Primitive.BOOL:
        return _bool
    if primitive is Primitive.CHAR:
        return _char
    if primitive is Primitive.STRING:
        return _string
    raise UnsupportedInstruction(f"values of type {primitive} are not supported")


def _sequence(value: Any, what: str) -> list[Any] | tuple[Any, ...]:
    if isinstance(value, list | tuple):
        return value
    if isinstance(value, str | bytes | bytearray | Mapping | set | frozenset) or not hasattr(value, "__len__"):
        raise TypeError(f"expected a list for a {what}, got {show(value)}")
    try:
        return list(value)
    except TypeError:
        raise TypeError(f"expected a list for a {what}, got {show(value)}") from None


def _byte_list(value: Any, moves: list[ResourceAny]) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    items = _sequence(value, "list<u8>")
    if all(type(item) is int for item in items) and (not items or (min(items) >= 0 and max(items) <= 255)):
        return bytes(items)
    element = _integer(Primitive.U8)
    for index, item in enumerate(items):
        try:
            element(item, moves)
        except (TypeError, ValueError) as error:
            raise within(f"element {index}", error) from None
    return bytes(items)


def _list(list_type: ListType) -> ToGuest:
    element_type = list_type.element
    if element_type is Primitive.U8 and list_type.length is None:
        return _byte_list
    element = to_guest(element_type)
    what = type_name(list_type)
    fast: Callable[[list[Any] | tuple[Any, ...]], bool] | None = None
    if element_type in INTEGER_RANGES:
        low, high = INTEGER_RANGES[element_type]

        def fast_integers(items: list[Any] | tuple[Any, ...]) -> bool:
            return all(type(item) is int for item in items) and (
                not items or (low <= min(items) and max(items) <= high)
            )

        fast = fast_integers
    elif element_type in (Primitive.F32, Primitive.F64):
        fast = _all_floats

    def convert(value: Any, moves: list[ResourceAny]) -> list[Any]:
        items = _sequence(value, what)
        if list_type.length is not None and len(items) != list_type.length:
            raise ValueError(f"expected {list_type.length} elements for a {what}, got {len(items)}")
        if fast is not None and fast(items):
            return list(items)
        converted = []
        for index, item in enumerate(items):
            try:
                converted.append(element(item, moves))
            except (TypeError, ValueError) as error:
                raise within(f"element {index}", error) from None
        return converted

    return convert


def _all_floats(items: list[Any] | tuple[Any, ...]) -> bool:
    return all(type(item) is float for item in items)


_MISSING = object()


def _record(record_type: RecordType) -> ToGuest:
    fields = [(name, name.replace("-", "_"), to_guest(field)) for name, field in record_type.fields]
    names = [name for name, _field in record_type.fields]
    what = type_name(record_type)

    def convert(value: Any, moves: list[ResourceAny]) -> dict[str, Any]:
        converted: dict[str, Any] = {}
        mapping = isinstance(value, Mapping)
        for name, attribute, field in fields:
            if mapping:
                item = value.get(name, _MISSING)
            else:
                item = getattr(value, name, _MISSING)
                if item is _MISSING:
                    item = getattr(value, attribute, _MISSING)
            if item is _MISSING:
                if not mapping and not converted:
                    raise TypeError(f"expected a dict for a {what}, got {show(value)}")
                raise ValueError(f"missing field `{name}` of a {what}")
            try:
                converted[name] = field(item, moves)
            except (TypeError, ValueError) as error:
                raise within(f"field `{name}`", error) from None
        if mapping and len(value) != len(fields):
            unknown = [key for key in value if key not in names]
            raise ValueError(f"unknown field {unknown[0]!r} for a {what}")
        return converted

    return convert


def _tuple(tuple_type: TupleType) -> ToGuest:
    elements = [to_guest(element) for element in tuple_type.elements]
    what = type_name(tuple_type)

    def convert(value: Any, moves: list[ResourceAny]) -> tuple[Any, ...]:
        items = _sequence(value, what)
        if len(items) != len(elements):
            raise ValueError(f"expected {len(elements)} elements for a {what}, got {len(items)}")
        converted = []
        for index, (element, item) in enumerate(zip(elements, items)):
            try:
                converted.append(element(item, moves))
            except (TypeError, ValueError) as error:
                raise within(f"element {index}", error) from None
        return tuple(converted)

    return convert


def _map(map_type: MapType) -> ToGuest:
    key, item = to_guest(map_type.key), to_guest(map_type.value)
    what = type_name(map_type)

    def pairs(value: Any) -> list[Any] | tuple[Any, ...]:
        if isinstance(value, Mapping):
            return list(value.items())
        try:
            return _sequence(value, what)
        except TypeError:
            raise TypeError(
                f"expected a dict or a list of (key, value) pairs for a {what}, got {show(value)}"
            ) from None

    def part(label: str, convert_part: ToGuest, value: Any, moves: list[ResourceAny]) -> Any:
        try:
            return convert_part(value, moves)
        except (TypeError, ValueError) as error:
            raise within(label, error) from None

    def convert(value: Any, moves: list[ResourceAny]) -> list[tuple[Any, Any]]:
        converted = []
        for index, pair in enumerate(pairs(value)):
            if not isinstance(pair, tuple | list):
                raise TypeError(f"entry {index}: expected a (key, value) pair for a {what}, got {show(pair)}")
            if len(pair) != 2:
                raise ValueError(f"entry {index}: expected a (key, value) pair for a {what}, got {len(pair)} elements")
            converted.append(
                (
                    part(f"key of entry {index}", key, pair[0], moves),
                    part(f"value of entry {index}", item, pair[1], moves),
                )
            )
        return converted

    return convert


def _payload(label: str, payload_type: ValueType | None) -> Callable[[Any, list[ResourceAny]], Any]:
    """The converter of a case's payload (a case without one takes only None)."""
    if payload_type is None:

        def nothing(value: Any, moves: list[ResourceAny]) -> None:
            if value is not None:
                raise ValueError(f"{label} has no payload, got {show(value)}")

        return nothing
    convert = to_guest(payload_type)

    def payload(value: Any, moves: list[ResourceAny]) -> Any:
        try:
            return convert(value, moves)
        except (TypeError, ValueError) as error:
            raise within(label, error) from None

    return payload


def _variant(variant_type: VariantType) -> ToGuest:
    cases = {name: _payload(f"case `{name}`", payload) for name, payload in variant_type.cases}
    what = type_name(variant_type)

    def convert(value: Any, moves: list[ResourceAny]) -> Variant:
        if not isinstance(value, Variant):
            raise TypeError(f"expected a Variant for a {what}, got {show(value)}")
        payload = cases.get(value.case) if isinstance(value.case, str) else None
        if payload is None:
            raise ValueError(f"unknown case {value.case!r} of a {what}")
        return Variant(value.case, payload(value.value, moves))

    return convert


def _enum(enum_type: EnumType) -> ToGuest:
    names = frozenset(enum_type.names)
    what = type_name(enum_type)

    def convert(value: Any, moves: list[ResourceAny]) -> str:
        if not isinstance(value, str):
            raise TypeError(f"expected a str (a case name) for an {what}, got {show(value)}")
        if value not in names:
            raise ValueError(f"unknown case {value!r} of an {what}")
        return str(value)

    return convert


def _option(option_type: OptionType) -> ToGuest:
    inner = to_guest(option_type.value)

    def convert(value: Any, moves: list[ResourceAny]) -> Any:
        if value is None:
            return None
        try:
            return Some(inner(value.value if isinstance(value, Some) else value, moves))
        except (TypeError, ValueError) as error:
            raise within("some", error) from None

    return convert


def _result(result_type: ResultType) -> ToGuest:
    ok = _payload("ok", result_type.ok)
    err = _payload("err", result_type.error)
    what = type_name(result_type)

    def convert(value: Any, moves: list[ResourceAny]) -> Ok | Err:
        if isinstance(value, Ok):
            return Ok(ok(value.value, moves))
        if isinstance(value, Err):
            return Err(err(value.value, moves))
        raise TypeError(f"expected Ok(...) or Err(...) for a {what}, got {show(value)}")

    return convert


def _flags(flags_type: FlagsType) -> ToGuest:
    names = frozenset(flags_type.names)
    what = type_name(flags_type)

    def convert(value: Any, moves: list[ResourceAny]) -> frozenset[str]:
        if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
            raise TypeError(f"expected a set of names for a {what}, got {show(value)}")
        given = frozenset(value)
        unknown = sorted(str(name) for name in given - names)
        if unknown:
            raise ValueError(f"unknown flag {unknown[0]!r} of a {what}")
        return given

    return convert


def _resource(handle_type: OwnType | BorrowType) -> ToGuest:
    resource_type = handle_type.resource
    own = isinstance(handle_type, OwnType)
    what = type_name(handle_type)

    def host_defined(value: Any, moves: list[ResourceAny]) -> Any:
        if isinstance(value, ResourceAny):
            raise TypeError(f"expected the host's object for {what}, got {value!r}")
        return value

    def guest_defined(value: Any, moves: list[ResourceAny]) -> Any:
        if not isinstance(value, ResourceAny):
            raise TypeError(f"expected a ResourceAny for {what}, got {show(value)}")
        if value.type is not resource_type:
            raise TypeError(f"expected a resource of type `{resource_type.name}` for {what}, got {value!r}")
        value._check(own)
        if own:
            moves.append(value)
        return value.rep

    return host_defined if resource_type.host else guest_defined


@lru_cache(maxsize=_CACHE_SIZE)
def to_guest(value_type: ValueType) -> ToGuest:
    """The checking converter of ``value_type`` (see the module docstring)."""
    if isinstance(value_type, Primitive):
        return _primitive(value_type)
    if isinstance(value_type, ListType):
        return _list(value_type)
    if isinstance(value_type, RecordType):
        return _record(value_type)
    if isinstance(value_type, TupleType):
        return _tuple(value_type)
    if isinstance(value_type, VariantType):
        return _variant(value_type)
    if isinstance(value_type, EnumType):
        return _enum(value_type)
    if isinstance(value_type, OptionType):
        return _option(value_type)
    if isinstance(value_type, ResultType):
        return _result(value_type)
    if isinstance(value_type, FlagsType):
        return _flags(value_type)
    if isinstance(value_type, MapType):
        return _map(value_type)
    if isinstance(value_type, OwnType | BorrowType):
        return _resource(value_type)
    raise UnsupportedInstruction(f"values of type {value_type} are not supported")


# -- from the guest --------------------------------------------------------------------------------


def _from_list(list_type: ListType, factory: RecordFactory | None) -> FromGuest | None:
    element = from_guest(list_type.element, factory)
    if element is None:
        return None
    return lambda value, lent: [element(item, lent) for item in value]


def _from_record(record_type: RecordType, factory: RecordFactory | None) -> FromGuest | None:
    fields = [(name, from_guest(field, factory)) for name, field in record_type.fields]
    if factory is None and all(convert is None for _name, convert in fields):
        return None

    def convert(value: Any, lent: list[ResourceAny]) -> Any:
        record = {name: value[name] if field is None else field(value[name], lent) for name, field in fields}
        return record if factory is None else factory(record)

    return convert


def _from_tuple(tuple_type: TupleType, factory: RecordFactory | None) -> FromGuest | None:
    elements = [from_guest(element, factory) for element in tuple_type.elements]
    if all(convert is None for convert in elements):
        return None
    return lambda value, lent: tuple(
        item if convert is None else convert(item, lent) for convert, item in zip(elements, value)
    )


def _from_variant(variant_type: VariantType, factory: RecordFactory | None) -> FromGuest | None:
    cases = {name: None if payload is None else from_guest(payload, factory) for name, payload in variant_type.cases}
    if all(convert is None for convert in cases.values()):
        return None

    def convert(value: Variant, lent: list[ResourceAny]) -> Variant:
        payload = cases[value.case]
        return value if payload is None else Variant(value.case, payload(value.value, lent))

    return convert


def _from_option(option_type: OptionType, factory: RecordFactory | None) -> FromGuest | None:
    inner = from_guest(option_type.value, factory)
    if inner is None:
        return None

    def convert(value: Any, lent: list[ResourceAny]) -> Any:
        if value is None:
            return None
        if isinstance(value, Some):
            return Some(inner(value.value, lent))
        return inner(value, lent)

    return convert


def _from_result(result_type: ResultType, factory: RecordFactory | None) -> FromGuest | None:
    ok = None if result_type.ok is None else from_guest(result_type.ok, factory)
    err = None if result_type.error is None else from_guest(result_type.error, factory)
    if ok is None and err is None:
        return None

    def convert(value: Ok | Err, lent: list[ResourceAny]) -> Ok | Err:
        if isinstance(value, Ok):
            return value if ok is None else Ok(ok(value.value, lent))
        return value if err is None else Err(err(value.value, lent))

    return convert


def _from_map(map_type: MapType, factory: RecordFactory | None) -> FromGuest | None:
    key = from_guest(map_type.key, factory)
    item = from_guest(map_type.value, factory)
    if not isinstance(map_type.key, Primitive):  # not one of the spec's key types: keys may be unhashable
        if key is None and item is None:
            return None
        return lambda value, lent: [
            (k if key is None else key(k, lent), v if item is None else item(v, lent)) for k, v in value
        ]
    if item is None:
        return lambda value, lent: dict(value)
    return lambda value, lent: {k: item(v, lent) for k, v in value}


def _from_resource(handle_type: OwnType | BorrowType) -> FromGuest | None:
    resource_type = handle_type.resource
    if resource_type.host:
        return None
    if isinstance(handle_type, OwnType):
        return lambda rep, lent: ResourceAny(resource_type, rep, owned=True)

    def borrowed(rep: Any, lent: list[ResourceAny]) -> ResourceAny:
        resource = ResourceAny(resource_type, rep, owned=False)
        lent.append(resource)
        return resource

    return borrowed


@lru_cache(maxsize=_CACHE_SIZE)
def from_guest(value_type: ValueType, factory: RecordFactory | None = None) -> FromGuest | None:
    """The converter of lifted values of ``value_type`` for the embedder; None if there is nothing to do."""
    if isinstance(value_type, ListType):
        return _from_list(value_type, factory)
    if isinstance(value_type, RecordType):
        return _from_record(value_type, factory)
    if isinstance(value_type, TupleType):
        return _from_tuple(value_type, factory)
    if isinstance(value_type, VariantType):
        return _from_variant(value_type, factory)
    if isinstance(value_type, OptionType):
        return _from_option(value_type, factory)
    if isinstance(value_type, ResultType):
        return _from_result(value_type, factory)
    if isinstance(value_type, MapType):
        return _from_map(value_type, factory)
    if isinstance(value_type, OwnType | BorrowType):
        return _from_resource(value_type)
    return None
