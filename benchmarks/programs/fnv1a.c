/* Fill a buffer with a linear congruential sequence, then hash it byte by byte with
   32-bit FNV-1a: 32-bit multiplies that wrap, byte stores and loads.
   bench(n) = the hash of n bytes (n at most BUFFER_MAX). */

#define BUFFER_MAX (1 << 20)

static unsigned char buffer[BUFFER_MAX];

unsigned bench(int n) {
    if (n > BUFFER_MAX) n = BUFFER_MAX;
    unsigned state = 12345;
    for (int i = 0; i < n; i++) {
        state = state * 1103515245u + 12345u;
        buffer[i] = (unsigned char)(state >> 16);
    }
    unsigned hash = 2166136261u;
    for (int i = 0; i < n; i++) {
        hash ^= buffer[i];
        hash *= 16777619u;
    }
    return hash;
}
