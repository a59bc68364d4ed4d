"""The interpreter's translation of tail calls and typed function references (WebAssembly 3.0).

A mixin of the translator (:mod:`wasmrun.interp.translate`): ``return_call*`` leave the callee and its
arguments at the end of the frame and end the function (the entry performs the call: see
:mod:`wasmrun.interp.machine`), ``call_ref`` is a call through a reference, and ``ref.as_non_null``,
``br_on_null`` and ``br_on_non_null`` test a reference for null.
"""

from __future__ import annotations

from typing import Any

from wasmrun.module import Module
from wasmrun.types import FuncType


class CallTranslation:
    """The translator's methods for tail calls and typed function references (see the module docstring)."""

    # What the translator provides (wasmrun.interp.translate._Translator).
    module: Module
    stack: list[Any]
    base: int
    unreachable: bool
    tail_calls: bool

    def label(self, depth: int) -> Any: ...
    def materialize(self, depth: int) -> None: ...
    def pop(self) -> Any: ...
    def push(self, operand: Any) -> None: ...
    def emit(self, family: str, op: str | None, shape: str, *args: Any) -> Any: ...
    def call(self, function_type: FuncType, family: str, leading: tuple[Any, ...], shape: str | None) -> None: ...
    def conditional_jump(self, ctrl: Any, family: str, op: str | None, operands: list[Any]) -> None: ...

    def op_return_call(self, function_index: int) -> None:
        self.tail_call(self.module.func_type(function_index), "return_call", (function_index,), "")

    def op_return_call_indirect(self, immediate: tuple[int, int]) -> None:
        type_index, table_index = immediate
        index = self.pop()
        self.tail_call(
            self.module.types[type_index], "return_call_indirect", (type_index, table_index, index[1]), index[0]
        )

    def op_call_ref(self, type_index: int) -> None:
        reference = self.pop()
        self.call(self.module.types[type_index], "call_ref", (reference[1],), reference[0])

    def op_return_call_ref(self, type_index: int) -> None:
        reference = self.pop()
        self.tail_call(self.module.types[type_index], "return_call_ref", (reference[1],), reference[0])

    def op_ref_as_non_null(self, _immediate: None) -> None:
        reference = self.stack[-1]
        self.emit("null_check", None, reference[0], reference[1])

    def op_br_on_null(self, depth: int) -> None:
        reference = self.pop()
        self.conditional_jump(self.label(depth), "br_if.unop", "ref.is_null", [reference])
        self.push(reference)

    def op_br_on_non_null(self, depth: int) -> None:
        reference = self.stack[-1]
        self.conditional_jump(self.label(depth), "br_unless.unop", "ref.is_null", [reference])
        self.pop()

    def tail_call(self, function_type: FuncType, family: str, leading: tuple[Any, ...], shape: str) -> None:
        """A ``return_call*``: the callee and its arguments appended to the frame, and the function ends."""
        nparams = len(function_type.params)
        height = len(self.stack)
        for depth in range(height - nparams, height):
            self.materialize(depth)
        del self.stack[height - nparams :]
        self.emit(family, None, shape, *leading, self.base + height - nparams, self.base + height)
        self.tail_calls = True
        self.unreachable = True
