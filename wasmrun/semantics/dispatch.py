"""Which visitor method handles each opcode: one table for both translators.

The interpreter's translator (:mod:`wasmrun.interp.translate`) and the Python
source generator (:mod:`wasmrun.codegen.generator`) both walk a
validated body and call one method per instruction.  Each passes its own
methods for the structural instructions (control, variables, constants,
references, whose signatures differ between the two); everything else follows
one naming rule, applied here: ``op_<mnemonic>`` (dots as underscores) for the
memory, table and bulk instructions, ``numeric(mnemonic, arity)`` for the
numeric ones, ``load(mnemonic, memarg)`` and ``store(mnemonic, memarg)`` for
memory accesses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from wasmrun.instructions import OPCODES, OpInfo
from wasmrun.semantics.access import LOADS, STORES

V = TypeVar("V")
Visit = Callable[[V, Any], None]

NUMERIC_OPCODES: dict[int, OpInfo] = {
    opcode: info for opcode, info in OPCODES.items() if 0x45 <= opcode <= 0xC4 or 0xFC00 <= opcode <= 0xFC07
}
"""The numeric instructions (fixed signature, no immediate), by opcode."""

LOAD_OPCODES = {opcode: info.mnemonic for opcode, info in OPCODES.items() if info.mnemonic in LOADS}
STORE_OPCODES = {opcode: info.mnemonic for opcode, info in OPCODES.items() if info.mnemonic in STORES}

_BY_NAME = (
    "memory.size",
    "memory.grow",
    "memory.fill",
    "memory.copy",
    "memory.init",
    "data.drop",
    "table.get",
    "table.set",
    "table.size",
    "table.grow",
    "table.fill",
    "table.copy",
    "table.init",
    "elem.drop",
)


def _numeric(mnemonic: str, arity: int) -> Visit[Any]:
    return lambda self, _immediate: self.numeric(mnemonic, arity)


def _load(mnemonic: str) -> Visit[Any]:
    return lambda self, memarg: self.load(mnemonic, memarg)


def _store(mnemonic: str) -> Visit[Any]:
    return lambda self, memarg: self.store(mnemonic, memarg)


def instruction_table(visitor: type[V], structural: dict[int, Visit[V]]) -> dict[int, Visit[V]]:
    """Opcode -> method of ``visitor``: ``structural`` plus the named, numeric and memory instructions."""
    table: dict[int, Visit[V]] = dict(structural)
    for opcode, info in OPCODES.items():
        if info.mnemonic in _BY_NAME:
            table[opcode] = getattr(visitor, "op_" + info.mnemonic.replace(".", "_"))
    for opcode, info in NUMERIC_OPCODES.items():
        table[opcode] = _numeric(info.mnemonic, len(info.params or ()))
    for opcode, mnemonic in LOAD_OPCODES.items():
        table[opcode] = _load(mnemonic)
    for opcode, mnemonic in STORE_OPCODES.items():
        table[opcode] = _store(mnemonic)
    return table
