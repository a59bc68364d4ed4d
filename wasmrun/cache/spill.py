"""What a run adds to its code store, kept on disk until the entry is written: :class:`SpilledBlobs`.

A cold run of a large program adds a hundred megabytes of code items (marshalled translations and
code objects) that it has no more use for once they are made, but that its entry is written from at
the end.  Kept in memory, they would add as much to the run's peak; so the code cache gives the store a
:class:`SpilledBlobs`, which appends each blob to a scratch file of the cache directory
(:meth:`~wasmrun.cache.directory.CacheDirectory.scratch_file`: private, nameless, gone when closed) and
keeps in memory only where it is and its SHA-256.  A blob is read back (when the engine asks for it
again, and when the entry is written, one at a time) only if it has the digest it was written with.  If
the file cannot be made or written (a full disk), the blobs from then on are kept in memory.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from wasmrun.cache.directory import UnusableDirectory
from wasmrun.engine.blobs import Description, KnownBlobs

_Place = tuple[int, int, bytes]
"""Where a blob is in the file: (offset, length, its SHA-256)."""


class SpillError(ValueError):
    """A spilled blob that does not read back as it was written."""


class SpilledBlobs(KnownBlobs, MutableMapping[Any, bytes]):
    """Blobs by key, written to the file ``open_file`` makes (at the first blob) and read back checked
    (see the module docstring); :meth:`close` it after use (then it is empty)."""

    def __init__(self, open_file: Callable[[], int]) -> None:
        self._open_file = open_file
        self._descriptor: int | None = None
        self._size = 0
        self._failed = False
        self._blobs: dict[Any, _Place | bytes] = {}  # bytes: kept in memory, the file having failed

    def __setitem__(self, key: Any, blob: bytes) -> None:
        self._blobs.pop(key, None)
        place = self._append(blob)
        self._blobs[key] = blob if place is None else place

    def __getitem__(self, key: Any) -> bytes:
        found = self._blobs[key]
        if isinstance(found, bytes):
            return found
        offset, length, digest = found
        if self._descriptor is None:
            raise KeyError(key)
        data = bytearray()
        while len(data) < length:
            chunk = os.pread(self._descriptor, length - len(data), offset + len(data))
            if not chunk:
                break
            data += chunk
        if len(data) != length or hashlib.sha256(data).digest() != digest:
            raise SpillError("a spilled code item does not read back as it was written")
        return bytes(data)

    def __delitem__(self, key: Any) -> None:
        del self._blobs[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._blobs)

    def __len__(self) -> int:
        return len(self._blobs)

    def __contains__(self, key: object) -> bool:
        return key in self._blobs

    def describe(self, key: Any) -> Description:
        found = self._blobs[key]
        if isinstance(found, bytes):
            return len(found), hashlib.sha256(found).digest()
        return found[1], found[2]

    @property
    def in_memory(self) -> int:
        """How many blobs are kept in memory (the file having failed)."""
        return sum(1 for found in self._blobs.values() if isinstance(found, bytes))

    def close(self) -> None:
        """Close the file (which removes it) and forget every blob."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
        self._blobs.clear()
        self._failed = True  # (nothing more is written to a file after close)

    def _append(self, blob: bytes) -> _Place | None:
        """Write ``blob`` at the end of the file; where it is (None if it cannot be written)."""
        if self._descriptor is None and not self._failed:
            try:
                self._descriptor = self._open_file()
            except UnusableDirectory:
                self._failed = True
        if self._descriptor is None:
            return None
        offset = self._size
        try:
            view = memoryview(blob)
            while view:
                written = os.pwrite(self._descriptor, view, offset + len(blob) - len(view))
                view = view[written:]
        except OSError:
            return None  # (a full disk: this blob in memory; the next may fit)
        self._size += len(blob)
        return offset, len(blob), hashlib.sha256(blob).digest()
