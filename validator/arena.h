/*
 * arena: bump allocation for data that lives exactly as long as one trace
 * generation (tables, batch index, decoded stacks). Reset at the generation's
 * end, so validating a trace never frees per event and memory is bounded by the
 * largest generation.
 */
#ifndef GTH_ARENA_H
#define GTH_ARENA_H

#include <stddef.h>

#include "base/base.h"

typedef struct gth_arena_chunk gth_arena_chunk;
typedef struct gth_arena_big gth_arena_big;

typedef struct gth_arena {
    const gth_allocator *a;
    gth_arena_chunk *head; /* current chunk; older ones follow */
    size_t used;           /* bytes used in head */
    size_t total;          /* bytes held in all chunks and big blocks */
    gth_arena_big *big;    /* large grown arrays, each a block of its own */
} gth_arena;

void gth_arena_init(gth_arena *ar, const gth_allocator *a);
/* Frees all chunks but the largest, which is kept for the next generation. */
void gth_arena_reset(gth_arena *ar);
void gth_arena_free(gth_arena *ar);
/* n bytes aligned to 16, or NULL when out of memory. */
void *gth_arena_alloc(gth_arena *ar, size_t n);
/* Grows an arena array. A small one moves to a new place in the arena (the
 * old block is abandoned until reset); from 64 KiB on the array is a heap block
 * of its own, resized in place, so a table of millions of entries does not
 * leave its earlier copies behind. */
int gth_arena_grow(gth_arena *ar, void **p, size_t *cap, size_t need, size_t size);

#endif
