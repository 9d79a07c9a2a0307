/*
 * encode: the binary encoder. It turns a sequence of raw events — from the
 * decoder, the text reader or a generator — into trace bytes, always with
 * minimal varints, as Go's internal/trace/raw writer does.
 *
 * Batch sizes: an EventBatch header carries the size of the events that follow
 * it up to the next batch-level event (EventBatch, ExperimentalBatch,
 * EndOfGeneration) or the end.
 *   - Default (recompute): the encoder holds the open batch's events back and
 *     writes the header with their real size, whatever args[3] says. The
 *     ExperimentalBatch experiment id is written as the one raw byte Go's trace
 *     reader reads (ids above 255 are an error). This is what generators and
 *     mutators want: framing that Go's reader will follow.
 *   - GTH_ENC_VERBATIM: Go's raw writer, bit for bit: args[3] is written as
 *     given and the experiment id as a uvarint (identical below 128). `gth pack`
 *     uses this, so its output equals Go's text->bytes conversion for any input
 *     (the golden .test files carry correct sizes, so both modes agree there); a
 *     size that disagrees with the events is reported through on_size_mismatch.
 * Events outside any EventBatch (before the first one, after an
 * ExperimentalBatch or EndOfGeneration) are written where they stand.
 *
 * Output is appended to a gth_buf; the caller may drain it (write out and reset
 * len) between calls, since an open batch is held inside the encoder.
 */
#ifndef GTH_FORMAT_ENCODE_H
#define GTH_FORMAT_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "event.h"

enum {
    GTH_ENC_VERBATIM = 1u << 0,   /* Go raw-writer compatible, see above */
    GTH_ENC_FULL_TABLE = 1u << 1, /* accept every code of the full table */
    GTH_ENC_NO_HEADER = 1u << 2   /* do not write the file header */
};

/* Called when an EventBatch closes whose size field (declared) differs from the
 * bytes of its events (actual). batch is the 0-based index of the EventBatch
 * among all EventBatch headers written. In recompute mode the actual size was
 * written; in verbatim mode the declared one. */
typedef void (*gth_size_mismatch_fn)(void *ud, uint64_t batch, uint64_t declared, uint64_t actual);

typedef struct gth_encoder {
    gth_buf *out;
    unsigned minor, flags;
    int open;             /* an EventBatch is open */
    uint64_t hdr[4];      /* its gen m time size */
    gth_buf payload;      /* recompute mode: its events so far */
    uint64_t actual;      /* bytes of its events so far */
    uint64_t batches;     /* EventBatch headers seen */
    gth_size_mismatch_fn on_size_mismatch;
    void *ud;
} gth_encoder;

/* Starts an encoder for version `minor` appending to out (writes the header
 * unless GTH_ENC_NO_HEADER). a: allocator of the internal payload buffer (NULL =
 * default). Returns GTH_OK or GTH_ENOMEM. */
int gth_encoder_init(gth_encoder *e, gth_buf *out, unsigned minor, unsigned flags,
                     const gth_allocator *a);
/* Encodes one event. Errors: the code is not in the version's table ("invalid
 * event type: %d"), an experiment id > 255 in recompute mode, out of memory. */
int gth_encoder_write(gth_encoder *e, const gth_raw_event *ev, gth_error *err);
/* Closes the open batch. Call once after the last event. */
int gth_encoder_finish(gth_encoder *e, gth_error *err);
void gth_encoder_free(gth_encoder *e);

/* Appends one event with minimal varints, as Go's raw writer does: the spec's
 * arguments, then for Stack every frame value, then for data events
 * uvarint(len) and the bytes. exp_byte: write ExperimentalBatch's first argument
 * as one raw byte instead of a uvarint (caller checks it is <= 255). */
int gth_event_append(gth_buf *b, const gth_event_spec *spec, const gth_raw_event *ev, int exp_byte);
/* Bytes gth_event_append would write (with exp as a uvarint). */
uint64_t gth_event_encoded_size(const gth_event_spec *spec, const gth_raw_event *ev);

#endif
