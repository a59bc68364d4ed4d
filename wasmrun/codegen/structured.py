"""The structured form: wasm's structured control flow as Python ``while``/``if``/``break``/``continue``.

How each construct becomes Python is explained in :mod:`wasmrun.codegen`
(Control): which form a construct takes follows from the branches that
target it (:func:`loop_form`, from the pre-pass of :mod:`~wasmrun.codegen.structure`).
A loop-invariant expression of a signed view, or of a memory access's address,
is computed once before the outermost loop that keeps it (an address's, also at
the start of a function that never writes its local: :meth:`StructuredGenerator.hoist`).
A local a loop moves and reads memory through keeps its index beside it, a
*shadow* set before the loop and after each line that writes the local
(:meth:`StructuredGenerator.shadow`); a write in a form that cannot be followed
makes the generator start again without shadows.

A function that tail-calls itself (``return_call`` of its own index) is
written inside a ``while True:`` when that call is outside every Python loop
of the body: the call assigns the arguments to the parameters, zeroes the
declared locals a read could see unassigned, and goes back to the top with ``continue``: the same
code running again as a fresh call would (its fuel check included), without
a TailCall, a trampoline or a new frame.  Not with ``stats``, which counts
each call.
"""

from __future__ import annotations

import re
from typing import Any

from wasmrun.codegen import ranges
from wasmrun.codegen.control import Generator
from wasmrun.codegen.emitter import HOIST, MAX_PYTHON_LOOPS, MEMORY, PLAIN, Ctrl, TooDeep
from wasmrun.codegen.idioms import loop_idioms
from wasmrun.codegen.liveness import drop_dead_writes
from wasmrun.codegen.structure import FUNCTION, Construct, Structure
from wasmrun.codegen.values import Value, local_name
from wasmrun.instructions import opcode_of
from wasmrun.semantics.dispatch import visitor_table

_RETURN_CALL = opcode_of("return_call")
NEST_LIMIT = 8  # a block with more top-level br_if's than this becomes a loop rather than nested ifs


_TARGET = re.compile(r"((?:[A-Za-z_]\w*, )*[A-Za-z_]\w*) = ")
_WRITE = re.compile(r":=|(?<![=!<>])=(?!=)")
_STEP = re.compile(r"\((l\d+) ([+-]) (\d+|l\d+)\)")
_UNCLAIMED = re.compile(r"^RANGE_CHECKED\((.*), 4294967296\)$")


class ShadowLost(Exception):
    """A local a loop keeps a shadow of is written in a form :meth:`StructuredGenerator.body_lines` does not
    follow: the function is generated again without shadows."""


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
    shadows = True  # whether loops keep shadows of the locals they write (see shadow)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preheaders: dict[int, Ctrl] = {}
        self.inner_loop_writes: dict[int, set[int]] = {}  # a loop's id -> the locals its inner loops write
        self.self_loop = (
            not self.stats
            and any(opcode == _RETURN_CALL and immediate == self.index for opcode, immediate, _ in self.instructions)
            and python_loop_depth(self.structure) < MAX_PYTHON_LOOPS
        )

    def open_function(self) -> None:
        ctrl = Ctrl(self.structure.function, 0, "function")
        self.ctrls.append(ctrl)
        if self.self_loop:
            self.open("while True:")
        else:
            # (What a memory access computes from a local the function never writes: see hoist.)
            self.lines.append((self.indent, "", HOIST, ctrl.construct.id))
            self.preheaders[ctrl.construct.id] = ctrl

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

    def hoist(self, local: Value, expression: str, whole_function: bool = False) -> str | None:
        # The outermost enclosing loop that does not write the local: the expression is invariant there;
        # ``whole_function``: or the function's start, for a local it never writes (a memory access's
        # address shifted to an index, its low bits: used at least once, unlike a signed view that may
        # be on a path rarely taken).
        (index,) = local.reads
        for ctrl in self.ctrls:
            if index in ctrl.construct.writes:
                continue
            at_loop = ctrl.form == "loop" and ctrl.construct.kind == "loop"
            if at_loop or (ctrl.form == "function" and whole_function and not self.self_loop):
                name = ctrl.hoisted.get(expression)
                if name is None:
                    name = ctrl.hoisted[expression] = f"h{ctrl.construct.id}_{len(ctrl.hoisted)}"
                return name
        return None

    def shadow(self, index: int, shift: int) -> str | None:
        # The innermost enclosing loop (the memory access asks for it where that loop writes the local): the
        # name is set before it and after each write of the local in it (see body_lines).
        if not self.shadows:
            return None
        for ctrl in reversed(self.ctrls):
            if ctrl.form == "loop" and ctrl.construct.kind == "loop":
                if self.written_in_inner_loop(ctrl.construct, index):
                    return None  # (its shadow would be kept at every iteration of the inner loop too)
                name = ctrl.shadows.get((index, shift))
                if name is None:
                    name = ctrl.shadows[(index, shift)] = f"s{ctrl.construct.id}_{index}_{shift}"
                    self.zeroed.add(index)  # (read before the loop, perhaps before the function first writes it)
                    self.shadowed = True
                return name
        return None

    def written_in_inner_loop(self, loop: Construct, index: int) -> bool:
        """Whether a loop inside ``loop`` writes local ``index`` (worked out once per loop)."""
        inner = self.inner_loop_writes.get(loop.id)
        if inner is None:
            by_id = {construct.id: construct for construct in self.structure.constructs.values()}
            inner = set()
            for construct in by_id.values():
                if construct.kind == "loop" and construct is not loop:
                    parent = construct.parent
                    while parent > loop.id:  # (a construct's id is above its parent's)
                        parent = by_id[parent].parent
                    if parent == loop.id:
                        inner |= construct.writes
            self.inner_loop_writes[loop.id] = inner
        return index in inner

    def body_lines(self) -> list[tuple[int, str, int, int]]:
        """The lines with each loop's hoisted names set before it, and its shadows (see :meth:`shadow`) before it
        and after each line that writes their local."""
        out: list[tuple[int, str, int, int]] = []
        scopes: list[tuple[int, dict[str, dict[int, str]], Ctrl]] = []  # (indent, local -> shift -> name, loop)
        started = True  # whether the innermost scope's ``while True:`` line was seen
        preheader_ends: dict[int, tuple[int, int]] = {}  # a loop's construct id -> (where its preheader ends, indent)
        for indent, text, kind, offset in self.lines:
            if started:
                while scopes and indent <= scopes[-1][0]:
                    scopes.pop()
            started = True
            if kind == HOIST:
                ctrl = self.preheaders[offset]
                out.extend((indent, f"{name} = {value}", PLAIN, -1) for value, name in ctrl.hoisted.items())
                if ctrl.shadows:
                    preheader_ends[offset] = (len(out), indent)
                    kept: dict[str, dict[int, str]] = {}
                    for (index, shift), name in ctrl.shadows.items():
                        out.append((indent, f"{name} = l{index} >> {shift}", PLAIN, -1))
                        kept.setdefault(local_name(index), {})[shift] = name
                    scopes.append((indent, kept, ctrl))
                    started = False
                continue
            out.append((indent, text, kind, offset))
            if scopes:
                written, rest = self.line_writes(text, kind)
                for _indent, kept, ctrl in scopes:
                    updates = self.shadow_updates(written, rest, kept, ctrl)
                    out.extend((indent, update, PLAIN, -1) for update in updates)
        # The steps by a local the loop does not change, shifted once before it (see shadow_updates), after
        # its own preheader's names: known only now, put in in one pass.
        late: dict[int, list[tuple[int, str, int, int]]] = {}
        for construct_id, (position, indent) in preheader_ends.items():
            steps = self.preheaders[construct_id].steps
            if steps:
                late[position] = [(indent, f"{name} = {value}", PLAIN, -1) for value, name in steps.items()]
        if not late:
            return out
        merged: list[tuple[int, str, int, int]] = []
        for position, line in enumerate(out):
            merged.extend(late.get(position, ()))
            merged.append(line)
        merged.extend(late.get(len(out), ()))
        return merged

    def with_idioms(self, body: list[tuple[int, str, int, int]]) -> list[tuple[int, str, int, int]]:
        if self.fuel or self.stats:
            return body  # (each iteration is charged or counted)
        return loop_idioms(body, MEMORY)

    def without_dead_writes(
        self, body: list[tuple[int, str, int, int]]
    ) -> tuple[list[tuple[int, str, int, int]], frozenset[str] | None]:
        # (Only where a loop keeps a shadow: that is where the generator writes what nothing reads, the
        # pointer stepped beside its index; elsewhere the pass finds little, and costs a fifth of the time.)
        return drop_dead_writes(body, PLAIN) if self.shadowed else (body, None)

    def line_writes(self, text: str, kind: int) -> tuple[list[str], str]:
        """The names line ``text`` (of ``kind``) assigns, and the text after the assignment (all of it if none)."""
        if kind == MEMORY and text[0] == "\0":
            text = self.deferred[int(text[1:])].aligned  # (a load's destination is the same in both forms)
        target = _TARGET.match(text)
        return (target[1].split(", "), text[target.end() :]) if target else ([], text)

    def shadow_updates(self, written: list[str], rest: str, kept: dict[str, dict[int, str]], loop: Ctrl) -> list[str]:
        """The lines that keep the shadows ``kept`` (of ``loop``) after a line that assigns ``written`` the text
        ``rest``, if it writes their local: ``s = l >> k``; ``s = s + c`` after ``l = (l + (c << k))``; ``s = s + q``
        after ``l = (l + m)``, ``m`` a local the loop does not write whose low ``k`` bits are known zero and
        ``q = m >> k`` set before the loop.  Raises :class:`ShadowLost` for a write in a form not followed here."""
        updates: list[str] = []
        for local, shadows in kept.items():
            if _WRITE.search(rest) and re.search(rf"(?<![\w.]){local}\s*(?::=|=(?!=))", rest):
                raise ShadowLost(local)
            if local not in written:
                continue
            if len(written) > 1:
                updates += [f"{name} = {local} >> {shift}" for shift, name in shadows.items()]
                continue
            # (A step left unreduced because its range shows it does not wrap; checked under ranges.CHECKED.)
            value = _UNCLAIMED.sub(r"\1", ranges.resolve(rest, self.choices, {}))
            step = _STEP.fullmatch(value)
            for shift, name in shadows.items():
                # From a shadow of this loop's at the same shift (the local's own, or another's it is
                # computed from or a copy of, kept current the same way), else taken again.
                copied = kept.get(value, {}).get(shift)
                stepped = self.stepped_shadow(step, shift, kept, loop) if step is not None else None
                if stepped is not None:
                    updates.append(f"{name} = {stepped}")
                elif copied is not None:
                    updates.append(f"{name} = {copied}")
                else:
                    updates.append(f"{name} = {local} >> {shift}")
        return updates

    def stepped_shadow(
        self, step: re.Match[str], shift: int, kept: dict[str, dict[int, str]], loop: Ctrl
    ) -> str | None:
        """``step`` (``(a + b)`` or ``(a - b)``) as a shadow at ``shift`` of this loop's stepped: ``s + c`` for a
        constant ``b`` (a multiple of ``1 << shift``), ``s + q`` for a local the loop leaves alone, known to be
        one (``q`` its shifted value, set before the loop); for ``+``, ``a`` and ``b`` either way round."""
        first, operator, second = step[1], step[2], step[3]
        orders = [(first, second), (second, first)] if operator == "+" else [(first, second)]
        for base, amount in orders:
            source = kept.get(base, {}).get(shift)
            if source is None:
                continue
            if amount.isdigit():
                if not int(amount) % (1 << shift):
                    return f"{source} {operator} {int(amount) >> shift}"
                continue
            index = int(amount[1:])
            if index in loop.construct.writes or index >= len(loop.align_entry):
                continue
            alignment = loop.align_entry[index]
            if (alignment if isinstance(alignment, int) else alignment.value) < shift:
                continue
            expression = f"{amount} >> {shift}"
            quotient = loop.steps.get(expression)
            if quotient is None:
                quotient = loop.steps[expression] = f"q{loop.construct.id}_{index}_{shift}"
                self.zeroed.add(index)  # (read before the loop, as a shadow's local is)
            return f"{source} {operator} {quotient}"
        return None

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
