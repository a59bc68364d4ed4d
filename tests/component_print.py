"""Counting a component's top-level definitions as ``wasm-tools print`` shows them, and as decoded.

For the tests that check the component decoder against wasm-tools.
"""

from __future__ import annotations

from collections import Counter

from wasmrun.component.aliases import CoreInstanceExportAlias, OuterAlias
from wasmrun.component.canonical import Lift
from wasmrun.component.records import Component


def printed_counts(text: str) -> Counter[str]:
    """The top-level definitions ``wasm-tools print`` shows, by the words that open them."""
    counts: Counter[str] = Counter()
    for line in text.splitlines():
        if line.startswith("  (") and not line.startswith("   "):
            words = line[3:].split()
            if words[0].startswith("@"):  # a custom section (producers, ...)
                continue
            kind = " ".join(words[:2]) if words[0] in ("core", "alias") else words[0]
            counts[kind] += 1
    return counts


def decoded_counts(decoded: Component) -> Counter[str]:
    lifts = sum(isinstance(canonical, Lift) for canonical in decoded.canonical_functions)
    aliases = Counter(
        "alias core"
        if isinstance(alias, CoreInstanceExportAlias)
        else f"alias {'outer' if isinstance(alias, OuterAlias) else 'export'}"
        for alias in decoded.aliases
    )
    return Counter(
        {
            "import": len(decoded.imports),
            "export": len(decoded.exports),
            "core module": len(decoded.core_modules),
            "core instance": len(decoded.core_instances),
            "core type": len(decoded.core_types),
            "component": len(decoded.components),
            "instance": len(decoded.instances),
            "type": len(decoded.types),
            "func": lifts,
            "core func": len(decoded.canonical_functions) - lifts,
            "start": len(decoded.starts),
            **aliases,
        }
    )
