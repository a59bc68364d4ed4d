"""Work done in a forked child process, its answer read back through a pipe: the one place for the rule.

Today the work is typing half of a big module's bodies while the parent types the other half
(:mod:`wasmrun.validation.parallel`).  The child is a copy of the parent (copy on write), so it needs
nothing sent to it; it writes its answer (bytes) to the pipe and exits with ``os._exit`` (no ``atexit``
handlers, no flushing of buffers the parent owns).

A fork is taken only where it is safe: on Linux, with no other thread running (a fork copies locks
another thread may hold).  Whoever asks must be ready for no answer (``None``: the child failed, was
killed, or could not be started) and do the work itself.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable


def can_fork(cpus: int = 1) -> bool:
    """Whether work may go to a child here: Linux, at least ``cpus`` CPUs for us, this the only thread."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return False
    import threading  # (here: a small module's run never needs it)

    if threading.active_count() != 1:
        return False
    if cpus > 1:
        try:
            return len(os.sched_getaffinity(0)) >= cpus
        except OSError:
            return False
    return True


class Child:
    """A forked child doing some work; :meth:`answer` waits for what it wrote."""

    __slots__ = ("pid", "read_end")

    def __init__(self, pid: int, read_end: int) -> None:
        self.pid = pid
        self.read_end = read_end

    def answer(self) -> bytes | None:
        """The bytes the child wrote, once it has exited having written them all (None if it failed).  If
        the wait is interrupted (Ctrl-C), the child is stopped and the exception goes on."""
        chunks = []
        try:
            while chunk := os.read(self.read_end, 1 << 20):
                chunks.append(chunk)
        except BaseException:
            self.stop()
            raise
        os.close(self.read_end)
        self.read_end = -1
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return None
        return b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else None

    def stop(self) -> None:
        """Kill the child (if it runs) and forget it."""
        import signal

        if self.read_end >= 0:
            os.close(self.read_end)
            self.read_end = -1
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def start(work: Callable[[], bytes]) -> Child | None:
    """Fork a child that runs ``work`` and writes what it returns (None if no child could be started)."""
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _answer(write_end, work)
    os.close(write_end)
    return Child(pid, read_end)


def _answer(write_end: int, work: Callable[[], bytes]) -> None:
    """Run ``work``, write its bytes to ``write_end`` and exit (status 0 only if all were written)."""
    import signal

    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child at once; the parent reports it
        view = memoryview(work())
        while view:
            view = view[os.write(write_end, view) :]
        status = 0
    except BaseException:  # (the parent does the work itself: nothing to report here)
        pass
    finally:
        os._exit(status)
