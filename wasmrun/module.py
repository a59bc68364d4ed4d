"""The decoded module: what a WebAssembly binary declares, as frozen data.

Only :mod:`wasmrun.binary.decoder` builds a :class:`Module` (text is first
encoded to bytes).  Function bodies are not decoded here: each
:class:`FunctionBody` is a byte range of :attr:`Module.raw`, decoded on demand by
:func:`wasmrun.binary.instructions.decode_function_body`.  The index-space
tuples (``func_type_indices`` and friends) put imports first, as the spec
numbers them, so the validator and the engine never re-derive them.
"""

from __future__ import annotations

import enum
from typing import Any

from wasmrun.deftypes import DefinedType, SubType, canonical_types
from wasmrun.records import Record, frozen_record, set_field
from wasmrun.types import ExternKind, FuncType, GlobalType, MemoryType, TableType, TagType, ValueType

Instruction = tuple[int, Any, int]
"""``(opcode, immediate, byte offset in the module)``; see :mod:`wasmrun.instructions`."""


@frozen_record(frozen=True)
class ConstExpr(Record):
    """A constant expression: its instructions without the final ``end``."""

    instructions: tuple[Instruction, ...]
    offset: int

    def __init__(self, instructions: tuple[Instruction, ...], offset: int) -> None:
        set_field(self, "instructions", instructions)
        set_field(self, "offset", offset)


@frozen_record(frozen=True)
class Import(Record):
    module: str
    name: str
    kind: ExternKind
    # A type index for functions; the extern type for the other kinds.
    desc: int | TableType | MemoryType | GlobalType | TagType

    def __init__(
        self, module: str, name: str, kind: ExternKind, desc: int | TableType | MemoryType | GlobalType | TagType
    ) -> None:
        set_field(self, "module", module)
        set_field(self, "name", name)
        set_field(self, "kind", kind)
        set_field(self, "desc", desc)


@frozen_record(frozen=True)
class Export(Record):
    name: str
    kind: ExternKind
    index: int

    def __init__(self, name: str, kind: ExternKind, index: int) -> None:
        set_field(self, "name", name)
        set_field(self, "kind", kind)
        set_field(self, "index", index)


@frozen_record(frozen=True)
class Global(Record):
    type: GlobalType
    init: ConstExpr

    def __init__(self, type: GlobalType, init: ConstExpr) -> None:
        set_field(self, "type", type)
        set_field(self, "init", init)


class SegmentMode(enum.Enum):
    ACTIVE = "active"
    PASSIVE = "passive"
    DECLARATIVE = "declarative"


@frozen_record(frozen=True)
class ElementSegment(Record):
    mode: SegmentMode
    element_type: ValueType
    # Every element as a constant expression (a function index in the binary's
    # compact form becomes ``ref.func i``).
    init: tuple[ConstExpr, ...]
    table_index: int
    offset: ConstExpr | None
    # Written as function indices (the binary's compact forms): its elements are ``(ref func)`` in
    # WebAssembly 3.0, whatever ``element_type`` (funcref) says.
    function_indices: bool

    _hidden = ("function_indices",)

    def __init__(
        self,
        mode: SegmentMode,
        element_type: ValueType,
        init: tuple[ConstExpr, ...],
        table_index: int = 0,
        offset: ConstExpr | None = None,
        function_indices: bool = False,
    ) -> None:
        set_field(self, "mode", mode)
        set_field(self, "element_type", element_type)
        set_field(self, "init", init)
        set_field(self, "table_index", table_index)
        set_field(self, "offset", offset)
        set_field(self, "function_indices", function_indices)


@frozen_record(frozen=True)
class DataSegment(Record):
    mode: SegmentMode
    data: bytes
    memory_index: int
    offset: ConstExpr | None

    def __init__(self, mode: SegmentMode, data: bytes, memory_index: int = 0, offset: ConstExpr | None = None) -> None:
        set_field(self, "mode", mode)
        set_field(self, "data", data)
        set_field(self, "memory_index", memory_index)
        set_field(self, "offset", offset)


@frozen_record(frozen=True)
class FunctionBody(Record):
    """A function body as a byte range of the module.

    ``start`` is the offset of the body's size field (the start of the code
    section entry), ``code_start`` the offset of the first instruction and
    ``end`` the offset just past the final ``end`` opcode.
    """

    start: int
    code_start: int
    end: int
    locals: tuple[tuple[int, ValueType], ...]

    def __init__(self, start: int, code_start: int, end: int, locals: tuple[tuple[int, ValueType], ...]) -> None:
        set_field(self, "start", start)
        set_field(self, "code_start", code_start)
        set_field(self, "end", end)
        set_field(self, "locals", locals)


@frozen_record(frozen=True)
class Section(Record):
    """Where a section sits: ``start`` is its id byte, ``content_start`` its contents."""

    id: int
    start: int
    content_start: int
    end: int

    def __init__(self, id: int, start: int, content_start: int, end: int) -> None:
        set_field(self, "id", id)
        set_field(self, "start", start)
        set_field(self, "content_start", content_start)
        set_field(self, "end", end)

    @property
    def name(self) -> str:
        return SECTION_NAMES.get(self.id, f"section {self.id}")


SECTION_NAMES = {
    0: "custom",
    1: "type",
    2: "import",
    3: "function",
    4: "table",
    5: "memory",
    6: "global",
    7: "export",
    8: "start",
    9: "element",
    10: "code",
    11: "data",
    12: "datacount",
    13: "tag",
}


@frozen_record(frozen=True)
class CustomSection(Record):
    """A custom section, kept by name and byte range (contents after the name)."""

    name: str
    content_start: int
    end: int

    def __init__(self, name: str, content_start: int, end: int) -> None:
        set_field(self, "name", name)
        set_field(self, "content_start", content_start)
        set_field(self, "end", end)


@frozen_record(frozen=True)
class NameMap(Record):
    """The ``name`` custom section (only what could be decoded)."""

    module: str | None
    functions: dict[int, str]
    locals: dict[int, dict[int, str]]

    def __init__(
        self,
        module: str | None = None,
        functions: dict[int, str] | None = None,
        locals: dict[int, dict[int, str]] | None = None,
    ) -> None:
        set_field(self, "module", module)
        set_field(self, "functions", functions if functions is not None else {})
        set_field(self, "locals", locals if locals is not None else {})


@frozen_record(frozen=True)
class Module(Record):
    raw: bytes
    types: tuple[Any, ...]
    imports: tuple[Import, ...]
    functions: tuple[int, ...]  # type index of each function the module defines
    tables: tuple[TableType, ...]
    memories: tuple[MemoryType, ...]
    globals: tuple[Global, ...]
    exports: tuple[Export, ...]
    start: int | None
    elements: tuple[ElementSegment, ...]
    data_count: int | None
    codes: tuple[FunctionBody, ...]
    datas: tuple[DataSegment, ...]
    customs: tuple[CustomSection, ...]
    sections: tuple[Section, ...]
    names: NameMap
    # Index spaces, imports first (filled in by the decoder; not in the repr).
    func_type_indices: tuple[int, ...]
    table_types: tuple[TableType, ...]
    memory_types: tuple[MemoryType, ...]
    global_types: tuple[GlobalType, ...]
    tags: tuple[int, ...]  # type index of each tag the module defines (exception handling)
    tag_type_indices: tuple[int, ...]  # the tag index space, imports first
    # The initialiser expression of each defined table (None: null), when one has one (typed references).
    table_inits: tuple[ConstExpr | None, ...]
    # GC: each type's definition (empty: every type final, without supertypes) and the size of each
    # recursion group (empty: each type its own group); ``types`` holds the composite types.
    subtypes: tuple[SubType, ...]
    rec_sizes: tuple[int, ...]

    _hidden = (
        "subtypes",
        "rec_sizes",
        "func_type_indices",
        "table_types",
        "memory_types",
        "global_types",
        "tag_type_indices",
        "table_inits",
    )

    def __init__(
        self,
        raw: bytes,
        types: tuple[Any, ...] = (),
        imports: tuple[Import, ...] = (),
        functions: tuple[int, ...] = (),
        tables: tuple[TableType, ...] = (),
        memories: tuple[MemoryType, ...] = (),
        globals: tuple[Global, ...] = (),
        exports: tuple[Export, ...] = (),
        start: int | None = None,
        elements: tuple[ElementSegment, ...] = (),
        data_count: int | None = None,
        codes: tuple[FunctionBody, ...] = (),
        datas: tuple[DataSegment, ...] = (),
        customs: tuple[CustomSection, ...] = (),
        sections: tuple[Section, ...] = (),
        names: NameMap | None = None,
        func_type_indices: tuple[int, ...] = (),
        table_types: tuple[TableType, ...] = (),
        memory_types: tuple[MemoryType, ...] = (),
        global_types: tuple[GlobalType, ...] = (),
        tags: tuple[int, ...] = (),
        tag_type_indices: tuple[int, ...] = (),
        table_inits: tuple[ConstExpr | None, ...] = (),
        subtypes: tuple[SubType, ...] = (),
        rec_sizes: tuple[int, ...] = (),
    ) -> None:
        set_field(self, "raw", raw)
        set_field(self, "types", types)
        set_field(self, "imports", imports)
        set_field(self, "functions", functions)
        set_field(self, "tables", tables)
        set_field(self, "memories", memories)
        set_field(self, "globals", globals)
        set_field(self, "exports", exports)
        set_field(self, "start", start)
        set_field(self, "elements", elements)
        set_field(self, "data_count", data_count)
        set_field(self, "codes", codes)
        set_field(self, "datas", datas)
        set_field(self, "customs", customs)
        set_field(self, "sections", sections)
        set_field(self, "names", names if names is not None else NameMap())
        set_field(self, "func_type_indices", func_type_indices)
        set_field(self, "table_types", table_types)
        set_field(self, "memory_types", memory_types)
        set_field(self, "global_types", global_types)
        set_field(self, "tags", tags)
        set_field(self, "tag_type_indices", tag_type_indices)
        set_field(self, "table_inits", table_inits)
        set_field(self, "subtypes", subtypes)
        set_field(self, "rec_sizes", rec_sizes)

    @property
    def num_imported_functions(self) -> int:
        return len(self.func_type_indices) - len(self.functions)

    @property
    def num_imported_globals(self) -> int:
        return len(self.global_types) - len(self.globals)

    @property
    def num_imported_tables(self) -> int:
        return len(self.table_types) - len(self.tables)

    @property
    def num_imported_memories(self) -> int:
        return len(self.memory_types) - len(self.memories)

    @property
    def num_imported_tags(self) -> int:
        return len(self.tag_type_indices) - len(self.tags)

    def tag_type(self, tag_index: int) -> FuncType:
        """The type of tag ``tag_index`` (its parameters are the exception's payload; no results)."""
        return self.types[self.tag_type_indices[tag_index]]

    def func_type(self, func_index: int) -> FuncType:
        """The type of function ``func_index`` in the function index space."""
        return self.types[self.func_type_indices[func_index]]

    def canonical_types(self) -> list[DefinedType]:
        """Each type's canonical identity (see :mod:`wasmrun.deftypes`); for a validated type section."""
        return canonical_types(self.types, self.subtypes, self.rec_sizes)

    def body(self, func_index: int) -> FunctionBody:
        """The body of a defined function, by its index in the function index space."""
        return self.codes[func_index - self.num_imported_functions]

    def section_offset(self, section_id: int) -> int | None:
        """Where the contents of the first section with id ``section_id`` start, if there is one."""
        for section in self.sections:
            if section.id == section_id:
                return section.content_start
        return None

    def custom_section(self, name: str) -> bytes | None:
        """The contents of the first custom section called ``name``, if any."""
        for custom in self.customs:
            if custom.name == name:
                return self.raw[custom.content_start : custom.end]
        return None
