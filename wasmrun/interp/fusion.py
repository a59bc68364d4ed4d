"""Superinstructions: every fusion the translator does, declared here as data.

The scheme
==========

A function runs as a list of *handlers*, one Python closure per
superinstruction, called as ``pc = code[pc](R)``.  ``R`` is the function's
frame, one flat list: the locals (parameters first), then one slot per
operand-stack depth.  The stack height at each instruction is static in valid
wasm, so a stack operand is just a slot index fixed at translation time, and a
superinstruction reads and writes frame slots directly.  One dispatch costs
about 40 ns, more than most wasm instructions' own work, so the translator
makes every dispatch do as much wasm work as it can:

1. **Operands are folded in** (:data:`OPERAND_INSTRUCTIONS`).  ``local.get x``,
   ``t.const c`` and ``ref.null`` emit no code: they push a *pending operand*
   (local ``x`` or constant ``c``) on the translator's stack, and the
   instruction that consumes it reads ``R[x]`` or the constant (bound into
   the closure) directly.  Every family below is generated for every shape of
   its sources (``r`` register, ``c`` constant), so ``local.get a;
   i32.const 4; i32.add`` is one ``binop`` of shape ``rc``.  A pending local
   is copied to its own slot ("materialised") before anything writes that
   local, and every pending operand is materialised where control flow merges
   (entering a block, loop or if), before a call (arguments are a slice of
   the frame), and where values must sit in particular slots (block results,
   branch values).

2. **Results go straight to locals** (:data:`DESTINATION_INSTRUCTIONS`).  An
   instruction whose result is immediately stored by ``local.set x`` (or
   ``local.tee x``) writes ``R[x]`` itself: ``local.get a; local.get b;
   i32.add; local.set c`` is the single ``R[c] = (R[a] + R[b]) % 2**32``.

3. **Conditions fuse with branches** (:data:`BRANCH_FUSIONS`).  A comparison
   (or ``eqz``) followed by ``br_if`` or ``if`` becomes one compare-and-branch
   handler, e.g. ``i32.lt_s; br_if 0`` with a local and a constant operand is
   ``if S(R[a]) < c: return t`` (``S``: the signed view; of ``c``, computed once).

4. **Control flow is resolved at translation time.**  Branch targets are
   handler indexes; a branch carrying values is preceded by the moves that
   put them in the target label's slots (out of line for ``br_if`` and
   ``br_table``), so nothing is computed about labels at run time.  A branch
   to an unconditional branch, ``return`` or function end takes its target's
   place (jump threading).

5. **Straight-line handlers run as one** (:data:`RUN_MAX_LENGTH`).
   Consecutive handlers that no branch enters are concatenated into one
   closure (a *run*, key ``("run", member keys, "")``), up to
   :data:`RUN_MAX_LENGTH` of them; a conditional branch may sit inside a run
   (``if cond: return target``), an unconditional one ends it.  So a loop
   body ending in a compare-and-branch back to its start is typically one
   dispatch per iteration.  Runs are rarely shared between sites, and each
   distinct one costs a compile (~0.25 ms), so they are made only for hot
   functions (:mod:`wasmrun.engine.interpreter` counts calls and loop
   iterations); a run keeps the handler indexes of its members, so it can be
   patched into a function that is running.  A trap must name the wasm
   instruction that raised it: members after the first that may trap are
   wrapped in ``try`` (free in CPython 3.11 unless raised) to record their
   own offset on the way out.

:data:`FAMILIES` gives the Python body of each superinstruction family; the
interpreter (:mod:`wasmrun.interp.handlers`) generates, on first use, one
closure factory per ``(family, op, shape)`` key from it.  The numeric
expressions ``{E}`` come from :data:`wasmrun.semantics.numeric.NUMERIC_TEMPLATES`
(or, where there is no template, a call of the instruction's function over the
sources: the numeric functions, and the SIMD ones of :mod:`wasmrun.semantics.simd`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wasmrun.semantics.access import TRAPPING_OPS

# --- 1. instructions that become operands instead of code ---------------------------------------

OPERAND_INSTRUCTIONS = frozenset(
    ("local.get", "i32.const", "i64.const", "f32.const", "f64.const", "v128.const", "ref.null")
)
"""Mnemonics of the instructions that push a pending operand (a local or a constant) and emit no code."""

# --- 2. instructions that become the destination of the instruction before them -------------------

DESTINATION_INSTRUCTIONS = frozenset(("local.set", "local.tee"))
"""Mnemonics of the instructions that become the destination of the instruction before them."""

# --- 3. condition + branch --------------------------------------------------------------------------

COMPARISONS = frozenset(
    f"{t}.{name}"
    for t in ("i32", "i64")
    for name in ("eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u")
) | frozenset(f"{t}.{name}" for t in ("f32", "f64") for name in ("eq", "ne", "lt", "gt", "le", "ge"))
"""Binary instructions whose i32 result is a truth value worth branching on directly."""

TESTS = frozenset(("i32.eqz", "i64.eqz"))
"""Unary instructions that branch as the *negation* of their operand (``eqz; br_if`` = branch if zero)."""

BRANCH_FUSIONS: dict[tuple[str, str], str] = {
    ("comparison", "br_if"): "br_if",  # branch when the comparison holds
    ("comparison", "if"): "br_unless",  # jump to else/end when it does not
    ("test", "br_if"): "br_unless",  # eqz x; br_if  = branch when x is zero
    ("test", "if"): "br_if",  # eqz x; if  = jump to else/end when x is non-zero
}
"""``(condition class, control kind of the branch) -> branch family``; a comparison's family is
suffixed with its arity (``br_if.binop``), a test's uses the operand itself."""


# --- 5. runs ---------------------------------------------------------------------------------------

RUN_MAX_LENGTH = 16
"""The most handlers one run concatenates (longer runs: fewer dispatches, more distinct closures to compile)."""


def key_may_trap(key: tuple[str, Any, str]) -> bool:
    """Whether a handler of this key (not a run) can raise a Trap."""
    return FAMILIES[key[0]].may_trap or key[1] in TRAPPING_OPS


# --- the families ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Family:
    """A superinstruction family: its factory's arguments and its handler's body.

    ``args`` are the factory's parameters in IR order (after the binding
    context ``ctx``; the next handler index ``nxt`` comes last).  ``sources``
    are the operands among them: each is a frame index (shape ``r``) or a
    constant (shape ``c``), written ``{name}`` in ``body``.  ``objects`` names
    the arguments that are indexes into one of the instance's lists (``ctx.
    memories`` ...), resolved when the closure is made.  ``prologue`` runs in
    the factory (constants derived from immediates).  ``{E}`` in the body is the
    instruction's expression over its operands, in source order.  A body not
    ending in ``return``/``raise`` falls through to ``return nxt``.
    """

    args: tuple[str, ...]
    sources: tuple[str, ...] = ()
    body: str = ""
    objects: dict[str, str] = field(default_factory=dict)
    prologue: str = ""
    jumps: tuple[str, ...] = ()  # the arguments that are handler indexes (a list of them for br_table)
    falls_through: bool = True  # False: every path leaves by ``return``/``raise`` (ends a run)
    may_trap: bool = False  # whether the handler can raise a Trap (calls: the callee's included)

    def __post_init__(self) -> None:
        for name in self.sources + tuple(self.objects) + self.jumps:
            if name not in self.args:
                raise ValueError(f"{name!r} is not an argument of the family")


_CALL_INDIRECT_CHECK = """\
i = {x}
elements = tab.elements
f = elements[i] if i < len(elements) else None
if f is None or f.type is not ty:
    f = resolve_indirect(elements, i, ty)
"""

# Memory access: ``{ACCESS}`` and ``{CONVERT}`` come from LOADS/STORES (wasmrun.semantics.access).  Only the access itself is
# inside ``try``; on an error, ``check_bounds`` raises the trap if the access was out of bounds, and
# anything else (an engine bug) is re-raised as it is.
_LOAD = """\
ea = {x} + off
try:
    v = {ACCESS}
except {ERROR}:
    check_bounds(mem, ea, {WIDTH})
    raise
R[d] = {CONVERT}
"""

_STORE = """\
ea = {x} + off
v = {CONVERT}
try:
    {ACCESS}
except {ERROR}:
    check_bounds(mem, ea, {WIDTH})
    raise
"""

# The 16-byte accesses of v128.load/v128.store (struct format ``<16s``), as _LOAD/_STORE.
_V128_LOAD = """\
ea = {x} + off
try:
    v = V128_UNPACK(mem.view, ea)[0]
except STRUCT_ERROR:
    check_bounds(mem, ea, 16)
    raise
R[d] = V128_FROM_BYTES(v, "little")
"""

_V128_STORE = """\
ea = {x} + off
v = {y}.to_bytes(16, "little")
try:
    V128_PACK(mem.view, ea, v)
except STRUCT_ERROR:
    check_bounds(mem, ea, 16)
    raise
"""

_CALL_REF_CHECK = "f = {x}\nif f is None:\n    raise Trap(TRAP_NULL_FUNCTION_REFERENCE)"

FAMILIES: dict[str, Family] = {
    # Data movement and numeric instructions.
    "move": Family(("d", "x"), ("x",), "R[d] = {x}"),
    "unop": Family(("d", "x"), ("x",), "R[d] = {E}"),
    "binop": Family(("d", "x", "y"), ("x", "y"), "R[d] = {E}"),
    # SIMD (see wasmrun.interp.simd_translation): three sources (v128.bitselect; an immediate and two operands).
    "ternop": Family(("d", "x", "y", "z"), ("x", "y", "z"), "R[d] = {E}"),
    # Wide arithmetic (i64.add128, i64.sub128): four sources; its tuple of results is split by ``tuple.N`` unops.
    "quadop": Family(("d", "x", "y", "z", "w"), ("x", "y", "z", "w"), "R[d] = {E}"),
    "select": Family(("d", "x", "y", "z"), ("x", "y", "z"), "R[d] = {x} if {z} else {y}"),
    # Control.  A conditional branch falls through (to the next handler, or the rest of its run).
    "br": Family(("t",), (), "return t", jumps=("t",), falls_through=False),
    "br_if": Family(("x", "t"), ("x",), "if {x}:\n    return t", jumps=("t",)),
    "br_unless": Family(("x", "t"), ("x",), "if not {x}:\n    return t", jumps=("t",)),
    "br_if.unop": Family(("x", "t"), ("x",), "if {E}:\n    return t", jumps=("t",)),
    "br_unless.unop": Family(("x", "t"), ("x",), "if not {E}:\n    return t", jumps=("t",)),
    "br_if.binop": Family(("x", "y", "t"), ("x", "y"), "if {E}:\n    return t", jumps=("t",)),
    "br_unless.binop": Family(("x", "y", "t"), ("x", "y"), "if not {E}:\n    return t", jumps=("t",)),
    "br_table": Family(
        ("x", "targets"),
        ("x",),
        "i = {x}\nreturn targets[i] if i < n else default",
        prologue="n = len(targets) - 1\ndefault = targets[n]\ntargets = tuple(targets)",
        jumps=("targets",),
        falls_through=False,
    ),
    "exit": Family((), (), "return 0", falls_through=False),
    "ret": Family(("d", "x"), ("x",), "R[d] = {x}\nreturn 0", falls_through=False),
    "unreachable": Family((), (), "raise Trap(TRAP_UNREACHABLE)", falls_through=False, may_trap=True),
    # Exception handling: the payload is the frame slice R[a:b]; a try_table catches in the entry.
    "throw": Family(
        ("tag", "a", "b"),
        (),
        "raise WasmException(ExceptionInstance(tag, R[a:b]))",
        {"tag": "tags"},
        falls_through=False,
        may_trap=True,
    ),
    "throw_ref": Family(
        ("x",),
        ("x",),
        "e = {x}\nif e is None:\n    raise Trap(TRAP_NULL_EXCEPTION_REFERENCE)\nraise WasmException(e)",
        falls_through=False,
        may_trap=True,
    ),
    # Calls: the arguments are the frame slice R[a:b]; results go to R[d] or R[a:e].
    "call.0": Family(("f", "a", "b"), (), "f.entry(R[a:b])", {"f": "functions"}, may_trap=True),
    "call.1": Family(("f", "a", "b", "d"), (), "R[d] = f.entry(R[a:b])", {"f": "functions"}, may_trap=True),
    "call.n": Family(("f", "a", "b", "e"), (), "R[a:e] = f.entry(R[a:b])", {"f": "functions"}, may_trap=True),
    "call_indirect.0": Family(
        ("ty", "tab", "x", "a", "b"),
        ("x",),
        _CALL_INDIRECT_CHECK + "f.entry(R[a:b])",
        {"ty": "types", "tab": "tables"},
        may_trap=True,
    ),
    "call_indirect.1": Family(
        ("ty", "tab", "x", "a", "b", "d"),
        ("x",),
        _CALL_INDIRECT_CHECK + "R[d] = f.entry(R[a:b])",
        {"ty": "types", "tab": "tables"},
        may_trap=True,
    ),
    "call_indirect.n": Family(
        ("ty", "tab", "x", "a", "b", "e"),
        ("x",),
        _CALL_INDIRECT_CHECK + "R[a:e] = f.entry(R[a:b])",
        {"ty": "types", "tab": "tables"},
        may_trap=True,
    ),
    # Tail calls: the callee and its arguments left for the entry to call (see wasmrun.runtime.functions).
    "return_call": Family(
        ("f", "a", "b"), (), "R.append(TailCall(f, R[a:b]))\nreturn 0", {"f": "functions"}, falls_through=False
    ),
    "return_call_indirect": Family(
        ("ty", "tab", "x", "a", "b"),
        ("x",),
        "R.append(TailCall(tail_callee(tab.elements, {x}, ty), R[a:b]))\nreturn 0",
        {"ty": "types", "tab": "tables"},
        falls_through=False,
        may_trap=True,
    ),
    # Typed function references.
    "call_ref.0": Family(("x", "a", "b"), ("x",), _CALL_REF_CHECK + "\nf.entry(R[a:b])", may_trap=True),
    "call_ref.1": Family(("x", "a", "b", "d"), ("x",), _CALL_REF_CHECK + "\nR[d] = f.entry(R[a:b])", may_trap=True),
    "call_ref.n": Family(("x", "a", "b", "e"), ("x",), _CALL_REF_CHECK + "\nR[a:e] = f.entry(R[a:b])", may_trap=True),
    "return_call_ref": Family(
        ("x", "a", "b"),
        ("x",),
        _CALL_REF_CHECK + "\nR.append(TailCall(f, R[a:b]))\nreturn 0",
        falls_through=False,
        may_trap=True,
    ),
    "null_check": Family(("x",), ("x",), "if {x} is None:\n    raise Trap(TRAP_NULL_REFERENCE)", may_trap=True),
    # Globals.
    "global.get": Family(("d", "g"), (), "R[d] = g.value", {"g": "globals"}),
    "global.set": Family(("g", "x"), ("x",), "g.value = {x}", {"g": "globals"}),
    # Memory.
    "load": Family(("d", "x", "off", "mem"), ("x",), _LOAD, {"mem": "memories"}, may_trap=True),
    "store": Family(("x", "y", "off", "mem"), ("x", "y"), _STORE, {"mem": "memories"}, may_trap=True),
    "v128.load": Family(("d", "x", "off", "mem"), ("x",), _V128_LOAD, {"mem": "memories"}, may_trap=True),
    "v128.store": Family(("x", "y", "off", "mem"), ("x", "y"), _V128_STORE, {"mem": "memories"}, may_trap=True),
    # Atomic accesses (threads): a call of the instruction's function (wasmrun.semantics.atomics).
    "atomic.1": Family(
        ("d", "x", "off", "mem"), ("x",), "R[d] = {OP}(mem, {x}, off)", {"mem": "memories"}, may_trap=True
    ),
    "atomic.2": Family(
        ("d", "x", "y", "off", "mem"), ("x", "y"), "R[d] = {OP}(mem, {x}, {y}, off)", {"mem": "memories"}, may_trap=True
    ),
    "atomic.3": Family(
        ("d", "x", "y", "z", "off", "mem"),
        ("x", "y", "z"),
        "R[d] = {OP}(mem, {x}, {y}, {z}, off)",
        {"mem": "memories"},
        may_trap=True,
    ),
    "atomic.store": Family(
        ("x", "y", "off", "mem"), ("x", "y"), "{OP}(mem, {x}, {y}, off)", {"mem": "memories"}, may_trap=True
    ),
    "memory.size": Family(("d", "mem"), (), "R[d] = mem.pages", {"mem": "memories"}),
    "memory.grow": Family(
        ("d", "x", "mem"), ("x",), "r = mem.grow({x})\nR[d] = r if r >= 0 else mem.grow_failed", {"mem": "memories"}
    ),
    "memory.fill": Family(
        ("mem", "p", "v", "n"), ("p", "v", "n"), "mem.fill({p}, {v}, {n})", {"mem": "memories"}, may_trap=True
    ),
    "memory.copy": Family(
        ("mem", "p", "q", "n"), ("p", "q", "n"), "mem.copy({p}, {q}, {n})", {"mem": "memories"}, may_trap=True
    ),
    "memory.copy.between": Family(
        ("mem", "src", "p", "q", "n"),
        ("p", "q", "n"),
        "mem.copy_from({p}, src, {q}, {n})",
        {"mem": "memories", "src": "memories"},
        may_trap=True,
    ),
    "memory.init": Family(
        ("mem", "seg", "p", "q", "n"),
        ("p", "q", "n"),
        "mem.init({p}, datas[seg], {q}, {n})",
        {"mem": "memories"},
        prologue="datas = ctx.datas",
        may_trap=True,
    ),
    "data.drop": Family(("seg",), (), "datas[seg] = b''", prologue="datas = ctx.datas"),
    # Tables and references.
    "table.get": Family(("d", "tab", "x"), ("x",), "R[d] = tab.get({x})", {"tab": "tables"}, may_trap=True),
    "table.set": Family(("tab", "x", "y"), ("x", "y"), "tab.set({x}, {y})", {"tab": "tables"}, may_trap=True),
    "table.size": Family(("d", "tab"), (), "R[d] = len(tab.elements)", {"tab": "tables"}),
    "table.grow": Family(
        ("d", "tab", "v", "n"),
        ("v", "n"),
        "r = tab.grow({n}, {v})\nR[d] = r if r >= 0 else tab.grow_failed",
        {"tab": "tables"},
    ),
    "table.fill": Family(
        ("tab", "p", "v", "n"), ("p", "v", "n"), "tab.fill({p}, {v}, {n})", {"tab": "tables"}, may_trap=True
    ),
    "table.copy": Family(
        ("tab", "src", "p", "q", "n"),
        ("p", "q", "n"),
        "tab.copy({p}, src, {q}, {n})",
        {"tab": "tables", "src": "tables"},
        may_trap=True,
    ),
    "table.init": Family(
        ("tab", "seg", "p", "q", "n"),
        ("p", "q", "n"),
        "tab.init({p}, elements[seg], {q}, {n})",
        {"tab": "tables"},
        prologue="elements = ctx.elements",
        may_trap=True,
    ),
    "elem.drop": Family(("seg",), (), "elements[seg] = ()", prologue="elements = ctx.elements"),
    "ref.func": Family(("d", "f"), (), "R[d] = f", {"f": "functions"}),
    # GC (wasmrun.interp.gc_translation): the instruction's function over its operands at R[first:].
    "gc.1": Family(("d", "imm", "first"), (), "R[d] = {OP}(inst, imm, R, first)", prologue="inst = ctx", may_trap=True),
    "gc.0": Family(("imm", "first"), (), "{OP}(inst, imm, R, first)", prologue="inst = ctx", may_trap=True),
}


# --- fuel: only in code translated for metering (see wasmrun.semantics.fuel) --------------------------

# ``meter`` is every factory's parameter: the run's FuelMeter (wasmrun.engine.meters), bound as a value.


def _fuel_families() -> dict[str, Family]:
    """The metering families: a segment's charge, a check, and the bulk instructions charging their length.

    ``fuel`` starts a segment (``cost``: the segment's); ``fuel.check`` starts a
    function (``base`` 1: the entry's cost) or a loop (``base`` 0) and traps
    when the fuel left is not more than ``base``.  ``<bulk>.fuel`` is the bulk
    instruction, then its length charged and checked (a grow's only if it grew).
    """
    made = {
        "fuel": Family(("cost",), (), "meter.fuel -= cost"),
        "fuel.check": Family(
            ("base", "cost"),
            (),
            "if meter.fuel <= base:\n    meter.exhausted(base)\nmeter.fuel -= cost",
            may_trap=True,
        ),
        "memory.grow.fuel": Family(
            ("d", "x", "mem"),
            ("x",),
            "n = {x}\nr = mem.grow(n)\nR[d] = r if r >= 0 else mem.grow_failed\nif r >= 0:\n    meter.use(n)",
            {"mem": "memories"},
            may_trap=True,
        ),
        "table.grow.fuel": Family(
            ("d", "tab", "v", "n"),
            ("v", "n"),
            "k = {n}\nr = tab.grow(k, {v})\nR[d] = r if r >= 0 else tab.grow_failed\nif r >= 0:\n    meter.use(k)",
            {"tab": "tables"},
            may_trap=True,
        ),
        # The bulk GC instructions: the length (the last operand, read first: the result may overwrite it).
        "gc.1.fuel": Family(
            ("d", "imm", "first", "last"),
            (),
            "n = R[last]\nR[d] = {OP}(inst, imm, R, first)\nmeter.use(n)",
            prologue="inst = ctx",
            may_trap=True,
        ),
        "gc.0.fuel": Family(
            ("imm", "first", "last"),
            (),
            "{OP}(inst, imm, R, first)\nmeter.use(R[last])",
            prologue="inst = ctx",
            may_trap=True,
        ),
    }
    for name in (
        "memory.fill",
        "memory.copy",
        "memory.copy.between",
        "memory.init",
        "table.fill",
        "table.copy",
        "table.init",
    ):
        family = FAMILIES[name]
        length = "{" + family.sources[-1] + "}"
        made[f"{name}.fuel"] = Family(
            family.args,
            family.sources,
            f"{family.body}\nmeter.use({length})",
            family.objects,
            family.prologue,
            may_trap=True,
        )
    return made


FUEL_FAMILIES = _fuel_families()
FAMILIES.update(FUEL_FAMILIES)

EXTRA_EXPRESSIONS: dict[str, str] = {
    "ref.is_null": "({a} is None)",
    # The results of a multi-result numeric instruction, from the tuple its function returns.
    "tuple.0": "{a}[0]",
    "tuple.1": "{a}[1]",
}
"""Expressions ``{E}`` for the non-numeric instructions translated as ``unop``."""
