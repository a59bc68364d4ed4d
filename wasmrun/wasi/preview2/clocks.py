"""``wasi:clocks``: the wall clock and the monotonic clock, as preview1 has them.

The wall clock is the host's (or the configured one); the monotonic clock counts nanoseconds from
the host's creation, as Wasmtime's does from its context's, and its pollables are deadlines on it.
Resolutions are the host's ``clock_getres`` (preview1's :func:`~wasmrun.wasi.clocks.resolution_ns`).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from wasmrun.component.types import Primitive, RecordType
from wasmrun.wasi.clocks import resolution_ns
from wasmrun.wasi.preview2.poll import POLL, Pollable
from wasmrun.wasi.preview2.wit import Interface

if TYPE_CHECKING:
    from wasmrun.wasi.preview2.host import WasiHost

NANOS = 1_000_000_000

WALL_CLOCK = Interface("wasi:clocks", "wall-clock")
DATETIME = WALL_CLOCK.define("datetime", RecordType((("seconds", Primitive.U64), ("nanoseconds", Primitive.U32))))

MONOTONIC_CLOCK = Interface("wasi:clocks", "monotonic-clock")
MONOTONIC_CLOCK.use(POLL, "pollable")
MONOTONIC_CLOCK.define("instant", Primitive.U64)
MONOTONIC_CLOCK.define("duration", Primitive.U64)

_U64 = (1 << 64) - 1


def datetime(nanoseconds: int) -> dict[str, int]:
    """A ``datetime`` record of nanoseconds since the epoch (earlier times are the epoch)."""
    seconds, rest = divmod(max(0, nanoseconds), NANOS)
    return {"seconds": seconds, "nanoseconds": rest}


@WALL_CLOCK.function("now", "func() -> datetime")
def wall_clock_now(host: WasiHost) -> dict[str, int]:
    return datetime(host.wall_clock())


@WALL_CLOCK.function("resolution", "func() -> datetime")
def wall_clock_resolution(host: WasiHost) -> dict[str, int]:
    return datetime(resolution_ns(time.CLOCK_REALTIME))


@MONOTONIC_CLOCK.function("now", "func() -> instant")
def monotonic_clock_now(host: WasiHost) -> int:
    return host.monotonic_now()


@MONOTONIC_CLOCK.function("resolution", "func() -> duration")
def monotonic_clock_resolution(host: WasiHost) -> int:
    return resolution_ns(time.CLOCK_MONOTONIC)


@MONOTONIC_CLOCK.function("subscribe-instant", "func(when: instant) -> pollable")
def subscribe_instant(host: WasiHost, when: int) -> Pollable:
    return Pollable(deadline=when, clock=host.monotonic_now)


@MONOTONIC_CLOCK.function("subscribe-duration", "func(when: duration) -> pollable")
def subscribe_duration(host: WasiHost, when: int) -> Pollable:
    # A deadline past the end of u64 time is never reached (Wasmtime saturates likewise).
    return Pollable(deadline=min(host.monotonic_now() + when, _U64), clock=host.monotonic_now)
