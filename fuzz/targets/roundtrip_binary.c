/*
 * Target roundtrip_binary: decode, encode, decode. For each decoding mode the
 * decoder accepts the input in, its events are encoded again and decoded the
 * same way:
 *   - by batches, encoded with batch sizes recomputed (the generator's and
 *     mutator's way);
 *   - flat (Go's raw reader), with and without the full table, encoded
 *     verbatim (Go's raw writer: sizes as read).
 * Inputs holding an event nothing can encode (a code in the holes of Go's
 * table, decoded flat with the full table) are skipped.
 * Properties: the second decoding succeeds and yields the same events (an
 * EventBatch's size aside when sizes were recomputed); encoding
 * those again gives the same bytes (the encoder's output is a fixed point).
 */
#include <string.h>

#include "format/decode.h"
#include "format/encode.h"
#include "fuzz/fuzz.h"

static void trip(const uint8_t *p, size_t n, unsigned dec_flags, unsigned enc_flags) {
    fz_decoded a, b;
    fz_decoded_init(&a);
    gth_buf out1, out2;
    gth_buf_init(&out1, NULL);
    gth_buf_init(&out2, NULL);
    unsigned kf = enc_flags & GTH_ENC_VERBATIM ? 0 : FZ_NO_BATCH_SIZE;
    fz_decode(&a, p, n, dec_flags, kf, &out1, enc_flags);
    if (a.status == GTH_OK && !a.unencodable) {
        fz_decoded_init(&b);
        fz_decode(&b, out1.data, out1.len, dec_flags, kf, &out2, enc_flags);
        FUZZ_CHECK(b.status == GTH_OK, "dec %#x enc %#x: re-encoded trace does not decode: %s (offset %llu)",
                   dec_flags, enc_flags, b.err.msg, (unsigned long long)b.err.offset);
        FUZZ_CHECK(b.minor == a.minor, "version 1.%u became 1.%u", a.minor, b.minor);
        FUZZ_CHECK(a.events == b.events && a.keys.len == b.keys.len &&
                       (!a.keys.len || !memcmp(a.keys.data, b.keys.data, a.keys.len)),
                   "dec %#x enc %#x: %llu events decoded, %llu after re-encoding, or they differ", dec_flags,
                   enc_flags, (unsigned long long)a.events, (unsigned long long)b.events);
        FUZZ_CHECK(out1.len == out2.len && (!out1.len || !memcmp(out1.data, out2.data, out1.len)),
                   "dec %#x enc %#x: encoding is not a fixed point (%zu then %zu bytes)", dec_flags, enc_flags,
                   out1.len, out2.len);
        fz_decoded_free(&b);
    }
    fz_decoded_free(&a);
    gth_buf_free(&out1);
    gth_buf_free(&out2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    trip(data, size, 0, 0);
    trip(data, size, GTH_DEC_FLAT, GTH_ENC_VERBATIM);
    trip(data, size, GTH_DEC_FLAT | GTH_DEC_FULL_TABLE, GTH_ENC_VERBATIM | GTH_ENC_FULL_TABLE);
    return 0;
}
