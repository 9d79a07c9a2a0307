/*
 * tracebuild: building binary traces for tests, event by event through
 * format/encode — batch headers, strings and stacks tables that open new
 * batches as they fill, sync batches and generation ends — plus raw batches
 * written by hand where a size field has to lie.
 */
#ifndef GTH_TESTS_TRACEBUILD_H
#define GTH_TESTS_TRACEBUILD_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/testutil.h"

#include <stdlib.h>

#include "format/encode.h"
#include "format/varint.h"
#include "spec/spec.h"

#ifndef MAXU
#define MAXU UINT64_MAX
#endif
#define NO_ID UINT64_MAX

/* ---- Building traces ----------------------------------------------------------- */

typedef struct tb {
    gth_buf out;
    gth_encoder enc;
    unsigned minor;
    unsigned table;     /* marker code of the open table batch, 0 if none */
    uint64_t table_len; /* bytes in it */
    uint64_t gen, time;
    uint64_t mark;      /* offset of the last event written (set by tb_ev) */
} tb;

static inline void tb_init(tb *t, unsigned minor, unsigned flags) {
    memset(t, 0, sizeof *t);
    gth_buf_init(&t->out, NULL);
    t->minor = minor;
    t->time = 1000;
    if (gth_encoder_init(&t->enc, &t->out, minor, flags | GTH_ENC_FULL_TABLE, NULL) != GTH_OK) fail_msg("encoder");
}

/* Writes one event. The offset where it starts in the output is t->mark: in
 * recompute mode, events of an open batch are held back until it closes, so
 * the offset is computed from the bytes held. */
static inline void tb_ev(tb *t, unsigned code, const uint64_t *args, const void *data, size_t dlen,
                  const uint64_t *frames, size_t nframes) {
    gth_raw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.code = (uint8_t)code;
    ev.spec = gth_spec_event(code);
    if (!ev.spec) fail_msg("no event %u", code);
    for (unsigned i = 0; i < ev.spec->nargs; i++) ev.args[i] = args[i];
    ev.data = data ? data : (dlen ? NULL : (const uint8_t *)"");
    ev.data_len = dlen;
    ev.frames = frames;
    ev.nframes = nframes;
    t->mark = t->out.len + t->enc.payload.len;
    if (t->enc.open && !(t->enc.flags & GTH_ENC_VERBATIM)) {
        /* The batch header is written when the batch closes, with its size:
         * add its length (header varints, size as a minimal varint). */
        uint64_t hdr = 1;
        for (int i = 0; i < 3; i++) hdr += gth_uvarint_len(t->enc.hdr[i]);
        hdr += gth_uvarint_len(t->enc.payload.len + gth_event_encoded_size(ev.spec, &ev));
        t->mark += hdr;
    }
    gth_error err;
    if (gth_encoder_write(&t->enc, &ev, &err) != GTH_OK) fail_msg("encode %s: %s", ev.spec->name, err.msg);
}

#define EV(t, code, ...) tb_ev((t), (code), (const uint64_t[]){__VA_ARGS__}, NULL, 0, NULL, 0)

static inline void tb_batch(tb *t, uint64_t gen, uint64_t m) {
    EV(t, GTH_EV_EventBatch, gen, m, t->time, 0);
    t->table = 0;
}

/* Makes sure a table batch of `marker` is open with room for `need` bytes. */
static inline void tb_table(tb *t, unsigned marker, uint64_t need) {
    if (t->table != marker || t->table_len + need > GTH_MAX_BATCH_SIZE) {
        tb_batch(t, t->gen, NO_ID);
        EV(t, marker, 0);
        t->table = marker;
        t->table_len = 1;
    }
    t->table_len += need;
}

static inline void tb_string(tb *t, uint64_t id, const char *s) {
    size_t n = strlen(s);
    tb_table(t, GTH_EV_Strings, 1 + 10 + 10 + n);
    tb_ev(t, GTH_EV_String, (const uint64_t[]){id}, s, n, NULL, 0);
}

static inline void tb_stack(tb *t, uint64_t id, const uint64_t *frames, size_t n) {
    tb_table(t, GTH_EV_Stacks, 1 + 20 + n * 40);
    tb_ev(t, GTH_EV_Stack, (const uint64_t[]){id, n}, NULL, 0, frames, n);
}

/* The sync batch of generation t->gen: frequency and (1.25+) clock snapshot. */
static inline void tb_sync(tb *t) {
    tb_batch(t, t->gen, NO_ID);
    if (t->minor >= 25) EV(t, GTH_EV_Sync, 0);
    EV(t, GTH_EV_Frequency, 15625000);
    if (t->minor >= 25) EV(t, GTH_EV_ClockSnapshot, 0, t->time * 64, 1700000000 + t->gen, 0);
    t->table = 0;
}

static inline void tb_end_gen(tb *t) {
    if (t->minor >= 26) EV(t, GTH_EV_EndOfGeneration, 0);
    t->table = 0;
    t->time += 100;
}

static inline uint8_t *tb_finish(tb *t, size_t *len) {
    gth_error err;
    if (gth_encoder_finish(&t->enc, &err) != GTH_OK) fail_msg("finish: %s", err.msg);
    gth_encoder_free(&t->enc);
    if (t->out.failed) fail_msg("out of memory building a trace");
    *len = t->out.len;
    return t->out.data;
}

/* Appends a batch by hand: header byte, the varint fields, then the payload,
 * with `size` written as given (so it may lie). Returns the batch's offset. */
static inline size_t raw_batch(gth_buf *b, uint8_t code, const uint64_t *fields, size_t nfields, const void *payload,
                        size_t plen) {
    size_t at = b->len;
    gth_buf_putc(b, code);
    if (code == GTH_EV_ExperimentalBatch) gth_buf_putc(b, (int)fields[0]), fields++, nfields--;
    for (size_t i = 0; i < nfields; i++) gth_buf_put_uvarint(b, fields[i]);
    gth_buf_append(b, payload, plen);
    return at;
}

/* Runs `gth diff` on the traces of dir with Go's reader as the reference, in
 * the parser and the validate profile; fails the test on any disagreement in
 * verdict, error text or event stream. */
static inline void tb_agree_with_go(const char *dir) {
    for (int prof = 0; prof < 2; prof++) {
        char *argv[] = {(char *)tu_gth(), "diff", "--adapter", prof ? "go:validate" : "go:parser", "--adapter",
                        prof ? "gth:validate" : "gth:parser", (char *)dir, NULL};
        char *out = NULL, *err = NULL;
        if (tu_run(argv, NULL, 0, &out, NULL, &err) != 0)
            fail_msg("gth diff (%s) disagrees with Go's reader on %s:\n%s\n%s", prof ? "validate" : "parser", dir, out, err);
        free(out);
        free(err);
    }
}

#endif
