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
} vcursor;

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

/* gth_cursor_next, with the common case inline: an event of a known timed type
 * that lies wholly in the current batch, after the batch's first. Anything
 * else (and every error) goes to gth_cursor_next, from the same position. */
static inline int gth_cursor_step(vcursor *c, const vgen *g, vin *in, gth_error *err) {
    size_t pos = c->pos, end = c->end;
    if (pos >= end || c->last_ts == 0) return gth_cursor_next(c, g, in, err);
    const uint8_t *p = c->data;
    uint8_t code = p[pos];
    const gth_event_spec *spec = gth_spec_event(code);
    if (!spec || !(spec->flags & GTH_F_TIMED) || spec->nargs < 1 || spec->nargs > 5)
        return gth_cursor_next(c, g, in, err);
    uint64_t v[5] = {0, 0, 0, 0, 0}; /* dt, then the arguments */
    size_t q = pos + 1;
    for (unsigned i = 0; i < spec->nargs; i++) {
        if (q < end && p[q] < 0x80) {
            v[i] = p[q++];
            continue;
        }
        int n = gth_uvarint(p + q, end - q, &v[i]);
        if (n <= 0) return gth_cursor_next(c, g, in, err);
        q += (size_t)n;
    }
    memcpy(c->ev_args, v + 1, sizeof c->ev_args);
    c->ev_code = code;
    c->ev_off = c->data_off + pos;
    c->ev_time = (int64_t)((uint64_t)gth_ticks_to_ns(g->freq, v[0]) + (uint64_t)c->last_ts);
    c->last_ts = c->ev_time;
    c->pos = q;
    c->ev_index++;
    return 1;
}

#endif
