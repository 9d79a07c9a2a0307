/*
 * The inline view of common state transitions (gth_view_make_fast, view.h)
 * against gth_view_make: over every event of the real traces in corpus/real,
 * and over random events on those traces' tables (common and other codes,
 * arguments that name strings and stacks or not), both build a view from the
 * same starting bytes and must give the same result, error and view, field
 * by field, with the same bytes left untouched.
 */
#include "util/testutil.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validator/stream.h"
#include "validator/view.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next_rand(void) { return tu_xorshift(&rng); }
static unsigned pick(unsigned n) { return (unsigned)(next_rand() % n); }

static void same_bytes(const void *a, const void *b, size_t n, const char *what, const gth_event *ev) {
    if (memcmp(a, b, n) != 0) fail_msg("%s differs (event code %u at offset %llu)", what, ev->code,
                                       (unsigned long long)ev->offset);
}

#define SAME(field) \
    if (v1->field != v2->field) fail_msg(#field " differs (event code %u at offset %llu)", ev->code, \
                                         (unsigned long long)ev->offset)

/* Builds ev's view both ways and compares them; returns whether the fast path
 * took the event itself (a state transition it fills). */
static int compare(const gth_reader *r, const gth_event *ev, gth_view *v1, gth_view *v2) {
    uint8_t fill = (uint8_t)next_rand();
    memset(v1, fill, sizeof *v1);
    memset(v2, fill, sizeof *v2);
    gth_error e1, e2;
    gth_error_clear(&e1);
    gth_error_clear(&e2);
    int rc1 = gth_view_make(r, ev, v1, &e1), rc2 = gth_view_make_fast(r, ev, v2, &e2);
    assert_int_equal(rc1, rc2);
    if (rc1 != GTH_OK) {
        assert_int_equal(e1.status, e2.status);
        assert_int_equal(e1.inv, e2.inv);
        assert_int_equal(e1.offset, e2.offset);
        assert_string_equal(e1.msg, e2.msg);
        return 0;
    }
    SAME(ev);
    SAME(kind);
    SAME(time);
    SAME(m);
    SAME(p);
    SAME(g);
    SAME(stack.present);
    SAME(stack.id);
    SAME(stacks.len);
    SAME(stacks.frame);
    SAME(stacks.ud);
    same_bytes(v1->namebuf, v2->namebuf, sizeof v1->namebuf, "namebuf", ev);
    if (v1->kind != GTH_KIND_STATE_TRANSITION) {
        /* Only gth_view_make runs, from gth_view_make_fast too. Its details
         * are compared through the canonical line, which reads every field
         * of every kind: their bytes need not be equal, since struct
         * assignments (a resource, a range's scope) copy padding, which an
         * unoptimised build takes from the stack, and a range's name may
         * point into its own view. */
        gth_buf l1, l2;
        gth_buf_init(&l1, NULL);
        gth_buf_init(&l2, NULL);
        assert_int_equal(gth_stream_line(NULL, &l1, v1), 0);
        assert_int_equal(gth_stream_line(NULL, &l2, v2), 0);
        if (l1.len != l2.len || memcmp(l1.data, l2.data, l1.len) != 0)
            fail_msg("details differ (event code %u at offset %llu)", ev->code, (unsigned long long)ev->offset);
        gth_buf_free(&l1);
        gth_buf_free(&l2);
        return 0;
    }
    SAME(u.transition.resource.kind);
    SAME(u.transition.resource.id);
    SAME(u.transition.old_state);
    SAME(u.transition.new_state);
    SAME(u.transition.reason.p);
    SAME(u.transition.reason.n);
    SAME(u.transition.stack.present);
    SAME(u.transition.stack.id);
    /* The rest of the union: left as it was by both. */
    size_t off = sizeof v1->u.transition;
    same_bytes((const uint8_t *)&v1->u + off, (const uint8_t *)&v2->u + off, sizeof v1->u - off,
               "bytes past the transition", ev);
    switch (ev->code) {
    case GTH_EV_GoStart:
    case GTH_EV_GoStop:
    case GTH_EV_GoBlock:
    case GTH_EV_GoUnblock:
    case GTH_EV_GoSyscallBegin:
    case GTH_EV_GoSyscallEnd:
    case GTH_EV_GoSyscallEndBlocked:
    case GTH_EV_ProcStart:
    case GTH_EV_ProcStop: return 1;
    default: return 0;
    }
}

/* A random event on r's tables, from a delivered one: a state transition (or
 * a few other kinds) with arguments that are small numbers, ids the delivered
 * event carried, or anything. */
static void randomize(gth_event *ev) {
    static const uint8_t codes[] = {
        GTH_EV_GoStart,       GTH_EV_GoStop,       GTH_EV_GoBlock,          GTH_EV_GoUnblock,
        GTH_EV_GoSyscallBegin, GTH_EV_GoSyscallEnd, GTH_EV_GoSyscallEndBlocked, GTH_EV_ProcStart,
        GTH_EV_ProcStop,      GTH_EV_ProcSteal,    GTH_EV_GoCreate,         GTH_EV_GoDestroy,
        GTH_EV_GoSwitch,      GTH_EV_HeapAlloc,    GTH_EV_GCBegin,          GTH_EV_GoCreateSyscall};
    uint64_t keep[4];
    memcpy(keep, ev->args, sizeof keep);
    ev->code = codes[pick(sizeof codes)];
    for (int i = 0; i < 4; i++) {
        switch (pick(4)) {
        case 0: ev->args[i] = pick(8); break;
        case 1: ev->args[i] = keep[pick(4)]; break;
        case 2: ev->args[i] = next_rand(); break;
        default: break;
        }
    }
    if (ev->code == GTH_EV_ProcSteal && pick(2)) ev->args[3] = GTH_PS_ABANDONED;
    if (pick(4) == 0) ev->g = (int64_t)next_rand();
    if (pick(4) == 0) ev->p = pick(2) ? -1 : (int64_t)pick(8);
    if (pick(8) == 0) ev->time = (int64_t)next_rand();
}

static void real_and_random(void **state) {
    (void)state;
    char dir[4096], **paths;
    snprintf(dir, sizeof dir, "%s/corpus/real", GTH_SOURCE_DIR);
    size_t npaths = tu_list(dir, ".trace", &paths);
    assert_true(npaths > 0);
    gth_view *v1 = malloc(sizeof *v1), *v2 = malloc(sizeof *v2);
    assert_non_null(v1);
    assert_non_null(v2);
    unsigned long long events = 0, fast = 0, randoms = 0, random_fast = 0;
    for (size_t i = 0; i < npaths; i++) {
        size_t len;
        uint8_t *data = tu_read_file(paths[i], &len);
        gth_mem_source ms;
        gth_error err;
        gth_reader *r = gth_reader_new(NULL, gth_source_mem(&ms, data, len), &err);
        if (r) {
            gth_event ev;
            while (gth_reader_next(r, &ev, &err) > 0) {
                events++;
                fast += (unsigned long long)compare(r, &ev, v1, v2);
                for (int k = 0; k < 2; k++) {
                    gth_event x = ev;
                    randomize(&x);
                    randoms++;
                    random_fast += (unsigned long long)compare(r, &x, v1, v2);
                }
            }
            gth_reader_free(r);
        }
        free(data);
    }
    tu_free_list(paths);
    free(v1);
    free(v2);
    print_message("%llu real events (%llu by the inline path), %llu random (%llu by the inline path)\n", events,
                  fast, randoms, random_fast);
    /* The inline path ran, on real and on random events. */
    assert_true(fast > 0);
    assert_true(random_fast > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_and_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
