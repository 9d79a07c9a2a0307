/*
 * harness/traceset: the traces a differential run goes over. Files (binary
 * traces, Go text traces, .test files, `go test fuzz v1` files) and directories
 * of them, Go's golden tests and FuzzReader corpus, and traces derived from
 * those already in the set: generated traces, deterministic truncations and
 * corruptions (variants), and mutants. Every item is a binary trace on disk
 * with a stable id; converted and derived traces live in the set's temporary
 * directory.
 */
#ifndef GTH_HARNESS_TRACESET_H
#define GTH_HARNESS_TRACESET_H

#include <stddef.h>

typedef struct gth_trace_item {
    char *id;   /* stable name, e.g. golden/go122-gc-stress, unique in the set: a name met
                   again (file/t.test of two directories) gets ~2, ~3, ... before its extension */
    char *set;  /* golden, fuzz, real, variant, file, ... */
    char *path; /* a binary trace */
} gth_trace_item;

typedef struct gth_traceset {
    gth_trace_item *v;
    size_t n, cap;
    size_t skipped;    /* files of directories that are not traces (e.g. a MANIFEST), left out */
    size_t *ids;       /* hash table of ids: index + 1 into v, 0 empty */
    size_t idcap;
    char tmpdir[4096]; /* converted and derived traces live here */
} gth_traceset;

int gth_traceset_init(gth_traceset *ts, char *why, size_t whysz);
void gth_traceset_free(gth_traceset *ts); /* removes the temporary files */
/* A file (binary trace, Go text trace, .test, go test fuzz v1) or a directory of
 * them (recursively, in name order; files in it that are none of these are
 * skipped and counted in ts->skipped). */
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

/* Derives traces (gth_traceset_add_variants, _add_mutants) once from each set
 * present in ts, in the order the sets first appear, except the set `skip`
 * (NULL: none). */
typedef int (*gth_traceset_derive_fn)(gth_traceset *ts, const char *set, size_t max, char *why, size_t whysz);
int gth_traceset_derive_per_set(gth_traceset *ts, gth_traceset_derive_fn derive, size_t max, const char *skip,
                                char *why, size_t whysz);

/* The built-in set of `gth conform` (and `gth matrix`): Go's golden tests and
 * FuzzReader corpus from the toolchain on PATH; real traces (none with
 * no_real; those of real_dir if set, else freshly written into the set's
 * temporary directory by the test programs, source_dir/adapters/go/testprogs/
 * run.sh); `generated` traces per version; `variants` truncations and
 * corruptions of the golden traces; `mutants` mutants of the golden and of the
 * generated traces each. A count below 0 takes the default (50, 2000, 150). */
typedef struct gth_conform_set {
    const char *source_dir;
    const char *real_dir;
    int no_real;
    long generated, variants, mutants;
} gth_conform_set;

int gth_traceset_add_conform(gth_traceset *ts, const gth_conform_set *c, char *why, size_t whysz);

#endif
