"""Dead writes: the structured form's assignments whose value no path reads, found by liveness and dropped.

A loop that reads memory through a local it moves keeps the local's index
beside it (a *shadow*, :meth:`~wasmrun.codegen.structured.StructuredGenerator.shadow`)
and steps both; once every access goes through the shadow, the local's own
steps are often written for nothing (nbody's ``l20 = l9 - 24`` before three
accesses through ``s = s9 - 3``), and so is the zeroing of a local the shadows
alone read.  :func:`drop_dead_writes` runs a backward liveness over the
function's lines, as Python will run them, and leaves out a line that assigns
only names no later line reads, when its value cannot raise (arithmetic on
names and literals: no call, subscript, attribute or division).

The lines are read as statements by their indentation: ``while True:``,
``if``/``elif``/``else``, ``try``/``except``, ``break``, ``continue``,
``return`` and ``raise`` are followed; any other line reads every name in it
and kills none, unless it is a plain assignment of names (which kills them).
Anything else that opens a block (``for``, ``with``, ``finally``) leaves the
lines as they are (:class:`Unfollowed`).  A line that jumps on a condition of
its own (``if x: break``) may also reach its loop's exit and head.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Line = tuple[int, str, int, int]  # (indent, text, kind, offset), as the generator's lines

_NAME = re.compile(r"[A-Za-z_]\w*")
_ASSIGNED = re.compile(r"((?:[A-Za-z_]\w* = )+)(?!=)(.*)", re.S)
_JUMPS = re.compile(r"\b(?:break|continue)\b")
_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+\.\d*(?:e[-+]?\d+)?|\d+e[-+]?\d+|\d+)"
    r"|(?P<name>[A-Za-z_]\w*)|(?P<operator><<|>>|<=|>=|==|!=|[-+*&|^~()<>%]))"
)
_PURE_WORDS = frozenset({"if", "else", "not", "and", "or"})
VISITS_PER_LINE = 64
"""Statement visits the liveness may make per line before it gives up (and leaves the lines as they are):
real functions take a few (each loop's head settles in two or three rounds)."""


class Unfollowed(Exception):
    """A block this pass does not follow: the lines stay as they are."""


@dataclass
class _Statement:
    """One line, or a block statement with its parts (``body``; an if chain's and a try's further parts).

    Sets of names are bit masks (a bit per name, :class:`_Parser`'s ``bits``)."""

    position: int  # in the lines
    kind: str  # "simple", "loop", "if", "try", "break", "continue", "return", "raise"
    reads: int = 0
    kills: int = 0
    body: list[_Statement] = field(default_factory=list)
    branches: list[tuple[int, list[_Statement]]] = field(default_factory=list)  # elif / except: (reads, body)
    otherwise: list[_Statement] | None = None  # an if chain's else
    jumps: bool = False  # a one-line statement with a break or continue in it
    value: str | None = None  # an assignment's value (of a line kind that may go), to be checked once needed
    droppable: bool | None = None  # whether that value cannot raise (None: not checked yet)
    targets: list[str] = field(default_factory=list)  # the names such an assignment writes


def pure(expression: str) -> bool:
    """Whether ``expression`` is arithmetic on names and literals that cannot raise (for well-typed values)."""
    if "**" in expression:
        return False
    position, end = 0, len(expression)
    modulo = False
    while position < end:
        match = _TOKEN.match(expression, position)
        if match is None or match.end() == position:
            return expression[position:].strip() == ""
        position = match.end()
        number, name, operator = match["number"], match["name"], match["operator"]
        if modulo and (number is None or float(number) == 0):
            return False  # (x % y: only by a nonzero literal)
        modulo = operator == "%"
        if name is not None and name not in _PURE_WORDS:
            if name in ("lambda", "await", "yield") or expression[position:].lstrip()[:1] in ("(", "[", "."):
                return False
    return not modulo


def _header(text: str) -> str:
    return text.split(None, 1)[0].rstrip(":")


class _Parser:
    """The lines as statements, by their indentation; each name a bit."""

    def __init__(self, lines: list[Line], removable: int) -> None:
        self.lines = lines
        self.removable = removable
        self.bits: dict[str, int] = {}
        self.assignments: list[_Statement] = []  # of the line kind that may go

    def names(self, text: str) -> int:
        mask = 0
        bits = self.bits
        for name in _NAME.findall(text):
            bit = bits.get(name)
            if bit is None:
                bit = bits[name] = 1 << len(bits)
            mask |= bit
        return mask

    def block(self, start: int, indent: int) -> tuple[list[_Statement], int]:
        """The statements of the block at ``indent`` from ``start``, and where it ends."""
        lines = self.lines
        statements: list[_Statement] = []
        position = start
        count = len(lines)
        while position < count and lines[position][0] >= indent:
            line_indent, text, kind, _offset = lines[position]
            if line_indent > indent:
                raise Unfollowed("indentation")
            opens = position + 1 < count and lines[position + 1][0] > indent
            if not opens:
                statements.append(self.simple(position, text, kind == self.removable))
                position += 1
                continue
            body, after = self.block(position + 1, lines[position + 1][0])
            word = _header(text)
            if word == "while" and text == "while True:":
                statements.append(_Statement(position, "loop", body=body))
            elif word == "if":
                statements.append(_Statement(position, "if", self.names(text[2:]), body=body))
            elif word in ("elif", "else") and statements and statements[-1].kind == "if":
                chain = statements[-1]
                if chain.otherwise is not None:
                    raise Unfollowed("if")
                if word == "elif":
                    chain.branches.append((self.names(text[4:]), body))
                else:
                    chain.otherwise = body
            elif word == "try" and text == "try:":
                statements.append(_Statement(position, "try", body=body))
            elif word == "except" and statements and statements[-1].kind == "try":
                # ``except E as name:``: the handler's reads (the name it binds is written first)
                statements[-1].branches.append((self.names(text[6:]), body))
            else:
                raise Unfollowed(word)
            position = after
        return statements, position

    def simple(self, position: int, text: str, removable: bool) -> _Statement:
        if text in ("break", "continue"):
            return _Statement(position, text)
        if text[:1] == "r" and (text.startswith(("return ", "raise ")) or text in ("return", "raise")):
            word = "return" if text[2] == "t" else "raise"
            return _Statement(position, word, self.names(text[len(word) :]), jumps=bool(_JUMPS.search(text)))
        assigned = _ASSIGNED.fullmatch(text) if "\n" not in text else None
        if assigned is not None:
            value = assigned[2]
            if ":=" in value:  # (a walrus: killing nothing is the safe side)
                return _Statement(position, "simple", self.names(value))
            targets = assigned[1][:-3].split(" = ")
            statement = _Statement(position, "simple", self.names(value), self.names(assigned[1]))
            if removable:
                statement.value, statement.targets = value, targets
                self.assignments.append(statement)
            return statement
        return _Statement(position, "simple", self.names(text), jumps=bool(_JUMPS.search(text)))


class _Liveness:
    """The backward pass: the names live after each simple statement (``after``), loops solved to a fixpoint."""

    def __init__(self, budget: int) -> None:
        self.after: dict[int, int] = {}
        self.heads: dict[int, int] = {}  # a loop's position -> its head's live names so far
        self.budget = budget  # statements left to visit (see VISITS_PER_LINE)

    def block(self, statements: list[_Statement], live: int, exits: int, head: int, handler: int) -> int:
        """The names live before ``statements``, given those live after them (``live``), at the innermost
        loop's exit and head, and at the enclosing handler (live wherever something can raise)."""
        self.budget -= len(statements)
        if self.budget < 0:
            raise Unfollowed("too many rounds")
        for statement in reversed(statements):
            kind = statement.kind
            if kind == "simple":
                self.after[statement.position] = live
                if statement.value is not None and not live & statement.kills:
                    if statement.droppable is None:
                        statement.droppable = pure(statement.value)
                    if statement.droppable:
                        continue  # (it goes: what it reads is not read for it)
                if statement.jumps:
                    live |= exits | head
                live = (live & ~statement.kills) | statement.reads | handler
            elif kind == "break":
                live = exits
            elif kind == "continue":
                live = head
            elif kind in ("return", "raise"):
                live = statement.reads | handler
                if statement.jumps:
                    live |= exits | head
            elif kind == "loop":
                live = self.loop(statement, live, handler)
            elif kind == "if":
                merged = self.block(statement.body, live, exits, head, handler) | statement.reads
                for reads, body in statement.branches:
                    merged |= self.block(body, live, exits, head, handler) | reads
                other = statement.otherwise
                live = merged | (live if other is None else self.block(other, live, exits, head, handler))
            else:  # try
                caught = handler
                for reads, body in statement.branches:
                    caught |= reads | self.block(body, live, exits, head, handler)
                live = self.block(statement.body, live, exits, head, caught) | caught
        return live

    def loop(self, statement: _Statement, after: int, handler: int) -> int:
        # Falling off the end of a ``while True:`` body goes back to its head.  The heads only grow, so an
        # inner loop starts from what it had in the enclosing loop's previous round: a statement is visited
        # once per round of its innermost loop, whose rounds are those of the loop around it plus the
        # names its head gains (a bound polynomial in the depth, the names and the lines; VISITS_PER_LINE
        # stops a hostile function sooner).
        head = self.heads.get(statement.position, 0)
        while True:
            entry = self.block(statement.body, head, after, head, handler)
            if not entry & ~head:
                self.heads[statement.position] = head
                return head
            head |= entry


def drop_dead_writes(lines: list[Line], removable: int) -> tuple[list[Line], frozenset[str] | None]:
    """``lines`` without the assignments (of line kind ``removable``) of names no later line reads, with
    ``pass`` where a block is left empty, and the names live at their start (for the zeroing before them).

    Unchanged, and None for the names (every zeroing stays), if they hold a block this pass does not follow
    or would take too many rounds."""
    parser = _Parser(lines, removable)
    try:
        statements, end = parser.block(0, lines[0][0] if lines else 0)
        if end != len(lines):
            raise Unfollowed("indentation")
        liveness = _Liveness(VISITS_PER_LINE * len(lines))
        live_at_start = liveness.block(statements, 0, 0, 0, 0)
    except Unfollowed:
        return lines, None
    bits = parser.bits
    kept = list(lines)
    for statement in parser.assignments:
        after = liveness.after[statement.position]
        if after & statement.kills == statement.kills:
            continue
        if statement.droppable is None:
            statement.droppable = pure(statement.value or "")
        if not statement.droppable:
            continue
        indent, _text, kind, offset = lines[statement.position]
        targets = [name for name in statement.targets if bits[name] & after]
        kept[statement.position] = (
            indent,
            " = ".join((*targets, statement.value or "")) if targets else "",
            kind,
            offset,
        )
    out: list[Line] = []
    for position, line in enumerate(kept):
        if line[1]:
            out.append(line)
            continue
        # A dropped line: ``pass`` in its place if its block has nothing else (nothing kept at its indent
        # between the header before it and the block's end).
        indent = line[0]
        before = position - 1
        while before >= 0 and kept[before][0] >= indent and not (kept[before][0] == indent and kept[before][1]):
            before -= 1
        opens_block = before >= 0 and kept[before][0] < indent
        following = position + 1
        while (
            following < len(kept)
            and kept[following][0] >= indent
            and not (kept[following][0] == indent and kept[following][1])
        ):
            following += 1
        closes_block = following >= len(kept) or kept[following][0] < indent
        if opens_block and closes_block and (not out or out[-1][0] < indent):
            out.append((indent, "pass", line[2], line[3]))
    return out, frozenset(name for name, bit in bits.items() if bit & live_at_start)
