"""The module summary: index spaces, names, body sizes, segments, sections."""

from __future__ import annotations

import pytest

from wasmrun.inspection.summary import ImportName, ModuleSummary, function_names, summarize
from wasmrun.loader import load_module

WAT = """(module
  (import "env" "f" (func $f (param i32)))
  (import "env" "t" (table 2 funcref))
  (import "env" "m" (memory 1 3))
  (import "env" "g" (global $g i32))
  (table 5 externref)
  (global (mut i64) (i64.const -2))
  (global i32 (global.get $g))
  (func $a (export "first") (export "second") (local i32 i32) (local f64))
  (func $b (param i32) (call $f (local.get 0)))
  (elem (table 0) (i32.const 1) func $a $b)
  (elem funcref (ref.null func))
  (data (i32.const 8) "abc")
  (data "passive!")
  (start $a))"""


@pytest.fixture(scope="module")
def summary() -> ModuleSummary:
    return summarize(load_module(WAT.encode()), file="m.wat", text_format=True, file_size=len(WAT))


def test_header(summary: ModuleSummary) -> None:
    assert (summary.file, summary.format, summary.file_size, summary.start) == ("m.wat", "text", len(WAT), 1)
    assert summary.size == len(load_module(WAT.encode()).raw)


def test_imports_are_numbered_in_their_own_index_space(summary: ModuleSummary) -> None:
    assert [(entry.kind, entry.index, entry.type) for entry in summary.imports] == [
        ("func", 0, "[i32] -> []"),
        ("table", 0, "funcref min 2"),
        ("memory", 0, "min 1 max 3"),
        ("global", 0, "i32"),
    ]


def test_functions_put_imports_first(summary: ModuleSummary) -> None:
    rows = [(f.index, f.name, f.imported_from, f.locals, f.params) for f in summary.functions]
    assert rows == [
        (0, "f", ImportName("env", "f"), None, ("i32",)),  # the name section's names (from the text)
        (1, "a", None, 3, ()),  # locals are counted, not grouped
        (2, "b", None, 0, ("i32",)),
    ]


def test_body_size_is_the_size_field(summary: ModuleSummary) -> None:
    module = load_module(WAT.encode())
    body = module.codes[1]
    assert summary.functions[2].body_size == module.raw[body.start]  # one-byte LEB128 here
    assert summary.functions[2].body_offset == body.start
    assert summary.functions[2].body_size == body.end - body.start - 1


def test_tables_memories_globals(summary: ModuleSummary) -> None:
    assert [(t.index, t.element, t.min, t.max, t.imported_from is not None) for t in summary.tables] == [
        (0, "funcref", 2, None, True),
        (1, "externref", 5, None, False),
    ]
    assert [(m.min, m.max) for m in summary.memories] == [(1, 3)]
    assert [(g.type, g.mutable, g.init) for g in summary.globals] == [
        ("i32", False, None),
        ("i64", True, "i64.const -2"),
        ("i32", False, "global.get 0"),
    ]


def test_segments(summary: ModuleSummary) -> None:
    assert [(e.mode, e.table, e.offset, e.type, e.count) for e in summary.elements] == [
        ("active", 0, "i32.const 1", "funcref", 2),
        ("passive", None, None, "funcref", 1),
    ]
    assert [(d.mode, d.memory, d.offset, d.size) for d in summary.data] == [
        ("active", 0, "i32.const 8", 3),
        ("passive", None, None, 8),
    ]


def test_sections_cover_the_module_in_order(summary: ModuleSummary) -> None:
    position = 8  # after the magic number and the version
    for section in summary.sections:
        assert section.start == position
        assert section.size == section.end - section.content_start
        position = section.end
    assert position == summary.size


def name_section(function_names: dict[int, str]) -> bytes:
    """A ``name`` custom section with a function-names subsection (all lengths below 128)."""
    entries = b"".join(bytes((index, len(name))) + name.encode() for index, name in function_names.items())
    subsection = bytes((1, len(entries) + 1, len(function_names))) + entries
    contents = bytes((4,)) + b"name" + subsection
    return bytes((0, len(contents))) + contents


def test_name_section_names_win_over_exports() -> None:
    exported = load_module(b'(module (func (export "exported")) (func))')
    assert function_names(exported) == {0: "exported"}
    named = load_module(exported.raw + name_section({0: "named", 1: "other"}))
    assert function_names(named) == {0: "named", 1: "other"}
