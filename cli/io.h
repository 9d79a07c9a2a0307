/*
 * cli/io: input and output plumbing shared by the gth subcommands (whole files
 * are harness/files.h): streaming a binary trace through the decoder in bounded
 * chunks, writing to a file or stdout, and the one format of diagnostics ("gth <cmd>: <file>:<offset or line>: <message>").
 */
#ifndef GTH_CLI_IO_H
#define GTH_CLI_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/base.h"
#include "format/event.h"
#include "format/sniff.h"
#include "harness/files.h"

typedef struct gth_io_out {
    FILE *f;
    const char *path;
    int is_std;
    int failed;
} gth_io_out;

int gth_io_out_open(gth_io_out *o, const char *path, char *why, size_t whysz);
int gth_io_out_write(gth_io_out *o, const void *p, size_t n);
/* Flushes and closes; discard removes a file output (not stdout). Returns 0, or
 * -1 if any write failed (reason in why). */
int gth_io_out_close(gth_io_out *o, int discard, char *why, size_t whysz);

/* Streams a binary trace through gth_decoder with the given GTH_DEC_* flags,
 * reading the input in chunks (memory stays bounded in batch mode). on_header
 * runs once the file header is read, on_event per event; a nonzero return from
 * either stops the walk and is returned. Returns 0 at a clean end, 1 for invalid
 * input (err), 2 for an I/O or memory failure (why). */
typedef struct gth_io_decode_cb {
    int (*on_header)(void *ud, unsigned minor, uint64_t header_len);
    int (*on_event)(void *ud, const gth_raw_event *ev);
    void *ud;
    /* Out: flat mode only, where an event cut short by the end of input began
     * (Go's raw reader ends there silently), else GTH_NO_OFFSET. */
    uint64_t partial_end;
} gth_io_decode_cb;
int gth_io_decode(const char *path, unsigned flags, gth_io_decode_cb *cb, gth_error *err,
                  char *why, size_t whysz);

/* An option with a value at argv[*i], in either form every command takes:
 * "NAME VALUE" or "NAME=VALUE". Returns 1 with *val set (and *i moved past a
 * separate value), 0 when argv[*i] is another argument, or -1 when the value
 * is missing (printed as "gth CMD: NAME needs a value"). */
int gth_cli_value(const char *cmd, int argc, char **argv, int *i, const char *name, const char **val);

/* Writes s as a JSON string (gth_json_quote_append). */
void gth_cli_json(FILE *f, const char *s);
/* The same for the n bytes at s, which may hold NUL bytes (\u0000). */
void gth_cli_json_n(FILE *f, const void *s, size_t n);

/* Prints "gth <cmd>: <input>:<offset|line>: <message>" (location parts only when
 * known) and returns the exit code for the error: 1 for invalid input, 2
 * otherwise. */
int gth_io_report(const char *cmd, const char *input, const gth_error *err);

/* When input of another kind was given where `want` (GTH_INPUT_BINARY or
 * GTH_INPUT_TEXT) is read, prints "  hint: <what it is and what to run>" on
 * stderr. The _bytes form looks at the input's first bytes; the path form
 * reads them (nothing for stdin, which cannot be read twice). */
void gth_io_hint_bytes(const uint8_t *p, size_t n, gth_input_kind want);
void gth_io_hint(const char *path, gth_input_kind want);

#endif
