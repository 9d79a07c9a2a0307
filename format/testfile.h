/*
 * testfile: Go's golden .test files (internal/trace/testtrace): a txtar archive
 * of exactly two files, "expect" and "trace" (text format), and the expectation
 * language of the first — SUCCESS, or FAILURE with a Go-quoted regular
 * expression that the reader's error must match (unanchored).
 *
 * Regular expressions are Go's RE2 syntax, matched by format/regex.h.
 */
#ifndef GTH_FORMAT_TESTFILE_H
#define GTH_FORMAT_TESTFILE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "regex.h"
#include "txtar.h"

typedef struct gth_testfile {
    gth_txtar ar;
    const uint8_t *expect; /* the "expect" file's bytes */
    size_t expect_len;
    uint64_t expect_line;  /* its first line in the .test file */
    const uint8_t *trace;  /* the "trace" file: text format */
    size_t trace_len;
    uint64_t trace_line;
} gth_testfile;

/* 1 if p[0..n) looks like a .test file rather than a bare text trace: it has at
 * least one txtar marker line. */
int gth_testfile_detect(const void *p, size_t n);

/* Splits a .test file; errors are Go's "malformed test <path>: wrong number of
 * files" / "malformed test <path>: bad filename <name>". */
int gth_testfile_parse(const void *p, size_t n, const char *path, gth_testfile *tf, gth_error *err);

typedef struct gth_expect {
    int failure;         /* 0: SUCCESS, 1: FAILURE */
    char *pattern;       /* FAILURE: the unquoted regexp (NUL-terminated, owned) */
    size_t pattern_len;
    int compiled;
    gth_regex re;
    const gth_allocator *a;
} gth_expect;

/* Parses the "expect" file (Go's ParseExpectation). Empty = SUCCESS. Errors:
 * "bad header line: %q", "bad header line for FAILURE: %q", "malformed pattern:
 * not correctly quoted: %s: invalid syntax", "malformed pattern: not a valid
 * regexp: %s: error parsing regexp: <what>: `<where>`". Free with gth_expect_free either way. */
int gth_expect_parse(gth_expect *e, const gth_allocator *a, const void *data, size_t n, gth_error *err);
/* A SUCCESS or FAILURE expectation built from a pattern (pattern NULL =
 * SUCCESS). Returns GTH_OK, GTH_EINVALID (bad regexp, message in err) or ENOMEM. */
int gth_expect_init(gth_expect *e, const gth_allocator *a, const char *pattern, gth_error *err);
void gth_expect_free(gth_expect *e);

/* 1 if the outcome conforms: errmsg NULL (no error) for SUCCESS, or an error
 * message the FAILURE pattern matches somewhere. */
int gth_expect_matches(const gth_expect *e, const char *errmsg);
/* Go's Expectation.Check: 0 if the outcome conforms; else 1 with Go's message
 * appended to why ("unexpected error while reading the trace: %v", "expected
 * error while reading the trace: want something matching %q, got none", ...). */
int gth_expect_check(const gth_expect *e, const char *errmsg, gth_buf *why);

/* The "expect" file text: "SUCCESS\n" or "FAILURE " + Go-quoted pattern + "\n",
 * as Go's testgen writes it. */
int gth_expect_write(gth_buf *b, const gth_expect *e);

/* A whole .test file: comment (may be empty), the expectation, the trace text. */
int gth_testfile_write(gth_buf *b, const char *comment, const gth_expect *e, const void *trace,
                       size_t trace_len);

#endif
