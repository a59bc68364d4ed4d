"""What a run did, for scripts (``--json-report``) and for people (``--stats``).

:class:`RunRecord` collects a run's facts as it goes (so they are there
whatever the outcome); :func:`run_report` makes the one JSON object of
``--json-report`` (schema: ``wasmrun/schemas/run-report.schema.json``);
:func:`stats_blocks` the table of ``--stats`` (plain aligned text, or rich
tables on a terminal, through :mod:`wasmrun.cli.tables`).

Outcomes: ``exit`` (the program returned, or called ``proc_exit(n)`` with
n < 126), ``trap`` (a wasm trap: out of fuel, timeout and call-stack
exhaustion included) and ``error`` (anything else: the module could not be
loaded, linked or instantiated, a WASI call failed, an invalid exit status,
an interrupt...).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from wasmrun.cli.errors import GuestFailure, InputError, describe
from wasmrun.errors import ProcExit, Trap

if TYPE_CHECKING:
    from wasmrun.cli.tables import Block
    from wasmrun.launch import Resources
    from wasmrun.module import Module

SCHEMA = "run-report.schema.json"
EXIT, TRAP, ERROR = "exit", "trap", "error"


class RunRecord:
    """A run's facts: the module once loaded, the load time, and the :class:`~wasmrun.launch.Resources`."""

    __slots__ = ("load_seconds", "module", "resources")

    def __init__(self, resources: Resources) -> None:
        self.module: Module | None = None
        self.load_seconds = 0.0
        self.resources = resources


def run_report(
    record: RunRecord,
    status: int,
    error: BaseException | None,
    *,
    max_frames: int | None = None,
    details: bool = True,
) -> dict[str, Any]:
    """The ``--json-report`` object of a run that ended with exit ``status`` (and ``error``, if it failed)."""
    report: dict[str, Any] = {"outcome": EXIT, "exit_status": status}
    if error is not None:
        report.update(_failure(error, max_frames=max_frames, details=details))
    report["resources"] = _resources(record)
    return report


def dump(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2) + "\n"


def _failure(error: BaseException, *, max_frames: int | None, details: bool) -> dict[str, Any]:
    cause = error.cause if isinstance(error, InputError) else error
    if isinstance(cause, ProcExit) and describe(cause).exit_code == cause.code:
        return {}  # proc_exit(n): the program's own exit
    if isinstance(cause, GuestFailure) and _is_trap(cause.error):
        trap = cause.error
        return {
            "outcome": TRAP,
            "trap": trap.message,
            "frames": _frames(trap, cause.module, max_frames=max_frames, details=details),
            "frames_total": len(trap.frames),
        }
    text = describe(error).text or type(cause).__name__
    message = text.splitlines()[0].removeprefix("Error: ") if text else ""
    return {"outcome": ERROR, "error": message}


def _is_trap(error: Trap) -> bool:
    from wasmrun.wasi.guest import WasiTrap  # small: no WASI function comes with it

    return not isinstance(error, WasiTrap)


def _frames(trap: Trap, module: Module | None, *, max_frames: int | None, details: bool) -> list[dict[str, Any]]:
    from wasmrun.debug.backtrace import DEFAULT_MAX_FRAMES, describe_frames, function_name

    limit = DEFAULT_MAX_FRAMES if max_frames is None else max_frames
    if module is None:
        return [
            {
                "index": index,
                "name": f"<wasm function {index}>",
                "offset": offset if offset >= 0 else None,
                "source": [],
            }
            for index, offset in trap.frames[:limit]
        ]
    frames = []
    for frame in describe_frames(module, trap.frames, max_frames=limit, details=details):
        frames.append(
            {
                "index": frame.function_index,
                "name": function_name(module, frame.function_index),
                "offset": frame.offset if frame.offset >= 0 else None,
                "source": [
                    {"function": place.function, "file": place.file, "line": place.line, "column": place.column}
                    for place in frame.source
                ],
            }
        )
    return frames


def _resources(record: RunRecord) -> dict[str, Any]:
    resources = record.resources
    meter, counters = resources.fuel_meter, resources.counters
    translate = counters.translate_seconds if counters is not None else 0.0
    return {
        "instructions": max(meter.consumed, 0) if meter is not None else None,
        "calls": counters.calls if counters is not None else None,
        "max_call_depth": counters.max_depth if counters is not None else None,
        "peak_memory_pages": resources.memory_pages,
        "functions": dict(counters.functions) if counters is not None else None,
        "time": {
            "load": record.load_seconds,
            "translate": translate,
            "run": max(resources.run_seconds - translate, 0.0),
        },
    }


def stats_blocks(report: dict[str, Any]) -> list[Block]:
    """``--stats``: the resources of a run report as one block of ``name  value`` lines."""
    from wasmrun.cli.tables import Fields

    resources = report["resources"]
    items: list[tuple[str, str]] = []
    if resources["instructions"] is not None:
        items.append(("instructions executed", f"{resources['instructions']:,}"))
    if resources["calls"] is not None:
        items.append(("calls", f"{resources['calls']:,}"))
        items.append(("max call depth", f"{resources['max_call_depth']:,}"))
    pages = resources["peak_memory_pages"]
    items.append(("peak memory", f"{pages:,} pages ({pages * 64:,} KiB)"))
    if resources["functions"] is not None:
        items.append(("functions interpreted", f"{resources['functions']['interp']:,}"))
        items.append(("functions compiled", f"{resources['functions']['compile']:,}"))
    for phase, name in (("load", "load time"), ("translate", "translation time"), ("run", "run time")):
        items.append((name, _duration(resources["time"][phase])))
    return [Fields("wasmrun stats", tuple(items))]


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"
