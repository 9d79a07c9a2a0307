/* The binary encoder: batch sizes recomputed or copied verbatim, mismatch
 * reports, experiment ids, events outside batches, draining the output. */
#include "util/testutil.h"

#include <string.h>

#include "format/decode.h"
#include "format/encode.h"
#include "format/text.h"

typedef struct mismatch {
    uint64_t batch[8], declared[8], actual[8];
    size_t n;
} mismatch;

static void on_mismatch(void *ud, uint64_t batch, uint64_t declared, uint64_t actual) {
    mismatch *m = ud;
    assert_true(m->n < 8);
    m->batch[m->n] = batch, m->declared[m->n] = declared, m->actual[m->n] = actual;
    m->n++;
}

/* Encodes a text trace; drain: empty the output buffer after every event into
 * `all` (must give the same bytes). */
static int encode_text(const char *text, unsigned flags, gth_buf *all, mismatch *m, int drain, gth_error *err) {
    gth_text_reader r;
    gth_error_clear(err);
    assert_int_equal(gth_text_reader_init(&r, NULL, text, strlen(text), 1, err), GTH_READ_OK);
    gth_buf out;
    gth_buf_init(&out, NULL);
    gth_encoder e;
    gth_encoder_init(&e, &out, r.minor, flags, NULL);
    e.on_size_mismatch = on_mismatch;
    e.ud = m;
    gth_raw_event ev;
    int rc = GTH_OK, k;
    while ((k = gth_text_reader_next(&r, &ev, err)) == GTH_READ_OK) {
        if ((rc = gth_encoder_write(&e, &ev, err)) != GTH_OK) break;
        if (drain) {
            gth_buf_append(all, out.data, out.len);
            out.len = 0;
        }
    }
    if (rc == GTH_OK) {
        assert_int_equal(k, GTH_READ_END);
        rc = gth_encoder_finish(&e, err);
    }
    gth_buf_append(all, out.data, out.len);
    gth_encoder_free(&e);
    gth_buf_free(&out);
    gth_text_reader_free(&r);
    return rc;
}

static const char sample[] =
    "Trace Go1.26\n"
    "ProcStop dt=5\n"                                    /* before any batch: loose */
    "EventBatch gen=1 m=7 time=100 size=99\n"            /* wrong: really 6 */
    "ProcStop dt=1\n"
    "GoStop dt=2 reason_string=0 stack=0\n"
    "EventBatch gen=1 m=8 time=101 size=2\n"             /* wrong: really 3 */
    "ProcStop dt=200\n"
    "ExperimentalBatch exp=200 gen=1 m=9 time=3\n"       /* closes the batch before it */
    "\tdata=\"ab\"\n"
    "EventBatch gen=1 m=8 time=102 size=0\n"             /* wrong: really 2 */
    "ProcStop dt=1\n"
    "EndOfGeneration\n"
    "ProcStop dt=6\n";                                   /* after the end: loose */

static void recompute_and_verbatim(void **state) {
    (void)state;
    gth_error err;
    for (int drain = 0; drain < 2; drain++) {
        gth_buf rec, verb;
        gth_buf_init(&rec, NULL);
        gth_buf_init(&verb, NULL);
        mismatch mr = {.n = 0}, mv = {.n = 0};
        assert_int_equal(encode_text(sample, 0, &rec, &mr, drain, &err), GTH_OK);
        assert_int_equal(encode_text(sample, GTH_ENC_VERBATIM, &verb, &mv, drain, &err), GTH_OK);
        static const uint8_t want_rec[] = "go 1.26 trace\0\0\0"
                                          "\x0b\x05"
                                          "\x01\x01\x07\x64\x06" "\x0b\x01" "\x13\x02\x00\x00"
                                          "\x01\x01\x08\x65\x03" "\x0b\xc8\x01"
                                          "\x31\xc8\x01\x09\x03\x02" "ab"
                                          "\x01\x01\x08\x66\x02" "\x0b\x01"
                                          "\x34"
                                          "\x0b\x06";
        static const uint8_t want_verb[] = "go 1.26 trace\0\0\0"
                                           "\x0b\x05"
                                           "\x01\x01\x07\x64\x63" "\x0b\x01" "\x13\x02\x00\x00"
                                           "\x01\x01\x08\x65\x02" "\x0b\xc8\x01"
                                           "\x31\xc8\x01\x01\x09\x03\x02" "ab"
                                           "\x01\x01\x08\x66\x00" "\x0b\x01"
                                           "\x34"
                                           "\x0b\x06";
        assert_int_equal(rec.len, sizeof want_rec - 1);
        assert_memory_equal(rec.data, want_rec, rec.len);
        assert_int_equal(verb.len, sizeof want_verb - 1);
        assert_memory_equal(verb.data, want_verb, verb.len);
        /* Both report the same three disagreements. */
        for (int k = 0; k < 2; k++) {
            mismatch *m = k ? &mv : &mr;
            assert_int_equal(m->n, 3);
            assert_int_equal(m->batch[0], 0);
            assert_int_equal(m->declared[0], 99);
            assert_int_equal(m->actual[0], 6);
            assert_int_equal(m->batch[1], 1);
            assert_int_equal(m->declared[1], 2);
            assert_int_equal(m->actual[1], 3);
            assert_int_equal(m->batch[2], 2);
            assert_int_equal(m->declared[2], 0);
            assert_int_equal(m->actual[2], 2);
        }
        gth_buf_free(&rec);
        gth_buf_free(&verb);
    }
}

static void experiment_ids(void **state) {
    (void)state;
    gth_error err;
    gth_buf out;
    gth_buf_init(&out, NULL);
    mismatch m = {.n = 0};
    const char *t = "Trace Go1.26\nExperimentalBatch exp=256 gen=1 m=2 time=3\n\tdata=\"\"\n";
    assert_int_equal(encode_text(t, 0, &out, &m, 0, &err), GTH_EINVALID);
    assert_non_null(strstr(err.msg, "experiment id 256 does not fit"));
    out.len = 0;
    assert_int_equal(encode_text(t, GTH_ENC_VERBATIM, &out, &m, 0, &err), GTH_OK);
    assert_int_equal(out.len, 16 + 1 + 2 + 3 + 1);
    assert_memory_equal(out.data + 16, "\x31\x80\x02\x01\x02\x03\x00", 7);
    gth_buf_free(&out);
}

static void encoded_size_is_what_is_written(void **state) {
    (void)state;
    gth_text_reader r;
    gth_error err;
    gth_error_clear(&err);
    static const char t[] = "Trace Go1.26\nStack id=300 nframes=2\n\tpc=1 func=2 file=3 line=4\n"
                            "\tpc=18446744073709551615 func=128 file=0 line=16384\n"
                            "String id=1\n\tdata=\"\\xff\"\nUserLog dt=1 task=2 key_string=3 value_string=4 stack=5\n"
                            "ExperimentalBatch exp=1 gen=2 m=3 time=4\n\tdata=\"12345\"\n";
    assert_int_equal(gth_text_reader_init(&r, NULL, t, sizeof t - 1, 1, &err), GTH_READ_OK);
    gth_raw_event ev;
    size_t n = 0;
    while (gth_text_reader_next(&r, &ev, &err) == GTH_READ_OK) {
        gth_buf b;
        gth_buf_init(&b, NULL);
        assert_int_equal(gth_event_append(&b, ev.spec, &ev, 0), 0);
        assert_int_equal(b.len, gth_event_encoded_size(ev.spec, &ev));
        gth_buf_free(&b);
        n++;
    }
    assert_int_equal(n, 4);
    gth_text_reader_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recompute_and_verbatim),
        cmocka_unit_test(experiment_ids),
        cmocka_unit_test(encoded_size_is_what_is_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
