/*
 * Truncation: real traces written by our test programs (adapters/go/testprogs,
 * normal and stress mode) and Go's golden tests, cut at every batch boundary
 * (the offsets format/decode reports for EventBatch, ExperimentalBatch and
 * EndOfGeneration) and at random offsets (fixed seed), through our reader in
 * both profiles. Every cut must give a verdict, never a crash (run it in the
 * asan build too), and an error unless Go accepts the same bytes: a cut our
 * reader accepts is always checked with Go's reader, and a sample of cuts (all
 * cuts of small traces) must get Go's verdict and message exactly.
 *
 * Large traces get a sample of their boundaries so that the bytes read stay
 * bounded (the asan build must finish in about a minute); every boundary of
 * the small real traces and of the goldens is cut.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/decode.h"
#include "harness/agree.h"
#include "spec/invariants.h"
#include "spec/spec.h"

enum {
    RANDOM_CUTS = 24,     /* random offsets per trace, at most */
    MIN_RANDOM = 2,       /* ... and at least */
    SMALL = 64 * 1024,    /* traces up to this size: Go checks every cut */
    GO_SAMPLE = 6,        /* cuts per larger trace that Go checks anyway */
    BUDGET = 2 << 20,     /* bytes read per trace and profile at boundaries, about */
    RANDOM_BUDGET = 1 << 20, /* ... and at random offsets */
    MIN_BOUNDARIES = 4    /* boundaries cut even when over budget */
};

static char cutdir[4096]; /* where the cuts Go judges are written */

typedef struct offsets {
    size_t *v, n, cap;
} offsets;

static void add(offsets *o, size_t off) {
    if (o->n == o->cap) o->v = realloc(o->v, (o->cap = o->cap ? 2 * o->cap : 64) * sizeof *o->v);
    o->v[o->n++] = off;
}

static int batch_start(void *ud, const gth_raw_event *ev) {
    if (ev->code == GTH_EV_EventBatch || ev->code == GTH_EV_ExperimentalBatch || ev->code == GTH_EV_EndOfGeneration)
        add(ud, (size_t)ev->offset);
    return 0;
}

/* xorshift: the same offsets on every run. */
static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void) { return tu_xorshift(&rng); }

typedef struct cut {
    const char *src; /* the trace it was cut from */
    size_t len;
    int boundary;
    tu_verdict us[2]; /* parser, validate */
} cut;

typedef struct tally {
    cut *v;
    size_t n, cap;
    size_t boundaries, randoms, accepted;
    uint64_t bytes;
} tally;

/* Cuts one trace, appending the cuts Go is to judge (indices into t->v) to
 * *gosel. Returns 1 if every batch boundary was cut. */
static int cut_trace(const char *path, tally *t, offsets *gosel) {
    size_t len;
    uint8_t *d = tu_read_file(path, &len);
    offsets b = {0};
    unsigned minor = 0;
    gth_error err;
    /* A golden with broken framing still yields the boundaries before the break. */
    (void)gth_decode_all(d, len, GTH_DEC_FULL_TABLE, NULL, &minor, batch_start, &b, &err);
    if (b.n == 0 && len > 16) fail_msg("%s: no batch found", path);
    /* Boundaries strictly inside the trace; the end is the whole trace. */
    offsets cuts = {0};
    size_t step = 1;
    if ((uint64_t)len * b.n / 2 > BUDGET) {
        size_t fit = (size_t)(2 * (uint64_t)BUDGET / len);
        if (fit < MIN_BOUNDARIES) fit = MIN_BOUNDARIES;
        step = (b.n + fit - 1) / fit;
    }
    for (size_t i = 0; i < b.n; i += step)
        if (b.v[i] < len) add(&cuts, b.v[i]);
    size_t nb = cuts.n;
    size_t nrand = len > 1 ? (size_t)(2 * (uint64_t)RANDOM_BUDGET / len) : 0;
    if (nrand > RANDOM_CUTS) nrand = RANDOM_CUTS;
    if (nrand < MIN_RANDOM) nrand = MIN_RANDOM;
    for (size_t k = 0; k < nrand && len > 1; k++) add(&cuts, (size_t)(rnd() % (len - 1)) + 1);

    for (size_t i = 0; i < cuts.n; i++) {
        if (t->n == t->cap) t->v = realloc(t->v, (t->cap = t->cap ? 2 * t->cap : 1024) * sizeof *t->v);
        cut *c = &t->v[t->n];
        memset(c, 0, sizeof *c);
        c->src = path;
        c->len = cuts.v[i];
        c->boundary = i < nb;
        tu_ours(d, c->len, GTH_PROFILE_PARSER, &c->us[0]);
        tu_ours(d, c->len, GTH_PROFILE_VALIDATE, &c->us[1]);
        t->bytes += 2 * c->len;
        t->boundaries += (size_t)c->boundary;
        t->randoms += (size_t)!c->boundary;
        /* Go judges every cut we accept, every cut of a small trace, and a few
         * boundaries (spread over the trace) of the others. */
        int sample = c->boundary && nb >= GO_SAMPLE && i % (nb / GO_SAMPLE) == 0;
        if (c->us[0].accepted || c->us[1].accepted || len <= SMALL || sample) {
            char cpath[4400];
            snprintf(cpath, sizeof cpath, "%s/%zu.bin", cutdir, gosel->n);
            tu_write_file(cpath, d, c->len);
            add(gosel, t->n);
        }
        t->accepted += (size_t)c->us[0].accepted;
        t->n++;
    }
    free(cuts.v);
    free(b.v);
    free(d);
    return step == 1;
}

static void test_truncations(void **state) {
    (void)state;
    char **real, **gold;
    size_t nreal = tu_real_traces(tu_tmpdir("trunc-real"), NULL, &real);
    size_t ngold = tu_golden_binaries(tu_tmpdir("trunc-gold"), &gold);
    assert_true(nreal >= 8);

    snprintf(cutdir, sizeof cutdir, "%s", tu_tmpdir("trunc-cuts"));
    tally t = {0};
    offsets gosel = {0};
    size_t full = 0; /* real traces cut at every batch boundary */
    for (size_t i = 0; i < nreal; i++) full += (size_t)cut_trace(real[i], &t, &gosel);
    size_t real_cuts = t.n;
    for (size_t i = 0; i < ngold; i++) cut_trace(gold[i], &t, &gosel);

    /* Go's verdicts on the cuts written for it, profile by profile. */
    char **paths = calloc(gosel.n + 1, sizeof *paths);
    for (size_t k = 0; k < gosel.n; k++) {
        paths[k] = malloc(4400);
        snprintf(paths[k], 4400, "%s/%zu.bin", cutdir, k);
    }
    static const char *const profiles[2] = {"parser", "validate"};
    size_t go_accepted = 0, bad = 0;
    for (int p = 0; p < 2; p++) {
        tu_verdict *go = tu_go_verdicts(paths, gosel.n, profiles[p]);
        for (size_t k = 0; k < gosel.n; k++) {
            const cut *c = &t.v[gosel.v[k]];
            const tu_verdict *us = &c->us[p];
            go_accepted += (size_t)go[k].accepted;
            if (go[k].accepted == us->accepted && gth_same_message_str(go[k].msg, us->msg)) continue;
            if (bad++ < 10)
                print_message("MISMATCH %s cut at %zu (%s), profile %s\n  go: %.300s\n  us: %.300s\n", c->src, c->len,
                              c->boundary ? "batch boundary" : "random", profiles[p],
                              go[k].accepted ? "ACCEPT" : go[k].msg, us->accepted ? "ACCEPT" : us->msg);
        }
        tu_verdicts_free(go, gosel.n);
    }
    if (bad) fail_msg("%zu verdicts on cut traces differ from Go", bad);
    /* Every accepted cut was among those Go judged (and Go accepted it). */
    print_message("%zu real traces (%zu cut at every batch boundary) and %zu goldens cut %zu times (%zu at batch boundaries, %zu random; %zu of real "
                  "traces), %.1f MB read; %zu accepted by our parser profile; Go judged %zu cuts (%zu accepted, "
                  "both profiles) and agrees\n",
                  nreal, full, ngold, t.n, t.boundaries, t.randoms, real_cuts, (double)t.bytes / 1e6, t.accepted, gosel.n,
                  go_accepted);
    assert_true(t.boundaries >= 200);
    assert_true(full >= 4);

    for (size_t k = 0; k < gosel.n; k++) free(paths[k]);
    free(paths);
    for (size_t i = 0; i < t.n; i++) {
        free(t.v[i].us[0].msg);
        free(t.v[i].us[1].msg);
    }
    free(t.v);
    free(gosel.v);
    tu_free_list(real);
    tu_free_list(gold);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
