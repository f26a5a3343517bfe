#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
typedef struct cell { int head; struct cell *tail; } cell;
static int64_t add(int64_t acc, int x) { return acc + x; }
static int64_t fold(int64_t (*f)(int64_t, int), int64_t acc, const cell *l) {
    for (; l; l = l->tail) acc = f(acc, l->head);
    return acc;
}
int main(void) {
    cell *xs = NULL;
    for (int n = 1000000; n > 0; n--) {
        cell *c = malloc(sizeof *c);
        c->head = n;
        c->tail = xs;
        xs = c;
    }
    int64_t total = 0;
    for (int r = 0; r < 3; r++) total += fold(add, 0, xs);
    printf("%lld\n", (long long)total);
    return 0;
}
