"""WASI 0.2 interfaces declared in WIT's own words: named types, resources, and function signatures.

Each interface module (:mod:`.streams`, :mod:`.filesystem`, ...) makes one :class:`Interface`, names its
types (records, enums, flags, variants, aliases) in it, and declares each function with its WIT
signature text, copied from the WIT files, for instance::

    @STREAMS.function("[method]input-stream.read", "func(len: u64) -> result<list<u8>, stream-error>")
    def read(host, stream, length): ...

The signature is parsed here into a resolved :class:`~wasmrun.component.types.FuncType` (a method
gets its implicit ``self: borrow<R>`` first).  Only WIT's type expressions are parsed (primitives,
``list``, ``option``, ``result``, ``tuple``, ``borrow``, ``own`` and names); the named types
themselves are built as :mod:`wasmrun.component.types` records by the interface module.

Interface names: ``wasi:io/streams@0.2.12`` is looked up by package and interface, any 0.2.x
version (as Wasmtime matches semver-compatible imports); 0.3, 1.x and pre-releases are not WASI 0.2.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wasmrun.component.types import (
    BorrowType,
    FuncType,
    ListType,
    OptionType,
    OwnType,
    Primitive,
    ResourceType,
    ResultType,
    TupleType,
    ValueType,
)
from wasmrun.errors import WasmError

Named = ValueType | ResourceType
Implementation = Callable[..., Any]  # (host, *arguments) -> result

_PRIMITIVES = {primitive.value: primitive for primitive in Primitive}
_TOKEN = re.compile(r"\s*(->|%?[a-z][a-z0-9-]*|[<>(),:_])")
_VERSION = re.compile(r"0\.2\.(0|[1-9][0-9]*)")
_INTERFACE = re.compile(r"([a-z][a-z0-9-]*:[a-z][a-z0-9-]*)/([a-z][a-z0-9-]*)@(.+)")


class SignatureError(WasmError):
    """A WIT signature this module cannot read (a bug in an interface module, found at import)."""


def release(representation: Any) -> None:
    """The destructor of every host resource: the representation releases what it holds."""
    close = getattr(representation, "close", None)
    if close is not None:
        close()


@dataclass(frozen=True, slots=True)
class HostFunction:
    """A WASI 0.2 function bound to one host: its component type and the Python callable.

    ``call`` takes and returns component values as :mod:`wasmrun.component.types` describes them.
    """

    interface: str
    name: str
    type: FuncType
    call: Callable[..., Any]

    def __call__(self, *arguments: Any) -> Any:
        return self.call(*arguments)


class Interface:
    """One WIT interface (``wasi:io/streams``): its named types and resources, and its functions."""

    def __init__(self, package: str, name: str) -> None:
        self.package = package
        self.name = name
        self.types: dict[str, Named] = {}
        self.functions: dict[str, tuple[FuncType, Implementation]] = {}

    @property
    def qualified_name(self) -> str:
        return f"{self.package}/{self.name}"

    def __repr__(self) -> str:
        return f"<interface {self.qualified_name}>"

    def define(self, name: str, value: Named) -> Any:
        """Name a type of this interface (a ``type``, ``record``, ``enum``... definition)."""
        self.types[name] = value
        return value

    def resource(self, name: str) -> ResourceType:
        """Define the resource ``name``: its destructor releases the host object that represents it."""
        resource = ResourceType(name, release, host=True)
        self.types[name] = resource
        self.functions[f"[resource-drop]{name}"] = (
            FuncType((("self", OwnType(resource)),), None),
            lambda host, representation: release(representation),
        )
        return resource

    def use(self, other: Interface, *names: str) -> None:
        """WIT's ``use other.{names}``: the same types, under the same names."""
        for name in names:
            self.types[name] = other.types[name]
            drop = other.functions.get(f"[resource-drop]{name}")
            if drop is not None:  # (a used resource can be dropped through either interface)
                self.functions[f"[resource-drop]{name}"] = drop

    def resource_type(self, name: str) -> ResourceType | None:
        found = self.types.get(name)
        return found if isinstance(found, ResourceType) else None

    def function(self, name: str, signature: str) -> Callable[[Implementation], Implementation]:
        """Declare the function ``name`` (as named in component binaries) with its WIT signature."""
        function_type = parse_signature(signature, self.types, _self_resource(name, self.types))

        def register(implementation: Implementation) -> Implementation:
            self.functions[name] = (function_type, implementation)
            return implementation

        return register


def _self_resource(name: str, scope: dict[str, Named]) -> ResourceType | None:
    """The resource of a ``[method]R.f`` (its implicit ``self``), None for any other function."""
    if not name.startswith("[method]"):
        return None
    resource = scope.get(name[len("[method]") :].partition(".")[0])
    if not isinstance(resource, ResourceType):
        raise SignatureError(f"{name}: no such resource")
    return resource


# -- WIT type expressions ---------------------------------------------------------------------


class _Tokens:
    def __init__(self, text: str) -> None:
        self.text = text
        self.items: list[str] = []
        position = 0
        while position < len(text.rstrip()):
            match = _TOKEN.match(text, position)
            if match is None:
                raise SignatureError(f"cannot read {text!r} at {position}")
            self.items.append(match.group(1))
            position = match.end()
        self.position = 0

    def peek(self) -> str | None:
        return self.items[self.position] if self.position < len(self.items) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise SignatureError(f"{self.text!r}: expected {expected or 'more'}, found {token!r}")
        self.position += 1
        return token


def _name(token: str) -> str:
    return token.removeprefix("%")


def _type(tokens: _Tokens, scope: dict[str, Named]) -> ValueType:
    word = tokens.take()
    if word in _PRIMITIVES:
        return _PRIMITIVES[word]
    if word == "result":
        if tokens.peek() != "<":
            return ResultType(None, None)
        tokens.take("<")
        ok = None if tokens.peek() == "_" and tokens.take() else _type(tokens, scope)
        error = _type(tokens, scope) if tokens.peek() == "," and tokens.take() else None
        tokens.take(">")
        return ResultType(ok, error)
    if word in ("list", "option", "borrow", "own", "tuple"):
        tokens.take("<")
        arguments = [_type(tokens, scope)]
        while tokens.peek() == ",":
            tokens.take()
            arguments.append(_type(tokens, scope))
        tokens.take(">")
        if word == "tuple":
            return TupleType(tuple(arguments))
        (argument,) = arguments
        if word == "list":
            return ListType(argument, None)
        if word == "option":
            return OptionType(argument)
        if not isinstance(argument, OwnType):
            raise SignatureError(f"{tokens.text!r}: {word}<> of a non-resource")
        return BorrowType(argument.resource) if word == "borrow" else argument
    found = scope.get(_name(word))
    if found is None:
        raise SignatureError(f"{tokens.text!r}: unknown type {word!r}")
    return OwnType(found) if isinstance(found, ResourceType) else found


def parse_type(text: str, scope: dict[str, Named]) -> ValueType:
    """One WIT type expression, its names looked up in ``scope``."""
    tokens = _Tokens(text)
    result = _type(tokens, scope)
    if tokens.peek() is not None:
        raise SignatureError(f"{text!r}: unexpected {tokens.peek()!r}")
    return result


def parse_signature(text: str, scope: dict[str, Named], self_resource: ResourceType | None = None) -> FuncType:
    """A WIT ``func(name: type, ...) -> type``; ``self_resource`` adds a method's ``self`` first."""
    tokens = _Tokens(text)
    tokens.take("func")
    tokens.take("(")
    params: list[tuple[str, ValueType]] = []
    if self_resource is not None:
        params.append(("self", BorrowType(self_resource)))
    while tokens.peek() != ")":
        if len(params) > (self_resource is not None):
            tokens.take(",")
        name = _name(tokens.take())
        tokens.take(":")
        params.append((name, _type(tokens, scope)))
    tokens.take(")")
    result = None
    if tokens.peek() == "->":
        tokens.take()
        result = _type(tokens, scope)
    if tokens.peek() is not None:
        raise SignatureError(f"{text!r}: unexpected {tokens.peek()!r}")
    return FuncType(tuple(params), result)


# -- interface names ---------------------------------------------------------------------------


def split_interface_name(text: str) -> str | None:
    """``wasi:io/streams`` for ``wasi:io/streams@0.2.N`` (any N); None for any other version or form."""
    match = _INTERFACE.fullmatch(text)
    if match is None or _VERSION.fullmatch(match.group(3)) is None:
        return None
    return f"{match.group(1)}/{match.group(2)}"
