"""The persistent code cache: a run's module and code from the cache when it has them, written back after.

:func:`cached_module` is the one place a run meets the cache.  Given a module's bytes (binary or text),
it computes the entry's key from everything the entry's contents depend on (:func:`entry_key`): the
module's SHA-256, this build of wasmrun, this Python, the proposals the module is validated with and the
engine's :meth:`~wasmrun.engine.options.EngineOptions.code_key`.  A hit gives the validated module
without decoding or validating it, and a :class:`~wasmrun.engine.code_store.CodeStore` holding the
translations and compiled code earlier runs made, so a warm run translates nothing it ran before; a
miss loads the module (the caller's ``load``) and starts an empty store.  After the run, if the entry
was missing or the store grew, the entry is written back (atomically; then the cache is kept within its
limits).  An entry that is damaged, altered (its HMAC digest), or made by another wasmrun or Python is
a miss, silently, and is replaced after the run.

A directory that cannot be used (unwritable, or not private: see :mod:`wasmrun.cache.directory`) gives
one warning on stderr (the ``warn`` callable), and the run goes on without the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from wasmrun.cache import build
from wasmrun.cache.directory import CacheDirectory, UnusableDirectory, Usage
from wasmrun.cache.entry import (
    ENTRY,
    FORMAT,
    Entry,
    EntryError,
    EntryHeader,
    Payload,
    Source,
    encode_chunks,
    module_digest,
    pickle_module,
    unpickle_module,
)
from wasmrun.cache.settings import CacheSettings, default_directory
from wasmrun.cache.spill import SpilledBlobs, SpillError
from wasmrun.errors import TRAP_INTERRUPT, Trap

if TYPE_CHECKING:
    from wasmrun.engine.code_store import CodeStore
    from wasmrun.engine.options import EngineOptions
    from wasmrun.features import Features
    from wasmrun.module import Module

Warn = Callable[[str], None]
_MEMO_DIGEST = 64  # hexadecimal digits of a SHA-256


def entry_key(module_hash: str, features: Features, options: EngineOptions) -> str:
    """The name of the entry for a module (by its bytes' SHA-256) under these proposals and engine options."""
    text = "\0".join((str(FORMAT), build.build_id(), build.PYTHON_TAG, module_hash, repr(features), _code(options)))
    return hashlib.sha256(text.encode()).hexdigest()


def _code(options: EngineOptions) -> str:
    return repr(options.code_key())


class CodeCache:
    """The cache its ``settings`` describe (see the module docstring); ``warn`` shows its one warning."""

    def __init__(self, settings: CacheSettings, warn: Warn) -> None:
        self.settings = settings
        self.directory = CacheDirectory(settings.directory or default_directory())
        self._warn = warn
        self._secret: bytes | None = None
        self._broken = False

    def _usable(self) -> bool:
        """Whether the directory can be used (checked, and its key read, once; one warning if not)."""
        if self._secret is not None:
            return True
        if self._broken:
            return False
        try:
            self.directory.open()
            self._secret = self.directory.secret()
        except UnusableDirectory as reason:
            self.disable(str(reason))
            return False
        return True

    def disable(self, reason: str) -> None:
        """Stop using the cache for the rest of the process, after one warning."""
        if not self._broken:
            self._broken = True
            self._warn(f"the code cache is not used: {reason}")

    def open(self, key: str, expected: EntryHeader) -> Entry | None:
        """Entry ``key`` if there is one made for ``expected`` (its header, the sizes aside), its digest
        checked (its blobs are checked as they are read); the caller closes its source."""
        if not self._usable():
            return None
        try:
            descriptor = self.directory.open_entry(key)
        except UnusableDirectory as reason:
            self.disable(str(reason))
            return None
        if descriptor is None:
            return None
        source = Source.from_file(descriptor)
        try:
            found = Entry(source)
            if not found.header.valid_for(expected):
                raise EntryError("made for something else")  # (a file renamed, or the key's parts unchanged)
            found.verify(self._secret)
        except EntryError:
            source.close()
            return None
        return found

    def write(self, key: str, header: EntryHeader, payload: Payload) -> None:
        """Write entry ``key`` (its items read one at a time, as they are written), then keep the cache
        within its limits (one warning if it cannot be written; nothing written, silently, if an item
        cannot be read back: the entry it came from was damaged since it was opened)."""
        if not self._usable() or self._secret is None:
            return
        try:
            self.directory.write(key, encode_chunks(header, payload, self._secret))
        except (EntryError, SpillError):
            return
        except UnusableDirectory as reason:
            self.disable(str(reason))
            return
        try:
            settings = self.settings
            self.directory.evict(
                settings.total_size_limit,
                settings.file_count_limit,
                settings.total_size_percent_if_deleting,
                settings.file_count_percent_if_deleting,
                keep=key,
            )
        except UnusableDirectory as reason:
            self.disable(str(reason))

    def spill(self) -> SpilledBlobs | None:
        """Where a run's code store keeps what it adds until the entry is written (None: the cache cannot
        be used; then the store keeps it in memory)."""
        if not self._usable():
            return None
        return SpilledBlobs(self.directory.scratch_file)

    def module_hash(self, data: bytes, identity: FileIdentity | None = None) -> str:
        """The SHA-256 of a module's bytes, ``data``, read from the file ``identity`` names (None: not a
        file).  Hashing a large module is a tenth of its warm start, so the digest of a settled file is
        kept by its identity (a memo of the directory, authenticated as entries are) and read back
        while the file is unchanged."""
        secret = self._secret if identity is not None and identity.settled() and self._usable() else None
        if identity is None or secret is None:
            return module_digest(data)
        name = identity.name()
        with contextlib.suppress(UnusableDirectory):
            memo = self.directory.read_digest(name)
            if memo is not None and len(memo) == 2 * _MEMO_DIGEST:
                digest, mac = memo[:_MEMO_DIGEST], memo[_MEMO_DIGEST:]
                if hmac.compare_digest(mac, _memo_mac(secret, name, digest)):
                    return digest.decode("ascii")
        found = module_digest(data)
        digest = found.encode("ascii")
        with contextlib.suppress(UnusableDirectory):
            self.directory.write_digest(name, digest + _memo_mac(secret, name, digest))
        return found

    def usage(self) -> Usage:
        return self.directory.usage()

    def clear(self) -> Usage:
        return self.directory.clear()


class FileIdentity(NamedTuple):
    """What a file's status says of its contents: the same identity, the same bytes (``ctime`` changes with
    every write, and no program can set it back)."""

    path: str
    device: int
    inode: int
    size: int
    modified_ns: int
    changed_ns: int

    @classmethod
    def of(cls, path: str, status: os.stat_result) -> FileIdentity:
        return cls(
            os.path.abspath(path), status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns
        )

    def settled(self) -> bool:
        """Whether the file was last changed long enough ago that a change within the same tick of a coarse
        clock (some filesystems keep seconds) cannot come after the status was taken."""
        return time.time() * 1e9 - max(self.modified_ns, self.changed_ns) > SETTLED_SECONDS * 1e9

    def name(self) -> str:
        return hashlib.sha256("\0".join(map(str, self)).encode()).hexdigest()


SETTLED_SECONDS = 2.0


def _memo_mac(secret: bytes, name: str, digest: bytes) -> bytes:
    return hmac.new(secret, name.encode("ascii") + digest, hashlib.sha256).hexdigest().encode("ascii")


class CachedModule(NamedTuple):
    """A module to run and the code store its run adds to (None: the cache is off)."""

    module: Module
    code_store: CodeStore | None


@contextlib.contextmanager
def cached_module(
    cache: CodeCache | None,
    data: bytes,
    features: Features,
    options: EngineOptions,
    load: Callable[[], Module],
    identity: FileIdentity | None = None,
) -> Iterator[CachedModule]:
    """The module in ``data`` (from the cache, else ``load()``) and its code store, for one run; on leaving
    (but by Ctrl-C or a timeout), the entry is written if the run made something new (see the module
    docstring).  ``identity``: the file ``data`` was read from, if any (:meth:`CodeCache.module_hash`)."""
    if cache is None:
        yield CachedModule(load(), None)
        return
    from wasmrun.engine.code_store import CodeStore

    module_hash = cache.module_hash(data, identity)
    key = entry_key(module_hash, features, options)
    header = EntryHeader(ENTRY, build.build_id(), "", build.PYTHON_TAG, module_hash, repr(features), _code(options))
    found = cache.open(key, header)
    module: Module | None = None
    spill: SpilledBlobs | None = None
    try:
        if found is not None:
            try:
                module = unpickle_module(found.module(), found.binary() or data)
            except EntryError:
                module = None
        if module is None or found is None:
            _close(found)
            found = None
            module = load()
        spill = cache.spill()
        store = CodeStore(module, found.items() if found is not None else None, spill)
        try:
            yield CachedModule(module, store)
        except BaseException as error:
            if not _interrupted(error):
                with contextlib.suppress(Exception):  # (the run's own failure is what the user must see)
                    _write_back(cache, key, header, data, module, store, found)
            raise
        try:
            _write_back(cache, key, header, data, module, store, found)
        except Exception as error:  # a run that succeeded does not fail for its cache: one warning
            cache.disable(f"the entry could not be written ({type(error).__name__}: {error})")
    finally:
        if spill is not None:
            spill.close()
        _close(found)


def _close(found: Entry | None) -> None:
    """Close the entry ``found``, if any (None, for what no longer has an entry)."""
    if found is not None:
        found.source.close()


def _interrupted(error: BaseException | None) -> bool:
    """Whether the run was stopped from outside, by Ctrl-C or its timeout: then it ends at once, writing
    nothing (its timeout promises so)."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, KeyboardInterrupt) or (isinstance(error, Trap) and error.message == TRAP_INTERRUPT):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _write_back(
    cache: CodeCache,
    key: str,
    header: EntryHeader,
    data: bytes,
    module: Module,
    store: CodeStore,
    found: Entry | None,
) -> None:
    """Write the entry if it is new (``found``: the entry the run started from, still open) or the run
    added to its store; the module's pickle is read again from the entry it came from, rather than
    kept for the length of the run."""
    if found is not None and not store.changed:
        return
    try:
        pickled = found.module() if found is not None else pickle_module(module)
    except EntryError:
        return  # (the entry was damaged since it was opened)
    except Exception:  # a module record pickle cannot write: this module is run uncached
        return
    binary = None if module.raw is data or module.raw == data else module.raw
    cache.write(key, header, Payload(pickled, binary, store.items()))
