/*
 * Parser profile against Go: our reader's verdict and error text must equal Go's
 * reader (golang.org/x/exp/trace through the Go adapter) on every GOROOT golden
 * trace, every file of Go's FuzzReader seed corpus, and deterministic truncated
 * and corrupted variants of the goldens. Go is required; nothing is skipped.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/agree.h"
#include "spec/invariants.h"
#include "validator/reader.h"
#include "validator/testtrace.h"

/* Compares our verdicts with Go's on files; returns how many were compared. */
static size_t compare_files(char **paths, size_t n) {
    tu_verdict *go = tu_go_verdicts(paths, n, "parser");
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *d = tu_read_file(paths[i], &len);
        tu_verdict us;
        tu_ours(d, len, GTH_PROFILE_PARSER, &us);
        free(d);
        if (us.accepted != go[i].accepted || (!us.accepted && !gth_same_message_str(go[i].msg, us.msg))) {
            if (bad++ < 10)
                print_message("MISMATCH %s\n  go:  %s\n  us:  %s\n", paths[i],
                              go[i].accepted ? "ACCEPT" : go[i].msg, us.accepted ? "ACCEPT" : us.msg);
        }
        free(us.msg);
    }
    tu_verdicts_free(go, n);
    assert_int_equal(bad, 0);
    return n;
}

static char **golden_binaries(size_t *count) {
    char **bins;
    *count = tu_golden_binaries(tu_tmpdir("golden"), &bins);
    return bins;
}

static void golden_traces(void **state) {
    (void)state;
    size_t n;
    char **bins = golden_binaries(&n);
    print_message("golden traces compared with Go: %zu\n", compare_files(bins, n));
    tu_free_list(bins);
}

static void fuzz_corpus(void **state) {
    (void)state;
    char dir[4200], **seeds;
    snprintf(dir, sizeof dir, "%s/src/internal/trace/testdata/fuzz/FuzzReader", tu_goroot());
    size_t n = tu_list(dir, NULL, &seeds);
    assert_true(n >= 17);
    const char *out = tu_tmpdir("fuzzseed");
    char **bins = calloc(n + 1, sizeof *bins);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char *argv[] = {(char *)tu_gthref(), "fuzzdecode", seeds[i], NULL};
        char *bytes = NULL;
        size_t len;
        assert_int_equal(tu_run(argv, NULL, 0, &bytes, &len, NULL), 0);
        /* v1 traces are out of scope: both reject, with different texts. */
        if (len >= 16 && (!memcmp(bytes, "go 1.11", 7) || !memcmp(bytes, "go 1.19", 7) || !memcmp(bytes, "go 1.21", 7))) {
            tu_verdict us;
            tu_ours(bytes, len, GTH_PROFILE_PARSER, &us);
            assert_false(us.accepted);
            assert_non_null(strstr(us.msg, "v1"));
            free(us.msg);
            free(bytes);
            continue;
        }
        bins[m] = malloc(4400);
        snprintf(bins[m], 4400, "%s/%zu.bin", out, i);
        tu_write_file(bins[m++], bytes, len);
        free(bytes);
    }
    print_message("FuzzReader seeds compared with Go: %zu\n", compare_files(bins, m));
    tu_free_list(bins);
    tu_free_list(seeds);
}

/* xorshift, so the variants are the same on every run and machine. */
static uint64_t rnd(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void truncated_and_corrupted(void **state) {
    (void)state;
    size_t n;
    char **bins = golden_binaries(&n);
    const char *out = tu_tmpdir("variants");
    size_t cap = 1 << 14, m = 0;
    char **vars = calloc(cap + 1, sizeof *vars);
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    static const uint8_t interesting[] = {0, 1, 2, 0x34, 0x7f, 0x80, 0xff};
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *d = tu_read_file(bins[i], &len);
        /* Truncations: every offset of small traces, a sample of large ones. */
        size_t step = len < 4000 ? 1 : len / 400;
        for (size_t off = 0; off < len && m < cap; off += step) {
            vars[m] = malloc(4400);
            snprintf(vars[m], 4400, "%s/%zu-t%zu.bin", out, i, off);
            tu_write_file(vars[m++], d, off);
        }
        /* Single-byte corruptions after the header. */
        for (int k = 0; k < 120 && m < cap && len > 17; k++) {
            uint8_t *c = malloc(len);
            memcpy(c, d, len);
            size_t at = 16 + (size_t)(rnd(&seed) % (len - 16));
            uint64_t r = rnd(&seed);
            c[at] = r % 3 == 0 ? interesting[(r >> 8) % sizeof interesting] : r % 3 == 1 ? (uint8_t)(c[at] ^ (1u << ((r >> 8) % 8))) : (uint8_t)(r >> 16);
            vars[m] = malloc(4400);
            snprintf(vars[m], 4400, "%s/%zu-c%d.bin", out, i, k);
            tu_write_file(vars[m++], c, len);
            free(c);
        }
        free(d);
    }
    print_message("truncated and corrupted variants compared with Go: %zu\n", compare_files(vars, m));
    tu_free_list(vars);
    tu_free_list(bins);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_traces),
        cmocka_unit_test(fuzz_corpus),
        cmocka_unit_test(truncated_and_corrupted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
