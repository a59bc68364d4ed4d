"""The spec-script runner (wasmrun/wast.py): counting, the malformed/invalid rules, comparing results.

Commands are built directly (binary modules, so only the decoder and the
validator are involved) or parsed from tiny inline scripts; execution goes
through a fake engine that replays canned answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from wasmrun import wast
from wasmrun.errors import LinkError, Trap, UnsupportedInstruction
from wasmrun.module import Module
from wasmrun.text.script import (
    ActionCommand,
    AssertExhaustion,
    AssertInvalid,
    AssertMalformed,
    AssertReturn,
    AssertTrap,
    AssertUnlinkable,
    Command,
    Expected,
    Get,
    Invoke,
    ModuleCommand,
    ModuleSource,
    NanPattern,
    RefPattern,
    Register,
    V128Pattern,
    Value,
)
from wasmrun.types import ValType
from wasmrun.wast import ScriptRunner, is_nan_of_kind, matches

HEADER = b"\0asm\x01\0\0\0"
EMPTY = HEADER
BAD_VERSION = b"\0asm\x02\0\0\0"
# () -> i32 with an empty body: invalid, "type mismatch".
INVALID = HEADER + bytes.fromhex("010501600001 7f 03020100 0a040102000b".replace(" ", ""))
# () -> () whose body holds the illegal opcode 0xff: found only when validation decodes the body.
ILLEGAL_OPCODE_IN_BODY = HEADER + bytes.fromhex("010401600000 03020100 0a05010300ff0b".replace(" ", ""))


def binary(data: bytes, name: str | None = None, line: int = 1) -> ModuleSource:
    return ModuleSource("binary", name, line, binary=data)


def run(*commands: Command, engine: object | None = None) -> wast.ScriptReport:
    factory = None if engine is None else (lambda: engine)
    return ScriptRunner(factory).run_commands(commands, "test.wast")  # type: ignore[arg-type]


def outcome(command: Command, engine: object | None = None) -> str:
    report = run(command, engine=engine)
    ((counts,),) = [tuple(report.counts.values())]
    return "passed" if counts.passed else "failed" if counts.failed else "skipped"


# --- module checks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (ModuleCommand(1, binary(EMPTY)), "passed"),
        (ModuleCommand(1, binary(BAD_VERSION)), "failed"),
        (ModuleCommand(1, binary(INVALID)), "failed"),
        (AssertMalformed(1, binary(BAD_VERSION), "unknown binary version"), "passed"),
        (AssertMalformed(1, binary(BAD_VERSION), "unknown binary ver"), "passed"),  # contained is enough
        (AssertMalformed(1, binary(BAD_VERSION), "magic header not detected"), "failed"),  # another text
        (AssertMalformed(1, binary(EMPTY), "unexpected end"), "failed"),  # a valid module
        (AssertMalformed(1, binary(INVALID), "type mismatch"), "failed"),  # invalid, not malformed
        (AssertMalformed(1, binary(ILLEGAL_OPCODE_IN_BODY), "illegal opcode"), "passed"),
        (AssertInvalid(1, binary(INVALID), "type mismatch"), "passed"),
        (AssertInvalid(1, binary(INVALID), "unknown local"), "failed"),  # another text
        (AssertInvalid(1, binary(EMPTY), "type mismatch"), "failed"),  # a valid module
        (AssertInvalid(1, binary(BAD_VERSION), "unknown binary version"), "failed"),  # malformed, not invalid
        (AssertInvalid(1, binary(ILLEGAL_OPCODE_IN_BODY), "illegal opcode"), "failed"),
    ],
    ids=lambda value: repr(value)[:60] if isinstance(value, str) else None,
)
def test_module_check(command: Command, expected: str) -> None:
    assert outcome(command) == expected


def test_failure_line_says_what_was_expected_and_got() -> None:
    report = run(AssertInvalid(7, binary(EMPTY), "type mismatch"))
    assert [str(failure) for failure in report.failures] == [
        'test.wast:7: assert_invalid: expected invalid "type mismatch", got a valid module'
    ]


def test_failure_names_the_error_it_got() -> None:
    report = run(AssertMalformed(3, binary(INVALID), "type mismatch"))
    (failure,) = report.failures
    assert failure.got.startswith('invalid "type mismatch')


# --- skipping without an engine -----------------------------------------------------------------

INVOKE = Invoke(1, None, "f", ())
EXECUTION_COMMANDS: list[Command] = [
    Register(1, "M", None),
    ActionCommand(1, INVOKE),
    ActionCommand(1, Get(1, None, "g")),
    AssertReturn(1, INVOKE, ()),
    AssertTrap(1, INVOKE, "unreachable"),
    AssertTrap(1, binary(EMPTY), "unreachable"),
    AssertExhaustion(1, INVOKE, "call stack exhausted"),
    AssertUnlinkable(1, binary(EMPTY), "unknown import"),
]


@pytest.mark.parametrize("command", EXECUTION_COMMANDS, ids=lambda command: type(command).__name__)
def test_execution_is_skipped_without_an_engine(command: Command) -> None:
    assert outcome(command) == "skipped"


def test_every_command_counts_once_under_its_kind() -> None:
    report = run(ModuleCommand(1, binary(EMPTY)), *EXECUTION_COMMANDS, AssertInvalid(1, binary(INVALID), "type"))
    assert report.to_json() == {
        "module": {"passed": 1, "failed": 0, "skipped": 0},
        "register": {"passed": 0, "failed": 0, "skipped": 1},
        "invoke": {"passed": 0, "failed": 0, "skipped": 1},
        "get": {"passed": 0, "failed": 0, "skipped": 1},
        "assert_return": {"passed": 0, "failed": 0, "skipped": 1},
        "assert_trap": {"passed": 0, "failed": 0, "skipped": 2},
        "assert_exhaustion": {"passed": 0, "failed": 0, "skipped": 1},
        "assert_unlinkable": {"passed": 0, "failed": 0, "skipped": 1},
        "assert_invalid": {"passed": 1, "failed": 0, "skipped": 0},
    }
    assert (report.passed, report.failed, report.skipped) == (2, 0, 8)


def test_an_unexpected_exception_fails_that_command_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes, *features: object) -> Module:
        raise IndexError("decoder bug")

    monkeypatch.setattr(wast, "_decode", broken)
    report = run(AssertMalformed(2, binary(BAD_VERSION), "unknown binary version"), ActionCommand(3, INVOKE))
    (failure,) = report.failures
    assert (failure.line, failure.got) == (2, "internal error IndexError: decoder bug")
    assert failure.detail is not None and "Traceback" in failure.detail
    assert report.counts["invoke"].skipped == 1


# --- scripts from files and text ----------------------------------------------------------------


def test_missing_script_is_one_script_failure(tmp_path: Path) -> None:
    report = ScriptRunner().run_file(tmp_path / "missing.wast", "missing.wast")
    assert report.to_json() == {"script": {"passed": 0, "failed": 1, "skipped": 0}}
    assert str(report.failures[0]).startswith("missing.wast: script: expected a readable UTF-8 file, got ")


def test_unparsable_script_is_one_script_failure() -> None:
    report = ScriptRunner().run_text('(module)\n(assert_invalid (module) "x"\n', "bad.wast")
    assert report.to_json() == {"script": {"passed": 0, "failed": 1, "skipped": 0}}


def test_inline_script() -> None:
    script = """
    (module (func (export "f") (result i32) (i32.const 1)))
    (assert_return (invoke "f") (i32.const 1))
    (assert_malformed (module quote "(func (i32.const 0x100000000) drop)") "constant out of range")
    (assert_malformed (module binary "\\00asm\\02\\00\\00\\00") "unknown binary version")
    (assert_invalid (module (func (result i32))) "type mismatch")
    """
    report = ScriptRunner().run_text(script, "inline.wast")
    assert report.failures == []
    assert report.to_json() == {
        "module": {"passed": 1, "failed": 0, "skipped": 0},
        "assert_return": {"passed": 0, "failed": 0, "skipped": 1},
        "assert_malformed": {"passed": 2, "failed": 0, "skipped": 0},
        "assert_invalid": {"passed": 1, "failed": 0, "skipped": 0},
    }


def test_inline_script_failure_has_its_line() -> None:
    report = ScriptRunner().run_text('(module)\n\n(assert_invalid (module) "type mismatch")\n', "inline.wast")
    assert [(failure.line, failure.kind) for failure in report.failures] == [(3, "assert_invalid")]


# --- execution through an engine ------------------------------------------------------------------


class FakeEngine:
    """Instances are strings; answers are canned per (instance, export)."""

    def __init__(self, answers: dict[tuple[str, str], Sequence[Value] | Exception] | None = None) -> None:
        self.answers = answers or {}
        self.registered: dict[str, object] = {}
        self.count = 0
        self.unlinkable = False
        self.closed = False

    def instantiate(self, module: Module) -> object:
        if self.unlinkable:
            raise LinkError("unknown import: `spectest::nothing` has not been defined")
        self.count += 1
        return f"instance{self.count}"

    def register(self, name: str, instance: object) -> None:
        self.registered[name] = instance

    def invoke(self, instance: object, name: str, args: Sequence[Value]) -> Sequence[Value]:
        answer = self.answers[str(instance), name]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def get(self, instance: object, name: str) -> Value:
        (value,) = self.invoke(instance, name, ())
        return value

    def close(self) -> None:
        self.closed = True


def i32(bits: int) -> Value:
    return Value(ValType.I32, bits)


def test_assert_return_compares_results() -> None:
    engine = FakeEngine({("instance1", "f"): [i32(1)]})
    module = ModuleCommand(1, binary(EMPTY))
    report = run(
        module,
        AssertReturn(2, Invoke(2, None, "f", ()), (i32(1),)),
        AssertReturn(3, Invoke(3, None, "f", ()), (i32(2),)),
        AssertReturn(4, Invoke(4, None, "f", ()), ()),
        engine=engine,
    )
    assert report.counts["assert_return"].passed == 1
    assert [(failure.line, failure.expected, failure.got) for failure in report.failures] == [
        (3, "(i32:0x00000002)", "(i32:0x00000001)"),
        (4, "()", "(i32:0x00000001)"),
    ]


def test_named_modules_register_and_get() -> None:
    engine = FakeEngine({("instance1", "g"): [i32(5)], ("instance2", "g"): [i32(6)]})
    report = run(
        ModuleCommand(1, binary(EMPTY, "$A")),
        ModuleCommand(2, binary(EMPTY)),
        Register(3, "a", "$A"),
        AssertReturn(4, Get(4, "$A", "g"), (i32(5),)),
        AssertReturn(5, Get(5, None, "g"), (i32(6),)),
        ActionCommand(6, Get(6, "$missing", "g")),
        engine=engine,
    )
    assert engine.registered == {"a": "instance1"}
    assert [str(failure) for failure in report.failures] == [
        "test.wast:6: get: expected a defined module, got unknown module $missing"
    ]


@pytest.mark.parametrize(
    ("answer", "message", "expected"),
    [
        (Trap("wasm `unreachable` instruction executed"), "unreachable", "passed"),
        (Trap("integer divide by zero"), "integer overflow", "failed"),
        ([i32(0)], "unreachable", "failed"),
    ],
)
def test_assert_trap(answer: Sequence[Value] | Exception, message: str, expected: str) -> None:
    engine = FakeEngine({("instance1", "f"): answer})
    report = run(ModuleCommand(1, binary(EMPTY)), AssertTrap(2, INVOKE, message), engine=engine)
    counts = report.counts["assert_trap"]
    assert (counts.passed, counts.failed) == ((1, 0) if expected == "passed" else (0, 1))


def test_assert_exhaustion() -> None:
    engine = FakeEngine({("instance1", "f"): Trap("call stack exhausted")})
    report = run(ModuleCommand(1, binary(EMPTY)), AssertExhaustion(2, INVOKE, "call stack exhausted"), engine=engine)
    assert report.failures == []


def test_assert_unlinkable() -> None:
    engine = FakeEngine()
    engine.unlinkable = True
    assert outcome(AssertUnlinkable(1, binary(EMPTY), "unknown import"), engine) == "passed"
    assert outcome(AssertUnlinkable(1, binary(EMPTY), "incompatible import type"), engine) == "failed"


def test_assert_unlinkable_fails_when_it_links() -> None:
    assert outcome(AssertUnlinkable(1, binary(EMPTY), "unknown import"), FakeEngine()) == "failed"


def test_action_without_module_fails() -> None:
    assert outcome(ActionCommand(1, INVOKE), FakeEngine()) == "failed"


def test_each_script_gets_a_fresh_engine() -> None:
    engines: list[FakeEngine] = []

    def factory() -> FakeEngine:
        engines.append(FakeEngine())
        return engines[-1]

    runner = ScriptRunner(factory)
    runner.run_commands([ModuleCommand(1, binary(EMPTY))], "a.wast")
    report = runner.run_commands([ActionCommand(1, INVOKE)], "b.wast")
    assert len(engines) == 2
    assert report.failed == 1  # no module carried over from a.wast
    assert all(engine.closed for engine in engines)


# --- code the engine does not execute -------------------------------------------------------------

REFUSED = UnsupportedInstruction("unsupported instruction: v128.const")


class RefusingEngine(FakeEngine):
    """Refuses to instantiate modules (as an engine lacking an instruction of a start function would)."""

    def instantiate(self, module: Module) -> object:
        raise REFUSED


@pytest.mark.parametrize(
    "command",
    [
        ActionCommand(2, INVOKE),
        AssertReturn(2, INVOKE, (Value(ValType.I32, 1),)),
        AssertTrap(2, INVOKE, "unreachable"),
        AssertExhaustion(2, INVOKE, "call stack exhausted"),
    ],
    ids=lambda command: type(command).__name__,
)
def test_an_action_the_engine_refuses_is_skipped(command: Command) -> None:
    engine = FakeEngine({("instance1", "f"): REFUSED})
    report = run(ModuleCommand(1, binary(EMPTY)), command, engine=engine)
    assert report.failures == []
    assert (report.passed, report.failed, report.skipped) == (1, 0, 1)


@pytest.mark.parametrize(
    "command",
    [ModuleCommand(1, binary(EMPTY)), AssertTrap(1, binary(EMPTY), "unreachable")],
    ids=lambda command: type(command).__name__,
)
def test_an_instantiation_the_engine_refuses_is_skipped(command: Command) -> None:
    assert outcome(command, RefusingEngine()) == "skipped"


def test_commands_on_a_module_the_engine_refused_are_skipped() -> None:
    report = run(ModuleCommand(1, binary(EMPTY)), ActionCommand(2, INVOKE), engine=RefusingEngine())
    assert (report.passed, report.failed, report.skipped) == (0, 0, 2)


# --- comparing values -----------------------------------------------------------------------------

F32_CANONICAL = 0x7FC00000
F64_CANONICAL = 0x7FF8000000000000


@pytest.mark.parametrize(
    ("bits", "width", "kind", "expected"),
    [
        (F32_CANONICAL, 32, "canonical", True),
        (F32_CANONICAL | 1 << 31, 32, "canonical", True),  # either sign
        (F32_CANONICAL | 1, 32, "canonical", False),
        (F32_CANONICAL | 1, 32, "arithmetic", True),
        (0x7F800001, 32, "arithmetic", False),  # signalling
        (0x7F800000, 32, "arithmetic", False),  # infinity
        (F64_CANONICAL, 64, "canonical", True),
        (F64_CANONICAL | 1 << 63, 64, "canonical", True),
        (F64_CANONICAL | 5, 64, "canonical", False),
        (F64_CANONICAL | 5, 64, "arithmetic", True),
        (0x7FF0000000000001, 64, "arithmetic", False),
        (0x3FF0000000000000, 64, "arithmetic", False),
    ],
)
def test_is_nan_of_kind(bits: int, width: int, kind: str, expected: bool) -> None:
    assert is_nan_of_kind(bits, width, kind) is expected  # type: ignore[arg-type]


def v128_lanes(width: int, lanes: Sequence[int]) -> int:
    return sum(lane << (index * width) for index, lane in enumerate(lanes))


@pytest.mark.parametrize(
    ("expected", "actual", "result"),
    [
        (i32(1), i32(1), True),
        (i32(1), i32(2), False),
        (i32(1), Value(ValType.I64, 1), False),
        (Value(ValType.F32, 0x80000000), Value(ValType.F32, 0), False),  # -0 is not +0
        (Value(ValType.F32, 0x7FC00001), Value(ValType.F32, 0x7FC00001), True),  # a concrete NaN: same bits
        (NanPattern(ValType.F32, "canonical"), Value(ValType.F32, F32_CANONICAL), True),
        (NanPattern(ValType.F32, "canonical"), Value(ValType.F64, F64_CANONICAL), False),
        (NanPattern(ValType.F64, "arithmetic"), Value(ValType.F64, F64_CANONICAL | 1), True),
        (Value(ValType.FUNCREF, None), Value(ValType.FUNCREF, None), True),
        (Value(ValType.FUNCREF, None), Value(ValType.EXTERNREF, None), False),
        (Value(ValType.EXTERNREF, 3), Value(ValType.EXTERNREF, 3), True),
        (Value(ValType.EXTERNREF, 3), Value(ValType.EXTERNREF, None), False),
        (RefPattern(ValType.FUNCREF), Value(ValType.FUNCREF, 12), True),
        (RefPattern(ValType.FUNCREF), Value(ValType.FUNCREF, None), False),
        (V128Pattern("i32x4", (1, 2, 3, 4)), Value(ValType.V128, v128_lanes(32, [1, 2, 3, 4])), True),
        (V128Pattern("i32x4", (1, 2, 3, 5)), Value(ValType.V128, v128_lanes(32, [1, 2, 3, 4])), False),
        (V128Pattern("i8x16", tuple(range(16))), Value(ValType.V128, v128_lanes(8, range(16))), True),
        (
            V128Pattern("f32x4", (NanPattern(ValType.F32, "canonical"), 0, 0, 0x3F800000)),
            Value(ValType.V128, v128_lanes(32, [F32_CANONICAL | 1 << 31, 0, 0, 0x3F800000])),
            True,
        ),
        (
            V128Pattern("f64x2", (NanPattern(ValType.F64, "canonical"), 0)),
            Value(ValType.V128, v128_lanes(64, [F64_CANONICAL | 1, 0])),
            False,
        ),
        (V128Pattern("i64x2", (1, 2)), Value(ValType.I64, 1), False),
    ],
)
def test_matches(expected: Expected, actual: Value, result: bool) -> None:
    assert matches(expected, actual) is result


def test_kinds_are_the_scripts_command_kinds() -> None:
    from wasmrun.text.script import COMMAND_KINDS

    assert set(wast.KINDS) == {*COMMAND_KINDS.values(), "invoke", "get"}


# --- 3.0 script forms ------------------------------------------------------------------------------


def test_a_failed_module_fails_the_commands_that_need_it() -> None:
    engine = FakeEngine({("instance1", "f"): [i32(1)]})
    report = run(
        ModuleCommand(1, binary(EMPTY)),
        ModuleCommand(2, binary(INVALID)),
        AssertReturn(3, INVOKE, (i32(1),)),
        ModuleCommand(4, binary(INVALID, "$M")),
        Register(5, "m", "$M"),
        engine=engine,
    )
    assert [(failure.line, failure.got.startswith('invalid "type mismatch')) for failure in report.failures] == [
        (2, True),
        (3, False),
        (4, True),
        (5, False),
    ]
    assert [failure.got for failure in report.failures][1::2] == [
        "the module of line 2 failed",
        "the module of line 4 failed",
    ]


def test_a_module_that_does_not_link_fails_the_commands_that_need_it() -> None:
    engine = FakeEngine({("instance1", "f"): [i32(1)]})
    engine.unlinkable = True
    report = run(ModuleCommand(1, binary(EMPTY)), AssertReturn(2, INVOKE, (i32(1),)), engine=engine)
    assert [(failure.line, failure.got) for failure in report.failures][1:] == [(2, "the module of line 1 failed")]


def test_module_definitions_and_instances() -> None:
    from wasmrun.text.script import ModuleDefinition, ModuleInstance

    engine = FakeEngine({("instance1", "f"): [i32(1)], ("instance2", "f"): [i32(2)]})
    report = run(
        ModuleDefinition(1, binary(EMPTY, "$D")),
        ModuleInstance(2, "$I1", "$D"),
        ModuleInstance(3, "$I2", "$D"),
        AssertReturn(4, Invoke(4, "$I1", "f", ()), (i32(1),)),
        AssertReturn(5, Invoke(5, None, "f", ()), (i32(2),)),
        ModuleDefinition(6, binary(INVALID, "$Bad")),
        ModuleInstance(7, "$I3", "$Bad"),
        AssertReturn(8, Invoke(8, "$I3", "f", ()), ()),
        ModuleInstance(9, None, "$Missing"),
        engine=engine,
    )
    assert report.counts["module_definition"].total == 2
    assert report.counts["module_instance"].passed == 2
    assert [failure.line for failure in report.failures] == [6, 7, 8, 9]


def test_either_matches_any_alternative() -> None:
    from wasmrun.text.script import Either

    either = Either((i32(1), i32(2)))
    assert matches(either, i32(2)) and not matches(either, i32(3))
    assert wast.format_expectation(either) == "either(i32:0x00000001 | i32:0x00000002)"
