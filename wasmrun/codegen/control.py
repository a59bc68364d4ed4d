"""Control shared by both forms, calls, and the alignment of locals along the control flow.

:class:`Generator` is every instruction but the structured ones: the
sections beside it (numeric, memory, variables) and what is the same in both
forms here -- ``br``, ``br_if``, ``return``, ``unreachable``, calls,
``br_table``'s dispatch on ranges of its index, and how the known alignment of
locals and their ranges flow into and out of constructs (and conditions narrow the ranges).  The forms (:mod:`~wasmrun.codegen.structured`,
:mod:`~wasmrun.codegen.flat`) add ``block``, ``loop``, ``if``, ``else``,
``end`` and what a branch is.
"""

from __future__ import annotations

from typing import TypeVar

from wasmrun.binary.instructions import CATCH_ALL_REF, CATCH_REF
from wasmrun.codegen import counters, ranges
from wasmrun.codegen.alignment import Node
from wasmrun.codegen.atomics import AtomicInstructions
from wasmrun.codegen.emitter import TRAPS, Ctrl
from wasmrun.codegen.gc import GcInstructions
from wasmrun.codegen.memory import MemoryInstructions
from wasmrun.codegen.numeric import NumericInstructions
from wasmrun.codegen.structure import FUNCTION, Construct
from wasmrun.codegen.values import Value, local_name
from wasmrun.codegen.variables import VariableInstructions
from wasmrun.types import FuncType

Range = tuple[int, int | None, int]
"""``(low, high, depth)``: the ``br_table`` indexes from low up to high (None: unbounded) branch to depth."""

_State = TypeVar("_State")  # what a local's state holds: an alignment or a range

_SELECT_NESTING = 4  # the selects inside a select whose operands its condition narrows

LOOKUP_MIN_RANGES = 16
"""A ``br_table`` with more ranges than this maps its index through a constant tuple first."""


MAX_MIRRORED = 6
"""The most locals entering a loop as constants whose pairs may keep their sums (see ranges.MirrorNarrowing)."""


class Generator(NumericInstructions, MemoryInstructions, AtomicInstructions, VariableInstructions, GcInstructions):
    """What both forms share: every instruction but ``block``, ``loop``, ``if``, ``else`` and ``end``."""

    def branch(self, depth: int, condition: Value | None) -> None:
        """A branch to the label ``depth`` out (``br``, or ``br_if`` with its ``condition``): form-specific."""
        raise NotImplementedError

    # --- control --------------------------------------------------------------------------------

    def catch_clause(self, kind: int, tag: int | None) -> tuple[str | None, list[Value]]:
        """A ``try_table`` clause, in the ``except`` where ``exception`` is the caught one: the test that it
        matches (None: it catches all) and the values it passes to its label (the payload, then the
        exception itself for the ``_ref`` forms)."""
        test = None
        values: list[Value] = []
        if tag is not None:
            test = f"exception.tag is tag{tag}"
            values.extend(Value(f"exception.payload[{k}]") for k in range(len(self.module.tag_type(tag).params)))
        if kind in (CATCH_REF, CATCH_ALL_REF):
            values.append(Value("exception", simple=True))
        return test, values

    def alignment_after_catch(self, ctrl: Ctrl) -> list[int | Node]:
        """The known alignment of locals where a try_table's exception is caught: it may come from anywhere
        in the body, so what the body writes is of unknown alignment."""
        writes = ctrl.construct.writes
        return [0 if index in writes else alignment for index, alignment in enumerate(self.local_align)]

    def ranges_after_catch(self, ctrl: Ctrl) -> list[ranges.Range]:
        """The ranges of locals where a try_table's exception is caught: as they were at its start (the
        exception may come before any condition narrowed them), unknown for those the body writes."""
        writes = ctrl.construct.writes
        return [None if index in writes else span for index, span in enumerate(ctrl.range_entry)]

    def dead_construct(self) -> None:
        construct = self.structure.at(self.position)
        self.ctrls.append(Ctrl(construct, len(self.stack), "plain", dead=True))

    def enter(self, construct: Construct) -> int:
        """Flush what a construct could invalidate; the stack height below its parameters."""
        writes = construct.writes
        for index, value in enumerate(self.stack):
            if value.reads and not value.reads.isdisjoint(writes):
                self.materialize(index)
        return len(self.stack) - construct.nparams

    def merges(self, construct: Construct) -> bool:
        """Whether paths meet at the construct's end (its results then go through variables)."""
        return construct.kind == "if" or (construct.kind == "block" and construct.branches > 0)

    def result_variables(self, construct: Construct) -> list[str]:
        return [f"r{construct.id}_{k}" for k in range(construct.nresults)]

    def parameter_variables(self, ctrl: Ctrl) -> None:
        """A branched-to loop with parameters: move them to the variables its branches assign."""
        construct = ctrl.construct
        if construct.kind != "loop" or not construct.nparams or not construct.branches:
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
        state = self.local_range
        self.local_range = self.narrowed_locals(condition, True, state)
        self.branch(depth, condition)
        self.local_range = self.narrowed_locals(condition, False, state)

    def op_return(self, _immediate: None) -> None:
        self.emit(self.return_text())
        self.live = False

    def op_unreachable(self, _immediate: None) -> None:
        self.emit("raise Trap(TRAP_UNREACHABLE)", TRAPS)
        self.live = False

    def op_nop(self, _immediate: None) -> None:
        pass

    def op_throw(self, tag_index: int) -> None:
        """Raise the exception of tag ``tag<k>`` (the instance's) and the payload on the stack."""
        count = len(self.module.tag_type(tag_index).params)
        payload = self.top(count)
        del self.stack[len(self.stack) - count :]
        values = ", ".join(value.code for value in payload)
        self.emit(f"raise WasmException(ExceptionInstance(tag{tag_index}, [{values}]))", TRAPS)
        self.live = False

    def op_throw_ref(self, _immediate: None) -> None:
        reference = self.simple_top()
        self.emit(f"if {reference.code} is None: raise Trap(TRAP_NULL_EXCEPTION_REFERENCE)", TRAPS)
        self.emit(f"raise WasmException({reference.code})", TRAPS)
        self.live = False

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

    def align_loop(self, ctrl: Ctrl) -> None:
        """At a branched-to loop's head: each local it writes becomes a node (inputs: entry, back edges)."""
        construct = ctrl.construct
        if not construct.branches:
            return
        local_align = self.local_align
        ctrl.align_entry = list(local_align)  # (for the locals it does not write: theirs all through it)
        for index in construct.writes:
            node = Node([(local_align[index], 0)])
            self.align_nodes.append(node)
            local_align[index] = node
            ctrl.align_nodes[index] = node
        self.ranges_loop(ctrl)

    def align_branch(self, target: Ctrl) -> None:
        """A branch to ``target`` takes the current state of the locals there."""
        kind = target.construct.kind
        if kind == "loop":
            local_align = self.local_align
            for index, node in target.align_nodes.items():
                node.inputs.append((local_align[index], 0))
            local_range = self.local_range
            for index, range_node in target.range_nodes.items():
                counters.add_input(range_node, local_range[index])
        elif kind != FUNCTION:
            target.align_incoming.append(list(self.local_align))
            target.range_incoming.append(ranges.copied(self.local_range))

    def align_else(self, ctrl: Ctrl) -> None:
        if self.live:
            ctrl.align_incoming.append(self.local_align)
            ctrl.range_incoming.append(self.local_range)
        self.local_align = list(ctrl.align_entry)
        self.local_range = ranges.copied(ctrl.range_entry)

    def paths_at_end(
        self, ctrl: Ctrl, incoming: list[list[_State]], current: list[_State], entry: list[_State]
    ) -> list[list[_State]]:
        """The states (of one kind: alignments or ranges) of the paths that reach the end of a block or if:
        the branches' (``incoming``, added to), the code before the end's if it is live, and for an if
        without else the state at its entry (the empty else)."""
        if self.live:
            incoming.append(current)
        if ctrl.construct.kind == "if" and not ctrl.construct.has_else:
            incoming.append(entry)
        return incoming

    def align_end(self, ctrl: Ctrl) -> None:
        """At the end of a block or if: merge the states of the paths that meet there."""
        self.ranges_end(ctrl)
        construct = ctrl.construct
        if construct.kind == "loop":
            return  # only falling through the body reaches a loop's end
        states = self.paths_at_end(ctrl, ctrl.align_incoming, self.local_align, ctrl.align_entry)
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

    # --- ranges of locals along the control flow (see ranges.py) ---------------------------------

    def condition_test(self, condition: Value) -> tuple[str, Value, Value]:
        """What ``condition`` (an i32) tests: its comparison, else that it is not zero."""
        return condition.test or ("ne", condition, self.constant(0))

    def narrowed_locals(self, condition: Value, holds: bool, state: list[ranges.Range]) -> list[ranges.Range]:
        """The ranges of the locals (``state``: where the condition is tested) on the way where ``condition``
        holds (or not): a local the condition compares is narrowed by the other operand's range, and so is
        the local a tested comparison kept in a local compared (see ``LocalRanges.tests``)."""
        if not self.tracks_ranges:
            return state
        relation, a, b = self.condition_test(condition)
        if not holds:
            relation = ranges.negation(relation)
        narrowed: list[ranges.Range] | None = None
        for side, other, how in ((a, b, relation), (b, a, ranges.mirrored(relation))):
            offset = self.offset_of(side) if len(side.reads) == 1 else None
            if offset is None:
                continue
            index, delta = offset
            bound = self.range_of(other)
            counting = counters.incremented_head(state[index]) if how == "ne" and not delta else None
            if counting is None and (how == "eq" or how == "ne") and not isinstance(other.constant, int):
                if how == "ne" or bound is None:
                    continue  # (x != y narrows nothing but at the ends, x == y nothing if y is unknown)
            if narrowed is None:
                narrowed = ranges.copied(state)
            down = (
                counters.decremented_head(state[index]) if how == "ne" and not delta and other.constant == 0 else None
            )
            if down is not None:
                counter = narrowed[index]
                if isinstance(counter, ranges.RangeNode):
                    narrowed[index] = counters.counted_down(down, counter, self.range_nodes)
                    self.narrow_dependents(narrowed, index)
                    continue
            if counting is not None and self.invariant_in(other, counting[0]):
                head, step = counting
                counter = narrowed[index]
                assert isinstance(counter, ranges.RangeNode)  # (incremented_head saw to it)
                narrowed[index] = counters.counted(head, step, counter, bound, other.align, self.range_nodes)
                self.narrow_dependents(narrowed, index)
            else:
                self.narrow_local(narrowed, index, how, delta, bound, self.range_of(side))
            if how in ("eq", "ne") and other.constant == 0 and not delta and isinstance(state, ranges.LocalRanges):
                kept = state.tests.get(index)
                if kept is not None:  # (the local holds a comparison's result: true unless it is 0)
                    kept_relation, base, shift, threshold = kept
                    if how == "eq":
                        kept_relation = ranges.negation(kept_relation)
                    self.narrow_local(narrowed, base, kept_relation, shift, threshold)
        return state if narrowed is None else narrowed

    def narrow_local(
        self,
        narrowed: list[ranges.Range],
        index: int,
        how: str,
        delta: int,
        bound: ranges.Range,
        shifted: ranges.Range | None = None,
    ) -> None:
        """Local ``index`` where its value plus ``delta`` (modulo 2**32; ``shifted``: that sum's range, if
        known) is in relation ``how`` to a value of range ``bound``, and the locals related to it with it."""
        if delta:
            # (x + c) <relation> y: x is in (the values of x + c so narrowed) - c.
            if shifted is None:
                shifted = ranges.derive(ranges.shifted_by(delta), (narrowed[index],), self.range_nodes)
            side_range = ranges.derive(ranges.narrowed(how), (shifted, bound), self.range_nodes)
            arguments = (narrowed[index], side_range)
            narrowed[index] = ranges.derive(ranges.offset_narrowing(-delta), arguments, self.range_nodes)
        else:
            narrowed[index] = ranges.derive(ranges.narrowed(how), (narrowed[index], bound), self.range_nodes)
        self.narrow_dependents(narrowed, index)

    def narrow_dependents(self, narrowed: list[ranges.Range], index: int) -> None:
        """The locals known to hold local ``index``'s value plus a constant, or computed from it, narrowed with
        it (and theirs with them)."""
        if not isinstance(narrowed, ranges.LocalRanges):
            return
        pending, seen = [index], {index}
        while pending:
            source = pending.pop()
            for dependent, narrowing in narrowed.dependents(source):
                if dependent not in seen:
                    seen.add(dependent)
                    arguments = (narrowed[dependent], narrowed[source])
                    narrowed[dependent] = ranges.derive(narrowing, arguments, self.range_nodes)
                    pending.append(dependent)

    @staticmethod
    def invariant_in(value: Value, head: ranges.RangeNode) -> bool:
        """Whether ``value`` is the same at every iteration of ``head``'s loop: a constant, or a local the
        loop does not write."""
        if isinstance(value.constant, int):
            return True
        if len(value.reads) != 1:
            return False
        (index,) = value.reads
        return value.code == local_name(index) and index not in head.writes

    def narrowed_range(self, value: Value, conditions: list[tuple[Value, bool]]) -> ranges.Range:
        """The range of i32 ``value`` where each of ``conditions`` holds (or not, as the pair says): a
        ``select``'s (the join of its operands, each narrowed by its own condition and the enclosing ones:
        ``select(select(n, 128, n <s 128), 0, n >s 0)`` is in [0, 128]) or an operand's of a ``select``."""
        selection = value.selection
        if selection is not None and len(conditions) < _SELECT_NESTING:
            x, y, z = selection
            arms = [self.narrowed_range(x, [*conditions, (z, True)]), self.narrowed_range(y, [*conditions, (z, False)])]
            return ranges.joined(arms, self.range_nodes)
        span = self.range_of(value)
        if not value.simple or isinstance(value.constant, int):
            return span
        for condition, holds in conditions:
            relation, a, b = self.condition_test(condition)
            if not holds:
                relation = ranges.negation(relation)
            for side, other, how in ((a, b, relation), (b, a, ranges.mirrored(relation))):
                if side.code == value.code:
                    span = ranges.derive(ranges.narrowed(how), (span, self.range_of(other)), self.range_nodes)
        return span

    def ranges_loop(self, ctrl: Ctrl) -> None:
        """At a branched-to loop's head: each i32 local it writes becomes a node (inputs: entry, back edges)."""
        local_range = self.local_range
        if isinstance(local_range, ranges.LocalRanges):
            for index in ctrl.construct.writes:
                local_range.forget(index)  # (an offset must hold on every back edge)
        siblings: list[ranges.RangeNode] = []
        constants: list[tuple[int, int, ranges.RangeNode]] = []
        for index in ctrl.construct.writes:
            # (A local about which nothing is known on entry stays so: the join holds everything.)
            if index in self.i32_locals and local_range[index] is not None and local_range[index] != ranges.FULL:
                alignment = ctrl.align_nodes.get(index, 0)
                node = ranges.loop_head(
                    local_range[index], ctrl.construct.writes, alignment, siblings, self.range_nodes
                )
                local_range[index] = node
                ctrl.range_nodes[index] = node
                entry = node.inputs[0][1][0]
                if isinstance(entry, tuple) and entry[0] == entry[1] and len(constants) < MAX_MIRRORED:
                    constants.append((index, entry[0], node))
        if isinstance(local_range, ranges.LocalRanges):
            # Locals entering the loop as constants: two the loop steps by opposite constants keep their sum.
            for k, (a, value_a, head_a) in enumerate(constants):
                for b, value_b, head_b in constants[k + 1 :]:
                    total = (value_a + value_b) % ranges.U32
                    local_range.mirrors[(a, b)] = ranges.MirrorNarrowing(total, (head_a, head_b))

    def ranges_end(self, ctrl: Ctrl) -> None:
        """At the end of a block or if: join the ranges of the paths that meet there.

        Every local whose ranges differ, not only those the construct writes: a condition narrows the
        locals it compares on each of its ways.
        """
        construct = ctrl.construct
        if construct.kind == "loop" or not self.tracks_ranges:
            return
        states = self.paths_at_end(ctrl, ctrl.range_incoming, self.local_range, ctrl.range_entry)
        if len(states) < 2:
            if states and states[0] is not self.local_range:
                self.local_range = ranges.copied(states[0])
            return
        # (Not the current state: the code before the end may be dead, and narrowed.)
        merged = ranges.joined_state(states)
        count = len(states)
        for index, column in enumerate(zip(*states)):
            if column.count(column[0]) != count:
                merged[index] = ranges.joined(list(column), self.range_nodes)
        self.local_range = merged

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

    def tail_call(self, function_type: FuncType, callee: str) -> None:
        """``return_call*``: return the callee and its arguments to the trampoline (see compiled.install)."""
        count = len(function_type.params)
        arguments = self.top(count)
        del self.stack[len(self.stack) - count :]
        self.emit(f"return TailCall({callee}, [{', '.join(value.code for value in arguments)}])", TRAPS)
        self.tail_calls = True
        self.live = False

    def op_return_call(self, function_index: int) -> None:
        self.tail_call(self.module.func_type(function_index), f"fi{function_index}")

    def op_return_call_indirect(self, immediate: tuple[int, int]) -> None:
        type_index, table_index = immediate
        index = self.pop()
        self.tail_call(self.module.types[type_index], f"TAIL_CALLEE(E{table_index}, {index.code}, ty{type_index})")

    def simple_top(self) -> Value:
        """The top entry, popped, as a name or literal (materialised if it is an expression)."""
        value = self.pop()
        if not value.simple:
            self.push(value)
            self.materialize(len(self.stack) - 1)
            value = self.pop()
        return value

    def op_call_ref(self, type_index: int) -> None:
        reference = self.simple_top()
        self.call(self.module.types[type_index], f"REF_DIRECT({reference.code})")

    def op_return_call_ref(self, type_index: int) -> None:
        reference = self.simple_top()
        self.tail_call(self.module.types[type_index], f"NON_NULL_FUNCTION({reference.code})")

    def op_ref_as_non_null(self, _immediate: None) -> None:
        reference = self.simple_top()
        self.emit(f"if {reference.code} is None: raise Trap(TRAP_NULL_REFERENCE)", TRAPS)
        self.push(reference)

    def op_br_on_null(self, depth: int) -> None:
        reference = self.simple_top()
        self.branch(depth, Value(f"({reference.code} is None)"))
        self.push(reference)

    def op_br_on_non_null(self, depth: int) -> None:
        reference = self.simple_top()
        self.push(reference)
        self.branch(depth, Value(f"({reference.code} is not None)"))
        self.pop()

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
