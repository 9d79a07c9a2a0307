/* The file header: a faithful emulation of Go's
 *   fmt.Fscanf(r, "go 1.%d trace\x00\x00\x00", &v)   (v a uint32)
 * over a bufio.Reader, followed by the version check. */
#include "format/header.h"

#include "base/quote.h"
#include "spec/spec.h"

#define SCAN_EOF UINT32_MAX

typedef struct scan {
    const uint8_t *p;
    size_t n, pos, last_w;
    int hit_end; /* the scan looked at the end of the buffer */
} scan;

/* bufio.Reader.ReadRune: one rune, U+FFFD width 1 for bad bytes, EOF at the end. */
static uint32_t get_rune(scan *s) {
    if (s->pos >= s->n) {
        s->hit_end = 1;
        s->last_w = 0;
        return SCAN_EOF;
    }
    uint32_t r;
    size_t w = gth_utf8_decode(s->p + s->pos, s->n - s->pos, &r);
    /* A bad byte near the end may be the start of a rune cut by the chunk end. */
    if (r == GTH_RUNE_ERROR && w == 1 && s->n - s->pos < 4) s->hit_end = 1;
    s->pos += w;
    s->last_w = w;
    return r;
}

static void unread(scan *s) { s->pos -= s->last_w; }

/* A literal space of the format: at least one input space (or EOF), no newline,
 * then any further non-newline spaces. */
static int match_space(scan *s) {
    uint32_t r = get_rune(s);
    if (r == SCAN_EOF) return 1;
    if (!gth_unicode_is_space(r) || r == '\n') return 0;
    while (r != SCAN_EOF && r != '\n' && gth_unicode_is_space(r)) r = get_rune(s);
    if (r != SCAN_EOF) unread(s);
    return 1;
}

static int match_literal(scan *s, const char *lit, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (get_rune(s) != (uint8_t)lit[i]) return 0;
    return 1;
}

/* %d into a uint32: skip spaces (a newline is an error), then one or more ASCII
 * digits; the value must fit in 32 bits. */
static int match_uint32(scan *s, uint64_t *v) {
    uint32_t r;
    for (;;) {
        r = get_rune(s);
        if (r == SCAN_EOF) return 0;
        if (r == '\n') return 0;
        if (!gth_unicode_is_space(r)) break;
    }
    if (r < '0' || r > '9') return 0;
    /* Leading zeros are fine; once the value passes 2^32-1 it can only grow. */
    uint64_t x = 0;
    int big = 0;
    while (r >= '0' && r <= '9') {
        if (!big) {
            x = x * 10 + (r - '0');
            big = x > UINT32_MAX;
        }
        r = get_rune(s);
    }
    if (r != SCAN_EOF) unread(s);
    if (big) return 0;
    *v = x;
    return 1;
}

int gth_header_parse(const uint8_t *p, size_t n, int final, unsigned *minor, size_t *hdr_len,
                     gth_error *err) {
    scan s = {p, n, 0, 0, 0};
    uint64_t v = 0;
    int ok = match_literal(&s, "go", 2) && match_space(&s) && match_literal(&s, "1.", 2) &&
             match_uint32(&s, &v) && match_space(&s) && match_literal(&s, "trace\0\0\0", 8);
    if (!ok) {
        if (s.hit_end && !final) return GTH_READ_MORE;
        uint64_t at = s.pos > s.last_w ? s.pos - s.last_w : 0;
        gth_error_at(err, at, "bad file format: not a Go execution trace?");
        return GTH_READ_ERROR;
    }
    if (!gth_version_get((unsigned)v)) {
        gth_error_at(err, 0, "unknown or unsupported trace version go 1.%u", (unsigned)v);
        return GTH_READ_ERROR;
    }
    *minor = (unsigned)v;
    *hdr_len = s.pos;
    return GTH_READ_OK;
}

int gth_header_write(gth_buf *b, unsigned minor) {
    gth_buf_append(b, "go 1.", 5);
    gth_buf_put_u64(b, minor);
    return gth_buf_append(b, " trace\0\0\0", 9);
}
