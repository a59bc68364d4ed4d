"""Code generation: one validated wasm function -> the source of one Python function.

The scheme (read once)
======================

* **Values.**  Wasm locals are Python locals ``l0, l1, ...`` (parameters
  first, as the Python function's positional parameters).  The operand stack
  exists only at translation time: each entry is a Python expression (see
  :mod:`~wasmrun.compile.codegen.values`), so ``local.get 0; i32.const 1;
  i32.add; local.set 0`` is the one line ``l0 = (l0 + 1) % 4294967296``.
  Integers are canonical unsigned ints, masked by each instruction's
  expression (the numeric templates of :mod:`wasmrun.interp.numeric`, passed
  in as :class:`Expressions`: one place for each rule).
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
  (:mod:`~wasmrun.compile.codegen.alignment`), and where it is unknown but
  the instruction's hint promises it, the access tests it first (``V0_I[l1 >>
  2] if not l1 & 3 else U32_UNPACK(V0, l1)[0]``).  An aligned access cannot
  straddle the end of memory (its size divides the page size), so the view's
  own bounds check gives the exact trap.
  A failed access raises ``IndexError``/``struct.error``; the function-level
  ``except`` turns it into the out-of-bounds trap only if it comes from a
  memory-access line (``MEMORY_TRAP``, provided by the runtime).
* **Control.**  Structured control flow becomes structured Python
  (:class:`StructuredGenerator`): a ``loop`` that is branched to is a
  ``while True:`` (``br`` = ``continue``, falling off its end = ``break``); a
  ``block`` that is branched to only by ``br``/``br_if`` in its own body
  becomes nested ``if``\\ s (``br_if`` = ``if not c:`` around the rest of the
  block); any other branched-to block or ``if`` is wrapped in ``while True:
  ... break``.  A branch that must leave several Python loops sets ``br`` to
  its target's id and breaks; after each inner loop, ``if br:`` dispatches
  (only where such branches exist: the test runs once per loop exit).
  Values carried by branches go through result variables ``r<id>_<k>`` (loop
  parameters: ``p<id>_<k>``).  ``br_table`` becomes a binary tree of range
  tests.
* **The flat form** (:class:`FlatGenerator`), for functions beyond CPython's
  static limits (20 nested loops, 100 indentation levels): basic blocks in one
  ``while True:`` loop, dispatched on ``b`` by a binary tree of ``if``\\ s; a
  branch is ``b = <block>; continue``.  It is also how execution enters a
  function at a loop head (on-stack replacement): the entry block is a
  parameter.

* **Limits, only when asked.**  With ``fuel``, each segment of straight-line
  code starts with its charge (``FUEL.fuel -= 5``), the function's entry and
  each loop header with a check (``if FUEL.fuel <= 0: FUEL_OUT(0)``), and a
  bulk instruction with a length charges it after (``FUEL_USE(n)``): the
  rules are :mod:`wasmrun.compile.fuel`'s.  With ``stats``, the function
  counts its call (``STATS.enter()``, ``STATS.depth -= 1`` in ``finally``).
  Without them the source has neither.

Security: the source contains only numbers and names made up here; nothing
taken from the module (names, strings) ever reaches it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wasmrun.binary.instructions import decode_function_body
from wasmrun.compile import fuel as fuel_rules
from wasmrun.compile.codegen.alignment import (
    ALIGN_CAP,
    Alignment,
    Node,
    constant_alignment,
    highest,
    lowest,
    product,
    shifted,
    solve,
)
from wasmrun.compile.codegen.structure import FUNCTION, Construct, Structure, analyse
from wasmrun.compile.codegen.values import EMPTY, NO_CONSTANT, Value, int_literal, local_name
from wasmrun.compile.dispatch import NUMERIC_OPCODES, instruction_table
from wasmrun.compile.fusion import LOADS, STORES, TRAPPING_OPS
from wasmrun.errors import UnsupportedInstruction
from wasmrun.floats import f32_from_bits, f64_from_bits
from wasmrun.module import Module
from wasmrun.opcodes import (
    BLOCK,
    BR,
    BR_IF,
    BR_TABLE,
    CALL,
    CALL_INDIRECT,
    DROP,
    ELSE,
    END,
    F32_CONST,
    F64_CONST,
    GLOBAL_GET,
    GLOBAL_SET,
    I32_CONST,
    I64_CONST,
    IF,
    LOCAL_GET,
    LOCAL_SET,
    LOCAL_TEE,
    LOOP,
    NOP,
    OPCODES,
    PREFIX_SIMD,
    REF_FUNC,
    REF_IS_NULL,
    REF_NULL,
    RETURN,
    SELECT,
    SELECT_T,
    UNREACHABLE,
)
from wasmrun.types import FuncType, ValType

# Line kinds: what a line can raise, for the line -> offset maps.
PLAIN = 0
TRAPS = 1  # a call or an instruction that may raise Trap: its offset is the frame's
MEMORY = 2  # a memory access: IndexError/struct.error from it is the out-of-bounds trap
AT = 3  # the re-raise of a memory trap: the offset is on the trap (``trap.at``)
HOIST = 4  # a placeholder before a loop for loop-invariant statements (``offset`` is the loop's construct id)

# CPython's static limits, with a margin: 20 nested blocks (loops, and the function's try), 100
# indentation levels, 200 nested parentheses.
MAX_PYTHON_LOOPS = 17
MAX_INDENT = 85
MAX_EXPRESSION_DEPTH = 40

NEST_LIMIT = 8  # a block with more top-level br_if's than this becomes a loop rather than nested ifs

STRUCT_NAMES = {"<I": "U32", "<Q": "U64", "<H": "U16", "<d": "F64"}
_SIZES = {"<I": 4, "<Q": 8, "<H": 2, "<d": 8}
"""Struct formats of memory accesses -> the name prefix of their pre-bound methods (``U32_UNPACK``, ``U32_PACK``)."""

_ZERO_LITERALS = {
    ValType.I32: "0",
    ValType.I64: "0",
    ValType.F32: "0.0",
    ValType.F64: "0.0",
    ValType.FUNCREF: "None",
    ValType.EXTERNREF: "None",
}

_V_WORD = re.compile(r"\bv\b")
_IDENTITIES = {"add": 0, "sub": 0, "or": 0, "xor": 0, "shl": 0, "mul": 1}  # right operands that change nothing
_MASKED_STORE = re.compile(r"\{y\} & (\d+)")
_ALIGNMENT_KEEPING = frozenset(("i32.wrap_i64", "i64.extend_i32_u"))  # results with their operand's low bits

Range = tuple[int, int | None, int]
"""``(low, high, depth)``: the ``br_table`` indexes from low up to high (None: unbounded) branch to depth."""

LOOKUP_MIN_RANGES = 16
"""A ``br_table`` with more ranges than this maps its index through a constant tuple first."""


def _index(base: str, shift: int, k: int) -> str:
    """The typed-view index of the address ``base`` (an atom) plus ``k`` elements."""
    return f"({base} >> {shift}) + {k}" if k else f"{base} >> {shift}"


_PLACEHOLDERS = ("{a}", "{b}")


class _NumericPlan:
    """What the generator does with one numeric mnemonic, worked out once per :class:`Expressions`."""

    __slots__ = (
        "bits",
        "division",
        "fold",
        "identity",
        "keeps_alignment",
        "operation",
        "parens",
        "raw_operand",
        "template",
        "views",
        "wrapping",
    )

    def __init__(self, expressions: Expressions, mnemonic: str, arity: int) -> None:
        function = expressions.functions.get(mnemonic)
        self.fold = function if mnemonic not in TRAPPING_OPS else None  # for constant operands
        wrapping = expressions.wrapping.get(mnemonic)
        self.wrapping = wrapping or ""
        self.bits = (64 if mnemonic[1] == "6" else 32) if wrapping is not None else 0
        self.operation = mnemonic[4:]
        self.identity = _IDENTITIES.get(self.operation) if wrapping is not None else None
        template = expressions.templates.get(mnemonic)
        self.template = template if template is not None and mnemonic not in TRAPPING_OPS else ""
        self.raw_operand = mnemonic in expressions.raw_operand
        self.parens = self.template.count("(")
        # Per operand: the signed views of it the template contains, as (bits, text).
        self.views = tuple(
            tuple(
                (bits, view.replace("{x}", placeholder))
                for bits, view in expressions.signed_views.items()
                if view.replace("{x}", placeholder) in self.template
            )
            for placeholder in _PLACEHOLDERS[:arity]
        )
        self.keeps_alignment = mnemonic in _ALIGNMENT_KEEPING
        self.division = expressions.divisions.get(mnemonic, "")


_PLANS: dict[int, tuple[Expressions, dict[str, _NumericPlan]]] = {}


def _plans(expressions: Expressions) -> dict[str, _NumericPlan]:
    """The numeric plans for ``expressions`` (made once; keyed by identity, the object kept alive)."""
    found = _PLANS.get(id(expressions))
    if found is None or found[0] is not expressions:
        plans = {
            info.mnemonic: _NumericPlan(expressions, info.mnemonic, len(info.params or ()))
            for info in NUMERIC_OPCODES.values()
        }
        found = _PLANS[id(expressions)] = (expressions, plans)
    return found[1]


class TooDeep(Exception):
    """The structured form would exceed a CPython static limit (use the flat form)."""


@dataclass(frozen=True)
class Expressions:
    """The numeric rules the generator writes out (from :mod:`wasmrun.interp.numeric`).

    ``templates``: mnemonic -> expression with ``{a}``/``{b}`` (atoms);
    instructions without one become a call of their function, named after the
    mnemonic (``i32_div_s``).  ``signed_views``: bits -> the template text of
    a signed view with ``{x}``, folded for constant operands.  ``functions``:
    mnemonic -> function, to fold instructions whose operands are all
    constants.  Lazy masking: ``wrapping`` gives the templates whose result
    (and operands) need only be right modulo 2**bits, ``reduce`` the ``%`` and
    ``&`` forms that make such a value canonical, and ``raw_operand`` the
    templates that accept an unreduced operand.  ``divisions``: the integer
    divisions and remainders by a divisor that cannot trap, inlined for a
    positive constant divisor (and, unsigned, for a variable one tested first).
    """

    templates: Mapping[str, str]
    signed_views: Mapping[int, str] = field(default_factory=dict)
    functions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    wrapping: Mapping[str, str] = field(default_factory=dict)
    reduce: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    raw_operand: frozenset[str] = frozenset()
    divisions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GeneratedFunction:
    """The Python source of one wasm function, and what the runtime needs to run it.

    ``source`` defines one function, ``name``, whose positional parameters are
    the wasm parameters (``osr_params`` more for an on-stack-replacement
    entry); it returns ``None``, the value, or a tuple of the results.
    ``lines`` maps a line number (of ``source``, from 1) to ``(kind, offset)``
    for the lines that can raise (calls, trapping instructions, memory
    accesses, the memory trap's re-raise).  ``memory_lines`` is the
    line -> offset map of memory accesses, which the source refers to as
    ``<name>_ML``; ``constants`` are other names the source needs besides the
    instance's (float constants without a literal).  ``positions`` gives, for
    each line of the body in order, ``(line, offset of the wasm instruction it
    was generated for)`` (-1: none): where an asynchronous trap (a timeout,
    at a call or a loop's back edge) says it stopped.
    """

    function_index: int
    name: str
    source: str
    lines: dict[int, tuple[int, int]]
    memory_lines: dict[int, int]
    constants: dict[str, Any]
    form: str  # "structured" or "flat"
    line_count: int
    osr_params: tuple[str, ...] = ()
    osr_heights: tuple[int, ...] = ()  # the operand-stack heights of the OSR parameters after the locals
    positions: tuple[tuple[int, int], ...] = ()


class _Ctrl:
    """An open construct during generation."""

    __slots__ = (
        "align_entry",
        "align_incoming",
        "align_nodes",
        "base",
        "construct",
        "dead",
        "escapes",
        "form",
        "hoisted",
        "label",
        "nests",
        "other",
        "params",
        "results",
        "saved",
    )

    def __init__(self, construct: Construct, base: int, form: str, dead: bool = False) -> None:
        self.construct = construct
        self.base = base  # stack height below the construct's parameters
        self.form = form  # "plain", "nest", "loop" (a Python while) or "function"
        self.dead = dead
        self.results: list[str] | None = None  # result variables, when paths merge at the end
        self.params: list[str] | None = None  # loop parameter variables, when the loop is branched to
        self.saved: list[Value] = []  # an if's parameters, for its else arm
        self.nests = 0  # open if-nests of this construct's current arm
        self.escapes: set[_Ctrl] = set()  # targets of branches that leave this Python loop by the flag
        self.label: int | None = None  # flat form: the basic block of the label
        self.other = 0  # flat form: an if's else block
        self.hoisted: dict[str, str] = {}  # a loop's invariant expressions -> the names computed before it
        # Alignment of locals (see alignment.py): an if's state at entry, the states branches bring to the
        # end of a block or if, and a branched-to loop's node per local it writes.
        self.align_entry: list[Alignment] = []
        self.align_incoming: list[list[Alignment]] = []
        self.align_nodes: dict[int, Node] = {}


class _Deferred:
    """A memory access whose form waits for the alignment of its address (a node, solved at assembly)."""

    __slots__ = ("aligned", "alignment", "otherwise", "shift")

    def __init__(self, alignment: Node, shift: int, aligned: str, otherwise: str) -> None:
        self.alignment = alignment
        self.shift = shift
        self.aligned = aligned
        self.otherwise = otherwise

    def text(self) -> str:
        return self.aligned if self.alignment.value >= self.shift else self.otherwise


class _Generator:
    """What both forms share: values, statements, and the driver."""

    form = ""

    def __init__(
        self,
        module: Module,
        function_index: int,
        expressions: Expressions,
        name: str,
        *,
        instructions: list[tuple[int, Any, int]] | None = None,
        structure: Structure | None = None,
        slots_per_frame: int = 0,
        typed_views: frozenset[str] = frozenset(),
        fuel: bool = False,
        stats: bool = False,
    ) -> None:
        self.slots_per_frame = slots_per_frame
        self.typed_views = typed_views
        # Metering and counting, generated only when asked (see _Generator.account and assemble).
        self.fuel = fuel
        self.stats = stats
        self.charge: tuple[list[tuple[int, str, int, int]], int] | None = None  # the segment's charge line
        self.pending = 0
        self.module = module
        self.index = function_index
        self.expressions = expressions
        self.plans = _plans(expressions)
        self.name = name
        self.type: FuncType = module.func_type(function_index)
        body = module.body(function_index)
        self.declared = [valtype for count, valtype in body.locals for _ in range(count)]
        self.nparams = len(self.type.params)
        self.instructions = instructions if instructions is not None else decode_function_body(module.raw, body)
        self.structure = structure or analyse(module, self.instructions, len(self.type.results), self.nparams)
        self.stack: list[Value] = []
        self.ctrls: list[_Ctrl] = []
        self.lines: list[tuple[int, str, int, int]] = []  # (indent, text, kind, offset)
        self.headers: list[int] = []
        self.indent = 0
        self.temps = 0
        self.constants: dict[str, Any] = {}
        self.live = True
        self.position = 0
        self.offset = 0
        self.skip = 0
        self.uses_flag = False
        # The known alignment of each local here (parameters: unknown; declared locals start as zero).
        self.local_align: list[Alignment] = [0] * self.nparams
        self.local_align += [ALIGN_CAP] * len(self.declared)
        self.align_nodes: list[Node] = []
        self.deferred: list[_Deferred] = []  # memory accesses waiting for the alignment nodes (see assemble)

    # --- output ---------------------------------------------------------------------------------

    def emit(self, text: str, kind: int = PLAIN) -> None:
        self.lines.append((self.indent, text, kind, self.offset))

    def open(self, header: str) -> None:
        self.emit(header)
        self.headers.append(len(self.lines))
        self.indent += 1
        if self.indent > MAX_INDENT:
            raise TooDeep("indentation")

    def close(self) -> None:
        start = self.headers.pop()
        if len(self.lines) == start:
            self.emit("pass")
        self.indent -= 1

    def temp(self) -> str:
        self.temps += 1
        return f"t{self.temps}"

    # --- the stack ------------------------------------------------------------------------------

    def push(self, value: Value) -> None:
        self.stack.append(value)

    def canonical(self, value: Value) -> Value:
        """``value`` reduced to its canonical form if it is a lazily masked integer."""
        if not value.wrap:
            return value
        template = self.expressions.reduce[value.wrap][1 if value.wide else 0]
        return Value(template.replace("{x}", value.code), value.reads, depth=value.depth + 1, align=value.align)

    def pop(self) -> Value:
        """The top entry, canonical (what every instruction but the wrapping ones needs)."""
        return self.canonical(self.stack.pop())

    def pop_raw(self) -> Value:
        return self.stack.pop()

    def materialize(self, index: int) -> None:
        """Put stack entry ``index`` in a temporary (unless it is one already, or a constant)."""
        value = self.stack[index]
        if value.stable:
            return
        name = self.temp()
        self.emit(f"{name} = {self.canonical(value).code}")
        self.stack[index] = Value(name, simple=True, align=value.align)

    def spill(self, local: int) -> None:
        """Before ``local`` is written: materialise the pending entries that read it."""
        for index, value in enumerate(self.stack):
            if local in value.reads:
                self.materialize(index)

    def assign(self, names: list[str], values: list[Value]) -> None:
        pairs = [(name, value.code) for name, value in zip(names, values) if name != value.code]
        if not pairs:
            return
        if len(pairs) == 1:
            self.emit(f"{pairs[0][0]} = {pairs[0][1]}")
        else:
            self.emit(f"{', '.join(p[0] for p in pairs)} = {', '.join(p[1] for p in pairs)}")

    def top(self, count: int) -> list[Value]:
        """The top ``count`` entries (canonical), left on the stack."""
        return [self.canonical(value) for value in self.stack[len(self.stack) - count :]] if count else []

    def constant(self, value: Any) -> Value:
        """The entry of a constant: a literal, or a name for values without one (NaN, inf, -0.0, references)."""
        if type(value) is int and value >= 0:  # the common case first
            align = (value & -value).bit_length() - 1 if value else ALIGN_CAP
            return Value(str(value), simple=True, constant=value, align=align if align < ALIGN_CAP else ALIGN_CAP)
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, int):
            return Value(int_literal(value), simple=True, constant=value, align=constant_alignment(value))
        if value is None:
            return Value("None", simple=True, constant=None)
        if isinstance(value, float) and math.isfinite(value) and math.copysign(1.0, value) > 0:
            return Value(repr(value), simple=True, constant=value)
        if isinstance(value, float) and math.isfinite(value) and value != 0.0:
            return Value(f"({value!r})", simple=True, constant=value)
        name = f"{self.name}_K{len(self.constants)}"
        self.constants[name] = value
        return Value(name, simple=True, constant=value)

    # --- the driver -----------------------------------------------------------------------------

    def generate(self) -> GeneratedFunction:
        self.open_function()
        handlers = _HANDLERS
        instructions = self.instructions
        position = 0
        count = len(instructions)
        if self.fuel:
            self.offset = fuel_rules.entry_offset(self.module, self.index)
            self.fuel_check(fuel_rules.ENTRY_COST)
        while position < count:
            opcode, immediate, offset = instructions[position]
            self.position = position
            self.offset = offset
            self.skip = 0
            if self.live or opcode in _STRUCTURE:
                handler = handlers.get(opcode)
                if handler is None:
                    self.unsupported(opcode)
                elif self.fuel and self.live:
                    if self.charge is None:
                        self.charge_line()
                    handler(self, immediate)
                    self.account(position, position + self.skip)
                else:
                    handler(self, immediate)
            position += 1 + self.skip
        return self.assemble()

    # --- fuel (only with ``fuel``; the rules: wasmrun.compile.fuel) --------------------------------

    def fuel_check(self, base: int) -> None:
        """A check (function entry: ``base`` 1, its cost; loop header: 0), then the charge of its segment."""
        self.emit(f"if FUEL.fuel <= {base}: FUEL_OUT({base})", TRAPS)
        self.charge_line()
        self.pending = base

    def charge_line(self) -> None:
        """Where a segment starts: its charge, written once the segment's cost is known."""
        self.emit("pass")
        self.charge = (self.lines, len(self.lines) - 1)

    def account(self, first: int, last: int) -> None:
        """Add the instructions ``first..last`` (just generated) to their segments; write a finished charge.

        A loop's header starts with its check (where the loop instruction left the
        code: its ``while``, or its block).  A ``local.set`` fused into a call
        belongs to the segment after the call.
        """
        for position in range(first, last + 1):
            opcode = self.instructions[position][0]
            self.pending += fuel_rules.static_cost(self.instructions, position)
            if not fuel_rules.ends_segment(self.instructions, position):
                continue
            if self.charge is not None:
                lines, index = self.charge
                indent, _text, _kind, offset = lines[index]
                if self.pending:
                    lines[index] = (indent, f"FUEL.fuel -= {self.pending}", PLAIN, offset)
                self.charge = None
                self.pending = 0
            if opcode == LOOP:
                self.fuel_check(0)

    def bulk_length(self) -> str | None:
        """For a bulk instruction that charges its length when it runs: the length (top of the stack) as
        an atom, to charge after the instruction; else None."""
        if not (self.fuel and fuel_rules.checked_at_run_time(self.instructions, self.position)):
            return None
        self.materialize(len(self.stack) - 1)
        return self.stack[-1].code

    def destination(self) -> tuple[str, bool]:
        """Where a statement puts its one result: ``(name, push it)``.

        The next instruction's local when that is a ``local.set``/``tee``
        (which is then skipped), else a new temporary.
        """
        opcode, index, _offset = self.instructions[self.position + 1]
        if opcode in (LOCAL_SET, LOCAL_TEE):
            self.spill(index)
            self.skip = 1
            self.local_align[index] = 0  # a loaded value, a call's result...
            return local_name(index), opcode == LOCAL_TEE
        return self.temp(), True

    def push_result(self, name: str) -> None:
        """Push a statement's result held in ``name`` (a temporary or, after a tee, a local)."""
        if name[0] == "l":
            index = int(name[1:])
            self.push(Value(name, frozenset((index,)), simple=True, align=self.local_align[index]))
        else:
            self.push(Value(name, simple=True))

    def unsupported(self, opcode: int) -> None:
        info = OPCODES.get(opcode)
        name = info.mnemonic if info is not None else f"opcode 0x{opcode:x}"
        if opcode >> 8 == PREFIX_SIMD:
            raise UnsupportedInstruction(f"unsupported instruction: SIMD ({name}) is not executed by this engine")
        raise UnsupportedInstruction(f"unsupported instruction: {name}")

    # --- control: the form-specific parts (see the subclasses) ----------------------------------

    def open_function(self) -> None:
        raise NotImplementedError

    def op_block(self, _blocktype: int) -> None:
        raise NotImplementedError

    def op_loop(self, _blocktype: int) -> None:
        raise NotImplementedError

    def op_if(self, _blocktype: int) -> None:
        raise NotImplementedError

    def op_else(self, _immediate: None) -> None:
        raise NotImplementedError

    def op_end(self, _immediate: None) -> None:
        raise NotImplementedError

    def branch(self, depth: int, condition: Value | None) -> None:
        raise NotImplementedError

    def op_br_table(self, immediate: tuple[tuple[int, ...], int]) -> None:
        raise NotImplementedError

    def body_lines(self) -> list[tuple[int, str, int, int]]:
        raise NotImplementedError

    def preamble(self) -> list[str]:
        return []

    # --- control: shared ------------------------------------------------------------------------

    def dead_construct(self) -> None:
        construct = self.structure.at(self.position)
        self.ctrls.append(_Ctrl(construct, len(self.stack), "plain", dead=True))

    def enter(self, construct: Construct) -> int:
        """Flush what a construct could invalidate; the stack height below its parameters."""
        writes = construct.writes
        for index, value in enumerate(self.stack):
            if value.reads and not value.reads.isdisjoint(writes):
                self.materialize(index)
        return len(self.stack) - construct.nparams

    def merges(self, construct: Construct) -> bool:
        """Whether paths meet at the construct's end (its results then go through variables)."""
        return construct.kind == IF or (construct.kind == BLOCK and construct.branches > 0)

    def result_variables(self, construct: Construct) -> list[str]:
        return [f"r{construct.id}_{k}" for k in range(construct.nresults)]

    def parameter_variables(self, ctrl: _Ctrl) -> None:
        """A branched-to loop with parameters: move them to the variables its branches assign."""
        construct = ctrl.construct
        if construct.kind != LOOP or not construct.nparams or not construct.branches:
            return
        names = [f"p{construct.id}_{k}" for k in range(construct.nparams)]
        self.assign(names, self.top(construct.nparams))
        del self.stack[ctrl.base :]
        self.stack.extend(Value(name, simple=True) for name in names)
        ctrl.params = names

    def return_text(self) -> str:
        count = len(self.type.results)
        values = self.top(count)
        if count == 0:
            return "return"
        if count == 1:
            return f"return {values[0].code}"
        return f"return ({', '.join(value.code for value in values)})"

    def op_br(self, depth: int) -> None:
        self.branch(depth, None)
        self.live = False

    def op_br_if(self, depth: int) -> None:
        condition = self.pop()
        self.branch(depth, condition)

    def op_return(self, _immediate: None) -> None:
        self.emit(self.return_text())
        self.live = False

    def op_unreachable(self, _immediate: None) -> None:
        self.emit("raise Trap(TRAP_UNREACHABLE)", TRAPS)
        self.live = False

    def op_nop(self, _immediate: None) -> None:
        pass

    def table_ranges(self, labels: tuple[int, ...], default: int) -> list[Range]:
        """``br_table``'s targets as ``(low, high, depth)`` ranges of the index (high None: unbounded)."""
        ranges: list[Range] = []
        for index, depth in enumerate(labels):
            if ranges and ranges[-1][2] == depth:
                ranges[-1] = (ranges[-1][0], index + 1, depth)
            else:
                ranges.append((index, index + 1, depth))
        if ranges and ranges[-1][2] == default:
            ranges[-1] = (ranges[-1][0], None, default)
        else:
            ranges.append((len(labels), None, default))
        return ranges

    def table_dispatch(self, index: Value, labels: tuple[int, ...], default: int) -> tuple[str, list[Range]]:
        """The atom a ``br_table`` branches on, and its ranges (see :meth:`table_ranges`).

        With many ranges the index first goes through a constant tuple to the number of its
        label among the table's distinct labels, so the code grows with the labels, not the
        targets (a table may have millions of them).
        """
        if len(labels) <= LOOKUP_MIN_RANGES * 16:
            ranges = self.table_ranges(labels, default)
            if len(ranges) <= LOOKUP_MIN_RANGES:
                return index.code, ranges
        numbers = {depth: number for number, depth in enumerate(dict.fromkeys((*labels, default)))}
        lookup = self.table_constant(tuple([numbers[depth] for depth in labels]))
        number = self.temp()
        self.emit(f"{number} = {lookup}[{index.code}] if {index.code} < {len(labels)} else {numbers[default]}")
        ranges = [(n, n + 1, depth) for depth, n in numbers.items()]
        ranges[-1] = (ranges[-1][0], None, ranges[-1][2])
        return number, ranges

    def table_constant(self, items: tuple[int, ...]) -> str:
        """A tuple of numbers in the source: a literal when short, else a constant of the namespace."""
        if len(items) <= LOOKUP_MIN_RANGES:
            return f"({', '.join(map(str, items))},)"
        return self.constant(items).code

    def emit_ranges(self, index: str, ranges: list[Range]) -> None:
        """A binary tree of range tests on ``index`` (an atom), each leaf a branch."""
        if len(ranges) == 1:
            self.branch(ranges[0][2], None)
            return
        if len(ranges) <= 3:
            for position, (_low, high, depth) in enumerate(ranges):
                if position == 0:
                    self.open(f"if {index} < {high}:")
                elif high is not None:
                    self.open(f"elif {index} < {high}:")
                else:
                    self.open("else:")
                self.branch(depth, None)
                self.close()
            return
        middle = len(ranges) // 2
        self.open(f"if {index} < {ranges[middle][0]}:")
        self.emit_ranges(index, ranges[:middle])
        self.close()
        self.open("else:")
        self.emit_ranges(index, ranges[middle:])
        self.close()

    def table_index(self) -> Value | None:
        """Pop ``br_table``'s index as a repeatable atom (None after a constant index was taken)."""
        index = self.pop()
        if not index.simple:
            self.push(index)
            self.materialize(len(self.stack) - 1)
            index = self.pop()
        return index

    # --- alignment of locals along the control flow (see alignment.py) ----------------------------

    def align_loop(self, ctrl: _Ctrl) -> None:
        """At a branched-to loop's head: each local it writes becomes a node (inputs: entry, back edges)."""
        construct = ctrl.construct
        if not construct.branches:
            return
        local_align = self.local_align
        for index in construct.writes:
            node = Node([(local_align[index], 0)])
            self.align_nodes.append(node)
            local_align[index] = node
            ctrl.align_nodes[index] = node

    def align_branch(self, target: _Ctrl) -> None:
        """A branch to ``target`` takes the current state of the locals there."""
        kind = target.construct.kind
        if kind == LOOP:
            local_align = self.local_align
            for index, node in target.align_nodes.items():
                node.inputs.append((local_align[index], 0))
        elif kind != FUNCTION:
            target.align_incoming.append(list(self.local_align))

    def align_else(self, ctrl: _Ctrl) -> None:
        if self.live:
            ctrl.align_incoming.append(self.local_align)
        self.local_align = list(ctrl.align_entry)

    def align_end(self, ctrl: _Ctrl) -> None:
        """At the end of a block or if: merge the states of the paths that meet there."""
        construct = ctrl.construct
        if construct.kind == LOOP:
            return  # only falling through the body reaches a loop's end
        states = ctrl.align_incoming
        if self.live:
            states.append(self.local_align)
        if construct.kind == IF and not construct.has_else:
            states.append(ctrl.align_entry)
        if len(states) < 2:
            if states and states[0] is not self.local_align:
                self.local_align = list(states[0])
            return
        merged = list(self.local_align)  # the locals the construct does not write are as they were
        columns = list(zip(*states))  # per local, its alignment on each path (transposed at C speed)
        for index in construct.writes:
            values = set(columns[index])
            if len(values) == 1:
                merged[index] = values.pop()
            elif 0 in values:
                merged[index] = 0
            elif all(isinstance(value, int) for value in values):
                merged[index] = min(values)
            else:
                node = Node([(value, 0) for value in values])
                self.align_nodes.append(node)
                merged[index] = node
        self.local_align = merged

    # --- calls ----------------------------------------------------------------------------------

    def call(self, function_type: FuncType, callee: str) -> None:
        count = len(function_type.params)
        arguments = self.top(count)
        del self.stack[len(self.stack) - count :]
        text = f"{callee}({', '.join(value.code for value in arguments)})"
        results = len(function_type.results)
        if results == 0:
            self.emit(text, TRAPS)
        elif results == 1:
            name, push = self.destination()
            self.emit(f"{name} = {text}", TRAPS)
            if push:
                self.push_result(name)
        else:
            names = [self.temp() for _ in range(results)]
            self.emit(f"{', '.join(names)} = {text}", TRAPS)
            self.stack.extend(Value(name, simple=True) for name in names)

    def op_call(self, function_index: int) -> None:
        self.call(self.module.func_type(function_index), f"f{function_index}")

    def op_call_indirect(self, immediate: tuple[int, int]) -> None:
        type_index, table_index = immediate
        index = self.pop()
        if not index.simple:
            self.push(index)
            self.materialize(len(self.stack) - 1)
            index = self.pop()
        # The common case inline (a present element of the very type: types are interned), anything
        # else through INDIRECT, which raises the trap or compares the types structurally.
        i, elements, function_type, element = index.code, f"E{table_index}", f"ty{type_index}", self.temp()
        callee = (
            f"({element}.direct if {i} < len({elements}) and ({element} := {elements}[{i}]) is not None"
            f" and {element}.type is {function_type} else INDIRECT({elements}, {i}, {function_type}))"
        )
        self.call(self.module.types[type_index], callee)

    # --- parametric and variable instructions -----------------------------------------------------

    def op_drop(self, _immediate: None) -> None:
        self.pop_raw()

    def op_select(self, _immediate: Any) -> None:
        z = self.pop()
        y = self.pop()
        x = self.pop()
        if z.constant is not NO_CONSTANT:
            self.push(x if z.constant else y)
            return
        self.push_expression(f"({x.code} if {z.code} else {y.code})", (x, y, z), 1)
        self.stack[-1].align = lowest(x.align, y.align, self.align_nodes)

    def op_local_get(self, index: int) -> None:
        self.push(Value(local_name(index), frozenset((index,)), simple=True, align=self.local_align[index]))

    def op_local_set(self, index: int) -> None:
        value = self.pop()
        name = local_name(index)
        if value.code == name:
            return
        self.spill(index)
        self.emit(f"{name} = {value.code}")
        self.local_align[index] = value.align

    def op_local_tee(self, index: int) -> None:
        value = self.canonical(self.stack[-1])
        name = local_name(index)
        if value.code == name:
            return
        self.pop()
        self.spill(index)
        self.emit(f"{name} = {value.code}")
        self.local_align[index] = value.align
        self.push(Value(name, frozenset((index,)), simple=True, align=value.align))

    def op_global_get(self, index: int) -> None:
        name, push = self.destination()
        self.emit(f"{name} = g{index}.value")
        if push:
            self.push_result(name)

    def op_global_set(self, index: int) -> None:
        value = self.pop()
        self.emit(f"g{index}.value = {value.code}")

    def op_const(self, value: int) -> None:
        self.push(self.constant(value))

    def op_f32_const(self, bits: int) -> None:
        self.push(self.constant(f32_from_bits(bits)))

    def op_f64_const(self, bits: int) -> None:
        self.push(self.constant(f64_from_bits(bits)))

    # --- numeric --------------------------------------------------------------------------------

    def push_expression(self, code: str, operands: tuple[Value, ...], extra_depth: int) -> None:
        reads = EMPTY
        depth = 0
        for operand in operands:
            if operand.reads:
                reads = reads | operand.reads
            depth = max(depth, operand.depth)
        self.push(Value(code, reads, depth=depth + extra_depth))

    def numeric(self, mnemonic: str, arity: int) -> None:
        plan = self.plans[mnemonic]
        stack = self.stack
        base = len(stack) - arity
        function = plan.fold
        if function is not None and stack[-1].constant is not NO_CONSTANT:
            if arity == 1:
                self.stack[-1] = self.constant(function(stack[-1].constant))
                return
            if stack[-2].constant is not NO_CONSTANT:
                value = function(stack[-2].constant, stack[-1].constant)
                del stack[-2:]
                stack.append(self.constant(value))
                return
        if plan.bits:
            self.wrapping(plan)
            return
        template = plan.template
        if not template:
            if not plan.division or not self.division(mnemonic, plan.division):
                self.call_numeric(mnemonic, arity)
            return
        if not plan.raw_operand:
            for index in range(base, len(stack)):
                if stack[index].wrap:
                    stack[index] = self.canonical(stack[index])
        depth = stack[-1].depth if arity == 1 else max(stack[-1].depth, stack[-2].depth)
        if depth + plan.parens > MAX_EXPRESSION_DEPTH:
            for index in range(base, len(stack)):
                self.materialize(index)
        text = template
        for position, views in enumerate(plan.views):
            operand = stack[base + position]
            placeholder = _PLACEHOLDERS[position]
            if views:
                constant = operand.constant
                if isinstance(constant, int):
                    for bits, pattern in views:
                        if pattern in text:
                            signed = constant - (1 << bits) if constant >> (bits - 1) else constant
                            text = text.replace(pattern, int_literal(signed))
                elif operand.simple and len(operand.reads) == 1:
                    for bits, pattern in views:
                        if pattern in text:
                            name = self.hoist(operand, self.expressions.signed_views[bits].replace("{x}", operand.code))
                            if name is not None:
                                text = text.replace(pattern, name)
            if not operand.simple and text.count(placeholder) > 1:
                self.materialize(base + position)
        operands = tuple(stack[base:])
        for placeholder, operand in zip(_PLACEHOLDERS, operands):
            text = text.replace(placeholder, operand.code)
        del stack[base:]
        self.push_expression(text, operands, plan.parens)
        if plan.keeps_alignment:
            stack[-1].align = operands[0].align

    def wrapping(self, plan: _NumericPlan) -> None:
        """A binary instruction whose result need only be right modulo 2**bits (lazy masking)."""
        bits = plan.bits
        operation = plan.operation
        template = plan.wrapping
        stack = self.stack
        a, b = stack[-2], stack[-1]
        identity = plan.identity
        if identity is not None:
            if b.constant is not NO_CONSTANT and b.constant == identity:
                del stack[-1]  # x + 0, x - 0, x | 0, x ^ 0, x << 0, x * 1: x itself
                return
            if a.constant is not NO_CONSTANT and a.constant == identity and operation != "sub" and operation != "shl":
                del stack[-2]
                return
        # The estimated magnitudes of the operands, in bits (lazy masking: see Value).
        width_a = a.width if a.wrap else max(a.constant.bit_length(), 1) if type(a.constant) is int else bits
        width_b = b.width if b.wrap else max(b.constant.bit_length(), 1) if type(b.constant) is int else bits
        if operation == "mul":
            width = width_a + width_b
        elif operation == "shl":
            width = width_a + (b.constant & (bits - 1) if isinstance(b.constant, int) else bits - 1)
        else:
            width = (width_a if width_a > width_b else width_b) + 1
        depth = (a.depth if a.depth > b.depth else b.depth) + 1
        if width > 4 * bits or depth > MAX_EXPRESSION_DEPTH:
            # Beyond this estimated magnitude (or nesting), reduce the operands first.
            a, b = self.canonical(a), self.canonical(b)
            width = 2 * bits + 1
            depth = (a.depth if a.depth > b.depth else b.depth) + 1
        del stack[-2:]
        if operation in ("add", "sub") and isinstance(b.constant, int) and b.constant >> (bits - 1):
            # x + c with c >= 2**(bits-1) is x - (2**bits - c) modulo 2**bits (x - c likewise): the
            # sum then stays a one-digit int that the reduction returns as it is, where a sum beyond
            # 2**bits would make ``%`` divide (three times slower).
            operation = "sub" if operation == "add" else "add"
            b = self.constant((1 << bits) - b.constant)
            template = self.expressions.wrapping[f"i{bits}.{operation}"]
        elif operation == "add" and isinstance(a.constant, int) and a.constant >> (bits - 1):
            a, b = b, self.constant((1 << bits) - a.constant)
            operation = "sub"
            template = self.expressions.wrapping[f"i{bits}.sub"]
        text = template.replace("{a}", a.code).replace("{b}", b.code)
        reads = a.reads | b.reads if (a.reads or b.reads) else EMPTY
        nodes = self.align_nodes
        if operation == "and":
            # x & c is canonical if c is.
            align = highest(a.align, b.align)
            if not (a.wrap and b.wrap):
                stack.append(Value(text, reads, depth=depth, align=align))
                return
        elif operation == "mul":
            align = product(a.align, b.align, nodes)
        elif operation == "shl":
            align = shifted(a.align, b.constant & (bits - 1), nodes) if isinstance(b.constant, int) else a.align
        else:
            align = lowest(a.align, b.align, nodes)
            if operation != "add" and operation != "sub" and not a.wrap and not b.wrap:
                stack.append(Value(text, reads, depth=depth, align=align))  # x | y and x ^ y if both are
                return
        wide = operation == "mul" or operation == "shl" or a.wide or b.wide
        stack.append(Value(text, reads, depth=depth, wrap=bits, width=width, wide=wide, align=align))

    def hoist(self, local: Value, expression: str) -> str | None:
        """A name for ``expression`` (of the local read ``local``) computed before the loops that keep it."""
        return None

    def division(self, mnemonic: str, template: str) -> bool:
        """An integer division or remainder without its function's call, where that is safe; whether it was.

        A positive constant divisor cannot trap: the quotient is an expression.
        An unsigned one by a variable divisor is tested first (``a // b if b
        else i32_div_u(a, b)``: the function raises the trap), a statement.
        """
        stack = self.stack
        divisor = stack[-1]
        bits = 64 if mnemonic[1] == "6" else 32
        unsigned = mnemonic[-1] == "u"
        if isinstance(divisor.constant, int):
            if not 0 < divisor.constant < 1 << (bits if unsigned else bits - 1):
                return False
            stack[-2] = self.canonical(stack[-2])
            parens = template.count("(")
            if (not unsigned and not stack[-2].simple) or stack[-2].depth + parens > MAX_EXPRESSION_DEPTH:
                self.materialize(len(stack) - 2)  # the signed forms use the dividend three times
            dividend = stack[-2]
            del stack[-2:]
            text = template.replace("{a}", dividend.code).replace("{b}", divisor.code)
            self.push_expression(text, (dividend, divisor), parens)
            return True
        if not unsigned:
            return False
        for index in (-2, -1):
            stack[index] = self.canonical(stack[index])
        if not divisor.simple:
            self.materialize(len(stack) - 1)
        dividend, divisor = stack[-2], stack[-1]
        del stack[-2:]
        text = template.replace("{a}", dividend.code).replace("{b}", divisor.code)
        name, push = self.destination()
        function = mnemonic.replace(".", "_")
        self.emit(f"{name} = {text} if {divisor.code} else {function}({dividend.code}, {divisor.code})", TRAPS)
        if push:
            self.push_result(name)
        return True

    def call_numeric(self, mnemonic: str, arity: int) -> None:
        operands = tuple(self.top(arity))
        del self.stack[len(self.stack) - arity :]
        text = f"{mnemonic.replace('.', '_')}({', '.join(operand.code for operand in operands)})"
        if mnemonic in TRAPPING_OPS:
            name, push = self.destination()
            self.emit(f"{name} = {text}", TRAPS)
            if push:
                self.push_result(name)
        else:
            self.push_expression(text, operands, 1)

    def op_ref_is_null(self, _immediate: None) -> None:
        x = self.pop()
        self.push_expression(f"({x.code} is None)", (x,), 1)

    def op_ref_null(self, _immediate: Any) -> None:
        self.push(self.constant(None))

    def op_ref_func(self, index: int) -> None:
        self.push(Value(f"fi{index}", simple=True))

    # --- memory ---------------------------------------------------------------------------------

    @staticmethod
    def address(base: Value, offset: int) -> str:
        if isinstance(base.constant, int):
            return str(base.constant + offset)
        return f"{base.code} + {offset}" if offset else base.code

    def typed(self, access: str, address: str) -> str | None:
        """``V0_<format>[index]`` for an access at a constant aligned address, if there is a typed view."""
        if not address.isdigit() or access[1] not in self.typed_views:
            return None
        size = _SIZES[access]
        constant = int(address)
        return f"V0_{access[1]}[{constant // size}]" if constant % size == 0 else None

    def access_form(self, access: str, memarg: tuple[int, int], base: Value) -> tuple[str, str, Alignment | None, bool]:
        """How an access of a typed-view format at a dynamic address goes: ``(base, tested base, alignment, hinted)``.

        ``alignment`` is the known alignment of the address (an int or a node:
        see :mod:`~wasmrun.compile.codegen.alignment`), or None when the
        typed view cannot serve it (no view, or an offset that is not a
        multiple of the size); ``hinted`` says the instruction's hint promises
        natural alignment, which makes testing for it worth while.  The
        tested form names a base that is not an atom it can repeat: the test,
        evaluated first, assigns it (``if not (t1 := l2 + 8) & 3``), and
        ``base`` is that name, the tested base the assignment.
        """
        size = _SIZES[access]
        if access[1] not in self.typed_views or memarg[1] % size:
            return base.code, base.code, None, False
        alignment = base.align
        hinted = memarg[0] >= size.bit_length() - 1
        if hinted and not base.simple and not (isinstance(alignment, int) and alignment >= size.bit_length() - 1):
            name = self.temp()
            return name, f"({name} := {base.code})", alignment, hinted
        return base.code, base.code, alignment, hinted

    def memory_line(self, alignment: Alignment | None, shift: int, hinted: bool, forms: tuple[str, str, str]) -> None:
        """Emit the access: ``forms`` are its aligned, tested and general texts (see :meth:`access_form`)."""
        aligned, tested, general = forms
        if alignment is None:
            self.emit(general, MEMORY)
        elif isinstance(alignment, int):
            self.emit(aligned if alignment >= shift else tested if hinted else general, MEMORY)
        else:
            # A placeholder line, replaced at assembly (the text begins with NUL, which no Python line does).
            self.emit(f"\0{len(self.deferred)}", MEMORY)
            self.deferred.append(_Deferred(alignment, shift, aligned, tested if hinted else general))

    def load(self, mnemonic: str, memarg: tuple[int, int]) -> None:
        access, convert = LOADS[mnemonic]
        base = self.pop()
        offset = memarg[1]
        if access == "byte" or isinstance(base.constant, int):
            address = self.address(base, offset)
            name, push = self.destination() if convert == "v" else (self.temp(), True)
            typed = self.typed(access, address) if access != "byte" else None
            if access == "byte":
                self.emit(f"{name} = V0[{address}]", MEMORY)
            elif typed is not None:
                self.emit(f"{name} = {typed}", MEMORY)
            else:
                self.emit(f"{name} = {STRUCT_NAMES[access]}_UNPACK(V0, {address})[0]", MEMORY)
        else:
            size = _SIZES[access]
            shift = size.bit_length() - 1
            code, test, alignment, hinted = self.access_form(access, memarg, base)
            name, push = self.destination() if convert == "v" else (self.temp(), True)
            k = offset // size
            unpack = f"{STRUCT_NAMES[access]}_UNPACK(V0, {code + ' + ' + str(offset) if offset else code})[0]"
            view = f"V0_{access[1]}[{_index(code, shift, k)}]"
            forms = (
                f"{name} = V0_{access[1]}[{_index(base.code, shift, k)}]",
                f"{name} = {view} if not {test} & {size - 1} else {unpack}",
                f"{name} = {STRUCT_NAMES[access]}_UNPACK(V0, {self.address(base, offset)})[0]",
            )
            self.memory_line(alignment, shift, hinted, forms)
        if convert == "v":
            if push:
                self.push_result(name)
        else:
            self.push(Value("(" + _V_WORD.sub(name, convert) + ")", depth=1))

    def store(self, mnemonic: str, memarg: tuple[int, int]) -> None:
        access, convert = STORES[mnemonic]
        value = self.pop()
        base = self.pop()
        offset = memarg[1]
        masked = _MASKED_STORE.fullmatch(convert)
        if masked is not None and isinstance(value.constant, int):
            stored = str(value.constant & int(masked.group(1)))
        else:
            stored = convert.replace("{y}", value.code)
        if access == "byte" or isinstance(base.constant, int):
            address = self.address(base, offset)
            typed = self.typed(access, address) if access != "byte" else None
            if access == "byte":
                self.emit(f"V0[{address}] = {stored}", MEMORY)
            elif typed is not None:
                self.emit(f"{typed} = {stored}", MEMORY)
            else:
                self.emit(f"{STRUCT_NAMES[access]}_PACK(V0, {address}, {stored})", MEMORY)
            return
        size = _SIZES[access]
        shift = size.bit_length() - 1
        code, test, alignment, hinted = self.access_form(access, memarg, base)
        k = offset // size
        pack = f"{STRUCT_NAMES[access]}_PACK(V0, {code + ' + ' + str(offset) if offset else code}, {stored})"
        # The tested form is two lines (an assignment is no expression); only one of them runs, so the
        # stored expression, pure, may appear in both.
        forms = (
            f"V0_{access[1]}[{_index(base.code, shift, k)}] = {stored}",
            f"if not {test} & {size - 1}: V0_{access[1]}[{_index(code, shift, k)}] = {stored}\nelse: {pack}",
            f"{STRUCT_NAMES[access]}_PACK(V0, {self.address(base, offset)}, {stored})",
        )
        self.memory_line(alignment, shift, hinted, forms)

    def op_memory_size(self, memory: int) -> None:
        name = self.temp()
        self.emit(f"{name} = m{memory}.pages")
        self.push(Value(name, simple=True))

    def op_memory_grow(self, memory: int) -> None:
        length = self.bulk_length()
        delta = self.pop()
        name = self.temp()
        self.emit(f"{name} = m{memory}.grow({delta.code})")
        if length is not None:
            self.emit(f"if {name} >= 0: FUEL_USE({length})", TRAPS)
        self.push(Value(f"({name} if {name} >= 0 else 4294967295)", depth=1))

    def pop_codes(self, count: int) -> list[str]:
        values = self.top(count)
        del self.stack[len(self.stack) - count :]
        return [value.code for value in values]

    def bulk(self, text: str, length: str | None) -> None:
        """A bulk instruction's line, then the charge of its length if it has one (see :meth:`bulk_length`)."""
        self.emit(text, TRAPS)
        if length is not None:
            self.emit(f"FUEL_USE({length})", TRAPS)

    def op_memory_fill(self, memory: int) -> None:
        length = self.bulk_length()
        p, v, n = self.pop_codes(3)
        self.bulk(f"m{memory}.fill({p}, {v}, {n})", length)

    def op_memory_copy(self, memories: tuple[int, int]) -> None:
        length = self.bulk_length()
        p, q, n = self.pop_codes(3)
        self.bulk(f"m{memories[0]}.copy({p}, {q}, {n})", length)

    def op_memory_init(self, immediate: tuple[int, int]) -> None:
        segment, memory = immediate
        length = self.bulk_length()
        p, q, n = self.pop_codes(3)
        self.bulk(f"m{memory}.init({p}, datas[{segment}], {q}, {n})", length)

    def op_data_drop(self, segment: int) -> None:
        self.emit(f"datas[{segment}] = b''")

    # --- tables ---------------------------------------------------------------------------------

    def op_table_get(self, table: int) -> None:
        (i,) = self.pop_codes(1)
        name = self.temp()
        self.emit(f"{name} = T{table}.get({i})", TRAPS)
        self.push(Value(name, simple=True))

    def op_table_set(self, table: int) -> None:
        i, v = self.pop_codes(2)
        self.emit(f"T{table}.set({i}, {v})", TRAPS)

    def op_table_size(self, table: int) -> None:
        name = self.temp()
        self.emit(f"{name} = len(E{table})")
        self.push(Value(name, simple=True))

    def op_table_grow(self, table: int) -> None:
        length = self.bulk_length()
        v, n = self.pop_codes(2)
        name = self.temp()
        self.emit(f"{name} = T{table}.grow({n}, {v})")
        if length is not None:
            self.emit(f"if {name} >= 0: FUEL_USE({length})", TRAPS)
        self.push(Value(f"({name} if {name} >= 0 else 4294967295)", depth=1))

    def op_table_fill(self, table: int) -> None:
        length = self.bulk_length()
        p, v, n = self.pop_codes(3)
        self.bulk(f"T{table}.fill({p}, {v}, {n})", length)

    def op_table_copy(self, tables: tuple[int, int]) -> None:
        length = self.bulk_length()
        p, q, n = self.pop_codes(3)
        self.bulk(f"T{tables[0]}.copy({p}, T{tables[1]}, {q}, {n})", length)

    def op_table_init(self, immediate: tuple[int, int]) -> None:
        segment, table = immediate
        length = self.bulk_length()
        p, q, n = self.pop_codes(3)
        self.bulk(f"T{table}.init({p}, elems[{segment}], {q}, {n})", length)

    def op_elem_drop(self, segment: int) -> None:
        self.emit(f"elems[{segment}] = ()")

    # --- assembly -------------------------------------------------------------------------------

    def assemble(self) -> GeneratedFunction:
        body = self.body_lines()
        params = [local_name(i) for i in range(self.nparams)]
        extra = self.extra_params()
        header = f"def {self.name}({', '.join((*params, *extra))}):"
        prologue: list[str] = []
        by_zero: dict[str, list[str]] = {}
        first_declared = self.nparams
        for k, valtype in enumerate(self.declared):
            name = local_name(first_declared + k)
            if name in extra or first_declared + k not in self.structure.needs_init:
                continue
            by_zero.setdefault(_ZERO_LITERALS.get(valtype, "0"), []).append(name)
        for literal, names in by_zero.items():
            for start in range(0, len(names), 50):
                prologue.append(" = ".join((*names[start : start + 50], literal)))
        if self.uses_flag:
            prologue.append("br = 0")
        prologue += self.preamble()
        has_memory = any(kind == MEMORY for _indent, _text, kind, _offset in body)
        # A big frame counts as several against the depth limit (ENTER/LEAVE, from the runtime), as in
        # the interpreter: it bounds the memory a full stack takes.
        # (Parameters and declared locals only: the rule of wasmrun.interp.compiled.frame_cost, which the
        # interpreter follows too, so that both tiers exhaust the stack at the same depth.)
        extra_cost = (self.nparams + len(self.declared)) // self.slots_per_frame if self.slots_per_frame else 0
        finally_lines = [f"LEAVE({extra_cost})"] if extra_cost else []
        out: list[str] = [header]
        if self.stats and not self.extra_params():
            # Counting calls and depth (--stats): before ENTER, whose lowered limit it could hit.  A loop
            # entry continues a call counted where it began.
            out.append(" STATS.enter()")
            finally_lines.append("STATS.depth -= 1")
        if extra_cost:
            out.append(f" ENTER({extra_cost})")
        out += [" " + line for line in prologue]
        lines: dict[int, tuple[int, int]] = {}
        memory_lines: dict[int, int] = {}
        guarded = has_memory or bool(finally_lines)
        base = 2 if guarded else 1
        if guarded:
            out.append(" try:")
        if not body:
            out.append(" " * base + "pass")
        deferred = self.deferred
        if deferred:
            solve(self.align_nodes)
        positions: list[tuple[int, int]] = []
        for indent, text, kind, offset in body:
            if kind == MEMORY:
                if text[0] == "\0":
                    text = deferred[int(text[1:])].text()
                if "\n" in text:  # a store's tested form: two lines
                    first, second = text.split("\n")
                    out.append(" " * (base + indent) + first)
                    positions.append((len(out), offset))
                    lines[len(out)] = (kind, offset)
                    memory_lines[len(out)] = offset
                    text = second
            out.append(" " * (base + indent) + text)
            positions.append((len(out), offset))
            if kind != PLAIN:
                lines[len(out)] = (kind, offset)
                if kind == MEMORY:
                    memory_lines[len(out)] = offset
        if has_memory:
            out.append(" except MEMORY_ERRORS as error:")
            out.append(f"  raise MEMORY_TRAP(error, {self.name}_ML) from None")
            lines[len(out)] = (AT, -1)
        if finally_lines:
            out.append(" finally:")
            out += ["  " + line for line in finally_lines]
        source = "\n".join(out) + "\n"
        return GeneratedFunction(
            self.index,
            self.name,
            source,
            lines,
            memory_lines,
            dict(self.constants),
            self.form,
            len(out),
            tuple(extra),
            tuple(self.osr_heights()),
            tuple(positions),
        )

    def extra_params(self) -> list[str]:
        return []

    def osr_heights(self) -> list[int]:
        return []


# --- the structured form ------------------------------------------------------------------------


class StructuredGenerator(_Generator):
    """Structured control flow as Python ``while``/``if``/``break``/``continue`` (see the module docstring)."""

    form = "structured"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preheaders: dict[int, _Ctrl] = {}

    def open_function(self) -> None:
        self.ctrls.append(_Ctrl(self.structure.function, 0, "function"))

    def python_loops(self) -> int:
        return sum(1 for ctrl in self.ctrls if ctrl.form == "loop")

    def open_loop_form(self, ctrl: _Ctrl) -> None:
        if self.python_loops() >= MAX_PYTHON_LOOPS:
            raise TooDeep("loops")
        ctrl.form = "loop"
        self.ctrls.append(ctrl)
        if ctrl.construct.kind == LOOP:
            self.lines.append((self.indent, "", HOIST, ctrl.construct.id))
            self.preheaders[ctrl.construct.id] = ctrl
        self.open("while True:")

    def hoist(self, local: Value, expression: str) -> str | None:
        # The outermost enclosing loop that does not write the local: the expression is invariant there.
        (index,) = local.reads
        for ctrl in self.ctrls:
            if ctrl.form == "loop" and ctrl.construct.kind == LOOP and index not in ctrl.construct.writes:
                name = ctrl.hoisted.get(expression)
                if name is None:
                    name = ctrl.hoisted[expression] = f"h{ctrl.construct.id}_{len(ctrl.hoisted)}"
                return name
        return None

    def body_lines(self) -> list[tuple[int, str, int, int]]:
        out: list[tuple[int, str, int, int]] = []
        for indent, text, kind, offset in self.lines:
            if kind == HOIST:
                out.extend(
                    (indent, f"{name} = {value}", PLAIN, -1) for value, name in self.preheaders[offset].hoisted.items()
                )
            else:
                out.append((indent, text, kind, offset))
        return out

    def op_block(self, _blocktype: int) -> None:
        if not self.live:
            self.dead_construct()
            return
        construct = self.structure.at(self.position)
        ctrl = _Ctrl(construct, self.enter(construct), "plain")
        if self.merges(construct):
            ctrl.results = self.result_variables(construct)
        if loop_form(construct):
            self.open_loop_form(ctrl)
            return
        if construct.branches:
            ctrl.form = "nest"
        self.ctrls.append(ctrl)

    def op_loop(self, _blocktype: int) -> None:
        if not self.live:
            self.dead_construct()
            return
        construct = self.structure.at(self.position)
        ctrl = _Ctrl(construct, self.enter(construct), "plain")
        self.parameter_variables(ctrl)
        self.align_loop(ctrl)
        if construct.branches:
            self.open_loop_form(ctrl)
            return
        self.ctrls.append(ctrl)

    def op_if(self, _blocktype: int) -> None:
        if not self.live:
            self.dead_construct()
            return
        construct = self.structure.at(self.position)
        condition = self.pop()
        ctrl = _Ctrl(construct, self.enter(construct), "plain")
        ctrl.results = self.result_variables(construct)
        ctrl.saved = self.top(construct.nparams)
        ctrl.align_entry = list(self.local_align)
        if loop_form(construct):
            self.open_loop_form(ctrl)
        else:
            if construct.branches:
                ctrl.form = "nest"
            self.ctrls.append(ctrl)
        self.open(f"if {condition.code}:")

    def close_nests(self, ctrl: _Ctrl) -> None:
        for _ in range(ctrl.nests):
            self.close()
        ctrl.nests = 0

    def op_else(self, _immediate: None) -> None:
        ctrl = self.ctrls[-1]
        if ctrl.dead:
            return
        if self.live and ctrl.results:
            self.assign(ctrl.results, self.top(len(ctrl.results)))
        self.close_nests(ctrl)
        self.close()
        self.open("else:")
        del self.stack[ctrl.base :]
        self.stack.extend(ctrl.saved)
        self.align_else(ctrl)
        self.live = True

    def op_end(self, _immediate: None) -> None:
        ctrl = self.ctrls.pop()
        if ctrl.dead:
            self.live = False
            return
        construct = ctrl.construct
        if construct.kind == FUNCTION:
            if self.live:
                self.emit(self.return_text())
            return
        if self.live and ctrl.results:
            self.assign(ctrl.results, self.top(len(ctrl.results)))
        self.close_nests(ctrl)
        if construct.kind == IF:
            if not construct.has_else and ctrl.results:
                self.close()
                self.open("else:")
                self.assign(ctrl.results, ctrl.saved)
            self.close()
        if ctrl.form == "loop":
            self.emit("break")
            self.close()
            self.escape_dispatch(ctrl)
        if ctrl.results is not None:
            del self.stack[ctrl.base :]
            self.stack.extend(Value(name, simple=True) for name in ctrl.results)
        elif not self.live:
            del self.stack[ctrl.base :]
        self.align_end(ctrl)
        self.live = construct.end_reached

    def escape_dispatch(self, ctrl: _Ctrl) -> None:
        """After a Python loop that branches leave by the flag: continue them in the enclosing loop."""
        if not ctrl.escapes:
            return
        outer = next(c for c in reversed(self.ctrls) if c.form == "loop")
        here = outer in ctrl.escapes
        beyond = any(target is not outer for target in ctrl.escapes)
        action = "continue" if outer.construct.kind == LOOP else "break"
        self.open("if br:")
        if here and beyond:
            self.open(f"if br == {outer.construct.id}:")
            self.emit("br = 0")
            self.emit(action)
            self.close()
            self.emit("break")
        elif here:
            self.emit("br = 0")
            self.emit(action)
        else:
            self.emit("break")
        self.close()

    def branch(self, depth: int, condition: Value | None) -> None:
        target = self.ctrls[-1 - depth]
        self.align_branch(target)
        construct = target.construct
        if construct.kind == FUNCTION:
            if condition is None:
                self.emit(self.return_text())
            else:
                self.open(f"if {condition.code}:")
                self.emit(self.return_text())
                self.close()
            return
        names = (target.params if construct.kind == LOOP else target.results) or []
        values = self.top(len(names))
        if target.form == "nest":
            # Necessarily a branch in the target's own body (the pre-pass saw to it).
            if condition is None:
                self.assign(names, values)
            elif names:
                self.open(f"if {condition.code}:")
                self.assign(names, values)
                self.close()
                self.open("else:")
                target.nests += 1
            else:
                self.open(f"if not {condition.code}:")
                target.nests += 1
            return
        loops = [ctrl for ctrl in self.ctrls[len(self.ctrls) - depth :] if ctrl.form == "loop"]
        if condition is not None:
            self.open(f"if {condition.code}:")
        self.assign(names, values)
        if not loops:
            self.emit("continue" if construct.kind == LOOP else "break")
        else:
            for ctrl in loops:
                ctrl.escapes.add(target)
            self.uses_flag = True
            self.emit(f"br = {construct.id}")
            self.emit("break")
        if condition is not None:
            self.close()

    def op_br_table(self, immediate: tuple[tuple[int, ...], int]) -> None:
        labels, default = immediate
        index = self.table_index()
        assert index is not None
        if isinstance(index.constant, int):
            self.branch(labels[index.constant] if index.constant < len(labels) else default, None)
        else:
            self.emit_ranges(*self.table_dispatch(index, labels, default))
        self.live = False


# --- the flat form ---------------------------------------------------------------------------------


class FlatGenerator(_Generator):
    """Basic blocks dispatched in one loop (see the module docstring).

    With ``entry`` (the position of a ``loop`` instruction), the function
    starts at that loop's head instead: its parameters are then every wasm
    local and the operand-stack entries live there (``s0, s1, ...``).
    """

    form = "flat"

    def __init__(self, *args: Any, entry: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.blocks: list[list[tuple[int, str, int, int]]] = []
        self.current = 0
        self.terminated = False
        self.entry = entry
        self.entry_block = 0
        self.entry_heights: list[int] = []  # OSR: the stack heights whose values arrive as parameters
        self.entry_names: list[str] = []  # ... and their parameter names

    def new_block(self) -> int:
        self.blocks.append([])
        return len(self.blocks) - 1

    def switch(self, block: int) -> None:
        """Continue in ``block`` (falling into it from the current one if that is not terminated)."""
        if not self.terminated:
            self.jump(block)
        self.current = block
        self.lines = self.blocks[block]
        self.terminated = False

    def jump(self, block: int) -> None:
        self.emit(f"b = {block}")
        self.emit("continue")
        if self.indent == 0:
            self.terminated = True

    def terminate(self, text: str, kind: int = PLAIN) -> None:
        self.emit(text, kind)
        if self.indent == 0:
            self.terminated = True

    def open_function(self) -> None:
        self.ctrls.append(_Ctrl(self.structure.function, 0, "function"))
        self.lines = self.blocks[self.new_block()]

    def label_of(self, ctrl: _Ctrl) -> int:
        if ctrl.label is None:
            ctrl.label = self.new_block()
        return ctrl.label

    def settle_for_entry(self) -> None:
        """In a function entered at a loop (OSR): leave no stack entry a pending expression at a construct.

        The entry arrives in the middle, so code before it never ran: a pending expression over
        temporaries assigned there must not be re-evaluated after a back edge to an enclosing loop.
        Settling at every construct's start (which all paths through the construct pass) gives each
        entry one assignment that dominates its every use; settling inside a construct, at a loop
        nested in one arm, would leave it unassigned on the other paths.
        """
        if self.entry is not None:
            for index in range(len(self.stack)):
                self.materialize(index)

    def op_block(self, _blocktype: int) -> None:
        if not self.live:
            self.dead_construct()
            return
        self.settle_for_entry()
        construct = self.structure.at(self.position)
        ctrl = _Ctrl(construct, self.enter(construct), "plain")
        if self.merges(construct):
            ctrl.results = self.result_variables(construct)
        self.ctrls.append(ctrl)

    def op_loop(self, _blocktype: int) -> None:
        if not self.live:
            self.dead_construct()
            return
        construct = self.structure.at(self.position)
        self.settle_for_entry()  # at the entry itself, every stack entry that is not a constant is a parameter
        ctrl = _Ctrl(construct, self.enter(construct), "plain")
        self.parameter_variables(ctrl)
        self.align_loop(ctrl)
        self.ctrls.append(ctrl)
        if self.position == self.entry or construct.branches:
            head = self.label_of(ctrl)
            self.switch(head)
            if self.position == self.entry:
                self.entry_block = head
                for height, value in enumerate(self.stack):
                    if value.constant is NO_CONSTANT and value.code not in self.entry_names:
                        self.entry_heights.append(height)
                        self.entry_names.append(value.code)

    def op_if(self, _blocktype: int) -> None:
        if not self.live:
            self.dead_construct()
            return
        construct = self.structure.at(self.position)
        condition = self.pop()
        self.settle_for_entry()
        ctrl = _Ctrl(construct, self.enter(construct), "plain")
        ctrl.results = self.result_variables(construct)
        ctrl.saved = self.top(construct.nparams)
        ctrl.align_entry = list(self.local_align)
        self.ctrls.append(ctrl)
        other = self.new_block()  # the else arm, or the end
        self.open(f"if not {condition.code}:")
        if not construct.has_else:
            self.assign(ctrl.results, ctrl.saved)
            ctrl.label = other
        self.jump(other)
        self.close()
        ctrl.other = other

    def op_else(self, _immediate: None) -> None:
        ctrl = self.ctrls[-1]
        if ctrl.dead:
            return
        if self.live:
            if ctrl.results:
                self.assign(ctrl.results, self.top(len(ctrl.results)))
            self.jump(self.label_of(ctrl))
        self.terminated = True
        self.switch(ctrl.other)
        del self.stack[ctrl.base :]
        self.stack.extend(ctrl.saved)
        self.align_else(ctrl)
        self.live = True

    def op_end(self, _immediate: None) -> None:
        ctrl = self.ctrls.pop()
        if ctrl.dead:
            self.live = False
            return
        construct = ctrl.construct
        if construct.kind == FUNCTION:
            if self.live:
                self.terminate(self.return_text())
            elif not self.terminated:
                self.terminate("return")
            return
        if self.live and ctrl.results:
            self.assign(ctrl.results, self.top(len(ctrl.results)))
        if construct.kind != LOOP and ctrl.label is not None:
            if not self.live:
                self.terminated = True
            self.switch(ctrl.label)
        if ctrl.results is not None:
            del self.stack[ctrl.base :]
            self.stack.extend(Value(name, simple=True) for name in ctrl.results)
        elif not self.live:
            del self.stack[ctrl.base :]
        self.align_end(ctrl)
        self.live = construct.end_reached

    def branch(self, depth: int, condition: Value | None) -> None:
        target = self.ctrls[-1 - depth]
        self.align_branch(target)
        construct = target.construct
        if condition is not None:
            self.open(f"if {condition.code}:")
        if construct.kind == FUNCTION:
            self.terminate(self.return_text())
        else:
            names = (target.params if construct.kind == LOOP else target.results) or []
            self.assign(names, self.top(len(names)))
            self.jump(self.label_of(target))
        if condition is not None:
            self.close()

    def op_br_table(self, immediate: tuple[tuple[int, ...], int]) -> None:
        labels, default = immediate
        index = self.table_index()
        assert index is not None
        if isinstance(index.constant, int):
            self.branch(labels[index.constant] if index.constant < len(labels) else default, None)
            self.live = False
            return
        targets = {depth: self.ctrls[-1 - depth] for depth in dict.fromkeys((*labels, default))}
        if (
            (len(labels) > LOOKUP_MIN_RANGES * 16 or len(self.table_ranges(labels, default)) > 3)
            and targets[default].construct.arity == 0
            and all(target.construct.kind != FUNCTION for target in targets.values())
        ):
            # Every target is a basic block reached without values: one tuple lookup.
            for target in targets.values():
                self.align_branch(target)
            blocks = {depth: self.label_of(target) for depth, target in targets.items()}
            lookup = self.table_constant(tuple([blocks[depth] for depth in labels]))
            self.emit(f"b = {lookup}[{index.code}] if {index.code} < {len(labels)} else {blocks[default]}")
            self.terminate("continue")
            self.live = False
            return
        self.emit_ranges(*self.table_dispatch(index, labels, default))
        self.terminated = True
        self.live = False

    def extra_params(self) -> list[str]:
        if self.entry is None:
            return []
        locals_ = [local_name(i) for i in range(self.nparams, self.nparams + len(self.declared))]
        return locals_ + self.entry_names

    def osr_heights(self) -> list[int]:
        return self.entry_heights

    def body_lines(self) -> list[tuple[int, str, int, int]]:
        out: list[tuple[int, str, int, int]] = [
            (0, f"b = {self.entry_block}", PLAIN, -1),
            (0, "while True:", PLAIN, -1),
        ]

        def dispatch(low: int, high: int, indent: int) -> None:
            if high - low == 1:
                block = self.blocks[low] or [(0, "return", PLAIN, -1)]
                out.extend((indent + i, text, kind, offset) for i, text, kind, offset in block)
                return
            middle = (low + high) // 2
            out.append((indent, f"if b < {middle}:", PLAIN, -1))
            dispatch(low, middle, indent + 1)
            out.append((indent, "else:", PLAIN, -1))
            dispatch(middle, high, indent + 1)

        dispatch(0, len(self.blocks), 1)
        return out


# --- instruction table -------------------------------------------------------------------------------

_STRUCTURE = frozenset((BLOCK, LOOP, IF, ELSE, END))


def _build_handlers() -> dict[int, Callable[[_Generator, Any], None]]:
    g = _Generator
    handlers: dict[int, Callable[[_Generator, Any], None]] = {
        UNREACHABLE: g.op_unreachable,
        NOP: g.op_nop,
        BLOCK: lambda self, immediate: self.op_block(immediate),
        LOOP: lambda self, immediate: self.op_loop(immediate),
        IF: lambda self, immediate: self.op_if(immediate),
        ELSE: lambda self, immediate: self.op_else(immediate),
        END: lambda self, immediate: self.op_end(immediate),
        BR: g.op_br,
        BR_IF: g.op_br_if,
        BR_TABLE: lambda self, immediate: self.op_br_table(immediate),
        RETURN: g.op_return,
        CALL: g.op_call,
        CALL_INDIRECT: g.op_call_indirect,
        DROP: g.op_drop,
        SELECT: g.op_select,
        SELECT_T: g.op_select,
        LOCAL_GET: g.op_local_get,
        LOCAL_SET: g.op_local_set,
        LOCAL_TEE: g.op_local_tee,
        GLOBAL_GET: g.op_global_get,
        GLOBAL_SET: g.op_global_set,
        I32_CONST: g.op_const,
        I64_CONST: g.op_const,
        F32_CONST: g.op_f32_const,
        F64_CONST: g.op_f64_const,
        REF_NULL: g.op_ref_null,
        REF_IS_NULL: g.op_ref_is_null,
        REF_FUNC: g.op_ref_func,
    }
    return instruction_table(_Generator, handlers)


_HANDLERS = _build_handlers()


def loop_form(construct: Construct) -> bool:
    """Whether the structured form makes ``construct`` a Python ``while`` (see :class:`StructuredGenerator`)."""
    if construct.dead or not construct.branches:
        return False
    if construct.kind == LOOP:
        return True
    return construct.nested or construct.top_conditionals > NEST_LIMIT


def python_loop_depth(structure: Structure) -> int:
    """The deepest nesting of Python loops the structured form would write."""
    depth = {0: 0}
    deepest = 0
    for construct in structure.constructs.values():  # in order of position: parents first
        depth[construct.id] = depth[construct.parent] + loop_form(construct)
        deepest = max(deepest, depth[construct.id])
    return deepest


def generate_function(
    module: Module,
    function_index: int,
    expressions: Expressions,
    *,
    name: str | None = None,
    flat: bool = False,
    slots_per_frame: int = 0,
    typed_views: frozenset[str] = frozenset(),
    fuel: bool = False,
    stats: bool = False,
) -> GeneratedFunction:
    """The Python source of defined function ``function_index`` of a validated module.

    The structured form unless ``flat`` or the function exceeds CPython's
    static limits (then the flat form).  ``name`` defaults to ``f<index>``.
    With ``slots_per_frame``, a function with more parameters and locals than
    that calls ``ENTER(n)`` first and ``LEAVE(n)`` last, ``n`` the number of
    extra frames it counts as.  ``typed_views``: the formats of the typed
    views the namespace has (``V0_I`` ...).  ``fuel``: charge and check fuel
    through ``FUEL``, ``FUEL_OUT`` and ``FUEL_USE`` (see
    :mod:`wasmrun.compile.fuel`); ``stats``: count the call in ``STATS``.
    Without them the source has nothing of either.
    """
    name = name or f"f{function_index}"
    body = module.body(function_index)
    instructions = decode_function_body(module.raw, body)
    function_type = module.func_type(function_index)
    structure = analyse(module, instructions, len(function_type.results), len(function_type.params))
    if not flat and python_loop_depth(structure) <= MAX_PYTHON_LOOPS:
        try:
            return StructuredGenerator(
                module,
                function_index,
                expressions,
                name,
                instructions=instructions,
                structure=structure,
                slots_per_frame=slots_per_frame,
                typed_views=typed_views,
                fuel=fuel,
                stats=stats,
            ).generate()
        except TooDeep:
            pass
    return FlatGenerator(
        module,
        function_index,
        expressions,
        name,
        instructions=instructions,
        structure=structure,
        slots_per_frame=slots_per_frame,
        typed_views=typed_views,
        fuel=fuel,
        stats=stats,
    ).generate()


def generate_loop_entry(
    module: Module,
    function_index: int,
    expressions: Expressions,
    loop_offset: int,
    *,
    name: str,
    slots_per_frame: int = 0,
    typed_views: frozenset[str] = frozenset(),
    fuel: bool = False,
) -> GeneratedFunction | None:
    """A flat-form version of the function that starts at the head of the loop at ``loop_offset``.

    Its parameters are the wasm parameters, then the declared locals, then the
    operand-stack entries at the loop head (``osr_params`` names all but the
    wasm parameters).  None if there is no such loop.
    """
    body = module.body(function_index)
    instructions = decode_function_body(module.raw, body)
    position = next(
        (p for p, (opcode, _imm, offset) in enumerate(instructions) if opcode == LOOP and offset == loop_offset),
        None,
    )
    if position is None:
        return None
    function_type = module.func_type(function_index)
    structure = analyse(module, instructions, len(function_type.results), len(function_type.params))
    if structure.at(position).dead:
        return None
    generator = FlatGenerator(
        module,
        function_index,
        expressions,
        name,
        instructions=instructions,
        structure=structure,
        entry=position,
        slots_per_frame=slots_per_frame,
        typed_views=typed_views,
        fuel=fuel,
    )
    return generator.generate()
