"""The flat form: basic blocks dispatched in one loop, and the entry at a loop head (on-stack replacement).

For functions beyond CPython's static limits, and for every loop entry (see
:mod:`wasmrun.codegen`, The flat form).

A ``try_table`` is a *region*: its body's code is in basic blocks of their own,
each knowing its innermost region (``REGIONS[b]``).  The dispatch loop runs
inside a ``try:``; its ``except WasmException`` finds the region of the block
that raised (``b`` is always the running block: it changes only right before
``continue``) and tests that region's clauses, then its parent's, and so on,
in the code of each region's end (innermost regions end first); a matching
clause is a branch (``b = <label>; continue`` re-enters the dispatch), and
no match re-raises.

A basic block that branches to itself (a loop with no branch inside) is a
``while True:`` of its own in its arm of the dispatch (:func:`_self_looped`):
its iterations do not go through the dispatch.
"""

from __future__ import annotations

from typing import Any

from wasmrun.codegen.control import LOOKUP_MIN_RANGES, Generator
from wasmrun.codegen.emitter import MAX_INDENT, PLAIN, Ctrl
from wasmrun.codegen.structure import FUNCTION
from wasmrun.codegen.values import NO_CONSTANT, Value, local_name
from wasmrun.semantics.dispatch import visitor_table


class FlatGenerator(Generator):
    """Basic blocks dispatched in one loop (see :mod:`wasmrun.codegen`).

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
        # try_table regions (see the module docstring): each region's parent (region 0: none), the
        # region each block's code is in, the open one, and the clauses' code.
        self.region_parents: list[int] = [0]
        self.block_regions: list[int] = []
        self.region = 0
        self.regions_of: dict[int, int] = {}  # a try_table construct's id -> its region
        self.handler_lines: list[tuple[int, str, int, int]] = []
        self.dynamic_targets: set[int] = set()  # blocks a br_table reaches through a lookup (see placed_blocks)

    def new_block(self) -> int:
        self.blocks.append([])
        self.block_regions.append(0)
        return len(self.blocks) - 1

    def switch(self, block: int) -> None:
        """Continue in ``block`` (falling into it from the current one if that is not terminated)."""
        if not self.terminated:
            self.jump(block)
        self.current = block
        self.lines = self.blocks[block]
        self.block_regions[block] = self.region
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
        self.ctrls.append(Ctrl(self.structure.function, 0, "function"))
        self.lines = self.blocks[self.new_block()]

    def label_of(self, ctrl: Ctrl) -> int:
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
        ctrl = Ctrl(construct, self.enter(construct), "plain")
        if self.merges(construct):
            ctrl.results = self.result_variables(construct)
        self.ctrls.append(ctrl)

    def op_try_table(self, immediate: tuple[int, tuple[tuple[int, int | None, int], ...]]) -> None:
        """A block whose body is a region of its own (see the module docstring)."""
        if not self.live:
            self.dead_construct()
            return
        blocktype, catches = immediate
        self.op_block(blocktype)
        ctrl = self.ctrls[-1]
        ctrl.catches = catches
        ctrl.range_entry = list(self.local_range)
        self.region_parents.append(self.region)
        self.region = self.regions_of[ctrl.construct.id] = len(self.region_parents) - 1
        self.switch(self.new_block())

    def end_region(self, ctrl: Ctrl, below: list[Value]) -> None:
        """At a try_table's end (its ctrl popped): the code after it leaves the region; its clauses' code."""
        region = self.regions_of[ctrl.construct.id]
        self.region = self.region_parents[region]
        self.label_of(ctrl)  # (the code after the end in a block outside the region)
        saved = (self.lines, self.indent, self.terminated, self.stack, self.local_align, self.local_range)
        self.lines, self.indent = self.handler_lines, 0
        self.local_align = self.alignment_after_catch(ctrl)
        self.local_range = self.ranges_after_catch(ctrl)
        self.open(f"if h == {region}:")
        catch_all = False
        assert ctrl.catches is not None
        for kind, tag, depth in ctrl.catches:
            test, values = self.catch_clause(kind, tag)
            self.stack = below + values
            if test is None:
                catch_all = True
                self.branch(depth, None)
                break
            self.open(f"if {test}:")
            self.branch(depth, None)
            self.close()
        if not catch_all:
            self.emit(f"h = {self.region_parents[region]}")
        self.close()
        self.lines, self.indent, self.terminated, self.stack, self.local_align, self.local_range = saved

    def op_loop(self, _blocktype: int) -> None:
        if not self.live:
            self.dead_construct()
            return
        construct = self.structure.at(self.position)
        self.settle_for_entry()  # at the entry itself, every stack entry that is not a constant is a parameter
        ctrl = Ctrl(construct, self.enter(construct), "plain")
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
        ctrl = Ctrl(construct, self.enter(construct), "plain")
        ctrl.results = self.result_variables(construct)
        ctrl.saved = self.top(construct.nparams)
        ctrl.align_entry = list(self.local_align)
        ctrl.range_entry = self.narrowed_locals(condition, False, self.local_range)
        self.local_range = self.narrowed_locals(condition, True, self.local_range)
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
        if ctrl.catches is not None:
            self.end_region(ctrl, self.stack[: ctrl.base])
        if self.live and ctrl.results:
            self.assign(ctrl.results, self.top(len(ctrl.results)))
        if construct.kind != "loop" and ctrl.label is not None:
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
            names = (target.params if construct.kind == "loop" else target.results) or []
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
            self.dynamic_targets.update(blocks.values())
            self.emit(f"b = {lookup}[{index.code}] if {index.code} < {len(labels)} else {blocks[default]}")
            self.terminate("continue")
            self.live = False
            return
        self.emit_ranges(*self.table_dispatch(index, labels, default))
        self.terminated = True
        self.live = False

    def placed_blocks(self) -> dict[int, list[tuple[int, str, int, int]]]:
        """The blocks the dispatch reaches, each with the blocks only it jumps to written in, in place of its
        jump (``b = <block>`` then ``continue``): block id -> lines.

        A block with one jump to it (not the entry, not a ``br_table`` lookup's nor an exception clause's
        target, in the same try_table region as the code that jumps) needs no trip through the dispatch: its
        code goes where the jump was, so an ``if``/``else`` reads as one, and a chain of such blocks is one
        run of code.  Not beyond a nesting that CPython's indentation limit could refuse.
        """
        blocks = self.blocks
        jumps = [0] * len(blocks)
        for lines in blocks:
            for k in range(len(lines) - 1):
                target = _jump_target(lines, k)
                if target is not None:
                    jumps[target] += 1
        fixed = {0, self.entry_block, *self.dynamic_targets}
        for k in range(len(self.handler_lines) - 1):
            target = _jump_target(self.handler_lines, k)
            if target is not None:
                fixed.add(target)
        movable = {block for block, count in enumerate(jumps) if count == 1 and block not in fixed}
        regions = self.block_regions
        deepest = MAX_INDENT - 3 * len(blocks).bit_length() - 8  # (the dispatch's own nesting, and the try)
        moved: set[int] = set()

        def written_out(block: int, depth: int, region: int) -> list[tuple[int, str, int, int]]:
            lines = blocks[block]
            out: list[tuple[int, str, int, int]] = []
            k = 0
            while k < len(lines):
                line = lines[k]
                target = _jump_target(lines, k)
                if (
                    target is not None
                    and target in movable
                    and target not in moved
                    and regions[target] == region
                    and depth + line[0] < deepest
                ):
                    moved.add(target)
                    out.extend(
                        (line[0] + indent, text, kind, offset)
                        for indent, text, kind, offset in written_out(target, depth + line[0], region)
                    )
                    k += 2
                    continue
                out.append(line)
                k += 1
            return out

        placed: dict[int, list[tuple[int, str, int, int]]] = {}
        pending = [block for block in range(len(blocks)) if block not in movable]
        while pending:
            for block in pending:
                placed[block] = written_out(block, 0, regions[block])
            # A movable block whose jump could not take it (too deep, another region, in dead code) is
            # dispatched as any other.
            pending = [block for block in movable if block not in moved and block not in placed]
        return placed

    def extra_params(self) -> list[str]:
        if self.entry is None:
            return []
        locals_ = [local_name(i) for i in range(self.nparams, self.nparams + len(self.declared))]
        return locals_ + self.entry_names

    def osr_heights(self) -> list[int]:
        return self.entry_heights

    def body_lines(self) -> list[tuple[int, str, int, int]]:
        self_looped = _self_looped
        placed = self.placed_blocks()
        roots = sorted(placed)
        out: list[tuple[int, str, int, int]] = [
            (0, f"b = {self.entry_block}", PLAIN, -1),
            (0, "while True:", PLAIN, -1),
        ]

        def dispatch(low: int, high: int, indent: int) -> None:
            if high - low == 1:
                block = self_looped(roots[low], placed[roots[low]]) or [(0, "return", PLAIN, -1)]
                out.extend((indent + i, text, kind, offset) for i, text, kind, offset in block)
                return
            middle = (low + high) // 2
            out.append((indent, f"if b < {roots[middle]}:", PLAIN, -1))
            dispatch(low, middle, indent + 1)
            out.append((indent, "else:", PLAIN, -1))
            dispatch(middle, high, indent + 1)

        if not self.handler_lines:
            dispatch(0, len(roots), 1)
            return out
        out.append((1, "try:", PLAIN, -1))
        out.append((2, "while True:", PLAIN, -1))
        dispatch(0, len(roots), 3)
        regions = self.table_constant(tuple(self.block_regions))
        out.append((1, "except WasmException as thrown:", PLAIN, -1))
        out.append((2, "exception = thrown.exception", PLAIN, -1))
        out.append((2, f"h = {regions}[b]", PLAIN, -1))
        out.extend((indent + 2, text, kind, offset) for indent, text, kind, offset in self.handler_lines)
        out.append((2, "raise", PLAIN, -1))
        return out


def _jump_target(lines: list[tuple[int, str, int, int]], k: int) -> int | None:
    """The block that lines ``k`` and ``k + 1`` jump to (``b = <block>`` then ``continue``), else None."""
    indent, text, _kind, _offset = lines[k]
    if not text.startswith("b = ") or k + 1 == len(lines):
        return None
    following = lines[k + 1]
    if following[1] != "continue" or following[0] != indent or not text[4:].isdigit():
        return None
    return int(text[4:])


def _self_looped(block: int, lines: list[tuple[int, str, int, int]]) -> list[tuple[int, str, int, int]]:
    """A block that branches to itself (a loop of one basic block) as a ``while True:`` of its own.

    Its branches to itself (``b = <block>`` then ``continue``) become the inner loop's ``continue``,
    without a trip through the dispatch; its other branches (``continue`` after setting ``b``) become
    ``break``, which falls off the block's arm into the next dispatch (the flat form has no other loop
    in a block, so nothing else breaks or continues).
    """
    itself = f"b = {block}"
    count = len(lines)
    if not any(
        text == itself and k + 1 < count and lines[k + 1][1] == "continue" for k, (_, text, _, _) in enumerate(lines)
    ):
        return lines
    out: list[tuple[int, str, int, int]] = [(0, "while True:", PLAIN, -1)]
    back_edge = False
    for k, (indent, text, kind, offset) in enumerate(lines):
        if text == itself and k + 1 < count and lines[k + 1][1] == "continue":
            back_edge = True
            continue
        if text == "continue":
            text = "continue" if back_edge else "break"
        back_edge = False
        out.append((indent + 1, text, kind, offset))
    return out


FlatGenerator.handlers = visitor_table(FlatGenerator)
