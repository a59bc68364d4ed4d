"""What an interpreter measures when asked: fuel, and the counters behind ``--stats``.

Both exist only when enabled (the :class:`~wasmrun.engine.options.EngineOptions`
``fuel`` and ``stats``: ``Interpreter(fuel=N)``, ``Interpreter(stats=True)``),
and only code translated for them touches them (see :mod:`wasmrun.semantics.fuel`
and the ``stats`` option of the generators): without them the engine runs
exactly the code it runs without limits.  The interpreter makes them
(``fuel_meter``, ``counters``) and hands the objects themselves to the code
that uses them: compiled code gets them as globals of its namespace
(``FUEL``, ``STATS``: :class:`wasmrun.codegen.compiled.CodeOptions`), a run's
:class:`~wasmrun.launch.Resources` keeps them for its report.
"""

from __future__ import annotations

from wasmrun.errors import TRAP_OUT_OF_FUEL, Trap


class FuelMeter:
    """The fuel left (``fuel``), charged by metered code as Wasmtime charges it.

    ``fuel`` may go below zero between checks (a segment is charged where it
    starts); :attr:`consumed` is what was charged, at most the budget at a
    check that trapped.
    """

    __slots__ = ("budget", "fuel")

    def __init__(self, budget: int) -> None:
        if budget < 0:
            raise ValueError("a fuel budget cannot be negative")
        self.budget = budget
        self.fuel = budget

    @property
    def consumed(self) -> int:
        return self.budget - self.fuel

    def exhausted(self, charge: int) -> None:
        """A check failed: charge what the check stood for (a function entry's cost) and trap."""
        self.fuel -= charge
        raise Trap(TRAP_OUT_OF_FUEL)

    def use(self, amount: int) -> None:
        """Charge ``amount``, then trap if nothing is left: a bulk instruction's length (Wasmtime
        checks after the work), or the wrapper Wasmtime calls a start function through."""
        self.fuel -= amount
        if self.fuel <= 0:
            raise Trap(TRAP_OUT_OF_FUEL)


class CallCounters:
    """``--stats``: wasm function calls, the current and deepest call depth, and per-tier work.

    ``calls`` and ``depth`` are counted by the code translated for statistics
    (a function entered counts one call); ``functions`` is how many functions
    each tier ran (a function the ``auto`` engine compiled after interpreting
    it counts in both), ``translate_seconds`` the time spent translating and
    compiling.
    """

    __slots__ = ("calls", "depth", "functions", "max_depth", "translate_seconds")

    def __init__(self) -> None:
        self.calls = 0
        self.depth = 0
        self.max_depth = 0
        self.functions = {"interp": 0, "compile": 0}
        self.translate_seconds = 0.0

    def enter(self) -> None:
        """One call begins (for the interpreter's counting entries and the compiled code)."""
        self.calls += 1
        depth = self.depth = self.depth + 1
        if depth > self.max_depth:
            self.max_depth = depth
