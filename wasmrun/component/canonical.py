"""Canonical definitions (``Binary.md``, ``canon``): lift, lower, the resource built-ins and the others.

``lift`` makes a component function; every other canonical definition makes a core function.  The
built-ins of the async, error-context and threading proposals are one generic record,
:class:`CanonicalBuiltin`, holding the opcode's name and its immediates, so that later stages can
say which one is not supported.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class StringEncoding(enum.Enum):
    UTF8 = "utf8"
    UTF16 = "utf16"
    LATIN1_UTF16 = "latin1+utf16"


@dataclass(frozen=True, slots=True)
class CanonicalOption:
    """One ``canonopt``: ``name`` as the text format writes it (``string-encoding=utf8``, ``memory``,
    ``realloc``, ``post-return``, ``async``, ``callback``) and its index, when it has one."""

    name: str
    index: int | None = None
    offset: int = field(default=0, compare=False)


STRING_ENCODING_OPTIONS = {f"string-encoding={encoding.value}": encoding for encoding in StringEncoding}


@dataclass(frozen=True, slots=True)
class CanonicalOptions:
    """``opts``: the options in order, duplicates kept (validation refuses duplicates and conflicts)."""

    items: tuple[CanonicalOption, ...] = ()

    def _index(self, name: str) -> int | None:
        for option in self.items:
            if option.name == name:
                return option.index
        return None

    @property
    def string_encoding(self) -> StringEncoding:
        """The first string encoding given; utf8 when none is."""
        for option in self.items:
            encoding = STRING_ENCODING_OPTIONS.get(option.name)
            if encoding is not None:
                return encoding
        return StringEncoding.UTF8

    @property
    def memory(self) -> int | None:
        return self._index("memory")

    @property
    def realloc(self) -> int | None:
        return self._index("realloc")

    @property
    def post_return(self) -> int | None:
        return self._index("post-return")

    @property
    def is_async(self) -> bool:
        return any(option.name == "async" for option in self.items)

    @property
    def callback(self) -> int | None:
        return self._index("callback")


@dataclass(frozen=True, slots=True)
class Lift:
    """``(canon lift core_func opts (type t))``: a component function of type ``type``."""

    core_func: int
    options: CanonicalOptions
    type: int
    offset: int = field(default=0, compare=False)

    name = "lift"


@dataclass(frozen=True, slots=True)
class Lower:
    """``(canon lower func opts (core func))``."""

    func: int
    options: CanonicalOptions
    offset: int = field(default=0, compare=False)

    name = "lower"


@dataclass(frozen=True, slots=True)
class ResourceNew:
    resource: int  # a type index
    offset: int = field(default=0, compare=False)

    name = "resource.new"


@dataclass(frozen=True, slots=True)
class ResourceDrop:
    resource: int
    offset: int = field(default=0, compare=False)

    name = "resource.drop"


@dataclass(frozen=True, slots=True)
class ResourceRep:
    resource: int
    offset: int = field(default=0, compare=False)

    name = "resource.rep"


@dataclass(frozen=True, slots=True)
class CanonicalBuiltin:
    """Any other ``canon`` built-in (``task.return``, ``stream.read``, ``thread.yield`` ...).

    ``immediates`` are ``(name, value)`` pairs in binary order: ``type`` (a type index), ``result``
    (a value type or None), ``valtype`` (a core value type), ``index``, ``async``, ``cancellable``,
    ``shared`` (booleans), ``memory``, ``core type``, ``table`` (indices).
    """

    name: str
    opcode: int
    immediates: tuple[tuple[str, Any], ...] = ()
    options: CanonicalOptions | None = None
    offset: int = field(default=0, compare=False)

    def immediate(self, name: str) -> Any:
        for key, value in self.immediates:
            if key == name:
                return value
        return None


CanonicalFunction = Lift | Lower | ResourceNew | ResourceDrop | ResourceRep | CanonicalBuiltin

# The immediates of each built-in after its opcode, by kind (see ``CanonicalBuiltin``); "options" is
# an ``opts`` vector, "result" a ``resultlist``.
BUILTINS: dict[int, tuple[str, tuple[str, ...]]] = {
    0x24: ("backpressure.inc", ()),
    0x25: ("backpressure.dec", ()),
    0x09: ("task.return", ("result", "options")),
    0x05: ("task.cancel", ()),
    0x0A: ("context.get", ("valtype", "index")),
    0x0B: ("context.set", ("valtype", "index")),
    0x06: ("subtask.cancel", ("async",)),
    0x0D: ("subtask.drop", ()),
    0x0E: ("stream.new", ("type",)),
    0x0F: ("stream.read", ("type", "options")),
    0x10: ("stream.write", ("type", "options")),
    0x11: ("stream.cancel-read", ("type", "async")),
    0x12: ("stream.cancel-write", ("type", "async")),
    0x13: ("stream.drop-readable", ("type",)),
    0x14: ("stream.drop-writable", ("type",)),
    0x15: ("future.new", ("type",)),
    0x16: ("future.read", ("type", "options")),
    0x17: ("future.write", ("type", "options")),
    0x18: ("future.cancel-read", ("type", "async")),
    0x19: ("future.cancel-write", ("type", "async")),
    0x1A: ("future.drop-readable", ("type",)),
    0x1B: ("future.drop-writable", ("type",)),
    0x1C: ("error-context.new", ("options",)),
    0x1D: ("error-context.debug-message", ("options",)),
    0x1E: ("error-context.drop", ()),
    0x1F: ("waitable-set.new", ()),
    0x20: ("waitable-set.wait", ("cancellable", "memory")),
    0x21: ("waitable-set.poll", ("cancellable", "memory")),
    0x22: ("waitable-set.drop", ()),
    0x23: ("waitable.join", ()),
    0x26: ("thread.index", ()),
    0x27: ("thread.new-indirect", ("core type", "table")),
    0x28: ("thread.resume-later", ()),
    0x29: ("thread.suspend", ("cancellable",)),
    0x0C: ("thread.yield", ("cancellable",)),
    0x2A: ("thread.suspend-then-resume", ("cancellable",)),
    0x2B: ("thread.yield-then-resume", ("cancellable",)),
    0x2C: ("thread.suspend-then-promote", ("cancellable",)),
    0x2D: ("thread.yield-then-promote", ("cancellable",)),
    0x40: ("thread.spawn-ref", ("shared", "core type")),
    0x41: ("thread.spawn-indirect", ("shared", "core type", "table")),
    0x42: ("thread.available-parallelism", ("shared",)),
}
"""``canon`` opcodes other than lift (0x00), lower (0x01) and resource.new/drop/rep (0x02-0x04)."""
