"""``wasi:io/poll``: pollables and waiting for them.

A :class:`Pollable` is ready at once (an output stream, a file, in-memory input), at a deadline of
the guest's monotonic clock (``subscribe-instant``/``-duration``), or when a host descriptor has
input or end of file (stdin from a pipe or terminal).  Waiting selects on the descriptors with the
nearest deadline as timeout, inside :func:`~wasmrun.runtime.interrupt.interruptible`, so a
``--timeout`` ends a guest that waits too.
"""

from __future__ import annotations

import select
import time
from collections.abc import Callable, Sequence
from typing import Any

from wasmrun.runtime.interrupt import interruptible
from wasmrun.wasi.guest import WasiTrap
from wasmrun.wasi.preview2.wit import Interface

_NANOS = 1_000_000_000

POLL = Interface("wasi:io", "poll")
PollableType = POLL.resource("pollable")


class Pollable:
    """What ``pollable`` represents: a readiness condition (see the module docstring)."""

    __slots__ = ("clock", "deadline", "fd")

    def __init__(
        self, *, deadline: int | None = None, clock: Callable[[], int] | None = None, fd: int | None = None
    ) -> None:
        self.deadline = deadline  # in the guest's monotonic nanoseconds, read with `clock`
        self.clock = clock
        self.fd = fd

    def ready(self) -> bool:
        if self.deadline is not None and self.clock is not None:
            return self.clock() >= self.deadline
        if self.fd is not None:
            return fd_ready(self.fd)
        return True

    def close(self) -> None:
        """Nothing to release: a pollable only watches what belongs to its stream or clock."""


def fd_ready(fd: int) -> bool:
    """Whether a read of ``fd`` would not block (input, end of file, or an error to report)."""
    try:
        readable, _, broken = select.select([fd], [], [fd], 0)
    except (OSError, ValueError):
        return True  # a broken descriptor: the read reports why
    return bool(readable or broken)


def wait(pollables: Sequence[Pollable]) -> list[int]:
    """Block until at least one is ready; the indices of all the ready ones, in order."""
    while True:
        ready = [index for index, pollable in enumerate(pollables) if pollable.ready()]
        if ready:
            return ready
        timeout: float | None = None
        for pollable in pollables:
            if pollable.deadline is not None and pollable.clock is not None:
                remaining = max(0, pollable.deadline - pollable.clock()) / _NANOS
                timeout = remaining if timeout is None else min(timeout, remaining)
        fds = [pollable.fd for pollable in pollables if pollable.fd is not None]
        with interruptible():
            if fds:
                try:
                    select.select(fds, [], fds, timeout)
                except (OSError, ValueError):
                    return list(range(len(pollables)))  # cannot wait on them: let the reads fail
            elif timeout is not None:
                time.sleep(timeout)


@POLL.function("[method]pollable.ready", "func() -> bool")
def pollable_ready(host: Any, pollable: Pollable) -> bool:
    return pollable.ready()


@POLL.function("[method]pollable.block", "func()")
def pollable_block(host: Any, pollable: Pollable) -> None:
    wait([pollable])


@POLL.function("poll", "func(in: list<borrow<pollable>>) -> list<u32>")
def poll(host: Any, pollables: Sequence[Pollable]) -> list[int]:
    if not pollables:
        raise WasiTrap("empty poll list")  # Wasmtime's host error: nothing could ever be ready
    if len(pollables) > 0xFFFFFFFF:
        raise WasiTrap("poll list too long")
    return wait(pollables)
