"""The validation context ``C`` (spec 3.1.1): what a module declares, in the forms the rules read."""

from __future__ import annotations

from wasmrun.instructions import OPCODES
from wasmrun.module import ConstExpr, Module
from wasmrun.types import ExternKind, ValType

Signature = tuple[list[int], list[int]]
"""A function or block type: parameter and result types, each by its binary code."""


class Context:
    """``C`` for one module: its types, functions, tables, memories, globals, segments and ``C.refs``.

    Value types are plain ints (their binary codes), as on the operand stack (see
    :mod:`wasmrun.validation.stack`).
    """

    __slots__ = (
        "block_types",
        "elems",
        "funcs",
        "global_mutable",
        "globals",
        "memories",
        "num_datas",
        "num_imported_globals",
        "num_memories",
        "refs",
        "table_addresses",
        "tables",
        "types",
    )

    def __init__(self, module: Module) -> None:
        self.types: list[Signature] = [
            ([int(t) for t in ft.params], [int(t) for t in ft.results]) for ft in module.types
        ]
        self.funcs: list[Signature] = []  # filled once the type indices are checked
        self.tables: list[int] = [int(t.element) for t in module.table_types]
        self.table_addresses: list[int] = [int(t.limits.address_type) for t in module.table_types]
        self.memories: list[int] = [int(m.limits.address_type) for m in module.memory_types]  # address types
        self.num_memories = len(module.memory_types)
        self.globals: list[int] = [int(g.valtype) for g in module.global_types]
        self.global_mutable: list[bool] = [g.mutable for g in module.global_types]
        self.num_imported_globals = module.num_imported_globals
        self.elems: list[int] = [int(e.element_type) for e in module.elements]
        self.num_datas = len(module.datas)
        self.refs: frozenset[int] = declared_function_references(module)
        # Block types by their s33 code: the empty type, single results and type indices.
        self.block_types: dict[int, Signature] = {-64: ([], [])}
        for t in ValType:
            self.block_types[(int(t) & 0x7F) - 0x80] = ([], [int(t)])
        for index, signature in enumerate(self.types):
            self.block_types[index] = signature


def declared_function_references(module: Module) -> frozenset[int]:
    """``C.refs``: the functions referenced outside function bodies (and the start)."""
    refs: set[int] = set()
    exprs: list[ConstExpr] = [g.init for g in module.globals]
    for segment in module.elements:
        exprs.extend(segment.init)
        if segment.offset is not None:
            exprs.append(segment.offset)
    exprs.extend(d.offset for d in module.datas if d.offset is not None)
    for expr in exprs:
        for opcode, immediate, _ in expr.instructions:
            info = OPCODES.get(opcode)
            if info is not None and info.mnemonic == "ref.func":
                refs.add(immediate)
    refs.update(e.index for e in module.exports if e.kind == ExternKind.FUNC)
    return frozenset(refs)
