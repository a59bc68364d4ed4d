"""Sieve of Eratosthenes over a byte array, as programs/sieve.c: the number of primes below n."""


def bench(n: int) -> int:
    composite = bytearray(n)
    count = 0
    for i in range(2, n):
        if composite[i]:
            continue
        count += 1
        for j in range(i + i, n, i):
            composite[j] = 1
    return count
