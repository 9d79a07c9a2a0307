/*
 * The differential runner catches a planted difference: an adapter wrapper that
 * flips one verdict of Go's reader. The run must fail, name the trace, and write
 * a reproducer .test whose expectation is the reference's verdict; listed as a
 * known difference, the same run must pass. And the conformance run over Go's
 * golden tests, fuzz corpus and variants must find no disagreement.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Binaries of the golden tests in dir, named <test>.bin. */
static void golden_binaries(const char *dir) {
    char **bins;
    tu_golden_binaries(dir, &bins);
    tu_free_list(bins);
}

static void planted_difference_is_caught(void **state) {
    (void)state;
    char dir[4200], traces[4300], out[4300], script[4300], expect[4300], body[9000];
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("diff"));
    snprintf(traces, sizeof traces, "%s/traces", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(script, sizeof script, "%s/flip.sh", dir);
    mkdir(traces, 0777);
    golden_binaries(traces);
    /* Go's reader, except that it rejects one trace it accepts. */
    snprintf(body, sizeof body,
             "#!/bin/sh\n'%s' validate \"$@\" | while IFS= read -r line; do\n"
             "  case \"$line\" in \"== \"*) p=$line ;; esac\n"
             "  case \"$line:$p\" in ACCEPT:*go122-annotations.bin) echo 'REJECT \"planted difference\"' ;;\n"
             "  *) printf '%%s\\n' \"$line\" ;; esac\n"
             "done\n",
             tu_gthref());
    tu_write_file(script, body, strlen(body));
    chmod(script, 0755);
    char flip[4400];
    snprintf(flip, sizeof flip, "flip=%s", script);

    char *argv[] = {(char *)tu_gth(), "diff", "--adapter", "go", "--adapter", flip, "--out", out, traces, NULL};
    char *so = NULL, *se = NULL;
    int rc = tu_run(argv, NULL, 0, &so, NULL, &se);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(se, "DISAGREEMENT file/go122-annotations.bin: go:validate ACCEPT, flip REJECT"));
    assert_non_null(strstr(se, "planted difference"));
    assert_non_null(strstr(so, "21/22")); /* verdicts agree on the other 21 */
    /* The reproducer: a .test that Go's own golden runner would accept (SUCCESS:
     * the reference's verdict), plus both outputs. */
    char path[8600];
    size_t len;
    snprintf(path, sizeof path, "%s/file_go122-annotations.bin.test", out);
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
    free(so);
    free(se);

    /* The same difference, listed as known: the run passes and says so. */
    snprintf(expect, sizeof expect, "%s/known.txt", dir);
    const char *known = "# planted by the test\nfile/go122-annotations.bin the wrapper flips it on purpose\n";
    tu_write_file(expect, known, strlen(known));
    char ex2[4400];
    snprintf(ex2, sizeof ex2, "flip=%s", expect);
    char *argv2[] = {(char *)tu_gth(), "diff", "--adapter", "go", "--adapter", flip, "--expect", ex2, "--json", traces, NULL};
    rc = tu_run(argv2, NULL, 0, &so, NULL, &se);
    assert_int_equal(rc, 0);
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(planted_difference_is_caught),
        cmocka_unit_test(conformance_run_agrees_with_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
