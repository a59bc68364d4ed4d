"""Blocks for people: the plain aligned text (what pipes and golden files see) and the rich rendering."""

from __future__ import annotations

from io import StringIO

import pytest

from wasmrun.cli.tables import Column, Fields, Lines, Table, render_plain, render_rich

BLOCKS = (
    Fields(None, (("file", "m.wasm"), ("size", "8 bytes"))),
    Table("things", (Column("index", "right"), Column("name")), (("0", "a"), ("10", "[bracketed]"))),
    Table("nothing", (Column("index"),), ()),
    Lines("code (1)", ("0x1  nop",)),
)


def test_plain_rendering() -> None:
    assert render_plain(BLOCKS) == (
        "file: m.wasm\nsize: 8 bytes\n\n"
        "things (2):\n  index  name\n      0  a\n     10  [bracketed]\n\n"
        "nothing: none\n\n"
        "code (1):\n  0x1  nop\n"
    )


def test_rich_rendering_shows_every_block() -> None:
    out = StringIO()
    render_rich(BLOCKS, out)
    text = out.getvalue()
    for expected in ("m.wasm", "things (2)", "[bracketed]", "nothing", "0x1  nop"):
        assert expected in text


LONG_NAMES = ("wasi_snapshot_preview1", "a_function_whose_name_is_long_enough_to_wrap", "__wasm_call_ctors_as_well")


def test_rich_table_never_splits_a_name_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    table = Table(
        "imports", (Column("module"), Column("name"), Column("type"), Column("other")), ((*LONG_NAMES, "x" * 30),)
    )
    out = StringIO()
    render_rich((table,), out)
    text = out.getvalue()
    for name in (*LONG_NAMES, "x" * 30):
        assert name in text
