/* The report files of a differential run (harness/report.h): results.jsonl is
 * one JSON object per row, junit.xml is well-formed with one testcase per row
 * and the texts of each failure, and index.html shows the matrix in a real
 * browser (headless Chromium, where it is installed). Texts with markup, control
 * characters and bytes that are not UTF-8 must not break any of them. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/report.h"

static char *read_text(const char *path) {
    size_t n;
    char *p = (char *)tu_read_file(path, &n);
    p = realloc(p, n + 1);
    p[n] = 0;
    return p;
}

static size_t count(const char *s, const char *needle) {
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* A hostile text: markup, a CDATA end, quotes, a control character, an
 * invalid byte and a JSON escape. */
static const char hostile[] = "bad <b>&amp;</b> ]]> \"q\" 'a' \x01\x1b \xff\xfe end\\n";

static const char *write_report(void) {
    const char *dir = tu_tmpdir("report");
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/nested/out", dir); /* parents are made */
    static char keep[4200];
    snprintf(keep, sizeof keep, "%s", sub);
    gth_error err;
    gth_error_clear(&err);
    gth_report *r = gth_report_open(NULL, keep, "gth diff", &err);
    assert_non_null(r);
    gth_report_row rows[] = {
        {.trace = "golden/a", .set = "golden", .a = {"go", "ACCEPT", NULL, 10, NULL}, .b = {"gth", "ACCEPT", NULL, 10, NULL},
         .outcome = GTH_OUTCOME_AGREE, .seconds = 0.5},
        {.trace = "golden/b", .set = "golden", .a = {"go", "REJECT", "broken trace: x", 3, NULL},
         .b = {"gth", "ACCEPT", NULL, 7, NULL}, .outcome = GTH_OUTCOME_DISAGREE, .what = "verdict",
         .repro = "repro/golden-b.test", .seconds = 0.25},
        {.trace = "file/<odd>&name", .set = "file", .a = {"go", "ACCEPT", NULL, 4, "GoStart dt=1 g=5"},
         .b = {"mine", "ACCEPT", hostile, 4, "GoStart dt=1 g=6"}, .outcome = GTH_OUTCOME_DISAGREE,
         .what = "stream", .line_no = 3},
        {.trace = "file/c", .set = "file", .a = {"go", "REJECT", "x", 0, NULL}, .b = {"mine", "REJECT", "y", 0, NULL},
         .outcome = GTH_OUTCOME_EXPECTED, .reason = "known: texts differ"},
        {.trace = "file/d", .set = "file", .a = {"go", "ACCEPT", NULL, 1, NULL}, .b = {"mine", "TIMEOUT", NULL, 0, NULL},
         .outcome = GTH_OUTCOME_TIMEOUT, .reason = "mine: no answer in 60 s"},
        {.trace = "file/e", .set = "file", .a = {"go", "ACCEPT", NULL, 1, NULL}, .b = {"mine", "ERROR", hostile, 0, NULL},
         .outcome = GTH_OUTCOME_ERROR, .reason = hostile},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) assert_int_equal(gth_report_add(r, &rows[i], &err), GTH_OK);
    assert_int_equal(gth_report_close(r, &err), GTH_OK);
    return keep;
}

/* Runs python3 on a program with the report directory as argv[1]; its exit
 * status. */
static int python(const char *prog, const char *dir, char **out) {
    char *argv[] = {"python3", "-c", (char *)prog, (char *)dir, NULL};
    char *err = NULL;
    int rc = tu_run(argv, NULL, 0, out, NULL, &err);
    if (rc) print_message("python3: %s\n", err);
    free(err);
    return rc;
}

static void jsonl_and_junit_are_well_formed(void **state) {
    (void)state;
    const char *dir = write_report();
    char path[4300];
    snprintf(path, sizeof path, "%s/results.jsonl", dir);
    char *jl = read_text(path);
    assert_int_equal(count(jl, "\n"), 6);
    assert_int_equal(count(jl, "{\"trace\":"), 6);
    free(jl);
    /* Every line parses as JSON with the fields a consumer needs. */
    char *out = NULL;
    assert_int_equal(python("import json,sys\n"
                            "rows=[json.loads(l) for l in open(sys.argv[1]+'/results.jsonl',encoding='utf-8')]\n"
                            "print(len(rows), sorted(set(r['outcome'] for r in rows)))\n"
                            "b=rows[1]; assert b['pair']==['go','gth'] and b['a']['verdict']=='REJECT'\n"
                            "assert b['reproducer']=='repro/golden-b.test' and b['what']=='verdict'\n"
                            "s=rows[2]; assert s['line_no']==3 and s['b']['line']=='GoStart dt=1 g=6'\n"
                            "assert s['b']['text'].startswith('bad <b>&amp;</b> ]]> \"q\"')\n",
                            dir, &out),
                     0);
    assert_string_equal(out, "6 ['agree', 'disagree', 'error', 'expected', 'timeout']\n");
    free(out);
    /* junit.xml: one testcase per row, failures and errors counted, texts kept. */
    snprintf(path, sizeof path, "%s/junit.xml", dir);
    char *x = read_text(path);
    assert_int_equal(count(x, "<testcase "), 6);
    assert_int_equal(count(x, "<testsuite "), 2);
    assert_non_null(strstr(x, "<testsuites name=\"gth diff\" tests=\"6\" failures=\"2\" errors=\"2\" skipped=\"1\">"));
    assert_null(strstr(x, "\x01"));
    assert_null(strstr(x, "<b>"));
    free(x);
    assert_int_equal(python("import sys,xml.etree.ElementTree as ET\n"
                            "t=ET.parse(sys.argv[1]+'/junit.xml').getroot()\n"
                            "cases=t.findall('.//testcase')\n"
                            "f=[c for c in cases if c.find('failure') is not None]\n"
                            "print(len(cases), len(f), [s.get('name') for s in t.findall('testsuite')])\n"
                            "txt=f[1].find('failure').text\n"
                            "assert 'bad <b>&amp;</b> ]]>' in txt and 'GoStart dt=1 g=6' in txt, txt\n"
                            "assert '#3' in txt\n",
                            dir, &out),
                     0);
    assert_string_equal(out, "6 2 ['go vs gth', 'go vs mine']\n");
    free(out);
}

/* The page in a real browser: Chromium renders it, the DOM it builds has the
 * matrix with the counts, and a screenshot shows it. */
static void html_renders_in_chromium(void **state) {
    (void)state;
    const char *dir = write_report();
    char path[4300];
    snprintf(path, sizeof path, "%s/index.html", dir);
    char *h = read_text(path);
    assert_non_null(strstr(h, "<table class=\"matrix\" id=\"matrix\">"));
    assert_non_null(strstr(h, "href=\"repro/golden-b.test\""));
    free(h);
    const char *browsers[] = {"chromium", "chromium-browser", "google-chrome", NULL};
    const char *browser = NULL;
    for (int i = 0; browsers[i] && !browser; i++) {
        char *argv[] = {"sh", "-c", "command -v \"$0\" >/dev/null", (char *)browsers[i], NULL};
        if (tu_run(argv, NULL, 0, NULL, NULL, NULL) == 0) browser = browsers[i];
    }
    if (!browser) {
        print_message("Chromium is not installed (scripts/install-deps.sh installs it): page not rendered\n");
        return;
    }
    char url[4400], shot[4400], shotarg[4500];
    snprintf(url, sizeof url, "file://%s", path);
    snprintf(shot, sizeof shot, "%s/matrix.png", dir);
    snprintf(shotarg, sizeof shotarg, "--screenshot=%s", shot);
    char *dom_argv[] = {(char *)browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--dump-dom", url, NULL};
    char *dom = NULL;
    assert_int_equal(tu_run(dom_argv, NULL, 0, &dom, NULL, NULL), 0);
    /* The rendered matrix: one row per pair, the counts in its cells. */
    assert_non_null(strstr(dom, "<th>go vs gth</th><td class=\"bad\">1 / 2 agree<br>1 disagree</td>"
                                "<td class=\"empty\">"));
    assert_non_null(strstr(dom, "<th>go vs mine</th><td class=\"empty\">\xe2\x80\x93</td><td class=\"bad\">0 / 4 "
                                "agree<br>1 disagree<br>1 expected<br>1 error<br>1 timeout</td>"));
    assert_non_null(strstr(dom, "Disagreements (2)"));
    free(dom);
    char *shot_argv[] = {(char *)browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--hide-scrollbars", "--window-size=1200,900", shotarg, url, NULL};
    assert_int_equal(tu_run(shot_argv, NULL, 0, NULL, NULL, NULL), 0);
    size_t n;
    uint8_t *png = tu_read_file(shot, &n);
    assert_true(n > 10000); /* a blank page compresses to far less */
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    free(png);
    print_message("screenshot: %s\n", shot);
}

/* An unwritable directory is an I/O error, not a crash or a silent success. */
static void unwritable_dir_is_an_error(void **state) {
    (void)state;
    gth_error err;
    gth_error_clear(&err);
    const char *dir = tu_tmpdir("report-file");
    char file[4300];
    snprintf(file, sizeof file, "%s/plain", dir);
    tu_write_file(file, "x", 1);
    char sub[4400];
    snprintf(sub, sizeof sub, "%s/under", file);
    assert_null(gth_report_open(NULL, sub, "t", &err));
    assert_int_equal(err.status, GTH_EIO);
    assert_non_null(strstr(err.msg, sub));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jsonl_and_junit_are_well_formed),
        cmocka_unit_test(html_renders_in_chromium),
        cmocka_unit_test(unwritable_dir_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
