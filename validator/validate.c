/* The validation pipeline and its one entry point (validator/validate.h). */
#include "validator/validate.h"

#include <string.h>

#include "spec/invariants.h"
#include "validator/stream.h"
#include "validator/testtrace.h"

/* ---- The pipeline --------------------------------------------------------------------- */

int gth_validate_run(gth_reader *r, const gth_run_opts *o, uint64_t *nevents, gth_error *err) {
    return gth_validate_run_at(r, o, NULL, nevents, err);
}

/* Hands the lines gathered in blk to emit_block; -1 when it refuses them. */
static int flush_block(const gth_run_opts *o, gth_buf *blk, uint64_t *nlines) {
    int rc = 0;
    if (*nlines && o->emit_block(o->ud, blk->data, blk->len, *nlines)) rc = -1;
    blk->len = 0;
    *nlines = 0;
    return rc;
}

int gth_validate_run_at(gth_reader *r, const gth_run_opts *o, gth_buf *event, uint64_t *nevents, gth_error *err) {
    const gth_allocator *a = gth_reader_allocator(r);
    gth_testtrace *t = NULL;
    int rc = GTH_OK;
    uint64_t n = 0;
    /* Block output: line gathers whole lines; the current event's is
     * line.data[cur..line.len - 1) (without its newline). */
    int blocks = !o->emit && o->emit_block;
    uint64_t nblock = 0;
    size_t cur = 0;
    gth_buf line;
    gth_buf_init(&line, a);
    gth_stream st;
    gth_stream_init(&st, a);
    gth_error_clear(err);
    if (o->profile == GTH_PROFILE_VALIDATE || o->profile == GTH_PROFILE_STRICT) {
        t = gth_testtrace_new(a, gth_reader_version(r));
        if (!t) {
            rc = gth_error_nomem(err);
            goto out;
        }
    }
    /* Without output or strict checker, an event the validator's common case
     * passes needs no view: the API cannot panic on it (gth_testtrace_fast
     * takes no such event) and its lookups are of strings the reader checked.
     * Otherwise the common case only spares gth_testtrace_event. With the
     * strict checker, an event its common case also takes (gth_strict_fast,
     * which changes nothing) needs no view either. */
    int lean = t && !o->emit && !blocks && !o->strict;
    gth_strict *lean_strict = t && !o->emit && !blocks ? o->strict : NULL;
    gth_event ev;
    gth_view v;
    for (;;) {
        int k = gth_reader_next(r, &ev, err);
        if (k == 0) break;
        if (k < 0) {
            rc = err->status ? err->status : GTH_EINTERNAL;
            break;
        }
        /* The parser profile without output only needs the API's panics. */
        if (t || o->emit || blocks || gth_view_can_panic(&ev)) {
            if (lean ? gth_testtrace_fast(t, &ev)
                     : lean_strict && gth_strict_fast(lean_strict, &ev) && gth_testtrace_fast(t, &ev)) {
                n++; /* a run of common events, to the next other one */
                k = lean ? gth_testtrace_next(t, r, &ev, err, &n) : gth_strict_next(lean_strict, t, r, &ev, err, &n);
                if (k == 0) break;
                if (k < 0) {
                    rc = err->status ? err->status : GTH_EINTERNAL;
                    break;
                }
            }
            if ((rc = gth_view_make_fast(r, &ev, &v, err)) != GTH_OK) break;
        }
        if (blocks) {
            if (line.len >= GTH_STREAM_BLOCK && flush_block(o, &line, &nblock)) {
                rc = gth_error_set(err, GTH_EIO, "write error");
                break;
            }
            cur = line.len;
            if (gth_stream_line_nl(&st, &line, &v) != 0) {
                rc = gth_error_nomem(err);
                break;
            }
            nblock++;
        } else if (o->emit) {
            line.len = 0;
            if (gth_stream_line(&st, &line, &v) != 0) {
                rc = gth_error_nomem(err);
                break;
            }
            if (o->emit(o->ud, line.data, line.len)) {
                rc = gth_error_set(err, GTH_EIO, "write error");
                break;
            }
        }
        n++;
        if (t && (lean || !gth_testtrace_fast(t, &ev)) && (rc = gth_testtrace_event(t, &v, err)) != GTH_OK) {
            if (event && rc == GTH_EINVALID) {
                event->len = 0;
                if (blocks) {
                    gth_buf_append(event, line.data + cur, line.len - cur - 1);
                } else {
                    if (!o->emit) {
                        line.len = 0;
                        gth_stream_line(NULL, &line, &v);
                    }
                    gth_buf_append(event, line.data, line.len);
                }
            }
            if (blocks && flush_block(o, &line, &nblock) && rc == GTH_EINVALID) {
                rc = gth_error_set(err, GTH_EIO, "write error");
                break;
            }
            if (o->message && rc == GTH_EINVALID) {
                size_t len;
                const char *msg = gth_testtrace_message(t, &len);
                o->message->len = 0;
                gth_buf_append(o->message, msg, len);
            }
            goto out;
        }
        if (o->strict && !gth_strict_fast(o->strict, &ev) && gth_strict_event(o->strict, &v) != GTH_OK) {
            rc = gth_error_nomem(err);
            break;
        }
    }
    if (blocks && flush_block(o, &line, &nblock) && (rc == GTH_OK || rc == GTH_EINVALID))
        rc = gth_error_set(err, GTH_EIO, "write error");
    if (o->strict && rc == GTH_OK) rc = gth_strict_finish(o->strict, err, event);
    if (o->message && rc != GTH_OK) {
        o->message->len = 0;
        gth_buf_append(o->message, err->msg, gth_error_len(err));
    }
out:
    /* The strict checker running out of memory is reported even when another
     * profile's finding comes first (it tells whether it did by finishing). */
    if (o->strict && rc == GTH_EINVALID) {
        gth_error se;
        gth_buf sb;
        gth_buf_init(&sb, a);
        if (gth_strict_finish(o->strict, &se, &sb) == GTH_ENOMEM) rc = gth_error_nomem(err);
        gth_buf_free(&sb);
    }
    /* A finding is only reported whole: a message or event text cut short by
     * memory makes the run an out-of-memory failure. */
    if (rc == GTH_EINVALID && ((o->message && o->message->failed) || (event && (event->failed || line.failed))))
        rc = gth_error_nomem(err);
    if (nevents) *nevents = n;
    gth_testtrace_free(t);
    gth_stream_free(&st);
    gth_buf_free(&line);
    return rc;
}

/* ---- The entry point ------------------------------------------------------------------- */

int gth_validate(gth_source src, int profile, const gth_validate_opts *o, gth_validate_result *res) {
    static const gth_validate_opts none;
    if (!o) o = &none;
    memset(res, 0, sizeof *res);
    gth_error_clear(&res->err);
    res->stage = GTH_VALIDATE_SETUP;
    gth_strict *strict = NULL;
    if (profile == GTH_PROFILE_STRICT) { /* the strict checker sees the bytes as read */
        if (!(strict = gth_strict_new(o->alloc))) return res->status = gth_error_nomem(&res->err);
        if (o->producer) gth_strict_set_producer(strict, o->producer);
        src = gth_strict_source(strict, src);
    }
    res->stage = GTH_VALIDATE_HEADER;
    gth_reader *r = gth_reader_new(o->alloc, src, &res->err);
    if (!r) {
        res->status = res->err.status;
        if (o->message) gth_buf_append(o->message, res->err.msg, gth_error_len(&res->err));
    } else {
        res->stage = GTH_VALIDATE_EVENTS;
        gth_run_opts ro = {.profile = profile,
                           .emit = o->emit,
                           .emit_block = o->emit_block,
                           .ud = o->ud,
                           .message = o->message,
                           .strict = strict};
        res->status = gth_validate_run_at(r, &ro, o->event, &res->nevents, &res->err);
        if (o->stats) gth_reader_stats_get(r, o->stats);
        gth_reader_free(r);
    }
    gth_strict_free(strict);
    return res->status;
}

int gth_validate_mem(const void *data, size_t len, int profile, const gth_validate_opts *o, gth_validate_result *res) {
    gth_mem_source ms;
    return gth_validate(gth_source_mem(&ms, data, len), profile, o, res);
}
