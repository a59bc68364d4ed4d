"""The interpreter's machine: function entries, calls, the call-depth counter, traps with frames.

A wasm function runs as ``pc = code[pc](R)`` over its handlers (see
:mod:`wasmrun.interp.fusion`) until a handler returns 0.  ``R``, the frame,
is the argument list the caller passed, extended with the function's frame
template (declared locals, then stack slots); the results are left at
``R[result_base:]``.  A wasm call is a Python call of the callee's ``entry``
from the caller's call handler: two or three Python frames per wasm frame,
and no C recursion (CPython 3.11 runs Python-to-Python calls in the same C
frame), so the depth is bounded only by memory; the counter here enforces
the configured limit with the trap ``call stack exhausted`` (the engine,
:mod:`wasmrun.engine.interpreter`, sets the limit and raises Python's
recursion limit above it while wasm runs).  A frame larger than
:data:`SLOTS_PER_FRAME` slots counts as several frames, which bounds the
memory of a full stack whatever the frame sizes.

Handlers are bound lazily (:func:`bind`): a slot holds None until the code
first reaches it, the entry loop's ``TypeError`` (``None(R)``) binds the
basic block there and the loop goes on, so a big program pays
handlers only for the instructions it runs (a third of those of the functions
it calls), and the loop itself is unchanged (a ``try`` costs nothing until it
catches).

A trap unwinding through an entry gets the frame ``(function index, byte
offset of the wasm instruction)`` appended: the offset of the handler that
raised it, unless a fused member set the trap's ``at`` to its own on the way out.

A function with tail calls (``return_call*``) gets two: its ``tail``
(:func:`make_tail_body`), which runs the body once and returns the results or
the :class:`~wasmrun.runtime.functions.TailCall` its last handler appended to
the frame, and an entry (:func:`make_tail_entry`) that counts one frame and
makes the chain of tail calls in a loop, calling each callee's ``tail`` in
turn: constant Python stack and depth however long the chain.  The entries of
functions without tail calls are as above, untouched.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from wasmrun.errors import TRAP_CALL_STACK_EXHAUSTED, Trap
from wasmrun.interp.handlers import factory
from wasmrun.interp.translate import ENDS_BLOCK, Translation, run_item
from wasmrun.runtime.functions import Entry, TailCall
from wasmrun.runtime.instance import Instance
from wasmrun.semantics.frames import SLOTS_PER_FRAME

if TYPE_CHECKING:
    from wasmrun.engine.meters import CallCounters, FuelMeter

DEFAULT_MAX_STACK_DEPTH = 50_000

# Invocations in progress through compiling engines (compiled code leaves _depth alone).
_active = 0

# The current wasm call depth and its limit, shared by every entry (module globals are the
# cheapest shared mutable state a closure can reach).
_depth = 0
_limit = DEFAULT_MAX_STACK_DEPTH

Binder = Callable[[int], None]
"""Binds the handlers from a handler index on (see :func:`bind`)."""


def bind(translation: Translation, instance: Instance, meter: FuelMeter | None = None) -> tuple[list[Any], Binder]:
    """The handlers of a translated function, bound lazily, and the binder that fills them in.

    Every handler starts as None (so a program pays memory and binding time only for the code it runs: a
    large program runs a third of the instructions of the functions it calls); an entry that meets
    None at ``pc`` (``None(R)`` raises TypeError) calls ``bind_at(pc)`` and goes on.  ``bind_at`` binds
    the basic block from ``pc`` (up to a handler that may jump or does not fall through, or one already
    bound) at once, their instance references resolved (and the fuel meter of code translated for
    metering).  What is still to bind is kept packed (:mod:`marshal`, a third of the memory of the items
    themselves) and unpacked when a block is bound (see :func:`unpacked`).
    """
    handlers: list[Any] = [None] * len(translation.code)
    end = len(handlers)
    kept: Sequence[Any] = ()
    try:
        packed: bytes | None = marshal.dumps(translation.code)
    except ValueError:  # (an item holding an object marshal cannot write: kept as it is)
        packed, kept = None, translation.code

    def bind_at(pc: int) -> None:
        code = unpacked(packed) if packed is not None else kept
        while pc < end and handlers[pc] is None:
            key, *args = code[pc]
            handlers[pc] = factory(key)(instance, meter, *args, pc + 1)
            if ENDS_BLOCK[key[0]]:
                return
            pc += 1

    return handlers, bind_at


# The code of the functions bound most recently, unpacked: a function's first run binds block after
# block, and its callees' blocks in between.
_UNPACKED: list[tuple[bytes, list[Any]]] = []
_UNPACKED_KEPT = 16


def unpacked(packed: bytes) -> list[Any]:
    """The translation items ``packed`` holds (marshal), from the recently unpacked ones if there."""
    for position, (known, code) in enumerate(_UNPACKED):
        if known is packed:
            if position:
                _UNPACKED.insert(0, _UNPACKED.pop(position))
            return code
    code = marshal.loads(packed)
    _UNPACKED.insert(0, (packed, code))
    del _UNPACKED[_UNPACKED_KEPT:]
    return code


def install_runs(
    translation: Translation,
    handlers: list[Any],
    runs: list[list[int]],
    instance: Instance,
    meter: FuelMeter | None = None,
) -> None:
    """Patch each run's fused closure in at its first handler's index."""
    code, offsets = translation.code, translation.offsets
    for run in runs:
        item = run_item(code, offsets, run)
        handlers[run[0]] = factory(item[0])(instance, meter, *item[1:], run[-1] + 1)


def make_entry(translation: Translation, handlers: list[Any], bind_at: Binder) -> Entry:
    """The entry of a translated function (see the module docstring)."""
    template = translation.frame_template
    offsets = translation.offsets
    index = translation.function_index
    base = translation.result_base
    count = translation.result_count
    code = handlers
    cost = 1 + translation.result_base // SLOTS_PER_FRAME  # semantics.frames.frame_cost's rule

    if count == 1:

        def entry_one(R: list[Any]) -> Any:
            global _depth
            if _depth >= _limit:
                raise exhausted(index)
            _depth += cost
            R += template
            pc = 1
            try:
                while pc:
                    try:
                        while pc:
                            pc = code[pc](R)
                    except TypeError:
                        if code[pc] is not None:
                            raise
                        bind_at(pc)
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
                raise exhausted(index)
            _depth += cost
            R += template
            pc = 1
            try:
                while pc:
                    try:
                        while pc:
                            pc = code[pc](R)
                    except TypeError:
                        if code[pc] is not None:
                            raise
                        bind_at(pc)
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
            raise exhausted(index)
        _depth += cost
        R += template
        pc = 1
        try:
            while pc:
                try:
                    while pc:
                        pc = code[pc](R)
                except TypeError:
                    if code[pc] is not None:
                        raise
                    bind_at(pc)
        except Trap as trap:
            trap.frames.append((index, trap.__dict__.pop("at", None) or offsets[pc]))
            raise
        finally:
            _depth -= cost
        return R[base:end]

    return entry_many


def make_tail_body(translation: Translation, handlers: list[Any], bind_at: Binder) -> Entry:
    """The ``tail`` of a function with tail calls: its results, or the TailCall it ends with."""
    template = translation.frame_template
    offsets = translation.offsets
    index = translation.function_index
    base = translation.result_base
    count = translation.result_count
    end = base + count
    size = translation.frame_size
    code = handlers

    def tail_body(R: list[Any]) -> Any:
        R += template
        pc = 1
        try:
            while pc:
                try:
                    while pc:
                        pc = code[pc](R)
                except TypeError:
                    if code[pc] is not None:
                        raise
                    bind_at(pc)
        except Trap as trap:
            trap.frames.append((index, trap.__dict__.pop("at", None) or offsets[pc]))
            raise
        if len(R) > size:
            return R[-1]  # a TailCall
        if count == 1:
            return R[base]
        return R[base:end] if count else None

    return tail_body


def make_tail_entry(translation: Translation, body: Entry, counters: CallCounters | None = None) -> Entry:
    """The entry of a function with tail calls: one frame, whatever the length of its chain of tail calls."""
    index = translation.function_index
    cost = 1 + translation.result_base // SLOTS_PER_FRAME

    def entry_tail(R: list[Any]) -> Any:
        global _depth
        if _depth >= _limit:
            raise exhausted(index)
        _depth += cost
        if counters is not None:
            counters.calls += 1
        try:
            result = body(R)
            while result.__class__ is TailCall:
                function = result.function
                tail = function.tail
                if tail is None:
                    return function.entry(result.args)
                result = tail(result.args)
            return result
        finally:
            _depth -= cost

    return entry_tail


def make_counting_entry(
    translation: Translation, handlers: list[Any], bind_at: Binder, counters: CallCounters
) -> Entry:
    """:func:`make_entry`'s entry that also counts calls and depth (``--stats``: never the default path)."""
    template = translation.frame_template
    offsets = translation.offsets
    index = translation.function_index
    base = translation.result_base
    count = translation.result_count
    end = base + count
    code = handlers
    cost = 1 + translation.result_base // SLOTS_PER_FRAME

    def entry_with_stats(R: list[Any]) -> Any:
        global _depth
        if _depth >= _limit:
            raise exhausted(index)
        _depth += cost
        counters.calls += 1
        depth = counters.depth = counters.depth + 1
        if depth > counters.max_depth:
            counters.max_depth = depth
        R += template
        pc = 1
        try:
            while pc:
                try:
                    while pc:
                        pc = code[pc](R)
                except TypeError:
                    if code[pc] is not None:
                        raise
                    bind_at(pc)
        except Trap as trap:
            trap.frames.append((index, trap.__dict__.pop("at", None) or offsets[pc]))
            raise
        finally:
            _depth -= cost
            counters.depth -= 1
        if count == 1:
            return R[base]
        return R[base:end] if count else None

    return entry_with_stats


def exhausted(index: int) -> Trap:
    """The call-stack trap raised on entering function ``index``: it is the innermost frame, without
    an offset (Wasmtime's trap happens in the callee's prologue)."""
    trap = Trap(TRAP_CALL_STACK_EXHAUSTED)
    trap.frames.append((index, -1))
    return trap
