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

static dseen run_pair(const char *spec, const char *body, int twice, gth_diff_summary *sum) {
    char why[4400], script[4300], text[9000], adapter[4400];
    snprintf(script, sizeof script, "%s/%.20s.sh", dir, spec);
    if (twice) snprintf(text, sizeof text, body, tu_gthref(), tu_gthref());
    else snprintf(text, sizeof text, body, tu_gthref());
    tu_write_file(script, text, strlen(text));
    chmod(script, 0755);
    snprintf(adapter, sizeof adapter, "%s=%s", spec, script);
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

/* Three adapters, two of them with digests: Go's reader paired with itself and
 * with one that makes none. The pair without digests takes Go's reader out of
 * digest mode, and its other pair with it: no pair compares a digest with a
 * stream. */
static void digest_mode_is_per_pair_closure(void **state) {
    (void)state;
    char why[4400], script[4300], text[9000], adapter[4400];
    snprintf(script, sizeof script, "%s/nodigest3.sh", dir);
    snprintf(text, sizeof text, nodigest_body, tu_gthref(), tu_gthref());
    tu_write_file(script, text, strlen(text));
    chmod(script, 0755);
    snprintf(adapter, sizeof adapter, "nodigest=%s", script);
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
        cmocka_unit_test(digest_mode_is_per_pair_closure),
        cmocka_unit_test(conformance_run_agrees_with_go),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
