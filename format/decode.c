/* The streaming binary decoder: batch-framed reading and Go raw-reader emulation. */
#include "format/decode.h"

#include <stdio.h>
#include <string.h>

#include "format/header.h"
#include "format/varint.h"

static const char *const frame_field[4] = {"pc", "func", "file", "line"};

const gth_event_spec gth_unnamed_spec = {.name = "", .where = GTH_W_EVENTS};

/* A non-NULL pointer for empty data: "present but empty", unlike NULL. */
static const uint8_t empty_data[1];

void gth_decoder_init(gth_decoder *d, const gth_allocator *a, unsigned flags, unsigned minor) {
    memset(d, 0, sizeof *d);
    d->a = a ? a : gth_default_allocator();
    d->flags = flags;
    d->partial_end = GTH_NO_OFFSET;
    if (flags & GTH_DEC_NO_HEADER) {
        d->minor = minor;
        d->have_header = 1;
        for (unsigned c = 0; c < 256; c++)
            d->table[c] = flags & GTH_DEC_FULL_TABLE ? gth_spec_event(c) : gth_spec_lookup(minor, c);
    }
}

void gth_decoder_free(gth_decoder *d) {
    gth_free(d->a, d->frames, d->frames_cap * sizeof *d->frames);
    d->frames = NULL;
    d->frames_cap = 0;
}

void gth_decoder_feed(gth_decoder *d, const void *p, size_t n, int final) {
    d->base += d->pos;
    d->p = p;
    d->n = n;
    d->pos = 0;
    d->final = final;
}

int gth_decoder_header(gth_decoder *d, gth_error *err) {
    if (d->have_header) return GTH_READ_OK;
    unsigned minor = 0;
    size_t len = 0;
    int r = gth_header_parse(d->p + d->pos, d->n - d->pos, d->final, &minor, &len, err);
    if (r == GTH_READ_ERROR) err->offset += d->base + d->pos;
    if (r != GTH_READ_OK) return r;
    d->minor = minor;
    d->have_header = 1;
    d->hdr_len = len;
    d->pos += len;
    for (unsigned c = 0; c < 256; c++)
        d->table[c] = d->flags & GTH_DEC_FULL_TABLE ? gth_spec_event(c) : gth_spec_lookup(minor, c);
    return GTH_READ_OK;
}

static int grow_frames(gth_decoder *d, size_t nvals, gth_error *err) {
    void *p = d->frames;
    if (gth_grow(d->a, &p, &d->frames_cap, nvals, sizeof *d->frames) != 0) {
        gth_error_nomem(err);
        return -1;
    }
    d->frames = p;
    return 0;
}

static void fill(gth_decoder *d, gth_raw_event *ev, const gth_event_spec *spec, size_t start,
                 size_t end) {
    ev->code = d->p[start];
    ev->spec = spec;
    ev->offset = d->base + start;
    ev->batch_offset = d->in_batch ? d->batch_off : GTH_NO_OFFSET;
    ev->len = end - start;
    ev->line = 0;
}

static void clear_payload(gth_raw_event *ev) {
    ev->data = NULL;
    ev->data_len = 0;
    ev->frames = NULL;
    ev->nframes = 0;
}

/* ---- Batch mode ------------------------------------------------------------ */

/* Reads one header varint at p[*q..n). Returns GTH_READ_OK, GTH_READ_MORE or
 * GTH_READ_ERROR. */
static int header_varint(gth_decoder *d, size_t *q, uint64_t *v, const char *batch, size_t start,
                         const char *what, gth_error *err) {
    int k = gth_uvarint(d->p + *q, d->n - *q, v);
    if (k > 0) {
        *q += (size_t)k;
        return GTH_READ_OK;
    }
    if (k == GTH_VARINT_TRUNCATED && !d->final) return GTH_READ_MORE;
    if (k == GTH_VARINT_TRUNCATED)
        gth_error_at(err, d->base + *q,
                     "%s header at offset %llu: truncated %s varint: the input ends at offset %llu",
                     batch, (unsigned long long)(d->base + start), what,
                     (unsigned long long)(d->base + d->n));
    else
        gth_error_at(err, d->base + *q,
                     "%s header at offset %llu: %s varint overflows 64 bits (more than 10 bytes)",
                     batch, (unsigned long long)(d->base + start), what);
    return GTH_READ_ERROR;
}

static int next_batch(gth_decoder *d, gth_raw_event *ev, gth_error *err) {
    size_t start = d->pos;
    if (start >= d->n) return d->final ? GTH_READ_END : GTH_READ_MORE;
    uint8_t b = d->p[start];
    const gth_event_spec *spec = d->table[b];
    if (!spec) {
        gth_error_at(err, d->base + start,
                     "event type %u does not exist in go 1.%u (expected a batch header)", b, d->minor);
        return GTH_READ_ERROR;
    }
    if (spec->where != GTH_W_BATCH) {
        gth_error_at(err, d->base + start, "expected a batch header, got %s (event type %u)",
                     spec->name, b);
        return GTH_READ_ERROR;
    }
    clear_payload(ev);
    size_t q = start + 1;
    if (spec->nargs == 0) { /* EndOfGeneration */
        d->in_batch = 0;
        fill(d, ev, spec, start, q);
        d->pos = q;
        return GTH_READ_OK;
    }
    /* EventBatch: gen m time size. ExperimentalBatch: exp (one raw byte, as Go's
     * trace reader reads it) gen m time size, payload = data. */
    int expb = (spec->flags & GTH_F_DATA) != 0;
    uint64_t v[5];
    unsigned nv = 0;
    static const char *const names[5] = {"exp", "gen", "m", "time", "size"};
    if (expb) {
        if (q >= d->n) {
            if (!d->final) return GTH_READ_MORE;
            gth_error_at(err, d->base + q,
                         "ExperimentalBatch header at offset %llu: truncated: the input ends "
                         "before the experiment byte",
                         (unsigned long long)(d->base + start));
            return GTH_READ_ERROR;
        }
        v[nv++] = d->p[q++];
    }
    size_t size_at = q;
    for (unsigned i = 1; i < 5; i++) {
        size_at = q;
        int r = header_varint(d, &q, &v[nv++], spec->name, start, names[i], err);
        if (r != GTH_READ_OK) return r;
    }
    uint64_t size = v[nv - 1];
    if (size > GTH_MAX_BATCH_SIZE) {
        gth_error_at(err, d->base + size_at,
                     "%s at offset %llu: batch size %llu exceeds the maximum of %d bytes", spec->name,
                     (unsigned long long)(d->base + start), (unsigned long long)size,
                     GTH_MAX_BATCH_SIZE);
        return GTH_READ_ERROR;
    }
    if (size > d->n - q) {
        if (!d->final) return GTH_READ_MORE;
        gth_error_at(err, d->base + q,
                     "%s at offset %llu: its payload of %llu bytes runs past the end of the input "
                     "(%llu bytes left)",
                     spec->name, (unsigned long long)(d->base + start), (unsigned long long)size,
                     (unsigned long long)(d->n - q));
        return GTH_READ_ERROR;
    }
    if (expb) {
        for (unsigned i = 0; i < 4; i++) ev->args[i] = v[i];
        ev->data = size ? d->p + q : empty_data;
        ev->data_len = (size_t)size;
        d->in_batch = 0;
        fill(d, ev, spec, start, q + (size_t)size);
        d->pos = q + (size_t)size;
        return GTH_READ_OK;
    }
    for (unsigned i = 0; i < 4; i++) ev->args[i] = v[i];
    d->in_batch = 0;
    fill(d, ev, spec, start, q);
    if (size > 0) {
        d->in_batch = 1;
        d->batch_off = d->base + start;
        d->batch_end = d->base + q + size;
    }
    d->pos = q;
    return GTH_READ_OK;
}

/* Reads one payload varint at p[*q..lim). */
static int payload_varint(gth_decoder *d, size_t *q, size_t lim, uint64_t *v,
                          const gth_event_spec *spec, size_t start, const char *what,
                          const char *what2, gth_error *err) {
    int k = gth_uvarint(d->p + *q, lim - *q, v);
    if (k > 0) {
        *q += (size_t)k;
        return 0;
    }
    if (k == GTH_VARINT_TRUNCATED)
        gth_error_at(err, d->base + *q,
                     "%s at offset %llu: truncated %s%s varint: the batch at offset %llu ends at "
                     "offset %llu",
                     spec->name, (unsigned long long)(d->base + start), what, what2,
                     (unsigned long long)d->batch_off, (unsigned long long)d->batch_end);
    else
        gth_error_at(err, d->base + *q,
                     "%s at offset %llu: %s%s varint overflows 64 bits (more than 10 bytes)",
                     spec->name, (unsigned long long)(d->base + start), what, what2);
    return -1;
}

static int next_in_payload(gth_decoder *d, gth_raw_event *ev, gth_error *err) {
    size_t start = d->pos;
    uint64_t lim_abs = d->batch_end;
    if (lim_abs > d->base + d->n) {
        /* The caller fed less than the batch it was shown in full. */
        if (!d->final) return GTH_READ_MORE;
        gth_error_at(err, d->base + d->n, "the batch at offset %llu runs past the end of the input",
                     (unsigned long long)d->batch_off);
        return GTH_READ_ERROR;
    }
    size_t lim = (size_t)(lim_abs - d->base);
    uint8_t b = d->p[start];
    const gth_event_spec *spec = d->table[b];
    if (!spec) {
        gth_error_at(err, d->base + start,
                     "event type %u does not exist in go 1.%u (in the batch at offset %llu)", b,
                     d->minor, (unsigned long long)d->batch_off);
        return GTH_READ_ERROR;
    }
    if (spec->where == GTH_W_BATCH) {
        gth_error_at(err, d->base + start, "%s inside the payload of the batch at offset %llu",
                     spec->name, (unsigned long long)d->batch_off);
        return GTH_READ_ERROR;
    }
    clear_payload(ev);
    size_t q = start + 1;
    for (unsigned i = 0; i < spec->nargs; i++)
        if (payload_varint(d, &q, lim, &ev->args[i], spec, start, "", spec->args[i].name, err))
            return GTH_READ_ERROR;
    if (spec->flags & GTH_F_FRAMES) {
        /* Every frame value takes at least one byte: check the count against the
         * bytes left before it sizes anything. */
        uint64_t nframes = ev->args[1];
        if (nframes > (lim - q) / 4) {
            gth_error_at(err, d->base + q,
                         "%s at offset %llu: %llu frames need at least %llu bytes, but only %zu are "
                         "left in the batch at offset %llu",
                         spec->name, (unsigned long long)(d->base + start),
                         (unsigned long long)nframes,
                         (unsigned long long)(nframes > UINT64_MAX / 4 ? UINT64_MAX : nframes * 4),
                         lim - q, (unsigned long long)d->batch_off);
            return GTH_READ_ERROR;
        }
        if (grow_frames(d, (size_t)nframes * 4, err)) return GTH_READ_ERROR;
        char what[48];
        for (size_t i = 0; i < (size_t)nframes * 4; i++) {
            int k = gth_uvarint(d->p + q, lim - q, &d->frames[i]);
            if (k > 0) {
                q += (size_t)k;
                continue;
            }
            snprintf(what, sizeof what, "frame %zu %s", i / 4 + 1, frame_field[i % 4]);
            payload_varint(d, &q, lim, &d->frames[i], spec, start, what, "", err);
            return GTH_READ_ERROR;
        }
        ev->frames = d->frames;
        ev->nframes = (size_t)nframes;
    }
    if (spec->flags & GTH_F_DATA) {
        uint64_t len;
        size_t len_at = q;
        if (payload_varint(d, &q, lim, &len, spec, start, "data length", "", err))
            return GTH_READ_ERROR;
        if (spec->code == GTH_EV_String && !(d->flags & GTH_DEC_NO_STRING_LIMIT) && len > GTH_MAX_STRING_SIZE) {
            gth_error_at(err, d->base + len_at,
                         "%s at offset %llu: length %llu exceeds the maximum of %d bytes", spec->name,
                         (unsigned long long)(d->base + start), (unsigned long long)len,
                         GTH_MAX_STRING_SIZE);
            return GTH_READ_ERROR;
        }
        if (len > lim - q) {
            gth_error_at(err, d->base + q,
                         "%s at offset %llu: its %llu data bytes run past the end of the batch at "
                         "offset %llu (%zu bytes left)",
                         spec->name, (unsigned long long)(d->base + start), (unsigned long long)len,
                         (unsigned long long)d->batch_off, lim - q);
            return GTH_READ_ERROR;
        }
        ev->data = len ? d->p + q : empty_data;
        ev->data_len = (size_t)len;
        q += (size_t)len;
    }
    fill(d, ev, spec, start, q);
    d->pos = q;
    return GTH_READ_OK;
}

/* ---- Flat mode: Go's raw.Reader ------------------------------------------- */

/* One stream varint as binary.ReadUvarint reads it, where running out of input
 * before the first byte is io.EOF: the raw reader's caller takes that as the end. */
static int flat_varint(gth_decoder *d, size_t start, size_t *q, uint64_t *v, gth_error *err) {
    int k = gth_uvarint(d->p + *q, d->n - *q, v);
    if (k > 0) {
        *q += (size_t)k;
        return GTH_READ_OK;
    }
    if (k == GTH_VARINT_TRUNCATED) {
        if (!d->final) return GTH_READ_MORE;
        if (*q == d->n) {
            d->partial_end = d->base + start;
            return GTH_READ_END;
        }
        gth_error_at(err, d->base + *q, "unexpected EOF");
        return GTH_READ_ERROR;
    }
    gth_error_at(err, d->base + *q, "binary: varint overflows a 64-bit integer");
    return GTH_READ_ERROR;
}

static int next_flat(gth_decoder *d, gth_raw_event *ev, gth_error *err) {
    size_t start = d->pos;
    if (start >= d->n) return d->final ? GTH_READ_END : GTH_READ_MORE;
    uint8_t b = d->p[start];
    const gth_event_spec *spec = d->table[b];
    if (!spec && b != 0 && b < GTH_NUM_CODES && d->table[GTH_NUM_CODES - 1]) {
        /* Go's 1.26 table is an array of 137 rows with unnamed holes (53..127);
         * its raw reader yields those as events with no name and no arguments. */
        spec = &gth_unnamed_spec;
    }
    if (!spec) {
        gth_error_at(err, d->base + start, "invalid event type: %u", b);
        return GTH_READ_ERROR;
    }
    clear_payload(ev);
    size_t q = start + 1;
    int r;
    for (unsigned i = 0; i < spec->nargs; i++)
        if ((r = flat_varint(d, start, &q, &ev->args[i], err)) != GTH_READ_OK) return r;
    if (spec->flags & GTH_F_FRAMES) {
        /* Go converts the count to int: 2^63 and above read no frames. */
        uint64_t nframes = ev->args[1] > INT64_MAX ? 0 : ev->args[1];
        if (nframes > (d->n - q) / 4) {
            /* Cannot all be there: Go reads on until the input ends. Find how
             * without storing anything. */
            if (!d->final) return GTH_READ_MORE;
            uint64_t dummy;
            for (;;)
                if ((r = flat_varint(d, start, &q, &dummy, err)) != GTH_READ_OK) return r;
        }
        if (grow_frames(d, (size_t)nframes * 4, err)) return GTH_READ_ERROR;
        for (size_t i = 0; i < (size_t)nframes * 4; i++)
            if ((r = flat_varint(d, start, &q, &d->frames[i], err)) != GTH_READ_OK) return r;
        ev->frames = d->frames;
        ev->nframes = (size_t)nframes;
    }
    if (spec->flags & GTH_F_DATA) {
        uint64_t len;
        if ((r = flat_varint(d, start, &q, &len, err)) != GTH_READ_OK) return r;
        if (len > INT64_MAX) len = 0; /* int conversion in Go: nothing is read */
        if (len > d->n - q) {
            if (!d->final) return GTH_READ_MORE;
            d->partial_end = d->base + start;
            return GTH_READ_END;
        }
        /* Go's reader leaves empty data nil; its text writer then omits it. */
        ev->data = len ? d->p + q : NULL;
        ev->data_len = (size_t)len;
        q += (size_t)len;
    }
    fill(d, ev, spec, start, q);
    d->pos = q;
    return GTH_READ_OK;
}

int gth_decoder_next(gth_decoder *d, gth_raw_event *ev, gth_error *err) {
    if (!d->have_header) {
        int r = gth_decoder_header(d, err);
        if (r != GTH_READ_OK) return r;
    }
    if (d->flags & GTH_DEC_FLAT) return next_flat(d, ev, err);
    if (d->in_batch) {
        if (d->base + d->pos < d->batch_end) return next_in_payload(d, ev, err);
        d->in_batch = 0;
    }
    return next_batch(d, ev, err);
}

int gth_decode_all(const void *p, size_t n, unsigned flags, const gth_allocator *a,
                   unsigned *minor, int (*fn)(void *ud, const gth_raw_event *ev), void *ud,
                   gth_error *err) {
    gth_decoder d;
    gth_decoder_init(&d, a, flags, minor ? *minor : 0);
    gth_decoder_feed(&d, p, n, 1);
    int rc = GTH_OK;
    int r = gth_decoder_header(&d, err);
    if (r == GTH_READ_OK && minor) *minor = d.minor;
    while (r == GTH_READ_OK) {
        gth_raw_event ev;
        r = gth_decoder_next(&d, &ev, err);
        if (r != GTH_READ_OK) break;
        if ((rc = fn(ud, &ev)) != 0) break;
    }
    if (r == GTH_READ_ERROR) rc = err->status ? err->status : GTH_EINVALID;
    gth_decoder_free(&d);
    return rc;
}
