/* The gth command line as a user meets it, for what no single command's test
 * covers: release names accepted where a trace format is asked for. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct res {
    int rc;
    char *out, *err;
    size_t out_len;
} res;

static res run(const char *const *args) {
    char *argv[16];
    size_t n = 0;
    argv[n++] = (char *)tu_gth();
    for (; *args; args++) argv[n++] = (char *)*args;
    argv[n] = NULL;
    res r = {0, NULL, NULL, 0};
    r.rc = tu_run(argv, NULL, 0, &r.out, &r.out_len, &r.err);
    return r;
}

static void done(res *r) {
    free(r->out);
    free(r->err);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Go 1.24 writes the 1.23 format and Go 1.27 the 1.26 format: gth gen takes the
 * release and writes the format that release writes, byte for byte. */
static void gen_takes_release_names(void **state) {
    (void)state;
    const char *pairs[][2] = {{"1.24", "1.23"}, {"go1.24", "1.23"}, {"1.27", "1.26"}, {"go1.27", "1.26"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        res a = run(ARGS("gen", "--version", pairs[i][0], "--seed", "5"));
        res b = run(ARGS("gen", "--version", pairs[i][1], "--seed", "5"));
        assert_int_equal(a.rc, 0);
        assert_int_equal(b.rc, 0);
        assert_int_equal(a.out_len, b.out_len);
        assert_memory_equal(a.out, b.out, a.out_len);
        char magic[32];
        snprintf(magic, sizeof magic, "go %s trace", pairs[i][1]);
        assert_memory_equal(a.out, magic, strlen(magic));
        done(&a);
        done(&b);
    }
    /* A release that writes no v2 format is refused, and the message says which
     * releases write which format. */
    res r = run(ARGS("gen", "--version", "1.21"));
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "unsupported version 1.21"));
    assert_non_null(strstr(r.err, "Go 1.24 writes 1.23"));
    done(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gen_takes_release_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
