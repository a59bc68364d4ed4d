"""Values crossing the API's boundary: :class:`Val`, and the one place Python values become wasmrun's
canonical values and back.

Integers cross signed, as in wasmtime-py (an i32 of all ones is -1); an integer given for an i32 or
i64 is wrapped to its width.  Floats are Python floats (an f32 rounded to binary32).  A ``funcref``
is a :class:`~wasmrun.api.func.Func` or None, an ``externref`` any Python object or None.

A GC reference (``anyref``, ``eqref``, ``i31ref``, ``structref``, ``arrayref``, ``(ref $t)``, ...) is an
opaque :class:`AnyRef` or None (wasmtime-py 49 cannot convert these values at all); one passed back
must match the parameter's type (a cast's test) or the call raises TypeError.  Conversions between the
hierarchies as wasm makes them: an ``externref`` that ``extern.convert_any`` made from a GC value comes
back as that value's :class:`AnyRef`, and an :class:`AnyRef` given for an ``externref`` is that value
externalized again (so ``any.convert_extern`` gives the value back); a Python object that
``any.convert_extern`` made an ``anyref`` is an :class:`AnyRef` too, whose :attr:`AnyRef.host` is the object.
"""

from __future__ import annotations

from typing import Any

from wasmrun.api.errors import WasmtimeError
from wasmrun.api.externs import Extern, wrap_extern
from wasmrun.api.types import ValType
from wasmrun.deftypes import top_heap
from wasmrun.floats import f32_from_bits, f32_to_bits
from wasmrun.runtime import gc
from wasmrun.runtime.functions import FunctionInstance
from wasmrun.types import HEAP_ANY, HEAP_ARRAY, HEAP_EXTERN, HEAP_I31, HEAP_STRUCT, RefType
from wasmrun.types import ValType as Kind

_WIDTHS = {Kind.I32: 32, Kind.I64: 64}


def signed(value: int, bits: int) -> int:
    """``value`` wrapped to ``bits`` and read as a two's-complement signed integer."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _f32(value: float) -> float:
    return f32_from_bits(f32_to_bits(value))


_KIND_TEXT = {HEAP_STRUCT: "struct", HEAP_ARRAY: "array", HEAP_I31: "i31", HEAP_ANY: "host"}


class AnyRef:
    """A non-null reference of the ``any`` hierarchy given to Python: a struct, an array, an ``i31``, or a
    host value internalized by ``any.convert_extern``.  Opaque: equal (``==``) as ``ref.eq`` compares
    (the same object, or ``i31`` references of the same value)."""

    __slots__ = ("_value",)
    _value: Any

    def __init__(self) -> None:
        raise WasmtimeError("cannot construct directly")

    @classmethod
    def _of(cls, value: Any) -> AnyRef:
        reference = cls.__new__(cls)
        reference._value = value
        return reference

    @property
    def kind(self) -> str:
        """``struct``, ``array``, ``i31``, or ``host`` (a Python object made an ``anyref``)."""
        return _KIND_TEXT[gc.value_kind(self._value)]  # type: ignore[index]

    @property
    def i31(self) -> int | None:
        """An ``i31`` reference's value, sign-extended as ``i31.get_s`` reads it; None for another kind."""
        if self._value.__class__ is not gc.I31:
            return None
        return signed(gc.i31_get(self._value, True), 32)

    @property
    def host(self) -> Any:
        """The Python object of a ``host`` reference; None for another kind."""
        return self._value.value if self._value.__class__ is gc.Internalized else None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AnyRef) and bool(gc.ref_eq(self._value, other._value))

    def __hash__(self) -> int:
        return hash(self._value) if self._value.__class__ is gc.I31 else id(self._value)

    def __repr__(self) -> str:
        return f"<AnyRef {self.kind}>"


def _gc_canonical(reference: RefType, value: Any) -> Any:
    """``value`` (None or an :class:`AnyRef`) for a parameter of the any hierarchy, checked as a cast is."""
    if value is None:
        if reference.nullable:
            return None
    elif isinstance(value, AnyRef) and gc.ref_test(value._value, reference.heap, reference.nullable):
        return value._value
    raise TypeError(f"don't know how to convert {value!r} to {ValType._of(reference)}")


def _is_any_hierarchy(valtype: Any) -> bool:
    return valtype.__class__ is RefType and top_heap(valtype.heap) == HEAP_ANY


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
        return gc.Externalized(value._value) if isinstance(value, AnyRef) else value
    elif _is_any_hierarchy(valtype):
        return _gc_canonical(valtype, value)
    elif valtype.__class__ is RefType and top_heap(valtype.heap) == HEAP_EXTERN:
        if value is not None or valtype.nullable:
            return gc.Externalized(value._value) if isinstance(value, AnyRef) else value
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
    if value is None:
        return None
    if isinstance(value, FunctionInstance):
        return wrap_extern(value)
    if value.__class__ is gc.Externalized:  # an externref made from a GC value: the value itself
        return AnyRef._of(value.value)
    if gc.value_kind(value) is not None:
        return AnyRef._of(value)
    return value
