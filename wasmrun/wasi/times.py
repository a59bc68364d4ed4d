"""Setting file times with ``utimensat``/``futimens`` (Python's ``os.utime`` cannot leave one unchanged)."""

from __future__ import annotations

import ctypes
import os
import time

_UTIME_OMIT = (1 << 30) - 2
_AT_SYMLINK_NOFOLLOW = 0x100
NANOS = 1_000_000_000


class _Timespec(ctypes.Structure):
    _fields_ = (("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long))


_libc = ctypes.CDLL(None, use_errno=True)
_utimensat = _libc.utimensat
_utimensat.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(_Timespec), ctypes.c_int)
_utimensat.restype = ctypes.c_int
_futimens = _libc.futimens
_futimens.argtypes = (ctypes.c_int, ctypes.POINTER(_Timespec))
_futimens.restype = ctypes.c_int

# A new time: nanoseconds since the epoch, True for "now", None for "leave it".
NewTime = int | bool | None


def _spec(value: NewTime, now: int) -> _Timespec:
    if value is None:
        return _Timespec(0, _UTIME_OMIT)
    if value is True:
        value = now  # Wasmtime passes the host's current time, not UTIME_NOW
    seconds, nanoseconds = divmod(int(value), NANOS)
    return _Timespec(seconds, nanoseconds)


def _call(dir_fd: int, name: bytes | None, access: NewTime, modify: NewTime, flags: int) -> None:
    now = time.time_ns()
    times = (_Timespec * 2)(_spec(access, now), _spec(modify, now))
    result = _futimens(dir_fd, times) if name is None else _utimensat(dir_fd, name, times, flags)
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def set_times_fd(fd: int, access: NewTime, modify: NewTime) -> None:
    """``futimens``: the times of an open file."""
    _call(fd, None, access, modify, 0)


def set_times_at(dir_fd: int, name: bytes, access: NewTime, modify: NewTime) -> None:
    """``utimensat(AT_SYMLINK_NOFOLLOW)`` of one name in a directory (a link's own times)."""
    _call(dir_fd, name, access, modify, _AT_SYMLINK_NOFOLLOW)
