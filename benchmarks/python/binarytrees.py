"""Binary trees, as programs/binarytrees.c: nodes are (left, right) tuples, leaves (None, None).

Python's allocator and reference counting play the part of the C version's malloc and free.
"""

from typing import Any

MIN_DEPTH = 4
Node = tuple[Any, Any]  # (left, right): two nodes, or None and None


def bottom_up(depth: int) -> Node:
    if depth > 0:
        depth -= 1
        return (bottom_up(depth), bottom_up(depth))
    return (None, None)


def check(node: Node) -> int:
    left, right = node
    return 1 + check(left) + check(right) if left is not None else 1


def bench(n: int) -> int:
    n = max(MIN_DEPTH, min(n, 20))
    checksum = check(bottom_up(n + 1))
    long_lived = bottom_up(n)
    for depth in range(MIN_DEPTH, n + 1, 2):
        iterations = 1 << (n - depth + MIN_DEPTH)
        nodes = sum(check(bottom_up(depth)) for _ in range(iterations))
        checksum = (checksum * 31 + nodes) & 0xFFFFFFFF
    return (checksum * 31 + check(long_lived)) & 0xFFFFFFFF
