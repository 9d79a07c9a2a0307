/*
 * view: what Go's trace API (golang.org/x/exp/trace, Event and its getters)
 * makes of an event the reader delivered — its kind, the resource a state
 * transition moves and between which states, a range's name and scope, a task,
 * region, log, label, metric, experimental event or sync point, and its stacks.
 *
 * The canonical event stream (stream.h) prints views and Go's test validator
 * (testtrace.h) checks them. Where Go's getters panic on input its reader
 * accepted (a proc status that only fits after truncation, a CPU sample naming
 * a stack that does not exist, an unknown experiment, an STW range whose kind
 * string is gone in the next generation), gth_view_make reports a
 * validate.panic-* invariant with the text of Go's panic instead.
 */
#ifndef GTH_VIEW_H
#define GTH_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "reader.h"

/* Event kinds (GTH_KIND_*), numbered as Go's EventKind: what the API makes of
 * an event, not its wire code (GTH_EV_<Name>, spec/spec.h). */
typedef enum gth_event_kind {
    GTH_KIND_BAD = 0,
    GTH_KIND_SYNC,
    GTH_KIND_METRIC,
    GTH_KIND_LABEL,
    GTH_KIND_STACK_SAMPLE,
    GTH_KIND_RANGE_BEGIN,
    GTH_KIND_RANGE_ACTIVE,
    GTH_KIND_RANGE_END,
    GTH_KIND_TASK_BEGIN,
    GTH_KIND_TASK_END,
    GTH_KIND_REGION_BEGIN,
    GTH_KIND_REGION_END,
    GTH_KIND_LOG,
    GTH_KIND_STATE_TRANSITION,
    GTH_KIND_EXPERIMENTAL,
    GTH_KIND__COUNT
} gth_event_kind;

/* The kind of a delivered event (by its wire code, or GTH_CODE_READER_SYNC). */
gth_event_kind gth_view_kind(uint8_t code);
/* Go's EventKind.String(): "Sync", "StateTransition", ... ("Bad" if unknown). */
const char *gth_event_kind_name(unsigned kind);

/* Names of the goroutine and proc states (GTH_GO_*, GTH_PROC_*, reader.h). */
const char *gth_go_state_name(unsigned s);   /* "Bad" beyond Syscall */
const char *gth_proc_state_name(unsigned s); /* "Bad" beyond Idle */
static inline int gth_go_state_executing(unsigned s) { return s == GTH_GO_RUNNING || s == GTH_GO_SYSCALL; }
static inline int gth_proc_state_executing(unsigned s) { return s == GTH_PROC_RUNNING; }

/* A resource: Go's ResourceID. */
enum { GTH_RES_NONE, GTH_RES_GOROUTINE, GTH_RES_PROC, GTH_RES_THREAD };
typedef struct gth_resource {
    uint8_t kind;
    int64_t id;
} gth_resource;
/* Appends Go's ResourceID.String(): "None", "Goroutine(5)", "Proc(0)", "Thread(3)". */
int gth_resource_append(gth_buf *b, gth_resource r);

/* A byte string that points into the reader's tables (or static text). */
typedef struct gth_bytes {
    const uint8_t *p;
    size_t n;
} gth_bytes;

/* A stack handle: Go's Stack value. present == 0 is NoStack; a present stack
 * may have id 0 (the empty stack), as for CPU samples and new goroutines. */
typedef struct gth_stack_ref {
    uint8_t present;
    uint64_t id;
} gth_stack_ref;
static inline int gth_stack_ref_eq(gth_stack_ref a, gth_stack_ref b) {
    return a.present == b.present && a.id == b.id;
}

/* Where a view's stack frames come from: the reader's current generation, or
 * (in tests) anything else. len returns the number of frames or -1 if the
 * stack does not exist; frame returns 0 on success. */
typedef struct gth_stack_source {
    long (*len)(const void *ud, uint64_t id);
    int (*frame)(const void *ud, uint64_t id, size_t i, gth_frame *f);
    const void *ud;
} gth_stack_source;

typedef struct gth_transition {
    gth_resource resource; /* GTH_RES_GOROUTINE or GTH_RES_PROC */
    uint8_t old_state, new_state; /* GTH_GO_* or GTH_PROC_* by resource kind */
    gth_bytes reason;
    gth_stack_ref stack;
} gth_transition;

typedef struct gth_range_attr {
    const char *name;
    uint64_t value;
} gth_range_attr;

typedef struct gth_range {
    gth_bytes name;
    gth_resource scope;
    unsigned nattrs; /* RangeEnd of a sweep: "bytes swept", "bytes reclaimed" */
    gth_range_attr attrs[2];
} gth_range;

typedef struct gth_task {
    uint64_t id, parent;
    gth_bytes type;
} gth_task;

typedef struct gth_region {
    uint64_t task;
    gth_bytes type;
} gth_region;

typedef struct gth_log {
    uint64_t task;
    gth_bytes category, message;
} gth_log;

typedef struct gth_label {
    gth_bytes label;
    gth_resource resource;
} gth_label;

/* Value kinds, numbered as Go's ValueKind (every metric is a Uint64). */
enum { GTH_VALUE_BAD, GTH_VALUE_UINT64, GTH_VALUE_STRING };

typedef struct gth_metric {
    const char *name;
    uint8_t value_kind; /* GTH_VALUE_* */
    uint64_t value;
} gth_metric;

typedef struct gth_experimental {
    const char *name, *experiment;
    unsigned nargs;
    const char *arg_names[4];
    uint64_t args[4];
} gth_experimental;

typedef struct gth_sync {
    uint64_t n;
    int has_clock;
    gth_clock clock;
    size_t nbatches; /* experimental batches (all of experiment AllocFree) */
    const gth_exp_batch *batches;
} gth_sync;

/* The whole API view of one event. Details are valid for the kind only. */
typedef struct gth_view {
    const gth_event *ev;
    gth_event_kind kind;
    int64_t time, m, p, g;
    gth_stack_ref stack; /* Event.Stack() */
    gth_stack_source stacks;
    union {
        gth_sync sync;
        gth_metric metric;
        gth_label label;
        gth_range range;
        gth_task task;
        gth_region region;
        gth_log log;
        gth_transition transition;
        gth_experimental experimental;
    } u;
    /* Storage for a range name built from a string (stop-the-world). */
    uint8_t namebuf[GTH_MAX_STRING_SIZE + 24];
} gth_view;

/* Fills v for ev, the event r just returned (lookups use r's current tables).
 * Returns GTH_OK; GTH_EINVALID with a validate.panic-* invariant in err when
 * Go's API would panic on this event; GTH_EINTERNAL if the reader delivered an
 * event it should not have (a string it checked is missing). v points into
 * itself (range names): do not copy it. */
int gth_view_make(const gth_reader *r, const gth_event *ev, gth_view *v, gth_error *err);

/* The stack source gth_view_make gives a view: the reader's current tables
 * (ud is the reader). */
long gth_view_reader_stack_len(const void *ud, uint64_t id);
int gth_view_reader_stack_frame(const void *ud, uint64_t id, size_t i, gth_frame *f);

/* The empty string of a view's empty reason (one address for every view). */
extern const uint8_t gth_view_empty[1];

/* The part of a view every event has (all but its stack and details), as
 * gth_view_make and gth_view_make_fast fill it. */
static inline void gth_view_head(gth_view *v, const gth_reader *r, const gth_event *ev, gth_event_kind kind) {
    v->ev = ev;
    v->kind = kind;
    v->time = ev->time;
    v->m = ev->m;
    v->p = ev->p;
    v->g = ev->g;
    v->stacks = (gth_stack_source){gth_view_reader_stack_len, gth_view_reader_stack_frame, r};
}

/* gth_view_make, with the most common state transitions (goroutines starting,
 * stopping, blocking, unblocking, entering and leaving syscalls; procs starting
 * and stopping) filled inline: the same view, field for field. Every other
 * event, and a reason string that is missing, goes to gth_view_make. Built with
 * GTH_NO_INLINE_ORDER, it always calls gth_view_make. */
static inline int gth_view_make_fast(const gth_reader *r, const gth_event *ev, gth_view *v, gth_error *err) {
#ifndef GTH_NO_INLINE_ORDER
    const uint64_t *a = ev->args;
    uint8_t res = GTH_RES_GOROUTINE, from, to;
    int64_t id = ev->g;
    uint64_t stack = 0;     /* the event's stack argument (0: NoStack) */
    int tr_stack = 0;       /* whether the transition carries the event's stack */
    gth_bytes reason = {gth_view_empty, 0};
    switch (ev->code) {
    case GTH_EV_GoStart: id = (int64_t)a[0], from = GTH_GO_RUNNABLE, to = GTH_GO_RUNNING; break;
    case GTH_EV_GoStop:
    case GTH_EV_GoBlock:
        from = GTH_GO_RUNNING, to = ev->code == GTH_EV_GoStop ? GTH_GO_RUNNABLE : GTH_GO_WAITING;
        if (!gth_reader_string(r, a[0], &reason.p, &reason.n)) return gth_view_make(r, ev, v, err);
        stack = a[1], tr_stack = 1;
        break;
    case GTH_EV_GoUnblock: id = (int64_t)a[0], from = GTH_GO_WAITING, to = GTH_GO_RUNNABLE, stack = a[2]; break;
    case GTH_EV_GoSyscallBegin: from = GTH_GO_RUNNING, to = GTH_GO_SYSCALL, stack = a[1], tr_stack = 1; break;
    case GTH_EV_GoSyscallEnd: from = GTH_GO_SYSCALL, to = GTH_GO_RUNNING; break;
    case GTH_EV_GoSyscallEndBlocked: from = GTH_GO_SYSCALL, to = GTH_GO_RUNNABLE; break;
    case GTH_EV_ProcStart: res = GTH_RES_PROC, id = (int64_t)a[0], from = GTH_PROC_IDLE, to = GTH_PROC_RUNNING; break;
    case GTH_EV_ProcStop: res = GTH_RES_PROC, id = ev->p, from = GTH_PROC_RUNNING, to = GTH_PROC_IDLE; break;
    default: return gth_view_make(r, ev, v, err);
    }
    gth_view_head(v, r, ev, GTH_KIND_STATE_TRANSITION);
    v->stack = (gth_stack_ref){stack != 0, stack};
    v->u.transition = (gth_transition){.resource = {res, id},
                                       .old_state = from,
                                       .new_state = to,
                                       .reason = reason,
                                       .stack = tr_stack ? v->stack : (gth_stack_ref){0, 0}};
    return GTH_OK;
#else
    return gth_view_make(r, ev, v, err);
#endif
}

/* Whether Go's event API can panic on ev (see the validate.panic-* invariants):
 * only then does a run without output or validator need its view. */
static inline int gth_view_can_panic(const gth_event *ev) {
    static const uint8_t can_panic[256] = {
        [GTH_CODE_READER_SYNC] = 1, [GTH_EV_CPUSample] = 1, [GTH_EV_ProcStatus] = 1, [GTH_EV_STWEnd] = 1};
    return can_panic[ev->code];
}

/* Frames of a stack handle (NoStack and id 0 have none). */
long gth_view_stack_len(const gth_view *v, gth_stack_ref s);
int gth_view_stack_frame(const gth_view *v, gth_stack_ref s, size_t i, gth_frame *f);

/* Go's Event.String(), the debugging form the validator prints in its
 * timestamp error (wall clocks in UTC, as the Go adapter pins time.Local). */
int gth_view_go_string(gth_buf *b, const gth_view *v);

/* Go's time.Time formatting of a Unix time (sec, nsec in [0,1e9)) in UTC:
 * rfc3339 != 0 gives RFC3339Nano ("2006-01-02T15:04:05.999999999Z"), else
 * Time.String() ("2006-01-02 15:04:05.999999999 +0000 UTC"). */
int gth_go_time_append(gth_buf *b, int64_t sec, int64_t nsec, int rfc3339);

#endif
