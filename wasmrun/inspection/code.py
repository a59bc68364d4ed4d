"""``inspect --code FUNC``: one function's code, as decoded from the binary and as the engine runs it.

:func:`function_code` gives the decoded instruction stream (offset, nesting
depth, mnemonic, immediates) and, beside it, the engine's translated form
(:func:`translated_form`, from :mod:`wasmrun.inspection.translation`): the
interpreter's superinstructions, the runs it fuses once the function is hot,
and the Python source of the compiled tier.
"""

from __future__ import annotations

from dataclasses import dataclass

from wasmrun.binary.instructions import decode_function_body
from wasmrun.inspection.instruction_text import instruction_text
from wasmrun.inspection.summary import function_names
from wasmrun.inspection.translation import TranslatedForm, translated_form
from wasmrun.instructions import CONTROL
from wasmrun.module import Module
from wasmrun.types import ExternKind

_OPENS = ("block", "loop", "if", "try_table")


class FunctionLookupError(LookupError):
    """FUNC names no function of the module, or one without code (an import)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class CodeLine:
    """One instruction: its offset in the module, how deeply it is nested in blocks, its text."""

    offset: int
    depth: int
    mnemonic: str
    immediates: str


@dataclass(frozen=True, slots=True)
class LocalGroup:
    """``count`` locals of one type, as the body declares them."""

    count: int
    type: str


@dataclass(frozen=True, slots=True)
class FunctionCode:
    index: int
    name: str | None
    type_index: int
    params: tuple[str, ...]
    results: tuple[str, ...]
    locals: tuple[LocalGroup, ...]
    body_offset: int
    body_end: int
    instructions: tuple[CodeLine, ...]
    translated: TranslatedForm  # the engine's forms of the function


def find_function(module: Module, spec: str) -> int:
    """The function index that ``spec`` names: an index, a name from the name section, or an export name."""
    count = len(module.func_type_indices)
    if spec.isdigit():
        index = int(spec)
        if index >= count:
            raise FunctionLookupError(f"no function {index}: the module has {count}")
        return index
    wanted = spec.removeprefix("$")
    for index, name in sorted(module.names.functions.items()):
        if name == wanted:
            return index
    for index, name in sorted(function_names(module).items()):
        if name == wanted:
            return index
    raise FunctionLookupError(f"no function named `{spec}`")


def function_code(module: Module, index: int) -> FunctionCode:
    """The decoded code of defined function ``index``."""
    if index < module.num_imported_functions:
        entry = [entry for entry in module.imports if entry.kind is ExternKind.FUNC][index]
        raise FunctionLookupError(f"function {index} is imported (`{entry.module}` `{entry.name}`): it has no code")
    functype = module.func_type(index)
    body = module.body(index)
    lines = []
    depth = 0
    for instruction in decode_function_body(module.raw, body):
        control = CONTROL.get(instruction[0])
        if control == "end" and depth:
            depth -= 1
        mnemonic, immediates = instruction_text(instruction)
        lines.append(CodeLine(instruction[2], depth - 1 if control == "else" else depth, mnemonic, immediates))
        if control in _OPENS:
            depth += 1
    return FunctionCode(
        index=index,
        name=function_names(module).get(index),
        type_index=module.func_type_indices[index],
        params=tuple(t.text for t in functype.params),
        results=tuple(t.text for t in functype.results),
        locals=tuple(LocalGroup(count, valtype.text) for count, valtype in body.locals),
        body_offset=body.start,
        body_end=body.end,
        instructions=tuple(lines),
        translated=translated_form(module, index),
    )
