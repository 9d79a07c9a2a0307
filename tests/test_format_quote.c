/* Go string quoting: strconv.Quote and strconv.Unquote, checked against Go itself
 * (through the reference adapter's raw codec, which quotes String data when it
 * writes text and unquotes it when it reads text), over every rune. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/quote.h"
#include "format/text.h"
#include "format/varint.h"

static const char hdr26[16] = "go 1.26 trace\0\0";

/* Appends a String event to a flat 1.26 raw stream (b) and its text, written
 * by our text writer (which quotes the data), to t. */
static void add_string(gth_buf *b, gth_buf *t, uint64_t id, const uint8_t *p, size_t n) {
    gth_buf_putc(b, 5);
    gth_buf_put_uvarint(b, id);
    gth_buf_put_uvarint(b, n);
    gth_buf_append(b, p, n);
    gth_raw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.code = 5;
    ev.spec = gth_spec_lookup(26, 5);
    ev.args[0] = id;
    ev.data = p;
    ev.data_len = n;
    gth_text_write_event(t, &ev);
}

static void quote_matches_go_for_every_rune(void **state) {
    (void)state;
    gth_buf bin, mine, piece;
    gth_buf_init(&bin, NULL);
    gth_buf_init(&mine, NULL);
    gth_buf_init(&piece, NULL);
    gth_buf_append(&bin, hdr26, 16);
    gth_text_write_header(&mine, 26);
    uint64_t id = 1;
    /* Every rune, 64 to a string (surrogates are not encodable: skipped here,
     * their byte forms are covered below). */
    for (uint32_t r = 0; r <= 0x10FFFF; r++) {
        if (r >= 0xD800 && r <= 0xDFFF) continue;
        gth_utf8_append(&piece, r);
        if (r % 64 == 63 || r == 0x10FFFF) {
            add_string(&bin, &mine, id++, piece.data, piece.len);
            piece.len = 0;
        }
    }
    /* Every byte alone, every byte pair with a lead byte, and bad sequences:
     * overlong, surrogate, past U+10FFFF, truncated at the end. */
    for (unsigned c = 0; c < 256; c++) {
        uint8_t one = (uint8_t)c;
        add_string(&bin, &mine, id++, &one, 1);
        for (unsigned d = 0x70; d < 0xd0; d += 7) {
            uint8_t two[3] = {(uint8_t)c, (uint8_t)d, 'x'};
            add_string(&bin, &mine, id++, two, 3);
        }
    }
    const char *bad[] = {"\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf0\x8f\xbf\xbf",
                         "a\xe2\x82", "\xf0\x9f\x98", "\xef\xbf\xbd", "\xef\xbf\xbe", "\"\\\a\b\f\n\r\t\v\x7f"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        add_string(&bin, &mine, id++, (const uint8_t *)bad[i], strlen(bad[i]));
    assert_false(bin.failed);

    assert_false(mine.failed);

    char *argv[] = {(char *)tu_gthref(), "raw", "bytes2text", NULL};
    char *out = NULL, *err = NULL;
    size_t out_len = 0;
    int rc = tu_run(argv, bin.data, bin.len, &out, &out_len, &err);
    assert_int_equal(rc, 0);
    if (out_len != mine.len || memcmp(out, mine.data, out_len) != 0) {
        size_t i = 0;
        while (i < out_len && i < mine.len && out[i] == (char)mine.data[i]) i++;
        size_t from = i > 80 ? i - 80 : 0;
        fail_msg("quoted text differs from Go's at byte %zu:\n go: %.160s\nours: %.160s", i, out + from,
                 (const char *)mine.data + from);
    }
    printf("quoted %llu strings (every rune, every byte pair) identically to Go\n",
           (unsigned long long)(id - 1));
    free(out);
    free(err);
    gth_buf_free(&bin);
    gth_buf_free(&mine);
    gth_buf_free(&piece);
}

/* Literals for Unquote: valid and invalid, in every quote form. */
static const char *const literals[] = {
    "\"\"", "\"abc\"", "\"a b\\tc\"", "\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\"", "\"\\x00\\xff\\x7F\"",
    "\"\\u00e9\\u00E9\\U0001F600\"", "\"\\000\\377\\101\"", "\"\\400\"", "\"\\08\"", "\"\\0\"",
    "\"\\x0\"", "\"\\xg0\"", "\"\\u12\"", "\"\\uD800\"", "\"\\U00110000\"", "\"\\U0010FFFF\"",
    "\"\\'\"", "\"'\"", "\"\\q\"", "\"\\\"", "\"abc", "abc\"", "\"a\"b\"", "\"",
    "\"\xff\"", "\"\xe2\x82\"", "\"\xc3\xa9\"", "\"\xed\xa0\x80\"",
    "''", "'a'", "'ab'", "'\\''", "'\"'", "'\\\"'", "'\\x80'", "'\xc3\xa9'", "'\xff'", "'\\u00e9'", "'",
    "`abc`", "``", "`a\"b\\n`", "`a\rb\r`", "`a`b`", "`abc", "`\xff`",
    "abc", "", "x\"a\"",
};

static void unquote_matches_go(void **state) {
    (void)state;
    size_t ok = 0, rejected = 0;
    for (size_t i = 0; i < sizeof literals / sizeof literals[0]; i++) {
        const char *lit = literals[i];
        gth_buf text, mine;
        gth_buf_init(&text, NULL);
        gth_buf_init(&mine, NULL);
        gth_buf_printf(&text, "Trace Go1.26\nString id=1\n\tdata=%s\n", lit);
        char *argv[] = {(char *)tu_gthref(), "raw", "text2bytes", NULL};
        char *out = NULL;
        size_t out_len = 0;
        int rc = tu_run(argv, text.data, text.len, &out, &out_len, NULL);
        int mrc = gth_unquote_append(&mine, lit, strlen(lit));
        if (rc != 0) {
            if (mrc != -1) fail_msg("Go rejects %s, we accept it", lit);
            rejected++;
        } else {
            if (mrc != 0) fail_msg("Go accepts %s, we reject it", lit);
            /* Go's bytes: header, 05 01 len data. */
            assert_true(out_len >= 16 + 3);
            const uint8_t *d = (const uint8_t *)out + 16 + 2;
            uint64_t len = 0;
            int k = gth_uvarint(d, out_len - 18, &len);
            assert_true(k > 0);
            if (len != mine.len || (mine.len && memcmp(d + k, mine.data, mine.len) != 0))
                fail_msg("unquoting %s: value differs from Go's", lit);
            ok++;
        }
        free(out);
        gth_buf_free(&text);
        gth_buf_free(&mine);
    }
    printf("%zu literals accepted and %zu rejected as Go does\n", ok, rejected);
}

static void utf8_decode_like_go(void **state) {
    (void)state;
    uint32_t r;
    assert_int_equal(gth_utf8_decode((const uint8_t *)"\xc3\xa9", 2, &r), 2);
    assert_int_equal(r, 0xe9);
    assert_int_equal(gth_utf8_decode((const uint8_t *)"\xc3", 1, &r), 1);
    assert_int_equal(r, GTH_RUNE_ERROR);
    assert_int_equal(gth_utf8_decode((const uint8_t *)"\xed\xa0\x80", 3, &r), 1); /* surrogate */
    assert_int_equal(r, GTH_RUNE_ERROR);
    assert_int_equal(gth_utf8_decode((const uint8_t *)"\xf4\x8f\xbf\xbf", 4, &r), 4);
    assert_int_equal(r, 0x10FFFF);
    assert_int_equal(gth_utf8_decode((const uint8_t *)"\xe0\x9f\xbf", 3, &r), 1); /* overlong */
    assert_int_equal(gth_utf8_decode(NULL, 0, &r), 0);
}

static void classes(void **state) {
    (void)state;
    assert_true(gth_unicode_is_print(' '));
    assert_false(gth_unicode_is_print(0x7f));
    assert_false(gth_unicode_is_print(0xa0));
    assert_false(gth_unicode_is_print(0xad));
    assert_true(gth_unicode_is_print(0xa1));
    assert_true(gth_unicode_is_print(0x1F600));
    assert_false(gth_unicode_is_print(0xE0001));
    assert_false(gth_unicode_is_print(0x110000));
    assert_true(gth_unicode_is_space(0x85));
    assert_true(gth_unicode_is_space(0x3000));
    assert_true(gth_unicode_is_space(0x200A));
    assert_false(gth_unicode_is_space(0x200B));
    assert_false(gth_unicode_is_space(0x180E));
    char q[32];
    assert_string_equal(gth_quote_str(q, sizeof q, "a\"\n\xff\xc2\xa0", 6), "\"a\\\"\\n\\xff\\u00a0\"");
    assert_string_equal(gth_quote_str(q, 5, "abcdef", 6), "\"abc"); /* truncated, terminated */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_decode_like_go),
        cmocka_unit_test(classes),
        cmocka_unit_test(quote_matches_go_for_every_rune),
        cmocka_unit_test(unquote_matches_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
