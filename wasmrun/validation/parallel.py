"""Typing a big module's bodies on two cores, as Wasmtime compiles on several threads.

Typing the bodies is most of loading a big module (a 23 MB compiler: about 2 s of 3), and no body's
result depends on another's.  Threads would not help (the loop is pure Python, one interpreter lock), so
the second half goes to a forked child process (:mod:`wasmrun.forking`): it types its bodies in its copy
of the module and writes back, as marshal, the positions it refused, while the parent types the first
half.  It is taken with two CPUs available and enough code to outweigh the fork; anything odd in the
child makes the parent type the second half itself, so the result is always exactly what one process
would have found.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Sequence
from typing import TypeVar

from wasmrun import forking

Body = TypeVar("Body")

MIN_PARALLEL_BYTES = 4 << 20
"""The code (in bytes of bodies) below which one process types it all: a fork costs milliseconds."""


def can_fork() -> bool:
    """Whether a second process may type bodies here (two CPUs for us; see :func:`forking.can_fork`)."""
    return forking.can_fork(cpus=2)


def check_in_two(
    check: Callable[[Sequence[Body]], list[int]], bodies: Sequence[Body], sizes: Sequence[int]
) -> list[int]:
    """``check(bodies)`` (the positions of the bodies it refuses, ascending), the second half computed in
    a child process when the bodies' ``sizes`` (bytes) add up to :data:`MIN_PARALLEL_BYTES` or more."""
    total = sum(sizes)
    if total < MIN_PARALLEL_BYTES or not can_fork():
        return check(bodies)
    half = total // 2
    cut = 0
    covered = 0
    while covered < half:
        covered += sizes[cut]
        cut += 1
    second = bodies[cut:]
    child = forking.start(lambda: marshal.dumps(check(second)))
    try:
        refused = check(bodies[:cut])
    except BaseException:
        if child is not None:
            child.stop()
        raise
    answer = _positions(child.answer()) if child is not None else None
    if answer is None:
        answer = check(second)
    return refused + [cut + position for position in answer]


def _positions(data: bytes | None) -> list[int] | None:
    if data is None:
        return None
    try:
        answer = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(answer, list) or not all(isinstance(position, int) for position in answer):
        return None
    return answer
