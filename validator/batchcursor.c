/*
 * Batch cursors: a thread's batches of the current generation, one timed event
 * ahead. Events are decoded lazily, when the ordering engine asks for the
 * thread's next one, as Go does, so that the first error Go would meet is the
 * one reported.
 */
#include <string.h>

#include "format/varint.h"
#include "validator/internal.h"

void gth_cursor_step_table(uint8_t nargs[256]) {
    for (unsigned code = 0; code < 256; code++) {
        const gth_event_spec *spec = gth_spec_event(code);
        int inline_ok = spec && (spec->flags & GTH_F_TIMED) && spec->nargs >= 1 && spec->nargs <= 5;
        nargs[code] = inline_ok ? spec->nargs : 0;
    }
}

int gth_cursor_load(vcursor *c, const vgen *g, vin *in, int32_t bi, gth_error *err) {
    c->batch = bi;
    c->last_ts = 0;
    c->ev_index = 0;
    if (bi < 0) return 0;
    const vbatch *b = &g->batches[bi];
    c->data_off = b->off;
    c->pos = 0;
    c->end = b->size;
    if (!in->seekable) {
        c->data = in->buf + (size_t)(b->off - in->base);
        return 0;
    }
    /* pread may return less than asked (as read may): read on until full. */
    for (size_t got = 0; got < b->size;) {
        long n = in->src.pread(in->src.ud, c->own + got, b->size - got, b->off + got, err);
        if (n <= 0) {
            if (n == 0) gth_error_set(err, GTH_EIO, "read error: input ended before its size");
            err->offset = b->off;
            return -1;
        }
        got += (size_t)n;
    }
    c->data = c->own;
    return 0;
}

int gth_cursor_next(vcursor *c, const vgen *g, vin *in, gth_error *err) {
    while (c->batch >= 0 && c->pos >= c->end)
        if (gth_cursor_load(c, g, in, g->batches[c->batch].next, err) != 0) return -1;
    if (c->batch < 0) return 0;
    const vbatch *b = &g->batches[c->batch];
    if (c->last_ts == 0) c->last_ts = gth_ticks_to_ns(g->freq, b->time);
    const uint8_t *p = c->data;
    size_t pos = c->pos, end = c->end;
    uint8_t code = p[pos];
    uint64_t at = c->data_off + pos;
    const gth_event_spec *spec = gth_spec_event(code);
    int inv = 0;
    if (code >= GTH_NUM_CODES) {
        inv = GTH_INV_EVENT_TYPE;
        gth_error_set(err, GTH_EINVALID, "found invalid event type: %u", code);
    } else if (!spec || !(spec->flags & GTH_F_TIMED)) {
        inv = GTH_INV_EVENT_UNTIMED;
        gth_error_set(err, GTH_EINVALID, "found event without a timestamp: type=%u", code);
    } else {
        pos++;
        uint64_t dt;
        int n = gth_uvarint(p + pos, end - pos, &dt);
        if (n <= 0) {
            inv = GTH_INV_EVENT_TIMESTAMP_VARINT;
            gth_error_set(err, GTH_EINVALID, "found invalid uvarint for timestamp");
        } else {
            pos += (size_t)n;
            uint64_t args[4] = {0, 0, 0, 0};
            for (unsigned i = 0; i + 1 < spec->nargs; i++) {
                /* One-byte arguments (most of them) skip the general decoder. */
                if (pos < end && p[pos] < 0x80) {
                    args[i] = p[pos++];
                    continue;
                }
                n = gth_uvarint(p + pos, end - pos, &args[i]);
                if (n <= 0) {
                    inv = GTH_INV_EVENT_ARG_VARINT;
                    gth_error_set(err, GTH_EINVALID, "found invalid uvarint");
                    break;
                }
                pos += (size_t)n;
            }
            if (!inv) {
                memcpy(c->ev_args, args, sizeof args);
                c->ev_code = code;
                c->ev_off = at;
                c->ev_time = (int64_t)((uint64_t)gth_ticks_to_ns(g->freq, dt) + (uint64_t)c->last_ts);
                c->last_ts = c->ev_time;
                c->pos = pos;
                c->ev_index++;
                return 1;
            }
        }
    }
    err->inv = inv;
    err->offset = at;
    err->gen = g->gen;
    err->m = c->m;
    err->batch = c->batch;
    err->event = c->ev_index;
    return -1;
}
