"""Which wasmrun and which Python made a cache entry: what its code is valid for.

Code objects and :mod:`marshal`'s format are CPython's own, valid only in the Python that wrote them:
:data:`PYTHON_TAG` (``sys.implementation.cache_tag``, ``cpython-311``).  Translations and generated code
are valid only for the wasmrun that made them, and a development tree changes without its version
changing; so an entry names wasmrun by its sources: :func:`build_id`, a digest of the path, size and
modification time of every source file of the package (one ``stat`` each, about a millisecond).  A
precompiled file (``wasmrun compile``) moves between machines, where the same sources have other
times: it names wasmrun by the sources' contents instead (:func:`source_digest`, some 10 ms, paid only by
``compile`` and by the runs of a ``.cwasm``), and by its version, for messages (:func:`version`).
"""

from __future__ import annotations

import hashlib
import os
import sys

PYTHON_TAG: str = sys.implementation.cache_tag or sys.implementation.name
"""The Python whose code objects an entry holds (``cpython-311``)."""

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""The directory of the ``wasmrun`` package."""

_memo: dict[str, str] = {}


def source_files(root: str = PACKAGE) -> list[str]:
    """The package's Python source files, sorted (``__pycache__`` left out)."""
    found: list[str] = []
    pending = [root]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append(entry.path)
                elif entry.name.endswith(".py"):
                    found.append(entry.path)
    return sorted(found)


def build_id() -> str:
    """This wasmrun as the local cache knows it: a digest of its source files' paths, sizes and times."""
    found = _memo.get("build")
    if found is None:
        digest = hashlib.sha256()
        for path in source_files():
            status = os.stat(path)
            digest.update(f"{os.path.relpath(path, PACKAGE)}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
        found = _memo["build"] = digest.hexdigest()
    return found


def source_digest() -> str:
    """This wasmrun wherever it is installed: a digest of its source files' names and contents."""
    found = _memo.get("sources")
    if found is None:
        digest = hashlib.sha256()
        for path in source_files():
            with open(path, "rb") as file:
                contents = file.read()
            digest.update(f"{os.path.relpath(path, PACKAGE)}\0{len(contents)}\n".encode())
            digest.update(contents)
        found = _memo["sources"] = digest.hexdigest()
    return found


def version() -> str:
    """wasmrun's version, as installed (``0.1.0``); read from the package's metadata, which is slow."""
    found = _memo.get("version")
    if found is None:
        from importlib import metadata

        try:
            found = metadata.version("wasmrun")
        except metadata.PackageNotFoundError:
            found = "unknown"
        _memo["version"] = found
    return found
