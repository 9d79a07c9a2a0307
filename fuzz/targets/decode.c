/*
 * Target decode: the streaming binary decoder (format/decode.h) in each of its
 * modes — by batches and flat (Go's raw reader), each with the version's table
 * and the full table — and the binary-to-text conversion.
 *
 * Property: feeding the input in chunks (the decoder asking for more with
 * GTH_READ_MORE) gives the same events, status, error offset and message as
 * one whole buffer.
 */
#include <string.h>

#include "format/convert.h"
#include "format/decode.h"
#include "fuzz/fuzz.h"

static void chunked(const uint8_t *p, size_t n, unsigned flags, size_t step, fz_decoded *out) {
    gth_decoder d;
    gth_decoder_init(&d, NULL, flags, 0);
    size_t end = step < n ? step : n;
    gth_decoder_feed(&d, p, end, end == n);
    for (;;) {
        gth_raw_event ev;
        int r = gth_decoder_next(&d, &ev, &out->err);
        if (r == GTH_READ_MORE) {
            FUZZ_CHECK(end < n, "decoder asks for more after the final buffer (offset %llu)",
                       (unsigned long long)gth_decoder_offset(&d));
            uint64_t off = gth_decoder_offset(&d);
            FUZZ_CHECK(off <= end, "offset %llu past the buffer end %zu", (unsigned long long)off, end);
            end = end + step < n ? end + step : n;
            gth_decoder_feed(&d, p + off, end - (size_t)off, end == n);
            continue;
        }
        if (r == GTH_READ_OK) {
            fz_event_key(&out->keys, &ev, 0);
            out->events++;
            continue;
        }
        if (d.have_header) out->minor = d.minor;
        out->status = r == GTH_READ_END ? GTH_OK : out->err.status ? out->err.status : GTH_EINVALID;
        break;
    }
    gth_decoder_free(&d);
}

static void one_mode(const uint8_t *p, size_t n, unsigned flags) {
    fz_decoded whole;
    fz_decoded_init(&whole);
    fz_decode(&whole, p, n, flags, 0, NULL, 0);
    size_t steps[2] = {3, 1 + n / 64};
    for (int k = n <= 4096 ? 0 : 1; k < 2; k++) {
        fz_decoded part;
        fz_decoded_init(&part);
        chunked(p, n, flags, steps[k], &part);
        FUZZ_CHECK(part.status == whole.status, "flags %#x step %zu: status %d, whole buffer %d (%s | %s)", flags,
                   steps[k], part.status, whole.status, part.err.msg, whole.err.msg);
        FUZZ_CHECK(part.events == whole.events && part.keys.len == whole.keys.len &&
                       (!part.keys.len || !memcmp(part.keys.data, whole.keys.data, part.keys.len)),
                   "flags %#x step %zu: %llu events differ from the whole buffer's %llu", flags, steps[k],
                   (unsigned long long)part.events, (unsigned long long)whole.events);
        if (whole.status != GTH_OK) {
            FUZZ_CHECK(part.err.offset == whole.err.offset && !strcmp(part.err.msg, whole.err.msg),
                       "flags %#x step %zu: error at %llu \"%s\", whole buffer at %llu \"%s\"", flags, steps[k],
                       (unsigned long long)part.err.offset, part.err.msg, (unsigned long long)whole.err.offset,
                       whole.err.msg);
        }
        fz_decoded_free(&part);
    }
    fz_decoded_free(&whole);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const unsigned modes[] = {0, GTH_DEC_FULL_TABLE, GTH_DEC_FLAT, GTH_DEC_FLAT | GTH_DEC_FULL_TABLE};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) one_mode(data, size, modes[i]);
    for (int flat = 0; flat < 2; flat++) {
        gth_buf text;
        gth_buf_init(&text, NULL);
        gth_error err;
        gth_convert_binary_to_text(data, size, flat ? GTH_DEC_FLAT : 0, &text, &err);
        gth_buf_free(&text);
    }
    return 0;
}
