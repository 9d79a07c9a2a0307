/*
 * harness/repro: reproducers. A trace is written as a .test file in Go's golden
 * layout (comment, expectation, the trace in Go's text format), which Go's own
 * golden runner can run; a disagreement between two adapters also keeps each
 * adapter's output (its canonical stream and verdict line).
 */
#ifndef GTH_HARNESS_REPRO_H
#define GTH_HARNESS_REPRO_H

#include <stddef.h>
#include <stdint.h>

#include "harness/adapter.h"

/* Appends s[0..n) escaped as a literal for an RE2 regexp. */
void gth_regexp_quote(gth_buf *b, const uint8_t *s, size_t n);

/* Writes bin[0..len) as a .test file in Go's golden layout at path: the comment,
 * the expectation of result `expect` (ACCEPT: SUCCESS; REJECT: FAILURE with the
 * first line of its text as a literal regexp) and the trace in Go's text
 * format (Go's flat raw view). 0, or -1 with why (e.g. not representable). */
int gth_write_test(const char *path, const uint8_t *bin, size_t len, const char *comment, const gth_result *expect,
                   char *why, size_t whysz);

/* Writes an adapter's output as the adapter protocol prints it: the stream
 * lines, then the verdict line. A stream of more than GTH_OUTPUT_MAX bytes is
 * cut: its first lines up to that size, a line "... N lines left out ...", the
 * lines around `line` (the first differing one, 0 if none), and a last line
 * "... (N lines in all)". */
#define GTH_OUTPUT_MAX ((size_t)1 << 20)
void gth_write_output(const char *path, const gth_result *r, size_t line);

/* Prepares a directory for reproducers: creates it, or empties one that a
 * previous run wrote (it holds the marker file .gth-out); refuses a directory
 * holding anything else. 0, or -1 with why. */
int gth_repro_dir_prepare(const char *dir, char *why, size_t whysz);

/* The reproducer of a disagreement between A (the reference) and B on the
 * trace file `trace` with id `id`: out_dir/<name>.test (expectation: A's
 * verdict), or <name>.bin when the trace has no text form, plus
 * <name>.<adapter>.out of each. <name> is the id with `/` and spaces as `_`
 * and a final .test dropped, then `.` and suffix when suffix is not NULL (the
 * run's other pairs have reproducers of the same trace). line: the first
 * differing stream line, 0 if none. where receives the path of the trace
 * written ("" if none). */
void gth_write_reproducer(const char *out_dir, const char *id, const char *suffix, const char *trace,
                          const gth_adapter *A, const gth_adapter *B, const gth_result *ra, const gth_result *rb,
                          size_t line, char *where, size_t wsz);

#endif
