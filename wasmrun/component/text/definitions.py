"""The definitions of a component text, each to its section entry (Explainer.md, Component Definitions).

Core modules, core instances, core types, nested components, instances,
aliases, types, canonical definitions, start, imports and exports, and the
abbreviations that put the sort first: ``(func $f (canon lift ...))``,
``(core func $f (alias core export $i "f"))``, ``(func (import "f") ...)``,
``(instance (export "x") ...)`` ...  Definitions are encoded in textual order
and consecutive ones of a section share it, as wasm-tools writes them.
"""

from __future__ import annotations

from wasmrun.binary.decoder import COMPONENT_PREAMBLE
from wasmrun.component.text.canon import CanonReader
from wasmrun.component.text.scope import CORE_SORTS
from wasmrun.component.text.values import encode_primitive_value
from wasmrun.text.encoder import custom_section, u32, vec
from wasmrun.text.lexer import is_string
from wasmrun.text.wat import parse_module

PREAMBLE = COMPONENT_PREAMBLE
_OUTER_ALIAS_SORTS = frozenset(("core module", "core type", "component", "type"))


class ComponentParser(CanonReader):
    """Reads one component form and encodes it."""

    # Set when an identifier was used before its definition: the first reading's bytes are then wrong.
    deferred = False

    def resolve(self, sort: str) -> int:
        if self.known is None and self.tok[:1] == "$":
            scope = self.scope
            if self.tok not in scope.ids.get(sort, {}):
                outer = scope.parent
                found = False
                while outer is not None and not found:
                    found = self.tok in outer.ids.get(sort, {})
                    outer = outer.parent
                if not found:
                    self.deferred = True
        return super().resolve(sort)

    # --- The component form -----------------------------------------------------

    def component(self, start: int) -> bytes:
        """The binary of the component whose ``(component`` is at ``start``; reads its closing ``)``."""
        self.i = start + 2
        identifier = self.optional_id()
        if self.tok == "binary":
            self.i += 1
            data = self.strings()
            self.expect(")")
            return data
        outer = self.enter("component", start) if start else None
        self.scope.identifier = self.toks[identifier][0] if identifier is not None else None
        try:
            while self.tok == "(":
                self.definition()
            self.expect(")")
            self.flush_inline_exports()
            names = self.scope.name_section()
            out = PREAMBLE + self.scope.encode_sections()
            if names:
                out += custom_section("component-name", names)
            return out
        finally:
            if outer is not None:
                self.scope = outer

    def definition(self) -> None:
        start = self.i
        keyword = self.toks[start + 1][0]
        if keyword == "core":
            self._core_definition(start)
            return
        handler = {
            "component": self._nested_component,
            "instance": self._instance,
            "alias": self._alias_definition,
            "type": self._type,
            "canon": self._canon,
            "start": self._start,
            "import": self._import,
            "export": self._export,
            "func": self._func,
            "value": self._value,
        }.get(keyword)
        if handler is None:
            self.fail(f"expected a component definition, found {keyword or 'end of input'}", start + 1)
        handler(start)

    # --- Core definitions ---------------------------------------------------------

    def _core_definition(self, start: int) -> None:
        sort = self.toks[start + 2][0]
        if sort == "module":
            self._core_module(start)
        elif sort == "instance" and not self._is_alias_abbreviation(start + 3):
            self._core_instance(start)
        elif sort == "type" and not self._is_alias_abbreviation(start + 3):
            self.i = start + 3
            identifier = self.optional_id()
            body = self.core_deftype()
            self.expect(")")
            self.append("core type", body, start)
            self.define("core type", identifier)
        elif sort in CORE_SORTS:
            self.i = start + 3
            identifier = self.optional_id()
            if sort == "func" and self.at_form("canon"):
                self.i += 2
                if self.tok == "lift":
                    self.fail("canon lift defines a component function")
                self.canon_core_function(start, True, identifier)
                self.expect(")")
                return
            if not self.at_form("alias"):
                self.fail(f"expected (alias ...) or (canon ...) in core {sort}")
            self._alias_target("core " + sort, identifier)
            self.expect(")")
        else:
            self.fail(f"expected a core definition, found {sort or 'end of input'}", start + 2)

    def _at_inline_import(self) -> bool:
        """Whether ``(import "name")`` follows (and not an import field, which has more)."""
        toks = self.toks
        return self.at_form("import") and is_string(toks[self.i + 2][0]) and toks[self.i + 3][0] == ")"

    def _is_alias_abbreviation(self, at: int) -> bool:
        """Whether ``$id? (alias ...)`` at ``at`` is the alias of ``(sort $id? (alias ...))`` (which has no
        target of its own), not an alias definition nested in a component or type."""
        toks = self.toks
        if toks[at][0][:1] == "$":
            at += 1
        if toks[at][0] != "(" or toks[at + 1][0] != "alias":
            return False
        operands = at + (4 if toks[at + 2][0] == "core" else 3)
        return toks[operands + 2][0] == ")"

    def _core_module(self, start: int) -> None:
        self.i = start + 3
        identifier = self.optional_id()
        exports = self.inline_exports()
        if self._at_inline_import():
            self.i += 2
            head = self.extern_name()
            self.expect(")")
            if self.at_type_use():
                type_index = self.core_type_use()
            else:
                body = self.module_type(start)
                self.append("core type", body, start)
                type_index = self.define("core type", None)
            self.expect(")")
            self.append("import", head + b"\x00\x11" + u32(type_index), start)
        elif self._is_alias_abbreviation(self.i):
            self._alias_target("core module", identifier)
            self.expect(")")
            index = self.scope.next_index("core module") - 1
            self.export_inline(exports, "core module", index)
            return
        else:
            fields = self.i
            self.i = self.skip_form(start)
            self.append("core module", self._module_binary(start, identifier, fields), start)
        index = self.define("core module", identifier)
        self.export_inline(exports, "core module", index)

    def _module_binary(self, start: int, identifier: int | None, fields: int) -> bytes:
        """The core module's bytes, by the core text encoder, from ``(module $id? fields...)``."""
        text = self.text
        offset = self.toks[start][1]
        # Keep the lines the same for the core encoder's messages.
        padding = "\n" * text.count("\n", 0, offset)
        head = "(module " + (self.toks[identifier][0] + " " if identifier is not None else "")
        body = text[self.toks[fields][1] : self.toks[self.i - 1][1] + 1] if fields < self.i - 1 else ")"
        return parse_module(padding + head + body)

    def _core_instance(self, start: int) -> None:
        self.i = start + 3
        identifier = self.optional_id()
        self.append("core instance", self._core_instance_expression(), start)
        self.expect(")")
        self.define("core instance", identifier)

    def _core_instance_expression(self) -> bytes:
        if self.at_form("instantiate"):
            self.i += 2
            module = self.core_reference("core module")
            arguments = []
            while self.at_form("with"):
                self.i += 2
                label = self.name_string()
                at = self.i
                self.expect("(")
                self.keyword("instance")
                if self.at_index():
                    instance = self.resolve("core instance")
                else:
                    entry = b"\x01" + self._core_inline_exports()
                    self.append("core instance", entry, at)
                    instance = self.define("core instance", None)
                self.expect(")")
                self.expect(")")
                arguments.append(label + b"\x12" + u32(instance))
            self.expect(")")
            return b"\x00" + u32(module) + vec(arguments)
        return b"\x01" + self._core_inline_exports()

    def _core_inline_exports(self) -> bytes:
        exports = []
        while self.at_form("export"):
            self.i += 2
            label = self.name_string()
            self.expect("(")
            sort = self.sort_keyword(core_context=True)
            index = self.projected(sort)
            self.expect(")")
            self.expect(")")
            exports.append(label + self.core_sortidx_encoding(sort, index))
        return vec(exports)

    # --- Components and instances ---------------------------------------------------

    def _nested_component(self, start: int) -> None:
        self.i = start + 2
        identifier = self.optional_id()
        exports = self.inline_exports()
        if self._at_inline_import():
            self._inline_import("component", start, identifier, exports)
            return
        if self._is_alias_abbreviation(self.i):
            self._alias_target("component", identifier)
            self.expect(")")
            self.export_inline(exports, "component", self.scope.next_index("component") - 1)
            return
        # Bound in the enclosing scope, after the nested component's definitions (which cannot see it).
        binary = self._nested_body(start, identifier)
        self.append("component", binary, start)
        index = self.define("component", identifier)
        self.export_inline(exports, "component", index)

    def _nested_body(self, start: int, identifier: int | None) -> bytes:
        outer = self.enter("component", start)
        self.scope.identifier = self.toks[identifier][0] if identifier is not None else None
        try:
            while self.tok == "(":
                self.definition()
            self.expect(")")
            self.flush_inline_exports()
            names = self.scope.name_section()
            out = PREAMBLE + self.scope.encode_sections()
            if names:
                out += custom_section("component-name", names)
            return out
        finally:
            self.scope = outer

    def _inline_import(self, sort: str, start: int, identifier: int | None, exports: list[bytes]) -> None:
        """``(sort $id? (export ..)* (import "name") type...)``: an import of ``sort``."""
        self.i += 2
        head = self.extern_name()
        self.expect(")")
        encoding = self.externtype_body(sort, start)
        self.expect(")")
        self.append("import", head + encoding, start)
        index = self.define(sort, identifier)
        self.export_inline(exports, sort, index)

    def _instance(self, start: int) -> None:
        self.i = start + 2
        identifier = self.optional_id()
        exports = self.inline_exports()
        if self._at_inline_import():
            self._inline_import("instance", start, identifier, exports)
            return
        if self._is_alias_abbreviation(self.i):
            self._alias_target("instance", identifier)
            self.expect(")")
            self.export_inline(exports, "instance", self.scope.next_index("instance") - 1)
            return
        entry = self._instance_expression()
        self.expect(")")
        self.append("instance", entry, start)
        index = self.define("instance", identifier)
        self.export_inline(exports, "instance", index)

    def _instance_expression(self) -> bytes:
        if self.at_form("instantiate"):
            self.i += 2
            component = self.reference("component")
            arguments = []
            while self.at_form("with"):
                self.i += 2
                label = self.name_string()
                at = self.i
                if self.at_form("instance") and self.toks[self.i + 2][0] in ("(", ")"):
                    self.i += 2
                    entry = b"\x01" + self._inline_exports_of_instance()
                    self.expect(")")
                    self.append("instance", entry, at)
                    argument = self.sortidx_encoding("instance", self.define("instance", None))
                else:
                    sort, index = self.externidx()
                    argument = self.sortidx_encoding(sort, index)
                self.expect(")")
                arguments.append(label + argument)
            self.expect(")")
            return b"\x00" + u32(component) + vec(arguments)
        return b"\x01" + self._inline_exports_of_instance()

    def _inline_exports_of_instance(self) -> bytes:
        exports = []
        while self.at_form("export"):
            self.i += 2
            head = self.extern_name()
            sort, index = self.externidx()
            self.expect(")")
            exports.append(head + self.sortidx_encoding(sort, index))
        return vec(exports)

    # --- Aliases ---------------------------------------------------------------------

    def _alias_definition(self, start: int) -> None:
        """``(alias export i "n" (sort $id?))``, ``(alias core export ...)``, ``(alias outer c i (sort $id?))``."""
        self.i = start + 2
        kind = self.keyword("export", "core", "outer")
        if kind == "core":
            self.keyword("export")
        resume = self.i
        # The target's sort and identifier come last (after two tokens), but decide how the rest resolves.
        self.i = resume + 2
        self.expect("(")
        sort = self.sort_keyword()
        identifier = self.optional_id()
        self.expect(")")
        end = self.i
        self.i = resume
        self._alias_body(kind, sort, identifier, start)
        if self.i != resume + 2:
            self.unexpected()
        self.i = end
        self.expect(")")

    def alias(self) -> None:
        """An alias declaration of a component or instance type."""
        self._alias_definition(self.i)

    def _alias_target(self, sort: str, identifier: int | None) -> None:
        """``(alias export i "n")``, ``(alias core export i "n")`` or ``(alias outer c i)`` of the abbreviation
        ``(sort $id? (alias ...))``."""
        start = self.i
        self.i += 2
        kind = self.keyword("export", "core", "outer")
        if kind == "core":
            self.keyword("export")
        self._alias_body(kind, sort, identifier, start)
        self.expect(")")

    def _alias_body(self, kind: str, sort: str, identifier: int | None, at: int) -> None:
        if kind == "outer":
            if sort not in _OUTER_ALIAS_SORTS:
                self.fail(f"{sort} cannot be aliased from an outer scope", at)
            depth = self.outer_scope_depth()
            index = self.outer_index(sort, depth)
            self.outer_alias(sort, depth, index, identifier)
            return
        core = kind == "core"
        if core != (sort.startswith("core ") and sort != "core module") and not (core and sort == "core module"):
            self.fail("a core export alias defines a core item" if core else "expected a component sort", at)
        instance = self.resolve("core instance" if core else "instance")
        self.export_alias(sort, instance, self.name_string(), identifier, core_instance=core)

    # --- Types, functions, values ------------------------------------------------------

    def _type(self, start: int) -> None:
        if self._is_alias_abbreviation(start + 2):
            self.i = start + 2
            identifier = self.optional_id()
            self._alias_target("type", identifier)
            self.expect(")")
            return
        self.i = start
        self.type_definition()

    def _canon(self, start: int) -> None:
        self.i = start + 2
        self.canon(start)

    def _func(self, start: int) -> None:
        """``(func $id? (export "n")* ...)``: an import, a lift or an alias, with the sort first."""
        self.i = start + 2
        identifier = self.optional_id()
        exports = self.inline_exports()
        if self._at_inline_import():
            self._inline_import("func", start, identifier, exports)
            return
        if self.at_form("alias"):
            self._alias_target("func", identifier)
            self.expect(")")
            self.export_inline(exports, "func", self.scope.next_index("func") - 1)
            return
        type_index = self.type_use("func")
        self.expect("(")
        self.keyword("canon")
        self.canon_lift(start, (type_index, identifier))
        self.expect(")")
        self.export_inline(exports, "func", self.scope.next_index("func") - 1)

    def _start(self, start: int) -> None:
        """``(start funcidx (value valueidx)* (result (value $id?))*)``."""
        self.i = start + 2
        function = self.reference("func")
        arguments = []
        while self.at_form("value"):
            arguments.append(u32(self.sortidx("value")))
        results: list[int | None] = []
        while self.at_form("result"):
            self.i += 2
            self.expect("(")
            self.keyword("value")
            results.append(self.optional_id())
            self.expect(")")
            self.expect(")")
        self.expect(")")
        self.append("start", u32(function) + vec(arguments) + u32(len(results)), start)
        for identifier in results:
            self.define("value", identifier)
            if identifier is not None:
                self.scope.unnamed.add(("value", self.toks[identifier][0]))

    def _import(self, start: int) -> None:
        self.i = start + 2
        head = self.extern_name()
        sort, encoding, identifier = self.externtype()
        self.expect(")")
        self.append("import", head + encoding, start)
        self.define(sort, identifier)

    def _export(self, start: int) -> None:
        """``(export $id? "name" attribute* externidx externtype?)``."""
        self.i = start + 2
        identifier = self.optional_id()
        head = self.extern_name()
        sort, index = self.externidx()
        ascribed = b"\x00"
        if self.tok == "(":
            _sort, encoding, _identifier = self.externtype()
            ascribed = b"\x01" + encoding
        self.expect(")")
        self.append("export", head + self.sortidx_encoding(sort, index) + ascribed, start)
        self.define(sort, identifier)

    def _value(self, start: int) -> None:
        """``(value $id? valtype val)``: a value definition (only the forms of the primitive types)."""
        self.i = start + 2
        identifier = self.optional_id()
        exports = self.inline_exports()
        if self._at_inline_import():
            self._inline_import("value", start, identifier, exports)
            return
        valtype = self.valtype()
        data = self.value_literal(valtype)
        self.expect(")")
        self.append("value", valtype + u32(len(data)) + data, start)
        index = self.define("value", identifier)
        self.export_inline(exports, "value", index)

    def value_literal(self, valtype: bytes) -> bytes:
        """The encoding of a primitive value (Binary.md, Value Definitions)."""
        token = self.tok
        if token == "(" or (is_string(token) and valtype not in (b"\x73", b"\x74")):
            self.fail("only values of primitive types are supported in value definitions")
        data = encode_primitive_value(valtype[0] if len(valtype) == 1 else -1, token)
        if data is None:
            self.fail(f"malformed value {token or 'end of input'}")
        self.i += 1
        return data
