/* fannkuch benchmark kernel (C): pancake flips over all permutations of 0..N-1, see SPEC.md. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 12;
    if (n < 1) {
        fprintf(stderr, "N must be at least 1\n");
        return 1;
    }
    int *perm1 = malloc(n * sizeof(int));
    int *perm = malloc(n * sizeof(int));
    int *count = malloc(n * sizeof(int));
    for (int i = 0; i < n; i++) {
        perm1[i] = i;
        count[i] = i + 1;
    }

    long checksum = 0;
    int max_flips = 0;
    long index = 0;

    for (;;) {
        /* Count the flips of this permutation on a copy. */
        for (int i = 0; i < n; i++)
            perm[i] = perm1[i];
        int flips = 0;
        while (perm[0] != 0) {
            int k = perm[0];
            for (int lo = 0, hi = k; lo < hi; lo++, hi--) {
                int t = perm[lo];
                perm[lo] = perm[hi];
                perm[hi] = t;
            }
            flips++;
        }
        if (flips > max_flips)
            max_flips = flips;
        checksum += (index % 2 == 0) ? flips : -flips;
        index++;

        /* Next permutation. */
        int r = 1;
        for (;;) {
            if (r == n) {
                printf("%ld\nPfannkuchen(%d) = %d\n", checksum, n, max_flips);
                free(perm1);
                free(perm);
                free(count);
                return 0;
            }
            int perm0 = perm1[0];
            for (int i = 0; i < r; i++)
                perm1[i] = perm1[i + 1];
            perm1[r] = perm0;
            count[r]--;
            if (count[r] > 0)
                break;
            count[r] = r + 1;
            r++;
        }
    }
}
