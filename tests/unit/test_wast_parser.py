"""The WAST script parser: command shapes, values and patterns, lines, and lazy modules."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest
import testdata

from wasmrun.errors import TextSyntaxError
from wasmrun.text.script import (
    ActionCommand,
    AssertExhaustion,
    AssertInvalid,
    AssertMalformed,
    AssertReturn,
    AssertTrap,
    AssertUnlinkable,
    Get,
    Invoke,
    ModuleCommand,
    ModuleSource,
    NanPattern,
    RefPattern,
    Register,
    V128Pattern,
    Value,
    command_kind,
)
from wasmrun.text.wast import parse_script
from wasmrun.types import ValType

SCRIPT = """\
(module $M
  (func (export "f") (param i32) (result i32) (local.get 0)))
(register "m" $M)
(invoke "f" (i32.const -1))
(get $M "g")
(assert_return (invoke $M "f" (i32.const 7)) (i32.const 7))
(assert_trap (invoke "f" (i64.const 1)) "unreachable")
(assert_trap (module (func (unreachable)) (start 0)) "unreachable")
(assert_exhaustion (invoke "f") "call stack exhausted")
(assert_malformed (module quote "(func" ")") "unexpected token")
(assert_malformed (module binary "\\00asm") "unexpected end")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_unlinkable (module (import "m" "h" (func))) "unknown import")
(module binary "\\00asm\\01\\00\\00\\00")
(module $Q quote "(memory 1)")
"""


@pytest.fixture(scope="module")
def commands() -> list:
    return parse_script(SCRIPT)


def test_command_kinds_and_lines(commands: list) -> None:
    assert [(command_kind(c), c.line) for c in commands] == [
        ("module", 1),
        ("register", 3),
        ("invoke", 4),
        ("get", 5),
        ("assert_return", 6),
        ("assert_trap", 7),
        ("assert_trap", 8),
        ("assert_exhaustion", 9),
        ("assert_malformed", 10),
        ("assert_malformed", 11),
        ("assert_invalid", 12),
        ("assert_unlinkable", 13),
        ("module", 14),
        ("module", 15),
    ]


def test_text_module_keeps_its_source(commands: list) -> None:
    module = commands[0]
    assert isinstance(module, ModuleCommand)
    assert module.module == ModuleSource(
        "text",
        "$M",
        1,
        text='(module $M\n  (func (export "f") (param i32) (result i32) (local.get 0)))',
    )
    assert module.module.to_binary()[:4] == b"\0asm"


def test_register_and_actions(commands: list) -> None:
    assert commands[1] == Register(3, "m", "$M")
    assert commands[2] == ActionCommand(4, Invoke(4, None, "f", (Value(ValType.I32, 0xFFFFFFFF),)))
    assert commands[3] == ActionCommand(5, Get(5, "$M", "g"))
    assert commands[4] == AssertReturn(6, Invoke(6, "$M", "f", (Value(ValType.I32, 7),)), (Value(ValType.I32, 7),))


def test_assertions(commands: list) -> None:
    trap = commands[5]
    assert isinstance(trap, AssertTrap) and trap.message == "unreachable"
    assert trap.action == Invoke(7, None, "f", (Value(ValType.I64, 1),))
    module_trap = commands[6]
    assert isinstance(module_trap, AssertTrap) and isinstance(module_trap.action, ModuleSource)
    assert module_trap.action.line == 8
    assert commands[7] == AssertExhaustion(9, Invoke(9, None, "f", ()), "call stack exhausted")
    quoted = commands[8]
    assert isinstance(quoted, AssertMalformed)
    assert quoted.module == ModuleSource("quote", None, 10, text="(func)")
    binary = commands[9]
    assert isinstance(binary, AssertMalformed) and binary.module.binary == b"\0asm"
    assert isinstance(commands[10], AssertInvalid) and commands[10].message == "type mismatch"
    assert isinstance(commands[11], AssertUnlinkable) and commands[11].module.kind == "text"
    assert commands[12].module == ModuleSource("binary", None, 14, binary=b"\0asm\x01\0\0\0")
    assert commands[13].module == ModuleSource("quote", "$Q", 15, text="(memory 1)")


def test_malformed_modules_fail_only_when_encoded() -> None:
    commands = parse_script(
        '(module (func (i32.const 0x)))\n(assert_malformed (module quote "(func") "unexpected token")'
    )
    assert len(commands) == 2
    with pytest.raises(TextSyntaxError, match="unknown operator"):
        commands[0].module.to_binary()
    with pytest.raises(TextSyntaxError, match="unexpected token"):
        commands[1].module.to_binary()


def _results(text: str) -> tuple:
    (command,) = parse_script(f'(assert_return (invoke "f") {text})')
    assert isinstance(command, AssertReturn)
    return command.expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(i32.const -2147483648)", Value(ValType.I32, 0x80000000)),
        ("(i64.const 0xffff_ffff_ffff_ffff)", Value(ValType.I64, (1 << 64) - 1)),
        ("(f32.const -0x1p-149)", Value(ValType.F32, 0x80000001)),
        ("(f64.const nan:0x4)", Value(ValType.F64, 0x7FF0000000000004)),
        ("(f32.const nan:canonical)", NanPattern(ValType.F32, "canonical")),
        ("(f64.const nan:arithmetic)", NanPattern(ValType.F64, "arithmetic")),
        ("(v128.const i16x8 0 1 2 3 4 5 6 -1)", Value(ValType.V128, 0xFFFF_0006_0005_0004_0003_0002_0001_0000)),
        ("(v128.const f32x4 1 1 1 1)", Value(ValType.V128, 0x3F800000_3F800000_3F800000_3F800000)),
        (
            "(v128.const f32x4 nan:canonical 1 -0 nan:arithmetic)",
            V128Pattern(
                "f32x4",
                (NanPattern(ValType.F32, "canonical"), 0x3F800000, 0x80000000, NanPattern(ValType.F32, "arithmetic")),
            ),
        ),
        ("(ref.null func)", Value(ValType.FUNCREF, None)),
        ("(ref.null extern)", Value(ValType.EXTERNREF, None)),
        ("(ref.extern 3)", Value(ValType.EXTERNREF, 3)),
        ("(ref.func)", RefPattern(ValType.FUNCREF)),
        ("(ref.extern)", RefPattern(ValType.EXTERNREF)),
    ],
)
def test_expected_results(text: str, expected: object) -> None:
    assert _results(text) == (expected,)


def test_several_results_and_none() -> None:
    assert _results("") == ()
    assert _results("(i32.const 1) (i64.const 2)") == (Value(ValType.I32, 1), Value(ValType.I64, 2))


def test_arguments() -> None:
    (command,) = parse_script(
        '(invoke "f" (i32.const 1) (f32.const -inf) (v128.const i8x16 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1)'
        " (ref.null func) (ref.extern 0))"
    )
    assert isinstance(command, ActionCommand) and isinstance(command.action, Invoke)
    assert command.action.args == (
        Value(ValType.I32, 1),
        Value(ValType.F32, 0xFF800000),
        Value(ValType.V128, (1 << 120) | 0xFF),
        Value(ValType.FUNCREF, None),
        Value(ValType.EXTERNREF, 0),
    )


def test_a_script_of_module_fields_is_one_module() -> None:
    text = '(func) (memory 0) (func (export "f"))'
    (command,) = parse_script(text)
    assert command == ModuleCommand(1, ModuleSource("text", None, 1, text=text))
    assert command.module.to_binary()[:4] == b"\0asm"


def test_lines_count_comments_and_strings() -> None:
    text = ';; one\n(; two\nthree ;)\n(module quote "\\n")\n\n(invoke "a\\nb")\n'
    commands = parse_script(text)
    assert [c.line for c in commands] == [4, 6]
    assert commands[1].action.name == "a\nb"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('(module)\n(assert_return (invoke "f") (i32.const 1)', "unexpected token", 2),
        ("(module)\n(bogus)", "unknown operator bogus", 2),
        ('(module)\n(assert_return (invoke "f") (i32.const 0x))', "unknown operator", 2),
        ('\n\n(invoke "f" (i32.const 4294967296))', "constant out of range", 3),
        ('(assert_return (invoke "f") (v128.const f32x4 1 2))', "wrong number of lane literals", 1),
        ('(invoke "\\ff")', "malformed UTF-8 encoding", 1),
        ("(module) x", "unknown operator x", 1),
        ('(module quote "abc)', "unclosed string", 1),
        ('(register "m" 0)', "unexpected token", 1),
    ],
)
def test_malformed_scripts(text: str, message: str, line: int) -> None:
    with pytest.raises(TextSyntaxError) as caught:
        parse_script(text)
    assert caught.value.message.startswith(message)
    assert caught.value.line == line


# --- The spec suite ------------------------------------------------------------


def _spec_scripts() -> list[Path]:
    return testdata.files("spec/wasm-2.0", "*.wast")


@pytest.fixture(scope="module")
def expected_counts() -> dict[str, dict[str, int]]:
    return json.loads(testdata.require("spec/wasm-2.0-commands.json").read_text())


@pytest.mark.parametrize("script", _spec_scripts(), ids=lambda path: path.stem)
def test_spec_command_counts(script: Path, expected_counts: dict[str, dict[str, int]]) -> None:
    commands = parse_script(script.read_text(encoding="utf-8"))
    counts = collections.Counter(command_kind(command) for command in commands)
    assert dict(counts) == expected_counts[script.name]
    lines = [command.line for command in commands]
    assert lines == sorted(lines) and lines[0] >= 1


def test_3_0_forms() -> None:
    from wasmrun.text.script import Either, ModuleDefinition, ModuleInstance, NullPattern

    definition, instance, binary_module, assertion, nulls = parse_script(
        '(module definition $M (func))\n(module instance $I $M)\n(module $B binary "\\00asm" "\\01\\00\\00\\00")\n'
        '(assert_return (invoke "f") (either (i32.const 1) (v128.const f32x4 nan:canonical 0 0 0)))\n'
        '(assert_return (invoke "g") (ref.null))'
    )
    assert isinstance(definition, ModuleDefinition) and definition.module.name == "$M"
    assert "definition" not in (definition.module.text or "")
    assert definition.module.to_binary()[:4] == b"\0asm"
    assert instance == ModuleInstance(2, "$I", "$M")
    assert binary_module.module.name == "$B" and binary_module.module.binary == b"\0asm\x01\0\0\0"
    (either,) = assertion.expected
    assert isinstance(either, Either) and len(either.alternatives) == 2
    assert nulls.expected == (NullPattern(),)
