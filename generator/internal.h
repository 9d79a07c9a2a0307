/*
 * internal: the generator's private state — the scheduler model (threads,
 * procs, goroutines), the per-generation string/stack/type tables, and the
 * emitter that turns model events into per-M batches through the spec tables.
 * Shared by model.c, emit.c, tables.c and gen.c; not installed API.
 */
#ifndef GTH_GENERATOR_INTERNAL_H
#define GTH_GENERATOR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "format/decode.h"
#include "format/encode.h"
#include "format/event.h"
#include "format/text.h"
#include "generator/gen.h"
#include "base/rng.h"
#include "spec/spec.h"

/* Argument fields the model fills. Each spec argument kind maps onto one (the
 * k-th argument of a repeated kind onto the k-th field of its group), so the
 * model says "G, seq, stack" and the table decides positions and order. */
enum {
    F_DT, F_TIME, F_GEN, F_SIZE, F_EXP, F_M, F_P, F_G, F_SEQ, F_STATUS, F_STACK, F_NEWSTACK,
    F_STR0, F_STR1, F_TASK0, F_TASK1, F_V0, F_V1, F_V2, F_ID, F_COUNT,
    F__N
};

typedef struct gx_evinfo {
    const gth_event_spec *spec; /* NULL: the code is not written in this configuration */
    uint8_t slot[GTH_MAX_ARGS];
} gx_evinfo;

/* Model states. */
enum { P_IDLE = 1, P_RUNNING, P_SYSCALL, P_ABANDONED };
enum { G_FREE = 0, G_RUNNABLE, G_RUNNING, G_SYSCALL, G_WAITING };
enum { W_NORMAL = 0, W_CORO };
enum { GF_CGO = 1, GF_WORKER = 2, GF_MAIN = 4, GF_ENTERED = 8 };
enum { BUSY_NONE = 0, BUSY_SWEEP };

#define GX_MAX_REGIONS 6
#define GX_MAX_TASKS 64
#define GX_AF_RING 64
#define GX_MAX_EVENT 64 /* bytes an event may take in a batch, with margin */

typedef struct gm {
    uint64_t id;        /* thread id on the wire */
    int32_t p, g;       /* P index / G slot, -1 if none */
    uint8_t sysmon;     /* bare thread: never holds a P or a G */
    uint8_t busy;       /* BUSY_* */
    uint64_t skew;      /* clock offset in model time units */
    uint32_t res;       /* residue of this M's event times modulo x->tick_k */
    int32_t pm_pos;     /* index in x->pm while it holds a P, else -1 */
    uint64_t last;      /* last timestamp written on this M */
    int open;           /* a batch is open */
    uint64_t batch_time;
    gth_buf buf;        /* payload of the open batch */
} gm;

typedef struct gp {
    uint32_t id;
    uint8_t state;      /* P_* */
    uint8_t in_sweep;
    uint8_t active;     /* below GOMAXPROCS */
    uint8_t seen;       /* mentioned in the trace at least once */
    int32_t m;          /* M holding it (RUNNING/SYSCALL), or where it was abandoned */
    int32_t idle_pos;   /* index in the idle list, -1 */
    uint64_t seq;
    uint64_t traced;    /* generation whose status was written */
    uint64_t syscall_gen;
    uint64_t goid_next, goid_end; /* goroutine id cache, as the runtime's per-P one */
} gp;

typedef struct gg {
    uint64_t goid;
    uint8_t state;      /* G_* */
    uint8_t wait;       /* W_* when waiting */
    uint8_t flags;      /* GF_* */
    uint8_t in_assist;
    uint8_t nregions, npretrace; /* region stack depth; the bottom npretrace began before tracing */
    uint16_t func;      /* start function */
    int32_t m;          /* M running it or holding it in a syscall */
    int32_t pos;        /* index in the run or wait list, -1 */
    int32_t parent, child; /* coroutine links (G slots), -1 */
    uint64_t seq;
    uint64_t traced;
    uint64_t blocked_gen;
    uint64_t syscall_gen;
    uint16_t region_name[GX_MAX_REGIONS];
    uint64_t region_task[GX_MAX_REGIONS];
} gg;

typedef struct gx_task {
    uint64_t id;
    uint64_t gen;       /* generation it began in (0: before tracing) */
    uint64_t goid;      /* goroutine that began it */
} gx_task;

/* A batch waiting in the shuffle window. key orders batches of one M. */
typedef struct gx_item {
    int64_t key;
    uint8_t hdr[48];
    uint8_t hdrlen;
    gth_buf body;
} gx_item;

/* A string of the pool. */
typedef struct gx_str {
    const char *s;
    uint32_t len;
    uint32_t canon; /* the first pool entry with the same text: they share an id */
} gx_str;

/* A function of the stack pool: name and file are string pool indices. */
typedef struct gx_func {
    uint32_t name, file;
    uint32_t line;
    uint64_t pc;
} gx_func;

typedef struct gx gx;
struct gx {
    const gth_allocator *a;
    gth_gen_config cfg; /* resolved */
    unsigned ver;
    uint32_t feat, pert;
    gth_rng rng;
    gth_error *err;
    int status;         /* first failure, GTH_OK while fine */
    gth_gen_sink_fn sink;
    void *ud;
    gth_gen_stats *st;

    /* Spec-derived event table. */
    gx_evinfo ev[GTH_NUM_CODES];
    int allocfree_events; /* AllocFree events (128..136) are written */

    /* Time. */
    uint64_t now;       /* model clock, in units of tick_k wire ticks */
    uint64_t tick_k;    /* wire ticks per model time unit: one residue per M */
    uint64_t gclock;    /* last base time of a global batch */
    int skew_on;
    uint64_t mono0, wall0; /* ns */

    /* Generations. */
    uint64_t gen, gen_index, ngens;
    uint64_t gen_events, gen_target;
    int last_gen;

    /* Entities. */
    gm *ms;
    unsigned nm;
    int sysmon;         /* M index, -1 */
    gm nothread;        /* the end-of-generation status batch writer */
    gp *ps;
    unsigned np, gomaxprocs;
    gg *gs;
    unsigned ng_cap, ng_live, ng_target;
    int32_t *runq, *waitq, *freeg, *idlep, *pm;
    unsigned nrunq, nwaitq, nfreeg, nidlep, npm; /* pm: Ms holding a P */
    unsigned nsyscallp; /* Ps in P_SYSCALL or P_ABANDONED */
    uint64_t goid_global;

    /* GC and memory. */
    int gc_running, gc_seen;
    uint64_t gc_seq, gc_last_time;
    uint64_t heap_live, heap_goal;

    /* Annotations. */
    uint64_t task_next;
    gx_task tasks[GX_MAX_TASKS];
    unsigned ntasks;

    /* Pools (fixed for the run) and per-generation tables. */
    gx_str *strs;
    unsigned nstrs;
    gx_func *funcs;
    unsigned nfuncs;
    uint32_t *stk_frames; /* per frame: function index << 8 | line offset */
    uint32_t *stk_off;
    uint16_t *stk_len;
    unsigned nstks, nstart_stks, deep_stk, nstk_general;
    char *long_str;
    uint64_t *str_gen, *stk_gen, *typ_gen;
    uint32_t *str_id, *stk_id, *typ_id;
    uint32_t *stk_used, *typ_used;
    unsigned nstk_used, ntyp_used;
    uint64_t str_next, stk_next, typ_next;
    uint64_t *frames_scratch;

    /* String pool index ranges. */
    unsigned s_block, n_block, s_stop, n_stop, s_label, n_label, s_stw, n_stw, s_task, n_task,
        s_region, n_region, s_cat, n_cat, s_msg, n_msg, s_long;

    /* Batches and output. */
    uint32_t batch_cap;
    gth_buf strbuf, cpubuf;
    uint32_t strbatches;
    gth_buf out;
    gx_item *win;
    unsigned win_cap, win_n;
    int64_t next_key;

    /* Text output. */
    int text;
    gth_decoder dec;
    int dec_init, dec_header;
    gth_buf txt;

    /* AllocFree model. */
    uint64_t af_spans[GX_AF_RING], af_objs[GX_AF_RING], af_stacks[GX_AF_RING];
    unsigned naf_spans, naf_objs, naf_stacks;
    uint64_t af_next_span, af_next_obj, af_next_stack;

    /* Actions of a running goroutine by weight: a lookup table indexed by a
     * random number (no search on the hot path). */
    uint8_t act_lut[1024];
};

/* ---- emit.c ---------------------------------------------------------------- */
int gx_specs_init(gx *x);
/* Appends a timed event to M m's batch (m may be &x->nothread), setting F_DT. */
void gx_emit(gx *x, gm *m, unsigned code, uint64_t *f);
/* Appends an event with optional data/frames to a structural buffer. */
void gx_emit_raw(gx *x, gth_buf *b, unsigned code, const uint64_t *f, const void *data,
                 size_t data_len, const uint64_t *frames, size_t nframes);
/* Closes M m's open batch and hands it to the output. */
void gx_flush_m(gx *x, gm *m);
/* Hands a structural batch (payload in b, reset afterwards) to the output; its
 * base time is `time`, or the next global time if 0. */
void gx_put_global(gx *x, gth_buf *b, uint64_t time);
/* Hands a whole experimental batch to the output. */
void gx_put_experimental(gx *x, const void *data, size_t len);
/* Writes every held batch (end of a generation). */
void gx_drain_window(gx *x);
/* Writes a batch-level event directly (EndOfGeneration). */
void gx_put_marker(gx *x, unsigned code);
/* Passes buffered output to the sink; final: the trace is complete. */
void gx_output(gx *x, int final);
uint64_t gx_global_time(gx *x);
void gx_fail(gx *x, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- tables.c -------------------------------------------------------------- */
int gx_pools_init(gx *x);
void gx_pools_free(gx *x);
/* Id of pool string k in the current generation, writing it on first use. */
uint64_t gx_str_ref(gx *x, unsigned k);
/* A fresh id for a string written now (UserLog messages). */
uint64_t gx_str_unique(gx *x, const char *s, size_t len);
/* Id of pool stack k in the current generation. */
uint64_t gx_stk_ref(gx *x, unsigned k);
uint64_t gx_typ_ref(gx *x, unsigned k);
unsigned gx_ntypes(void);
/* End of generation: stacks batches, AllocFree types batch, last strings batch. */
void gx_tables_dump(gx *x);
/* A random general stack / start stack of a function. */
unsigned gx_rand_stack(gx *x);
unsigned gx_start_stack(gx *x, unsigned func);
void gx_flush_strings(gx *x);

/* ---- model.c --------------------------------------------------------------- */
int gx_model_init(gx *x);
void gx_model_free(gx *x);
void gx_gen_begin(gx *x);
void gx_step(gx *x);
void gx_gen_end(gx *x);

static inline void gx_count(gx *x, unsigned tr) { x->st->trans[tr]++; }

#endif
