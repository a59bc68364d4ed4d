"""What the canonical ABI tests share: a bytearray memory, a bump ``realloc`` that records its calls, contexts."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

from wasmrun.component.types import Err, Ok, Some, Variant
from wasmrun.component_runtime.context import CanonicalOptions, LiftLowerContext, StringEncoding
from wasmrun.component_runtime.instance_state import InstanceState


class FakeMemory:
    """A linear memory's bytes in a bytearray, with ``view`` replaced (the old one released) on ``grow``."""

    def __init__(self, size: int = 1 << 16, address64: bool = False) -> None:
        self.data = bytearray(size)
        self.view = memoryview(self.data)
        self.type = SimpleNamespace(limits=SimpleNamespace(address64=address64))

    def grow(self, extra: int) -> None:
        self.view.release()
        self.data.extend(bytes(extra))
        self.view = memoryview(self.data)


class BumpRealloc:
    """A realloc handing out memory upwards from ``start``: a shrink stays in place, a growth moves and copies.

    ``calls`` records each call's four arguments; ``grow_by`` makes each call first grow the memory
    (to check nothing keeps a stale view).
    """

    def __init__(self, memory: FakeMemory, start: int = 0x1000, grow_by: int = 0) -> None:
        self.memory = memory
        self.next = start
        self.calls: list[tuple[int, int, int, int]] = []
        self.results: list[int] = []
        self.grow_by = grow_by

    def __call__(self, old_ptr: int, old_size: int, alignment: int, new_size: int) -> int:
        self.calls.append((old_ptr, old_size, alignment, new_size))
        if self.grow_by:
            self.memory.grow(self.grow_by)
        if old_ptr and new_size <= old_size:
            self.results.append(old_ptr)
            return old_ptr
        ptr = -(-self.next // alignment) * alignment
        self.next = ptr + new_size
        keep = min(old_size, new_size)
        data = self.memory.data
        data[ptr : ptr + keep] = data[old_ptr : old_ptr + keep]
        self.results.append(ptr)
        return ptr

    def pattern(self) -> list[tuple[int, int, int]]:
        """The calls as (old_size, alignment, new_size), after checking each passes the previous call's result."""
        for index, (old_ptr, _old_size, _alignment, _new_size) in enumerate(self.calls):
            assert old_ptr == (self.results[index - 1] if index else 0)
        return [call[1:] for call in self.calls]


def make_context(
    encoding: StringEncoding = "utf8",
    *,
    memory: FakeMemory | None = None,
    realloc: Any = None,
    instance: InstanceState | None = None,
    address64: bool = False,
    lenders: list[Any] | None = None,
) -> LiftLowerContext:
    memory = memory if memory is not None else FakeMemory(address64=address64)
    realloc = realloc if realloc is not None else BumpRealloc(memory)
    options = CanonicalOptions(memory=memory, realloc=realloc, string_encoding=encoding)  # type: ignore[arg-type]
    return LiftLowerContext(options, instance or InstanceState(), lenders=lenders)


def same(a: Any, b: Any) -> bool:
    """Equal as component values: NaN equals NaN, bytes equal a list of the same ints."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, bytes | bytearray) or isinstance(b, bytes | bytearray):
        return list(a) == list(b)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    for kind in (Variant, Some, Ok, Err):
        if isinstance(a, kind) and isinstance(b, kind):
            return getattr(a, "case", None) == getattr(b, "case", None) and same(a.value, b.value)
    return type(a) is type(b) and a == b if not isinstance(a, str) else a == b
