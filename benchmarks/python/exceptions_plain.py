"""programs/exceptions_plain.wat: exceptions.py's algorithm with an error code."""


def bench(n: int) -> int:
    total = 0
    for i in range(n):
        if i % 7 == 0:
            total += i + 1
        else:
            total += i * 3
    return total & 0xFFFFFFFF
