/*
 * harness/gencheck: what our validator sees of generated traces, for the last
 * section of `gth gen --coverage`. Each trace is validated in-process in every
 * profile (parser, validate, strict); the report gives the traces accepted per
 * profile, the first rejection of each (a generator or validator bug: every
 * generated trace must be valid), and the kinds of the events the reader
 * delivered in profile validate, as the canonical stream names them
 * (docs/EVENTS.md; state transitions split by resource).
 */
#ifndef GTH_HARNESS_GENCHECK_H
#define GTH_HARNESS_GENCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "generator/gen.h"

#define GTH_GEN_CHECK_KINDS 64

typedef struct gth_gen_check {
    uint64_t traces;
    uint64_t accepted[3]; /* by profile: parser, validate, strict */
    uint64_t events;      /* events of the streams (profile validate) */
    /* The first rejection in each profile: seed, finding. */
    int rejected[3];
    uint64_t reject_seed[3];
    char reject_msg[3][300];
    /* Event kinds delivered, in order of first appearance. */
    char kind[GTH_GEN_CHECK_KINDS][40];
    uint64_t kind_count[GTH_GEN_CHECK_KINDS];
    size_t nkinds;
    int failed; /* out of memory or an I/O failure: the counts are short */
} gth_gen_check;

void gth_gen_check_init(gth_gen_check *k);
/* Validates one binary trace (made with seed) in every profile. Returns 0, or
 * -1 if the validator could not run (out of memory): k->failed is set. */
int gth_gen_check_add(gth_gen_check *k, const uint8_t *trace, size_t len, uint64_t seed);
/* Traces some profile rejected. */
uint64_t gth_gen_check_rejected(const gth_gen_check *k);
/* The section of the coverage report (a gth_gen_invariant_paths_fn; ud: the
 * gth_gen_check). */
int gth_gen_check_report(void *ud, gth_buf *out, const gth_gen_coverage *c);

#endif
