/*
 * The strict ordered pass's common case (gth_strict_fast, decided on the
 * reader's event) against the pass itself (gth_strict_event on the view): two
 * checkers see the same short runs of random events — statuses, creations,
 * events in the context of goroutines and procs described or not, GC events,
 * events with their own stack and no goroutine, experimental ones, a new
 * generation now and then, memory running out in some runs — one through
 * gth_strict_event only, the other through the common case first, and must
 * return the same on every event and give the same finding (invariant,
 * offset, text) after it.
 */
#include "util/testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "validator/strict.h"

static gth_rng rng;
static unsigned pick(unsigned n) { return gth_rng_below(&rng, n); }

/* An allocator that fails once its budget is spent (-1: never). */
typedef struct budget {
    long left;
} budget;
static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    budget *b = ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    if (b->left == 0) return NULL;
    if (b->left > 0) b->left--;
    return realloc(ptr, nsize);
}

static long stack_len(const void *ud, uint64_t id) {
    (void)ud;
    (void)id;
    return -1;
}
static int stack_frame(const void *ud, uint64_t id, size_t i, gth_frame *f) {
    (void)ud, (void)id, (void)i, (void)f;
    return -1;
}

/* Goroutine and proc ids: a few small ones, and one beyond the dense sets. */
static uint64_t some_id(void) { return pick(40) ? pick(3) : (uint64_t)1 << 40; }

typedef struct checker {
    budget b;
    gth_allocator a;
    gth_strict *s;
    gth_mem_source ms;
} checker;

static void checker_new(checker *c, const uint8_t *trace, size_t len, long budget_left) {
    c->b.left = -1;
    c->a = (gth_allocator){budget_alloc, &c->b};
    c->s = gth_strict_new(&c->a);
    assert_non_null(c->s);
    /* A seekable input: its first generation is 1 (seed 1's; for the first GC
     * event's rule), and the wire pass over it finds nothing. */
    gth_strict_source(c->s, gth_source_mem(&c->ms, trace, len));
    c->b.left = budget_left;
}

/* The two checkers' findings so far agree. */
static void same_finding(checker *general, checker *fast, unsigned run, unsigned step) {
    gth_error e1, e2;
    gth_buf t1, t2;
    gth_buf_init(&t1, NULL);
    gth_buf_init(&t2, NULL);
    int rc1 = gth_strict_finish(general->s, &e1, &t1), rc2 = gth_strict_finish(fast->s, &e2, &t2);
    if (rc1 != rc2)
        fail_msg("run %u, event %u: gth_strict_event only %d, common case first %d", run, step, rc1, rc2);
    if (rc1 == GTH_EINVALID) {
        assert_int_equal(e1.inv, e2.inv);
        assert_int_equal(e1.offset, e2.offset);
        assert_string_equal(e1.msg, e2.msg);
        assert_int_equal(t1.len, t2.len);
        assert_memory_equal(t1.data, t2.data, t1.len);
    }
    gth_buf_free(&t1);
    gth_buf_free(&t2);
}

typedef struct counts {
    unsigned taken, declined, nomem;
} counts;

/* Ev through both checkers, which must agree on it and after it. */
static void feed(checker *general, checker *fast, const gth_event *ev, counts *n, unsigned run, unsigned step) {
    gth_view v;
    memset(&v, 0, sizeof v);
    v.ev = ev;
    v.kind = GTH_KIND_STACK_SAMPLE;
    v.time = ev->time;
    v.m = ev->m;
    v.p = ev->p;
    v.g = ev->g;
    v.stacks = (gth_stack_source){stack_len, stack_frame, NULL};
    int rc1 = gth_strict_event(general->s, &v);
    int rc2 = GTH_OK;
    if (gth_strict_fast(fast->s, ev)) {
        n->taken++;
    } else {
        n->declined++;
        rc2 = gth_strict_event(fast->s, &v);
    }
    if (rc1 != rc2)
        fail_msg("run %u, event %u (code %u): gth_strict_event only %d, common case first %d", run, step, ev->code,
                 rc1, rc2);
    if (rc1 == GTH_ENOMEM) n->nomem++;
    same_finding(general, fast, run, step);
}

static void random_runs(void **state) {
    (void)state;
    gth_rng_seed(&rng, 0x2545f4914f6cdd1dull);
    size_t len;
    uint8_t *trace = tu_generate(26, 1, 20, 1, &len);
    static const uint8_t codes[] = {
        GTH_EV_GoStatus,         GTH_EV_GoStatusStack,         GTH_EV_ProcStatus,       GTH_EV_GoCreate,
        GTH_EV_GoStart,          GTH_EV_GoStop,                GTH_EV_GoBlock,          GTH_EV_GoUnblock,
        GTH_EV_ProcStop,         GTH_EV_GCBegin,               GTH_EV_GCSweepActive,    GTH_EV_GoSwitchDestroy,
        GTH_EV_GoDestroySyscall, GTH_EV_GoSyscallEndBlocked,   GTH_EV_UserRegionBegin,  GTH_EV_HeapAlloc,
        GTH_EV_SpanAlloc,        GTH_EV_Frequency};
    counts n = {0, 0, 0};
    unsigned found = 0;
    for (unsigned run = 0; run < 4000; run++) {
        checker general, fast;
        long left = pick(4) ? -1 : (long)pick(6);
        checker_new(&general, trace, len, left);
        checker_new(&fast, trace, len, left);
        uint64_t gen = 1, off = 1000;
        unsigned nev = 1 + pick(80);
        for (unsigned step = 0; step < nev; step++) {
            gth_event ev;
            /* A new generation (the first one too) mostly describes the
             * goroutines and procs its events name. */
            if (step == 0 || !pick(30)) {
                gen += step != 0;
                int none = !pick(6);
                for (unsigned i = 0; i < 6; i++) {
                    if (none || !pick(40)) continue;
                    memset(&ev, 0, sizeof ev);
                    ev.code = i < 3 ? GTH_EV_GoStatus : GTH_EV_ProcStatus;
                    ev.args[0] = i % 3;
                    ev.gen = gen, ev.time = (int64_t)off, ev.offset = off++;
                    ev.m = ev.p = ev.g = -1;
                    feed(&general, &fast, &ev, &n, run, step);
                }
            }
            memset(&ev, 0, sizeof ev);
            ev.code = codes[pick(sizeof codes)];
            ev.gen = gen;
            ev.time = (int64_t)off;
            ev.offset = pick(20) ? off : GTH_NO_OFFSET;
            off++;
            ev.synthetic = !pick(20);
            ev.m = pick(3);
            ev.g = pick(5) ? (int64_t)some_id() : -1;
            ev.p = pick(5) ? (int64_t)some_id() : -1;
            for (int i = 0; i < 4; i++) ev.args[i] = pick(2) ? some_id() : 0;
            if (ev.code == GTH_EV_GCBegin) ev.args[0] = pick(2) + 1;
            feed(&general, &fast, &ev, &n, run, step);
        }
        gth_error e;
        if (gth_strict_finish(general.s, &e, NULL) == GTH_EINVALID) found++;
        gth_strict_free(general.s);
        gth_strict_free(fast.s);
    }
    /* Both paths were taken, findings were made, memory ran out. */
    print_message("%u taken by the common case, %u declined, %u runs with a finding, %u out of memory\n", n.taken,
                  n.declined, found, n.nomem);
    assert_true(n.taken > 10000);
    assert_true(n.declined > 10000);
    assert_true(found > 500);
    assert_true(n.nomem > 100);
    free(trace);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
