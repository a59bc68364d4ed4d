"""What one engine did with one module: the record both engines fill in and :mod:`fuzz.compare` compares.

Outcomes are strings so that they compare and print as they are:

* a verdict: ``valid`` or ``invalid: <message>`` (the message is not compared);
* an instantiation or a call: ``ok``, ``trap: <kind>`` (a neutral trap kind, see
  :mod:`fuzz.traps`), ``error: <message>`` (a link or instantiation error),
  ``crash: <exception type>: <message>`` (wasmrun raised something that is not
  one of its documented errors: always a finding) or ``timeout`` (the
  per-module wall-clock guard fired: a hang, always a finding);
* an uncaught exception (the trap kind ``thrown-exception``): ``thrown`` describes it, its tag and payload
  (:func:`fuzz.values.exception`), compared like a result;
* the state: ``{"memory <name>": "pages=1 blake2b=...", "global <name>": "i32 0x2a", "table <name>":
  "size=3 nonnull=1 blake2b=..."}`` over every exported and imported memory, global and table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fuzz.values import Value

State = dict[str, str]
HostCall = tuple[str, tuple[Value, ...]]


@dataclass
class Call:
    export: str
    args: tuple[Value, ...]
    outcome: str = ""
    results: tuple[Value, ...] = ()
    fuel: int | None = None  # consumed; only compared after a call that returned
    thrown: str = ""  # the uncaught exception, after the trap thrown-exception
    host_calls: list[HostCall] = field(default_factory=list)
    state: State = field(default_factory=dict)

    @property
    def stops(self) -> bool:
        """Whether the engine stops here: after stack exhaustion, a crash or a timeout the rest is not comparable."""
        return self.outcome in ("trap: call-stack-exhausted", "timeout") or self.outcome.startswith("crash")


@dataclass
class Observation:
    engine: str
    verdict: str = ""
    instantiation: str = ""
    start_thrown: str = ""  # the exception the start function did not catch
    start_host_calls: list[HostCall] = field(default_factory=list)
    state: State = field(default_factory=dict)  # after instantiation
    calls: list[Call] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def crashed(self) -> str | None:
        for outcome in (self.verdict, self.instantiation, *(call.outcome for call in self.calls)):
            if outcome.startswith(("crash", "timeout")):
                return outcome
        return None
