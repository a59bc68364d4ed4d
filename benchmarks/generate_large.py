"""The generated half of the ``large`` benchmark: FUNCTION_COUNT distinct functions of C.

``python -m benchmarks.generate_large > benchmarks/programs/large_generated.c`` writes
them (the Makefile does); ``benchmarks/python/large.py`` runs the same functions from
:func:`function_specs`.  Everything comes from one seeded generator of its own (a 64-bit
xorshift*, not :mod:`random`, whose algorithms may change between Python versions), so
the C text, and hence ``large.wasm``, is the same on every run and every machine.

Each function maps a 32-bit value to a 32-bit value in one of four shapes, so that the
module holds the kind of code a compiler makes of real programs:

* ``mix``: a chain of 16 to 40 steps (add, xor, multiply by an odd constant, rotate,
  xor-shift), no two neighbours of the same kind, so that the compiler cannot fold them
  (kinds numbered ADD ... XORSHR);
* ``table``: rounds of lookups in a 16-entry constant table (data segment, loads);
* ``switch``: ``x % cases`` picks one of 8 to 24 multiply-adds (a ``br_table``);
* ``branches``: 8 to 20 tests of a bit, each adding one constant or xoring another.

``run_generated(x, calls)`` calls ``calls`` of them through a function-pointer table
(``call_indirect``), stepping through the table by STRIDE so that the calls spread
over the whole module.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import cache
from typing import NamedTuple

SEED = 0x5EED_1A26_E000_0001
FUNCTION_COUNT = 3000
STRIDE = 7919  # a prime not dividing FUNCTION_COUNT: the calls visit every function
MASK32 = 0xFFFFFFFF
ADD, XOR, MUL, ROTL, XORSHR = range(5)  # the steps of a mix function


class Spec(NamedTuple):
    """One generated function: its shape and the constants of that shape."""

    shape: str  # mix, table, switch, branches
    steps: tuple[tuple[int, ...], ...]  # per shape, see function_text
    extra: int = 0  # table: the rounds


class Generator:
    """xorshift64* (Vigna): small, fast, and fixed forever."""

    def __init__(self, seed: int) -> None:
        self.state = seed & 0xFFFFFFFFFFFFFFFF or 1

    def next32(self) -> int:
        x = self.state
        x ^= x >> 12
        x ^= (x << 25) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 27
        self.state = x
        return ((x * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF) >> 32

    def below(self, bound: int) -> int:
        return self.next32() % bound

    def between(self, low: int, high: int) -> int:
        return low + self.below(high - low + 1)


def _mix_steps(generator: Generator) -> Iterator[tuple[int, int]]:
    previous = -1
    for _ in range(generator.between(16, 40)):
        kind = generator.below(5)
        while kind == previous:
            kind = generator.below(5)
        previous = kind
        if kind in (ROTL, XORSHR):
            yield kind, generator.between(1, 31)
        elif kind == MUL:
            yield kind, generator.next32() | 1
        else:
            yield kind, generator.next32()


@cache
def function_specs() -> tuple[Spec, ...]:
    generator = Generator(SEED)
    specs = []
    for _ in range(FUNCTION_COUNT):
        shape = ("mix", "table", "switch", "branches")[generator.below(4)]
        if shape == "mix":
            specs.append(Spec(shape, tuple(_mix_steps(generator))))
        elif shape == "table":
            table = tuple((generator.next32(),) for _ in range(16))
            specs.append(
                Spec(shape, (*table, (generator.next32() | 1, generator.between(5, 27))), generator.between(3, 8))
            )
        elif shape == "switch":
            cases = generator.between(8, 24)
            specs.append(Spec(shape, tuple((generator.next32() | 1, generator.next32()) for _ in range(cases))))
        else:
            tests = generator.between(8, 20)
            specs.append(
                Spec(shape, tuple((generator.below(32), generator.next32(), generator.next32()) for _ in range(tests)))
            )
    return tuple(specs)


def function_text(index: int, spec: Spec) -> str:
    lines = [f"static uint32_t gen_{index}(uint32_t x) {{"]
    if spec.shape == "mix":
        for kind, value in spec.steps:
            lines.append(
                {
                    ADD: f"    x += {value}u;",
                    XOR: f"    x ^= {value}u;",
                    MUL: f"    x *= {value}u;",
                    ROTL: f"    x = (x << {value}) | (x >> {32 - value});",
                    XORSHR: f"    x ^= x >> {value};",
                }[kind]
            )
    elif spec.shape == "table":
        *table, (multiplier, shift) = spec.steps
        values = ", ".join(f"{value}u" for (value,) in table)
        lines.append(f"    static const uint32_t table[16] = {{{values}}};")
        lines.append(f"    for (int i = 0; i < {spec.extra}; i++) {{")
        lines.append(f"        x = (x ^ table[(x + (uint32_t)i) & 15u]) * {multiplier}u;")
        lines.append(f"        x ^= x >> {shift};")
        lines.append("    }")
    elif spec.shape == "switch":
        lines.append(f"    switch (x % {len(spec.steps)}u) {{")
        for case, (multiplier, addend) in enumerate(spec.steps):
            lines.append(f"    case {case}: x = x * {multiplier}u + {addend}u; break;")
        lines.append("    }")
        lines.append("    x ^= x >> 15;")
    else:
        for bit, addend, xor in spec.steps:
            lines.append(f"    if (x & (1u << {bit})) x += {addend}u; else x ^= {xor}u;")
    lines.append("    return x;")
    lines.append("}")
    return "\n".join(lines)


def c_source() -> str:
    specs = function_specs()
    parts = [
        "/* Generated by benchmarks/generate_large.py: do not edit. */",
        "#include <stdint.h>",
        "",
    ]
    parts.extend(function_text(index, spec) + "\n" for index, spec in enumerate(specs))
    parts.append(f"static uint32_t (*const functions[{len(specs)}])(uint32_t) = {{")
    parts.extend(f"    gen_{index}," for index in range(len(specs)))
    parts.append("};")
    parts.append("")
    parts.append("uint32_t run_generated(uint32_t x, int calls) {")
    parts.append("    for (int i = 0; i < calls; i++)")
    parts.append(f"        x = functions[(uint32_t)i * {STRIDE}u % {len(specs)}u](x ^ (uint32_t)i);")
    parts.append("    return x;")
    parts.append("}")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    sys.stdout.write(c_source())
