"""IEEE-754 bit patterns of the engine's float values, one place.

At run time an f64 is a Python float and an f32 is a Python float exactly
representable in binary32.  An f32 NaN with payload ``m`` is held as the double
NaN with the same sign and payload ``m << 29``, so that a signalling NaN stays
signalling: CPython's ``struct`` ``'f'`` format (a C float-to-double conversion)
would quieten it.  The conversions go through one shared scratch buffer viewed
as float and as integer, the cheapest cast CPython offers (safe under the GIL:
no thread switch can happen inside these functions).
"""

from __future__ import annotations

# The scratch buffer behind the casts (see the module docstring).  Index 0 of
# each view covers the same bytes; the byte order is the machine's for both
# the float and the integer view, so the bits line up on every IEEE platform.
_scratch = bytearray(8)
_as_f32 = memoryview(_scratch).cast("f")
_as_u32 = memoryview(_scratch).cast("I")
_as_f64 = memoryview(_scratch).cast("d")
_as_u64 = memoryview(_scratch).cast("Q")


def f64_from_bits(bits: int) -> float:
    """The f64 with these 64 bits (NaN payloads kept)."""
    _as_u64[0] = bits
    return _as_f64[0]


def f64_to_bits(x: float) -> int:
    """The 64 bits of an f64 (NaN payloads kept)."""
    _as_f64[0] = x
    return _as_u64[0]


def f32_from_bits(bits: int) -> float:
    """The f32 with these 32 bits, in the f32 representation (NaN payloads kept)."""
    _as_u32[0] = bits
    x: float = _as_f32[0]
    if x != x:
        # The widening quietened a signalling NaN: rebuild the double by hand.
        _as_u64[0] = ((bits & 0x80000000) << 32) | 0x7FF0000000000000 | ((bits & 0x7FFFFF) << 29)
        return _as_f64[0]
    return x


def f32_to_bits(x: float) -> int:
    """The 32 bits of an f32 held in the f32 representation (NaN payloads kept)."""
    if x != x:
        _as_f64[0] = x
        d = _as_u64[0]
        # A NaN must keep a non-zero payload; only a double outside the f32
        # representation could lose it, and it becomes the quiet NaN then.
        return ((d >> 32) & 0x80000000) | 0x7F800000 | ((d >> 29) & 0x7FFFFF or 0x400000)
    _as_f32[0] = x
    return _as_u32[0]


def cast_f32(x: float) -> float:
    """Round a double to f32 like a C cast: ties to even, overflow to infinity.

    A NaN comes out quiet with its payload truncated to the f32's 23 bits,
    which is right for the result of an arithmetic operation; use
    :func:`round_f32` where a signalling NaN must survive.
    """
    _as_f32[0] = x
    return _as_f32[0]


def round_f32(x: float) -> float:
    """Round a double to the nearest f32 (ties to even, overflow to infinity).

    A NaN keeps its sign, its quiet bit and the top 23 bits of its payload.
    """
    _as_f32[0] = x
    y: float = _as_f32[0]
    if y != y:
        return f32_from_bits(f32_to_bits(x))
    return y
