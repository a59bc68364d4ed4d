"""Which exports a module's run calls, with which arguments and fuel: the same plan for every engine."""

from __future__ import annotations

from dataclasses import dataclass

from fuzz.interface import Interface
from fuzz.values import Value, arguments

DEFAULT_FUEL = 100_000  # per call, and for instantiation (the start function)
DEFAULT_ROUNDS = 2  # each exported function is called this many times, in export order, round after round
MAX_CALLS = 80


@dataclass(frozen=True)
class Plan:
    seed: int
    fuel: int
    calls: tuple[tuple[str, tuple[Value, ...]], ...]


def make_plan(interface: Interface, seed: int, fuel: int = DEFAULT_FUEL, rounds: int = DEFAULT_ROUNDS) -> Plan:
    calls: list[tuple[str, tuple[Value, ...]]] = []
    for round_ in range(rounds):
        for export in interface.exports:
            if export.kind == "func" and export.signature is not None and len(calls) < MAX_CALLS:
                calls.append((export.name, arguments(export.signature.params, seed, export.name, round_)))
    return Plan(seed, fuel, tuple(calls))
