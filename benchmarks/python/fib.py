"""Recursive Fibonacci, as programs/fib.c."""


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def bench(n: int) -> int:
    return fib(n)
