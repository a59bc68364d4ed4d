"""Text from a module, made safe to print: a module cannot drive the user's terminal.

Names (the ``name`` section, imports, exports, custom sections) and DWARF file names are the
module author's bytes; printed raw, an escape sequence in one would reach the terminal.  Every
character that is not printable is written as Rust's ``escape_debug`` writes it (``\\n``,
``\\t``, ``\\r``, ``\\0``, else ``\\u{1b}``).  Backslashes and quotes are left as they are, unlike
``escape_debug``: they cannot act on a terminal, and paths keep their usual look.  Wasmtime 49
prints such names raw; this is a deliberate difference (``docs/cli.md``).
"""

from __future__ import annotations

import json
import re
from typing import Any

_SHORT = {"\t": "\\t", "\r": "\\r", "\n": "\\n", "\0": "\\0"}


def _escape_char(char: str) -> str:
    return _SHORT.get(char) or f"\\u{{{ord(char):x}}}"


def escape_debug(text: str) -> str:
    """``text`` with every non-printable character escaped (a space stays a space)."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() or char == " " else _escape_char(char) for char in text)


def escape_lines(text: str) -> str:
    """:func:`escape_debug` for each line of ``text`` (its line breaks kept)."""
    if text.isprintable():
        return text
    return "\n".join(escape_debug(line) for line in text.split("\n"))


# Inside JSON strings: what json.dumps(..., ensure_ascii=False) leaves raw that a terminal may act on.
_JSON_RAW = re.compile(r"[^\x00-\x7e]")


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if char.isprintable():
        return char
    code = ord(char)
    if code > 0xFFFF:  # a surrogate pair, as JSON writes characters beyond the basic plane
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_text(value: Any) -> str:
    """``value`` as indented JSON, non-ASCII text kept readable but every non-printable character escaped."""
    return _JSON_RAW.sub(_json_escape, json.dumps(value, indent=2, ensure_ascii=False))
