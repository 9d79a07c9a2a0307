/*
 * failalloc: an allocator for allocation-failure injection. It counts the
 * allocations (new blocks and resizes) a run makes, fails the one numbered
 * `fail_at` (0-based; -1: none), and checks the allocator contract on the way:
 * every block freed or resized is one it handed out, with the size it was
 * given (osize), and at the end nothing is left allocated.
 *
 * tu_inject drives one operation through every injection point in turn (or a
 * sample of them): see its comment.
 */
#ifndef GTH_TESTS_FAILALLOC_H
#define GTH_TESTS_FAILALLOC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/base.h"

typedef struct tu_failalloc {
    long fail_at;     /* allocation number to fail; -1: none */
    long calls;       /* allocations so far */
    long live;        /* blocks allocated and not freed */
    size_t bytes;     /* bytes allocated and not freed */
    size_t peak;      /* most bytes allocated at once */
    int injected;     /* the failure happened */
    int bad_size;     /* a free or resize passed an osize that is not the block's */
    gth_allocator a;
} tu_failalloc;

/* Blocks carry their size in a header, to check the osize the caller passes. */
#define TU_FA_HDR 16

static void *tu_failalloc_fn(void *ud, void *ptr, size_t osize, size_t nsize) {
    tu_failalloc *f = ud;
    uint8_t *blk = ptr ? (uint8_t *)ptr - TU_FA_HDR : NULL;
    if (blk) {
        size_t have;
        memcpy(&have, blk, sizeof have);
        if (have != osize) {
            f->bad_size = 1;
            /* For a debugger: TU_FA_ABORT=1 stops at the faulty call. */
            if (getenv("TU_FA_ABORT")) {
                fprintf(stderr, "block of %zu bytes freed or resized as %zu\n", have, osize);
                abort();
            }
        }
    }
    if (nsize == 0) {
        if (blk) {
            f->live--;
            f->bytes -= osize;
            free(blk);
        }
        return NULL;
    }
    if (f->calls++ == f->fail_at) {
        f->injected = 1;
        return NULL;
    }
    if (nsize > SIZE_MAX - TU_FA_HDR) return NULL;
    uint8_t *nb = realloc(blk, nsize + TU_FA_HDR);
    if (!nb) return NULL;
    memcpy(nb, &nsize, sizeof nsize);
    if (!blk) f->live++;
    f->bytes += nsize - (blk ? osize : 0);
    if (f->bytes > f->peak) f->peak = f->bytes;
    return nb + TU_FA_HDR;
}

static inline void tu_failalloc_init(tu_failalloc *f, long fail_at) {
    memset(f, 0, sizeof *f);
    f->fail_at = fail_at;
    f->a.fn = tu_failalloc_fn;
    f->a.ud = f;
}

/* One operation under test: runs it with allocator a and returns its status
 * (GTH_OK, or the error it reported, with err filled). It must release
 * everything it allocated before returning, and must not check its own
 * outcome against the uninjected run (tu_inject does). */
typedef int (*tu_inject_fn)(void *ud, const gth_allocator *a, gth_error *err);

/* 1 when GTH_ALLOC_FULL is set in the environment: every injection point of
 * every input (scripts/alloc-fail.sh); otherwise a sample. */
static inline int tu_inject_full(void) {
    const char *s = getenv("GTH_ALLOC_FULL");
    return s && *s && strcmp(s, "0") != 0;
}

/* Runs fn once without failures (its status then, GTH_OK or a finding such as
 * GTH_EINVALID, is the input's verdict; it must not be GTH_ENOMEM), counts its
 * allocations N,
 * then runs it failing allocation k for k = 0 .. N-1 (all of them with
 * GTH_ALLOC_FULL, else the first 8, every `stride`-th and the last). Each
 * injected failure must give GTH_ENOMEM with "out of memory" in the message;
 * every run must leave nothing allocated and pass the right sizes to the
 * allocator; the run failing allocation N must give the verdict again.
 * Returns the number of injected runs. */
static inline long tu_inject(const char *what, tu_inject_fn fn, void *ud, long stride) {
    tu_failalloc f;
    gth_error err;
    tu_failalloc_init(&f, -1);
    gth_error_clear(&err);
    int want = fn(ud, &f.a, &err), rc;
    if (want == GTH_ENOMEM) fail_msg("%s: without injection: out of memory: %s", what, err.msg);
    if (f.live || f.bad_size) fail_msg("%s: without injection: %ld blocks leaked, bad size %d", what, f.live, f.bad_size);
    long n = f.calls, runs = 0;
    if (tu_inject_full() || stride < 1) stride = 1;
    for (long k = 0; k < n; k++) {
        if (!(k < 8 || k % stride == 0 || k == n - 1)) continue;
        tu_failalloc_init(&f, k);
        gth_error_clear(&err);
        rc = fn(ud, &f.a, &err);
        if (!f.injected) fail_msg("%s: allocation %ld of %ld did not happen (nondeterministic?)", what, k, n);
        if (rc != GTH_ENOMEM)
            fail_msg("%s: allocation %ld of %ld failed but the status is %d (want %d, out of memory): %s",
                     what, k, n, rc, GTH_ENOMEM, err.msg);
        if (err.status != GTH_ENOMEM || !strstr(err.msg, "out of memory"))
            fail_msg("%s: allocation %ld of %ld failed: error status %d, message \"%s\"", what, k, n,
                     err.status, err.msg);
        if (f.live) fail_msg("%s: allocation %ld of %ld failed: %ld blocks leaked", what, k, n, f.live);
        if (f.bad_size) fail_msg("%s: allocation %ld of %ld failed: wrong size passed to free/resize", what, k, n);
        runs++;
    }
    /* And with the failure one past the last allocation, the run completes. */
    tu_failalloc_init(&f, n);
    rc = fn(ud, &f.a, &err);
    if (f.injected || rc != want) fail_msg("%s: run with all %ld allocations differs: status %d", what, n, rc);
    return runs;
}

#endif
