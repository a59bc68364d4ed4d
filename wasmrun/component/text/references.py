"""Reading a component text: scopes, identifiers, and references to definitions.

Identifiers are resolved per index space of the current scope.  The text may
name a definition that comes later (wasm-tools does resolve such names, and
validation then rejects the component), so a text is read twice: the first
reading records every binding, the second resolves with all of them known.
An identifier bound only in an enclosing scope stands for an outer alias to
it, appended (anew at each use, as wasm-tools does) just before the
definition that uses it.

A reference with export names, ``(func $i "a" "b")``, stands for export
aliases, one per name, appended likewise (Explainer.md, Alias Definitions).
"""

from __future__ import annotations

from typing import NoReturn

from wasmrun.component.text.scope import OUTER_ALIAS_SORTS, Scope, core_sort_code, sort_code
from wasmrun.errors import TextSyntaxError
from wasmrun.text.cursor import Cursor
from wasmrun.text.encoder import name, u32
from wasmrun.text.lexer import Token, is_id, is_nat, is_string, line_column
from wasmrun.text.literals import LiteralError, parse_nat

CORE_SORT_WORDS = frozenset(("func", "table", "memory", "global", "tag", "type", "module", "instance"))
SORT_WORDS = frozenset(("func", "value", "type", "component", "instance"))

Bindings = dict[tuple[int, str, str], int]

MAX_NESTING = 100
"""How deep components and types may nest in a text (beyond: ``nesting too deep``)."""


class ComponentReader(Cursor):
    """A cursor over a component's tokens, with its scopes."""

    def __init__(self, text: str, tokens: list[Token], bindings: Bindings | None) -> None:
        super().__init__(text, tokens)
        # None while reading the first time: then bindings are recorded into ``self.recorded``.
        self.known = bindings
        self.recorded: Bindings = {}
        self.scope = Scope("component", 0, None)

    # --- Failing ------------------------------------------------------------

    def fail(self, message: str, index: int | None = None) -> NoReturn:
        line, column = line_column(self.text, self.toks[self.i if index is None else index][1])
        raise TextSyntaxError(message, line, column)

    def unexpected(self, index: int | None = None) -> NoReturn:
        at = self.i if index is None else index
        token = self.toks[at][0]
        self.fail("unexpected end of input" if token == "" else f"unexpected token {token}", at)

    def expect(self, token: str) -> None:
        if self.toks[self.i][0] != token:
            if token in ("(", ")", ""):
                self.unexpected()
            self.fail(f"expected {token}")
        self.i += 1

    def keyword(self, *options: str) -> str:
        token = self.tok
        if token not in options:
            self.fail(f"expected one of {', '.join(options)}" if len(options) > 1 else f"expected {options[0]}")
        self.i += 1
        return token

    def u32(self) -> int:
        token = self.tok
        try:
            value = parse_nat(token, 32, "constant out of range")
        except LiteralError as error:
            self.fail(str(error))
        if value is None:
            self.fail(f"expected a u32, found {token or 'end of input'}")
        self.i += 1
        return value

    def optional_id(self) -> int | None:
        """The token index of an identifier, if one is next (and skip it)."""
        if is_id(self.tok):
            self.i += 1
            return self.i - 1
        if self.tok[:1] == "$":
            self.fail("malformed identifier")
        return None

    def name_string(self) -> bytes:
        """A name: a string of valid UTF-8, as its encoding (length, bytes)."""
        if not is_string(self.tok):
            self.fail(f"expected a string, found {self.tok or 'end of input'}")
        at = self.i
        data = self.string()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            self.fail("malformed UTF-8 encoding", at)
        return name(data)

    def at_index(self, ahead: int = 0) -> bool:
        token = self.toks[self.i + ahead][0]
        return is_id(token) or is_nat(token)

    # --- Scopes and bindings ------------------------------------------------

    def enter(self, kind: str, key: int) -> Scope:
        """Start a nested scope (its ``(`` at token ``key``); the caller restores ``self.scope``.

        Scopes nest at most :data:`MAX_NESTING` deep (the text parser of wasm-tools stops at 100
        parentheses), so that a deep text fails with a message, not Python's recursion limit."""
        outer = self.scope
        depth = 0
        scope: Scope | None = outer
        while scope is not None:
            depth += 1
            scope = scope.parent
        if depth >= MAX_NESTING:
            self.fail("nesting too deep", key)
        self.scope = Scope(kind, key, outer)
        return outer

    def define(self, sort: str, at: int | None, scope: Scope | None = None) -> int:
        """A new index in ``sort``'s space, bound to the identifier at token ``at`` if any."""
        scope = scope or self.scope
        index = scope.add_index(sort)
        if at is not None:
            identifier = self.toks[at][0]
            ids = scope.ids.setdefault(sort, {})
            if identifier in ids:
                self.fail(f"duplicate {sort} identifier {identifier}", at)
            ids[identifier] = index
            self.recorded[(scope.key, sort, identifier)] = index
        return index

    def append(self, category: str, entry: bytes, at: int | None = None) -> None:
        if not self.scope.append(category, entry):
            self.fail(f"{category} is not allowed in a {self.scope.kind}", at)

    def resolve(self, sort: str) -> int:
        """The index the current token (an index or identifier) stands for in ``sort``'s space."""
        token = self.tok
        if not is_id(token):
            return self.u32()
        at = self.i
        self.i += 1
        scope = self.scope
        index = scope.ids.get(sort, {}).get(token)
        if index is not None:
            return index
        if self.known is not None:
            index = self.known.get((scope.key, sort, token))
            if index is not None:
                return index
        depth = 0
        outer = scope.parent
        while outer is not None:
            depth += 1
            found = outer.ids.get(sort, {}).get(token)
            if found is not None:
                if sort not in OUTER_ALIAS_SORTS:
                    self.fail(f"outer item `{token[1:]}` is not a module, type, or component", at)
                return self.outer_alias(sort, depth, found)
            outer = outer.parent
        if self.known is None:
            return 0  # perhaps bound later: the second reading knows
        self.fail(f"unknown {sort}: failed to find name `{token}`", at)

    def outer_scope_depth(self) -> int:
        """The count of ``alias outer``: a number, or the identifier of an enclosing scope."""
        token = self.tok
        if not is_id(token):
            return self.u32()
        self.i += 1
        depth = 0
        scope: Scope | None = self.scope
        while scope is not None:
            if scope.identifier == token:
                return depth
            depth += 1
            scope = scope.parent
        self.fail(f"outer component `{token[1:]}` not found", self.i - 1)

    def outer_index(self, sort: str, depth: int) -> int:
        """The index of ``alias outer``'s target, in the scope ``depth`` levels out."""
        token = self.tok
        if not is_id(token):
            return self.u32()
        scope = self.scope
        for _ in range(depth):
            if scope.parent is None:
                self.fail(f"outer count of `{depth}` is too large")
            scope = scope.parent
        self.i += 1
        index = scope.ids.get(sort, {}).get(token)
        if index is None and self.known is not None:
            index = self.known.get((scope.key, sort, token))
        if index is None:
            if self.known is None:
                return 0
            self.fail(f"unknown {sort}: failed to find name `{token}`", self.i - 1)
        return index

    # --- Aliases ------------------------------------------------------------

    def outer_alias(self, sort: str, depth: int, index: int, at: int | None = None) -> int:
        """Append ``(alias outer depth index (sort))``; the new index."""
        if self.scope.kind == "module type":
            if sort != "core type":
                self.fail("only core types can be aliased into a module type", at)
            self.append("alias", b"\x10\x01" + u32(depth) + u32(index))
        else:
            self.append("alias", sort_code(sort) + b"\x02" + u32(depth) + u32(index))
        return self.define(sort, at)

    def export_alias(
        self, sort: str, instance: int, export: bytes, at: int | None = None, core_instance: bool = False
    ) -> int:
        """Append ``(alias export instance "name" (sort))``, or (``core_instance``) its core form; the new index."""
        if core_instance:
            self.append("alias", sort_code(sort) + b"\x01" + u32(instance) + export)
        else:
            self.append("alias", sort_code(sort) + b"\x00" + u32(instance) + export)
        return self.define(sort, at)

    def projected(self, sort: str) -> int:
        """``idx name*`` of a reference: the index, through an export alias per name."""
        # A core module is exported by a component instance, the other core sorts by a core instance.
        core = sort.startswith("core ") and sort != "core module"
        if not is_string(self.toks[self.i + 1][0]):
            return self.resolve(sort)
        index = self.resolve("core instance" if core else "instance")
        while True:
            export = self.name_string()
            if not is_string(self.tok):
                return self.export_alias(sort, index, export, core_instance=core)
            if core:
                self.fail("a core instance has no instance exports")
            index = self.export_alias("instance", index, export)

    # --- References ---------------------------------------------------------

    def sort_keyword(self, core_context: bool = False) -> str:
        """A sort: ``core X`` or a component sort (a core sort without ``core`` where the context is core)."""
        token = self.tok
        if token == "core":
            self.i += 1
            word = self.tok
            if word not in CORE_SORT_WORDS:
                self.fail(f"expected a core sort, found {word or 'end of input'}")
            self.i += 1
            return "core " + word
        if core_context:
            if token not in CORE_SORT_WORDS:
                self.fail(f"expected a core sort, found {token or 'end of input'}")
            self.i += 1
            return "core " + token
        if token not in SORT_WORDS:
            self.fail(f"expected a sort, found {token or 'end of input'}")
        self.i += 1
        return token

    def reference(self, sort: str) -> int:
        """``idx`` or ``(sort idx name*)`` of a component sort, or of a core sort in a core context."""
        if self.tok != "(":
            if not self.at_index():
                self.fail(f"expected an index, found {self.tok or 'end of input'}")
            return self.resolve(sort)
        return self.sortidx(sort)

    def sortidx(self, sort: str) -> int:
        """``(sort idx name*)``: the sort must be ``sort`` (its ``core`` optional for a core sort)."""
        self.expect("(")
        at = self.i
        found = self.sort_keyword(core_context=sort.startswith("core "))
        if found != sort:
            self.fail(f"expected {sort}", at)
        index = self.projected(sort)
        self.expect(")")
        return index

    def core_reference(self, sort: str) -> int:
        """``core-prefix(core:Xidx)``: ``idx``, ``(core X idx name*)``, and the legacy ``(X idx ...)`` and
        ``idx name+`` (wasm-tools' older syntax)."""
        if self.tok == "(":
            return self.sortidx(sort)
        if not self.at_index():
            self.fail(f"expected an index, found {self.tok or 'end of input'}")
        return self.projected(sort)

    def externidx(self) -> tuple[str, int]:
        """``(sort idx name*)`` of any sort: the sort and the index."""
        self.expect("(")
        sort = self.sort_keyword()
        index = self.projected(sort)
        self.expect(")")
        return sort, index

    def sortidx_encoding(self, sort: str, index: int) -> bytes:
        return sort_code(sort) + u32(index)

    def core_sortidx_encoding(self, sort: str, index: int) -> bytes:
        return core_sort_code(sort) + u32(index)
