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

/* ---- idmap ------------------------------------------------------------------ */

void gth_idmap_init(gth_idmap *m, const gth_allocator *a) {
    memset(m, 0, sizeof *m);
    m->a = a;
    gth_hmap_init(&m->hash, a);
}

static void idmap_release_dense(gth_idmap *m) {
    gth_free(m->a, m->dense, m->dense_cap * sizeof *m->dense);
    m->dense = NULL;
    m->dense_cap = m->dense_hi = 0;
}

void gth_idmap_free(gth_idmap *m) {
    idmap_release_dense(m);
    gth_hmap_free(&m->hash);
    m->sparse = 0;
    m->len = 0;
}

void gth_idmap_clear(gth_idmap *m) {
    /* Memory far larger than what the map held goes, so that a million small
     * tables after one big one do not each pay for clearing the big one. */
    if (m->dense_cap > 1024 && m->len * 8 < m->dense_cap) idmap_release_dense(m);
    else if (m->dense_hi) memset(m->dense, 0, m->dense_hi * sizeof *m->dense);
    m->dense_hi = 0;
    if (m->hash.cap > 1024 && m->hash.len * 8 < m->hash.cap) gth_hmap_free(&m->hash);
    else gth_hmap_clear(&m->hash);
    m->sparse = 0;
    m->len = 0;
}

/* Whether id may join a dense array that holds `len` entries. */
static int dense_ok(uint64_t id, size_t len) { return id < UINT32_MAX && id <= 4 * (uint64_t)len + 1024; }

/* Makes dense hold ids up to id (new entries zero). */
static int dense_reserve(gth_idmap *m, uint64_t id) {
    if (id < m->dense_cap) return 0;
    size_t ncap = m->dense_cap ? m->dense_cap : 64;
    while (ncap <= id) ncap *= 2;
    uint32_t *nd = gth_realloc(m->a, m->dense, m->dense_cap * sizeof *nd, ncap * sizeof *nd);
    if (!nd) return -1;
    memset(nd + m->dense_cap, 0, (ncap - m->dense_cap) * sizeof *nd);
    m->dense = nd;
    m->dense_cap = ncap;
    return 0;
}

/* Moves every entry from the array into the hash map. */
static int go_sparse(gth_idmap *m) {
    gth_hmap h;
    gth_hmap_init(&h, m->a);
    for (size_t id = 0; id < m->dense_hi; id++)
        if (m->dense[id] && gth_hmap_put(&h, id, m->dense[id] - 1) != 0) {
            gth_hmap_free(&h);
            return -1;
        }
    gth_hmap_free(&m->hash);
    m->hash = h;
    idmap_release_dense(m);
    m->sparse = 1;
    return 0;
}

int gth_idmap_put(gth_idmap *m, uint64_t id, uint32_t v) {
    if (!m->sparse) {
        if (id < m->dense_cap || dense_ok(id, m->len)) {
            if (dense_reserve(m, id) != 0) return -1;
            if (!m->dense[id]) m->len++;
            m->dense[id] = v + 1;
            if (id >= m->dense_hi) m->dense_hi = (size_t)id + 1;
            return 0;
        }
        if (go_sparse(m) != 0) return -1;
    }
    size_t before = m->hash.len;
    if (gth_hmap_put(&m->hash, id, v) != 0) return -1;
    m->len += m->hash.len - before;
    return 0;
}

void gth_idmap_compact(gth_idmap *m) {
    if (!m->sparse || m->len == 0) return;
    uint64_t max = 0;
    for (size_t i = 0; i < m->hash.cap; i++)
        if (m->hash.used[i] && m->hash.keys[i] > max) max = m->hash.keys[i];
    if (!dense_ok(max, m->len)) return;
    size_t cap = (size_t)max + 1;
    uint32_t *d = gth_calloc(m->a, cap, sizeof *d);
    if (!d) return;
    for (size_t i = 0; i < m->hash.cap; i++)
        if (m->hash.used[i]) d[m->hash.keys[i]] = m->hash.vals[i] + 1;
    idmap_release_dense(m);
    m->dense = d;
    m->dense_cap = m->dense_hi = cap;
    gth_hmap_free(&m->hash);
    m->sparse = 0;
}

/* ---- dense ------------------------------------------------------------------------ */

void gth_dense_free(gth_dense *d, const gth_allocator *a) {
    gth_free(a, d->v, d->cap * sizeof *d->v);
    d->v = NULL;
    d->cap = 0;
}

int gth_dense_reserve(gth_dense *d, const gth_allocator *a, uint64_t id) {
    if (id < d->cap || id >= GTH_DENSE_MAX) return 0;
    size_t old = d->cap, cap = old;
    void *p = d->v;
    if (gth_grow(a, &p, &cap, (size_t)id + 1, sizeof *d->v)) return -1;
    d->v = p;
    memset(d->v + old, 0, (cap - old) * sizeof *d->v);
    d->cap = cap;
    return 0;
}
