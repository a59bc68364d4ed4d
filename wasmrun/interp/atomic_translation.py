"""The interpreter's translation of the threads proposal's instructions (atomic memory accesses).

A mixin of the translator (:mod:`wasmrun.interp.translate`): each atomic instruction becomes one
handler of the ``atomic.*`` families (:mod:`wasmrun.interp.fusion`), a call of its function in
:mod:`wasmrun.semantics.atomics` over the memory, its operands and its static offset; ``atomic.fence``
emits nothing (one thread).
"""

from __future__ import annotations

from typing import Any

from wasmrun.instructions import OPCODES

_FAMILIES = {1: "atomic.1", 2: "atomic.2", 3: "atomic.3"}


class AtomicTranslation:
    """The translator's methods for the atomic instructions (see the module docstring)."""

    def pop(self) -> Any: ...
    def emit(self, family: str, op: str | None, shape: str, *args: Any) -> Any: ...
    def result_destination(self) -> Any: ...

    def atomic(self, mnemonic: str, arity: int, has_result: bool, memarg: tuple[int, int, int]) -> None:
        operands = [self.pop() for _ in range(arity)][::-1]
        shape = "".join(operand[0] for operand in operands)
        values = [operand[1] for operand in operands]
        if has_result:
            self.emit(_FAMILIES[arity], mnemonic, shape, self.result_destination(), *values, memarg[1], memarg[2])
        else:
            self.emit("atomic.store", mnemonic, shape, *values, memarg[1], memarg[2])

    def op_atomic_fence(self, _memory: int) -> None:
        pass


def _visitor(mnemonic: str, arity: int, has_result: bool) -> Any:
    def visit(self: AtomicTranslation, memarg: tuple[int, int, int]) -> None:
        self.atomic(mnemonic, arity, has_result, memarg)

    return visit


for _info in OPCODES.values():
    if _info.proposal == "threads" and _info.width is not None:
        setattr(
            AtomicTranslation,
            "op_" + _info.mnemonic.replace(".", "_"),
            _visitor(_info.mnemonic, len(_info.params or ()), bool(_info.results)),
        )
