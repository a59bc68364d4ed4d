"""Type definitions of a component text (Explainer.md and Binary.md, Type Definitions).

Value types, resource types, function types, component and instance types with
their declarations, the extern types of imports and exports, and core types
(function types and module types).  A compound value type written where a
``valtype`` is expected is an abbreviation for a type definition of its own,
appended just before the definition using it (innermost first), as wasm-tools
expands it; so is a function, component or instance type written inline.
"""

from __future__ import annotations

from wasmrun.component.text.references import ComponentReader
from wasmrun.text.encoder import sleb, u32, vec
from wasmrun.text.lexer import is_id, is_nat, is_string

PRIMITIVES = {
    "bool": 0x7F,
    "s8": 0x7E,
    "u8": 0x7D,
    "s16": 0x7C,
    "u16": 0x7B,
    "s32": 0x7A,
    "u32": 0x79,
    "s64": 0x78,
    "u64": 0x77,
    "f32": 0x76,
    "f64": 0x75,
    "float32": 0x76,  # older spellings wasm-tools still reads
    "float64": 0x75,
    "char": 0x74,
    "string": 0x73,
    "error-context": 0x64,
}
_COMPOUND = frozenset(
    (
        "record",
        "variant",
        "list",
        "tuple",
        "flags",
        "enum",
        "option",
        "result",
        "own",
        "borrow",
        "stream",
        "future",
        "map",
    )
)

# Core value types (core:valtype), heap types and reference shorthands.
_CORE_NUMTYPES = {"i32": 0x7F, "i64": 0x7E, "f32": 0x7D, "f64": 0x7C, "v128": 0x7B}
_ABSTRACT_HEAPTYPES = {
    "func": 0x70,
    "extern": 0x6F,
    "any": 0x6E,
    "eq": 0x6D,
    "i31": 0x6C,
    "struct": 0x6B,
    "array": 0x6A,
    "exn": 0x69,
    "none": 0x71,
    "noextern": 0x72,
    "nofunc": 0x73,
    "noexn": 0x74,
}
_REF_SHORTHANDS = {word + "ref": code for word, code in _ABSTRACT_HEAPTYPES.items()} | {"nullref": 0x71}
_ATTRIBUTES = {"implements": 0x00, "versionsuffix": 0x01, "external-id": 0x02}
_EXTERN_SORTS = {"func": 0x01, "value": 0x02, "type": 0x03, "component": 0x04, "instance": 0x05}


class TypeReader(ComponentReader):
    """Reads types, appending the type definitions their abbreviations stand for."""

    # --- Value types ----------------------------------------------------------

    def valtype(self) -> bytes:
        """A ``valtype``: a primitive's code, or a type index (an inline compound type defined first)."""
        token = self.tok
        code = PRIMITIVES.get(token)
        if code is not None:
            self.i += 1
            return bytes((code,))
        if token == "(":
            keyword = self.toks[self.i + 1][0]
            if keyword in _COMPOUND:
                start = self.i
                body = self.defvaltype()
                self.append("type", body, start)
                return sleb(self.define("type", None))
            if keyword == "type":
                return sleb(self.sortidx("type"))
            self.fail(f"expected a value type, found {keyword or 'end of input'}", self.i + 1)
        if not self.at_index():
            self.fail(f"expected a value type, found {token or 'end of input'}")
        return sleb(self.resolve("type"))

    def optional_valtype(self) -> bytes:
        """``<valtype>?`` (Binary.md): 0x00, or 0x01 and the type."""
        if self.tok == ")":
            return b"\x00"
        return b"\x01" + self.valtype()

    def defvaltype(self) -> bytes:
        """A compound ``defvaltype`` form (at its ``(``), encoded."""
        self.expect("(")
        keyword = self.tok
        self.i += 1
        out: bytes
        if keyword == "record":
            fields = []
            while self.tok == "(":
                self.expect("(")
                self.keyword("field")
                label = self.name_string()
                fields.append(label + self.valtype())
                self.expect(")")
            out = b"\x72" + vec(fields)
        elif keyword == "variant":
            cases = []
            case_ids: set[str] = set()
            while self.tok == "(":
                self.expect("(")
                self.keyword("case")
                if is_id(self.tok):
                    if self.tok in case_ids:
                        self.fail(f"duplicate variant case identifier {self.tok}")
                    case_ids.add(self.tok)
                self.optional_id()
                label = self.name_string()
                payload = b"\x00" if self.tok == ")" or self.at_form("refines") else b"\x01" + self.valtype()
                refines = b"\x00"
                if self.at_form("refines"):  # an older form: the index of the case it refines
                    self.i += 2
                    refines = b"\x01" + u32(self.u32())
                    self.expect(")")
                cases.append(label + payload + refines)
                self.expect(")")
            out = b"\x71" + vec(cases)
        elif keyword == "list":
            element = self.valtype()
            if self.tok != ")":
                out = b"\x67" + element + u32(self.u32())
            else:
                out = b"\x70" + element
        elif keyword == "tuple":
            elements = []
            while self.tok != ")":
                elements.append(self.valtype())
            out = b"\x6f" + vec(elements)
        elif keyword in ("flags", "enum"):
            labels = []
            while self.tok != ")":
                labels.append(self.name_string())
            out = (b"\x6e" if keyword == "flags" else b"\x6d") + vec(labels)
        elif keyword == "option":
            out = b"\x6b" + self.valtype()
        elif keyword == "result":
            ok = b"\x00"
            if self.tok != ")" and not self.at_form("error"):
                ok = b"\x01" + self.valtype()
            error = b"\x00"
            if self.at_form("error"):
                self.i += 2
                error = b"\x01" + self.valtype()
                self.expect(")")
            out = b"\x6a" + ok + error
        elif keyword in ("own", "borrow"):
            out = (b"\x69" if keyword == "own" else b"\x68") + u32(self.reference("type"))
        elif keyword in ("stream", "future"):
            out = (b"\x66" if keyword == "stream" else b"\x65") + self.optional_valtype()
        elif keyword == "map":
            key = self.valtype()
            out = b"\x63" + key + self.valtype()
        else:
            self.fail(f"expected a value type, found {keyword or 'end of input'}", self.i - 1)
        self.expect(")")
        return out

    # --- Type definitions ---------------------------------------------------------

    def deftype(self, identifier: int | None) -> bytes:
        """The ``deftype`` of ``(type $id? deftype)``, encoded; ``identifier`` names a type scope."""
        token = self.tok
        code = PRIMITIVES.get(token)
        if code is not None:
            self.i += 1
            return bytes((code,))
        if token != "(":
            self.fail(f"expected a type, found {token or 'end of input'}")
        keyword = self.toks[self.i + 1][0]
        if keyword in _COMPOUND:
            return self.defvaltype()
        if keyword == "func":
            self.i += 2
            out = self.functype()
            self.expect(")")
            return out
        if keyword in ("component", "instance"):
            start = self.i
            self.i += 2
            out = self.scope_type(keyword, start, identifier)
            self.expect(")")
            return out
        if keyword == "resource":
            self.i += 2
            return self.resourcetype()
        self.fail(f"expected a type, found {keyword or 'end of input'}", self.i + 1)

    def resourcetype(self) -> bytes:
        """``(rep i32) (dtor core-prefix(core:funcidx))? )``, after ``(resource``."""
        self.expect("(")
        self.keyword("rep")
        representation = self.core_valtype()
        self.expect(")")
        destructor = b"\x00"
        if self.at_form("dtor"):
            self.i += 2
            destructor = b"\x01" + u32(self.core_reference("core func"))
            self.expect(")")
        self.expect(")")
        return b"\x3f" + representation + destructor

    def functype(self) -> bytes:
        """``async? (param "l" valtype)* (result valtype)?``, after ``(func``."""
        code = b"\x40"
        if self.tok == "async":
            self.i += 1
            code = b"\x43"
        params = []
        while self.at_form("param"):
            self.i += 2
            label = self.name_string()
            params.append(label + self.valtype())
            self.expect(")")
        results = b"\x01\x00"
        if self.at_form("result"):
            self.i += 2
            if is_string(self.tok):  # a named result: the old form, encoded as a one-entry list
                results = b"\x01" + vec([self.name_string() + self.valtype()])
            else:
                results = b"\x00" + self.valtype()
            self.expect(")")
        return code + vec(params) + results

    def type_use(self, sort: str) -> int:
        """A type for a definition of ``sort`` (func, component or instance): ``(type idx)`` or the type
        written inline (an abbreviation: a type definition of its own, appended first)."""
        if self.at_type_use():
            return self.sortidx("type")
        start = self.i
        if sort == "func":
            body = self.functype()
        else:
            body = self.scope_type(sort, start, None)
        self.append("type", body, start)
        return self.define("type", None)

    def at_type_use(self) -> bool:
        """Whether ``(type idx)`` follows (not a type declaration, which an inline type may start with)."""
        toks = self.toks
        if not self.at_form("type"):
            return False
        after = self.i + 3 if self.at_index(2) else self.i + 2
        return toks[after][0] == ")" or is_string(toks[after][0])

    def scope_type(self, kind: str, start: int, identifier: int | None) -> bytes:
        """The declarations of a component or instance type, after ``(component``/``(instance``."""
        outer = self.enter(kind + " type", start)
        if identifier is not None:
            self.scope.identifier = self.toks[identifier][0]
        try:
            while self.tok == "(":
                self.declaration()
            code = b"\x41" if kind == "component" else b"\x42"
            return code + self.scope.encode_declarations()
        finally:
            self.scope = outer

    def declaration(self) -> None:
        """One declaration of a component or instance type."""
        start = self.i
        keyword = self.toks[self.i + 1][0]
        if keyword == "core" and self.toks[self.i + 2][0] == "type":
            self.i += 3
            identifier = self.optional_id()
            body = self.core_deftype()
            self.expect(")")
            self.append("core type", body, start)
            self.define("core type", identifier)
        elif keyword == "type":
            self.type_definition()
        elif keyword == "alias":
            self.alias()
        elif keyword in ("import", "export"):
            self.i += 2
            if self.scope.kind == "instance type" and keyword == "import":
                self.fail("import is not allowed in an instance type", start + 1)
            head = self.extern_name()
            sort, externtype, identifier = self.externtype()
            self.expect(")")
            self.append(keyword, head + externtype, start + 1)
            self.define(sort, identifier)
        else:
            self.fail(f"expected a declaration, found {keyword or 'end of input'}", start + 1)

    def type_definition(self) -> None:
        """``(type $id? (export "n")* deftype)``."""
        start = self.i
        self.i += 2
        identifier = self.optional_id()
        exports = self.inline_exports()
        body = self.deftype(identifier)
        self.expect(")")
        self.append("type", body, start)
        index = self.define("type", identifier)
        self.export_inline(exports, "type", index)

    # --- Imports and exports ----------------------------------------------------------

    def extern_name(self) -> bytes:
        """An ``externnamelit`` and its attributes (``nameattributes`` of Binary.md)."""
        if self.at_form("interface"):  # an older form, written as a plain name by wasm-tools
            self.i += 2
            label = self.name_string()
            self.expect(")")
        else:
            label = self.name_string()
        attributes = []
        seen: set[str] = set()
        while self.tok == "(" and self.toks[self.i + 1][0] in _ATTRIBUTES:
            self.i += 1
            keyword = self.tok
            if keyword in seen:  # (at most one of each: wasm-tools' parser reads no second one)
                self.fail(f"unexpected token: a second `{keyword}`")
            seen.add(keyword)
            self.i += 1
            attributes.append(bytes((_ATTRIBUTES[keyword],)) + self.name_string())
            self.expect(")")
        if not attributes:
            return b"\x00" + label
        return b"\x02" + label + vec(attributes)

    def externtype(self) -> tuple[str, bytes, int | None]:
        """``bind-id(externtype)``: the sort it declares, its encoding and the identifier's token index."""
        start = self.i
        self.expect("(")
        sort = self.sort_keyword()
        identifier = self.optional_id()
        encoding = self.externtype_body(sort, start)
        self.expect(")")
        return sort, encoding, identifier

    def externtype_body(self, sort: str, start: int) -> bytes:
        """An externtype's contents after its sort (and identifier)."""
        if sort == "core module":
            if self.at_type_use():
                return b"\x00\x11" + u32(self.core_type_use())
            body = self.module_type(start)
            self.append("core type", body, start)
            return b"\x00\x11" + u32(self.define("core type", None))
        if sort in ("func", "component", "instance"):
            return bytes((_EXTERN_SORTS[sort],)) + u32(self.type_use(sort))
        if sort == "type":
            self.expect("(")
            bound = self.keyword("eq", "sub")
            if bound == "eq":
                out = b"\x03\x00" + u32(self.reference("type"))
            else:
                self.keyword("resource")
                out = b"\x03\x01"
            self.expect(")")
            return out
        if sort == "value":
            if self.at_form("eq"):
                self.i += 2
                out = b"\x02\x00" + u32(self.reference("value"))
                self.expect(")")
                return out
            # Binary.md has a bound byte (0x01) here; wasm-tools writes the value type alone, and so do we.
            return b"\x02" + self.valtype()
        self.fail(f"{sort} cannot be imported or exported", start + 1)

    def core_type_use(self) -> int:
        self.expect("(")
        self.keyword("type")
        index = self.core_reference("core type")
        self.expect(")")
        return index

    # --- Core types ---------------------------------------------------------------

    def core_valtype(self) -> bytes:
        token = self.tok
        code = _CORE_NUMTYPES.get(token) or _REF_SHORTHANDS.get(token)
        if code is not None:
            self.i += 1
            return bytes((code,))
        if self.at_form("ref"):
            self.i += 2
            nullable = self.tok == "null"
            if nullable:
                self.i += 1
            heap = self.tok
            if heap in _ABSTRACT_HEAPTYPES:
                self.i += 1
                self.expect(")")
                if nullable:  # the shorthand, as wasm-tools writes it
                    return bytes((_ABSTRACT_HEAPTYPES[heap],))
                return bytes((0x64, _ABSTRACT_HEAPTYPES[heap]))
            index = self.resolve("core type")
            self.expect(")")
            return bytes((0x63 if nullable else 0x64,)) + sleb(index)
        self.fail(f"expected a core value type, found {token or 'end of input'}")

    def core_deftype(self) -> bytes:
        """A core type definition's body: ``(func ...)`` or ``(module ...)`` (GC types are not read)."""
        start = self.i
        self.expect("(")
        keyword = self.keyword("func", "module")
        if keyword == "module":
            out = self.module_type(start)
        else:
            out = self.core_functype()
        self.expect(")")
        return out

    def core_functype(self) -> bytes:
        """``(param ...)* (result ...)*`` of a core function type, after ``(func``."""
        params: list[bytes] = []
        results: list[bytes] = []
        for keyword, into in (("param", params), ("result", results)):
            while self.at_form(keyword):
                self.i += 2
                if keyword == "param" and is_id(self.tok):
                    self.i += 1
                    into.append(self.core_valtype())
                else:
                    while self.tok != ")":
                        into.append(self.core_valtype())
                self.expect(")")
        return b"\x60" + vec(params) + vec(results)

    def module_type(self, start: int) -> bytes:
        """The declarations of a core module type, after ``(module`` (or ``(core module $id?``), to its ``)``."""
        outer = self.enter("module type", start)
        try:
            while self.tok == "(":
                self.module_declaration()
            return b"\x50" + self.scope.encode_declarations()
        finally:
            self.scope = outer

    def module_declaration(self) -> None:
        start = self.i
        self.expect("(")
        keyword = self.keyword("import", "type", "alias", "export")
        if keyword == "type":
            identifier = self.optional_id()
            body = self.core_deftype()
            self.expect(")")
            self.append("type", body, start)
            index = self.define("core type", identifier)
            self.scope.function_types.setdefault(body, index)
        elif keyword == "alias":
            self.keyword("outer")
            depth = self.outer_scope_depth()
            index = self.outer_index("core type", depth)
            self.expect("(")
            self.keyword("type")
            identifier = self.optional_id()
            self.expect(")")
            self.expect(")")
            self.outer_alias("core type", depth, index, identifier)
        elif keyword == "import":
            head = self.name_string() + self.name_string()
            self.append("import", head + self.core_externtype(), start)
            self.expect(")")
        else:
            head = self.name_string()
            self.append("export", head + self.core_externtype(), start)
            self.expect(")")

    def core_externtype(self) -> bytes:
        """A core ``externtype`` of a module type's import or export (an inline function type defined first)."""
        self.expect("(")
        keyword = self.keyword("func", "table", "memory", "global", "tag")
        self.optional_id()
        if keyword in ("func", "tag"):
            if self.at_form("type"):
                index = self.core_type_use()
                while self.tok == "(":  # a signature repeated after the type use
                    self.i = self.skip_form(self.i)
            else:
                start = self.i
                body = self.core_functype()
                # Only an explicit definition is reused, not an earlier inline type (as wasm-tools does).
                known = self.scope.function_types.get(body)
                if known is None:
                    self.append("type", body, start)
                    known = self.define("core type", None)
                index = known
            self.expect(")")
            return (b"\x00" if keyword == "func" else b"\x04\x00") + u32(index)
        if keyword == "global":
            if self.at_form("mut"):
                self.i += 2
                out = b"\x03" + self.core_valtype() + b"\x01"
                self.expect(")")
            else:
                out = b"\x03" + self.core_valtype() + b"\x00"
            self.expect(")")
            return out
        address64 = self.tok == "i64"
        if self.tok in ("i32", "i64"):
            self.i += 1
        minimum = self.u64()
        maximum = self.u64() if is_nat(self.tok) else None
        flags = (0x04 if address64 else 0) | (0x01 if maximum is not None else 0)
        limits = bytes((flags,)) + u32(minimum) + (u32(maximum) if maximum is not None else b"")
        if keyword == "table":
            reftype = self.core_valtype()
            self.expect(")")
            return b"\x01" + reftype + limits
        if self.tok == "shared":
            self.i += 1
            limits = bytes((limits[0] | 0x02,)) + limits[1:]
        if self.at_form("pagesize"):
            self.i += 2
            size = self.u64()
            self.expect(")")
            limits = bytes((limits[0] | 0x08,)) + limits[1:] + u32(max(size.bit_length() - 1, 0))
        self.expect(")")
        return b"\x02" + limits

    def u64(self) -> int:
        if not is_nat(self.tok):
            self.fail(f"expected a number, found {self.tok or 'end of input'}")
        return self.nat(64, "constant out of range")

    # --- Hooks the definitions reader provides ----------------------------------------

    def alias(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def inline_exports(self) -> list[bytes]:
        """``(export "name" attributes*)*`` before a definition: the names (with attributes)."""
        names = []
        toks = self.toks
        while self.at_form("export") and toks[self.i + 2][0][:1] == '"':
            after = self.i + 3
            while toks[after][0] == "(" and toks[after + 1][0] in _ATTRIBUTES:
                after = self.skip_form(after)
            if toks[after][0] != ")":  # an export definition, with what it exports
                break
            self.i += 2
            names.append(self.extern_name())
            self.expect(")")
        return names

    def export_inline(self, names: list[bytes], sort: str, index: int) -> None:
        """Note the exports an inline ``(export "name")`` stands for: wasm-tools appends them at the end of
        the component (:meth:`flush_inline_exports`), each a new index of ``sort``."""
        if names and self.scope.kind != "component":
            self.fail("unexpected token: inline exports are only allowed in a component")
        for head in names:
            self.scope.inline_exports.append(head + self.sortidx_encoding(sort, index) + b"\x00")
            self.scope.inline_export_sorts.append(sort)

    def flush_inline_exports(self) -> None:
        scope = self.scope
        for entry, sort in zip(scope.inline_exports, scope.inline_export_sorts, strict=True):
            self.append("export", entry)
            self.define(sort, None)
        scope.inline_exports.clear()
        scope.inline_export_sorts.clear()
