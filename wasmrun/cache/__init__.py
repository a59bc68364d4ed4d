"""The persistent code cache, and precompiled modules.

A run of a core module looks up its validated module and the engine's code (the interpreter's
translations, the compiled tier's code objects, the handler factories) in a directory of the user's
cache (``~/.cache/wasmrun``), by the module's hash, wasmrun's build, the Python and every option that
changes the code; what the run adds is written back.  So a second run of a program decodes, validates
and translates nothing it ran before.

* :mod:`~wasmrun.cache.settings`: on or off, where, how large (Wasmtime's TOML cache configuration);
* :mod:`~wasmrun.cache.directory`: the directory, private and checked, atomic writes, LRU eviction;
* :mod:`~wasmrun.cache.entry`: an entry's bytes: header, digest, payload, written as a stream (from
  :class:`~wasmrun.engine.blobs.KnownBlobs`, described before they are read);
* :mod:`~wasmrun.cache.spill`: what a run adds to its code store, kept on disk until its entry is written;
* :mod:`~wasmrun.cache.build`: which wasmrun and which Python an entry is valid for;
* :mod:`~wasmrun.cache.code_cache`: the cache as a run meets it (:func:`~wasmrun.cache.code_cache.cached_module`);
* :mod:`~wasmrun.cache.precompiled`: ``wasmrun compile``'s ``.cwasm``, an entry in one file.

Nothing is imported here (a run without the cache pays nothing for it) but the mark every entry and
``.cwasm`` starts with, by which the command line tells a precompiled module.
"""

MAGIC = b"\0wasmrun-code\n"
"""The first bytes of an entry (:mod:`wasmrun.cache.entry`)."""


def is_entry(data: bytes) -> bool:
    """Whether ``data`` starts as an entry does (the test a ``.cwasm`` is recognized by)."""
    return data.startswith(MAGIC)
