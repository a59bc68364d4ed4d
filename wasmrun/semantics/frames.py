"""What a wasm frame costs against the call-depth limit: the rule both tiers share.

A frame of more than :data:`SLOTS_PER_FRAME` parameters and locals counts as several, which bounds
the memory a full stack can take (some 50,000 x 64 slots) whatever the frame sizes.
"""

from __future__ import annotations

from collections.abc import Callable

from wasmrun.module import Module

SLOTS_PER_FRAME = 64
"""A frame with more locals than this counts as several against the depth limit."""


def frame_cost(module: Module, index: int) -> int:
    """How many frames function ``index`` counts as against the depth limit (both tiers' rule).

    A frame of more than :data:`SLOTS_PER_FRAME` parameters and locals counts
    as several, which bounds the memory a full stack takes.
    """
    if index < module.num_imported_functions:
        return 1
    locals_ = sum(count for count, _valtype in module.body(index).locals)
    return 1 + (len(module.func_type(index).params) + locals_) // SLOTS_PER_FRAME


def frame_costs(module: Module) -> Callable[[int], int]:
    """:func:`frame_cost` for ``module``'s functions, remembered."""
    known: dict[int, int] = {}

    def cost(index: int) -> int:
        found = known.get(index)
        if found is None:
            found = known[index] = frame_cost(module, index)
        return found

    return cost
