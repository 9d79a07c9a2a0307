/* The default allocator, error records and byte buffers. */
#include "base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *std_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

static const gth_allocator std_allocator = {std_alloc, NULL};

const gth_allocator *gth_default_allocator(void) { return &std_allocator; }

void *gth_calloc(const gth_allocator *a, size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    size_t n = count * size;
    void *p = gth_alloc(a, n > 0 ? n : 1);
    if (p) memset(p, 0, n);
    return p;
}

int gth_grow(const gth_allocator *a, void **p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return 0;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) return -1;
        ncap *= 2;
    }
    if (size && ncap > SIZE_MAX / size) return -1;
    void *np = gth_realloc(a, *p, *cap * size, ncap * size);
    if (!np) return -1;
    *p = np;
    *cap = ncap;
    return 0;
}

void gth_error_clear(gth_error *e) {
    e->status = GTH_OK;
    e->inv = 0;
    e->offset = GTH_NO_OFFSET;
    e->line = 0;
    e->gen = UINT64_MAX;
    e->m = UINT64_MAX;
    e->batch = -1;
    e->event = -1;
    e->msg[0] = 0;
    e->msg_len = 0;
}

int gth_error_vset(gth_error *e, int status, const char *fmt, va_list ap) {
    e->status = status;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    e->msg_len = 0;
    return status;
}

int gth_error_setn(gth_error *e, int status, const void *msg, size_t len) {
    e->status = status;
    if (len > sizeof e->msg - 1) len = sizeof e->msg - 1;
    if (len) memcpy(e->msg, msg, len);
    e->msg[len] = 0;
    e->msg_len = len;
    return status;
}

size_t gth_error_len(const gth_error *e) { return e->msg_len ? e->msg_len : strlen(e->msg); }

int gth_error_set(gth_error *e, int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gth_error_vset(e, status, fmt, ap);
    va_end(ap);
    return status;
}

int gth_error_at(gth_error *e, uint64_t offset, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    gth_error_vset(e, GTH_EINVALID, fmt, ap);
    va_end(ap);
    e->offset = offset;
    return GTH_EINVALID;
}

int gth_error_nomem(gth_error *e) { return gth_error_set(e, GTH_ENOMEM, "out of memory"); }

void gth_buf_init(gth_buf *b, const gth_allocator *a) {
    b->data = NULL;
    b->len = b->cap = 0;
    b->a = a ? a : gth_default_allocator();
    b->failed = 0;
}

void gth_buf_free(gth_buf *b) {
    gth_free(b->a, b->data, b->cap);
    b->data = NULL;
    b->len = b->cap = 0;
}

int gth_buf_reserve(gth_buf *b, size_t extra) {
    if (b->failed) return -1;
    if (extra > SIZE_MAX - b->len) return b->failed = 1, -1;
    void *p = b->data;
    if (gth_grow(b->a, &p, &b->cap, b->len + extra, 1) != 0) return b->failed = 1, -1;
    b->data = p;
    return 0;
}

int gth_buf_append(gth_buf *b, const void *p, size_t n) {
    if (n == 0) return b->failed ? -1 : 0;
    if (gth_buf_reserve(b, n) != 0) return -1;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int gth_buf_putc(gth_buf *b, int c) {
    uint8_t ch = (uint8_t)c;
    return gth_buf_append(b, &ch, 1);
}

int gth_buf_printf(gth_buf *b, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return b->failed = 1, -1;
    if ((size_t)n < sizeof small) return gth_buf_append(b, small, (size_t)n);
    if (gth_buf_reserve(b, (size_t)n + 1) != 0) return -1;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int gth_buf_put_uvarint(gth_buf *b, uint64_t v) {
    uint8_t tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    return gth_buf_append(b, tmp, n);
}

int gth_buf_put_u64(gth_buf *b, uint64_t v) {
    char tmp[20];
    size_t n = 0;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return gth_buf_append(b, tmp + sizeof tmp - n, n);
}
