/*
 * header: the 16-byte "go 1.NN trace\0\0\0" file header. Parsing follows Go's
 * fmt.Fscanf-based reader exactly, leniency included (docs/FORMAT.md §2.1), because a
 * header Go accepts must be accepted here and vice versa; writing emits only the
 * canonical form.
 */
#ifndef GTH_FORMAT_HEADER_H
#define GTH_FORMAT_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "event.h"

/* Parses the header at the start of p[0..n). `final` says whether p holds the
 * rest of the input; if not, a header that might still complete returns
 * GTH_READ_MORE. On GTH_READ_OK stores the minor version (any version Go's reader
 * knows: 11, 19, 21 (v1) or 22, 23, 25, 26) and the header's length in bytes.
 * On GTH_READ_ERROR the message is Go's: "bad file format: not a Go execution
 * trace?" (offset = where the match failed) or "unknown or unsupported trace
 * version go 1.%d" (offset 0). */
int gth_header_parse(const uint8_t *p, size_t n, int final, unsigned *minor, size_t *hdr_len,
                     gth_error *err);

/* Appends the canonical header of `minor`. */
int gth_header_write(gth_buf *b, unsigned minor);

#endif
