/* The dense lookup table beside a hash map (validator/hmap.h): whatever the
 * order of ids and deletes, with puts refused when the table cannot grow, a
 * lookup through it gives what the map holds. */
#include "util/testutil.h"

#include <stdlib.h>
#include <string.h>

#include "validator/hmap.h"

/* An allocator that refuses every growth while fail is set. */
typedef struct flaky {
    int fail;
} flaky;

static void *flaky_fn(void *ud, void *p, size_t osize, size_t nsize) {
    (void)osize;
    flaky *f = ud;
    if (nsize == 0) {
        free(p);
        return NULL;
    }
    if (f->fail) return NULL;
    return realloc(p, nsize);
}

static void agrees(const gth_dense *d, const gth_hmap *m, uint64_t id) {
    uint32_t v = 12345;
    const uint32_t *want = gth_hmap_get(m, id);
    int got = gth_dense_get(d, m, id, &v);
    assert_int_equal(got, want != NULL);
    if (want) assert_int_equal(v, *want);
}

static void dense_follows_map(void **state) {
    (void)state;
    flaky f = {0};
    gth_allocator a = {flaky_fn, &f};
    gth_hmap m;
    gth_hmap_init(&m, &a);
    gth_dense d = {0};
    uint64_t seed = 1;
    for (int step = 0; step < 20000; step++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t r = seed >> 33;
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int del = (seed >> 33) % 5 == 0;
        /* Mostly small ids, some beyond the table's reach, some huge. */
        uint64_t id = r % 7 == 0 ? GTH_DENSE_MAX + r % 1000 : r % 11 == 0 ? UINT64_MAX - r % 3 : r % 3000;
        /* For a while nothing can grow: those puts fail, as their owners'. */
        f.fail = step >= 3000 && step < 6000;
        if (del) {
            gth_hmap_del(&m, id);
            gth_dense_del(&d, id);
        } else if (gth_dense_reserve(&d, &a, id) == 0) {
            f.fail = 0; /* the map's own growth is not what is tested */
            assert_int_equal(gth_hmap_put(&m, id, (uint32_t)step), 0);
            gth_dense_set(&d, id, (uint32_t)step);
        } else {
            assert_true(f.fail && id >= d.cap && id < GTH_DENSE_MAX);
        }
        agrees(&d, &m, id);
        if (step % 997 == 0)
            for (uint64_t k = 0; k < 3100; k++) agrees(&d, &m, k);
    }
    for (uint64_t k = 0; k < 3100; k++) agrees(&d, &m, k);
    for (uint64_t k = GTH_DENSE_MAX - 2; k < GTH_DENSE_MAX + 1000; k++) agrees(&d, &m, k);
    assert_true(d.cap >= 3000 && d.cap <= GTH_DENSE_MAX);
    f.fail = 0;
    gth_dense_free(&d, &a);
    gth_hmap_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dense_follows_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
