"""The ``name`` custom section (spec appendix 7.4): module, function and local names.

Custom sections are not validated, so a broken name section must never make a
module malformed: each subsection is decoded within its own declared size, and
decoding stops at the first error, keeping the names read until then.
Subsections other than 0 (module), 1 (functions) and 2 (locals) are skipped.
"""

from __future__ import annotations

from wasmrun.binary.reader import Reader
from wasmrun.errors import DecodeError
from wasmrun.module import NameMap

_MODULE_NAME = 0
_FUNCTION_NAMES = 1
_LOCAL_NAMES = 2


def decode_names(data: bytes, start: int, end: int) -> NameMap:
    """The names in ``data[start:end]``, the contents of a ``name`` section after its name."""
    module_name: str | None = None
    functions: dict[int, str] = {}
    locals_: dict[int, dict[int, str]] = {}
    reader = Reader(data, start, end)
    while not reader.at_end():
        try:
            subsection_id = reader.byte()
            size = reader.length()
        except DecodeError:
            break
        sub = Reader(data, reader.pos, reader.pos + size)
        reader.pos += size
        try:
            if subsection_id == _MODULE_NAME:
                module_name = sub.name()
            elif subsection_id == _FUNCTION_NAMES:
                _read_name_map(sub, functions)
            elif subsection_id == _LOCAL_NAMES:
                for _ in range(sub.length()):
                    function_index = sub.u32()
                    names = locals_.setdefault(function_index, {})
                    _read_name_map(sub, names)
        except DecodeError:
            # Keep what decoded; a later subsection may still be intact.
            continue
    return NameMap(module_name, functions, locals_)


def _read_name_map(reader: Reader, into: dict[int, str]) -> None:
    """A ``namemap``: a vector of (index, name) pairs, stored into ``into`` as read."""
    for _ in range(reader.length()):
        index = reader.u32()
        into[index] = reader.name()
