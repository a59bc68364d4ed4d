/*
 * divz: averages the first N cells of a row of numbers, three calls deep
 * (report -> average_row -> divide_cells). N is argv[1] and defaults to 0, so
 *
 *     wasmrun examples/divz.wasm        # N = 0: integer divide by zero, a trap (exit status 134)
 *     wasmrun examples/divz.wasm 4      # prints "average of 4 cells: 25"
 *
 * It exists to show trap backtraces: divz.wasm has a name section but no DWARF, divz-debug.wasm
 * the same code with DWARF, so each frame also shows its source line.
 *
 * Integer division by zero is undefined behaviour in C; on wasm32 clang emits i32.div_s, which
 * traps. The functions are noinline and N comes from the command line, so the compiler can neither
 * inline the frames away nor fold the division (checked with wasm-objdump -d).
 */
#include <stdio.h>
#include <stdlib.h>

static const int row[8] = {10, 20, 30, 40, 50, 60, 70, 80};

__attribute__((noinline)) int divide_cells(int total, int count) {
    return total / count;
}

__attribute__((noinline)) int average_row(const int *cells, int count) {
    int total = 0;
    for (int i = 0; i < count && i < 8; i++)
        total += cells[i];
    return divide_cells(total, count);
}

__attribute__((noinline)) void report(int count) {
    int average = average_row(row, count);
    printf("average of %d cells: %d\n", count, average);
}

int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 0;
    report(count);
    return 0;
}
