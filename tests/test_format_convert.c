/*
 * Whole-input conversions against Go: every FuzzReader seed decodes to the bytes
 * the Go adapter's fuzzdecode gives, every golden .test converts to the bytes of
 * its test2bytes, and binary to text gives its text back.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/convert.h"
#include "format/decode.h"
#include "format/encode.h"

static void fuzz_seeds_match_go(void **state) {
    (void)state;
    char dir[4200], **seeds;
    snprintf(dir, sizeof dir, "%s/src/internal/trace/testdata/fuzz/FuzzReader", tu_goroot());
    size_t n = tu_list(dir, NULL, &seeds);
    assert_true(n >= 17);
    for (size_t i = 0; i < n; i++) {
        char *argv[] = {(char *)tu_gthref(), "fuzzdecode", seeds[i], NULL};
        char *want = NULL;
        size_t wlen, len;
        assert_int_equal(tu_run(argv, NULL, 0, &want, &wlen, NULL), 0);
        uint8_t *file = tu_read_file(seeds[i], &len);
        gth_buf out;
        gth_buf_init(&out, NULL);
        gth_error err;
        assert_int_equal(gth_convert_fuzz_file(file, len, &out, &err), GTH_OK);
        assert_int_equal(out.len, wlen);
        assert_memory_equal(out.data, want, wlen);
        gth_buf_free(&out);
        free(file);
        free(want);
    }
    print_message("FuzzReader seeds decoded like Go: %zu\n", n);
    tu_free_list(seeds);
}

static void malformed_fuzz_files(void **state) {
    (void)state;
    static const char *bad[] = {"", "go test fuzz v1\n", "go test fuzz v2\n[]byte(\"\")\n",
                                "go test fuzz v1\n[]byte(\"abc)\n", "go test fuzz v1\nstring(\"x\")\n",
                                "go test fuzz v1\n[]byte(\"\\q\")\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gth_buf out;
        gth_buf_init(&out, NULL);
        gth_error err;
        assert_int_equal(gth_convert_fuzz_file(bad[i], strlen(bad[i]), &out, &err), GTH_EINVALID);
        assert_true(err.offset != GTH_NO_OFFSET);
        gth_buf_free(&out);
    }
}

static void golden_tests_round_trip(void **state) {
    (void)state;
    char dir[4200], **tests;
    snprintf(dir, sizeof dir, "%s/src/internal/trace/testdata/tests", tu_goroot());
    size_t n = tu_list(dir, ".test", &tests);
    for (size_t i = 0; i < n; i++) {
        char *argv[] = {(char *)tu_gthref(), "test2bytes", tests[i], NULL};
        char *want = NULL;
        size_t wlen, len;
        assert_int_equal(tu_run(argv, NULL, 0, &want, &wlen, NULL), 0);
        uint8_t *file = tu_read_file(tests[i], &len);
        gth_buf bin, text, again;
        gth_buf_init(&bin, NULL);
        gth_buf_init(&text, NULL);
        gth_buf_init(&again, NULL);
        gth_error err;
        assert_int_equal(gth_convert_text_to_binary(file, len, tests[i], GTH_ENC_VERBATIM, &bin, &err), GTH_OK);
        assert_int_equal(bin.len, wlen);
        assert_memory_equal(bin.data, want, wlen);
        assert_int_equal(gth_convert_binary_to_text(bin.data, bin.len, GTH_DEC_FLAT, &text, &err), GTH_OK);
        assert_int_equal(gth_convert_text_to_binary(text.data, text.len, NULL, GTH_ENC_VERBATIM, &again, &err), GTH_OK);
        assert_int_equal(again.len, bin.len);
        assert_memory_equal(again.data, bin.data, bin.len);
        gth_buf_free(&bin);
        gth_buf_free(&text);
        gth_buf_free(&again);
        free(file);
        free(want);
    }
    tu_free_list(tests);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fuzz_seeds_match_go),
        cmocka_unit_test(malformed_fuzz_files),
        cmocka_unit_test(golden_tests_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
