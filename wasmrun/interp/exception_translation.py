"""The interpreter's translation of exception handling: ``try_table``, ``throw`` and ``throw_ref``.

A mixin of the translator (:mod:`wasmrun.interp.translate`): a ``try_table`` becomes a catch region,
the range of handler indexes its body gets, with one clause per catch (where its values go, which
label it lands on); :mod:`wasmrun.interp.catching` runs them.  ``throw`` raises the exception made of
its tag and the payload slots, ``throw_ref`` raises the exception it is given.
"""

from __future__ import annotations

from typing import Any

from wasmrun.binary.instructions import decode_function_body
from wasmrun.instructions import CONTROL
from wasmrun.module import Module

EXCEPTION_OPCODES = frozenset(opcode for opcode, kind in CONTROL.items() if kind in ("throw", "throw_ref", "try_table"))


def function_uses_exceptions(module: Module, function_index: int) -> bool:
    """Whether defined function ``function_index`` has ``throw``, ``throw_ref`` or ``try_table``."""
    instructions = decode_function_body(module.raw, module.body(function_index))
    return any(opcode in EXCEPTION_OPCODES for opcode, _, _ in instructions)


class ExceptionTranslation:
    """The translator's methods for the exception-handling instructions (see the module docstring)."""

    # What the translator provides (wasmrun.interp.translate._Translator).
    module: Module
    stack: list[Any]
    base: int
    unreachable: bool
    catch_regions: list[list[Any]]

    def label(self, depth: int) -> Any: ...
    def target(self, ctrl: Any, container: Any, index: int) -> None: ...
    def open_block(self, kind: str, blocktype: int) -> Any: ...
    def materialize(self, depth: int) -> None: ...
    def pop(self) -> Any: ...
    def emit(self, family: str, op: str | None, shape: str, *args: Any) -> Any: ...

    def op_try_table(self, immediate: tuple[int, tuple[tuple[int, int | None, int], ...]]) -> None:
        """A block whose handlers form a catch region; each clause lands on a label outside it."""
        blocktype, catches = immediate
        if self.unreachable:
            self.open_block("try_table", blocktype)
            return
        clauses: list[list[Any]] = []
        for kind, tag, depth in catches:
            label = self.label(depth)
            clause = [kind, tag, self.base + label.height, None]
            self.target(label, clause, 3)
            clauses.append(clause)
        ctrl = self.open_block("try_table", blocktype)
        ctrl.region = [ctrl.start, None, clauses]
        self.catch_regions.append(ctrl.region)

    def op_throw(self, tag_index: int) -> None:
        count = len(self.module.tag_type(tag_index).params)
        height = len(self.stack)
        for depth in range(height - count, height):
            self.materialize(depth)
        del self.stack[height - count :]
        first = self.base + height - count
        self.emit("throw", None, "", tag_index, first, first + count)
        self.unreachable = True

    def op_throw_ref(self, _immediate: None) -> None:
        operand = self.pop()
        self.emit("throw_ref", None, operand[0], operand[1])
        self.unreachable = True
