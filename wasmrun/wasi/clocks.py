"""``clock_res_get`` and ``clock_time_get``.

As in Wasmtime: the realtime clock is the host's wall clock; the monotonic
clock counts nanoseconds from the creation of the context (Wasmtime's
``MonotonicClock`` starts at its own creation); the process and thread CPU-time
clocks are not provided (BADF).
"""

from __future__ import annotations

import time

from wasmrun.wasi.abi import Clockid, Errno
from wasmrun.wasi.base import ContextBase, Fail, lift_enum, store_u64, wasi_function
from wasmrun.wasi.guest import GuestMemory

_CLOCKIDS = len(Clockid)


def resolution_ns(clock: int) -> int:
    return round(time.clock_getres(clock) * 1_000_000_000)


class ClockFunctions(ContextBase):
    def monotonic_now(self) -> int:
        """The guest's monotonic clock: nanoseconds since this context was created."""
        return time.monotonic_ns() - self.monotonic_origin

    @wasi_function
    def clock_res_get(self, guest: GuestMemory, clock_id: int, resolution_out: int) -> int:
        clock_id = lift_enum(clock_id, 0xFFFFFFFF, _CLOCKIDS, "clock_res_get", "Clockid")
        if clock_id == Clockid.REALTIME:
            resolution = resolution_ns(time.CLOCK_REALTIME)
        elif clock_id == Clockid.MONOTONIC:
            resolution = resolution_ns(time.CLOCK_MONOTONIC)
        else:
            raise Fail(Errno.BADF)
        store_u64(guest, resolution_out, resolution, "clock_res_get", "timestamp")
        return 0

    @wasi_function
    def clock_time_get(self, guest: GuestMemory, clock_id: int, precision: int, time_out: int) -> int:
        clock_id = lift_enum(clock_id, 0xFFFFFFFF, _CLOCKIDS, "clock_time_get", "Clockid")
        if clock_id == Clockid.REALTIME:
            now = time.time_ns()
        elif clock_id == Clockid.MONOTONIC:
            now = self.monotonic_now()
        else:
            raise Fail(Errno.BADF)
        store_u64(guest, time_out, now, "clock_time_get", "timestamp")
        return 0
