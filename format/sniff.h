/*
 * sniff: what kind of input a file holds, from its first bytes, so that a
 * command given the wrong kind can say what it is and what to run instead
 * (a text trace to gth validate, a binary trace to gth pack, a Go 1.21 trace).
 * Every command inflates gzip'd input before it reads it (harness/files.h),
 * so data that is gzip-compressed here was compressed twice.
 */
#ifndef GTH_FORMAT_SNIFF_H
#define GTH_FORMAT_SNIFF_H

#include <stddef.h>
#include <stdint.h>

typedef enum gth_input_kind {
    GTH_INPUT_UNKNOWN = 0,
    GTH_INPUT_EMPTY,
    GTH_INPUT_BINARY,    /* a v2 binary trace (Go 1.22 and later) */
    GTH_INPUT_BINARY_V1, /* a binary trace of Go 1.21 or earlier (v1 format) */
    GTH_INPUT_TEXT,      /* Go's text format ("Trace Go1.NN") */
    GTH_INPUT_TESTFILE,  /* a .test file of Go's golden tests (txtar) */
    GTH_INPUT_FUZZFILE,  /* a "go test fuzz v1" corpus file */
    GTH_INPUT_GZIP,      /* gzip-compressed data (in inflated input: compressed twice) */
} gth_input_kind;

/* The kind of the input that starts with p[0..n) (n may be short of the whole
 * input: the first 4 KiB are enough but for a .test file with a longer
 * comment before its first file). */
gth_input_kind gth_input_sniff(const uint8_t *p, size_t n);

/* One line for a user who gave input of this kind to a command that reads
 * `want` (GTH_INPUT_BINARY or GTH_INPUT_TEXT): what the input is and the
 * command that turns it into what is wanted. NULL when there is nothing
 * useful to say (the kinds match, or the input is unknown). */
const char *gth_input_hint(gth_input_kind have, gth_input_kind want);

#endif
