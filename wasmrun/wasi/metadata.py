"""File metadata as Wasmtime reports it: ``statx``, hashed inode numbers, birth times.

Wasmtime's ``filestat`` is not the host's ``stat`` verbatim:

- ``dev`` is always 1 and ``ino`` is a 64-bit hash of the host's ``(st_dev,
  st_ino)`` pair (Rust's ``DefaultHasher``: SipHash-1-3 with zero keys over the
  two values as little-endian u64s), so host device numbers never reach the
  guest while equal files still compare equal;
- ``ctim`` is the *birth* time (``statx``'s ``stx_btime``), 0 where the file
  system keeps none; times before 1970 are 0 too;
- a FIFO is ``unknown`` (preview1 has no FIFO type) and a socket is an error.

``statx`` is called through ctypes (Python's ``os.stat`` has no birth time on
Linux); where the kernel lacks it, ``os.stat`` stands in, without birth times.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
import struct
from typing import NamedTuple

from wasmrun.wasi.abi import Errno, Filetype
from wasmrun.wasi.base import Fail
from wasmrun.wasi.guest import WasiTrap

_AT_EMPTY_PATH = 0x1000
_AT_SYMLINK_NOFOLLOW = 0x100
_STATX_BASIC_STATS = 0x7FF
_STATX_BTIME = 0x800
# struct statx: mask u32 @0, nlink u32 @16, mode u16 @28, ino u64 @32, size u64 @40,
# atime @64, btime @80, ctime @96, mtime @112 (each i64 sec, u32 nsec, pad), dev major/minor u32 @136/@140.
_STATX_SIZE = 256
_STATX = struct.Struct("<I12xI8xH2xQQ16xqI4xqI4x16xqI4x8xII")

_libc = ctypes.CDLL(None, use_errno=True)
_statx = getattr(_libc, "statx", None)
if _statx is not None:
    _statx.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p)
    _statx.restype = ctypes.c_int

NANOS = 1_000_000_000
SOCKETS_UNSUPPORTED = "sockets are not currently supported"


class HostStat(NamedTuple):
    """What Wasmtime reads of a file's metadata (times in ns since the epoch, may be negative)."""

    mode: int
    dev: int
    ino: int
    nlink: int
    size: int
    atime: tuple[int, int]
    mtime: tuple[int, int]
    btime: tuple[int, int] | None


def _from_os(result: os.stat_result) -> HostStat:
    atime = divmod(result.st_atime_ns, NANOS)
    mtime = divmod(result.st_mtime_ns, NANOS)
    return HostStat(result.st_mode, result.st_dev, result.st_ino, result.st_nlink, result.st_size, atime, mtime, None)


def _statx_call(dir_fd: int, path: bytes, flags: int) -> HostStat | None:
    """``statx``; None when the kernel or libc lacks it."""
    if _statx is None:
        return None
    buffer = ctypes.create_string_buffer(_STATX_SIZE)
    if _statx(dir_fd, path, flags, _STATX_BASIC_STATS | _STATX_BTIME, buffer) != 0:
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EPERM):
            return None
        raise OSError(code, os.strerror(code))
    (mask, nlink, mode, ino, size, a_sec, a_nsec, b_sec, b_nsec, m_sec, m_nsec, major, minor) = _STATX.unpack_from(
        buffer.raw
    )
    btime = (b_sec, b_nsec) if mask & _STATX_BTIME else None
    return HostStat(mode, os.makedev(major, minor), ino, nlink, size, (a_sec, a_nsec), (m_sec, m_nsec), btime)


def stat_fd(fd: int) -> HostStat:
    """The metadata of an open host descriptor (``O_PATH`` ones included)."""
    result = _statx_call(fd, b"", _AT_EMPTY_PATH)
    return result if result is not None else _from_os(os.fstat(fd))


def stat_at(dir_fd: int, name: bytes, *, follow: bool) -> HostStat:
    """The metadata of ``name`` in the directory ``dir_fd`` (a single component)."""
    if b"\0" in name:
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
    result = _statx_call(dir_fd, name, 0 if follow else _AT_SYMLINK_NOFOLLOW)
    if result is not None:
        return result
    return _from_os(os.stat(name, dir_fd=dir_fd, follow_symlinks=follow))


def filetype(mode: int) -> int:
    """The preview1 filetype of a host file mode; a socket is a WasiTrap, as in Wasmtime."""
    if stat.S_ISDIR(mode):
        return Filetype.DIRECTORY
    if stat.S_ISLNK(mode):
        return Filetype.SYMBOLIC_LINK
    if stat.S_ISREG(mode):
        return Filetype.REGULAR_FILE
    if stat.S_ISBLK(mode):
        return Filetype.BLOCK_DEVICE
    if stat.S_ISCHR(mode):
        return Filetype.CHARACTER_DEVICE
    if stat.S_ISSOCK(mode):
        raise WasiTrap(SOCKETS_UNSUPPORTED)
    return Filetype.UNKNOWN


def timestamp(time: tuple[int, int] | None) -> int:
    """A host time as a preview1 timestamp: 0 when absent or before 1970, OVERFLOW past 2554."""
    if time is None or time[0] < 0:
        return 0
    value = time[0] * NANOS + time[1]
    if value >> 64:
        raise Fail(Errno.OVERFLOW)
    return value


# -- the inode hash: SipHash-1-3, keys (0, 0) ----------------------------------------------

_MASK = (1 << 64) - 1


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (64 - bits))) & _MASK


def siphash13(data: bytes) -> int:
    """SipHash-1-3 of ``data`` with both keys zero (Rust's ``DefaultHasher::new()``)."""
    v0, v1, v2, v3 = 0x736F6D6570736575, 0x646F72616E646F6D, 0x6C7967656E657261, 0x7465646279746573

    def sipround() -> None:
        nonlocal v0, v1, v2, v3
        v0 = (v0 + v1) & _MASK
        v1 = _rotl(v1, 13) ^ v0
        v0 = _rotl(v0, 32)
        v2 = (v2 + v3) & _MASK
        v3 = _rotl(v3, 16) ^ v2
        v0 = (v0 + v3) & _MASK
        v3 = _rotl(v3, 21) ^ v0
        v2 = (v2 + v1) & _MASK
        v1 = _rotl(v1, 17) ^ v2
        v2 = _rotl(v2, 32)

    length = len(data)
    whole = length - length % 8
    for offset in range(0, whole, 8):
        word = int.from_bytes(data[offset : offset + 8], "little")
        v3 ^= word
        sipround()
        v0 ^= word
    last = ((length & 0xFF) << 56) | int.from_bytes(data[whole:], "little")
    v3 ^= last
    sipround()
    v0 ^= last
    v2 ^= 0xFF
    sipround()
    sipround()
    sipround()
    return v0 ^ v1 ^ v2 ^ v3


_INODE_CACHE: dict[tuple[int, int], int] = {}


def inode(host: HostStat) -> int:
    """Wasmtime's preview1 inode number of a file: the hash of its host identity."""
    key = (host.dev, host.ino)
    value = _INODE_CACHE.get(key)
    if value is None:
        if len(_INODE_CACHE) > 65536:
            _INODE_CACHE.clear()
        value = _INODE_CACHE[key] = siphash13(struct.pack("<QQ", host.dev & _MASK, host.ino & _MASK))
    return value
