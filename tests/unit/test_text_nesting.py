"""Nesting in the text format: as deep as the binary format allows, whatever Python's recursion limit.

The text parser keeps the open blocks, folded instructions and folded ``if``
conditions on an explicit stack (:mod:`wasmrun.text.instructions`), so a
function nested 10,000 levels deep parses like a flat one.  It used to recurse
once or more per level and stopped with a ``RecursionError`` some 400 folded
or 600 plain blocks deep.  Every test here nests at least 1,000 levels (past
the default limit of 1,000 Python frames), checks the bytes level by level,
and, for errors, the message and position the reference interpreter gives.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from wasmrun.embedding import Store
from wasmrun.engine.interpreter import ENGINES, Engine, Interpreter
from wasmrun.errors import TextSyntaxError
from wasmrun.loader import Module
from wasmrun.runtime.linker import Linker
from wasmrun.text.encoder import u32
from wasmrun.text.wast import parse_script
from wasmrun.text.wat import parse_module
from wasmrun.wast import ScriptRunner
from wasmrun.wast_engine import ScriptEngine

DEPTHS = (1_000, 10_000)
CONST_7 = b"\x41\x07"  # i32.const 7
END = b"\x0b"
IF_OPENING = b"\x41\x01\x04\x7f"  # i32.const 1, if (result i32)
IF_CLOSING = b"\x05\x41\x00\x0b"  # else, i32.const 0, end


@dataclass(frozen=True)
class Nesting:
    """One way of nesting blocks that yield an i32: ``opening`` * depth, ``(i32.const 7)``, ``closing`` * depth."""

    style: str  # "folded" or "plain"
    keyword: str  # "block", "loop" or "if"
    opening: str
    closing: str
    opening_code: bytes  # the encoding of one level's opening, and of its closing
    closing_code: bytes

    def __str__(self) -> str:
        return f"{self.style}-{self.keyword}"

    def instructions(self, depth: int) -> str:
        innermost = "(i32.const 7)" if self.style == "folded" else "i32.const 7 "
        return self.opening * depth + innermost + self.closing * depth

    def module(self, depth: int) -> str:
        return f'(module (func (export "f") (result i32)\n{self.instructions(depth)}\n))'

    def body(self, depth: int) -> bytes:
        """The function's body, the module's last bytes: no locals, the instructions, ``end``."""
        return b"\x00" + self.opening_code * depth + CONST_7 + self.closing_code * depth + END


NESTINGS = (
    Nesting("folded", "block", "(block (result i32) ", ")", b"\x02\x7f", END),
    Nesting("folded", "loop", "(loop (result i32) ", ")", b"\x03\x7f", END),
    Nesting("folded", "if", "(if (result i32) (i32.const 1) (then ", ") (else (i32.const 0)))", IF_OPENING, IF_CLOSING),
    Nesting("plain", "block", "block (result i32) ", "end ", b"\x02\x7f", END),
    Nesting("plain", "loop", "loop (result i32) ", "end ", b"\x03\x7f", END),
    Nesting("plain", "if", "i32.const 1 if (result i32) ", "else i32.const 0 end ", IF_OPENING, IF_CLOSING),
)
FOLDED = [nesting for nesting in NESTINGS if nesting.style == "folded"]
PLAIN = [nesting for nesting in NESTINGS if nesting.style == "plain"]


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("nesting", FOLDED, ids=str)
def test_deeply_nested_folded_blocks_do_not_exhaust_python_recursion(nesting: Nesting, depth: int) -> None:
    assert parse_module(nesting.module(depth)).endswith(nesting.body(depth))


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("nesting", PLAIN, ids=str)
def test_deeply_nested_plain_blocks_do_not_exhaust_python_recursion(nesting: Nesting, depth: int) -> None:
    assert parse_module(nesting.module(depth)).endswith(nesting.body(depth))


@pytest.mark.parametrize("depth", DEPTHS)
def test_folded_ifs_nested_in_their_conditions_do_not_exhaust_python_recursion(depth: int) -> None:
    # Each if is the condition of the one around it: the innermost condition comes first.
    text = "(if (result i32) " * depth + "(i32.const 1)" + " (then (i32.const 7)) (else (i32.const 0)))" * depth
    level = b"\x04\x7f" + CONST_7 + b"\x05\x41\x00" + END
    binary = parse_module(f"(module (func (result i32) {text}))")
    assert binary.endswith(b"\x00\x41\x01" + level * depth + END)


@pytest.mark.parametrize("depth", DEPTHS)
def test_deeply_nested_folded_operands_do_not_exhaust_python_recursion(depth: int) -> None:
    # The operands come first, then the instruction: i32.const 0 ... i32.const 7, then the adds.
    text = "(i32.add (i32.const 0) " * depth + "(i32.const 7)" + ")" * depth
    binary = parse_module(f"(module (func (result i32) {text}))")
    assert binary.endswith(b"\x00" + b"\x41\x00" * depth + CONST_7 + b"\x6a" * depth + END)


# Constant expressions (their validity is the validator's business): a global's
# instructions, a data segment's offset written as one folded instruction, an
# element segment's folded item.
CONSTANT_EXPRESSIONS = {
    "global": "(module (global i32 {}))",
    "data offset": '(module (memory 1) (data {} "x"))',
    "elem item": "(module (table 1 funcref) (elem (i32.const 0) funcref {}))",
}


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("field", CONSTANT_EXPRESSIONS.values(), ids=CONSTANT_EXPRESSIONS.keys())
def test_deeply_nested_constant_expressions_do_not_exhaust_python_recursion(field: str, depth: int) -> None:
    text = "(i32.add (i32.const 0) " * depth + "(i32.const 7)" + ")" * depth
    assert b"\x41\x00" * depth + CONST_7 + b"\x6a" * depth + END in parse_module(field.format(text))


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("style", ["folded", "plain"])
def test_labels_of_deeply_nested_blocks_resolve_across_every_level(style: str, depth: int) -> None:
    # br $l0 in the innermost block leaves them all: its label index is depth - 1.
    if style == "folded":
        text = "".join(f"(block $l{level} " for level in range(depth)) + "(br $l0)" + ")" * depth
    else:
        text = "".join(f"block $l{level} " for level in range(depth)) + "br $l0 "
        text += "".join(f"end $l{level} " for level in reversed(range(depth)))
    binary = parse_module(f"(module (func {text}))")
    assert binary.endswith(b"\x02\x40" * depth + b"\x0c" + u32(depth - 1) + END * depth + END)


def _plain(depth: int, innermost: str) -> str:
    return "(module (func\n" + "block $b\n" * depth + innermost + "\n" + "end $b\n" * depth + "))"


def _folded(depth: int, innermost: str) -> str:
    return "(module (func\n" + "(block $b\n" * depth + innermost + "\n" + ")\n" * depth + "))"


def _unclosed(depth: int) -> str:
    """Folded blocks with one ``)`` missing: the text ends inside the function."""
    return "(module (func\n" + "(block\n" * depth + "nop\n" + ")\n" * (depth - 1) + ")"


# Malformed text with the error deep inside: (module text, message, line, column).
DEEP_ERRORS = {
    "stray token, plain": (_plain(10_000, "nop $x"), "unexpected token", 10_002, 5),
    "stray token, folded": (_folded(10_000, "(nop $x)"), "unexpected token", 10_002, 6),
    "unknown label": (_plain(10_000, "br $x"), "unknown label $x", 10_002, 4),
    "unknown operator": (_folded(10_000, "(i32.frob)"), "unknown operator i32.frob", 10_002, 2),
    "mismatching label": (_plain(10_000, "block $c nop end $b"), "mismatching label", 10_002, 18),
    "end in folded block": (_folded(10_000, "end"), "unexpected token", 10_002, 1),
    "else in plain block": (_plain(10_000, "else"), "unexpected token", 10_002, 1),
    "operand not folded": (_folded(10_000, "(i32.eqz i32.const 0)"), "unexpected token", 10_002, 10),
    "condition not folded": (_folded(10_000, "(if i32.const 0 (then))"), "unexpected token", 10_002, 5),
    "unclosed": (_unclosed(10_000), "unexpected token", 20_002, 2),
}


@pytest.mark.parametrize(("text", "message", "line", "column"), DEEP_ERRORS.values(), ids=DEEP_ERRORS.keys())
def test_errors_deep_inside_nested_blocks_are_reported_where_they_are(
    text: str, message: str, line: int, column: int
) -> None:
    with pytest.raises(TextSyntaxError) as caught:
        parse_module(text)
    assert (caught.value.message, caught.value.line, caught.value.column) == (message, line, column)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("nesting", NESTINGS, ids=str)
def test_deeply_nested_blocks_validate_and_run_in_every_engine(nesting: Nesting, engine: Engine) -> None:
    module = Module.from_bytes(parse_module(nesting.module(2_000)))
    instance = Linker(Store(Interpreter(engine=engine))).instantiate(module)
    assert instance.exports["f"]() == 7


def test_deeply_nested_modules_in_scripts_do_not_exhaust_python_recursion() -> None:
    folded, plain = NESTINGS[0], NESTINGS[3]
    # A quoted module is parsed when its command runs: the malformed one fails at its last token.
    quoted = '"' + plain.instructions(2_000) + ' end"'
    script = f"""
        {folded.module(2_000)}
        (assert_return (invoke "f") (i32.const 7))
        (module quote "(func (export \\"g\\") (result i32)" "{plain.instructions(2_000)}" ")")
        (assert_return (invoke "g") (i32.const 7))
        (assert_malformed (module quote "(func (result i32)" {quoted} ")") "unexpected token")
    """
    assert len(parse_script(script)) == 5
    report = ScriptRunner(engine_factory=ScriptEngine).run_text(script, "deep.wast")
    assert (report.passed, report.failed, report.skipped) == (5, 0, 0)
