/*
 * validate: the whole `gth validate` pipeline and its one entry point. The
 * reader (Go's internal/trace reader), the API view of each event (Go's panics
 * become validate.panic-* findings), the canonical event stream (docs/EVENTS.md),
 * for profile validate Go's test validator (validator/testtrace.h), and for
 * profile strict the producer rules (validator/strict.h).
 *
 * gth_validate sets it all up over a source: the strict checker's source
 * wrapper, the reader, the run, and the message when the header cannot be read.
 * Every caller (gth validate, the built-in adapter, gth mutate, the reduce
 * predicates, the tests and the fuzz targets) goes through it.
 */
#ifndef GTH_VALIDATE_H
#define GTH_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "reader.h"
#include "strict.h"

/* ---- The entry point ------------------------------------------------------- */

typedef struct gth_validate_opts {
    const gth_allocator *alloc; /* NULL: the default allocator */
    /* If set, receives the canonical line (no newline) of every event of the
     * stream, as gth_run_opts.emit. */
    int (*emit)(void *ud, const uint8_t *line, size_t len);
    /* If set (and emit is not), receives the same stream in blocks, as
     * gth_run_opts.emit_block. */
    int (*emit_block)(void *ud, const uint8_t *text, size_t len, uint64_t nlines);
    void *ud;
    /* If set, receives the full text of a finding (err.msg may be cut), or the
     * reader's error when the header cannot be read. */
    gth_buf *message;
    /* If set, receives the canonical line of the event a validator finding is
     * about (empty for the reader's and the API's). */
    gth_buf *event;
    /* If set, receives the reader's statistics once the header was read. */
    gth_reader_stats *stats;
    /* Profile strict: the producer release (minor version, e.g. 25 for Go
     * 1.25) whose rules apply; 0 to infer it from the trace's format
     * (gth_strict_set_producer). */
    unsigned producer;
} gth_validate_opts;

/* How far a run got: setting up (the strict checker), reading the header, or
 * reading the events. */
enum { GTH_VALIDATE_SETUP = 0, GTH_VALIDATE_HEADER = 1, GTH_VALIDATE_EVENTS = 2 };

typedef struct gth_validate_result {
    int status;       /* GTH_OK (accepted), GTH_EINVALID (err: the finding), or another status */
    gth_error err;
    int stage;        /* GTH_VALIDATE_*: where the run ended */
    uint64_t nevents; /* events in the stream */
} gth_validate_result;

/* Validates the trace src gives with profile GTH_PROFILE_PARSER, _VALIDATE or
 * _STRICT. o may be NULL. Returns res->status. */
int gth_validate(gth_source src, int profile, const gth_validate_opts *o, gth_validate_result *res);
/* The same over data[0..len). */
int gth_validate_mem(const void *data, size_t len, int profile, const gth_validate_opts *o, gth_validate_result *res);

/* ---- The pipeline over a reader ------------------------------------------- */

/* The size from which gth_run_opts.emit_block receives a block. */
#define GTH_STREAM_BLOCK ((size_t)64 << 10)

typedef struct gth_run_opts {
    int profile; /* GTH_PROFILE_PARSER (reader and API), GTH_PROFILE_VALIDATE, or
                  * GTH_PROFILE_STRICT (validate, then strict: needs strict) */
    /* If set, receives the canonical line (docs/EVENTS.md, no newline) of every
     * event of the stream: each event the reader delivered and the API could
     * describe, including one the validator then rejects (as the Go adapter
     * prints it). A nonzero return stops the run with GTH_EIO. */
    int (*emit)(void *ud, const uint8_t *line, size_t len);
    /* If set (and emit is not), receives the same lines in blocks of about
     * GTH_STREAM_BLOCK bytes: text[0..len) is nlines whole lines, each followed
     * by "\n", exactly as --events prints them; the last block comes before
     * the run returns. A nonzero return stops the run with GTH_EIO. */
    int (*emit_block)(void *ud, const uint8_t *text, size_t len, uint64_t nlines);
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
int gth_validate_run(gth_reader *r, const gth_run_opts *o, uint64_t *nevents, gth_error *err);
/* The same; event (if not NULL) receives the canonical line of the event a
 * validator finding is about (it stays empty for the reader's and the API's). */
int gth_validate_run_at(gth_reader *r, const gth_run_opts *o, gth_buf *event, uint64_t *nevents, gth_error *err);

#endif
