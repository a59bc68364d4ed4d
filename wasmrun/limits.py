"""Implementation limits: the sizes a valid module may not exceed here, Wasmtime's (wasmparser's) numbers and texts.

The specification lets an implementation bound what it accepts; these bounds keep every
structure wasmrun builds in proportion to the module's bytes (a 37-byte function may not declare
four billion locals) and agree with the engines we compare against, so a module runs here if and
only if it runs under Wasmtime.  :func:`check_module_limits` applies them at the start of validation.
"""

from __future__ import annotations

from collections.abc import Sized

from wasmrun.binary.decoder import body_size, local_declaration_offsets
from wasmrun.errors import LimitExceeded
from wasmrun.module import FunctionBody, Module
from wasmrun.types import FuncType

MAX_TYPES = 1_000_000
MAX_FUNCTIONS = 1_000_000
MAX_IMPORTS = 1_000_000
MAX_EXPORTS = 1_000_000
MAX_GLOBALS = 1_000_000
MAX_ELEMENT_SEGMENTS = 100_000
MAX_DATA_SEGMENTS = 100_000
MAX_TABLES = 100
MAX_MEMORIES = 100
MAX_STRING_SIZE = 100_000
"""Bytes of a name (import, export, custom section)."""
MAX_FUNCTION_SIZE = 7_654_321
"""Bytes of one function body; it also bounds a ``br_table``'s targets and the nesting of blocks."""
MAX_FUNCTION_LOCALS = 50_000
"""Parameters and declared locals of one function."""
MAX_FUNCTION_PARAMS = 1_000
MAX_FUNCTION_RETURNS = 1_000

_SECTION_TYPE, _SECTION_IMPORT, _SECTION_FUNCTION, _SECTION_TABLE, _SECTION_MEMORY = 1, 2, 3, 4, 5
_SECTION_GLOBAL, _SECTION_EXPORT, _SECTION_ELEMENT, _SECTION_CODE, _SECTION_DATA = 6, 7, 9, 10, 11
_SECTION_DATA_COUNT = 12

# (what, the section holding it, the module field, the limit): "<what> count exceeds limit of <n>".
_COUNTS = (
    ("types", _SECTION_TYPE, "types", MAX_TYPES),
    ("imports", _SECTION_IMPORT, "imports", MAX_IMPORTS),
    ("functions", _SECTION_FUNCTION, "functions", MAX_FUNCTIONS),
    ("tables", _SECTION_TABLE, "tables", MAX_TABLES),
    ("memories", _SECTION_MEMORY, "memories", MAX_MEMORIES),
    ("globals", _SECTION_GLOBAL, "globals", MAX_GLOBALS),
    ("exports", _SECTION_EXPORT, "exports", MAX_EXPORTS),
    ("element segments", _SECTION_ELEMENT, "elements", MAX_ELEMENT_SEGMENTS),
    ("data segments", _SECTION_DATA, "datas", MAX_DATA_SEGMENTS),
)


def check_module_limits(module: Module) -> None:
    """Raise :class:`LimitExceeded` for the first limit ``module`` exceeds ."""
    for what, section_id, field, limit in _COUNTS:
        items: Sized = getattr(module, field)
        if len(items) > limit:
            raise LimitExceeded(f"{what} count exceeds limit of {limit}", module.section_offset(section_id))
    # Imported tables and memories count too.
    for what, section_id, count, limit in (
        ("tables", _SECTION_TABLE, len(module.table_types), MAX_TABLES),
        ("memories", _SECTION_MEMORY, len(module.memory_types), MAX_MEMORIES),
    ):
        if count > limit:
            raise LimitExceeded(f"{what} count exceeds limit of {limit}", module.section_offset(section_id))
    if module.data_count is not None and module.data_count > MAX_DATA_SEGMENTS:
        raise LimitExceeded(
            "data count section specifies too many data segments", module.section_offset(_SECTION_DATA_COUNT)
        )
    for function_type in module.types:
        if function_type.__class__ is not FuncType:
            continue  # a struct or array type
        if len(function_type.params) > MAX_FUNCTION_PARAMS:
            raise LimitExceeded("function params size is out of bounds", module.section_offset(_SECTION_TYPE))
        if len(function_type.results) > MAX_FUNCTION_RETURNS:
            raise LimitExceeded("function returns size is out of bounds", module.section_offset(_SECTION_TYPE))
    names = [name for item in module.imports for name in (item.module, item.name)]
    names += [export.name for export in module.exports] + [custom.name for custom in module.customs]
    for name in names:
        if len(name) > MAX_STRING_SIZE // 4 and len(name.encode("utf-8")) > MAX_STRING_SIZE:
            raise LimitExceeded("string size out of bounds")
    for body in module.codes:
        # The body's size field is at most 5 bytes: only a body that long can be over.
        if body.end - body.start > MAX_FUNCTION_SIZE and body_size(module.raw, body) > MAX_FUNCTION_SIZE:
            raise LimitExceeded(f"function body size count exceeds limit of {MAX_FUNCTION_SIZE}", body.start)
    first = module.num_imported_functions
    for index, body in enumerate(module.codes):
        type_index = module.func_type_indices[first + index] if first + index < len(module.func_type_indices) else -1
        known = 0 <= type_index < len(module.types) and module.types[type_index].__class__ is FuncType
        params = len(module.types[type_index].params) if known else 0
        if params + sum(count for count, _valtype in body.locals) > MAX_FUNCTION_LOCALS:
            _locals_over(module.raw, body, params)


def _locals_over(raw: bytes, body: FunctionBody, params: int) -> None:
    """Raise the error naming the declaration that takes the locals over :data:`MAX_FUNCTION_LOCALS`."""
    total = params
    for (count, _valtype), offset in zip(body.locals, local_declaration_offsets(raw, body)):
        total += count
        if total > MAX_FUNCTION_LOCALS:
            raise LimitExceeded("too many locals: locals exceed maximum", offset)
