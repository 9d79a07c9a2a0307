/*
 * text: Go's text trace format (internal/trace/raw TextReader/TextWriter, the
 * `gotraceraw` format and the trace section of .test files). The reader accepts
 * exactly what Go's accepts and fails with Go's error texts, adding the line
 * number in gth_error.line; the writer's output is byte-identical to Go's. See
 * docs/FORMAT.md §4 for the grammar and quirks.
 */
#ifndef GTH_FORMAT_TEXT_H
#define GTH_FORMAT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "event.h"

/* Go reads lines with a bufio.Scanner: a line of this many bytes or more (before
 * its newline) fails with "bufio.Scanner: token too long". */
#define GTH_TEXT_MAX_LINE 65536

typedef struct gth_text_reader {
    const gth_allocator *a;
    const uint8_t *p;
    size_t n, pos;
    uint64_t line;       /* number of the last line read, counting from first_line */
    unsigned minor;      /* header version, after a successful init */
    const gth_event_spec *table[256];
    gth_buf data;        /* unquoted data of the last event */
    uint64_t *frames;    /* frames of the last Stack */
    size_t frames_cap;
} gth_text_reader;

/* Starts reading text[0..n) (not copied; must outlive the reader) and reads the
 * header line. first_line: the number of text's first line (1, or where the
 * trace section of a .test file starts). Returns GTH_READ_OK or GTH_READ_ERROR
 * (err->line set); free the reader either way. */
int gth_text_reader_init(gth_text_reader *r, const gth_allocator *a, const void *text, size_t n,
                         uint64_t first_line, gth_error *err);
/* The next event: GTH_READ_OK (ev->data and ev->frames point into the reader
 * until the next call), GTH_READ_END or GTH_READ_ERROR. */
int gth_text_reader_next(gth_text_reader *r, gth_raw_event *ev, gth_error *err);
void gth_text_reader_free(gth_text_reader *r);

/* "Trace Go1.NN\n". */
int gth_text_write_header(gth_buf *b, unsigned minor);
/* One event and its newline, as Go's raw.Event.String + Println: the name, each
 * argument as " name=value", each frame as "\n\tpc=.. func=.. file=.. line=..",
 * and for a data event with non-NULL data "\n\tdata=" + Go-quoted bytes (Go omits
 * the line for nil data, which its binary reader gives for empty data). Returns
 * 0, or -1 if out of memory or the event has no spec. */
int gth_text_write_event(gth_buf *b, const gth_raw_event *ev);

#endif
