/* mandelbrot benchmark kernel (C): render the Mandelbrot set as a PBM (P4) bitmap, see SPEC.md. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 16000;
    int row_bytes = (n + 7) / 8;
    unsigned char *row = malloc(row_bytes > 0 ? row_bytes : 1);

    printf("P4\n%d %d\n", n, n);
    for (int y = 0; y < n; y++) {
        double ci = 2.0 * (double)y / (double)n - 1.0;
        unsigned int bits = 0;
        int idx = 0;
        for (int x = 0; x < n; x++) {
            double cr = 2.0 * (double)x / (double)n - 1.5;
            double zr = 0.0, zi = 0.0, tr = 0.0, ti = 0.0;
            for (int i = 0; i < 50 && tr + ti <= 4.0; i++) {
                zi = 2.0 * zr * zi + ci;
                zr = tr - ti + cr;
                tr = zr * zr;
                ti = zi * zi;
            }
            bits = (bits << 1) | (tr + ti <= 4.0 ? 1u : 0u);
            if (x % 8 == 7) {
                row[idx++] = (unsigned char)bits;
                bits = 0;
            }
        }
        if (n % 8 != 0)
            row[idx++] = (unsigned char)(bits << (8 - n % 8));
        fwrite(row, 1, row_bytes, stdout);
    }
    free(row);
    return 0;
}
