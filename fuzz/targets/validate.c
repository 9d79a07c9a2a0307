/*
 * Target validate_<profile>: the whole `gth validate` pipeline (reader, API
 * view, canonical event stream, for the validate profile Go's testtrace checks,
 * for the strict profile also the producer rules) over a binary trace. The profile is a build-time parameter,
 * GTH_FUZZ_PROFILE (a GTH_PROFILE_* constant), set per target in
 * fuzz/targets.list, so each profile is one line there.
 *
 * No property beyond the sanitizers': any verdict is fine, but it must be
 * reached without a memory error, a leak, undefined behaviour or a hang, and
 * with a message for every rejection.
 */
#include <string.h>

#include "fuzz/fuzz.h"
#include "spec/invariants.h"
#include "validator/reader.h"
#include "validator/testtrace.h"

#ifndef GTH_FUZZ_PROFILE
#error "define GTH_FUZZ_PROFILE (GTH_PROFILE_PARSER, GTH_PROFILE_VALIDATE, ...)"
#endif

static int emit(void *ud, const uint8_t *line, size_t len) {
    size_t *total = ud;
    *total += len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gth_mem_source ms;
    gth_error err;
    gth_error_clear(&err);
    gth_source src = gth_source_mem(&ms, data, size);
    gth_strict *strict = NULL;
    if (GTH_FUZZ_PROFILE == GTH_PROFILE_STRICT) { /* the strict checker sees the bytes as read */
        strict = gth_strict_new(NULL);
        FUZZ_CHECK(strict != NULL, "out of memory");
        src = gth_strict_source(strict, src);
    }
    gth_reader *r = gth_reader_new(NULL, src, &err);
    if (!r) {
        FUZZ_CHECK(err.status != GTH_OK && err.msg[0], "reader refused the header without a message");
        gth_strict_free(strict);
        return 0;
    }
    size_t total = 0;
    gth_buf msg, event;
    gth_buf_init(&msg, NULL);
    gth_buf_init(&event, NULL);
    gth_run_opts o = {.profile = GTH_FUZZ_PROFILE, .emit = emit, .ud = &total, .message = &msg, .strict = strict};
    uint64_t n = 0;
    int rc = gth_testtrace_run_at(r, &o, &event, &n, &err);
    FUZZ_CHECK(rc == GTH_OK || rc == GTH_EINVALID, "status %d: %s", rc, err.msg);
    if (rc == GTH_EINVALID) FUZZ_CHECK(msg.len > 0 && err.msg[0], "a rejection without a message");
    gth_reader_stats st;
    gth_reader_stats_get(r, &st);
    gth_reader_free(r);
    gth_strict_free(strict);
    gth_buf_free(&msg);
    gth_buf_free(&event);
    return 0;
}
