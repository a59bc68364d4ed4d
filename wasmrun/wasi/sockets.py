"""``sock_*``: Wasmtime's preview1 has no sockets; an open fd gets NOTSOCK, anything else BADF."""

from __future__ import annotations

from wasmrun.wasi.abi import Errno, Fdflags, Riflags, Sdflags
from wasmrun.wasi.base import ContextBase, Fail, lift, lift_flags, wasi_function
from wasmrun.wasi.guest import GuestMemory

_FDFLAGS = sum(Fdflags)
_RIFLAGS = sum(Riflags)
_SDFLAGS = sum(Sdflags)


class SocketFunctions(ContextBase):
    def _not_a_socket(self, fd: int) -> Fail:
        return Fail(Errno.NOTSOCK if self.table.get(fd) is not None else Errno.BADF)

    @wasi_function
    def sock_accept(self, guest: GuestMemory, fd: int, flags: int, fd_out: int) -> int:
        lift_flags(flags, 32, 0xFFFF, _FDFLAGS, "sock_accept", "Fdflags")
        raise self._not_a_socket(fd)

    @wasi_function
    def sock_recv(
        self, guest: GuestMemory, fd: int, ri_data: int, ri_data_len: int, ri_flags: int, size_out: int, flags_out: int
    ) -> int:
        lift_flags(ri_flags, 32, 0xFFFF, _RIFLAGS, "sock_recv", "Riflags")
        raise self._not_a_socket(fd)

    @wasi_function
    def sock_send(
        self, guest: GuestMemory, fd: int, si_data: int, si_data_len: int, si_flags: int, size_out: int
    ) -> int:
        lift(si_flags, 32, 0xFFFF, "sock_send", "u16")
        raise self._not_a_socket(fd)

    @wasi_function
    def sock_shutdown(self, guest: GuestMemory, fd: int, how: int) -> int:
        lift_flags(how, 32, 0xFF, _SDFLAGS, "sock_shutdown", "Sdflags")
        raise self._not_a_socket(fd)
