"""WebAssembly types (spec section 2.3): value, function, limits, table, memory, global."""

from __future__ import annotations

import enum
from typing import Any

from wasmrun.records import Record, frozen_record, set_field


class ValType(enum.IntEnum):
    """A value type, numbered by its binary encoding."""

    I32 = 0x7F
    I64 = 0x7E
    F32 = 0x7D
    F64 = 0x7C
    V128 = 0x7B
    FUNCREF = 0x70
    EXTERNREF = 0x6F
    EXNREF = 0x69  # exception handling: (ref null exn)

    @property
    def text(self) -> str:
        return _VALTYPE_TEXT[self]

    @property
    def is_reference(self) -> bool:
        return self in (ValType.FUNCREF, ValType.EXTERNREF, ValType.EXNREF)

    @property
    def is_numeric(self) -> bool:
        return self in (ValType.I32, ValType.I64, ValType.F32, ValType.F64)

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


_VALTYPE_TEXT = {
    ValType.I32: "i32",
    ValType.I64: "i64",
    ValType.F32: "f32",
    ValType.F64: "f64",
    ValType.V128: "v128",
    ValType.FUNCREF: "funcref",
    ValType.EXTERNREF: "externref",
    ValType.EXNREF: "exnref",
}

VALTYPE_BY_TEXT = {text: valtype for valtype, text in _VALTYPE_TEXT.items()}

# Heap types (typed function references, GC): a type index (>= 0), or an abstract heap type as its
# binary code read as an s33 (negative).
HEAP_FUNC = -0x10
HEAP_EXTERN = -0x11
HEAP_EXN = -0x17  # exception handling: (ref null exn) is exnref
HEAP_ANY = -0x12
HEAP_EQ = -0x13
HEAP_I31 = -0x14
HEAP_STRUCT = -0x15
HEAP_ARRAY = -0x16
HEAP_NONE = -0x0F
HEAP_NOEXTERN = -0x0E
HEAP_NOFUNC = -0x0D
HEAP_NOEXN = -0x0C
HEAP_TEXT = {
    HEAP_FUNC: "func",
    HEAP_EXTERN: "extern",
    HEAP_EXN: "exn",
    HEAP_ANY: "any",
    HEAP_EQ: "eq",
    HEAP_I31: "i31",
    HEAP_STRUCT: "struct",
    HEAP_ARRAY: "array",
    HEAP_NONE: "none",
    HEAP_NOEXTERN: "noextern",
    HEAP_NOFUNC: "nofunc",
    HEAP_NOEXN: "noexn",
}
HEAP_BY_TEXT = {text: heap for heap, text in HEAP_TEXT.items()}
ABSTRACT_HEAPS = {heap + 0x80: heap for heap in HEAP_TEXT}
"""The binary code of each abstract heap type (one byte) -> the heap type."""
_NULLABLE_ABSTRACT = {HEAP_FUNC: ValType.FUNCREF, HEAP_EXTERN: ValType.EXTERNREF, HEAP_EXN: ValType.EXNREF}
SHORTHAND_TEXT = {
    "anyref": HEAP_ANY,
    "eqref": HEAP_EQ,
    "i31ref": HEAP_I31,
    "structref": HEAP_STRUCT,
    "arrayref": HEAP_ARRAY,
    "nullref": HEAP_NONE,
    "nullexternref": HEAP_NOEXTERN,
    "nullfuncref": HEAP_NOFUNC,
    "nullexnref": HEAP_NOEXN,
}
"""The GC short forms of nullable references (``anyref`` is ``(ref null any)``), by text."""

# The abstract heap lattice: each abstract heap type's supertypes (itself included).
_ABSTRACT_SUPERS: dict[int, frozenset[int]] = {
    HEAP_ANY: frozenset((HEAP_ANY,)),
    HEAP_EQ: frozenset((HEAP_EQ, HEAP_ANY)),
    HEAP_I31: frozenset((HEAP_I31, HEAP_EQ, HEAP_ANY)),
    HEAP_STRUCT: frozenset((HEAP_STRUCT, HEAP_EQ, HEAP_ANY)),
    HEAP_ARRAY: frozenset((HEAP_ARRAY, HEAP_EQ, HEAP_ANY)),
    HEAP_NONE: frozenset((HEAP_NONE, HEAP_I31, HEAP_STRUCT, HEAP_ARRAY, HEAP_EQ, HEAP_ANY)),
    HEAP_FUNC: frozenset((HEAP_FUNC,)),
    HEAP_NOFUNC: frozenset((HEAP_NOFUNC, HEAP_FUNC)),
    HEAP_EXTERN: frozenset((HEAP_EXTERN,)),
    HEAP_NOEXTERN: frozenset((HEAP_NOEXTERN, HEAP_EXTERN)),
    HEAP_EXN: frozenset((HEAP_EXN,)),
    HEAP_NOEXN: frozenset((HEAP_NOEXN, HEAP_EXN)),
}


def abstract_heap_subtype(heap1: int, heap2: int) -> bool:
    """Whether abstract heap type ``heap1`` is below ``heap2`` in the lattice (none <= i31, struct,
    array <= eq <= any; nofunc <= func; noextern <= extern; noexn <= exn)."""
    supers = _ABSTRACT_SUPERS.get(heap1)
    return supers is not None and heap2 in supers


_TOPS = {HEAP_FUNC: HEAP_FUNC, HEAP_NOFUNC: HEAP_FUNC, HEAP_EXTERN: HEAP_EXTERN, HEAP_NOEXTERN: HEAP_EXTERN}
_TOPS.update({HEAP_EXN: HEAP_EXN, HEAP_NOEXN: HEAP_EXN})


BOTTOM_HEAPS = frozenset((HEAP_NONE, HEAP_NOFUNC, HEAP_NOEXTERN, HEAP_NOEXN))
"""The bottom of each hierarchy: types of no value but null (a ``ref.test`` against one is false)."""


def top_abstract_heap(heap: int) -> int:
    """The top of an abstract heap type's hierarchy: any, func, extern or exn."""
    return _TOPS.get(heap, HEAP_ANY)


@frozen_record(frozen=True)
class RefType(Record):
    """A reference type of the function-references and GC proposals: ``(ref null? heap)``.

    Only the forms WebAssembly 2.0 cannot say: ``(ref null func)``, ``(ref null extern)`` and
    ``(ref null exn)`` are :data:`ValType.FUNCREF`, :data:`ValType.EXTERNREF` and :data:`ValType.EXNREF`
    (see :func:`ref_type`), so everything that handles 2.0 types sees nothing new.  ``heap`` is a type
    index or an abstract heap type (:data:`HEAP_FUNC`, :data:`HEAP_ANY`, ...); in canonical types (those of
    instances, :mod:`wasmrun.deftypes`), the :class:`~wasmrun.deftypes.DefinedType` a type index names.
    """

    nullable: bool
    heap: Any

    def __init__(self, nullable: bool, heap: Any) -> None:
        set_field(self, "nullable", nullable)
        set_field(self, "heap", heap)

    @property
    def text(self) -> str:
        heap = self.heap
        # A canonical defined type (possibly recursive) shows as its kind only: <func>, <struct>, <array>.
        if isinstance(heap, int):
            heap_text = HEAP_TEXT.get(heap, str(heap))
        else:
            heap_text = heap.reference_text if hasattr(heap, "reference_text") else str(heap)
        return f"(ref {'null ' if self.nullable else ''}{heap_text})"

    @property
    def is_reference(self) -> bool:
        return True

    @property
    def is_numeric(self) -> bool:
        return False

    @property
    def encoding(self) -> bytes:
        """The binary form: 0x63 (nullable) or 0x64, then the heap type as an s33."""
        return bytes((0x63 if self.nullable else 0x64,)) + _s33(self.heap)

    def __str__(self) -> str:
        return self.text


ValueType = ValType | RefType
"""A value type: WebAssembly 2.0's (:class:`ValType`) or a typed reference (:class:`RefType`)."""


def ref_type(nullable: bool, heap: int) -> ValueType:
    """The value type ``(ref null? heap)``: a ValType for the two that WebAssembly 2.0 has."""
    if nullable:
        found = _NULLABLE_ABSTRACT.get(heap)
        if found is not None:
            return found
    return RefType(nullable, heap)


def as_ref(valtype: ValueType) -> RefType | None:
    """A reference type as a RefType (funcref is ``(ref null func)``), None for a number or vector."""
    if isinstance(valtype, RefType):
        return valtype
    if valtype is ValType.FUNCREF:
        return _FUNCREF
    if valtype is ValType.EXTERNREF:
        return _EXTERNREF
    if valtype is ValType.EXNREF:
        return _EXNREF
    return None


_FUNCREF = RefType(True, HEAP_FUNC)
_EXTERNREF = RefType(True, HEAP_EXTERN)
_EXNREF = RefType(True, HEAP_EXN)


def is_defaultable(valtype: ValueType) -> bool:
    """Whether a local of this type has a default value (not a non-nullable reference)."""
    return not isinstance(valtype, RefType) or valtype.nullable


def encode_valtype(valtype: ValueType) -> bytes:
    """The binary encoding of a value type."""
    if isinstance(valtype, RefType):
        return valtype.encoding
    return bytes((valtype,))


def _s33(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


REF_CODE_BASE = 0x100
"""The validator's int for a RefType (see :func:`type_code`) starts here, above every ValType's."""


def type_code(valtype: Any) -> int:
    """A value type as one int, as the validator's stacks hold them: a ValType's binary code, or for a
    RefType with an int heap :data:`REF_CODE_BASE` + (heap + 64) * 2 + nullable."""
    if valtype.__class__ is RefType:
        return REF_CODE_BASE + ((valtype.heap + 64) << 1) + int(valtype.nullable)
    return int(valtype)


def type_of_code(code: int) -> ValueType:
    """The value type of a :func:`type_code`."""
    if code >= REF_CODE_BASE:
        n = code - REF_CODE_BASE
        return RefType(bool(n & 1), (n >> 1) - 64)
    return ValType(code)


class ExternKind(enum.IntEnum):
    """The kind of an import or export, numbered by its binary encoding."""

    FUNC = 0
    TABLE = 1
    MEMORY = 2
    GLOBAL = 3
    TAG = 4

    @property
    def text(self) -> str:
        return ("func", "table", "memory", "global", "tag")[self]


@frozen_record(frozen=True)
class FuncType(Record):
    params: tuple[ValueType, ...]
    results: tuple[ValueType, ...]

    def __init__(self, params: tuple[ValueType, ...], results: tuple[ValueType, ...]) -> None:
        set_field(self, "params", params)
        set_field(self, "results", results)

    def __str__(self) -> str:
        params = " ".join(t.text for t in self.params)
        results = " ".join(t.text for t in self.results)
        return f"[{params}] -> [{results}]"

    @property
    def text(self) -> str:
        return str(self)


@frozen_record(frozen=True)
class Limits(Record):
    """Limits of a table or memory; ``address64`` says its addresses are i64 (memory64, table64)."""

    min: int
    max: int | None
    address64: bool

    def __init__(self, min: int, max: int | None = None, address64: bool = False) -> None:
        set_field(self, "min", min)
        set_field(self, "max", max)
        set_field(self, "address64", address64)

    @property
    def address_type(self) -> ValType:
        """The type of an address (an index, a size) of the table or memory: i64 or i32."""
        return ValType.I64 if self.address64 else ValType.I32


@frozen_record(frozen=True)
class TableType(Record):
    element: ValueType
    limits: Limits

    def __init__(self, element: ValueType, limits: Limits) -> None:
        set_field(self, "element", element)
        set_field(self, "limits", limits)


@frozen_record(frozen=True)
class MemoryType(Record):
    """A memory type; ``page_size_log2``: its page size, 2^16 bytes but for custom page sizes (2^0);
    ``shared``: a shared memory (threads)."""

    limits: Limits
    page_size_log2: int
    shared: bool

    def __init__(self, limits: Limits, page_size_log2: int = 16, shared: bool = False) -> None:
        set_field(self, "limits", limits)
        set_field(self, "page_size_log2", page_size_log2)
        set_field(self, "shared", shared)

    @property
    def page_size(self) -> int:
        return 1 << self.page_size_log2

    @property
    def max_pages(self) -> int:
        """The most pages its address type allows: 2^32 or 2^64 bytes (a 64 KiB-paged i64 memory: 2^48 pages)."""
        bits = 64 if self.limits.address64 else 32
        return min(1 << (bits - self.page_size_log2), (1 << bits) - 1)


@frozen_record(frozen=True)
class GlobalType(Record):
    valtype: ValueType
    mutable: bool

    def __init__(self, valtype: ValueType, mutable: bool) -> None:
        set_field(self, "valtype", valtype)
        set_field(self, "mutable", mutable)


@frozen_record(frozen=True)
class TagType(Record):
    """An exception tag's type: a function type index whose parameters are the payload (no results)."""

    type_index: int

    def __init__(self, type_index: int) -> None:
        set_field(self, "type_index", type_index)


ExternType = FuncType | TableType | MemoryType | GlobalType | TagType

PAGE_SIZE = 65536
MAX_PAGES = 65536  # 4 GiB of 32-bit memory
MAX_PAGES_64 = 2**48  # 2^64 bytes of 64-bit memory
MAX_TABLE_64 = 2**64 - 1
