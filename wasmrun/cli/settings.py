"""``wasmrun settings [--json]``: what this engine supports, in the shape of Wasmtime's ``settings``.

Wasmtime lists Cranelift's settings for a target (booleans, enums, numbers, presets, and the ones
inferred for the host); wasmrun has no native compiler, so it lists its own in that shape: the
proposal switches (booleans, ``-W KEY=y|n``), the execution tier (an enum, ``--engine``), its
numbers (call depth, tier thresholds, memory and table caps), no presets, and as "inferred" the
proposals on by default.  ``--json`` prints the same object Wasmtime's ``--json`` prints (``triple``,
``enums``, ``nums``, ``bools``, ``presets``, ``inferred``; each setting ``name``, ``description``,
``values``).
"""

from __future__ import annotations

import json
import platform
from typing import Any


def engine_settings() -> dict[str, Any]:
    """The settings object (Wasmtime's ``settings --json`` shape)."""
    from wasmrun.cli.config import proposal_switches
    from wasmrun.codegen.compiled import MAX_COMPILED_BODY_BYTES
    from wasmrun.engine.options import (
        DEFAULT_COMPILE_THRESHOLD,
        DEFAULT_HOT_THRESHOLD,
        DEFAULT_MAX_STACK_DEPTH,
        ENGINES,
    )
    from wasmrun.features import ALL_FEATURES
    from wasmrun.launch import DEFAULT_MAX_MEMORY
    from wasmrun.runtime.store import DEFAULT_COUNT_LIMIT
    from wasmrun.runtime.table import DEFAULT_ELEMENT_CAP

    switches = proposal_switches()
    bools = [
        {
            "name": key,
            "description": f"The {proposal} proposal (-W {key}=y|n; default "
            f"{'on' if ALL_FEATURES.enabled(proposal) else 'off'}).",
            "values": None,
        }
        for key, proposal in sorted(switches.items())
    ]
    enums = [
        {
            "name": "engine",
            "description": "Execution tier (--engine; default auto).",
            "values": list(ENGINES),
        }
    ]
    numbers = (
        ("max-stack-depth", f"Wasm call depth in frames (--max-stack-depth; default {DEFAULT_MAX_STACK_DEPTH})."),
        (
            "hot-threshold",
            f"Calls plus loop iterations before the interpreter fuses a function ({DEFAULT_HOT_THRESHOLD}).",
        ),
        (
            "compile-threshold",
            f"Calls plus loop iterations before --engine auto compiles a function ({DEFAULT_COMPILE_THRESHOLD}).",
        ),
        (
            "max-compiled-body",
            f"Bytes of a function body above which it stays interpreted ({MAX_COMPILED_BODY_BYTES}).",
        ),
        ("max-memory-size", f"Bytes each linear memory may reach (-W max-memory-size; default {DEFAULT_MAX_MEMORY})."),
        (
            "max-table-elements",
            f"Elements each table may reach (-W max-table-elements; default {DEFAULT_ELEMENT_CAP}).",
        ),
        ("max-instances", f"Instances, tables and memories a run may create (default {DEFAULT_COUNT_LIMIT} each)."),
    )
    nums = [{"name": name, "description": description, "values": None} for name, description in numbers]
    inferred = sorted(key for key, proposal in switches.items() if ALL_FEATURES.enabled(proposal))
    return {
        "triple": f"python-{platform.python_implementation().lower()}-{platform.python_version()}",
        "enums": enums,
        "nums": nums,
        "bools": bools,
        "presets": [],
        "inferred": inferred,
    }


def settings_text(settings: dict[str, Any]) -> str:
    """Wasmtime's human-readable layout of the same settings."""
    lines = [f"wasmrun settings for target '{settings['triple']}':"]
    for header, key in (
        ("Boolean settings:", "bools"),
        ("Enum settings:", "enums"),
        ("Numerical settings:", "nums"),
        ("Presets:", "presets"),
    ):
        entries = settings[key]
        if not entries:
            continue
        width = max(len(entry["name"]) for entry in entries) + 2
        lines += ["", header]
        for entry in entries:
            values = f" Supported values: {', '.join(entry['values'])}." if entry["values"] else ""
            lines.append(f"  {entry['name']:{width}} {entry['description']}{values}")
    lines += ["", "Settings inferred for the current host:", *(f"  {name}" for name in settings["inferred"])]
    return "\n".join(lines) + "\n"


def settings_command(*, as_json: bool = False) -> int:
    settings = engine_settings()
    if as_json:
        print(json.dumps(settings, indent=2))
    else:
        print(settings_text(settings), end="")
    return 0
