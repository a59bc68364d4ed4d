"""The engine's one record of settings (wasmrun/engine/options.py) and how the interpreter takes it."""

from __future__ import annotations

import pytest

from wasmrun.codegen import compiled
from wasmrun.engine.interpreter import Interpreter
from wasmrun.engine.options import DEFAULT_MAX_STACK_DEPTH, EngineOptions
from wasmrun.interp import machine
from wasmrun.loader import load_module
from wasmrun.runtime.functions import WasmFunction
from wasmrun.runtime.linker import Linker
from wasmrun.runtime.store import Store


def test_the_default_depth_is_the_interpreters() -> None:
    assert DEFAULT_MAX_STACK_DEPTH == machine.DEFAULT_MAX_STACK_DEPTH
    assert Interpreter().max_stack_depth == DEFAULT_MAX_STACK_DEPTH


def test_the_interpreter_takes_the_record_or_its_fields_as_keywords() -> None:
    options = EngineOptions(engine="compile", fuel=100, max_stack_depth=77)
    assert Interpreter(options).options is options
    assert Interpreter(options=options).options is options
    assert Interpreter(engine="compile", fuel=100, max_stack_depth=77).options == options
    assert Interpreter(options, fuel=5).options == options._replace(fuel=5)  # keywords replace fields
    interpreter = Interpreter(options)
    assert (interpreter.engine, interpreter.max_stack_depth) == ("compile", 77)
    assert interpreter.fuel_meter is not None and interpreter.fuel_meter.fuel == 100
    assert interpreter.counters is None


def test_an_unknown_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'fule'"):
        Interpreter(fule=10)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"engine": "jit"}, "engine must be one of"),
        ({"max_stack_depth": 0}, "max_stack_depth must be at least 1"),
        ({"compile_threshold": -1}, "compile_threshold must not be negative"),
        ({"fuel": -1}, "fuel budget cannot be negative"),
    ],
)
def test_values_the_engine_cannot_take(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Interpreter(**settings)
    with pytest.raises(ValueError, match=message):
        EngineOptions()._replace(**settings).checked()


FUEL_MODULE = '(module (func (export "f") (result i32) (loop (br 0)) (i32.const 1)))'


def test_compiled_code_is_given_the_meter_itself() -> None:
    """The namespace binds FUEL (and its methods, STATS) to the interpreter's meters: no path to look up."""
    interpreter = Interpreter(engine="compile", fuel=50, stats=True)
    instance = Linker(Store(interpreter)).instantiate(load_module(FUEL_MODULE.encode()))
    function = instance.functions[0]
    assert isinstance(function, WasmFunction)
    interpreter.compile(function)
    names = instance.namespace
    assert names is not None and interpreter.fuel_meter is not None
    assert names["FUEL"] is interpreter.fuel_meter and names["STATS"] is interpreter.counters
    assert names["FUEL_OUT"] == interpreter.fuel_meter.exhausted and names["FUEL_USE"] == interpreter.fuel_meter.use
    assert interpreter.code_options == compiled.CodeOptions(fuel=interpreter.fuel_meter, stats=interpreter.counters)


def test_without_meters_the_namespace_has_none() -> None:
    interpreter = Interpreter(engine="compile")
    instance = Linker(Store(interpreter)).instantiate(load_module(FUEL_MODULE.encode()))
    function = instance.functions[0]
    assert isinstance(function, WasmFunction)
    interpreter.compile(function)
    assert instance.namespace is not None
    assert not {"FUEL", "FUEL_OUT", "FUEL_USE", "STATS"} & set(instance.namespace)
    assert interpreter.code_options == compiled.NO_OPTIONS
