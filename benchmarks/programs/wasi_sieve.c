/* A WASI command doing a real algorithm, for the cost of running it as a component: ROUNDS sieves
   of Eratosthenes over a static byte array, below n, n-1, ..., n-ROUNDS+1, each round's prime
   count folded into an FNV-1a-style hash. n is argv[1] (at most SIEVE_MAX); prints `result <u32>`.
   Built once as a core module (wasi_sieve.wasm) and once adapted to a WASI 0.2 component
   (wasi_sieve_component.wasm). No malloc: with Debian's wasi-libc a large heap would overwrite the
   adapter's state (see the adapter's caveat in the shared components README). */

#include <stdio.h>
#include <stdlib.h>

#define SIEVE_MAX (1 << 20)
#define ROUNDS 12

static unsigned char composite[SIEVE_MAX];

static unsigned sieve(int n) {
    for (int i = 0; i < n; i++) composite[i] = 0;
    unsigned count = 0;
    for (int i = 2; i < n; i++) {
        if (composite[i]) continue;
        count++;
        for (int j = i + i; j < n; j += i) composite[j] = 1;
    }
    return count;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s N\n", argc > 0 ? argv[0] : "wasi_sieve");
        return 2;
    }
    int n = atoi(argv[1]);
    if (n > SIEVE_MAX) n = SIEVE_MAX;
    unsigned hash = 2166136261u;
    for (int round = 0; round < ROUNDS; round++) {
        hash ^= sieve(n - round);
        hash *= 16777619u;
    }
    printf("result %u\n", hash);
    return 0;
}
