"""What wasmrun.api adds to or refuses of wasmtime-py's behaviour, and the runtime hooks it stands on."""

from __future__ import annotations

import io
from typing import Any

import pytest

import wasmrun.api as api
from wasmrun import Module as RuntimeModule
from wasmrun import Store as RuntimeStore
from wasmrun.errors import WasmError
from wasmrun.runtime.functions import CallerHostFunction
from wasmrun.runtime.globals import GlobalInstance
from wasmrun.runtime.linker import Linker as RuntimeLinker
from wasmrun.types import FuncType, GlobalType, ValType

COUNTER = """(module
  (func (export "count") (param i32) (result i32) (local i32)
    (loop $again
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get 1) (local.get 0))))
    (local.get 1)))"""


@pytest.mark.parametrize("tier", ["interp", "compile", "auto"])
def test_every_tier_meters_fuel_alike(tier: str) -> None:
    config = api.Config()
    config.consume_fuel = True
    config.tier = tier
    engine = api.Engine(config)
    store = api.Store(engine)
    store.set_fuel(10_000)
    exports = api.Linker(engine).instantiate(store, api.Module(engine, COUNTER)).exports(store)
    assert (exports["count"](store, 100), store.get_fuel()) == (100, 9_198)


def test_unknown_tier_is_refused() -> None:
    with pytest.raises(api.WasmtimeError, match="unknown tier 'jit'"):
        api.Config().tier = "jit"


@pytest.mark.parametrize("setting", ["wasm_stack_switching", "epoch_interruption"])
def test_settings_wasmrun_lacks_are_refused_when_enabled(setting: str) -> None:
    config = api.Config()
    setattr(config, setting, False)  # off is what wasmrun does
    with pytest.raises(api.WasmtimeError, match=f"`{setting}` cannot be set"):
        setattr(config, setting, True)


def test_max_wasm_stack_is_refused_for_max_stack_depth() -> None:
    with pytest.raises(api.WasmtimeError, match="in frames, not bytes: set max_stack_depth"):
        api.Config().max_wasm_stack = 512 * 1024


def test_max_stack_depth_bounds_the_call_depth() -> None:
    config = api.Config()
    config.max_stack_depth = 100
    engine = api.Engine(config)
    store = api.Store(engine)
    module = api.Module(
        engine,
        """(module (func $down (export "down") (param i32) (result i32)
             (if (result i32) (local.get 0)
               (then (call $down (i32.sub (local.get 0) (i32.const 1))))
               (else (i32.const 0)))))""",
    )
    down = api.Linker(engine).instantiate(store, module).exports(store)["down"]
    assert down(store, 90) == 0
    with pytest.raises(api.Trap) as caught:
        down(store, 200)
    assert caught.value.trap_code is api.TrapCode.STACK_OVERFLOW


@pytest.mark.parametrize("setting", ["cranelift_opt_level", "parallel_compilation", "memory_reservation"])
def test_native_compiler_settings_are_accepted(setting: str) -> None:
    setattr(api.Config(), setting, 1)


def test_unknown_setting_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no setting 'wasm_nothing'"):
        api.Config().wasm_nothing = True  # type: ignore[attr-defined]


def test_a_disabled_proposal_makes_its_modules_invalid() -> None:
    config = api.Config()
    config.wasm_simd = False
    with pytest.raises(api.WasmtimeError):
        api.Module(api.Engine(config), "(module (func (result v128) v128.const i64x2 0 0))")


def test_caller_is_invalid_once_the_call_returns() -> None:
    engine = api.Engine()
    store = api.Store(engine)
    kept: list[Any] = []
    linker = api.Linker(engine)
    linker.define_func("", "f", api.FuncType([], []), kept.append, access_caller=True)
    module = api.Module(
        engine, '(module (import "" "f" (func $f)) (memory (export "memory") 1) (func (export "g") call $f))'
    )
    linker.instantiate(store, module).exports(store)["g"](store)
    caller = kept[0]
    assert caller.get("memory") is None
    with pytest.raises(ValueError, match="caller is no longer valid"):
        api.Memory(caller, api.MemoryType(api.Limits(1, None)))


def test_caller_of_a_call_from_python_has_no_exports() -> None:
    store = api.Store()
    seen: list[Any] = []
    func = api.Func(store, api.FuncType([], []), lambda caller: seen.append(caller.get("memory")), access_caller=True)
    func(store)
    assert seen == [None]


def test_memory_buffer_is_a_view_released_by_grow() -> None:
    store = api.Store()
    memory = api.Memory(store, api.MemoryType(api.Limits(1, 2)))
    view = memory.buffer(store)
    view[3] = 9
    assert memory.read(store, 3, 4) == bytearray(b"\t")
    memory.grow(store, 1)
    with pytest.raises(ValueError):
        view[3]
    assert len(memory.buffer(store)) == 2 * 65536


WASI_WRITE = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))"""


def wasi_linker(config: api.WasiConfig) -> tuple[api.Engine, api.Store, api.Linker]:
    engine = api.Engine()
    store = api.Store(engine)
    store.set_wasi(config)
    linker = api.Linker(engine)
    linker.define_wasi()
    return engine, store, linker


HELLO = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 2))
    (drop (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))))"""


def test_wasi_stderr_to_a_file_object_without_a_descriptor() -> None:
    output = io.BytesIO()
    config = api.WasiConfig()
    config.stderr = output
    engine, store, linker = wasi_linker(config)
    linker.instantiate(store, api.Module(engine, HELLO)).exports(store)["_start"](store)
    assert output.getvalue() == b"hi"


def test_wasi_stdin_from_a_file_object_without_a_descriptor_is_refused() -> None:
    config = api.WasiConfig()
    config.stdin = io.BytesIO(b"x")
    engine, store, linker = wasi_linker(config)
    with pytest.raises(api.WasmtimeError, match="stdin from a file object without a descriptor"):
        linker.instantiate(store, api.Module(engine, WASI_WRITE))


def test_refused_store_features_say_so() -> None:
    store = api.Store()
    with pytest.raises(api.WasmtimeError, match="wasi:http is not supported by wasmrun"):
        store.set_wasi_http()
    with pytest.raises(api.WasmtimeError, match="epoch interruption"):
        store.set_epoch_deadline(1)


# --- the runtime hooks ----------------------------------------------------------------------------


def test_runtime_global_set_refuses_an_immutable_global() -> None:
    with pytest.raises(WasmError, match="immutable global cannot be set"):
        GlobalInstance(GlobalType(ValType.I32, False), 1).set(2)


def test_runtime_caller_host_function_is_bound_to_each_importing_instance() -> None:
    module = RuntimeModule.from_bytes(b'(module (import "a" "f" (func $f)) (func (export "g") call $f))')
    seen: list[Any] = []
    with RuntimeStore() as store:
        host = CallerHostFunction(FuncType((), ()), lambda instance: seen.append(instance))
        linker = RuntimeLinker(store)
        linker.define("a", "f", host)
        first, second = linker.instantiate(module), linker.instantiate(module)
        second.exports["g"]()
        first.exports["g"]()
        host()
    assert seen == [second, first, None]


ADD = '(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))'


def test_a_deserialized_module_runs_its_precompiled_code() -> None:
    engine = api.Engine()
    module = api.Module.deserialize(engine, api.Module(engine, ADD).serialize())
    store = api.Store(engine)
    exports = api.Linker(engine).instantiate(store, module).exports(store)
    assert exports["add"](store, 1, 2) == 3
    code_store = store._interpreter.code_store
    assert code_store is not None and code_store.module is module._module


def test_a_deserialized_module_under_other_options_translates_its_code() -> None:
    config = api.Config()
    config.consume_fuel = True  # the precompiled code is made without fuel
    engine = api.Engine(config)
    module = api.Module.deserialize(engine, api.Module(engine, ADD).serialize())
    store = api.Store(engine)
    store.set_fuel(100)
    exports = api.Linker(engine).instantiate(store, module).exports(store)
    assert (exports["add"](store, 1, 2), store._interpreter.code_store, store.get_fuel()) == (3, None, 96)


CAT_STDIN = """(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "read") (result i32 i64)
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 8))
    (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.load (i32.const 8)) (i64.load (i32.const 100))))"""


def test_wasi_stdin_bytes() -> None:
    engine = api.Engine()
    store = api.Store(engine)
    config = api.WasiConfig()
    config.stdin_bytes = b"\x01\x02\x03"
    store.set_wasi(config)
    linker = api.Linker(engine)
    linker.define_wasi()
    exports = linker.instantiate(store, api.Module(engine, CAT_STDIN)).exports(store)
    assert exports["read"](store) == [3, 0x030201]


def test_a_shared_memory_is_shared_between_stores() -> None:
    # (wasmtime-py 50 cannot import a SharedMemory: its binding passes the wrong pointer type.)
    config = api.Config()
    config.shared_memory = True
    engine = api.Engine(config)
    memory = api.SharedMemory(engine, api.MemoryType(api.Limits(1, 2), shared=True))
    module = api.Module(
        engine,
        """(module (import "" "m" (memory 1 2 shared))
             (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
             (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))""",
    )
    first, second = api.Store(engine), api.Store(engine)
    api.Instance(first, module, [memory]).exports(first)["store"](first, 8, -77)
    assert api.Instance(second, module, [memory]).exports(second)["load"](second, 8) == -77
