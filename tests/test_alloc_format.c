/*
 * Allocation failure in base/ and format/: every public entry point that
 * allocates (the editable model of format/model.h included) is driven over real
 * inputs (Go's golden tests, as binaries and as text; Go's fuzz corpus files; a
 * generated trace) while the 1st, 2nd, ... Nth allocation fails in turn
 * (tests/util/failalloc.h). Each failure must come back as an out-of-memory
 * error with nothing leaked and no output passed off as complete. The default
 * run takes a sample of the injection points and inputs; GTH_ALLOC_FULL=1
 * (scripts/alloc-fail.sh) takes all of them.
 *
 * Entry points that never allocate (spec lookups, gth_header_parse,
 * gth_txtar_parse, gth_testfile_detect/parse, gth_go_sort, gth_quote_str,
 * gth_utf8_decode, gth_event_encoded_size, gth_regex_search) are not driven here.
 */
#include "util/testutil.h"
#include "util/failalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/quote.h"
#include "format/convert.h"
#include "format/format.h"
#include "format/model.h"
#include "generator/gen.h"

typedef struct input {
    char name[256];
    uint8_t *data;
    size_t len;
} input;

static input *bins, *texts, *fuzzes;
static size_t nbins, ntexts, nfuzzes;

/* Sampling: every SAMPLE-th input and STRIDE-th injection point (all with GTH_ALLOC_FULL). */
#define SAMPLE 4
#define STRIDE 7

static int sampled(size_t i) { return tu_inject_full() || i % SAMPLE == 0; }

static void load_dir(const char *dir, const char *suffix, input **out, size_t *n) {
    char **paths;
    *n = tu_list(dir, suffix, &paths);
    *out = calloc(*n + 1, sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        snprintf((*out)[i].name, sizeof (*out)[i].name, "%s", strrchr(paths[i], '/') + 1);
        (*out)[i].data = tu_read_file(paths[i], &(*out)[i].len);
    }
    tu_free_list(paths);
}

static int setup(void **state) {
    (void)state;
    char **paths, dir[4200];
    nbins = tu_golden_binaries(tu_tmpdir("alloc-format"), &paths);
    bins = calloc(nbins + 2, sizeof *bins);
    for (size_t i = 0; i < nbins; i++) {
        snprintf(bins[i].name, sizeof bins[i].name, "%s", strrchr(paths[i], '/') + 1);
        bins[i].data = tu_read_file(paths[i], &bins[i].len);
    }
    tu_free_list(paths);
    /* A generated trace with every feature, as the last binary input. */
    snprintf(bins[nbins].name, sizeof bins[nbins].name, "generated-1.26");
    bins[nbins].data = tu_generate(26, 11, 400, 2, &bins[nbins].len);
    nbins++;
    snprintf(dir, sizeof dir, "%s/src/internal/trace/testdata/tests", tu_goroot());
    load_dir(dir, ".test", &texts, &ntexts);
    snprintf(dir, sizeof dir, "%s/src/internal/trace/testdata/fuzz/FuzzReader", tu_goroot());
    load_dir(dir, NULL, &fuzzes, &nfuzzes);
    return 0;
}

static void free_inputs(input *v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i].data);
    free(v);
}

static int teardown(void **state) {
    (void)state;
    free_inputs(bins, nbins);
    free_inputs(texts, ntexts);
    free_inputs(fuzzes, nfuzzes);
    return 0;
}

/* Buffer-returning calls report -1 and set failed; as a status: */
static int buf_status(const gth_buf *b, int rc, gth_error *err) {
    if (b->failed || rc != 0) return gth_error_nomem(err);
    return GTH_OK;
}

/* ---- base ------------------------------------------------------------------ */

static const char quote_sample[] = "tab\there \"q\" \\ \x01\x7f \xff\xfe caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80";

static int op_buf(void *ud, const gth_allocator *a, gth_error *err) {
    (void)ud;
    gth_buf b;
    gth_buf_init(&b, a);
    int rc = 0;
    for (int i = 0; i < 200; i++) {
        rc |= gth_buf_printf(&b, "%d:%s;", i, i % 7 ? "short" : "a somewhat longer piece of text");
        rc |= gth_buf_put_uvarint(&b, (uint64_t)i << (i % 57));
        rc |= gth_buf_put_u64(&b, UINT64_MAX - (uint64_t)i);
        rc |= gth_buf_putc(&b, 'x');
    }
    char big[600];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = 0;
    rc |= gth_buf_printf(&b, "%s", big); /* longer than printf's stack buffer */
    rc |= gth_quote_append(&b, quote_sample, sizeof quote_sample - 1);
    rc |= gth_utf8_append(&b, 0x1F600);
    gth_buf u;
    gth_buf_init(&u, a);
    int k = gth_unquote_append(&u, "\"a\\u00e9\\x41\\101\\n\\U0001F600 text\"", 34);
    if (k == -1) fail_msg("unquote rejected a valid literal");
    int st = k == -2 || u.failed ? gth_error_nomem(err) : buf_status(&b, rc, err);
    gth_buf_free(&u);
    gth_buf_free(&b);
    return st;
}

static int op_calloc_grow(void *ud, const gth_allocator *a, gth_error *err) {
    (void)ud;
    uint32_t *p = gth_calloc(a, 100, sizeof *p);
    if (!p) return gth_error_nomem(err);
    void *v = NULL;
    size_t cap = 0;
    int rc = GTH_OK;
    for (size_t need = 1; need < 5000; need += 37)
        if (gth_grow(a, &v, &cap, need, 24) != 0) {
            rc = gth_error_nomem(err);
            break;
        }
    gth_free(a, v, cap * 24);
    gth_free(a, p, 100 * sizeof *p);
    return rc;
}

static void base_entry_points(void **state) {
    (void)state;
    long runs = tu_inject("gth_buf_* / quote", op_buf, NULL, 1);
    runs += tu_inject("gth_calloc / gth_grow", op_calloc_grow, NULL, 1);
    print_message("base: %ld injected failures\n", runs);
    assert_true(runs > 20);
}

/* ---- decoder ----------------------------------------------------------------- */

typedef struct dec_case {
    const input *in;
    unsigned flags;
    size_t chunk; /* 0: the whole input at once */
} dec_case;

static int op_decode(void *ud, const gth_allocator *a, gth_error *err) {
    const dec_case *c = ud;
    gth_decoder d;
    gth_decoder_init(&d, a, c->flags, 0);
    size_t want = c->chunk ? c->chunk : c->in->len;
    int rc;
    for (;;) {
        size_t off = (size_t)gth_decoder_offset(&d);
        size_t n = c->in->len - off < want ? c->in->len - off : want;
        gth_decoder_feed(&d, c->in->data + off, n, off + n == c->in->len);
        gth_raw_event ev;
        while ((rc = gth_decoder_next(&d, &ev, err)) == GTH_READ_OK) {}
        if (rc != GTH_READ_MORE) break;
        want *= 2;
    }
    gth_decoder_free(&d);
    return rc == GTH_READ_END ? GTH_OK : err->status;
}

static int count_event(void *ud, const gth_raw_event *ev) {
    (void)ev;
    ++*(uint64_t *)ud;
    return 0;
}

static int op_decode_all(void *ud, const gth_allocator *a, gth_error *err) {
    const dec_case *c = ud;
    unsigned minor;
    uint64_t n = 0;
    return gth_decode_all(c->in->data, c->in->len, c->flags, a, &minor, count_event, &n, err);
}

static void decoder(void **state) {
    (void)state;
    static const unsigned flags[] = {0, GTH_DEC_FULL_TABLE, GTH_DEC_FLAT, GTH_DEC_FLAT | GTH_DEC_FULL_TABLE};
    long runs = 0;
    for (size_t i = 0; i < nbins; i++) {
        if (!sampled(i) && i != nbins - 1) continue;
        for (size_t f = 0; f < 4; f++) {
            char what[400];
            dec_case c = {&bins[i], flags[f], 0};
            snprintf(what, sizeof what, "decoder %s flags %u", bins[i].name, flags[f]);
            runs += tu_inject(what, op_decode, &c, STRIDE);
            c.chunk = 100;
            runs += tu_inject(what, op_decode, &c, STRIDE);
            runs += tu_inject(what, op_decode_all, &c, STRIDE);
        }
    }
    print_message("decoder: %ld injected failures\n", runs);
    assert_true(runs > 0);
}

/* ---- encoder ---------------------------------------------------------------- */

typedef struct enc_ctx {
    gth_encoder enc;
    gth_error *err;
    int rc;
} enc_ctx;

static int encode_event(void *ud, const gth_raw_event *ev) {
    enc_ctx *x = ud;
    return x->rc = gth_encoder_write(&x->enc, ev, x->err);
}

typedef struct enc_case {
    const input *in;
    unsigned flags;
} enc_case;

/* Binary -> events -> binary, in recompute or verbatim mode. */
static int op_encode(void *ud, const gth_allocator *a, gth_error *err) {
    const enc_case *c = ud;
    gth_buf out;
    gth_buf_init(&out, a);
    enc_ctx x = {.err = err};
    /* The header version first (gth_header_parse does not allocate). */
    unsigned minor;
    size_t hl;
    if (gth_header_parse(c->in->data, c->in->len, 1, &minor, &hl, err) != GTH_READ_OK) fail_msg("header");
    int rc = gth_encoder_init(&x.enc, &out, minor, c->flags | GTH_ENC_FULL_TABLE, a);
    if (rc != GTH_OK) {
        gth_encoder_free(&x.enc);
        gth_buf_free(&out);
        return gth_error_nomem(err);
    }
    unsigned m2;
    rc = gth_decode_all(c->in->data, c->in->len, GTH_DEC_FULL_TABLE, a, &m2, encode_event, &x, err);
    if (rc == GTH_OK) rc = gth_encoder_finish(&x.enc, err);
    if (rc == GTH_OK && out.failed) rc = gth_error_nomem(err);
    gth_encoder_free(&x.enc);
    gth_buf_free(&out);
    return rc;
}

static void encoder(void **state) {
    (void)state;
    long runs = 0;
    for (size_t i = 0; i < nbins; i++) {
        if (!sampled(i) && i != nbins - 1) continue;
        for (unsigned verbatim = 0; verbatim < 2; verbatim++) {
            char what[400];
            enc_case c = {&bins[i], verbatim ? GTH_ENC_VERBATIM : 0};
            snprintf(what, sizeof what, "encoder %s%s", bins[i].name, verbatim ? " verbatim" : "");
            runs += tu_inject(what, op_encode, &c, STRIDE);
        }
    }
    print_message("encoder: %ld injected failures\n", runs);
    assert_true(runs > 0);
}

/* ---- editable model ---------------------------------------------------------- */

/* Decode, index, edit (copy, move, frame copy, import from a second model)
 * and re-encode; a decoding that stops early still gives a model to edit. */
static int op_model(void *ud, const gth_allocator *a, gth_error *err) {
    const dec_case *c = ud;
    gth_model m, other;
    gth_model_init(&m, a);
    gth_model_init(&other, a);
    gth_buf out;
    gth_buf_init(&out, a);
    int rc = gth_model_decode(&m, c->in->data, c->in->len, c->flags, err);
    if (rc == GTH_ENOMEM) goto done;
    rc = gth_model_decode(&other, c->in->data, c->in->len, c->flags, err);
    if (rc == GTH_ENOMEM) goto done;
    rc = gth_error_nomem(err);
    if (gth_model_index(&m) || gth_model_index(&other)) goto done;
    if (m.nb && gth_model_copy(&m, m.b[0].hdr, m.b[0].end - m.b[0].hdr, m.nev)) goto done;
    if (m.nev > 2 && gth_model_move(&m, 1, 1, m.nev)) goto done;
    for (size_t i = 0; i < m.nev; i++) {
        if (!(m.ev[i].ev.spec->flags & GTH_F_FRAMES) || !m.ev[i].ev.nframes) continue;
        size_t at;
        if (gth_model_frames_dup(&m, m.ev[i].fr, 4 * m.ev[i].ev.nframes, &at)) goto done;
        m.ev[i].fr = at;
        break;
    }
    if (other.nb && gth_model_import(&m, 0, &other, other.b[other.nb - 1].hdr,
                                     other.b[other.nb - 1].end - other.b[other.nb - 1].hdr))
        goto done;
    if (gth_model_index(&m)) goto done;
    rc = gth_model_encode(&m, &out, m.minor, GTH_ENC_FULL_TABLE, err);
    if (rc == GTH_OK && out.failed) fail_msg("gth_model_encode: OK with a failed buffer");
done:
    gth_buf_free(&out);
    gth_model_free(&other);
    gth_model_free(&m);
    return rc;
}

static void model(void **state) {
    (void)state;
    static const unsigned flags[] = {GTH_DEC_FULL_TABLE, GTH_DEC_FLAT | GTH_MODEL_ENCODABLE,
                                     GTH_DEC_FLAT | GTH_DEC_FULL_TABLE};
    long runs = 0;
    for (size_t i = 0; i < nbins; i++) {
        if (!sampled(i) && i != nbins - 1) continue;
        for (size_t f = 0; f < 3; f++) {
            char what[400];
            dec_case c = {&bins[i], flags[f], 0};
            snprintf(what, sizeof what, "model %s flags %#x", bins[i].name, flags[f]);
            runs += tu_inject(what, op_model, &c, STRIDE);
        }
    }
    /* Cut short: decoding stops inside a batch. */
    input cut = bins[nbins - 1];
    cut.len = cut.len * 2 / 3;
    dec_case c = {&cut, GTH_DEC_FLAT | GTH_MODEL_ENCODABLE, 0};
    runs += tu_inject("model of a cut trace", op_model, &c, STRIDE);
    print_message("model: %ld injected failures\n", runs);
    assert_true(runs > 0);
}

/* ---- text reader and writer, conversions ---------------------------------- */

static int op_text_read(void *ud, const gth_allocator *a, gth_error *err) {
    const input *in = ud;
    gth_testfile tf;
    if (gth_testfile_parse(in->data, in->len, in->name, &tf, err) != GTH_OK) fail_msg("%s", err->msg);
    gth_text_reader r;
    int rc = gth_text_reader_init(&r, a, tf.trace, tf.trace_len, tf.trace_line, err);
    if (rc == GTH_READ_OK) {
        gth_raw_event ev;
        while ((rc = gth_text_reader_next(&r, &ev, err)) == GTH_READ_OK) {}
    }
    gth_text_reader_free(&r);
    return rc == GTH_READ_END ? GTH_OK : err->status;
}

typedef struct conv_case {
    const input *in;
    unsigned flags;
} conv_case;

static int op_text_to_binary(void *ud, const gth_allocator *a, gth_error *err) {
    const conv_case *c = ud;
    gth_buf out;
    gth_buf_init(&out, a);
    int rc = gth_convert_text_to_binary(c->in->data, c->in->len, c->in->name, c->flags, &out, err);
    gth_buf_free(&out);
    return rc;
}

static int op_binary_to_text(void *ud, const gth_allocator *a, gth_error *err) {
    const conv_case *c = ud;
    gth_buf out;
    gth_buf_init(&out, a);
    int rc = gth_convert_binary_to_text(c->in->data, c->in->len, c->flags, &out, err);
    gth_buf_free(&out);
    return rc;
}

/* The text writer on its own: decode, then write each event. */
static int write_event(void *ud, const gth_raw_event *ev) {
    return gth_text_write_event(ud, ev) != 0 ? GTH_ENOMEM : 0;
}

static int op_text_write(void *ud, const gth_allocator *a, gth_error *err) {
    const input *in = ud;
    gth_buf out;
    gth_buf_init(&out, a);
    unsigned minor;
    int rc = gth_header_write(&out, 26) | gth_text_write_header(&out, 26);
    if (rc == 0) rc = gth_decode_all(in->data, in->len, GTH_DEC_FLAT | GTH_DEC_FULL_TABLE, a, &minor, write_event, &out, err);
    if (rc == GTH_ENOMEM || out.failed) rc = gth_error_nomem(err);
    gth_buf_free(&out);
    return rc;
}

static int op_fuzz_file(void *ud, const gth_allocator *a, gth_error *err) {
    const input *in = ud;
    gth_buf out;
    gth_buf_init(&out, a);
    int rc = gth_convert_fuzz_file(in->data, in->len, &out, err);
    gth_buf_free(&out);
    return rc;
}

static void text_and_convert(void **state) {
    (void)state;
    long runs = 0;
    char what[400];
    for (size_t i = 0; i < ntexts; i++) {
        if (!sampled(i)) continue;
        snprintf(what, sizeof what, "text reader %s", texts[i].name);
        runs += tu_inject(what, op_text_read, &texts[i], STRIDE);
        for (unsigned verbatim = 0; verbatim < 2; verbatim++) {
            conv_case c = {&texts[i], verbatim ? GTH_ENC_VERBATIM : 0};
            snprintf(what, sizeof what, "text to binary %s flags %u", texts[i].name, c.flags);
            runs += tu_inject(what, op_text_to_binary, &c, STRIDE);
        }
    }
    for (size_t i = 0; i < nbins; i++) {
        if (!sampled(i) && i != nbins - 1) continue;
        for (unsigned flat = 0; flat < 2; flat++) {
            conv_case c = {&bins[i], flat ? GTH_DEC_FLAT : 0};
            snprintf(what, sizeof what, "binary to text %s flags %u", bins[i].name, c.flags);
            runs += tu_inject(what, op_binary_to_text, &c, STRIDE);
        }
        snprintf(what, sizeof what, "text writer %s", bins[i].name);
        runs += tu_inject(what, op_text_write, &bins[i], STRIDE);
    }
    for (size_t i = 0; i < nfuzzes; i++) {
        if (!sampled(i)) continue;
        snprintf(what, sizeof what, "fuzz file %s", fuzzes[i].name);
        runs += tu_inject(what, op_fuzz_file, &fuzzes[i], STRIDE);
    }
    print_message("text and conversions: %ld injected failures\n", runs);
    assert_true(runs > 0);
}

/* ---- .test files and expectations -------------------------------------------- */

static int op_expect(void *ud, const gth_allocator *a, gth_error *err) {
    const input *in = ud;
    gth_testfile tf;
    if (gth_testfile_parse(in->data, in->len, in->name, &tf, err) != GTH_OK) fail_msg("%s", err->msg);
    gth_expect e;
    int rc = gth_expect_parse(&e, a, tf.expect, tf.expect_len, err);
    if (rc == GTH_OK) {
        gth_buf why, file;
        gth_buf_init(&why, a);
        gth_buf_init(&file, a);
        gth_expect_check(&e, e.failure ? NULL : "some error", &why);
        gth_expect_check(&e, "an error that matches nothing", &why);
        int w = gth_testfile_write(&file, "comment\n", &e, tf.trace, tf.trace_len);
        if (why.failed || file.failed || w != 0) rc = gth_error_nomem(err);
        gth_buf_free(&why);
        gth_buf_free(&file);
    }
    gth_expect_free(&e);
    return rc;
}

static const char *const expect_texts[] = {
    "SUCCESS\n",
    "FAILURE \"bad (?i)x\"\n",
    "FAILURE \"no \\\\d+ here: [a-z]+? (?:a|b)*\"\n",
    "FAILURE not-quoted\n",
    "FAILURE\n",
    "BOGUS line with a long tail that is quoted in the message \xff\n",
};

static int op_expect_text(void *ud, const gth_allocator *a, gth_error *err) {
    const char *s = ud;
    gth_expect e;
    int rc = gth_expect_parse(&e, a, s, strlen(s), err);
    gth_expect_free(&e);
    if (rc != GTH_OK) return rc;
    rc = gth_expect_init(&e, a, "pattern (\\d+) [[:alpha:]]", err);
    if (rc == GTH_OK) {
        gth_buf b;
        gth_buf_init(&b, a);
        if (gth_expect_write(&b, &e) != 0 || b.failed) rc = gth_error_nomem(err);
        gth_buf_free(&b);
    }
    gth_expect_free(&e);
    return rc;
}

/* The regex engine directly: patterns that compile (and are then matched) and
 * one that does not. */
static int op_regex(void *ud, const gth_allocator *a, gth_error *err) {
    (void)ud;
    static const char *const pats[] = {"(?i)[[:alpha:]]+\\d{2,5}(x|y|z)*$", "\\Qa.b\\E|(?P<n>[^\\s]k)", "a(b"};
    int rc = GTH_OK;
    for (size_t i = 0; i < sizeof pats / sizeof pats[0] && rc != GTH_ENOMEM; i++) {
        gth_regex re;
        rc = gth_regex_compile(&re, a, pats[i], strlen(pats[i]), err);
        if (rc != GTH_OK) continue;
        int m = gth_regex_search(&re, "abcK12x", 7);
        gth_regex_free(&re);
        if (i == 0 && !m) rc = gth_error_set(err, GTH_EINVALID, "no match");
    }
    return rc;
}

static void testfiles(void **state) {
    (void)state;
    long runs = 0;
    char what[400];
    for (size_t i = 0; i < ntexts; i++) {
        snprintf(what, sizeof what, "expectation of %s", texts[i].name);
        runs += tu_inject(what, op_expect, &texts[i], STRIDE);
    }
    for (size_t i = 0; i < sizeof expect_texts / sizeof *expect_texts; i++) {
        snprintf(what, sizeof what, "expectation \"%s\"", expect_texts[i]);
        runs += tu_inject(what, op_expect_text, (void *)expect_texts[i], 1);
    }
    runs += tu_inject("regex", op_regex, NULL, 1);
    print_message(".test files: %ld injected failures\n", runs);
    assert_true(runs > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base_entry_points),
        cmocka_unit_test(decoder),
        cmocka_unit_test(encoder),
        cmocka_unit_test(model),
        cmocka_unit_test(text_and_convert),
        cmocka_unit_test(testfiles),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
