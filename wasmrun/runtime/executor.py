"""What the runtime needs from an execution engine, as a Protocol.

The runtime (store, instantiation, linking) sits below the engine that runs
code (``wasmrun.interp``), so it never imports it: a :class:`Store` is given an
executor, and instantiation goes through it to make functions callable and to
run the start function.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from wasmrun.runtime.functions import FunctionInstance, WasmFunction


class Executor(Protocol):
    def prepare(self, function: WasmFunction) -> None:
        """Give a new wasm function its ``entry`` (typically one that translates on first call)."""

    def invoke(self, function: FunctionInstance, args: Sequence[Any]) -> tuple[Any, ...]:
        """Call ``function`` from outside wasm with canonical arguments; canonical results as a tuple.

        Raises :class:`~wasmrun.errors.Trap` (with its frames) when execution traps.
        """
        ...
