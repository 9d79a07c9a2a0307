/*
 * The differential engine catches a planted difference: an adapter wrapper that
 * flips one verdict of Go's reader. The run (in-process, harness/diff.h) must
 * report one new disagreement on that trace and write a reproducer .test whose
 * expectation is the reference's verdict; listed as a known difference, the
 * same run has none. The command line: gth diff's exit codes and messages on
 * the same difference, and the conformance run over Go's golden tests, fuzz
 * corpus and variants finding no disagreement.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/agree.h"
#include "harness/diff.h"

/* Binaries of the golden tests in dir, named <test>.bin. */
static void golden_binaries(const char *dir) {
    char **bins;
    tu_golden_binaries(dir, &bins);
    tu_free_list(bins);
}

static char dir[4200], traces[4300], flip[4400];

/* Go's golden tests as binaries, and Go's reader wrapped so that it rejects
 * one trace it accepts. */
static int setup(void **state) {
    (void)state;
    char script[4300], body[9000];
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("diff"));
    snprintf(traces, sizeof traces, "%s/traces", dir);
    snprintf(script, sizeof script, "%s/flip.sh", dir);
    mkdir(traces, 0777);
    golden_binaries(traces);
    snprintf(body, sizeof body,
             "#!/bin/sh\n'%s' validate \"$@\" | while IFS= read -r line; do\n"
             "  case \"$line\" in \"== \"*) p=$line ;; esac\n"
             "  case \"$line:$p\" in ACCEPT:*go122-annotations.bin) echo 'REJECT \"planted difference\"' ;;\n"
             "  *) printf '%%s\\n' \"$line\" ;; esac\n"
             "done\n",
             tu_gthref());
    tu_write_file(script, body, strlen(body));
    chmod(script, 0755);
    snprintf(flip, sizeof flip, "flip=%s", script);
    return 0;
}

typedef struct seen {
    size_t results, disagreements;
    char id[256], reproducer[4400];
    int known;
} seen;

static void on_result(void *ud, const gth_trace_result *r) {
    seen *s = ud;
    s->results++;
    assert_string_equal(r->a->name, "go:validate");
    assert_string_equal(r->b->name, "flip");
    if (r->agree) return;
    s->disagreements++;
    snprintf(s->id, sizeof s->id, "%s", r->trace->id);
    s->known = r->known;
    assert_int_equal(r->ra->verdict, RES_ACCEPT);
    assert_int_equal(r->rb->verdict, RES_REJECT);
    assert_false(r->cmp.verdicts_agree);
    assert_int_equal(r->rb->msg.len, strlen("planted difference"));
    assert_memory_equal(r->rb->msg.data, "planted difference", r->rb->msg.len);
    snprintf(s->reproducer, sizeof s->reproducer, "%s", r->reproducer ? r->reproducer : "");
}

/* One run of go against flip over the golden traces. */
static gth_diff_summary run_flip(const char *out, const char *known, seen *s) {
    char why[4400];
    gth_adapter ad[2];
    if (gth_adapter_parse(&ad[0], "go", tu_gthref(), why, sizeof why) || gth_adapter_parse(&ad[1], flip, NULL, why, sizeof why))
        fail_msg("%s", why);
    gth_expected ex[2];
    memset(ex, 0, sizeof ex);
    if (known && gth_expected_load(&ex[1], known, why, sizeof why)) fail_msg("%s", why);
    gth_pair pair = {0, 1, 0};
    gth_diff_opts o = {.adapters = ad, .nadapters = 2, .expected = ex, .pairs = &pair, .npairs = 1, .out_dir = out,
                       .on_result = on_result, .ud = s};
    gth_traceset ts;
    if (gth_traceset_init(&ts, why, sizeof why) || gth_traceset_add_path(&ts, traces, "file", why, sizeof why))
        fail_msg("%s", why);
    gth_diff_summary sum;
    assert_int_equal(gth_diff_run(&ts, &o, &sum), 0);
    assert_int_equal(s->results, 22);
    assert_int_equal(s->disagreements, 1);
    assert_string_equal(s->id, "file/go122-annotations.bin");
    if (known) assert_int_equal(ex[1].seen[0], 1);
    gth_expected_free(&ex[0]);
    gth_expected_free(&ex[1]);
    gth_traceset_free(&ts);
    gth_adapter_close(&ad[0]);
    gth_adapter_close(&ad[1]);
    return sum;
}

static void planted_difference_is_caught(void **state) {
    (void)state;
    char out[4300];
    snprintf(out, sizeof out, "%s/out", dir);
    seen s;
    memset(&s, 0, sizeof s);
    gth_diff_summary sum = run_flip(out, NULL, &s);
    assert_int_equal(sum.fresh, 1);
    assert_false(s.known);
    const gth_diff_counts *all = gth_diff_counts_at(&sum, sum.nsets, 0);
    assert_int_equal(all->traces, 22);
    assert_int_equal(all->verdicts, 21); /* verdicts agree on the other 21 */
    assert_int_equal(all->fresh, 1);
    gth_diff_summary_free(&sum);
    /* The reproducer: a .test that Go's own golden runner would accept (SUCCESS:
     * the reference's verdict), plus both outputs. */
    char path[8600];
    size_t len;
    snprintf(path, sizeof path, "%s/file_go122-annotations.bin.test", out);
    assert_string_equal(s.reproducer, path);
    char *test = (char *)tu_read_file(path, &len);
    assert_non_null(strstr(test, "-- expect --\nSUCCESS\n-- trace --\nTrace Go1.22\n"));
    char *ex[] = {(char *)tu_gthref(), "expect", path, NULL};
    char *eo = NULL;
    assert_int_equal(tu_run(ex, NULL, 0, &eo, NULL, NULL), 0);
    assert_string_equal(eo, "SUCCESS\n");
    snprintf(path, sizeof path, "%s/file_go122-annotations.bin.flip.out", out);
    char *fo = (char *)tu_read_file(path, &len);
    assert_non_null(strstr(fo, "REJECT \"planted difference\""));
    free(test);
    free(eo);
    free(fo);
}

static void known_difference_passes(void **state) {
    (void)state;
    char expect[4300];
    snprintf(expect, sizeof expect, "%s/known.txt", dir);
    const char *known = "# planted by the test\nfile/go122-annotations.bin the wrapper flips it on purpose\n";
    tu_write_file(expect, known, strlen(known));
    seen s;
    memset(&s, 0, sizeof s);
    gth_diff_summary sum = run_flip(NULL, expect, &s);
    assert_int_equal(sum.fresh, 0);
    assert_true(s.known);
    assert_int_equal(gth_diff_counts_at(&sum, sum.nsets, 0)->known, 1);
    gth_diff_summary_free(&sum);
}

/* The command: exit codes and what it prints, new and known. */
static void diff_command_reports(void **state) {
    (void)state;
    char out[4300], expect[4300], ex2[4400];
    snprintf(out, sizeof out, "%s/cli-out", dir);
    char *argv[] = {(char *)tu_gth(), "diff", "--adapter", "go", "--adapter", flip, "--out", out, traces, NULL};
    char *so = NULL, *se = NULL;
    assert_int_equal(tu_run(argv, NULL, 0, &so, NULL, &se), 1);
    assert_non_null(strstr(se, "DISAGREEMENT file/go122-annotations.bin: go:validate ACCEPT, flip REJECT"));
    assert_non_null(strstr(se, "planted difference"));
    assert_non_null(strstr(se, "reproducer: "));
    assert_non_null(strstr(so, "21/22"));
    free(so);
    free(se);
    snprintf(expect, sizeof expect, "%s/known.txt", dir);
    const char *known = "# planted by the test\nfile/go122-annotations.bin the wrapper flips it on purpose\n";
    tu_write_file(expect, known, strlen(known));
    snprintf(ex2, sizeof ex2, "flip=%s", expect);
    char *argv2[] = {(char *)tu_gth(), "diff", "--adapter", "go", "--adapter", flip, "--expect", ex2, "--json", traces, NULL};
    assert_int_equal(tu_run(argv2, NULL, 0, &so, NULL, &se), 0);
    assert_non_null(strstr(se, "known difference file/go122-annotations.bin"));
    assert_non_null(strstr(so, "\"new_disagreements\":0"));
    assert_non_null(strstr(so, "\"known\":1"));
    free(so);
    free(se);
}

static void conformance_run_agrees_with_go(void **state) {
    (void)state;
    char *argv[] = {(char *)tu_gth(), "conform", "--no-real", "--variants", "300", "--generated", "10", "--json", NULL};
    char *so = NULL, *se = NULL;
    int rc = tu_run(argv, NULL, 0, &so, NULL, &se);
    if (rc != 0) fail_msg("gth conform failed (%d):\n%s\n%s", rc, so, se);
    assert_non_null(strstr(so, "\"new_disagreements\":0"));
    assert_non_null(strstr(so, "\"reference\":\"go:validate\",\"adapter\":\"gth:validate\""));
    assert_non_null(strstr(so, "\"generated\":{\"traces\":40,\"verdicts_agree\":40,\"streams_compared\":40,\"streams_agree\":40"));
    free(so);
    free(se);
}

/* ---- Stream digests ---------------------------------------------------------------- */

/* A wrapper of Go's reader whose stream of go122-annotations differs in its
 * third event line, in both forms: the line itself (--events) and the digest
 * (--digest). */
static const char edit_body[] =
    "#!/bin/sh\n'%s' validate \"$@\" | while IFS= read -r line; do\n"
    "  case \"$line\" in \"== \"*) p=$line; n=0 ;; esac\n"
    "  case \"$p\" in *go122-annotations.bin)\n"
    "    case \"$line\" in\n"
    "    DIGEST*) line=\"DIGEST 0000000000000000000000000000000000000000000000000000000000000000 ${line##* }\" ;;\n"
    "    [0-9]*) n=$((n + 1)); [ \"$n\" = 3 ] && line=\"$line planted\" ;;\n"
    "    esac ;;\n"
    "  esac\n"
    "  printf '%%s\\n' \"$line\"\n"
    "done\n";

/* A wrapper of Go's reader that does not declare digests. */
static const char nodigest_body[] =
    "#!/bin/sh\nfor a; do [ \"$a\" = --capabilities ] && { '%s' validate \"$@\" | grep -v '^digest$'; exit; }; done\n"
    "exec '%s' validate \"$@\"\n";

typedef struct dseen {
    size_t results, disagreements, digests, streams;
    size_t line;
    const char *what;
    int rerun; /* the disagreeing trace came back with both streams */
} dseen;

static void on_digest_result(void *ud, const gth_trace_result *r) {
    dseen *s = ud;
    s->results++;
    s->digests += (size_t)(r->ra->has_digest && r->rb->has_digest);
    s->streams += (size_t)(r->ra->lines.len > 0 && r->rb->lines.len > 0);
    if (r->agree) return;
    s->disagreements++;
    s->line = r->cmp.line;
    s->what = r->what;
    s->rerun = r->ra->lines.len > 0 && r->rb->lines.len > 0;
}

/* Writes BODY (with gthref's path once, or twice) as an executable script and
 * makes the adapter spec NAME=SCRIPT of it in adapter[]. */
static void write_adapter(const char *spec, const char *body, int twice, char *adapter, size_t n) {
    char script[4300], text[9000];
    snprintf(script, sizeof script, "%s/%.20s.sh", dir, spec);
    if (twice) snprintf(text, sizeof text, body, tu_gthref(), tu_gthref());
    else snprintf(text, sizeof text, body, tu_gthref());
    tu_write_file(script, text, strlen(text));
    chmod(script, 0755);
    snprintf(adapter, n, "%s=%s", spec, script);
}

static dseen run_pair(const char *spec, const char *body, int twice, gth_diff_summary *sum) {
    char why[4400], adapter[4400];
    write_adapter(spec, body, twice, adapter, sizeof adapter);
    gth_adapter ad[2];
    if (gth_adapter_parse(&ad[0], "go", tu_gthref(), why, sizeof why) ||
        gth_adapter_parse(&ad[1], adapter, NULL, why, sizeof why))
        fail_msg("%s", why);
    gth_expected ex[2];
    memset(ex, 0, sizeof ex);
    gth_pair pair = {0, 1, 0};
    dseen s;
    memset(&s, 0, sizeof s);
    gth_diff_opts o = {.adapters = ad, .nadapters = 2, .expected = ex, .pairs = &pair, .npairs = 1,
                       .on_result = on_digest_result, .ud = &s};
    gth_traceset ts;
    if (gth_traceset_init(&ts, why, sizeof why) || gth_traceset_add_path(&ts, traces, "file", why, sizeof why))
        fail_msg("%s", why);
    assert_int_equal(gth_diff_run(&ts, &o, sum), 0);
    assert_int_equal(s.results, 22);
    gth_traceset_free(&ts);
    gth_adapter_close(&ad[0]);
    gth_adapter_close(&ad[1]);
    return s;
}

/* Both adapters make digests: digests are compared, and the one trace whose
 * digests differ is run again with streams, which give the first differing
 * line. */
static void digests_then_streams(void **state) {
    (void)state;
    gth_diff_summary sum;
    dseen s = run_pair("edit", edit_body, 0, &sum);
    assert_int_equal(s.digests, 22);    /* every trace through digests */
    assert_int_equal(s.streams, 1);     /* and only the differing one with streams */
    assert_int_equal(s.disagreements, 1);
    assert_true(s.rerun);
    assert_string_equal(s.what, "stream");
    assert_int_equal(s.line, 3);
    const gth_diff_counts *all = gth_diff_counts_at(&sum, sum.nsets, 0);
    assert_int_equal(all->streams, 22);
    assert_int_equal(all->streams_ok, 21);
    gth_diff_summary_free(&sum);
}

/* An adapter that does not declare digests: the pair compares whole streams. */
static void no_digest_falls_back(void **state) {
    (void)state;
    gth_diff_summary sum;
    dseen s = run_pair("nodigest", nodigest_body, 1, &sum);
    assert_int_equal(s.digests, 0);
    assert_int_equal(s.disagreements, 0);
    const gth_diff_counts *all = gth_diff_counts_at(&sum, sum.nsets, 0);
    assert_int_equal(all->streams, 22);
    assert_int_equal(all->streams_ok, 22);
    assert_int_equal(s.streams, 22); /* every trace with both streams */
    gth_diff_summary_free(&sum);
}

/* ---- One process for both profiles ----------------------------------------------- */

/* Every result of a run, one line per trace and adapter of each pair:
 * verdict, failure, text, event count, digest and stream. Texts of Go's that
 * name what they found in map order keep only the part that is the same on
 * every run (gth_message_key). */
typedef struct results {
    gth_buf text;
    int pair0_only; /* only the pair go:parser / go:validate */
    size_t panics, validator_only, reader_rejects;
} results;

static void put_result(gth_buf *b, const char *id, const gth_adapter *a, const gth_result *r) {
    size_t key = r->msg.len ? gth_message_key((const char *)r->msg.data, r->msg.len) : 0;
    gth_buf_printf(b, "%s %s %s %d n=%zu d=%d:%s t=%d msg=", id, a->name, gth_result_word(r), r->failure, r->nlines,
                   r->has_digest, r->has_digest ? r->digest : "", r->truncated);
    gth_buf_append(b, r->msg.len ? r->msg.data : (const uint8_t *)"", key);
    gth_buf_printf(b, "%s lines=%zu:", key < r->msg.len ? "..." : "", r->lines.len);
    gth_buf_append(b, r->lines.len ? r->lines.data : (const uint8_t *)"", r->lines.len);
    gth_buf_putc(b, '\n');
}

static void on_both_result(void *ud, const gth_trace_result *r) {
    results *s = ud;
    /* Go 1.22's reader delivers some events in map order (docs/READERS.md,
     * nondeterministic.old): its streams can differ from run to run, so only
     * its panic is compared. */
    if (r->pair && (s->pair0_only || strcmp(r->trace->id, "readers/go-status-257.test"))) return;
    put_result(&s->text, r->trace->id, r->a, r->ra);
    put_result(&s->text, r->trace->id, r->b, r->rb);
    s->panics += (size_t)gth_result_panicked(r->ra) + (size_t)gth_result_panicked(r->rb);
    s->validator_only += (size_t)(r->ra->verdict == RES_ACCEPT && r->rb->verdict == RES_REJECT);
    s->reader_rejects += (size_t)(r->ra->verdict == RES_REJECT);
}

/* Traces for the comparison: Go's golden tests, the first of corpus/invalid
 * (rejected by Go's reader) and of corpus/invalid-validate (by its validator
 * alone), and corpus/readers (go-status-257 makes the readers of Go 1.22 to
 * 1.24 panic). */
static void both_traces(gth_traceset *ts) {
    char why[4400];
    if (gth_traceset_init(ts, why, sizeof why) || gth_traceset_add_path(ts, traces, "golden", why, sizeof why))
        fail_msg("%s", why);
    static const struct {
        const char *dir;
        size_t max;
    } sets[] = {{"invalid", 25}, {"invalid-validate", 25}, {"readers", 10}};
    for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
        char d[4400], **names;
        snprintf(d, sizeof d, "%s/corpus/%s", GTH_SOURCE_DIR, sets[k].dir);
        size_t n = tu_list(d, ".test", &names);
        for (size_t i = 0; i < n && i < sets[k].max; i++)
            if (gth_traceset_add_path(ts, names[i], sets[k].dir, why, sizeof why)) fail_msg("%s", why);
        tu_free_list(names);
    }
}

/* One run of go:parser / go:validate and go@1.22:parser / go@1.22:validate
 * (gthref: the Go adapter to run as go) over both_traces; ad[0..4) are left
 * open for the caller to look at, then closed. */
static void run_profiles(const char *gthref, size_t nad, int two_pass, int no_digest, size_t jobs, results *s,
                         int *joined, pid_t *validate_pid) {
    static const char *const specs[] = {"go:parser", "go:validate", "go@1.22:parser", "go@1.22:validate"};
    char why[4400];
    gth_adapter ad[4];
    for (size_t a = 0; a < nad; a++)
        if (gth_adapter_parse(&ad[a], specs[a], gthref, why, sizeof why)) fail_msg("%s", why);
    gth_expected ex[4];
    memset(ex, 0, sizeof ex);
    gth_pair pairs[2] = {{0, 1, 1}, {2, 3, 1}};
    gth_buf_init(&s->text, NULL);
    gth_diff_opts o = {.adapters = ad, .nadapters = nad, .expected = ex, .pairs = pairs, .npairs = nad / 2,
                       .no_join = two_pass, .no_digest = no_digest, .jobs = jobs, .on_result = on_both_result,
                       .ud = s};
    gth_traceset ts;
    both_traces(&ts);
    gth_diff_summary sum;
    assert_int_equal(gth_diff_run(&ts, &o, &sum), 0);
    assert_false(sum.fatal);
    *joined = ad[0].both;
    *validate_pid = ad[1].pid;
    gth_diff_summary_free(&sum);
    gth_traceset_free(&ts);
    for (size_t a = 0; a < nad; a++) gth_adapter_close(&ad[a]);
}

/* One process reading each trace once for both profiles gives exactly the
 * results of the two processes of profile parser and validate: with digests
 * (two workers) and with streams, for the newest reader and Go 1.22's. */
static void one_process_for_both_profiles(void **state) {
    (void)state;
    for (int no_digest = 0; no_digest < 2; no_digest++) {
        results two, one;
        memset(&two, 0, sizeof two);
        memset(&one, 0, sizeof one);
        int joined;
        pid_t vpid;
        size_t jobs = no_digest ? 1 : 2;
        run_profiles(tu_gthref(), 4, 1, no_digest, jobs, &two, &joined, &vpid);
        assert_false(joined);
        run_profiles(tu_gthref(), 4, 0, no_digest, jobs, &one, &joined, &vpid);
        assert_true(joined);
        if (jobs == 1) assert_int_equal(vpid, -1); /* go:validate never had a process of its own */
        assert_true(two.text.len > 0);
        if (one.text.len != two.text.len || memcmp(one.text.data, two.text.data, two.text.len))
            fail_msg("--profile=both differs from two processes:\n--- one process ---\n%.*s\n--- two ---\n%.*s",
                     (int)one.text.len, (const char *)one.text.data, (int)two.text.len, (const char *)two.text.data);
        /* The set has what the split must get right. */
        assert_int_equal(one.panics, 2);  /* go@1.22 on go-status-257, in both profiles */
        assert_true(one.validator_only >= 10);
        assert_true(one.reader_rejects >= 25);
        gth_buf_free(&two.text);
        gth_buf_free(&one.text);
    }
}

/* The Go adapter behind a wrapper that does not declare `both`: two
 * processes, the same results. */
static void without_both_two_processes(void **state) {
    (void)state;
    char wrapper[4400], body[9000];
    snprintf(wrapper, sizeof wrapper, "%s/gthref-noboth.sh", dir);
    snprintf(body, sizeof body,
             "#!/bin/sh\nfor a; do [ \"$a\" = --capabilities ] && { '%s' \"$@\" | grep -v '^both$'; exit; }; done\n"
             "exec '%s' \"$@\"\n",
             tu_gthref(), tu_gthref());
    tu_write_file(wrapper, body, strlen(body));
    chmod(wrapper, 0755);
    results ref, s;
    memset(&ref, 0, sizeof ref);
    memset(&s, 0, sizeof s);
    ref.pair0_only = s.pair0_only = 1;
    int joined;
    pid_t vpid;
    run_profiles(tu_gthref(), 2, 1, 0, 1, &ref, &joined, &vpid);
    run_profiles(wrapper, 2, 0, 0, 1, &s, &joined, &vpid);
    assert_false(joined);
    assert_true(vpid > 0); /* go:validate ran a process of its own */
    assert_true(ref.text.len > 0);
    assert_int_equal(s.text.len, ref.text.len);
    assert_memory_equal(s.text.data, ref.text.data, ref.text.len);
    gth_buf_free(&ref.text);
    gth_buf_free(&s.text);
}

/* Three adapters, two of them with digests: Go's reader paired with itself and
 * with one that makes none. The pair without digests takes Go's reader out of
 * digest mode, and its other pair with it: no pair compares a digest with a
 * stream. */
static void digest_mode_is_per_pair_closure(void **state) {
    (void)state;
    char why[4400], adapter[4400];
    write_adapter("nodigest", nodigest_body, 1, adapter, sizeof adapter);
    char go2[4400];
    snprintf(go2, sizeof go2, "go2='%s' validate", tu_gthref());
    gth_adapter ad[3];
    if (gth_adapter_parse(&ad[0], "go", tu_gthref(), why, sizeof why) ||
        gth_adapter_parse(&ad[1], go2, NULL, why, sizeof why) ||
        gth_adapter_parse(&ad[2], adapter, NULL, why, sizeof why))
        fail_msg("%s", why);
    gth_expected ex[3];
    memset(ex, 0, sizeof ex);
    gth_pair pairs[2] = {{1, 0, 0}, {2, 0, 0}};
    dseen s;
    memset(&s, 0, sizeof s);
    gth_diff_opts o = {.adapters = ad, .nadapters = 3, .expected = ex, .pairs = pairs, .npairs = 2,
                       .on_result = on_digest_result, .ud = &s};
    gth_traceset ts;
    if (gth_traceset_init(&ts, why, sizeof why) || gth_traceset_add_path(&ts, traces, "file", why, sizeof why))
        fail_msg("%s", why);
    gth_diff_summary sum;
    assert_int_equal(gth_diff_run(&ts, &o, &sum), 0);
    assert_int_equal(s.results, 44);
    assert_int_equal(s.disagreements, 0);
    assert_int_equal(s.digests, 0);
    gth_diff_summary_free(&sum);
    gth_traceset_free(&ts);
    for (size_t a = 0; a < 3; a++) gth_adapter_close(&ad[a]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(planted_difference_is_caught),
        cmocka_unit_test(known_difference_passes),
        cmocka_unit_test(diff_command_reports),
        cmocka_unit_test(digests_then_streams),
        cmocka_unit_test(no_digest_falls_back),
        cmocka_unit_test(one_process_for_both_profiles),
        cmocka_unit_test(without_both_two_processes),
        cmocka_unit_test(digest_mode_is_per_pair_closure),
        cmocka_unit_test(conformance_run_agrees_with_go),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
