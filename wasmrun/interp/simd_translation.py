"""Translating the SIMD (v128) instructions into superinstructions (see :mod:`wasmrun.interp.translate`).

A v128 is an ordinary value of the frame (a Python ``int`` in ``[0, 2**128)``),
so locals, globals, ``select``, calls and block results need nothing here.  Each
SIMD instruction becomes handlers of the existing families, whose expression
``{E}`` is a call of the instruction's function of :mod:`wasmrun.semantics.simd`
over the family's sources, in order (the interpreter puts those functions in
its handlers' namespace):

* ``v128.const`` is a constant operand, like ``i32.const``;
* lane operations are ``unop``/``binop``/``ternop``; an immediate (a lane
  index, the 16 lane indices of ``i8x16.shuffle``) is a constant first source,
  as the functions take it first;
* ``v128.load``/``v128.store`` have their own families (one 16-byte access);
* the other memory instructions are a scalar load or store (its own bounds
  check, so the out-of-bounds trap comes only from the access) paired with the
  lane operation that is their lane part: ``v128.load8x8_s`` is ``i64.load``
  then ``i16x8.extend_low_i8x16_s``, ``v128.load16_lane`` is ``i32.load16_u``
  then ``i16x8.replace_lane``, ``v128.store32_lane`` is ``i32x4.extract_lane``
  then ``i32.store``, ``v128.load32_zero`` is just ``i32.load``.  The two
  handlers carry the wasm instruction's offset; a hot function's runs fuse them.

No SIMD instruction fuses with a branch, and none traps except by its access.
The compiled tier does not generate SIMD: a function containing a SIMD
instruction stays interpreted (:func:`function_uses_simd`, the one rule: see
:mod:`wasmrun.engine.interpreter`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from wasmrun.binary.instructions import decode_function_body
from wasmrun.instructions import OPCODES
from wasmrun.module import Module

Operand = tuple[str, Any]


if TYPE_CHECKING:  # a Protocol class costs start-up time; only the type checker needs it

    class SimdTranslator(Protocol):
        """What this module uses of :class:`wasmrun.interp.translate._Translator`."""

        def emit(self, family: str, op: str | None, shape: str, *args: Any) -> list[Any]: ...

        def pop(self) -> Operand: ...

        def push_slot(self) -> int: ...

        def result_destination(self) -> int: ...

        def constant(self, value: Any) -> None: ...

        def numeric(self, mnemonic: str, arity: int) -> None: ...

        def load(self, mnemonic: str, memarg: tuple[int, int, int]) -> None: ...

        def store(self, mnemonic: str, memarg: tuple[int, int, int]) -> None: ...


Translate = Callable[[Any, Any], None]

# Memory instructions as a scalar load then a lane operation on the loaded value (see the module docstring).
LOAD_THEN: dict[str, tuple[str, str]] = {
    "v128.load8x8_s": ("i64.load", "i16x8.extend_low_i8x16_s"),
    "v128.load8x8_u": ("i64.load", "i16x8.extend_low_i8x16_u"),
    "v128.load16x4_s": ("i64.load", "i32x4.extend_low_i16x8_s"),
    "v128.load16x4_u": ("i64.load", "i32x4.extend_low_i16x8_u"),
    "v128.load32x2_s": ("i64.load", "i64x2.extend_low_i32x4_s"),
    "v128.load32x2_u": ("i64.load", "i64x2.extend_low_i32x4_u"),
    "v128.load8_splat": ("i32.load8_u", "i8x16.splat"),
    "v128.load16_splat": ("i32.load16_u", "i16x8.splat"),
    "v128.load32_splat": ("i32.load", "i32x4.splat"),
    "v128.load64_splat": ("i64.load", "i64x2.splat"),
}

# Loads whose zero-extended scalar is the v128 itself.
LOAD_ZERO: dict[str, str] = {"v128.load32_zero": "i32.load", "v128.load64_zero": "i64.load"}

# Lane loads: the scalar load and the replace_lane that puts the value in the operand's lane.
LOAD_LANE: dict[str, tuple[str, str]] = {
    "v128.load8_lane": ("i32.load8_u", "i8x16.replace_lane"),
    "v128.load16_lane": ("i32.load16_u", "i16x8.replace_lane"),
    "v128.load32_lane": ("i32.load", "i32x4.replace_lane"),
    "v128.load64_lane": ("i64.load", "i64x2.replace_lane"),
}

# Lane stores: the extract_lane that reads the lane and the scalar store that writes it.
STORE_LANE: dict[str, tuple[str, str]] = {
    "v128.store8_lane": ("i8x16.extract_lane_u", "i32.store8"),
    "v128.store16_lane": ("i16x8.extract_lane_u", "i32.store16"),
    "v128.store32_lane": ("i32x4.extract_lane", "i32.store"),
    "v128.store64_lane": ("i64x2.extract_lane", "i64.store"),
}


def function_uses_simd(
    module: Module, function_index: int, instructions: Sequence[tuple[int, Any, int]] | None = None
) -> bool:
    """Whether defined function ``function_index`` contains a SIMD instruction (reachable or not).

    A body without the SIMD instructions' prefix byte (0xFD) anywhere has none (a C-level scan); only
    one with it (as a prefix, or inside an immediate) is looked at instruction
    by instruction: ``instructions``, its decoded body if given, else decoded here.
    """
    body = module.body(function_index)
    if module.raw.find(_SIMD_PREFIX, body.code_start, body.end) < 0:  # the SIMD prefix byte: nowhere, no SIMD
        return False
    if instructions is None:
        instructions = decode_function_body(module.raw, body)
    return any(opcode in _SIMD_OPCODES for opcode, _immediate, _offset in instructions)


_SIMD_OPCODES = frozenset(opcode for opcode, info in OPCODES.items() if info.is_simd)
(_SIMD_PREFIX,) = {OPCODES[opcode].encoding[:1] for opcode in _SIMD_OPCODES}  # they all share one


# --- the translations ----------------------------------------------------------------------------


def ternop(t: SimdTranslator, mnemonic: str, x: Operand, y: Operand, z: Operand) -> None:
    t.emit("ternop", mnemonic, x[0] + y[0] + z[0], t.result_destination(), x[1], y[1], z[1])


def lane_operation(mnemonic: str, arity: int) -> Translate:
    """A lane operation without immediate: ``unop``/``binop`` (via the translator) or ``ternop``."""
    if arity < 3:
        return lambda t, _immediate: t.numeric(mnemonic, arity)

    def translate(t: SimdTranslator, _immediate: None) -> None:
        z = t.pop()
        y = t.pop()
        x = t.pop()
        ternop(t, mnemonic, x, y, z)

    return translate


def with_immediate(mnemonic: str, arity: int) -> Translate:
    """A lane operation with an immediate (lane index, shuffle lanes): it is the constant first source."""
    if arity == 1:

        def translate_unary(t: SimdTranslator, immediate: Any) -> None:
            v = t.pop()
            t.emit("binop", mnemonic, "c" + v[0], t.result_destination(), immediate, v[1])

        return translate_unary

    def translate_binary(t: SimdTranslator, immediate: Any) -> None:
        y = t.pop()
        x = t.pop()
        ternop(t, mnemonic, ("c", immediate), x, y)

    return translate_binary


def translate_const(t: SimdTranslator, value: int) -> None:
    t.constant(value)


def translate_load(t: SimdTranslator, memarg: tuple[int, int, int]) -> None:
    x = t.pop()
    t.emit("v128.load", None, x[0], t.result_destination(), x[1], memarg[1], memarg[2])


def translate_store(t: SimdTranslator, memarg: tuple[int, int, int]) -> None:
    y = t.pop()
    x = t.pop()
    t.emit("v128.store", None, x[0] + y[0], x[1], y[1], memarg[1], memarg[2])


def load_then(load: str, operation: str) -> Translate:
    def translate(t: SimdTranslator, memarg: tuple[int, int, int]) -> None:
        x = t.pop()
        slot = t.push_slot()  # the address's own slot: the load has read it
        t.emit("load", load, x[0], slot, x[1], memarg[1], memarg[2])
        t.numeric(operation, 1)

    return translate


def load_zero(load: str) -> Translate:
    return lambda t, memarg: t.load(load, memarg)


def load_lane(load: str, replace: str) -> Translate:
    def translate(t: SimdTranslator, immediate: tuple[int, int, int, int]) -> None:
        _align, offset, lane, memory = immediate
        v = t.pop()
        x = t.pop()
        # The scalar goes to the address's slot (read by then); v is in its own slot, a local or a constant.
        slot = t.push_slot()
        t.emit("load", load, x[0], slot, x[1], offset, memory)
        t.pop()
        ternop(t, replace, ("c", lane), v, ("r", slot))

    return translate


def store_lane(extract: str, store: str) -> Translate:
    def translate(t: SimdTranslator, immediate: tuple[int, int, int, int]) -> None:
        align, offset, lane, memory = immediate
        v = t.pop()
        slot = t.push_slot()  # v's own slot: the lane replaces the vector as the stored operand
        t.emit("binop", extract, "c" + v[0], slot, lane, v[1])
        t.store(store, (align, offset, memory))

    return translate


def simd_translations() -> dict[int, Translate]:
    """Opcode -> translation, for every SIMD instruction of the table (by its mnemonic and immediate kind); each
    is called as ``translation(translator, immediate)``."""
    translations: dict[int, Translate] = {}
    for opcode, info in OPCODES.items():
        if not info.is_simd:
            continue
        mnemonic = info.mnemonic
        arity = len(info.params or ())
        if mnemonic == "v128.const":
            translations[opcode] = translate_const
        elif mnemonic == "v128.load":
            translations[opcode] = translate_load
        elif mnemonic == "v128.store":
            translations[opcode] = translate_store
        elif mnemonic in LOAD_THEN:
            translations[opcode] = load_then(*LOAD_THEN[mnemonic])
        elif mnemonic in LOAD_ZERO:
            translations[opcode] = load_zero(LOAD_ZERO[mnemonic])
        elif mnemonic in LOAD_LANE:
            translations[opcode] = load_lane(*LOAD_LANE[mnemonic])
        elif mnemonic in STORE_LANE:
            translations[opcode] = store_lane(*STORE_LANE[mnemonic])
        elif info.immediate == "none":
            translations[opcode] = lane_operation(mnemonic, arity)
        elif info.immediate in ("lane", "shuffle"):
            translations[opcode] = with_immediate(mnemonic, arity)
        # Otherwise none: the translator's covers() names the row (tests/project/test_instruction_table.py).
    return translations
