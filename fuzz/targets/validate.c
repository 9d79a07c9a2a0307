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
#include "validator/validate.h"

#ifndef GTH_FUZZ_PROFILE
#error "define GTH_FUZZ_PROFILE (GTH_PROFILE_PARSER, GTH_PROFILE_VALIDATE, ...)"
#endif

static int emit(void *ud, const uint8_t *line, size_t len) {
    size_t *total = ud;
    *total += len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t total = 0;
    gth_buf msg, event;
    gth_buf_init(&msg, NULL);
    gth_buf_init(&event, NULL);
    gth_reader_stats st;
    gth_validate_opts o = {.emit = emit, .ud = &total, .message = &msg, .event = &event, .stats = &st};
    gth_validate_result res;
    int rc = gth_validate_mem(data, size, GTH_FUZZ_PROFILE, &o, &res);
    FUZZ_CHECK(res.stage != GTH_VALIDATE_SETUP, "out of memory");
    if (res.stage == GTH_VALIDATE_HEADER) {
        FUZZ_CHECK(rc != GTH_OK && res.err.msg[0], "reader refused the header without a message");
    } else {
        FUZZ_CHECK(rc == GTH_OK || rc == GTH_EINVALID, "status %d: %s", rc, res.err.msg);
        if (rc == GTH_EINVALID) FUZZ_CHECK(msg.len > 0 && res.err.msg[0], "a rejection without a message");
    }
    gth_buf_free(&msg);
    gth_buf_free(&event);
    return 0;
}
