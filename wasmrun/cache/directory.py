"""The cache directory: private, checked before each use, written atomically, kept within its limits.

Layout: ``<directory>/entries/<key>``, one file per entry (the key: :func:`wasmrun.cache.code_cache.entry_key`);
``<directory>/digests/<name>``, the memo of a module file's SHA-256 by the file's identity
(:meth:`wasmrun.cache.code_cache.CodeCache.module_hash`); ``<directory>/secret``, the 32 random bytes
that key the entries' (and memos') digests.

What it takes to be used (else :class:`UnusableDirectory`, whose reason the run shows in one warning
before it goes on without the cache): the directory, and ``entries`` and ``digests`` in it, are created private
(``0700``); an existing one must be a directory of the user running wasmrun that no one else can write
(a group- or world-writable directory, or another user's, could hold entries planted by someone else,
code that would run as this user).  Each file read is opened without following a link and must be a
regular file of the same user that no one else can write.

Writes are atomic: a temporary file (``.tmp-...``) in ``entries`` then ``os.replace``, so a reader sees
an old entry or a new one, never half of one, and of two runs writing the same entry the last one's is
kept, whole.  A run's scratch file (:meth:`CacheDirectory.scratch_file`, where its code store keeps
what it adds until the entry is written) is made the same way, private, and unlinked at once: it has
no name, and it is gone when the run ends, however it ends.  After each write, the least recently used entries (by modification time, which a read
refreshes) are deleted while the cache is over its limits (:meth:`CacheDirectory.evict`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Iterable
from typing import NamedTuple

ENTRIES = "entries"
DIGESTS = "digests"
SECRET = "secret"
MAX_DIGESTS = 4096  # digest memos kept (128 bytes each); beyond, the oldest half goes
SECRET_SIZE = 32
TEMPORARY_PREFIX = ".tmp-"
STALE_TEMPORARY_SECONDS = 3600.0  # a temporary file this old was left by a run that died while writing


class UnusableDirectory(Exception):
    """The cache directory cannot be used (the reason, for the warning)."""


def _modified(path: str) -> float:
    try:
        return os.stat(path, follow_symlinks=False).st_mtime
    except OSError:
        return 0.0


class Usage(NamedTuple):
    """What the cache holds: entries and their bytes."""

    entries: int
    size: int


def check_private(path: str, status: os.stat_result, *, directory: bool) -> None:
    """UnusableDirectory unless ``status`` (of ``path``) is a directory (or regular file) of this user that
    no one else can write."""
    kind = "directory" if directory else "file"
    if directory and not stat.S_ISDIR(status.st_mode):
        raise UnusableDirectory(f"{path} is not a directory")
    if not directory and not stat.S_ISREG(status.st_mode):
        raise UnusableDirectory(f"{path} is not a regular file")
    if status.st_uid != os.geteuid():
        raise UnusableDirectory(f"the {kind} {path} belongs to another user")
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnusableDirectory(f"the {kind} {path} is writable by other users")


class CacheDirectory:
    """The cache directory at ``path`` (see the module docstring); :meth:`open` it before use."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.entries = os.path.join(path, ENTRIES)
        self.digests = os.path.join(path, DIGESTS)

    def open(self, *, create: bool = True) -> None:
        """Check the directory (creating it, private, if ``create``); UnusableDirectory if it cannot be used."""
        for path in (self.path, self.entries, self.digests):
            if create:
                try:
                    os.makedirs(path, mode=0o700, exist_ok=True)
                except OSError as error:
                    raise UnusableDirectory(f"cannot create {path}: {error.strerror or error}") from None
            try:
                status = os.stat(path)
            except OSError as error:
                raise UnusableDirectory(f"cannot use {path}: {error.strerror or error}") from None
            check_private(path, status, directory=True)

    def entry_path(self, name: str) -> str:
        return os.path.join(self.entries, name)

    # --- the secret key of the digests

    def secret(self) -> bytes:
        """The key of the entries' digests (made, privately, the first time)."""
        path = os.path.join(self.path, SECRET)
        found = self._read_private(path)
        if found is not None and len(found) == SECRET_SIZE:
            return found
        if found is not None:
            raise UnusableDirectory(f"the key file {path} is damaged (remove it)")
        # Made whole before it is given its name (a link fails if another run made it meanwhile).
        temporary = self._write_temporary(self.path, os.urandom(SECRET_SIZE))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        except OSError as error:
            raise UnusableDirectory(f"cannot write {path}: {error.strerror or error}") from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        found = self._read_private(path)
        if found is None or len(found) != SECRET_SIZE:
            raise UnusableDirectory(f"cannot read {path}")
        return found

    # --- entries

    def open_entry(self, name: str) -> int | None:
        """The entry ``name`` opened for reading, checked private (None if there is none); the caller closes
        the descriptor.  Opening it makes it the most recently used."""
        path = self.entry_path(name)
        descriptor = self._open_private(path)
        if descriptor is not None:
            with contextlib.suppress(OSError):
                os.utime(descriptor)
        return descriptor

    def read(self, name: str) -> bytes | None:
        """The entry ``name``'s bytes (None if there is none), as :meth:`open_entry` opens it."""
        descriptor = self.open_entry(name)
        if descriptor is None:
            return None
        with os.fdopen(descriptor, "rb") as file:
            return file.read()

    def write(self, name: str, data: bytes | Iterable[bytes]) -> None:
        """Write the entry ``name`` (its bytes, or its pieces in order) atomically; UnusableDirectory if it
        cannot be written (an error of the pieces' own, as they are made, is raised as it is, and nothing
        is written)."""
        temporary = self._write_temporary(self.entries, data)
        try:
            os.replace(temporary, self.entry_path(name))
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise UnusableDirectory(f"cannot write in {self.entries}: {error.strerror or error}") from None

    # --- digest memos: small files of their own folder (see wasmrun.cache.code_cache.CodeCache.module_hash)

    def read_digest(self, name: str) -> bytes | None:
        return self._read_private(os.path.join(self.digests, name))

    def write_digest(self, name: str, data: bytes) -> None:
        temporary = self._write_temporary(self.digests, data)
        try:
            os.replace(temporary, os.path.join(self.digests, name))
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise UnusableDirectory(f"cannot write in {self.digests}: {error.strerror or error}") from None
        try:
            names = os.listdir(self.digests)
        except OSError:
            return
        if len(names) > MAX_DIGESTS:
            paths = [os.path.join(self.digests, name) for name in names]
            for path in sorted(paths, key=_modified)[: len(paths) // 2]:
                with contextlib.suppress(OSError):
                    os.unlink(path)

    def _open_private(self, path: str) -> int | None:
        """``path`` opened for reading, if it is a private regular file (None if there is none)."""
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise UnusableDirectory(f"cannot read {path}: {error.strerror or error}") from None
        try:
            check_private(path, os.fstat(descriptor), directory=False)
        except BaseException:
            os.close(descriptor)
            raise
        return descriptor

    def _read_private(self, path: str) -> bytes | None:
        descriptor = self._open_private(path)
        if descriptor is None:
            return None
        with os.fdopen(descriptor, "rb") as file:
            return file.read()

    def scratch_file(self) -> int:
        """A new private (``0600``) file among the entries, opened for reading and writing, that has no name:
        it is unlinked as soon as it is made, so no other process can open it and it is gone when its
        descriptor is closed, however the run ends (the caller closes it).  UnusableDirectory if it
        cannot be made."""
        path, descriptor = self._temporary(self.entries, os.O_RDWR)
        try:
            os.unlink(path)
        except OSError as error:
            os.close(descriptor)
            raise UnusableDirectory(f"cannot write in {self.entries}: {error.strerror or error}") from None
        return descriptor

    def _temporary(self, directory: str, access: int) -> tuple[str, int]:
        """A new private temporary file in ``directory``: its path and descriptor."""
        path = os.path.join(directory, f"{TEMPORARY_PREFIX}{os.getpid()}-{os.urandom(6).hex()}")
        try:
            descriptor = os.open(path, access | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as error:
            raise UnusableDirectory(f"cannot write in {directory}: {error.strerror or error}") from None
        return path, descriptor

    def _write_temporary(self, directory: str, data: bytes | Iterable[bytes]) -> str:
        path, descriptor = self._temporary(directory, os.O_WRONLY)
        try:
            with os.fdopen(descriptor, "wb") as file:
                for chunk in [data] if isinstance(data, bytes) else data:
                    file.write(chunk)
        except BaseException as error:
            with contextlib.suppress(OSError):
                os.unlink(path)
            if isinstance(error, OSError):
                raise UnusableDirectory(f"cannot write in {directory}: {error.strerror or error}") from None
            raise
        return path

    # --- limits, statistics, clearing

    def _listing(self) -> list[tuple[float, int, str]]:
        """(modification time, size, path) of each entry; stale temporary files are removed on the way."""
        found = []
        now = time.time()
        try:
            with os.scandir(self.entries) as listing:
                for item in listing:
                    try:
                        status = item.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if not stat.S_ISREG(status.st_mode):
                        continue
                    if item.name.startswith(TEMPORARY_PREFIX):
                        if now - status.st_mtime > STALE_TEMPORARY_SECONDS:
                            with contextlib.suppress(OSError):
                                os.unlink(item.path)
                        continue
                    found.append((status.st_mtime, status.st_size, item.path))
        except OSError:
            return []
        return found

    def usage(self) -> Usage:
        listing = self._listing()
        return Usage(len(listing), sum(size for _mtime, size, _path in listing))

    def evict(
        self, size_limit: int, count_limit: int, size_percent: int, count_percent: int, *, keep: str = ""
    ) -> Usage:
        """If the entries exceed ``size_limit`` bytes or ``count_limit`` files, delete the least recently
        used down to ``size_percent`` and ``count_percent`` percent of them (never the entry ``keep``,
        just written); what was deleted."""
        listing = self._listing()
        size = sum(entry_size for _mtime, entry_size, _path in listing)
        if size <= size_limit and len(listing) <= count_limit:
            return Usage(0, 0)
        size_goal = size_limit * size_percent // 100
        count_goal = count_limit * count_percent // 100
        count = len(listing)
        kept = self.entry_path(keep) if keep else ""
        deleted = Usage(0, 0)
        for _mtime, entry_size, path in sorted(listing):
            if size <= size_goal and count <= count_goal:
                break
            if path == kept:
                continue
            try:
                os.unlink(path)
            except OSError:
                continue
            size -= entry_size
            count -= 1
            deleted = Usage(deleted.entries + 1, deleted.size + entry_size)
        return deleted

    def clear(self) -> Usage:
        """Delete every entry (and temporary file); what was deleted."""
        deleted = Usage(0, 0)
        try:
            with os.scandir(self.entries) as listing:
                items = list(listing)
        except FileNotFoundError:
            return deleted
        except OSError as error:
            raise UnusableDirectory(f"cannot list {self.entries}: {error.strerror or error}") from None
        for item in items:
            try:
                status = item.stat(follow_symlinks=False)
                os.unlink(item.path)
            except OSError:
                continue
            if not item.name.startswith(TEMPORARY_PREFIX):
                deleted = Usage(deleted.entries + 1, deleted.size + status.st_size)
        return deleted
