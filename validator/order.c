/*
 * Ordering engine: the state model of goroutines, procs and threads, and the
 * rule for each event that decides whether it can happen now ("advance"), must
 * wait for another thread ("retry"), or proves the trace broken ("error").
 * Accepted events, and the events the reader makes up (the expansion of
 * GoSwitch, the implicit steal of GoDestroySyscall), go to a small queue.
 *
 * The rules and their order follow Go's reader exactly, because the order of
 * checks decides which error a broken trace reports.
 */
#include <stdio.h>
#include <string.h>

#include "validator/internal.h"

enum { MUST_NOT, MAY, MUST };

static const char *pstatus_name(uint8_t s) {
    switch (s) {
    case GTH_PS_RUNNING: return "Running";
    case GTH_PS_IDLE: return "Idle";
    case GTH_PS_SYSCALL: return "Syscall";
    }
    return "Bad";
}

int gth_order_init(vorder *o, const gth_allocator *a, unsigned version) {
    memset(o, 0, sizeof *o);
    o->a = a;
    o->version = version;
    o->g_free = -1;
    gth_hmap_init(&o->gidx, a);
    gth_hmap_init(&o->pidx, a);
    gth_hmap_init(&o->midx, a);
    gth_hmap_init(&o->tidx, a);
    gth_buf_init(&o->taskname, a);
    return 0;
}

static void free_ranges(const gth_allocator *a, vranges *r) {
    gth_free(a, r->v, r->cap * sizeof *r->v);
    r->v = NULL;
    r->n = r->cap = 0;
}

static void free_g(vorder *o, vgstate *g) {
    for (uint32_t i = 0; i < g->nregions; i++) gth_free(o->a, g->regions[i].name, g->regions[i].len + 1);
    gth_free(o->a, g->regions, g->regions_cap * sizeof *g->regions);
    free_ranges(o->a, &g->ranges);
    g->regions = NULL;
    g->nregions = g->regions_cap = 0;
}

void gth_order_free(vorder *o) {
    for (size_t i = 0; i < o->gidx.cap; i++)
        if (o->gidx.used[i]) free_g(o, &o->gs[o->gidx.vals[i]]);
    for (size_t i = 0; i < o->nps; i++) free_ranges(o->a, &o->ps[i].ranges);
    for (size_t i = 0; i < o->tidx.cap; i++)
        if (o->tidx.used[i]) {
            vtask *t = &o->tasks[o->tidx.vals[i]];
            gth_free(o->a, t->name, t->len + 1);
        }
    gth_free(o->a, o->gs, o->gs_cap * sizeof *o->gs);
    gth_free(o->a, o->ps, o->ps_cap * sizeof *o->ps);
    gth_free(o->a, o->mstates, o->mstates_cap * sizeof *o->mstates);
    gth_free(o->a, o->mkeys, o->mkeys_cap * sizeof *o->mkeys);
    gth_free(o->a, o->tasks, o->tasks_cap * sizeof *o->tasks);
    gth_dense_free(&o->gdense, o->a);
    gth_dense_free(&o->pdense, o->a);
    gth_hmap_free(&o->gidx);
    gth_hmap_free(&o->pidx);
    gth_hmap_free(&o->midx);
    gth_hmap_free(&o->tidx);
    gth_buf_free(&o->taskname);
}

/* ---- State tables ------------------------------------------------------------ */

static vgstate *find_g(vorder *o, int64_t id) {
    uint32_t i;
    return gth_dense_get(&o->gdense, &o->gidx, (uint64_t)id, &i) ? &o->gs[i] : NULL;
}

static vgstate *new_g(vorder *o, int64_t id, uint8_t status, uint64_t gen) {
    size_t idx;
    if (o->g_free >= 0) {
        idx = (size_t)o->g_free;
        o->g_free = o->gs[idx].next_free;
    } else {
        void *p = o->gs;
        if (gth_grow(o->a, &p, &o->gs_cap, o->ngs + 1, sizeof *o->gs)) return NULL;
        o->gs = p;
        idx = o->ngs++;
    }
    if (gth_dense_reserve(&o->gdense, o->a, (uint64_t)id) || gth_hmap_put(&o->gidx, (uint64_t)id, (uint32_t)idx)) {
        o->gs[idx].next_free = o->g_free;
        o->g_free = (int32_t)idx;
        return NULL;
    }
    gth_dense_set(&o->gdense, (uint64_t)id, (uint32_t)idx);
    vgstate *g = &o->gs[idx];
    memset(g, 0, sizeof *g);
    g->id = (uint64_t)id;
    g->status = status;
    g->seq_gen = gen;
    g->seq = 0;
    return g;
}

static void delete_g(vorder *o, int64_t id) {
    uint32_t *i = gth_hmap_get(&o->gidx, (uint64_t)id);
    if (!i) return;
    uint32_t idx = *i;
    free_g(o, &o->gs[idx]);
    gth_hmap_del(&o->gidx, (uint64_t)id);
    gth_dense_del(&o->gdense, (uint64_t)id);
    o->gs[idx].next_free = o->g_free;
    o->g_free = (int32_t)idx;
}

static vpstate *find_p(vorder *o, int64_t id) {
    uint32_t i;
    return gth_dense_get(&o->pdense, &o->pidx, (uint64_t)id, &i) ? &o->ps[i] : NULL;
}

static vpstate *new_p(vorder *o, int64_t id, uint8_t status, uint64_t gen) {
    void *p = o->ps;
    if (gth_grow(o->a, &p, &o->ps_cap, o->nps + 1, sizeof *o->ps)) return NULL;
    o->ps = p;
    if (gth_dense_reserve(&o->pdense, o->a, (uint64_t)id) || gth_hmap_put(&o->pidx, (uint64_t)id, (uint32_t)o->nps))
        return NULL;
    gth_dense_set(&o->pdense, (uint64_t)id, (uint32_t)o->nps);
    vpstate *s = &o->ps[o->nps++];
    memset(s, 0, sizeof *s);
    s->id = (uint64_t)id;
    s->status = status;
    s->seq_gen = gen;
    return s;
}

static vmstate *find_m(vorder *o, int64_t id) {
    uint32_t *i = gth_hmap_get(&o->midx, (uint64_t)id);
    return i ? &o->mstates[*i] : NULL;
}

static vmstate *new_m(vorder *o, int64_t id, int64_t g, int64_t p) {
    /* Two arrays with a capacity each: a failure growing the second leaves the
     * first's (already grown) size on record. */
    void *a = o->mstates, *k = o->mkeys;
    if (gth_grow(o->a, &a, &o->mstates_cap, o->nmstates + 1, sizeof *o->mstates)) return NULL;
    o->mstates = a;
    if (gth_grow(o->a, &k, &o->mkeys_cap, o->nmstates + 1, sizeof *o->mkeys)) return NULL;
    o->mkeys = k;
    if (gth_hmap_put(&o->midx, (uint64_t)id, (uint32_t)o->nmstates)) return NULL;
    o->mkeys[o->nmstates] = (uint64_t)id;
    vmstate *m = &o->mstates[o->nmstates++];
    m->g = g;
    m->p = p;
    return m;
}

static int seq_succeeds(uint64_t gen, uint64_t n, uint64_t sgen, uint64_t sn) {
    return gen == sgen && n == sn + 1;
}

/* ---- Errors -------------------------------------------------------------------- */

typedef struct actx {
    vorder *o;
    const vgen *g;
    const vcursor *c;
    gth_error *err;
    uint8_t code;
    uint64_t gen;
    uint64_t args[4];
    int64_t time;
    int64_t m, p, gid; /* current context */
} actx;

static adv_result fail(actx *x, int inv, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static adv_result fail(actx *x, int inv, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gth_error_vset(x->err, GTH_EINVALID, fmt, ap);
    va_end(ap);
    x->err->inv = inv;
    return ADV_ERR;
}

static adv_result nomem(actx *x) {
    gth_error_nomem(x->err);
    return ADV_ERR;
}

static const char *ev_name(actx *x, uint8_t code, char buf[16]) {
    return gth_spec_event_name(x->o->version, code, buf);
}

static adv_result check_ctx(actx *x, int m, int p, int g) {
    if (m == MUST && x->m == NO_ID) return fail(x, GTH_INV_CTX_THREAD, "expected a thread but didn't have one");
    if (p == MUST && x->p == NO_ID) return fail(x, GTH_INV_CTX_PROC, "expected a proc but didn't have one");
    if (p == MUST_NOT && x->p != NO_ID) return fail(x, GTH_INV_CTX_NO_PROC, "expected no proc but had one");
    if (g == MUST && x->gid == NO_ID)
        return fail(x, GTH_INV_CTX_GOROUTINE, "expected a goroutine but didn't have one");
    if (g == MUST_NOT && x->gid != NO_ID)
        return fail(x, GTH_INV_CTX_NO_GOROUTINE, "expected no goroutine but had one");
    return ADV_OK;
}
#define CTX(m, p, g)                                        \
    do {                                                    \
        if (check_ctx(x, m, p, g) != ADV_OK) return ADV_ERR; \
    } while (0)
#define USER_CTX() CTX(MUST, MUST, MUST)

/* The current goroutine, which must have a state and be in `want`; else Go's
 * error. Go words the Syscall-exit mismatch as "not Running" too, hence `word`. */
static vgstate *current_g(actx *x, uint8_t want, int inv, const char *word) {
    char nb[16];
    vgstate *s = find_g(x->o, x->gid);
    if (!s) {
        fail(x, GTH_INV_G_UNKNOWN, "event %s for goroutine (%lld) that doesn't exist", ev_name(x, x->code, nb),
             (long long)x->gid);
        return NULL;
    }
    if (s->status != want) {
        fail(x, inv, "%s event for goroutine that's not %s", ev_name(x, x->code, nb), word);
        return NULL;
    }
    return s;
}

/* ---- Output ------------------------------------------------------------------- */

static gth_event *push(actx *x, uint8_t code, int64_t m, int64_t p, int64_t g) {
    vorder *o = x->o;
    gth_event *e = o->direct;
    if (e) o->direct = NULL;
    else e = &o->queue[(o->qhead + o->qlen++) & 3];
    *e = (gth_event){.time = x->time, .m = m, .p = p, .g = g, .offset = GTH_NO_OFFSET, .code = code, .gen = x->gen};
    return e;
}

/* Queues the wire event itself with the given context (every field written
 * once: this runs for nearly every event). */
static gth_event *push_self(actx *x, int64_t m, int64_t p, int64_t g) {
    vorder *o = x->o;
    gth_event *e = o->direct;
    if (e) o->direct = NULL;
    else e = &o->queue[(o->qhead + o->qlen++) & 3];
    e->time = x->time;
    e->m = m;
    e->p = p;
    e->g = g;
    memcpy(e->args, x->args, sizeof e->args);
    e->offset = x->c->ev_off;
    e->code = x->code;
    e->synthetic = 0;
    e->has_table = 0;
    e->str = NULL;
    e->str_len = 0;
    e->gen = x->gen;
    return e;
}

/* ---- Ranges ------------------------------------------------------------------ */

static uint8_t range_begin_code(uint8_t code) {
    const gth_event_spec *s = gth_spec_event(code);
    return s && s->start_code ? s->start_code : code;
}

static int has_range(const vranges *r, uint8_t typ, uint64_t desc) {
    for (uint32_t i = 0; i < r->n; i++)
        if (r->v[i].typ == typ && r->v[i].desc == desc) return 1;
    return 0;
}

static adv_result add_range(actx *x, vranges *r, uint8_t typ, uint64_t desc) {
    if (r->n == r->cap) {
        size_t cap = r->cap;
        void *p = r->v;
        if (gth_grow(x->o->a, &p, &cap, r->n + 1, sizeof *r->v)) return nomem(x);
        r->v = p;
        r->cap = (uint32_t)cap;
    }
    r->v[r->n++] = (vrange){typ, desc};
    return ADV_OK;
}

static adv_result begin_range(actx *x, vranges *r, uint8_t code, uint64_t desc) {
    uint8_t typ = range_begin_code(code);
    if (has_range(r, typ, desc))
        return fail(x, GTH_INV_RANGE_ALREADY_ACTIVE, "discovered event already in-flight for when starting event %s",
                    gth_spec_event(typ)->name);
    return add_range(x, r, typ, desc);
}

static void print_ranges(gth_buf *b, const vranges *r) {
    gth_buf_putc(b, '[');
    for (uint32_t i = 0; i < r->n; i++)
        gth_buf_printf(b, "%s{%u %llu}", i ? " " : "", r->v[i].typ, (unsigned long long)r->v[i].desc);
    gth_buf_putc(b, ']');
}

static adv_result active_range(actx *x, vranges *r, uint8_t code) {
    uint8_t typ = range_begin_code(code);
    if (x->gen == x->o->initial_gen) {
        if (has_range(r, typ, 0))
            return fail(x, GTH_INV_RANGE_ACTIVE_DUPLICATE, "found named active range already in first gen: {%u 0}", typ);
        return add_range(x, r, typ, 0);
    }
    if (!has_range(r, typ, 0)) {
        gth_buf b;
        gth_buf_init(&b, x->o->a);
        print_ranges(&b, r);
        fail(x, GTH_INV_RANGE_ACTIVE_MISSING, "resource is missing active range: %s %.*s", gth_spec_event(typ)->name,
             (int)b.len, b.data ? (const char *)b.data : "");
        gth_buf_free(&b);
        return ADV_ERR;
    }
    return ADV_OK;
}

/* Ends the first in-flight range of the event's kind (any subtype), removing it
 * by swapping with the last entry as Go does; returns its subtype in *desc. */
static adv_result end_range(actx *x, vranges *r, uint8_t code, uint64_t *desc) {
    uint8_t typ = range_begin_code(code);
    for (uint32_t i = 0; i < r->n; i++) {
        if (r->v[i].typ != typ) continue;
        *desc = r->v[i].desc;
        r->v[i] = r->v[r->n - 1];
        r->n--;
        return ADV_OK;
    }
    return fail(x, GTH_INV_RANGE_NOT_ACTIVE, "tried to end event %s, but not in-flight", gth_spec_event(typ)->name);
}

/* ---- Handlers ------------------------------------------------------------------ */

static adv_result proc_status(actx *x) {
    vorder *o = x->o;
    int64_t pid = (int64_t)x->args[0];
    uint8_t status = (uint8_t)x->args[1];
    if (status >= GTH_PS__COUNT)
        return fail(x, GTH_INV_PROC_STATUS_VALUE, "invalid status for proc %lld: %u", (long long)pid, status);
    uint8_t old = gth_pstatus_state(status);
    vpstate *s = find_p(o, pid);
    if (s) {
        if (status == GTH_PS_ABANDONED && s->status == GTH_PS_SYSCALL) {
            old = GTH_PROC_RUNNING;
            x->args[1] = GTH_PS_SYSCALL;
        } else if (status == GTH_PS_ABANDONED && s->status == GTH_PS_ABANDONED) {
            old = GTH_PROC_IDLE;
            x->args[1] = GTH_PS_ABANDONED;
        } else if (s->status != status) {
            return fail(x, GTH_INV_PROC_STATUS_INCONSISTENT, "inconsistent status for proc %lld: old %s vs. new %s",
                        (long long)pid, pstatus_name(s->status), pstatus_name(status));
        }
        s->seq_gen = x->gen;
        s->seq = 0;
    } else {
        if (!new_p(o, pid, status, x->gen)) return nomem(x);
        old = x->gen == o->initial_gen ? GTH_PROC_UNDETERMINED : GTH_PROC_NOTEXIST;
    }
    x->args[2] = old;
    int64_t newp = x->p;
    if (status == GTH_PS_RUNNING || status == GTH_PS_SYSCALL) newp = pid;
    int64_t em = x->m, ep = x->p, eg = x->gid;
    if (status == GTH_PS_ABANDONED && old == GTH_PROC_RUNNING) {
        /* Attribute the event to the thread that holds the proc. Go scans its
         * thread map and keeps the last match; with several it is map order. */
        int found = 0;
        for (size_t i = 0; i < o->nmstates; i++) {
            if (o->mstates[i].p != pid) continue;
            em = (int64_t)o->mkeys[i];
            ep = pid;
            eg = o->mstates[i].g;
            found = 1;
        }
        if (!found)
            return fail(x, GTH_INV_PROC_STEAL_NO_CONTEXT,
                        "failed to find sched context for proc %lld that's about to be stolen", (long long)pid);
    }
    push_self(x, em, ep, eg);
    x->p = newp;
    return ADV_OK;
}

static adv_result proc_start(actx *x) {
    int64_t pid = (int64_t)x->args[0];
    vpstate *s = find_p(x->o, pid);
    if (!s || s->status != GTH_PS_IDLE || !seq_succeeds(x->gen, x->args[1], s->seq_gen, s->seq) || x->p != NO_ID)
        return ADV_RETRY;
    CTX(MUST, MUST_NOT, MAY);
    s->status = GTH_PS_RUNNING;
    s->seq_gen = x->gen;
    s->seq = x->args[1];
    push_self(x, x->m, x->p, x->gid);
    x->p = pid;
    return ADV_OK;
}

static adv_result proc_stop(actx *x) {
    char nb[16];
    vpstate *s = find_p(x->o, x->p);
    if (!s)
        return fail(x, GTH_INV_PROC_UNKNOWN, "event %s for proc (%lld) that doesn't exist", ev_name(x, x->code, nb),
                    (long long)x->p);
    if (s->status != GTH_PS_RUNNING && s->status != GTH_PS_SYSCALL)
        return fail(x, GTH_INV_PROC_NOT_RUNNING, "%s event for proc that's not Running or Syscall", ev_name(x, x->code, nb));
    CTX(MUST, MUST, MAY);
    s->status = GTH_PS_IDLE;
    push_self(x, x->m, x->p, x->gid);
    x->p = NO_ID;
    return ADV_OK;
}

static adv_result proc_steal(actx *x) {
    vorder *o = x->o;
    int64_t pid = (int64_t)x->args[0];
    vpstate *s = find_p(o, pid);
    if (!s || (s->status != GTH_PS_SYSCALL && s->status != GTH_PS_ABANDONED) ||
        !seq_succeeds(x->gen, x->args[1], s->seq_gen, s->seq))
        return ADV_RETRY;
    CTX(MUST, MAY, MAY);
    uint8_t old = s->status;
    x->args[3] = old;
    s->status = GTH_PS_IDLE;
    s->seq_gen = x->gen;
    s->seq = x->args[1];
    if (old == GTH_PS_ABANDONED) {
        push_self(x, x->m, x->p, x->gid);
        return ADV_OK;
    }
    int64_t victim = (int64_t)x->args[2];
    if (victim == x->m) {
        if (x->p != pid)
            return fail(x, GTH_INV_PROC_SELF_STEAL, "tried to self-steal proc %lld (thread %lld), but got proc %lld instead",
                        (long long)pid, (long long)victim, (long long)x->p);
        push_self(x, x->m, x->p, x->gid);
        x->p = NO_ID;
        return ADV_OK;
    }
    vmstate *vm = find_m(o, victim);
    if (!vm) return fail(x, GTH_INV_PROC_STEAL_UNKNOWN_THREAD, "stole proc from non-existent thread %lld", (long long)victim);
    if (vm->p != pid)
        return fail(x, GTH_INV_PROC_STEAL_WRONG_PROC, "tried to steal proc %lld from thread %lld, but got proc %lld instead",
                    (long long)pid, (long long)victim, (long long)vm->p);
    vm->p = NO_ID;
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result go_status(actx *x) {
    vorder *o = x->o;
    int64_t gid = (int64_t)x->args[0];
    int64_t mid = (int64_t)x->args[1];
    uint8_t status = (uint8_t)x->args[2];
    if (status >= GTH_GS__COUNT)
        return fail(x, GTH_INV_G_STATUS_VALUE, "invalid status for goroutine %lld: %u", (long long)gid, status);
    uint8_t old = gth_gstatus_state(status);
    vgstate *s = find_g(o, gid);
    if (s) {
        if (s->status != status)
            return fail(x, GTH_INV_G_STATUS_INCONSISTENT, "inconsistent status for goroutine %lld: old %s vs. new %s",
                        (long long)gid, gth_gstatus_name(s->status), gth_gstatus_name(status));
        s->seq_gen = x->gen;
        s->seq = 0;
    } else if (x->gen == o->initial_gen) {
        if (!new_g(o, gid, status, x->gen)) return nomem(x);
        old = GTH_GO_UNDETERMINED;
    } else {
        return fail(x, GTH_INV_G_STATUS_NEW,
                    "found goroutine status for new goroutine after the first generation: id=%lld status=%s",
                    (long long)gid, gth_gstatus_name(status));
    }
    x->args[2] = (uint64_t)old << 32 | status;
    int64_t em = x->m, eg = x->gid;
    int64_t newg = x->gid;
    if (status == GTH_GS_RUNNING) {
        newg = gid;
    } else if (status == GTH_GS_SYSCALL) {
        if (mid == NO_ID)
            return fail(x, GTH_INV_G_SYSCALL_NO_THREAD, "found goroutine %lld in syscall without a thread", (long long)gid);
        if (mid == x->m) {
            if (x->gen != o->initial_gen && x->gid != gid)
                return fail(x, GTH_INV_G_SYSCALL_THREAD,
                            "inconsistent thread for syscalling goroutine %lld: thread has goroutine %lld", (long long)gid,
                            (long long)x->gid);
            newg = gid;
        } else {
            vmstate *ms = find_m(o, mid);
            if (ms) {
                if (ms->g != gid)
                    return fail(x, GTH_INV_G_SYSCALL_THREAD,
                                "inconsistent thread for syscalling goroutine %lld: thread has goroutine %lld",
                                (long long)gid, (long long)ms->g);
                eg = ms->g;
            } else if (!new_m(o, mid, gid, NO_ID)) {
                return nomem(x);
            }
            em = mid;
        }
    }
    push_self(x, em, x->p, eg);
    x->gid = newg;
    return ADV_OK;
}

static adv_result go_create(actx *x) {
    char nb[16];
    vorder *o = x->o;
    CTX(MUST, MUST, MAY);
    vgstate *cur = find_g(o, x->gid);
    if (cur && cur->status != GTH_GS_RUNNING)
        return fail(x, GTH_INV_G_NOT_RUNNING, "%s event for goroutine that's not Running", ev_name(x, x->code, nb));
    int64_t ng = (int64_t)x->args[0];
    if (find_g(o, ng))
        return fail(x, GTH_INV_G_CREATE_EXISTS, "tried to create goroutine (%lld) that already exists", (long long)ng);
    if (!new_g(o, ng, x->code == GTH_EV_GoCreateBlocked ? GTH_GS_WAITING : GTH_GS_RUNNABLE, x->gen)) return nomem(x);
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result go_stop_exec(actx *x) {
    USER_CTX();
    vgstate *s = current_g(x, GTH_GS_RUNNING, GTH_INV_G_NOT_RUNNING, "Running");
    if (!s) return ADV_ERR;
    push_self(x, x->m, x->p, x->gid);
    if (x->code == GTH_EV_GoDestroy) delete_g(x->o, x->gid);
    else s->status = x->code == GTH_EV_GoStop ? GTH_GS_RUNNABLE : GTH_GS_WAITING;
    x->gid = NO_ID;
    return ADV_OK;
}

static adv_result go_start(actx *x) {
    int64_t gid = (int64_t)x->args[0];
    vgstate *s = find_g(x->o, gid);
    if (!s || s->status != GTH_GS_RUNNABLE || !seq_succeeds(x->gen, x->args[1], s->seq_gen, s->seq)) return ADV_RETRY;
    CTX(MUST, MUST, MUST_NOT);
    s->status = GTH_GS_RUNNING;
    s->seq_gen = x->gen;
    s->seq = x->args[1];
    push_self(x, x->m, x->p, x->gid);
    x->gid = gid;
    return ADV_OK;
}

static adv_result go_unblock(actx *x) {
    vgstate *s = find_g(x->o, (int64_t)x->args[0]);
    if (!s || s->status != GTH_GS_WAITING || !seq_succeeds(x->gen, x->args[1], s->seq_gen, s->seq)) return ADV_RETRY;
    s->status = GTH_GS_RUNNABLE;
    s->seq_gen = x->gen;
    s->seq = x->args[1];
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result go_switch(actx *x) {
    vorder *o = x->o;
    USER_CTX();
    vgstate *cur = current_g(x, GTH_GS_RUNNING, GTH_INV_G_NOT_RUNNING, "Running");
    if (!cur) return ADV_ERR;
    int64_t next = (int64_t)x->args[0];
    vgstate *ns = find_g(o, next);
    if (!ns || ns->status != GTH_GS_WAITING || !seq_succeeds(x->gen, x->args[1], ns->seq_gen, ns->seq))
        return ADV_RETRY;
    push_self(x, x->m, x->p, x->gid);
    gth_event *e;
    if (x->code == GTH_EV_GoSwitch) {
        cur->status = GTH_GS_WAITING;
        e = push(x, GTH_EV_GoBlock, x->m, x->p, x->gid); /* GoBlock, no reason, no stack */
    } else {
        e = push(x, GTH_EV_GoDestroy, x->m, x->p, x->gid); /* GoDestroy */
    }
    e->synthetic = 1;
    if (x->code != GTH_EV_GoSwitch) {
        delete_g(o, x->gid);
        ns = find_g(o, next); /* the slab may have been reused */
    }
    ns->status = GTH_GS_RUNNING;
    ns->seq_gen = x->gen;
    ns->seq = x->args[1];
    e = push(x, GTH_EV_GoStart, x->m, x->p, NO_ID); /* GoStart of the next goroutine */
    e->args[0] = (uint64_t)next;
    e->args[1] = x->args[1];
    e->synthetic = 1;
    x->gid = next;
    return ADV_OK;
}

static adv_result syscall_begin(actx *x) {
    char nb[16];
    USER_CTX();
    vgstate *s = current_g(x, GTH_GS_RUNNING, GTH_INV_G_NOT_RUNNING, "Running");
    if (!s) return ADV_ERR;
    s->status = GTH_GS_SYSCALL;
    vpstate *p = find_p(x->o, x->p);
    if (!p)
        return fail(x, GTH_INV_PROC_UNINITIALIZED, "uninitialized proc %lld found during %s", (long long)x->p,
                    ev_name(x, x->code, nb));
    p->status = GTH_PS_SYSCALL;
    if (!seq_succeeds(x->gen, x->args[0], p->seq_gen, p->seq))
        return fail(x, GTH_INV_PROC_SEQ, "failed to advance %s: can't make sequence: %llu (gen=%llu) -> %llu (gen=%llu)",
                    ev_name(x, x->code, nb), (unsigned long long)p->seq, (unsigned long long)p->seq_gen,
                    (unsigned long long)x->args[0], (unsigned long long)x->gen);
    p->seq_gen = x->gen;
    p->seq = x->args[0];
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result syscall_end(actx *x) {
    char nb[16];
    USER_CTX();
    vgstate *s = current_g(x, GTH_GS_SYSCALL, GTH_INV_G_NOT_RUNNING, "Running");
    if (!s) return ADV_ERR;
    s->status = GTH_GS_RUNNING;
    vpstate *p = find_p(x->o, x->p);
    if (!p)
        return fail(x, GTH_INV_PROC_UNINITIALIZED, "uninitialized proc %lld found during %s", (long long)x->p,
                    ev_name(x, x->code, nb));
    if (p->status != GTH_PS_SYSCALL)
        return fail(x, GTH_INV_PROC_NOT_SYSCALL, "expected proc %lld in state Syscall, but got %s instead", (long long)x->p,
                    pstatus_name(p->status));
    p->status = GTH_PS_RUNNING;
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result syscall_end_blocked(actx *x) {
    char nb[16];
    if (x->p != NO_ID) {
        vpstate *p = find_p(x->o, x->p);
        if (!p)
            return fail(x, GTH_INV_PROC_UNINITIALIZED, "uninitialized proc %lld found during %s", (long long)x->p,
                        ev_name(x, x->code, nb));
        if (p->status == GTH_PS_SYSCALL) return ADV_RETRY;
    }
    CTX(MUST, MAY, MUST);
    vgstate *s = current_g(x, GTH_GS_SYSCALL, GTH_INV_G_NOT_RUNNING, "Running");
    if (!s) return ADV_ERR;
    s->status = GTH_GS_RUNNABLE;
    push_self(x, x->m, x->p, x->gid);
    x->gid = NO_ID;
    return ADV_OK;
}

static adv_result create_syscall(actx *x) {
    CTX(MUST, MAY, MUST_NOT);
    int64_t ng = (int64_t)x->args[0];
    if (find_g(x->o, ng))
        return fail(x, GTH_INV_G_CREATE_SYSCALL_EXISTS, "tried to create goroutine (%lld) in syscall that already exists",
                    (long long)ng);
    if (!new_g(x->o, ng, GTH_GS_SYSCALL, x->gen)) return nomem(x);
    push_self(x, x->m, x->p, x->gid);
    x->gid = ng;
    return ADV_OK;
}

static adv_result destroy_syscall(actx *x) {
    char nb[16];
    CTX(MUST, MAY, MUST);
    vgstate *s = current_g(x, GTH_GS_SYSCALL, GTH_INV_G_NOT_SYSCALL, "Syscall");
    if (!s) return ADV_ERR;
    int64_t oldg = x->gid;
    int64_t newp = x->p;
    if (x->p != NO_ID) {
        vpstate *p = find_p(x->o, x->p);
        if (!p)
            return fail(x, GTH_INV_PROC_UNINITIALIZED, "found invalid proc %lld during %s", (long long)x->p,
                        ev_name(x, x->code, nb));
        if (p->status != GTH_PS_SYSCALL)
            return fail(x, GTH_INV_PROC_UNEXPECTED_STATE, "proc %lld in unexpected state %s during %s", (long long)x->p,
                        pstatus_name(p->status), ev_name(x, x->code, nb));
        p->status = GTH_PS_ABANDONED;
        newp = NO_ID;
        gth_event *e = push(x, GTH_EV_ProcSteal, x->m, x->p, x->gid); /* the implicit steal of the proc */
        e->args[0] = (uint64_t)x->p;
        e->args[3] = GTH_PS_SYSCALL;
        e->synthetic = 1;
    }
    delete_g(x->o, oldg);
    push_self(x, x->m, x->p, x->gid);
    x->gid = NO_ID;
    x->p = newp;
    return ADV_OK;
}

static adv_result task_begin(actx *x) {
    vorder *o = x->o;
    uint64_t id = x->args[0];
    if (gth_hmap_get(&o->tidx, id)) return fail(x, GTH_INV_TASK_CONFLICT, "task ID conflict: %llu", (unsigned long long)id);
    if (x->args[1] == 0) x->args[1] = UINT64_MAX; /* background task -> NoTask */
    const uint8_t *name;
    size_t len;
    if (!vgen_string(x->g, x->args[2], &name, &len))
        return fail(x, GTH_INV_ANNOTATION_STRING, "invalid string ID %llu for %u event", (unsigned long long)x->args[2],
                    x->code);
    void *p = o->tasks;
    if (gth_grow(o->a, &p, &o->tasks_cap, o->ntasks + 1, sizeof *o->tasks)) return nomem(x);
    o->tasks = p;
    uint8_t *copy = gth_alloc(o->a, len + 1);
    if (!copy) return nomem(x);
    memcpy(copy, name, len);
    copy[len] = 0;
    /* Task slots are reused through the map: find a free one by index. */
    size_t idx = o->ntasks++;
    if (gth_hmap_put(&o->tidx, id, (uint32_t)idx)) {
        gth_free(o->a, copy, len + 1);
        o->ntasks--;
        return nomem(x);
    }
    o->tasks[idx] = (vtask){x->args[1], copy, len};
    USER_CTX();
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result task_end(actx *x) {
    vorder *o = x->o;
    uint64_t id = x->args[0];
    uint32_t *ip = gth_hmap_get(&o->tidx, id);
    o->taskname.len = 0;
    if (ip) {
        uint32_t idx = *ip;
        vtask *t = &o->tasks[idx];
        x->args[2] = t->parent;
        if (gth_buf_append(&o->taskname, t->name, t->len)) return nomem(x);
        gth_free(o->a, t->name, t->len + 1);
        gth_hmap_del(&o->tidx, id);
        /* Keep the task array dense: move the last task into the freed slot. */
        size_t last = o->ntasks - 1;
        if (idx != last) {
            o->tasks[idx] = o->tasks[last];
            for (size_t i = 0; i < o->tidx.cap; i++)
                if (o->tidx.used[i] && o->tidx.vals[i] == last) {
                    o->tidx.vals[i] = idx;
                    break;
                }
        }
        o->ntasks--;
    } else {
        x->args[2] = UINT64_MAX;
    }
    USER_CTX();
    gth_event *e = push_self(x, x->m, x->p, x->gid);
    e->str = o->taskname.data ? o->taskname.data : (const uint8_t *)"";
    e->str_len = o->taskname.len;
    return ADV_OK;
}

static adv_result region(actx *x) {
    vorder *o = x->o;
    USER_CTX();
    const uint8_t *name;
    size_t len;
    if (!vgen_string(x->g, x->args[1], &name, &len))
        return fail(x, GTH_INV_ANNOTATION_STRING, "invalid string ID %llu for %u event", (unsigned long long)x->args[1],
                    x->code);
    vgstate *s = find_g(o, x->gid);
    int begin = x->code == GTH_EV_UserRegionBegin;
    if (!s)
        return fail(x, GTH_INV_REGION_G_UNKNOWN, "encountered EvUserRegion%s without known state for current goroutine %lld",
                    begin ? "Begin" : "End", (long long)x->gid);
    if (begin) {
        size_t cap = s->regions_cap;
        void *p = s->regions;
        if (gth_grow(o->a, &p, &cap, s->nregions + 1, sizeof *s->regions)) return nomem(x);
        s->regions = p;
        s->regions_cap = (uint32_t)cap;
        uint8_t *copy = gth_alloc(o->a, len + 1);
        if (!copy) return nomem(x);
        memcpy(copy, name, len);
        copy[len] = 0;
        s->regions[s->nregions++] = (vregion){x->args[0], copy, len};
    } else if (s->nregions > 0) {
        vregion *top = &s->regions[s->nregions - 1];
        if (top->task != x->args[0] || top->len != len || memcmp(top->name, name, len) != 0) {
            /* The names' bytes as they are, NULs included. */
            gth_buf t;
            gth_buf_init(&t, o->a);
            gth_buf_printf(&t, "misuse of region in goroutine %llu: region end {%llu ", (unsigned long long)s->id,
                           (unsigned long long)x->args[0]);
            gth_buf_append(&t, name, len);
            gth_buf_printf(&t, "} when the inner-most active region start event is {%llu ",
                           (unsigned long long)top->task);
            gth_buf_append(&t, top->name, top->len);
            gth_buf_putc(&t, '}');
            if (t.failed) {
                gth_buf_free(&t);
                return nomem(x);
            }
            fail(x, GTH_INV_REGION_MISUSE, "%s", "");
            gth_error_setn(x->err, GTH_EINVALID, t.data, t.len);
            gth_buf_free(&t);
            return ADV_ERR;
        }
        gth_free(o->a, top->name, top->len + 1);
        s->nregions--;
    }
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result gc_active(actx *x) {
    vorder *o = x->o;
    uint64_t seq = x->args[0];
    if (x->gen == o->initial_gen) {
        if (o->gc_state != GC_UNDETERMINED)
            return fail(x, GTH_INV_GC_ACTIVE_NOT_FIRST, "GCActive in the first generation isn't first GC event");
        o->gc_seq = seq;
        o->gc_state = GC_RUNNING;
        push_self(x, x->m, x->p, x->gid);
        return ADV_OK;
    }
    if (seq != o->gc_seq + 1) return ADV_RETRY;
    if (o->gc_state != GC_RUNNING)
        return fail(x, GTH_INV_GC_ACTIVE_NOT_RUNNING, "encountered GCActive while GC was not in progress");
    o->gc_seq = seq;
    USER_CTX();
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result gc_begin(actx *x) {
    vorder *o = x->o;
    uint64_t seq = x->args[0];
    if (o->gc_state == GC_UNDETERMINED) {
        o->gc_seq = seq;
        o->gc_state = GC_RUNNING;
        push_self(x, x->m, x->p, x->gid);
        return ADV_OK;
    }
    if (seq != o->gc_seq + 1) return ADV_RETRY;
    if (o->gc_state == GC_RUNNING)
        return fail(x, GTH_INV_GC_BEGIN_RUNNING, "encountered GCBegin while GC was already in progress");
    o->gc_seq = seq;
    o->gc_state = GC_RUNNING;
    USER_CTX();
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result gc_end(actx *x) {
    vorder *o = x->o;
    uint64_t seq = x->args[0];
    if (seq != o->gc_seq + 1) return ADV_RETRY;
    if (o->gc_state == GC_NOT_RUNNING)
        return fail(x, GTH_INV_GC_END_NOT_RUNNING, "encountered GCEnd when GC was not in progress");
    if (o->gc_state == GC_UNDETERMINED)
        return fail(x, GTH_INV_GC_END_UNDETERMINED, "encountered GCEnd when GC was in an undetermined state");
    o->gc_seq = seq;
    o->gc_state = GC_NOT_RUNNING;
    USER_CTX();
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result annotation(actx *x) {
    USER_CTX();
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result heap_metric(actx *x) {
    CTX(MUST, MUST, MAY);
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result alloc_free(actx *x) {
    CTX(MUST, MAY, MAY);
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

/* The proc a thread holds always has a state (only status and start events bind
 * one); this guards that assumption instead of trusting it. */
static vpstate *held_p(actx *x) {
    vpstate *p = find_p(x->o, x->p);
    if (!p) {
        char nb[16];
        fail(x, GTH_INV_PROC_UNINITIALIZED, "uninitialized proc %lld found during %s", (long long)x->p,
             ev_name(x, x->code, nb));
    }
    return p;
}

static adv_result sweep_begin(actx *x) {
    CTX(MUST, MUST, MAY);
    vpstate *p = held_p(x);
    if (!p || begin_range(x, &p->ranges, x->code, 0) != ADV_OK) return ADV_ERR;
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result sweep_active(actx *x) {
    int64_t pid = (int64_t)x->args[0];
    vpstate *p = find_p(x->o, pid);
    if (!p) return fail(x, GTH_INV_RANGE_SWEEP_UNKNOWN_PROC, "encountered GCSweepActive for unknown proc %lld", (long long)pid);
    if (active_range(x, &p->ranges, x->code) != ADV_OK) return ADV_ERR;
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result sweep_end(actx *x) {
    CTX(MUST, MUST, MAY);
    uint64_t desc = 0;
    vpstate *p = held_p(x);
    if (!p || end_range(x, &p->ranges, x->code, &desc) != ADV_OK) return ADV_ERR;
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result g_range_begin(actx *x) {
    USER_CTX();
    uint64_t desc = x->code == GTH_EV_STWBegin ? x->args[0] : 0;
    vgstate *s = find_g(x->o, x->gid);
    if (!s)
        return fail(x, GTH_INV_RANGE_G_UNKNOWN, "encountered event of type %u without known state for current goroutine %lld",
                    x->code, (long long)x->gid);
    if (begin_range(x, &s->ranges, x->code, desc) != ADV_OK) return ADV_ERR;
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result g_range_active(actx *x) {
    char nb[16];
    int64_t gid = (int64_t)x->args[0];
    vgstate *s = find_g(x->o, gid);
    if (!s)
        return fail(x, GTH_INV_RANGE_ACTIVE_G_UNKNOWN, "uninitialized goroutine %lld found during %s", (long long)gid,
                    ev_name(x, x->code, nb));
    if (active_range(x, &s->ranges, x->code) != ADV_OK) return ADV_ERR;
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

static adv_result g_range_end(actx *x) {
    USER_CTX();
    vgstate *s = find_g(x->o, x->gid);
    if (!s)
        return fail(x, GTH_INV_RANGE_G_UNKNOWN, "encountered event of type %u without known state for current goroutine %lld",
                    x->code, (long long)x->gid);
    uint64_t desc = 0;
    if (end_range(x, &s->ranges, x->code, &desc) != ADV_OK) return ADV_ERR;
    if (x->code == GTH_EV_STWEnd) x->args[0] = desc;
    push_self(x, x->m, x->p, x->gid);
    return ADV_OK;
}

/* A switch rather than a table of function pointers: the handlers inline and
 * the dispatch is one predictable jump per event. */
static adv_result dispatch(actx *x) {
    switch (x->code) {
    case GTH_EV_ProcsChange: return annotation(x);
    case GTH_EV_ProcStart: return proc_start(x);
    case GTH_EV_ProcStop: return proc_stop(x);
    case GTH_EV_ProcSteal: return proc_steal(x);
    case GTH_EV_ProcStatus: return proc_status(x);
    case GTH_EV_GoCreate: return go_create(x);
    case GTH_EV_GoCreateSyscall: return create_syscall(x);
    case GTH_EV_GoStart: return go_start(x);
    case GTH_EV_GoDestroy: return go_stop_exec(x);
    case GTH_EV_GoDestroySyscall: return destroy_syscall(x);
    case GTH_EV_GoStop: return go_stop_exec(x);
    case GTH_EV_GoBlock: return go_stop_exec(x);
    case GTH_EV_GoUnblock: return go_unblock(x);
    case GTH_EV_GoSyscallBegin: return syscall_begin(x);
    case GTH_EV_GoSyscallEnd: return syscall_end(x);
    case GTH_EV_GoSyscallEndBlocked: return syscall_end_blocked(x);
    case GTH_EV_GoStatus: return go_status(x);
    case GTH_EV_STWBegin: return g_range_begin(x);
    case GTH_EV_STWEnd: return g_range_end(x);
    case GTH_EV_GCActive: return gc_active(x);
    case GTH_EV_GCBegin: return gc_begin(x);
    case GTH_EV_GCEnd: return gc_end(x);
    case GTH_EV_GCSweepActive: return sweep_active(x);
    case GTH_EV_GCSweepBegin: return sweep_begin(x);
    case GTH_EV_GCSweepEnd: return sweep_end(x);
    case GTH_EV_GCMarkAssistActive: return g_range_active(x);
    case GTH_EV_GCMarkAssistBegin: return g_range_begin(x);
    case GTH_EV_GCMarkAssistEnd: return g_range_end(x);
    case GTH_EV_HeapAlloc: return heap_metric(x);
    case GTH_EV_HeapGoal: return heap_metric(x);
    case GTH_EV_GoLabel: return annotation(x);
    case GTH_EV_UserTaskBegin: return task_begin(x);
    case GTH_EV_UserTaskEnd: return task_end(x);
    case GTH_EV_UserRegionBegin: return region(x);
    case GTH_EV_UserRegionEnd: return region(x);
    case GTH_EV_UserLog: return annotation(x);
    case GTH_EV_GoSwitch: return go_switch(x);
    case GTH_EV_GoSwitchDestroy: return go_switch(x);
    case GTH_EV_GoCreateBlocked: return go_create(x);
    case GTH_EV_GoStatusStack: return go_status(x);
    }
    /* Every experimental (AllocFree) event is ordered alike. */
    const gth_event_spec *spec = gth_spec_event(x->code);
    if (spec && spec->experiment != GTH_EXP_NONE && (spec->flags & GTH_F_TIMED)) return alloc_free(x);
    x->err->inv = GTH_INV_EVENT_BAD_ORDERING_TYPE;
    gth_error_set(x->err, GTH_EINVALID, "bad event type found while ordering: %u", x->code);
    return ADV_ERR;
}

adv_result gth_order_advance(vorder *o, const vgen *g, vcursor *c, gth_error *err) {
    if (o->initial_gen == 0) o->initial_gen = g->gen;
    actx x = {o, g, c, err, c->ev_code, g->gen, {0}, c->ev_time, (int64_t)c->m, NO_ID, NO_ID};
    memcpy(x.args, c->ev_args, sizeof x.args);
    vmstate *ms = NULL;
    if (x.m != NO_ID) {
        if (c->mslot >= 0) {
            ms = &o->mstates[c->mslot]; /* thread states are never removed */
        } else {
            ms = find_m(o, x.m);
            if (!ms && !(ms = new_m(o, x.m, NO_ID, NO_ID))) {
                gth_error_nomem(err);
                return ADV_ERR;
            }
            c->mslot = (int32_t)(ms - o->mstates);
        }
        x.p = ms->p;
        x.gid = ms->g;
    }
    size_t ms_idx = ms ? (size_t)(ms - o->mstates) : 0;
    adv_result r = dispatch(&x);
    if (r == ADV_OK && ms) {
        /* Handlers may grow the thread table, so look the state up again. */
        vmstate *m = &o->mstates[ms_idx];
        m->p = x.p;
        m->g = x.gid;
    }
    return r;
}

void gth_order_dump(const vorder *o, gth_buf *b) {
    for (size_t i = 0; i < o->gidx.cap; i++) {
        if (!o->gidx.used[i]) continue;
        const vgstate *g = &o->gs[o->gidx.vals[i]];
        gth_buf_printf(b, "G %llu [status=%s seq=%llu (gen=%llu)]\n", (unsigned long long)g->id,
                       gth_gstatus_name(g->status), (unsigned long long)g->seq, (unsigned long long)g->seq_gen);
    }
    gth_buf_putc(b, '\n');
    for (size_t i = 0; i < o->nps; i++) {
        const vpstate *p = &o->ps[i];
        gth_buf_printf(b, "P %lld [status=%s seq=%llu (gen=%llu)]\n", (long long)p->id, pstatus_name(p->status),
                       (unsigned long long)p->seq, (unsigned long long)p->seq_gen);
    }
    gth_buf_putc(b, '\n');
    for (size_t i = 0; i < o->nmstates; i++)
        gth_buf_printf(b, "M %lld [g=%lld p=%lld]\n", (long long)o->mkeys[i], (long long)o->mstates[i].g,
                       (long long)o->mstates[i].p);
    gth_buf_putc(b, '\n');
    static const char *const gcs[] = {"Undetermined", "NotRunning", "Running"};
    gth_buf_printf(b, "GC %llu %s\n", (unsigned long long)o->gc_seq, gcs[o->gc_state]);
}
