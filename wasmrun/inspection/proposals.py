"""Which post-MVP proposals (all merged into WebAssembly 2.0) a module uses.

A proposal counts as used when the module declares or executes something the
MVP (1.0) did not have:

* ``mutable-global``: an imported or exported mutable global;
* ``nontrapping-float-to-int``: ``*.trunc_sat_*``;
* ``sign-extension``: ``*.extend8_s``, ``*.extend16_s``, ``i64.extend32_s``;
* ``multi-value``: a function type with more than one result, or a block
  typed by a type index;
* ``bulk-memory``: passive segments, the data count section, ``memory.init``,
  ``data.drop``, ``memory.copy``, ``memory.fill``, ``table.init``, ``elem.drop``,
  ``table.copy``;
* ``reference-types``: a reference used as a value (parameter, result, local,
  global), an ``externref`` table or segment, more than one table, a
  declarative segment, ``call_indirect`` on a table other than 0, typed
  ``select``, ``ref.*``, ``table.get/set/size/grow/fill``;
* ``simd``: ``v128`` anywhere, or any ``0xFD``-prefixed instruction.

Finding instructions means decoding every function body once; validation does
that already, so this roughly doubles the cost of loading (a few tens of
milliseconds for a megabyte of code).
"""

from __future__ import annotations

from collections.abc import Iterable

from wasmrun.binary.instructions import decode_function_body
from wasmrun.instructions import (
    BLOCK,
    CALL_INDIRECT,
    IF,
    LOOP,
    PREFIX_MISC,
    PREFIX_SIMD,
    SELECT_T,
    TABLE_GET,
    TABLE_SET,
)
from wasmrun.module import Module, SegmentMode
from wasmrun.types import ExternKind, GlobalType, ValType

MUTABLE_GLOBAL = "mutable-global"
NONTRAPPING_FLOAT_TO_INT = "nontrapping-float-to-int"
SIGN_EXTENSION = "sign-extension"
MULTI_VALUE = "multi-value"
BULK_MEMORY = "bulk-memory"
REFERENCE_TYPES = "reference-types"
SIMD = "simd"

PROPOSALS = (
    MUTABLE_GLOBAL,
    NONTRAPPING_FLOAT_TO_INT,
    SIGN_EXTENSION,
    MULTI_VALUE,
    BULK_MEMORY,
    REFERENCE_TYPES,
    SIMD,
)
"""Every proposal detected, in the order they were standardised (and listed)."""


def _misc(sub: int) -> int:
    return PREFIX_MISC << 8 | sub


_OPCODE_PROPOSALS: dict[int, str] = {
    **{_misc(sub): NONTRAPPING_FLOAT_TO_INT for sub in range(0x00, 0x08)},
    **{opcode: SIGN_EXTENSION for opcode in range(0xC0, 0xC5)},
    **{_misc(sub): BULK_MEMORY for sub in range(0x08, 0x0F)},
    **{_misc(sub): REFERENCE_TYPES for sub in range(0x0F, 0x12)},
    **{opcode: REFERENCE_TYPES for opcode in (SELECT_T, TABLE_GET, TABLE_SET, 0xD0, 0xD1, 0xD2)},
}
_BLOCK_STARTS = frozenset((BLOCK, LOOP, IF))


def _value_type_proposals(valtypes: Iterable[ValType]) -> set[str]:
    found: set[str] = set()
    for valtype in valtypes:
        if valtype is ValType.V128:
            found.add(SIMD)
        elif valtype.is_reference:
            found.add(REFERENCE_TYPES)
    return found


def detect_proposals(module: Module) -> tuple[str, ...]:
    """The proposals ``module`` uses, in :data:`PROPOSALS` order."""
    found = _declared_proposals(module)
    for body in module.codes:
        found |= _value_type_proposals(valtype for _, valtype in body.locals)
        for opcode, immediate, _ in decode_function_body(module.raw, body):
            proposal = _OPCODE_PROPOSALS.get(opcode)
            if proposal is not None:
                found.add(proposal)
            elif opcode in _BLOCK_STARTS:
                if immediate >= 0:
                    found.add(MULTI_VALUE)
            elif opcode == CALL_INDIRECT:
                if immediate[1] != 0:
                    found.add(REFERENCE_TYPES)
            elif opcode >> 8 == PREFIX_SIMD:
                found.add(SIMD)
    return tuple(proposal for proposal in PROPOSALS if proposal in found)


def _declared_proposals(module: Module) -> set[str]:
    """What the sections other than code show."""
    found: set[str] = set()
    for functype in module.types:
        found |= _value_type_proposals((*functype.params, *functype.results))
        if len(functype.results) > 1:
            found.add(MULTI_VALUE)
    found |= _value_type_proposals(global_type.valtype for global_type in module.global_types)
    found |= _value_type_proposals(
        table.element for table in module.table_types if table.element is not ValType.FUNCREF
    )
    if len(module.table_types) > 1:
        found.add(REFERENCE_TYPES)
    imported_mutable = any(
        entry.kind is ExternKind.GLOBAL and isinstance(entry.desc, GlobalType) and entry.desc.mutable
        for entry in module.imports
    )
    exported_mutable = any(
        export.kind is ExternKind.GLOBAL and module.global_types[export.index].mutable for export in module.exports
    )
    if imported_mutable or exported_mutable:
        found.add(MUTABLE_GLOBAL)
    if module.data_count is not None or any(segment.mode is SegmentMode.PASSIVE for segment in module.datas):
        found.add(BULK_MEMORY)
    for segment in module.elements:
        if segment.mode is SegmentMode.PASSIVE:
            found.add(BULK_MEMORY)
        elif segment.mode is SegmentMode.DECLARATIVE:
            found.add(REFERENCE_TYPES)
        if segment.element_type is not ValType.FUNCREF:
            found.add(REFERENCE_TYPES)
    return found
