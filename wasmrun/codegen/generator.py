"""The code generator's entry points: a function's source in the structured form or the flat one, a loop entry.

Which behaviour an instruction has is each form's table (``handlers``), made
from the instruction table by :func:`wasmrun.semantics.dispatch.visitor_table`:
the generic visitors ``numeric``, ``load`` and ``store`` for the scalar numeric
and memory instructions, ``op_<mnemonic>`` for every other one.  A SIMD
instruction has none: a function that has one stays interpreted
(:class:`~wasmrun.errors.UnsupportedInstruction`, the declared fallback).
"""

from __future__ import annotations

from wasmrun.binary.instructions import decode_function_body
from wasmrun.codegen.emitter import MAX_PYTHON_LOOPS, Expressions, GeneratedFunction, TooDeep
from wasmrun.codegen.flat import FlatGenerator
from wasmrun.codegen.inlining import inline_calls
from wasmrun.codegen.structure import analyse
from wasmrun.codegen.structured import ShadowLost, StructuredGenerator, python_loop_depth
from wasmrun.instructions import CONTROL, InstructionInfo
from wasmrun.module import Module


def covers(info: InstructionInfo) -> bool:
    """Whether both forms have a behaviour for ``info``, or it is SIMD (a function with SIMD stays interpreted)."""
    if info.is_simd:
        return True
    return info.opcode in StructuredGenerator.handlers and info.opcode in FlatGenerator.handlers


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
    :mod:`wasmrun.semantics.fuel`); ``stats``: count the call in ``STATS``.
    Without them the source has nothing of either.
    """
    name = name or f"f{function_index}"
    body = module.body(function_index)
    instructions = decode_function_body(module.raw, body)
    declared = [valtype for count, valtype in body.locals for _ in range(count)]
    if not fuel and not stats:  # (see wasmrun.codegen.inlining)
        instructions, declared = inline_calls(module, function_index, instructions, declared)
    function_type = module.func_type(function_index)
    structure = analyse(module, instructions, len(function_type.results), len(function_type.params))
    if not flat and python_loop_depth(structure) <= MAX_PYTHON_LOOPS:
        for shadows in (True, False):
            generator = StructuredGenerator(
                module,
                function_index,
                expressions,
                name,
                instructions=instructions,
                structure=structure,
                declared=declared,
                slots_per_frame=slots_per_frame,
                typed_views=typed_views,
                fuel=fuel,
                stats=stats,
            )
            generator.shadows = shadows
            try:
                return generator.generate()
            except TooDeep:
                break
            except ShadowLost:
                continue  # (a local written in a form the shadows cannot follow: again, without them)
    return FlatGenerator(
        module,
        function_index,
        expressions,
        name,
        instructions=instructions,
        structure=structure,
        declared=declared,
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
        (
            p
            for p, (opcode, _imm, offset) in enumerate(instructions)
            if CONTROL.get(opcode) == "loop" and offset == loop_offset
        ),
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
