/* gth validate as a user runs it on several files: every path is checked, the
 * exit status is the worst result, each diagnostic and JSON object names its
 * file, and options take both the "--opt VALUE" and "--opt=VALUE" forms. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"

typedef struct res {
    int rc;
    char *out, *err;
} res;

static res run(const char *const *args, const void *in, size_t in_len) {
    char *argv[16];
    size_t n = 0;
    argv[n++] = (char *)tu_gth();
    for (; *args; args++) argv[n++] = (char *)*args;
    argv[n] = NULL;
    res r = {0, NULL, NULL};
    r.rc = tu_run(argv, in, in_len, &r.out, NULL, &r.err);
    return r;
}

static void done(res *r) {
    free(r->out);
    free(r->err);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static char good[4200], bad[4200], missing[4200];
static uint8_t *good_bytes;
static size_t good_len;

/* A valid generated trace, and the same trace cut short: Go's reader rejects
 * the cut one. */
static int setup(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("cli-validate");
    snprintf(good, sizeof good, "%s/good.out", dir);
    snprintf(bad, sizeof bad, "%s/bad.out", dir);
    snprintf(missing, sizeof missing, "%s/missing.out", dir);
    good_bytes = tu_generate(26, 7, 40, 2, &good_len);
    tu_write_file(good, good_bytes, good_len);
    tu_write_file(bad, good_bytes, good_len - 3);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    free(good_bytes);
    return 0;
}

static size_t count(const char *s, const char *needle) {
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

static void every_path_is_checked(void **state) {
    (void)state;
    res r = run(ARGS("validate", good), NULL, 0);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.err, "");
    done(&r);
    /* The bad file first or last: either way the run fails and names it. */
    const char *const orders[2][3] = {{good, bad, NULL}, {bad, good, NULL}};
    for (int i = 0; i < 2; i++) {
        res o = run(ARGS("validate", orders[i][0], orders[i][1]), NULL, 0);
        assert_int_equal(o.rc, 1);
        assert_non_null(strstr(o.err, bad));
        assert_null(strstr(o.err, good));
        done(&o);
    }
    /* Two bad files: both reported. */
    r = run(ARGS("validate", bad, good, bad), NULL, 0);
    assert_int_equal(r.rc, 1);
    assert_int_equal(count(r.err, bad), 2);
    done(&r);
    /* A missing file is a read error (2), worse than an invalid trace, and the
     * files after it are still checked. */
    r = run(ARGS("validate", missing, bad), NULL, 0);
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, missing));
    assert_non_null(strstr(r.err, bad));
    done(&r);
    /* Standard input among files. */
    r = run(ARGS("validate", good, "-"), good_bytes, good_len - 3);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "<stdin>"));
    done(&r);
    r = run(ARGS("validate", "-", "-"), good_bytes, good_len);
    assert_int_equal(r.rc, 2);
    done(&r);
    /* --quiet: only the status. */
    r = run(ARGS("validate", "--quiet", good, bad), NULL, 0);
    assert_int_equal(r.rc, 1);
    assert_string_equal(r.err, "");
    done(&r);
}

static void json_has_one_object_per_file(void **state) {
    (void)state;
    res r = run(ARGS("validate", "--json", good, bad, missing), NULL, 0);
    assert_int_equal(r.rc, 2);
    /* Three lines, each one object naming its file, in argument order. */
    assert_int_equal(count(r.out, "\n"), 3);
    assert_int_equal(count(r.out, "{\"file\":"), 3);
    char *l1 = r.out, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    assert_non_null(strstr(l1, good));
    assert_true(strstr(l1, "\"valid\":true") && strstr(l1, "\"valid\":true") < l2);
    assert_true(strstr(l2, bad) && strstr(l2, bad) < l3);
    assert_true(strstr(l2, "\"valid\":false") && strstr(l2, "\"valid\":false") < l3);
    assert_non_null(strstr(l3, missing));
    assert_non_null(strstr(l3, "\"error\":"));
    done(&r);
}

static void profile_takes_both_forms(void **state) {
    (void)state;
    const char *forms[][2] = {{"--profile", "strict"}, {"--profile=strict", NULL}};
    for (int i = 0; i < 2; i++) {
        res r = forms[i][1] ? run(ARGS("validate", forms[i][0], forms[i][1], good), NULL, 0)
                            : run(ARGS("validate", forms[i][0], good), NULL, 0);
        assert_int_equal(r.rc, 0);
        assert_string_equal(r.err, "");
        done(&r);
    }
    /* The value is not taken for a path. */
    res r = run(ARGS("validate", "--profile", "parser", bad), NULL, 0);
    assert_int_equal(r.rc, 1);
    assert_null(strstr(r.err, "parser:"));
    done(&r);
    r = run(ARGS("validate", "--profile", "bogus", good), NULL, 0);
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "unknown profile bogus"));
    done(&r);
    r = run(ARGS("validate", good, "--profile"), NULL, 0);
    assert_int_equal(r.rc, 2);
    done(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_path_is_checked),
        cmocka_unit_test(json_has_one_object_per_file),
        cmocka_unit_test(profile_takes_both_forms),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
