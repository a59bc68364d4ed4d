"""ROUNDS sieves of Eratosthenes below n, n-1, ..., folded into an FNV-1a-style hash, as programs/wasi_sieve.c."""

ROUNDS = 12
SIEVE_MAX = 1 << 20
MASK32 = 0xFFFFFFFF


def sieve(n: int) -> int:
    composite = bytearray(max(n, 0))
    count = 0
    for i in range(2, n):
        if composite[i]:
            continue
        count += 1
        for j in range(i + i, n, i):
            composite[j] = 1
    return count


def bench(n: int) -> int:
    n = min(n, SIEVE_MAX)
    value = 2166136261
    for round_ in range(ROUNDS):
        value = ((value ^ sieve(n - round_)) * 16777619) & MASK32
    return value
