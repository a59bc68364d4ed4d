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
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from wasmrun.cache import build
from wasmrun.cache.directory import CacheDirectory, UnusableDirectory, Usage
from wasmrun.cache.entry import (
    ENTRY,
    FORMAT,
    EntryError,
    EntryHeader,
    Payload,
    encode,
    module_digest,
    pickle_module,
    read_header,
    read_payload,
    unpickle_module,
)
from wasmrun.cache.settings import CacheSettings, default_directory
from wasmrun.errors import TRAP_INTERRUPT, Trap

if TYPE_CHECKING:
    from wasmrun.engine.code_store import CodeStore
    from wasmrun.engine.options import EngineOptions
    from wasmrun.features import Features
    from wasmrun.module import Module

Warn = Callable[[str], None]


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

    def read(self, key: str, expected: EntryHeader) -> Payload | None:
        """The payload of entry ``key`` if there is one, whole, made for ``expected`` (the header but its size)."""
        if not self._usable():
            return None
        try:
            data = self.directory.read(key)
        except UnusableDirectory as reason:
            self.disable(str(reason))
            return None
        if data is None:
            return None
        try:
            header, start = read_header(data)
            if header._replace(payload=0) != expected:
                return None  # (a file renamed, or a build that did not change the key's parts)
            return read_payload(data, header, start, self._secret)
        except EntryError:
            return None

    def write(self, key: str, header: EntryHeader, payload: Payload) -> None:
        """Write entry ``key``, then keep the cache within its limits (one warning if it cannot be written)."""
        if not self._usable() or self._secret is None:
            return
        try:
            self.directory.write(key, encode(header, payload, self._secret))
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

    def usage(self) -> Usage:
        return self.directory.usage()

    def clear(self) -> Usage:
        return self.directory.clear()


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
) -> Iterator[CachedModule]:
    """The module in ``data`` (from the cache, else ``load()``) and its code store, for one run; on leaving
    (but by Ctrl-C or a timeout), the entry is written if the run made something new (see the module
    docstring)."""
    if cache is None:
        yield CachedModule(load(), None)
        return
    from wasmrun.engine.code_store import CodeStore

    module_hash = module_digest(data)
    key = entry_key(module_hash, features, options)
    header = EntryHeader(ENTRY, build.build_id(), "", build.PYTHON_TAG, module_hash, repr(features), _code(options))
    payload = cache.read(key, header)
    module: Module | None = None
    if payload is not None:
        with contextlib.suppress(EntryError):
            module = unpickle_module(payload.module, payload.binary if payload.binary is not None else data)
    if module is None or payload is None:
        module = load()
        store = CodeStore(module)
        pickled = None
    else:
        store = CodeStore(module, payload.items)
        pickled = payload.module
    try:
        yield CachedModule(module, store)
    except BaseException as error:
        if not _interrupted(error):
            with contextlib.suppress(Exception):  # (the run's own failure is what the user must see)
                _write_back(cache, key, header, data, module, store, pickled)
        raise
    _write_back(cache, key, header, data, module, store, pickled)


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
    pickled: bytes | None,
) -> None:
    """Write the entry if it is new or the run added to its store."""
    if pickled is not None and not store.changed:
        return
    if pickled is None:
        try:
            pickled = pickle_module(module)
        except Exception:  # a module record pickle cannot write: this module is run uncached
            return
    binary = None if module.raw is data or module.raw == data else module.raw
    cache.write(key, header, Payload(pickled, binary, store.items()))
