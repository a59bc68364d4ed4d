"""wasmrun.debug.backtrace: trap frames in Wasmtime's layout.

The expected texts were printed by Wasmtime 50 (wasmtime-py 50.0.1, ``str(trap)`` up to
``Caused by:``) for the same modules and frames; ``test_same_text_as_wasmtime`` checks them again
whenever wasmtime-py is installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmrun.debug.backtrace import (
    DEFAULT_MAX_FRAMES,
    DETAILS_HINT,
    HEADER,
    Frame,
    backtrace_lines,
    describe_frames,
    function_name,
)
from wasmrun.debug.dwarf import SourceLocation
from wasmrun.loader import Module

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
DATA = Path(__file__).resolve().parent / "data"


def _leb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _name(text: str) -> bytes:
    return _leb(len(text.encode())) + text.encode()


def _section(section_id: int, content: bytes) -> bytes:
    return bytes([section_id]) + _leb(len(content)) + content


def _module(count: int, names: dict[int, str] | None = None, module_name: str | None = None) -> Module:
    """``count`` functions ``(func)``; a name section with ``names`` and ``module_name`` when given."""
    body = b"\x02\x00\x0b"  # size 2: no locals, end
    data = b"\x00asm\x01\x00\x00\x00"
    data += _section(1, b"\x01\x60\x00\x00")
    data += _section(3, _leb(count) + b"\x00" * count)
    data += _section(10, _leb(count) + body * count)
    if names is not None or module_name is not None:
        subsections = b""
        if module_name is not None:
            subsections += b"\x00" + _leb(len(_name(module_name))) + _name(module_name)
        if names:
            entries = _leb(len(names)) + b"".join(_leb(i) + _name(n) for i, n in sorted(names.items()))
            subsections += b"\x01" + _leb(len(entries)) + entries
        data += _section(0, _name("name") + subsections)
    return Module.from_bytes(data)


def test_frames_are_named_from_the_name_section() -> None:
    module = _module(3, {0: "inner"})
    lines = backtrace_lines(module, [(0, 0x2B), (1, 0x31), (2, 0x38)])
    assert lines == [
        "    0:     0x2b - <unknown>!inner",
        "    1:     0x31 - <unknown>!<wasm function 1>",
        "    2:     0x38 - <unknown>!<wasm function 2>",
    ]


def test_the_module_name_replaces_unknown() -> None:
    module = _module(2, {0: "inner"}, module_name="mymod")
    assert backtrace_lines(module, [(0, 0x2A), (1, 0x30)]) == [
        "    0:     0x2a - mymod!inner",
        "    1:     0x30 - mymod!<wasm function 1>",
    ]


@pytest.mark.parametrize(
    ("index", "expected"),
    [(0, "inner"), (1, "<wasm function 1>"), (7, "<wasm function 7>")],
    ids=["named", "unnamed", "imported-or-unknown"],
)
def test_function_name(index: int, expected: str) -> None:
    assert function_name(_module(2, {0: "inner"}), index) == expected


@pytest.mark.parametrize(
    ("number", "offset", "expected"),
    [
        (0, 0x2B, "    0:     0x2b - <unknown>!f"),
        (4, 0x2775, "    4:   0x2775 - <unknown>!f"),
        (12, 0xFFFFFF, "   12: 0xffffff - <unknown>!f"),
        (123, 0x1000034, "  123: 0x1000034 - <unknown>!f"),
        (1000, 0x10000035, "  1000: 0x10000035 - <unknown>!f"),
    ],
    ids=["small", "medium", "full-width", "wider", "widest"],
)
def test_numbers_and_offsets_are_right_aligned_as_wasmtime_does(number: int, offset: int, expected: str) -> None:
    assert Frame(0, offset, "f", None).lines(number) == [expected]


@pytest.mark.parametrize(
    ("max_frames", "shown"),
    [(None, 25), (DEFAULT_MAX_FRAMES, 20), (3, 3), (0, 0), (100, 25)],
    ids=["all", "default", "three", "none", "more-than-there-are"],
)
def test_frame_limit(max_frames: int | None, shown: int) -> None:
    module = _module(1, {0: "f"})
    frames = [(0, 0x20 + n) for n in range(25)]
    lines = backtrace_lines(module, frames, max_frames=max_frames)
    assert len(lines) == shown
    assert [line.split(":")[0].strip() for line in lines] == [str(n) for n in range(shown)]


def test_source_lines_follow_each_frame() -> None:
    frame = Frame(
        3, 0x4C, "apply", None, (SourceLocation("a.c", 11, 14, "divide"), SourceLocation("a.c", 22, 0, "apply"))
    )
    assert frame.lines(0) == [
        "    0:     0x4c - divide",
        "                    at a.c:11:14",
        "                - apply",
        "                    at a.c:22:0",
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            (SourceLocation("a.c", None, None, None),),
            ["    0:     0x10 - raw_name", "                    at a.c"],
        ),
        (
            (SourceLocation(None, 5, 2, "f"), SourceLocation("a.c", 7, None, None)),
            ["    0:     0x10 - f", "                - <inlined function>", "                    at a.c:7"],
        ),
    ],
    ids=["unnamed-function-and-no-line", "unnamed-inlined-and-no-file"],
)
def test_missing_dwarf_parts_are_left_out_as_wasmtime_does(
    source: tuple[SourceLocation, ...], expected: list[str]
) -> None:
    assert Frame(0, 0x10, "raw_name", "m", source).lines(0) == expected


# --- the examples, as Wasmtime 50 prints them -----------------------------------------------------

DIVZ_FRAMES = [(8, 0x1F4), (9, 0x208), (10, 0x2C8), (11, 0x314), (28, 0x2775), (12, 0x31F), (7, 0x1D8), (64, 0x62E1)]

DIVZ_WASMTIME = """\
error while executing at wasm backtrace:
    0:    0x1f4 - <unknown>!divide_cells
    1:    0x208 - <unknown>!average_row
    2:    0x2c8 - <unknown>!report
    3:    0x314 - <unknown>!main
    4:   0x2775 - <unknown>!__main_void
    5:    0x31f - <unknown>!__original_main
    6:    0x1d8 - <unknown>!_start
    7:   0x62e1 - <unknown>!_start.command_export"""

DIVZ_DEBUG_WASMTIME = """\
error while executing at wasm backtrace:
    0:    0x1f4 - divide_cells
                    at examples/divz.c:21:18
    1:    0x208 - average_row
                    at examples/divz.c:28:12
    2:    0x2c8 - report
                    at examples/divz.c:32:19
    3:    0x314 - __main_argc_argv
                    at examples/divz.c:38:5
    4:   0x2775 - <unknown>!__main_void
    5:    0x31f - __original_main
                    at ././libc-bottom-half/sources/__original_main.c:9:12
    6:    0x1d8 - _start
                    at ./build/./libc-bottom-half/crt/crt1-command.c:12:13
    7:   0x62e1 - <unknown>!_start.command_export"""

INLINED_FRAMES = [(0, 0x4C), (1, 0x5A)]

INLINED_WASMTIME = """\
error while executing at wasm backtrace:
    0:     0x4c - divide
                    at ./inlined.c:11:14
                - scale
                    at ./inlined.c:15:13
                - apply
                    at ./inlined.c:22:12
    1:     0x5a - run
                    at ./inlined.c:26:12"""

INLINED_WASMTIME_NO_DETAILS = f"""\
error while executing at wasm backtrace:
    0:     0x4c - <unknown>!apply
    1:     0x5a - <unknown>!run
{DETAILS_HINT}"""

LAYOUTS = [
    ("divz.wasm", DIVZ_FRAMES, True, DIVZ_WASMTIME),
    ("divz.wasm", DIVZ_FRAMES, False, DIVZ_WASMTIME),
    ("divz-debug.wasm", DIVZ_FRAMES, True, DIVZ_DEBUG_WASMTIME),
    ("divz-debug.wasm", DIVZ_FRAMES, False, DIVZ_WASMTIME + "\n" + DETAILS_HINT),
    ("inlined.wasm", INLINED_FRAMES, True, INLINED_WASMTIME),
    ("inlined-dwarf5.wasm", INLINED_FRAMES, True, INLINED_WASMTIME),
    ("inlined.wasm", INLINED_FRAMES, False, INLINED_WASMTIME_NO_DETAILS),
]
LAYOUT_IDS = [f"{name}-{'details' if details else 'no-details'}" for name, _f, details, _t in LAYOUTS]


def _path(name: str) -> Path:
    return (EXAMPLES if name.startswith("divz") else DATA) / name


@pytest.mark.parametrize(("name", "frames", "details", "expected"), LAYOUTS, ids=LAYOUT_IDS)
def test_wasmtime_layout(name: str, frames: list[tuple[int, int]], details: bool, expected: str) -> None:
    module = Module.from_file(_path(name))
    assert "\n".join([HEADER, *backtrace_lines(module, frames, details=details)]) == expected


def test_frame_descriptions_carry_names_and_sources() -> None:
    module = Module.from_file(EXAMPLES / "divz-debug.wasm")
    first, *_ = describe_frames(module, DIVZ_FRAMES, max_frames=1)
    assert first == Frame(8, 0x1F4, "divide_cells", None, (SourceLocation("examples/divz.c", 21, 18, "divide_cells"),))


def _wasmtime_trap(path: Path) -> tuple[list[tuple[int, int]], str]:
    """The frames and backtrace text of the trap Wasmtime reports for ``path``.

    Wasmtime reads ``WASMTIME_BACKTRACE_DETAILS`` when it creates the engine.
    """
    wasmtime = pytest.importorskip("wasmtime")
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    if path.name.startswith("divz"):
        wasi = wasmtime.WasiConfig()
        wasi.argv = [path.name]
        store.set_wasi(wasi)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        instance = linker.instantiate(store, wasmtime.Module.from_file(engine, str(path)))
        run, arguments = instance.exports(store)["_start"], ()
    else:
        instance = wasmtime.Instance(store, wasmtime.Module.from_file(engine, str(path)), [])
        run, arguments = instance.exports(store)["run"], (5, 0)
    with pytest.raises(wasmtime.Trap) as caught:
        run(store, *arguments)
    trap = caught.value
    return [(frame.func_index, frame.module_offset) for frame in trap.frames], str(trap).split("\n\nCaused by:")[0]


@pytest.mark.parametrize(("name", "frames", "details", "expected"), LAYOUTS, ids=LAYOUT_IDS)
def test_same_text_as_wasmtime(
    name: str, frames: list[tuple[int, int]], details: bool, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WASMTIME_BACKTRACE_DETAILS", "1" if details else "0")
    wasmtime_frames, wasmtime_text = _wasmtime_trap(_path(name))
    assert (wasmtime_frames, wasmtime_text) == (frames, expected)
    module = Module.from_file(_path(name))
    ours = "\n".join([HEADER, *backtrace_lines(module, wasmtime_frames, max_frames=None, details=details)])
    assert ours == wasmtime_text
