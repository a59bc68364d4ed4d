"""Component instantiation: the hand-written components of components/programs called with Python values,
and each kind of definition on small components written in the text format."""

from __future__ import annotations

from typing import Any

import pytest
import testdata
from component_programs import PROGRAMS, cases, expected_bytes

from wasmrun.component.canonical import CanonicalBuiltin
from wasmrun.component.decoder import decode_component
from wasmrun.component.records import Component, Start, ValueDefinition
from wasmrun.component.text import encode_component_text
from wasmrun.component.types import Err, FuncType, Ok, Primitive, ResourceType, Variant
from wasmrun.component.wave import parse_arguments, parse_invocation, result_text
from wasmrun.component_runtime import LiftedFunction
from wasmrun.component_runtime.instantiate import Modules, instantiate_component
from wasmrun.component_runtime.items import ComponentFunction, ComponentInstance
from wasmrun.component_runtime.lookup import find_function, find_instance
from wasmrun.engine.interpreter import Interpreter
from wasmrun.engine.options import EngineOptions
from wasmrun.errors import LinkError, Trap, UnsupportedInstruction
from wasmrun.runtime.store import Store


def new_store() -> Store:
    return Store(Interpreter(EngineOptions()))


def program(name: str) -> Component:
    return decode_component(testdata.require(f"{PROGRAMS}/wasm/{name}.component.wasm").read_bytes())


def from_text(text: str) -> Component:
    return decode_component(encode_component_text(text))


def instantiate(component: Component, imports: Any = None) -> ComponentInstance:
    return instantiate_component(component, new_store(), imports)


# -- the hand-written components, with no imports ----------------------------------------------------

INVOKED = [case for case in cases() if case["invoke"] is not None and case["exit_code"] in (0, 134)]


@pytest.mark.parametrize("case", INVOKED or [None], ids=[case["name"] for case in INVOKED] or ["data"])
def test_each_export_called_with_python_values_gives_wasmtimes_result(case: dict[str, Any] | None) -> None:
    if case is None:
        testdata.require(f"{PROGRAMS}/expected.json")
        return
    name = case["component"].removeprefix("wasm/").removesuffix(".component.wasm")
    instance = instantiate(program(name))
    invocation = parse_invocation(case["invoke"])
    function = instance.function(invocation.name)
    assert function is not None
    arguments = parse_arguments(invocation, function.func_type)
    if case["exit_code"] == 134:
        with pytest.raises(Trap, match="integer divide by zero"):
            function(*arguments)
        return
    stdout = expected_bytes(case["stdout"])
    assert stdout is not None
    assert result_text(function.func_type, function(*arguments)) == stdout.decode()


def test_python_values_in_and_out() -> None:
    types = instantiate(program("types")).exports
    assert types["swap"]({"x": 1, "y": -2}) == {"x": -2, "y": 1}
    assert types["area"](Variant("rect", {"x": 3, "y": 4})) == 12
    assert types["make-shape"](0) == Variant("none", None)
    assert types["checked-div"](7, 2) == Ok(3)
    assert types["checked-div"](7, 0) == Err("division by zero")
    assert types["toggle-write"](frozenset()) == frozenset({"write"})
    assert types["next-color"]("blue") == "red"
    assert types["divmod"](17, 5) == (3, 2)
    assert types["double-opt"](None) is None
    assert types["next-char"]("a") == "b"
    strings = instantiate(program("strings")).exports
    assert strings["greet"]("wörld") == "Hello, wörld!"
    lists = instantiate(program("lists")).exports
    assert lists["reverse"]([1, 2, 3]) == [3, 2, 1]
    assert lists["bytes-len"](b"\x01\x02\xff") == 3
    assert isinstance(types["point"], type(types["swap"].func_type.result))  # a type export: the resolved type


def test_a_resource_defined_by_the_component() -> None:
    instance = instantiate(program("resource"))
    exports = instance.exports
    counter = exports["[constructor]counter"](5)  # own<counter> to the host: its representation
    assert exports["[method]counter.incr"](counter, 3) == 8
    assert exports["[method]counter.get"](counter) == 8
    assert exports["roundtrip"](42) == 42
    assert exports["drops"]() == 1  # (roundtrip dropped its handle: the destructor ran)
    assert exports["count-handles"](3) == 3
    assert exports["drops"]() == 4
    assert instance.state is not None and len(instance.state.handles) == 0
    resource = exports["counter"]
    assert isinstance(resource, ResourceType) and instance.state.implements(resource)


def test_each_instantiation_defines_new_resource_types() -> None:
    component = program("resource")
    first, second = instantiate(component), instantiate(component)
    assert first.exports["counter"] is not second.exports["counter"]
    assert first.state is not second.state
    assert first.exports["counter"].destructor.instance is first.state


def test_core_modules_are_decoded_and_validated_once_per_instantiation() -> None:
    modules = Modules()
    instantiate_component(program("resource"), new_store(), modules=modules)
    assert [start for _module, start in modules.located] == sorted(start for _module, start in modules.located)
    assert len(modules.located) == 2


# -- imports -----------------------------------------------------------------------------------------

IMPORTING = """
(component
  (import "double" (func $double (param "x" u32) (result u32)))
  (import "host" (instance $host
    (export "thing" (type $thing (sub resource)))
    (export "make" (func (param "n" u32) (result (own $thing))))
    (export "value" (func (param "t" (borrow $thing)) (result u32)))))
  (alias export $host "thing" (type $thing))
  (alias export $host "make" (func $make))
  (alias export $host "value" (func $value))
  (core func $double_ (canon lower (func $double)))
  (core func $make_ (canon lower (func $make)))
  (core func $value_ (canon lower (func $value)))
  (core func $drop (canon resource.drop $thing))
  (core module $m
    (import "" "double" (func $double (param i32) (result i32)))
    (import "" "make" (func $make (param i32) (result i32)))
    (import "" "value" (func $value (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "quad") (param i32) (result i32) (call $double (call $double (local.get 0))))
    (func (export "through") (param i32) (result i32) (local $h i32)
      (local.set $h (call $make (local.get 0)))
      (call $value (local.get $h))
      (call $drop (local.get $h))))
  (core instance $i (instantiate $m (with "" (instance
    (export "double" (func $double_)) (export "make" (func $make_))
    (export "value" (func $value_)) (export "drop" (func $drop))))))
  (func (export "quad") (param "x" u32) (result u32) (canon lift (core func $i "quad")))
  (func (export "through") (param "x" u32) (result u32) (canon lift (core func $i "through")))
  (export "host" (instance $host))
)
"""


class Thing:
    def __init__(self, n: int) -> None:
        self.n = n


def host_imports(dropped: list[Any]) -> dict[str, Any]:
    thing = ResourceType("thing", dropped.append, host=True)
    return {"double": lambda x: 2 * x, "host": {"thing": thing, "make": Thing, "value": lambda t: t.n + 1}}


def test_imported_functions_instances_and_resource_types() -> None:
    dropped: list[Any] = []
    imports = host_imports(dropped)
    instance = instantiate(from_text(IMPORTING), imports)
    assert instance.exports["quad"](5) == 20
    assert instance.exports["through"](41) == 42
    assert [thing.n for thing in dropped] == [41]  # resource.drop of the owning handle: the host's destructor
    host = instance.exports["host"]
    assert isinstance(host, ComponentInstance)
    assert host.exports["thing"] is imports["host"]["thing"]  # the imported resource type is the one supplied
    make = host.function("make")
    assert isinstance(make, ComponentFunction) and make.func_type.params == (("n", Primitive.U32),)


def test_a_missing_import_is_wasmtimes_link_error() -> None:
    imports = host_imports([])
    del imports["double"]
    with pytest.raises(LinkError) as caught:
        instantiate(from_text(IMPORTING), imports)
    assert str(caught.value) == (
        "component imports function `double`, but a matching implementation was not found in the linker"
        ": function implementation is missing"
    )
    imports = host_imports([])
    del imports["host"]
    with pytest.raises(LinkError, match=r"^component imports instance `host`, but a matching implementation was not"):
        instantiate(from_text(IMPORTING), imports)
    imports = host_imports([])
    del imports["host"]["value"]
    with pytest.raises(LinkError, match=r"imports instance `host`.*: instance export `value` has the wrong type"):
        instantiate(from_text(IMPORTING), imports)
    imports = host_imports([])
    imports["host"]["thing"] = "not a resource"
    with pytest.raises(LinkError, match="instance export `thing` has the wrong type"):
        instantiate(from_text(IMPORTING), imports)


def test_a_host_function_of_another_type_is_refused() -> None:
    imports = host_imports([])
    imports["double"] = ComponentFunction(lambda x: x, FuncType((("x", Primitive.U64),), Primitive.U32))
    with pytest.raises(LinkError, match=r"imports function `double`.*type mismatch"):
        instantiate(from_text(IMPORTING), imports)


# -- nested components, instances of exports, outer aliases --------------------------------------------

NESTED = """
(component
  (type $u32 u32)
  (component $inner
    (alias outer 1 $u32 (type $n))
    (core module $m (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
    (core instance $i (instantiate $m))
    (func (export "add") (param "a" $n) (param "b" $n) (result $n) (canon lift (core func $i "add"))))
  (instance $a (instantiate $inner))
  (alias export $a "add" (func $add))
  (core func $add_ (canon lower (func $add)))
  (core module $n
    (import "" "add" (func $add (param i32 i32) (result i32)))
    (func (export "triple") (param i32) (result i32)
      (call $add (local.get 0) (call $add (local.get 0) (local.get 0)))))
  (core instance $j (instantiate $n (with "" (instance (export "add" (func $add_))))))
  (func $triple (param "x" u32) (result u32) (canon lift (core func $j "triple")))
  (instance $both (export "triple" (func $triple)) (export "add" (func $add)))
  (export "triple" (func $triple))
  (export "inner" (instance $a))
  (export "math:ops/both@1.2.3" (instance $both))
)
"""


def test_nested_components_calls_between_instances_and_lookup() -> None:
    instance = instantiate(from_text(NESTED))
    assert instance.exports["triple"](7) == 21  # a lowered call into the nested instance
    inner = instance.exports["inner"]
    assert isinstance(inner, ComponentInstance) and inner.state is not None
    assert inner.state.parent is instance.state
    add = find_function(instance, "inner#add")
    assert isinstance(add, LiftedFunction) and add(2, 3) == 5
    assert find_function(instance, "triple") is instance.exports["triple"]
    assert find_function(instance, "math:ops/both.triple@1.2.3") is instance.exports["triple"]
    assert find_function(instance, "math:ops/both@1.2.3#add") is add
    assert find_function(instance, "inner.add") is add  # (an item name: `add` of the exported instance `inner`)
    assert find_function(instance, "nosuch") is None
    assert find_instance(instance, "math:ops/both", "1.2") is instance.exports["math:ops/both@1.2.3"]
    assert find_instance(instance, "math:ops/both", "1.3") is None


def test_a_trap_in_a_callee_leaves_the_instances_poisoned() -> None:
    instance = instantiate(program("types"))
    divmod_ = instance.exports["divmod"]
    with pytest.raises(Trap, match="integer divide by zero"):
        divmod_(1, 0)
    with pytest.raises(Trap, match="cannot enter component instance"):
        divmod_(1, 1)


# -- what is refused ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (CanonicalBuiltin("thread.spawn-ref", 0x40), r"^`canon thread.spawn-ref` is not supported$"),
        (ValueDefinition(Primitive.U32, b"\x01"), "component values .* are not supported"),
        (Start(0, (0,), 1), "start functions taking or giving values .* are not supported"),
    ],
)
def test_what_is_not_supported_is_refused_with_one_line(definition: Any, message: str) -> None:
    with pytest.raises(UnsupportedInstruction, match=message):
        instantiate(Component(definitions=(definition,)))


CLOSURE = """
(component
  (component $c
    (import "c" (core module $c (export "a" (global i32))))
    (component (export "c2") (export "m" (core module $c))))
  (core module $m1 (global (export "a") i32 i32.const 1))
  (core module $m2 (global (export "a") i32 i32.const 2))
  (instance $c1 (instantiate $c (with "c" (core module $m1))))
  (instance $c2 (instantiate $c (with "c" (core module $m2))))
  (instance $m1_container (instantiate (component $c1 "c2")))
  (instance $m2_container (instantiate (component $c2 "c2")))
  (core instance $core1 (instantiate (module $m1_container "m")))
  (core instance $core2 (instantiate (module $m2_container "m")))
  (core module $verify
    (import "core1" "a" (global $a i32))
    (import "core2" "a" (global $b i32))
    (func (export "digits") (result i32) (i32.add (i32.mul (global.get $a) (i32.const 10)) (global.get $b))))
  (core instance $v (instantiate $verify (with "core1" (instance $core1)) (with "core2" (instance $core2))))
  (func (export "digits") (result u32) (canon lift (core func $v "digits")))
)
"""


def test_a_nested_component_closes_over_the_instance_that_defines_it() -> None:
    # Each instance of $c exports a component whose outer alias names that instance's import.
    assert instantiate(from_text(CLOSURE)).exports["digits"]() == 12


THROWING_REALLOC = """
(component
  (component $A
    (core module $m
      (tag $t)
      (memory (export "memory") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (throw $t))
      (func (export "f") (param i32 i32)))
    (core instance $i (instantiate $m))
    (func (export "f") (param "s" string)
      (canon lift (core func $i "f") (memory (core memory $i "memory")) (realloc (core func $i "realloc")))))
  (component $B
    (import "f" (func $f (param "s" string)))
    (core module $libc (memory (export "memory") 1) (data (i32.const 16) "hello"))
    (core instance $libc (instantiate $libc))
    (core func $f-core (canon lower (func $f) (memory (core memory $libc "memory"))))
    (core module $m
      (import "" "f" (func $f (param i32 i32)))
      (func (export "run")
        (block $caught
          (try_table (catch_all $caught) (call $f (i32.const 16) (i32.const 5)))
          (return))
        unreachable))
    (core instance $i (instantiate $m (with "" (instance (export "f" (func $f-core))))))
    (func (export "run") (canon lift (core func $i "run"))))
  (instance $a (instantiate $A))
  (instance $b (instantiate $B (with "f" (func $a "f"))))
  (export "run" (func $b "run"))
)
"""


def test_an_exception_thrown_by_the_callees_realloc_traps_at_the_boundary() -> None:
    with pytest.raises(Trap, match=r"^uncaught exception propagated out of component$"):
        instantiate(from_text(THROWING_REALLOC)).exports["run"]()
