"""CoreMark-style mixed integer work, as programs/coremark_style.c: list, matrix, state machine, CRC-16."""

from __future__ import annotations

import itertools

LIST_SIZE = 64
MATRIX_N = 12
TEXT_SIZE = 256
MASK32 = 0xFFFFFFFF


def crc16(crc: int, value: int, size: int) -> int:
    for _ in range(size):
        crc ^= value & 0xFF
        value >>= 8
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


class Random:
    """The C version's linear congruential generator."""

    def __init__(self, seed: int) -> None:
        self.state = seed

    def next(self) -> int:
        self.state = (self.state * 1664525 + 1013904223) & MASK32
        return self.state >> 8


# -- list -------------------------------------------------------------------------------


class Item:
    __slots__ = ("index", "next", "value")

    def __init__(self, value: int, index: int) -> None:
        self.value = value
        self.index = index
        self.next: Item | None = None


def merge(a: Item | None, b: Item | None) -> Item | None:
    head = tail = Item(0, 0)
    while a and b:
        if a.value < b.value or (a.value == b.value and a.index <= b.index):
            tail.next, a = a, a.next
        else:
            tail.next, b = b, b.next
        tail = tail.next
    tail.next = a or b
    return head.next


def sort(items: Item | None) -> Item | None:
    if items is None or items.next is None:
        return items
    slow: Item = items
    fast: Item | None = items.next
    while fast and fast.next:
        slow, fast = slow.next, fast.next.next  # type: ignore[assignment]  # slow trails fast: never None
    second, slow.next = slow.next, None
    return merge(sort(items), sort(second))


def list_kernel(seed: int, crc: int) -> int:
    random = Random(seed)
    pool = [Item(random.next() % 1000 - 500, i) for i in range(LIST_SIZE)]
    for item, following in itertools.pairwise(pool):
        item.next = following
    items = sort(pool[0])
    for threshold in range(-400, 401, 200):
        position, p = 0, items
        while p and p.value <= threshold:
            p, position = p.next, position + 1
        crc = crc16(crc, position, 2)
    reversed_ = None
    while items:
        items.next, reversed_, items = reversed_, items, items.next
    total, sign, p = 0, 1, reversed_
    while p:
        total += sign * p.value * (p.index + 1)
        sign, p = -sign, p.next
    return crc16(crc, total & MASK32, 4)


# -- matrix -----------------------------------------------------------------------------


def matrix_kernel(seed: int, crc: int) -> int:
    random = Random(seed)
    a, b = [], []
    for _ in range(MATRIX_N * MATRIX_N):
        a.append((random.next() & 0xFFF) - 0x800)
        b.append(random.next() & 0xFF)
    constant = seed & 0x3F
    rows = [[value + constant for value in a[i * MATRIX_N : (i + 1) * MATRIX_N]] for i in range(MATRIX_N)]
    columns = [b[j::MATRIX_N] for j in range(MATRIX_N)]
    vector = b[:MATRIX_N]
    products = [sum(x * y for x, y in zip(row, vector)) for row in rows]
    matrix = [sum(x * y for x, y in zip(row, column)) for row in rows for column in columns]
    bits = sum(((value & MASK32) >> 3) & 0x7F for value in matrix)
    for value in products:
        bits ^= value & MASK32
    return crc16(crc, bits & MASK32, 4)


# -- state machine ----------------------------------------------------------------------

START, SIGN, INTEGER, POINT, DECIMAL, EXPONENT, EXPONENT_SIGN, SCIENTIFIC, INVALID = range(9)
DIGITS = frozenset("0123456789")


def make_text(seed: int) -> str:
    alphabet = "0123456789+-.eE,x"
    random = Random(seed)
    characters = []
    for _ in range(TEXT_SIZE - 1):
        r = random.next() % 40
        characters.append(alphabet[r % 10] if r < 20 else "," if r < 28 else alphabet[10 + r % 7])
    return "".join(characters)


def step(state: int, c: str) -> int:
    digit = c in DIGITS
    if state == START:
        return INTEGER if digit else SIGN if c in "+-" else POINT if c == "." else INVALID
    if state == SIGN:
        return INTEGER if digit else POINT if c == "." else INVALID
    if state == INTEGER:
        return INTEGER if digit else DECIMAL if c == "." else EXPONENT if c in "eE" else INVALID
    if state == POINT:
        return DECIMAL if digit else INVALID
    if state == DECIMAL:
        return DECIMAL if digit else EXPONENT if c in "eE" else INVALID
    if state == EXPONENT:
        return SCIENTIFIC if digit else EXPONENT_SIGN if c in "+-" else INVALID
    if state in (EXPONENT_SIGN, SCIENTIFIC):
        return SCIENTIFIC if digit else INVALID
    return INVALID


def state_kernel(seed: int, crc: int) -> int:
    finals = [0] * 9
    transitions = 0
    for token in make_text(seed).split(","):
        state = START
        for c in token:
            following = step(state, c)
            transitions += following != state
            state = following
        finals[state] += 1
    for count in finals:
        crc = crc16(crc, count, 2)
    return crc16(crc, transitions, 2)


def bench(n: int) -> int:
    crc = 0
    for i in range(n):
        seed = (i * 2654435761 + 1) & MASK32
        crc = list_kernel(seed, crc)
        crc = matrix_kernel(seed ^ 0x5A5A5A5A, crc)
        crc = state_kernel((seed + 0x3C3C3C3C) & MASK32, crc)
    return crc
