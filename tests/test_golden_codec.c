/* Conformance of the codec with Go's on Go's golden corpus: for every .test file
 * in $GOROOT/src/internal/trace/testdata/tests, `gth pack` gives exactly the
 * bytes of Go's raw writer (the reference adapter's `raw text2bytes` fed the
 * trace section, and its `test2bytes`), and `gth dump` of those bytes gives
 * exactly the text of Go's `raw bytes2text`. Go must be installed: without it
 * this test fails rather than skips. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/testfile.h"

static void show_diff(const char *what, const char *file, const char *a, size_t an, const char *b, size_t bn) {
    size_t i = 0;
    while (i < an && i < bn && a[i] == b[i]) i++;
    fail_msg("%s differs for %s at byte %zu (lengths: gth %zu, Go %zu)", what, file, i, an, bn);
}

static void golden_files(void **state) {
    (void)state;
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/src/internal/trace/testdata/tests", tu_goroot());
    char **files;
    size_t n = tu_list(dir, ".test", &files);
    if (n == 0) fail_msg("no .test files in %s", dir);
    const char *gthref = tu_gthref();
    size_t strict_ok = 0, strict_refused = 0;
    for (size_t i = 0; i < n; i++) {
        const char *f = files[i];
        size_t len;
        uint8_t *content = tu_read_file(f, &len);
        gth_testfile tf;
        gth_error err;
        gth_error_clear(&err);
        if (gth_testfile_parse(content, len, f, &tf, &err) != GTH_OK) fail_msg("%s", err.msg);

        /* gth pack FILE vs Go's raw writer on the trace section. */
        char *pack_argv[] = {(char *)tu_gth(), "pack", (char *)f, NULL};
        char *ours = NULL, *ours_err = NULL;
        size_t ours_len = 0;
        int rc = tu_run(pack_argv, NULL, 0, &ours, &ours_len, &ours_err);
        if (rc != 0) fail_msg("gth pack %s: exit %d: %s", f, rc, ours_err);
        char *t2b_argv[] = {(char *)gthref, "raw", "text2bytes", NULL};
        char *go = NULL, *go_err = NULL;
        size_t go_len = 0;
        rc = tu_run(t2b_argv, tf.trace, tf.trace_len, &go, &go_len, &go_err);
        if (rc != 0) fail_msg("gthref raw text2bytes %s: exit %d: %s", f, rc, go_err);
        if (ours_len != go_len || memcmp(ours, go, go_len) != 0) show_diff("gth pack", f, ours, ours_len, go, go_len);
        /* ... and the adapter's own .test conversion. */
        char *tb_argv[] = {(char *)gthref, "test2bytes", (char *)f, NULL};
        char *go2 = NULL;
        size_t go2_len = 0;
        rc = tu_run(tb_argv, NULL, 0, &go2, &go2_len, NULL);
        assert_int_equal(rc, 0);
        if (go2_len != ours_len || memcmp(go2, ours, ours_len) != 0) show_diff("gth pack vs test2bytes", f, ours, ours_len, go2, go2_len);
        /* Text on stdin gives the same bytes as the .test file. */
        char *stdin_argv[] = {(char *)tu_gth(), "pack", "-", NULL};
        char *ours2 = NULL;
        size_t ours2_len = 0;
        rc = tu_run(stdin_argv, tf.trace, tf.trace_len, &ours2, &ours2_len, NULL);
        assert_int_equal(rc, 0);
        if (ours2_len != ours_len || memcmp(ours2, ours, ours_len) != 0) show_diff("gth pack (stdin)", f, ours2, ours2_len, ours, ours_len);

        /* gth dump of those bytes vs Go's raw bytes2text. */
        char *dump_argv[] = {(char *)tu_gth(), "dump", NULL};
        char *text = NULL, *text_err = NULL;
        size_t text_len = 0;
        rc = tu_run(dump_argv, go, go_len, &text, &text_len, &text_err);
        if (rc != 0) fail_msg("gth dump (%s): exit %d: %s", f, rc, text_err);
        char *b2t_argv[] = {(char *)gthref, "raw", "bytes2text", NULL};
        char *gotext = NULL;
        size_t gotext_len = 0;
        rc = tu_run(b2t_argv, go, go_len, &gotext, &gotext_len, NULL);
        assert_int_equal(rc, 0);
        if (text_len != gotext_len || memcmp(text, gotext, text_len) != 0)
            show_diff("gth dump", f, text, text_len, gotext, gotext_len);

        /* Batch-framed dump: the same text, unless the sizes in the .test do not
         * frame its events (which gth pack warns about). */
        char *strict_argv[] = {(char *)tu_gth(), "dump", "--strict", NULL};
        char *stext = NULL;
        size_t stext_len = 0;
        rc = tu_run(strict_argv, go, go_len, &stext, &stext_len, NULL);
        if (rc == 0) {
            if (stext_len != gotext_len || memcmp(stext, gotext, stext_len) != 0)
                show_diff("gth dump --strict", f, stext, stext_len, gotext, gotext_len);
            strict_ok++;
        } else {
            assert_int_equal(rc, 1);
            if (!strstr(ours_err, "warning: EventBatch size="))
                fail_msg("gth dump --strict refuses %s, whose batch sizes gth pack found right", f);
            strict_refused++;
        }
        free(stext);
        free(text);
        free(text_err);
        free(gotext);
        free(ours);
        free(ours_err);
        free(ours2);
        free(go);
        free(go2);
        free(go_err);
        free(content);
    }
    printf("%zu golden .test files: gth pack == Go raw writer, gth dump == Go raw reader+text writer; "
           "--strict: %zu identical, %zu refused for batch sizes that do not frame their events\n",
           n, strict_ok, strict_refused);
    tu_free_list(files);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
