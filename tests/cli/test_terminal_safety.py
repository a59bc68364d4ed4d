"""A module cannot drive the user's terminal: names it carries are printed with control characters escaped.

Wasmtime 49 prints names from the ``name`` section raw; wasmrun escapes every non-printable character
as Rust's ``escape_debug`` writes it (a deliberate difference, listed in docs/cli.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from wasm_bytes import HEADER, functype, name, section, u32, vec

from wasmrun.cli.main import main
from wasmrun.debug.backtrace import Frame
from wasmrun.debug.dwarf import SourceLocation
from wasmrun.printable import escape_debug, json_text

HOSTILE = "\x1b[31mred\x1b]0;title\x07\x9b2J\u202e\n"
ESCAPED = "\\u{1b}[31mred\\u{1b}]0;title\\u{7}\\u{9b}2J\\u{202e}\\n"


def _name_subsection(subsection_id: int, content: bytes) -> bytes:
    return bytes([subsection_id]) + u32(len(content)) + content


def hostile_module(*, imports: bool = False) -> bytes:
    """``_start`` calls a function that traps; every name carries escape sequences."""
    names = section(
        0,
        name("name")
        + _name_subsection(0, name("mod" + HOSTILE))
        + _name_subsection(1, vec(u32(0) + name("start" + HOSTILE), u32(1) + name("trap" + HOSTILE))),
    )
    return (
        HEADER
        + section(1, vec(functype()))
        + (section(2, vec(name("env" + HOSTILE) + name("f" + HOSTILE) + b"\x00\x00")) if imports else b"")
        + section(3, vec(u32(0), u32(0)))
        + section(7, vec(name("_start") + b"\x00" + u32(0), name("run" + HOSTILE) + b"\x00" + u32(1)))
        + section(10, vec(b"\x04\x00\x10\x01\x0b", b"\x03\x00\x00\x0b"))
        + names
        + section(0, name("custom" + HOSTILE) + b"payload")
    )


def unprintable(text: str) -> list[str]:
    return sorted({char for line in text.split("\n") for char in line if not (char.isprintable() or char == " ")})


@pytest.fixture
def module_file(tmp_path: Path) -> str:
    path = tmp_path / "hostile.wasm"
    path.write_bytes(hostile_module())
    return str(path)


COMMANDS = {
    "trap backtrace": ["{file}"],
    "trap backtrace without details": ["--no-backtrace-details", "{file}"],
    "missing export": ["--invoke", "nosuch" + HOSTILE, "{file}"],
    "inspect": ["inspect", "{file}"],
    "inspect --json": ["inspect", "--json", "{file}"],
    "inspect --instance": ["inspect", "--instance", "{file}"],
    "inspect --code": ["inspect", "--code", "1", "{file}"],
    "validate": ["validate", "{file}"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_names_reach_the_terminal_escaped(command: str, module_file: str, capfd: pytest.CaptureFixture[str]) -> None:
    main([argument.format(file=module_file) for argument in COMMANDS[command]])
    captured = capfd.readouterr()
    assert unprintable(captured.out + captured.err) == []


def test_a_trap_names_its_frames_escaped(module_file: str, capfd: pytest.CaptureFixture[str]) -> None:
    assert main([module_file]) == 134
    err = capfd.readouterr().err
    assert f"mod{ESCAPED}!trap{ESCAPED}" in err


def test_an_unknown_import_is_named_escaped(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "imports.wasm"
    path.write_bytes(hostile_module(imports=True))
    assert main([str(path)]) == 1
    err = capfd.readouterr().err
    assert f"env{ESCAPED}::f{ESCAPED}" in err and unprintable(err) == []


def test_dwarf_file_and_function_names_are_escaped() -> None:
    frame = Frame(
        0, 0x10, "f", None, (SourceLocation(file="/src/a" + HOSTILE, line=3, column=None, function="g" + HOSTILE),)
    )
    lines = frame.lines(0)
    assert unprintable("".join(lines)) == []
    assert lines[0].endswith("g" + ESCAPED) and lines[1].endswith(f"/src/a{ESCAPED}:3")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain name", "plain name"),
        ("tab\there", "tab\\there"),
        ("nul\0", "nul\\0"),
        ("cr\r", "cr\\r"),
        ("\x1b[0m", "\\u{1b}[0m"),
        ("\x7f", "\\u{7f}"),
        ("csi\x9b", "csi\\u{9b}"),
        ("bidi\u202e", "bidi\\u{202e}"),
        ("caf\u00e9 \u6f22\u5b57", "caf\u00e9 \u6f22\u5b57"),
        ('back\\slash "quoted"', 'back\\slash "quoted"'),
    ],
)
def test_escape_debug_writes_control_characters_as_rust_does(text: str, escaped: str) -> None:
    assert escape_debug(text) == escaped


def test_json_keeps_its_meaning_and_escapes_what_a_terminal_acts_on() -> None:
    import json

    value = {"name": HOSTILE + "caf\u00e9 \U0001f600"}
    text = json_text(value)
    assert unprintable(text) == []
    assert json.loads(text) == value
