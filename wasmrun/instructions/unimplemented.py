"""Constructs of proposals wasmrun does not implement yet, by binary encoding and by text keyword.

The decoder and the text parser name the proposal when they meet one (``module uses the gc
proposal, which wasmrun does not implement yet``) instead of calling the module malformed: the
user learns what is missing.  Reading a module as WebAssembly 2.0 (the 2.0 spec scripts), they are
malformed as before.
"""

from __future__ import annotations

GC = "gc"
LEGACY_EXCEPTIONS = "legacy exception-handling"

GC_TYPE_FORMS = frozenset((0x5F, 0x5E, 0x4E, 0x50, 0x4F))
"""``struct``, ``array``, ``rec``, ``sub``, ``sub final`` in the type section."""

GC_HEAP_CODES = frozenset((0x6E, 0x6D, 0x6C, 0x6B, 0x6A, 0x71, 0x72, 0x73, 0x74))
"""``any``, ``eq``, ``i31``, ``struct``, ``array``, ``none``, ``noextern``, ``nofunc``, ``noexn``: as heap
types, and as the one-byte reference types of the same codes (``anyref`` ... ``nullexnref``)."""

GC_PREFIX = 0xFB
"""The prefix byte of the GC instructions."""

LEGACY_EXCEPTION_OPCODES = frozenset((0x06, 0x07, 0x09, 0x18, 0x19))
"""``try``, ``catch``, ``rethrow``, ``delegate``, ``catch_all``."""

_GC_KEYWORDS = frozenset(
    (
        "struct", "array", "rec", "sub", "final", "field", "mut",
        "anyref", "eqref", "i31ref", "structref", "arrayref", "nullref", "nullexternref", "nullfuncref",
        "nullexnref", "any", "eq", "i31", "none", "noextern", "nofunc", "noexn",
        "ref.i31", "ref.test", "ref.cast", "ref.eq", "br_on_cast", "br_on_cast_fail",
        "any.convert_extern", "extern.convert_any",
    )
)  # fmt: skip
_GC_PREFIXES = ("struct.", "array.", "i31.")
_LEGACY_KEYWORDS = frozenset(("try", "catch", "catch_all", "rethrow", "delegate"))


def message(proposal: str) -> str:
    """The one line for a module that uses ``proposal``."""
    return f"module uses the {proposal} proposal, which wasmrun does not implement yet"


def keyword_proposal(keyword: str) -> str | None:
    """The unimplemented proposal a text keyword belongs to, if any."""
    if keyword in _GC_KEYWORDS or keyword.startswith(_GC_PREFIXES):
        return GC
    if keyword in _LEGACY_KEYWORDS:
        return LEGACY_EXCEPTIONS
    return None


def opcode_proposal(byte: int) -> str | None:
    """The unimplemented proposal an opcode byte (or prefix byte) belongs to, if any."""
    if byte == GC_PREFIX:
        return GC
    if byte in LEGACY_EXCEPTION_OPCODES:
        return LEGACY_EXCEPTIONS
    return None
