/* Varints: the 10-byte maximum, overflow, truncation and non-minimal encodings
 * decode as Go's encoding/binary does; encoding is minimal. */
#include "util/testutil.h"

#include <string.h>

#include "format/varint.h"

static void maximum_is_ten_bytes(void **state) {
    (void)state;
    const uint8_t max[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    uint64_t v = 0;
    assert_int_equal(gth_uvarint(max, sizeof max, &v), 10);
    assert_true(v == UINT64_MAX);
    uint8_t buf[GTH_UVARINT_MAX];
    assert_int_equal(gth_put_uvarint(buf, UINT64_MAX), 10);
    assert_memory_equal(buf, max, 10);
    assert_int_equal(gth_uvarint_len(UINT64_MAX), 10);
    /* 2^63 needs the tenth byte too. */
    assert_int_equal(gth_uvarint_len(UINT64_C(1) << 63), 10);
    assert_int_equal(gth_uvarint_len((UINT64_C(1) << 63) - 1), 9);
}

static void overflow(void **state) {
    (void)state;
    uint64_t v;
    /* Tenth byte above 1: the value would need bit 64. */
    const uint8_t big10[10] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02};
    assert_int_equal(gth_uvarint(big10, 10, &v), GTH_VARINT_OVERFLOW);
    /* Ten continuation bytes: an eleventh would be needed. */
    const uint8_t cont11[11] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    assert_int_equal(gth_uvarint(cont11, 11, &v), GTH_VARINT_OVERFLOW);
    /* Go's stream reader gives up after ten bytes even when they end the input. */
    assert_int_equal(gth_uvarint(cont11, 10, &v), GTH_VARINT_OVERFLOW);
    /* But nine continuation bytes at the end are only truncated. */
    assert_int_equal(gth_uvarint(cont11, 9, &v), GTH_VARINT_TRUNCATED);
    /* 0x81 as tenth byte: continuation and > 1. */
    const uint8_t c81[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81};
    assert_int_equal(gth_uvarint(c81, 10, &v), GTH_VARINT_OVERFLOW);
}

static void truncation(void **state) {
    (void)state;
    uint8_t buf[GTH_UVARINT_MAX];
    const uint64_t vals[] = {128, 300, UINT64_C(1) << 35, UINT64_MAX};
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        size_t n = gth_put_uvarint(buf, vals[k]);
        uint64_t v = 12345;
        for (size_t cut = 0; cut < n; cut++) {
            assert_int_equal(gth_uvarint(buf, cut, &v), GTH_VARINT_TRUNCATED);
            assert_true(v == 12345); /* nothing stored on failure */
        }
        assert_int_equal(gth_uvarint(buf, n, &v), (int)n);
        assert_true(v == vals[k]);
    }
    uint64_t v;
    assert_int_equal(gth_uvarint(NULL, 0, &v), GTH_VARINT_TRUNCATED);
}

static void non_minimal_is_accepted(void **state) {
    (void)state;
    uint64_t v = 1;
    const uint8_t zero2[2] = {0x80, 0x00};
    assert_int_equal(gth_uvarint(zero2, 2, &v), 2);
    assert_true(v == 0);
    /* The runtime's 10-byte padded batch size. */
    const uint8_t padded[10] = {0x85, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    assert_int_equal(gth_uvarint(padded, 10, &v), 10);
    assert_true(v == 5);
    const uint8_t one3[3] = {0x81, 0x80, 0x00};
    assert_int_equal(gth_uvarint(one3, 3, &v), 3);
    assert_true(v == 1);
}

static void round_trip_is_minimal(void **state) {
    (void)state;
    gth_buf b;
    gth_buf_init(&b, NULL);
    for (unsigned bit = 0; bit < 64; bit++) {
        uint64_t base = UINT64_C(1) << bit;
        const uint64_t vals[3] = {base - 1, base, base + 1};
        for (int k = 0; k < 3; k++) {
            uint8_t buf[GTH_UVARINT_MAX];
            size_t n = gth_put_uvarint(buf, vals[k]);
            assert_int_equal(n, gth_uvarint_len(vals[k]));
            /* Minimal: the last byte is nonzero unless the value is 0. */
            if (vals[k]) assert_true(buf[n - 1] != 0);
            assert_int_equal(n, (vals[k] == 0 ? 1 : (64 - __builtin_clzll(vals[k]) + 6) / 7));
            uint64_t v;
            assert_int_equal(gth_uvarint(buf, n, &v), (int)n);
            assert_true(v == vals[k]);
            /* base/ writes the same bytes. */
            b.len = 0;
            gth_buf_put_uvarint(&b, vals[k]);
            assert_int_equal(b.len, n);
            assert_memory_equal(b.data, buf, n);
        }
    }
    gth_buf_free(&b);
}

static void reads_only_what_it_needs(void **state) {
    (void)state;
    /* Bytes after the varint are not looked at. */
    const uint8_t p[3] = {0x05, 0xff, 0xff};
    uint64_t v;
    assert_int_equal(gth_uvarint(p, 3, &v), 1);
    assert_true(v == 5);
    const uint8_t q[4] = {0xac, 0x02, 0x80, 0x80};
    assert_int_equal(gth_uvarint(q, 4, &v), 2);
    assert_true(v == 300);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(maximum_is_ten_bytes),
        cmocka_unit_test(overflow),
        cmocka_unit_test(truncation),
        cmocka_unit_test(non_minimal_is_accepted),
        cmocka_unit_test(round_trip_is_minimal),
        cmocka_unit_test(reads_only_what_it_needs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
