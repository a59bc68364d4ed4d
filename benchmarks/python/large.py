"""The work of programs/large.c (the large WASI command) in Python: formatting and parsing,
sorting, time formatting, string handling, then the generated functions of
benchmarks/generate_large.py run from their specs."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from benchmarks.generate_large import ADD, FUNCTION_COUNT, MUL, ROTL, STRIDE, XOR, Spec, function_specs

MASK32 = 0xFFFFFFFF
NAMES = ("alpha", "beta", "gamma", "delta", "eps")


def fnv(hash_: int, data: bytes) -> int:
    for byte in data:
        hash_ = ((hash_ ^ byte) * 16777619) & MASK32
    return hash_


def fnv_u32(hash_: int, value: int) -> int:
    return fnv(hash_, (value & MASK32).to_bytes(4, "little"))


def format_kernel(hash_: int, n: int) -> int:
    for i in range(n):
        v = (i * 7919 % 1000) / 7.0 - 50.0
        fields = (
            i - n // 2,
            (i * 2654435761) & MASK32,
            (i * 31) & MASK32,
            (i * 40503) & MASK32,
            NAMES[i % 5],
            chr(ord("a") + i % 26),
            v,
            v * 1e5,
            v / 3,
            v,
        )
        line = "%d|%5d|%x|%08X|%-6s|%c|%.3f|%e|%g|%.17g" % fields  # noqa: UP031 (the C version's printf format)
        hash_ = fnv(hash_, line.encode())
        first, second, third = line.split("|")[:3]
        for value in (int(first), int(second), int(third, 16)):
            hash_ = fnv_u32(hash_, value)
        hash_ = fnv_u32(hash_, float(line.rsplit("|", 1)[1]) == v)
    return hash_


def sort_kernel(hash_: int, n: int) -> int:
    values = []
    state = 42
    for _ in range(n * 8):
        state = (state * 1664525 + 1013904223) & MASK32
        values.append(state >> 8)
    for value in sorted(values):
        hash_ = fnv_u32(hash_, value)
    return hash_


def time_kernel(hash_: int, n: int) -> int:
    moment = datetime.fromtimestamp(1700000000 + n * 86399, UTC)
    text = moment.strftime("%Y-%m-%d %H:%M:%S %j %w")  # numeric fields only: no locale
    time.time(), time.monotonic()  # called, not hashed, as in the C version
    return fnv(hash_, text.encode())


def string_kernel(hash_: int, n: int) -> int:
    buffer = ""
    for i in range(n):
        word = f"w{(i * 37) & MASK32:x}-"
        if len(buffer) + len(word) >= 200:
            buffer = ""
        buffer += word
        count = buffer.count("-w")
        position = buffer.find(chr(ord("a") + i % 6))
        hash_ = fnv(hash_, buffer.upper().encode())
        head, word_head = buffer[:3], word[:3]
        order = (head > word_head) - (head < word_head)
        parsed = int(word[1:-1], 16)
        hash_ = (hash_ * 31 + count + (position + 1) * 7 + order + 1 + parsed) & MASK32
        buffer = buffer[1:] + buffer[0]
    return hash_


def rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & MASK32


def call_generated(spec: Spec, x: int) -> int:
    if spec.shape == "mix":
        for kind, value in spec.steps:
            if kind == ADD:
                x = (x + value) & MASK32
            elif kind == XOR:
                x ^= value
            elif kind == MUL:
                x = (x * value) & MASK32
            elif kind == ROTL:
                x = rotl(x, value)
            else:  # XORSHR
                x ^= x >> value
    elif spec.shape == "table":
        *table, (multiplier, shift) = spec.steps
        for i in range(spec.extra):
            x = ((x ^ table[(x + i) & 15][0]) * multiplier) & MASK32
            x ^= x >> shift
    elif spec.shape == "switch":
        multiplier, addend = spec.steps[x % len(spec.steps)]
        x = (x * multiplier + addend) & MASK32
        x ^= x >> 15
    else:
        for bit, addend, xor in spec.steps:
            x = (x + addend) & MASK32 if x >> bit & 1 else x ^ xor
    return x


def run_generated(x: int, calls: int) -> int:
    specs = function_specs()
    for i in range(calls):
        x = call_generated(specs[((i * STRIDE) & MASK32) % FUNCTION_COUNT], x ^ i)
    return x


def bench(n: int) -> int:
    n = max(n, 0)
    hash_ = 2166136261
    hash_ = format_kernel(hash_, n)
    hash_ = sort_kernel(hash_, n)
    hash_ = time_kernel(hash_, n)
    hash_ = string_kernel(hash_, n)
    return fnv_u32(hash_, run_generated(hash_, 16 * n))
