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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wasmrun.types import ExternKind, FuncType, GlobalType, MemoryType, TableType, ValType

Instruction = tuple[int, Any, int]
"""``(opcode, immediate, byte offset in the module)``; see :mod:`wasmrun.opcodes`."""


@dataclass(frozen=True, slots=True)
class ConstExpr:
    """A constant expression: its instructions without the final ``end``."""

    instructions: tuple[Instruction, ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Import:
    module: str
    name: str
    kind: ExternKind
    # A type index for functions; the extern type for the other kinds.
    desc: int | TableType | MemoryType | GlobalType


@dataclass(frozen=True, slots=True)
class Export:
    name: str
    kind: ExternKind
    index: int


@dataclass(frozen=True, slots=True)
class Global:
    type: GlobalType
    init: ConstExpr


class SegmentMode(enum.Enum):
    ACTIVE = "active"
    PASSIVE = "passive"
    DECLARATIVE = "declarative"


@dataclass(frozen=True, slots=True)
class ElementSegment:
    mode: SegmentMode
    element_type: ValType
    # Every element as a constant expression (a function index in the binary's
    # compact form becomes ``ref.func i``).
    init: tuple[ConstExpr, ...]
    table_index: int = 0
    offset: ConstExpr | None = None


@dataclass(frozen=True, slots=True)
class DataSegment:
    mode: SegmentMode
    data: bytes
    memory_index: int = 0
    offset: ConstExpr | None = None


@dataclass(frozen=True, slots=True)
class FunctionBody:
    """A function body as a byte range of the module.

    ``start`` is the offset of the body's size field (the start of the code
    section entry), ``code_start`` the offset of the first instruction and
    ``end`` the offset just past the final ``end`` opcode.
    """

    start: int
    code_start: int
    end: int
    locals: tuple[tuple[int, ValType], ...]


@dataclass(frozen=True, slots=True)
class Section:
    """Where a section sits: ``start`` is its id byte, ``content_start`` its contents."""

    id: int
    start: int
    content_start: int
    end: int

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
}


@dataclass(frozen=True, slots=True)
class CustomSection:
    """A custom section, kept by name and byte range (contents after the name)."""

    name: str
    content_start: int
    end: int


@dataclass(frozen=True, slots=True)
class NameMap:
    """The ``name`` custom section (only what could be decoded)."""

    module: str | None = None
    functions: dict[int, str] = field(default_factory=dict)
    locals: dict[int, dict[int, str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Module:
    raw: bytes
    types: tuple[FuncType, ...] = ()
    imports: tuple[Import, ...] = ()
    functions: tuple[int, ...] = ()  # type index of each function the module defines
    tables: tuple[TableType, ...] = ()
    memories: tuple[MemoryType, ...] = ()
    globals: tuple[Global, ...] = ()
    exports: tuple[Export, ...] = ()
    start: int | None = None
    elements: tuple[ElementSegment, ...] = ()
    data_count: int | None = None
    codes: tuple[FunctionBody, ...] = ()
    datas: tuple[DataSegment, ...] = ()
    customs: tuple[CustomSection, ...] = ()
    sections: tuple[Section, ...] = ()
    names: NameMap = field(default_factory=NameMap)
    # Index spaces, imports first (filled in by the decoder).
    func_type_indices: tuple[int, ...] = field(default=(), repr=False)
    table_types: tuple[TableType, ...] = field(default=(), repr=False)
    memory_types: tuple[MemoryType, ...] = field(default=(), repr=False)
    global_types: tuple[GlobalType, ...] = field(default=(), repr=False)

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

    def func_type(self, func_index: int) -> FuncType:
        """The type of function ``func_index`` in the function index space."""
        return self.types[self.func_type_indices[func_index]]

    def body(self, func_index: int) -> FunctionBody:
        """The body of a defined function, by its index in the function index space."""
        return self.codes[func_index - self.num_imported_functions]

    def custom_section(self, name: str) -> bytes | None:
        """The contents of the first custom section called ``name``, if any."""
        for custom in self.customs:
            if custom.name == name:
                return self.raw[custom.content_start : custom.end]
        return None

    # Public constructors.  They reach up to the decoder and validator lazily,
    # so that this module stays at the bottom of the pipeline.
    @classmethod
    def from_bytes(cls, data: bytes, *, validate: bool = True) -> Module:
        """Decode (and validate) a module from its binary or text form."""
        from wasmrun.loader import load_module

        return load_module(data, validate=validate)

    @classmethod
    def from_file(cls, path: str | Path, *, validate: bool = True) -> Module:
        """Read, decode (and validate) a ``.wasm`` or ``.wat`` file."""
        return cls.from_bytes(Path(path).read_bytes(), validate=validate)
