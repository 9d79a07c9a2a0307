/*
 * Go's test validator, check for check and message for message. Its model is
 * deliberately independent of the reader's: it only sees API views, keeps its
 * own map of which goroutine and proc each thread executes, and never forgets
 * a goroutine (a dead one stays NotExist), exactly as Go's does — the messages
 * for a resource seen before and one never seen differ.
 */
#include "validator/testtrace.h"

#include <stdio.h>
#include <string.h>

#include "base/quote.h"
#include "spec/invariants.h"
#include "validator/hmap.h"

#define NONE_ID ((int64_t)-1)

typedef struct tt_res {
    uint8_t state;
    uint32_t binding; /* index + 1 of the thread context it runs on, 0 = none */
} tt_res;

typedef struct tt_thread {
    int64_t m, p, g;
} tt_thread;

typedef struct tt_ranges {
    uint32_t *names; /* interned range names; duplicates allowed, as in Go */
    uint32_t n, cap;
} tt_ranges;

typedef struct tt_name {
    uint8_t *p;
    size_t n;
    uint64_t hash;
    int32_t next; /* next name with the same hash slot */
} tt_name;

typedef struct tt_task {
    uint8_t *type;
    size_t n;
} tt_task;

struct gth_testtrace {
    const gth_allocator *a;
    unsigned minor;
    int64_t last_ts;
    gth_sync last_sync; /* batches unused */

    gth_hmap gidx, pidx, midx;
    gth_dense gdense, pdense, mdense; /* the same maps for small ids */
    tt_res *gs, *ps;
    size_t ngs, gs_cap, nps, ps_cap;
    /* Go's validator remembers every goroutine it has seen. A goroutine that
     * died (NotExist, on no thread, without ranges) leaves gidx and gs and is
     * kept only as a bit: dead maps id/32 to a 32-bit mask. Runtime goroutine
     * ids are handed out in increasing runs, so this costs well under a byte per
     * dead goroutine, and memory follows the live goroutines. */
    gth_hmap dead;
    /* Stacks of generation ok_gen that check_stack found complete. */
    gth_hmap ok_stacks;
    uint8_t *okv; /* the same for small ids, by id */
    size_t okv_cap;
    uint64_t ok_gen;
    /* Words of dead that filled up (all 32 goroutines dead) leave the map for
     * a sorted list of disjoint runs of word numbers: [lo, hi] pairs. */
    uint64_t *full;
    size_t nfull, full_cap; /* pairs */
    uint32_t *gfree; /* free slots of gs */
    size_t ngfree, gfree_cap;
    uint32_t *rfree; /* free slots of ranges (their names arrays kept for reuse) */
    size_t nrfree, rfree_cap;
    tt_thread *ms;
    size_t nms, ms_cap;

    gth_hmap ridx[4]; /* by resource kind: id -> index into ranges */
    tt_ranges *ranges;
    size_t nranges, ranges_cap;

    gth_hmap nidx; /* name hash -> first index into names */
    tt_name *names;
    size_t nnames, names_cap;

    gth_hmap tidx; /* task id -> index into tasks */
    tt_task *tasks;
    size_t ntasks, tasks_cap;
    uint32_t *task_free;
    size_t ntask_free, task_free_cap;

    /* gth_testtrace_fast's events with no checks beyond the time and the
     * stack, by code: 0 = not one, 1 = no stack, else the index + 2 into
     * gth_event.args of the stack id. */
    uint8_t plain[256];

    /* The failures of the current event. */
    gth_buf msg;
    int first_inv;
    int nomem;
};

/* t->plain: metrics (their names and Uint64 values are fixed), regions, logs
 * and experimental events, whose views cannot fail (the reader checked their
 * strings); the stack is Event.Stack(), the first stack argument (view.c). */
static void plain_init(uint8_t *plain) {
    memset(plain, 0, 256);
    for (unsigned code = 0; code < GTH_NUM_CODES; code++) {
        const gth_event_spec *s = gth_spec_event(code);
        if (!s) continue;
        switch (gth_view_kind((uint8_t)code)) {
        case GTH_KIND_METRIC:
        case GTH_KIND_REGION_BEGIN:
        case GTH_KIND_REGION_END:
        case GTH_KIND_LOG:
        case GTH_KIND_EXPERIMENTAL: break;
        default: continue;
        }
        unsigned i = s->stack_mask ? (unsigned)__builtin_ctz(s->stack_mask) : 0;
        plain[code] = (uint8_t)(i >= 1 && i <= 4 ? i + 1 : 1);
    }
}

gth_testtrace *gth_testtrace_new(const gth_allocator *a, unsigned minor) {
    if (!a) a = gth_default_allocator();
    gth_testtrace *t = gth_calloc(a, 1, sizeof *t);
    if (!t) return NULL;
    t->a = a;
    t->minor = minor;
    plain_init(t->plain);
    gth_hmap_init(&t->gidx, a);
    gth_hmap_init(&t->dead, a);
    gth_hmap_init(&t->ok_stacks, a);
    gth_hmap_init(&t->pidx, a);
    gth_hmap_init(&t->midx, a);
    for (int i = 0; i < 4; i++) gth_hmap_init(&t->ridx[i], a);
    gth_hmap_init(&t->nidx, a);
    gth_hmap_init(&t->tidx, a);
    gth_buf_init(&t->msg, a);
    return t;
}

void gth_testtrace_free(gth_testtrace *t) {
    if (!t) return;
    const gth_allocator *a = t->a;
    gth_hmap_free(&t->gidx);
    gth_hmap_free(&t->dead);
    gth_hmap_free(&t->ok_stacks);
    gth_free(a, t->okv, t->okv_cap);
    gth_free(a, t->full, t->full_cap * 2 * sizeof *t->full);
    gth_free(a, t->gfree, t->gfree_cap * sizeof *t->gfree);
    gth_free(a, t->rfree, t->rfree_cap * sizeof *t->rfree);
    gth_hmap_free(&t->pidx);
    gth_hmap_free(&t->midx);
    gth_dense_free(&t->gdense, a);
    gth_dense_free(&t->pdense, a);
    gth_dense_free(&t->mdense, a);
    for (int i = 0; i < 4; i++) gth_hmap_free(&t->ridx[i]);
    gth_hmap_free(&t->nidx);
    gth_hmap_free(&t->tidx);
    gth_free(a, t->gs, t->gs_cap * sizeof *t->gs);
    gth_free(a, t->ps, t->ps_cap * sizeof *t->ps);
    gth_free(a, t->ms, t->ms_cap * sizeof *t->ms);
    for (size_t i = 0; i < t->nranges; i++) gth_free(a, t->ranges[i].names, t->ranges[i].cap * sizeof(uint32_t));
    gth_free(a, t->ranges, t->ranges_cap * sizeof *t->ranges);
    for (size_t i = 0; i < t->nnames; i++) gth_free(a, t->names[i].p, t->names[i].n + 1);
    gth_free(a, t->names, t->names_cap * sizeof *t->names);
    for (size_t i = 0; i < t->ntasks; i++) gth_free(a, t->tasks[i].type, t->tasks[i].n + 1);
    gth_free(a, t->tasks, t->tasks_cap * sizeof *t->tasks);
    gth_free(a, t->task_free, t->task_free_cap * sizeof *t->task_free);
    gth_buf_free(&t->msg);
    gth_free(a, t, sizeof *t);
}

const char *gth_testtrace_message(const gth_testtrace *t, size_t *len) {
    if (len) *len = t->msg.len;
    return t->msg.len ? (const char *)t->msg.data : "";
}

/* ---- Accumulating failures ---------------------------------------------------- */

/* Starts the next failure's text (Go joins them with newlines). */
static gth_buf *next_err(gth_testtrace *t, int inv) {
    if (t->first_inv) gth_buf_putc(&t->msg, '\n');
    else t->first_inv = inv;
    return &t->msg;
}

static void errf(gth_testtrace *t, int inv, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(gth_testtrace *t, int inv, const char *fmt, ...) {
    gth_buf *b = next_err(t, inv);
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    gth_buf_append(b, small, (size_t)n < sizeof small ? (size_t)n : sizeof small - 1);
}

static void put_str(gth_buf *b, const char *s) { gth_buf_append(b, s, strlen(s)); }

/* ---- Tables ----------------------------------------------------------------------- */

static int grow(gth_testtrace *t, void **p, size_t *cap, size_t need, size_t size) {
    if (gth_grow(t->a, p, cap, need, size)) {
        t->nomem = 1;
        return -1;
    }
    return 0;
}

/* Index of the first run whose hi >= w (nfull if none). */
static size_t full_find(const gth_testtrace *t, uint64_t w) {
    size_t lo = 0, hi = t->nfull;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->full[2 * mid + 1] < w) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int full_has(const gth_testtrace *t, uint64_t w) {
    size_t i = full_find(t, w);
    return i < t->nfull && t->full[2 * i] <= w;
}

/* Adds word w (not in the list) to the runs; -1 when out of memory. */
static int full_add(gth_testtrace *t, uint64_t w) {
    size_t i = full_find(t, w);
    int join_prev = i > 0 && t->full[2 * (i - 1) + 1] + 1 == w;
    int join_next = i < t->nfull && w != UINT64_MAX && t->full[2 * i] == w + 1;
    if (join_prev && join_next) { /* w closes the gap between two runs */
        t->full[2 * (i - 1) + 1] = t->full[2 * i + 1];
        memmove(&t->full[2 * i], &t->full[2 * i + 2], (t->nfull - i - 1) * 2 * sizeof *t->full);
        t->nfull--;
    } else if (join_prev) {
        t->full[2 * (i - 1) + 1] = w;
    } else if (join_next) {
        t->full[2 * i] = w;
    } else {
        if (t->nfull == t->full_cap) {
            void *p = t->full;
            size_t cap = t->full_cap;
            if (grow(t, &p, &cap, t->nfull + 1, 2 * sizeof *t->full)) return -1;
            t->full = p;
            t->full_cap = cap;
        }
        memmove(&t->full[2 * i + 2], &t->full[2 * i], (t->nfull - i) * 2 * sizeof *t->full);
        t->full[2 * i] = t->full[2 * i + 1] = w;
        t->nfull++;
    }
    return 0;
}

/* Takes word w out of its run (it is in one); -1 when out of memory. */
static int full_remove(gth_testtrace *t, uint64_t w) {
    size_t i = full_find(t, w);
    uint64_t lo = t->full[2 * i], hi = t->full[2 * i + 1];
    if (lo == hi) {
        memmove(&t->full[2 * i], &t->full[2 * i + 2], (t->nfull - i - 1) * 2 * sizeof *t->full);
        t->nfull--;
    } else if (w == lo) {
        t->full[2 * i] = w + 1;
    } else if (w == hi) {
        t->full[2 * i + 1] = w - 1;
    } else { /* split */
        t->full[2 * i + 1] = w - 1;
        if (full_add(t, w + 1) == 0) { /* w + 1 starts a new run: extend it to hi */
            size_t j = full_find(t, w + 1);
            t->full[2 * j + 1] = hi;
        } else {
            return -1;
        }
    }
    return 0;
}

static int dead_has(const gth_testtrace *t, int64_t id) {
    uint64_t w = (uint64_t)id >> 5;
    const uint32_t *m = gth_hmap_get(&t->dead, w);
    if (m) return *m >> ((uint64_t)id & 31) & 1;
    return t->nfull && full_has(t, w);
}

/* Removes id from the dead set; returns whether it was there. */
static int dead_take(gth_testtrace *t, int64_t id) {
    uint64_t w = (uint64_t)id >> 5;
    uint32_t bit = 1u << ((uint64_t)id & 31);
    uint32_t *m = gth_hmap_get(&t->dead, w);
    if (!m) {
        if (!t->nfull || !full_has(t, w)) return 0;
        if (full_remove(t, w) || gth_hmap_put(&t->dead, w, ~bit)) {
            t->nomem = 1;
            return 1;
        }
        return 1;
    }
    if (!(*m & bit)) return 0;
    *m &= ~bit;
    if (!*m) gth_hmap_del(&t->dead, w);
    return 1;
}

/* Adds id to the dead set. */
static void dead_put(gth_testtrace *t, int64_t id) {
    uint64_t w = (uint64_t)id >> 5;
    uint32_t bit = 1u << ((uint64_t)id & 31);
    uint32_t *m = gth_hmap_get(&t->dead, w);
    if (!m) {
        if (gth_hmap_put(&t->dead, w, bit)) t->nomem = 1;
        return;
    }
    *m |= bit;
    if (*m == UINT32_MAX) {
        if (full_add(t, w)) return;
        gth_hmap_del(&t->dead, w);
    }
}

/* The state of a goroutine or proc, created on first sight (a dead goroutine
 * comes back in state NotExist, as Go's map would still hold it). */
static tt_res *res_add(gth_testtrace *t, int proc, int64_t id, int *created);

static inline tt_res *res_get(gth_testtrace *t, int proc, int64_t id, int *created) {
    uint32_t i;
    *created = 0;
    if (gth_dense_get(proc ? &t->pdense : &t->gdense, proc ? &t->pidx : &t->gidx, (uint64_t)id, &i))
        return proc ? &t->ps[i] : &t->gs[i];
    return res_add(t, proc, id, created);
}

/* res_get for a resource not in the tables. */
static tt_res *res_add(gth_testtrace *t, int proc, int64_t id, int *created) {
    gth_hmap *m = proc ? &t->pidx : &t->gidx;
    gth_dense *d = proc ? &t->pdense : &t->gdense;
    tt_res **v = proc ? &t->ps : &t->gs;
    size_t *n = proc ? &t->nps : &t->ngs, *cap = proc ? &t->ps_cap : &t->gs_cap;
    int was_dead = !proc && dead_take(t, id);
    uint32_t slot;
    if (!proc && t->ngfree) {
        slot = t->gfree[t->ngfree - 1];
    } else {
        void *p = *v;
        if (grow(t, &p, cap, *n + 1, sizeof **v)) return NULL;
        *v = p;
        slot = (uint32_t)*n;
    }
    if (gth_dense_reserve(d, t->a, (uint64_t)id) || gth_hmap_put(m, (uint64_t)id, slot)) {
        t->nomem = 1;
        return NULL;
    }
    gth_dense_set(d, (uint64_t)id, slot);
    if (!proc && t->ngfree && slot == t->gfree[t->ngfree - 1]) t->ngfree--;
    else (*n)++;
    *created = !was_dead;
    tt_res *r = &(*v)[slot];
    r->state = was_dead ? GTH_GO_NOTEXIST : 0;
    r->binding = 0;
    return r;
}

static tt_thread *thread_at(gth_testtrace *t, uint32_t binding) { return &t->ms[binding - 1]; }

/* Go's getOrCreateThread: the thread's context, or an error for none. Returns
 * the binding (index + 1), 0 for none. */
static uint32_t thread_add(gth_testtrace *t, int64_t m);

static inline uint32_t thread_get(gth_testtrace *t, int64_t m) {
    uint32_t i;
    if (m != NONE_ID && gth_dense_get(&t->mdense, &t->midx, (uint64_t)m, &i)) return i + 1;
    return thread_add(t, m);
}

/* thread_get for none or a thread not in the table. */
static uint32_t thread_add(gth_testtrace *t, int64_t m) {
    if (m == NONE_ID) {
        errf(t, GTH_INV_VALIDATE_NO_THREAD, "must have thread, but thread ID is none");
        return 0;
    }
    void *p = t->ms;
    if (grow(t, &p, &t->ms_cap, t->nms + 1, sizeof *t->ms)) return 0;
    t->ms = p;
    if (gth_dense_reserve(&t->mdense, t->a, (uint64_t)m) || gth_hmap_put(&t->midx, (uint64_t)m, (uint32_t)t->nms)) {
        t->nomem = 1;
        return 0;
    }
    gth_dense_set(&t->mdense, (uint64_t)m, (uint32_t)t->nms);
    t->ms[t->nms] = (tt_thread){m, NONE_ID, NONE_ID};
    return (uint32_t)++t->nms;
}

static uint64_t hash_bytes(const uint8_t *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* Interns a range name; returns its index, or -1 when out of memory. */
static int64_t intern(gth_testtrace *t, gth_bytes s) {
    uint64_t h = hash_bytes(s.p, s.n);
    uint32_t *first = gth_hmap_get(&t->nidx, h);
    if (first) {
        for (int32_t i = (int32_t)*first; i >= 0; i = t->names[i].next)
            if (t->names[i].n == s.n && (s.n == 0 || !memcmp(t->names[i].p, s.p, s.n))) return i;
    }
    void *p = t->names;
    if (grow(t, &p, &t->names_cap, t->nnames + 1, sizeof *t->names)) return -1;
    t->names = p;
    uint8_t *copy = gth_alloc(t->a, s.n + 1);
    if (!copy) return t->nomem = 1, -1;
    if (s.n) memcpy(copy, s.p, s.n);
    copy[s.n] = 0;
    int32_t idx = (int32_t)t->nnames;
    if (gth_hmap_put(&t->nidx, h, (uint32_t)idx)) {
        gth_free(t->a, copy, s.n + 1);
        return t->nomem = 1, -1;
    }
    t->names[t->nnames++] = (tt_name){copy, s.n, h, first ? (int32_t)*first : -1};
    return idx;
}

/* The range list of a resource; create: make it if missing (else NULL). */
static tt_ranges *ranges_of(gth_testtrace *t, gth_resource r, int create) {
    gth_hmap *m = &t->ridx[r.kind & 3];
    uint32_t *i = gth_hmap_get(m, (uint64_t)r.id);
    if (i) return &t->ranges[*i];
    if (!create) return NULL;
    if (t->nrfree) {
        uint32_t slot = t->rfree[t->nrfree - 1];
        if (gth_hmap_put(m, (uint64_t)r.id, slot)) return t->nomem = 1, NULL;
        t->nrfree--;
        t->ranges[slot].n = 0; /* its names array is reused */
        return &t->ranges[slot];
    }
    void *p = t->ranges;
    if (grow(t, &p, &t->ranges_cap, t->nranges + 1, sizeof *t->ranges)) return NULL;
    t->ranges = p;
    if (gth_hmap_put(m, (uint64_t)r.id, (uint32_t)t->nranges)) return t->nomem = 1, NULL;
    tt_ranges *l = &t->ranges[t->nranges++];
    memset(l, 0, sizeof *l);
    return l;
}

static int push_free(gth_testtrace *t, uint32_t **v, size_t *n, size_t *cap, uint32_t slot) {
    void *p = *v;
    if (grow(t, &p, cap, *n + 1, sizeof **v)) return -1;
    *v = p;
    (*v)[(*n)++] = slot;
    return 0;
}

/* A goroutine that died on no thread with no ranges becomes a bit in the dead
 * set; nothing Go's validator checks can tell the difference. */
static void g_retire(gth_testtrace *t, int64_t id) {
    uint32_t *gi = gth_hmap_get(&t->gidx, (uint64_t)id);
    if (!gi || t->gs[*gi].binding) return;
    gth_hmap *rm = &t->ridx[GTH_RES_GOROUTINE & 3];
    uint32_t *ri = gth_hmap_get(rm, (uint64_t)id);
    if (ri && t->ranges[*ri].n) return;
    dead_put(t, id);
    if (t->nomem) return;
    if (ri) {
        if (push_free(t, &t->rfree, &t->nrfree, &t->rfree_cap, *ri)) return;
        gth_hmap_del(rm, (uint64_t)id);
    }
    if (push_free(t, &t->gfree, &t->ngfree, &t->gfree_cap, *gi)) return;
    gth_hmap_del(&t->gidx, (uint64_t)id);
    gth_dense_del(&t->gdense, (uint64_t)id);
}

static int has_range(gth_testtrace *t, gth_resource r, int64_t name) {
    tt_ranges *l = ranges_of(t, r, 0);
    if (!l) return 0;
    for (uint32_t i = 0; i < l->n; i++)
        if (l->names[i] == (uint32_t)name) return 1;
    return 0;
}

static int has_any_range(gth_testtrace *t, gth_resource r) {
    tt_ranges *l = ranges_of(t, r, 0);
    return l && l->n != 0;
}

static void add_range(gth_testtrace *t, gth_resource r, int64_t name) {
    tt_ranges *l = ranges_of(t, r, 1);
    if (!l) return;
    size_t cap = l->cap;
    void *p = l->names;
    if (grow(t, &p, &cap, (size_t)l->n + 1, sizeof *l->names)) return;
    l->names = p;
    l->cap = (uint32_t)cap;
    l->names[l->n++] = (uint32_t)name;
}

/* Removes the first occurrence, keeping the order of the rest. */
static void delete_range(gth_testtrace *t, gth_resource r, int64_t name) {
    tt_ranges *l = ranges_of(t, r, 0);
    if (!l) return;
    for (uint32_t i = 0; i < l->n; i++) {
        if (l->names[i] != (uint32_t)name) continue;
        memmove(&l->names[i], &l->names[i + 1], (l->n - i - 1) * sizeof *l->names);
        l->n--;
        return;
    }
}

/* ---- Checks ------------------------------------------------------------------------------ */

/* Go's checkStack: every frame after the first must be complete. The answer
 * depends only on the stack's frames in the generation's tables, so stacks
 * found complete are remembered for the rest of their generation. */
static void check_stack_frames(gth_testtrace *t, const gth_view *v, gth_stack_ref s, uint64_t gen);

/* By pointer, and field by field: a copy of the whole reference would load
 * its padding next to the byte the view just stored, which the processor
 * cannot forward from the store and waits for. */
static inline void check_stack(gth_testtrace *t, const gth_view *v, const gth_stack_ref *s) {
    uint64_t id = s->id;
    if (!s->present || id == 0) return;
    uint64_t gen = v->ev ? v->ev->gen : 0;
    if (gen && gen == t->ok_gen && id < t->okv_cap && t->okv[id]) return; /* known complete */
    check_stack_frames(t, v, (gth_stack_ref){1, id}, gen);
}

static void check_stack_frames(gth_testtrace *t, const gth_view *v, gth_stack_ref s, uint64_t gen) {
    if (gen) {
        if (gen != t->ok_gen) {
            gth_hmap_clear(&t->ok_stacks);
            if (t->okv_cap) memset(t->okv, 0, t->okv_cap);
            t->ok_gen = gen;
        }
        if (s.id < t->okv_cap ? t->okv[s.id] : gth_hmap_get(&t->ok_stacks, s.id) != NULL) return;
    }
    int complete = 1;
    long n = gth_view_stack_len(v, s);
    for (long i = 1; i < n; i++) {
        gth_frame f;
        if (gth_view_stack_frame(v, s, (size_t)i, &f)) break;
        if (f.func_len && f.file_len && f.pc && f.line) continue;
        complete = 0;
        gth_buf *b = next_err(t, GTH_INV_VALIDATE_STACK_FRAME);
        gth_buf_printf(b, "invalid stack frame trace.StackFrame{PC:0x%llx, Func:", (unsigned long long)f.pc);
        gth_quote_append(b, f.func, f.func_len);
        put_str(b, ", File:");
        gth_quote_append(b, f.file, f.file_len);
        gth_buf_printf(b, ", Line:0x%llx}: missing information", (unsigned long long)f.line);
    }
    if (!gen || !complete) return;
    /* Runtime stack ids are small and dense: a byte per id up to 64 Ki. */
    if (s.id >= t->okv_cap && s.id < ((uint64_t)1 << 16)) {
        size_t cap = t->okv_cap, old = cap;
        void *p = t->okv;
        if (grow(t, &p, &cap, (size_t)s.id + 1, 1)) return;
        t->okv = p;
        memset(t->okv + old, 0, cap - old);
        t->okv_cap = cap;
    }
    if (s.id < t->okv_cap) t->okv[s.id] = 1;
    else if (gth_hmap_put(&t->ok_stacks, s.id, 1)) t->nomem = 1;
}

/* time.Time's internal seconds (since year 1) wrap like Go's. */
static int64_t wall_ext(const gth_clock *c) { return (int64_t)((uint64_t)c->wall_sec + 62135596800ull); }

static void check_sync(gth_testtrace *t, const gth_view *v) {
    const gth_sync *s = &v->u.sync;
    if (s->n != t->last_sync.n + 1)
        errf(t, GTH_INV_VALIDATE_SYNC_SEQUENCE, "sync count is not sequential: expected %lld, got %lld",
             (long long)(t->last_sync.n + 1), (long long)s->n);
    /* Table-less Syncs (the end of the trace, before an error) are not checked. */
    if (t->minor >= 25 && !(s->n > 1 && !s->has_clock)) {
        if (!s->has_clock) {
            errf(t, GTH_INV_VALIDATE_SYNC_NO_CLOCK, "sync %lld has no clock snapshot", (long long)s->n);
        } else {
            const gth_clock *c = &s->clock, *p = &t->last_sync.clock;
            if (wall_ext(c) == 0 && c->wall_nsec == 0)
                errf(t, GTH_INV_VALIDATE_SYNC_ZERO_WALL, "sync %lld has zero wall time", (long long)s->n);
            if (c->mono == 0) errf(t, GTH_INV_VALIDATE_SYNC_ZERO_MONO, "sync %lld has zero mono time", (long long)s->n);
            if (c->trace == 0)
                errf(t, GTH_INV_VALIDATE_SYNC_ZERO_TRACE, "sync %lld has zero trace time", (long long)s->n);
            if (s->n >= 2) {
                if (!t->last_sync.has_clock) {
                    /* Go dereferences the previous snapshot: a panic that
                     * replaces whatever this event had failed so far. */
                    t->msg.len = 0;
                    t->first_inv = 0;
                    errf(t, GTH_INV_VALIDATE_PANIC_SYNC_CLOCK,
                         "panic: runtime error: invalid memory address or nil pointer dereference");
                    return;
                }
                int64_t ce = wall_ext(c), pe = wall_ext(p);
                if (!(ce > pe || (ce == pe && c->wall_nsec > p->wall_nsec))) {
                    gth_buf *b = next_err(t, GTH_INV_VALIDATE_SYNC_WALL_ORDER);
                    gth_buf_printf(b, "sync %lld has non-increasing wall time: ", (long long)s->n);
                    gth_go_time_append(b, c->wall_sec, c->wall_nsec, 0);
                    put_str(b, " vs ");
                    gth_go_time_append(b, p->wall_sec, p->wall_nsec, 0);
                }
                if (!(c->mono > p->mono))
                    errf(t, GTH_INV_VALIDATE_SYNC_MONO_ORDER, "sync %lld has non-increasing mono time: %llu vs %llu",
                         (long long)s->n, (unsigned long long)c->mono, (unsigned long long)p->mono);
                if (!(c->trace > p->trace))
                    errf(t, GTH_INV_VALIDATE_SYNC_TRACE_ORDER, "sync %lld has non-increasing trace time: %lld vs %lld",
                         (long long)s->n, (long long)c->trace, (long long)p->trace);
            }
        }
    }
    t->last_sync = *s;
    t->last_sync.nbatches = 0;
    t->last_sync.batches = NULL;
}

static void check_label(gth_testtrace *t, const gth_view *v) {
    const gth_label *l = &v->u.label;
    if (l->label.n == 0) errf(t, GTH_INV_VALIDATE_LABEL_EMPTY, "invalid label \"\"");
    switch (l->resource.kind) {
    case GTH_RES_NONE: errf(t, GTH_INV_VALIDATE_LABEL_RESOURCE_NONE, "label resource none"); break;
    case GTH_RES_GOROUTINE:
        if (!gth_hmap_get(&t->gidx, (uint64_t)l->resource.id) && !dead_has(t, l->resource.id))
            errf(t, GTH_INV_VALIDATE_LABEL_GOROUTINE, "label for invalid goroutine %lld", (long long)l->resource.id);
        break;
    case GTH_RES_PROC:
        if (!gth_hmap_get(&t->pidx, (uint64_t)l->resource.id))
            errf(t, GTH_INV_VALIDATE_LABEL_PROC, "label for invalid proc %lld", (long long)l->resource.id);
        break;
    case GTH_RES_THREAD:
        if (!gth_hmap_get(&t->midx, (uint64_t)l->resource.id))
            errf(t, GTH_INV_VALIDATE_LABEL_THREAD, "label for invalid thread %lld", (long long)l->resource.id);
        break;
    }
}

static void check_goroutine(gth_testtrace *t, const gth_view *v, const gth_transition *tr) {
    int64_t id = tr->resource.id;
    uint8_t from = tr->old_state, to = tr->new_state;
    if (to == GTH_GO_UNDETERMINED)
        errf(t, GTH_INV_VALIDATE_G_UNDETERMINED_NEW, "transition to undetermined state for goroutine %lld", (long long)id);
    if (t->last_sync.n > 1 && from == GTH_GO_UNDETERMINED)
        errf(t, GTH_INV_VALIDATE_G_UNDETERMINED_AFTER_SYNC, "undetermined goroutine %lld after first global sync",
             (long long)id);
    if (to == GTH_GO_NOTEXIST && has_any_range(t, tr->resource))
        errf(t, GTH_INV_VALIDATE_G_DIED_WITH_RANGES, "goroutine %lld died with active ranges", (long long)id);
    int created;
    tt_res *s = res_get(t, 0, id, &created);
    if (!s) return;
    if (!created) {
        if (from != s->state)
            errf(t, GTH_INV_VALIDATE_G_BAD_OLD_STATE, "bad old state for goroutine %lld: got %s, want %s", (long long)id,
                 gth_go_state_name(from), gth_go_state_name(s->state));
    } else if (from != GTH_GO_UNDETERMINED && from != GTH_GO_NOTEXIST) {
        errf(t, GTH_INV_VALIDATE_G_BAD_OLD_STATE_UNREGISTERED, "bad old state for unregistered goroutine %lld: %s",
             (long long)id, gth_go_state_name(from));
    }
    s->state = to;
    if (gth_go_state_executing(to)) {
        uint32_t b = thread_get(t, v->m);
        if (b) {
            tt_thread *c = thread_at(t, b);
            if (c->g != NONE_ID && c->g != id)
                errf(t, GTH_INV_VALIDATE_G_RUN_BUSY_THREAD,
                     "tried to run goroutine %lld when one was already executing (%lld) on thread %lld", (long long)id,
                     (long long)c->g, (long long)v->m);
            c->g = id;
            s->binding = b;
        }
    } else if (gth_go_state_executing(from)) {
        if (!gth_stack_ref_eq(tr->stack, v->stack))
            errf(t, GTH_INV_VALIDATE_G_STACK_MISMATCH, "StateTransition.Stack doesn't match Event.Stack");
        if (s->binding) {
            tt_thread *c = thread_at(t, s->binding);
            if (c->g != id)
                errf(t, GTH_INV_VALIDATE_G_STOP_NOT_EXECUTING,
                     "tried to stop goroutine %lld when it wasn't currently executing (currently executing %lld) on "
                     "thread %lld",
                     (long long)id, (long long)c->g, (long long)v->m);
            c->g = NONE_ID;
            s->binding = 0;
        } else {
            errf(t, GTH_INV_VALIDATE_G_STOP_UNBOUND, "stopping goroutine %lld not bound to any active context",
                 (long long)id);
        }
    }
    if (to == GTH_GO_NOTEXIST) g_retire(t, id);
}

static void check_proc(gth_testtrace *t, const gth_view *v, const gth_transition *tr) {
    int64_t id = tr->resource.id;
    uint8_t from = tr->old_state, to = tr->new_state;
    if (to == GTH_PROC_UNDETERMINED)
        errf(t, GTH_INV_VALIDATE_P_UNDETERMINED_NEW, "transition to undetermined state for proc %lld", (long long)id);
    if (t->last_sync.n > 1 && from == GTH_PROC_UNDETERMINED)
        errf(t, GTH_INV_VALIDATE_P_UNDETERMINED_AFTER_SYNC, "undetermined proc %lld after first global sync",
             (long long)id);
    if (to == GTH_PROC_NOTEXIST && has_any_range(t, tr->resource))
        errf(t, GTH_INV_VALIDATE_P_DIED_WITH_RANGES, "proc %lld died with active ranges", (long long)id);
    int created;
    tt_res *s = res_get(t, 1, id, &created);
    if (!s) return;
    if (!created) {
        if (from != s->state)
            errf(t, GTH_INV_VALIDATE_P_BAD_OLD_STATE, "bad old state for proc %lld: got %s, want %s", (long long)id,
                 gth_proc_state_name(from), gth_proc_state_name(s->state));
    } else if (from != GTH_PROC_UNDETERMINED && from != GTH_PROC_NOTEXIST) {
        errf(t, GTH_INV_VALIDATE_P_BAD_OLD_STATE_UNREGISTERED, "bad old state for unregistered proc %lld: %s",
             (long long)id, gth_proc_state_name(from));
    }
    s->state = to;
    if (gth_proc_state_executing(to)) {
        uint32_t b = thread_get(t, v->m);
        if (b) {
            tt_thread *c = thread_at(t, b);
            if (c->p != NONE_ID && c->p != id)
                errf(t, GTH_INV_VALIDATE_P_RUN_BUSY_THREAD,
                     "tried to run proc %lld when one was already executing (%lld) on thread %lld", (long long)id,
                     (long long)c->p, (long long)v->m);
            c->p = id;
            s->binding = b;
        }
    } else if (gth_proc_state_executing(from)) {
        if (s->binding) {
            tt_thread *c = thread_at(t, s->binding);
            if (c->p != id)
                errf(t, GTH_INV_VALIDATE_P_STOP_NOT_EXECUTING,
                     "tried to stop proc %lld when it wasn't currently executing (currently executing %lld) on thread "
                     "%lld",
                     (long long)id, (long long)c->p, (long long)c->m);
            c->p = NONE_ID;
            s->binding = 0;
        } else {
            errf(t, GTH_INV_VALIDATE_P_STOP_UNBOUND, "stopping proc %lld not bound to any active context", (long long)id);
        }
    }
}

static void range_err(gth_testtrace *t, int inv, const char *pre, const gth_range *r, const char *post) {
    gth_buf *b = next_err(t, inv);
    put_str(b, pre);
    gth_quote_append(b, r->name.p, r->name.n);
    put_str(b, " on ");
    gth_resource_append(b, r->scope);
    put_str(b, post);
}

static void check_range(gth_testtrace *t, const gth_view *v) {
    const gth_range *r = &v->u.range;
    int64_t name = intern(t, r->name);
    if (name < 0) return;
    switch (v->kind) {
    case GTH_KIND_RANGE_BEGIN:
        if (has_range(t, r->scope, name))
            range_err(t, GTH_INV_VALIDATE_RANGE_BEGUN_AGAIN, "already active range ", r, " begun again");
        add_range(t, r->scope, name);
        break;
    case GTH_KIND_RANGE_ACTIVE:
        if (!has_range(t, r->scope, name)) add_range(t, r->scope, name);
        break;
    default:
        if (!has_range(t, r->scope, name))
            range_err(t, GTH_INV_VALIDATE_RANGE_INACTIVE_END, "inactive range ", r, " ended");
        delete_range(t, r->scope, name);
        break;
    }
}

static void check_task_begin(gth_testtrace *t, const gth_task *k) {
    if (k->id == UINT64_MAX || k->id == 0) {
        gth_buf *b = next_err(t, GTH_INV_VALIDATE_TASK_INVALID_ID);
        put_str(b, "found invalid task ID for task of type ");
        gth_buf_append(b, k->type.p, k->type.n);
    }
    if (k->parent == 0) {
        gth_buf *b = next_err(t, GTH_INV_VALIDATE_TASK_BACKGROUND_PARENT);
        put_str(b, "found background task as the parent for task of type ");
        gth_buf_append(b, k->type.p, k->type.n);
    }
    uint8_t *copy = gth_alloc(t->a, k->type.n + 1);
    if (!copy) {
        t->nomem = 1;
        return;
    }
    if (k->type.n) memcpy(copy, k->type.p, k->type.n);
    copy[k->type.n] = 0;
    uint32_t *i = gth_hmap_get(&t->tidx, k->id);
    if (i) { /* Go overwrites the recorded type */
        tt_task *e = &t->tasks[*i];
        gth_free(t->a, e->type, e->n + 1);
        *e = (tt_task){copy, k->type.n};
        return;
    }
    uint32_t idx;
    if (t->ntask_free) {
        idx = t->task_free[--t->ntask_free];
    } else {
        void *p = t->tasks;
        if (grow(t, &p, &t->tasks_cap, t->ntasks + 1, sizeof *t->tasks)) {
            gth_free(t->a, copy, k->type.n + 1);
            return;
        }
        t->tasks = p;
        idx = (uint32_t)t->ntasks++;
    }
    t->tasks[idx] = (tt_task){copy, k->type.n};
    if (gth_hmap_put(&t->tidx, k->id, idx)) {
        gth_free(t->a, copy, k->type.n + 1);
        t->tasks[idx] = (tt_task){NULL, 0};
        t->nomem = 1;
        /* the slot stays allocated but empty; it is freed with the table */
    }
}

static void check_task_end(gth_testtrace *t, const gth_task *k) {
    uint32_t *i = gth_hmap_get(&t->tidx, k->id);
    if (!i) return; /* an end without a begin carries no information */
    uint32_t idx = *i;
    tt_task *e = &t->tasks[idx];
    if (e->n != k->type.n || (e->n && memcmp(e->type, k->type.p, e->n))) {
        gth_buf *b = next_err(t, GTH_INV_VALIDATE_TASK_TYPE_MISMATCH);
        put_str(b, "task end type ");
        gth_quote_append(b, k->type.p, k->type.n);
        put_str(b, " doesn't match task start type ");
        gth_quote_append(b, e->type, e->n);
        gth_buf_printf(b, " for task %llu", (unsigned long long)k->id);
    }
    gth_free(t->a, e->type, e->n + 1);
    *e = (tt_task){NULL, 0};
    gth_hmap_del(&t->tidx, k->id);
    void *p = t->task_free;
    if (grow(t, &p, &t->task_free_cap, t->ntask_free + 1, sizeof *t->task_free)) return;
    t->task_free = p;
    t->task_free[t->ntask_free++] = idx;
}

/* ---- The common event ------------------------------------------------------------ */

/* The test build's switch (tests/test_inline_order.c): with GTH_NO_INLINE_ORDER
 * the common case declines every event. */
#ifdef GTH_NO_INLINE_ORDER
#define TT_FAST_ON 0
#else
#define TT_FAST_ON 1
#endif

/* Whether stack sid of an event of generation gen needs no check: none (0),
 * or known complete (check_stack's cache; ok_gen is 0 only while the cache is
 * empty). */
static inline int fast_stack(const gth_testtrace *t, uint64_t gen, uint64_t sid) {
    return !sid || (gen == t->ok_gen && sid < t->okv_cap && t->okv[sid]);
}

static inline tt_res *fast_g(gth_testtrace *t, int64_t id) {
    uint32_t i;
    return gth_dense_get(&t->gdense, &t->gidx, (uint64_t)id, &i) ? &t->gs[i] : NULL;
}

static inline tt_res *fast_p(gth_testtrace *t, int64_t id) {
    uint32_t i;
    return gth_dense_get(&t->pdense, &t->pidx, (uint64_t)id, &i) ? &t->ps[i] : NULL;
}

/* The binding (index + 1) of thread m, 0 if it is none or unknown. */
static inline uint32_t fast_m(gth_testtrace *t, int64_t m) {
    uint32_t i;
    return m != NONE_ID && gth_dense_get(&t->mdense, &t->midx, (uint64_t)m, &i) ? i + 1 : 0;
}

/* Go's checks of a goroutine's (proc: a proc's) transition from state from to
 * state to, when they pass: the resource id is known and in state from; into
 * an executing state, it goes onto thread m, which is known and executes no
 * other one; out of one, it leaves the thread it is bound to, which executes
 * it. Returns 1 with the move made, or 0 with nothing written. */
static inline __attribute__((always_inline)) int fast_move(gth_testtrace *t, int proc, int64_t id, uint8_t from,
                                                           uint8_t to, int64_t m) {
    tt_res *s = proc ? fast_p(t, id) : fast_g(t, id);
    if (!s || s->state != from) return 0;
    if (proc ? gth_proc_state_executing(to) : gth_go_state_executing(to)) {
        uint32_t b = fast_m(t, m);
        if (!b) return 0;
        int64_t *cur = proc ? &t->ms[b - 1].p : &t->ms[b - 1].g;
        if (*cur != NONE_ID && *cur != id) return 0;
        *cur = id;
        s->binding = b;
    } else if (proc ? gth_proc_state_executing(from) : gth_go_state_executing(from)) {
        uint32_t b = s->binding;
        if (!b) return 0;
        int64_t *cur = proc ? &t->ms[b - 1].p : &t->ms[b - 1].g;
        if (*cur != id) return 0;
        *cur = NONE_ID;
        s->binding = 0;
    }
    s->state = to;
    return 1;
}

/* gth_testtrace_event for an event every check passes, decided on the
 * reader's event without its view (the transitions are view.c's): the
 * timestamp order, the event's stack known complete in its generation, and a
 * transition that fast_move makes. Each case writes nothing before its last
 * check; any other outcome returns 0 for the general path from the same
 * state. (A goroutine leaving an executing state must also have the event's
 * stack as its transition's: GoStop, GoBlock and GoSyscallBegin have the
 * same, GoSyscallEndBlocked none on either side.) */
static inline __attribute__((always_inline)) int fast(gth_testtrace *t, const gth_event *ev) {
    if (!TT_FAST_ON) return 0;
    int64_t time = ev->time;
    if (t->last_ts != 0 && time <= t->last_ts) return 0;
    const uint64_t *a = ev->args;
    uint64_t gen = ev->gen;
    int ok;
    switch (ev->code) {
    case GTH_EV_GoStart: ok = fast_move(t, 0, (int64_t)a[0], GTH_GO_RUNNABLE, GTH_GO_RUNNING, ev->m); break;
    case GTH_EV_GoStop:
        ok = fast_stack(t, gen, a[1]) && fast_move(t, 0, ev->g, GTH_GO_RUNNING, GTH_GO_RUNNABLE, ev->m);
        break;
    case GTH_EV_GoBlock:
        ok = fast_stack(t, gen, a[1]) && fast_move(t, 0, ev->g, GTH_GO_RUNNING, GTH_GO_WAITING, ev->m);
        break;
    case GTH_EV_GoUnblock:
        ok = fast_stack(t, gen, a[2]) && fast_move(t, 0, (int64_t)a[0], GTH_GO_WAITING, GTH_GO_RUNNABLE, ev->m);
        break;
    case GTH_EV_GoSyscallBegin:
        ok = fast_stack(t, gen, a[1]) && fast_move(t, 0, ev->g, GTH_GO_RUNNING, GTH_GO_SYSCALL, ev->m);
        break;
    case GTH_EV_GoSyscallEnd: ok = fast_move(t, 0, ev->g, GTH_GO_SYSCALL, GTH_GO_RUNNING, ev->m); break;
    case GTH_EV_GoSyscallEndBlocked: ok = fast_move(t, 0, ev->g, GTH_GO_SYSCALL, GTH_GO_RUNNABLE, ev->m); break;
    case GTH_EV_ProcStart: ok = fast_move(t, 1, (int64_t)a[0], GTH_PROC_IDLE, GTH_PROC_RUNNING, ev->m); break;
    case GTH_EV_ProcStop: ok = fast_move(t, 1, ev->p, GTH_PROC_RUNNING, GTH_PROC_IDLE, ev->m); break;
    default: {
        /* Events whose only checks are the time and the stack. */
        uint8_t k = t->plain[ev->code];
        ok = k && (k == 1 || fast_stack(t, gen, a[k - 2]));
        break;
    }
    }
    if (!ok) return 0;
    t->last_ts = time;
    t->msg.len = 0;
    return 1;
}

int gth_testtrace_fast(gth_testtrace *t, const gth_event *ev) { return fast(t, ev); }

int gth_testtrace_next(gth_testtrace *t, gth_reader *r, gth_event *ev, gth_error *err, uint64_t *n) {
    int k;
    uint64_t passed = 0;
    while ((k = gth_reader_next(r, ev, err)) > 0 && fast(t, ev)) passed++;
    *n += passed;
    return k;
}

static void locate(gth_error *err, const gth_view *v) {
    err->offset = v->ev ? v->ev->offset : GTH_NO_OFFSET;
    err->gen = v->ev && v->ev->gen ? v->ev->gen : UINT64_MAX;
    err->m = (uint64_t)v->m;
}

int gth_testtrace_event(gth_testtrace *t, const gth_view *v, gth_error *err) {
    t->msg.len = 0;
    t->msg.failed = 0;
    t->first_inv = 0;
    t->nomem = 0;

    if (t->last_ts != 0) {
        if (v->time <= t->last_ts) {
            gth_buf *b = next_err(t, GTH_INV_VALIDATE_TIMESTAMP_ORDER);
            gth_buf_printf(b, "timestamp out-of-order (want > %lld) for ", (long long)t->last_ts);
            gth_view_go_string(b, v);
        } else {
            t->last_ts = v->time;
        }
    } else {
        t->last_ts = v->time;
    }

    check_stack(t, v, &v->stack);

    switch (v->kind) {
    case GTH_KIND_SYNC: check_sync(t, v); break;
    case GTH_KIND_METRIC:
        if (!strchr(v->u.metric.name, ':')) {
            gth_buf *b = next_err(t, GTH_INV_VALIDATE_METRIC_NAME);
            put_str(b, "invalid metric name ");
            gth_quote_append(b, v->u.metric.name, strlen(v->u.metric.name));
        }
        if (v->u.metric.value_kind == GTH_VALUE_BAD) errf(t, GTH_INV_VALIDATE_METRIC_VALUE, "invalid value");
        break;
    case GTH_KIND_LABEL: check_label(t, v); break;
    case GTH_KIND_STATE_TRANSITION: {
        const gth_transition *tr = &v->u.transition;
        check_stack(t, v, &tr->stack);
        if (tr->resource.kind == GTH_RES_GOROUTINE) check_goroutine(t, v, tr);
        else if (tr->resource.kind == GTH_RES_PROC) check_proc(t, v, tr);
        break;
    }
    case GTH_KIND_RANGE_BEGIN:
    case GTH_KIND_RANGE_ACTIVE:
    case GTH_KIND_RANGE_END: check_range(t, v); break;
    case GTH_KIND_TASK_BEGIN: check_task_begin(t, &v->u.task); break;
    case GTH_KIND_TASK_END: check_task_end(t, &v->u.task); break;
    default: break; /* StackSample, Log, Experimental: nothing beyond the stack */
    }

    if (t->nomem || t->msg.failed) {
        t->msg.len = 0;
        return gth_error_nomem(err);
    }
    if (!t->first_inv) return GTH_OK;
    int inv = t->first_inv;
    gth_error_set(err, GTH_EINVALID, "%.*s", (int)(t->msg.len < GTH_ERROR_MSG_MAX ? t->msg.len : GTH_ERROR_MSG_MAX - 1),
                  (const char *)t->msg.data);
    err->inv = inv;
    locate(err, v);
    /* Leave the full text NUL-terminated for gth_testtrace_message users. */
    if (gth_buf_putc(&t->msg, 0) == 0) t->msg.len--;
    return GTH_EINVALID;
}
