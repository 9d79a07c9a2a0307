/*
 * The differential runner with parsers that misbehave: adapters (small shell
 * wrappers around Go's reader, or scripts of their own) that panic, cannot
 * start, answer nothing, hang, say something else on each run or change the
 * error texts; trace ids that would collide; files that are not traces; an
 * output directory of an earlier run; outputs too large to keep whole. Each
 * through the engine (harness/diff.h) or the command's exit status.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/diff.h"
#include "harness/repro.h"

static char dir[4200], traces[4300], one[4400];

/* An adapter script: body runs for the whole batch (stdin: paths). */
static const char *script(const char *name, const char *body) {
    static char specs[16][4500];
    static int n;
    char path[4400];
    snprintf(path, sizeof path, "%s/%s.sh", dir, name);
    tu_write_file(path, body, strlen(body));
    chmod(path, 0755);
    char *spec = specs[n++ % 16];
    snprintf(spec, 4500, "%s=%s", name, path);
    return spec;
}

/* A wrapper of Go's reader whose verdict lines pass through sed. */
static const char *go_through(const char *name, const char *sed) {
    char body[9000];
    snprintf(body, sizeof body, "#!/bin/sh\n'%s' validate \"$@\" | sed -u '%s'\n", tu_gthref(), sed);
    return script(name, body);
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("runner"));
    snprintf(traces, sizeof traces, "%s/traces", dir);
    mkdir(traces, 0777);
    char **bins;
    tu_golden_binaries(traces, &bins);
    tu_free_list(bins);
    snprintf(one, sizeof one, "%s/one", dir);
    mkdir(one, 0777);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cp '%s/go122-annotations.bin' '%s/'", traces, one);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* gth diff with the given arguments; its exit status, stdout and stderr. */
static int diff(char **so, char **se, ...) {
    char *argv[32] = {(char *)tu_gth(), "diff"};
    int n = 2;
    va_list ap;
    va_start(ap, se);
    for (char *a; (a = va_arg(ap, char *)) && n < 31;) argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return tu_run(argv, NULL, 0, so, NULL, se);
}

/* A parser that panics wherever Go's reader rejects: a disagreement, with a
 * reproducer, and exit 1. */
static void panic_is_a_disagreement(void **state) {
    (void)state;
    const char *panics = go_through("panics", "s/^REJECT \"/REJECT \"panic: /");
    char out[4400], *so, *se;
    snprintf(out, sizeof out, "%s/panic-out", dir);
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", (char *)panics, "--out", out, traces, NULL), 1);
    assert_non_null(strstr(se, "DISAGREEMENT file/go122-"));
    assert_non_null(strstr(se, "panics REJECT (panic)"));
    assert_non_null(strstr(se, "reproducer: "));
    free(so);
    free(se);
    /* Both panicking the same way is no disagreement: the reference against itself. */
    assert_int_equal(diff(&so, &se, "--adapter", (char *)panics, "--adapter", (char *)go_through("panics2", "s/^REJECT \"/REJECT \"panic: /"), traces, NULL), 0);
    free(so);
    free(se);
}

/* An adapter that cannot start, or answers nothing, stops the run: exit 2. */
static void adapter_that_cannot_run_is_an_error(void **state) {
    (void)state;
    char *so, *se;
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", "x=/nonexistent", traces, NULL), 2);
    assert_non_null(strstr(se, "could not be started"));
    free(so);
    free(se);
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", "mute=true", traces, NULL), 2);
    assert_non_null(strstr(se, "adapter mute gave no verdict on any trace"));
    free(so);
    free(se);
}

/* A crash of the parser's process while on a trace is a disagreement. */
static void crash_is_a_disagreement(void **state) {
    (void)state;
    const char *crash = script("crash", "#!/bin/sh\nread p; echo \"== $p\"; kill -SEGV $$\n");
    char *so, *se;
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", (char *)crash, one, NULL), 1);
    assert_non_null(strstr(se, "crash CRASH"));
    free(so);
    free(se);
}

/* A timeout is its own outcome, counted apart. */
static void timeout_is_reported_apart(void **state) {
    (void)state;
    const char *slow = script("slow", "#!/bin/sh\nwhile read p; do sleep 30; done\n");
    char *so, *se;
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", (char *)slow, "--timeout", "1", "--json", one, NULL), 1);
    assert_non_null(strstr(se, "TIMEOUT file/go122-annotations.bin: adapter slow timed out"));
    assert_null(strstr(se, "DISAGREEMENT"));
    assert_non_null(strstr(so, "\"new\":0,\"errors\":0,\"timeouts\":1"));
    free(so);
    free(se);
}

/* go:parser and go:validate, with gthref replaced by a script that declares
 * --profile=both and runs body on the batch, as one process (1 s to answer)
 * on one trace: the two results, and whether each counts as answered. */
static void both_through(const char *name, const char *body, gth_result *rp, gth_result *rv, size_t answered[2]) {
    char path[4400], full[9000], why[4400], trace[4500];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(full, sizeof full, "#!/bin/sh\ncase \"$*\" in *--capabilities*) exec '%s' \"$@\" ;; esac\n%s", tu_gthref(),
             body);
    tu_write_file(path, full, strlen(full));
    chmod(path, 0755);
    gth_adapter ad[2];
    if (gth_adapter_parse(&ad[0], "go:parser", path, why, sizeof why) ||
        gth_adapter_parse(&ad[1], "go:validate", path, why, sizeof why))
        fail_msg("%s", why);
    for (int k = 0; k < 2; k++) {
        gth_adapter_capabilities(&ad[k]);
        ad[k].timeout_ms = 1000;
    }
    assert_true(gth_adapter_can_join(&ad[0], &ad[1]));
    ad[0].both = 1;
    snprintf(trace, sizeof trace, "%s/go122-annotations.bin", one);
    gth_result_init(rp);
    gth_result_init(rv);
    gth_adapter_send(&ad[0], trace, NULL, rp);
    gth_adapter_receive_both(&ad[0], &ad[1], trace, rp, rv);
    gth_buf_putc(&rp->msg, 0);
    gth_buf_putc(&rv->msg, 0);
    answered[0] = ad[0].answered;
    answered[1] = ad[1].answered;
    gth_adapter_close(&ad[0]);
    gth_adapter_close(&ad[1]);
}

/* A timeout of the one process that answers both profiles is a timeout of
 * each; a crash before the second answer is the second's, named after it. */
static void both_profiles_time_out_together(void **state) {
    (void)state;
    gth_result rp, rv;
    size_t answered[2];
    both_through("hangs.sh", "while read p; do sleep 30; done\n", &rp, &rv, answered);
    assert_string_equal(gth_result_word(&rp), "TIMEOUT");
    assert_string_equal(gth_result_word(&rv), "TIMEOUT");
    assert_string_equal((const char *)rp.msg.data, "adapter go:parser timed out after 1000 ms");
    assert_string_equal((const char *)rv.msg.data, "adapter go:validate timed out after 1000 ms");
    assert_int_equal(answered[0], 1);
    assert_int_equal(answered[1], 1);
    gth_result_free(&rp);
    gth_result_free(&rv);

    both_through("half.sh", "read p; printf '== %s\\nACCEPT\\n== end\\n== %s\\n' \"$p\" \"$p\"; exit 3\n", &rp,
                 &rv, answered);
    assert_string_equal(gth_result_word(&rp), "ACCEPT");
    assert_string_equal(gth_result_word(&rv), "CRASH");
    assert_string_equal((const char *)rv.msg.data, "adapter go:validate crashed: exited with status 3 mid-trace");
    assert_int_equal(answered[1], 1);
    gth_result_free(&rp);
    gth_result_free(&rv);
}

/* Adapters learn each trace's id from GTH_TRACE_ID_FILE. */
static void adapters_receive_the_trace_id(void **state) {
    (void)state;
    const char *ids = script("ids", "#!/bin/sh\nwhile read p; do echo \"== $p\"; "
                                    "printf 'REJECT \"%s\"\\n' \"$(cat \"$GTH_TRACE_ID_FILE\")\"; echo '== end'; done\n");
    char *so, *se;
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", (char *)ids, one, NULL), 1);
    assert_non_null(strstr(se, "ids: \"file/go122-annotations.bin\""));
    free(so);
    free(se);
}

/* --repeat: a parser that answers differently when run again is flagged. */
static void repeat_flags_nondeterminism(void **state) {
    (void)state;
    char body[9000];
    snprintf(body, sizeof body,
             "#!/bin/sh\nn=0\nwhile read p; do n=$((n+1)); echo \"== $p\"; "
             "if [ $((n %% 2)) = 0 ]; then echo ACCEPT; else echo 'REJECT \"odd\"'; fi; echo '== end'; done\n");
    const char *flaky = script("flaky", body);
    char *so, *se;
    assert_int_equal(diff(&so, &se, "--adapter", (char *)flaky, "--adapter", "go", "--repeat", "2", "--json", one, NULL), 1);
    assert_non_null(strstr(se, "flaky gave different results when run again"));
    assert_non_null(strstr(so, "\"nondeterministic\":1"));
    free(so);
    free(se);
}

/* Texts: exact between Go's readers and gth, off for other parsers. */
static void text_policy_per_pair(void **state) {
    (void)state;
    const char *other = go_through("other", "s/^REJECT \".*/REJECT \"some other text\"/");
    char *so, *se;
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", (char *)other, traces, NULL), 0);
    free(so);
    free(se);
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", (char *)other, "--texts", "exact", traces, NULL), 1);
    assert_non_null(strstr(se, "other REJECT (text)"));
    assert_non_null(strstr(se, "other: \"some other text\""));
    free(so);
    free(se);
    /* gth against Go: a text that differs is a disagreement by default. */
    gth_adapter g, h;
    char why[600];
    assert_int_equal(gth_adapter_parse(&g, "go", tu_gthref(), why, sizeof why), 0);
    assert_int_equal(gth_adapter_parse(&h, "gth", NULL, why, sizeof why), 0);
    assert_true(gth_diff_texts_policy(&g, &h));
    gth_adapter x;
    assert_int_equal(gth_adapter_parse(&x, other, NULL, why, sizeof why), 0);
    assert_false(gth_diff_texts_policy(&g, &x));
    gth_adapter_close(&g);
    gth_adapter_close(&h);
    gth_adapter_close(&x);
}

/* --expect: shell patterns of ids, and text patterns. */
static void expect_takes_patterns(void **state) {
    (void)state;
    const char *flip = go_through("flip2", "s/^ACCEPT$/REJECT \"flipped\"/");
    char list[4400], spec[4500], *so, *se;
    snprintf(list, sizeof list, "%s/patterns.txt", dir);
    const char *pats = "file/go122-* most of them\ntext:\"flip*\" the rest\n";
    tu_write_file(list, pats, strlen(pats));
    snprintf(spec, sizeof spec, "flip2=%s", list);
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", (char *)flip, "--expect", spec, "--json", traces, NULL), 0);
    assert_null(strstr(se, "DISAGREEMENT"));
    free(so);
    free(se);
    gth_expected e;
    assert_int_equal(gth_expected_load(&e, list, spec, sizeof spec), 0);
    assert_int_equal(gth_expected_match(&e, "file/go122-gc.bin", NULL, 0), 0);
    assert_int_equal(gth_expected_match(&e, "file/go123-x.bin", "flipped", 7), 1);
    assert_int_equal(gth_expected_match(&e, "file/go123-x.bin", "other", 5), -1);
    gth_expected_free(&e);
}

/* Ids stay unique across arguments, files that are not traces are left out,
 * and a reproducer of a .test trace is not named .test.test. */
static void ids_unique_and_non_traces_skipped(void **state) {
    (void)state;
    char a[4400], b[4400], cmd[20000], why[600];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    mkdir(a, 0777);
    mkdir(b, 0777);
    snprintf(cmd, sizeof cmd, "cp '%s/go122-annotations.bin' '%s/t.bin' && cp '%s/go122-gc-stress.bin' '%s/t.bin'",
             traces, a, traces, b);
    assert_int_equal(system(cmd), 0);
    char manifest[4500];
    snprintf(manifest, sizeof manifest, "%s/MANIFEST", a);
    tu_write_file(manifest, "t.bin\tsome\tcolumns\n", 19);
    gth_traceset ts;
    assert_int_equal(gth_traceset_init(&ts, why, sizeof why), 0);
    assert_int_equal(gth_traceset_add_path(&ts, a, "file", why, sizeof why), 0);
    assert_int_equal(gth_traceset_add_path(&ts, b, "file", why, sizeof why), 0);
    assert_int_equal(ts.n, 2);
    assert_int_equal(ts.skipped, 1);
    assert_string_equal(ts.v[0].id, "file/t.bin");
    assert_string_equal(ts.v[1].id, "file/t~2.bin");
    gth_traceset_free(&ts);
    /* Reproducer names: per pair when there are several, no .test.test. */
    gth_adapter A, B;
    assert_int_equal(gth_adapter_parse(&A, "gth", NULL, why, sizeof why), 0);
    assert_int_equal(gth_adapter_parse(&B, "gth:parser", NULL, why, sizeof why), 0);
    gth_result r;
    gth_result_init(&r);
    r.verdict = RES_ACCEPT;
    char out[4400], where[4600], t[4500];
    snprintf(out, sizeof out, "%s/names", dir);
    snprintf(t, sizeof t, "%s/t.bin", a);
    gth_write_reproducer(out, "golden/x.test", NULL, t, &A, &B, &r, &r, 0, where, sizeof where);
    snprintf(cmd, sizeof cmd, "%s/golden_x.test", out);
    assert_string_equal(where, cmd);
    gth_write_reproducer(out, "golden/x.test", "gth:parser", t, &A, &B, &r, &r, 0, where, sizeof where);
    snprintf(cmd, sizeof cmd, "%s/golden_x.gth:parser.test", out);
    assert_string_equal(where, cmd);
    gth_result_free(&r);
    gth_adapter_close(&A);
    gth_adapter_close(&B);
}

/* --out starts empty: a directory of an earlier run is emptied, any other
 * non-empty one refused. */
static void out_dir_starts_empty(void **state) {
    (void)state;
    char out[4400], stale[4500], *so, *se;
    const char *flip = go_through("flip3", "s/^ACCEPT$/REJECT \"flipped\"/");
    snprintf(out, sizeof out, "%s/again", dir);
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", (char *)flip, "--out", out, one, NULL), 1);
    free(so);
    free(se);
    snprintf(stale, sizeof stale, "%s/stale.test", out);
    tu_write_file(stale, "x", 1);
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", (char *)flip, "--out", out, one, NULL), 1);
    assert_int_not_equal(access(stale, F_OK), 0);
    free(so);
    free(se);
    char other[4400];
    snprintf(other, sizeof other, "%s/other", dir);
    mkdir(other, 0777);
    snprintf(stale, sizeof stale, "%s/mine.txt", other);
    tu_write_file(stale, "x", 1);
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", (char *)flip, "--out", other, one, NULL), 2);
    assert_int_equal(access(stale, F_OK), 0);
    free(so);
    free(se);
}

/* "streams agree" counts only traces where both delivered events. */
static void streams_compared_only_with_events(void **state) {
    (void)state;
    const char *none = script("none", "#!/bin/sh\nwhile read p; do echo \"== $p\"; echo 'REJECT \"no\"'; echo '== end'; done\n");
    char *so, *se;
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", (char *)none, "--json", traces, NULL), 1);
    assert_non_null(strstr(so, "\"all\":{\"traces\":22,\"verdicts_agree\":2,\"streams_compared\":0,\"streams_agree\":0"));
    free(so);
    free(se);
}

/* A saved output is cut to about GTH_OUTPUT_MAX, keeping the differing line. */
static void saved_outputs_are_capped(void **state) {
    (void)state;
    gth_result r;
    gth_result_init(&r);
    r.verdict = RES_ACCEPT;
    size_t n = 0;
    while (r.lines.len < 8 * GTH_OUTPUT_MAX) gth_buf_printf(&r.lines, "Event %zu with some text to fill the line\n", ++n);
    r.nlines = n;
    char path[4400];
    snprintf(path, sizeof path, "%s/big.out", dir);
    size_t target = n - 100;
    gth_write_output(path, &r, target);
    size_t len;
    char *f = (char *)tu_read_file(path, &len);
    assert_true(len < GTH_OUTPUT_MAX + 8192);
    char want[128];
    snprintf(want, sizeof want, "\nEvent %zu with", target);
    assert_non_null(strstr(f, want));
    assert_non_null(strstr(f, "lines left out"));
    assert_non_null(strstr(f, "\nACCEPT\n"));
    free(f);
    gth_result_free(&r);
}

/* --report DIR: index.html, junit.xml (one testcase per trace and pair) and
 * results.jsonl, with links to reproducers under DIR; progress lines on
 * stderr. */
static void report_files(void **state) {
    (void)state;
    char rdir[4400], *so, *se;
    snprintf(rdir, sizeof rdir, "%s/report", dir);
    const char *flip = go_through("flip4", "s/^ACCEPT$/REJECT \"flipped\"/");
    setenv("GTH_PROGRESS_SECONDS", "0", 1);
    assert_int_equal(diff(&so, &se, "--adapter", "go", "--adapter", "gth", "--adapter", (char *)flip, "--report", rdir,
                          traces, NULL), 1);
    unsetenv("GTH_PROGRESS_SECONDS");
    assert_non_null(strstr(se, "gth diff: 22/22 traces"));
    free(so);
    free(se);
    char *argv[] = {"python3", "-c",
                    "import json,sys,os,xml.etree.ElementTree as ET\n"
                    "d=sys.argv[1]\n"
                    "rows=[json.loads(l) for l in open(d+'/results.jsonl',encoding='utf-8')]\n"
                    "t=ET.parse(d+'/junit.xml').getroot()\n"
                    "cases=t.findall('.//testcase')\n"
                    "ids=set((s.get('name'),c.get('name')) for s in t.findall('testsuite') for c in s.findall('testcase'))\n"
                    "bad=[r for r in rows if r['outcome']=='disagree']\n"
                    "assert all(os.path.exists(d+'/'+r['reproducer']) for r in bad), bad\n"
                    "assert open(d+'/index.html').read().count('href=\"reproducers/')>=len(bad)\n"
                    "print(len(rows), len(cases), len(ids), len(t.findall('testsuite')), len(bad))\n",
                    rdir, NULL};
    char *out = NULL;
    assert_int_equal(tu_run(argv, NULL, 0, &out, NULL, NULL), 0);
    assert_string_equal(out, "44 44 44 2 20\n");
    free(out);
    /* The page in a real browser (where Chromium is installed). */
    char *which[] = {"sh", "-c", "command -v chromium >/dev/null", NULL};
    if (tu_run(which, NULL, 0, NULL, NULL, NULL) != 0) {
        print_message("Chromium is not installed: page not rendered\n");
        return;
    }
    char url[4500];
    snprintf(url, sizeof url, "file://%s/index.html", rdir);
    char *dom_argv[] = {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--dump-dom", url, NULL};
    char *dom = NULL;
    assert_int_equal(tu_run(dom_argv, NULL, 0, &dom, NULL, NULL), 0);
    assert_non_null(strstr(dom, "<th>go:validate vs flip4</th>"));
    assert_non_null(strstr(dom, "Disagreements (20)"));
    free(dom);
}

/* --jobs N: the same disagreements, reproducers and table, in the same order. */
static void jobs_keep_the_order(void **state) {
    (void)state;
    const char *flip = go_through("flip5", "s/^ACCEPT$/REJECT \"flipped\"/");
    char *so1, *se1, *so3, *se3, out1[4400], out3[4400];
    snprintf(out1, sizeof out1, "%s/jobs1", dir);
    snprintf(out3, sizeof out3, "%s/jobs3", dir);
    assert_int_equal(diff(&so1, &se1, "--adapter", "go", "--adapter", "gth", "--adapter", (char *)flip, "--jobs", "1",
                          "--json", "--out", out1, traces, NULL), 1);
    assert_int_equal(diff(&so3, &se3, "--adapter", "go", "--adapter", "gth", "--adapter", (char *)flip, "--jobs", "3",
                          "--json", "--out", out3, traces, NULL), 1);
    /* The JSON summary up to its time, and the log with the directories' names alike. */
    char *t1 = strstr(so1, "\"seconds\""), *t3 = strstr(so3, "\"seconds\"");
    assert_non_null(t1);
    assert_non_null(t3);
    assert_string_equal(strstr(t1, "\"new_disagreements\""), strstr(t3, "\"new_disagreements\""));
    for (char *p; (p = strstr(se3, "jobs3"));) p[4] = '1';
    assert_string_equal(se1, se3);
    assert_non_null(strstr(se1, "DISAGREEMENT"));
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "diff -r '%s' '%s' >/dev/null", out1, out3);
    assert_int_equal(system(cmd), 0);
    free(so1);
    free(se1);
    free(so3);
    free(se3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(panic_is_a_disagreement),
        cmocka_unit_test(adapter_that_cannot_run_is_an_error),
        cmocka_unit_test(crash_is_a_disagreement),
        cmocka_unit_test(timeout_is_reported_apart),
        cmocka_unit_test(both_profiles_time_out_together),
        cmocka_unit_test(adapters_receive_the_trace_id),
        cmocka_unit_test(repeat_flags_nondeterminism),
        cmocka_unit_test(text_policy_per_pair),
        cmocka_unit_test(expect_takes_patterns),
        cmocka_unit_test(ids_unique_and_non_traces_skipped),
        cmocka_unit_test(out_dir_starts_empty),
        cmocka_unit_test(streams_compared_only_with_events),
        cmocka_unit_test(saved_outputs_are_capped),
        cmocka_unit_test(report_files),
        cmocka_unit_test(jobs_keep_the_order),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
