/*
 * diff: the differential runner. A trace set (files, directories, Go's golden
 * tests and fuzz corpus, real traces, deterministic variants) is run through
 * several adapters; pairs of adapters are compared on verdicts, error texts and
 * canonical streams; every disagreement not in an adapter's expected-failures
 * list is a finding, written out as a self-contained reproducer.
 */
#ifndef GTH_CLI_DIFF_H
#define GTH_CLI_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include "cli/adapter.h"

typedef struct gth_trace_item {
    char *id;   /* stable name, e.g. golden/go122-gc-stress */
    char *set;  /* golden, fuzz, real, variant, file, ... */
    char *path; /* a binary trace */
} gth_trace_item;

typedef struct gth_traceset {
    gth_trace_item *v;
    size_t n, cap;
    char tmpdir[4096]; /* converted and derived traces live here */
} gth_traceset;

int gth_traceset_init(gth_traceset *ts, char *why, size_t whysz);
void gth_traceset_free(gth_traceset *ts); /* removes the temporary files */
/* A file (binary trace, Go text trace, .test, go test fuzz v1) or a directory of
 * them (recursively, in name order). */
int gth_traceset_add_path(gth_traceset *ts, const char *path, const char *set, char *why, size_t whysz);
/* GOROOT of the go command on PATH, into buf; NULL if there is none. */
const char *gth_goroot(char *buf, size_t n);
/* Go's golden tests and FuzzReader corpus from GOROOT. */
int gth_traceset_add_goroot(gth_traceset *ts, const char *goroot, char *why, size_t whysz);
/* Deterministic truncations and one-byte corruptions of the traces of `set`
 * already in ts, at most `max` of them. */
int gth_traceset_add_variants(gth_traceset *ts, const char *set, size_t max, char *why, size_t whysz);

/* Mutants of the traces of `set` already in ts (mutate/, one operator
 * each, seeds from the parent's id), at most `max`, spread over the parents of
 * at most 128 KiB; set "mutant", ids mutant/<parent>-<operator>-<k>. Most are
 * invalid, near-valid traces that Go's verdict labels. */
int gth_traceset_add_mutants(gth_traceset *ts, const char *set, size_t max, char *why, size_t whysz);

/* Generated traces: `per_version` seeds (from 1) of every v2 version, set
 * "generated", ids generated/go1.NN-SEED. */
int gth_traceset_add_generated(gth_traceset *ts, size_t per_version, char *why, size_t whysz);

/* Known differences of one adapter: lines "<trace id> <reason>". */
typedef struct gth_expected {
    char **ids, **reasons;
    int *seen;
    size_t n;
} gth_expected;

int gth_expected_load(gth_expected *e, const char *path, char *why, size_t whysz);
void gth_expected_free(gth_expected *e);

typedef struct gth_pair {
    size_t a, b; /* adapter indexes; a is the reference */
} gth_pair;

typedef struct gth_diff_opts {
    gth_adapter *adapters;
    size_t nadapters;
    gth_expected *expected; /* one per adapter (may be empty) */
    gth_pair *pairs;
    size_t npairs;
    const char *out_dir;    /* reproducers; NULL = none */
    int json;               /* summary as JSON on stdout */
    int verbose;
    FILE *log;              /* progress and findings (stderr) */
    int reduce;             /* minimise each reproducer first (gth reduce) */
} gth_diff_opts;

/* 1 if two error texts are the same, as the runner compares them: equal, or
 * both Go's "failed to advance" (whose state dump is in Go's map order). */
int gth_diff_same_message(const gth_buf *a, const gth_buf *b);
/* Appends s[0..n) escaped as a literal for an RE2 regexp. */
void gth_regexp_quote(gth_buf *b, const uint8_t *s, size_t n);
/* 1 if two adapters' results agree as the runner judges them: the same verdict
 * and, where compared, the same canonical stream (one stopping early is a
 * prefix of the other); with texts, also the same rejection text. */
int gth_results_agree(const gth_result *a, const gth_result *b, int texts);

/* Writes bin[0..len) as a .test file in Go's golden layout at path: the comment,
 * the expectation of result `expect` (ACCEPT: SUCCESS; REJECT: FAILURE with the
 * first line of its text as a literal regexp) and the trace in Go's text
 * format (Go's flat raw view). 0, or -1 with why (e.g. not representable). */
int gth_diff_write_test(const char *path, const uint8_t *bin, size_t len, const char *comment, const gth_result *expect,
                        char *why, size_t whysz);

/* Runs every trace through every adapter and prints the agreement table.
 * Returns 0 when every disagreement is a known one, 1 when there is a new one,
 * 2 on an error. */
int gth_diff_run(gth_traceset *ts, gth_diff_opts *o);

#endif
