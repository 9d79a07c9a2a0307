/* The binary encoder: minimal varints, batch sizes recomputed or copied. */
#include "format/encode.h"

#include <string.h>

#include "format/header.h"
#include "format/varint.h"

int gth_event_append(gth_buf *b, const gth_event_spec *spec, const gth_raw_event *ev, int exp_byte) {
    uint8_t tmp[1 + GTH_MAX_ARGS * GTH_UVARINT_MAX + GTH_UVARINT_MAX];
    size_t n = 0;
    tmp[n++] = spec->code;
    for (unsigned i = 0; i < spec->nargs; i++) {
        if (i == 0 && exp_byte && spec->code == GTH_EV_ExperimentalBatch)
            tmp[n++] = (uint8_t)ev->args[0];
        else
            n += gth_put_uvarint(tmp + n, ev->args[i]);
    }
    if (!(spec->flags & GTH_F_FRAMES)) {
        if (spec->flags & GTH_F_DATA) n += gth_put_uvarint(tmp + n, ev->data_len);
        gth_buf_append(b, tmp, n);
        if (spec->flags & GTH_F_DATA) gth_buf_append(b, ev->data, ev->data_len);
        return b->failed ? -1 : 0;
    }
    gth_buf_append(b, tmp, n);
    /* Frames go out in groups to keep appends few. */
    uint8_t fb[64 * GTH_UVARINT_MAX];
    size_t fn = 0, nvals = ev->nframes * 4;
    for (size_t i = 0; i < nvals; i++) {
        fn += gth_put_uvarint(fb + fn, ev->frames[i]);
        if (fn > sizeof fb - GTH_UVARINT_MAX) {
            gth_buf_append(b, fb, fn);
            fn = 0;
        }
    }
    gth_buf_append(b, fb, fn);
    return b->failed ? -1 : 0;
}

uint64_t gth_event_encoded_size(const gth_event_spec *spec, const gth_raw_event *ev) {
    uint64_t n = 1;
    for (unsigned i = 0; i < spec->nargs; i++) n += gth_uvarint_len(ev->args[i]);
    if (spec->flags & GTH_F_FRAMES)
        for (size_t i = 0; i < ev->nframes * 4; i++) n += gth_uvarint_len(ev->frames[i]);
    if (spec->flags & GTH_F_DATA) n += gth_uvarint_len(ev->data_len) + ev->data_len;
    return n;
}

int gth_encoder_init(gth_encoder *e, gth_buf *out, unsigned minor, unsigned flags,
                     const gth_allocator *a) {
    memset(e, 0, sizeof *e);
    e->out = out;
    e->minor = minor;
    e->flags = flags;
    gth_buf_init(&e->payload, a);
    if (!(flags & GTH_ENC_NO_HEADER) && gth_header_write(out, minor) != 0) return GTH_ENOMEM;
    return GTH_OK;
}

void gth_encoder_free(gth_encoder *e) { gth_buf_free(&e->payload); }

static int nomem(gth_error *err) { return gth_error_nomem(err); }

/* Writes out the open EventBatch, if any. */
static int close_batch(gth_encoder *e, gth_error *err) {
    if (!e->open) return GTH_OK;
    e->open = 0;
    uint64_t declared = e->hdr[3];
    if (declared != e->actual && e->on_size_mismatch)
        e->on_size_mismatch(e->ud, e->batches - 1, declared, e->actual);
    if (e->flags & GTH_ENC_VERBATIM) return GTH_OK; /* already written as it came */
    uint8_t tmp[1 + 4 * GTH_UVARINT_MAX];
    size_t n = 0;
    tmp[n++] = GTH_EV_EventBatch;
    for (int i = 0; i < 3; i++) n += gth_put_uvarint(tmp + n, e->hdr[i]);
    n += gth_put_uvarint(tmp + n, e->actual);
    gth_buf_append(e->out, tmp, n);
    gth_buf_append(e->out, e->payload.data, e->payload.len);
    e->payload.len = 0;
    return e->out->failed ? nomem(err) : GTH_OK;
}

int gth_encoder_write(gth_encoder *e, const gth_raw_event *ev, gth_error *err) {
    const gth_event_spec *spec =
        e->flags & GTH_ENC_FULL_TABLE ? gth_spec_event(ev->code) : gth_spec_lookup(e->minor, ev->code);
    if (!spec) {
        gth_error_set(err, GTH_EINVALID, "invalid event type: %u", (unsigned)ev->code);
        return GTH_EINVALID;
    }
    int verbatim = (e->flags & GTH_ENC_VERBATIM) != 0;
    if (spec->where == GTH_W_BATCH) {
        int rc = close_batch(e, err);
        if (rc) return rc;
        if (spec->code == GTH_EV_ExperimentalBatch && !verbatim && ev->args[0] > 255) {
            gth_error_set(err, GTH_EINVALID,
                          "ExperimentalBatch experiment id %llu does not fit the one byte "
                          "Go's reader reads",
                          (unsigned long long)ev->args[0]);
            return GTH_EINVALID;
        }
        if (spec->code == GTH_EV_EventBatch) {
            e->open = 1;
            e->batches++;
            memcpy(e->hdr, ev->args, sizeof e->hdr);
            e->actual = 0;
            if (!verbatim) return GTH_OK;
        }
        return gth_event_append(e->out, spec, ev, !verbatim) ? nomem(err) : GTH_OK;
    }
    if (e->open) {
        e->actual += gth_event_encoded_size(spec, ev);
        if (!verbatim) return gth_event_append(&e->payload, spec, ev, 0) ? nomem(err) : GTH_OK;
    }
    return gth_event_append(e->out, spec, ev, 0) ? nomem(err) : GTH_OK;
}

int gth_encoder_finish(gth_encoder *e, gth_error *err) { return close_batch(e, err); }
