/*
 * testtrace: the `validate` profile — every check of Go's test validator
 * (internal/trace/testtrace, which Go's golden reader test runs on each event)
 * over the API views of the events our reader delivers: its own model of which
 * goroutine and proc runs on which thread, the states resources move between,
 * active ranges and tasks, and the clock snapshots of Sync events. Messages are
 * Go's; several failures on one event are joined with "\n" as Go joins them.
 *
 * gth_testtrace_run is the whole `gth validate` pipeline: reader, API view
 * (Go's panics become validate.panic-* findings), canonical stream, validator.
 */
#ifndef GTH_TESTTRACE_H
#define GTH_TESTTRACE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "reader.h"
#include "strict.h"
#include "view.h"

typedef struct gth_testtrace gth_testtrace;

/* A validator for a trace of header version 1.<minor> (the clock checks apply
 * from 1.25 on). NULL when out of memory. a: NULL for the default allocator. */
gth_testtrace *gth_testtrace_new(const gth_allocator *a, unsigned minor);
void gth_testtrace_free(gth_testtrace *t);

/* Checks the next event. Returns GTH_OK; GTH_EINVALID with err filled (the
 * invariant of the first failed check, the location of the event, and all
 * failures' texts joined by "\n" — truncated to fit err->msg; the full text is
 * gth_testtrace_message); or GTH_ENOMEM. The validator may go on after a
 * failure, as Go's does. */
int gth_testtrace_event(gth_testtrace *t, const gth_view *v, gth_error *err);

/* The full text of the last failure ("" if none). */
const char *gth_testtrace_message(const gth_testtrace *t, size_t *len);

/* ---- The whole pipeline ---------------------------------------------------- */

typedef struct gth_run_opts {
    int profile; /* GTH_PROFILE_PARSER (reader and API), GTH_PROFILE_VALIDATE, or
                  * GTH_PROFILE_STRICT (validate, then strict: needs strict) */
    /* If set, receives the canonical line (docs/EVENTS.md, no newline) of every
     * event of the stream: each event the reader delivered and the API could
     * describe, including one the validator then rejects (as the Go adapter
     * prints it). A nonzero return stops the run with GTH_EIO. */
    int (*emit)(void *ud, const uint8_t *line, size_t len);
    void *ud;
    /* If set, receives the full text of the finding (err->msg may be cut). */
    gth_buf *message;
    /* Profile strict: the checker whose source (gth_strict_source) the reader
     * reads through. Its finding is reported once the trace has been read to
     * its end without a finding of the other profiles. */
    gth_strict *strict;
} gth_run_opts;

/* Reads r to its end. Returns GTH_OK (accepted), GTH_EINVALID (err: the
 * finding), or another status for memory, I/O or internal failures. *nevents
 * (if not NULL) receives the number of events in the stream. */
int gth_testtrace_run(gth_reader *r, const gth_run_opts *o, uint64_t *nevents, gth_error *err);
/* The same; event (if not NULL) receives the canonical line of the event a
 * validator finding is about (it stays empty for the reader's and the API's). */
int gth_testtrace_run_at(gth_reader *r, const gth_run_opts *o, gth_buf *event, uint64_t *nevents, gth_error *err);

#endif
