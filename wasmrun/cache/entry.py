"""One cache entry as bytes: the form of the cache's files and of ``wasmrun compile``'s ``.cwasm``.

An entry is code that will run, so nothing of it is used before it has been checked::

    MAGIC                      b"\\0wasmrun-code\\n"
    header                     ASCII lines "name value\\n", then an empty line (see EntryHeader)
    digest                     32 bytes: HMAC-SHA256 (cache entries, with the cache directory's secret
                               key) or SHA-256 (precompiled files) of the header and the payload
    payload                    marshal of (module pickle, the module's binary or None, code items)

The header is read first, as text (a file from another wasmrun or another Python is told from it, with
a clear message for a ``.cwasm``); then the digest is checked over the whole rest; only then is the
payload unmarshalled and the module unpickled.  The module is the validated
:class:`~wasmrun.module.Module` record, pickled as it is (so that the decoder may change its record
without changing this format), without its binary, which the payload holds beside it unless it is the input
itself (a cache entry for a binary input: the input is at hand, and hashed for the key anyway); the
unpickler builds nothing but classes of wasmrun's own.  The code items are a
:class:`~wasmrun.engine.code_store.CodeStore`'s, bytes each, decoded when used.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import marshal
import pickle
from typing import Any, NamedTuple

from wasmrun.module import Module
from wasmrun.records import Record

MAGIC = b"\0wasmrun-code\n"
FORMAT = 1
DIGEST_SIZE = 32
MAX_HEADER = 4096

ENTRY = "entry"  # a file of the cache
PRECOMPILED = "precompiled"  # a .cwasm

_BINARY = "binary"  # the persistent id standing for the module's binary in its pickle


class EntryError(ValueError):
    """Bytes that are not a usable entry (the reason, for a message)."""


class EntryHeader(NamedTuple):
    """What an entry is valid for.

    ``wasmrun``: the build that wrote it (a cache entry: :func:`~wasmrun.cache.build.build_id`; a
    precompiled file: :func:`~wasmrun.cache.build.source_digest`), ``version`` its version (for
    messages), ``python`` the Python (:data:`~wasmrun.cache.build.PYTHON_TAG`), ``module`` the SHA-256 of
    the module's bytes as given (binary or text), ``features`` and ``code`` the proposals it was validated
    with and the engine's :meth:`~wasmrun.engine.options.EngineOptions.code_key` its code was made for
    (their ``repr``), ``payload`` the payload's size.
    """

    kind: str
    wasmrun: str
    version: str
    python: str
    module: str
    features: str
    code: str
    payload: int = 0


class Payload(NamedTuple):
    """An entry's contents: the module pickled (:func:`pickle_module`), its binary (None in a cache entry
    whose input was the binary: the input is at hand), and the code items."""

    module: bytes
    binary: bytes | None
    items: dict[Any, bytes]


def encode(header: EntryHeader, payload: Payload, secret: bytes | None) -> bytes:
    """The bytes of an entry (``secret``: the HMAC key; None: a plain SHA-256, for precompiled files)."""
    body = marshal.dumps(tuple(payload))
    fields = header._replace(payload=len(body))
    lines = [f"format {FORMAT}"] + [f"{name} {value}" for name, value in zip(EntryHeader._fields, fields)]
    for line in lines:
        if "\n" in line or not line.isascii():
            raise ValueError(f"header line {line!r} is not one ASCII line")
    text = ("\n".join(lines) + "\n\n").encode("ascii")
    return MAGIC + text + _digest(secret, text, body) + body


def is_entry(data: bytes) -> bool:
    """Whether ``data`` starts as an entry does (the test a ``.cwasm`` is recognized by)."""
    return data.startswith(MAGIC)


def read_header(data: bytes) -> tuple[EntryHeader, int]:
    """The header of an entry, and where its digest starts; EntryError if it has none."""
    if not data.startswith(MAGIC):
        raise EntryError("not a wasmrun code file")
    end = data.find(b"\n\n", len(MAGIC), len(MAGIC) + MAX_HEADER)
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
            payload=int(values["payload"]),
        )
    except (KeyError, ValueError):
        raise EntryError("its header is damaged") from None
    return header, end + 2


def read_payload(data: bytes, header: EntryHeader, start: int, secret: bytes | None) -> Payload:
    """The payload of an entry whose header was read, once its digest checks out; EntryError otherwise."""
    text = data[len(MAGIC) : start]
    digest = data[start : start + DIGEST_SIZE]
    body = memoryview(data)[start + DIGEST_SIZE :]
    if len(body) != header.payload:
        raise EntryError("it is truncated or damaged")
    if not hmac.compare_digest(digest, _digest(secret, text, body)):
        raise EntryError("its digest does not match its contents (damaged or altered)")
    try:
        module, binary, items = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        raise EntryError("its contents are damaged") from None
    if not isinstance(module, bytes) or not isinstance(items, dict):
        raise EntryError("its contents are damaged")
    return Payload(module, binary, items)


def _digest(secret: bytes | None, text: bytes, body: bytes | memoryview) -> bytes:
    digest = hashlib.sha256(text) if secret is None else hmac.new(secret, text, hashlib.sha256)
    digest.update(body)
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
