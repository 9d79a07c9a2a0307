/*
 * Target text: Go's text trace format reader (format/text.h) over the whole
 * input, each event it accepts written back with the text writer, and the
 * whole-input text-to-binary conversion in both encoder modes.
 *
 * Property: the reader reports every rejection with a message and a line
 * number inside the input; the conversion agrees with the reader on whether
 * the input is acceptable (a bare text input, not a .test file).
 */
#include <string.h>

#include "format/convert.h"
#include "format/encode.h"
#include "format/testfile.h"
#include "format/text.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gth_text_reader r;
    gth_error err;
    gth_error_clear(&err);
    gth_buf out;
    gth_buf_init(&out, NULL);
    int rc = gth_text_reader_init(&r, NULL, data, size, 1, &err);
    uint64_t lines = 1;
    for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
    if (rc == GTH_READ_OK) {
        for (;;) {
            gth_raw_event ev;
            rc = gth_text_reader_next(&r, &ev, &err);
            if (rc != GTH_READ_OK) break;
            FUZZ_CHECK(ev.line >= 1 && ev.line <= lines, "event line %llu outside 1..%llu",
                       (unsigned long long)ev.line, (unsigned long long)lines);
            out.len = 0;
            FUZZ_CHECK(gth_text_write_event(&out, &ev) == 0, "writer refused %s", ev.spec->name);
        }
    }
    if (rc == GTH_READ_ERROR)
        FUZZ_CHECK(err.msg[0] && err.line >= 1 && err.line <= lines, "error without a message or at line %llu of %llu: %s",
                   (unsigned long long)err.line, (unsigned long long)lines, err.msg);
    gth_text_reader_free(&r);
    if (!gth_testfile_detect(data, size)) {
        for (int verbatim = 0; verbatim < 2; verbatim++) {
            out.len = 0;
            gth_error e2;
            int c = gth_convert_text_to_binary(data, size, "<fuzz>", verbatim ? GTH_ENC_VERBATIM : 0, &out, &e2);
            /* The recompute encoder may refuse an experiment id over 255. */
            if (verbatim || c == GTH_OK || rc != GTH_READ_END)
                FUZZ_CHECK((c == GTH_OK) == (rc == GTH_READ_END), "reader %s, conversion %s (%s)",
                           rc == GTH_READ_END ? "accepts" : "rejects", c == GTH_OK ? "accepts" : "rejects", e2.msg);
        }
    }
    gth_buf_free(&out);
    return 0;
}
