"""The interpreter (``Interpreter``): tier selection, lazy translation, the call-depth limit, traps with frames.

A wasm function runs as ``pc = code[pc](R)`` over its handlers (see
:mod:`wasmrun.interp.fusion`) until a handler returns 0.  ``R``, the frame,
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

Tiering: fusing runs (see :mod:`wasmrun.interp.fusion`, item 5) makes closures
that are rarely shared between sites, each compiled once (~0.25 ms), which cold
code (most functions of a large program run a few times) cannot afford.  So a
function starts with its cold handlers, and a counter, decremented by each call
and by each iteration of its loops (a wrapper on each loop's first handler),
patches the runs in when it reaches zero.  Runs keep handler indexes, so the
patch is safe while the function is active (recursion, or the loop that
triggered it).

Engines: ``interp`` is the above.  ``compile`` compiles every function to a
Python function at its first call (:mod:`wasmrun.codegen.compiled`).  ``auto``
(the default) interprets a function's first calls and compiles it when the same
counter reaches ``compile_threshold``; when a loop head brings it there, the
running call continues in a flat-form version entered at that loop (on-stack
replacement), so a ``main`` with one hot loop runs compiled too, and the whole
function is compiled at its next call, if any.  A function with a SIMD
instruction is never compiled (the compiled tier generates no SIMD, see
:mod:`wasmrun.interp.simd_translation`): under ``compile`` and ``auto`` it is
interpreted, its runs fused when hot as under ``interp``, and never counted.

The depth limit in compiled code: a compiled wasm frame is exactly one Python
frame and counts nothing itself (a frame of more than :data:`SLOTS_PER_FRAME`
locals counts as several, as in the interpreter, by lowering Python's limit
while it runs), so ``invoke`` sets Python's
recursion limit to the current Python depth plus ``max_stack_depth`` plus
:data:`COMPILED_MARGIN` (room for the helpers a frame calls), and
``RecursionError`` becomes the trap.  Precision: a stack of compiled frames
traps between ``max_stack_depth`` and ``max_stack_depth + COMPILED_MARGIN``
frames.  Under ``auto``, a function's first calls are interpreted (three
Python frames each): their counting entry raises Python's limit by
:data:`_PYTHON_FRAMES_PER_CALL` while the call runs, so that each counts as
one frame there too.  A host function's own Python frames count too, and so
do those of a function left interpreted (SIMD) under ``compile``: a recursion
through one traps sooner.  The interpreter's own counter still bounds
interpreted frames exactly.  Whatever the tier, the frames of the trap are
those the interpreter gives (:func:`limit_exhausted_frames`), the frames
compiled code ran beyond the limit cut off.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from collections.abc import Iterator, Sequence
from types import CodeType
from typing import TYPE_CHECKING, Any

from wasmrun.codegen import compiled
from wasmrun.codegen.compiled import CompiledCode
from wasmrun.engine.code_store import INTERPRETED, UNCOMPILABLE, CodeStore, Outcome
from wasmrun.engine.options import DEFAULT_COMPILE_THRESHOLD as DEFAULT_COMPILE_THRESHOLD  # the public names
from wasmrun.engine.options import DEFAULT_HOT_THRESHOLD as DEFAULT_HOT_THRESHOLD
from wasmrun.engine.options import ENGINES as ENGINES
from wasmrun.engine.options import Engine as Engine
from wasmrun.engine.options import EngineOptions
from wasmrun.errors import TRAP_CALL_STACK_EXHAUSTED, Trap
from wasmrun.interp import machine
from wasmrun.interp.catching import make_catching_body
from wasmrun.interp.gc_translation import function_uses_gc
from wasmrun.interp.machine import (
    Binder,
    bind,
    install_runs,
    make_counting_entry,
    make_entry,
    make_tail_body,
    make_tail_entry,
)
from wasmrun.interp.simd_translation import function_uses_simd
from wasmrun.interp.translate import Translation, plan_runs, translate_function
from wasmrun.runtime.functions import Entry, FunctionInstance, TailCall, WasmFunction, results_tuple
from wasmrun.runtime.interrupt import interruptible
from wasmrun.semantics.frames import frame_costs

if TYPE_CHECKING:
    from wasmrun.engine.meters import CallCounters, FuelMeter

_PYTHON_FRAMES_PER_CALL = 3  # the caller's call handler, the callee's entry (and a counting entry, while cold)
COMPILED_MARGIN = 16  # Python frames beyond the depth limit for what the deepest compiled frame calls
ENGINE_ROOM = 2_000  # Python frames the engine's own work (translating, compiling) may add to a deep stack


@contextlib.contextmanager
def engine_room() -> Iterator[None]:
    """Python's recursion limit raised by :data:`ENGINE_ROOM` while the engine translates or compiles a
    function: that work may start at the bottom of a deep wasm stack, and is not the guest's depth.

    The cyclic garbage collector is paused meanwhile: what the engine makes for a function (its
    translation, its handlers' closures) lives as long as the function, and a collection that starts
    in the middle of it would only walk the heap to find nothing (a large program's first calls spent
    a third of their time so, when their code came from the code cache)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + ENGINE_ROOM)
    collecting = gc.isenabled()
    gc.disable()
    try:
        with interruptible():  # a timeout may stop translation: what it made is only used when whole
            yield
    finally:
        if collecting:
            gc.enable()
        sys.setrecursionlimit(limit)


def limit_exhausted_frames(trap: Trap, frame_cost: Any, limit: int) -> None:
    """The frames of a call-stack trap as the interpreter gives them, whichever tier ran.

    Compiled code reaches Python's recursion limit a few frames past the depth
    limit (see the module docstring): its frames are cut to those the interpreter
    would have had, the outermost whose depth before them is under ``limit``,
    and the first one cut becomes the innermost frame, the callee, without an
    offset.  ``frame_cost(index)`` is a frame's depth (:func:`wasmrun.semantics.frames.frame_cost`).
    """
    depth = 0
    kept: list[tuple[int, int]] = []
    for index, offset in reversed(trap.frames):
        if offset < 0 or depth >= limit:
            kept.append((index, -1))
            break
        kept.append((index, offset))
        depth += frame_cost(index)
    else:
        return  # Python's limit came first (host frames, interpreted ones): nothing to cut
    kept.reverse()
    trap.frames[:] = kept


def is_wasm_code(code: CodeType) -> bool:
    """Whether a Python frame running ``code`` runs wasm: a handler, an interpreter's entry loop, or
    compiled code (where an asynchronous trap, the timeout's, may be raised; see :mod:`wasmrun.launch`)."""
    return code.co_filename.startswith(_WASM_FILENAMES) or code in _ENTRY_CODES


# Handlers (wasmrun.interp.handlers) and compiled functions (wasmrun.codegen.compiled) are compiled from
# source under these names.
_WASM_FILENAMES = ("<wasmrun handler ", "<wasm function ")
_ENTRY_CODES = frozenset(
    constant
    for function in (
        make_entry,
        make_counting_entry,
        make_catching_body,
        make_tail_body,
        make_tail_entry,
    )
    for constant in function.__code__.co_consts
    if isinstance(constant, CodeType)
)


class Interpreter:
    """The executor of :class:`~wasmrun.runtime.store.Store`: interprets superinstructions, compiles hot code.

    Its settings are one :class:`~wasmrun.engine.options.EngineOptions`
    (``options``): ``Interpreter(options)``, or the same fields as keywords,
    ``Interpreter(engine="compile", fuel=100)`` (with both, the keywords
    replace the record's fields).  ``engine`` picks the tiers (see the module
    docstring); the record says what each setting does.

    ``fuel``: a budget of fuel, counted and checked as Wasmtime does (see
    :mod:`wasmrun.semantics.fuel`; the meter, ``fuel_meter``, holds what is
    left).  ``stats``: count calls, call depth and per-tier work in
    ``counters``.  Both make code of their own, translated only when they are
    on, which is given the meter itself (:attr:`code_options`).

    ``code_store``: translations and compiled code made earlier for the module
    this interpreter runs, under the same options (:mod:`wasmrun.engine.code_store`):
    what it has is used instead of translating or compiling again, and what is
    made is added to it.  A store serves one module (:attr:`CodeStore.module`):
    the functions of other modules are translated and compiled as usual.
    """

    def __init__(
        self, options: EngineOptions | None = None, *, code_store: CodeStore | None = None, **settings: Any
    ) -> None:
        if options is None:
            options = EngineOptions()
        if settings:
            unknown = sorted(set(settings) - set(EngineOptions._fields))
            if unknown:
                raise TypeError(f"Interpreter() got an unexpected keyword argument {unknown[0]!r}")
            options = options._replace(**settings)
        self.options = options = options.checked()
        # The settings the tiers read at each call, as attributes.
        self.max_stack_depth = options.max_stack_depth
        self.fuse = options.fuse
        self.hot_threshold = options.hot_threshold
        self.engine = options.engine
        self.compile_threshold = options.compile_threshold
        self.osr = options.osr
        # Python's recursion limit, raised while wasm runs so that the engine's own limit comes first.
        self.recursion_limit = options.max_stack_depth * _PYTHON_FRAMES_PER_CALL + 10_000
        # Compiling engines: Python frames allowed beyond max_stack_depth (see the module docstring).
        self.python_margin = COMPILED_MARGIN
        self.fuel_meter: FuelMeter | None = None
        self.counters: CallCounters | None = None
        if options.fuel is not None or options.stats:  # the meters are imported only when asked for
            from wasmrun.engine.meters import CallCounters, FuelMeter

            self.fuel_meter = FuelMeter(options.fuel) if options.fuel is not None else None
            self.counters = CallCounters() if options.stats else None
        # What the compiled tier generates besides the code itself, and the meters that code is given.
        self.code_options = compiled.CodeOptions(fuel=self.fuel_meter, stats=self.counters)
        self.code_store: CodeStore | None = None
        if code_store is not None:
            self.use_code_store(code_store)

    def use_code_store(self, code_store: CodeStore) -> None:
        """Serve ``code_store``'s module from it from now on (also for an interpreter made before the
        store was read: an embedder's store that instantiates a deserialized module)."""
        from wasmrun.interp.handlers import provide_factory_codes

        self.code_store = code_store
        provide_factory_codes(code_store.factory_codes())

    def store_for(self, function: WasmFunction) -> CodeStore | None:
        """The code store that serves ``function``'s module, if any."""
        store = self.code_store
        if store is None or store.module is not function.instance.module:
            return None
        return store

    def translate(self, function: WasmFunction) -> Translation:
        store = self.store_for(function)
        translation = store.translation(function.index) if store is not None else None
        if translation is None:
            started = time.perf_counter() if self.counters is not None else 0.0
            with engine_room():
                translation = translate_function(
                    function.instance.module, function.index, fuse=self.fuse, fuel=self.fuel_meter is not None
                )
            if self.counters is not None:
                self.counters.translate_seconds += time.perf_counter() - started
            if store is not None:
                store.add_translation(function.index, translation)
        if self.counters is not None:
            self.counters.functions["interp"] += 1
        return translation

    def make_entry(
        self, translation: Translation, handlers: list[Any], bind_at: Binder, function: WasmFunction
    ) -> Entry:
        """The entry of ``function`` (and its ``tail``, if it makes tail calls: see :mod:`wasmrun.interp.machine`)."""
        if translation.tail_calls or translation.catch_regions:
            # One body runs the handlers (catching in its regions, if any) and returns the results or a
            # TailCall; the tail entry counts the depth and performs the tail calls.
            body = (
                make_catching_body(translation, handlers, bind_at, function.instance.tags)
                if translation.catch_regions
                else make_tail_body(translation, handlers, bind_at)
            )
            function.tail = body if translation.tail_calls else None
            return make_tail_entry(translation, body, self.counters)
        function.tail = None
        if self.counters is not None:
            return make_counting_entry(translation, handlers, bind_at, self.counters)
        return make_entry(translation, handlers, bind_at)

    def prepare(self, function: WasmFunction) -> None:
        function.direct = compiled.direct_adapter(function)
        if self.engine == "compile" or (self.engine == "auto" and self.compile_threshold == 0):

            def entry_first_compile(args: list[Any]) -> Any:
                return self.compile(function)(args)

            function.entry = entry_first_compile
            return

        def entry_first_call(args: list[Any]) -> Any:
            if self.engine == "auto" and self.compiled_before(function):
                return self.compile(function)(args)
            return self.activate(function)(args)

        function.entry = entry_first_call

    def compiled_before(self, function: WasmFunction) -> bool:
        """Whether the code store has ``function``'s compiled code: an earlier run found it hot, so under
        ``auto`` it starts compiled instead of counting its way there again."""
        store = self.store_for(function)
        return store is not None and isinstance(store.function_code(function.index), CompiledCode)

    def compile(self, function: WasmFunction) -> Entry:
        """Compile ``function`` and make it its code everywhere; its new entry.

        A function CPython cannot compile even in the flat form (no known wasm
        function: the generator keeps within CPython's limits) stays interpreted,
        and so does one with a SIMD instruction (the generator has none) or a body too
        large to compile in bounded memory (:func:`compiled.too_large_to_compile`), never counted.
        """
        store = self.store_for(function)
        outcome = store.function_code(function.index) if store is not None else None
        if outcome is None:
            outcome = self.compile_code(function)
            if store is not None:
                store.add_function_code(function.index, outcome)
                # Bind the store's copy: marshal read the original's bytecode, and a code object keeps
                # what co_code gave for its life (bytes as large as its bytecode).
                outcome = store.function_code(function.index) or outcome
        if outcome == INTERPRETED:
            return self.activate(function)
        if isinstance(outcome, str):  # UNCOMPILABLE
            return self.activate_interpreted(function)
        code = compiled.bind_code(outcome, compiled.namespace(function.instance, self.code_options))
        if self.counters is not None:
            self.counters.functions["compile"] += 1
        compiled.install(function, code, outcome.tail_calls)
        return function.entry

    def compile_code(self, function: WasmFunction) -> Outcome:
        """What the compiled tier makes of ``function``: its code, or why the interpreter keeps it."""
        module = function.instance.module
        if (
            function_uses_simd(module, function.index)
            or function_uses_gc(module, function.index)  # the compiled tier has no GC instructions yet
            or compiled.too_large_to_compile(module, function.index)
        ):
            return INTERPRETED
        started = time.perf_counter() if self.counters is not None else 0.0
        try:
            with engine_room():
                return compiled.function_code(module, function.index, self.code_options)
        except (SyntaxError, RecursionError, MemoryError):
            return UNCOMPILABLE
        finally:
            if self.counters is not None:
                self.counters.translate_seconds += time.perf_counter() - started

    def activate_interpreted(self, function: WasmFunction) -> Entry:
        """The interpreter's entry for ``function``, for good (no counting)."""
        translation = self.translate(function)
        with engine_room():
            handlers, bind_at = bind(translation, function.instance, self.fuel_meter)
        function.entry = self.make_entry(translation, handlers, bind_at, function)
        return function.entry

    def activate(self, function: WasmFunction) -> Entry:
        """Translate and bind ``function``; set and return its entry."""
        translation = self.translate(function)
        instance = function.instance
        with engine_room():
            handlers, bind_at = bind(translation, instance, self.fuel_meter)
            for pc in translation.loop_heads:  # bound now: counting wraps them
                if pc > 0:
                    bind_at(pc)
        entry = self.make_entry(translation, handlers, bind_at, function)
        function.entry = entry
        if (
            self.engine == "auto"
            and not translation.uses_simd
            and not function_uses_gc(instance.module, function.index)  # nor its loops (OSR) for now
            and not compiled.too_large_to_compile(instance.module, function.index)
        ):
            return self.count_to_compile(function, translation, handlers, entry)
        threshold = self.hot_threshold
        fusable = self.fuse and threshold is not None and not translation.uses_exceptions
        runs = plan_runs(translation.code) if fusable else []
        if not runs or threshold is None:
            return entry
        if threshold == 0:
            install_runs(translation, handlers, runs, instance, self.fuel_meter)
            return entry

        budget = [threshold]
        originals: dict[int, Any] = {}

        def tier_up() -> None:
            budget[0] = 1 << 62  # wrappers still running finish their iteration without coming back
            for pc, handler in originals.items():
                handlers[pc] = handler
            with engine_room():
                install_runs(translation, handlers, runs, instance, self.fuel_meter)
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

    def count_to_compile(
        self, function: WasmFunction, translation: Translation, handlers: list[Any], entry: Entry
    ) -> Entry:
        """Under ``auto``: interpret with ``entry`` until calls plus loop iterations reach the threshold."""
        budget = [self.compile_threshold]
        originals: dict[int, Any] = {}
        loop_offsets = dict(zip(translation.loop_heads, translation.loop_offsets))
        results = (translation.result_base, translation.result_count)  # (not the translation: its code may go)

        def tier_up(now: bool = True) -> None:
            budget[0] = 1 << 62  # wrappers still running finish their iteration without coming back
            for pc, handler in originals.items():
                handlers[pc] = handler
            if now:
                self.compile(function)
                return

            # The running call continues in a loop entry: the whole function is compiled only if it
            # is called again (a `main` runs once), which saves a compilation.
            def entry_compile_next(args: list[Any]) -> Any:
                return self.compile(function)(args)

            function.entry = entry_compile_next

        def counted(pc: int, handler: Any) -> Any:
            def loop_head(R: list[Any]) -> int:
                budget[0] -= 1
                if budget[0] <= 0:
                    entry_code = (
                        self.loop_entry(function, loop_offsets[pc]) if self.osr and pc in loop_offsets else None
                    )
                    tier_up(now=entry_code is None)
                    if entry_code is not None:
                        return self.enter_loop(entry_code, results, R)
                return handler(R)

            return loop_head

        for pc in translation.loop_heads:
            if 0 < pc < len(handlers) and pc not in originals:
                originals[pc] = handlers[pc]
                handlers[pc] = counted(pc, handlers[pc])

        def entry_counting(R: list[Any]) -> Any:
            budget[0] -= 1
            if budget[0] <= 0:
                tier_up()
                return function.entry(R)
            # This call's Python frames (here, its entry, its handlers) count as one against the limit.
            limit = sys.getrecursionlimit()
            sys.setrecursionlimit(limit + _PYTHON_FRAMES_PER_CALL)
            try:
                return entry(R)
            finally:
                sys.setrecursionlimit(limit)

        function.entry = entry_counting
        tail = function.tail
        if tail is not None:
            # A function reached by tail calls is entered through its ``tail`` (finish_tail_calls), not its
            # entry: those calls count too, or a function only ever tail-called would stay interpreted.
            def tail_counting(R: list[Any]) -> Any:
                budget[0] -= 1
                if budget[0] <= 0:
                    tier_up()
                    compiled_tail = function.tail
                    return function.entry(R) if compiled_tail is None else compiled_tail(R)
                return tail(R)

            function.tail = tail_counting
        return entry_counting

    def loop_entry(self, function: WasmFunction, loop_offset: int) -> tuple[Any, CompiledCode] | None:
        """The compiled code entering ``function`` at a loop (None if CPython cannot compile it)."""
        store = self.store_for(function)
        outcome = store.loop_code(function.index, loop_offset) if store is not None else None
        if outcome is None:
            started = time.perf_counter() if self.counters is not None else 0.0
            made: Outcome | None
            try:
                with engine_room():
                    made = compiled.loop_entry_code(
                        function.instance.module, function.index, loop_offset, self.code_options
                    )
            except (SyntaxError, RecursionError, MemoryError):
                made = UNCOMPILABLE
            finally:
                if self.counters is not None:
                    self.counters.translate_seconds += time.perf_counter() - started
            if made is None:
                raise RuntimeError(f"no loop at offset {loop_offset} in function {function.index}")  # an engine bug
            outcome = made
            if store is not None:
                store.add_loop_code(function.index, loop_offset, made)
                # Bind the store's copy, as compile does (marshal left a copy of the original's bytecode on it).
                outcome = store.loop_code(function.index, loop_offset) or made
        if isinstance(outcome, str):  # UNCOMPILABLE
            return None
        return compiled.bind_code(outcome, compiled.namespace(function.instance, self.code_options)), outcome

    def enter_loop(self, made: tuple[Any, CompiledCode], results: tuple[int, int], R: list[Any]) -> int:
        """On-stack replacement: finish the running call in compiled code from the head of a loop.

        ``R`` is the interpreter's frame at the loop head; the results go where
        the interpreter's entry expects them (``results``: the translation's
        result base and count), and the handler index 0 ends the interpreted call.
        """
        code, generated = made
        base, count = results  # the locals end and the operand stack's slots start at base
        args = R[:base] + [R[base + height] for height in generated.osr_heights]
        try:
            result = code(*args)
        except Trap as trap:
            compiled.add_frames(trap, trap.__traceback__)
            self._own_frame(trap)
            raise
        except RecursionError as error:
            exhausted = compiled.stack_exhausted(error)
            self._own_frame(exhausted)
            raise exhausted from None
        if result.__class__ is TailCall:
            R.append(result)  # the call ends in a tail call: the interpreter's tail body finds it there
            return 0
        if count == 1:
            R[base] = result
        elif count > 1:
            R[base : base + count] = result
        return 0

    @staticmethod
    def _own_frame(trap: Trap) -> None:
        # The OSR code's own frame is the interpreted call's: its entry records it, with this offset.
        if trap.frames:
            _index, offset = trap.frames.pop()
            trap.at = offset  # type: ignore[attr-defined]

    def invoke(self, function: FunctionInstance, args: Sequence[Any]) -> tuple[Any, ...]:
        if len(args) != len(function.type.params):
            raise TypeError(f"function of type {function.type} takes {len(function.type.params)} arguments")
        if self.engine == "interp":
            return self.invoke_interpreted(function, args)
        saved_depth, saved_limit = machine._depth, machine._limit
        outermost = machine._active == 0 and machine._depth == 0
        if outermost:
            machine._limit = self.max_stack_depth
            python_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(_python_depth() + self.max_stack_depth + self.python_margin)
        machine._active += 1
        try:
            result = function.entry(list(args))
        except RecursionError:
            raise Trap(TRAP_CALL_STACK_EXHAUSTED) from None
        except Trap as trap:
            if outermost and trap.message == TRAP_CALL_STACK_EXHAUSTED and isinstance(function, WasmFunction):
                limit_exhausted_frames(trap, frame_costs(function.instance.module), self.max_stack_depth)
            raise
        finally:
            machine._active -= 1
            machine._depth, machine._limit = saved_depth, saved_limit
            if outermost:
                sys.setrecursionlimit(python_limit)
        return results_tuple(function.type, result)

    def invoke_interpreted(self, function: FunctionInstance, args: Sequence[Any]) -> tuple[Any, ...]:
        saved_depth, saved_limit = machine._depth, machine._limit
        if machine._depth == 0:
            machine._limit = self.max_stack_depth
        python_limit = sys.getrecursionlimit()
        if python_limit < self.recursion_limit:
            sys.setrecursionlimit(self.recursion_limit)
        try:
            result = function.entry(list(args))
        except RecursionError:
            raise Trap(TRAP_CALL_STACK_EXHAUSTED) from None
        finally:
            machine._depth, machine._limit = saved_depth, saved_limit
            if python_limit < self.recursion_limit:
                sys.setrecursionlimit(python_limit)
        return results_tuple(function.type, result)


def _python_depth() -> int:
    """The number of Python frames on the stack (the caller's included)."""
    depth = 0
    frame: Any = sys._getframe(1)
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth
