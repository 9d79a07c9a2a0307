/*
 * The validate profile against Go: our verdict and message under
 * --profile=validate must equal the Go adapter's (Go's reader, its event API
 * and x/exp's testtrace validator) on every GOROOT golden trace, every file of
 * Go's FuzzReader seed corpus, real traces, and thousands of deterministic
 * mutants (byte flips and truncations, and structure-aware edits re-encoded
 * with correct batch sizes). Every VALIDATE invariant has a minimal negative
 * test: a small trace that triggers exactly it (and Go agrees on the text), or,
 * for the checks Go's reader never lets fail, a hand-made event view. And
 * docs/INVARIANTS.md is what `gth invariants --markdown` prints.
 * Go is required; nothing is skipped.
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/quote.h"
#include "format/decode.h"
#include "format/encode.h"
#include "harness/agree.h"
#include "spec/invariants.h"
#include "validator/reader.h"
#include "validator/testtrace.h"
#include "validator/view.h"

#define NT UINT64_MAX /* NoThread on the wire */

/* ---- Verdicts ------------------------------------------------------------------------------ */

typedef tu_verdict verdict;

static void ours(const uint8_t *data, size_t len, verdict *v) { tu_ours(data, len, GTH_PROFILE_VALIDATE, v); }

/* Go's verdicts (profile validate) for a list of traces, in one adapter run. */
static verdict *go_verdicts(char **paths, size_t n) { return tu_go_verdicts(paths, n, "validate"); }

typedef struct tally {
    size_t n, accepted, validate, panics;
} tally;

/* Our verdict must equal Go's on every file. */
static void compare_files(char **paths, size_t n, tally *t) {
    verdict *go = go_verdicts(paths, n);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *d = tu_read_file(paths[i], &len);
        verdict us;
        ours(d, len, &us);
        free(d);
        if (us.accepted != go[i].accepted || (!us.accepted && !gth_same_message_str(go[i].msg, us.msg))) {
            if (bad < 10)
                print_message("MISMATCH %s\n  go: %.300s\n  us: %.300s\n", paths[i],
                              go[i].accepted ? "ACCEPT" : go[i].msg, us.accepted ? "ACCEPT" : us.msg);
            bad++;
        }
        t->n++;
        t->accepted += (size_t)us.accepted;
        const gth_invariant *inv = gth_invariant_get((unsigned)us.inv);
        if (inv && inv->profile == GTH_PROFILE_VALIDATE) {
            t->validate++;
            t->panics += !strncmp(inv->id, "validate.panic-", 15);
        }
        free(us.msg);
        free(go[i].msg);
    }
    free(go);
    if (bad) fail_msg("%zu of %zu verdicts differ from Go", bad, n);
}

/* ---- Building small traces ----------------------------------------------------------------- */

typedef struct tb {
    gth_buf out, pay;
    int open;
    uint64_t gen, m, time;
} tb;

static void put_uv(gth_buf *b, uint64_t v) { gth_buf_put_uvarint(b, v); }

static void tb_close(tb *b) {
    if (!b->open) return;
    gth_buf_putc(&b->out, 1);
    put_uv(&b->out, b->gen);
    put_uv(&b->out, b->m);
    put_uv(&b->out, b->time);
    put_uv(&b->out, b->pay.len);
    gth_buf_append(&b->out, b->pay.data, b->pay.len);
    b->pay.len = 0;
    b->open = 0;
}

static void tb_init(tb *b, unsigned minor) {
    memset(b, 0, sizeof *b);
    gth_buf_init(&b->out, NULL);
    gth_buf_init(&b->pay, NULL);
    gth_buf_printf(&b->out, "go 1.%u trace", minor);
    gth_buf_append(&b->out, "\0\0\0", 3);
}

static void tb_batch(tb *b, uint64_t gen, uint64_t m, uint64_t time) {
    tb_close(b);
    b->open = 1;
    b->gen = gen;
    b->m = m;
    b->time = time;
}

static void tb_ev_(tb *b, uint8_t code, const uint64_t *a, size_t n) {
    gth_buf_putc(&b->pay, code);
    for (size_t i = 0; i < n; i++) put_uv(&b->pay, a[i]);
}
#define EV(b, code, ...) \
    tb_ev_((b), (code), (const uint64_t[]){__VA_ARGS__}, sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t))
#define MARK(b, code) gth_buf_putc(&(b)->pay, (code))

static void tb_string(tb *b, uint64_t id, const char *s) {
    gth_buf_putc(&b->pay, 5);
    put_uv(&b->pay, id);
    put_uv(&b->pay, strlen(s));
    gth_buf_append(&b->pay, s, strlen(s));
}

/* A 1.22 frequency batch (1 tick = 1 ns). */
static void tb_freq(tb *b, uint64_t gen) {
    tb_batch(b, gen, NT, 0);
    EV(b, 8, 1000000000);
}

/* A >= 1.25 sync batch: frequency and clock snapshot. */
static void tb_sync(tb *b, uint64_t gen, uint64_t time, uint64_t dt, uint64_t mono, uint64_t sec, uint64_t nsec) {
    tb_batch(b, gen, NT, time);
    MARK(b, 50);
    EV(b, 8, 1000000000);
    EV(b, 51, dt, mono, sec, nsec);
}

static void tb_exp(tb *b, uint8_t exp, uint64_t gen, const char *data) {
    tb_close(b);
    gth_buf_putc(&b->out, 49);
    gth_buf_putc(&b->out, exp);
    put_uv(&b->out, gen);
    put_uv(&b->out, NT);
    put_uv(&b->out, 0);
    put_uv(&b->out, strlen(data));
    gth_buf_append(&b->out, data, strlen(data));
}

static uint8_t *tb_done(tb *b, size_t *len) {
    tb_close(b);
    gth_buf_free(&b->pay);
    *len = b->out.len;
    return b->out.data;
}

/* Generation `gen` of a 1.22 trace starts with thread 1 holding proc 0 and
 * running goroutine 1. */
static void base(tb *b, uint64_t gen) {
    tb_batch(b, gen, 1, 0);
    EV(b, 13, 1, 0, 1);    /* ProcStatus p=0 Running */
    EV(b, 25, 1, 1, 1, 2); /* GoStatus g=1 m=1 Running */
}

/* ---- Negative traces: one per reachable VALIDATE invariant ----------------------------------- */

static void t_stack_frame(tb *b) {
    tb_init(b, 22);
    base(b, 1);
    EV(b, 9, 1, 4, 1); /* ProcsChange procs=4 stack=1 */
    tb_freq(b, 1);
    tb_batch(b, 1, NT, 0);
    MARK(b, 2);
    EV(b, 3, 1, 2, 0x10, 1, 2, 3, 0x20, 1, 2, 0); /* second frame: line 0 */
    tb_batch(b, 1, NT, 0);
    MARK(b, 4);
    tb_string(b, 1, "main.f");
    tb_string(b, 2, "main.go");
}

static void t_sync_no_clock(tb *b) { tb_init(b, 26); }

static const uint64_t year1 = (uint64_t)-62135596800ll; /* Go's zero time, in Unix seconds */

static void t_sync_zero_wall(tb *b) {
    tb_init(b, 25);
    tb_sync(b, 1, 1, 1, 1, year1, 0);
}

static void t_sync_zero_mono(tb *b) {
    tb_init(b, 25);
    tb_sync(b, 1, 1, 1, 0, 1700000000, 0);
}

static void t_sync_zero_trace(tb *b) {
    tb_init(b, 25);
    tb_sync(b, 1, 0, 0, 1, 1700000000, 0);
}

static void t_sync_wall_order(tb *b) {
    tb_init(b, 25);
    tb_sync(b, 1, 1, 1, 1, 100, 5);
    tb_sync(b, 2, 10, 1, 2, 100, 5);
}

static void t_sync_mono_order(tb *b) {
    tb_init(b, 25);
    tb_sync(b, 1, 1, 1, 7, 100, 0);
    tb_sync(b, 2, 10, 1, 7, 101, 0);
}

static void t_sync_trace_order(tb *b) {
    tb_init(b, 25);
    tb_sync(b, 1, 5, 1, 1, 100, 0);
    tb_sync(b, 2, 6, 0, 2, 101, 0);
}

static void t_label_empty(tb *b) {
    tb_init(b, 22);
    base(b, 1);
    EV(b, 39, 1, 0); /* GoLabel "" */
    tb_freq(b, 1);
}

static void t_g_undetermined_new(tb *b) {
    tb_init(b, 22);
    base(b, 1);
    EV(b, 25, 1, 2, 1, 0); /* GoStatus g=2 Bad */
    tb_freq(b, 1);
}

static void t_g_undetermined_after_sync(tb *b) {
    tb_init(b, 22);
    tb_freq(b, 1); /* a first generation without events */
    tb_batch(b, 2, 1, 5);
    EV(b, 25, 1, 1, 1, 1); /* GoStatus g=1 Runnable */
    tb_freq(b, 2);
}

static void t_g_died_with_ranges(tb *b) {
    tb_init(b, 22);
    base(b, 1);
    EV(b, 35, 1, 0); /* GCMarkAssistBegin */
    EV(b, 17, 1);    /* GoDestroy */
    tb_freq(b, 1);
}

static void t_g_bad_old_state(tb *b) {
    tb_init(b, 22);
    base(b, 1);
    EV(b, 14, 1, 2, 0, 0); /* GoCreate g=2 */
    EV(b, 19, 1, 0, 0);    /* GoStop */
    EV(b, 16, 1, 2, 1);    /* GoStart g=2 */
    EV(b, 17, 1);          /* GoDestroy: the reader forgets g=2, the validator keeps it NotExist */
    EV(b, 25, 1, 2, 1, 1); /* GoStatus g=2 Runnable: Undetermined for the reader */
    tb_freq(b, 1);
}

static void t_no_thread(tb *b) {
    tb_init(b, 22);
    tb_batch(b, 1, NT, 0);
    EV(b, 25, 1, 1, 5, 2); /* GoStatus g=1 Running in a batch without a thread */
    tb_freq(b, 1);
}

static void t_g_run_busy_thread(tb *b) {
    tb_init(b, 22);
    base(b, 1);
    EV(b, 25, 1, 2, 1, 2); /* GoStatus g=2 Running on the same thread */
    tb_freq(b, 1);
}

static void t_p_undetermined_new(tb *b) {
    tb_init(b, 22);
    tb_batch(b, 1, 1, 0);
    EV(b, 13, 1, 0, 0); /* ProcStatus Bad */
    tb_freq(b, 1);
}

static void t_p_undetermined_after_sync(tb *b) {
    tb_init(b, 22);
    tb_freq(b, 1);
    tb_batch(b, 2, 1, 5);
    EV(b, 13, 1, 0, 2); /* ProcStatus Idle */
    tb_freq(b, 2);
}

static void t_p_run_busy_thread(tb *b) {
    tb_init(b, 22);
    base(b, 1);
    EV(b, 13, 1, 1, 1); /* ProcStatus p=1 Running on a thread holding p=0 */
    tb_freq(b, 1);
}

static void t_range_begun_again(tb *b) {
    tb_init(b, 22);
    base(b, 1);
    EV(b, 26, 1, 1, 0); /* STWBegin kind=1 */
    EV(b, 26, 1, 2, 0); /* STWBegin kind=2: another id, the same name */
    tb_freq(b, 1);
    tb_batch(b, 1, NT, 0);
    MARK(b, 4);
    tb_string(b, 1, "x");
    tb_string(b, 2, "x");
}

/* An STW range that spans two generations; the kind's id means something else
 * (or nothing) in the second. */
static void stw_across(tb *b, const char *second) {
    tb_init(b, 22);
    base(b, 1);
    EV(b, 26, 1, 1, 0); /* STWBegin kind=1 "a" */
    tb_freq(b, 1);
    tb_batch(b, 1, NT, 0);
    MARK(b, 4);
    tb_string(b, 1, "a");
    tb_batch(b, 2, 1, 10);
    EV(b, 27, 1); /* STWEnd */
    tb_freq(b, 2);
    if (second) {
        tb_batch(b, 2, NT, 0);
        MARK(b, 4);
        tb_string(b, 1, second);
    }
}

static void t_range_inactive_end(tb *b) { stw_across(b, "b"); }
static void t_panic_stw_kind(tb *b) { stw_across(b, NULL); }

static void t_task_invalid_id(tb *b) {
    tb_init(b, 22);
    base(b, 1);
    EV(b, 40, 1, 0, 0, 0, 0); /* UserTaskBegin task=0 */
    tb_freq(b, 1);
}

static void t_panic_proc_status(tb *b) {
    tb_init(b, 22);
    tb_batch(b, 1, 1, 0);
    EV(b, 13, 1, 0, 257); /* 257 & 0xff = Running for the reader */
    tb_freq(b, 1);
}

static void t_panic_cpu_stack(tb *b) {
    tb_init(b, 22);
    base(b, 1);
    tb_freq(b, 1);
    tb_batch(b, 1, NT, 0);
    MARK(b, 6);
    EV(b, 7, 5, 1, 0, 1, 9); /* CPUSample stack=9, not in the table */
}

static void t_panic_experiment(tb *b) {
    tb_init(b, 23);
    base(b, 1);
    tb_freq(b, 1);
    tb_exp(b, 2, 1, "x");
}

/* ---- Negative views: the checks Go's reader never lets fail ---------------------------------- */

static long no_stack_len(const void *ud, uint64_t id) {
    (void)ud;
    return id == 1 ? 2 : -1;
}
static int no_stack_frame(const void *ud, uint64_t id, size_t i, gth_frame *f) {
    (void)ud;
    (void)id;
    *f = (gth_frame){0x10 + i, 1, (const uint8_t *)"f", (const uint8_t *)"f.go", 1, 4};
    return 0;
}

typedef struct vctx {
    gth_testtrace *t;
    gth_event ev;
    gth_view v;
    int64_t time;
} vctx;

static gth_view *vnew(vctx *c, int kind, int64_t m, int64_t p, int64_t g) {
    memset(&c->v, 0, sizeof c->v);
    memset(&c->ev, 0, sizeof c->ev);
    c->ev.offset = GTH_NO_OFFSET;
    c->v.ev = &c->ev;
    c->v.kind = (gth_event_kind)kind;
    c->v.time = ++c->time;
    c->v.m = m;
    c->v.p = p;
    c->v.g = g;
    c->v.stacks = (gth_stack_source){no_stack_len, no_stack_frame, NULL};
    return &c->v;
}

/* Feeds the view; returns the invariant it fails (0 if none). */
static int vfeed(vctx *c, char *msg, size_t cap) {
    gth_error err;
    gth_error_clear(&err);
    int rc = gth_testtrace_event(c->t, &c->v, &err);
    if (rc == GTH_OK) return 0;
    assert_int_equal(rc, GTH_EINVALID);
    if (msg) snprintf(msg, cap, "%s", err.msg);
    return err.inv;
}

static void vsync(vctx *c, uint64_t n) {
    gth_view *v = vnew(c, GTH_KIND_SYNC, -1, -1, -1);
    v->u.sync.n = n;
    assert_int_equal(vfeed(c, NULL, 0), 0);
}

static void vgo(vctx *c, int64_t m, int64_t g, uint8_t from, uint8_t to) {
    gth_view *v = vnew(c, GTH_KIND_STATE_TRANSITION, m, -1, g);
    v->u.transition = (gth_transition){{GTH_RES_GOROUTINE, g}, from, to, {(const uint8_t *)"", 0}, {0, 0}};
}

static void vproc(vctx *c, int64_t m, int64_t p, uint8_t from, uint8_t to) {
    gth_view *v = vnew(c, GTH_KIND_STATE_TRANSITION, m, p, -1);
    v->u.transition = (gth_transition){{GTH_RES_PROC, p}, from, to, {(const uint8_t *)"", 0}, {0, 0}};
}

#define OK(c) assert_int_equal(vfeed((c), NULL, 0), 0)

static int v_timestamp_order(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    gth_view *v = vnew(c, GTH_KIND_METRIC, 1, 0, 1);
    v->u.metric = (gth_metric){"/gc/heap/goal:bytes", GTH_VALUE_UINT64, 1};
    v->time = INT64_MIN; /* what Go's fix-up makes after the largest time */
    return vfeed(c, m, k);
}

static int v_sync_sequence(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    gth_view *v = vnew(c, GTH_KIND_SYNC, -1, -1, -1);
    v->u.sync.n = 3;
    return vfeed(c, m, k);
}

static int v_metric_name(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    gth_view *v = vnew(c, GTH_KIND_METRIC, 1, 0, 1);
    v->u.metric = (gth_metric){"gomaxprocs", GTH_VALUE_UINT64, 1};
    return vfeed(c, m, k);
}

static int v_metric_value(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    gth_view *v = vnew(c, GTH_KIND_METRIC, 1, 0, 1);
    v->u.metric = (gth_metric){"/gc/heap/goal:bytes", GTH_VALUE_BAD, 0};
    return vfeed(c, m, k);
}

static int v_label(vctx *c, char *m, size_t k, uint8_t kind) {
    vsync(c, 1);
    gth_view *v = vnew(c, GTH_KIND_LABEL, 1, 0, 1);
    v->u.label = (gth_label){{(const uint8_t *)"l", 1}, {kind, 4}};
    return vfeed(c, m, k);
}
static int v_label_none(vctx *c, char *m, size_t k) { return v_label(c, m, k, GTH_RES_NONE); }
static int v_label_goroutine(vctx *c, char *m, size_t k) { return v_label(c, m, k, GTH_RES_GOROUTINE); }
static int v_label_proc(vctx *c, char *m, size_t k) { return v_label(c, m, k, GTH_RES_PROC); }
static int v_label_thread(vctx *c, char *m, size_t k) { return v_label(c, m, k, GTH_RES_THREAD); }

static int v_g_bad_old_unregistered(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    vgo(c, 1, 5, GTH_GO_WAITING, GTH_GO_RUNNABLE);
    return vfeed(c, m, k);
}

static int v_g_stack_mismatch(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    vgo(c, 1, 5, GTH_GO_UNDETERMINED, GTH_GO_RUNNING);
    OK(c);
    vgo(c, 1, 5, GTH_GO_RUNNING, GTH_GO_WAITING);
    c->v.stack = (gth_stack_ref){1, 1};
    return vfeed(c, m, k);
}

static int v_g_stop_not_executing(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    vgo(c, 1, 5, GTH_GO_UNDETERMINED, GTH_GO_RUNNING);
    OK(c);
    vgo(c, 2, 5, GTH_GO_RUNNING, GTH_GO_RUNNING); /* now bound to thread 2 */
    OK(c);
    vgo(c, 2, 5, GTH_GO_RUNNING, GTH_GO_RUNNABLE); /* thread 2 forgets it */
    OK(c);
    vgo(c, 2, 6, GTH_GO_UNDETERMINED, GTH_GO_RUNNING);
    OK(c);
    vgo(c, 1, 7, GTH_GO_UNDETERMINED, GTH_GO_RUNNING); /* thread 1 still "runs" 5 */
    assert_int_equal(vfeed(c, NULL, 0), GTH_INV_VALIDATE_G_RUN_BUSY_THREAD);
    vgo(c, 2, 5, GTH_GO_RUNNABLE, GTH_GO_SYSCALL); /* binds 5 to thread 2, which runs 6 */
    assert_int_equal(vfeed(c, NULL, 0), GTH_INV_VALIDATE_G_RUN_BUSY_THREAD);
    vgo(c, 2, 6, GTH_GO_RUNNING, GTH_GO_WAITING); /* thread 2 runs 5 now */
    return vfeed(c, m, k);
}

static int v_g_stop_unbound(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    /* A goroutine that starts executing without a thread stays unbound. */
    vgo(c, -1, 11, GTH_GO_UNDETERMINED, GTH_GO_SYSCALL);
    assert_int_equal(vfeed(c, NULL, 0), GTH_INV_VALIDATE_NO_THREAD);
    vgo(c, 1, 11, GTH_GO_SYSCALL, GTH_GO_RUNNABLE);
    return vfeed(c, m, k);
}

static int v_p_died_with_ranges(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    vproc(c, 1, 3, GTH_PROC_UNDETERMINED, GTH_PROC_IDLE);
    OK(c);
    gth_view *v = vnew(c, GTH_KIND_RANGE_BEGIN, 1, 3, 1);
    v->u.range.name = (gth_bytes){(const uint8_t *)"GC incremental sweep", 20};
    v->u.range.scope = (gth_resource){GTH_RES_PROC, 3};
    OK(c);
    vproc(c, 1, 3, GTH_PROC_IDLE, GTH_PROC_NOTEXIST);
    return vfeed(c, m, k);
}

static int v_p_bad_old_state(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    vproc(c, 1, 3, GTH_PROC_UNDETERMINED, GTH_PROC_IDLE);
    OK(c);
    vproc(c, 1, 3, GTH_PROC_RUNNING, GTH_PROC_RUNNING);
    return vfeed(c, m, k);
}

static int v_p_bad_old_unregistered(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    vproc(c, 1, 3, GTH_PROC_IDLE, GTH_PROC_RUNNING);
    return vfeed(c, m, k);
}

static int v_p_stop_not_executing(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    vproc(c, 1, 3, GTH_PROC_UNDETERMINED, GTH_PROC_RUNNING);
    OK(c);
    vproc(c, 2, 3, GTH_PROC_RUNNING, GTH_PROC_RUNNING); /* rebinds 3 to thread 2 */
    OK(c);
    vproc(c, 2, 3, GTH_PROC_RUNNING, GTH_PROC_IDLE);
    OK(c);
    vproc(c, 2, 4, GTH_PROC_UNDETERMINED, GTH_PROC_RUNNING);
    OK(c);
    vproc(c, 1, 4, GTH_PROC_RUNNING, GTH_PROC_RUNNING); /* thread 1 still holds 3 */
    assert_int_equal(vfeed(c, NULL, 0), GTH_INV_VALIDATE_P_RUN_BUSY_THREAD);
    vproc(c, 2, 4, GTH_PROC_RUNNING, GTH_PROC_IDLE); /* 4 is bound to thread 1, which holds 4 */
    OK(c);
    vproc(c, 3, 5, GTH_PROC_UNDETERMINED, GTH_PROC_RUNNING);
    OK(c);
    vproc(c, 3, 3, GTH_PROC_IDLE, GTH_PROC_RUNNING);
    assert_int_equal(vfeed(c, NULL, 0), GTH_INV_VALIDATE_P_RUN_BUSY_THREAD);
    vproc(c, 3, 5, GTH_PROC_RUNNING, GTH_PROC_IDLE); /* thread 3 holds 3 now */
    return vfeed(c, m, k);
}

static int v_p_stop_unbound(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    vproc(c, 1, 3, GTH_PROC_UNDETERMINED, GTH_PROC_IDLE);
    OK(c);
    vproc(c, -1, 3, GTH_PROC_IDLE, GTH_PROC_RUNNING); /* no thread: not bound */
    assert_int_equal(vfeed(c, NULL, 0), GTH_INV_VALIDATE_NO_THREAD);
    vproc(c, 1, 3, GTH_PROC_RUNNING, GTH_PROC_IDLE);
    return vfeed(c, m, k);
}

static int v_task_background_parent(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    gth_view *v = vnew(c, GTH_KIND_TASK_BEGIN, 1, 0, 1);
    v->u.task = (gth_task){5, 0, {(const uint8_t *)"t", 1}};
    return vfeed(c, m, k);
}

static int v_task_type_mismatch(vctx *c, char *m, size_t k) {
    vsync(c, 1);
    gth_view *v = vnew(c, GTH_KIND_TASK_BEGIN, 1, 0, 1);
    v->u.task = (gth_task){5, UINT64_MAX, {(const uint8_t *)"t", 1}};
    OK(c);
    v = vnew(c, GTH_KIND_TASK_END, 1, 0, 1);
    v->u.task = (gth_task){5, UINT64_MAX, {(const uint8_t *)"u", 1}};
    return vfeed(c, m, k);
}

static int v_panic_sync_clock(vctx *c, char *m, size_t k) {
    gth_testtrace_free(c->t);
    c->t = gth_testtrace_new(NULL, 25); /* clock checks */
    gth_view *v = vnew(c, GTH_KIND_SYNC, -1, -1, -1);
    v->u.sync.n = 1;
    assert_int_equal(vfeed(c, NULL, 0), GTH_INV_VALIDATE_SYNC_NO_CLOCK);
    v = vnew(c, GTH_KIND_SYNC, -1, -1, -1);
    v->u.sync.n = 2;
    v->u.sync.has_clock = 1;
    v->u.sync.clock = (gth_clock){1, 1, 1, 0};
    return vfeed(c, m, k);
}

/* ---- The case table ------------------------------------------------------------------------ */

typedef struct vcase {
    const char *id;
    void (*trace)(tb *b);
    int (*view)(vctx *c, char *msg, size_t cap);
    const char *want; /* view cases: the exact message */
} vcase;

static const vcase cases[] = {
    {"validate.timestamp-order", NULL, v_timestamp_order,
     "timestamp out-of-order (want > 1) for M=1 P=0 G=1 Metric Time=-9223372036854775808 Name=\"/gc/heap/goal:bytes\" "
     "Value=Value{Uint64(1)}"},
    {"validate.stack-frame", t_stack_frame, NULL, NULL},
    {"validate.sync-sequence", NULL, v_sync_sequence, "sync count is not sequential: expected 2, got 3"},
    {"validate.sync-no-clock", t_sync_no_clock, NULL, NULL},
    {"validate.sync-zero-wall", t_sync_zero_wall, NULL, NULL},
    {"validate.sync-zero-mono", t_sync_zero_mono, NULL, NULL},
    {"validate.sync-zero-trace", t_sync_zero_trace, NULL, NULL},
    {"validate.sync-wall-order", t_sync_wall_order, NULL, NULL},
    {"validate.sync-mono-order", t_sync_mono_order, NULL, NULL},
    {"validate.sync-trace-order", t_sync_trace_order, NULL, NULL},
    {"validate.metric-name", NULL, v_metric_name, "invalid metric name \"gomaxprocs\""},
    {"validate.metric-value", NULL, v_metric_value, "invalid value"},
    {"validate.label-empty", t_label_empty, NULL, NULL},
    {"validate.label-resource-none", NULL, v_label_none, "label resource none"},
    {"validate.label-goroutine", NULL, v_label_goroutine, "label for invalid goroutine 4"},
    {"validate.label-proc", NULL, v_label_proc, "label for invalid proc 4"},
    {"validate.label-thread", NULL, v_label_thread, "label for invalid thread 4"},
    {"validate.g-undetermined-new", t_g_undetermined_new, NULL, NULL},
    {"validate.g-undetermined-after-sync", t_g_undetermined_after_sync, NULL, NULL},
    {"validate.g-died-with-ranges", t_g_died_with_ranges, NULL, NULL},
    {"validate.g-bad-old-state", t_g_bad_old_state, NULL, NULL},
    {"validate.g-bad-old-state-unregistered", NULL, v_g_bad_old_unregistered,
     "bad old state for unregistered goroutine 5: Waiting"},
    {"validate.no-thread", t_no_thread, NULL, NULL},
    {"validate.g-run-busy-thread", t_g_run_busy_thread, NULL, NULL},
    {"validate.g-stack-mismatch", NULL, v_g_stack_mismatch, "StateTransition.Stack doesn't match Event.Stack"},
    {"validate.g-stop-not-executing", NULL, v_g_stop_not_executing,
     "tried to stop goroutine 6 when it wasn't currently executing (currently executing 5) on thread 2"},
    {"validate.g-stop-unbound", NULL, v_g_stop_unbound, "stopping goroutine 11 not bound to any active context"},
    {"validate.p-undetermined-new", t_p_undetermined_new, NULL, NULL},
    {"validate.p-undetermined-after-sync", t_p_undetermined_after_sync, NULL, NULL},
    {"validate.p-died-with-ranges", NULL, v_p_died_with_ranges, "proc 3 died with active ranges"},
    {"validate.p-bad-old-state", NULL, v_p_bad_old_state, "bad old state for proc 3: got Running, want Idle"},
    {"validate.p-bad-old-state-unregistered", NULL, v_p_bad_old_unregistered,
     "bad old state for unregistered proc 3: Idle"},
    {"validate.p-run-busy-thread", t_p_run_busy_thread, NULL, NULL},
    {"validate.p-stop-not-executing", NULL, v_p_stop_not_executing,
     "tried to stop proc 5 when it wasn't currently executing (currently executing 3) on thread 3"},
    {"validate.p-stop-unbound", NULL, v_p_stop_unbound, "stopping proc 3 not bound to any active context"},
    {"validate.range-begun-again", t_range_begun_again, NULL, NULL},
    {"validate.range-inactive-end", t_range_inactive_end, NULL, NULL},
    {"validate.task-invalid-id", t_task_invalid_id, NULL, NULL},
    {"validate.task-background-parent", NULL, v_task_background_parent,
     "found background task as the parent for task of type t"},
    {"validate.task-type-mismatch", NULL, v_task_type_mismatch,
     "task end type \"u\" doesn't match task start type \"t\" for task 5"},
    {"validate.panic-proc-status", t_panic_proc_status, NULL, NULL},
    {"validate.panic-cpu-stack", t_panic_cpu_stack, NULL, NULL},
    {"validate.panic-experiment", t_panic_experiment, NULL, NULL},
    {"validate.panic-stw-kind", t_panic_stw_kind, NULL, NULL},
    {"validate.panic-sync-clock", NULL, v_panic_sync_clock,
     "panic: runtime error: invalid memory address or nil pointer dereference"},
};
#define NCASES (sizeof cases / sizeof cases[0])

/* Every VALIDATE invariant of the catalogue has a case, and every case names one. */
static void test_catalogue_covered(void **state) {
    (void)state;
    size_t nvalidate = 0;
    for (unsigned i = 1; i < GTH_INV__COUNT; i++) {
        const gth_invariant *inv = gth_invariant_get(i);
        if (inv->profile != GTH_PROFILE_VALIDATE) continue;
        nvalidate++;
        size_t k = 0;
        while (k < NCASES && strcmp(cases[k].id, inv->id)) k++;
        if (k == NCASES) fail_msg("no negative test for %s", inv->id);
    }
    for (size_t k = 0; k < NCASES; k++) {
        unsigned inv = gth_invariant_find(cases[k].id);
        if (!inv || gth_invariant_get(inv)->profile != GTH_PROFILE_VALIDATE)
            fail_msg("case %s names no VALIDATE invariant", cases[k].id);
    }
    assert_int_equal(nvalidate, NCASES);
}

/* Each negative trace fails exactly its invariant, and Go says the same. */
static void test_negative_traces(void **state) {
    (void)state;
    const char *dir = tu_tmpdir("validate-neg");
    char *paths[NCASES];
    verdict us[NCASES];
    size_t n = 0;
    for (size_t k = 0; k < NCASES; k++) {
        if (!cases[k].trace) continue;
        tb b;
        cases[k].trace(&b);
        size_t len;
        uint8_t *d = tb_done(&b, &len);
        char path[4300];
        snprintf(path, sizeof path, "%s/%s.bin", dir, cases[k].id);
        tu_write_file(path, d, len);
        ours(d, len, &us[n]);
        gth_free(gth_default_allocator(), d, b.out.cap);
        if (us[n].accepted) fail_msg("%s: the trace was accepted", cases[k].id);
        const gth_invariant *inv = gth_invariant_get((unsigned)us[n].inv);
        if (strcmp(inv->id, cases[k].id)) fail_msg("%s: got %s (%s)", cases[k].id, inv->id, us[n].msg);
        /* Only this invariant fails: one message, no joined second one. */
        if (strchr(us[n].msg, '\n')) fail_msg("%s: several failures: %s", cases[k].id, us[n].msg);
        paths[n++] = strdup(path);
    }
    verdict *go = go_verdicts(paths, n);
    for (size_t i = 0; i < n; i++) {
        if (go[i].accepted || strcmp(go[i].msg, us[i].msg))
            fail_msg("%s\n  go: %s\n  us: %s", paths[i], go[i].accepted ? "ACCEPT" : go[i].msg, us[i].msg);
        free(go[i].msg);
        free(us[i].msg);
        free(paths[i]);
    }
    free(go);
    print_message("%zu negative traces: Go fails each with our text\n", n);
}

static void test_negative_views(void **state) {
    (void)state;
    size_t n = 0;
    for (size_t k = 0; k < NCASES; k++) {
        if (!cases[k].view) continue;
        vctx c;
        memset(&c, 0, sizeof c);
        c.t = gth_testtrace_new(NULL, 22);
        assert_non_null(c.t);
        char msg[GTH_ERROR_MSG_MAX];
        int inv = cases[k].view(&c, msg, sizeof msg);
        if (!inv) fail_msg("%s: the view passed", cases[k].id);
        if (strcmp(gth_invariant_get((unsigned)inv)->id, cases[k].id))
            fail_msg("%s: got %s (%s)", cases[k].id, gth_invariant_get((unsigned)inv)->id, msg);
        if (strcmp(msg, cases[k].want)) fail_msg("%s:\n  got:  %s\n  want: %s", cases[k].id, msg, cases[k].want);
        gth_testtrace_free(c.t);
        n++;
    }
    print_message("%zu negative views\n", n);
}

/* Several failures on one event are joined with newlines, in Go's order. */
static void test_joined_failures(void **state) {
    (void)state;
    vctx c;
    memset(&c, 0, sizeof c);
    c.t = gth_testtrace_new(NULL, 22);
    vsync(&c, 1);
    vproc(&c, -1, 3, GTH_PROC_RUNNING, GTH_PROC_UNDETERMINED);
    c.v.stack = (gth_stack_ref){1, 1};
    char msg[GTH_ERROR_MSG_MAX];
    int inv = vfeed(&c, msg, sizeof msg);
    assert_int_equal(inv, GTH_INV_VALIDATE_P_UNDETERMINED_NEW);
    assert_string_equal(msg, "transition to undetermined state for proc 3\n"
                             "bad old state for unregistered proc 3: Running\n"
                             "stopping proc 3 not bound to any active context");
    size_t len;
    assert_string_equal(gth_testtrace_message(c.t, &len), msg);
    assert_int_equal(len, strlen(msg));
    gth_testtrace_free(c.t);
}

/* ---- Corpora ----------------------------------------------------------------------------------- */

static char **goldens(const char *dir, size_t *n) {
    char **bins;
    *n = tu_golden_binaries(dir, &bins);
    return bins;
}

static void free_paths(char **p, size_t n) {
    for (size_t i = 0; i < n; i++) free(p[i]);
    free(p);
}

static void test_goldens_and_fuzz_corpus(void **state) {
    (void)state;
    tally t = {0};
    size_t n;
    char **bins = goldens(tu_tmpdir("validate-gold"), &n);
    compare_files(bins, n, &t);
    free_paths(bins, n);

    char corpus[4200];
    snprintf(corpus, sizeof corpus, "%s/src/internal/trace/testdata/fuzz/FuzzReader", tu_goroot());
    char **names;
    size_t m = tu_list(corpus, NULL, &names);
    assert_true(m >= 10);
    const char *dir = tu_tmpdir("validate-fuzz");
    char **paths = calloc(m + 1, sizeof *paths);
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        char *argv[] = {(char *)tu_gthref(), "fuzzdecode", names[i], NULL};
        char *bin = NULL;
        size_t blen = 0;
        if (tu_run(argv, NULL, 0, &bin, &blen, NULL)) fail_msg("gthref fuzzdecode %s failed", names[i]);
        /* The v1 format (go 1.11-1.21) is outside this project. */
        int v1 = blen >= 8 && (!memcmp(bin, "go 1.11 ", 8) || !memcmp(bin, "go 1.19 ", 8) || !memcmp(bin, "go 1.21 ", 8));
        if (!v1) {
            char path[4400];
            snprintf(path, sizeof path, "%s/%s.bin", dir, strrchr(names[i], '/') + 1);
            tu_write_file(path, bin, blen);
            paths[k++] = strdup(path);
        }
        free(bin);
    }
    tu_free_list(names);
    compare_files(paths, k, &t);
    free_paths(paths, k);
    print_message("goldens + FuzzReader corpus: %zu traces agree with Go (%zu accepted)\n", t.n, t.accepted);
}

/* ---- Mutants ------------------------------------------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static size_t below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

/* Byte-level: flips, overwrites and truncations. */
static size_t byte_mutant(const uint8_t *src, size_t len, uint8_t *out) {
    memcpy(out, src, len);
    int k = 1 + (int)below(3);
    for (int i = 0; i < k && len > 17; i++) {
        size_t pos = 16 + below(len - 16);
        switch (below(5)) {
        case 0: out[pos] ^= (uint8_t)(1u << below(8)); break;
        case 1: out[pos] = (uint8_t)rnd(); break;
        case 2: out[pos] = (uint8_t)below(6); break;
        case 3: out[pos] = (uint8_t)(out[pos] + 1); break;
        default: len = pos; break;
        }
    }
    return len;
}

/* Structure-aware: the raw events of a trace, edited and re-encoded with
 * correct batch sizes, so that most mutants get past the framing. */
typedef struct rawev {
    gth_raw_event e;
    size_t foff; /* its frames in the list's frame array */
} rawev;

typedef struct rawlist {
    rawev *v;
    uint64_t *frames;
    size_t n, cap, nframes, fcap;
} rawlist;

static int keep_event(void *ud, const gth_raw_event *ev) {
    rawlist *l = ud;
    if (l->n == l->cap) l->v = realloc(l->v, (l->cap = l->cap ? 2 * l->cap : 256) * sizeof *l->v);
    size_t nf = ev->nframes * 4;
    if (l->nframes + nf > l->fcap) {
        while (l->nframes + nf > l->fcap) l->fcap = l->fcap ? 2 * l->fcap : 1024;
        l->frames = realloc(l->frames, l->fcap * sizeof *l->frames);
    }
    if (nf) memcpy(l->frames + l->nframes, ev->frames, nf * sizeof *l->frames);
    l->v[l->n].e = *ev;
    l->v[l->n].e.frames = NULL;
    l->v[l->n].foff = l->nframes;
    l->nframes += nf;
    l->n++;
    return 0;
}

static size_t struct_mutant(const rawlist *l, unsigned minor, gth_buf *out) {
    rawev *v = malloc((l->n + 2) * sizeof *v);
    uint64_t *frames = malloc((l->nframes + 1) * sizeof *frames);
    memcpy(v, l->v, l->n * sizeof *v);
    if (l->nframes) memcpy(frames, l->frames, l->nframes * sizeof *frames);
    size_t n = l->n;
    static const uint8_t empty[1];
    for (int edits = 1 + (int)below(2); edits > 0; edits--) {
        size_t i = below(n);
        gth_raw_event *e = &v[i].e;
        const gth_event_spec *s = e->spec;
        switch (below(8)) {
        case 0:
        case 1:
        case 2: /* an argument (not a batch header's size) */
            if (s->nargs > 1 && e->code != 1) {
                size_t a = 1 + below(s->nargs - 1u);
                static const uint64_t picks[] = {0, 1, 2, 3, 4, 256, 257, UINT64_MAX};
                e->args[a] = below(2) ? picks[below(8)] : e->args[a] + 1 - 2 * below(2);
            }
            break;
        case 3: /* drop an event */
            if (e->code != 1 && n > 1) {
                memmove(&v[i], &v[i + 1], (n - i - 1) * sizeof *v);
                n--;
            }
            break;
        case 4: /* duplicate an event */
            if (e->code != 1 && e->code != 49) {
                memmove(&v[i + 1], &v[i], (n - i) * sizeof *v);
                n++;
            }
            break;
        case 5: /* swap neighbours inside a batch */
            if (i + 1 < n && s->flags & GTH_F_TIMED && v[i + 1].e.spec->flags & GTH_F_TIMED) {
                rawev t = v[i];
                v[i] = v[i + 1];
                v[i + 1] = t;
            }
            break;
        case 6: /* a stack frame value */
            if (e->nframes) frames[v[i].foff + below(e->nframes * 4)] = below(3);
            break;
        default: /* clock snapshots, experiments and strings */
            if (e->code == 51) e->args[1 + below(3)] = below(2) ? 0 : (uint64_t)-62135596800ll;
            else if (e->code == 49) e->args[0] = 2;
            else if (e->code == 5 && e->data_len) e->data_len = 0, e->data = empty;
            break;
        }
    }
    gth_encoder enc;
    gth_error err;
    out->len = 0;
    assert_int_equal(gth_encoder_init(&enc, out, minor, GTH_ENC_FULL_TABLE, NULL), GTH_OK);
    int rc = GTH_OK;
    for (size_t i = 0; i < n && rc == GTH_OK; i++) {
        gth_raw_event e = v[i].e;
        e.frames = frames + v[i].foff;
        rc = gth_encoder_write(&enc, &e, &err);
    }
    if (rc == GTH_OK) rc = gth_encoder_finish(&enc, &err);
    gth_encoder_free(&enc);
    free(v);
    free(frames);
    return rc == GTH_OK ? out->len : 0;
}


static void test_mutants(void **state) {
    (void)state;
    size_t ng;
    char **gold = goldens(tu_tmpdir("validate-mut-src"), &ng);
    char **real;
    size_t nr = tu_real_traces(tu_tmpdir("validate-real"), "--normal-only", &real);
    assert_true(nr >= 4);
    /* Sources: every golden and the real traces small enough to mutate fast. */
    char *src[128];
    size_t ns = 0;
    for (size_t i = 0; i < ng; i++) src[ns++] = gold[i];
    tally t = {0};
    compare_files(real, nr, &t); /* the real traces themselves */
    for (size_t i = 0; i < nr && ns < 128; i++) {
        size_t len;
        free(tu_read_file(real[i], &len));
        if (len < 300000) src[ns++] = real[i];
    }
    const char *dir = tu_tmpdir("validate-mut");
    enum { PER_KIND = 1500 };
    char **paths = calloc(2 * PER_KIND + 1, sizeof *paths);
    size_t np = 0;
    gth_buf enc;
    gth_buf_init(&enc, NULL);
    for (size_t s = 0; s < ns; s++) {
        size_t len;
        uint8_t *d = tu_read_file(src[s], &len);
        rawlist l = {0};
        unsigned minor = 0;
        gth_error err;
        /* Goldens that test broken framing get byte mutants only. */
        int framed = gth_decode_all(d, len, GTH_DEC_FULL_TABLE, NULL, &minor, keep_event, &l, &err) == GTH_OK;
        uint8_t *buf = malloc(len + 1);
        size_t quota = (PER_KIND + ns - 1) / ns;
        for (size_t k = 0; k < quota && np < 2 * PER_KIND; k++) {
            char path[4400];
            size_t blen = byte_mutant(d, len, buf);
            snprintf(path, sizeof path, "%s/b%05zu.bin", dir, np);
            tu_write_file(path, buf, blen);
            paths[np++] = strdup(path);
            size_t slen = framed ? struct_mutant(&l, minor, &enc) : 0;
            if (!slen) continue;
            snprintf(path, sizeof path, "%s/s%05zu.bin", dir, np);
            tu_write_file(path, enc.data, slen);
            paths[np++] = strdup(path);
        }
        free(buf);
        free(l.v);
        free(l.frames);
        free(d);
    }
    gth_buf_free(&enc);
    compare_files(paths, np, &t);
    print_message("mutants and real traces: %zu traces agree with Go (%zu accepted, %zu validate findings, "
                  "%zu API panics)\n",
                  t.n, t.accepted, t.validate, t.panics);
    assert_true(t.n >= 2000);
    assert_true(t.validate >= 50); /* the mutants do reach the validator */
    free_paths(paths, np);
    free_paths(gold, ng);
    free_paths(real, nr);
}

/* ---- The command line and the documentation ------------------------------------------------------ */

static void test_cli_profiles(void **state) {
    (void)state;
    tb b;
    t_g_run_busy_thread(&b);
    size_t len;
    uint8_t *d = tb_done(&b, &len);
    char path[4300];
    snprintf(path, sizeof path, "%s/busy.bin", tu_tmpdir("validate-cli"));
    tu_write_file(path, d, len);
    gth_free(gth_default_allocator(), d, b.out.cap);
    char *parser[] = {(char *)tu_gth(), "validate", "--profile=parser", path, NULL};
    char *validate[] = {(char *)tu_gth(), "validate", "--profile=validate", path, NULL};
    char *dflt[] = {(char *)tu_gth(), "validate", "--json", path, NULL};
    char *strict[] = {(char *)tu_gth(), "validate", "--profile=strict", path, NULL};
    char *bad[] = {(char *)tu_gth(), "validate", "--profile=loose", path, NULL};
    char *out = NULL, *err = NULL;
    assert_int_equal(tu_run(parser, NULL, 0, &out, NULL, &err), 0);
    free(out);
    free(err);
    assert_int_equal(tu_run(validate, NULL, 0, &out, NULL, &err), 1);
    assert_non_null(strstr(err, "[validate.g-run-busy-thread] tried to run goroutine 2 when one was already executing (1) on thread 1"));
    /* The diagnostic shows the event in its stream form. */
    assert_non_null(strstr(err, "\n  event: 4 StateTransition M=1 P=0 G=1 GoID=2 Undetermined->Running Reason=\"\"\n"));
    free(out);
    free(err);
    assert_int_equal(tu_run(dflt, NULL, 0, &out, NULL, &err), 1);
    assert_non_null(strstr(out, "\"invariant\":\"validate.g-run-busy-thread\""));
    assert_non_null(strstr(out, "\"event\":\"4 StateTransition M=1 P=0 G=1 GoID=2 Undetermined->Running Reason=\\\"\\\"\"}"));
    free(out);
    free(err);
    /* The strict profile reports the validate finding first. */
    assert_int_equal(tu_run(strict, NULL, 0, &out, NULL, &err), 1);
    assert_non_null(strstr(err, "[validate.g-run-busy-thread]"));
    free(out);
    free(err);
    assert_int_equal(tu_run(bad, NULL, 0, &out, NULL, &err), 2);
    free(out);
    free(err);
}

static void test_invariants_doc(void **state) {
    (void)state;
    char *argv[] = {(char *)tu_gth(), "invariants", "--markdown", NULL};
    char *out = NULL;
    size_t olen = 0;
    assert_int_equal(tu_run(argv, NULL, 0, &out, &olen, NULL), 0);
    char doc[4200];
    snprintf(doc, sizeof doc, "%s/docs/INVARIANTS.md", GTH_SOURCE_DIR);
    size_t dlen;
    uint8_t *d = tu_read_file(doc, &dlen);
    if (dlen != olen || memcmp(d, out, olen))
        fail_msg("docs/INVARIANTS.md is stale: regenerate it with `gth invariants --markdown > docs/INVARIANTS.md`");
    /* Every invariant is documented. */
    for (unsigned i = 1; i < GTH_INV__COUNT; i++) {
        char id[128];
        snprintf(id, sizeof id, "`%s`", gth_invariant_get(i)->id);
        assert_non_null(strstr(out, id));
    }
    free(d);
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue_covered),
        cmocka_unit_test(test_negative_views),
        cmocka_unit_test(test_joined_failures),
        cmocka_unit_test(test_negative_traces),
        cmocka_unit_test(test_cli_profiles),
        cmocka_unit_test(test_invariants_doc),
        cmocka_unit_test(test_goldens_and_fuzz_corpus),
        cmocka_unit_test(test_mutants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
