/*
 * The minimiser. A disagreement is planted inside a generated trace of more than
 * 1 MB: an adapter that is our validator except that it reads one log message
 * differently. The library (gth_reduce under the adapters' pair predicate, the
 * judge, the .test writer) must bring it down to a .test of at most 20 events
 * that still shows the disagreement and whose expectation is Go's verdict; the
 * diff engine with reduce on must write the same kind of reproducer. A
 * goroutine sequence number bumped inside a large trace must reduce to a few
 * events reporting the same invariant, with Go's rejection as the expectation:
 * the judge is Go, and the test fails without it. The command line: gth reduce
 * on the planted trace, a command's exit status as a predicate, usage errors.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/convert.h"
#include "format/encode.h"
#include "harness/diff.h"
#include "harness/predicate.h"
#include "harness/repro.h"
#include "spec/invariants.h"
#include "validator/validate.h"

#define PLANT "planted-disagreement"

static char dir[4200], big[4400], planted[4400], fake[4400], fake_spec[4500];

static int run(char *const argv[], char **out, char **err) {
    char *so = NULL, *se = NULL;
    int rc = tu_run(argv, NULL, 0, out ? out : &so, NULL, err ? err : &se);
    free(so);
    free(se);
    return rc;
}

/* Go's text form of a binary trace, split into lines (modified in place). */
static char **text_lines(const char *bin, size_t *n, char **keep) {
    char *argv[] = {(char *)tu_gth(), "dump", (char *)bin, NULL};
    char *text;
    assert_int_equal(run(argv, &text, NULL), 0);
    size_t cap = 1 << 16, k = 0;
    char **lines = malloc(cap * sizeof *lines);
    assert_non_null(lines);
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = 0;
        if (k == cap) {
            cap *= 2;
            lines = realloc(lines, cap * sizeof *lines);
            assert_non_null(lines);
        }
        lines[k++] = p;
        if (!nl) break;
        p = nl + 1;
    }
    *n = k;
    *keep = text;
    return lines;
}

static void write_lines(const char *path, char **lines, size_t n) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) fprintf(f, "%s\n", lines[i]);
    assert_int_equal(fclose(f), 0);
}

static void pack(const char *txt, const char *out) {
    char *argv[] = {(char *)tu_gth(), "pack", "--fix-sizes", (char *)txt, "-o", (char *)out, NULL};
    assert_int_equal(run(argv, NULL, NULL), 0);
}

/* Writes the edited lines as dir/name and packs them (real batch sizes) into
 * bin; frees what text_lines and line_gens returned. */
static void pack_lines(const char *name, const char *bin, char **lines, size_t n, uint64_t *gens, char *text) {
    char txt[4400];
    snprintf(txt, sizeof txt, "%s/%s", dir, name);
    write_lines(txt, lines, n);
    pack(txt, bin);
    free(gens);
    free(lines);
    free(text);
}

static uint64_t arg_value(const char *line, const char *name) {
    char key[64];
    snprintf(key, sizeof key, " %s=", name);
    const char *p = strstr(line, key);
    assert_non_null(p);
    return strtoull(p + strlen(key), NULL, 10);
}

/* Generation of each line: the gen= of the last EventBatch. */
static uint64_t *line_gens(char **lines, size_t n, uint64_t *max) {
    uint64_t *g = calloc(n, sizeof *g), cur = 0;
    assert_non_null(g);
    *max = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(lines[i], "EventBatch ", 11)) cur = arg_value(lines[i], "gen");
        g[i] = cur;
        if (cur > *max) *max = cur;
    }
    return g;
}

/* Events in the trace section of a .test file (every line that is not a
 * frame or data line, and not the version line). */
static size_t test_events(const char *test) {
    const char *t = strstr(test, "-- trace --\n");
    assert_non_null(t);
    size_t n = 0;
    for (const char *p = strchr(t, '\n') + 1; *p;) {
        if (*p != '\t' && *p != '\n' && strncmp(p, "Trace Go1.", 10)) n++;
        const char *nl = strchr(p, '\n');
        if (!nl) break;
        p = nl + 1;
    }
    return n;
}

/* A 1 MB trace of many short generations, clocks consistent across threads;
 * the disagreement goes into the log message of the earliest UserLog of a
 * middle generation (its String entry gets the planted text). */
static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("reduce"));
    snprintf(big, sizeof big, "%s/big.trace", dir);
    snprintf(planted, sizeof planted, "%s/planted.trace", dir);
    snprintf(fake, sizeof fake, "%s/fake.sh", dir);
    snprintf(fake_spec, sizeof fake_spec, "fake=%s", fake);
    char *gen[] = {(char *)tu_gth(), "gen", "--version", "1.26", "--seed", "5", "--size", "1M", "--events", "2000",
                   "--features", "all", "--perturb", "none", "-o", big, NULL};
    assert_int_equal(run(gen, NULL, NULL), 0);
    struct stat st;
    assert_int_equal(stat(big, &st), 0);
    assert_true(st.st_size >= 1 << 20);

    size_t n;
    char *text;
    char **lines = text_lines(big, &n, &text);
    uint64_t maxgen;
    uint64_t *gens = line_gens(lines, n, &maxgen);
    uint64_t want = maxgen / 2, t = 0, best_t = UINT64_MAX;
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(lines[i], "EventBatch ", 11)) t = arg_value(lines[i], "time");
        else if (strstr(lines[i], " dt=")) t += arg_value(lines[i], "dt");
        if (gens[i] == want && !strncmp(lines[i], "UserLog ", 8) && t < best_t) best_t = t, best = i;
    }
    assert_true(best > 0);
    char entry[64];
    snprintf(entry, sizeof entry, "String id=%llu", (unsigned long long)arg_value(lines[best], "value_string"));
    int done = 0;
    for (size_t i = 0; i + 1 < n && !done; i++)
        if (gens[i] == want && !strcmp(lines[i], entry)) {
            lines[i + 1] = "\tdata=\"" PLANT "\"";
            done = 1;
        }
    assert_true(done);
    pack_lines("planted.txt", planted, lines, n, gens, text);

    /* Our validator as an adapter, except that the planted message reads
     * differently in its event stream. */
    char body[9000];
    snprintf(body, sizeof body,
             "#!/bin/sh\n"
             "while IFS= read -r p; do\n"
             "  [ -n \"$p\" ] || continue\n"
             "  echo \"== $p\"\n"
             "  if '%s' validate --events \"$p\" >'%s/fake.out' 2>/dev/null; then v=ACCEPT; else v='REJECT \"invalid\"'; fi\n"
             "  sed 's/" PLANT "/PLANTED/' '%s/fake.out'\n"
             "  echo \"$v\"\n"
             "  echo '== end'\n"
             "done\n",
             tu_gth(), dir, dir);
    tu_write_file(fake, body, strlen(body));
    chmod(fake, 0755);
    return 0;
}

/* A binary trace file's bytes. */
static uint8_t *read_trace(const char *path, size_t *len) { return tu_read_file(path, len); }

/* Our validator's invariant for a trace (it must reject it). */
static unsigned invariant_of(const uint8_t *p, size_t n) {
    gth_validate_result res;
    assert_int_equal(gth_validate_mem(p, n, GTH_PROFILE_VALIDATE, NULL, &res), GTH_EINVALID);
    assert_true(res.err.inv > 0);
    return (unsigned)res.err.inv;
}

/* Minimises trace[0..len) under pred into out; at most 20 events remain. */
static void reduce_to(const uint8_t *trace, size_t len, gth_reduce_pred_fn pred, void *ud, gth_buf *out) {
    gth_reduce_opts ro = {.pred = pred, .ud = ud};
    gth_reduce_stats st;
    gth_error err;
    if (gth_reduce(trace, len, &ro, out, &st, &err) != GTH_OK) fail_msg("gth_reduce: %s", err.msg);
    print_message("reduced: %llu -> %llu events\n", (unsigned long long)st.events_in,
                  (unsigned long long)st.events_out);
    assert_true(st.events_out <= 20);
}

/* The .test of a reduced trace with Go's verdict as its expectation: the
 * oracle is Go, explicitly (no fallback to our validator). */
static char *test_with_go_expectation(const char *name, const gth_buf *bin, int want) {
    char path[4500], test[4500], why[600];
    snprintf(path, sizeof path, "%s/%s.bin", dir, name);
    snprintf(test, sizeof test, "%s/%s.test", dir, name);
    tu_write_file(path, bin->data, bin->len);
    gth_result expect;
    gth_result_init(&expect);
    const char *judge = gth_judge(GTH_ORACLE_GO, tu_gthref(), GTH_PROFILE_VALIDATE, path, bin->data, bin->len,
                                  &expect, why, sizeof why);
    if (!judge) fail_msg("Go could not judge the reduced trace: %s", why);
    assert_string_equal(judge, "go:validate");
    assert_int_equal(expect.verdict, want);
    if (gth_write_test(test, bin->data, bin->len, "Reduced by the test.\n", &expect, why, sizeof why))
        fail_msg("writing the .test: %s", why);
    gth_result_free(&expect);
    size_t len;
    return (char *)tu_read_file(test, &len);
}

/* A .test file's trace as Go's bytes. */
static void test_to_bin(const char *test, gth_buf *out) {
    gth_error err;
    if (gth_convert_text_to_binary(test, strlen(test), "reduced.test", GTH_ENC_VERBATIM, out, &err) != GTH_OK)
        fail_msg("the .test does not pack: %s", err.msg);
}

/* Our validator and the fake adapter. */
static void adapters(gth_adapter ad[2]) {
    char why[600];
    if (gth_adapter_parse(&ad[0], "gth", NULL, why, sizeof why) || gth_adapter_parse(&ad[1], fake_spec, NULL, why, sizeof why))
        fail_msg("%s", why);
}

/* The .test still shows the disagreement: packed as Go packs it, the two
 * adapters disagree on it again; and Go's verdict on it (Go is the judge, no
 * fallback) is the expectation written. */
static void check_reproducer(const char *test_path) {
    size_t len;
    char *test = (char *)tu_read_file(test_path, &len);
    size_t events = test_events(test);
    print_message("reduced .test: %zu events\n", events);
    assert_true(events <= 20);
    assert_true(events >= 3);
    assert_non_null(strstr(test, PLANT));
    assert_non_null(strstr(test, "-- expect --\nSUCCESS\n"));
    char back[4400], cand[4400], why[600];
    snprintf(back, sizeof back, "%s.bin", test_path);
    snprintf(cand, sizeof cand, "%s.candidate", test_path);
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    test_to_bin(test, &bin);
    tu_write_file(back, bin.data, bin.len);
    gth_adapter ad[2];
    adapters(ad);
    gth_pair_pred pp;
    gth_pair_pred_init(&pp, &ad[0], &ad[1], cand);
    assert_int_equal(gth_pair_pred_file(&pp, back), 1);
    gth_pair_pred_free(&pp);
    gth_adapter_close(&ad[0]);
    gth_adapter_close(&ad[1]);
    gth_result go;
    gth_result_init(&go);
    const char *judge = gth_judge(GTH_ORACLE_GO, tu_gthref(), GTH_PROFILE_VALIDATE, back, bin.data, bin.len, &go, why,
                                  sizeof why);
    if (!judge) fail_msg("Go could not judge the reproducer: %s", why);
    assert_int_equal(go.verdict, RES_ACCEPT); /* Go accepts it: SUCCESS is right */
    gth_result_free(&go);
    gth_buf_free(&bin);
    free(test);
}

static void planted_disagreement_reduces(void **state) {
    (void)state;
    char out[4400];
    snprintf(out, sizeof out, "%s/reduced.test", dir);
    /* The planted trace does show it; the unplanted one does not. */
    char *agree[] = {(char *)tu_gth(), "reduce", "--adapter", "gth", "--adapter", fake_spec, "-q", big, "-o", out, NULL};
    char *se;
    assert_int_equal(run(agree, NULL, &se), 1);
    assert_non_null(strstr(se, "agree"));
    free(se);
    char *argv[] = {(char *)tu_gth(), "reduce", "--adapter", "gth", "--adapter", fake_spec, planted, "-o", out, NULL};
    assert_int_equal(run(argv, NULL, &se), 0);
    assert_non_null(strstr(se, "gth reduce: "));
    assert_non_null(strstr(se, " events, "));
    /* The expectation is Go's: gth reduce found the Go adapter and did not
     * fall back to our validator. */
    if (strstr(se, "the Go adapter is not available")) fail_msg("gth reduce judged without Go: %s", se);
    free(se);
    size_t len;
    char *test = (char *)tu_read_file(out, &len);
    assert_non_null(strstr(test, "Expectation: what go:validate says."));
    free(test);
    check_reproducer(out);
}

typedef struct seen {
    int results, reduced;
    char reproducer[4400];
} seen;

static void on_result(void *ud, const gth_trace_result *r) {
    seen *s = ud;
    s->results++;
    assert_false(r->agree);
    assert_false(r->known);
    assert_string_equal(r->trace->id, "file/planted.trace");
    assert_int_equal(r->ra->verdict, RES_ACCEPT);
    assert_int_equal(r->rb->verdict, RES_ACCEPT);
    assert_true(r->cmp.streams_compared);
    assert_false(r->cmp.streams_agree);
    assert_true(r->cmp.line > 0);
    s->reduced = r->reduced;
    assert_non_null(r->reproducer);
    snprintf(s->reproducer, sizeof s->reproducer, "%s", r->reproducer);
}

/* The diff engine with reduce on: one new disagreement, reduced, and its
 * reproducer in the output directory. */
static void diff_reduces_reproducers(void **state) {
    (void)state;
    char outdir[4400], why[4400];
    snprintf(outdir, sizeof outdir, "%s/diff-out", dir);
    gth_adapter ad[2];
    adapters(ad);
    gth_expected ex[2];
    memset(ex, 0, sizeof ex);
    gth_pair pair = {0, 1, 0};
    seen s = {0};
    gth_diff_opts o = {.adapters = ad, .nadapters = 2, .expected = ex, .pairs = &pair, .npairs = 1,
                       .out_dir = outdir, .reduce = 1, .on_result = on_result, .ud = &s};
    gth_traceset ts;
    if (gth_traceset_init(&ts, why, sizeof why) || gth_traceset_add_path(&ts, planted, "file", why, sizeof why))
        fail_msg("%s", why);
    gth_diff_summary sum;
    assert_int_equal(gth_diff_run(&ts, &o, &sum), 0);
    assert_int_equal(sum.fresh, 1);
    assert_int_equal(s.results, 1);
    assert_int_equal(s.reduced, 1);
    const gth_diff_counts *all = gth_diff_counts_at(&sum, sum.nsets, 0);
    assert_int_equal(all->traces, 1);
    assert_int_equal(all->verdicts, 1);
    assert_int_equal(all->streams, 1);
    assert_int_equal(all->streams_ok, 0);
    gth_diff_summary_free(&sum);
    gth_traceset_free(&ts);
    gth_adapter_close(&ad[0]);
    gth_adapter_close(&ad[1]);
    char test[8800];
    snprintf(test, sizeof test, "%s/file_planted.trace.test", outdir);
    assert_string_equal(s.reproducer, test);
    check_reproducer(test);
}

static void bumped_sequence_reduces(void **state) {
    (void)state;
    size_t n;
    char *text;
    char **lines = text_lines(big, &n, &text);
    uint64_t maxgen;
    uint64_t *gens = line_gens(lines, n, &maxgen);
    /* The first GoStart with g_seq > 2 in a middle generation: its number + 1. */
    char bumped[256];
    int done = 0;
    for (size_t i = 0; i < n && !done; i++) {
        if (gens[i] != maxgen / 2 + 1 || strncmp(lines[i], "GoStart ", 8) || arg_value(lines[i], "g_seq") <= 2) continue;
        char *s = strstr(lines[i], " g_seq=");
        snprintf(bumped, sizeof bumped, "%.*s g_seq=%llu", (int)(s - lines[i]), lines[i],
                 (unsigned long long)arg_value(lines[i], "g_seq") + 1);
        lines[i] = bumped;
        done = 1;
    }
    assert_true(done);
    char mutated[4400];
    snprintf(mutated, sizeof mutated, "%s/bumped.trace", dir);
    pack_lines("bumped.txt", mutated, lines, n, gens, text);
    size_t len;
    uint8_t *trace = read_trace(mutated, &len);
    gth_inv_pred ip = {.inv = invariant_of(trace, len), .profile = GTH_PROFILE_VALIDATE};
    print_message("bumped sequence number: [%s]\n", gth_invariant_get(ip.inv)->id);
    gth_buf out, back;
    gth_buf_init(&out, NULL);
    gth_buf_init(&back, NULL);
    reduce_to(trace, len, gth_inv_pred_fn, &ip, &out);
    /* Go rejects it too: the expectation is a FAILURE. */
    char *test = test_with_go_expectation("bumped", &out, RES_REJECT);
    assert_true(test_events(test) <= 20);
    assert_non_null(strstr(test, "-- expect --\nFAILURE "));
    /* Packed back, the .test still shows the same invariant. */
    test_to_bin(test, &back);
    assert_int_equal(invariant_of(back.data, back.len), ip.inv);
    gth_buf_free(&out);
    gth_buf_free(&back);
    free(test);
    free(trace);
}

static void command_predicate(void **state) {
    (void)state;
    char out[4400];
    snprintf(out, sizeof out, "%s/grep.test", dir);
    /* The smallest trace whose bytes still hold the planted text. */
    char *argv[] = {(char *)tu_gth(), "reduce", "--cmd", "grep -q " PLANT " {}", "--exit", "0", "-q", planted, "-o", out, NULL};
    assert_int_equal(run(argv, NULL, NULL), 0);
    size_t len;
    char *test = (char *)tu_read_file(out, &len);
    assert_non_null(strstr(test, PLANT));
    assert_true(test_events(test) <= 4);
    free(test);
    /* A crash: a program killed by a signal when the text is there. */
    char crash[4400], body[512];
    snprintf(crash, sizeof crash, "%s/crash.sh", dir);
    snprintf(body, sizeof body, "#!/bin/sh\ngrep -q " PLANT " \"$1\" && kill -SEGV $$\nexit 0\n");
    tu_write_file(crash, body, strlen(body));
    chmod(crash, 0755);
    char *cr[] = {(char *)tu_gth(), "reduce", "--cmd", crash, "--crash", "-q", planted, "-o", out, NULL};
    assert_int_equal(run(cr, NULL, NULL), 0);
    test = (char *)tu_read_file(out, &len);
    assert_non_null(strstr(test, "dies by a signal"));
    assert_true(test_events(test) <= 4);
    free(test);
    /* Without --exit: the status it has on the input (1: grep finds nothing). */
    char *none[] = {(char *)tu_gth(), "reduce", "--cmd", "grep -q no-such-text", "-q", "--max-tests", "50", planted, "-o", out, NULL};
    assert_int_equal(run(none, NULL, NULL), 0);
}

static void usage_errors(void **state) {
    (void)state;
    char *none[] = {(char *)tu_gth(), "reduce", planted, NULL};
    char *se;
    assert_int_equal(run(none, NULL, &se), 2);
    assert_non_null(strstr(se, "exactly one predicate"));
    free(se);
    char *one[] = {(char *)tu_gth(), "reduce", "--adapter", "gth", planted, NULL};
    assert_int_equal(run(one, NULL, NULL), 2);
    char *bad[] = {(char *)tu_gth(), "reduce", "--invariant", "no.such-id", planted, NULL};
    assert_int_equal(run(bad, NULL, &se), 2);
    assert_non_null(strstr(se, "unknown invariant"));
    free(se);
    char *match[] = {(char *)tu_gth(), "reduce", "--cmd", "true", "--match", "x", planted, NULL};
    assert_int_equal(run(match, NULL, NULL), 2);
    char *badre[] = {(char *)tu_gth(), "reduce", "--invariant", "order.stuck", "--match", "(", planted, NULL};
    assert_int_equal(run(badre, NULL, &se), 2);
    assert_non_null(strstr(se, "--match"));
    free(se);
    /* A valid trace has no finding to keep. */
    char *valid[] = {(char *)tu_gth(), "reduce", "--invariant", "gen.zero", "-q", big, NULL};
    assert_int_equal(run(valid, NULL, &se), 1);
    assert_non_null(strstr(se, "does not show [gen.zero]: our validator (profile validate) accepts it; nothing to reduce"));
    free(se);
    char *help[] = {(char *)tu_gth(), "reduce", "--help", NULL};
    char *so;
    assert_int_equal(run(help, &so, NULL), 0);
    assert_non_null(strstr(so, "usage: gth reduce"));
    free(so);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(usage_errors),
        cmocka_unit_test(planted_disagreement_reduces),
        cmocka_unit_test(diff_reduces_reproducers),
        cmocka_unit_test(bumped_sequence_reduces),
        cmocka_unit_test(command_predicate),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
