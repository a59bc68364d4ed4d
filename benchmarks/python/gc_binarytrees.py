"""Binary trees with objects, as programs/gc_binarytrees.wat: a node is an instance of a class of two
slots (a struct of two references), a leaf's both None; Python's collector frees the trees.

The checksum is binarytrees' (the same algorithm, python/binarytrees.py with tuples).
"""

from __future__ import annotations

from typing import Any

MIN_DEPTH = 4


class Node:
    __slots__ = ("left", "right")

    def __init__(self, left: Any, right: Any) -> None:  # two nodes, or None and None
        self.left = left
        self.right = right


def bottom_up(depth: int) -> Node:
    if depth > 0:
        depth -= 1
        return Node(bottom_up(depth), bottom_up(depth))
    return Node(None, None)


def check(node: Node) -> int:
    left = node.left
    return 1 + check(left) + check(node.right) if left is not None else 1


def bench(n: int) -> int:
    n = max(MIN_DEPTH, min(n, 20))
    checksum = check(bottom_up(n + 1))
    long_lived = bottom_up(n)
    for depth in range(MIN_DEPTH, n + 1, 2):
        iterations = 1 << (n - depth + MIN_DEPTH)
        nodes = sum(check(bottom_up(depth)) for _ in range(iterations))
        checksum = (checksum * 31 + nodes) & 0xFFFFFFFF
    return (checksum * 31 + check(long_lived)) & 0xFFFFFFFF
