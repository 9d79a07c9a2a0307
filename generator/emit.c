/*
 * The emitter: model events -> raw events -> per-M batches -> output.
 *
 * Every event is built from its spec row: the argument kinds of the row decide
 * which model field goes where (gx_specs_init), and format/encode.h writes the
 * bytes. Per-M payloads are kept encoded, as the runtime keeps its per-M
 * buffers; a full or finished batch gets its EventBatch header (also encoded
 * from the spec) and goes to the output, directly or through the shuffle window.
 */
#include <stdarg.h>
#include <string.h>

#include "format/header.h"
#include "generator/internal.h"

void gx_fail(gx *x, int status, const char *fmt, ...) {
    if (x->status != GTH_OK) return;
    x->status = status;
    va_list ap;
    va_start(ap, fmt);
    gth_error_vset(x->err, status, fmt, ap);
    va_end(ap);
}

static unsigned kind_field(unsigned kind, unsigned occ) {
    switch (kind) {
    case GTH_K_DT: return F_DT;
    case GTH_K_TIME: return F_TIME;
    case GTH_K_GEN: return F_GEN;
    case GTH_K_SIZE: return F_SIZE;
    case GTH_K_EXPERIMENT: return F_EXP;
    case GTH_K_THREAD: return F_M;
    case GTH_K_PROC: return F_P;
    case GTH_K_GOROUTINE: return F_G;
    case GTH_K_GSEQ:
    case GTH_K_PSEQ:
    case GTH_K_GCSEQ: return F_SEQ;
    case GTH_K_GSTATUS:
    case GTH_K_PSTATUS: return F_STATUS;
    case GTH_K_STACK: return F_STACK;
    case GTH_K_NEW_STACK: return F_NEWSTACK;
    case GTH_K_STRING: return occ ? F_STR1 : F_STR0;
    case GTH_K_TASK: return occ ? F_TASK1 : F_TASK0;
    case GTH_K_FREQ: return F_V0;
    case GTH_K_VALUE: return occ >= 2 ? F_V2 : occ ? F_V1 : F_V0;
    case GTH_K_STACK_ID:
    case GTH_K_STRING_ID: return F_ID;
    case GTH_K_COUNT: return F_COUNT;
    default: return F__N;
    }
}

int gx_specs_init(gx *x) {
    for (unsigned code = 0; code < GTH_NUM_CODES; code++) {
        const gth_event_spec *s = gth_spec_lookup(x->ver, code);
        /* AllocFree events are on the wire from 1.23 on but only in the 1.26
         * raw table: take the full table's row for the binary output. */
        if (!s && x->allocfree_events) {
            const gth_event_spec *full = gth_spec_event(code);
            if (full && full->experiment == GTH_EXP_ALLOCFREE) s = full;
        }
        x->ev[code].spec = s;
        if (!s) continue;
        unsigned occ[GTH_K__COUNT] = {0};
        for (unsigned i = 0; i < s->nargs; i++) {
            unsigned k = s->args[i].kind;
            unsigned f = kind_field(k, k < GTH_K__COUNT ? occ[k]++ : 0);
            if (f >= F__N) {
                gx_fail(x, GTH_EINTERNAL, "generator: no model field for argument %s of %s", s->args[i].name,
                        s->name);
                return x->status;
            }
            x->ev[code].slot[i] = (uint8_t)f;
        }
    }
    return GTH_OK;
}

static void build(const gx_evinfo *e, unsigned code, const uint64_t *f, gth_raw_event *ev) {
    ev->code = (uint8_t)code;
    ev->spec = e->spec;
    for (unsigned i = 0; i < e->spec->nargs; i++) ev->args[i] = f[e->slot[i]];
    ev->data = NULL;
    ev->data_len = 0;
    ev->frames = NULL;
    ev->nframes = 0;
}

static const gx_evinfo *info(gx *x, unsigned code) {
    const gx_evinfo *e = &x->ev[code];
    if (!e->spec) {
        gx_fail(x, GTH_EINTERNAL, "generator: event code %u is not in the go 1.%u table", code, x->ver);
        return NULL;
    }
    return e;
}

uint64_t gx_global_time(gx *x) {
    uint64_t now = x->now * x->tick_k;
    uint64_t t = now > x->gclock ? now : x->gclock + 1;
    x->gclock = t;
    return t;
}

/* ---- Output -------------------------------------------------------------- */

static void sink_bytes(gx *x, const uint8_t *p, size_t n) {
    if (x->status != GTH_OK || n == 0) return;
    x->st->bytes += n;
    if (x->sink(x->ud, p, n) != 0) gx_fail(x, GTH_EIO, "generator: output sink failed");
}

/* Text output: the binary stream goes through the decoder and the text writer,
 * so text and binary outputs are the same trace. Called at batch boundaries. */
static void to_text(gx *x, int final) {
    if (!x->dec_init) {
        gth_decoder_init(&x->dec, x->a, 0, 0);
        x->dec_init = 1;
    }
    uint64_t start = gth_decoder_offset(&x->dec);
    gth_decoder_feed(&x->dec, x->out.len ? x->out.data : (const uint8_t *)"", x->out.len, final);
    gth_error e;
    gth_error_clear(&e);
    if (!x->dec_header) {
        int rc = gth_decoder_header(&x->dec, &e);
        if (rc == GTH_READ_MORE && !final) return;
        if (rc != GTH_READ_OK) {
            gx_fail(x, e.status == GTH_ENOMEM ? GTH_ENOMEM : GTH_EINTERNAL,
                    "generator: own output does not decode: %s", e.msg);
            return;
        }
        x->dec_header = 1;
        gth_text_write_header(&x->txt, x->ver);
    }
    for (;;) {
        gth_raw_event ev;
        int rc = gth_decoder_next(&x->dec, &ev, &e);
        if (rc == GTH_READ_OK) {
            if (gth_text_write_event(&x->txt, &ev) != 0) {
                gx_fail(x, GTH_ENOMEM, "out of memory");
                return;
            }
            continue;
        }
        if (rc == GTH_READ_MORE || rc == GTH_READ_END) break;
        gx_fail(x, e.status == GTH_ENOMEM ? GTH_ENOMEM : GTH_EINTERNAL,
                "generator: own output does not decode at offset %llu: %s",
                (unsigned long long)e.offset, e.msg);
        return;
    }
    if (gth_decoder_offset(&x->dec) != start + x->out.len) {
        gx_fail(x, GTH_EINTERNAL, "generator: output chunk does not end at a batch boundary");
        return;
    }
}

void gx_output(gx *x, int final) {
    if (x->out.failed) gx_fail(x, GTH_ENOMEM, "out of memory");
    if (x->status != GTH_OK) return;
    if (!x->text) {
        sink_bytes(x, x->out.data, x->out.len);
        x->out.len = 0;
        return;
    }
    to_text(x, final);
    if (x->txt.failed) gx_fail(x, GTH_ENOMEM, "out of memory");
    x->out.len = 0;
    sink_bytes(x, x->txt.data, x->txt.len);
    x->txt.len = 0;
}

static void out_item(gx *x, const uint8_t *hdr, size_t hdrlen, gth_buf *body) {
    gth_buf_append(&x->out, hdr, hdrlen);
    gth_buf_append(&x->out, body->data, body->len);
    body->len = 0;
    if (x->out.len >= (1u << 20)) gx_output(x, 0);
}

/* Emits the window entry that is first for its key among entries at or after
 * a random position's key, keeping per-M order. */
static void win_emit_one(gx *x) {
    unsigned i = gth_rng_below(&x->rng, x->win_n);
    int64_t key = x->win[i].key;
    if (key >= 0)
        for (unsigned j = 0; j < i; j++)
            if (x->win[j].key == key) {
                i = j;
                break;
            }
    if (i != 0) gx_count(x, GTH_TR_BATCH_SHUFFLED);
    gx_item it = x->win[i];
    out_item(x, it.hdr, it.hdrlen, &it.body);
    memmove(&x->win[i], &x->win[i + 1], (x->win_n - i - 1) * sizeof *x->win);
    x->win_n--;
    x->win[x->win_n] = it; /* keep its (empty) buffer for reuse */
}

/* Takes the batch: header bytes and payload (swapped out of *body). */
static void put_batch(gx *x, int64_t key, const uint8_t *hdr, size_t hdrlen, gth_buf *body) {
    x->st->batches++;
    if (x->win_cap == 0) {
        out_item(x, hdr, hdrlen, body);
        return;
    }
    gx_item *it = &x->win[x->win_n++];
    it->key = key;
    memcpy(it->hdr, hdr, hdrlen);
    it->hdrlen = (uint8_t)hdrlen;
    gth_buf tmp = it->body;
    it->body = *body;
    *body = tmp;
    body->len = 0;
    if (x->win_n > x->win_cap) win_emit_one(x);
}

void gx_drain_window(gx *x) {
    while (x->win_n) win_emit_one(x);
}

static void batch_header(gx *x, uint64_t m, uint64_t time, uint64_t size, uint8_t hdr[48], size_t *hdrlen) {
    uint64_t f[F__N];
    *hdrlen = 0;
    f[F_GEN] = x->gen;
    f[F_M] = m;
    f[F_TIME] = time;
    f[F_SIZE] = size;
    const gx_evinfo *e = info(x, GTH_EV_EventBatch);
    if (!e) return;
    gth_raw_event ev;
    build(e, GTH_EV_EventBatch, f, &ev);
    /* A header is at most 1 + 4 * 10 bytes: encode straight into hdr (the
     * buffer never grows, so nothing is allocated). */
    gth_buf b = {hdr, 0, 48, x->a, 0};
    gth_event_append(&b, e->spec, &ev, 0);
    *hdrlen = b.len;
    x->st->codes[GTH_EV_EventBatch]++;
}

/* ---- Per-M batches --------------------------------------------------------- */

void gx_flush_m(gx *x, gm *m) {
    if (!m->open) return;
    m->open = 0;
    if (m->buf.failed) {
        gx_fail(x, GTH_ENOMEM, "out of memory");
        return;
    }
    uint8_t hdr[48];
    size_t hl;
    batch_header(x, m->id, m->batch_time, m->buf.len, hdr, &hl);
    /* Batches of one M keep their order; the NoThread status batches too. */
    int64_t key = m == &x->nothread ? (int64_t)x->nm : (int64_t)(m - x->ms);
    put_batch(x, key, hdr, hl, &m->buf);
}

static void open_m(gx *x, gm *m, uint64_t t) {
    /* The runtime stamps a new buffer when it takes it: a little before the
     * event, and after anything this M wrote before. */
    uint64_t back = 1 + gth_rng_below(&x->rng, (uint32_t)x->tick_k);
    uint64_t b = t > back ? t - back : 0;
    if (b <= m->last) b = m->last + 1;
    m->batch_time = b;
    m->last = b;
    m->open = 1;
}

/* Smallest t >= v with t % k == res. */
static inline uint64_t align_up(uint64_t v, uint64_t k, uint64_t res) {
    return v + (res + k - v % k) % k;
}

void gx_emit(gx *x, gm *m, unsigned code, uint64_t *f) {
    const gx_evinfo *e = info(x, code);
    if (!e) return;
    if (m->open && m->buf.len + GX_MAX_EVENT > x->batch_cap) {
        gx_flush_m(x, m);
        gx_count(x, GTH_TR_BATCH_SPLIT);
    }
    /* Event times: model time (plus this M's skew) in units of tick_k ticks,
     * and this M's own residue. No two Ms ever write the same time, so Go's
     * reader never meets a tie between cursors (its fallback after a failed
     * head skips index 0 of the re-sorted frontier; with a tie there, a
     * cursor that could advance is never tried). */
    uint64_t skew = x->skew_on ? m->skew : 0;
    uint64_t t = (x->now + skew) * x->tick_k + m->res;
    if (!m->open) open_m(x, m, t);
    if (t <= m->last) {
        /* A burst on one M: its clock runs ahead, and the model's clock follows,
         * so that recorded times minus skew never run ahead of model order. */
        t = align_up(m->last + 1, x->tick_k, m->res);
        uint64_t u = t / x->tick_k - skew;
        if (u > x->now) x->now = u;
    }
    f[F_DT] = t - m->last;
    m->last = t;
    gth_raw_event ev;
    build(e, code, f, &ev);
    gth_event_append(&m->buf, e->spec, &ev, 0);
    x->st->codes[code]++;
    x->st->events++;
    x->gen_events++;
}

/* ---- Structural batches --------------------------------------------------- */

void gx_emit_raw(gx *x, gth_buf *b, unsigned code, const uint64_t *f, const void *data, size_t data_len,
                 const uint64_t *frames, size_t nframes) {
    const gx_evinfo *e = info(x, code);
    if (!e) return;
    gth_raw_event ev;
    build(e, code, f, &ev);
    if (e->spec->flags & GTH_F_DATA) {
        ev.data = data_len ? data : (const uint8_t *)"";
        ev.data_len = data_len;
    }
    if (e->spec->flags & GTH_F_FRAMES) {
        ev.frames = frames;
        ev.nframes = nframes;
    }
    gth_event_append(b, e->spec, &ev, 0);
    x->st->codes[code]++;
    if (!(e->spec->flags & GTH_F_MARKER)) x->st->events++;
}

void gx_put_global(gx *x, gth_buf *b, uint64_t time) {
    if (b->failed) { /* even when nothing could be written to it */
        gx_fail(x, GTH_ENOMEM, "out of memory");
        return;
    }
    if (b->len == 0) return;
    uint8_t hdr[48];
    size_t hl;
    batch_header(x, GTH_NO_ID, time ? time : gx_global_time(x), b->len, hdr, &hl);
    put_batch(x, -(++x->next_key), hdr, hl, b);
}

void gx_put_experimental(gx *x, const void *data, size_t len) {
    const gx_evinfo *e = info(x, GTH_EV_ExperimentalBatch);
    if (!e) return;
    uint64_t f[F__N];
    f[F_EXP] = GTH_EXP_ALLOCFREE;
    f[F_GEN] = x->gen;
    f[F_M] = GTH_NO_ID;
    f[F_TIME] = gx_global_time(x);
    gth_raw_event ev;
    build(e, GTH_EV_ExperimentalBatch, f, &ev);
    ev.data = data;
    ev.data_len = len;
    gth_buf b;
    gth_buf_init(&b, x->a);
    /* exp_byte: the experiment id is the one raw byte Go's reader reads. */
    if (gth_event_append(&b, e->spec, &ev, 1) != 0) {
        gx_fail(x, GTH_ENOMEM, "out of memory");
        gth_buf_free(&b);
        return;
    }
    x->st->codes[GTH_EV_ExperimentalBatch]++;
    put_batch(x, -(++x->next_key), (const uint8_t *)"", 0, &b);
    gth_buf_free(&b);
}

void gx_put_marker(gx *x, unsigned code) {
    const gx_evinfo *e = info(x, code);
    if (!e) return;
    uint64_t f[F__N] = {0};
    gth_raw_event ev;
    build(e, code, f, &ev);
    gth_event_append(&x->out, e->spec, &ev, 0);
    x->st->codes[code]++;
}
