"""Typing a big module's bodies on two cores, as Wasmtime compiles on several threads.

Typing the bodies is most of loading a big module (a 23 MB compiler: about 2 s of 3), and no body's
result depends on another's.  Threads would not help (the loop is pure Python, one interpreter lock), so
the second half goes to a forked child process: it types its bodies in its copy of the module (shared with
the parent, copy on write) and writes back, as marshal, the positions it refused.  The parent types the
first half meanwhile, then reads them.

Forking is taken only where it is safe and pays: on Linux, with two CPUs available to this process, no
other thread running (a fork copies locks another thread may hold), and enough code to outweigh the fork.
Anything odd in the child (an exception, a signal, a short or unreadable answer) makes the parent type the
second half itself, so the result is always exactly what one process would have found.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

Body = TypeVar("Body")

MIN_PARALLEL_BYTES = 4 << 20
"""The code (in bytes of bodies) below which one process types it all: a fork costs milliseconds."""


def can_fork() -> bool:
    """Whether a second process may type bodies here: Linux, two CPUs for us, this the only thread."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return False
    import threading  # (here: a small module's run never needs it)

    try:
        cpus = len(os.sched_getaffinity(0))
    except OSError:
        return False
    return cpus >= 2 and threading.active_count() == 1


def check_in_two(
    check: Callable[[Sequence[Body]], list[int]], bodies: Sequence[Body], sizes: Sequence[int]
) -> list[int]:
    """``check(bodies)`` (the positions of the bodies it refuses, ascending), the second half computed in
    a child process when the bodies' ``sizes`` (bytes) add up to :data:`MIN_PARALLEL_BYTES` or more."""
    total = sum(sizes)
    if total < MIN_PARALLEL_BYTES or not can_fork():
        return check(bodies)
    half = total // 2
    cut = 0
    covered = 0
    while covered < half:
        covered += sizes[cut]
        cut += 1
    second = bodies[cut:]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _answer(write_end, check, second)
    os.close(write_end)
    answer: list[int] | None = None
    try:
        refused = check(bodies[:cut])
        answer = _read_answer(read_end)
    finally:
        os.close(read_end)
        if answer is None:  # (the parent failed, or the child did)
            _stop(pid)
        _reap(pid)
    if answer is None:
        answer = check(second)
    return refused + [cut + position for position in answer]


def _answer(write_end: int, check: Callable[[Sequence[Body]], list[int]], bodies: Sequence[Body]) -> None:
    """Type ``bodies``, write the refused positions to ``write_end`` and exit (status 0 only if written)."""
    import signal

    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child at once; the parent reports it
        data = marshal.dumps(check(bodies))
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
        status = 0
    except BaseException:  # (the parent redoes the work: nothing to report here)
        pass
    finally:
        os._exit(status)  # no atexit handlers, no flushing of buffers the parent owns


def _read_answer(read_end: int) -> list[int] | None:
    chunks = []
    while chunk := os.read(read_end, 1 << 16):
        chunks.append(chunk)
    try:
        answer = marshal.loads(b"".join(chunks))
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(answer, list) or not all(isinstance(position, int) for position in answer):
        return None
    return answer


def _stop(pid: int) -> None:
    import signal

    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
