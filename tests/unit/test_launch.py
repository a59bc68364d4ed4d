"""Running a module as a program (wasmrun/launch.py): what is called, with what, and how failures come out."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from wasmrun.engine.interpreter import Interpreter
from wasmrun.engine.options import EngineOptions
from wasmrun.errors import TRAP_UNREACHABLE, LinkError, ProcExit
from wasmrun.launch import (
    CALL,
    INITIALIZE,
    INSTANTIATE,
    ArgumentError,
    ExecutionError,
    MissingExport,
    Outcome,
    Resources,
    RunConfig,
    parse_arguments,
    prepared_host,
    run_module,
)
from wasmrun.loader import load_module
from wasmrun.types import FuncType, ValType


def run(text: str, *argv: str, invoke: str | None = None, stdout: int | None = None) -> Outcome:
    return run_module(load_module(text.encode()), RunConfig(argv=("m.wat", *argv), invoke=invoke, stdout=stdout))


@pytest.mark.parametrize(
    ("exports", "expected"),
    [
        ('(func (export "") (result i32) (i32.const 1)) (func (export "_start") (result i32) (i32.const 2))', (1,)),
        ('(func (export "_start") (result i32) (i32.const 2))', (2,)),
        ('(func (export "other") (result i32) (i32.const 3))', ()),
        ('(global (export "_start") i32 (i32.const 4))', ()),
    ],
    ids=["empty-name-first", "_start", "none", "_start-not-a-function"],
)
def test_the_default_export(exports: str, expected: tuple[int, ...]) -> None:
    assert run(f"(module {exports})").values == expected


def test_invoke_calls_the_named_export_with_parsed_arguments() -> None:
    outcome = run(
        '(module (func (export "sub") (param i64 f32) (result f32 i64) (local.get 1) (local.get 0)))',
        "-1",
        "2.5",
        invoke="sub",
    )
    assert outcome == Outcome("sub", (ValType.F32, ValType.I64), (2.5, (1 << 64) - 1))
    assert outcome.lines() == ["2.5", "-1"]


def test_invoke_of_a_missing_export() -> None:
    with pytest.raises(MissingExport, match="no func export named `nope` found"):
        run("(module)", invoke="nope")


def test_initialize_runs_before_the_call() -> None:
    text = """(module (global $g (mut i32) (i32.const 0))
        (func (export "_initialize") (global.set $g (i32.const 7)))
        (func (export "get") (result i32) (global.get $g)))"""
    assert run(text, invoke="get").values == (7,)


@pytest.mark.parametrize(
    ("text", "invoke", "stage", "export"),
    [
        ("(module (func $f unreachable) (start $f))", None, INSTANTIATE, None),
        ('(module (func (export "_initialize") unreachable))', None, INITIALIZE, "_initialize"),
        ('(module (func (export "_start") unreachable))', None, CALL, None),
        ('(module (func (export "f") unreachable))', "f", CALL, "f"),
    ],
)
def test_a_trap_says_where(text: str, invoke: str | None, stage: str, export: str | None) -> None:
    with pytest.raises(ExecutionError) as caught:
        run(text, invoke=invoke)
    assert (caught.value.stage, caught.value.export, caught.value.error.message) == (stage, export, TRAP_UNREACHABLE)
    assert caught.value.error.frames  # the backtrace's frames came along


WASI_WRITE = '(import "{name}" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))'


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read_end, write_end = os.pipe()
    yield read_end, write_end
    os.close(read_end)
    os.close(write_end)


@pytest.mark.parametrize("name", ["wasi_snapshot_preview1", "wasi_unstable"])
def test_wasi_output_goes_to_the_configured_fd(name: str, pipe: tuple[int, int]) -> None:
    text = f"""(module {WASI_WRITE.format(name=name)} (memory (export "memory") 1) (data (i32.const 16) "hi")
        (func (export "_start") (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 2))
            (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"""
    run(text, stdout=pipe[1])
    assert os.read(pipe[0], 10) == b"hi"


def test_proc_exit_goes_through() -> None:
    text = """(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1) (func (export "_start") (call $exit (i32.const 9))))"""
    with pytest.raises(ProcExit) as caught:
        run(text)
    assert caught.value.code == 9


def test_an_import_nobody_provides_is_a_link_error() -> None:
    with pytest.raises(LinkError, match="unknown import: `env::f` has not been defined"):
        run('(module (import "env" "f" (func)))')


I32_I32 = FuncType((ValType.I32, ValType.I32), ())


@pytest.mark.parametrize(
    ("texts", "name", "strict", "message"),
    [
        (["1"], "f", True, "not enough arguments for `f`: it takes 2 arguments, got 1"),
        ([], None, False, "not enough arguments for command default: it takes 2 arguments, got 0"),
        (["1", "2", "3"], "f", True, "too many arguments for `f`: it takes 2 arguments, got 3"),
        (["1", "x"], "f", True, "argument 2 of `f`: invalid i32 value 'x'"),
    ],
)
def test_parse_arguments_errors(texts: list[str], name: str | None, strict: bool, message: str) -> None:
    with pytest.raises(ArgumentError, match=message.replace("(", r"\(")):
        parse_arguments(I32_I32, texts, name, strict=strict)


def test_parse_arguments_for_the_default_export_ignores_extra_guest_arguments() -> None:
    assert parse_arguments(I32_I32, ["-1", "2", "guest-arg"], None, strict=False) == (0xFFFFFFFF, 2)


def test_the_interpreter_is_made_from_the_engine_options_as_they_are() -> None:
    options = EngineOptions(engine="interp", max_stack_depth=123, fuel=10, stats=True)
    with prepared_host(load_module(b"(module)"), RunConfig(engine_options=options)) as host:
        assert host.linker.store.executor is host.interpreter
        assert isinstance(host.interpreter, Interpreter) and host.interpreter.options is options
        assert (host.interpreter.engine, host.interpreter.max_stack_depth) == ("interp", 123)
        assert host.interpreter.fuel_meter is not None and host.interpreter.fuel_meter.budget == 10


def test_the_resources_hold_the_interpreters_meters() -> None:
    resources = Resources()
    module = load_module(b'(module (func (export "f") (result i32) (i32.const 7)))')
    config = RunConfig(argv=("m",), invoke="f", engine_options=EngineOptions(fuel=100, stats=True))
    assert run_module(module, config, resources).values == (7,)
    assert resources.fuel_meter is not None and resources.fuel_meter.consumed == 2  # the call, and i32.const
    assert resources.counters is not None and resources.counters.calls == 1


def test_without_fuel_or_stats_there_are_no_meters() -> None:
    resources = Resources()
    module = load_module(b'(module (func (export "f")))')
    run_module(module, RunConfig(invoke="f"), resources)
    assert (resources.fuel_meter, resources.counters) == (None, None)
