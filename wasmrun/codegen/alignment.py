"""Known alignment of integer values, so that memory accesses can skip the alignment test.

An aligned access goes through a typed view of the memory with one shift
(``V0_I[a >> 2]``); an address whose alignment is not known needs a test
first (``V0_I[a >> 2] if not a & 3 else U32_UNPACK(V0, a)[0]``).  The
generator tracks, for every operand-stack entry and every local, a lower
bound on the number of trailing zero bits of the value, capped at
:data:`ALIGN_CAP` (8 bytes, the widest access):

* a constant has its own; ``x + y``, ``x - y``, ``x | y``, ``x ^ y`` and
  ``select`` the smaller of their operands'; ``x & y`` the larger;
  ``x * y`` and ``x << k`` the sum (mod 2**n keeps every low bit); any other
  result, a parameter or a loaded value, 0; a declared local starts at the cap
  (zero);
* a local read has the alignment of what was last written to it on the way
  (flow-sensitive, as the generator walks the body): at the end of a block or
  ``if`` the states of the paths that meet there are merged (the minimum per
  local), and at a loop head each local the loop writes is a *node* whose
  inputs are its value on entry and at each branch back to the head, which
  come after the loop's body has been generated.

So an alignment is either an ``int`` (known now) or a :class:`Node` (symbolic,
the minimum over its inputs' alignments plus a bonus each).  A memory access
whose address has a node decides its form only at assembly, after
:func:`solve` has computed every node: the greatest fixed point, starting
optimistic, which is sound because each node's inputs are every way a value
reaches it (an induction over the execution).
"""

from __future__ import annotations

ALIGN_CAP = 3
"""Alignments are capped at 2**3 bytes, the widest access."""


class Node:
    """A symbolic alignment: the minimum over ``inputs`` of (the input's alignment + its bonus)."""

    __slots__ = ("inputs", "value")

    def __init__(self, inputs: list[tuple[Alignment, int]]) -> None:
        self.inputs = inputs
        self.value = ALIGN_CAP  # filled in by solve()

    def __repr__(self) -> str:
        return f"Node({self.value})"


Alignment = int | Node


def constant_alignment(value: int) -> int:
    """The alignment of a constant (canonical integer)."""
    if value == 0:
        return ALIGN_CAP
    return min((value & -value).bit_length() - 1, ALIGN_CAP)


def lowest(a: Alignment, b: Alignment, nodes: list[Node]) -> Alignment:
    """The alignment of ``a + b``, ``a - b``, ``a | b``, ``a ^ b`` or a choice between them."""
    if isinstance(a, int) and isinstance(b, int):
        return a if a < b else b
    if a is b or b == ALIGN_CAP:
        return a
    if a == 0 or b == 0:
        return 0
    if a == ALIGN_CAP:
        return b
    node = Node([(a, 0), (b, 0)])
    nodes.append(node)
    return node


def highest(a: Alignment, b: Alignment) -> Alignment:
    """A lower bound on the alignment of ``a & b`` (at least the larger of the two)."""
    if isinstance(a, int) and isinstance(b, int):
        return a if a > b else b
    if isinstance(b, int):
        return b if b > 0 else a
    return a  # a node or a known int: either is a lower bound


def shifted(a: Alignment, bits: int, nodes: list[Node]) -> Alignment:
    """The alignment of ``a`` times ``2**bits`` (``a << bits``, or a product with such a factor)."""
    if bits <= 0:
        return a
    if isinstance(a, int) or bits >= ALIGN_CAP:
        return min(resolved_now(a) + bits, ALIGN_CAP)
    node = Node([(a, bits)])
    nodes.append(node)
    return node


def product(a: Alignment, b: Alignment, nodes: list[Node]) -> Alignment:
    """The alignment of ``a * b``: the sum of the two."""
    if isinstance(b, int):
        return shifted(a, b, nodes)
    if isinstance(a, int):
        return shifted(b, a, nodes)
    return lowest(a, b, nodes)  # a lower bound of the sum


def resolved_now(alignment: Alignment) -> int:
    """An int alignment as it is; 0 for a node (a lower bound before solving)."""
    return alignment if isinstance(alignment, int) else 0


def solve(nodes: list[Node]) -> None:
    """Compute every node's value: the greatest fixed point, by rounds until nothing changes."""
    for node in nodes:
        node.value = ALIGN_CAP
    changed = True
    while changed:
        changed = False
        for node in nodes:
            value = ALIGN_CAP
            for source, bonus in node.inputs:
                known = (source if isinstance(source, int) else source.value) + bonus
                if known < value:
                    value = known
            if value < node.value:
                node.value = value
                changed = True
