/*
 * The structure-aware mutator (mutate/): every operator applies to some
 * of the inputs (generated traces of every version, Go's golden tests), its
 * mutants differ from the parent as the operator says (one event fewer, one
 * goroutine argument changed, a batch more ...), semantic mutants keep framing
 * (they decode batch by batch), the output is a function of (input, seed, op),
 * the operator list is stable, garbage never crashes it, the AFL++ library and
 * the libFuzzer entry points work, and a small `gth mutate --derive` run writes
 * .test files whose expectations Go's reader meets.
 */
#include "util/testutil.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/quote.h"
#include "format/decode.h"
#include "format/testfile.h"
#include "mutate/mutator.h"
#include "generator/gen.h"
#include "spec/spec.h"

/* The libFuzzer entry points, with libFuzzer's own mutator stubbed: it marks
 * its calls by reversing the input. */
static int fuzzer_mutate_calls;
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size) {
    fuzzer_mutate_calls++;
    for (size_t i = 0; i < size / 2; i++) {
        uint8_t x = data[i];
        data[i] = data[size - 1 - i];
        data[size - 1 - i] = x;
    }
    return size < max_size ? size : max_size;
}
#include "fuzz/engine/libfuzzer_custom.c"

/* ---- Inputs -------------------------------------------------------------------- */

typedef struct input {
    char name[64];
    uint8_t *data;
    size_t len;
} input;

static input inputs[64];
static size_t ninputs;

static void add_input(const char *name, const uint8_t *p, size_t n) {
    assert_true(ninputs < sizeof inputs / sizeof inputs[0]);
    input *in = &inputs[ninputs++];
    snprintf(in->name, sizeof in->name, "%s", name);
    in->data = malloc(n);
    memcpy(in->data, p, n);
    in->len = n;
}

static int setup(void **state) {
    (void)state;
    static const unsigned versions[] = {22, 23, 25, 26};
    for (size_t v = 0; v < 4; v++)
        for (uint64_t seed = 1; seed <= 2; seed++) {
            size_t len;
            uint8_t *p = tu_generate(versions[v], seed, 300, 3, &len);
            char name[64];
            snprintf(name, sizeof name, "gen-1.%u-%llu", versions[v], (unsigned long long)seed);
            add_input(name, p, len);
            free(p);
        }
    char **bins;
    size_t n = tu_golden_binaries(tu_tmpdir("mutator-golden"), &bins);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *p = tu_read_file(bins[i], &len);
        add_input(strrchr(bins[i], '/') + 1, p, len);
        free(p);
    }
    tu_free_list(bins);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    for (size_t i = 0; i < ninputs; i++) free(inputs[i].data);
    ninputs = 0;
    return 0;
}

/* ---- Decoded views ------------------------------------------------------------------ */

typedef struct ev {
    uint8_t code;
    uint64_t args[GTH_MAX_ARGS];
    const gth_event_spec *spec;
    size_t nframes;
    uint64_t frames_sum;
} ev;

typedef struct view {
    unsigned minor;
    ev *v;
    size_t n, cap;
    size_t timed, batches, strings, stacks, eogs, frames;
} view;

static int on_ev(void *ud, const gth_raw_event *e) {
    view *w = ud;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 1024;
        w->v = realloc(w->v, w->cap * sizeof *w->v);
    }
    ev *x = &w->v[w->n++];
    memset(x, 0, sizeof *x);
    x->code = e->code;
    x->spec = e->spec;
    memcpy(x->args, e->args, sizeof x->args);
    x->nframes = e->nframes;
    for (size_t i = 0; i < e->nframes * 4; i++) x->frames_sum = x->frames_sum * 31 + e->frames[i] + 1;
    w->timed += (e->spec->flags & GTH_F_TIMED) != 0;
    w->batches += e->code == GTH_EV_EventBatch || e->code == GTH_EV_ExperimentalBatch;
    w->strings += e->code == GTH_EV_String;
    w->stacks += e->code == GTH_EV_Stack;
    w->eogs += e->code == GTH_EV_EndOfGeneration;
    w->frames += e->nframes;
    return 0;
}

/* Flat decoding with the full table, as the mutator reads. */
static int view_of(const uint8_t *p, size_t n, view *w) {
    memset(w, 0, sizeof *w);
    gth_error err;
    return gth_decode_all(p, n, GTH_DEC_FLAT | GTH_DEC_FULL_TABLE, NULL, &w->minor, on_ev, w, &err);
}

static int count_only(void *ud, const gth_raw_event *e) {
    (void)ud;
    (void)e;
    return 0;
}

/* Framing: the whole output decodes batch by batch, sizes trusted. */
static int framing_ok(const uint8_t *p, size_t n, char *why, size_t whysz) {
    gth_error err;
    unsigned minor = 0;
    int rc = gth_decode_all(p, n, GTH_DEC_FULL_TABLE, NULL, &minor, count_only, NULL, &err);
    if (rc != GTH_OK) snprintf(why, whysz, "offset %llu: %s", (unsigned long long)err.offset, err.msg);
    return rc == GTH_OK;
}

/* ---- What each operator must do ---------------------------------------------------- */

enum {
    C_TIMED = 1,  /* timed events change by delta, all else kept */
    C_REORDER,    /* same events (as a multiset of codes), different order or place */
    C_ARGS,       /* same events; exactly ndiff arguments differ, all of the given kinds */
    C_STRINGS,    /* string entries change by delta */
    C_STACKS,     /* stack entries change by delta */
    C_FRAMES,     /* frames change by delta (0: same count, different values) */
    C_BATCHES,    /* batch headers change by delta, the events they hold kept */
    C_BATCH_DUP,  /* one batch header more, and the events of a batch more */
    C_BATCH_DROP, /* fewer batch headers and fewer events */
    C_EOGS,       /* EndOfGeneration markers change by delta */
    C_VERSION,    /* header version changes, events kept */
    C_TRUNC,      /* a proper prefix */
    C_VARINT,     /* differs; bytes before the varint kept */
    C_FLIP,       /* one bit of one byte */
    C_SET         /* one byte */
};

#define K(k) (1u << GTH_K_##k)
#define SEQS (K(GSEQ) | K(PSEQ) | K(GCSEQ))

static const struct expectation {
    const char *name;
    int check, delta;
    uint32_t kinds;
} expectations[] = {
    {"event-drop", C_TIMED, -1, 0},
    {"event-dup", C_TIMED, 1, 0},
    {"event-swap", C_REORDER, 0, 0},
    {"event-move", C_REORDER, 0, 0},
    {"event-move-thread", C_REORDER, 0, 0},
    {"event-move-gen", C_REORDER, 0, 0},
    {"event-dt", C_ARGS, 1, K(DT)},
    {"seq-bump", C_ARGS, 1, SEQS},
    {"seq-reset", C_ARGS, 1, SEQS},
    {"seq-swap", C_ARGS, 2, SEQS},
    {"gstatus-change", C_ARGS, 1, K(GSTATUS)},
    {"pstatus-change", C_ARGS, 1, K(PSTATUS)},
    {"goroutine-id-existing", C_ARGS, 1, K(GOROUTINE)},
    {"goroutine-id-fresh", C_ARGS, 1, K(GOROUTINE)},
    {"proc-id-existing", C_ARGS, 1, K(PROC)},
    {"proc-id-fresh", C_ARGS, 1, K(PROC)},
    {"thread-id-existing", C_ARGS, 1, K(THREAD)},
    {"thread-id-fresh", C_ARGS, 1, K(THREAD)},
    {"stack-id-existing", C_ARGS, 1, K(STACK) | K(NEW_STACK)},
    {"stack-id-fresh", C_ARGS, 1, K(STACK) | K(NEW_STACK)},
    {"string-id-existing", C_ARGS, 1, K(STRING)},
    {"string-id-fresh", C_ARGS, 1, K(STRING)},
    {"task-id-existing", C_ARGS, 1, K(TASK)},
    {"task-id-fresh", C_ARGS, 1, K(TASK)},
    {"batch-gen", C_ARGS, 1, K(GEN)},
    {"freq-change", C_ARGS, 1, K(FREQ)},
    {"string-drop", C_STRINGS, -1, 0},
    {"string-dup", C_STRINGS, 1, 0},
    {"stack-drop", C_STACKS, -1, 0},
    {"stack-dup", C_STACKS, 1, 0},
    {"stack-frame-drop", C_FRAMES, -1, 0},
    {"frame-string-id", C_FRAMES, 0, 0},
    {"batch-drop", C_BATCH_DROP, -1, 0},
    {"batch-dup", C_BATCH_DUP, 1, 0},
    {"batch-reorder", C_REORDER, 0, 0},
    {"batch-split", C_BATCHES, 1, 0},
    {"batch-merge", C_BATCHES, -1, 0},
    {"gen-drop", C_BATCH_DROP, -1, 0},
    {"gen-swap", C_REORDER, 0, 0},
    {"eog-drop", C_EOGS, -1, 0},
    {"eog-insert", C_EOGS, 1, 0},
    {"version-change", C_VERSION, 0, 0},
    {"truncate", C_TRUNC, 0, 0},
    {"varint-corrupt", C_VARINT, 0, 0},
    {"byte-flip", C_FLIP, 0, 0},
    {"byte-set", C_SET, 0, 0},
};
#define NEXPECT (sizeof expectations / sizeof expectations[0])

static int cmp_code(const void *a, const void *b) {
    return (int)((const ev *)a)->code - (int)((const ev *)b)->code;
}

/* Same multiset of event codes (batch headers and sizes aside). */
static int same_codes(const view *a, const view *b) {
    if (a->n != b->n) return 0;
    ev *x = malloc(a->n * sizeof *x + 1), *y = malloc(b->n * sizeof *y + 1);
    memcpy(x, a->v, a->n * sizeof *x);
    memcpy(y, b->v, b->n * sizeof *y);
    qsort(x, a->n, sizeof *x, cmp_code);
    qsort(y, b->n, sizeof *y, cmp_code);
    int same = 1;
    for (size_t i = 0; i < a->n && same; i++) same = x[i].code == y[i].code;
    free(x);
    free(y);
    return same;
}

/* Differences of two equally long views, argument by argument (batch sizes,
 * which re-encoding recomputes, left out). -1 if the events differ otherwise. */
static int arg_diffs(const view *a, const view *b, uint32_t kinds, int *bad_kind) {
    if (a->n != b->n) return -1;
    int diffs = 0;
    *bad_kind = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->v[i].code != b->v[i].code || a->v[i].frames_sum != b->v[i].frames_sum) return -1;
        for (unsigned k = 0; k < a->v[i].spec->nargs; k++) {
            unsigned kind = a->v[i].spec->args[k].kind;
            if (kind == GTH_K_SIZE || a->v[i].args[k] == b->v[i].args[k]) continue;
            diffs++;
            if (!(kinds >> kind & 1u)) *bad_kind = 1;
        }
    }
    return diffs;
}

static void check_mutant(const struct expectation *x, const input *in, uint64_t seed, const uint8_t *m, size_t mn) {
    char why[4200];
    const char *ctx = in->name;
    if (mn == in->len && !memcmp(m, in->data, mn) && x->check != C_VERSION)
        fail_msg("%s on %s seed %llu: mutant equals the input", x->name, ctx, (unsigned long long)seed);
    if (x->check >= C_TRUNC) {
        size_t same = 0;
        while (same < mn && same < in->len && m[same] == in->data[same]) same++;
        if (x->check == C_TRUNC && !(mn < in->len && same == mn))
            fail_msg("truncate on %s: not a proper prefix (%zu of %zu bytes)", ctx, mn, in->len);
        if (x->check == C_VARINT && same < 17)
            fail_msg("varint-corrupt on %s: the header changed (first difference at %zu)", ctx, same);
        if (x->check == C_FLIP || x->check == C_SET) {
            assert_int_equal(mn, in->len);
            size_t nd = 0, bits = 0;
            for (size_t i = 0; i < mn; i++)
                if (m[i] != in->data[i]) {
                    nd++;
                    bits += (size_t)__builtin_popcount((unsigned)(m[i] ^ in->data[i]));
                }
            if (nd != 1 || (x->check == C_FLIP && bits != 1))
                fail_msg("%s on %s: %zu bytes (%zu bits) differ", x->name, ctx, nd, bits);
        }
        return;
    }
    /* Semantic: framing kept, and the intended difference. */
    if (!framing_ok(m, mn, why, sizeof why))
        fail_msg("%s on %s seed %llu: framing broken: %s", x->name, ctx, (unsigned long long)seed, why);
    view a, b;
    assert_int_equal(view_of(in->data, in->len, &a), GTH_OK);
    if (view_of(m, mn, &b) != GTH_OK) fail_msg("%s on %s: the mutant does not decode", x->name, ctx);
    int ok = 1, bad = 0, d;
    switch (x->check) {
    case C_TIMED:
        ok = b.timed == a.timed + (size_t)(long)x->delta && b.strings == a.strings && b.stacks == a.stacks &&
             b.batches == a.batches;
        break;
    case C_REORDER:
        ok = same_codes(&a, &b) && a.timed == b.timed;
        break;
    case C_ARGS:
        d = arg_diffs(&a, &b, x->kinds, &bad);
        ok = d == x->delta && !bad;
        if (!ok) snprintf(why, sizeof why, "%d arguments differ%s", d, bad ? ", some of another kind" : "");
        break;
    case C_STRINGS:
        ok = b.strings == a.strings + (size_t)(long)x->delta && b.timed == a.timed && b.stacks == a.stacks;
        break;
    case C_STACKS:
        ok = b.stacks == a.stacks + (size_t)(long)x->delta && b.timed == a.timed && b.strings == a.strings;
        break;
    case C_FRAMES:
        ok = b.frames == a.frames + (size_t)(long)x->delta && b.stacks == a.stacks && b.timed == a.timed;
        if (x->delta == 0) ok = ok && arg_diffs(&a, &b, 0, &bad) < 0; /* frames differ */
        break;
    case C_BATCHES:
        ok = b.batches == a.batches + (size_t)(long)x->delta && b.strings == a.strings && b.stacks == a.stacks &&
             b.timed == a.timed && b.frames == a.frames;
        break;
    case C_BATCH_DUP:
        ok = b.batches == a.batches + 1 && b.n > a.n && b.strings >= a.strings && b.stacks >= a.stacks &&
             b.timed >= a.timed;
        break;
    case C_BATCH_DROP:
        ok = b.batches < a.batches && b.n < a.n;
        break;
    case C_EOGS:
        ok = b.eogs == a.eogs + (size_t)(long)x->delta && b.batches == a.batches && b.timed == a.timed;
        break;
    case C_VERSION:
        ok = b.minor != a.minor && same_codes(&a, &b);
        break;
    }
    if (!ok)
        fail_msg("%s on %s seed %llu: not the intended difference (timed %zu->%zu, batches %zu->%zu, strings "
                 "%zu->%zu, stacks %zu->%zu, frames %zu->%zu, eog %zu->%zu) %s",
                 x->name, ctx, (unsigned long long)seed, a.timed, b.timed, a.batches, b.batches, a.strings, b.strings,
                 a.stacks, b.stacks, a.frames, b.frames, a.eogs, b.eogs, x->check == C_ARGS ? why : "");
    free(a.v);
    free(b.v);
}

/* ---- Tests ------------------------------------------------------------------------------ */

static void every_operator_applies_and_differs_as_intended(void **state) {
    (void)state;
    assert_int_equal(gth_mutator_count(), NEXPECT);
    size_t total = 0;
    for (size_t k = 0; k < NEXPECT; k++) {
        const struct expectation *x = &expectations[k];
        int op = gth_mutator_find(x->name);
        if (op < 0) fail_msg("no operator %s", x->name);
        assert_int_equal(op, (int)k); /* ids follow the listed order */
        size_t applied = 0;
        for (size_t i = 0; i < ninputs; i++)
            for (uint64_t seed = 1; seed <= 3; seed++) {
                gth_buf out;
                gth_buf_init(&out, NULL);
                gth_error err;
                int done = -2;
                int rc = gth_mutate_buf(NULL, inputs[i].data, inputs[i].len, seed, op, &out, &done, &err);
                if (rc == GTH_OK) {
                    assert_int_equal(done, op);
                    check_mutant(x, &inputs[i], seed, out.data, out.len);
                    applied++;
                } else {
                    /* Not applicable: the input comes back unchanged, and says so. */
                    assert_int_equal(rc, GTH_EINVALID);
                    assert_int_equal(done, -1);
                    assert_non_null(strstr(err.msg, "does not apply"));
                    assert_int_equal(out.len, inputs[i].len);
                    assert_memory_equal(out.data, inputs[i].data, out.len);
                }
                gth_buf_free(&out);
            }
        if (!applied) fail_msg("operator %s applied to none of the %zu inputs", x->name, ninputs);
        print_message("%-22s applied %3zu times\n", x->name, applied);
        total += applied;
    }
    print_message("%zu mutants checked\n", total);
}

static void deterministic_by_seed(void **state) {
    (void)state;
    for (size_t i = 0; i < ninputs; i += 5) {
        size_t distinct = 0;
        uint64_t hashes[16];
        for (uint64_t seed = 1; seed <= 16; seed++) {
            gth_buf a, b;
            gth_buf_init(&a, NULL);
            gth_buf_init(&b, NULL);
            gth_error err;
            int oa, ob;
            assert_int_equal(gth_mutate_buf(NULL, inputs[i].data, inputs[i].len, seed, -1, &a, &oa, &err), GTH_OK);
            assert_int_equal(gth_mutate_buf(NULL, inputs[i].data, inputs[i].len, seed, -1, &b, &ob, &err), GTH_OK);
            assert_int_equal(oa, ob);
            assert_int_equal(a.len, b.len);
            assert_memory_equal(a.data, b.data, a.len);
            uint64_t h = 1469598103934665603ULL;
            for (size_t j = 0; j < a.len; j++) h = (h ^ a.data[j]) * 1099511628211ULL;
            int seen = 0;
            for (size_t j = 0; j < distinct; j++) seen |= hashes[j] == h;
            if (!seen) hashes[distinct++] = h;
            gth_buf_free(&a);
            gth_buf_free(&b);
        }
        if (distinct < 8) fail_msg("%s: only %zu distinct mutants from 16 seeds", inputs[i].name, distinct);
    }
}

static void list_is_stable(void **state) {
    (void)state;
    char *argv[] = {(char *)tu_gth(), "mutate", "--list", NULL};
    char *out = NULL;
    assert_int_equal(tu_run(argv, NULL, 0, &out, NULL, NULL), 0);
    /* One line per operator, in id order, the name first. */
    const char *p = out;
    for (size_t k = 0; k < NEXPECT; k++) {
        size_t n = strlen(expectations[k].name);
        if (strncmp(p, expectations[k].name, n) || p[n] != ' ')
            fail_msg("gth mutate --list line %zu: expected %s, got %.40s", k + 1, expectations[k].name, p);
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_true(nl - p > (long)n + 20); /* kind and description follow */
        p = nl + 1;
    }
    assert_string_equal(p, "");
    free(out);
}

static void garbage_never_crashes(void **state) {
    (void)state;
    uint8_t buf[4096];
    uint64_t s = 88172645463325252ULL;
    for (int round = 0; round < 600; round++) {
        size_t n = (size_t)round * 7 % sizeof buf;
        for (size_t i = 0; i < n; i++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            buf[i] = (uint8_t)s;
        }
        if (round % 3 == 1 && n >= 16) memcpy(buf, "go 1.26 trace\0\0\0", 16); /* a header, then garbage */
        if (round % 3 == 2 && n >= 16) { /* a cut-off real trace with one byte changed */
            const input *in = &inputs[(size_t)round % ninputs];
            n = n < in->len ? n : in->len;
            memcpy(buf, in->data, n);
            buf[n / 2] ^= 0x41;
        }
        for (int op = -1; op < (int)gth_mutator_count(); op++) {
            uint8_t out[5000];
            int done = -2;
            gth_error err;
            size_t m = gth_mutate(buf, n, out, sizeof out, (uint64_t)round, op, &done, &err);
            assert_true(m <= sizeof out);
            if (done < 0) { /* nothing applied: the input, unchanged */
                assert_int_equal(m, n < sizeof out ? n : sizeof out);
                if (m) assert_memory_equal(out, buf, m);
            } else if (op >= 0) {
                assert_int_equal(done, op);
            }
            if (op == -1 && n > 0) assert_true(done >= 0); /* any input gets some operator */
        }
    }
    /* Empty input: nothing to do, said clearly. */
    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_error err;
    int done;
    assert_int_equal(gth_mutate_buf(NULL, buf, 0, 1, -1, &b, &done, &err), GTH_EINVALID);
    assert_int_equal(done, -1);
    assert_non_null(strstr(err.msg, "empty"));
    gth_buf_free(&b);
}

static void output_capped(void **state) {
    (void)state;
    const input *in = &inputs[0];
    uint8_t *out = malloc(in->len + 64);
    int done;
    size_t m = gth_mutate(in->data, in->len, out, 100, 5, gth_mutator_find("event-dup"), &done, NULL);
    assert_int_equal(m, 100);
    assert_int_equal(done, gth_mutator_find("event-dup"));
    free(out);
}

static void crossover_keeps_framing(void **state) {
    (void)state;
    size_t spliced = 0;
    for (size_t i = 0; i + 1 < 8; i += 2) { /* the two generated traces of one version */
        for (uint64_t seed = 1; seed <= 8; seed++) {
            gth_buf out;
            gth_buf_init(&out, NULL);
            gth_error err;
            assert_int_equal(gth_mutate_crossover(NULL, inputs[i].data, inputs[i].len, inputs[i + 1].data,
                                                  inputs[i + 1].len, seed, &out, &err),
                             GTH_OK);
            char why[4200];
            view a, b;
            assert_int_equal(view_of(inputs[i].data, inputs[i].len, &a), GTH_OK);
            if (framing_ok(out.data, out.len, why, sizeof why) && view_of(out.data, out.len, &b) == GTH_OK) {
                if (b.batches == a.batches + 1) spliced++;
                free(b.v);
            }
            free(a.v);
            gth_buf_free(&out);
        }
    }
    if (spliced < 16) fail_msg("only %zu of 32 crossovers spliced a whole batch", spliced);
}

static void libfuzzer_entry_points(void **state) {
    (void)state;
    const input *in = &inputs[2];
    size_t cap = in->len * 2 + 64;
    uint8_t *buf = malloc(cap), *out = malloc(cap);
    size_t changed = 0;
    fuzzer_mutate_calls = 0;
    for (unsigned seed = 0; seed < 64; seed++) {
        memcpy(buf, in->data, in->len);
        size_t n = LLVMFuzzerCustomMutator(buf, in->len, cap, seed);
        assert_true(n <= cap);
        changed += n != in->len || memcmp(buf, in->data, n) != 0;
    }
    /* One call in four goes to libFuzzer's own mutator. */
    assert_int_equal(fuzzer_mutate_calls, 16);
    assert_true(changed >= 60);
    size_t n = LLVMFuzzerCustomCrossOver(inputs[2].data, inputs[2].len, inputs[3].data, inputs[3].len, out, cap, 7);
    assert_true(n > 16 && n <= cap);
    free(buf);
    free(out);
}

static void afl_library_loads_and_mutates(void **state) {
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/libgth-afl-mutator.so", GTH_BINARY_DIR);
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) fail_msg("dlopen %s: %s", path, dlerror());
    void *(*init)(void *, unsigned) = (void *(*)(void *, unsigned))dlsym(h, "afl_custom_init");
    size_t (*fuzz)(void *, uint8_t *, size_t, uint8_t **, uint8_t *, size_t, size_t) =
        (size_t(*)(void *, uint8_t *, size_t, uint8_t **, uint8_t *, size_t, size_t))dlsym(h, "afl_custom_fuzz");
    const char *(*describe)(void *, size_t) = (const char *(*)(void *, size_t))dlsym(h, "afl_custom_describe");
    void (*deinit)(void *) = (void (*)(void *))dlsym(h, "afl_custom_deinit");
    assert_non_null(init);
    assert_non_null(fuzz);
    assert_non_null(describe);
    assert_non_null(deinit);
    /* Internal symbols stay hidden: the library cannot clash with the target's. */
    assert_null(dlsym(h, "gth_mutate_buf"));
    void *m = init(NULL, 42);
    assert_non_null(m);
    const input *in = &inputs[1];
    size_t named = 0;
    for (int i = 0; i < 32; i++) {
        uint8_t *out = NULL;
        size_t n = fuzz(m, in->data, in->len, &out, inputs[2].data, inputs[2].len, in->len * 2);
        assert_non_null(out);
        assert_true(n <= in->len * 2);
        const char *d = describe(m, 64);
        assert_non_null(d);
        named += strncmp(d, "gth-", 4) == 0 && strcmp(d, "gth-none") != 0;
    }
    assert_int_equal(named, 32);
    deinit(m);
    dlclose(h);
}

/* A small derived corpus: every .test's expectation is met by Go's reader. */
static void derived_tests_agree_with_go(void **state) {
    (void)state;
    char dir[4300];
    snprintf(dir, sizeof dir, "%s/derived", tu_tmpdir("mutator-derive"));
    char *argv[] = {(char *)tu_gth(), "mutate", "--derive", dir, "--count", "24", "--generated", "1", "--seed", "11",
                    NULL};
    char *so = NULL, *se = NULL;
    setenv("GTH_PROGRESS_SECONDS", "0", 1); /* a progress line for every step */
    int rc = tu_run(argv, NULL, 0, &so, NULL, &se);
    unsetenv("GTH_PROGRESS_SECONDS");
    if (rc != 0) fail_msg("gth mutate --derive: exit %d (1 = findings: validator and Go disagree):\n%s", rc, se);
    assert_non_null(strstr(se, "24 mutants kept"));
    assert_non_null(strstr(se, "gth mutate --derive: 12/24 mutants kept (50%), "));
    assert_non_null(strstr(se, "gth mutate --derive: 24/24 mutants kept (100%), "));
    assert_non_null(strstr(se, " parents checked (100%), "));
    char mpath[4400];
    snprintf(mpath, sizeof mpath, "%s/MANIFEST", dir);
    size_t mlen;
    char *man = (char *)tu_read_file(mpath, &mlen);
    size_t lines = 0;
    for (size_t i = 0; i < mlen; i++) lines += man[i] == '\n';
    assert_int_equal(lines, 25); /* a header and one line per mutant */
    char **tests;
    size_t nt = tu_list(dir, ".test", &tests);
    assert_true(nt >= 12); /* most mutants keep framing, so the text format carries them */
    for (size_t i = 0; i < nt; i++) {
        char *a1[] = {(char *)tu_gthref(), "test2bytes", tests[i], NULL};
        char *bytes = NULL;
        size_t blen = 0;
        assert_int_equal(tu_run(a1, NULL, 0, &bytes, &blen, NULL), 0);
        char bin[4400];
        snprintf(bin, sizeof bin, "%s/check.bin", tu_tmpdir("mutator-derive"));
        tu_write_file(bin, bytes, blen);
        char *a2[] = {(char *)tu_gthref(), "validate", "--profile=validate", bin, NULL};
        char *vo = NULL;
        int vr = tu_run(a2, NULL, 0, &vo, NULL, NULL);
        assert_int_equal(vr, 1); /* every kept mutant is invalid, and we agree with Go on each */
        assert_true(!strncmp(vo, "REJECT ", 7));
        gth_buf msg;
        gth_buf_init(&msg, NULL);
        assert_int_equal(gth_unquote_append(&msg, vo + 7, strcspn(vo + 7, "\n")), 0);
        gth_buf_putc(&msg, 0);
        size_t tlen;
        uint8_t *tf = tu_read_file(tests[i], &tlen);
        gth_testfile t;
        gth_expect e;
        gth_error err;
        assert_int_equal(gth_testfile_parse(tf, tlen, tests[i], &t, &err), GTH_OK);
        assert_int_equal(gth_expect_parse(&e, NULL, t.expect, t.expect_len, &err), GTH_OK);
        assert_true(e.failure);
        if (!gth_expect_matches(&e, (const char *)msg.data))
            fail_msg("%s: FAILURE %s does not match Go's %s", tests[i], e.pattern, (const char *)msg.data);
        /* The manifest names it, with its operator and Go's verdict. */
        const char *base = strrchr(tests[i], '/') + 1;
        const char *line = strstr(man, base);
        assert_non_null(line);
        assert_non_null(strstr(line, "\tREJECT\t"));
        gth_expect_free(&e);
        gth_buf_free(&msg);
        free(tf);
        free(bytes);
        free(vo);
    }
    print_message("%zu derived .test files match Go's error texts\n", nt);
    tu_free_list(tests);
    free(man);
    free(so);
    free(se);
}

static void command_line(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("mutator-cli");
    char in[4300], out[4300];
    snprintf(in, sizeof in, "%s/in.bin", dir);
    snprintf(out, sizeof out, "%s/out.bin", dir);
    tu_write_file(in, inputs[0].data, inputs[0].len); /* a generated 1.22 trace */
    char *so = NULL, *se = NULL;
    /* A named operator: the mutant on -o, the operator on stderr. */
    char *a1[] = {(char *)tu_gth(), "mutate", "--op", "event-drop", "--seed", "4", "-o", out, in, NULL};
    assert_int_equal(tu_run(a1, NULL, 0, &so, NULL, &se), 0);
    assert_non_null(strstr(se, "seed 4: event-drop"));
    size_t n;
    uint8_t *m = tu_read_file(out, &n);
    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_error err;
    assert_int_equal(gth_mutate_buf(NULL, inputs[0].data, inputs[0].len, 4, gth_mutator_find("event-drop"), &b, NULL, &err),
                     GTH_OK);
    assert_int_equal(n, b.len);
    assert_memory_equal(m, b.data, n); /* the command is the library */
    gth_buf_free(&b);
    free(m);
    free(so);
    free(se);
    /* Not applicable (no EndOfGeneration before 1.26): exit 1, said clearly. */
    char *a2[] = {(char *)tu_gth(), "mutate", "--op", "eog-drop", "-o", out, in, NULL};
    assert_int_equal(tu_run(a2, NULL, 0, &so, NULL, &se), 1);
    assert_non_null(strstr(se, "operator eog-drop does not apply"));
    free(so);
    free(se);
    /* Usage errors: exit 2. */
    char *a3[] = {(char *)tu_gth(), "mutate", "--op", "no-such-op", in, NULL};
    assert_int_equal(tu_run(a3, NULL, 0, &so, NULL, &se), 2);
    assert_non_null(strstr(se, "unknown operator no-such-op"));
    free(so);
    free(se);
    char *a4[] = {(char *)tu_gth(), "mutate", "--seed", "x", in, NULL};
    assert_int_equal(tu_run(a4, NULL, 0, &so, NULL, &se), 2);
    free(so);
    free(se);
    char *a5[] = {(char *)tu_gth(), "mutate", "--help", NULL};
    assert_int_equal(tu_run(a5, NULL, 0, &so, NULL, &se), 0);
    assert_non_null(strstr(so, "--derive"));
    free(so);
    free(se);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_operator_applies_and_differs_as_intended),
        cmocka_unit_test(deterministic_by_seed),
        cmocka_unit_test(list_is_stable),
        cmocka_unit_test(command_line),
        cmocka_unit_test(garbage_never_crashes),
        cmocka_unit_test(output_capped),
        cmocka_unit_test(crossover_keeps_framing),
        cmocka_unit_test(libfuzzer_entry_points),
        cmocka_unit_test(afl_library_loads_and_mutates),
        cmocka_unit_test(derived_tests_agree_with_go),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
