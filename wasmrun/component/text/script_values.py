"""Component values in scripts: the arguments and results of ``invoke`` on a component.

``(bool.const true)``, ``(s8.const -1)`` ... ``(u64.const n)``, ``(f32.const x)``,
``(f64.const x)``, ``(char.const "c")``, ``(str.const "s")``, ``(list.const v*)``,
``(tuple.const v*)``, ``(record.const (field "name" v)*)``, ``(variant.const "case" v?)``,
``(enum.const "case")``, ``(flags.const "name"*)``, ``(option.none)``,
``(option.some v)``, ``(result.ok v?)`` and ``(result.err v?)``, as Wasmtime's
scripts write them.  Inside ``field`` a value is written without its own
parentheses: ``(field "k" str.const "a")``.
"""

from __future__ import annotations

import struct

from wasmrun.text.cursor import Cursor
from wasmrun.text.literals import parse_f32, parse_f64, parse_int, signed
from wasmrun.text.script import ComponentValue

_INTEGERS = {"s8": 8, "u8": 8, "s16": 16, "u16": 16, "s32": 32, "u32": 32, "s64": 64, "u64": 64}
VALUE_KEYWORDS = frozenset(
    [kind + ".const" for kind in (*_INTEGERS, "bool", "f32", "f64", "char", "str")]
    + [kind + ".const" for kind in ("list", "tuple", "record", "variant", "enum", "flags")]
    + ["option.none", "option.some", "result.ok", "result.err"]
)
"""The keywords that open a component value."""

COMPONENT_ONLY_KEYWORDS = VALUE_KEYWORDS - {"f32.const", "f64.const"}
"""Those that cannot be a core constant: an invocation using one is of a component."""


def parse_component_value(cursor: Cursor) -> ComponentValue:
    """A value in parentheses, at ``(``."""
    cursor.expect("(")
    value = _value_body(cursor)
    cursor.expect(")")
    return value


def _value_body(cursor: Cursor) -> ComponentValue:
    """A value's keyword and operands (without the parentheses around them)."""
    keyword = cursor.tok
    if keyword not in VALUE_KEYWORDS:
        cursor.unexpected()
    cursor.i += 1
    kind = keyword.partition(".")[0]
    bits = _INTEGERS.get(kind)
    if bits is not None:
        raw = cursor.literal(parse_int, bits)
        return ComponentValue(kind, signed(raw, bits) if kind[0] == "s" else raw)
    if kind == "bool":
        token = cursor.tok
        if token not in ("true", "false"):
            cursor.unexpected()
        cursor.i += 1
        return ComponentValue(kind, token == "true")
    if kind in ("f32", "f64"):
        raw = cursor.literal(parse_f32 if kind == "f32" else parse_f64)
        number = struct.unpack("<f", struct.pack("<I", raw))[0] if kind == "f32" else _f64(raw)
        return ComponentValue(kind, number, raw)
    if kind in ("char", "str", "enum"):
        at = cursor.i
        text = cursor.name()
        if kind == "char" and len(text) != 1:
            cursor.error("a char is one Unicode scalar value", at)
        return ComponentValue(kind, text)
    if kind in ("list", "tuple"):
        items = []
        while cursor.tok == "(":
            items.append(parse_component_value(cursor))
        return ComponentValue(kind, tuple(items))
    if kind == "record":
        fields = []
        while cursor.tok == "(":
            cursor.expect("(")
            if cursor.tok != "field":
                cursor.unexpected()
            cursor.i += 1
            label = cursor.name()
            fields.append((label, _value_body(cursor)))
            cursor.expect(")")
        return ComponentValue(kind, tuple(fields))
    if kind == "flags":
        names = []
        while cursor.tok[:1] == '"':
            names.append(cursor.name())
        return ComponentValue(kind, tuple(names))
    if kind == "variant":
        case = cursor.name()
        return ComponentValue(kind, (case, parse_component_value(cursor) if cursor.tok == "(" else None))
    if keyword == "option.none":
        return ComponentValue("option", None)
    if keyword == "option.some":
        return ComponentValue("option", parse_component_value(cursor))
    payload = parse_component_value(cursor) if cursor.tok == "(" else None
    return ComponentValue("result", ("ok" if keyword == "result.ok" else "err", payload))


def _f64(raw: int) -> float:
    return float(struct.unpack("<d", struct.pack("<Q", raw))[0])
