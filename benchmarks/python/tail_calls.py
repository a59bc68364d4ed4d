"""Collatz step counts, as programs/tail_calls.wat (Python has no tail calls: a loop, as tail_calls_plain)."""


def steps(x: int) -> int:
    count = 0
    while x > 1:
        count += 1
        x = x * 3 + 1 if x & 1 else x >> 1
    return count


def bench(n: int) -> int:
    return sum(steps(k) for k in range(1, n + 1)) & 0xFFFFFFFF
