/* Test input for tests/unit/test_dwarf.py and test_backtrace.py: a trap inside two inlined calls.
 * Rebuild in tests/unit/data/ (no libc; wasm-ld directly, so that binaryen's wasm-opt never runs):
 *   clang --target=wasm32-wasi -O2 -g -fdebug-prefix-map=$PWD=. -c inlined.c -o inlined.o
 *   wasm-ld --no-entry --export=run inlined.o -o inlined.wasm
 *   clang --target=wasm32-wasi -O2 -gdwarf-5 -fdebug-prefix-map=$PWD=. -c inlined.c -o inlined.o
 *   wasm-ld --no-entry --export=run inlined.o -o inlined-dwarf5.wasm
 * run(n, 0) divides by zero in divide, inlined into scale, inlined into apply;
 * run(0, 1) reaches unreachable in apply.
 */
static inline __attribute__((always_inline)) int divide(int a, int b) {
    return a / b;
}

static inline __attribute__((always_inline)) int scale(int a, int b) {
    int q = divide(a + 1, b);
    return q * 3;
}

__attribute__((noinline)) int apply(int a, int b) {
    if (a == 0)
        __builtin_trap();
    return scale(a, b) + 7;
}

int run(int a, int b) {
    return apply(a, b) + 1;
}
