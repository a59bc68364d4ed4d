"""Worker processes with a hard time limit per task: a task that hangs (or kills its process) is a result too.

The in-process guard (:mod:`fuzz.guard`) stops a slow module between Python
bytecodes; this catches what it cannot: a hang inside native code, a crash of
the interpreter process (a segfault, the OOM killer).  The parent kills an
overdue worker (by its pid: it started it), reports the task as
:class:`Lost`, and starts a fresh worker.  Workers are spawned, not forked, so
that no Wasmtime engine or thread of the parent is inherited.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, cast


@dataclass(frozen=True)
class Lost:
    """A task whose worker hung past the hard limit or died."""

    reason: str


def _serve(connection: Connection, function: Callable[[Any], Any]) -> None:
    while True:
        try:
            task = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        connection.send(function(task))


class _Worker:
    def __init__(self, context: Any, function: Callable[[Any], Any]) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, function), daemon=True)
        self.process.start()
        child.close()
        self.task: Any = None
        self.started = 0.0

    def give(self, task: Any) -> None:
        self.task, self.started = task, time.monotonic()
        self.connection.send(task)

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except OSError:
                self.process.kill()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def run_tasks(
    function: Callable[[Any], Any], tasks: Iterable[Any], jobs: int, hard_limit: float
) -> Iterator[tuple[Any, Any]]:
    """``(task, function(task))`` in completion order, or ``(task, Lost(...))``; ``function`` must be picklable."""
    if jobs <= 0:  # in this process: for debugging, no hard limit
        for task in tasks:
            yield task, function(task)
        return
    context = multiprocessing.get_context("spawn")
    pending = iter(tasks)
    workers = [_Worker(context, function) for _ in range(jobs)]
    idle = list(workers)
    busy: dict[Connection, _Worker] = {}
    exhausted = False
    try:
        while True:
            while idle and not exhausted:
                task = next(pending, None)
                if task is None:
                    exhausted = True
                    break
                worker = idle.pop()
                worker.give(task)
                busy[worker.connection] = worker
            if not busy:
                return
            for connection in wait(list(busy), timeout=1.0):
                worker = busy.pop(cast(Connection, connection))
                try:
                    result = worker.connection.recv()
                except (EOFError, OSError):
                    code = worker.process.exitcode
                    worker.process.join(timeout=5)
                    yield worker.task, Lost(f"the worker died (exit code {worker.process.exitcode or code})")
                    worker.stop(kill=True)
                    workers.remove(worker)
                    worker = _Worker(context, function)
                    workers.append(worker)
                else:
                    yield worker.task, result
                idle.append(worker)
            now = time.monotonic()
            for connection, worker in list(busy.items()):
                if now - worker.started > hard_limit:
                    del busy[connection]
                    task = worker.task
                    worker.stop(kill=True)
                    workers.remove(worker)
                    fresh = _Worker(context, function)
                    workers.append(fresh)
                    idle.append(fresh)
                    yield task, Lost(f"no answer within {hard_limit:.0f} s (a hang outside Python code?)")
    finally:
        for worker in workers:
            worker.stop(kill=worker.connection in busy)
