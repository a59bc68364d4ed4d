"""wasmrun.debug.dwarf: module offsets to source locations, as Wasmtime finds them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wasmrun.binary.instructions import decode_function_body
from wasmrun.debug.dwarf import SourceLocation, SourceMap, has_debug_sections
from wasmrun.instructions import OPCODES
from wasmrun.loader import Module

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
DATA = Path(__file__).resolve().parent / "data"

DIVZ_SOURCE = (EXAMPLES / "divz.c").read_text().splitlines()


def _load(path: Path) -> Module:
    return Module.from_file(path)


def _function_index(module: Module, name: str) -> int:
    return next(index for index, found in module.names.functions.items() if found == name)


def _instruction_offset(module: Module, function: str, mnemonic: str, immediate: object = None) -> int:
    """The module offset of the first ``mnemonic`` (with ``immediate``, if given) in ``function``."""
    body = module.body(_function_index(module, function))
    for opcode, argument, offset in decode_function_body(module.raw, body):
        if OPCODES[opcode].mnemonic == mnemonic and (immediate is None or argument == immediate):
            return offset
    raise AssertionError(f"no {mnemonic} in {function}")


def _source_position(text: str, column_of: str) -> tuple[int, int]:
    """The 1-based line holding ``text`` in divz.c, and the column where ``column_of`` starts in it."""
    line = next(number for number, content in enumerate(DIVZ_SOURCE, 1) if text in content)
    return line, DIVZ_SOURCE[line - 1].index(column_of) + 1


@pytest.fixture(scope="module")
def divz_debug() -> Module:
    return _load(EXAMPLES / "divz-debug.wasm")


# (function, the instruction that is on the stack when divide_cells traps, source text, column marker)
DIVZ_FRAMES = [
    ("divide_cells", ("i32.div_s", None), "return total / count;", "/"),
    ("average_row", ("call", "divide_cells"), "return divide_cells(total, count);", "divide_cells"),
    ("report", ("call", "average_row"), "int average = average_row(row, count);", "average_row"),
]


@pytest.mark.parametrize(("function", "instruction", "text", "marker"), DIVZ_FRAMES, ids=[f[0] for f in DIVZ_FRAMES])
def test_divz_debug_frames_resolve_to_their_source_lines(
    divz_debug: Module, function: str, instruction: tuple[str, str | None], text: str, marker: str
) -> None:
    mnemonic, callee = instruction
    immediate = _function_index(divz_debug, callee) if callee is not None else None
    offset = _instruction_offset(divz_debug, function, mnemonic, immediate)
    source_map = SourceMap.from_module(divz_debug)
    assert source_map is not None
    line, column = _source_position(text, marker)
    assert source_map.lookup(offset) == [SourceLocation("examples/divz.c", line, column, function)]


def test_divz_debug_main_is_named_by_its_linkage_name(divz_debug: Module) -> None:
    # clang gives C's main the linkage name __main_argc_argv in wasm32-wasi; Wasmtime prints that.
    offset = _instruction_offset(divz_debug, "main", "call", _function_index(divz_debug, "report"))
    source_map = SourceMap.from_module(divz_debug)
    assert source_map is not None
    [location] = source_map.lookup(offset)
    assert (location.file, location.function) == ("examples/divz.c", "__main_argc_argv")


def test_libc_file_names_join_comp_dir_and_directory(divz_debug: Module) -> None:
    # Debian's wasi-libc: comp_dir "." and directory "./libc-bottom-half/sources" (Wasmtime prints the same).
    offset = _instruction_offset(divz_debug, "__original_main", "call")
    source_map = SourceMap.from_module(divz_debug)
    assert source_map is not None
    [location] = source_map.lookup(offset)
    assert location.file == "././libc-bottom-half/sources/__original_main.c"
    assert location.function == "__original_main"


def test_code_without_debug_information_has_no_source(divz_debug: Module) -> None:
    # __main_void comes from a libc object built without DWARF.
    offset = _instruction_offset(divz_debug, "__main_void", "call")
    source_map = SourceMap.from_module(divz_debug)
    assert source_map is not None
    assert source_map.lookup(offset) == []


@pytest.mark.parametrize("offset", [0, 5, 0x7FFF_FFFF], ids=["header", "type-section", "past-the-end"])
def test_offsets_outside_the_code_have_no_source(divz_debug: Module, offset: int) -> None:
    source_map = SourceMap.from_module(divz_debug)
    assert source_map is not None
    assert source_map.lookup(offset) == []


# tests/unit/data/inlined.c: run -> apply, into which scale and divide are inlined.
INLINED_DIVIDE = [
    SourceLocation("./inlined.c", 11, 14, "divide"),
    SourceLocation("./inlined.c", 15, 13, "scale"),
    SourceLocation("./inlined.c", 22, 12, "apply"),
]


@pytest.mark.parametrize("fixture", ["inlined.wasm", "inlined-dwarf5.wasm"], ids=["dwarf4", "dwarf5"])
@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (0x4C, INLINED_DIVIDE),
        (0x40, [SourceLocation("./inlined.c", 20, 9, "apply")]),
        (0x5A, [SourceLocation("./inlined.c", 26, 12, "run")]),
    ],
    ids=["inlined-chain", "trap-in-apply", "call-in-run"],
)
def test_inlined_calls_give_one_frame_each(fixture: str, offset: int, expected: list[SourceLocation]) -> None:
    source_map = SourceMap.from_module(_load(DATA / fixture))
    assert source_map is not None
    assert source_map.lookup(offset) == expected


@pytest.mark.parametrize(
    "path",
    [EXAMPLES / "divz.wasm", EXAMPLES / "hello.wasm", EXAMPLES / "add.wat"],
    ids=["name-section-only", "stripped", "text"],
)
def test_a_module_without_dwarf_has_no_source_map(path: Path) -> None:
    module = _load(path)
    assert SourceMap.from_module(module) is None
    assert not has_debug_sections(module)


def _with_custom_sections(module_bytes: bytes, sections: dict[str, bytes]) -> bytes:
    def leb(value: int) -> bytes:
        out = bytearray()
        while True:
            byte, value = value & 0x7F, value >> 7
            out.append(byte | (0x80 if value else 0))
            if not value:
                return bytes(out)

    extra = b""
    for name, payload in sections.items():
        content = leb(len(name)) + name.encode() + payload
        extra += b"\x00" + leb(len(content)) + content
    return module_bytes + extra


# (module (func (result i32) i32.const 1 i32.const 0 i32.div_s))
TINY_MODULE = bytes.fromhex("0061736d010000000105016000017f030201000a09010700410141006d0b")


@pytest.mark.parametrize(
    "sections",
    [
        {".debug_info": b"\xff" * 40},
        {".debug_info": b"\x20\x00\x00\x00\x04\x00\x00\x00\x00\x00\x04\x01", ".debug_abbrev": b"\x01\x11"},
        {".debug_info": b""},
    ],
    ids=["garbage", "truncated-unit", "empty"],
)
def test_malformed_dwarf_gives_no_source_instead_of_failing(sections: dict[str, bytes]) -> None:
    module = Module.from_bytes(_with_custom_sections(TINY_MODULE, sections))
    assert has_debug_sections(module)
    source_map = SourceMap.from_module(module)
    if source_map is not None:
        assert source_map.lookup(module.codes[0].code_start) == []


def test_any_debug_section_counts_as_debug_information() -> None:
    # Wasmtime's hint about WASMTIME_BACKTRACE_DETAILS appears for any `.debug_*` custom section.
    module = Module.from_bytes(_with_custom_sections(TINY_MODULE, {".debug_line": b""}))
    assert has_debug_sections(module)
    assert SourceMap.from_module(module) is None  # but without .debug_info there is nothing to look up


def _modules_after(statement: str) -> list[str]:
    probe = (
        "import json, sys; " + statement + "; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'elftools', 'rich'})))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    names: list[str] = json.loads(result.stdout)
    return names


@pytest.mark.parametrize(
    "statement",
    [
        "import wasmrun.cli.main",
        "import wasmrun.debug.backtrace",
        "from wasmrun.loader import Module; from wasmrun.debug.dwarf import SourceMap;"
        " SourceMap.from_module(Module.from_file('examples/divz.wasm'))",
    ],
    ids=["cli", "backtrace-module", "module-without-dwarf"],
)
def test_start_up_imports_neither_pyelftools_nor_rich(statement: str) -> None:
    assert _modules_after(statement) == []


def test_pyelftools_is_imported_when_dwarf_is_read() -> None:
    statement = (
        "from wasmrun.loader import Module; from wasmrun.debug.dwarf import SourceMap;"
        " SourceMap.from_module(Module.from_file('examples/divz-debug.wasm'))"
    )
    assert _modules_after(statement) == ["elftools"]
