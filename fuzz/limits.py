"""Implementation limits: where an engine may rightly reject a valid module, by the text of its error.

The spec lets an implementation refuse modules beyond its limits.  Wasmtime
(wasmparser) refuses, for instance, a function with more than 50,000 locals
("too many locals"), and more than 1,000,000 functions, types, imports...;
wasmrun is adding limits of its own.  A verdict difference explained by one of
these patterns is a filter (counted, with its reason), not a mismatch.
"""

from __future__ import annotations

import re

WASMTIME_LIMITS: tuple[tuple[str, str], ...] = (
    (r"too many locals|locals exceed", "Wasmtime's limit of 50,000 locals per function"),
    (r"function body .*too large|func(tion)? size", "Wasmtime's function size limit"),
    (r"(count|size) is out of bounds|too many|exceeds? (the )?(maximum|limit)", "a Wasmtime size limit"),
    (r"nesting|too deep", "Wasmtime's nesting limit"),
)

WASMRUN_LIMITS: tuple[tuple[str, str], ...] = (
    (r"^invalid: LimitExceeded", "a wasmrun implementation limit (LimitExceeded)"),
    (r"too many locals|locals exceed", "wasmrun's limit on locals per function"),
    (r"implementation limit|exceeds? (the |wasmrun's )?(maximum|limit)|too many", "a wasmrun implementation limit"),
)


def explained(message: str, limits: tuple[tuple[str, str], ...]) -> str | None:
    """The limit that explains a rejection with ``message``, or None."""
    for pattern, reason in limits:
        if re.search(pattern, message, re.IGNORECASE):
            return reason
    return None
