"""The wall-clock guard: a module (or a load) that runs too long raises :class:`Timeout`."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class Timeout(BaseException):
    """The guard fired.  A BaseException, so that no ``except Exception`` in the engine swallows it."""


def _fire(_signum: int, _frame: FrameType | None) -> None:
    raise Timeout


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise :class:`Timeout` in this block after ``seconds`` (no guard off the main thread, or for None)."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
