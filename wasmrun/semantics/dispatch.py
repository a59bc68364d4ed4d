"""Which visitor method handles each instruction: one rule for both translators, read from the table.

The interpreter's translator (:mod:`wasmrun.interp.translate`) and the Python
source generator (:mod:`wasmrun.codegen.generator`) both walk a validated body
and call one method per instruction.  Which one follows from the instruction
table: ``numeric(mnemonic, arity)`` for the scalar numeric instructions,
``multi_result(mnemonic, arity, count)`` for those with several results,
``load(mnemonic, memarg)`` and ``store(mnemonic, memarg)`` for the scalar
memory accesses, and ``op_<mnemonic>`` (dots as underscores) for every other
instruction -- control, variables, constants, references, tables, bulk memory.
Two encodings with one mnemonic (``select``, typed or not) share a method; a
visitor may alias one method for several mnemonics (``op_i64_const =
op_i32_const``) and may give the rows of a whole proposal to one translator of
its own (``extra``: the interpreter's SIMD translations).

This module also says which instructions have semantics (:func:`covers`): the
numeric rules of :mod:`wasmrun.semantics.numeric` and the lane rules of
:mod:`wasmrun.semantics.simd`, which both tiers share.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from wasmrun.instructions import OPCODES, InstructionInfo
from wasmrun.semantics.access import LOADS, STORES

V = TypeVar("V")
Visit = Callable[[V, Any], None]

NUMERIC_OPCODES: dict[int, InstructionInfo] = {
    opcode: info
    for opcode, info in OPCODES.items()
    if info.is_numeric and not info.is_simd and len(info.results or ()) == 1
}
"""The scalar numeric instructions (fixed signature, no immediate, one result), by opcode."""

MULTI_RESULT_OPCODES: dict[int, InstructionInfo] = {
    opcode: info
    for opcode, info in OPCODES.items()
    if info.is_numeric and not info.is_simd and len(info.results or ()) > 1
}
"""The scalar numeric instructions with several results (wide arithmetic), by opcode: their function
returns the results as a tuple, in stack order."""

LOAD_OPCODES = {opcode: info.mnemonic for opcode, info in OPCODES.items() if info.mnemonic in LOADS}
STORE_OPCODES = {opcode: info.mnemonic for opcode, info in OPCODES.items() if info.mnemonic in STORES}


def method_name(info: InstructionInfo) -> str:
    """The visitor method of an instruction that has no generic visitor: ``op_<mnemonic>``."""
    return "op_" + info.mnemonic.replace(".", "_")


def _numeric(mnemonic: str, arity: int) -> Visit[Any]:
    return lambda self, _immediate: self.numeric(mnemonic, arity)


def _multi_result(mnemonic: str, arity: int, count: int) -> Visit[Any]:
    return lambda self, _immediate: self.multi_result(mnemonic, arity, count)


def _load(mnemonic: str) -> Visit[Any]:
    return lambda self, memarg: self.load(mnemonic, memarg)


def _store(mnemonic: str) -> Visit[Any]:
    return lambda self, memarg: self.store(mnemonic, memarg)


def visitor_table(visitor: type[V], extra: Mapping[int, Visit[V]] | None = None) -> dict[int, Visit[V]]:
    """Opcode -> how ``visitor`` handles it (see the module docstring); rows it has no method for are left out."""
    table: dict[int, Visit[V]] = {}
    for opcode, info in OPCODES.items():
        if opcode in NUMERIC_OPCODES:
            table[opcode] = _numeric(info.mnemonic, len(info.params or ()))
        elif opcode in MULTI_RESULT_OPCODES:
            if hasattr(visitor, "multi_result"):
                table[opcode] = _multi_result(info.mnemonic, len(info.params or ()), len(info.results or ()))
        elif opcode in LOAD_OPCODES:
            table[opcode] = _load(info.mnemonic)
        elif opcode in STORE_OPCODES:
            table[opcode] = _store(info.mnemonic)
        else:
            method = getattr(visitor, method_name(info), None)
            if method is not None:
                table[opcode] = method
    if extra:
        table.update(extra)
    return table


def covers(info: InstructionInfo) -> bool:
    """Whether the instruction's semantics are written, when it has any of its own (numeric and SIMD ones)."""
    if info.opcode in NUMERIC_OPCODES or info.opcode in MULTI_RESULT_OPCODES:
        from wasmrun.semantics import numeric

        return hasattr(numeric, info.mnemonic.replace(".", "_"))
    if info.is_simd and info.width is None and info.immediate != "v128":
        from wasmrun.semantics import simd

        return info.mnemonic in simd.SIMD_FUNCTIONS
    return True
