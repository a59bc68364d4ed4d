"""Decoding a module's binary form (spec chapter 5) into a :class:`~wasmrun.module.Module`.

Function bodies are not decoded here: each becomes a :class:`FunctionBody` byte
range, decoded on demand by :func:`~wasmrun.binary.instructions.decode_function_body`.

Malformedness is reported with the reference interpreter's texts, which the
spec tests expect, and so follows its way of reading: every read inside a
section is bounded by the end of the *module*, not of the section, and a
section's size is checked once its contents are read ("section size
mismatch").  Lengths and vector counts may not exceed the bytes left counting
from their own first byte ("length out of bounds", see
:meth:`Reader.length <wasmrun.binary.reader.Reader.length>`).  So a count one too
large reads into the next section and fails there, exactly as the tests expect.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any, TypeVar, cast

from wasmrun.binary.instructions import (
    decode_function_body,
    kind_table,
    legacy_memory,
    read_instructions,
    read_reftype,
    read_valtype,
)
from wasmrun.binary.names import decode_names
from wasmrun.binary.reader import Reader
from wasmrun.deftypes import ArrayType, FieldType, PackedType, StructType, SubType
from wasmrun.errors import DecodeError
from wasmrun.instructions import opcode_of
from wasmrun.module import (
    ConstExpr,
    CustomSection,
    DataSegment,
    ElementSegment,
    Export,
    FunctionBody,
    Global,
    Import,
    Instruction,
    Module,
    NameMap,
    Section,
    SegmentMode,
)
from wasmrun.types import (
    ExternKind,
    FuncType,
    GlobalType,
    Limits,
    MemoryType,
    TableType,
    TagType,
    ValType,
    ValueType,
)

MAGIC = b"\0asm"
VERSION = b"\x01\0\0\0"

_CUSTOM, _TYPE, _IMPORT, _FUNCTION, _TABLE, _MEMORY, _GLOBAL = 0, 1, 2, 3, 4, 5, 6
_EXPORT, _START, _ELEMENT, _CODE, _DATA, _DATA_COUNT = 7, 8, 9, 10, 11, 12
_TAG = 13  # exception handling
_TAG_ATTRIBUTE_EXCEPTION = 0  # the one tag attribute

# Where each non-custom section may appear: data count sits between element and code.
_RANK: dict[int, float] = {
    _TYPE: 1,
    _IMPORT: 2,
    _FUNCTION: 3,
    _TABLE: 4,
    _MEMORY: 5,
    _TAG: 5.5,  # between memory and global (ranks compare; the tag section came later)
    _GLOBAL: 6,
    _EXPORT: 7,
    _START: 8,
    _ELEMENT: 9,
    _DATA_COUNT: 10,
    _CODE: 11,
    _DATA: 12,
}

_MAX_LOCALS = 0xFFFFFFFF
_FUNC_TYPE_FORM = 0x60
_STRUCT_FORM = 0x5F
_ARRAY_FORM = 0x5E
_REC_FORM = 0x4E
_SUB_FORM = 0x50
_SUB_FINAL_FORM = 0x4F
_MUTABILITY = {0: False, 1: True}
_REF_FUNC = opcode_of("ref.func")  # function indices in element segments are decoded as its constant expressions
_DATA_INSTRUCTIONS = frozenset((opcode_of("memory.init"), opcode_of("data.drop")))
# Every encoding of memory.init/data.drop starts with one of these byte pairs
# (0x88/0x89 begin an over-long LEB128 of 8/9); finding none proves neither is used.
_DATA_INSTRUCTION_CANDIDATE = re.compile(rb"\xfc[\x08\x09\x88\x89]")


M = TypeVar("M", bound=Module)


def decode_module(
    data: bytes | bytearray | memoryview,
    record: type[M] = Module,  # type: ignore[assignment]
    disabled: frozenset[str] = frozenset(),
    *,
    validating: bool = False,
) -> M:
    """Decode a binary module; raises :class:`DecodeError` if it is malformed.

    ``record``: the class of the result, :class:`Module` or a subclass of it (the loader's).
    ``disabled``: proposals decoded as malformed, as a decoder from before them would (the spec
    scripts of WebAssembly 2.0 expect it; :attr:`wasmrun.features.Features.disabled`).
    With both memory proposals in ``disabled``, limits and memory immediates are read as WebAssembly
    2.0 did; with custom-page-sizes in it, a memory's page size (limits flag bit 3) is malformed, and
    with threads in it, a shared memory (limits flag bit 1).
    ``validating``: the caller validates the module next, so the one check here that reads function
    bodies, :func:`check_data_count`, is left to the validator, which reads every body anyway (and
    makes it, as here, after malformed bodies and before anything invalid).
    """
    data = bytes(data)  # no copy when it is already ``bytes``
    if len(data) < 4:
        raise DecodeError("unexpected end", len(data))
    if data[:4] != MAGIC:
        raise DecodeError("magic header not detected", 0)
    if len(data) < 8:
        raise DecodeError("unexpected end", len(data))
    if data[4:8] != VERSION:
        if data[:8] == COMPONENT_PREAMBLE:
            raise DecodeError("this is a component (the Component Model), not a core module", 4)
        raise DecodeError("unknown binary version", 4)
    return cast(M, _ModuleDecoder(data, record, disabled, validating).decode())  # build() makes a ``record``


COMPONENT_PREAMBLE = MAGIC + b"\x0d\x00\x01\x00"
"""A component's first bytes: the magic, version 0x0d, layer 1 (a core module has version 1, layer 0).
Here, where start-up has it, so that telling a component apart imports nothing of the Component Model."""


class _ModuleDecoder:
    """The state of one decoding: a reader over the module and what was read so far."""

    def __init__(
        self,
        data: bytes,
        record: type[Module] = Module,
        disabled: frozenset[str] = frozenset(),
        validating: bool = False,
    ) -> None:
        self.data = data
        self.disabled = disabled
        self.validating = validating
        self.kinds = kind_table(disabled)
        self.exceptions = "exception-handling" not in disabled
        self.last_kind = ExternKind.TAG if self.exceptions else ExternKind.GLOBAL
        self.legacy_memory = legacy_memory(disabled)
        self.custom_page_sizes = "custom-page-sizes" not in disabled
        self.threads = "threads" not in disabled
        self.record = record
        self.reader = Reader(data, 8, len(data), "unexpected end of section or function")
        self.types: list[Any] = []  # composite types
        self.subtypes: list[SubType] = []
        self.rec_sizes: list[int] = []
        self.imports: list[Import] = []
        self.functions: list[int] = []
        self.tables: list[TableType] = []
        self.table_inits: list[ConstExpr | None] = []
        self.memories: list[MemoryType] = []
        self.globals: list[Global] = []
        self.exports: list[Export] = []
        self.start: int | None = None
        self.elements: list[ElementSegment] = []
        self.data_count: int | None = None
        self.codes: list[FunctionBody] = []
        self.datas: list[DataSegment] = []
        self.customs: list[CustomSection] = []
        self.sections: list[Section] = []
        self.names: NameMap | None = None
        self.tags: list[int] = []
        self.section_readers: dict[int, Callable[[int], None]] = {
            _CUSTOM: self.custom_section,
            _TYPE: self.type_section,
            _IMPORT: self.import_section,
            _FUNCTION: self.function_section,
            _TABLE: self.table_section,
            _MEMORY: self.memory_section,
            _GLOBAL: self.global_section,
            _EXPORT: self.export_section,
            _START: self.start_section,
            _ELEMENT: self.element_section,
            _DATA_COUNT: self.data_count_section,
            _CODE: self.code_section,
            _DATA: self.data_section,
            _TAG: self.tag_section,
        }

    def decode(self) -> Module:
        try:
            self.read_sections()
        except DecodeError:
            # The reference interpreter decodes each body where it stands, so a
            # malformed body is reported before any later error.  Bodies are only
            # decoded here, on the way out, to keep that order.
            self.check_bodies()
            raise
        return self.build()

    def check_bodies(self) -> None:
        for body in self.codes:
            decode_function_body(self.data, body, self.disabled)

    def read_sections(self) -> None:
        data, reader = self.data, self.reader
        module_end = len(data)
        last_rank = 0.0
        found: dict[int, Section] = {}
        while reader.pos < module_end:
            start = reader.pos
            section_id = data[start]
            if section_id > _TAG or (section_id == _TAG and not self.exceptions):
                raise DecodeError("malformed section id", start)
            if section_id != _CUSTOM:
                # Out of order or repeated: the reference decoder has moved past
                # this section's place, so what is left is content it cannot read.
                rank = _RANK[section_id]
                if rank <= last_rank:
                    raise DecodeError("unexpected content after last section", start)
                last_rank = rank
            reader.pos = start + 1
            size = reader.length()
            content_start = reader.pos
            end = content_start + size
            self.section_readers[section_id](end)
            if reader.pos != end:
                raise DecodeError("section size mismatch", content_start)
            section = Section(section_id, start, content_start, end)
            self.sections.append(section)
            found.setdefault(section_id, section)
        self.check_counts(found)

    def check_counts(self, found: dict[int, Section]) -> None:
        """The checks that need the whole module, in the reference interpreter's order."""
        at = len(self.data)
        if len(self.functions) != len(self.codes):
            raise DecodeError("function and code section have inconsistent lengths", at)
        if self.data_count is not None and self.data_count != len(self.datas):
            raise DecodeError("data count and data section have inconsistent lengths", at)
        if self.data_count is None and _CODE in found and not self.validating:
            check_data_count(self.data_count, self.bodies_use_data_segments(found[_CODE]), at)

    def bodies_use_data_segments(self, code: Section) -> bool:
        """Whether a body uses memory.init or data.drop (only they need a data count section).

        A byte search rules out almost every module; only bodies holding a
        candidate byte pair are decoded to be sure.
        """
        codes = self.codes
        starts = [body.code_start for body in codes]
        checked: set[int] = set()
        for match in _DATA_INSTRUCTION_CANDIDATE.finditer(self.data, code.content_start, code.end):
            index = bisect.bisect_right(starts, match.start()) - 1
            if index < 0 or index in checked:
                continue
            checked.add(index)
            if uses_data_segments(decode_function_body(self.data, codes[index], self.disabled)):
                return True
        return False

    def build(self) -> Module:
        imported_funcs: list[int] = []
        imported_tables: list[TableType] = []
        imported_memories: list[MemoryType] = []
        imported_globals: list[GlobalType] = []
        imported_tags: list[int] = []
        for imported in self.imports:
            desc = imported.desc
            if isinstance(desc, TagType):
                imported_tags.append(desc.type_index)
            elif isinstance(desc, int):
                imported_funcs.append(desc)
            elif isinstance(desc, TableType):
                imported_tables.append(desc)
            elif isinstance(desc, MemoryType):
                imported_memories.append(desc)
            else:
                imported_globals.append(desc)
        return self.record(
            raw=self.data,
            types=tuple(self.types),
            # Only a module that declares GC types keeps the definitions (the others' are all implied).
            subtypes=tuple(self.subtypes) if self.declares_gc_types() else (),
            rec_sizes=tuple(self.rec_sizes) if self.declares_gc_types() else (),
            imports=tuple(self.imports),
            functions=tuple(self.functions),
            tables=tuple(self.tables),
            memories=tuple(self.memories),
            globals=tuple(self.globals),
            exports=tuple(self.exports),
            start=self.start,
            elements=tuple(self.elements),
            data_count=self.data_count,
            codes=tuple(self.codes),
            datas=tuple(self.datas),
            customs=tuple(self.customs),
            sections=tuple(self.sections),
            names=self.names if self.names is not None else NameMap(),
            func_type_indices=(*imported_funcs, *self.functions),
            table_types=(*imported_tables, *self.tables),
            memory_types=(*imported_memories, *self.memories),
            global_types=(*imported_globals, *(g.type for g in self.globals)),
            tags=tuple(self.tags),
            tag_type_indices=(*imported_tags, *self.tags),
            table_inits=tuple(self.table_inits) if any(init is not None for init in self.table_inits) else (),
        )

    # Sections.  Each reads its contents from ``self.reader``; ``end`` is where
    # the section says it ends (checked by the caller).

    def custom_section(self, end: int) -> None:
        reader = self.reader
        if end > len(self.data):
            # A size may overshoot the module by its own encoding's length (see Reader.length); other
            # sections then fail reading their contents, a custom section's must be checked.
            raise DecodeError("unexpected end", len(self.data))
        name = reader.name()
        if reader.pos > end:
            raise DecodeError("unexpected end of section or function", end)
        self.customs.append(CustomSection(name, reader.pos, end))
        if name == "name" and self.names is None:
            self.names = decode_names(self.data, reader.pos, end)
        reader.pos = end

    def type_section(self, end: int) -> None:
        """A vector of recursion groups (WebAssembly 3.0); a lone sub type is a group of one."""
        reader = self.reader
        gc = "gc" not in self.disabled
        for _ in range(reader.length()):
            offset = reader.pos
            if gc and reader.pos < end and self.data[reader.pos] == _REC_FORM:
                reader.pos += 1
                count = reader.length()
                for _ in range(count):
                    self.read_subtype(gc)
                self.rec_sizes.append(count)
            else:
                self.read_subtype(gc)
                self.rec_sizes.append(1)
            del offset

    def declares_gc_types(self) -> bool:
        return len(self.rec_sizes) != len(self.types) or any(
            not sub.final or sub.supertypes or sub.composite.__class__ is not FuncType for sub in self.subtypes
        )

    def read_subtype(self, gc: bool) -> None:
        reader = self.reader
        offset = reader.pos
        form = reader.byte()
        final = True
        supertypes: tuple[int, ...] = ()
        if gc and form in (_SUB_FORM, _SUB_FINAL_FORM):
            final = form == _SUB_FINAL_FORM
            supertypes = tuple(reader.u32() for _ in range(reader.length()))
            offset = reader.pos
            form = reader.byte()
        composite: Any
        if form == _FUNC_TYPE_FORM:
            params = _read_valtypes(reader)
            composite = FuncType(params, _read_valtypes(reader))
        elif gc and form == _STRUCT_FORM:
            composite = StructType(tuple(_read_field_type(reader) for _ in range(reader.length())))
        elif gc and form == _ARRAY_FORM:
            composite = ArrayType(_read_field_type(reader))
        else:
            # The form is a one-byte signed LEB128 in the reference interpreter.
            if form & 0x80:
                raise DecodeError("integer representation too long", offset)
            raise DecodeError("malformed function type", offset)  # (the reference interpreter's words, 3.0 too)
        self.types.append(composite)
        self.subtypes.append(SubType(final, supertypes, composite))

    def import_section(self, end: int) -> None:
        reader = self.reader
        for _ in range(reader.length()):
            module_name = reader.name()
            name = reader.name()
            offset = reader.pos
            kind = reader.byte()
            desc: int | TableType | MemoryType | GlobalType | TagType
            if kind == ExternKind.FUNC:
                desc = reader.u32()
            elif kind == ExternKind.TABLE:
                desc = _read_table_type(reader, self.legacy_memory)
            elif kind == ExternKind.MEMORY:
                desc = self.read_memory_type()
            elif kind == ExternKind.GLOBAL:
                desc = _read_global_type(reader)
            elif kind == ExternKind.TAG and self.exceptions:
                desc = _read_tag_type(reader)
            else:
                raise DecodeError("malformed import kind", offset)
            self.imports.append(Import(module_name, name, ExternKind(kind), desc))

    def function_section(self, end: int) -> None:
        reader = self.reader
        u32 = reader.u32
        self.functions = [u32() for _ in range(reader.length())]

    def table_section(self, end: int) -> None:
        reader = self.reader
        for _ in range(reader.length()):
            if reader.pos < end and reader.data[reader.pos] == 0x40:  # a table with an initialiser
                reader.pos += 1
                offset = reader.pos
                if reader.byte() != 0x00:
                    raise DecodeError("malformed table", offset)
                self.tables.append(_read_table_type(reader, self.legacy_memory))
                self.table_inits.append(_read_const_expr(reader, self.kinds))
            else:
                self.tables.append(_read_table_type(reader, self.legacy_memory))
                self.table_inits.append(None)

    def memory_section(self, end: int) -> None:
        reader = self.reader
        self.memories = [self.read_memory_type() for _ in range(reader.length())]

    def read_memory_type(self) -> MemoryType:
        reader = self.reader
        # Limits flag bit 1 (threads): a shared memory.
        flag = reader.data[reader.pos] if reader.pos < reader.end else 0
        shared = self.threads and flag < 0x80 and bool(flag & 0x02)
        if not self.custom_page_sizes or not flag & 0x08:
            limits = _read_limits(reader, self.legacy_memory, flag & ~0x02 if shared else None)
            return MemoryType(limits, 16, shared)
        # Limits flag bit 3 (custom-page-sizes): the page size's log2 follows the limits.
        limits = _read_limits(reader, False, flag & ~0x0A)  # (the flag byte is read there, bits 1 and 3 cleared)
        offset = reader.pos
        page_size_log2 = reader.u32()
        if page_size_log2 >= 64:
            raise DecodeError("invalid custom page size", offset)
        return MemoryType(limits, page_size_log2, shared)

    def global_section(self, end: int) -> None:
        reader = self.reader
        for _ in range(reader.length()):
            global_type = _read_global_type(reader)
            self.globals.append(Global(global_type, _read_const_expr(reader, self.kinds)))

    def export_section(self, end: int) -> None:
        reader = self.reader
        for _ in range(reader.length()):
            name = reader.name()
            offset = reader.pos
            kind = reader.byte()
            if kind > self.last_kind:
                raise DecodeError("malformed export kind", offset)
            self.exports.append(Export(name, ExternKind(kind), reader.u32()))

    def tag_section(self, end: int) -> None:
        reader = self.reader
        self.tags = [_read_tag_type(reader).type_index for _ in range(reader.length())]

    def start_section(self, end: int) -> None:
        self.start = self.reader.u32()

    def element_section(self, end: int) -> None:
        reader = self.reader
        for _ in range(reader.length()):
            self.elements.append(_read_element_segment(reader, self.kinds))

    def data_count_section(self, end: int) -> None:
        self.data_count = self.reader.u32()

    def code_section(self, end: int) -> None:
        reader = self.reader
        valtype = read_valtype
        codes = self.codes
        # Bodies declaring the same locals share one tuple of them (a compiler's functions repeat a few).
        locals_seen: dict[tuple[tuple[int, ValueType], ...], tuple[tuple[int, ValueType], ...]] = {}
        for _ in range(reader.length()):
            start = reader.pos
            size = reader.length()
            body_end = reader.pos + size
            entries = []
            total = 0
            for _ in range(reader.length()):
                count = reader.u32()
                entries.append((count, valtype(reader)))
                total += count
            if total > _MAX_LOCALS:
                raise DecodeError("too many locals", start)
            code_start = reader.pos
            if code_start > body_end:
                # The locals ran past the body: no instruction sequence can end it.
                raise DecodeError("section size mismatch", start)
            declared = tuple(entries)
            codes.append(FunctionBody(start, code_start, body_end, locals_seen.setdefault(declared, declared)))
            reader.pos = body_end

    def data_section(self, end: int) -> None:
        reader = self.reader
        for _ in range(reader.length()):
            offset = reader.pos
            kind = reader.u32()
            memory_index = 0
            offset_expr = None
            if kind == 0:
                offset_expr = _read_const_expr(reader, self.kinds)
            elif kind == 2:
                memory_index = reader.u32()
                offset_expr = _read_const_expr(reader, self.kinds)
            elif kind != 1:
                raise DecodeError("malformed data segment kind", offset)
            mode = SegmentMode.PASSIVE if kind == 1 else SegmentMode.ACTIVE
            contents = reader.bytes(reader.length())
            self.datas.append(DataSegment(mode, contents, memory_index, offset_expr))


def uses_data_segments(instructions: list[Instruction]) -> bool:
    """Whether a body's instructions use a data segment: memory.init or data.drop."""
    return any(opcode in _DATA_INSTRUCTIONS for opcode, _, _ in instructions)


def check_data_count(data_count: int | None, used: bool, at: int) -> None:
    """A module whose bodies use data segments (``used``: see :func:`uses_data_segments`) needs a data
    count section (reported at the module's end, ``at``)."""
    if data_count is None and used:
        raise DecodeError("data count section required", at)


def body_size(raw: bytes, body: FunctionBody) -> int:
    """The size a function body declares (the bytes after its size field)."""
    return Reader(raw, body.start, body.end).u32()


def local_declaration_offsets(raw: bytes, body: FunctionBody) -> list[int]:
    """Where each of a function body's local declarations (``count type``) starts."""
    reader = Reader(raw, body.start, body.end)
    reader.u32()  # the body's size
    offsets = []
    for _ in range(reader.u32()):
        offsets.append(reader.pos)
        reader.u32()
        read_valtype(reader)
    return offsets


# Pieces shared by several sections.


def _read_valtypes(reader: Reader) -> tuple[ValueType, ...]:
    return tuple([read_valtype(reader) for _ in range(reader.length())])


def _read_field_type(reader: Reader) -> FieldType:
    offset = reader.pos
    code = reader.data[offset] if offset < reader.end else -1
    storage: Any
    if code in (PackedType.I8, PackedType.I16):
        reader.pos += 1
        storage = PackedType(code)
    else:
        storage = read_valtype(reader)
    offset = reader.pos
    mutable = _MUTABILITY.get(reader.byte())
    if mutable is None:
        raise DecodeError("malformed mutability", offset)
    return FieldType(storage, mutable)


def _read_tag_type(reader: Reader) -> TagType:
    offset = reader.pos
    if reader.byte() != _TAG_ATTRIBUTE_EXCEPTION:
        raise DecodeError("malformed tag attribute", offset)
    return TagType(reader.u32())


def _read_limits(reader: Reader, legacy: bool, flag_override: int | None = None) -> Limits:
    """Limits: a flags byte (bit 0: a maximum follows; bit 2: 64-bit, memory64 and table64), then u64s
    (a 32-bit memory's or table's bounds are the validator's).  ``legacy``: as WebAssembly 2.0 read them
    (a one-bit LEB128 flag, u32s)."""
    offset = reader.pos
    flag = reader.byte()
    if flag_override is not None:
        flag = flag_override
    if legacy and not flag & 0x04:  # (64-bit limits are memory64's: the validator names it when it is off)
        if flag & 0x7E:
            raise DecodeError("integer too large", offset)
        if flag & 0x80:
            raise DecodeError("integer representation too long", offset)
        try:
            minimum = reader.u32()
            return Limits(minimum, reader.u32() if flag else None)
        except DecodeError as error:
            # (In 2.0 text, a bound past 32 bits was an "i32 constant out of range".)
            if error.message == "integer too large":
                raise DecodeError("integer too large: i32 constant out of range", error.offset) from None
            raise
    # (The 2.0 texts in brackets: its flag was a one-bit LEB128.)
    if flag & 0x80:
        raise DecodeError("malformed limits flags (integer representation too long)", offset)
    if flag & ~0x05:
        raise DecodeError("malformed limits flags (integer too large)", offset)
    minimum = reader.u64()
    return Limits(minimum, reader.u64() if flag & 1 else None, bool(flag & 0x04))


def _read_table_type(reader: Reader, legacy: bool) -> TableType:
    element = read_reftype(reader)
    return TableType(element, _read_limits(reader, legacy))


def _read_global_type(reader: Reader) -> GlobalType:
    valtype = read_valtype(reader)
    offset = reader.pos
    mutability = reader.byte()
    if mutability > 1:
        raise DecodeError("malformed mutability", offset)
    return GlobalType(valtype, mutability == 1)


def _read_const_expr(reader: Reader, kinds: dict[int, int]) -> ConstExpr:
    offset = reader.pos
    instructions = read_instructions(reader, kinds)
    instructions.pop()  # the final ``end``
    return ConstExpr(tuple(instructions), offset)


def _read_element_kind(reader: Reader) -> ValType:
    offset = reader.pos
    if reader.byte() != 0x00:
        raise DecodeError("malformed element kind", offset)
    return ValType.FUNCREF


def _read_function_indices(reader: Reader) -> tuple[ConstExpr, ...]:
    """A vector of function indices, each as the constant expression ``ref.func i``."""
    init = []
    for _ in range(reader.length()):
        offset = reader.pos
        init.append(ConstExpr(((_REF_FUNC, reader.u32(), offset),), offset))
    return tuple(init)


def _read_const_exprs(reader: Reader, kinds: dict[int, int]) -> tuple[ConstExpr, ...]:
    return tuple([_read_const_expr(reader, kinds) for _ in range(reader.length())])


def _read_element_segment(reader: Reader, kinds: dict[int, int]) -> ElementSegment:
    """One of the eight encodings: bit 0 passive/declarative, bit 1 explicit table
    index (active) or declarative (not active), bit 2 expressions instead of indices."""
    offset = reader.pos
    kind = reader.u32()
    if kind > 7:
        raise DecodeError("malformed elements segment kind", offset)
    active = not kind & 1
    table_index = 0
    offset_expr = None
    if active:
        if kind & 2:
            table_index = reader.u32()
        offset_expr = _read_const_expr(reader, kinds)
        mode = SegmentMode.ACTIVE
    else:
        mode = SegmentMode.DECLARATIVE if kind & 2 else SegmentMode.PASSIVE
    uses_exprs = bool(kind & 4)
    if kind in (0, 4):
        element_type: ValueType = ValType.FUNCREF  # no type given: funcref
    elif uses_exprs:
        element_type = read_reftype(reader)
    else:
        element_type = _read_element_kind(reader)
    init = _read_const_exprs(reader, kinds) if uses_exprs else _read_function_indices(reader)
    return ElementSegment(mode, element_type, init, table_index, offset_expr, not uses_exprs)
