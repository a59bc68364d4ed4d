"""The text-format lexer: token boundaries, offsets, strings, and lexical errors."""

from __future__ import annotations

import pytest

from wasmrun.errors import TextSyntaxError
from wasmrun.text.lexer import (
    atom_error,
    is_id,
    is_nat,
    is_number,
    is_string,
    line_column,
    string_bytes,
    tokenize,
)


def texts(source: str) -> list[str]:
    return [token for token, _ in tokenize(source)]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("", [""]),
        ("(module)", ["(", "module", ")", ""]),
        ("(func(nop))", ["(", "func", "(", "nop", ")", ")", ""]),
        ("i32.const 0x1_0", ["i32.const", "0x1_0", ""]),
        # Longest match: an atom runs until a space, a parenthesis or a comment.
        ("br 0drop", ["br", "0drop", ""]),
        ("(i32.const0)", ["(", "i32.const0", ")", ""]),
        ("$l$l", ["$l$l", ""]),
        # A string with something stuck to it is one (reserved) token.
        ('$l"a"', ['$l"a"', ""]),
        ('"a""b"', ['"a""b"', ""]),
        ('"a" "b"', ['"a"', '"b"', ""]),
        ('"a\\"b"', ['"a\\"b"', ""]),
        # Comments are not tokens; block comments nest.
        ("a ;; comment\nb", ["a", "b", ""]),
        ("a;;comment", ["a", ""]),
        ("a (; x (; y ;) z ;) b", ["a", "b", ""]),
        ("(;;)(;comment;)x", ["x", ""]),
        ("a(;c;)b", ["a", "b", ""]),
        ('(;comment";)x', ["x", ""]),
        (";;;)\n;; (;\nx", ["x", ""]),
        ("  \t\r\n  ", [""]),
        # Punctuation the reference lexer reserves.
        ("a,b", ["a", ",", "b", ""]),
        ("{x}", ["{", "x", "}", ""]),
    ],
)
def test_token_boundaries(source: str, expected: list[str]) -> None:
    assert texts(source) == expected


def test_tokens_carry_their_offsets() -> None:
    source = "(module\n  (func $f))"
    assert tokenize(source) == [
        ("(", 0),
        ("module", 1),
        ("(", 10),
        ("func", 11),
        ("$f", 16),
        (")", 18),
        (")", 19),
        ("", 20),
    ]


def test_tokenize_a_slice_keeps_offsets_of_the_whole_text() -> None:
    source = "xx (a) yy"
    assert tokenize(source, 3, 6) == [("(", 3), ("a", 4), (")", 5), ("", 6)]


def test_line_column() -> None:
    source = "a\nbc\n\nd"
    assert line_column(source, 0) == (1, 1)
    assert line_column(source, 3) == (2, 2)
    assert line_column(source, 5) == (3, 1)
    assert line_column(source, 6) == (4, 1)


@pytest.mark.parametrize(
    ("source", "message", "line", "column"),
    [
        ('(data "abc', "unclosed string", 1, 7),
        ('(data "abc\n")', "unclosed string", 1, 7),
        ('"a\tb"', "illegal control character in string", 1, 3),
        ('"a\\\nb"', "unclosed string", 1, 1),
        ('"a\\\x01"', "illegal escape", 1, 3),
        ("x\n(; never closed", "unclosed comment", 2, 1),
        ("(; (; ;)", "unclosed comment", 1, 1),
        ("x \x01", "misplaced control character", 1, 3),
        ("héllo", "misplaced unicode character", 1, 2),
        # Undecodable bytes reach the lexer as lone surrogates (surrogateescape).
        ("x \udcff", "malformed UTF-8 encoding", 1, 3),
        ('"\udcff"', "malformed UTF-8 encoding", 1, 2),
        (";; \udcff", "malformed UTF-8 encoding", 1, 4),
        ("(; \udcff ;)", "malformed UTF-8 encoding", 1, 4),
    ],
)
def test_lexical_errors(source: str, message: str, line: int, column: int) -> None:
    with pytest.raises(TextSyntaxError) as caught:
        tokenize(source)
    assert caught.value.message == message
    assert (caught.value.line, caught.value.column) == (line, column)


def test_unicode_inside_strings_and_comments_is_fine() -> None:
    assert texts('(; Heiße Würstchen ;) "Ünïcödé" ;; ☃') == ['"Ünïcödé"', ""]


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ('""', b""),
        ('"abc"', b"abc"),
        ('"\\n\\t\\r\\\\\\\'\\""', b"\n\t\r\\'\""),
        ('"\\00\\ff\\7F"', b"\x00\xff\x7f"),
        ('"\\u{41}\\u{1F600}"', b"A\xf0\x9f\x98\x80"),
        ('"\\u{10_FFFF}"', "\U0010ffff".encode()),
        ('"é"', "é".encode()),
    ],
)
def test_string_bytes(token: str, expected: bytes) -> None:
    assert string_bytes(token) == expected


@pytest.mark.parametrize("token", ['"\\q"', '"\\x41"', '"\\u41"', '"\\u{}"', '"\\u{110000}"', '"\\u{D800}"', '"\\0"'])
def test_illegal_escapes(token: str) -> None:
    with pytest.raises(ValueError, match="illegal escape"):
        string_bytes(token)


@pytest.mark.parametrize(
    ("atom", "number", "nat"),
    [
        ("0", True, True),
        ("1_000", True, True),
        ("0xFF_ff", True, True),
        ("-1", True, False),
        ("+0x1", True, False),
        ("1.5e-3", True, False),
        ("1.", True, False),
        ("0x1.8p3", True, False),
        ("inf", True, False),
        ("-nan", True, False),
        ("nan:0x1", True, False),
        ("1__0", False, False),
        ("_1", False, False),
        ("1_", False, False),
        ("0x", False, False),
        ("0x_1", False, False),
        (".5", False, False),
        ("1e", False, False),
        ("nan:1", False, False),
        ("0drop", False, False),
    ],
)
def test_number_classes(atom: str, number: bool, nat: bool) -> None:
    assert is_number(atom) is number
    assert is_nat(atom) is nat


def test_ids_and_strings() -> None:
    assert is_id("$x") and is_id("$l$l") and is_id("$a.b-c")
    assert not is_id("$") and not is_id('$l"a"') and not is_id("x")
    assert is_string('"a"') and not is_string('"a""b"') and not is_string('"a"b')


@pytest.mark.parametrize(
    ("atom", "message"),
    [
        ("", "unexpected token"),
        (")", "unexpected token"),
        ('"a"', "unexpected token"),
        ("$x", "unexpected token"),
        ("0x10", "unexpected token"),
        ("offset=4", "unexpected token"),
        ("local", "unexpected token"),
        ("get_local", "unknown operator get_local"),
        ("i32.wrap/i64", "unknown operator i32.wrap/i64"),
        ("0drop", "unknown operator 0drop"),
        ('"a""b"', "unknown operator"),
        ("offset=x", "unknown operator offset=x"),
        (",", "unknown operator ,"),
    ],
)
def test_atom_error(atom: str, message: str) -> None:
    assert atom_error(atom, {"local"}).startswith(message)


@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n"])
def test_line_comments_end_at_any_newline(newline: str) -> None:
    assert texts(f"a ;; comment{newline}b") == ["a", "b", ""]


# --- Annotations and quoted identifiers (WebAssembly 3.0 text) ---------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(@a) (module)", ["(", "module", ")", ""]),
        ('((@a) module (@b x (y) "(" ;; c)\n) $m)', ["(", "module", "$m", ")", ""]),
        ('(@"a b" (@) ,;[]{} (; ) ;))', [""]),
        ("( @a)", ["(", "@a", ")", ""]),
    ],
)
def test_annotations_are_skipped(source: str, expected: list[str]) -> None:
    assert texts(source) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("(@)", "empty annotation id"),
        ("(@ x)", "empty annotation id"),
        ('(@"")', "empty annotation id"),
        ('(@"\\ef")', "malformed UTF-8 encoding"),
        ("(@x (y)", "unclosed annotation"),
        ('(@x ")', "unclosed string"),
        ("(@a \x01)", "illegal character"),
        ("(@a Heiße)", "illegal character"),
        ("(@a \udc80)", "malformed UTF-8 encoding"),
        ('(func $"a\nb")', "empty identifier"),
        ('(func $"")', "empty identifier"),
        ('(func $"\\ef")', "malformed UTF-8 encoding"),
    ],
)
def test_annotation_and_identifier_errors(source: str, message: str) -> None:
    with pytest.raises(TextSyntaxError, match=message):
        tokenize(source)


def test_quoted_identifiers_are_canonical() -> None:
    assert texts('$"abc" $abc $"\\41" $"a b" $"\\t\\""') == ["$abc", "$abc", "$A", '$"a b"', '$"\\u{9}\\""', ""]
    assert is_id('$"a b"') and atom_error("$", set()) == "empty identifier"
    from wasmrun.text.lexer import id_name

    assert [id_name(token) for token in texts('$"a b" $x $"\\t"')[:3]] == ["a b", "x", "\t"]
