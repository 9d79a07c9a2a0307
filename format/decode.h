/*
 * decode: the streaming binary decoder. It walks a trace in file order and yields
 * every wire item as a gth_raw_event, decoded by its spec row and nothing more:
 * batch headers, table markers and entries, and the timed events of each batch.
 * It is the base of `gth dump`, `gth info` (GB traces: no allocation per event,
 * no formatting in the loop) and of anything that needs the raw stream.
 *
 * Two ways of reading:
 *   - by batches (default): at batch level only EventBatch, ExperimentalBatch and
 *     EndOfGeneration may stand; an EventBatch's payload is decoded event by event
 *     and events may not run past it; an ExperimentalBatch's payload is its data.
 *     The size field is trusted for framing, as Go's trace reader does.
 *   - flat (GTH_DEC_FLAT): Go's internal/trace/raw reader, quirks included — the
 *     file is one sequence of events, batch sizes are ignored, ExperimentalBatch is
 *     exp gen m time + data, the end of input where an argument or data byte should
 *     start is a clean end. Used to compare with `gotraceraw`-style tools.
 * Either way the event table is the raw/text table of the header version
 * (gth_spec_lookup), unless GTH_DEC_FULL_TABLE asks for the full table that Go's
 * trace reader decodes timed events with.
 *
 * Input comes as one buffer or in chunks. Each gth_decoder_feed passes a buffer
 * whose first byte is the byte at gth_decoder_offset() (the first unconsumed
 * one); GTH_READ_MORE asks for a buffer holding those bytes and more. Events
 * point into the buffer (data) or into the decoder (frames) and stay valid until
 * the next call. In batch mode a whole batch (at most 64 KiB + header) is needed
 * before its header is returned, so a caller's buffer never has to exceed that;
 * flat mode may need the whole input for one event.
 */
#ifndef GTH_FORMAT_DECODE_H
#define GTH_FORMAT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "event.h"

enum {
    GTH_DEC_FLAT = 1u << 0,            /* Go raw-reader emulation, see above */
    GTH_DEC_FULL_TABLE = 1u << 1,      /* decode with every code of the full table */
    GTH_DEC_NO_HEADER = 1u << 2,       /* input has no file header; version given */
    GTH_DEC_NO_STRING_LIMIT = 1u << 3  /* batch mode: allow String data > 1024 bytes */
};

typedef struct gth_decoder {
    const gth_allocator *a;
    unsigned flags;
    unsigned minor;  /* header version, valid once the header was read */
    int have_header;
    const gth_event_spec *table[256];
    /* Current buffer: p[0..n) holds the input bytes from absolute offset base. */
    const uint8_t *p;
    size_t n, pos;
    uint64_t base;
    int final;
    /* Batch mode: the payload being walked, as absolute offsets. */
    int in_batch;
    uint64_t batch_off, batch_end;
    /* Frames of the last Stack, reused. */
    uint64_t *frames;
    size_t frames_cap;
    uint64_t hdr_len;
    /* Flat mode: where the event started that the input cut short, when the
     * end was one of Go's silent ends (GTH_NO_OFFSET otherwise). */
    uint64_t partial_end;
} gth_decoder;

/* Flat mode, 1.26 (or the full table): a code in the holes of Go's table
 * (53..127) decodes, as in Go's raw reader, to an event with this spec: name "",
 * no arguments. Its text is an empty line; nothing can encode it. */
extern const gth_event_spec gth_unnamed_spec;

/* flags: GTH_DEC_*. minor: only with GTH_DEC_NO_HEADER (else read from the
 * input). a: NULL for the default allocator. */
void gth_decoder_init(gth_decoder *d, const gth_allocator *a, unsigned flags, unsigned minor);
void gth_decoder_free(gth_decoder *d);

/* Hands the decoder input starting at gth_decoder_offset(d). final: no input
 * follows this buffer. */
void gth_decoder_feed(gth_decoder *d, const void *p, size_t n, int final);

/* Absolute offset of the first byte not yet consumed. */
static inline uint64_t gth_decoder_offset(const gth_decoder *d) { return d->base + d->pos; }

/* Batch mode, inside an EventBatch's payload (after its header was returned,
 * the whole payload is in the current buffer): the payload bytes not consumed
 * yet, at *p (0 outside a payload, or when the buffer holds less than the
 * payload). A caller may walk them itself and hand
 * back with gth_decoder_skip how many it consumed; gth_decoder_next goes on
 * after them as if it had decoded them. */
static inline size_t gth_decoder_payload(const gth_decoder *d, const uint8_t **p) {
    if (!d->in_batch || d->base + d->pos >= d->batch_end || d->batch_end > d->base + d->n) return 0;
    *p = d->p + d->pos;
    return (size_t)(d->batch_end - d->base - d->pos);
}
static inline void gth_decoder_skip(gth_decoder *d, size_t n) { d->pos += n; }

/* Reads the file header if not read yet. GTH_READ_OK (d->minor is set),
 * GTH_READ_MORE or GTH_READ_ERROR. gth_decoder_next calls it implicitly. */
int gth_decoder_header(gth_decoder *d, gth_error *err);

/* The next event: GTH_READ_OK, GTH_READ_END (clean end of input), GTH_READ_MORE
 * or GTH_READ_ERROR (err has the message and err->offset the byte that is wrong).
 * After an error the decoder stays failed at that point. */
int gth_decoder_next(gth_decoder *d, gth_raw_event *ev, gth_error *err);

/* Convenience: decode a whole in-memory trace, calling fn per event; stops at
 * the first nonzero return of fn (returned as is) or error (GTH_EINVALID/ENOMEM).
 * *minor receives the version. Returns GTH_OK at a clean end. */
int gth_decode_all(const void *p, size_t n, unsigned flags, const gth_allocator *a,
                   unsigned *minor, int (*fn)(void *ud, const gth_raw_event *ev), void *ud,
                   gth_error *err);

#endif
