/* The agreement rule on error texts (harness/agree.h). */
#include "util/testutil.h"

#include <string.h>

#include "harness/agree.h"

static void same_texts_agree(void **state) {
    (void)state;
    assert_true(gth_same_message_str("unknown or unsupported trace version go 1.24",
                                     "unknown or unsupported trace version go 1.24"));
    assert_false(gth_same_message_str("unknown or unsupported trace version go 1.24",
                                      "unknown or unsupported trace version go 1.20"));
    assert_true(gth_same_message_str("", ""));
    assert_false(gth_same_message_str("", "x"));
}

static void map_order_parts_are_left_out(void **state) {
    (void)state;
    assert_true(gth_same_message_str("broken trace: failed to advance: frontier:\n[gen=1]\nM 1",
                                     "broken trace: failed to advance: frontier:\n[gen=1]\nM 2"));
    assert_true(gth_same_message_str("found invalid func string ID 64 for stack 4",
                                     "found invalid func string ID 9 for stack 1"));
    /* Which of several bad stacks Go meets first is map order: a bad file
     * string in one and a bad func string in another may be named either way. */
    assert_true(gth_same_message_str("found invalid file string ID 61 for stack 3",
                                      "found invalid func string ID 64 for stack 4"));
    assert_true(gth_same_message_str("found invalid func string ID 64 for stack 4",
                                     "found invalid file string ID 61 for stack 3"));
    /* Other texts starting alike stay apart. */
    assert_false(gth_same_message_str("found invalid func string ID 64 for stack 4",
                                      "found invalid string ID 64 for event GoStart"));
    assert_false(gth_same_message_str("found invalid file string ID 61 for stack 3",
                                      "found invalid stack ID 3 for event GoStart"));
    assert_false(gth_same_message_str("found invalid func", "found invalid file"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_texts_agree),
        cmocka_unit_test(map_order_parts_are_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
