"""The observable state of an instance, described the same way for both engines."""

from __future__ import annotations

import hashlib

from fuzz.values import Value, show


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def memory(pages: int, contents: bytes) -> str:
    return f"pages={pages} blake2b={digest(contents)}"


def table(non_null: list[bool]) -> str:
    bitmap = bytes(non_null)
    return f"size={len(non_null)} nonnull={sum(non_null)} blake2b={digest(bitmap)}"


def global_(valtype: str, value: Value) -> str:
    return f"{valtype} {show(value)}"
