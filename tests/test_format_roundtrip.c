/* Every spec row of every v2 version encodes and decodes: binary (batch-framed
 * and flat decoding, recompute and verbatim encoding) and text, with argument
 * values at the varint boundaries; codes outside a version's table are refused
 * by every codec. */
#include "util/testutil.h"

#include <stdio.h>
#include <string.h>

#include "format/decode.h"
#include "format/encode.h"
#include "format/text.h"
#include "format/varint.h"

#define MAXEV 4

typedef struct copy {
    uint8_t code;
    uint64_t args[GTH_MAX_ARGS];
    uint8_t data[64];
    size_t data_len;
    int has_data;
    uint64_t frames[16];
    size_t nframes;
} copy;

typedef struct sink {
    copy ev[MAXEV];
    size_t n;
} sink;

static int collect(void *ud, const gth_raw_event *ev) {
    sink *s = ud;
    assert_true(s->n < MAXEV);
    copy *c = &s->ev[s->n++];
    memset(c, 0, sizeof *c);
    c->code = ev->code;
    memcpy(c->args, ev->args, sizeof c->args);
    assert_true(ev->data_len <= sizeof c->data);
    c->has_data = ev->data != NULL;
    if (ev->data_len) memcpy(c->data, ev->data, ev->data_len);
    c->data_len = ev->data_len;
    assert_true(ev->nframes * 4 <= 16);
    if (ev->nframes) memcpy(c->frames, ev->frames, ev->nframes * 4 * sizeof(uint64_t));
    c->nframes = ev->nframes;
    return 0;
}

static void same_event(const copy *c, const gth_raw_event *ev, const gth_event_spec *spec) {
    assert_int_equal(c->code, ev->code);
    for (unsigned i = 0; i < spec->nargs; i++) assert_true(c->args[i] == ev->args[i]);
    if (spec->flags & GTH_F_DATA) {
        assert_int_equal(c->data_len, ev->data_len);
        if (ev->data_len) assert_memory_equal(c->data, ev->data, ev->data_len);
    }
    if (spec->flags & GTH_F_FRAMES) {
        assert_int_equal(c->nframes, ev->nframes);
        for (size_t i = 0; i < ev->nframes * 4; i++) assert_true(c->frames[i] == ev->frames[i]);
    }
}

static const uint64_t vals[] = {0, 1, 127, 128, 16383, 16384, UINT64_C(1) << 32, (UINT64_C(1) << 63) - 1,
                                UINT64_C(1) << 63, UINT64_MAX};
#define NVALS (sizeof vals / sizeof vals[0])

static void make_event(gth_raw_event *ev, const gth_event_spec *spec, size_t k, uint64_t *frames) {
    static const uint8_t data[] = "s\0\xff\"\xc3\xa9\n\\x";
    memset(ev, 0, sizeof *ev);
    ev->code = spec->code;
    ev->spec = spec;
    ev->offset = ev->batch_offset = GTH_NO_OFFSET;
    for (unsigned i = 0; i < spec->nargs; i++) ev->args[i] = vals[(k + i * 3) % NVALS];
    if (spec->flags & GTH_F_FRAMES) {
        ev->nframes = k % 3; /* 0, 1 or 2 frames */
        ev->args[1] = ev->nframes;
        for (size_t i = 0; i < ev->nframes * 4; i++) frames[i] = vals[(k + i) % NVALS];
        ev->frames = frames;
    }
    if (spec->flags & GTH_F_DATA) {
        ev->data = data;
        ev->data_len = k % 2 ? sizeof data - 1 : 1;
    }
    if (spec->code == 1) ev->args[3] = 0;        /* EventBatch with nothing after it */
    if (spec->code == 49) ev->args[0] = k % 128; /* experiment id: one byte */
}

/* Encodes [EventBatch gen=1 m=2 time=3 size=...] ev (the batch only for events
 * that live in batches). */
static void encode(gth_buf *out, unsigned minor, unsigned flags, const gth_raw_event *ev, int wrap) {
    gth_encoder e;
    gth_error err;
    gth_error_clear(&err);
    assert_int_equal(gth_encoder_init(&e, out, minor, flags, NULL), GTH_OK);
    if (wrap) {
        gth_raw_event b;
        memset(&b, 0, sizeof b);
        b.code = 1;
        b.args[0] = 1, b.args[1] = 2, b.args[2] = 3;
        b.args[3] = gth_event_encoded_size(ev->spec, ev); /* right for verbatim too */
        assert_int_equal(gth_encoder_write(&e, &b, &err), GTH_OK);
    }
    assert_int_equal(gth_encoder_write(&e, ev, &err), GTH_OK);
    assert_int_equal(gth_encoder_finish(&e, &err), GTH_OK);
    gth_encoder_free(&e);
}

static void every_row_every_version(void **state) {
    (void)state;
    const unsigned *minors;
    size_t nv = gth_versions_v2(&minors);
    size_t rows = 0, trips = 0;
    for (size_t vi = 0; vi < nv; vi++) {
        unsigned minor = minors[vi];
        for (unsigned code = 0; code < 256; code++) {
            const gth_event_spec *spec = gth_spec_lookup(minor, code);
            if (!spec) continue;
            rows++;
            for (size_t k = 0; k < NVALS; k++) {
                uint64_t frames[16];
                gth_raw_event ev;
                make_event(&ev, spec, k, frames);
                int wrap = spec->where != GTH_W_BATCH;

                gth_buf rec, verb;
                gth_buf_init(&rec, NULL);
                gth_buf_init(&verb, NULL);
                encode(&rec, minor, 0, &ev, wrap);
                encode(&verb, minor, GTH_ENC_VERBATIM, &ev, wrap);
                /* Sizes are right and experiment ids small: both modes agree. */
                assert_int_equal(rec.len, verb.len);
                assert_memory_equal(rec.data, verb.data, rec.len);
                assert_int_equal(rec.len, 16 + (wrap ? 1 + 1 + 1 + 1 + gth_uvarint_len(gth_event_encoded_size(spec, &ev)) : 0) +
                                              gth_event_encoded_size(spec, &ev));

                const unsigned modes[2] = {0, GTH_DEC_FLAT};
                for (int m = 0; m < 2; m++) {
                    sink s = {.n = 0};
                    gth_error err;
                    gth_error_clear(&err);
                    unsigned got_minor = 0;
                    int rc = gth_decode_all(rec.data, rec.len, modes[m], NULL, &got_minor, collect, &s, &err);
                    if (rc != GTH_OK)
                        fail_msg("go 1.%u %s k=%zu mode %d: %s", minor, spec->name, k, m, err.msg);
                    assert_int_equal(got_minor, minor);
                    assert_int_equal(s.n, wrap ? 2 : 1);
                    same_event(&s.ev[wrap], &ev, spec);
                    /* Empty data is present-but-empty in batch mode, nil in flat. */
                    if (spec->flags & GTH_F_DATA) assert_int_equal(s.ev[wrap].has_data, m == 0 || ev.data_len > 0);
                }

                /* Text: write, read back, write again. */
                gth_buf t1, t2;
                gth_buf_init(&t1, NULL);
                gth_buf_init(&t2, NULL);
                gth_text_write_header(&t1, minor);
                assert_int_equal(gth_text_write_event(&t1, &ev), 0);
                gth_text_reader r;
                gth_error err;
                gth_error_clear(&err);
                assert_int_equal(gth_text_reader_init(&r, NULL, t1.data, t1.len, 1, &err), GTH_READ_OK);
                assert_int_equal(r.minor, minor);
                gth_raw_event back;
                int tr = gth_text_reader_next(&r, &back, &err);
                if (tr != GTH_READ_OK) fail_msg("text of %s does not read back: %s\n%.*s", spec->name, err.msg, (int)t1.len, (const char *)t1.data);
                assert_int_equal(back.line, 2);
                sink s = {.n = 0};
                collect(&s, &back);
                same_event(&s.ev[0], &ev, spec);
                gth_text_write_header(&t2, minor);
                gth_text_write_event(&t2, &back);
                assert_int_equal(t1.len, t2.len);
                assert_memory_equal(t1.data, t2.data, t1.len);
                assert_int_equal(gth_text_reader_next(&r, &back, &err), GTH_READ_END);
                gth_text_reader_free(&r);
                gth_buf_free(&t1);
                gth_buf_free(&t2);
                gth_buf_free(&rec);
                gth_buf_free(&verb);
                trips++;
            }
        }
    }
    /* 44 + 49 + 51 + 61 rows. */
    assert_int_equal(rows, 44 + 49 + 51 + 61);
    printf("%zu rows x %zu value sets: %zu binary+text round trips\n", rows, NVALS, trips);
}

static void codes_outside_the_version_are_refused(void **state) {
    (void)state;
    const unsigned *minors;
    size_t nv = gth_versions_v2(&minors);
    size_t refused = 0;
    for (size_t vi = 0; vi < nv; vi++) {
        unsigned minor = minors[vi];
        for (unsigned code = 0; code < 256; code++) {
            if (gth_spec_lookup(minor, code)) continue;
            gth_error err;
            gth_error_clear(&err);
            /* Encoder. */
            gth_buf out;
            gth_buf_init(&out, NULL);
            gth_encoder e;
            gth_encoder_init(&e, &out, minor, 0, NULL);
            gth_raw_event ev;
            memset(&ev, 0, sizeof ev);
            ev.code = (uint8_t)code;
            ev.spec = gth_spec_event(code);
            assert_int_equal(gth_encoder_write(&e, &ev, &err), GTH_EINVALID);
            char want[64];
            snprintf(want, sizeof want, "invalid event type: %u", code);
            assert_string_equal(err.msg, want);
            gth_encoder_free(&e);
            /* Batch decoder, at batch level and inside a batch. */
            out.len = 16;
            gth_buf_putc(&out, (int)code);
            gth_error_clear(&err);
            sink s = {.n = 0};
            assert_int_equal(gth_decode_all(out.data, out.len, 0, NULL, NULL, collect, &s, &err), GTH_EINVALID);
            assert_int_equal(err.offset, 16);
            out.len = 16;
            const uint8_t batch[6] = {1, 1, 0, 0, 1, (uint8_t)code};
            gth_buf_append(&out, batch, sizeof batch);
            gth_error_clear(&err);
            s.n = 0;
            assert_int_equal(gth_decode_all(out.data, out.len, 0, NULL, NULL, collect, &s, &err), GTH_EINVALID);
            assert_int_equal(err.offset, 21);
            assert_int_equal(s.n, 1); /* the batch header came out first */
            /* Text reader, for codes that have a name elsewhere. */
            const gth_event_spec *other = gth_spec_event(code);
            if (other) {
                gth_buf t;
                gth_buf_init(&t, NULL);
                gth_buf_printf(&t, "Trace Go1.%u\n%s\n", minor, other->name);
                gth_text_reader r;
                gth_error_clear(&err);
                assert_int_equal(gth_text_reader_init(&r, NULL, t.data, t.len, 1, &err), GTH_READ_OK);
                gth_raw_event back;
                assert_int_equal(gth_text_reader_next(&r, &back, &err), GTH_READ_ERROR);
                snprintf(want, sizeof want, "unidentified event: %s", other->name);
                assert_string_equal(err.msg, want);
                assert_int_equal(err.line, 2);
                gth_text_reader_free(&r);
                gth_buf_free(&t);
            }
            gth_buf_free(&out);
            refused++;
        }
    }
    printf("%zu (version, code) pairs refused by encoder, decoder and text reader\n", refused);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_row_every_version),
        cmocka_unit_test(codes_outside_the_version_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
