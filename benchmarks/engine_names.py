"""The names of the engines the benchmarks time, shared by the suite and the programs section.

A wasmrun engine is a tier (``interp``, ``compile``, ``auto``), optionally with an option:
``<tier>+fuel`` meters fuel under :data:`FUEL_BUDGET`, a budget it never reaches (what a limit
costs).  ``wasmtime`` (wasmtime-py) and ``pywasm`` are the other engines.
"""

from __future__ import annotations

WASMRUN_TIERS = ("interp", "compile", "auto")
WASMRUN_OPTIONS = ("fuel",)
WASMRUN_VARIANTS = tuple(f"{tier}+{option}" for tier in WASMRUN_TIERS for option in WASMRUN_OPTIONS)
OTHER_ENGINES = ("wasmtime", "pywasm")
FUEL_BUDGET = 1 << 62


def is_wasmrun(name: str) -> bool:
    """Whether an engine name is a wasmrun tier (with or without ``+fuel``)."""
    return name.partition("+")[0] in WASMRUN_TIERS
