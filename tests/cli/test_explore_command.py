"""``wasmrun explore``: the page, read back with html.parser, pairs each function's wasm with its Python."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from testdata import REPO_ROOT

from wasmrun.cli.explore import default_output
from wasmrun.cli.main import main
from wasmrun.inspection.code import function_code
from wasmrun.loader import Module


class Section:
    def __init__(self, index: int) -> None:
        self.index = index
        self.title = ""
        self.listings: dict[str, list[tuple[str | None, str]]] = {}
        self.note = ""


class PageReader(HTMLParser):
    """The page's sections: each one's index, title, and listings as (data-offset, text) lines."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[Section] = []
        self.external: list[str] = []  # anything the page would load from elsewhere
        self._listing: str | None = None
        self._line: list[str] | None = None
        self._offset: str | None = None
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("script", "link", "img") and (attributes.get("src") or attributes.get("href")):
            self.external.append(tag)
        if tag == "section" and attributes.get("class") == "function":
            self.sections.append(Section(int(attributes["data-index"] or "-1")))
        elif tag == "pre" and self.sections:
            self._listing = attributes.get("class") or ""
            self.sections[-1].listings[self._listing] = []
        elif tag == "span" and self._listing is not None:
            self._line, self._offset = [], attributes.get("data-offset")
        elif tag in ("h2", "p") and self.sections:
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._line is not None and self._listing is not None:
            self.sections[-1].listings[self._listing].append((self._offset, "".join(self._line)))
            self._line = None
        elif tag == "pre":
            self._listing = None
        elif tag in ("h2", "p"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._line is not None:
            self._line.append(data)
        elif self._in == "h2":
            self.sections[-1].title += data
        elif self._in == "p":
            self.sections[-1].note += data


def read_page(path: Path) -> PageReader:
    reader = PageReader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader


def explore(module: Path, tmp_path: Path) -> PageReader:
    output = tmp_path / "page.html"
    assert main(["explore", str(module), "-o", str(output)]) == 0
    return read_page(output)


@pytest.mark.parametrize("example", ["fac.wat", "add.wat", "hello.wasm"])
def test_each_function_pairs_its_wasm_with_its_python(example: str, tmp_path: Path) -> None:
    module_path = REPO_ROOT / "examples" / example
    page = explore(module_path, tmp_path)
    module = Module.from_file(module_path)
    defined = range(module.num_imported_functions, len(module.func_type_indices))
    assert [section.index for section in page.sections] == list(defined)
    assert page.external == []
    for section in page.sections:
        code = function_code(module, section.index)
        wasm = [
            (f"{line.offset:#x}", f"{'  ' * line.depth}{line.mnemonic} {line.immediates}".rstrip())
            for line in code.instructions
        ]
        assert [(offset, text) for offset, text in section.listings["wasm"]] == [(o, t or " ") for o, t in wasm]
        compiled = code.translated.compiled
        assert compiled is not None
        python = [(None if line.offset is None else f"{line.offset:#x}", line.text or " ") for line in compiled.lines]
        assert section.listings["python"] == python
        # Each Python line that reports an offset points at an instruction of the wasm beside it.
        wasm_offsets = {offset for offset, _ in section.listings["wasm"]}
        assert {offset for offset, _ in python if offset is not None} <= wasm_offsets


SIMD_AND_NAMES = """(module
  (func $<b>bold</b> (export "plain") (result i32) (i32.const 1))
  (func (export "simd") (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))
"""


def test_names_are_escaped_and_simd_stays_interpreted(tmp_path: Path) -> None:
    module = tmp_path / "m.wat"
    module.write_text(SIMD_AND_NAMES)
    page = explore(module, tmp_path)
    plain, simd = page.sections
    assert plain.title.startswith("function 0 <b>bold</b> ")  # text, not markup
    assert "python" in plain.listings
    assert "python" not in simd.listings and simd.note == "stays interpreted: SIMD"


def test_default_output_is_wasmtimes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = tmp_path / "fac.wat"
    module.write_text((REPO_ROOT / "examples" / "fac.wat").read_text())
    assert main(["explore", str(module)]) == 0
    assert capsys.readouterr().out == f"Exploration written to {tmp_path / 'fac.explore.html'}\n"
    assert default_output("dir/app.wasm") == "dir/app.explore.html"


@pytest.mark.parametrize(
    ("line", "status"),
    [(["explore", "missing.wasm"], 1), (["explore", "-"], 2), (["explore", "-W", "fuel=3", "x.wasm"], 2)],
)
def test_explore_errors(line: list[str], status: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(line) == status
    assert capsys.readouterr().err.count("Error:") == 1
