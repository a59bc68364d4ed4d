/* A large WASI command for start-up cost: a big slice of wasi-libc (the printf and scanf
   families, strtod, strtol, malloc, qsort, gmtime and strftime, string functions) plus
   the generated functions of large_generated.c (benchmarks/generate_large.py), about
   1 MB of wasm in all. The work is small and scales with n (argv[1], default 1):

   - format: n lines of integers, hex, strings and doubles with snprintf; each is
     hashed, its first fields read back with sscanf and its last double with strtod;
   - sort: 8n pseudo-random numbers in malloc'ed memory, sorted with qsort;
   - time: gmtime_r and strftime of a fixed instant that moves with n;
   - strings: n rounds of strcat, strstr, strchr, strncmp, toupper, strtol, memmove;
   - generated: 16n calls through the table of generated functions.

   Prints "result <u32>", an FNV-1a-style checksum of all of it, and exits 0. The same
   computation in Python is benchmarks/python/large.py. */

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint32_t run_generated(uint32_t x, int calls);

static uint32_t fnv(uint32_t hash, const void *data, size_t size) {
    const unsigned char *bytes = data;
    for (size_t i = 0; i < size; i++) hash = (hash ^ bytes[i]) * 16777619u;
    return hash;
}

static uint32_t fnv_u32(uint32_t hash, uint32_t value) {
    unsigned char bytes[4] = {value, value >> 8, value >> 16, value >> 24};
    return fnv(hash, bytes, 4);
}

static const char *const names[] = {"alpha", "beta", "gamma", "delta", "eps"};

static uint32_t format_kernel(uint32_t hash, int n) {
    char line[256];
    for (int i = 0; i < n; i++) {
        double v = (i * 7919 % 1000) / 7.0 - 50.0;
        int length = snprintf(line, sizeof line, "%d|%5u|%x|%08X|%-6s|%c|%.3f|%e|%g|%.17g", i - n / 2,
                              (unsigned)i * 2654435761u, (unsigned)i * 31u, (unsigned)i * 40503u, names[i % 5],
                              'a' + i % 26, v, v * 1e5, v / 3, v);
        hash = fnv(hash, line, (size_t)length);
        int first = 0;
        unsigned second = 0, third = 0;
        if (sscanf(line, "%d|%u|%x", &first, &second, &third) == 3)
            hash = fnv_u32(fnv_u32(fnv_u32(hash, (uint32_t)first), second), third);
        double back = strtod(strrchr(line, '|') + 1, NULL);
        hash = fnv_u32(hash, back == v);
    }
    return hash;
}

static int compare(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static uint32_t sort_kernel(uint32_t hash, int n) {
    size_t count = (size_t)n * 8;
    uint32_t *values = malloc(count * sizeof *values);
    if (!values) return hash;
    uint32_t state = 42;
    for (size_t i = 0; i < count; i++) {
        state = state * 1664525u + 1013904223u;
        values[i] = state >> 8;
    }
    qsort(values, count, sizeof *values, compare);
    for (size_t i = 0; i < count; i++) hash = fnv_u32(hash, values[i]);
    free(values);
    return hash;
}

static uint32_t time_kernel(uint32_t hash, int n) {
    char text[64];
    time_t t = (time_t)1700000000 + (time_t)n * 86399;
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t length = strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %j %w", &tm);
    /* Linked and called, not hashed: the clocks differ between runs. */
    struct timespec now;
    (void)time(NULL);
    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    return fnv(hash, text, length);
}

static uint32_t string_kernel(uint32_t hash, int n) {
    char buffer[256] = "", word[32], upper[256];
    for (int i = 0; i < n; i++) {
        snprintf(word, sizeof word, "w%x-", (unsigned)i * 37u);
        if (strlen(buffer) + strlen(word) >= 200) buffer[0] = 0;
        strcat(buffer, word);
        int count = 0;
        for (const char *p = strstr(buffer, "-w"); p; p = strstr(p + 1, "-w")) count++;
        const char *found = strchr(buffer, 'a' + i % 6);
        int position = found ? (int)(found - buffer) : -1;
        size_t length = strlen(buffer);
        for (size_t j = 0; j <= length; j++) upper[j] = (char)toupper((unsigned char)buffer[j]);
        hash = fnv(hash, upper, length);
        int order = strncmp(buffer, word, 3);
        order = (order > 0) - (order < 0);
        long parsed = strtol(word + 1, NULL, 16);
        hash = hash * 31u + (uint32_t)count + (uint32_t)(position + 1) * 7u + (uint32_t)(order + 1) + (uint32_t)parsed;
        /* Rotate the buffer left by one character. */
        char first = buffer[0];
        memmove(buffer, buffer + 1, length - 1);
        buffer[length - 1] = first;
    }
    return hash;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1;
    if (n < 0) n = 0;
    uint32_t hash = 2166136261u;
    hash = format_kernel(hash, n);
    hash = sort_kernel(hash, n);
    hash = time_kernel(hash, n);
    hash = string_kernel(hash, n);
    hash = fnv_u32(hash, run_generated(hash, 16 * n));
    printf("result %u\n", (unsigned)hash);
    return 0;
}
