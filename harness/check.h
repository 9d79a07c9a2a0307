/*
 * harness/check: one trace file checked as `gth validate` checks it. The file
 * (or stdin) is read as it is or inflated (gzip, harness/files.h), validated
 * in a profile through gth_validate, and the result carries what a report
 * needs: the verdict and finding, the trace's version and the reader's
 * statistics for an accepted trace, and — when the finding is one of Go's
 * test validator (profile validate) or of the strict rules while the reader
 * alone also rejects the same bytes — the reader's own finding, with its
 * byte offset and place, which is often the real cause (a truncated trace
 * fails the validator's "sync has no clock snapshot" first). That second
 * look re-reads the file in profile parser; stdin cannot be re-read.
 */
#ifndef GTH_HARNESS_CHECK_H
#define GTH_HARNESS_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "harness/progress.h"
#include "validator/reader.h"

typedef struct gth_check_opts {
    int profile; /* GTH_PROFILE_PARSER, _VALIDATE or _STRICT */
    /* If set, receives the canonical line of every event (gth_validate_opts.emit). */
    int (*emit)(void *ud, const uint8_t *line, size_t len);
    /* If set (and emit is not), receives them in blocks (gth_validate_opts.emit_block). */
    int (*emit_block)(void *ud, const uint8_t *text, size_t len, uint64_t nlines);
    void *ud;
    /* If set, the progress of the read in bytes of the file (started and
     * finished by the check; harness/progress.h decides when lines show). */
    FILE *progress;
    const char *progress_what; /* "gth validate" */
    unsigned producer; /* profile strict: the producer release (gth_validate_opts.producer) */
} gth_check_opts;

typedef struct gth_check_result {
    /* GTH_OK (accepted), GTH_EINVALID (err), GTH_EIO (the file could not be
     * read: err.msg says why), GTH_ENOMEM or GTH_EINTERNAL. */
    int status;
    int setup_failed; /* the run could not start (out of memory) */
    gth_error err;
    gth_buf message;  /* the finding's full text */
    gth_buf event;    /* the canonical line of the event a validator finding is about, or empty */
    unsigned minor;   /* the trace's version (1.minor), 0 if the header was not read */
    int have_stats;
    gth_reader_stats stats;
    uint64_t nevents; /* events in the stream */
    int gzip;         /* the file was gzip-compressed */
    /* The reader's own finding on the same bytes (profile parser), when the
     * finding above is another profile's: have_cause, cause and its text. */
    int have_cause;
    gth_error cause;
    gth_buf cause_message;
} gth_check_result;

/* Checks path ("-" for stdin). Returns res->status; free res with
 * gth_check_result_free. */
int gth_check_file(const char *path, const gth_check_opts *o, gth_check_result *res);
void gth_check_result_free(gth_check_result *res);

/* The text of a buffer filled by the check (NUL-terminated), or fallback when
 * it is empty or failed. */
const char *gth_check_text(gth_buf *b, const char *fallback);

#endif
