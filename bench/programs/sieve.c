#include <stdio.h>
#include <stdlib.h>
int main(void) {
    int n = 10000000, count = 0;
    unsigned char *composite = calloc(n + 1, 1);
    for (int i = 2; i <= n; i++) {
        if (!composite[i]) {
            count++;
            if (i <= n / i)
                for (int j = i * i; j <= n; j += i) composite[j] = 1;
        }
    }
    printf("%d\n", count);
    return 0;
}
