"""Blobs whose length and SHA-256 are known before they are read: what lets an entry be written as a stream.

An entry's index (:mod:`wasmrun.cache.entry`) comes before its blobs and names each blob's length and
SHA-256.  Written from a plain mapping, the blobs must all be at hand to make the index; from
:class:`KnownBlobs` (an open entry's items, a :class:`~wasmrun.cache.spill.SpilledBlobs`), only their
descriptions are, and each blob is read when its turn to be written comes, so a hundred megabytes of
code is never in memory at once.

It is the engine's (its code store gives its items so), below the cache, which imports it.
"""

from __future__ import annotations

import hashlib
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any

Description = tuple[int, bytes]
"""A blob's length and SHA-256."""


class KnownBlobs(Mapping[Any, bytes]):
    """Blobs by key, each described (:meth:`describe`) without being read; looking one up reads it and
    checks it against its description (a ValueError or an OSError if it cannot be read as described)."""

    @abstractmethod
    def describe(self, key: Any) -> Description:
        """The length and SHA-256 of blob ``key`` (KeyError if there is none)."""


def describe(blobs: Mapping[Any, bytes], key: Any) -> Description:
    """The length and SHA-256 of ``blobs[key]``, read only if ``blobs`` cannot say without."""
    if isinstance(blobs, KnownBlobs):
        return blobs.describe(key)
    blob = blobs[key]
    return len(blob), hashlib.sha256(blob).digest()
