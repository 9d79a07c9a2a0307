/* The spec tables: every row is consistent with the rules the rest of libgth
 * relies on, and lookups honour version gating. */
#include "util/testutil.h"

#include <string.h>

#include "spec/spec.h"

static void every_row_is_consistent(void **state) {
    (void)state;
    unsigned rows = 0;
    for (unsigned c = 0; c < GTH_NUM_CODES; c++) {
        const gth_event_spec *e = gth_spec_event(c);
        if (!e) continue;
        rows++;
        assert_int_equal(e->code, c);
        assert_true(e->nargs <= GTH_MAX_ARGS);
        for (unsigned i = 0; i < e->nargs; i++) {
            assert_non_null(e->args[i].name);
            assert_true(e->args[i].kind != GTH_K_NONE);
        }
        for (unsigned i = e->nargs; i < GTH_MAX_ARGS; i++) assert_null(e->args[i].name);
        if (e->flags & GTH_F_TIMED) {
            assert_true(e->nargs >= 1);
            assert_int_equal(e->args[0].kind, GTH_K_DT);
            assert_string_equal(e->args[0].name, "dt");
        }
        if (e->start_code) assert_non_null(gth_spec_event(e->start_code));
        /* Text-format names: a stack or string argument says so in its name. */
        uint8_t pos[2];
        unsigned n = gth_spec_string_args(e, pos);
        for (unsigned i = 0; i < n; i++) {
            const char *nm = e->args[pos[i]].name;
            assert_true(strlen(nm) > 7 && strcmp(nm + strlen(nm) - 7, "_string") == 0);
        }
        n = gth_spec_stack_args(e, pos);
        for (unsigned i = 0; i < n; i++) assert_non_null(strstr(e->args[pos[i]].name, "stack"));
    }
    assert_int_equal(rows, 52 + 9); /* 1..52 and the nine AllocFree events */
}

static void version_gating(void **state) {
    (void)state;
    char buf[16];
    assert_non_null(gth_spec_lookup(22, 44));
    assert_null(gth_spec_lookup(22, 45));
    assert_non_null(gth_spec_lookup(23, 49));
    assert_null(gth_spec_lookup(23, 50));
    assert_non_null(gth_spec_lookup(25, 51));
    assert_null(gth_spec_lookup(25, 52));
    assert_null(gth_spec_lookup(25, 128));
    assert_non_null(gth_spec_lookup(26, 128));
    assert_non_null(gth_spec_lookup(26, 136));
    assert_null(gth_spec_lookup(26, 137));
    assert_null(gth_spec_lookup(26, 0));
    assert_null(gth_spec_lookup(21, 10)); /* v1 */
    assert_null(gth_spec_lookup(24, 10)); /* no such format */
    assert_string_equal(gth_spec_event_name(22, 45, buf), "Invalid(45)");
    assert_string_equal(gth_spec_event_name(23, 45, buf), "GoSwitch");
    assert_non_null(gth_spec_lookup_name(23, "GoSwitch", 8));
    assert_null(gth_spec_lookup_name(22, "GoSwitch", 8));
    assert_null(gth_spec_lookup_name(26, "GoSwitc", 7));
    const unsigned *v;
    size_t nv = gth_versions_v2(&v);
    assert_int_equal(nv, 4);
    assert_int_equal(v[0], 22);
    assert_int_equal(v[3], 26);
    assert_false(gth_version_is_v2(21));
    assert_true(gth_version_is_v2(25));
}

static void status_names(void **state) {
    (void)state;
    assert_string_equal(gth_gstatus_name(GTH_GS_BAD), "Bad");
    assert_string_equal(gth_gstatus_name(GTH_GS_RUNNABLE), "Runnable");
    assert_string_equal(gth_gstatus_name(GTH_GS_RUNNING), "Running");
    assert_string_equal(gth_gstatus_name(GTH_GS_SYSCALL), "Syscall");
    assert_string_equal(gth_gstatus_name(GTH_GS_WAITING), "Waiting");
    assert_string_equal(gth_gstatus_name(GTH_GS__COUNT), "Bad");
    assert_string_equal(gth_gstatus_name(UINT64_MAX), "Bad");
}

static void stack_order_matches_go(void **state) {
    (void)state;
    uint8_t pos[2];
    /* GoCreate: the creator's stack is checked before the new goroutine's. */
    assert_int_equal(gth_spec_stack_args(gth_spec_event(14), pos), 2);
    assert_int_equal(pos[0], 3);
    assert_int_equal(pos[1], 2);
    assert_int_equal(gth_spec_string_args(gth_spec_event(44), pos), 2);
    assert_int_equal(pos[0], 2);
    assert_int_equal(pos[1], 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_row_is_consistent),
        cmocka_unit_test(version_gating),
        cmocka_unit_test(stack_order_matches_go),
        cmocka_unit_test(status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
