"""Globals (spec: *global instance*): a type and a value the engine reads and writes directly."""

from __future__ import annotations

from typing import Any

from wasmrun.types import GlobalType


class GlobalInstance:
    # Slots: the engine reads and writes ``value`` in its hot paths.
    __slots__ = ("type", "value")

    type: GlobalType
    value: Any  # in the runtime's representation for ``type.valtype`` (see wasmrun.values)

    def __init__(self, global_type: GlobalType, value: Any) -> None:
        self.type = global_type
        self.value = value

    def __repr__(self) -> str:
        mutability = "mut " if self.type.mutable else ""
        return f"<GlobalInstance {mutability}{self.type.valtype.text} = {self.value!r}>"
