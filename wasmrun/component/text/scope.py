"""Index spaces, identifiers and the definitions of one scope of a component text.

A *scope* is a component, a component type, an instance type or a core module
type: each has its own index spaces (Explainer.md, Index Spaces), and each
collects its definitions in order, as section entries (a component) or as
declarations (a type).  Abbreviations expand into extra definitions appended
just before the definition that uses them, so a definition's index is taken
when it is appended, after those of everything it expanded into.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wasmrun.text.encoder import name, section, u32, vec
from wasmrun.text.lexer import id_name

# The sorts, spelled as in the text format (Explainer.md, Index Spaces).
CORE_SORTS = ("func", "table", "memory", "global", "tag", "type", "module", "instance")

# ``core:sort`` and ``sort`` encodings (Binary.md, Instance Definitions).
_CORE_SORT_CODES = {
    "core func": 0x00,
    "core table": 0x01,
    "core memory": 0x02,
    "core global": 0x03,
    "core tag": 0x04,
    "core type": 0x10,
    "core module": 0x11,
    "core instance": 0x12,
}
_SORT_CODES = {"func": 0x01, "value": 0x02, "type": 0x03, "component": 0x04, "instance": 0x05}

# Sorts an outer alias may name (Explainer.md, Alias Definitions).
OUTER_ALIAS_SORTS = frozenset(("core module", "core type", "component", "type"))

# Component sections (Binary.md, Component Definitions).
SECTION_IDS = {
    "core module": 1,
    "core instance": 2,
    "core type": 3,
    "component": 4,
    "instance": 5,
    "alias": 6,
    "type": 7,
    "canon": 8,
    "start": 9,
    "import": 10,
    "export": 11,
    "value": 12,
}
# Sections that hold one item each rather than a vector of them.
_SINGLE_ITEM_SECTIONS = frozenset((1, 4, 9))

# Declarations of component and instance types, and of core module types (Binary.md, Type Definitions).
_INSTANCE_DECLS = {"core type": 0x00, "type": 0x01, "alias": 0x02, "export": 0x04}
_COMPONENT_DECLS = {**_INSTANCE_DECLS, "import": 0x03}
_MODULE_DECLS = {"import": 0x00, "type": 0x01, "alias": 0x02, "export": 0x03}
DECLARATIONS = {"component type": _COMPONENT_DECLS, "instance type": _INSTANCE_DECLS, "module type": _MODULE_DECLS}


def sort_code(sort: str) -> bytes:
    """The ``sort`` encoding of a component-level or (``core ...``) core sort."""
    code = _CORE_SORT_CODES.get(sort)
    if code is not None:
        return bytes((0x00, code))
    return bytes((_SORT_CODES[sort],))


def core_sort_code(sort: str) -> bytes:
    """The ``core:sort`` encoding of a core sort (``core func`` ...)."""
    return bytes((_CORE_SORT_CODES[sort],))


# The order of the name section's sort subsections, as wasm-tools writes them: the sort encodings' order.
_NAMED_SORTS = (*_CORE_SORT_CODES, "func", "value", "type", "component", "instance")


@dataclass
class Scope:
    """One scope: its kind, where it starts (its ``(`` token), its index spaces and its definitions."""

    kind: str  # "component", "component type", "instance type" or "module type"
    key: int
    parent: Scope | None
    identifier: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    ids: dict[str, dict[str, int]] = field(default_factory=dict)
    # (section id or declaration code, entry), in order
    items: list[tuple[int, bytes]] = field(default_factory=list)
    # Exports written inline, ``(func (export "f") ...)``: appended at the end of the component.
    inline_exports: list[bytes] = field(default_factory=list)
    inline_export_sorts: list[str] = field(default_factory=list)
    # Identifiers left out of the name section (those of start results, as wasm-tools leaves them out).
    unnamed: set[tuple[str, str]] = field(default_factory=set)
    # A module type's function types, by encoding: an inline one reuses an equal one (as wasm-tools does).
    function_types: dict[bytes, int] = field(default_factory=dict)

    def next_index(self, sort: str) -> int:
        return self.counts.get(sort, 0)

    def add_index(self, sort: str) -> int:
        """A new index in ``sort``'s space."""
        index = self.counts.get(sort, 0)
        self.counts[sort] = index + 1
        return index

    def append(self, category: str, entry: bytes) -> bool:
        """Append a definition of ``category`` (a section name); False if this scope has no place for it."""
        if self.kind == "component":
            self.items.append((SECTION_IDS[category], entry))
            return True
        code = DECLARATIONS[self.kind].get(category)
        if code is None:
            return False
        self.items.append((code, entry))
        return True

    def encode_declarations(self) -> bytes:
        return vec(bytes((code,)) + entry for code, entry in self.items)

    def encode_sections(self) -> bytes:
        """The sections of a component: consecutive entries of one section share it, as wasm-tools writes them."""
        out = bytearray()
        run: list[bytes] = []
        run_id = -1
        for section_id, entry in self.items:
            if section_id in _SINGLE_ITEM_SECTIONS:
                if run:
                    out += section(run_id, vec(run))
                    run = []
                out += section(section_id, entry)
                run_id = -1
                continue
            if section_id != run_id and run:
                out += section(run_id, vec(run))
                run = []
            run_id = section_id
            run.append(entry)
        if run:
            out += section(run_id, vec(run))
        return bytes(out)

    def name_section(self) -> bytes:
        """The ``component-name`` custom section's contents (Binary.md, Name Section); empty without names."""
        out = bytearray()
        if self.identifier is not None:
            out += _subsection(0, name(id_name(self.identifier).encode()))
        for sort in _NAMED_SORTS:
            ids = self.ids.get(sort)
            if ids:
                names = sorted(
                    (index, identifier) for identifier, index in ids.items() if (sort, identifier) not in self.unnamed
                )
                if not names:
                    continue
                entries = vec(u32(index) + name(id_name(identifier).encode()) for index, identifier in names)
                out += _subsection(1, sort_code(sort) + entries)
        return bytes(out)


def _subsection(subsection_id: int, content: bytes) -> bytes:
    return bytes((subsection_id,)) + name(content)
