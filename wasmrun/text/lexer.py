"""Tokens of the WebAssembly text format (spec section 6.3).

A token is a ``(text, offset)`` pair: ``text`` is the token exactly as written
and ``offset`` where it starts in the source (:func:`line_column` turns an
offset into a 1-based line and column; only errors and script commands need
one, so it is computed on demand).  The kind follows from the first character:

* ``(`` and ``)``,
* ``"``: a string (or, when something sticks to it, a reserved token),
* ``""`` (empty): the end of the input, always the last token,
* anything else: an *atom*, a maximal run of identifier characters and strings
  (a keyword, a number, a ``$id``, ``offset=``/``align=``, or a reserved token).

Annotations, ``(@id ...)`` anywhere a token may stand, are skipped here, as
whitespace is (their well-formedness checked: a non-empty id, balanced
parentheses, no character outside what tokens, strings and comments allow).
A quoted identifier ``$"..."`` is one token, rewritten to its canonical
spelling (:func:`canonical_id`) so that ``$"abc"`` and ``$abc`` are the same
token; a ``$`` with no name after it is an ``empty identifier``.

As in the reference interpreter's lexer (longest match), ``0drop`` and
``$l"a"`` are single tokens, reserved ones: using them is an ``unknown
operator`` error.  That error, like every question of what an atom means, is
left to the parser (:func:`atom_error`), so that a script can carry a malformed
module to the ``assert_malformed`` that expects it.  Only errors that make the
token boundaries themselves unknowable raise here: unclosed strings and
comments, misplaced characters, malformed UTF-8.

Text that came from bytes which are not valid UTF-8 is expected to be decoded
with ``errors="surrogateescape"``: a lone surrogate stands for an undecodable
byte and is reported as ``malformed UTF-8 encoding``.

Speed matters (the spec scripts are 10 MB): one compiled pattern matches one
token per step, whitespace and line comments being part of the match's prefix,
and a list comprehension collects them.  Block comments nest, so the pattern
stops at them; they are skipped by hand and the scan resumes after them.
"""

from __future__ import annotations

import re
from typing import NoReturn

from wasmrun.errors import TextSyntaxError
from wasmrun.instructions import unimplemented

Token = tuple[str, int]

# Identifier characters (spec: idchar).
IDCHARS = r"0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~"
_BAD_IN_STRING = r"\x00-\x1f\x7f\ud800-\udfff"
# A well-formed string token; escapes are checked when the string is decoded.
STRING_PATTERN = rf'"(?:[^"\\{_BAD_IN_STRING}]|\\[^{_BAD_IN_STRING}])*"'

_SPACE = re.compile(r"(?:[ \t\n\r]++|;;[^\n\r\ud800-\udfff]*+)*+")  # possessive: never given back
_TOKEN = re.compile(
    _SPACE.pattern  # whitespace and line comments before the token
    + rf"(\((?![;@])|\)|(?:[{IDCHARS}]|{STRING_PATTERN})+|[,;\[\]{{}}]|\Z)"
)
_STRING = re.compile(STRING_PATTERN)
_COMMENT_MARK = re.compile(r"\(;|;\)|[\ud800-\udfff]")


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The tokens of ``text[start:end]`` (offsets relative to ``text``), ending with the end token."""
    if end is None:
        end = len(text)
    tokens: list[Token] = []
    pos = start
    while True:
        # The scanner matches token after token and stops (rather than
        # skipping ahead, as finditer would) at anything that is not a token:
        # a block comment, or an error.  The end is the empty token.
        count = len(tokens)
        scanner = _TOKEN.scanner(text, pos, end)  # type: ignore[attr-defined]  # (stdlib re.Scanner uses it too)
        tokens += [(match.group(1), match.start(1)) for match in iter(scanner.match, None)]
        if len(tokens) > count:
            last, offset = tokens[-1]
            if not last:
                if len(tokens) > 1 and not tokens[-2][0]:
                    del tokens[-1]  # the scanner may match the empty end twice after trailing space
                if text.find('$"', start, end) >= 0:
                    _canonical_ids(text, tokens)
                return tokens
            pos = offset + len(last)
        space = _SPACE.match(text, pos, end)
        if space is not None:  # it always matches, perhaps empty
            pos = space.end()
        if text.startswith("(;", pos):
            pos = _skip_block_comment(text, pos, end)
        elif text.startswith("(@", pos):
            pos = _skip_annotation(text, pos, end)
        elif text[pos] == '"':
            if tokens and tokens[-1] == ("$", pos - 1):
                _error(text, pos - 1, "empty identifier")
            _bad_string(text, pos, end)
        else:
            _misplaced(text, pos, text[pos])


def _skip_block_comment(text: str, start: int, end: int) -> int:
    """The offset just past the (nested) block comment opening at ``start``."""
    depth = 0
    for match in _COMMENT_MARK.finditer(text, start, end):
        mark = match.group()
        if mark == "(;":
            depth += 1
        elif mark == ";)":
            depth -= 1
            if depth == 0:
                return match.end()
        else:
            _error(text, match.start(), "malformed UTF-8 encoding")
    _error(text, start, "unclosed comment")


# What an annotation's body may hold besides parentheses, strings and comments: token characters and space.
_ANNOTATION_RUN = re.compile(rf"(?:[{IDCHARS},\[\]{{}} \t\n\r]|;(?!;))+")
_ANNOTATION_ID = re.compile(rf"[{IDCHARS}]+")


def _skip_annotation(text: str, start: int, end: int) -> int:
    """The offset just past the annotation ``(@id ...)`` opening at ``start``."""
    pos = start + 2
    if _ANNOTATION_ID.match(text, pos, end) is None:
        string = _STRING.match(text, pos, end)
        if string is None:
            _error(text, start, "empty annotation id")
        try:
            value = string_bytes(string.group()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            _error(text, pos, "malformed UTF-8 encoding")
        if not value:
            _error(text, start, "empty annotation id")
    depth = 1
    while pos < end:
        run = _ANNOTATION_RUN.match(text, pos, end)
        if run is not None:
            pos = run.end()
            if pos >= end:
                break
        char = text[pos]
        if char == "(":
            if text.startswith("(;", pos):
                pos = _skip_block_comment(text, pos, end)
                continue
            depth += 1
            pos += 1
        elif char == ")":
            depth -= 1
            pos += 1
            if depth == 0:
                return pos
        elif char == '"':
            string = _STRING.match(text, pos, end)
            if string is None:
                _bad_string(text, pos, end)
            pos = string.end()
        elif text.startswith(";;", pos):
            space = _SPACE.match(text, pos, end)
            pos = space.end() if space is not None else end
            if pos < end and 0xD800 <= ord(text[pos]) <= 0xDFFF:
                _error(text, pos, "malformed UTF-8 encoding")
        elif 0xD800 <= ord(char) <= 0xDFFF:
            _error(text, pos, "malformed UTF-8 encoding")
        else:
            _error(text, pos, "illegal character")
    _error(text, start, "unclosed annotation")


def _misplaced(text: str, offset: int, char: str) -> NoReturn:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        _error(text, offset, "malformed UTF-8 encoding")
    if code < 0x20 or code == 0x7F:
        _error(text, offset, "misplaced control character")
    _error(text, offset, "misplaced unicode character")


def _bad_string(text: str, start: int, end: int) -> NoReturn:
    """Say why the string opening at ``start`` does not lex."""
    pos = start + 1
    while pos < end:
        char = text[pos]
        if char == "\n" or char == '"':  # (a closing quote cannot be reached: the string would lex)
            break
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            _error(text, pos, "malformed UTF-8 encoding")
        if code < 0x20 or code == 0x7F:
            _error(text, pos, "illegal control character in string")
        if char == "\\":
            following = text[pos + 1 : pos + 2]
            if not following or following == "\n":
                break
            if ord(following) < 0x20 or ord(following) == 0x7F or 0xD800 <= ord(following) <= 0xDFFF:
                _error(text, pos, "illegal escape")
            pos += 2
            continue
        pos += 1
    _error(text, start, "unclosed string")


def _error(text: str, offset: int, message: str) -> NoReturn:
    line, column = line_column(text, offset)
    raise TextSyntaxError(message, line, column)


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset`` in ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


# --- Strings ---------------------------------------------------------------

_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{2})|u\{([0-9a-fA-F](?:_?[0-9a-fA-F])*)\}|(.))", re.S)
_SIMPLE_ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\", "'": b"'", '"': b'"'}


def string_bytes(token: str) -> bytes:
    """The bytes a string token denotes (spec: string), escapes resolved.

    Raises ``ValueError`` with the reference interpreter's text (``illegal
    escape``, ``malformed UTF-8 encoding``); the caller adds the position.
    """
    body = token[1:-1]
    if "\\" not in body:
        try:
            return body.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("malformed UTF-8 encoding") from None
    out = bytearray()
    pos = 0
    for match in _ESCAPE.finditer(body):
        out += _encode(body[pos : match.start()])
        hex_byte, code_point, simple = match.groups()
        if hex_byte is not None:
            out.append(int(hex_byte, 16))
        elif code_point is not None:
            value = int(code_point.replace("_", ""), 16)
            if value >= 0x110000 or 0xD800 <= value < 0xE000:
                raise ValueError("illegal escape (invalid string escape)")
            out += chr(value).encode("utf-8")
        else:
            escaped = _SIMPLE_ESCAPES.get(simple)
            if escaped is None:
                raise ValueError("illegal escape (invalid string escape)")
            out += escaped
        pos = match.end()
    out += _encode(body[pos:])
    return bytes(out)


def _encode(chunk: str) -> bytes:
    try:
        return chunk.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("malformed UTF-8 encoding") from None


def is_string(token: str) -> bool:
    """Whether a token is a string (and not a reserved token made of a string and more)."""
    return token[:1] == '"' and _STRING.fullmatch(token) is not None


# --- Atoms -----------------------------------------------------------------

_NUM = r"[0-9](?:_?[0-9])*"
_HEXNUM = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
NAT_PATTERN = rf"(?:{_NUM}|0x{_HEXNUM})"
NUMBER_PATTERN = (
    rf"[+-]?(?:{_NUM}(?:\.(?:{_NUM})?)?(?:[eE][+-]?{_NUM})?"
    rf"|0x{_HEXNUM}(?:\.(?:{_HEXNUM})?)?(?:[pP][+-]?{_NUM})?"
    rf"|inf|nan(?::0x{_HEXNUM})?)"
)
_NAT = re.compile(NAT_PATTERN)
_NUMBER = re.compile(NUMBER_PATTERN)
_KEYWORD = re.compile(r"[a-z][0-9A-Za-z_.:]*")
_ID = re.compile(rf"\$(?:[{IDCHARS}]+|{STRING_PATTERN})")
_ID_CHARS = re.compile(rf"[{IDCHARS}]+")
_QUOTED_ID = re.compile(rf"\${STRING_PATTERN}")
_MEMARG = re.compile(rf"(?:offset|align)={NAT_PATTERN}")


def is_nat(atom: str) -> bool:
    return _NAT.fullmatch(atom) is not None


def is_number(atom: str) -> bool:
    """Whether an atom is a number token (nat, int or float)."""
    return _NUMBER.fullmatch(atom) is not None


def is_id(atom: str) -> bool:
    return atom[:1] == "$" and _ID.fullmatch(atom) is not None


def canonical_id(name: str) -> str:
    """The one token that stands for the identifier ``name``: ``$name``, or ``$"name"`` with escapes."""
    if _ID_CHARS.fullmatch(name):
        return "$" + name
    escaped = "".join(
        "\\" + char if char in '"\\' else f"\\u{{{ord(char):x}}}" if ord(char) < 0x20 or ord(char) == 0x7F else char
        for char in name
    )
    return f'$"{escaped}"'


def id_name(token: str) -> str:
    """The name an identifier token stands for (without its ``$``)."""
    if token[1:2] != '"':
        return token[1:]
    return string_bytes(token[1:]).decode("utf-8")


def _canonical_ids(text: str, tokens: list[Token]) -> None:
    """Rewrite each quoted identifier ``$"..."`` to its canonical token; fail on an empty or non-UTF-8 one."""
    for index, (token, offset) in enumerate(tokens):
        if token[:2] == '$"' and _QUOTED_ID.fullmatch(token):
            try:
                name = string_bytes(token[1:]).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                _error(text, offset, "malformed UTF-8 encoding")
            if not name:
                _error(text, offset, "empty identifier")
            tokens[index] = (canonical_id(name), offset)


def atom_error(atom: str, keywords: frozenset[str] | set[str]) -> str:
    """The message for a token the parser did not expect here.

    A token the reference lexer would not produce at all (a reserved token, or
    a keyword it does not know) is an ``unknown operator``; any other token in
    the wrong place is an ``unexpected token``.
    """
    if atom in ("", "(", ")"):
        return "unexpected token"
    if atom[0] == '"':
        return "unexpected token" if is_string(atom) else "unknown operator"
    if atom == "$":
        return "empty identifier"
    if is_number(atom) or is_id(atom) or _MEMARG.fullmatch(atom):
        return "unexpected token"
    if _KEYWORD.fullmatch(atom) and atom in keywords:
        return "unexpected token"
    proposal = unimplemented.keyword_proposal(atom)
    if proposal is not None:
        return unimplemented.message(proposal)
    return "unknown operator " + atom.encode("unicode_escape").decode("ascii")
