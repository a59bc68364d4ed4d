"""Where an asynchronous interrupt (``--timeout``'s trap) may stop a run besides wasm code itself.

The timeout (:mod:`wasmrun.launch`) is a SIGALRM handler that raises the trap ``interrupt`` in
whatever Python frame is running.  In wasm code (handlers, compiled functions) that is always safe.
Elsewhere it is safe only where a trap cannot leave the store half-changed in a way that matters;
this module names those places, so that a guest cannot outrun its deadline by spending its time
outside wasm code:

- bulk memory and table operations (decorated :func:`interruptible_code`): they work in bounded
  chunks, so the handler gets a frame of theirs between two chunks;
- regions entered with :func:`interruptible`: translating a function (the engine discards what it
  had not finished), and host calls that wait (``poll_oneoff``'s sleep, a read of stdin) — except
  in what the garbage collector runs there (finalizers, weak reference callbacks), where Python
  would drop the trap.

Nothing here costs anything when no deadline is set: a set of code objects and a counter, read
only by the signal handler.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Iterator
from types import CodeType, FrameType
from typing import TypeVar

_CODES: set[CodeType] = set()
_depth = 0

F = TypeVar("F", bound=Callable[..., object])


def interruptible_code(function: F) -> F:
    """Mark ``function``'s frames as places where the interrupt may be raised."""
    _CODES.add(function.__code__)
    return function


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Within the block (in any frame), the interrupt may be raised."""
    global _depth
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1


def garbage_collector_callback(function: F) -> F:
    """Mark ``function`` as one the garbage collector calls (a weak reference's callback): Python
    reports and drops an exception raised there, so the interrupt must never be raised in it."""
    _CALLBACKS.add(function.__code__)
    return function


def may_interrupt(frame: FrameType) -> bool:
    """Whether the interrupt may be raised in ``frame`` (wasm code aside)."""
    if frame.f_code in _CODES:
        return True
    return _depth > 0 and not _in_callback(frame)


def _in_callback(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code in _CALLBACKS or frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


_CALLBACKS: set[CodeType] = {weakref.finalize.__call__.__code__}
