"""``inspect --code``: a function as wasmrun executes it, in each of its forms.

:func:`translated_form` translates a function without running anything and
describes what each tier makes of it:

* the interpreter's handlers (:func:`wasmrun.interp.translate.translate_function`),
  the form every function starts in: one entry per superinstruction, with its
  family, the mnemonic it computes, its operand shape (``r`` a frame slot,
  ``c`` a constant), its operands, the offset of the wasm instruction a trap in
  it reports, and the span of wasm instructions it accounts for;
* the runs (:func:`wasmrun.interp.translate.plan_runs`): the handlers the
  interpreter concatenates into one closure once the function is hot (after
  :data:`~wasmrun.engine.interpreter.DEFAULT_HOT_THRESHOLD` calls and loop
  iterations, under ``--engine interp``);
* the Python source the compiled tier generates for it
  (:func:`wasmrun.codegen.generate_function`, with the options the
  compiled tier uses), which ``--engine auto`` runs once the function is hot
  and ``--engine compile`` from its first call; none for a function with SIMD
  instructions, which stays interpreted under every engine.

The span of a handler: the translator reads the instructions in order and
emits handlers as it goes, folding operand instructions (``local.get``,
constants) into the instruction that consumes them, and a following
``local.set``/``local.tee`` (a destination) or ``br_if``/``if`` (a condition)
into the instruction before.  So the handlers emitted at one instruction
account for the instructions after the previous such group up to it, plus the
next one when it was folded in (the handler writes the ``local.set``'s local,
or a comparison became a branch).  Code after an unconditional branch emits
nothing and is counted into the next span.

Everything here is deterministic: the same module gives the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wasmrun.binary.instructions import decode_function_body
from wasmrun.errors import UnsupportedInstruction
from wasmrun.instructions import CONTROL, OPCODES
from wasmrun.interp import fusion
from wasmrun.module import Module
from wasmrun.semantics.frames import SLOTS_PER_FRAME

# Arguments that are frame indexes in every family that has them (see wasmrun.interp.fusion.FAMILIES):
# a destination, and a call's arguments R[a:b] and (several) results R[a:e].
_DESTINATION = "d"
_CALL_FIRST = "a"
_CALL_END = "b"
_CALL_RESULTS_END = "e"
_OBJECT_NAMES = {
    "functions": "function",
    "types": "type",
    "tables": "table",
    "memories": "memory",
    "globals": "global",
    "tags": "tag",
}


@dataclass(frozen=True, slots=True)
class Operand:
    name: str  # the family's argument name (``args``/``results`` for a call's slices)
    value: str  # ``R[3]`` a frame slot, ``R[3:5]`` slots, ``->7`` a handler, ``function 2``, or a constant


@dataclass(frozen=True, slots=True)
class Handler:
    """One superinstruction of the interpreter's code."""

    pc: int  # its index in the function's code (execution starts at 1)
    family: str
    op: str | None  # the instruction computed, for the families with an expression
    shape: str  # one ``r`` (frame slot) or ``c`` (constant) per source operand
    operands: tuple[Operand, ...]
    offset: int  # the wasm instruction it was translated from: what a trap in it reports
    first: int  # offsets of the first and last wasm instructions it accounts for
    last: int
    run: int | None  # the run it belongs to once the function is hot


@dataclass(frozen=True, slots=True)
class Run:
    """Handlers ``first_pc``..``last_pc`` run as one closure once the function is hot."""

    index: int
    first_pc: int
    last_pc: int
    first: int  # offsets of the first and last wasm instructions it accounts for
    last: int


@dataclass(frozen=True, slots=True)
class SourceLine:
    number: int
    offset: int | None  # for a line that can trap or call: the wasm instruction it reports
    text: str


@dataclass(frozen=True, slots=True)
class CompiledSource:
    name: str  # the Python function's name
    form: str  # "structured" (Python loops and ifs) or "flat" (basic blocks in one loop)
    lines: tuple[SourceLine, ...]


@dataclass(frozen=True, slots=True)
class TranslatedForm:
    """A function's forms; all empty, with the reason in ``unsupported``, when the engine cannot run it."""

    unsupported: str | None
    params: int  # the frame: parameters R[0:params], declared locals up to R[result_base], then the stack
    result_base: int  # where the operand stack starts, and the results are left
    frame_size: int
    handlers: tuple[Handler, ...]
    loop_heads: tuple[int, ...]  # the handlers where loops start (where a hot loop is counted)
    hot_threshold: int | None  # calls plus loop iterations before ``--engine interp`` fuses the runs
    runs: tuple[Run, ...]
    compile_threshold: int  # calls plus loop iterations before ``--engine auto`` compiles the function
    compiled: CompiledSource | None
    interpreted_because: str = ""  # why ``compiled`` is None: what keeps the function interpreted


def translated_form(module: Module, index: int) -> TranslatedForm:
    """The forms of defined function ``index`` of a validated module (see the module docstring)."""
    from wasmrun.engine.interpreter import DEFAULT_COMPILE_THRESHOLD, DEFAULT_HOT_THRESHOLD
    from wasmrun.interp.translate import plan_runs, translate_function

    try:
        translation = translate_function(module, index)
        # The compiled tier leaves a function with SIMD interpreted (wasmrun.engine.interpreter).
        reason = "SIMD" if translation.uses_simd else ""
        compiled = None if reason else compiled_source(module, index)
    except UnsupportedInstruction as error:
        return TranslatedForm(
            error.message, 0, 0, 0, (), (), DEFAULT_HOT_THRESHOLD, (), DEFAULT_COMPILE_THRESHOLD, None
        )
    code, offsets = translation.code, translation.offsets
    spans = handler_spans(module, index, code, offsets)
    planned = [] if translation.uses_exceptions else plan_runs(code)  # no fusion: see interp/catching.py
    run_of = {pc: number for number, run in enumerate(planned) for pc in run}
    handlers = tuple(
        Handler(
            pc,
            code[pc][0][0],
            code[pc][0][1],
            code[pc][0][2],
            operands(code[pc]),
            offsets[pc],
            spans[pc][0],
            spans[pc][1],
            run_of.get(pc),
        )
        for pc in range(1, len(code))
    )
    runs = tuple(
        Run(number, run[0], run[-1], spans[run[0]][0], max(spans[pc][1] for pc in run))
        for number, run in enumerate(planned)
    )
    return TranslatedForm(
        unsupported=None,
        params=translation.param_count,
        result_base=translation.result_base,
        frame_size=translation.frame_size,
        handlers=handlers,
        loop_heads=tuple(translation.loop_heads),
        hot_threshold=None if translation.uses_exceptions else DEFAULT_HOT_THRESHOLD,
        runs=runs,
        compile_threshold=DEFAULT_COMPILE_THRESHOLD,
        compiled=compiled,
        interpreted_because=reason,
    )


def compiled_source(module: Module, index: int) -> CompiledSource:
    """The Python source the compiled tier generates for defined function ``index``."""
    from wasmrun.codegen import AT, compiled, generate_function
    from wasmrun.runtime.memory import TYPED_FORMATS

    # The options of wasmrun.codegen.compiled.compile_function, which compiles the same source.
    generated = generate_function(
        module,
        index,
        compiled.EXPRESSIONS,
        slots_per_frame=SLOTS_PER_FRAME,
        typed_views=frozenset(TYPED_FORMATS),
    )
    lines = []
    for number, text in enumerate(generated.source.splitlines(), 1):
        kind_offset = generated.lines.get(number)
        # An ``AT`` line re-raises a memory trap, whose offset travels on the trap itself.
        offset = kind_offset[1] if kind_offset is not None and kind_offset[0] != AT else None
        lines.append(SourceLine(number, offset, text))
    return CompiledSource(generated.name, generated.form, tuple(lines))


# --- operands -----------------------------------------------------------------------------------


def operands(item: Sequence[Any]) -> tuple[Operand, ...]:
    """The operands of a translated item ``[key, *args]`` (not a run), by the family's argument names."""
    (family_name, _op, shape), *args = item
    family = fusion.FAMILIES[family_name]
    values = dict(zip(family.args, args))
    result: list[Operand] = []
    for name, value in values.items():
        if name == _CALL_FIRST:
            result.append(Operand("args", f"R[{value}:{values[_CALL_END]}]"))
        elif name == _CALL_END:
            continue  # shown with the first argument
        elif name == _CALL_RESULTS_END:
            result.append(Operand("results", f"R[{values[_CALL_FIRST]}:{value}]"))
        elif name in family.jumps:
            result.append(Operand(name, _targets(value)))
        elif name in family.sources:
            kind = shape[family.sources.index(name)]
            result.append(Operand(name, f"R[{value}]" if kind == "r" else constant_text(value)))
        elif name in family.objects:
            result.append(Operand(name, f"{_OBJECT_NAMES[family.objects[name]]} {value}"))
        elif name == _DESTINATION:
            result.append(Operand(name, f"R[{value}]"))
        else:
            result.append(Operand(name, str(value)))
    return tuple(result)


def _targets(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(f"->{target}" for target in value) + "]"
    return f"->{value}"


def constant_text(value: Any) -> str:
    """A constant operand as the engine holds it: an unsigned int, a float, or ``null``."""
    if value is None:
        return "null"
    if isinstance(value, float):
        if value != value:
            from wasmrun.floats import f64_to_bits

            return f"nan:0x{f64_to_bits(value):016x}"  # an f32 NaN is held as the double with its payload
        return repr(value)
    return str(value)


# --- spans --------------------------------------------------------------------------------------


def handler_spans(
    module: Module, index: int, code: Sequence[Sequence[Any]], offsets: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """For each handler of function ``index``'s translated ``code`` (from ``pc`` 1), the offsets of the first
    and last wasm instructions it accounts for."""
    instructions = decode_function_body(module.raw, module.body(index))
    position_of = {offset: position for position, (_, _, offset) in enumerate(instructions)}
    spans: dict[int, tuple[int, int]] = {}
    covered = -1  # the last instruction position accounted for
    pc = 1
    while pc < len(offsets):
        group_end = pc
        while group_end + 1 < len(offsets) and offsets[group_end + 1] == offsets[pc]:
            group_end += 1
        offset = offsets[pc]
        position = position_of.get(offset, -1)
        if position <= covered:
            span = (offset, offset)
        else:
            last = position + 1 if _folds_next(instructions, position, code[pc : group_end + 1]) else position
            span = (instructions[covered + 1][2], instructions[last][2])
            covered = last
        for member in range(pc, group_end + 1):
            spans[member] = span
        pc = group_end + 1
    return spans


# The control kinds of the branches a comparison or test fuses into (br_if, if).
_FUSED_BRANCHES = frozenset(branch for _condition, branch in fusion.BRANCH_FUSIONS)


def _folds_next(instructions: Sequence[tuple[int, Any, int]], position: int, group: Sequence[Sequence[Any]]) -> bool:
    """Whether the instruction after ``position`` was folded into the handlers ``group`` emitted there."""
    if position + 1 >= len(instructions):
        return False
    mnemonic = OPCODES[instructions[position][0]].mnemonic
    following, immediate, _ = instructions[position + 1]
    destinations = fusion.DESTINATION_INSTRUCTIONS
    if OPCODES[following].mnemonic in destinations and mnemonic not in destinations:
        # Folded as a destination: a handler writes the local itself (other writes go to stack slots).
        return any(_destination(item) == immediate for item in group)
    if CONTROL.get(following) in _FUSED_BRANCHES:
        if mnemonic in fusion.COMPARISONS or mnemonic in fusion.TESTS:
            return any(item[0][0].startswith(("br_if", "br_unless")) for item in group)
    return False


def _destination(item: Sequence[Any]) -> Any:
    family = fusion.FAMILIES[item[0][0]]
    if _DESTINATION not in family.args:
        return None
    return item[1 + family.args.index(_DESTINATION)]
