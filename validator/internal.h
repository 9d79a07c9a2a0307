/*
 * internal: the reader's private data structures, shared by its stages —
 * input buffering (input.c), batch framing (batch.c), reading a generation and
 * its tables (generation.c), the per-thread batch cursors (batchcursor.c), the
 * ordering engine (order.c) and the event loop (reader.c). Nothing outside
 * validator/ includes this.
 */
#ifndef GTH_VALIDATOR_INTERNAL_H
#define GTH_VALIDATOR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "format/varint.h"
#include "spec/invariants.h"
#include "validator/arena.h"
#include "validator/hmap.h"
#include "validator/reader.h"

#define NO_ID ((int64_t)-1)

/* A batch of the current generation, indexed in one pass. */
typedef struct vbatch {
    uint64_t m, time;
    uint64_t off;      /* byte offset of the payload in the input */
    uint32_t size;     /* payload bytes (at most GTH_MAX_BATCH_SIZE) */
    int32_t next;      /* next regular batch of the same thread, or -1 */
    uint64_t file_off; /* byte offset of the batch header */
} vbatch;

typedef struct vstring {
    const uint8_t *p; /* a copy in the generation's arena */
    uint32_t len;
} vstring;

/* A stack: its frames are sframes[first .. first+n), each an index into the
 * generation's frames. */
typedef struct vstack {
    uint64_t id;
    uint32_t first, n;
} vstack;

/* The frame of a PC: the first one the generation's stack tables give for it
 * (later ones with the same PC are ignored, as Go does). */
typedef struct vframe {
    uint64_t pc, func, file, line;
} vframe;

typedef struct vcpu {
    int64_t time;
    int64_t m, p, g;
    uint64_t stack;
    uint64_t file_off;
} vcpu;

/* One generation: its batches and tables. Everything lives in the arena. */
typedef struct vgen {
    uint64_t gen;
    uint64_t min_ts;
    double freq; /* nanoseconds per tick; 0 = no Frequency seen */
    int has_clock;
    uint64_t snap_time, snap_mono, snap_sec, snap_nsec;

    vbatch *batches;
    size_t nbatches, batches_cap;
    size_t nregular; /* regular (per-thread) batches */

    /* Threads with regular batches, in order of first appearance. */
    uint64_t *ms;
    int32_t *mhead, *mtail;
    size_t nms, ms_cap;
    gth_hmap mindex;

    /* The tables are kept compact: a million one-frame stacks must fit in a
     * few times their bytes in the input. */
    gth_idmap strings; /* id -> index into strs */
    vstring *strs;
    size_t nstrs, strs_cap;
    gth_idmap stacks; /* id -> index into stks */
    vstack *stks;
    size_t nstks, stks_cap;
    uint32_t *sframes; /* every stack's frames, as indices into frames */
    size_t nsframes, sframes_cap;
    vframe *frames;
    size_t nframes, frames_cap;
    /* pc -> frame: open addressing over frame indices + 1 (0 = empty), the key
     * being frames[i].pc; load at most 1/2. */
    uint32_t *pcslots;
    size_t pcslots_cap;
    const gth_allocator *a; /* of the maps and pcslots (kept across generations) */

    vcpu *cpu;
    size_t ncpu, cpu_cap, cpu_next;
    gth_exp_batch *exps;
    size_t nexps, exps_cap;
    int spilled; /* < 1.26: reading stopped at the first batch of the next generation */
} vgen;

/* A per-thread cursor over the thread's batches, one event ahead. */
typedef struct vcursor {
    uint64_t m;
    int64_t last_ts;
    int32_t batch;      /* current batch index, -1 when exhausted */
    const uint8_t *data; /* the current batch's payload */
    uint64_t data_off;  /* its byte offset in the input */
    size_t pos, end;    /* position in the payload, its size */
    uint8_t *own;       /* seekable input: this thread's batch buffer (arena) */
    size_t own_cap;
    int64_t ev_time;
    uint64_t ev_args[4];
    uint64_t ev_off;
    uint8_t ev_code;
    uint32_t ev_index; /* index of the event within its batch */
    int32_t mslot;     /* the thread's slot in the ordering state, -1 until known */
    const uint8_t *step_nargs; /* gth_cursor_step's table (the reader's) */
} vcursor;

/* Bytes gth_cursor_step wants after an event's start: the code and five
 * varints of at most ten bytes. */
#define GTH_STEP_ROOM 51

/* ---- Ordering state (persists across generations). */
typedef struct vrange {
    uint8_t typ;   /* begin event code */
    uint64_t desc; /* subtype: STW kind string id, else 0 */
} vrange;

typedef struct vranges {
    vrange *v;
    uint32_t n, cap;
} vranges;

typedef struct vregion {
    uint64_t task;
    uint8_t *name;
    size_t len;
} vregion;

typedef struct vgstate {
    uint64_t id;
    uint8_t status; /* wire GoStatus */
    uint64_t seq_gen, seq;
    vregion *regions;
    uint32_t nregions, regions_cap;
    vranges ranges;
    int32_t next_free;
} vgstate;

typedef struct vpstate {
    uint64_t id;
    uint8_t status; /* wire ProcStatus */
    uint64_t seq_gen, seq;
    vranges ranges;
} vpstate;

typedef struct vmstate {
    int64_t g, p;
} vmstate;

typedef struct vtask {
    uint64_t parent;
    uint8_t *name;
    size_t len;
} vtask;

enum { GC_UNDETERMINED, GC_NOT_RUNNING, GC_RUNNING };


typedef struct vorder {
    const gth_allocator *a;
    unsigned version;
    gth_hmap gidx; /* goroutine id -> index into gs */
    gth_dense gdense;
    vgstate *gs;
    size_t ngs, gs_cap;
    int32_t g_free;
    gth_hmap pidx;
    gth_dense pdense;
    vpstate *ps;
    size_t nps, ps_cap;
    gth_hmap midx;
    vmstate *mstates;
    uint64_t *mkeys; /* thread id of each mstates entry, for lookups by proc */
    size_t nmstates, mstates_cap, mkeys_cap;
    gth_hmap tidx; /* task id -> index into tasks */
    vtask *tasks;
    size_t ntasks, tasks_cap;
    uint64_t gc_seq;
    int gc_state;
    uint64_t initial_gen;
    /* Output: the first event an advance yields goes to `direct` when set (the
     * caller's event), the others to the queue; an advance yields at most three. */
    gth_event *direct;
    gth_event queue[4];
    unsigned qhead, qlen;
    gth_buf taskname; /* owns the TaskEnd type text of the queued event */
} vorder;

typedef enum { ADV_RETRY = 0, ADV_OK = 1, ADV_ERR = -1 } adv_result;

int gth_order_init(vorder *o, const gth_allocator *a, unsigned version);
void gth_order_free(vorder *o);
/* Tries to advance the event at the head of cursor c (thread m). */
adv_result gth_order_advance(vorder *o, const vgen *g, vcursor *c, gth_error *err);
void gth_order_dump(const vorder *o, gth_buf *b);

/* Ticks to nanoseconds exactly as Go on amd64 (out-of-range -> INT64_MIN). */
static inline int64_t gth_ticks_to_ns(double freq, uint64_t t) {
    double x = (double)t * freq;
    if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) return INT64_MIN;
    return (int64_t)x;
}

/* String lookup in a generation (id 0 is the empty string). */
static inline int vgen_string(const vgen *g, uint64_t id, const uint8_t **s, size_t *len) {
    if (id == 0) {
        *s = (const uint8_t *)"";
        *len = 0;
        return 1;
    }
    uint32_t idx;
    if (!gth_idmap_get(&g->strings, id, &idx)) return 0;
    *s = g->strs[idx].p;
    *len = g->strs[idx].len;
    return 1;
}

static inline int vgen_has_stack(const vgen *g, uint64_t id) {
    if (id == 0) return 1;
    uint32_t idx;
    return gth_idmap_get(&g->stacks, id, &idx);
}

/* ---- Ordering, the common case (inline in the event loop): gth_order_advance
 * for the hot events (goroutine and proc transitions, syscalls, heap metrics,
 * labels and logs, experimental events) when every check passes: advances the
 * event at the head of cursor c, writes it to *ev and returns 1. Returns 0,
 * with nothing changed, when gth_order_advance must decide (a retry, an error,
 * any other event). */

static inline __attribute__((always_inline)) vgstate *gth_order_fast_g(vorder *o, int64_t id) {
    uint32_t i;
    return gth_dense_get(&o->gdense, &o->gidx, (uint64_t)id, &i) ? &o->gs[i] : NULL;
}

static inline __attribute__((always_inline)) vpstate *gth_order_fast_p(vorder *o, int64_t id) {
    uint32_t i;
    return gth_dense_get(&o->pdense, &o->pidx, (uint64_t)id, &i) ? &o->ps[i] : NULL;
}

/* Each case is its handler in order.c with every check passing, and nothing
 * written before the last check: any other outcome returns 0 for the general
 * path.
 *
 * Built with GTH_NO_INLINE_ORDER defined, it always returns 0, so every event
 * takes the general path: the test build's gth-general, which
 * tests/test_inline_order.c runs against gth to show that the two copies of
 * these rules give the same verdicts, errors and streams. */
static inline __attribute__((always_inline)) int gth_order_fast(vorder *o, const vgen *g, const vcursor *c,
                                                                gth_event *ev) {
#ifdef GTH_NO_INLINE_ORDER
    (void)o, (void)g, (void)c, (void)ev;
    return 0;
#else
    /* A thread has a slot once the general path advanced one of its events,
     * which also set the initial generation. */
    if (c->mslot < 0) return 0;
    vmstate *ms = &o->mstates[c->mslot];
    int64_t p = ms->p, gid = ms->g;
    uint64_t gen = g->gen;
    const uint64_t *a = c->ev_args;
    uint8_t code = c->ev_code;
    vgstate *s;
    vpstate *ps;
    switch (code) {
    case GTH_EV_GoStart: /* go_start */
        if (p == NO_ID || gid != NO_ID || !(s = gth_order_fast_g(o, (int64_t)a[0])) || s->status != GTH_GS_RUNNABLE ||
            !(s->seq_gen == gen && a[1] == s->seq + 1))
            return 0;
        s->status = GTH_GS_RUNNING;
        s->seq_gen = gen;
        s->seq = a[1];
        ms->g = (int64_t)a[0];
        break;
    case GTH_EV_GoStop: /* go_stop_exec */
    case GTH_EV_GoBlock:
        if (p == NO_ID || gid == NO_ID || !(s = gth_order_fast_g(o, gid)) || s->status != GTH_GS_RUNNING) return 0;
        s->status = code == GTH_EV_GoStop ? GTH_GS_RUNNABLE : GTH_GS_WAITING;
        ms->g = NO_ID;
        break;
    case GTH_EV_GoUnblock: /* go_unblock */
        if (!(s = gth_order_fast_g(o, (int64_t)a[0])) || s->status != GTH_GS_WAITING ||
            !(s->seq_gen == gen && a[1] == s->seq + 1))
            return 0;
        s->status = GTH_GS_RUNNABLE;
        s->seq_gen = gen;
        s->seq = a[1];
        break;
    case GTH_EV_ProcStart: /* proc_start */
        if (p != NO_ID || !(ps = gth_order_fast_p(o, (int64_t)a[0])) || ps->status != GTH_PS_IDLE ||
            !(ps->seq_gen == gen && a[1] == ps->seq + 1))
            return 0;
        ps->status = GTH_PS_RUNNING;
        ps->seq_gen = gen;
        ps->seq = a[1];
        ms->p = (int64_t)a[0];
        break;
    case GTH_EV_ProcStop: /* proc_stop */
        if (p == NO_ID || !(ps = gth_order_fast_p(o, p)) ||
            (ps->status != GTH_PS_RUNNING && ps->status != GTH_PS_SYSCALL))
            return 0;
        ps->status = GTH_PS_IDLE;
        ms->p = NO_ID;
        break;
    case GTH_EV_GoSyscallBegin: /* syscall_begin */
        if (p == NO_ID || gid == NO_ID || !(s = gth_order_fast_g(o, gid)) || s->status != GTH_GS_RUNNING ||
            !(ps = gth_order_fast_p(o, p)) || !(ps->seq_gen == gen && a[0] == ps->seq + 1))
            return 0;
        s->status = GTH_GS_SYSCALL;
        ps->status = GTH_PS_SYSCALL;
        ps->seq_gen = gen;
        ps->seq = a[0];
        break;
    case GTH_EV_GoSyscallEnd: /* syscall_end */
        if (p == NO_ID || gid == NO_ID || !(s = gth_order_fast_g(o, gid)) || s->status != GTH_GS_SYSCALL ||
            !(ps = gth_order_fast_p(o, p)) || ps->status != GTH_PS_SYSCALL)
            return 0;
        s->status = GTH_GS_RUNNING;
        ps->status = GTH_PS_RUNNING;
        break;
    case GTH_EV_GoSyscallEndBlocked: /* syscall_end_blocked */
        if (p != NO_ID && (!(ps = gth_order_fast_p(o, p)) || ps->status == GTH_PS_SYSCALL)) return 0;
        if (gid == NO_ID || !(s = gth_order_fast_g(o, gid)) || s->status != GTH_GS_SYSCALL) return 0;
        s->status = GTH_GS_RUNNABLE;
        ms->g = NO_ID;
        break;
    case GTH_EV_HeapAlloc: /* heap_metric */
    case GTH_EV_HeapGoal:
        if (p == NO_ID) return 0;
        break;
    case GTH_EV_GoLabel: /* annotation */
    case GTH_EV_UserLog:
    case GTH_EV_ProcsChange:
        if (p == NO_ID || gid == NO_ID) return 0;
        break;
    default: { /* alloc_free: every experimental timed event; the thread is known */
        const gth_event_spec *spec = gth_spec_event(code);
        if (!spec || spec->experiment == GTH_EXP_NONE || !(spec->flags & GTH_F_TIMED)) return 0;
        break;
    }
    }
    ev->time = c->ev_time;
    ev->m = (int64_t)c->m;
    ev->p = p;
    ev->g = gid;
    memcpy(ev->args, a, sizeof ev->args);
    ev->offset = c->ev_off;
    ev->code = code;
    ev->synthetic = 0;
    ev->has_table = 0;
    ev->str = NULL;
    ev->str_len = 0;
    ev->gen = gen;
    return 1;
#endif
}

/* ---- Input (input.c): a growable buffer. Without pread it holds the current
 * generation's bytes (batches are decoded from it); with pread (seekable) it is
 * only a read-ahead window for batch headers and tables, and regular batch
 * payloads are skipped, to be re-read by the cursors. */
typedef struct vin {
    gth_source src;
    const gth_allocator *a;
    uint8_t *buf;
    size_t cap, len, pos; /* filled bytes, read position */
    uint64_t base;        /* file offset of buf[0] */
    int seekable;         /* src.pread is set */
    int eof;
    int ioerr;
    gth_error err; /* the I/O error, when ioerr */
} vin;

/* Makes at least `need` bytes available at in->pos unless the input ends first;
 * returns how many are available (may be less than need at end of input), or -1
 * on I/O or memory failure (in->err set). */
long gth_vin_fill(vin *in, size_t need);
/* Drops the bytes before in->pos (the previous generations) once they are at
 * least as many as the bytes after it. */
void gth_vin_compact(vin *in);
/* Seekable input: continues at file offset off (before or after the window). */
void gth_vin_seek(vin *in, uint64_t off);

/* ---- Varints with the error surface of Go's binary.ReadUvarint (batch framing
 * and generation tables). */

enum { RV_OK, RV_EOF, RV_UNEXPECTED_EOF, RV_OVERFLOW, RV_IO };

static inline const char *gth_read_uvarint_text(int rc) {
    switch (rc) {
    case RV_EOF: return "EOF";
    case RV_UNEXPECTED_EOF: return "unexpected EOF";
    case RV_OVERFLOW: return "binary: varint overflows a 64-bit integer";
    }
    return "read error";
}

/* Reads a varint from p[*pos..end). */
static inline int gth_read_uvarint(const uint8_t *p, size_t end, size_t *pos, uint64_t *v) {
    if (*pos >= end) return RV_EOF;
    int n = gth_uvarint(p + *pos, end - *pos, v);
    if (n > 0) {
        *pos += (size_t)n;
        return RV_OK;
    }
    if (n == GTH_VARINT_OVERFLOW) return RV_OVERFLOW;
    /* Truncated: ReadUvarint consumed what there was; ten continuation bytes
     * would have been an overflow, fewer is an unexpected end. */
    *pos = end;
    return RV_UNEXPECTED_EOF;
}

/* ---- Batch framing (batch.c). A batch as read from the input: its header and
 * where its payload is. */
typedef struct rbatch {
    int eog;
    uint8_t exp;
    uint8_t first;     /* first payload byte (0 if empty): what kind of batch */
    int buffered;      /* the payload is in the buffer at off */
    uint64_t gen, m, time, size;
    size_t off;        /* payload offset in the buffer, when buffered */
    uint64_t data_off; /* payload offset in the input */
    uint64_t file_off; /* offset of the batch's first byte */
} rbatch;

enum { RB_OK, RB_EOF, RB_ERR };

/* Reads the next batch's header (or an in-band EndOfGeneration) at in->pos,
 * and its payload: buffered for the batches the generation stage decodes
 * itself, skipped for a thread's regular batch when the input is seekable.
 * RB_EOF at the end of the input; RB_ERR with err filled. */
int gth_batch_read(vin *in, rbatch *b, unsigned version, gth_error *err);

/* ---- Generations (generation.c). */

/* Result of reading one generation. */
typedef enum {
    GEN_OK = 0,     /* a generation was read */
    GEN_DONE = 1,   /* clean end of the trace, no generation */
    GEN_ERROR = -1, /* error; nothing of the generation is delivered */
    /* < 1.26 only: the generation was read, but reading on failed; deliver the
     * generation, then a Sync, then the error. */
    GEN_OK_DEFERRED = 2
} gen_result;

/* Reads the next generation into g (its arena must be reset by the caller).
 * For < 1.26 the first batch of the next generation is left unread. */
gen_result gth_generation_read(vin *in, gth_arena *ar, vgen *g, unsigned version, gth_reader_stats *st,
                               gth_error *err);
/* Wires the generation's hash maps to the arena-backed allocator. */
void gth_generation_init(vgen *g, const gth_allocator *a);
void gth_generation_clear(vgen *g);
void gth_generation_free(vgen *g);

/* ---- Batch cursors (batchcursor.c). */

/* Points cursor c at batch bi: its payload in the buffer or, when the input is
 * seekable, read into the cursor's own buffer. 0, or -1 on an I/O error. */
int gth_cursor_load(vcursor *c, const vgen *g, vin *in, int32_t bi, gth_error *err);
/* Decodes the timed event at c->data[c->pos] for cursor c (Go's lazy per-thread
 * decoding). Returns 1 with an event, 0 when the thread has no more, -1 on error. */
int gth_cursor_next(vcursor *c, const vgen *g, vin *in, gth_error *err);

/* The argument count (dt included) of each event code that gth_cursor_step
 * decodes inline: a known timed type with 1 to 5 arguments; 0 for the others. */
void gth_cursor_step_table(uint8_t nargs[256]);

/* One varint at *sp for gth_cursor_step, whose caller has made sure that the
 * three bytes at *sp are in the batch; longer ones go to the general decoder
 * (end: the batch's end). 0, or -1 when it fails. */
static inline __attribute__((always_inline)) int gth_step_uvarint(const uint8_t **sp, const uint8_t *end, uint64_t *v) {
    const uint8_t *s = *sp;
    if (s[0] < 0x80) {
        *v = s[0];
        *sp = s + 1;
        return 0;
    }
    if (s[1] < 0x80) {
        *v = (uint64_t)(s[0] & 0x7f) | (uint64_t)s[1] << 7;
        *sp = s + 2;
        return 0;
    }
    if (s[2] < 0x80) {
        *v = (uint64_t)(s[0] & 0x7f) | (uint64_t)(s[1] & 0x7f) << 7 | (uint64_t)s[2] << 14;
        *sp = s + 3;
        return 0;
    }
    int k = gth_uvarint(s, (size_t)(end - s), v);
    if (k <= 0) return -1;
    *sp = s + k;
    return 0;
}

/* gth_cursor_next from a clear error (the event loop's common case leaves
 * the error as it is). */
static inline int gth_cursor_step_general(vcursor *c, const vgen *g, vin *in, gth_error *err) {
    gth_error_clear(err);
    return gth_cursor_next(c, g, in, err);
}

/* gth_cursor_next, with the common case inline: an event of a known timed type
 * (c->step_nargs) that lies wholly in the current batch, after the batch's
 * first, when the batch has room for the longest such event after it (so that
 * the varints need no bounds checks but the general decoder's). Anything else
 * (and every error) goes to gth_cursor_next, from the same position. */
static inline __attribute__((always_inline)) int gth_cursor_step(vcursor *c, const vgen *g, vin *in, gth_error *err) {
    size_t pos = c->pos, end = c->end;
    if (pos >= end || end - pos < GTH_STEP_ROOM || c->last_ts == 0) return gth_cursor_step_general(c, g, in, err);
    const uint8_t *p = c->data, *s = p + pos + 1, *e = p + end;
    uint8_t code = p[pos];
    uint64_t dt, *a = c->ev_args;
    switch (c->step_nargs[code]) {
    case 5:
        if (gth_step_uvarint(&s, e, &dt) || gth_step_uvarint(&s, e, &a[0]) || gth_step_uvarint(&s, e, &a[1]) ||
            gth_step_uvarint(&s, e, &a[2]) || gth_step_uvarint(&s, e, &a[3]))
            return gth_cursor_step_general(c, g, in, err);
        break;
    case 4:
        if (gth_step_uvarint(&s, e, &dt) || gth_step_uvarint(&s, e, &a[0]) || gth_step_uvarint(&s, e, &a[1]) ||
            gth_step_uvarint(&s, e, &a[2]))
            return gth_cursor_step_general(c, g, in, err);
        a[3] = 0;
        break;
    case 3:
        if (gth_step_uvarint(&s, e, &dt) || gth_step_uvarint(&s, e, &a[0]) || gth_step_uvarint(&s, e, &a[1]))
            return gth_cursor_step_general(c, g, in, err);
        a[2] = a[3] = 0;
        break;
    case 2:
        if (gth_step_uvarint(&s, e, &dt) || gth_step_uvarint(&s, e, &a[0]))
            return gth_cursor_step_general(c, g, in, err);
        a[1] = a[2] = a[3] = 0;
        break;
    case 1:
        if (gth_step_uvarint(&s, e, &dt)) return gth_cursor_step_general(c, g, in, err);
        a[0] = a[1] = a[2] = a[3] = 0;
        break;
    default: return gth_cursor_step_general(c, g, in, err);
    }
    c->ev_code = code;
    c->ev_off = c->data_off + pos;
    c->ev_time = (int64_t)((uint64_t)gth_ticks_to_ns(g->freq, dt) + (uint64_t)c->last_ts);
    c->last_ts = c->ev_time;
    c->pos = (size_t)(s - p);
    c->ev_index++;
    return 1;
}

#endif
