/* The trace minimiser: delta debugging over a decoded, re-encodable trace. */
#include "reduce/reduce.h"

#include <stdlib.h>
#include <string.h>

#include "format/decode.h"
#include "format/encode.h"
#include "spec/spec.h"
#include "validator/reader.h"

/* One wire item of the input, owned (data and frames copied out). */
typedef struct rev {
    const gth_event_spec *spec;
    uint64_t args[GTH_MAX_ARGS];
    uint64_t abs;        /* timed events: absolute time (batch time plus deltas) */
    size_t data_off, data_len, data_full;
    size_t fr_first, nframes; /* frames fr[4*fr_first ..], as atoms after the events */
    int64_t g, p;        /* context from the reader, -1 unknown */
    uint64_t newseq;     /* its sequence number in the current candidate */
    int8_t seq_arg;      /* argument renumbered (GSEQ/PSEQ), -1 none */
    uint32_t unit;
    uint8_t code, has_data, marker;
} rev;

/* A batch-level unit: a batch header and what follows it up to the next one. */
typedef struct runit {
    int64_t hdr;        /* index of the header event, -1 for events before any */
    uint32_t first, end; /* its other events */
    uint64_t gen, m;
    uint8_t has_gen, has_m;
} runit;

/* Items of one level: item i removes atoms[start[i] .. start[i+1]). */
typedef struct items {
    uint32_t *start, *atoms;
    size_t n, ncap, na, acap;
} items;

typedef struct red {
    const gth_reduce_opts *o;
    gth_reduce_stats *st;
    gth_error *err;
    unsigned minor;
    unsigned dec_flags;
    int bytes_mode;
    const uint8_t *input;
    size_t input_len;
    /* The model. */
    rev *ev;
    size_t nev, evcap;
    runit *u;
    size_t nu, ucap;
    gth_buf blob;
    uint64_t *fr;
    size_t nfr, frcap; /* frames (4 values each) */
    /* Atoms: units, then events, then frames (structured); bytes (bytes mode). */
    uint8_t *keep;
    size_t natoms;
    uint32_t *undo;
    size_t nundo, undocap;
    /* Candidates. */
    gth_buf cand;
    uint64_t *scratch; /* frames of the Stack being encoded */
    size_t scratch_cap;
    /* Sequence-numbered events by (generation, resource, number): removing one
     * renumbers the later ones of its resource, so that the rest stays
     * consecutive as Go's ordering requires. */
    uint32_t *seqord;
    uint8_t *seqstart;
    size_t nseq;
    const char *phase;
    uint64_t cur_events, cur_bytes;
    int stop;
    int oom;
} red;

/* ---- Decoding the input into the model --------------------------------------- */

static int arg_of(const gth_event_spec *s, unsigned kind) {
    for (unsigned i = 0; i < s->nargs; i++)
        if (s->args[i].kind == kind) return (int)i;
    return -1;
}

static int grow(void **p, size_t *cap, size_t need, size_t size) {
    return gth_grow(gth_default_allocator(), p, cap, need, size);
}

static int add_unit(red *r, int64_t hdr) {
    if (grow((void **)&r->u, &r->ucap, r->nu + 1, sizeof *r->u)) return -1;
    runit *u = &r->u[r->nu++];
    memset(u, 0, sizeof *u);
    u->hdr = hdr;
    u->first = u->end = (uint32_t)r->nev;
    return 0;
}

typedef struct dec_state {
    red *r;
    uint64_t prev; /* running time of the current unit */
} dec_state;

static int on_raw(void *ud, const gth_raw_event *e) {
    dec_state *ds = ud;
    red *r = ds->r;
    const gth_event_spec *s = e->spec;
    if (grow((void **)&r->ev, &r->evcap, r->nev + 1, sizeof *r->ev)) return GTH_ENOMEM;
    rev *x = &r->ev[r->nev];
    memset(x, 0, sizeof *x);
    x->spec = s;
    x->code = e->code;
    x->g = x->p = -1;
    x->seq_arg = -1;
    memcpy(x->args, e->args, sizeof x->args);
    x->marker = (s->flags & GTH_F_MARKER) != 0;
    if (e->data) {
        x->has_data = 1;
        x->data_off = r->blob.len;
        x->data_len = x->data_full = e->data_len;
        if (gth_buf_append(&r->blob, e->data, e->data_len)) return GTH_ENOMEM;
    }
    x->fr_first = r->nfr;
    x->nframes = e->nframes;
    if (e->nframes) {
        if (grow((void **)&r->fr, &r->frcap, 4 * (r->nfr + e->nframes), sizeof *r->fr)) return GTH_ENOMEM;
        memcpy(r->fr + 4 * r->nfr, e->frames, 4 * e->nframes * sizeof *r->fr);
        r->nfr += e->nframes;
    }
    if (s->where == GTH_W_BATCH || r->nu == 0) {
        if (add_unit(r, s->where == GTH_W_BATCH ? (int64_t)r->nev : -1)) return GTH_ENOMEM;
        runit *u = &r->u[r->nu - 1];
        int t = arg_of(s, GTH_K_TIME), gi = arg_of(s, GTH_K_GEN), mi = arg_of(s, GTH_K_THREAD);
        ds->prev = s->where == GTH_W_BATCH && t >= 0 ? e->args[t] : 0;
        if (s->where == GTH_W_BATCH && gi >= 0) u->gen = e->args[gi], u->has_gen = 1;
        if (s->where == GTH_W_BATCH && mi >= 0) u->m = e->args[mi], u->has_m = 1;
        if (s->code == GTH_EV_EndOfGeneration && r->nu >= 2 && r->u[r->nu - 2].has_gen) {
            u->gen = r->u[r->nu - 2].gen; /* closes the generation before it */
            u->has_gen = 1;
        }
        u->first = (uint32_t)r->nev + (s->where == GTH_W_BATCH);
    }
    if (s->flags & GTH_F_TIMED) ds->prev += e->args[0];
    x->abs = ds->prev;
    x->unit = (uint32_t)(r->nu - 1);
    r->u[r->nu - 1].end = (uint32_t)r->nev + 1;
    r->nev++;
    return 0;
}

static void model_reset(red *r) {
    r->nev = r->nu = r->nfr = 0;
    r->blob.len = 0;
}

/* Decodes the input by batches, else flat. 0, or -1 if neither decodes. */
static int model_load(red *r) {
    static const unsigned modes[2] = {GTH_DEC_FULL_TABLE | GTH_DEC_NO_STRING_LIMIT,
                                      GTH_DEC_FULL_TABLE | GTH_DEC_FLAT};
    for (int k = 0; k < 2; k++) {
        model_reset(r);
        dec_state ds = {r, 0};
        gth_error e;
        unsigned minor = 0;
        int rc = gth_decode_all(r->input, r->input_len, modes[k], NULL, &minor, on_raw, &ds, &e);
        if (rc == GTH_ENOMEM) return r->oom = 1, -1;
        if (rc == GTH_OK) {
            r->minor = minor;
            r->dec_flags = modes[k];
            return 0;
        }
    }
    return -1;
}

/* ---- Encoding a candidate ------------------------------------------------------- */

#define UNIT_ATOM(i) (i)
#define EV_ATOM(r, i) ((r)->nu + (i))
#define FR_ATOM(r, i) ((r)->nu + (r)->nev + (i))

static int write_ev(red *r, gth_encoder *enc, size_t i, uint64_t *prev, uint64_t *count) {
    const rev *x = &r->ev[i];
    gth_raw_event e;
    memset(&e, 0, sizeof e);
    e.code = x->code;
    e.spec = x->spec;
    memcpy(e.args, x->args, sizeof e.args);
    if (x->seq_arg >= 0) e.args[x->seq_arg] = x->newseq;
    if (x->spec->flags & GTH_F_TIMED) {
        e.args[0] = x->abs - *prev;
        *prev = x->abs;
    }
    if (x->has_data) {
        e.data = r->blob.data ? r->blob.data + x->data_off : (const uint8_t *)"";
        e.data_len = x->data_len;
    }
    if (x->nframes) {
        if (grow((void **)&r->scratch, &r->scratch_cap, 4 * x->nframes, sizeof *r->scratch)) return GTH_ENOMEM;
        size_t k = 0;
        for (size_t f = 0; f < x->nframes; f++)
            if (r->keep[FR_ATOM(r, x->fr_first + f)]) memcpy(r->scratch + 4 * k++, r->fr + 4 * (x->fr_first + f), 4 * sizeof *r->fr);
        e.frames = r->scratch;
        e.nframes = k;
        e.args[1] -= x->nframes - k; /* the count as it was, less what was removed */
    }
    gth_error err;
    (*count)++;
    return gth_encoder_write(enc, &e, &err);
}

/* The current candidate into out; *events receives its raw event count. */
static int encode(red *r, gth_buf *out, uint64_t *events) {
    out->len = 0;
    out->failed = 0;
    *events = 0;
    if (r->bytes_mode) {
        for (size_t i = 0; i < r->natoms; i++)
            if (r->keep[i]) gth_buf_putc(out, r->input[i]);
        return out->failed ? GTH_ENOMEM : GTH_OK;
    }
    uint64_t removed = 0;
    for (size_t k = 0; k < r->nseq; k++) {
        rev *x = &r->ev[r->seqord[k]];
        if (r->seqstart[k]) removed = 0;
        if (r->keep[UNIT_ATOM(x->unit)] && r->keep[EV_ATOM(r, r->seqord[k])]) x->newseq = x->args[x->seq_arg] - removed;
        else removed++;
    }
    gth_encoder enc;
    if (gth_encoder_init(&enc, out, r->minor, GTH_ENC_FULL_TABLE, NULL)) return GTH_ENOMEM;
    int rc = GTH_OK;
    for (size_t ui = 0; ui < r->nu && rc == GTH_OK; ui++) {
        if (!r->keep[UNIT_ATOM(ui)]) continue;
        const runit *u = &r->u[ui];
        uint64_t prev = 0;
        if (u->hdr >= 0) {
            const rev *h = &r->ev[u->hdr];
            int t = arg_of(h->spec, GTH_K_TIME);
            prev = t >= 0 ? h->args[t] : 0;
            rc = write_ev(r, &enc, (size_t)u->hdr, &prev, events);
        }
        for (size_t i = u->first; i < u->end && rc == GTH_OK; i++)
            if (r->keep[EV_ATOM(r, i)]) rc = write_ev(r, &enc, i, &prev, events);
    }
    gth_error err;
    if (rc == GTH_OK) rc = gth_encoder_finish(&enc, &err);
    gth_encoder_free(&enc);
    if (out->failed) rc = GTH_ENOMEM;
    return rc;
}

/* ---- Tests ------------------------------------------------------------------------ */

static void report(red *r) {
    if (!r->o->progress) return;
    gth_reduce_progress p = {r->phase, r->st->tests, r->st->kept, r->cur_events, r->cur_bytes};
    r->o->progress(r->o->progress_ud, &p);
}

/* Encodes and tests the current candidate: 1 holds, 0 not, -1 stop. */
static int test(red *r) {
    if (r->stop) return -1;
    if (r->o->max_tests && r->st->tests >= r->o->max_tests) {
        r->st->limited = 1;
        r->stop = 1;
        return -1;
    }
    uint64_t events;
    int rc = encode(r, &r->cand, &events);
    if (rc == GTH_ENOMEM) {
        r->oom = r->stop = 1;
        return -1;
    }
    if (rc != GTH_OK) return 0; /* not encodable (an experiment id > 255): not a candidate */
    r->st->tests++;
    int ok = r->o->pred(r->o->ud, r->cand.data ? r->cand.data : (const uint8_t *)"", r->cand.len);
    if (ok < 0) {
        r->stop = 1;
        gth_error_set(r->err, GTH_EUSAGE, "the predicate failed to run");
        return -1;
    }
    if (ok) {
        r->st->kept++;
        r->cur_events = events;
        r->cur_bytes = r->cand.len;
    }
    report(r);
    return ok ? 1 : 0;
}

/* ---- ddmin over items ---------------------------------------------------------------- */

static void items_reset(items *it) { it->n = it->na = 0; }

static void items_free(items *it) {
    free(it->start);
    free(it->atoms);
    memset(it, 0, sizeof *it);
}

/* Starts item it->n (call items_add_atom for its atoms, then items_close). */
static int items_open(items *it) {
    if (grow((void **)&it->start, &it->ncap, it->n + 2, sizeof *it->start)) return -1;
    it->start[it->n] = (uint32_t)it->na;
    return 0;
}

static int items_add_atom(items *it, size_t atom) {
    if (grow((void **)&it->atoms, &it->acap, it->na + 1, sizeof *it->atoms)) return -1;
    it->atoms[it->na++] = (uint32_t)atom;
    return 0;
}

static void items_close(items *it) {
    if (it->na > it->start[it->n]) it->n++; /* empty items are dropped */
    it->start[it->n] = (uint32_t)it->na;
}

static int remove_item(red *r, const items *it, size_t i) {
    for (uint32_t k = it->start[i]; k < it->start[i + 1]; k++) {
        uint32_t a = it->atoms[k];
        if (!r->keep[a]) continue;
        if (grow((void **)&r->undo, &r->undocap, r->nundo + 1, sizeof *r->undo)) return -1;
        r->keep[a] = 0;
        r->undo[r->nundo++] = a;
    }
    return 0;
}

static void undo_all(red *r) {
    while (r->nundo) r->keep[r->undo[--r->nundo]] = 1;
}

/* Removes what it can of the items, latest first, halving the chunk size down to
 * one item and repeating at one item until nothing more goes. Returns 1 if
 * anything was removed. */
static int ddmin(red *r, const items *it, const char *phase) {
    if (it->n == 0 || r->stop) return 0;
    r->phase = phase;
    report(r);
    uint32_t *idx = malloc(it->n * sizeof *idx);
    if (!idx) return r->oom = r->stop = 1, 0;
    size_t n = 0;
    for (size_t i = 0; i < it->n; i++) {
        int alive = 0;
        for (uint32_t k = it->start[i]; k < it->start[i + 1] && !alive; k++) alive = r->keep[it->atoms[k]];
        if (alive) idx[n++] = (uint32_t)i;
    }
    int changed = 0;
    size_t chunk = n > 1 ? n / 2 : 1;
    while (n > 0 && !r->stop) {
        int progress = 0;
        size_t end = n;
        while (end > 0 && !r->stop) {
            size_t beg = end > chunk ? end - chunk : 0;
            r->nundo = 0;
            int oom = 0;
            for (size_t i = beg; i < end && !oom; i++) oom = remove_item(r, it, idx[i]);
            if (oom) {
                undo_all(r);
                r->oom = r->stop = 1;
                break;
            }
            int ok = r->nundo == 0 ? 1 : test(r);
            if (ok > 0) {
                memmove(idx + beg, idx + end, (n - end) * sizeof *idx);
                n -= end - beg;
                progress = changed = 1;
            } else {
                undo_all(r);
            }
            end = beg;
        }
        if (!progress) {
            if (chunk == 1) break;
            chunk /= 2;
        } else if (chunk > 1 && chunk > n / 2) {
            chunk = n / 2 ? n / 2 : 1;
        }
    }
    r->nundo = 0;
    free(idx);
    return changed;
}

/* ---- Levels ------------------------------------------------------------------------ */

/* Units grouped by a key (generation or thread), in order of first appearance. */
static int level_units_by(red *r, items *it, int by_thread) {
    items_reset(it);
    uint8_t *done = calloc(r->nu ? r->nu : 1, 1);
    if (!done) return -1;
    for (size_t i = 0; i < r->nu; i++) {
        const runit *u = &r->u[i];
        int has = by_thread ? u->has_m && u->m != GTH_NO_ID : u->has_gen;
        if (done[i] || !has) continue;
        uint64_t key = by_thread ? u->m : u->gen;
        if (items_open(it)) goto oom;
        for (size_t j = i; j < r->nu; j++) {
            const runit *v = &r->u[j];
            if (done[j] || !(by_thread ? v->has_m : v->has_gen) || (by_thread ? v->m : v->gen) != key) continue;
            done[j] = 1;
            if (items_add_atom(it, UNIT_ATOM(j))) goto oom;
        }
        items_close(it);
    }
    free(done);
    return 0;
oom:
    free(done);
    return -1;
}

static int level_units(red *r, items *it) {
    items_reset(it);
    for (size_t i = 0; i < r->nu; i++) {
        if (items_open(it) || items_add_atom(it, UNIT_ATOM(i))) return -1;
        items_close(it);
    }
    return 0;
}

/* The shortest prefix in time: keeps the first k items (events in time order),
 * k found by bisection. Cheap, and on a large trace it removes the most at once. */
static int tail_cut(red *r, const items *it) {
    if (it->n == 0 || r->stop) return 0;
    r->phase = "tail";
    report(r);
    size_t lo = 0, hi = it->n; /* keeping hi items holds */
    int changed = 0;
    while (lo < hi && !r->stop) {
        size_t mid = lo + (hi - lo) / 2;
        r->nundo = 0;
        int oom = 0;
        for (size_t i = mid; i < hi && !oom; i++) oom = remove_item(r, it, i);
        if (oom) {
            undo_all(r);
            r->oom = r->stop = 1;
            break;
        }
        if (test(r) > 0) {
            hi = mid;
            changed = 1;
        } else {
            undo_all(r);
            lo = mid + 1;
        }
    }
    r->nundo = 0;
    return changed;
}

static int is_entry(const rev *x) {
    return !x->marker && (x->spec->where == GTH_W_STACKS || x->spec->where == GTH_W_STRINGS || x->spec->where == GTH_W_CPU);
}

static int is_event(const rev *x) {
    return !x->marker && (x->spec->where == GTH_W_EVENTS || x->spec->where == GTH_W_SYNC);
}

typedef struct pair {
    int64_t key;
    uint32_t ev;
} pair;

static int cmp_pair(const void *a, const void *b) {
    const pair *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->ev < y->ev ? -1 : x->ev > y->ev;
}

/* Events grouped by a goroutine (procs: 0) or proc (1): the context the reader
 * gave them and every argument naming one. Groups in order of first event. */
static int level_resources(red *r, items *it, int procs) {
    items_reset(it);
    unsigned kind = procs ? GTH_K_PROC : GTH_K_GOROUTINE;
    pair *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < r->nev; i++) {
        const rev *x = &r->ev[i];
        if (!is_event(x)) continue;
        int64_t ctx = procs ? x->p : x->g;
        int64_t keys[GTH_MAX_ARGS + 1];
        size_t nk = 0;
        if (ctx >= 0) keys[nk++] = ctx;
        for (unsigned a = 0; a < x->spec->nargs; a++)
            if (x->spec->args[a].kind == kind && x->args[a] != GTH_NO_ID && x->args[a] <= INT64_MAX) keys[nk++] = (int64_t)x->args[a];
        for (size_t k = 0; k < nk; k++) {
            if (grow((void **)&v, &cap, n + 1, sizeof *v)) return free(v), -1;
            v[n++] = (pair){keys[k], (uint32_t)i};
        }
    }
    if (n) qsort(v, n, sizeof *v, cmp_pair);
    /* Groups sorted by their first event: order the group heads. */
    pair *heads = NULL;
    size_t nh = 0, hcap = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || v[i].key != v[i - 1].key) {
            if (grow((void **)&heads, &hcap, nh + 1, sizeof *heads)) return free(v), free(heads), -1;
            heads[nh++] = (pair){(int64_t)v[i].ev, (uint32_t)i};
        }
    if (nh) qsort(heads, nh, sizeof *heads, cmp_pair);
    int rc = 0;
    for (size_t h = 0; h < nh && !rc; h++) {
        size_t i = heads[h].ev;
        rc = items_open(it);
        for (size_t j = i; !rc && j < n && v[j].key == v[i].key; j++)
            if (j == i || v[j].ev != v[j - 1].ev) rc = items_add_atom(it, EV_ATOM(r, v[j].ev));
        if (!rc) items_close(it);
    }
    free(v);
    free(heads);
    return rc;
}

static _Thread_local const rev *sort_ev_base; /* qsort has no user data */

static int cmp_time(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    uint64_t tx = sort_ev_base[x].abs, ty = sort_ev_base[y].abs;
    if (tx != ty) return tx < ty ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Timed events of event and sync batches, one item each, in time order. */
static int level_events(red *r, items *it) {
    items_reset(it);
    uint32_t *v = malloc((r->nev ? r->nev : 1) * sizeof *v);
    if (!v) return -1;
    size_t n = 0;
    for (size_t i = 0; i < r->nev; i++)
        if (is_event(&r->ev[i]) && r->keep[EV_ATOM(r, i)]) v[n++] = (uint32_t)i;
    sort_ev_base = r->ev;
    if (n) qsort(v, n, sizeof *v, cmp_time);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = items_open(it) || items_add_atom(it, EV_ATOM(r, v[i]));
        if (!rc) items_close(it);
    }
    free(v);
    return rc;
}

static int level_entries(red *r, items *it) {
    items_reset(it);
    for (size_t i = 0; i < r->nev; i++) {
        if (!is_entry(&r->ev[i]) || !r->keep[EV_ATOM(r, i)]) continue;
        if (items_open(it) || items_add_atom(it, EV_ATOM(r, i))) return -1;
        items_close(it);
    }
    return 0;
}

static int alive_ev(const red *r, size_t i) { return r->keep[UNIT_ATOM(r->ev[i].unit)] && r->keep[EV_ATOM(r, i)]; }

static int level_frames(red *r, items *it) {
    items_reset(it);
    for (size_t i = 0; i < r->nev; i++) {
        if (!r->ev[i].nframes || !alive_ev(r, i)) continue;
        for (size_t f = 0; f < r->ev[i].nframes; f++) {
            if (items_open(it) || items_add_atom(it, FR_ATOM(r, r->ev[i].fr_first + f))) return -1;
            items_close(it);
        }
    }
    return 0;
}

/* String data: cut to one byte, else halve while the behaviour stays (never to
 * nothing: Go's text format cannot carry an empty String). */
static int shrink_strings(red *r) {
    int changed = 0;
    r->phase = "strings";
    report(r);
    for (size_t i = 0; i < r->nev && !r->stop; i++) {
        rev *x = &r->ev[i];
        if (x->code != GTH_EV_String || !x->has_data || x->data_len <= 1 || !alive_ev(r, i)) continue;
        size_t was = x->data_len;
        x->data_len = 1;
        if (test(r) > 0) {
            changed = 1;
            continue;
        }
        x->data_len = was;
        while (x->data_len > 2 && !r->stop) {
            size_t cur = x->data_len;
            x->data_len = cur / 2;
            if (test(r) > 0) {
                changed = 1;
            } else {
                x->data_len = cur;
                break;
            }
        }
    }
    return changed;
}

/* References to zero, one at a time: stack ids (no stack), string ids (the
 * empty string) and task ids (no task), so that table entries and the events
 * that define tasks can go next. */
static int zero_refs(red *r) {
    int changed = 0;
    r->phase = "arguments";
    report(r);
    for (size_t i = 0; i < r->nev && !r->stop; i++) {
        rev *x = &r->ev[i];
        if (!is_event(x) || !alive_ev(r, i)) continue;
        for (unsigned a = 0; a < x->spec->nargs && !r->stop; a++) {
            unsigned k = x->spec->args[a].kind;
            if ((k != GTH_K_STACK && k != GTH_K_NEW_STACK && k != GTH_K_STRING && k != GTH_K_TASK) || x->args[a] == 0)
                continue;
            uint64_t was = x->args[a];
            x->args[a] = 0;
            if (test(r) > 0) changed = 1;
            else x->args[a] = was;
        }
    }
    return changed;
}

/* Readers' contexts (goroutine, proc) of each event, from our reader run over
 * the re-encoded input: decoding that yields the model's events in index
 * order, which gives each its offset there. Events the reader does not reach
 * (it stops at the first error) keep -1. */
typedef struct offs {
    uint64_t *off;
    size_t n, cap;
} offs;

static int on_offset(void *ud, const gth_raw_event *e) {
    offs *os = ud;
    if (os->n == os->cap) return 1; /* more events than the model: give up */
    os->off[os->n++] = e->offset;
    return 0;
}

static void load_contexts(red *r, const uint8_t *bin, size_t len) {
    offs os = {malloc((r->nev ? r->nev : 1) * sizeof(uint64_t)), 0, r->nev};
    if (!os.off) return;
    gth_error e;
    int rc = gth_decode_all(bin, len, r->dec_flags, NULL, NULL, on_offset, &os, &e);
    gth_mem_source ms;
    gth_reader *rd = rc == GTH_OK && os.n == r->nev ? gth_reader_new(NULL, gth_source_mem(&ms, bin, len), &e) : NULL;
    if (rd) {
        gth_event ev;
        while (gth_reader_next(rd, &ev, &e) > 0) {
            if (ev.offset == GTH_NO_OFFSET || ev.synthetic) continue;
            size_t lo = 0, hi = os.n;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (os.off[mid] < ev.offset) lo = mid + 1;
                else hi = mid;
            }
            if (lo < os.n && os.off[lo] == ev.offset) {
                r->ev[lo].g = ev.g;
                r->ev[lo].p = ev.p;
            }
        }
        gth_reader_free(rd);
    }
    free(os.off);
}

static int count_one(void *ud, const gth_raw_event *e) {
    (void)e;
    ++*(long long *)ud;
    return 0;
}

typedef struct seqkey {
    uint64_t gen, id, seq;
    uint32_t kind, ev;
} seqkey;

static int cmp_seqkey(const void *a, const void *b) {
    const seqkey *x = a, *y = b;
#define CMP(f) if (x->f != y->f) return x->f < y->f ? -1 : 1
    CMP(gen);
    CMP(kind);
    CMP(id);
    CMP(seq);
    CMP(ev);
#undef CMP
    return 0;
}

/* Indexes the events with goroutine or proc sequence numbers. A proc number
 * without a proc argument (GoSyscallBegin) belongs to the reader's context. */
static int load_seqs(red *r) {
    seqkey *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < r->nev; i++) {
        rev *x = &r->ev[i];
        if (!is_event(x)) continue;
        int gs = arg_of(x->spec, GTH_K_GSEQ), ps = arg_of(x->spec, GTH_K_PSEQ);
        int sa = gs >= 0 ? gs : ps;
        if (sa < 0) continue;
        int ida = arg_of(x->spec, gs >= 0 ? GTH_K_GOROUTINE : GTH_K_PROC);
        int64_t id = ida >= 0 ? (int64_t)x->args[ida] : x->p;
        if (id < 0 && ida < 0) continue;
        if (grow((void **)&v, &cap, n + 1, sizeof *v)) return free(v), -1;
        const runit *u = &r->u[x->unit];
        v[n++] = (seqkey){u->has_gen ? u->gen : 0, (uint64_t)id, x->args[sa], gs >= 0 ? 0u : 1u, (uint32_t)i};
        x->seq_arg = (int8_t)sa;
        x->newseq = x->args[sa];
    }
    if (n) qsort(v, n, sizeof *v, cmp_seqkey);
    r->seqord = malloc((n ? n : 1) * sizeof *r->seqord);
    r->seqstart = malloc(n ? n : 1);
    if (!r->seqord || !r->seqstart) return free(v), -1;
    for (size_t k = 0; k < n; k++) {
        r->seqord[k] = v[k].ev;
        r->seqstart[k] = k == 0 || v[k].gen != v[k - 1].gen || v[k].kind != v[k - 1].kind || v[k].id != v[k - 1].id;
    }
    r->nseq = n;
    free(v);
    return 0;
}

static uint64_t unit_m(const red *r, size_t i) {
    const runit *u = &r->u[r->ev[i].unit];
    return u->has_m ? u->m : GTH_NO_ID;
}

/* Two neighbouring events of one thread at a time (a GoStop and the GoStart
 * after it, a syscall's begin and end), latest first. */
static int pairs(red *r) {
    r->phase = "pairs";
    report(r);
    uint32_t *v = malloc((r->nev ? r->nev : 1) * sizeof *v);
    if (!v) return r->oom = r->stop = 1, 0;
    size_t n = 0;
    for (size_t i = 0; i < r->nev; i++)
        if (r->ev[i].spec->where == GTH_W_EVENTS && !r->ev[i].marker && alive_ev(r, i)) v[n++] = (uint32_t)i;
    sort_ev_base = r->ev;
    if (n) qsort(v, n, sizeof *v, cmp_time);
    int changed = 0;
    /* Walk each thread's events from the latest. */
    for (size_t k = n; k-- > 0 && !r->stop;) {
        size_t a = v[k];
        if (!alive_ev(r, a)) continue;
        uint64_t m = unit_m(r, a);
        size_t j = k;
        while (j-- > 0 && (unit_m(r, v[j]) != m || !alive_ev(r, v[j]))) {}
        if (j == (size_t)-1) continue;
        size_t b = v[j];
        r->keep[EV_ATOM(r, a)] = r->keep[EV_ATOM(r, b)] = 0;
        if (test(r) > 0) {
            changed = 1;
        } else {
            r->keep[EV_ATOM(r, a)] = r->keep[EV_ATOM(r, b)] = 1;
        }
    }
    free(v);
    return changed;
}

/* ---- Driver ---------------------------------------------------------------------- */

static int run_structured(red *r) {
    items it = {0};
    int changed;
    do {
        changed = 0;
        static const char *const names[] = {"generations", "tail",  "threads", "batches",
                                            "goroutines",  "procs", "events",  "entries"};
        for (int lv = 0; lv < 8 && !r->stop; lv++) {
            int rc;
            switch (lv) {
            case 0: rc = level_units_by(r, &it, 0); break;
            case 1: rc = level_events(r, &it); break;
            case 2: rc = level_units_by(r, &it, 1); break;
            case 3: rc = level_units(r, &it); break;
            case 4: rc = level_resources(r, &it, 0); break;
            case 5: rc = level_resources(r, &it, 1); break;
            case 6: rc = level_events(r, &it); break;
            default: rc = level_entries(r, &it); break;
            }
            if (rc) {
                r->oom = r->stop = 1;
                break;
            }
            changed |= lv == 1 ? tail_cut(r, &it) : ddmin(r, &it, names[lv]);
            if (lv == 6 && !r->stop) changed |= pairs(r);
        }
        if (!changed && !r->o->no_shrink && !r->stop) {
            if (level_frames(r, &it)) r->oom = r->stop = 1;
            else changed |= ddmin(r, &it, "frames");
            changed |= shrink_strings(r);
            changed |= zero_refs(r);
        }
    } while (changed && !r->stop);
    items_free(&it);
    return 0;
}

static int run_bytes(red *r) {
    items it = {0};
    size_t from = r->input_len >= GTH_HEADER_SIZE ? GTH_HEADER_SIZE : 0;
    for (size_t i = from; i < r->input_len; i++) {
        if (items_open(&it) || items_add_atom(&it, i)) {
            r->oom = r->stop = 1;
            break;
        }
        items_close(&it);
    }
    ddmin(r, &it, "bytes");
    items_free(&it);
    return 0;
}

long long gth_reduce_count_events(const uint8_t *trace, size_t len) {
    long long n = 0;
    gth_error e;
    int rc = gth_decode_all(trace, len, GTH_DEC_FLAT | GTH_DEC_FULL_TABLE, NULL, NULL, count_one, &n, &e);
    return rc == GTH_OK ? n : -1;
}

int gth_reduce(const uint8_t *trace, size_t len, const gth_reduce_opts *o, gth_buf *out,
               gth_reduce_stats *stats, gth_error *err) {
    gth_reduce_stats local;
    if (!stats) stats = &local;
    memset(stats, 0, sizeof *stats);
    gth_error_clear(err);
    red r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.st = stats;
    r.err = err;
    r.input = trace;
    r.input_len = len;
    gth_buf_init(&r.blob, NULL);
    gth_buf_init(&r.cand, NULL);
    long long nin = gth_reduce_count_events(trace, len);
    stats->events_in = nin > 0 ? (uint64_t)nin : 0;
    stats->bytes_in = len;
    int structured = !o->bytes_only && model_load(&r) == 0;
    int rc = GTH_OK;
    if (structured) {
        r.natoms = r.nu + r.nev + r.nfr;
        r.keep = malloc(r.natoms ? r.natoms : 1);
        if (!r.keep) {
            rc = GTH_ENOMEM;
            goto done;
        }
        memset(r.keep, 1, r.natoms);
        r.phase = "input";
        int ok = test(&r);
        if (ok > 0) {
            gth_buf b0;
            gth_buf_init(&b0, NULL);
            if (gth_buf_append(&b0, r.cand.data, r.cand.len) == 0) load_contexts(&r, b0.data, b0.len);
            gth_buf_free(&b0);
            if (load_seqs(&r)) {
                rc = GTH_ENOMEM;
                goto done;
            }
            run_structured(&r);
        } else if (ok < 0) {
            structured = 0; /* stopped */
        } else {
            structured = 0; /* the re-encoded input lost it: bytes */
            free(r.keep);
            r.keep = NULL;
        }
        if (!structured && r.stop) goto done;
        if (structured) stats->mode = GTH_REDUCE_EVENTS;
    }
    if (!structured) {
        r.bytes_mode = 1;
        stats->mode = GTH_REDUCE_BYTES;
        r.natoms = len;
        free(r.keep);
        r.keep = malloc(len ? len : 1);
        if (!r.keep) {
            rc = GTH_ENOMEM;
            goto done;
        }
        memset(r.keep, 1, len);
        r.phase = "input";
        int ok = test(&r);
        if (ok == 0) {
            rc = gth_error_set(err, GTH_EINVALID, "the predicate does not hold on the input trace");
            goto done;
        }
        if (ok > 0) run_bytes(&r);
    }
done:
    if (rc == GTH_OK && r.oom) rc = gth_error_nomem(err);
    if (rc == GTH_OK && r.stop && !stats->limited) rc = err->status ? err->status : GTH_EUSAGE;
    if (rc == GTH_OK) {
        uint64_t events;
        size_t at = out->len;
        gth_buf tmp;
        gth_buf_init(&tmp, NULL);
        if (encode(&r, &tmp, &events) != GTH_OK || gth_buf_append(out, tmp.data, tmp.len)) rc = gth_error_nomem(err);
        gth_buf_free(&tmp);
        if (rc == GTH_OK) {
            long long nout = gth_reduce_count_events(out->data + at, out->len - at);
            stats->events_out = nout > 0 ? (uint64_t)nout : 0;
            stats->bytes_out = out->len - at;
        }
    }
    free(r.ev);
    free(r.u);
    free(r.fr);
    free(r.keep);
    free(r.undo);
    free(r.scratch);
    free(r.seqord);
    free(r.seqstart);
    gth_buf_free(&r.blob);
    gth_buf_free(&r.cand);
    return rc;
}
