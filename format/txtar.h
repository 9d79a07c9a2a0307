/*
 * txtar: the trivial text archive format of Go's golden .test files — a comment,
 * then files introduced by "-- NAME --" marker lines. Parsing follows Go's
 * internal/txtar exactly (which lines are markers, where data ends), and never
 * fails: anything is an archive, possibly with no files.
 */
#ifndef GTH_FORMAT_TXTAR_H
#define GTH_FORMAT_TXTAR_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"

/* Files beyond this many are counted but not recorded. */
#define GTH_TXTAR_MAX_FILES 8

typedef struct gth_txtar_file {
    const char *name; /* points into the input, not NUL-terminated */
    size_t name_len;
    const uint8_t *data; /* points into the input */
    size_t len;          /* Go adds a final newline to the last file if missing; not here */
    uint64_t line;       /* 1-based line of the input where data starts */
} gth_txtar_file;

typedef struct gth_txtar {
    const uint8_t *comment;
    size_t comment_len;
    size_t nfiles; /* every marker found, even past GTH_TXTAR_MAX_FILES */
    gth_txtar_file files[GTH_TXTAR_MAX_FILES];
} gth_txtar;

void gth_txtar_parse(const void *p, size_t n, gth_txtar *ar);

/* Appends an archive as Go's txtar.Format does: the comment, then per file
 * "-- name --\n" and the data, each given a final newline if it lacks one. */
int gth_txtar_write(gth_buf *b, const void *comment, size_t comment_len,
                    const gth_txtar_file *files, size_t nfiles);

#endif
