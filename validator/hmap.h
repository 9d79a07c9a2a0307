/*
 * hmap: an open-addressing hash map from uint64 keys to uint32 values, with
 * linear probing and backward-shift deletion (no tombstones). It keys every
 * per-id table of the validator — goroutines, procs, threads, tasks, strings,
 * stacks, PCs — so lookups on the hot path are one multiply and a short probe.
 */
#ifndef GTH_HMAP_H
#define GTH_HMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"

typedef struct gth_hmap {
    uint64_t *keys;
    uint32_t *vals;
    uint8_t *used;
    size_t cap; /* power of two, or 0 */
    size_t len;
    const gth_allocator *a;
} gth_hmap;

static inline size_t gth_hmap_hash(uint64_t k, size_t mask) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k & mask;
}

void gth_hmap_init(gth_hmap *m, const gth_allocator *a);
void gth_hmap_free(gth_hmap *m);
void gth_hmap_clear(gth_hmap *m); /* keeps the memory */

/* Returns a pointer to the value of k, or NULL. */
static inline uint32_t *gth_hmap_get(const gth_hmap *m, uint64_t k) {
    if (m->len == 0) return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = gth_hmap_hash(k, mask);; i = (i + 1) & mask) {
        if (!m->used[i]) return NULL;
        if (m->keys[i] == k) return &m->vals[i];
    }
}

/* Inserts or overwrites k. Returns 0, or -1 when out of memory (map unchanged). */
int gth_hmap_put(gth_hmap *m, uint64_t k, uint32_t v);
/* Removes k if present; returns 1 if it was. */
int gth_hmap_del(gth_hmap *m, uint64_t k);

/* Iteration over slots: for (size_t i = 0; i < m->cap; i++) if (m->used[i]) ... */

/*
 * dense: a lookup table beside a gth_hmap for the small ids most traces use
 * (goroutines, procs, threads): v[id] = value + 1 (0 = absent) for every id
 * below cap, kept equal to the map by its owner: gth_dense_reserve before each
 * put (a failure is an out-of-memory failure of the put), gth_dense_set after
 * it, gth_dense_del after each delete. Ids from GTH_DENSE_MAX on are looked up
 * in the map.
 */
#define GTH_DENSE_MAX ((size_t)1 << 16)

typedef struct gth_dense {
    uint32_t *v;
    size_t cap;
} gth_dense;

void gth_dense_free(gth_dense *d, const gth_allocator *a);
/* Makes the table cover id (below GTH_DENSE_MAX). 0, or -1 when out of memory
 * (the table is unchanged). */
int gth_dense_reserve(gth_dense *d, const gth_allocator *a, uint64_t id);

static inline void gth_dense_set(gth_dense *d, uint64_t id, uint32_t val) {
    if (id < d->cap) d->v[id] = val + 1;
}

static inline void gth_dense_del(gth_dense *d, uint64_t id) {
    if (id < d->cap) d->v[id] = 0;
}

/* The value of id (in the table or in m) in *val and 1, or 0 if absent. */
static inline int gth_dense_get(const gth_dense *d, const gth_hmap *m, uint64_t id, uint32_t *val) {
    if (id < d->cap) {
        uint32_t x = d->v[id];
        *val = x - 1;
        return x != 0;
    }
    if (id < GTH_DENSE_MAX) return 0;
    const uint32_t *p = gth_hmap_get(m, id);
    if (!p) return 0;
    *val = *p;
    return 1;
}

/*
 * idmap: a map from ids to uint32 values for the tables whose ids a producer
 * hands out densely (strings, stacks: 1, 2, 3, ...). While the ids stay dense
 * (each at most 4 x the entries so far + 1024, below 2^32) it is a plain array
 * indexed by id, 4 bytes per id and no hashing; the first id that breaks that
 * moves every entry into a gth_hmap for the rest of the table's life.
 */
typedef struct gth_idmap {
    uint32_t *dense;  /* dense[id] = value + 1, 0 = absent; dense_cap entries */
    size_t dense_cap;
    size_t dense_hi;  /* 1 + the largest id set in dense (what clearing zeroes) */
    int sparse;       /* entries live in hash */
    gth_hmap hash;
    size_t len;
    const gth_allocator *a;
} gth_idmap;

void gth_idmap_init(gth_idmap *m, const gth_allocator *a);
void gth_idmap_free(gth_idmap *m);
/* Empties the map; memory far larger than what it held is released. */
void gth_idmap_clear(gth_idmap *m);
/* Inserts or overwrites id. Returns 0, or -1 when out of memory (the map holds
 * what it held before). */
int gth_idmap_put(gth_idmap *m, uint64_t id, uint32_t v);
/* Once filled: a sparse map whose ids turn out dense becomes an array again,
 * for faster lookups (failing to allocate keeps it as it is). */
void gth_idmap_compact(gth_idmap *m);

/* The value of id in *v and 1, or 0 if absent. */
static inline int gth_idmap_get(const gth_idmap *m, uint64_t id, uint32_t *v) {
    if (!m->sparse) {
        if (id >= m->dense_cap || !m->dense[id]) return 0;
        *v = m->dense[id] - 1;
        return 1;
    }
    const uint32_t *p = gth_hmap_get(&m->hash, id);
    if (!p) return 0;
    *v = *p;
    return 1;
}

#endif
