/*
 * Input buffering for the reader: a growable window over the source. Without
 * pread it holds the current generation's bytes; with pread it only reads
 * ahead batch headers and tables (see vin in internal.h).
 */
#include <string.h>

#include "validator/internal.h"

#define CHUNK ((size_t)4 << 20)
/* Seekable input reads only batch headers and tables through the buffer. */
#define SEEK_CHUNK ((size_t)16 << 10)

long gth_vin_fill(vin *in, size_t need) {
    while (in->len - in->pos < need && !in->eof) {
        /* Seekable: nothing refers to bytes before pos, so drop them. */
        if (in->seekable) gth_vin_compact(in);
        size_t want = need - (in->len - in->pos);
        size_t chunk = in->seekable ? SEEK_CHUNK : CHUNK;
        /* Grow (by a chunk at least) only when the free space cannot take
         * what is needed: reading into it first finds the end of the input
         * without doubling the buffer just to see it. */
        if (in->cap - in->len < want) {
            if (want < chunk) want = chunk;
            void *p = in->buf;
            if (in->len > SIZE_MAX - want ||
                gth_grow(in->a, &p, &in->cap, in->len + want, 1) != 0) {
                gth_error_nomem(&in->err);
                in->ioerr = 1;
                return -1;
            }
            in->buf = p;
        }
        long n = in->seekable ? in->src.pread(in->src.ud, in->buf + in->len, in->cap - in->len,
                                              in->base + in->len, &in->err)
                              : in->src.read(in->src.ud, in->buf + in->len, in->cap - in->len, &in->err);
        if (n < 0) {
            in->ioerr = 1;
            if (in->err.status == GTH_OK) gth_error_set(&in->err, GTH_EIO, "read error");
            return -1;
        }
        if (n == 0) in->eof = 1;
        in->len += (size_t)n;
    }
    return (long)(in->len - in->pos);
}

void gth_vin_compact(vin *in) {
    /* Moving the unread bytes costs their length: only do it once as many bytes
     * have been read, so copying stays linear in the input (a compaction per
     * tiny generation would move a whole read chunk each time). */
    if (in->pos == 0 || in->pos < in->len - in->pos) return;
    memmove(in->buf, in->buf + in->pos, in->len - in->pos);
    in->base += in->pos;
    in->len -= in->pos;
    in->pos = 0;
}

void gth_vin_seek(vin *in, uint64_t off) {
    if (off >= in->base && off - in->base <= in->len) {
        in->pos = (size_t)(off - in->base);
        return;
    }
    in->base = off;
    in->len = in->pos = 0;
    in->eof = off >= in->src.size;
}
