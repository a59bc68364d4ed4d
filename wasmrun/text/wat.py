"""WAT (the WebAssembly text format, spec chapter 6) to the binary format.

:func:`parse_module` reads one module and returns its bytes; nothing else of
the engine ever sees text.  It works in two passes over the tokens:

1. *scan*: every module field is located, identifiers are bound to indices in
   their index spaces (imports first, as the text must list them first), and
   the explicit type definitions are read;
2. *encode*: fields are encoded in textual order into their sections.  Type
   uses that match no type append a new one at the end of the type section, in
   the order they occur (the spec's abbreviation rule).

The identifiers of the module, its functions and their parameters and locals
also go into a ``name`` custom section (spec appendix 7.4), written last as
the wat crate writes it, so that traps name functions as Wasmtime does and
the offsets of every other section stay those of the plain encoding.

Identifiers are resolved here; numeric indices are written as they are, even
out of range, for the validator to judge.  Syntax errors and the errors the
text format itself defines (duplicate or unknown identifiers, ``inline
function type``, ``mismatching label``, malformed literals ...) raise
:class:`~wasmrun.errors.TextSyntaxError` with the reference interpreter's
words.

Instructions and type uses are read by the base class,
:class:`~wasmrun.text.instructions.InstructionParser`.
"""

from __future__ import annotations

from wasmrun.deftypes import ArrayType, CompositeType, FieldType, PackedType, StorageType, StructType, SubType
from wasmrun.errors import TextSyntaxError
from wasmrun.instructions import BY_MNEMONIC
from wasmrun.text.encoder import custom_section, limits, name, section, u32, vec
from wasmrun.text.instructions import END, REFTYPES, SPACES, InstructionParser
from wasmrun.text.lexer import Token, id_name, is_id, is_nat, tokenize
from wasmrun.types import ExternKind, FuncType, ValType, ValueType, encode_valtype

_DEFINITION_WORDS = {"func": "function", "table": "table", "memory": "memory", "global": "global", "tag": "tag"}
_EXTERN_KINDS = {
    "func": ExternKind.FUNC,
    "table": ExternKind.TABLE,
    "memory": ExternKind.MEMORY,
    "global": ExternKind.GLOBAL,
    "tag": ExternKind.TAG,
}

_PAGE_SIZE = 65536
_CONST_ZERO_OFFSET = b"\x41\x00\x0b"  # i32.const 0, end: inline table elements and memory data
_REF_FUNC = bytes((BY_MNEMONIC["ref.func"].opcode,))
_END_BYTE = bytes((END,))
_CONST_ZERO_OFFSET_64 = b"\x42\x00\x0b"  # i64.const 0, end: the same in a 64-bit table or memory

# Subsections of the ``name`` custom section.
_MODULE_NAME = 0
_FUNCTION_NAMES = 1
_LOCAL_NAMES = 2


def parse_module(text: str, *, allow_empty: bool = True) -> bytes:
    """The binary encoding of a WAT module.

    ``text`` is a ``(module ...)`` form, a ``(module binary ...)`` or
    ``(module quote ...)`` form, or bare module fields (an inline module).
    Without ``allow_empty``, text with no field at all (empty, or only
    comments) is refused as Wasmtime refuses such a file; a script's quoted
    module may be empty.
    """
    parser = _ModuleParser(text, tokenize(text))
    if not allow_empty and parser.tok == "":
        parser.error("expected at least one module field")
    return parser.parse()


class _ModuleParser(InstructionParser):
    def __init__(self, text: str, tokens: list[Token]) -> None:
        super().__init__(text, tokens)
        self.counts: dict[str, int] = dict.fromkeys(SPACES, 0)
        # (kind, token index of its "(", index in its space, index of an inline segment)
        self.fields: list[tuple[str, int, int, int]] = []
        self.last_definition: str | None = None
        # Section contents, entry by entry.
        self.imports: list[bytes] = []
        self.functions: list[bytes] = []
        self.tables: list[bytes] = []
        self.memories: list[bytes] = []
        self.globals: list[bytes] = []
        self.tags: list[bytes] = []
        self.exports: list[bytes] = []
        self.start: int | None = None
        self.elements: list[bytes] = []
        self.codes: list[bytes] = []
        self.datas: list[bytes] = []
        # The ``name`` section's contents: the module's identifier, and each
        # function's named parameters and locals (index -> identifier).
        self.module_id: str | None = None
        self.local_ids: dict[int, dict[int, str]] = {}

    # --- The module form ----------------------------------------------------

    def parse(self) -> bytes:
        if self.at_form("module"):
            self.i += 2
            if is_id(self.tok):
                self.module_id = self.tok
                self.i += 1
            if self.tok == "binary":
                self.i += 1
                data = self.strings()
                self.expect(")")
                self.expect("")
                return data
            if self.tok == "quote":
                self.i += 1
                quoted = self.strings()
                self.expect(")")
                self.expect("")
                return parse_module(quoted.decode("utf-8", "surrogateescape"))
            return self._fields(")")
        return self._fields("")

    def _fields(self, closing: str) -> bytes:
        try:
            self._scan_fields()
            if closing:
                self.expect(closing)
            self.expect("")
        except TextSyntaxError as error:
            self._raise_earlier_error(error)
            raise
        return self._encode()

    def _raise_earlier_error(self, error: TextSyntaxError) -> None:
        """Raise the first syntax error inside the fields scanned before ``error``, if any.

        The reference parser reads field after field, so a malformed instruction
        is reported before a stray token that follows its function.  Errors
        about identifiers do not count: the scan stopped before binding them all.
        """
        try:
            self._encode()
        except TextSyntaxError as earlier:
            message = earlier.message
            about_identifier = message.startswith("duplicate ") or (
                message.startswith("unknown ") and not message.startswith("unknown operator")
            )
            if not about_identifier and (earlier.line or 0, earlier.column or 0) < (error.line or 0, error.column or 0):
                raise earlier from None

    def _encode(self) -> bytes:
        encoders = {
            "func": self._func,
            "table": self._table,
            "memory": self._memory,
            "global": self._global,
            "tag": self._tag,
            "import": self._import,
            "export": self._export,
            "start": self._start,
            "elem": self._elem,
            "data": self._data,
        }
        for kind, start, index, segment in self.fields:
            self.i = start
            encoders[kind](index, segment)
        out = [b"\0asm\x01\0\0\0"]
        types = [_encode_group(rec, group) for rec, group in self.type_groups]
        for section_id, entries in (
            (1, types),
            (2, self.imports),
            (3, self.functions),
            (4, self.tables),
            (5, self.memories),
            (13, self.tags),
            (6, self.globals),
            (7, self.exports),
        ):
            if entries:
                out.append(section(section_id, vec(entries)))
        if self.start is not None:
            out.append(section(8, u32(self.start)))
        if self.elements:
            out.append(section(9, vec(self.elements)))
        if self.uses_data_count:
            out.append(section(12, u32(len(self.datas))))
        if self.codes:
            out.append(section(10, vec(self.codes)))
        if self.datas:
            out.append(section(11, vec(self.datas)))
        names = self._name_section()
        if names:
            out.append(custom_section("name", names))
        return b"".join(out)

    def _name_section(self) -> bytes:
        """The ``name`` section's subsections, as the wat crate writes them; empty without names.

        Module name (0), then function names (1) and local names (2), each map
        in index order, identifiers without their ``$``.  Like the wat crate,
        only names written on the function itself count: the parameter names of
        a ``(type $t)`` definition are not the function's local names.
        """
        out = bytearray()
        if self.module_id is not None:
            out += _subsection(_MODULE_NAME, name(id_name(self.module_id).encode()))
        functions = {index: identifier for identifier, index in self.ids["func"].items()}
        if functions:
            out += _subsection(_FUNCTION_NAMES, _name_map(functions))
        if self.local_ids:
            entries = (u32(index) + _name_map(self.local_ids[index]) for index in sorted(self.local_ids))
            out += _subsection(_LOCAL_NAMES, vec(entries))
        return bytes(out)

    # --- Pass 1: locate fields, bind identifiers --------------------------------

    def _scan_fields(self) -> None:
        toks = self.toks
        # Type definitions are read once every type identifier is bound: a type may name a later one
        # (which the validator refuses outside its recursion group, as an unknown type).
        definitions: list[tuple[bool, list[int]]] = []
        while toks[self.i][0] == "(":
            start = self.i
            kind = toks[start + 1][0]
            index = segment = -1
            if kind in ("type", "rec"):
                definitions.append((kind == "rec", self._bind_types(start)))
                self.i = self.skip_form(start)
                continue
            if kind in _DEFINITION_WORDS:
                index, segment = self._scan_definition(start, kind)
            elif kind == "import":
                index = self._scan_import(start)
            elif kind in ("elem", "data"):
                index = self._bind(kind, start + 2)
            elif kind not in ("export", "start"):
                self.unexpected(start + 1)
            self.fields.append((kind, start, index, segment))
            self.i = self.skip_form(start)
        end = self.i
        for rec, starts in definitions:
            group = []
            for at in starts:
                self.i = at
                group.append(self._subtype(alone=len(starts) == 1))
            self.type_groups.append((rec, group))
        self.i = end

    def _bind_types(self, start: int) -> list[int]:
        """Bind the identifiers of ``(type ...)`` or ``(rec (type ...)*)`` at ``start``; where each
        definition's identifier (or sub type) starts."""
        toks = self.toks
        if toks[start + 1][0] == "type":
            self._bind("type", start + 2)
            return [start + 2]
        starts = []
        i = start + 2
        while toks[i][0] == "(" and toks[i + 1][0] == "type":
            self._bind("type", i + 2)
            starts.append(i + 2)
            i = self.skip_form(i)
        if toks[i][0] != ")":
            self.unexpected(i)
        return starts

    def _bind(self, space: str, at: int) -> int:
        """The next index of ``space``, bound to the identifier at token ``at`` if there is one."""
        index = self.counts[space]
        self.counts[space] = index + 1
        identifier = self.toks[at][0]
        if is_id(identifier):
            ids = self.ids[space]
            if identifier in ids:
                self.error(f"duplicate {SPACES[space][0]} {identifier}", at)
            ids[identifier] = index
        return index

    def _scan_definition(self, start: int, kind: str) -> tuple[int, int]:
        toks = self.toks
        i = start + 2
        if is_id(toks[i][0]):
            i += 1
        while toks[i][0] == "(" and toks[i + 1][0] == "export":
            i = self.skip_form(i)
        imported = toks[i][0] == "(" and toks[i + 1][0] == "import"
        if imported:
            self._check_import_order(i)
        else:
            self.last_definition = kind
        index = self._bind(kind, start + 2)
        segment = -1
        if not imported:
            if toks[i][0] in ("i32", "i64"):
                i += 1  # an address type (memory64, table64)
            j = i + 1 if toks[i][0] in REFTYPES else _after_ref_form(toks, i)
            if kind == "table" and j > i and toks[j][0] == "(" and toks[j + 1][0] == "elem":
                segment = self._bind("elem", i)  # never an identifier: no binding
            elif kind == "memory" and toks[i][0] == "(" and toks[i + 1][0] == "pagesize":
                if toks[i + 4][0] == "(" and toks[i + 5][0] == "data":  # (pagesize N) (data ...)
                    segment = self._bind("data", i)
            elif kind == "memory" and toks[i][0] == "(" and toks[i + 1][0] == "data":
                segment = self._bind("data", i)
        return index, segment

    def _scan_import(self, start: int) -> int:
        self._check_import_order(start)
        toks = self.toks
        i = start + 2
        while toks[i][0][:1] == '"':
            i += 1
        if toks[i][0] == "(" and toks[i + 1][0] in _EXTERN_KINDS:
            return self._bind(toks[i + 1][0], i + 2)
        return -1  # malformed: the encoding pass reports it

    def _check_import_order(self, at: int) -> None:
        if self.last_definition is not None:
            self.error(f"import after {_DEFINITION_WORDS[self.last_definition]}", at)

    def _subtype(self, alone: bool) -> SubType:
        """``$id? (sub final? typeidx* comptype)`` or ``$id? comptype``, then the closing ``)``."""
        self._skip_id()
        final = True
        supertypes: list[int] = []
        sub = self.at_form("sub")
        if sub:
            self.i += 2
            final = self.tok == "final"
            if final:
                self.i += 1
            while self._is_index():
                supertypes.append(self._index("type"))
        index = len(self.types)
        composite = self._composite_type(index)
        if sub:
            self.expect(")")
        self.expect(")")
        self.types.append(composite)
        definition = SubType(final, tuple(supertypes), composite)
        # Only a plain function type (final, alone in its group) is what an inline type use means.
        if alone and composite.__class__ is FuncType and final and not supertypes:
            self.type_index_of.setdefault(composite, index)
        return definition

    def _composite_type(self, index: int) -> CompositeType:
        """``(func ...)``, ``(struct (field ...)*)`` or ``(array fieldtype)``."""
        self.expect("(")
        keyword = self.tok
        self.i += 1
        composite: CompositeType
        if keyword == "func":
            params, _, results = self._signature(named=True)
            composite = FuncType(tuple(params), tuple(results))
        elif keyword == "struct":
            fields: list[FieldType] = []
            names: dict[str, int] = {}
            while self.at_form("field"):
                self.i += 2
                if is_id(self.tok):
                    if self.tok in names:
                        self.error(f"duplicate field {self.tok}")
                    names[self.tok] = len(fields)
                    self.i += 1
                    fields.append(self._field_type())
                else:
                    while self.tok != ")":
                        fields.append(self._field_type())
                self.expect(")")
            if names:
                self.field_ids[index] = names
            composite = StructType(tuple(fields))
        elif keyword == "array":
            composite = ArrayType(self._field_type())
        else:
            self.unexpected(self.i - 1)
        self.expect(")")
        return composite

    def _field_type(self) -> FieldType:
        if self.at_form("mut"):
            self.i += 2
            storage = self._storage_type()
            self.expect(")")
            return FieldType(storage, True)
        return FieldType(self._storage_type(), False)

    def _storage_type(self) -> StorageType:
        packed = _PACKED.get(self.tok)
        if packed is not None:
            self.i += 1
            return packed
        return self._valtype()

    # --- Fields (pass 2) --------------------------------------------------------

    def _inline_exports(self, kind: ExternKind, index: int) -> None:
        while self.at_form("export"):
            self.i += 2
            export_name = self.name()
            self.expect(")")
            self.exports.append(name(export_name.encode()) + bytes((kind,)) + u32(index))

    def _inline_import(self) -> bytes:
        """``(import "module" "name")``: the start of an import entry."""
        self.i += 2
        module = self.name()
        field = self.name()
        self.expect(")")
        return name(module.encode()) + name(field.encode())

    def _func(self, index: int, _segment: int) -> None:
        self.i += 2
        self._skip_id()
        self._inline_exports(ExternKind.FUNC, index)
        if self.at_form("import"):
            head = self._inline_import()
            type_index, _, param_names = self._typeuse(named=True)
            self.expect(")")
            self.imports.append(head + b"\x00" + u32(type_index))
            self._record_param_names(index, param_names)
            return
        type_index, param_count, param_names = self._typeuse(named=True)
        self.functions.append(u32(type_index))
        self.locals = {}
        for position, entry in enumerate(param_names):
            if entry is not None:
                self._bind_local(entry[0], position, entry[1])
        local_types: list[ValueType] = []
        while self.at_form("local"):
            self.i += 2
            if is_id(self.tok):
                if param_count is None:
                    self.error("unknown type")
                self._bind_local(self.tok, param_count + len(local_types), self.i)
                self.i += 1
                local_types.append(self._valtype())
                self.expect(")")
                continue
            while self.tok != ")":
                local_types.append(self._valtype())
            self.i += 1
        self.labels = []
        body = bytearray(_encode_locals(local_types))
        self._instrs(body)
        self.expect(")")
        body.append(END)
        self.codes.append(u32(len(body)) + body)
        if self.locals:
            self.local_ids[index] = {position: identifier for identifier, position in self.locals.items()}

    def _record_param_names(self, index: int, param_names: list[tuple[str, int] | None]) -> None:
        """An imported function's parameter names, for the ``name`` section (the wat crate keeps them)."""
        named = {position: entry[0] for position, entry in enumerate(param_names) if entry is not None}
        if named:
            self.local_ids[index] = named

    def _bind_local(self, identifier: str, index: int, at: int) -> None:
        if identifier in self.locals:
            self.error(f"duplicate local {identifier}", at)
        self.locals[identifier] = index

    def _address_type(self) -> bool:
        """An optional address type, ``i32`` or ``i64``: whether it is ``i64`` (memory64, table64)."""
        token = self.tok
        if token in ("i32", "i64"):
            self.i += 1
            return token == "i64"
        return False

    def _limits(self) -> bytes:
        address64 = self._address_type()
        # u64s, as in the binary format: the validator bounds a 32-bit memory's or table's.
        minimum = self.nat(64, "i64 constant out of range")
        maximum = self.nat(64, "i64 constant out of range") if is_nat(self.tok) else None
        return limits(minimum, maximum, address64)

    def _memtype(self) -> bytes:
        """Limits, then an optional ``(pagesize N)`` (custom page sizes: limits flag bit 3, then log2 N)."""
        encoded = self._limits()
        if self.tok == "shared":  # threads: limits flag bit 1
            self.i += 1
            encoded = bytes((encoded[0] | 0x02,)) + encoded[1:]
        if not self.at_form("pagesize"):
            return encoded
        return bytes((encoded[0] | 0x08,)) + encoded[1:] + u32(self._pagesize())

    def _pagesize(self) -> int:
        """``(pagesize N)``: log2 N, for a power of two N."""
        self.i += 2
        at = self.i
        size = self.nat(64, "i64 constant out of range")
        if size == 0 or size & (size - 1):
            self.error("invalid custom page size", at)
        self.expect(")")
        return size.bit_length() - 1

    def _tabletype(self) -> bytes:
        table_limits = self._limits()
        return encode_valtype(self._reftype()) + table_limits

    def _table(self, index: int, segment: int) -> None:
        self.i += 2
        self._skip_id()
        self._inline_exports(ExternKind.TABLE, index)
        if self.at_form("import"):
            head = self._inline_import()
            tabletype = self._tabletype()
            self.expect(")")
            self.imports.append(head + b"\x01" + tabletype)
            return
        if segment >= 0:
            address64 = self._address_type()
            reftype = self._reftype()
            self.i += 2  # ( elem
            items: list[bytes] | list[int]
            if self.tok == "(":
                items = self._elem_exprs()
            else:
                items = self._func_indices()
            self.expect(")")
            self.expect(")")
            self.tables.append(encode_valtype(reftype) + limits(len(items), len(items), address64))
            offset = _CONST_ZERO_OFFSET_64 if address64 else _CONST_ZERO_OFFSET
            self.elements.append(_active_elem(index, offset, reftype, items))
            return
        tabletype = self._tabletype()
        if self.tok == "(":  # an initialiser expression (typed references)
            tabletype = b"\x40\x00" + tabletype + self._expr()
        self.tables.append(tabletype)
        self.expect(")")

    def _memory(self, index: int, segment: int) -> None:
        self.i += 2
        self._skip_id()
        self._inline_exports(ExternKind.MEMORY, index)
        if self.at_form("import"):
            head = self._inline_import()
            memory_limits = self._memtype()
            self.expect(")")
            self.imports.append(head + b"\x02" + memory_limits)
            return
        if segment >= 0:
            address64 = self._address_type()
            page_size_log2 = self._pagesize() if self.at_form("pagesize") else None
            self.i += 2  # ( data
            data = self.strings()
            self.expect(")")
            self.expect(")")
            if page_size_log2 is None:
                pages = -(-len(data) // _PAGE_SIZE)
                self.memories.append(limits(pages, pages, address64))
            else:  # custom page sizes
                pages = -(-len(data) // (1 << page_size_log2))
                encoded = limits(pages, pages, address64)
                self.memories.append(bytes((encoded[0] | 0x08,)) + encoded[1:] + u32(page_size_log2))
            offset = _CONST_ZERO_OFFSET_64 if address64 else _CONST_ZERO_OFFSET
            self.datas.append(_active_data(index, offset, data))
            return
        self.memories.append(self._memtype())
        self.expect(")")

    def _globaltype(self) -> bytes:
        if self.at_form("mut"):
            self.i += 2
            valtype = self._valtype()
            self.expect(")")
            return encode_valtype(valtype) + b"\x01"
        return encode_valtype(self._valtype()) + b"\x00"

    def _global(self, index: int, _segment: int) -> None:
        self.i += 2
        self._skip_id()
        self._inline_exports(ExternKind.GLOBAL, index)
        if self.at_form("import"):
            head = self._inline_import()
            globaltype = self._globaltype()
            self.expect(")")
            self.imports.append(head + b"\x03" + globaltype)
            return
        globaltype = self._globaltype()
        self.globals.append(globaltype + self._expr())
        self.expect(")")

    def _tag(self, index: int, _segment: int) -> None:
        """``(tag id? (export ...)* (import ...)? typeuse)``: an exception tag (exception handling)."""
        self.i += 2
        self._skip_id()
        self._inline_exports(ExternKind.TAG, index)
        if self.at_form("import"):
            head = self._inline_import()
            self.imports.append(head + b"\x04\x00" + u32(self._typeuse(named=False)[0]))
        else:
            self.tags.append(b"\x00" + u32(self._typeuse(named=False)[0]))
        self.expect(")")

    def _import(self, index: int, _segment: int) -> None:
        self.i += 2
        module = self.name()
        field = self.name()
        head = name(module.encode()) + name(field.encode())
        self.expect("(")
        kind = self.tok
        if kind not in _EXTERN_KINDS:
            self.unexpected()
        self.i += 1
        self._skip_id()
        if kind == "func":
            type_index, _, param_names = self._typeuse(named=True)
            desc = b"\x00" + u32(type_index)
            self._record_param_names(index, param_names)
        elif kind == "table":
            desc = b"\x01" + self._tabletype()
        elif kind == "memory":
            desc = b"\x02" + self._memtype()
        elif kind == "tag":
            desc = b"\x04\x00" + u32(self._typeuse(named=False)[0])
        else:
            desc = b"\x03" + self._globaltype()
        self.expect(")")
        self.expect(")")
        self.imports.append(head + desc)

    def _export(self, _index: int, _segment: int) -> None:
        self.i += 2
        export_name = self.name()
        self.expect("(")
        kind = self.tok
        if kind not in _EXTERN_KINDS:
            self.unexpected()
        self.i += 1
        index = self._index(kind)
        self.expect(")")
        self.expect(")")
        self.exports.append(name(export_name.encode()) + bytes((_EXTERN_KINDS[kind],)) + u32(index))

    def _start(self, _index: int, _segment: int) -> None:
        at = self.i
        self.i += 2
        index = self._index("func")
        self.expect(")")
        if self.start is not None:
            self.error("multiple start sections", at)
        self.start = index

    def _offset(self) -> bytes | None:
        """``(offset instr*)`` or one folded instruction; None when neither is here."""
        if self.at_form("offset"):
            self.i += 2
            offset = self._expr()
            self.expect(")")
            return offset
        if self.tok == "(" and self.toks[self.i + 1][0] not in ("item", "ref"):
            return self._folded_expr()
        return None

    def _elem_exprs(self) -> list[bytes]:
        """``(item instr*)`` or ``(instr)`` element expressions up to ``)``."""
        items = []
        while self.tok == "(":
            if self.at_form("item"):
                self.i += 2
                items.append(self._expr())
                self.expect(")")
            else:
                items.append(self._folded_expr())
        return items

    def _func_indices(self) -> list[int]:
        items = []
        while self._is_index():
            items.append(self._index("func"))
        return items

    def _elem_list(self) -> tuple[ValueType, list[bytes] | list[int]]:
        """``func x*`` or ``reftype expr*`` (or, after an offset, the legacy bare ``x*``)."""
        if self.tok == "func":
            self.i += 1
            return ValType.FUNCREF, self._func_indices()
        if self.at_reftype():
            reftype = self._reftype()
            return reftype, self._elem_exprs()
        return ValType.FUNCREF, self._func_indices()

    def _elem(self, _index: int, _segment: int) -> None:
        self.i += 2
        self._skip_id()
        if self.tok == "declare":
            self.i += 1
            self._require_elem_kind()
            reftype, items = self._elem_list()
            self.elements.append(_passive_elem(3, reftype, items))
        else:
            table = None
            if self.at_form("table"):
                self.i += 2
                table = self._index("table")
                self.expect(")")
            elif self._is_index():
                table = self._index("table")  # the MVP form (elem x (offset ...) ...)
            offset = self._offset()
            if offset is None:
                if table is not None:
                    self.unexpected()
                self._require_elem_kind()
                reftype, items = self._elem_list()
                self.elements.append(_passive_elem(1, reftype, items))
            else:
                reftype, items = self._elem_list()
                self.elements.append(_active_elem(table or 0, offset, reftype, items))
        self.expect(")")

    def _require_elem_kind(self) -> None:
        if self.tok != "func" and not self.at_reftype():
            self.unexpected()

    def _data(self, _index: int, _segment: int) -> None:
        self.i += 2
        self._skip_id()
        memory = None
        if self.at_form("memory"):
            self.i += 2
            memory = self._index("memory")
            self.expect(")")
        elif self._is_index():
            memory = self._index("memory")  # the MVP form (data x (offset ...) ...)
        offset = self._offset()
        if offset is None and memory is not None:
            self.unexpected()
        data = self.strings()
        self.expect(")")
        if offset is None:
            self.datas.append(b"\x01" + name(data))
        else:
            self.datas.append(_active_data(memory or 0, offset, data))


_PACKED = {"i8": PackedType.I8, "i16": PackedType.I16}


def _encode_group(rec: bool, group: list[SubType]) -> bytes:
    """A recursion group of the type section: ``rec`` written out, or one sub type alone."""
    if rec:
        return b"\x4e" + vec(_encode_subtype(sub) for sub in group)
    return _encode_subtype(group[0])


def _encode_subtype(sub: SubType) -> bytes:
    composite = _encode_composite(sub.composite)
    if sub.final and not sub.supertypes:
        return composite
    return (b"\x4f" if sub.final else b"\x50") + vec(u32(index) for index in sub.supertypes) + composite


def _encode_composite(composite: CompositeType) -> bytes:
    if isinstance(composite, StructType):
        return b"\x5f" + vec(_encode_field(field) for field in composite.fields)
    if isinstance(composite, ArrayType):
        return b"\x5e" + _encode_field(composite.field)
    return b"\x60" + _valtypes(composite.params) + _valtypes(composite.results)


def _encode_field(field: FieldType) -> bytes:
    storage = field.storage
    encoded = bytes((storage,)) if isinstance(storage, PackedType) else encode_valtype(storage)
    return encoded + (b"\x01" if field.mutable else b"\x00")


def _valtypes(valtypes: tuple[ValueType, ...]) -> bytes:
    """A vector of value types (a byte each, for those of WebAssembly 2.0)."""
    if all(t.__class__ is ValType for t in valtypes):
        return name(bytes(valtypes))  # type: ignore[arg-type]
    return vec(encode_valtype(t) for t in valtypes)


def _subsection(subsection_id: int, content: bytes) -> bytes:
    return bytes((subsection_id,)) + name(content)


def _name_map(names: dict[int, str]) -> bytes:
    """A ``namemap``: (index, name) pairs in index order, each identifier without its ``$``."""
    return vec(u32(index) + name(id_name(names[index]).encode()) for index in sorted(names))


def _encode_locals(local_types: list[ValueType]) -> bytes:
    """Locals as runs of one type: ``vec((count, type))``."""
    runs: list[bytes] = []
    count = 0
    for position, valtype in enumerate(local_types):
        count += 1
        if position + 1 == len(local_types) or local_types[position + 1] != valtype:
            runs.append(u32(count) + encode_valtype(valtype))
            count = 0
    return vec(runs)


def _after_ref_form(toks: list[Token], i: int) -> int:
    """The token after a ``(ref null? heaptype)`` form at ``i`` (``i`` itself if there is none)."""
    if toks[i][0] != "(" or toks[i + 1][0] != "ref":
        return i
    j = i + 2 + (toks[i + 2][0] == "null")
    return j + 2 if toks[j + 1][0] == ")" else i


def _active_elem(table: int, offset: bytes, reftype: ValueType, items: list[bytes] | list[int]) -> bytes:
    """An active element segment in the most compact of the binary's forms."""
    if items and isinstance(items[0], int) and reftype.__class__ is not ValType:
        items = [_REF_FUNC + u32(item) + _END_BYTE for item in items]  # indices of a typed table
    if items and isinstance(items[0], bytes):
        expressions = vec(items)
        if table == 0 and reftype == ValType.FUNCREF:
            return b"\x04" + offset + expressions
        return b"\x06" + u32(table) + offset + encode_valtype(reftype) + expressions
    indices = vec(u32(item) for item in items)  # type: ignore[arg-type]
    if reftype == ValType.FUNCREF and table == 0:
        return b"\x00" + offset + indices
    if reftype == ValType.FUNCREF:
        return b"\x02" + u32(table) + offset + b"\x00" + indices
    # An empty list written as indices, of a non-function type: expressions.
    return b"\x06" + u32(table) + offset + encode_valtype(reftype) + indices


def _passive_elem(flags: int, reftype: ValueType, items: list[bytes] | list[int]) -> bytes:
    """A passive (flags 1) or declarative (flags 3) element segment."""
    if items and isinstance(items[0], bytes):
        return bytes((flags + 4,)) + encode_valtype(reftype) + vec(items)
    if reftype == ValType.FUNCREF:
        return bytes((flags, 0)) + vec(u32(item) for item in items)  # type: ignore[arg-type]
    return bytes((flags + 4,)) + encode_valtype(reftype) + vec(u32(item) for item in items)  # type: ignore[arg-type]


def _active_data(memory: int, offset: bytes, data: bytes) -> bytes:
    if memory == 0:
        return b"\x00" + offset + name(data)
    return b"\x02" + u32(memory) + offset + name(data)
