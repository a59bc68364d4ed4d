"""Code generation: each validated wasm function -> the source of one Python function.

The scheme (read once)
======================

* **Values.**  Wasm locals are Python locals ``l0, l1, ...`` (parameters
  first, as the Python function's positional parameters).  The operand stack
  exists only at translation time: each entry is a Python expression (see
  :mod:`~wasmrun.codegen.values`), so ``local.get 0; i32.const 1;
  i32.add; local.set 0`` is the one line ``l0 = (l0 + 1) % 4294967296``.
  Integers are canonical unsigned ints, masked by each instruction's
  expression (the numeric templates of :mod:`wasmrun.semantics.numeric`, passed
  in as :class:`~wasmrun.codegen.emitter.Expressions`: one place for each rule).
  The range of every i32 is tracked through locals, conditions and loops
  (:mod:`~wasmrun.codegen.ranges`): a reduction or a signed view that cannot
  change the value is left out (``i = i + 1`` in a loop that runs while
  ``i != n`` is ``l1 = (l1 + 1)``).
* **Statements.**  Everything that can trap or has an effect is a statement
  of its own *line*: loads and stores (``t3 = U32_UNPACK(V0, l1 + 8)[0]``),
  calls, trapping numeric instructions (``t4 = i32_div_s(l0, l1)``), bulk
  memory and table instructions.  A per-function map from line number to the
  instruction's byte offset turns a traceback into wasm frames (see
  :class:`GeneratedFunction`).  Memory is reached through ``V<k>``, the
  memory's current ``view``, a global of the instance's namespace that the
  runtime replaces whenever the memory grows (so nothing is re-read after
  calls).  An access at an address known to be aligned goes through the typed
  view ``V<k>_<format>`` with one shift (``V0_I[257]``, ``V0_d[(l3 >> 3) +
  2]``: a third of the cost of ``unpack_from``); the alignment of addresses is
  tracked through locals, branches and loops
  (:mod:`~wasmrun.codegen.alignment`), and where it is unknown but
  the instruction's hint promises it, the access tests it first (``V0_I[l1 >>
  2] if not l1 & 3 else U32_UNPACK(V0, l1)[0]``).  Through a local a loop does
  not write, the shift and the low bits are computed before the loop (``h3_0 =
  l1 >> 2``); through one it moves, the loop keeps the index beside it (its
  *shadow*, ``s3_1_2``, set before the loop and after each write of the local:
  see :meth:`~wasmrun.codegen.structured.StructuredGenerator.shadow`); a write of
  the local that only its shadow is read through is then left out, as is any
  write of a value that cannot raise to names nothing reads
  (:mod:`~wasmrun.codegen.liveness`, in functions whose loops keep shadows).  An aligned access cannot
  straddle the end of memory (its size divides the page size), so the view's
  own bounds check gives the exact trap.  An ``i32.load`` whose first use is
  a multiplication reads the word signed (``V0_i``, ``I32_UNPACK``): the same
  product modulo 2**32, of smaller ints.
  A failed access raises ``IndexError``/``struct.error``; the function-level
  ``except`` turns it into the out-of-bounds trap only if it comes from a
  memory-access line (``MEMORY_TRAP``, provided by the runtime).
* **Control.**  Structured control flow becomes structured Python
  (:class:`~wasmrun.codegen.structured.StructuredGenerator`): a ``loop`` that is branched to is a
  ``while True:`` (``br`` = ``continue``, falling off its end = ``break``); a
  ``block`` that is branched to only by ``br``/``br_if`` in its own body
  becomes nested ``if``\\ s (``br_if`` = ``if not c:`` around the rest of the
  block); any other branched-to block or ``if`` is wrapped in ``while True:
  ... break``.  A branch that must leave several Python loops sets ``br`` to
  its target's id and breaks; after each inner loop, ``if br:`` dispatches
  (only where such branches exist: the test runs once per loop exit).
  Values carried by branches go through result variables ``r<id>_<k>`` (loop
  parameters: ``p<id>_<k>``).  ``br_table`` becomes a binary tree of range
  tests.  A ``try_table`` is a block inside ``try:``; its ``except
  WasmException`` tests the clauses in order (``exception.tag is tag<k>``),
  and a matching one is a branch to its label carrying the payload (then the
  exception, for the ``_ref`` forms); no match re-raises.  ``throw`` is
  ``raise WasmException(...)``.  In the flat form a ``try_table``'s body is
  a region of basic blocks, and one ``except`` around the dispatch finds the
  clauses by the region of the raising block (see :mod:`~wasmrun.codegen.flat`).
* **GC.**  Structs, arrays and ``i31`` values are :mod:`wasmrun.runtime.gc`'s objects.
  A field read is a statement with the null test folded in (``t3 = (l0 or
  GC_NULL_STRUCTURE()).fields[1]``), a cast one index into the value's
  canonical type's supertype chain and one ``is`` (``l0.type.chain[0] is
  ty3``); allocations and the bulk array instructions call the runtime (see
  :mod:`~wasmrun.codegen.gc`).
* **The flat form** (:class:`~wasmrun.codegen.flat.FlatGenerator`), for functions beyond CPython's
  static limits (20 nested loops, 100 indentation levels): basic blocks in one
  ``while True:`` loop, dispatched on ``b`` by a binary tree of ``if``\\ s; a
  branch is ``b = <block>; continue``.  It is also how execution enters a
  function at a loop head (on-stack replacement): the entry block is a
  parameter.

* **Limits, only when asked.**  With ``fuel``, each segment of straight-line
  code starts with its charge (``FUEL.fuel -= 5``), the function's entry and
  each loop header with a check (``if FUEL.fuel <= 0: FUEL_OUT(0)``), and a
  bulk instruction with a length charges it after (``FUEL_USE(n)``): the
  rules are :mod:`wasmrun.semantics.fuel`'s.  With ``stats``, the function
  counts its call (``STATS.enter()``, ``STATS.depth -= 1`` in ``finally``).
  Without them the source has neither.

Security: the source contains only numbers and names made up here; nothing
taken from the module (names, strings) ever reaches it.

The modules
===========

:mod:`~wasmrun.codegen.generator` (the entry points: :func:`generate_function`,
:func:`generate_loop_entry`), :mod:`~wasmrun.codegen.emitter` (the stack of
values, statements, the driver, fuel, assembly into a :class:`GeneratedFunction`),
:mod:`~wasmrun.codegen.numeric`, :mod:`~wasmrun.codegen.memory` (and tables),
:mod:`~wasmrun.codegen.gc` (the GC instructions; the names their code uses:
:mod:`~wasmrun.codegen.gc_names`), :mod:`~wasmrun.codegen.variables`, :mod:`~wasmrun.codegen.control` (what both
forms share), :mod:`~wasmrun.codegen.structured` and :mod:`~wasmrun.codegen.flat`
(the two forms); :mod:`~wasmrun.codegen.inlining` rewrites a body's calls of small
trap-free callees into their bodies before anything else (not when fuel or calls
are counted); :mod:`~wasmrun.codegen.structure` is the pre-pass over a body,
:mod:`~wasmrun.codegen.values` the stack's entries, :mod:`~wasmrun.codegen.alignment`
the known alignment of addresses, :mod:`~wasmrun.codegen.ranges` the ranges of i32 values
(:mod:`~wasmrun.codegen.counters`: its counting loops), :mod:`~wasmrun.codegen.liveness`
the writes the structured form's lines leave unread, :mod:`~wasmrun.codegen.idioms` the
loops it writes as one statement at C speed.  Each form finds its behaviour for an
instruction in its own table, made from the instruction table by
:func:`wasmrun.semantics.dispatch.visitor_table`.  :mod:`~wasmrun.codegen.compiled`
binds the source to an instance.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wasmrun.codegen.emitter import AT, MEMORY, PLAIN, TRAPS, Expressions, GeneratedFunction
    from wasmrun.codegen.generator import generate_function, generate_loop_entry

# The generator is imported on first use (a function getting hot, ``--engine compile``): start-up loads
# only the glue, :mod:`~wasmrun.codegen.compiled`.
_LAZY = {
    "AT": "emitter",
    "MEMORY": "emitter",
    "PLAIN": "emitter",
    "TRAPS": "emitter",
    "Expressions": "emitter",
    "GeneratedFunction": "emitter",
    "generate_function": "generator",
    "generate_loop_entry": "generator",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "AT",
    "MEMORY",
    "PLAIN",
    "TRAPS",
    "Expressions",
    "GeneratedFunction",
    "generate_function",
    "generate_loop_entry",
]
