"""Integer matrix multiply with a 32-bit checksum, as programs/matmul.c (matrices as lists of rows)."""


def fill(n: int, state: int) -> tuple[list[list[int]], int]:
    values = []
    for _ in range(n * n):
        state = (state * 1103515245 + 12345) & 0xFFFFFFFF
        values.append(((state >> 16) & 1023) - 512)
    return [values[i * n : (i + 1) * n] for i in range(n)], state


def bench(n: int) -> int:
    n = max(0, min(n, 128))
    a, state = fill(n, 1)
    b, _ = fill(n, state)
    columns = list(zip(*b))
    check = 0
    for row in a:
        for column in columns:
            check = (check * 31 + sum(x * y for x, y in zip(row, column))) & 0xFFFFFFFF
    return check
