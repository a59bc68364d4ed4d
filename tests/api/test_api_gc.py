"""GC through the embedding API: the same scripts against wasmtime-py 49 and wasmrun.api where
wasmtime-py can run them (switches, externref round trips, the heap limit), then what only wasmrun.api
gives (wasmtime-py 49 cannot convert an anyref value at all: its calls fail on them)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

import wasmrun.api as wasmrun_api

GC_MODULE = """(module
  (type $point (struct (field $x i32) (field $y i32)))
  (type $bytes (array (mut i8)))
  (func (export "point") (param i32 i32) (result (ref $point)) (struct.new $point (local.get 0) (local.get 1)))
  (func (export "x") (param (ref null $point)) (result i32) (struct.get $point $x (local.get 0)))
  (func (export "x of non-null") (param (ref $point)) (result i32) (struct.get $point $x (local.get 0)))
  (func (export "i31") (param i32) (result i31ref) (ref.i31 (local.get 0)))
  (func (export "bytes") (param i32) (result anyref) (array.new_default $bytes (local.get 0)))
  (func (export "same") (param eqref eqref) (result i32) (ref.eq (local.get 0) (local.get 1)))
  (func (export "identity") (param anyref) (result anyref) (local.get 0))
  (func (export "internalize") (param externref) (result anyref) (any.convert_extern (local.get 0)))
  (func (export "externalize") (param anyref) (result externref) (extern.convert_any (local.get 0)))
  (func (export "round trip") (param externref) (result externref)
    (extern.convert_any (any.convert_extern (local.get 0)))))"""

# Only i32 and externref at the boundary: wasmtime-py can call every export.
PLAIN_BOUNDARY = """(module
  (type $bytes (array (mut i8)))
  (func (export "allocate") (param i32) (result i32) (array.len (array.new_default $bytes (local.get 0))))
  (func (export "round trip") (param externref) (result externref)
    (extern.convert_any (any.convert_extern (local.get 0)))))"""

EXTERNREF_MODULE = '(module (func (export "f") (param externref) (result externref) (local.get 0)))'


def engine_with(api: ModuleType, **settings: Any) -> Any:
    config = api.Config()
    for name, value in settings.items():
        setattr(config, name, value)
    return api.Engine(config)


def exports_of(api: ModuleType, wat: str, engine: Any = None, memory_size: int | None = None) -> tuple[Any, Any]:
    engine = engine or api.Engine()
    store = api.Store(engine)
    if memory_size is not None:
        store.set_limits(memory_size=memory_size)
    return store, api.Linker(engine).instantiate(store, api.Module(engine, wat)).exports(store)


# --- both APIs ----------------------------------------------------------------------------------------------


# (settings, module, whether it compiles)
SWITCHES = {
    "gc on by default": ({}, GC_MODULE, True),
    "wasm_gc=True": ({"wasm_gc": True}, GC_MODULE, True),
    "wasm_gc=False": ({"wasm_gc": False}, GC_MODULE, False),
    "gc_support=False refuses GC types": ({"gc_support": False}, GC_MODULE, False),
    "gc_support=False refuses externref": ({"gc_support": False}, EXTERNREF_MODULE, False),
    "gc_support=True": ({"gc_support": True}, EXTERNREF_MODULE, True),
}


@pytest.mark.parametrize(("settings", "wat", "compiles"), list(SWITCHES.values()), ids=list(SWITCHES))
def test_the_switches(api: ModuleType, settings: dict[str, bool], wat: str, compiles: bool) -> None:
    engine = engine_with(api, **settings)
    if compiles:
        api.Module(engine, wat)
    else:
        with pytest.raises(api.WasmtimeError):
            api.Module(engine, wat)


@pytest.mark.parametrize("host", ["text", 42, None], ids=["a string", "an int", "null"])
def test_an_externref_survives_the_any_hierarchy(api: ModuleType, host: Any) -> None:
    store, exports = exports_of(api, PLAIN_BOUNDARY)
    assert exports["round trip"](store, host) == host


@pytest.mark.parametrize(("length", "fails"), [(100, False), (65492, False), (65493, True), (70000, True)])
def test_the_memory_limit_bounds_gc_allocations(api: ModuleType, length: int, fails: bool) -> None:
    store, exports = exports_of(api, PLAIN_BOUNDARY, memory_size=65536)
    if not fails:
        assert exports["allocate"](store, length) == length
        return
    message = f"GC heap out of memory: no capacity for allocation of {length + 28} bytes"
    with pytest.raises(api.WasmtimeError, match=message):
        exports["allocate"](store, length)


def test_garbage_makes_room(api: ModuleType) -> None:
    store, exports = exports_of(api, PLAIN_BOUNDARY, memory_size=64 * 1024)
    for _ in range(100):  # 100 times 10000 bytes, none kept
        assert exports["allocate"](store, 10_000) == 10_000


# --- wasmrun.api only: GC references in Python -----------------------------------------------------------


def gc_exports() -> tuple[Any, Any]:
    return exports_of(wasmrun_api, GC_MODULE)


def test_a_struct_comes_back_opaque_and_goes_back_in() -> None:
    store, exports = gc_exports()
    point = exports["point"](store, 3, 4)
    assert isinstance(point, wasmrun_api.AnyRef) and point.kind == "struct"
    assert exports["x"](store, point) == 3


@pytest.mark.parametrize(("value", "read"), [(5, 5), (-1, -1), (0x3FFFFFFF, 0x3FFFFFFF), (0x40000000, -0x40000000)])
def test_an_i31_reads_signed(value: int, read: int) -> None:
    store, exports = gc_exports()
    reference = exports["i31"](store, value)
    assert (reference.kind, reference.i31, reference.host) == ("i31", read, None)


def test_equality_is_ref_eq() -> None:
    store, exports = gc_exports()
    point = exports["point"](store, 1, 2)
    pairs = {
        "the same struct": (point, point, True),
        "two equal structs": (point, exports["point"](store, 1, 2), False),
        "i31s of one value": (exports["i31"](store, 7), exports["i31"](store, 7), True),
        "i31s of two values": (exports["i31"](store, 7), exports["i31"](store, 8), False),
    }
    for case, (first, second, equal) in pairs.items():
        assert ((first == second), exports["same"](store, first, second)) == (equal, int(equal)), case


def test_an_anyref_round_trips() -> None:
    store, exports = gc_exports()
    array = exports["bytes"](store, 3)
    assert array.kind == "array"
    assert exports["identity"](store, array) == array
    assert exports["identity"](store, None) is None


def test_a_host_value_made_an_anyref() -> None:
    store, exports = gc_exports()
    host = object()
    reference = exports["internalize"](store, host)
    assert (reference.kind, reference.host) == ("host", host)
    assert exports["externalize"](store, reference) is host


def test_an_externalized_gc_value_comes_back_as_its_anyref() -> None:
    store, exports = gc_exports()
    point = exports["point"](store, 1, 2)
    external = exports["externalize"](store, point)
    assert external == point
    assert exports["internalize"](store, external) == point  # given as an externref, externalized again


# (export, argument): a value the parameter's type does not admit
MISTYPED = {
    "an array for a struct type": ("x", "array"),
    "an i31 for a struct type": ("x", "i31"),
    "null for a non-null type": ("x of non-null", None),
    "a Python int for anyref": ("identity", 5),
}


@pytest.mark.parametrize(("export", "argument"), list(MISTYPED.values()), ids=list(MISTYPED))
def test_a_value_of_another_type_is_a_type_error(export: str, argument: Any) -> None:
    store, exports = gc_exports()
    made = {"array": exports["bytes"](store, 1), "i31": exports["i31"](store, 1)}
    value = made[argument] if isinstance(argument, str) else argument
    with pytest.raises(TypeError):
        exports[export](store, value)


def test_anyref_cannot_be_constructed() -> None:
    with pytest.raises(wasmrun_api.WasmtimeError):
        wasmrun_api.AnyRef()
