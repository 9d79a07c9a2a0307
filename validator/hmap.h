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

#endif
