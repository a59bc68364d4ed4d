"""Modules from a seed: ``wasm-tools smith`` and binaryen's ``wasm-opt -ttf``, kept inside a feature set.

The seed picks the random bytes the generators turn into a module
(:func:`seed_bytes`), so a module is named by its generator and seed alone
(``smith-1234``) and can be made again anywhere with the same tool versions.

Deterministic floats.  Wasm leaves the payload (and sign) of a NaN produced by
arithmetic nondeterministic; comparing engines bit for bit needs the modules to
pin it.  smith's ``--canonicalize-nans`` follows every float operation (scalar
and vector) with a check that replaces a NaN result by the canonical NaN, and
``wasm-opt --denan`` replaces NaN results by zero: the remaining NaNs come only
from constants, arguments, memory and bit casts, which every engine must keep
exactly.  Results are then compared by bit pattern, NaN or not.

Bounds.  Memories and tables must declare a maximum (at most
:data:`MAX_MEMORY_BYTES` and :data:`MAX_TABLE_ELEMENTS`), so that no module can
make an engine reserve or touch much memory; execution is bounded by fuel
(:mod:`fuzz.plan`).
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fuzz import tools
from fuzz.features import FeatureSet

GENERATORS = ("smith", "ttf")

MAX_MEMORY_BYTES = 16 * 65536
MAX_TABLE_ELEMENTS = 1000

# smith's limits (not features): small modules that export everything and stay in bounds.
SMITH_LIMITS = {
    "canonicalize-nans": "true",
    "export-everything": "true",
    "memory-max-size-required": "true",
    "table-max-size-required": "true",
    "max-memory32-bytes": str(MAX_MEMORY_BYTES),
    "max-table-elements": str(MAX_TABLE_ELEMENTS),
    "max-tables": "3",
    "max-funcs": "30",
    "min-funcs": "6",
    "max-imports": "10",
    "max-globals": "30",
    "max-types": "30",
    "max-data-segments": "10",
    "max-element-segments": "10",
    "max-elements": "50",
    "max-instructions": "100",
}
SMITH_INPUT_SIZES = (1024, 8192)
TTF_INPUT_SIZES = (256, 8192)
TTF_PASSES = ("--denan",)


@dataclass(frozen=True)
class Generated:
    """A module made from ``seed`` by ``generator``, or the reason there is none (``skipped``)."""

    generator: str
    seed: int
    wasm: bytes | None
    skipped: str | None = None

    @property
    def name(self) -> str:
        return f"{self.generator}-{self.seed}"


def seed_bytes(generator: str, seed: int) -> bytes:
    """The generator's input for ``seed``: a seeded length of seeded bytes."""
    sizes = SMITH_INPUT_SIZES if generator == "smith" else TTF_INPUT_SIZES
    rng = random.Random(f"{generator}:{seed}")
    return rng.randbytes(rng.randint(*sizes))


# Every other seed avoids traps (smith guards loads, divisions, conversions...), so that calls run to
# the end of their code more often than not instead of stopping at the first out-of-bounds access.
SMITH_VARIANTS: tuple[dict[str, str], ...] = ({}, {"disallow-traps": "true"})


def smith_command(features: FeatureSet, seed: int = 0) -> list[str]:
    """The ``wasm-tools smith`` arguments after the tool (reading the seed bytes on stdin)."""
    options = {**SMITH_LIMITS, **SMITH_VARIANTS[seed % len(SMITH_VARIANTS)]}
    limits = [part for name, value in options.items() for part in (f"--{name}", value)]
    return ["smith", *features.smith_flags(), *limits]


def generate(generator: str, seed: int, features: FeatureSet) -> Generated:
    """The module ``generator`` makes from ``seed``, checked to use only ``features``."""
    if generator == "smith":
        wasm_tools = tools.wasm_tools()
        if wasm_tools is None:
            return Generated(generator, seed, None, "wasm-tools not installed")
        result = tools.run([wasm_tools, *smith_command(features, seed)], data=seed_bytes(generator, seed))
        if result.returncode == 2:  # "failed to generate from the input seed (happens rarely)"
            return Generated(generator, seed, None, "smith could not use the seed (exit 2)")
        if result.returncode != 0:
            raise tools.ToolError(f"wasm-tools smith failed: {result.stderr.decode(errors='replace').strip()}")
    elif generator == "ttf":
        wasm_opt = tools.wasm_opt()
        if wasm_opt is None:
            return Generated(generator, seed, None, "wasm-opt not installed")
        if features.ttf_flags is None:
            return Generated(generator, seed, None, f"wasm-opt -ttf cannot make {features.name} modules")
        with tempfile.TemporaryDirectory(prefix="wasmrun-ttf-") as scratch:
            source = Path(scratch) / "seed.bin"  # wasm-opt reads a file it can seek in, not a pipe
            source.write_bytes(seed_bytes(generator, seed))
            command: list[str | Path] = [
                wasm_opt,
                "-ttf",
                source,
                "-o",
                "/dev/stdout",
                *features.ttf_flags,
                *TTF_PASSES,
            ]
            result = tools.run(command)
        if result.returncode != 0 or not result.stdout.startswith(b"\0asm"):
            reason = result.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            return Generated(generator, seed, None, f"wasm-opt -ttf failed: {reason[0]}")
    else:
        raise ValueError(f"unknown generator {generator!r} (one of {', '.join(GENERATORS)})")
    outside = uses_only(result.stdout, features)
    if outside is not None:
        return Generated(generator, seed, None, "uses features outside the set")
    return Generated(generator, seed, result.stdout)


def uses_only(wasm: bytes, features: FeatureSet) -> str | None:
    """None if ``wasm`` validates with only ``features`` enabled; else wasm-tools' complaint."""
    wasm_tools = tools.wasm_tools()
    if wasm_tools is None:
        raise tools.ToolError("wasm-tools is needed to check a module's features")
    result = tools.run([wasm_tools, "validate", "--features", features.validate_features, "-"], data=wasm)
    if result.returncode == 0:
        return None
    return result.stderr.decode(errors="replace").strip() or "rejected"
