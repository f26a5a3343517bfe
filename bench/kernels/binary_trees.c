/* binary_trees benchmark kernel (C): allocate and check many binary trees, see SPEC.md.
   Nodes come from a per-tree pool: a bump allocator that is reset between trees. */
#include <stdio.h>
#include <stdlib.h>

typedef struct Node {
    struct Node *left;
    struct Node *right;
} Node;

typedef struct {
    Node *nodes;
    size_t used;
    size_t cap;
} Pool;

static size_t nodes_for_depth(int depth) {
    return ((size_t)1 << (depth + 1)) - 1;
}

static void pool_init(Pool *p, size_t cap) {
    p->nodes = malloc(cap * sizeof(Node));
    if (!p->nodes) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    p->used = 0;
    p->cap = cap;
}

static void pool_reset(Pool *p) { p->used = 0; }

static void pool_free(Pool *p) {
    free(p->nodes);
    p->nodes = NULL;
    p->used = p->cap = 0;
}

static Node *pool_alloc(Pool *p) {
    /* The pool is sized for the tree, so this never overflows. */
    return &p->nodes[p->used++];
}

static Node *make(Pool *p, int depth) {
    Node *n = pool_alloc(p);
    if (depth == 0) {
        n->left = NULL;
        n->right = NULL;
    } else {
        n->left = make(p, depth - 1);
        n->right = make(p, depth - 1);
    }
    return n;
}

static long check(const Node *n) {
    if (n->left == NULL)
        return 1;
    return 1 + check(n->left) + check(n->right);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 21;
    int min_depth = 4;
    int max_depth = n > min_depth + 2 ? n : min_depth + 2;
    int stretch = max_depth + 1;

    Pool stretch_pool;
    pool_init(&stretch_pool, nodes_for_depth(stretch));
    Node *st = make(&stretch_pool, stretch);
    printf("stretch tree of depth %d\t check: %ld\n", stretch, check(st));
    pool_free(&stretch_pool);

    Pool long_pool;
    pool_init(&long_pool, nodes_for_depth(max_depth));
    Node *long_lived = make(&long_pool, max_depth);

    Pool pool;
    pool_init(&pool, nodes_for_depth(max_depth));
    for (int d = min_depth; d <= max_depth; d += 2) {
        long iterations = 1L << (max_depth - d + min_depth);
        long sum = 0;
        for (long i = 0; i < iterations; i++) {
            pool_reset(&pool);
            Node *t = make(&pool, d);
            sum += check(t);
        }
        printf("%ld\t trees of depth %d\t check: %ld\n", iterations, d, sum);
    }
    pool_free(&pool);

    printf("long lived tree of depth %d\t check: %ld\n", max_depth, check(long_lived));
    pool_free(&long_pool);
    return 0;
}
