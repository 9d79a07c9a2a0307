/*
 * fuzz: what the fuzz targets share. Each target (fuzz/targets/) defines
 * LLVMFuzzerTestOneInput and is linked three ways (fuzz/CMakeLists.txt): with
 * libFuzzer, with AFL++'s driver, and with fuzz/replay.c into a plain program
 * that replays files (the regression tests of the default build).
 *
 * A target returns normally for any input the code under test handles — an
 * invalid trace is an expected outcome, not a finding. A finding is a sanitizer
 * report, a leak, a timeout, or a broken property, which FUZZ_CHECK turns into
 * abort() with a message on stderr.
 */
#ifndef GTH_FUZZ_H
#define GTH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/base.h"
#include "format/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken property: say what and where, then abort (libFuzzer and AFL++ both
 * record an abort as a crash). */
#define FUZZ_CHECK(cond, ...)                                                      \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: property failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                          \
            fputc('\n', stderr);                                                   \
            abort();                                                               \
        }                                                                          \
    } while (0)

/* Appends a canonical, self-delimiting encoding of a raw event: code, its
 * spec's arguments, and for data events (Stack frames, String and
 * ExperimentalBatch data) the payload. Two events are the same iff their keys
 * are, up to what the flags leave out:
 *   FZ_NIL_IS_EMPTY   NULL data and empty data give the same key (the text
 *                     writer and the flat decoder tell them apart; the binary
 *                     format cannot)
 *   FZ_NO_BATCH_SIZE  an EventBatch's size is left out (an encoder that
 *                     recomputes sizes changes it when the input's varints
 *                     were not minimal) */
enum { FZ_NIL_IS_EMPTY = 1, FZ_NO_BATCH_SIZE = 2 };
void fz_event_key(gth_buf *out, const gth_raw_event *ev, unsigned flags);

/* One decoding of a whole binary input: the keys of its events, the status
 * (GTH_OK, or the error's) and the error's offset and message. */
typedef struct fz_decoded {
    gth_buf keys;
    uint64_t events;
    int status;
    unsigned minor;
    /* An event no encoder can write was decoded (flat mode with the full
     * table: a code in the holes of Go's table, gth_unnamed_spec). It is
     * kept in keys but not re-encoded. */
    int unencodable;
    gth_error err;
} fz_decoded;

void fz_decoded_init(fz_decoded *d);
void fz_decoded_free(fz_decoded *d);
/* Decodes p[0..n) with gth_decode_all and flags (GTH_DEC_*), keeping the keys
 * (made with key_flags, FZ_*).
 * If reenc is not NULL and the header reads, every event is also encoded into
 * it (encoder flags enc_flags, the input's version): what the decoder yields,
 * the encoder must take, or the target aborts. */
void fz_decode(fz_decoded *d, const void *p, size_t n, unsigned flags, unsigned key_flags,
               gth_buf *reenc, unsigned enc_flags);

#endif
