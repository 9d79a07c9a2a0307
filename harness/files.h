/*
 * harness/files: whole files for the harness and the commands — naming inputs
 * in messages ("-" is stdin), reading a whole file or stdin, writing a whole
 * file, creating directories. Each failing call leaves a reason in why.
 */
#ifndef GTH_HARNESS_FILES_H
#define GTH_HARNESS_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* "-" and NULL mean stdin/stdout. */
int gth_io_is_std(const char *path);
/* How to call an input in messages: the path, or "<stdin>". */
const char *gth_io_name(const char *path);

/* mkdir -p: creates dir and any missing parents. 0, or -1 with errno set. */
int gth_io_mkdir_p(const char *dir);

/* Opens an input for reading (0 for stdin); -1 with a reason in why. */
int gth_io_open_in(const char *path, char *why, size_t whysz);
/* Reads up to n bytes, retrying short reads; returns the count, or -1. */
ssize_t gth_io_read_full(int fd, uint8_t *p, size_t n);

/* Reads a whole file (or stdin). Returns 0, or -1 with a reason in why. Free the
 * data with free(). */
int gth_io_read_all(const char *path, uint8_t **data, size_t *len, char *why, size_t whysz);
/* Writes p[0..n) as the whole file at path. Returns 0, or -1 with a reason in why. */
int gth_io_write_all(const char *path, const void *p, size_t n, char *why, size_t whysz);

#endif
