"""The threads proposal's instructions in generated code: each atomic access is a call of its function in
:mod:`wasmrun.semantics.atomics` (as in the interpreter) over the memory, its operands and its static
offset, a line that may trap; ``atomic.fence`` emits nothing (one thread)."""

from __future__ import annotations

from typing import Any

from wasmrun.codegen.emitter import TRAPS, Emitter
from wasmrun.instructions import OPCODES


class AtomicInstructions(Emitter):
    """The atomic memory instructions, ``memory.atomic.wait32/64``, ``memory.atomic.notify``, ``atomic.fence``."""

    def pop_codes(self, count: int) -> Any: ...

    def atomic(self, mnemonic: str, arity: int, has_result: bool, memarg: tuple[int, int, int]) -> None:
        operands = self.pop_codes(arity)
        call = f"{mnemonic.replace('.', '_')}({', '.join((f'm{memarg[2]}', *operands, str(memarg[1])))})"
        if not has_result:
            self.emit(call, TRAPS)
            return
        name, push = self.destination()
        self.emit(f"{name} = {call}", TRAPS)
        if push:
            self.push_result(name)

    def op_atomic_fence(self, _memory: int) -> None:
        pass


def _visitor(mnemonic: str, arity: int, has_result: bool) -> Any:
    def visit(self: AtomicInstructions, memarg: tuple[int, int, int]) -> None:
        self.atomic(mnemonic, arity, has_result, memarg)

    return visit


for _info in OPCODES.values():
    if _info.proposal == "threads" and _info.width is not None:
        setattr(
            AtomicInstructions,
            "op_" + _info.mnemonic.replace(".", "_"),
            _visitor(_info.mnemonic, len(_info.params or ()), bool(_info.results)),
        )
