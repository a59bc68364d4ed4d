"""One cache entry as bytes: the form of the cache's files and of ``wasmrun compile``'s ``.cwasm``.

An entry is code that will run, so nothing of it is used before it has been checked; and it may be
large (a precompiled 24 MB module holds the translations of its 32,000 functions: 200 MB), so a run
reads only what it uses::

    MAGIC              b"\0wasmrun-code\n"
    header             ASCII lines "name value\n", then an empty line (see EntryHeader)
    digest             32 bytes: HMAC-SHA256 (cache entries, keyed by the cache directory's secret) or
                       SHA-256 (precompiled files) of the header and the index
    index              marshal of (module, binary, {item key: blob}), each blob given as
                       (offset, length, SHA-256 of its bytes)
    blobs              the module pickled, the module's binary (if the entry holds it), the code items

The header is read first, as text (a file from another wasmrun or another Python is told from it, with
a clear message for a ``.cwasm``); then the digest of the header and the index is checked; then each
blob is read when it is used (:class:`Source`: ``pread`` on the open file, nothing mapped that a
truncation could pull away) and checked against its SHA-256 in the index before anything of it is used.
The module is the validated :class:`~wasmrun.module.Module` record, pickled as it is (so that the
decoder may change its record without changing this format), without its binary, which the entry holds
beside it unless it is the input itself (a cache entry for a binary input: the input is at hand, and
hashed for the key anyway); the unpickler builds nothing but classes of wasmrun's own.  The code items
are a :class:`~wasmrun.engine.code_store.CodeStore`'s, bytes each, decoded when used.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import io
import marshal
import os
import pickle
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from wasmrun.cache import MAGIC as MAGIC
from wasmrun.cache import is_entry as is_entry
from wasmrun.engine.blobs import Description, KnownBlobs, describe
from wasmrun.module import Module
from wasmrun.records import Record

FORMAT = 2
DIGEST_SIZE = 32
MAX_HEADER = 4096

ENTRY = "entry"  # a file of the cache
PRECOMPILED = "precompiled"  # a .cwasm

_BINARY = "binary"  # the persistent id standing for the module's binary in its pickle

Blob = tuple[int, int, bytes]
"""Where a blob is, after the index: (offset, length, its SHA-256)."""


class EntryError(ValueError):
    """Bytes that are not a usable entry (the reason, for a message)."""


class EntryHeader(NamedTuple):
    """What an entry is valid for.

    ``wasmrun``: the build that wrote it (a cache entry: :func:`~wasmrun.cache.build.build_id`; a
    precompiled file: :func:`~wasmrun.cache.build.source_digest`), ``version`` its version (for
    messages), ``python`` the Python (:data:`~wasmrun.cache.build.PYTHON_TAG`), ``module`` the SHA-256 of
    the module's bytes as given (binary or text), ``features`` and ``code`` the proposals it was validated
    with and the engine's :meth:`~wasmrun.engine.options.EngineOptions.code_key` its code was made for
    (their ``repr``); ``index_size`` and ``blobs_size`` the sizes of the parts that follow (written by :func:`encode`).
    """

    kind: str
    wasmrun: str
    version: str
    python: str
    module: str
    features: str
    code: str
    index_size: int = 0
    blobs_size: int = 0

    def valid_for(self, other: EntryHeader) -> bool:
        """Whether this header says what ``other`` says (the sizes aside)."""
        return self._replace(index_size=0, blobs_size=0) == other._replace(index_size=0, blobs_size=0)


class Payload(NamedTuple):
    """An entry's contents: the module pickled (:func:`pickle_module`), its binary (None in a cache entry
    whose input was the binary: the input is at hand), and the code items."""

    module: bytes
    binary: bytes | None
    items: Mapping[Any, bytes]


def encode(header: EntryHeader, payload: Payload, secret: bytes | None) -> bytes:
    """The bytes of an entry (``secret``: the HMAC key; None: a plain SHA-256, for precompiled files)."""
    return b"".join(encode_chunks(header, payload, secret))


def encode_chunks(header: EntryHeader, payload: Payload, secret: bytes | None) -> Iterator[bytes]:
    """The bytes of an entry in pieces, to be written one after the other; the code items are read from
    ``payload.items`` one at a time, as they are written (a large module's code is a hundred megabytes:
    from :class:`~wasmrun.engine.blobs.KnownBlobs`, it is never in memory at once).  The header and the
    index are made before the first piece is given (a ValueError for a header that is not ASCII lines);
    an item that does not read back as described raises EntryError while the pieces are written."""
    offset = 0

    def place(length: int, digest: bytes) -> Blob:
        nonlocal offset
        offset += length
        return offset - length, length, digest

    module = place(len(payload.module), hashlib.sha256(payload.module).digest())
    binary = None
    if payload.binary is not None:
        binary = place(len(payload.binary), hashlib.sha256(payload.binary).digest())
    items = {key: place(*describe(payload.items, key)) for key in payload.items}
    index = marshal.dumps((module, binary, items))
    fields = header._replace(index_size=len(index), blobs_size=offset)
    lines = [f"format {FORMAT}"] + [f"{name} {value}" for name, value in zip(EntryHeader._fields, fields)]
    for line in lines:
        if "\n" in line or not line.isascii():
            raise ValueError(f"header line {line!r} is not one ASCII line")
    text = ("\n".join(lines) + "\n\n").encode("ascii")
    return _chunks([MAGIC, text, _digest(secret, text, index), index], payload, items)


def _chunks(head: list[bytes], payload: Payload, items: dict[Any, Blob]) -> Iterator[bytes]:
    yield from head
    head.clear()
    yield payload.module
    if payload.binary is not None:
        yield payload.binary
    for key, (_offset, length, _digest) in items.items():
        blob = payload.items[key]
        if len(blob) != length:  # (a KnownBlobs checks its blobs; a plain mapping changed meanwhile)
            raise EntryError("an item changed while the entry was written")
        yield blob


# --- reading ------------------------------------------------------------------------------------------


class Source:
    """The bytes of an entry, read where asked: in memory, or from an open file (:meth:`from_file`)."""

    def __init__(self, data: bytes = b"", descriptor: int | None = None, size: int | None = None) -> None:
        self._data = data
        self._descriptor = descriptor
        self.size = len(data) if size is None else size

    @classmethod
    def from_file(cls, descriptor: int) -> Source:
        """The entry in an open file, which the source owns (:meth:`close`)."""
        return cls(descriptor=descriptor, size=os.fstat(descriptor).st_size)

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset``; EntryError if there are not that many."""
        if offset < 0 or length < 0 or offset + length > self.size:
            raise EntryError("it is truncated or damaged")
        if self._descriptor is None:
            data = self._data[offset : offset + length]
        else:
            try:
                data = os.pread(self._descriptor, length, offset)
            except OSError as error:
                raise EntryError(f"it cannot be read: {error.strerror or error}") from None
        if len(data) != length:
            raise EntryError("it is truncated or damaged")
        return data

    def close(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
            self._data, self.size = b"", 0


class Entry:
    """An entry being read (see the module docstring): its header at once, its index once :meth:`verify`
    has checked the digest, each blob when asked for and checked."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.header, self._start = _read_header(source.read(0, min(source.size, len(MAGIC) + MAX_HEADER)))
        self._refs: tuple[Blob, Blob | None, dict[Any, Blob]] | None = None

    def verify(self, secret: bytes | None) -> None:
        """Check the digest of the header and the index (``secret``: the HMAC key, None for SHA-256), and
        read the index; EntryError if they do not match or the entry has another size."""
        header = self.header
        if self.source.size != self._start + DIGEST_SIZE + header.index_size + header.blobs_size:
            raise EntryError("it is truncated or damaged")
        text = self.source.read(len(MAGIC), self._start - len(MAGIC))
        digest = self.source.read(self._start, DIGEST_SIZE)
        index = self.source.read(self._start + DIGEST_SIZE, header.index_size)
        if not hmac.compare_digest(digest, _digest(secret, text, index)):
            raise EntryError("its digest does not match its contents (damaged or altered)")
        try:
            module, binary, items = marshal.loads(index)
        except (EOFError, ValueError, TypeError):
            raise EntryError("its index is damaged") from None
        self._refs = module, binary, items

    def _blob(self, blob: Blob) -> bytes:
        offset, length, digest = blob
        data = self.source.read(self._start + DIGEST_SIZE + self.header.index_size + offset, length)
        if hashlib.sha256(data).digest() != digest:
            raise EntryError("its digest does not match its contents (damaged or altered)")
        return data

    def _index(self) -> tuple[Blob, Blob | None, dict[Any, Blob]]:
        if self._refs is None:
            raise EntryError("its digest has not been checked")
        return self._refs

    def module(self) -> bytes:
        """The module's pickle (:func:`unpickle_module`)."""
        return self._blob(self._index()[0])

    def binary(self) -> bytes | None:
        """The module's binary, if the entry holds it."""
        binary = self._index()[1]
        return None if binary is None else self._blob(binary)

    def items(self) -> Items:
        """The code items, each read and checked when used."""
        return Items(self, self._index()[2])


class Items(KnownBlobs):
    """An entry's code items: a mapping whose values are read (and checked) when looked up; a damaged
    one raises EntryError (a ValueError)."""

    def __init__(self, entry: Entry, refs: dict[Any, Blob]) -> None:
        self._entry = entry
        self._refs = refs

    def __getitem__(self, key: Any) -> bytes:
        return self._entry._blob(self._refs[key])

    def __contains__(self, key: object) -> bool:
        return key in self._refs

    def __iter__(self) -> Iterator[Any]:
        return iter(self._refs)

    def __len__(self) -> int:
        return len(self._refs)

    def describe(self, key: Any) -> Description:
        _offset, length, digest = self._refs[key]
        return length, digest


def decode(data: bytes, secret: bytes | None) -> tuple[EntryHeader, Payload]:
    """A whole entry in memory, read and checked: its header and contents; EntryError if it is not whole."""
    entry = Entry(Source(data))
    entry.verify(secret)
    return entry.header, Payload(entry.module(), entry.binary(), dict(entry.items()))


def _read_header(data: bytes) -> tuple[EntryHeader, int]:
    """The header of an entry, and where its digest starts; EntryError if it has none."""
    if not data.startswith(MAGIC):
        raise EntryError("not a wasmrun code file")
    end = data.find(b"\n\n", len(MAGIC))
    if end < 0:
        raise EntryError("its header is damaged")
    try:
        lines = data[len(MAGIC) : end].decode("ascii").split("\n")
    except UnicodeDecodeError:
        raise EntryError("its header is damaged") from None
    values = dict(line.partition(" ")[::2] for line in lines)
    if values.get("format") != str(FORMAT):
        raise EntryError(f"it is in format {values.get('format')}, this wasmrun reads format {FORMAT}")
    try:
        header = EntryHeader(
            kind=values["kind"],
            wasmrun=values["wasmrun"],
            version=values["version"],
            python=values["python"],
            module=values["module"],
            features=values["features"],
            code=values["code"],
            index_size=int(values["index_size"]),
            blobs_size=int(values["blobs_size"]),
        )
    except (KeyError, ValueError):
        raise EntryError("its header is damaged") from None
    return header, end + 2


def _digest(secret: bytes | None, text: bytes, index: bytes) -> bytes:
    digest = hashlib.sha256(text) if secret is None else hmac.new(secret, text, hashlib.sha256)
    digest.update(index)
    return digest.digest()


# --- the module ---------------------------------------------------------------------------------------


class _Pickler(pickle.Pickler):
    """Pickles a module with its binary left out (a reference, which the unpickler is given back), and
    each record as a call of its class with its fields' values, which unpickles in two thirds of the time
    ``__setstate__`` takes (a module's records are tens of thousands)."""

    def __init__(self, file: io.BytesIO, binary: bytes) -> None:
        super().__init__(file, protocol=5)
        self.binary = binary

    def persistent_id(self, obj: Any) -> str | None:
        return _BINARY if obj is self.binary else None

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Record) and _takes_its_fields(type(obj)):
            return type(obj), obj._values()
        if isinstance(obj, enum.Enum):
            # A member as a call of its class with its value: some CPython 3.11 releases pickle members
            # as ``getattr(cls, name)``, which the unpickler (wasmrun's classes only) refuses.
            return type(obj), (obj.value,)
        return NotImplemented


def _takes_its_fields(cls: type[Record]) -> bool:
    """Whether ``cls(*values)`` makes a record of these field values (its ``__init__`` takes them in order)."""
    found = _POSITIONAL.get(cls)
    if found is None:
        code = cls.__init__.__code__
        found = _POSITIONAL[cls] = code.co_varnames[1 : code.co_argcount] == cls._fields
    return found


_POSITIONAL: dict[type, bool] = {}


class _Unpickler(pickle.Unpickler):
    """Builds only wasmrun's own classes: the records and enums of a module (and so, whatever the
    decoder's record becomes, never a function of the standard library)."""

    def __init__(self, file: io.BytesIO, binary: bytes) -> None:
        super().__init__(file)
        self.binary = binary

    def find_class(self, module: str, name: str) -> Any:
        if module == "wasmrun" or module.startswith("wasmrun."):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a class of wasmrun")

    def persistent_load(self, pid: Any) -> Any:
        if pid != _BINARY:
            raise pickle.UnpicklingError("an unknown reference")
        return self.binary


def pickle_module(module: Module) -> bytes:
    """The module pickled without its binary (``module.raw``), which :func:`unpickle_module` is given."""
    file = io.BytesIO()
    _Pickler(file, module.raw).dump(module)
    return file.getvalue()


def unpickle_module(data: bytes, binary: bytes) -> Module:
    """The module :func:`pickle_module` pickled, with its binary; EntryError if the pickle holds
    anything but a module made of wasmrun's classes."""
    try:
        module = _Unpickler(io.BytesIO(data), binary).load()
    except Exception as error:  # a damaged pickle raises almost anything; nothing of it was run
        raise EntryError(f"its module cannot be read ({type(error).__name__})") from None
    if not isinstance(module, Module):
        raise EntryError("it holds no module")
    return module


def module_digest(data: bytes) -> str:
    """The SHA-256 of a module's bytes (binary or text, as given): how an entry's header names the module."""
    return hashlib.sha256(data).hexdigest()
