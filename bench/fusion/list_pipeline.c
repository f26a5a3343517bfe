#include <stdio.h>
int main(void) {
    long total = 0;
    for (int round = 1; round <= 20; round++)
        for (long i = 1; i <= 10000000; i++) {
            long y = i % 7;
            if (y > 2) total += y;
        }
    printf("%ld\n", total);
    return 0;
}
