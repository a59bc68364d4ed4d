"""Guest memory as the WASI functions see it: every access bounds- and alignment-checked, here.

This is the only code of :mod:`wasmrun.wasi` that touches a linear memory.  It
wraps an object with a ``view`` attribute (a :class:`~wasmrun.runtime.memory.MemoryInstance`:
its ``view`` is replaced when the memory grows, so it is read afresh on every
access and never cached).

What a bad pointer does follows Wasmtime (its ``wiggle`` layer), which follows
the witx rule "an out-of-bounds or misaligned pointer shall trap": the WASI call
does not return an errno, it fails the whole call with an error.  Checks come in
Wasmtime's order: the range first (``Pointer out of bounds``), then the
alignment of the value's type (``Pointer not aligned to N``), each with the same
``Region { start: S, len: L }`` text.  A record is accessed one field at a time,
so a record whose first fields are valid is partly written before the trap,
exactly as in Wasmtime.

The failure is a :class:`WasiTrap`, a :class:`~wasmrun.errors.Trap` (the engine
unwinds it like any trap) that carries Wasmtime's "Caused by" chain.  Wasmtime's
CLI reports such a host error with exit status 1, not the 134 of a wasm trap:
the CLI tells them apart by this class.
"""

from __future__ import annotations

import struct
from typing import Any

from wasmrun.errors import Trap

_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_IOVEC = struct.Struct("<II")


class WasiTrap(Trap):
    """A WASI call failed as a host error (Wasmtime: an ``Err`` from the host function).

    ``causes`` is Wasmtime's "Caused by" chain, outermost first; ``message`` is
    the innermost cause.
    """

    def __init__(self, *causes: str) -> None:
        super().__init__(causes[-1])
        self.causes: tuple[str, ...] = causes


def region(start: int, length: int) -> str:
    """Wasmtime's (Rust ``Debug``) rendering of a guest byte range."""
    return f"Region {{ start: {start}, len: {length} }}"


def out_of_bounds(start: int, length: int) -> WasiTrap:
    return WasiTrap(f"Pointer out of bounds: {region(start, length)}")


def misaligned(start: int, length: int, align: int) -> WasiTrap:
    return WasiTrap(f"Pointer not aligned to {align}: {region(start, length)}")


class GuestMemory:
    """Checked access to one linear memory (the object's ``view``, read on every call)."""

    __slots__ = ("memory",)

    def __init__(self, memory: Any) -> None:
        self.memory = memory

    # -- ranges --------------------------------------------------------------------------

    def check(self, start: int, length: int) -> memoryview:
        """The current view, after checking that ``[start, start+length)`` lies inside it."""
        view: memoryview = self.memory.view
        if start + length > len(view):
            raise out_of_bounds(start, length)
        return view

    def read_bytes(self, start: int, length: int) -> bytes:
        view = self.check(start, length)
        return bytes(view[start : start + length])

    def write_bytes(self, start: int, data: bytes | bytearray | memoryview) -> None:
        """Copy ``data`` in; copying nothing checks nothing (Wasmtime's ``copy_from_slice``)."""
        length = len(data)
        if not length:
            return
        view = self.check(start, length)
        view[start : start + length] = data

    def slice(self, start: int, length: int) -> memoryview:
        """A writable view of ``[start, start+length)`` (for reading from a host fd into it)."""
        view = self.check(start, length)
        return view[start : start + length]

    # -- scalars (little-endian, naturally aligned) ----------------------------------------

    def _scalar(self, start: int, size: int) -> memoryview:
        view: memoryview = self.memory.view
        if start + size > len(view):
            raise out_of_bounds(start, size)
        if start % size:
            raise misaligned(start, size, size)
        return view

    def read_u8(self, start: int) -> int:
        view: memoryview = self.memory.view
        if start >= len(view):
            raise out_of_bounds(start, 1)
        return view[start]

    def read_u16(self, start: int) -> int:
        return int(_U16.unpack_from(self._scalar(start, 2), start)[0])

    def read_u32(self, start: int) -> int:
        return int(_U32.unpack_from(self._scalar(start, 4), start)[0])

    def read_u64(self, start: int) -> int:
        return int(_U64.unpack_from(self._scalar(start, 8), start)[0])

    def write_u8(self, start: int, value: int) -> None:
        view: memoryview = self.memory.view
        if start >= len(view):
            raise out_of_bounds(start, 1)
        view[start] = value

    def write_u16(self, start: int, value: int) -> None:
        _U16.pack_into(self._scalar(start, 2), start, value)

    def write_u32(self, start: int, value: int) -> None:
        _U32.pack_into(self._scalar(start, 4), start, value)

    def write_u64(self, start: int, value: int) -> None:
        _U64.pack_into(self._scalar(start, 8), start, value)

    # -- (c)iovec arrays -----------------------------------------------------------------

    def first_nonempty_iovec(self, start: int, count: int) -> tuple[int, int]:
        """``(buf, buf_len)`` of the first iovec with a non-zero length, else ``(0, 0)``.

        Wasmtime's preview1 reads and writes one buffer per call: the first
        non-empty one.  The elements are read one by one (each checked as two
        u32 fields), stopping there, so a bad element after it is never seen.
        """
        for index in range(count):
            element = start + 8 * index
            if element > 0xFFFFFFFF:
                raise WasiTrap("Pointer overflow")
            view = self._scalar(element, 4)
            if element + 8 > len(view):
                raise out_of_bounds(element + 4, 4)
            buf, buf_len = _IOVEC.unpack_from(view, element)
            if buf_len:
                return buf, buf_len
        return 0, 0
