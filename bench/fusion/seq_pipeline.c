#include <stdio.h>
int main(void) {
    long n = 300000000, total = 0;
    for (long i = 1; i <= n; i++) {
        long y = i * 3;
        if (y % 2 == 0) total += y;
    }
    printf("%ld\n", total);
    return 0;
}
