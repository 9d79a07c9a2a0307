/*
 * reduce: the trace minimiser (delta debugging). Given a binary trace and a
 * predicate over binary traces ("does this candidate still show the
 * behaviour?"), it searches for the smallest trace the predicate still holds
 * on, removing in turn, each to a fixpoint:
 *
 *   generations   every batch of one generation
 *   threads       every batch of one M
 *   batches       one batch (event batch, table batch, experimental batch,
 *                 EndOfGeneration)
 *   goroutines    every event a goroutine runs or names (contexts come from
 *   procs         the reader, run once over the input); then the same for Ps
 *   events        one timed event of an event or sync batch, latest first
 *   entries       one String, Stack or CPUSample table entry
 *   frames        one frame of a Stack entry; String data is shortened
 *
 * Each level runs ddmin-style: chunks of half the items, then smaller, down to
 * one item at a time, and repeats until nothing more can be removed. Chunks are
 * tried from the end (latest time first), since cutting a trace's tail keeps it
 * consistent far more often than cutting its middle.
 *
 * Candidates are re-encoded, never patched: batch sizes are recomputed, and the
 * absolute timestamps of the events kept are preserved (a removed event's time
 * delta is folded into the next event's), so cross-thread ordering does not
 * drift. When the input does not decode by batches, Go's flat raw view
 * (GTH_DEC_FLAT) is used; when even the re-encoded input loses the behaviour
 * (it depends on broken framing or bytes the codecs do not keep), the reducer
 * falls back to removing byte ranges.
 */
#ifndef GTH_REDUCE_H
#define GTH_REDUCE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"

/* 1: the candidate (a whole binary trace) still shows the behaviour; 0: it
 * does not; negative: stop the reduction (the predicate failed to run). */
typedef int (*gth_reduce_pred_fn)(void *ud, const uint8_t *trace, size_t len);

typedef enum gth_reduce_mode {
    GTH_REDUCE_EVENTS = 0, /* structured: units, events, table entries */
    GTH_REDUCE_BYTES = 1   /* byte ranges (the fallback) */
} gth_reduce_mode;

typedef struct gth_reduce_progress {
    const char *phase;  /* "generations", "threads", ..., "bytes" */
    uint64_t tests;     /* candidates tried so far */
    uint64_t kept;      /* candidates that kept the behaviour */
    uint64_t events;    /* raw events of the current smallest trace (bytes mode: 0) */
    uint64_t bytes;     /* its size */
} gth_reduce_progress;

typedef struct gth_reduce_opts {
    gth_reduce_pred_fn pred;
    void *ud;
    /* Called after each candidate that kept the behaviour and at each phase
     * change; NULL = silent. */
    void (*progress)(void *ud, const gth_reduce_progress *p);
    void *progress_ud;
    uint64_t max_tests;   /* stop after this many candidates; 0 = no limit */
    int bytes_only;       /* skip the structured reduction */
    int no_shrink;        /* skip the last level (frames, String data) */
    /* Every allocation of the reduction (not of the predicate); NULL: the
     * default allocator. */
    const gth_allocator *alloc;
} gth_reduce_opts;

typedef struct gth_reduce_stats {
    gth_reduce_mode mode;
    uint64_t tests, kept;
    uint64_t events_in, events_out; /* raw events (every wire item, headers included) */
    uint64_t bytes_in, bytes_out;
    int limited; /* stopped by max_tests */
} gth_reduce_stats;

/* Reduces trace[0..len) under o->pred and appends the smallest trace found to
 * out. Returns GTH_OK; GTH_EINVALID if the predicate does not hold on the input
 * itself (err says so); GTH_EUSAGE if the predicate stopped the run (err has
 * its status); GTH_ENOMEM. stats may be NULL. */
int gth_reduce(const uint8_t *trace, size_t len, const gth_reduce_opts *o, gth_buf *out,
               gth_reduce_stats *stats, gth_error *err);

/* Raw events of a binary trace (every wire item of Go's flat raw view: batch
 * headers, markers, entries and events), or -1 if it does not decode. */
long long gth_reduce_count_events(const uint8_t *trace, size_t len);

#endif
