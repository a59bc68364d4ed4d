"""WebAssembly numeric instructions, written once.

One function per numeric instruction, named after its mnemonic with dots as
underscores (``i32.div_s`` -> :func:`i32_div_s`), plus the bit-level helpers
the engine needs for constants, loads and stores.  :data:`NUMERIC_FUNCTIONS`
maps every numeric mnemonic with a fixed signature to its function and
:data:`NUMERIC_TEMPLATES` gives the simplest ones as Python expression
templates for a code generator; a test holds the two to the same results.

Runtime values:

* i32 / i64: Python ``int`` in ``[0, 2**32)`` / ``[0, 2**64)`` (canonical
  unsigned).  Functions accept ``bool`` wherever an i32 is expected.
  Comparison *functions* return the int 0 or 1; comparison *templates* yield a
  ``bool`` (cheaper, and ``True == 1`` in every arithmetic use), so a value
  shown to a user must pass through ``int()``.
* f64: Python ``float``.
* f32: Python ``float`` whose value is exactly an IEEE binary32 value.  An f32
  NaN with sign s and 23-bit payload m is held as the double NaN with sign s
  and payload ``m << 29``: the quiet bits coincide, so a signalling f32 NaN is
  a signalling double NaN, and the hardware's NaN handling of doubles is the
  f32 one.

How it is fast, and why it is right (read once):

* f32 rounding goes through a scratch buffer seen as ``float`` through a
  memoryview: storing a double there is the C cast ``(float)d`` (round to
  nearest even, overflow to infinity; the cheapest rounding CPython offers:
  ~35 ns against ~80 for ``struct`` and ~95 for ``ctypes.c_float``), reading
  it back widens exactly.  For ``+ - * / sqrt`` of f32 operands the double
  result rounded to f32 is the correctly rounded f32 result, because binary64
  has more than 2*24+2 bits of precision.  The store and the load are two
  bytecodes with no call between them, and CPython 3.11 switches threads only
  at calls and backward jumps, so the shared buffer is safe under the GIL.
* The C cast (and ``struct``'s 'f') quietens signalling NaNs and
  ``struct.pack('<f')`` raises ``OverflowError`` instead of rounding; so the
  bit helpers build NaNs by hand, and only arithmetic results (which are never
  signalling) take the plain cast.
* Arithmetic on a NaN operand returns that NaN quietened (x86 SSE semantics,
  which CPython's float operations inherit): the spec's canonical-in,
  canonical-out / arithmetic-otherwise rule.  ``x * 1.0`` therefore quietens
  a NaN and is the identity on every other value (signed zeros included).
* ceil/floor/trunc/nearest add and subtract 2**52: for ``0 < x < 2**52`` the
  sum lands where doubles are integers, so the hardware rounds ``x`` to an
  integer, ties to even; negative inputs use the mirrored positive case so
  that zeros keep the sign of the input.  Every f32 value is a double of the
  same value, so the f64 rule is the f32 rule for these (and for abs, neg,
  copysign, min, max, comparisons and truncations).
* ``i64 -> f32`` through a double would round twice; a wide integer is first
  reduced to 53 significant bits *rounding to odd* (a sticky low bit), after
  which the single cast to f32 rounds correctly.

i32 and i64, written once: the i32 functions are written out, with their
width-dependent constants as literals (``0x100000000``, ``0x7FFFFFFF``,
``0x80000000``, ``0xFFFFFFFF``, ``31``, ``32``, the truncation bounds), and
each i64 function is made from one (``i64_div_s = _i64(i32_div_s)``): the
same code object with those constants swapped for the i64 ones
(:data:`_I64_CONSTANTS`).  So a twin is a plain function with its constants
folded, the bytecode a hand-written one would have, and no compile: the 38
twins cost ~0.1 ms at import, where compiling them from a source template
would cost ~1.5 ms.  Any other constant of the i32 code must be listed as
width-free (:data:`_WIDTH_FREE`), or the import fails.  A Python that keeps
small ints out of ``co_consts`` (3.14's ``LOAD_SMALL_INT``) gets the twins
compiled from the i32 source with the same swap (:func:`_i64_from_source`).
The templates below are built per width from one definition too.
"""

from __future__ import annotations

from collections.abc import Callable
from math import copysign as _copysign
from math import inf as _inf
from math import sqrt as _sqrt
from types import FunctionType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from wasmrun.errors import (
    TRAP_INTEGER_DIVIDE_BY_ZERO,
    TRAP_INTEGER_OVERFLOW,
    TRAP_INVALID_CONVERSION,
    Trap,
)
from wasmrun.floats import (  # noqa: F401  (re-exported: part of the numeric vocabulary)
    _as_f32,
    _as_f64,
    _as_u32,
    _as_u64,
    cast_f32,
    f32_from_bits,
    f32_to_bits,
    f64_from_bits,
    f64_to_bits,
    round_f32,
)
from wasmrun.instructions import OPCODES

# A NaN an operation makes from operands that are not NaNs (sqrt of a negative, 0/0) where CPython raises
# instead: the host processor's default NaN, as its own arithmetic (inf - inf) and Wasmtime's native code
# give it (negative on x86, positive on ARM). The spec allows either sign; a program printing it shows it.
_nan = _inf - _inf

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF
_TWO32 = 0x100000000
_TWO64 = 0x10000000000000000
_INT32_MAX = 0x7FFFFFFF
_INT64_MAX = 0x7FFFFFFFFFFFFFFF
_TWO52 = 4503599627370496.0  # 2**52: from here on every double is an integer

# ---------------------------------------------------------------------------
# Integers: the i32 functions, and their i64 twins made from them
# ---------------------------------------------------------------------------
# (See the module docstring.)  The i32 functions follow the helpers; the twins are made after the last.

_I64_CONSTANTS: tuple[tuple[int | float, int | float], ...] = (
    # (a constant of the i32 code, the i64 code's)
    (31, 63),
    (32, 64),
    (0x7FFFFFFF, 0x7FFFFFFFFFFFFFFF),
    (0x80000000, 0x8000000000000000),
    (0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF),
    (0x100000000, 0x10000000000000000),
    (-2147483649.0, -9223372036854777856.0),  # the truncation bounds: the nearest doubles whose
    (2147483648.0, 9223372036854775808.0),  # truncation is out of the signed range,
    (4294967296.0, 18446744073709551616.0),  # and of the unsigned range
)
_WIDTH_FREE = (None, 0, 1, 0x80, 0xFF, 0x8000, 0xFFFF, 0.0, -1.0)
"""The other constants the i32 code may hold: they mean the same in the i64 code."""

_I64_OF: dict[tuple[type, Any], Any] = {
    **{(type(value), value): value for value in _WIDTH_FREE},
    **{(type(value), value): twin for value, twin in _I64_CONSTANTS},
}
"""(type, constant of the i32 code) -> the i64 code's (the type keeps 2147483648.0 from 0x80000000, 1.0 from 1)."""

if TYPE_CHECKING:
    _F = TypeVar("_F", bound=Callable[..., Any])


def _i64(function: _F) -> _F:
    """The i64 twin of an i32 function: its code, each constant swapped by :data:`_I64_OF`."""
    name = function.__name__.replace("32", "64")
    if not _SMALL_INTS_ARE_CONSTANTS:
        return cast("_F", _i64_from_source(function, name))
    code = function.__code__
    try:  # a string is the docstring
        consts = tuple([c.replace("i32", "i64") if type(c) is str else _I64_OF[type(c), c] for c in code.co_consts])
    except KeyError as error:
        raise AssertionError(f"{name}: {error.args[0][1]!r} is in neither _I64_CONSTANTS nor _WIDTH_FREE") from None
    twin = FunctionType(code.replace(co_consts=consts, co_name=name, co_qualname=name), function.__globals__, name)
    twin.__annotations__ = function.__annotations__
    return cast("_F", twin)


def _i64_from_source(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    """:func:`_i64` by recompiling the i32 source, its constants swapped (slower: for a Python whose
    code objects keep small ints out of their constants, as 3.14's LOAD_SMALL_INT does)."""
    import ast
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    ast.increment_lineno(tree, function.__code__.co_firstlineno - 1)
    definition = tree.body[0]
    assert isinstance(definition, ast.FunctionDef)
    definition.name = name
    try:
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant):
                value: Any = node.value
                if type(value) is str:
                    node.value = value.replace("i32", "i64")
                elif (type(value), value) in _I64_OF:
                    node.value = _I64_OF[type(value), value]
                else:  # the source writes a negative constant as -(its magnitude)
                    node.value = -_I64_OF[type(value), -value]
    except (KeyError, TypeError):
        raise AssertionError(f"{name}: {value!r} is in neither _I64_CONSTANTS nor _WIDTH_FREE") from None
    namespace: dict[str, Any] = {}
    exec(compile(tree, function.__code__.co_filename, "exec"), function.__globals__, namespace)
    twin: Callable[..., Any] = namespace[name]
    return twin


_SMALL_INTS_ARE_CONSTANTS = 31 in (lambda b: b & 31).__code__.co_consts  # False from Python 3.14 on


def to_signed32(a: int) -> int:
    """The signed value of an i32."""
    return a - 0x100000000 if a > 0x7FFFFFFF else a


def i32_eqz(a: int) -> int:
    return 1 if a == 0 else 0


def i32_eq(a: int, b: int) -> int:
    return 1 if a == b else 0


def i32_ne(a: int, b: int) -> int:
    return 1 if a != b else 0


def i32_lt_s(a: int, b: int) -> int:
    return 1 if (a - 0x100000000 if a > 0x7FFFFFFF else a) < (b - 0x100000000 if b > 0x7FFFFFFF else b) else 0


def i32_lt_u(a: int, b: int) -> int:
    return 1 if a < b else 0


def i32_gt_s(a: int, b: int) -> int:
    return 1 if (a - 0x100000000 if a > 0x7FFFFFFF else a) > (b - 0x100000000 if b > 0x7FFFFFFF else b) else 0


def i32_gt_u(a: int, b: int) -> int:
    return 1 if a > b else 0


def i32_le_s(a: int, b: int) -> int:
    return 1 if (a - 0x100000000 if a > 0x7FFFFFFF else a) <= (b - 0x100000000 if b > 0x7FFFFFFF else b) else 0


def i32_le_u(a: int, b: int) -> int:
    return 1 if a <= b else 0


def i32_ge_s(a: int, b: int) -> int:
    return 1 if (a - 0x100000000 if a > 0x7FFFFFFF else a) >= (b - 0x100000000 if b > 0x7FFFFFFF else b) else 0


def i32_ge_u(a: int, b: int) -> int:
    return 1 if a >= b else 0


def i32_clz(a: int) -> int:
    return 32 - a.bit_length()


def i32_ctz(a: int) -> int:
    # a & -a isolates the lowest set bit.
    return (a & -a).bit_length() - 1 if a else 32


def i32_popcnt(a: int) -> int:
    return a.bit_count()


def i32_add(a: int, b: int) -> int:
    # % rather than &: CPython returns a dividend below the modulus unchanged.
    return (a + b) % 0x100000000


def i32_sub(a: int, b: int) -> int:
    return (a - b) % 0x100000000


def i32_mul(a: int, b: int) -> int:
    return (a * b) & 0xFFFFFFFF


def i32_div_s(a: int, b: int) -> int:
    # Python's // floors; wasm truncates, so divide the magnitudes.
    if b == 0:
        raise Trap(TRAP_INTEGER_DIVIDE_BY_ZERO)
    if a > 0x7FFFFFFF:
        if b > 0x7FFFFFFF:
            if a == 0x80000000 and b == 0xFFFFFFFF:
                raise Trap(TRAP_INTEGER_OVERFLOW)
            return (0x100000000 - a) // (0x100000000 - b)
        return -((0x100000000 - a) // b) & 0xFFFFFFFF
    if b > 0x7FFFFFFF:
        return -(a // (0x100000000 - b)) & 0xFFFFFFFF
    return a // b


def i32_div_u(a: int, b: int) -> int:
    if b == 0:
        raise Trap(TRAP_INTEGER_DIVIDE_BY_ZERO)
    return a // b


def i32_rem_s(a: int, b: int) -> int:
    # The remainder takes the dividend's sign; INT_MIN rem -1 is 0, not a trap.
    if b == 0:
        raise Trap(TRAP_INTEGER_DIVIDE_BY_ZERO)
    if b > 0x7FFFFFFF:
        b = 0x100000000 - b
    if a > 0x7FFFFFFF:
        return -((0x100000000 - a) % b) & 0xFFFFFFFF
    return a % b


def i32_rem_u(a: int, b: int) -> int:
    if b == 0:
        raise Trap(TRAP_INTEGER_DIVIDE_BY_ZERO)
    return a % b


def i32_and(a: int, b: int) -> int:
    return a & b


def i32_or(a: int, b: int) -> int:
    return a | b


def i32_xor(a: int, b: int) -> int:
    return a ^ b


def i32_shl(a: int, b: int) -> int:
    return (a << (b & 31)) & 0xFFFFFFFF


def i32_shr_s(a: int, b: int) -> int:
    return ((a - 0x100000000 if a > 0x7FFFFFFF else a) >> (b & 31)) & 0xFFFFFFFF


def i32_shr_u(a: int, b: int) -> int:
    return a >> (b & 31)


def i32_rotl(a: int, b: int) -> int:
    k = b & 31
    return ((a << k) | (a >> (32 - k))) & 0xFFFFFFFF


def i32_rotr(a: int, b: int) -> int:
    k = b & 31
    return ((a >> k) | (a << (32 - k))) & 0xFFFFFFFF


def i32_extend8_s(a: int) -> int:
    return (((a & 0xFF) ^ 0x80) - 0x80) & 0xFFFFFFFF


def i32_extend16_s(a: int) -> int:
    return (((a & 0xFFFF) ^ 0x8000) - 0x8000) & 0xFFFFFFFF


def _conversion_trap(x: float) -> Trap:
    return Trap(TRAP_INVALID_CONVERSION if x != x else TRAP_INTEGER_OVERFLOW)


# The range tests are on the double value and are exact: the bounds are the nearest doubles whose
# truncation is out of range (below -2**63 the next double is -2**63 - 2048), and every f32 is a
# double of the same value.


def i32_trunc_f64_s(x: float) -> int:
    if -2147483649.0 < x < 2147483648.0:
        return int(x) & 0xFFFFFFFF
    raise _conversion_trap(x)


def i32_trunc_f64_u(x: float) -> int:
    if -1.0 < x < 4294967296.0:
        return int(x)
    raise _conversion_trap(x)


def i32_trunc_sat_f64_s(x: float) -> int:
    if -2147483649.0 < x < 2147483648.0:
        return int(x) & 0xFFFFFFFF
    if x != x:
        return 0
    return 0x7FFFFFFF if x > 0.0 else 0x80000000


def i32_trunc_sat_f64_u(x: float) -> int:
    if -1.0 < x < 4294967296.0:
        return int(x)
    return 0xFFFFFFFF if x > 0.0 else 0  # NaN fails the test: 0


def f64_convert_i32_s(a: int) -> float:
    # int -> float is correctly rounded (ties to even) in CPython: exact for an i32, one rounding for an i64.
    return float(a - 0x100000000 if a > 0x7FFFFFFF else a)


def f64_convert_i32_u(a: int) -> float:
    return float(a)


# The i64 twins.
to_signed64 = _i64(to_signed32)
i64_eqz = _i64(i32_eqz)
i64_eq = _i64(i32_eq)
i64_ne = _i64(i32_ne)
i64_lt_s = _i64(i32_lt_s)
i64_lt_u = _i64(i32_lt_u)
i64_gt_s = _i64(i32_gt_s)
i64_gt_u = _i64(i32_gt_u)
i64_le_s = _i64(i32_le_s)
i64_le_u = _i64(i32_le_u)
i64_ge_s = _i64(i32_ge_s)
i64_ge_u = _i64(i32_ge_u)
i64_clz = _i64(i32_clz)
i64_ctz = _i64(i32_ctz)
i64_popcnt = _i64(i32_popcnt)
i64_add = _i64(i32_add)
i64_sub = _i64(i32_sub)
i64_mul = _i64(i32_mul)
i64_div_s = _i64(i32_div_s)
i64_div_u = _i64(i32_div_u)
i64_rem_s = _i64(i32_rem_s)
i64_rem_u = _i64(i32_rem_u)
i64_and = _i64(i32_and)
i64_or = _i64(i32_or)
i64_xor = _i64(i32_xor)
i64_shl = _i64(i32_shl)
i64_shr_s = _i64(i32_shr_s)
i64_shr_u = _i64(i32_shr_u)
i64_rotl = _i64(i32_rotl)
i64_rotr = _i64(i32_rotr)
i64_extend8_s = _i64(i32_extend8_s)
i64_extend16_s = _i64(i32_extend16_s)
i64_trunc_f64_s = _i64(i32_trunc_f64_s)
i64_trunc_f64_u = _i64(i32_trunc_f64_u)
i64_trunc_sat_f64_s = _i64(i32_trunc_sat_f64_s)
i64_trunc_sat_f64_u = _i64(i32_trunc_sat_f64_u)
f64_convert_i64_s = _i64(f64_convert_i32_s)
f64_convert_i64_u = _i64(f64_convert_i32_u)

# ---------------------------------------------------------------------------
# Integers of one width only
# ---------------------------------------------------------------------------


def i32_wrap_i64(a: int) -> int:
    return a & MASK32


def i64_extend32_s(a: int) -> int:
    return (((a & MASK32) ^ 0x80000000) - 0x80000000) & MASK64


def i64_extend_i32_s(a: int) -> int:
    return a | 0xFFFFFFFF00000000 if a > _INT32_MAX else a


def i64_extend_i32_u(a: int) -> int:
    return a


# ---------------------------------------------------------------------------
# f64 (and, through aliases, the f32 rules that are the same on doubles)
# ---------------------------------------------------------------------------


def f64_eq(a: float, b: float) -> int:
    return 1 if a == b else 0


def f64_ne(a: float, b: float) -> int:
    return 1 if a != b else 0


def f64_lt(a: float, b: float) -> int:
    return 1 if a < b else 0


def f64_gt(a: float, b: float) -> int:
    return 1 if a > b else 0


def f64_le(a: float, b: float) -> int:
    return 1 if a <= b else 0


def f64_ge(a: float, b: float) -> int:
    return 1 if a >= b else 0


def f64_abs(x: float) -> float:
    # fabs clears the sign bit only: NaN payloads (signalling too) survive.
    return abs(x)


def f64_neg(x: float) -> float:
    # Negation flips the sign bit only.
    return -x


def f64_copysign(a: float, b: float) -> float:
    return _copysign(a, b)


def f64_ceil(x: float) -> float:
    if x > 0.0:
        if x < _TWO52:
            r = (x + _TWO52) - _TWO52
            return r + 1.0 if r < x else r
    elif x < 0.0:
        if x > -_TWO52:
            y = -x  # ceil(x) = -floor(-x), and -(+0.0) keeps the zero negative
            r = (y + _TWO52) - _TWO52
            return -(r - 1.0) if r > y else -r
    return x * 1.0  # zeros, integers, infinities; a NaN comes out quiet


def f64_floor(x: float) -> float:
    if x > 0.0:
        if x < _TWO52:
            r = (x + _TWO52) - _TWO52
            return r - 1.0 if r > x else r
    elif x < 0.0:
        if x > -_TWO52:
            y = -x  # floor(x) = -ceil(-x)
            r = (y + _TWO52) - _TWO52
            return -(r + 1.0) if r < y else -r
    return x * 1.0


def f64_trunc(x: float) -> float:
    if x > 0.0:
        if x < _TWO52:
            r = (x + _TWO52) - _TWO52
            return r - 1.0 if r > x else r
    elif x < 0.0:
        if x > -_TWO52:
            y = -x  # trunc(x) = -floor(-x)
            r = (y + _TWO52) - _TWO52
            return -(r - 1.0) if r > y else -r
    return x * 1.0


def f64_nearest(x: float) -> float:
    if x > 0.0:
        if x < _TWO52:
            return (x + _TWO52) - _TWO52
    elif x < 0.0:
        if x > -_TWO52:
            return -((_TWO52 - x) - _TWO52)
    return x * 1.0


def f64_sqrt(x: float) -> float:
    try:
        return _sqrt(x)
    except ValueError:  # a negative number or -inf
        return _nan


def f64_add(a: float, b: float) -> float:
    return a + b


def f64_sub(a: float, b: float) -> float:
    return a - b


def f64_mul(a: float, b: float) -> float:
    return a * b


def _divide_by_zero(a: float, b: float) -> float:
    """``a / b`` for a zero ``b``, which CPython refuses to compute."""
    if a != a:
        return a + b  # the NaN, quietened
    if a == 0.0:
        return _nan
    return _copysign(_inf, a) if _copysign(1.0, b) > 0.0 else -_copysign(_inf, a)


def f64_div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        return _divide_by_zero(a, b)


def f64_min(a: float, b: float) -> float:
    if a < b:
        return a
    if b < a:
        return b
    if a == b:
        # Equal: the same value, or two zeros where -0 is the smaller;
        # -(-a - b) is -0 unless both are +0.
        return a if a else -(-a - b)
    return a + b  # a NaN operand: propagate it, quietened


def f64_max(a: float, b: float) -> float:
    if a > b:
        return a
    if b > a:
        return b
    if a == b:
        return a if a else a + b  # +0 unless both are -0
    return a + b


# ---------------------------------------------------------------------------
# f32: only the operations that round differ from the f64 ones.
# ---------------------------------------------------------------------------

f32_eq = f64_eq
f32_ne = f64_ne
f32_lt = f64_lt
f32_gt = f64_gt
f32_le = f64_le
f32_ge = f64_ge
f32_abs = f64_abs
f32_neg = f64_neg
f32_copysign = f64_copysign
f32_ceil = f64_ceil
f32_floor = f64_floor
f32_trunc = f64_trunc
f32_nearest = f64_nearest
f32_min = f64_min
f32_max = f64_max


def f32_add(a: float, b: float) -> float:
    _as_f32[0] = a + b
    return _as_f32[0]


def f32_sub(a: float, b: float) -> float:
    _as_f32[0] = a - b
    return _as_f32[0]


def f32_mul(a: float, b: float) -> float:
    _as_f32[0] = a * b
    return _as_f32[0]


def f32_div(a: float, b: float) -> float:
    try:
        _as_f32[0] = a / b
    except ZeroDivisionError:
        return _divide_by_zero(a, b)  # an infinity or a NaN: already an f32
    return _as_f32[0]


def f32_sqrt(x: float) -> float:
    try:
        _as_f32[0] = _sqrt(x)
    except ValueError:
        return _nan
    return _as_f32[0]


# ---------------------------------------------------------------------------
# Conversions (the i32/i64 twins are with the integers)
# ---------------------------------------------------------------------------

i32_trunc_f32_s = i32_trunc_f64_s
i32_trunc_f32_u = i32_trunc_f64_u
i64_trunc_f32_s = i64_trunc_f64_s
i64_trunc_f32_u = i64_trunc_f64_u
i32_trunc_sat_f32_s = i32_trunc_sat_f64_s
i32_trunc_sat_f32_u = i32_trunc_sat_f64_u
i64_trunc_sat_f32_s = i64_trunc_sat_f64_s
i64_trunc_sat_f32_u = i64_trunc_sat_f64_u


def f32_convert_i32_s(a: int) -> float:
    # A 32-bit integer is exact as a double, so the cast is the one rounding.
    _as_f32[0] = a - _TWO32 if a > _INT32_MAX else a
    return _as_f32[0]


def f32_convert_i32_u(a: int) -> float:
    _as_f32[0] = a
    return _as_f32[0]


def f32_convert_i64_u(a: int) -> float:
    if a >= 0x20000000000000:  # 2**53: not exact as a double
        # Round to odd at 53 bits (a sticky bit for everything shifted out),
        # so the one rounding to 24 bits below sees every bit that matters.
        shift = a.bit_length() - 53
        m = a >> shift
        if a & ((1 << shift) - 1):
            m |= 1
        a = m << shift
    _as_f32[0] = a
    return _as_f32[0]


def f32_convert_i64_s(a: int) -> float:
    if a > _INT64_MAX:
        return -f32_convert_i64_u(_TWO64 - a)  # round-to-nearest-even is symmetric
    return f32_convert_i64_u(a)


def f32_demote_f64(x: float) -> float:
    # The cast: a NaN comes out quiet (canonical stays canonical), as the spec allows.
    _as_f32[0] = x
    return _as_f32[0]


def f64_promote_f32(x: float) -> float:
    # Same value; only a signalling NaN must become quiet.
    return x * 1.0


i32_reinterpret_f32 = f32_to_bits
i64_reinterpret_f64 = f64_to_bits
f32_reinterpret_i32 = f32_from_bits
f64_reinterpret_i64 = f64_from_bits


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Wide arithmetic: 128-bit results as two i64 halves, low half first
# ---------------------------------------------------------------------------
# Each returns the tuple ``(low, high)``, the two results in stack order.


def i64_add128(a_low: int, a_high: int, b_low: int, b_high: int) -> tuple[int, int]:
    """``(a_high:a_low) + (b_high:b_low)`` modulo 2**128."""
    total = a_low + b_low + ((a_high + b_high) << 64)
    return total & 0xFFFFFFFFFFFFFFFF, (total >> 64) & 0xFFFFFFFFFFFFFFFF


def i64_sub128(a_low: int, a_high: int, b_low: int, b_high: int) -> tuple[int, int]:
    """``(a_high:a_low) - (b_high:b_low)`` modulo 2**128."""
    difference = a_low - b_low + ((a_high - b_high) << 64)
    return difference & 0xFFFFFFFFFFFFFFFF, (difference >> 64) & 0xFFFFFFFFFFFFFFFF


def i64_mul_wide_s(a: int, b: int) -> tuple[int, int]:
    """The full 128-bit product of two signed i64."""
    if a > 0x7FFFFFFFFFFFFFFF:
        a -= 0x10000000000000000
    if b > 0x7FFFFFFFFFFFFFFF:
        b -= 0x10000000000000000
    product = a * b
    return product & 0xFFFFFFFFFFFFFFFF, (product >> 64) & 0xFFFFFFFFFFFFFFFF


def i64_mul_wide_u(a: int, b: int) -> tuple[int, int]:
    """The full 128-bit product of two unsigned i64."""
    product = a * b
    return product & 0xFFFFFFFFFFFFFFFF, product >> 64


NUMERIC_FUNCTIONS: dict[str, Callable[..., Any]] = {
    info.mnemonic: globals()[info.mnemonic.replace(".", "_")]
    for info in OPCODES.values()
    if not info.is_simd and info.is_numeric and info.mnemonic.replace(".", "_") in globals()
}
"""Mnemonic -> function, for every numeric instruction (fixed signature, no immediate) defined above; a row
without one is named by ``tests/project/test_instruction_table.py``."""

TEMPLATE_GLOBALS: dict[str, Any] = {
    "_wn_f32": cast_f32,
    "_wn_copysign": _copysign,
    "_wn_sqrt": _sqrt,
    "_wn_f32_div": f32_div,
    "_wn_f64_div": f64_div,
    "_wn_f32_sqrt": f32_sqrt,
    "_wn_f64_sqrt": f64_sqrt,
}
"""Names the templates refer to; a generated module's globals must include them."""

SIGNED_VIEWS: dict[int, str] = {
    bits: f"({{x}} - {1 << bits} if {{x}} > {(1 << (bits - 1)) - 1} else {{x}})" for bits in (32, 64)
}
"""Bits -> the text the templates use for the signed view of operand ``{x}`` (a generator folds it for constants)."""


def _signed(view: str, name: str) -> str:
    return view.replace("{x}", "{" + name + "}")


def _integer_templates(bits: int) -> dict[str, str]:
    t = f"i{bits}"
    mask = str((1 << bits) - 1)
    modulus = str(1 << bits)
    sa, sb = _signed(SIGNED_VIEWS[bits], "a"), _signed(SIGNED_VIEWS[bits], "b")
    k = f"({{b}} & {bits - 1})"
    return {
        f"{t}.eqz": "({a} == 0)",
        f"{t}.eq": "({a} == {b})",
        f"{t}.ne": "({a} != {b})",
        f"{t}.lt_u": "({a} < {b})",
        f"{t}.gt_u": "({a} > {b})",
        f"{t}.le_u": "({a} <= {b})",
        f"{t}.ge_u": "({a} >= {b})",
        f"{t}.lt_s": f"({sa} < {sb})",
        f"{t}.gt_s": f"({sa} > {sb})",
        f"{t}.le_s": f"({sa} <= {sb})",
        f"{t}.ge_s": f"({sa} >= {sb})",
        f"{t}.clz": f"({bits} - ({{a}}).bit_length())",
        f"{t}.ctz": f"((({{a}}) & -({{a}})).bit_length() - 1 if {{a}} else {bits})",
        f"{t}.popcnt": "({a}).bit_count()",
        f"{t}.add": f"(({{a}} + {{b}}) % {modulus})",
        f"{t}.sub": f"(({{a}} - {{b}}) % {modulus})",
        f"{t}.mul": f"(({{a}} * {{b}}) & {mask})",
        f"{t}.and": "({a} & {b})",
        f"{t}.or": "({a} | {b})",
        f"{t}.xor": "({a} ^ {b})",
        f"{t}.shl": f"(({{a}} << {k}) & {mask})",
        f"{t}.shr_u": f"({{a}} >> {k})",
        f"{t}.shr_s": f"(({sa} >> {k}) & {mask})",
        f"{t}.rotl": f"((({{a}} << {k}) | ({{a}} >> ({bits} - {k}))) & {mask})",
        f"{t}.rotr": f"((({{a}} >> {k}) | ({{a}} << ({bits} - {k}))) & {mask})",
        f"{t}.extend8_s": f"(((({{a}} & 255) ^ 128) - 128) & {mask})",
        f"{t}.extend16_s": f"(((({{a}} & 65535) ^ 32768) - 32768) & {mask})",
    }


_FLOAT_COMPARISONS = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}

NUMERIC_TEMPLATES: dict[str, str] = {
    **_integer_templates(32),
    **_integer_templates(64),
    "i64.extend32_s": "(((({a} & 4294967295) ^ 2147483648) - 2147483648) & 18446744073709551615)",
    "i64.extend_i32_s": "({a} | 18446744069414584320 if {a} > 2147483647 else {a})",
    "i64.extend_i32_u": "{a}",
    "i32.wrap_i64": "({a} & 4294967295)",
    **{f"{t}.{name}": f"({{a}} {op} {{b}})" for t in ("f32", "f64") for name, op in _FLOAT_COMPARISONS.items()},
    "f64.add": "({a} + {b})",
    "f64.sub": "({a} - {b})",
    "f64.mul": "({a} * {b})",
    "f32.add": "_wn_f32({a} + {b})",
    "f32.sub": "_wn_f32({a} - {b})",
    "f32.mul": "_wn_f32({a} * {b})",
    "f32.abs": "abs({a})",
    "f64.abs": "abs({a})",
    "f32.neg": "(-{a})",
    "f64.neg": "(-{a})",
    "f32.copysign": "_wn_copysign({a}, {b})",
    "f64.copysign": "_wn_copysign({a}, {b})",
    "f64.promote_f32": "({a} * 1.0)",
    "f32.demote_f64": "_wn_f32({a})",
    "f32.convert_i32_u": "_wn_f32({a})",
    "f32.convert_i32_s": f"_wn_f32({_signed(SIGNED_VIEWS[32], 'a')})",
    "f64.convert_i32_u": "float({a})",
    "f64.convert_i64_u": "float({a})",
    "f64.convert_i32_s": f"float({_signed(SIGNED_VIEWS[32], 'a')})",
    "f64.convert_i64_s": f"float({_signed(SIGNED_VIEWS[64], 'a')})",
    # The common case inline, the rest (a zero divisor; a negative or NaN operand) in the function.
    "f64.div": "({a} / {b} if {b} else _wn_f64_div({a}, {b}))",
    "f32.div": "(_wn_f32({a} / {b}) if {b} else _wn_f32_div({a}, {b}))",
    "f64.sqrt": "(_wn_sqrt({a}) if {a} >= 0.0 else _wn_f64_sqrt({a}))",
    "f32.sqrt": "(_wn_f32(_wn_sqrt({a})) if {a} >= 0.0 else _wn_f32_sqrt({a}))",
}
"""Mnemonic -> Python expression with ``{a}`` (and ``{b}``) for the operands.

Placeholders must be replaced by *atoms* (a local name, a non-negative int
literal or a parenthesised expression): several templates use an operand more
than once, so an operand with side effects or cost must go to a temporary
first.  Float constants that are not literals (NaN, infinities, -0.0) must be
names.  Comparisons yield a ``bool``.  The names the templates call are in
:data:`TEMPLATE_GLOBALS`.
"""

WRAPPING_TEMPLATES: dict[str, str] = {
    f"i{bits}.{name}": template
    for bits in (32, 64)
    for name, template in {
        "add": "({a} + {b})",
        "sub": "({a} - {b})",
        "mul": "({a} * {b})",
        "and": "({a} & {b})",
        "or": "({a} | {b})",
        "xor": "({a} ^ {b})",
        "shl": f"({{a}} << ({{b}} & {bits - 1}))",
    }.items()
}
"""Mnemonic -> the result *modulo 2**bits only*, for operands that are themselves only right modulo 2**bits.

Wrap-around commutes with ``+ - *``, the bitwise operations and ``<<`` (the
low bits of the result depend only on the low bits of the operands; Python's
ints are infinite two's complement, so this holds for negative intermediate
values too), so a code generator may chain these and reduce once, with
:data:`REDUCE_TEMPLATES`, before any other use (a comparison, a shift right, an
address, a store, a local...).  ``x & c`` with a canonical ``c`` is canonical,
and so are ``x | y`` and ``x ^ y`` of canonical operands.
"""

REDUCE_TEMPLATES: dict[int, tuple[str, str]] = {
    bits: (f"({{x}} % {1 << bits})", f"({{x}} & {(1 << bits) - 1})") for bits in (32, 64)
}
"""Bits -> two ways to make a wrapped value canonical: ``%`` (cheapest when the value is usually in
range already, e.g. after additions) and ``&`` (cheapest for large values, e.g. after products)."""


def _division_templates(bits: int) -> dict[str, str]:
    t = f"i{bits}"
    mask, modulus, limit = (1 << bits) - 1, 1 << bits, (1 << (bits - 1)) - 1
    # A negative dividend (canonical a > limit): divide the magnitudes, as the functions do.
    return {
        f"{t}.div_u": "({a} // {b})",
        f"{t}.rem_u": "({a} % {b})",
        f"{t}.div_s": f"({{a}} // {{b}} if {{a}} <= {limit} else -(({modulus} - {{a}}) // {{b}}) & {mask})",
        f"{t}.rem_s": f"({{a}} % {{b}} if {{a}} <= {limit} else -(({modulus} - {{a}}) % {{b}}) & {mask})",
    }


DIVISION_TEMPLATES: dict[str, str] = {**_division_templates(32), **_division_templates(64)}
"""Mnemonic -> the division or remainder by a divisor that cannot trap, as a template.

Valid only for a *constant* ``{b}`` that is positive as the instruction reads
it: any non-zero value for ``div_u``/``rem_u``, at most 2**(bits-1) - 1 for
``div_s``/``rem_s`` (so neither a zero divisor nor ``INT_MIN / -1`` can
happen).  ``{a}`` must be an atom (the signed forms use it three times).  The
unsigned ones also serve a variable divisor tested first: ``a // b if b else
i32_div_u(a, b)``, the function raising the trap.
"""

RAW_OPERAND_TEMPLATES = frozenset(("i32.wrap_i64",))
"""Templates that give the canonical result even for an operand only right modulo its width."""
