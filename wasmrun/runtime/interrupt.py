"""Where an asynchronous interrupt (``--timeout``'s trap) may stop a run besides wasm code itself.

The timeout (:mod:`wasmrun.launch`) is a SIGALRM handler that raises the trap ``interrupt`` in
whatever Python frame is running.  In wasm code (handlers, compiled functions) that is always safe.
Elsewhere it is safe only where a trap cannot leave the store half-changed in a way that matters;
this module names those places, so that a guest cannot outrun its deadline by spending its time
outside wasm code:

- bulk memory and table operations (decorated :func:`interruptible_code`): they work in bounded
  chunks, so the handler gets a frame of theirs between two chunks;
- regions entered with :func:`interruptible`: translating a function (the engine discards what it
  had not finished), and host calls that wait (``poll_oneoff``'s sleep, a read of stdin).

Nothing here costs anything when no deadline is set: a set of code objects and a counter, read
only by the signal handler.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from types import CodeType
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


def may_interrupt(code: CodeType) -> bool:
    """Whether the interrupt may be raised in a frame running ``code`` (wasm code aside)."""
    return _depth > 0 or code in _CODES
