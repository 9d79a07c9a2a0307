/*
 * event: the raw event record every codec of format/ speaks — what the binary
 * decoder and the text reader yield and what the binary encoder and the text
 * writer consume. A raw event is one wire item as Go's internal/trace/raw sees
 * it: batch headers, table markers and table entries included, nothing
 * interpreted beyond its spec row.
 */
#ifndef GTH_FORMAT_EVENT_H
#define GTH_FORMAT_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "../spec/spec.h"

typedef struct gth_raw_event {
    uint8_t code;                 /* wire byte */
    const gth_event_spec *spec;   /* its row; never NULL for a decoded event */
    uint64_t args[GTH_MAX_ARGS];  /* spec->nargs of them, in wire order */
    /* GTH_F_DATA events (String, ExperimentalBatch): the bytes. NULL means "no
     * data" and differs from an empty, non-NULL one only in Go's text writer,
     * which omits the data line for nil data (see gth_text_write_event). */
    const uint8_t *data;
    size_t data_len;
    /* GTH_F_FRAMES events (Stack): nframes frames of 4 values each (pc, func,
     * file, line). nframes is the number actually present, which a mutated
     * event may make differ from args[1]. */
    const uint64_t *frames;
    size_t nframes;
    /* Where it came from: the byte offset of its first byte in a binary input
     * (GTH_NO_OFFSET from text), the offset of the header of the batch it lies
     * in (GTH_NO_OFFSET at batch level or when not decoding by batches), its
     * encoded length in bytes as read (0 from text), and its 1-based line in a
     * text input (0 from binary). */
    uint64_t offset;
    uint64_t batch_offset;
    uint64_t len;
    uint64_t line;
} gth_raw_event;

/* Results of the incremental readers (binary decoder, text reader). */
enum {
    GTH_READ_ERROR = -1, /* details in the gth_error */
    GTH_READ_END = 0,    /* clean end of input */
    GTH_READ_OK = 1,     /* an event (or the header) was read */
    GTH_READ_MORE = 2    /* feed more input (only before the final chunk) */
};

#endif
