/* sniff: recognising an input's kind from its first bytes (sniff.h). */
#include "format/sniff.h"

#include <string.h>

#include "format/header.h"
#include "format/testfile.h"
#include "spec/spec.h"

static int starts(const uint8_t *p, size_t n, const char *s) {
    size_t k = strlen(s);
    return n >= k && !memcmp(p, s, k);
}

gth_input_kind gth_input_sniff(const uint8_t *p, size_t n) {
    if (n == 0) return GTH_INPUT_EMPTY;
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) return GTH_INPUT_GZIP;
    if (starts(p, n, "go test fuzz v1\n")) return GTH_INPUT_FUZZFILE;
    if (starts(p, n, "Trace Go1.")) return GTH_INPUT_TEXT;
    unsigned minor;
    size_t hlen;
    gth_error err;
    if (gth_header_parse(p, n, 1, &minor, &hlen, &err) == GTH_READ_OK) {
        const gth_version_info *vi = gth_version_get(minor);
        return vi && vi->format == 1 ? GTH_INPUT_BINARY_V1 : GTH_INPUT_BINARY;
    }
    /* Go's v1 header names the version the same way; versions the header
     * parser does not know are still recognisably binary traces. */
    if (starts(p, n, "go 1.")) return GTH_INPUT_BINARY_V1;
    /* A .test file is a txtar archive: a comment, then "-- name --" lines. */
    if (gth_testfile_detect(p, n)) return GTH_INPUT_TESTFILE;
    return GTH_INPUT_UNKNOWN;
}

const char *gth_input_hint(gth_input_kind have, gth_input_kind want) {
    if (have == want) return NULL;
    switch (have) {
    case GTH_INPUT_GZIP:
        return "the input is still gzip-compressed after gth inflated it once (compressed twice?): "
               "decompress it first (gunzip)";
    case GTH_INPUT_BINARY_V1:
        return "this is a trace of Go 1.21 or earlier (the v1 format), which gth does not read: "
               "gth reads the v2 format that Go 1.22 and later write";
    case GTH_INPUT_TEXT:
        return "this is a trace in Go's text format: 'gth pack FILE -o trace.out' makes the binary "
               "trace (gth diff and gth reduce also take it as it is)";
    case GTH_INPUT_TESTFILE:
        return "this is a .test file (Go's golden test format): 'gth pack FILE -o trace.out' extracts "
               "its binary trace (gth diff and gth reduce also take it as it is)";
    case GTH_INPUT_FUZZFILE:
        return "this is a Go fuzz corpus file: 'gth pack FILE -o trace.out' decodes its binary trace";
    case GTH_INPUT_BINARY:
        return want == GTH_INPUT_TEXT
                   ? "this is already a binary trace: gth pack turns text and .test files into binary "
                     "traces; 'gth dump FILE' prints a binary trace as text"
                   : NULL;
    case GTH_INPUT_EMPTY:
        return "the input is empty";
    case GTH_INPUT_UNKNOWN:
        break;
    }
    return NULL;
}
