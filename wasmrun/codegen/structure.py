"""The pre-pass of code generation: a function's constructs and how branches reach them.

Python has no ``goto``, so how a ``block``, ``loop`` or ``if`` becomes Python
depends on the branches that target it, which come *after* its start.  One
pass over the body, with the same notion of dead code as the generator (code
after ``br``, ``br_table``, ``return`` or ``unreachable`` is dead up to the
end of its construct, and so is code after a construct whose end nothing
reaches), records for each construct:

* how many (live) branches target it, and whether every one of them is a
  ``br``/``br_if`` directly in the construct's own body (for an ``if``: in
  either arm) rather than inside a nested construct or a ``br_table``: such a
  block can become nested Python ``if``\\ s instead of a loop;
* the locals written inside it (nested constructs included), so that a
  pending read of a local crosses the construct without a temporary when the
  construct does not write that local;
* whether its end is reached.

It also finds the locals that may be read before anything assigned them
(:attr:`Structure.needs_init`): a ``local.set`` dominates what follows it in
its own construct (an ``if`` arm is a construct of its own here), and the end of
a construct that only falling through reaches (a loop, a block nothing
branches to, an if whose arms both fall through) carries its assignments to
the enclosing construct.  Only those locals need their zero at entry (Python
raises on a read before assignment, so this must be exact on the safe side).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from wasmrun.instructions import BLOCKTYPE_EMPTY, CONTROL, opcode_of
from wasmrun.module import Instruction, Module

FUNCTION = "function"
"""The kind of the function's own construct (its label is the function's return)."""

_LOCAL_GET = opcode_of("local.get")
_ENDS_FUNCTION = frozenset(
    ("return", "unreachable", "return_call", "return_call_indirect", "return_call_ref", "throw", "throw_ref")
)
_CONDITIONAL_BRANCHES = frozenset(("br_on_null", "br_on_non_null", "br_on_cast", "br_on_cast_fail"))
_LOCAL_WRITES = frozenset((opcode_of("local.set"), opcode_of("local.tee")))


@dataclass(slots=True, eq=False)
class Construct:
    """A ``block``, ``loop``, ``if`` or the function body itself."""

    id: int  # 0 for the function, then 1, 2, ... in order of appearance
    kind: str  # the control kind of its opening instruction ("block", "loop", "if"), or FUNCTION
    position: int  # index of the opening instruction (-1 for the function)
    nparams: int
    nresults: int
    parent: int = 0  # the id of the enclosing construct
    dead: bool = False  # opened in dead code: nothing inside is generated
    branches: int = 0  # live branches that target this construct's label
    nested: bool = False  # some branch to it comes from a nested construct or a br_table
    top_conditionals: int = 0  # live br_if's to it directly in its own body
    writes: set[int] = field(default_factory=set)  # locals set or teed inside
    has_else: bool = False
    then_reached: bool = False  # an if's then arm falls through to its end
    end_reached: bool = False  # whether anything reaches the instruction after its end

    @property
    def arity(self) -> int:
        """How many values a branch to its label carries."""
        return self.nparams if self.kind == "loop" else self.nresults


def block_arity(module: Module, blocktype: int) -> tuple[int, int]:
    """``(params, results)`` of a block type immediate."""
    if blocktype == BLOCKTYPE_EMPTY:
        return 0, 0
    if blocktype < 0:
        return 0, 1
    function_type = module.types[blocktype]
    return len(function_type.params), len(function_type.results)


@dataclass(slots=True)
class Structure:
    """The constructs of one function body, by the position of their opening instruction."""

    function: Construct
    constructs: dict[int, Construct]
    max_depth: int  # the deepest construct nesting (the function is depth 0)
    needs_init: set[int]  # declared locals some live read may see before any assignment

    def at(self, position: int) -> Construct:
        return self.constructs[position]


def analyse(module: Module, instructions: Sequence[Instruction], nresults: int, nparams: int = 0) -> Structure:
    """The structure of a validated body whose instructions are ``instructions`` (final ``end`` included)."""
    function = Construct(0, FUNCTION, -1, 0, nresults)
    constructs: dict[int, Construct] = {}
    stack: list[Construct] = [function]
    # Locals certainly assigned at this point, per open construct (an if's current arm).
    assigned: list[set[int]] = [set(range(nparams))]
    then_assigned: dict[int, set[int] | None] = {}  # an if's then arm, if it fell through
    needs_init: set[int] = set()
    live = True
    next_id = 1
    max_depth = 0
    control = CONTROL
    for position, (opcode, immediate, _offset) in enumerate(instructions):
        kind = control.get(opcode)
        if kind is None:  # an instruction that does not move control: only locals matter here
            if not live:
                continue
            if opcode == _LOCAL_GET:
                if immediate not in needs_init and not any(immediate in scope for scope in assigned):
                    needs_init.add(immediate)
            elif opcode in _LOCAL_WRITES:
                assigned[-1].add(immediate)
                stack[-1].writes.add(immediate)
            continue
        if kind == "try_table":
            # A block whose catch clauses branch to labels outside it (from anywhere in its body): a
            # catch target counts as branched to from a nested construct.
            immediate, catches = immediate
            if live:
                for _clause, _tag, depth in catches:
                    target = stack[-1 - depth]
                    target.branches += 1
                    target.nested = True
            kind = "block"
        if kind == "block" or kind == "loop" or kind == "if":
            nparams_, nres = block_arity(module, immediate)
            construct = Construct(next_id, kind, position, nparams_, nres, stack[-1].id, dead=not live)
            next_id += 1
            constructs[position] = construct
            stack.append(construct)
            assigned.append(set())
            max_depth = max(max_depth, len(stack) - 1)
            continue
        if kind == "else":
            construct = stack[-1]
            construct.has_else = True
            construct.then_reached = live and not construct.dead
            then_assigned[construct.id] = assigned[-1] if construct.then_reached else None
            assigned[-1] = set()
            # The else arm is live if the if was.
            live = not construct.dead
            continue
        if kind == "end":
            construct = stack.pop()
            inner = assigned.pop()
            if construct.dead:
                live = False
                continue
            reached = live or construct.then_reached
            if construct.kind != "loop" and construct.branches:
                reached = True
            if construct.kind == "if" and not construct.has_else:
                reached = True  # the false edge
            construct.end_reached = reached
            if assigned:
                carried = _carried(construct, inner, live, then_assigned.pop(construct.id, None))
                assigned[-1] |= carried
            live = reached
            if stack:
                stack[-1].writes |= construct.writes
            continue
        if not live:
            continue
        if kind in _CONDITIONAL_BRANCHES:
            kind = "br_if"  # br_on_null, br_on_non_null, br_on_cast*: a conditional branch to the label
            if isinstance(immediate, tuple):
                immediate = immediate[0]  # br_on_cast*: (label, source type, target type)
        if kind == "br" or kind == "br_if":
            target = stack[-1 - immediate]
            target.branches += 1
            if immediate != 0:
                target.nested = True
            elif kind == "br_if":
                target.top_conditionals += 1
            if kind == "br":
                live = False
        elif kind == "br_table":
            labels, default = immediate
            for depth in {*labels, default}:
                target = stack[-1 - depth]
                target.branches += 1
                target.nested = True
            live = False
        elif kind in _ENDS_FUNCTION:
            live = False
    return Structure(function, constructs, max_depth, needs_init)


def _carried(construct: Construct, inner: set[int], live: bool, then_arm: set[int] | None) -> set[int]:
    """The locals a construct certainly assigns on every path to its end (see the module docstring)."""
    if construct.kind == "loop":
        return inner if live else set()  # only falling through its body reaches a loop's end
    if construct.branches:
        return set()
    if construct.kind == "block":
        return inner if live else set()
    # An if: both arms must fall through (no else: the false edge assigns nothing).
    if not construct.has_else or then_arm is None or not live:
        return set()
    return then_arm & inner
