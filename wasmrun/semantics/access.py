"""Memory accesses and the instructions that may trap: rules both tiers read.

``LOADS`` and ``STORES`` say how each load reads memory and converts what it read, and how each
store converts its operand: ``byte`` is ``mem.view[ea]``; a struct format is a pre-bound
``Struct(format).unpack_from(mem.view, ea)[0]`` (or ``pack_into``).
"""

from __future__ import annotations

STRUCT_NAMES: dict[str, str] = {"<I": "U32", "<Q": "U64", "<H": "U16", "<d": "F64", "<i": "I32"}
"""The name of each struct format's pre-bound functions in both tiers' namespaces (``U32_UNPACK``, ``U32_PACK``)."""

# Loads: mnemonic -> (access, conversion of the accessed value ``v``).  ``byte`` is ``mem.view[ea]``;
# a struct format is a pre-bound ``Struct(format).unpack_from(mem.view, ea)[0]``.
LOADS: dict[str, tuple[str, str]] = {
    "i32.load": ("<I", "v"),
    "i64.load": ("<Q", "v"),
    "f32.load": ("<I", "f32_from_bits(v)"),
    "f64.load": ("<d", "v"),
    "i32.load8_s": ("byte", "v + 4294967040 if v > 127 else v"),
    "i32.load8_u": ("byte", "v"),
    "i32.load16_s": ("<H", "v + 4294901760 if v > 32767 else v"),
    "i32.load16_u": ("<H", "v"),
    "i64.load8_s": ("byte", "v + 18446744073709551360 if v > 127 else v"),
    "i64.load8_u": ("byte", "v"),
    "i64.load16_s": ("<H", "v + 18446744073709486080 if v > 32767 else v"),
    "i64.load16_u": ("<H", "v"),
    "i64.load32_s": ("<I", "v + 18446744069414584320 if v > 2147483647 else v"),
    "i64.load32_u": ("<I", "v"),
}

# Stores: mnemonic -> (access, the value ``v`` to write, from the operand ``{y}``).
STORES: dict[str, tuple[str, str]] = {
    "i32.store": ("<I", "{y}"),
    "i64.store": ("<Q", "{y}"),
    "f32.store": ("<I", "f32_to_bits({y})"),
    "f64.store": ("<d", "{y}"),
    "i32.store8": ("byte", "{y} & 255"),
    "i32.store16": ("<H", "{y} & 65535"),
    "i64.store8": ("byte", "{y} & 255"),
    "i64.store16": ("<H", "{y} & 65535"),
    "i64.store32": ("<I", "{y} & 4294967295"),
}

TRAPPING_OPS = frozenset(
    [f"{t}.{op}" for t in ("i32", "i64") for op in ("div_s", "div_u", "rem_s", "rem_u")]
    + [f"{t}.trunc_{f}_{s}" for t in ("i32", "i64") for f in ("f32", "f64") for s in ("s", "u")]
)
"""Numeric instructions that can trap (the ``unop``/``binop`` handlers of all others cannot)."""
