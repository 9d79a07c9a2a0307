/* The trace minimiser: delta debugging over a decoded, re-encodable trace. */
#include "reduce/reduce.h"

#include <stdlib.h>
#include <string.h>

#include "format/decode.h"
#include "format/encode.h"
#include "format/model.h"
#include "spec/spec.h"
#include "validator/reader.h"

/* What the reduction keeps beside each event of the model (format/model.h:
 * the decoded events with their frames, data and absolute times). */
typedef struct rev {
    int64_t g, p;        /* context from the reader, -1 unknown */
    uint64_t newseq;     /* its sequence number in the current candidate */
    int8_t seq_arg;      /* argument renumbered (GSEQ/PSEQ), -1 none */
    uint32_t unit;
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
    const gth_allocator *a;
    uint32_t *start, *atoms;
    size_t n, ncap, na, acap;
} items;

typedef struct red {
    const gth_allocator *a;
    const gth_reduce_opts *o;
    gth_reduce_stats *st;
    gth_error *err;
    unsigned minor;
    unsigned dec_flags;
    int bytes_mode;
    const uint8_t *input;
    size_t input_len;
    /* The model: its events (nev of them) and frames (nfr, 4 values each), what
     * the reduction keeps beside each event, and the units. */
    gth_model m;
    rev *ev;
    size_t nev, nfr, evcap;
    runit *u;
    size_t nu, ucap;
    /* Atoms: units, then events, then frames (structured); bytes (bytes mode). */
    uint8_t *keep;
    size_t natoms, keepcap;
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
    size_t nseq, seqcap;
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

static int grow(red *r, void **p, size_t *cap, size_t need, size_t size) {
    return gth_grow(r->a, p, cap, need, size);
}

static const gth_raw_event *raw(const red *r, size_t i) { return &r->m.ev[i].ev; }

static int is_marker(const gth_raw_event *e) { return (e->spec->flags & GTH_F_MARKER) != 0; }

/* The units (one per batch of the model's index, and one before them for the
 * events that precede the first batch header) and each event's record. */
static int build_units(red *r) {
    const gth_model *m = &r->m;
    r->nev = m->nev;
    r->nfr = m->nfr / 4;
    int lead = m->nev && m->ev[0].batch == GTH_MODEL_NONE;
    r->nu = 0;
    if (grow(r, (void **)&r->ev, &r->evcap, r->nev ? r->nev : 1, sizeof *r->ev) ||
        grow(r, (void **)&r->u, &r->ucap, m->nb + 1, sizeof *r->u))
        return -1;
    if (lead) r->u[r->nu++] = (runit){.hdr = -1, .first = 0, .end = (uint32_t)(m->nb ? m->b[0].hdr : m->nev)};
    for (size_t k = 0; k < m->nb; k++) {
        const gth_model_batch *b = &m->b[k];
        r->u[r->nu++] = (runit){.hdr = (int64_t)b->hdr, .first = (uint32_t)b->hdr + 1, .end = (uint32_t)b->end,
                                .gen = b->gen_num, .m = b->m, .has_gen = b->has_gen, .has_m = b->has_m};
    }
    for (size_t i = 0; i < r->nev; i++) {
        size_t b = m->ev[i].batch;
        uint32_t unit = (uint32_t)(b == GTH_MODEL_NONE ? 0 : b + (size_t)lead);
        r->ev[i] = (rev){.g = -1, .p = -1, .seq_arg = -1, .unit = unit};
    }
    return 0;
}

/* Decodes the input by batches, else flat. 0, or -1 if neither decodes (or
 * out of memory: r->oom). */
static int model_load(red *r) {
    static const unsigned modes[2] = {GTH_DEC_FULL_TABLE | GTH_DEC_NO_STRING_LIMIT,
                                      GTH_DEC_FULL_TABLE | GTH_DEC_FLAT};
    for (int k = 0; k < 2; k++) {
        gth_error e;
        int rc = gth_model_decode(&r->m, r->input, r->input_len, modes[k], &e);
        if (rc == GTH_ENOMEM) return r->oom = 1, -1;
        if (rc == GTH_OK) {
            r->minor = r->m.minor;
            r->dec_flags = modes[k];
            if (gth_model_index(&r->m) || build_units(r)) return r->oom = 1, -1;
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
    const gth_model_event *me = &r->m.ev[i];
    gth_raw_event e;
    gth_model_raw(&r->m, i, &e);
    if (x->seq_arg >= 0) e.args[x->seq_arg] = x->newseq;
    if (e.spec->flags & GTH_F_TIMED) {
        e.args[0] = me->time - *prev;
        *prev = me->time;
    }
    if (e.nframes) {
        if (grow(r, (void **)&r->scratch, &r->scratch_cap, 4 * e.nframes, sizeof *r->scratch)) return GTH_ENOMEM;
        size_t k = 0, first = me->fr / 4;
        for (size_t f = 0; f < e.nframes; f++)
            if (r->keep[FR_ATOM(r, first + f)]) memcpy(r->scratch + 4 * k++, e.frames + 4 * f, 4 * sizeof *e.frames);
        e.frames = r->scratch;
        e.args[1] -= e.nframes - k; /* the count as it was, less what was removed */
        e.nframes = k;
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
        if (r->keep[UNIT_ATOM(x->unit)] && r->keep[EV_ATOM(r, r->seqord[k])])
            x->newseq = raw(r, r->seqord[k])->args[x->seq_arg] - removed;
        else removed++;
    }
    gth_encoder enc;
    if (gth_encoder_init(&enc, out, r->minor, GTH_ENC_FULL_TABLE, r->a)) return GTH_ENOMEM;
    int rc = GTH_OK;
    for (size_t ui = 0; ui < r->nu && rc == GTH_OK; ui++) {
        if (!r->keep[UNIT_ATOM(ui)]) continue;
        const runit *u = &r->u[ui];
        uint64_t prev = 0;
        if (u->hdr >= 0) {
            const gth_raw_event *h = raw(r, (size_t)u->hdr);
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
    gth_free(it->a, it->start, it->ncap * sizeof *it->start);
    gth_free(it->a, it->atoms, it->acap * sizeof *it->atoms);
    *it = (items){.a = it->a};
}

/* Starts item it->n (call items_add_atom for its atoms, then items_close). */
static int items_open(items *it) {
    if (gth_grow(it->a, (void **)&it->start, &it->ncap, it->n + 2, sizeof *it->start)) return -1;
    it->start[it->n] = (uint32_t)it->na;
    return 0;
}

static int items_add_atom(items *it, size_t atom) {
    if (gth_grow(it->a, (void **)&it->atoms, &it->acap, it->na + 1, sizeof *it->atoms)) return -1;
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
        if (grow(r, (void **)&r->undo, &r->undocap, r->nundo + 1, sizeof *r->undo)) return -1;
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
    uint32_t *idx = gth_alloc(r->a, it->n * sizeof *idx);
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
    gth_free(r->a, idx, it->n * sizeof *idx);
    return changed;
}

/* ---- Levels ------------------------------------------------------------------------ */

/* Units grouped by a key (generation or thread), in order of first appearance. */
static int level_units_by(red *r, items *it, int by_thread) {
    items_reset(it);
    uint8_t *done = gth_calloc(r->a, r->nu ? r->nu : 1, 1);
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
    gth_free(r->a, done, r->nu ? r->nu : 1);
    return 0;
oom:
    gth_free(r->a, done, r->nu ? r->nu : 1);
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

static int is_entry(const gth_raw_event *e) {
    return !is_marker(e) && (e->spec->where == GTH_W_STACKS || e->spec->where == GTH_W_STRINGS || e->spec->where == GTH_W_CPU);
}

static int is_event(const gth_raw_event *e) {
    return !is_marker(e) && (e->spec->where == GTH_W_EVENTS || e->spec->where == GTH_W_SYNC);
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
    int rc = 0;
    for (size_t i = 0; i < r->nev && !rc; i++) {
        const gth_raw_event *x = raw(r, i);
        if (!is_event(x)) continue;
        int64_t ctx = procs ? r->ev[i].p : r->ev[i].g;
        int64_t keys[GTH_MAX_ARGS + 1];
        size_t nk = 0;
        if (ctx >= 0) keys[nk++] = ctx;
        for (unsigned a = 0; a < x->spec->nargs; a++)
            if (x->spec->args[a].kind == kind && x->args[a] != GTH_NO_ID && x->args[a] <= INT64_MAX) keys[nk++] = (int64_t)x->args[a];
        for (size_t k = 0; k < nk && !rc; k++) {
            if (grow(r, (void **)&v, &cap, n + 1, sizeof *v)) rc = -1;
            else v[n++] = (pair){keys[k], (uint32_t)i};
        }
    }
    if (n && !rc) qsort(v, n, sizeof *v, cmp_pair);
    /* Groups sorted by their first event: order the group heads. */
    pair *heads = NULL;
    size_t nh = 0, hcap = 0;
    for (size_t i = 0; i < n && !rc; i++)
        if (i == 0 || v[i].key != v[i - 1].key) {
            if (grow(r, (void **)&heads, &hcap, nh + 1, sizeof *heads)) rc = -1;
            else heads[nh++] = (pair){(int64_t)v[i].ev, (uint32_t)i};
        }
    if (nh && !rc) qsort(heads, nh, sizeof *heads, cmp_pair);
    for (size_t h = 0; h < nh && !rc; h++) {
        size_t i = heads[h].ev;
        rc = items_open(it);
        for (size_t j = i; !rc && j < n && v[j].key == v[i].key; j++)
            if (j == i || v[j].ev != v[j - 1].ev) rc = items_add_atom(it, EV_ATOM(r, v[j].ev));
        if (!rc) items_close(it);
    }
    gth_free(r->a, v, cap * sizeof *v);
    gth_free(r->a, heads, hcap * sizeof *heads);
    return rc;
}

static _Thread_local const gth_model_event *sort_ev_base; /* qsort has no user data */

static int cmp_time(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    uint64_t tx = sort_ev_base[x].time, ty = sort_ev_base[y].time;
    if (tx != ty) return tx < ty ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Timed events of event and sync batches, one item each, in time order. */
static int level_events(red *r, items *it) {
    items_reset(it);
    uint32_t *v = gth_alloc(r->a, (r->nev ? r->nev : 1) * sizeof *v);
    if (!v) return -1;
    size_t n = 0;
    for (size_t i = 0; i < r->nev; i++)
        if (is_event(raw(r, i)) && r->keep[EV_ATOM(r, i)]) v[n++] = (uint32_t)i;
    sort_ev_base = r->m.ev;
    if (n) qsort(v, n, sizeof *v, cmp_time);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = items_open(it) || items_add_atom(it, EV_ATOM(r, v[i]));
        if (!rc) items_close(it);
    }
    gth_free(r->a, v, (r->nev ? r->nev : 1) * sizeof *v);
    return rc;
}

static int level_entries(red *r, items *it) {
    items_reset(it);
    for (size_t i = 0; i < r->nev; i++) {
        if (!is_entry(raw(r, i)) || !r->keep[EV_ATOM(r, i)]) continue;
        if (items_open(it) || items_add_atom(it, EV_ATOM(r, i))) return -1;
        items_close(it);
    }
    return 0;
}

static int alive_ev(const red *r, size_t i) { return r->keep[UNIT_ATOM(r->ev[i].unit)] && r->keep[EV_ATOM(r, i)]; }

static int level_frames(red *r, items *it) {
    items_reset(it);
    for (size_t i = 0; i < r->nev; i++) {
        const gth_model_event *x = &r->m.ev[i];
        if (!x->ev.nframes || !alive_ev(r, i)) continue;
        for (size_t f = 0; f < x->ev.nframes; f++) {
            if (items_open(it) || items_add_atom(it, FR_ATOM(r, x->fr / 4 + f))) return -1;
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
        gth_raw_event *x = &r->m.ev[i].ev;
        if (x->code != GTH_EV_String || !r->m.ev[i].has_data || x->data_len <= 1 || !alive_ev(r, i)) continue;
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
        gth_raw_event *x = &r->m.ev[i].ev;
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

/* Returns 0, or -1 when out of memory. */
static int load_contexts(red *r, const uint8_t *bin, size_t len) {
    size_t cap = r->nev ? r->nev : 1;
    offs os = {gth_alloc(r->a, cap * sizeof(uint64_t)), 0, r->nev};
    if (!os.off) return -1;
    gth_error e;
    gth_error_clear(&e);
    int rc = gth_decode_all(bin, len, r->dec_flags, r->a, NULL, on_offset, &os, &e);
    gth_mem_source ms;
    gth_reader *rd = rc == GTH_OK && os.n == r->nev ? gth_reader_new(r->a, gth_source_mem(&ms, bin, len), &e) : NULL;
    int oom = rc == GTH_ENOMEM || (!rd && e.status == GTH_ENOMEM);
    if (rd) {
        gth_event ev;
        int k;
        while ((k = gth_reader_next(rd, &ev, &e)) > 0) {
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
        if (k < 0 && e.status == GTH_ENOMEM) oom = 1;
        gth_reader_free(rd);
    }
    gth_free(r->a, os.off, cap * sizeof(uint64_t));
    return oom ? -1 : 0;
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
        const gth_raw_event *e = raw(r, i);
        if (!is_event(e)) continue;
        int gs = arg_of(e->spec, GTH_K_GSEQ), ps = arg_of(e->spec, GTH_K_PSEQ);
        int sa = gs >= 0 ? gs : ps;
        if (sa < 0) continue;
        int ida = arg_of(e->spec, gs >= 0 ? GTH_K_GOROUTINE : GTH_K_PROC);
        int64_t id = ida >= 0 ? (int64_t)e->args[ida] : x->p;
        if (id < 0 && ida < 0) continue;
        if (grow(r, (void **)&v, &cap, n + 1, sizeof *v)) return gth_free(r->a, v, cap * sizeof *v), -1;
        const runit *u = &r->u[x->unit];
        v[n++] = (seqkey){u->has_gen ? u->gen : 0, (uint64_t)id, e->args[sa], gs >= 0 ? 0u : 1u, (uint32_t)i};
        x->seq_arg = (int8_t)sa;
        x->newseq = e->args[sa];
    }
    if (n) qsort(v, n, sizeof *v, cmp_seqkey);
    r->seqcap = n ? n : 1;
    r->seqord = gth_alloc(r->a, r->seqcap * sizeof *r->seqord);
    r->seqstart = gth_alloc(r->a, r->seqcap);
    if (!r->seqord || !r->seqstart) return gth_free(r->a, v, cap * sizeof *v), -1;
    for (size_t k = 0; k < n; k++) {
        r->seqord[k] = v[k].ev;
        r->seqstart[k] = k == 0 || v[k].gen != v[k - 1].gen || v[k].kind != v[k - 1].kind || v[k].id != v[k - 1].id;
    }
    r->nseq = n;
    gth_free(r->a, v, cap * sizeof *v);
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
    uint32_t *v = gth_alloc(r->a, (r->nev ? r->nev : 1) * sizeof *v);
    if (!v) return r->oom = r->stop = 1, 0;
    size_t n = 0;
    for (size_t i = 0; i < r->nev; i++)
        if (raw(r, i)->spec->where == GTH_W_EVENTS && !is_marker(raw(r, i)) && alive_ev(r, i)) v[n++] = (uint32_t)i;
    sort_ev_base = r->m.ev;
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
    gth_free(r->a, v, (r->nev ? r->nev : 1) * sizeof *v);
    return changed;
}

/* ---- Driver ---------------------------------------------------------------------- */

static int run_structured(red *r) {
    items it = {.a = r->a};
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
    items it = {.a = r->a};
    size_t from = r->input_len >= GTH_HEADER_SIZE ? GTH_HEADER_SIZE : 0;
    for (size_t i = from; i < r->input_len; i++) {
        if (items_open(&it) || items_add_atom(&it, i)) {
            r->oom = r->stop = 1;
            break;
        }
        items_close(&it);
    }
    /* Until a whole pass removes nothing: a byte that had to stay may go once
     * others went. */
    while (!r->stop && ddmin(r, &it, "bytes")) {}
    items_free(&it);
    return 0;
}

/* Raw events of trace into *n (-1 if it does not decode); GTH_ENOMEM or GTH_OK. */
static int count_events(const gth_allocator *a, const uint8_t *trace, size_t len, long long *n) {
    gth_error e;
    *n = 0;
    int rc = gth_decode_all(trace, len, GTH_DEC_FLAT | GTH_DEC_FULL_TABLE, a, NULL, count_one, n, &e);
    if (rc == GTH_ENOMEM) return GTH_ENOMEM;
    if (rc != GTH_OK) *n = -1;
    return GTH_OK;
}

long long gth_reduce_count_events(const uint8_t *trace, size_t len) {
    long long n;
    return count_events(NULL, trace, len, &n) == GTH_OK ? n : -1;
}

static void set_keep(red *r, size_t n) {
    gth_free(r->a, r->keep, r->keepcap);
    r->keepcap = n ? n : 1;
    r->keep = gth_alloc(r->a, r->keepcap);
    if (r->keep) memset(r->keep, 1, n);
    else r->keepcap = 0;
}

int gth_reduce(const uint8_t *trace, size_t len, const gth_reduce_opts *o, gth_buf *out,
               gth_reduce_stats *stats, gth_error *err) {
    gth_reduce_stats local;
    if (!stats) stats = &local;
    memset(stats, 0, sizeof *stats);
    gth_error_clear(err);
    red r;
    memset(&r, 0, sizeof r);
    r.a = o->alloc ? o->alloc : gth_default_allocator();
    r.o = o;
    r.st = stats;
    r.err = err;
    r.input = trace;
    r.input_len = len;
    gth_model_init(&r.m, r.a);
    gth_buf_init(&r.cand, r.a);
    long long nin;
    int rc = count_events(r.a, trace, len, &nin);
    if (rc != GTH_OK) goto done;
    stats->events_in = nin > 0 ? (uint64_t)nin : 0;
    stats->bytes_in = len;
    int structured = !o->bytes_only && model_load(&r) == 0;
    if (r.oom) goto done;
    if (structured) {
        r.natoms = r.nu + r.nev + r.nfr;
        set_keep(&r, r.natoms);
        if (!r.keep) {
            rc = GTH_ENOMEM;
            goto done;
        }
        r.phase = "input";
        int ok = test(&r);
        if (ok > 0) {
            gth_buf b0;
            gth_buf_init(&b0, r.a);
            if (gth_buf_append(&b0, r.cand.data, r.cand.len) || load_contexts(&r, b0.data, b0.len) || load_seqs(&r)) {
                gth_buf_free(&b0);
                rc = GTH_ENOMEM;
                goto done;
            }
            gth_buf_free(&b0);
            run_structured(&r);
        } else if (ok < 0) {
            structured = 0; /* stopped */
        } else {
            structured = 0; /* the re-encoded input lost it: bytes */
        }
        if (!structured && r.stop) goto done;
        if (structured) stats->mode = GTH_REDUCE_EVENTS;
    }
    if (!structured) {
        r.bytes_mode = 1;
        stats->mode = GTH_REDUCE_BYTES;
        r.natoms = len;
        set_keep(&r, len);
        if (!r.keep) {
            rc = GTH_ENOMEM;
            goto done;
        }
        r.phase = "input";
        int ok = test(&r);
        if (ok == 0) {
            rc = gth_error_set(err, GTH_EINVALID, "the predicate does not hold on the input trace");
            goto done;
        }
        if (ok > 0) run_bytes(&r);
    }
done:
    if (rc == GTH_ENOMEM || (rc == GTH_OK && r.oom)) rc = gth_error_nomem(err);
    if (rc == GTH_OK && r.stop && !stats->limited) rc = err->status ? err->status : GTH_EUSAGE;
    if (rc == GTH_OK) {
        uint64_t events;
        size_t at = out->len;
        gth_buf tmp;
        gth_buf_init(&tmp, r.a);
        if (encode(&r, &tmp, &events) != GTH_OK || gth_buf_append(out, tmp.data, tmp.len)) rc = gth_error_nomem(err);
        gth_buf_free(&tmp);
        long long nout;
        if (rc == GTH_OK && count_events(r.a, out->data + at, out->len - at, &nout) != GTH_OK) {
            out->len = at;
            rc = gth_error_nomem(err);
        }
        if (rc == GTH_OK) {
            stats->events_out = nout > 0 ? (uint64_t)nout : 0;
            stats->bytes_out = out->len - at;
        }
    }
    gth_model_free(&r.m);
    gth_free(r.a, r.ev, r.evcap * sizeof *r.ev);
    gth_free(r.a, r.u, r.ucap * sizeof *r.u);
    gth_free(r.a, r.keep, r.keepcap);
    gth_free(r.a, r.undo, r.undocap * sizeof *r.undo);
    gth_free(r.a, r.scratch, r.scratch_cap * sizeof *r.scratch);
    gth_free(r.a, r.seqord, r.seqcap * sizeof *r.seqord);
    gth_free(r.a, r.seqstart, r.seqcap);
    gth_buf_free(&r.cand);
    return rc;
}
