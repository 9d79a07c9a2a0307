/* Bump allocator with a chunk list. */
#include "validator/arena.h"

#include <stdint.h>
#include <string.h>

struct gth_arena_chunk {
    gth_arena_chunk *next;
    size_t size; /* usable bytes after the header */
    _Alignas(16) unsigned char data[];
};

struct gth_arena_big {
    gth_arena_big *next;
    size_t size; /* usable bytes after the header */
    _Alignas(16) unsigned char data[];
};

#define CHUNK_MIN ((size_t)1 << 20)
#define BIG_MIN ((size_t)64 << 10)

static void free_big(gth_arena *ar) {
    for (gth_arena_big *b = ar->big, *n; b; b = n) {
        n = b->next;
        ar->total -= b->size;
        gth_free(ar->a, b, sizeof *b + b->size);
    }
    ar->big = NULL;
}

void gth_arena_init(gth_arena *ar, const gth_allocator *a) {
    ar->a = a;
    ar->head = NULL;
    ar->used = 0;
    ar->total = 0;
    ar->big = NULL;
}

void gth_arena_free(gth_arena *ar) {
    free_big(ar);
    for (gth_arena_chunk *c = ar->head, *n; c; c = n) {
        n = c->next;
        gth_free(ar->a, c, sizeof *c + c->size);
    }
    ar->head = NULL;
    ar->used = ar->total = 0;
}

void gth_arena_reset(gth_arena *ar) {
    free_big(ar);
    gth_arena_chunk *keep = NULL;
    for (gth_arena_chunk *c = ar->head; c; c = c->next)
        if (!keep || c->size > keep->size) keep = c;
    for (gth_arena_chunk *c = ar->head, *n; c; c = n) {
        n = c->next;
        if (c != keep) gth_free(ar->a, c, sizeof *c + c->size);
    }
    ar->head = keep;
    if (keep) keep->next = NULL;
    ar->total = keep ? keep->size : 0;
    ar->used = 0;
}

void *gth_arena_alloc(gth_arena *ar, size_t n) {
    if (n > SIZE_MAX - 15) return NULL;
    n = (n + 15) & ~(size_t)15;
    if (!ar->head || ar->head->size - ar->used < n) {
        size_t size = CHUNK_MIN;
        if (ar->head && ar->head->size >= size) size = ar->head->size;
        while (size < n) {
            if (size > SIZE_MAX / 2) return NULL;
            size *= 2;
        }
        if (size > SIZE_MAX - sizeof(gth_arena_chunk)) return NULL;
        gth_arena_chunk *c = gth_alloc(ar->a, sizeof *c + size);
        if (!c) return NULL;
        c->size = size;
        c->next = ar->head;
        ar->head = c;
        ar->used = 0;
        ar->total += size;
    }
    void *p = ar->head->data + ar->used;
    ar->used += n;
    return p;
}

int gth_arena_grow(gth_arena *ar, void **p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) return -1;
        ncap *= 2;
    }
    if (size && ncap > SIZE_MAX / size) return -1;
    size_t bytes = ncap * size;
    if (bytes >= BIG_MIN && bytes <= SIZE_MAX - sizeof(gth_arena_big)) {
        gth_arena_big **link = &ar->big;
        while (*link && (void *)(*link)->data != *p) link = &(*link)->next;
        gth_arena_big *old = *cap ? *link : NULL, *nb;
        if (old) {
            nb = gth_realloc(ar->a, old, sizeof *old + old->size, sizeof *nb + bytes);
            if (!nb) return -1;
            ar->total -= nb->size;
            *link = nb;
        } else {
            nb = gth_alloc(ar->a, sizeof *nb + bytes);
            if (!nb) return -1;
            if (*cap) memcpy(nb->data, *p, *cap * size);
            nb->next = ar->big;
            ar->big = nb;
        }
        nb->size = bytes;
        ar->total += bytes;
        *p = nb->data;
        *cap = ncap;
        return 0;
    }
    void *np = gth_arena_alloc(ar, ncap * size);
    if (!np) return -1;
    if (*cap) memcpy(np, *p, *cap * size);
    *p = np;
    *cap = ncap;
    return 0;
}
