/* Recursive Fibonacci: calls, compares and adds; no memory. bench(n) = fib(n). */

static int fib(int n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int bench(int n) {
    return fib(n);
}
