/*
 * Target testfile: Go's golden .test files — the txtar split, the expectation
 * language (SUCCESS / FAILURE with a Go-quoted RE2 regexp), and the trace
 * section read as text with its line numbers.
 *
 * Properties: an expectation that parses is written back and parses again to
 * the same one (when the written line is not too long for Go's line scanner);
 * its check of the trace reader's verdict agrees with gth_expect_matches.
 */
#include <string.h>

#include "format/testfile.h"
#include "format/text.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gth_testfile tf;
    gth_error err;
    gth_error_clear(&err);
    if (gth_testfile_parse(data, size, "fuzz.test", &tf, &err) != GTH_OK) {
        FUZZ_CHECK(err.msg[0], "malformed test without a message");
        return 0;
    }
    gth_expect e;
    int erc = gth_expect_parse(&e, NULL, tf.expect, tf.expect_len, &err);

    /* The trace section, as the golden test reads it. */
    gth_text_reader r;
    gth_error terr;
    gth_error_clear(&terr);
    int rc = gth_text_reader_init(&r, NULL, tf.trace, tf.trace_len, tf.trace_line, &terr);
    while (rc == GTH_READ_OK) {
        gth_raw_event ev;
        rc = gth_text_reader_next(&r, &ev, &terr);
        if (rc == GTH_READ_OK)
            FUZZ_CHECK(ev.line >= tf.trace_line, "event line %llu before the trace section (line %llu)",
                       (unsigned long long)ev.line, (unsigned long long)tf.trace_line);
    }
    gth_text_reader_free(&r);

    if (erc == GTH_OK) {
        const char *verdict = rc == GTH_READ_END ? NULL : terr.msg;
        gth_buf why;
        gth_buf_init(&why, NULL);
        int bad = gth_expect_check(&e, verdict, &why);
        FUZZ_CHECK(bad == !gth_expect_matches(&e, verdict), "gth_expect_check and gth_expect_matches disagree");
        gth_buf_free(&why);

        gth_buf w;
        gth_buf_init(&w, NULL);
        FUZZ_CHECK(gth_expect_write(&w, &e) == 0, "expectation does not write");
        /* Quoting may lengthen the line past what Go's line scanner reads
         * (GTH_TEXT_MAX_LINE); such an expectation cannot be written back. */
        if (w.len <= GTH_TEXT_MAX_LINE) {
            gth_expect e2;
            gth_error err2;
            int rc2 = gth_expect_parse(&e2, NULL, w.data, w.len, &err2);
            FUZZ_CHECK(rc2 == GTH_OK, "written expectation does not parse: %s", err2.msg);
            FUZZ_CHECK(e2.failure == e.failure && e2.pattern_len == e.pattern_len &&
                           (!e.pattern_len || !memcmp(e2.pattern, e.pattern, e.pattern_len)),
                       "expectation changes when written and parsed");
            gth_expect_free(&e2);
        }
        gth_buf_free(&w);
    } else {
        FUZZ_CHECK(err.msg[0], "bad expectation without a message");
    }
    gth_expect_free(&e);
    return 0;
}
