"""The cyclic garbage collector during the CLI's start-up: paused, then resumed with start-up's objects frozen.

Start-up (imports, decoding, validation, instantiation) allocates many objects
and frees almost none, so the collector's passes over them are wasted time
(some 5 ms of a small program's run, a quarter of a large one's warm start).
:func:`pause`, at the start of :func:`wasmrun.cli.main.main`, turns it off;
:func:`resume`, once the command has loaded what it works on (for ``run``: the
module instantiated, before any guest code runs), turns it back on with
everything made so far frozen (left out of every later pass), and full
collections :data:`OLDEST_FACTOR` times rarer: what a guest's first calls
make is mostly the engine's code for each function reached (its translation,
its handlers), which lives as long as the program, and the default (a full
collection every 10 young ones) walks it again and again.  :func:`thaw`, on
``main``'s way out, unfreezes them and restores the thresholds for callers that
go on (tests call ``main`` in-process).  The state lives here, in one module
object, even when ``wasmrun.cli.main`` also runs as ``__main__`` (``python -m``).
"""

from __future__ import annotations

import gc

OLDEST_FACTOR = 10

_paused = False
_frozen = False
_thresholds: tuple[int, int, int] | None = None  # as they were before resume() raised the oldest one


def pause() -> None:
    """Turn the collector off, unless it is off already (then it is not ours to turn back on)."""
    global _paused
    if gc.isenabled() and not _paused and not _frozen:
        gc.disable()
        _paused = True


def resume() -> None:
    """Turn the collector back on if :func:`pause` turned it off, freezing what exists now."""
    global _paused, _frozen, _thresholds
    if _paused:
        _paused = False
        gc.freeze()
        _frozen = True
        _thresholds = young, middle, oldest = gc.get_threshold()
        gc.set_threshold(young, middle, oldest * OLDEST_FACTOR)
        gc.enable()


def thaw() -> None:
    """Resume, and put the frozen objects back under the collector."""
    global _frozen, _thresholds
    resume()
    if _frozen:
        _frozen = False
        gc.unfreeze()
    if _thresholds is not None:
        gc.set_threshold(*_thresholds)
        _thresholds = None
