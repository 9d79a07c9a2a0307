/*
 * The reader's event loop: installs generations, keeps one cursor per thread in
 * a binary min-heap on the time of its next event, and asks the ordering engine
 * to advance the earliest cursor — or, when it cannot, every other cursor in
 * time order — exactly as Go's reader does, so ties resolve the same way. CPU
 * samples are merged by time; Sync events open and close generations; every
 * delivered event passes the table-id check and the strictly-increasing time
 * fix-up.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/gosort.h"
#include "format/header.h"
#include "validator/internal.h"

/* Which arguments of an event code name a stack or a string: the table-id
 * checks of delivery, in Go's order (stacks, then strings). */
typedef struct idcheck {
    uint8_t n;
    uint8_t arg[4];   /* index into gth_event.args */
    uint8_t stack[4]; /* 1: stack id, 0: string id */
} idcheck;

struct gth_reader {
    const gth_allocator *a;
    idcheck idchecks[256];
    uint8_t step_nargs[256];
    unsigned version;
    vin in;
    gth_arena arena;
    vgen gen;
    int have_gen;
    vorder order;
    vcursor *cursors;
    size_t cursors_cap;
    vcursor **heap;
    size_t nheap, heap_cap;
    int64_t last_ts;
    uint64_t syncs;
    int done;
    /* < 1.26: an error that stopped reading after a generation (Go's spillErr). */
    int has_deferred, deferred_synced;
    gth_error deferred;
    /* 1.26: an error reading the next generation, reported after a Sync. */
    int has_gen_err;
    gth_error gen_err;
    gth_reader_stats st;
};

/* ---- Sources ------------------------------------------------------------------ */

static long mem_read(void *ud, uint8_t *buf, size_t n, gth_error *err) {
    (void)err;
    gth_mem_source *m = ud;
    size_t k = m->len - m->pos < n ? m->len - m->pos : n;
    if (k) memcpy(buf, m->data + m->pos, k);
    m->pos += k;
    return (long)k;
}

static long mem_pread(void *ud, uint8_t *buf, size_t n, uint64_t off, gth_error *err) {
    (void)err;
    gth_mem_source *m = ud;
    if (off >= m->len) return 0;
    size_t k = m->len - (size_t)off < n ? m->len - (size_t)off : n;
    memcpy(buf, m->data + off, k);
    return (long)k;
}

gth_source gth_source_mem(gth_mem_source *ms, const void *data, size_t len) {
    ms->data = data;
    ms->len = len;
    ms->pos = 0;
    return (gth_source){mem_read, ms, mem_pread, len};
}

static long fd_read(void *ud, uint8_t *buf, size_t n, gth_error *err) {
    int fd = *(int *)ud;
    for (;;) {
        ssize_t k = read(fd, buf, n);
        if (k >= 0) return (long)k;
        if (errno == EINTR) continue;
        gth_error_set(err, GTH_EIO, "read error: %s", strerror(errno));
        return -1;
    }
}

static long fd_pread(void *ud, uint8_t *buf, size_t n, uint64_t off, gth_error *err) {
    int fd = *(int *)ud;
    if (off > (uint64_t)INT64_MAX) return 0;
    for (;;) {
        ssize_t k = pread(fd, buf, n, (off_t)off);
        if (k >= 0) return (long)k;
        if (errno == EINTR) continue;
        gth_error_set(err, GTH_EIO, "read error: %s", strerror(errno));
        return -1;
    }
}

gth_source gth_source_fd(int *fd) {
    gth_source s = {fd_read, fd, NULL, 0};
    struct stat st;
    /* Seekable only from the current position on, so that a descriptor handed
     * over mid-file reads the same bytes either way. */
    off_t at = lseek(*fd, 0, SEEK_CUR);
    if (at == 0 && fstat(*fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        s.pread = fd_pread;
        s.size = (uint64_t)st.st_size;
    }
    return s;
}

static void idchecks_init(idcheck *checks);

/* ---- Construction ----------------------------------------------------------------- */

gth_reader *gth_reader_new(const gth_allocator *a, gth_source src, gth_error *err) {
    gth_error_clear(err);
    if (!a) a = gth_default_allocator();
    gth_reader *r = gth_calloc(a, 1, sizeof *r);
    if (!r) {
        gth_error_nomem(err);
        return NULL;
    }
    r->a = a;
    r->in.src = src;
    r->in.seekable = src.pread != NULL;
    r->in.a = a;
    gth_error_clear(&r->in.err);
    gth_arena_init(&r->arena, a);
    gth_generation_init(&r->gen, a);
    /* The header: Go's reader scans it leniently (runs of Unicode spaces, leading
     * zeros), so read on until the parser has seen enough. */
    unsigned minor = 0;
    size_t hlen = 0, want = 64;
    for (;;) {
        long avail = gth_vin_fill(&r->in, want);
        if (avail < 0) {
            *err = r->in.err;
            gth_reader_free(r);
            return NULL;
        }
        int final = (size_t)avail < want;
        int rc = gth_header_parse(r->in.buf, (size_t)avail, final, &minor, &hlen, err);
        if (rc == GTH_READ_OK) break;
        if (rc == GTH_READ_MORE && !final && want < ((size_t)1 << 20)) {
            want *= 2;
            continue;
        }
        if (rc == GTH_READ_MORE) gth_error_at(err, (uint64_t)avail, "bad file format: not a Go execution trace?");
        err->inv = strstr(err->msg, "unknown or unsupported") ? GTH_INV_HEADER_VERSION : GTH_INV_HEADER_MAGIC;
        gth_reader_free(r);
        return NULL;
    }
    if (!gth_version_is_v2(minor)) {
        err->inv = GTH_INV_HEADER_VERSION;
        err->offset = 0;
        gth_error_set(err, GTH_EINVALID,
                      "trace version go 1.%u uses the old (v1) format, which is not supported", minor);
        gth_reader_free(r);
        return NULL;
    }
    r->version = minor;
    idchecks_init(r->idchecks);
    gth_cursor_step_table(r->step_nargs);
    r->in.pos = hlen;
    r->st.bytes = hlen;
    gth_order_init(&r->order, a, minor);
    return r;
}

void gth_reader_free(gth_reader *r) {
    if (!r) return;
    const gth_allocator *a = r->a;
    if (r->version) gth_order_free(&r->order);
    gth_generation_free(&r->gen);
    gth_arena_free(&r->arena);
    gth_free(a, r->in.buf, r->in.cap);
    gth_free(a, r->cursors, r->cursors_cap * sizeof *r->cursors);
    gth_free(a, r->heap, r->heap_cap * sizeof *r->heap);
    gth_free(a, r, sizeof *r);
}

unsigned gth_reader_version(const gth_reader *r) { return r->version; }

const gth_allocator *gth_reader_allocator(const gth_reader *r) { return r->a; }

/* ---- The cursor heap (Go's exact sift rules, for identical tie order) ----------- */

static void heap_swap(vcursor **h, size_t i, size_t j) {
    vcursor *t = h[i];
    h[i] = h[j];
    h[j] = t;
}

static size_t sift_up(vcursor **h, size_t i) {
    while (i > 0 && h[(i - 1) / 2]->ev_time > h[i]->ev_time) {
        heap_swap(h, (i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    return i;
}

/* Moves the cursor at i down past every child earlier than it (the earlier of
 * two children, the left one on a tie), as a chain of swaps would. */
static void sift_down(vcursor **h, size_t n, size_t i) {
    if (i >= n) return;
    vcursor *x = h[i];
    int64_t t = x->ev_time;
    for (;;) {
        size_t j = 2 * i + 1;
        if (j >= n) break;
        int64_t jt = h[j]->ev_time;
        if (j + 1 < n && h[j + 1]->ev_time < jt) jt = h[++j]->ev_time;
        if (!(jt < t)) break;
        h[i] = h[j];
        i = j;
    }
    h[i] = x;
}

static void heap_update(gth_reader *r, size_t i) {
    if (sift_up(r->heap, i) != i) return;
    sift_down(r->heap, r->nheap, i);
}

static void heap_remove(gth_reader *r, size_t i) {
    while (i > 0) {
        heap_swap(r->heap, (i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    heap_swap(r->heap, 0, r->nheap - 1);
    r->nheap--;
    sift_down(r->heap, r->nheap, 0);
}

/* When the earliest cursor cannot advance, Go sorts the frontier by time with
 * its unstable sort; equal times then end up in the order that sort leaves them,
 * so the same algorithm is used here. */
static int cursor_before(const void *a, const void *b) {
    return (*(vcursor *const *)a)->ev_time < (*(vcursor *const *)b)->ev_time;
}

static void sort_frontier(gth_reader *r) { gth_go_sort(r->heap, r->nheap, sizeof *r->heap, cursor_before); }

/* ---- Events -------------------------------------------------------------------------- */

static void make_sync(gth_reader *r, gth_event *ev, int64_t t, int table) {
    memset(ev, 0, sizeof *ev);
    ev->code = GTH_CODE_READER_SYNC;
    ev->time = t;
    ev->m = ev->p = ev->g = NO_ID;
    ev->args[0] = ++r->syncs;
    ev->has_table = (uint8_t)table;
    ev->gen = table ? r->gen.gen : 0;
    ev->offset = GTH_NO_OFFSET;
}

static void locate_cursor(gth_error *err, const gth_reader *r, const vcursor *c) {
    err->offset = c->ev_off;
    err->gen = r->gen.gen;
    err->m = c->m;
    err->batch = c->batch;
    err->event = (int64_t)c->ev_index - 1;
}

static void idchecks_init(idcheck *checks) {
    memset(checks, 0, 256 * sizeof *checks);
    for (unsigned code = 0; code < 256; code++) {
        const gth_event_spec *s = gth_spec_event(code);
        idcheck *c = &checks[code];
        if (code == GTH_CODE_READER_SYNC || code == GTH_EV_CPUSample || !s) continue;
        uint8_t pos[2];
        unsigned n = gth_spec_stack_args(s, pos);
        for (unsigned i = 0; i < n; i++) c->arg[c->n] = (uint8_t)(pos[i] - 1), c->stack[c->n++] = 1;
        n = gth_spec_string_args(s, pos);
        for (unsigned i = 0; i < n; i++) c->arg[c->n] = (uint8_t)(pos[i] - 1), c->stack[c->n++] = 0;
    }
}

static int bad_table_id(gth_reader *r, const gth_event *ev, const idcheck *c, unsigned i, gth_error *err) {
    uint64_t id = ev->args[c->arg[i]];
    gth_error_clear(err);
    err->inv = c->stack[i] ? GTH_INV_EVENT_STACK_ID : GTH_INV_EVENT_STRING_ID;
    err->offset = ev->offset;
    err->gen = r->gen.gen;
    err->m = (uint64_t)ev->m;
    gth_error_set(err, GTH_EINVALID, "found invalid %s ID %llu for event %s", c->stack[i] ? "stack" : "string",
                  (unsigned long long)id, gth_spec_event(ev->code)->name);
    return -1;
}

/* Go's table-id check on a delivered event, then the time fix-up. */
static inline __attribute__((always_inline)) int deliver(gth_reader *r, gth_event *ev, gth_error *err) {
    const idcheck *c = &r->idchecks[ev->code];
    for (unsigned i = 0; i < c->n; i++) {
        uint64_t id = ev->args[c->arg[i]];
        const uint8_t *p;
        size_t l;
        if (c->stack[i] ? vgen_has_stack(&r->gen, id) : vgen_string(&r->gen, id, &p, &l)) continue;
        return bad_table_id(r, ev, c, i, err);
    }
    /* Go's int64 addition wraps; so does this one (its validator then flags it). */
    if (ev->time <= r->last_ts) ev->time = (int64_t)((uint64_t)r->last_ts + 1);
    r->last_ts = ev->time;
    r->st.events++;
    return 1;
}

static int fail(gth_reader *r, gth_error *err) {
    r->done = 1;
    if (err->status == GTH_OK) gth_error_set(err, GTH_EINTERNAL, "internal error");
    return -1;
}

static int install(gth_reader *r, gth_event *ev, gth_error *err) {
    vgen *g = &r->gen;
    r->have_gen = 1;
    r->nheap = 0;
    if (g->nms > r->cursors_cap || g->nms > r->heap_cap) {
        gth_free(r->a, r->cursors, r->cursors_cap * sizeof *r->cursors);
        gth_free(r->a, r->heap, r->heap_cap * sizeof *r->heap);
        r->cursors = gth_alloc(r->a, g->nms * sizeof *r->cursors);
        r->heap = gth_alloc(r->a, g->nms * sizeof *r->heap);
        r->cursors_cap = r->cursors ? g->nms : 0;
        r->heap_cap = r->heap ? g->nms : 0;
        if (!r->cursors || !r->heap) return gth_error_nomem(err), fail(r, err);
    }
    for (size_t i = 0; i < g->nms; i++) {
        vcursor *c = &r->cursors[i];
        memset(c, 0, sizeof *c);
        c->mslot = -1;
        c->m = g->ms[i];
        c->step_nargs = r->step_nargs;
        if (r->in.seekable) {
            /* The thread's buffer fits the largest of its batches. */
            size_t cap = 1;
            for (int32_t b = g->mhead[i]; b >= 0; b = g->batches[b].next)
                if (g->batches[b].size > cap) cap = g->batches[b].size;
            c->own = gth_arena_alloc(&r->arena, cap);
            c->own_cap = cap;
            if (!c->own) return gth_error_nomem(err), fail(r, err);
        }
        if (gth_cursor_load(c, g, &r->in, g->mhead[i], err) != 0) return fail(r, err);
        int rc = gth_cursor_next(c, g, &r->in, err);
        if (rc < 0) return fail(r, err);
        if (rc == 0) continue;
        r->heap[r->nheap++] = c;
        sift_up(r->heap, r->nheap - 1);
    }
    make_sync(r, ev, gth_ticks_to_ns(g->freq, g->min_ts), 1);
    return deliver(r, ev, err);
}

static int end_sync(gth_reader *r, gth_event *ev, gth_error *err) {
    make_sync(r, ev, r->last_ts, 0);
    return deliver(r, ev, err);
}

/* Go returns a table's bare varint error unwrapped, and a bare io.EOF from
 * ReadEvent is indistinguishable from the end of the trace: such a trace is
 * accepted, ending at that point. */
static int report_gen_error(gth_reader *r, const gth_error *e, gth_error *err) {
    if (!strcmp(e->msg, "EOF")) {
        r->done = 1;
        r->st.eof_quirk = 1;
        return 0;
    }
    *err = *e;
    return fail(r, err);
}

static int next_generation(gth_reader *r, gth_event *ev, gth_error *err) {
    if (r->version < 26) {
        if (r->has_deferred) {
            if (r->deferred_synced) return report_gen_error(r, &r->deferred, err);
            r->deferred_synced = 1;
            return end_sync(r, ev, err);
        }
        if (r->have_gen && !r->gen.spilled) {
            r->done = 1;
            return end_sync(r, ev, err);
        }
    } else if (r->has_gen_err) {
        return report_gen_error(r, &r->gen_err, err);
    }
    r->have_gen = 0;
    gth_arena_reset(&r->arena);
    gth_generation_clear(&r->gen);
    size_t before = r->in.base + r->in.pos;
    gth_error_clear(err);
    gen_result gr = gth_generation_read(&r->in, &r->arena, &r->gen, r->version, &r->st, err);
    r->st.bytes += r->in.base + r->in.pos - before;
    switch (gr) {
    case GEN_OK: return install(r, ev, err);
    case GEN_OK_DEFERRED:
        r->deferred = *err;
        r->has_deferred = 1;
        gth_error_clear(err);
        return install(r, ev, err);
    case GEN_DONE:
        r->done = 1;
        return end_sync(r, ev, err);
    case GEN_ERROR:
        break;
    }
    if (err->status != GTH_EINVALID) return fail(r, err); /* I/O or memory: no Sync */
    if (r->version < 26) {
        r->deferred = *err;
        r->has_deferred = 1;
        r->deferred_synced = 1;
    } else {
        r->gen_err = *err;
        r->has_gen_err = 1;
    }
    gth_error_clear(err);
    return end_sync(r, ev, err);
}

static int pop(gth_reader *r, gth_event *ev, gth_error *err) {
    vorder *o = &r->order;
    *ev = o->queue[o->qhead & 3];
    o->qhead++;
    o->qlen--;
    if (deliver(r, ev, err) < 0) return fail(r, err);
    return 1;
}

/* After cursor heap[i] advanced: its next event, and its place in the heap.
 * 1, or -1 on an error. */
static inline __attribute__((always_inline)) int step_cursor(gth_reader *r, size_t i, vcursor *c, gth_error *err) {
    int rc = gth_cursor_step(c, &r->gen, &r->in, err);
    if (rc < 0) return -1;
    if (rc == 0) {
        heap_remove(r, i);
    } else if (i == 0) {
        /* The usual case: the head thread runs on and stays at the head while
         * its next event is not later than its children's; no heap work then. */
        vcursor **h = r->heap;
        int64_t t = c->ev_time;
        if ((r->nheap > 1 && h[1]->ev_time < t) || (r->nheap > 2 && h[2]->ev_time < t)) sift_down(h, r->nheap, 0);
    } else {
        heap_update(r, i);
    }
    return 1;
}

/* Tries cursor heap[i]; 1 advanced (the first event it yields in *ev, the
 * others queued), 0 not now, -1 error. */
static int try_advance(gth_reader *r, size_t i, gth_event *ev, gth_error *err) {
    vcursor *c = r->heap[i];
    r->order.direct = ev;
    adv_result a = gth_order_advance(&r->order, &r->gen, c, err);
    r->order.direct = NULL;
    if (a == ADV_ERR) {
        if (err->offset == GTH_NO_OFFSET) locate_cursor(err, r, c);
        return -1;
    }
    if (a == ADV_RETRY) return 0;
    return step_cursor(r, i, c, err);
}

static void stuck(gth_reader *r, gth_error *err) {
    gth_buf b;
    gth_buf_init(&b, r->a);
    gth_buf_printf(&b, "broken trace: failed to advance: frontier:\n[gen=%llu]\n\n", (unsigned long long)r->gen.gen);
    for (size_t i = 0; i < r->nheap; i++) {
        const vcursor *c = r->heap[i];
        const gth_event_spec *s = gth_spec_event(c->ev_code);
        gth_buf_printf(&b, "M %lld [%s time=%lld", (long long)c->m, s->name, (long long)c->ev_time);
        for (unsigned k = 1; k < s->nargs; k++)
            gth_buf_printf(&b, " %s=%llu", s->args[k].name, (unsigned long long)c->ev_args[k - 1]);
        gth_buf_printf(&b, "]\n");
    }
    gth_buf_putc(&b, '\n');
    gth_order_dump(&r->order, &b);
    gth_buf_putc(&b, '\n');
    gth_error_set(err, b.failed ? GTH_ENOMEM : GTH_EINVALID, "%.*s", (int)b.len, b.data ? (char *)b.data : "");
    err->inv = GTH_INV_ORDER_STUCK;
    if (r->nheap) locate_cursor(err, r, r->heap[0]);
    gth_buf_free(&b);
}

/* The general path of gth_reader_next (kept out of the common case's code). */
static __attribute__((noinline)) int next_general(gth_reader *r, gth_event *ev, gth_error *err) {
    gth_error_clear(err);
    vgen *g = &r->gen;
    if (r->done) return 0;
    vorder *o = &r->order;
    if (o->qlen) return pop(r, ev, err);
    if (r->nheap == 0 && (!r->have_gen || g->cpu_next == g->ncpu)) {
        int rc = next_generation(r, ev, err);
        return rc;
    }
    if (g->cpu_next < g->ncpu && (r->nheap == 0 || g->cpu[g->cpu_next].time < r->heap[0]->ev_time)) {
        const vcpu *s = &g->cpu[g->cpu_next++];
        memset(ev, 0, sizeof *ev);
        ev->code = GTH_EV_CPUSample;
        ev->time = s->time;
        ev->m = s->m;
        ev->p = s->p;
        ev->g = s->g;
        ev->args[0] = s->stack;
        ev->offset = s->file_off;
        ev->gen = g->gen;
        if (deliver(r, ev, err) < 0) return fail(r, err);
        return 1;
    }
    int rc = try_advance(r, 0, ev, err);
    if (rc < 0) return fail(r, err);
    if (rc == 0) {
        sort_frontier(r);
        for (size_t i = 1; i < r->nheap && rc == 0; i++) {
            rc = try_advance(r, i, ev, err);
            if (rc < 0) return fail(r, err);
        }
        if (rc == 0) {
            stuck(r, err);
            return fail(r, err);
        }
    }
    if (deliver(r, ev, err) < 0) return fail(r, err);
    return 1;
}

int gth_reader_next(gth_reader *r, gth_event *ev, gth_error *err) {
    vgen *g = &r->gen;
    if (r->nheap && !r->order.qlen && !r->done) {
        /* The common case: no CPU sample comes first, and the head thread's
         * event advances on its own (gth_order_fast); else the general path
         * decides, from the same state. This path leaves err as it is: the
         * general path clears it, and nothing but an error writes it (an error
         * here clears it first: gth_cursor_step, bad_table_id). */
        vcursor *c = r->heap[0];
        if (!(g->cpu_next < g->ncpu && g->cpu[g->cpu_next].time < c->ev_time) && gth_order_fast(&r->order, g, c, ev)) {
            if (step_cursor(r, 0, c, err) < 0 || deliver(r, ev, err) < 0) return fail(r, err);
            return 1;
        }
    }
    return next_general(r, ev, err);
}

/* ---- Lookups ----------------------------------------------------------------------------- */

int gth_reader_string(const gth_reader *r, uint64_t id, const uint8_t **s, size_t *len) {
    if (!r->have_gen) {
        if (id != 0) return 0;
        *s = (const uint8_t *)"";
        *len = 0;
        return 1;
    }
    return vgen_string(&r->gen, id, s, len);
}

long gth_reader_stack_len(const gth_reader *r, uint64_t id) {
    if (id == 0) return 0;
    if (!r->have_gen) return -1;
    uint32_t i;
    return gth_idmap_get(&r->gen.stacks, id, &i) ? (long)r->gen.stks[i].n : -1;
}

int gth_reader_stack_frame(const gth_reader *r, uint64_t id, size_t k, gth_frame *f) {
    if (id == 0 || !r->have_gen) return -1;
    uint32_t i;
    if (!gth_idmap_get(&r->gen.stacks, id, &i) || k >= r->gen.stks[i].n) return -1;
    const vframe *fr = &r->gen.frames[r->gen.sframes[r->gen.stks[i].first + k]];
    f->pc = fr->pc;
    f->line = fr->line;
    if (!gth_reader_string(r, fr->func, &f->func, &f->func_len)) return -1;
    if (!gth_reader_string(r, fr->file, &f->file, &f->file_len)) return -1;
    return 0;
}

int gth_reader_sync_clock(const gth_reader *r, gth_clock *c) {
    if (!r->have_gen || !r->gen.has_clock) return 0;
    c->trace = gth_ticks_to_ns(r->gen.freq, r->gen.snap_time);
    c->mono = r->gen.snap_mono;
    /* time.Unix(sec, nsec): fold nsec into [0, 1e9), with wrapping arithmetic. */
    int64_t sec = (int64_t)r->gen.snap_sec, nsec = (int64_t)r->gen.snap_nsec;
    if (nsec < 0 || nsec >= 1000000000) {
        int64_t n = nsec / 1000000000;
        sec = (int64_t)((uint64_t)sec + (uint64_t)n);
        nsec -= n * 1000000000;
        if (nsec < 0) {
            nsec += 1000000000;
            sec = (int64_t)((uint64_t)sec - 1);
        }
    }
    c->wall_sec = sec;
    c->wall_nsec = nsec;
    return 1;
}

size_t gth_reader_exp_batches(const gth_reader *r, const gth_exp_batch **b) {
    if (!r->have_gen) return 0;
    *b = r->gen.exps;
    return r->gen.nexps;
}

void gth_reader_stats_get(const gth_reader *r, gth_reader_stats *s) { *s = r->st; }
