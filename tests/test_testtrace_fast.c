/*
 * The test validator's common case (gth_testtrace_fast, decided on the
 * reader's event) against its checks on the view (gth_testtrace_event): two
 * validators see the same random events — goroutine and proc transitions on a
 * few threads, status changes that put resources in any state, metrics and
 * regions, stacks complete or not, a timestamp now and then out of order —
 * one through the views only, the other through the common case first, and
 * must give the same verdict, invariant and text on every event.
 */
#include "util/testutil.h"

#include <stdlib.h>
#include <string.h>

#include "spec/invariants.h"
#include "validator/testtrace.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void) { return tu_xorshift(&rng); }
static unsigned pick(unsigned n) { return (unsigned)(next_rand() % n); }

/* Stacks 1 and 2 have complete frames; stack 3's second frame has no file. */
static long stack_len(const void *ud, uint64_t id) {
    (void)ud;
    return id >= 1 && id <= 3 ? 2 : -1;
}
static int stack_frame(const void *ud, uint64_t id, size_t i, gth_frame *f) {
    (void)ud;
    static const uint8_t fn[] = "main.f", file[] = "f.go";
    *f = (gth_frame){.pc = 0x1000 + i, .line = 7, .func = fn, .func_len = 6, .file = file, .file_len = 4};
    if (id == 3 && i == 1) f->file_len = 0;
    return 0;
}

/* The view gth_view_make gives the events of this test (view.c). */
static void view_of(const gth_event *ev, gth_view *v) {
    memset(v, 0, sizeof *v);
    v->ev = ev;
    v->kind = gth_view_kind(ev->code);
    v->time = ev->time;
    v->m = ev->m;
    v->p = ev->p;
    v->g = ev->g;
    v->stacks = (gth_stack_source){stack_len, stack_frame, NULL};
    const uint64_t *a = ev->args;
    uint64_t sid = 0;
    switch (ev->code) {
    case GTH_EV_GoStop:
    case GTH_EV_GoBlock:
    case GTH_EV_GoSyscallBegin: sid = a[1]; break;
    case GTH_EV_GoUnblock:
    case GTH_EV_UserRegionBegin: sid = a[2]; break;
    default: break;
    }
    v->stack = (gth_stack_ref){sid != 0, sid};
    gth_transition *t = &v->u.transition;
    t->reason = (gth_bytes){(const uint8_t *)"", 0};
    int proc = 0;
    int64_t id = ev->g;
    uint8_t from = 0, to = 0;
    switch (ev->code) {
    case GTH_EV_GoStart: id = (int64_t)a[0], from = GTH_GO_RUNNABLE, to = GTH_GO_RUNNING; break;
    case GTH_EV_GoStop: from = GTH_GO_RUNNING, to = GTH_GO_RUNNABLE, t->stack = v->stack; break;
    case GTH_EV_GoBlock: from = GTH_GO_RUNNING, to = GTH_GO_WAITING, t->stack = v->stack; break;
    case GTH_EV_GoUnblock: id = (int64_t)a[0], from = GTH_GO_WAITING, to = GTH_GO_RUNNABLE; break;
    case GTH_EV_GoSyscallBegin: from = GTH_GO_RUNNING, to = GTH_GO_SYSCALL, t->stack = v->stack; break;
    case GTH_EV_GoSyscallEnd: from = GTH_GO_SYSCALL, to = GTH_GO_RUNNING; break;
    case GTH_EV_GoSyscallEndBlocked: from = GTH_GO_SYSCALL, to = GTH_GO_RUNNABLE; break;
    case GTH_EV_GoStatus: id = (int64_t)a[0], from = (uint8_t)a[1], to = (uint8_t)a[2]; break;
    case GTH_EV_ProcStart: proc = 1, id = (int64_t)a[0], from = GTH_PROC_IDLE, to = GTH_PROC_RUNNING; break;
    case GTH_EV_ProcStop: proc = 1, id = ev->p, from = GTH_PROC_RUNNING, to = GTH_PROC_IDLE; break;
    case GTH_EV_ProcStatus: proc = 1, id = (int64_t)a[0], from = (uint8_t)a[1], to = (uint8_t)a[2]; break;
    case GTH_EV_HeapAlloc:
        v->u.metric = (gth_metric){"/memory/classes/heap/objects:bytes", GTH_VALUE_UINT64, a[0]};
        return;
    default: return; /* a region: nothing but its stack */
    }
    t->resource = (gth_resource){proc ? GTH_RES_PROC : GTH_RES_GOROUTINE, id};
    t->old_state = from;
    t->new_state = to;
}

/* Goroutine ids: small ones and one beyond the dense tables. */
static int64_t some_g(void) { return pick(8) ? (int64_t)pick(6) : (int64_t)1 << 40; }

static void random_events(void **state) {
    (void)state;
    gth_testtrace *general = gth_testtrace_new(NULL, 26), *fast = gth_testtrace_new(NULL, 26);
    assert_non_null(general);
    assert_non_null(fast);
    static const uint8_t codes[] = {
        GTH_EV_GoStart,  GTH_EV_GoStop,      GTH_EV_GoBlock,   GTH_EV_GoUnblock,  GTH_EV_GoSyscallBegin,
        GTH_EV_GoSyscallEnd, GTH_EV_GoSyscallEndBlocked, GTH_EV_GoStatus, GTH_EV_ProcStart, GTH_EV_ProcStop,
        GTH_EV_ProcStatus, GTH_EV_HeapAlloc, GTH_EV_UserRegionBegin};
    int64_t now = 0;
    unsigned passed_fast = 0, declined_ok = 0, failed = 0;
    for (unsigned step = 0; step < 300000; step++) {
        gth_event ev;
        memset(&ev, 0, sizeof ev);
        ev.code = codes[pick(sizeof codes)];
        /* Now and then a timestamp not after the last, or a new generation. */
        ev.time = pick(60) ? ++now : now - (int64_t)pick(2);
        ev.gen = 1 + step / 100000;
        static const int64_t ms[] = {1, 2, 3, 70000, -1};
        ev.m = ms[pick(4) ? pick(3) : 3 + pick(2)];
        ev.p = pick(8) ? (int64_t)pick(3) : -1;
        ev.g = some_g();
        ev.offset = step;
        static const uint64_t stacks[] = {0, 1, 2, 3};
        for (int i = 0; i < 4; i++) ev.args[i] = stacks[pick(4)];
        if (ev.code == GTH_EV_GoStart || ev.code == GTH_EV_GoUnblock || ev.code == GTH_EV_GoStatus)
            ev.args[0] = (uint64_t)some_g();
        if (ev.code == GTH_EV_ProcStart || ev.code == GTH_EV_ProcStatus) ev.args[0] = pick(3);
        if (ev.code == GTH_EV_GoStatus) ev.args[1] = pick(6), ev.args[2] = 1 + pick(5);
        if (ev.code == GTH_EV_ProcStatus) ev.args[1] = pick(4), ev.args[2] = 1 + pick(3);

        gth_view v;
        view_of(&ev, &v);
        gth_error e1, e2;
        gth_error_clear(&e1);
        gth_error_clear(&e2);
        int rc1 = gth_testtrace_event(general, &v, &e1);
        int rc2 = GTH_OK;
        if (gth_testtrace_fast(fast, &ev)) {
            passed_fast++;
        } else {
            rc2 = gth_testtrace_event(fast, &v, &e2);
            if (rc2 == GTH_OK) declined_ok++;
        }
        if (rc1 != rc2)
            fail_msg("event %u (code %u): checks on the view %d, common case first %d: %s", step, ev.code, rc1, rc2,
                     rc1 ? e1.msg : e2.msg);
        if (rc1 == GTH_OK) continue;
        failed++;
        assert_int_equal(e1.inv, e2.inv);
        assert_string_equal(e1.msg, e2.msg);
        assert_int_equal(e1.offset, e2.offset);
        size_t n1, n2;
        const char *m1 = gth_testtrace_message(general, &n1), *m2 = gth_testtrace_message(fast, &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(m1, m2, n1);
    }
    /* Both paths were taken, and the checks found faults. */
    print_message("%u passed by the common case, %u passed on the view after it declined, %u failed\n",
                  passed_fast, declined_ok, failed);
    assert_true(passed_fast > 10000);
    assert_true(declined_ok > 1000);
    assert_true(failed > 10000);
    gth_testtrace_free(general);
    gth_testtrace_free(fast);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
