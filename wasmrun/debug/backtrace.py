"""Trap backtraces in Wasmtime's layout: frame names, offsets, and source lines from DWARF.

A trap's frames are ``(function index, byte offset in the module)`` pairs, innermost first.
Each becomes one line as Wasmtime 50 prints it::

        0:    0x1f4 - <unknown>!divide_cells

(number right-aligned in 3 columns after two spaces; the offset as ``0x..`` right-aligned in 8
columns; then ``MODULE!FUNCTION``: the module's name from the ``name`` section or
``<unknown>``, and the function's name from the ``name`` section or ``<wasm function N>``).

With DWARF details the frame is named by DWARF instead, without the module prefix, and each
source frame adds a line (inlined calls come first, each on a ``- NAME`` line)::

        0:    0x105 - divide
                        at inl.c:3:14
                    - middle
                        at inl.c:6:13

A frame without an offset (-1: the callee of a call-stack exhaustion, which Wasmtime
catches in the callee's prologue) has no offset column: ``   0: <unknown>!rec``.

A DWARF frame without a name is named as above for the first source frame and
``<inlined function>`` for the others. When details are off but the module has ``.debug_*``
sections, Wasmtime adds its hint line, and so does :func:`backtrace_lines`.

Names are printed as found (Wasmtime demangles Rust and C++ names; wasmrun does not), except that
their non-printable characters are escaped (:mod:`wasmrun.printable`; Wasmtime prints them raw).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wasmrun.debug.dwarf import SourceLocation, SourceMap, has_debug_sections
from wasmrun.module import Module
from wasmrun.printable import escape_debug

DEFAULT_MAX_FRAMES = 20

HEADER = "error while executing at wasm backtrace:"
DETAILS_HINT = "note: using the `WASMTIME_BACKTRACE_DETAILS=1` environment variable may show more debugging information"

_AT = " " * 20 + "at "
_INLINED = " " * 16 + "- "


@dataclass(frozen=True, slots=True)
class Frame:
    """One wasm frame of a backtrace, with what is known about it."""

    function_index: int
    offset: int  # byte offset of the instruction in the module; -1 when unknown
    name: str  # from the name section, else ``<wasm function N>``
    module_name: str | None  # from the name section
    source: tuple[SourceLocation, ...] = ()  # DWARF frames, innermost first; () without details

    def lines(self, number: int) -> list[str]:
        """The frame as Wasmtime prints it, ``number`` being its position (0 = innermost)."""
        head = f"  {number:>3}: {self.offset:>#8x} - " if self.offset >= 0 else f"  {number:>3}: "
        if not self.source:
            return [escape_debug(f"{head}{self.module_name or '<unknown>'}!{self.name}")]
        lines: list[str] = []
        for position, location in enumerate(self.source):
            if location.function is not None:
                name = location.function
            else:
                name = self.name if position == 0 else "<inlined function>"
            lines.append(f"{head if position == 0 else _INLINED}{escape_debug(name)}")
            if location.file is not None:
                where = location.file
                if location.line is not None:
                    where += f":{location.line}"
                    if location.column is not None:
                        where += f":{location.column}"
                lines.append(_AT + escape_debug(where))
        return lines


def function_name(module: Module, function_index: int) -> str:
    """The function's name from the ``name`` section, else ``<wasm function N>``, as Wasmtime names it."""
    name = module.names.functions.get(function_index)
    return name if name is not None else f"<wasm function {function_index}>"


def describe_frames(
    module: Module,
    frames: Sequence[tuple[int, int]],
    *,
    max_frames: int | None = DEFAULT_MAX_FRAMES,
    details: bool = True,
) -> list[Frame]:
    """The first ``max_frames`` frames (all if ``None``), with DWARF source frames if ``details``."""
    shown = frames if max_frames is None else frames[: max(max_frames, 0)]
    source_map = SourceMap.from_module(module) if details and shown else None
    return [
        Frame(
            function_index=index,
            offset=offset,
            name=function_name(module, index),
            module_name=module.names.module,
            source=tuple(source_map.lookup(offset)) if source_map is not None and offset >= 0 else (),
        )
        for index, offset in shown
    ]


def backtrace_lines(
    module: Module,
    frames: Sequence[tuple[int, int]],
    *,
    max_frames: int | None = DEFAULT_MAX_FRAMES,
    details: bool = True,
) -> list[str]:
    """The lines that follow :data:`HEADER` in Wasmtime's trap message, without indentation.

    ``[]`` when there is no frame to show. The CLI indents them under its ``Caused by:`` entry.
    """
    described = describe_frames(module, frames, max_frames=max_frames, details=details)
    lines = [line for number, frame in enumerate(described) for line in frame.lines(number)]
    if lines and not details and has_debug_sections(module):
        lines.append(DETAILS_HINT)
    return lines
