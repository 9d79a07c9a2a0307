/*
 * harness/derive: `gth mutate --derive`, a labelled corpus of invalid traces
 * grown from valid ones. Parents are the traces of a trace set that Go and we
 * both accept; each attempt applies one mutator operator (or a stack of them)
 * with a seed; every mutant Go or we reject is kept as a .test in Go's golden
 * layout (expectation: Go's verdict) or, when the text format cannot carry it,
 * as .bin, and listed in OUTDIR/MANIFEST; where our verdict or text differs
 * from Go's, it goes to OUTDIR/findings/ instead, with both texts.
 */
#ifndef GTH_HARNESS_DERIVE_H
#define GTH_HARNESS_DERIVE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct gth_derive_opts {
    const char *outdir;
    long count;       /* mutants to keep */
    long generated;   /* generated parents per version (seeds 1..N) */
    long stack;       /* operators per mutant, each on the previous mutant (1..16) */
    uint64_t seed;    /* of the first attempt; attempt k uses seed + k */
    int no_golden;    /* leave out Go's golden tests as parents */
    const char *from[64]; /* more parents: files or directories */
    size_t nfrom;
} gth_derive_opts;

/* Runs the derivation, reporting on log (findings, a summary, errors). Returns
 * 0, 1 when there are findings, 2 on an error. */
int gth_derive(const gth_derive_opts *d, FILE *log);

#endif
