/*
 * mutator: the structure-aware trace mutator. It decodes a binary trace the way
 * Go's raw reader does (format/decode.h, GTH_DEC_FLAT) into an editable model
 * of generations, batches and events (format/model.h), applies ONE named
 * operator — drop, duplicate, swap or move events (within a batch, across
 * threads, across generations), bump, reset or swap sequence numbers, change
 * statuses, change goroutine, proc, thread, stack or string ids (to ids the
 * trace uses and to fresh ones), split, merge, reorder, duplicate or drop
 * batches, drop or swap generations, edit the string and stack tables,
 * truncate, corrupt one varint — and re-encodes with batch sizes recomputed
 * (format/encode.h), so that a mutant is almost valid and gets past the framing
 * into the ordering and state logic.
 *
 * Operators know what an argument means from the spec tables (spec/spec.h arg
 * kinds): "goroutine-id-*" edits only GTH_K_GOROUTINE arguments, and so on.
 * Operators that keep framing ("semantic" ones) give output that decodes again
 * batch by batch; byte-level ones (truncate, varint-corrupt, byte-*) work on the
 * input bytes and break framing on purpose.
 *
 * Deterministic: the same (input, seed, op) gives the same bytes. Never aborts
 * on input: input that does not decode gets a byte-level operator; an empty
 * input or an operator that does not apply leaves the output equal to the
 * input and says so. Undecodable bytes after the last event that decodes are
 * carried over verbatim after the re-encoded part.
 *
 * Operator ids are indexes into the list (gth_mutator_count); names are the
 * stable interface (gth_mutator_find).
 */
#ifndef GTH_MUTATE_MUTATOR_H
#define GTH_MUTATE_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* What an operator works on. */
enum {
    GTH_MUT_SEMANTIC = 1, /* decoded structure, re-encoded with correct batch sizes */
    GTH_MUT_BYTES = 2     /* raw bytes: breaks framing on purpose */
};

/* Number of operators; ids are 0..count-1 in a fixed order. */
size_t gth_mutator_count(void);
/* Stable name ("event-drop") and one-line description; NULL for a bad id. */
const char *gth_mutator_name(int op);
const char *gth_mutator_desc(int op);
/* GTH_MUT_SEMANTIC or GTH_MUT_BYTES; 0 for a bad id. */
int gth_mutator_kind(int op);
/* The id of the operator called name, or -1. */
int gth_mutator_find(const char *name);

/* Mutates in[0..n) into out (appended). op: an operator id, or -1 for one
 * chosen by the seed (operators that do not apply are skipped; input that does
 * not decode gets a byte-level one). *op_applied (may be NULL) receives the
 * operator that made the output, or -1 when none did.
 * Returns GTH_OK with a mutant in out; GTH_EINVALID when nothing was applied
 * (empty input, or the requested operator does not apply: err says why, and
 * out holds the input unchanged); GTH_ENOMEM. a: NULL for the default
 * allocator (out keeps its own). */
int gth_mutate_buf(const gth_allocator *a, const uint8_t *in, size_t n, uint64_t seed, int op,
                   gth_buf *out, int *op_applied, gth_error *err);

/* The same into out[0..cap): returns the mutant's length; a mutant longer than
 * cap is cut at cap bytes (a truncation too). On any failure the input is
 * copied (cut at cap) and *op_applied is -1; err (may be NULL) says why. */
size_t gth_mutate(const uint8_t *in, size_t n, uint8_t *out, size_t cap, uint64_t seed, int op,
                  int *op_applied, gth_error *err);

/* Crossover: a batch of b (or, for input that does not decode, a byte range)
 * spliced into a at a batch boundary chosen by the seed; when both decode and
 * their versions agree the result keeps framing. Returns GTH_OK, GTH_EINVALID
 * (empty inputs; out holds a) or GTH_ENOMEM. */
int gth_mutate_crossover(const gth_allocator *a, const uint8_t *in1, size_t n1, const uint8_t *in2,
                         size_t n2, uint64_t seed, gth_buf *out, gth_error *err);

#endif
