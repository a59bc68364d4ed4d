"""WAVE, the WebAssembly Value Encoding: component values as text, as ``wasmtime run --invoke`` reads and prints them.

The encoding is wasm-tools' ``crates/wasm-wave/README.md``; the behaviour (what is accepted, every error
text and span, how results print) is that of Wasmtime 49, which uses wasm-wave 0.254:

* An invocation ``name(args)`` is read in two steps, as Wasmtime does.  :func:`parse_invocation` checks
  the syntax of the whole text without types: the function name (a WIT item name,
  ``[ns:pkg/]name[.func][@1.2.3]``) and a parenthesised list of WAVE values.  Then, once the caller has
  found the function, :func:`parse_arguments` gives each argument its parameter's type.  So a syntax error
  is reported before an unknown name, and an unknown name before a badly typed argument.
* Errors are :class:`WaveError`: a kind (``invalid value type``), maybe a detail or a cause, and a span in
  bytes of the invocation text, printed ``invalid value type at 5..9``.  :func:`error_report` frames a
  chain of messages as Wasmtime's stderr.
* :func:`format_value` writes a value as Wasmtime prints a result; :func:`result_text` is the whole stdout
  of a call.

Python values are those of :mod:`wasmrun.component.types`.  As in Wasmtime 49, WAVE has no form for
``own``, ``borrow`` and ``map`` values: an argument of one of these types is an ``unsupported type``
error, and :func:`result_text` refuses a result holding one (where Wasmtime panics).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from wasmrun.component.types import (
    INTEGER_RANGES,
    BorrowType,
    EnumType,
    Err,
    FlagsType,
    FuncType,
    ListType,
    MapType,
    Ok,
    OptionType,
    OwnType,
    Primitive,
    RecordType,
    ResultType,
    Some,
    TupleType,
    ValueType,
    Variant,
    VariantType,
)
from wasmrun.component.wave_syntax import (
    HEX_DIGITS,
    MAX_DEPTH,
    SIMPLE_ESCAPES,
    ErrorKind,
    Node,
    NodeKind,
    Parser,
    Token,
    WaveError,
    byte_span,
    func_name_end,
    make_error,
    quoted,
)
from wasmrun.errors import UnsupportedInstruction, WasmError
from wasmrun.types import ValType
from wasmrun.values import format_float
from wasmrun.values import parse_value as parse_core_value

KEYWORDS = frozenset({"true", "false", "some", "none", "ok", "err", "inf", "nan"})
"""Labels that must be written with a ``%`` prefix when they name a variant or enum case."""

__all__ = [
    "KEYWORDS",
    "MAX_DEPTH",
    "ErrorKind",
    "Invocation",
    "ItemName",
    "ItemNameError",
    "Node",
    "NodeKind",
    "WaveError",
    "error_report",
    "format_type",
    "format_value",
    "no_such_function",
    "parse_arguments",
    "parse_invocation",
    "parse_item_name",
    "parse_value",
    "result_text",
]

SYNTAX_HELP = "See https://docs.wasmtime.dev/cli-options.html#run for syntax"


class ItemNameError(WasmError):
    """An invocation whose function name is not a WIT item name (``foo@1.0.0``: a version needs a package)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"parsing `{name}` as a wit item name: {reason}")
        self.name = name
        self.reason = reason

    def causes(self) -> list[str]:
        return [f"parsing `{self.name}` as a wit item name", self.reason]


def error_report(main_module: str, causes: Sequence[str]) -> str:
    """Wasmtime's whole stderr for a failed ``run`` of ``main_module`` with this chain of causes.

    A single cause is indented by four spaces, several are numbered (right-aligned in five columns);
    Wasmtime ends the report with an empty line.
    """
    lines = [f"Error: failed to run main module `{main_module}`", "", "Caused by:"]
    if len(causes) == 1:
        lines.append(f"    {causes[0]}")
    else:
        lines.extend(f"{index:>5}: {cause}" for index, cause in enumerate(causes))
    return "\n".join(lines) + "\n\n"


def no_such_function(item_name: ItemName | str) -> str:
    """The message for an invocation naming no exported function."""
    return f"No exported func named `{item_name}` in component."


# -- invocations -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Invocation:
    """A parsed ``name(args)``: the function name and the arguments, not yet typed."""

    source: str
    name: str
    name_end: int  # in characters
    arguments: Node | None  # the tuple of arguments; None for ``name()``

    @property
    def arguments_text(self) -> str:
        """The text of the parenthesised arguments (``()`` when there are none)."""
        return "()" if self.arguments is None else self.source[self.arguments.start : self.arguments.end]


def parse_invocation(text: str) -> Invocation:
    """Read ``name(args)`` as Wasmtime does before looking the name up: the syntax only.

    The name is a WIT item name with no leading space (``counter.zero`` reads; ``[static]counter.zero``
    is an ``invalid token at 0..1``); the arguments are WAVE values, checked for syntax here and for
    type by :func:`parse_arguments`.  Raises :class:`WaveError`, with Wasmtime's context line.
    """
    try:
        return _parse_invocation(text)
    except WaveError as error:
        error.context = f"Failed to parse invoke '{text}': {SYNTAX_HELP}"
        raise


def _parse_invocation(text: str) -> Invocation:
    if not text:
        raise make_error(text, ErrorKind.UNEXPECTED_END, 0, 0)
    name_end = func_name_end(text)
    if not name_end:
        raise make_error(text, ErrorKind.INVALID_TOKEN, 0, 1)
    parser = Parser(text, name_end)
    parser.advance()
    parser.expect(Token.PAREN_OPEN)
    arguments = None
    if parser.peek() is Token.PAREN_CLOSE:
        parser.advance()
    else:
        arguments = parser.tuple()
    parser.finish()
    return Invocation(text, text[:name_end], name_end, arguments)


@dataclass(frozen=True, slots=True)
class ItemName:
    """A WIT item name: ``[namespace:package[@version]/][interface.]name`` (written with the version last)."""

    name: str
    interface: str | None = None
    namespace: str | None = None
    package: str | None = None
    version: str | None = None

    @property
    def instance_name(self) -> str | None:
        """The name of the exported instance holding the item (``wasi:cli/run@0.2.0``), if any."""
        if self.interface is None and self.package is None:
            return None
        prefix = f"{self.namespace}:{self.package}/" if self.package is not None else ""
        suffix = f"@{self.version}" if self.version is not None else ""
        return f"{prefix}{self.interface or ''}{suffix}"

    def __str__(self) -> str:
        prefix = f"{self.namespace}:{self.package}/" if self.package is not None else ""
        interface = f"{self.interface}." if self.interface is not None else ""
        suffix = f"@{self.version}" if self.version is not None else ""
        return f"{prefix}{interface}{self.name}{suffix}"


# WIT's keywords: no identifier of an item name may be one (so Wasmtime cannot invoke a function named `list`).
_WIT_KEYWORD_LIST = (
    "use type func u8 u16 u32 u64 s8 s16 s32 s64 f32 f64 char resource own borrow record flags variant enum bool "
    "string option result future stream error-context list map _ as from static interface tuple world import "
    "export package constructor include with async"
)
WIT_KEYWORDS = frozenset(_WIT_KEYWORD_LIST.split())


def parse_item_name(name: str) -> ItemName:
    """The parts of an invocation's name (:attr:`Invocation.name`); :class:`ItemNameError` if it is not one."""
    match = re.fullmatch(r"(?:([^:/]+):([^/]+)/)?([^.@]+)(?:\.([^@]+))?(?:@(.+))?", name)
    if match is None:
        raise ItemNameError(name, "trailing tokens in item name specifier")
    namespace, package, first, second, version = match.groups()
    for identifier in (namespace, package, first, second):
        if identifier in WIT_KEYWORDS:
            raise ItemNameError(name, f"expected an identifier or string, found keyword `{identifier}`")
    if version is not None and package is None:
        raise ItemNameError(name, "trailing tokens in item name specifier")
    if second is None:
        return ItemName(first, None, namespace, package, version)
    return ItemName(second, first, namespace, package, version)


def parse_arguments(invocation: Invocation, params: FuncType | Iterable[ValueType]) -> list[Any]:
    """The arguments of ``invocation`` as values of the parameter types.

    Trailing ``option`` arguments may be left out (they are ``none``), but not all of them: ``f()`` for a
    function with parameters is an error.  Raises :class:`WaveError`, with Wasmtime's context line.
    """
    types = [ty for _, ty in params.params] if isinstance(params, FuncType) else list(params)
    text = invocation.source
    try:
        node = invocation.arguments
        if node is None:
            if types:
                raise make_error(
                    text,
                    ErrorKind.INVALID_PARAMS,
                    0,
                    invocation.name_end,
                    f"no params provided, but {len(types)} required",
                )
            return []
        values = []
        for index, argument in enumerate(node.children):
            if index >= len(types):
                raise make_error(
                    text, ErrorKind.INVALID_PARAMS, argument.start, argument.end, "more param(s) than expected"
                )
            values.append(_convert(argument, types[index], text))
        for ty in types[len(values) :]:
            if not isinstance(ty, OptionType):
                raise make_error(text, ErrorKind.INVALID_PARAMS, node.end - 1, node.end, "missing required param(s)")
            values.append(None)
        return values
    except WaveError as error:
        error.context = f'while interpreting parameters in invoke "{text}"'
        raise


def parse_value(text: str, value_type: ValueType) -> Any:
    """One WAVE value of type ``value_type`` (nothing else but trivia after it); raises :class:`WaveError`."""
    parser = Parser(text)
    node = parser.value()
    value = _convert(node, value_type, text)  # a type error comes before trailing text, as in wasm-wave
    parser.finish()
    return value


# -- typing the tree -------------------------------------------------------------------------------


def _label(node: Node, text: str) -> str:
    """A label's name, without the ``%`` that lets a keyword be one."""
    name = text[node.start : node.end]
    return name[1:] if name.startswith("%") else name


def _type_error(node: Node, text: str) -> WaveError:
    return make_error(text, ErrorKind.INVALID_TYPE, node.start, node.end)


def _value_error(node: Node, text: str, cause: str) -> WaveError:
    return make_error(text, ErrorKind.VALUE_ERROR, node.start, node.end, cause=cause)


def _payload(node: Node, text: str, case: str, ty: ValueType | None, payload: Node | None) -> Any:
    if ty is not None and payload is not None:
        return _convert(payload, ty, text)
    if ty is None and payload is None:
        return None
    what = "missing" if payload is None else "unexpected"
    raise _value_error(node, text, f"{what} payload for {quoted(case)} case")


def _flattenable(ty: ValueType) -> bool:
    """Whether an option's ``some`` or a result's ``ok`` may be written as its bare payload."""
    return not isinstance(ty, OptionType | ResultType)


def _convert(node: Node, ty: ValueType, text: str) -> Any:
    """The value of type ``ty`` that ``node`` denotes (the checks in wasm-wave's order, for the same errors)."""
    if isinstance(ty, Primitive):
        return _convert_primitive(node, ty, text)
    if isinstance(ty, ListType):
        if ty.length is not None:
            raise _value_error(node, text, "unsupported type list<_,N>")
        if node.kind is not NodeKind.LIST:
            raise _type_error(node, text)
        items = [_convert(child, ty.element, text) for child in node.children]
        return bytes(items) if ty.element is Primitive.U8 else items
    if isinstance(ty, RecordType):
        if node.kind is not NodeKind.RECORD:
            raise _type_error(node, text)
        given = {_label(node.children[i], text): node.children[i + 1] for i in range(0, len(node.children), 2)}
        record = {}
        for name, field_type in ty.fields:  # fields the type lacks are ignored, as by wasm-wave
            if name in given:
                record[name] = _convert(given[name], field_type, text)
            elif isinstance(field_type, OptionType):
                record[name] = None
            else:
                raise _value_error(node, text, f"missing field {quoted(name)}")
        return record
    if isinstance(ty, TupleType):
        if node.kind is not NodeKind.TUPLE:
            raise _type_error(node, text)
        if len(node.children) != len(ty.elements):
            raise _value_error(node, text, f"expected {len(ty.elements)} tuple elements; got {len(node.children)}")
        return tuple(_convert(child, element, text) for child, element in zip(node.children, ty.elements))
    if isinstance(ty, VariantType):
        if node.kind is NodeKind.LABEL:
            case, payload = _label(node, text), None
        elif node.kind is NodeKind.VARIANT:
            case, payload = _label(node.children[0], text), node.children[1]
        else:
            raise _type_error(node, text)
        cases = dict(ty.cases)
        if case not in cases:
            raise _value_error(node, text, f"unknown case {quoted(case)}")
        return Variant(case, _payload(node, text, case, cases[case], payload))
    if isinstance(ty, EnumType):
        if node.kind is not NodeKind.LABEL:
            raise _type_error(node, text)
        case = _label(node, text)
        if case not in ty.names:
            raise _value_error(node, text, f"expected a {format_type(ty)}; got {_case_text(case)}")
        return case
    if isinstance(ty, OptionType):
        if node.kind is NodeKind.SOME:
            value = _convert(node.children[0], ty.value, text)
        elif node.kind is NodeKind.NONE:
            return None
        elif _flattenable(ty.value):
            value = _convert(node, ty.value, text)
        else:
            raise _type_error(node, text)
        return Some(value) if isinstance(ty.value, OptionType) else value
    if isinstance(ty, ResultType):
        payload = node.children[0] if node.children else None
        if node.kind is NodeKind.OK:
            return Ok(_payload(node, text, "ok", ty.ok, payload))
        if node.kind is NodeKind.ERR:
            return Err(_payload(node, text, "err", ty.error, payload))
        if ty.ok is not None and _flattenable(ty.ok):
            return Ok(_convert(node, ty.ok, text))
        raise _type_error(node, text)
    if isinstance(ty, FlagsType):
        if node.kind is not NodeKind.FLAGS:
            raise _type_error(node, text)
        # wasm-wave keeps a flag's % here, so `{%read}` names no flag of the type (Wasmtime 49 does the same)
        names = [text[child.start : child.end] for child in node.children]
        unknown = [name for name in names if name not in ty.names]
        if unknown:
            raise _value_error(node, text, f"expected a {format_type(ty)}; got {{{', '.join(names)}}}")
        return frozenset(names)
    raise _value_error(node, text, "unsupported type <<UNSUPPORTED>>")  # own, borrow, map


def _convert_primitive(node: Node, ty: Primitive, text: str) -> Any:
    source = text[node.start : node.end]
    if ty is Primitive.BOOL:
        if node.kind is NodeKind.BOOL_TRUE or node.kind is NodeKind.BOOL_FALSE:
            return node.kind is NodeKind.BOOL_TRUE
        raise _type_error(node, text)
    if ty in INTEGER_RANGES:
        if node.kind is not NodeKind.NUMBER:
            raise _type_error(node, text)
        low, high = INTEGER_RANGES[ty]
        # Rust's integer parse: digits with a '-' only for signed types; no fraction, exponent, inf or nan
        digits = source[1:] if source.startswith("-") and low < 0 else source
        if not digits.isascii() or not digits.isdigit() or not low <= int(source) <= high:
            raise make_error(text, ErrorKind.INVALID_VALUE, node.start, node.end)
        return int(source)
    if ty is Primitive.F32 or ty is Primitive.F64:
        if node.kind is not NodeKind.NUMBER:
            raise _type_error(node, text)
        value = parse_core_value(source, ValType.F32 if ty is Primitive.F32 else ValType.F64)
        return math.nan if value != value else value  # the canonical NaN, as Wasmtime makes it
    if ty is Primitive.CHAR:
        if node.kind is not NodeKind.CHAR:
            raise _type_error(node, text)
        inner = source[1:-1]
        if not inner.startswith("\\"):
            return inner
        decoded = _unescape(inner, 0)
        if decoded is None:
            raise make_error(text, ErrorKind.INVALID_ESCAPE, node.start, node.end)
        if decoded[1] != len(inner):
            raise make_error(text, ErrorKind.MULTIPLE_CHARS, node.start, node.end)
        return decoded[0]
    if ty is Primitive.STRING:
        if node.kind is NodeKind.STRING:
            return _unescape_string(text, node.start + 1, node.end - 1)
        if node.kind is NodeKind.MULTILINE_STRING:
            return _multiline_string(text, node.start + 3, node.end - 3)
        raise _type_error(node, text)
    raise _value_error(node, text, "unsupported type <<UNSUPPORTED>>")  # error-context


def _unescape(text: str, i: int, end: int | None = None) -> tuple[str, int] | None:
    """The character of the escape at ``text[i]`` (not reading past ``end``) and its length, or None."""
    end = len(text) if end is None else end
    if i + 1 >= end or text[i] != "\\":
        return None
    kind = text[i + 1]
    if kind in SIMPLE_ESCAPES:
        return SIMPLE_ESCAPES[kind], 2
    if kind != "u" or i + 2 >= end or text[i + 2] != "{":
        return None
    close = text.find("}", i + 3, end)
    digits = text[i + 3 : close] if close >= 0 else ""
    if not 1 <= len(digits) <= 6 or not all(digit in HEX_DIGITS for digit in digits):
        return None
    code = int(digits, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), len(digits) + 4


def _unescape_string(text: str, start: int, end: int) -> str:
    """The characters of ``text[start:end]`` with their escapes decoded."""
    parts = []
    i = start
    while i < end:
        backslash = text.find("\\", i, end)
        if backslash < 0:
            parts.append(text[i:end])
            break
        parts.append(text[i:backslash])
        decoded = _unescape(text, backslash, end)
        if decoded is None:
            raise make_error(text, ErrorKind.INVALID_ESCAPE, backslash, backslash + 1)
        parts.append(decoded[0])
        i = backslash + decoded[1]
    return "".join(parts)


def _multilinemake_error(text: str, at: int, delta: int, detail: str) -> WaveError:
    """An error spanning 1 byte after, or 3 bytes before, character offset ``at`` (wasm-wave counts bytes)."""
    byte = byte_span(text, 0, at)[1]
    span = (byte, byte + delta) if delta > 0 else (byte + delta, byte)
    return WaveError(ErrorKind.INVALID_MULTILINE_STRING, span, detail)


def _multiline_string(text: str, start: int, end: int) -> str:
    '''The value of a ``"""`` string whose content is ``text[start:end]``.

    The content starts with a line break and ends with a line break and the closing delimiter's
    indentation (spaces only), which every other line must start with and loses.
    '''
    content = text[start:end]
    skip = 1 if content.startswith("\r") else 0  # a CR before the first line break belongs to it
    lines = content[skip:].split("\n")
    indent = lines.pop()
    if indent.strip(" "):
        raise _multilinemake_error(text, end, -3, 'closing """ must be on a line preceded only by spaces')
    if lines[:1] != [""]:
        raise _multilinemake_error(text, start, 1, 'opening """ must be followed immediately by newline')
    parts = []
    position = start + skip + 1  # where the current line starts
    for index, line in enumerate(lines[1:]):
        if not line.startswith(indent):
            raise _multilinemake_error(text, position, 1, 'lines must be indented at least as much as closing """')
        if index:
            parts.append("\n")
        body_end = position + len(line) - (1 if line.endswith("\r") else 0)
        parts.append(_unescape_string(text, position + len(indent), body_end))
        position += len(line) + 1
    return "".join(parts)


# -- writing values --------------------------------------------------------------------------------

# Characters with Unicode's Other_Grapheme_Extend property (Grapheme_Extend is it plus Mn and Me), which
# Rust's escape_debug escapes; the ranges of Unicode 15.
_OTHER_GRAPHEME_EXTEND = (
    (0x09BE, 0x09BE), (0x09D7, 0x09D7), (0x0B3E, 0x0B3E), (0x0B57, 0x0B57), (0x0BBE, 0x0BBE),
    (0x0BD7, 0x0BD7), (0x0CC2, 0x0CC2), (0x0CD5, 0x0CD6), (0x0D3E, 0x0D3E), (0x0D57, 0x0D57),
    (0x0DCF, 0x0DCF), (0x0DDF, 0x0DDF), (0x1B35, 0x1B35), (0x200C, 0x200C), (0x302E, 0x302F),
    (0xFF9E, 0xFF9F), (0x1133E, 0x1133E), (0x11357, 0x11357), (0x114B0, 0x114B0), (0x114BD, 0x114BD),
    (0x115AF, 0x115AF), (0x11930, 0x11930), (0x1D165, 0x1D165), (0x1D16E, 0x1D172), (0xE0020, 0xE007F),
)  # fmt: skip
_ESCAPED = {"\\": "\\\\", '"': '\\"', "'": "\\'", "\t": "\\t", "\r": "\\r", "\n": "\\n"}


def _escape_char(char: str) -> str:
    """A character as WAVE writes it inside a char or string literal (Rust's escapes).

    Backslash, both quotes, tab, CR and LF get their short escapes; other control characters,
    characters that are not printable and combining ones are written ``\\u{hex}``.
    """
    if char in _ESCAPED:
        return _ESCAPED[char]
    if char.isprintable() or char == " ":
        if unicodedata.category(char) not in ("Mn", "Me") and not _other_grapheme_extend(ord(char)):
            return char
    return f"\\u{{{ord(char):x}}}"


def _other_grapheme_extend(code: int) -> bool:
    return code >= 0x09BE and any(low <= code <= high for low, high in _OTHER_GRAPHEME_EXTEND)


def _case_text(name: str) -> str:
    return f"%{name}" if name in KEYWORDS else name


def format_value(value: Any, value_type: ValueType) -> str:
    """``value`` (of ``value_type``) in WAVE, as Wasmtime prints it.

    Integers in decimal; floats as Rust displays them (shortest digits, no exponent, ``-0``, ``inf``)
    but NaN as ``nan``; chars and strings quoted with escapes; ``[...]``, ``(...)``, ``{field: ...}``
    (fields whose option is ``none`` left out, ``{:}`` when none is left), ``{flag, ...}`` in the type's
    order, ``some(...)``/``none``, ``ok``/``err`` with their payload, and variant and enum cases with a
    ``%`` when they are keywords.  Raises ValueError for a value that is not of the type.
    """
    if isinstance(value_type, Primitive):
        return _format_primitive(value, value_type)
    if isinstance(value_type, ListType):
        return "[" + ", ".join(format_value(item, value_type.element) for item in value) + "]"
    if isinstance(value_type, RecordType):
        entries = [
            f"{name}: {format_value(value[name], field_type)}"
            for name, field_type in value_type.fields
            if not (isinstance(field_type, OptionType) and value[name] is None)
        ]
        return "{" + ", ".join(entries) + "}" if entries else "{:}"
    if isinstance(value_type, TupleType):
        if len(value) != len(value_type.elements):
            raise ValueError(f"{value!r} is not a value of type {format_type(value_type)}")
        return "(" + ", ".join(format_value(item, ty) for item, ty in zip(value, value_type.elements)) + ")"
    if isinstance(value_type, VariantType):
        cases = dict(value_type.cases)
        if not isinstance(value, Variant) or value.case not in cases:
            raise ValueError(f"{value!r} is not a value of type {format_type(value_type)}")
        payload_type = cases[value.case]
        payload = "" if payload_type is None else f"({format_value(value.value, payload_type)})"
        return _case_text(value.case) + payload
    if isinstance(value_type, EnumType):
        if value not in value_type.names:
            raise ValueError(f"{value!r} is not a value of type {format_type(value_type)}")
        return _case_text(value)
    if isinstance(value_type, OptionType):
        if value is None:
            return "none"
        inner = value.value if isinstance(value, Some) else value
        return f"some({format_value(inner, value_type.value)})"
    if isinstance(value_type, ResultType):
        if isinstance(value, Ok):
            name, payload_type = "ok", value_type.ok
        elif isinstance(value, Err):
            name, payload_type = "err", value_type.error
        else:
            raise ValueError(f"{value!r} is not a value of type {format_type(value_type)}")
        return name if payload_type is None else f"{name}({format_value(value.value, payload_type)})"
    if isinstance(value_type, FlagsType):
        return "{" + ", ".join(name for name in value_type.names if name in value) + "}"
    raise ValueError(f"no WAVE form for values of type {format_type(value_type)}")


def _format_primitive(value: Any, ty: Primitive) -> str:
    if ty is Primitive.BOOL:
        return "true" if value else "false"
    if ty in INTEGER_RANGES:
        return str(int(value))
    if ty is Primitive.F32 or ty is Primitive.F64:
        return "nan" if value != value else format_float(value, ValType.F32 if ty is Primitive.F32 else ValType.F64)
    if ty is Primitive.CHAR:
        return "'" + _escape_char(value) + "'"
    if ty is Primitive.STRING:
        return '"' + "".join(_escape_char(char) for char in value) + '"'
    raise ValueError(f"no WAVE form for values of type {ty}")


def format_type(value_type: ValueType) -> str:
    """A type as wasm-wave writes it in messages (``record { x: s32, y: s32 }``, ``result<_, string>``)."""
    if isinstance(value_type, Primitive):
        return "<<UNSUPPORTED>>" if value_type is Primitive.ERROR_CONTEXT else value_type.value
    if isinstance(value_type, ListType):
        return "list<_,N>" if value_type.length is not None else f"list<{format_type(value_type.element)}>"
    if isinstance(value_type, RecordType):
        return "record { " + ", ".join(f"{name}: {format_type(ty)}" for name, ty in value_type.fields) + " }"
    if isinstance(value_type, TupleType):
        return "tuple<" + ", ".join(format_type(ty) for ty in value_type.elements) + ">"
    if isinstance(value_type, VariantType):
        cases = (name if ty is None else f"{name}({format_type(ty)})" for name, ty in value_type.cases)
        return "variant { " + ", ".join(cases) + " }"
    if isinstance(value_type, EnumType):
        return "enum { " + ", ".join(value_type.names) + " }"
    if isinstance(value_type, FlagsType):
        return "flags { " + ", ".join(value_type.names) + " }"
    if isinstance(value_type, OptionType):
        return f"option<{format_type(value_type.value)}>"
    if isinstance(value_type, ResultType):
        ok, error = value_type.ok, value_type.error
        if ok is None and error is None:
            return "result"
        if error is None:
            return f"result<{format_type(ok)}>" if ok is not None else "result"
        return f"result<{'_' if ok is None else format_type(ok)}, {format_type(error)}>"
    if isinstance(value_type, OwnType | BorrowType | MapType):
        return "<<UNSUPPORTED>>"
    raise ValueError(f"not a component value type: {value_type!r}")


def result_text(func_type: FuncType, result: Any) -> str:
    """Wasmtime's whole stdout after calling a function of ``func_type`` that returned ``result``.

    One line: the result in WAVE, or ``()`` for a function without one.
    """
    if func_type.result is None:
        return "()\n"
    kind = _formless_kind(func_type.result)
    if kind is not None:
        raise UnsupportedInstruction(f"cannot print the result: WAVE has no form for {kind} values")
    return format_value(result, func_type.result) + "\n"


def _formless_kind(value_type: ValueType | None) -> str | None:
    """``resource`` or ``map`` if ``value_type`` is or holds an ``own``/``borrow`` or a ``map`` (no WAVE form)."""
    if isinstance(value_type, OwnType | BorrowType):
        return "resource"
    if isinstance(value_type, MapType):
        return "map"
    inner: tuple[ValueType | None, ...] = ()
    if isinstance(value_type, ListType):
        inner = (value_type.element,)
    elif isinstance(value_type, RecordType):
        inner = tuple(ty for _name, ty in value_type.fields)
    elif isinstance(value_type, VariantType):
        inner = tuple(ty for _name, ty in value_type.cases)
    elif isinstance(value_type, TupleType):
        inner = value_type.elements
    elif isinstance(value_type, OptionType):
        inner = (value_type.value,)
    elif isinstance(value_type, ResultType):
        inner = (value_type.ok, value_type.error)
    return next((kind for kind in map(_formless_kind, inner) if kind is not None), None)
