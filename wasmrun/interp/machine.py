"""The interpreter: function entries, calls, the call-depth limit, traps with frames.

A wasm function runs as ``pc = code[pc](R)`` over its handlers (see
:mod:`wasmrun.compile.fusion`) until a handler returns 0.  ``R``, the frame,
is the argument list the caller passed, extended with the function's frame
template (declared locals, then stack slots); the results are left at
``R[result_base:]``.  A wasm call is a Python call of the callee's ``entry``
from the caller's call handler: two or three Python frames per wasm frame,
and no C recursion (CPython 3.11 runs Python-to-Python calls in the same C
frame), so the depth is bounded only by memory; the interpreter's own counter
enforces the configured limit with the trap ``call stack exhausted``, and the
Python recursion limit is raised above it while wasm runs.  A frame larger
than :data:`SLOTS_PER_FRAME` slots counts as several frames, which bounds the
memory of a full stack whatever the frame sizes.

Translation is lazy: a function's first entry translates and binds it, then
replaces itself with the real entry.  A trap unwinding through an entry gets
the frame ``(function index, byte offset of the wasm instruction)`` appended:
the offset of the handler that raised it, unless a fused member set the
trap's ``at`` to its own on the way out.

Tiering: fusing runs (see :mod:`wasmrun.compile.fusion`, item 5) makes closures
that are rarely shared between sites, each compiled once (~0.25 ms), which cold
code (most functions of a large program run a few times) cannot afford.  So a
function starts with its cold handlers, and a counter, decremented by each call
and by each iteration of its loops (a wrapper on each loop's first handler),
patches the runs in when it reaches zero.  Runs keep handler indexes, so the
patch is safe while the function is active (recursion, or the loop that
triggered it).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from wasmrun.compile.translate import Translation, plan_runs, run_item, translate_function
from wasmrun.errors import TRAP_CALL_STACK_EXHAUSTED, Trap
from wasmrun.interp.handlers import factory
from wasmrun.runtime.functions import Entry, FunctionInstance, WasmFunction, results_tuple
from wasmrun.runtime.instance import Instance

DEFAULT_MAX_STACK_DEPTH = 50_000
DEFAULT_HOT_THRESHOLD = 200  # calls plus loop iterations before a function's runs are fused
# A frame of more than this many slots counts as several frames against the depth limit, so that
# the memory a full stack can take stays bounded (some 50,000 x 64 slots) whatever the frame sizes.
SLOTS_PER_FRAME = 64
_PYTHON_FRAMES_PER_CALL = 3  # the caller's call handler, the callee's entry (and a counting entry, while cold)

# The current wasm call depth and its limit, shared by every entry (module globals are the
# cheapest shared mutable state a closure can reach).
_depth = 0
_limit = DEFAULT_MAX_STACK_DEPTH


def bind(translation: Translation, instance: Instance) -> list[Any]:
    """The handlers of a translated function, their instance references resolved."""
    code = translation.code
    handlers: list[Any] = [None] * len(code)
    for pc in range(1, len(code)):
        key, *args = code[pc]
        handlers[pc] = factory(key)(instance, *args, pc + 1)
    return handlers


def install_runs(translation: Translation, handlers: list[Any], runs: list[list[int]], instance: Instance) -> None:
    """Patch each run's fused closure in at its first handler's index."""
    code, offsets = translation.code, translation.offsets
    for run in runs:
        item = run_item(code, offsets, run)
        handlers[run[0]] = factory(item[0])(instance, *item[1:], run[-1] + 1)


def make_entry(translation: Translation, handlers: list[Any]) -> Entry:
    """The entry of a translated function (see the module docstring)."""
    template = translation.frame_template
    offsets = translation.offsets
    index = translation.function_index
    base = translation.result_base
    count = translation.result_count
    code = handlers
    cost = 1 + translation.frame_size // SLOTS_PER_FRAME

    if count == 1:

        def entry_one(R: list[Any]) -> Any:
            global _depth
            if _depth >= _limit:
                raise Trap(TRAP_CALL_STACK_EXHAUSTED)
            _depth += cost
            R += template
            pc = 1
            try:
                while pc:
                    pc = code[pc](R)
            except Trap as trap:
                trap.frames.append((index, trap.__dict__.pop("at", None) or offsets[pc]))
                raise
            finally:
                _depth -= cost
            return R[base]

        return entry_one

    if count == 0:

        def entry_none(R: list[Any]) -> None:
            global _depth
            if _depth >= _limit:
                raise Trap(TRAP_CALL_STACK_EXHAUSTED)
            _depth += cost
            R += template
            pc = 1
            try:
                while pc:
                    pc = code[pc](R)
            except Trap as trap:
                trap.frames.append((index, trap.__dict__.pop("at", None) or offsets[pc]))
                raise
            finally:
                _depth -= cost

        return entry_none

    end = base + count

    def entry_many(R: list[Any]) -> list[Any]:
        global _depth
        if _depth >= _limit:
            raise Trap(TRAP_CALL_STACK_EXHAUSTED)
        _depth += cost
        R += template
        pc = 1
        try:
            while pc:
                pc = code[pc](R)
        except Trap as trap:
            trap.frames.append((index, trap.__dict__.pop("at", None) or offsets[pc]))
            raise
        finally:
            _depth -= cost
        return R[base:end]

    return entry_many


class Interpreter:
    """The executor of :class:`~wasmrun.runtime.store.Store` that interprets superinstructions.

    ``fuse=False`` translates one handler per wasm instruction (for testing the
    fusions).  ``hot_threshold`` is the number of calls plus loop iterations
    after which a function's runs are fused (0: at once; None: never).
    """

    def __init__(
        self,
        *,
        max_stack_depth: int = DEFAULT_MAX_STACK_DEPTH,
        fuse: bool = True,
        hot_threshold: int | None = DEFAULT_HOT_THRESHOLD,
    ) -> None:
        if max_stack_depth < 1:
            raise ValueError("max_stack_depth must be at least 1")
        self.max_stack_depth = max_stack_depth
        self.fuse = fuse
        self.hot_threshold = hot_threshold
        # Python's recursion limit, raised while wasm runs so that the engine's own limit comes first.
        self.recursion_limit = max_stack_depth * _PYTHON_FRAMES_PER_CALL + 10_000

    def translate(self, function: WasmFunction) -> Translation:
        return translate_function(function.instance.module, function.index, fuse=self.fuse)

    def prepare(self, function: WasmFunction) -> None:
        def entry_first_call(args: list[Any]) -> Any:
            return self.activate(function)(args)

        function.entry = entry_first_call

    def activate(self, function: WasmFunction) -> Entry:
        """Translate and bind ``function``; set and return its entry."""
        translation = self.translate(function)
        instance = function.instance
        handlers = bind(translation, instance)
        entry = make_entry(translation, handlers)
        function.entry = entry
        threshold = self.hot_threshold
        runs = plan_runs(translation.code) if self.fuse and threshold is not None else []
        if not runs or threshold is None:
            return entry
        if threshold == 0:
            install_runs(translation, handlers, runs, instance)
            return entry

        budget = [threshold]
        originals: dict[int, Any] = {}

        def tier_up() -> None:
            budget[0] = 1 << 62  # wrappers still running finish their iteration without coming back
            for pc, handler in originals.items():
                handlers[pc] = handler
            install_runs(translation, handlers, runs, instance)
            function.entry = entry

        def counted(handler: Any) -> Any:
            def loop_head(R: list[Any]) -> int:
                budget[0] -= 1
                if budget[0] <= 0:
                    tier_up()
                return handler(R)

            return loop_head

        for pc in translation.loop_heads:
            if 0 < pc < len(handlers) and pc not in originals:
                originals[pc] = handlers[pc]
                handlers[pc] = counted(handlers[pc])

        def entry_counting(R: list[Any]) -> Any:
            budget[0] -= 1
            if budget[0] <= 0:
                tier_up()
            return entry(R)

        function.entry = entry_counting
        return entry_counting

    def invoke(self, function: FunctionInstance, args: Sequence[Any]) -> tuple[Any, ...]:
        global _depth, _limit
        if len(args) != len(function.type.params):
            raise TypeError(f"function of type {function.type} takes {len(function.type.params)} arguments")
        saved_depth, saved_limit = _depth, _limit
        if _depth == 0:
            _limit = self.max_stack_depth
        python_limit = sys.getrecursionlimit()
        if python_limit < self.recursion_limit:
            sys.setrecursionlimit(self.recursion_limit)
        try:
            result = function.entry(list(args))
        except RecursionError:
            raise Trap(TRAP_CALL_STACK_EXHAUSTED) from None
        finally:
            _depth, _limit = saved_depth, saved_limit
            if python_limit < self.recursion_limit:
                sys.setrecursionlimit(python_limit)
        return results_tuple(function.type, result)
