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
#include "harness/report.h"
#include "harness/traceset.h"
#include "reduce/reduce.h"

/* Known differences of one adapter: lines "<pattern> <reason>". The pattern
 * is a trace id or a shell pattern of ids (fnmatch: `*` also matches `/`),
 * e.g. `golden/go122-*`, or `text:"GLOB"`: the adapter's text (of a
 * rejection, error, crash or timeout) matches the Go-quoted shell pattern,
 * e.g. `text:"unknown or unsupported trace version*"`. Blank lines and lines
 * starting with # are ignored. */
typedef struct gth_expected {
    char **ids, **reasons; /* ids: the pattern (for text: entries, the unquoted glob) */
    int *is_text;
    int *seen; /* set by gth_diff_run when the difference occurred */
    size_t n;
} gth_expected;

int gth_expected_load(gth_expected *e, const char *path, char *why, size_t whysz);
void gth_expected_free(gth_expected *e);
/* The index of the first entry whose id pattern matches trace id, or -1. */
int gth_expected_find(const gth_expected *e, const char *id);
/* The index of the first entry matching trace id or, for text: entries, the
 * text (text may be NULL), or -1. */
int gth_expected_match(const gth_expected *e, const char *id, const char *text, size_t textlen);

typedef struct gth_pair {
    size_t a, b; /* adapter indexes; a is the reference */
    int texts;   /* rejection texts must agree (gth_diff_texts_policy) */
} gth_pair;

/* The text policy of a pair: exact (1) when both adapters are gth's or Go's
 * readers, whose texts are Go's; off (0) when either is a foreign parser. */
int gth_diff_texts_policy(const gth_adapter *a, const gth_adapter *b);

/* What one pair of adapters said on one trace. Pointers are valid during the
 * callback only. */
typedef struct gth_trace_result {
    const gth_trace_item *trace; /* id, set, path */
    size_t pair;                 /* index into the options' pairs */
    const gth_adapter *a, *b;    /* the reference and the adapter compared with it */
    const gth_result *ra, *rb;   /* each side's verdict, error text and stream */
    gth_agreement cmp;           /* verdicts, texts, streams; the first differing line */
    int agree;                   /* verdicts and compared streams agree (texts: by the pair's policy) */
    int known;                   /* a disagreement listed as expected */
    int outcome;                 /* GTH_OUTCOME_* (harness/report.h) */
    const char *what;            /* what differs: verdict, panic, text, stream, nondeterministic; or
                                    error, timeout; NULL when they agree */
    int nondet_a, nondet_b;      /* --repeat: the adapter gave different results on the same trace */
    const char *reason;          /* the expected entry's reason, or what failed */
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
    const char *out_dir;    /* reproducers; NULL = none. Emptied first (gth_repro_dir_prepare). */
    gth_report *report;     /* rows of every trace and pair go here too; NULL = none */
    const char *report_dir; /* its directory: reproducer links are relative to it */
    unsigned repeat;        /* run each trace this many times per adapter (0, 1: once) */
    /* Streams across API generations: each pair's streams are normalised in
     * the fields in which its two adapters' generations differ (declared by
     * gth_adapter_capabilities, asked at the start), and always in these
     * (GTH_NORM_*, --normalize). A trace whose version an adapter does not
     * read is not given to it; its pairs are skipped (GTH_OUTCOME_SKIPPED). */
    unsigned normalize;
    /* Adapters run this many traces at a time (each worker with its own
     * processes, gth_adapter_clone); results are still taken in trace order,
     * so output and reproducers do not depend on it. 0, 1: one at a time. */
    size_t jobs;
    int reduce;             /* minimise each reproducer first (as gth reduce does) */
    /* Stream digests: an adapter that makes them (gth_adapter.digest_cap)
     * prints its stream's digest instead of the stream when every pair it is
     * in can compare digests (both sides make them, and the pair's streams
     * need no normalisation); a pair whose digests differ runs the trace
     * again with full streams, for the first differing line. no_digest: full
     * streams always. */
    int no_digest;
    /* The profiles parser and validate of one Go reader (go:parser and
     * go:validate, go@1.XX:parser and :validate) run as one process that
     * reads each trace once for both (--profile=both), when the adapter
     * declares it and the two run alike (gth_adapter_can_join); the results
     * are those of two processes. The time limit then holds for the two
     * answers together: a timeout is one of both. no_join: two processes
     * always. */
    int no_join;
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
    size_t errors, timeouts, skipped, nondet; /* outcomes counted apart (nondet: also in fresh;
                                                 skipped: not in traces) */
} gth_diff_counts;

#define GTH_DIFF_MAX_SETS 16

typedef struct gth_diff_summary {
    const char *sets[GTH_DIFF_MAX_SETS]; /* in order of first appearance (the set's strings) */
    size_t nsets, npairs;
    gth_diff_counts *counts; /* [(nsets + 1) * npairs]: set s, pair p at s * npairs + p; s == nsets: all */
    size_t fresh;            /* new disagreements */
    size_t errors, timeouts; /* traces with an adapter error, with a timeout */
    int fatal;               /* the run could not be done: an adapter could not start or answered
                                nothing, or the output directory could not be prepared */
    char fatal_why[1024];
    double seconds;
} gth_diff_summary;

/* Runs every trace through every adapter. Returns 0 (sum filled: free it with
 * gth_diff_summary_free; sum->fatal says whether the run was stopped) or -1
 * when out of memory. */
int gth_diff_run(gth_traceset *ts, gth_diff_opts *o, gth_diff_summary *sum);
void gth_diff_summary_free(gth_diff_summary *sum);
/* The counts of pair p over set s (s == sum->nsets: all traces). */
const gth_diff_counts *gth_diff_counts_at(const gth_diff_summary *sum, size_t s, size_t p);

#endif
