/* The binary decoder: a real trace cut at every byte offset fails with an offset
 * or ends cleanly exactly at a batch boundary; chunked input decodes as one
 * buffer does; each malformation gives its error at the right offset; counts from
 * the input never size an allocation. */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/decode.h"
#include "format/encode.h"
#include "format/testfile.h"
#include "format/text.h"

/* Packs a golden .test file of GOROOT in-process (text reader + Go-compatible
 * encoder). */
static void pack_golden(const char *name, gth_buf *out) {
    char path[4096];
    snprintf(path, sizeof path, "%s/src/internal/trace/testdata/tests/%s", tu_goroot(), name);
    size_t n;
    uint8_t *p = tu_read_file(path, &n);
    gth_testfile tf;
    gth_error err;
    gth_error_clear(&err);
    assert_int_equal(gth_testfile_parse(p, n, path, &tf, &err), GTH_OK);
    gth_text_reader r;
    assert_int_equal(gth_text_reader_init(&r, NULL, tf.trace, tf.trace_len, tf.trace_line, &err), GTH_READ_OK);
    gth_encoder e;
    gth_encoder_init(&e, out, r.minor, GTH_ENC_VERBATIM, NULL);
    gth_raw_event ev;
    int k;
    while ((k = gth_text_reader_next(&r, &ev, &err)) == GTH_READ_OK)
        assert_int_equal(gth_encoder_write(&e, &ev, &err), GTH_OK);
    assert_int_equal(k, GTH_READ_END);
    gth_encoder_finish(&e, &err);
    gth_encoder_free(&e);
    gth_text_reader_free(&r);
    free(p);
}

/* Events as (offset, code, len, first arg) for comparing decodes. */
typedef struct rec {
    uint64_t offset, len, arg0;
    uint8_t code;
    int batch_level;
} rec;

typedef struct recs {
    rec *v;
    size_t n, cap;
} recs;

static int record(void *ud, const gth_raw_event *ev) {
    recs *r = ud;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
    }
    r->v[r->n++] = (rec){ev->offset, ev->len, ev->spec->nargs ? ev->args[0] : 0, ev->code,
                         ev->batch_offset == GTH_NO_OFFSET};
    return 0;
}

static void truncation_at_every_offset(void **state) {
    (void)state;
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    pack_golden("go122-gc-stress.test", &bin);
    recs full = {0};
    gth_error err;
    gth_error_clear(&err);
    assert_int_equal(gth_decode_all(bin.data, bin.len, 0, NULL, NULL, record, &full, &err), GTH_OK);
    /* Batch boundaries: after the header, before each batch header, the end. */
    uint8_t *boundary = calloc(bin.len + 1, 1);
    boundary[16] = boundary[bin.len] = 1;
    for (size_t i = 0; i < full.n; i++)
        if (full.v[i].batch_level) boundary[full.v[i].offset] = 1;
    size_t clean = 0, errors = 0;
    uint8_t *cut = malloc(bin.len + 1);
    for (size_t n = 0; n <= bin.len; n++) {
        /* A copy of exactly n bytes, so ASan sees any read past the cut. */
        memcpy(cut, bin.data, n);
        uint8_t *exact = malloc(n ? n : 1);
        memcpy(exact, cut, n);
        recs got = {0};
        gth_error_clear(&err);
        int rc = gth_decode_all(exact, n, 0, NULL, NULL, record, &got, &err);
        if (rc == GTH_OK) {
            if (!boundary[n]) fail_msg("clean end at %zu, which is not a batch boundary", n);
            clean++;
        } else {
            assert_int_equal(rc, GTH_EINVALID);
            if (err.offset == GTH_NO_OFFSET || err.offset > n) fail_msg("cut at %zu: error without a good offset: %s", n, err.msg);
            assert_true(err.msg[0] != 0);
            if (boundary[n] && n >= 16) fail_msg("cut at batch boundary %zu fails: %s", n, err.msg);
            errors++;
        }
        /* What came out is a prefix of the full decode. */
        assert_true(got.n <= full.n);
        for (size_t i = 0; i < got.n; i++) {
            assert_true(got.v[i].offset == full.v[i].offset);
            assert_int_equal(got.v[i].code, full.v[i].code);
        }
        free(got.v);
        /* Flat mode: never a crash, an error always has an offset in range. */
        recs flat = {0};
        gth_error_clear(&err);
        rc = gth_decode_all(exact, n, GTH_DEC_FLAT, NULL, NULL, record, &flat, &err);
        if (rc != GTH_OK) assert_true(err.offset <= n);
        free(flat.v);
        free(exact);
    }
    printf("cut %zu bytes at every offset: %zu clean ends at batch boundaries, %zu errors with offsets\n",
           bin.len, clean, errors);
    free(cut);
    free(boundary);
    free(full.v);
    gth_buf_free(&bin);
}

/* Feeds the input in pieces of `step` bytes (the caller keeping what the decoder
 * has not consumed) and records the events. */
static int decode_chunked(const uint8_t *p, size_t n, size_t step, unsigned flags, recs *out, gth_error *err) {
    gth_decoder d;
    gth_decoder_init(&d, NULL, flags, 0);
    size_t have = 0; /* bytes of p handed over so far */
    int rc;
    for (;;) {
        size_t from = (size_t)gth_decoder_offset(&d);
        have = have + step < n ? have + step : n;
        /* A fresh copy each time: events must only point into the current buffer. */
        size_t len = have - from;
        uint8_t *buf = malloc(len ? len : 1);
        memcpy(buf, p + from, len);
        gth_decoder_feed(&d, buf, len, have == n);
        gth_raw_event ev;
        while ((rc = gth_decoder_next(&d, &ev, err)) == GTH_READ_OK) record(out, &ev);
        free(buf);
        if (rc != GTH_READ_MORE) break;
    }
    gth_decoder_free(&d);
    return rc;
}

static void chunked_equals_whole(void **state) {
    (void)state;
    gth_buf bin;
    gth_buf_init(&bin, NULL);
    pack_golden("go122-annotations.test", &bin);
    const unsigned modes[2] = {0, GTH_DEC_FLAT};
    for (int m = 0; m < 2; m++) {
        recs whole = {0};
        gth_error err;
        gth_error_clear(&err);
        assert_int_equal(gth_decode_all(bin.data, bin.len, modes[m], NULL, NULL, record, &whole, &err), GTH_OK);
        const size_t steps[] = {1, 2, 3, 7, 16, 17, 100, 1000, 4096, 1 << 20};
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            recs got = {0};
            int rc = decode_chunked(bin.data, bin.len, steps[s], modes[m], &got, &err);
            assert_int_equal(rc, GTH_READ_END);
            assert_int_equal(got.n, whole.n);
            for (size_t i = 0; i < whole.n; i++) {
                assert_true(got.v[i].offset == whole.v[i].offset);
                assert_true(got.v[i].len == whole.v[i].len);
                assert_true(got.v[i].arg0 == whole.v[i].arg0);
                assert_int_equal(got.v[i].code, whole.v[i].code);
            }
            free(got.v);
        }
        free(whole.v);
    }
    gth_buf_free(&bin);
}

/* ---- Single malformations ------------------------------------------------------ */

static const uint8_t H26[16] = "go 1.26 trace\0\0";
static const uint8_t H22[16] = "go 1.22 trace\0\0";

/* Decodes hdr + body (batch mode unless flags say otherwise); returns the rc and
 * leaves the error in *err and the event count in *nev. */
static int dec(const uint8_t *hdr, const void *body, size_t n, unsigned flags, gth_error *err, size_t *nev) {
    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_buf_append(&b, hdr, 16);
    gth_buf_append(&b, body, n);
    /* Exactly sized copy for ASan. */
    uint8_t *p = malloc(b.len);
    memcpy(p, b.data, b.len);
    recs r = {0};
    gth_error_clear(err);
    int rc = gth_decode_all(p, b.len, flags, NULL, NULL, record, &r, err);
    if (nev) *nev = r.n;
    free(r.v);
    free(p);
    gth_buf_free(&b);
    return rc;
}

#define EXPECT_ERR(hdr, body, flags, off, substr)                                       \
    do {                                                                                \
        gth_error e_;                                                                   \
        int rc_ = dec(hdr, body, sizeof(body) - 1, flags, &e_, NULL);                   \
        if (rc_ != GTH_EINVALID) fail_msg("no error, wanted %s", substr);               \
        if (!strstr(e_.msg, substr)) fail_msg("error %s, wanted %s", e_.msg, substr);   \
        if (e_.offset != (uint64_t)(off)) fail_msg("%s: offset %llu, wanted %llu", e_.msg, \
                                                   (unsigned long long)e_.offset, (unsigned long long)(off)); \
    } while (0)

static void batch_level_errors(void **state) {
    (void)state;
    /* A timed event where a batch header belongs. */
    EXPECT_ERR(H26, "\x0b\x01", 0, 16, "expected a batch header, got ProcStop (event type 11)");
    EXPECT_ERR(H26, "\x00", 0, 16, "event type 0 does not exist in go 1.26");
    EXPECT_ERR(H22, "\x34", 0, 16, "event type 52 does not exist in go 1.22");
    EXPECT_ERR(H22, "\x31\x01\x01\x01\x01\x00", 0, 16, "event type 49 does not exist in go 1.22");
    /* Header fields. */
    EXPECT_ERR(H26, "\x01", 0, 17, "EventBatch header at offset 16: truncated gen varint");
    EXPECT_ERR(H26, "\x01\x01\x01\x01", 0, 20, "truncated size varint: the input ends at offset 20");
    EXPECT_ERR(H26, "\x01\x01\x01\x80", 0, 19, "truncated time varint");
    EXPECT_ERR(H26, "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02\x01\x01\x00", 0, 17, "gen varint overflows 64 bits");
    EXPECT_ERR(H26, "\x01\x01\x01\x01\x81\x80\x04", 0, 20, "batch size 65537 exceeds the maximum of 65536 bytes");
    EXPECT_ERR(H26, "\x01\x01\x01\x01\x05\x0b\x01", 0, 21, "payload of 5 bytes runs past the end of the input (2 bytes left)");
    EXPECT_ERR(H26, "\x31", 0, 17, "ExperimentalBatch header at offset 16: truncated: the input ends before the experiment byte");
    EXPECT_ERR(H26, "\x31\x01\x01\x01\x01\x03" "ab", 0, 22, "ExperimentalBatch at offset 16: its payload of 3 bytes runs past the end");
}

static void payload_errors(void **state) {
    (void)state;
    /* EventBatch gen=1 m=1 time=1 size=N, then the payload. */
    EXPECT_ERR(H26, "\x01\x01\x01\x01\x02\x0b\x80", 0, 22, "ProcStop at offset 21: truncated dt varint: the batch at offset 16 ends at offset 23");
    EXPECT_ERR(H26, "\x01\x01\x01\x01\x02\x0b\x80\x0b\x01", 0, 22, "truncated dt varint"); /* not taken from the next batch */
    EXPECT_ERR(H26, "\x01\x01\x01\x01\x0c\x0b\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 0, 22, "ProcStop at offset 21: dt varint overflows");
    EXPECT_ERR(H26, "\x01\x01\x01\x01\x01\xc8", 0, 21, "event type 200 does not exist in go 1.26 (in the batch at offset 16)");
    EXPECT_ERR(H26, "\x01\x01\x01\x01\x05\x01\x01\x01\x01\x00", 0, 21, "EventBatch inside the payload of the batch at offset 16");
    EXPECT_ERR(H26, "\x01\x01\x01\x01\x01\x34", 0, 21, "EndOfGeneration inside the payload");
    /* Stack whose frame count cannot fit in what is left of the batch. */
    EXPECT_ERR(H26, "\x01\x01\x01\x01\x07\x03\x01\x02\x01\x02\x03\x04", 0, 24, "2 frames need at least 8 bytes, but only 4 are left");
    EXPECT_ERR(H26, "\x01\x01\x01\x01\x07\x03\x01\x01\x01\x02\x03\x80", 0, 27, "truncated frame 1 line varint");
    /* Strings: too long, or running past the batch. */
    EXPECT_ERR(H26, "\x01\x01\x01\x01\x05\x05\x01\x81\x08x", 0, 23, "String at offset 21: length 1025 exceeds the maximum of 1024 bytes");
    EXPECT_ERR(H26, "\x01\x01\x01\x01\x05\x05\x01\x05" "ab", 0, 24, "its 5 data bytes run past the end of the batch at offset 16 (2 bytes left)");
}

static void accepted_forms(void **state) {
    (void)state;
    gth_error err;
    size_t n;
    /* Non-minimal varints, like the runtime's 10-byte padded size. */
    assert_int_equal(dec(H26, "\x01\x81\x00\x01\x01\x82\x80\x80\x80\x80\x80\x80\x80\x80\x00\x0b\x01", 17, 0, &err, &n), GTH_OK);
    assert_int_equal(n, 2);
    /* Empty batch, EndOfGeneration, experimental batch with a 0x80 experiment byte
     * (one raw byte, as Go's trace reader reads it). */
    assert_int_equal(dec(H26, "\x01\x01\x01\x01\x00\x34\x31\x80\x01\x02\x03\x02zz", 14, 0, &err, &n), GTH_OK);
    assert_int_equal(n, 3);
    /* The largest batch: 65536 bytes. */
    gth_buf b;
    gth_buf_init(&b, NULL);
    const uint8_t hdr[] = {1, 1, 1, 1, 0x80, 0x80, 0x04};
    gth_buf_append(&b, hdr, sizeof hdr);
    for (int i = 0; i < 32768; i++) gth_buf_append(&b, "\x0b\x01", 2);
    assert_int_equal(dec(H26, b.data, b.len, 0, &err, &n), GTH_OK);
    assert_int_equal(n, 1 + 32768);
    gth_buf_free(&b);
    /* A 1024-byte string; a longer one only with GTH_DEC_NO_STRING_LIMIT. */
    gth_buf_init(&b, NULL);
    const uint8_t sh[] = {1, 1, 1, 1, 0x84, 0x08, 5, 1, 0x80, 0x08};
    gth_buf_append(&b, sh, sizeof sh);
    for (int i = 0; i < 1024; i++) gth_buf_putc(&b, 'a');
    assert_int_equal(dec(H26, b.data, b.len, 0, &err, &n), GTH_OK);
    b.data[4] = 0x85, b.data[8] = 0x81;
    gth_buf_putc(&b, 'a');
    assert_int_equal(dec(H26, b.data, b.len, 0, &err, &n), GTH_EINVALID);
    assert_int_equal(dec(H26, b.data, b.len, GTH_DEC_NO_STRING_LIMIT, &err, &n), GTH_OK);
    gth_buf_free(&b);
    /* GoSwitch in a 1.22 trace: only with the full table (as Go's trace reader). */
    assert_int_equal(dec(H22, "\x01\x01\x01\x01\x04\x2d\x01\x02\x03", 9, 0, &err, &n), GTH_EINVALID);
    assert_int_equal(dec(H22, "\x01\x01\x01\x01\x04\x2d\x01\x02\x03", 9, GTH_DEC_FULL_TABLE, &err, &n), GTH_OK);
}

static void flat_mode_is_go_raw_reader(void **state) {
    (void)state;
    gth_error err;
    size_t n;
    /* Batch sizes are not used: a wrong size changes nothing. */
    assert_int_equal(dec(H26, "\x01\x01\x01\x01\x32\x0b\x01", 7, GTH_DEC_FLAT, &err, &n), GTH_OK);
    assert_int_equal(n, 2);
    /* The end where an argument should start is the end. */
    assert_int_equal(dec(H26, "\x0b\x01\x0c", 3, GTH_DEC_FLAT, &err, &n), GTH_OK);
    assert_int_equal(n, 1);
    /* ... and where data bytes should be. */
    assert_int_equal(dec(H26, "\x05\x01\x05" "ab", 5, GTH_DEC_FLAT, &err, &n), GTH_OK);
    assert_int_equal(n, 0);
    EXPECT_ERR(H26, "\x0b\x80", GTH_DEC_FLAT, 17, "unexpected EOF");
    EXPECT_ERR(H26, "\x0b\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", GTH_DEC_FLAT, 17, "binary: varint overflows a 64-bit integer");
    EXPECT_ERR(H26, "\x00", GTH_DEC_FLAT, 16, "invalid event type: 0");
    EXPECT_ERR(H22, "\x2d\x01\x01\x01", GTH_DEC_FLAT, 16, "invalid event type: 45");
    /* Go's 1.26 table has unnamed holes: they decode, with no arguments. */
    assert_int_equal(dec(H26, "\x3c\x3c", 2, GTH_DEC_FLAT, &err, &n), GTH_OK);
    assert_int_equal(n, 2);
    /* Counts of 2^63 and above are negative ints in Go: no frames, no data. */
    assert_int_equal(dec(H26, "\x03\x01\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01\x0b\x01", 14, GTH_DEC_FLAT, &err, &n), GTH_OK);
    assert_int_equal(n, 2);
    /* A frame count larger than the input reads on to the end. */
    assert_int_equal(dec(H26, "\x03\x01\xff\xff\xff\x0f\x01\x02\x03\x04\x05", 11, GTH_DEC_FLAT, &err, &n), GTH_OK);
    assert_int_equal(n, 0);
    EXPECT_ERR(H26, "\x03\x01\xff\xff\xff\x0f\x01\x02\x80", GTH_DEC_FLAT, 24, "unexpected EOF");

    /* partial_end says where Go stopped silently. */
    gth_decoder d;
    gth_decoder_init(&d, NULL, GTH_DEC_FLAT | GTH_DEC_NO_HEADER, 26);
    gth_decoder_feed(&d, "\x0b\x01\x0c\x01", 4, 1);
    gth_raw_event ev;
    assert_int_equal(gth_decoder_next(&d, &ev, &err), GTH_READ_OK);
    assert_int_equal(gth_decoder_next(&d, &ev, &err), GTH_READ_END);
    assert_int_equal(d.partial_end, 2);
    gth_decoder_free(&d);
}

/* An allocator that counts and can be told to fail. */
typedef struct counting {
    size_t live, peak, fail_after;
    size_t calls;
} counting;

static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    counting *c = ud;
    if (nsize == 0) {
        c->live -= osize;
        free(ptr);
        return NULL;
    }
    if (++c->calls > c->fail_after) return NULL;
    void *p = realloc(ptr, nsize);
    if (p) {
        c->live += nsize - osize;
        if (c->live > c->peak) c->peak = c->live;
    }
    return p;
}

static void counts_do_not_size_allocations(void **state) {
    (void)state;
    counting c = {0, 0, SIZE_MAX, 0};
    gth_allocator a = {counting_alloc, &c};
    /* nframes = 2^40 in a small batch: refused before any allocation. */
    const uint8_t body[] = "\x01\x01\x01\x01\x0a\x03\x01\x80\x80\x80\x80\x80\x20\x01\x02";
    gth_buf b;
    gth_buf_init(&b, NULL);
    gth_buf_append(&b, H26, 16);
    gth_buf_append(&b, body, sizeof body - 1);
    gth_error err;
    gth_error_clear(&err);
    recs r = {0};
    assert_int_equal(gth_decode_all(b.data, b.len, 0, &a, NULL, record, &r, &err), GTH_EINVALID);
    assert_non_null(strstr(err.msg, "1099511627776 frames need at least"));
    assert_int_equal(c.peak, 0);
    /* Flat mode, same count: it scans to the end without allocating. */
    r.n = 0;
    assert_int_equal(gth_decode_all(b.data, b.len, GTH_DEC_FLAT, &a, NULL, record, &r, &err), GTH_OK);
    assert_int_equal(c.peak, 0);
    /* A failing allocator gives ENOMEM, not a crash. */
    const uint8_t body2[] = "\x01\x01\x01\x01\x07\x03\x01\x01\x01\x02\x03\x04";
    b.len = 16;
    gth_buf_append(&b, body2, sizeof body2 - 1);
    c.fail_after = 0;
    r.n = 0;
    assert_int_equal(gth_decode_all(b.data, b.len, 0, &a, NULL, record, &r, &err), GTH_ENOMEM);
    c.fail_after = SIZE_MAX;
    r.n = 0;
    assert_int_equal(gth_decode_all(b.data, b.len, 0, &a, NULL, record, &r, &err), GTH_OK);
    assert_int_equal(c.live, 0);
    free(r.v);
    gth_buf_free(&b);
}

static void errors_are_sticky_and_state_is_reported(void **state) {
    (void)state;
    gth_decoder d;
    gth_decoder_init(&d, NULL, 0, 0);
    const uint8_t in[] = "go 1.26 trace\0\0\0\x01\x01\x02\x03\x02\x0b\x01\x0b";
    gth_decoder_feed(&d, in, sizeof in - 1, 1);
    gth_error err;
    gth_error_clear(&err);
    gth_raw_event ev;
    assert_int_equal(gth_decoder_next(&d, &ev, &err), GTH_READ_OK);
    assert_int_equal(ev.code, 1);
    assert_int_equal(ev.offset, 16);
    assert_int_equal(ev.len, 5);
    assert_true(ev.batch_offset == GTH_NO_OFFSET);
    assert_true(ev.args[0] == 1 && ev.args[1] == 2 && ev.args[2] == 3 && ev.args[3] == 2);
    assert_int_equal(gth_decoder_next(&d, &ev, &err), GTH_READ_OK);
    assert_int_equal(ev.code, 11);
    assert_int_equal(ev.offset, 21);
    assert_int_equal(ev.batch_offset, 16);
    assert_int_equal(gth_decoder_next(&d, &ev, &err), GTH_READ_ERROR);
    assert_int_equal(err.offset, 23);
    char first[GTH_ERROR_MSG_MAX];
    strcpy(first, err.msg);
    gth_error_clear(&err);
    assert_int_equal(gth_decoder_next(&d, &ev, &err), GTH_READ_ERROR);
    assert_string_equal(err.msg, first);
    gth_decoder_free(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batch_level_errors),
        cmocka_unit_test(payload_errors),
        cmocka_unit_test(accepted_forms),
        cmocka_unit_test(flat_mode_is_go_raw_reader),
        cmocka_unit_test(counts_do_not_size_allocations),
        cmocka_unit_test(errors_are_sticky_and_state_is_reported),
        cmocka_unit_test(chunked_equals_whole),
        cmocka_unit_test(truncation_at_every_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
