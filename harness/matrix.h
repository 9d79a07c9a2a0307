/*
 * harness/matrix: the compatibility matrix of Go's trace readers. Every
 * release's reader (go@1.22 ... go@1.27, adapters/RELEASES.md) is run against
 * the newest (go) on a trace set, in both profiles, by the differential engine
 * (harness/diff.h). Each disagreement is put in a class with a stable name
 * (what differs, and the reference's normalised error text or the first
 * differing field of the stream); each class is counted per release and
 * profile, and one trace of it is kept as a reproducer, minimised (as gth
 * reduce does) under the predicate "the two readers still differ in this
 * class". docs/READERS.md is the Markdown form of a run.
 */
#ifndef GTH_HARNESS_MATRIX_H
#define GTH_HARNESS_MATRIX_H

#include <stddef.h>
#include <stdio.h>

#include "harness/diff.h"
#include "harness/traceset.h"

#define GTH_MATRIX_RELEASES 6 /* 1.22 ... 1.27 */
#define GTH_MATRIX_PROFILES 2 /* parser, validate */

/* The releases, oldest first ("1.22", ...). */
extern const char *const gth_matrix_releases[GTH_MATRIX_RELEASES];
/* The profiles, in the order of the counts ("parser", "validate"). */
extern const char *const gth_matrix_profiles[GTH_MATRIX_PROFILES];

typedef struct gth_matrix_opts {
    const char *gthref;                             /* the newest reader (gth_find_gthref) */
    const char *release_cmd[GTH_MATRIX_RELEASES];   /* a command in place of gthref-go1.XX (same
                                                       arguments), or NULL */
    int timeout_s;                                  /* per trace and reader; 0: the adapters' default */
    size_t jobs;
    unsigned repeat;                                /* run each trace this many times per reader */
    const char *out_dir;                            /* reproducers; NULL: none */
    int reduce;                                     /* minimise each class's reproducer */
    double reduce_seconds;                          /* time budget of one reduction; 0: none */
    void (*on_progress)(void *ud, const gth_trace_item *it, size_t done, size_t total);
    /* A line of what the run does (reductions), or NULL. */
    void (*on_note)(void *ud, const char *line);
    void *ud;
} gth_matrix_opts;

/* One class of disagreement of one release. */
typedef struct gth_matrix_class {
    char *name;                        /* stable: <kind>[.<detail>], e.g. old-accepts.unexpected-event-... */
    char *key;                         /* what makes the class: kind and the full normalised detail */
    char *detail;                      /* for people: the two readers' error texts, or their first
                                          differing lines, or which one is nondeterministic */
    size_t count[GTH_MATRIX_PROFILES];
    char *example;                     /* the id of its first trace */
    size_t example_profile;            /* the profile it was first seen in (its reproducer's pair) */
    char *example_path;                /* that trace's file (valid while the trace set lives) */
    char *reproducer;                  /* the reproducer written (.trace), or NULL */
    int reduced;                       /* 1 minimised, -1 could not be, 0 not tried */
    unsigned long long bytes_in, bytes_out, events_in, events_out;
    int has_test;                      /* a .test file was written beside it */
} gth_matrix_class;

/* One release in one profile against the newest reader in the same profile. */
typedef struct gth_matrix_counts {
    size_t read;                       /* traces of a version both read (compared) */
    size_t skipped;                    /* traces of a version the release does not read */
    size_t agree;                      /* verdict, texts and stream agree */
    size_t verdicts_agree;
    size_t streams_compared, streams_agree;
    size_t texts_compared, texts_agree;
    size_t disagree;                   /* of the traces read, those in a class */
    size_t timeouts, errors;
} gth_matrix_counts;

typedef struct gth_matrix_release {
    const char *release;               /* "1.22" */
    char reader[GTH_MATRIX_PROFILES][64], reference[GTH_MATRIX_PROFILES][64]; /* adapter names */
    gth_matrix_counts counts[GTH_MATRIX_PROFILES];
    gth_matrix_class *classes;         /* in order of first appearance */
    size_t nclasses;
} gth_matrix_release;

typedef struct gth_matrix {
    gth_matrix_release rel[GTH_MATRIX_RELEASES];
    size_t traces;                     /* in the set */
    const char *sets[GTH_DIFF_MAX_SETS]; /* the set's parts (golden, real, ...) and their traces */
    size_t set_traces[GTH_DIFF_MAX_SETS], nsets;
    unsigned repeat;
    double seconds, reduce_seconds;    /* the run, of which the reductions */
    int fatal;                         /* a reader could not start or answered nothing */
    char fatal_why[1100];
} gth_matrix;

/* Runs the matrix over ts. 0 (m filled; m->fatal says whether the run was
 * stopped; free it with gth_matrix_free), or -1 with why (usage: an override
 * command or a reader that is not there, out of memory). */
int gth_matrix_run(gth_traceset *ts, const gth_matrix_opts *o, gth_matrix *m, char *why, size_t whysz);
void gth_matrix_free(gth_matrix *m);

/* Disagreements (traces in a class) over every release and profile. */
size_t gth_matrix_disagreements(const gth_matrix *m);

/* The class name of a disagreement of b (the old reader) with a (the
 * reference), both results normalised already, texts compared; nondet_*: the
 * reader gave different results when run again. Appends the name to name and
 * the class key to key; returns 0 if the two agree (nothing appended). */
int gth_matrix_classify(const gth_result *a, const gth_result *b, int nondet_a, int nondet_b, gth_buf *name,
                        gth_buf *key);

/* The result as Markdown: a summary table (a row per release and profile),
 * then the classes of each release. 0, or -1 on a write error. */
int gth_matrix_write_markdown(FILE *f, const gth_matrix *m);

#endif
