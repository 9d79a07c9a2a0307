/*
 * Allocation failure in mutate/ and reduce/: gth_mutate_buf (every operator),
 * gth_mutate_crossover and gth_reduce (structured and byte levels) over
 * generated traces, one of Go's golden tests, a cut trace and bytes that are
 * no trace, while the 1st, 2nd, ... Nth allocation fails in turn
 * (tests/util/failalloc.h). Every failure must end the call with an
 * out-of-memory error and nothing leaked. The default run takes a sample;
 * GTH_ALLOC_FULL=1 (scripts/alloc-fail.sh) takes everything.
 */
#include "util/testutil.h"
#include "util/failalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/decode.h"
#include "mutate/mutator.h"
#include "reduce/reduce.h"

#define STRIDE 5

typedef struct input {
    const char *name;
    uint8_t *data;
    size_t len;
} input;

enum { NIN = 5 };
static input ins[NIN];

static int setup(void **state) {
    (void)state;
    ins[0].name = "generated-1.26";
    ins[0].data = tu_generate(26, 5, 60, 2, &ins[0].len);
    ins[1].name = "generated-1.22";
    ins[1].data = tu_generate(22, 6, 60, 2, &ins[1].len);
    char **paths;
    size_t n = tu_golden_binaries(tu_tmpdir("alloc-mutate"), &paths);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++)
        if (strstr(paths[i], "go122-gc-stress")) {
            ins[2].name = "go122-gc-stress";
            ins[2].data = tu_read_file(paths[i], &ins[2].len);
        }
    tu_free_list(paths);
    assert_non_null(ins[2].data);
    /* Cut inside a batch: the rest goes out verbatim. */
    ins[3].name = "generated-1.26 cut";
    ins[3].len = ins[0].len * 3 / 5;
    ins[3].data = malloc(ins[3].len);
    memcpy(ins[3].data, ins[0].data, ins[3].len);
    ins[4].name = "no trace";
    ins[4].len = 300;
    ins[4].data = malloc(ins[4].len);
    for (size_t i = 0; i < ins[4].len; i++) ins[4].data[i] = (uint8_t)(i * 37 + 11);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    for (size_t i = 0; i < NIN; i++) free(ins[i].data);
    return 0;
}

/* ---- mutate ------------------------------------------------------------------- */

typedef struct mut_case {
    const input *in, *in2;
    uint64_t seed;
    int op;
} mut_case;

static int op_mutate(void *ud, const gth_allocator *a, gth_error *err) {
    const mut_case *c = ud;
    gth_buf out;
    gth_buf_init(&out, a);
    int applied;
    int rc = gth_mutate_buf(a, c->in->data, c->in->len, c->seed, c->op, &out, &applied, err);
    if (rc == GTH_OK && out.failed) fail_msg("gth_mutate_buf: OK with a failed buffer");
    gth_buf_free(&out);
    return rc;
}

static int op_crossover(void *ud, const gth_allocator *a, gth_error *err) {
    const mut_case *c = ud;
    gth_buf out;
    gth_buf_init(&out, a);
    int rc = gth_mutate_crossover(a, c->in->data, c->in->len, c->in2->data, c->in2->len, c->seed, &out, err);
    if (rc == GTH_OK && out.failed) fail_msg("gth_mutate_crossover: OK with a failed buffer");
    gth_buf_free(&out);
    return rc;
}

static void mutate(void **state) {
    (void)state;
    long runs = 0;
    char what[200];
    int nops = (int)gth_mutator_count();
    for (size_t i = 0; i < NIN; i++)
        for (int op = -1; op < nops; op++) {
            if (!tu_inject_full() && (size_t)(op + 1) % NIN != i && op >= 0) continue;
            mut_case c = {&ins[i], NULL, 7 + (uint64_t)op, op};
            snprintf(what, sizeof what, "gth_mutate_buf %s %s", ins[i].name, op >= 0 ? gth_mutator_name(op) : "any");
            runs += tu_inject(what, op_mutate, &c, STRIDE);
        }
    for (size_t i = 0; i < NIN; i++)
        for (uint64_t seed = 1; seed <= 3; seed++) {
            mut_case c = {&ins[i], &ins[(i + 1) % 3], seed, -1};
            snprintf(what, sizeof what, "gth_mutate_crossover %s seed %llu", ins[i].name, (unsigned long long)seed);
            runs += tu_inject(what, op_crossover, &c, STRIDE);
        }
    print_message("mutate: %ld injected failures\n", runs);
    assert_true(runs > 100);
}

/* ---- reduce ------------------------------------------------------------------- */

/* Holds while the candidate has at least two events of code want (the
 * predicate allocates on its own, with the default allocator). */
typedef struct count_ud {
    unsigned code;
    long n;
} count_ud;

static int on_event(void *ud, const gth_raw_event *ev) {
    count_ud *c = ud;
    c->n += ev->code == c->code;
    return 0;
}

static int pred(void *ud, const uint8_t *trace, size_t len) {
    count_ud c = {*(const unsigned *)ud, 0};
    gth_error e;
    gth_decode_all(trace, len, GTH_DEC_FLAT | GTH_DEC_FULL_TABLE, NULL, NULL, on_event, &c, &e);
    return c.n >= 2;
}

typedef struct red_case {
    const input *in;
    unsigned code;
    int bytes_only;
    gth_reduce_stats st;
} red_case;

static int op_reduce(void *ud, const gth_allocator *a, gth_error *err) {
    red_case *c = ud;
    gth_reduce_opts o;
    memset(&o, 0, sizeof o);
    o.pred = pred;
    o.ud = &c->code;
    o.alloc = a;
    o.bytes_only = c->bytes_only;
    o.max_tests = 150;
    gth_buf out;
    gth_buf_init(&out, a);
    int rc = gth_reduce(c->in->data, c->in->len, &o, &out, &c->st, err);
    if (rc == GTH_OK && (out.failed || c->st.tests == 0)) fail_msg("gth_reduce: OK without a candidate");
    gth_buf_free(&out);
    return rc;
}

static void reduce(void **state) {
    (void)state;
    /* GoStart, Stack (table entries and frames), String (string data). */
    static const unsigned codes[] = {16, 3, 5};
    long runs = 0, structured = 0;
    char what[200];
    for (size_t i = 0; i < 4; i++)
        for (size_t k = 0; k < 3; k++) {
            red_case c = {&ins[i], codes[k], 0, {0}};
            snprintf(what, sizeof what, "gth_reduce %s code %u", ins[i].name, codes[k]);
            runs += tu_inject(what, op_reduce, &c, STRIDE);
            /* The last run is the one without a failure. */
            structured += c.st.mode == GTH_REDUCE_EVENTS && c.st.kept > 0;
        }
    red_case c = {&ins[0], 16, 1, {0}};
    runs += tu_inject("gth_reduce bytes", op_reduce, &c, STRIDE);
    assert_true(c.st.mode == GTH_REDUCE_BYTES && c.st.kept > 0);
    print_message("reduce: %ld structured reductions\n", structured);
    assert_true(structured >= 6);
    print_message("reduce: %ld injected failures\n", runs);
    assert_true(runs > 100);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mutate),
        cmocka_unit_test(reduce),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
