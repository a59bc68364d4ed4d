"""Translating a validated function body into superinstructions (see :mod:`wasmrun.interp.fusion`).

The output, a :class:`Translation`, is plain data: ``code[pc]`` is
``[key, *args]`` with ``key = (family, op, shape)`` naming a family of
:data:`~wasmrun.interp.fusion.FAMILIES`, the instruction's mnemonic for the
families that have an expression (else ``None``) and one ``r``/``c`` per
source operand; ``args`` are frame indexes, constants, handler indexes
(branch targets) and instance indexes, in the family's order.  ``code[0]`` is
a placeholder: a handler returning 0 ends the function.  ``offsets[pc]`` is
the byte offset (in the module) of the wasm instruction ``code[pc]`` came
from, for trap backtraces.

How the translator works: one pass over the instructions with an abstract
operand stack whose entries are ``("r", index)`` (the value is ``R[index]``:
its own stack slot, or a local not yet copied) or ``("c", value)``; and a
control stack of open blocks with their pending branch fix-ups.  Code after
an unconditional branch is skipped up to the end of its block.  With
``fuse=False`` every operand instruction emits its own move and nothing is
fused: one handler per wasm instruction (the reference for the fusion tests).

Which method translates an instruction follows from the instruction table
(:func:`wasmrun.semantics.dispatch.visitor_table`): ``numeric``, ``load`` and
``store`` for the scalar numeric and memory instructions, ``op_<mnemonic>``
for the others, :func:`~wasmrun.interp.simd_translation.simd_translations` for
the SIMD proposal; control is told apart by the table's control kind.

With ``fuel=True`` (metering, see :mod:`wasmrun.semantics.fuel`) the code gets
items of its own, and without it none: a ``fuel.check`` at ``pc`` 1 (the
function's entry) and at each loop head, a ``fuel`` item where every other
segment starts (its cost filled in when the segment ends; dropped when it is
0), and the ``.fuel`` variants of the bulk instructions.  They are ordinary
items, fused into runs like any other, so a run counts what it replaces.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from typing import Any

from wasmrun.binary.instructions import decode_function_body
from wasmrun.errors import UnsupportedInstruction
from wasmrun.floats import f32_from_bits, f64_from_bits
from wasmrun.instructions import BLOCKTYPE_EMPTY, CONTROL, OPCODES, STRUCTURED, InstructionInfo
from wasmrun.interp import fusion
from wasmrun.interp.atomic_translation import AtomicTranslation
from wasmrun.interp.call_translation import CallTranslation
from wasmrun.interp.exception_translation import EXCEPTION_OPCODES, ExceptionTranslation
from wasmrun.interp.gc_translation import GcTranslation
from wasmrun.interp.simd_translation import function_uses_simd, simd_translations
from wasmrun.module import Module
from wasmrun.semantics import fuel as fuel_rules
from wasmrun.semantics.dispatch import visitor_table
from wasmrun.types import FuncType, ValType

Operand = tuple[str, Any]

_KEYS: dict[tuple[str, Any, str], tuple[str, Any, str]] = {}


def offsets_array(offsets: Sequence[int]) -> array[int]:
    """A translation's byte offsets, 4 bytes each (8 in a module past 4 GiB): a list would hold an int
    object per handler."""
    try:
        return array("I", offsets)
    except OverflowError:
        return array("q", offsets)


def interned_key(key: tuple[str, Any, str]) -> tuple[str, Any, str]:
    """One tuple object per handler key, however many items name it (an item costs a pointer to it)."""
    return _KEYS.setdefault(key, key)


_MULTI_FAMILIES = {1: "unop", 2: "binop", 3: "ternop", 4: "quadop"}
"""The family computing a multi-result instruction's tuple, by its number of operands."""


class Translation:
    """A translated function (see the module docstring).

    A plain class, not a dataclass: it is defined on every start-up, where generating a dataclass's
    methods costs more than the few lines below.
    """

    __slots__ = (
        "catch_regions",
        "code",
        "frame_template",
        "function_index",
        "loop_heads",
        "loop_offsets",
        "offsets",
        "param_count",
        "result_base",
        "result_count",
        "tail_calls",
        "uses_exceptions",
        "uses_simd",
    )

    def __init__(
        self,
        function_index: int,
        code: list[tuple[Any, ...]],
        offsets: Sequence[int],
        param_count: int,
        frame_template: list[Any],
        result_base: int,
        result_count: int,
        loop_heads: list[int],
        loop_offsets: list[int] | None = None,
        uses_simd: bool = False,
        catch_regions: list[list[Any]] | None = None,
        uses_exceptions: bool = False,
        tail_calls: bool = False,
    ) -> None:
        self.function_index = function_index
        self.code = code
        self.offsets = offsets
        self.param_count = param_count
        # Appended to the arguments to make a frame: declared locals, then stack slots.
        self.frame_template = frame_template
        self.result_base = result_base  # results are R[result_base : result_base + result_count] at the end
        self.result_count = result_count
        self.loop_heads = loop_heads  # the handler index where each loop starts (branched to from below)
        # The byte offset of each loop_heads' loop instruction.
        self.loop_offsets = loop_offsets if loop_offsets is not None else []
        self.uses_simd = uses_simd  # whether it has a SIMD instruction (the compiled tier leaves it interpreted)
        # Each try_table's [first pc, end pc, clauses], outer ones first; a clause is [catch kind, tag index
        # or None, the slot its values go to, the handler index it jumps to] (see wasmrun.interp.catching).
        self.catch_regions = catch_regions if catch_regions is not None else []
        self.uses_exceptions = uses_exceptions  # throw, throw_ref or try_table: interpreted, unfused
        # Whether it makes tail calls: its handlers may leave a TailCall at the end of the frame (R[-1]).
        self.tail_calls = tail_calls

    def __repr__(self) -> str:
        return f"Translation(function_index={self.function_index}, {len(self.code)} handlers)"

    @property
    def frame_size(self) -> int:
        return self.param_count + len(self.frame_template)


ZERO_VALUES: dict[Any, Any] = {
    ValType.I32: 0,
    ValType.I64: 0,
    ValType.F32: 0.0,
    ValType.F64: 0.0,
    ValType.V128: 0,
    ValType.FUNCREF: None,
    ValType.EXTERNREF: None,
    ValType.EXNREF: None,
}


class _Control:
    """An open block: where its stack starts, its label's arity and its pending branches."""

    __slots__ = ("dead", "else_fixup", "fixups", "height", "kind", "nparams", "nresults", "region", "start")

    def __init__(self, kind: str, height: int, nparams: int, nresults: int, start: int, dead: bool = False) -> None:
        self.kind = kind  # the control kind that opened it (block, loop, if; else after one), or "function"
        self.height = height
        self.nparams = nparams
        self.nresults = nresults
        self.start = start
        self.fixups: list[tuple[list[Any] | dict[int, Any], int]] = []  # where to write the label's handler index
        self.else_fixup: tuple[list[Any], int] | None = None
        self.dead = dead
        self.region: list[Any] | None = None  # a try_table's catch region

    @property
    def arity(self) -> int:
        return self.nparams if self.kind == "loop" else self.nresults


def translate_function(module: Module, function_index: int, *, fuse: bool = True, fuel: bool = False) -> Translation:
    """Translate defined function ``function_index`` (an index in the module's function space).

    ``fuel``: charge and check fuel as Wasmtime does (see :mod:`wasmrun.semantics.fuel`); without it the
    code has nothing of metering.
    """
    return _Translator(module, function_index, fuse, fuel).run()


class _Translator(ExceptionTranslation, CallTranslation, AtomicTranslation, GcTranslation):
    def __init__(self, module: Module, function_index: int, fuse: bool, fuel: bool = False) -> None:
        self.module = module
        self.function_index = function_index
        self.fuse = fuse
        self.fuel = fuel
        # Metering (see wasmrun.semantics.fuel): the item charging the current segment (None between a
        # segment's end and the next reachable instruction), the cost so far, and a loop's check item.
        self.charge: list[Any] | None = None
        self.pending = 0
        self.loop_check: list[Any] | None = None
        self.type: FuncType = module.func_type(function_index)
        self.body = module.body(function_index)
        declared = [valtype for count, valtype in self.body.locals for _ in range(count)]
        self.declared = declared
        self.base = len(self.type.params) + len(declared)  # frame index of stack depth 0
        self.stack: list[Operand] = []
        self.max_height = 0
        self.ctrls: list[_Control] = []
        self.code: list[list[Any]] = [[("exit", None, "")]]
        self.offsets: list[int] = [self.body.code_start]
        self.offset = self.body.code_start
        self.unreachable = False
        self.instructions: list[tuple[int, Any, int]] = []
        self.position = 0
        self.skip = 0
        self.loop_heads: list[int] = []
        self.loop_offsets: list[int] = []
        self.catch_regions: list[list[Any]] = []
        self.tail_calls = False
        # Each br_table's targets, its immediate, and the handler index of each distinct label.
        self.tables: list[tuple[list[Any], tuple[tuple[int, ...], int], dict[int, Any]]] = []

    # --- driver -------------------------------------------------------------------------------

    def run(self) -> Translation:
        self.instructions = decode_function_body(self.module.raw, self.body)
        uses_exceptions = any(opcode in EXCEPTION_OPCODES for opcode, _, _ in self.instructions)
        if uses_exceptions:
            # Catch regions are handler index ranges: no fusion or jump threading may move or merge them.
            self.fuse = False
        handlers = _HANDLERS
        self.ctrls.append(_Control("function", 0, 0, len(self.type.results), 0))
        instructions = self.instructions
        count = len(instructions)
        position = 0
        if self.fuel:
            self.offset = fuel_rules.entry_offset(self.module, self.function_index)
            self.charge = self.emit("fuel.check", None, "", fuel_rules.ENTRY_COST, 0)
            self.pending = fuel_rules.ENTRY_COST
        while position < count:
            opcode, immediate, offset = instructions[position]
            self.position = position
            self.offset = offset
            self.skip = 0
            if self.unreachable and opcode not in _STRUCTURED:
                position += 1
                continue
            handler = handlers.get(opcode)
            if handler is None:
                self.unsupported(opcode)
            elif self.fuel and not self.unreachable:
                if self.charge is None:
                    self.charge = self.emit("fuel", None, "", 0)
                handler(self, immediate)
                self.account(position, position + self.skip)
            else:
                handler(self, immediate)
            position += 1 + self.skip
        for targets, (labels, default), by_depth in self.tables:
            targets[:] = [by_depth[depth] for depth in labels]
            targets.append(by_depth[default])
        template = [ZERO_VALUES.get(valtype) for valtype in self.declared] + [None] * self.max_height
        code, offsets, loop_heads, loop_offsets = self.code, self.offsets, self.loop_heads, self.loop_offsets
        if self.fuel and not uses_exceptions:  # (renumbering handlers would move the catch regions)
            code, offsets, loop_heads, loop_offsets = drop_free_charges(code, offsets, loop_heads, loop_offsets)
        if self.fuse and thread_jumps(code):
            code, offsets, loop_heads, loop_offsets = drop_dead_code(code, offsets, loop_heads, loop_offsets)
        return Translation(
            self.function_index,
            [tuple(item) for item in code],  # frozen: tuples, half the memory of lists (a binder keeps them)
            offsets_array(offsets),
            len(self.type.params),
            template,
            self.base,
            len(self.type.results),
            loop_heads,
            loop_offsets,
            function_uses_simd(self.module, self.function_index, self.instructions),
            self.catch_regions,
            uses_exceptions,
            self.tail_calls,
        )

    def account(self, first: int, last: int) -> None:
        """Metering: add the cost of the instructions ``first..last`` (just translated) to their segments.

        Each segment's charge item was emitted where the segment starts (see
        :mod:`wasmrun.semantics.fuel`); its cost is known at the segment's end.
        A ``local.set`` fused into a call belongs to the segment after the call.
        """
        for position in range(first, last + 1):
            opcode = self.instructions[position][0]
            self.pending += fuel_rules.static_cost(self.instructions, position)
            if fuel_rules.ends_segment(self.instructions, position):
                if self.charge is not None:
                    self.charge[-1] = self.pending
                    self.pending = 0
                self.charge = None
                if self.loop_check is not None and CONTROL.get(opcode) == "loop":
                    self.charge, self.loop_check = self.loop_check, None

    def bulk_family(self, family: str) -> str:
        """The family of the bulk instruction at hand: its metering variant if it charges at run time."""
        if self.fuel and fuel_rules.checked_at_run_time(self.instructions, self.position):
            return family + ".fuel"
        return family

    def unsupported(self, opcode: int) -> None:
        info = OPCODES.get(opcode)
        name = info.mnemonic if info is not None else f"opcode 0x{opcode:x}"
        raise UnsupportedInstruction(f"unsupported instruction: {name}")

    # --- emitting -----------------------------------------------------------------------------

    def emit(self, family: str, op: str | None, shape: str, *args: Any) -> list[Any]:
        item = [interned_key((family, op, shape)), *args]
        self.code.append(item)
        self.offsets.append(self.offset)
        return item

    def push(self, operand: Operand) -> None:
        self.stack.append(operand)
        if len(self.stack) > self.max_height:
            self.max_height = len(self.stack)

    def push_slot(self) -> int:
        slot = self.base + len(self.stack)
        self.push(("r", slot))
        return slot

    def pop(self) -> Operand:
        return self.stack.pop()

    def materialize(self, depth: int) -> None:
        """Make the entry at ``depth`` live in its own slot."""
        operand = self.stack[depth]
        slot = self.base + depth
        if operand[0] == "c" or operand[1] != slot:
            self.emit("move", None, operand[0], slot, operand[1])
            self.stack[depth] = ("r", slot)

    def flush(self) -> None:
        for depth in range(len(self.stack)):
            self.materialize(depth)

    def spill_local(self, index: int) -> None:
        """Copy pending reads of local ``index`` to their slots before the local is written."""
        target = ("r", index)
        for depth, operand in enumerate(self.stack):
            if operand == target:
                self.materialize(depth)

    def result_destination(self) -> int:
        """Where the value about to be produced goes: the next ``local.set``/``tee``'s local, or a slot."""
        if self.fuse:
            following = self.instructions[self.position + 1]
            if following[0] in _DESTINATIONS:
                local = following[1]
                self.spill_local(local)
                self.skip = 1
                if _DESTINATIONS[following[0]] == "local.tee":
                    self.push(("r", local))
                return int(local)
        return self.push_slot()

    # --- branches ------------------------------------------------------------------------------

    def label(self, depth: int) -> _Control:
        return self.ctrls[-1 - depth]

    def branch_moves(self, ctrl: _Control) -> list[tuple[int, Operand]]:
        """The moves that put the branch's values into the label's slots (none if already there)."""
        arity = ctrl.arity
        height = len(self.stack)
        moves = []
        for k in range(arity):
            operand = self.stack[height - arity + k]
            destination = self.base + ctrl.height + k
            if operand != ("r", destination):
                moves.append((destination, operand))
        return moves

    def emit_moves(self, moves: list[tuple[int, Operand]]) -> None:
        # Destinations ascend and every slot source sits at or above its destination, at the same
        # distance, so copying in order never overwrites a source still to be read.
        for destination, operand in moves:
            self.emit("move", None, operand[0], destination, operand[1])

    def target(self, ctrl: _Control, container: list[Any] | dict[int, Any], index: int) -> None:
        """Make ``container[index]`` the handler index of ``ctrl``'s label (now or when it is bound)."""
        if ctrl.kind == "loop":
            container[index] = ctrl.start
        else:
            ctrl.fixups.append((container, index))

    def jump(self, ctrl: _Control) -> None:
        self.emit_moves(self.branch_moves(ctrl))
        item = self.emit("br", None, "", None)
        self.target(ctrl, item, 1)

    def conditional_jump(self, ctrl: _Control, family: str, op: str | None, operands: list[Operand]) -> None:
        """``family`` is ``br_if``/``br_unless`` (suffixed by arity when ``op`` is given)."""
        moves = self.branch_moves(ctrl)
        shape = "".join(operand[0] for operand in operands)
        values = [operand[1] for operand in operands]
        if not moves:
            item = self.emit(family, op, shape, *values, None)
            self.target(ctrl, item, len(item) - 1)
            return
        # Out of line: skip the moves and the jump unless the condition holds.
        inverse = (
            family.replace("br_if", "br_unless") if family.startswith("br_if") else family.replace("br_unless", "br_if")
        )
        skip = self.emit(inverse, op, shape, *values, None)
        self.emit_moves(moves)
        item = self.emit("br", None, "", None)
        self.target(ctrl, item, 1)
        skip[-1] = len(self.code)

    def condition(self) -> tuple[str, str | None, list[Operand]]:
        """The condition for a following ``br_if``/``if``: ``("", None, [x])`` (branch on x)."""
        return "", None, [self.pop()]

    def fused_condition(self, info_mnemonic: str, arity: int) -> bool:
        """If the next instruction is a branch it fuses with (``br_if``/``if``), fuse this comparison or test into it."""
        if not self.fuse:
            return False
        following = self.instructions[self.position + 1]
        branch = _FUSED_BRANCHES.get(following[0])
        if branch is None:
            return False
        kind = "test" if info_mnemonic in fusion.TESTS else "comparison"
        family = fusion.BRANCH_FUSIONS[(kind, branch)]
        operands = self.stack[len(self.stack) - arity :]
        del self.stack[len(self.stack) - arity :]
        self.skip = 1
        if kind == "test":
            op: str | None = None
        else:
            op = info_mnemonic
            family = f"{family}.binop" if arity == 2 else f"{family}.unop"
        if branch == "br_if":
            self.conditional_jump(self.label(following[1]), family, op, operands)
        else:
            self.open_if(following[1], family, op, operands)
        return True

    # --- blocks --------------------------------------------------------------------------------

    def block_arity(self, blocktype: int) -> tuple[int, int]:
        if blocktype == BLOCKTYPE_EMPTY:
            return 0, 0
        if blocktype < 0:
            return 0, 1
        function_type = self.module.types[blocktype]
        return len(function_type.params), len(function_type.results)

    def open_block(self, kind: str, blocktype: int) -> _Control:
        nparams, nresults = self.block_arity(blocktype)
        if self.unreachable:
            ctrl = _Control(kind, len(self.stack), nparams, nresults, 0, dead=True)
        else:
            self.flush()
            ctrl = _Control(kind, len(self.stack) - nparams, nparams, nresults, len(self.code))
        self.ctrls.append(ctrl)
        return ctrl

    def op_block(self, blocktype: int) -> None:
        self.open_block("block", blocktype)

    def op_loop(self, blocktype: int) -> None:
        ctrl = self.open_block("loop", blocktype)
        if not ctrl.dead:
            self.loop_heads.append(ctrl.start)
            self.loop_offsets.append(self.offset)
            if self.fuel:
                self.loop_check = self.emit("fuel.check", None, "", 0, 0)

    def op_if(self, blocktype: int) -> None:
        if self.unreachable:
            self.open_block("if", blocktype)
            return
        _family, _op, operands = self.condition()
        self.open_if(blocktype, "br_unless", None, operands)

    def open_if(self, blocktype: int, family: str, op: str | None, operands: list[Operand]) -> None:
        ctrl = self.open_block("if", blocktype)
        shape = "".join(operand[0] for operand in operands)
        item = self.emit(family, op, shape, *[operand[1] for operand in operands], None)
        ctrl.else_fixup = (item, len(item) - 1)

    def op_else(self, _immediate: None) -> None:
        ctrl = self.ctrls[-1]
        if ctrl.dead:
            return
        if not self.unreachable:
            self.settle_results(ctrl)
            item = self.emit("br", None, "", None)
            ctrl.fixups.append((item, 1))
        if ctrl.else_fixup is not None:
            container, index = ctrl.else_fixup
            container[index] = len(self.code)
            ctrl.else_fixup = None
        del self.stack[ctrl.height :]
        for _ in range(ctrl.nparams):
            self.push_slot()
        ctrl.kind = "else"
        self.unreachable = False

    def settle_results(self, ctrl: _Control) -> None:
        """At the end of a block's code: its results into their slots."""
        for depth in range(len(self.stack) - ctrl.nresults, len(self.stack)):
            self.materialize(depth)

    def op_end(self, _immediate: None) -> None:
        ctrl = self.ctrls.pop()
        if ctrl.dead:
            return
        if ctrl.region is not None:
            ctrl.region[1] = len(self.code)
        falls_through = not self.unreachable
        if ctrl.kind == "function":
            self.end_function(ctrl, falls_through)
            return
        if falls_through:
            self.settle_results(ctrl)
        here = len(self.code)
        reached = falls_through
        if ctrl.kind != "loop":
            for container, index in ctrl.fixups:
                container[index] = here
            reached = reached or bool(ctrl.fixups)
        if ctrl.else_fixup is not None:  # an if without else: the false edge
            container, index = ctrl.else_fixup
            container[index] = here
            reached = True
        del self.stack[ctrl.height :]
        for _ in range(ctrl.nresults):
            self.push_slot()
        self.unreachable = not reached

    def end_function(self, ctrl: _Control, falls_through: bool) -> None:
        if falls_through:
            if self.fuse and ctrl.nresults == 1 and not ctrl.fixups:
                operand = self.stack[-1]
                self.emit("ret", None, operand[0], self.base, operand[1])
                return
            self.settle_results(ctrl)
        for container, index in ctrl.fixups:
            container[index] = len(self.code)
        if falls_through or ctrl.fixups:
            self.emit("exit", None, "")

    # --- control instructions ------------------------------------------------------------------

    def op_unreachable(self, _immediate: None) -> None:
        self.emit("unreachable", None, "")
        self.unreachable = True

    def op_nop(self, _immediate: None) -> None:
        pass

    def op_br(self, depth: int) -> None:
        self.jump(self.label(depth))
        self.unreachable = True

    def op_br_if(self, depth: int) -> None:
        operand = self.pop()
        self.conditional_jump(self.label(depth), "br_if", None, [operand])

    def op_br_table(self, immediate: tuple[tuple[int, ...], int]) -> None:
        labels, default = immediate
        operand = self.pop()
        targets: list[Any] = []  # filled at the end of the function (see run)
        self.emit("br_table", None, operand[0], operand[1], targets)
        # Work per distinct label, not per target: a table may have millions of targets.
        by_depth: dict[int, Any] = dict.fromkeys((*labels, default))  # depth -> its handler index, once bound
        pending = []
        for depth in by_depth:
            ctrl = self.label(depth)
            moves = self.branch_moves(ctrl)
            if not moves:
                self.target(ctrl, by_depth, depth)
            else:
                pending.append((depth, ctrl, moves))
        for depth, ctrl, moves in pending:
            by_depth[depth] = len(self.code)
            self.emit_moves(moves)
            item = self.emit("br", None, "", None)
            self.target(ctrl, item, 1)
        self.tables.append((targets, immediate, by_depth))
        self.unreachable = True

    def op_return(self, _immediate: None) -> None:
        count = len(self.type.results)
        if count == 1:
            operand = self.stack[-1]
            self.emit("ret", None, operand[0], self.base, operand[1])
        else:
            height = len(self.stack)
            moves = []
            for k in range(count):
                operand = self.stack[height - count + k]
                if operand != ("r", self.base + k):
                    moves.append((self.base + k, operand))
            self.emit_moves(moves)
            self.emit("exit", None, "")
        self.unreachable = True

    def op_call(self, function_index: int) -> None:
        self.call(self.module.func_type(function_index), "call", (function_index,), None)

    def op_call_indirect(self, immediate: tuple[int, int]) -> None:
        type_index, table_index = immediate
        index = self.pop()
        self.call(self.module.types[type_index], "call_indirect", (type_index, table_index, index[1]), index[0])

    def call(self, function_type: FuncType, family: str, leading: tuple[Any, ...], shape: str | None) -> None:
        nparams = len(function_type.params)
        height = len(self.stack)
        for depth in range(height - nparams, height):
            self.materialize(depth)
        del self.stack[height - nparams :]
        first = self.base + height - nparams
        end = self.base + height
        nresults = len(function_type.results)
        shape = shape or ""
        if nresults == 0:
            self.emit(f"{family}.0", None, shape, *leading, first, end)
        elif nresults == 1:
            # Decide the destination first: it may emit spills, which must come before the call.
            destination = self.result_destination()
            self.emit(f"{family}.1", None, shape, *leading, first, end, destination)
        else:
            self.emit(f"{family}.n", None, shape, *leading, first, end, first + nresults)
            for _ in range(nresults):
                self.push_slot()

    # --- parametric and variable instructions ----------------------------------------------------

    def op_drop(self, _immediate: None) -> None:
        self.pop()

    def op_select(self, _immediate: Any) -> None:
        z = self.pop()
        y = self.pop()
        x = self.pop()
        destination = self.result_destination()
        self.emit("select", None, x[0] + y[0] + z[0], destination, x[1], y[1], z[1])

    def op_local_get(self, index: int) -> None:
        if self.fuse:
            self.push(("r", index))
        else:
            self.emit("move", None, "r", self.push_slot(), index)

    def op_local_set(self, index: int) -> None:
        operand = self.pop()
        if operand == ("r", index):
            return
        self.spill_local(index)
        self.emit("move", None, operand[0], index, operand[1])

    def op_local_tee(self, index: int) -> None:
        operand = self.stack[-1]
        if operand == ("r", index):
            return
        self.spill_local(index)
        self.emit("move", None, operand[0], index, operand[1])

    def op_global_get(self, index: int) -> None:
        self.emit("global.get", None, "", self.result_destination(), index)

    def op_global_set(self, index: int) -> None:
        operand = self.pop()
        self.emit("global.set", None, operand[0], index, operand[1])

    def constant(self, value: Any) -> None:
        if self.fuse:
            self.push(("c", value))
        else:
            self.emit("move", None, "c", self.push_slot(), value)

    def op_i32_const(self, value: int) -> None:
        self.constant(value)

    op_i64_const = op_i32_const

    def op_f32_const(self, bits: int) -> None:
        self.constant(f32_from_bits(bits))

    def op_f64_const(self, bits: int) -> None:
        self.constant(f64_from_bits(bits))

    # --- numeric -----------------------------------------------------------------------------------

    def numeric(self, mnemonic: str, arity: int) -> None:
        if (mnemonic in fusion.COMPARISONS or mnemonic in fusion.TESTS) and self.fused_condition(mnemonic, arity):
            return
        if arity == 1:
            x = self.pop()
            self.emit("unop", mnemonic, x[0], self.result_destination(), x[1])
        else:
            y = self.pop()
            x = self.pop()
            self.emit("binop", mnemonic, x[0] + y[0], self.result_destination(), x[1], y[1])

    def multi_result(self, mnemonic: str, arity: int, count: int) -> None:
        """A numeric instruction with ``count`` results: its function's tuple goes to the last result's
        slot, then each result is taken out of it (the last one last)."""
        operands = self.stack[len(self.stack) - arity :]
        del self.stack[len(self.stack) - arity :]
        slots = [self.push_slot() for _ in range(count)]
        family = _MULTI_FAMILIES[arity]
        shape = "".join(operand[0] for operand in operands)
        self.emit(family, mnemonic, shape, slots[-1], *(operand[1] for operand in operands))
        for index, slot in enumerate(slots):
            self.emit("unop", f"tuple.{index}", "r", slot, slots[-1])

    # --- memory ------------------------------------------------------------------------------------

    def load(self, mnemonic: str, memarg: tuple[int, int, int]) -> None:
        x = self.pop()
        self.emit("load", mnemonic, x[0], self.result_destination(), x[1], memarg[1], memarg[2])

    def store(self, mnemonic: str, memarg: tuple[int, int, int]) -> None:
        y = self.pop()
        x = self.pop()
        self.emit("store", mnemonic, x[0] + y[0], x[1], y[1], memarg[1], memarg[2])

    def op_memory_size(self, memory: int) -> None:
        self.emit("memory.size", None, "", self.result_destination(), memory)

    def op_memory_grow(self, memory: int) -> None:
        x = self.pop()
        self.emit(self.bulk_family("memory.grow"), None, x[0], self.result_destination(), x[1], memory)

    def pop_three(self) -> tuple[str, list[Any]]:
        n = self.pop()
        q = self.pop()
        p = self.pop()
        return p[0] + q[0] + n[0], [p[1], q[1], n[1]]

    def op_memory_fill(self, memory: int) -> None:
        shape, values = self.pop_three()
        self.emit(self.bulk_family("memory.fill"), None, shape, memory, *values)

    def op_memory_copy(self, memories: tuple[int, int]) -> None:
        shape, values = self.pop_three()
        if memories[0] == memories[1]:
            self.emit(self.bulk_family("memory.copy"), None, shape, memories[0], *values)
        else:
            self.emit(self.bulk_family("memory.copy.between"), None, shape, memories[0], memories[1], *values)

    def op_memory_init(self, immediate: tuple[int, int]) -> None:
        segment, memory = immediate
        shape, values = self.pop_three()
        self.emit(self.bulk_family("memory.init"), None, shape, memory, segment, *values)

    def op_data_drop(self, segment: int) -> None:
        self.emit("data.drop", None, "", segment)

    # --- tables and references -------------------------------------------------------------------

    def op_table_get(self, table: int) -> None:
        x = self.pop()
        self.emit("table.get", None, x[0], self.result_destination(), table, x[1])

    def op_table_set(self, table: int) -> None:
        y = self.pop()
        x = self.pop()
        self.emit("table.set", None, x[0] + y[0], table, x[1], y[1])

    def op_table_size(self, table: int) -> None:
        self.emit("table.size", None, "", self.result_destination(), table)

    def op_table_grow(self, table: int) -> None:
        n = self.pop()
        v = self.pop()
        self.emit(self.bulk_family("table.grow"), None, v[0] + n[0], self.result_destination(), table, v[1], n[1])

    def op_table_fill(self, table: int) -> None:
        shape, values = self.pop_three()
        self.emit(self.bulk_family("table.fill"), None, shape, table, *values)

    def op_table_copy(self, tables: tuple[int, int]) -> None:
        shape, values = self.pop_three()
        self.emit(self.bulk_family("table.copy"), None, shape, tables[0], tables[1], *values)

    def op_table_init(self, immediate: tuple[int, int]) -> None:
        segment, table = immediate
        shape, values = self.pop_three()
        self.emit(self.bulk_family("table.init"), None, shape, table, segment, *values)

    def op_elem_drop(self, segment: int) -> None:
        self.emit("elem.drop", None, "", segment)

    def op_ref_null(self, _reftype: Any) -> None:
        self.constant(None)

    def op_ref_is_null(self, _immediate: None) -> None:
        x = self.pop()
        self.emit("unop", "ref.is_null", x[0], self.result_destination(), x[1])

    def op_ref_func(self, index: int) -> None:
        self.emit("ref.func", None, "", self.result_destination(), index)


# How each instruction is translated, found by the table's rule (wasmrun.semantics.dispatch): the generic
# numeric/load/store visitors, ``op_<mnemonic>`` for the others, the SIMD translations for that proposal.
_HANDLERS: dict[int, Callable[[_Translator, Any], None]] = visitor_table(_Translator, simd_translations())

# What is translated in unreachable code: the instructions that open, divide or close a block (to keep the nesting).
_STRUCTURED = frozenset(opcode for opcode, kind in CONTROL.items() if kind in STRUCTURED)

# The instructions that become the destination of the one before them (fusion 2), by opcode: their mnemonic.
_DESTINATIONS = {
    opcode: info.mnemonic for opcode, info in OPCODES.items() if info.mnemonic in fusion.DESTINATION_INSTRUCTIONS
}

# The branches a comparison or test fuses into (fusion 3), by opcode: their control kind.
_FUSED_BRANCHES = {
    opcode: kind for opcode, kind in CONTROL.items() if kind in {branch for _condition, branch in fusion.BRANCH_FUSIONS}
}


def covers(info: InstructionInfo) -> bool:
    """Whether the interpreter translates the instruction ``info`` (a row of the instruction table)."""
    return info.opcode in _HANDLERS


# --- passes over the translated code ---------------------------------------------------------------


_JUMP_POSITIONS = {
    name: tuple(1 + family.args.index(arg) for arg in family.jumps) for name, family in fusion.FAMILIES.items()
}
FALLS_THROUGH = {name: family.falls_through for name, family in fusion.FAMILIES.items()}
# Whether an item ends a basic block: it may jump, or it does not fall through.
ENDS_BLOCK = {name: bool(_JUMP_POSITIONS[name]) or not FALLS_THROUGH[name] for name in fusion.FAMILIES}


# A br_table's targets are one list argument, possibly of millions: the passes below work on each
# distinct target once.


def jump_targets(item: Sequence[Any]) -> list[int]:
    """The handler indexes ``item`` (not a run) may jump to (a list argument's distinct ones)."""
    targets: list[int] = []
    for position in _JUMP_POSITIONS[item[0][0]]:
        value = item[position]
        if isinstance(value, list):
            targets.extend(dict.fromkeys(value))
        else:
            targets.append(value)
    return targets


def retarget(item: list[Any], new: Callable[[int], int]) -> None:
    """Replace each handler index ``t`` that ``item`` (not a run) holds by ``new(t)``."""
    for position in _JUMP_POSITIONS[item[0][0]]:
        value = item[position]
        if isinstance(value, list):
            mapped = {target: new(target) for target in dict.fromkeys(value)}
            value[:] = [mapped[target] for target in value]
        else:
            item[position] = new(value)


def thread_jumps(code: list[list[Any]]) -> bool:
    """Retarget branches to unconditional branches; replace a ``br`` to ``exit``/``ret`` by a copy of it;
    make a move followed by a ``ret`` of what it moved a ``ret`` itself.  Whether code may have died."""

    # Where a chain of ``br``s ends, remembered for every handler on the chain: nested ifs make chains
    # as long as their nesting, which walked one by one made deep nesting quadratic.
    ends: dict[int, int] = {}

    def through_branches(target: int) -> int:
        chain: dict[int, None] = {}
        while code[target][0][0] == "br" and target not in chain and target not in ends:
            chain[target] = None
            target = code[target][1]
        end = ends.get(target, target)
        for pc in chain:
            ends[pc] = end
        return end

    changed = False
    for item in code[1:]:
        if _JUMP_POSITIONS[item[0][0]]:
            retarget(item, through_branches)
        if item[0][0] == "br" and code[item[1]][0][0] in ("exit", "ret"):
            item[:] = list(code[item[1]])
            changed = True
    for pc in range(1, len(code) - 1):
        item, following = code[pc], code[pc + 1]
        if item[0][0] == "move" and following[0] == ("ret", None, "r") and following[2] == item[1]:
            # What the move wrote is never read again: the function returns.
            code[pc] = [interned_key(("ret", None, item[0][2])), following[1], item[2]]
            changed = True
    return changed


def drop_dead_code(
    code: list[list[Any]], offsets: list[int], loop_heads: list[int], loop_offsets: list[int]
) -> tuple[list[list[Any]], list[int], list[int], list[int]]:
    """The handlers reachable from the first, renumbered (jump targets, loop heads and offsets with them).

    ``loop_offsets`` (the loops' own offsets, parallel to ``loop_heads``) loses the entries of dropped loops."""
    reachable = set()
    pending = [1]
    end = len(code)
    while pending:
        pc = pending.pop()
        # Follow the fall-through edges in a loop, the jumps through the worklist.
        while pc < end and pc not in reachable:
            reachable.add(pc)
            item = code[pc]
            name = item[0][0]
            if _JUMP_POSITIONS[name]:
                pending.extend(jump_targets(item))
            if not FALLS_THROUGH[name]:
                break
            pc += 1
    if len(reachable) == len(code) - 1:
        return code, offsets, loop_heads, loop_offsets
    kept = sorted(reachable)
    new_pc = {pc: position for position, pc in enumerate(kept, 1)}
    for pc in kept:
        retarget(code[pc], new_pc.__getitem__)
    return (
        [code[0], *(code[pc] for pc in kept)],
        [offsets[0], *(offsets[pc] for pc in kept)],
        [new_pc[pc] for pc in loop_heads if pc in new_pc],
        [offset for pc, offset in zip(loop_heads, loop_offsets) if pc in new_pc],
    )


def drop_free_charges(
    code: list[list[Any]], offsets: list[int], loop_heads: list[int], loop_offsets: list[int]
) -> tuple[list[list[Any]], list[int], list[int], list[int]]:
    """Metering: the code without the charges of segments that cost nothing (renumbered as drop_dead_code).

    A branch to a dropped charge goes to the item after it.
    """
    free = [pc for pc in range(1, len(code)) if code[pc][0][0] == "fuel" and code[pc][1] == 0]
    if not free:
        return code, offsets, loop_heads, loop_offsets
    dropped = set(free)
    kept = [pc for pc in range(1, len(code)) if pc not in dropped]
    new_pc: dict[int, int] = {}
    position = len(kept)
    for pc in range(len(code) - 1, 0, -1):  # a dropped item maps to the next kept one
        if pc not in dropped:
            position -= 1
        new_pc[pc] = position + 1
    new_pc[len(code)] = len(kept) + 1
    for pc in kept:
        retarget(code[pc], new_pc.__getitem__)
    return (
        [code[0], *(code[pc] for pc in kept)],
        [offsets[0], *(offsets[pc] for pc in kept)],
        [new_pc[pc] for pc in loop_heads],
        list(loop_offsets),
    )


def plan_runs(code: Sequence[Sequence[Any]]) -> list[list[int]]:
    """The runs worth fusing: lists of two or more consecutive handler indexes.

    A run starts at a handler some branch enters (or the first), never
    includes another such handler, and ends after :data:`RUN_MAX_LENGTH
    <wasmrun.interp.fusion.RUN_MAX_LENGTH>` handlers or one that does not
    fall through.  The handlers keep their indexes: the fused closure goes to
    ``code[run[0]]`` and continues at ``run[-1] + 1``, so frames already
    running the function (recursion) stay valid when the runs are patched in.
    """
    entered = {1}
    for item in code[1:]:
        entered.update(jump_targets(item))
    runs: list[list[int]] = []
    pc = 1
    while pc < len(code):
        run = [pc]
        pc += 1
        while (
            pc < len(code)
            and pc not in entered
            and len(run) < fusion.RUN_MAX_LENGTH
            and FALLS_THROUGH[code[run[-1]][0][0]]
        ):
            run.append(pc)
            pc += 1
        if len(run) > 1:
            runs.append(run)
    return runs


def run_item(code: Sequence[Sequence[Any]], offsets: Sequence[int], run: list[int]) -> list[Any]:
    """The IR item of a run: ``[("run", member keys, ""), member offsets, *member args]``."""
    key = ("run", tuple(code[pc][0] for pc in run), "")
    return [key, tuple(offsets[pc] for pc in run), *[arg for pc in run for arg in code[pc][1:]]]
