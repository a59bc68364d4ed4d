"""Operand-stack entries of the code generator: Python expressions not yet written to a variable.

The generator resolves the wasm operand stack at translation time: each entry
is the Python expression that computes the value.  An entry is *pending*
until something forces it into a variable (a temporary ``t<n>``): a write to
a local it reads, a construct that may write such a local, a second use, or
an expression grown too deep.  Pending expressions are pure (nothing that
can trap or has an effect is ever pending: those instructions are statements
of their own), so evaluating one later, once, gives the value it had when it
was pushed, as long as the locals it reads are unchanged, which the
generator guarantees by materialising the entry before any such write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wasmrun.codegen.alignment import Alignment
from wasmrun.codegen.ranges import Range

NO_CONSTANT: Any = object()
"""``Value.constant`` of an entry that is not a known constant."""

EMPTY: frozenset[int] = frozenset()


class Value:
    """One operand-stack entry.

    ``code`` is an atom: a name, a non-negative literal, a call, or a
    parenthesised expression, so that it can be substituted anywhere.
    ``simple`` entries (names and literals) may be repeated in the text at no
    cost; ``reads`` are the wasm locals the expression reads; ``depth``
    estimates its parenthesis nesting; ``constant`` is its value when known
    at translation time.  ``wrap`` is 0 for a canonical value, else the width
    (32 or 64) modulo which an integer expression is right but not yet
    reduced (lazy masking; ``width`` then bounds its magnitude in bits, and
    ``wide`` says a product or shift made it, which ``&`` reduces faster than
    ``%``).  ``align`` is the known alignment of an integer (see
    :mod:`~wasmrun.codegen.alignment`: low bits known to be zero).
    ``signable`` is set on the temporary of an ``i32.load`` not yet used:
    what makes its load read the value signed if a product is its first use
    (see :meth:`~wasmrun.codegen.numeric.NumericInstructions.wrapping`);
    any canonical use clears it.  ``range`` is what is known of an i32's
    value (see :mod:`~wasmrun.codegen.ranges`; None: nothing), ``test``
    the comparison a condition makes, ``(relation, a, b)``, which narrows
    the ranges of the locals it compares on each way it goes, and
    ``selection`` a ``select``'s operands ``(x, y, condition)``, whose ranges
    an enclosing ``select``'s condition may narrow.  ``offset`` is ``(b, c)``
    for an i32 that is local ``b``'s value plus ``c`` modulo 2**32 (a read of
    ``b`` is ``(b, 0)``): what a ``local.set`` of it tells of the two locals
    (see :class:`~wasmrun.codegen.ranges.LocalRanges`), and ``derived`` the
    same for one computed from a local and constants alone: ``(b, f)``, its
    range is in ``f(range of b)``.
    """

    __slots__ = (
        "align",
        "code",
        "constant",
        "depth",
        "derived",
        "offset",
        "range",
        "reads",
        "selection",
        "signable",
        "simple",
        "test",
        "wide",
        "width",
        "wrap",
    )

    def __init__(
        self,
        code: str,
        reads: frozenset[int] = EMPTY,
        *,
        simple: bool = False,
        depth: int = 0,
        constant: Any = NO_CONSTANT,
        wrap: int = 0,
        width: int = 0,
        wide: bool = False,
        align: Alignment = 0,
        range: Range = None,
    ) -> None:
        self.code = code
        self.reads = reads
        self.simple = simple
        self.depth = depth
        self.constant = constant
        self.wrap = wrap
        self.width = width
        self.wide = wide
        self.align = align
        self.range = range
        self.test: tuple[str, Value, Value] | None = None
        self.selection: tuple[Value, Value, Value] | None = None
        self.offset: tuple[int, int] | None = None
        self.derived: Any = None  # ranges.Derived: from one local and constants
        self.signable: Callable[[], None] | None = None

    @property
    def stable(self) -> bool:
        """Whether the entry is a temporary, a result variable or a constant (never needs flushing)."""
        return self.simple and not self.reads

    def __repr__(self) -> str:
        return f"Value({self.code!r})"


def local_name(index: int) -> str:
    return f"l{index}"


def int_literal(value: int) -> str:
    """A literal for a canonical (non-negative) integer, or a parenthesised negative one."""
    text = str(int(value))
    return f"({text})" if value < 0 else text
