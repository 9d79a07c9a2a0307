/*
 * gth_go_sort must leave equal elements exactly where Go's slices.SortFunc
 * leaves them (the reader's event order on equal timestamps depends on it):
 * arrays of many sizes and tie patterns, sorted by us and by Go (the adapter's
 * gosort), must give the same permutation.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/gosort.h"

typedef struct item {
    long long key;
    long long index;
} item;

static int before(const void *a, const void *b) { return ((const item *)a)->key < ((const item *)b)->key; }

static uint64_t rnd(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void check(item *v, size_t n) {
    char *in = malloc(n * 24 + 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) len += (size_t)sprintf(in + len, "%lld\n", v[i].key);
    char *argv[] = {(char *)tu_gthref(), "gosort", NULL};
    char *out = NULL;
    assert_int_equal(tu_run(argv, in, len, &out, NULL, NULL), 0);
    gth_go_sort(v, n, sizeof *v, before);
    char *p = out;
    for (size_t i = 0; i < n; i++) {
        long long want = strtoll(p, &p, 10);
        if (want != v[i].index) fail_msg("n=%zu: position %zu holds input %lld, Go has %lld", n, i, v[i].index, want);
    }
    free(in);
    free(out);
}

static void same_permutation_as_go(void **state) {
    (void)state;
    uint64_t seed = 0x2545f4914f6cdd1dULL;
    size_t cases = 0;
    static const size_t sizes[] = {0, 1, 2, 5, 12, 13, 14, 20, 33, 49, 50, 51, 64, 100, 127, 200, 500, 1000};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        for (int pattern = 0; pattern < 6; pattern++) {
            item *v = malloc((n ? n : 1) * sizeof *v);
            for (size_t i = 0; i < n; i++) {
                long long k;
                switch (pattern) {
                case 0: k = (long long)(rnd(&seed) % 3); break;                   /* many ties */
                case 1: k = (long long)(rnd(&seed) % (n + 1)); break;             /* some ties */
                case 2: k = (long long)i / 4; break;                              /* sorted runs of ties */
                case 3: k = (long long)(n - i) / 3; break;                        /* reversed */
                case 4: k = i % 7 == 0 ? (long long)(rnd(&seed) % 5) : (long long)i; break; /* nearly sorted */
                default: k = 42; break;                                           /* all equal */
                }
                v[i] = (item){k, (long long)i};
            }
            check(v, n);
            free(v);
            cases++;
        }
    }
    print_message("permutations compared with Go's slices.SortFunc: %zu\n", cases);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(same_permutation_as_go)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
