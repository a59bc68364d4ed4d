"""A linear congruential fill then a byte-wise 32-bit FNV-1a hash, as programs/fnv1a.c."""


def bench(n: int) -> int:
    buffer = bytearray(n)
    state = 12345
    for i in range(n):
        state = (state * 1103515245 + 12345) & 0xFFFFFFFF
        buffer[i] = (state >> 16) & 0xFF
    hash_ = 2166136261
    for byte in buffer:
        hash_ = ((hash_ ^ byte) * 16777619) & 0xFFFFFFFF
    return hash_
