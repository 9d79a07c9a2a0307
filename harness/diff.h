/*
 * harness/diff: the differential engine. A trace set (harness/traceset.h) is
 * run through several adapters; pairs of adapters are compared by the
 * agreement rule (harness/agree.h); every disagreement not in an adapter's
 * expected-differences list is new, written out as a reproducer
 * (harness/repro.h), minimised first if asked. The engine prints nothing: it
 * hands a record per trace and pair to the caller and returns the counts, per
 * set and pair, that the agreement table shows.
 */
#ifndef GTH_HARNESS_DIFF_H
#define GTH_HARNESS_DIFF_H

#include <stddef.h>

#include "harness/adapter.h"
#include "harness/agree.h"
#include "harness/traceset.h"
#include "reduce/reduce.h"

/* Known differences of one adapter: lines "<trace id> <reason>". */
typedef struct gth_expected {
    char **ids, **reasons;
    int *seen; /* set by gth_diff_run when the difference occurred */
    size_t n;
} gth_expected;

int gth_expected_load(gth_expected *e, const char *path, char *why, size_t whysz);
void gth_expected_free(gth_expected *e);
/* The index of the entry for trace id, or -1. */
int gth_expected_find(const gth_expected *e, const char *id);

typedef struct gth_pair {
    size_t a, b; /* adapter indexes; a is the reference */
} gth_pair;

/* What one pair of adapters said on one trace. Pointers are valid during the
 * callback only. */
typedef struct gth_trace_result {
    const gth_trace_item *trace; /* id, set, path */
    size_t pair;                 /* index into the options' pairs */
    const gth_adapter *a, *b;    /* the reference and the adapter compared with it */
    const gth_result *ra, *rb;   /* each side's verdict, error text and stream */
    gth_agreement cmp;           /* verdicts, texts, streams; the first differing line */
    int agree;                   /* verdicts and compared streams agree */
    int known;                   /* a disagreement listed as expected */
    /* New disagreements with an output directory: */
    int reduced;                 /* 1 reduced first, -1 reduction failed, 0 not tried */
    const char *reduce_why;      /* reduced == -1: why */
    gth_reduce_stats reduce_stats; /* reduced == 1 */
    const char *reproducer;      /* the reproducer's path, or NULL */
} gth_trace_result;

typedef struct gth_diff_opts {
    gth_adapter *adapters;
    size_t nadapters;
    gth_expected *expected; /* one per adapter (may be empty) */
    gth_pair *pairs;
    size_t npairs;
    const char *out_dir;    /* reproducers; NULL = none */
    int reduce;             /* minimise each reproducer first (as gth reduce does) */
    /* Called for every trace and pair, after its reproducer was written. */
    void (*on_result)(void *ud, const gth_trace_result *r);
    /* Called after each trace: traces done, of total; new disagreements so far. */
    void (*on_progress)(void *ud, const gth_trace_item *it, size_t done, size_t total, size_t fresh);
    void *ud;
    /* The minimiser's progress (gth_reduce_opts.progress), or NULL. */
    void (*reduce_progress)(void *ud, const gth_reduce_progress *p);
    void *reduce_progress_ud;
} gth_diff_opts;

/* Counts of one pair over one set of traces. */
typedef struct gth_diff_counts {
    size_t traces, verdicts, messages_ok, messages, streams_ok, streams, known, fresh;
} gth_diff_counts;

#define GTH_DIFF_MAX_SETS 16

typedef struct gth_diff_summary {
    const char *sets[GTH_DIFF_MAX_SETS]; /* in order of first appearance (the set's strings) */
    size_t nsets, npairs;
    gth_diff_counts *counts; /* [(nsets + 1) * npairs]: set s, pair p at s * npairs + p; s == nsets: all */
    size_t fresh;            /* new disagreements */
    double seconds;
} gth_diff_summary;

/* Runs every trace through every adapter. Returns 0 (sum filled: free it with
 * gth_diff_summary_free) or -1 when out of memory. */
int gth_diff_run(gth_traceset *ts, gth_diff_opts *o, gth_diff_summary *sum);
void gth_diff_summary_free(gth_diff_summary *sum);
/* The counts of pair p over set s (s == sum->nsets: all traces). */
const gth_diff_counts *gth_diff_counts_at(const gth_diff_summary *sum, size_t s, size_t p);

#endif
