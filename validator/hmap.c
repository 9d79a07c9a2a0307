/* Open-addressing map: growth and deletion. */
#include "validator/hmap.h"

void gth_hmap_init(gth_hmap *m, const gth_allocator *a) {
    memset(m, 0, sizeof *m);
    m->a = a;
}

static void release(gth_hmap *m) {
    gth_free(m->a, m->keys, m->cap * sizeof *m->keys);
    gth_free(m->a, m->vals, m->cap * sizeof *m->vals);
    gth_free(m->a, m->used, m->cap);
}

void gth_hmap_free(gth_hmap *m) {
    release(m);
    m->keys = NULL;
    m->vals = NULL;
    m->used = NULL;
    m->cap = m->len = 0;
}

void gth_hmap_clear(gth_hmap *m) {
    if (m->cap) memset(m->used, 0, m->cap);
    m->len = 0;
}

static int rehash(gth_hmap *m, size_t ncap) {
    gth_hmap n = {0};
    n.a = m->a;
    n.cap = ncap;
    n.keys = gth_alloc(m->a, ncap * sizeof *n.keys);
    n.vals = gth_alloc(m->a, ncap * sizeof *n.vals);
    n.used = gth_calloc(m->a, ncap, 1);
    if (!n.keys || !n.vals || !n.used) {
        release(&n);
        return -1;
    }
    size_t mask = ncap - 1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->used[i]) continue;
        size_t j = gth_hmap_hash(m->keys[i], mask);
        while (n.used[j]) j = (j + 1) & mask;
        n.used[j] = 1;
        n.keys[j] = m->keys[i];
        n.vals[j] = m->vals[i];
    }
    n.len = m->len;
    release(m);
    *m = n;
    return 0;
}

int gth_hmap_put(gth_hmap *m, uint64_t k, uint32_t v) {
    uint32_t *p = gth_hmap_get(m, k);
    if (p) {
        *p = v;
        return 0;
    }
    /* Keep the load factor at most 1/2 so probes stay short. */
    if ((m->len + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 16;
        if (ncap < m->cap || ncap > SIZE_MAX / sizeof(uint64_t)) return -1;
        if (rehash(m, ncap) != 0) return -1;
    }
    size_t mask = m->cap - 1;
    size_t i = gth_hmap_hash(k, mask);
    while (m->used[i]) i = (i + 1) & mask;
    m->used[i] = 1;
    m->keys[i] = k;
    m->vals[i] = v;
    m->len++;
    return 0;
}

int gth_hmap_del(gth_hmap *m, uint64_t k) {
    if (m->len == 0) return 0;
    size_t mask = m->cap - 1;
    size_t i = gth_hmap_hash(k, mask);
    for (;; i = (i + 1) & mask) {
        if (!m->used[i]) return 0;
        if (m->keys[i] == k) break;
    }
    /* Backward-shift: move later members of the probe run into the hole when
     * their home slot does not lie cyclically between the hole and them. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->used[j]; j = (j + 1) & mask) {
        size_t home = gth_hmap_hash(m->keys[j], mask);
        int between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (between) continue;
        m->keys[hole] = m->keys[j];
        m->vals[hole] = m->vals[j];
        hole = j;
    }
    m->used[hole] = 0;
    m->len--;
    return 1;
}
