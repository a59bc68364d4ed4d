"""wasmrun.cli.collection: the garbage collector paused during the CLI's start-up, and never left off."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wasmrun.cli import collection
from wasmrun.cli.main import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    collection.thaw()
    gc.unfreeze()
    if was_enabled:
        gc.enable()


def test_pause_then_resume_freezes_what_start_up_made() -> None:
    gc.enable()
    collection.pause()
    assert not gc.isenabled()
    collection.resume()
    assert gc.isenabled() and gc.get_freeze_count() > 0
    collection.thaw()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_collector_someone_else_turned_off_stays_off() -> None:
    gc.disable()
    collection.pause()
    collection.resume()
    collection.thaw()
    assert not gc.isenabled() and gc.get_freeze_count() == 0


def test_the_guest_runs_with_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from wasmrun.engine.interpreter import Interpreter

    seen: list[bool] = []
    invoke = Interpreter.invoke

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return invoke(*args, **kwargs)

    monkeypatch.setattr(Interpreter, "invoke", recording)
    gc.enable()
    thresholds = gc.get_threshold()
    assert main(["--invoke", "fac", str(REPO / "examples" / "fac.wat"), "5"]) == 0
    assert seen == [True]
    assert gc.isenabled() and gc.get_freeze_count() == 0  # and in-process callers get it back as it was
    assert gc.get_threshold() == thresholds


def test_resume_makes_full_collections_rarer_and_thaw_restores_them() -> None:
    gc.enable()
    young, middle, oldest = gc.get_threshold()
    collection.pause()
    collection.resume()
    assert gc.get_threshold() == (young, middle, oldest * collection.OLDEST_FACTOR)
    collection.thaw()
    assert gc.get_threshold() == (young, middle, oldest)


def test_other_commands_run_with_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from wasmrun.cli import validate

    seen: list[bool] = []
    command = validate.validate_command

    def recording(*args: Any, **keywords: Any) -> Any:
        seen.append(gc.isenabled())
        return command(*args, **keywords)

    monkeypatch.setattr(validate, "validate_command", recording)
    gc.enable()
    assert main(["validate", str(REPO / "examples" / "fac.wat")]) == 0
    assert seen == [True]
