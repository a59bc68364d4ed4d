"""WebAssembly types (spec section 2.3): value, function, limits, table, memory, global."""

from __future__ import annotations

import enum
from dataclasses import dataclass


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


@dataclass(frozen=True, slots=True)
class FuncType:
    params: tuple[ValType, ...]
    results: tuple[ValType, ...]

    def __str__(self) -> str:
        params = " ".join(t.text for t in self.params)
        results = " ".join(t.text for t in self.results)
        return f"[{params}] -> [{results}]"


@dataclass(frozen=True, slots=True)
class Limits:
    min: int
    max: int | None = None


@dataclass(frozen=True, slots=True)
class TableType:
    element: ValType
    limits: Limits


@dataclass(frozen=True, slots=True)
class MemoryType:
    limits: Limits


@dataclass(frozen=True, slots=True)
class GlobalType:
    valtype: ValType
    mutable: bool


ExternType = FuncType | TableType | MemoryType | GlobalType

PAGE_SIZE = 65536
MAX_PAGES = 65536  # 4 GiB of 32-bit memory
