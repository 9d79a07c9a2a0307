/*
 * The validate profile remembers every goroutine it has seen, as Go's validator
 * does, but keeps dead ones compactly (a bit per id, runs of whole words). This
 * drives gth_testtrace with goroutine transitions and labels in random order
 * and checks every verdict against a plain model that never forgets anything:
 * dying, coming back (from NotExist, or wrongly from Undetermined), labels on
 * dead goroutines, ids across word and run boundaries, the largest ids.
 */
#include "util/testutil.h"

#include <stdlib.h>
#include <string.h>

#include "spec/invariants.h"
#include "validator/testtrace.h"

#define NIDS 4096

/* The model: state of every id ever seen; 0xff = never seen. */
static uint8_t model[NIDS + 2];
static int64_t ids_at(unsigned i) { return i < NIDS ? (int64_t)i : INT64_MAX - (int64_t)(i - NIDS); }

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) { return tu_xorshift(&rng); }

static int64_t now;

static int feed_transition(gth_testtrace *t, int64_t id, uint8_t from, uint8_t to, gth_error *err) {
    gth_view v;
    memset(&v, 0, sizeof v);
    v.kind = GTH_KIND_STATE_TRANSITION;
    v.time = ++now;
    v.m = 1;
    v.p = v.g = -1;
    v.u.transition.resource = (gth_resource){GTH_RES_GOROUTINE, id};
    v.u.transition.old_state = from;
    v.u.transition.new_state = to;
    return gth_testtrace_event(t, &v, err);
}

static int feed_label(gth_testtrace *t, int64_t id, gth_error *err) {
    gth_view v;
    memset(&v, 0, sizeof v);
    v.kind = GTH_KIND_LABEL;
    v.time = ++now;
    v.m = 1;
    v.p = v.g = -1;
    v.u.label.label = (gth_bytes){(const uint8_t *)"x", 1};
    v.u.label.resource = (gth_resource){GTH_RES_GOROUTINE, id};
    return gth_testtrace_event(t, &v, err);
}

static void random_walk(void **state) {
    (void)state;
    gth_testtrace *t = gth_testtrace_new(NULL, 26);
    assert_non_null(t);
    memset(model, 0xff, sizeof model);
    gth_error err;
    unsigned rejected = 0, revived = 0;
    for (unsigned step = 0; step < 200000; step++) {
        unsigned i = (unsigned)(next_rand() % (NIDS + 2));
        /* Mostly ids in increasing order, as the runtime hands them out. */
        if (next_rand() % 4) i = (step / 40) % NIDS;
        int64_t id = ids_at(i);
        unsigned op = (unsigned)(next_rand() % 8);
        if (op == 0) {
            int rc = feed_label(t, id, &err);
            int want_ok = model[i] != 0xff;
            assert_int_equal(rc, want_ok ? GTH_OK : GTH_EINVALID);
            if (!want_ok) assert_int_equal(err.inv, GTH_INV_VALIDATE_LABEL_GOROUTINE);
            continue;
        }
        /* A transition between non-executing states (no thread needed). */
        static const uint8_t states[] = {GTH_GO_UNDETERMINED, GTH_GO_NOTEXIST, GTH_GO_RUNNABLE,
                                         GTH_GO_WAITING};
        uint8_t from, to;
        if (op < 5 && model[i] != 0xff) {
            from = model[i]; /* a valid step from the current state */
        } else {
            from = states[next_rand() % 4];
        }
        to = states[1 + next_rand() % 3];
        if (model[i] == GTH_GO_NOTEXIST && from == GTH_GO_NOTEXIST) revived++;
        int want_ok = model[i] == 0xff ? (from == GTH_GO_UNDETERMINED || from == GTH_GO_NOTEXIST)
                                       : from == model[i];
        int rc = feed_transition(t, id, from, to, &err);
        assert_int_equal(rc, want_ok ? GTH_OK : GTH_EINVALID);
        if (!want_ok) {
            rejected++;
            assert_int_equal(err.inv, model[i] == 0xff ? GTH_INV_VALIDATE_G_BAD_OLD_STATE_UNREGISTERED
                                                       : GTH_INV_VALIDATE_G_BAD_OLD_STATE);
        }
        model[i] = to; /* Go records the new state even after a failure */
    }
    /* The walk must have exercised what it is about. */
    assert_true(rejected > 1000);
    assert_true(revived > 1000);
    gth_testtrace_free(t);
}

/* Every id of a long run dies; then a label and a wrong-state transition in the
 * middle of the run split it, and the neighbours are still known dead. */
static void whole_runs(void **state) {
    (void)state;
    gth_testtrace *t = gth_testtrace_new(NULL, 26);
    assert_non_null(t);
    gth_error err;
    for (int64_t id = 0; id < 3200; id++) {
        assert_int_equal(feed_transition(t, id, GTH_GO_NOTEXIST, GTH_GO_RUNNABLE, &err), GTH_OK);
        assert_int_equal(feed_transition(t, id, GTH_GO_RUNNABLE, GTH_GO_NOTEXIST, &err), GTH_OK);
    }
    for (int64_t id = 0; id < 3200; id += 97) assert_int_equal(feed_label(t, id, &err), GTH_OK);
    assert_int_equal(feed_label(t, 3200, &err), GTH_EINVALID);
    assert_int_equal(feed_transition(t, 1600, GTH_GO_UNDETERMINED, GTH_GO_RUNNABLE, &err), GTH_EINVALID);
    assert_int_equal(err.inv, GTH_INV_VALIDATE_G_BAD_OLD_STATE);
    assert_non_null(strstr(err.msg, "got Undetermined, want NotExist"));
    for (int64_t id = 1590; id < 1610; id++)
        if (id != 1600) assert_int_equal(feed_label(t, id, &err), GTH_OK);
    assert_int_equal(feed_transition(t, 1601, GTH_GO_NOTEXIST, GTH_GO_RUNNABLE, &err), GTH_OK);
    assert_int_equal(feed_transition(t, 1599, GTH_GO_RUNNABLE, GTH_GO_WAITING, &err), GTH_EINVALID);
    gth_testtrace_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_walk),
        cmocka_unit_test(whole_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
