/* .test files: txtar splitting, the two-file structure and the expectation
 * language, compared with Go's testtrace/txtar (through the reference adapter's
 * `expect` and `test2bytes` commands), plus matching and writing. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/testfile.h"

static void txtar_structure(void **state) {
    (void)state;
    gth_txtar ar;
    const char *a = "comment 1\ncomment 2\n-- expect --\nSUCCESS\n-- trace --\nTrace Go1.22\nx";
    gth_txtar_parse(a, strlen(a), &ar);
    assert_int_equal(ar.comment_len, 20);
    assert_int_equal(ar.nfiles, 2);
    assert_int_equal(ar.files[0].name_len, 6);
    assert_memory_equal(ar.files[0].name, "expect", 6);
    assert_int_equal(ar.files[0].len, 8);
    assert_memory_equal(ar.files[0].data, "SUCCESS\n", 8);
    assert_int_equal(ar.files[0].line, 4);
    assert_memory_equal(ar.files[1].name, "trace", 5);
    assert_int_equal(ar.files[1].line, 6);
    assert_int_equal(ar.files[1].len, 14); /* no newline added here */
    /* Not markers: no leading "-- ", no trailing " --", empty name, indented. */
    const char *b = "--x --\n-- x\n--  --\n -- x --\n-- -- --\n";
    gth_txtar_parse(b, strlen(b), &ar);
    assert_int_equal(ar.nfiles, 1); /* only "-- -- --", whose name is "--" */
    assert_int_equal(ar.files[0].name_len, 2);
    assert_int_equal(ar.comment_len, strlen(b) - 9);
    /* A marker at the very start, names trimmed, a marker without newline. */
    const char *c = "--  a b\t --\n1\n-- z --";
    gth_txtar_parse(c, strlen(c), &ar);
    assert_int_equal(ar.comment_len, 0);
    assert_int_equal(ar.nfiles, 2);
    assert_int_equal(ar.files[0].name_len, 3);
    assert_memory_equal(ar.files[0].name, "a b", 3);
    assert_int_equal(ar.files[0].len, 2);
    assert_int_equal(ar.files[1].len, 0);
    assert_int_equal(ar.files[1].line, 4);
    /* More files than recorded are still counted. */
    gth_buf many;
    gth_buf_init(&many, NULL);
    for (int i = 0; i < 20; i++) gth_buf_printf(&many, "-- f%d --\nx\n", i);
    gth_txtar_parse(many.data, many.len, &ar);
    assert_int_equal(ar.nfiles, 20);
    /* Writing gives Go's txtar.Format, which parses back to the same archive. */
    gth_buf w;
    gth_buf_init(&w, NULL);
    gth_txtar_parse(a, strlen(a), &ar);
    gth_txtar_write(&w, ar.comment, ar.comment_len, ar.files, 2);
    gth_buf_putc(&w, 0);
    assert_string_equal((const char *)w.data, "comment 1\ncomment 2\n-- expect --\nSUCCESS\n-- trace --\nTrace Go1.22\nx\n");
    gth_buf_free(&w);
    gth_buf_free(&many);
}

/* Writes a temporary .test file and returns its path (static buffer). */
static const char *temp_test(const char *content) {
    static char path[4200];
    static int seq;
    snprintf(path, sizeof path, "%s/case%d.test", tu_tmpdir("testfile"), seq++);
    tu_write_file(path, content, strlen(content));
    return path;
}

static char *go_message(char *err) {
    char *m = strstr(err, "gthref: ");
    if (!m) return err;
    m += 8;
    size_t n = strlen(m);
    while (n && m[n - 1] == '\n') m[--n] = 0;
    return m;
}

static const char *const structures[] = {
    "-- expect --\nSUCCESS\n-- trace --\nTrace Go1.22\n",
    "-- expect --\nSUCCESS\n",
    "-- expect --\nSUCCESS\n-- trace --\nTrace Go1.22\n-- more --\n",
    "-- trace --\nTrace Go1.22\n-- expect --\nSUCCESS\n",
    "-- expect --\nSUCCESS\n-- traces --\nTrace Go1.22\n",
    "just a text trace\n",
    "c\n-- expect --\nSUCCESS\n--  trace  --\nTrace Go1.22\n",
};

static void structure_like_go(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof structures / sizeof structures[0]; i++) {
        const char *path = temp_test(structures[i]);
        gth_testfile tf;
        gth_error err;
        gth_error_clear(&err);
        int rc = gth_testfile_parse(structures[i], strlen(structures[i]), path, &tf, &err);
        char *argv[] = {(char *)tu_gthref(), "test2bytes", (char *)path, NULL};
        char *gerr = NULL;
        int grc = tu_run(argv, NULL, 0, NULL, NULL, &gerr);
        assert_int_equal(rc == GTH_OK, grc == 0);
        if (rc != GTH_OK) assert_string_equal(err.msg, go_message(gerr));
        free(gerr);
    }
    assert_true(gth_testfile_detect(structures[0], strlen(structures[0])));
    assert_false(gth_testfile_detect("Trace Go1.22\nProcStop dt=1\n", 26));
}

static const char *const expects[] = {
    "", "SUCCESS\n", "SUCCESS and more\n", "SUCCESS\r\n", "FAILURE \"expected a proc but didn't have one\"\n",
    "FAILURE \".*expected a proc but didn't have one.*\"\n", "FAILURE `a\\d+b`\n", "FAILURE\n",
    "FAILURE \n", "FAILURE \"x\n", "FAILURE 'x'\n", "FAILURE \"\"\n", "FAILURE  \"x\"\n", "FAILURE \"x\" \n",
    "failure \"x\"\n", "\nSUCCESS\n", "SUCCESS\nFAILURE \"x\"\n", "FAILURE \"\\u00e9\\n\"\r\n", "OK\n",
};

static void expectations_like_go(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof expects / sizeof expects[0]; i++) {
        gth_buf t;
        gth_buf_init(&t, NULL);
        gth_buf_printf(&t, "-- expect --\n%s-- trace --\nTrace Go1.22\n", expects[i]);
        gth_buf_putc(&t, 0);
        const char *path = temp_test((const char *)t.data);
        gth_expect e;
        gth_error err;
        gth_error_clear(&err);
        int rc = gth_expect_parse(&e, NULL, expects[i], strlen(expects[i]), &err);
        char *argv[] = {(char *)tu_gthref(), "expect", (char *)path, NULL};
        char *gout = NULL, *gerr = NULL;
        int grc = tu_run(argv, NULL, 0, &gout, NULL, &gerr);
        if ((rc == GTH_OK) != (grc == 0))
            fail_msg("expect %zu (%s): ours %s, Go %s", i, expects[i], rc ? err.msg : "ok", grc ? gerr : "ok");
        if (rc == GTH_OK) {
            gth_buf w;
            gth_buf_init(&w, NULL);
            gth_expect_write(&w, &e);
            gth_buf_putc(&w, 0);
            assert_string_equal((const char *)w.data, gout);
            gth_buf_free(&w);
        } else {
            assert_string_equal(err.msg, go_message(gerr));
        }
        gth_expect_free(&e);
        free(gout);
        free(gerr);
        gth_buf_free(&t);
    }
}

static void matching(void **state) {
    (void)state;
    gth_expect e;
    gth_error err;
    gth_error_clear(&err);
    const char *golden = "FAILURE \".*expected a proc but didn't have one.*\"\n";
    assert_int_equal(gth_expect_parse(&e, NULL, golden, strlen(golden), &err), GTH_OK);
    assert_true(e.failure);
    assert_true(gth_expect_matches(&e, "broken trace: expected a proc but didn't have one"));
    assert_false(gth_expect_matches(&e, "expected a thread but didn't have one"));
    assert_false(gth_expect_matches(&e, NULL));
    gth_buf why;
    gth_buf_init(&why, NULL);
    assert_int_equal(gth_expect_check(&e, NULL, &why), 1);
    gth_buf_putc(&why, 0);
    assert_string_equal((const char *)why.data,
                        "expected error while reading the trace: want something matching "
                        "\".*expected a proc but didn't have one.*\", got none");
    why.len = 0;
    assert_int_equal(gth_expect_check(&e, "other", &why), 1);
    gth_buf_putc(&why, 0);
    assert_string_equal((const char *)why.data,
                        "unexpected error while reading the trace: want something matching "
                        "\".*expected a proc but didn't have one.*\", got other");
    gth_expect_free(&e);

    assert_int_equal(gth_expect_init(&e, NULL, NULL, &err), GTH_OK);
    assert_true(gth_expect_matches(&e, NULL));
    why.len = 0;
    assert_int_equal(gth_expect_check(&e, "boom", &why), 1);
    gth_buf_putc(&why, 0);
    assert_string_equal((const char *)why.data, "unexpected error while reading the trace: boom");
    assert_int_equal(gth_expect_check(&e, NULL, &why), 0);
    gth_expect_free(&e);

    /* RE2 features we translate: classes, '.' stopping at newlines, (?:), (?i),
     * lazy quantifiers; unanchored unless anchored. */
    struct { const char *re, *s; int m; } t[] = {
        {"id \\d+ for", "found invalid string ID 12: id 12 for", 1}, {"\\d", "none", 0},
        {"a.b", "a\nb", 0}, {"a.b", "axb", 1}, {"(?:ab)+c", "xxababc", 1}, {"(?i)GEN", "gen=3", 1},
        {"a.*?b", "aXXb", 1}, {"^trace", "broken trace", 0}, {"trace$", "broken trace", 1},
        {"\\.\\*", "x.*y", 1}, {"[\\d]x", "5x", 1}, {"\\s\\S", " a", 1}, {"\\w+=\\W", "ab=!", 1},
        {"\\(stack \\d\\)", "(stack 4)", 1}, {"gen=[0-9]+\\]", "[gen=2]", 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        gth_error_clear(&err);
        if (gth_expect_init(&e, NULL, t[i].re, &err) != GTH_OK) fail_msg("%s: %s", t[i].re, err.msg);
        if (gth_expect_matches(&e, t[i].s) != t[i].m)
            fail_msg("%s on %s: want %s", t[i].re, t[i].s, t[i].m ? "match" : "no match");
        gth_expect_free(&e);
    }
    /* Unsupported RE2 syntax is refused, not misread. */
    const char *unsupported[] = {"\\pL", "(?P<x", "a\\", "a(b"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(gth_expect_init(&e, NULL, unsupported[i], &err), GTH_EINVALID);
        assert_non_null(strstr(err.msg, "malformed pattern: not a valid regexp: "));
        gth_expect_free(&e);
    }
    gth_buf_free(&why);
}

static void write_test_file(void **state) {
    (void)state;
    gth_expect e;
    gth_error err;
    gth_error_clear(&err);
    assert_int_equal(gth_expect_init(&e, NULL, "bad \"thing\"\n", &err), GTH_OK);
    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_testfile_write(&b, "generated\n", &e, "Trace Go1.26\nProcStop dt=1", 26);
    gth_buf_putc(&b, 0);
    assert_string_equal((const char *)b.data,
                        "generated\n-- expect --\nFAILURE \"bad \\\"thing\\\"\\n\"\n-- trace --\n"
                        "Trace Go1.26\nProcStop dt=1\n");
    gth_testfile tf;
    assert_int_equal(gth_testfile_parse(b.data, b.len - 1, "x.test", &tf, &err), GTH_OK);
    assert_int_equal(tf.trace_line, 5);
    gth_expect back;
    assert_int_equal(gth_expect_parse(&back, NULL, tf.expect, tf.expect_len, &err), GTH_OK);
    assert_string_equal(back.pattern, "bad \"thing\"\n");
    gth_expect_free(&back);
    gth_expect_free(&e);
    gth_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(txtar_structure),
        cmocka_unit_test(matching),
        cmocka_unit_test(write_test_file),
        cmocka_unit_test(structure_like_go),
        cmocka_unit_test(expectations_like_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
