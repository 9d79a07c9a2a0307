/*
 * convert: whole-input conversions built from the codecs — Go's text format (or
 * a .test file's trace section) to binary, binary to Go's text format, and the
 * `go test fuzz v1` corpus files of Go's FuzzReader to the bytes they hold. For
 * callers that have the input in memory and want the output in a buffer (the
 * differential runner, tests, the corpus tools).
 */
#ifndef GTH_FORMAT_CONVERT_H
#define GTH_FORMAT_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"

/* Text (or a whole .test file, recognised by its content) to binary, appended
 * to out. flags: GTH_ENC_* (GTH_ENC_VERBATIM gives Go's bytes). Errors are the
 * text reader's (with err->line) or the .test parser's. */
int gth_convert_text_to_binary(const void *text, size_t n, const char *name, unsigned flags,
                               gth_buf *out, gth_error *err);

/* Binary to Go's text format, appended to out. flags: GTH_DEC_* (GTH_DEC_FLAT
 * reads as Go's raw reader does, its silent ends included; without it, batch by
 * batch, and a cut-off batch is an error). */
int gth_convert_binary_to_text(const void *bin, size_t n, unsigned flags, gth_buf *out,
                               gth_error *err);

/* The bytes of a `go test fuzz v1` file holding one []byte("...") value, appended
 * to out. Errors name what is malformed. */
int gth_convert_fuzz_file(const void *p, size_t n, gth_buf *out, gth_error *err);

#endif
