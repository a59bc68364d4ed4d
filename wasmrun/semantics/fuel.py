"""Fuel: Wasmtime's count of executed instructions, and where it is checked (both tiers use these rules).

Wasmtime 50's rules (cranelift's ``func_environ.rs``, checked against
wasmtime-py with ``Config.consume_fuel``):

* **Costs.**  Entering a function costs 1.  ``nop``, ``drop``, ``block``,
  ``loop``, ``unreachable``, ``return``, ``else`` and ``end`` cost 0, every
  other instruction 1 (:func:`cost`).  The bulk instructions cost their
  length on top (:data:`VARIABLE`): bytes for ``memory.fill/copy/init``,
  elements for ``table.fill/copy/init``, pages or elements for the grows
  (only when the grow succeeds), elements for the GC array instructions
  that take a length (``array.new``, ``array.new_default``,
  ``array.new_data``, ``array.new_elem``, ``array.fill``, ``array.copy``,
  ``array.init_data``, ``array.init_elem``; not ``array.new_fixed``), checked
  after them as the others (every GC instruction else costs 1).
* **Checks.**  Fuel is checked at function entry (after the entry's 1) and at
  each loop header; the program traps with ``all fuel consumed by
  WebAssembly`` at the first check where the fuel consumed reaches the budget.
  A bulk instruction whose length is not a constant of at most
  :data:`SMALL_LENGTH` (an ``i32.const`` right before it; Cranelift inlines
  those) is checked too, after it has done its work.  Between checks nothing
  is checked: a straight run of code completes whatever it costs.
* **Segments.**  Wasmtime adds up the cost of straight-line code and adds it
  to the counter where control flow leaves it (:data:`ENDS_SEGMENT`).  Code
  between two such points, a *segment*, is entered only at its start and left
  only at its end (or by a trap), so both tiers charge a segment's whole cost
  where it starts: at every check the count is the same as Wasmtime's, and so
  is the total of a run that does not trap.  A check comes before the charge
  of the segment it starts; a bulk instruction that checks ends its segment
  (:func:`ends_segment`), so that its check sees nothing charged beyond it.

Not modelled: instantiating a module with computed initialiser expressions
or segment offsets costs Wasmtime a few units (wasmrun charges nothing
there); calling a start function costs 2 more than a call (see
:data:`START_COST`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wasmrun.binary.instructions import read_valtype
from wasmrun.binary.reader import Reader
from wasmrun.instructions import FUEL_CLASSES, OPCODES, InstructionInfo, opcode_of
from wasmrun.module import Module

ENTRY_COST = 1
"""What entering a function costs (Wasmtime: "even empty functions should consume at least some fuel")."""

START_COST = (1, 1)
"""Wasmtime calls a start function through a wrapper: 1 charged and checked before it, 1 for its call."""

# The instruction table's fuel classes and control kinds, as opcode sets for the translators' loops.
FREE = frozenset(opcode for opcode, info in OPCODES.items() if info.fuel == "free")
"""The instructions that cost nothing."""

ENDS_SEGMENT = frozenset(opcode for opcode, info in OPCODES.items() if info.ends_segment)
"""Where Wasmtime adds the pending cost to its counter: control leaves straight-line code here."""

VARIABLE = frozenset(opcode for opcode, info in OPCODES.items() if info.fuel == "bulk")
"""Bulk instructions that also cost their length (their last operand)."""

_I32_CONST = opcode_of("i32.const")

SMALL_LENGTH = 128
"""A constant length up to this is charged with the code around it, without a check of its own."""


def covers(info: InstructionInfo) -> bool:
    """Whether the fuel rules know what ``info`` costs (the completeness test asks)."""
    return info.fuel in FUEL_CLASSES


def cost(opcode: int) -> int:
    """The fixed cost of an instruction."""
    return 0 if opcode in FREE else 1


def constant_length(instructions: Sequence[tuple[int, Any, int]], position: int) -> int | None:
    """The length of the bulk instruction at ``position`` if an ``i32.const`` right before it gives it."""
    if position > 0:
        opcode, immediate, _offset = instructions[position - 1]
        if opcode == _I32_CONST:
            return int(immediate) & 0xFFFFFFFF
    return None


def static_cost(instructions: Sequence[tuple[int, Any, int]], position: int) -> int:
    """What the instruction at ``position`` adds to its segment (a small constant length included)."""
    opcode = instructions[position][0]
    total = cost(opcode)
    if opcode in VARIABLE:
        length = constant_length(instructions, position)
        if length is not None and length <= SMALL_LENGTH:
            total += length
    return total


def checked_at_run_time(instructions: Sequence[tuple[int, Any, int]], position: int) -> bool:
    """Whether the bulk instruction at ``position`` charges its length (and checks) when it runs."""
    length = constant_length(instructions, position)
    return length is None or length > SMALL_LENGTH


def ends_segment(instructions: Sequence[tuple[int, Any, int]], position: int) -> bool:
    """Whether a segment ends after the instruction at ``position``: where Wasmtime adds up, and after a
    bulk instruction that checks (its check must see the code after it uncharged)."""
    opcode = instructions[position][0]
    return opcode in ENDS_SEGMENT or (opcode in VARIABLE and checked_at_run_time(instructions, position))


def entry_offset(module: Module, function_index: int) -> int:
    """Where Wasmtime says a function-entry check is: its last group of local declarations, or their count.

    (Cranelift's position for the function's entry is where its reader stood
    after the last local declaration group began.)
    """
    body = module.body(function_index)
    reader = Reader(module.raw, body.start, body.code_start)
    reader.unsigned(32)  # the body's size
    offset = reader.pos
    for _ in range(reader.unsigned(32)):
        offset = reader.pos
        reader.unsigned(32)  # how many locals of this type
        read_valtype(reader)  # their type (a reference to a defined type takes more than a byte)
    return offset
