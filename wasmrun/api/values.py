"""Values crossing the API's boundary: :class:`Val`, and the one place Python values become wasmrun's
canonical values and back.

Integers cross signed, as in wasmtime-py (an i32 of all ones is -1); an integer given for an i32 or
i64 is wrapped to its width.  Floats are Python floats (an f32 rounded to binary32).  A ``funcref``
is a :class:`~wasmrun.api.func.Func` or None, an ``externref`` any Python object or None.
"""

from __future__ import annotations

from typing import Any

from wasmrun.api.errors import WasmtimeError
from wasmrun.api.externs import Extern, wrap_extern
from wasmrun.api.types import ValType
from wasmrun.floats import f32_from_bits, f32_to_bits
from wasmrun.runtime.functions import FunctionInstance
from wasmrun.types import ValType as Kind

_WIDTHS = {Kind.I32: 32, Kind.I64: 64}


def signed(value: int, bits: int) -> int:
    """``value`` wrapped to ``bits`` and read as a two's-complement signed integer."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _f32(value: float) -> float:
    return f32_from_bits(f32_to_bits(value))


class Val:
    """A value tagged with its type (wasmtime-py's ``Val``); most calls take plain Python values too."""

    def __init__(self, kind: ValType, val: Any) -> None:
        self._kind = kind
        self._val = val

    @classmethod
    def i32(cls, val: int) -> Val:
        """An i32 (wrapped to 32 bits, signed)."""
        if not isinstance(val, int):
            raise TypeError("expected an integer")
        return Val(ValType.i32(), signed(val, 32))

    @classmethod
    def i64(cls, val: int) -> Val:
        """An i64 (wrapped to 64 bits, signed)."""
        if not isinstance(val, int):
            raise TypeError("expected an integer")
        return Val(ValType.i64(), signed(val, 64))

    @classmethod
    def f32(cls, val: float) -> Val:
        """An f32 (rounded to binary32)."""
        if not isinstance(val, float):
            raise TypeError("expected a float")
        return Val(ValType.f32(), _f32(val))

    @classmethod
    def f64(cls, val: float) -> Val:
        """An f64."""
        if not isinstance(val, float):
            raise TypeError("expected a float")
        return Val(ValType.f64(), val)

    @classmethod
    def externref(cls, extern: Any | None) -> Val:
        """An externref to any Python object (None: the null reference)."""
        return Val(ValType.externref(), extern)

    @classmethod
    def funcref(cls, f: Any | None) -> Val:
        """A funcref to a :class:`~wasmrun.api.func.Func` (None: the null reference)."""
        return Val(ValType.funcref(), f)

    @classmethod
    def ref_null(cls, ty: ValType) -> Val:
        """The null reference of the reference type ``ty``."""
        if ty == ValType.externref():
            return Val.externref(None)
        if ty == ValType.funcref():
            return Val.funcref(None)
        raise WasmtimeError(f"Invalid reference type for `ref_null`: {ty}")

    @property
    def value(self) -> Any:
        """The plain Python value."""
        return self._val

    @property
    def type(self) -> ValType:
        """The value's type."""
        return self._kind

    def _as(self, kind: ValType) -> Any:
        return self._val if self._kind == kind else None

    def as_i32(self) -> int | None:
        """The value if it is an i32, else None."""
        return self._as(ValType.i32())

    def as_i64(self) -> int | None:
        """The value if it is an i64, else None."""
        return self._as(ValType.i64())

    def as_f32(self) -> float | None:
        """The value if it is an f32, else None."""
        return self._as(ValType.f32())

    def as_f64(self) -> float | None:
        """The value if it is an f64, else None."""
        return self._as(ValType.f64())

    def as_externref(self) -> Any | None:
        """The referenced object if this is an externref, else None."""
        return self._as(ValType.externref())

    def as_funcref(self) -> Any | None:
        """The function if this is a non-null funcref, else None."""
        return self._as(ValType.funcref())

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, Val):
            return self._kind == other._kind and self._val == other._val
        return bool(self._val == other)

    def __hash__(self) -> int:
        return hash((self._kind, self._val))

    def __repr__(self) -> str:
        return f"Val({self._kind}, {self._val!r})"


def to_canonical(valtype: Any, value: Any) -> Any:
    """The Python (or :class:`Val`) ``value`` as wasmrun's canonical value of type ``valtype`` (a record of
    :mod:`wasmrun.types`); TypeError when it is not a value of that type."""
    if isinstance(value, Val):
        if value._kind._record != valtype:
            raise TypeError("wrong type of `Val` provided")
        value = value._val
    bits = _WIDTHS.get(valtype)
    if bits is not None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value & ((1 << bits) - 1)
    elif valtype is Kind.F32 or valtype is Kind.F64:
        if isinstance(value, float):
            return _f32(value) if valtype is Kind.F32 else value
    elif valtype is Kind.EXTERNREF:
        return value
    elif value is None:
        return None
    elif isinstance(value, Extern) and isinstance(value._runtime, FunctionInstance):
        return value._runtime
    raise TypeError(f"don't know how to convert {value!r} to {ValType._of(valtype)}")


def from_canonical(valtype: Any, value: Any) -> Any:
    """wasmrun's canonical ``value`` of type ``valtype`` as the API gives it (signed integers, Func)."""
    bits = _WIDTHS.get(valtype)
    if bits is not None:
        return signed(int(value), bits)
    if isinstance(value, FunctionInstance):
        return wrap_extern(value)
    return value
