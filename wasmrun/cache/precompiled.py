"""Precompiled modules: ``wasmrun compile app.wasm`` writes ``app.cwasm``, ``wasmrun run --allow-precompiled``
runs it.

A ``.cwasm`` is a cache entry in one file (:mod:`wasmrun.cache.entry`), whole: the validated module
with its binary, and the interpreter's translation of every function its body (so a run of it
decodes, validates and translates nothing), with the handler factories those need; digested with
SHA-256 (it moves between machines, where the cache's secret key is not), and named by the contents of
wasmrun's sources and the Python tag, as code objects and marshal's format are valid only there.  A run
reads only the translations of the functions it runs (the file of a large program is large: 200 MB for
a 24 MB compiler).

The code is made for the default engine options (``--engine auto``, no fuel, no statistics): a run with
other options (``--fuel``, ``--engine interp``, ``--stats``...) uses the module and translates what it
runs.  The proposals are the module's: a run with other ``-W`` proposal switches than the compilation's
is refused, as Wasmtime refuses a module compiled with other settings.  What a run of a ``.cwasm``
compiles (the compiled tier's hot functions) is not written anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from wasmrun.cache import build
from wasmrun.cache.entry import (
    PRECOMPILED,
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
from wasmrun.errors import PrecompiledError, WasmError

if TYPE_CHECKING:
    from wasmrun.engine.code_store import CodeStore
    from wasmrun.engine.options import EngineOptions
    from wasmrun.features import Features
    from wasmrun.module import Module

SUFFIX = ".cwasm"


def compile_module(data: bytes, features: Features) -> bytes:
    """The precompiled form of the module in ``data`` (binary or text): decoded, validated with
    ``features``, every function translated.  The front end's errors are raised as they are."""
    return b"".join(compile_chunks(data, features))


def compile_chunks(data: bytes, features: Features, parallel: bool = False) -> Iterator[bytes]:
    """:func:`compile_module`'s bytes in pieces, to be written one after the other (the file of a large
    program is hundreds of megabytes: joined, they would be held twice); the front end's errors are
    raised before the first piece.  ``parallel``: a big module validated on two cores (the command line's default)."""
    from wasmrun.engine.code_store import CodeStore
    from wasmrun.engine.options import EngineOptions
    from wasmrun.interp.handlers import factory
    from wasmrun.interp.translate import translate_function
    from wasmrun.loader import load_module

    module = load_module(data, features=features, parallel=parallel)
    options = EngineOptions()
    store = CodeStore(module)
    keys: set[Any] = set()
    first = module.num_imported_functions
    for index in range(first, first + len(module.functions)):
        try:
            translation = translate_function(module, index, fuse=options.fuse, fuel=False)
        except WasmError:
            continue  # (an instruction the interpreter refuses: it refuses it again if the function runs)
        store.add_translation(index, translation)
        keys.update(item[0] for item in translation.code[1:])
    for key in keys:
        factory(key)  # compiled now: the store keeps its code object
    header = EntryHeader(
        PRECOMPILED,
        build.source_digest(),
        build.version(),
        build.PYTHON_TAG,
        module_digest(data),
        repr(features),
        repr(options.code_key()),
    )
    return encode_chunks(header, Payload(pickle_module(module), module.raw, store.items()), None)


def load_precompiled(source: Source, features: Features, options: EngineOptions) -> tuple[Module, CodeStore]:
    """The module of a ``.cwasm`` and a code store with its code (empty if made for other options), read
    from ``source`` (which the caller closes after the run: the code is read as it is used);
    PrecompiledError, with the reason, if this wasmrun cannot run it."""
    from wasmrun.engine.code_store import CodeStore

    try:
        entry = Entry(source)
    except EntryError as error:
        raise PrecompiledError(f"cannot run this precompiled module: {error}") from None
    header = entry.header
    if header.kind != PRECOMPILED:
        raise PrecompiledError("cannot run this precompiled module: it is an entry of a code cache")
    if header.python != build.PYTHON_TAG:
        raise PrecompiledError(
            f"the module was precompiled for another Python ({header.python}; this is {build.PYTHON_TAG})"
        )
    if header.wasmrun != build.source_digest():
        raise PrecompiledError(
            f"the module was precompiled by another build of wasmrun ({header.version}; this is {build.version()})"
        )
    try:
        entry.verify(None)
        binary = entry.binary()
        if binary is None:
            raise EntryError("it holds no binary")
        module = unpickle_module(entry.module(), binary)
    except EntryError as error:
        raise PrecompiledError(f"cannot run this precompiled module: {error}") from None
    if header.features != repr(features):
        raise PrecompiledError(
            "the module was precompiled with other WebAssembly proposals enabled (-W) than this run's"
        )
    items = entry.items() if header.code == repr(options.code_key()) else None
    return module, CodeStore(module, items)
