/* Helpers shared by the fuzz targets (see fuzz.h). */
#include "fuzz/fuzz.h"

#include <string.h>

#include "format/decode.h"
#include "format/encode.h"

void fz_event_key(gth_buf *out, const gth_raw_event *ev, unsigned flags) {
    const gth_event_spec *spec = ev->spec;
    gth_buf_putc(out, ev->code);
    for (unsigned i = 0; spec && i < spec->nargs; i++) {
        if ((flags & FZ_NO_BATCH_SIZE) && ev->code == GTH_EV_EventBatch && i == 3) continue;
        gth_buf_put_uvarint(out, ev->args[i]);
    }
    if (spec && spec->flags & GTH_F_FRAMES) {
        gth_buf_put_uvarint(out, ev->nframes);
        for (size_t i = 0; i < ev->nframes * 4; i++) gth_buf_put_uvarint(out, ev->frames[i]);
    }
    if (spec && spec->flags & GTH_F_DATA) {
        gth_buf_putc(out, ev->data || (flags & FZ_NIL_IS_EMPTY) ? 1 : 0);
        gth_buf_put_uvarint(out, ev->data_len);
        if (ev->data_len) gth_buf_append(out, ev->data, ev->data_len);
    }
}

void fz_decoded_init(fz_decoded *d) {
    memset(d, 0, sizeof *d);
    gth_buf_init(&d->keys, NULL);
    gth_error_clear(&d->err);
}

void fz_decoded_free(fz_decoded *d) { gth_buf_free(&d->keys); }

typedef struct collect {
    fz_decoded *d;
    unsigned key_flags;
    gth_buf *out;
    unsigned enc_flags;
    int open;
    gth_encoder enc;
} collect;

static void enc_open(collect *c) {
    if (c->open) return;
    FUZZ_CHECK(gth_encoder_init(&c->enc, c->out, c->d->minor, c->enc_flags, NULL) == GTH_OK, "out of memory");
    c->open = 1;
}

static int on_event(void *ud, const gth_raw_event *ev) {
    collect *c = ud;
    fz_event_key(&c->d->keys, ev, c->key_flags);
    c->d->events++;
    if (ev->spec == &gth_unnamed_spec) c->d->unencodable = 1;
    if (c->out && !c->d->unencodable) {
        enc_open(c);
        gth_error err;
        gth_error_clear(&err);
        int rc = gth_encoder_write(&c->enc, ev, &err);
        FUZZ_CHECK(rc == GTH_OK, "encoder refused decoded event %llu (%s): %s",
                   (unsigned long long)c->d->events, ev->spec ? ev->spec->name : "?", err.msg);
    }
    return 0;
}

void fz_decode(fz_decoded *d, const void *p, size_t n, unsigned flags, unsigned key_flags,
               gth_buf *reenc, unsigned enc_flags) {
    collect c = {d, key_flags, reenc, enc_flags, 0, {0}};
    d->status = gth_decode_all(p, n, flags, NULL, &d->minor, on_event, &c, &d->err);
    FUZZ_CHECK(!d->keys.failed, "out of memory");
    if (reenc && d->status == GTH_OK) {
        enc_open(&c);
        gth_error err;
        gth_error_clear(&err);
        FUZZ_CHECK(gth_encoder_finish(&c.enc, &err) == GTH_OK, "encoder finish: %s", err.msg);
    }
    if (c.open) gth_encoder_free(&c.enc);
}
