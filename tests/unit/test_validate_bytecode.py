"""The validator's fast path (wasmrun.validation.bytecode): it takes the bodies compilers emit, and no body
the exact path (decoding, then typing instruction by instruction) refuses.

The fast path is only ever asked through :func:`wasmrun.validation.validate_module`; these tests watch
what it says about each body by wrapping :func:`wasmrun.validation.bytecode.check_bodies`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable

import pytest
from wasm_bytes import END, F32, FUNCREF, I32, I64, body, functype, module, section, u32, vec

from wasmrun.binary.decoder import decode_module
from wasmrun.errors import DecodeError, ValidationError
from wasmrun.features import WASM_2_0
from wasmrun.loader import to_binary
from wasmrun.validation import bytecode, validate_module
from wasmrun.validation.context import Context

PRELUDE = """
  (type $i_i (func (param i32) (result i32)))
  (type $v_v (func))
  (import "env" "g" (global $g (mut i32)))
  (import "env" "c" (global $c i64))
  (memory 1)
  (table 2 funcref)
  {tag}
  (func $callee (param i32) (result i32) local.get 0)
"""

# Bodies the fast path must take (each the second function, $f: (param i32) (result i32), locals $x i64,
# $y f32, $z f64).
TAKEN: dict[str, str] = {
    "locals and constants": "local.get 0 i32.const 100000 i32.add local.tee 0 i64.extend_i32_u local.set $x "
    "i64.const -1 local.get $x i64.add drop f32.const 1.5 local.set $y f64.const 2 local.set $z local.get 0",
    "loads and stores": "local.get 0 i32.load offset=4 local.get 0 i32.load8_u i32.store16 offset=300 align=1 "
    "local.get 0 i64.load align=4 i64.const 3 i64.add local.set $x local.get 0 local.get $x i64.store offset=70000 "
    "local.get 0 f64.load local.set $z i32.const 0",
    "blocks and branches": "block $b (result i32) i32.const 1 local.get 0 br_if $b drop block "
    "local.get 0 br_if 0 i32.const 5 local.get 0 i32.eqz br_if 1 drop end i32.const 2 br $b end",
    "loop": "loop $l (result i32) local.get 0 i32.const 1 i32.sub local.tee 0 br_if $l local.get 0 end",
    "if and else": "local.get 0 if (result i32) i32.const 1 else i32.const 2 end local.get 0 if nop end",
    "br_table": "block block block local.get 0 br_table 0 1 2 end end end local.get 0",
    "return": "block local.get 0 return end i32.const 0",
    "unreachable": "block local.get 0 br_if 0 unreachable end local.get 0",
    "calls": "local.get 0 call $callee local.get 0 i32.const 1 call_indirect (type $i_i) i32.add",
    "globals": "global.get $g local.get 0 i32.add global.set $g global.get $c drop global.get $g",
    "select and drop": "local.get 0 local.get 0 local.get 0 select i64.const 1 drop",
    "comparisons and conversions": "local.get $x i64.const 0 i64.lt_s f32.const 1 f32.const 2 f32.eq i32.and "
    "f64.const 1 i32.trunc_f64_s i32.add f32.const 1 i32.trunc_sat_f32_u i32.add",
    "memory instructions": "memory.size memory.grow drop i32.const 0 i32.const 0 i32.const 1 memory.fill "
    "i32.const 0 i32.const 8 i32.const 1 memory.copy local.get 0",
    "try_table and throw": "block $h (result i32) try_table (catch $e $h) local.get 0 throw $e end i32.const 0 end",
    "catch_all_ref and throw_ref": "block $h (result exnref) try_table (catch_all_ref $h) local.get 0 drop end "
    "local.get 0 return end throw_ref",
    "catch_all and no catch": "block $c try_table (catch_all $c) try_table nop end end end local.get 0",
}


TAG = "(tag $e (param i32))"  # (exception handling: not in a WebAssembly 2.0 module)


def _wat(instructions: str, tag: str = TAG) -> bytes:
    text = f"(module {PRELUDE.format(tag=tag)} (func $f (param i32) (result i32) (local $x i64) (local $y f32) (local $z f64)\n"
    return to_binary((text + instructions + "))").encode())


Watch = Callable[[bytes], tuple[list[bool], Exception | None]]


@pytest.fixture
def watch(monkeypatch: pytest.MonkeyPatch) -> Watch:
    """Validate a module, returning what the fast path said of each body (True: taken) and the error, if any."""
    seen: list[bool] = []
    check_bodies = bytecode.check_bodies

    def recording(context: Context, code: bytes, bodies: Iterable[bytecode.Body], tables: bytecode.Tables) -> list[int]:
        listed = list(bodies)
        refused = check_bodies(context, code, listed, tables)
        seen.extend(index not in refused for index in range(len(listed)))
        return refused

    monkeypatch.setattr(bytecode, "check_bodies", recording)

    def run(binary: bytes) -> tuple[list[bool], Exception | None]:
        seen.clear()
        try:
            validate_module(decode_module(binary))
        except (DecodeError, ValidationError) as error:
            return list(seen), error
        return list(seen), None

    return run


@pytest.mark.parametrize("instructions", TAKEN.values(), ids=TAKEN.keys())
def test_the_fast_path_takes_what_compilers_emit(instructions: str, watch: Watch) -> None:
    assert watch(_wat(instructions)) == ([True, True], None)


def _one_function(code: bytes, params: bytes = b"", results: bytes = b"", *sections: bytes) -> bytes:
    """A module of one function ``params -> results`` with a memory, a table and the extra ``sections``
    (given in section order: they go after the memory)."""
    return module(
        section(1, vec(functype(params, results))),
        section(3, vec(u32(0))),
        section(4, vec(bytes([FUNCREF]) + b"\x00\x01")),
        section(5, vec(b"\x00\x01")),
        *sections,
        section(10, vec(body(code + END, (1, I64)))),
    )


def _padded(n: int) -> bytes:
    """``n`` as a five-byte u32 (as linkers leave relocated indices)."""
    return bytes(((n >> shift) & 0x7F | 0x80) for shift in (0, 7, 14, 21)) + bytes((n >> 28,))


TAKEN_BYTES: dict[str, bytes] = {
    "padded local index": _one_function(b"\x20" + _padded(0) + b"\x1a"),
    "padded constant": _one_function(b"\x41\xff\xff\xff\xff\x07\x1a"),
    "padded memory offset": _one_function(b"\x41\x00\x28\x02" + _padded(70000) + b"\x1a"),
    "padded call_indirect indices": _one_function(b"\x41\x00\x11" + _padded(0) + _padded(0)),
    "unreachable twice": _one_function(b"\x00\x00", b"", bytes([I32])),
    "f32 block": _one_function(b"\x02\x7d\x43\x00\x00\x00\x00\x0b\x1a"),
    "f32 parameter set": _one_function(b"\x43\x00\x00\x00\x00\x21\x00", bytes([F32])),
    "two-byte br_table labels": _one_function(b"\x02\x40" * 130 + b"\x41\x00\x0e\x01\x81\x01\x00" + END * 130),
}


@pytest.mark.parametrize("binary", TAKEN_BYTES.values(), ids=TAKEN_BYTES.keys())
def test_the_fast_path_takes_long_encodings(binary: bytes, watch: Watch) -> None:
    assert watch(binary) == ([True], None)


def _with_a_data_segment(code: bytes) -> bytes:
    """A module of one function ``[] -> []`` with a memory and one passive data segment (counted)."""
    return module(
        section(1, vec(functype())),
        section(3, vec(u32(0))),
        section(5, vec(b"\x00\x01")),
        section(12, u32(1)),
        section(10, vec(body(code + END))),
        section(11, vec(b"\x01" + vec())),
    )


# Bodies the fast path must leave to the exact path: invalid, malformed, typed by rules it does not have,
# or using data segments (the data count check relies on it).  ``None``: a valid body.
REFUSED: dict[str, tuple[bytes, str | None]] = {
    "operand of the wrong type": (_one_function(b"\x42\x00\x41\x00\x6a\x1a"), "type mismatch"),
    "missing operand": (_one_function(b"\x41\x00\x6a\x1a"), "type mismatch"),
    "value left at the end": (_one_function(b"\x41\x00"), "type mismatch"),
    "result missing": (_one_function(b"", results=bytes([I32])), "type mismatch"),
    "unknown local": (_one_function(b"\x20\x05\x1a"), "unknown local 5"),
    "unknown local, five bytes": (_one_function(b"\x20" + _padded(5) + b"\x1a"), "unknown local 5"),
    "unknown function": (_one_function(b"\x10\x01"), "unknown function 1"),
    "unknown global": (_one_function(b"\x23\x00\x1a"), "unknown global 0"),
    "unknown label": (_one_function(b"\x0c\x01"), "unknown label 1"),
    "unknown type": (_one_function(b"\x41\x00\x11\x01\x00"), "unknown type 1"),
    "unknown table": (_one_function(b"\x41\x00\x11\x00\x01"), "unknown table 1"),
    "alignment over natural": (_one_function(b"\x41\x00\x28\x03\x00\x1a"), "alignment must not be larger"),
    "offset past 32 bits": (_one_function(b"\x41\x00\x28\x02\x80\x80\x80\x80\x10\x1a"), "offset out of range"),
    "u32 too long": (_one_function(b"\x20\x80\x80\x80\x80\x80\x00\x1a"), "integer representation too long"),
    "u32 too large": (_one_function(b"\x20\x80\x80\x80\x80\x10\x1a"), "integer too large"),
    "s32 too large": (_one_function(b"\x41\x80\x80\x80\x80\x08\x1a"), "integer too large"),
    "s64 too large": (_one_function(b"\x42" + b"\x80" * 9 + b"\x02\x1a"), "integer too large"),
    "illegal opcode": (_one_function(b"\xff"), "illegal opcode"),
    "else without if": (_one_function(b"\x02\x40\x05\x0b"), "END opcode expected"),
    "second else": (_one_function(b"\x41\x00\x04\x40\x05\x05\x0b"), "END opcode expected"),
    "end before the body's end": (_one_function(b"\x0b\x01"), "section size mismatch"),
    "if without else changing type": (_one_function(b"\x41\x00\x04\x7f\x41\x00\x0b\x1a"), "type mismatch"),
    "br_if label of the wrong type": (
        _one_function(b"\x02\x7f\x42\x00\x41\x00\x0d\x00\x1a\x41\x00\x0b\x1a"),
        "type mismatch",
    ),
    "br_table of different arities": (
        _one_function(b"\x02\x7f\x02\x40\x41\x00\x41\x00\x0e\x01\x00\x01\x0b\x41\x00\x0b\x1a"),
        "type mismatch",
    ),
    "immutable global set": (
        _one_function(b"\x41\x00\x24\x00", b"", b"", section(6, vec(bytes([I32, 0]) + b"\x41\x00" + END))),
        "immutable global",
    ),
    "memory without a memory": (
        module(section(1, vec(functype())), section(3, vec(u32(0))), section(10, vec(body(b"\x3f\x00\x1a" + END)))),
        "unknown memory 0",
    ),
    "drop of nothing": (_one_function(b"\x1a"), "type mismatch"),
    "select of different types": (_one_function(b"\x41\x00\x42\x00\x41\x00\x1b\x1a"), "type mismatch"),
    "memory.init": (_with_a_data_segment(b"\x41\x00\x41\x00\x41\x00\xfc\x08\x00\x00"), None),
    "data.drop": (_with_a_data_segment(b"\xfc\x09\x00"), None),
    "code after a branch": (_one_function(b"\x0c\x00\x41\x00\x1a"), None),
    "block with a type index": (_one_function(b"\x02\x00\x0b"), None),
    "typed select": (_one_function(b"\x41\x00\x41\x00\x41\x00\x1c\x01\x7f\x1a"), None),
    "return with a subtype": (_one_function(b"\xd0\x70\x0f", b"", bytes([FUNCREF])), None),
    "block taking the stack in unreachable code": (_one_function(b"\x00\x02\x40\x0b"), None),
}


@pytest.mark.parametrize(("binary", "expected"), REFUSED.values(), ids=REFUSED.keys())
def test_the_fast_path_leaves_the_rest_to_the_exact_path(binary: bytes, expected: str | None, watch: Watch) -> None:
    verdicts, error = watch(binary)
    assert verdicts == [False]
    if expected is None:
        assert error is None
    else:
        assert error is not None and expected in str(error)


# Exception handling the fast path leaves to the exact path (the second function of each module).
REFUSED_EXCEPTIONS: dict[str, tuple[str, str | None]] = {
    "catch label of the wrong type": ("block $h try_table (catch $e $h) nop end end local.get 0", "type mismatch"),
    "catch_all_ref to a label without exnref": (
        "block $h (result i32) try_table (catch_all_ref $h) nop end i32.const 0 end",
        "type mismatch",
    ),
    "throw of the wrong payload": ("i64.const 0 throw $e", "type mismatch"),
    "throw_ref of an i32": ("local.get 0 throw_ref", "type mismatch"),
    "unknown tag": ("local.get 0 throw 1", "unknown tag 1"),
    "code after throw": ("local.get 0 throw $e i32.const 0", None),
    "catch_ref (a label of two types)": (
        "block $h (result i32 exnref) try_table (catch_ref $e $h) nop end i32.const 0 ref.null exn end drop",
        None,
    ),
}


@pytest.mark.parametrize(("instructions", "expected"), REFUSED_EXCEPTIONS.values(), ids=REFUSED_EXCEPTIONS.keys())
def test_exception_bodies_it_cannot_take_go_to_the_exact_path(
    instructions: str, expected: str | None, watch: Watch
) -> None:
    verdicts, error = watch(_wat(instructions))
    assert verdicts == [True, False]
    if expected is None:
        assert error is None
    else:
        assert error is not None and expected in str(error)


def test_a_2_0_script_gets_the_fast_path_too(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[int]] = []
    check_bodies = bytecode.check_bodies
    monkeypatch.setattr(bytecode, "check_bodies", lambda *args: seen.append(check_bodies(*args)) or seen[-1])
    validate_module(decode_module(_wat(TAKEN["loads and stores"], tag="")), WASM_2_0, as_version=True)
    assert seen == [[]]


def _exact_verdict(binary: bytes, monkeypatch: pytest.MonkeyPatch) -> str | None:
    with monkeypatch.context() as patch:
        patch.setattr(bytecode, "check_bodies", lambda context, code, bodies, tables: list(range(len(list(bodies)))))
        try:
            validate_module(decode_module(binary))
        except (DecodeError, ValidationError) as error:
            return str(error)
    return None


SEEDS = range(40)


@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_bodies_get_the_exact_paths_verdict(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bytes of the code section changed at random: every verdict is the exact path's."""
    rng = random.Random(seed)
    sources = [_wat(instructions) for instructions in TAKEN.values()] + list(TAKEN_BYTES.values())
    for _ in range(25):
        original = rng.choice(sources)
        code = decode_module(original).section_offset(10)
        assert code is not None
        mutated = bytearray(original)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(code + 1, len(mutated))
            mutated[at] = rng.choice((rng.randrange(256), mutated[at] ^ 0x80, mutated[at] + 1 & 0xFF))
        binary = bytes(mutated)
        try:
            decode_module(binary)
        except DecodeError:
            continue
        try:
            validate_module(decode_module(binary))
            verdict = None
        except (DecodeError, ValidationError) as error:
            verdict = str(error)
        assert verdict == _exact_verdict(binary, monkeypatch), binary.hex()
