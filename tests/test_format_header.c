/* The file header: Go's lenient fmt.Fscanf parse (docs/FORMAT.md §2.1), compared with
 * Go's own reader on every case, plus the incremental (chunked) behaviour. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/header.h"

typedef struct hcase {
    const char *bytes;
    size_t len;     /* 0: strlen(bytes) + the three NULs */
    int ok;         /* expected verdict */
    unsigned minor; /* if ok */
} hcase;

#define H(s, ok, minor) {s, 0, ok, minor}
#define RAW(s, ok, minor) {s, sizeof(s) - 1, ok, minor}

static const hcase cases[] = {
    H("go 1.22 trace", 1, 22), H("go 1.23 trace", 1, 23), H("go 1.25 trace", 1, 25),
    H("go 1.26 trace", 1, 26), H("go 1.21 trace", 1, 21), H("go 1.19 trace", 1, 19),
    H("go 1.11 trace", 1, 11),
    /* Leniency. */
    H("go 1.026 trace", 1, 26), H("go 1.000000000000000000000000022 trace", 1, 22),
    H("go\t1.26 trace", 1, 26), H("go \t\v\f\r 1.26  trace", 1, 26), H("go 1. 26 trace", 1, 26),
    H("go 1.\t\t26\ttrace", 1, 26), H("go\xc2\xa0" "1.26\xe3\x80\x80trace", 1, 26),
    H("go\xc2\x85" "1.26\xe2\x80\x8atrace", 1, 26), H("go\xe1\x9a\x80" "1.26\xe2\x80\xa8trace", 1, 26),
    H("go\xe2\x80\xaf" "1.\xe2\x81\x9f" "26 trace", 1, 26),
    /* Rejected forms. */
    H(" go 1.26 trace", 0, 0), H("go1.26 trace", 0, 0), H("go 1.26trace", 0, 0),
    H("go\n1.26 trace", 0, 0), H("go 1.\n26 trace", 0, 0), H("go 1.26\ntrace", 0, 0),
    H("go 1.\r\n26 trace", 0, 0), H("go 1.+26 trace", 0, 0), H("go 1.-26 trace", 0, 0),
    H("go 1.0x1a trace", 0, 0), H("go 1._26 trace", 0, 0), H("go 1.2_6 trace", 0, 0),
    H("go 1.4294967296 trace", 0, 0), H("go 1.99999999999999999999999 trace", 0, 0),
    H("go 1.26 TRACE", 0, 0), H("Go 1.26 trace", 0, 0), H("go 2.26 trace", 0, 0),
    H("go\xa0" "1.26 trace", 0, 0), H("go\xe2\x80\x8b" "1.26 trace", 0, 0), H("go 1.\xef\xbc\x92\xef\xbc\x96 trace", 0, 0),
    RAW("go 1.26 trace\0\0", 0, 0), RAW("go 1.26 trace\0\0\1", 0, 0), RAW("go 1.26 trace", 0, 0),
    RAW("", 0, 0), RAW("go", 0, 0), RAW("go 1.", 0, 0),
    /* Well-formed, unknown version. */
    H("go 1.24 trace", 0, 0), H("go 1.0 trace", 0, 0), H("go 1.4294967295 trace", 0, 0),
    H("go 1.27 trace", 0, 0),
};

static size_t case_bytes(const hcase *c, uint8_t *out) {
    size_t n = c->len ? c->len : strlen(c->bytes);
    memcpy(out, c->bytes, n);
    if (!c->len) {
        memset(out + n, 0, 3);
        n += 3;
    }
    return n;
}

static void same_verdict_as_go(void **state) {
    (void)state;
    size_t checked = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const hcase *c = &cases[i];
        uint8_t in[128];
        size_t n = case_bytes(c, in);
        /* A ProcStop after the header shows where Go thinks the header ends. */
        size_t n2 = n;
        int v2 = 0;
        unsigned minor = 0;
        size_t hl = 0;
        gth_error err;
        gth_error_clear(&err);
        int r = gth_header_parse(in, n, 1, &minor, &hl, &err);
        if (r == GTH_READ_OK && gth_version_is_v2(minor)) {
            in[n2++] = 11;
            in[n2++] = 7;
            v2 = 1;
        }
        /* Ours, again with the trailing event (must not change anything). */
        unsigned minor2 = 0;
        size_t hl2 = 0;
        int r2 = gth_header_parse(in, n2, 1, &minor2, &hl2, &err);
        assert_int_equal(r2, r);
        if (r == GTH_READ_OK) {
            assert_int_equal(minor2, minor);
            assert_int_equal(hl2, hl);
            assert_int_equal(hl, n);
        }
        if (r != (c->ok ? GTH_READ_OK : GTH_READ_ERROR))
            fail_msg("case %zu (%s): got %d, want %s (%s)", i, c->bytes, r, c->ok ? "ok" : "error", err.msg);
        if (c->ok) assert_int_equal(minor, c->minor);

        /* Go. */
        char *argv[] = {(char *)tu_gthref(), "raw", "bytes2text", NULL};
        char *out = NULL, *gerr = NULL;
        int rc = tu_run(argv, in, n2, &out, NULL, &gerr);
        if (r == GTH_READ_OK) {
            if (rc != 0) fail_msg("case %zu (%s): Go rejects: %s", i, c->bytes, gerr);
            char want[64];
            snprintf(want, sizeof want, "Trace Go1.%u\n%s", minor, v2 ? "ProcStop dt=7\n" : "");
            assert_string_equal(out, want);
        } else {
            if (rc == 0) fail_msg("case %zu (%s): Go accepts, we say %s", i, c->bytes, err.msg);
            /* Same message (Go's adapter prefixes "gthref: "). */
            assert_non_null(strstr(gerr, err.msg));
        }
        free(out);
        free(gerr);
        checked++;
    }
    printf("%zu header cases agree with Go\n", checked);
}

static void messages_and_offsets(void **state) {
    (void)state;
    unsigned minor;
    size_t hl;
    gth_error err;
    gth_error_clear(&err);
    assert_int_equal(gth_header_parse((const uint8_t *)"go 1.24 trace\0\0\0", 16, 1, &minor, &hl, &err),
                     GTH_READ_ERROR);
    assert_string_equal(err.msg, "unknown or unsupported trace version go 1.24");
    assert_int_equal(err.offset, 0);
    gth_error_clear(&err);
    assert_int_equal(gth_header_parse((const uint8_t *)"go 1.26 trXce\0\0\0", 16, 1, &minor, &hl, &err),
                     GTH_READ_ERROR);
    assert_string_equal(err.msg, "bad file format: not a Go execution trace?");
    assert_int_equal(err.offset, 10); /* the X */
    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_header_write(&b, 26);
    assert_int_equal(b.len, GTH_HEADER_SIZE);
    assert_memory_equal(b.data, "go 1.26 trace\0\0\0", 16);
    gth_buf_free(&b);
}

static void incremental(void **state) {
    (void)state;
    const uint8_t full[] = "go  1.26\ttrace\0\0\0\x0b";
    size_t n = sizeof full - 1;
    unsigned minor;
    size_t hl;
    gth_error err;
    gth_error_clear(&err);
    /* Every proper prefix of the header asks for more unless final. */
    for (size_t k = 0; k < 17; k++) {
        assert_int_equal(gth_header_parse(full, k, 0, &minor, &hl, &err), GTH_READ_MORE);
        assert_int_equal(gth_header_parse(full, k, 1, &minor, &hl, &err), GTH_READ_ERROR);
    }
    for (size_t k = 17; k <= n; k++) {
        assert_int_equal(gth_header_parse(full, k, 0, &minor, &hl, &err), GTH_READ_OK);
        assert_int_equal(hl, 17);
    }
    /* A mismatch before the end is an error at once. */
    assert_int_equal(gth_header_parse((const uint8_t *)"gx", 2, 0, &minor, &hl, &err), GTH_READ_ERROR);
    /* A cut multi-byte space is not a mismatch yet. */
    assert_int_equal(gth_header_parse((const uint8_t *)"go\xe3\x80", 4, 0, &minor, &hl, &err), GTH_READ_MORE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_and_offsets),
        cmocka_unit_test(incremental),
        cmocka_unit_test(same_verdict_as_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
