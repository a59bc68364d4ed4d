"""The cyclic garbage collector during the CLI's start-up: paused, then resumed with start-up's objects frozen.

Start-up (imports, decoding, validation) allocates many objects and frees
almost none, so the collector's passes over them are wasted time (some 5 ms of
a small program's run).  :func:`pause`, at the start of
:func:`wasmrun.cli.main.main`, turns it off; :func:`resume`, once the command
has loaded what it works on (before any guest code runs), turns it back on with
everything made so far frozen (left out of every later pass); :func:`thaw`, on
``main``'s way out, unfreezes them for callers that go on (tests call ``main``
in-process).  The state lives here, in one module object, even when
``wasmrun.cli.main`` also runs as ``__main__`` (``python -m``).
"""

from __future__ import annotations

import gc

_paused = False
_frozen = False


def pause() -> None:
    """Turn the collector off, unless it is off already (then it is not ours to turn back on)."""
    global _paused
    if gc.isenabled() and not _paused and not _frozen:
        gc.disable()
        _paused = True


def resume() -> None:
    """Turn the collector back on if :func:`pause` turned it off, freezing what exists now."""
    global _paused, _frozen
    if _paused:
        _paused = False
        gc.freeze()
        _frozen = True
        gc.enable()


def thaw() -> None:
    """Resume, and put the frozen objects back under the collector."""
    global _frozen
    resume()
    if _frozen:
        _frozen = False
        gc.unfreeze()
