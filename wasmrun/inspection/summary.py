"""The module summary that ``wasmrun inspect FILE`` shows, as frozen data.

:func:`summarize` turns a validated :class:`~wasmrun.module.Module` into a
:class:`ModuleSummary`, whose fields are plain values (ints, strings, tuples,
None) named as the JSON output names them: ``dataclasses.asdict`` of a
summary is the ``module`` object of ``inspect.schema.json``.  Byte offsets are
offsets in the binary form (for a text module, in its encoding), so that they
match error messages and trap backtraces.  Index spaces put imports first, as
the spec numbers them.
"""

from __future__ import annotations

from dataclasses import dataclass

from wasmrun.binary.reader import Reader
from wasmrun.deftypes import StructType
from wasmrun.features import proposals_used
from wasmrun.inspection.instruction_text import const_expr_text
from wasmrun.module import Import, Module
from wasmrun.types import ExternKind, FuncType, GlobalType, Limits, MemoryType, TableType, TagType


@dataclass(frozen=True, slots=True)
class ImportName:
    module: str
    name: str


@dataclass(frozen=True, slots=True)
class SectionSummary:
    """A section: ``start`` is its id byte, ``content_start``..``end`` its contents (``size`` bytes)."""

    id: int
    name: str  # "type", "code", ...; for a custom section its own name is in ``custom_name``
    custom_name: str | None
    start: int
    content_start: int
    end: int
    size: int


@dataclass(frozen=True, slots=True)
class TypeSummary:
    """A defined type: ``kind`` ``func`` (``params``, ``results``), ``struct`` (``fields``) or ``array``
    (its element in ``fields``); its recursion group (``rec_group``, numbered from 0, ``rec_size`` types),
    whether it is ``final`` and its declared ``supertypes`` (GC); ``canonical``, the first type of the module
    that is the same type as it (iso-recursive equivalence: two equal recursion groups give the same types),
    which is its own index unless an earlier type is that type."""

    index: int
    kind: str
    params: tuple[str, ...]
    results: tuple[str, ...]
    fields: tuple[str, ...]
    rec_group: int
    rec_size: int
    final: bool
    supertypes: tuple[int, ...]
    canonical: int


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """An import; ``index`` is its place in the index space of its kind."""

    module: str
    name: str
    kind: str
    index: int
    type: str  # "[i32] -> []", "funcref min 1 max 2", "min 1", "mut i32"


@dataclass(frozen=True, slots=True)
class ExportSummary:
    name: str
    kind: str
    index: int


@dataclass(frozen=True, slots=True)
class FunctionSummary:
    """A function; the body fields are None for an imported function."""

    index: int
    name: str | None  # from the name section, else the first export's name
    type_index: int
    params: tuple[str, ...]
    results: tuple[str, ...]
    imported_from: ImportName | None
    locals: int | None  # declared locals, parameters not included
    body_size: int | None  # the body's size field: its locals and instructions, in bytes
    body_offset: int | None  # where the body's entry (its size field) starts


@dataclass(frozen=True, slots=True)
class TableSummary:
    index: int
    element: str
    min: int
    max: int | None
    imported_from: ImportName | None
    address_type: str  # i32, or i64 for a 64-bit table (memory64)


@dataclass(frozen=True, slots=True)
class MemorySummary:
    """A linear memory; limits in pages (of ``page_size`` bytes)."""

    index: int
    min: int
    max: int | None
    imported_from: ImportName | None
    address_type: str  # i32, or i64 for a 64-bit memory (memory64)
    page_size: int  # bytes: 65536, or 1 (custom page sizes)


@dataclass(frozen=True, slots=True)
class GlobalSummary:
    index: int
    type: str
    mutable: bool
    init: str | None  # the initializer, None for an imported global
    imported_from: ImportName | None


@dataclass(frozen=True, slots=True)
class ElementSummary:
    index: int
    mode: str  # "active", "passive", "declarative"
    table: int | None  # for an active segment
    offset: str | None  # for an active segment
    type: str
    count: int


@dataclass(frozen=True, slots=True)
class DataSummary:
    index: int
    mode: str  # "active", "passive"
    memory: int | None
    offset: str | None
    size: int


@dataclass(frozen=True, slots=True)
class CustomSummary:
    name: str
    content_start: int  # after the name
    end: int
    size: int


@dataclass(frozen=True, slots=True)
class ModuleSummary:
    file: str
    format: str  # "binary" or "text"
    file_size: int  # bytes of the file as given
    size: int  # bytes of the binary form (the file itself, or the encoding of a text module)
    module_name: str | None
    start: int | None
    proposals: tuple[str, ...]
    sections: tuple[SectionSummary, ...]
    types: tuple[TypeSummary, ...]
    imports: tuple[ImportSummary, ...]
    exports: tuple[ExportSummary, ...]
    functions: tuple[FunctionSummary, ...]
    tables: tuple[TableSummary, ...]
    memories: tuple[MemorySummary, ...]
    globals: tuple[GlobalSummary, ...]
    elements: tuple[ElementSummary, ...]
    data: tuple[DataSummary, ...]
    customs: tuple[CustomSummary, ...]


def limits_text(limits: Limits) -> str:
    bounds = f"min {limits.min}" if limits.max is None else f"min {limits.min} max {limits.max}"
    return f"i64 {bounds}" if limits.address64 else bounds


def global_type_text(global_type: GlobalType) -> str:
    return f"mut {global_type.valtype.text}" if global_type.mutable else global_type.valtype.text


def extern_type_text(module: Module, entry: Import) -> str:
    """An import's type on one line."""
    desc = entry.desc
    if isinstance(desc, int):
        return str(module.types[desc])
    if isinstance(desc, TableType):
        return f"{desc.element.text} {limits_text(desc.limits)}"
    if isinstance(desc, MemoryType):
        return limits_text(desc.limits)
    if isinstance(desc, TagType):
        return str(module.types[desc.type_index])
    return global_type_text(desc)


def function_names(module: Module) -> dict[int, str]:
    """A name for each function that has one: the name section's, else its first export's."""
    names: dict[int, str] = {}
    for export in module.exports:
        if export.kind is ExternKind.FUNC:
            names.setdefault(export.index, export.name)
    names.update(module.names.functions)
    return names


def imports_by_kind(module: Module) -> dict[ExternKind, list[Import]]:
    """The imports of each kind, in order: entry ``i`` of a kind is index ``i`` of its index space."""
    by_kind: dict[ExternKind, list[Import]] = {kind: [] for kind in ExternKind}
    for entry in module.imports:
        by_kind[entry.kind].append(entry)
    return by_kind


def import_name(entries: list[Import], index: int) -> ImportName | None:
    """Where entity ``index`` of an index space comes from (``entries``: its kind's imports); None if defined."""
    return ImportName(entries[index].module, entries[index].name) if index < len(entries) else None


def _type_summaries(module: Module) -> tuple[TypeSummary, ...]:
    groups: list[tuple[int, int]] = []  # (group, its size) of each type
    for group, size in enumerate(module.rec_sizes or (1,) * len(module.types)):
        groups += [(group, size)] * size
    first_index: dict[int, int] = {}
    canonical = [first_index.setdefault(id(defined), index) for index, defined in enumerate(module.canonical_types())]
    summaries = []
    for index, composite in enumerate(module.types):
        subtype = module.subtypes[index] if module.subtypes else None
        fields: tuple[str, ...]
        if composite.__class__ is FuncType:
            kind, fields = "func", ()
        elif composite.__class__ is StructType:
            kind, fields = "struct", tuple(field.text for field in composite.fields)
        else:
            kind, fields = "array", (composite.field.text,)
        params, results = _types(composite) if kind == "func" else ((), ())
        summaries.append(
            TypeSummary(
                index,
                kind,
                params,
                results,
                fields,
                *groups[index],
                final=subtype is None or subtype.final,
                supertypes=() if subtype is None else subtype.supertypes,
                canonical=canonical[index],
            )
        )
    return tuple(summaries)


def _types(functype: FuncType) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if functype.__class__ is not FuncType:  # a struct or array type (GC): its text, in the parameters' place
        return (functype.text,), ()
    return tuple(t.text for t in functype.params), tuple(t.text for t in functype.results)


def summarize(module: Module, *, file: str, text_format: bool, file_size: int) -> ModuleSummary:
    """The summary of ``module``, read from ``file`` (``file_size`` bytes, text or binary)."""
    imports = imports_by_kind(module)
    return ModuleSummary(
        file=file,
        format="text" if text_format else "binary",
        file_size=file_size,
        size=len(module.raw),
        module_name=module.names.module,
        start=module.start,
        proposals=proposals_used(module),
        sections=_sections(module),
        types=_type_summaries(module),
        imports=_imports(module),
        exports=tuple(ExportSummary(export.name, export.kind.text, export.index) for export in module.exports),
        functions=_functions(module, imports[ExternKind.FUNC]),
        tables=tuple(
            TableSummary(
                index,
                table.element.text,
                table.limits.min,
                table.limits.max,
                import_name(imports[ExternKind.TABLE], index),
                table.limits.address_type.text,
            )
            for index, table in enumerate(module.table_types)
        ),
        memories=tuple(
            MemorySummary(
                index,
                memory.limits.min,
                memory.limits.max,
                import_name(imports[ExternKind.MEMORY], index),
                memory.limits.address_type.text,
                memory.page_size,
            )
            for index, memory in enumerate(module.memory_types)
        ),
        globals=_globals(module, imports[ExternKind.GLOBAL]),
        elements=tuple(
            ElementSummary(
                index,
                segment.mode.value,
                segment.table_index if segment.offset is not None else None,
                const_expr_text(segment.offset) if segment.offset is not None else None,
                segment.element_type.text,
                len(segment.init),
            )
            for index, segment in enumerate(module.elements)
        ),
        data=tuple(
            DataSummary(
                index,
                segment.mode.value,
                segment.memory_index if segment.offset is not None else None,
                const_expr_text(segment.offset) if segment.offset is not None else None,
                len(segment.data),
            )
            for index, segment in enumerate(module.datas)
        ),
        customs=tuple(
            CustomSummary(custom.name, custom.content_start, custom.end, custom.end - custom.content_start)
            for custom in module.customs
        ),
    )


def _sections(module: Module) -> tuple[SectionSummary, ...]:
    custom_names = {custom.end: custom.name for custom in module.customs}
    return tuple(
        SectionSummary(
            section.id,
            section.name,
            custom_names.get(section.end) if section.id == 0 else None,
            section.start,
            section.content_start,
            section.end,
            section.end - section.content_start,
        )
        for section in module.sections
    )


def _imports(module: Module) -> tuple[ImportSummary, ...]:
    next_index = dict.fromkeys(ExternKind, 0)
    summaries = []
    for entry in module.imports:
        index = next_index[entry.kind]
        next_index[entry.kind] += 1
        summaries.append(
            ImportSummary(entry.module, entry.name, entry.kind.text, index, extern_type_text(module, entry))
        )
    return tuple(summaries)


def _functions(module: Module, imported: list[Import]) -> tuple[FunctionSummary, ...]:
    names = function_names(module)
    summaries = []
    for index, type_index in enumerate(module.func_type_indices):
        params, results = _types(module.types[type_index])
        if index < len(imported):
            summaries.append(
                FunctionSummary(
                    index,
                    names.get(index),
                    type_index,
                    params,
                    results,
                    import_name(imported, index),
                    None,
                    None,
                    None,
                )
            )
            continue
        body = module.body(index)
        body_size = Reader(module.raw, body.start, body.end).u32()
        locals_count = sum(count for count, _ in body.locals)
        summaries.append(
            FunctionSummary(
                index, names.get(index), type_index, params, results, None, locals_count, body_size, body.start
            )
        )
    return tuple(summaries)


def _globals(module: Module, imported: list[Import]) -> tuple[GlobalSummary, ...]:
    summaries = []
    for index, global_type in enumerate(module.global_types):
        init = None if index < len(imported) else const_expr_text(module.globals[index - len(imported)].init)
        summaries.append(
            GlobalSummary(index, global_type.valtype.text, global_type.mutable, init, import_name(imported, index))
        )
    return tuple(summaries)
