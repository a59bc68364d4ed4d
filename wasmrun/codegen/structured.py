"""The structured form: wasm's structured control flow as Python ``while``/``if``/``break``/``continue``.

How each construct becomes Python is explained in :mod:`wasmrun.codegen`
(Control): which form a construct takes follows from the branches that
target it (:func:`loop_form`, from the pre-pass of :mod:`~wasmrun.codegen.structure`).
A loop-invariant expression of a signed view is computed once before the
outermost loop that keeps it (:meth:`StructuredGenerator.hoist`).

A function that tail-calls itself (``return_call`` of its own index) is
written inside a ``while True:`` when that call is outside every Python loop
of the body: the call assigns the arguments to the parameters, zeroes the
declared locals a read could see unassigned, and goes back to the top with ``continue``: the same
code running again as a fresh call would (its fuel check included), without
a TailCall, a trampoline or a new frame.  Not with ``stats``, which counts
each call.
"""

from __future__ import annotations

from typing import Any

from wasmrun.codegen.control import Generator
from wasmrun.codegen.emitter import HOIST, MAX_PYTHON_LOOPS, PLAIN, Ctrl, TooDeep
from wasmrun.codegen.structure import FUNCTION, Construct, Structure
from wasmrun.codegen.values import Value, local_name
from wasmrun.instructions import opcode_of
from wasmrun.semantics.dispatch import visitor_table

_RETURN_CALL = opcode_of("return_call")
NEST_LIMIT = 8  # a block with more top-level br_if's than this becomes a loop rather than nested ifs


def loop_form(construct: Construct) -> bool:
    """Whether the structured form makes ``construct`` a Python ``while`` (see :class:`StructuredGenerator`)."""
    if construct.dead or not construct.branches:
        return False
    if construct.kind == "loop":
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


class StructuredGenerator(Generator):
    """Structured control flow as Python ``while``/``if``/``break``/``continue`` (see :mod:`wasmrun.codegen`)."""

    form = "structured"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preheaders: dict[int, Ctrl] = {}
        self.self_loop = (
            not self.stats
            and any(opcode == _RETURN_CALL and immediate == self.index for opcode, immediate, _ in self.instructions)
            and python_loop_depth(self.structure) < MAX_PYTHON_LOOPS
        )

    def open_function(self) -> None:
        self.ctrls.append(Ctrl(self.structure.function, 0, "function"))
        if self.self_loop:
            self.open("while True:")

    def python_loops(self) -> int:
        return sum(1 for ctrl in self.ctrls if ctrl.form == "loop") + self.self_loop

    def op_return_call(self, function_index: int) -> None:
        if not self.self_loop or function_index != self.index or any(ctrl.form == "loop" for ctrl in self.ctrls):
            super().op_return_call(function_index)
            return
        count = self.nparams
        arguments = self.top(count)
        del self.stack[len(self.stack) - count :]
        self.assign([local_name(k) for k in range(count)], arguments)
        for line in self.zeroing(sorted(self.structure.needs_init)):
            self.emit(line)
        self.emit("continue")
        self.live = False

    def open_loop_form(self, ctrl: Ctrl) -> None:
        if self.python_loops() >= MAX_PYTHON_LOOPS:
            raise TooDeep("loops")
        ctrl.form = "loop"
        self.ctrls.append(ctrl)
        if ctrl.construct.kind == "loop":
            self.lines.append((self.indent, "", HOIST, ctrl.construct.id))
            self.preheaders[ctrl.construct.id] = ctrl
        self.open("while True:")

    def hoist(self, local: Value, expression: str) -> str | None:
        # The outermost enclosing loop that does not write the local: the expression is invariant there.
        (index,) = local.reads
        for ctrl in self.ctrls:
            if ctrl.form == "loop" and ctrl.construct.kind == "loop" and index not in ctrl.construct.writes:
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
        ctrl = Ctrl(construct, self.enter(construct), "plain")
        if self.merges(construct):
            ctrl.results = self.result_variables(construct)
        if loop_form(construct):
            self.open_loop_form(ctrl)
            return
        if construct.branches:
            ctrl.form = "nest"
        self.ctrls.append(ctrl)

    def op_try_table(self, immediate: tuple[int, tuple[tuple[int, int | None, int], ...]]) -> None:
        """A block in a Python ``try:``; at its end, the clauses (see :meth:`catch_clauses`)."""
        if not self.live:
            self.dead_construct()
            return
        _blocktype, catches = immediate
        self.enter(self.structure.at(self.position))  # (what the body may invalidate, before the try)
        self.open("try:")
        self.op_block(_blocktype)
        self.ctrls[-1].catches = catches
        self.ctrls[-1].range_entry = list(self.local_range)

    def catch_clauses(self, ctrl: Ctrl) -> None:
        """After a try_table's block: ``except WasmException``, each clause in order a branch to its label
        with the payload (then the exception, for the ``_ref`` forms); an exception none matches goes on."""
        self.close()
        self.open("except WasmException as thrown:")
        saved, live, local_align, local_range = list(self.stack), self.live, self.local_align, self.local_range
        self.local_align = self.alignment_after_catch(ctrl)
        self.local_range = self.ranges_after_catch(ctrl)
        self.emit("exception = thrown.exception")
        catch_all = False
        assert ctrl.catches is not None
        for position, (kind, tag, depth) in enumerate(ctrl.catches):
            test, values = self.catch_clause(kind, tag)
            if test is not None:
                self.open(f"if {test}:" if position == 0 or catch_all else f"elif {test}:")
            else:
                self.open("if True:" if position == 0 else "else:")
                catch_all = True
            self.stack.extend(values)
            self.branch(depth, None)
            del self.stack[len(saved) :]
            self.close()
            if catch_all:
                break
        if not catch_all:
            self.emit("raise")
        self.close()
        self.stack[:] = saved
        self.live, self.local_align, self.local_range = live, local_align, local_range

    def op_loop(self, _blocktype: int) -> None:
        if not self.live:
            self.dead_construct()
            return
        construct = self.structure.at(self.position)
        ctrl = Ctrl(construct, self.enter(construct), "plain")
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
        ctrl = Ctrl(construct, self.enter(construct), "plain")
        ctrl.results = self.result_variables(construct)
        ctrl.saved = self.top(construct.nparams)
        ctrl.align_entry = list(self.local_align)
        ctrl.range_entry = self.narrowed_locals(condition, False, self.local_range)
        self.local_range = self.narrowed_locals(condition, True, self.local_range)
        if loop_form(construct):
            self.open_loop_form(ctrl)
        else:
            if construct.branches:
                ctrl.form = "nest"
            self.ctrls.append(ctrl)
        self.open(f"if {condition.code}:")

    def close_nests(self, ctrl: Ctrl) -> None:
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
        if construct.kind == "if":
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
        if ctrl.catches is not None:
            self.catch_clauses(ctrl)

    def escape_dispatch(self, ctrl: Ctrl) -> None:
        """After a Python loop that branches leave by the flag: continue them in the enclosing loop."""
        if not ctrl.escapes:
            return
        outer = next(c for c in reversed(self.ctrls) if c.form == "loop")
        here = outer in ctrl.escapes
        beyond = any(target is not outer for target in ctrl.escapes)
        action = "continue" if outer.construct.kind == "loop" else "break"
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
        names = (target.params if construct.kind == "loop" else target.results) or []
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
            self.emit("continue" if construct.kind == "loop" else "break")
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


StructuredGenerator.handlers = visitor_table(StructuredGenerator)
