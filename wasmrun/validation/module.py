"""Validating a module (spec 3.4): its imports, tables, memories, globals, segments, functions, start and exports.

The function bodies are decoded here, one at a time, and typed by
:func:`wasmrun.validation.body.check_bodies`.  A :class:`~wasmrun.errors.DecodeError`
from a body is malformedness and propagates as-is, and it wins over any
validation error (the reference interpreter decodes everything before it
validates anything).
"""

from __future__ import annotations

from collections.abc import Iterator

from wasmrun.binary.instructions import decode_function_body
from wasmrun.errors import ValidationError
from wasmrun.features import ALL_FEATURES, Features, check_features, check_legacy_memory_encoding
from wasmrun.instructions import OPCODES
from wasmrun.limits import check_module_limits
from wasmrun.module import ConstExpr, Module, SegmentMode
from wasmrun.types import MAX_PAGES, MAX_PAGES_64, ExternKind, Limits, MemoryType, TableType, ValType
from wasmrun.validation.body import Body, check_bodies
from wasmrun.validation.context import Context
from wasmrun.validation.stack import FUNCREF, type_text


def validate_module(module: Module, features: Features = ALL_FEATURES) -> None:
    """Raise :class:`ValidationError` unless ``module`` is valid and uses only ``features``
    (DecodeError if a body is malformed)."""
    checked = [0]  # how many bodies have been decoded and checked for malformedness
    try:
        _validate_module(module, checked)
        check_features(module, features)
    except ValidationError:
        # Malformedness anywhere beats invalidity: finish decoding the bodies.
        for body in module.codes[checked[0] :]:
            decode_function_body(module.raw, body)
        if not (features.multi_memory or features.memory64):
            check_legacy_memory_encoding(module)
        raise


def _validate_module(module: Module, checked: list[int]) -> None:
    check_module_limits(module)
    context = Context(module)
    _check_types_and_imports(module, context)
    for g in module.globals:
        _check_const_expr(context, g.init, int(g.type.valtype))
    for table in module.tables:
        _check_table_limits(table.limits, module.section_offset(4))
    for memory in module.memories:
        _check_memory_type(memory, module.section_offset(5))
    _check_elements(module, context)
    _check_datas(module, context)
    _check_functions(module, context, checked)
    _check_start(module, context)
    _check_exports(module, context)


_MEMORY_SIZE_MESSAGE = "memory size must be at most 65536 pages (4GiB)"
_MEMORY64_SIZE_MESSAGE = "memory size must be at most 2^48 pages (256TiB)"


def _check_table_limits(limits: Limits, offset: int | None) -> None:
    _check_limits(limits, None if limits.address64 else 2**32 - 1, "table size must be at most 2^32-1", offset)


def _check_memory_type(memory: MemoryType, offset: int | None) -> None:
    if memory.page_size_log2 not in (0, 16):  # custom page sizes: 1 byte or 64 KiB
        raise ValidationError("invalid custom page size", offset)
    limits = memory.limits
    bound = memory.max_pages
    if bound == MAX_PAGES and not limits.address64:
        message = _MEMORY_SIZE_MESSAGE
    elif bound == MAX_PAGES_64:
        message = _MEMORY64_SIZE_MESSAGE
    else:
        message = f"memory size must be at most {bound} pages"
    _check_limits(limits, bound, message, offset)


def _check_limits(limits: Limits, bound: int | None, bound_message: str, offset: int | None) -> None:
    if bound is not None:
        if limits.min > bound or (limits.max is not None and limits.max > bound):
            raise ValidationError(bound_message, offset)
    if limits.max is not None and limits.min > limits.max:
        raise ValidationError("size minimum must not be greater than maximum", offset)


def _check_types_and_imports(module: Module, context: Context) -> None:
    offset = module.section_offset(2)
    for imported in module.imports:
        desc = imported.desc
        if isinstance(desc, int):
            if desc >= len(context.types):
                raise ValidationError(f"unknown type {desc}", offset)
        elif isinstance(desc, TableType):
            _check_table_limits(desc.limits, offset)
        elif isinstance(desc, MemoryType):
            _check_memory_type(desc, offset)
    offset = module.section_offset(3)
    for type_index in module.functions:
        if type_index >= len(context.types):
            raise ValidationError(f"unknown type {type_index}", offset)
    context.funcs = [context.types[i] for i in module.func_type_indices]


def _check_const_expr(context: Context, expr: ConstExpr, expected: int) -> None:
    """A constant expression of type ``expected``, under ``C'`` (only imported globals)."""
    mnemonics = [_constant_mnemonic(opcode) for opcode, _, _ in expr.instructions]
    # First, as the reference interpreter does, that every instruction is constant.
    for mnemonic, (_, immediate, offset) in zip(mnemonics, expr.instructions):
        if mnemonic == "global.get":
            if immediate >= context.num_imported_globals:
                raise ValidationError(f"unknown global {immediate}", offset)
            if context.global_mutable[immediate]:
                raise ValidationError("constant expression required", offset)
        elif mnemonic is None:
            raise ValidationError("constant expression required", offset)
    stack: list[int] = []
    for mnemonic, (opcode, immediate, offset) in zip(mnemonics, expr.instructions):
        if mnemonic == "global.get":
            stack.append(context.globals[immediate])
        elif mnemonic == "ref.null":
            stack.append(int(immediate))
        elif mnemonic == "ref.func":
            if immediate >= len(context.funcs):
                raise ValidationError(f"unknown function {immediate}", offset)
            stack.append(FUNCREF)
        else:  # a ``*.const``: its one result, from the table
            stack.extend(int(t) for t in OPCODES[opcode].results or ())
    if stack != [expected]:
        raise ValidationError(
            f"type mismatch: constant expression has type {type_text(stack)}, expected {type_text([expected])}",
            expr.offset,
        )


_CONSTANT_MNEMONICS = frozenset(
    ("i32.const", "i64.const", "f32.const", "f64.const", "v128.const", "ref.null", "ref.func", "global.get")
)
"""The constant instructions (spec 3.3.10)."""


def _constant_mnemonic(opcode: int) -> str | None:
    """The mnemonic of a constant instruction, None for any other."""
    info = OPCODES.get(opcode)
    return info.mnemonic if info is not None and info.mnemonic in _CONSTANT_MNEMONICS else None


def _check_elements(module: Module, context: Context) -> None:
    for segment in module.elements:
        element_type = int(segment.element_type)
        for expr in segment.init:
            _check_const_expr(context, expr, element_type)
        if segment.mode == SegmentMode.ACTIVE:
            offset = segment.offset.offset if segment.offset is not None else module.section_offset(9)
            if segment.table_index >= len(context.tables):
                raise ValidationError(f"unknown table {segment.table_index}", offset)
            if segment.offset is not None:
                _check_const_expr(context, segment.offset, context.table_addresses[segment.table_index])
            if context.tables[segment.table_index] != element_type:
                raise ValidationError(
                    f"type mismatch: element segment of type {segment.element_type} "
                    f"for a table of {ValType(context.tables[segment.table_index])}",
                    offset,
                )


def _check_datas(module: Module, context: Context) -> None:
    for segment in module.datas:
        if segment.mode == SegmentMode.ACTIVE:
            offset = segment.offset.offset if segment.offset is not None else module.section_offset(11)
            if segment.memory_index >= context.num_memories:
                raise ValidationError(f"unknown memory {segment.memory_index}", offset)
            if segment.offset is not None:
                _check_const_expr(context, segment.offset, context.memories[segment.memory_index])


def _check_start(module: Module, context: Context) -> None:
    if module.start is None:
        return
    offset = module.section_offset(8)
    if module.start >= len(context.funcs):
        raise ValidationError(f"unknown function {module.start}", offset)
    params, results = context.funcs[module.start]
    if params or results:
        raise ValidationError("start function must not have parameters or results", offset)


def _check_exports(module: Module, context: Context) -> None:
    offset = module.section_offset(7)
    counts = {
        ExternKind.FUNC: len(context.funcs),
        ExternKind.TABLE: len(context.tables),
        ExternKind.MEMORY: context.num_memories,
        ExternKind.GLOBAL: len(context.globals),
    }
    names: set[str] = set()
    for export in module.exports:
        if export.index >= counts[export.kind]:
            raise ValidationError(f"unknown {_INDEX_SPACE_NAMES[export.kind]} {export.index}", offset)
        if export.name in names:
            raise ValidationError("duplicate export name", offset)
        names.add(export.name)


_INDEX_SPACE_NAMES = {
    ExternKind.FUNC: "function",
    ExternKind.TABLE: "table",
    ExternKind.MEMORY: "memory",
    ExternKind.GLOBAL: "global",
}


def _check_functions(module: Module, context: Context, checked: list[int]) -> None:
    check_bodies(context, _bodies(module, context, checked))


def _bodies(module: Module, context: Context, checked: list[int]) -> Iterator[Body]:
    """Each function body, decoded when its turn comes (``checked`` counts those decoded)."""
    first = module.num_imported_functions
    raw = module.raw
    for i, body in enumerate(module.codes):
        instructions = decode_function_body(raw, body)
        checked[0] = i + 1
        params, results = context.funcs[first + i]
        local_types = list(params)  # at most MAX_FUNCTION_LOCALS (checked by check_module_limits)
        for count, t in body.locals:
            local_types.extend([int(t)] * count)
        yield instructions, local_types, results
