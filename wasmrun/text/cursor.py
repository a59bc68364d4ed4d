"""A position in a token list, with the readers the module and script parsers share.

Errors carry the line and column of the token they are about, and use the
reference interpreter's words: ``unknown operator`` for a token its lexer would
not produce, ``unexpected token`` for a good token in the wrong place, and the
specific texts (``constant out of range``, ``malformed UTF-8 encoding`` ...)
for values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from wasmrun.errors import TextSyntaxError
from wasmrun.instructions import BY_MNEMONIC
from wasmrun.text.lexer import Token, atom_error, is_number, is_string, line_column, string_bytes
from wasmrun.text.literals import SHAPES, LiteralError, join_lanes, parse_lane, parse_nat

# Every keyword the reference lexer knows; any other keyword-like atom is an
# ``unknown operator``.
_STRUCTURE_KEYWORDS = """
module type func param result local import export table memory global mut elem data start
offset item declare funcref externref extern i32 i64 f32 f64 v128 block loop if then else end
i8x16 i16x8 i32x4 i64x2 f32x4 f64x2 binary quote register invoke get ref.extern
assert_return assert_trap assert_exhaustion assert_malformed assert_invalid assert_unlinkable
nan:canonical nan:arithmetic script input output
tag exnref exn catch catch_ref catch_all catch_all_ref assert_exception
nan:canonical nan:arithmetic script input output definition instance either
nan:canonical nan:arithmetic script input output ref null
rec sub final struct array field i8 i16 any eq i31 none noextern nofunc noexn anyref eqref i31ref structref
arrayref nullref nullexternref nullfuncref nullexnref ref.test ref.cast ref.struct ref.array ref.i31 ref.eq ref.host
"""
KEYWORDS = frozenset(BY_MNEMONIC) | frozenset(_STRUCTURE_KEYWORDS.split())


class Cursor:
    """Tokens of one text and the index of the current one."""

    def __init__(self, text: str, tokens: list[Token], index: int = 0) -> None:
        self.text = text
        # Parsers look up to three tokens ahead; past the end they see more ends.
        self.toks = tokens + tokens[-1:] * 3
        self.i = index

    # --- Looking and failing ----------------------------------------------

    @property
    def tok(self) -> str:
        return self.toks[self.i][0]

    def at_form(self, keyword: str) -> bool:
        """Whether the next tokens are ``(`` ``keyword``."""
        toks = self.toks
        return toks[self.i][0] == "(" and toks[self.i + 1][0] == keyword

    def position(self, index: int | None = None) -> tuple[int, int]:
        return line_column(self.text, self.toks[self.i if index is None else index][1])

    def error(self, message: str, index: int | None = None) -> NoReturn:
        line, column = self.position(index)
        raise TextSyntaxError(message, line, column)

    def unexpected(self, index: int | None = None) -> NoReturn:
        """Fail on a token that does not belong here."""
        at = self.i if index is None else index
        self.error(atom_error(self.toks[at][0], KEYWORDS), at)

    def fail_unless_lexable(self) -> None:
        """Fail as the reference lexer would if the current token is not a token at all.

        Used before an error that the reference parser only raises after
        reading one token further.
        """
        if atom_error(self.tok, KEYWORDS).startswith("unknown operator"):
            self.unexpected()

    # --- Reading ----------------------------------------------------------

    def expect(self, token: str) -> None:
        if self.toks[self.i][0] != token:
            self.unexpected()
        self.i += 1

    def skip_form(self, start: int) -> int:
        """The index just past the form whose ``(`` is at ``start``."""
        toks = self.toks
        depth = 0
        i = start
        while True:
            token = toks[i][0]
            if token == "(":
                depth += 1
            elif token == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif token == "":
                self.unexpected(i)
            i += 1

    def string(self) -> bytes:
        token = self.tok
        if not is_string(token):
            self.unexpected()
        try:
            value = string_bytes(token)
        except ValueError as error:
            self.error(str(error))
        self.i += 1
        return value

    def strings(self) -> bytes:
        """Zero or more strings, concatenated."""
        parts = []
        while self.tok[:1] == '"':
            parts.append(self.string())
        return b"".join(parts)

    def name(self) -> str:
        """A string that must be valid UTF-8 (import, export and invocation names)."""
        at = self.i
        data = self.string()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.error("malformed UTF-8 encoding", at)

    def nat(self, bits: int = 32, message: str = "i32 constant out of range") -> int:
        try:
            value = parse_nat(self.tok, bits, message)
        except LiteralError as error:
            self.error(str(error))
        if value is None:
            self.unexpected()
        self.i += 1
        return value

    def literal(self, parse: Callable[..., int | None], *args: object) -> int:
        """One number token through a literal parser (see :mod:`wasmrun.text.literals`)."""
        try:
            value = parse(self.tok, *args)
        except LiteralError as error:
            self.error(str(error))
        if value is None:
            self.unexpected()
        self.i += 1
        return value

    def v128_lanes(self) -> tuple[str, int]:
        """``shape lane*`` of a ``v128.const``: the shape and the 128-bit value."""
        shape = self.tok
        info = SHAPES.get(shape)
        if info is None:
            self.unexpected()
        self.i += 1
        count, bits, _ = info
        start = self.i
        toks = self.toks
        while is_number(toks[self.i][0]):
            self.i += 1
        if self.i - start != count:
            self.fail_unless_lexable()
            self.error("wrong number of lane literals", start)
        lanes = []
        for at in range(start, self.i):
            try:
                lane = parse_lane(toks[at][0], shape)
            except LiteralError as error:
                self.error(str(error), at)
            if lane is None:  # pragma: no cover - is_number() admitted it
                self.unexpected(at)
            lanes.append(lane)
        return shape, join_lanes(lanes, bits)
