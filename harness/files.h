/*
 * harness/files: files for the harness and the commands — naming inputs in
 * messages ("-" is stdin), reading an input (gzip'd input inflated) as a
 * stream or whole, writing a whole file, creating directories. Each failing
 * call leaves a reason in why.
 */
#ifndef GTH_HARNESS_FILES_H
#define GTH_HARNESS_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/base.h"
#include "validator/reader.h"

/* "-" and NULL mean stdin/stdout. */
int gth_io_is_std(const char *path);
/* How to call an input in messages: the path, or "<stdin>". */
const char *gth_io_name(const char *path);

/* mkdir -p: creates dir and any missing parents. 0, or -1 with errno set. */
int gth_io_mkdir_p(const char *dir);

/* ---- Inputs, gzip'd or not ----------------------------------------------------
 * An input opened for reading: a file, or stdin for "-". Input that starts
 * with gzip's magic bytes is inflated as it is read (zlib; concatenated gzip
 * members are one input), so every trace reader takes trace.out.gz as it
 * takes trace.out. Byte offsets are then offsets in the inflated trace. */
typedef struct gth_io_in gth_io_in;

/* Opens path; NULL with a reason in why (a missing file, or out of memory). */
gth_io_in *gth_io_in_open(const char *path, char *why, size_t whysz);
/* Reads up to n bytes, filling p unless the input ends: the count (0 at the
 * end), or -1 with a reason in why (an I/O error, corrupt or cut gzip data). */
ssize_t gth_io_in_read(gth_io_in *in, uint8_t *p, size_t n, char *why, size_t whysz);
/* 1 if the input is gzip-compressed. */
int gth_io_in_is_gzip(const gth_io_in *in);
/* The input as a source for the reader (validator/reader.h): seekable when it
 * is a regular file and not compressed. Read errors carry the reason. */
gth_source gth_io_in_source(gth_io_in *in);
/* Calls fn(ud, done, total) after every read: done = bytes of the file read
 * so far (for a seekable source, the furthest offset read), total = the
 * file's size (0 if unknown, e.g. a pipe). For progress reports. */
void gth_io_in_watch(gth_io_in *in, void (*fn)(void *ud, uint64_t done, uint64_t total), void *ud);
/* Closes the file (not stdin) and frees in (NULL is fine). */
void gth_io_in_close(gth_io_in *in);

/* Opens an input for reading (0 for stdin); -1 with a reason in why. The raw
 * bytes: gzip'd input is not inflated (gth_io_in is). */
int gth_io_open_in(const char *path, char *why, size_t whysz);
/* Reads up to n bytes, retrying short reads; returns the count, or -1. */
ssize_t gth_io_read_full(int fd, uint8_t *p, size_t n);

/* Reads a whole file (or stdin), inflated if gzip'd. Returns 0, or -1 with a
 * reason in why. Free the data with free(). *gz (if not NULL) is set to 1 when
 * the file was gzip-compressed. */
int gth_io_read_all(const char *path, uint8_t **data, size_t *len, char *why, size_t whysz);
int gth_io_read_all_gz(const char *path, uint8_t **data, size_t *len, int *gz, char *why, size_t whysz);
/* Reads a trace file as a binary trace into out: a binary trace as it is; Go's
 * text format, a .test file or a `go test fuzz v1` file packed as Go packs it
 * (verbatim); anything else as its bytes. gzip'd input is inflated. Returns 0,
 * 1 when a text input does not pack (err: its line or offset and message), or
 * -1 when the file could not be read (why). */
int gth_io_read_trace(const char *path, gth_buf *out, gth_error *err, char *why, size_t whysz);

/* Writes p[0..n) as the whole file at path. Returns 0, or -1 with a reason in why. */
int gth_io_write_all(const char *path, const void *p, size_t n, char *why, size_t whysz);

#endif
