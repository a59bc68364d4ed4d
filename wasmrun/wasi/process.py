"""``proc_exit``, ``proc_raise``, ``sched_yield`` and ``random_get``."""

from __future__ import annotations

import os

from wasmrun.errors import ProcExit
from wasmrun.wasi.abi import Errno, Signal
from wasmrun.wasi.base import ContextBase, Fail, lift_enum, wasi_function
from wasmrun.wasi.guest import GuestMemory, WasiTrap

_SIGNALS = len(Signal)
INVALID_EXIT_STATUS = "exit with invalid exit status outside of [0..126)"


class ProcessFunctions(ContextBase):
    @wasi_function
    def proc_exit(self, guest: GuestMemory, code: int) -> int:
        """Raise :class:`~wasmrun.errors.ProcExit` with the status.

        A status of 126 or more is not an exit in Wasmtime but a failed call
        (a WasiTrap; its CLI reports it and exits with status 1).
        """
        if code >= 126:
            raise WasiTrap(INVALID_EXIT_STATUS)
        raise ProcExit(code)

    @wasi_function
    def proc_raise(self, guest: GuestMemory, signal: int) -> int:
        lift_enum(signal, 0xFF, _SIGNALS, "proc_raise", "Signal")
        raise Fail(Errno.NOTSUP)

    @wasi_function
    def sched_yield(self, guest: GuestMemory) -> int:
        return 0

    @wasi_function
    def random_get(self, guest: GuestMemory, buf: int, buf_len: int) -> int:
        # Wasmtime draws the bytes first and then fails on a bad buffer; checking
        # first gives the same result without drawing gigabytes for nothing.
        if buf_len:
            guest.check(buf, buf_len)
            guest.write_bytes(buf, os.urandom(buf_len))
        return 0
