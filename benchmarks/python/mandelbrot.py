"""Mandelbrot set on an n x n grid, as programs/mandelbrot.c: the points that never escape."""

MAX_ITERATIONS = 50


def bench(n: int) -> int:
    inside = 0
    for y in range(n):
        ci = -1.25 + 2.5 * y / n
        for x in range(n):
            cr = -2.0 + 2.5 * x / n
            zr = zi = 0.0
            i = 0
            while i < MAX_ITERATIONS and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                i += 1
            if i == MAX_ITERATIONS:
                inside += 1
    return inside
