/*
 * The generator: 100 seeds per version (1.22, 1.23, 1.25, 1.26) over knobs drawn
 * from each seed must be accepted by Go (the reference adapter, --profile=validate,
 * which runs Go's reader and its testtrace validator) and by our validator library
 * (profile validate); every event type of the version must occur across them.
 * Also: determinism, text and .test output equal to the binary trace, streaming
 * to a target size, configuration errors. Go is required: nothing is skipped.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/encode.h"
#include "format/testfile.h"
#include "format/text.h"
#include "generator/gen.h"
#include "spec/invariants.h"

#define SEEDS 100

static const unsigned versions[] = {22, 23, 25, 26};

/* Knobs for one seed of the CI sweep: everything from the seed, except that the
 * trace stays small enough for 400 traces through Go in well under a minute. */
static void sweep_config(gth_gen_config *c, unsigned version, uint64_t seed) {
    gth_gen_config_init(c, version, seed);
    uint64_t x = seed * 0x9e3779b97f4a7c15ull;
    x ^= x >> 29;
    c->events_per_gen = 50 + x % 4000;
    c->generations = 1 + (x >> 20) % 5;
}

static void generate(const gth_gen_config *c, gth_buf *out, gth_gen_stats *st) {
    gth_error err;
    int rc = gth_gen_run_buf(c, out, st, &err);
    if (rc != GTH_OK) fail_msg("go1.%u seed %llu: %s", c->version, (unsigned long long)c->seed, err.msg);
}

/* Fails the test unless our validator (profile validate) accepts data. */
static void ours_accept(const uint8_t *data, size_t len, const char *what) {
    tu_verdict v;
    tu_ours(data, len, GTH_PROFILE_VALIDATE, &v);
    if (!v.accepted) fail_msg("our validator rejects %s: %s", what, v.msg);
    free(v.msg);
}

static void sweep(unsigned version) {
    const char *dir = tu_tmpdir("generator");
    char **paths = calloc(SEEDS, sizeof *paths);
    gth_gen_coverage cov;
    gth_gen_coverage_init(&cov, version);
    for (unsigned i = 0; i < SEEDS; i++) {
        gth_gen_config c;
        sweep_config(&c, version, 1 + i);
        gth_buf b;
        gth_buf_init(&b, NULL);
        gth_gen_stats st;
        generate(&c, &b, &st);
        assert_int_equal(st.bytes, b.len);
        char path[4200];
        snprintf(path, sizeof path, "go1.%u seed %u", version, 1 + i);
        ours_accept(b.data, b.len, path);
        gth_gen_coverage_add(&cov, &st);
        snprintf(path, sizeof path, "%s/go1.%u-%u.trace", dir, version, 1 + i);
        tu_write_file(path, b.data, b.len);
        paths[i] = strdup(path);
        gth_buf_free(&b);
    }
    char *reject = NULL;
    size_t accepted = tu_gthref_accepts(paths, SEEDS, "validate", &reject);
    if (accepted != SEEDS) fail_msg("Go rejects %zu of %d generated traces, first %s", SEEDS - accepted, SEEDS, reject);
    free(reject);
    for (unsigned i = 0; i < SEEDS; i++) free(paths[i]);
    free(paths);
    /* Every event type of the version occurs. */
    gth_buf rep;
    gth_buf_init(&rep, NULL);
    gth_gen_coverage_report(&rep, &cov, NULL, NULL);
    gth_buf_putc(&rep, 0);
    for (unsigned code = 0; code < GTH_NUM_CODES; code++) {
        const gth_event_spec *s = gth_spec_lookup(version, code);
        if (s && !cov.codes[code])
            fail_msg("go1.%u: event %s never generated in %d seeds\n%s", version, s->name, SEEDS,
                     (const char *)rep.data);
    }
    gth_buf_free(&rep);
}

static void sweep_go122(void **state) { (void)state, sweep(22); }
static void sweep_go123(void **state) { (void)state, sweep(23); }
static void sweep_go125(void **state) { (void)state, sweep(25); }
static void sweep_go126(void **state) { (void)state, sweep(26); }

static void deterministic(void **state) {
    (void)state;
    for (unsigned v = 0; v < 4; v++) {
        gth_gen_config c;
        gth_gen_config_init(&c, versions[v], 4242);
        c.events_per_gen = 3000;
        c.generations = 3;
        c.perturb = GTH_GEN_P_ALL;
        c.perturb_set = 1;
        gth_buf a, b, d;
        gth_buf_init(&a, NULL);
        gth_buf_init(&b, NULL);
        gth_buf_init(&d, NULL);
        generate(&c, &a, NULL);
        generate(&c, &b, NULL);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.data, b.data, a.len);
        c.seed++;
        generate(&c, &d, NULL);
        assert_true(d.len != a.len || memcmp(a.data, d.data, a.len) != 0);
        gth_buf_free(&a);
        gth_buf_free(&b);
        gth_buf_free(&d);
    }
}

/* Text -> binary with our text reader and encoder (verbatim, as Go's raw
 * writer), for comparison with the binary output. */
static void text_to_binary(const uint8_t *text, size_t n, gth_buf *out) {
    gth_text_reader r;
    gth_error err;
    if (gth_text_reader_init(&r, NULL, text, n, 1, &err) != GTH_READ_OK)
        fail_msg("generated text does not parse: line %llu: %s", (unsigned long long)err.line, err.msg);
    gth_encoder e;
    assert_int_equal(gth_encoder_init(&e, out, r.minor, GTH_ENC_VERBATIM, NULL), GTH_OK);
    gth_raw_event ev;
    int rc;
    while ((rc = gth_text_reader_next(&r, &ev, &err)) == GTH_READ_OK)
        assert_int_equal(gth_encoder_write(&e, &ev, &err), GTH_OK);
    if (rc != GTH_READ_END) fail_msg("generated text: line %llu: %s", (unsigned long long)err.line, err.msg);
    assert_int_equal(gth_encoder_finish(&e, &err), GTH_OK);
    gth_encoder_free(&e);
    gth_text_reader_free(&r);
}

static void text_and_test_outputs(void **state) {
    (void)state;
    for (unsigned v = 0; v < 4; v++)
        for (uint64_t seed = 1; seed <= 5; seed++) {
            gth_gen_config c;
            gth_gen_config_init(&c, versions[v], seed);
            c.events_per_gen = 800;
            /* AllocFree events are binary-only before 1.26: without the
             * feature, text and binary are the same trace for every version. */
            c.features = GTH_GEN_F_ALL & ~(uint32_t)GTH_GEN_F_ALLOCFREE;
            c.features_set = 1;
            gth_buf bin, txt, tst, back;
            gth_buf_init(&bin, NULL);
            gth_buf_init(&txt, NULL);
            gth_buf_init(&tst, NULL);
            gth_buf_init(&back, NULL);
            generate(&c, &bin, NULL);
            c.format = GTH_GEN_TEXT;
            generate(&c, &txt, NULL);
            text_to_binary(txt.data, txt.len, &back);
            assert_int_equal(back.len, bin.len);
            assert_memory_equal(back.data, bin.data, bin.len);
            /* .test: expectation SUCCESS, trace section = the text output. */
            c.format = GTH_GEN_TEST;
            generate(&c, &tst, NULL);
            gth_testfile tf;
            gth_error err;
            assert_int_equal(gth_testfile_parse(tst.data, tst.len, "gen.test", &tf, &err), GTH_OK);
            gth_expect ex;
            assert_int_equal(gth_expect_parse(&ex, NULL, tf.expect, tf.expect_len, &err), GTH_OK);
            assert_int_equal(ex.failure, 0);
            gth_expect_free(&ex);
            assert_int_equal(tf.trace_len, txt.len);
            assert_memory_equal(tf.trace, txt.data, txt.len);
            gth_buf_free(&bin);
            gth_buf_free(&txt);
            gth_buf_free(&tst);
            gth_buf_free(&back);
        }
}

typedef struct chunks {
    uint64_t calls, bytes;
    size_t largest;
} chunks;

static int count_sink(void *ud, const void *p, size_t n) {
    chunks *c = ud;
    (void)p;
    c->calls++;
    c->bytes += n;
    if (n > c->largest) c->largest = n;
    return 0;
}

static void target_size_streams(void **state) {
    (void)state;
    static const uint64_t targets[] = {1024, 100000, 8u << 20};
    for (unsigned i = 0; i < 3; i++) {
        gth_gen_config c;
        gth_gen_config_init(&c, 26, 77);
        c.target_bytes = targets[i];
        chunks k = {0, 0, 0};
        gth_gen_stats st;
        gth_error err;
        assert_int_equal(gth_gen_run(&c, NULL, count_sink, &k, &st, &err), GTH_OK);
        assert_true(k.bytes >= targets[i]);
        assert_int_equal(k.bytes, st.bytes);
        /* Streamed in bounded pieces, not one trace-sized buffer. */
        if (targets[i] > (4u << 20)) {
            assert_true(k.calls > 2);
            assert_true(k.largest < (4u << 20));
        }
    }
}

/* The random walk makes progress: a model that can do nothing (every P lost in
 * a syscall, no thread to steal it) must not spin until a step limit. Seed 2
 * once took minutes for a few megabytes this way. Bounds steps per event on
 * the sizes --size uses, for a range of seeds and every version. */
static void steps_per_event_bounded(void **state) {
    (void)state;
    for (unsigned vi = 0; vi < 4; vi++) {
        for (uint64_t seed = 1; seed <= 12; seed++) {
            gth_gen_config c;
            gth_gen_config_init(&c, versions[vi], seed);
            c.target_bytes = 1u << 20;
            chunks k = {0, 0, 0};
            gth_gen_stats st;
            gth_error err;
            assert_int_equal(gth_gen_run(&c, NULL, count_sink, &k, &st, &err), GTH_OK);
            if (st.steps > 64 * st.events)
                fail_msg("go1.%u seed %llu: %llu steps for %llu events", versions[vi], (unsigned long long)seed,
                         (unsigned long long)st.steps, (unsigned long long)st.events);
        }
    }
}

static void bad_configs(void **state) {
    (void)state;
    gth_gen_config c;
    gth_error err;
    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_gen_config_init(&c, 24, 1);
    assert_int_equal(gth_gen_run_buf(&c, &b, NULL, &err), GTH_EUSAGE);
    gth_gen_config_init(&c, 26, 1);
    c.freq = 3000000000u;
    assert_int_equal(gth_gen_run_buf(&c, &b, NULL, &err), GTH_EUSAGE);
    gth_gen_config_init(&c, 26, 1);
    c.procs = 8;
    c.threads = 9;
    assert_int_equal(gth_gen_run_buf(&c, &b, NULL, &err), GTH_EUSAGE);
    gth_gen_config_init(&c, 26, 1);
    c.batch_size = 10;
    assert_int_equal(gth_gen_run_buf(&c, &b, NULL, &err), GTH_EUSAGE);
    assert_int_equal(b.len, 0);
    gth_buf_free(&b);
}

/* Every batch at most 64 KiB, also with the largest batch size asked for. */
static void batch_sizes_in_range(void **state) {
    (void)state;
    gth_gen_config c;
    gth_gen_config_init(&c, 25, 9);
    c.batch_size = 65536;
    c.events_per_gen = 60000;
    c.generations = 2;
    gth_buf b;
    gth_buf_init(&b, NULL);
    generate(&c, &b, NULL);
    ours_accept(b.data, b.len, "a trace of 64 KiB batches");
    gth_buf_free(&b);
}

/* gth gen --count N --out DIR creates DIR and its missing parents, and writes
 * the same bytes as the library for each seed. */
static void cli_corpus_into_new_directory(void **state) {
    (void)state;
    char dir[4300];
    snprintf(dir, sizeof dir, "%s/a/b", tu_tmpdir("gencli"));
    char *argv[] = {(char *)tu_gth(), "gen", "--version", "1.23", "--seed", "5", "--count", "2", "--out", dir, NULL};
    char *err = NULL;
    if (tu_run(argv, NULL, 0, NULL, NULL, &err) != 0) fail_msg("gth gen failed: %s", err);
    free(err);
    for (uint64_t seed = 5; seed <= 6; seed++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/go1.23-%llu.trace", dir, (unsigned long long)seed);
        size_t len;
        uint8_t *got = tu_read_file(path, &len);
        gth_gen_config c;
        gth_gen_config_init(&c, 23, seed);
        gth_buf want;
        gth_buf_init(&want, NULL);
        generate(&c, &want, NULL);
        assert_int_equal(len, want.len);
        assert_memory_equal(got, want.data, len);
        gth_buf_free(&want);
        free(got);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deterministic),
        cmocka_unit_test(bad_configs),
        cmocka_unit_test(steps_per_event_bounded),
        cmocka_unit_test(text_and_test_outputs),
        cmocka_unit_test(target_size_streams),
        cmocka_unit_test(batch_sizes_in_range),
        cmocka_unit_test(cli_corpus_into_new_directory),
        cmocka_unit_test(sweep_go122),
        cmocka_unit_test(sweep_go123),
        cmocka_unit_test(sweep_go125),
        cmocka_unit_test(sweep_go126),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
