"""A small delta-debugging reducer for mutation findings (invalid inputs, which ``wasm-tools shrink`` cannot parse).

It removes chunks (bytes of a binary, tokens of a text), halving the chunk size
down to one, keeping each removal after which ``interesting`` still holds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from fuzz.mutators import join, tokens


def _reduce_parts(parts: list[bytes], interesting: Callable[[list[bytes]], bool], deadline: float) -> list[bytes]:
    chunk = max(1, len(parts) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        index = 0
        while index < len(parts) and time.monotonic() < deadline:
            candidate = parts[:index] + parts[index + chunk :]
            if candidate and interesting(candidate):
                parts = candidate
            else:
                index += chunk
        chunk //= 2
    return parts


def reduce(data: bytes, text: bool, interesting: Callable[[bytes], bool], seconds: float = 120.0) -> bytes:
    """The smallest ``data`` found (within ``seconds``) for which ``interesting`` holds."""
    deadline = time.monotonic() + seconds
    if text:
        pieces: Sequence[str] = tokens(data)
        parts = [piece.encode("utf-8", "surrogateescape") for piece in pieces]

        def check(candidate: list[bytes]) -> bool:
            return interesting(b"".join(candidate))

        reduced = _reduce_parts(parts, check, deadline)
        return join([part.decode("utf-8", "surrogateescape") for part in reduced])
    parts = [bytes([byte]) for byte in data]
    return b"".join(_reduce_parts(parts, lambda candidate: interesting(b"".join(candidate)), deadline))
