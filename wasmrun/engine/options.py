"""How the engine runs code: one frozen :class:`EngineOptions`, the interpreter's whole configuration.

The ``run`` command line carries one inside its :class:`~wasmrun.launch.RunConfig`
(``engine_options``), :mod:`wasmrun.launch` gives it to the
:class:`~wasmrun.engine.interpreter.Interpreter` as it is, and the interpreter
reads its settings from it; ``Interpreter(engine="compile", fuel=100)`` is the
same record made from keywords.  This module is small and imports nothing
(the command line defines its records at every start-up): a NamedTuple, not
a dataclass, for the same reason (see :mod:`wasmrun.cli.config`).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Engine = Literal["interp", "compile", "auto"]
ENGINES: tuple[Engine, ...] = ("interp", "compile", "auto")

DEFAULT_MAX_STACK_DEPTH = 50_000  # wasm frames; the interpreter's own (wasmrun.interp.machine) says the same
DEFAULT_HOT_THRESHOLD = 200  # calls plus loop iterations before a function's runs are fused
DEFAULT_COMPILE_THRESHOLD = 200  # under auto: calls plus loop iterations before a function is compiled


class EngineOptions(NamedTuple):
    """The interpreter's settings (see :class:`~wasmrun.engine.interpreter.Interpreter` for what each does).

    ``engine``: the tiers (``--engine``).  ``fuel``: a budget of fuel, counted
    and checked as Wasmtime does (``--fuel``; None: no metering).  ``stats``:
    count calls, call depth and per-tier work (``--stats``, ``--json-report``).
    ``max_stack_depth``: the wasm call depth (``--max-stack-depth``).  The
    tiering: ``hot_threshold`` calls plus loop iterations before ``interp``
    fuses a function's runs (0: at once; None: never), ``compile_threshold``
    before ``auto`` compiles it (0: at its first call), ``osr`` whether a hot
    loop switches its running call to compiled code; ``fuse=False`` translates
    one handler per wasm instruction (for testing the fusions).
    """

    engine: Engine = "auto"
    fuel: int | None = None
    stats: bool = False
    max_stack_depth: int = DEFAULT_MAX_STACK_DEPTH
    hot_threshold: int | None = DEFAULT_HOT_THRESHOLD
    compile_threshold: int = DEFAULT_COMPILE_THRESHOLD
    osr: bool = True
    fuse: bool = True

    def code_key(self) -> tuple[object, ...]:
        """The settings that change the code the engine makes (or which code it makes): those a code cache
        keys its entries by.  Not the fuel budget (only whether there is one) nor ``max_stack_depth``."""
        return (
            self.engine,
            self.fuel is not None,
            self.stats,
            self.hot_threshold,
            self.compile_threshold,
            self.osr,
            self.fuse,
        )

    def checked(self) -> EngineOptions:
        """These options, if every value is one the engine takes; else ValueError."""
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if self.max_stack_depth < 1:
            raise ValueError("max_stack_depth must be at least 1")
        if self.compile_threshold < 0:
            raise ValueError("compile_threshold must not be negative")
        if self.fuel is not None and self.fuel < 0:
            raise ValueError("a fuel budget cannot be negative")
        return self
