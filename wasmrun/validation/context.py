"""The validation context ``C`` (spec 3.1.1): what a module declares, in the forms the rules read."""

from __future__ import annotations

from wasmrun.deftypes import DefinedType, value_matches
from wasmrun.errors import ValidationError
from wasmrun.instructions import OPCODES
from wasmrun.module import ConstExpr, Module
from wasmrun.types import (
    HEAP_FUNC,
    REF_CODE_BASE,
    ExternKind,
    FuncType,
    RefType,
    ValType,
    type_code,
    type_of_code,
)

CONSTANT_MNEMONICS = frozenset(
    ("i32.const", "i64.const", "f32.const", "f64.const", "v128.const", "ref.null", "ref.func", "global.get")
)
"""The constant instructions of WebAssembly 2.0 (spec 3.3.10)."""

Signature = tuple[list[int], list[int]]

_REF_FUNC = type_code(RefType(False, HEAP_FUNC))  # the type of a segment of function indices
"""A function or block type: parameter and result types, each by its binary code."""


class Context:
    """``C`` for one module: its types, functions, tables, memories, globals, segments and ``C.refs``.

    Value types are plain ints (their binary codes), as on the operand stack (see
    :mod:`wasmrun.validation.stack`).
    """

    __slots__ = (
        "block_types",
        "composites",
        "constant_globals",
        "constant_ops",
        "defined",
        "elems",
        "func_type_indices",
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
        "tags",
        "types",
    )

    def __init__(self, module: Module) -> None:
        # Each function type's signature (None for a struct or array type).
        self.types: list[Signature | None] = [
            ([type_code(t) for t in ft.params], [type_code(t) for t in ft.results])
            if ft.__class__ is FuncType
            else None
            for ft in module.types
        ]
        self.composites = module.types
        # Each type's canonical identity, for subtyping: filled once the type section is checked.
        self.defined: list[DefinedType] = []
        self.funcs: list[Signature] = []  # filled once the type indices are checked
        self.func_type_indices = module.func_type_indices
        self.tables: list[int] = [type_code(t.element) for t in module.table_types]
        self.table_addresses: list[int] = [int(t.limits.address_type) for t in module.table_types]
        self.memories: list[int] = [int(m.limits.address_type) for m in module.memory_types]  # address types
        self.num_memories = len(module.memory_types)
        self.globals: list[int] = [type_code(g.valtype) for g in module.global_types]
        self.global_mutable: list[bool] = [g.mutable for g in module.global_types]
        self.num_imported_globals = module.num_imported_globals
        # What constant expressions may use (the validator widens both for extended constants).
        self.constant_globals = module.num_imported_globals
        self.constant_ops: frozenset[str] = CONSTANT_MNEMONICS
        self.elems: list[int] = [
            _REF_FUNC if e.function_indices else type_code(e.element_type) for e in module.elements
        ]
        self.num_datas = len(module.datas)
        self.refs: frozenset[int] = declared_function_references(module)
        # Each tag's payload types (None for a tag whose type index is unknown: module.py refuses those).
        self.tags: list[list[int] | None] = [
            [type_code(t) for t in module.types[index].params]
            if index < len(module.types) and module.types[index].__class__ is FuncType
            else None
            for index in module.tag_type_indices
        ]
        # Block types by their s33 code: the empty type, single results and type indices.
        self.block_types: dict[int, Signature] = {-64: ([], [])}
        for t in ValType:
            self.block_types[(int(t) & 0x7F) - 0x80] = ([], [int(t)])
        for index, signature in enumerate(self.types):
            if signature is not None:
                self.block_types[index] = signature

    def matches(self, actual: int, expected: int) -> bool:
        """Whether the type (code) ``actual`` is a subtype of ``expected`` (typed references)."""
        return value_matches(type_of_code(actual), type_of_code(expected), self.defined)

    def func_signature(self, type_index: int, offset: int | None) -> Signature:
        """The signature of function type ``type_index``: unknown type, or not a function type, are errors."""
        if type_index >= len(self.types):
            raise ValidationError(f"unknown type {type_index}", offset)
        signature = self.types[type_index]
        if signature is None:
            raise ValidationError(f"type mismatch: type {type_index} is not a function type", offset)
        return signature

    def check_type(self, t: int, offset: int | None) -> int:
        """``t`` (a type code), if the type index of a typed reference's heap type is defined."""
        if t >= REF_CODE_BASE:
            heap = ((t - REF_CODE_BASE) >> 1) - 64
            if heap >= len(self.types):
                raise ValidationError(f"unknown type {heap}", offset)
        return t

    def block_signature(self, blocktype: int, offset: int) -> Signature | None:
        """The signature of a block type code (a typed reference result too), None if unknown."""
        signature = self.block_types.get(blocktype)
        if signature is None and blocktype <= -REF_CODE_BASE:
            signature = ([], [self.check_type(-blocktype, offset)])
        return signature


def tag_params(context: Context, tag_index: int, offset: int) -> list[int]:
    """The payload types of tag ``tag_index``, or the error of an unknown tag."""
    params = context.tags[tag_index] if tag_index < len(context.tags) else None
    if params is None:
        raise ValidationError(f"unknown tag {tag_index}", offset)
    return params


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
