/* Mandelbrot set on an n x n grid over [-2, 0.5] x [-1.25, 1.25], at most 50 iterations
   per point: f64 multiplies, adds and compares. bench(n) = the number of points that
   never escape. */

#define MAX_ITERATIONS 50

int bench(int n) {
    int inside = 0;
    for (int y = 0; y < n; y++) {
        double ci = -1.25 + 2.5 * y / n;
        for (int x = 0; x < n; x++) {
            double cr = -2.0 + 2.5 * x / n;
            double zr = 0.0, zi = 0.0;
            int i = 0;
            while (i < MAX_ITERATIONS && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                i++;
            }
            if (i == MAX_ITERATIONS) inside++;
        }
    }
    return inside;
}
