/* CoreMark-style mixed integer work (written for this suite, not EEMBC's CoreMark): each
   iteration runs four kernels on data seeded by the iteration number and folds their
   results into a CRC-16:
   - list: a linked list of LIST_SIZE nodes in a static pool, merge-sorted by value,
     searched, reversed and summed (pointer chasing, unpredictable branches);
   - matrix: MATRIX_N x MATRIX_N 16-bit matrices: add a constant, multiply by a vector
     and by another matrix, checksum bit fields of the results;
   - state machine: classify the comma-separated tokens of a text buffer as integers,
     decimals, exponent numbers or invalid with a switch-driven scanner;
   - CRC-16 (polynomial 0xA001, bit by bit) over every result.
   bench(n) = the final CRC after n iterations. */

#define LIST_SIZE 64
#define MATRIX_N 12
#define TEXT_SIZE 256

typedef unsigned short u16;
typedef unsigned u32;

static u16 crc16(u16 crc, u32 value, int bytes) {
    for (int i = 0; i < bytes; i++) {
        crc ^= (u16)(value & 0xFF);
        value >>= 8;
        for (int bit = 0; bit < 8; bit++) crc = (crc & 1) ? (u16)((crc >> 1) ^ 0xA001) : (u16)(crc >> 1);
    }
    return crc;
}

static u32 next_random(u32 *state) {
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

/* -- list ---------------------------------------------------------------------------- */

struct item {
    struct item *next;
    int value;
    int index;
};

static struct item pool[LIST_SIZE];

static struct item *merge(struct item *a, struct item *b) {
    struct item head, *tail = &head;
    while (a && b) {
        if (a->value < b->value || (a->value == b->value && a->index <= b->index)) {
            tail->next = a;
            a = a->next;
        } else {
            tail->next = b;
            b = b->next;
        }
        tail = tail->next;
    }
    tail->next = a ? a : b;
    return head.next;
}

static struct item *sort(struct item *list) {
    if (!list || !list->next) return list;
    struct item *slow = list, *fast = list->next;
    while (fast && fast->next) {
        slow = slow->next;
        fast = fast->next->next;
    }
    struct item *second = slow->next;
    slow->next = 0;
    return merge(sort(list), sort(second));
}

static u16 list_kernel(u32 seed, u16 crc) {
    u32 state = seed;
    for (int i = 0; i < LIST_SIZE; i++) {
        pool[i].value = (int)(next_random(&state) % 1000u) - 500;
        pool[i].index = i;
        pool[i].next = i + 1 < LIST_SIZE ? &pool[i + 1] : 0;
    }
    struct item *list = sort(&pool[0]);
    /* Find the first value above each of a few thresholds. */
    for (int t = -400; t <= 400; t += 200) {
        int position = 0;
        struct item *p = list;
        while (p && p->value <= t) {
            p = p->next;
            position++;
        }
        crc = crc16(crc, (u32)position, 2);
    }
    /* Reverse, then sum with alternating signs. */
    struct item *reversed = 0;
    while (list) {
        struct item *next = list->next;
        list->next = reversed;
        reversed = list;
        list = next;
    }
    int sum = 0, sign = 1;
    for (struct item *p = reversed; p; p = p->next) {
        sum += sign * p->value * (p->index + 1);
        sign = -sign;
    }
    return crc16(crc, (u32)sum, 4);
}

/* -- matrix -------------------------------------------------------------------------- */

static short ma[MATRIX_N * MATRIX_N], mb[MATRIX_N * MATRIX_N];
static int mc[MATRIX_N * MATRIX_N], vc[MATRIX_N];

static u16 matrix_kernel(u32 seed, u16 crc) {
    u32 state = seed;
    for (int i = 0; i < MATRIX_N * MATRIX_N; i++) {
        ma[i] = (short)(next_random(&state) & 0xFFF) - 0x800;
        mb[i] = (short)(next_random(&state) & 0xFF);
    }
    short constant = (short)(seed & 0x3F);
    for (int i = 0; i < MATRIX_N * MATRIX_N; i++) ma[i] = (short)(ma[i] + constant);
    for (int i = 0; i < MATRIX_N; i++) {
        int sum = 0;
        for (int k = 0; k < MATRIX_N; k++) sum += ma[i * MATRIX_N + k] * mb[k];
        vc[i] = sum;
    }
    for (int i = 0; i < MATRIX_N; i++)
        for (int j = 0; j < MATRIX_N; j++) {
            int sum = 0;
            for (int k = 0; k < MATRIX_N; k++) sum += ma[i * MATRIX_N + k] * mb[k * MATRIX_N + j];
            mc[i * MATRIX_N + j] = sum;
        }
    u32 bits = 0;
    for (int i = 0; i < MATRIX_N * MATRIX_N; i++) bits += ((u32)mc[i] >> 3) & 0x7F;
    for (int i = 0; i < MATRIX_N; i++) bits ^= (u32)vc[i];
    return crc16(crc, bits, 4);
}

/* -- state machine -------------------------------------------------------------------- */

enum { START, SIGN, INTEGER, POINT, DECIMAL, EXPONENT, EXPONENT_SIGN, SCIENTIFIC, INVALID, STATES };

static char text[TEXT_SIZE];

static void make_text(u32 seed) {
    static const char alphabet[] = "0123456789+-.eE,x";
    u32 state = seed;
    for (int i = 0; i < TEXT_SIZE - 1; i++) {
        u32 r = next_random(&state) % 40u;
        /* Digits are the most likely, then separators, then the rest. */
        text[i] = r < 20 ? alphabet[r % 10] : r < 28 ? ',' : alphabet[10 + r % 7];
    }
    text[TEXT_SIZE - 1] = 0;
}

static int step(int state, char c) {
    int digit = c >= '0' && c <= '9';
    switch (state) {
    case START:
        if (digit) return INTEGER;
        if (c == '+' || c == '-') return SIGN;
        if (c == '.') return POINT;
        return INVALID;
    case SIGN:
        if (digit) return INTEGER;
        if (c == '.') return POINT;
        return INVALID;
    case INTEGER:
        if (digit) return INTEGER;
        if (c == '.') return DECIMAL;
        if (c == 'e' || c == 'E') return EXPONENT;
        return INVALID;
    case POINT:
        return digit ? DECIMAL : INVALID;
    case DECIMAL:
        if (digit) return DECIMAL;
        if (c == 'e' || c == 'E') return EXPONENT;
        return INVALID;
    case EXPONENT:
        if (digit) return SCIENTIFIC;
        if (c == '+' || c == '-') return EXPONENT_SIGN;
        return INVALID;
    case EXPONENT_SIGN:
    case SCIENTIFIC:
        return digit ? SCIENTIFIC : INVALID;
    default:
        return INVALID;
    }
}

static u16 state_kernel(u32 seed, u16 crc) {
    make_text(seed);
    int finals[STATES] = {0};
    int transitions = 0;
    int state = START;
    for (const char *p = text;; p++) {
        char c = *p;
        if (c == ',' || c == 0) {
            finals[state]++;
            state = START;
            if (c == 0) break;
            continue;
        }
        int next = step(state, c);
        if (next != state) transitions++;
        state = next;
    }
    for (int s = 0; s < STATES; s++) crc = crc16(crc, (u32)finals[s], 2);
    return crc16(crc, (u32)transitions, 2);
}

/* -- driver --------------------------------------------------------------------------- */

unsigned bench(int n) {
    u16 crc = 0;
    for (int i = 0; i < n; i++) {
        u32 seed = (u32)i * 2654435761u + 1u;
        crc = list_kernel(seed, crc);
        crc = matrix_kernel(seed ^ 0x5A5A5A5Au, crc);
        crc = state_kernel(seed + 0x3C3C3C3Cu, crc);
    }
    return crc;
}
