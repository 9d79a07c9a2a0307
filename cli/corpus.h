/*
 * corpus: what the `gth corpus` commands share — the manifest (corpus/MANIFEST.tsv,
 * one row per case), running one case through Go's reader (the Go adapter) and
 * our validator, and the file helpers. The commands are in cmd_corpus.c; the
 * mutated (invalid) part of `build` is in corpus_invalid.c. See docs/CORPUS.md.
 */
#ifndef GTH_CLI_CORPUS_H
#define GTH_CLI_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "cli/adapter.h"

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

const char *gth_corpus_verdict_word(int verdict); /* ACCEPT, REJECT, ERROR */

/* ---- Running cases ----------------------------------------------------------- */

typedef struct gth_corpus_runner {
    gth_adapter go;     /* Go's reader and testtrace validator (gthref, profile validate) */
    gth_adapter go_raw; /* Go's reader alone: what the golden test's expectation sees */
    gth_adapter gth;    /* our validator, profile validate, in-process */
    char tmpdir[64];
    char binpath[128];  /* where test_to_bin writes */
    gth_buf bin;        /* the last converted trace */
    gth_result rgo, rraw, rgth;
} gth_corpus_runner;

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

/* How much of an error text is the same on every run: all of it, except for two
 * of Go's texts that name what they found in map order ("failed to advance"
 * lists the frontier; an invalid func or file string id is the first met among
 * the stacks), of which only the first words are. The manifest keeps that part. */
size_t gth_corpus_msg_key(const char *msg);
/* 1 if two texts have the same key part. */
int gth_corpus_msg_same(const char *a, const char *b);

/* A binary trace into r->bin and the file r->binpath. 0 or -1 (why). */
int gth_corpus_set_bin(gth_corpus_runner *r, const void *p, size_t n, char *why, size_t whysz);

/* A manifest row from an outcome. 0 or -1 (out of memory). */
int gth_corpus_fill_row(gth_corpus_row *row, const char *id, const char *origin, uint64_t size,
                        const gth_corpus_outcome *o);

/* The version a binary trace's header names (21 for v1), 0 if unreadable. */
unsigned gth_corpus_version(const uint8_t *p, size_t n);

/* The invariant id of inv, "-" for none. */
const char *gth_corpus_inv_id(unsigned inv);

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
