/* Binary trees (allocation-heavy): build, walk and free many complete binary trees, every
   node from a small general-purpose allocator written here (there is no libc): size
   classes of 8-byte granules, a free list per class, memory grown with memory.grow.
   bench(n) = a checksum of the node counts for maximum depth n (4 <= n <= 20):
   a stretch tree of depth n + 1, one long-lived tree of depth n, and for each depth
   d = 4, 6, ..., n, 2^(n - d + 4) trees of depth d. */

#define MIN_DEPTH 4
#define GRANULE 8u
#define CLASSES 32u /* blocks up to 32 granules (256 bytes) */
#define PAGE 65536u

typedef unsigned long size_t;

extern unsigned char __heap_base;

static unsigned char *heap_next;  /* first unused byte of the heap */
static unsigned char *heap_end;   /* end of linear memory */
static void *free_lists[CLASSES]; /* free blocks by size class, linked through their first word */

/* Each block is preceded by a 4-byte header holding its size class. */
static void *allocate(size_t size) {
    size_t granules = (size + 4 + GRANULE - 1) / GRANULE;
    if (granules == 0 || granules > CLASSES) return 0;
    size_t class = granules - 1;
    void *block = free_lists[class];
    if (block) {
        free_lists[class] = *(void **)block;
        return block;
    }
    if (!heap_next) {
        heap_next = (unsigned char *)(((size_t)&__heap_base + GRANULE - 1) & ~(size_t)(GRANULE - 1));
        heap_end = (unsigned char *)(__builtin_wasm_memory_size(0) * PAGE);
    }
    size_t bytes = granules * GRANULE;
    if ((size_t)(heap_end - heap_next) < bytes) {
        size_t pages = (bytes + PAGE - 1) / PAGE;
        if (pages < 16) pages = 16;
        if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 0;
        heap_end += pages * PAGE;
    }
    unsigned *header = (unsigned *)heap_next;
    *header = (unsigned)class;
    heap_next += bytes;
    return header + 1;
}

static void release(void *block) {
    if (!block) return;
    unsigned class = ((unsigned *)block)[-1];
    *(void **)block = free_lists[class];
    free_lists[class] = block;
}

struct node {
    struct node *left, *right;
};

static struct node *bottom_up(int depth) {
    struct node *node = allocate(sizeof *node);
    if (depth > 0) {
        node->left = bottom_up(depth - 1);
        node->right = bottom_up(depth - 1);
    } else {
        node->left = node->right = 0;
    }
    return node;
}

static int check(const struct node *node) {
    return node->left ? 1 + check(node->left) + check(node->right) : 1;
}

static void delete(struct node *node) {
    if (node->left) {
        delete(node->left);
        delete(node->right);
    }
    release(node);
}

static int build_check_delete(int depth) {
    struct node *tree = bottom_up(depth);
    int nodes = check(tree);
    delete(tree);
    return nodes;
}

unsigned bench(int n) {
    if (n < MIN_DEPTH) n = MIN_DEPTH;
    if (n > 20) n = 20;
    unsigned checksum = (unsigned)build_check_delete(n + 1);
    struct node *long_lived = bottom_up(n);
    for (int depth = MIN_DEPTH; depth <= n; depth += 2) {
        int iterations = 1 << (n - depth + MIN_DEPTH);
        unsigned nodes = 0;
        for (int i = 0; i < iterations; i++) nodes += (unsigned)build_check_delete(depth);
        checksum = checksum * 31u + nodes;
    }
    checksum = checksum * 31u + (unsigned)check(long_lived);
    delete(long_lived);
    return checksum;
}
