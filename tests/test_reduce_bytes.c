/*
 * The minimiser's byte-level fallback (docs/REDUCE.md, reduce/reduce.c
 * run_bytes): byte ranges are removed until a whole pass removes nothing. A
 * predicate that lets bytes go only in pairs shows the difference: one ddmin
 * pass over "Kpfppp" (after the 16-byte header, which is kept) ends at
 * "Kpppp" — no single byte can go, and the pairs of the halving steps never
 * held two p's — while the next pass, with its chunks aligned anew, removes
 * them: the result must be "K".
 */
#include "util/testutil.h"

#include <string.h>

#include "reduce/reduce.h"

#define HEADER "go 1.22 trace\0\0\0"
#define HEADER_LEN 16

/* Holds when the bytes after the header contain a K and an even number of p's. */
static int pairs_of_p(void *ud, const uint8_t *trace, size_t len) {
    size_t *calls = ud;
    ++*calls;
    if (len < HEADER_LEN || memcmp(trace, HEADER, HEADER_LEN)) return 0;
    int k = 0;
    size_t p = 0;
    for (size_t i = HEADER_LEN; i < len; i++) {
        k |= trace[i] == 'K';
        p += trace[i] == 'p';
    }
    return k && p % 2 == 0;
}

static void reduce_bytes(const char *payload, const char *want) {
    uint8_t in[64];
    size_t n = strlen(payload);
    memcpy(in, HEADER, HEADER_LEN);
    memcpy(in + HEADER_LEN, payload, n);
    size_t calls = 0;
    gth_reduce_opts o = {.pred = pairs_of_p, .ud = &calls, .bytes_only = 1};
    gth_reduce_stats st;
    gth_error err;
    gth_buf out;
    gth_buf_init(&out, NULL);
    if (gth_reduce(in, HEADER_LEN + n, &o, &out, &st, &err) != GTH_OK) fail_msg("gth_reduce: %s", err.msg);
    assert_int_equal(st.mode, GTH_REDUCE_BYTES);
    assert_true(out.len >= HEADER_LEN);
    assert_memory_equal(out.data, HEADER, HEADER_LEN);
    if (out.len - HEADER_LEN != strlen(want) || memcmp(out.data + HEADER_LEN, want, strlen(want)))
        fail_msg("%s reduced to \"%.*s\", want \"%s\"", payload, (int)(out.len - HEADER_LEN),
                 (const char *)out.data + HEADER_LEN, want);
    assert_int_equal(st.bytes_in, HEADER_LEN + n);
    assert_int_equal(st.bytes_out, out.len);
    assert_true(calls > 0 && st.tests <= calls);
    gth_buf_free(&out);
}

/* One pass leaves four removable bytes. */
static void repeats_until_nothing_goes(void **state) {
    (void)state;
    reduce_bytes("Kpfppp", "K");
}

/* Bytes that can go one by one go in the first pass. */
static void single_bytes_go_in_one_pass(void **state) {
    (void)state;
    reduce_bytes("ffKff", "K");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(repeats_until_nothing_goes),
        cmocka_unit_test(single_bytes_go_in_one_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
