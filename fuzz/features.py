"""The feature sets the harness fuzzes: one entry per set of proposals wasmrun supports.

A feature set says, for each tool, how to stay inside it:

* ``smith``: the ``wasm-tools smith`` feature switches, by option name (every
  proposal smith knows of is switched explicitly, so a smith upgrade that turns a new proposal on by
  default does not leak into the set unnoticed: :func:`generate.uses_only` would
  then drop the modules, and the summary would show it);
* ``ttf_flags``: the ``wasm-opt -ttf`` feature switches, or None when binaryen
  cannot make modules of this set;
* ``validate_features``: the ``wasm-tools validate --features`` list that every
  generated module must pass (modules using anything else are dropped, counted);
* ``wasmtime``: the ``wasmtime.Config`` feature properties for the oracle;
* ``wasmrun``: options given to every wasmrun ``Interpreter`` of this set (none
  today: wasmrun has no feature switches; a proposal behind a switch would set it here).

A later proposal is one more entry: copy ``wasm2-simd``, turn its smith switch on,
add it to ``validate_features`` and to the Wasmtime config (see the commented
example below, and ``fuzz/README.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_PROPOSAL_OF = {"exceptions": "exception-handling"}
"""wasm-tools' feature names that are not wasmrun's proposal names."""


def _field_name(proposal: str) -> str:
    return {"exception-handling": "exceptions"}.get(proposal, proposal.replace("-", "_"))


@dataclass(frozen=True)
class FeatureSet:
    name: str
    description: str
    smith: Mapping[str, bool | int]
    ttf_flags: tuple[str, ...] | None
    validate_features: str
    wasmtime: Mapping[str, bool]
    wasmrun: Mapping[str, Any] = field(default_factory=dict)

    def proposals(self) -> Any:
        """The :class:`wasmrun.features.Features` of this set: WebAssembly 2.0 and the proposals its
        ``validate_features`` names (what wasmrun may accept where Wasmtime, so configured, does)."""
        from wasmrun.features import PROPOSALS, WASM_2_0

        spelled = (_PROPOSAL_OF.get(name, name) for name in self.validate_features.split(","))
        named = [name for name in spelled if name in PROPOSALS]
        return WASM_2_0._replace(**{_field_name(proposal): True for proposal in named})

    def smith_flags(self) -> list[str]:
        """The smith command-line switches: ``--name-with-dashes true|false`` (or a number, for a count)."""
        flags: list[str] = []
        for name, value in self.smith.items():
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            flags += [f"--{name.replace('_', '-')}", text]
        return flags


# WebAssembly 2.0 (which includes fixed-width SIMD).  Every post-2.0 proposal smith knows is off.
_WASM2_SMITH = dict(
    # In 2.0.
    bulk_memory_enabled=True,
    multi_value_enabled=True,
    reference_types_enabled=True,
    saturating_float_to_int_enabled=True,
    sign_extension_ops_enabled=True,
    simd_enabled=True,
    # After 2.0: off.
    compact_imports_enabled=False,
    custom_descriptors_enabled=False,
    custom_page_sizes_enabled=False,
    exceptions_enabled=False,
    extended_const_enabled=False,
    gc_enabled=False,  # also keeps out typed function references (smith has no separate switch)
    memory64_enabled=False,
    relaxed_simd_enabled=False,
    shared_everything_threads_enabled=False,
    tail_call_enabled=False,
    threads_enabled=False,
    wide_arithmetic_enabled=False,
)

# binaryen 108's -ttf with reference types enabled emits typed references (``(ref $t)``, anyref) that
# 2.0 does not have: 38 of 40 such modules failed ``wasm-tools validate --features wasm2``.  So the
# -ttf modules leave reference types out (smith covers them); add "--enable-reference-types" to try again
# with a newer binaryen (the feature check drops whatever is still outside the set).
_WASM2_TTF = (
    "--mvp-features",
    "--enable-sign-ext",
    "--enable-nontrapping-float-to-int",
    "--enable-mutable-globals",
    "--enable-bulk-memory",
    "--enable-simd",
    "--enable-multivalue",
)

_WASM2_WASMTIME = {
    "wasm_bulk_memory": True,
    "wasm_multi_value": True,
    "wasm_reference_types": True,
    "wasm_simd": True,
    "wasm_custom_page_sizes": False,
    "wasm_exceptions": False,
    "wasm_function_references": False,
    "wasm_gc": False,
    "wasm_memory64": False,
    "wasm_multi_memory": False,
    "wasm_relaxed_simd": False,
    "wasm_stack_switching": False,
    "wasm_tail_call": False,
    "wasm_threads": False,
    "wasm_wide_arithmetic": False,
    # Extended constant expressions cannot be switched off in wasmtime-py 50; smith does not make them.
}

FEATURE_SETS: dict[str, FeatureSet] = {
    "wasm2-simd": FeatureSet(
        name="wasm2-simd",
        description="WebAssembly 2.0: MVP, sign extension, non-trapping conversions, mutable globals, "
        "bulk memory, reference types, multi-value, SIMD",
        smith=_WASM2_SMITH,
        ttf_flags=_WASM2_TTF,
        validate_features="wasm2",
        wasmtime=_WASM2_WASMTIME,
    ),
    # Relaxed SIMD is fuzzed against Wasmtime's deterministic choices, the ones wasmrun makes; binaryen's
    # -ttf is left out (its wide-arithmetic support is not there to rely on).
    "wasm2-ext-relaxed-wide": FeatureSet(
        name="wasm2-ext-relaxed-wide",
        description="2.0 + extended constants, relaxed SIMD (deterministic), wide arithmetic",
        smith={
            **_WASM2_SMITH,
            "extended_const_enabled": True,
            "relaxed_simd_enabled": True,
            "wide_arithmetic_enabled": True,
        },
        ttf_flags=None,
        validate_features="wasm2,extended-const,relaxed-simd,wide-arithmetic",
        wasmtime={
            **_WASM2_WASMTIME,
            "wasm_relaxed_simd": True,
            "wasm_relaxed_simd_deterministic": True,
            "wasm_wide_arithmetic": True,
        },
    ),
    "wasm2-tail-call": FeatureSet(
        name="wasm2-tail-call",
        description="2.0 + tail calls",
        smith={**_WASM2_SMITH, "tail_call_enabled": True},
        ttf_flags=(*_WASM2_TTF, "--enable-tail-call"),
        validate_features="wasm2,tail-call",
        wasmtime={**_WASM2_WASMTIME, "wasm_tail_call": True},
    ),
    "wasm2-memory": FeatureSet(
        name="wasm2-memory",
        description="2.0 + multiple memories (up to 4) and 64-bit memories",
        smith={**_WASM2_SMITH, "memory64_enabled": True, "max_memories": 4, "max_memory64_bytes": 1048576},
        ttf_flags=None,
        validate_features="wasm2,multi-memory,memory64",
        wasmtime={**_WASM2_WASMTIME, "wasm_multi_memory": True, "wasm_memory64": True},
    ),
    "wasm2-exceptions": FeatureSet(
        name="wasm2-exceptions",
        description="2.0 + exception handling (tags, throw, throw_ref, try_table, exnref)",
        smith={**_WASM2_SMITH, "exceptions_enabled": True},
        ttf_flags=None,
        validate_features="wasm2,exceptions",
        wasmtime={**_WASM2_WASMTIME, "wasm_exceptions": True},
    ),
    # Typed function references: smith makes them only with GC (see _WASM2_SMITH), so no set yet.
}

DEFAULT_FEATURE_SET = "wasm2-simd"
