"""The guest's file descriptor table, numbered and reused as Wasmtime's preview1 does it.

Numbering (Wasmtime's ``Descriptors``): 0, 1, 2 are stdin, stdout, stderr; the
preopened directories follow from 3 in the order given.  A new descriptor
takes the *highest* number freed by ``fd_close`` (or by ``fd_renumber``) that
is still free, and otherwise one more than the highest number in use.

Entries own their host descriptors (closed when the entry is closed), except
the stdio streams, which are the process's: closing guest fd 1 forgets the
stream and leaves the host's fd 1 alone.

Rights are not enforced (Wasmtime does not enforce them either); what a
descriptor can do follows from what it is and how its host file was opened.
"""

from __future__ import annotations

import os
from collections.abc import Callable

STDIN = 0
STDOUT = 1
STDERR = 2


class Entry:
    """Something a guest fd names."""

    __slots__ = ()

    def close(self) -> None:
        """Release what the entry owns (idempotent)."""


class StreamEntry(Entry):
    """One of the stdio streams: ``kind`` is STDIN, STDOUT or STDERR.

    ``host_fd`` is the host descriptor read or written (not owned); None is an
    empty stdin (end of file at once) or an output that discards everything,
    unless the output has a ``writer``: a callable given each chunk of bytes
    (an embedder's callback).
    """

    __slots__ = ("host_fd", "isatty", "kind", "writer")

    def __init__(self, kind: int, host_fd: int | None, writer: Callable[[bytes], object] | None = None) -> None:
        self.kind = kind
        self.host_fd = host_fd
        self.writer = writer
        self.isatty = host_fd is not None and _isatty(host_fd)


class DirectoryEntry(Entry):
    """An open directory: a preopen (``preopen`` is its guest name) or one from ``path_open``.

    ``listing`` is the last ``fd_readdir`` listing and the directory state it was
    taken in (see :func:`wasmrun.wasi.files.directory_listing`).  ``read_only``: nothing
    beneath it may be changed (a read-only preopen, and what is opened beneath one).
    """

    __slots__ = ("host_fd", "listing", "preopen", "read_only")

    def __init__(self, host_fd: int, preopen: str | None = None, *, read_only: bool = False) -> None:
        self.host_fd = host_fd
        self.preopen = preopen
        self.read_only = read_only
        self.listing: tuple[tuple[int, ...], list[tuple[bytes, int, int]]] | None = None

    def close(self) -> None:
        if self.host_fd >= 0:
            os.close(self.host_fd)
            self.host_fd = -1


class FileEntry(Entry):
    """An open non-directory file.

    ``position`` is the guest's file offset, kept here (Wasmtime keeps it per
    descriptor and reads and writes with ``pread``/``pwrite`` at it); ``append``
    and ``nonblock`` are the fdflags ``fd_fdstat_set_flags`` may change;
    ``readable``/``writable`` say how the host file was opened; ``read_only``: it was
    opened beneath a read-only directory, so its size and times may not change either.
    """

    __slots__ = ("append", "host_fd", "nonblock", "position", "read_only", "readable", "writable")

    def __init__(
        self, host_fd: int, *, readable: bool, writable: bool, append: bool, nonblock: bool, read_only: bool = False
    ) -> None:
        self.host_fd = host_fd
        self.read_only = read_only
        self.position = 0
        self.readable = readable
        self.writable = writable
        self.append = append
        self.nonblock = nonblock

    def close(self) -> None:
        if self.host_fd >= 0:
            os.close(self.host_fd)
            self.host_fd = -1


def _isatty(host_fd: int) -> bool:
    try:
        return os.isatty(host_fd)
    except OSError:
        return False


class FdTable:
    """Guest fd number -> entry, with Wasmtime's reuse of freed numbers."""

    __slots__ = ("entries", "free")

    def __init__(self) -> None:
        self.entries: dict[int, Entry] = {}
        self.free: set[int] = set()

    def get(self, fd: int) -> Entry | None:
        return self.entries.get(fd)

    def push(self, entry: Entry) -> int:
        """Install ``entry`` under a new number and return it."""
        if self.free:
            fd = max(self.free)
            self.free.discard(fd)
        elif self.entries:
            fd = max(self.entries) + 1
        else:
            fd = 0
        self.entries[fd] = entry
        return fd

    def remove(self, fd: int) -> Entry | None:
        """Take ``fd`` out of the table (its number becomes free); None if it was not open."""
        entry = self.entries.pop(fd, None)
        if entry is not None:
            self.free.add(fd)
        return entry

    def renumber(self, from_fd: int, to_fd: int) -> bool:
        """``fd_renumber``: ``to_fd`` is closed and ``from_fd``'s entry moves there.

        Both must be open (False otherwise, and nothing changes); renumbering an
        fd to itself does nothing.
        """
        if from_fd not in self.entries or to_fd not in self.entries:
            return False
        if from_fd == to_fd:
            return True
        closed = self.remove(to_fd)
        if closed is not None:
            closed.close()
        entry = self.entries.pop(from_fd)
        self.free.add(from_fd)
        self.free.discard(to_fd)
        self.entries[to_fd] = entry
        return True

    def close_all(self) -> None:
        for entry in self.entries.values():
            entry.close()
        self.entries.clear()
        self.free.clear()
