/*
 * reader: the reference trace reader. It accepts exactly what Go's trace reader
 * accepts and delivers the same ordered event stream: generation splitting,
 * per-generation tables, per-thread batch cursors merged by time under the
 * ordering rules, the state model, and Go's time conversion and fix-up.
 *
 * It streams: memory is bounded by the largest generation, never the trace, and
 * from a seekable source by the largest batch of each thread (see gth_source).
 */
#ifndef GTH_READER_H
#define GTH_READER_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "../spec/spec.h"

/* Where bytes come from. read() fills up to n bytes of buf and returns how many
 * (0 at end of input), or -1 on an I/O error (with a message in err).
 *
 * A source that can also read at any offset (a regular file, memory) sets pread
 * (same contract, reading at absolute offset off; read is then unused) and size
 * (its length in bytes). The reader then keeps only each thread's current batch
 * in memory, re-reading batches by offset, instead of the whole generation: its
 * memory no longer grows with the size of a generation. Without pread (pipes),
 * each generation's bytes are buffered. */
typedef struct gth_source {
    long (*read)(void *ud, uint8_t *buf, size_t n, gth_error *err);
    void *ud;
    long (*pread)(void *ud, uint8_t *buf, size_t n, uint64_t off, gth_error *err);
    uint64_t size;
} gth_source;

/* A source over a memory buffer (ms must outlive the reader). */
typedef struct gth_mem_source {
    const uint8_t *data;
    size_t len, pos;
} gth_mem_source;
gth_source gth_source_mem(gth_mem_source *ms, const void *data, size_t len);
/* A source over a file descriptor: seekable (pread) if it is a regular file. */
gth_source gth_source_fd(int *fd);

/* The code of the Sync events the reader makes (one per generation, and a
 * final one). Not a wire code: those stop at GTH_NUM_CODES - 1, and the wire's
 * own GTH_EV_Sync (50) only marks a sync batch. */
#define GTH_CODE_READER_SYNC 0xFF

/* Goroutine and proc states, numbered as Go's GoState and ProcState: the API
 * states, not the wire statuses (GTH_GS_*, GTH_PS_*). A status event the reader
 * delivers carries in its args the state its resource was in before. */
enum { GTH_GO_UNDETERMINED, GTH_GO_NOTEXIST, GTH_GO_RUNNABLE, GTH_GO_RUNNING, GTH_GO_WAITING, GTH_GO_SYSCALL };
enum { GTH_PROC_UNDETERMINED, GTH_PROC_NOTEXIST, GTH_PROC_RUNNING, GTH_PROC_IDLE };
/* The state a wire status stands for; status must be below GTH_GS__COUNT
 * (GTH_PS__COUNT). A proc in a syscall counts as Running, an abandoned one as Idle. */
static inline uint8_t gth_gstatus_state(uint64_t status) {
    static const uint8_t state[GTH_GS__COUNT] = {
        [GTH_GS_BAD] = GTH_GO_UNDETERMINED, [GTH_GS_RUNNABLE] = GTH_GO_RUNNABLE, [GTH_GS_RUNNING] = GTH_GO_RUNNING,
        [GTH_GS_SYSCALL] = GTH_GO_SYSCALL,   [GTH_GS_WAITING] = GTH_GO_WAITING,
    };
    return state[status];
}
static inline uint8_t gth_pstatus_state(uint64_t status) {
    static const uint8_t state[GTH_PS__COUNT] = {
        [GTH_PS_BAD] = GTH_PROC_UNDETERMINED, [GTH_PS_RUNNING] = GTH_PROC_RUNNING, [GTH_PS_IDLE] = GTH_PROC_IDLE,
        [GTH_PS_SYSCALL] = GTH_PROC_RUNNING,  [GTH_PS_ABANDONED] = GTH_PROC_IDLE,
    };
    return state[status];
}

/* An event as Go's reader delivers it (its "base event" plus context). */
typedef struct gth_event {
    int64_t time;        /* nanoseconds, after the strictly-increasing fix-up */
    int64_t m, p, g;     /* context: thread, proc, goroutine; -1 = none */
    uint64_t args[4];    /* wire arguments without dt, then reader-filled extras */
    uint64_t offset;     /* byte offset of the wire event; GTH_NO_OFFSET if made by the reader */
    uint8_t code;        /* wire event code, or GTH_CODE_READER_SYNC */
    uint8_t synthetic;   /* 1 if the reader made it (GoSwitch expansion, implicit steal) */
    uint8_t has_table;   /* Sync: 1 if it opens a generation (carries its clock and batches) */
    const uint8_t *str;  /* TaskEnd: the task's type text */
    size_t str_len;
    uint64_t gen;        /* generation number the event belongs to (0 for final Syncs) */
} gth_event;

typedef struct gth_reader gth_reader;

/* Reads the header. Returns NULL on error (err says why: bad header, unknown
 * version, out of memory). */
gth_reader *gth_reader_new(const gth_allocator *a, gth_source src, gth_error *err);
void gth_reader_free(gth_reader *r);
unsigned gth_reader_version(const gth_reader *r);
/* The allocator the reader was made with (what the pipeline built on it uses). */
const gth_allocator *gth_reader_allocator(const gth_reader *r);

/* The next event: returns 1 and fills *ev, 0 at the end of the trace, or -1 on
 * an error (err filled: status, invariant id, offset, generation, thread, batch,
 * event index, message with Go's text). After -1 or 0 the reader is done. err
 * is written only when needed: the common event leaves it as it was (cleared
 * by the calls before), so read it after -1 only. */
int gth_reader_next(gth_reader *r, gth_event *ev, gth_error *err);

/* ---- Lookups in the current generation's tables (valid for the event just
 * returned, until the next call). */
int gth_reader_string(const gth_reader *r, uint64_t id, const uint8_t **s, size_t *len);
typedef struct gth_frame {
    uint64_t pc, line;
    const uint8_t *func, *file;
    size_t func_len, file_len;
} gth_frame;
/* Number of frames of stack id (0 for id 0), or -1 if it does not exist. */
long gth_reader_stack_len(const gth_reader *r, uint64_t id);
/* Frame i of stack id; 0 on success. */
int gth_reader_stack_frame(const gth_reader *r, uint64_t id, size_t i, gth_frame *f);

typedef struct gth_clock {
    int64_t trace; /* ns */
    uint64_t mono;
    int64_t wall_sec;  /* normalised like Go's time.Unix */
    int64_t wall_nsec; /* 0..999999999 */
} gth_clock;
/* For a Sync with has_table: its clock snapshot, if the generation has one. */
int gth_reader_sync_clock(const gth_reader *r, gth_clock *c);
typedef struct gth_exp_batch {
    uint8_t exp;
    uint64_t m;
    const uint8_t *data;
    size_t len;
} gth_exp_batch;
/* For a Sync with has_table: the generation's experimental batches in file order. */
size_t gth_reader_exp_batches(const gth_reader *r, const gth_exp_batch **b);

/* Statistics, for gth info and benchmarks. */
typedef struct gth_reader_stats {
    uint64_t bytes, generations, batches, events, strings, stacks, cpu_samples;
    size_t max_gen_bytes;
    /* The trace ended early, accepted by Go's rule that a bare EOF from a table
     * read is the end of the trace (a truncated table, really). */
    int eof_quirk;
} gth_reader_stats;
void gth_reader_stats_get(const gth_reader *r, gth_reader_stats *s);

#endif
