/* The structure-aware mutator: operators over an editable trace (format/model.h). */
#include "mutate/mutator.h"

#include <string.h>

#include "base/rng.h"
#include "format/decode.h"
#include "format/encode.h"
#include "format/header.h"
#include "format/model.h"
#include "format/varint.h"
#include "spec/spec.h"

/* ---- The trace being mutated ---------------------------------------------------
 * The input decoded as Go's raw reader sees it (GTH_DEC_FLAT) into a model: a
 * flat vector of wire events (batch headers, markers, table entries, timed
 * events), batches and generations indexed over it once per mutation. */

typedef struct mtrace {
    gth_model m;
    const uint8_t *in;
    size_t n;
    int parsed;         /* header read and the model built */
    int full;           /* decoded (and encoded) with the full event table */
    unsigned minor;     /* header version */
    unsigned enc_minor; /* version to encode with (version-change) */
    size_t tail;        /* input bytes from here on did not decode; copied verbatim */
    int nomem;
    gth_rng rng;
} mtrace;

#define NONE_IDX GTH_MODEL_NONE

static size_t rnd(mtrace *t, size_t n) { return n ? (size_t)(gth_rng_next(&t->rng) % n) : 0; }

static void trace_init(mtrace *t, const gth_allocator *a, const uint8_t *in, size_t n, uint64_t seed) {
    memset(t, 0, sizeof *t);
    gth_model_init(&t->m, a);
    t->in = in;
    t->n = n;
    t->tail = n;
    gth_rng_seed(&t->rng, seed);
}

static void trace_free(mtrace *t) { gth_model_free(&t->m); }

static int is_marker(const gth_model_event *it) { return (it->ev.spec->flags & GTH_F_MARKER) != 0; }

/* One decoding attempt with the given flags; returns GTH_OK or GTH_ENOMEM. */
static int decode_items(mtrace *t, unsigned flags, size_t hlen) {
    gth_error err;
    if (gth_model_decode(&t->m, t->in, t->n, GTH_DEC_FLAT | GTH_MODEL_ENCODABLE | flags, &err) == GTH_ENOMEM)
        return GTH_ENOMEM;
    /* Stacks keep the frames as decoded. */
    for (size_t i = 0; i < t->m.nev; i++)
        if (t->m.ev[i].ev.spec->flags & GTH_F_FRAMES) t->m.ev[i].ev.args[1] = t->m.ev[i].ev.nframes;
    t->minor = t->enc_minor = t->m.minor;
    uint64_t end = t->m.nev ? t->m.end : hlen;
    t->tail = end <= t->n ? (size_t)end : t->n;
    return GTH_OK;
}

/* Decodes t->in into the model (after trace_init). GTH_OK (t->parsed says
 * whether it is a v2 trace that decodes) or GTH_ENOMEM. */
static int trace_parse(mtrace *t) {
    unsigned minor = 0;
    size_t hlen = 0, n = t->n;
    gth_error err;
    gth_error_clear(&err);
    if (gth_header_parse(t->in, n, 1, &minor, &hlen, &err) != GTH_READ_OK || !gth_version_is_v2(minor)) return GTH_OK;
    /* The version's table first (what the text format can express); Go's trace
     * reader decodes timed events with the full table, so a trace that uses
     * codes of later versions (AllocFree in 1.23) is read with it. */
    if (decode_items(t, 0, hlen)) return GTH_ENOMEM;
    if (t->tail < n) {
        size_t tail = t->tail;
        if (decode_items(t, GTH_DEC_FULL_TABLE, hlen)) return GTH_ENOMEM;
        if (t->tail > tail) t->full = 1;
        else if (decode_items(t, 0, hlen)) return GTH_ENOMEM;
    }
    if (t->tail < n) {
        /* Decoding stopped inside the last batch: that batch goes out verbatim
         * with the rest, so that its declared size stays with its bytes. */
        size_t k = t->m.nev;
        while (k > 0 && t->m.ev[k - 1].ev.spec->where != GTH_W_BATCH) k--;
        if (k > 0) {
            t->tail = (size_t)t->m.ev[k - 1].ev.offset;
            gth_model_delete(&t->m, k - 1, t->m.nev - (k - 1));
        }
    }
    if (gth_model_index(&t->m)) return GTH_ENOMEM;
    t->parsed = 1;
    return GTH_OK;
}

/* ---- Editing the event vector (out of memory: t->nomem) -------------------------- */

static int items_insert(mtrace *t, size_t at, const gth_model_event *src, size_t count) {
    return gth_model_insert(&t->m, at, src, count) ? (t->nomem = 1, -1) : 0;
}

static void items_delete(mtrace *t, size_t at, size_t count) { gth_model_delete(&t->m, at, count); }

/* Moves events [from, from+count) so that they stand before the event that is
 * now at index `to` (to <= from or to >= from+count; to == nev: at the end). */
static int items_move(mtrace *t, size_t from, size_t count, size_t to) {
    return gth_model_move(&t->m, from, count, to) ? (t->nomem = 1, -1) : 0;
}

/* Copies events [from, from+count) to before `to`. */
static int items_copy(mtrace *t, size_t from, size_t count, size_t to) {
    return gth_model_copy(&t->m, from, count, to) ? (t->nomem = 1, -1) : 0;
}

/* ---- Encoding ---------------------------------------------------------------- */

static int trace_encode(mtrace *t, gth_buf *out, gth_error *err) {
    size_t start = out->len;
    int rc = gth_model_encode(&t->m, out, t->enc_minor, t->full ? GTH_ENC_FULL_TABLE : 0, err);
    if (rc == GTH_OK && t->tail < t->n) gth_buf_append(out, t->in + t->tail, t->n - t->tail);
    if (rc == GTH_OK && out->failed) rc = gth_error_nomem(err);
    if (rc != GTH_OK) out->len = start;
    return rc;
}

/* ---- Picking ------------------------------------------------------------------ */

static int is_timed(const mtrace *t, size_t i) {
    size_t b = t->m.ev[i].batch;
    return b != NONE_IDX && t->m.b[b].kind == GTH_MB_EVENTS && (t->m.ev[i].ev.spec->flags & GTH_F_TIMED);
}

static int has_code(const mtrace *t, size_t i, unsigned code) { return t->m.ev[i].ev.code == code; }

typedef int (*pick_pred)(const mtrace *t, size_t i, size_t arg);

/* A random index in [0, n) satisfying pred, or NONE_IDX. */
static size_t pick(mtrace *t, size_t n, pick_pred pred, size_t arg) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += (size_t)(pred(t, i, arg) != 0);
    if (!count) return NONE_IDX;
    size_t k = rnd(t, count);
    for (size_t i = 0; i < n; i++)
        if (pred(t, i, arg) && k-- == 0) return i;
    return NONE_IDX;
}

/* A random item, or batch, satisfying pred. */
static size_t pick_item(mtrace *t, pick_pred pred, size_t arg) { return pick(t, t->m.nev, pred, arg); }
static size_t pick_batch(mtrace *t, pick_pred pred, size_t arg) { return pick(t, t->m.nb, pred, arg); }

static int pred_timed(const mtrace *t, size_t i, size_t arg) { return is_timed(t, i); }
static int pred_code(const mtrace *t, size_t i, size_t code) { return has_code(t, i, (unsigned)code); }
static int pred_timed_pair(const mtrace *t, size_t i, size_t arg) {
    return is_timed(t, i) && i + 1 < t->m.nev && is_timed(t, i + 1) && t->m.ev[i].batch == t->m.ev[i + 1].batch;
}
static int pred_stack_frames(const mtrace *t, size_t i, size_t arg) {
    return has_code(t, i, GTH_EV_Stack) && t->m.ev[i].ev.nframes > 0;
}

/* Number of timed events in batch k (all events of an events batch). */
static size_t batch_events(const mtrace *t, size_t k) { return t->m.b[k].end - t->m.b[k].hdr - 1; }

/* Batch kinds with entries after a marker item. */
static int has_marker(const mtrace *t, size_t k) {
    const gth_model_batch *b = &t->m.b[k];
    return b->hdr + 1 < b->end && is_marker(&t->m.ev[b->hdr + 1]);
}

static int pb_not_eog(const mtrace *t, size_t k, size_t arg) { return t->m.b[k].kind != GTH_MB_EOG; }
static int pb_eog(const mtrace *t, size_t k, size_t arg) { return t->m.b[k].kind == GTH_MB_EOG; }

/* ---- Event operators --------------------------------------------------------- */

typedef struct op_def op_def;
typedef int (*op_fn)(mtrace *t, const op_def *d);
typedef int (*bytes_fn)(mtrace *t, const op_def *d, gth_buf *out);

struct op_def {
    const char *name, *desc;
    op_fn fn;        /* semantic operators */
    bytes_fn bfn;    /* byte-level operators */
    uint32_t kinds;  /* argument operators: bit per GTH_K_* */
    int mode;
};

static int op_event_drop(mtrace *t, const op_def *d) {
    size_t i = pick_item(t, pred_timed, 0);
    if (i == NONE_IDX) return 0;
    items_delete(t, i, 1);
    return 1;
}

static int op_event_dup(mtrace *t, const op_def *d) {
    size_t i = pick_item(t, pred_timed, 0);
    if (i == NONE_IDX) return 0;
    return items_copy(t, i, 1, i + 1) ? -1 : 1;
}

static int op_event_swap(mtrace *t, const op_def *d) {
    size_t i = pick_item(t, pred_timed_pair, 0);
    if (i == NONE_IDX) return 0;
    /* The events change places; the time deltas stay where they were. */
    gth_model_event x = t->m.ev[i];
    t->m.ev[i] = t->m.ev[i + 1];
    t->m.ev[i + 1] = x;
    uint64_t dt = t->m.ev[i].ev.args[0];
    t->m.ev[i].ev.args[0] = t->m.ev[i + 1].ev.args[0];
    t->m.ev[i + 1].ev.args[0] = dt;
    return 1;
}

static int op_event_move(mtrace *t, const op_def *d) {
    size_t i = pick_item(t, pred_timed, 0);
    if (i == NONE_IDX) return 0;
    const gth_model_batch *b = &t->m.b[t->m.ev[i].batch];
    size_t nev = b->end - b->hdr - 1;
    if (nev < 2) return 0;
    /* A new place: before any item of the batch or at its end, except right
     * before or after the event itself (no move). */
    size_t to = b->hdr + 1 + rnd(t, nev - 1);
    if (to >= i) to += 2;
    return items_move(t, i, 1, to) ? -1 : 1;
}

/* Moves a random event into another events batch: of another thread in the same
 * generation (across = 0) or of another generation (across = 1). */
static int move_across(mtrace *t, int across) {
    for (int attempt = 0; attempt < 16; attempt++) {
        size_t i = pick_item(t, pred_timed, 0);
        if (i == NONE_IDX) return 0;
        const gth_model_batch *src = &t->m.b[t->m.ev[i].batch];
        uint64_t m = t->m.ev[src->hdr].ev.args[1];
        size_t count = 0, pick = NONE_IDX;
        for (int pass = 0; pass < 2; pass++) {
            size_t r = pass ? rnd(t, count) : 0;
            for (size_t k = 0; k < t->m.nb; k++) {
                const gth_model_batch *b = &t->m.b[k];
                if (b->kind != GTH_MB_EVENTS || b == src) continue;
                int ok = across ? b->gen != src->gen : b->gen == src->gen && t->m.ev[b->hdr].ev.args[1] != m;
                if (!ok) continue;
                if (!pass) count++;
                else if (r-- == 0) {
                    pick = k;
                    break;
                }
            }
            if (!count) break;
        }
        if (pick == NONE_IDX) continue;
        const gth_model_batch *dst = &t->m.b[pick];
        size_t to = dst->hdr + 1 + rnd(t, dst->end - dst->hdr);
        return items_move(t, i, 1, to) ? -1 : 1;
    }
    return 0;
}

static int op_event_move_thread(mtrace *t, const op_def *d) { return move_across(t, 0); }
static int op_event_move_gen(mtrace *t, const op_def *d) { return move_across(t, 1); }

/* ---- Argument operators -------------------------------------------------------
 * One routine for every "change an argument of kind K" operator: the kinds come
 * from the spec rows, the mode says how the value changes. */

enum { M_BUMP = 1, M_RESET, M_SWAP, M_ENUM, M_EXISTING, M_FRESH, M_DT, M_GEN, M_VALUE };

#define KB(k) (1u << (k))

static int arg_match(const mtrace *t, size_t i, unsigned a, uint32_t kinds) {
    const gth_event_spec *s = t->m.ev[i].ev.spec;
    return a < s->nargs && (kinds >> s->args[a].kind & 1u);
}

/* Ids of a kind the trace defines or uses, for M_EXISTING: stack and string
 * references draw from the ids the tables define. */
static uint32_t pool_kinds(uint32_t kinds) {
    uint32_t p = kinds;
    if (kinds & (KB(GTH_K_STACK) | KB(GTH_K_NEW_STACK))) p = KB(GTH_K_STACK_ID);
    if (kinds & KB(GTH_K_STRING)) p = KB(GTH_K_STRING_ID);
    return p;
}

typedef struct argref {
    size_t item;
    unsigned arg;
} argref;

static size_t count_args(const mtrace *t, uint32_t kinds, int nonzero) {
    size_t c = 0;
    for (size_t i = 0; i < t->m.nev; i++)
        for (unsigned a = 0; a < t->m.ev[i].ev.spec->nargs; a++)
            c += (size_t)(arg_match(t, i, a, kinds) && (!nonzero || t->m.ev[i].ev.args[a] != 0));
    return c;
}

static argref nth_arg(const mtrace *t, uint32_t kinds, int nonzero, size_t k) {
    for (size_t i = 0; i < t->m.nev; i++)
        for (unsigned a = 0; a < t->m.ev[i].ev.spec->nargs; a++)
            if (arg_match(t, i, a, kinds) && (!nonzero || t->m.ev[i].ev.args[a] != 0) && k-- == 0)
                return (argref){i, a};
    return (argref){NONE_IDX, 0};
}

/* A value of the pool other than old; returns 0 if there is none. */
static int pool_pick(mtrace *t, uint32_t pkinds, uint64_t old, uint64_t *out) {
    size_t count = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t r = pass ? rnd(t, count) : 0;
        for (size_t i = 0; i < t->m.nev; i++)
            for (unsigned a = 0; a < t->m.ev[i].ev.spec->nargs; a++) {
                if (!arg_match(t, i, a, pkinds)) continue;
                uint64_t v = t->m.ev[i].ev.args[a];
                if (v == old || v == GTH_NO_ID) continue;
                if (!pass) count++;
                else if (r-- == 0) return *out = v, 1;
            }
        if (!count) return 0;
    }
    return 0;
}

static uint64_t pool_max(const mtrace *t, uint32_t pkinds) {
    uint64_t m = 0;
    for (size_t i = 0; i < t->m.nev; i++)
        for (unsigned a = 0; a < t->m.ev[i].ev.spec->nargs; a++)
            if (arg_match(t, i, a, pkinds) && t->m.ev[i].ev.args[a] != GTH_NO_ID && t->m.ev[i].ev.args[a] > m)
                m = t->m.ev[i].ev.args[a];
    return m;
}

static int op_args(mtrace *t, const op_def *d) {
    int nonzero = d->mode == M_RESET;
    size_t count = count_args(t, d->kinds, nonzero);
    if (!count) return 0;
    argref r = nth_arg(t, d->kinds, nonzero, rnd(t, count));
    uint64_t *v = &t->m.ev[r.item].ev.args[r.arg];
    unsigned kind = t->m.ev[r.item].ev.spec->args[r.arg].kind;
    switch (d->mode) {
    case M_BUMP:
        *v += rnd(t, 4) ? 1 : 2 + rnd(t, 8);
        return 1;
    case M_RESET:
        *v = 0;
        return 1;
    case M_SWAP: {
        /* Another argument of the same kind with a different value. */
        size_t c2 = 0;
        for (int pass = 0; pass < 2; pass++) {
            size_t k = pass ? rnd(t, c2) : 0;
            for (size_t i = 0; i < t->m.nev; i++)
                for (unsigned a = 0; a < t->m.ev[i].ev.spec->nargs; a++) {
                    if (t->m.ev[i].ev.spec->args[a].kind != kind || t->m.ev[i].ev.args[a] == *v) continue;
                    if (!pass) c2++;
                    else if (k-- == 0) {
                        uint64_t x = t->m.ev[i].ev.args[a];
                        t->m.ev[i].ev.args[a] = *v;
                        *v = x;
                        return 1;
                    }
                }
            if (!c2) return 0;
        }
        return 0;
    }
    case M_ENUM: {
        unsigned n = kind == GTH_K_GSTATUS ? GTH_GS__COUNT : GTH_PS__COUNT;
        uint64_t nv = rnd(t, n + 1); /* n itself is out of range */
        if (nv == *v) nv = (nv + 1) % (n + 1);
        *v = nv;
        return 1;
    }
    case M_EXISTING: {
        uint64_t nv;
        if (!pool_pick(t, pool_kinds(d->kinds), *v, &nv)) return 0;
        *v = nv;
        return 1;
    }
    case M_FRESH: {
        uint64_t m = pool_max(t, pool_kinds(d->kinds) | d->kinds);
        *v = m + 1 + rnd(t, 4);
        return 1;
    }
    case M_DT: {
        static const uint64_t big[] = {0, 1, 1ull << 20, 1ull << 40, UINT64_MAX / 2};
        uint64_t nv = rnd(t, 2) ? big[rnd(t, sizeof big / sizeof big[0])] : *v * 2 + 1;
        if (nv == *v) nv = *v + 1;
        *v = nv;
        return 1;
    }
    case M_GEN: {
        uint64_t old = *v;
        uint64_t nv = rnd(t, 4) == 0 ? 0 : rnd(t, 2) ? old + 1 : old ? old - 1 : 2;
        if (nv == old) nv = old + 2;
        *v = nv;
        return 1;
    }
    case M_VALUE: {
        uint64_t nv = rnd(t, 3) == 0 ? 0 : rnd(t, 2) ? 1 : (gth_rng_next(&t->rng) & 0xffffffffu);
        if (nv == *v) nv = *v + 1;
        *v = nv;
        return 1;
    }
    }
    return 0;
}

/* ---- Table operators ---------------------------------------------------------- */

static int op_entry_drop(mtrace *t, const op_def *d) {
    size_t i = pick_item(t, pred_code, (size_t)d->mode);
    if (i == NONE_IDX) return 0;
    items_delete(t, i, 1);
    return 1;
}

static int op_entry_dup(mtrace *t, const op_def *d) {
    size_t i = pick_item(t, pred_code, (size_t)d->mode);
    if (i == NONE_IDX) return 0;
    return items_copy(t, i, 1, i + 1) ? -1 : 1;
}

static int op_frame_drop(mtrace *t, const op_def *d) {
    size_t i = pick_item(t, pred_stack_frames, 0);
    if (i == NONE_IDX) return 0;
    gth_model_event *it = &t->m.ev[i];
    size_t nf = it->ev.nframes, k = rnd(t, nf), at;
    /* A copy without frame k (the original may be shared by a duplicate). */
    if (gth_model_frames_dup(&t->m, it->fr, nf * 4, &at)) return t->nomem = 1, -1;
    memmove(t->m.frames + at + k * 4, t->m.frames + at + (k + 1) * 4, (nf - k - 1) * 4 * sizeof *t->m.frames);
    it->fr = at;
    it->ev.nframes = nf - 1;
    it->ev.args[1] = nf - 1;
    return 1;
}

static int op_frame_string(mtrace *t, const op_def *d) {
    size_t i = pick_item(t, pred_stack_frames, 0);
    if (i == NONE_IDX) return 0;
    gth_model_event *it = &t->m.ev[i];
    size_t nf = it->ev.nframes, k = rnd(t, nf), at;
    size_t field = 1 + rnd(t, 2); /* func or file string id */
    uint64_t old = t->m.frames[it->fr + k * 4 + field], nv;
    if (rnd(t, 2) || !pool_pick(t, KB(GTH_K_STRING_ID), old, &nv)) nv = pool_max(t, KB(GTH_K_STRING_ID)) + 1 + rnd(t, 4);
    if (gth_model_frames_dup(&t->m, it->fr, nf * 4, &at)) return t->nomem = 1, -1;
    t->m.frames[at + k * 4 + field] = nv;
    it->fr = at;
    return 1;
}

/* ---- Batch and generation operators -------------------------------------------- */

static int op_batch_drop(mtrace *t, const op_def *d) {
    size_t k = pick_batch(t, pb_not_eog, 0);
    if (k == NONE_IDX) return 0;
    items_delete(t, t->m.b[k].hdr, t->m.b[k].end - t->m.b[k].hdr);
    return 1;
}

static int op_batch_dup(mtrace *t, const op_def *d) {
    size_t k = pick_batch(t, pb_not_eog, 0);
    if (k == NONE_IDX) return 0;
    return items_copy(t, t->m.b[k].hdr, t->m.b[k].end - t->m.b[k].hdr, t->m.b[k].end) ? -1 : 1;
}

static int pb_gen_has_other(const mtrace *t, size_t k, size_t arg) {
    if (t->m.b[k].kind == GTH_MB_EOG) return 0;
    for (size_t j = 0; j < t->m.nb; j++)
        if (j != k && t->m.b[j].gen == t->m.b[k].gen && t->m.b[j].kind != GTH_MB_EOG) return 1;
    return 0;
}

static int pb_other_in_gen(const mtrace *t, size_t j, size_t k) {
    return j != k && t->m.b[j].gen == t->m.b[k].gen && t->m.b[j].kind != GTH_MB_EOG;
}

static int op_batch_reorder(mtrace *t, const op_def *d) {
    size_t k = pick_batch(t, pb_gen_has_other, 0);
    if (k == NONE_IDX) return 0;
    size_t j = pick_batch(t, pb_other_in_gen, k);
    if (j == NONE_IDX) return 0;
    const gth_model_batch *x = &t->m.b[k], *y = &t->m.b[j];
    /* x takes y's place: before y if y comes first, after it otherwise. */
    return items_move(t, x->hdr, x->end - x->hdr, j < k ? y->hdr : y->end) ? -1 : 1;
}

static int pb_splittable(const mtrace *t, size_t k, size_t arg) {
    int kind = t->m.b[k].kind;
    if (kind == GTH_MB_EVENTS) return batch_events(t, k) >= 2;
    if (kind == GTH_MB_STACKS || kind == GTH_MB_STRINGS || kind == GTH_MB_CPU)
        return has_marker(t, k) && batch_events(t, k) >= 3;
    return 0;
}

static int op_batch_split(mtrace *t, const op_def *d) {
    size_t k = pick_batch(t, pb_splittable, 0);
    if (k == NONE_IDX) return 0;
    const gth_model_batch *b = &t->m.b[k];
    int marker = has_marker(t, k);
    size_t first = b->hdr + 1 + (size_t)marker, nent = b->end - first;
    size_t at = first + 1 + rnd(t, nent - 1); /* the second batch starts here */
    gth_model_event add[2];
    size_t nadd = 0;
    add[nadd] = t->m.ev[b->hdr];
    if (b->kind == GTH_MB_EVENTS) {
        /* The second half's base time is where the first half ended. */
        uint64_t time = add[0].ev.args[2];
        for (size_t i = first; i < at; i++) time += t->m.ev[i].ev.args[0];
        add[0].ev.args[2] = time;
    }
    nadd++;
    if (marker) add[nadd++] = t->m.ev[b->hdr + 1];
    return items_insert(t, at, add, nadd) ? -1 : 1;
}

static uint64_t item_size(const mtrace *t, size_t i) {
    gth_raw_event ev;
    gth_model_raw(&t->m, i, &ev);
    return gth_event_encoded_size(ev.spec, &ev);
}

static int pb_mergeable(const mtrace *t, size_t k, size_t arg) {
    int kind = t->m.b[k].kind;
    if (kind == GTH_MB_EOG || kind == GTH_MB_EXPERIMENTAL) return 0;
    for (size_t j = k + 1; j < t->m.nb && t->m.b[j].gen == t->m.b[k].gen; j++)
        if (t->m.b[j].kind == kind) return 1;
    return 0;
}

static int op_batch_merge(mtrace *t, const op_def *d) {
    size_t k = pick_batch(t, pb_mergeable, 0);
    if (k == NONE_IDX) return 0;
    const gth_model_batch *x = &t->m.b[k];
    uint64_t m = t->m.ev[x->hdr].ev.args[1];
    size_t y = NONE_IDX;
    /* The next batch of the same kind in the generation, of the same thread if any. */
    for (size_t j = k + 1; j < t->m.nb && t->m.b[j].gen == x->gen; j++)
        if (t->m.b[j].kind == x->kind) {
            if (y == NONE_IDX) y = j;
            if (t->m.ev[t->m.b[j].hdr].ev.args[1] == m) {
                y = j;
                break;
            }
        }
    if (y == NONE_IDX) return 0;
    const gth_model_batch *yb = &t->m.b[y];
    size_t skip = 1 + (size_t)has_marker(t, y);
    size_t from = yb->hdr + skip, count = yb->end - from;
    /* The merged batch must still fit Go's batch size limit. */
    uint64_t size = 0;
    for (size_t i = x->hdr + 1; i < x->end; i++) size += item_size(t, i);
    for (size_t i = from; i < yb->end; i++) size += item_size(t, i);
    if (size > GTH_MAX_BATCH_SIZE) return 0;
    if (x->kind == GTH_MB_EVENTS && count) {
        uint64_t end = t->m.ev[x->hdr].ev.args[2];
        for (size_t i = x->hdr + 1; i < x->end; i++) end += t->m.ev[i].ev.args[0];
        uint64_t ytime = t->m.ev[yb->hdr].ev.args[2];
        if (ytime > end) t->m.ev[from].ev.args[0] += ytime - end;
    }
    size_t xend = x->end, yhdr = yb->hdr;
    if (count && items_move(t, from, count, xend)) return -1;
    /* y's header (and marker) now sit where y's contents began, shifted by count. */
    items_delete(t, yhdr + count, skip);
    return 1;
}

static int op_gen_drop(mtrace *t, const op_def *d) {
    if (!t->m.ngen) return 0;
    size_t g = rnd(t, t->m.ngen), lo = NONE_IDX, hi = 0;
    for (size_t k = 0; k < t->m.nb; k++)
        if (t->m.b[k].gen == g) {
            if (lo == NONE_IDX) lo = t->m.b[k].hdr;
            hi = t->m.b[k].end;
        }
    if (lo == NONE_IDX) return 0;
    items_delete(t, lo, hi - lo);
    return 1;
}

static int op_gen_swap(mtrace *t, const op_def *d) {
    if (t->m.ngen < 2) return 0;
    size_t g = rnd(t, t->m.ngen - 1);
    size_t lo = NONE_IDX, mid = NONE_IDX, hi = 0;
    for (size_t k = 0; k < t->m.nb; k++) {
        if (t->m.b[k].gen == g && lo == NONE_IDX) lo = t->m.b[k].hdr;
        if (t->m.b[k].gen == g + 1) {
            if (mid == NONE_IDX) mid = t->m.b[k].hdr;
            hi = t->m.b[k].end;
        }
    }
    if (lo == NONE_IDX || mid == NONE_IDX) return 0;
    return items_move(t, mid, hi - mid, lo) ? -1 : 1;
}

static int op_eog_drop(mtrace *t, const op_def *d) {
    size_t k = pick_batch(t, pb_eog, 0);
    if (k == NONE_IDX) return 0;
    items_delete(t, t->m.b[k].hdr, 1);
    return 1;
}

static int op_eog_insert(mtrace *t, const op_def *d) {
    const gth_event_spec *s = gth_spec_lookup(t->minor, GTH_EV_EndOfGeneration);
    if (!s || !t->m.nb) return 0;
    size_t k = rnd(t, t->m.nb + 1);
    size_t at = k < t->m.nb ? t->m.b[k].hdr : t->m.nev;
    gth_model_event eog;
    memset(&eog, 0, sizeof eog);
    eog.ev.code = GTH_EV_EndOfGeneration;
    eog.ev.spec = s;
    eog.ev.offset = eog.ev.batch_offset = GTH_NO_OFFSET;
    return items_insert(t, at, &eog, 1) ? -1 : 1;
}

static int op_version(mtrace *t, const op_def *d) {
    const unsigned *v;
    size_t nv = gth_versions_v2(&v);
    if (nv < 2) return 0;
    size_t k = rnd(t, nv - 1);
    size_t cur = 0;
    while (cur < nv && v[cur] != t->minor) cur++;
    if (cur < nv && k >= cur) k++;
    t->enc_minor = v[k % nv];
    /* Every code must exist in the new version's table (for timed events read
     * with the full table, in the full table). */
    for (size_t i = 0; i < t->m.nev; i++)
        if (!(t->full && (t->m.ev[i].ev.spec->flags & GTH_F_TIMED) ? gth_spec_event(t->m.ev[i].ev.code)
                                                                : gth_spec_lookup(t->enc_minor, t->m.ev[i].ev.code))) {
            t->enc_minor = t->minor;
            return 0;
        }
    return 1;
}

/* ---- Byte-level operators ------------------------------------------------------- */

static int op_truncate(mtrace *t, const op_def *d, gth_buf *out) {
    if (t->n < 2) return 0;
    size_t cut;
    if (t->parsed && t->m.nev && rnd(t, 2)) {
        cut = (size_t)t->m.ev[rnd(t, t->m.nev)].ev.offset; /* at an event boundary */
        if (cut == 0 || cut >= t->n) cut = t->n / 2;
    } else {
        size_t lo = t->n > 17 && rnd(t, 8) ? 16 : 1;
        cut = lo + rnd(t, t->n - lo);
    }
    gth_buf_append(out, t->in, cut);
    return 1;
}

static int pred_varint(const mtrace *t, size_t i, size_t arg) {
    const gth_model_event *it = &t->m.ev[i];
    unsigned first = it->ev.code == GTH_EV_ExperimentalBatch; /* its exp id is a raw byte */
    return it->ev.offset != GTH_NO_OFFSET && it->ev.spec->nargs > first;
}

static int op_varint(mtrace *t, const op_def *d, gth_buf *out) {
    if (!t->parsed) return 0;
    size_t i = pick_item(t, pred_varint, 0);
    if (i == NONE_IDX) return 0;
    const gth_model_event *it = &t->m.ev[i];
    unsigned first = it->ev.code == GTH_EV_ExperimentalBatch;
    unsigned k = first + (unsigned)rnd(t, it->ev.spec->nargs - first);
    size_t pos = (size_t)it->ev.offset + 1;
    for (unsigned a = 0; a < k + 1; a++) {
        if (a == 0 && first) {
            pos++;
            continue;
        }
        uint64_t x;
        int len = pos < t->n ? gth_uvarint(t->in + pos, t->n - pos, &x) : 0;
        if (len <= 0) return 0;
        if (a == k) {
            uint8_t rep[GTH_UVARINT_MAX + 2];
            size_t rn = 0;
            switch (rnd(t, 4)) {
            case 0: /* overflows 64 bits */
                while (rn < GTH_UVARINT_MAX - 1) rep[rn++] = 0xff;
                rep[rn++] = 0x02;
                break;
            case 1: /* runs on into the next byte */
                memcpy(rep, t->in + pos, (size_t)len);
                rn = (size_t)len;
                rep[rn - 1] |= 0x80;
                break;
            case 2: /* the same value, not minimal: one byte longer */
                memcpy(rep, t->in + pos, (size_t)len);
                rn = (size_t)len;
                if (rn < GTH_UVARINT_MAX) {
                    rep[rn - 1] |= 0x80;
                    rep[rn++] = 0;
                } else {
                    rep[rn - 1] = 0xff;
                }
                break;
            default: /* 2^64-1 */
                while (rn < GTH_UVARINT_MAX - 1) rep[rn++] = 0xff;
                rep[rn++] = 0x01;
                break;
            }
            gth_buf_append(out, t->in, pos);
            gth_buf_append(out, rep, rn);
            gth_buf_append(out, t->in + pos + (size_t)len, t->n - pos - (size_t)len);
            return 1;
        }
        pos += (size_t)len;
    }
    return 0;
}

static size_t byte_pos(mtrace *t) { return t->n > 16 && rnd(t, 8) ? 16 + rnd(t, t->n - 16) : rnd(t, t->n); }

static int op_byte_flip(mtrace *t, const op_def *d, gth_buf *out) {
    if (!t->n) return 0;
    size_t at = byte_pos(t);
    size_t start = out->len;
    gth_buf_append(out, t->in, t->n);
    if (out->failed) return -1;
    out->data[start + at] ^= (uint8_t)(1u << rnd(t, 8));
    return 1;
}

static int op_byte_set(mtrace *t, const op_def *d, gth_buf *out) {
    static const uint8_t interesting[] = {0, 1, 2, 0x7f, 0x80, 0xff, GTH_EV_EventBatch, GTH_EV_ExperimentalBatch,
                                          GTH_EV_EndOfGeneration, GTH_EV_Sync, GTH_EV_Frequency};
    if (!t->n) return 0;
    size_t at = byte_pos(t);
    uint8_t v = rnd(t, 2) ? interesting[rnd(t, sizeof interesting)] : (uint8_t)rnd(t, 137);
    if (v == t->in[at]) v = (uint8_t)(v + 1);
    size_t start = out->len;
    gth_buf_append(out, t->in, t->n);
    if (out->failed) return -1;
    out->data[start + at] = v;
    return 1;
}

/* ---- The operator list ------------------------------------------------------------ */

#define ARGOP(name, desc, kinds, mode) {name, desc, op_args, NULL, kinds, mode}
#define SEQ (KB(GTH_K_GSEQ) | KB(GTH_K_PSEQ) | KB(GTH_K_GCSEQ))
#define STK (KB(GTH_K_STACK) | KB(GTH_K_NEW_STACK))

static const op_def ops[] = {
    {"event-drop", "drop one timed event", op_event_drop, NULL, 0, 0},
    {"event-dup", "duplicate one timed event in place", op_event_dup, NULL, 0, 0},
    {"event-swap", "swap two adjacent events of a batch (time deltas stay in place)", op_event_swap, NULL, 0, 0},
    {"event-move", "move an event elsewhere in its batch", op_event_move, NULL, 0, 0},
    {"event-move-thread", "move an event into another thread's batch of the same generation", op_event_move_thread,
     NULL, 0, 0},
    {"event-move-gen", "move an event into a batch of another generation", op_event_move_gen, NULL, 0, 0},
    ARGOP("event-dt", "change one timestamp delta (0, doubled, huge)", KB(GTH_K_DT), M_DT),
    ARGOP("seq-bump", "increase a goroutine, proc or GC sequence number", SEQ, M_BUMP),
    ARGOP("seq-reset", "set a nonzero sequence number to 0", SEQ, M_RESET),
    ARGOP("seq-swap", "swap the values of two sequence numbers of the same kind", SEQ, M_SWAP),
    ARGOP("gstatus-change", "change a goroutine status (out of range included)", KB(GTH_K_GSTATUS), M_ENUM),
    ARGOP("pstatus-change", "change a proc status (out of range included)", KB(GTH_K_PSTATUS), M_ENUM),
    ARGOP("goroutine-id-existing", "change a goroutine id to another one the trace uses", KB(GTH_K_GOROUTINE),
          M_EXISTING),
    ARGOP("goroutine-id-fresh", "change a goroutine id to one the trace never uses", KB(GTH_K_GOROUTINE), M_FRESH),
    ARGOP("proc-id-existing", "change a proc id to another one the trace uses", KB(GTH_K_PROC), M_EXISTING),
    ARGOP("proc-id-fresh", "change a proc id to one the trace never uses", KB(GTH_K_PROC), M_FRESH),
    ARGOP("thread-id-existing", "change a thread id (batch header, GoStatus, ProcSteal) to another used one",
          KB(GTH_K_THREAD), M_EXISTING),
    ARGOP("thread-id-fresh", "change a thread id to one the trace never uses", KB(GTH_K_THREAD), M_FRESH),
    ARGOP("stack-id-existing", "change an event's stack id to another id of the stack table", STK, M_EXISTING),
    ARGOP("stack-id-fresh", "change an event's stack id to one no table defines", STK, M_FRESH),
    ARGOP("string-id-existing", "change an event's string id to another id of the string table", KB(GTH_K_STRING),
          M_EXISTING),
    ARGOP("string-id-fresh", "change an event's string id to one no table defines", KB(GTH_K_STRING), M_FRESH),
    ARGOP("task-id-existing", "change a user task id to another one the trace uses", KB(GTH_K_TASK), M_EXISTING),
    ARGOP("task-id-fresh", "change a user task id to one the trace never uses", KB(GTH_K_TASK), M_FRESH),
    ARGOP("batch-gen", "change a batch's generation number (+1, -1, 0)", KB(GTH_K_GEN), M_GEN),
    ARGOP("freq-change", "change the tick frequency (0, 1, random)", KB(GTH_K_FREQ), M_VALUE),
    {"string-drop", "drop a string table entry", op_entry_drop, NULL, 0, GTH_EV_String},
    {"string-dup", "duplicate a string table entry (same id twice)", op_entry_dup, NULL, 0, GTH_EV_String},
    {"stack-drop", "drop a stack table entry", op_entry_drop, NULL, 0, GTH_EV_Stack},
    {"stack-dup", "duplicate a stack table entry (same id twice)", op_entry_dup, NULL, 0, GTH_EV_Stack},
    {"stack-frame-drop", "drop one frame of a stack table entry", op_frame_drop, NULL, 0, 0},
    {"frame-string-id", "change a frame's func or file string id (existing or fresh)", op_frame_string, NULL, 0, 0},
    {"batch-drop", "drop a whole batch", op_batch_drop, NULL, 0, 0},
    {"batch-dup", "duplicate a batch right after itself", op_batch_dup, NULL, 0, 0},
    {"batch-reorder", "move a batch to another place in its generation", op_batch_reorder, NULL, 0, 0},
    {"batch-split", "split a batch in two (event batches keep their times)", op_batch_split, NULL, 0, 0},
    {"batch-merge", "merge a batch into an earlier one of the same kind and generation", op_batch_merge, NULL, 0,
     0},
    {"gen-drop", "drop a whole generation", op_gen_drop, NULL, 0, 0},
    {"gen-swap", "swap two adjacent generations", op_gen_swap, NULL, 0, 0},
    {"eog-drop", "drop an EndOfGeneration marker (1.26)", op_eog_drop, NULL, 0, 0},
    {"eog-insert", "insert an EndOfGeneration marker at a batch boundary (1.26)", op_eog_insert, NULL, 0, 0},
    {"version-change", "re-encode under another version's header", op_version, NULL, 0, 0},
    {"truncate", "cut the trace short (at an event boundary or any byte)", NULL, op_truncate, 0, 0},
    {"varint-corrupt", "corrupt one varint: overflow, unterminated, non-minimal or 2^64-1", NULL, op_varint, 0, 0},
    {"byte-flip", "flip one bit of one byte", NULL, op_byte_flip, 0, 0},
    {"byte-set", "set one byte to an interesting value", NULL, op_byte_set, 0, 0},
};

#define NOPS (sizeof ops / sizeof ops[0])

size_t gth_mutator_count(void) { return NOPS; }
const char *gth_mutator_name(int op) { return op >= 0 && (size_t)op < NOPS ? ops[op].name : NULL; }
const char *gth_mutator_desc(int op) { return op >= 0 && (size_t)op < NOPS ? ops[op].desc : NULL; }
int gth_mutator_kind(int op) {
    return op >= 0 && (size_t)op < NOPS ? (ops[op].fn ? GTH_MUT_SEMANTIC : GTH_MUT_BYTES) : 0;
}

int gth_mutator_find(const char *name) {
    for (size_t i = 0; i < NOPS; i++)
        if (!strcmp(ops[i].name, name)) return (int)i;
    return -1;
}

/* Applies ops[op] to t into out: 1 applied, 0 not applicable, -1 out of memory. */
static int apply(mtrace *t, int op, gth_buf *out, gth_error *err) {
    const op_def *d = &ops[op];
    if (d->bfn) {
        size_t start = out->len;
        int r = d->bfn(t, d, out);
        if (r <= 0 || out->failed) out->len = start;
        return out->failed ? -1 : r;
    }
    if (!t->parsed) return 0;
    /* Operators that return 0 have changed nothing, so the next one can work on
     * the same model. One that applied but cannot be encoded has: read the input
     * again (the random stream goes on where it was). */
    t->nomem = 0;
    int r = d->fn(t, d);
    if (r > 0 && !t->nomem) {
        int rc = trace_encode(t, out, err);
        if (rc == GTH_ENOMEM) {
            r = -1;
        } else if (rc != GTH_OK) {
            gth_rng rng = t->rng;
            const gth_allocator *a = t->m.a;
            const uint8_t *in = t->in;
            size_t n = t->n;
            trace_free(t);
            trace_init(t, a, in, n, 0);
            if (trace_parse(t) != GTH_OK) return -1;
            t->rng = rng;
            r = 0;
        }
    }
    return t->nomem ? -1 : r;
}

int gth_mutate_buf(const gth_allocator *a, const uint8_t *in, size_t n, uint64_t seed, int op, gth_buf *out,
                   int *op_applied, gth_error *err) {
    if (!a) a = gth_default_allocator();
    gth_error_clear(err);
    if (op_applied) *op_applied = -1;
    if (op >= (int)NOPS || op < -1) return gth_error_set(err, GTH_EUSAGE, "no operator with id %d", op);
    size_t start = out->len;
    if (n == 0) {
        return gth_error_set(err, GTH_EINVALID, "empty input: nothing to mutate");
    }
    mtrace t;
    trace_init(&t, a, in, n, seed);
    int rc = trace_parse(&t);
    if (rc != GTH_OK) {
        trace_free(&t);
        return gth_error_nomem(err);
    }
    int done = -1, r = 0, parsed = t.parsed;
    if (op >= 0) {
        r = apply(&t, op, out, err);
        if (r > 0) done = op;
    } else {
        /* Random operators until one applies; byte-level ones always do. */
        for (int attempt = 0; attempt < 3 * (int)NOPS && r == 0; attempt++) {
            int k = (int)rnd(&t, NOPS);
            if (!t.parsed && ops[k].fn) continue;
            r = apply(&t, k, out, err);
            if (r > 0) done = k;
        }
        if (r == 0) {
            int k = gth_mutator_find("byte-flip");
            r = apply(&t, k, out, err);
            if (r > 0) done = k;
        }
    }
    trace_free(&t);
    if (r < 0) {
        out->len = start;
        return gth_error_nomem(err);
    }
    if (done < 0) {
        out->len = start;
        gth_buf_append(out, in, n);
        gth_error_set(err, GTH_EINVALID, "operator %s does not apply to this input%s", ops[op >= 0 ? op : 0].name,
                      parsed || ops[op >= 0 ? op : 0].bfn ? "" : " (it does not decode as a v2 trace)");
        return out->failed ? gth_error_nomem(err) : GTH_EINVALID;
    }
    if (op_applied) *op_applied = done;
    gth_error_clear(err);
    return GTH_OK;
}

size_t gth_mutate(const uint8_t *in, size_t n, uint8_t *out, size_t cap, uint64_t seed, int op, int *op_applied,
                  gth_error *err) {
    gth_error local;
    if (!err) err = &local;
    gth_buf b;
    gth_buf_init(&b, NULL);
    int applied = -1;
    int rc = gth_mutate_buf(NULL, in, n, seed, op, &b, &applied, err);
    size_t len;
    if (rc == GTH_OK) {
        len = b.len < cap ? b.len : cap;
        if (len) memcpy(out, b.data, len);
    } else {
        applied = -1;
        len = n < cap ? n : cap;
        if (len && out != in) memmove(out, in, len);
    }
    gth_buf_free(&b);
    if (op_applied) *op_applied = applied;
    return len;
}

/* ---- Crossover ---------------------------------------------------------------------- */

int gth_mutate_crossover(const gth_allocator *a, const uint8_t *in1, size_t n1, const uint8_t *in2, size_t n2,
                         uint64_t seed, gth_buf *out, gth_error *err) {
    if (!a) a = gth_default_allocator();
    gth_error_clear(err);
    if (!n1 || !n2) {
        gth_buf_append(out, in1, n1);
        return gth_error_set(err, GTH_EINVALID, "empty input: nothing to cross");
    }
    mtrace x, y;
    trace_init(&x, a, in1, n1, seed);
    trace_init(&y, a, in2, n2, seed ^ 0x5bd1e995u);
    int rc = trace_parse(&x);
    if (rc == GTH_OK) rc = trace_parse(&y);
    if (rc != GTH_OK) goto done;
    size_t start = out->len;
    int spliced = 0;
    if (x.parsed && y.parsed && x.minor == y.minor && x.m.nb && y.m.nb) {
        size_t k = pick_batch(&y, pb_not_eog, 0);
        if (k != NONE_IDX) {
            size_t at = x.m.b[rnd(&x, x.m.nb)].hdr, from = y.m.b[k].hdr, count = y.m.b[k].end - from;
            x.full |= y.full;
            /* The batch, its frames and data copied into x. */
            if (gth_model_import(&x.m, at, &y.m, from, count)) rc = GTH_ENOMEM;
            if (rc == GTH_OK) {
                rc = trace_encode(&x, out, err);
                spliced = rc == GTH_OK;
                if (rc == GTH_EINVALID) rc = GTH_OK;
            }
        }
    }
    if (rc == GTH_OK && !spliced) {
        /* Bytes: a prefix of one, a suffix of the other. */
        out->len = start;
        size_t i = 1 + rnd(&x, n1), j = rnd(&x, n2);
        gth_buf_append(out, in1, i);
        gth_buf_append(out, in2 + j, n2 - j);
    }
done:
    trace_free(&x);
    trace_free(&y);
    if (rc == GTH_OK && out->failed) rc = GTH_ENOMEM;
    return rc == GTH_OK ? GTH_OK : gth_error_nomem(err);
}
