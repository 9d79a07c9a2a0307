/*
 * Batch framing, as Go's reader reads it: the batch header (EventBatch or
 * ExperimentalBatch, generation, thread, time, size) with Go's error texts, the
 * in-band EndOfGeneration, and the payload — buffered for the batches the
 * generation stage decodes itself, only located for a thread's regular batches,
 * whose events the cursors decode lazily (batchcursor.c).
 */
#include <string.h>

#include "format/varint.h"
#include "validator/internal.h"

static int sread_uvarint(vin *in, uint64_t *v) {
    long avail = gth_vin_fill(in, GTH_UVARINT_MAX);
    if (avail < 0) return RV_IO;
    size_t end = in->pos + (size_t)avail;
    return gth_read_uvarint(in->buf, end, &in->pos, v);
}

/* A batch the generation stage decodes itself (tables, sync, experimental,
 * in-band EndOfGeneration), as opposed to a thread's events. */
static int is_table_batch(const rbatch *b, unsigned version) {
    if (b->exp != 0) return 1;
    if (b->size == 0) return 0;
    switch (b->first) {
    case GTH_EV_Strings:
    case GTH_EV_Stacks:
    case GTH_EV_CPUSamples:
    case GTH_EV_EndOfGeneration: return 1;
    case GTH_EV_Frequency: return version < 25;
    case GTH_EV_Sync: return version >= 25;
    }
    return 0;
}

static void locate(gth_error *err, uint64_t off, int inv) {
    err->offset = off;
    err->inv = inv;
}

int gth_batch_read(vin *in, rbatch *b, unsigned version, gth_error *err) {
    memset(b, 0, sizeof *b);
    long avail = gth_vin_fill(in, 1);
    if (avail < 0) goto io;
    b->file_off = in->base + in->pos;
    if (avail == 0) return RB_EOF;
    uint8_t kind = in->buf[in->pos++];
    if (kind == GTH_EV_EndOfGeneration) {
        b->eog = 1;
        b->m = GTH_NO_ID;
        return RB_OK;
    }
    if (kind != GTH_EV_EventBatch && kind != GTH_EV_ExperimentalBatch) {
        locate(err, b->file_off, GTH_INV_BATCH_KIND);
        gth_error_set(err, GTH_EINVALID, "expected batch event, got event %u", kind);
        return RB_ERR;
    }
    if (kind == GTH_EV_ExperimentalBatch) {
        avail = gth_vin_fill(in, 1);
        if (avail < 0) goto io;
        if (avail == 0) return RB_EOF; /* Go takes this as the end of the input */
        b->exp = in->buf[in->pos++];
    }
    static const struct {
        const char *what;
        int inv;
    } fields[4] = {{"gen", GTH_INV_BATCH_GEN_READ},
                   {"M ID", GTH_INV_BATCH_M_READ},
                   {"timestamp", GTH_INV_BATCH_TIME_READ},
                   {"size", GTH_INV_BATCH_SIZE_READ}};
    uint64_t *dst[4] = {&b->gen, &b->m, &b->time, &b->size};
    for (int i = 0; i < 4; i++) {
        uint64_t at = in->base + in->pos;
        int rc = sread_uvarint(in, dst[i]);
        if (rc == RV_IO) goto io;
        if (rc != RV_OK) {
            locate(err, at, fields[i].inv);
            gth_error_set(err, GTH_EINVALID, "error reading batch %s: %s", fields[i].what, gth_read_uvarint_text(rc));
            return RB_ERR;
        }
    }
    if (b->size > GTH_MAX_BATCH_SIZE) {
        locate(err, b->file_off, GTH_INV_BATCH_SIZE_MAX);
        gth_error_set(err, GTH_EINVALID, "invalid batch size %llu, maximum is %d",
                      (unsigned long long)b->size, GTH_MAX_BATCH_SIZE);
        return RB_ERR;
    }
    b->data_off = in->base + in->pos;
    if (in->seekable) {
        uint64_t have = in->src.size > b->data_off ? in->src.size - b->data_off : 0;
        if (have < b->size) {
            locate(err, in->src.size, GTH_INV_BATCH_TRUNCATED);
            gth_error_set(err, GTH_EINVALID, "failed to read full batch: read %llu but wanted %llu",
                          (unsigned long long)have, (unsigned long long)b->size);
            gth_vin_seek(in, in->src.size);
            return RB_ERR;
        }
        if (b->size > 0) {
            avail = gth_vin_fill(in, 1);
            if (avail < 0) goto io;
            if (avail == 0) { /* the file shrank under us */
                gth_error_set(&in->err, GTH_EIO, "read error: input ended before its size");
                goto io;
            }
            b->first = in->buf[in->pos];
        }
        if (!is_table_batch(b, version)) {
            gth_vin_seek(in, b->data_off + b->size); /* the cursor reads it */
            return RB_OK;
        }
    }
    avail = gth_vin_fill(in, (size_t)b->size);
    if (avail < 0) goto io;
    if ((uint64_t)avail < b->size) {
        locate(err, in->base + in->len, GTH_INV_BATCH_TRUNCATED);
        gth_error_set(err, GTH_EINVALID, "failed to read full batch: read %ld but wanted %llu", avail,
                      (unsigned long long)b->size);
        in->pos = in->len;
        return RB_ERR;
    }
    b->off = in->pos;
    b->buffered = 1;
    b->first = b->size ? in->buf[in->pos] : 0;
    in->pos += (size_t)b->size;
    return RB_OK;
io:
    *err = in->err;
    return RB_ERR;
}
