"""GC allocations count against the store's memory limit at Wasmtime's object sizes and heap layout
(wasmtime-py 49 measured them: its error names the size it could not allocate; whole 64 KiB pages less 16
bytes hold objects in 16-byte granules); garbage is collected before one fails."""

from __future__ import annotations

from typing import Any

import pytest

from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.engine.options import EngineOptions
from wasmrun.errors import HostError
from wasmrun.loader import Module
from wasmrun.runtime import gc
from wasmrun.runtime.linker import Linker
from wasmrun.text.wat import parse_module

# (type, allocation, Wasmtime's bytes for it)
SIZES = {
    "empty struct": ("(struct)", "(struct.new $t)", 24),
    "struct of i8": ("(struct (field i8))", "(struct.new_default $t)", 32),
    "struct of i64": ("(struct (field i64))", "(struct.new_default $t)", 32),
    "struct i8 then i64": ("(struct (field i8) (field i64))", "(struct.new_default $t)", 40),
    "struct of three i32": ("(struct (field i32) (field i32) (field i32))", "(struct.new_default $t)", 40),
    "struct f32 f64 v128": ("(struct (field f32) (field f64) (field v128))", "(struct.new_default $t)", 64),
    "struct of anyref": ("(struct (field anyref))", "(struct.new_default $t)", 32),
    "empty i8 array": ("(array i8)", "(array.new_default $t (i32.const 0))", 28),
    "i8 array of 5": ("(array i8)", "(array.new_default $t (i32.const 5))", 33),
    "i16 array of 3": ("(array i16)", "(array.new_default $t (i32.const 3))", 34),
    "i64 array of 3": ("(array i64)", "(array.new_default $t (i32.const 3))", 56),
    "anyref array of 3": ("(array anyref)", "(array.new_default $t (i32.const 3))", 40),
    "v128 array of 3": ("(array v128)", "(array.new_default $t (i32.const 3))", 80),
    "fixed i32 array of 2": ("(array i32)", "(array.new_fixed $t 2 (i32.const 1) (i32.const 2))", 36),
}


def instance(wat: str, memory_limit: int, engine: str = "auto") -> Any:
    store = Store(Interpreter(EngineOptions(engine=engine)), memory_cap_bytes=memory_limit)
    return Linker(store).instantiate(Module.from_bytes(parse_module(wat)))


@pytest.mark.parametrize("engine", ["interp", "compile"])
@pytest.mark.parametrize(("type", "allocation", "size"), list(SIZES.values()), ids=list(SIZES))
def test_an_allocation_beyond_the_limit_fails_naming_its_size(
    type: str, allocation: str, size: int, engine: str
) -> None:
    wat = f'(module (type $t {type}) (func (export "f") (drop {allocation})))'
    run = instance(wat, 0, engine).exports["f"]
    with pytest.raises(HostError, match=f"^GC heap out of memory: no capacity for allocation of {size} bytes$"):
        run()


KEEPER = """(module
  (type $bytes (array (mut i8)))
  (type $pair (struct (field (mut anyref)) (field (mut anyref))))
  (global $kept (mut anyref) (ref.null any))
  (func (export "keep") (param i32) (global.set $kept (array.new_default $bytes (local.get 0))))
  (func (export "garbage") (param i32) (local i32)
    (loop $again
      (drop (array.new_default $bytes (i32.const 1000)))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get 1) (local.get 0)))))
  (func (export "cycles") (param i32) (local i32) (local $p (ref null $pair))
    (loop $again
      (local.set $p (struct.new_default $pair))
      (struct.set $pair 0 (local.get $p) (local.get $p))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get 1) (local.get 0))))))"""


# (memory limit, i8 elements, whether the array fits): Wasmtime's largest arrays under those limits
ONE_OBJECT = [
    (1 << 20, 1000, True),
    (1 << 20, 1048532, True),
    (1 << 20, 1048533, False),
    (65536, 65492, True),
    (100_000, 65492, True),
    (100_000, 65493, False),
    (131072, 131028, True),
    (65535, 0, False),
]


@pytest.mark.parametrize(("limit", "length", "fits"), ONE_OBJECT)
def test_one_object_fits_the_limit_or_fails(limit: int, length: int, fits: bool) -> None:
    keep = instance(KEEPER, limit).exports["keep"]
    if fits:
        keep(length)
    else:
        with pytest.raises(HostError, match="GC heap out of memory"):
            keep(length)


@pytest.mark.parametrize("export", ["garbage", "cycles"])
def test_garbage_does_not_count(export: str) -> None:
    # Ten times the limit in objects nothing keeps (plain, and in cycles only the collector frees).
    limit = 64 * 1024
    instance(KEEPER, limit).exports[export](10 * limit // (1040 if export == "garbage" else 48))


def test_live_objects_count() -> None:
    keep = instance(KEEPER, 1 << 20).exports["keep"]
    keep(600_000)
    # The first array is still the global's while the second is made.
    with pytest.raises(HostError, match="GC heap out of memory: no capacity for allocation of 600028 bytes"):
        keep(600_000)


def test_a_store_limit_set_later_applies() -> None:
    store = Store(Interpreter())
    store.set_limits(memory_bytes=100)
    run = Linker(store).instantiate(Module.from_bytes(parse_module(KEEPER))).exports["keep"]
    with pytest.raises(HostError, match="allocation of 128 bytes"):
        run(100)  # (less than a page holds nothing)


def test_many_small_objects_fill_granules() -> None:
    # Wasmtime fits 3594 empty structs (24 bytes, 32 in the heap) beside a 4000-slot array in 128 KiB.
    wat = """(module (type $s (struct)) (type $keep (array (mut (ref null $s))))
      (global $g (mut (ref null $keep)) (ref.null $keep))
      (func (export "fill") (param i32) (local i32)
        (global.set $g (array.new_default $keep (i32.const 4000)))
        (loop $l (array.set $keep (global.get $g) (local.get 1) (struct.new_default $s))
          (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get 1) (local.get 0))))))"""
    instance(wat, 131072).exports["fill"](3594)
    with pytest.raises(HostError, match="allocation of 24 bytes"):
        instance(wat, 131072).exports["fill"](3595)


def test_the_failure_is_an_error_not_a_trap() -> None:
    # Wasmtime reports it as an error (wasmtime-py: WasmtimeError; the CLI: status 1), not a wasm trap.
    assert issubclass(gc.GcHeapOutOfMemory, HostError)
