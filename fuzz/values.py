"""Values as both engines' results are compared: bit patterns, and what the harness passes in.

A value is an ``int`` for numbers (the bit pattern: f32 and f64 by their IEEE
bits, NaN payloads included; v128 as an unsigned 128-bit int) and a ``str``
for references (``"null"``, or ``"func"``/``"extern"`` for a non-null one, and
for a non-null exnref its exception: its tag and payload, :func:`exception`).

Arguments come from the seed (:func:`arguments`): boundary values of each type
mixed with random bit patterns, NaNs with payloads and signalling NaNs among
them (an engine must pass them through untouched).  Host functions (every
imported function) log their arguments' bits and return values that depend only
on how many host calls came before (:func:`host_results`), so both engines see
the same host behaviour.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Sequence

Value = int | str

BITS = {"i32": 32, "i64": 64, "f32": 32, "f64": 64, "v128": 128}
REFERENCES = ("funcref", "externref", "exnref")
"""The reference types of the feature sets; only null ones are passed in (the hosts make no references)."""
EXCEPTION_DEPTH = 3
"""How many exnrefs deep an exception's payload is described (a payload may hold the exnref of an earlier
exception, which may hold another: a chain as long as the code made it)."""

_INTERESTING: dict[str, tuple[int, ...]] = {
    "i32": (0, 1, 2, 7, 0x10, 0xFF, 0x100, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE),
    "i64": (0, 1, 2, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000, 0x7FFFFFFFFFFFFFFF,
            0x8000000000000000, 0xFFFFFFFFFFFFFFFF),
    "f32": (0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000,
            0x7FA00001, 0x7FC12345, 0x00000001, 0x007FFFFF, 0x7F7FFFFF, 0x4F000000, 0xCF000000, 0x5F000000,
            0x3F000000, 0x4B000001),
    "f64": (0x0000000000000000, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000, 0x7FF0000000000000,
            0xFFF0000000000000, 0x7FF8000000000000, 0xFFF8000000000000, 0x7FF4000000000001, 0x7FF8000000012345,
            0x0000000000000001, 0x7FEFFFFFFFFFFFFF, 0x41E0000000000000, 0xC1E0000000000000, 0x43E0000000000000,
            0x3FE0000000000000),
    "v128": (0, (1 << 128) - 1, 0x80000000_80000000_80000000_80000000, 0x7FC00000_3F800000_00000000_FFFFFFFF),
}  # fmt: skip


def argument(valtype: str, rng: random.Random) -> Value:
    """One argument of ``valtype``: a boundary value, a small number or random bits."""
    if valtype in REFERENCES:
        return "null"
    bits = BITS[valtype]
    choice = rng.random()
    if choice < 0.45:
        return rng.choice(_INTERESTING[valtype])
    if choice < 0.7 and valtype in ("i32", "i64"):
        return rng.randrange(0, 70000)  # small numbers: loop counts, addresses in a small memory
    if choice < 0.7 and valtype in ("f32", "f64"):
        return float_bits(valtype, rng.choice((0.5, 1.5, -2.0, 100.0, 3.25, 1e-3, 65536.0, -1e10)))
    return rng.getrandbits(bits)


def arguments(params: tuple[str, ...], seed: int, export: str, round_: int) -> tuple[Value, ...]:
    rng = random.Random(f"args:{seed}:{export}:{round_}")
    return tuple(argument(valtype, rng) for valtype in params)


def float_bits(valtype: str, number: float) -> int:
    if valtype == "f32":
        return int(struct.unpack("<I", struct.pack("<f", number))[0])
    return int(struct.unpack("<Q", struct.pack("<d", number))[0])


def is_nan(valtype: str, bits: int) -> bool:
    if valtype == "f32":
        return bits & 0x7F800000 == 0x7F800000 and bits & 0x007FFFFF != 0
    if valtype == "f64":
        return bits & 0x7FF0000000000000 == 0x7FF0000000000000 and bits & 0x000FFFFFFFFFFFFF != 0
    return False


def host_results(results: tuple[str, ...], call_number: int) -> tuple[Value, ...]:
    """What the ``call_number``-th host call (from 1) of an instance returns."""
    values: list[Value] = []
    for valtype in results:
        if valtype == "i32":
            values.append(call_number & 0xFFFFFFFF)
        elif valtype == "i64":
            values.append((call_number * 0x100000001) & 0xFFFFFFFFFFFFFFFF)
        elif valtype in ("f32", "f64"):
            values.append(float_bits(valtype, call_number + 0.5))
        elif valtype == "v128":
            values.append(call_number)
        else:
            values.append("null")
    return tuple(values)


def global_initial(valtype: str, position: int) -> Value:
    """The value of the ``position``-th imported global (both engines provide the same)."""
    if valtype in REFERENCES:
        return "null"
    if valtype in ("f32", "f64"):
        return float_bits(valtype, (position + 1) * 1.5)
    return (0x11111111 * (position + 1)) & ((1 << BITS[valtype]) - 1)


def show(value: Value) -> str:
    return value if isinstance(value, str) else f"0x{value:x}"


def exception(tag: str, payload: Sequence[Value] | None) -> str:
    """A non-null exnref as compared: its tag (how the harness can name it: ``import #i m::n``, ``export
    name``, or ``tag ?`` for one neither imported nor exported yet) and its payload (None: too deep to show)."""
    shown = "..." if payload is None else ", ".join(show(value) for value in payload)
    return f"exn {tag} ({shown})"
