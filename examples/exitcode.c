/*
 * exitcode: exits with the status given as its first argument (default 0), through exit(), which
 * WASI turns into proc_exit(N).  wasmrun examples/exitcode.wasm 7; echo $?   # prints 7
 */
#include <stdlib.h>

int main(int argc, char **argv) {
    int status = argc > 1 ? atoi(argv[1]) : 0;
    exit(status);
}
