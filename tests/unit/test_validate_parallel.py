"""Typing a big module's bodies on two cores (wasmrun.validation.parallel): the same answer as one process.

The threshold is lowered to nothing and the platform checks are bypassed, so the fork happens for these
small modules on any Linux machine, whatever its CPU count.
"""

from __future__ import annotations

import os
import sys

import pytest

from wasmrun.errors import ValidationError
from wasmrun.loader import load_module, to_binary
from wasmrun.validation import parallel, validate_module

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the second process is forked on Linux only")

# Twelve functions: the fast path refuses the ones with typed-reference or exception instructions.
FUNCTIONS = [
    "(func (param i32) (result i32) local.get 0 i32.const 1 i32.add)",
    "(func (result i32) ref.null func ref.is_null)",
    "(func (param i32) (result i32) (local i64) local.get 0 i32.load offset=8)",
    "(func (param i32) block local.get 0 br_if 0 end)",
    "(func (result funcref) ref.null func)",
    "(func (param f64) (result f64) local.get 0 f64.sqrt)",
    "(func (param i32) (result i32) loop (result i32) local.get 0 end)",
    "(func (result i32) i32.const 7 ref.null extern ref.is_null i32.add)",
    "(func (param i64) (result i64) local.get 0 i64.const 3 i64.mul)",
    "(func (param i32 i32) (result i32) local.get 0 local.get 1 i32.lt_u)",
    "(func (result i32) ref.null func ref.is_null)",
    "(func (param i32) (result i32) local.get 0 if (result i32) i32.const 1 else i32.const 2 end)",
]
VALID = to_binary(("(module (memory 1) " + " ".join(FUNCTIONS) + ")").encode())


@pytest.fixture
def always_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)


def test_two_processes_refuse_what_one_refuses(always_fork: None, monkeypatch: pytest.MonkeyPatch) -> None:
    real = parallel.check_in_two
    answers: list[list[int]] = []

    def recording(*args: object) -> list[int]:
        answers.append(real(*args))  # type: ignore[arg-type]
        return answers[-1]

    monkeypatch.setattr(parallel, "check_in_two", recording)
    validate_module(load_module(VALID, validate=False), parallel=True)  # forked
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 1 << 60)
    validate_module(load_module(VALID, validate=False), parallel=True)  # one process
    forked, serial = answers
    assert forked == serial and serial, "the same bodies, some of them refused, in both runs"


def test_a_child_that_fails_leaves_the_work_to_the_parent(always_fork: None) -> None:
    parent = os.getpid()
    calls: list[int] = []

    def check(bodies: list[int]) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        calls.append(len(bodies))
        return [position for position, body in enumerate(bodies) if body % 3 == 0]

    bodies = list(range(10))
    assert parallel.check_in_two(check, bodies, [1] * 10) == [0, 3, 6, 9]
    assert calls == [5, 5], "the parent typed its half, then the child's"


def test_the_halves_are_cut_by_size(always_fork: None) -> None:
    parent = os.getpid()
    seen: list[list[int]] = []

    def check(bodies: list[int]) -> list[int]:
        if os.getpid() == parent:
            seen.append(list(bodies))
        return [position for position, body in enumerate(bodies) if body >= 8]

    sizes = [100, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    assert parallel.check_in_two(check, list(range(10)), sizes) == [8, 9]
    assert seen == [[0]], "the first body is half the code: the parent types it alone"


def test_small_code_is_typed_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    parent = os.getpid()
    pids: set[int] = set()

    def check(bodies: list[int]) -> list[int]:
        pids.add(os.getpid())
        return []

    parallel.check_in_two(check, list(range(4)), [1] * 4)
    assert pids == {parent}


@pytest.mark.parametrize("function", [0, 11], ids=["first half", "second half"])
def test_an_invalid_body_in_either_half_gives_the_one_process_error(always_fork: None, function: int) -> None:
    functions = list(FUNCTIONS)
    functions[function] = "(func (result i32) i64.const 1)"
    data = to_binary(("(module (memory 1) " + " ".join(functions) + ")").encode())
    with pytest.raises(ValidationError) as serial:
        validate_module(load_module(data, validate=False))
    with pytest.raises(ValidationError) as forked:
        validate_module(load_module(data, validate=False), parallel=True)
    assert str(forked.value) == str(serial.value) and "type mismatch" in str(serial.value)


def test_no_fork_with_another_thread_running(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert not parallel.can_fork()


def test_no_fork_on_one_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert not parallel.can_fork()
