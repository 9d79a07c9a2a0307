/*
 * Target roundtrip_text: text to binary to text. A text trace the reader
 * accepts is
 *   1. written back as text and read again: the same events (the writer and
 *      reader are inverse);
 *   2. encoded as Go's raw writer does (GTH_ENC_VERBATIM) and decoded flat as
 *      Go's raw reader does: the same events, empty data and no data being one
 *      thing in binary;
 *   3. the text written from that decoding, converted the same way once more,
 *      gives the same text (text -> binary -> text is a fixed point after one
 *      normalisation).
 * Inputs that cannot survive binary by construction are skipped for 2-3: a
 * Stack whose frame count is not the number of frame lines (Go reads counts
 * of 2^63 and above as no frames; the binary then holds a count with no
 * frames behind it). Step 3 is skipped when a data event has empty data: the
 * flat decoder gives nil, Go's writer then omits the data line, and the text
 * is no longer readable (as with Go's own codec).
 */
#include <string.h>

#include "format/decode.h"
#include "format/encode.h"
#include "format/text.h"
#include "fuzz/fuzz.h"

/* Reads text; keys (made with key_flags), the events also written to
 * text_out (with header) and encoded into bin_out when not NULL. Returns the
 * reader's final status; *consistent is cleared by a Stack whose count and
 * frames disagree. */
static int read_text(const uint8_t *p, size_t n, unsigned key_flags, gth_buf *keys, gth_buf *text_out,
                     gth_buf *bin_out, unsigned *minor, int *consistent) {
    gth_text_reader r;
    gth_error err;
    gth_error_clear(&err);
    int rc = gth_text_reader_init(&r, NULL, p, n, 1, &err);
    gth_encoder enc;
    int enc_open = 0;
    if (rc == GTH_READ_OK) {
        *minor = r.minor;
        if (text_out) gth_text_write_header(text_out, r.minor);
        if (bin_out) {
            FUZZ_CHECK(gth_encoder_init(&enc, bin_out, r.minor, GTH_ENC_VERBATIM, NULL) == GTH_OK, "out of memory");
            enc_open = 1;
        }
        for (;;) {
            gth_raw_event ev;
            rc = gth_text_reader_next(&r, &ev, &err);
            if (rc != GTH_READ_OK) break;
            fz_event_key(keys, &ev, key_flags);
            if ((ev.spec->flags & GTH_F_FRAMES) && ev.nframes != ev.args[1]) *consistent = 0;
            if (text_out) FUZZ_CHECK(gth_text_write_event(text_out, &ev) == 0, "text writer refused %s", ev.spec->name);
            if (enc_open) {
                gth_error e2;
                gth_error_clear(&e2);
                FUZZ_CHECK(gth_encoder_write(&enc, &ev, &e2) == GTH_OK, "encoder refused %s from text: %s",
                           ev.spec->name, e2.msg);
            }
        }
        if (enc_open && rc == GTH_READ_END) {
            gth_error e2;
            gth_error_clear(&e2);
            FUZZ_CHECK(gth_encoder_finish(&enc, &e2) == GTH_OK, "encoder finish: %s", e2.msg);
        }
    }
    if (enc_open) gth_encoder_free(&enc);
    gth_text_reader_free(&r);
    return rc == GTH_READ_END ? GTH_OK : GTH_EINVALID;
}

static int same(const gth_buf *a, const gth_buf *b) {
    return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
}

/* text -> binary -> text: the binary, and the text written from its flat
 * decoding (with the decoded events' keys). */
static void to_binary_and_back(const uint8_t *p, size_t n, gth_buf *keys_nil, gth_buf *bin, gth_buf *text2,
                               gth_buf *keys2, int *consistent) {
    unsigned minor = 0;
    int rc = read_text(p, n, FZ_NIL_IS_EMPTY, keys_nil, NULL, bin, &minor, consistent);
    FUZZ_CHECK(rc == GTH_OK, "text that read once does not read again");
    if (!*consistent) return;
    gth_decoder d;
    gth_decoder_init(&d, NULL, GTH_DEC_FLAT, 0);
    gth_decoder_feed(&d, bin->data, bin->len, 1);
    gth_error err;
    gth_error_clear(&err);
    for (;;) {
        gth_raw_event ev;
        int k = gth_decoder_next(&d, &ev, &err);
        if (k == GTH_READ_OK && text2->len == 0) gth_text_write_header(text2, d.minor);
        if (k != GTH_READ_OK) {
            FUZZ_CHECK(k == GTH_READ_END, "Go's bytes of a text trace do not decode: %s (offset %llu)", err.msg,
                       (unsigned long long)err.offset);
            break;
        }
        fz_event_key(keys2, &ev, FZ_NIL_IS_EMPTY);
        /* Go's writer omits the data line of nil data, which its reader then
         * misses: such text cannot be read again (in Go neither). */
        if ((ev.spec->flags & GTH_F_DATA) && !ev.data) *consistent = 0;
        FUZZ_CHECK(gth_text_write_event(text2, &ev) == 0, "text writer refused %s", ev.spec->name);
    }
    if (text2->len == 0) gth_text_write_header(text2, d.minor);
    FUZZ_CHECK(d.minor == minor, "version 1.%u became 1.%u", minor, d.minor);
    gth_decoder_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gth_buf keys1, text1, keys1b, bin, text2, keys2, keys3, bin3, text3, keys3b, keys4;
    gth_buf *all[] = {&keys1, &text1, &keys1b, &bin, &text2, &keys2, &keys3, &bin3, &text3, &keys3b, &keys4};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) gth_buf_init(all[i], NULL);
    unsigned minor = 0, minor1 = 0;
    int consistent = 1;
    if (read_text(data, size, 0, &keys1, &text1, NULL, &minor, &consistent) != GTH_OK) goto out;

    /* 1. Text writer and reader are inverse. */
    int c1 = 1;
    FUZZ_CHECK(read_text(text1.data, text1.len, 0, &keys1b, NULL, NULL, &minor1, &c1) == GTH_OK,
               "written text does not read back");
    FUZZ_CHECK(minor1 == minor && same(&keys1, &keys1b), "written text reads back as other events");
    if (!consistent) goto out;

    /* 2. Through Go's bytes and back: the same events. */
    to_binary_and_back(data, size, &keys3, &bin, &text2, &keys2, &consistent);
    FUZZ_CHECK(same(&keys3, &keys2), "events change through binary (%zu bytes of keys, then %zu)", keys3.len,
               keys2.len);

    /* 3. Once more from the normalised text: the same text. */
    if (!consistent) goto out;
    int c3 = 1;
    to_binary_and_back(text2.data, text2.len, &keys3b, &bin3, &text3, &keys4, &c3);
    FUZZ_CHECK(c3, "normalised text has an inconsistent Stack");
    FUZZ_CHECK(same(&keys3b, &keys4) && same(&keys3b, &keys2), "normalised text changes through binary");
    FUZZ_CHECK(same(&bin, &bin3), "binary of the normalised text differs (%zu, %zu bytes)", bin.len, bin3.len);
    FUZZ_CHECK(same(&text2, &text3), "text -> binary -> text is not a fixed point (%zu, %zu bytes)", text2.len,
               text3.len);
out:
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) gth_buf_free(all[i]);
    return 0;
}
