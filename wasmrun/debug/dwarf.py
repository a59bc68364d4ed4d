"""Source locations from a module's DWARF, found as Wasmtime finds them.

DWARF in a wasm module lives in custom sections named like ELF's (``.debug_info``,
``.debug_line``, ...). Its addresses are offsets from the start of the code section's
contents: module offset = code section content start + DWARF address.

The lookup follows the rules of the ``addr2line`` crate that Wasmtime uses, so that frames
and their ``at FILE:LINE:COLUMN`` lines read the same as Wasmtime's for the same module:

- the compilation units whose ranges contain the address (``DW_AT_ranges``, else
  ``.debug_aranges``, else ``DW_AT_low_pc``/``DW_AT_high_pc``, else the line program's
  sequences) are tried in turn until one has a function or a line-table row for it;
- the function is the ``DW_TAG_subprogram`` whose ranges contain the address; inside it, the
  chain of ``DW_TAG_inlined_subroutine`` entries containing the address gives one more frame
  per inlined call, innermost first;
- the innermost frame's location is the line-table row for the address; each outer frame's is
  the call site (``DW_AT_call_file``/``_line``/``_column``) of the frame inside it;
- a function's name is its linkage name, else its name, else that of the entry its
  ``DW_AT_abstract_origin`` or ``DW_AT_specification`` refers to;
- a file name is the unit's ``DW_AT_comp_dir`` joined with the file's directory and name, an
  absolute part replacing what came before.

pyelftools does the parsing. It has no wasm loader, so its ``DWARFInfo`` is built here from the
sections' bytes, and it is imported only when a module with DWARF is looked up: start-up never
pays for it. Each unit's line table and function list are parsed on first use and kept.

Custom sections are never validated, so malformed DWARF must not turn a trap report into a
crash: any failure while reading it (pyelftools raises many kinds) means "no information".
"""

from __future__ import annotations

import io
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wasmrun.module import Module

_CODE_SECTION_ID = 10

# wasm-ld gives the code it removed the address 0xffffffff (0xfffffffe in .debug_ranges); no
# function lies there, so ranges starting at or beyond this are dropped.
_TOMBSTONE = 0xFFFF_FFFE

# How many DW_AT_abstract_origin / DW_AT_specification links are followed for a name.
_NAME_LINKS = 16

_LINKAGE_NAMES = ("DW_AT_linkage_name", "DW_AT_MIPS_linkage_name")
_NAME_REFERENCES = ("DW_AT_abstract_origin", "DW_AT_specification")
_ADDRESS_FORMS = frozenset(
    ("DW_FORM_addr", "DW_FORM_addrx", "DW_FORM_addrx1", "DW_FORM_addrx2", "DW_FORM_addrx3", "DW_FORM_addrx4")
)

Range = tuple[int, int]  # [begin, end) in DWARF addresses


def has_debug_sections(module: Module) -> bool:
    """Whether the module has any ``.debug_*`` custom section (Wasmtime's test for its hint)."""
    return any(custom.name.startswith(".debug_") for custom in module.customs)


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """One frame of source: a function (``None`` if DWARF does not name it) and where in it.

    ``file`` and ``line`` may be missing; ``column`` is 0 for "the start of the line" (as
    Wasmtime prints it), ``None`` when unknown.
    """

    file: str | None
    line: int | None
    column: int | None
    function: str | None


class SourceMap:
    """Module offsets to source locations, from one module's DWARF."""

    def __init__(self, dwarf: Any, code_start: int) -> None:
        self.dwarf = dwarf
        self._code_start = code_start
        self._units: list[_Unit] | None = None
        self._unit_ends: list[int] = []
        self._unit_ranges: list[tuple[int, int, _Unit]] = []  # (end, begin, unit), sorted by end

    @classmethod
    def from_module(cls, module: Module) -> SourceMap | None:
        """The module's source map, or ``None`` when it has no usable DWARF."""
        if module.custom_section(".debug_info") is None:
            return None
        code_start = next((s.content_start for s in module.sections if s.id == _CODE_SECTION_ID), None)
        if code_start is None:
            return None
        try:
            dwarf = _dwarf_info(module)
        except Exception:  # malformed DWARF: see the module docstring
            return None
        return cls(dwarf, code_start)

    def lookup(self, module_offset: int) -> list[SourceLocation]:
        """The source frames at ``module_offset``, innermost (inlined) first; ``[]`` if unknown."""
        address = module_offset - self._code_start
        if address < 0:
            return []
        try:
            return self._frames(address)
        except Exception:  # malformed DWARF: see the module docstring
            return []

    # -- units ------------------------------------------------------------------------------

    def _frames(self, address: int) -> list[SourceLocation]:
        for unit in self._units_containing(address):
            function = unit.function_at(address)
            location = unit.location_at(address)
            if function is not None:
                return unit.frames(function, location, address)
            if location is not None:
                return [SourceLocation(*location, None)]
        return []

    def _units_containing(self, address: int) -> list[_Unit]:
        if self._units is None:
            self._index_units()
        start = bisect_right(self._unit_ends, address)
        return [unit for _end, begin, unit in self._unit_ranges[start:] if begin <= address]

    def _index_units(self) -> None:
        self._units = []  # should reading fail, it fails once: later lookups find no unit
        aranges = self._aranges()
        units: list[_Unit] = []
        ranges: list[tuple[int, int, _Unit]] = []
        for cu in self.dwarf.iter_CUs():
            unit_type = cu.header.get("unit_type")
            if unit_type in ("DW_UT_type", "DW_UT_split_type"):
                continue
            unit = _Unit(self, cu)
            units.append(unit)
            if unit_type == "DW_UT_partial":  # only referred to; has no code of its own
                continue
            unit_ranges: list[Range] = []
            if "DW_AT_ranges" not in unit.top.attributes:
                unit_ranges = aranges.get(cu.cu_offset, [])
            if not unit_ranges:
                unit_ranges = unit.ranges_of(unit.top)
            if not unit_ranges:  # a unit that declares no ranges: its line sequences'
                lines = unit.lines()
                unit_ranges = [(s.start, s.end) for s in lines.sequences] if lines else []
            ranges.extend((end, begin, unit) for begin, end in unit_ranges)
        ranges.sort(key=lambda entry: (entry[0], entry[1]))
        self._units = units
        self._unit_ranges = ranges
        self._unit_ends = [end for end, _begin, _unit in ranges]

    def _aranges(self) -> dict[int, list[Range]]:
        """``.debug_aranges`` by unit offset (empty when the section is absent)."""
        by_unit: dict[int, list[Range]] = {}
        if self.dwarf.debug_aranges_sec is None:
            return by_unit
        aranges = self.dwarf.get_aranges()
        for entry in aranges.entries if aranges is not None else ():
            if entry.length and _usable(entry.begin_addr, entry.begin_addr + entry.length):
                by_unit.setdefault(entry.info_offset, []).append((entry.begin_addr, entry.begin_addr + entry.length))
        return by_unit

    def range_list(self, offset: int, unit: _Unit) -> list[Range]:
        """The ranges of the range list at ``offset`` (``.debug_ranges`` or ``.debug_rnglists``)."""
        lists = self.dwarf.range_lists()
        if lists is None:
            return []
        base = unit.base_address
        ranges: list[Range] = []
        for entry in lists.get_range_list_at_offset(offset, cu=unit.cu):
            if hasattr(entry, "base_address"):
                base = entry.base_address
                continue
            begin, end = entry.begin_offset, entry.end_offset
            if not entry.is_absolute:
                begin, end = base + begin, base + end
            if _usable(begin, end):
                ranges.append((begin, end))
        return ranges


@dataclass(slots=True)
class _Sequence:
    """One line-table sequence: rows at increasing addresses, covering [start, end)."""

    start: int
    end: int
    addresses: list[int]
    rows: list[tuple[int, int, int]]  # (file index, line, column)


@dataclass(slots=True)
class _Lines:
    files: list[str]  # by file index; "" at 0 before DWARF 5, where index 0 means no file
    starts: list[int]
    sequences: list[_Sequence]  # sorted by start


@dataclass(slots=True)
class _Inlined:
    """A ``DW_TAG_inlined_subroutine``: the inlined function and where it was called from."""

    name: str | None
    ranges: list[Range]
    call_file: int | None
    call_line: int
    call_column: int
    children: list[_Inlined]


@dataclass(slots=True)
class _Function:
    die: Any
    name: str | None = None
    inlined: list[_Inlined] | None = None  # parsed on first use


@dataclass(slots=True)
class _Functions:
    begins: list[int]
    entries: list[tuple[int, int, _Function]]  # (begin, end, function), sorted by begin


Location = tuple[str | None, int | None, int | None]  # file, line, column


class _Unit:
    """One compilation unit, its line table and its functions parsed on first use."""

    def __init__(self, source_map: SourceMap, cu: Any) -> None:
        self.map = source_map
        self.cu = cu
        self.top = cu.get_top_DIE()
        attributes = self.top.attributes
        low_pc = attributes.get("DW_AT_low_pc")
        self.base_address: int = low_pc.value if low_pc is not None and isinstance(low_pc.value, int) else 0
        comp_dir = attributes.get("DW_AT_comp_dir")
        self.comp_dir = _text(comp_dir.value) if comp_dir is not None else None
        self._lines: _Lines | None = None
        self._lines_read = False
        self._functions: _Functions | None = None

    # -- line table ---------------------------------------------------------------------------

    def lines(self) -> _Lines | None:
        if not self._lines_read:
            self._lines_read = True
            program = self.map.dwarf.line_program_for_CU(self.cu)
            self._lines = self._read_lines(program) if program is not None else None
        return self._lines

    def _read_lines(self, program: Any) -> _Lines:
        sequences: list[_Sequence] = []
        addresses: list[int] = []
        rows: list[tuple[int, int, int]] = []
        for entry in program.get_entries():
            state = entry.state
            if state is None:
                continue
            if state.end_sequence:
                if addresses and addresses[0] < _TOMBSTONE:
                    sequences.append(_Sequence(addresses[0], state.address, addresses, rows))
                addresses, rows = [], []
                continue
            row = (state.file, state.line, state.column)
            if addresses and addresses[-1] == state.address:
                rows[-1] = row  # the last row at an address wins
            else:
                addresses.append(state.address)
                rows.append(row)
        sequences.sort(key=lambda sequence: sequence.start)
        return _Lines(self._files(program.header), [s.start for s in sequences], sequences)

    def _files(self, header: Any) -> list[str]:
        version = header["version"]
        directories = [_text(directory) for directory in header["include_directory"]]
        # Before DWARF 5, directory and file indices start at 1 and file 0 does not exist.
        first = 0 if version >= 5 else 1
        files = [] if version >= 5 else [""]
        for entry in header["file_entry"]:
            path = self.comp_dir or ""
            directory_index = entry.dir_index or 0
            if directory_index != 0 and 0 <= directory_index - first < len(directories):
                path = _path_push(path, directories[directory_index - first])
            files.append(_path_push(path, _text(entry.name)))
        return files

    def location_at(self, address: int) -> Location | None:
        lines = self.lines()
        if lines is None:
            return None
        index = bisect_right(lines.starts, address) - 1
        if index < 0 or address >= lines.sequences[index].end:
            return None
        sequence = lines.sequences[index]
        row = bisect_right(sequence.addresses, address) - 1
        if row < 0:
            return None
        file_index, line, column = sequence.rows[row]
        file = lines.files[file_index] if 0 <= file_index < len(lines.files) else None
        # A row's column counts only when it has a line; column 0 means the start of the line.
        return (file, line or None, column if line else None)

    # -- functions ----------------------------------------------------------------------------

    def function_at(self, address: int) -> _Function | None:
        if self._functions is None:
            self._functions = self._read_functions()
        functions = self._functions
        index = bisect_right(functions.begins, address) - 1
        if index < 0:
            return None
        _begin, end, function = functions.entries[index]
        return function if address < end else None

    def _read_functions(self) -> _Functions:
        entries: list[tuple[int, int, _Function]] = []
        for die in self.cu.iter_DIEs():
            if die.tag != "DW_TAG_subprogram":
                continue
            ranges = self.ranges_of(die)
            if ranges:
                function = _Function(die)
                entries.extend((begin, end, function) for begin, end in ranges)
        entries.sort(key=lambda entry: entry[0])
        return _Functions([entry[0] for entry in entries], entries)

    def frames(self, function: _Function, location: Location | None, address: int) -> list[SourceLocation]:
        """The function's frames at ``address``, innermost inlined call first."""
        if function.inlined is None:
            function.name = self.name_of(function.die)
            function.inlined = self._inlined_under(function.die)
        chain: list[_Inlined] = []
        candidates = function.inlined
        while True:
            inner = next((node for node in candidates if _contains(node.ranges, address)), None)
            if inner is None:
                break
            chain.append(inner)
            candidates = inner.children
        frames: list[SourceLocation] = []
        for node in reversed(chain):
            frames.append(_source(location, node.name))
            location = self._call_site(node)
        frames.append(_source(location, function.name))
        return frames

    def _call_site(self, node: _Inlined) -> Location:
        file = None
        if node.call_file is not None:
            lines = self.lines()
            if lines is not None and node.call_file < len(lines.files):
                file = lines.files[node.call_file]
        return (file, node.call_line or None, node.call_column or None)

    def _inlined_under(self, die: Any) -> list[_Inlined]:
        """The inlined calls directly under ``die`` (through lexical blocks, not nested functions)."""
        found: list[_Inlined] = []
        for child in die.iter_children():
            if child.tag == "DW_TAG_subprogram":
                continue
            if child.tag != "DW_TAG_inlined_subroutine":
                found.extend(self._inlined_under(child))
                continue
            attributes = child.attributes
            call_file = _number(attributes.get("DW_AT_call_file"))
            if call_file == 0 and self.cu.header["version"] < 5:
                call_file = None  # file 0 means "no file" before DWARF 5
            found.append(
                _Inlined(
                    name=self.name_of(child),
                    ranges=self.ranges_of(child),
                    call_file=call_file,
                    call_line=_number(attributes.get("DW_AT_call_line")) or 0,
                    call_column=_number(attributes.get("DW_AT_call_column")) or 0,
                    children=self._inlined_under(child),
                )
            )
        return found

    # -- attributes ---------------------------------------------------------------------------

    def ranges_of(self, die: Any) -> list[Range]:
        attributes = die.attributes
        ranges = attributes.get("DW_AT_ranges")
        if ranges is not None:
            return self.map.range_list(ranges.value, self) if isinstance(ranges.value, int) else []
        low, high = attributes.get("DW_AT_low_pc"), attributes.get("DW_AT_high_pc")
        if low is None or high is None or not isinstance(low.value, int) or not isinstance(high.value, int):
            return []
        begin = low.value
        end = high.value if high.form in _ADDRESS_FORMS else begin + high.value
        return [(begin, end)] if _usable(begin, end) else []

    def name_of(self, die: Any) -> str | None:
        """A function's name, by the attributes in their order (the module docstring's rule)."""
        name = None
        for attribute in die.attributes.values():
            if attribute.name in _LINKAGE_NAMES:
                name = _string(attribute) or name
            elif attribute.name == "DW_AT_name":
                name = name if name is not None else _string(attribute)
            elif attribute.name in _NAME_REFERENCES and name is None:
                name = _referenced_name(die, attribute.name, _NAME_LINKS)
        return name


def _referenced_name(die: Any, attribute_name: str, links: int) -> str | None:
    """The name of the entry ``die``'s ``attribute_name`` refers to, following at most ``links`` links."""
    if links == 0:
        return None
    target = die.get_DIE_from_attribute(attribute_name)
    name = None
    reference = None
    for attribute in target.attributes.values():
        if attribute.name in _LINKAGE_NAMES:
            linkage = _string(attribute)
            if linkage is not None:
                return linkage
        elif attribute.name == "DW_AT_name":
            name = _string(attribute)
        elif attribute.name in _NAME_REFERENCES:
            reference = attribute.name
    if name is not None:
        return name
    return _referenced_name(target, reference, links - 1) if reference is not None else None


def _source(location: Location | None, function: str | None) -> SourceLocation:
    file, line, column = location if location is not None else (None, None, None)
    return SourceLocation(file, line, column, function)


def _contains(ranges: list[Range], address: int) -> bool:
    return any(begin <= address < end for begin, end in ranges)


def _usable(begin: int, end: int) -> bool:
    return begin < end and begin < _TOMBSTONE


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _string(attribute: Any) -> str | None:
    return _text(attribute.value) if isinstance(attribute.value, bytes | str) else None


def _number(attribute: Any) -> int | None:
    return attribute.value if attribute is not None and isinstance(attribute.value, int) else None


def _path_push(path: str, part: str) -> str:
    """``part`` appended to ``path`` with a separator, or ``part`` alone when it is absolute."""
    if part.startswith(("/", "\\")) or part[1:3] in (":/", ":\\"):
        return part
    separator = "\\" if path.startswith("\\") or path[1:3] == ":\\" else "/"
    if path and not path.endswith(separator):
        path += separator
    return path + part


_SECTION_ARGUMENTS = {
    "debug_info_sec": ".debug_info",
    "debug_aranges_sec": ".debug_aranges",
    "debug_abbrev_sec": ".debug_abbrev",
    "debug_str_sec": ".debug_str",
    "debug_line_sec": ".debug_line",
    "debug_ranges_sec": ".debug_ranges",
    "debug_addr_sec": ".debug_addr",
    "debug_str_offsets_sec": ".debug_str_offsets",
    "debug_line_str_sec": ".debug_line_str",
    "debug_rnglists_sec": ".debug_rnglists",
    # Not read here, but pyelftools resolves DW_FORM_loclistx attributes while parsing entries.
    "debug_loc_sec": ".debug_loc",
    "debug_loclists_sec": ".debug_loclists",
}
# Sections a backtrace does not need (call frames, name indexes, type units, supplementary files).
_UNUSED_ARGUMENTS = (
    "debug_frame_sec",
    "eh_frame_sec",
    "debug_pubtypes_sec",
    "debug_pubnames_sec",
    "debug_sup_sec",
    "gnu_debugaltlink_sec",
    "debug_types_sec",
)


def _dwarf_info(module: Module) -> Any:
    """A pyelftools ``DWARFInfo`` over the module's DWARF custom sections."""
    from elftools.dwarf.dwarfinfo import DebugSectionDescriptor, DwarfConfig, DWARFInfo

    starts = {custom.name: custom.content_start for custom in reversed(module.customs)}
    sections: dict[str, Any] = {argument: None for argument in _UNUSED_ARGUMENTS}
    for argument, name in _SECTION_ARGUMENTS.items():
        data = module.custom_section(name)
        sections[argument] = (
            None
            if data is None
            else DebugSectionDescriptor(
                stream=io.BytesIO(data), name=name, global_offset=starts[name], size=len(data), address=0
            )
        )
    config = DwarfConfig(little_endian=True, machine_arch="WebAssembly", default_address_size=4)
    return DWARFInfo(config=config, **sections)
