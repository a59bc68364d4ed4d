"""The threads proposal's instructions as one thread sees them: both tiers call these functions.

wasmrun runs one thread, so an atomic access is an ordinary access that also traps ``unaligned atomic``
when its effective address is not a multiple of its width; ``atomic.fence`` does nothing.  Nothing can
ever wake a waiter: ``memory.atomic.notify`` wakes no one (0), and ``memory.atomic.wait32/64`` returns 1
("not-equal") when the value differs, else sleeps out its timeout and returns 2 ("timed-out"), or, with a
negative timeout, sleeps until the run's deadline (``--timeout``) interrupts it.  A wait on a memory that
is not shared traps ``expected shared memory``.

Every function takes the memory instance, the operands in stack order, then the static offset; the name
of each is the mnemonic with underscores (:data:`ATOMIC_FUNCTIONS`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from wasmrun.errors import TRAP_EXPECTED_SHARED_MEMORY, TRAP_MEMORY_OUT_OF_BOUNDS, TRAP_UNALIGNED_ATOMIC, Trap
from wasmrun.instructions import OPCODES
from wasmrun.runtime.interrupt import interruptible


def _address(memory: Any, address: int, offset: int, width: int) -> int:
    effective = address + offset
    if effective + width > len(memory.view):
        raise Trap(TRAP_MEMORY_OUT_OF_BOUNDS)
    if effective % width:
        raise Trap(TRAP_UNALIGNED_ATOMIC)
    return effective


def _read(memory: Any, effective: int, width: int) -> int:
    return int.from_bytes(memory.view[effective : effective + width], "little")


def _write(memory: Any, effective: int, width: int, value: int) -> None:
    memory.view[effective : effective + width] = (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")


def _load(width: int) -> Callable[..., int]:
    def load(memory: Any, address: int, offset: int) -> int:
        return _read(memory, _address(memory, address, offset, width), width)

    return load


def _store(width: int) -> Callable[..., None]:
    def store(memory: Any, address: int, value: int, offset: int) -> None:
        _write(memory, _address(memory, address, offset, width), width, value)

    return store


_RMW: dict[str, Callable[[int, int], int]] = {
    "add": lambda old, value: old + value,
    "sub": lambda old, value: old - value,
    "and": lambda old, value: old & value,
    "or": lambda old, value: old | value,
    "xor": lambda old, value: old ^ value,
    "xchg": lambda old, value: value,
}


def _rmw(width: int, operation: Callable[[int, int], int]) -> Callable[..., int]:
    def rmw(memory: Any, address: int, value: int, offset: int) -> int:
        effective = _address(memory, address, offset, width)
        old = _read(memory, effective, width)
        _write(memory, effective, width, operation(old, value))
        return old

    return rmw


def _cmpxchg(width: int) -> Callable[..., int]:
    mask = (1 << (8 * width)) - 1

    def cmpxchg(memory: Any, address: int, expected: int, replacement: int, offset: int) -> int:
        effective = _address(memory, address, offset, width)
        old = _read(memory, effective, width)
        if old == expected & mask:
            _write(memory, effective, width, replacement)
        return old

    return cmpxchg


def memory_atomic_notify(memory: Any, address: int, count: int, offset: int) -> int:
    _address(memory, address, offset, 4)
    return 0  # no thread waits


def _wait(width: int) -> Callable[..., int]:
    def wait(memory: Any, address: int, expected: int, timeout: int, offset: int) -> int:
        effective = _address(memory, address, offset, width)
        if not memory.type.shared:
            raise Trap(TRAP_EXPECTED_SHARED_MEMORY)
        if _read(memory, effective, width) != expected:
            return 1  # not-equal
        if timeout >= 1 << 63:  # (the i64 operand as unsigned: negative, no timeout) until interrupted
            with interruptible():
                while True:
                    time.sleep(3600)
        if timeout:
            with interruptible():
                time.sleep(timeout / 1e9)
        return 2  # timed-out

    return wait


def _make(mnemonic: str, width: int) -> Callable[..., Any]:
    if mnemonic == "memory.atomic.notify":
        return memory_atomic_notify
    if mnemonic.startswith("memory.atomic.wait"):
        return _wait(width)
    operation = mnemonic.split(".")[-1].removesuffix("_u")
    if operation.startswith("load"):
        return _load(width)
    if operation.startswith("store"):
        return _store(width)
    if operation == "cmpxchg":
        return _cmpxchg(width)
    return _rmw(width, _RMW[operation])


ATOMIC_FUNCTIONS: dict[str, Callable[..., Any]] = {
    info.mnemonic.replace(".", "_"): _make(info.mnemonic, info.width)
    for info in OPCODES.values()
    if info.proposal == "threads" and info.width is not None
}
"""The function of each atomic memory instruction (all but ``atomic.fence``), by mnemonic with underscores."""
