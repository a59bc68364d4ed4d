"""The embedding API's :class:`Store`: the runtime's store with the interpreter plugged in."""

from __future__ import annotations

from typing import Any

from wasmrun.engine.interpreter import Interpreter
from wasmrun.runtime.executor import Executor
from wasmrun.runtime.store import Store as RuntimeStore


class Store(RuntimeStore):
    """A store whose code runs in the interpreter unless another executor is given."""

    def __init__(self, executor: Executor | None = None, **options: Any) -> None:
        super().__init__(executor if executor is not None else Interpreter(), **options)
