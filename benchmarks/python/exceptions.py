"""Exceptions as control flow, as programs/exceptions.wat (and exceptions_plain.wat, with an error code)."""


class Bad(Exception):
    def __init__(self, value: int) -> None:
        self.value = value


def parse(i: int) -> int:
    if i % 7 == 0:
        raise Bad(i)
    return i * 3


def bench(n: int) -> int:
    total = 0
    for i in range(n):
        try:
            total += parse(i)
        except Bad as error:
            total += error.value + 1
    return total & 0xFFFFFFFF
