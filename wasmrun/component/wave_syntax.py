"""WAVE's syntax: the lexer and the untyped tree of values and invocations (see :mod:`wasmrun.component.wave`).

The lexer follows wasm-wave 0.254's tokens (a logos lexer): the longest token at each place, and for text
that is no token the span that lexer reports (it reaches as far as the lexer had committed).  The parser
builds :class:`Node` trees without types; :mod:`wasmrun.component.wave` gives them their types.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from wasmrun.errors import WasmError

MAX_DEPTH = 100
"""How deeply values may nest (wasm-wave's recursion limit)."""


# -- errors ----------------------------------------------------------------------------------------


class ErrorKind(enum.Enum):
    """The kinds of WAVE error, valued by their text."""

    EMPTY_TUPLE = "empty tuple"
    MULTIPLE_CHARS = "multiple characters in char value"
    INVALID_ESCAPE = "invalid character escape"
    INVALID_MULTILINE_STRING = "invalid multiline string"
    INVALID_PARAMS = "invalid params"
    INVALID_TOKEN = "invalid token"
    INVALID_TYPE = "invalid value type"
    INVALID_VALUE = "invalid value"
    TRAILING_CHARACTERS = "trailing characters after value"
    UNEXPECTED_END = "unexpected end of input"
    UNEXPECTED_TOKEN = "unexpected token"
    DUPLICATE_FIELD = "duplicate field"
    DUPLICATE_FLAG = "duplicate flag"
    VALUE_ERROR = "error converting Wasm value"
    NESTING_TOO_DEEP = "value nesting too deep"


class WaveError(WasmError):
    """A WAVE text that does not parse, or does not fit its type.

    ``span`` is ``(start, end)`` in bytes of the UTF-8 text.  ``detail`` completes the kind
    (``unexpected token: Comma``); ``cause`` is the underlying message of a ``VALUE_ERROR``
    (``missing field "y"``), shown on a line of its own by Wasmtime.  ``context`` is the line Wasmtime
    prints above it (``while interpreting parameters in invoke "..."``), set when the text is an
    invocation.
    """

    def __init__(
        self,
        kind: ErrorKind,
        span: tuple[int, int],
        detail: str | None = None,
        cause: str | None = None,
        context: str | None = None,
    ) -> None:
        extra = f": {cause or detail}" if cause or detail else ""
        super().__init__(f"{kind.value}{extra} at {span[0]}..{span[1]}")
        self.kind = kind
        self.span = span
        self.detail = detail
        self.cause = cause
        self.context = context

    def causes(self) -> list[str]:
        """The lines of Wasmtime's ``Caused by:`` list for this error, outermost first."""
        lines = [self.context] if self.context else []
        lines.append(self.message)
        if self.cause:
            lines.append(self.cause)
        return lines


def byte_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Character offsets to UTF-8 byte offsets (Wasmtime's spans count bytes)."""
    head = len(text[:start].encode("utf-8", "surrogatepass"))
    return head, head + len(text[start:end].encode("utf-8", "surrogatepass"))


def make_error(
    text: str, kind: ErrorKind, start: int, end: int, detail: str | None = None, cause: str | None = None
) -> WaveError:
    return WaveError(kind, byte_span(text, start, end), detail, cause)


def quoted(name: str) -> str:
    """A label as Rust's ``{:?}`` writes it (labels are ASCII letters, digits and hyphens)."""
    return f'"{name}"'


# -- tokens ----------------------------------------------------------------------------------------


class Token(enum.Enum):
    """A WAVE token, valued by the name Wasmtime's messages give it."""

    BRACE_OPEN = "BraceOpen"
    BRACE_CLOSE = "BraceClose"
    PAREN_OPEN = "ParenOpen"
    PAREN_CLOSE = "ParenClose"
    BRACKET_OPEN = "BracketOpen"
    BRACKET_CLOSE = "BracketClose"
    COLON = "Colon"
    COMMA = "Comma"
    NUMBER = "Number"
    LABEL = "LabelOrKeyword"
    CHAR = "Char"
    STRING = "String"
    MULTILINE_STRING = "MultilineString"


_PUNCTUATION = {
    "{": Token.BRACE_OPEN,
    "}": Token.BRACE_CLOSE,
    "(": Token.PAREN_OPEN,
    ")": Token.PAREN_CLOSE,
    "[": Token.BRACKET_OPEN,
    "]": Token.BRACKET_CLOSE,
    ":": Token.COLON,
    ",": Token.COMMA,
}
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_SEMVER = re.compile(r"@(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)")
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
SIMPLE_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "t": "\t", "n": "\n", "r": "\r"}
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")

# A scanned token: its kind (None for text that is no token) and its span in characters.
_Scanned = tuple[Token | None, int, int]


def _word_end(text: str, i: int, *, first: bool) -> int:
    """The end of the longest label word at ``i`` (``i`` itself if none): letters of one case and digits.

    A first word starts with a letter; a later one may start with a digit, and then either case may
    follow, so both runs are tried and the longer kept (the lexer takes the longest match).
    """
    best = i
    for letters in (_LOWER, _UPPER):
        j = i
        if first:
            if j >= len(text) or text[j] not in letters:
                continue
            j += 1
        while j < len(text) and (text[j] in letters or text[j] in _DIGITS):
            j += 1
        best = max(best, j)
    return best


def _label_end(text: str, i: int) -> int:
    """The end of the longest kebab-case label at ``i`` (no ``%``), or ``i`` if there is none."""
    end = _word_end(text, i, first=True)
    if end == i:
        return i
    while end + 1 < len(text) and text[end] == "-":
        word = _word_end(text, end + 1, first=False)
        if word == end + 1:
            break
        end = word
    return end


def _skip_trivia(text: str, i: int) -> int:
    """Past whitespace and ``//`` comments."""
    while i < len(text):
        char = text[i]
        if char in " \t\n\r":
            i += 1
        elif text.startswith("//", i):
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline
        else:
            break
    return i


def _escape_end(text: str, i: int, max_digits: int = 6) -> tuple[int | None, int]:
    """Scan the escape at ``i`` (a backslash): ``(its end or None, how far the lexer committed)``.

    The lexer commits to a ``\\u{`` escape once it has read one hex digit (an error span then reaches
    that far); it never commits inside a shorter escape.  Inside strings wasm-wave's lexer takes any
    number of hex digits (``"\\u{ffffffff}"`` is then an invalid escape, not an invalid token).
    """
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if nxt and nxt in SIMPLE_ESCAPES:
        return i + 2, i
    if nxt != "u" or not text.startswith("{", i + 2):
        return None, i
    j = i + 3
    while j < len(text) and text[j] in HEX_DIGITS and j - (i + 3) < max_digits:
        j += 1
    committed = i + 4 if j > i + 3 else i
    if j > i + 3 and j < len(text) and text[j] == "}":
        return j + 1, committed
    return None, committed


def _scan_char(text: str, i: int) -> _Scanned:
    # '<char>' where <char> is an escape or one to four non-escape characters (then checked to be one).
    j = i + 1
    if j < len(text) and text[j] == "\\":
        end, committed = _escape_end(text, j)
        if end is not None and text.startswith("'", end):
            return Token.CHAR, i, end + 1
        return None, i, max(committed, i + 1)
    k = j
    while k < len(text) and k - j < 4 and text[k] not in "\\'\n":
        k += 1
    if k > j and text.startswith("'", k):
        return (Token.CHAR if k == j + 1 else None), i, k + 1
    return None, i, j + 1 if k - j >= 2 else i + 1


def _scan_string(text: str, i: int) -> _Scanned:
    if text.startswith('"""', i):
        close = text.find('"""', i + 3)
        return (Token.MULTILINE_STRING, i, close + 3) if close >= 0 else (None, i, i + 3)
    j = i + 1  # the lexer commits to each complete character or escape
    while j < len(text):
        char = text[j]
        if char == '"':
            return Token.STRING, i, j + 1
        if char == "\n":
            break
        if char == "\\":
            end, _ = _escape_end(text, j, len(text))
            if end is None:
                break
            j = end
        else:
            j += 1
    return None, i, j


def _scan(text: str, i: int) -> _Scanned | None:
    """The token after ``i`` (trivia skipped), or None at the end of the text."""
    i = _skip_trivia(text, i)
    if i >= len(text):
        return None
    char = text[i]
    if char in _PUNCTUATION:
        return _PUNCTUATION[char], i, i + 1
    if char == "-" or char in _DIGITS:
        if text.startswith("-inf", i):
            return Token.NUMBER, i, i + 4
        match = _NUMBER.match(text, i)
        return (Token.NUMBER, i, match.end()) if match else (None, i, i + 1)
    if char == "%" or char in _LOWER or char in _UPPER:
        start = i + 1 if char == "%" else i
        end = _label_end(text, start)
        return (Token.LABEL, i, end) if end > start else (None, i, i + 1)
    if char == "'":
        return _scan_char(text, i)
    if char == '"':
        return _scan_string(text, i)
    return None, i, i + 1


# -- the untyped syntax tree -----------------------------------------------------------------------


class NodeKind(enum.Enum):
    BOOL_TRUE = "true"
    BOOL_FALSE = "false"
    NUMBER = "number"
    CHAR = "char"
    STRING = "string"
    MULTILINE_STRING = "multiline string"
    TUPLE = "tuple"
    LIST = "list"
    RECORD = "record"  # children: label, value, label, value ...
    LABEL = "label"  # an enum case or a variant case without payload
    VARIANT = "variant"  # a case with payload: children label, payload
    SOME = "some"
    NONE = "none"
    OK = "ok"
    ERR = "err"
    FLAGS = "flags"  # children: labels, sorted by name


@dataclass(slots=True)
class Node:
    """A parsed value before it is given a type; ``start``/``end`` are character offsets in the source."""

    kind: NodeKind
    start: int
    end: int
    children: list[Node]


class Parser:
    """WAVE's grammar over the token stream, one token of lookahead."""

    def __init__(self, text: str, position: int = 0) -> None:
        self.text = text
        self.position = position
        self.token: Token | None = None
        self.start = self.end = position
        self.depth = 0

    def error(self, kind: ErrorKind, start: int, end: int, detail: str | None = None) -> WaveError:
        return make_error(self.text, kind, start, end, detail)

    def advance(self) -> Token:
        scanned = _scan(self.text, self.position)
        if scanned is None:
            self.start = self.end = self.position = len(self.text)
            raise self.error(ErrorKind.UNEXPECTED_END, len(self.text), len(self.text))
        token, self.start, self.end = scanned
        self.position = self.end
        if token is None:
            raise self.error(ErrorKind.INVALID_TOKEN, self.start, self.end)
        self.token = token
        return token

    def peek(self) -> Token | None:
        scanned = _scan(self.text, self.position)
        return scanned[0] if scanned else None

    def expect(self, token: Token) -> None:
        if self.token is not token:
            raise self.unexpected()

    def unexpected(self) -> WaveError:
        detail = self.token.value if self.token else None
        return self.error(ErrorKind.UNEXPECTED_TOKEN, self.start, self.end, detail)

    def slice(self) -> str:
        return self.text[self.start : self.end]

    def finish(self) -> None:
        """Fail if anything but trivia is left."""
        scanned = _scan(self.text, self.position)
        if scanned is not None:
            raise self.error(ErrorKind.TRAILING_CHARACTERS, scanned[1], scanned[2])

    def leaf(self, kind: NodeKind) -> Node:
        return Node(kind, self.start, self.end, [])

    def value(self) -> Node:
        if self.depth >= MAX_DEPTH:
            raise self.error(ErrorKind.NESTING_TOO_DEEP, self.start, self.end)
        self.depth += 1
        try:
            return self._value()
        finally:
            self.depth -= 1

    def _value(self) -> Node:
        token = self.advance()
        if token is Token.NUMBER:
            return self.leaf(NodeKind.NUMBER)
        if token is Token.CHAR:
            return self.leaf(NodeKind.CHAR)
        if token is Token.STRING:
            return self.leaf(NodeKind.STRING)
        if token is Token.MULTILINE_STRING:
            return self.leaf(NodeKind.MULTILINE_STRING)
        if token is Token.PAREN_OPEN:
            return self.tuple()
        if token is Token.BRACKET_OPEN:
            start = self.start
            children = self.sequence(Token.BRACKET_CLOSE)
            return Node(NodeKind.LIST, start, self.end, children)
        if token is Token.BRACE_OPEN:
            return self.record_or_flags()
        if token is not Token.LABEL:
            raise self.unexpected()
        word = self.slice()  # a keyword only without %
        if word in ("true", "false"):
            return self.leaf(NodeKind.BOOL_TRUE if word == "true" else NodeKind.BOOL_FALSE)
        if word in ("inf", "nan"):
            return self.leaf(NodeKind.NUMBER)
        if word == "some":
            start = self.start
            self.advance()
            self.expect(Token.PAREN_OPEN)
            payload = self.value()
            self.advance()
            self.expect(Token.PAREN_CLOSE)
            return Node(NodeKind.SOME, start, self.end, [payload])
        if word == "none":
            return self.leaf(NodeKind.NONE)
        if word in ("ok", "err"):
            return self.result(NodeKind.OK if word == "ok" else NodeKind.ERR)
        return self.case()

    def tuple(self) -> Node:
        start = self.start
        children = self.sequence(Token.PAREN_CLOSE)
        if not children:
            raise self.error(ErrorKind.EMPTY_TUPLE, start, self.end)
        return Node(NodeKind.TUPLE, start, self.end, children)

    def sequence(self, close: Token) -> list[Node]:
        """Comma-separated values up to ``close`` (a trailing comma allowed)."""
        nodes: list[Node] = []
        if self.peek() is close:
            self.advance()
            return nodes
        while True:
            nodes.append(self.value())
            if self.advance() is Token.COMMA:
                if self.peek() is close:
                    self.advance()
                    return nodes
            else:
                self.expect(close)
                return nodes

    def label(self) -> Node:
        self.expect(Token.LABEL)
        return self.leaf(NodeKind.LABEL)

    def case(self) -> Node:
        start = self.start
        label = self.label()
        if self.peek() is not Token.PAREN_OPEN:
            return label
        self.advance()
        payload = self.value()
        self.advance()
        self.expect(Token.PAREN_CLOSE)
        return Node(NodeKind.VARIANT, start, self.end, [label, payload])

    def result(self, kind: NodeKind) -> Node:
        start = self.start
        children = []
        if self.peek() is Token.PAREN_OPEN:
            self.advance()
            children.append(self.value())
            self.advance()
            self.expect(Token.PAREN_CLOSE)
        return Node(kind, start, self.end, children)

    def record_or_flags(self) -> Node:
        start = self.start
        token = self.advance()
        if token is Token.COLON:  # {:} is the record with every field omitted
            self.advance()
            self.expect(Token.BRACE_CLOSE)
            return Node(NodeKind.RECORD, start, self.end, [])
        if token is Token.BRACE_CLOSE:
            return Node(NodeKind.FLAGS, start, self.end, [])
        is_record = self.peek() is Token.COLON
        seen: dict[str, Node] = {}
        children: list[Node] = []
        # Like wasm-wave, entries need no comma between them: the loop only skips one if present.
        while True:
            label = self.label()
            name = self.slice().lstrip("%")
            if name in seen:
                kind = ErrorKind.DUPLICATE_FIELD if is_record else ErrorKind.DUPLICATE_FLAG
                raise self.error(kind, label.start, label.end, quoted(name))
            seen[name] = label
            if is_record:
                self.advance()
                self.expect(Token.COLON)
                children += [label, self.value()]
            if self.advance() is Token.COMMA:
                self.advance()
            if self.token is Token.BRACE_CLOSE:
                break
        if is_record:
            return Node(NodeKind.RECORD, start, self.end, children)
        return Node(NodeKind.FLAGS, start, self.end, [seen[name] for name in sorted(seen)])


# -- function names ------------------------------------------------------------------------------


def func_name_end(text: str) -> int:
    """The end of the longest WIT item name at the start of ``text`` (0 if none)."""
    end = 0
    package = _label_end(text, 0)
    if package and text.startswith(":", package):
        name = _label_end(text, package + 1)
        if name > package + 1 and text.startswith("/", name):
            end = _label_end(text, name + 1)
            end = end if end > name + 1 else 0
    if not end:
        end = _label_end(text, 0)
    if not end:
        return 0
    if text.startswith(".", end):
        field = _label_end(text, end + 1)
        if field > end + 1:
            end = field
    version = _SEMVER.match(text, end)
    return version.end() if version else end
