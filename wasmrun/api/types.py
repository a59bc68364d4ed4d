"""The type classes of wasmtime-py (:class:`ValType`, :class:`FuncType`, ...), each holding wasmrun's
record (:mod:`wasmrun.types`) as ``_record``: equal when their records are equal."""

from __future__ import annotations

from typing import Any

from wasmrun import types as records
from wasmrun.api.errors import WasmtimeError
from wasmrun.deftypes import DefinedType

_TEXT = {
    records.ValType.I32: "i32",
    records.ValType.I64: "i64",
    records.ValType.F32: "f32",
    records.ValType.F64: "f64",
    records.ValType.V128: "v128",
    records.ValType.FUNCREF: "funcref",
    records.ValType.EXTERNREF: "externref",
    records.ValType.EXNREF: "exnref",
}


class ValType:
    """A value type: made by ``ValType.i32()`` and its siblings, never constructed directly."""

    _record: Any

    def __init__(self) -> None:
        raise WasmtimeError("cannot construct directly")

    @classmethod
    def _of(cls, record: Any) -> ValType:
        valtype = cls.__new__(cls)
        valtype._record = record
        return valtype

    @classmethod
    def i32(cls) -> ValType:
        """The 32-bit integer type."""
        return cls._of(records.ValType.I32)

    @classmethod
    def i64(cls) -> ValType:
        """The 64-bit integer type."""
        return cls._of(records.ValType.I64)

    @classmethod
    def f32(cls) -> ValType:
        """The 32-bit float type."""
        return cls._of(records.ValType.F32)

    @classmethod
    def f64(cls) -> ValType:
        """The 64-bit float type."""
        return cls._of(records.ValType.F64)

    @classmethod
    def externref(cls) -> ValType:
        """The nullable reference to a host value."""
        return cls._of(records.ValType.EXTERNREF)

    @classmethod
    def funcref(cls) -> ValType:
        """The nullable function reference."""
        return cls._of(records.ValType.FUNCREF)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ValType) and self._record == other._record

    def __hash__(self) -> int:
        return hash(self._record)

    def __str__(self) -> str:
        text = _TEXT.get(self._record)
        return text if text is not None else str(getattr(self._record, "text", self._record))

    def __repr__(self) -> str:
        return str(self)


class FuncType:
    """A function type: its parameter and result types."""

    _record: records.FuncType

    def __init__(self, params: list[ValType], results: list[ValType]) -> None:
        for valtype in (*params, *results):
            if not isinstance(valtype, ValType):
                raise TypeError("expected ValType")
        self._record = records.FuncType(
            tuple(valtype._record for valtype in params), tuple(valtype._record for valtype in results)
        )

    @classmethod
    def _of(cls, record: records.FuncType | DefinedType) -> FuncType:
        function_type = cls.__new__(cls)
        # A runtime function's canonical type: its structure.
        function_type._record = record.composite if isinstance(record, DefinedType) else record
        return function_type

    @property
    def params(self) -> list[ValType]:
        """The parameter types."""
        return [ValType._of(valtype) for valtype in self._record.params]

    @property
    def results(self) -> list[ValType]:
        """The result types."""
        return [ValType._of(valtype) for valtype in self._record.results]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FuncType) and self._record == other._record

    def __hash__(self) -> int:
        return hash(self._record)

    def __repr__(self) -> str:
        return f"FuncType({self.params}, {self.results})"


class Limits:
    """The size limits of a table or memory: ``min`` and ``max`` (None: unbounded)."""

    def __init__(self, min: int, max: int | None) -> None:
        self.min = min
        self.max = max

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Limits) and (self.min, self.max) == (other.min, other.max)

    def __hash__(self) -> int:
        return hash((self.min, self.max))

    def __repr__(self) -> str:
        return f"Limits({self.min}, {self.max})"


class GlobalType:
    """A global's type: its value type (``content``) and whether it is ``mutable``."""

    _record: records.GlobalType

    def __init__(self, valtype: ValType, mutable: bool) -> None:
        if not isinstance(valtype, ValType):
            raise TypeError("expected ValType")
        self._record = records.GlobalType(valtype._record, bool(mutable))

    @classmethod
    def _of(cls, record: records.GlobalType) -> GlobalType:
        global_type = cls.__new__(cls)
        global_type._record = record
        return global_type

    @property
    def content(self) -> ValType:
        """The type of the global's value."""
        return ValType._of(self._record.valtype)

    @property
    def mutable(self) -> bool:
        """Whether the global can be set."""
        return self._record.mutable

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GlobalType) and self._record == other._record

    def __hash__(self) -> int:
        return hash(self._record)

    def __repr__(self) -> str:
        return f"GlobalType({self.content}, mutable={self.mutable})"


class TableType:
    """A table's type: its ``element`` type and size ``limits``."""

    _record: records.TableType

    def __init__(self, valtype: ValType, limits: Limits) -> None:
        if not isinstance(valtype, ValType):
            raise TypeError("expected ValType")
        if not isinstance(limits, Limits):
            raise TypeError("expected Limits")
        self._record = records.TableType(valtype._record, records.Limits(limits.min, limits.max))

    @classmethod
    def _of(cls, record: records.TableType) -> TableType:
        table_type = cls.__new__(cls)
        table_type._record = record
        return table_type

    @property
    def element(self) -> ValType:
        """The type of the table's elements."""
        return ValType._of(self._record.element)

    @property
    def limits(self) -> Limits:
        """The table's size limits, in elements."""
        return Limits(self._record.limits.min, self._record.limits.max)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TableType) and self._record == other._record

    def __hash__(self) -> int:
        return hash(self._record)

    def __repr__(self) -> str:
        return f"TableType({self.element}, {self.limits})"


class MemoryType:
    """A memory's type: size ``limits`` in pages, 64-bit addresses or not, shared or not, page size."""

    _record: records.MemoryType

    def __init__(self, limits: Limits, is_64: bool = False, shared: bool = False, page_size_log2: int = 16) -> None:
        if not isinstance(limits, Limits):
            raise TypeError("expected Limits")
        if page_size_log2 not in (0, 16):
            raise WasmtimeError(f"invalid page size log2 {page_size_log2}: only 0 and 16 are valid")
        self._record = records.MemoryType(records.Limits(limits.min, limits.max, bool(is_64)), page_size_log2, shared)

    @classmethod
    def _of(cls, record: records.MemoryType) -> MemoryType:
        memory_type = cls.__new__(cls)
        memory_type._record = record
        return memory_type

    @property
    def limits(self) -> Limits:
        """The memory's size limits, in pages."""
        return Limits(self._record.limits.min, self._record.limits.max)

    @property
    def is_64(self) -> bool:
        """Whether its addresses are i64 (memory64)."""
        return self._record.limits.address64

    @property
    def is_shared(self) -> bool:
        """Whether it is a shared memory (threads)."""
        return self._record.shared

    @property
    def page_size(self) -> int:
        """The page size in bytes."""
        return self._record.page_size

    @property
    def page_size_log2(self) -> int:
        """The base-2 logarithm of the page size."""
        return self._record.page_size_log2

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MemoryType) and self._record == other._record

    def __hash__(self) -> int:
        return hash(self._record)

    def __repr__(self) -> str:
        return f"MemoryType({self.limits}, is_64={self.is_64}, shared={self.is_shared})"


class TagType:
    """An exception tag's type: the function type whose parameters are the payload."""

    def __init__(self, functype: FuncType) -> None:
        if not isinstance(functype, FuncType):
            raise TypeError("expected FuncType")
        self._functype = functype

    @property
    def functype(self) -> FuncType:
        """The payload as a function type (no results)."""
        return self._functype

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TagType) and self._functype == other._functype

    def __hash__(self) -> int:
        return hash(self._functype)

    def __repr__(self) -> str:
        return f"TagType({self._functype})"


ExternType = FuncType | GlobalType | TableType | MemoryType | TagType


def extern_type_of(record: Any) -> ExternType:
    """The API's type for a canonical extern type of wasmrun (a tag's given as its function type, wrapped
    by the caller)."""
    if isinstance(record, (records.FuncType, DefinedType)):
        return FuncType._of(record)
    if isinstance(record, records.GlobalType):
        return GlobalType._of(record)
    if isinstance(record, records.TableType):
        return TableType._of(record)
    if isinstance(record, records.MemoryType):
        return MemoryType._of(record)
    raise TypeError(f"not an extern type: {record!r}")


class ImportType:
    """One import of a module: the ``module`` and ``name`` it is imported by, and its ``type``."""

    def __init__(self, module: str, name: str, type: ExternType) -> None:
        self._module = module
        self._name = name
        self._type = type

    @property
    def module(self) -> str:
        """The module name of the import."""
        return self._module

    @property
    def name(self) -> str | None:
        """The name of the import."""
        return self._name

    @property
    def type(self) -> ExternType:
        """What is imported: a FuncType, GlobalType, TableType, MemoryType or TagType."""
        return self._type

    def __repr__(self) -> str:
        return f"ImportType({self._module!r}, {self._name!r}, {self._type!r})"


class ExportType:
    """One export of a module: its ``name`` and ``type``."""

    def __init__(self, name: str, type: ExternType) -> None:
        self._name = name
        self._type = type

    @property
    def name(self) -> str:
        """The name of the export."""
        return self._name

    @property
    def type(self) -> ExternType:
        """What is exported: a FuncType, GlobalType, TableType, MemoryType or TagType."""
        return self._type

    def __repr__(self) -> str:
        return f"ExportType({self._name!r}, {self._type!r})"
