/*
 * Allocation failure in the reader: fail the 1st, 2nd, ... Nth allocation in
 * turn until a run completes without an injected failure. Every injected failure
 * must surface as an out-of-memory error (never a crash, a leak under
 * LeakSanitizer, or a verdict presented as if the trace were valid or invalid).
 */
#include "util/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validator/reader.h"

typedef struct failing {
    long countdown; /* allocations left before the injected failure; <0: never */
    long live;      /* blocks allocated and not freed */
    int injected;
} failing;

static void *failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    failing *f = ud;
    (void)osize;
    if (nsize == 0) {
        if (ptr) f->live--;
        free(ptr);
        return NULL;
    }
    if (f->countdown == 0) {
        f->injected = 1;
        return NULL;
    }
    if (f->countdown > 0) f->countdown--;
    void *p = realloc(ptr, nsize);
    if (p && !ptr) f->live++;
    return p;
}

/* Runs the reader over data with allocation number `n` failing; returns 1 if an
 * injected failure happened. Checks the outcome either way. */
static int run_once(const uint8_t *data, size_t len, long n, int *valid_out) {
    failing f = {n, 0, 0};
    gth_allocator a = {failing_alloc, &f};
    gth_mem_source ms;
    gth_error err;
    gth_reader *r = gth_reader_new(&a, gth_source_mem(&ms, data, len), &err);
    int rc = -1;
    if (r) {
        gth_event ev;
        while ((rc = gth_reader_next(r, &ev, &err)) > 0) {}
        gth_reader_free(r);
    }
    assert_int_equal(f.live, 0); /* nothing leaked, whatever happened */
    if (f.injected) {
        /* The failure may only show as out of memory. */
        if (rc == 0) fail_msg("allocation %ld failed but the trace was reported valid", n);
        assert_int_equal(err.status, GTH_ENOMEM);
    } else if (valid_out) {
        *valid_out = rc == 0;
    }
    return f.injected;
}

static void every_allocation_of_every_golden(void **state) {
    (void)state;
    char dir[4200], **tests;
    snprintf(dir, sizeof dir, "%s/src/internal/trace/testdata/tests", tu_goroot());
    size_t n = tu_list(dir, ".test", &tests);
    long total = 0;
    for (size_t i = 0; i < n; i++) {
        char *argv[] = {(char *)tu_gthref(), "test2bytes", tests[i], NULL};
        char *bytes = NULL;
        size_t len;
        assert_int_equal(tu_run(argv, NULL, 0, &bytes, &len, NULL), 0);
        int base_valid = -1;
        run_once((uint8_t *)bytes, len, -1, &base_valid);
        long k = 0;
        while (run_once((uint8_t *)bytes, len, k, NULL)) k++;
        total += k;
        free(bytes);
    }
    print_message("allocation failures injected over %zu golden traces: %ld\n", n, total);
    assert_true(total > (long)n);
    tu_free_list(tests);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_allocation_of_every_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
