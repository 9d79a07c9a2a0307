/* Whole-input conversions over the codecs. */
#include "format/convert.h"

#include <string.h>

#include "base/quote.h"
#include "format/decode.h"
#include "format/encode.h"
#include "format/testfile.h"
#include "format/text.h"

int gth_convert_text_to_binary(const void *text, size_t n, const char *name, unsigned flags,
                               gth_buf *out, gth_error *err) {
    gth_error_clear(err);
    const uint8_t *t = text;
    uint64_t first_line = 1;
    if (gth_testfile_detect(text, n)) {
        gth_testfile tf;
        if (gth_testfile_parse(text, n, name ? name : "<input>", &tf, err) != GTH_OK) return err->status;
        t = tf.trace;
        n = tf.trace_len;
        first_line = tf.trace_line;
    }
    gth_text_reader r;
    gth_encoder enc;
    int rc = GTH_OK, enc_open = 0;
    if (gth_text_reader_init(&r, out->a, t, n, first_line, err) != GTH_READ_OK) {
        rc = err->status ? err->status : GTH_EINVALID;
        goto done;
    }
    if ((rc = gth_encoder_init(&enc, out, r.minor, flags, out->a)) != GTH_OK) {
        gth_error_nomem(err);
        goto done;
    }
    enc_open = 1;
    for (;;) {
        gth_raw_event ev;
        int k = gth_text_reader_next(&r, &ev, err);
        if (k == GTH_READ_END) break;
        if (k != GTH_READ_OK || gth_encoder_write(&enc, &ev, err) != GTH_OK) {
            rc = err->status ? err->status : GTH_EINVALID;
            goto done;
        }
    }
    rc = gth_encoder_finish(&enc, err);
done:
    if (enc_open) gth_encoder_free(&enc);
    gth_text_reader_free(&r);
    if (out->failed && rc != GTH_ENOMEM) rc = gth_error_nomem(err); /* that failure came first */
    return rc;
}


int gth_convert_binary_to_text(const void *bin, size_t n, unsigned flags, gth_buf *out,
                               gth_error *err) {
    gth_error_clear(err);
    gth_decoder d;
    gth_decoder_init(&d, out->a, flags, 0);
    gth_decoder_feed(&d, bin, n, 1);
    int rc = gth_decoder_header(&d, err);
    if (rc != GTH_READ_OK) {
        gth_decoder_free(&d);
        return err->status ? err->status : GTH_EINVALID;
    }
    gth_text_write_header(out, d.minor);
    for (;;) {
        gth_raw_event ev;
        rc = gth_decoder_next(&d, &ev, err);
        if (rc == GTH_READ_END) break;
        if (rc != GTH_READ_OK) {
            gth_decoder_free(&d);
            /* Output already cut short by memory: that failure came first. */
            if (out->failed) return gth_error_nomem(err);
            return err->status ? err->status : GTH_EINVALID;
        }
        gth_text_write_event(out, &ev);
    }
    gth_decoder_free(&d);
    return out->failed ? gth_error_nomem(err) : GTH_OK;
}

int gth_convert_fuzz_file(const void *p, size_t n, gth_buf *out, gth_error *err) {
    static const char magic[] = "go test fuzz v1\n";
    static const char open[] = "[]byte(";
    const char *s = p, *end = s + n;
    gth_error_clear(err);
    if (n < sizeof magic - 1 || memcmp(s, magic, sizeof magic - 1) != 0)
        return gth_error_at(err, 0, "not a \"go test fuzz v1\" file");
    s += sizeof magic - 1;
    if ((size_t)(end - s) < sizeof open - 1 || memcmp(s, open, sizeof open - 1) != 0)
        return gth_error_at(err, sizeof magic - 1, "expected a []byte(\"...\") value");
    s += sizeof open - 1;
    /* The literal runs to the closing parenthesis at the end of the line. */
    const char *close = end;
    while (close > s && (close[-1] == '\n' || close[-1] == '\r' || close[-1] == ' ')) close--;
    if (close == s || close[-1] != ')') return gth_error_at(err, (uint64_t)(close - (const char *)p), "missing ')'");
    close--;
    if (gth_unquote_append(out, s, (size_t)(close - s)) != 0) {
        if (out->failed) return gth_error_nomem(err);
        return gth_error_at(err, (uint64_t)(s - (const char *)p), "malformed Go string literal");
    }
    return GTH_OK;
}
