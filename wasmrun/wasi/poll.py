"""``poll_oneoff``: wait for clocks and for stdio/files to be ready, as Wasmtime's preview1 does.

- No subscription is INVAL (preview1 cannot sleep for ever).
- One relative clock subscription alone is a plain sleep (Wasmtime's CLI does
  this when it may block its thread, i.e. without ``--timeout``; the event then
  says ``nbytes`` 1).  ``blocking_sleep=False`` gives the general path instead,
  which is what wasmtime-py (the C API) does.
- Clocks: monotonic (relative, or absolute in the context's monotonic time) and
  realtime (an absolute realtime deadline becomes the remaining duration);
  the CPU-time clocks are INVAL for the whole call.
- ``fd_read`` on stdin waits for input (or end of file); on a file it is ready
  at once, flagged HANGUP at end of file.  ``fd_write`` on stdout, stderr or a
  file is ready at once.  Any other descriptor is BADF for the whole call.
- The call waits until at least one subscription is ready, then reports every
  ready one, in subscription order, ``nbytes`` 1 for fd events and 0 for clocks.
- A malformed subscription (unknown tag, clock id or flag) is INVAL; a bad
  pointer fails the call (WasiTrap).
"""

from __future__ import annotations

import os
import select
import time
from typing import NamedTuple

from wasmrun.runtime.interrupt import interruptible_code
from wasmrun.wasi.abi import (
    EVENT_ERROR,
    EVENT_FLAGS,
    EVENT_NBYTES,
    EVENT_SIZE,
    EVENT_TYPE,
    EVENT_USERDATA,
    SUBSCRIPTION_CLOCK_FLAGS,
    SUBSCRIPTION_CLOCK_ID,
    SUBSCRIPTION_CLOCK_TIMEOUT,
    SUBSCRIPTION_FD,
    SUBSCRIPTION_SIZE,
    SUBSCRIPTION_TAG,
    SUBSCRIPTION_USERDATA,
    Clockid,
    Errno,
    Eventrwflags,
    Eventtype,
    Subclockflags,
)
from wasmrun.wasi.base import ContextBase, Fail, store_u32, wasi_function
from wasmrun.wasi.clocks import ClockFunctions
from wasmrun.wasi.fdtable import STDIN, FileEntry, StreamEntry
from wasmrun.wasi.guest import GuestMemory, WasiTrap

_MAX_POINTER = 0xFFFFFFFF
_NANOS = 1_000_000_000


class Subscription(NamedTuple):
    userdata: int
    tag: int
    clock_id: int  # clock subscriptions
    timeout: int
    flags: int
    fd: int  # fd_read / fd_write subscriptions


def read_subscription(guest: GuestMemory, pointer: int) -> Subscription:
    """One subscription, field by field in Wasmtime's order; bad values are INVAL."""
    userdata = guest.read_u64(pointer + SUBSCRIPTION_USERDATA)
    tag = guest.read_u8(pointer + SUBSCRIPTION_TAG)
    if tag == Eventtype.CLOCK:
        clock_id = guest.read_u32(pointer + SUBSCRIPTION_CLOCK_ID)
        if clock_id >= len(Clockid):
            raise Fail(Errno.INVAL)
        timeout = guest.read_u64(pointer + SUBSCRIPTION_CLOCK_TIMEOUT)
        guest.read_u64(pointer + SUBSCRIPTION_CLOCK_TIMEOUT + 8)  # precision: read (and checked), unused
        flags = guest.read_u16(pointer + SUBSCRIPTION_CLOCK_FLAGS)
        if flags & ~int(Subclockflags.SUBSCRIPTION_CLOCK_ABSTIME):  # (~ of an IntFlag stays within its bits)
            raise Fail(Errno.INVAL)
        return Subscription(userdata, tag, clock_id, timeout, flags, 0)
    if tag in (Eventtype.FD_READ, Eventtype.FD_WRITE):
        return Subscription(userdata, tag, 0, 0, 0, guest.read_u32(pointer + SUBSCRIPTION_FD))
    raise Fail(Errno.INVAL)


def write_event(guest: GuestMemory, pointer: int, userdata: int, tag: int, nbytes: int, flags: int) -> None:
    guest.write_u64(pointer + EVENT_USERDATA, userdata)
    guest.write_u16(pointer + EVENT_ERROR, 0)
    guest.write_u8(pointer + EVENT_TYPE, tag)
    guest.write_u64(pointer + EVENT_NBYTES, nbytes)
    guest.write_u16(pointer + EVENT_FLAGS, flags)


def _element(base: int, index: int, size: int) -> int:
    pointer = base + index * size
    if pointer > _MAX_POINTER:
        raise WasiTrap("Pointer overflow")
    return pointer


# The waits may be ended by a timeout (wasmrun.runtime.interrupt), as Wasmtime's timeout bounds the whole run.
@interruptible_code
def _sleep_ns(duration: int) -> None:
    deadline = time.monotonic_ns() + duration
    while (remaining := deadline - time.monotonic_ns()) > 0:
        time.sleep(min(remaining / _NANOS, 86400.0))


class PollFunctions(ClockFunctions, ContextBase):
    blocking_sleep: bool

    @wasi_function
    def poll_oneoff(self, guest: GuestMemory, subscriptions: int, events: int, count: int, nevents_out: int) -> int:
        if count == 0:
            raise Fail(Errno.INVAL)
        if count == 1 and self.blocking_sleep:
            only = read_subscription(guest, subscriptions)
            if only.tag == Eventtype.CLOCK and not only.flags & Subclockflags.SUBSCRIPTION_CLOCK_ABSTIME:
                _sleep_ns(only.timeout)
                write_event(guest, events, only.userdata, Eventtype.CLOCK, 1, 0)
                store_u32(guest, nevents_out, 1, "poll_oneoff", "size")
                return 0
        self.consume_fuel(count * SUBSCRIPTION_SIZE)
        self.consume_fuel(count * EVENT_SIZE)

        # What each subscription waits for: a monotonic deadline, stdin (a host fd or None), or nothing.
        parsed: list[Subscription] = []
        deadlines: dict[int, int] = {}
        stdin_waits: dict[int, int | None] = {}
        for index in range(count):
            subscription = read_subscription(guest, _element(subscriptions, index, SUBSCRIPTION_SIZE))
            parsed.append(subscription)
            if subscription.tag == Eventtype.CLOCK:
                deadlines[index] = self._deadline(subscription)
                continue
            entry = self.table.get(subscription.fd)
            if subscription.tag == Eventtype.FD_READ:
                if isinstance(entry, StreamEntry) and entry.kind == STDIN:
                    stdin_waits[index] = entry.host_fd
                elif not isinstance(entry, FileEntry):
                    raise Fail(Errno.BADF)
            elif not isinstance(entry, FileEntry) and not (isinstance(entry, StreamEntry) and entry.kind != STDIN):
                raise Fail(Errno.BADF)

        ready = self._wait(count, deadlines, stdin_waits)

        written = 0
        for index in sorted(ready):
            subscription = parsed[index]
            nbytes, flags = 1, 0
            if subscription.tag == Eventtype.CLOCK:
                nbytes = 0
            elif subscription.tag == Eventtype.FD_READ:
                entry = self.table.get(subscription.fd)
                if isinstance(entry, FileEntry) and os.fstat(entry.host_fd).st_size <= entry.position:
                    flags = Eventrwflags.FD_READWRITE_HANGUP
            pointer = _element(events, written, EVENT_SIZE)
            write_event(guest, pointer, subscription.userdata, subscription.tag, nbytes, flags)
            written += 1
        store_u32(guest, nevents_out, written, "poll_oneoff", "size")
        return 0

    def _deadline(self, subscription: Subscription) -> int:
        """A clock subscription's deadline on the context's monotonic clock."""
        absolute = subscription.flags & Subclockflags.SUBSCRIPTION_CLOCK_ABSTIME
        if subscription.clock_id == Clockid.MONOTONIC:
            return subscription.timeout if absolute else self.monotonic_now() + subscription.timeout
        if subscription.clock_id == Clockid.REALTIME:
            duration = max(subscription.timeout - time.time_ns(), 0) if absolute else subscription.timeout
            return self.monotonic_now() + duration
        raise Fail(Errno.INVAL)

    def _wait(self, count: int, deadlines: dict[int, int], stdin_waits: dict[int, int | None]) -> set[int]:
        """Block until something is ready; the indices of everything ready then.

        Wasmtime polls every subscription's future once and, if any is ready,
        reports those only.  Outputs are ready at once; a clock, even one
        already expired, only at a second look (its future yields once); a file
        read and stdin when their background read is done, which races with
        that first look.  Here: descriptors ready now (writes, file reads,
        stdin with input or at its end) are the whole answer if there are any;
        otherwise the answer is everything ready as soon as something is.
        """
        immediate = set(range(count)) - deadlines.keys() - stdin_waits.keys()
        waiting = {fd for fd in stdin_waits.values() if fd is not None}
        readable = _readable(waiting, 0.0) if waiting else set()
        immediate |= {index for index, fd in stdin_waits.items() if fd is None or fd in readable}
        if immediate:
            return immediate
        while True:
            now = self.monotonic_now()
            ready = immediate | {index for index, deadline in deadlines.items() if deadline <= now}
            waiting = {fd for fd in stdin_waits.values() if fd is not None}
            readable = _readable(waiting, 0.0) if waiting else set()
            ready |= {index for index, fd in stdin_waits.items() if fd is None or fd in readable}
            if ready:
                return ready
            pending = [deadline - now for deadline in deadlines.values()]
            _wait(waiting, min(pending) / _NANOS if pending else None)


@interruptible_code
def _wait(fds: set[int], timeout: float | None) -> None:
    """Until one of ``fds`` is readable or ``timeout`` seconds (None: for ever) have passed."""
    if fds:
        _readable(fds, timeout)
    elif timeout is not None:
        time.sleep(min(timeout, 86400.0))


@interruptible_code
def _readable(fds: set[int], timeout: float | None) -> set[int]:
    """The host fds among ``fds`` ready for reading (a broken one counts as ready: reading says why)."""
    if timeout is not None:
        timeout = min(timeout, 86400.0)
    try:
        readable, _, broken = select.select(list(fds), [], list(fds), timeout)
    except (OSError, ValueError):
        return set(fds)
    return set(readable) | set(broken)
