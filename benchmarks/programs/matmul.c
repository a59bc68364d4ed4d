/* Integer matrix multiply: fill two n x n matrices of small signed ints from a linear
   congruential sequence, multiply them (the i-j-k triple loop) and fold the product into a
   32-bit checksum. i32 loads, multiplies and adds in a tight inner loop.
   bench(n) = the checksum (n at most MATRIX_MAX). */

#define MATRIX_MAX 128

static int a[MATRIX_MAX * MATRIX_MAX];
static int b[MATRIX_MAX * MATRIX_MAX];
static int c[MATRIX_MAX * MATRIX_MAX];

static unsigned fill(int *matrix, int count, unsigned state) {
    for (int i = 0; i < count; i++) {
        state = state * 1103515245u + 12345u;
        matrix[i] = (int)((state >> 16) & 1023) - 512;
    }
    return state;
}

unsigned bench(int n) {
    if (n > MATRIX_MAX) n = MATRIX_MAX;
    if (n < 0) n = 0;
    unsigned state = fill(a, n * n, 1);
    fill(b, n * n, state);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            int sum = 0;
            for (int k = 0; k < n; k++) sum += a[i * n + k] * b[k * n + j];
            c[i * n + j] = sum;
        }
    }
    unsigned check = 0;
    for (int i = 0; i < n * n; i++) check = check * 31u + (unsigned)c[i];
    return check;
}
