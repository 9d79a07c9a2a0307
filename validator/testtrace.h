/*
 * testtrace: the `validate` profile — every check of Go's test validator
 * (internal/trace/testtrace, which Go's golden reader test runs on each event)
 * over the API views of the events our reader delivers: its own model of which
 * goroutine and proc runs on which thread, the states resources move between,
 * active ranges and tasks, and the clock snapshots of Sync events. Messages are
 * Go's; several failures on one event are joined with "\n" as Go joins them.
 *
 * The whole pipeline that runs it (reader, API view, stream) is
 * validator/validate.h.
 */
#ifndef GTH_TESTTRACE_H
#define GTH_TESTTRACE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
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

/* The common event without its view: checks ev (the event the reader just
 * returned, whose view would be built from the same reader tables) and returns
 * 1 when it passes every check of gth_testtrace_event, with the same effect on
 * the validator; 0, with nothing changed, when gth_testtrace_event must decide
 * on its view (any failure, any less common event, a stack not yet known
 * complete in its generation). Built with GTH_NO_INLINE_ORDER it always returns
 * 0 (tests/test_inline_order.c compares the two builds). */
int gth_testtrace_fast(gth_testtrace *t, const gth_event *ev);
/* gth_reader_next into ev while gth_testtrace_fast passes the events, adding
 * how many it passed to *n: returns gth_reader_next's result for the first
 * event it did not pass (1, with that event in ev, for gth_testtrace_event on
 * its view), or the end (0) or error (-1) that came first. */
int gth_testtrace_next(gth_testtrace *t, gth_reader *r, gth_event *ev, gth_error *err, uint64_t *n);

/* The full text of the last failure ("" if none). */
const char *gth_testtrace_message(const gth_testtrace *t, size_t *len);

#endif
