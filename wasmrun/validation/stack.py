"""The algorithm that types a function body: the spec appendix's operand stack and control stack.

The appendix (*Validation Algorithm*) checks a body in one pass, instruction by
instruction, with two stacks:

* ``vals``, the **operand stack**: the types of the values the instructions so
  far leave.  Here it is a list of plain ints, each value type by its binary
  code (:class:`~wasmrun.types.ValType`), plus two markers: :data:`UNKNOWN` (0),
  the spec's *Unknown* type of a value popped from the polymorphic stack of
  unreachable code, and :data:`BARRIER` (-1), pushed below the operands of every
  control frame.  No value type equals ``BARRIER``, so a test like
  ``vals[-1] == I32`` can never succeed by reading into an enclosing frame: the
  fast paths of :mod:`wasmrun.validation.body` need no height check.
* ``ctrls``, the **control stack**: a :class:`Frame` per construct entered and
  not yet ended (``block``, ``loop``, ``if``; the function body is the bottom
  one).  A frame keeps its start and end types, the ``label_types`` a branch to
  it carries (the start types of a ``loop``, the end types otherwise), the
  ``height`` of ``vals`` just above its barrier, and whether the rest of it is
  ``unreachable`` (after ``br``, ``br_table``, ``return``, ``unreachable``).

Each instruction's rule pops its operand types (:meth:`BodyState.pop_vals`, which
checks them: a missing operand is Unknown below the height of an unreachable
frame, a type mismatch otherwise) and pushes its result types.  A branch checks
its label's types and marks the rest of the frame unreachable
(:meth:`BodyState.unreachable`); ``block``, ``loop`` and ``if`` push a frame
(:meth:`BodyState.push_ctrl`); ``end`` checks that exactly its end types are
left (:meth:`BodyState.check_end_types`) and pops the frame.  The body is valid once
the function's own ``end`` pops the last frame.

Errors carry the reference interpreter's text, the instruction named after it (``type mismatch:
instruction requires [i32 i32] but stack has [i64] (i32.add)``), and the instruction's offset.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from wasmrun.errors import ValidationError
from wasmrun.instructions import OPCODES
from wasmrun.types import REF_CODE_BASE, ValType, type_of_code
from wasmrun.validation.context import Context

UNKNOWN = 0
BARRIER = -1
I32 = int(ValType.I32)
FUNCREF = int(ValType.FUNCREF)
NUMERIC = frozenset(int(t) for t in (ValType.I32, ValType.I64, ValType.F32, ValType.F64))
VECTOR = frozenset((int(ValType.V128),))
REFERENCE = frozenset((int(ValType.FUNCREF), int(ValType.EXTERNREF), int(ValType.EXNREF)))
NUMERIC_OR_VECTOR = NUMERIC | VECTOR


class Frame:
    """A control frame (the appendix's ``ctrl_frame``); ``kind`` is the control kind that opened it.

    ``inits``: the non-defaultable locals first set in this frame (uninitialised again at its end).
    """

    __slots__ = ("end_types", "height", "inits", "kind", "label_types", "start_types", "unreachable")

    def __init__(self, kind: str, start_types: list[int], end_types: list[int], height: int) -> None:
        self.kind = kind
        self.start_types = start_types
        self.end_types = end_types
        self.label_types = start_types if kind == "loop" else end_types
        self.height = height
        self.unreachable = False
        self.inits: list[int] | None = None


class BodyState:
    """The algorithm's state while it checks a function body: ``vals`` and ``ctrls``, and what the rules read
    (the module's context ``C`` and the function's ``locals``).

    One serves all the bodies of a module: :func:`wasmrun.validation.body.check_bodies` sets it up for each.
    """

    __slots__ = ("context", "ctrls", "locals", "uninit", "vals")

    def __init__(self, context: Context) -> None:
        self.context = context
        self.locals: list[int] = []
        self.vals: list[int] = []
        self.ctrls: list[Frame] = []
        # The non-defaultable locals not initialised here (typed references): empty in most functions.
        self.uninit: set[int] = set()

    def initialise(self, index: int) -> None:
        """``local.set``/``local.tee`` of a local that was uninitialised: initialised to the frame's end."""
        if index in self.uninit:
            self.uninit.discard(index)
            frame = self.ctrls[-1]
            if frame.inits is None:
                frame.inits = []
            frame.inits.append(index)

    def reset_inits(self, frame: Frame) -> None:
        """At a frame's ``else`` or ``end``: the locals first set in it are uninitialised again."""
        if frame.inits:
            self.uninit.update(frame.inits)
            frame.inits = None

    def pop_vals(self, expected: Sequence[int], opcode: int, offset: int) -> list[int]:
        """The appendix's ``pop_vals(expected)``: pop and return the actual types.

        ``UNKNOWN`` in ``expected`` accepts any value.  Below the frame's height the
        stack of unreachable code yields ``UNKNOWN``; otherwise running out, or a
        value of another type, is a type mismatch.
        """
        vals = self.vals
        frame = self.ctrls[-1]
        height = frame.height
        count = len(expected)
        popped = [UNKNOWN] * count
        for i in range(count - 1, -1, -1):
            if len(vals) == height:
                if frame.unreachable:
                    continue
            else:
                actual = vals.pop()
                want = expected[i]
                if actual in (want, UNKNOWN) or want == UNKNOWN:
                    popped[i] = actual
                    continue
                if (actual >= REF_CODE_BASE or want >= REF_CODE_BASE) and self.context.matches(actual, want):
                    popped[i] = actual
                    continue
                vals.append(actual)
            # Put back what was popped, to show the stack as the instruction found it.
            vals.extend(popped[i + 1 :])
            top = vals[max(height, len(vals) - count) :]
            raise ValidationError(
                # The reference interpreter's words (the 3.0 scripts check them), then the instruction.
                f"type mismatch: instruction requires {type_text(expected)} but stack has {type_text(top)}"
                f" ({mnemonic(opcode)})",
                offset,
            )
        return popped

    def push_ctrl(self, kind: str, start_types: list[int], end_types: list[int]) -> None:
        """Enter a construct whose operands ``start_types`` are on the stack (popped and checked already)."""
        vals = self.vals
        vals.append(BARRIER)
        self.ctrls.append(Frame(kind, start_types, end_types, len(vals)))
        vals.extend(start_types)

    def check_end_types(self, opcode: int, offset: int) -> Frame:
        """The check of the appendix's ``pop_ctrl``: exactly the frame's end types are left on its stack.

        Returns the frame; ``end`` and ``else`` then cut ``vals`` back to it.
        """
        vals = self.vals
        frame = self.ctrls[-1]
        end_types = frame.end_types
        if frame.unreachable or vals[frame.height :] != end_types:
            self.pop_vals(end_types, opcode, offset)
            if len(vals) != frame.height:
                raise mismatch(
                    f"leaves {type_text(vals[frame.height :])} on the stack beyond the block's results", opcode, offset
                )
        return frame

    def label_types(self, depth: int, offset: int) -> list[int]:
        """The types a branch to label ``depth`` carries."""
        if depth >= len(self.ctrls):
            raise ValidationError(f"unknown label {depth}", offset)
        return self.ctrls[-1 - depth].label_types

    def unreachable(self) -> None:
        """The appendix's ``unreachable()``: the rest of the frame is unreachable; its stack is polymorphic."""
        frame = self.ctrls[-1]
        del self.vals[frame.height :]
        frame.unreachable = True


Rule = Callable[[BodyState, int, Any, int], None]
"""How one instruction is typed: ``rule(state, opcode, immediate, offset)`` updates ``state`` or raises."""


def type_text(types: Sequence[int]) -> str:
    return "[" + " ".join("_" if t == UNKNOWN else type_of_code(t).text for t in types) + "]"


def is_reference(t: int) -> bool:
    """Whether the type (code) ``t`` is a reference type."""
    return t in REFERENCE or t >= REF_CODE_BASE


def mnemonic(opcode: int) -> str:
    info = OPCODES.get(opcode)
    return info.mnemonic if info is not None else f"opcode {opcode:#x}"


def mismatch(message: str, opcode: int, offset: int) -> ValidationError:
    return ValidationError(f"type mismatch: {mnemonic(opcode)} {message}", offset)
