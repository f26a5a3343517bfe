#include <stdint.h>
#include <stdio.h>
int main(void) {
    uint64_t x = 1;
    for (int i = 500000000; i != 0; i--) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    printf("%llu\n", (unsigned long long)x);
    return 0;
}
