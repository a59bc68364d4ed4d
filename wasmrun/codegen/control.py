"""Control shared by both forms, calls, and the alignment of locals along the control flow.

:class:`Generator` is every instruction but the structured ones: the
sections beside it (numeric, memory, variables) and what is the same in both
forms here -- ``br``, ``br_if``, ``return``, ``unreachable``, calls,
``br_table``'s dispatch on ranges of its index, and how the known alignment of
locals flows into and out of constructs.  The forms (:mod:`~wasmrun.codegen.structured`,
:mod:`~wasmrun.codegen.flat`) add ``block``, ``loop``, ``if``, ``else``,
``end`` and what a branch is.
"""

from __future__ import annotations

from wasmrun.binary.instructions import CATCH_ALL_REF, CATCH_REF
from wasmrun.codegen.alignment import Node
from wasmrun.codegen.atomics import AtomicInstructions
from wasmrun.codegen.emitter import TRAPS, Ctrl
from wasmrun.codegen.gc import GcInstructions
from wasmrun.codegen.memory import MemoryInstructions
from wasmrun.codegen.numeric import NumericInstructions
from wasmrun.codegen.structure import FUNCTION, Construct
from wasmrun.codegen.values import Value
from wasmrun.codegen.variables import VariableInstructions
from wasmrun.types import FuncType

Range = tuple[int, int | None, int]
"""``(low, high, depth)``: the ``br_table`` indexes from low up to high (None: unbounded) branch to depth."""

LOOKUP_MIN_RANGES = 16
"""A ``br_table`` with more ranges than this maps its index through a constant tuple first."""


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
        self.branch(depth, condition)

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
        for index in construct.writes:
            node = Node([(local_align[index], 0)])
            self.align_nodes.append(node)
            local_align[index] = node
            ctrl.align_nodes[index] = node

    def align_branch(self, target: Ctrl) -> None:
        """A branch to ``target`` takes the current state of the locals there."""
        kind = target.construct.kind
        if kind == "loop":
            local_align = self.local_align
            for index, node in target.align_nodes.items():
                node.inputs.append((local_align[index], 0))
        elif kind != FUNCTION:
            target.align_incoming.append(list(self.local_align))

    def align_else(self, ctrl: Ctrl) -> None:
        if self.live:
            ctrl.align_incoming.append(self.local_align)
        self.local_align = list(ctrl.align_entry)

    def align_end(self, ctrl: Ctrl) -> None:
        """At the end of a block or if: merge the states of the paths that meet there."""
        construct = ctrl.construct
        if construct.kind == "loop":
            return  # only falling through the body reaches a loop's end
        states = ctrl.align_incoming
        if self.live:
            states.append(self.local_align)
        if construct.kind == "if" and not construct.has_else:
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
