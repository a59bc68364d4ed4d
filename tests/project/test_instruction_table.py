"""The instruction table is complete: every stage has a behaviour for every row, found through the table.

Each stage says whether it covers an instruction with a ``covers(info)`` function beside its code.
A new row fails here once per stage that lacks a behaviour for it, naming the stage and its file:
the list of places to touch (``docs/development.md`` has the steps). And no stage compares an
opcode with a number or writes a prefixed opcode as one.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from wasmrun.instructions import OPCODES, InstructionInfo

PACKAGE = Path(__file__).resolve().parents[2] / "wasmrun"

# stage -> the module whose covers(info) says whether the stage has a behaviour for an instruction.
STAGES: dict[str, str] = {
    "binary decoder": "wasmrun.binary.instructions",
    "text parser": "wasmrun.text.instructions",
    "text printer (inspect)": "wasmrun.inspection.instruction_text",
    "validator": "wasmrun.validation.rules",
    "interpreter translator": "wasmrun.interp.translate",
    "Python code generator": "wasmrun.codegen.generator",
    "semantics (numeric and SIMD)": "wasmrun.semantics.dispatch",
    "fuel": "wasmrun.semantics.fuel",
    "proposals (features, inspect)": "wasmrun.features",
}


def coverage(module_name: str) -> Callable[[InstructionInfo], bool] | None:
    covers: Callable[[InstructionInfo], bool] | None = getattr(importlib.import_module(module_name), "covers", None)
    return covers


def missing(rows: dict[int, InstructionInfo], stages: dict[str, str] = STAGES) -> list[str]:
    """For each row and stage without a behaviour for it: ``mnemonic: stage (file)``."""
    found = []
    for stage, module_name in stages.items():
        covers = coverage(module_name)
        where = module_name.replace(".", "/") + ".py"
        if covers is None:
            found.append(f"{stage} ({where}) has no covers(info)")
            continue
        found += [f"{info.mnemonic}: {stage} ({where})" for info in rows.values() if not covers(info)]
    return found


def test_every_stage_has_a_behaviour_for_every_instruction() -> None:
    gaps = missing(OPCODES)
    assert not gaps, "instructions a stage has no behaviour for:\n" + "\n".join(gaps)


def test_a_row_no_stage_knows_is_named_once_per_stage() -> None:
    """A made-up row, in its own proposal and with an immediate kind nobody reads, lacks every stage."""
    row = InstructionInfo(0xFC00FF, "made.up", "future_kind", None, None, None, proposal="future-proposal")
    reported = missing({row.opcode: row})
    stages_named = [line for line in reported if line.startswith("made.up: ")]
    assert len(stages_named) >= 5
    assert any("binary decoder" in line for line in stages_named)
    assert any("validator" in line for line in stages_named)


# --- no stage keeps a list of its own --------------------------------------------------------------------

_OPCODE_LITERAL = re.compile(r"^0x(FC|FD|fc|fd)[0-9A-Fa-f]{2,4}$")


def stage_files() -> list[Path]:
    return [path for path in sorted(PACKAGE.rglob("*.py")) if "instructions" not in path.relative_to(PACKAGE).parts[:1]]


_OPCODE_NAME = re.compile(r"(^|\.)(op|opcode)$")


def opcode_comparisons(text: str, where: str) -> list[str]:
    """``opcode == 0x0B`` and the like: an opcode compared with a number instead of found in the table."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        numbers = [side for side in sides if isinstance(side, ast.Constant) and type(side.value) is int]
        names = [ast.get_source_segment(text, side) or "" for side in sides]
        if numbers and any(_OPCODE_NAME.search(name) for name in names):
            found.append(f"{where}:{node.lineno}: {ast.get_source_segment(text, node)}")
    return found


def test_no_stage_compares_an_opcode_with_a_number() -> None:
    """Stages find instructions by the table's columns (control kind, proposal, fuel class, immediate)."""
    found = [
        where
        for path in stage_files()
        for where in opcode_comparisons(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))
    ]
    assert found == []


@pytest.mark.parametrize(
    "line", ["if info.opcode == 0x0B: pass", "while op != 11: pass", "if 0x0B == self.opcode: pass"]
)
def test_an_opcode_compared_with_a_number_is_found(line: str) -> None:
    assert opcode_comparisons(line + "\n", "sample.py") != []


def test_no_stage_writes_a_prefixed_opcode_as_a_number() -> None:
    found = []
    for path in stage_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, int) and node.value > 0xFF:
                text = ast.get_source_segment(path.read_text(encoding="utf-8"), node) or ""
                if _OPCODE_LITERAL.match(text):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {text}")
    assert found == []


@pytest.mark.parametrize("info", list(OPCODES.values()), ids=lambda info: info.mnemonic)
def test_each_row_is_well_formed(info: InstructionInfo) -> None:
    assert OPCODES[info.opcode] is info
    assert (info.params is None) == (info.results is None)
    assert info.encoding[0] == (info.opcode >> 16 if info.opcode > 0xFF else info.opcode)
