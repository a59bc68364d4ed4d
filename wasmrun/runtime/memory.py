"""Linear memory: one private anonymous mapping per memory, reserved once, never moved.

Layout of the mapping (``address`` is its base)::

    [0, pages * 64 KiB)              read/write: the memory's current contents
    [pages * 64 KiB, reservation)    PROT_NONE until ``grow`` makes it read/write
    [reservation, reservation+guard) PROT_NONE for ever: the guard

The whole reservation (the declared maximum, clamped to the cap) is mapped at
creation with ``MAP_NORESERVE``, so it costs address space but no memory until
pages are touched, and ``grow`` is one ``mprotect``: the base address never
changes and nothing is copied.

The hot path is ``view``: a writable memoryview of exactly the current size.
Loads and stores index it directly (``view[a]``, ``Struct.unpack_from(view,
a)``), and the memoryview's own bounds check raises ``IndexError`` or
``struct.error`` past the end, so the engine needs no Python-level comparison;
addresses are unsigned, so a negative index (which Python would count from the
end) never reaches it.  ``grow`` replaces ``view`` with a new, longer one and
releases the old, so code that caches ``view`` across a possible grow fails
loudly (``ValueError: operation forbidden on released memoryview``) instead of
silently trapping at the old size.

Beside ``view``, ``typed_views`` holds the same bytes cast to 16-, 32- and 64-bit
unsigned integers, 32-bit signed ones and doubles (on a little-endian host, where those are wasm's
byte order): an aligned access through them (``typed_views["I"][a >> 2]``) is
about twice as fast as ``unpack_from``.  They are replaced and released with
``view``.  Code that keeps the views elsewhere registers a callable in
``grow_listeners``: each is called with the memory after every successful grow,
and dropped when it returns False.

Slices truncate silently, so the bulk operations (``read``, ``write``,
``fill``, ``copy``, ``init``) and the typed accessors check bounds explicitly,
with the spec's rules: a range may end exactly at the end of memory, even when
it is empty, but not start beyond it.

Why a small guard (one wasm page) rather than Wasmtime's 2 GiB: Wasmtime's guard
lets compiled code skip bounds checks for any static offset below 2 GiB.  Here
every Python-level access is already checked by ``view``, so the guard only
matters to native code holding a raw pointer (ctypes); one page makes a native
overrun of the reservation fault instead of reaching a neighbouring mapping, at
no cost in address space worth counting.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import mmap
import struct
import sys
from collections.abc import Callable
from typing import Any

from wasmrun.errors import TRAP_MEMORY_OUT_OF_BOUNDS, InstantiationError, ResourceError, Trap
from wasmrun.floats import f32_from_bits, f32_to_bits
from wasmrun.runtime.interrupt import interruptible_code
from wasmrun.types import PAGE_SIZE, MemoryType

# Linux's value; the mmap module of Python 3.11 does not export it.
MAP_NORESERVE = getattr(mmap, "MAP_NORESERVE", 0x4000)
PROT_NONE = 0
PROT_READ_WRITE = mmap.PROT_READ | mmap.PROT_WRITE

DEFAULT_CAP_BYTES = 4 * 2**30
DEFAULT_GUARD_BYTES = PAGE_SIZE

# Fills longer than this go through libc's memset rather than a temporary bytes
# object of the fill's length (a whole-memory fill would otherwise double the
# memory in use for a moment).
_MEMSET_THRESHOLD = 4096

# Bulk operations longer than this run in chunks of it, so that a timeout can stop a guest between
# two chunks (see wasmrun.runtime.interrupt): 16 MiB take a few milliseconds.
BULK_CHUNK = 16 * 2**20

_libc = ctypes.CDLL(None, use_errno=True)
_mprotect = _libc.mprotect
_mprotect.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
_mprotect.restype = ctypes.c_int

# The typed views: native formats that are wasm's little-endian layout on this host (none on others).
TYPED_FORMATS: tuple[Any, ...] = (
    tuple(f for f in ("H", "I", "i", "Q", "d") if struct.calcsize(f) == struct.calcsize("<" + f))
    if sys.byteorder == "little"
    else ()
)

_I32 = struct.Struct("<i")
_U32 = struct.Struct("<I")
_I64 = struct.Struct("<q")
_U64 = struct.Struct("<Q")
_F64 = struct.Struct("<d")


def _protect(address: int, length: int, protection: int) -> None:
    """``mprotect`` a page-aligned range; OSError (with errno) when the kernel refuses."""
    if length and _mprotect(address, length, protection) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"mprotect failed: {errno.errorcode.get(code, code)}")


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def _typed_views(view: memoryview) -> dict[str, memoryview]:
    """The typed views of ``view``: whole elements only (a byte-paged memory's size need not divide 8), so an
    aligned access past the end is past the typed view's end too."""
    if len(view) % 8 == 0:
        return {f: view.cast(f) for f in TYPED_FORMATS}
    return {f: view[: len(view) - len(view) % struct.calcsize(f)].cast(f) for f in TYPED_FORMATS}


class MemoryInstance:
    """A linear memory (spec: *memory instance*) backed by one reserved mapping."""

    type: MemoryType
    view: memoryview
    typed_views: dict[str, memoryview]
    grow_listeners: list[Callable[[MemoryInstance], bool]]
    pages: int
    max_pages: int
    reservation: int
    guard: int
    address: int
    grow_failed: int
    page_size: int

    def __init__(
        self,
        memory_type: MemoryType,
        *,
        cap_bytes: int = DEFAULT_CAP_BYTES,
        guard_bytes: int = DEFAULT_GUARD_BYTES,
    ) -> None:
        limits = memory_type.limits
        # A 64-bit memory (memory64) may declare up to 2^48 pages: the cap bounds what is reserved.
        # Pages are 64 KiB, or 1 byte (custom page sizes).
        page_size = self.page_size = memory_type.page_size
        bound = memory_type.max_pages
        declared_max = bound if limits.max is None else min(limits.max, bound)
        max_pages = min(declared_max, max(cap_bytes, 0) // page_size)
        if limits.min > max_pages:
            raise InstantiationError(
                f"memory minimum size of {limits.min} pages ({limits.min * page_size} bytes) "
                f"exceeds the memory limit of {max_pages * page_size} bytes"
            )
        self.type = memory_type
        # What a failed ``memory.grow`` returns: -1 as an unsigned value of the memory's address type.
        self.grow_failed = 2**64 - 1 if limits.address64 else 2**32 - 1
        self.pages = limits.min
        self.max_pages = max_pages
        self.reservation = _round_up(max_pages * page_size, mmap.PAGESIZE)
        self.guard = _round_up(max(guard_bytes, 0), mmap.PAGESIZE)
        # mmap refuses an empty mapping: a memory with maximum 0 and no guard still maps one OS page.
        length = max(self.reservation + self.guard, mmap.PAGESIZE)
        try:
            self._mmap: mmap.mmap | None = mmap.mmap(
                -1, length, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | MAP_NORESERVE
            )
        except OSError as error:
            raise ResourceError(
                f"cannot reserve {length} bytes of address space for a linear memory: {error.strerror}"
            ) from None
        except OverflowError:  # a 64-bit memory's reservation past what mmap takes
            raise ResourceError(
                f"cannot reserve {length} bytes of address space for a linear memory: too large"
            ) from None
        mapping = self._mmap
        anchor = ctypes.c_char.from_buffer(mapping)  # a buffer export: dropped at once so close() can unmap
        self.address = ctypes.addressof(anchor)
        del anchor
        size = self.pages * page_size
        accessible = _round_up(size, mmap.PAGESIZE)  # (a byte-paged memory's last OS page is partly beyond it)
        try:
            _protect(self.address + accessible, length - accessible, PROT_NONE)
        except OSError as error:
            mapping.close()
            raise ResourceError(f"cannot protect the reservation of a linear memory: {error.strerror}") from None
        self._whole = memoryview(mapping)
        self.view = self._whole[:size]
        self.typed_views = _typed_views(self.view)
        self.grow_listeners = []

    def __repr__(self) -> str:
        return f"<MemoryInstance {self.pages} pages (max {self.max_pages}) at 0x{self.address:x}>"

    @property
    def size(self) -> int:
        """The current size in bytes."""
        return self.pages * self.page_size

    trap_on_grow_failure = False
    """Set by the store (Wasmtime's ``-W trap-on-grow-failure``): a failed grow stops the program."""

    def _grow_failed(self, pages: int) -> int:
        if self.trap_on_grow_failure:
            from wasmrun.errors import HostError

            raise HostError(f"forcing trap when growing memory to {pages * self.page_size} bytes")
        return -1

    def grow(self, delta_pages: int) -> int:
        """``memory.grow``: the old size in pages, or -1 (never an exception) when it cannot."""
        old_pages = self.pages
        if delta_pages < 0 or old_pages + delta_pages > self.max_pages:
            return self._grow_failed(old_pages + delta_pages)
        if delta_pages == 0:
            return old_pages
        page_size = self.page_size
        start = _round_up(old_pages * page_size, mmap.PAGESIZE)
        try:
            _protect(
                self.address + start,
                _round_up((old_pages + delta_pages) * page_size, mmap.PAGESIZE) - start,
                PROT_READ_WRITE,
            )
        except OSError:
            return self._grow_failed(old_pages + delta_pages)  # the spec lets grow fail for want of resources
        self.pages = old_pages + delta_pages
        old_views = [self.view, *self.typed_views.values()]
        self.view = self._whole[: self.pages * page_size]
        self.typed_views = _typed_views(self.view)
        # If something holds a buffer of an old view, it stays valid (same bytes) until that goes.
        for old_view in old_views:
            with contextlib.suppress(BufferError):
                old_view.release()
        if self.grow_listeners:
            self.grow_listeners = [listener for listener in self.grow_listeners if listener(self)]
        return old_pages

    def limit_growth(self, cap_bytes: int) -> None:
        """Let the memory grow to at most ``cap_bytes`` (never below its current size): a store's limit."""
        self.max_pages = min(self.max_pages, max(self.pages, max(cap_bytes, 0) // self.page_size))

    # -- bulk access, bounds-checked explicitly (slices would truncate) -----------

    def _check(self, address: int, length: int) -> None:
        if address < 0 or length < 0 or address + length > len(self.view):
            raise Trap(TRAP_MEMORY_OUT_OF_BOUNDS)

    def read(self, address: int, length: int) -> bytes:
        self._check(address, length)
        return bytes(self.view[address : address + length])

    def write(self, address: int, data: bytes | bytearray | memoryview) -> None:
        length = len(data)
        self._check(address, length)
        self.view[address : address + length] = data

    @interruptible_code
    def fill(self, address: int, value: int, length: int) -> None:
        """``memory.fill``: the byte ``value & 0xFF``, checked before anything is written."""
        self._check(address, length)
        if length > _MEMSET_THRESHOLD:
            start = self.address + address
            for offset in range(0, length, BULK_CHUNK):
                ctypes.memset(start + offset, value & 0xFF, min(BULK_CHUNK, length - offset))
        else:
            self.view[address : address + length] = bytes((value & 0xFF,)) * length

    @interruptible_code
    def copy(self, destination: int, source: int, length: int) -> None:
        """``memory.copy``: overlap-safe (memmove), both ranges checked first."""
        self._check(source, length)
        self._check(destination, length)
        view = self.view
        if length <= BULK_CHUNK:
            # CPython copies between overlapping views of one buffer with memmove.
            view[destination : destination + length] = view[source : source + length]
            return
        # In chunks, in the order that reads every byte before it is overwritten: downwards when
        # the destination is above the source, upwards otherwise.
        offsets = range(0, length, BULK_CHUNK)
        for offset in reversed(offsets) if destination > source else offsets:
            end = min(offset + BULK_CHUNK, length)
            view[destination + offset : destination + end] = view[source + offset : source + end]

    @interruptible_code
    def copy_from(self, destination: int, source_memory: MemoryInstance, source: int, length: int) -> None:
        """``memory.copy`` from another memory (multiple memories): both ranges checked first."""
        source_memory._check(source, length)
        self._check(destination, length)
        source_view = source_memory.view
        for offset in range(0, length, BULK_CHUNK):
            end = min(offset + BULK_CHUNK, length)
            self.view[destination + offset : destination + end] = source_view[source + offset : source + end]

    @interruptible_code
    def init(self, destination: int, data: bytes, source: int, length: int) -> None:
        """``memory.init``: copy ``data[source:source+length]``, both ranges checked first."""
        if source < 0 or length < 0 or source + length > len(data):
            raise Trap(TRAP_MEMORY_OUT_OF_BOUNDS)
        self._check(destination, length)
        self.view[destination : destination + length] = memoryview(data)[source : source + length]

    # -- typed access for embedders ---------------------------------------------

    def read_u8(self, address: int) -> int:
        self._check(address, 1)
        return self.view[address]

    def read_i32(self, address: int) -> int:
        self._check(address, 4)
        return int(_I32.unpack_from(self.view, address)[0])

    def read_u32(self, address: int) -> int:
        self._check(address, 4)
        return int(_U32.unpack_from(self.view, address)[0])

    def read_i64(self, address: int) -> int:
        self._check(address, 8)
        return int(_I64.unpack_from(self.view, address)[0])

    def read_u64(self, address: int) -> int:
        self._check(address, 8)
        return int(_U64.unpack_from(self.view, address)[0])

    def read_f32(self, address: int) -> float:
        """The f32 at ``address`` in the runtime's form (NaN payloads kept)."""
        return f32_from_bits(self.read_u32(address))

    def read_f64(self, address: int) -> float:
        self._check(address, 8)
        return float(_F64.unpack_from(self.view, address)[0])

    def write_u8(self, address: int, value: int) -> None:
        self._check(address, 1)
        self.view[address] = value & 0xFF

    def write_i32(self, address: int, value: int) -> None:
        """Store the low 32 bits of ``value`` (signed or unsigned)."""
        self._check(address, 4)
        _U32.pack_into(self.view, address, value & 0xFFFFFFFF)

    def write_i64(self, address: int, value: int) -> None:
        """Store the low 64 bits of ``value`` (signed or unsigned)."""
        self._check(address, 8)
        _U64.pack_into(self.view, address, value & 0xFFFFFFFFFFFFFFFF)

    def write_f32(self, address: int, value: float) -> None:
        """Store ``value`` as binary32 (rounded if it is not exactly representable)."""
        self.write_i32(address, f32_to_bits(value))

    def write_f64(self, address: int, value: float) -> None:
        self._check(address, 8)
        _F64.pack_into(self.view, address, value)

    # -- lifetime ---------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._mmap is None

    def close(self) -> None:
        """Unmap the memory.  Idempotent; any later access raises ValueError (released view)."""
        mapping = self._mmap
        if mapping is None:
            return
        self._mmap = None
        # If someone still holds a view derived from ours (a slice kept by a host function,
        # say), mmap refuses to close: the mapping is then unmapped when the last of them goes.
        releases = [view.release for view in self.typed_views.values()]
        for release in (*releases, self.view.release, self._whole.release, mapping.close):
            with contextlib.suppress(BufferError):
                release()
