"""The embedding API for components (``wasmrun.Component``, ``ComponentLinker``, ``WasiConfig`` ...).

The hand-written components of components/programs are called with Python values, a component
written here imports host functions and a host resource defined in Python, and WASI 0.2 commands
run with their stdio captured; bad values and missing imports give the documented errors.
"""

from __future__ import annotations

import io
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import testdata
from component_programs import PROGRAMS

import wasmrun
from wasmrun import (
    Component,
    ComponentFunc,
    ComponentInstance,
    ComponentLinker,
    Err,
    LinkError,
    Ok,
    ProcExit,
    ResourceAny,
    ResourceType,
    Some,
    Store,
    Trap,
    Variant,
    WasiConfig,
)
from wasmrun.errors import DecodeError, TextSyntaxError, ValidationError


@pytest.fixture
def store() -> Iterator[Store]:
    with Store() as store:
        yield store


def program(name: str) -> Component:
    return Component.from_file(testdata.require(f"{PROGRAMS}/wasm/{name}.component.wasm"))


def exports(store: Store, component: Component, linker: ComponentLinker | None = None) -> Any:
    """A function calling the export of the given name with the given values."""
    instance = (linker or ComponentLinker()).instantiate(store, component)

    def call(name: str, *values: Any) -> Any:
        function = instance.get_func(store, name)
        assert function is not None, name
        return function(store, *values)

    return call


# -- the hand-written components -------------------------------------------------------------------


def test_types_every_export(store: Store) -> None:
    call = exports(store, program("types"))
    assert call("swap", {"x": 1, "y": -2}) == {"x": -2, "y": 1}
    assert call("area", Variant("circle", 2)) == 12
    assert call("area", Variant("rect", {"x": 3, "y": 4})) == 12
    assert call("area", Variant("none", None)) == 0
    assert call("make-shape", 0) == Variant("none", None)
    assert call("make-shape", 3) == Variant("circle", 3)
    assert call("make-shape", 4) == Variant("rect", {"x": 4, "y": -4})
    assert call("double-opt", 21) == 42
    assert call("double-opt", Some(21)) == 42
    assert call("double-opt", None) is None
    assert call("checked-div", 7, 2) == Ok(3)
    assert call("checked-div", 7, 0) == Err("division by zero")
    assert call("toggle-write", frozenset({"read"})) == frozenset({"read", "write"})
    assert call("toggle-write", ["write"]) == frozenset()
    assert call("next-color", "blue") == "red"
    assert call("divmod", 17, 5) == (3, 2)
    assert call("is-even", 2**64 - 2) is True
    assert call("neg", -128) == -128
    assert call("half", 3) == 1.5
    assert math.isnan(call("half", math.nan))
    assert call("next-char", "a") == "b"


def test_records_may_be_objects_and_come_back_through_a_factory(store: Store) -> None:
    class Point:
        def __init__(self, x: int, y: int) -> None:
            self.x, self.y = x, y

    linker = ComponentLinker(record_factory=lambda fields: Point(**fields))
    swapped = exports(store, program("types"), linker)("swap", Point(1, 2))
    assert isinstance(swapped, Point) and (swapped.x, swapped.y) == (2, 1)


def test_strings_every_export(store: Store) -> None:
    call = exports(store, program("strings"))
    assert call("greet", "wörld") == "Hello, wörld!"
    assert call("strlen", "héllo") == 6  # (bytes of UTF-8)
    assert call("shout", "abc") == "ABC"


def test_lists_every_export(store: Store) -> None:
    call = exports(store, program("lists"))
    assert call("sum", [1, 2, 3]) == 6
    assert call("sum", (4, 5)) == 9
    assert call("reverse", [1, 2, 3]) == [3, 2, 1]
    assert call("range", 4) == [0, 1, 2, 3]
    assert call("bytes-len", b"\x01\x02\xff") == 3
    assert call("bytes-len", [0, 255]) == 2
    assert call("bytes-len", bytearray(5)) == 5


def test_resource_every_export(store: Store) -> None:
    component = program("resource")
    instance = ComponentLinker().instantiate(store, component)

    def call(name: str, *values: Any) -> Any:
        function = instance.get_func(store, name)
        assert isinstance(function, ComponentFunc)
        return function(store, *values)

    counter = call("[constructor]counter", 5)
    assert isinstance(counter, ResourceAny) and counter.owned
    assert counter.type is instance.get_resource_type(store, "counter")
    assert call("[method]counter.incr", counter, 3) == 8
    assert call("[method]counter.get", counter) == 8
    assert call("[static]counter.zero") == 0
    assert call("roundtrip", 42) == 42
    assert call("drops") == 1
    assert call("count-handles", 3) == 3
    assert call("drops") == 4
    counter.drop(store)
    assert call("drops") == 5
    with pytest.raises(ValueError, match="resource `counter` was dropped already"):
        call("[method]counter.get", counter)
    with pytest.raises(ValueError, match="dropped already"):
        counter.drop()
    with call("[constructor]counter", 1) as scoped:
        assert call("[method]counter.get", scoped) == 1
    assert call("drops") == 6  # (dropped when the with block ended)
    with pytest.raises(TypeError, match=r"argument `self` of `\[method\]counter.get`: expected a ResourceAny"):
        call("[method]counter.get", 16)
    other = ComponentLinker().instantiate(store, component).get_func(store, "[constructor]counter")
    assert other is not None
    with pytest.raises(TypeError, match="expected a resource of type `counter`"):
        call("[method]counter.get", other(store, 1))  # (each instance defines its own type)


def test_imports_and_exports_are_listed() -> None:
    assert program("strings").exports == {"greet": "function", "strlen": "function", "shout": "function"}
    assert program("types").exports["point"] == "type"
    assert program("strings").imports == {}
    assert program("hello").imports["wasi:io/streams@0.2.12"] == "instance"


def test_bad_values_name_the_argument_and_where(store: Store) -> None:
    call = exports(store, program("types"))
    cases: list[tuple[str, tuple[Any, ...], type[Exception], str]] = [
        ("swap", ({"x": 1},), ValueError, "argument `p` of `swap`: missing field `y`"),
        ("swap", ({"x": 1, "y": 2, "z": 3},), ValueError, "unknown field 'z'"),
        ("swap", ({"x": "1", "y": 2},), TypeError, "field `x`: expected an int for s32, got str '1'"),
        ("swap", (5,), TypeError, "expected a dict for a record"),
        ("neg", (128,), ValueError, "128 is out of range for s8"),
        ("neg", (True,), TypeError, "expected an int for s8, got bool"),
        ("is-even", (-1,), ValueError, "out of range for u64"),
        ("area", ("circle",), TypeError, "expected a Variant"),
        ("area", (Variant("square", 1),), ValueError, "unknown case 'square'"),
        ("area", (Variant("none", 1),), ValueError, "case `none` has no payload"),
        ("area", (Variant("rect", {"x": 1, "y": 2.5}),), TypeError, "case `rect`: field `y`: expected an int"),
        ("double-opt", ("1",), TypeError, "some: expected an int for u32"),
        ("toggle-write", ("read",), TypeError, "expected a set of names"),
        ("toggle-write", ({"run"},), ValueError, "unknown flag 'run'"),
        ("next-color", ("pink",), ValueError, "unknown case 'pink'"),
        ("next-color", (0,), TypeError, "expected a str"),
        ("half", ("1.5",), TypeError, "expected a float for f64"),
        ("next-char", ("ab",), TypeError, "expected a str of one character"),
        ("next-char", ("\ud800",), ValueError, "surrogate"),
        ("divmod", (1,), TypeError, r"`divmod` takes 2 arguments \(a, b\), 1 given"),
    ]
    for name, values, error, message in cases:
        with pytest.raises(error, match=message):
            call(name, *values)
    assert call("neg", 5) == -5  # (nothing was entered: the instance is still usable)
    lists = exports(store, program("lists"))
    with pytest.raises(TypeError, match=r"element 1: expected an int for u32, got float 2.0"):
        lists("sum", [1, 2.0])
    with pytest.raises(ValueError, match="element 1: 256 is out of range for u8"):
        lists("bytes-len", [1, 256])
    with pytest.raises(TypeError, match="expected a list"):
        lists("sum", "123")
    strings = exports(store, program("strings"))
    with pytest.raises(TypeError, match="expected a str for a string, got bytes"):
        strings("greet", b"bytes")
    with pytest.raises(ValueError, match="lone surrogate at index 1"):
        strings("greet", "a\udc80")


def test_a_trap_is_a_trap_and_poisons_the_instance(store: Store) -> None:
    call = exports(store, program("types"))
    with pytest.raises(Trap, match="integer divide by zero"):
        call("divmod", 1, 0)
    with pytest.raises(Trap, match="cannot enter component instance"):
        call("divmod", 1, 1)


def test_functions_are_found_by_name_index_and_checked_against_their_store(store: Store) -> None:
    instance = ComponentLinker().instantiate(store, program("strings"))
    assert isinstance(instance, ComponentInstance)
    assert instance.get_func(store, "nosuch") is None
    assert instance.get_func(store, "bad@name") is None
    index = instance.get_export_index(store, "greet")
    assert index is not None
    greet = instance.get_func(store, index)
    assert greet is not None and greet.type(store).result is not None
    greet.post_return(store)  # (nothing to do: kept for wasmtime-py's shape)
    with Store() as other, pytest.raises(ValueError, match="expected the store the instance was made in"):
        greet(other, "x")


# -- a component importing host functions and a host resource ----------------------------------------

HOST_COMPONENT = """
(component
  (import "log" (func $log (param "msg" string)))
  (type $point' (record (field "x" s32) (field "y" s32)))
  (import "point" (type $point (eq $point')))
  (import "my:host/things@1.0.0" (instance $host
    (export "thing" (type $thing (sub resource)))
    (export "[constructor]thing" (func (param "n" u32) (result (own $thing))))
    (export "[method]thing.value" (func (param "self" (borrow $thing)) (result u32)))
    (export "point" (type $p (eq $point)))
    (export "flip" (func (param "p" $p) (result $p)))))
  (alias export $host "thing" (type $thing))
  (alias export $host "[constructor]thing" (func $new))
  (alias export $host "[method]thing.value" (func $value))
  (alias export $host "flip" (func $flip))
  (core module $mem
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
      (local.set $p (global.get $next))
      (global.set $next (i32.add (global.get $next) (local.get 3)))
      (local.get $p)))
  (core instance $mem (instantiate $mem))
  (alias core export $mem "mem" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))
  (core func $log_ (canon lower (func $log) (memory $memory) (realloc $realloc)))
  (core func $new_ (canon lower (func $new)))
  (core func $value_ (canon lower (func $value)))
  (core func $flip_ (canon lower (func $flip) (memory $memory)))
  (core func $drop (canon resource.drop $thing))
  (core module $m
    (import "" "mem" (memory 1))
    (import "" "log" (func $log (param i32 i32)))
    (import "" "new" (func $new (param i32) (result i32)))
    (import "" "value" (func $value (param i32) (result i32)))
    (import "" "flip" (func $flip (param i32 i32 i32)))
    (import "" "drop" (func $drop (param i32)))
    (data (i32.const 16) "hello from the guest")
    (func (export "hello") (call $log (i32.const 16) (i32.const 20)))
    (func (export "through") (param i32) (result i32) (local $h i32) (local $v i32)
      (local.set $h (call $new (local.get 0)))
      (local.set $v (call $value (local.get $h)))
      (call $drop (local.get $h))
      (local.get $v))
    (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "value-of") (param i32) (result i32) (local $v i32)
      (local.set $v (call $value (local.get 0)))
      (call $drop (local.get 0))
      (local.get $v))
    (func (export "take") (param i32) (call $drop (local.get 0)))
    (func (export "flip") (param i32 i32) (result i32)
      (call $flip (local.get 0) (local.get 1) (i32.const 64))
      (i32.const 64)))
  (core instance $i (instantiate $m (with "" (instance
    (export "mem" (memory $memory)) (export "log" (func $log_)) (export "new" (func $new_))
    (export "value" (func $value_)) (export "flip" (func $flip_)) (export "drop" (func $drop))))))
  (func (export "hello") (canon lift (core func $i "hello")))
  (func (export "through") (param "n" u32) (result u32) (canon lift (core func $i "through")))
  (func (export "make") (param "n" u32) (result (own $thing)) (canon lift (core func $i "make")))
  (func (export "value-of") (param "t" (borrow $thing)) (result u32) (canon lift (core func $i "value-of")))
  (func (export "take") (param "t" (own $thing)) (canon lift (core func $i "take")))
  (func (export "flip") (param "p" $point) (result $point) (canon lift (core func $i "flip") (memory $memory)))
  (export "things" (instance $host))
)
"""


class Thing:
    def __init__(self, n: int) -> None:
        self.n = n


class Host:
    """The host side of HOST_COMPONENT: what it logged, the things it dropped, its linker."""

    def __init__(self, flip: Any = None, value: Any = None) -> None:
        self.logged: list[str] = []
        self.dropped: list[int] = []
        self.linker = ComponentLinker()
        root = self.linker.root()
        root.add_func("log", self.logged.append)
        self.thing = ResourceType("thing", host=True)
        # (defined at a newer patch version: the import of 1.0.0 finds it, as Wasmtime's semver rule says)
        with root.add_instance("my:host/things@1.0.3") as things:
            things.add_resource("thing", self.thing, lambda thing: self.dropped.append(thing.n))
            things.add_func("[constructor]thing", Thing)
            things.add_func("[method]thing.value", value or (lambda thing: thing.n + 1))
            things.add_func("flip", flip or (lambda p: {"x": p["y"], "y": p["x"]}))


def test_host_functions_and_a_host_resource(store: Store) -> None:
    host = Host()
    component = Component(HOST_COMPONENT)
    assert component.imports == {"log": "function", "point": "type", "my:host/things@1.0.0": "instance"}
    instance = host.linker.instantiate(store, component)
    call = exports(store, component, host.linker)
    call("hello")
    assert host.logged == ["hello from the guest"]
    assert call("through", 41) == 42
    assert host.dropped == [41]  # (the guest dropped its owning handle: the destructor ran)
    thing = call("make", 7)
    assert isinstance(thing, Thing) and thing.n == 7  # own<thing> to the host: the host's own object
    assert call("value-of", thing) == 8  # borrow<thing> from the host
    call("take", thing)  # own<thing> into the guest, which drops it
    assert host.dropped == [41, 7]
    assert call("flip", {"x": 1, "y": 2}) == {"x": 2, "y": 1}
    flip = instance.get_func(store, "things#flip")  # a function of an exported instance
    assert flip is not None and flip(store, {"x": 3, "y": 4}) == {"x": 4, "y": 3}
    things = instance.get_export_index(store, "things")
    assert instance.get_func(store, instance.get_export_index(store, "flip", things) or "") is not None
    with pytest.raises(TypeError, match="expected the host's object"):
        call("value-of", ResourceAny(host.thing, 1, owned=True))


def test_component_text_as_bytes_and_errors_of_each_stage() -> None:
    assert Component(HOST_COMPONENT.encode()).exports["flip"] == "function"
    with pytest.raises(TextSyntaxError):
        Component("(component (func")
    with pytest.raises(DecodeError):
        Component(b"\0asm\x0d\x00\x01\x00\x99")
    with pytest.raises(ValidationError):
        Component('(component (export "f" (func 0)))')
    with pytest.raises(TypeError, match="expected the bytes or text of a component"):
        Component(42)  # type: ignore[arg-type]


def test_a_missing_import_is_a_link_error_naming_it(store: Store) -> None:
    linker = ComponentLinker()
    linker.root().add_func("log", print)
    with pytest.raises(LinkError, match=r"component imports instance `my:host/things@1.0.0`, but a matching"):
        linker.instantiate(store, Component(HOST_COMPONENT))
    with root_instance(linker, "my:host/things@2.0.0"):  # (not semver-compatible with 1.0.0)
        pass
    with pytest.raises(LinkError, match=r"`my:host/things@1.0.0`"):
        linker.instantiate(store, Component(HOST_COMPONENT))
    host = Host()
    del host.linker.root()._items["log"]
    with pytest.raises(
        LinkError, match=r"^component imports function `log`, but .*: function implementation is missing"
    ):
        host.linker.instantiate(store, Component(HOST_COMPONENT))


def root_instance(linker: ComponentLinker, name: str) -> Any:
    return linker.root().add_instance(name)


def test_a_host_function_returning_a_wrong_value_is_a_type_or_value_error(store: Store) -> None:
    component = Component(HOST_COMPONENT)
    cases: list[tuple[Host, str, tuple[Any, ...], type[Exception], str]] = [
        (Host(value=lambda thing: "8"), "through", (1,), TypeError, "expected an int for u32, got str '8'"),
        (Host(value=lambda thing: -1), "through", (1,), ValueError, "-1 is out of range for u32"),
        (Host(flip=lambda p: {"x": 1}), "flip", ({"x": 1, "y": 2},), ValueError, "missing field `y`"),
        (Host(flip=lambda p: None), "flip", ({"x": 1, "y": 2},), TypeError, "expected a dict for a record"),
    ]
    for host, name, values, error, message in cases:
        call = exports(store, component, host.linker)
        with pytest.raises(error, match=r"the result of host function `my:host/things@1.0.3#.*`: " + message):
            call(name, *values)


def test_records_reach_host_functions_through_the_factory(store: Store) -> None:
    class Point:
        def __init__(self, x: int, y: int) -> None:
            self.x, self.y = x, y

    host = Host(flip=lambda p: Point(p.y, p.x))
    host.linker.record_factory = lambda fields: Point(**fields)
    flipped = exports(store, Component(HOST_COMPONENT), host.linker)("flip", {"x": 1, "y": 2})
    assert isinstance(flipped, Point) and (flipped.x, flipped.y) == (2, 1)


def test_an_exception_in_a_host_function_reaches_the_caller(store: Store) -> None:
    def value(thing: Thing) -> int:
        raise KeyError("no such thing")

    call = exports(store, Component(HOST_COMPONENT), Host(value=value).linker)
    with pytest.raises(KeyError, match="no such thing"):
        call("through", 1)


def test_definitions_are_checked() -> None:
    root = ComponentLinker().root()
    root.add_func("f", print)
    with pytest.raises(ValueError, match="`f` is defined already"):
        root.add_func("f", print)
    with pytest.raises(TypeError, match="expected a callable for host function `f`"):
        root.add_func("f", 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected a ResourceType"):
        root.add_resource("r", "r")  # type: ignore[arg-type]
    linker = ComponentLinker()
    linker.allow_shadowing = True
    linker.root().add_func("f", print)
    linker.root().add_func("f", repr)
    assert linker.root().add_instance("i") is linker.root().add_instance("i")


# -- WASI 0.2 --------------------------------------------------------------------------------------


def run_command(name: str, config: WasiConfig) -> Any:
    linker = ComponentLinker()
    linker.add_wasip2()
    with Store() as store:
        store.set_wasi(config)
        instance = linker.instantiate(store, program(name))
        run = instance.get_func(store, "wasi:cli/run@0.2.12#run")
        assert run is not None
        return run(store)


def test_a_wasi_command_with_its_output_captured() -> None:
    config = WasiConfig()
    stdout: list[bytes] = []
    stderr = io.BytesIO()
    config.stdout_custom = stdout.append
    config.stderr = stderr
    assert run_command("hello", config) == Ok(None)
    assert b"".join(stdout) == b"Hello from a WASI 0.2 component!\n"
    assert stderr.getvalue() == b"this line goes to stderr\n"


def test_wasi_arguments_environment_stdin_and_exit() -> None:
    config = WasiConfig()
    config.argv = ["args", "a b", "ü"]
    out = io.BytesIO()
    config.stdout = out
    assert run_command("args", config) == Ok(None)
    assert out.getvalue() == b"argc=3\nargv[0]=[args]\nargv[1]=[a b]\nargv[2]=[\xc3\xbc]\n"
    config = WasiConfig()
    config.env = {"GREETING": "hi"}
    config.stdout = out = io.BytesIO()
    run_command("env", config)
    assert out.getvalue() == b"env[0]=GREETING=hi\ncount=1 GREETING=hi\n"
    config = WasiConfig()
    config.stdin_bytes = b"shout\n"
    config.stdout = out = io.BytesIO()
    run_command("filter", config)
    assert out.getvalue() == b"SHOUT\n"
    config = WasiConfig()
    config.argv = ["exitcode", "3"]
    with pytest.raises(ProcExit) as exited:
        run_command("exitcode", config)
    assert exited.value.code == 1  # (the adapter maps a non-zero exit to exit(err), as under Wasmtime)


def test_wasi_files_and_preopens(tmp_path: Path) -> None:
    (tmp_path / "input.txt").write_text("some input\n")
    config = WasiConfig()
    config.preopen_dir(tmp_path, "/data")
    config.argv = ["wc", "/data/input.txt"]
    config.stdout_file = tmp_path / "out.txt"
    assert run_command("wc", config) == Ok(None)
    assert "input.txt" in (tmp_path / "out.txt").read_text()
    with Store() as store, pytest.raises(OSError):
        missing = WasiConfig()
        missing.preopen_dir(tmp_path / "nowhere", "/x")
        store.set_wasi(missing)


def test_wasi_without_a_configuration_has_no_output(capfd: pytest.CaptureFixture[str]) -> None:
    linker = ComponentLinker()
    linker.add_wasip2()
    with Store() as store:
        run = linker.instantiate(store, program("hello")).get_func(store, "wasi:cli/run@0.2.12#run")
        assert run is not None and run(store) == Ok(None)
    assert capfd.readouterr() == ("", "")


def test_inherited_stdout_follows_sys_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    config = WasiConfig()
    config.inherit_stdout()
    print("before")
    run_command("hello", config)
    print("after")
    assert capsys.readouterr().out == "before\nHello from a WASI 0.2 component!\nafter\n"


def test_a_wasi_command_without_wasi_is_a_link_error(store: Store) -> None:
    with pytest.raises(LinkError, match="component imports instance `wasi:"):
        ComponentLinker().instantiate(store, program("hello"))


def test_an_exported_instance_is_found_at_a_compatible_version() -> None:
    linker = ComponentLinker()
    linker.add_wasip2()
    with Store() as store:
        instance = linker.instantiate(store, program("hello"))
        assert instance.get_func(store, "wasi:cli/run@0.2.0#run") is not None
        assert instance.get_export_index(store, "wasi:cli/run@0.2.3") is not None
        assert instance.get_func(store, "wasi:cli/run@0.3.0#run") is None
        assert instance.get_func(store, "wasi:cli/run@0.2.0#nosuch") is None


# -- the public names --------------------------------------------------------------------------------


def test_import_wasmrun_does_not_load_the_component_machinery() -> None:
    script = (
        "import sys, wasmrun; loaded = lambda: sorted(m for m in sys.modules if m.startswith('wasmrun.component'));"
        "print(loaded()); wasmrun.ComponentLinker; print(bool(loaded()))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout == "[]\nTrue\n"


def test_the_public_names_are_exported() -> None:
    for name in ("Component", "ComponentLinker", "ComponentInstance", "ComponentFunc", "WasiConfig", "ResourceAny"):
        assert name in wasmrun.__all__
        assert getattr(wasmrun, name).__name__ == name


GUEST_RESOURCE = """
(component
  (core module $d
    (global (export "drops") (mut i32) (i32.const 0))
    (func (export "dtor") (param i32) (global.set 0 (i32.add (global.get 0) (local.get 0)))))
  (core instance $di (instantiate $d))
  (alias core export $di "dtor" (core func $dtor))
  (type $r' (resource (rep i32) (dtor (core func $dtor))))
  (export $r "r" (type $r'))
  (core func $new (canon resource.new $r))
  (core func $drop (canon resource.drop $r))
  (core module $m
    (import "" "new" (func $new (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "d" "drops" (global $drops (mut i32)))
    (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "consume") (param i32) (call $drop (local.get 0)))
    (func (export "drops") (result i32) (global.get $drops)))
  (core instance $i (instantiate $m
    (with "" (instance (export "new" (func $new)) (export "drop" (func $drop))))
    (with "d" (instance $di))))
  (func (export "make") (param "n" u32) (result (own $r)) (canon lift (core func $i "make")))
  (func (export "consume") (param "r" (own $r)) (canon lift (core func $i "consume")))
  (func (export "drops") (result u32) (canon lift (core func $i "drops")))
)
"""


def test_an_owned_guest_resource_moves_into_the_guest(store: Store) -> None:
    call = exports(store, Component(GUEST_RESOURCE))
    resource = call("make", 5)
    assert isinstance(resource, ResourceAny) and resource.rep == 5
    call("consume", resource)  # (own<r>: the guest drops it, its destructor adds the rep)
    assert not resource.owned and call("drops") == 5
    with pytest.raises(ValueError, match="resource `r` was moved already"):
        call("consume", resource)
    with pytest.raises(ValueError, match="was moved already"):
        resource.drop()
    with pytest.raises(TypeError, match=r"argument `r` of `consume`: expected a ResourceAny for own<r>, got int 3"):
        call("consume", 3)
    with call("make", 2):
        pass
    assert call("drops") == 7


# -- maps: a dict to the host, a mapping or a list of pairs from it --------------------------------

MAP_COMPONENT = r"""(component
  (import "take" (func $take (param "m" (map string u32))))
  (import "make" (func $make (param "n" u32) (result (map u32 string))))
  (core module $libc
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $r i32)
      (local.set $r (i32.and (i32.add (global.get $next) (i32.const 7)) (i32.const -8)))
      (global.set $next (i32.add (local.get $r) (local.get 3)))
      (local.get $r)))
  (core instance $libc (instantiate $libc))
  (core func $take (canon lower (func $take) (memory $libc "mem") (realloc (func $libc "realloc"))))
  (core func $make (canon lower (func $make) (memory $libc "mem") (realloc (func $libc "realloc"))))
  (core module $m
    (import "libc" "mem" (memory 1))
    (import "host" "take" (func $take (param i32 i32)))
    (import "host" "make" (func $make (param i32 i32)))
    ;; ("a", 1), ("b", 2), ("a", 3): a string (pointer, length) and a u32 each
    (data (i32.const 100) "ab")
    (data (i32.const 200) "\64\00\00\00\01\00\00\00\01\00\00\00\65\00\00\00\01\00\00\00\02\00\00\00\64\00\00\00\01\00\00\00\03\00\00\00")
    (func (export "ret") (result i32)
      (i32.store (i32.const 0) (i32.const 200))
      (i32.store (i32.const 4) (i32.const 3))
      (i32.const 0))
    (func (export "count") (param i32 i32) (result i32) (local.get 1))
    (func (export "pass") (param i32 i32) (call $take (local.get 0) (local.get 1)))
    (func (export "make") (param i32) (result i32) (call $make (local.get 0) (i32.const 8)) (i32.const 8)))
  (core instance $i (instantiate $m
    (with "libc" (instance $libc))
    (with "host" (instance (export "take" (func $take)) (export "make" (func $make))))))
  (func (export "ret") (result (map string u32)) (canon lift (core func $i "ret") (memory $libc "mem")))
  (func (export "count") (param "m" (map string u32)) (result u32)
    (canon lift (core func $i "count") (memory $libc "mem") (realloc (func $libc "realloc"))))
  (func (export "pass") (param "m" (map string u32))
    (canon lift (core func $i "pass") (memory $libc "mem") (realloc (func $libc "realloc"))))
  (func (export "make") (param "n" u32) (result (map u32 string))
    (canon lift (core func $i "make") (memory $libc "mem")))
)
"""


def map_exports(store: Store, make: Any = None) -> tuple[Any, list[Any]]:
    """MAP_COMPONENT's exports, and the list of the maps its host's `take` was given."""
    taken: list[Any] = []
    linker = ComponentLinker()
    linker.root().add_func("take", taken.append)
    linker.root().add_func("make", make or (lambda n: {i: str(i) for i in range(n)}))
    return exports(store, Component(MAP_COMPONENT), linker), taken


def test_a_map_reaches_the_host_as_a_dict_where_the_last_of_a_repeated_key_wins(store: Store) -> None:
    call, taken = map_exports(store)
    assert call("ret") == {"a": 3, "b": 2}
    call("pass", [("x", 1), ("y", 2), ("x", 3)])
    assert taken == [{"x": 3, "y": 2}]


@pytest.mark.parametrize(
    ("value", "count"),
    [({"a": 1, "b": 2}, 2), ([("a", 1), ("a", 2), ("a", 3)], 3), ((["a", 1],), 1), ({}, 0), ([], 0)],
    ids=repr,
)
def test_the_host_gives_a_map_as_a_mapping_or_as_pairs_kept_as_they_are(store: Store, value: Any, count: int) -> None:
    call, _taken = map_exports(store)
    assert call("count", value) == count


@pytest.mark.parametrize(
    ("made", "order"),
    [({2: "two", 1: "one"}, [2, 1]), ([(2, "two"), (1, "one")], [2, 1]), ([(1, "x"), (2, "two"), (1, "one")], [1, 2])],
    ids=repr,
)
def test_a_map_a_host_function_returns_goes_through_the_guest(store: Store, made: Any, order: list[int]) -> None:
    call, _taken = map_exports(store, make=lambda n: made)
    result = call("make", 0)
    assert result == {1: "one", 2: "two"} and list(result) == order


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (5, TypeError, r"expected a dict or a list of \(key, value\) pairs for a map<string, u32>, got int 5"),
        ("ab", TypeError, "expected a dict or a list of"),
        ([("a", 1, 2)], ValueError, r"entry 0: expected a \(key, value\) pair for a map<string, u32>, got 3 elements"),
        (["a"], TypeError, r"entry 0: expected a \(key, value\) pair"),
        ({1: 1}, TypeError, "argument `m` of `count`: key of entry 0: expected a str for a string, got int 1"),
        ({"a": -1}, ValueError, "value of entry 0: -1 is out of range for u32"),
    ],
    ids=repr,
)
def test_a_bad_map_names_the_entry(store: Store, value: Any, error: type[Exception], message: str) -> None:
    call, _taken = map_exports(store)
    with pytest.raises(error, match=message):
        call("count", value)


def test_a_bad_map_from_a_host_function_is_an_error_of_its_result(store: Store) -> None:
    call, _taken = map_exports(store, make=lambda n: {"1": "one"})
    with pytest.raises(TypeError, match=r"the result of host function `make`: key of entry 0: expected an int"):
        call("make", 1)


def test_a_map_whose_key_type_is_no_spec_key_type_stays_a_list_of_pairs() -> None:
    # (the spec's keys are bool, integers, char and string; validators accept others, whose values may be unhashable)
    from wasmrun.component.types import MapType, Primitive, RecordType
    from wasmrun.component_values import from_guest

    point = RecordType((("x", Primitive.U8),))
    assert from_guest(MapType(point, Primitive.U32)) is None  # the ABI's value, the list of pairs, is the host's
    convert = from_guest(MapType(point, Primitive.U32), lambda fields: ("point", fields["x"]))
    assert convert is not None and convert([({"x": 1}, 2), ({"x": 1}, 3)], []) == [(("point", 1), 2), (("point", 1), 3)]
    by_string = from_guest(MapType(Primitive.STRING, Primitive.U32))
    assert by_string is not None and by_string([("a", 1), ("a", 2)], []) == {"a": 2}
