"""``inspect --code``'s view of one function: its instructions and the engine's forms of it (for a module,
and for a function of a component's core module)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from wasmrun.cli.errors import CliError
from wasmrun.cli.inspect_text import left, name_text, optional, range_text, right, signature_text
from wasmrun.cli.tables import Block, Fields, Lines, Table

if TYPE_CHECKING:
    from wasmrun.inspection.code import FunctionCode
    from wasmrun.inspection.translation import Handler, TranslatedForm
    from wasmrun.module import Module


def function_code_view(module: Module, function: str, file: str, spec: str) -> tuple[dict[str, Any], tuple[Block, ...]]:
    """The code of ``function`` (an index or a name) of ``module`` as JSON and blocks; ``spec``: what
    ``--code`` was given (named in errors)."""
    from wasmrun.inspection.code import FunctionLookupError, find_function, function_code

    try:
        code = function_code(module, find_function(module, function))
    except FunctionLookupError as error:
        raise CliError(f"--code {spec}: {error.message}", file) from error
    return {"code": dataclasses.asdict(code)}, code_blocks(code)


def code_blocks(code: FunctionCode) -> tuple[Block, ...]:
    locals_text = ", ".join(f"{group.count} {group.type}" for group in code.locals) or "none"
    header = Fields(
        None,
        (
            ("function", str(code.index) + (f" ({name_text(code.name)})" if code.name else "")),
            ("type", f"{code.type_index} {signature_text(code.params, code.results)}"),
            ("locals", locals_text),
            ("body", f"{range_text(code.body_offset, code.body_end)} ({code.body_end - code.body_offset} bytes)"),
        ),
    )
    width = len(f"{code.body_end:#x}")
    listing = tuple(
        f"{line.offset:#0{width}x}  {'  ' * line.depth}{line.mnemonic} {line.immediates}".rstrip()
        for line in code.instructions
    )
    return (header, Lines(f"instructions ({len(listing)})", listing), *translated_blocks(code.translated))


def translated_blocks(form: TranslatedForm) -> tuple[Block, ...]:
    """The engine's forms of a function: handlers, runs, compiled source."""
    if form.unsupported is not None:
        return (Fields("engine", (("not executed", form.unsupported),)),)
    header = Fields(
        "interpreter",
        (
            (
                "frame",
                f"parameters {_slots(0, form.params)}, locals {_slots(form.params, form.result_base)}, "
                f"operand stack {_slots(form.result_base, form.frame_size)}",
            ),
            ("loop heads", ", ".join(str(pc) for pc in form.loop_heads) or "none"),
            (
                "runs fused",
                "never"
                if form.hot_threshold is None
                else f"after {form.hot_threshold} calls and loop iterations (--engine interp)",
            ),
            (
                "compiled",
                f"never: {form.interpreted_because or 'SIMD'} stays interpreted under every engine"
                if form.compiled is None
                else f"after {form.compile_threshold} calls and loop iterations (--engine auto), "
                "at the first call (--engine compile)",
            ),
        ),
    )
    handlers = Table(
        "handlers",
        (right("pc"), left("handler"), left("operands"), left("offset"), left("covers"), right("run")),
        tuple(
            (
                str(handler.pc),
                handler_text(handler),
                " ".join(f"{operand.name}={operand.value}" for operand in handler.operands),
                f"{handler.offset:#x}",
                _span_text(handler.first, handler.last),
                optional(handler.run),
            )
            for handler in form.handlers
        ),
    )
    runs = Table(
        "runs",
        (right("run"), left("handlers"), left("covers")),
        tuple((str(run.index), f"{run.first_pc}-{run.last_pc}", _span_text(run.first, run.last)) for run in form.runs),
    )
    blocks: list[Block] = [header, handlers, runs]
    if form.compiled is not None:
        compiled = form.compiled
        width = max((len(f"{line.offset:#x}") for line in compiled.lines if line.offset is not None), default=0)
        number_width = len(str(len(compiled.lines)))
        listing = tuple(
            f"{line.number:>{number_width}}  {'' if line.offset is None else f'{line.offset:#x}':<{width}}  "
            f"{line.text}".rstrip()
            for line in compiled.lines
        )
        title = f"compiled: {compiled.name}, {compiled.form} form (line, wasm offset, source)"
        blocks.append(Lines(title, listing))
    return tuple(blocks)


def handler_text(handler: Handler) -> str:
    """``family op/shape``: ``binop i32.add/rc``, ``br_if.binop i32.lt_s/rr``, ``call.1``."""
    text = handler.family if handler.op is None else f"{handler.family} {handler.op}"
    return f"{text}/{handler.shape}" if handler.shape else text


def _slots(start: int, end: int) -> str:
    if end - start == 1:
        return f"R[{start}]"
    return f"R[{start}:{end}]" if end > start else "none"


def _span_text(first: int, last: int) -> str:
    return f"{first:#x}" if first == last else f"{first:#x}-{last:#x}"
