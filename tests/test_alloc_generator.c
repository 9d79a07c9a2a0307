/*
 * Allocation failure in generator/: gth_gen_run (every output format, every
 * version), gth_gen_run_buf and the coverage report, while the 1st, 2nd, ...
 * Nth allocation fails in turn (tests/util/failalloc.h). Every failure must end
 * the run with an out-of-memory error and nothing leaked; output a failed run
 * already handed to the sink is not a trace (the status says so). The default
 * run takes a sample; GTH_ALLOC_FULL=1 (scripts/alloc-fail.sh) takes everything.
 */
#include "util/testutil.h"
#include "util/failalloc.h"

#include <stdio.h>
#include <string.h>

#include "generator/gen.h"

#define STRIDE 3

typedef struct gen_case {
    gth_gen_config cfg;
    uint64_t bytes;
} gen_case;

static int count_sink(void *ud, const void *p, size_t n) {
    (void)p;
    *(uint64_t *)ud += n;
    return 0;
}

static int op_gen(void *ud, const gth_allocator *a, gth_error *err) {
    gen_case *c = ud;
    c->bytes = 0;
    gth_gen_stats st;
    int rc = gth_gen_run(&c->cfg, a, count_sink, &c->bytes, &st, err);
    if (rc == GTH_OK && st.bytes != c->bytes) fail_msg("stats say %llu bytes, sink got %llu",
                                                      (unsigned long long)st.bytes, (unsigned long long)c->bytes);
    return rc;
}

static int op_gen_buf(void *ud, const gth_allocator *a, gth_error *err) {
    gen_case *c = ud;
    gth_buf out;
    gth_buf_init(&out, a);
    int rc = gth_gen_run_buf(&c->cfg, &out, NULL, err);
    if (rc == GTH_OK && out.failed) fail_msg("gth_gen_run_buf: OK with a failed buffer");
    gth_buf_free(&out);
    return rc;
}

static void small_config(gth_gen_config *c, unsigned version, uint64_t seed, int format) {
    gth_gen_config_init(c, version, seed);
    c->threads = 6;
    c->procs = 3;
    c->goroutines = 10;
    c->events_per_gen = 250;
    c->generations = 2;
    c->perturb = GTH_GEN_P_ALL;
    c->perturb_set = 1;
    c->format = format;
}

static void runs(void **state) {
    (void)state;
    static const unsigned versions[] = {22, 23, 25, 26};
    long n = 0;
    for (size_t v = 0; v < 4; v++)
        for (int fmt = GTH_GEN_BINARY; fmt <= GTH_GEN_TEST; fmt++) {
            if (!tu_inject_full() && (v + (size_t)fmt) % 2) continue;
            gen_case c;
            small_config(&c.cfg, versions[v], 31 + v, fmt);
            char what[100];
            snprintf(what, sizeof what, "gth_gen_run 1.%u format %d", versions[v], fmt);
            n += tu_inject(what, op_gen, &c, STRIDE);
        }
    gen_case c;
    small_config(&c.cfg, 26, 3, GTH_GEN_BINARY);
    c.cfg.target_bytes = 20000; /* generations until the size is reached */
    c.cfg.generations = 0;
    n += tu_inject("gth_gen_run_buf target size", op_gen_buf, &c, STRIDE);
    print_message("generator: %ld injected failures\n", n);
    assert_true(n > 50);
}

static int inv_paths(void *ud, gth_buf *out, const gth_gen_coverage *c) {
    (void)ud, (void)c;
    return gth_buf_printf(out, "invariant paths: %d\n", 0);
}

static int op_report(void *ud, const gth_allocator *a, gth_error *err) {
    const gth_gen_coverage *cov = ud;
    gth_buf out;
    gth_buf_init(&out, a);
    int gaps = gth_gen_coverage_report(&out, cov, inv_paths, NULL);
    int rc = gaps < 0 || out.failed ? gth_error_nomem(err) : GTH_OK;
    gth_buf_free(&out);
    return rc;
}

static void coverage_report(void **state) {
    (void)state;
    gth_gen_coverage cov;
    gth_gen_coverage_init(&cov, 26);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        gth_gen_config c;
        small_config(&c, 26, seed, GTH_GEN_BINARY);
        gth_gen_stats st;
        gth_error err;
        uint64_t bytes = 0;
        assert_int_equal(gth_gen_run(&c, NULL, count_sink, &bytes, &st, &err), GTH_OK);
        gth_gen_coverage_add(&cov, &st);
    }
    long n = tu_inject("gth_gen_coverage_report", op_report, &cov, 1);
    print_message("coverage report: %ld injected failures\n", n);
    assert_true(n > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(runs),
        cmocka_unit_test(coverage_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
