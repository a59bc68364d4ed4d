"""Globals (spec: *global instance*): a type and a value the engine reads and writes directly."""

from __future__ import annotations

from typing import Any

from wasmrun.errors import WasmError
from wasmrun.types import GlobalType

IMMUTABLE_GLOBAL = "immutable global cannot be set"  # Wasmtime's text


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

    def set(self, value: Any) -> None:
        """Set the value from the host: refused (WasmError) on an immutable global, which only its
        initialiser sets (the engine writes ``value`` directly, and only validated ``global.set`` does)."""
        if not self.type.mutable:
            raise WasmError(IMMUTABLE_GLOBAL)
        self.value = value
