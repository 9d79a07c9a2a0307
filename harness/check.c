/* One trace file checked as gth validate checks it (harness/check.h). */
#include "harness/check.h"

#include <string.h>

#include "format/header.h"
#include "harness/files.h"
#include "spec/invariants.h"
#include "validator/validate.h"

/* A source that keeps the first bytes it reads: the header, for the version. */
typedef struct peek_src {
    gth_source inner;
    uint8_t head[256];
    size_t head_len;
} peek_src;

static void keep_head(peek_src *s, const uint8_t *buf, long n, uint64_t off) {
    if (n <= 0 || off != s->head_len || s->head_len == sizeof s->head) return;
    size_t k = sizeof s->head - s->head_len;
    if ((size_t)n < k) k = (size_t)n;
    memcpy(s->head + s->head_len, buf, k);
    s->head_len += k;
}

static long peek_read(void *ud, uint8_t *buf, size_t n, gth_error *err) {
    peek_src *s = ud;
    long r = s->inner.read(s->inner.ud, buf, n, err);
    keep_head(s, buf, r, s->head_len);
    return r;
}

static long peek_pread(void *ud, uint8_t *buf, size_t n, uint64_t off, gth_error *err) {
    peek_src *s = ud;
    long r = s->inner.pread(s->inner.ud, buf, n, off, err);
    keep_head(s, buf, r, off);
    return r;
}

typedef struct watched {
    gth_progress p;
    uint64_t done;
} watched;

static void watch(void *ud, uint64_t done, uint64_t total) {
    watched *w = ud;
    w->p.total = total; /* the file's size (0 for a pipe) */
    w->done = done;
    gth_progress_update(&w->p, done, NULL);
}

const char *gth_check_text(gth_buf *b, const char *fallback) {
    if (b->failed || !b->len) return fallback;
    gth_buf_putc(b, 0);
    b->len--;
    return b->failed ? fallback : (const char *)b->data;
}

/* Profile parser over the file again: the reader's own finding, if any. */
static void find_cause(const char *path, gth_check_result *res) {
    char why[512];
    gth_io_in *in = gth_io_in_open(path, why, sizeof why);
    if (!in) return;
    gth_validate_opts vo = {.message = &res->cause_message};
    gth_validate_result vr;
    if (gth_validate(gth_io_in_source(in), GTH_PROFILE_PARSER, &vo, &vr) == GTH_EINVALID) {
        res->have_cause = 1;
        res->cause = vr.err;
    }
    gth_io_in_close(in);
}

int gth_check_file(const char *path, const gth_check_opts *o, gth_check_result *res) {
    memset(res, 0, sizeof *res);
    gth_error_clear(&res->err);
    gth_error_clear(&res->cause);
    gth_buf_init(&res->message, NULL);
    gth_buf_init(&res->event, NULL);
    gth_buf_init(&res->cause_message, NULL);
    char why[sizeof res->err.msg];
    gth_io_in *in = gth_io_in_open(path, why, sizeof why);
    if (!in) {
        gth_error_set(&res->err, GTH_EIO, "%s", why);
        return res->status = GTH_EIO;
    }
    res->gzip = gth_io_in_is_gzip(in);
    watched prog = {.done = 0};
    gth_progress_start(&prog.p, o->progress, -1, o->progress_what ? o->progress_what : "gth", "bytes", 0);
    peek_src ps = {.inner = gth_io_in_source(in)};
    gth_source src = {peek_read, &ps, ps.inner.pread ? peek_pread : NULL, ps.inner.size};
    if (o->progress) gth_io_in_watch(in, watch, &prog);
    gth_validate_opts vo = {.emit = o->emit, .emit_block = o->emit_block, .ud = o->ud, .message = &res->message,
                            .event = &res->event,
                            .stats = &res->stats, .producer = o->producer};
    gth_validate_result vr;
    res->status = gth_validate(src, o->profile, &vo, &vr);
    gth_progress_finish(&prog.p, prog.done);
    gth_io_in_close(in);
    res->err = vr.err;
    res->nevents = vr.nevents;
    res->setup_failed = vr.stage == GTH_VALIDATE_SETUP;
    res->have_stats = vr.stage == GTH_VALIDATE_EVENTS;
    unsigned minor;
    size_t hlen;
    gth_error herr;
    if (gth_header_parse(ps.head, ps.head_len, 1, &minor, &hlen, &herr) == GTH_READ_OK) res->minor = minor;
    if (res->status == GTH_EINVALID && o->profile != GTH_PROFILE_PARSER && !gth_io_is_std(path)) {
        const gth_invariant *inv = gth_invariant_get((unsigned)res->err.inv);
        if (inv && inv->profile != GTH_PROFILE_PARSER) find_cause(path, res);
    }
    return res->status;
}

void gth_check_result_free(gth_check_result *res) {
    gth_buf_free(&res->message);
    gth_buf_free(&res->event);
    gth_buf_free(&res->cause_message);
}
