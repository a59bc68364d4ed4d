/* Sieve of Eratosthenes over a byte array in linear memory: byte loads, stores and
   loops. bench(n) = the number of primes below n (n at most SIEVE_MAX). */

#define SIEVE_MAX (1 << 20)

static unsigned char composite[SIEVE_MAX];

int bench(int n) {
    if (n > SIEVE_MAX) n = SIEVE_MAX;
    for (int i = 0; i < n; i++) composite[i] = 0;
    int count = 0;
    for (int i = 2; i < n; i++) {
        if (composite[i]) continue;
        count++;
        for (int j = i + i; j < n; j += i) composite[j] = 1;
    }
    return count;
}
