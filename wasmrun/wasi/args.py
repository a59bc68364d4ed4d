"""``args_*`` and ``environ_*``: the guest's command line and environment."""

from __future__ import annotations

from wasmrun.wasi.base import ContextBase, store_u32, wasi_function
from wasmrun.wasi.guest import GuestMemory


def _write_strings(guest: GuestMemory, pointers: int, buffer: int, strings: list[list[bytes]]) -> None:
    """Each string's address into ``pointers[i]``, then its pieces and a NUL at ``buffer``.

    In Wasmtime's order and granularity (pointer, then each piece -- an
    environment string is name, ``=``, value -- then the NUL), so a bad
    pointer traps after the same partial writes, naming the same region.
    """
    for pieces in strings:
        guest.write_u32(pointers, buffer)
        pointers += 4
        for piece in pieces:
            guest.write_bytes(buffer, piece)
            buffer += len(piece)
        guest.write_u8(buffer, 0)
        buffer += 1


class ArgsFunctions(ContextBase):
    @wasi_function
    def args_get(self, guest: GuestMemory, argv: int, argv_buf: int) -> int:
        _write_strings(guest, argv, argv_buf, [[arg] for arg in self.args])
        return 0

    @wasi_function
    def args_sizes_get(self, guest: GuestMemory, argc_out: int, size_out: int) -> int:
        size = sum(len(arg) + 1 for arg in self.args)
        # Wasmtime stores a function's results last first.
        store_u32(guest, size_out, size, "args_sizes_get", "size")
        store_u32(guest, argc_out, len(self.args), "args_sizes_get", "size")
        return 0

    @wasi_function
    def environ_get(self, guest: GuestMemory, environ: int, environ_buf: int) -> int:
        _write_strings(guest, environ, environ_buf, [[key, b"=", value] for key, value in self.environ])
        return 0

    @wasi_function
    def environ_sizes_get(self, guest: GuestMemory, count_out: int, size_out: int) -> int:
        size = sum(len(key) + len(value) + 2 for key, value in self.environ)
        store_u32(guest, size_out, size, "environ_sizes_get", "size")
        store_u32(guest, count_out, len(self.environ), "environ_sizes_get", "size")
        return 0
