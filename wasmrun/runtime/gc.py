"""GC values and the rules of the GC instructions (WebAssembly 3.0), shared by instantiation (constant
expressions) and the interpreter.

A struct is a :class:`Struct` (its canonical type and a list of field values), an array an
:class:`Array` (its canonical type and a list of elements), an ``i31`` an :class:`I31` (its 31 bits,
unsigned), so none can be confused with a function reference (a FunctionInstance) or a host value.
``any.convert_extern`` wraps a host value in :class:`Internalized` (unless it is an
:class:`Externalized` GC value, which it unwraps), and ``extern.convert_any`` the other way round.
Null is None, as for every reference.  Packed fields and elements hold their value wrapped to 8 or 16
bits; ``_s``/``_u`` reads extend it.

Every allocation is charged to the active :class:`GcHeap` (the store whose code runs; see
:func:`activate`) at the size Wasmtime gives the object (:func:`struct_size`, :func:`array_size`).
Charging only adds to a count; when the count passes the store's memory limit, Python's collector runs and
the live objects are counted again (:meth:`GcHeap.reclaim`), and only an allocation that still does not
fit fails, with Wasmtime's text (:class:`GcHeapOutOfMemory`).
"""

from __future__ import annotations

import gc as python_gc
from collections.abc import Sequence
from typing import Any

from wasmrun.deftypes import ArrayType, DefinedType, PackedType, StructType
from wasmrun.errors import TRAP_MEMORY_OUT_OF_BOUNDS, TRAP_TABLE_OUT_OF_BOUNDS, HostError, Trap
from wasmrun.floats import f32_from_bits, f64_from_bits
from wasmrun.runtime.functions import FunctionInstance
from wasmrun.types import (
    BOTTOM_HEAPS,
    HEAP_ANY,
    HEAP_ARRAY,
    HEAP_EQ,
    HEAP_EXN,
    HEAP_EXTERN,
    HEAP_FUNC,
    HEAP_I31,
    HEAP_STRUCT,
    ValType,
)

TRAP_NULL_STRUCTURE = "null structure reference"
TRAP_NULL_ARRAY = "null array reference"
TRAP_NULL_I31 = "null i31 reference"
TRAP_ARRAY_OUT_OF_BOUNDS = "out of bounds array access"
TRAP_CAST_FAILURE = "cast failure"
TRAP_ALLOCATION_TOO_LARGE = "allocation size too large"  # Wasmtime's words

MAX_ARRAY_LENGTH = 1 << 26
"""The most elements an array may have here (a Python list of them is half a GiB of pointers)."""


class Struct:
    __slots__ = ("fields", "type")

    def __init__(self, type: DefinedType, fields: list[Any]) -> None:
        self.type = type
        self.fields = fields

    def __repr__(self) -> str:
        return f"<struct {self.type}>"


class Array:
    __slots__ = ("elements", "type")

    def __init__(self, type: DefinedType, elements: list[Any]) -> None:
        self.type = type
        self.elements = elements

    def __repr__(self) -> str:
        return f"<array {self.type} of {len(self.elements)}>"


class I31:
    """An unboxed scalar reference: 31 bits, kept unsigned."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value & 0x7FFFFFFF

    def __eq__(self, other: object) -> bool:
        return other.__class__ is I31 and other.value == self.value

    def __hash__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        return f"<i31 {self.value}>"


class Internalized:
    """A host (extern) value made an ``anyref`` by ``any.convert_extern``."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return other.__class__ is Internalized and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


class Externalized:
    """A GC value (struct, array, i31) made an ``externref`` by ``extern.convert_any``."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return other.__class__ is Externalized and other.value == self.value

    def __hash__(self) -> int:
        return id(self.value) if self.value.__class__ is not I31 else hash(self.value)


# --- storage: what a field holds, and what reading it gives --------------------------------------------------

_PACK_MASKS = {PackedType.I8: 0xFF, PackedType.I16: 0xFFFF}
_ZEROS: dict[Any, Any] = {ValType.I32: 0, ValType.I64: 0, ValType.F32: 0.0, ValType.F64: 0.0, ValType.V128: 0}


def default_value(storage: Any) -> Any:
    """A field's default: zero, or null for a reference."""
    if isinstance(storage, PackedType):
        return 0
    return _ZEROS.get(storage)


def stored(storage: Any, value: Any) -> Any:
    """A value as a field of ``storage`` keeps it (a packed one wrapped to its width)."""
    mask = _PACK_MASKS.get(storage) if storage.__class__ is PackedType else None
    return value & mask if mask is not None else value


def extended(storage: Any, value: int, signed: bool) -> int:
    """A packed field's value read as an i32 (``_s``: sign-extended)."""
    bits = storage.bits
    if signed and value >> (bits - 1):
        return (value - (1 << bits)) & 0xFFFFFFFF
    return value


# --- the heap: sizes of objects, and their count against a store's memory limit ----------------------------

STRUCT_HEADER_BYTES = 24
"""Wasmtime's header of a GC object (the DRC collector's); an array's length follows it."""
ARRAY_HEADER_BYTES = 28
_REFERENCE_BYTES = 4  # Wasmtime's GC references are 32-bit indices into its heap
_STORAGE_BYTES: dict[Any, int] = {
    PackedType.I8: 1,
    PackedType.I16: 2,
    ValType.I32: 4,
    ValType.F32: 4,
    ValType.I64: 8,
    ValType.F64: 8,
    ValType.V128: 16,
}


def storage_bytes(storage: Any) -> int:
    """The bytes (and alignment) of a field of ``storage`` in Wasmtime's layout (a reference: 4)."""
    return _STORAGE_BYTES.get(storage, _REFERENCE_BYTES)


def _aligned(offset: int, alignment: int) -> int:
    return -(-offset // alignment) * alignment


def struct_size(type: DefinedType) -> int:
    """A struct's bytes as Wasmtime lays it out: its header, each field at its natural alignment, the
    whole rounded up to 8 (or its widest field)."""
    size = _STRUCT_SIZES.get(type)
    if size is None:
        end, widest = STRUCT_HEADER_BYTES, 8
        for field in type.composite.fields:
            width = storage_bytes(field.storage)
            end = _aligned(end, width) + width
            widest = max(widest, width)
        size = _STRUCT_SIZES[type] = _aligned(end, widest)
    return size


_STRUCT_SIZES: dict[DefinedType, int] = {}


def array_size(type: DefinedType, length: int) -> int:
    """An array's bytes as Wasmtime lays it out: header and length, then the elements, aligned."""
    width = storage_bytes(type.composite.field.storage)
    return _aligned(ARRAY_HEADER_BYTES, width) + width * length


def object_size(value: Any) -> int:
    if value.__class__ is Struct:
        return struct_size(value.type)
    return array_size(value.type, len(value.elements))


class GcHeapOutOfMemory(HostError):
    """An allocation the store's memory limit has no room for: in Wasmtime an error, not a trap."""

    def __init__(self, size: int) -> None:
        super().__init__(f"GC heap out of memory: no capacity for allocation of {size} bytes")


HEAP_PAGE_BYTES = 65536
"""Wasmtime grows its GC heap by whole pages within the memory limit ..."""
HEAP_RESERVED_BYTES = 16
"""... keeps its first 16 bytes (no object is at index 0) ..."""
ALLOCATION_GRANULE = 16
"""... and gives each object a multiple of 16 bytes (measured with wasmtime-py 49: a 1 MiB limit holds one
object of 1048560 bytes, or 3594 empty structs of 24 bytes beside a 16028-byte array in 128 KiB)."""


def heap_capacity(memory_limit: int) -> int:
    """The bytes of objects a GC heap holds under ``memory_limit`` (Wasmtime's layout, above)."""
    return max(memory_limit // HEAP_PAGE_BYTES * HEAP_PAGE_BYTES - HEAP_RESERVED_BYTES, 0)


def allocated_bytes(size: int) -> int:
    """What an object of ``size`` bytes occupies in the heap."""
    return -(-size // ALLOCATION_GRANULE) * ALLOCATION_GRANULE


class GcHeap:
    """What a store's GC objects may occupy (``capacity``: :func:`heap_capacity` of its memory limit) and
    an upper bound of what they occupy now (``allocated``: every allocation adds to it; :meth:`reclaim`
    brings it down to the live objects)."""

    __slots__ = ("allocated", "capacity")

    def __init__(self, memory_limit: int) -> None:
        self.capacity = heap_capacity(memory_limit)
        self.allocated = 0

    def limit(self, memory_limit: int) -> None:
        """Bound the heap by a new memory limit (the objects it holds stay)."""
        self.capacity = heap_capacity(memory_limit)

    def reclaim(self, size: int) -> None:
        """Make room for an object of ``size`` bytes, or raise :class:`GcHeapOutOfMemory`.

        Python's collector frees unreachable cycles first, then the live structs and arrays are summed.
        They are those of every store in the process (objects do not name their store): a store's count
        is never too low.  The cost is a collection per ``capacity - live`` bytes allocated: cheap while the
        live objects leave room, one collection per allocation (bounded by the process's object count)
        when they nearly fill the heap.  Python's objects are larger than Wasmtime's (a list slot per
        element of an ``i8`` array), so the limit bounds Python's memory within a small factor.
        """
        python_gc.collect()
        live = sum(
            allocated_bytes(object_size(item))
            for item in python_gc.get_objects()
            if item.__class__ is Struct or item.__class__ is Array
        )
        needed = allocated_bytes(size)
        if live + needed > self.capacity:
            self.allocated = live
            raise GcHeapOutOfMemory(size)
        self.allocated = live + needed


_active = GcHeap(1 << 32)
"""The heap allocations are charged to: the running store's (the default: no store's, 4 GiB)."""


def activate(heap: GcHeap) -> GcHeap:
    """Charge allocations to ``heap`` from now on; the heap that was active (to restore)."""
    global _active
    previous, _active = _active, heap
    return previous


def charge(size: int) -> None:
    """Count an allocation of an object of ``size`` bytes against the active heap (it raises if there is
    no room)."""
    heap = _active
    heap.allocated += (size + 15) & -16  # allocated_bytes, inline: this runs for every object
    if heap.allocated > heap.capacity:
        heap.allocated -= (size + 15) & -16
        heap.reclaim(size)


# --- constructing -----------------------------------------------------------------------------------------


def struct_new(type: DefinedType, values: Sequence[Any]) -> Struct:
    charge(struct_size(type))
    fields = type.composite.fields
    return Struct(type, [stored(field.storage, value) for field, value in zip(fields, values)])


def struct_new_default(type: DefinedType) -> Struct:
    charge(struct_size(type))
    return Struct(type, [default_value(field.storage) for field in type.composite.fields])


def _allocatable(type: DefinedType, length: int) -> int:
    if length > MAX_ARRAY_LENGTH:
        raise Trap(TRAP_ALLOCATION_TOO_LARGE)
    charge(array_size(type, length))
    return length


def array_new(type: DefinedType, value: Any, length: int) -> Array:
    _allocatable(type, length)
    return Array(type, [stored(type.composite.field.storage, value)] * length)


def array_new_default(type: DefinedType, length: int) -> Array:
    _allocatable(type, length)
    return Array(type, [default_value(type.composite.field.storage)] * length)


def array_new_fixed(type: DefinedType, values: Sequence[Any]) -> Array:
    storage = type.composite.field.storage
    _allocatable(type, len(values))
    return Array(type, [stored(storage, value) for value in values])


_DATA_CONVERSIONS: dict[Any, Any] = {ValType.F32: f32_from_bits, ValType.F64: f64_from_bits}
"""How the bits read from a data segment become a float element (every other storage keeps its int)."""


def data_values(storage: Any, data: bytes, offset: int, length: int) -> list[Any]:
    """``length`` elements of ``storage`` (a number, vector or packed type) read from a data segment at
    ``offset`` (little-endian, each as wide as :func:`storage_bytes` says)."""
    width = _STORAGE_BYTES[storage]
    end = offset + length * width
    if end > len(data):
        raise Trap(TRAP_MEMORY_OUT_OF_BOUNDS)
    values = [int.from_bytes(data[at : at + width], "little") for at in range(offset, end, width)]
    convert = _DATA_CONVERSIONS.get(storage)
    return [convert(value) for value in values] if convert is not None else values


def array_new_data(type: DefinedType, data: bytes, offset: int, length: int) -> Array:
    values = data_values(type.composite.field.storage, data, offset, length)
    _allocatable(type, length)
    return Array(type, values)


def element_values(elements: Sequence[Any], offset: int, length: int) -> list[Any]:
    if offset + length > len(elements):
        raise Trap(TRAP_TABLE_OUT_OF_BOUNDS)
    return list(elements[offset : offset + length])


def array_new_elem(type: DefinedType, elements: Sequence[Any], offset: int, length: int) -> Array:
    values = element_values(elements, offset, length)
    _allocatable(type, length)
    return Array(type, values)


# --- references: i31, conversions, equality, casts ---------------------------------------------------------


def ref_i31(value: int) -> I31:
    return I31(value)


def i31_get(reference: Any, signed: bool) -> int:
    if reference is None:
        raise Trap(TRAP_NULL_I31)
    value: int = reference.value
    if signed and value >> 30:
        return (value - (1 << 31)) & 0xFFFFFFFF
    return value


def any_convert_extern(value: Any) -> Any:
    if value is None:
        return None
    if value.__class__ is Externalized:
        return value.value
    return Internalized(value)


def extern_convert_any(value: Any) -> Any:
    if value is None:
        return None
    if value.__class__ is Internalized:
        return value.value
    return Externalized(value)


def ref_eq(first: Any, second: Any) -> int:
    if first is second:
        return 1
    return int(first.__class__ is I31 and second.__class__ is I31 and first.value == second.value)


_KIND_OF_CLASS = {I31: HEAP_I31, Struct: HEAP_STRUCT, Array: HEAP_ARRAY, Internalized: HEAP_ANY}
_ANY_KINDS = {
    HEAP_ANY: frozenset((HEAP_I31, HEAP_STRUCT, HEAP_ARRAY, HEAP_ANY)),
    HEAP_EQ: frozenset((HEAP_I31, HEAP_STRUCT, HEAP_ARRAY)),
    HEAP_I31: frozenset((HEAP_I31,)),
    HEAP_STRUCT: frozenset((HEAP_STRUCT,)),
    HEAP_ARRAY: frozenset((HEAP_ARRAY,)),
}


def value_kind(value: Any) -> int | None:
    """The abstract heap type just above a GC value (i31, struct, array, or any for a host value)."""
    return _KIND_OF_CLASS.get(value.__class__)


def ref_test(value: Any, heap: Any, nullable: bool) -> bool:
    """Whether ``value`` is a reference of type ``(ref null? heap)`` (heap: abstract, or canonical)."""
    if value is None:
        return nullable
    if heap.__class__ is DefinedType:
        if value.__class__ is Struct or value.__class__ is Array:
            return bool(value.type.is_subtype_of(heap))
        if isinstance(value, FunctionInstance):
            return bool(value.type.is_subtype_of(heap))
        return False
    if heap in BOTTOM_HEAPS:
        return False
    kinds = _ANY_KINDS.get(heap)
    if kinds is not None:
        kind = _KIND_OF_CLASS.get(value.__class__)
        return kind is not None and kind in kinds
    # func, extern, exn: every non-null value of the hierarchy (validation keeps the hierarchy)
    return heap in (HEAP_FUNC, HEAP_EXTERN, HEAP_EXN)


def ref_cast(value: Any, heap: Any, nullable: bool) -> Any:
    if not ref_test(value, heap, nullable):
        raise Trap(TRAP_CAST_FAILURE)
    return value


# --- arrays: bounds ---------------------------------------------------------------------------------------


def check_range(array: Any, offset: int, length: int) -> list[Any]:
    """The elements of ``array`` after its null and bounds checks for ``length`` elements at ``offset``."""
    if array is None:
        raise Trap(TRAP_NULL_ARRAY)
    elements: list[Any] = array.elements
    if offset + length > len(elements):
        raise Trap(TRAP_ARRAY_OUT_OF_BOUNDS)
    return elements


def is_struct_type(composite: Any) -> bool:
    return composite.__class__ is StructType


def is_array_type(composite: Any) -> bool:
    return composite.__class__ is ArrayType


# --- the compiled tier's allocation of a struct ---------------------------------------------------------------


def struct_new_stored(type: DefinedType, fields: list[Any]) -> Struct:
    """A struct of ``fields`` given as its fields keep them (packed values wrapped, defaults written out):
    :func:`struct_new` and :func:`struct_new_default` without their per-field work, which the compiled
    tier does in the generated code.  (An allocation: what every allocation does belongs here too, but
    :func:`charge` is written out, its size looked up once per type: this is the compiled tier's hot path.)"""
    heap = _active
    granules = _STRUCT_GRANULES.get(type)
    if granules is None:
        granules = _STRUCT_GRANULES[type] = allocated_bytes(struct_size(type))
    heap.allocated += granules
    if heap.allocated > heap.capacity:
        heap.allocated -= granules
        heap.reclaim(struct_size(type))
    return Struct(type, fields)


_STRUCT_GRANULES: dict[DefinedType, int] = {}
"""Each struct type's :func:`struct_size` in whole granules, as :func:`charge` counts it."""


# --- the bulk array instructions (both tiers call these) ----------------------------------------------------


def array_fill(array: Any, offset: int, value: Any, length: int) -> None:
    elements = check_range(array, offset, length)
    elements[offset : offset + length] = [stored(array.type.composite.field.storage, value)] * length


def array_copy(destination: Any, destination_offset: int, source: Any, source_offset: int, length: int) -> None:
    if destination is None or source is None:
        raise Trap(TRAP_NULL_ARRAY)
    target = check_range(destination, destination_offset, length)
    elements = check_range(source, source_offset, length)
    target[destination_offset : destination_offset + length] = elements[source_offset : source_offset + length]


def array_init_data(array: Any, destination_offset: int, data: bytes, source_offset: int, length: int) -> None:
    target = check_range(array, destination_offset, length)
    values = data_values(array.type.composite.field.storage, data, source_offset, length)
    target[destination_offset : destination_offset + length] = values


def array_init_elem(
    array: Any, destination_offset: int, elements: Sequence[Any], source_offset: int, length: int
) -> None:
    target = check_range(array, destination_offset, length)
    values = element_values(elements, source_offset, length)
    target[destination_offset : destination_offset + length] = values


# --- the traps the compiled tier raises from an expression (``reference or NULL_STRUCTURE()``) -------------


def null_structure() -> Any:
    raise Trap(TRAP_NULL_STRUCTURE)


def null_array() -> Any:
    raise Trap(TRAP_NULL_ARRAY)


def null_i31() -> Any:
    raise Trap(TRAP_NULL_I31)


def array_out_of_bounds() -> Any:
    raise Trap(TRAP_ARRAY_OUT_OF_BOUNDS)
