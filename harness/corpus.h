/*
 * harness/corpus: the golden corpus (docs/CORPUS.md) — the manifest
 * (corpus/MANIFEST.tsv, one row per case), its sets, running one case through
 * Go's reader (the Go adapter) and our validator, building the corpus
 * (corpus_build.c; the mutated part in corpus_invalid.c), checking it
 * (corpus_check.c), counting what it covers (corpus_stats.c) and exporting it
 * (corpus_export.c). The runner's streams take what these print: `out` the
 * results (excluded cases, mismatches), `log` progress and errors.
 */
#ifndef GTH_HARNESS_CORPUS_H
#define GTH_HARNESS_CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "generator/gen.h"
#include "harness/adapter.h"
#include "spec/invariants.h"
#include "spec/spec.h"

/* ---- The manifest ---------------------------------------------------------- */

typedef struct gth_corpus_row {
    char *id;          /* path under the corpus directory: valid/go1.26-gen-s0001.test */
    unsigned version;  /* header minor version (21 for the v1 traces of Go 1.21) */
    char *origin;      /* how the case was made (docs/CORPUS.md) */
    uint64_t size;     /* bytes of the file */
    int go_verdict;    /* RES_* of Go's reader + testtrace validator */
    char *go_error;    /* its error text, "" on ACCEPT */
    int gth_verdict;   /* RES_* of our validator (profile validate) */
    char *gth_inv;     /* the invariant id of our rejection, "-" on ACCEPT */
} gth_corpus_row;

typedef struct gth_corpus_manifest {
    gth_corpus_row *v;
    size_t n, cap;
} gth_corpus_manifest;

void gth_corpus_row_free(gth_corpus_row *r);
void gth_corpus_manifest_free(gth_corpus_manifest *m);
/* Appends *r (ownership moves; *r is zeroed). 0 or -1 (out of memory). */
int gth_corpus_manifest_push(gth_corpus_manifest *m, gth_corpus_row *r);
int gth_corpus_manifest_load(gth_corpus_manifest *m, const char *path, char *why, size_t whysz);
/* Sorts by id and writes the file. 0 or -1 (errno). */
int gth_corpus_manifest_write(gth_corpus_manifest *m, const char *path);
/* Appends s[0..n) as a field of a tab-separated file: \\, \t, \n and \r escaped
 * (the manifest's and corpus/readers/EXPECT.tsv's fields). */
void gth_corpus_tsv_escape(gth_buf *b, const char *s, size_t n);


/* ---- Running cases ----------------------------------------------------------- */

typedef struct gth_corpus_runner {
    gth_adapter go;     /* Go's reader and testtrace validator (gthref, profile validate) */
    gth_adapter go_raw; /* Go's reader alone: what the golden test's expectation sees */
    gth_adapter gth;    /* our validator, profile validate, in-process */
    char tmpdir[64];
    char binpath[128];  /* where test_to_bin writes */
    gth_buf bin;        /* the last converted trace */
    gth_result rgo, rraw, rgth;
    FILE *out;          /* results (stdout) */
    FILE *log;          /* progress and errors (stderr) */
} gth_corpus_runner;

/* Finds the Go adapter (gth_find_gthref), makes a temporary directory; out and
 * log are stdout and stderr. 0 or -1 (why). */
int gth_corpus_runner_open(gth_corpus_runner *r, char *why, size_t whysz);
void gth_corpus_runner_close(gth_corpus_runner *r);

/* What Go and we say about one case. Messages point into the runner's results
 * (valid until the next run). */
typedef struct gth_corpus_outcome {
    unsigned version;
    int go, go_raw, gth; /* RES_*; go_raw is RES_ERROR unless asked for */
    const char *go_msg, *go_raw_msg, *gth_msg;
    unsigned inv;        /* our rejection's invariant */
} gth_corpus_outcome;

/* Runs the binary trace at path through Go (validate profile), Go's reader alone
 * when want_raw, and our validator. 0, or -1 when an adapter fails (why). */
int gth_corpus_run(gth_corpus_runner *r, const char *path, int want_raw, gth_corpus_outcome *o, char *why,
                   size_t whysz);
/* A text trace or .test file as Go's bytes (Go's raw text writer), into r->bin
 * and the file r->binpath. 0 or -1 (why). */
int gth_corpus_to_bin(gth_corpus_runner *r, const void *p, size_t n, const char *name, char *why, size_t whysz);

/* A binary trace into r->bin and the file r->binpath. 0 or -1 (why). */
int gth_corpus_set_bin(gth_corpus_runner *r, const void *p, size_t n, char *why, size_t whysz);

/* A manifest row from an outcome. 0 or -1 (out of memory). */
int gth_corpus_fill_row(gth_corpus_row *row, const char *id, const char *origin, uint64_t size,
                        const gth_corpus_outcome *o);

/* The version a binary trace's header names (21 for v1), 0 if unreadable. */
unsigned gth_corpus_version(const uint8_t *p, size_t n);

/* The invariant id of inv, "-" for none. */
const char *gth_corpus_inv_id(unsigned inv);

/* ---- The sets ------------------------------------------------------------------ */

/* What both Go and we must say about a case of a set. */
enum { GTH_CORPUS_WANT_ANY, GTH_CORPUS_WANT_ACCEPT, GTH_CORPUS_WANT_REJECT };

typedef struct gth_corpus_set {
    const char *dir;
    const char *suffix;
    int want;   /* GTH_CORPUS_WANT_* */
    int golden; /* .test files that Go's TestReaderGolden runs */
} gth_corpus_set;

extern const gth_corpus_set gth_corpus_sets[];
#define GTH_CORPUS_NSETS 5
/* The set of case id (by its directory), NULL if none. */
const gth_corpus_set *gth_corpus_set_of(const char *id);
/* 1 if case id is a .test file. */
int gth_corpus_is_test(const char *id);

/* ---- Build, check, stats ---------------------------------------------------------- */

/* The versions the generated cases are of. */
extern const unsigned gth_corpus_versions[];
#define GTH_CORPUS_NVERSIONS 4

/* Regenerates dir's generated and mutated parts (per_version valid seeds,
 * about `invalid` mutated cases), runs Go and us on every case and on dir/real,
 * and writes dir/MANIFEST.tsv. Returns an exit code (0 ok, 2 I/O, 3 internal). */
int gth_corpus_build(gth_corpus_runner *run, const char *dir, uint64_t per_version, uint64_t invalid);
/* Parses a generated case's origin ("gen --version ...") into a configuration. 0 or -1. */
int gth_corpus_gen_origin_parse(const char *origin, gth_gen_config *c);

/* Checks the manifest's rows (all, or an evenly spread sample of `sample`)
 * against the files, Go, our validator and each case's origin, printing a
 * MISMATCH line on run->out for each (and "ok ID" when verbose). Returns the
 * number of mismatches; *checked the rows checked. */
size_t gth_corpus_check(gth_corpus_runner *run, const char *dir, const gth_corpus_manifest *man, uint64_t sample,
                        int verbose, size_t *checked);

/* What the corpus covers: cases and bytes per set and version, events of every
 * type per version and column (valid, invalid and real cases), rejections per
 * invariant. */
enum { GTH_CORPUS_COL_VALID, GTH_CORPUS_COL_INVALID, GTH_CORPUS_COL_REAL, GTH_CORPUS_NCOLS };
#define GTH_CORPUS_MAX_MINOR 27
typedef struct gth_corpus_stats {
    size_t ncases;
    uint64_t cases[GTH_CORPUS_NSETS][GTH_CORPUS_MAX_MINOR]; /* by minor version */
    uint64_t bytes[GTH_CORPUS_NSETS];
    uint64_t codes[GTH_CORPUS_MAX_MINOR][GTH_NUM_CODES][GTH_CORPUS_NCOLS];
    uint64_t inv[GTH_INV__COUNT]; /* cases of a rejecting set rejected for each */
} gth_corpus_stats;

/* Counts dir's cases (its manifest and files). NULL with why on failure; free()
 * the result. Unreadable case files are reported on log and skipped. */
gth_corpus_stats *gth_corpus_stats_compute(const char *dir, FILE *log, char *why, size_t whysz);

/* Writes dir's cases as `go test fuzz v1` files into fuzz_dir (Go's
 * FuzzReader corpus), or as OSS-Fuzz seed corpora into zip_dir:
 * binary_seed_corpus.zip, text_seed_corpus.zip, test_seed_corpus.zip (stored,
 * fixed timestamps: the same cases give the same bytes). One of the two is
 * NULL. Reports on log; returns an exit code (0, or 2). */
int gth_corpus_export(const char *dir, const char *fuzz_dir, const char *zip_dir, FILE *log);

/* ---- Files ---------------------------------------------------------------------- */

int gth_corpus_write_file(const char *path, const void *p, size_t n);
/* Sorted names of the files in dir ending in suffix; the count (0 if dir does
 * not exist), or -1 (errno). Free with gth_corpus_free_list. */
long gth_corpus_list(const char *dir, const char *suffix, char ***names);
void gth_corpus_free_list(char **names, long n);
/* Removes dir's files ending in suffix. 0 or -1. */
int gth_corpus_remove(const char *dir, const char *suffix);

/* ---- The mutated part (corpus_invalid.c) -------------------------------------
 * Derives about `target` invalid cases from the valid ones, writes them under
 * dir and adds their rows. *excluded counts candidates left out. Returns an
 * exit code. */
int gth_corpus_build_invalid(const char *dir, gth_corpus_runner *run, gth_corpus_manifest *man, size_t target,
                             size_t *excluded);
/* The bytes of the mutated case id from its origin ("mutate ..."), appended to
 * out. 0, or -1 (why). */
int gth_corpus_rederive(const char *dir, const char *origin, const char *id, gth_buf *out, char *why,
                        size_t whysz);

#endif
