"""The base of the code generator: the translation-time stack, statements, and the line and offset maps.

An :class:`Emitter` holds what generating one function needs whatever the
instruction: the operand stack of Python expressions (:mod:`~wasmrun.codegen.values`),
the lines written so far with what each can raise and the wasm offset it was
generated for, the driver that walks the body and calls each instruction's
visitor (its class's table, read from the instruction table by
:func:`wasmrun.semantics.dispatch.visitor_table`), the fuel charges, and the
assembly of the lines into the source of a :class:`GeneratedFunction`.  The
instructions are in the modules beside it (numeric, memory, variables,
control, and the structured and flat forms); the scheme is explained once,
in :mod:`wasmrun.codegen`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from wasmrun.binary.instructions import decode_function_body
from wasmrun.codegen import ranges
from wasmrun.codegen.alignment import ALIGN_CAP, Alignment, Node, constant_alignment, solve
from wasmrun.codegen.ranges import Choice, Range, RangeNode
from wasmrun.codegen.structure import Construct, Structure, analyse
from wasmrun.codegen.values import EMPTY, Value, int_literal, local_name
from wasmrun.errors import UnsupportedInstruction
from wasmrun.instructions import CONTROL, OPCODES, STRUCTURED, opcode_of
from wasmrun.module import Module
from wasmrun.semantics import fuel as fuel_rules
from wasmrun.types import FuncType, ValType, ValueType

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

_ZERO_LITERALS: dict[Any, str] = {
    ValType.I32: "0",
    ValType.I64: "0",
    ValType.F32: "0.0",
    ValType.F64: "0.0",
    ValType.FUNCREF: "None",
    ValType.EXTERNREF: "None",
    ValType.EXNREF: "None",
}

_STRUCTURED = frozenset(opcode for opcode, kind in CONTROL.items() if kind in STRUCTURED)
"""The instructions that open, divide or close a construct: visited in dead code too, to keep the constructs."""

_LOCAL_WRITES = {opcode_of("local.set"): False, opcode_of("local.tee"): True}
"""The instructions a statement's one result may go straight to: opcode -> whether it stays on the stack."""

Handlers = Mapping[int, Callable[[Any, Any], None]]
"""Opcode -> the visitor of a generator class (see :func:`wasmrun.semantics.dispatch.visitor_table`)."""


class TooDeep(Exception):
    """The structured form would exceed a CPython static limit (use the flat form)."""


@dataclass(frozen=True)
class Expressions:
    """The numeric rules the generator writes out (from :mod:`wasmrun.semantics.numeric`).

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
    tail_calls: bool = False  # it may return a TailCall (return_call*): see wasmrun.codegen.compiled.install


class Ctrl:
    """An open construct during generation."""

    __slots__ = (
        "align_entry",
        "align_incoming",
        "align_nodes",
        "base",
        "catches",
        "construct",
        "dead",
        "escapes",
        "form",
        "hoisted",
        "label",
        "nests",
        "other",
        "params",
        "range_entry",
        "range_incoming",
        "range_nodes",
        "results",
        "saved",
        "shadows",
        "steps",
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
        self.escapes: set[Ctrl] = set()  # targets of branches that leave this Python loop by the flag
        self.label: int | None = None  # flat form: the basic block of the label
        self.other = 0  # flat form: an if's else block
        self.hoisted: dict[str, str] = {}  # a loop's invariant expressions -> the names computed before it
        self.shadows: dict[tuple[int, int], str] = {}  # a loop's (local, shift) -> the name kept at local >> shift
        self.steps: dict[str, str] = {}  # a loop's shifted invariant steps of its shadows -> their names
        # Alignment of locals (see alignment.py): an if's state at entry, the states branches bring to the
        # end of a block or if, and a branched-to loop's node per local it writes.
        self.align_entry: list[Alignment] = []
        self.align_incoming: list[list[Alignment]] = []
        self.align_nodes: dict[int, Node] = {}
        # The same for the ranges of the i32 locals (see ranges.py).
        self.range_entry: list[Range] = []
        self.range_incoming: list[list[Range]] = []
        self.range_nodes: dict[int, RangeNode] = {}
        self.catches: tuple[tuple[int, int | None, int], ...] | None = None  # a try_table's clauses


class Deferred:
    """A memory access whose form waits for the alignment of its address (a node, solved at assembly)."""

    __slots__ = ("aligned", "alignment", "otherwise", "shift")

    def __init__(self, alignment: Node, shift: int, aligned: str, otherwise: str) -> None:
        self.alignment = alignment
        self.shift = shift
        self.aligned = aligned
        self.otherwise = otherwise

    def text(self) -> str:
        return self.aligned if self.alignment.value >= self.shift else self.otherwise


class Emitter:
    """What generating a function needs whatever the instruction: values, statements, the driver, assembly."""

    form = ""
    handlers: ClassVar[Handlers] = {}  # each form's own table, made beside its class

    def __init__(
        self,
        module: Module,
        function_index: int,
        expressions: Expressions,
        name: str,
        *,
        instructions: list[tuple[int, Any, int]] | None = None,
        structure: Structure | None = None,
        declared: list[ValueType] | None = None,
        slots_per_frame: int = 0,
        typed_views: frozenset[str] = frozenset(),
        fuel: bool = False,
        stats: bool = False,
    ) -> None:
        self.slots_per_frame = slots_per_frame
        self.typed_views = typed_views
        # Metering and counting, generated only when asked (see Emitter.account and assemble).
        self.fuel = fuel
        self.stats = stats
        self.charge: tuple[list[tuple[int, str, int, int]], int] | None = None  # the segment's charge line
        self.pending = 0
        self.module = module
        self.index = function_index
        self.expressions = expressions
        self.name = name
        self.type: FuncType = module.func_type(function_index)
        body = module.body(function_index)
        own = [valtype for count, valtype in body.locals for _ in range(count)]
        self.nparams = len(self.type.params)
        self.frame_locals = self.nparams + len(own)  # what the frame counts for (not locals inlining added)
        self.declared = own if declared is None else declared  # (with the locals of inlined tail calls)
        self.instructions = instructions if instructions is not None else decode_function_body(module.raw, body)
        self.structure = structure or analyse(module, self.instructions, len(self.type.results), self.nparams)
        self.stack: list[Value] = []
        self.ctrls: list[Ctrl] = []
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
        self.tail_calls = False
        # The known alignment of each local here (parameters: unknown; declared locals start as zero).
        self.local_align: list[Alignment] = [0] * self.nparams
        self.local_align += [ALIGN_CAP] * len(self.declared)
        self.align_nodes: list[Node] = []
        self.deferred: list[Deferred] = []  # memory accesses waiting for the alignment nodes (see assemble)
        # The known range of each i32 local here (parameters: nothing known; declared locals start as zero),
        # the nodes of ranges known once solved, and the text choices waiting for them (see ranges.py).
        # Only in a function with a loop, where the time goes: in one without, each instruction runs once
        # per call, and working ranges out would cost more than it saves.
        self.tracks_ranges = any(construct.kind == "loop" for construct in self.structure.constructs.values())
        self.i32_locals = frozenset(
            index
            for index, valtype in enumerate((*self.type.params, *self.declared))
            if valtype is ValType.I32 and self.tracks_ranges
        )
        zero = ranges.constant_span(0) if self.tracks_ranges else None  # (no local has a range if none is tracked)
        local_range: list[Range] = [
            *([None] * self.nparams),
            *(zero if valtype is ValType.I32 else None for valtype in self.declared),
        ]
        # (Relations between locals only where ranges are tracked: elsewhere a plain list, cheaper to copy.)
        self.local_range: list[Range] = ranges.LocalRanges(local_range) if self.tracks_ranges else local_range
        self.range_nodes: list[RangeNode] = []
        self.choices: list[Choice] = []
        self.zeroed: set[int] = set()  # declared locals read before a loop that may come before their first write
        self.shadowed = False  # whether a loop keeps a shadow (see structured.StructuredGenerator.shadow)

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
        """``value`` reduced to its canonical form if it is a lazily masked integer (left as it is where its
        range shows the reduction changes nothing: see ranges.py)."""
        if not value.wrap:
            value.signable = None  # (used as it is: its load stays unsigned)
            return value
        template = self.expressions.reduce[value.wrap][1 if value.wide else 0]
        code = template.replace("{x}", value.code)
        span = value.range
        if span is None or value.wrap != 32:
            result = Value(code, value.reads, depth=value.depth + 1, align=value.align)
        elif isinstance(span, RangeNode):
            choice = Choice(span, ranges.fits, ranges.claimed(value.code, ranges.U32), code)
            reduced = ranges.derive(ranges.reduced, (span,), self.range_nodes)
            code = ranges.choice_text(self.choices, choice)
            result = Value(code, value.reads, depth=value.depth + 1, align=value.align, range=reduced)
        elif ranges.fits(span):
            kept = ranges.claimed(value.code, ranges.U32)
            result = Value(
                kept, value.reads, simple=kept == value.code, depth=value.depth, align=value.align, range=span
            )
        else:
            result = Value(code, value.reads, depth=value.depth + 1, align=value.align, range=ranges.reduced(span))
        result.offset = value.offset  # (the same value modulo 2**32)
        if value.derived is not None:
            result.derived = ranges.derived_reduced(value.derived) if value.wrap == 32 else value.derived
        return result

    def range_of(self, value: Value) -> Range:
        """What is known of an i32 operand's value: its range, a constant's span, else None (for a canonical
        value, nothing known; for a lazily masked one, not even its magnitude: see :meth:`raw_range`)."""
        if value.range is not None:
            return value.range
        constant = value.constant
        if type(constant) is int and 0 <= constant < ranges.U32:
            return ranges.constant_span(constant)
        return None

    def write_range(self, index: int, span: Range, value: Value | None = None) -> None:
        """Local ``index`` is written a value of range ``span`` (``value``: the i32 written, which may be
        another local's plus a constant, or computed from another local alone)."""
        state = self.local_range
        state[index] = span
        if isinstance(state, ranges.LocalRanges):
            state.forget(index)
            if value is None or index not in self.i32_locals:
                return
            if value.test is not None:
                self.note_test(state, index, value.test)
            offset = self.offset_of(value)
            if offset is not None:
                if offset[0] != index:
                    state.offsets[index] = offset
            elif value.derived is not None and value.derived[0] != index:
                state.derived[index] = value.derived

    def note_test(self, state: ranges.LocalRanges, index: int, test: tuple[str, Value, Value]) -> None:
        """Local ``index`` is written the result of comparison ``test``: if it compares another local (plus a
        constant) with a constant, the holder's test is noted (see :class:`~wasmrun.codegen.ranges.LocalRanges`)."""
        relation, a, b = test
        for side, other, how in ((a, b, relation), (b, a, ranges.mirrored(relation))):
            offset = self.offset_of(side) if len(side.reads) == 1 else None
            if offset is not None and offset[0] != index and type(other.constant) is int:
                state.tests[index] = (how, offset[0], offset[1], ranges.constant_span(other.constant % ranges.U32))
                return

    def derived_of(self, value: Value) -> ranges.Derived | None:
        """``(b, f)`` if i32 ``value`` is computed from local ``b`` and constants alone (its range in ``f`` of
        ``b``'s), else None."""
        if value.derived is not None:
            return value.derived
        offset = self.offset_of(value)
        return None if offset is None else (offset[0], ranges.shifted_by(offset[1]))

    def hoist(self, local: Value, expression: str, whole_function: bool = False) -> str | None:
        """A name for ``expression`` (of the local read ``local``) computed before the loops that keep it (or,
        ``whole_function``, at the start of a function that never writes the local); None where the form
        hoists nothing (see ``StructuredGenerator.hoist``)."""
        return None

    def shadow(self, index: int, shift: int) -> str | None:
        """A name kept at local ``index`` shifted right by ``shift`` through the innermost enclosing loop, which
        writes the local; None where the form keeps none (see ``StructuredGenerator.shadow``)."""
        return None

    def offset_of(self, value: Value, i32: bool = False) -> ranges.Offset | None:
        """``(b, c)`` if i32 ``value`` is local ``b``'s value plus ``c`` (modulo 2**32), else None (``i32``: the
        value is known to be an i32, an i32 instruction's operand, in a function that may track no ranges)."""
        if value.offset is not None:
            return value.offset
        reads = value.reads
        if value.simple and len(reads) == 1:
            (index,) = reads
            if value.code == local_name(index) and (i32 or index in self.i32_locals):
                return (index, 0)
        return None

    def set_result_range(self, name: str, span: Range) -> None:
        """The range of a statement's result just put in ``name`` (pushed, or a local's)."""
        if name[0] == "l" and int(name[1:]) in self.i32_locals:  # (none if the function tracks no ranges)
            self.write_range(int(name[1:]), span)
        if self.stack and self.stack[-1].code == name:
            self.stack[-1].range = span

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
        value = self.canonical(value)
        self.emit(f"{name} = {value.code}")
        self.stack[index] = Value(name, simple=True, align=value.align, range=value.range)

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

    def push_expression(self, code: str, operands: tuple[Value, ...], extra_depth: int) -> None:
        reads = EMPTY
        depth = 0
        for operand in operands:
            if operand.reads:
                reads = reads | operand.reads
            depth = max(depth, operand.depth)
        self.push(Value(code, reads, depth=depth + extra_depth))

    # --- the driver -----------------------------------------------------------------------------

    def generate(self) -> GeneratedFunction:
        """Visit each instruction through the class's table (live code only, but for the structured ones)."""
        self.open_function()
        handlers = self.handlers
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
            if self.live or opcode in _STRUCTURED:
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

    # --- fuel (only with ``fuel``; the rules: wasmrun.semantics.fuel) --------------------------------

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
            if CONTROL.get(opcode) == "loop":
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
        tee = _LOCAL_WRITES.get(opcode)
        if tee is not None:
            self.spill(index)
            self.skip = 1
            self.local_align[index] = 0  # a loaded value, a call's result...
            self.write_range(index, None)
            return local_name(index), tee
        return self.temp(), True

    def push_result(self, name: str) -> None:
        """Push a statement's result held in ``name`` (a temporary or, after a tee, a local)."""
        if name[0] == "l":
            index = int(name[1:])
            self.push(
                Value(
                    name, frozenset((index,)), simple=True, align=self.local_align[index], range=self.local_range[index]
                )
            )
        else:
            self.push(Value(name, simple=True))

    def unsupported(self, opcode: int) -> None:
        info = OPCODES.get(opcode)
        name = info.mnemonic if info is not None else f"opcode 0x{opcode:x}"
        if info is not None and info.is_simd:
            raise UnsupportedInstruction(f"unsupported instruction: SIMD ({name}) is not executed by this engine")
        raise UnsupportedInstruction(f"unsupported instruction: {name}")

    # --- what each form provides (see structured.py and flat.py) ------------------------------------

    def open_function(self) -> None:
        raise NotImplementedError

    def body_lines(self) -> list[tuple[int, str, int, int]]:
        raise NotImplementedError

    def preamble(self) -> list[str]:
        return []

    def extra_params(self) -> list[str]:
        return []

    def osr_heights(self) -> list[int]:
        return []

    # --- assembly -------------------------------------------------------------------------------

    def with_idioms(self, body: list[tuple[int, str, int, int]]) -> list[tuple[int, str, int, int]]:
        """The body's lines with the loops :mod:`wasmrun.codegen.idioms` knows done at C speed (the
        structured form)."""
        return body

    def without_dead_writes(
        self, body: list[tuple[int, str, int, int]]
    ) -> tuple[list[tuple[int, str, int, int]], frozenset[str] | None]:
        """The body's lines without the writes no line reads, and the names live at its start (None: not
        worked out; every zeroing stays): see :mod:`wasmrun.codegen.liveness` (the structured form)."""
        return body, None

    def zeroing(self, indexes: list[int]) -> list[str]:
        """The lines setting the declared locals ``indexes`` to their type's zero (``l2 = l5 = 0``)."""
        by_zero: dict[str, list[str]] = {}
        for index in indexes:
            valtype = self.declared[index - self.nparams]
            literal = _ZERO_LITERALS.get(valtype) or ("0" if valtype is ValType.V128 else "None")
            by_zero.setdefault(literal, []).append(local_name(index))
        lines: list[str] = []
        for literal, names in by_zero.items():
            for start in range(0, len(names), 50):
                lines.append(" = ".join((*names[start : start + 50], literal)))
        return lines

    def assemble(self) -> GeneratedFunction:
        deferred = self.deferred
        choices = self.choices
        if deferred or choices or self.shadowed:
            solve(self.align_nodes)  # (counting loops' ranges, and shadows' steps, may need alignments)
        if choices:
            ranges.solve(self.range_nodes, [choice.node for choice in choices])
        chosen: dict[int, str] = {}
        body: list[tuple[int, str, int, int]] = []
        for indent, text, kind, offset in self.body_lines():
            if kind == MEMORY and text[0] == "\0":
                text = deferred[int(text[1:])].text()
            if choices:
                text = ranges.resolve(text, choices, chosen)
            body.append((indent, text, kind, offset))
        body, live = self.without_dead_writes(body)
        body = self.with_idioms(body)
        params = [local_name(i) for i in range(self.nparams)]
        extra = self.extra_params()
        header = f"def {self.name}({', '.join((*params, *extra))}):"
        first_declared = self.nparams
        prologue = self.zeroing(
            [
                first_declared + k
                for k in range(len(self.declared))
                if local_name(first_declared + k) not in extra
                and (first_declared + k in self.structure.needs_init or first_declared + k in self.zeroed)
                and (live is None or local_name(first_declared + k) in live)
            ]
        )
        if self.uses_flag and (live is None or "br" in live):
            prologue.append("br = 0")
        prologue += self.preamble()
        has_memory = any(kind == MEMORY for _indent, _text, kind, _offset in body)
        # A big frame counts as several against the depth limit (ENTER/LEAVE, from the runtime), as in
        # the interpreter: it bounds the memory a full stack takes.
        # (Parameters and declared locals only: the rule of wasmrun.semantics.frames.frame_cost, which the
        # interpreter follows too, so that both tiers exhaust the stack at the same depth.)
        extra_cost = self.frame_locals // self.slots_per_frame if self.slots_per_frame else 0
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
        positions: list[tuple[int, int]] = []
        for indent, text, kind, offset in body:
            if kind == MEMORY:
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
            self.tail_calls,
        )
