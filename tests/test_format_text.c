/* The text format reader: every malformed line gives Go's error text (compared
 * with Go's own reader through the reference adapter) and our line number; valid
 * texts give Go's bytes. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/encode.h"
#include "format/text.h"

#define T "Trace Go1.26\n"

typedef struct tcase {
    const char *text;
    uint64_t line; /* line of the error; 0 = the text is valid */
} tcase;

static const tcase cases[] = {
    /* Header. */
    {"", 1}, {"\n# only a comment\n\n", 3}, {"Trace\n", 1}, {"Trace Go1.x\n", 1}, {"Trace Go2.26\n", 1},
    {"Trace Go1.\n", 1}, {"Trace Go1.99999999999999999999\n", 1}, {"Trace Go1.24\n", 1},
    {"Trace Go1.+26\n", 1}, {"Trace Go1.26 x\n", 1}, {"Trace Go1.26#x\n", 1}, {"# c\n  \nTrace Go1.26 1\n", 3},
    {"Trace Go1.4294967322\nProcStop dt=1\n", 0}, {"  Trace\tGo1.026\xe3\x80\x80\n", 0},
    {"Trace Go1.21\nProcStop dt=1\n", 2}, {"Trace Go1.26\r\nProcStop dt=1\r\n", 0},
    /* Event lines. */
    {T "ProcStop\n", 2}, {T "ProcStop dt\n", 2}, {T "ProcStop dt=\n", 2}, {T "ProcStop dt=-1\n", 2},
    {T "ProcStop x=1\n", 2}, {T "ProcStop x=y\n", 2}, {T "ProcStop dt=1 dt=2\n", 2},
    {T "ProcStop dt=18446744073709551616\n", 2}, {T "ProcStop dt=18446744073709551615\n", 0},
    {T "ProcStop dt=1#\n", 2}, {T "ProcStop#\n", 2}, {T "ProcStop dt=1 # x\n", 2}, {T "procstop dt=1\n", 2},
    {T "\n\nProcStop dt=1\nGoSwitch dt=1 g=1 g_seq=1\nBogus\n", 6}, {"Trace Go1.22\nGoSwitch dt=1 g=1 g_seq=1\n", 2},
    {"Trace Go1.25\nSpan dt=1 id=1 npages_value=1 kindclass=1\n", 2},
    {T "ProcStop\tdt=1\x0b\n", 0}, {T "\xc2\x85ProcStop dt=1\xc2\xa0\n", 0}, {T "ProcStop dt=1\xc2\x80\n", 2},
    {T "ProcStop dt=0001\n", 0}, {T "ProcStop d\xfft=1\n", 2},
    /* Stacks. */
    {T "Stack id=1 nframes=2\n\tpc=1 func=2 file=3 line=4\n", 2},
    {T "Stack id=1 nframes=2\n", 2},
    {T "Stack id=1 nframes=1\n\tpc=1 func=2 file=3\n", 3},
    {T "Stack id=1 nframes=1\n\tpc=1 func=2 file=3 line=4 x\n", 3},
    {T "Stack id=1 nframes=1\n\tpc=1 fun=2 file=3 line=4\n", 3},
    {T "Stack id=1 nframes=9223372036854775808\nProcStop dt=1\n", 0},
    {T "Stack id=1 nframes=1\n# comment\n\n\tpc=1 func=2 file=3 line=4\n", 0},
    {T "Stack id=1 n=1\n\tpc=1 func=2 file=3 line=4\n", 2},
    /* Data lines. */
    {T "String id=1\n", 2}, {T "String id=1\n\tdata=\"abc\"\n", 0}, {T "String id=1\n\tdata = 'a'\n", 0},
    {T "String id=1\n\t data=`a\rb`\n", 0}, {T "String id=1\n\tdata=\"a\n", 3}, {T "String id=1\n\tdat=\"a\"\n", 3},
    {T "String id=1\n\tdata\"a\"\n", 3}, {T "String id=1\n\tdata=''\n", 0}, {T "String id=1\n\tdata=\"a\" x\n", 3},
    {T "String id=1\n\n# c\n\tdata=\"\\xff\\u00e9\"\nProcStop dt=1\n", 0}, {T "String id=1\n\tdata=\"\\'\"\n", 3},
    {T "String id=1\n\tdata=\"#\"\n", 0}, {T "String id=1\n\t\xc2\xa0" "data\xe3\x80\x80=\xc2\x85\"x\"\xc2\xa0\n", 0},
    {T "ExperimentalBatch exp=200 gen=1 m=2 time=3\n\tdata=\"\\x00\\x01\"\n", 0},
    {T "ExperimentalBatch exp=1 gen=1 m=2 time=3\n", 2},
    /* Everything else of the 1.26 table, batch sizes not checked. */
    {T "EventBatch gen=1 m=1 time=1 size=99\nSync\nEndOfGeneration\nStacks\nStrings\nCPUSamples\n"
       "CPUSample time=1 m=2 p=3 g=4 stack=5\nFrequency freq=1\nClockSnapshot dt=1 mono=2 sec=3 nsec=4\n", 0},
    {T "ProcStop dt=1\n\n\n   \n  # x\nProcStop dt=2", 0},
};

/* Go's message from the adapter's stderr ("gthref: <message>\n"). */
static char *go_message(char *err) {
    char *m = strstr(err, "gthref: ");
    if (!m) return err;
    m += 8;
    size_t n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == '\r')) m[--n] = 0;
    return m;
}

static int pack(const char *text, size_t n, gth_buf *out, gth_error *err) {
    gth_text_reader r;
    int rc = gth_text_reader_init(&r, NULL, text, n, 1, err) == GTH_READ_OK ? GTH_OK : GTH_EINVALID;
    if (rc == GTH_OK) {
        gth_encoder e;
        gth_encoder_init(&e, out, r.minor, GTH_ENC_VERBATIM, NULL);
        gth_raw_event ev;
        int k;
        while ((k = gth_text_reader_next(&r, &ev, err)) == GTH_READ_OK)
            if (gth_encoder_write(&e, &ev, err) != GTH_OK) break;
        if (k != GTH_READ_END) rc = GTH_EINVALID;
        gth_encoder_finish(&e, err);
        gth_encoder_free(&e);
    }
    gth_text_reader_free(&r);
    return rc;
}

static void errors_and_bytes_match_go(void **state) {
    (void)state;
    size_t good = 0, bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const tcase *c = &cases[i];
        size_t n = strlen(c->text);
        gth_buf out;
        gth_buf_init(&out, NULL);
        gth_error err;
        gth_error_clear(&err);
        int rc = pack(c->text, n, &out, &err);
        char *argv[] = {(char *)tu_gthref(), "raw", "text2bytes", NULL};
        char *gout = NULL, *gerr = NULL;
        size_t gout_len = 0;
        int grc = tu_run(argv, c->text, n, &gout, &gout_len, &gerr);
        if (c->line == 0) {
            if (rc != GTH_OK) fail_msg("case %zu: unexpected error at line %llu: %s", i, (unsigned long long)err.line, err.msg);
            if (grc != 0) fail_msg("case %zu: Go rejects: %s", i, gerr);
            if (gout_len != out.len || memcmp(gout, out.data, out.len) != 0) fail_msg("case %zu: bytes differ from Go's", i);
            good++;
        } else {
            if (rc == GTH_OK) fail_msg("case %zu: accepted, want an error at line %llu", i, (unsigned long long)c->line);
            if (grc == 0) fail_msg("case %zu: Go accepts it", i);
            const char *gm = go_message(gerr);
            if (strcmp(gm, err.msg) != 0) fail_msg("case %zu: message\n ours: %s\n   go: %s", i, err.msg, gm);
            if (err.line != c->line)
                fail_msg("case %zu (%s): line %llu, want %llu", i, err.msg, (unsigned long long)err.line,
                         (unsigned long long)c->line);
            bad++;
        }
        free(gout);
        free(gerr);
        gth_buf_free(&out);
    }
    printf("%zu valid texts give Go's bytes, %zu invalid ones Go's message at the right line\n", good, bad);
}

static void long_lines(void **state) {
    (void)state;
    /* Go's scanner takes lines of up to 65535 bytes before the newline. */
    const size_t lens[] = {65535, 65536, 70000};
    for (size_t k = 0; k < 3; k++) {
        for (int nl = 0; nl < 2; nl++) {
            gth_buf t;
            gth_buf_init(&t, NULL);
            gth_buf_append(&t, T "ProcStop dt=1\n", strlen(T) + 14);
            for (size_t i = 0; i < lens[k]; i++) gth_buf_putc(&t, '#');
            if (nl) gth_buf_append(&t, "\nProcStop dt=2\n", 15);
            gth_buf out;
            gth_buf_init(&out, NULL);
            gth_error err;
            gth_error_clear(&err);
            int rc = pack((const char *)t.data, t.len, &out, &err);
            char *argv[] = {(char *)tu_gthref(), "raw", "text2bytes", NULL};
            char *gerr = NULL;
            int grc = tu_run(argv, t.data, t.len, NULL, NULL, &gerr);
            assert_int_equal(rc == GTH_OK, grc == 0);
            if (rc != GTH_OK) {
                assert_string_equal(err.msg, "bufio.Scanner: token too long");
                assert_string_equal(go_message(gerr), err.msg);
                assert_int_equal(err.line, 3);
            }
            assert_int_equal(rc == GTH_OK, lens[k] < GTH_TEXT_MAX_LINE);
            free(gerr);
            gth_buf_free(&out);
            gth_buf_free(&t);
        }
    }
}

static void first_line_offsets_line_numbers(void **state) {
    (void)state;
    const char *text = "Trace Go1.26\nProcStop dt=1\nBogus\n";
    gth_text_reader r;
    gth_error err;
    gth_error_clear(&err);
    assert_int_equal(gth_text_reader_init(&r, NULL, text, strlen(text), 40, &err), GTH_READ_OK);
    gth_raw_event ev;
    assert_int_equal(gth_text_reader_next(&r, &ev, &err), GTH_READ_OK);
    assert_int_equal(ev.line, 41);
    assert_true(ev.offset == GTH_NO_OFFSET);
    assert_int_equal(gth_text_reader_next(&r, &ev, &err), GTH_READ_ERROR);
    assert_int_equal(err.line, 42);
    assert_string_equal(err.msg, "unidentified event: Bogus");
    gth_text_reader_free(&r);
}

static void writer_format(void **state) {
    (void)state;
    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_text_write_header(&b, 23);
    gth_raw_event ev;
    memset(&ev, 0, sizeof ev);
    uint64_t frames[8] = {4198400, 2, 3, 10, 1, 0, 18446744073709551615u, 7};
    ev.code = 3;
    ev.spec = gth_spec_lookup(23, 3);
    ev.args[0] = 1, ev.args[1] = 2;
    ev.frames = frames, ev.nframes = 2;
    gth_text_write_event(&b, &ev);
    memset(&ev, 0, sizeof ev);
    ev.code = 5;
    ev.spec = gth_spec_lookup(23, 5);
    ev.args[0] = 9;
    ev.data = (const uint8_t *)"a\tb";
    ev.data_len = 3;
    gth_text_write_event(&b, &ev);
    ev.data = NULL; /* Go's nil data: no data line */
    ev.data_len = 0;
    gth_text_write_event(&b, &ev);
    gth_buf_putc(&b, 0);
    assert_string_equal((const char *)b.data,
                        "Trace Go1.23\n"
                        "Stack id=1 nframes=2\n\tpc=4198400 func=2 file=3 line=10\n"
                        "\tpc=1 func=0 file=18446744073709551615 line=7\n"
                        "String id=9\n\tdata=\"a\\tb\"\n"
                        "String id=9\n");
    gth_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writer_format),
        cmocka_unit_test(first_line_offsets_line_numbers),
        cmocka_unit_test(errors_and_bytes_match_go),
        cmocka_unit_test(long_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
