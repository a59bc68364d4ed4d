"""The execution engine: calls, traps and their frames, the call-depth limit, host functions,
memories, tables, instantiation order and the embedding API."""

from __future__ import annotations

import gc
import math
import struct
from typing import Any

import pytest

from wasmrun.binary.instructions import decode_function_body
from wasmrun.deftypes import function_type as canonical_function_type
from wasmrun.embedding import Store
from wasmrun.engine.interpreter import COMPILED_MARGIN, ENGINES, Interpreter
from wasmrun.errors import (
    TRAP_CALL_STACK_EXHAUSTED,
    TRAP_INDIRECT_CALL_TYPE,
    TRAP_INTEGER_DIVIDE_BY_ZERO,
    TRAP_INTEGER_OVERFLOW,
    TRAP_INVALID_CONVERSION,
    TRAP_MEMORY_OUT_OF_BOUNDS,
    TRAP_TABLE_OUT_OF_BOUNDS,
    TRAP_UNDEFINED_ELEMENT,
    TRAP_UNINITIALIZED_ELEMENT,
    TRAP_UNREACHABLE,
    ProcExit,
    Trap,
)
from wasmrun.loader import Module
from wasmrun.runtime.functions import HostFunction, WasmFunction
from wasmrun.runtime.instance import Instance
from wasmrun.runtime.linker import Linker
from wasmrun.spectest import define_spectest
from wasmrun.text.wat import parse_module
from wasmrun.types import FuncType, ValType

I32, I64, F32, F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64

# Engine configurations every behaviour must hold in: the interpreter with one handler per instruction,
# fused but cold (no runs), and runs fused from the first call; every function compiled at its first call;
# auto, compiling at the second call or loop iteration (on-stack replacement included).
CONFIGS: dict[str, dict[str, Any]] = {
    "unfused": {"engine": "interp", "fuse": False},
    "cold": {"engine": "interp", "hot_threshold": None},
    "runs": {"engine": "interp", "hot_threshold": 0},
    "compile": {"engine": "compile"},
    "auto": {"engine": "auto", "compile_threshold": 1},
}


def module(wat: str) -> Module:
    return Module.from_bytes(parse_module(wat))


def instantiate(wat: str, linker: Linker | None = None, **options: Any) -> Instance:
    if linker is None:
        linker = Linker(Store(Interpreter(**options)))
    return linker.instantiate(module(wat))


@pytest.fixture(params=list(CONFIGS), ids=list(CONFIGS))
def config(request: pytest.FixtureRequest) -> dict[str, Any]:
    return CONFIGS[request.param]


def instruction_offset(mod: Module, function_index: int, mnemonic_opcode: int, occurrence: int = 0) -> int:
    """The byte offset of the ``occurrence``-th instruction with this opcode in a function body."""
    body = decode_function_body(mod.raw, mod.body(function_index))
    offsets = [offset for opcode, _immediate, offset in body if opcode == mnemonic_opcode]
    return offsets[occurrence]


# --- calls from Python ------------------------------------------------------------------------------

ARITHMETIC = """
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "half") (param f32) (result f32) (f32.mul (local.get 0) (f32.const 0.5)))
  (func (export "fma") (param f64 f64 f64) (result f64) (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "swap") (param i32 i64) (result i64 i32) (local.get 1) (local.get 0))
  (func (export "nothing"))
  (func (export "less") (param i32 i32) (result i32) (i32.lt_s (local.get 0) (local.get 1)))
)
"""


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("add", (1, 2), 3),
        ("add", (-1, 0), -1),  # negative in, signed out
        ("add", (0x7FFFFFFF, 1), -(2**31)),  # wraps
        ("add64", (-5, 2), -3),
        ("half", (3.0,), 1.5),
        ("fma", (2.0, 3.0, 0.5), 6.5),
        ("swap", (7, -8), (-8, 7)),
        ("nothing", (), None),
        ("less", (-1, 1), 1),
    ],
)
def test_exported_function_called_from_python(config: dict[str, Any], name: str, args: tuple, expected: Any) -> None:
    assert instantiate(ARITHMETIC, **config).exports[name](*args) == expected


def test_comparison_results_leave_the_engine_as_ints() -> None:
    function = instantiate(ARITHMETIC).exports["less"]
    result = function.invoke([0xFFFFFFFF, 1])
    assert result == (1,) and type(result[0]) is int


def test_f32_arguments_are_rounded_to_binary32() -> None:
    half = instantiate(ARITHMETIC).exports["half"]
    assert half(0.1) == struct.unpack("<f", struct.pack("<f", 0.1))[0] * 0.5


@pytest.mark.parametrize(("args", "error"), [((1,), TypeError), ((1, 2**32), ValueError), ((1.5, 2), TypeError)])
def test_bad_python_arguments_are_refused(args: tuple, error: type[Exception]) -> None:
    with pytest.raises(error):
        instantiate(ARITHMETIC).exports["add"](*args)


# --- traps -------------------------------------------------------------------------------------------

TRAPS = """
(module
  (type $ii (func (param i32) (result i32)))
  (memory 1)
  (table 3 funcref)
  (elem (i32.const 0) $id)
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "unreachable") unreachable)
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "trunc") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  (func (export "load_far") (param i32) (result i32) (i32.load offset=0xFFFFFFFF (local.get 0)))
  (func (export "store") (param i32) (i64.store (local.get 0) (i64.const 1)))
  (func (export "call") (param i32) (result i32) (call_indirect (type $ii) (i32.const 5) (local.get 0)))
  (func (export "call_void") (param i32) (call_indirect (local.get 0)))
  (func (export "table_get") (param i32) (result funcref) (table.get 0 (local.get 0)))
)
"""


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("unreachable", (), TRAP_UNREACHABLE),
        ("div", (1, 0), TRAP_INTEGER_DIVIDE_BY_ZERO),
        ("div", (-(2**31), -1), TRAP_INTEGER_OVERFLOW),
        ("trunc", (math.nan,), TRAP_INVALID_CONVERSION),
        ("trunc", (3e9,), TRAP_INTEGER_OVERFLOW),
        ("load", (65532,), TRAP_MEMORY_OUT_OF_BOUNDS),
        ("load", (-1,), TRAP_MEMORY_OUT_OF_BOUNDS),  # unsigned address + offset: never from the end
        ("load_far", (1,), TRAP_MEMORY_OUT_OF_BOUNDS),
        ("store", (65529,), TRAP_MEMORY_OUT_OF_BOUNDS),
        ("call", (3,), TRAP_UNDEFINED_ELEMENT),
        ("call", (1,), f"{TRAP_UNINITIALIZED_ELEMENT} 1"),
        ("call_void", (0,), TRAP_INDIRECT_CALL_TYPE),
        ("table_get", (3,), TRAP_TABLE_OUT_OF_BOUNDS),
    ],
)
def test_trap_messages(config: dict[str, Any], name: str, args: tuple, message: str) -> None:
    with pytest.raises(Trap) as caught:
        instantiate(TRAPS, **config).exports[name](*args)
    assert caught.value.message == message


def test_load_at_the_last_valid_address_does_not_trap() -> None:
    assert instantiate(TRAPS).exports["load"](65528) == 0


FRAMES = """
(module
  (memory 1)
  (func $inner (param i32) (result i32)
    (drop (i32.load (i32.const 0)))
    (i32.load (local.get 0)))
  (func $middle (param i32) (result i32) (i32.add (call $inner (local.get 0)) (i32.const 1)))
  (func (export "outer") (param i32) (result i32) (call $middle (local.get 0)))
)
"""


def test_trap_frames_name_each_function_and_instruction_innermost_first(config: dict[str, Any]) -> None:
    mod = module(FRAMES)
    instance = Linker(Store(Interpreter(**config))).instantiate(mod)
    with pytest.raises(Trap) as caught:
        instance.exports["outer"](70000)
    load, call = 0x28, 0x10
    assert caught.value.frames == [
        (0, instruction_offset(mod, 0, load, 1)),  # the second load, even when it is fused with the first
        (1, instruction_offset(mod, 1, call)),
        (2, instruction_offset(mod, 2, call)),
    ]


def test_a_run_with_several_trapping_members_names_the_one_that_trapped() -> None:
    wat = """
    (module (memory 1)
      (func (export "f") (param i32 i32) (result i32)
        (i32.store (local.get 0) (i32.const 1))
        (i32.store (local.get 1) (i32.const 2))
        (i32.load (local.get 0))))
    """
    mod = module(wat)
    function = Linker(Store(Interpreter(engine="interp", hot_threshold=0))).instantiate(mod).exports["f"]
    assert function(0, 4) == 1
    with pytest.raises(Trap) as caught:
        function(0, 70000)
    assert caught.value.frames == [(0, instruction_offset(mod, 0, 0x36, 1))]


def test_host_trap_gets_the_frames_of_the_wasm_callers(config: dict[str, Any]) -> None:
    store = Store(Interpreter(**config))
    linker = Linker(store)

    def fail() -> None:
        raise Trap("host says no")

    linker.define("env", "fail", store.host_function(FuncType((), ()), fail))
    mod = module('(module (import "env" "fail" (func $fail)) (func (export "f") (call $fail)))')
    with pytest.raises(Trap) as caught:
        linker.instantiate(mod).exports["f"]()
    assert caught.value.frames == [(1, instruction_offset(mod, 1, 0x10))]


# --- call depth ----------------------------------------------------------------------------------------

RECURSION = """
(module
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  (func $big (export "big") (param i32) (result i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $big (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  (func $forever (export "forever") (call $forever))
)
"""


# How many frames beyond max_stack_depth each engine may allow (see wasmrun.engine.interpreter).
DEPTH_SLACK = {
    "interp": 0,
    "compile": COMPILED_MARGIN,
    "auto": COMPILED_MARGIN,
}


@pytest.mark.parametrize("engine", ENGINES)
def test_recursion_50000_deep_runs(engine: str) -> None:
    assert instantiate(RECURSION, engine=engine).exports["down"](49_999) == 49_999


@pytest.mark.parametrize("engine", ENGINES)
def test_recursion_1000000_deep_traps_cleanly(engine: str) -> None:
    with pytest.raises(Trap) as caught:
        instantiate(RECURSION, engine=engine).exports["down"](1_000_000)
    assert caught.value.message == TRAP_CALL_STACK_EXHAUSTED
    # Every engine gives the interpreter's frames: the callee that did not fit, without an offset (as
    # Wasmtime), then the 50,000 frames of the limit (compiled code may have gone DEPTH_SLACK deeper).
    frames = caught.value.frames
    assert len(frames) == 50_001 and frames[0][1] == -1


@pytest.mark.parametrize("engine", ENGINES)
def test_infinite_recursion_traps(engine: str) -> None:
    with pytest.raises(Trap, match=TRAP_CALL_STACK_EXHAUSTED):
        instantiate(RECURSION, engine=engine).exports["forever"]()


@pytest.mark.parametrize("engine", ["interp", "compile"])
@pytest.mark.parametrize(("depth", "traps"), [(99, False), (100, True)])
def test_the_depth_limit_is_configurable(engine: str, depth: int, traps: bool) -> None:
    down = instantiate(RECURSION, max_stack_depth=100, engine=engine).exports["down"]
    if traps:
        with pytest.raises(Trap, match=TRAP_CALL_STACK_EXHAUSTED):
            down(depth + DEPTH_SLACK[engine])
    else:
        assert down(depth) == depth


@pytest.mark.parametrize("engine", ["interp", "compile"])
def test_large_frames_count_as_several_frames(engine: str) -> None:
    big = instantiate(RECURSION, max_stack_depth=1000, engine=engine).exports["big"]
    assert big(400) == 400
    with pytest.raises(Trap, match=TRAP_CALL_STACK_EXHAUSTED):
        big(999)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_engine_is_usable_after_exhaustion(engine: str) -> None:
    instance = instantiate(RECURSION, engine=engine)
    with pytest.raises(Trap):
        instance.exports["forever"]()
    assert instance.exports["down"](10) == 10


# --- host functions ------------------------------------------------------------------------------------


def test_host_functions_get_canonical_values_and_their_results_are_wrapped() -> None:
    store = Store()
    linker = Linker(store)
    seen: list[tuple[Any, ...]] = []

    def host(a: int, b: int, c: float) -> tuple[int, int]:
        seen.append((a, b, c))
        return -1, -2

    linker.define("env", "host", store.host_function(FuncType((I32, I64, F64), (I32, I64)), host))
    wat = """
    (module (import "env" "host" (func $h (param i32 i64 f64) (result i32 i64)))
      (func (export "f") (result i32 i64) (call $h (i32.const -1) (i64.const 5) (f64.const 0.25))))
    """
    assert linker.instantiate(module(wat)).exports["f"]() == (-1, -2)
    assert seen == [(0xFFFFFFFF, 5, 0.25)]


def test_proc_exit_passes_through_wasm_unchanged() -> None:
    store = Store()
    linker = Linker(store)

    def exit_(code: int) -> None:
        raise ProcExit(code)

    linker.define("env", "exit", store.host_function(FuncType((I32,), ()), exit_))
    wat = '(module (import "env" "exit" (func $exit (param i32))) (func (export "f") (call $exit (i32.const 3))))'
    with pytest.raises(ProcExit) as caught:
        linker.instantiate(module(wat)).exports["f"]()
    assert caught.value.code == 3


def test_a_host_function_can_call_back_into_wasm() -> None:
    store = Store()
    linker = Linker(store)
    instances: list[Instance] = []

    def callback(n: int) -> int:
        return int(instances[0].exports["down"].invoke([n])[0]) * 2

    linker.define("env", "cb", store.host_function(FuncType((I32,), (I32,)), callback))
    wat = """
    (module (import "env" "cb" (func $cb (param i32) (result i32)))
      (func (export "down") (param i32) (result i32) (local.get 0))
      (func (export "f") (param i32) (result i32) (call $cb (local.get 0))))
    """
    instances.append(linker.instantiate(module(wat)))
    assert instances[0].exports["f"](21) == 42


def test_host_function_objects_are_callable_from_python() -> None:
    host = HostFunction(FuncType((I32,), (I32,)), lambda x: x + 1)
    assert host(-2) == -1


# --- memories, tables, globals ------------------------------------------------------------------------

MEMORY = """
(module
  (memory (export "memory") 1 3)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow_then_store") (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 70000) (i32.const 42))
    (i32.load (i32.const 70000)))
  (func (export "f32_roundtrip") (param i32) (result i32)
    (f32.store (i32.const 0) (f32.load (local.get 0)))
    (i32.load (i32.const 0)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
)
"""


def test_memory_grow_returns_the_old_size_or_minus_one(config: dict[str, Any]) -> None:
    exports = instantiate(MEMORY, **config).exports
    assert exports["grow"](1) == 1
    assert exports["grow"](5) == -1
    assert exports["size"]() == 2


def test_accesses_after_a_grow_see_the_new_size(config: dict[str, Any]) -> None:
    assert instantiate(MEMORY, **config).exports["grow_then_store"]() == 42


def test_f32_load_and_store_keep_signalling_nan_bits(config: dict[str, Any]) -> None:
    instance = instantiate(MEMORY, **config)
    instance.exports["memory"].write_i32(8, 0x7FA00001)
    assert instance.exports["f32_roundtrip"](8) & 0xFFFFFFFF == 0x7FA00001


def test_memory_fill_out_of_bounds_writes_nothing() -> None:
    instance = instantiate(MEMORY)
    with pytest.raises(Trap, match=TRAP_MEMORY_OUT_OF_BOUNDS):
        instance.exports["fill"](65530, 7, 10)
    assert instance.exports["memory"].read(65530, 6) == bytes(6)


def test_exported_memory_has_typed_accessors() -> None:
    memory = instantiate(MEMORY).exports["memory"]
    memory.write_f64(16, 1.25)
    assert memory.read_f64(16) == 1.25


def test_globals_tables_and_references() -> None:
    wat = """
    (module
      (global $g (export "g") (mut i32) (i32.const 7))
      (table $t (export "t") 2 10 funcref)
      (func $f (result i32) (i32.const 9))
      (elem declare func $f)
      (func (export "bump") (result i32) (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g))
      (func (export "grow") (result i32) (table.grow $t (ref.func $f) (i32.const 3)))
      (func (export "call") (param i32) (result i32) (call_indirect $t (result i32) (local.get 0)))
      (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
    )
    """
    exports = instantiate(wat).exports
    assert exports["bump"]() == 8
    assert exports["g"].value == 8
    assert exports["grow"]() == 2
    assert len(exports["t"].elements) == 5
    assert exports["call"](4) == 9
    assert (exports["is_null"](0), exports["is_null"](3)) == (1, 0)


# --- instantiation ------------------------------------------------------------------------------------


def test_start_function_runs_at_instantiation() -> None:
    wat = """
    (module (global (export "g") (mut i32) (i32.const 0))
      (func $start (global.set 0 (i32.const 5))) (start $start))
    """
    assert instantiate(wat).exports["g"].value == 5


def test_a_trap_in_the_start_function_fails_instantiation() -> None:
    with pytest.raises(Trap, match="unreachable"):
        instantiate("(module (func $start unreachable) (start $start))")


def test_segment_writes_before_a_trap_stay_visible() -> None:
    store = Store()
    linker = Linker(store)
    provider = linker.instantiate(module('(module (memory (export "m") 1) (table (export "t") 2 funcref))'))
    linker.define_instance("p", provider)
    wat = """
    (module (import "p" "m" (memory 1)) (import "p" "t" (table 2 funcref))
      (func $f)
      (elem (i32.const 0) $f)
      (elem (i32.const 5) $f)
      (data (i32.const 0) "ok")
      (data (i32.const 70000) "x"))
    """
    with pytest.raises(Trap, match=TRAP_TABLE_OUT_OF_BOUNDS):
        linker.instantiate(module(wat))
    assert provider.exports["t"].elements[0] is not None
    assert provider.exports["m"].read(0, 2) == bytes(2)  # data segments come after the failing element


def test_data_segment_out_of_bounds_traps_after_earlier_writes() -> None:
    store = Store()
    linker = Linker(store)
    provider = linker.instantiate(module('(module (memory (export "m") 1))'))
    linker.define_instance("p", provider)
    with pytest.raises(Trap, match=TRAP_MEMORY_OUT_OF_BOUNDS):
        linker.instantiate(
            module('(module (import "p" "m" (memory 1)) (data (i32.const 0) "ok") (data (i32.const 65535) "xy"))')
        )
    assert provider.exports["m"].read(0, 2) == b"ok"


def test_functions_are_translated_on_first_call() -> None:
    interpreter = Interpreter()
    instance = Linker(Store(interpreter)).instantiate(module(ARITHMETIC))
    add = instance.exports["add"]
    assert isinstance(add, WasmFunction)
    first_entry = add.entry
    assert add(1, 1) == 2
    assert add.entry is not first_entry


def test_simd_executes(config: dict[str, Any]) -> None:
    wat = '(module (func (export "f") (result i32) (i32x4.extract_lane 1 (v128.const i32x4 1 2 3 4))))'
    assert instantiate(wat, **config).exports["f"]() == 2


@pytest.mark.parametrize("engine", ["compile", "auto"])
def test_a_function_too_large_to_compile_in_bounded_memory_stays_interpreted(engine: str) -> None:
    """CPython needs ~5 KB per wasm instruction to compile generated source: a huge body stays interpreted."""
    from wasmrun.codegen.compiled import MAX_COMPILED_BODY_BYTES

    increments = MAX_COMPILED_BODY_BYTES // 7 + 1  # local.get 0, i32.const 1, i32.add, local.set 0: 7 bytes
    body = "(local.set 0 (i32.add (local.get 0) (i32.const 1)))" * increments
    wat = f'(module (func (export "f") (param i32) (result i32) {body} (local.get 0)))'
    interpreter = Interpreter(engine=engine, compile_threshold=0, stats=True)
    assert instantiate(wat, Linker(Store(interpreter))).exports["f"](5) == 5 + increments
    assert interpreter.counters is not None
    assert (interpreter.counters.functions["compile"], interpreter.counters.functions["interp"]) == (0, 1)


# --- the store ----------------------------------------------------------------------------------------


def test_store_close_unmaps_memories_and_is_idempotent() -> None:
    store = Store()
    memory = Linker(store).instantiate(module("(module (memory 1))")).memories[0]
    store.close()
    store.close()
    assert memory.closed and store.closed


def test_a_collected_store_unmaps_its_memories() -> None:
    store = Store()
    memory = Linker(store).instantiate(module("(module (memory 1))")).memories[0]
    del store
    gc.collect()
    assert memory.closed


def test_function_types_are_interned_per_store() -> None:
    store = Store()
    one = store.intern_type(FuncType((I32,), ()))
    assert store.intern_type(FuncType((I32,), ())) is one


def test_spectest_exports() -> None:
    store = Store()
    linker = Linker(store)
    define_spectest(linker)

    def get(name: str) -> Any:
        return linker.get("spectest", name)

    assert get("global_i32").value == 666
    assert get("global_f32").value == struct.unpack("<f", struct.pack("<f", 666.6))[0]
    assert len(get("table").elements) == 10
    assert get("memory").pages == 1
    assert get("print_i32").type is canonical_function_type(FuncType((I32,), ()))
