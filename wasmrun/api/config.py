""":class:`Config` and :class:`Engine`: what every store and module of an engine shares.

A configuration says which proposals modules may use, whether stores meter fuel, and how code runs
(the tier, the call-depth limit).  Settings that only tune a native compiler (Cranelift's, the
code cache, memory reservations, ...) are accepted and ignored, as wasmrun has none; settings that
would change behaviour wasmrun does not have raise :class:`~wasmrun.api.errors.WasmtimeError`,
naming the setting.  The tables below are the one place each setting is classified.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from wasmrun.api.errors import WasmtimeError
from wasmrun.engine.options import DEFAULT_MAX_STACK_DEPTH, ENGINES
from wasmrun.features import ALL_FEATURES, Features

# Config property -> the field of wasmrun's Features it switches.
PROPOSAL_SETTINGS = {
    "wasm_threads": "threads",
    "wasm_tail_call": "tail_call",
    "wasm_reference_types": "reference_types",
    "wasm_simd": "simd",
    "wasm_bulk_memory": "bulk_memory",
    "wasm_multi_value": "multi_value",
    "wasm_multi_memory": "multi_memory",
    "wasm_memory64": "memory64",
    "wasm_relaxed_simd": "relaxed_simd",
    "wasm_exceptions": "exceptions",
    "wasm_function_references": "function_references",
    "wasm_wide_arithmetic": "wide_arithmetic",
    "wasm_custom_page_sizes": "custom_page_sizes",
    "shared_memory": "shared_memory",
    "wasm_gc": "gc",
    "gc_support": "gc_support",  # not a proposal: off, no type that needs a GC heap (externref included)
}

# Settings that tune a native compiler or runtime wasmrun does not have: accepted, ignored.
IGNORED_SETTINGS = (
    "debug_info",
    "wasm_relaxed_simd_deterministic",
    "wasm_component_model",
    "wasm_component_model_map",
    "wasm_component_model_implements",
    "cranelift_debug_verifier",
    "cranelift_opt_level",
    "profiler",
    "cache",
    "parallel_compilation",
    "memory_may_move",
    "memory_reservation",
    "memory_guard_size",
    "memory_reservation_for_growth",
    "native_unwind_info",
    "target",
    "macos_use_mach_ports",
    "signals_based_traps",
    "memory_init_cow",
)

# Settings wasmrun refuses, setting -> why: a switch when turned on (off is what wasmrun does), any other
# setting whatever its value.
REFUSED_SETTINGS = {
    "max_wasm_stack": "wasmrun bounds the call depth in frames, not bytes: set max_stack_depth",
    "wasm_stack_switching": "the stack-switching proposal is not implemented by wasmrun",
    "epoch_interruption": "epoch interruption is not implemented by wasmrun (bound execution with fuel)",
    "cranelift_nan_canonicalization": "NaN canonicalization is not implemented by wasmrun's API",
}

# Wasmtime's compilation strategies: all name native compilers, so each means wasmrun's default tiering.
STRATEGIES = ("auto", "cranelift", "winch", "pulley")


class EngineSettings(NamedTuple):
    """What an :class:`Engine` fixes for its stores and modules."""

    features: Features = ALL_FEATURES
    consume_fuel: bool = False
    tier: str = "auto"
    max_stack_depth: int = DEFAULT_MAX_STACK_DEPTH


class Config:
    """The settings of an :class:`Engine` (wasmtime-py's names; see the module docstring).

    Proposals are the ``wasm_*`` properties; ``consume_fuel`` makes stores meter fuel
    (:meth:`~wasmrun.api.store.Store.set_fuel`); ``tier`` (wasmrun's own) picks how code runs:
    ``"auto"`` (interpret, compile hot functions to Python), ``"interp"`` or ``"compile"``;
    ``max_stack_depth`` (wasmrun's own) bounds the wasm call depth in frames.
    """

    def __init__(self) -> None:
        self._settings = EngineSettings()
        self._ignored: dict[str, Any] = {}

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name in _OWN:
            object.__setattr__(self, name, value)
        elif name in PROPOSAL_SETTINGS:
            features = self._settings.features._replace(**{PROPOSAL_SETTINGS[name]: bool(value)})
            self._settings = self._settings._replace(features=features)
        elif name in REFUSED_SETTINGS:
            if value is not False:
                raise WasmtimeError(f"`{name}` cannot be set: {REFUSED_SETTINGS[name]}")
        elif name in IGNORED_SETTINGS:
            self._ignored[name] = value
        else:
            raise AttributeError(f"'Config' object has no setting {name!r}")

    @property
    def consume_fuel(self) -> bool:
        """Whether stores meter fuel: each starts with none (:meth:`Store.set_fuel` gives it some)."""
        return self._settings.consume_fuel

    @consume_fuel.setter
    def consume_fuel(self, enable: bool) -> None:
        self._settings = self._settings._replace(consume_fuel=bool(enable))

    @property
    def strategy(self) -> str:
        """Wasmtime's compiler (``auto``, ``cranelift``, ``winch``, ``pulley``): accepted; wasmrun's tier
        is :attr:`tier`."""
        return str(self._ignored.get("strategy", "auto"))

    @strategy.setter
    def strategy(self, strategy: str) -> None:
        if strategy not in STRATEGIES:
            raise WasmtimeError(f"unknown strategy: {strategy}")
        self._ignored["strategy"] = strategy

    @property
    def tier(self) -> str:
        """How code runs (wasmrun's own setting): ``auto`` (default), ``interp`` or ``compile``."""
        return self._settings.tier

    @tier.setter
    def tier(self, tier: str) -> None:
        if tier not in ENGINES:
            raise WasmtimeError(f"unknown tier {tier!r}: expected one of {', '.join(ENGINES)}")
        self._settings = self._settings._replace(tier=tier)

    @property
    def max_stack_depth(self) -> int:
        """The wasm call depth past which calls trap with ``call stack exhausted`` (wasmrun's own setting)."""
        return self._settings.max_stack_depth

    @max_stack_depth.setter
    def max_stack_depth(self, depth: int) -> None:
        if depth < 1:
            raise WasmtimeError("max_stack_depth must be at least 1")
        self._settings = self._settings._replace(max_stack_depth=depth)

    @property
    def features(self) -> Features:
        """The proposals modules may use (wasmrun's record)."""
        return self._settings.features

    def cranelift_flag_enable(self, flag: str) -> None:
        """Accepted and ignored: wasmrun has no Cranelift."""

    def cranelift_flag_set(self, key: str, value: str) -> None:
        """Accepted and ignored: wasmrun has no Cranelift."""


_OWN = frozenset(("consume_fuel", "strategy", "tier", "max_stack_depth"))


class Engine:
    """What stores and modules share: the settings of a :class:`Config`, fixed when the engine is made."""

    def __init__(self, config: Config | None = None) -> None:
        if config is not None and not isinstance(config, Config):
            raise TypeError("expected Config")
        self._settings = config._settings if config is not None else EngineSettings()

    @property
    def features(self) -> Features:
        """The proposals this engine's modules may use."""
        return self._settings.features

    def increment_epoch(self) -> None:
        """Refused: wasmrun has no epoch interruption (``epoch_interruption`` cannot be set)."""
        raise WasmtimeError(f"epoch interruption: {REFUSED_SETTINGS['epoch_interruption']}")

    def is_pulley(self) -> bool:
        """False: wasmrun is not Wasmtime's Pulley interpreter."""
        return False
