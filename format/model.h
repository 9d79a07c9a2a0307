/*
 * model: a binary trace as an owned, editable structure. Decoding (format/decode.h)
 * gives the wire items in file order — batch headers, table markers and
 * entries, timed events — with their frames and data copied out of the input;
 * an index groups them into batches (kind, thread, generation) and gives each
 * timed event its absolute time; encoding (format/encode.h) writes them back
 * with batch sizes recomputed. The mutator (mutate/) edits a model and
 * re-encodes it; the minimiser (reduce/) re-encodes subsets of one.
 *
 * Events are stored as the decoder gave them (code, spec, arguments, offsets),
 * except that their frames and data live in the model's pools and are found by
 * index: gth_model_raw gives an event with pointers into the pools, ready to
 * encode. Editing moves events as values, so two events may share frames or
 * data; whoever changes an event's frames gives it its own copy first
 * (gth_model_frames_dup). The index describes the events as they were when
 * gth_model_index built it: edits do not update it.
 *
 * Every allocation goes through the allocator given to gth_model_init.
 */
#ifndef GTH_FORMAT_MODEL_H
#define GTH_FORMAT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "format/event.h"

/* No batch, no event. */
#define GTH_MODEL_NONE ((size_t)-1)

/* gth_model_decode option, beside the GTH_DEC_* flags: stop before the first
 * event no encoder can write (a code in the holes of Go's table). */
#define GTH_MODEL_ENCODABLE (1u << 16)

/* What a batch holds, from its header and its first event. */
typedef enum gth_model_batch_kind {
    GTH_MB_EVENTS = 1,   /* timed events */
    GTH_MB_STACKS,       /* Stacks marker, Stack entries */
    GTH_MB_STRINGS,      /* Strings marker, String entries */
    GTH_MB_CPU,          /* CPUSamples marker, CPUSample entries */
    GTH_MB_SYNC,         /* Frequency (before 1.25) or Sync (1.25 on) first */
    GTH_MB_EXPERIMENTAL, /* ExperimentalBatch */
    GTH_MB_EOG           /* EndOfGeneration */
} gth_model_batch_kind;

typedef struct gth_model_event {
    gth_raw_event ev; /* as decoded; ev.frames and ev.data are NULL here */
    size_t fr;        /* GTH_F_FRAMES: its values are frames[fr .. fr + 4 * ev.nframes) */
    size_t data;      /* has_data: its bytes are data.data[data .. data + ev.data_len) */
    uint8_t has_data; /* the decoder gave data (possibly empty), not NULL */
    /* Index (gth_model_index): */
    size_t batch;  /* its batch, GTH_MODEL_NONE before the first one */
    uint64_t time; /* the batch's base time plus the time deltas up to this event */
} gth_model_event;

typedef struct gth_model_batch {
    size_t hdr, end; /* events [hdr, end): the batch-level event and those up to the next */
    size_t gen;      /* 0-based index of its generation in the trace */
    int kind;        /* gth_model_batch_kind */
    uint8_t has_gen, has_m;
    uint64_t gen_num; /* the header's generation number; EndOfGeneration: that of the batch before it */
    uint64_t m;       /* the header's thread */
} gth_model_batch;

typedef struct gth_model {
    const gth_allocator *a;
    unsigned minor; /* the header's version (gth_model_decode) */
    uint64_t end;   /* gth_model_decode: input offset just past the last event taken, 0 if none */
    gth_model_event *ev;
    size_t nev, evcap;
    uint64_t *frames; /* frame values, 4 per frame */
    size_t nfr, frcap;
    gth_buf data;
    /* Index. */
    gth_model_batch *b;
    size_t nb, bcap;
    size_t ngen;
} gth_model;

/* a: NULL for the default allocator. */
void gth_model_init(gth_model *m, const gth_allocator *a);
void gth_model_free(gth_model *m);
/* Drops every event, frame, data byte and the index; keeps the memory. */
void gth_model_clear(gth_model *m);

/* Clears m and decodes in[0..n) into it (flags: GTH_DEC_* and
 * GTH_MODEL_ENCODABLE). GTH_OK: the whole input; GTH_EINVALID: decoding stopped
 * early (err says why; the events before that point are in m, m->end says
 * where they end); GTH_ENOMEM. The input need not outlive m. */
int gth_model_decode(gth_model *m, const void *in, size_t n, unsigned flags, gth_error *err);

/* Appends a copy of ev (its frames and data into the pools). 0 or -1 (out of
 * memory). */
int gth_model_append(gth_model *m, const gth_raw_event *ev);

/* Builds the index: batches, their kinds and generations, each event's batch
 * and time. Generations: an EndOfGeneration closes one; before 1.26 a header
 * whose generation number differs from the current one starts the next. 0 or
 * -1 (out of memory). */
int gth_model_index(gth_model *m);

/* Event i with frames and data pointing into the pools (valid until the pools
 * change). */
void gth_model_raw(const gth_model *m, size_t i, gth_raw_event *out);

/* Encodes every event in order (gth_encoder, version minor, flags GTH_ENC_*)
 * and appends the trace to out. On failure out keeps its length: GTH_EINVALID
 * (an event the version or encoder cannot write: err), GTH_ENOMEM. */
int gth_model_encode(const gth_model *m, gth_buf *out, unsigned minor, unsigned flags, gth_error *err);

/* ---- Editing (0, or -1 when out of memory; the model is unchanged then) ---- */

/* Inserts count events before the event at index at (at == nev: at the end). */
int gth_model_insert(gth_model *m, size_t at, const gth_model_event *src, size_t count);
void gth_model_delete(gth_model *m, size_t at, size_t count);
/* Moves events [from, from + count) to stand before the event now at index to
 * (to == nev: at the end); nothing to do when to lies inside [from, from + count]. */
int gth_model_move(gth_model *m, size_t from, size_t count, size_t to);
/* Copies events [from, from + count) to before the event at index to. */
int gth_model_copy(gth_model *m, size_t from, size_t count, size_t to);
/* Inserts before index at copies of src's events [from, from + count), their
 * frames and data copied into m's pools (src is another model). Out of memory:
 * some of them may be in m already. */
int gth_model_import(gth_model *m, size_t at, const gth_model *src, size_t from, size_t count);

/* Appends count frame values to the pool (vals NULL: room only) and sets *at to
 * where they start. */
int gth_model_frames_add(gth_model *m, const uint64_t *vals, size_t count, size_t *at);
/* Appends a copy of count values of the pool from index from. */
int gth_model_frames_dup(gth_model *m, size_t from, size_t count, size_t *at);

#endif
