#include <stdio.h>
#include <stdlib.h>
int main(void) {
    long n = 10000000;
    double *data = malloc(n * sizeof(double));
    for (long i = 0; i < n; i++) data[i] = (double)(i % 1000);
    double total = 0.0;
    for (int round = 1; round <= 20; round++) {
        double acc = 0.0;
        for (long i = 0; i < n; i++) {
            double y = data[i] * 1.5;
            if (y > 300.0) acc += y + 1.0;
        }
        total += acc;
    }
    printf("%.1f\n", total);
    return 0;
}
