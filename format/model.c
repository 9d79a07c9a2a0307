/* The editable trace: decoding into owned events, the batch index, re-encoding. */
#include "format/model.h"

#include <string.h>

#include "format/decode.h"
#include "format/encode.h"
#include "spec/spec.h"

void gth_model_init(gth_model *m, const gth_allocator *a) {
    memset(m, 0, sizeof *m);
    m->a = a ? a : gth_default_allocator();
    gth_buf_init(&m->data, m->a);
}

void gth_model_free(gth_model *m) {
    gth_free(m->a, m->ev, m->evcap * sizeof *m->ev);
    gth_free(m->a, m->frames, m->frcap * sizeof *m->frames);
    gth_free(m->a, m->b, m->bcap * sizeof *m->b);
    gth_buf_free(&m->data);
    gth_model_init(m, m->a);
}

void gth_model_clear(gth_model *m) {
    m->nev = m->nfr = m->nb = m->ngen = 0;
    m->data.len = 0;
    m->data.failed = 0;
    m->minor = 0;
    m->end = 0;
}

/* ---- Decoding ------------------------------------------------------------------ */

int gth_model_frames_add(gth_model *m, const uint64_t *vals, size_t count, size_t *at) {
    if (gth_grow(m->a, (void **)&m->frames, &m->frcap, m->nfr + count + 1, sizeof *m->frames)) return -1;
    *at = m->nfr;
    if (count && vals) memcpy(m->frames + m->nfr, vals, count * sizeof *vals);
    m->nfr += count;
    return 0;
}

int gth_model_frames_dup(gth_model *m, size_t from, size_t count, size_t *at) {
    if (gth_model_frames_add(m, NULL, count, at)) return -1;
    if (count) memcpy(m->frames + *at, m->frames + from, count * sizeof *m->frames);
    return 0;
}

/* ev's frames and data into the pools; x gets their places. */
static int copy_payload(gth_model *m, gth_model_event *x, const uint64_t *frames, const uint8_t *data) {
    x->ev.frames = NULL;
    x->ev.data = NULL;
    x->fr = x->data = 0;
    if (x->ev.spec->flags & GTH_F_FRAMES && gth_model_frames_add(m, frames, x->ev.nframes * 4, &x->fr)) return -1;
    if (x->has_data) {
        x->data = m->data.len;
        if (gth_buf_append(&m->data, data, x->ev.data_len)) return -1;
    }
    return 0;
}

int gth_model_append(gth_model *m, const gth_raw_event *ev) {
    if (gth_grow(m->a, (void **)&m->ev, &m->evcap, m->nev + 1, sizeof *m->ev)) return -1;
    gth_model_event *x = &m->ev[m->nev];
    memset(x, 0, sizeof *x);
    x->ev = *ev;
    x->has_data = ev->data != NULL;
    x->batch = GTH_MODEL_NONE;
    if (copy_payload(m, x, ev->frames, ev->data)) return -1;
    m->nev++;
    return 0;
}

typedef struct decode_ud {
    gth_model *m;
    unsigned flags;
    unsigned code; /* the event that stopped decoding (GTH_MODEL_ENCODABLE) */
} decode_ud;

enum { STOP_UNENCODABLE = 1 };

static int on_event(void *ud, const gth_raw_event *ev) {
    decode_ud *d = ud;
    /* Codes in the holes of Go's 1.26 table decode but cannot be encoded. */
    if (d->flags & GTH_MODEL_ENCODABLE && (!ev->spec || !ev->spec->name || !ev->spec->name[0])) {
        d->code = ev->code;
        return STOP_UNENCODABLE;
    }
    if (gth_model_append(d->m, ev)) return GTH_ENOMEM;
    d->m->end = ev->offset + ev->len;
    return 0;
}

int gth_model_decode(gth_model *m, const void *in, size_t n, unsigned flags, gth_error *err) {
    gth_model_clear(m);
    gth_error_clear(err);
    decode_ud d = {m, flags, 0};
    unsigned minor = 0;
    int rc = gth_decode_all(in, n, flags & ~GTH_MODEL_ENCODABLE, m->a, &minor, on_event, &d, err);
    m->minor = minor;
    if (rc == GTH_OK) return GTH_OK;
    if (rc == GTH_ENOMEM) return gth_error_nomem(err);
    if (rc == STOP_UNENCODABLE) return gth_error_set(err, GTH_EINVALID, "event type %u cannot be encoded", d.code);
    return GTH_EINVALID;
}

/* ---- Index --------------------------------------------------------------------- */

static int arg_of(const gth_event_spec *s, unsigned kind) {
    for (unsigned i = 0; i < s->nargs; i++)
        if (s->args[i].kind == kind) return (int)i;
    return -1;
}

int gth_model_index(gth_model *m) {
    m->nb = 0;
    uint64_t time = 0;
    for (size_t i = 0; i < m->nev; i++) {
        gth_model_event *x = &m->ev[i];
        const gth_event_spec *s = x->ev.spec;
        if (s->where == GTH_W_BATCH) {
            if (gth_grow(m->a, (void **)&m->b, &m->bcap, m->nb + 1, sizeof *m->b)) return -1;
            if (m->nb) m->b[m->nb - 1].end = i;
            gth_model_batch *b = &m->b[m->nb++];
            memset(b, 0, sizeof *b);
            b->hdr = i;
            b->end = m->nev;
            int t = arg_of(s, GTH_K_TIME), g = arg_of(s, GTH_K_GEN), th = arg_of(s, GTH_K_THREAD);
            time = t >= 0 ? x->ev.args[t] : 0;
            if (g >= 0) b->gen_num = x->ev.args[g], b->has_gen = 1;
            if (th >= 0) b->m = x->ev.args[th], b->has_m = 1;
            if (x->ev.code == GTH_EV_EndOfGeneration && m->nb >= 2 && m->b[m->nb - 2].has_gen) {
                b->gen_num = m->b[m->nb - 2].gen_num; /* it closes the generation before it */
                b->has_gen = 1;
            }
        }
        if (s->flags & GTH_F_TIMED) time += x->ev.args[0];
        x->time = time;
        x->batch = m->nb ? m->nb - 1 : GTH_MODEL_NONE;
    }
    size_t g = 0;
    int started = 0;
    uint64_t cur = 0;
    for (size_t k = 0; k < m->nb; k++) {
        gth_model_batch *b = &m->b[k];
        const gth_raw_event *h = &m->ev[b->hdr].ev;
        if (h->code == GTH_EV_EndOfGeneration) {
            b->kind = GTH_MB_EOG;
            b->gen = g++;
            started = 0;
            continue;
        }
        if (!started) {
            started = 1;
            cur = b->gen_num;
        } else if (m->minor < 26 && b->gen_num != cur) {
            g++;
            cur = b->gen_num;
        }
        b->gen = g;
        if (h->code == GTH_EV_ExperimentalBatch) {
            b->kind = GTH_MB_EXPERIMENTAL;
            continue;
        }
        unsigned first = b->hdr + 1 < b->end ? m->ev[b->hdr + 1].ev.code : 0;
        b->kind = first == GTH_EV_Stacks                         ? GTH_MB_STACKS
                  : first == GTH_EV_Strings                      ? GTH_MB_STRINGS
                  : first == GTH_EV_CPUSamples                   ? GTH_MB_CPU
                  : (first == GTH_EV_Frequency && m->minor < 25) ? GTH_MB_SYNC
                  : (first == GTH_EV_Sync && m->minor >= 25)     ? GTH_MB_SYNC
                                                                 : GTH_MB_EVENTS;
    }
    m->ngen = g + (size_t)started;
    return 0;
}

/* ---- Encoding ------------------------------------------------------------------ */

void gth_model_raw(const gth_model *m, size_t i, gth_raw_event *out) {
    const gth_model_event *x = &m->ev[i];
    *out = x->ev;
    if (x->ev.spec->flags & GTH_F_FRAMES) out->frames = m->frames + x->fr;
    if (x->has_data) out->data = m->data.data ? m->data.data + x->data : (const uint8_t *)"";
}

int gth_model_encode(const gth_model *m, gth_buf *out, unsigned minor, unsigned flags, gth_error *err) {
    gth_encoder e;
    size_t start = out->len;
    int rc = gth_encoder_init(&e, out, minor, flags, m->a);
    for (size_t i = 0; rc == GTH_OK && i < m->nev; i++) {
        gth_raw_event ev;
        gth_model_raw(m, i, &ev);
        rc = gth_encoder_write(&e, &ev, err);
    }
    if (rc == GTH_OK) rc = gth_encoder_finish(&e, err);
    gth_encoder_free(&e);
    if (rc == GTH_OK && out->failed) rc = GTH_ENOMEM;
    if (rc == GTH_ENOMEM) rc = gth_error_nomem(err);
    if (rc != GTH_OK) out->len = start;
    return rc;
}

/* ---- Editing ------------------------------------------------------------------- */

int gth_model_insert(gth_model *m, size_t at, const gth_model_event *src, size_t count) {
    if (gth_grow(m->a, (void **)&m->ev, &m->evcap, m->nev + count, sizeof *m->ev)) return -1;
    memmove(m->ev + at + count, m->ev + at, (m->nev - at) * sizeof *m->ev);
    memcpy(m->ev + at, src, count * sizeof *src);
    m->nev += count;
    return 0;
}

void gth_model_delete(gth_model *m, size_t at, size_t count) {
    memmove(m->ev + at, m->ev + at + count, (m->nev - at - count) * sizeof *m->ev);
    m->nev -= count;
}

int gth_model_copy(gth_model *m, size_t from, size_t count, size_t to) {
    gth_model_event *tmp = gth_alloc(m->a, count * sizeof *tmp);
    if (!tmp) return -1;
    memcpy(tmp, m->ev + from, count * sizeof *tmp);
    int rc = gth_model_insert(m, to, tmp, count);
    gth_free(m->a, tmp, count * sizeof *tmp);
    return rc;
}

int gth_model_move(gth_model *m, size_t from, size_t count, size_t to) {
    if (to >= from && to <= from + count) return 0;
    /* Room first, so that a failure leaves the model as it was. */
    if (gth_grow(m->a, (void **)&m->ev, &m->evcap, m->nev + count, sizeof *m->ev)) return -1;
    gth_model_event *tmp = gth_alloc(m->a, count * sizeof *tmp);
    if (!tmp) return -1;
    memcpy(tmp, m->ev + from, count * sizeof *tmp);
    gth_model_delete(m, from, count);
    if (to > from) to -= count;
    int rc = gth_model_insert(m, to, tmp, count);
    gth_free(m->a, tmp, count * sizeof *tmp);
    return rc;
}

int gth_model_import(gth_model *m, size_t at, const gth_model *src, size_t from, size_t count) {
    for (size_t i = 0; i < count; i++) {
        gth_model_event x = src->ev[from + i];
        gth_raw_event raw;
        gth_model_raw(src, from + i, &raw);
        if (copy_payload(m, &x, raw.frames, raw.data) || gth_model_insert(m, at + i, &x, 1)) return -1;
    }
    return 0;
}
