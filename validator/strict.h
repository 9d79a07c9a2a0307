/*
 * strict: the `strict` profile — producer rules that every trace the Go
 * runtime writes keeps but that Go's reader and test validator do not check
 * (docs/STRICT.md lists them and the runtime behaviour behind each).
 *
 * Two passes:
 *   - a wire pass over the bytes (gth_strict_source: as the reader pulls them
 *     from a pipe; from a seekable input, read once more by gth_strict_finish
 *     after the ordered pass): batch timestamps, status events,
 *     creation stacks, generation numbers, frequency and clock snapshots, the
 *     string table, the reasons and labels events name, ids the runtime never
 *     assigns, the statuses every P gets in a generation;
 *   - an ordered pass over the events the reader delivers (gth_strict_event),
 *     which knows each event's context: whose stack an event carries, and
 *     whether the goroutine and proc it runs in were described in its
 *     generation before it.
 * Where releases that write one format differ, a rule accepts what any of them
 * writes unless gth_strict_set_producer names one.
 * Findings do not stop the reader: strict findings are reported only for a
 * trace that the reader and the validate profile accept, and the one reported
 * is the finding at the smallest byte offset.
 */
#ifndef GTH_STRICT_H
#define GTH_STRICT_H

#include <stdint.h>

#include "../base/base.h"
#include "reader.h"
#include "testtrace.h"
#include "view.h"

typedef struct gth_strict gth_strict;

/* NULL when out of memory. a: NULL for the default allocator. */
gth_strict *gth_strict_new(const gth_allocator *a);
void gth_strict_free(gth_strict *s);

/* The releases whose rules strict knows: Go 1.22 to 1.27 (minor versions). */
#define GTH_STRICT_FIRST_RELEASE 22u
#define GTH_STRICT_LAST_RELEASE 27u
/* The longest string the runtime writes (tracev2.MaxEventTrailerDataSize). */
#define GTH_STRICT_MAX_STRING 1024u

/* Parses a release name for --producer ("go1.25", "go1.25.5", "1.25") into
 * its minor version. GTH_EUSAGE if it is not a release from 1.22 to 1.27. */
int gth_strict_parse_producer(const char *text, unsigned *minor);
/* Checks the rules of that release alone (0: of every release that writes
 * the trace's format, the default: 1.23's format is written by Go 1.23 and
 * 1.24, 1.26's by Go 1.26 and 1.27, and a rule then accepts what either
 * writes). Call before the first read. */
void gth_strict_set_producer(gth_strict *s, unsigned minor);

/* The source for the reader: src itself if it is seekable (the wire pass then
 * reads it in gth_strict_finish), else a source that hands src's bytes on
 * unchanged and runs the wire pass over them. s must outlive the source's use,
 * and src must stay readable until gth_strict_finish. */
gth_source gth_strict_source(gth_strict *s, gth_source src);

/* The ordered pass: checks the next delivered event (v as gth_view_make made
 * it). Returns GTH_OK or GTH_ENOMEM; findings are kept for gth_strict_finish. */
int gth_strict_event(gth_strict *s, const gth_view *v);
/* The ordered pass's common case, decided on the reader's event: 1 if
 * gth_strict_event would return GTH_OK on ev's view and change nothing (ev
 * then needs no call of it), else 0 with nothing changed. Built with
 * GTH_NO_INLINE_ORDER it always returns 0 (tests/test_inline_order.c compares
 * the two builds). */
int gth_strict_fast(const gth_strict *s, const gth_event *ev);
/* gth_reader_next into ev while gth_strict_fast and then gth_testtrace_fast
 * pass the events, adding how many they passed to *n: returns
 * gth_reader_next's result for the first event they did not both pass (1,
 * with that event in ev and nothing changed for it, for the checks on its
 * view), or the end (0) or error (-1) that came first. */
int gth_strict_next(const gth_strict *s, gth_testtrace *t, gth_reader *r, gth_event *ev, gth_error *err,
                    uint64_t *n);

/* After the reader reached the end of the trace: GTH_OK if no strict rule was
 * broken; GTH_EINVALID with err (invariant, offset, generation, thread, batch,
 * event index, sentence) and event (the event's text: its canonical line for a
 * finding of the ordered pass, its line in Go's text format for one of the wire
 * pass) filled for the first finding by byte offset; or GTH_ENOMEM. */
int gth_strict_finish(gth_strict *s, gth_error *err, gth_buf *event);

#endif
