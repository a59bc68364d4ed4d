"""The same embedding scripts against wasmtime-py and wasmrun.api (the ``api`` fixture): each test
expects one behaviour, so an engine that behaves otherwise fails it."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ADD = """(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "neg") (result i32) i32.const -1)
  (func (export "pair") (param i64) (result i64 i32) local.get 0 i32.const 7)
  (func (export "half") (param f32) (result f32) local.get 0 f32.const 0.5 f32.mul))"""


def instance_of(api: ModuleType, wat: str, store: Any = None, engine: Any = None) -> tuple[Any, Any]:
    """A store and the exports of ``wat`` instantiated in it with no imports."""
    engine = engine or api.Engine()
    store = store or api.Store(engine)
    instance = api.Linker(engine).instantiate(store, api.Module(engine, wat))
    return store, instance.exports(store)


# --- calls and values -----------------------------------------------------------------------------


def test_call_returns_the_result(api: ModuleType) -> None:
    store, exports = instance_of(api, ADD)
    assert exports["add"](store, 1, 2) == 3


@pytest.mark.parametrize(
    ("export", "args", "expected"),
    [
        ("neg", (), -1),
        ("add", (0x7FFFFFFF, 1), -(2**31)),
        ("add", (2**32 - 1, 0), -1),
        ("pair", (2**63,), [-(2**63), 7]),
        ("pair", (-5,), [-5, 7]),
        ("half", (3.0,), 1.5),
    ],
    ids=["i32-minus-one", "i32-overflow", "unsigned-in", "i64-wraps-and-two-results", "i64-negative", "f32"],
)
def test_integers_cross_signed(api: ModuleType, export: str, args: tuple[Any, ...], expected: Any) -> None:
    store, exports = instance_of(api, ADD)
    assert exports[export](store, *args) == expected


def test_wrong_argument_count_is_an_error(api: ModuleType) -> None:
    store, exports = instance_of(api, ADD)
    with pytest.raises(api.WasmtimeError, match="too few parameters provided: given 1, expected 2"):
        exports["add"](store, 1)


def test_wrong_argument_type_is_a_type_error(api: ModuleType) -> None:
    store, exports = instance_of(api, ADD)
    with pytest.raises(TypeError):
        exports["add"](store, 1, "2")


def test_val_wraps_to_signed(api: ModuleType) -> None:
    assert (api.Val.i32(2**32 - 1).value, api.Val.i64(2**64 - 2).value) == (-1, -2)


def test_function_type(api: ModuleType) -> None:
    store, exports = instance_of(api, ADD)
    function_type = exports["pair"].type(store)
    assert ([str(t) for t in function_type.params], [str(t) for t in function_type.results]) == (
        ["i64"],
        ["i64", "i32"],
    )


# --- host functions -------------------------------------------------------------------------------

LOGGER = """(module
  (import "env" "log" (func $log (param i32 i32)))
  (import "env" "signed" (func $signed (param i32 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "hello")
  (func (export "twice") (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
  (func (export "run") (call $log (i32.const 8) (i32.const 5)))
  (func (export "signs") (result i32) (call $signed (i32.const -1) (i64.const -2))))"""


def test_host_function_with_caller_reads_guest_memory(api: ModuleType) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    seen = []

    def log(caller: Any, pointer: int, length: int) -> None:
        memory = caller["memory"]
        seen.append(bytes(memory.read(caller, pointer, pointer + length)))
        seen.append(caller["twice"](caller, 21))  # the caller stands for the store
        seen.append(caller.get("nothing"))

    linker = api.Linker(engine)
    linker.define_func("env", "log", api.FuncType([api.ValType.i32(), api.ValType.i32()], []), log, access_caller=True)
    linker.define_func(
        "env", "signed", api.FuncType([api.ValType.i32(), api.ValType.i64()], [api.ValType.i32()]), lambda a, b: a
    )
    instance = linker.instantiate(store, api.Module(engine, LOGGER))
    instance.exports(store)["run"](store)
    assert seen == [b"hello", 42, None]


def test_host_function_receives_signed_integers(api: ModuleType) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    seen = []

    def signed(a: int, b: int) -> int:
        seen.append((a, b))
        return 2**32 - 3  # wrapped to the result type

    linker = api.Linker(engine)
    linker.define_func("env", "log", api.FuncType([api.ValType.i32(), api.ValType.i32()], []), lambda p, n: None)
    linker.define_func(
        "env", "signed", api.FuncType([api.ValType.i32(), api.ValType.i64()], [api.ValType.i32()]), signed
    )
    instance = linker.instantiate(store, api.Module(engine, LOGGER))
    assert (instance.exports(store)["signs"](store), seen) == (-3, [(-1, -2)])


def test_func_made_from_python_is_an_import(api: ModuleType) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    module = api.Module(
        engine, '(module (import "" "f" (func $f (result i32))) (func (export "g") (result i32) call $f))'
    )
    func = api.Func(store, api.FuncType([], [api.ValType.i32()]), lambda: -7)
    instance = api.Instance(store, module, [func])
    assert (instance.exports(store)["g"](store), func(store)) == (-7, -7)


def test_host_exception_reaches_the_caller_as_it_is(api: ModuleType) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    module = api.Module(engine, '(module (import "" "f" (func $f)) (func (export "g") call $f))')

    def fail() -> None:
        raise LookupError("from the host")

    instance = api.Instance(store, module, [api.Func(store, api.FuncType([], []), fail)])
    with pytest.raises(LookupError, match="from the host"):
        instance.exports(store)["g"](store)


def test_host_function_returning_a_result_it_has_not_is_an_error(api: ModuleType) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    module = api.Module(engine, '(module (import "" "f" (func $f)) (func (export "g") call $f))')
    instance = api.Instance(store, module, [api.Func(store, api.FuncType([], []), lambda: 1)])
    with pytest.raises(api.WasmtimeError, match="callback produced results when it shouldn't"):
        instance.exports(store)["g"](store)


# --- linking --------------------------------------------------------------------------------------

IMPORTS_UNUSED = """(module
  (import "host" "used" (func $used (result i32)))
  (import "host" "unused" (func $unused (param i32)))
  (func (export "ok") (result i32) call $used)
  (func (export "bad") (call $unused (i32.const 1))))"""


def test_undefined_import_is_a_link_error(api: ModuleType) -> None:
    engine = api.Engine()
    with pytest.raises(api.WasmtimeError, match="unknown import: `host::used` has not been defined"):
        api.Linker(engine).instantiate(api.Store(engine), api.Module(engine, IMPORTS_UNUSED))


def test_unknown_imports_as_traps_fail_only_when_called(api: ModuleType) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    module = api.Module(engine, IMPORTS_UNUSED)
    linker = api.Linker(engine)
    linker.define_func("host", "used", api.FuncType([], [api.ValType.i32()]), lambda: 5)
    linker.define_unknown_imports_as_traps(module)
    exports = linker.instantiate(store, module).exports(store)
    assert exports["ok"](store) == 5
    with pytest.raises(api.WasmtimeError, match="unknown import: `host::unused` has not been defined"):
        exports["bad"](store)


def test_a_name_defined_twice_is_an_error_unless_shadowing(api: ModuleType) -> None:
    engine = api.Engine()
    linker = api.Linker(engine)
    function_type = api.FuncType([], [])
    linker.define_func("a", "b", function_type, lambda: None)
    with pytest.raises(api.WasmtimeError, match="import of `a::b` defined twice"):
        linker.define_func("a", "b", function_type, lambda: None)
    linker.allow_shadowing = True
    linker.define_func("a", "b", function_type, lambda: None)


def test_define_module_links_its_exports(api: ModuleType) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    linker = api.Linker(engine)
    linker.define_module(store, "lib", api.Module(engine, '(module (func (export "seven") (result i32) i32.const 7))'))
    user = api.Module(
        engine, '(module (import "lib" "seven" (func $s (result i32))) (func (export "f") (result i32) call $s))'
    )
    assert linker.instantiate(store, user).exports(store)["f"](store) == 7


def test_mistyped_import_is_a_link_error(api: ModuleType) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    linker = api.Linker(engine)
    linker.define_func("host", "used", api.FuncType([api.ValType.i64()], []), lambda x: None)
    linker.define_func("host", "unused", api.FuncType([api.ValType.i32()], []), lambda x: None)
    with pytest.raises(api.WasmtimeError, match="incompatible import type for `host::used`"):
        linker.instantiate(store, api.Module(engine, IMPORTS_UNUSED))


# --- fuel -----------------------------------------------------------------------------------------

COUNTER = """(module
  (func (export "count") (param i32) (result i32) (local i32)
    (loop $again
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get 1) (local.get 0))))
    (local.get 1)))"""


def fuel_store(api: ModuleType) -> tuple[Any, Any]:
    config = api.Config()
    config.consume_fuel = True
    return instance_of(api, COUNTER, engine=api.Engine(config))


@pytest.mark.parametrize("iterations", [1, 10, 100])
def test_fuel_is_consumed_as_wasmtime_consumes_it(api: ModuleType, iterations: int) -> None:
    store, exports = fuel_store(api)
    store.set_fuel(10_000)
    exports["count"](store, iterations)
    assert store.get_fuel() == {1: 9_990, 10: 9_918, 100: 9_198}[iterations]


def test_out_of_fuel_traps_with_its_code(api: ModuleType) -> None:
    store, exports = fuel_store(api)
    store.set_fuel(50)
    with pytest.raises(api.Trap) as caught:
        exports["count"](store, 1000)
    assert (caught.value.trap_code, store.get_fuel()) == (api.TrapCode.OUT_OF_FUEL, 0)


def test_a_store_starts_without_fuel(api: ModuleType) -> None:
    store, exports = fuel_store(api)
    with pytest.raises(api.Trap) as caught:
        exports["count"](store, 1)
    assert caught.value.trap_code == api.TrapCode.OUT_OF_FUEL


def test_fuel_without_consume_fuel_is_an_error(api: ModuleType) -> None:
    store = api.Store(api.Engine())
    with pytest.raises(api.WasmtimeError, match="fuel is not configured in this store"):
        store.set_fuel(1)
    with pytest.raises(api.WasmtimeError, match="fuel is not configured in this store"):
        store.get_fuel()


# --- limits ---------------------------------------------------------------------------------------

GROWER = """(module
  (memory (export "memory") 1)
  (table (export "table") 1 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "grow_table") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))"""


def test_memory_growth_past_the_limit_is_denied(api: ModuleType) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    store.set_limits(memory_size=2 * 65536)
    store, exports = instance_of(api, GROWER, store=store, engine=engine)
    assert (exports["grow"](store, 1), exports["grow"](store, 1)) == (1, -1)
    with pytest.raises(api.WasmtimeError, match="failed to grow memory by `1`"):
        exports["memory"].grow(store, 1)


def test_limits_apply_to_memories_that_exist(api: ModuleType) -> None:
    store, exports = instance_of(api, GROWER)
    store.set_limits(memory_size=2 * 65536)
    assert (exports["grow"](store, 2), exports["grow"](store, 1)) == (-1, 1)


def test_table_growth_past_the_limit_is_denied(api: ModuleType) -> None:
    store, exports = instance_of(api, GROWER)
    store.set_limits(table_elements=3)
    assert (exports["grow_table"](store, 2), exports["grow_table"](store, 1)) == (1, -1)


@pytest.mark.parametrize(
    ("limits", "wat", "message"),
    [
        ({"instances": 1}, "(module)", "resource limit exceeded: instance count too high at 2"),
        ({"memories": 1}, "(module (memory 1))", "resource limit exceeded: memory count too high at 2"),
        ({"tables": 1}, "(module (table 1 funcref))", "resource limit exceeded: table count too high at 2"),
    ],
    ids=["instances", "memories", "tables"],
)
def test_count_limits(api: ModuleType, limits: dict[str, int], wat: str, message: str) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    store.set_limits(**limits)
    module = api.Module(engine, wat)
    api.Linker(engine).instantiate(store, module)
    with pytest.raises(api.WasmtimeError, match=message):
        api.Linker(engine).instantiate(store, module)


@pytest.mark.parametrize(
    ("limits", "wat"),
    [({"memory_size": 65536}, "(module (memory 2))"), ({"table_elements": 5}, "(module (table 6 funcref))")],
    ids=["memory", "table"],
)
def test_a_minimum_over_the_limit_fails_instantiation(api: ModuleType, limits: dict[str, int], wat: str) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    store.set_limits(**limits)
    with pytest.raises(api.WasmtimeError):
        api.Linker(engine).instantiate(store, api.Module(engine, wat))


# --- globals, memories, tables --------------------------------------------------------------------

GLOBALS = '(module (global (export "fixed") i32 (i32.const 5)) (global (export "var") (mut i64) (i64.const -1)))'


def test_immutable_global_set_is_refused(api: ModuleType) -> None:
    store, exports = instance_of(api, GLOBALS)
    with pytest.raises(api.WasmtimeError, match="immutable global cannot be set"):
        exports["fixed"].set_value(store, 3)
    assert exports["fixed"].value(store) == 5


def test_mutable_global_set_reads_back_signed(api: ModuleType) -> None:
    store, exports = instance_of(api, GLOBALS)
    assert exports["var"].value(store) == -1
    exports["var"].set_value(store, 2**64 - 2)
    assert exports["var"].value(store) == -2


def test_global_made_from_python(api: ModuleType) -> None:
    store = api.Store(api.Engine())
    global_ = api.Global(store, api.GlobalType(api.ValType.i32(), True), 2**32 - 1)
    assert (global_.value(store), global_.type(store).mutable, str(global_.type(store).content)) == (-1, True, "i32")


def test_memory_read_write_as_slices(api: ModuleType) -> None:
    store = api.Store(api.Engine())
    memory = api.Memory(store, api.MemoryType(api.Limits(1, 2)))
    assert memory.write(store, b"abc", 10) == 3
    assert (memory.read(store, 10, 13), memory.read(store, -2), memory.data_len(store), memory.size(store)) == (
        bytearray(b"abc"),
        bytearray(2),
        65536,
        1,
    )
    with pytest.raises(IndexError):
        memory.write(store, b"abc", 65534)


def test_memory_grow_and_buffer(api: ModuleType) -> None:
    store = api.Store(api.Engine())
    memory = api.Memory(store, api.MemoryType(api.Limits(1, 2)))
    assert memory.grow(store, 1) == 1
    buffer = memory.get_buffer_ptr(store)
    buffer[65536] = 7
    assert (memory.read(store, 65536, 65537), len(buffer)) == (bytearray(b"\x07"), 131072)
    with pytest.raises(api.WasmtimeError, match="failed to grow memory by `1`"):
        memory.grow(store, 1)


def test_table_get_set_grow(api: ModuleType) -> None:
    store = api.Store(api.Engine())
    table = api.Table(store, api.TableType(api.ValType.funcref(), api.Limits(1, 3)), None)
    func = api.Func(store, api.FuncType([], [api.ValType.i32()]), lambda: 9)
    table.set(store, 0, func)
    assert (table.grow(store, 1, None), table.size(store), table.get(store, 1), table.get(store, 9)) == (
        1,
        2,
        None,
        None,
    )
    assert table.get(store, 0)(store) == 9
    with pytest.raises(api.WasmtimeError, match="failed to grow table by `5`"):
        table.grow(store, 5, None)


# --- traps ----------------------------------------------------------------------------------------

TRAPS = """(module
  (type $v (func))
  (table 2 funcref)
  (elem (i32.const 1) $typed)
  (memory 1)
  (func $typed (param i32))
  (func (export "unreachable") unreachable)
  (func (export "divide") (drop (i32.div_s (i32.const 1) (i32.const 0))))
  (func (export "overflow") (drop (i32.div_s (i32.const 0x80000000) (i32.const -1))))
  (func (export "conversion") (drop (i32.trunc_f32_s (f32.const nan))))
  (func (export "memory") (drop (i32.load (i32.const 65536))))
  (func (export "table") (call_indirect (type $v) (i32.const 5)))
  (func (export "null") (call_indirect (type $v) (i32.const 0)))
  (func (export "signature") (call_indirect (type $v) (i32.const 1)))
  (func $deep (export "stack") (call $deep)))"""


@pytest.mark.parametrize(
    ("export", "code"),
    [
        ("unreachable", "UNREACHABLE"),
        ("divide", "INTEGER_DIVISION_BY_ZERO"),
        ("overflow", "INTEGER_OVERFLOW"),
        ("conversion", "BAD_CONVERSION_TO_INTEGER"),
        ("memory", "MEMORY_OUT_OF_BOUNDS"),
        ("table", "TABLE_OUT_OF_BOUNDS"),
        ("null", "INDIRECT_CALL_TO_NULL"),
        ("signature", "BAD_SIGNATURE"),
        ("stack", "STACK_OVERFLOW"),
    ],
)
def test_trap_code(api: ModuleType, export: str, code: str) -> None:
    store, exports = instance_of(api, TRAPS)
    with pytest.raises(api.Trap) as caught:
        exports[export](store)
    assert caught.value.trap_code == api.TrapCode[code]
    assert not isinstance(caught.value, api.WasmtimeError)


FRAMES = """(module $demo
  (func $outer (export "f") (param i32) (result i32) (local i64) nop nop (call $inner (local.get 0)))
  (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0))))"""


def test_trap_frames(api: ModuleType) -> None:
    store, exports = instance_of(api, FRAMES)
    with pytest.raises(api.Trap) as caught:
        exports["f"](store, 0)
    frames = [(f.module_name, f.func_index, f.func_name, f.module_offset, f.func_offset) for f in caught.value.frames]
    assert frames == [("demo", 1, "inner", 48, 5), ("demo", 0, "outer", 39, 7)]


def test_a_deep_trap_keeps_the_innermost_twenty_frames(api: ModuleType) -> None:
    store, exports = instance_of(api, TRAPS)
    with pytest.raises(api.Trap) as caught:
        exports["stack"](store)
    assert ([frame.func_index for frame in caught.value.frames], str(caught.value).count("\n")) == ([9] * 20, 24)


def test_trap_in_the_start_function(api: ModuleType) -> None:
    engine = api.Engine()
    with pytest.raises(api.Trap) as caught:
        api.Linker(engine).instantiate(api.Store(engine), api.Module(engine, "(module (func unreachable) (start 0))"))
    assert caught.value.trap_code == api.TrapCode.UNREACHABLE


# --- WASI -----------------------------------------------------------------------------------------

WASI = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello, WASI!\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 13))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 3))))"""


def run_wasi(api: ModuleType, config: Any) -> Any:
    engine = api.Engine()
    store = api.Store(engine)
    store.set_wasi(config)
    linker = api.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, api.Module(engine, WASI))
    with pytest.raises(api.ExitTrap) as caught:
        instance.exports(store)["_start"](store)
    return caught.value


def test_proc_exit_is_an_exit_trap_with_its_code(api: ModuleType) -> None:
    exit_ = run_wasi(api, api.WasiConfig())
    assert (exit_.code, isinstance(exit_, api.WasmtimeError)) == (3, True)


def test_wasi_stdout_to_a_file(api: ModuleType, tmp_path: Path) -> None:
    config = api.WasiConfig()
    config.stdout_file = str(tmp_path / "out.txt")
    run_wasi(api, config)
    assert (tmp_path / "out.txt").read_bytes() == b"Hello, WASI!\n"


def test_wasi_stdout_to_a_callback(api: ModuleType) -> None:
    chunks: list[bytes] = []
    config = api.WasiConfig()
    config.stdout_custom = chunks.append
    run_wasi(api, config)
    assert b"".join(chunks) == b"Hello, WASI!\n"


def test_wasi_inherited_stdout(api: ModuleType, capfd: pytest.CaptureFixture[str]) -> None:
    config = api.WasiConfig()
    config.inherit_stdout()
    run_wasi(api, config)
    assert capfd.readouterr().out == "Hello, WASI!\n"


ARGS = """(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "count") (result i32 i32 i32)
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (drop (call $env (i32.const 8) (i32.const 12)))
    (i32.load (i32.const 0)) (i32.load (i32.const 4)) (i32.load (i32.const 8))))"""


def test_wasi_argv_and_env(api: ModuleType) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    config = api.WasiConfig()
    config.argv = ["app", "one"]
    config.env = [("A", "1"), ("B", "2"), ("C", "3")]
    store.set_wasi(config)
    linker = api.Linker(engine)
    linker.define_wasi()
    exports = linker.instantiate(store, api.Module(engine, ARGS)).exports(store)
    assert exports["count"](store) == [2, 8, 3]


# --- modules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wasm", "valid"),
    [
        (b"\0asm\1\0\0\0", True),
        (b"\0asm\1\0\0\0\1", False),
        (b"\0asm\2\0\0\0", False),
        (b"(module (func (result i32)))", False),
    ],
    ids=["empty-module", "truncated", "bad-version", "type-mismatch"],
)
def test_validate(api: ModuleType, wasm: bytes, valid: bool) -> None:
    engine = api.Engine()
    if valid:
        api.Module.validate(engine, wasm)
    else:
        with pytest.raises(api.WasmtimeError):
            api.Module.validate(engine, wasm)


TYPED = """(module
  (import "env" "f" (func (param i32 f64) (result i64)))
  (import "env" "m" (memory 1 5))
  (import "env" "g" (global (mut f32)))
  (import "env" "t" (table 2 externref))
  (func (export "h") (param i64))
  (memory (export "mem") 2)
  (global (export "k") i64 (i64.const 1))
  (table (export "tab") 3 10 funcref))"""


def valtype_name(api: ModuleType, valtype: Any) -> str:
    """The name of the value type equal to ``valtype`` (wasmtime-py prints externref as ``anyref``)."""
    for name in ("i32", "i64", "f32", "f64", "funcref", "externref"):
        if valtype == getattr(api.ValType, name)():
            return name
    return str(valtype)


def describe(api: ModuleType, extern_type: Any) -> tuple[Any, ...]:
    """An extern type as plain data, the same whichever API made it."""
    if isinstance(extern_type, api.FuncType):
        return (
            "func",
            [valtype_name(api, t) for t in extern_type.params],
            [valtype_name(api, t) for t in extern_type.results],
        )
    if isinstance(extern_type, api.MemoryType):
        return ("memory", extern_type.limits.min, extern_type.limits.max, extern_type.is_64)
    if isinstance(extern_type, api.GlobalType):
        return ("global", valtype_name(api, extern_type.content), extern_type.mutable)
    if isinstance(extern_type, api.TableType):
        return ("table", valtype_name(api, extern_type.element), extern_type.limits.min, extern_type.limits.max)
    return ("other",)


def test_import_types(api: ModuleType) -> None:
    module = api.Module(api.Engine(), TYPED)
    assert [(i.module, i.name, describe(api, i.type)) for i in module.imports] == [
        ("env", "f", ("func", ["i32", "f64"], ["i64"])),
        ("env", "m", ("memory", 1, 5, False)),
        ("env", "g", ("global", "f32", True)),
        ("env", "t", ("table", "externref", 2, None)),
    ]


def test_export_types(api: ModuleType) -> None:
    module = api.Module(api.Engine(), TYPED)
    assert [(e.name, describe(api, e.type)) for e in module.exports] == [
        ("h", ("func", ["i64"], [])),
        ("mem", ("memory", 2, None, False)),
        ("k", ("global", "i64", False)),
        ("tab", ("table", "funcref", 3, 10)),
    ]


def test_module_from_file_and_wat2wasm(api: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "add.wasm"
    path.write_bytes(bytes(api.wat2wasm(ADD)))
    engine = api.Engine()
    store = api.Store(engine)
    instance = api.Linker(engine).instantiate(store, api.Module.from_file(engine, str(path)))
    assert instance.exports(store)["add"](store, 2, 3) == 5


def test_serialize_deserialize(api: ModuleType) -> None:
    engine = api.Engine()
    blob = api.Module(engine, ADD).serialize()
    store = api.Store(engine)
    module = api.Module.deserialize(engine, blob)
    assert api.Linker(engine).instantiate(store, module).exports(store)["add"](store, 20, 22) == 42


def test_deserialize_refuses_garbage(api: ModuleType) -> None:
    with pytest.raises(api.WasmtimeError):
        api.Module.deserialize(api.Engine(), b"not a precompiled module")


def test_malformed_text_is_an_error(api: ModuleType) -> None:
    with pytest.raises(api.WasmtimeError):
        api.Module(api.Engine(), "not wat")


# --- more of the linker, references and tags ------------------------------------------------------


def test_unknown_imports_as_default_values(api: ModuleType) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    module = api.Module(
        engine,
        '(module (import "h" "f" (func $f (param i32) (result i64))) (func (export "g") (result i64) (call $f (i32.const 1))))',
    )
    linker = api.Linker(engine)
    linker.define_unknown_imports_as_default_values(store, module)
    assert linker.instantiate(store, module).exports(store)["g"](store) == 0


def test_instance_pre_instantiates_in_each_store(api: ModuleType) -> None:
    engine = api.Engine()
    module = api.Module(engine, '(module (global (export "g") (mut i32) (i32.const 1)))')
    pre = api.Linker(engine).instantiate_pre(module)
    first, second = api.Store(engine), api.Store(engine)
    one = pre.instantiate(first).exports(first)["g"]
    two = pre.instantiate(second).exports(second)["g"]
    one.set_value(first, 5)
    assert (one.value(first), two.value(second)) == (5, 1)


def test_linker_get_and_define_instance(api: ModuleType) -> None:
    engine = api.Engine()
    store = api.Store(engine)
    linker = api.Linker(engine)
    instance = linker.instantiate(store, api.Module(engine, '(module (func (export "one") (result i32) i32.const 1))'))
    linker.define_instance(store, "lib", instance)
    assert linker.get(store, "lib", "one")(store) == 1
    with pytest.raises(api.WasmtimeError, match="item not defined in linker"):
        linker.get(store, "lib", "two")


def test_externref_round_trips_the_same_object(api: ModuleType) -> None:
    store, exports = instance_of(api, '(module (func (export "id") (param externref) (result externref) local.get 0))')
    thing = object()
    assert (exports["id"](store, thing) is thing, exports["id"](store, None)) == (True, None)


def test_funcref_from_a_table_is_callable(api: ModuleType) -> None:
    store, exports = instance_of(
        api,
        '(module (table (export "t") 1 funcref) (elem (i32.const 0) $f) (func $f (result i32) i32.const 11))',
    )
    assert exports["t"].get(store, 0)(store) == 11


def test_tags_are_equal_only_to_themselves(api: ModuleType) -> None:
    store = api.Store(api.Engine())
    tag_type = api.TagType(api.FuncType([api.ValType.i32()], []))
    first, second = api.Tag(store, tag_type), api.Tag(store, tag_type)
    params = [str(t) for t in first.type(store).functype.params]
    assert (first.eq(store, first), first.eq(store, second), params) == (True, False, ["i32"])


def test_exports_by_name_and_index(api: ModuleType) -> None:
    _store, exports = instance_of(api, ADD)
    assert (list(exports), len(exports.by_index)) == (["add", "neg", "pair", "half"], 4)
    with pytest.raises(KeyError):
        exports["nothing"]


def test_trap_text_is_wasmtimes(api: ModuleType) -> None:
    store, exports = instance_of(api, FRAMES.replace("$demo", ""))
    with pytest.raises(api.Trap) as caught:
        exports["f"](store, 0)
    assert str(caught.value) == (
        "error while executing at wasm backtrace:\n"
        "    0:     0x30 - <unknown>!inner\n"
        "    1:     0x27 - <unknown>!outer\n"
        "\n"
        "Caused by:\n"
        "    wasm trap: integer divide by zero\n"
    )


CAT = """(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "note.txt")
  (func (export "open") (result i32 i32)
    (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 8)
                (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 28))
    (i32.load (i32.const 28)))
  (func (export "cat") (param $fd i32) (result i32)
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 100))
    (drop (call $read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 16) (i32.const 100))
    (i32.store (i32.const 20) (i32.load (i32.const 8)))
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
    (i32.load (i32.const 8))))"""


def cat_exports(api: ModuleType, config: Any) -> tuple[Any, Any]:
    engine = api.Engine()
    store = api.Store(engine)
    store.set_wasi(config)
    linker = api.Linker(engine)
    linker.define_wasi()
    return store, linker.instantiate(store, api.Module(engine, CAT)).exports(store)


def test_wasi_stdin_from_a_file(api: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_bytes(b"from stdin")
    config = api.WasiConfig()
    config.stdin_file = str(tmp_path / "in.txt")
    config.stdout_file = str(tmp_path / "out.txt")
    store, exports = cat_exports(api, config)
    assert exports["cat"](store, 0) == 10
    assert (tmp_path / "out.txt").read_bytes() == b"from stdin"


def test_wasi_preopened_directory(api: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "note.txt").write_bytes(b"a note")
    config = api.WasiConfig()
    config.preopen_dir(str(tmp_path / "dir"), "/data")
    config.stdout_file = str(tmp_path / "out.txt")
    store, exports = cat_exports(api, config)
    errno, fd = exports["open"](store)
    assert (errno, exports["cat"](store, fd)) == (0, 6)
    assert (tmp_path / "out.txt").read_bytes() == b"a note"


def test_wasi_without_a_preopen_cannot_open(api: ModuleType) -> None:
    store, exports = cat_exports(api, api.WasiConfig())
    assert exports["open"](store)[0] == 8  # EBADF: there is no fd 3


# --- shared memories ------------------------------------------------------------------------------


def shared_engine(api: ModuleType) -> Any:
    config = api.Config()
    config.shared_memory = True
    return api.Engine(config)


@pytest.mark.parametrize(
    ("enabled", "shared", "maximum", "message"),
    [
        (False, True, 2, "shared memory support is disabled for this engine"),
        (True, False, 2, "shared memory must have the `shared` flag enabled on its memory type"),
        (True, True, None, "shared memories must have a maximum size"),
    ],
    ids=["disabled", "not-shared", "no-maximum"],
)
def test_shared_memory_refusals(
    api: ModuleType, enabled: bool, shared: bool, maximum: int | None, message: str
) -> None:
    engine = shared_engine(api) if enabled else api.Engine()
    with pytest.raises(api.WasmtimeError, match=message):
        api.SharedMemory(engine, api.MemoryType(api.Limits(1, maximum), shared=shared))


def test_shared_memory_grows(api: ModuleType) -> None:
    memory = api.SharedMemory(shared_engine(api), api.MemoryType(api.Limits(1, 2), shared=True))
    assert (memory.type().is_shared, memory.data_len(), memory.grow(1), memory.data_len()) == (True, 65536, 1, 131072)
    with pytest.raises(api.WasmtimeError, match="failed to grow memory by `1`"):
        memory.grow(1)


def test_an_exported_shared_memory_is_a_shared_memory(api: ModuleType) -> None:
    engine = shared_engine(api)
    _store, exports = instance_of(api, '(module (memory (export "mem") 1 2 shared))', engine=engine)
    assert isinstance(exports["mem"], api.SharedMemory)


# --- read-only preopens ---------------------------------------------------------------------------

READ_ONLY = r"""(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory" (func $rmdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $unlink (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func $link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times"
    (func $path_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_times" (func $fd_times (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $set_size (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "f.txt")
  (data (i32.const 110) "new.txt")
  (data (i32.const 120) "sub")
  (data (i32.const 130) "newdir")
  ;; path_open of $name with $oflags and $rights beneath $dir: (errno, fd)
  (func $open_at (export "open") (param $dir i32) (param $oflags i32) (param $rights i64) (param $name i32)
    (param $len i32) (result i32 i32)
    (call $open (local.get $dir) (i32.const 0) (local.get $name) (local.get $len) (local.get $oflags)
                (local.get $rights) (i64.const 0) (i32.const 0) (i32.const 0))
    (i32.load (i32.const 0)))
  (func (export "read_file") (result i32)
    (i32.store (i32.const 40) (i32.const 300))
    (i32.store (i32.const 44) (i32.const 8))
    (call $open_at (i32.const 3) (i32.const 0) (i64.const 2) (i32.const 100) (i32.const 5)) drop drop
    (drop (call $read (i32.load (i32.const 0)) (i32.const 40) (i32.const 1) (i32.const 48)))
    (i32.load (i32.const 48)))
  (func (export "open_for_writing") (result i32)
    (drop (call $open_at (i32.const 3) (i32.const 0) (i64.const 64) (i32.const 100) (i32.const 5))))
  (func (export "create") (result i32)
    (drop (call $open_at (i32.const 3) (i32.const 1) (i64.const 0) (i32.const 110) (i32.const 7))))
  (func (export "truncate") (result i32)
    (drop (call $open_at (i32.const 3) (i32.const 8) (i64.const 0) (i32.const 100) (i32.const 5))))
  (func (export "mkdir") (result i32) (call $mkdir (i32.const 3) (i32.const 130) (i32.const 6)))
  (func (export "mkdir_in_subdirectory") (result i32)
    (call $open_at (i32.const 3) (i32.const 2) (i64.const 0) (i32.const 120) (i32.const 3)) drop drop
    (call $mkdir (i32.load (i32.const 0)) (i32.const 130) (i32.const 6)))
  (func (export "rmdir") (result i32) (call $rmdir (i32.const 3) (i32.const 120) (i32.const 3)))
  (func (export "unlink") (result i32) (call $unlink (i32.const 3) (i32.const 100) (i32.const 5)))
  (func (export "rename") (result i32)
    (call $rename (i32.const 3) (i32.const 100) (i32.const 5) (i32.const 3) (i32.const 110) (i32.const 7)))
  (func (export "symlink") (result i32)
    (call $symlink (i32.const 100) (i32.const 5) (i32.const 3) (i32.const 110) (i32.const 7)))
  (func (export "link") (result i32)
    (call $link (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 5) (i32.const 3) (i32.const 110) (i32.const 7)))
  (func (export "path_times") (result i32)
    (call $path_times (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 5) (i64.const 0) (i64.const 0) (i32.const 10)))
  (func (export "directory_times") (result i32)
    (call $fd_times (i32.const 3) (i64.const 0) (i64.const 0) (i32.const 10)))
  (func (export "file_times") (result i32)
    (call $open_at (i32.const 3) (i32.const 0) (i64.const 2) (i32.const 100) (i32.const 5)) drop drop
    (call $fd_times (i32.load (i32.const 0)) (i64.const 0) (i64.const 0) (i32.const 10)))
  (func (export "set_size") (result i32)
    (call $open_at (i32.const 3) (i32.const 0) (i64.const 2) (i32.const 100) (i32.const 5)) drop drop
    (call $set_size (i32.load (i32.const 0)) (i64.const 1))))"""

CHANGES = (
    "open_for_writing",
    "create",
    "truncate",
    "mkdir",
    "mkdir_in_subdirectory",
    "rmdir",
    "unlink",
    "rename",
    "symlink",
    "link",
    "path_times",
    "directory_times",
    "file_times",
    "set_size",
)
ERRNO_PERM = 63


def read_only_exports(api: ModuleType, tmp_path: Path) -> tuple[Any, Any]:
    (tmp_path / "sub").mkdir()
    (tmp_path / "f.txt").write_bytes(b"contents")
    config = api.WasiConfig()
    config.preopen_dir(str(tmp_path), "/data", fs_mutable=False)
    engine = api.Engine()
    store = api.Store(engine)
    store.set_wasi(config)
    linker = api.Linker(engine)
    linker.define_wasi()
    return store, linker.instantiate(store, api.Module(engine, READ_ONLY)).exports(store)


@pytest.mark.parametrize("change", CHANGES)
def test_a_read_only_preopen_refuses_changes(api: ModuleType, tmp_path: Path, change: str) -> None:
    store, exports = read_only_exports(api, tmp_path)
    assert exports[change](store) == ERRNO_PERM
    assert sorted(path.name for path in tmp_path.iterdir()) == ["f.txt", "sub"]
    assert (tmp_path / "f.txt").read_bytes() == b"contents"


def test_a_read_only_preopen_can_be_read(api: ModuleType, tmp_path: Path) -> None:
    store, exports = read_only_exports(api, tmp_path)
    assert exports["read_file"](store) == 8
