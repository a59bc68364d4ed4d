"""Validating a module (spec 3.4): its imports, tables, memories, globals, segments, functions, start and exports.

The function bodies are typed from their bytes by :mod:`wasmrun.validation.bytecode`;
those it leaves are decoded here, one at a time, and typed by
:func:`wasmrun.validation.body.check_bodies`.  A :class:`~wasmrun.errors.DecodeError`
from a body is malformedness and propagates as-is, and it wins over any
validation error (the reference interpreter decodes everything before it
validates anything); so does a missing data count section
(:func:`wasmrun.binary.decoder.check_data_count`, made here for a module decoded
``validating``, since only the bodies tell whether one is needed).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from wasmrun.binary.decoder import check_data_count, uses_data_segments
from wasmrun.binary.instructions import decode_function_body
from wasmrun.errors import ValidationError
from wasmrun.features import ALL_FEATURES, Features, check_features
from wasmrun.instructions import OPCODES
from wasmrun.limits import check_module_limits
from wasmrun.module import ConstExpr, Instruction, Module, SegmentMode
from wasmrun.types import (
    MAX_PAGES,
    MAX_PAGES_64,
    REF_CODE_BASE,
    ExternKind,
    FuncType,
    GlobalType,
    Limits,
    MemoryType,
    TableType,
    TagType,
    type_code,
)
from wasmrun.validation import bytecode
from wasmrun.validation.context import CONSTANT_MNEMONICS, Context
from wasmrun.validation.gc_rules import GC_RULES
from wasmrun.validation.rules import function_reference_type
from wasmrun.validation.stack import BodyState, Frame, type_text
from wasmrun.validation.type_section import check_type_section

if TYPE_CHECKING:
    from wasmrun.validation.body import Body


def validate_module(
    module: Module, features: Features = ALL_FEATURES, *, as_version: bool = False, parallel: bool = False
) -> None:
    """Raise :class:`ValidationError` unless ``module`` is valid and uses only ``features``
    (DecodeError if a body is malformed).

    With ``parallel``, a big module's bodies may be typed on two cores (:mod:`wasmrun.validation.parallel`:
    a forked process; the command line's ``-C parallel-compilation``, on by default as in Wasmtime).

    A module using a proposal that is off is refused with one line naming it.  With ``as_version``
    (the spec scripts of an earlier version), its bodies are decoded as a decoder from before those
    proposals would: their instructions are malformed (``illegal opcode``).
    """
    progress = _Progress(len(module.codes))
    disabled = features.disabled if as_version else frozenset()
    try:
        _validate_module(module, progress, features, disabled, parallel)
        check_features(module, features)
    except ValidationError:
        # Malformedness anywhere beats invalidity, and so does a missing data count section: finish
        # decoding the bodies.
        for index in progress.unproven:
            progress.decoded(decode_function_body(module.raw, module.codes[index], disabled))
        check_data_count(module.data_count, progress.uses_data_segments, len(module.raw))
        raise
    check_data_count(module.data_count, progress.uses_data_segments, len(module.raw))


class _Progress:
    """What validation has learnt of the bodies so far: which ones are not yet known to be well-formed
    (``unproven``), and whether one read uses data segments (those the fast path takes do not)."""

    __slots__ = ("unproven", "uses_data_segments")

    def __init__(self, count: int) -> None:
        self.unproven: Sequence[int] = range(count)
        self.uses_data_segments = False

    def decoded(self, instructions: list[Instruction]) -> list[Instruction]:
        if not self.uses_data_segments:
            self.uses_data_segments = uses_data_segments(instructions)
        return instructions


def _validate_module(
    module: Module,
    progress: _Progress,
    features: Features,
    disabled: frozenset[str] = frozenset(),
    parallel: bool = False,
) -> None:
    check_module_limits(module)
    context = Context(module)
    _check_types_and_imports(module, context)
    if features.gc:
        context.constant_ops = context.constant_ops | GC_CONSTANT_MNEMONICS
    if features.extended_const:
        # Extended constants: arithmetic, and the globals defined before (a global) or all of them (a segment).
        context.constant_ops = context.constant_ops | _EXTENDED_CONSTANT_MNEMONICS
        for position, g in enumerate(module.globals):
            context.constant_globals = context.num_imported_globals + position
            _check_const_expr(context, g.init, context.check_type(type_code(g.type.valtype), g.init.offset))
        context.constant_globals = len(context.globals)
    else:
        for g in module.globals:
            _check_const_expr(context, g.init, context.check_type(type_code(g.type.valtype), g.init.offset))
    # Tables come before globals: their initialisers may read imported globals only.
    every_global, context.constant_globals = context.constant_globals, context.num_imported_globals
    _check_tables(module, context)
    context.constant_globals = every_global
    for memory in module.memories:
        _check_memory_type(memory, module.section_offset(5))
    for type_index in module.tags:
        _check_tag_type(module, type_index, module.section_offset(13))
    _check_elements(module, context)
    _check_datas(module, context)
    _check_functions(module, context, progress, disabled, parallel)
    _check_start(module, context)
    _check_exports(module, context)


def _check_tag_type(module: Module, type_index: int, offset: int | None) -> None:
    if type_index >= len(module.types):
        raise ValidationError(f"unknown type {type_index}", offset)
    if module.types[type_index].__class__ is not FuncType:
        raise ValidationError(f"type mismatch: type {type_index} is not a function type", offset)
    if module.types[type_index].results:
        raise ValidationError("non-empty tag result type", offset)


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
    if memory.shared and limits.max is None:
        raise ValidationError("shared memory must have maximum", offset)


def _check_limits(limits: Limits, bound: int | None, bound_message: str, offset: int | None) -> None:
    if bound is not None:
        if limits.min > bound or (limits.max is not None and limits.max > bound):
            raise ValidationError(bound_message, offset)
    if limits.max is not None and limits.min > limits.max:
        raise ValidationError("size minimum must not be greater than maximum", offset)


def _check_tables(module: Module, context: Context) -> None:
    offset = module.section_offset(4)
    inits = module.table_inits or (None,) * len(module.tables)
    first = module.num_imported_tables
    for index, (table, init) in enumerate(zip(module.tables, inits)):
        _check_table_limits(table.limits, offset)
        element = context.tables[first + index]
        context.check_type(element, offset)
        if init is not None:
            _check_const_expr(context, init, element)
        elif element >= REF_CODE_BASE and not element & 1:
            raise ValidationError(f"type mismatch: a table of {type_text([element])} needs an initialiser", offset)


def _check_types_and_imports(module: Module, context: Context) -> None:
    check_type_section(module, context)
    offset = module.section_offset(2)
    for imported in module.imports:
        desc = imported.desc
        if isinstance(desc, int):
            context.func_signature(desc, offset)
        elif isinstance(desc, TableType):
            _check_table_limits(desc.limits, offset)
            context.check_type(type_code(desc.element), offset)
        elif isinstance(desc, GlobalType):
            context.check_type(type_code(desc.valtype), offset)
        elif isinstance(desc, MemoryType):
            _check_memory_type(desc, offset)
        elif isinstance(desc, TagType):
            _check_tag_type(module, desc.type_index, offset)
    offset = module.section_offset(3)
    # (every index checked: the imported functions' were above, with the import section's offset)
    context.funcs = [context.func_signature(i, offset) for i in module.func_type_indices]


def _check_const_expr(context: Context, expr: ConstExpr, expected: int) -> None:
    """A constant expression of type ``expected``, under ``C'``.

    ``C'`` has the first ``context.constant_globals`` globals (the imported ones in WebAssembly 2.0),
    and ``context.constant_ops`` are the constant instructions (``i32.add`` ... with extended constants).
    """
    constant_ops = context.constant_ops
    mnemonics = [_constant_mnemonic(opcode, constant_ops) for opcode, _, _ in expr.instructions]
    # First, as the reference interpreter does, that every instruction is constant.
    for mnemonic, (_, immediate, offset) in zip(mnemonics, expr.instructions):
        if mnemonic == "global.get":
            if immediate >= context.constant_globals:
                raise ValidationError(f"unknown global {immediate}", offset)
            if context.global_mutable[immediate]:
                raise ValidationError("constant expression required", offset)
        elif mnemonic is None:
            raise ValidationError("constant expression required", offset)
    stack: list[int] = []
    state: BodyState | None = None
    for mnemonic, (opcode, immediate, offset) in zip(mnemonics, expr.instructions):
        if mnemonic in GC_RULES:
            # A constant GC instruction: typed by its body rule, on a frame over this stack.
            if state is None:
                state = BodyState(context)
                state.vals = stack
                state.ctrls.append(Frame("function", [], [], 0))
            GC_RULES[mnemonic](state, opcode, immediate, offset)
        elif mnemonic == "global.get":
            stack.append(context.globals[immediate])
        elif mnemonic == "ref.null":
            stack.append(context.check_type(type_code(immediate), offset))
        elif mnemonic == "ref.func":
            if immediate >= len(context.funcs):
                raise ValidationError(f"unknown function {immediate}", offset)
            stack.append(function_reference_type(context, immediate))
        else:  # a ``*.const`` or an arithmetic instruction: its effect, from the table
            info = OPCODES[opcode]
            params = [int(t) for t in info.params or ()]
            if params:
                if stack[len(stack) - len(params) :] != params:
                    raise ValidationError(
                        f"type mismatch: instruction requires {type_text(params)} but stack has {type_text(stack)}",
                        offset,
                    )
                del stack[len(stack) - len(params) :]
            stack.extend(int(t) for t in info.results or ())
    if stack != [expected] and not (len(stack) == 1 and context.matches(stack[0], expected)):
        raise ValidationError(
            f"type mismatch: constant expression has type {type_text(stack)}, expected {type_text([expected])}",
            expr.offset,
        )


_EXTENDED_CONSTANT_MNEMONICS = CONSTANT_MNEMONICS | frozenset(
    ("i32.add", "i32.sub", "i32.mul", "i64.add", "i64.sub", "i64.mul")
)
"""The constant instructions with extended constants."""

GC_CONSTANT_MNEMONICS = frozenset(
    (
        "struct.new",
        "struct.new_default",
        "array.new",
        "array.new_default",
        "array.new_fixed",
        "ref.i31",
        "any.convert_extern",
        "extern.convert_any",
    )
)
"""The constant instructions GC brought."""


def _constant_mnemonic(opcode: int, constant_ops: frozenset[str] = CONSTANT_MNEMONICS) -> str | None:
    """The mnemonic of a constant instruction, None for any other."""
    info = OPCODES.get(opcode)
    return info.mnemonic if info is not None and info.mnemonic in constant_ops else None


def _check_elements(module: Module, context: Context) -> None:
    for index, segment in enumerate(module.elements):
        element_type = context.check_type(context.elems[index], module.section_offset(9))
        if not (segment.function_indices and _known_functions(context, segment.init)):
            for expr in segment.init:
                _check_const_expr(context, expr, element_type)
        if segment.mode == SegmentMode.ACTIVE:
            offset = segment.offset.offset if segment.offset is not None else module.section_offset(9)
            if segment.table_index >= len(context.tables):
                raise ValidationError(f"unknown table {segment.table_index}", offset)
            if segment.offset is not None:
                _check_const_expr(context, segment.offset, context.table_addresses[segment.table_index])
            table_type = context.tables[segment.table_index]
            if table_type != element_type and not context.matches(element_type, table_type):
                raise ValidationError(
                    f"type mismatch: element segment of type {segment.element_type} "
                    f"for a table of {type_text([table_type])}",
                    offset,
                )


def _known_functions(context: Context, init: tuple[ConstExpr, ...]) -> bool:
    """Whether every ``ref.func i`` of a segment of function indices names a function (each then has
    the segment's type: ``(ref $t)`` is a ``(ref func)``); if not, each is checked, for the error."""
    return all(expr.instructions[0][1] < len(context.funcs) for expr in init)


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
        ExternKind.TAG: len(context.tags),
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
    ExternKind.TAG: "tag",
}


def _check_functions(
    module: Module, context: Context, progress: _Progress, disabled: frozenset[str], parallel: bool
) -> None:
    """Type every body: first on the fast path (:mod:`wasmrun.validation.bytecode`; with ``parallel``, a big
    module's on two cores), then those it refused, in order, on the exact path, which finds their errors
    (and keeps ``progress`` up to date)."""
    typed: list[int] = []  # the bodies with typed references among their locals: the exact path's
    bodies = list(_fast_path_bodies(module, context, typed))
    tables = bytecode.tables_for(disabled)

    def check(part: Sequence[bytecode.Body]) -> list[int]:
        return bytecode.check_bodies(context, module.raw, part, tables)

    if parallel:
        from wasmrun.validation.parallel import check_in_two

        refused = check_in_two(check, bodies, [end - start for start, end, _, _ in bodies])
    else:
        refused = check(bodies)
    if typed:
        refused = sorted(set(refused).union(typed))
    progress.unproven = refused  # the bodies accepted are well-formed
    if not refused:
        return
    from wasmrun.validation.body import check_bodies  # (the exact path: imported only when a body takes it)

    for position, i in enumerate(refused):
        instructions = progress.decoded(decode_function_body(module.raw, module.codes[i], disabled))
        progress.unproven = refused[position + 1 :]
        check_bodies(context, [_body(module, context, i, instructions)])


def _fast_path_bodies(module: Module, context: Context, typed: list[int]) -> Iterator[bytecode.Body]:
    """Each body as the fast path takes it (adding to ``typed`` those with typed references among their
    locals).  Functions of one type with the same locals share one list of local types: the decoder
    gives bodies declaring the same locals one tuple of them, found here by its identity."""
    first = module.num_imported_functions
    funcs = context.funcs
    type_indices = module.func_type_indices
    shared: dict[tuple[int, int], tuple[list[int], bool]] = {}
    for i, body in enumerate(module.codes):
        params, results = funcs[first + i]
        key = (type_indices[first + i], id(body.locals))  # (module.codes keeps every tuple alive)
        found = shared.get(key)
        if found is None:
            local_types = list(params)  # at most MAX_FUNCTION_LOCALS (checked by check_module_limits)
            for count, t in body.locals:
                local_types.extend([type_code(t)] * count)
            found = shared[key] = local_types, any(type_code(t) >= REF_CODE_BASE for _, t in body.locals)
        local_types, has_typed_locals = found
        if has_typed_locals:
            typed.append(i)
        yield body.code_start, body.end, local_types, results


def _body(module: Module, context: Context, i: int, instructions: list[Instruction]) -> Body:
    """Body ``i`` to check on the exact path, its ``instructions`` decoded."""
    from wasmrun.validation.body import Locals

    body = module.codes[i]
    params, results = context.funcs[module.num_imported_functions + i]
    local_types = list(params)
    uninit: list[int] = []
    for count, t in body.locals:
        code = type_code(t)
        if code >= REF_CODE_BASE:
            context.check_type(code, body.start)
            if not code & 1:  # non-nullable: no default value
                uninit.extend(range(len(local_types), len(local_types) + count))
        local_types.extend([code] * count)
    if uninit:
        local_types = Locals(local_types)
        local_types.uninit = frozenset(uninit)
    return instructions, local_types, results
