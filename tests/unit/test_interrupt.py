"""Where the timeout's trap may be raised outside wasm code (wasmrun.runtime.interrupt)."""

from __future__ import annotations

import sys
import weakref
from types import FrameType

import pytest

from wasmrun.runtime.interrupt import garbage_collector_callback, interruptible, may_interrupt


def here() -> FrameType:
    return sys._getframe(1)


@garbage_collector_callback
def callback(frames: list[FrameType]) -> None:
    frames.append(here())


def finalizer_frame() -> FrameType:
    class Owner:
        pass

    frames: list[FrameType] = []
    owner = Owner()
    weakref.finalize(owner, lambda: frames.append(here()))
    del owner
    return frames[0]


def callback_frame() -> FrameType:
    frames: list[FrameType] = []
    callback(frames)
    return frames[0]


def test_outside_a_region_only_marked_code_is_interrupted() -> None:
    assert not may_interrupt(here())


def test_inside_a_region_any_frame_is_interrupted() -> None:
    with interruptible():
        assert may_interrupt(here())


@pytest.mark.parametrize("frame", [finalizer_frame, callback_frame], ids=["finalizer", "weakref-callback"])
def test_what_the_garbage_collector_runs_is_never_interrupted(frame: object) -> None:
    """Python drops an exception raised there: the trap would be lost and the run outlive its deadline."""
    with interruptible():
        assert not may_interrupt(frame())  # type: ignore[operator]
