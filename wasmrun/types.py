"""WebAssembly types (spec section 2.3): value, function, limits, table, memory, global."""

from __future__ import annotations

import enum

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

    @property
    def text(self) -> str:
        return _VALTYPE_TEXT[self]

    @property
    def is_reference(self) -> bool:
        return self in (ValType.FUNCREF, ValType.EXTERNREF)

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
}

VALTYPE_BY_TEXT = {text: valtype for valtype, text in _VALTYPE_TEXT.items()}


class ExternKind(enum.IntEnum):
    """The kind of an import or export, numbered by its binary encoding."""

    FUNC = 0
    TABLE = 1
    MEMORY = 2
    GLOBAL = 3

    @property
    def text(self) -> str:
        return ("func", "table", "memory", "global")[self]


@frozen_record(frozen=True)
class FuncType(Record):
    params: tuple[ValType, ...]
    results: tuple[ValType, ...]

    def __init__(self, params: tuple[ValType, ...], results: tuple[ValType, ...]) -> None:
        set_field(self, "params", params)
        set_field(self, "results", results)

    def __str__(self) -> str:
        params = " ".join(t.text for t in self.params)
        results = " ".join(t.text for t in self.results)
        return f"[{params}] -> [{results}]"


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
    element: ValType
    limits: Limits

    def __init__(self, element: ValType, limits: Limits) -> None:
        set_field(self, "element", element)
        set_field(self, "limits", limits)


@frozen_record(frozen=True)
class MemoryType(Record):
    """A memory type; ``page_size_log2``: its page size, 2^16 bytes but for custom page sizes (2^0)."""

    limits: Limits
    page_size_log2: int

    def __init__(self, limits: Limits, page_size_log2: int = 16) -> None:
        set_field(self, "limits", limits)
        set_field(self, "page_size_log2", page_size_log2)

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
    valtype: ValType
    mutable: bool

    def __init__(self, valtype: ValType, mutable: bool) -> None:
        set_field(self, "valtype", valtype)
        set_field(self, "mutable", mutable)


ExternType = FuncType | TableType | MemoryType | GlobalType

PAGE_SIZE = 65536
MAX_PAGES = 65536  # 4 GiB of 32-bit memory
MAX_PAGES_64 = 2**48  # 2^64 bytes of 64-bit memory
MAX_TABLE_64 = 2**64 - 1
