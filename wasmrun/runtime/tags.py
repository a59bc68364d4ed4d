"""Exception tags and exception instances (exception handling, spec 4.2.14-4.2.15).

A :class:`TagInstance` is an exception tag: its identity is the object itself (two tags of the same
type are different tags), its type a function type whose parameters are the payload.  An
:class:`ExceptionInstance` is what ``throw`` makes and an ``exnref`` refers to: the tag and the
payload values.  A thrown exception travels as :class:`wasmrun.errors.WasmException`, which holds it.
"""

from __future__ import annotations

from typing import Any

from wasmrun.deftypes import DefinedType
from wasmrun.deftypes import function_type as canonical_function_type
from wasmrun.types import FuncType


class TagInstance:
    """An exception tag (spec: *tag instance*)."""

    __slots__ = ("type",)

    def __init__(self, tag_type: DefinedType | FuncType) -> None:
        # A host's tag may be given its payload's FuncType: its canonical type, as a module's tags have.
        self.type = tag_type if isinstance(tag_type, DefinedType) else canonical_function_type(tag_type)

    def __repr__(self) -> str:
        return f"<TagInstance {self.type}>"


class ExceptionInstance:
    """A thrown exception (spec: *exception instance*): the value of a non-null ``exnref``."""

    __slots__ = ("payload", "tag")

    def __init__(self, tag: TagInstance, payload: list[Any]) -> None:
        self.tag = tag
        self.payload = payload

    def __repr__(self) -> str:
        return f"<ExceptionInstance {self.tag.type} {self.payload}>"
