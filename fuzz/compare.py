"""Compare a wasmrun tier's observation with Wasmtime's: the first difference, or the filter that applies.

What is compared, in order (the first difference is the mismatch; what follows
it would only be its consequences):

1. instantiation (``ok``, a trap kind, an error), the host calls the start
   function made, and the state after it;
2. for each planned call: the outcome (``ok`` or the trap kind), the results by
   bit pattern, the fuel consumed (after a call that returned: after a trap,
   Wasmtime's count depends on where Cranelift last stored its fuel counter,
   which the spec does not define), the host calls (arguments by bits, NaNs as
   ``nan``), and the state after the call (every memory's size and contents,
   every global's bits, every table's size and null entries).  After the trap
   ``thrown-exception`` (an exception nothing caught), the exception: its tag
   and payload bits, in place of results.

Filters (counted, never mismatches):

* ``call stack exhausted``: the two engines' depth limits differ by design
  (Wasmtime's is a stack size in bytes, wasmrun's a frame count), so where
  either runs out of stack the outcomes may differ, and so may the host calls
  made and the memory written on the way down: nothing of that call and
  nothing after it is compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fuzz.observe import HostCall, Observation, State
from fuzz.values import show

STACK = "trap: call-stack-exhausted"


@dataclass
class Comparison:
    tier: str
    category: str = ""  # "" when they agree
    detail: str = ""
    compared: int = 0  # calls whose outcomes were compared
    filters: list[str] = field(default_factory=list)

    @property
    def mismatch(self) -> bool:
        return bool(self.category)


def _first_state_difference(reference: State, candidate: State) -> str | None:
    for key in sorted(set(reference) | set(candidate)):
        if reference.get(key) != candidate.get(key):
            return f"{key}: wasmtime {reference.get(key)}, wasmrun {candidate.get(key)}"
    return None


def _outcome_category(what: str, expected: str, actual: str) -> str:
    """``crash <exception type>``, ``timeout``, or ``<what>: <Wasmtime's outcome> vs <wasmrun's>`` (kinds only)."""
    if actual.startswith("crash"):
        return "crash " + actual.split(":")[1].strip()
    if actual == "timeout":
        return "timeout"
    return f"{what}: {expected.split(':')[0] if expected.startswith('error') else expected} vs " + (
        actual.split(":")[0] if actual.startswith("error") else actual
    )


def _host_calls_difference(expected: list[HostCall], actual: list[HostCall]) -> str:
    for index, (left, right) in enumerate(zip(expected, actual)):
        if left != right:
            return f"host call #{index}: wasmtime {left}, wasmrun {right}"
    return f"wasmtime made {len(expected)} host calls, wasmrun {len(actual)}"


def compare(reference: Observation, candidate: Observation) -> Comparison:
    result = Comparison(candidate.engine)

    def differ(category: str, detail: str) -> Comparison:
        result.category, result.detail = category, detail
        return result

    if reference.instantiation != candidate.instantiation:
        if STACK in (reference.instantiation, candidate.instantiation):
            result.filters.append("call stack exhausted in the start function")
            return result
        return differ(
            _outcome_category("instantiation", reference.instantiation, candidate.instantiation),
            f"instantiation: wasmtime {reference.instantiation}, wasmrun {candidate.instantiation}",
        )
    if reference.start_thrown != candidate.start_thrown:
        return differ(
            "thrown exception", f"instantiation: wasmtime {reference.start_thrown}, wasmrun {candidate.start_thrown}"
        )
    if reference.start_host_calls != candidate.start_host_calls:
        if reference.instantiation == STACK:  # (and so is wasmrun's): how deep each engine got differs
            result.filters.append("call stack exhausted in the start function")
            return result
        return differ(
            "host calls", f"start: wasmtime {reference.start_host_calls}, wasmrun {candidate.start_host_calls}"
        )
    if reference.instantiation != "ok":
        return result
    difference = _first_state_difference(reference.state, candidate.state)
    if difference is not None:
        return differ("state", f"after instantiation: {difference}")

    for index, (expected, actual) in enumerate(zip(reference.calls, candidate.calls)):
        where = f"call #{index} {expected.export}({', '.join(show(a) for a in expected.args)})"
        if expected.outcome != actual.outcome:
            if STACK in (expected.outcome, actual.outcome) and not actual.outcome.startswith(("crash", "timeout")):
                result.filters.append("call stack exhausted: outcomes of the deepest call not compared")
                return result
            return differ(
                _outcome_category("outcome", expected.outcome, actual.outcome),
                f"{where}: wasmtime {expected.outcome}, wasmrun {actual.outcome}",
            )
        result.compared += 1
        if expected.outcome == STACK:
            # How deep each engine got (so which host calls it made, what it wrote) depends on its limit.
            result.filters.append("call stack exhausted: that call's effects and the calls after it not compared")
            return result
        if expected.results != actual.results:
            return differ(
                "result",
                f"{where}: wasmtime {[show(v) for v in expected.results]}, wasmrun {[show(v) for v in actual.results]}",
            )
        if expected.thrown != actual.thrown:
            return differ("thrown exception", f"{where}: wasmtime {expected.thrown}, wasmrun {actual.thrown}")
        if expected.fuel != actual.fuel:
            return differ("fuel", f"{where}: fuel consumed: wasmtime {expected.fuel}, wasmrun {actual.fuel}")
        if expected.host_calls != actual.host_calls:
            return differ("host calls", f"{where}: {_host_calls_difference(expected.host_calls, actual.host_calls)}")
        difference = _first_state_difference(expected.state, actual.state)
        if difference is not None:
            return differ("state", f"after {where}: {difference}")
    if len(reference.calls) != len(candidate.calls):
        return differ("calls", f"wasmtime made {len(reference.calls)} calls, wasmrun {len(candidate.calls)}")
    return result
