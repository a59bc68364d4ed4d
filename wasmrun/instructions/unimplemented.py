"""Constructs of proposals wasmrun does not implement yet, by binary encoding and by text keyword.

The decoder and the text parser name the proposal when they meet one (``module uses the legacy
exception-handling proposal, which wasmrun does not implement yet``) instead of calling the module malformed: the
user learns what is missing.  Reading a module as WebAssembly 2.0 (the 2.0 spec scripts), they are
malformed as before.
"""

from __future__ import annotations

LEGACY_EXCEPTIONS = "legacy exception-handling"

LEGACY_EXCEPTION_OPCODES = frozenset((0x06, 0x07, 0x09, 0x18, 0x19))
"""``try``, ``catch``, ``rethrow``, ``delegate``, ``catch_all``."""

_LEGACY_KEYWORDS = frozenset(("try", "catch", "catch_all", "rethrow", "delegate"))


def message(proposal: str) -> str:
    """The one line for a module that uses ``proposal``."""
    return f"module uses the {proposal} proposal, which wasmrun does not implement yet"


def keyword_proposal(keyword: str) -> str | None:
    """The unimplemented proposal a text keyword belongs to, if any."""
    if keyword in _LEGACY_KEYWORDS:
        return LEGACY_EXCEPTIONS
    return None


def opcode_proposal(byte: int) -> str | None:
    """The unimplemented proposal an opcode byte (or prefix byte) belongs to, if any."""
    if byte in LEGACY_EXCEPTION_OPCODES:
        return LEGACY_EXCEPTIONS
    return None
