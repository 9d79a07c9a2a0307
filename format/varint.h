/*
 * varint: unsigned LEB128 decoding and encoding as Go's encoding/binary does it
 * (at most 10 bytes; the 10th byte may only be 0 or 1). Header-only so the hot
 * decode loops of the validator inline it.
 */
#ifndef GTH_VARINT_H
#define GTH_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define GTH_UVARINT_MAX 10

enum {
    GTH_VARINT_TRUNCATED = 0, /* input ended inside (or before) the varint */
    GTH_VARINT_OVERFLOW = -1  /* longer than 10 bytes or larger than 2^64-1 */
};

/* Decodes one uvarint from p[0..n). Returns the number of bytes consumed (> 0),
 * GTH_VARINT_TRUNCATED or GTH_VARINT_OVERFLOW. Never reads past p[n-1]. */
static inline int gth_uvarint(const uint8_t *p, size_t n, uint64_t *out) {
    if (n > 0 && p[0] < 0x80) {
        *out = p[0];
        return 1;
    }
    uint64_t x = 0;
    unsigned s = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = p[i];
        if (i == GTH_UVARINT_MAX - 1 && b > 1) return GTH_VARINT_OVERFLOW;
        if (b < 0x80) {
            *out = x | (uint64_t)b << s;
            return (int)i + 1;
        }
        if (i == GTH_UVARINT_MAX - 1) return GTH_VARINT_OVERFLOW;
        x |= (uint64_t)(b & 0x7f) << s;
        s += 7;
    }
    return GTH_VARINT_TRUNCATED;
}

/* Number of bytes the minimal encoding of v takes (1..10). */
static inline size_t gth_uvarint_len(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Writes the minimal encoding of v to p (room for 10 bytes); returns its length. */
static inline size_t gth_put_uvarint(uint8_t *p, uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

#endif
