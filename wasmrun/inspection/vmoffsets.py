"""Wasmtime's ``VMContext`` layout for a module, declared once, as data.

Wasmtime gives every instance one ``VMContext``: a fixed header followed by
arrays whose lengths depend on the module (imports, definitions, function
references).  wasmrun does not lay its instances out in memory, but
``wasmrun inspect --vmctx`` shows where Wasmtime would put each part, so that
offsets read off Wasmtime's compiled code (``mov rax, [rdi+0x90]``) can be
named.  This module follows Wasmtime 49 (``main`` at ``49.0.0-dev``; the
layout is unchanged in the newest commits seen) and its facts only, and was
checked against the x86-64 code that Wasmtime 50.0.1 compiles (the cases in
``tests/unit/test_vmoffsets.py``).  Region names are Wasmtime's field names.
The sources:

* ``crates/environ/src/vmctxtypes.rs``: the order of the regions, the
  alignment steps (to the pointer size after ``magic``, to 16 before
  ``globals``; nothing is aligned implicitly), and that the size is where the
  last region ends (no final rounding);
* ``crates/environ/src/vmtypes.rs`` and the size rules of ``vmoffsets.rs``:
  the ``VM*`` structs, laid out by C's rules, give the element sizes
  (``VMGlobalKind`` is a ``repr(C, u32)`` enum with a ``u32`` payload: 8
  bytes, aligned to 4);
* ``crates/environ/src/vmoffsets.rs`` (``VMOffsets::new``) and
  ``crates/environ/src/compile/module_environ.rs``: the counts.  A function
  *escapes* (has a ``func_refs`` slot) when it is imported, exported, in an
  element segment or named by ``ref.func`` in a global's initializer.
  ``startup_func_ref``, ``runtime_data_bases`` and ``runtime_data_lengths``
  do exist in 49: the first is present when the module needs a startup
  function (a start function, a passive element segment, a global whose
  initializer is not a single constant, an active element segment that cannot
  be applied ahead of time, or data to copy into a memory); the other two have
  one entry per runtime data segment (a memory's pre-built image, even one
  of zeros only, or each active segment when no image can be built, then
  each passive segment).

Approximations: Wasmtime's default configuration is assumed (copy-on-write
memory images and lazy table initialisation on, guest debugging off, 4 KiB
host pages, images always allowed up to 16 MiB).  WebAssembly 2.0 has no tags
and no shared memories, so the tag regions are empty and every defined memory
is owned.  Wasmtime applies an active element segment ahead of time only when
it lists function indices; wasmrun's :class:`~wasmrun.module.Module` keeps
every element as an expression, so a segment whose items are all
``ref.func`` is taken to be such a list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wasmrun.instructions import opcode_of
from wasmrun.module import ConstExpr, Module, SegmentMode
from wasmrun.types import ExternKind, ValType

PointerSizeFunction = Callable[[int], int]
"""A size or an alignment in bytes, given the target's pointer size in bytes (4 or 8)."""

POINTER_SIZES = (8, 4)


@dataclass(frozen=True, slots=True)
class VMType:
    """A type stored in the ``VMContext``: its size and alignment as functions of the pointer size."""

    name: str
    size: PointerSizeFunction
    align: PointerSizeFunction


def _pointer(ptr_size: int) -> int:
    return ptr_size


def _four(ptr_size: int) -> int:
    return 4


def _eight(ptr_size: int) -> int:
    return 8


def _sixteen(ptr_size: int) -> int:
    return 16


def align_up(offset: int, alignment: int) -> int:
    return (offset + alignment - 1) // alignment * alignment


POINTER = VMType("pointer", _pointer, _pointer)
USIZE = VMType("usize", _pointer, _pointer)
U32 = VMType("u32", _four, _four)
INDEX = VMType("u32 index", _four, _four)  # VMSharedTypeIndex and the Defined*Index types
GLOBAL_KIND = VMType("VMGlobalKind", _eight, _four)
GLOBAL_STORAGE = VMType("[u8; 16]", _sixteen, _sixteen)


def vm_struct(name: str, fields: tuple[tuple[str, VMType], ...], min_align: int = 1) -> VMType:
    """A ``repr(C)`` struct (``repr(C, align(min_align))``): each field at its alignment, the size rounded up."""

    def alignment(ptr_size: int) -> int:
        return max((min_align, *(field.align(ptr_size) for _, field in fields)))

    def size(ptr_size: int) -> int:
        offset = 0
        for _, field in fields:
            offset = align_up(offset, field.align(ptr_size)) + field.size(ptr_size)
        return align_up(offset, alignment(ptr_size))

    return VMType(name, size, alignment)


# The structs of crates/environ/src/vmtypes.rs that the VMContext holds (their field names, for reference).
VM_MEMORY_DEFINITION = vm_struct("VMMemoryDefinition", (("base", POINTER), ("current_length", USIZE)))
VM_TABLE_DEFINITION = vm_struct("VMTableDefinition", (("base", POINTER), ("current_elements", USIZE)))
VM_GLOBAL_DEFINITION = vm_struct("VMGlobalDefinition", (("storage", GLOBAL_STORAGE),), min_align=16)
VM_TAG_DEFINITION = vm_struct("VMTagDefinition", (("type_index", INDEX),))
_FUNCTION_FIELDS = (("array_call", POINTER), ("wasm_call", POINTER), ("type_index", INDEX), ("vmctx", POINTER))
VM_FUNC_REF = vm_struct("VMFuncRef", _FUNCTION_FIELDS)
VM_FUNCTION_IMPORT = vm_struct("VMFunctionImport", _FUNCTION_FIELDS)
VM_TABLE_IMPORT = vm_struct("VMTableImport", (("from", POINTER), ("vmctx", POINTER), ("index", INDEX)))
VM_MEMORY_IMPORT = vm_struct("VMMemoryImport", (("from", POINTER), ("vmctx", POINTER), ("index", INDEX)))
VM_GLOBAL_IMPORT = vm_struct("VMGlobalImport", (("from", POINTER), ("vmctx", POINTER), ("kind", GLOBAL_KIND)))
VM_TAG_IMPORT = vm_struct("VMTagImport", (("from", POINTER), ("vmctx", POINTER), ("index", INDEX)))


@dataclass(frozen=True, slots=True)
class VMShape:
    """What a module asks of its ``VMContext``: the counts behind the variable regions."""

    num_imported_functions: int = 0
    num_imported_tables: int = 0
    num_imported_memories: int = 0
    num_imported_globals: int = 0
    num_imported_tags: int = 0
    num_defined_tables: int = 0
    num_defined_memories: int = 0
    num_owned_memories: int = 0
    num_defined_globals: int = 0
    num_defined_tags: int = 0
    num_escaped_funcs: int = 0
    num_runtime_data: int = 0
    has_startup_func: bool = False

    @classmethod
    def from_module(cls, module: Module) -> VMShape:
        runtime_data, memories_need_startup = _runtime_data(module)
        return cls(
            num_imported_functions=module.num_imported_functions,
            num_imported_tables=module.num_imported_tables,
            num_imported_memories=module.num_imported_memories,
            num_imported_globals=module.num_imported_globals,
            num_defined_tables=len(module.tables),
            num_defined_memories=len(module.memories),
            num_owned_memories=len(module.memories),  # no shared memories in 2.0
            num_defined_globals=len(module.globals),
            num_escaped_funcs=len(escaped_functions(module)),
            num_runtime_data=runtime_data,
            has_startup_func=memories_need_startup or _needs_startup_apart_from_memories(module),
        )


@dataclass(frozen=True, slots=True)
class Region:
    """A part of the layout: one ``element``, or ``count`` of them (a :class:`VMShape` field's name)."""

    name: str
    element: VMType
    count: str | None = None


@dataclass(frozen=True, slots=True)
class Align:
    """Round the running offset up to ``to`` bytes (padding)."""

    to: PointerSizeFunction


VMCONTEXT_LAYOUT: tuple[Region | Align, ...] = (
    # The static part: its offsets depend on the pointer size alone.
    Region("magic", U32),
    Align(_pointer),  # four bytes of padding on 64-bit hosts
    Region("store_context", POINTER),
    Region("builtin_functions", POINTER),
    Region("epoch_ptr", POINTER),
    Region("gc_heap_data", POINTER),
    Region("type_ids", POINTER),
    # The dynamic part, memories first (small offsets make short instructions).
    Region("imported_memories", VM_MEMORY_IMPORT, "num_imported_memories"),
    Region("memories", POINTER, "num_defined_memories"),
    Region("owned_memories", VM_MEMORY_DEFINITION, "num_owned_memories"),
    Region("imported_functions", VM_FUNCTION_IMPORT, "num_imported_functions"),
    Region("imported_tables", VM_TABLE_IMPORT, "num_imported_tables"),
    Region("imported_globals", VM_GLOBAL_IMPORT, "num_imported_globals"),
    Region("imported_tags", VM_TAG_IMPORT, "num_imported_tags"),
    Region("tables", VM_TABLE_DEFINITION, "num_defined_tables"),
    Align(_sixteen),
    Region("globals", VM_GLOBAL_DEFINITION, "num_defined_globals"),
    Region("tags", VM_TAG_DEFINITION, "num_defined_tags"),
    Region("func_refs", VM_FUNC_REF, "num_escaped_funcs"),
    Region("startup_func_ref", VM_FUNC_REF, "has_startup_func"),
    Region("runtime_data_bases", POINTER, "num_runtime_data"),
    Region("runtime_data_lengths", U32, "num_runtime_data"),
)

PADDING = "padding"


@dataclass(frozen=True, slots=True)
class RegionLayout:
    """Where a region sits: ``count`` elements of ``element_size`` bytes from ``offset`` (padding: count 0)."""

    name: str
    offset: int
    size: int
    count: int
    element_size: int


@dataclass(frozen=True, slots=True)
class VMContextLayout:
    ptr_size: int
    size: int
    regions: tuple[RegionLayout, ...]

    def region(self, name: str) -> RegionLayout:
        """The region called ``name`` (not ``padding``, of which there may be several)."""
        for region in self.regions:
            if region.name == name:
                return region
        raise KeyError(name)

    def offset_of(self, name: str, index: int = 0) -> int:
        """The offset of element ``index`` of region ``name``."""
        region = self.region(name)
        if not 0 <= index < max(region.count, 1):
            raise IndexError(f"{name}[{index}] is out of bounds ({region.count} elements)")
        return region.offset + index * region.element_size


def vmcontext_layout(shape: VMShape, ptr_size: int = 8) -> VMContextLayout:
    """The layout of a ``VMContext`` of ``shape`` for a host with ``ptr_size``-byte pointers."""
    if ptr_size not in POINTER_SIZES:
        raise ValueError(f"pointer size {ptr_size}: Wasmtime targets have 4- or 8-byte pointers")
    return VMContextLayout(ptr_size, *place(VMCONTEXT_LAYOUT, shape, ptr_size))


def place(
    declaration: tuple[Region | Align, ...], shape: object, ptr_size: int
) -> tuple[int, tuple[RegionLayout, ...]]:
    """Lay out ``declaration`` for ``shape`` (whose attributes are the regions' counts): its size and regions."""
    regions: list[RegionLayout] = []
    offset = 0
    for entry in declaration:
        if isinstance(entry, Align):
            aligned = align_up(offset, entry.to(ptr_size))
            if aligned != offset:
                regions.append(RegionLayout(PADDING, offset, aligned - offset, 0, 0))
            offset = aligned
            continue
        count = 1 if entry.count is None else int(getattr(shape, entry.count))
        element_size = entry.element.size(ptr_size)
        regions.append(RegionLayout(entry.name, offset, count * element_size, count, element_size))
        offset += count * element_size
    return offset, tuple(regions)


# --- the counts: what Wasmtime's translation decides about a module ---------------------------------

# Wasmtime's defaults (see the module docstring).
DENSE_IMAGE_ALWAYS_ALLOWED = 16 << 20
MAX_PRECOMPUTED_TABLE_SIZE = 1 << 20
_CONSTANT_OPCODES = frozenset(map(opcode_of, ("i32.const", "i64.const", "f32.const", "f64.const", "v128.const")))
_REF_FUNC = opcode_of("ref.func")
_I32_CONST = opcode_of("i32.const")
_CONSTANTS = frozenset((_I32_CONST, opcode_of("i64.const")))  # (an offset into a 64-bit table or memory)


def escaped_functions(module: Module) -> frozenset[int]:
    """The functions that get a ``func_refs`` slot: imported, exported, in element segments, or global ``ref.func``."""
    return frozenset(function_escapes(module))


ESCAPE_IMPORT = "import"
ESCAPE_GLOBAL = "global"
ESCAPE_EXPORT = "export"
ESCAPE_ELEMENT = "element"


def function_escapes(module: Module) -> dict[int, tuple[str, ...]]:
    """Each escaping function and how it escapes, in the order of its ``func_refs`` slot.

    Wasmtime numbers a function when it first sees it escape, reading the
    sections in their binary order: the imported functions, then ``ref.func``
    in global initializers, then the function exports, then the items of the
    element segments in order.  The reasons are among :data:`ESCAPE_IMPORT`,
    :data:`ESCAPE_GLOBAL`, :data:`ESCAPE_EXPORT` and :data:`ESCAPE_ELEMENT`,
    in that order.
    """
    found: list[tuple[int, str]] = [(index, ESCAPE_IMPORT) for index in range(module.num_imported_functions)]
    for global_ in module.globals:
        found.extend((int(imm), ESCAPE_GLOBAL) for opcode, imm, _ in global_.init.instructions if opcode == _REF_FUNC)
    found.extend((export.index, ESCAPE_EXPORT) for export in module.exports if export.kind is ExternKind.FUNC)
    for segment in module.elements:
        for item in segment.init:
            found.extend((int(imm), ESCAPE_ELEMENT) for opcode, imm, _ in item.instructions if opcode == _REF_FUNC)
    escapes: dict[int, tuple[str, ...]] = {}
    for function_index, reason in found:
        reasons = escapes.get(function_index, ())
        if reason not in reasons:
            escapes[function_index] = (*reasons, reason)
    return escapes


def _constant_i32(expression: ConstExpr | None) -> int | None:
    """The unsigned value of an expression that is a single ``i32.const`` (``i64.const``), else None."""
    if expression is not None and len(expression.instructions) == 1:
        opcode, immediate, _ = expression.instructions[0]
        if opcode in _CONSTANTS:
            return int(immediate)
    return None


def _needs_startup_apart_from_memories(module: Module) -> bool:
    if module.start is not None:
        return True
    if any(segment.mode is SegmentMode.PASSIVE for segment in module.elements):
        return True
    for global_ in module.globals:
        instructions = global_.init.instructions
        if len(instructions) != 1 or instructions[0][0] not in _CONSTANT_OPCODES:
            return True  # evaluated by the startup function
    return _table_segments_left_for_startup(module)


def _table_segments_left_for_startup(module: Module) -> bool:
    """Whether some active element segment cannot be applied ahead of time (Wasmtime stops at the first)."""
    for segment in module.elements:
        if segment.mode is not SegmentMode.ACTIVE:
            continue
        offset = _constant_i32(segment.offset)
        if segment.table_index < module.num_imported_tables or offset is None:
            return True
        table = module.table_types[segment.table_index]
        top = offset + len(segment.init)
        if top > table.limits.min or top > MAX_PRECOMPUTED_TABLE_SIZE or table.element is not ValType.FUNCREF:
            return True
        if not all(len(item.instructions) == 1 and item.instructions[0][0] == _REF_FUNC for item in segment.init):
            return True
    return False


def _runtime_data(module: Module) -> tuple[int, bool]:
    """How many runtime data segments the module has, and whether copying them needs the startup function."""
    passive = sum(1 for segment in module.datas if segment.mode is SegmentMode.PASSIVE)
    images = _memory_images(module)
    if images is None:
        # No ahead-of-time images: every active segment is copied by the startup function.
        active = sum(1 for segment in module.datas if segment.mode is SegmentMode.ACTIVE)
        return active + passive, active > 0
    return images + passive, images > 0


def _memory_images(module: Module) -> int | None:
    """The number of non-empty memory images Wasmtime builds, or None when it cannot build them."""
    defined_from = module.num_imported_memories
    spans: dict[int, list[tuple[int, bytes]]] = {}
    for segment in module.datas:
        if segment.mode is not SegmentMode.ACTIVE:
            continue
        start = _constant_i32(segment.offset)
        if segment.memory_index < defined_from or start is None:
            return None
        if (
            start + len(segment.data)
            > module.memory_types[segment.memory_index].limits.min * module.memory_types[segment.memory_index].page_size
        ):
            return None
        if segment.data:
            spans.setdefault(segment.memory_index, []).append((start, segment.data))
    for segments in spans.values():
        data_size = sum(len(data) for _, data in segments)
        image_size = max(start + len(data) for start, data in segments) - min(start for start, _ in segments)
        if image_size >= 2 * data_size and image_size >= DENSE_IMAGE_ALWAYS_ALLOWED:
            return None  # too sparse to build ahead of time
    # Zeros are trimmed from an image's ends, but an image of zeros only is kept whole.
    return len(spans)
