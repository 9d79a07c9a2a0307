/*
 * The API view of a delivered event: the same projection Go's Event getters
 * make, computed once per event for the stream printer and the validator.
 */
#include "validator/view.h"

#include <stdio.h>
#include <string.h>

#include "base/quote.h"
#include "spec/invariants.h"
#include "spec/spec.h"

static const uint8_t kind_of_code[GTH_NUM_CODES] = {
    [GTH_EV_CPUSample] = GTH_KIND_STACK_SAMPLE,
    [GTH_EV_ProcsChange] = GTH_KIND_METRIC,
    [GTH_EV_ProcStart] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_ProcStop] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_ProcSteal] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_ProcStatus] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoCreate] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoCreateSyscall] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoStart] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoDestroy] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoDestroySyscall] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoStop] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoBlock] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoUnblock] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoSyscallBegin] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoSyscallEnd] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoSyscallEndBlocked] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoStatus] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_STWBegin] = GTH_KIND_RANGE_BEGIN,
    [GTH_EV_STWEnd] = GTH_KIND_RANGE_END,
    [GTH_EV_GCActive] = GTH_KIND_RANGE_ACTIVE,
    [GTH_EV_GCBegin] = GTH_KIND_RANGE_BEGIN,
    [GTH_EV_GCEnd] = GTH_KIND_RANGE_END,
    [GTH_EV_GCSweepActive] = GTH_KIND_RANGE_ACTIVE,
    [GTH_EV_GCSweepBegin] = GTH_KIND_RANGE_BEGIN,
    [GTH_EV_GCSweepEnd] = GTH_KIND_RANGE_END,
    [GTH_EV_GCMarkAssistActive] = GTH_KIND_RANGE_ACTIVE,
    [GTH_EV_GCMarkAssistBegin] = GTH_KIND_RANGE_BEGIN,
    [GTH_EV_GCMarkAssistEnd] = GTH_KIND_RANGE_END,
    [GTH_EV_HeapAlloc] = GTH_KIND_METRIC,
    [GTH_EV_HeapGoal] = GTH_KIND_METRIC,
    [GTH_EV_GoLabel] = GTH_KIND_LABEL,
    [GTH_EV_UserTaskBegin] = GTH_KIND_TASK_BEGIN,
    [GTH_EV_UserTaskEnd] = GTH_KIND_TASK_END,
    [GTH_EV_UserRegionBegin] = GTH_KIND_REGION_BEGIN,
    [GTH_EV_UserRegionEnd] = GTH_KIND_REGION_END,
    [GTH_EV_UserLog] = GTH_KIND_LOG,
    [GTH_EV_GoSwitch] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoSwitchDestroy] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoCreateBlocked] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_GoStatusStack] = GTH_KIND_STATE_TRANSITION,
    [GTH_EV_Span] = GTH_KIND_EXPERIMENTAL,
    [GTH_EV_SpanAlloc] = GTH_KIND_EXPERIMENTAL,
    [GTH_EV_SpanFree] = GTH_KIND_EXPERIMENTAL,
    [GTH_EV_HeapObject] = GTH_KIND_EXPERIMENTAL,
    [GTH_EV_HeapObjectAlloc] = GTH_KIND_EXPERIMENTAL,
    [GTH_EV_HeapObjectFree] = GTH_KIND_EXPERIMENTAL,
    [GTH_EV_GoroutineStack] = GTH_KIND_EXPERIMENTAL,
    [GTH_EV_GoroutineStackAlloc] = GTH_KIND_EXPERIMENTAL,
    [GTH_EV_GoroutineStackFree] = GTH_KIND_EXPERIMENTAL,
};

gth_event_kind gth_view_kind(uint8_t code) {
    if (code == GTH_CODE_READER_SYNC) return GTH_KIND_SYNC;
    if (code >= GTH_NUM_CODES) return GTH_KIND_BAD;
    return (gth_event_kind)kind_of_code[code];
}

const char *gth_event_kind_name(unsigned kind) {
    static const char *const names[GTH_KIND__COUNT] = {
        "Bad",        "Sync",       "Metric",      "Label",        "StackSample",
        "RangeBegin", "RangeActive", "RangeEnd",   "TaskBegin",    "TaskEnd",
        "RegionBegin", "RegionEnd", "Log",         "StateTransition", "Experimental",
    };
    return kind < GTH_KIND__COUNT ? names[kind] : names[0];
}

const char *gth_go_state_name(unsigned s) {
    static const char *const names[] = {"Undetermined", "NotExist", "Runnable", "Running", "Waiting", "Syscall"};
    return s < sizeof names / sizeof names[0] ? names[s] : "Bad";
}

const char *gth_proc_state_name(unsigned s) {
    static const char *const names[] = {"Undetermined", "NotExist", "Running", "Idle"};
    return s < sizeof names / sizeof names[0] ? names[s] : "Bad";
}

int gth_resource_append(gth_buf *b, gth_resource r) {
    switch (r.kind) {
    case GTH_RES_NONE: return gth_buf_append(b, "None", 4);
    case GTH_RES_GOROUTINE: return gth_buf_printf(b, "Goroutine(%lld)", (long long)r.id);
    case GTH_RES_PROC: return gth_buf_printf(b, "Proc(%lld)", (long long)r.id);
    case GTH_RES_THREAD: return gth_buf_printf(b, "Thread(%lld)", (long long)r.id);
    }
    return gth_buf_printf(b, "Bad(%lld)", (long long)r.id);
}

/* ---- Stacks ---------------------------------------------------------------------- */

long gth_view_reader_stack_len(const void *ud, uint64_t id) { return gth_reader_stack_len(ud, id); }
int gth_view_reader_stack_frame(const void *ud, uint64_t id, size_t i, gth_frame *f) {
    return gth_reader_stack_frame(ud, id, i, f);
}

long gth_view_stack_len(const gth_view *v, gth_stack_ref s) {
    if (!s.present || s.id == 0) return 0;
    return v->stacks.len(v->stacks.ud, s.id);
}

int gth_view_stack_frame(const gth_view *v, gth_stack_ref s, size_t i, gth_frame *f) {
    if (!s.present || s.id == 0) return -1;
    return v->stacks.frame(v->stacks.ud, s.id, i, f);
}

/* Event.Stack(): NoStack for a Sync; the sample's stack (even the empty one)
 * for a CPU sample; otherwise the event's own stack argument, NoStack if 0. */
static gth_stack_ref event_stack(const gth_event *ev) {
    gth_stack_ref s = {0, 0};
    if (ev->code == GTH_CODE_READER_SYNC) return s;
    if (ev->code == GTH_EV_CPUSample) return (gth_stack_ref){1, ev->args[0]};
    const gth_event_spec *spec = gth_spec_event(ev->code);
    if (!spec || !spec->stack_mask) return s;
    unsigned i = (unsigned)__builtin_ctz(spec->stack_mask); /* the first stack argument */
    uint64_t id = i >= 1 && i <= 4 ? ev->args[i - 1] : 0;
    if (id != 0) s = (gth_stack_ref){1, id};
    return s;
}

/* ---- Errors ------------------------------------------------------------------------ */

static int panic_err(const gth_event *ev, gth_error *err, int inv, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int panic_err(const gth_event *ev, gth_error *err, int inv, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gth_error_vset(err, GTH_EINVALID, fmt, ap);
    va_end(ap);
    err->inv = inv;
    err->offset = ev->offset;
    err->gen = ev->gen ? ev->gen : UINT64_MAX;
    err->m = (uint64_t)ev->m;
    return GTH_EINVALID;
}

/* A string the reader has already checked exists (Go's getter would panic if
 * it did not); guarded rather than trusted. */
static int lookup(const gth_reader *r, const gth_event *ev, uint64_t id, gth_bytes *out, gth_error *err) {
    if (gth_reader_string(r, id, &out->p, &out->n)) return GTH_OK;
    gth_error_set(err, GTH_EINTERNAL, "internal error: string %llu of a delivered %s event is missing",
                  (unsigned long long)id, gth_event_kind_name(gth_view_kind(ev->code)));
    return GTH_EINTERNAL;
}

/* ---- Details ------------------------------------------------------------------------- */

static void go_tr(gth_transition *t, int64_t id, uint8_t from, uint8_t to) {
    t->resource = (gth_resource){GTH_RES_GOROUTINE, id};
    t->old_state = from;
    t->new_state = to;
}

static void proc_tr(gth_transition *t, int64_t id, uint8_t from, uint8_t to) {
    t->resource = (gth_resource){GTH_RES_PROC, id};
    t->old_state = from;
    t->new_state = to;
}

const uint8_t gth_view_empty[1] = "";

static int transition(const gth_reader *r, const gth_event *ev, gth_view *v, gth_error *err) {
    gth_transition *t = &v->u.transition;
    memset(t, 0, sizeof *t);
    t->reason = (gth_bytes){gth_view_empty, 0};
    const uint64_t *a = ev->args;
    switch (ev->code) {
    case GTH_EV_ProcStart: proc_tr(t, (int64_t)a[0], GTH_PROC_IDLE, GTH_PROC_RUNNING); break;
    case GTH_EV_ProcStop: proc_tr(t, ev->p, GTH_PROC_RUNNING, GTH_PROC_IDLE); break;
    case GTH_EV_ProcSteal:
        /* A steal of an abandoned proc lost the information that it ran. */
        proc_tr(t, (int64_t)a[0], a[3] == GTH_PS_ABANDONED ? GTH_PROC_IDLE : GTH_PROC_RUNNING, GTH_PROC_IDLE);
        break;
    case GTH_EV_ProcStatus:
        /* Go indexes its status table with the untruncated wire value. */
        if (a[1] >= GTH_PS__COUNT)
            return panic_err(ev, err, GTH_INV_VALIDATE_PANIC_PROC_STATUS,
                             "panic: runtime error: index out of range [%llu] with length %d",
                             (unsigned long long)a[1], GTH_PS__COUNT);
        proc_tr(t, (int64_t)a[0], (uint8_t)a[2], gth_pstatus_state(a[1]));
        break;
    case GTH_EV_GoCreate:
    case GTH_EV_GoCreateBlocked:
        go_tr(t, (int64_t)a[0], GTH_GO_NOTEXIST, ev->code == GTH_EV_GoCreate ? GTH_GO_RUNNABLE : GTH_GO_WAITING);
        t->stack = (gth_stack_ref){1, a[1]};
        break;
    case GTH_EV_GoCreateSyscall: go_tr(t, (int64_t)a[0], GTH_GO_NOTEXIST, GTH_GO_SYSCALL); break;
    case GTH_EV_GoStart: go_tr(t, (int64_t)a[0], GTH_GO_RUNNABLE, GTH_GO_RUNNING); break;
    case GTH_EV_GoDestroy: go_tr(t, ev->g, GTH_GO_RUNNING, GTH_GO_NOTEXIST); break;
    case GTH_EV_GoDestroySyscall: go_tr(t, ev->g, GTH_GO_SYSCALL, GTH_GO_NOTEXIST); break;
    case GTH_EV_GoStop:
    case GTH_EV_GoBlock:
        go_tr(t, ev->g, GTH_GO_RUNNING, ev->code == GTH_EV_GoStop ? GTH_GO_RUNNABLE : GTH_GO_WAITING);
        if (lookup(r, ev, a[0], &t->reason, err)) return GTH_EINTERNAL;
        t->stack = v->stack;
        break;
    case GTH_EV_GoUnblock:
    case GTH_EV_GoSwitch:
    case GTH_EV_GoSwitchDestroy: go_tr(t, (int64_t)a[0], GTH_GO_WAITING, GTH_GO_RUNNABLE); break;
    case GTH_EV_GoSyscallBegin:
        go_tr(t, ev->g, GTH_GO_RUNNING, GTH_GO_SYSCALL);
        t->stack = v->stack;
        break;
    case GTH_EV_GoSyscallEnd: go_tr(t, ev->g, GTH_GO_SYSCALL, GTH_GO_RUNNING); break;
    case GTH_EV_GoSyscallEndBlocked: go_tr(t, ev->g, GTH_GO_SYSCALL, GTH_GO_RUNNABLE); break;
    case GTH_EV_GoStatus:
    case GTH_EV_GoStatusStack: {
        /* The reader packs the old state above the (truncated) wire status. */
        uint64_t to = a[2] & 0xffffffffu, from = a[2] >> 32;
        if (to >= GTH_GS__COUNT) {
            gth_error_set(err, GTH_EINTERNAL, "internal error: goroutine status %llu passed the reader",
                          (unsigned long long)to);
            return GTH_EINTERNAL;
        }
        go_tr(t, (int64_t)a[0], (uint8_t)from, gth_gstatus_state(to));
        t->stack = v->stack;
        break;
    }
    default:
        gth_error_set(err, GTH_EINTERNAL, "internal error: no state transition for event type %u", ev->code);
        return GTH_EINTERNAL;
    }
    return GTH_OK;
}

static int range(const gth_reader *r, const gth_event *ev, gth_view *v, gth_error *err) {
    gth_range *g = &v->u.range;
    memset(g, 0, sizeof *g);
    static const char mark[] = "GC concurrent mark phase", sweep[] = "GC incremental sweep",
                      assist[] = "GC mark assist";
    switch (ev->code) {
    case GTH_EV_STWBegin:
    case GTH_EV_STWEnd: {
        /* For STWEnd the reader put the kind of the range it ends in args[0];
         * like Go, it is looked up in the current generation's table. */
        gth_bytes kind;
        if (ev->code == GTH_EV_STWEnd) {
            if (!gth_reader_string(r, ev->args[0], &kind.p, &kind.n))
                return panic_err(ev, err, GTH_INV_VALIDATE_PANIC_STW_KIND, "panic: expected id %llu in string table",
                                 (unsigned long long)ev->args[0]);
        } else if (lookup(r, ev, ev->args[0], &kind, err)) {
            return GTH_EINTERNAL;
        }
        static const char pre[] = "stop-the-world (";
        size_t n = kind.n <= GTH_MAX_STRING_SIZE ? kind.n : GTH_MAX_STRING_SIZE;
        memcpy(v->namebuf, pre, sizeof pre - 1);
        if (n) memcpy(v->namebuf + sizeof pre - 1, kind.p, n);
        v->namebuf[sizeof pre - 1 + n] = ')';
        g->name = (gth_bytes){v->namebuf, sizeof pre - 1 + n + 1};
        g->scope = (gth_resource){GTH_RES_GOROUTINE, ev->g};
        break;
    }
    case GTH_EV_GCActive:
    case GTH_EV_GCBegin:
    case GTH_EV_GCEnd:
        g->name = (gth_bytes){(const uint8_t *)mark, sizeof mark - 1};
        g->scope = (gth_resource){GTH_RES_NONE, 0};
        break;
    case GTH_EV_GCSweepActive:
    case GTH_EV_GCSweepBegin:
    case GTH_EV_GCSweepEnd:
        g->name = (gth_bytes){(const uint8_t *)sweep, sizeof sweep - 1};
        g->scope = (gth_resource){GTH_RES_PROC, ev->code == GTH_EV_GCSweepActive ? (int64_t)ev->args[0] : ev->p};
        if (ev->code == GTH_EV_GCSweepEnd) {
            g->nattrs = 2;
            g->attrs[0] = (gth_range_attr){"bytes swept", ev->args[0]};
            g->attrs[1] = (gth_range_attr){"bytes reclaimed", ev->args[1]};
        }
        break;
    case GTH_EV_GCMarkAssistActive:
    case GTH_EV_GCMarkAssistBegin:
    case GTH_EV_GCMarkAssistEnd:
        g->name = (gth_bytes){(const uint8_t *)assist, sizeof assist - 1};
        g->scope = (gth_resource){GTH_RES_GOROUTINE, ev->code == GTH_EV_GCMarkAssistActive ? (int64_t)ev->args[0] : ev->g};
        break;
    default:
        gth_error_set(err, GTH_EINTERNAL, "internal error: no range for event type %u", ev->code);
        return GTH_EINTERNAL;
    }
    return GTH_OK;
}

static int sync_details(const gth_reader *r, const gth_event *ev, gth_view *v, gth_error *err) {
    gth_sync *s = &v->u.sync;
    memset(s, 0, sizeof *s);
    s->n = ev->args[0];
    if (!ev->has_table) return GTH_OK; /* Go's table-less Syncs: no clock, no batches */
    s->has_clock = gth_reader_sync_clock(r, &s->clock);
    s->nbatches = gth_reader_exp_batches(r, &s->batches);
    /* Go names the batches' experiments through a table with one entry per
     * known experiment ("None", "AllocFree"); an unknown one indexes past it. */
    for (size_t i = 0; i < s->nbatches; i++)
        if (s->batches[i].exp >= GTH_EXP__COUNT)
            return panic_err(ev, err, GTH_INV_VALIDATE_PANIC_EXPERIMENT,
                             "panic: runtime error: index out of range [%u] with length %d", s->batches[i].exp,
                             GTH_EXP__COUNT);
    return GTH_OK;
}

int gth_view_make(const gth_reader *r, const gth_event *ev, gth_view *v, gth_error *err) {
    gth_view_head(v, r, ev, gth_view_kind(ev->code));
    v->stack = event_stack(ev);
    const uint64_t *a = ev->args;
    switch (v->kind) {
    case GTH_KIND_SYNC: return sync_details(r, ev, v, err);
    case GTH_KIND_METRIC:
        v->u.metric.name = ev->code == GTH_EV_ProcsChange ? "/sched/gomaxprocs:threads"
                           : ev->code == GTH_EV_HeapAlloc ? "/memory/classes/heap/objects:bytes"
                                                      : "/gc/heap/goal:bytes";
        v->u.metric.value_kind = GTH_VALUE_UINT64;
        v->u.metric.value = a[0];
        return GTH_OK;
    case GTH_KIND_LABEL:
        v->u.label.resource = (gth_resource){GTH_RES_GOROUTINE, ev->g};
        return lookup(r, ev, a[0], &v->u.label.label, err);
    case GTH_KIND_STACK_SAMPLE:
        /* The reader does not check a sample's stack; Go's API panics on it. */
        if (gth_reader_stack_len(r, a[0]) < 0)
            return panic_err(ev, err, GTH_INV_VALIDATE_PANIC_CPU_STACK, "panic: expected id %llu in trace.stack table",
                             (unsigned long long)a[0]);
        return GTH_OK;
    case GTH_KIND_RANGE_BEGIN:
    case GTH_KIND_RANGE_ACTIVE:
    case GTH_KIND_RANGE_END: return range(r, ev, v, err);
    case GTH_KIND_TASK_BEGIN:
        v->u.task.id = a[0];
        v->u.task.parent = a[1];
        return lookup(r, ev, a[2], &v->u.task.type, err);
    case GTH_KIND_TASK_END:
        v->u.task.id = a[0];
        v->u.task.parent = a[2];
        v->u.task.type = (gth_bytes){ev->str ? ev->str : (const uint8_t *)"", ev->str ? ev->str_len : 0};
        return GTH_OK;
    case GTH_KIND_REGION_BEGIN:
    case GTH_KIND_REGION_END:
        v->u.region.task = a[0];
        return lookup(r, ev, a[1], &v->u.region.type, err);
    case GTH_KIND_LOG:
        v->u.log.task = a[0];
        if (lookup(r, ev, a[1], &v->u.log.category, err)) return GTH_EINTERNAL;
        return lookup(r, ev, a[2], &v->u.log.message, err);
    case GTH_KIND_STATE_TRANSITION: return transition(r, ev, v, err);
    case GTH_KIND_EXPERIMENTAL: {
        const gth_event_spec *s = gth_spec_event(ev->code);
        gth_experimental *x = &v->u.experimental;
        x->name = s->name;
        x->experiment = gth_experiment_name(s->experiment);
        x->nargs = s->nargs > 1 ? s->nargs - 1u : 0u;
        if (x->nargs > 4) x->nargs = 4;
        for (unsigned i = 0; i < x->nargs; i++) {
            x->arg_names[i] = s->args[i + 1].name;
            x->args[i] = a[i];
        }
        return GTH_OK;
    }
    default: break;
    }
    gth_error_set(err, GTH_EINTERNAL, "internal error: event type %u has no kind", ev->code);
    return GTH_EINTERNAL;
}

/* ---- Go's time formatting (UTC) -----------------------------------------------------
 * Go converts a time to days since an "absolute" epoch in March of a year far
 * in the past with unsigned arithmetic; out-of-range times wrap the same way
 * here, so even absurd wall clocks print as Go prints them. */

#define SECONDS_PER_DAY 86400u
#define UNIX_TO_ABSOLUTE 9223372028741760000ull /* unixToInternal + internalToAbsolute */
#define ABSOLUTE_YEARS 292277022400ull
#define MARCH_THRU_DECEMBER 306u

typedef struct go_date {
    int64_t year;
    int month, day, hour, min, sec;
} go_date;

static go_date go_date_of(int64_t unix_sec) {
    go_date d;
    uint64_t abs = (uint64_t)unix_sec + UNIX_TO_ABSOLUTE;
    uint64_t days = abs / SECONDS_PER_DAY;
    uint64_t x = 4 * days + 3;
    uint64_t century = x / 146097;
    uint32_t cd = (uint32_t)(x % 146097) | 3u;
    uint64_t prod = (uint64_t)2939745u * cd;
    uint32_t cyear = (uint32_t)(prod >> 32), lo = (uint32_t)prod;
    uint32_t ayday = lo / 2939745u / 4u;
    uint32_t md = 2141u * ayday + 197913u;
    int amonth = (int)(md >> 16);
    d.day = 1 + (int)((md & 0xffffu) / 2141u);
    int janfeb = ayday >= MARCH_THRU_DECEMBER;
    d.year = (int64_t)(century * 100 - ABSOLUTE_YEARS) + (int64_t)cyear + janfeb;
    d.month = amonth - janfeb * 12;
    uint32_t s = (uint32_t)(abs % SECONDS_PER_DAY);
    d.hour = (int)(s / 3600);
    s -= (uint32_t)d.hour * 3600;
    d.min = (int)(s / 60);
    d.sec = (int)(s - (uint32_t)d.min * 60);
    return d;
}

/* Go's time.appendInt: optional '-', then at least `width` digits. */
static void go_append_int(gth_buf *b, int64_t x, int width) {
    char tmp[24];
    uint64_t u = (uint64_t)x;
    if (x < 0) {
        gth_buf_putc(b, '-');
        u = 0 - u;
    }
    int n = 0;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    for (int pad = width - n; pad > 0; pad--) gth_buf_putc(b, '0');
    gth_buf_append(b, tmp + sizeof tmp - n, (size_t)n);
}

int gth_go_time_append(gth_buf *b, int64_t sec, int64_t nsec, int rfc3339) {
    go_date d = go_date_of(sec);
    go_append_int(b, d.year, 4);
    gth_buf_putc(b, '-');
    go_append_int(b, d.month, 2);
    gth_buf_putc(b, '-');
    go_append_int(b, d.day, 2);
    gth_buf_putc(b, rfc3339 ? 'T' : ' ');
    go_append_int(b, d.hour, 2);
    gth_buf_putc(b, ':');
    go_append_int(b, d.min, 2);
    gth_buf_putc(b, ':');
    go_append_int(b, d.sec, 2);
    if (nsec > 0) { /* ".999999999": trailing zeros dropped */
        char frac[10];
        snprintf(frac, sizeof frac, "%09lld", (long long)(nsec % 1000000000));
        int n = 9;
        while (n > 0 && frac[n - 1] == '0') n--;
        gth_buf_putc(b, '.');
        gth_buf_append(b, frac, (size_t)n);
    }
    if (rfc3339) return gth_buf_putc(b, 'Z');
    return gth_buf_append(b, " +0000 UTC", 10);
}

/* ---- Go's Event.String() ------------------------------------------------------------- */

static void go_print_stack(gth_buf *b, const gth_view *v, gth_stack_ref s) {
    long n = gth_view_stack_len(v, s);
    for (long i = 0; i < n; i++) {
        gth_frame f;
        if (gth_view_stack_frame(v, s, (size_t)i, &f)) break;
        gth_buf_putc(b, '\t');
        gth_buf_append(b, f.func, f.func_len);
        gth_buf_printf(b, " @ 0x%llx\n\t\t", (unsigned long long)f.pc);
        gth_buf_append(b, f.file, f.file_len);
        gth_buf_printf(b, ":%llu\n", (unsigned long long)f.line);
    }
}

int gth_view_go_string(gth_buf *b, const gth_view *v) {
    gth_buf_printf(b, "M=%lld P=%lld G=%lld %s Time=%lld", (long long)v->m, (long long)v->p, (long long)v->g,
                   gth_event_kind_name(v->kind), (long long)v->time);
    switch (v->kind) {
    case GTH_KIND_METRIC:
        gth_buf_append(b, " Name=", 6);
        gth_quote_append(b, v->u.metric.name, strlen(v->u.metric.name));
        if (v->u.metric.value_kind == GTH_VALUE_UINT64)
            gth_buf_printf(b, " Value=Value{Uint64(%llu)}", (unsigned long long)v->u.metric.value);
        else
            gth_buf_append(b, " Value=Value{Bad}", 17);
        break;
    case GTH_KIND_LABEL:
        gth_buf_append(b, " Label=", 7);
        gth_quote_append(b, v->u.label.label.p, v->u.label.label.n);
        gth_buf_append(b, " Resource=", 10);
        gth_resource_append(b, v->u.label.resource);
        break;
    case GTH_KIND_RANGE_BEGIN:
    case GTH_KIND_RANGE_ACTIVE:
    case GTH_KIND_RANGE_END:
        gth_buf_append(b, " Name=", 6);
        gth_quote_append(b, v->u.range.name.p, v->u.range.name.n);
        gth_buf_append(b, " Scope=", 7);
        gth_resource_append(b, v->u.range.scope);
        if (v->kind == GTH_KIND_RANGE_END) {
            gth_buf_append(b, " Attributes=[", 13);
            for (unsigned i = 0; i < v->u.range.nattrs; i++) {
                if (i) gth_buf_putc(b, ' ');
                gth_quote_append(b, v->u.range.attrs[i].name, strlen(v->u.range.attrs[i].name));
                gth_buf_printf(b, "=Value{Uint64(%llu)}", (unsigned long long)v->u.range.attrs[i].value);
            }
            gth_buf_putc(b, ']');
        }
        break;
    case GTH_KIND_TASK_BEGIN:
    case GTH_KIND_TASK_END:
        gth_buf_printf(b, " ID=%llu Parent=%llu Type=", (unsigned long long)v->u.task.id,
                       (unsigned long long)v->u.task.parent);
        gth_quote_append(b, v->u.task.type.p, v->u.task.type.n);
        break;
    case GTH_KIND_REGION_BEGIN:
    case GTH_KIND_REGION_END:
        gth_buf_printf(b, " Task=%llu Type=", (unsigned long long)v->u.region.task);
        gth_quote_append(b, v->u.region.type.p, v->u.region.type.n);
        break;
    case GTH_KIND_LOG:
        gth_buf_printf(b, " Task=%llu Category=", (unsigned long long)v->u.log.task);
        gth_quote_append(b, v->u.log.category.p, v->u.log.category.n);
        gth_buf_append(b, " Message=", 9);
        gth_quote_append(b, v->u.log.message.p, v->u.log.message.n);
        break;
    case GTH_KIND_STATE_TRANSITION: {
        const gth_transition *t = &v->u.transition;
        if (t->resource.kind == GTH_RES_GOROUTINE)
            gth_buf_printf(b, " GoID=%lld %s->%s", (long long)t->resource.id, gth_go_state_name(t->old_state),
                           gth_go_state_name(t->new_state));
        else
            gth_buf_printf(b, " ProcID=%lld %s->%s", (long long)t->resource.id, gth_proc_state_name(t->old_state),
                           gth_proc_state_name(t->new_state));
        gth_buf_append(b, " Reason=", 8);
        gth_quote_append(b, t->reason.p, t->reason.n);
        if (t->stack.present) {
            gth_buf_append(b, "\nTransitionStack=\n", 18);
            go_print_stack(b, v, t->stack);
        }
        break;
    }
    case GTH_KIND_EXPERIMENTAL: {
        const gth_experimental *x = &v->u.experimental;
        gth_buf_printf(b, " Name=%s Args=[", x->name);
        for (unsigned i = 0; i < x->nargs; i++)
            gth_buf_printf(b, "%s%s=Value{Uint64(%llu)}", i ? ", " : "", x->arg_names[i],
                           (unsigned long long)x->args[i]);
        gth_buf_putc(b, ']');
        break;
    }
    case GTH_KIND_SYNC:
        gth_buf_printf(b, " N=%llu", (unsigned long long)v->u.sync.n);
        if (v->u.sync.has_clock) {
            const gth_clock *c = &v->u.sync.clock;
            gth_buf_printf(b, " Trace=%lld Mono=%llu Wall=", (long long)c->trace, (unsigned long long)c->mono);
            gth_go_time_append(b, c->wall_sec, c->wall_nsec, 1);
        }
        break;
    default: break;
    }
    if (v->stack.present) {
        gth_buf_append(b, "\nStack=\n", 8);
        go_print_stack(b, v, v->stack);
    }
    return b->failed ? -1 : 0;
}
